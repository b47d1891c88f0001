package node

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"
	pb "go.etcd.io/raft/v3/raftpb"
)

// stored is everything the node keeps in Pebble, read and checked.
type stored struct {
	fresh       bool
	initialConf *pb.ConfState
	hardState   *pb.HardState // nil if never written
	recorded    uint64
	snap        *snapshotMeta // newest snapshot; nil if none
	snapData    []byte
	snapshots   int         // snapshot records present (older ones await deletion)
	ents        []*pb.Entry // the log after the snapshot, contiguous
	stale       int         // log records at or below the snapshot (deletion not yet durable)
}

// load reads the node's key space and checks it: every checksum, contiguous
// log indexes starting right after the snapshot, non-decreasing terms, a
// commit index the log covers and a recorder that has reached the snapshot.
func load(db *pebble.DB) (*stored, error) {
	st := &stored{}
	v, closer, err := db.Get(keyVersion)
	switch {
	case errors.Is(err, pebble.ErrNotFound):
		st.fresh = true
	case err != nil:
		return nil, err
	default:
		ok := len(v) == 4 && binary.LittleEndian.Uint32(v) == layoutVersion
		got := append([]byte(nil), v...)
		closer.Close()
		if !ok {
			return nil, fmt.Errorf("%w: key %q holds %x, want %d", ErrVersion, keyVersion, got, layoutVersion)
		}
	}

	iter, err := db.NewIter(&pebble.IterOptions{LowerBound: keyPrefix, UpperBound: prefixEnd(keyPrefix)})
	if err != nil {
		return nil, err
	}
	defer iter.Close()
	for valid := iter.First(); valid; valid = iter.Next() {
		key, value := iter.Key(), iter.Value()
		switch {
		case bytes.Equal(key, keyVersion):
		case bytes.Equal(key, keyConfState):
			if st.initialConf, err = decodeConfState(value); err != nil {
				return nil, err
			}
		case bytes.Equal(key, keyHardState):
			if st.hardState, err = decodeHardState(value); err != nil {
				return nil, err
			}
		case bytes.Equal(key, keyRecorded):
			if st.recorded, err = decodeRecorded(value); err != nil {
				return nil, err
			}
		case bytes.HasPrefix(key, keyLogPrefix):
			e, err := decodeLogEntry(key, value)
			if err != nil {
				return nil, err
			}
			e.Data = bytes.Clone(e.Data) // the iterator reuses its buffers
			st.ents = append(st.ents, e)
		case bytes.HasPrefix(key, keySnapPrefix):
			// Snapshots sort by index; the last one read is the newest.
			// Older ones are checked too: a corrupt one means the disk
			// is lying and the operator should know.
			meta, data, err := decodeSnapshot(key, value)
			if err != nil {
				return nil, err
			}
			st.snap, st.snapData = meta, bytes.Clone(data)
			st.snapshots++
		default:
			return nil, fmt.Errorf("%w: unknown node key %q", ErrCorrupt, key)
		}
	}
	if err := iter.Error(); err != nil {
		return nil, err
	}
	return st, st.check()
}

