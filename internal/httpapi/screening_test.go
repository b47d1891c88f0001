package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/mutua-org/mutua/internal/daemon"
	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/screening"
	"github.com/mutua-org/mutua/internal/sim"
)

// screeningFixture is a real node with the shipped lists active, a small
// AED union, an operator token per reviewer and a token for the paying bank.
type screeningFixture struct {
	t            *testing.T
	srv          *httptest.Server
	d            *daemon.Daemon
	asha, bruno  string // operator tokens
	payer, payee string
	payerToken   string
}

func newScreeningFixture(t *testing.T) *screeningFixture {
	t.Helper()
	ctx := context.Background()
	d, err := daemon.Open(daemon.Config{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Bootstrap(ctx); err != nil {
		t.Fatal(err)
	}
	u := sim.NewUnion(2, "AED")
	for _, c := range u.Setup(10_000_000) {
		if r, err := d.Submit(ctx, c); err != nil || r.Reason != engine.OK {
			t.Fatalf("setup: %v %v", r, err)
		}
	}
	f := &screeningFixture{t: t, d: d, payer: u.Banks[0], payee: u.Banks[1]}
	for _, tok := range []struct {
		dst               *string
		participant, name string
	}{{&f.asha, "", "asha"}, {&f.bruno, "", "bruno"}, {&f.payerToken, f.payer, "treasury"}} {
		tk, r, err := d.IssueToken(ctx, tok.participant, tok.name)
		if err != nil || r.Reason != engine.OK {
			t.Fatalf("token: %v %v", r, err)
		}
		*tok.dst = tk.String()
	}
	f.srv = httptest.NewServer(New(d, nil).Handler())
	t.Cleanup(f.srv.Close)
	return f
}

func (f *screeningFixture) do(method, path, token, contentType string, body []byte, headers ...string) (int, []byte) {
	f.t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, bytes.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (f *screeningFixture) pay(key, creditor string) Payment {
	f.t.Helper()
	body, _ := json.Marshal(map[string]string{"payee": f.payee, "currency": "AED", "amount": "1500.00", "debtor_name": "Gulf Marine Trading LLC", "creditor_name": creditor})
	status, b := f.do("POST", "/v1/payments", f.payerToken, "application/json", body, "Idempotency-Key", key)
	if status != http.StatusCreated {
		f.t.Fatalf("pay %s: %d %s", key, status, b)
	}
	var p Payment
	if err := json.Unmarshal(b, &p); err != nil {
		f.t.Fatal(err)
	}
	return p
}

func TestScreeningReviewFlow(t *testing.T) {
	f := newScreeningFixture(t)
	// Four-eyes on, with the shipped lists.
	var cfg ScreeningConfig
	status, b := f.do("GET", "/v1/screening", f.asha, "", nil)
	if status != 200 || json.Unmarshal(b, &cfg) != nil || len(cfg.Active) != 2 {
		t.Fatalf("GET /v1/screening = %d %s; want the two shipped lists active", status, b)
	}
	update, _ := json.Marshal(ScreeningUpdate{Lists: cfg.Active, FourEyes: true})
	if status, b := f.do("PUT", "/v1/screening", f.asha, "application/json", update); status != 200 {
		t.Fatalf("PUT /v1/screening = %d %s", status, b)
	}

	// A payment to a listed party, spelled as a sender might: held.
	held := f.pay("h1", "Tanchon Comercial Bank")
	clear := f.pay("c1", "Emirates Pearl Foodstuff Trading LLC")
	if held.Status != "held" || clear.Status != "settled" {
		t.Fatalf("statuses %s, %s; want held, settled", held.Status, clear.Status)
	}
	// The participant sees only that it is held: no list entry anywhere.
	status, b = f.do("GET", "/v1/payments/"+held.UETR, f.payerToken, "", nil)
	if status != 200 || !strings.Contains(string(b), `"held"`) || strings.Contains(strings.ToUpper(string(b)), "KPE.") || strings.Contains(string(b), "TANCHON COMMERCIAL") {
		t.Fatalf("participant view of a held payment = %d %s", status, b)
	}
	if status, _ := f.do("GET", "/v1/screening/held", f.payerToken, "", nil); status != http.StatusForbidden {
		t.Fatalf("participant GET /v1/screening/held = %d; want 403", status)
	}
	// The operator sees the evidence.
	var q HeldList
	status, b = f.do("GET", "/v1/screening/held", f.asha, "", nil)
	if status != 200 || json.Unmarshal(b, &q) != nil || len(q.Held) != 1 || q.Held[0].Payment.ID != held.ID ||
		!strings.Contains(q.Held[0].Evidence.Listed, "TANCHON") || q.Held[0].Evidence.Party != "creditor" {
		t.Fatalf("review queue = %d %s", status, b)
	}
	balance := func() string {
		var s string
		f.d.Read(func(e *engine.Engine) { a, _ := e.Account(f.payer, "AED"); _, v := a.Balance(); s = v.String() })
		return s
	}
	before := balance()

	// Four-eyes: asha approves, asha again is refused, bruno executes.
	reason, _ := json.Marshal(ReviewRequest{Reason: "name similarity only: beneficiary is a Dubai trading firm, LEI checked"})
	path := "/v1/screening/held/" + jsonNumber(held.ID) + "/release"
	var rr ReviewResult
	if status, b := f.do("POST", path, f.asha, "application/json", reason); status != 200 || json.Unmarshal(b, &rr) != nil || !rr.AwaitingSecond {
		t.Fatalf("first release = %d %s", status, b)
	}
	if balance() != before {
		t.Fatal("a first approval moved money")
	}
	if status, b := f.do("POST", path, f.asha, "application/json", reason); status != http.StatusConflict && status != http.StatusUnprocessableEntity {
		t.Fatalf("same user's second approval = %d %s; want refused", status, b)
	}
	if status, b := f.do("POST", path, f.bruno, "application/json", reason); status != 200 || json.Unmarshal(b, &rr) != nil || rr.Payment.Status != "settled" {
		t.Fatalf("second release = %d %s", status, b)
	}
	if status, b := f.do("POST", path, f.bruno, "application/json", reason); status != http.StatusNotFound {
		t.Fatalf("release of a settled payment = %d %s; want 404 not_held", status, b)
	}
	if got, want := balance(), "9700000"; got != want || before != "9850000" {
		t.Fatalf("payer balance %s (before %s); want %s: released exactly once", got, before, want)
	}
}

func TestScreeningListImport(t *testing.T) {
	f := newScreeningFixture(t)
	csv := screening.CSVHeader + "\nOPS-0001,entity,Emirates Pearl Foodstuff Trading LLC,,AE,,operator watch list\n"
	status, b := f.do("POST", "/v1/screening/lists?source=ops", f.asha, "text/csv", []byte(csv))
	var v ListVersion
	if status != http.StatusCreated || json.Unmarshal(b, &v) != nil || v.Entries != 1 {
		t.Fatalf("import = %d %s", status, b)
	}
	if status, b := f.do("POST", "/v1/screening/lists", f.asha, "text/csv", []byte("not,a,list\n")); status != http.StatusUnprocessableEntity {
		t.Fatalf("bad list = %d %s; want 422", status, b)
	}
	if status, _ := f.do("POST", "/v1/screening/lists", f.payerToken, "text/csv", []byte(csv)); status != http.StatusForbidden {
		t.Fatalf("participant import = %d; want 403", status)
	}
	var cfg ScreeningConfig
	_, b = f.do("GET", "/v1/screening", f.asha, "", nil)
	json.Unmarshal(b, &cfg)
	before := f.pay("before", "Emirates Pearl Foodstuff Trading LLC")
	update, _ := json.Marshal(ScreeningUpdate{Lists: append(cfg.Active, v.ID)})
	if status, b := f.do("PUT", "/v1/screening", f.asha, "application/json", update); status != 200 {
		t.Fatalf("activate = %d %s", status, b)
	}
	after := f.pay("after", "Emirates Pearl Foodstuff Trading LLC")
	if before.Status != "settled" || after.Status != "held" {
		t.Fatalf("before/after the list update: %s, %s; want settled, held", before.Status, after.Status)
	}
	// A threshold below the lowest score screening reports would let names
	// scoring in between through: refused, and the active set stays.
	for _, th := range []int{600, 1001} {
		low, _ := json.Marshal(ScreeningUpdate{Lists: cfg.Active, Threshold: th})
		if status, b := f.do("PUT", "/v1/screening", f.asha, "application/json", low); status != http.StatusUnprocessableEntity || !strings.Contains(string(b), "threshold_invalid") {
			t.Fatalf("threshold %d = %d %s; want 422 threshold_invalid", th, status, b)
		}
	}
	if again := f.pay("after-bad-threshold", "Emirates Pearl Foodstuff Trading LLC"); again.Status != "held" {
		t.Fatalf("after a refused update: %s; want held (the imported list still active)", again.Status)
	}
	unknown, _ := json.Marshal(ScreeningUpdate{Lists: []string{"un-0000000000000000"}})
	if status, b := f.do("PUT", "/v1/screening", f.asha, "application/json", unknown); status != http.StatusNotFound {
		t.Fatalf("activate unknown = %d %s; want 404", status, b)
	}
	check, _ := json.Marshal(ScreenRequest{Name: "Emirates Pearl Foodstuff Trading"})
	var res ScreenResult
	if status, b := f.do("POST", "/v1/screening/check", f.asha, "application/json", check); status != 200 || json.Unmarshal(b, &res) != nil || len(res.Matches) == 0 || res.Matches[0].Reference != "OPS-0001" || !res.Matches[0].Hit {
		t.Fatalf("check = %d %s", status, b)
	}
}

func jsonNumber(v uint64) string { b, _ := json.Marshal(v); return string(b) }
