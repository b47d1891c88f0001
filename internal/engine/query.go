package engine

import (
	"fmt"

	"github.com/mutua-org/mutua/internal/ledger"
	"github.com/mutua-org/mutua/internal/money"
)

// The read side. Callers hold whatever lock makes the engine quiescent
// (node.View); results are copies and safe to keep.

// Index returns the last applied log index.
func (e *Engine) Index() uint64 { return e.index }

// TimeNs returns the log time of the last applied entry.
func (e *Engine) TimeNs() int64 { return e.timeNs }

// Participants returns all participants in registration order.
func (e *Engine) Participants() []Participant {
	out := make([]Participant, len(e.participants))
	copy(out, e.participants)
	return out
}

// Participant returns the participant with the given id.
func (e *Engine) Participant(id string) (Participant, bool) {
	_, p := e.participant(id)
	if p == nil {
		return Participant{}, false
	}
	return *p, true
}

// ParticipantAt returns the participant with the given index.
func (e *Engine) ParticipantAt(i uint32) Participant { return e.participants[i] }

// Currencies returns the enabled currencies in the order they were enabled.
func (e *Engine) Currencies() []Currency {
	out := make([]Currency, len(e.currencies))
	copy(out, e.currencies)
	return out
}

// CurrencyAt returns the enabled currency with the given ledger index.
func (e *Engine) CurrencyAt(i uint16) Currency { return e.currencies[i] }

// AccountView is an account as a participant or operator sees it.
type AccountView struct {
	ID          ledger.AccountID
	Participant string
	Currency    money.Currency
	ledger.Account
}

// Account returns participant's account in currency.
func (e *Engine) Account(participant, currency string) (AccountView, bool) {
	ci, found := e.byCode[currency]
	_, p := e.participant(participant)
	if !found || p == nil || p.accounts[ci] == noAccount {
		return AccountView{}, false
	}
	return e.AccountAt(p.accounts[ci]), true
}

// AccountAt returns the account with the given ledger id.
func (e *Engine) AccountAt(id ledger.AccountID) AccountView {
	a := e.ledger.Account(id)
	v := AccountView{ID: id, Currency: e.currencies[a.Currency].Currency, Account: *a}
	v.Participant = e.participants[e.owner[id]].ID
	return v
}

// Accounts returns participant's accounts in currency order.
func (e *Engine) Accounts(participant string) []AccountView {
	_, p := e.participant(participant)
	if p == nil {
		return nil
	}
	var out []AccountView
	for ci, id := range p.accounts {
		if id != noAccount {
			v := AccountView{ID: id, Participant: p.ID, Currency: e.currencies[ci].Currency, Account: *e.ledger.Account(id)}
			out = append(out, v)
		}
	}
	return out
}

// AccountCount returns the number of accounts, issuance accounts included.
func (e *Engine) AccountCount() int { return e.ledger.Len() }

// Payment returns a payment still held in memory (open, or final within
// the dedupe window).
func (e *Engine) Payment(id uint64) (Payment, bool) {
	p := e.peek(id)
	if p == nil {
		return Payment{}, false
	}
	return *p, true
}

// PaymentByUETR returns the in-memory payment with the given UETR.
func (e *Engine) PaymentByUETR(u [16]byte) (Payment, bool) {
	id, found := e.byUETR.get(&u, hashUETR(&u), e)
	if !found {
		return Payment{}, false
	}
	return e.Payment(id)
}

// NextPaymentID returns the id the next accepted payment will get.
func (e *Engine) NextPaymentID() uint64 { return e.nextPayment }

// PendingCount returns the number of open reservations.
func (e *Engine) PendingCount() int { return e.ledger.PendingCount() }

// CheckInvariants verifies what must hold after every batch: conservation
// per currency, every bounded account at or above its floor, issuance
// accounts where the currencies say, and every open reservation matched by a
// pending payment and vice versa. It returns the first violation.
func (e *Engine) CheckInvariants() error {
	if err := e.checkReferences(); err != nil {
		return err
	}
	if _, err := e.ledger.CheckConservation(len(e.currencies)); err != nil {
		return fmt.Errorf("engine: conservation: %w", err)
	}
	accounts := e.ledger.Accounts()
	for i := range accounts {
		a := &accounts[i]
		if a.Unbounded {
			continue
		}
		out, _ := a.DebitsPosted.Add(a.DebitsPending)
		in := a.CreditsPosted
		if a.Floor < 0 {
			in, _ = in.Add64(uint64(-a.Floor))
		} else {
			out, _ = out.Add64(uint64(a.Floor))
		}
		if out.Cmp(in) > 0 {
			return fmt.Errorf("engine: account %d is below its floor %d", i, a.Floor)
		}
	}
	open := 0
	var err error
	e.payments.each(func(p *Payment) {
		if p.Status != StatusPending || err != nil {
			return
		}
		open++
		if lp := e.ledger.Pending(p.ID); lp == nil || lp.Amount != uint64(p.Amount) {
			err = fmt.Errorf("engine: pending payment %d has no matching reservation", p.ID)
		}
	})
	if err != nil {
		return err
	}
	for _, p := range e.parked {
		if p.Status == StatusPending {
			open++
		}
	}
	if open != e.ledger.PendingCount() {
		return fmt.Errorf("engine: %d pending payments but %d reservations", open, e.ledger.PendingCount())
	}
	return nil
}

