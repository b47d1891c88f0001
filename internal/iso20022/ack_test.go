package iso20022

import (
	"testing"
	"time"
)

func TestStatusReportFor(t *testing.T) {
	for _, tt := range []struct {
		file   string
		grpSts Status
		txSts  []Status // per transaction; "" left to the caller
	}{
		{"testdata/valid/pacs.008.001.10_zar-to-aed_three-transactions.xml", "", []Status{"", "", ""}},
		{"testdata/invalid/AM12_amount-precision_second-transaction.xml", "", []Status{"", "", StatusRejected, ""}},
		{"testdata/invalid/AM18_nb-of-txs_says-two.xml", StatusRejected, nil},
		{"testdata/invalid/FF01_doctype_entity-declaration.xml", StatusRejected, nil},
		{"testdata/invalid/CH21_required_return-without-reason.xml", StatusRejected, []Status{StatusRejected}},
		{"testdata/valid/camt.056.001.08_cny_duplicate.xml", "", nil},
	} {
		m, errs := Parse(readTestFile(t, tt.file))
		r := StatusReportFor(m, errs)
		if got := r.OrgnlGrpInfAndSts[0].GrpSts; got != tt.grpSts {
			t.Errorf("%s: GrpSts = %q; want %q", tt.file, got, tt.grpSts)
		}
		if len(r.TxInfAndSts) != len(tt.txSts) {
			t.Fatalf("%s: %d transaction statuses; want %d", tt.file, len(r.TxInfAndSts), len(tt.txSts))
		}
		for i, ts := range r.TxInfAndSts {
			if ts.TxSts != tt.txSts[i] {
				t.Errorf("%s: TxSts[%d] = %q; want %q", tt.file, i, ts.TxSts, tt.txSts[i])
			}
		}
		// What the caller completes, the renderer accepts.
		r.MsgID, r.CreDtTm = "MUTUA-STS-1", time.Date(2026, 3, 11, 12, 0, 0, 0, time.UTC)
		if r.OrgnlGrpInfAndSts[0].GrpSts == "" {
			r.OrgnlGrpInfAndSts[0].GrpSts = StatusPartial
		}
		for i := range r.TxInfAndSts {
			if r.TxInfAndSts[i].TxSts == "" {
				r.TxInfAndSts[i].TxSts = StatusSettled
			}
		}
		if _, err := RenderStatusReport(r); err != nil {
			t.Errorf("%s: RenderStatusReport = %v", tt.file, err)
		}
	}
}
