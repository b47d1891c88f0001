package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/mutua-org/mutua/internal/daemon"
	"github.com/mutua-org/mutua/internal/httpapi"
	"github.com/mutua-org/mutua/internal/money"
)

func init() {
	register("demo", "run a clearing day end to end: an embedded node, a 13-member union, payments over the HTTP API", runDemo)
}

type demoOptions struct {
	payments, clients int
	seed              uint64
	exit, jsonOut     bool
	dataDir, listen   string
}

// demoSummary is what the demo reports (--json prints it).
type demoSummary struct {
	URL              string                `json:"url"`
	DataDir          string                `json:"data_dir"`
	Participants     int                   `json:"participants"`
	Payments         int                   `json:"payments"`
	Settled          int                   `json:"settled"`
	Held             int                   `json:"held"`
	Rejected         int                   `json:"rejected"`
	RejectedByReason map[string]int        `json:"rejected_by_reason"`
	Currencies       []demoCurrencySummary `json:"currencies"`
	Accounts         []demoAccountSummary  `json:"accounts"`
	Clients          int                   `json:"clients"`
	ElapsedS         float64               `json:"elapsed_s"`
	PaymentsPerS     float64               `json:"payments_per_s"`
	LatencyMs        demoLatency           `json:"latency_ms"`
	Reconciled       bool                  `json:"reconciled"`
	OperatorToken    string                `json:"operator_token"`
	Participant      string                `json:"participant"`
	ParticipantToken string                `json:"participant_token"`
}

type demoLatency struct {
	P50 float64 `json:"p50"`
	P90 float64 `json:"p90"`
	P99 float64 `json:"p99"`
	Max float64 `json:"max"`
}

type demoCurrencySummary struct {
	Code         string `json:"code"`
	Payments     int    `json:"payments"`
	Settled      int    `json:"settled"`
	Held         int    `json:"held"`
	Rejected     int    `json:"rejected"`
	ValueSettled string `json:"value_settled"`
}

// demoAccountSummary is an account's day as the demo tallied it from the
// API's answers; Balance must equal what the API reports.
type demoAccountSummary struct {
	Participant string `json:"participant"`
	Currency    string `json:"currency"`
	Funded      string `json:"funded"`
	Sent        string `json:"sent"`
	Received    string `json:"received"`
	Balance     string `json:"balance"`
}

func runDemo(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o demoOptions
	fs.IntVar(&o.payments, "payments", 20_000, "payment instructions in the trading day")
	fs.IntVar(&o.clients, "clients", 16, "concurrent HTTP clients")
	fs.Uint64Var(&o.seed, "seed", 1, "seed of the trading day's generator")
	fs.BoolVar(&o.exit, "exit", false, "stop after the summary instead of serving until Ctrl-C")
	fs.BoolVar(&o.jsonOut, "json", false, "print the summary as JSON")
	fs.StringVar(&o.dataDir, "data", "", "data directory, which must not exist yet (default: a temporary one, removed at exit)")
	fs.StringVar(&o.listen, "listen", "127.0.0.1:0", "address to serve on (default: a free loopback port)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: mutua demo [--payments N] [--clients N] [--exit]")
		fmt.Fprintln(stderr, `
Starts a node in a temporary data directory, sets up a clearing union of
central banks, commercial banks and a trading house in CNY, INR, RUB, BRL,
ZAR and AED through the real HTTP API, funds it, and runs a trading day of
payments from concurrent clients. It prints what settled, what was rejected
and why, throughput and latency, checks every balance against the API, and
keeps serving (with tokens to try the API and the CLI) until Ctrl-C.`)
		fmt.Fprintln(stderr)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 || o.payments < 1 || o.clients < 1 {
		fmt.Fprintln(stderr, "mutua demo: --payments and --clients must be at least 1, and no arguments")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := demo(ctx, o, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "mutua demo: %v\n", err)
		return 1
	}
	return 0
}

