package iso20022

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Reason is an ISO 20022 external status reason code
// (ExternalStatusReason1Code), as carried in a pacs.002 StsRsnInf/Rsn/Cd.
type Reason string

// Status reason codes this package and the engine use. The codes and their
// meanings are ISO's; they never change.
const (
	ReasonIncorrectAccount      Reason = "AC01" // IncorrectAccountNumber
	ReasonInvalidDebtorAccount  Reason = "AC02" // InvalidDebtorAccountNumber
	ReasonInvalidCreditorAcct   Reason = "AC03" // InvalidCreditorAccountNumber
	ReasonClosedAccount         Reason = "AC04" // ClosedAccountNumber
	ReasonBlockedAccount        Reason = "AC06" // BlockedAccount
	ReasonTransactionForbidden  Reason = "AG01" // TransactionForbidden
	ReasonIncorrectAgent        Reason = "AGNT" // IncorrectAgent
	ReasonZeroAmount            Reason = "AM01" // ZeroAmount
	ReasonNotAllowedAmount      Reason = "AM02" // NotAllowedAmount
	ReasonNotAllowedCurrency    Reason = "AM03" // NotAllowedCurrency
	ReasonInsufficientFunds     Reason = "AM04" // InsufficientFunds
	ReasonDuplication           Reason = "AM05" // Duplication
	ReasonWrongAmount           Reason = "AM09" // WrongAmount
	ReasonInvalidControlSum     Reason = "AM10" // InvalidControlSum
	ReasonInvalidCurrency       Reason = "AM11" // InvalidTransactionCurrency
	ReasonInvalidAmount         Reason = "AM12" // InvalidAmount
	ReasonInvalidNumberOfTxs    Reason = "AM18" // InvalidNumberOfTransactions
	ReasonInconsistentCustomer  Reason = "BE01" // InconsistentWithEndCustomer
	ReasonMissingCreditorAddr   Reason = "BE04" // MissingCreditorAddress
	ReasonUnknownEndCustomer    Reason = "BE06" // UnknownEndCustomer
	ReasonElementContent        Reason = "CH16" // ElementContentFormallyIncorrect
	ReasonElementNotAdmitted    Reason = "CH17" // ElementNotAdmitted
	ReasonRequiredMissing       Reason = "CH21" // RequiredCompulsoryElementMissing
	ReasonInvalidDate           Reason = "DT01" // InvalidDate
	ReasonDuplicateMsgID        Reason = "DU01" // DuplicateMessageID
	ReasonDuplicateTransaction  Reason = "DU03" // DuplicateTransaction
	ReasonDuplicateEndToEndID   Reason = "DU04" // DuplicateEndToEndID
	ReasonInvalidFileFormat     Reason = "FF01" // InvalidFileFormat
	ReasonInvalidPmtTpInf       Reason = "FF03" // InvalidPaymentTypeInformation
	ReasonInvalidServiceLevel   Reason = "FF04" // InvalidServiceLevelCode
	ReasonInvalidLocalInstrm    Reason = "FF05" // InvalidLocalInstrumentCode
	ReasonInvalidCategoryPurp   Reason = "FF06" // InvalidCategoryPurposeCode
	ReasonInvalidPurpose        Reason = "FF07" // InvalidPurpose
	ReasonNarrative             Reason = "NARR" // Narrative
	ReasonBankIdentifier        Reason = "RC01" // BankIdentifierIncorrect
	ReasonInvalidBankIdentifier Reason = "RC02" // InvalidBankIdentifier
	ReasonMissingDebtorAcctOrID Reason = "RR01" // MissingDebtorAccountOrIdentification
	ReasonMissingDebtorName     Reason = "RR02" // MissingDebtorNameOrAddress
	ReasonMissingCreditorName   Reason = "RR03" // MissingCreditorNameOrAddress
	ReasonRegulatory            Reason = "RR04" // RegulatoryReason
	ReasonInvalidPartyID        Reason = "RR12" // InvalidPartyID
)

// Rule names the check an Error failed. Rule names are stable: clients and
// tests match on them.
type Rule string

