package screening

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// hitScore returns the score of ref among q's matches, or 0.
func hitScore(idx *Index, q Query, ref string) (int, []Match) {
	ms := idx.Screen(q)
	for _, m := range ms {
		if m.Reference == ref {
			return m.Score, ms
		}
	}
	return 0, ms
}

func describe(ms []Match) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "\n\t%s %q %d: %s", m.Reference, m.ListedName, m.Score, m.Explanation)
	}
	return b.String()
}

// TestScreenVariants screens one spelling of each kind the matcher must
// catch against the shipped lists.
func TestScreenVariants(t *testing.T) {
	idx := testIndex(t)
	tests := []struct {
		kind, name, want string
	}{
		{"exact", "SADDAM HUSSEIN AL-TIKRITI", "IQi.001"},
		{"case and punctuation", "saddam hussein al tikriti", "IQi.001"},
		{"typos", "Sadam Husein Al-Tikrity", "IQi.001"},
		{"reordered", "AL-TIKRITI Saddam Hussein", "IQi.001"},
		{"missing middle name", "Saddam Al-Tikriti", "IQi.001"},
		{"initial", "S. Hussein Al-Tikriti", "IQi.001"},
		{"original script", "صدام حسين التكريتي", "IQi.001"},
		{"Cyrillic", "Саддам Хусейн ат-Тикрити", "IQi.001"},
		{"Cyrillic, OFAC order", "Усама бин Ладен", "OFAC-6365"},
		{"joined", "AlQaida", "QDe.004"},
		{"split", "Al Qaida", "QDe.004"},
		{"legal form added", "Korea Mining Development Trading Corp.", "KPe.001"},
		{"legal form typo", "KOREA MINING DEVELOPMENT TRADING CORPORATINO", "KPe.001"},
		{"typo in an entity", "KOREA MINING DEVELOPMENT TRADNG CORPORATION", "KPe.001"},
		{"alias", "KOMID", "KPe.001"},
		{"legal form dropped", "Bank Melli Iran PJSC", "OFAC-25578"},
		{"hyphen", "Kim Jong-un", "OFAC-20157"},
		{"Arabic variants", "Mohammed Omar", "OFAC-16221"},
		{"Abd al", "Abd al-Rahman Yasin", "QDi.037"},
	}
	for _, tt := range tests {
		got, ms := hitScore(idx, Query{Name: tt.name}, tt.want)
		if got < DefaultThreshold {
			t.Errorf("%s: Screen(%q) scores %s at %d; want ≥ %d. Matches:%s", tt.kind, tt.name, tt.want, got, DefaultThreshold, describe(ms))
		}
	}
}

// TestScreenOrdinaryNames screens names that are on no list.
func TestScreenOrdinaryNames(t *testing.T) {
	idx := testIndex(t)
	for _, name := range []string{
		"John Smith", "Maria Garcia Lopez", "Acme Widgets GmbH", "Shenzhen Huaxin Electronics Co., Ltd.",
		"Olga Ivanova", "Tanaka Hiroshi", "Nguyen Van Minh", "Kwame Mensah Holdings Ltd",
		"Deutsche Maschinenbau AG", "Rossi Costruzioni S.r.l.", "Priya Sharma", "Mehmet Yılmaz",
	} {
		if ms := idx.Screen(Query{Name: name}); len(ms) > 0 && ms[0].Score >= DefaultThreshold {
			t.Errorf("Screen(%q) = hit; want none. Matches:%s", name, describe(ms))
		}
	}
}

// testCSVIndex is an index over the operator list fixture.
func testCSVIndex(t *testing.T) *Index {
	t.Helper()
	v, err := ParseCSVSource("ops", openTestdata(t, "operator-small.csv"))
	if err != nil {
		t.Fatal(err)
	}
	return NewIndex(v)
}

