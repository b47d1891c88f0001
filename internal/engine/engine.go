// Package engine is Mutua's deterministic state machine. It takes the
// commands of one committed log entry, with the time the log assigned to it,
// and returns one result per command. It does no I/O, reads no clock, starts no
// goroutine, uses no randomness and never depends on map iteration order: the
// same log gives the same state, byte for byte, on every machine
// (see Digest).
package engine

import (
	"fmt"

	"github.com/cespare/xxhash/v2"

	"github.com/mutua-org/mutua/internal/ledger"
	"github.com/mutua-org/mutua/internal/money"
)

// The dedupe window: how many recent payments the engine keeps in memory to
// answer retries (same key, same content → the first result) and refuse
// reused UETRs. A payment leaves the window when it is older than
// DedupeWindowNs of log time or more than DedupeWindowPayments newer payments
// have been accepted, whichever comes first; a payment still open (held for
// review) is kept aside until it ends. Retries of older payments are answered
// from the settled history by the shell before they reach the log. The count
// bound keeps memory, snapshots and restart time bounded at any throughput.
// Reservation timeouts may not exceed DedupeWindowNs, so a reservation is
// final before its time is up.
const (
	DedupeWindowNs       = int64(24 * 3600 * 1e9)
	DedupeWindowPayments = 1 << 20
)

// Status is the state of a payment. A payment is in exactly one state; every
// transition is reported in a result.
type Status uint8

// Payment states. Numbers are part of the snapshot format.
const (
	StatusReceived  Status = 0
	StatusHeld      Status = 1 // screening hit, awaiting review (later issue)
	StatusQueued    Status = 2 // awaiting liquidity (later issue)
	StatusPending   Status = 3 // funds reserved, awaiting post or void
	StatusSettled   Status = 4
	StatusRejected  Status = 5
	StatusCancelled Status = 6 // a pending payment was voided
	StatusExpired   Status = 7 // a pending payment reached its deadline
)

var statusNames = [...]string{"received", "held", "queued", "pending", "settled", "rejected", "cancelled", "expired"}

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("status(%d)", s)
}

// Final reports whether no further transition is possible.
func (s Status) Final() bool { return s >= StatusSettled }

// Participant is a member institution.
type Participant struct {
	ID        string // BIC
	Name      string
	LEI       string
	Country   string
	Roles     uint8
	Suspended bool
	// accounts[c] is the participant's account in currency index c, or
	// noAccount.
	accounts []ledger.AccountID
	// keySalt is keySalt(ID), which scopes the hashes of the
	// participant's idempotency keys. Derived; rebuilt on restore.
	keySalt uint64
}

const noAccount = ^ledger.AccountID(0)

// Currency is an enabled currency.
type Currency struct {
	money.Currency
	Issuer        uint32 // participant index
	IssuerAccount ledger.AccountID
}

// Payment is the engine's record of an accepted money-moving command, kept
// while it is open or within the dedupe window.
type Payment struct {
	ID          uint64
	Kind        Kind
	Payer       uint32 // participant index (the receiver for Fund)
	Payee       uint32
	Currency    uint16
	Amount      int64
	Posted      int64 // amount posted, for a partially posted reservation
	UETR        [16]byte
	key         storedKey // the sender's idempotency key, scoped to Payer
	ContentHash uint64
	Status      Status
	Reason      Reason // why a payment that was accepted ended rejected
	CreatedNs   int64
	UpdatedNs   int64
	// TimeoutNs is a held reservation's timeout, applied when released.
	TimeoutNs int64
	// Returned is how much of a settled payment has been returned; for a
	// return, Original is the payment it returns.
	Returned int64
	Original uint64
}

// storedKey holds an idempotency key inline, so that payments hold no
// pointers and the collector never scans the payment log.
type storedKey struct {
	n uint8
	b [KeyLenMax]byte
}

func newStoredKey(s string) storedKey {
	var k storedKey
	k.n = uint8(copy(k.b[:], s))
	return k
}

// Key returns the payment's idempotency key.
func (p *Payment) Key() string { return string(p.key.b[:p.key.n]) }

func (p *Payment) keyRef() keyRef { return keyRef{p.Payer, p.Key()} }

func (p *Payment) hasKey(k keyRef) bool {
	return p.Payer == k.scope && string(p.key.b[:p.key.n]) == k.key
}

