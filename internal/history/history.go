// Package history keeps the settled record in Pebble: every accepted payment
// with its final state, and every booked entry per account with the balance
// after it, indexed for queries and statements. It is a view derived from the
// log: the node's recorder calls Record once per applied entry, in log order,
// and commits the batch together with the recorder's index, so each entry is
// recorded exactly once even across crashes.
//
// Key layout (all keys start with 'h', outside the node's 0x00 key space):
//
//	h p <id:8>                       payment record
//	h u <uetr:16>                    payment id by UETR
//	h k <participant> 0x00 <key>     payment id by the sender's idempotency key
//	h i <participant> 0x00 <id:8>    the participant's payments (as payer or payee)
//	h e <account:4> <ns:8> <index:8> <pos:4> <leg:2>   booked entry
//	h b <account:4>                  balance after the account's last entry
//
// Integers are big-endian so that keys sort numerically.
package history

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/cockroachdb/pebble/v2"

	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/ledger"
	"github.com/mutua-org/mutua/internal/money"
)

// Key prefixes.
const (
	prefixPayment     = "hp"
	prefixUETR        = "hu"
	prefixKey         = "hk"
	prefixParticipant = "hi"
	prefixEntry       = "he"
	prefixBalance     = "hb"
)

// ErrCorrupt means a stored history record does not decode.
var ErrCorrupt = errors.New("history: corrupt record")

// Payment is a settled-history payment record: the command as accepted, its
// current state and times.
type Payment struct {
	ID        uint64
	Index     uint64 // log index of the entry that accepted it
	Status    engine.Status
	Reason    engine.Reason // why it ended rejected, once accepted
	Posted    int64         // amount posted so far (partial posts of a reservation)
	CreatedNs int64
	UpdatedNs int64
	// From and To are the debited and credited participants (for funding,
	// the issuer and the funded participant).
	From, To string
	Command  engine.Command
}

// Entry is one booked posting on an account.
type Entry struct {
	Account      ledger.AccountID
	Counterparty ledger.AccountID
	Payment      uint64
	Kind         engine.Kind
	Credit       bool // credit to Account; otherwise a debit
	Amount       uint64
	BookedNs     int64
	Index        uint64
	// BalanceAfter is the account's posted balance after this entry.
	BalanceNeg   bool
	BalanceAfter money.Uint128
}

// Store reads and writes the history in a Pebble database shared with the
// node.
type Store struct {
	db *pebble.DB
	// balances caches each account's balance after its last recorded entry.
	// Only the recorder goroutine touches it (REQUIRES: Record is not called
	// concurrently).
	balances map[ledger.AccountID]balance
}

type balance struct {
	neg bool
	v   money.Uint128
}

// New returns a store over db.
func New(db *pebble.DB) *Store {
	return &Store{db: db, balances: make(map[ledger.AccountID]balance)}
}

func paymentKey(id uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte(prefixPayment), id)
}

func uetrKey(u [16]byte) []byte { return append([]byte(prefixUETR), u[:]...) }

func idemKey(participant, key string) []byte {
	b := append([]byte(prefixKey), participant...)
	b = append(b, 0)
	return append(b, key...)
}

func participantKey(participant string, id uint64) []byte {
	b := append([]byte(prefixParticipant), participant...)
	b = append(b, 0)
	return binary.BigEndian.AppendUint64(b, id)
}

func entryPrefix(a ledger.AccountID) []byte {
	return binary.BigEndian.AppendUint32([]byte(prefixEntry), uint32(a))
}

func entryKey(a ledger.AccountID, ns int64, index uint64, pos uint32, leg uint16) []byte {
	b := entryPrefix(a)
	b = binary.BigEndian.AppendUint64(b, uint64(ns))
	b = binary.BigEndian.AppendUint64(b, index)
	b = binary.BigEndian.AppendUint32(b, pos)
	return binary.BigEndian.AppendUint16(b, leg)
}

func balanceKey(a ledger.AccountID) []byte {
	return binary.BigEndian.AppendUint32([]byte(prefixBalance), uint32(a))
}

// Record writes the history of one applied entry into b.
func (s *Store) Record(index uint64, nowNs int64, cmds [][]byte, results []any, b *pebble.Batch) error {
	r := recording{s: s, b: b, index: index, nowNs: nowNs, written: map[uint64]*Payment{}, dirty: map[ledger.AccountID]bool{}}
	for pos, raw := range cmds {
		if err := r.command(uint32(pos), raw, results[pos].(*engine.Result)); err != nil {
			return fmt.Errorf("history: entry %d command %d: %w", index, pos, err)
		}
	}
	// Balances are written once per entry, not once per posting.
	for a := range r.dirty {
		if err := b.Set(balanceKey(a), encodeBalance(s.balances[a]), nil); err != nil {
			return err
		}
	}
	return nil
}

// recording is the state of one Record call.
type recording struct {
	s       *Store
	b       *pebble.Batch
	index   uint64
	nowNs   int64
	written map[uint64]*Payment // payments created or changed in this entry
	dirty   map[ledger.AccountID]bool
}

