package node

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const benchCommandBytes = 64

func openBench(b *testing.B) *Node {
	b.Helper()
	n, err := Open(Config{
		Dir:     b.TempDir(),
		Machine: &nopMachine{},
		Logger:  slog.New(slog.DiscardHandler),
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}

func benchCommand(i int) []byte {
	c := make([]byte, benchCommandBytes)
	copy(c, fmt.Sprintf("command-%d", i))
	return c
}

// reportLatency reports commands/s and latency percentiles of the calls.
func reportLatency(b *testing.B, commands int64, latencies []time.Duration) {
	b.Helper()
	elapsed := b.Elapsed()
	b.ReportMetric(float64(commands)/elapsed.Seconds(), "cmds/s")
	slices.Sort(latencies)
	if len(latencies) > 0 {
		q := func(p float64) float64 {
			return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
		}
		b.ReportMetric(q(0.50), "p50-ms")
		b.ReportMetric(q(0.99), "p99-ms")
	}
}

// BenchmarkProposeBatch measures durable throughput with client batches of
// 8190 commands of 64 bytes, four in flight. One op is one client batch.
func BenchmarkProposeBatch(b *testing.B) {
	const clients, batchLen = 4, 8190
	n := openBench(b)
	defer n.Close()
	batches := make([][][]byte, clients)
	for c := range batches {
		batches[c] = make([][]byte, batchLen)
		for i := range batches[c] {
			batches[c][i] = benchCommand(c*batchLen + i)
		}
	}
	var next atomic.Int64
	var mu sync.Mutex
	var latencies []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			ctx := context.Background()
			var own []time.Duration
			for next.Add(1) <= int64(b.N) {
				start := time.Now()
				if _, err := n.ProposeBatch(ctx, batches[c]); err != nil {
					b.Error(err)
					return
				}
				own = append(own, time.Since(start))
			}
			mu.Lock()
			latencies = append(latencies, own...)
			mu.Unlock()
		})
	}
	wg.Wait()
	b.StopTimer()
	reportLatency(b, int64(b.N)*batchLen, latencies)
	st := n.Status()
	b.ReportMetric(float64(st.CommandsApplied)/float64(max(st.EntriesApplied, 1)), "cmds/entry")
}

// BenchmarkPropose measures single-command proposals from 64 goroutines,
// which the node coalesces into shared entries. One op is one command.
func BenchmarkPropose(b *testing.B) {
	const clients = 64
	n := openBench(b)
	defer n.Close()
	var next atomic.Int64
	var mu sync.Mutex
	var latencies []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			ctx := context.Background()
			cmd := benchCommand(c)
			var own []time.Duration
			for next.Add(1) <= int64(b.N) {
				start := time.Now()
				if _, err := n.Propose(ctx, cmd); err != nil {
					b.Error(err)
					return
				}
				own = append(own, time.Since(start))
			}
			mu.Lock()
			latencies = append(latencies, own...)
			mu.Unlock()
		})
	}
	wg.Wait()
	b.StopTimer()
	reportLatency(b, int64(b.N), latencies)
	st := n.Status()
	b.ReportMetric(float64(st.CommandsApplied)/float64(max(st.EntriesApplied, 1)), "cmds/entry")
}

// BenchmarkOpenAfter10MCommands measures time to ready after 10 million
// 64-byte commands: Pebble's WAL replay, the newest snapshot and the log tail
// after it. The machine is trivial, so this is the node's share of a restart.
// Run with -benchtime=3x; setup takes a few seconds.
func BenchmarkOpenAfter10MCommands(b *testing.B) {
	const clients, batchLen, total = 4, 8190, 10_000_000
	dir := b.TempDir()
	cfg := Config{Dir: dir, Machine: &nopMachine{}, Logger: slog.New(slog.DiscardHandler)}
	n, err := Open(cfg)
	if err != nil {
		b.Fatal(err)
	}
	batch := make([][]byte, batchLen)
	for i := range batch {
		batch[i] = benchCommand(i)
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for next.Add(batchLen) <= total {
				if _, err := n.ProposeBatch(context.Background(), batch); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := n.Close(); err != nil {
		b.Fatal(err)
	}
	before := n.Status()
	b.ResetTimer()
	var tail uint64
	for range b.N {
		cfg.Machine = &nopMachine{}
		n, err := Open(cfg)
		if err != nil {
			b.Fatal(err)
		}
		st := n.Status()
		tail = st.Applied - st.SnapshotIndex
		if err := n.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "open-ms")
	b.ReportMetric(float64(tail), "tail-entries")
	b.ReportMetric(float64(before.CommandsApplied), "commands")
}
