package iso20022

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"time"

	"github.com/mutua-org/mutua/internal/money"
)

// Default versions of the messages Mutua renders. Each is the version that
// CBPR+ and the large market infrastructures (T2, CHAPS, Fedwire) adopted
// with the November 2022/2023 migrations, so every receiver parses it.
const (
	StatusReportDef  MsgDef = "pacs.002.001.10"
	PaymentReturnDef MsgDef = "pacs.004.001.09"
	IntradayDef      MsgDef = "camt.052.001.08"
	StatementDef     MsgDef = "camt.053.001.08"
	NotificationDef  MsgDef = "camt.054.001.08"
)

// xmlWriter writes an indented document, element by element, in schema
// order; the caller is responsible for the order, and the rendered message
// is parsed again before it is returned (see finish).
type xmlWriter struct {
	buf   bytes.Buffer
	stack []string
	def   MsgDef
	err   error
}

func newWriter(def MsgDef) *xmlWriter {
	w := &xmlWriter{def: def}
	w.buf.Grow(4096)
	w.buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	w.buf.WriteString(`<Document xmlns="` + def.Namespace() + `">`)
	w.stack = append(w.stack, "Document")
	return w
}

func (w *xmlWriter) indent() {
	w.buf.WriteByte('\n')
	for range w.stack {
		w.buf.WriteString("  ")
	}
}

func (w *xmlWriter) open(name string) {
	w.indent()
	w.buf.WriteString("<" + name + ">")
	w.stack = append(w.stack, name)
}

func (w *xmlWriter) close() {
	name := w.stack[len(w.stack)-1]
	w.stack = w.stack[:len(w.stack)-1]
	w.indent()
	w.buf.WriteString("</" + name + ">")
}

// leaf writes <name>text</name>, or nothing for an empty text.
func (w *xmlWriter) leaf(name, text string) {
	if text == "" {
		return
	}
	w.indent()
	w.buf.WriteString("<" + name + ">")
	// encoding/xml's escaper: &, <, >, quotes and line breaks.
	if err := xml.EscapeText(&w.buf, []byte(text)); err != nil && w.err == nil {
		w.err = err
	}
	w.buf.WriteString("</" + name + ">")
}

func (w *xmlWriter) leaves(name string, texts []string) {
	for _, t := range texts {
		w.leaf(name, t)
	}
}

func (w *xmlWriter) amount(name string, a Amount) {
	cur, ok := money.Lookup(a.Currency)
	if !ok {
		w.fail("%s: unknown currency %q", name, a.Currency)
		return
	}
	w.indent()
	w.buf.WriteString("<" + name + ` Ccy="` + a.Currency + `">`)
	w.buf.WriteString(money.FormatAmount(a.Value, cur.Exponent))
	w.buf.WriteString("</" + name + ">")
}

func (w *xmlWriter) optAmount(name string, a *Amount) {
	if a != nil {
		w.amount(name, *a)
	}
}

func (w *xmlWriter) date(name string, d Date) {
	if !d.IsZero() {
		w.leaf(name, d.String())
	}
}

func (w *xmlWriter) dateTime(name string, t time.Time) {
	if !t.IsZero() {
		w.leaf(name, formatDateTime(t))
	}
}

func (w *xmlWriter) fail(format string, args ...any) {
	if w.err == nil {
		w.err = fmt.Errorf("iso20022: render %s: "+format, append([]any{w.def}, args...)...)
	}
}

// finish closes the document and parses it back: a renderer never returns
// a message this package's own validator rejects.
func (w *xmlWriter) finish() ([]byte, error) {
	for len(w.stack) > 0 {
		w.close()
	}
	w.buf.WriteByte('\n')
	if w.err != nil {
		return nil, w.err
	}
	out := w.buf.Bytes()
	if _, errs := Parse(out); len(errs) > 0 {
		return nil, fmt.Errorf("iso20022: render %s: %w", w.def, errs)
	}
	return out, nil
}

func (w *xmlWriter) code(name string, c Code) {
	if c.IsZero() {
		return
	}
	w.open(name)
	w.leaf("Cd", c.Cd)
	w.leaf("Prtry", c.Prtry)
	w.close()
}

