package engine

import (
	"fmt"

	"github.com/mutua-org/mutua/internal/ledger"
)

// Reason is the stable outcome code of a command. Codes are listed in order of
// precedence: when a command is wrong in several ways, the result names the
// first reason in this list that applies. Numbers and names never change once
// released; new reasons are appended at the end of their group only in new
// numbers.
type Reason uint16

// Reasons, in order of precedence.
const (
	// Success.
	OK Reason = 0 // the command applied; a payment's result also names its status

	// The command itself: checked without looking at state.
	Malformed        Reason = 1  // the command bytes do not decode
	CommandUnknown   Reason = 2  // unknown command kind
	KeyInvalid       Reason = 3  // idempotency key missing, longer than KeyLenMax or not printable ASCII
	UETRInvalid      Reason = 4  // end-to-end UETR is not a UUID version 4
	TextInvalid      Reason = 5  // a name, reference or remittance text is too long or has control characters
	IDInvalid        Reason = 6  // participant id is not in BIC form (4 letters, 2-letter country, 2 alphanumerics, optional 3)
	LEIInvalid       Reason = 7  // LEI is not 20 characters with valid ISO 17442 check digits
	CountryInvalid   Reason = 8  // country is not two upper-case letters
	TokenInvalid     Reason = 9  // token id empty, too long or not [A-Za-z0-9]
	AmountZero       Reason = 10 // amount is zero
	AmountNegative   Reason = 11 // amount is below zero
	TimeoutInvalid   Reason = 12 // a pending transfer's timeout is not within (0, DedupeWindow]
	LimitsInvalid    Reason = 13 // floor above ceiling, or a new floor above the available balance
	ThresholdInvalid Reason = 14 // a screening threshold outside [ThresholdMin, ScoreMax] (700 to 1000), or no list set named
	BatchInvalid     Reason = 15 // a linked batch is empty or longer than LinkedMax
	PriorityInvalid  Reason = 16 // priority is not normal (0), high (1) or urgent (2)
	CurrencyUnknown  Reason = 17 // not an ISO 4217 code
	CurrencyMismatch Reason = 18 // the payee's account currency differs from the payment's (cross-currency goes through an FX provider)

	// Idempotency: a retry returns the first result before any state check.
	IdempotencyConflict Reason = 19 // the key was used before with different content
	UETRDuplicate       Reason = 20 // the UETR belongs to another payment

	// State: who and what the command names.
	CurrencyNotEnabled   Reason = 21 // the currency is not enabled in this union
	CurrencyEnabled      Reason = 22 // the currency is enabled already
	ParticipantUnknown   Reason = 23 // the (paying) participant does not exist
	PayeeUnknown         Reason = 24 // the payee does not exist
	ParticipantExists    Reason = 25 // a participant with this id exists already
	SameParticipant      Reason = 26 // payer and payee are the same participant
	ParticipantSuspended Reason = 27 // the (paying) participant is suspended
	PayeeSuspended       Reason = 28 // the payee is suspended
	AccountUnknown       Reason = 29 // the (paying) participant has no account in the currency
	PayeeAccountUnknown  Reason = 30 // the payee has no account in the currency
	AccountExists        Reason = 31 // the account is open already
	IssuerAccount        Reason = 32 // the operation is not allowed on an issuance account
	TokenExists          Reason = 33 // a token with this id exists already
	TokenUnknown         Reason = 34 // no token with this id
	LastOperatorToken    Reason = 51 // revoking it would leave no live operator token: issue another first

	// Sanctions screening and compliance review.
	ScreeningStale Reason = 35 // the payment was screened against another list set than the active one (or not at all); screen again
	NotHeld        Reason = 36 // the payment is not held for review
	ReviewSameUser Reason = 37 // four-eyes: the second approval must come from another operator user

	// Acting on an earlier payment: cancel, return, post or void it.
	OriginalUnknown      Reason = 38 // the payment to return or cancel is not the caller's, or not known (returns: within the dedupe window)
	NotCancellable       Reason = 39 // the payment has settled or ended already; return it instead
	ReturnExceedsPayment Reason = 40 // the returns would exceed the amount settled
	PendingUnknown       Reason = 41 // no pending transfer with this id
	PendingAlreadyPosted Reason = 42 // it was posted already
	PendingAlreadyVoided Reason = 43 // it was voided already
	PendingExpired       Reason = 44 // its deadline passed
	PostExceedsPending   Reason = 45 // the amount to post is larger than the amount reserved
	PendingLimitReached  Reason = 46 // ledger.PendingMax transfers are open

	// Balances.
	Overflow              Reason = 47 // a 128-bit counter would overflow
	InsufficientLiquidity Reason = 48 // the debit would take the available balance below the floor
	CeilingExceeded       Reason = 49 // the credit would take the balance above the ceiling

	// Final reasons of accepted payments (never a command's own result).
	ComplianceRejected Reason = 50 // (a payment's final reason) an operator rejected it after compliance review
)

