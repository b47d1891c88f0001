package iso20022

import (
	"bytes"
	"encoding/xml"
	"io"
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

// BenchmarkEncodingXMLTokens is the baseline that kept encoding/xml off the
// decoding path: only tokenizing the same message, without building or
// validating anything.
func BenchmarkEncodingXMLTokens(b *testing.B) {
	data := readTestFile(b, "testdata/valid/pacs.008.001.08_inr-to-rub_steel_bare.xml")
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		d := xml.NewDecoder(bytes.NewReader(data))
		for {
			if _, err := d.RawToken(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkRender measures the outbound renderers, which parse their own
// output before returning it.
func BenchmarkRender(b *testing.B) {
	sts := statusReports()["pacs.002.001.10_settled"]
	stmt := accountReports()["camt.053.001.08_end-of-day"]
	b.Run("pacs.002", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := RenderStatusReport(sts); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("camt.053", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := RenderAccountReport(stmt); err != nil {
				b.Fatal(err)
			}
		}
	})
}
