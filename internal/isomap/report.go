package isomap

import (
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"time"

	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/history"
	"github.com/mutua-org/mutua/internal/iso20022"
	"github.com/mutua-org/mutua/internal/ledger"
	"github.com/mutua-org/mutua/internal/money"
)

// Source is what outbound messages read besides a statement: recorded
// payments, and who holds an account.
type Source interface {
	Payment(id uint64) (history.Payment, bool, error)
	// Owner returns the participant holding ledger account a.
	Owner(a ledger.AccountID) engine.Participant
}

// Report describes one camt.052 intraday report, camt.053 statement or
// camt.054 notification of one account.
type Report struct {
	Kind     iso20022.ReportKind
	MsgID    string
	Now      time.Time
	Owner    engine.Participant
	Currency money.Currency
	// Statement holds the entries booked in [FromNs, ToNs) and the booked
	// balances before and after them.
	Statement history.Statement
}

// ErrBalanceTooLarge means a balance has more digits than an ISO 20022
// amount may (18).
var ErrBalanceTooLarge = errors.New("isomap: balance too large for an ISO 20022 amount")

// amountMax is the largest ISO 20022 amount in minor units: 18 digits.
const amountMax = 999_999_999_999_999_999

// AccountID is the account identification Mutua reports: the owner's id
// and the currency, under the proprietary scheme MUTUA.
func AccountID(owner, currency string) iso20022.Account {
	return iso20022.Account{Othr: &iso20022.GenericID{ID: owner + "-" + currency, SchmeNm: iso20022.Code{Prtry: "MUTUA"}}, Ccy: currency}
}

// Build renders r as an account report: opening and closing (camt.053) or
// interim (camt.052) booked balances, and one booked entry per posting
// with its payment's references, parties, agents and remittance. The
// balances reconcile with the entries because the history keeps the
// balance after every entry; the codec checks it again.
func (r *Report) Build(src Source) (*iso20022.AccountReport, error) {
	st := &r.Statement
	code := r.Currency.Code
	from := time.Unix(0, st.FromNs).UTC()
	last := time.Unix(0, st.ToNs-1).UTC() // FrToDt is inclusive
	day := iso20022.DateOf(from)
	out := &iso20022.AccountReport{
		Kind:     r.Kind,
		MsgID:    r.MsgID,
		CreDtTm:  r.Now,
		Acct:     AccountID(r.Owner.ID, code),
		AcctOwnr: &iso20022.Party{Nm: r.Owner.Name, OrgID: &iso20022.OrgID{AnyBIC: r.Owner.ID, LEI: r.Owner.LEI}},
	}
	stamp := r.Owner.ID + "-" + code + "-" + from.Format("20060102")
	switch r.Kind {
	case iso20022.Statement:
		out.ID = stamp
		out.FrToDt = &iso20022.Period{FrDtTm: from, ToDtTm: last}
	case iso20022.IntradayReport:
		out.ID = stamp + "-" + last.Format("150405")
		out.FrToDt = &iso20022.Period{FrDtTm: from, ToDtTm: last}
	default:
		out.ID = r.MsgID
	}
	if r.Kind != iso20022.Notification {
		opening, err := signed64(st.OpeningNeg, st.Opening)
		if err != nil {
			return nil, err
		}
		closing, err := signed64(st.ClosingNeg, st.Closing)
		if err != nil {
			return nil, err
		}
		out.Bal = []iso20022.Balance{{Tp: "OPBD", Amt: opening, Dt: day}}
		if r.Kind == iso20022.Statement {
			out.Bal = append(out.Bal, iso20022.Balance{Tp: "CLBD", Amt: closing, Dt: day})
		} else {
			out.Bal = append(out.Bal, iso20022.Balance{Tp: "ITBD", Amt: closing, DtTm: last})
		}
	}
	for i := range st.Entries {
		e := &st.Entries[i]
		n, err := r.entry(src, e, strconv.FormatUint(e.Index, 10)+"."+strconv.Itoa(e.N))
		if err != nil {
			return nil, err
		}
		out.Ntry = append(out.Ntry, n)
	}
	return out, nil
}

// signed64 converts a history balance to signed minor units.
func signed64(neg bool, v money.Uint128) (int64, error) {
	if v.Hi != 0 || v.Lo > amountMax {
		return 0, ErrBalanceTooLarge
	}
	if neg {
		return -int64(v.Lo), nil
	}
	return int64(v.Lo), nil
}

