package httpapi

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mutua-org/mutua/internal/daemon"
	"github.com/mutua-org/mutua/internal/engine"
)

// isoBenchSenders is the number of concurrent senders, as the issue asks.
const isoBenchSenders = 32

// BenchmarkISO20022Pacs008HTTP measures pacs.008 end to end: 32 senders,
// each a participant posting one single-transaction pacs.008 after another
// over loopback HTTP to a real node (its own data directory, every log entry
// synced, the shipped sanctions lists screening both parties), each waiting
// for its pacs.002. It reports messages/s and the latency percentiles.
//
//	go test ./internal/httpapi -run '^$' -bench ISO20022Pacs008HTTP -benchtime 20000x
func BenchmarkISO20022Pacs008HTTP(b *testing.B) {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := daemon.Open(daemon.Config{Dir: b.TempDir(), Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	ctx := b.Context()
	if _, err := d.Bootstrap(ctx); err != nil {
		b.Fatal(err)
	}
	banks := make([]string, isoBenchSenders)
	cmds := []*engine.Command{
		{Kind: engine.KindAddParticipant, Participant: "RBISINBBXXX", Name: "Reserve Bank of India", Country: "IN", Roles: engine.RoleIssuer},
		{Kind: engine.KindEnableCurrency, Currency: "INR", Participant: "RBISINBBXXX"},
	}
	for i := range banks {
		banks[i] = fmt.Sprintf("B%c%cKININBBXXX", 'A'+i/26, 'A'+i%26)[:11]
		cmds = append(cmds,
			&engine.Command{Kind: engine.KindAddParticipant, Participant: banks[i], Name: "Bank " + banks[i][:4], Country: "IN", Roles: engine.RoleSettlement},
			&engine.Command{Kind: engine.KindOpenAccount, Participant: banks[i], Currency: "INR"},
			&engine.Command{Kind: engine.KindFund, Participant: banks[i], Currency: "INR", Amount: 1e15, Key: "fund"})
	}
	for _, c := range cmds {
		if r, err := d.Submit(ctx, c); err != nil || r.Reason != engine.OK {
			b.Fatalf("setup %s: %v %v", c.Kind, r, err)
		}
	}
	tokens := make([]string, len(banks))
	for i, id := range banks {
		t, _, err := d.IssueToken(ctx, id, "bench")
		if err != nil {
			b.Fatal(err)
		}
		tokens[i] = "Bearer " + t.String()
	}
	srv := httptest.NewServer(New(d, quiet).Handler())
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: isoBenchSenders, MaxConnsPerHost: isoBenchSenders}}

	var next atomic.Int64
	latencies := make([][]time.Duration, isoBenchSenders)
	var failed atomic.Value
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for w := range isoBenchSenders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			from, to := banks[w], banks[(w+1)%len(banks)]
			for {
				n := next.Add(1) - 1
				if n >= int64(b.N) {
					return
				}
				uetr := fmt.Sprintf("%08x-0000-4000-8000-%012x", w, n)
				msg := pacs008(fmt.Sprintf("BENCH-%d", n), uetr, fmt.Sprintf("INV-%d", n), from, to, "INR", "12500.50",
					"Tata Steel Exports Ltd", "Severstal Trading LLC")
				req, _ := http.NewRequest("POST", srv.URL+"/v1/iso20022", bytes.NewReader(msg))
				req.Header.Set("Authorization", tokens[w])
				req.Header.Set("Content-Type", "application/xml")
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					failed.Store(err.Error())
					return
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				latencies[w] = append(latencies[w], time.Since(t0))
				if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte("<TxSts>ACSC</TxSts>")) {
					failed.Store(fmt.Sprintf("%d %s", resp.StatusCode, body))
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if f := failed.Load(); f != nil {
		b.Fatalf("a message failed: %v", f)
	}
	var all []time.Duration
	for _, l := range latencies {
		all = append(all, l...)
	}
	slices.Sort(all)
	pct := func(p float64) float64 { return float64(all[int(p*float64(len(all)-1))].Microseconds()) / 1000 }
	b.ReportMetric(float64(len(all))/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}
