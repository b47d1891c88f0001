package iso20022

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/golden")

var (
	ist = time.FixedZone("IST", 5*3600+1800)
	msk = time.FixedZone("MSK", 3*3600)
)

func agentBIC(bic string) *Agent { return &Agent{BICFI: bic} }

// statusReports are pacs.002 reports as the HTTP layer fills them.
func statusReports() map[string]*StatusReport {
	return map[string]*StatusReport{
		"pacs.002.001.10_settled": {
			MsgID:    "MUTUA-STS-20260311-000001",
			CreDtTm:  time.Date(2026, 3, 11, 9, 30, 13, 0, time.UTC),
			InstgAgt: agentBIC("MUTUINBBXXX"),
			InstdAgt: agentBIC("SBININBBXXX"),
			OrgnlGrpInfAndSts: []OriginalGroupStatus{{
				OrgnlMsgID:   "SBIN20260311-000117",
				OrgnlMsgNmID: "pacs.008.001.08",
				OrgnlCreDtTm: time.Date(2026, 3, 11, 9, 30, 12, 0, ist),
				OrgnlNbOfTxs: "1",
				GrpSts:       StatusSettled,
			}},
			TxInfAndSts: []TxStatus{{
				StsID:             "MUTUA-STS-20260311-000001-1",
				OrgnlInstrID:      "SBIN-I-000117",
				OrgnlEndToEndID:   "TSE-INV-88231",
				OrgnlTxID:         "SBIN-T-000117",
				OrgnlUETR:         "8c2a7f4e-0b1d-4c3e-9f5a-6b7c8d9e0f1a",
				TxSts:             StatusSettled,
				AccptncDtTm:       time.Date(2026, 3, 11, 4, 0, 12, 500_000_000, time.UTC),
				FctvIntrBkSttlmDt: Date{2026, time.March, 11},
				AcctSvcrRef:       "MUTUA-TRF-000000000042",
				ClrSysRef:         "MUTUA-PMT-000000000017",
			}},
		},
		"pacs.002.001.10_partially-rejected": {
			MsgID:    "MUTUA-STS-20260311-000002",
			CreDtTm:  time.Date(2026, 3, 11, 10, 30, 1, 0, time.UTC),
			InstgAgt: agentBIC("MUTUINBBXXX"),
			InstdAgt: agentBIC("ICICINBBXXX"),
			OrgnlGrpInfAndSts: []OriginalGroupStatus{{
				OrgnlMsgID:   "ICICI-20260311-M",
				OrgnlMsgNmID: "pacs.008.001.08",
				OrgnlNbOfTxs: "3",
				OrgnlCtrlSum: "1325000.99",
				GrpSts:       StatusPartial,
				NbOfTxsPerSts: []StatusCount{
					{DtldNbOfTxs: 1, DtldSts: StatusSettled, DtldCtrlSum: "250000.00"},
					{DtldNbOfTxs: 1, DtldSts: StatusPending, DtldCtrlSum: "1000000.00"},
					{DtldNbOfTxs: 1, DtldSts: StatusRejected, DtldCtrlSum: "75000.99"},
				},
			}},
			TxInfAndSts: []TxStatus{
				{OrgnlEndToEndID: "REL-PAY-001", OrgnlUETR: "0d4c2b1a-9e8f-4a7b-8c6d-5e4f3a2b1c0d", TxSts: StatusSettled,
					FctvIntrBkSttlmDt: Date{2026, time.March, 11}},
				{OrgnlEndToEndID: "REL-PAY-002", OrgnlUETR: "1e5d3c2b-0f9a-4b8c-9d7e-6f5a4b3c2d1e", TxSts: StatusPending,
					StsRsnInf: []ReasonInfo{{Rsn: Code{Cd: string(ReasonInsufficientFunds)},
						AddtlInf: []string{"Queued for liquidity: position 4 in the normal queue"}}}},
				{OrgnlEndToEndID: "REL-PAY-003", OrgnlUETR: "2f6e4d3c-1a0b-4c9d-8e8f-7a6b5c4d3e2f", TxSts: StatusRejected,
					StsRsnInf: []ReasonInfo{{
						Orgtr: &Party{Nm: "Mutua clearing union"},
						Rsn:   Code{Cd: string(ReasonInvalidAmount)},
						AddtlInf: []string{
							"/Document/FIToFICstmrCdtTrf/CdtTrfTxInf[3]/IntrBkSttlmAmt: amount-precision: INR 75000.999 has more tha",
							"n the 2 decimals of INR",
						},
					}},
					InstgAgt: agentBIC("ICICINBBXXX"), InstdAgt: agentBIC("VTBRRUMMXXX")},
			},
		},
		"pacs.002.001.10_group-rejected": {
			MsgID:   "MUTUA-STS-20260311-000003",
			CreDtTm: time.Date(2026, 3, 11, 11, 0, 0, 0, time.UTC),
			OrgnlGrpInfAndSts: []OriginalGroupStatus{{
				OrgnlMsgID:   "BKCH2026031100042",
				OrgnlMsgNmID: "pacs.008.001.09",
				GrpSts:       StatusRejected,
				StsRsnInf: []ReasonInfo{{Rsn: Code{Cd: string(ReasonDuplicateMsgID)},
					AddtlInf: []string{"MsgId BKCH2026031100042 was already received on 2026-03-11 & settled"}}},
			}},
		},
	}
}

