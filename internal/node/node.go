// Package node makes commands durable and ordered and drives a deterministic
// state machine with them.
//
// Clients propose commands; the node coalesces concurrent proposals into one
// raft log entry, stamps the entry with a strictly increasing time, persists
// it to Pebble with a sync, and, once raft reports it committed, applies it to
// the Machine and answers each client with its own results. A derived
// history recorder runs behind the acknowledgements, exactly once per entry
// over the life of the data directory. Snapshots of the machine bound the log
// and the restart time.
//
// Three goroutines form a pipeline so that the sync of one entry overlaps the
// application of the previous one:
//
//	run:    intake queue → raft.RawNode → persist (sync) → committed entries
//	apply:  Machine.Apply → answer clients → take snapshots
//	record: Config.Record → persist snapshots → compact the log
//
// Failures: integrity failures in stored data (checksums, index gaps, a
// snapshot that does not restore to its recorded digest) make Open and
// Inspect return an error wrapping ErrCorrupt that names the index and key.
// A torn tail of unsynced writes is not corruption: Pebble's WAL recovery
// drops it, and no proposal in it was acknowledged. A failed write or sync
// of Pebble's WAL crashes the process (Pebble's policy, which the node's
// logger keeps): retrying an fsync can report success for lost data, so the
// only safe recovery is a restart from what is durable. Errors from the
// recorder or the machine's Snapshot stop the node; waiting proposals fail
// with ErrClosed wrapping the cause.
//
// The package knows nothing about payments.
package node

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
	"go.etcd.io/raft/v3"
	pb "go.etcd.io/raft/v3/raftpb"
)

// Machine is the deterministic state machine the node drives. Apply is called
// from one goroutine at a time, never concurrently with View callbacks.
type Machine interface {
	// Apply applies the commands of one committed log entry, in order, at the
	// entry's log-assigned time (unix nanoseconds), and returns one result per command.
	Apply(index uint64, unixNano int64, cmds [][]byte) []any
	// Capture takes the full state as of the last applied index and returns
	// a function that encodes it. Capture runs on the apply goroutine and
	// should be quick; the node calls encode on another goroutine while
	// Apply goes on, and encode must see nothing that later Apply calls
	// change.
	Capture() (encode func() []byte)
	// Restore replaces the state with a snapshot taken at index. NB: index
	// may exceed the last index passed to Apply, because entries without
	// commands (a new leader's no-op) are not passed to Apply.
	Restore(index uint64, data []byte) error
	// Digest is a hash over the canonical state (same log -> same digest).
	Digest() [32]byte
	// SnapshotDigest is the Digest of the state that data (from an encode
	// Capture returned) encodes, computed from the bytes alone: the node
	// calls it off the apply goroutine while the machine goes on applying.
	SnapshotDigest(data []byte) [32]byte
}