// Rules, roughly in the order the decoder applies them.
const (
	RuleXML         Rule = "xml"              // not well-formed XML
	RuleDoctype     Rule = "doctype"          // DOCTYPE or entity declaration
	RuleLimit       Rule = "limit"            // a scanner limit exceeded
	RuleEnvelope    Rule = "envelope"         // no Document, or several
	RuleNamespace   Rule = "namespace"        // unknown message, version or element namespace
	RuleHeader      Rule = "header"           // AppHdr disagrees with the document
	RuleVersion     Rule = "version"          // element not part of this message version
	RuleUnexpected  Rule = "unexpected"       // element the schema does not have there
	RuleRequired    Rule = "required"         // a mandatory element is missing
	RuleRepeated    Rule = "repeated"         // a non-repeatable element occurs twice
	RuleTooMany     Rule = "too-many"         // more occurrences than the schema allows
	RuleEmpty       Rule = "empty"            // text shorter than the minimum length
	RuleMaxLength   Rule = "max-length"       // text longer than the maximum length
	RulePattern     Rule = "pattern"          // text does not match the type's pattern
	RuleCode        Rule = "code"             // value outside the code set
	RuleChoice      Rule = "choice"           // not exactly one branch of a choice
	RuleBIC         Rule = "bic"              // ISO 9362 BIC
	RuleLEI         Rule = "lei"              // ISO 17442 LEI, including check digits
	RuleIBAN        Rule = "iban"             // IBAN, including check digits
	RuleUETR        Rule = "uetr"             // UUIDv4 UETR
	RuleDate        Rule = "date"             // ISO date
	RuleDateTime    Rule = "datetime"         // ISO date-time
	RuleCurrency    Rule = "currency"         // ISO 4217 code
	RuleAmount      Rule = "amount"           // malformed or out-of-range amount
	RuleAmountZero  Rule = "amount-zero"      // zero where a positive amount is required
	RulePrecision   Rule = "amount-precision" // more decimals than the currency has
	RuleDecimal     Rule = "decimal"          // malformed decimal number
	RuleNbOfTxs     Rule = "nb-of-txs"        // NbOfTxs disagrees with the transactions
	RuleCtrlSum     Rule = "ctrl-sum"         // CtrlSum disagrees with the amounts
	RuleTotal       Rule = "total"            // a total amount disagrees with the amounts
	RuleDuplicate   Rule = "duplicate"        // a reference used twice in one message
	RuleName        Rule = "name"             // a party name is required
	RuleAgent       Rule = "agent"            // an agent is unidentified or inconsistent
	RuleReconcile   Rule = "reconcile"        // balances disagree with the entries
	RuleConsistency Rule = "consistency"      // fields disagree with each other
)

// Error is one validation failure of a message.
type Error struct {
	// Path locates the element, from the Document or AppHdr root, with
	// 1-based indexes on repeatable elements:
	// /Document/FIToFICstmrCdtTrf/CdtTrfTxInf[2]/IntrBkSttlmAmt.
	Path   string
	Rule   Rule
	Reason Reason
	// Tx is the 1-based index of the transaction (CdtTrfTxInf, TxInf,
	// TxInfAndSts; Ntry in camt reports) the error belongs to, or 0 if it
	// concerns the message as a whole. A caller can reject the transactions
	// named here and accept the others.
	Tx  int
	Msg string
}

func (e *Error) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("%s: %s (%s)", e.Rule, e.Msg, e.Reason)
	}
	return fmt.Sprintf("%s: %s: %s (%s)", e.Path, e.Rule, e.Msg, e.Reason)
}

// Errors are all the validation failures of one message, in document order.
type Errors []*Error

func (es Errors) Error() string {
	switch len(es) {
	case 0:
		return "no errors"
	case 1:
		return es[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d errors:", len(es))
	for _, e := range es {
		b.WriteString("\n\t")
		b.WriteString(e.Error())
	}
	return b.String()
}

// Fatal reports whether the errors concern the message as a whole (Tx 0),
// so that no transaction of it can be accepted.
func (es Errors) Fatal() bool {
	for _, e := range es {
		if e.Tx == 0 {
			return true
		}
	}
	return false
}

// ForTx returns the errors of the 1-based transaction i.
func (es Errors) ForTx(i int) Errors {
	var out Errors
	for _, e := range es {
		if e.Tx == i {
			out = append(out, e)
		}
	}
	return out
}

// AddtlInfMax is the length of a StsRsnInf/AddtlInf line (Max105Text).
const AddtlInfMax = 105

// ReasonInfo returns the StsRsnInf for e, ready for a pacs.002: the reason
// code, and the element path and message split into AddtlInf lines of at
// most AddtlInfMax characters.
func (e *Error) ReasonInfo() ReasonInfo {
	text := e.Msg
	if e.Path != "" {
		text = e.Path + ": " + e.Msg
	}
	return ReasonInfo{Rsn: Code{Cd: string(e.Reason)}, AddtlInf: AddtlInfLines(text)}
}

// AddtlInfLines cuts a reason's text into AddtlInf lines of at most
// AddtlInfMax characters.
func AddtlInfLines(s string) []string { return splitText(s, AddtlInfMax) }

// splitText cuts s into pieces of at most max characters, never inside a
// UTF-8 sequence.
func splitText(s string, max int) []string {
	var out []string
	for s != "" {
		n, i := 0, 0
		for i < len(s) && n < max {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
			n++
		}
		out = append(out, s[:i])
		s = s[i:]
	}
	return out
}
