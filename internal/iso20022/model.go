package iso20022

import (
	"strconv"
	"strings"
	"time"
)

// The structs below are version-neutral: one struct serves every supported
// version of a message, and field names follow the ISO 20022 XML tags (with
// Go initialisms) so that a field can be traced to the standard. Optional
// elements are pointers or zero values; the zero value means absent.

// MsgDef is a message definition identifier such as "pacs.008.001.08": the
// last part of the document namespace and the AppHdr MsgDefIdr.
type MsgDef string

// NamespacePrefix is the common part of every ISO 20022 document namespace.
const NamespacePrefix = "urn:iso:std:iso:20022:tech:xsd:"

// Kind returns the message type without variant and version: "pacs.008".
func (d MsgDef) Kind() string {
	if len(d) < 8 {
		return ""
	}
	return string(d[:8])
}

// Version returns the version number: 8 for "pacs.008.001.08".
func (d MsgDef) Version() int {
	s := string(d)
	if len(s) != 15 {
		return 0
	}
	v, err := strconv.Atoi(s[13:])
	if err != nil {
		return 0
	}
	return v
}

// Namespace returns the XML namespace of the definition's Document.
func (d MsgDef) Namespace() string { return NamespacePrefix + string(d) }

// parseMsgDef checks the shape xxxx.nnn.nnn.nn.
func parseMsgDef(s string) (MsgDef, bool) {
	if len(s) != 15 || s[4] != '.' || s[8] != '.' || s[12] != '.' {
		return "", false
	}
	for i := 0; i < 4; i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return "", false
		}
	}
	for _, r := range [][2]int{{5, 8}, {9, 12}, {13, 15}} {
		if !validNumeric(s[r[0]:r[1]], 3) {
			return "", false
		}
	}
	return MsgDef(s), true
}

// supported lists the versions this package decodes, per message kind.
var supported = map[string][2]int{
	"head.001": {1, 4},
	"pacs.008": {8, 13},
	"pacs.009": {8, 12},
	"pacs.004": {9, 14},
	"camt.056": {8, 11},
	"pacs.002": {10, 15},
	"camt.052": {8, 12},
	"camt.053": {8, 12},
	"camt.054": {8, 12},
}

// gen2023 reports whether the definition uses the 2023 generation of shared
// types (PostalAddress27, PartyIdentification272, longer text limits).
func (d MsgDef) gen2023() bool {
	v := d.Version()
	switch d.Kind() {
	case "pacs.008", "camt.052", "camt.053", "camt.054":
		return v >= 12
	case "pacs.009", "camt.056":
		return v >= 11
	case "pacs.004":
		return v >= 13
	case "pacs.002":
		return v >= 14
	case "head.001":
		return v >= 4
	}
	return false
}

// Message is one parsed ISO 20022 message: an optional business application
// header and one document. Exactly one of the document pointers is set.
type Message struct {
	AppHdr *AppHdr
	Def    MsgDef // from the document namespace

	CreditTransfer      *CreditTransfer      // pacs.008, pacs.009
	PaymentReturn       *PaymentReturn       // pacs.004
	CancellationRequest *CancellationRequest // camt.056
	StatusReport        *StatusReport        // pacs.002
	AccountReport       *AccountReport       // camt.052, camt.053, camt.054
}

// AppHdr is a head.001 business application header.
type AppHdr struct {
	Def        MsgDef // head.001.001.0n, from its namespace
	Fr, To     Party  // FIId in Fr.FI/To.FI or an organisation in Fr/To
	BizMsgIdr  string
	MsgDefIdr  string
	BizSvc     string
	CreDt      time.Time
	CpyDplct   string
	PssblDplct bool
	Prty       string
}

// Amount is an amount in minor units of an ISO 4217 currency.
type Amount struct {
	Value    uint64
	Currency string
}

// Code is an ISO "code or proprietary" choice: exactly one is set.
type Code struct {
	Cd    string
	Prtry string
}

// IsZero reports whether the choice is absent.
func (c Code) IsZero() bool { return c.Cd == "" && c.Prtry == "" }