func demo(ctx context.Context, o demoOptions, stdout, stderr io.Writer) error {
	dir := o.dataDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "mutua-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	} else if _, err := os.Stat(dir); err == nil {
		return fmt.Errorf("--data %s exists already; the demo sets up a new union", dir)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	d, err := daemon.Open(daemon.Config{Dir: dir, Logger: log})
	if err != nil {
		return err
	}
	defer d.Close()
	if _, err := d.Bootstrap(ctx); err != nil {
		return err
	}
	tok, err := os.ReadFile(filepath.Join(dir, daemon.OperatorTokenFile))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return err
	}
	srv := httpapi.New(d, log).HTTPServer(ln.Addr().String())
	go srv.Serve(ln)
	defer func() {
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	url := "http://" + ln.Addr().String()
	sum := &demoSummary{URL: url, DataDir: dir, OperatorToken: strings.TrimSpace(string(tok)), Clients: o.clients, RejectedByReason: map[string]int{}}
	if o.dataDir == "" {
		sum.DataDir = "(temporary)"
	}

	transport := &http.Transport{MaxIdleConnsPerHost: o.clients + 4, MaxConnsPerHost: o.clients + 4}
	op := newClient(url, sum.OperatorToken)
	op.http.Transport = transport
	fmt.Fprintf(stderr, "mutua demo: node serving on %s; setting up the union through the API...\n", url)
	tokens, err := demoSetup(ctx, op)
	if err != nil {
		return fmt.Errorf("setting up the union: %w", err)
	}
	sum.Participants = len(demoParticipants)
	sum.Participant = "ICBKCNBJXXX"
	sum.ParticipantToken = tokens[sum.Participant]

	day := demoDay(o.payments, o.seed)
	outcomes, elapsed, err := demoTrade(ctx, url, tokens, transport, day, o.clients, stderr)
	if err != nil {
		return err
	}
	tally(sum, day, outcomes, elapsed)
	if err := demoReconcile(ctx, op, sum); err != nil {
		return err
	}
	if o.jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(sum)
	} else {
		printDemoSummary(stdout, sum, o)
	}
	if !sum.Reconciled {
		return errors.New("the balances the API reports do not match the day's payments")
	}
	if o.exit {
		return nil
	}
	if !o.jsonOut {
		printDemoServing(stdout, sum, dir, o.dataDir == "")
	}
	<-ctx.Done()
	fmt.Fprintln(stderr, "mutua demo: stopping")
	return nil
}

// demoSetup creates the union through the API and returns a token for each
// trading participant.
func demoSetup(ctx context.Context, op *client) (map[string]string, error) {
	for _, p := range demoParticipants {
		req := httpapi.ParticipantRequest{ID: p.ID, Name: p.Name, LEI: demoLEI(p.ID), Country: p.Country, Roles: p.Roles}
		if _, err := op.call(ctx, "POST", "/v1/participants", nil, "", req, nil); err != nil {
			return nil, fmt.Errorf("add %s: %w", p.ID, err)
		}
	}
	for _, c := range demoCurrencies {
		if _, err := op.call(ctx, "POST", "/v1/currencies", nil, "", httpapi.CurrencyRequest{Code: c.Code, Issuer: c.Issuer}, nil); err != nil {
			return nil, fmt.Errorf("enable %s: %w", c.Code, err)
		}
	}
	tokens := map[string]string{}
	for _, p := range demoBanks() {
		for _, c := range demoCurrencies {
			req := httpapi.AccountRequest{Currency: c.Code}
			if p.ID == demoCreditLine.Participant {
				req.Floor = httpapi.DecimalOf("-" + strconv.FormatInt(demoCreditLine.USD*c.PerUSDNum/c.PerUSDDen, 10))
			}
			if _, err := op.call(ctx, "POST", "/v1/participants/"+p.ID+"/accounts", nil, "", req, nil); err != nil {
				return nil, fmt.Errorf("open %s %s: %w", p.ID, c.Code, err)
			}
			fund := httpapi.FundingRequest{Participant: p.ID, Currency: c.Code, Amount: httpapi.DecimalOf(strconv.FormatInt(demoFunding(p.ID, c), 10)), Remittance: "opening liquidity"}
			if _, err := op.call(ctx, "POST", "/v1/fundings", nil, "demo-fund-"+p.ID+"-"+c.Code, fund, nil); err != nil {
				return nil, fmt.Errorf("fund %s %s: %w", p.ID, c.Code, err)
			}
		}
		var t httpapi.Token
		if _, err := op.call(ctx, "POST", "/v1/tokens", nil, "", httpapi.TokenRequest{Participant: p.ID, Name: p.Name + " payments desk"}, &t); err != nil {
			return nil, fmt.Errorf("token for %s: %w", p.ID, err)
		}
		tokens[p.ID] = t.Token
	}
	return tokens, nil
}

