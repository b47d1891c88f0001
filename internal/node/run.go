package node

import (
	"errors"
	"fmt"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"
)

// run is the raft goroutine: the only user of the RawNode. Each turn it turns
// the intake queue into entries, persists what raft hands out (one synced
// Pebble batch), and passes committed entries to the apply goroutine. While
// it waits for the sync, new proposals accumulate in the queue, which is what
// makes the next entry large.
func (n *Node) run() {
	defer close(n.applyCh)
	ticker := time.NewTicker(tickInterval)
	defer ticker.Stop()
	for {
		if !n.rn.HasReady() {
			select {
			case <-n.wake:
			case <-ticker.C:
				n.rn.Tick()
			case m := <-n.inbox:
				n.step(m)
			case <-n.stop:
				n.shutdown()
				return
			}
		} else {
			// Under steady load HasReady stays true; still notice the
			// clock and Close.
			select {
			case <-ticker.C:
				n.rn.Tick()
			case m := <-n.inbox:
				n.step(m)
			case <-n.stop:
				n.shutdown()
				return
			default:
			}
		}
		n.proposeQueued()
		if n.rn.HasReady() {
			if err := n.handleReady(); err != nil {
				n.fail(err)
				n.shutdown()
				return
			}
		}
	}
}

// step hands raft a message from another member.
func (n *Node) step(m *pb.Message) {
	if err := n.rn.Step(m); err != nil {
		n.log.Warn("node: raft message refused", "type", m.GetType().String(), "from", m.GetFrom(), "err", err)
	}
}

// shutdown stops intake and, unless the node failed, hands on whatever raft
// can still commit so that entries already synced are answered.
func (n *Node) shutdown() {
	n.qmu.Lock()
	n.closing = true
	queued := n.queue
	n.queue = nil
	close(n.space)
	n.qmu.Unlock()
	answerErr(queued, n.closedErr())
	// A one-voter group commits a synced entry on the next Ready; a cluster
	// may need a round trip that will not come, so the drain is bounded.
	for i := 0; i < 3 && !n.isFailed() && n.rn.HasReady(); i++ {
		if err := n.handleReady(); err != nil {
			n.fail(err)
		}
	}
}

// takeQueue removes and returns everything queued, waking proposers that
// waited for room.
func (n *Node) takeQueue() []*request {
	n.qmu.Lock()
	defer n.qmu.Unlock()
	if len(n.queue) == 0 {
		return nil
	}
	q := n.queue
	n.queue = nil
	n.queuedCmds, n.queuedBytes = 0, 0
	close(n.space)
	n.space = make(chan struct{})
	return q
}

// proposeQueued frames the queued requests into as few entries as the batch
// limits allow and proposes them.
func (n *Node) proposeQueued() {
	reqs := n.takeQueue()
	for len(reqs) > 0 {
		j, cmds, size := 0, 0, 0
		for j < len(reqs) {
			r := reqs[j]
			if j > 0 && (cmds+len(r.cmds) > n.cfg.BatchCommandsMax ||
				frameHeaderLen+uvarintLen(cmds+len(r.cmds))+size+r.frameBytes > n.cfg.BatchBytesMax) {
				break
			}
			cmds += len(r.cmds)
			size += r.frameBytes
			j++
		}
		n.proposalSeq++
		p := &proposal{id: n.proposalSeq, reqs: reqs[:j:j]}
		reqs = reqs[j:]

		// The leader assigns the time; strictly increasing even if the wall
		// clock steps back, so replay and every member see the same time.
		unixNano := max(n.cfg.Now().UnixNano(), n.lastUnixNano+1)
		data := make([]byte, 0, frameHeaderLen+uvarintLen(cmds)+size)
		data = appendFrameHeader(data, frameHeader{Proposer: n.incarnation, Proposal: p.id, UnixNano: unixNano, Count: cmds})
		for _, r := range p.reqs {
			for _, c := range r.cmds {
				data = appendCommand(data, c)
			}
		}
		if err := n.rn.Propose(data); err != nil {
			if errors.Is(err, raft.ErrProposalDropped) {
				err = ErrNotLeader
			}
			answerErr(p.reqs, err)
			continue
		}
		n.lastUnixNano = unixNano
		n.pmu.Lock()
		n.inflight = append(n.inflight, p)
		n.pmu.Unlock()
	}
}

