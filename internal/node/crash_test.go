package node

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
)

var crashSeed = flag.Uint64("crash.seed", 0, "seed for TestCrashAtRandomPoints (0 = time-based)")

// TestCrashAtRandomPoints runs proposers against a node on a crashable
// in-memory file system, takes a crash image at a random moment (keeping a
// random share of unsynced writes), reopens from the image and checks that
// every proposal acknowledged before the crash is applied exactly once and
// that the history recorder saw every applied entry exactly once.
func TestCrashAtRandomPoints(t *testing.T) {
	seed := *crashSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -crash.seed=%d)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, 0))

	rounds := 16
	if testing.Short() {
		rounds = 4
	}
	fs := vfs.NewCrashableMem()
	acked := map[string]bool{} // acknowledged before some crash image was taken
	for round := range rounds {
		durableRecorded := readRecorded(t, fs, "data")

		var recMu sync.Mutex
		var lastRecorded uint64
		cfg := testConfig(fs, nil)
		cfg.SnapshotEntries = uint64(2 + rng.IntN(10))
		cfg.BatchCommandsMax = 8 + rng.IntN(64)
		cfg.Record = func(index uint64, unixNano int64, cmds [][]byte, results []any, b *pebble.Batch) error {
			recMu.Lock()
			defer recMu.Unlock()
			if index <= durableRecorded || index <= lastRecorded {
				t.Errorf("seed %d round %d: Record(%d) after durable %d and %d in this life", seed, round, index, durableRecorded, lastRecorded)
			}
			lastRecorded = index
			return recordHistory(index, unixNano, cmds, results, b)
		}
		n := openTest(t, cfg)

		// Everything acknowledged before earlier crash images is there, once.
		n.View(func() {
			for c := range acked {
				if got := n.m.count(c); got != 1 {
					t.Errorf("seed %d round %d: acknowledged %q applied %d times; want 1", seed, round, c, got)
				}
			}
			for c, got := range n.m.counts {
				if got != 1 {
					t.Errorf("seed %d round %d: %q applied %d times; want 1", seed, round, c, got)
				}
			}
		})
		if errs := n.m.errors(); len(errs) > 0 {
			t.Errorf("seed %d round %d: machine saw %v", seed, round, errs)
		}
		if err := n.WaitRecorded(context.Background(), n.Status().Applied); err != nil {
			t.Fatal(err)
		}
		// With the recorder caught up, history and machine hold the same
		// commands: nothing applied went unrecorded.
		history := checkHistory(t, n.Node, acked)
		n.View(func() {
			if len(history) != len(n.m.counts) {
				t.Errorf("seed %d round %d: history holds %d commands; machine %d", seed, round, len(history), len(n.m.counts))
			}
			for c := range n.m.counts {
				if _, ok := history[c]; !ok {
					t.Errorf("seed %d round %d: applied %q missing from history", seed, round, c)
				}
			}
		})
		if t.Failed() {
			t.FailNow()
		}

		// Load, then crash at a random point.
		ctx, cancel := context.WithCancel(context.Background())
		var mu sync.Mutex
		live := map[string]bool{}
		var acks atomic.Int64
		var wg sync.WaitGroup
		for c := range 4 {
			crng := rand.New(rand.NewPCG(seed, uint64(round*16+c+1)))
			wg.Go(func() {
				for i := 0; ctx.Err() == nil; i++ {
					size := 1 + crng.IntN(cfg.BatchCommandsMax)
					cmds := make([][]byte, size)
					for j := range cmds {
						cmds[j] = fmt.Appendf(nil, "r%d-c%d-%d-%d", round, c, i, j)
					}
					var err error
					if size == 1 {
						_, err = n.Propose(ctx, cmds[0])
					} else {
						_, err = n.ProposeBatch(ctx, cmds)
					}
					if err != nil {
						if !errors.Is(err, context.Canceled) && !errors.Is(err, ErrClosed) {
							t.Errorf("seed %d: propose: %v", seed, err)
						}
						return
					}
					mu.Lock()
					for _, c := range cmds {
						live[string(c)] = true
					}
					mu.Unlock()
					acks.Add(1)
				}
			})
		}
		target := int64(rng.IntN(300))
		for acks.Load() < target {
			time.Sleep(100 * time.Microsecond)
		}
		mu.Lock()
		before := make([]string, 0, len(live))
		for c := range live {
			before = append(before, c)
		}
		mu.Unlock()
		crashed := fs.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: rng.IntN(101), RNG: rng})
		cancel()
		wg.Wait()
		if err := n.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		for _, c := range before {
			acked[c] = true
		}
		fs = crashed
	}

	// The final image passes Inspect and holds everything acknowledged.
	rep, err := Inspect("data", fs, newCounterMachine())
	if err != nil {
		t.Fatalf("seed %d: Inspect: %v", seed, err)
	}
	t.Logf("final: %d acknowledged commands; inspect %+v", len(acked), rep)
	n := openTest(t, testConfig(fs, nil))
	defer n.Close()
	n.View(func() {
		for c := range acked {
			if got := n.m.count(c); got != 1 {
				t.Errorf("seed %d final: acknowledged %q applied %d times; want 1", seed, c, got)
			}
		}
	})
	if d := n.digest(); d != rep.Digest {
		t.Errorf("seed %d: digest after open %x; Inspect replay %x", seed, d[:8], rep.Digest[:8])
	}
}

// readRecorded returns the durable recorder index in a data directory, or 0.
func readRecorded(t testing.TB, fs vfs.FS, dir string) uint64 {
	t.Helper()
	if _, err := fs.Stat(dir); err != nil {
		return 0
	}
	db, err := pebble.Open(dir, pebbleOptions(fs, slog.New(slog.DiscardHandler), true))
	if err != nil {
		t.Fatalf("open %s read-only: %v", dir, err)
	}
	defer db.Close()
	v, closer, err := db.Get(keyRecorded)
	if errors.Is(err, pebble.ErrNotFound) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	index, err := decodeRecorded(v)
	if err != nil {
		t.Fatal(err)
	}
	return index
}
