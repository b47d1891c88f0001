package iso20022

import (
	"strconv"
	"time"

	"github.com/mutua-org/mutua/internal/money"
)

// reportNames gives, per report kind, the element holding one account's
// report and the name of its additional-information element.
var reportNames = map[ReportKind][2]string{
	IntradayReport: {"Rpt", "AddtlRptInf"},
	Statement:      {"Stmt", "AddtlStmtInf"},
	Notification:   {"Ntfctn", "AddtlNtfctnInf"},
}

// accountReport decodes BkToCstmrAcctRpt, BkToCstmrStmt or
// BkToCstmrDbtCdtNtfctn holding one account report.
func (p *parser) accountReport(n int32, kind ReportKind) *AccountReport {
	r := &AccountReport{Kind: kind}
	names := reportNames[kind]
	hasHdr, body := false, int32(-1)
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "GrpHdr":
			hasHdr = true
			p.plainHeader(c, headerRefs{msgID: &r.MsgID, creDtTm: &r.CreDtTm})
		case names[0]:
			if body >= 0 {
				p.errAt(c, RuleTooMany, ReasonElementNotAdmitted, "Mutua reads one %s per message", names[0])
				continue
			}
			body = c
		default:
			p.other(c, "BankToCustomerAccountReportV|BankToCustomerStatementV|BankToCustomerDebitCreditNotificationV")
		}
	}
	if !hasHdr {
		p.missing(n, "GrpHdr", "")
	}
	if body < 0 {
		p.missing(n, names[0], "")
		return r
	}
	hasAcct := false
	for c := p.t.nodes[body].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "Id":
			p.str(&r.ID, c, max35)
		case "ElctrncSeqNb":
			p.seqNb(&r.ElctrncSeqNb, c)
		case "LglSeqNb":
			p.seqNb(&r.LglSeqNb, c)
		case "FrToDt":
			r.FrToDt = &Period{}
			for k := p.t.nodes[c].first; k >= 0; k = p.t.nodes[k].next {
				switch p.t.name(k) {
				case "FrDtTm":
					p.dateTime(&r.FrToDt.FrDtTm, k)
				case "ToDtTm":
					p.dateTime(&r.FrToDt.ToDtTm, k)
				default:
					p.other(k, "DateTimePeriod")
				}
			}
		case "Acct":
			hasAcct = true
			acct := p.account(c, ReasonIncorrectAccount)
			r.Acct = *acct
			for k := p.t.nodes[c].first; k >= 0; k = p.t.nodes[k].next {
				switch p.t.name(k) {
				case "Ownr":
					r.AcctOwnr = p.party(k, ReasonInvalidPartyID)
				case "Svcr":
					r.AcctSvcr = p.agent(k, ReasonBankIdentifier)
				}
			}
		case "Bal":
			if kind == Notification {
				p.errAt(c, RuleVersion, ReasonElementNotAdmitted, "a camt.054 has no balances")
				continue
			}
			r.Bal = append(r.Bal, p.balance(c))
		case "Ntry":
			p.tx = len(r.Ntry) + 1
			r.Ntry = append(r.Ntry, p.entry(c))
			p.tx = 0
		default:
			p.other(c, "AccountReport|AccountStatement|AccountNotification")
		}
	}
	if r.ID == "" && !p.hasChild(body, "Id") {
		p.missing(body, "Id", "")
	}
	if !hasAcct {
		p.missing(body, "Acct", ReasonIncorrectAccount)
	}
	if kind == Statement && len(r.Bal) == 0 && !p.hasChild(body, "Bal") {
		p.missing(body, "Bal", "")
	}
	p.checkReport(body, r)
	return r
}

func (p *parser) seqNb(dst *string, n int32) {
	if p.str(dst, n, 18) && !validNumeric(*dst, 18) {
		p.errAt(n, RulePattern, ReasonElementContent, "%q is not a whole number of at most 18 digits", *dst)
	}
}

