package engine_test

import (
	"testing"

	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/sim"
)

// BenchmarkApply measures the apply loop alone (decode, validate, dedupe,
// balance-check, post) for batches of 8,190 payments among 10,000 accounts
// (2,000 banks x 5 currencies), every account with a floor of zero.
func BenchmarkApply(b *testing.B) {
	u := sim.NewUnion(2000, "CNY", "INR", "RUB", "BRL", "ZAR")
	e := engine.New()
	e.ApplyCommands(1, 1, u.Setup(1<<40)...)
	tr := sim.NewTraffic(u, 1, "bench")
	const batch = 8190
	// Pre-encode so the benchmark measures the engine, not the generator.
	batches := make([][][]byte, 64)
	for i := range batches {
		batches[i] = make([][]byte, batch)
		for j := range batches[i] {
			batches[i][j] = tr.Next(1000).Encode()
		}
	}
	b.ResetTimer()
	index := uint64(1)
	for i := 0; i < b.N; i++ {
		if i%len(batches) == 0 && i > 0 {
			b.StopTimer()
			for _, bt := range batches { // fresh keys and UETRs
				for j := range bt {
					bt[j] = tr.Next(1000).Encode()
				}
			}
			b.StartTimer()
		}
		index++
		for _, r := range e.Apply(index, int64(index), batches[i%len(batches)]) {
			if res := r.(*engine.Result); res.Reason != engine.OK {
				b.Fatalf("payment rejected: %s", res.Reason)
			}
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "transfers/s")
}

// BenchmarkSnapshot measures a snapshot of a full dedupe window as the
// durable benchmark builds one: 720,720 payments (88 batches of 8,190) among
// 10,000 accounts. "capture" is what the node's apply loop waits for;
// "encode" runs on a goroutine of its own meanwhile.
func BenchmarkSnapshot(b *testing.B) {
	u := sim.NewUnion(2000, "CNY", "INR", "RUB", "BRL", "ZAR")
	e := engine.New()
	e.ApplyCommands(1, 1, u.Setup(1<<40)...)
	tr := sim.NewTraffic(u, 1, "bench")
	const batch, batches = 8190, 88
	raw := make([][]byte, batch)
	for i := range batches {
		for j := range raw {
			raw[j] = tr.Next(1000).Encode()
		}
		e.Apply(uint64(i+2), int64(i+2), raw)
	}
	b.Run("capture", func(b *testing.B) {
		for range b.N {
			e.Capture()
		}
	})
	b.Run("encode", func(b *testing.B) {
		var size int
		for range b.N {
			size = len(e.Capture()())
		}
		b.ReportMetric(float64(size)/1e6, "MB")
	})
}
