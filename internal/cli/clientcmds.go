package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/mutua-org/mutua/internal/httpapi"
)

// The client commands: what an operator and a participant need, each one
// request to a node's JSON API (see `mutua <command> -h`).

func init() {
	register("pay", "send a payment from your participant (participant token)", single("pay", payCmd))
	register("payments", "list your payments, oldest first, a page at a time (filters: status, counterparty, currency, time)", single("payments", paymentsCmd))
	register("payment", "show one payment by id or UETR", single("payment", paymentCmd))
	register("balance", "show balances: your own, or a participant's (operator)", single("balance", balanceCmd))
	register("statement", "show an account's booked entries over a period", single("statement", statementCmd))
	register("whoami", "show whom the token belongs to", single("whoami", whoamiCmd))
	register("status", "show the node's status and state digest (operator)", single("status", statusCmd))
	register("fund", "fund a participant's account from the currency's issuer (operator)", single("fund", fundingCmd("fund", "/v1/fundings")))
	register("defund", "return money from an account to the currency's issuer", single("defund", fundingCmd("defund", "/v1/defundings")))
	register("participant", "add, list, show, suspend or reinstate participants (operator)", group("participant", map[string]clientCmd{
		"add": participantAddCmd, "list": participantListCmd, "get": participantGetCmd,
		"suspend": participantStateCmd("suspend"), "reinstate": participantStateCmd("reinstate"),
	}))
	register("currency", "enable or list currencies", group("currency", map[string]clientCmd{
		"enable": currencyEnableCmd, "list": currencyListCmd,
	}))
	register("account", "open accounts, set limits, list a participant's accounts (operator)", group("account", map[string]clientCmd{
		"open": accountOpenCmd, "limits": accountLimitsCmd, "list": accountListCmd,
	}))
	register("token", "create, list or revoke API tokens (operator)", group("token", map[string]clientCmd{
		"create": tokenCreateCmd, "list": tokenListCmd, "revoke": tokenRevokeCmd,
	}))
}

// apiRequest is one call to the API.
type apiRequest struct {
	method, path string
	query        url.Values
	key          string
	body         any
}

// clientCmd is a client command: its help, its flags and how it renders.
type clientCmd struct {
	synopsis    string
	summary     string
	description string
	// define adds the command's flags and returns the function that builds
	// the request from them and the positional arguments.
	define func(fs *flag.FlagSet) func(args []string) (apiRequest, error)
	// render prints the answer for people; nil prints the JSON.
	render func(w io.Writer, raw []byte) error
}

var errUsage = errors.New("usage")

func usageErr(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

func single(name string, cc clientCmd) func(args []string, stdout, stderr io.Writer) int {
	return func(args []string, stdout, stderr io.Writer) int { return cc.run(name, args, stdout, stderr) }
}

func group(name string, subs map[string]clientCmd) func(args []string, stdout, stderr io.Writer) int {
	return func(args []string, stdout, stderr io.Writer) int {
		if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
			w := stdout
			if len(args) == 0 {
				w = stderr
			}
			fmt.Fprintf(w, "Usage: mutua %s <command> [flags]   (mutua %s <command> -h for its flags)\n\n", name, name)
			names := make([]string, 0, len(subs))
			for n := range subs {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				fmt.Fprintf(w, "  %-10s %s\n", n, subs[n].summary)
			}
			if len(args) == 0 {
				return 2
			}
			return 0
		}
		cc, found := subs[args[0]]
		if !found {
			fmt.Fprintf(stderr, "mutua %s: unknown command %q (mutua %s -h lists them)\n", name, args[0], name)
			return 2
		}
		return cc.run(name+" "+args[0], args[1:], stdout, stderr)
	}
}

func (cc clientCmd) run(name string, args []string, stdout, stderr io.Writer) int {
	summary := strings.ToUpper(cc.summary[:1]) + cc.summary[1:] + "."
	fs, cf := newClientFlags(name, cc.synopsis, summary+"\n\n"+cc.description, stderr)
	build := cc.define(fs)
	pos, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	req, err := build(pos)
	if err != nil {
		fmt.Fprintf(stderr, "mutua %s: %v\n", name, strings.TrimPrefix(err.Error(), "usage: "))
		fs.Usage()
		return 2
	}
	c, err := cf.client()
	if err != nil {
		fmt.Fprintf(stderr, "mutua %s: %v\n", name, err)
		return 2
	}
	raw, err := c.call(context.Background(), req.method, req.path, req.query, req.key, req.body, nil)
	if err != nil {
		var ae *apiError
		if errors.As(err, &ae) && cf.json {
			printJSON(stdout, raw)
		}
		fmt.Fprintf(stderr, "mutua %s: %v\n", name, err)
		return 1
	}
	if cf.json || cc.render == nil {
		printJSON(stdout, raw)
		return 0
	}
	if err := cc.render(stdout, raw); err != nil {
		fmt.Fprintf(stderr, "mutua %s: %v\n", name, err)
		return 1
	}
	return 0
}

