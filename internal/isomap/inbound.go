package isomap

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/iso20022"
	"github.com/mutua-org/mutua/internal/screening"
)

// Directory answers what the mapping asks of the union's state. The shell
// implements it over the engine and the settled history.
type Directory interface {
	// HasParticipant reports whether a participant has exactly this id.
	HasParticipant(id string) bool
	// PaymentByUETR returns the payment with UETR u, open or settled.
	PaymentByUETR(u [16]byte) (Original, bool, error)
	// RecentByEndToEnd returns the payments with end-to-end id e2e in which
	// participant is payer or payee, among the union's most recent
	// LookbackPaymentsMax payments.
	RecentByEndToEnd(participant, e2e string) ([]Original, error)
}

// Original is an earlier payment that a return or a cancellation names.
type Original struct {
	ID           uint64
	Kind         engine.Kind
	Status       engine.Status
	Payer, Payee string
	Currency     string
	Amount       int64
	EndToEndID   string
	UETR         [16]byte
}

// Inbound is an inbound message mapped for the engine: the pacs.002 that
// will answer it, with the status of every transaction the edge decided
// already (rejections, repeated cancellations), and one engine command for
// each of the others.
type Inbound struct {
	Message *iso20022.Message
	Report  *iso20022.StatusReport
	// Cmds[i] is the command for transaction Report.TxInfAndSts[i], or nil
	// when that transaction's status is set already.
	Cmds []*engine.Command
	// Originals[i] is the payment a return or cancellation acts on.
	Originals []Original
	// Agents[i] are the agents transaction i names that its command does
	// not keep, for screening: debtor, creditor and intermediary agents
	// (and those of a cover payment's underlying transfer), by BIC and
	// name. The members themselves are screened as every payment's are.
	Agents [][]screening.Party
}

// Map validates an inbound message beyond the codec (who may send what,
// which participants it names, which payments it refers to) and builds the
// engine command of each transaction. caller is the authenticated
// participant; now is the wall clock, for the settlement date. errs are
// the codec's errors for m. The returned error is an operating failure of
// dir; rejections are statuses in the report.
func Map(m *iso20022.Message, errs iso20022.Errors, caller string, dir Directory, now time.Time) (*Inbound, error) {
	in := &Inbound{Message: m}
	if m != nil && !errs.Fatal() {
		errs = append(errs, groupChecks(m, caller)...)
	}
	in.Report = iso20022.StatusReportFor(m, errs)
	if m == nil || errs.Fatal() {
		return in, nil
	}
	mp := &mapper{in: in, m: m, errs: errs, caller: caller, dir: dir, today: iso20022.DateOf(now.UTC())}
	var err error
	switch {
	case m.CreditTransfer != nil:
		mp.creditTransfer()
	case m.PaymentReturn != nil:
		err = mp.paymentReturn()
	case m.CancellationRequest != nil:
		err = mp.cancellation()
	}
	return in, err
}

// groupChecks are the message-level rules of the mapping: what Mutua
// accepts, from whom.
func groupChecks(m *iso20022.Message, caller string) iso20022.Errors {
	var errs iso20022.Errors
	add := func(path string, rule iso20022.Rule, reason iso20022.Reason, format string, args ...any) {
		errs = append(errs, &iso20022.Error{Path: path, Rule: rule, Reason: reason, Msg: fmt.Sprintf(format, args...)})
	}
	if h := m.AppHdr; h != nil {
		if bic := partyBIC(&h.Fr); bic != "" && !SameBIC(bic, caller) {
			add("/AppHdr/Fr", iso20022.RuleAgent, iso20022.ReasonIncorrectAgent, "the header's sender %s is not the authenticated participant %s", bic, caller)
		}
	}
	n := 0
	switch {
	case m.CreditTransfer != nil:
		n = len(m.CreditTransfer.Txs)
		if mtd := m.CreditTransfer.GrpHdr.SttlmInf.SttlmMtd; mtd != "CLRG" {
			add(docRoot(m)+"/GrpHdr/SttlmInf/SttlmMtd", iso20022.RuleCode, iso20022.ReasonElementContent,
				"SttlmMtd %s: payments to Mutua settle through the clearing system (CLRG), not in an agent's books", mtd)
		}
	case m.PaymentReturn != nil:
		n = len(m.PaymentReturn.Txs)
	case m.CancellationRequest != nil:
		r := m.CancellationRequest
		if bic := partyBIC(&r.Assgnmt.Assgnr); !SameBIC(bic, caller) {
			add("/Document/FIToFIPmtCxlReq/Assgnmt/Assgnr", iso20022.RuleAgent, iso20022.ReasonIncorrectAgent,
				"the assigner %q is not the authenticated participant %s: a payer cancels its own payments", bic, caller)
		}
		for j, u := range r.Undrlyg {
			if len(u.TxInf) == 0 {
				add(fmt.Sprintf("/Document/FIToFIPmtCxlReq/Undrlyg[%d]", j+1), iso20022.RuleRequired, ReasonTransactionNotSupp,
					"Mutua cancels payments one by one: name each in a TxInf (group cancellation is not supported)")
			}
			n += len(u.TxInf)
		}
	default:
		add("/Document", iso20022.RuleNamespace, ReasonTransactionNotSupp,
			"%s is not an instruction: Mutua takes pacs.008, pacs.009, pacs.004 and camt.056", m.Def)
	}
	if n > TxsMax {
		add(docRoot(m), iso20022.RuleTooMany, iso20022.ReasonInvalidNumberOfTxs,
			"%d transactions; a message to Mutua carries at most %d", n, TxsMax)
	}
	return errs
}

