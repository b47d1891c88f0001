package engine

import (
	"encoding/binary"
	"slices"

	"github.com/cespare/xxhash/v2"

	"github.com/mutua-org/mutua/internal/ledger"
)

// paymentChunk is the number of payments per chunk of the payment log. Chunks
// let the log grow without copying and shrink from the front as payments
// leave the dedupe window.
const paymentChunk = 1 << 14

// paymentLog holds payments in id order, oldest first: the open ones and the
// final ones still inside the dedupe window.
//
// A snapshot shares the log's chunks rather than copying them (see freeze):
// owned[c] is false while chunks[c] may be shared with a snapshot, and the
// log copies such a chunk before it first changes a payment in it. Appends
// need no copy: they write past the end a snapshot sees.
type paymentLog struct {
	chunks [][]Payment
	owned  []bool
	head   int    // index of the oldest payment in chunks[0]
	base   uint64 // id of the oldest payment
	n      int
}

func (l *paymentLog) len() int { return l.n }

// at returns the payment with id, or nil, to read: a payment to change must
// come from mutable.
func (l *paymentLog) at(id uint64) *Payment {
	if id < l.base || id-l.base >= uint64(l.n) {
		return nil
	}
	i := uint64(l.head) + (id - l.base)
	return &l.chunks[i/paymentChunk][i%paymentChunk]
}

// mutable is at for a payment the caller will change: it first copies the
// payment's chunk if a snapshot may share it.
func (l *paymentLog) mutable(id uint64) *Payment {
	if id < l.base || id-l.base >= uint64(l.n) {
		return nil
	}
	i := uint64(l.head) + (id - l.base)
	c := i / paymentChunk
	if !l.owned[c] {
		l.chunks[c] = append(make([]Payment, 0, paymentChunk), l.chunks[c]...)
		l.owned[c] = true
	}
	return &l.chunks[c][i%paymentChunk]
}

// freeze returns a copy of the log that later changes to l do not reach. It
// shares the chunks, and marks them so that l copies one before changing it.
func (l *paymentLog) freeze() paymentLog {
	f := *l
	f.chunks, f.owned = slices.Clone(l.chunks), nil
	clear(l.owned)
	return f
}

// push appends p, whose id must be the next in sequence.
func (l *paymentLog) push(p Payment) {
	if l.n == 0 && len(l.chunks) == 0 {
		l.base, l.head = p.ID, 0
	}
	last := len(l.chunks) - 1
	if last < 0 || len(l.chunks[last]) == paymentChunk {
		l.chunks = append(l.chunks, make([]Payment, 0, paymentChunk))
		l.owned = append(l.owned, true)
		last++
	}
	l.chunks[last] = append(l.chunks[last], p)
	l.n++
}

// front returns the oldest payment, or nil, to read.
func (l *paymentLog) front() *Payment {
	if l.n == 0 {
		return nil
	}
	return &l.chunks[0][l.head]
}

// pop removes the oldest payment. It leaves the payment's bytes in place (a
// payment holds no pointers, so they keep nothing alive): a snapshot may
// still be reading them.
func (l *paymentLog) pop() {
	l.head++
	l.base++
	l.n--
	if l.head == paymentChunk || l.n == 0 {
		l.chunks[0] = nil
		l.chunks, l.owned = l.chunks[1:], l.owned[1:]
		l.head = 0
	}
}

// each calls fn for every payment, oldest first.
func (l *paymentLog) each(fn func(*Payment)) {
	for ci, c := range l.chunks {
		start := 0
		if ci == 0 {
			start = l.head
		}
		for i := start; i < len(c); i++ {
			fn(&c[i])
		}
	}
}

// idTable maps 64-bit hashes to payment ids: open addressing with linear
// probing over a power-of-two array of (hash, id) pairs, id 0 marking a free
// slot. It holds no pointers, so the collector never scans it, and a probe
// usually touches one cache line where a Go map touches two. Several entries
// may share a hash; the indexes built on it confirm every candidate against
// the payment itself.
//
// The hash is unseeded (the engine uses no randomness), so a sender could
// choose keys that crowd one region of the table. No entry is ever placed more
// than idProbeMax slots from its home: an insert that would go further is
// refused and the index keeps that entry in a seeded Go map instead. Every
// operation therefore costs at most idProbeMax probes, whatever the keys.
type idTable struct {
	slots []idSlot
	n     int
}

type idSlot struct{ h, id uint64 }

const (
	idTableMin = 1 << 10
	idProbeMax = 128
	// idLineMask rounds a slot index down to the first of the four slots
	// that share its 64-byte cache line. An entry's home is the first slot
	// of the line its hash picks, so that most probes, inserts and removals
	// stay within the one line that touch loaded.
	idLineMask = 3
)

// full reports whether one more entry would take the table past a load of
// 9/16, the point where it doubles.
func (t *idTable) full() bool { return (t.n+1)*16 > len(t.slots)*9 }

