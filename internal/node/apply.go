package node

import (
	"fmt"

	"github.com/cockroachdb/pebble/v2"
	"go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"
)

// applyLoop applies committed entries in log order, answers this node's
// clients, and takes snapshots at entry boundaries.
func (n *Node) applyLoop() {
	defer close(n.recordCh)
	for t := range n.applyCh {
		if n.isFailed() {
			continue // drain so that the run goroutine can exit
		}
		for _, e := range t.ents {
			if err := n.applyEntry(e); err != nil {
				n.fail(err)
				break
			}
		}
		if !n.isFailed() {
			if err := n.maybeSnapshot(t.conf); err != nil {
				n.fail(err)
			}
		}
		n.checkReady()
	}
}

func (n *Node) applyEntry(e *pb.Entry) error {
	index := e.GetIndex()
	applied := n.applied.Load()
	if index <= applied {
		return nil // covered by the restored snapshot
	}
	if index != applied+1 {
		panic(fmt.Sprintf("node: applying entry %d after %d", index, applied))
	}
	task := recordTask{index: index}
	if data := e.GetData(); e.GetType() == pb.EntryNormal && len(data) > 0 {
		h, cmds, err := decodeFrame(data, nil)
		if err != nil {
			return fmt.Errorf("%w: log entry %d (key %q): %v", ErrCorrupt, index, logKey(index), err)
		}
		n.mu.Lock()
		results := n.cfg.Machine.Apply(index, h.UnixNano, cmds)
		n.mu.Unlock()
		if len(results) != len(cmds) {
			panic(fmt.Sprintf("node: machine returned %d results for %d commands at entry %d", len(results), len(cmds), index))
		}
		// NB: applied and the counters advance before any client hears
		// its result, so a client that then reads Status() sees its own
		// entry (and WaitRecorded on it gives read-your-writes on the
		// history).
		n.applied.Store(index)
		n.lastApplied.Store(h.UnixNano)
		n.entriesApplied.Add(1)
		n.commandsApplied.Add(uint64(len(cmds)))
		n.bytesSinceSnap += uint64(len(data))
		n.answer(h, index, results)
		task.unixNano, task.cmds, task.results = h.UnixNano, cmds, results
	}
	n.applied.Store(index) // again, for an entry without commands
	n.recordCh <- task
	return nil
}

// answer gives each client of this node's proposal its own slice of results.
func (n *Node) answer(h frameHeader, index uint64, results []any) {
	if h.Proposer != n.incarnation {
		return
	}
	n.pmu.Lock()
	var p *proposal
	var lost []*proposal
	// Proposals are appended to the log in id order, so an older proposal
	// still waiting when a newer one applies was dropped by a leader change.
	for len(n.inflight) > 0 && n.inflight[0].id <= h.Proposal {
		q := n.inflight[0]
		n.inflight[0] = nil
		n.inflight = n.inflight[1:]
		if q.id == h.Proposal {
			p = q
			break
		}
		lost = append(lost, q)
	}
	n.pmu.Unlock()
	for _, q := range lost {
		answerErr(q.reqs, ErrLost)
	}
	if p == nil {
		return
	}
	off := 0
	for _, r := range p.reqs {
		end := off + len(r.cmds)
		r.results, r.index = results[off:end:end], index
		off = end
		r.done <- struct{}{}
	}
}

// maybeSnapshot takes a snapshot of the machine once enough log has
// accumulated. It runs between entries so the state is exactly that at the
// applied index; the recorder persists it once history has caught up.
func (n *Node) maybeSnapshot(conf *pb.ConfState) error {
	index := n.applied.Load()
	if index-n.snapTakenIndex < n.cfg.SnapshotEntries && n.bytesSinceSnap < n.cfg.SnapshotBytes {
		return nil
	}
	// Never snapshot a large state under a short log: it would be encoded
	// over and over. Replay stays bounded by snapshotLogRatio times the
	// state's size.
	if n.bytesSinceSnap < snapshotLogRatio*n.snapTakenBytes.Load() {
		return nil
	}
	// One snapshot at a time, so that captures (and the chunks they keep)
	// cannot pile up: a snapshot due before the last is written waits for
	// it. That takes a log growing by twice the state's size while one
	// snapshot is encoded and written, which is rare.
	if n.snapDone != nil {
		<-n.snapDone
	}
	term, err := n.storage.Term(index)
	if err != nil {
		return fmt.Errorf("node: snapshot at %d: term: %w", index, err)
	}
	// Only the capture holds up the apply loop: the machine's data is
	// encoded on a goroutine of its own, and the record goroutine hashes
	// and writes it once the history has caught up (see persistSnapshot).
	n.mu.Lock()
	encode := n.cfg.Machine.Capture()
	n.mu.Unlock()
	data := make(chan []byte, 1)
	go func() { data <- encode() }()
	meta := &snapshotMeta{Index: index, Term: term, UnixNano: n.lastApplied.Load(), Conf: conf}
	n.snapDone = make(chan struct{})
	n.recordCh <- recordTask{index: index, snap: meta, data: data, done: n.snapDone}
	n.snapTakenIndex = index
	n.bytesSinceSnap = 0
	return nil
}

