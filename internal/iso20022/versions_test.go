package iso20022

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// TestVersionVariants moves every valid inbound corpus message to every
// other supported version of its type (namespace and AppHdr MsgDefIdr) and
// checks that this package's verdict agrees with the official XSD's: most
// variants are valid in both, and those that use elements another version
// lacks or needs are rejected by both.
func TestVersionVariants(t *testing.T) {
	type variant struct {
		part xsdPart
		errs Errors
	}
	var variants []variant
	for _, name := range corpus(t, "valid") {
		src := string(readTestFile(t, name))
		def := MsgDef(strings.SplitN(filepath.Base(name), "_", 2)[0])
		r := supported[def.Kind()]
		for v := r[0]; v <= r[1]; v++ {
			to := MsgDef(fmt.Sprintf("%s.001.%02d", def.Kind(), v))
			if to == def {
				continue
			}
			moved := strings.ReplaceAll(src, string(def), string(to))
			source := fmt.Sprintf("%s as %s", filepath.Base(name), to)
			m, errs := ParseString(moved)
			if len(errs) == 0 && m.Def != to {
				t.Errorf("%s: Def = %s; want %s", source, m.Def, to)
			}
			parts, err := xsdParts(source, []byte(moved))
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range parts {
				if p.def == string(to) {
					variants = append(variants, variant{part: p, errs: errs})
				}
			}
		}
	}
	xmllint := needXmllint(t)
	var parts []xsdPart
	for _, v := range variants {
		parts = append(parts, v.part)
	}
	verdicts := validateXSD(t, xmllint, parts)
	valid := 0
	for _, v := range variants {
		xsdErr := verdicts[v.part.source]
		switch {
		case xsdErr == "" && len(v.errs) > 0:
			t.Errorf("%s: XSD accepts, Parse rejects: %v", v.part.source, v.errs)
		case xsdErr != "" && len(v.errs) == 0:
			t.Errorf("%s: Parse accepts, XSD rejects:\n%s", v.part.source, xsdErr)
		case xsdErr == "":
			valid++
		}
	}
	t.Logf("%d version variants, %d valid in both, %d rejected by both", len(variants), valid, len(variants)-valid)
}