// PostalAddress is PostalAddress24 (2019 generation) or PostalAddress27
// (2023 generation, which adds CareOf and UnitNb).
type PostalAddress struct {
	AdrTp       string // AdrTp/Cd
	CareOf      string
	Dept        string
	SubDept     string
	StrtNm      string
	BldgNb      string
	BldgNm      string
	Flr         string
	UnitNb      string
	PstBx       string
	Room        string
	PstCd       string
	TwnNm       string
	TwnLctnNm   string
	DstrctNm    string
	CtrySubDvsn string
	Ctry        string
	AdrLine     []string
}

// GenericID is an identification under a scheme (Othr).
type GenericID struct {
	ID      string
	SchmeNm Code
	Issr    string
}

// Agent is a financial institution: BranchAndFinancialInstitutionIdentification.
type Agent struct {
	BICFI    string
	ClrSysID Code   // ClrSysMmbId/ClrSysId
	MmbID    string // ClrSysMmbId/MmbId
	LEI      string
	Nm       string
	PstlAdr  *PostalAddress
	Othr     *GenericID
	BrnchID  string // BrnchId/Id
}

// Party is a non-financial party (PartyIdentification135/272) or, where the
// schema offers the choice (BAH Fr/To, camt related parties), a financial
// institution in FI.
type Party struct {
	Nm        string
	PstlAdr   *PostalAddress
	OrgID     *OrgID
	PrvtID    *PrvtID
	CtryOfRes string
	FI        *Agent
}

// OrgID is an organisation identification.
type OrgID struct {
	AnyBIC string
	LEI    string
	Othr   []GenericID
}

// PrvtID is a person identification.
type PrvtID struct {
	BirthDt     Date
	PrvcOfBirth string
	CityOfBirth string
	CtryOfBirth string
	Othr        []GenericID
}

// Account is a cash account: CashAccount38/40.
type Account struct {
	IBAN string
	Othr *GenericID
	Tp   Code
	Ccy  string
	Nm   string
}

// PaymentType is PmtTpInf.
type PaymentType struct {
	InstrPrty string // HIGH, NORM
	ClrChanl  string
	SvcLvl    []Code
	LclInstrm Code
	CtgyPurp  Code
}

// PaymentID is PmtId.
type PaymentID struct {
	InstrID    string
	EndToEndID string
	TxID       string
	UETR       string
	ClrSysRef  string
}

// Remittance is RmtInf.
type Remittance struct {
	Ustrd []string
	Strd  []StructuredRemittance
}

// StructuredRemittance is RmtInf/Strd, reduced to the references a
// receiver reconciles with.
type StructuredRemittance struct {
	RfrdDocInf  []ReferredDocument
	CdtrRefTp   Code // CdtrRefInf/Tp/CdOrPrtry
	CdtrRef     string
	AddtlRmtInf []string
}

// ReferredDocument is RfrdDocInf.
type ReferredDocument struct {
	Tp     Code // Tp/CdOrPrtry
	Nb     string
	RltdDt Date
}

// Instruction is InstrForCdtrAgt or InstrForNxtAgt.
type Instruction struct {
	Cd       string
	InstrInf string
}

// SettlementInfo is GrpHdr/SttlmInf.
type SettlementInfo struct {
	SttlmMtd  string // INDA, INGA, COVE, CLRG
	SttlmAcct *Account
	ClrSys    Code
}

// GroupHeader is the group header of pacs.008, pacs.009 and pacs.004.
type GroupHeader struct {
	MsgID   string
	CreDtTm time.Time
	NbOfTxs int
	CtrlSum string // decimal text as sent; "" if absent
	// TtlIntrBkSttlmAmt is TtlIntrBkSttlmAmt, or TtlRtrdIntrBkSttlmAmt in
	// a pacs.004.
	TtlIntrBkSttlmAmt *Amount
	IntrBkSttlmDt     Date
	SttlmInf          SettlementInfo
	PmtTpInf          *PaymentType
	InstgAgt          *Agent
	InstdAgt          *Agent
}

// CreditTransfer is a pacs.008 FI-to-FI customer credit transfer or a
// pacs.009 financial institution credit transfer.
type CreditTransfer struct {
	GrpHdr GroupHeader
	Txs    []CreditTransferTx // CdtTrfTxInf, in document order
}

