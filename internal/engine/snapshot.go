package engine

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/mutua-org/mutua/internal/ledger"
	"github.com/mutua-org/mutua/internal/money"
)

// The snapshot is the canonical encoding of the whole state: fields in a fixed
// order, collections in id order, nothing taken from map iteration. The digest
// is its SHA-256, so two engines with equal digests hold equal state.
const snapshotMagic = "MUTUASN1"

// ErrSnapshot is returned by Restore for bytes that are not a valid snapshot.
var ErrSnapshot = errors.New("engine: bad snapshot")

// Snapshot encodes the full state.
func (e *Engine) Snapshot() ([]byte, error) { return e.encode(), nil }

// Capture takes the state as it is now and returns a function that encodes it
// as Snapshot would. Capture itself is quick: it copies the accounts and the
// small tables, and shares the payment log, the bulk of the state, copy on
// write. encode may run on another goroutine while the engine goes on
// applying, and sees nothing that later commands change.
func (e *Engine) Capture() (encode func() []byte) {
	f := e.freeze()
	return f.encode
}

// Digest returns the SHA-256 of the canonical state.
func (e *Engine) Digest() [32]byte { return sha256.Sum256(e.encode()) }

// SnapshotDigest returns the Digest of the state a Snapshot encoded, from its
// bytes alone. It reads no engine state, so the node hashes a snapshot on
// another goroutine while this one goes on applying.
func (*Engine) SnapshotDigest(data []byte) [32]byte { return sha256.Sum256(data) }

func (e *Engine) encode() []byte {
	f := e.state()
	return f.encode()
}

// frozen is the state a snapshot encodes, in the order it encodes it, held
// apart from the engine (see Capture).
type frozen struct {
	index        uint64
	timeNs       int64
	currencies   []Currency
	participants []Participant
	accounts     []ledger.Account
	pending      []ledger.PendingTransfer // by id
	nextPayment  uint64
	payments     paymentLog
	tokens       []Token // by id
	screening    screeningConfig
	parked       []Payment // by id
	reviews      []reviewOf
}

// reviewOf is a payment's first approval (see Engine.reviews), by id.
type reviewOf struct {
	id uint64
	review
}

// state returns the state to encode at once: it shares the accounts,
// participants and payment log with the engine, so the next Apply changes
// it.
func (e *Engine) state() frozen {
	pending := make([]ledger.PendingTransfer, 0, e.ledger.PendingCount())
	for _, id := range e.ledger.PendingIDs() {
		pending = append(pending, *e.ledger.Pending(id))
	}
	parked := make([]Payment, 0, len(e.parked))
	for _, p := range e.parked {
		parked = append(parked, *p)
	}
	slices.SortFunc(parked, func(a, b Payment) int { return cmp.Compare(a.ID, b.ID) })
	reviews := make([]reviewOf, 0, len(e.reviews))
	for id, r := range e.reviews {
		reviews = append(reviews, reviewOf{id, r})
	}
	slices.SortFunc(reviews, func(a, b reviewOf) int { return cmp.Compare(a.id, b.id) })
	return frozen{
		index: e.index, timeNs: e.timeNs, currencies: e.currencies, participants: e.participants,
		accounts: e.ledger.Accounts(), pending: pending, nextPayment: e.nextPayment, payments: e.payments,
		tokens: e.Tokens(), screening: e.screening, parked: parked, reviews: reviews,
	}
}

// freeze is state with nothing shared that a later Apply changes: the
// tables are copied and the payment log frozen (see paymentLog.freeze).
func (e *Engine) freeze() frozen {
	f := e.state()
	f.currencies = slices.Clone(f.currencies)
	f.participants = slices.Clone(f.participants)
	for i := range f.participants {
		f.participants[i].accounts = slices.Clone(f.participants[i].accounts)
	}
	f.accounts = slices.Clone(f.accounts)
	f.payments = e.payments.freeze()
	return f
}

