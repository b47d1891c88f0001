package screencli

import (
	"fmt"
	"slices"
	"time"

	"github.com/mutua-org/mutua/internal/screening"
)

// PaymentNames is how many party names one payment carries for screening:
// debtor, creditor and their agents.
const PaymentNames = 4

// SamplePayments returns n payments of PaymentNames names each, taken in
// order from the shipped labelled set (a quarter of whose names are
// variants of listed names, so hits are far more frequent than in real
// traffic, which makes screening slower, not faster).
func SamplePayments(n int) [][]screening.Query {
	rows := screening.EvalSet()
	out := make([][]screening.Query, n)
	k := 0
	for i := range out {
		p := make([]screening.Query, PaymentNames)
		for j := range p {
			p[j] = screening.Query{Name: rows[k%len(rows)].Name}
			k++
		}
		out[i] = p
	}
	return out
}

// BenchReport is the outcome of Bench.
type BenchReport struct {
	Payments       int           `json:"payments"`
	Names          int           `json:"names"`
	Hits           int           `json:"hits"` // payments with a name at or above the default threshold
	Elapsed        time.Duration `json:"elapsed_ns"`
	PaymentsPerSec int           `json:"payments_per_second"`
	P50            time.Duration `json:"p50_ns"`
	P99            time.Duration `json:"p99_ns"`
	Max            time.Duration `json:"max_ns"`
}

func (r BenchReport) String() string {
	return fmt.Sprintf("%d payments (%d names, %d hits) in %v on one goroutine: %d payments/s, p50 %v, p99 %v, max %v",
		r.Payments, r.Names, r.Hits, r.Elapsed.Round(time.Millisecond), r.PaymentsPerSec, r.P50, r.P99, r.Max)
}

// Bench screens every name of every payment on one goroutine as the
// engine does (ScreenAbove at the default threshold, then Decide) and
// reports throughput and the latency of screening one payment. The first
// tenth of the payments (at most 1,000) warm up and are not counted.
func Bench(idx *screening.Index, payments [][]screening.Query) BenchReport {
	warm := min(len(payments)/10, 1000)
	for _, p := range payments[:warm] {
		for _, q := range p {
			idx.ScreenAbove(q, screening.DefaultThreshold)
		}
	}
	payments = payments[warm:]
	lat := make([]time.Duration, len(payments))
	rep := BenchReport{Payments: len(payments)}
	start := time.Now()
	for i, p := range payments {
		t0 := time.Now()
		hit := false
		for _, q := range p {
			if screening.Decide(idx.ScreenAbove(q, screening.DefaultThreshold), screening.DefaultThreshold).Hit {
				hit = true
			}
		}
		lat[i] = time.Since(t0)
		rep.Names += len(p)
		if hit {
			rep.Hits++
		}
	}
	rep.Elapsed = time.Since(start)
	if len(lat) == 0 {
		return rep
	}
	slices.Sort(lat)
	rep.P50 = lat[len(lat)/2]
	rep.P99 = lat[len(lat)*99/100]
	rep.Max = lat[len(lat)-1]
	if rep.Elapsed > 0 {
		rep.PaymentsPerSec = int(int64(len(payments)) * int64(time.Second) / int64(rep.Elapsed))
	}
	return rep
}
