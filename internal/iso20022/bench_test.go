package iso20022

import (
	"testing"
)

// BenchmarkParsePacs008 parses and validates a typical single-transaction
// pacs.008 (bare, and with a business application header). The target is
// 20,000 messages a second per core: at most 50 µs per message.
func BenchmarkParsePacs008(b *testing.B) {
	for _, bm := range []struct{ name, file string }{
		{"bare", "testdata/valid/pacs.008.001.08_inr-to-rub_steel_bare.xml"},
		{"bah", "testdata/valid/pacs.008.001.09_cny-to-brl_iron-ore_bah.xml"},
	} {
		b.Run(bm.name, func(b *testing.B) {
			data := readTestFile(b, bm.file)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				m, errs := Parse(data)
				if len(errs) > 0 || len(m.CreditTransfer.Txs) != 1 {
					b.Fatalf("Parse = %v", errs)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}