func (st *stored) check() error {
	if st.fresh {
		if st.initialConf != nil || st.hardState != nil || st.snap != nil || len(st.ents) > 0 {
			return fmt.Errorf("%w: node keys present but layout version key %q missing", ErrCorrupt, keyVersion)
		}
		return nil
	}
	if st.initialConf == nil {
		return fmt.Errorf("%w: initial conf state (key %q) missing", ErrCorrupt, keyConfState)
	}
	var snapIndex, snapTerm uint64
	if st.snap != nil {
		snapIndex, snapTerm = st.snap.Index, st.snap.Term
	}
	// Log records at or below the snapshot are left over from a compaction
	// whose unsynced range deletion was lost; they are superseded.
	i := 0
	for i < len(st.ents) && st.ents[i].GetIndex() <= snapIndex {
		i++
	}
	st.stale, st.ents = i, st.ents[i:]
	prevIndex, prevTerm := snapIndex, snapTerm
	for _, e := range st.ents {
		if e.GetIndex() != prevIndex+1 {
			return fmt.Errorf("%w: log gap: entry %d (key %q) follows %d", ErrCorrupt, e.GetIndex(), logKey(e.GetIndex()), prevIndex)
		}
		if e.GetTerm() < prevTerm {
			return fmt.Errorf("%w: log entry %d (key %q): term %d below previous term %d", ErrCorrupt, e.GetIndex(), logKey(e.GetIndex()), e.GetTerm(), prevTerm)
		}
		prevIndex, prevTerm = e.GetIndex(), e.GetTerm()
	}
	if (st.snap != nil || len(st.ents) > 0) && st.hardState == nil {
		return fmt.Errorf("%w: hard state (key %q) missing", ErrCorrupt, keyHardState)
	}
	if st.hardState != nil {
		if c := st.hardState.GetCommit(); c > prevIndex {
			return fmt.Errorf("%w: hard state commits index %d but the log ends at %d (committed entries missing)", ErrCorrupt, c, prevIndex)
		}
		if st.hardState.GetTerm() < prevTerm {
			return fmt.Errorf("%w: hard state term %d below last log term %d", ErrCorrupt, st.hardState.GetTerm(), prevTerm)
		}
		if st.hardState.GetCommit() < snapIndex {
			// The snapshot proves commitment up to its index.
			st.hardState.Commit = new(snapIndex)
		}
	}
	if st.recorded < snapIndex {
		return fmt.Errorf("%w: recorder index %d (key %q) below snapshot %d: history would have a hole", ErrCorrupt, st.recorded, keyRecorded, snapIndex)
	}
	if st.recorded > prevIndex {
		return fmt.Errorf("%w: recorder index %d (key %q) beyond the log's last index %d", ErrCorrupt, st.recorded, keyRecorded, prevIndex)
	}
	return nil
}

// initialize writes the layout version and the bootstrap membership of a new
// data directory: a one-voter group of this node. Bootstrapping through
// storage rather than RawNode.Bootstrap keeps membership out of the log.
func initialize(db *pebble.DB, st *stored) error {
	st.initialConf = &pb.ConfState{Voters: []uint64{selfID}}
	cs, err := encodeConfState(st.initialConf)
	if err != nil {
		return err
	}
	b := db.NewBatch()
	defer b.Close()
	var v [4]byte
	binary.LittleEndian.PutUint32(v[:], layoutVersion)
	if err := b.Set(keyVersion, v[:], nil); err != nil {
		return err
	}
	if err := b.Set(keyConfState, cs, nil); err != nil {
		return err
	}
	return b.Commit(pebble.Sync)
}

// removeStale deletes older snapshots and log entries covered by the newest
// snapshot, left behind when a crash lost a compaction's unsynced deletions.
func removeStale(db *pebble.DB, st *stored) error {
	if st.snap == nil || (st.snapshots <= 1 && st.stale == 0) {
		return nil
	}
	b := db.NewBatch()
	defer b.Close()
	if err := b.DeleteRange(snapKey(0), snapKey(st.snap.Index), nil); err != nil {
		return err
	}
	if err := b.DeleteRange(logKey(0), logKey(st.snap.Index+1), nil); err != nil {
		return err
	}
	return b.Commit(pebble.NoSync)
}

// prefixEnd returns the smallest key greater than every key with prefix p.
func prefixEnd(p []byte) []byte {
	end := bytes.Clone(p)
	for i := len(end) - 1; i >= 0; i-- {
		end[i]++
		if end[i] != 0 {
			return end[:i+1]
		}
	}
	return nil
}

// pebbleLogger routes Pebble's log through slog.
type pebbleLogger struct{ l *slog.Logger }

func (p pebbleLogger) Infof(format string, args ...any) {
	p.l.Debug("pebble: " + fmt.Sprintf(format, args...))
}

func (p pebbleLogger) Errorf(format string, args ...any) {
	p.l.Error("pebble: " + fmt.Sprintf(format, args...))
}

func (p pebbleLogger) Fatalf(format string, args ...any) {
	panic("pebble: " + fmt.Sprintf(format, args...))
}

// stallListener warns of what holds up every commit: Pebble stopping writes
// while too many memtables or level-0 files wait to be flushed or compacted.
func stallListener(log *slog.Logger) *pebble.EventListener {
	var began atomic.Int64 // unix nanoseconds
	return &pebble.EventListener{
		WriteStallBegin: func(info pebble.WriteStallBeginInfo) {
			began.Store(time.Now().UnixNano())
			log.Warn("node: storage write stall", "reason", info.Reason)
		},
		WriteStallEnd: func() {
			log.Warn("node: storage write stall ended", "after", time.Since(time.Unix(0, began.Load())).String())
		},
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
