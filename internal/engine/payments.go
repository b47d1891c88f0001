package engine

import "github.com/cespare/xxhash/v2"

// paymentChunk is the number of payments per chunk of the payment log. Chunks
// let the log grow without copying and shrink from the front as payments
// leave the dedupe window.
const paymentChunk = 1 << 14

// paymentLog holds payments in id order, oldest first: the open ones and the
// final ones still inside the dedupe window.
type paymentLog struct {
	chunks [][]Payment
	head   int    // index of the oldest payment in chunks[0]
	base   uint64 // id of the oldest payment
	n      int
}

func (l *paymentLog) len() int { return l.n }

// at returns the payment with id, or nil.
func (l *paymentLog) at(id uint64) *Payment {
	if id < l.base || id-l.base >= uint64(l.n) {
		return nil
	}
	i := uint64(l.head) + (id - l.base)
	return &l.chunks[i/paymentChunk][i%paymentChunk]
}

// push appends p, whose id must be the next in sequence.
func (l *paymentLog) push(p Payment) {
	if l.n == 0 && len(l.chunks) == 0 {
		l.base, l.head = p.ID, 0
	}
	last := len(l.chunks) - 1
	if last < 0 || len(l.chunks[last]) == paymentChunk {
		l.chunks = append(l.chunks, make([]Payment, 0, paymentChunk))
		last++
	}
	l.chunks[last] = append(l.chunks[last], p)
	l.n++
}

// front returns the oldest payment, or nil.
func (l *paymentLog) front() *Payment {
	if l.n == 0 {
		return nil
	}
	return &l.chunks[0][l.head]
}

// pop removes the oldest payment.
func (l *paymentLog) pop() {
	l.chunks[0][l.head] = Payment{} // drop the key string for the collector
	l.head++
	l.base++
	l.n--
	if l.head == paymentChunk || l.n == 0 {
		l.chunks[0] = nil
		l.chunks = l.chunks[1:]
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

// keyIndex finds a payment by its scoped idempotency key. Most keys live in
// primary under a 64-bit hash, a pointer-free map that the collector never
// scans and that grows cheaply; a key whose hash collides with another live
// key's goes to the exact overflow map instead. Every hit is confirmed against
// the payment's stored key, so a collision can never return the wrong payment.
type keyIndex struct {
	primary  map[uint64]uint64
	overflow map[keyRef]uint64
}

func newKeyIndex() keyIndex {
	return keyIndex{primary: make(map[uint64]uint64), overflow: make(map[keyRef]uint64)}
}

func hashKey(k keyRef) uint64 {
	var scope [4]byte
	scope[0], scope[1], scope[2], scope[3] = byte(k.scope), byte(k.scope>>8), byte(k.scope>>16), byte(k.scope>>24)
	d := xxhash.New()
	d.Write(scope[:])
	d.WriteString(k.key)
	return d.Sum64()
}

func (x *keyIndex) len() int { return len(x.primary) + len(x.overflow) }

func (x *keyIndex) get(k keyRef, e *Engine) (uint64, bool) {
	if len(x.overflow) > 0 {
		if id, found := x.overflow[k]; found {
			return id, true
		}
	}
	id, found := x.primary[hashKey(k)]
	if !found {
		return 0, false
	}
	if p := e.payment(id); p == nil || !p.hasKey(k) {
		return 0, false // a different key with the same hash
	}
	return id, true
}

func (x *keyIndex) put(k keyRef, id uint64, e *Engine) {
	h := hashKey(k)
	if other, taken := x.primary[h]; taken && other != id {
		if p := e.payment(other); p != nil && !p.hasKey(k) {
			x.overflow[k] = id
			return
		}
	}
	x.primary[h] = id
}

func (x *keyIndex) delete(k keyRef, id uint64) {
	if x.overflow[k] == id {
		delete(x.overflow, k)
		return
	}
	h := hashKey(k)
	if x.primary[h] == id {
		delete(x.primary, h)
	}
}
