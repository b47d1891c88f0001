// Package ledger keeps double-entry accounts in minor units: four 128-bit
// counters per account, pending transfers that are later posted or voided, and
// linked batches that apply whole or not at all.
//
// The ledger is deterministic and does no I/O. It knows accounts by dense
// index and currencies by a small index; the engine maps participants and ISO
// currency codes onto them.
package ledger

import (
	"container/heap"
	"fmt"
	"slices"

	"github.com/mutua-org/mutua/internal/money"
)

// AccountID is the dense index of an account in the ledger.
type AccountID uint32

// Account is one participant's balance in one currency.
//
// Balance = CreditsPosted − DebitsPosted. Available balance for debits =
// CreditsPosted − DebitsPosted − DebitsPending. A debit must leave the
// available balance at or above Floor unless the account is unbounded (an
// issuer's issuance account, through which money enters and leaves).
type Account struct {
	DebitsPosted   money.Uint128
	CreditsPosted  money.Uint128
	DebitsPending  money.Uint128
	CreditsPending money.Uint128

	// Floor is the lowest allowed available balance in minor units. Below
	// zero it is a credit line (net debit cap).
	Floor int64
	// Ceiling, when HasCeiling, is the highest allowed balance including
	// pending credits.
	Ceiling    uint64
	HasCeiling bool
	// Unbounded accounts (issuance accounts) skip the floor check.
	Unbounded bool
	Currency  uint16
}

// Balance returns the posted balance as sign and magnitude.
func (a *Account) Balance() (neg bool, v money.Uint128) {
	if a.CreditsPosted.Cmp(a.DebitsPosted) >= 0 {
		v, _ = a.CreditsPosted.Sub(a.DebitsPosted)
		return false, v
	}
	v, _ = a.DebitsPosted.Sub(a.CreditsPosted)
	return true, v
}

// Result is the outcome of a ledger operation. Codes are engine reason codes
// (see engine.Reason); the ledger only produces the ones below.
type Result uint8

// Ledger results, in the order the checks run.
const (
	OK Result = iota
	ErrAccountUnknown
	ErrSameAccount
	ErrCurrencyMismatch
	ErrOverflow
	ErrExceedsFloor
	ErrExceedsCeiling
	ErrPendingUnknown
	ErrPendingExpired
	ErrPostExceedsPending
	ErrPendingLimit
)

var resultNames = [...]string{
	OK:                    "ok",
	ErrAccountUnknown:     "account_unknown",
	ErrSameAccount:        "same_account",
	ErrCurrencyMismatch:   "currency_mismatch",
	ErrOverflow:           "overflow",
	ErrExceedsFloor:       "insufficient_liquidity",
	ErrExceedsCeiling:     "ceiling_exceeded",
	ErrPendingUnknown:     "pending_unknown",
	ErrPendingExpired:     "pending_expired",
	ErrPostExceedsPending: "post_exceeds_pending",
	ErrPendingLimit:       "pending_limit_reached",
}

func (r Result) String() string {
	if int(r) < len(resultNames) {
		return resultNames[r]
	}
	return fmt.Sprintf("ledger.Result(%d)", r)
}

// PendingState is the life of a pending transfer.
type PendingState uint8

// Pending transfer states.
const (
	Pending PendingState = iota + 1
	Posted
	Voided
	Expired
)

// PendingTransfer reserves Amount: a pending debit on Debit and a pending
// credit on Credit, until it is posted (in full or part), voided, or expires
// at Deadline (log time, unix nanoseconds; zero means never).
type PendingTransfer struct {
	ID       uint64
	Debit    AccountID
	Credit   AccountID
	Amount   uint64
	Deadline int64
	State    PendingState
	Posted   uint64 // amount posted, when State == Posted
}

// Transfer is a request to move Amount from Debit to Credit.
type Transfer struct {
	Debit  AccountID
	Credit AccountID
	Amount uint64
}

// PendingMax bounds the number of open pending transfers: each holds funds and
// memory until posted, voided or expired.
const PendingMax = 1 << 20

// Ledger holds accounts and open pending transfers.
type Ledger struct {
	// PendingLimit bounds open pending transfers; New sets it to PendingMax.
	PendingLimit int

	accounts []Account
	pending  map[uint64]*PendingTransfer
	// undo records account states changed by the current linked batch.
	undo      []undoRecord
	inBatch   bool
	pendingIn []uint64 // pending ids created in the current batch
	deadlines deadlineHeap
}

