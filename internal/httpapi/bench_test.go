package httpapi

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
)

// BenchmarkPostPayment measures POST /v1/payments in process, through the
// handler and a real node (each log entry synced), with 64 concurrent
// callers as in `mutua bench`'s http scenario; allocs/op is the handler's
// and the node's share per payment.
func BenchmarkPostPayment(b *testing.B) {
	ts := newTestServer(b)
	const banks = 64
	ids := make([]string, banks)
	for i := range ids {
		ids[i] = "B" + string(rune('A'+i/26)) + string(rune('A'+i%26)) + "KCNBJXXX"
	}
	tokens := ts.union(ids...)
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
			ts.s.ServeHTTP(rec, req)
			if rec.Code != http.StatusCreated {
				b.Errorf("POST /v1/payments = %d %s", rec.Code, rec.Body)
				return
			}
		}
	})
}