func paymentReturns() map[string]*PaymentReturn {
	return map[string]*PaymentReturn{
		"pacs.004.001.09_closed-account": {
			GrpHdr: GroupHeader{
				MsgID:             "MUTUA-RTN-20260312-000001",
				CreDtTm:           time.Date(2026, 3, 12, 10, 0, 1, 0, msk),
				NbOfTxs:           1,
				TtlIntrBkSttlmAmt: &Amount{Value: 1250000050, Currency: "INR"},
				IntrBkSttlmDt:     Date{2026, time.March, 12},
				SttlmInf:          SettlementInfo{SttlmMtd: "CLRG", ClrSys: Code{Prtry: "MUTUA"}},
				InstgAgt:          agentBIC("SABRRUMMXXX"),
				InstdAgt:          agentBIC("SBININBBXXX"),
			},
			Txs: []ReturnTx{{
				RtrID:               "SABR-RTN-09-1",
				OrgnlGrpInf:         &OriginalGroup{OrgnlMsgID: "SBIN20260311-000117", OrgnlMsgNmID: "pacs.008.001.08", OrgnlCreDtTm: time.Date(2026, 3, 11, 9, 30, 12, 0, ist)},
				OrgnlInstrID:        "SBIN-I-000117",
				OrgnlEndToEndID:     "TSE-INV-88231",
				OrgnlTxID:           "SBIN-T-000117",
				OrgnlUETR:           "8c2a7f4e-0b1d-4c3e-9f5a-6b7c8d9e0f1a",
				OrgnlIntrBkSttlmAmt: &Amount{Value: 1250000050, Currency: "INR"},
				OrgnlIntrBkSttlmDt:  Date{2026, time.March, 11},
				RtrdIntrBkSttlmAmt:  Amount{Value: 1250000050, Currency: "INR"},
				IntrBkSttlmDt:       Date{2026, time.March, 12},
				ChrgBr:              "SHAR",
				ClrSysRef:           "MUTUA-PMT-000000000031",
				RtrRsnInf: []ReasonInfo{{
					Orgtr:    &Party{Nm: "Sberbank", OrgID: &OrgID{AnyBIC: "SABRRUMMXXX"}},
					Rsn:      Code{Cd: "AC04"},
					AddtlInf: []string{"Creditor account closed on 2026-03-01"},
				}},
			}},
		},
	}
}

