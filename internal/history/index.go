package history

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/cockroachdb/pebble/v2"

	"github.com/mutua-org/mutua/internal/engine"
)

// The UETR and idempotency-key indexes have a key per payment, at a random
// place in the key space: written with each entry, they were most of the
// recorder's cost, in the memtable's skiplist above all. So they are
// written in bulk instead. The index entries of recent payments stay in
// memory, in sorted runs (one per entry, small ones merged), and lookups
// search them as well as the stored keys. Once the runs hold indexFoldEntries entries, the recorder
// folds them into the store in one batch of sorted keys, which Pebble takes
// whole as a flushable batch (no skiplist) when it is large, and moves the
// watermark past them:
//
//	h w                                   first payment id not folded (uvarint)
//
// The fold's batch is committed before the recorder's batch that moves
// the watermark, so a watermark that survives a crash never runs ahead of
// the keys; the keys without it are written again (the same keys: folding
// is idempotent). The runs are rebuilt on first use from the chunks of the
// payments after the watermark.
const (
	prefixWatermark = "hw"

	// indexFoldEntries is the size of a fold: large enough to pass
	// Pebble's large-batch threshold (half the memtable, counting some 200
	// bytes of skiplist node per key), small enough that the runs take
	// 16 MiB and a restart rebuilds them in a fraction of a second (0.26 s
	// for a million entries).
	indexFoldEntries = 1 << 20
)

type hashed struct{ h, id uint64 }

// indexRun is the index entries of one or more entries, sorted by hash.
type indexRun struct {
	keys, uetrs []hashed
}

// pendingIndex holds the index entries not yet folded into the store.
type pendingIndex struct {
	mu     sync.RWMutex
	loaded bool
	err    error
	from   uint64     // the watermark: payments from here on are in runs
	runs   []indexRun // REQUIRES: mu
	n      int        // entries in runs
	// foldEntries is the fold size (indexFoldEntries; tests lower it).
	foldEntries int
	// folded counts the keys and bytes written by folds, for benchmarks.
	foldedKeys, foldedBytes int
}

// load rebuilds the runs from the store once.
func (s *Store) loadPending() error {
	x := &s.pending
	x.mu.RLock()
	loaded, err := x.loaded, x.err
	x.mu.RUnlock()
	if loaded {
		return err
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if !x.loaded {
		x.err = s.rebuildPending()
		x.loaded = true
	}
	return x.err
}

// rebuildPending reads the watermark and indexes the payments after it.
// REQUIRES: pending.mu held.
func (s *Store) rebuildPending() error {
	if err := s.dict.load(s.db); err != nil {
		return err
	}
	x := &s.pending
	x.from, x.runs, x.n = 1, nil, 0
	v, closer, err := s.db.Get([]byte(prefixWatermark))
	switch {
	case errors.Is(err, pebble.ErrNotFound):
	case err != nil:
		return fmt.Errorf("history: index watermark: %w", err)
	default:
		from, n := binary.Uvarint(v)
		closer.Close()
		if n <= 0 || n != len(v) {
			return fmt.Errorf("%w: index watermark %x", ErrCorrupt, v)
		}
		x.from = from
	}
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: chunkKey(x.from), UpperBound: prefixEnd([]byte(prefixChunk))})
	if err != nil {
		return err
	}
	defer it.Close()
	var run indexRun
	index := uint64(0)
	for valid := it.First(); valid; valid = it.Next() {
		ch, err := decodeChunk(it.Key(), slices.Clone(it.Value()))
		if err != nil {
			return err
		}
		if ch.index != index && index != 0 {
			x.add(run)
			run = indexRun{}
		}
		index = ch.index
		for id := ch.first; id < ch.first+ch.count; id++ {
			p, err := ch.payment(&s.dict, id)
			if err != nil {
				return err
			}
			scope := []byte(p.Command.Participant)
			if p.Command.Kind == engine.KindLinked {
				scope = nil
			}
			run.keys = append(run.keys, hashed{idemHash(scope, []byte(p.Command.Key)), id})
			if p.Command.UETR != [16]byte{} {
				run.uetrs = append(run.uetrs, hashed{uetrHash(p.Command.UETR), id})
			}
		}
	}
	if index != 0 {
		x.add(run)
	}
	return it.Error()
}

// add appends a run, sorting it. REQUIRES: mu held for writing.
func (x *pendingIndex) add(run indexRun) {
	sortHashed(run.keys, nil)
	sortHashed(run.uetrs, nil)
	x.push(run)
}

// runMergeMax is the size of a run past which it is not merged with the
// next: a lookup searches at most foldEntries/runMergeMax runs of that
// size and a few smaller ones, and an entry of ordinary size is never
// merged.
const runMergeMax = 1 << 15

// push appends a sorted run and merges the last runs while the one before
// is no larger than twice the last and small, so that there are few runs
// for a lookup to search, however small the entries. REQUIRES: mu held for
// writing.
func (x *pendingIndex) push(run indexRun) {
	x.runs = append(x.runs, run)
	x.n += len(run.keys) + len(run.uetrs)
	for k := len(x.runs); k > 1 && x.runs[k-2].size() <= 2*x.runs[k-1].size() && x.runs[k-2].size() < runMergeMax; k = len(x.runs) {
		a, b := x.runs[k-2], x.runs[k-1]
		x.runs[k-2] = indexRun{keys: merge2(a.keys, b.keys), uetrs: merge2(a.uetrs, b.uetrs)}
		x.runs = x.runs[:k-1]
	}
}