func TestScreenAdjustments(t *testing.T) {
	idx := testCSVIndex(t)
	base := Query{Name: "Ivan Sidorov"}
	_, ms := hitScore(idx, base, "OPS-0001")
	if len(ms) == 0 {
		t.Fatalf("Screen(%q) = no matches", base.Name)
	}
	name := ms[0].Explanation.NameScore
	tests := []struct {
		q    Query
		want []Adjustment
	}{
		{Query{Name: "Ivan Sidorov", DateOfBirth: Date{1971, 3, 2}}, []Adjustment{{"date of birth 1971-03-02 agrees", dobExactPoints}}},
		{Query{Name: "Ivan Sidorov", DateOfBirth: Date{Year: 1971}}, []Adjustment{{"year of birth 1971 agrees", dobYearPoints}}},
		{Query{Name: "Ivan Sidorov", DateOfBirth: Date{Year: 1985}}, []Adjustment{{"date of birth 1985 contradicts 1971-03-02", dobConflictPoints}}},
		{Query{Name: "Ivan Sidorov", Country: "Russia"}, []Adjustment{{"country RU agrees", countryPoints}}},
		{Query{Name: "Ivan Sidorov", Country: "FR"}, []Adjustment{{"country FR not in RU", countryConflict}}},
		{Query{Name: "Ivan Sidorov", Kind: KindEntity}, []Adjustment{{"kind entity vs listed individual", kindMismatchPoints}}},
	}
	for _, tt := range tests {
		got, ms := hitScore(idx, tt.q, "OPS-0001")
		if len(ms) == 0 {
			t.Errorf("Screen(%+v) = no matches", tt.q)
			continue
		}
		if diff := cmp.Diff(tt.want, ms[0].Explanation.Adjustments); diff != "" {
			t.Errorf("Screen(%+v) adjustments (-want +got):\n%s", tt.q, diff)
		}
		if want := min(1000, name+tt.want[0].Points); got != want {
			t.Errorf("Screen(%+v) score = %d; want %d", tt.q, got, want)
		}
	}
	// A low-quality alias.
	_, ms = hitScore(idx, Query{Name: "Vanya"}, "OPS-0001")
	if len(ms) == 0 || !slices.Contains(ms[0].Explanation.Adjustments, Adjustment{"low-quality alias", lowQualityPoints}) {
		t.Errorf("Screen(Vanya) = %s; want the low-quality alias adjustment", describe(ms))
	}
}

func TestScreenExplanation(t *testing.T) {
	idx := testCSVIndex(t)
	ms := idx.Screen(Query{Name: "SIDOROV, Iван Petrovic OOO"})
	if len(ms) == 0 {
		t.Fatal("no matches")
	}
	want := Explanation{
		Tokens: []TokenMatch{
			{Query: "sidorov", Listed: "sidorov", How: "exact", Similarity: 1000},
			{Query: "ivan", Listed: "ivan", How: "exact", Similarity: 1000},
			{Query: "petrovic", Listed: "petrovich", How: "typo", Similarity: 954},
		},
		Unmatched: []string{"ooo"},
		NameScore: ms[0].Explanation.NameScore,
	}
	if diff := cmp.Diff(want, ms[0].Explanation); diff != "" {
		t.Errorf("explanation (-want +got):\n%s", diff)
	}
	if s := ms[0].Explanation.String(); !strings.Contains(s, "petrovic~petrovich (typo 954)") {
		t.Errorf("Explanation.String() = %q; want the typo spelled out", s)
	}
}

// TestScreenDeterministic screens the labelled set with two indexes built
// separately (so with maps filled separately) and requires identical
// matches, scores and explanations.
func TestScreenDeterministic(t *testing.T) {
	vs := testVersions(t)
	a, b := NewIndex(vs...), NewIndex(vs...)
	rows := EvalSet()
	for i := 0; i < len(rows); i += 7 {
		q := Query{Name: rows[i].Name}
		ma, mb := a.Screen(q), b.Screen(q)
		if diff := cmp.Diff(ma, mb); diff != "" {
			t.Fatalf("Screen(%q) differs between two indexes (-a +b):\n%s", q.Name, diff)
		}
		if again := a.Screen(q); !cmp.Equal(ma, again) {
			t.Fatalf("Screen(%q) differs between two calls", q.Name)
		}
	}
}