func accountReports() map[string]*AccountReport {
	inr := func(v uint64) Amount { return Amount{Value: v, Currency: "INR"} }
	sbi := &Party{Nm: "State Bank of India", OrgID: &OrgID{AnyBIC: "SBININBBXXX", LEI: "5493001KJTIIGC8Y1R12"}}
	mutua := &Agent{BICFI: "MUTUINBBXXX", Nm: "Mutua clearing union"}
	acct := Account{Othr: &GenericID{ID: "SBININBBXXX-INR", SchmeNm: Code{Prtry: "MUTUA"}}, Ccy: "INR", Nm: "SBI settlement account"}
	entries := []Entry{
		{
			NtryRef: "1", Amt: inr(1250000050), CdtDbtInd: Debit, Sts: "BOOK",
			BookgDtTm: time.Date(2026, 3, 11, 9, 30, 13, 0, ist), ValDt: Date{2026, time.March, 11},
			AcctSvcrRef: "MUTUA-TRF-000000000042",
			BkTxCd:      BankTxCode{Domn: "PMNT", Fmly: "ICDT", SubFmlyCd: "XBCT"},
			TxDtls: []EntryTx{{
				MsgID: "SBIN20260311-000117", InstrID: "SBIN-I-000117", EndToEndID: "TSE-INV-88231",
				UETR: "8c2a7f4e-0b1d-4c3e-9f5a-6b7c8d9e0f1a", TxID: "SBIN-T-000117", ClrSysRef: "MUTUA-PMT-000000000017",
				Amt: &Amount{Value: 1250000050, Currency: "INR"}, CdtDbtInd: Debit,
				Dbtr:     &Party{Nm: "Tata Steel Exports Ltd", PstlAdr: &PostalAddress{TwnNm: "Mumbai", Ctry: "IN"}},
				Cdtr:     &Party{Nm: "Severstal Trading LLC", PstlAdr: &PostalAddress{TwnNm: "Moscow", Ctry: "RU"}},
				CdtrAcct: &Account{Othr: &GenericID{ID: "40702810938000012345"}},
				InstgAgt: agentBIC("SBININBBXXX"), InstdAgt: agentBIC("SABRRUMMXXX"),
				RmtInf: &Remittance{Ustrd: []string{"Invoice SV-88231 hot-rolled coil"}},
			}},
		},
		{
			NtryRef: "2", Amt: inr(5000000000), CdtDbtInd: Credit, Sts: "BOOK",
			BookgDtTm: time.Date(2026, 3, 11, 12, 0, 0, 0, ist), ValDt: Date{2026, time.March, 11},
			AcctSvcrRef: "MUTUA-TRF-000000000051",
			BkTxCd:      BankTxCode{Domn: "PMNT", Fmly: "RCDT", SubFmlyCd: "FICT", Prtry: "FUND", PrtryIssr: "MUTUA"},
			TxDtls: []EntryTx{{
				EndToEndID: "RBI-FUND-0311", UETR: "3a7f5e4d-2b1c-4d0e-9f9a-8b7c6d5e4f3a",
				Dbtr: &Party{FI: &Agent{BICFI: "RBISINBBXXX", Nm: "Reserve Bank of India"}},
			}},
		},
		{
			NtryRef: "3", Amt: inr(75000099), CdtDbtInd: Credit, RvslInd: true, Sts: "BOOK",
			BookgDtTm: time.Date(2026, 3, 11, 15, 45, 0, 0, ist), ValDt: Date{2026, time.March, 11},
			AcctSvcrRef: "MUTUA-TRF-000000000077",
			BkTxCd:      BankTxCode{Prtry: "RVSL", PrtryIssr: "MUTUA"},
			AddtlInf:    "Reversal of MUTUA-TRF-000000000070",
		},
	}
	return map[string]*AccountReport{
		"camt.053.001.08_end-of-day": {
			Kind: Statement, MsgID: "MUTUA-STMT-20260311-SBI-INR", CreDtTm: time.Date(2026, 3, 11, 18, 0, 5, 0, ist),
			ID: "SBI-INR-20260311", ElctrncSeqNb: "70", LglSeqNb: "70",
			FrToDt:   &Period{FrDtTm: time.Date(2026, 3, 11, 0, 0, 0, 0, ist), ToDtTm: time.Date(2026, 3, 11, 18, 0, 0, 0, ist)},
			Acct:     acct,
			AcctOwnr: sbi,
			AcctSvcr: mutua,
			Bal: []Balance{
				{Tp: "OPBD", Amt: -200000000, Dt: Date{2026, time.March, 11}},
				// -2,000,000.00 - 12,500,000.50 + 50,000,000.00 + 750,000.99
				{Tp: "CLBD", Amt: -200000000 - 1250000050 + 5000000000 + 75000099, Dt: Date{2026, time.March, 11}},
			},
			Ntry: entries,
		},
		"camt.052.001.08_intraday": {
			Kind: IntradayReport, MsgID: "MUTUA-RPT-20260311-1300-SBI-INR", CreDtTm: time.Date(2026, 3, 11, 13, 0, 0, 0, ist),
			ID: "SBI-INR-20260311-1300", Acct: acct, AcctSvcr: mutua,
			Bal: []Balance{
				{Tp: "OPBD", Amt: -200000000, Dt: Date{2026, time.March, 11}},
				{Tp: "ITBD", Amt: -200000000 - 1250000050 + 5000000000, DtTm: time.Date(2026, 3, 11, 13, 0, 0, 0, ist)},
			},
			Ntry: entries[:2],
		},
		"camt.054.001.08_credit-notification": {
			Kind: Notification, MsgID: "MUTUA-NTF-000000000051", CreDtTm: time.Date(2026, 3, 11, 12, 0, 1, 0, ist),
			ID: "MUTUA-NTF-000000000051", Acct: acct, AcctOwnr: sbi,
			Ntry: entries[1:2],
		},
	}
}

