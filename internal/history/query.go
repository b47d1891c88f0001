package history

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/cockroachdb/pebble/v2"

	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/ledger"
	"github.com/mutua-org/mutua/internal/money"
)

// Query limits: every read is bounded, whatever the caller asks.
const (
	// PageMax is the most records one page returns.
	PageMax = 1000
	// ScanMax is the most index rows one page examines while filtering; a
	// page that hits it returns what it found with a cursor to go on.
	ScanMax = 20000
	// candidatesMax bounds the payments one UETR or key lookup checks: the
	// payments with the same hash, almost always one.
	candidatesMax = 1000
)

// paymentReader reads payments, keeping its iterators and the last chunk
// it decoded, so that reading many payments in id order is cheap.
type paymentReader struct {
	s      *Store
	chunks *pebble.Iterator
	status *pebble.Iterator
	ch     chunk
	buf    []byte // the current chunk's value
	have   bool
}

func (s *Store) reader() (*paymentReader, error) {
	if err := s.dict.load(s.db); err != nil {
		return nil, err
	}
	return &paymentReader{s: s}, nil
}

func (rd *paymentReader) close() {
	if rd.chunks != nil {
		rd.chunks.Close()
	}
	if rd.status != nil {
		rd.status.Close()
	}
}

// payment returns the payment with id, with its current state.
func (rd *paymentReader) payment(id uint64) (Payment, bool, error) {
	if id == 0 || id == ^uint64(0) {
		return Payment{}, false, nil
	}
	if !rd.have || !rd.ch.contains(id) {
		found, err := rd.loadChunk(id)
		if !found || err != nil {
			return Payment{}, false, err
		}
	}
	p, err := rd.ch.payment(&rd.s.dict, id)
	if err != nil {
		return Payment{}, false, err
	}
	if err := rd.override(&p); err != nil {
		return Payment{}, false, err
	}
	return p, true, nil
}

// loadChunk positions the reader on the chunk holding id.
func (rd *paymentReader) loadChunk(id uint64) (bool, error) {
	rd.have = false
	if rd.chunks == nil {
		it, err := rd.s.db.NewIter(&pebble.IterOptions{LowerBound: []byte(prefixChunk), UpperBound: prefixEnd([]byte(prefixChunk))})
		if err != nil {
			return false, err
		}
		rd.chunks = it
	}
	if !rd.chunks.SeekLT(chunkKey(id + 1)) {
		return false, rd.chunks.Error()
	}
	rd.buf = append(rd.buf[:0], rd.chunks.Value()...)
	ch, err := decodeChunk(rd.chunks.Key(), rd.buf)
	if err != nil {
		return false, err
	}
	rd.ch, rd.have = ch, true
	return ch.contains(id), nil
}

// override applies a later change of state to p, if there is one.
func (rd *paymentReader) override(p *Payment) error {
	if rd.status == nil {
		it, err := rd.s.db.NewIter(&pebble.IterOptions{LowerBound: []byte(prefixStatus), UpperBound: prefixEnd([]byte(prefixStatus))})
		if err != nil {
			return err
		}
		rd.status = it
	}
	key := statusKey(p.ID)
	if !rd.status.SeekGE(key) || string(rd.status.Key()) != string(key) {
		return rd.status.Error()
	}
	st, err := decodeOverride(rd.status.Value())
	if err != nil {
		return fmt.Errorf("payment %d: %w", p.ID, err)
	}
	p.Status, p.Reason, p.Posted, p.UpdatedNs = st.Status, st.Reason, st.Posted, st.UpdatedNs
	return nil
}

// Payment returns the recorded payment with id.
func (s *Store) Payment(id uint64) (Payment, bool, error) {
	rd, err := s.reader()
	if err != nil {
		return Payment{}, false, err
	}
	defer rd.close()
	return rd.payment(id)
}

// PaymentByUETR returns the recorded payment with the given UETR (the
// latest, should the engine have accepted it again after its dedupe window).
func (s *Store) PaymentByUETR(u [16]byte) (Payment, bool, error) {
	return s.byHash(prefixUETR, uetrHash(u), func(p *Payment) bool { return p.Command.UETR == u })
}

// PaymentByKey returns the payment participant sent with idempotency key
// (the latest, as for PaymentByUETR). Linked batches are the operator's:
// participant "".
func (s *Store) PaymentByKey(participant, key string) (Payment, bool, error) {
	return s.byHash(prefixKey, idemHash([]byte(participant), []byte(key)), func(p *Payment) bool {
		scope := p.Command.Participant
		if p.Command.Kind == engine.KindLinked {
			scope = ""
		}
		return scope == participant && p.Command.Key == key
	})
}

