package isomap

import (
	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/iso20022"
)

// ISO 20022 external status reason codes (ExternalStatusReason1Code) that
// the codec does not name because no validation rule produces them.
const (
	ReasonOriginalNotReceived  iso20022.Reason = "AG09" // PaymentNotReceived: the original payment is unknown
	ReasonAgentSuspended       iso20022.Reason = "AG10" // AgentSuspended
	ReasonCreditorAgentSusp    iso20022.Reason = "AG11" // CreditorAgentSuspended
	ReasonBookTransfer         iso20022.Reason = "AG12" // NotAllowedBookTransfer: payer and payee are one institution
	ReasonTransactionNotSupp   iso20022.Reason = "AG03" // TransactionNotSupported
	ReasonSettlementTimeout    iso20022.Reason = "AB03" // AbortedSettlementTimeout
	ReasonSettlementLimit      iso20022.Reason = "AM23" // AmountExceedsSettlementLimit
	ReasonCreditorNotMember    iso20022.Reason = "CNOR" // creditor bank is not registered under this BIC in the CSM
	ReasonDebtorNotMember      iso20022.Reason = "DNOR" // debtor bank is not registered under this BIC in the CSM
	ReasonWrongCurrency        iso20022.Reason = "CURR" // IncorrectCurrency
	ReasonFutureDate           iso20022.Reason = "DT04" // FutureDateNotSupported
	ReasonSettlementFailed     iso20022.Reason = "ED05" // SettlementFailed: try again
	ReasonTechnical            iso20022.Reason = "FF10" // BankSystemProcessingError: a Mutua fault, not the sender's
	ReasonNotEligible          iso20022.Reason = "FF12" // the original is not eligible given its current status
	ReasonDebtorAccount        iso20022.Reason = "AC02" // InvalidDebtorAccountNumber: the payer has no account in the currency
	ReasonCreditorAccount      iso20022.Reason = "AC03" // InvalidCreditorAccountNumber: the payee has no account in the currency
	ReasonTransactionForbidden iso20022.Reason = "AG01" // TransactionForbidden
	ReasonCountry              iso20022.Reason = "BE09" // InvalidCountry
)

// reasonCodes is the ISO 20022 status reason a pacs.002 reports for each
// engine reason: the one place the two vocabularies meet.
// TestReasonCodes requires an entry for every engine reason.
//
// Reasons that only operator commands produce (tokens, limits, reviews)
// cannot arise from an inbound message; they map to FF10, a fault on
// Mutua's side, like the reasons that would mean the mapping built a bad
// command.
var reasonCodes = [engine.ReasonCount]iso20022.Reason{
	engine.Malformed:        ReasonTechnical,
	engine.CommandUnknown:   ReasonTechnical,
	engine.KeyInvalid:       ReasonTechnical, // keys are derived by the mapping
	engine.UETRInvalid:      iso20022.ReasonElementContent,
	engine.TextInvalid:      iso20022.ReasonElementContent,
	engine.IDInvalid:        iso20022.ReasonBankIdentifier,
	engine.LEIInvalid:       iso20022.ReasonInvalidPartyID,
	engine.CountryInvalid:   ReasonCountry,
	engine.TokenInvalid:     ReasonTechnical,
	engine.AmountZero:       iso20022.ReasonZeroAmount,
	engine.AmountNegative:   iso20022.ReasonInvalidAmount,
	engine.TimeoutInvalid:   ReasonTechnical,
	engine.LimitsInvalid:    ReasonTechnical,
	engine.ThresholdInvalid: ReasonTechnical,
	engine.BatchInvalid:     ReasonTechnical,
	engine.PriorityInvalid:  iso20022.ReasonInvalidPmtTpInf,
	engine.CurrencyUnknown:  iso20022.ReasonInvalidCurrency,
	engine.CurrencyMismatch: ReasonWrongCurrency,

	engine.IdempotencyConflict: iso20022.ReasonDuplication,
	engine.UETRDuplicate:       iso20022.ReasonDuplication,

	engine.CurrencyNotEnabled:   iso20022.ReasonNotAllowedCurrency,
	engine.CurrencyEnabled:      ReasonTechnical,
	engine.ParticipantUnknown:   ReasonDebtorNotMember,
	engine.PayeeUnknown:         ReasonCreditorNotMember,
	engine.ParticipantExists:    ReasonTechnical,
	engine.SameParticipant:      ReasonBookTransfer,
	engine.ParticipantSuspended: ReasonAgentSuspended,
	engine.PayeeSuspended:       ReasonCreditorAgentSusp,
	engine.AccountUnknown:       ReasonDebtorAccount,
	engine.PayeeAccountUnknown:  ReasonCreditorAccount,
	engine.AccountExists:        ReasonTechnical,
	engine.IssuerAccount:        ReasonTransactionForbidden,
	engine.TokenExists:          ReasonTechnical,
	engine.TokenUnknown:         ReasonTechnical,
	engine.LastOperatorToken:    ReasonTechnical,

	engine.ScreeningStale: ReasonSettlementFailed, // lists changed under the payment: send it again
	engine.NotHeld:        ReasonTechnical,
	engine.ReviewSameUser: ReasonTechnical,

	engine.OriginalUnknown:      ReasonOriginalNotReceived,
	engine.NotCancellable:       ReasonNotEligible,
	engine.ReturnExceedsPayment: iso20022.ReasonNotAllowedAmount,
	engine.PendingUnknown:       ReasonOriginalNotReceived,
	engine.PendingAlreadyPosted: ReasonNotEligible,
	engine.PendingAlreadyVoided: ReasonNotEligible,
	engine.PendingExpired:       ReasonSettlementTimeout,
	engine.PostExceedsPending:   iso20022.ReasonNotAllowedAmount,
	engine.PendingLimitReached:  ReasonSettlementFailed,

	engine.Overflow:              iso20022.ReasonNotAllowedAmount,
	engine.InsufficientLiquidity: iso20022.ReasonInsufficientFunds,
	engine.CeilingExceeded:       ReasonSettlementLimit,

	engine.ComplianceRejected: iso20022.ReasonRegulatory,
}