func (p *parser) balance(n int32) Balance {
	var b Balance
	var amt Amount
	var cdt string
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "Tp":
			var code Code
			p.cdOrPrtry(&code, c)
			b.Tp = code.Cd
			if b.Tp == "" {
				b.Tp = code.Prtry
			}
		case "Amt":
			p.amount(&amt, c, false)
		case "CdtDbtInd":
			p.enum(&cdt, c, "", "CRDT", "DBIT")
		case "Dt":
			p.dateOrDateTime(&b.Dt, &b.DtTm, c)
		default:
			p.other(c, "CashBalance")
		}
	}
	if b.Tp == "" && !p.hasChild(n, "Tp") {
		p.missing(n, "Tp", "")
	}
	if amt.Currency == "" && !p.hasChild(n, "Amt") {
		p.missing(n, "Amt", ReasonInvalidAmount)
	}
	if cdt == "" && !p.hasChild(n, "CdtDbtInd") {
		p.missing(n, "CdtDbtInd", "")
	}
	if b.Dt.IsZero() && b.DtTm.IsZero() && !p.hasChild(n, "Dt") {
		p.missing(n, "Dt", ReasonInvalidDate)
	}
	b.Amt = int64(amt.Value) // INVARIANT: amount() caps values below 10^18.
	if cdt == "DBIT" {
		b.Amt = -b.Amt
	}
	return b
}

// dateOrDateTime decodes a DateAndDateTime2Choice.
func (p *parser) dateOrDateTime(d *Date, t *time.Time, n int32) {
	count := 0
	for k := p.t.nodes[n].first; k >= 0; k = p.t.nodes[k].next {
		switch p.t.name(k) {
		case "Dt":
			count++
			p.date(d, k)
		case "DtTm":
			count++
			p.dateTime(t, k)
		}
	}
	if count != 1 {
		p.errAt(n, RuleChoice, ReasonInvalidDate, "%s needs exactly one of Dt and DtTm", p.t.name(n))
	}
}

func (p *parser) entry(n int32) Entry {
	var e Entry
	var cdt string
	var has struct{ amt, sts, bkTxCd bool }
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "NtryRef":
			p.str(&e.NtryRef, c, max35)
		case "Amt":
			has.amt = true
			p.amount(&e.Amt, c, false)
		case "CdtDbtInd":
			p.enum(&cdt, c, "", "CRDT", "DBIT")
		case "RvslInd":
			var b string
			p.boolean(&b, c)
			e.RvslInd = b == "true" || b == "1"
		case "Sts":
			has.sts = true
			var code Code
			p.code(&code, c, max4, max35, ReasonElementContent)
			e.Sts = code.Cd
			if e.Sts == "" {
				e.Sts = code.Prtry
			}
		case "BookgDt":
			var d Date
			p.dateOrDateTime(&d, &e.BookgDtTm, c)
			if !d.IsZero() {
				e.BookgDtTm = time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
			}
		case "ValDt":
			var t time.Time
			p.dateOrDateTime(&e.ValDt, &t, c)
			if !t.IsZero() {
				e.ValDt = DateOf(t)
			}
		case "AcctSvcrRef":
			p.str(&e.AcctSvcrRef, c, max35)
		case "BkTxCd":
			has.bkTxCd = true
			p.bankTxCode(&e.BkTxCd, c)
		case "NtryDtls":
			for k := p.t.nodes[c].first; k >= 0; k = p.t.nodes[k].next {
				if p.t.name(k) == "TxDtls" {
					e.TxDtls = append(e.TxDtls, p.entryTx(k))
				}
			}
		case "AddtlNtryInf":
			p.str(&e.AddtlInf, c, max500)
		default:
			p.other(c, "ReportEntry")
		}
	}
	e.CdtDbtInd = CreditDebit(cdt)
	if !has.amt {
		p.missing(n, "Amt", ReasonInvalidAmount)
	}
	if cdt == "" && !p.hasChild(n, "CdtDbtInd") {
		p.missing(n, "CdtDbtInd", "")
	}
	if !has.sts {
		p.missing(n, "Sts", "")
	}
	if !has.bkTxCd {
		p.missing(n, "BkTxCd", "")
	}
	return e
}

func (p *parser) bankTxCode(b *BankTxCode, n int32) {
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "Domn":
			for k := p.t.nodes[c].first; k >= 0; k = p.t.nodes[k].next {
				switch p.t.name(k) {
				case "Cd":
					p.extCode(&b.Domn, k, max4, ReasonElementContent)
				case "Fmly":
					for j := p.t.nodes[k].first; j >= 0; j = p.t.nodes[j].next {
						switch p.t.name(j) {
						case "Cd":
							p.extCode(&b.Fmly, j, max4, ReasonElementContent)
						case "SubFmlyCd":
							p.extCode(&b.SubFmlyCd, j, max4, ReasonElementContent)
						default:
							p.other(j, "BankTransactionCodeStructure")
						}
					}
				default:
					p.other(k, "BankTransactionCodeStructure")
				}
			}
			if b.Domn == "" || b.Fmly == "" || b.SubFmlyCd == "" {
				p.errAt(c, RuleRequired, ReasonRequiredMissing, "Domn needs Cd, Fmly/Cd and Fmly/SubFmlyCd")
			}
		case "Prtry":
			for k := p.t.nodes[c].first; k >= 0; k = p.t.nodes[k].next {
				switch p.t.name(k) {
				case "Cd":
					p.str(&b.Prtry, k, max35)
				case "Issr":
					p.str(&b.PrtryIssr, k, max35)
				default:
					p.other(k, "ProprietaryBankTransactionCodeStructure")
				}
			}
		default:
			p.other(c, "BankTransactionCodeStructure")
		}
	}
}

