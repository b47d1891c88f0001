package engine

import (
	"cmp"
	"slices"

	"github.com/mutua-org/mutua/internal/ledger"
)

// Sanctions screening in the engine. The shell screens every payment's
// parties against the active lists before proposing it (screening is costly
// and parallel; the engine is neither) and puts the evidence in the command.
// The engine then decides deterministically: a payment screened against
// another list set is refused (screen again), and a best score at or above
// the active threshold holds the payment for review without moving funds.
// Replaying the log repeats every decision, because the evidence is in it.

type screeningConfig struct {
	lists     string // active list set id
	threshold uint16
	fourEyes  bool
}

// review is the first of two approvals a held payment needs under four-eyes.
type review struct {
	release bool
	user    string
}

// ScreeningConfig returns the active list set id, the hold threshold and
// whether releases need two operators.
func (e *Engine) ScreeningConfig() (lists string, threshold uint16, fourEyes bool) {
	return e.screening.lists, e.screening.threshold, e.screening.fourEyes
}

func (e *Engine) setScreening(c *Command) Result {
	if c.Name == "" || len(c.Name) > TextLenMax || c.Threshold > ScoreMax || c.Threshold < ThresholdMin {
		return reject(ThresholdInvalid)
	}
	e.screening = screeningConfig{lists: c.Name, threshold: c.Threshold, fourEyes: c.FourEyes}
	return ok()
}

// review releases or rejects a held payment, or records the first approval
// when four-eyes applies. A reviewer who disagrees with a pending first
// approval replaces it: the decision then waits for someone to agree with
// the latest view.
func (e *Engine) review(c *Command) Result {
	release := c.Kind == KindRelease
	if !validText(c.Name, TextLenMax) || c.Name == "" || !validText(c.Remittance, TextLenMax) {
		return reject(TextInvalid)
	}
	p := e.peek(c.PendingID)
	if p == nil || p.Status != StatusHeld {
		return reject(NotHeld)
	}
	if e.screening.fourEyes {
		first, found := e.reviews[p.ID]
		if !found || first.release != release {
			e.reviews[p.ID] = review{release: release, user: c.Name}
			return Result{Member: -1, Payment: p.ID, Status: StatusHeld}
		}
		if first.user == c.Name {
			return reject(ReviewSameUser)
		}
	}
	delete(e.reviews, p.ID)
	p = e.payment(p.ID)
	p.UpdatedNs = e.timeNs
	if !release {
		p.Status, p.Reason = StatusRejected, ComplianceRejected
		e.unpark(p)
		return Result{Member: -1, Payment: p.ID, Status: StatusRejected, PaymentReason: p.Reason}
	}
	payer, payee := &e.participants[p.Payer], &e.participants[p.Payee]
	t := ledger.Transfer{Debit: payer.accounts[p.Currency], Credit: payee.accounts[p.Currency], Amount: uint64(p.Amount)}
	var lr ledger.Result
	if p.Kind == KindReserve {
		lr = e.ledger.Reserve(p.ID, t, e.timeNs+p.TimeoutNs)
	} else {
		lr = e.ledger.Post(t)
	}
	if lr != ledger.OK {
		// Released, but it cannot settle now: it ends rejected with the
		// reason, as it would have had it not been held.
		p.Status, p.Reason = StatusRejected, fromLedger(lr)
		e.unpark(p)
		return Result{Member: -1, Payment: p.ID, Status: StatusRejected, PaymentReason: p.Reason}
	}
	p.Status = StatusSettled
	if p.Kind == KindReserve {
		p.Status = StatusPending
	} else {
		p.Posted = p.Amount
	}
	e.unpark(p)
	return Result{Member: -1, Payment: p.ID, Status: p.Status,
		Transfers: e.oneTransfer(Transfer{Payment: p.ID, Debit: t.Debit, Credit: t.Credit, Currency: p.Currency, Amount: t.Amount, Pending: p.Kind == KindReserve})}
}

// unpark returns a parked payment that has become final to the normal
// eviction path: it is dropped from memory with its keys.
func (e *Engine) unpark(p *Payment) {
	if _, parked := e.parked[p.ID]; !parked || !p.Status.Final() {
		return
	}
	e.forget(p, e.hashStoredKey(p), hashUETR(&p.UETR))
	delete(e.parked, p.ID)
}

// Held returns the payments held for review, oldest first.
func (e *Engine) Held() []Payment {
	var out []Payment
	for _, p := range e.parked {
		if p.Status == StatusHeld {
			out = append(out, *p)
		}
	}
	e.payments.each(func(p *Payment) {
		if p.Status == StatusHeld {
			out = append(out, *p)
		}
	})
	slices.SortFunc(out, func(a, b Payment) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// PendingReview returns the user who gave the first approval of a held
// payment under four-eyes, and whether it was a release.
func (e *Engine) PendingReview(id uint64) (user string, release, found bool) {
	r, found := e.reviews[id]
	return r.user, r.release, found
}

// screeningLen returns the encoded length of a screening block.
func screeningLen(s *Screening) int {
	str := func(v string) int { return uvarintLen(uint64(len(v))) + len(v) }
	return 1 + str(s.Lists) + uvarintLen(uint64(s.Score)) + str(s.Party) + str(s.Ref) + str(s.Listed)
}
