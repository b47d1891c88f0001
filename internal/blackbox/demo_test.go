package blackbox

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/mutua-org/mutua/internal/httpapi"
	"github.com/mutua-org/mutua/internal/money"
)

// TestDemo runs `mutua demo --exit` and checks its summary against the
// balances the API reports when the same data directory is served again.
func TestDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	var out, errOut bytes.Buffer
	cmd := exec.Command(binary, "demo", "--exit", "--json", "--payments", "1500", "--clients", "8", "--data", dir)
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("mutua demo: %v\n%s", err, errOut.String())
	}
	var sum struct {
		Payments, Settled, Held, Rejected int
		RejectedByReason                  map[string]int `json:"rejected_by_reason"`
		Currencies                        []struct {
			Code                              string
			Payments, Settled, Held, Rejected int
			ValueSettled                      string `json:"value_settled"`
		}
		Accounts []struct {
			Participant, Currency, Funded, Sent, Received, Balance string
		}
		Reconciled   bool
		Participants int
	}
	if err := json.Unmarshal(out.Bytes(), &sum); err != nil {
		t.Fatalf("demo summary: %v\n%s", err, out.String())
	}
	if !sum.Reconciled || sum.Participants < 8 || len(sum.Currencies) < 5 {
		t.Errorf("demo summary: reconciled %v, %d participants, %d currencies", sum.Reconciled, sum.Participants, len(sum.Currencies))
	}
	if sum.Settled+sum.Held+sum.Rejected != sum.Payments || sum.Payments != 1500 {
		t.Errorf("settled %d + held %d + rejected %d != %d payments", sum.Settled, sum.Held, sum.Rejected, sum.Payments)
	}
	for _, reason := range []string{"insufficient_liquidity", "amount_precision", "amount_not_string", "payee_unknown"} {
		if sum.RejectedByReason[reason] == 0 {
			t.Errorf("the day has no payment rejected for %s: %v", reason, sum.RejectedByReason)
		}
	}

	n := startNode(t, dir)
	sent := map[string]int64{}
	for _, a := range sum.Accounts {
		var acct httpapi.Account
		n.call("GET", "/v1/participants/"+a.Participant+"/accounts/"+a.Currency, n.op, nil, 200, &acct)
		if acct.Balance != a.Balance {
			t.Errorf("%s %s: the API reports %s; the demo's summary %s", a.Participant, a.Currency, acct.Balance, a.Balance)
		}
		funded, received, spent := minor(t, a.Funded, a.Currency), minor(t, a.Received, a.Currency), minor(t, a.Sent, a.Currency)
		if got := minor(t, acct.Balance, a.Currency); got != funded+received-spent {
			t.Errorf("%s %s: balance %s != funded %s + received %s - sent %s", a.Participant, a.Currency, acct.Balance, a.Funded, a.Received, a.Sent)
		}
		sent[a.Currency] += spent
	}
	for _, c := range sum.Currencies {
		if got := minor(t, c.ValueSettled, c.Code); got != sent[c.Code] {
			t.Errorf("%s: value settled %s, but the accounts sent %d minor units", c.Code, c.ValueSettled, sent[c.Code])
		}
		var page httpapi.PaymentPage
		n.call("GET", "/v1/payments?participant=ICBKCNBJXXX&currency="+c.Code+"&limit=1", n.op, nil, 200, &page)
		if c.Settled > 0 && len(page.Payments) == 0 {
			t.Errorf("%s: no payments listed", c.Code)
		}
	}
}

func minor(t *testing.T, s, code string) int64 {
	t.Helper()
	cur, _ := money.Lookup(code)
	neg := len(s) > 0 && s[0] == '-'
	if neg {
		s = s[1:]
	}
	v, err := money.ParseAmount(s, cur.Exponent)
	if err != nil {
		t.Fatalf("amount %q: %v", s, err)
	}
	if neg {
		return -int64(v)
	}
	return int64(v)
}
