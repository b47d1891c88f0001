package screening

import (
	"os"
	"sync"
	"testing"
)

var testLists struct {
	once     sync.Once
	versions []*ListVersion
	index    *Index
	err      error
}

// testVersions returns the embedded list versions, parsed once per test
// binary.
func testVersions(t testing.TB) []*ListVersion {
	t.Helper()
	testLists.once.Do(func() {
		testLists.versions, testLists.err = DefaultVersions()
		if testLists.err == nil {
			testLists.index = NewIndex(testLists.versions...)
		}
	})
	if testLists.err != nil {
		t.Fatal(testLists.err)
	}
	return testLists.versions
}

// testIndex returns a fresh clone of an index over the embedded lists.
func testIndex(t testing.TB) *Index {
	t.Helper()
	testVersions(t)
	return testLists.index.Clone()
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
	rep := Evaluate(testIndex(t), rows, DefaultThreshold)
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
