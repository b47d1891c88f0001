package engine

import (
	"crypto/sha256"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"

	"github.com/mutua-org/mutua/internal/money"
)

// TestScenarios runs the settlement-day scripts in testdata/scenarios/. Each `batch`
// directive is one log entry: its lines are commands, its output one line
// per result. `balances` prints every account. Invariants are checked after
// every batch, and every batch is also applied to a second engine restored
// from a snapshot of the first, which must reach the same digest.
//
// Regenerate expected output with: go test ./internal/engine -run Scenarios -rewrite
func TestScenarios(t *testing.T) {
	seen := make(map[string]bool)
	datadriven.Walk(t, "testdata/scenarios", func(t *testing.T, path string) {
		s := newScenario()
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			return s.run(t, d, seen)
		})
	})
	if t.Failed() {
		return
	}
	// Reaching these takes 2^64 postings or a million open reservations;
	// TestOverflow and TestPendingLimit cover them instead.
	seen[Overflow.String()], seen[PendingLimitReached.String()] = true, true
	for r := Reason(1); int(r) < ReasonCount; r++ {
		if !seen[r.String()] {
			t.Errorf("no scenario produces reason %s", r)
		}
	}
}

type scenario struct {
	e     *Engine
	index uint64
	now   time.Time
	uetrs uint64
}

func newScenario() *scenario {
	return &scenario{e: New(), now: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}
}

func (s *scenario) run(t *testing.T, d *datadriven.TestData, seen map[string]bool) string {
	switch d.Cmd {
	case "batch":
		for _, a := range d.CmdArgs {
			switch a.Key {
			case "time":
				ts, err := time.Parse(time.RFC3339, a.Vals[0])
				if err != nil {
					d.Fatalf(t, "time: %v", err)
				}
				s.now = ts
			case "advance":
				dur, err := time.ParseDuration(a.Vals[0])
				if err != nil {
					d.Fatalf(t, "advance: %v", err)
				}
				s.now = s.now.Add(dur)
			}
		}
		var raw [][]byte
		for _, line := range strings.Split(strings.TrimSpace(d.Input), "\n") {
			if line = strings.TrimSpace(line); line == "" || line[0] == '#' {
				continue
			}
			b, err := s.command(line)
			if err != nil {
				d.Fatalf(t, "%s: %v", line, err)
			}
			raw = append(raw, b)
		}
		s.index++
		before, _ := s.e.Snapshot()
		out := s.e.Apply(s.index, s.now.UnixNano(), raw)
		if err := s.e.CheckInvariants(); err != nil {
			d.Fatalf(t, "invariants after batch: %v", err)
		}
		// Snapshot + replay reaches the same state as the live engine.
		twin := New()
		if err := twin.Restore(s.index-1, before); err != nil {
			d.Fatalf(t, "restore: %v", err)
		}
		twin.Apply(s.index, s.now.UnixNano(), raw)
		if twin.Digest() != s.e.Digest() {
			d.Fatalf(t, "snapshot+replay digest differs from live digest")
		}
		var b strings.Builder
		for _, r := range out {
			res := r.(*Result)
			for _, x := range res.Expired {
				fmt.Fprintf(&b, "expired payment=%d released=%s\n", x.Payment, s.amount(x.Currency, x.Release))
			}
			seen[res.Reason.String()] = true
			b.WriteString(s.format(res))
			b.WriteByte('\n')
		}
		return b.String()
	case "authenticate":
		// authenticate token=ID secret=S: what a request bearing it would be.
		args := make(map[string]string)
		for _, a := range d.CmdArgs {
			args[a.Key] = a.Vals[0]
		}
		tok, found := s.e.Authenticate(args["token"], sha256.Sum256([]byte(args["secret"])))
		if !found {
			return "denied\n"
		}
		if tok.Participant == "" {
			return fmt.Sprintf("operator %s\n", tok.Name)
		}
		return fmt.Sprintf("participant %s (%s)\n", tok.Participant, tok.Name)
	case "payment":
		// payment id=N: a payment's state as the engine holds it.
		id, _ := strconv.ParseUint(d.CmdArgs[0].Vals[0], 10, 64)
		p, found := s.e.Payment(id)
		if !found {
			return "not in memory\n"
		}
		if p.Reason != OK {
			seen[p.Reason.String()] = true
			return fmt.Sprintf("payment=%d %s %s\n", p.ID, p.Status, p.Reason)
		}
		return fmt.Sprintf("payment=%d %s\n", p.ID, p.Status)
	case "held":
		var b strings.Builder
		for _, p := range s.e.Held() {
			fmt.Fprintf(&b, "payment=%d %s amount=%s\n", p.ID, s.e.ParticipantAt(p.Payer).ID, s.amount(p.Currency, uint64(p.Amount)))
		}
		if b.Len() == 0 {
			return "none\n"
		}
		return b.String()
	case "balances":
		var b strings.Builder
		for _, p := range s.e.Participants() {
			for _, a := range s.e.Accounts(p.ID) {
				neg, v := a.Balance()
				fmt.Fprintf(&b, "%-11s %s %s", p.ID, a.Currency.Code, money.FormatSigned(neg, v, a.Currency.Exponent))
				if !a.DebitsPending.IsZero() || !a.CreditsPending.IsZero() {
					fmt.Fprintf(&b, " pending -%s +%s", money.FormatSigned(false, a.DebitsPending, a.Currency.Exponent), money.FormatSigned(false, a.CreditsPending, a.Currency.Exponent))
				}
				if a.Unbounded {
					b.WriteString(" issuer")
				} else if a.Floor != 0 {
					fmt.Fprintf(&b, " floor=%s", signed(a.Floor, a.Currency.Exponent))
				}
				if a.HasCeiling {
					fmt.Fprintf(&b, " ceiling=%s", money.FormatAmount(a.Ceiling, a.Currency.Exponent))
				}
				b.WriteByte('\n')
			}
		}
		return b.String()
	}
	d.Fatalf(t, "unknown directive %q", d.Cmd)
	return ""
}