// grow doubles the table. An entry that no longer fits within idProbeMax of
// its home is handed to spill.
func (t *idTable) grow(spill func(h, id uint64)) {
	old := t.slots
	t.slots, t.n = make([]idSlot, max(idTableMin, 2*len(old))), 0
	for _, s := range old {
		if s.id != 0 && !t.place(s.h, s.id) {
			spill(s.h, s.id)
		}
	}
}

// place puts (h, id) in the first free slot within idProbeMax of its home,
// or reports false.
func (t *idTable) place(h, id uint64) bool {
	m := uint64(len(t.slots) - 1)
	i := h & m &^ idLineMask
	for d := 0; d < idProbeMax; d++ {
		if t.slots[i].id == 0 {
			t.slots[i] = idSlot{h, id}
			t.n++
			return true
		}
		i = (i + 1) & m
	}
	return false
}

// find returns the id of the first entry with hash h that match accepts:
// the indexes confirm a candidate against the payment itself.
func (t *idTable) find(h uint64, match func(id uint64) bool) (uint64, bool) {
	if t.n == 0 {
		return 0, false
	}
	m := uint64(len(t.slots) - 1)
	i := h & m &^ idLineMask
	for d := 0; d < idProbeMax; d++ {
		s := t.slots[i]
		if s.id == 0 {
			break
		}
		if s.h == h && match(s.id) {
			return s.id, true
		}
		i = (i + 1) & m
	}
	return 0, false
}

// touch loads the cache line of h's home slot and the line after it (where
// a probe or a backward shift goes when the home line is full), so that an
// operation on h soon after finds them in the cache; touching several in a
// row lets their cache misses overlap. It returns what it loaded for the
// caller to keep: the compiler drops a load whose value is unused.
func (t *idTable) touch(h uint64) uint64 {
	if len(t.slots) == 0 {
		return 0
	}
	m := uint64(len(t.slots) - 1)
	i := h & m &^ idLineMask
	return t.slots[i].id + t.slots[(i+idLineMask+1)&m].id
}

// remove deletes (h, id) and reports whether it was there. The entries after
// it move back (backward-shift deletion), so no probe sequence is broken and
// the table needs no tombstones.
func (t *idTable) remove(h, id uint64) bool {
	if t.n == 0 {
		return false
	}
	m := uint64(len(t.slots) - 1)
	i := h & m &^ idLineMask
	for d := 0; ; d++ {
		s := t.slots[i]
		if s.id == 0 || d == idProbeMax {
			return false
		}
		if s.id == id && s.h == h {
			break
		}
		i = (i + 1) & m
	}
	for j := i; ; {
		j = (j + 1) & m
		s := t.slots[j]
		if s.id == 0 {
			break
		}
		// s stays unless it may move back to i: its home must not lie
		// in (i, j].
		if (j-s.h&^idLineMask)&m < (j-i)&m {
			continue
		}
		t.slots[i] = s
		i = j
	}
	t.slots[i] = idSlot{}
	t.n--
	return true
}

// keyIndex finds a payment by its scoped idempotency key, hashed by hashKey.
// Every hit is confirmed against the payment's stored key, so a collision can
// never return the wrong payment. spill holds, by exact key, the rare entries
// the table refused.
type keyIndex struct {
	t     idTable
	spill map[keyRef]uint64
}

func newKeyIndex() keyIndex { return keyIndex{spill: make(map[keyRef]uint64)} }

// hashKey hashes an idempotency key in the scope with the given salt: the
// sending participant's keySalt, or operatorSalt.
func hashKey(salt uint64, key string) uint64 {
	return mix64(xxhash.Sum64String(key) ^ salt)
}

// keySalt is the salt of a participant's key scope, taken from its id.
// Participant ids are never empty, so no participant shares operatorSalt.
func keySalt(id string) uint64 { return xxhash.Sum64String(id) }

// operatorSalt scopes the keys of operator commands.
var operatorSalt = keySalt("")

// hashStoredKey is hashKey for a payment's own key, without making a string.
func (e *Engine) hashStoredKey(p *Payment) uint64 {
	salt := operatorSalt
	if int(p.Payer) < len(e.participants) {
		salt = e.participants[p.Payer].keySalt
	} // else the operator's; or a corrupt snapshot, which CheckInvariants refuses
	return mix64(xxhash.Sum64(p.key.b[:p.key.n]) ^ salt)
}

// mix64 is the finalizer of MurmurHash3: every input bit affects every output
// bit, so the table may take its home slot from the low bits.
func mix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

func (x *keyIndex) len() int { return x.t.n + len(x.spill) }

// get returns the id of the payment with key k, whose hash is h.
func (x *keyIndex) get(k keyRef, h uint64, e *Engine) (uint64, bool) {
	if len(x.spill) > 0 {
		if id, found := x.spill[k]; found {
			return id, true
		}
	}
	return x.t.find(h, func(id uint64) bool {
		p := e.peek(id)
		return p != nil && p.hasKey(k)
	})
}

