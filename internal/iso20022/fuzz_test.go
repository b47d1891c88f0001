package iso20022

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Fuzz targets, one per decoder, each seeded with the corpus files of its
// message type. Errors are fine; panics, inconsistent results, more than a
// second or more than a few MiB per input are not.
//
//	go test -fuzz=FuzzParsePacs008 -fuzztime=30s ./internal/iso20022

func FuzzScan(f *testing.F) {
	seedFuzz(f, "")
	for _, s := range []string{`<a/>`, `<a b="&amp;">&#x41;<![CDATA[x]]></a>`, `<p:a xmlns:p="u"><p:b/></p:a>`, billionLaughs} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkAgainstStd(t, string(data))
	})
}

func FuzzParsePacs008(f *testing.F) { fuzzKind(f, "pacs.008") }
func FuzzParsePacs009(f *testing.F) { fuzzKind(f, "pacs.009") }
func FuzzParsePacs004(f *testing.F) { fuzzKind(f, "pacs.004") }
func FuzzParseCamt056(f *testing.F) { fuzzKind(f, "camt.056") }
func FuzzParsePacs002(f *testing.F) { fuzzKind(f, "pacs.002") }
func FuzzParseCamt05x(f *testing.F) { fuzzKind(f, "camt.05") }

// seedFuzz adds the corpus and golden files whose names start with prefix.
func seedFuzz(f *testing.F, prefix string) {
	for _, dir := range []string{"valid", "invalid", "golden"} {
		files, _ := filepath.Glob(filepath.Join("testdata", dir, "*.xml"))
		for _, name := range files {
			base := filepath.Base(name)
			if dir == "invalid" || strings.HasPrefix(base, prefix) {
				f.Add(readTestFile(f, name))
			}
		}
	}
}

func fuzzKind(f *testing.F, prefix string) {
	seedFuzz(f, prefix)
	f.Fuzz(func(t *testing.T, data []byte) {
		var m *Message
		var errs Errors
		start := time.Now()
		allocated := allocatedBytes(func() { m, errs = Parse(data) })
		if d := time.Since(start); d > time.Second {
			t.Errorf("Parse took %v for %d bytes", d, len(data))
		}
		if max := uint64(32*len(data)) + 4<<20; allocated > max {
			t.Errorf("Parse allocated %d bytes for %d bytes of input; want at most %d", allocated, len(data), max)
		}
		if len(errs) > ErrorsMax+1 {
			t.Errorf("%d errors; want at most %d", len(errs), ErrorsMax+1)
		}
		for _, e := range errs {
			if e.Rule == "" || len(e.Reason) != 4 || e.Msg == "" {
				t.Errorf("malformed error %#v", e)
			}
		}
		if len(errs) > 0 {
			return
		}
		if m == nil {
			t.Fatal("Parse returned no message and no errors")
		}
		// Parsing is deterministic.
		m2, _ := Parse(data)
		if diff := cmp.Diff(m, m2); diff != "" {
			t.Fatalf("Parse differs between two runs:\n%s", diff)
		}
		checkRoundTrip(t, m)
	})
}

// checkRoundTrip renders a valid message of a type this package renders, in
// the default version, and parses it back: the result must be the same.
func checkRoundTrip(t *testing.T, m *Message) {
	t.Helper()
	var b []byte
	var err error
	switch {
	case m.StatusReport != nil && m.Def == StatusReportDef:
		b, err = RenderStatusReport(m.StatusReport)
	case m.PaymentReturn != nil && m.Def == PaymentReturnDef && m.PaymentReturn.GrpHdr.PmtTpInf == nil:
		b, err = RenderPaymentReturn(m.PaymentReturn)
	case m.AccountReport != nil && m.Def.Version() == 8:
		b, err = RenderAccountReport(m.AccountReport)
	default:
		return
	}
	if err != nil {
		t.Fatalf("render of a valid %s: %v", m.Def, err)
	}
	m2, errs := Parse(b)
	if len(errs) > 0 {
		t.Fatalf("parse of rendered %s: %v", m.Def, errs)
	}
	m2.AppHdr = m.AppHdr
	if diff := cmp.Diff(m, m2); diff != "" {
		t.Fatalf("round trip of %s differs (-parsed +reparsed):\n%s", m.Def, diff)
	}
}