// byHash returns the newest payment indexed under hash h that matches.
func (s *Store) byHash(prefix string, h uint64, match func(*Payment) bool) (Payment, bool, error) {
	if err := s.loadPending(); err != nil {
		return Payment{}, false, err
	}
	rd, err := s.reader()
	if err != nil {
		return Payment{}, false, err
	}
	defer rd.close()
	// NB: the runs first, then the store: a fold moves entries from the
	// runs to the store, never the other way.
	pending := s.pending.candidates(prefix, h)
	lower := hashPrefix(prefix, h)
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: prefixEnd(lower)})
	if err != nil {
		return Payment{}, false, err
	}
	defer it.Close()
	var stored []uint64
	for valid := it.Last(); valid && len(stored) < candidatesMax; valid = it.Prev() {
		id, ok := orderedUint(it.Key()[len(lower):])
		if !ok {
			return Payment{}, false, fmt.Errorf("%w: index key %x", ErrCorrupt, it.Key())
		}
		stored = append(stored, id)
	}
	if err := it.Error(); err != nil {
		return Payment{}, false, err
	}
	ids := append(stored, pending...)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for i := len(ids) - 1; i >= 0 && i >= len(ids)-candidatesMax; i-- {
		id := ids[i]
		p, found, err := rd.payment(id)
		if err != nil {
			return Payment{}, false, err
		}
		if !found {
			if slices.Contains(pending, id) {
				continue // recorded, not yet committed
			}
			return Payment{}, false, fmt.Errorf("%w: index names unknown payment %d", ErrCorrupt, id)
		}
		if match(&p) {
			return p, true, nil
		}
	}
	return Payment{}, false, nil
}

// Filter selects a participant's payments. Zero fields select everything.
type Filter struct {
	Participant  string // required: payments where it is payer or payee
	Status       *engine.Status
	Counterparty string
	Currency     string
	FromNs, ToNs int64  // creation time, [FromNs, ToNs); zero = unbounded
	After        uint64 // cursor: return payments with id > After
	Limit        int
}

// Payments returns the participant's payments matching f in id order, and the
// cursor for the next page (0 when there is none).
func (s *Store) Payments(f Filter) ([]Payment, uint64, error) {
	if f.Participant == "" {
		return nil, 0, errors.New("history: Payments needs a participant")
	}
	limit := f.Limit
	if limit <= 0 || limit > PageMax {
		limit = PageMax
	}
	rd, err := s.reader()
	if err != nil {
		return nil, 0, err
	}
	defer rd.close()
	ref, found := s.dict.lookup(f.Participant)
	if !found || f.After == ^uint64(0) {
		return nil, 0, nil
	}
	prefix := participantPrefix(ref)
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: prefixEnd(prefix)})
	if err != nil {
		return nil, 0, err
	}
	defer it.Close()
	// The list holding the first id after the cursor starts at or before it.
	valid := it.SeekLT(participantKey(ref, f.After+1))
	if !valid {
		valid = it.First()
	}
	var out []Payment
	scanned := 0
	var last uint64
	for ; valid; valid = it.Next() {
		ns, ids, err := decodeOwned(it.Key(), it.Value())
		if err != nil {
			return nil, 0, err
		}
		if f.ToNs != 0 && ns >= f.ToNs {
			// Creation times grow with ids: nothing later matches.
			return out, 0, nil
		}
		skip := f.FromNs != 0 && ns < f.FromNs
		for i, id := range ids {
			if id <= f.After {
				continue
			}
			if scanned >= ScanMax || len(out) == limit {
				return out, last, nil // more ids remain
			}
			last = id
			scanned++
			if skip {
				continue
			}
			p, found, err := rd.payment(id)
			if err != nil {
				return nil, 0, err
			}
			if !found {
				return nil, 0, fmt.Errorf("%w: participant index lists unknown payment %d", ErrCorrupt, id)
			}
			if f.matches(&p) {
				out = append(out, p)
				if len(out) == limit && i == len(ids)-1 && !more(it) {
					return out, 0, nil
				}
			}
		}
	}
	return out, 0, it.Error()
}

// more reports whether the iterator has a key after its current one,
// leaving it where it was.
func more(it *pebble.Iterator) bool {
	if !it.Next() {
		return false
	}
	it.Prev()
	return true
}