// parseInterspersed parses flags given before and after positional
// arguments ("mutua payment 42 --json").
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func noArgs(args []string) error {
	if len(args) > 0 {
		return usageErr("unexpected argument %q", args[0])
	}
	return nil
}

func need(flagName, v string) error {
	if v == "" {
		return usageErr("--%s is required", flagName)
	}
	return nil
}

func decodeInto[T any](raw []byte) (T, error) {
	var v T
	err := json.Unmarshal(raw, &v)
	return v, err
}

func table(w io.Writer, header string, rows [][]string) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
}

func fields(w io.Writer, kv ...string) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", kv[i], kv[i+1])
		}
	}
	tw.Flush()
}

func renderPayment(w io.Writer, raw []byte) error {
	p, err := decodeInto[httpapi.Payment](raw)
	if err != nil {
		return err
	}
	fields(w, "payment", fmt.Sprint(p.ID), "status", p.Status, "kind", p.Kind, "payer", p.Payer, "payee", p.Payee,
		"amount", p.Amount+" "+p.Currency, "uetr", p.UETR, "priority", p.Priority, "end-to-end id", p.EndToEndID,
		"debtor", p.DebtorName, "creditor", p.CreditorName, "remittance", p.Remittance,
		"idempotency key", p.IdempotencyKey, "created", p.CreatedAt, "updated", p.UpdatedAt)
	return nil
}

var payCmd = clientCmd{
	synopsis: "pay --to BIC --currency CCY --amount DECIMAL [flags]",
	summary:  "Send a payment from the token's participant",
	description: `The payment settles at once (gross) or is rejected with a stable reason
such as insufficient_liquidity. Amounts are decimal text in the currency's
major unit: 1250.50 INR, never more decimals than the currency has.
Retrying with the same --key returns the first result instead of paying
twice; without --key a random one is used (shown in the answer).

Example:
  mutua pay --to SBININBBXXX --currency INR --amount 1250000.00 \
      --key inv-2024-0815 --remittance "INV 2024-0815 copper cathodes"`,
	define: func(fs *flag.FlagSet) func([]string) (apiRequest, error) {
		var req httpapi.PaymentRequest
		var amount, key string
		fs.StringVar(&req.Payee, "to", "", "payee participant id (BIC)")
		fs.StringVar(&req.Currency, "currency", "", "ISO 4217 currency code")
		fs.StringVar(&amount, "amount", "", "amount as decimal text, e.g. 1250.50")
		fs.StringVar(&key, "key", "", "idempotency key (default: random)")
		fs.StringVar(&req.UETR, "uetr", "", "UETR (UUID v4); derived from the key when absent")
		fs.StringVar(&req.EndToEndID, "e2e", "", "end-to-end reference (up to 35 characters)")
		fs.StringVar(&req.DebtorName, "debtor", "", "ordering customer's name")
		fs.StringVar(&req.CreditorName, "creditor", "", "beneficiary customer's name")
		fs.StringVar(&req.Remittance, "remittance", "", "remittance information (up to 140 characters)")
		fs.StringVar(&req.Priority, "priority", "", "normal, high or urgent")
		return func(args []string) (apiRequest, error) {
			if err := errors.Join(noArgs(args), need("to", req.Payee), need("currency", req.Currency), need("amount", amount)); err != nil {
				return apiRequest{}, err
			}
			if key == "" {
				key = newKey("cli")
			}
			req.Amount = httpapi.DecimalOf(amount)
			return apiRequest{method: "POST", path: "/v1/payments", key: key, body: req}, nil
		}
	},
	render: renderPayment,
}