// docRoot is the path of the message element under Document.
func docRoot(m *iso20022.Message) string {
	switch m.Def.Kind() {
	case "pacs.008":
		return "/Document/FIToFICstmrCdtTrf"
	case "pacs.009":
		return "/Document/FICdtTrf"
	case "pacs.004":
		return "/Document/PmtRtr"
	case "camt.056":
		return "/Document/FIToFIPmtCxlReq"
	}
	return "/Document"
}

// partyBIC is the BIC identifying a header party or case assigner: its
// financial institution's BICFI, or its organisation's AnyBIC.
func partyBIC(p *iso20022.Party) string {
	switch {
	case p.FI != nil:
		return p.FI.BICFI
	case p.OrgID != nil:
		return p.OrgID.AnyBIC
	}
	return ""
}

// mapper holds the state of one Map call.
type mapper struct {
	in     *Inbound
	m      *iso20022.Message
	errs   iso20022.Errors
	caller string
	dir    Directory
	today  iso20022.Date
}

// reject sets transaction i's status to RJCT for one edge error.
func (mp *mapper) reject(i int, e *iso20022.Error) {
	st := &mp.in.Report.TxInfAndSts[i]
	st.TxSts = iso20022.StatusRejected
	st.StsRsnInf = []iso20022.ReasonInfo{e.ReasonInfo()}
}

// edgeError is an error the mapping finds in transaction tx (1-based).
func edgeError(tx int, path string, rule iso20022.Rule, reason iso20022.Reason, format string, args ...any) *iso20022.Error {
	return &iso20022.Error{Path: path, Rule: rule, Reason: reason, Tx: tx, Msg: fmt.Sprintf(format, args...)}
}

// engineError is an engine reason the mapping finds before the engine
// would: it carries the engine's reason code and name, as the engine's
// rejection would.
func engineError(tx int, path string, rule iso20022.Rule, r engine.Reason, format string, args ...any) *iso20022.Error {
	e := edgeError(tx, path, rule, ReasonCode(r), format, args...)
	e.Msg += " (mutua: " + r.String() + ")"
	return e
}

func (mp *mapper) creditTransfer() {
	ct := mp.m.CreditTransfer
	mp.in.Cmds = make([]*engine.Command, len(ct.Txs))
	mp.in.Agents = make([][]screening.Party, len(ct.Txs))
	for i := range ct.Txs {
		if mp.in.Report.TxInfAndSts[i].TxSts != "" {
			continue // rejected by the codec
		}
		c, e := mp.credit(i, &ct.Txs[i])
		if e != nil {
			mp.reject(i, e)
			continue
		}
		mp.in.Cmds[i] = c
		mp.in.Agents[i] = agents(&ct.GrpHdr, &ct.Txs[i])
	}
}

