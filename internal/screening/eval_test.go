package screening

import (
	"os"
	"testing"
)

// testVersions returns the embedded list versions.
func testVersions(t testing.TB) []*ListVersion {
	t.Helper()
	vs, err := DefaultVersions()
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

func TestEvalTargets(t *testing.T) {
	f, err := os.Open(evalPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := ReadEvalCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	rep := Evaluate(NewIndex(testVersions(t)...), rows, DefaultThreshold)
	t.Logf("threshold %d: recall %s, false positives %s", rep.Threshold, rep.Recall, rep.FalsePositiveRate)
	for _, m := range rep.Misses {
		t.Logf("miss: %q want %s (score %d), best %s %d", m.Name, m.Expected, m.Score, m.Best, m.BestScore)
	}
	for _, m := range rep.FalsePositives {
		t.Logf("false positive: %q matched %s %q %d: %s", m.Name, m.Reference, m.ListedName, m.Score, m.Explanation)
	}
	if bp := rep.Recall.BasisPoints(); bp < 9800 {
		t.Errorf("recall = %s; want ≥ 98%%", rep.Recall)
	}
	if bp := rep.FalsePositiveRate.BasisPoints(); bp > 50 {
		t.Errorf("false-positive rate = %s; want ≤ 0.5%%", rep.FalsePositiveRate)
	}
}