// CreditTransferTx is one CdtTrfTxInf. In a pacs.008 the debtor, creditor
// and ultimate parties are customers (Dbtr, Cdtr, ...); in a pacs.009 they
// are financial institutions (DbtrFI, CdtrFI, ...).
type CreditTransferTx struct {
	PmtID          PaymentID
	PmtTpInf       *PaymentType
	IntrBkSttlmAmt Amount
	IntrBkSttlmDt  Date
	SttlmPrty      string
	InstdAmt       *Amount
	XchgRate       string // decimal text
	ChrgBr         string // DEBT, CRED, SHAR, SLEV (pacs.008 only)

	InstgAgt   *Agent
	InstdAgt   *Agent
	IntrmyAgt1 *Agent
	IntrmyAgt2 *Agent
	IntrmyAgt3 *Agent

	UltmtDbtr *Party
	InitgPty  *Party
	Dbtr      *Party
	DbtrAcct  *Account
	DbtrAgt   *Agent
	CdtrAgt   *Agent
	Cdtr      *Party
	CdtrAcct  *Account
	UltmtCdtr *Party

	UltmtDbtrFI *Agent // pacs.009
	DbtrFI      *Agent // pacs.009
	CdtrFI      *Agent // pacs.009
	UltmtCdtrFI *Agent // pacs.009

	InstrForCdtrAgt []Instruction
	InstrForNxtAgt  []Instruction
	Purp            Code
	RmtInf          *Remittance

	// UndrlygCstmrCdtTrf is the customer credit transfer a pacs.009 COV
	// covers.
	UndrlygCstmrCdtTrf *UnderlyingCustomerCreditTransfer
}

// UnderlyingCustomerCreditTransfer is the underlying customer credit
// transfer of a cover payment (pacs.009 COV).
type UnderlyingCustomerCreditTransfer struct {
	PmtID      *PaymentID // version 12 and later
	UltmtDbtr  *Party
	InitgPty   *Party
	Dbtr       *Party
	DbtrAcct   *Account
	DbtrAgt    *Agent
	IntrmyAgt1 *Agent
	IntrmyAgt2 *Agent
	IntrmyAgt3 *Agent
	CdtrAgt    *Agent
	Cdtr       *Party
	CdtrAcct   *Account
	UltmtCdtr  *Party
	RmtInf     *Remittance
	InstdAmt   *Amount
}

// OriginalGroup is OrgnlGrpInf: the message a return, cancellation or
// status refers to.
type OriginalGroup struct {
	OrgnlMsgID   string
	OrgnlMsgNmID string
	OrgnlCreDtTm time.Time
}

// ReasonInfo is StsRsnInf, RtrRsnInf or CxlRsnInf.
type ReasonInfo struct {
	Orgtr    *Party
	Rsn      Code
	AddtlInf []string
}

// PaymentReturn is a pacs.004 payment return.
type PaymentReturn struct {
	GrpHdr      GroupHeader // TtlIntrBkSttlmAmt holds TtlRtrdIntrBkSttlmAmt
	OrgnlGrpInf *OriginalGroup
	Txs         []ReturnTx // TxInf
}

// ReturnTx is one pacs.004 TxInf.
type ReturnTx struct {
	RtrID               string
	OrgnlGrpInf         *OriginalGroup
	OrgnlInstrID        string
	OrgnlEndToEndID     string
	OrgnlTxID           string
	OrgnlUETR           string
	OrgnlClrSysRef      string
	OrgnlIntrBkSttlmAmt *Amount
	OrgnlIntrBkSttlmDt  Date
	RtrdIntrBkSttlmAmt  Amount
	IntrBkSttlmDt       Date
	SttlmPrty           string
	RtrdInstdAmt        *Amount
	ChrgBr              string
	ClrSysRef           string
	InstgAgt            *Agent
	InstdAgt            *Agent
	RtrRsnInf           []ReasonInfo
}