// Transfer is one posting made by a command: Amount moved from Debit to
// Credit in Currency (a ledger currency index), or reserved when Pending.
type Transfer struct {
	Payment  uint64
	Debit    ledger.AccountID
	Credit   ledger.AccountID
	Currency uint16
	Amount   uint64
	Pending  bool
	Release  uint64 // amount of a reservation released (void, expiry, partial post)
	// From, To and Code name the debited and credited participants and the
	// currency, so that consumers behind the engine (the history recorder)
	// need not read engine state.
	From, To, Code string
}

// Result is the outcome of one command.
type Result struct {
	Reason Reason
	// Member is the failing transfer of a linked batch, or -1.
	Member int32
	// Payment is the id of the payment the command created or acted on.
	Payment uint64
	Status  Status
	// Duplicate is set when the result repeats an earlier one for the same
	// idempotency key and content; nothing changed.
	Duplicate bool
	// PaymentReason says why, when this command ended the payment it acted
	// on as rejected (a compliance rejection, or a release that could not
	// settle); the command itself succeeded.
	PaymentReason Reason
	// Transfers are the postings this command made.
	Transfers []Transfer
	// Expired lists the reservations that reached their deadline at the
	// start of this entry; only the entry's first result carries them.
	Expired []Transfer
}

// Engine is the state machine.
type Engine struct {
	ledger       *ledger.Ledger
	participants []Participant
	byID         map[string]uint32
	currencies   []Currency
	byCode       map[string]uint16

	nextPayment uint64
	payments    paymentLog
	byKey       keyIndex
	byUETR      uetrIndex

	index  uint64 // last applied log index
	timeNs int64  // log time of the last applied entry

	tokens map[string]*Token

	// screening is the active sanctions configuration; lists == "" means
	// screening has never been configured and payments carry no decision.
	screening screeningConfig
	// reviews holds the first approval of a held payment under four-eyes.
	reviews map[uint64]review
	// parked holds open payments (held for review) that are older than the
	// dedupe window, so that the payment log can keep shrinking from the
	// front while they wait.
	parked map[uint64]*Payment
	// owner[a] is the participant index holding account a. Derived from
	// participants' accounts; rebuilt on restore.
	owner []uint32

	// windowPayments is DedupeWindowPayments; tests lower it. It is not
	// state: every engine of a union uses the same constant.
	windowPayments int

	// transfers is the current entry's arena for single-posting results.
	transfers []Transfer

	// touched keeps the values of loads made only to bring index slots
	// into the cache (see idTable.touch). It is never read and is not
	// state.
	touched uint64
}

// New returns an empty engine.
func New() *Engine {
	return &Engine{
		ledger:         ledger.New(),
		byID:           make(map[string]uint32),
		byCode:         make(map[string]uint16),
		nextPayment:    1,
		payments:       paymentLog{base: 1},
		windowPayments: DedupeWindowPayments,
		byKey:          newKeyIndex(),
		byUETR:         newUETRIndex(),
		tokens:         make(map[string]*Token),
		reviews:        make(map[uint64]review),
		parked:         make(map[uint64]*Payment),
	}
}

// Apply applies the commands of log entry index at log time nowNs and returns
// one *Result per command.
func (e *Engine) Apply(index uint64, nowNs int64, cmds [][]byte) []any {
	if index != 0 && index <= e.index {
		panic(fmt.Sprintf("engine: entry %d applied after %d", index, e.index))
	}
	if nowNs < e.timeNs {
		panic(fmt.Sprintf("engine: log time went back from %d to %d", e.timeNs, nowNs))
	}
	e.index, e.timeNs = index, nowNs
	if len(cmds) == 0 {
		// Expiry waits for an entry with results to report it on.
		return nil
	}
	expired := e.expire()
	e.evict()
	results := make([]Result, len(cmds))
	out := make([]any, len(cmds))
	// One posting per command is the common case: give each result a slot
	// of one shared array instead of an allocation of its own.
	e.transfers = make([]Transfer, 0, len(cmds))
	// One method value for the entry, not one allocation per command.
	intern := e.intern
	// Commands go in groups: decode a group, load what its payments will
	// touch (see touchGroup), then apply it. Decoding reads no state but
	// the interner's, and a participant or currency it did not find yet
	// is looked up again when applied, so decoding ahead changes nothing.
	var group [applyGroup]decoded
	for i := 0; i < len(cmds); i += applyGroup {
		raw := cmds[i:min(i+applyGroup, len(cmds))]
		for j, b := range raw {
			group[j].err = decodeCommand(&group[j].c, &group[j].refs, b, intern)
		}
		e.touchGroup(group[:len(raw)])
		for j, b := range raw {
			results[i+j] = e.applyDecoded(&group[j], b)
			out[i+j] = &results[i+j]
		}
	}
	e.transfers = nil
	results[0].Expired = expired
	return out
}

