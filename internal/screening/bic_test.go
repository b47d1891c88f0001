package screening

import (
	"strings"
	"testing"
)

// TestBICIndex checks BIC screening against the shipped lists: the BICs the
// UN publishes in its comments and OFAC in its remarks are found in any
// case, as BIC8 or with a branch, and a BIC no list names, or a string that
// is not a BIC, finds nothing.
func TestBICIndex(t *testing.T) {
	versions, err := DefaultVersions()
	if err != nil {
		t.Fatal(err)
	}
	x := NewBICIndex(versions...)
	if x.BICs() < 50 {
		t.Fatalf("%d BICs indexed; want the ~80 OFAC and UN publish", x.BICs())
	}
	for _, tt := range []struct {
		bic  string
		want []string // references, in list-version order
	}{
		// Daesong Bank: "SWIFT/BIC: KDBKKPPY" (UN KPe.035) and OFAC's remarks.
		{"KDBKKPPY", []string{"OFAC-", "KPe."}},
		{"kdbkkppyxxx", []string{"OFAC-", "KPe."}},
		// Daedong Credit Bank: the UN writes "SWIFT: DCBKKPPY".
		{"DCBKKPPY", []string{"OFAC-", "KPe."}},
		{"DEUTDEFF", nil},
		{"KDBKKPP", nil},
		{"Daesong Bank", nil},
	} {
		got := x.Screen(tt.bic)
		if len(got) != len(tt.want) {
			t.Errorf("Screen(%q) = %d matches %v; want %v", tt.bic, len(got), got, tt.want)
			continue
		}
		for i, m := range got {
			if !strings.HasPrefix(m.Reference, tt.want[i]) || m.Score != 1000 || !strings.Contains(m.ListedName, "SWIFT/BIC") {
				t.Errorf("Screen(%q)[%d] = %+v; want %s…, score 1000", tt.bic, i, m, tt.want[i])
			}
			// The explanation pairs the query with the listed BIC it hit.
			if tok := m.Explanation.Tokens; len(tok) != 1 || tok[0].How != "bic" || tok[0].Query != strings.ToUpper(tt.bic) ||
				!strings.HasPrefix(strings.ToUpper(tok[0].Listed), strings.ToUpper(tt.bic)[:8]) {
				t.Errorf("Screen(%q)[%d] explained as %+v; want the query beside the listed BIC", tt.bic, i, tok)
			}
		}
	}
}