var paymentsCmd = clientCmd{
	synopsis:    "payments [--status S] [--counterparty BIC] [--currency CCY] [--from T] [--to T] [--limit N] [--cursor C]",
	summary:     "List the token's participant's payments, as payer or payee",
	description: "Oldest first, a page at a time: pass the printed cursor to get the next page.\nOperators name the participant with --participant. Times are RFC 3339 or YYYY-MM-DD.",
	define: func(fs *flag.FlagSet) func([]string) (apiRequest, error) {
		names := []string{"status", "counterparty", "currency", "from", "to", "limit", "cursor", "participant"}
		vals := make([]*string, len(names))
		for i, n := range names {
			vals[i] = fs.String(n, "", map[string]string{
				"status": "received, held, queued, pending, settled, rejected, cancelled or expired", "counterparty": "only payments with this participant",
				"currency": "only this currency", "from": "created at or after", "to": "created before", "limit": "page size (1-1000, default 100)",
				"cursor": "next page cursor from the previous page", "participant": "whose payments (operators)"}[n])
		}
		return func(args []string) (apiRequest, error) {
			if err := noArgs(args); err != nil {
				return apiRequest{}, err
			}
			q := url.Values{}
			for i, n := range names {
				if *vals[i] != "" {
					q.Set(n, *vals[i])
				}
			}
			return apiRequest{method: "GET", path: "/v1/payments", query: q}, nil
		}
	},
	render: func(w io.Writer, raw []byte) error {
		page, err := decodeInto[httpapi.PaymentPage](raw)
		if err != nil {
			return err
		}
		var rows [][]string
		for _, p := range page.Payments {
			rows = append(rows, []string{fmt.Sprint(p.ID), p.CreatedAt, p.Kind, p.Status, p.Payer, p.Payee, p.Currency, p.Amount, p.Remittance})
		}
		table(w, "ID\tCREATED\tKIND\tSTATUS\tPAYER\tPAYEE\tCCY\tAMOUNT\tREMITTANCE", rows)
		if page.NextCursor != "" {
			fmt.Fprintf(w, "more: --cursor %s\n", page.NextCursor)
		}
		return nil
	},
}

var paymentCmd = clientCmd{
	synopsis:    "payment ID|UETR",
	summary:     "Show one payment by its id or UETR",
	description: "Participants see only payments they sent or received.",
	define: func(fs *flag.FlagSet) func([]string) (apiRequest, error) {
		return func(args []string) (apiRequest, error) {
			if len(args) != 1 {
				return apiRequest{}, usageErr("give one payment id or UETR")
			}
			return apiRequest{method: "GET", path: "/v1/payments/" + url.PathEscape(args[0])}, nil
		}
	},
	render: renderPayment,
}

func renderAccounts(w io.Writer, raw []byte) error {
	l, err := decodeInto[httpapi.AccountList](raw)
	if err != nil {
		return err
	}
	var rows [][]string
	for _, a := range l.Accounts {
		floor := a.Floor
		if a.Issuance {
			floor = "(issuance)"
		}
		rows = append(rows, []string{a.Participant, a.Currency, a.Balance, a.Available, a.DebitsPending, floor, a.Ceiling})
	}
	table(w, "PARTICIPANT\tCCY\tBALANCE\tAVAILABLE\tPENDING OUT\tFLOOR\tCEILING", rows)
	return nil
}

var balanceCmd = clientCmd{
	synopsis:    "balance [--participant BIC]",
	summary:     "Show balances: the token's participant's, or (operators) a participant's",
	description: "Balance is posted credits minus debits; available also takes off pending debits.",
	define: func(fs *flag.FlagSet) func([]string) (apiRequest, error) {
		part := fs.String("participant", "", "participant id (operators)")
		return func(args []string) (apiRequest, error) {
			if err := noArgs(args); err != nil {
				return apiRequest{}, err
			}
			if *part != "" {
				return apiRequest{method: "GET", path: "/v1/participants/" + url.PathEscape(*part) + "/accounts"}, nil
			}
			return apiRequest{method: "GET", path: "/v1/balances"}, nil
		}
	},
	render: renderAccounts,
}

