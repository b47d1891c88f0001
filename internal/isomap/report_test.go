package isomap

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/history"
	"github.com/mutua-org/mutua/internal/iso20022"
	"github.com/mutua-org/mutua/internal/ledger"
	"github.com/mutua-org/mutua/internal/money"
)

// fakeSource serves recorded payments and account owners.
type fakeSource struct {
	payments map[uint64]history.Payment
	owners   map[ledger.AccountID]engine.Participant
}

func (s *fakeSource) Payment(id uint64) (history.Payment, bool, error) {
	p, found := s.payments[id]
	return p, found, nil
}

func (s *fakeSource) Owner(a ledger.AccountID) engine.Participant { return s.owners[a] }

var (
	sbi  = engine.Participant{ID: "SBININBBXXX", Name: "State Bank of India", Country: "IN", LEI: "5493001KJTIIGC8Y1R12"}
	icic = engine.Participant{ID: "ICICINBBXXX", Name: "ICICI Bank", Country: "IN"}
	sabr = engine.Participant{ID: "SABRRUMMXXX", Name: "Sberbank", Country: "RU"}
	rbi  = engine.Participant{ID: "RBISINBBXXX", Name: "Reserve Bank of India", Country: "IN"}
	inr  = money.Currency{Code: "INR", Exponent: 2}
)

// reportFixture is SBI's INR account (ledger account 1) over one day:
// funded by the RBI, a payment to Sberbank, one from ICICI, a return to
// Sberbank, and a linked batch whose other legs SBI must not see.
func reportFixture(t *testing.T) (*fakeSource, history.Statement) {
	t.Helper()
	day := time.Date(2026, 3, 11, 0, 0, 0, 0, time.UTC)
	at := func(h int) int64 { return day.Add(time.Duration(h) * time.Hour).UnixNano() }
	uetr := mustUUID(t, "9fe0f849-8380-4d85-b6d2-59be0ddf8bdd")
	src := &fakeSource{
		payments: map[uint64]history.Payment{
			1: {ID: 1, Status: engine.StatusSettled, From: "RBISINBBXXX", To: "SBININBBXXX", Command: engine.Command{Kind: engine.KindFund, Participant: "SBININBBXXX", Currency: "INR", Amount: 500000, Remittance: "opening liquidity"}},
			2: {ID: 2, Status: engine.StatusSettled, From: "SBININBBXXX", To: "SABRRUMMXXX", Command: engine.Command{Kind: engine.KindPay, Participant: "SBININBBXXX", Payee: "SABRRUMMXXX", Currency: "INR", Amount: 125050,
				UETR: uetr, EndToEndID: "TSE-INV-88231", DebtorName: "Tata Steel Exports Ltd", CreditorName: "Severstal Trading LLC", Remittance: "Invoice SV-88231"}},
			3: {ID: 3, Status: engine.StatusSettled, From: "ICICINBBXXX", To: "SBININBBXXX", Command: engine.Command{Kind: engine.KindPay, Participant: "ICICINBBXXX", Payee: "SBININBBXXX", Currency: "INR", Amount: 70000}},
			4: {ID: 4, Status: engine.StatusSettled, From: "SBININBBXXX", To: "SABRRUMMXXX", Command: engine.Command{Kind: engine.KindReturn, Participant: "SBININBBXXX", PendingID: 9, Amount: 20000, EndToEndID: "RTN-1", Remittance: "AC04 closed"}},
			5: {ID: 5, Status: engine.StatusSettled, Command: engine.Command{Kind: engine.KindLinked, Transfers: []engine.TransferSpec{{Debit: "SBININBBXXX", Credit: "ICICINBBXXX", Currency: "INR", Amount: 1000}, {Debit: "SABRRUMMXXX", Credit: "RBISINBBXXX", Currency: "INR", Amount: 777}}}},
		},
		owners: map[ledger.AccountID]engine.Participant{0: rbi, 1: sbi, 2: sabr, 3: icic},
	}
	st := history.Statement{Account: 1, FromNs: day.UnixNano(), ToNs: day.Add(24 * time.Hour).UnixNano(), Opening: money.U128(0), Closing: money.U128(500000 - 125050 + 70000 - 20000 - 1000)}
	for _, e := range []history.Entry{
		{Counterparty: 0, Payment: 1, Kind: engine.KindFund, Credit: true, Amount: 500000, BookedNs: at(1), Index: 10, N: 1},
		{Counterparty: 2, Payment: 2, Kind: engine.KindPay, Amount: 125050, BookedNs: at(2), Index: 11, N: 1},
		{Counterparty: 3, Payment: 3, Kind: engine.KindPay, Credit: true, Amount: 70000, BookedNs: at(3), Index: 12, N: 1},
		{Counterparty: 2, Payment: 4, Kind: engine.KindReturn, Amount: 20000, BookedNs: at(3), Index: 12, N: 2},
		{Counterparty: 3, Payment: 5, Kind: engine.KindLinked, Amount: 1000, BookedNs: at(4), Index: 13, N: 1},
	} {
		e.Account = 1
		st.Entries = append(st.Entries, e)
	}
	return src, st
}