// demoFunding is the opening liquidity of p's account in c, in major units.
func demoFunding(p string, c demoCurrency) int64 {
	if p == demoTightAccount.Participant && c.Code == demoTightAccount.Currency {
		return demoTightMajor
	}
	return c.FundingMajor
}

// demoOutcome is what the API answered to one payment.
type demoOutcome struct {
	status  string // the payment's status, or "rejected"
	code    string // the problem code of a rejection
	latency time.Duration
}

// demoTrade sends the day's payments from clients concurrent workers, each
// payment with its payer's token, and shows progress on stderr.
func demoTrade(ctx context.Context, url string, tokens map[string]string, transport *http.Transport, day []demoPayment, clients int, stderr io.Writer) ([]demoOutcome, time.Duration, error) {
	byPayer := map[string]*client{}
	for id, t := range tokens {
		c := newClient(url, t)
		c.http.Transport = transport
		byPayer[id] = c
	}
	out := make([]demoOutcome, len(day))
	work := make(chan int)
	var done atomic.Int64
	var firstErr error
	var errOnce sync.Once
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < clients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				p := &day[i]
				body, err := demoBody(p)
				if err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
					return
				}
				var pay httpapi.Payment
				t0 := time.Now()
				_, err = byPayer[p.Payer].call(ctx, "POST", "/v1/payments", nil, fmt.Sprintf("day-%d", i), json.RawMessage(body), &pay)
				out[i].latency = time.Since(t0)
				var ae *apiError
				switch {
				case errors.As(err, &ae) && ae.Status < 500:
					out[i].status, out[i].code = "rejected", ae.Problem.Code
				case err != nil:
					errOnce.Do(func() { firstErr = fmt.Errorf("payment %d: %w", i, err); cancel() })
					return
				default:
					out[i].status = pay.Status
				}
				done.Add(1)
			}
		}()
	}
	stopProgress := progress(stderr, "trading day", len(day), done.Load)