func (f *frozen) encode() []byte {
	b := make([]byte, 0, 64+len(f.accounts)*80+f.payments.len()*80+len(f.participants)*64)
	b = append(b, snapshotMagic...)
	b = binary.AppendUvarint(b, f.index)
	b = binary.AppendVarint(b, f.timeNs)
	b = binary.AppendUvarint(b, uint64(len(f.currencies)))
	for _, c := range f.currencies {
		b = appendStr(b, c.Code)
		b = binary.AppendUvarint(b, uint64(c.Issuer))
		b = binary.AppendUvarint(b, uint64(c.IssuerAccount))
	}
	b = binary.AppendUvarint(b, uint64(len(f.participants)))
	for i := range f.participants {
		p := &f.participants[i]
		b = appendStr(b, p.ID)
		b = appendStr(b, p.Name)
		b = appendStr(b, p.LEI)
		b = appendStr(b, p.Country)
		b = append(b, p.Roles)
		b = appendBool(b, p.Suspended)
		for _, a := range p.accounts {
			b = binary.AppendUvarint(b, uint64(a+1)) // noAccount encodes as 0
		}
	}
	b = binary.AppendUvarint(b, uint64(len(f.accounts)))
	for i := range f.accounts {
		a := &f.accounts[i]
		for _, v := range [4]money.Uint128{a.DebitsPosted, a.CreditsPosted, a.DebitsPending, a.CreditsPending} {
			b = binary.AppendUvarint(b, v.Hi)
			b = binary.AppendUvarint(b, v.Lo)
		}
		b = binary.AppendVarint(b, a.Floor)
		b = binary.AppendUvarint(b, a.Ceiling)
		b = appendBool(b, a.HasCeiling)
		b = appendBool(b, a.Unbounded)
		b = binary.AppendUvarint(b, uint64(a.Currency))
	}
	b = binary.AppendUvarint(b, uint64(len(f.pending)))
	for i := range f.pending {
		p := &f.pending[i]
		b = binary.AppendUvarint(b, p.ID)
		b = binary.AppendUvarint(b, uint64(p.Debit))
		b = binary.AppendUvarint(b, uint64(p.Credit))
		b = binary.AppendUvarint(b, p.Amount)
		b = binary.AppendVarint(b, p.Deadline)
	}
	b = binary.AppendUvarint(b, f.nextPayment)
	b = binary.AppendUvarint(b, f.payments.base)
	b = binary.AppendUvarint(b, uint64(f.payments.len()))
	f.payments.each(func(p *Payment) { b = appendPayment(b, p) })
	b = binary.AppendUvarint(b, uint64(len(f.tokens)))
	for _, t := range f.tokens {
		b = appendStr(b, t.ID)
		b = append(b, t.Hash[:]...)
		b = appendStr(b, t.Participant)
		b = appendStr(b, t.Name)
		b = binary.AppendVarint(b, t.CreatedNs)
		b = appendBool(b, t.Revoked)
		b = binary.AppendVarint(b, t.RevokedNs)
	}
	b = appendStr(b, f.screening.lists)
	b = binary.AppendUvarint(b, uint64(f.screening.threshold))
	b = appendBool(b, f.screening.fourEyes)
	b = binary.AppendUvarint(b, uint64(len(f.parked)))
	for i := range f.parked {
		b = binary.AppendUvarint(b, f.parked[i].ID)
		b = appendPayment(b, &f.parked[i])
	}
	b = binary.AppendUvarint(b, uint64(len(f.reviews)))
	for _, r := range f.reviews {
		b = binary.AppendUvarint(b, r.id)
		b = appendBool(b, r.release)
		b = appendStr(b, r.user)
	}
	return b
}

func appendPayment(b []byte, p *Payment) []byte {
	b = append(b, byte(p.Kind), byte(p.Status))
	b = binary.AppendUvarint(b, uint64(p.Payer))
	b = binary.AppendUvarint(b, uint64(p.Payee))
	b = binary.AppendUvarint(b, uint64(p.Currency))
	b = binary.AppendVarint(b, p.Amount)
	b = binary.AppendVarint(b, p.Posted)
	b = append(b, p.UETR[:]...)
	b = appendStr(b, p.Key())
	b = binary.LittleEndian.AppendUint64(b, p.ContentHash)
	b = binary.AppendVarint(b, p.CreatedNs)
	b = binary.AppendVarint(b, p.UpdatedNs)
	b = binary.AppendUvarint(b, uint64(p.Reason))
	b = binary.AppendVarint(b, p.TimeoutNs)
	b = binary.AppendVarint(b, p.Returned)
	return binary.AppendUvarint(b, p.Original)
}

func (d *decoder) payment(p *Payment) {
	p.Kind, p.Status = Kind(d.byte()), Status(d.byte())
	p.Payer, p.Payee, p.Currency = narrow[uint32](d), narrow[uint32](d), narrow[uint16](d)
	p.Amount, p.Posted = d.varint(), d.varint()
	d.bytes(p.UETR[:])
	key := d.str()
	if len(key) > KeyLenMax {
		d.fail("payment %d key of %d bytes", p.ID, len(key))
	}
	p.key = newStoredKey(key)
	if len(d.b) >= 8 {
		p.ContentHash = binary.LittleEndian.Uint64(d.b)
		d.b = d.b[8:]
	} else {
		d.fail("truncated payment %d", p.ID)
	}
	p.CreatedNs, p.UpdatedNs = d.varint(), d.varint()
	p.Reason, p.TimeoutNs = narrow[Reason](d), d.varint()
	p.Returned, p.Original = d.varint(), d.uvarint()
}

// Restore replaces the state with the snapshot data taken at index.
func (e *Engine) Restore(index uint64, data []byte) error {
	n, err := decodeSnapshot(data)
	if err != nil {
		return err
	}
	// The node may restore at a later index than the engine last applied:
	// entries without commands (a new leader's no-op) never reach Apply.
	if n.index > index {
		return fmt.Errorf("%w: taken at index %d, restored as %d", ErrSnapshot, n.index, index)
	}
	*e = *n
	return nil
}