// CancellationRequest is a camt.056 FI-to-FI payment cancellation request.
type CancellationRequest struct {
	Assgnmt  Assignment
	CtrlData *ControlData
	Undrlyg  []UnderlyingCancellation
}

// Assignment is camt.056 Assgnmt.
type Assignment struct {
	ID      string
	Assgnr  Party // a party, or an agent in FI
	Assgne  Party
	CreDtTm time.Time
}

// ControlData is camt.056 CtrlData.
type ControlData struct {
	NbOfTxs int
	CtrlSum string
}

// UnderlyingCancellation is camt.056 Undrlyg.
type UnderlyingCancellation struct {
	OrgnlGrpInfAndCxl *OriginalGroupCancellation
	TxInf             []CancellationTx
}

// OriginalGroupCancellation is Undrlyg/OrgnlGrpInfAndCxl.
type OriginalGroupCancellation struct {
	GrpCxlID     string
	OrgnlMsgID   string
	OrgnlMsgNmID string
	OrgnlCreDtTm time.Time
	NbOfTxs      string
	CtrlSum      string
	GrpCxl       string // "true" or "false" as sent; "" if absent
	CxlRsnInf    []ReasonInfo
}

// CancellationTx is Undrlyg/TxInf.
type CancellationTx struct {
	CxlID               string
	OrgnlGrpInf         *OriginalGroup
	OrgnlInstrID        string
	OrgnlEndToEndID     string
	OrgnlTxID           string
	OrgnlUETR           string
	OrgnlClrSysRef      string
	OrgnlIntrBkSttlmAmt *Amount
	OrgnlIntrBkSttlmDt  Date
	Assgnr              *Agent
	Assgne              *Agent
	CxlRsnInf           []ReasonInfo
}

// Status is an external payment (group or transaction) status code.
type Status string

// Statuses Mutua reports in a pacs.002.
const (
	StatusSettled  Status = "ACSC" // AcceptedSettlementCompleted
	StatusAccepted Status = "ACCP" // AcceptedCustomerProfile
	StatusPending  Status = "PDNG" // Pending
	StatusRejected Status = "RJCT" // Rejected
	StatusPartial  Status = "PART" // PartiallyAccepted (group status only)
)

// StatusReport is a pacs.002 FI-to-FI payment status report.
type StatusReport struct {
	MsgID             string
	CreDtTm           time.Time
	InstgAgt          *Agent
	InstdAgt          *Agent
	OrgnlGrpInfAndSts []OriginalGroupStatus
	TxInfAndSts       []TxStatus
}

// OriginalGroupStatus is OrgnlGrpInfAndSts.
type OriginalGroupStatus struct {
	OrgnlMsgID    string
	OrgnlMsgNmID  string
	OrgnlCreDtTm  time.Time
	OrgnlNbOfTxs  string
	OrgnlCtrlSum  string
	GrpSts        Status
	StsRsnInf     []ReasonInfo
	NbOfTxsPerSts []StatusCount
}

// StatusCount is NbOfTxsPerSts.
type StatusCount struct {
	DtldNbOfTxs int
	DtldSts     Status
	DtldCtrlSum string
}

// TxStatus is TxInfAndSts.
type TxStatus struct {
	StsID             string
	OrgnlGrpInf       *OriginalGroup
	OrgnlInstrID      string
	OrgnlEndToEndID   string
	OrgnlTxID         string
	OrgnlUETR         string
	TxSts             Status
	StsRsnInf         []ReasonInfo
	AccptncDtTm       time.Time
	FctvIntrBkSttlmDt Date
	AcctSvcrRef       string
	ClrSysRef         string
	InstgAgt          *Agent
	InstdAgt          *Agent
}

// ReportKind tells the three bank-to-customer cash management reports apart.
type ReportKind string

// Report kinds, named by their message type.
const (
	IntradayReport ReportKind = "camt.052" // BkToCstmrAcctRpt
	Statement      ReportKind = "camt.053" // BkToCstmrStmt
	Notification   ReportKind = "camt.054" // BkToCstmrDbtCdtNtfctn
)

// CreditDebit is a CdtDbtInd.
type CreditDebit string

// Credit and debit indicators.
const (
	Credit CreditDebit = "CRDT"
	Debit  CreditDebit = "DBIT"
)