func (p *parser) entryTx(n int32) EntryTx {
	var t EntryTx
	var cdt string
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "Refs":
			for k := p.t.nodes[c].first; k >= 0; k = p.t.nodes[k].next {
				switch p.t.name(k) {
				case "MsgId":
					p.str(&t.MsgID, k, max35)
				case "AcctSvcrRef":
					p.str(&t.AcctSvcrRef, k, max35)
				case "InstrId":
					p.str(&t.InstrID, k, max35)
				case "EndToEndId":
					p.str(&t.EndToEndID, k, max35)
				case "UETR":
					p.uetr(&t.UETR, k)
				case "TxId":
					p.str(&t.TxID, k, max35)
				case "ClrSysRef":
					p.str(&t.ClrSysRef, k, max35)
				default:
					p.other(k, "TransactionReferences")
				}
			}
		case "Amt":
			var a Amount
			if p.amount(&a, c, false) {
				t.Amt = &a
			}
		case "CdtDbtInd":
			p.enum(&cdt, c, "", "CRDT", "DBIT")
		case "RltdPties":
			for k := p.t.nodes[c].first; k >= 0; k = p.t.nodes[k].next {
				switch p.t.name(k) {
				case "Dbtr":
					pt := p.partyChoice(k, "Pty", "Agt")
					t.Dbtr = &pt
				case "DbtrAcct":
					t.DbtrAcct = p.account(k, ReasonInvalidDebtorAccount)
				case "Cdtr":
					pt := p.partyChoice(k, "Pty", "Agt")
					t.Cdtr = &pt
				case "CdtrAcct":
					t.CdtrAcct = p.account(k, ReasonInvalidCreditorAcct)
				default:
					p.other(k, "TransactionParties")
				}
			}
		case "RltdAgts":
			for k := p.t.nodes[c].first; k >= 0; k = p.t.nodes[k].next {
				switch p.t.name(k) {
				case "InstgAgt":
					t.InstgAgt = p.agent(k, ReasonBankIdentifier)
				case "InstdAgt":
					t.InstdAgt = p.agent(k, ReasonBankIdentifier)
				case "DbtrAgt":
					t.DbtrAgt = p.agent(k, ReasonBankIdentifier)
				case "CdtrAgt":
					t.CdtrAgt = p.agent(k, ReasonBankIdentifier)
				default:
					p.other(k, "TransactionAgents")
				}
			}
		case "RmtInf":
			t.RmtInf = p.remittance(c)
		case "AddtlTxInf":
			p.str(&t.AddtlTxInf, c, max500)
		default:
			p.other(c, "EntryTransaction")
		}
	}
	t.CdtDbtInd = CreditDebit(cdt)
	return t
}