func signed(v int64, exp uint8) string {
	if v < 0 {
		return "-" + money.FormatAmount(uint64(-v), exp)
	}
	return money.FormatAmount(uint64(v), exp)
}

func (s *scenario) amount(ci uint16, v uint64) string {
	return money.FormatAmount(v, s.e.CurrencyAt(ci).Exponent)
}

func (s *scenario) format(r *Result) string {
	var b strings.Builder
	if r.Reason != OK {
		fmt.Fprintf(&b, "rejected %s", r.Reason)
		if r.Member >= 0 {
			fmt.Fprintf(&b, " member=%d", r.Member)
		}
		return b.String()
	}
	b.WriteString("ok")
	if r.Payment != 0 {
		fmt.Fprintf(&b, " payment=%d %s", r.Payment, r.Status)
	}
	if r.Duplicate {
		b.WriteString(" duplicate")
	}
	return b.String()
}

// command parses one scenario line such as
//
//	pay from=SBININBBXXX to=HDFCINBBXXX ccy=INR amount=100.00 key=p1
func (s *scenario) command(line string) ([]byte, error) {
	words, err := splitWords(line)
	if err != nil {
		return nil, err
	}
	c := Command{}
	kinds := map[string]Kind{
		"add-participant": KindAddParticipant, "suspend": KindSetSuspended, "reinstate": KindSetSuspended,
		"enable-currency": KindEnableCurrency, "open-account": KindOpenAccount, "set-limits": KindSetLimits,
		"fund": KindFund, "defund": KindDefund, "pay": KindPay, "reserve": KindReserve,
		"post": KindPost, "void": KindVoid, "linked": KindLinked,
		"issue-token": KindIssueToken, "revoke-token": KindRevokeToken,
		"set-screening": KindSetScreening, "release": KindRelease, "reject-held": KindRejectHeld,
		"cancel": KindCancel, "return": KindReturn,
	}
	switch words[0] {
	case "raw":
		// raw bytes=HEX: a command as bytes, to test the decoder's edge.
		return decodeHex(kv(words)["bytes"])
	case "unknown-kind":
		return []byte{commandFormatV1, 200}, nil
	}
	k, found := kinds[words[0]]
	if !found {
		return nil, fmt.Errorf("unknown command %q", words[0])
	}
	c.Kind = k
	c.Suspended = words[0] == "suspend"
	args := kv(words)
	ccy := args["ccy"]
	exp := uint8(2)
	if cur, known := money.Lookup(ccy); known {
		exp = cur.Exponent
	}
	for key, v := range args {
		switch key {
		case "id", "from":
			c.Participant = v
		case "to":
			c.Payee = v
		case "ccy":
			c.Currency = v
		case "payee-ccy":
			c.PayeeCurrency = v
		case "issuer":
			c.Participant = v
		case "name":
			c.Name = v
		case "lei":
			c.LEI = v
		case "country":
			c.Country = v
		case "roles":
			for _, r := range strings.Split(v, ",") {
				c.Roles |= map[string]uint8{"settlement": RoleSettlement, "issuer": RoleIssuer, "fx": RoleFXProvider}[r]
			}
		case "amount":
			c.Amount, err = parseSigned(v, exp)
		case "floor":
			c.Floor, err = parseSigned(v, exp)
		case "ceiling":
			var u uint64
			u, err = money.ParseAmount(v, exp)
			c.Ceiling, c.HasCeiling = u, true
		case "key":
			c.Key = v
		case "uetr":
			if v == "none" {
				break
			}
			c.UETR, err = parseUUID(v)
		case "e2e":
			c.EndToEndID = v
		case "debtor":
			c.DebtorName = v
		case "creditor":
			c.CreditorName = v
		case "remittance":
			c.Remittance = v
		case "priority":
			var p uint64
			p, err = strconv.ParseUint(v, 10, 8)
			c.Priority = uint8(p)
		case "timeout":
			var d time.Duration
			d, err = time.ParseDuration(v)
			c.TimeoutNs = int64(d)
		case "token":
			c.TokenID = v
		case "lists":
			if k == KindSetScreening {
				c.Name = v
			} else {
				c.Screening.Lists = v
			}
		case "threshold":
			var n uint64
			n, err = strconv.ParseUint(v, 10, 16)
			c.Threshold = uint16(n)
		case "four-eyes":
			c.FourEyes = v == "true"
		case "score":
			var n uint64
			n, err = strconv.ParseUint(v, 10, 16)
			c.Screening.Score = uint16(n)
		case "party":
			c.Screening.Party = v
		case "ref":
			c.Screening.Ref = v
		case "listed":
			c.Screening.Listed = v
		case "user":
			c.Name = v
		case "why":
			c.Remittance = v
		case "secret":
			c.TokenHash = sha256.Sum256([]byte(v))
		case "original", "pending":
			c.PendingID, err = strconv.ParseUint(v, 10, 64)
		case "transfers":
			// transfers=FROM>TO:CCY:AMOUNT;...
			for _, part := range strings.Split(v, ";") {
				f := strings.Split(part, ":")
				ends := strings.Split(f[0], ">")
				if len(f) != 3 || len(ends) != 2 {
					return nil, fmt.Errorf("bad transfer %q", part)
				}
				te := uint8(2)
				if cur, known := money.Lookup(f[1]); known {
					te = cur.Exponent
				}
				amt, perr := parseSigned(f[2], te)
				if perr != nil {
					return nil, perr
				}
				c.Transfers = append(c.Transfers, TransferSpec{Debit: ends[0], Credit: ends[1], Currency: f[1], Amount: amt})
			}
		default:
			return nil, fmt.Errorf("unknown argument %q", key)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", key, err)
		}
	}
	if (k == KindPay || k == KindReturn) && args["uetr"] == "" {
		s.uetrs++
		c.UETR = testUETR(s.uetrs)
	}
	return c.Encode(), nil
}