// handleReady persists one Ready, sends its messages, hands its committed
// entries to the apply goroutine and advances raft.
func (n *Node) handleReady() error {
	rd := n.rn.Ready()
	if rd.SoftState != nil {
		n.leader.Store(rd.SoftState.RaftState == raft.StateLeader)
	}
	if !raft.IsEmptySnap(rd.Snapshot) {
		// Only a follower receives snapshots; installing one is part of
		// adding a transport.
		return errors.New("node: raft snapshot from a leader: not supported by a one-voter group")
	}
	// Committed entries that are already durable go to the apply goroutine
	// before this Ready's sync, so that applying entry i overlaps syncing
	// entry i+1. For a one-voter group that is all of them; a follower may
	// learn of a commit covering entries it has yet to persist.
	committed := rd.CommittedEntries
	durable := 0
	for durable < len(committed) && committed[durable].GetIndex() <= n.persistedLast {
		durable++
	}
	if err := n.dispatch(committed[:durable]); err != nil {
		return err
	}
	if err := n.persist(rd.Entries, rd.HardState); err != nil {
		return err
	}
	if err := n.storage.Append(rd.Entries); err != nil {
		return fmt.Errorf("node: append to raft storage: %w", err)
	}
	if !raft.IsEmptyHardState(rd.HardState) {
		n.hardState = rd.HardState
		if err := n.storage.SetHardState(rd.HardState); err != nil {
			return err
		}
		n.term.Store(rd.HardState.GetTerm())
		n.committed.Store(rd.HardState.GetCommit())
	}
	for _, e := range rd.Entries {
		if e.GetType() == pb.EntryNormal {
			if h, _, err := decodeFrameHeader(e.GetData()); err == nil {
				n.lastUnixNano = max(n.lastUnixNano, h.UnixNano)
			}
		}
	}
	n.lastIndex.Store(n.persistedLast)
	// NB: messages go out only after the entries they acknowledge are synced.
	n.transport.Send(rd.Messages)
	if err := n.dispatch(committed[durable:]); err != nil {
		return err
	}
	n.rn.Advance(rd)
	if n.leader.Load() && n.readyIndex.Load() == 0 {
		// The new leader's no-op entry is in this Ready; once it is applied
		// every entry of earlier terms is too.
		n.readyIndex.Store(n.persistedLast)
		n.checkReady()
	}
	return nil
}

// dispatch hands durable committed entries to the apply goroutine, applying
// membership changes to raft on the way.
func (n *Node) dispatch(ents []*pb.Entry) error {
	if len(ents) == 0 {
		return nil
	}
	for _, e := range ents {
		if err := n.applyConfChange(e); err != nil {
			return err
		}
	}
	n.applyCh <- applyTask{ents: ents, conf: n.conf}
	return nil
}

// applyConfChange applies a committed membership change to raft, which must
// happen on this goroutine.
func (n *Node) applyConfChange(e *pb.Entry) error {
	var cc pb.ConfChangeI
	switch e.GetType() {
	case pb.EntryConfChange:
		c := &pb.ConfChange{}
		if err := proto.Unmarshal(e.GetData(), c); err != nil {
			return fmt.Errorf("%w: log entry %d (key %q): conf change: %v", ErrCorrupt, e.GetIndex(), logKey(e.GetIndex()), err)
		}
		cc = c
	case pb.EntryConfChangeV2:
		c := &pb.ConfChangeV2{}
		if err := proto.Unmarshal(e.GetData(), c); err != nil {
			return fmt.Errorf("%w: log entry %d (key %q): conf change: %v", ErrCorrupt, e.GetIndex(), logKey(e.GetIndex()), err)
		}
		cc = c
	default:
		return nil
	}
	n.conf = n.rn.ApplyConfChange(cc)
	return nil
}

// persist writes entries and the hard state in one batch, synced when raft
// requires it (always when there are entries or a vote).
func (n *Node) persist(ents []*pb.Entry, hs *pb.HardState) error {
	emptyHS := raft.IsEmptyHardState(hs)
	if len(ents) == 0 && emptyHS {
		return nil
	}
	size := 64
	for _, e := range ents {
		// Pebble's record header is a few varints plus the key.
		size += 32 + indexedKeyLen + logHeaderLen + len(e.GetData())
	}
	b := n.db.NewBatchWithSize(size)
	defer b.Close()
	for _, e := range ents {
		k := logKey(e.GetIndex())
		op := b.SetDeferred(len(k), logHeaderLen+len(e.GetData()))
		copy(op.Key, k)
		putLogEntry(op.Value, k, e)
		if err := op.Finish(); err != nil {
			return fmt.Errorf("node: write log entry %d: %w", e.GetIndex(), err)
		}
	}
	last := n.persistedLast
	if len(ents) > 0 {
		last = ents[len(ents)-1].GetIndex()
		if last < n.persistedLast {
			// A new leader overwrote our suffix; drop what is beyond it.
			if err := b.DeleteRange(logKey(last+1), logKey(n.persistedLast+1), nil); err != nil {
				return err
			}
		}
	}
	sync := len(ents) > 0
	if !emptyHS {
		if err := b.Set(keyHardState, encodeHardState(hs), nil); err != nil {
			return err
		}
		sync = sync || raft.MustSync(hs, n.hardState, len(ents))
	}
	opts := pebble.NoSync
	if sync {
		opts = pebble.Sync
	}
	if err := b.Commit(opts); err != nil {
		return fmt.Errorf("node: persist log entries up to %d: %w", last, err)
	}
	n.persistedLast = last
	return nil
}