func (r *recording) command(pos uint32, raw []byte, res *engine.Result) error {
	for _, t := range res.Expired {
		if err := r.setStatus(t.Payment, engine.StatusExpired, engine.OK, 0); err != nil {
			return err
		}
	}
	if res.Reason != engine.OK || res.Duplicate || res.Payment == 0 {
		return nil
	}
	c, err := engine.DecodeCommand(raw)
	if err != nil {
		return err
	}
	switch c.Kind {
	case engine.KindPost, engine.KindVoid, engine.KindRelease, engine.KindRejectHeld:
		var posted int64
		if len(res.Transfers) > 0 && !res.Transfers[0].Pending {
			posted = int64(res.Transfers[0].Amount)
		}
		if err := r.setStatus(res.Payment, res.Status, res.PaymentReason, posted); err != nil {
			return err
		}
	case engine.KindIssueToken, engine.KindRevokeToken, engine.KindSetScreening:
		return nil
	default:
		if err := r.create(&c, res); err != nil {
			return err
		}
	}
	for leg, t := range res.Transfers {
		if t.Pending || t.Amount == 0 {
			continue
		}
		if err := r.book(t, c.Kind, pos, uint16(leg)); err != nil {
			return err
		}
	}
	return nil
}

// create records a newly accepted payment and its indexes.
func (r *recording) create(c *engine.Command, res *engine.Result) error {
	p := &Payment{ID: res.Payment, Index: r.index, Status: res.Status, CreatedNs: r.nowNs, UpdatedNs: r.nowNs, Command: *c}
	switch {
	case len(res.Transfers) > 0:
		t := res.Transfers[0]
		p.From, p.To = t.From, t.To
	case c.Kind == engine.KindPay || c.Kind == engine.KindReserve:
		p.From, p.To = c.Participant, c.Payee // held: nothing moved yet
	}
	if res.Status == engine.StatusSettled {
		p.Posted = c.Amount
	}
	r.written[p.ID] = p
	b := r.b
	if err := b.Set(paymentKey(p.ID), encodePayment(p), nil); err != nil {
		return err
	}
	scope := c.Participant
	if c.Kind == engine.KindLinked {
		scope = ""
	}
	id := binary.BigEndian.AppendUint64(nil, p.ID)
	if err := b.Set(idemKey(scope, c.Key), id, nil); err != nil {
		return err
	}
	if c.UETR != [16]byte{} {
		if err := b.Set(uetrKey(c.UETR), id, nil); err != nil {
			return err
		}
	}
	owners := []string{p.From, p.To}
	if p.From == "" {
		owners = nil
	}
	for _, t := range res.Transfers {
		for _, owner := range [2]string{t.From, t.To} {
			if !slices.Contains(owners, owner) {
				owners = append(owners, owner)
			}
		}
	}
	for _, owner := range owners {
		if err := b.Set(participantKey(owner, p.ID), nil, nil); err != nil {
			return err
		}
	}
	return nil
}

// book writes the debit and credit entries of a posted transfer.
func (r *recording) book(t engine.Transfer, kind engine.Kind, pos uint32, leg uint16) error {
	for side := uint16(0); side < 2; side++ {
		e := Entry{Account: t.Debit, Counterparty: t.Credit, Payment: t.Payment, Kind: kind, Amount: t.Amount, BookedNs: r.nowNs, Index: r.index}
		if side == 1 {
			e.Account, e.Counterparty, e.Credit = t.Credit, t.Debit, true
		}
		bal, err := r.s.balance(e.Account)
		if err != nil {
			return err
		}
		bal = bal.apply(e.Credit, t.Amount)
		r.s.balances[e.Account] = bal
		r.dirty[e.Account] = true
		e.BalanceNeg, e.BalanceAfter = bal.neg, bal.v
		if err := r.b.Set(entryKey(e.Account, r.nowNs, r.index, pos, leg*2+side), encodeEntry(&e), nil); err != nil {
			return err
		}
	}
	return nil
}

// setStatus records a payment's transition to status.
func (r *recording) setStatus(id uint64, status engine.Status, reason engine.Reason, posted int64) error {
	p := r.written[id]
	if p == nil {
		got, found, err := r.s.Payment(id)
		if err != nil {
			return err
		}
		if !found {
			return fmt.Errorf("status change of unknown payment %d", id)
		}
		p = &got
		r.written[id] = p
	}
	p.Status, p.Reason, p.UpdatedNs = status, reason, r.nowNs
	if status == engine.StatusSettled {
		p.Posted = posted
	}
	return r.b.Set(paymentKey(id), encodePayment(p), nil)
}

func (b balance) apply(credit bool, amount uint64) balance {
	a := money.U128(amount)
	if credit == !b.neg { // same sign: magnitude grows
		v, _ := b.v.Add(a)
		return balance{b.neg, v}
	}
	if b.v.Cmp(a) >= 0 {
		v, _ := b.v.Sub(a)
		return balance{b.neg && !v.IsZero(), v}
	}
	v, _ := a.Sub(b.v)
	return balance{!credit, v}
}

