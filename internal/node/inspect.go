package node

import (
	"fmt"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
	pb "go.etcd.io/raft/v3/raftpb"
)

// Report says what Inspect checked and found.
type Report struct {
	Snapshots      int    // snapshot records present, all checksummed
	SnapshotIndex  uint64 // newest snapshot (0 = none)
	SnapshotTerm   uint64
	SnapshotBytes  int
	SnapshotDigest [32]byte
	FirstIndex     uint64 // first retained log entry after the snapshot
	LastIndex      uint64 // last log entry
	Entries        uint64 // log entries checked and replayed
	StaleEntries   int    // entries at or below the snapshot awaiting deletion
	CommandEntries uint64 // entries carrying commands
	Commands       uint64 // commands replayed
	Term           uint64 // hard state term
	Commit         uint64 // hard state commit index
	RecordedIndex  uint64 // history recorder's index
	FirstUnixNano  int64  // time of the first replayed command entry
	LastUnixNano   int64  // time of the last replayed command entry
	Digest         [32]byte
	Corruption     string // the first integrity failure; empty if none
}

// Inspect checks a data directory without changing it: every log record and
// snapshot checksum, index contiguity, the snapshot digest after restoring m
// from it, frame decoding and strictly increasing entry times while replaying
// the whole retained tail into m. m must be in its initial state. Corruption
// is returned as an error wrapping ErrCorrupt and described in the report.
// Inspect is meant for a directory no node has open: Pebble's read-only mode
// takes no lock, and a live node's compactions may delete files under it.
func Inspect(dir string, fs vfs.FS, m Machine) (Report, error) {
	if fs == nil {
		fs = vfs.Default
	}
	var rep Report
	err := inspect(dir, fs, m, &rep)
	if err != nil {
		rep.Corruption = err.Error()
		return rep, fmt.Errorf("node: inspect %s: %w", dir, err)
	}
	return rep, nil
}

func inspect(dir string, fs vfs.FS, m Machine, rep *Report) error {
	opts := pebbleOptions(fs, discardLogger(), true)
	db, err := pebble.Open(dir, opts)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := load(db)
	if err != nil {
		return err
	}
	if st.fresh {
		return nil
	}
	rep.Snapshots, rep.StaleEntries, rep.RecordedIndex = st.snapshots, st.stale, st.recorded
	if st.hardState != nil {
		rep.Term, rep.Commit = st.hardState.GetTerm(), st.hardState.GetCommit()
	}
	var prevUnixNano int64
	rep.LastIndex = 0
	if st.snap != nil {
		rep.SnapshotIndex, rep.SnapshotTerm = st.snap.Index, st.snap.Term
		rep.SnapshotBytes, rep.SnapshotDigest = len(st.snapData), st.snap.Digest
		rep.LastIndex = st.snap.Index
		prevUnixNano = st.snap.UnixNano
		if err := restore(m, st.snap, st.snapData); err != nil {
			return err
		}
	}
	if len(st.ents) > 0 {
		rep.FirstIndex = st.ents[0].GetIndex()
	}
	for _, e := range st.ents {
		index := e.GetIndex()
		rep.Entries++
		rep.LastIndex = index
		if e.GetType() != pb.EntryNormal || len(e.GetData()) == 0 {
			continue
		}
		h, cmds, err := decodeFrame(e.GetData(), nil)
		if err != nil {
			return fmt.Errorf("%w: log entry %d (key %q): %v", ErrCorrupt, index, logKey(index), err)
		}
		if h.UnixNano <= prevUnixNano {
			return fmt.Errorf("%w: log entry %d (key %q): time %d not after previous %d", ErrCorrupt, index, logKey(index), h.UnixNano, prevUnixNano)
		}
		if rep.FirstUnixNano == 0 {
			rep.FirstUnixNano = h.UnixNano
		}
		prevUnixNano, rep.LastUnixNano = h.UnixNano, h.UnixNano
		if res := m.Apply(index, h.UnixNano, cmds); len(res) != len(cmds) {
			return fmt.Errorf("node: machine returned %d results for %d commands at entry %d", len(res), len(cmds), index)
		}
		rep.CommandEntries++
		rep.Commands += uint64(len(cmds))
	}
	rep.Digest = m.Digest()
	return nil
}