// credit maps one pacs.008 or pacs.009 transaction to a payment:
//
//   - payer: the caller, who must be the instructing agent;
//   - payee: the participant the instructed agent's BIC names (BIC8 and
//     BIC8+XXX alike); if the instructed agent carries no BIC, the
//     creditor agent's, then (pacs.009) the creditor's;
//   - amount and currency: IntrBkSttlmAmt, already in minor units;
//   - UETR (required) and EndToEndId as sent; the idempotency key is
//     "iso:" and the UETR, so a message sent again repeats its first
//     result instead of paying twice;
//   - parties for screening: debtor, creditor and ultimate parties of a
//     pacs.008 or of a cover payment's underlying customer transfer, or
//     the financial institutions' names of a pacs.009 (the agents, by
//     BIC and name, go beside the command: see agents);
//   - remittance: the unstructured lines, or else the structured
//     references, at most RemittanceLenMax characters;
//   - priority: urgent for service level URGP or settlement priority
//     URGT, high for instruction or settlement priority HIGH, else normal;
//   - settlement date: today or earlier settles on receipt; later is
//     refused (see settlementDate).
func (mp *mapper) credit(i int, tx *iso20022.CreditTransferTx) (*engine.Command, *iso20022.Error) {
	h := &mp.m.CreditTransfer.GrpHdr
	root := docRoot(mp.m)
	n := i + 1
	path := fmt.Sprintf("%s/CdtTrfTxInf[%d]", root, n)

	instg, instgPath := tx.InstgAgt, path+"/InstgAgt"
	if instg == nil {
		instg, instgPath = h.InstgAgt, root+"/GrpHdr/InstgAgt"
	}
	if instg == nil || !SameBIC(instg.BICFI, mp.caller) {
		return nil, edgeError(n, instgPath, iso20022.RuleAgent, iso20022.ReasonIncorrectAgent,
			"the instructing agent %q is not the authenticated participant %s", agentBIC(instg), mp.caller)
	}
	payeeBIC, payeePath := "", path+"/InstdAgt"
	for _, a := range []struct {
		agent *iso20022.Agent
		path  string
	}{
		{tx.InstdAgt, path + "/InstdAgt"}, {h.InstdAgt, root + "/GrpHdr/InstdAgt"},
		{tx.CdtrAgt, path + "/CdtrAgt"}, {tx.CdtrFI, path + "/Cdtr"},
	} {
		if a.agent != nil && a.agent.BICFI != "" {
			payeeBIC, payeePath = a.agent.BICFI, a.path
			break
		}
	}
	payee, found := Participant(mp.dir, payeeBIC)
	switch {
	case !found:
		return nil, engineError(n, payeePath, iso20022.RuleAgent, engine.PayeeUnknown, "%q is not a participant of this union", payeeBIC)
	case payee == mp.caller:
		return nil, engineError(n, payeePath, iso20022.RuleAgent, engine.SameParticipant, "the instructed agent is the instructing agent")
	}
	if tx.PmtID.UETR == "" {
		return nil, edgeError(n, path+"/PmtId/UETR", iso20022.RuleRequired, iso20022.ReasonRequiredMissing,
			"UETR is required: Mutua tracks and deduplicates every payment by it")
	}
	uetr, ok := parseUUID(tx.PmtID.UETR)
	if !ok {
		return nil, engineError(n, path+"/PmtId/UETR", iso20022.RuleUETR, engine.UETRInvalid, "UETR %q is not a UUID", tx.PmtID.UETR)
	}
	if tx.IntrBkSttlmAmt.Value > math.MaxInt64 {
		return nil, engineError(n, path+"/IntrBkSttlmAmt", iso20022.RuleAmount, engine.Overflow, "the amount is too large for the ledger")
	}
	if e := mp.settlementDate(n, path+"/IntrBkSttlmDt", firstDate(tx.IntrBkSttlmDt, h.IntrBkSttlmDt)); e != nil {
		return nil, e
	}
	c := &engine.Command{
		Kind:        engine.KindPay,
		Participant: mp.caller,
		Payee:       payee,
		Currency:    tx.IntrBkSttlmAmt.Currency,
		Amount:      int64(tx.IntrBkSttlmAmt.Value),
		Key:         "iso:" + tx.PmtID.UETR,
		UETR:        uetr,
		EndToEndID:  tx.PmtID.EndToEndID,
		Priority:    priority(firstPaymentType(tx.PmtTpInf, h.PmtTpInf), tx.SttlmPrty),
	}
	rmt := tx.RmtInf
	if mp.m.Def.Kind() == "pacs.009" {
		if u := tx.UndrlygCstmrCdtTrf; u != nil {
			// A cover payment: screen the customers it moves money for.
			c.DebtorName, c.CreditorName = partyName(u.Dbtr), partyName(u.Cdtr)
			c.UltimateDebtorName, c.UltimateCreditorName = partyName(u.UltmtDbtr), partyName(u.UltmtCdtr)
			if rmt == nil {
				rmt = u.RmtInf
			}
		} else {
			c.DebtorName, c.CreditorName = agentName(tx.DbtrFI), agentName(tx.CdtrFI)
			c.UltimateDebtorName, c.UltimateCreditorName = agentName(tx.UltmtDbtrFI), agentName(tx.UltmtCdtrFI)
		}
	} else {
		c.DebtorName, c.CreditorName = partyName(tx.Dbtr), partyName(tx.Cdtr)
		c.UltimateDebtorName, c.UltimateCreditorName = partyName(tx.UltmtDbtr), partyName(tx.UltmtCdtr)
	}
	if c.UltimateDebtorName == c.DebtorName {
		c.UltimateDebtorName = ""
	}
	if c.UltimateCreditorName == c.CreditorName {
		c.UltimateCreditorName = ""
	}
	c.Remittance = remittance(rmt)
	return c, nil
}