func (w *xmlWriter) agent(name string, a *Agent) {
	if a == nil {
		return
	}
	w.open(name)
	w.open("FinInstnId")
	w.leaf("BICFI", a.BICFI)
	if a.MmbID != "" || !a.ClrSysID.IsZero() {
		w.open("ClrSysMmbId")
		w.code("ClrSysId", a.ClrSysID)
		w.leaf("MmbId", a.MmbID)
		w.close()
	}
	w.leaf("LEI", a.LEI)
	w.leaf("Nm", a.Nm)
	w.postalAddress(a.PstlAdr)
	w.genericID("Othr", a.Othr)
	w.close()
	if a.BrnchID != "" {
		w.open("BrnchId")
		w.leaf("Id", a.BrnchID)
		w.close()
	}
	w.close()
}

func (w *xmlWriter) genericID(name string, g *GenericID) {
	if g == nil {
		return
	}
	w.open(name)
	w.leaf("Id", g.ID)
	w.code("SchmeNm", g.SchmeNm)
	w.leaf("Issr", g.Issr)
	w.close()
}

func (w *xmlWriter) postalAddress(a *PostalAddress) {
	if a == nil {
		return
	}
	gen23 := w.def.gen2023()
	if !gen23 && (a.CareOf != "" || a.UnitNb != "") {
		w.fail("CareOf and UnitNb need a 2023 schema version")
	}
	w.open("PstlAdr")
	if a.AdrTp != "" {
		w.open("AdrTp")
		w.leaf("Cd", a.AdrTp)
		w.close()
	}
	if gen23 {
		w.leaf("CareOf", a.CareOf)
	}
	w.leaf("Dept", a.Dept)
	w.leaf("SubDept", a.SubDept)
	w.leaf("StrtNm", a.StrtNm)
	w.leaf("BldgNb", a.BldgNb)
	w.leaf("BldgNm", a.BldgNm)
	w.leaf("Flr", a.Flr)
	if gen23 {
		w.leaf("UnitNb", a.UnitNb)
	}
	w.leaf("PstBx", a.PstBx)
	w.leaf("Room", a.Room)
	w.leaf("PstCd", a.PstCd)
	w.leaf("TwnNm", a.TwnNm)
	w.leaf("TwnLctnNm", a.TwnLctnNm)
	w.leaf("DstrctNm", a.DstrctNm)
	w.leaf("CtrySubDvsn", a.CtrySubDvsn)
	w.leaf("Ctry", a.Ctry)
	w.leaves("AdrLine", a.AdrLine)
	w.close()
}

func (w *xmlWriter) party(name string, p *Party) {
	if p == nil {
		return
	}
	w.open(name)
	w.partyBody(p)
	w.close()
}

func (w *xmlWriter) partyBody(p *Party) {
	w.leaf("Nm", p.Nm)
	w.postalAddress(p.PstlAdr)
	if p.OrgID != nil || p.PrvtID != nil {
		w.open("Id")
		if o := p.OrgID; o != nil {
			w.open("OrgId")
			w.leaf("AnyBIC", o.AnyBIC)
			w.leaf("LEI", o.LEI)
			for i := range o.Othr {
				w.genericID("Othr", &o.Othr[i])
			}
			w.close()
		} else {
			o := p.PrvtID
			w.open("PrvtId")
			if !o.BirthDt.IsZero() {
				w.open("DtAndPlcOfBirth")
				w.date("BirthDt", o.BirthDt)
				w.leaf("PrvcOfBirth", o.PrvcOfBirth)
				w.leaf("CityOfBirth", o.CityOfBirth)
				w.leaf("CtryOfBirth", o.CtryOfBirth)
				w.close()
			}
			for i := range o.Othr {
				w.genericID("Othr", &o.Othr[i])
			}
			w.close()
		}
		w.close()
	}
	w.leaf("CtryOfRes", p.CtryOfRes)
}