// checkReferences verifies that every index in the state points at
// something that exists, so that the other checks (and every read) can
// follow them. A snapshot that fails here is corrupt.
func (e *Engine) checkReferences() error {
	accounts := e.ledger.Accounts()
	validAccount := func(id ledger.AccountID, ci int) bool {
		return int(id) < len(accounts) && int(accounts[id].Currency) == ci
	}
	for ci, c := range e.currencies {
		if int(c.Issuer) >= len(e.participants) || e.participants[c.Issuer].accounts[ci] != c.IssuerAccount ||
			!validAccount(c.IssuerAccount, ci) || !accounts[c.IssuerAccount].Unbounded {
			return fmt.Errorf("engine: currency %s issuance account is inconsistent", c.Code)
		}
	}
	owned := make([]bool, len(accounts))
	for i := range e.participants {
		p := &e.participants[i]
		for ci, id := range p.accounts {
			if id == noAccount {
				continue
			}
			if !validAccount(id, ci) || owned[id] {
				return fmt.Errorf("engine: participant %s names account %d wrongly", p.ID, id)
			}
			owned[id] = true
		}
	}
	for i := range accounts {
		if !owned[i] {
			return fmt.Errorf("engine: account %d has no owner", i)
		}
		if accounts[i].Unbounded && e.currencies[accounts[i].Currency].IssuerAccount != ledger.AccountID(i) {
			return fmt.Errorf("engine: account %d is unbounded but not an issuance account", i)
		}
	}
	for _, id := range e.ledger.PendingIDs() {
		p := e.ledger.Pending(id)
		if int(p.Debit) >= len(accounts) || int(p.Credit) >= len(accounts) || p.Debit == p.Credit ||
			accounts[p.Debit].Currency != accounts[p.Credit].Currency {
			return fmt.Errorf("engine: reservation %d names accounts wrongly", id)
		}
	}
	uetrs := 0
	var err error
	e.payments.each(func(p *Payment) {
		party := func(i uint32) bool {
			return int(i) < len(e.participants) || (p.Kind == KindLinked && i == operatorScope)
		}
		if p.Kind == 0 || int(p.Kind) >= kindCount || p.Status > StatusExpired || !party(p.Payer) ||
			!party(p.Payee) || int(p.Currency) >= max(len(e.currencies), 1) {
			err = fmt.Errorf("engine: payment %d is inconsistent", p.ID)
		}
		if p.UETR != [16]byte{} {
			uetrs++
		}
	})
	if err != nil {
		return err
	}
	for _, p := range e.parked {
		if p.Status.Final() || p.ID >= e.payments.base {
			return fmt.Errorf("engine: parked payment %d is final or not older than the log", p.ID)
		}
		if p.UETR != [16]byte{} {
			uetrs++
		}
	}
	if e.byKey.len() != e.payments.len()+len(e.parked) || e.byUETR.len() != uetrs {
		return fmt.Errorf("engine: payment keys or UETRs are not unique")
	}
	return nil
}

// Owner names the holder and currency of an account.
type Owner struct {
	Participant string
	Currency    string
}

// Totals returns the posted debits and credits summed over every account in
// currency; conservation means they are equal.
func (e *Engine) Totals(currency string) (debits, credits money.Uint128) {
	ci, found := e.byCode[currency]
	if !found {
		return
	}
	for _, a := range e.ledger.Accounts() {
		if a.Currency == ci {
			debits, _ = debits.Add(a.DebitsPosted)
			credits, _ = credits.Add(a.CreditsPosted)
		}
	}
	return
}

// DedupeHorizon tells the shell when the in-memory idempotency index may be
// incomplete. evicted reports whether any payment has ever left the payment
// log (its key and UETR may then be known only to the settled history).
// Otherwise nothing leaves the log before log time passes oldestNs +
// DedupeWindowNs (oldestNs is 0 while the log is empty) and before room more
// payments have been accepted (the count bound, DedupeWindowPayments).
func (e *Engine) DedupeHorizon() (evicted bool, oldestNs int64, room int) {
	if p := e.payments.front(); p != nil {
		oldestNs = p.CreatedNs
	}
	evicted = e.payments.base > 1 || (e.payments.len() == 0 && e.nextPayment > 1)
	return evicted, oldestNs, e.windowPayments - e.payments.len()
}