type undoRecord struct {
	id      AccountID
	account Account
}

// New returns an empty ledger.
func New() *Ledger {
	return &Ledger{PendingLimit: PendingMax, pending: make(map[uint64]*PendingTransfer)}
}

// Open adds an account and returns its id.
func (l *Ledger) Open(a Account) AccountID {
	l.accounts = append(l.accounts, a)
	return AccountID(len(l.accounts) - 1)
}

// Len returns the number of accounts.
func (l *Ledger) Len() int { return len(l.accounts) }

// Account returns the account with id, or nil.
func (l *Ledger) Account(id AccountID) *Account {
	if int(id) >= len(l.accounts) {
		return nil
	}
	return &l.accounts[id]
}

// Touch loads account id, if it exists, so that using it soon after finds it
// in the cache; touching several accounts in a row lets their cache misses
// overlap. It returns what it loaded for the caller to keep (the compiler
// drops a load whose value is unused) and changes nothing.
func (l *Ledger) Touch(id AccountID) uint64 {
	if int(id) >= len(l.accounts) {
		return 0
	}
	a := &l.accounts[id]
	// An account spans two cache lines: load from the start and the end.
	return a.DebitsPosted.Lo + uint64(a.Currency)
}

// SetLimits changes an account's floor and ceiling. It refuses, and changes
// nothing, if the account's available balance is already below the new floor
// or its balance with pending credits above the new ceiling: limits bound
// what may happen next, never declare the present state invalid.
func (l *Ledger) SetLimits(id AccountID, floor int64, ceiling uint64, hasCeiling bool) bool {
	a := l.mustAccount(id)
	next := *a
	next.Floor, next.Ceiling, next.HasCeiling = floor, ceiling, hasCeiling
	if debitAllowed(&next, 0) != OK || creditAllowed(&next, 0) != OK {
		return false
	}
	l.save(id)
	*a = next
	return true
}

func (l *Ledger) mustAccount(id AccountID) *Account {
	if int(id) >= len(l.accounts) {
		panic(fmt.Sprintf("ledger: account %d does not exist", id))
	}
	return &l.accounts[id]
}

// checkPair validates the accounts of a transfer.
func (l *Ledger) checkPair(debit, credit AccountID) (*Account, *Account, Result) {
	if int(debit) >= len(l.accounts) || int(credit) >= len(l.accounts) {
		return nil, nil, ErrAccountUnknown
	}
	if debit == credit {
		return nil, nil, ErrSameAccount
	}
	dr, cr := &l.accounts[debit], &l.accounts[credit]
	if dr.Currency != cr.Currency {
		return nil, nil, ErrCurrencyMismatch
	}
	return dr, cr, OK
}

// debitAllowed reports whether dr may take a further debit of amt, given its
// posted and pending debits, its floor and whether it is unbounded.
// It returns ErrOverflow if any sum would exceed 128 bits.
func debitAllowed(dr *Account, amt uint64) Result {
	out, o1 := dr.DebitsPosted.Add(dr.DebitsPending)
	out, o2 := out.Add64(amt)
	if o1 || o2 {
		return ErrOverflow
	}
	if dr.Unbounded {
		return OK
	}
	in := dr.CreditsPosted
	if dr.Floor < 0 {
		var o bool
		if in, o = in.Add64(uint64(-dr.Floor)); o {
			return ErrOverflow
		}
	} else {
		var o bool
		if out, o = out.Add64(uint64(dr.Floor)); o {
			return ErrOverflow
		}
	}
	if out.Cmp(in) > 0 {
		return ErrExceedsFloor
	}
	return OK
}

// creditAllowed reports whether cr may take a further credit of amt.
func creditAllowed(cr *Account, amt uint64) Result {
	in, o1 := cr.CreditsPosted.Add(cr.CreditsPending)
	in, o2 := in.Add64(amt)
	if o1 || o2 {
		return ErrOverflow
	}
	if !cr.HasCeiling {
		return OK
	}
	limit, o := cr.DebitsPosted.Add64(cr.Ceiling)
	if o {
		return OK // the ceiling cannot be reached
	}
	if in.Cmp(limit) > 0 {
		return ErrExceedsCeiling
	}
	return OK
}

