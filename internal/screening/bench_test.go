package screening

import (
	"slices"
	"testing"
	"time"
)

// benchPayments returns payments of four names from the shipped labelled
// set (a quarter of them variants of listed names).
func benchPayments(n int) [][]Query {
	rows := EvalSet()
	out := make([][]Query, n)
	for i := range out {
		p := make([]Query, 4)
		for j := range p {
			p[j] = Query{Name: rows[(4*i+j)%len(rows)].Name}
		}
		out[i] = p
	}
	return out
}

// BenchmarkScreenPayment screens one payment (four names) per operation
// against the UN list and the OFAC subset, as the engine does (matches at
// or above the default threshold), and reports payments/s and the 99th
// percentile latency of a payment.
func BenchmarkScreenPayment(b *testing.B) {
	benchScreen(b, DefaultThreshold)
}

// BenchmarkScreenPaymentReport is BenchmarkScreenPayment reporting every
// match down to MinScore, as "mutua screen" does.
func BenchmarkScreenPaymentReport(b *testing.B) {
	benchScreen(b, MinScore)
}

func benchScreen(b *testing.B, floor int) {
	idx := testIndex(b)
	pays := benchPayments(2000)
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		for _, q := range pays[i%len(pays)] {
			idx.ScreenAbove(q, floor)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "payments/s")
}

// BenchmarkNewIndex builds the index over the UN list and the OFAC subset.
func BenchmarkNewIndex(b *testing.B) {
	vs := testVersions(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		NewIndex(vs...)
	}
}

// BenchmarkNormalize normalises one name.
func BenchmarkNormalize(b *testing.B) {
	for i := 0; i < b.N; i++ {
		Normalize("Abdul Rahman Al-Khalifa Trading Co., Ltd.")
	}
}
