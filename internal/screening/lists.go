package screening

import (
	"embed"
	"fmt"
	"strings"
)

// The lists shipped with the binary: the UN Security Council Consolidated
// List of 2026-02-27 and a subset (~9,000 entries) of the OFAC SDN list, as
// published. See lists/README.md.
//
//go:embed lists/un-consolidated-2026-02-27.xml lists/ofac-sdn-subset.csv lists/ofac-alt-subset.csv lists/ofac-add-subset.csv lists/ofac-sdn-comments-subset.csv
var embedded embed.FS

// DefaultVersions parses and returns the list versions embedded in the
// binary: the UN list and the OFAC subset. Parsing takes a few hundred
// milliseconds; callers keep the result.
func DefaultVersions() ([]*ListVersion, error) {
	open := func(name string) (*strings.Reader, error) {
		b, err := embedded.ReadFile("lists/" + name)
		if err != nil {
			return nil, fmt.Errorf("screening: embedded list %s: %w", name, err)
		}
		return strings.NewReader(string(b)), nil
	}
	un, err := open("un-consolidated-2026-02-27.xml")
	if err != nil {
		return nil, err
	}
	unv, err := ParseUN(un)
	if err != nil {
		return nil, err
	}
	var files [4]*strings.Reader
	for i, name := range []string{"ofac-sdn-subset.csv", "ofac-alt-subset.csv", "ofac-add-subset.csv", "ofac-sdn-comments-subset.csv"} {
		if files[i], err = open(name); err != nil {
			return nil, err
		}
	}
	ofac, err := ParseOFACFiles(OFACFiles{SDN: files[0], Alt: files[1], Add: files[2], Comments: files[3]})
	if err != nil {
		return nil, err
	}
	return []*ListVersion{unv, ofac}, nil
}