var statementCmd = clientCmd{
	synopsis:    "statement --currency CCY [--from T] [--to T] [--cursor C] [--participant BIC]",
	summary:     "Show an account's booked entries over [from, to) with opening and closing balances",
	description: "Times are RFC 3339 or YYYY-MM-DD. A page holds 10,000 entries: pass the printed cursor,\nwith the same --from and --to, to get the next. Operators name the participant with --participant.",
	define: func(fs *flag.FlagSet) func([]string) (apiRequest, error) {
		cur := fs.String("currency", "", "ISO 4217 code of the account")
		from := fs.String("from", "", "start (inclusive)")
		to := fs.String("to", "", "end (exclusive)")
		cursor := fs.String("cursor", "", "next page cursor from the previous page")
		part := fs.String("participant", "", "participant id (operators)")
		return func(args []string) (apiRequest, error) {
			if err := errors.Join(noArgs(args), need("currency", *cur)); err != nil {
				return apiRequest{}, err
			}
			q := url.Values{}
			for k, v := range map[string]string{"from": *from, "to": *to, "cursor": *cursor} {
				if v != "" {
					q.Set(k, v)
				}
			}
			path := "/v1/accounts/" + url.PathEscape(*cur) + "/statement"
			if *part != "" {
				path = "/v1/participants/" + url.PathEscape(*part) + "/accounts/" + url.PathEscape(*cur) + "/statement"
			}
			return apiRequest{method: "GET", path: path, query: q}, nil
		}
	},
	render: func(w io.Writer, raw []byte) error {
		st, err := decodeInto[httpapi.Statement](raw)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "statement %s %s  opening %s  closing %s\n", st.Participant, st.Currency, st.OpeningBalance, st.ClosingBalance)
		var rows [][]string
		for _, e := range st.Entries {
			amt := e.Amount
			if e.Direction == "debit" {
				amt = "-" + amt
			}
			rows = append(rows, []string{e.BookedAt, fmt.Sprint(e.Payment), e.Kind, e.Counterparty, amt, e.BalanceAfter})
		}
		table(w, "BOOKED\tPAYMENT\tKIND\tCOUNTERPARTY\tAMOUNT\tBALANCE", rows)
		if st.More {
			fmt.Fprintf(w, "more: --cursor %s\n", st.NextCursor)
		}
		return nil
	},
}

var whoamiCmd = clientCmd{
	synopsis: "whoami", summary: "Show whom the token belongs to", description: "Prints the token id, its user's name and role.",
	define: func(fs *flag.FlagSet) func([]string) (apiRequest, error) {
		return func(args []string) (apiRequest, error) {
			return apiRequest{method: "GET", path: "/v1/me"}, noArgs(args)
		}
	},
	render: func(w io.Writer, raw []byte) error {
		m, err := decodeInto[httpapi.Me](raw)
		fields(w, "token", m.TokenID, "name", m.Name, "role", m.Role, "participant", m.Participant)
		return err
	},
}

var statusCmd = clientCmd{
	synopsis: "status", summary: "Show the node's status and state digest", description: "Operators only. Hashing the state pauses settlement briefly on a large union.",
	define: func(fs *flag.FlagSet) func([]string) (apiRequest, error) {
		return func(args []string) (apiRequest, error) {
			return apiRequest{method: "GET", path: "/v1/status", query: url.Values{"digest": {"true"}}}, noArgs(args)
		}
	},
	render: func(w io.Writer, raw []byte) error {
		s, err := decodeInto[httpapi.Status](raw)
		fields(w, "leader", fmt.Sprint(s.Leader), "applied", fmt.Sprint(s.Applied), "committed", fmt.Sprint(s.Committed),
			"recorded", fmt.Sprint(s.Recorded), "snapshot", fmt.Sprint(s.SnapshotIndex), "log time", s.LogTime,
			"participants", fmt.Sprint(s.Participants), "accounts", fmt.Sprint(s.Accounts), "payments", fmt.Sprint(s.Payments),
			"pending transfers", fmt.Sprint(s.PendingTransfers), "digest", s.Digest)
		return err
	},
}