// checkReport checks currencies against the account, the transaction
// summary if present, and that booked balances reconcile with the booked
// entries: opening + credits - debits = closing, exactly.
func (p *parser) checkReport(body int32, r *AccountReport) {
	ccy := r.Acct.Ccy
	var credits, debits money.Uint128
	var nCredits, nDebits int
	i := 0
	for c := p.t.nodes[body].first; c >= 0; c = p.t.nodes[c].next {
		if p.t.name(c) != "Ntry" {
			continue
		}
		e := &r.Ntry[i]
		i++
		if ccy != "" && e.Amt.Currency != "" && e.Amt.Currency != ccy {
			p.tx = i
			p.errAt(p.child(c, "Amt"), RuleConsistency, ReasonInvalidCurrency, "entry in %s on a %s account", e.Amt.Currency, ccy)
			p.tx = 0
		}
		switch e.CdtDbtInd {
		case Credit:
			nCredits++
			if e.Sts == "BOOK" {
				credits, _ = credits.Add64(e.Amt.Value)
			}
		case Debit:
			nDebits++
			if e.Sts == "BOOK" {
				debits, _ = debits.Add64(e.Amt.Value)
			}
		}
	}
	var opening, closing *Balance
	closingAt := int32(-1)
	i = 0
	for c := p.t.nodes[body].first; c >= 0; c = p.t.nodes[c].next {
		if p.t.name(c) != "Bal" {
			continue
		}
		b := &r.Bal[i]
		i++
		if ccy != "" {
			if v, ok := p.t.attr(p.child(c, "Amt"), "Ccy"); ok && v != ccy {
				p.errAt(p.child(c, "Amt"), RuleConsistency, ReasonInvalidCurrency, "balance in %s on a %s account", v, ccy)
			}
		}
		switch {
		case b.Tp == "OPBD":
			if opening != nil {
				p.errAt(c, RuleRepeated, ReasonElementContent, "more than one OPBD balance")
			}
			opening = b
		case b.Tp == "CLBD" || b.Tp == "ITBD" && r.Kind == IntradayReport:
			if closing != nil {
				p.errAt(c, RuleRepeated, ReasonElementContent, "more than one closing (CLBD or ITBD) balance")
			}
			closing, closingAt = b, c
		}
	}
	if r.Kind == Statement {
		if opening == nil {
			p.errAt(body, RuleRequired, ReasonRequiredMissing, "a statement needs an OPBD balance")
		}
		if closing == nil {
			p.errAt(body, RuleRequired, ReasonRequiredMissing, "a statement needs a CLBD balance")
		}
	}
	if opening != nil && closing != nil {
		// opening + credits - debits == closing, with signs moved so that
		// every term is a non-negative 128-bit sum.
		left, right := credits, debits
		left = addSigned(left, opening.Amt, true)
		right = addSigned(right, opening.Amt, false)
		right = addSigned(right, closing.Amt, true)
		left = addSigned(left, closing.Amt, false)
		if left != right {
			p.errAt(closingAt, RuleReconcile, ReasonWrongAmount,
				"opening balance %d + credits %s - debits %s does not equal closing balance %d (minor units)",
				opening.Amt, credits, debits, closing.Amt)
		}
	}
	if s := p.child(body, "TxsSummry"); s != body {
		p.checkSummary(s, r, ccy, nCredits, nDebits)
	}
}

// addSigned adds the positive part of v (positive) or the magnitude of its
// negative part (!positive) to u.
func addSigned(u money.Uint128, v int64, positive bool) money.Uint128 {
	switch {
	case positive && v > 0:
		u, _ = u.Add64(uint64(v))
	case !positive && v < 0:
		u, _ = u.Add64(uint64(-v))
	}
	return u
}

// checkSummary checks TxsSummry totals against the entries. NB: the
// summary counts entries of every status, as its sums do.
func (p *parser) checkSummary(n int32, r *AccountReport, ccy string, nCredits, nDebits int) {
	var all, cr, db money.Uint128
	for _, e := range r.Ntry {
		all, _ = all.Add64(e.Amt.Value)
		switch e.CdtDbtInd {
		case Credit:
			cr, _ = cr.Add64(e.Amt.Value)
		case Debit:
			db, _ = db.Add64(e.Amt.Value)
		}
	}
	exp := uint8(2)
	if cur, ok := money.Lookup(ccy); ok {
		exp = cur.Exponent
	} else if len(r.Ntry) > 0 {
		if cur, ok := money.Lookup(r.Ntry[0].Amt.Currency); ok {
			exp = cur.Exponent
		}
	}
	check := func(k int32, name string, count int, sum money.Uint128) {
		for j := p.t.nodes[k].first; j >= 0; j = p.t.nodes[j].next {
			switch p.t.name(j) {
			case "NbOfNtries":
				var s string
				if p.numeric(&s, j) && atoi(s) != count {
					p.errAt(j, RuleNbOfTxs, ReasonInvalidNumberOfTxs, "%s/NbOfNtries is %s but there are %d", name, s, count)
				}
			case "Sum":
				var s string
				p.decimal(&s, j, 18, 17)
				if s != "" && !decimalEquals(s, sum, exp) {
					p.errAt(j, RuleCtrlSum, ReasonInvalidControlSum, "%s/Sum %s is not the sum of the entries", name, s)
				}
			default:
				p.other(j, "NumberAndSumOfTransactions")
			}
		}
	}
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "TtlNtries":
			check(c, "TtlNtries", len(r.Ntry), all)
		case "TtlCdtNtries":
			check(c, "TtlCdtNtries", nCredits, cr)
		case "TtlDbtNtries":
			check(c, "TtlDbtNtries", nDebits, db)
		default:
			p.other(c, "TotalTransactions")
		}
	}
}