// ApplyCommands is Apply for already-built commands (tests and tools).
func (e *Engine) ApplyCommands(index uint64, nowNs int64, cmds ...*Command) []*Result {
	raw := make([][]byte, len(cmds))
	for i, c := range cmds {
		raw[i] = c.Encode()
	}
	out := e.Apply(index, nowNs, raw)
	rs := make([]*Result, len(out))
	for i, r := range out {
		rs[i] = r.(*Result)
	}
	return rs
}

// decoded is a command decoded ahead of being applied.
type decoded struct {
	c    Command
	refs refs
	err  error
}

// applyDecoded applies the command d decoded from b.
func (e *Engine) applyDecoded(d *decoded, b []byte) Result {
	if d.err != nil {
		return reject(Malformed)
	}
	c := &d.c
	switch c.Kind {
	case KindAddParticipant:
		return e.addParticipant(c)
	case KindSetSuspended:
		return e.setSuspended(c)
	case KindEnableCurrency:
		return e.enableCurrency(c)
	case KindOpenAccount:
		return e.openAccount(c)
	case KindSetLimits:
		return e.setLimits(c)
	case KindFund, KindDefund:
		return e.fund(c, &d.refs, b)
	case KindPay, KindReserve:
		return e.pay(c, &d.refs, b)
	case KindPost, KindVoid:
		return e.resolve(c)
	case KindLinked:
		return e.linked(c, b)
	case KindIssueToken:
		return e.issueToken(c)
	case KindRevokeToken:
		return e.revokeToken(c)
	case KindSetScreening:
		return e.setScreening(c)
	case KindRelease, KindRejectHeld:
		return e.review(c)
	case KindCancel:
		return e.cancel(c)
	case KindReturn:
		return e.returnPayment(c, &d.refs, b)
	}
	return reject(CommandUnknown)
}

// intern returns the engine's own copy of a participant id (or, with currency
// set, a currency code) and its index plus one, or "", 0 (see interner).
func (e *Engine) intern(b []byte, currency bool) (string, int32) {
	if currency {
		if i, found := e.byCode[string(b)]; found {
			return e.currencies[i].Code, int32(i) + 1
		}
		return "", 0
	}
	if i, found := e.byID[string(b)]; found {
		return e.participants[i].ID, int32(i) + 1
	}
	return "", 0
}

func reject(r Reason) Result { return Result{Reason: r, Member: -1, Status: StatusRejected} }

func ok() Result { return Result{Member: -1} }

func (e *Engine) addParticipant(c *Command) Result {
	switch {
	case !validBIC(c.Participant):
		return reject(IDInvalid)
	case !validText(c.Name, TextLenMax) || c.Name == "":
		return reject(TextInvalid)
	case c.LEI != "" && !validLEI(c.LEI):
		return reject(LEIInvalid)
	case !validCountry(c.Country):
		return reject(CountryInvalid)
	}
	if _, exists := e.byID[c.Participant]; exists {
		return reject(ParticipantExists)
	}
	p := Participant{ID: c.Participant, Name: c.Name, LEI: c.LEI, Country: c.Country, Roles: c.Roles, keySalt: keySalt(c.Participant)}
	p.accounts = make([]ledger.AccountID, len(e.currencies))
	for i := range p.accounts {
		p.accounts[i] = noAccount
	}
	e.byID[p.ID] = uint32(len(e.participants))
	e.participants = append(e.participants, p)
	return ok()
}

func (e *Engine) participant(id string) (uint32, *Participant) {
	i, found := e.byID[id]
	if !found {
		return 0, nil
	}
	return i, &e.participants[i]
}

// participantOf is participant for a decoded field: ref is the index plus
// one the decoder found (see refs), or 0.
func (e *Engine) participantOf(ref int32, id string) (uint32, *Participant) {
	if ref > 0 {
		return uint32(ref - 1), &e.participants[ref-1]
	}
	return e.participant(id)
}

