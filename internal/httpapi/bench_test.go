package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/mutua-org/mutua/internal/daemon"
)

// BenchmarkPostPayment measures POST /v1/payments in process, through the
// handler and a real node (each log entry synced), with 64 concurrent
// callers as in `mutua bench`'s http scenario; allocs/op is the handler's
// and the node's share per payment.
func BenchmarkPostPayment(b *testing.B) {
	d, err := daemon.Open(daemon.Config{Dir: b.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	if _, err := d.Bootstrap(b.Context()); err != nil {
		b.Fatal(err)
	}
	s := New(d, slog.New(slog.NewTextHandler(io.Discard, nil)))
	op, _, _ := d.IssueToken(b.Context(), "", "bench operator")
	call := func(method, path, token string, body any, key string) []byte {
		j, _ := json.Marshal(body)
		req := httptest.NewRequest(method, path, bytes.NewReader(j))
		req.Header.Set("Authorization", "Bearer "+token)
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code >= 300 {
			b.Fatalf("%s %s = %d %s", method, path, rec.Code, rec.Body)
		}
		return rec.Body.Bytes()
	}
	const banks = 64
	call("POST", "/v1/participants", op.String(), ParticipantRequest{ID: "PBOCCNBJXXX", Name: "PBOC", Country: "CN", Roles: []string{"issuer"}}, "")
	call("POST", "/v1/currencies", op.String(), CurrencyRequest{Code: "CNY", Issuer: "PBOCCNBJXXX"}, "")
	tokens := make([]string, banks)
	ids := make([]string, banks)
	for i := range ids {
		ids[i] = "B" + string(rune('A'+i/26)) + string(rune('A'+i%26)) + "KCNBJXXX"
		call("POST", "/v1/participants", op.String(), ParticipantRequest{ID: ids[i], Name: "Bank", Country: "CN"}, "")
		call("POST", "/v1/participants/"+ids[i]+"/accounts", op.String(), AccountRequest{Currency: "CNY"}, "")
		call("POST", "/v1/fundings", op.String(), FundingRequest{Participant: ids[i], Currency: "CNY", Amount: DecimalOf("1000000000.00")}, "f"+ids[i])
		var t Token
		json.Unmarshal(call("POST", "/v1/tokens", op.String(), TokenRequest{Participant: ids[i], Name: "bench"}, ""), &t)
		tokens[i] = t.Token
	}
	var next atomic.Int64
	b.SetParallelism((banks + 1) / 2) // 2 procs: 64 goroutines
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(next.Add(1)-1) % banks
		auth := "Bearer " + tokens[i]
		body := []byte(`{"payee":"` + ids[(i+1)%banks] + `","currency":"CNY","amount":"12.34","remittance":"INV 1"}`)
		rd := bytes.NewReader(body)
		req := httptest.NewRequest("POST", "/v1/payments", rd)
		for seq := 0; pb.Next(); seq++ {
			rd.Reset(body)
			req.Body = io.NopCloser(rd)
			req.Header = http.Header{"Authorization": {auth}, "Idempotency-Key": {"k" + strconv.Itoa(i) + "-" + strconv.Itoa(seq)}}
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			if rec.Code != http.StatusCreated {
				b.Errorf("POST /v1/payments = %d %s", rec.Code, rec.Body)
				return
			}
		}
	})
}