func TestReportBuild(t *testing.T) {
	src, st := reportFixture(t)
	now := time.Date(2026, 3, 12, 0, 0, 5, 0, time.UTC)
	r := &Report{Kind: iso20022.Statement, MsgID: "MUTUA-053-1", Now: now, Owner: sbi, Currency: inr, Statement: st}
	ar, err := r.Build(src)
	if err != nil {
		t.Fatal(err)
	}
	b, err := iso20022.RenderAccountReport(ar)
	if err != nil {
		t.Fatalf("RenderAccountReport = %v", err)
	}
	m, errs := iso20022.Parse(b)
	if len(errs) > 0 {
		t.Fatalf("Parse(rendered camt.053) = %v", errs)
	}
	got := m.AccountReport
	if got.ID != "SBININBBXXX-INR-20260311" || got.Bal[0].Tp != "OPBD" || got.Bal[1].Tp != "CLBD" || got.Bal[1].Amt != 423950 {
		t.Errorf("statement %s, balances %+v", got.ID, got.Bal)
	}
	wantRefs := []string{"10.1", "11.1", "12.1", "12.2", "13.1"}
	wantCodes := []string{"RCDT/FICT/FUND", "ICDT/XBCT/", "RCDT/DMCT/", "ICDT/RRTN/", "ICDT/FICT/LINK"}
	for i, e := range got.Ntry {
		code := e.BkTxCd.Fmly + "/" + e.BkTxCd.SubFmlyCd + "/" + e.BkTxCd.Prtry
		if e.NtryRef != wantRefs[i] || code != wantCodes[i] {
			t.Errorf("entry %d: ref %s, code %s; want %s, %s", i, e.NtryRef, code, wantRefs[i], wantCodes[i])
		}
	}
	pay := got.Ntry[1].TxDtls[0]
	if pay.UETR != "9fe0f849-8380-4d85-b6d2-59be0ddf8bdd" || pay.EndToEndID != "TSE-INV-88231" || pay.Dbtr.Nm != "Tata Steel Exports Ltd" ||
		pay.Cdtr.Nm != "Severstal Trading LLC" || pay.RmtInf.Ustrd[0] != "Invoice SV-88231" || pay.InstdAgt.BICFI != "SABRRUMMXXX" || pay.ClrSysRef != "2" {
		t.Errorf("payment details %+v", pay)
	}
	if s := string(b); strings.Contains(s, "7.77") {
		t.Errorf("the statement shows another participant's leg of a linked batch:\n%s", s)
	}
	if ret := got.Ntry[3].TxDtls[0]; ret.AddtlTxInf != "return of payment 9: AC04 closed" {
		t.Errorf("return details %q", ret.AddtlTxInf)
	}

	// camt.054 after the first two entries; camt.052 up to now.
	after := st
	after.Entries = st.Entries[2:]
	r = &Report{Kind: iso20022.Notification, MsgID: "MUTUA-054-1", Now: now, Owner: sbi, Currency: inr, Statement: after}
	if ar, err := r.Build(src); err != nil || len(ar.Ntry) != 3 || ar.Ntry[0].NtryRef != "12.1" || len(ar.Bal) != 0 {
		t.Errorf("camt.054 = %+v, %v; want the last three entries and no balances", ar, err)
	}
	r = &Report{Kind: iso20022.IntradayReport, MsgID: "MUTUA-052-1", Now: now, Owner: sbi, Currency: inr, Statement: st}
	if ar, err := r.Build(src); err != nil || ar.Bal[1].Tp != "ITBD" || ar.Bal[1].Amt != 423950 {
		t.Errorf("camt.052 = %+v, %v", ar, err)
	} else if _, err := iso20022.RenderAccountReport(ar); err != nil {
		t.Errorf("RenderAccountReport(camt.052) = %v", err)
	}

	st.ClosingNeg, st.Closing = true, money.Uint128{Hi: 1}
	r = &Report{Kind: iso20022.Statement, MsgID: "M", Now: now, Owner: sbi, Currency: inr, Statement: st}
	if _, err := r.Build(src); !errors.Is(err, ErrBalanceTooLarge) {
		t.Errorf("Build(balance of 2^64) = %v; want ErrBalanceTooLarge", err)
	}
}

func TestPaymentStatusesAndReturns(t *testing.T) {
	src, _ := reportFixture(t)
	orig := src.payments[2]
	orig.ID = 9
	src.payments[9] = orig
	now := time.Date(2026, 3, 12, 0, 0, 5, 0, time.UTC)
	held := history.Payment{ID: 6, Status: engine.StatusHeld, Command: engine.Command{Kind: engine.KindPay, Participant: "SBININBBXXX", EndToEndID: "E-6", UETR: mustUUID(t, "1fe0f849-8380-4d85-b6d2-59be0ddf8bdd")}}
	rep, err := PaymentStatuses("MUTUA-POL-1", now, "SBININBBXXX", []history.Payment{src.payments[2], held, src.payments[4]}, src)
	if err != nil {
		t.Fatal(err)
	}
	b, err := iso20022.RenderStatusReport(rep)
	if err != nil {
		t.Fatalf("RenderStatusReport = %v", err)
	}
	if got := rep.TxInfAndSts; got[0].TxSts != "ACSC" || got[1].TxSts != "PDNG" || got[2].OrgnlTxID != "RTN-1" || got[2].OrgnlUETR != FormatUUID(orig.Command.UETR) {
		t.Errorf("statuses %+v\n%s", got, b)
	}
	ret := src.payments[4]
	ret.From, ret.To = "SABRRUMMXXX", "SBININBBXXX"
	pr, err := Returns("MUTUA-POL-2", now, "SBININBBXXX", []history.Payment{ret}, src)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := iso20022.RenderPaymentReturn(pr); err != nil {
		t.Fatalf("RenderPaymentReturn = %v", err)
	}
	tx := pr.Txs[0]
	if tx.RtrID != "RTN-1" || tx.RtrRsnInf[0].Rsn.Cd != "AC04" || tx.OrgnlEndToEndID != "TSE-INV-88231" || pr.GrpHdr.TtlIntrBkSttlmAmt.Value != 20000 {
		t.Errorf("return %+v, total %+v", tx, pr.GrpHdr.TtlIntrBkSttlmAmt)
	}
}