func (e *Engine) setSuspended(c *Command) Result {
	_, p := e.participant(c.Participant)
	if p == nil {
		return reject(ParticipantUnknown)
	}
	p.Suspended = c.Suspended
	return ok()
}

func (e *Engine) enableCurrency(c *Command) Result {
	cur, known := money.Lookup(c.Currency)
	if !known {
		return reject(CurrencyUnknown)
	}
	if _, enabled := e.byCode[c.Currency]; enabled {
		return reject(CurrencyEnabled)
	}
	pi, p := e.participant(c.Participant)
	if p == nil {
		return reject(ParticipantUnknown)
	}
	ci := uint16(len(e.currencies))
	acct := e.newAccount(pi, ledger.Account{Currency: ci, Unbounded: true})
	e.currencies = append(e.currencies, Currency{Currency: cur, Issuer: pi, IssuerAccount: acct})
	e.byCode[cur.Code] = ci
	for i := range e.participants {
		e.participants[i].accounts = append(e.participants[i].accounts, noAccount)
	}
	p.accounts[ci] = acct
	return ok()
}

// currency resolves an ISO code to an enabled currency index.
func (e *Engine) currency(code string) (uint16, Reason) {
	if _, known := money.Lookup(code); !known {
		return 0, CurrencyUnknown
	}
	ci, enabled := e.byCode[code]
	if !enabled {
		return 0, CurrencyNotEnabled
	}
	return ci, OK
}

func (e *Engine) openAccount(c *Command) Result {
	if c.HasCeiling && c.Floor >= 0 && uint64(c.Floor) > c.Ceiling {
		return reject(LimitsInvalid)
	}
	ci, r := e.currency(c.Currency)
	if r != OK {
		return reject(r)
	}
	pi, p := e.participant(c.Participant)
	if p == nil {
		return reject(ParticipantUnknown)
	}
	if p.accounts[ci] != noAccount {
		return reject(AccountExists)
	}
	p.accounts[ci] = e.newAccount(pi, ledger.Account{Currency: ci, Floor: c.Floor, Ceiling: c.Ceiling, HasCeiling: c.HasCeiling})
	return ok()
}

func (e *Engine) setLimits(c *Command) Result {
	if c.HasCeiling && c.Floor >= 0 && uint64(c.Floor) > c.Ceiling {
		return reject(LimitsInvalid)
	}
	ci, r := e.currency(c.Currency)
	if r != OK {
		return reject(r)
	}
	_, p := e.participant(c.Participant)
	if p == nil {
		return reject(ParticipantUnknown)
	}
	id := p.accounts[ci]
	if id == noAccount {
		return reject(AccountUnknown)
	}
	if e.ledger.Account(id).Unbounded {
		return reject(IssuerAccount)
	}
	if !e.ledger.SetLimits(id, c.Floor, c.Ceiling, c.HasCeiling) {
		return reject(LimitsInvalid)
	}
	return ok()
}

// currencyOf is currency for a decoded field with its ref (see refs).
func (e *Engine) currencyOf(ref int32, code string) (uint16, Reason) {
	if ref > 0 {
		return uint16(ref - 1), OK
	}
	return e.currency(code)
}

// known reports whether a decoded currency field names an ISO currency. An
// enabled one (ref > 0) is known.
func known(ref int32, code string) bool {
	if ref > 0 {
		return true
	}
	_, found := money.Lookup(code)
	return found
}

// checkAmount returns the reason an amount is unacceptable, or OK.
func checkAmount(v int64) Reason {
	switch {
	case v == 0:
		return AmountZero
	case v < 0:
		return AmountNegative
	}
	return OK
}

// replay looks up an idempotency key. It returns the earlier result if the
// key was used with the same content, a conflict if with other content, or
// found == false.
func (e *Engine) replay(key keyRef, keyHash, hash uint64) (Result, bool) {
	id, found := e.byKey.get(key, keyHash, e)
	if !found {
		return Result{}, false
	}
	p := e.peek(id)
	if p.ContentHash != hash {
		return reject(IdempotencyConflict), true
	}
	return Result{Member: -1, Payment: id, Status: p.Status, Duplicate: true}, true
}