// agents returns the agents of a credit transfer to screen, those that
// carry a BIC or a name: every agent the transaction and its group header
// name, the members it is between included (the daemon screens them by
// their admitted names too; here by what the message says of them).
func agents(h *iso20022.GroupHeader, tx *iso20022.CreditTransferTx) []screening.Party {
	var out []screening.Party
	add := func(role string, a *iso20022.Agent) {
		if a != nil && (a.BICFI != "" || a.Nm != "") {
			out = append(out, screening.Party{Role: role, Name: a.Nm, BIC: a.BICFI})
		}
	}
	add("instructing_agent", tx.InstgAgt)
	add("instructing_agent", h.InstgAgt)
	add("instructed_agent", tx.InstdAgt)
	add("instructed_agent", h.InstdAgt)
	add("debtor_agent", tx.DbtrAgt)
	add("creditor_agent", tx.CdtrAgt)
	add("intermediary_agent1", tx.IntrmyAgt1)
	add("intermediary_agent2", tx.IntrmyAgt2)
	add("intermediary_agent3", tx.IntrmyAgt3)
	// pacs.009: the institutions are the parties. Their names are the
	// command's debtor and creditor names unless it is a cover payment
	// (whose are the underlying customers'); here they are screened by
	// BIC and name in any case.
	add("debtor", tx.DbtrFI)
	add("creditor", tx.CdtrFI)
	add("ultimate_debtor", tx.UltmtDbtrFI)
	add("ultimate_creditor", tx.UltmtCdtrFI)
	if u := tx.UndrlygCstmrCdtTrf; u != nil {
		add("underlying_debtor_agent", u.DbtrAgt)
		add("underlying_creditor_agent", u.CdtrAgt)
		add("underlying_intermediary_agent1", u.IntrmyAgt1)
		add("underlying_intermediary_agent2", u.IntrmyAgt2)
		add("underlying_intermediary_agent3", u.IntrmyAgt3)
	}
	return out
}

// settlementDate checks an IntrBkSttlmDt: today or earlier (a late message
// settles on receipt, and its pacs.002 gives the effective date), or at
// most SettlementDateAheadMax days ahead.
func (mp *mapper) settlementDate(n int, path string, d iso20022.Date) *iso20022.Error {
	if d.IsZero() {
		return nil
	}
	latest := time.Date(mp.today.Year, mp.today.Month, mp.today.Day+SettlementDateAheadMax, 0, 0, 0, 0, time.UTC)
	if time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).After(latest) {
		return edgeError(n, path, iso20022.RuleDate, ReasonFutureDate,
			"IntrBkSttlmDt %s is in the future: Mutua settles on receipt and holds no value-dated payments", d)
	}
	return nil
}

func firstDate(ds ...iso20022.Date) iso20022.Date {
	for _, d := range ds {
		if !d.IsZero() {
			return d
		}
	}
	return iso20022.Date{}
}

func agentBIC(a *iso20022.Agent) string {
	if a == nil {
		return ""
	}
	return a.BICFI
}

func firstPaymentType(ts ...*iso20022.PaymentType) *iso20022.PaymentType {
	for _, t := range ts {
		if t != nil {
			return t
		}
	}
	return nil
}

// priority maps payment type and settlement priority to the engine's
// priority.
func priority(pt *iso20022.PaymentType, sttlmPrty string) uint8 {
	if sttlmPrty == "URGT" {
		return engine.PriorityUrgent
	}
	if pt != nil {
		for _, sl := range pt.SvcLvl {
			if sl.Cd == "URGP" {
				return engine.PriorityUrgent
			}
		}
		if pt.InstrPrty == "HIGH" {
			return engine.PriorityHigh
		}
	}
	if sttlmPrty == "HIGH" {
		return engine.PriorityHigh
	}
	return engine.PriorityNormal
}

func partyName(p *iso20022.Party) string {
	if p == nil {
		return ""
	}
	return clean(p.Nm, engine.TextLenMax)
}

func agentName(a *iso20022.Agent) string {
	if a == nil {
		return ""
	}
	return clean(a.Nm, engine.TextLenMax)
}

// clean collapses white space (which the engine's text fields refuse as
// control characters, and which never distinguishes two names) and cuts s
// to max characters.
func clean(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max {
			return strings.TrimRight(s[:i], " ")
		}
		n++
	}
	return s
}