func fundingCmd(name, path string) clientCmd {
	summary := "Fund a participant's account: money enters from the currency's issuer (operators)"
	if name == "defund" {
		summary = "Defund an account: money returns to the currency's issuer (operators; participants their own)"
	}
	return clientCmd{
		synopsis: name + " --participant BIC --currency CCY --amount DECIMAL [--key K]",
		summary:  summary,
		description: "Funding and defunding go through the issuer's issuance account, so the\n" +
			"union's balances in each currency always sum to zero. --key makes a retry safe.",
		define: func(fs *flag.FlagSet) func([]string) (apiRequest, error) {
			var req httpapi.FundingRequest
			var amount, key string
			fs.StringVar(&req.Participant, "participant", "", "participant id (participants defunding their own account may omit it)")
			fs.StringVar(&req.Currency, "currency", "", "ISO 4217 code")
			fs.StringVar(&amount, "amount", "", "amount as decimal text")
			fs.StringVar(&key, "key", "", "idempotency key (default: random)")
			fs.StringVar(&req.Remittance, "remittance", "", "reference")
			return func(args []string) (apiRequest, error) {
				if err := errors.Join(noArgs(args), need("currency", req.Currency), need("amount", amount)); err != nil {
					return apiRequest{}, err
				}
				if key == "" {
					key = newKey(name)
				}
				req.Amount = httpapi.DecimalOf(amount)
				return apiRequest{method: "POST", path: path, key: key, body: req}, nil
			}
		},
		render: renderPayment,
	}
}

func renderParticipant(w io.Writer, raw []byte) error {
	p, err := decodeInto[httpapi.Participant](raw)
	fields(w, "id", p.ID, "name", p.Name, "lei", p.LEI, "country", p.Country, "roles", strings.Join(p.Roles, ","), "status", p.Status)
	return err
}

var participantAddCmd = clientCmd{
	synopsis:    "participant add --id BIC --name NAME --country CC [--lei LEI] [--roles settlement,issuer,fx_provider]",
	summary:     "register a member institution",
	description: "The id is the institution's BIC (8 or 11 characters); the LEI, if given, must have valid ISO 17442 check digits.",
	define: func(fs *flag.FlagSet) func([]string) (apiRequest, error) {
		var req httpapi.ParticipantRequest
		var roles string
		fs.StringVar(&req.ID, "id", "", "BIC")
		fs.StringVar(&req.Name, "name", "", "legal name")
		fs.StringVar(&req.Country, "country", "", "ISO 3166-1 alpha-2 country")
		fs.StringVar(&req.LEI, "lei", "", "legal entity identifier")
		fs.StringVar(&roles, "roles", "", "comma-separated roles: settlement (default), issuer, fx_provider")
		return func(args []string) (apiRequest, error) {
			if err := errors.Join(noArgs(args), need("id", req.ID), need("name", req.Name), need("country", req.Country)); err != nil {
				return apiRequest{}, err
			}
			if roles != "" {
				req.Roles = strings.Split(roles, ",")
			}
			return apiRequest{method: "POST", path: "/v1/participants", body: req}, nil
		}
	},
	render: renderParticipant,
}

var participantListCmd = clientCmd{
	synopsis: "participant list", summary: "list all participants", description: "Operators only.",
	define: func(fs *flag.FlagSet) func([]string) (apiRequest, error) {
		return func(args []string) (apiRequest, error) {
			return apiRequest{method: "GET", path: "/v1/participants"}, noArgs(args)
		}
	},
	render: func(w io.Writer, raw []byte) error {
		l, err := decodeInto[httpapi.ParticipantList](raw)
		var rows [][]string
		for _, p := range l.Participants {
			rows = append(rows, []string{p.ID, p.Country, strings.Join(p.Roles, ","), p.Status, p.LEI, p.Name})
		}
		table(w, "ID\tCOUNTRY\tROLES\tSTATUS\tLEI\tNAME", rows)
		return err
	},
}

var participantGetCmd = clientCmd{
	synopsis: "participant get BIC", summary: "show a participant", description: "Participants may show only themselves.",
	define: func(fs *flag.FlagSet) func([]string) (apiRequest, error) {
		return func(args []string) (apiRequest, error) {
			if len(args) != 1 {
				return apiRequest{}, usageErr("give one participant id")
			}
			return apiRequest{method: "GET", path: "/v1/participants/" + url.PathEscape(args[0])}, nil
		}
	},
	render: renderParticipant,
}

func participantStateCmd(verb string) clientCmd {
	summary := "suspend a participant: it can neither pay nor be paid"
	if verb == "reinstate" {
		summary = "reinstate a suspended participant"
	}
	return clientCmd{
		synopsis: "participant " + verb + " BIC", summary: summary, description: "Operators only.",
		define: func(fs *flag.FlagSet) func([]string) (apiRequest, error) {
			return func(args []string) (apiRequest, error) {
				if len(args) != 1 {
					return apiRequest{}, usageErr("give one participant id")
				}
				return apiRequest{method: "POST", path: "/v1/participants/" + url.PathEscape(args[0]) + "/" + verb}, nil
			}
		},
		render: renderParticipant,
	}
}