// Post moves t.Amount from t.Debit to t.Credit at once.
func (l *Ledger) Post(t Transfer) Result {
	dr, cr, r := l.checkPair(t.Debit, t.Credit)
	if r != OK {
		return r
	}
	if r := debitAllowed(dr, t.Amount); r != OK {
		return r
	}
	if r := creditAllowed(cr, t.Amount); r != OK {
		return r
	}
	l.save(t.Debit)
	l.save(t.Credit)
	// Both sums were checked above, so these additions cannot overflow.
	dr.DebitsPosted, _ = dr.DebitsPosted.Add64(t.Amount)
	cr.CreditsPosted, _ = cr.CreditsPosted.Add64(t.Amount)
	return OK
}

// Reserve creates pending transfer id for t, holding its funds until deadline.
// REQUIRES: id is not in use (the engine assigns ids from a counter).
func (l *Ledger) Reserve(id uint64, t Transfer, deadline int64) Result {
	dr, cr, r := l.checkPair(t.Debit, t.Credit)
	if r != OK {
		return r
	}
	if len(l.pending) >= l.PendingLimit {
		return ErrPendingLimit
	}
	if r := debitAllowed(dr, t.Amount); r != OK {
		return r
	}
	if r := creditAllowed(cr, t.Amount); r != OK {
		return r
	}
	if _, dup := l.pending[id]; dup {
		panic(fmt.Sprintf("ledger: pending transfer %d reused", id))
	}
	l.save(t.Debit)
	l.save(t.Credit)
	dr.DebitsPending, _ = dr.DebitsPending.Add64(t.Amount)
	cr.CreditsPending, _ = cr.CreditsPending.Add64(t.Amount)
	l.pending[id] = &PendingTransfer{ID: id, Debit: t.Debit, Credit: t.Credit, Amount: t.Amount, Deadline: deadline, State: Pending}
	if l.inBatch {
		l.pendingIn = append(l.pendingIn, id)
	}
	if deadline != 0 {
		heap.Push(&l.deadlines, deadlineOf(id, deadline))
	}
	return OK
}

// Pending returns the pending transfer id, or nil.
func (l *Ledger) Pending(id uint64) *PendingTransfer { return l.pending[id] }

// PendingCount returns the number of pending transfers still held open.
func (l *Ledger) PendingCount() int { return len(l.pending) }

// Resolve posts amount of pending transfer id (amount 0 posts it in full) or,
// when void is set, releases it. The unposted remainder of a partial post is
// released. A resolved transfer leaves the pending set; the caller keeps
// whatever record of it it needs.
func (l *Ledger) Resolve(id uint64, amount uint64, void bool, now int64) (PendingTransfer, Result) {
	p := l.pending[id]
	if p == nil {
		return PendingTransfer{}, ErrPendingUnknown
	}
	if p.Deadline != 0 && now >= p.Deadline {
		return *p, ErrPendingExpired
	}
	if !void && amount > p.Amount {
		return *p, ErrPostExceedsPending
	}
	if amount == 0 {
		amount = p.Amount
	}
	if l.inBatch {
		panic("ledger: Resolve inside a linked batch is not supported")
	}
	dr, cr := &l.accounts[p.Debit], &l.accounts[p.Credit]
	dr.DebitsPending, _ = dr.DebitsPending.Sub(money.U128(p.Amount))
	cr.CreditsPending, _ = cr.CreditsPending.Sub(money.U128(p.Amount))
	delete(l.pending, id)
	done := *p
	if void {
		done.State = Voided
		return done, OK
	}
	// Reserved funds already passed the floor and ceiling checks, and a post
	// never exceeds the reservation, so the posted counters cannot overflow
	// where the pending ones did not.
	dr.DebitsPosted, _ = dr.DebitsPosted.Add64(amount)
	cr.CreditsPosted, _ = cr.CreditsPosted.Add64(amount)
	done.State, done.Posted = Posted, amount
	return done, OK
}

// ExpireDue releases every pending transfer whose deadline is at or before
// now and returns them in (deadline, id) order.
func (l *Ledger) ExpireDue(now int64) []PendingTransfer {
	var out []PendingTransfer
	for len(l.deadlines) > 0 && l.deadlines[0].deadline <= now {
		d := heap.Pop(&l.deadlines).(deadline)
		p := l.pending[d.id]
		if p == nil {
			continue // resolved before its deadline
		}
		dr, cr := &l.accounts[p.Debit], &l.accounts[p.Credit]
		dr.DebitsPending, _ = dr.DebitsPending.Sub(money.U128(p.Amount))
		cr.CreditsPending, _ = cr.CreditsPending.Sub(money.U128(p.Amount))
		delete(l.pending, d.id)
		done := *p
		done.State = Expired
		out = append(out, done)
	}
	return out
}

