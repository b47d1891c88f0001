package screening

import (
	_ "embed"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// EvalRow is one labelled name: Expected is the list reference the name
// must match (at or above the threshold), or "" for a name that must not
// match anything.
type EvalRow struct {
	Name     string
	Expected string
}

// ReadEvalCSV reads a labelled set: a header "name,expected", then one row
// per name.
func ReadEvalCSV(r io.Reader) ([]EvalRow, error) {
	cr := csv.NewReader(limit(r))
	cr.FieldsPerRecord = 2
	head, err := cr.Read()
	if err != nil {
		if err == io.EOF {
			return nil, fmt.Errorf("screening: eval file: empty, want header name,expected: %w", ErrMalformed)
		}
		return nil, fmt.Errorf("screening: eval file: %w", csvErr(err))
	}
	if strings.TrimPrefix(head[0], "\ufeff") != "name" || head[1] != "expected" {
		return nil, fmt.Errorf("screening: eval file: header %q, want name,expected: %w", strings.Join(head, ","), ErrMalformed)
	}
	var rows []EvalRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("screening: eval file: %w", csvErr(err))
		}
		if len(rows) >= MaxEvalRows {
			return nil, fmt.Errorf("screening: eval file: more than %d rows: %w", MaxEvalRows, ErrTooLarge)
		}
		line, _ := cr.FieldPos(0)
		if strings.TrimSpace(rec[0]) == "" || len(rec[0]) > MaxNameBytes {
			return nil, fmt.Errorf("screening: eval file line %d: name empty or longer than %d bytes: %w", line, MaxNameBytes, ErrMalformed)
		}
		rows = append(rows, EvalRow{Name: rec[0], Expected: strings.TrimSpace(rec[1])})
	}
}

// WriteEvalCSV writes rows in the format ReadEvalCSV reads.
func WriteEvalCSV(w io.Writer, rows []EvalRow) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"name", "expected"}); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write([]string{r.Name, r.Expected}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Ratio is an exact proportion. It marshals to JSON as an object with the
// counts, the proportion in basis points (rounded down) and as a percentage
// string with two decimals (rounded down).
type Ratio struct {
	Count int
	Total int
}

// BasisPoints returns Count/Total in basis points (1/10000), rounded down;
// 0 when Total is 0.
func (r Ratio) BasisPoints() int {
	if r.Total == 0 {
		return 0
	}
	return r.Count * 10000 / r.Total
}

func (r Ratio) String() string {
	bp := r.BasisPoints()
	return fmt.Sprintf("%d.%02d%% (%d/%d)", bp/100, bp%100, r.Count, r.Total)
}

// MarshalJSON implements json.Marshaler.
func (r Ratio) MarshalJSON() ([]byte, error) {
	bp := r.BasisPoints()
	return json.Marshal(struct {
		Count       int    `json:"count"`
		Total       int    `json:"total"`
		BasisPoints int    `json:"basis_points"`
		Percent     string `json:"percent"`
	}{r.Count, r.Total, bp, fmt.Sprintf("%d.%02d", bp/100, bp%100)})
}

// EvalMiss is a labelled name that did not match its expected entry, with
// the best match it got instead (if any).
type EvalMiss struct {
	Name      string `json:"name"`
	Expected  string `json:"expected"`
	Score     int    `json:"score"`                // the expected entry's score, 0 if below MinScore
	Best      string `json:"best,omitempty"`       // reference of the best match
	BestScore int    `json:"best_score,omitempty"` // its score
}

// EvalFalsePositive is a name that must not match but did.
type EvalFalsePositive struct {
	Name        string `json:"name"`
	Reference   string `json:"reference"`
	ListedName  string `json:"listed_name"`
	Score       int    `json:"score"`
	Explanation string `json:"explanation"`
}

// EvalReport is the outcome of Evaluate.
type EvalReport struct {
	Threshold         int                 `json:"threshold"`
	ListVersions      []string            `json:"list_versions"`
	Recall            Ratio               `json:"recall"`              // positives found / positives
	FalsePositiveRate Ratio               `json:"false_positive_rate"` // negatives matched / negatives
	Misses            []EvalMiss          `json:"misses"`
	FalsePositives    []EvalFalsePositive `json:"false_positives"`
}

// evalMatches bounds the matches Evaluate considers per row: more than
// Screen returns, so that an expected entry sharing its name with many
// others is still seen.
const evalMatches = 200

// Evaluate screens every row against idx as the engine does, with
// ScreenAbove(threshold). A positive row (Expected set) is found if the
// expected entry scores at least threshold; a negative row is a false
// positive if anything scores at least threshold. Rows are screened as
// KindUnknown with no secondary attributes. A miss's Score is 0 when the
// expected entry did not reach the threshold.
func Evaluate(idx *Index, rows []EvalRow, threshold int) EvalReport {
	rep := EvalReport{Threshold: threshold, ListVersions: idx.VersionIDs(), Misses: []EvalMiss{}, FalsePositives: []EvalFalsePositive{}}
	for _, r := range rows {
		ms := idx.screen(Query{Name: r.Name}, evalMatches, threshold)
		if r.Expected == "" {
			rep.FalsePositiveRate.Total++
			if len(ms) > 0 && ms[0].Score >= threshold {
				rep.FalsePositiveRate.Count++
				rep.FalsePositives = append(rep.FalsePositives, EvalFalsePositive{
					Name: r.Name, Reference: ms[0].Reference, ListedName: ms[0].ListedName,
					Score: ms[0].Score, Explanation: ms[0].Explanation.String(),
				})
			}
			continue
		}
		rep.Recall.Total++
		score := 0
		for _, m := range ms {
			if m.Reference == r.Expected {
				score = m.Score
				break
			}
		}
		if score >= threshold {
			rep.Recall.Count++
			continue
		}
		miss := EvalMiss{Name: r.Name, Expected: r.Expected, Score: score}
		if len(ms) > 0 {
			miss.Best, miss.BestScore = ms[0].Reference, ms[0].Score
		}
		rep.Misses = append(rep.Misses, miss)
	}
	return rep
}

//go:embed testdata/eval.csv
var evalCSV string

// EvalSet returns the labelled set shipped with the binary
// (testdata/eval.csv: variants of listed names and ordinary names that are
// not listed; see evalgen_test.go for how it is generated).
func EvalSet() []EvalRow {
	rows, err := ReadEvalCSV(strings.NewReader(evalCSV))
	if err != nil {
		panic("screening: embedded eval set: " + err.Error()) // checked by tests
	}
	return rows
}