// decimalEquals reports whether decimal text s equals v minor units with
// exponent exp.
func decimalEquals(s string, v money.Uint128, exp uint8) bool {
	want, ok := decimalScaled(normalizeDecimal(s), int(exp))
	return ok && want.Cmp(v.Big()) == 0
}

// RenderAccountReport renders r as a camt.052.001.08, camt.053.001.08 or
// camt.054.001.08 according to r.Kind, with a transaction summary.
func RenderAccountReport(r *AccountReport) ([]byte, error) {
	var def MsgDef
	var root string
	switch r.Kind {
	case IntradayReport:
		def, root = IntradayDef, "BkToCstmrAcctRpt"
	case Statement:
		def, root = StatementDef, "BkToCstmrStmt"
	case Notification:
		def, root = NotificationDef, "BkToCstmrDbtCdtNtfctn"
	default:
		w := newWriter("")
		w.fail("unknown report kind %q", r.Kind)
		return nil, w.err
	}
	names := reportNames[r.Kind]
	w := newWriter(def)
	cur, ok := money.Lookup(r.Acct.Ccy)
	if !ok {
		w.fail("account currency %q is not an ISO 4217 currency", r.Acct.Ccy)
		return nil, w.err
	}
	w.open(root)
	w.open("GrpHdr")
	w.leaf("MsgId", r.MsgID)
	w.dateTime("CreDtTm", r.CreDtTm)
	w.close()
	w.open(names[0])
	w.leaf("Id", r.ID)
	w.leaf("ElctrncSeqNb", r.ElctrncSeqNb)
	w.leaf("LglSeqNb", r.LglSeqNb)
	if r.FrToDt != nil {
		w.open("FrToDt")
		w.dateTime("FrDtTm", r.FrToDt.FrDtTm)
		w.dateTime("ToDtTm", r.FrToDt.ToDtTm)
		w.close()
	}
	w.open("Acct")
	w.accountBody(&r.Acct)
	w.party("Ownr", r.AcctOwnr)
	w.agent("Svcr", r.AcctSvcr)
	w.close()
	if r.Kind == Notification && len(r.Bal) > 0 {
		w.fail("a camt.054 has no balances")
	}
	for _, b := range r.Bal {
		w.open("Bal")
		w.open("Tp")
		w.code("CdOrPrtry", codeOrPrtry(b.Tp))
		w.close()
		mag, cdt := uint64(b.Amt), Credit
		if b.Amt < 0 {
			mag, cdt = uint64(-b.Amt), Debit
		}
		if mag > amountValueMax {
			w.fail("balance %s of %d minor units has more than 18 digits", b.Tp, b.Amt)
		}
		w.amount("Amt", Amount{Value: mag, Currency: r.Acct.Ccy})
		w.leaf("CdtDbtInd", string(cdt))
		w.open("Dt")
		if !b.DtTm.IsZero() {
			w.dateTime("DtTm", b.DtTm)
		} else {
			w.date("Dt", b.Dt)
		}
		w.close()
		w.close()
	}
	w.summary(r, cur.Exponent)
	for _, e := range r.Ntry {
		w.entry(&e)
	}
	w.close()
	return w.finish()
}

// codeOrPrtry renders a code held as a plain string: as Cd if it has the
// shape of an ISO external code, else as Prtry.
func codeOrPrtry(s string) Code {
	if s == "" || len(s) > max4 {
		return Code{Prtry: s}
	}
	for i := 0; i < len(s); i++ {
		if !isUpperAlnum(s[i]) {
			return Code{Prtry: s}
		}
	}
	return Code{Cd: s}
}