// remittance is the text kept with a payment: the unstructured lines, or
// else the structured references (referred documents with their type and
// date, creditor references, additional lines), cut to RemittanceLenMax.
func remittance(r *iso20022.Remittance) string {
	if r == nil {
		return ""
	}
	if len(r.Ustrd) > 0 {
		return clean(strings.Join(r.Ustrd, " "), RemittanceLenMax)
	}
	var parts []string
	for _, s := range r.Strd {
		for _, d := range s.RfrdDocInf {
			parts = append(parts, strings.TrimSpace(codeText(d.Tp)+" "+d.Nb+" "+d.RltdDt.String()))
		}
		if s.CdtrRef != "" {
			parts = append(parts, strings.TrimSpace(codeText(s.CdtrRefTp)+" "+s.CdtrRef))
		}
		parts = append(parts, s.AddtlRmtInf...)
	}
	return clean(strings.Join(parts, "; "), RemittanceLenMax)
}

func codeText(c iso20022.Code) string {
	if c.Cd != "" {
		return c.Cd
	}
	return c.Prtry
}

// parseUUID parses the canonical 8-4-4-4-12 form.
func parseUUID(s string) ([16]byte, bool) {
	var u [16]byte
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	h := s[:8] + s[9:13] + s[14:18] + s[19:23] + s[24:]
	if _, err := hex.Decode(u[:], []byte(h)); err != nil {
		return u, false
	}
	return u, true
}

