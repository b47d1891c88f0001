package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/mutua-org/mutua/internal/daemon"
	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/iso20022"
	"github.com/mutua-org/mutua/internal/isomap"
)

// testServer is a server over a real daemon in a temporary directory.
type testServer struct {
	t  testing.TB
	s  *Server
	op string
}

func newTestServer(t testing.TB) *testServer {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := daemon.Open(daemon.Config{Dir: t.TempDir(), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Bootstrap(t.Context()); err != nil {
		t.Fatal(err)
	}
	op, _, err := d.IssueToken(t.Context(), "", "test operator")
	if err != nil {
		t.Fatal(err)
	}
	return &testServer{t: t, s: New(d, log), op: op.String()}
}

func (ts *testServer) do(method, path, token string, body any, key string) *httptest.ResponseRecorder {
	var rd io.Reader
	if s, ok := body.(string); ok {
		rd = bytes.NewReader([]byte(s))
	} else if body != nil {
		j, _ := json.Marshal(body)
		rd = bytes.NewReader(j)
	}
	req := httptest.NewRequest(method, path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	rec := httptest.NewRecorder()
	ts.s.ServeHTTP(rec, req)
	return rec
}

func (ts *testServer) must(method, path, token string, body any, key string, want int) []byte {
	ts.t.Helper()
	rec := ts.do(method, path, token, body, key)
	if rec.Code != want {
		ts.t.Fatalf("%s %s = %d %s; want %d", method, path, rec.Code, rec.Body, want)
	}
	return rec.Body.Bytes()
}

// union sets up CNY with an issuer and banks funded participants, and
// returns a token for each bank.
func (ts *testServer) union(banks ...string) []string {
	ts.must("POST", "/v1/participants", ts.op, ParticipantRequest{ID: "PBOCCNBJXXX", Name: "PBOC", Country: "CN", Roles: []string{"issuer"}}, "", 201)
	ts.must("POST", "/v1/currencies", ts.op, CurrencyRequest{Code: "CNY", Issuer: "PBOCCNBJXXX"}, "", 201)
	var tokens []string
	for _, id := range banks {
		ts.must("POST", "/v1/participants", ts.op, ParticipantRequest{ID: id, Name: "Bank " + id, Country: "CN"}, "", 201)
		ts.must("POST", "/v1/participants/"+id+"/accounts", ts.op, AccountRequest{Currency: "CNY"}, "", 201)
		ts.must("POST", "/v1/fundings", ts.op, FundingRequest{Participant: id, Currency: "CNY", Amount: DecimalOf("1000000.00")}, "f-"+id, 201)
		var tok Token
		json.Unmarshal(ts.must("POST", "/v1/tokens", ts.op, TokenRequest{Participant: id, Name: "desk"}, "", 201), &tok)
		tokens = append(tokens, tok.Token)
	}
	return tokens
}

// TestIdempotencyFromHistory checks the answers the shell gives from the
// settled history once the engine's dedupe window may have dropped a key:
// a retry gets the first payment, a reused key with other content and a
// reused UETR are refused, and nothing is paid twice.
func TestIdempotencyFromHistory(t *testing.T) {
	ts := newTestServer(t)
	tok := ts.union("ICBKCNBJXXX", "SBININCNXXX")
	first := PaymentRequest{Payee: "SBININCNXXX", Currency: "CNY", Amount: DecimalOf("10.00"), UETR: "8a562c67-ca16-48ba-b074-65581be6f001"}
	var p1 Payment
	json.Unmarshal(ts.must("POST", "/v1/payments", tok[0], first, "k1", http.StatusCreated), &p1)
	// As if the engine had evicted payments: the shell asks the history.
	ts.s.evicted.Store(true)
	ts.s.waitRecorded(t.Context())

	rec := ts.do("POST", "/v1/payments", tok[0], first, "k1")
	var again Payment
	json.Unmarshal(rec.Body.Bytes(), &again)
	if rec.Code != http.StatusOK || rec.Header().Get("Idempotent-Replayed") != "true" || again.ID != p1.ID || again.Status != "settled" {
		t.Errorf("retry answered from the history = %d %s; want 200 replaying payment %d", rec.Code, rec.Body, p1.ID)
	}
	other := first
	other.Amount = DecimalOf("11.00")
	if rec := ts.do("POST", "/v1/payments", tok[0], other, "k1"); rec.Code != http.StatusConflict || !bytes.Contains(rec.Body.Bytes(), []byte(`"code":"idempotency_conflict"`)) {
		t.Errorf("same key, other amount = %d %s; want 409 idempotency_conflict", rec.Code, rec.Body)
	}
	if rec := ts.do("POST", "/v1/payments", tok[0], first, "k2"); rec.Code != http.StatusConflict || !bytes.Contains(rec.Body.Bytes(), []byte(`"code":"uetr_duplicate"`)) {
		t.Errorf("new key, reused UETR = %d %s; want 409 uetr_duplicate", rec.Code, rec.Body)
	}
	// The payee reusing the payer's key is a different scope: a new payment.
	if rec := ts.do("POST", "/v1/payments", tok[1], PaymentRequest{Payee: "ICBKCNBJXXX", Currency: "CNY", Amount: DecimalOf("1.00")}, "k1"); rec.Code != http.StatusCreated {
		t.Errorf("another participant's k1 = %d %s; want 201", rec.Code, rec.Body)
	}
	var bal AccountList
	json.Unmarshal(ts.must("GET", "/v1/balances", tok[0], nil, "", 200), &bal)
	if len(bal.Accounts) != 1 || bal.Accounts[0].Balance != "999991.00" {
		t.Errorf("payer's balances = %+v; want 1,000,000 - 10 + 1", bal)
	}
}

// TestStatementPages reads a statement longer than one page: each page
// opens where the one before closed, and the pages hold every entry once,
// though a page ends inside a log entry. The payments are one batch, so one
// log entry holds more postings than a page, and the camt.054 poll must
// page through it too.
func TestStatementPages(t *testing.T) {
	if testing.Short() {
		t.Skip("settles 10,050 payments")
	}
	ts := newTestServer(t)
	tok := ts.union("ICBKCNBJXXX", "SBININCNXXX")
	const n = 10050
	cmds := make([][]byte, n)
	for i := range cmds {
		c := engine.Command{Kind: engine.KindPay, Participant: "ICBKCNBJXXX", Payee: "SBININCNXXX", Currency: "CNY", Amount: 1, Key: fmt.Sprintf("s-%d", i)}
		c.UETR[1], c.UETR[2], c.UETR[6], c.UETR[8] = byte(i>>8), byte(i), 0x40, 0x80
		cmds[i] = c.Encode()
	}
	rs, err := ts.s.d.SubmitBatch(t.Context(), cmds)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Reason != engine.OK || r.Status != engine.StatusSettled {
			t.Fatalf("payment: %s %s", r.Reason, r.Status)
		}
	}
	var entries []StatementEntry
	var prev Statement
	var firstCursor string
	pages := 0
	for cursor := ""; ; pages++ {
		path := "/v1/accounts/CNY/statement"
		if cursor != "" {
			path += "?cursor=" + cursor
		}
		var st Statement
		if err := json.Unmarshal(ts.must("GET", path, tok[0], nil, "", 200), &st); err != nil {
			t.Fatal(err)
		}
		if pages > 0 && st.OpeningBalance != prev.ClosingBalance {
			t.Fatalf("page %d opens at %s; page %d closed at %s", pages, st.OpeningBalance, pages-1, prev.ClosingBalance)
		}
		entries = append(entries, st.Entries...)
		prev = st
		if !st.More {
			break
		}
		if firstCursor == "" {
			firstCursor = st.NextCursor
		}
		if st.NextCursor == "" || st.NextCursor == cursor {
			t.Fatalf("page %d: more, but next_cursor %q after %q", pages, st.NextCursor, cursor)
		}
		cursor = st.NextCursor
	}
	if pages != 1 || len(entries) != n+1 || prev.ClosingBalance != "999899.50" {
		t.Fatalf("%d pages, %d entries, closing %s; want 2 pages, %d entries (the funding and %d payments), closing 999899.50", pages+1, len(entries), prev.ClosingBalance, n+1, n)
	}
	seen := map[uint64]bool{}
	for _, e := range entries {
		if seen[e.Payment] {
			t.Fatalf("payment %d on two pages", e.Payment)
		}
		seen[e.Payment] = true
	}
	// camt.054 from the start notifies every entry once, in pages that
	// fit a message, then nothing.
	notified, refs, since := 0, map[string]bool{}, "0"
	for page := 0; ; page++ {
		if page > (n+1)/isomap.ReportEntriesMax+1 {
			t.Fatalf("camt.054 still paging after %d pages, at %s", page, since)
		}
		rec := ts.do("GET", "/v1/iso20022/camt.054?account=CNY&since="+since, tok[0], nil, "")
		if rec.Code == http.StatusNoContent {
			break
		}
		m, errs := iso20022.Parse(rec.Body.Bytes())
		if rec.Code != http.StatusOK || len(errs) > 0 {
			t.Fatalf("camt.054 page %d = %d %v\n%.300s", page, rec.Code, errs, rec.Body)
		}
		for _, e := range m.AccountReport.Ntry {
			if refs[e.NtryRef] {
				t.Fatalf("entry %s notified twice", e.NtryRef)
			}
			refs[e.NtryRef] = true
		}
		notified += len(m.AccountReport.Ntry)
		since = rec.Header().Get(NextCursorHeader)
	}
	if notified != n+1 {
		t.Fatalf("camt.054 notified %d entries; want %d", notified, n+1)
	}
	for _, q := range []string{"cursor=x.y", "to=2020-01-01&cursor=" + firstCursor, "to=2020-01-01&cursor=1700000000000000000.5.0"} {
		if rec := ts.do("GET", "/v1/accounts/CNY/statement?"+q, tok[0], nil, ""); rec.Code != http.StatusBadRequest {
			t.Errorf("statement?%s = %d %s; want 400: not a cursor of this period", q, rec.Code, rec.Body)
		}
	}
}