// Limits and defaults, named in one place.
const (
	// batchCommandsMaxDefault lets four in-flight client batches of 8190
	// commands share one entry.
	batchCommandsMaxDefault = 32768
	batchBytesMaxDefault    = 8 << 20
	// memTableBytes is Pebble's memtable size; see pebbleOptions.
	memTableBytes = 64 << 20
	// memTableStopWrites is how many memtables may fill before Pebble
	// stops all writes until one is flushed. With its default of 2, the
	// durable benchmark stalled every commit 4 times in 15 s, for 157 to
	// 611 ms each ("memtable count limit reached"); with 6 it did not stall
	// in 2 runs. Memtables are only filled as they are written.
	memTableStopWrites = 6
	// snapshotEntriesDefault and snapshotBytesDefault: whichever is
	// reached first makes a snapshot due (snapshotLogRatio may defer it).
	snapshotEntriesDefault = 4096
	snapshotBytesDefault   = 32 << 20
	// snapshotLogRatio: a snapshot waits until the log since the last one
	// is at least snapshotLogRatio times that snapshot's size. Encoding,
	// hashing and writing a snapshot then costs less than writing the log
	// it covers, and a restart replays about snapshotLogRatio times the
	// state's size of log (or snapshotBytesDefault, if more) on top of
	// reading the snapshot.
	snapshotLogRatio = 2

	// commandsPerEntryLimit and bytesPerEntryLimit cap the configurable batch
	// limits; decoding trusts no count above them.
	commandsPerEntryLimit = 1 << 20
	bytesPerEntryLimit    = 64 << 20

	// queueEntriesMax bounds accepted-but-unproposed work to this many
	// entries' worth; proposers beyond it wait (backpressure, not loss).
	queueEntriesMax = 4
	// applyQueueMax bounds committed Ready batches waiting for the apply
	// goroutine, and recordQueueMax applied entries waiting for the recorder.
	applyQueueMax  = 4
	recordQueueMax = 16

	// The raft clock. A one-voter group never needs an election after the
	// first, but the ticks keep the code path the one a cluster uses.
	tickInterval   = 100 * time.Millisecond
	electionTicks  = 10
	heartbeatTicks = 1
	// committedBytesPerReady bounds one Ready's committed entries during replay.
	committedBytesPerReady = 256 << 20
	// raftMsgBytesMax and raftInflightMsgsMax bound replication traffic to
	// one follower (unused by a one-voter group).
	raftMsgBytesMax     = 16 << 20
	raftInflightMsgsMax = 64

	// selfID is this member's raft id; a one-voter group has only it.
	selfID = 1
)

// Errors returned by the node. Check them with errors.Is.
var (
	// ErrCorrupt means stored data failed an integrity check: a checksum, a
	// gap or overlap in log indexes, an undecodable record or a snapshot
	// whose restored digest differs from the recorded one.
	ErrCorrupt = errors.New("corrupt")
	// ErrVersion means the data directory uses a layout this code does not know.
	ErrVersion = errors.New("unknown data layout version")
	// ErrClosed means the node was closed before the proposal was answered.
	ErrClosed = errors.New("node: closed")
	// ErrTooLarge means a client batch does not fit in one log entry.
	ErrTooLarge = errors.New("node: batch too large for one log entry")
	// ErrNotLeader means no leader could take the proposal.
	ErrNotLeader = errors.New("node: no leader")
	// ErrLost means the proposal's entry was overwritten by a new leader's
	// log and will never apply; the client may retry with its idempotency key.
	ErrLost = errors.New("node: proposal lost in leader change")
)

// Config configures a Node.
type Config struct {
	Dir     string
	FS      vfs.FS  // nil = vfs.Default; tests use vfs.NewCrashableMem()
	Machine Machine // in its initial, empty state
	// Record, if set, writes derived records (the settled history: payments and
	// transfers indexed for queries) for one applied entry into b. The node commits
	// b together with the recorder's own applied index, so history is exactly-once.
	// Record runs in its own goroutine behind the acknowledgements, is called
	// only for entries that carry commands, and must write only keys whose
	// first byte is not 0x00 (the node's key space). An error stops the node;
	// the next Open resumes after the last recorded entry. Use the same Record
	// on every Open of a directory: entries applied without one are never
	// recorded later.
	Record func(index uint64, unixNano int64, cmds [][]byte, results []any, b *pebble.Batch) error
	// OnOpen, if set, is called with the store once it is open and before
	// any entry is replayed, so that Record can read what it wrote before.
	OnOpen           func(db *pebble.DB)
	BatchCommandsMax int              // commands per log entry (default 32768)
	BatchBytesMax    int              // framed bytes per log entry (default 8 MiB)
	SnapshotEntries  uint64           // take a snapshot and compact the log after this many entries (default 4096)
	SnapshotBytes    uint64           // ... or after this many bytes of command frames (default 32 MiB)
	Now              func() time.Time // nil = time.Now
	Logger           *slog.Logger     // nil = slog.Default()
}