// partyChoice writes a Party40 choice: the agent if p.FI is set, else the
// party.
func (w *xmlWriter) partyChoice(name string, p *Party) {
	if p == nil {
		return
	}
	w.open(name)
	if p.FI != nil {
		w.agent("Agt", p.FI)
	} else {
		w.party("Pty", p)
	}
	w.close()
}

func (w *xmlWriter) account(name string, a *Account) {
	if a == nil {
		return
	}
	w.open(name)
	w.accountBody(a)
	w.close()
}

// accountBody writes the elements of a cash account, for account and for
// the Acct of a report, which adds Ownr and Svcr.
func (w *xmlWriter) accountBody(a *Account) {
	w.open("Id")
	if a.IBAN != "" {
		w.leaf("IBAN", a.IBAN)
	} else {
		w.genericID("Othr", a.Othr)
	}
	w.close()
	w.code("Tp", a.Tp)
	w.leaf("Ccy", a.Ccy)
	w.leaf("Nm", a.Nm)
}

func (w *xmlWriter) remittance(r *Remittance) {
	if r == nil {
		return
	}
	w.open("RmtInf")
	w.leaves("Ustrd", r.Ustrd)
	for _, s := range r.Strd {
		w.open("Strd")
		for _, d := range s.RfrdDocInf {
			w.open("RfrdDocInf")
			if !d.Tp.IsZero() {
				w.open("Tp")
				w.code("CdOrPrtry", d.Tp)
				w.close()
			}
			w.leaf("Nb", d.Nb)
			w.date("RltdDt", d.RltdDt)
			w.close()
		}
		if s.CdtrRef != "" || !s.CdtrRefTp.IsZero() {
			w.open("CdtrRefInf")
			if !s.CdtrRefTp.IsZero() {
				w.open("Tp")
				w.code("CdOrPrtry", s.CdtrRefTp)
				w.close()
			}
			w.leaf("Ref", s.CdtrRef)
			w.close()
		}
		w.leaves("AddtlRmtInf", s.AddtlRmtInf)
		w.close()
	}
	w.close()
}

func (w *xmlWriter) reasonInfo(name string, rs []ReasonInfo) {
	for _, r := range rs {
		w.open(name)
		w.party("Orgtr", r.Orgtr)
		w.code("Rsn", r.Rsn)
		w.leaves("AddtlInf", r.AddtlInf)
		w.close()
	}
}

func (w *xmlWriter) originalGroup(name string, g *OriginalGroup) {
	if g == nil {
		return
	}
	w.open(name)
	w.leaf("OrgnlMsgId", g.OrgnlMsgID)
	w.leaf("OrgnlMsgNmId", g.OrgnlMsgNmID)
	w.dateTime("OrgnlCreDtTm", g.OrgnlCreDtTm)
	w.close()
}

// originalRefs writes the original-payment references r has, in schema
// order.
func (w *xmlWriter) originalRefs(r originalRefs) {
	w.originalGroup("OrgnlGrpInf", *r.grpInf)
	w.leaf("OrgnlInstrId", *r.instrID)
	w.leaf("OrgnlEndToEndId", *r.endToEndID)
	w.leaf("OrgnlTxId", *r.txID)
	w.leaf("OrgnlUETR", *r.uetr)
	if r.clrSysRef != nil {
		w.leaf("OrgnlClrSysRef", *r.clrSysRef)
	}
	if r.amt != nil {
		w.optAmount("OrgnlIntrBkSttlmAmt", *r.amt)
	}
	if r.dt != nil {
		w.date("OrgnlIntrBkSttlmDt", *r.dt)
	}
}