func decodeSnapshot(data []byte) (*Engine, error) {
	if len(data) < len(snapshotMagic) || string(data[:len(snapshotMagic)]) != snapshotMagic {
		return nil, fmt.Errorf("%w: missing magic", ErrSnapshot)
	}
	d := decoder{b: data[len(snapshotMagic):]}
	e := New()
	e.index = d.uvarint()
	e.timeNs = d.varint()
	// Every count is checked against the bytes left, so a corrupt count
	// cannot make us allocate more than the snapshot's own size.
	count := func(minBytes int) int {
		n := d.uvarint()
		if d.err == nil && n > uint64(len(d.b)/minBytes) {
			d.fail("count %d exceeds remaining %d bytes", n, len(d.b))
		}
		if d.err != nil {
			return 0
		}
		return int(n)
	}
	nc := count(3)
	for i := 0; i < nc && d.err == nil; i++ {
		code := d.str()
		cur, known := money.Lookup(code)
		if !known {
			d.fail("unknown currency %q", code)
			break
		}
		e.currencies = append(e.currencies, Currency{Currency: cur, Issuer: narrow[uint32](&d), IssuerAccount: narrow[ledger.AccountID](&d)})
		e.byCode[code] = uint16(i)
	}
	np := count(6)
	e.participants = make([]Participant, 0, np)
	for i := 0; i < np && d.err == nil; i++ {
		p := Participant{ID: d.str(), Name: d.str(), LEI: d.str(), Country: d.str(), Roles: d.byte(), Suspended: d.bool()}
		p.keySalt = keySalt(p.ID)
		p.accounts = make([]ledger.AccountID, nc)
		for c := range p.accounts {
			p.accounts[c] = narrow[ledger.AccountID](&d) - 1
		}
		e.participants = append(e.participants, p)
		e.byID[p.ID] = uint32(i)
	}
	na := count(13)
	accounts := make([]ledger.Account, na)
	for i := range accounts {
		a := &accounts[i]
		for _, v := range []*money.Uint128{&a.DebitsPosted, &a.CreditsPosted, &a.DebitsPending, &a.CreditsPending} {
			v.Hi, v.Lo = d.uvarint(), d.uvarint()
		}
		a.Floor, a.Ceiling, a.HasCeiling, a.Unbounded = d.varint(), d.uvarint(), d.bool(), d.bool()
		a.Currency = narrow[uint16](&d)
		if d.err == nil && int(a.Currency) >= nc {
			d.fail("account %d has currency %d of %d", i, a.Currency, nc)
		}
	}
	npend := count(5)
	pending := make([]ledger.PendingTransfer, npend)
	for i := range pending {
		p := &pending[i]
		p.ID, p.Debit, p.Credit = d.uvarint(), narrow[ledger.AccountID](&d), narrow[ledger.AccountID](&d)
		p.Amount, p.Deadline, p.State = d.uvarint(), d.varint(), ledger.Pending
	}
	e.nextPayment = d.uvarint()
	base := d.uvarint()
	nr := count(30)
	for i := 0; i < nr && d.err == nil; i++ {
		p := Payment{ID: base + uint64(i)}
		d.payment(&p)
		e.payments.push(p)
		e.byKey.put(&p, e)
		if p.UETR != [16]byte{} {
			e.byUETR.put(&p, e)
		}
	}
	if nr == 0 {
		e.payments.base = base
	}
	nt := count(36)
	for i := 0; i < nt && d.err == nil; i++ {
		t := &Token{ID: d.str()}
		d.bytes(t.Hash[:])
		t.Participant, t.Name, t.CreatedNs, t.Revoked, t.RevokedNs = d.str(), d.str(), d.varint(), d.bool(), d.varint()
		if _, dup := e.tokens[t.ID]; dup || !validTokenID(t.ID) {
			d.fail("token %q duplicated or invalid", t.ID)
		}
		e.tokens[t.ID] = t
	}
	e.screening.lists = d.str()
	e.screening.threshold = narrow[uint16](&d)
	e.screening.fourEyes = d.bool()
	npark := count(30)
	for i := 0; i < npark && d.err == nil; i++ {
		p := &Payment{ID: d.uvarint()}
		d.payment(p)
		if _, dup := e.parked[p.ID]; dup {
			d.fail("parked payment %d twice", p.ID)
		}
		e.parked[p.ID] = p
		e.byKey.put(p, e)
		if p.UETR != [16]byte{} {
			e.byUETR.put(p, e)
		}
	}
	nrev := count(3)
	for i := 0; i < nrev && d.err == nil; i++ {
		id := d.uvarint()
		e.reviews[id] = review{release: d.bool(), user: d.str()}
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d trailing bytes", len(d.b))
	}
	if d.err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSnapshot, d.err)
	}
	if base+uint64(nr) != e.nextPayment {
		return nil, fmt.Errorf("%w: payments end at %d, next id %d", ErrSnapshot, base+uint64(nr), e.nextPayment)
	}
	e.ledger.Restore(accounts, pending)
	e.owner = make([]uint32, len(accounts))
	for i := range e.participants {
		for _, id := range e.participants[i].accounts {
			if id != noAccount && int(id) < len(accounts) {
				e.owner[id] = uint32(i)
			}
		}
	}
	if err := e.CheckInvariants(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSnapshot, err)
	}
	return e, nil
}