func (c *Config) setDefaults() error {
	if c.Machine == nil {
		return errors.New("no machine")
	}
	if c.FS == nil {
		c.FS = vfs.Default
	}
	if c.BatchCommandsMax == 0 {
		c.BatchCommandsMax = batchCommandsMaxDefault
	}
	if c.BatchBytesMax == 0 {
		c.BatchBytesMax = batchBytesMaxDefault
	}
	if c.SnapshotEntries == 0 {
		c.SnapshotEntries = snapshotEntriesDefault
	}
	if c.SnapshotBytes == 0 {
		c.SnapshotBytes = snapshotBytesDefault
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.BatchCommandsMax < 1 || c.BatchCommandsMax > commandsPerEntryLimit {
		return fmt.Errorf("BatchCommandsMax %d not in [1, %d]", c.BatchCommandsMax, commandsPerEntryLimit)
	}
	if c.BatchBytesMax < frameHeaderLen+2*binary.MaxVarintLen64 || c.BatchBytesMax > bytesPerEntryLimit {
		return fmt.Errorf("BatchBytesMax %d not in [%d, %d]", c.BatchBytesMax, frameHeaderLen+2*binary.MaxVarintLen64, bytesPerEntryLimit)
	}
	return nil
}

// Status is a point-in-time view of a node.
type Status struct {
	Leader          bool
	Term            uint64
	Applied         uint64 // last index applied to the machine
	Committed       uint64 // raft commit index
	FirstIndex      uint64 // first index still in the log
	LastIndex       uint64 // last index in the log
	SnapshotIndex   uint64 // index of the newest durable snapshot (0 = none)
	RecordedIndex   uint64 // last index the history recorder has committed
	EntriesApplied  uint64 // command entries applied since Open
	CommandsApplied uint64 // commands applied since Open
	SnapshotsTaken  uint64 // snapshots made durable since Open
	LastUnixNano    int64  // time of the last applied command entry
}

// Node is one member of the log group and the owner of its data directory.
type Node struct {
	cfg       Config
	db        *pebble.DB
	log       *slog.Logger
	storage   *raft.MemoryStorage
	transport transport
	// inbox carries messages from other members to the run goroutine; nil
	// (never ready) in a one-voter group.
	inbox chan *pb.Message
	// incarnation identifies this process's proposals in the log, so that
	// entries proposed before a restart are never mistaken for new ones.
	incarnation uint64

	// mu lets View callers see the machine between entries.
	mu sync.RWMutex

	// Intake: proposals accepted but not yet in a log entry.
	qmu         sync.Mutex
	queue       []*request
	queuedCmds  int
	queuedBytes int
	space       chan struct{} // closed and replaced when the queue is taken
	closing     bool          // REQUIRES: qmu held
	wake        chan struct{}

	// Proposals in the log but not yet applied, in proposal order.
	pmu      sync.Mutex
	inflight []*proposal

	// Owned by the run goroutine.
	rn            *raft.RawNode
	hardState     *pb.HardState
	persistedLast uint64
	proposalSeq   uint64
	lastUnixNano  int64 // greatest entry time seen in the log
	conf          *pb.ConfState

	// Owned by the apply goroutine.
	snapTakenIndex uint64
	snapTakenBytes atomic.Uint64 // size of the machine data in the last snapshot (set when encoded)
	snapDone       chan struct{} // closed when the last snapshot sent to the recorder is written
	bytesSinceSnap uint64

	applyCh  chan applyTask
	recordCh chan recordTask

	// Published state.
	applied, committed, lastIndex, firstIndex atomic.Uint64
	term, snapIndex, snapshotsTaken           atomic.Uint64
	entriesApplied, commandsApplied           atomic.Uint64
	leader                                    atomic.Bool
	lastApplied                               atomic.Int64

	recMu    sync.Mutex
	recorded uint64        // REQUIRES: recMu held
	recAdv   chan struct{} // closed and replaced when recorded advances

	readyIndex atomic.Uint64 // applied index at which Open may return; 0 = not leader yet
	readyOnce  sync.Once
	readyCh    chan struct{}

	failOnce sync.Once
	failed   chan struct{}
	failErr  error // set before failed is closed

	stopOnce  sync.Once
	stop      chan struct{}
	done      chan struct{} // closed when all goroutines have exited
	closeOnce sync.Once
	closeErr  error
}

// request is one client batch waiting for its results.
type request struct {
	cmds       [][]byte
	one        [1][]byte // backing for single-command proposals
	frameBytes int       // bytes the commands take inside a frame
	results    []any
	index      uint64 // log index of the entry that carried the request
	err        error
	done       chan struct{} // capacity 1: the answer never blocks
}

var requestPool = sync.Pool{New: func() any { return &request{done: make(chan struct{}, 1)} }}

// proposal is one log entry proposed by this node.
type proposal struct {
	id   uint64
	reqs []*request
}

// applyTask is a run of committed entries and the membership after them.
type applyTask struct {
	ents []*pb.Entry
	conf *pb.ConfState
}

// recordTask is an applied entry for the recorder, or a snapshot to persist.
type recordTask struct {
	index    uint64
	unixNano int64
	cmds     [][]byte
	results  []any
	snap     *snapshotMeta
	data     <-chan []byte   // the snapshot's machine data, once encoded
	done     chan<- struct{} // closed when the snapshot is written (or the node failed)
}

// Open opens (or creates) the data directory, restores the newest snapshot,
// replays the log tail, becomes leader and returns once every entry in the
// log has been applied.
func Open(cfg Config) (*Node, error) {
	if err := cfg.setDefaults(); err != nil {
		return nil, fmt.Errorf("node: open %s: %w", cfg.Dir, err)
	}
	n, err := open(cfg)
	if err != nil {
		return nil, fmt.Errorf("node: open %s: %w", cfg.Dir, err)
	}
	return n, nil
}

func open(cfg Config) (*Node, error) {
	db, err := pebble.Open(cfg.Dir, pebbleOptions(cfg.FS, cfg.Logger, false))
	if err != nil {
		return nil, err
	}
	if cfg.OnOpen != nil {
		cfg.OnOpen(db)
	}
	n, err := start(cfg, db)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return n, nil
}

func pebbleOptions(fs vfs.FS, log *slog.Logger, readOnly bool) *pebble.Options {
	return &pebble.Options{
		FS:                 fs,
		ReadOnly:           readOnly,
		FormatMajorVersion: pebble.FormatNewest,
		// A memtable larger than the log between snapshots lets most
		// entries meet the compaction's range deletion before a flush, so
		// they are never written to an sstable.
		MemTableSize:                memTableBytes,
		MemTableStopWritesThreshold: memTableStopWrites,
		Logger:                      pebbleLogger{log},
		EventListener:               stallListener(log),
	}
}

func start(cfg Config, db *pebble.DB) (*Node, error) {
	st, err := load(db)
	if err != nil {
		return nil, err
	}
	if st.fresh {
		if err := initialize(db, st); err != nil {
			return nil, err
		}
	}
	if err := removeStale(db, st); err != nil {
		return nil, err
	}
	m := cfg.Machine
	var snapIndex, snapTerm uint64
	conf := st.initialConf
	var lastUnixNano int64
	if st.snap != nil {
		if err := restore(m, st.snap, st.snapData); err != nil {
			return nil, err
		}
		snapIndex, snapTerm, conf, lastUnixNano = st.snap.Index, st.snap.Term, st.snap.Conf, st.snap.UnixNano
	}
	snapBytes := len(st.snapData)
	st.snapData = nil // let the collector have it while the machine holds the state

	var incarnation [8]byte
	if _, err := crand.Read(incarnation[:]); err != nil {
		return nil, err
	}
	n := &Node{
		cfg:         cfg,
		db:          db,
		log:         cfg.Logger,
		storage:     raft.NewMemoryStorage(),
		transport:   noTransport{log: cfg.Logger},
		incarnation: binary.LittleEndian.Uint64(incarnation[:]),
		space:       make(chan struct{}),
		wake:        make(chan struct{}, 1),
		applyCh:     make(chan applyTask, applyQueueMax),
		recordCh:    make(chan recordTask, recordQueueMax),
		recorded:    st.recorded,
		recAdv:      make(chan struct{}),
		readyCh:     make(chan struct{}),
		failed:      make(chan struct{}),
		stop:        make(chan struct{}),
		done:        make(chan struct{}),
		conf:        conf,
		hardState:   st.hardState,
	}
	// The raft log's view of the snapshot: metadata only. The machine data
	// stays in Pebble; sending it to a lagging follower is a cluster concern.
	if err := n.storage.ApplySnapshot(&pb.Snapshot{Metadata: &pb.SnapshotMetadata{
		Index: new(snapIndex), Term: new(snapTerm), ConfState: conf,
	}}); err != nil {
		return nil, err
	}
	if err := n.storage.Append(st.ents); err != nil {
		return nil, err
	}
	if st.hardState != nil {
		if err := n.storage.SetHardState(st.hardState); err != nil {
			return nil, err
		}
	}
	for _, e := range st.ents {
		if h, _, err := decodeFrameHeader(e.GetData()); err == nil && e.GetType() == pb.EntryNormal {
			lastUnixNano = max(lastUnixNano, h.UnixNano)
		}
	}
	n.lastUnixNano = lastUnixNano
	n.lastApplied.Store(lastUnixNano)
	n.persistedLast = snapIndex
	if len(st.ents) > 0 {
		n.persistedLast = st.ents[len(st.ents)-1].GetIndex()
	}
	n.applied.Store(snapIndex)
	n.snapIndex.Store(snapIndex)
	n.snapTakenIndex = snapIndex
	n.snapTakenBytes.Store(uint64(snapBytes))
	n.firstIndex.Store(snapIndex + 1)
	n.lastIndex.Store(n.persistedLast)
	n.proposalSeq = uint64(cfg.Now().UnixNano()) // readable in logs; uniqueness comes from incarnation

	n.rn, err = raft.NewRawNode(&raft.Config{
		ID:                       selfID,
		ElectionTick:             electionTicks,
		HeartbeatTick:            heartbeatTicks,
		Storage:                  n.storage,
		Applied:                  snapIndex,
		MaxSizePerMsg:            raftMsgBytesMax,
		MaxCommittedSizePerReady: committedBytesPerReady,
		MaxInflightMsgs:          raftInflightMsgsMax,
		PreVote:                  true,
		Logger:                   raftLogger{cfg.Logger},
	})
	if err != nil {
		return nil, err
	}
	// A one-voter group elects itself at once; in a cluster this becomes
	// "campaign if the configuration says so".
	if err := n.rn.Campaign(); err != nil {
		return nil, err
	}
	go n.run()
	go n.applyLoop()
	go n.recordLoop()
	select {
	case <-n.readyCh:
	case <-n.done:
		return nil, n.closedErr()
	}
	n.log.Info("node: ready", "dir", cfg.Dir, "snapshot", snapIndex, "applied", n.applied.Load(),
		"last", n.lastIndex.Load(), "recorded", n.recordedIndex(), "term", n.term.Load())
	return n, nil
}

// restore loads a snapshot into m and checks the result against the digest
// recorded when it was taken.
func restore(m Machine, meta *snapshotMeta, data []byte) error {
	if err := m.Restore(meta.Index, data); err != nil {
		return fmt.Errorf("%w: snapshot %d (key %q): restore: %v", ErrCorrupt, meta.Index, snapKey(meta.Index), err)
	}
	if got := m.Digest(); got != meta.Digest {
		return fmt.Errorf("%w: snapshot %d (key %q): restored digest %x, recorded %x", ErrCorrupt, meta.Index, snapKey(meta.Index), got[:8], meta.Digest[:8])
	}
	return nil
}

// Propose proposes one command and returns its result once the command's
// entry is committed, synced and applied.
func (n *Node) Propose(ctx context.Context, cmd []byte) (any, error) {
	r := requestPool.Get().(*request)
	r.one[0] = cmd
	r.cmds = r.one[:]
	res, _, err := n.propose(ctx, r)
	if err != nil {
		return nil, err
	}
	return res[0], nil
}

// ProposeBatch proposes a client batch, kept contiguous and in order inside
// one entry, and returns one result per command once the entry is committed,
// synced and applied. The node copies the commands into the entry; cmds may
// be reused once ProposeBatch returns.
func (n *Node) ProposeBatch(ctx context.Context, cmds [][]byte) ([]any, error) {
	res, _, err := n.ProposeBatchIndex(ctx, cmds)
	return res, err
}

// ProposeBatchIndex is ProposeBatch that also returns the log index of the
// entry that carried the batch, for WaitRecorded.
func (n *Node) ProposeBatchIndex(ctx context.Context, cmds [][]byte) ([]any, uint64, error) {
	if len(cmds) == 0 {
		return nil, 0, nil
	}
	r := requestPool.Get().(*request)
	r.cmds = cmds
	return n.propose(ctx, r)
}

func (n *Node) propose(ctx context.Context, r *request) ([]any, uint64, error) {
	size := 0
	for _, c := range r.cmds {
		size += uvarintLen(len(c)) + len(c)
	}
	r.frameBytes = size
	if len(r.cmds) > n.cfg.BatchCommandsMax || frameHeaderLen+binary.MaxVarintLen64+size > n.cfg.BatchBytesMax {
		n.release(r)
		return nil, 0, fmt.Errorf("%w: %d commands, %d bytes (limits %d commands, %d bytes)",
			ErrTooLarge, len(r.cmds), size, n.cfg.BatchCommandsMax, n.cfg.BatchBytesMax)
	}
	if err := n.enqueue(ctx, r); err != nil {
		n.release(r)
		return nil, 0, err
	}
	select {
	case <-r.done:
		res, index, err := r.results, r.index, r.err
		n.release(r)
		return res, index, err
	case <-ctx.Done():
		// The entry may still commit; the request is abandoned, not pooled,
		// because the apply goroutine may still write to it.
		return nil, 0, ctx.Err()
	}
}

func (n *Node) release(r *request) {
	*r = request{done: r.done}
	requestPool.Put(r)
}

// enqueue adds r to the intake queue, waiting while the queue is full.
func (n *Node) enqueue(ctx context.Context, r *request) error {
	cmdsMax := queueEntriesMax * n.cfg.BatchCommandsMax
	bytesMax := queueEntriesMax * n.cfg.BatchBytesMax
	n.qmu.Lock()
	for {
		if n.closing {
			n.qmu.Unlock()
			return n.closedErr()
		}
		if n.queuedCmds == 0 || (n.queuedCmds+len(r.cmds) <= cmdsMax && n.queuedBytes+r.frameBytes <= bytesMax) {
			break
		}
		space := n.space
		n.qmu.Unlock()
		select {
		case <-space:
		case <-ctx.Done():
			return ctx.Err()
		}
		n.qmu.Lock()
	}
	n.queue = append(n.queue, r)
	n.queuedCmds += len(r.cmds)
	n.queuedBytes += r.frameBytes
	n.qmu.Unlock()
	select {
	case n.wake <- struct{}{}:
	default:
	}
	return nil
}

// View runs fn with the machine quiescent: no entry is applied while fn runs.
func (n *Node) View(fn func()) {
	n.mu.RLock()
	defer n.mu.RUnlock()
	fn()
}

// Store returns the Pebble store, for read-only history queries. Keys whose
// first byte is 0x00 belong to the node.
func (n *Node) Store() *pebble.DB { return n.db }

// Status returns a snapshot of the node's counters.
func (n *Node) Status() Status {
	return Status{
		Leader:          n.leader.Load(),
		Term:            n.term.Load(),
		Applied:         n.applied.Load(),
		Committed:       n.committed.Load(),
		FirstIndex:      n.firstIndex.Load(),
		LastIndex:       n.lastIndex.Load(),
		SnapshotIndex:   n.snapIndex.Load(),
		RecordedIndex:   n.recordedIndex(),
		EntriesApplied:  n.entriesApplied.Load(),
		CommandsApplied: n.commandsApplied.Load(),
		SnapshotsTaken:  n.snapshotsTaken.Load(),
		LastUnixNano:    n.lastApplied.Load(),
	}
}

// WaitRecorded waits until the history recorder has committed every entry up
// to index, for read-your-writes queries on Store.
func (n *Node) WaitRecorded(ctx context.Context, index uint64) error {
	for {
		n.recMu.Lock()
		if n.recorded >= index {
			n.recMu.Unlock()
			return nil
		}
		adv := n.recAdv
		n.recMu.Unlock()
		select {
		case <-adv:
		case <-ctx.Done():
			return ctx.Err()
		case <-n.done:
			return n.closedErr()
		}
	}
}

func (n *Node) recordedIndex() uint64 {
	n.recMu.Lock()
	defer n.recMu.Unlock()
	return n.recorded
}

func (n *Node) setRecorded(index uint64) {
	n.recMu.Lock()
	n.recorded = index
	close(n.recAdv)
	n.recAdv = make(chan struct{})
	n.recMu.Unlock()
}

// Close stops the node: queued proposals fail with ErrClosed, entries already
// persisted are applied where raft has committed them, and the store is closed.
func (n *Node) Close() error {
	n.closeOnce.Do(func() {
		n.signalStop()
		<-n.done
		n.closeErr = n.db.Close()
		if n.closeErr != nil {
			n.closeErr = fmt.Errorf("node: close %s: %w", n.cfg.Dir, n.closeErr)
		}
	})
	return n.closeErr
}

func (n *Node) signalStop() { n.stopOnce.Do(func() { close(n.stop) }) }

// fail stops the node after an error it cannot recover from, such as a failed
// sync: retrying a failed fsync can report success for lost data.
func (n *Node) fail(err error) {
	n.failOnce.Do(func() {
		n.failErr = err
		n.log.Error("node: stopping", "dir", n.cfg.Dir, "err", err)
		close(n.failed)
		n.signalStop()
	})
}

func (n *Node) isFailed() bool {
	select {
	case <-n.failed:
		return true
	default:
		return false
	}
}

// closedErr is the error for work that can no longer be answered.
func (n *Node) closedErr() error {
	if n.isFailed() {
		return fmt.Errorf("%w: %w", ErrClosed, n.failErr)
	}
	return ErrClosed
}

func (n *Node) checkReady() {
	if ri := n.readyIndex.Load(); ri != 0 && n.applied.Load() >= ri {
		n.readyOnce.Do(func() { close(n.readyCh) })
	}
}

// finish answers everything still waiting once the pipeline has stopped.
func (n *Node) finish() {
	err := n.closedErr()
	n.qmu.Lock()
	n.closing = true
	queued := n.queue
	n.queue = nil
	n.qmu.Unlock()
	for _, r := range queued {
		r.err = err
		r.done <- struct{}{}
	}
	n.pmu.Lock()
	inflight := n.inflight
	n.inflight = nil
	n.pmu.Unlock()
	for _, p := range inflight {
		answerErr(p.reqs, err)
	}
	close(n.done)
}

func answerErr(reqs []*request, err error) {
	for _, r := range reqs {
		r.err = err
		r.done <- struct{}{}
	}
}

func uvarintLen(x int) int {
	n := 1
	for x >= 0x80 {
		x >>= 7
		n++
	}
	return n
}