// AccountReport is one camt.052 report, camt.053 statement or camt.054
// notification, for one account. (The messages allow several per group
// header; Mutua sends one per account.)
type AccountReport struct {
	Kind         ReportKind
	MsgID        string
	CreDtTm      time.Time
	ID           string // Rpt/Id, Stmt/Id or Ntfctn/Id
	ElctrncSeqNb string // decimal digits; "" if absent
	LglSeqNb     string
	FrToDt       *Period
	Acct         Account
	AcctOwnr     *Party
	AcctSvcr     *Agent
	Bal          []Balance // not in camt.054
	Ntry         []Entry
}

// Period is FrToDt.
type Period struct {
	FrDtTm time.Time
	ToDtTm time.Time
}

// Balance is one Bal: a signed amount in minor units of the account
// currency, positive for CRDT and negative for DBIT.
type Balance struct {
	Tp   string // OPBD, CLBD, ITBD, ...
	Amt  int64
	Dt   Date      // Dt/Dt, or
	DtTm time.Time // Dt/DtTm
}

// Entry is one Ntry.
type Entry struct {
	NtryRef     string
	Amt         Amount
	CdtDbtInd   CreditDebit
	RvslInd     bool
	Sts         string    // BOOK, PDNG, INFO
	BookgDtTm   time.Time // BookgDt/DtTm
	ValDt       Date      // ValDt/Dt
	AcctSvcrRef string
	BkTxCd      BankTxCode
	TxDtls      []EntryTx // NtryDtls/TxDtls, flattened
	AddtlInf    string    // AddtlNtryInf
}

// BankTxCode is BkTxCd: a Domn/Fmly/SubFmlyCd triple, a proprietary code,
// or both.
type BankTxCode struct {
	Domn      string
	Fmly      string
	SubFmlyCd string
	Prtry     string
	PrtryIssr string
}

// EntryTx is one NtryDtls/TxDtls.
type EntryTx struct {
	MsgID       string
	AcctSvcrRef string
	InstrID     string
	EndToEndID  string
	UETR        string
	TxID        string
	ClrSysRef   string
	Amt         *Amount
	CdtDbtInd   CreditDebit
	Dbtr        *Party // RltdPties/Dbtr: Pty, or Agt in Party.FI
	DbtrAcct    *Account
	Cdtr        *Party
	CdtrAcct    *Account
	InstgAgt    *Agent // RltdAgts
	InstdAgt    *Agent
	DbtrAgt     *Agent
	CdtrAgt     *Agent
	RmtInf      *Remittance
	AddtlTxInf  string
}

// String formats a for messages: "INR 1250.50".
func (a Amount) String() string {
	return a.Currency + " " + strconv.FormatUint(a.Value, 10) + " minor units"
}

// repeatable lists the element names that may occur more than once under
// one parent in the supported schemas; error paths index them.
var repeatable = map[string]bool{
	"CdtTrfTxInf": true, "TxInf": true, "Undrlyg": true, "Ustrd": true, "Strd": true,
	"AdrLine": true, "SvcLvl": true, "Othr": true, "RfrdDocInf": true, "AddtlRmtInf": true,
	"RtrRsnInf": true, "CxlRsnInf": true, "StsRsnInf": true, "AddtlInf": true,
	"TxInfAndSts": true, "OrgnlGrpInfAndSts": true, "NbOfTxsPerSts": true,
	"InstrForCdtrAgt": true, "InstrForNxtAgt": true, "Ntry": true, "Bal": true,
	"NtryDtls": true, "TxDtls": true, "Stmt": true, "Rpt": true, "Ntfctn": true,
	"RgltryRptg": true, "ChrgsInf": true, "RltdRmtInf": true, "SplmtryData": true, "Rltd": true,
}

// trimCollapse applies XSD whitespace collapsing for types whose facet is
// "collapse" (decimals, dates, booleans).
func trimCollapse(s string) string {
	if len(s) == 0 || !isSpace(s[0]) && !isSpace(s[len(s)-1]) {
		return s
	}
	return strings.Trim(s, " \t\r\n")
}
