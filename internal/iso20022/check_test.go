package iso20022

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestIdentifiers(t *testing.T) {
	for _, tt := range []struct {
		name  string
		check func(string) bool
		in    string
		want  bool
	}{
		{"LEI", validLEI, "335800FVH4MOKZS9VH40", true},
		{"LEI other", validLEI, "5493001KJTIIGC8Y1R12", true},
		{"LEI check digits", validLEI, "335800FVH4MOKZS9VH41", false},
		{"LEI lower case", validLEI, "335800fvh4mokzs9vh40", false},
		{"LEI short", validLEI, "335800FVH4MOKZS9VH4", false},
		{"IBAN AE", validIBAN, "AE070331234567890123456", true},
		{"IBAN BR", validIBAN, "BR1800360305000010009795493C1", true},
		{"IBAN DE", validIBAN, "DE89370400440532013000", true},
		{"IBAN GB", validIBAN, "GB82WEST12345698765432", true},
		{"IBAN check digits", validIBAN, "AE080331234567890123456", false},
		{"IBAN length for country", validIBAN, "DE8937040044053201300", false},
		{"IBAN lower country", validIBAN, "ae070331234567890123456", false},
		{"IBAN symbols", validIBAN, "AE07-0331234567890123456", false},
		{"UUIDv4", validUUIDv4, "8c2a7f4e-0b1d-4c3e-9f5a-6b7c8d9e0f1a", true},
		{"UUIDv4 upper case", validUUIDv4, "8C2A7F4E-0B1D-4C3E-9F5A-6B7C8D9E0F1A", false},
		{"UUID v1", validUUIDv4, "8c2a7f4e-0b1d-1c3e-9f5a-6b7c8d9e0f1a", false},
		{"UUID variant", validUUIDv4, "8c2a7f4e-0b1d-4c3e-cf5a-6b7c8d9e0f1a", false},
		{"UUID no dashes", validUUIDv4, "8c2a7f4e0b1d4c3e9f5a6b7c8d9e0f1a", false},
		{"country", validCountry, "IN", true},
		{"country lower", validCountry, "in", false},
	} {
		if got := tt.check(tt.in); got != tt.want {
			t.Errorf("%s: check(%q) = %v; want %v", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestDates(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Date
		ok   bool
	}{
		{"2026-03-11", Date{2026, time.March, 11}, true},
		{"2024-02-29", Date{2024, time.February, 29}, true},
		{"2026-03-11Z", Date{2026, time.March, 11}, true},
		{"2026-03-11+05:30", Date{2026, time.March, 11}, true},
		{"2025-02-29", Date{}, false},
		{"2100-02-29", Date{}, false},
		{"2026-13-01", Date{}, false},
		{"2026-3-11", Date{}, false},
		{"26-03-11", Date{}, false},
		{"2026-03-11T00:00:00", Date{}, false},
	} {
		got, ok := parseDate(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseDate(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	for _, tt := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2026-03-11T09:30:12", time.Date(2026, 3, 11, 9, 30, 12, 0, time.UTC), true},
		{"2026-03-11T09:30:12Z", time.Date(2026, 3, 11, 9, 30, 12, 0, time.UTC), true},
		{"2026-03-11T09:30:12.125+05:30", time.Date(2026, 3, 11, 4, 0, 12, 125_000_000, time.UTC), true},
		{"2026-03-11T09:30:12-03:00", time.Date(2026, 3, 11, 12, 30, 12, 0, time.UTC), true},
		{"2026-03-11T09:30", time.Time{}, false},
		{"2026-03-11T24:00:00", time.Time{}, false},
		{"2026-03-11T09:30:12.", time.Time{}, false},
		{"2026-03-11T09:30:12+5:30", time.Time{}, false},
		{"2026-03-11 09:30:12", time.Time{}, false},
	} {
		got, ok := parseDateTime(tt.in)
		if !got.Equal(tt.want) || ok != tt.ok {
			t.Errorf("parseDateTime(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestValidDecimal(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want bool
	}{
		{"100", true}, {"100.25", true}, {"+1", true}, {".5", true}, {"5.", true},
		{"123456789012345678", true}, {"1234567890123456789", false},
		{"0.12345678901234567", true}, {"0.123456789012345678", false},
		{"1.50000000000000000000", true}, {"-1", false}, {"1e5", false}, {"", false}, {".", false},
	} {
		if got := validDecimal(tt.in, 18, 17); got != tt.want {
			t.Errorf("validDecimal(%q) = %v; want %v", tt.in, got, tt.want)
		}
	}
}

// TestAmounts checks amount decoding through a whole message: minor units
// by the currency's exponent, and the precise failure otherwise.
func TestAmounts(t *testing.T) {
	base := string(readTestFile(t, "testdata/valid/pacs.008.001.08_inr-to-rub_steel_bare.xml"))
	for _, tt := range []struct {
		amount string
		want   Amount
		rule   Rule
	}{
		{`Ccy="INR">12500000.50`, Amount{1250000050, "INR"}, ""},
		{`Ccy="INR">12500000.5`, Amount{1250000050, "INR"}, ""},
		{`Ccy="INR">12500000.500`, Amount{1250000050, "INR"}, ""},
		{`Ccy="INR"> 12500000 `, Amount{1250000000, "INR"}, ""},
		{`Ccy="INR">+7`, Amount{700, "INR"}, ""},
		{`Ccy="INR">.5`, Amount{50, "INR"}, ""},
		{`Ccy="JPY">125000`, Amount{125000, "JPY"}, ""},
		{`Ccy="KWD">1.125`, Amount{1125, "KWD"}, ""},
		{`Ccy="JPY">125000.5`, Amount{}, RulePrecision},
		{`Ccy="INR">1.005`, Amount{}, RulePrecision},
		{`Ccy="INR">1,000.00`, Amount{}, RuleAmount},
		{`Ccy="INR">1e3`, Amount{}, RuleAmount},
		{`Ccy="INR">10000000000000000.00`, Amount{}, RuleAmount},
		{`Ccy="INR">0`, Amount{}, RuleAmountZero},
		{`Ccy="inr">1`, Amount{}, RuleCurrency},
	} {
		src := strings.Replace(base, `Ccy="INR">12500000.50`, tt.amount, 1)
		m, errs := ParseString(src)
		var rule Rule
		if len(errs) > 0 {
			rule = errs[0].Rule
		}
		if rule != tt.rule || len(errs) > 1 {
			t.Errorf("amount %s: errors %v; want rule %q", tt.amount, errs, tt.rule)
			continue
		}
		if tt.rule == "" {
			if got := m.CreditTransfer.Txs[0].IntrBkSttlmAmt; got != tt.want {
				t.Errorf("amount %s = %v; want %v", tt.amount, got, tt.want)
			}
		}
	}
}

// TestAllErrorsCollected checks that validation goes on after the first
// error and attributes each error to its transaction.
func TestAllErrorsCollected(t *testing.T) {
	src := string(readTestFile(t, "testdata/valid/pacs.008.001.08_inr-to-rub_four-transactions_bah.xml"))
	src = strings.Replace(src, ">75000.99<", ">75000.999<", 1) // tx 3
	doc := strings.Index(src, "<Document")
	src = src[:doc] + strings.Replace(src[doc:], "<BICFI>VTBRRUMMXXX</BICFI>", "<BICFI>VTB</BICFI>", 1) // tx 1 InstdAgt
	src = strings.Replace(src, "<NbOfTxs>4</NbOfTxs>", "<NbOfTxs>5</NbOfTxs>", 1)
	src = strings.Replace(src, "<MsgDefIdr>pacs.008.001.08</MsgDefIdr>", "<MsgDefIdr>pacs.008.001.09</MsgDefIdr>", 1)
	_, errs := ParseString(src)
	type short struct {
		Path   string
		Rule   Rule
		Reason Reason
		Tx     int
	}
	var got []short
	for _, e := range errs {
		got = append(got, short{e.Path, e.Rule, e.Reason, e.Tx})
	}
	want := []short{
		{"/AppHdr/MsgDefIdr", RuleHeader, ReasonInvalidFileFormat, 0},
		{"/Document/FIToFICstmrCdtTrf/CdtTrfTxInf[1]/InstdAgt/FinInstnId/BICFI", RuleBIC, ReasonBankIdentifier, 1},
		{"/Document/FIToFICstmrCdtTrf/CdtTrfTxInf[3]/IntrBkSttlmAmt", RulePrecision, ReasonInvalidAmount, 3},
		{"/Document/FIToFICstmrCdtTrf/GrpHdr/NbOfTxs", RuleNbOfTxs, ReasonInvalidNumberOfTxs, 0},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors differ (-want +got):\n%s", diff)
	}
	if !errs.Fatal() {
		t.Errorf("Fatal() = false; want true (group-level errors)")
	}
	if got := len(errs.ForTx(3)); got != 1 {
		t.Errorf("len(ForTx(3)) = %d; want 1", got)
	}
}

func TestErrorsBounded(t *testing.T) {
	src := string(readTestFile(t, "testdata/valid/pacs.008.001.08_inr-to-rub_steel_bare.xml"))
	i := strings.Index(src, "<CdtTrfTxInf>")
	j := strings.Index(src, "</CdtTrfTxInf>") + len("</CdtTrfTxInf>\n")
	bad := strings.Replace(src[i:j], ">12500000.50<", ">1.001<", 1)
	src = src[:i] + strings.Repeat(bad, ErrorsMax*2) + src[j:]
	_, errs := ParseString(src)
	if len(errs) != ErrorsMax+1 || errs[ErrorsMax].Rule != RuleLimit {
		t.Errorf("Parse of %d bad transactions: %d errors, last %v; want %d, the last a %s", ErrorsMax*2, len(errs), errs[len(errs)-1], ErrorsMax+1, RuleLimit)
	}
}

func TestReasonInfo(t *testing.T) {
	e := &Error{Path: "/Document/FIToFICstmrCdtTrf/CdtTrfTxInf[3]/IntrBkSttlmAmt", Rule: RulePrecision, Reason: ReasonInvalidAmount,
		Msg: strings.Repeat("é", 120)}
	got := e.ReasonInfo()
	if got.Rsn.Cd != "AM12" || len(got.AddtlInf) != 2 {
		t.Fatalf("ReasonInfo() = %+v; want AM12 with 2 lines", got)
	}
	for _, l := range got.AddtlInf {
		if n := runeLen(l); n > AddtlInfMax {
			t.Errorf("AddtlInf line of %d characters; want at most %d", n, AddtlInfMax)
		}
	}
	if joined := strings.Join(got.AddtlInf, ""); joined != e.Path+": "+e.Msg {
		t.Errorf("AddtlInf joined = %q; want the path and message", joined)
	}
}

func TestRunValidate(t *testing.T) {
	files := []string{
		"testdata/valid/pacs.008.001.10_zar-to-aed_three-transactions.xml",
		"testdata/valid/pacs.009.001.12_cny_cover_with-underlying-pmtid.xml",
		"testdata/invalid/AM12_amount-precision_second-transaction.xml",
		"testdata/invalid/FF01_doctype_entity-declaration.xml",
		"testdata/no-such-file.xml",
	}
	var out strings.Builder
	if got := RunValidate(files, &out); got != 1 {
		t.Errorf("RunValidate = %d; want 1", got)
	}
	golden := filepath.Join("testdata", "golden", "validate.txt")
	if *update {
		if err := os.WriteFile(golden, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), out.String()); diff != "" {
		t.Errorf("RunValidate output differs (-want +got):\n%s", diff)
	}

	out.Reset()
	if got := RunValidate(files[:2], &out); got != 0 {
		t.Errorf("RunValidate(valid files) = %d; want 0\n%s", got, out.String())
	}
	if got := RunValidate(nil, &out); got != 2 {
		t.Errorf("RunValidate(no files) = %d; want 2", got)
	}
}