var currencyEnableCmd = clientCmd{
	synopsis:    "currency enable --code CCY --issuer BIC",
	summary:     "enable a currency and name its issuer",
	description: "The issuer (normally the central bank of issue) gets the issuance account through which money enters and leaves.",
	define: func(fs *flag.FlagSet) func([]string) (apiRequest, error) {
		var req httpapi.CurrencyRequest
		fs.StringVar(&req.Code, "code", "", "ISO 4217 code")
		fs.StringVar(&req.Issuer, "issuer", "", "issuer's participant id")
		return func(args []string) (apiRequest, error) {
			if err := errors.Join(noArgs(args), need("code", req.Code), need("issuer", req.Issuer)); err != nil {
				return apiRequest{}, err
			}
			return apiRequest{method: "POST", path: "/v1/currencies", body: req}, nil
		}
	},
	render: func(w io.Writer, raw []byte) error {
		c, err := decodeInto[httpapi.Currency](raw)
		fields(w, "currency", c.Code, "name", c.Name, "exponent", fmt.Sprint(c.Exponent), "issuer", c.Issuer)
		return err
	},
}

var currencyListCmd = clientCmd{
	synopsis: "currency list", summary: "list the enabled currencies", description: "Any token.",
	define: func(fs *flag.FlagSet) func([]string) (apiRequest, error) {
		return func(args []string) (apiRequest, error) {
			return apiRequest{method: "GET", path: "/v1/currencies"}, noArgs(args)
		}
	},
	render: func(w io.Writer, raw []byte) error {
		l, err := decodeInto[httpapi.CurrencyList](raw)
		var rows [][]string
		for _, c := range l.Currencies {
			rows = append(rows, []string{c.Code, fmt.Sprint(c.Exponent), c.Issuer, c.Name})
		}
		table(w, "CODE\tEXPONENT\tISSUER\tNAME", rows)
		return err
	},
}

func renderAccount(w io.Writer, raw []byte) error {
	a, err := decodeInto[httpapi.Account](raw)
	fields(w, "participant", a.Participant, "currency", a.Currency, "balance", a.Balance, "available", a.Available, "floor", a.Floor, "ceiling", a.Ceiling)
	return err
}

var accountOpenCmd = clientCmd{
	synopsis:    "account open --participant BIC --currency CCY [--floor DECIMAL] [--ceiling DECIMAL]",
	summary:     "open a participant's account in a currency",
	description: "The floor is the lowest allowed available balance (default 0); a negative floor is a credit line.",
	define: func(fs *flag.FlagSet) func([]string) (apiRequest, error) {
		var part, cur, floor, ceiling string
		fs.StringVar(&part, "participant", "", "participant id")
		fs.StringVar(&cur, "currency", "", "ISO 4217 code")
		fs.StringVar(&floor, "floor", "", "floor as decimal text, e.g. -1000000.00")
		fs.StringVar(&ceiling, "ceiling", "", "ceiling as decimal text (default: none)")
		return func(args []string) (apiRequest, error) {
			if err := errors.Join(noArgs(args), need("participant", part), need("currency", cur)); err != nil {
				return apiRequest{}, err
			}
			req := httpapi.AccountRequest{Currency: cur}
			if floor != "" {
				req.Floor = httpapi.DecimalOf(floor)
			}
			if ceiling != "" {
				req.Ceiling = httpapi.DecimalOf(ceiling)
			}
			return apiRequest{method: "POST", path: "/v1/participants/" + url.PathEscape(part) + "/accounts", body: req}, nil
		}
	},
	render: renderAccount,
}

