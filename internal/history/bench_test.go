package history

import (
	"syscall"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/sim"
)

// BenchmarkRecord records entries of 32,760 payments among 10,000 accounts
// (the shape of `mutua bench`) into Pebble with the node's memtable size,
// committing each entry's batch as the node does. One op is one entry.
// Besides time per payment it reports keys and bytes per payment in the
// batches and the bytes Pebble wrote in flushes and compactions while the
// benchmark ran.
func BenchmarkRecord(b *testing.B) {
	const perEntry = 4 * 8190
	u := sim.NewUnion(2000, "CNY", "INR", "RUB", "BRL", "ZAR")
	e := engine.New()
	now := int64(1_700_000_000_000_000_000)
	setup := make([][]byte, 0)
	for _, c := range u.Setup(1 << 40) {
		setup = append(setup, c.Encode())
	}
	type entry struct {
		index   uint64
		now     int64
		cmds    [][]byte
		results []any
	}
	entries := []entry{{1, now, setup, e.Apply(1, now, setup)}}
	tr := sim.NewTraffic(u, 1, "bench")
	for i := 0; i < b.N; i++ {
		cmds := make([][]byte, perEntry)
		for j := range cmds {
			cmds[j] = tr.Next(1000).Encode()
		}
		index := uint64(len(entries) + 1)
		now += 200e6
		entries = append(entries, entry{index, now, cmds, e.Apply(index, now, cmds)})
	}
	db, err := pebble.Open(b.TempDir(), &pebble.Options{FormatMajorVersion: pebble.FormatNewest, MemTableSize: 64 << 20})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	s := New(db)
	batch := db.NewBatch()
	var recording, committing time.Duration
	record := func(en entry) (keys, bytes int) {
		batch.Reset()
		start := time.Now()
		if err := s.Record(en.index, en.now, en.cmds, en.results, batch); err != nil {
			b.Fatal(err)
		}
		recording += time.Since(start)
		keys, bytes = int(batch.Count()), batch.Len()
		start = time.Now()
		if err := batch.Commit(pebble.NoSync); err != nil {
			b.Fatal(err)
		}
		committing += time.Since(start)
		return keys, bytes
	}
	record(entries[0])
	before := db.Metrics()
	var keys, bytes int
	folded := struct{ keys, bytes int }{s.pending.foldedKeys, s.pending.foldedBytes}
	recording, committing = 0, 0
	cpu0 := cpuTime()
	b.ResetTimer()
	for _, en := range entries[1:] {
		k, n := record(en)
		keys += k
		bytes += n
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0
	// The index folds' batches count too (each index entry once, folded
	// or still in memory).
	keys += s.pending.foldedKeys - folded.keys
	bytes += s.pending.foldedBytes - folded.bytes
	s.pending.mu.RLock()
	for _, run := range s.pending.runs {
		n := len(run.keys) + len(run.uetrs)
		keys += n
		bytes += n * (len(prefixKey) + hashBits/8 + 4 + 3)
	}
	s.pending.mu.RUnlock()
	after := db.Metrics()
	payments := float64(b.N * perEntry)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/payments, "ns/payment")
	b.ReportMetric(float64(cpu.Nanoseconds())/payments, "cpu-ns/payment")
	b.ReportMetric(float64(recording.Nanoseconds())/payments, "record-ns/payment")
	b.ReportMetric(float64(committing.Nanoseconds())/payments, "commit-ns/payment")
	b.ReportMetric(float64(keys)/payments, "keys/payment")
	b.ReportMetric(float64(bytes)/payments, "B/payment")
	flushed := after.Levels[0].TableBytesFlushed - before.Levels[0].TableBytesFlushed
	var compacted uint64
	for l := range after.Levels {
		compacted += after.Levels[l].TableBytesCompacted - before.Levels[l].TableBytesCompacted
	}
	b.ReportMetric(float64(flushed)/payments, "flushB/payment")
	b.ReportMetric(float64(compacted)/payments, "compactB/payment")
}

// cpuTime returns the CPU time the process has used, in all its threads:
// the recorder's and Pebble's flushes and compactions.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