func (r indexRun) size() int { return len(r.keys) + len(r.uetrs) }

// merge2 merges two sorted runs, a's ids all below b's, into a new one.
func merge2(a, b []hashed) []hashed {
	out := make([]hashed, 0, len(a)+len(b))
	for len(a) > 0 && len(b) > 0 {
		if b[0].h < a[0].h {
			out, b = append(out, b[0]), b[1:]
		} else {
			out, a = append(out, a[0]), a[1:]
		}
	}
	return append(append(out, a...), b...)
}

// candidates returns the ids in the runs indexed under hash h.
func (x *pendingIndex) candidates(prefix string, h uint64) []uint64 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	var ids []uint64
	for _, run := range x.runs {
		hs := run.keys
		if prefix == prefixUETR {
			hs = run.uetrs
		}
		i, _ := slices.BinarySearchFunc(hs, h, func(e hashed, h uint64) int {
			switch {
			case e.h < h:
				return -1
			case e.h > h:
				return 1
			}
			return 0
		})
		for ; i < len(hs) && hs[i].h == h; i++ {
			ids = append(ids, hs[i].id)
		}
	}
	return ids
}

// addIndex adds the entry's index entries to the runs, first folding the
// runs into the store when they are full. The entry's own entries are not
// folded with them: its payments are not stored until b commits.
func (r *recording) addIndex() error {
	x := &r.s.pending
	x.mu.RLock()
	full := x.n >= x.foldEntries
	x.mu.RUnlock()
	if full {
		if err := r.fold(); err != nil {
			return err
		}
	}
	run := indexRun{keys: r.keys, uetrs: r.uetrs}
	r.keys, r.uetrs = make([]hashed, 0, len(run.keys)), make([]hashed, 0, len(run.uetrs))
	r.sorted = sortHashed(run.keys, r.sorted)
	r.sorted = sortHashed(run.uetrs, r.sorted)
	x.mu.Lock()
	x.push(run)
	x.mu.Unlock()
	return nil
}

// fold writes the runs into the store as keys, in a batch of its own, and
// moves the watermark in the recorder's batch to the payments of this
// entry, the first not folded.
func (r *recording) fold() error {
	x := &r.s.pending
	// NB: only the recorder changes the runs, so it reads them unlocked.
	b := r.s.db.NewBatchWithSize(x.n * (len(prefixKey) + hashBits/8 + 5 + 3))
	defer b.Close()
	// NB: "hk" < "hu": the batch is in key order.
	for _, prefix := range [...]string{prefixKey, prefixUETR} {
		runs := make([][]hashed, 0, len(x.runs))
		for _, run := range x.runs {
			hs := run.keys
			if prefix == prefixUETR {
				hs = run.uetrs
			}
			runs = append(runs, hs)
		}
		var err error
		mergeRuns(runs, func(hi hashed) {
			r.keyBuf = appendOrderedUint(append(r.keyBuf[:0], hashPrefix(prefix, hi.h)...), hi.id)
			if err == nil {
				err = b.Set(r.keyBuf, nil, nil)
			}
		})
		if err != nil {
			return err
		}
	}
	x.foldedKeys += int(b.Count())
	x.foldedBytes += b.Len()
	if err := b.Commit(pebble.NoSync); err != nil {
		return fmt.Errorf("fold index: %w", err)
	}
	// The keys are visible: the runs can go. A lookup reads the runs
	// before the store, so it never misses an entry in between.
	x.mu.Lock()
	x.runs, x.n, x.from = nil, 0, r.s.next
	x.mu.Unlock()
	return r.b.Set([]byte(prefixWatermark), binary.AppendUvarint(nil, r.s.next), nil)
}

// mergeRuns calls fn with the entries of the sorted runs in order (by
// hash, then by id: runs hold increasing ids), merging them through a
// binary heap of the runs' heads.
func mergeRuns(runs [][]hashed, fn func(hashed)) {
	less := func(a, b []hashed) bool {
		return a[0].h < b[0].h || a[0].h == b[0].h && a[0].id < b[0].id
	}
	heap := runs[:0]
	for _, r := range runs {
		if len(r) > 0 {
			heap = append(heap, r)
		}
	}
	down := func(i int) {
		for {
			c := 2*i + 1
			if c >= len(heap) {
				return
			}
			if c+1 < len(heap) && less(heap[c+1], heap[c]) {
				c++
			}
			if !less(heap[c], heap[i]) {
				return
			}
			heap[i], heap[c] = heap[c], heap[i]
			i = c
		}
	}
	for i := len(heap)/2 - 1; i >= 0; i-- {
		down(i)
	}
	for len(heap) > 0 {
		fn(heap[0][0])
		if heap[0] = heap[0][1:]; len(heap[0]) == 0 {
			heap[0] = heap[len(heap)-1]
			heap = heap[:len(heap)-1]
		}
		down(0)
	}
}