// add indexes payment p, whose key (with hash h) is not indexed yet.
func (x *keyIndex) add(p *Payment, h uint64, e *Engine) {
	if x.t.full() {
		x.t.grow(func(h, id uint64) { x.spill[e.peek(id).keyRef()] = id })
	}
	if !x.t.place(h, p.ID) {
		x.spill[p.keyRef()] = p.ID
	}
}

// put indexes payment p under its key, replacing any payment indexed under
// the same key, as a map would.
func (x *keyIndex) put(p *Payment, e *Engine) {
	k, h := p.keyRef(), e.hashStoredKey(p)
	if old, found := x.get(k, h, e); found {
		x.delete(p, h, old)
	}
	x.add(p, h, e)
}

// delete removes the entry (h, id) for p's key, if it is there.
func (x *keyIndex) delete(p *Payment, h, id uint64) {
	if x.t.remove(h, id) || len(x.spill) == 0 {
		return
	}
	if k := p.keyRef(); x.spill[k] == id {
		delete(x.spill, k)
	}
}

// uetrIndex finds a payment by its UETR, like keyIndex.
type uetrIndex struct {
	t     idTable
	spill map[[16]byte]uint64
}

func newUETRIndex() uetrIndex { return uetrIndex{spill: make(map[[16]byte]uint64)} }

func hashUETR(u *[16]byte) uint64 {
	return mix64(binary.LittleEndian.Uint64(u[:8])*0x9e3779b97f4a7c15 ^ binary.LittleEndian.Uint64(u[8:]))
}

func (x *uetrIndex) len() int { return x.t.n + len(x.spill) }

// get returns the id of the payment with UETR u, whose hash is h.
func (x *uetrIndex) get(u *[16]byte, h uint64, e *Engine) (uint64, bool) {
	if len(x.spill) > 0 {
		if id, found := x.spill[*u]; found {
			return id, true
		}
	}
	return x.t.find(h, func(id uint64) bool {
		p := e.peek(id)
		return p != nil && p.UETR == *u
	})
}

// add indexes payment p, whose UETR (with hash h) is not indexed yet.
func (x *uetrIndex) add(p *Payment, h uint64, e *Engine) {
	if x.t.full() {
		x.t.grow(func(h, id uint64) { x.spill[e.peek(id).UETR] = id })
	}
	if !x.t.place(h, p.ID) {
		x.spill[p.UETR] = p.ID
	}
}

// put indexes payment p under its UETR, replacing any payment indexed under
// the same UETR, as a map would.
func (x *uetrIndex) put(p *Payment, e *Engine) {
	h := hashUETR(&p.UETR)
	if old, found := x.get(&p.UETR, h, e); found {
		x.delete(&p.UETR, h, old)
	}
	x.add(p, h, e)
}

// delete removes the entry (h, id) for UETR u, if it is there.
func (x *uetrIndex) delete(u *[16]byte, h, id uint64) {
	if x.t.remove(h, id) || len(x.spill) == 0 {
		return
	}
	if x.spill[*u] == id {
		delete(x.spill, *u)
	}
}

// applyGroup is how many commands Apply decodes ahead: it loads the index
// slots and accounts that a group's payments will probe before applying any
// of them, so that their cache misses overlap.
const applyGroup = 16

// touchGroup loads the key and UETR index slots and the accounts that
// applying the payments of group will use first (see idTable.touch). It is a
// hint, and changes nothing: a payment whose parties or currency are not
// known yet is simply not touched.
func (e *Engine) touchGroup(group []decoded) {
	var keyHash, uetrHash [applyGroup]uint64
	var debit, credit [applyGroup]ledger.AccountID
	for i := range group {
		c, r := &group[i].c, &group[i].refs
		keyHash[i], uetrHash[i], debit[i], credit[i] = 0, 0, noAccount, noAccount
		if group[i].err != nil || (c.Kind != KindPay && c.Kind != KindReserve) {
			continue
		}
		uetrHash[i] = hashUETR(&c.UETR)
		if r.participant <= 0 {
			continue
		}
		payer := &e.participants[r.participant-1]
		keyHash[i] = hashKey(payer.keySalt, c.Key)
		if ci := int(r.currency) - 1; ci >= 0 && ci < len(payer.accounts) {
			debit[i] = payer.accounts[ci]
			if r.payee > 0 {
				if payee := &e.participants[r.payee-1]; ci < len(payee.accounts) {
					credit[i] = payee.accounts[ci]
				}
			}
		}
	}
	// A loop of loads alone, so that the processor has them all in flight
	// at once.
	touched := uint64(0)
	for i := range group {
		touched += e.byKey.t.touch(keyHash[i]) + e.byUETR.t.touch(uetrHash[i]) +
			e.ledger.Touch(debit[i]) + e.ledger.Touch(credit[i])
	}
	e.touched += touched
}