type deadline struct {
	deadline int64
	id       uint64
}

// deadlineHeap orders pending deadlines by (deadline, id); ids are unique, so
// the pop order is the same whatever the insertion history.
type deadlineHeap []deadline

func (h deadlineHeap) Len() int { return len(h) }
func (h deadlineHeap) Less(i, j int) bool {
	if h[i].deadline != h[j].deadline {
		return h[i].deadline < h[j].deadline
	}
	return h[i].id < h[j].id
}
func (h deadlineHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *deadlineHeap) Push(x any)   { *h = append(*h, x.(deadline)) }
func (h *deadlineHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// Begin starts a linked batch: until Commit or Rollback, every change is
// recorded so that Rollback can undo it.
func (l *Ledger) Begin() {
	if l.inBatch {
		panic("ledger: nested linked batch")
	}
	l.inBatch = true
	l.undo = l.undo[:0]
	l.pendingIn = l.pendingIn[:0]
}

// Commit ends a linked batch, keeping its changes.
func (l *Ledger) Commit() {
	l.inBatch = false
	l.undo = l.undo[:0]
	l.pendingIn = l.pendingIn[:0]
}

// Rollback ends a linked batch, undoing all of its changes.
func (l *Ledger) Rollback() {
	for i := len(l.undo) - 1; i >= 0; i-- {
		u := l.undo[i]
		l.accounts[u.id] = u.account
	}
	for _, id := range l.pendingIn {
		delete(l.pending, id)
	}
	l.inBatch = false
	l.undo = l.undo[:0]
	l.pendingIn = l.pendingIn[:0]
}

func (l *Ledger) save(id AccountID) {
	if l.inBatch {
		l.undo = append(l.undo, undoRecord{id, l.accounts[id]})
	}
}

// Accounts returns the accounts slice for read-only iteration in id order.
func (l *Ledger) Accounts() []Account { return l.accounts }

// PendingIDs returns the ids of open pending transfers in ascending order.
func (l *Ledger) PendingIDs() []uint64 {
	ids := make([]uint64, 0, len(l.pending))
	for id := range l.pending {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Restore replaces the ledger state (used by snapshot restore).
func (l *Ledger) Restore(accounts []Account, pending []PendingTransfer) {
	l.accounts = accounts
	l.pending = make(map[uint64]*PendingTransfer, len(pending))
	for i := range pending {
		p := pending[i]
		l.pending[p.ID] = &p
	}
	l.deadlines = l.deadlines[:0]
	for _, p := range pending {
		if p.Deadline != 0 {
			l.deadlines = append(l.deadlines, deadlineOf(p.ID, p.Deadline))
		}
	}
	heap.Init(&l.deadlines)
}

func deadlineOf(id uint64, at int64) deadline { return deadline{deadline: at, id: id} }

// CheckConservation verifies that, per currency, total debits equal total
// credits (posted and pending separately). It returns the first currency that
// does not balance, or -1.
func (l *Ledger) CheckConservation(currencies int) (currency int, err error) {
	type sums struct{ dp, cp, dq, cq money.Uint128 }
	s := make([]sums, currencies)
	for i := range l.accounts {
		a := &l.accounts[i]
		if int(a.Currency) >= currencies {
			return int(a.Currency), fmt.Errorf("ledger: account %d has currency index %d of %d", i, a.Currency, currencies)
		}
		c := &s[a.Currency]
		c.dp, _ = c.dp.Add(a.DebitsPosted)
		c.cp, _ = c.cp.Add(a.CreditsPosted)
		c.dq, _ = c.dq.Add(a.DebitsPending)
		c.cq, _ = c.cq.Add(a.CreditsPending)
	}
	for i, c := range s {
		if c.dp != c.cp {
			return i, fmt.Errorf("ledger: currency %d posted debits %s != credits %s", i, c.dp, c.cp)
		}
		if c.dq != c.cq {
			return i, fmt.Errorf("ledger: currency %d pending debits %s != credits %s", i, c.dq, c.cq)
		}
	}
	return -1, nil
}