// TestScreenAboveAgrees checks that ScreenAbove (what the engine decides
// with) gives a name found by both the score Screen gives it. ScreenAbove
// prunes candidates harder, by a bound that assumes query words match only
// listed words retrieval finds for them (one edit, or the same skeleton),
// so it may miss a hit that Screen finds through a word two edits away;
// the labelled set measures recall with ScreenAbove.
func TestScreenAboveAgrees(t *testing.T) {
	idx := testIndex(t)
	rows := EvalSet()
	missed, hits := 0, 0
	for i := 0; i < len(rows); i += 3 {
		q := Query{Name: rows[i].Name}
		want := map[string]int{}
		for _, m := range idx.Screen(q) {
			if m.Score >= DefaultThreshold {
				want[m.Reference] = m.Score
				hits++
			}
		}
		got := idx.ScreenAbove(q, DefaultThreshold)
		for _, m := range got {
			if s, ok := want[m.Reference]; ok && s != m.Score {
				t.Errorf("ScreenAbove(%q) scores %s %d; Screen %d", q.Name, m.Reference, m.Score, s)
			}
		}
		for ref := range want {
			if !slices.ContainsFunc(got, func(m Match) bool { return m.Reference == ref }) {
				missed++
			}
		}
	}
	if missed*100 > hits {
		t.Errorf("ScreenAbove misses %d of %d hits Screen finds; want under 1%%", missed, hits)
	}
}

func TestDecide(t *testing.T) {
	ms := []Match{{Reference: "A", Score: 900}, {Reference: "B", Score: 800}}
	tests := []struct {
		ms        []Match
		threshold int
		hit       bool
		best      string
	}{
		{ms, 850, true, "A"},
		{ms, 900, true, "A"},
		{ms, 901, false, "A"},
		{nil, 850, false, ""},
	}
	for _, tt := range tests {
		d := Decide(tt.ms, tt.threshold)
		if d.Hit != tt.hit || d.Best.Reference != tt.best || d.Threshold != tt.threshold {
			t.Errorf("Decide(%v, %d) = %+v; want hit %v, best %q", tt.ms, tt.threshold, d, tt.hit, tt.best)
		}
	}
}

func TestQueryValidate(t *testing.T) {
	tests := []struct {
		q  Query
		ok bool
	}{
		{Query{Name: "Ivan Sidorov"}, true},
		{Query{Name: "Ivan Sidorov", Country: "RU"}, true},
		{Query{Name: ""}, false},
		{Query{Name: "--"}, false},
		{Query{Name: strings.Repeat("a", MaxNameBytes+1)}, false},
		{Query{Name: strings.Repeat("ab ", MaxNameTokens+1)}, false},
		{Query{Name: "Ivan", Country: "Atlantis"}, false},
	}
	for _, tt := range tests {
		if err := tt.q.Validate(); (err == nil) != tt.ok {
			t.Errorf("Query{%.20q}.Validate() = %v; want ok %v", tt.q.Name, err, tt.ok)
		}
	}
}

func TestEvaluate(t *testing.T) {
	idx := testCSVIndex(t)
	rows := []EvalRow{
		{Name: "Ivan Sidorov", Expected: "OPS-0001"},
		{Name: "Romashka LLC", Expected: "OPS-0002"},
		{Name: "Pavel Ivanov", Expected: "OPS-0001"},
		{Name: "Sidorov Ivan Petrovich", Expected: ""},
		{Name: "Anna Karenina", Expected: ""},
	}
	rep := Evaluate(idx, rows, DefaultThreshold)
	if rep.Recall != (Ratio{2, 3}) || rep.FalsePositiveRate != (Ratio{1, 2}) {
		t.Errorf("Evaluate: recall %v, false positives %v; want 2/3 and 1/2", rep.Recall, rep.FalsePositiveRate)
	}
	if len(rep.Misses) != 1 || rep.Misses[0].Name != "Pavel Ivanov" || len(rep.FalsePositives) != 1 || rep.FalsePositives[0].Reference != "OPS-0001" {
		t.Errorf("Evaluate: misses %+v, false positives %+v", rep.Misses, rep.FalsePositives)
	}
	if got := (Ratio{1964, 2003}).String(); got != "98.05% (1964/2003)" {
		t.Errorf("Ratio.String() = %q", got)
	}
	if _, err := ReadEvalCSV(strings.NewReader("name,label\nx,\n")); err == nil {
		t.Errorf("ReadEvalCSV(bad header) = nil error")
	}
}

