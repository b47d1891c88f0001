package node

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// historyPrefix is where the test recorder writes: one key per recorded
// entry holding the entry's commands, as a frame.
var historyPrefix = []byte("\x01h/")

func historyKey(index uint64) []byte {
	return binary.BigEndian.AppendUint64(bytes.Clone(historyPrefix), index)
}

// recordHistory is a Record function that stores each entry's commands.
func recordHistory(index uint64, unixNano int64, cmds [][]byte, results []any, b *pebble.Batch) error {
	var v []byte
	v = appendFrameHeader(v, frameHeader{UnixNano: unixNano, Count: len(cmds)})
	for _, c := range cmds {
		v = appendCommand(v, c)
	}
	return b.Set(historyKey(index), v, nil)
}

type testNode struct {
	*Node
	m *counterMachine
}

func testConfig(fs vfs.FS, m Machine) Config {
	return Config{
		Dir:     "data",
		FS:      fs,
		Machine: m,
		Record:  recordHistory,
		Logger:  slog.New(slog.DiscardHandler),
	}
}

func openTest(t testing.TB, cfg Config) testNode {
	t.Helper()
	m := newCounterMachine()
	cfg.Machine = m
	n, err := Open(cfg)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return testNode{n, m}
}

func (n testNode) digest() (d [32]byte) {
	n.View(func() { d = n.m.Digest() })
	return d
}

func (n testNode) countOf(key string) (c uint64) {
	n.View(func() { c = n.m.count(key) })
	return c
}

func TestProposeOrderAndResults(t *testing.T) {
	n := openTest(t, testConfig(vfs.NewMem(), nil))
	defer n.Close()
	ctx := context.Background()
	for i := 1; i <= 5; i++ {
		got, err := n.Propose(ctx, []byte("a"))
		if err != nil {
			t.Fatalf("Propose: %v", err)
		}
		if got != uint64(i) {
			t.Errorf("Propose(a) #%d = %v; want %d", i, got, i)
		}
	}
	cmds := [][]byte{[]byte("b"), []byte("a"), []byte("b"), []byte(""), []byte("b")}
	got, err := n.ProposeBatch(ctx, cmds)
	if err != nil {
		t.Fatalf("ProposeBatch: %v", err)
	}
	want := []any{uint64(1), uint64(6), uint64(2), uint64(1), uint64(3)}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ProposeBatch = %v; want %v", got, want)
	}
	if res, err := n.ProposeBatch(ctx, nil); res != nil || err != nil {
		t.Errorf("ProposeBatch(nil) = %v, %v; want nil, nil", res, err)
	}
	st := n.Status()
	if !st.Leader || st.CommandsApplied != 10 || st.EntriesApplied != 6 || st.Applied != st.LastIndex {
		t.Errorf("Status = %+v; want leader, 10 commands in 6 entries, all applied", st)
	}
	if errs := n.m.errors(); len(errs) > 0 {
		t.Errorf("machine saw: %v", errs)
	}
}

