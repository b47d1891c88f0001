package iso20022

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// corpus returns the files of testdata/dir, sorted.
func corpus(t testing.TB, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", dir, "*.xml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus in testdata/%s: %v", dir, err)
	}
	return files
}

func readTestFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestValidCorpus parses every valid message: no errors, and the message
// definition is the one its file name starts with.
func TestValidCorpus(t *testing.T) {
	for _, name := range corpus(t, "valid") {
		t.Run(filepath.Base(name), func(t *testing.T) {
			m, errs := Parse(readTestFile(t, name))
			if len(errs) > 0 {
				t.Fatalf("Parse = %v; want no errors", errs)
			}
			want := strings.SplitN(filepath.Base(name), "_", 2)[0]
			if string(m.Def) != want {
				t.Errorf("Def = %s; want %s", m.Def, want)
			}
		})
	}
}

// TestInvalidCorpus parses every invalid message. Each file is named
// REASON_rule_description.xml and must fail with that reason and rule only.
func TestInvalidCorpus(t *testing.T) {
	for _, name := range corpus(t, "invalid") {
		base := filepath.Base(name)
		t.Run(base, func(t *testing.T) {
			f := strings.SplitN(base, "_", 3)
			if len(f) != 3 {
				t.Fatalf("file name %q is not REASON_rule_description.xml", base)
			}
			reason, rule := Reason(f[0]), Rule(f[1])
			_, errs := Parse(readTestFile(t, name))
			if len(errs) == 0 {
				t.Fatalf("Parse = no errors; want %s %s", reason, rule)
			}
			for _, e := range errs {
				if e.Reason != reason || e.Rule != rule {
					t.Errorf("error %v; want only %s %s", e, reason, rule)
				}
			}
		})
	}
}