// entry renders one booked posting. NtryRef is "<log index>.<n>", n
// counting the account's entries in that log entry: unique and stable.
// AcctSvcrRef and ClrSysRef are the payment id of the JSON API.
func (r *Report) entry(src Source, e *history.Entry, ntryRef string) (iso20022.Entry, error) {
	code := r.Currency.Code
	booked := time.Unix(0, e.BookedNs).UTC()
	ind := iso20022.Debit
	from, to := r.Owner, src.Owner(e.Counterparty)
	if e.Credit {
		ind = iso20022.Credit
		from, to = to, from
	}
	id := strconv.FormatUint(e.Payment, 10)
	n := iso20022.Entry{
		NtryRef:     ntryRef,
		Amt:         iso20022.Amount{Value: e.Amount, Currency: code},
		CdtDbtInd:   ind,
		Sts:         "BOOK",
		BookgDtTm:   booked,
		ValDt:       iso20022.DateOf(booked),
		AcctSvcrRef: id,
	}
	p, found, err := src.Payment(e.Payment)
	if err != nil {
		return n, err
	}
	kind := e.Kind
	var c *engine.Command
	if found {
		c = &p.Command
		kind = c.Kind
	}
	n.BkTxCd = bankTxCode(kind, e.Credit, from.Country != to.Country)
	tx := iso20022.EntryTx{
		ClrSysRef: id,
		Amt:       &iso20022.Amount{Value: e.Amount, Currency: code},
		CdtDbtInd: ind,
		InstgAgt:  &iso20022.Agent{BICFI: from.ID},
		InstdAgt:  &iso20022.Agent{BICFI: to.ID},
		Dbtr:      &iso20022.Party{FI: &iso20022.Agent{BICFI: from.ID, Nm: from.Name}},
		Cdtr:      &iso20022.Party{FI: &iso20022.Agent{BICFI: to.ID, Nm: to.Name}},
	}
	if c != nil {
		tx.EndToEndID = ref(c.EndToEndID)
		if c.UETR != [16]byte{} {
			tx.UETR = FormatUUID(c.UETR)
		}
		// NB: a linked batch's command names every leg; only this entry's
		// counterparty is shown, from the entry itself.
		switch kind {
		case engine.KindPay, engine.KindReserve:
			if c.DebtorName != "" {
				tx.Dbtr = &iso20022.Party{Nm: c.DebtorName}
			}
			if c.CreditorName != "" {
				tx.Cdtr = &iso20022.Party{Nm: c.CreditorName}
			}
			if c.Remittance != "" {
				tx.RmtInf = &iso20022.Remittance{Ustrd: []string{c.Remittance}}
			}
		case engine.KindReturn:
			tx.AddtlTxInf = "return of payment " + strconv.FormatUint(c.PendingID, 10) + ": " + c.Remittance
		case engine.KindFund, engine.KindDefund:
			if c.Remittance != "" {
				tx.RmtInf = &iso20022.Remittance{Ustrd: []string{c.Remittance}}
			}
		}
	}
	n.TxDtls = []iso20022.EntryTx{tx}
	return n, nil
}

// bankTxCode classifies an entry by ISO bank transaction code: payments
// are issued (debit) or received (credit) credit transfers, cross-border
// (XBCT) or domestic (DMCT) by the participants' countries; returns are
// reversals due to a payment return (RRTN); funding, defunding and linked
// batches are financial institution transfers (FICT) with a proprietary
// code saying which.
func bankTxCode(kind engine.Kind, credit, crossBorder bool) iso20022.BankTxCode {
	b := iso20022.BankTxCode{Domn: "PMNT", Fmly: "ICDT"}
	if credit {
		b.Fmly = "RCDT"
	}
	switch kind {
	case engine.KindReturn:
		b.SubFmlyCd = "RRTN"
	case engine.KindFund, engine.KindDefund, engine.KindLinked:
		b.SubFmlyCd, b.PrtryIssr = "FICT", "MUTUA"
		b.Prtry = map[engine.Kind]string{engine.KindFund: "FUND", engine.KindDefund: "DFND", engine.KindLinked: "LINK"}[kind]
	default:
		b.SubFmlyCd = "DMCT"
		if crossBorder {
			b.SubFmlyCd = "XBCT"
		}
	}
	return b
}