var accountLimitsCmd = clientCmd{
	synopsis:    "account limits --participant BIC --currency CCY --floor DECIMAL [--ceiling DECIMAL]",
	summary:     "set an account's floor and ceiling",
	description: "A new floor may not be above the account's available balance.",
	define: func(fs *flag.FlagSet) func([]string) (apiRequest, error) {
		var part, cur, floor, ceiling string
		fs.StringVar(&part, "participant", "", "participant id")
		fs.StringVar(&cur, "currency", "", "ISO 4217 code")
		fs.StringVar(&floor, "floor", "", "floor as decimal text")
		fs.StringVar(&ceiling, "ceiling", "", "ceiling as decimal text (default: none)")
		return func(args []string) (apiRequest, error) {
			if err := errors.Join(noArgs(args), need("participant", part), need("currency", cur), need("floor", floor)); err != nil {
				return apiRequest{}, err
			}
			req := httpapi.LimitsRequest{Floor: httpapi.DecimalOf(floor)}
			if ceiling != "" {
				req.Ceiling = httpapi.DecimalOf(ceiling)
			}
			return apiRequest{method: "PUT", path: "/v1/participants/" + url.PathEscape(part) + "/accounts/" + url.PathEscape(cur) + "/limits", body: req}, nil
		}
	},
	render: renderAccount,
}

var accountListCmd = clientCmd{
	synopsis: "account list --participant BIC", summary: "list a participant's accounts", description: "Operators, or a participant for itself.",
	define: func(fs *flag.FlagSet) func([]string) (apiRequest, error) {
		part := fs.String("participant", "", "participant id")
		return func(args []string) (apiRequest, error) {
			if err := errors.Join(noArgs(args), need("participant", *part)); err != nil {
				return apiRequest{}, err
			}
			return apiRequest{method: "GET", path: "/v1/participants/" + url.PathEscape(*part) + "/accounts"}, nil
		}
	},
	render: renderAccounts,
}

var tokenCreateCmd = clientCmd{
	synopsis:    "token create --name NAME [--participant BIC]",
	summary:     "issue an API token (the secret is shown once)",
	description: "Without --participant the token is an operator token. Only the token's hash is stored: keep the printed token.",
	define: func(fs *flag.FlagSet) func([]string) (apiRequest, error) {
		var req httpapi.TokenRequest
		fs.StringVar(&req.Participant, "participant", "", "participant the token acts for (default: operator)")
		fs.StringVar(&req.Name, "name", "", "who or what uses it")
		return func(args []string) (apiRequest, error) {
			if err := errors.Join(noArgs(args), need("name", req.Name)); err != nil {
				return apiRequest{}, err
			}
			return apiRequest{method: "POST", path: "/v1/tokens", body: req}, nil
		}
	},
	render: func(w io.Writer, raw []byte) error {
		t, err := decodeInto[httpapi.Token](raw)
		fields(w, "token", t.Token, "id", t.ID, "role", t.Role, "participant", t.Participant, "name", t.Name)
		fmt.Fprintln(w, "(the token is shown only now; store it safely)")
		return err
	},
}

var tokenListCmd = clientCmd{
	synopsis: "token list [--participant BIC]", summary: "list tokens (never their secrets)", description: "Revoked tokens are listed too.",
	define: func(fs *flag.FlagSet) func([]string) (apiRequest, error) {
		part := fs.String("participant", "", "only this participant's tokens")
		return func(args []string) (apiRequest, error) {
			q := url.Values{}
			if *part != "" {
				q.Set("participant", *part)
			}
			return apiRequest{method: "GET", path: "/v1/tokens", query: q}, noArgs(args)
		}
	},
	render: func(w io.Writer, raw []byte) error {
		l, err := decodeInto[httpapi.TokenList](raw)
		var rows [][]string
		for _, t := range l.Tokens {
			state := "active"
			if t.Revoked {
				state = "revoked " + t.RevokedAt
			}
			rows = append(rows, []string{t.ID, t.Role, t.Participant, state, t.CreatedAt, t.Name})
		}
		table(w, "ID\tROLE\tPARTICIPANT\tSTATE\tCREATED\tNAME", rows)
		return err
	},
}

var tokenRevokeCmd = clientCmd{
	synopsis: "token revoke ID", summary: "revoke a token: it fails from the next request on", description: "Operators only.",
	define: func(fs *flag.FlagSet) func([]string) (apiRequest, error) {
		return func(args []string) (apiRequest, error) {
			if len(args) != 1 {
				return apiRequest{}, usageErr("give one token id")
			}
			return apiRequest{method: http.MethodDelete, path: "/v1/tokens/" + url.PathEscape(args[0])}, nil
		}
	},
	render: func(w io.Writer, raw []byte) error {
		t, err := decodeInto[httpapi.Token](raw)
		fmt.Fprintf(w, "token %s revoked at %s\n", t.ID, t.RevokedAt)
		return err
	},
}