// recordLoop runs the history recorder and persists snapshots. Both follow
// the apply goroutine through one ordered queue, so a snapshot at index i is
// handled only after entry i has been recorded.
func (n *Node) recordLoop() {
	defer n.finish()
	b := n.db.NewBatch()
	defer func() { _ = b.Close() }()
	for t := range n.recordCh {
		if t.done != nil {
			if !n.isFailed() {
				if err := n.persistSnapshot(t.snap, <-t.data); err != nil {
					n.fail(err)
				}
			}
			close(t.done) // written, or never will be: the apply loop may go on
			continue
		}
		if n.isFailed() {
			continue
		}
		if err := n.record(b, t); err != nil {
			n.fail(err)
		}
	}
}

func (n *Node) record(b *pebble.Batch, t recordTask) error {
	if t.index <= n.recordedIndex() {
		return nil // recorded before a restart
	}
	b.Reset()
	if n.cfg.Record != nil && len(t.cmds) > 0 {
		if err := n.cfg.Record(t.index, t.unixNano, t.cmds, t.results, b); err != nil {
			return fmt.Errorf("node: record entry %d: %w", t.index, err)
		}
	}
	if err := b.Set(keyRecorded, encodeRecorded(t.index), nil); err != nil {
		return err
	}
	// NB: no sync. A crash may lose recent history together with its
	// recorder index (same batch), and the log still holds those entries:
	// compaction never passes a synced snapshot, and the snapshot's sync
	// makes every earlier recorder batch durable.
	if err := b.Commit(pebble.NoSync); err != nil {
		return fmt.Errorf("node: record entry %d: %w", t.index, err)
	}
	n.setRecorded(t.index)
	return nil
}

// persistSnapshot makes a snapshot durable and only then deletes older
// snapshots and the log it covers.
func (n *Node) persistSnapshot(meta *snapshotMeta, data []byte) error {
	if rec := n.recordedIndex(); rec < meta.Index {
		panic(fmt.Sprintf("node: snapshot at %d ahead of recorder at %d", meta.Index, rec))
	}
	n.snapTakenBytes.Store(uint64(len(data)))
	meta.Digest = n.cfg.Machine.SnapshotDigest(data)
	key := snapKey(meta.Index)
	conf, err := proto.Marshal(meta.Conf)
	if err != nil {
		return fmt.Errorf("node: snapshot at %d: %w", meta.Index, err)
	}
	if len(conf) > snapConfLenMax {
		return fmt.Errorf("node: snapshot at %d: conf state of %d bytes exceeds %d", meta.Index, len(conf), snapConfLenMax)
	}
	size := snapshotLen(conf, data)
	sb := n.db.NewBatchWithSize(size + len(key) + 64)
	defer sb.Close()
	// NB: the record is built in the batch's own memory: the state may be
	// large and this saves a copy of it.
	op := sb.SetDeferred(len(key), size)
	copy(op.Key, key)
	putSnapshot(op.Value, meta, conf, data)
	if err := op.Finish(); err != nil {
		return err
	}
	if err := sb.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("node: write snapshot %d: %w", meta.Index, err)
	}
	b := n.db.NewBatch()
	defer b.Close()
	if err := b.DeleteRange(snapKey(0), key, nil); err != nil {
		return err
	}
	if err := b.DeleteRange(logKey(0), logKey(meta.Index+1), nil); err != nil {
		return err
	}
	// NB: no sync; if the deletions are lost, Open ignores and removes log
	// entries at or below the newest snapshot.
	if err := b.Commit(pebble.NoSync); err != nil {
		return fmt.Errorf("node: compact log to %d: %w", meta.Index, err)
	}
	if _, err := n.storage.CreateSnapshot(meta.Index, meta.Conf, nil); err != nil && err != raft.ErrSnapOutOfDate {
		return fmt.Errorf("node: compact raft storage to %d: %w", meta.Index, err)
	}
	if err := n.storage.Compact(meta.Index); err != nil && err != raft.ErrCompacted {
		return fmt.Errorf("node: compact raft storage to %d: %w", meta.Index, err)
	}
	n.snapIndex.Store(meta.Index)
	n.firstIndex.Store(meta.Index + 1)
	n.snapshotsTaken.Add(1)
	n.log.Debug("node: snapshot", "index", meta.Index, "bytes", size)
	return nil
}