var reasonNames = [...]string{
	OK:                    "ok",
	Malformed:             "malformed",
	CommandUnknown:        "command_unknown",
	KeyInvalid:            "key_invalid",
	UETRInvalid:           "uetr_invalid",
	TextInvalid:           "text_invalid",
	IDInvalid:             "id_invalid",
	LEIInvalid:            "lei_invalid",
	CountryInvalid:        "country_invalid",
	AmountZero:            "amount_zero",
	AmountNegative:        "amount_negative",
	TimeoutInvalid:        "timeout_invalid",
	LimitsInvalid:         "limits_invalid",
	BatchInvalid:          "batch_invalid",
	PriorityInvalid:       "priority_invalid",
	CurrencyUnknown:       "currency_unknown",
	IdempotencyConflict:   "idempotency_conflict",
	UETRDuplicate:         "uetr_duplicate",
	CurrencyNotEnabled:    "currency_not_enabled",
	CurrencyEnabled:       "currency_enabled",
	ParticipantUnknown:    "participant_unknown",
	PayeeUnknown:          "payee_unknown",
	ParticipantExists:     "participant_exists",
	SameParticipant:       "same_participant",
	ParticipantSuspended:  "participant_suspended",
	PayeeSuspended:        "payee_suspended",
	AccountUnknown:        "account_unknown",
	PayeeAccountUnknown:   "payee_account_unknown",
	AccountExists:         "account_exists",
	IssuerAccount:         "issuer_account",
	CurrencyMismatch:      "currency_mismatch",
	PendingUnknown:        "pending_unknown",
	PendingAlreadyPosted:  "pending_already_posted",
	PendingAlreadyVoided:  "pending_already_voided",
	PendingExpired:        "pending_expired",
	PostExceedsPending:    "post_exceeds_pending",
	PendingLimitReached:   "pending_limit_reached",
	Overflow:              "overflow",
	InsufficientLiquidity: "insufficient_liquidity",
	CeilingExceeded:       "ceiling_exceeded",
	TokenInvalid:          "token_invalid",
	TokenExists:           "token_exists",
	TokenUnknown:          "token_unknown",
	ScreeningStale:        "screening_stale",
	ThresholdInvalid:      "threshold_invalid",
	NotHeld:               "not_held",
	ReviewSameUser:        "review_same_user",
	ComplianceRejected:    "compliance_rejected",
	LastOperatorToken:     "last_operator_token",
	OriginalUnknown:       "original_unknown",
	NotCancellable:        "not_cancellable",
	ReturnExceedsPayment:  "return_exceeds_payment",
}

// ReasonCount is one more than the largest reason code.
const ReasonCount = len(reasonNames)

func (r Reason) String() string {
	if int(r) < len(reasonNames) && reasonNames[r] != "" {
		return reasonNames[r]
	}
	return fmt.Sprintf("reason(%d)", r)
}

// ParseReason returns the reason with the given name.
func ParseReason(name string) (Reason, bool) {
	for i, n := range reasonNames {
		if n == name {
			return Reason(i), true
		}
	}
	return 0, false
}

// fromLedger maps ledger results onto reasons.
func fromLedger(r ledger.Result) Reason {
	switch r {
	case ledger.OK:
		return OK
	case ledger.ErrAccountUnknown:
		return AccountUnknown
	case ledger.ErrSameAccount:
		return SameParticipant
	case ledger.ErrCurrencyMismatch:
		return CurrencyMismatch
	case ledger.ErrOverflow:
		return Overflow
	case ledger.ErrExceedsFloor:
		return InsufficientLiquidity
	case ledger.ErrExceedsCeiling:
		return CeilingExceeded
	case ledger.ErrPendingUnknown:
		return PendingUnknown
	case ledger.ErrPendingExpired:
		return PendingExpired
	case ledger.ErrPostExceedsPending:
		return PostExceedsPending
	case ledger.ErrPendingLimit:
		return PendingLimitReached
	}
	panic(fmt.Sprintf("engine: unmapped ledger result %v", r))
}
