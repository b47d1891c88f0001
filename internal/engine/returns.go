package engine

import (
	"github.com/cespare/xxhash/v2"

	"github.com/mutua-org/mutua/internal/ledger"
)

// cancel ends the payer's own payment that has not settled: one held for
// review (ISO 20022 camt.056). Reservations are voided with KindVoid instead.
func (e *Engine) cancel(c *Command) Result {
	if !validText(c.Remittance, TextLenMax) {
		return reject(TextInvalid)
	}
	p := e.peek(c.PendingID)
	if p == nil || p.Kind == KindLinked || e.participants[p.Payer].ID != c.Participant {
		return reject(OriginalUnknown)
	}
	if p.Status != StatusHeld {
		return reject(NotCancellable)
	}
	delete(e.reviews, p.ID)
	p = e.payment(p.ID)
	p.Status, p.UpdatedNs = StatusCancelled, e.timeNs
	e.unpark(p)
	return Result{Member: -1, Payment: p.ID, Status: StatusCancelled}
}

// returnPayment moves funds of a settled payment back from its payee to its
// payer (ISO 20022 pacs.004): a new payment of kind return, settled gross,
// whose total with earlier returns never exceeds the original amount. The
// original must still be in memory (within the dedupe window).
func (e *Engine) returnPayment(c *Command, ref *refs, raw []byte) Result {
	switch {
	case !validKey(c.Key):
		return reject(KeyInvalid)
	case !validUETR(c.UETR):
		return reject(UETRInvalid)
	case !validText(c.EndToEndID, EndToEndLenMax), !validText(c.Remittance, TextLenMax):
		return reject(TextInvalid)
	}
	if r := checkAmount(c.Amount); r != OK {
		return reject(r)
	}
	returnerIdx, returner := e.participantOf(ref.participant, c.Participant)
	hash := xxhash.Sum64(raw)
	keyHash, res, found := e.replayFrom(returnerIdx, returner, c.Key, hash)
	if found {
		return res
	}
	uetrHash := hashUETR(&c.UETR)
	if _, dup := e.byUETR.get(&c.UETR, uetrHash, e); dup {
		return reject(UETRDuplicate)
	}
	orig := e.peek(c.PendingID)
	if returner == nil || orig == nil || orig.Kind != KindPay || orig.Payee != returnerIdx {
		return reject(OriginalUnknown)
	}
	switch {
	case returner.Suspended:
		return reject(ParticipantSuspended)
	case e.participants[orig.Payer].Suspended:
		return reject(PayeeSuspended)
	case orig.Status != StatusSettled:
		return reject(NotCancellable)
	case c.Amount > orig.Posted-orig.Returned:
		return reject(ReturnExceedsPayment)
	}
	t := ledger.Transfer{Debit: returner.accounts[orig.Currency], Credit: e.participants[orig.Payer].accounts[orig.Currency], Amount: uint64(c.Amount)}
	if lr := e.ledger.Post(t); lr != ledger.OK {
		return reject(fromLedger(lr))
	}
	e.payment(orig.ID).Returned += c.Amount
	back := Payment{Kind: KindReturn, Payer: returnerIdx, Payee: orig.Payer, Currency: orig.Currency, Amount: c.Amount, Posted: c.Amount,
		UETR: c.UETR, key: newStoredKey(c.Key), ContentHash: hash, Status: StatusSettled, Original: orig.ID}
	// NB: orig is not used after record, which may change the payment log.
	id := e.record(back, keyHash, uetrHash)
	return Result{Member: -1, Payment: id, Status: StatusSettled,
		Transfers: e.oneTransfer(Transfer{Payment: id, Debit: t.Debit, Credit: t.Credit, Currency: back.Currency, Amount: t.Amount})}
}