// rendered renders every sample message, keyed by golden file name.
func rendered(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for name, r := range statusReports() {
		b, err := RenderStatusReport(r)
		if err != nil {
			t.Fatalf("RenderStatusReport(%s) = %v", name, err)
		}
		out[name] = b
	}
	for name, r := range paymentReturns() {
		b, err := RenderPaymentReturn(r)
		if err != nil {
			t.Fatalf("RenderPaymentReturn(%s) = %v", name, err)
		}
		out[name] = b
	}
	for name, r := range accountReports() {
		b, err := RenderAccountReport(r)
		if err != nil {
			t.Fatalf("RenderAccountReport(%s) = %v", name, err)
		}
		out[name] = b
	}
	return out
}

func TestGolden(t *testing.T) {
	for name, got := range rendered(t) {
		file := filepath.Join("testdata", "golden", name+".xml")
		if *update {
			if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("%v (run go test -update to create it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the golden file (-want +got):\n%s", name, cmp.Diff(string(want), string(got)))
		}
	}
}

// TestRoundTrip checks parse(render(x)) == x for every rendered type.
func TestRoundTrip(t *testing.T) {
	for name, want := range statusReports() {
		b, err := RenderStatusReport(want)
		if err != nil {
			t.Fatal(err)
		}
		m, errs := Parse(b)
		if len(errs) > 0 {
			t.Fatalf("%s: Parse = %v", name, errs)
		}
		if diff := cmp.Diff(want, m.StatusReport); diff != "" {
			t.Errorf("%s: round trip differs (-want +got):\n%s", name, diff)
		}
	}
	for name, want := range paymentReturns() {
		b, err := RenderPaymentReturn(want)
		if err != nil {
			t.Fatal(err)
		}
		m, errs := Parse(b)
		if len(errs) > 0 {
			t.Fatalf("%s: Parse = %v", name, errs)
		}
		if diff := cmp.Diff(want, m.PaymentReturn); diff != "" {
			t.Errorf("%s: round trip differs (-want +got):\n%s", name, diff)
		}
	}
	for name, want := range accountReports() {
		b, err := RenderAccountReport(want)
		if err != nil {
			t.Fatal(err)
		}
		m, errs := Parse(b)
		if len(errs) > 0 {
			t.Fatalf("%s: Parse = %v", name, errs)
		}
		if diff := cmp.Diff(want, m.AccountReport); diff != "" {
			t.Errorf("%s: round trip differs (-want +got):\n%s", name, diff)
		}
	}
}

// TestRenderRejectsInvalid checks that renderers refuse what the validator
// would reject instead of emitting it.
func TestRenderRejectsInvalid(t *testing.T) {
	stmt := accountReports()["camt.053.001.08_end-of-day"]
	stmt.Bal[1].Amt++ // no longer reconciles
	if _, err := RenderAccountReport(stmt); err == nil || !strings.Contains(err.Error(), string(RuleReconcile)) {
		t.Errorf("RenderAccountReport(unreconciled) = %v; want a %s error", err, RuleReconcile)
	}

	sts := statusReports()["pacs.002.001.10_partially-rejected"]
	sts.TxInfAndSts[2].StsRsnInf = nil // RJCT without a reason
	if _, err := RenderStatusReport(sts); err == nil || !strings.Contains(err.Error(), "StsRsnInf") {
		t.Errorf("RenderStatusReport(RJCT without reason) = %v; want a StsRsnInf error", err)
	}

	rtr := paymentReturns()["pacs.004.001.09_closed-account"]
	rtr.Txs[0].RtrdIntrBkSttlmAmt.Value = 1250000051 // total no longer matches
	if _, err := RenderPaymentReturn(rtr); err == nil || !strings.Contains(err.Error(), string(RuleTotal)) {
		t.Errorf("RenderPaymentReturn(bad total) = %v; want a %s error", err, RuleTotal)
	}

	ntf := accountReports()["camt.054.001.08_credit-notification"]
	ntf.Acct.Ccy = "XXY"
	if _, err := RenderAccountReport(ntf); err == nil {
		t.Errorf("RenderAccountReport(unknown currency) = nil error; want one")
	}
}