func TestConcurrentProposersGetOwnResults(t *testing.T) {
	n := openTest(t, testConfig(vfs.NewMem(), nil))
	defer n.Close()
	const clients, rounds = 16, 40
	var wg sync.WaitGroup
	errc := make(chan error, clients)
	for c := range clients {
		wg.Go(func() {
			ctx := context.Background()
			own := fmt.Sprintf("client-%d", c)
			var want uint64
			for r := range rounds {
				if r%2 == 0 {
					got, err := n.Propose(ctx, []byte(own))
					want++
					if err != nil || got != want {
						errc <- fmt.Errorf("%s: Propose = %v, %v; want %d", own, got, err, want)
						return
					}
					continue
				}
				batch := [][]byte{[]byte(own), []byte("shared"), []byte(own)}
				got, err := n.ProposeBatch(ctx, batch)
				if err != nil || len(got) != 3 || got[0] != want+1 || got[2] != want+2 {
					errc <- fmt.Errorf("%s: ProposeBatch = %v, %v; want own counts %d and %d", own, got, err, want+1, want+2)
					return
				}
				want += 2
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	if got, want := n.countOf("shared"), uint64(clients*rounds/2); got != want {
		t.Errorf("count(shared) = %d; want %d", got, want)
	}
	st := n.Status()
	if st.CommandsApplied != clients*rounds/2*4 {
		t.Errorf("CommandsApplied = %d; want %d", st.CommandsApplied, clients*rounds/2*4)
	}
	t.Logf("%d commands in %d entries", st.CommandsApplied, st.EntriesApplied)
}

func TestBatchLimitsSplitEntries(t *testing.T) {
	cfg := testConfig(vfs.NewMem(), nil)
	cfg.BatchCommandsMax = 10
	n := openTest(t, cfg)
	defer n.Close()
	ctx := context.Background()
	if _, err := n.ProposeBatch(ctx, make([][]byte, 11)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ProposeBatch(11 commands) error = %v; want ErrTooLarge", err)
	}
	var wg sync.WaitGroup
	for c := range 8 {
		wg.Go(func() {
			cmds := make([][]byte, 7)
			for i := range cmds {
				cmds[i] = fmt.Appendf(nil, "%d", c)
			}
			got, err := n.ProposeBatch(ctx, cmds)
			if err != nil {
				t.Errorf("ProposeBatch: %v", err)
				return
			}
			for i, r := range got {
				if r != uint64(i+1) {
					t.Errorf("client %d result %d = %v; want %d (batch not contiguous)", c, i, r, i+1)
				}
			}
		})
	}
	wg.Wait()
	if st := n.Status(); st.EntriesApplied < 8 {
		t.Errorf("EntriesApplied = %d; want ≥ 8 (7-command batches under a 10-command limit)", st.EntriesApplied)
	}
}

func TestRestartGivesSameDigest(t *testing.T) {
	fs := vfs.NewMem()
	cfg := testConfig(fs, nil)
	n := openTest(t, cfg)
	ctx := context.Background()
	for i := range 100 {
		if _, err := n.ProposeBatch(ctx, [][]byte{fmt.Appendf(nil, "k%d", i%7), []byte("x")}); err != nil {
			t.Fatal(err)
		}
	}
	want, wantSt := n.digest(), n.Status()
	if err := n.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := n.Propose(ctx, []byte("late")); !errors.Is(err, ErrClosed) {
		t.Errorf("Propose after Close error = %v; want ErrClosed", err)
	}

	n = openTest(t, cfg)
	defer n.Close()
	if got := n.digest(); got != want {
		t.Errorf("digest after restart = %x; want %x", got[:8], want[:8])
	}
	if err := n.WaitRecorded(ctx, n.Status().Applied); err != nil {
		t.Fatal(err)
	}
	st := n.Status()
	if st.Applied <= wantSt.Applied || st.Term <= wantSt.Term || st.RecordedIndex != st.Applied {
		t.Errorf("Status after restart = %+v; want applied beyond %d (new term's no-op), term beyond %d, all recorded", st, wantSt.Applied, wantSt.Term)
	}
	if got := n.countOf("x"); got != 100 {
		t.Errorf("count(x) = %d; want 100", got)
	}
	if st.LastUnixNano < wantSt.LastUnixNano {
		t.Errorf("LastUnixNano went back from %d to %d", wantSt.LastUnixNano, st.LastUnixNano)
	}
}

func TestSnapshotCompactionRestart(t *testing.T) {
	fs := vfs.NewMem()
	cfg := testConfig(fs, nil)
	cfg.SnapshotEntries = 7
	n := openTest(t, cfg)
	ctx := context.Background()
	for i := range 60 {
		if _, err := n.Propose(ctx, fmt.Appendf(nil, "k%d", i%5)); err != nil {
			t.Fatal(err)
		}
	}
	want := n.digest()
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	st := n.Status() // after Close: snapshots persist behind the recorder
	if st.SnapshotsTaken == 0 || st.SnapshotIndex == 0 || st.FirstIndex != st.SnapshotIndex+1 {
		t.Fatalf("Status = %+v; want snapshots taken and the log starting after the snapshot", st)
	}
	// The store holds no log entry at or below the snapshot and one snapshot.
	db, err := pebble.Open(cfg.Dir, pebbleOptions(fs, slog.New(slog.DiscardHandler), true))
	if err != nil {
		t.Fatal(err)
	}
	logKeys, snapKeys := countKeys(t, db)
	db.Close()
	if logKeys[0] != st.SnapshotIndex+1 || len(snapKeys) != 1 || snapKeys[0] != st.SnapshotIndex {
		t.Errorf("stored log starts at %d, snapshots %v; want log after %d and one snapshot", logKeys[0], snapKeys, st.SnapshotIndex)
	}

	rep, err := Inspect(cfg.Dir, fs, newCounterMachine())
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	if rep.SnapshotIndex != st.SnapshotIndex || rep.Digest != want || rep.Corruption != "" || rep.LastIndex != st.LastIndex {
		t.Errorf("Inspect = %+v; want snapshot %d, last %d, digest %x", rep, st.SnapshotIndex, st.LastIndex, want[:8])
	}

	n = openTest(t, cfg)
	defer n.Close()
	if got := n.digest(); got != want {
		t.Errorf("digest after restart = %x; want %x", got[:8], want[:8])
	}
	if n.m.applies > int(cfg.SnapshotEntries)+1 {
		t.Errorf("restart replayed %d entries; want at most %d after the snapshot", n.m.applies, cfg.SnapshotEntries+1)
	}
	if got := n.countOf("k0"); got != 12 {
		t.Errorf("count(k0) = %d; want 12", got)
	}
}

// countKeys returns the indexes of the stored log entries and snapshots.
func countKeys(t testing.TB, db *pebble.DB) (logs, snaps []uint64) {
	t.Helper()
	iter, err := db.NewIter(&pebble.IterOptions{LowerBound: keyPrefix, UpperBound: prefixEnd(keyPrefix)})
	if err != nil {
		t.Fatal(err)
	}
	defer iter.Close()
	for valid := iter.First(); valid; valid = iter.Next() {
		if i, ok := keyIndex(keyLogPrefix, iter.Key()); ok {
			logs = append(logs, i)
		}
		if i, ok := keyIndex(keySnapPrefix, iter.Key()); ok {
			snaps = append(snaps, i)
		}
	}
	return logs, snaps
}

func TestTimestampsStrictlyIncrease(t *testing.T) {
	fs := vfs.NewMem()
	cfg := testConfig(fs, nil)
	// A clock that runs backwards, and stands still.
	var mu sync.Mutex
	clock := time.Unix(2_000_000_000, 0)
	cfg.Now = func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(-time.Second)
		return clock
	}
	n := openTest(t, cfg)
	ctx := context.Background()
	var times []int64
	for range 5 {
		if _, err := n.Propose(ctx, []byte("t")); err != nil {
			t.Fatal(err)
		}
		times = append(times, n.Status().LastUnixNano)
	}
	n.Close()
	n = openTest(t, cfg) // the clock is now even earlier
	defer n.Close()
	for range 5 {
		if _, err := n.Propose(ctx, []byte("t")); err != nil {
			t.Fatal(err)
		}
		times = append(times, n.Status().LastUnixNano)
	}
	for i := 1; i < len(times); i++ {
		if times[i] <= times[i-1] {
			t.Errorf("entry time %d = %d; not after %d", i, times[i], times[i-1])
		}
	}
	if errs := n.m.errors(); len(errs) > 0 {
		t.Errorf("machine saw: %v", errs)
	}
}

func TestRecorderExactlyOnce(t *testing.T) {
	fs := vfs.NewMem()
	cfg := testConfig(fs, nil)
	cfg.SnapshotEntries = 3
	var mu sync.Mutex
	calls := map[uint64]int{}
	cfg.Record = func(index uint64, unixNano int64, cmds [][]byte, results []any, b *pebble.Batch) error {
		mu.Lock()
		calls[index]++
		mu.Unlock()
		return recordHistory(index, unixNano, cmds, results, b)
	}
	ctx := context.Background()
	for round := range 3 {
		n := openTest(t, cfg)
		for i := range 10 {
			if _, err := n.Propose(ctx, fmt.Appendf(nil, "r%d-%d", round, i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := n.WaitRecorded(ctx, n.Status().Applied); err != nil {
			t.Fatal(err)
		}
		checkHistory(t, n.Node, nil)
		n.Close()
	}
	for index, c := range calls {
		if c != 1 {
			t.Errorf("Record called %d times for entry %d; want 1", c, index)
		}
	}
	if len(calls) != 30 {
		t.Errorf("Record called for %d entries; want 30", len(calls))
	}
}

// checkHistory checks that the recorded history holds each command at most
// once, in entries up to the recorder's index with increasing times, and
// that every command in acked is there. It returns the recorded commands.
func checkHistory(t testing.TB, n *Node, acked map[string]bool) map[string]uint64 {
	t.Helper()
	db := n.Store()
	recorded := n.Status().RecordedIndex
	iter, err := db.NewIter(&pebble.IterOptions{LowerBound: historyPrefix, UpperBound: prefixEnd(historyPrefix)})
	if err != nil {
		t.Fatal(err)
	}
	defer iter.Close()
	seen := map[string]uint64{}
	var prevUnixNano int64
	for valid := iter.First(); valid; valid = iter.Next() {
		index := binary.BigEndian.Uint64(iter.Key()[len(historyPrefix):])
		if index > recorded {
			t.Errorf("history has entry %d beyond recorder index %d", index, recorded)
		}
		h, cmds, err := decodeFrame(iter.Value(), nil)
		if err != nil {
			t.Fatalf("history entry %d: %v", index, err)
		}
		if h.UnixNano <= prevUnixNano {
			t.Errorf("history entry %d time %d not after %d", index, h.UnixNano, prevUnixNano)
		}
		prevUnixNano = h.UnixNano
		for _, c := range cmds {
			if prev, dup := seen[string(c)]; dup {
				t.Errorf("command %q recorded in entries %d and %d", c, prev, index)
			}
			seen[string(c)] = index
		}
	}
	for c := range acked {
		if _, ok := seen[c]; !ok {
			t.Errorf("acknowledged command %q missing from history (recorded up to %d)", c, recorded)
		}
	}
	return seen
}

func TestCloseAnswersEveryone(t *testing.T) {
	n := openTest(t, testConfig(vfs.NewMem(), nil))
	ctx := context.Background()
	var wg sync.WaitGroup
	for c := range 8 {
		wg.Go(func() {
			for i := 0; ; i++ {
				_, err := n.Propose(ctx, fmt.Appendf(nil, "%d-%d", c, i))
				if errors.Is(err, ErrClosed) {
					return
				}
				if err != nil {
					t.Errorf("Propose: %v", err)
					return
				}
			}
		})
	}
	for n.Status().CommandsApplied < 200 {
		time.Sleep(time.Millisecond)
	}
	if err := n.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	wg.Wait() // every proposer got an answer
	if err := n.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if err := n.WaitRecorded(ctx, 1<<40); !errors.Is(err, ErrClosed) {
		t.Errorf("WaitRecorded after Close = %v; want ErrClosed", err)
	}
}

func TestProposeContextCanceled(t *testing.T) {
	n := openTest(t, testConfig(vfs.NewMem(), nil))
	defer n.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := n.Propose(ctx, []byte("x")); err != nil && !errors.Is(err, context.Canceled) {
		t.Errorf("Propose(canceled) error = %v; want nil or context.Canceled", err)
	}
	if _, err := n.Propose(context.Background(), []byte("y")); err != nil {
		t.Errorf("Propose after a canceled one: %v", err)
	}
}

func TestOpenRejectsUnknownVersion(t *testing.T) {
	fs := vfs.NewMem()
	cfg := testConfig(fs, nil)
	n := openTest(t, cfg)
	n.Close()
	rewrite(t, fs, cfg.Dir, func(db *pebble.DB) {
		if err := db.Set(keyVersion, []byte{9, 0, 0, 0}, pebble.Sync); err != nil {
			t.Fatal(err)
		}
	})
	_, err := Open(testConfigWith(cfg, newCounterMachine()))
	if !errors.Is(err, ErrVersion) {
		t.Errorf("Open error = %v; want ErrVersion", err)
	}
}

func testConfigWith(cfg Config, m Machine) Config {
	cfg.Machine = m
	return cfg
}

// rewrite opens the store directly, for tests that damage it.
func rewrite(t testing.TB, fs vfs.FS, dir string, fn func(db *pebble.DB)) {
	t.Helper()
	db, err := pebble.Open(dir, &pebble.Options{FS: fs, Logger: pebbleLogger{slog.New(slog.DiscardHandler)}})
	if err != nil {
		t.Fatal(err)
	}
	fn(db)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestWaitRecordedReadYourWrites(t *testing.T) {
	n := openTest(t, testConfig(vfs.NewMem(), nil))
	defer n.Close()
	ctx := context.Background()
	for i := range 20 {
		cmd := fmt.Appendf(nil, "ryw-%d", i)
		_, index, err := n.ProposeBatchIndex(ctx, [][]byte{cmd})
		if err != nil {
			t.Fatal(err)
		}
		// A client that knows only Status() must still see its own entry.
		if applied := n.Status().Applied; applied < index {
			t.Fatalf("answered for entry %d while Status().Applied = %d", index, applied)
		}
		if err := n.WaitRecorded(ctx, index); err != nil {
			t.Fatal(err)
		}
		v, closer, err := n.Store().Get(historyKey(index))
		if err != nil {
			t.Fatalf("history of entry %d after WaitRecorded: %v", index, err)
		}
		_, cmds, err := decodeFrame(v, nil)
		if err != nil || len(cmds) != 1 || !bytes.Equal(cmds[0], cmd) {
			t.Errorf("history of entry %d = %q, %v; want [%q]", index, cmds, err, cmd)
		}
		closer.Close()
	}
}

// A recorder failure stops the node; after a restart with a working
// recorder the history is complete and exactly-once.
func TestRecorderFailureStopsNode(t *testing.T) {
	fs := vfs.NewMem()
	cfg := testConfig(fs, nil)
	cfg.SnapshotEntries = 4
	errBroken := errors.New("history store broken")
	var broken sync.Once
	cfg.Record = func(index uint64, unixNano int64, cmds [][]byte, results []any, b *pebble.Batch) error {
		for _, c := range cmds {
			if string(c) == "poison" {
				var err error
				broken.Do(func() { err = errBroken })
				if err != nil {
					return err
				}
			}
		}
		return recordHistory(index, unixNano, cmds, results, b)
	}
	n := openTest(t, cfg)
	ctx := context.Background()
	acked := map[string]bool{}
	for i := range 10 {
		c := fmt.Sprintf("before-%d", i)
		if _, err := n.Propose(ctx, []byte(c)); err != nil {
			t.Fatal(err)
		}
		acked[c] = true
	}
	// The poisoned entry is applied and acknowledged: the recorder runs behind.
	if _, err := n.Propose(ctx, []byte("poison")); err != nil {
		t.Fatal(err)
	}
	acked["poison"] = true
	err := n.WaitRecorded(ctx, n.Status().Applied)
	if !errors.Is(err, errBroken) || !errors.Is(err, ErrClosed) {
		t.Fatalf("WaitRecorded = %v; want ErrClosed wrapping the recorder's error", err)
	}
	if _, err := n.Propose(ctx, []byte("after")); !errors.Is(err, errBroken) {
		t.Errorf("Propose after recorder failure = %v; want the recorder's error", err)
	}
	n.Close()

	n = openTest(t, cfg)
	defer n.Close()
	if err := n.WaitRecorded(ctx, n.Status().Applied); err != nil {
		t.Fatal(err)
	}
	history := checkHistory(t, n.Node, acked)
	if len(history) != len(acked) {
		t.Errorf("history holds %d commands; want %d", len(history), len(acked))
	}
}

// TestSnapshotsFollowLogVolume checks that a snapshot waits until the log
// since the last one is snapshotLogRatio times the snapshot's size, however
// often the entry count says one is due: a large state under small entries
// is not encoded over and over, and snapshots still follow the log.
func TestSnapshotsFollowLogVolume(t *testing.T) {
	cfg := testConfig(vfs.NewMem(), nil)
	cfg.SnapshotEntries = 1
	n := openTest(t, cfg)
	defer n.Close()
	ctx := context.Background()
	for i := range 300 {
		if _, err := n.Propose(ctx, fmt.Appendf(nil, "key-%03d", i)); err != nil {
			t.Fatal(err)
		}
	}
	var size int
	n.View(func() { size = len(n.m.encode()) })
	before := n.Status().SnapshotsTaken
	const entries, cmdLen, frameMax = 3000, 7, 64
	for i := range entries {
		if _, err := n.Propose(ctx, fmt.Appendf(nil, "key-%03d", i%300)); err != nil {
			t.Fatal(err)
		}
	}
	taken := int(n.Status().SnapshotsTaken - before)
	most := entries*(cmdLen+frameMax)/(snapshotLogRatio*size) + 1
	least := entries*cmdLen/(snapshotLogRatio*size) - 1
	if taken > most || taken < max(least, 1) {
		t.Errorf("%d snapshots of %d bytes over %d entries; want %d to %d", taken, size, entries, max(least, 1), most)
	}
}