// replayFrom is replay for key sent by participant p (index pi), which finds
// nothing when p is unknown. It also returns the key's hash, for record.
func (e *Engine) replayFrom(pi uint32, p *Participant, key string, hash uint64) (uint64, Result, bool) {
	if p == nil {
		return 0, Result{}, false
	}
	keyHash := hashKey(p.keySalt, key)
	res, found := e.replay(keyRef{pi, key}, keyHash, hash)
	return keyHash, res, found
}

// keyRef is an idempotency key in its scope: the participant that sent it, or
// operatorScope for operator commands.
type keyRef struct {
	scope uint32
	key   string
}

const operatorScope = ^uint32(0)

func (e *Engine) fund(c *Command, ref *refs, raw []byte) Result {
	switch {
	case !validKey(c.Key):
		return reject(KeyInvalid)
	case !validText(c.Remittance, TextLenMax):
		return reject(TextInvalid)
	}
	if r := checkAmount(c.Amount); r != OK {
		return reject(r)
	}
	if !known(ref.currency, c.Currency) {
		return reject(CurrencyUnknown)
	}
	pi, p := e.participantOf(ref.participant, c.Participant)
	hash := xxhash.Sum64(raw)
	keyHash, res, found := e.replayFrom(pi, p, c.Key, hash)
	if found {
		return res
	}
	ci, r := e.currencyOf(ref.currency, c.Currency)
	if r != OK {
		return reject(r)
	}
	switch {
	case p == nil:
		return reject(ParticipantUnknown)
	case p.Suspended:
		return reject(ParticipantSuspended)
	case p.accounts[ci] == noAccount:
		return reject(AccountUnknown)
	case p.accounts[ci] == e.currencies[ci].IssuerAccount:
		return reject(IssuerAccount)
	}
	cur := &e.currencies[ci]
	t := ledger.Transfer{Debit: cur.IssuerAccount, Credit: p.accounts[ci], Amount: uint64(c.Amount)}
	if c.Kind == KindDefund {
		t.Debit, t.Credit = t.Credit, t.Debit
	}
	if lr := e.ledger.Post(t); lr != ledger.OK {
		return reject(fromLedger(lr))
	}
	id := e.record(Payment{Kind: c.Kind, Payer: pi, Payee: cur.Issuer, Currency: ci, Amount: c.Amount, Posted: c.Amount, key: newStoredKey(c.Key), ContentHash: hash, Status: StatusSettled}, keyHash, 0)
	return Result{Member: -1, Payment: id, Status: StatusSettled,
		Transfers: e.oneTransfer(Transfer{Payment: id, Debit: t.Debit, Credit: t.Credit, Currency: ci, Amount: t.Amount})}
}

