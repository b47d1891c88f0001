package node

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// damagedDir builds a data directory with a snapshot and a log tail after it.
func damagedDir(t *testing.T) (vfs.FS, Config, Status) {
	t.Helper()
	fs := vfs.NewMem()
	cfg := testConfig(fs, nil)
	cfg.SnapshotEntries = 10
	n := openTest(t, cfg)
	ctx := context.Background()
	for i := range 25 {
		if _, err := n.ProposeBatch(ctx, [][]byte{fmt.Appendf(nil, "k%d", i), []byte("x")}); err != nil {
			t.Fatal(err)
		}
	}
	if err := n.Close(); err != nil {
		t.Fatal(err)
	}
	st := n.Status() // after Close: snapshots persist behind the recorder
	if st.SnapshotIndex == 0 || st.LastIndex <= st.SnapshotIndex+2 {
		t.Fatalf("Status = %+v; want a snapshot and a tail", st)
	}
	return fs, cfg, st
}

// wantCorrupt checks that Open and Inspect both refuse the directory with
// ErrCorrupt and a message containing each of want.
func wantCorrupt(t *testing.T, fs vfs.FS, cfg Config, want ...string) {
	t.Helper()
	n, err := Open(testConfigWith(cfg, newCounterMachine()))
	if err == nil {
		n.Close()
		t.Fatalf("Open succeeded on a damaged directory")
	}
	rep, ierr := Inspect(cfg.Dir, fs, newCounterMachine())
	for _, e := range []error{err, ierr} {
		if !errors.Is(e, ErrCorrupt) {
			t.Errorf("error = %v; want ErrCorrupt", e)
			continue
		}
		for _, w := range want {
			if !strings.Contains(e.Error(), w) {
				t.Errorf("error %q does not name %q", e, w)
			}
		}
	}
	if rep.Corruption == "" {
		t.Errorf("Inspect report %+v has no Corruption", rep)
	}
	t.Logf("Open: %v", err)
}

func flipByte(t *testing.T, db *pebble.DB, key []byte, at func(v []byte) int) {
	t.Helper()
	v, closer, err := db.Get(key)
	if err != nil {
		t.Fatalf("get %q: %v", key, err)
	}
	v = bytes.Clone(v)
	closer.Close()
	v[at(v)] ^= 0x20
	if err := db.Set(key, v, pebble.Sync); err != nil {
		t.Fatal(err)
	}
}

func TestCorruptLastLogEntry(t *testing.T) {
	fs, cfg, st := damagedDir(t)
	key := logKey(st.LastIndex)
	rewrite(t, fs, cfg.Dir, func(db *pebble.DB) {
		flipByte(t, db, key, func(v []byte) int { return len(v) - 1 })
	})
	wantCorrupt(t, fs, cfg, fmt.Sprintf("log entry %d", st.LastIndex), fmt.Sprintf("%q", key), "crc32c")
}

func TestCorruptLogEntryTerm(t *testing.T) {
	fs, cfg, st := damagedDir(t)
	index := st.SnapshotIndex + 1
	rewrite(t, fs, cfg.Dir, func(db *pebble.DB) {
		flipByte(t, db, logKey(index), func(v []byte) int { return crcLen })
	})
	wantCorrupt(t, fs, cfg, fmt.Sprintf("log entry %d", index))
}

func TestCorruptSnapshot(t *testing.T) {
	fs, cfg, st := damagedDir(t)
	key := snapKey(st.SnapshotIndex)
	rewrite(t, fs, cfg.Dir, func(db *pebble.DB) {
		flipByte(t, db, key, func(v []byte) int { return len(v) / 2 })
	})
	wantCorrupt(t, fs, cfg, fmt.Sprintf("snapshot %d", st.SnapshotIndex), fmt.Sprintf("%q", key), "crc32c")
}

// A snapshot whose checksum is intact but whose content does not restore to
// the recorded digest (a bug in Snapshot/Restore, say) is refused too.
func TestSnapshotDigestMismatch(t *testing.T) {
	fs, cfg, st := damagedDir(t)
	key := snapKey(st.SnapshotIndex)
	rewrite(t, fs, cfg.Dir, func(db *pebble.DB) {
		v, closer, err := db.Get(key)
		if err != nil {
			t.Fatal(err)
		}
		meta, data, err := decodeSnapshot(key, v)
		if err != nil {
			t.Fatal(err)
		}
		m := newCounterMachine()
		if err := m.Restore(meta.Index, data); err != nil {
			t.Fatal(err)
		}
		closer.Close()
		m.counts["x"]++ // a state that differs from the digest
		v, err = encodeSnapshot(meta, m.encode())
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Set(key, v, pebble.Sync); err != nil {
			t.Fatal(err)
		}
	})
	wantCorrupt(t, fs, cfg, fmt.Sprintf("snapshot %d", st.SnapshotIndex), "digest")
}

func TestLogGap(t *testing.T) {
	fs, cfg, st := damagedDir(t)
	missing := st.SnapshotIndex + 2
	rewrite(t, fs, cfg.Dir, func(db *pebble.DB) {
		if err := db.Delete(logKey(missing), pebble.Sync); err != nil {
			t.Fatal(err)
		}
	})
	wantCorrupt(t, fs, cfg, "gap", fmt.Sprintf("entry %d", missing+1), fmt.Sprintf("follows %d", missing-1))
}

// Losing synced, committed entries at the end of the log is not a torn
// tail: the hard state proves they were committed.
func TestCommittedEntriesMissing(t *testing.T) {
	fs, cfg, st := damagedDir(t)
	rewrite(t, fs, cfg.Dir, func(db *pebble.DB) {
		if err := db.DeleteRange(logKey(st.LastIndex-1), logKey(st.LastIndex+1), pebble.Sync); err != nil {
			t.Fatal(err)
		}
	})
	wantCorrupt(t, fs, cfg, "committed entries missing")
}

// A value moved under another index keeps a valid checksum of its own
// bytes, but the checksum is seeded with the key.
func TestLogEntryUnderWrongKey(t *testing.T) {
	fs, cfg, st := damagedDir(t)
	rewrite(t, fs, cfg.Dir, func(db *pebble.DB) {
		v, closer, err := db.Get(logKey(st.LastIndex - 1))
		if err != nil {
			t.Fatal(err)
		}
		v = bytes.Clone(v)
		closer.Close()
		if err := db.Set(logKey(st.LastIndex), v, pebble.Sync); err != nil {
			t.Fatal(err)
		}
	})
	wantCorrupt(t, fs, cfg, fmt.Sprintf("log entry %d", st.LastIndex))
}

func TestInspectHealthy(t *testing.T) {
	fs, cfg, st := damagedDir(t)
	rep, err := Inspect(cfg.Dir, fs, newCounterMachine())
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	if rep.SnapshotIndex != st.SnapshotIndex || rep.LastIndex != st.LastIndex ||
		rep.Entries != st.LastIndex-st.SnapshotIndex || rep.Corruption != "" {
		t.Errorf("Inspect = %+v; want snapshot %d, entries %d..%d", rep, st.SnapshotIndex, st.SnapshotIndex+1, st.LastIndex)
	}
	// Inspect is read-only: the directory still opens to the same state.
	n := openTest(t, cfg)
	defer n.Close()
	if got := n.Status().SnapshotIndex; got != st.SnapshotIndex {
		t.Errorf("SnapshotIndex after Inspect = %d; want %d", got, st.SnapshotIndex)
	}
}