// RenderStatusReport renders r as a pacs.002.001.10.
func RenderStatusReport(r *StatusReport) ([]byte, error) {
	w := newWriter(StatusReportDef)
	w.open("FIToFIPmtStsRpt")
	w.open("GrpHdr")
	w.leaf("MsgId", r.MsgID)
	w.dateTime("CreDtTm", r.CreDtTm)
	w.agent("InstgAgt", r.InstgAgt)
	w.agent("InstdAgt", r.InstdAgt)
	w.close()
	for _, g := range r.OrgnlGrpInfAndSts {
		w.open("OrgnlGrpInfAndSts")
		w.leaf("OrgnlMsgId", g.OrgnlMsgID)
		w.leaf("OrgnlMsgNmId", g.OrgnlMsgNmID)
		w.dateTime("OrgnlCreDtTm", g.OrgnlCreDtTm)
		w.leaf("OrgnlNbOfTxs", g.OrgnlNbOfTxs)
		w.leaf("OrgnlCtrlSum", g.OrgnlCtrlSum)
		w.leaf("GrpSts", string(g.GrpSts))
		w.reasonInfo("StsRsnInf", g.StsRsnInf)
		for _, c := range g.NbOfTxsPerSts {
			w.open("NbOfTxsPerSts")
			w.leaf("DtldNbOfTxs", strconv.Itoa(c.DtldNbOfTxs))
			w.leaf("DtldSts", string(c.DtldSts))
			w.leaf("DtldCtrlSum", c.DtldCtrlSum)
			w.close()
		}
		w.close()
	}
	for _, t := range r.TxInfAndSts {
		w.open("TxInfAndSts")
		w.leaf("StsId", t.StsID)
		w.originalRefs(t.originalRefs())
		w.leaf("TxSts", string(t.TxSts))
		w.reasonInfo("StsRsnInf", t.StsRsnInf)
		w.dateTime("AccptncDtTm", t.AccptncDtTm)
		if !t.FctvIntrBkSttlmDt.IsZero() {
			w.open("FctvIntrBkSttlmDt")
			w.date("Dt", t.FctvIntrBkSttlmDt)
			w.close()
		}
		w.leaf("AcctSvcrRef", t.AcctSvcrRef)
		w.leaf("ClrSysRef", t.ClrSysRef)
		w.agent("InstgAgt", t.InstgAgt)
		w.agent("InstdAgt", t.InstdAgt)
		w.close()
	}
	return w.finish()
}

// RenderPaymentReturn renders r as a pacs.004.001.09.
func RenderPaymentReturn(r *PaymentReturn) ([]byte, error) {
	w := newWriter(PaymentReturnDef)
	h := &r.GrpHdr
	if h.PmtTpInf != nil {
		w.fail("GrpHdr/PmtTpInf is not part of %s", PaymentReturnDef)
	}
	w.open("PmtRtr")
	w.open("GrpHdr")
	w.leaf("MsgId", h.MsgID)
	w.dateTime("CreDtTm", h.CreDtTm)
	w.leaf("NbOfTxs", strconv.Itoa(h.NbOfTxs))
	w.leaf("CtrlSum", h.CtrlSum)
	w.optAmount("TtlRtrdIntrBkSttlmAmt", h.TtlIntrBkSttlmAmt)
	w.date("IntrBkSttlmDt", h.IntrBkSttlmDt)
	w.settlementInfo(&h.SttlmInf)
	w.agent("InstgAgt", h.InstgAgt)
	w.agent("InstdAgt", h.InstdAgt)
	w.close()
	w.originalGroup("OrgnlGrpInf", r.OrgnlGrpInf)
	for _, t := range r.Txs {
		w.open("TxInf")
		w.leaf("RtrId", t.RtrID)
		w.originalRefs(t.originalRefs())
		w.amount("RtrdIntrBkSttlmAmt", t.RtrdIntrBkSttlmAmt)
		w.date("IntrBkSttlmDt", t.IntrBkSttlmDt)
		w.leaf("SttlmPrty", t.SttlmPrty)
		w.optAmount("RtrdInstdAmt", t.RtrdInstdAmt)
		w.leaf("ChrgBr", t.ChrgBr)
		w.leaf("ClrSysRef", t.ClrSysRef)
		w.agent("InstgAgt", t.InstgAgt)
		w.agent("InstdAgt", t.InstdAgt)
		w.reasonInfo("RtrRsnInf", t.RtrRsnInf)
		w.close()
	}
	return w.finish()
}

func (w *xmlWriter) settlementInfo(s *SettlementInfo) {
	w.open("SttlmInf")
	w.leaf("SttlmMtd", s.SttlmMtd)
	w.account("SttlmAcct", s.SttlmAcct)
	w.code("ClrSys", s.ClrSys)
	w.close()
}