func (e *Engine) pay(c *Command, ref *refs, raw []byte) Result {
	switch {
	case !validKey(c.Key):
		return reject(KeyInvalid)
	case c.Kind == KindPay && !validUETR(c.UETR), c.Kind == KindReserve && c.UETR != [16]byte{} && !validUETR(c.UETR):
		return reject(UETRInvalid)
	case !validText(c.EndToEndID, EndToEndLenMax), !validText(c.DebtorName, TextLenMax),
		!validText(c.CreditorName, TextLenMax), !validText(c.Remittance, TextLenMax):
		return reject(TextInvalid)
	}
	if r := checkAmount(c.Amount); r != OK {
		return reject(r)
	}
	switch {
	case c.Kind == KindReserve && (c.TimeoutNs <= 0 || c.TimeoutNs > DedupeWindowNs):
		return reject(TimeoutInvalid)
	case c.Kind == KindPay && c.TimeoutNs != 0:
		return reject(TimeoutInvalid)
	case c.Priority > PriorityUrgent:
		return reject(PriorityInvalid)
	}
	if !known(ref.currency, c.Currency) {
		return reject(CurrencyUnknown)
	}
	if c.PayeeCurrency != "" && c.PayeeCurrency != c.Currency {
		return reject(CurrencyMismatch)
	}
	payerIdx, payer := e.participantOf(ref.participant, c.Participant)
	hash := xxhash.Sum64(contentBytes(raw, screeningLen(&c.Screening)))
	keyHash, res, found := e.replayFrom(payerIdx, payer, c.Key, hash)
	if found {
		return res
	}
	var uetrHash uint64
	if c.UETR != [16]byte{} {
		uetrHash = hashUETR(&c.UETR)
		if _, dup := e.byUETR.get(&c.UETR, uetrHash, e); dup {
			return reject(UETRDuplicate)
		}
	}
	ci, r := e.currencyOf(ref.currency, c.Currency)
	if r != OK {
		return reject(r)
	}
	payeeIdx, payee := e.participantOf(ref.payee, c.Payee)
	switch {
	case payer == nil:
		return reject(ParticipantUnknown)
	case payee == nil:
		return reject(PayeeUnknown)
	case payerIdx == payeeIdx:
		return reject(SameParticipant)
	case payer.Suspended:
		return reject(ParticipantSuspended)
	case payee.Suspended:
		return reject(PayeeSuspended)
	case payer.accounts[ci] == noAccount:
		return reject(AccountUnknown)
	case payee.accounts[ci] == noAccount:
		return reject(PayeeAccountUnknown)
	}
	// Once lists are active, every payment must carry a decision made with
	// them: its parties and the members that pay and are paid (the agents)
	// are screened, the bulk path's too.
	screened := e.screening.lists != ""
	if screened && c.Screening.Lists != e.screening.lists {
		return reject(ScreeningStale)
	}
	t := ledger.Transfer{Debit: payer.accounts[ci], Credit: payee.accounts[ci], Amount: uint64(c.Amount)}
	id := e.nextPayment
	if screened && c.Screening.Score >= e.screening.threshold {
		// A hit: the payment waits for review; no funds move.
		e.record(Payment{Kind: c.Kind, Payer: payerIdx, Payee: payeeIdx, Currency: ci, Amount: c.Amount, UETR: c.UETR, key: newStoredKey(c.Key), ContentHash: hash, Status: StatusHeld, TimeoutNs: c.TimeoutNs}, keyHash, uetrHash)
		return Result{Member: -1, Payment: id, Status: StatusHeld}
	}
	status := StatusSettled
	if c.Kind == KindReserve {
		status = StatusPending
		if lr := e.ledger.Reserve(id, t, e.timeNs+c.TimeoutNs); lr != ledger.OK {
			return reject(fromLedger(lr))
		}
	} else if lr := e.ledger.Post(t); lr != ledger.OK {
		return reject(fromLedger(lr))
	}
	p := Payment{Kind: c.Kind, Payer: payerIdx, Payee: payeeIdx, Currency: ci, Amount: c.Amount, UETR: c.UETR, key: newStoredKey(c.Key), ContentHash: hash, Status: status}
	if status == StatusSettled {
		p.Posted = c.Amount
	}
	e.record(p, keyHash, uetrHash)
	return Result{Member: -1, Payment: id, Status: status,
		Transfers: e.oneTransfer(Transfer{Payment: id, Debit: t.Debit, Credit: t.Credit, Currency: ci, Amount: t.Amount, Pending: status == StatusPending})}
}

func (e *Engine) resolve(c *Command) Result {
	void := c.Kind == KindVoid
	if c.Amount < 0 {
		return reject(AmountNegative)
	}
	if void && c.Amount != 0 {
		return reject(PostExceedsPending)
	}
	p := e.peek(c.PendingID)
	// A participant may resolve only its own reservations; others learn
	// nothing about it, not even that it exists.
	if p == nil || p.Kind != KindReserve || (c.Participant != "" && e.participants[p.Payer].ID != c.Participant) {
		return reject(PendingUnknown)
	}
	switch p.Status {
	case StatusSettled:
		return reject(PendingAlreadyPosted)
	case StatusCancelled:
		return reject(PendingAlreadyVoided)
	case StatusExpired:
		return reject(PendingExpired)
	}
	done, lr := e.ledger.Resolve(p.ID, uint64(c.Amount), void, e.timeNs)
	if lr != ledger.OK {
		return reject(fromLedger(lr))
	}
	p = e.payment(p.ID)
	p.UpdatedNs = e.timeNs
	t := Transfer{Payment: p.ID, Debit: done.Debit, Credit: done.Credit, Currency: p.Currency}
	if void {
		p.Status = StatusCancelled
		t.Release = done.Amount
	} else {
		p.Status = StatusSettled
		p.Posted = int64(done.Posted)
		t.Amount, t.Release = done.Posted, done.Amount-done.Posted
	}
	e.unpark(p)
	return Result{Member: -1, Payment: p.ID, Status: p.Status, Transfers: e.oneTransfer(t)}
}

