package iso20022_test

import (
	"fmt"
	"os"
	"time"

	"github.com/mutua-org/mutua/internal/iso20022"
)

// Example shows the inbound path: parse and validate a pacs.008, map its
// transactions, and answer with a pacs.002.
func Example() {
	data, err := os.ReadFile("testdata/invalid/AM12_amount-precision_second-transaction.xml")
	if err != nil {
		panic(err)
	}
	msg, errs := iso20022.Parse(data)
	fmt.Println(msg.Def, "with AppHdr:", msg.AppHdr != nil, "fatal:", errs.Fatal())
	for i, tx := range msg.CreditTransfer.Txs {
		if len(errs.ForTx(i+1)) > 0 {
			fmt.Printf("tx %d rejected: %s\n", i+1, errs.ForTx(i + 1)[0].Reason)
			continue
		}
		fmt.Printf("tx %d: %s %d minor units from %s to %s, UETR %s\n", i+1, tx.IntrBkSttlmAmt.Currency,
			tx.IntrBkSttlmAmt.Value, tx.InstgAgt.BICFI, tx.InstdAgt.BICFI, tx.PmtID.UETR)
	}

	report := iso20022.StatusReportFor(msg, errs)
	report.MsgID = "MUTUA-STS-1"
	report.CreDtTm = time.Date(2026, 3, 11, 10, 30, 0, 0, time.UTC)
	report.OrgnlGrpInfAndSts[0].GrpSts = iso20022.StatusPartial
	for i := range report.TxInfAndSts {
		if report.TxInfAndSts[i].TxSts == "" {
			report.TxInfAndSts[i].TxSts = iso20022.StatusSettled // from the engine
		}
	}
	out, err := iso20022.RenderStatusReport(report)
	fmt.Println(len(out) > 0, err)
	// Output:
	// pacs.008.001.08 with AppHdr: true fatal: false
	// tx 1: INR 25000000 minor units from ICICINBBXXX to VTBRRUMMXXX, UETR f5f08a66-d1fe-4b06-a69e-76c7ee4f7881
	// tx 2: INR 100000000 minor units from ICICINBBXXX to VTBRRUMMXXX, UETR be1db3a8-2980-49ef-a918-b63b1cb1eadd
	// tx 3 rejected: AM12
	// tx 4: INR 400000001 minor units from ICICINBBXXX to VTBRRUMMXXX, UETR f3d1575e-9608-4306-9763-49e31448a061
	// true <nil>
}