// FormatUUID renders u in canonical lower-case form.
func FormatUUID(u [16]byte) string {
	h := hex.EncodeToString(u[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// derivedUETR is the UETR of a return, which a pacs.004 does not give: a
// UUID version 4 whose random bits come from the returning participant and
// the return's idempotency key, so that the same return sent again carries
// the same UETR.
func derivedUETR(participant, key string) [16]byte {
	sum := sha256.Sum256([]byte("mutua-iso-uetr\x00" + participant + "\x00" + key))
	var u [16]byte
	copy(u[:], sum[:16])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

// original finds the payment a return (asPayer false: the caller was paid
// by it) or a cancellation (asPayer true: the caller sent it) names: by
// UETR if given, else by end-to-end id among the caller's recent payments
// in that role, narrowed by the original amount when given. A payment the
// caller had no part in is as unknown as one that does not exist.
func (mp *mapper) original(n int, path string, asPayer bool, uetrText, e2e string, amt *iso20022.Amount) (Original, *iso20022.Error, error) {
	unknown := func(format string, args ...any) (Original, *iso20022.Error, error) {
		return Original{}, engineError(n, path, iso20022.RuleReconcile, engine.OriginalUnknown, format, args...), nil
	}
	mine := func(o *Original) bool {
		if asPayer {
			return o.Payer == mp.caller
		}
		return o.Payee == mp.caller
	}
	if uetrText != "" {
		u, ok := parseUUID(uetrText)
		if !ok {
			return unknown("OrgnlUETR %q is not a UUID", uetrText)
		}
		o, found, err := mp.dir.PaymentByUETR(u)
		if err != nil {
			return Original{}, nil, err
		}
		if !found || !mine(&o) || o.Kind != engine.KindPay {
			return unknown("no payment %s by you has this OrgnlUETR", roleName(asPayer))
		}
		return o, nil, nil
	}
	if e2e == "" || e2e == iso20022.NonRef {
		return unknown("name the original payment by OrgnlUETR (or by OrgnlEndToEndId)")
	}
	cands, err := mp.dir.RecentByEndToEnd(mp.caller, e2e)
	if err != nil {
		return Original{}, nil, err
	}
	var match []Original
	for _, o := range cands {
		if !mine(&o) || o.Kind != engine.KindPay || o.EndToEndID != e2e {
			continue
		}
		if amt != nil && (uint64(o.Amount) != amt.Value || o.Currency != amt.Currency) {
			continue
		}
		match = append(match, o)
	}
	switch len(match) {
	case 0:
		return unknown("no recent payment %s by you has OrgnlEndToEndId %q; name it by OrgnlUETR", roleName(asPayer), e2e)
	case 1:
		return match[0], nil, nil
	}
	return unknown("%d recent payments %s by you have OrgnlEndToEndId %q; name the one by OrgnlUETR", len(match), roleName(asPayer), e2e)
}

func roleName(asPayer bool) string {
	if asPayer {
		return "sent"
	}
	return "received"
}

func (mp *mapper) paymentReturn() error {
	r := mp.m.PaymentReturn
	mp.in.Cmds = make([]*engine.Command, len(r.Txs))
	mp.in.Originals = make([]Original, len(r.Txs))
	for i := range r.Txs {
		if mp.in.Report.TxInfAndSts[i].TxSts != "" {
			continue
		}
		c, o, e, err := mp.ret(i, &r.Txs[i])
		if err != nil {
			return err
		}
		if e != nil {
			mp.reject(i, e)
			continue
		}
		mp.in.Cmds[i], mp.in.Originals[i] = c, o
	}
	return nil
}

// ret maps one pacs.004 transaction to a return of a settled payment: the
// caller must be the instructing agent and the original payee, the
// instructed agent (if it has a BIC) the original payer, and the currency
// the original's. The idempotency key derives from the original and the
// RtrId, so the same return sent again is a repeat; the RtrId becomes the
// return's end-to-end id and the return reason its remittance.
func (mp *mapper) ret(i int, tx *iso20022.ReturnTx) (*engine.Command, Original, *iso20022.Error, error) {
	h := &mp.m.PaymentReturn.GrpHdr
	n := i + 1
	path := fmt.Sprintf("/Document/PmtRtr/TxInf[%d]", n)
	instg, instgPath := tx.InstgAgt, path+"/InstgAgt"
	if instg == nil {
		instg, instgPath = h.InstgAgt, "/Document/PmtRtr/GrpHdr/InstgAgt"
	}
	if instg == nil || !SameBIC(instg.BICFI, mp.caller) {
		return nil, Original{}, edgeError(n, instgPath, iso20022.RuleAgent, iso20022.ReasonIncorrectAgent,
			"the instructing agent %q is not the authenticated participant %s", agentBIC(instg), mp.caller), nil
	}
	o, e, err := mp.original(n, path+"/OrgnlUETR", false, tx.OrgnlUETR, tx.OrgnlEndToEndID, tx.OrgnlIntrBkSttlmAmt)
	if e != nil || err != nil {
		return nil, Original{}, e, err
	}
	instd, instdPath := tx.InstdAgt, path+"/InstdAgt"
	if instd == nil {
		instd, instdPath = h.InstdAgt, "/Document/PmtRtr/GrpHdr/InstdAgt"
	}
	if bic := agentBIC(instd); bic != "" {
		if id, _ := Participant(mp.dir, bic); id != o.Payer {
			return nil, Original{}, edgeError(n, instdPath, iso20022.RuleAgent, iso20022.ReasonIncorrectAgent,
				"the instructed agent %s is not the payer of the original payment", bic), nil
		}
	}
	amt := tx.RtrdIntrBkSttlmAmt
	if amt.Currency != o.Currency {
		return nil, Original{}, edgeError(n, path+"/RtrdIntrBkSttlmAmt", iso20022.RuleCurrency, ReasonWrongCurrency,
			"a return is in the original's currency %s, not %s", o.Currency, amt.Currency), nil
	}
	if amt.Value > math.MaxInt64 {
		return nil, Original{}, engineError(n, path+"/RtrdIntrBkSttlmAmt", iso20022.RuleAmount, engine.Overflow, "the amount is too large for the ledger"), nil
	}
	if e := mp.settlementDate(n, path+"/IntrBkSttlmDt", firstDate(tx.IntrBkSttlmDt, h.IntrBkSttlmDt)); e != nil {
		return nil, Original{}, e, nil
	}
	sum := sha256.Sum256([]byte(strconv.FormatUint(o.ID, 10) + "\x00" + tx.RtrID))
	key := "rtr:" + hex.EncodeToString(sum[:20])
	c := &engine.Command{
		Kind:        engine.KindReturn,
		Participant: mp.caller,
		PendingID:   o.ID,
		Amount:      int64(amt.Value),
		Key:         key,
		UETR:        derivedUETR(mp.caller, key),
		EndToEndID:  clean(tx.RtrID, engine.EndToEndLenMax),
		Remittance:  reasonText(tx.RtrRsnInf),
	}
	return c, o, nil, nil
}

// reasonText keeps a return or cancellation reason in a payment's
// remittance: the reason code (NARR and the proprietary reason when no code
// is given), then the additional information. ReturnReason reads it back.
func reasonText(rs []iso20022.ReasonInfo) string {
	for _, r := range rs {
		if r.Rsn.IsZero() {
			continue
		}
		code := r.Rsn.Cd
		if code == "" {
			code = string(iso20022.ReasonNarrative) + " " + r.Rsn.Prtry
		}
		return clean(code+" "+strings.Join(r.AddtlInf, " "), RemittanceLenMax)
	}
	return string(iso20022.ReasonNarrative)
}

// ReturnReason reads back what reasonText kept: the reason code and the
// additional information.
func ReturnReason(remittance string) iso20022.ReasonInfo {
	code, rest, _ := strings.Cut(remittance, " ")
	if len(code) != 4 {
		code, rest = string(iso20022.ReasonNarrative), remittance
	}
	ri := iso20022.ReasonInfo{Rsn: iso20022.Code{Cd: code}}
	if rest != "" {
		ri.AddtlInf = iso20022.AddtlInfLines(rest)
	}
	return ri
}

// cancellation maps a camt.056: each TxInf cancels one payment the caller
// sent that is still held for compliance review (the only state in which a
// Mutua payment has not settled or ended). The answer is a pacs.002 whose
// group refers to the camt.056 (Assgnmt/Id) and whose transactions refer to
// the payments to cancel, StsId being the CxlId: CANC when cancelled (also
// for a payment cancelled already, so a request sent again gets the same
// answer), RJCT with a reason otherwise. It stands in for the camt.029
// resolution of investigation, which Mutua does not render.
func (mp *mapper) cancellation() error {
	r := mp.m.CancellationRequest
	var refs []iso20022.TxStatus
	var paths []string
	var txs []*iso20022.CancellationTx
	for j := range r.Undrlyg {
		u := &r.Undrlyg[j]
		var grp *iso20022.OriginalGroup
		if g := u.OrgnlGrpInfAndCxl; g != nil {
			grp = groupRef(&iso20022.OriginalGroup{OrgnlMsgID: g.OrgnlMsgID, OrgnlMsgNmID: g.OrgnlMsgNmID, OrgnlCreDtTm: g.OrgnlCreDtTm})
		}
		for t := range u.TxInf {
			tx := &u.TxInf[t]
			st := iso20022.TxStatus{StsID: ref(tx.CxlID), OrgnlGrpInf: grp, OrgnlInstrID: ref(tx.OrgnlInstrID),
				OrgnlEndToEndID: ref(tx.OrgnlEndToEndID), OrgnlTxID: ref(tx.OrgnlTxID)}
			if g := groupRef(tx.OrgnlGrpInf); g != nil {
				st.OrgnlGrpInf = g
			}
			if _, ok := parseUUID(tx.OrgnlUETR); ok {
				st.OrgnlUETR = tx.OrgnlUETR
			}
			for _, e := range mp.errs.ForTx(len(refs) + 1) {
				st.TxSts = iso20022.StatusRejected
				st.StsRsnInf = append(st.StsRsnInf, e.ReasonInfo())
			}
			refs = append(refs, st)
			paths = append(paths, fmt.Sprintf("/Document/FIToFIPmtCxlReq/Undrlyg[%d]/TxInf[%d]", j+1, t+1))
			txs = append(txs, tx)
		}
	}
	mp.in.Report.TxInfAndSts = refs
	mp.in.Cmds = make([]*engine.Command, len(refs))
	mp.in.Originals = make([]Original, len(refs))
	for i := range refs {
		if refs[i].TxSts != "" {
			continue
		}
		c, o, e, err := mp.cancel(i, paths[i], txs[i])
		if err != nil {
			return err
		}
		switch {
		case e != nil:
			mp.reject(i, e)
		case c == nil:
			refs[i].TxSts = StatusCancelled
			refs[i].StsRsnInf = []iso20022.ReasonInfo{{AddtlInf: []string{duplicateInfo}}}
			refs[i].ClrSysRef = strconv.FormatUint(o.ID, 10)
		default:
			mp.in.Cmds[i], mp.in.Originals[i] = c, o
		}
	}
	return nil
}

// cancel maps one cancellation; a nil command with no error means the
// payment is cancelled already.
func (mp *mapper) cancel(i int, path string, tx *iso20022.CancellationTx) (*engine.Command, Original, *iso20022.Error, error) {
	n := i + 1
	if a := tx.Assgnr; a != nil && !SameBIC(a.BICFI, mp.caller) {
		return nil, Original{}, edgeError(n, path+"/Assgnr", iso20022.RuleAgent, iso20022.ReasonIncorrectAgent,
			"the assigner %q is not the authenticated participant %s", a.BICFI, mp.caller), nil
	}
	o, e, err := mp.original(n, path+"/OrgnlUETR", true, tx.OrgnlUETR, tx.OrgnlEndToEndID, tx.OrgnlIntrBkSttlmAmt)
	if e != nil || err != nil {
		return nil, Original{}, e, err
	}
	if o.Status == engine.StatusCancelled {
		return nil, o, nil, nil
	}
	c := &engine.Command{Kind: engine.KindCancel, Participant: mp.caller, PendingID: o.ID, Remittance: reasonText(tx.CxlRsnInf)}
	return c, o, nil, nil
}

// ref returns s if it fits a Max35Text reference.
func ref(s string) string {
	if utf8.RuneCountInString(s) > 35 {
		return ""
	}
	return s
}

// groupRef is ref for an original group: g if it can be echoed in a status
// report (both ids present and within 35 characters), or nil. A group that
// is not has already made the transaction's own errors.
func groupRef(g *iso20022.OriginalGroup) *iso20022.OriginalGroup {
	if g == nil || ref(g.OrgnlMsgID) == "" || ref(g.OrgnlMsgNmID) == "" {
		return nil
	}
	return g
}

// SetResult records the engine's result for transaction i.
func (in *Inbound) SetResult(i int, res *engine.Result) {
	st := &in.Report.TxInfAndSts[i]
	st.TxSts, st.StsRsnInf = ResultStatus(res)
	if res.Reason == engine.OK && res.Payment != 0 {
		st.ClrSysRef = strconv.FormatUint(res.Payment, 10)
	}
}

// SetRecorded records that transaction i repeats payment id, recorded in
// the history in state status (ending for reason): a message sent again
// after the payment left the engine's dedupe window.
func (in *Inbound) SetRecorded(i int, id uint64, status engine.Status, reason engine.Reason) {
	st := &in.Report.TxInfAndSts[i]
	st.TxSts, st.StsRsnInf = Status(status, reason)
	st.StsRsnInf = append(st.StsRsnInf, iso20022.ReasonInfo{AddtlInf: []string{duplicateInfo}})
	st.ClrSysRef = strconv.FormatUint(id, 10)
}

// SetRejected records an engine reason found before submission (a
// conflict with the settled history).
func (in *Inbound) SetRejected(i int, r engine.Reason) {
	st := &in.Report.TxInfAndSts[i]
	st.TxSts, st.StsRsnInf = iso20022.StatusRejected, []iso20022.ReasonInfo{rejection(r)}
}

// Finish completes the pacs.002: its header (msgID, now, and the caller as
// the instructed agent), the effective settlement date of settled
// transactions, and the group status: the transactions' common status, PART
// when some but not all are rejected, RJCT (with the first transaction's
// reason) when all are, PDNG when some are pending and none rejected.
func (in *Inbound) Finish(msgID string, now time.Time, caller string) *iso20022.StatusReport {
	r := in.Report
	r.MsgID, r.CreDtTm = msgID, now
	r.InstdAgt = &iso20022.Agent{BICFI: caller}
	today := iso20022.DateOf(now.UTC())
	counts := map[iso20022.Status]int{}
	var order []iso20022.Status
	for i := range r.TxInfAndSts {
		st := &r.TxInfAndSts[i]
		if st.TxSts == "" {
			// INVARIANT: every command has a result by now; a gap is a bug,
			// reported as Mutua's fault rather than left without status.
			st.TxSts, st.StsRsnInf = iso20022.StatusRejected, []iso20022.ReasonInfo{rejection(engine.Malformed)}
		}
		if st.TxSts == iso20022.StatusSettled {
			st.FctvIntrBkSttlmDt = today
		}
		if counts[st.TxSts] == 0 {
			order = append(order, st.TxSts)
		}
		counts[st.TxSts]++
	}
	if len(r.OrgnlGrpInfAndSts) == 0 || len(r.TxInfAndSts) == 0 {
		return r
	}
	g := &r.OrgnlGrpInfAndSts[0]
	g.GrpSts, g.StsRsnInf, g.NbOfTxsPerSts = "", nil, nil
	n := len(r.TxInfAndSts)
	switch {
	case counts[iso20022.StatusRejected] == n:
		g.GrpSts = iso20022.StatusRejected
		for _, ri := range r.TxInfAndSts[0].StsRsnInf {
			if !ri.Rsn.IsZero() {
				g.StsRsnInf = []iso20022.ReasonInfo{ri}
				break
			}
		}
	case counts[iso20022.StatusRejected] > 0:
		g.GrpSts = iso20022.StatusPartial
	case len(order) == 1 && order[0] != StatusCancelled:
		g.GrpSts = order[0]
	case counts[iso20022.StatusPending] > 0:
		g.GrpSts = iso20022.StatusPending
	}
	if n > 1 {
		for _, s := range order {
			g.NbOfTxsPerSts = append(g.NbOfTxsPerSts, iso20022.StatusCount{DtldNbOfTxs: counts[s], DtldSts: s})
		}
	}
	return r
}