// oneTransfer returns a one-element slice holding t, from the entry's arena
// when it has room.
func (e *Engine) oneTransfer(t Transfer) []Transfer {
	t = e.named(t)
	if len(e.transfers) == cap(e.transfers) {
		return []Transfer{t}
	}
	n := len(e.transfers)
	e.transfers = append(e.transfers, t)
	return e.transfers[n : n+1 : n+1]
}

// named fills in t's participant ids and currency code.
func (e *Engine) named(t Transfer) Transfer {
	t.From = e.participants[e.owner[t.Debit]].ID
	t.To = e.participants[e.owner[t.Credit]].ID
	t.Code = e.currencies[t.Currency].Code
	return t
}

// openAccount adds an account for participant pi.
func (e *Engine) newAccount(pi uint32, a ledger.Account) ledger.AccountID {
	id := e.ledger.Open(a)
	e.owner = append(e.owner, pi)
	return id
}

func (e *Engine) linked(c *Command, raw []byte) Result {
	if !validKey(c.Key) {
		return reject(KeyInvalid)
	}
	if len(c.Transfers) == 0 || len(c.Transfers) > LinkedMax {
		return reject(BatchInvalid)
	}
	// Check every member's own fields before any state, so that precedence
	// holds across the batch.
	for i, t := range c.Transfers {
		r := checkAmount(t.Amount)
		if r == OK {
			if _, known := money.Lookup(t.Currency); !known {
				r = CurrencyUnknown
			}
		}
		if r != OK {
			res := reject(r)
			res.Member = int32(i)
			return res
		}
	}
	hash := xxhash.Sum64(raw)
	keyHash := hashKey(operatorSalt, c.Key)
	if res, found := e.replay(keyRef{operatorScope, c.Key}, keyHash, hash); found {
		return res
	}
	id := e.nextPayment
	transfers := make([]Transfer, 0, len(c.Transfers))
	e.ledger.Begin()
	for i, spec := range c.Transfers {
		t, r := e.linkedTransfer(spec)
		if r == OK {
			r = fromLedger(e.ledger.Post(t))
		}
		if r != OK {
			e.ledger.Rollback()
			res := reject(r)
			res.Member = int32(i)
			return res
		}
		transfers = append(transfers, e.named(Transfer{Payment: id, Debit: t.Debit, Credit: t.Credit, Currency: e.ledger.Account(t.Debit).Currency, Amount: t.Amount}))
	}
	e.ledger.Commit()
	e.record(Payment{Kind: KindLinked, Payer: operatorScope, Payee: operatorScope, key: newStoredKey(c.Key), ContentHash: hash, Status: StatusSettled, Amount: int64(len(transfers))}, keyHash, 0)
	return Result{Member: -1, Payment: id, Status: StatusSettled, Transfers: transfers}
}

func (e *Engine) linkedTransfer(s TransferSpec) (ledger.Transfer, Reason) {
	ci, r := e.currency(s.Currency)
	if r != OK {
		return ledger.Transfer{}, r
	}
	_, dr := e.participant(s.Debit)
	_, cr := e.participant(s.Credit)
	switch {
	case dr == nil:
		return ledger.Transfer{}, ParticipantUnknown
	case cr == nil:
		return ledger.Transfer{}, PayeeUnknown
	case dr == cr:
		return ledger.Transfer{}, SameParticipant
	case dr.accounts[ci] == noAccount:
		return ledger.Transfer{}, AccountUnknown
	case cr.accounts[ci] == noAccount:
		return ledger.Transfer{}, PayeeAccountUnknown
	}
	return ledger.Transfer{Debit: dr.accounts[ci], Credit: cr.accounts[ci], Amount: uint64(s.Amount)}, OK
}

// record stores an accepted payment under the next id and indexes its key
// and UETR, which must not be indexed yet, under their hashes keyHash
// (hashKey) and uetrHash (hashUETR; unused for a zero UETR).
func (e *Engine) record(p Payment, keyHash, uetrHash uint64) uint64 {
	p.ID = e.nextPayment
	e.nextPayment++
	p.CreatedNs, p.UpdatedNs = e.timeNs, e.timeNs
	e.payments.push(p)
	e.byKey.add(&p, keyHash, e)
	if p.UETR != [16]byte{} {
		e.byUETR.add(&p, uetrHash, e)
	}
	return p.ID
}