// Much of the deterministic core's rules (see internal/engine's arch test):
// no I/O, clock or randomness, no goroutines. sync is allowed for the
// sync.Pool of working memory, whose use cannot change a result.
var forbiddenImports = []string{
	"os", "os/exec", "io/ioutil", "net", "net/http", "time", "math/rand", "math/rand/v2",
	"crypto/rand", "syscall", "unsafe", "runtime", "hash/maphash",
	"log", "log/slog", "path/filepath",
}

// pureLeaf is the one project package screening may import: it checks the
// form of a BIC and imports nothing itself (TestPackageIsPure checks).
const pureLeaf = "github.com/mutua-org/mutua/internal/bic"

func TestPackageIsPure(t *testing.T) {
	leaf, err := parser.ParseDir(token.NewFileSet(), "../bic", func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, parser.ImportsOnly)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range leaf {
		for name, f := range p.Files {
			if len(f.Imports) > 0 {
				t.Errorf("%s of %s imports %d packages; it must import none", name, pureLeaf, len(f.Imports))
			}
		}
	}

	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkgs {
		for name, f := range p.Files {
			for _, imp := range f.Imports {
				path := strings.Trim(imp.Path.Value, `"`)
				if slices.Contains(forbiddenImports, path) || strings.HasPrefix(path, "github.com/mutua-org/mutua/internal/") && path != pureLeaf {
					t.Errorf("%s imports %s", name, path)
				}
			}
			ast.Inspect(f, func(n ast.Node) bool {
				if g, ok := n.(*ast.GoStmt); ok {
					t.Errorf("%s: go statement at %s", name, fset.Position(g.Pos()))
				}
				return true
			})
		}
	}
}

// FuzzParseCSV: malformed lists are errors, never panics; accepted lists
// index and screen.
func FuzzParseCSV(f *testing.F) {
	f.Add(CSVHeader + "\nOPS-1,individual,Ivan Sidorov,Иван Сидоров;~Vanya,RU,1971-03-02;1960..1965,x\n")
	f.Add(CSVHeader + "\nA,,\"Smith, John\",,,~1970,\n")
	f.Add("reference,type\n")
	f.Add(CSVHeader + "\nA,entity,\"unterminated\n")
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseCSV(strings.NewReader(s))
		if err != nil {
			return
		}
		if v.Counts.Entries != len(v.Entries) || v.Counts.Entries == 0 {
			t.Fatalf("counts %+v for %d entries", v.Counts, len(v.Entries))
		}
		idx := NewIndex(v)
		for _, e := range v.Entries {
			idx.Screen(Query{Name: e.Names[0].Full})
		}
	})
}

// TestScreenConcurrent screens from several goroutines at once (run with
// -race) and checks the results against screening one at a time.
func TestScreenConcurrent(t *testing.T) {
	idx := testIndex(t)
	rows := EvalSet()[:400]
	want := make([][]Match, len(rows))
	for i, r := range rows {
		want[i] = idx.Screen(Query{Name: r.Name})
	}
	errs := make(chan string, 4)
	for g := 0; g < 4; g++ {
		go func() {
			for i := len(rows) - 1; i >= 0; i-- {
				if got := idx.Screen(Query{Name: rows[i].Name}); !cmp.Equal(got, want[i]) {
					errs <- rows[i].Name
					return
				}
			}
			errs <- ""
		}()
	}
	for g := 0; g < 4; g++ {
		if name := <-errs; name != "" {
			t.Errorf("concurrent Screen(%q) differs from Screen alone", name)
		}
	}
}