// ReasonCode returns the ISO 20022 status reason for an engine reason.
func ReasonCode(r engine.Reason) iso20022.Reason {
	if int(r) < len(reasonCodes) && reasonCodes[r] != "" {
		return reasonCodes[r]
	}
	return ReasonTechnical
}

// rejection is the StsRsnInf for an engine reason: the ISO code, and the
// engine's stable reason name so that a sender can match it with the JSON
// API's problem codes.
func rejection(r engine.Reason) iso20022.ReasonInfo {
	return iso20022.ReasonInfo{Rsn: iso20022.Code{Cd: string(ReasonCode(r))}, AddtlInf: []string{"mutua: " + r.String()}}
}

// Statuses of a payment that the codec does not name.
const (
	// StatusCancelled reports a payment cancelled on request (camt.056).
	StatusCancelled iso20022.Status = "CANC"
)

// heldInfo is all a participant learns of a compliance hold: that there is
// one. Never the list, the entry or the score.
var heldInfo = iso20022.ReasonInfo{AddtlInf: []string{"held for compliance review"}}

// duplicateInfo marks a repeated message: the status is the first one's.
const duplicateInfo = "duplicate: the status of the first submission; nothing changed"

// Status returns the transaction status of a payment in engine state st
// that ended (if rejected) for reason: ACSC settled, PDNG held for
// compliance review or queued, CANC cancelled, RJCT rejected or expired.
func Status(st engine.Status, reason engine.Reason) (iso20022.Status, []iso20022.ReasonInfo) {
	switch st {
	case engine.StatusSettled:
		return iso20022.StatusSettled, nil
	case engine.StatusHeld:
		return iso20022.StatusPending, []iso20022.ReasonInfo{heldInfo}
	case engine.StatusCancelled:
		return StatusCancelled, nil
	case engine.StatusExpired:
		return iso20022.StatusRejected, []iso20022.ReasonInfo{rejection(engine.PendingExpired)}
	case engine.StatusRejected:
		if reason == engine.OK {
			reason = engine.ComplianceRejected
		}
		return iso20022.StatusRejected, []iso20022.ReasonInfo{rejection(reason)}
	}
	// Received, queued, pending: accepted, not yet settled.
	return iso20022.StatusPending, nil
}

// ResultStatus returns the transaction status for the engine's result of a
// command built from an inbound transaction.
func ResultStatus(res *engine.Result) (iso20022.Status, []iso20022.ReasonInfo) {
	if res.Reason != engine.OK {
		return iso20022.StatusRejected, []iso20022.ReasonInfo{rejection(res.Reason)}
	}
	st, info := Status(res.Status, res.PaymentReason)
	if res.Duplicate {
		info = append(info, iso20022.ReasonInfo{AddtlInf: []string{duplicateInfo}})
	}
	return st, info
}