// payment returns the payment with id if it is still in memory, or nil, to
// change it.
func (e *Engine) payment(id uint64) *Payment {
	if p := e.payments.mutable(id); p != nil {
		return p
	}
	return e.parked[id]
}

// peek is payment for a caller that only reads the payment: it never copies
// a chunk of the log that a snapshot shares.
func (e *Engine) peek(id uint64) *Payment {
	if p := e.payments.at(id); p != nil {
		return p
	}
	return e.parked[id]
}

// expire releases reservations whose deadline has come.
func (e *Engine) expire() []Transfer {
	done := e.ledger.ExpireDue(e.timeNs)
	if len(done) == 0 {
		return nil
	}
	out := make([]Transfer, len(done))
	for i, d := range done {
		p := e.payment(d.ID)
		if p == nil || p.Status != StatusPending {
			panic(fmt.Sprintf("engine: expired reservation %d has no pending payment", d.ID))
		}
		p.Status, p.UpdatedNs = StatusExpired, e.timeNs
		e.unpark(p)
		out[i] = e.named(Transfer{Payment: d.ID, Debit: d.Debit, Credit: d.Credit, Currency: p.Currency, Release: d.Amount})
	}
	return out
}

// evictGroup is how many payments evict looks ahead: it hashes the keys and
// UETRs of the next group and loads their index slots before removing the
// current group's, so that the cache misses of a group overlap with each
// other and with the work on the group before.
const evictGroup = 16

// evictHashes holds the key and UETR hashes of a group of payments to evict.
type evictHashes struct{ key, uetr [evictGroup]uint64 }

// evict forgets final payments older than the dedupe window, oldest first.
func (e *Engine) evict() {
	cutoff, start, base := e.timeNs-DedupeWindowNs, e.payments.len(), e.payments.base
	var h [2]evictHashes
	n := e.evictAhead(base, start, cutoff, &h[0])
	// k payments are gone, the n after them are this group (hashed into
	// h[cur]), and the group after is hashed into h[cur^1] meanwhile.
	for k, cur := 0, 0; n > 0; cur ^= 1 {
		next := e.evictAhead(base+uint64(k+n), start-(k+n), cutoff, &h[cur^1])
		for i := 0; i < n; i++ {
			p := e.payments.front()
			if !p.Status.Final() {
				// Held for review (or a reservation released from
				// review): keep it, and its keys, aside.
				parked := *p
				e.parked[p.ID] = &parked
			} else {
				e.forget(p, h[cur].key[i], h[cur].uetr[i])
			}
			e.payments.pop()
		}
		k, n = k+n, next
	}
}

// evictAhead returns how many of the payments from id on, at most
// evictGroup, leave the window when the log holds length payments from id
// on: those older than cutoff or beyond the count bound, up to the first
// that is neither. It hashes their keys and UETRs into h and loads the
// index slots they are in.
func (e *Engine) evictAhead(id uint64, length int, cutoff int64, h *evictHashes) int {
	n := 0
	for ; n < evictGroup; n++ {
		p := e.payments.at(id + uint64(n))
		if p == nil || !(p.CreatedNs < cutoff || length-n > e.windowPayments) {
			break
		}
		h.key[n], h.uetr[n] = 0, 0
		if p.Status.Final() {
			h.key[n] = e.hashStoredKey(p)
			if p.UETR != [16]byte{} {
				h.uetr[n] = hashUETR(&p.UETR)
			}
		}
	}
	// A loop of loads alone, so that the processor has them all in flight
	// at once.
	touched := uint64(0)
	for i := 0; i < n; i++ {
		touched += e.byKey.t.touch(h.key[i]) + e.byUETR.t.touch(h.uetr[i])
	}
	e.touched += touched
	return n
}

// forget removes a payment that leaves memory from the key and UETR indexes,
// given the hashes of its key (Engine.hashStoredKey) and UETR (hashUETR; unused when
// the UETR is zero).
func (e *Engine) forget(p *Payment, keyHash, uetrHash uint64) {
	e.byKey.delete(p, keyHash, p.ID)
	if p.UETR != [16]byte{} {
		e.byUETR.delete(&p.UETR, uetrHash, p.ID)
	}
}