feed:
	for i := range day {
		select {
		case work <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	elapsed := time.Since(start)
	stopProgress()
	if firstErr != nil {
		return nil, 0, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, 0, err
	}
	return out, elapsed, nil
}

// demoBody is the JSON body of a payment, deliberately wrong if p.Bad says.
func demoBody(p *demoPayment) ([]byte, error) {
	req := httpapi.PaymentRequest{Payee: p.Payee, Currency: p.Currency, Amount: httpapi.DecimalOf(p.Amount),
		EndToEndID: p.EndToEndID, DebtorName: p.DebtorName, CreditorName: p.CreditorName, Remittance: p.Remittance, Priority: p.Priority}
	b, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	if p.Bad == "number" {
		b = bytes.Replace(b, []byte(`"amount":"`+p.Amount+`"`), []byte(`"amount":`+p.Amount), 1)
	}
	return b, nil
}

// progress draws a progress bar on w until the returned stop is called: in
// place on a terminal, otherwise a line per quarter.
func progress(w io.Writer, label string, total int, done func() int64) (stop func()) {
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	start := time.Now()
	quit := make(chan struct{})
	finished := make(chan struct{})
	draw := func(final bool) {
		n := done()
		rate := float64(n) / max(time.Since(start).Seconds(), 1e-3)
		const width = 40
		fill := int(int64(width) * n / int64(total))
		bar := strings.Repeat("=", fill) + strings.Repeat(" ", width-fill)
		if fill < width {
			bar = bar[:fill] + ">" + bar[fill+1:]
		}
		line := fmt.Sprintf("  %s [%s] %s/%s  %s/s", label, bar, group3(strconv.FormatInt(n, 10)), group3(strconv.Itoa(total)), group3(strconv.Itoa(int(rate))))
		if tty {
			fmt.Fprintf(w, "\r%s\x1b[K", line)
			if final {
				fmt.Fprintln(w)
			}
		} else {
			fmt.Fprintln(w, line)
		}
	}
	go func() {
		defer close(finished)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		quarter := int64(0)
		for {
			select {
			case <-quit:
				draw(true)
				return
			case <-tick.C:
				if tty {
					draw(false)
				} else if q := 4 * done() / int64(total); q > quarter && q < 4 {
					quarter = q
					draw(false)
				}
			}
		}
	}()
	return func() {
		close(quit)
		<-finished
	}
}

// tally fills the summary from the day's outcomes: counts and values per
// currency, rejections by reason, latency, and each account's expected
// balance.
func tally(sum *demoSummary, day []demoPayment, outcomes []demoOutcome, elapsed time.Duration) {
	type acct struct{ funded, sent, received int64 }
	accts := map[[2]string]*acct{}
	for _, p := range demoBanks() {
		for _, c := range demoCurrencies {
			accts[[2]string{p.ID, c.Code}] = &acct{funded: demoFunding(p.ID, c) * 100}
		}
	}
	curs := map[string]*demoCurrencySummary{}
	values := map[string]int64{}
	for _, c := range demoCurrencies {
		curs[c.Code] = &demoCurrencySummary{Code: c.Code}
	}
	lat := make([]time.Duration, len(outcomes))
	for i, o := range outcomes {
		p := &day[i]
		lat[i] = o.latency
		cs := curs[p.Currency]
		cs.Payments++
		switch o.status {
		case "settled":
			sum.Settled++
			cs.Settled++
			values[p.Currency] += p.Minor
			accts[[2]string{p.Payer, p.Currency}].sent += p.Minor
			accts[[2]string{p.Payee, p.Currency}].received += p.Minor
		case "rejected":
			sum.Rejected++
			cs.Rejected++
			sum.RejectedByReason[o.code]++
		default: // held for review, queued: accepted, no money moved yet
			sum.Held++
			cs.Held++
		}
	}
	sum.Payments = len(day)
	for _, c := range demoCurrencies {
		cs := curs[c.Code]
		cs.ValueSettled = formatMinor(values[c.Code], c.Code)
		sum.Currencies = append(sum.Currencies, *cs)
	}
	for _, p := range demoBanks() {
		for _, c := range demoCurrencies {
			a := accts[[2]string{p.ID, c.Code}]
			sum.Accounts = append(sum.Accounts, demoAccountSummary{
				Participant: p.ID, Currency: c.Code,
				Funded: formatMinor(a.funded, c.Code), Sent: formatMinor(a.sent, c.Code), Received: formatMinor(a.received, c.Code),
				Balance: formatMinor(a.funded+a.received-a.sent, c.Code),
			})
		}
	}
	slices.Sort(lat)
	ms := func(q float64) float64 {
		return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000
	}
	sum.LatencyMs = demoLatency{P50: ms(0.50), P90: ms(0.90), P99: ms(0.99), Max: ms(1)}
	sum.ElapsedS = elapsed.Seconds()
	sum.PaymentsPerS = float64(len(day)) / elapsed.Seconds()
}

// demoReconcile compares every account's tallied balance with the balance
// the API reports, and checks that each currency sums to zero.
func demoReconcile(ctx context.Context, op *client, sum *demoSummary) error {
	got := map[[2]string]string{}
	total := map[string]int64{}
	for _, p := range demoParticipants {
		var l httpapi.AccountList
		if _, err := op.call(ctx, "GET", "/v1/participants/"+p.ID+"/accounts", nil, "", nil, &l); err != nil {
			return fmt.Errorf("balances of %s: %w", p.ID, err)
		}
		for _, a := range l.Accounts {
			got[[2]string{a.Participant, a.Currency}] = a.Balance
			v, err := parseMinor(a.Balance, a.Currency)
			if err != nil {
				return err
			}
			total[a.Currency] += v
		}
	}
	sum.Reconciled = true
	for _, a := range sum.Accounts {
		if got[[2]string{a.Participant, a.Currency}] != a.Balance {
			sum.Reconciled = false
		}
	}
	for _, v := range total {
		if v != 0 {
			sum.Reconciled = false
		}
	}
	return nil
}

func formatMinor(v int64, code string) string {
	cur, _ := money.Lookup(code)
	if v < 0 {
		return "-" + money.FormatAmount(uint64(-v), cur.Exponent)
	}
	return money.FormatAmount(uint64(v), cur.Exponent)
}

func parseMinor(s, code string) (int64, error) {
	cur, _ := money.Lookup(code)
	neg := strings.HasPrefix(s, "-")
	v, err := money.ParseAmount(strings.TrimPrefix(s, "-"), cur.Exponent)
	if err != nil {
		return 0, err
	}
	if neg {
		return -int64(v), nil
	}
	return int64(v), nil
}

// group3 puts thousands separators into the integer part of decimal text.
func group3(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, c := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	out := b.String()
	if hasFrac {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

func printDemoSummary(w io.Writer, s *demoSummary, o demoOptions) {
	banks := len(demoBanks())
	fmt.Fprintf(w, "\nMutua demo: one trading day in a clearing union of %d members and %d currencies\n", s.Participants, len(demoCurrencies))
	fmt.Fprintf(w, "  members: %d central banks (issuers), %d commercial banks, 1 trading house and FX provider\n\n", s.Participants-banks, banks-1)
	fmt.Fprintf(w, "%s payment instructions from %d concurrent clients over HTTP/JSON: %s settled, %s held, %s rejected\n\n",
		group3(strconv.Itoa(s.Payments)), s.Clients, group3(strconv.Itoa(s.Settled)), group3(strconv.Itoa(s.Held)), group3(strconv.Itoa(s.Rejected)))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  CCY\tPAYMENTS\tSETTLED\tHELD\tREJECTED\tVALUE SETTLED\t")
	for _, c := range s.Currencies {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%d\t%s\t\n", c.Code, group3(strconv.Itoa(c.Payments)), group3(strconv.Itoa(c.Settled)), c.Held, c.Rejected, group3(c.ValueSettled))
	}
	tw.Flush()
	if len(s.RejectedByReason) > 0 {
		fmt.Fprintln(w, "\n  Rejected, by reason:")
		reasons := make([]string, 0, len(s.RejectedByReason))
		for r := range s.RejectedByReason {
			reasons = append(reasons, r)
		}
		sort.Slice(reasons, func(i, j int) bool {
			a, b := s.RejectedByReason[reasons[i]], s.RejectedByReason[reasons[j]]
			return a > b || a == b && reasons[i] < reasons[j]
		})
		for _, r := range reasons {
			fmt.Fprintf(w, "    %-24s %6d\n", r, s.RejectedByReason[r])
		}
	}
	if s.Held > 0 {
		fmt.Fprintf(w, "\n  Held        %d payments name parties on the UN sanctions list (reordered, misspelt,\n"+
			"              Cyrillic, with legal forms); no money moved. Review them as the operator:\n"+
			"              MUTUA_TOKEN=<operator token> go run ./cmd/mutua held\n", s.Held)
	}
	fmt.Fprintf(w, "\n  Throughput  %s payments/s (%.1f s)\n", group3(strconv.Itoa(int(s.PaymentsPerS))), s.ElapsedS)
	fmt.Fprintf(w, "  Latency     p50 %.1f ms   p90 %.1f ms   p99 %.1f ms   max %.1f ms\n", s.LatencyMs.P50, s.LatencyMs.P90, s.LatencyMs.P99, s.LatencyMs.Max)
	if s.Reconciled {
		fmt.Fprintf(w, "  Balances    all %d accounts agree with the API; every currency sums to zero\n", len(s.Accounts))
	} else {
		fmt.Fprintln(w, "  Balances    MISMATCH between the day's payments and the API's balances")
	}
}

func printDemoServing(w io.Writer, s *demoSummary, dir string, temporary bool) {
	name := ""
	for _, p := range demoParticipants {
		if p.ID == s.Participant {
			name = p.Name
		}
	}
	fmt.Fprintf(w, "\nThe node keeps serving on %s until Ctrl-C. Try, as %s (%s):\n\n", s.URL, s.Participant, name)
	fmt.Fprintf(w, "  export MUTUA_URL=%s\n", s.URL)
	fmt.Fprintf(w, "  export MUTUA_TOKEN=%s\n", s.ParticipantToken)
	fmt.Fprintln(w, "  go run ./cmd/mutua balance")
	fmt.Fprintln(w, "  go run ./cmd/mutua payments --limit 5")
	fmt.Fprintln(w, "  go run ./cmd/mutua pay --to SBININBBXXX --currency INR --amount 125000.00 --remittance \"INV 2024-0815\"")
	fmt.Fprintln(w, "  curl -s -H \"Authorization: Bearer $MUTUA_TOKEN\" $MUTUA_URL/v1/balances")
	fmt.Fprintf(w, "\nOperator token: %s\n", s.OperatorToken)
	if temporary {
		fmt.Fprintf(w, "Data: %s (removed when the demo stops)\n", dir)
	} else {
		fmt.Fprintf(w, "Data: %s\n", dir)
	}
}
