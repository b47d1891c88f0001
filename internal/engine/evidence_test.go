package engine

import (
	"bytes"
	"testing"
)

// TestWithScreening checks that replacing a payment's evidence in its
// encoding gives the encoding of the payment with the new evidence.
func TestWithScreening(t *testing.T) {
	for _, old := range []Screening{{}, {Lists: "un-1+ofac-2", Score: 912, Party: "creditor", Ref: "KPe.025", Listed: "KOREA KWANGSON BANKING CORP."}} {
		for _, kind := range []Kind{KindPay, KindReserve} {
			c := Command{Kind: kind, Participant: "AAAAZZ00XXX", Payee: "AAABZZ00XXX", Currency: "AED", Amount: 1500, Key: "k1",
				DebtorName: "Gulf Marine Trading LLC", Remittance: "invoice 7", TimeoutNs: 60e9, Screening: old}
			if kind == KindPay {
				c.TimeoutNs = 0
			}
			raw := c.Encode()
			s := Screening{Lists: "un-1+ofac-3", Score: 40, Party: "debtor_agent"}
			got := WithScreening(raw, &old, &s)
			c.Screening = s
			if want := c.Encode(); !bytes.Equal(got, want) {
				t.Errorf("%s with evidence %+v: %x; want %x", kind, old, got, want)
			}
			if d, err := DecodeCommand(got); err != nil || d.Screening != s {
				t.Errorf("%s: decodes to %+v, %v", kind, d.Screening, err)
			}
		}
	}
}
