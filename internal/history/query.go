package history

import (
	"encoding/binary"
	"errors"
	"fmt"

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
)

func (s *Store) lookupID(key []byte) (uint64, bool, error) {
	v, closer, err := s.db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("history: lookup: %w", err)
	}
	defer closer.Close()
	if len(v) != 8 {
		return 0, false, fmt.Errorf("%w: id index", ErrCorrupt)
	}
	return binary.BigEndian.Uint64(v), true, nil
}

// PaymentByUETR returns the recorded payment with the given UETR.
func (s *Store) PaymentByUETR(u [16]byte) (Payment, bool, error) {
	id, found, err := s.lookupID(uetrKey(u))
	if !found || err != nil {
		return Payment{}, false, err
	}
	return s.Payment(id)
}

// PaymentByKey returns the payment participant sent with idempotency key.
func (s *Store) PaymentByKey(participant, key string) (Payment, bool, error) {
	id, found, err := s.lookupID(idemKey(participant, key))
	if !found || err != nil {
		return Payment{}, false, err
	}
	return s.Payment(id)
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
	lower := participantKey(f.Participant, f.After+1)
	upper := participantKey(f.Participant, ^uint64(0))
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return nil, 0, err
	}
	defer it.Close()
	var out []Payment
	scanned := 0
	var last uint64
	for valid := it.First(); valid; valid = it.Next() {
		k := it.Key()
		id := binary.BigEndian.Uint64(k[len(k)-8:])
		last = id
		scanned++
		p, found, err := s.Payment(id)
		if err != nil {
			return nil, 0, err
		}
		if found && f.matches(&p) {
			out = append(out, p)
			if len(out) == limit {
				break
			}
		}
		if scanned >= ScanMax {
			break
		}
	}
	if err := it.Error(); err != nil {
		return nil, 0, err
	}
	next := uint64(0)
	if it.Valid() && (len(out) == limit || scanned >= ScanMax) {
		next = last
	}
	return out, next, nil
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
	More         bool // the period has more entries than EntriesMax
}

// EntriesMax bounds the entries of one statement page.
const EntriesMax = 10000

// Statement returns account a's entries booked in [fromNs, toNs), at most
// EntriesMax, with opening and closing balances.
func (s *Store) Statement(a ledger.AccountID, fromNs, toNs int64) (Statement, error) {
	st := Statement{Account: a, FromNs: fromNs, ToNs: toNs}
	prefix := entryPrefix(a)
	lower := binary.BigEndian.AppendUint64(append([]byte{}, prefix...), uint64(fromNs))
	upper := binary.BigEndian.AppendUint64(append([]byte{}, prefix...), uint64(toNs))
	// Opening balance: the balance after the last entry before fromNs.
	before, err := s.db.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: lower})
	if err != nil {
		return st, err
	}
	if before.Last() {
		e, err := decodeEntry(before.Key(), before.Value())
		if err != nil {
			before.Close()
			return st, err
		}
		st.OpeningNeg, st.Opening = e.BalanceNeg, e.BalanceAfter
	}
	if err := before.Close(); err != nil {
		return st, err
	}
	st.ClosingNeg, st.Closing = st.OpeningNeg, st.Opening
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return st, err
	}
	defer it.Close()
	for valid := it.First(); valid; valid = it.Next() {
		if len(st.Entries) == EntriesMax {
			st.More = true
			break
		}
		e, err := decodeEntry(it.Key(), it.Value())
		if err != nil {
			return st, err
		}
		st.Entries = append(st.Entries, e)
		st.ClosingNeg, st.Closing = e.BalanceNeg, e.BalanceAfter
	}
	return st, it.Error()
}