func (s *Store) balance(a ledger.AccountID) (balance, error) {
	if bal, found := s.balances[a]; found {
		return bal, nil
	}
	v, closer, err := s.db.Get(balanceKey(a))
	if errors.Is(err, pebble.ErrNotFound) {
		return balance{}, nil
	}
	if err != nil {
		return balance{}, fmt.Errorf("history: balance of account %d: %w", a, err)
	}
	defer closer.Close()
	return decodeBalance(v)
}

// Payment returns the recorded payment with id.
func (s *Store) Payment(id uint64) (Payment, bool, error) {
	v, closer, err := s.db.Get(paymentKey(id))
	if errors.Is(err, pebble.ErrNotFound) {
		return Payment{}, false, nil
	}
	if err != nil {
		return Payment{}, false, fmt.Errorf("history: payment %d: %w", id, err)
	}
	defer closer.Close()
	p, err := decodePayment(v)
	p.ID = id
	return p, err == nil, err
}

func encodePayment(p *Payment) []byte {
	v := make([]byte, 0, 128)
	v = append(v, 1, byte(p.Status))
	v = binary.AppendUvarint(v, uint64(p.Reason))
	v = binary.AppendUvarint(v, p.Index)
	v = binary.AppendVarint(v, p.Posted)
	v = binary.AppendVarint(v, p.CreatedNs)
	v = binary.AppendVarint(v, p.UpdatedNs)
	v = appendString(v, p.From)
	v = appendString(v, p.To)
	return engine.AppendCommand(v, &p.Command)
}

func decodePayment(v []byte) (Payment, error) {
	var p Payment
	if len(v) < 2 || v[0] != 1 {
		return p, fmt.Errorf("%w: payment record version", ErrCorrupt)
	}
	p.Status = engine.Status(v[1])
	r := reader{b: v[2:]}
	p.Reason = engine.Reason(r.uvarint())
	p.Index = r.uvarint()
	p.Posted, p.CreatedNs, p.UpdatedNs = r.varint(), r.varint(), r.varint()
	p.From, p.To = r.string(), r.string()
	if r.bad {
		return p, fmt.Errorf("%w: payment record", ErrCorrupt)
	}
	c, err := engine.DecodeCommand(r.b)
	if err != nil {
		return p, fmt.Errorf("%w: payment command: %v", ErrCorrupt, err)
	}
	p.Command = c
	return p, nil
}

func encodeEntry(e *Entry) []byte {
	v := make([]byte, 0, 48)
	v = append(v, byte(e.Kind))
	if e.Credit {
		v = append(v, 1)
	} else {
		v = append(v, 0)
	}
	v = binary.AppendUvarint(v, uint64(e.Counterparty))
	v = binary.AppendUvarint(v, e.Payment)
	v = binary.AppendUvarint(v, e.Amount)
	return append(v, encodeBalance(balance{e.BalanceNeg, e.BalanceAfter})...)
}

func decodeEntry(key, v []byte) (Entry, error) {
	var e Entry
	if len(key) != len(prefixEntry)+4+8+8+4+2 || len(v) < 2 {
		return e, fmt.Errorf("%w: entry", ErrCorrupt)
	}
	k := key[len(prefixEntry):]
	e.Account = ledger.AccountID(binary.BigEndian.Uint32(k))
	e.BookedNs = int64(binary.BigEndian.Uint64(k[4:]))
	e.Index = binary.BigEndian.Uint64(k[12:])
	e.Kind, e.Credit = engine.Kind(v[0]), v[1] == 1
	r := reader{b: v[2:]}
	e.Counterparty = ledger.AccountID(r.uvarint())
	e.Payment, e.Amount = r.uvarint(), r.uvarint()
	if r.bad {
		return e, fmt.Errorf("%w: entry", ErrCorrupt)
	}
	bal, err := decodeBalance(r.b)
	e.BalanceNeg, e.BalanceAfter = bal.neg, bal.v
	return e, err
}

func encodeBalance(b balance) []byte {
	v := make([]byte, 17)
	if b.neg {
		v[0] = 1
	}
	binary.BigEndian.PutUint64(v[1:], b.v.Hi)
	binary.BigEndian.PutUint64(v[9:], b.v.Lo)
	return v
}

func decodeBalance(v []byte) (balance, error) {
	if len(v) != 17 || v[0] > 1 {
		return balance{}, fmt.Errorf("%w: balance", ErrCorrupt)
	}
	return balance{neg: v[0] == 1, v: money.Uint128{Hi: binary.BigEndian.Uint64(v[1:]), Lo: binary.BigEndian.Uint64(v[9:])}}, nil
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

type reader struct {
	b   []byte
	bad bool
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.bad = true
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) string() string {
	n := r.uvarint()
	if r.bad || n > uint64(len(r.b)) {
		r.bad = true
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}
