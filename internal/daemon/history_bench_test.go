package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mutua-org/mutua/internal/sim"
)

// BenchmarkDurableHistory drives a real node with the history recorder the
// way `mutua bench` does, without HTTP: four clients with batches of 8,190
// payments among 10,000 accounts. One op is one client batch. It reports
// transfers/s, batch latency, and the process's CPU time per transfer (all
// goroutines: engine, log, recorder, Pebble's flushes and compactions),
// which is steadier than wall time on a shared machine.
func BenchmarkDurableHistory(b *testing.B) {
	const clients, batchLen = 4, 8190
	d, err := Open(Config{Dir: b.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	ctx := context.Background()
	u := sim.NewUnion(2000, "CNY", "INR", "RUB", "BRL", "ZAR")
	setup := u.Setup(1 << 40)
	for i := 0; i < len(setup); i += batchLen {
		var raw [][]byte
		for _, c := range setup[i:min(i+batchLen, len(setup))] {
			raw = append(raw, c.Encode())
		}
		if _, err := d.SubmitBatch(ctx, raw); err != nil {
			b.Fatal(err)
		}
	}
	// Batches are encoded up front, so that the clients cost nothing.
	traffic := make([]*sim.Traffic, clients)
	for c := range traffic {
		traffic[c] = sim.NewTraffic(u, uint64(c+1), fmt.Sprintf("c%d", c))
	}
	batches := make([][][]byte, b.N)
	for k := range batches {
		batches[k] = make([][]byte, batchLen)
		for i := range batches[k] {
			batches[k][i] = traffic[k%clients].Next(1000).Encode()
		}
	}
	var next atomic.Int64
	var settled atomic.Int64
	var mu sync.Mutex
	var latencies []time.Duration
	cpu0 := processCPU()
	b.ResetTimer()
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			var own []time.Duration
			for k := next.Add(1) - 1; k < int64(b.N); k = next.Add(1) - 1 {
				start := time.Now()
				rs, err := d.SubmitBatch(ctx, batches[k])
				if err != nil {
					b.Error(err)
					return
				}
				own = append(own, time.Since(start))
				settled.Add(int64(len(rs)))
			}
			mu.Lock()
			latencies = append(latencies, own...)
			mu.Unlock()
		})
	}
	wg.Wait()
	// The recorder runs behind the acknowledgements: count its backlog.
	if err := d.Node().WaitRecorded(ctx, d.Node().Status().Applied); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	cpu := processCPU() - cpu0
	n := float64(settled.Load())
	b.ReportMetric(n/b.Elapsed().Seconds(), "transfers/s")
	b.ReportMetric(float64(cpu.Nanoseconds())/n, "cpu-ns/transfer")
	slices.Sort(latencies)
	if len(latencies) > 0 {
		q := func(p float64) float64 {
			return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
		}
		b.ReportMetric(q(0.50), "p50-ms")
		b.ReportMetric(q(0.99), "p99-ms")
	}
	b.ReportMetric(0, "ns/op")
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