// PaymentStatuses builds a pacs.002 with the current status of payments the
// caller sent: payments by UETR and end-to-end id, returns by RtrId (as
// OrgnlTxId) and the returned payment's UETR. ClrSysRef is the payment id.
// A report that spans several inbound messages has no original group.
func PaymentStatuses(msgID string, now time.Time, caller string, ps []history.Payment, src Source) (*iso20022.StatusReport, error) {
	r := &iso20022.StatusReport{MsgID: msgID, CreDtTm: now, InstdAgt: &iso20022.Agent{BICFI: caller}}
	for i := range ps {
		p := &ps[i]
		c := &p.Command
		st := iso20022.TxStatus{ClrSysRef: strconv.FormatUint(p.ID, 10), AccptncDtTm: time.Unix(0, p.CreatedNs).UTC()}
		st.TxSts, st.StsRsnInf = Status(p.Status, p.Reason)
		if st.TxSts == iso20022.StatusSettled {
			st.FctvIntrBkSttlmDt = iso20022.DateOf(time.Unix(0, p.UpdatedNs).UTC())
		}
		if c.Kind == engine.KindReturn {
			st.OrgnlTxID = ref(c.EndToEndID)
			o, found, err := src.Payment(c.PendingID)
			if err != nil {
				return nil, err
			}
			if found {
				st.OrgnlEndToEndID = ref(o.Command.EndToEndID)
				st.OrgnlUETR = FormatUUID(o.Command.UETR)
			}
		} else {
			st.OrgnlEndToEndID = ref(c.EndToEndID)
			if c.UETR != [16]byte{} {
				st.OrgnlUETR = FormatUUID(c.UETR)
			}
		}
		r.TxInfAndSts = append(r.TxInfAndSts, st)
	}
	return r, nil
}

// Returns builds a pacs.004 telling the caller, the payer of the original
// payments, of returns that settled to it. The history does not keep the
// original message's group: OrgnlGrpInf says NONREF, and the original is
// named by its UETR and end-to-end id. The return reason is the one the
// returning participant gave.
func Returns(msgID string, now time.Time, caller string, rets []history.Payment, src Source) (*iso20022.PaymentReturn, error) {
	r := &iso20022.PaymentReturn{GrpHdr: iso20022.GroupHeader{
		MsgID: msgID, CreDtTm: now, NbOfTxs: len(rets),
		SttlmInf: iso20022.SettlementInfo{SttlmMtd: "CLRG"},
		InstdAgt: &iso20022.Agent{BICFI: caller},
	}}
	var total uint64
	totalOK := true
	currency := ""
	for i := range rets {
		p := &rets[i]
		c := &p.Command
		o, found, err := src.Payment(c.PendingID)
		if err != nil {
			return nil, err
		}
		if !found || c.Kind != engine.KindReturn {
			return nil, fmt.Errorf("isomap: return %d: no original payment %d", p.ID, c.PendingID)
		}
		cur := o.Command.Currency
		tx := iso20022.ReturnTx{
			RtrID:               ref(c.EndToEndID),
			OrgnlGrpInf:         &iso20022.OriginalGroup{OrgnlMsgID: iso20022.NonRef, OrgnlMsgNmID: iso20022.NonRef},
			OrgnlEndToEndID:     ref(o.Command.EndToEndID),
			OrgnlUETR:           FormatUUID(o.Command.UETR),
			OrgnlIntrBkSttlmAmt: &iso20022.Amount{Value: uint64(o.Command.Amount), Currency: cur},
			OrgnlIntrBkSttlmDt:  iso20022.DateOf(time.Unix(0, o.UpdatedNs).UTC()),
			RtrdIntrBkSttlmAmt:  iso20022.Amount{Value: uint64(c.Amount), Currency: cur},
			IntrBkSttlmDt:       iso20022.DateOf(time.Unix(0, p.CreatedNs).UTC()),
			ClrSysRef:           strconv.FormatUint(p.ID, 10),
			InstgAgt:            &iso20022.Agent{BICFI: p.From},
			InstdAgt:            &iso20022.Agent{BICFI: p.To},
			RtrRsnInf:           []iso20022.ReasonInfo{ReturnReason(c.Remittance)},
		}
		if tx.RtrID == "" {
			tx.RtrID = "MUTUA-" + strconv.FormatUint(p.ID, 10)
		}
		if i == 0 {
			currency = cur
		} else if cur != currency {
			currency = "" // a total needs one currency
		}
		sum, carry := bits.Add64(total, uint64(c.Amount), 0)
		total, totalOK = sum, totalOK && carry == 0
		r.Txs = append(r.Txs, tx)
	}
	if currency != "" && totalOK && total <= amountMax {
		r.GrpHdr.TtlIntrBkSttlmAmt = &iso20022.Amount{Value: total, Currency: currency}
	}
	return r, nil
}