// testUETR returns a deterministic UUIDv4 for test payment n.
func testUETR(n uint64) [16]byte {
	var u [16]byte
	for i := 0; i < 8; i++ {
		u[15-i] = byte(n >> (8 * i))
	}
	u[0] = 0xe2
	u[6] = 0x40
	u[8] = 0x80
	return u
}

func parseSigned(v string, exp uint8) (int64, error) {
	neg := strings.HasPrefix(v, "-")
	u, err := money.ParseAmount(strings.TrimPrefix(v, "-"), exp)
	if err != nil {
		return 0, err
	}
	if neg {
		return -int64(u), nil
	}
	return int64(u), nil
}

func parseUUID(s string) ([16]byte, error) {
	var u [16]byte
	h := strings.ReplaceAll(s, "-", "")
	b, err := decodeHex(h)
	if err != nil || len(b) != 16 {
		return u, fmt.Errorf("bad uuid %q", s)
	}
	copy(u[:], b)
	return u, nil
}

func decodeHex(h string) ([]byte, error) {
	if len(h)%2 != 0 {
		return nil, fmt.Errorf("odd hex length")
	}
	out := make([]byte, len(h)/2)
	for i := range out {
		v, err := strconv.ParseUint(h[2*i:2*i+2], 16, 8)
		if err != nil {
			return nil, err
		}
		out[i] = byte(v)
	}
	return out, nil
}

func kv(words []string) map[string]string {
	m := make(map[string]string)
	for _, w := range words[1:] {
		k, v, _ := strings.Cut(w, "=")
		m[k] = v
	}
	return m
}

// splitWords splits on spaces, keeping "double quoted" values together.
func splitWords(line string) ([]string, error) {
	var out []string
	var cur strings.Builder
	quoted := false
	for _, r := range line {
		switch {
		case r == '"':
			quoted = !quoted
		case r == ' ' && !quoted:
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
		}
	}
	if quoted {
		return nil, fmt.Errorf("unterminated quote")
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("empty line")
	}
	return out, nil
}