// decodeOwned decodes a participant index key and value: the creation time
// of its payments and their ids.
func decodeOwned(key, v []byte) (int64, []uint64, error) {
	if len(key) != len(prefixParticipant)+4+8 {
		return 0, nil, fmt.Errorf("%w: participant index key %x", ErrCorrupt, key)
	}
	id := binary.BigEndian.Uint64(key[len(prefixParticipant)+4:])
	r := reader{b: v}
	ns := r.varint()
	n := r.uvarint()
	if r.bad || n == 0 || n > uint64(len(r.b)) {
		return 0, nil, fmt.Errorf("%w: participant index %x", ErrCorrupt, key)
	}
	ids := make([]uint64, n)
	for i := range ids {
		id += r.uvarint()
		ids[i] = id
	}
	if r.bad || len(r.b) != 0 {
		return 0, nil, fmt.Errorf("%w: participant index %x", ErrCorrupt, key)
	}
	return ns, ids, nil
}

func (f *Filter) matches(p *Payment) bool {
	switch {
	case f.Status != nil && p.Status != *f.Status:
		return false
	case f.Currency != "" && p.Command.Currency != f.Currency:
		return false
	case f.FromNs != 0 && p.CreatedNs < f.FromNs:
		return false
	case f.ToNs != 0 && p.CreatedNs >= f.ToNs:
		return false
	case f.Counterparty != "":
		other := p.To
		if p.To == f.Participant {
			other = p.From
		}
		return other == f.Counterparty
	}
	return true
}

// Statement is an account's booked entries over [FromNs, ToNs) with the
// booked balance before and after.
type Statement struct {
	Account      ledger.AccountID
	FromNs, ToNs int64
	OpeningNeg   bool
	Opening      money.Uint128
	ClosingNeg   bool
	Closing      money.Uint128
	Entries      []Entry
	More         bool   // entries follow before ToNs: read on from Next
	Next         Cursor // the place after the last entry (or the start's)
}

// EntriesMax bounds the entries of one statement page.
const EntriesMax = 10000

// Cursor is a place in an account's entries: after the first N postings of
// the log entry Index booked at Ns, every earlier log entry included. The
// zero Cursor is the beginning; Cursor{Ns: t} is time t.
type Cursor struct {
	Ns    int64
	Index uint64
	N     int
}

// Statement returns account a's entries booked in [fromNs, toNs), at most
// EntriesMax, with opening and closing balances.
func (s *Store) Statement(a ledger.AccountID, fromNs, toNs int64) (Statement, error) {
	return s.StatementFrom(a, Cursor{Ns: fromNs}, toNs, EntriesMax)
}

// StatementFrom returns account a's entries after c and before toNs, at
// most limit (at most EntriesMax): one page of a long period. The opening
// balance is the balance at c; st.Next is the cursor for the next page when
// st.More.
func (s *Store) StatementFrom(a ledger.AccountID, c Cursor, toNs int64, limit int) (Statement, error) {
	limit = min(max(limit, 1), EntriesMax)
	if c.Ns >= toNs {
		// Nothing of the period is after c: the statement is empty, and
		// its balance the one at toNs, not after entries beyond the period.
		c = Cursor{Ns: toNs}
	}
	st := Statement{Account: a, FromNs: c.Ns, ToNs: toNs, Next: c}
	prefix := entryPrefix(a)
	lower := binary.BigEndian.AppendUint64(binary.BigEndian.AppendUint64(entryPrefix(a), uint64(c.Ns)), c.Index)
	upper := binary.BigEndian.AppendUint64(entryPrefix(a), uint64(toNs))
	if bytes.Compare(upper, lower) < 0 {
		upper = lower
	}
	// One iterator, so that the opening balance and the entries come from
	// the same state of the store.
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: upper})
	if err != nil {
		return st, err
	}
	defer it.Close()
	// Opening balance: the balance after the last log entry before the
	// cursor's, then after the postings of its own that it passed.
	var bal balance
	if it.SeekLT(lower) {
		if bal, err = decodePostings(it.Key(), it.Value(), nil); err != nil {
			return st, err
		}
	} else if err := it.Error(); err != nil {
		return st, err
	}
	st.OpeningNeg, st.Opening = bal.neg, bal.v
	st.ClosingNeg, st.Closing = bal.neg, bal.v
	for valid := it.SeekGE(lower); valid && !st.More; valid = it.Next() {
		_, err := decodePostings(it.Key(), it.Value(), func(e *Entry) bool {
			if e.BookedNs == c.Ns && e.Index == c.Index && e.N <= c.N {
				st.OpeningNeg, st.Opening = e.BalanceNeg, e.BalanceAfter
				st.ClosingNeg, st.Closing = e.BalanceNeg, e.BalanceAfter
				return true
			}
			if len(st.Entries) == limit {
				st.More = true
				return false
			}
			st.Entries = append(st.Entries, *e)
			st.ClosingNeg, st.Closing = e.BalanceNeg, e.BalanceAfter
			st.Next = Cursor{Ns: e.BookedNs, Index: e.Index, N: e.N}
			return true
		})
		if err != nil {
			return st, err
		}
	}
	return st, it.Error()
}