// summary writes TxsSummry: entry counts and sums overall, credits and
// debits, and the net.
func (w *xmlWriter) summary(r *AccountReport, exp uint8) {
	if len(r.Ntry) == 0 {
		return
	}
	var all, cr, db money.Uint128
	var nc, nd int
	for _, e := range r.Ntry {
		all, _ = all.Add64(e.Amt.Value)
		if e.CdtDbtInd == Credit {
			cr, _ = cr.Add64(e.Amt.Value)
			nc++
		} else {
			db, _ = db.Add64(e.Amt.Value)
			nd++
		}
	}
	w.open("TxsSummry")
	w.open("TtlNtries")
	w.leaf("NbOfNtries", strconv.Itoa(len(r.Ntry)))
	w.leaf("Sum", money.FormatSigned(false, all, exp))
	net, dir := cr, Credit
	if cr.Cmp(db) < 0 {
		net, _ = db.Sub(cr)
		dir = Debit
	} else {
		net, _ = cr.Sub(db)
	}
	w.open("TtlNetNtry")
	w.leaf("Amt", money.FormatSigned(false, net, exp))
	w.leaf("CdtDbtInd", string(dir))
	w.close()
	w.close()
	for _, t := range []struct {
		name string
		n    int
		sum  money.Uint128
	}{{"TtlCdtNtries", nc, cr}, {"TtlDbtNtries", nd, db}} {
		if t.n == 0 {
			continue
		}
		w.open(t.name)
		w.leaf("NbOfNtries", strconv.Itoa(t.n))
		w.leaf("Sum", money.FormatSigned(false, t.sum, exp))
		w.close()
	}
	w.close()
}

func (w *xmlWriter) entry(e *Entry) {
	w.open("Ntry")
	w.leaf("NtryRef", e.NtryRef)
	w.amount("Amt", e.Amt)
	w.leaf("CdtDbtInd", string(e.CdtDbtInd))
	if e.RvslInd {
		w.leaf("RvslInd", "true")
	}
	w.code("Sts", codeOrPrtry(e.Sts))
	if !e.BookgDtTm.IsZero() {
		w.open("BookgDt")
		w.dateTime("DtTm", e.BookgDtTm)
		w.close()
	}
	if !e.ValDt.IsZero() {
		w.open("ValDt")
		w.date("Dt", e.ValDt)
		w.close()
	}
	w.leaf("AcctSvcrRef", e.AcctSvcrRef)
	w.open("BkTxCd")
	if b := e.BkTxCd; b.Domn != "" {
		w.open("Domn")
		w.leaf("Cd", b.Domn)
		w.open("Fmly")
		w.leaf("Cd", b.Fmly)
		w.leaf("SubFmlyCd", b.SubFmlyCd)
		w.close()
		w.close()
	}
	if b := e.BkTxCd; b.Prtry != "" {
		w.open("Prtry")
		w.leaf("Cd", b.Prtry)
		w.leaf("Issr", b.PrtryIssr)
		w.close()
	}
	w.close()
	if len(e.TxDtls) > 0 {
		w.open("NtryDtls")
		for i := range e.TxDtls {
			w.entryTx(&e.TxDtls[i])
		}
		w.close()
	}
	w.leaf("AddtlNtryInf", e.AddtlInf)
	w.close()
}

func (w *xmlWriter) entryTx(t *EntryTx) {
	w.open("TxDtls")
	if t.MsgID != "" || t.AcctSvcrRef != "" || t.InstrID != "" || t.EndToEndID != "" || t.UETR != "" || t.TxID != "" || t.ClrSysRef != "" {
		w.open("Refs")
		w.leaf("MsgId", t.MsgID)
		w.leaf("AcctSvcrRef", t.AcctSvcrRef)
		w.leaf("InstrId", t.InstrID)
		w.leaf("EndToEndId", t.EndToEndID)
		w.leaf("UETR", t.UETR)
		w.leaf("TxId", t.TxID)
		w.leaf("ClrSysRef", t.ClrSysRef)
		w.close()
	}
	w.optAmount("Amt", t.Amt)
	w.leaf("CdtDbtInd", string(t.CdtDbtInd))
	if t.Dbtr != nil || t.DbtrAcct != nil || t.Cdtr != nil || t.CdtrAcct != nil {
		w.open("RltdPties")
		w.partyChoice("Dbtr", t.Dbtr)
		w.account("DbtrAcct", t.DbtrAcct)
		w.partyChoice("Cdtr", t.Cdtr)
		w.account("CdtrAcct", t.CdtrAcct)
		w.close()
	}
	if t.InstgAgt != nil || t.InstdAgt != nil || t.DbtrAgt != nil || t.CdtrAgt != nil {
		w.open("RltdAgts")
		w.agent("InstgAgt", t.InstgAgt)
		w.agent("InstdAgt", t.InstdAgt)
		w.agent("DbtrAgt", t.DbtrAgt)
		w.agent("CdtrAgt", t.CdtrAgt)
		w.close()
	}
	w.remittance(t.RmtInf)
	w.leaf("AddtlTxInf", t.AddtlTxInf)
	w.close()
}
