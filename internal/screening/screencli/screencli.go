// Package screencli implements the "mutua screen" command: screening names
// against the shipped or given sanctions lists, evaluating a labelled set,
// and benchmarking the matcher. It is the shell around package screening,
// which stays free of files, clocks and goroutines so the engine can use it.
package screencli

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/mutua-org/mutua/internal/screening"
)

const usage = `usage:
  mutua screen [flags] NAME...          best matches of each name against the lists
  mutua screen eval [flags] [FILE.csv]  recall and false positives on a labelled set
                                        (name,expected; default: the shipped set)
  mutua screen bench [flags]            screening speed, payments of 4 names

flags:
  --list FILE       a list to screen against instead of the shipped UN list and
                    OFAC subset; repeatable. .xml is the UN format; .csv is an
                    operator list (header ` + screening.CSVHeader + `)
                    or OFAC's sdn.csv (alt.csv, add.csv and sdn_comments.csv
                    beside it are read too, also as *-alt*, *-add*)
  --threshold N     score (0-1000) at or above which a match is a hit (default %d)
  --json            print JSON
screen only:
  --kind K          individual, entity or unknown (default unknown)
  --country C       the party's country (ISO code or name)
  --dob DATE        the party's date of birth (YYYY, YYYY-MM or YYYY-MM-DD)
  --top N           matches to print per name (default 5)
bench only:
  --payments N      payments to screen (default 20000)
`

// RunScreen runs "mutua screen" with args (the arguments after "screen") and
// returns the exit status: 0 on success, 1 on failure, 2 on bad usage.
func RunScreen(args []string, stdout, stderr io.Writer) int {
	cmd := "names"
	if len(args) > 0 && (args[0] == "eval" || args[0] == "bench") {
		cmd, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("screen", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var lists listFlag
	fs.Var(&lists, "list", "")
	threshold := fs.Int("threshold", screening.DefaultThreshold, "")
	asJSON := fs.Bool("json", false, "")
	kind := fs.String("kind", "", "")
	country := fs.String("country", "", "")
	dob := fs.String("dob", "", "")
	top := fs.Int("top", 5, "")
	payments := fs.Int("payments", 20000, "")
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "mutua screen: "+format+"\n", a...)
		return 1
	}
	// Flags may come before or after the names.
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprintf(stdout, usage, screening.DefaultThreshold)
				return 0
			}
			fmt.Fprintf(stderr, "mutua screen: %v\n"+usage, err, screening.DefaultThreshold)
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if *threshold < 0 || *threshold > 1000 {
		fmt.Fprintf(stderr, "mutua screen: --threshold %d: want 0 to 1000\n", *threshold)
		return 2
	}
	var idx *screening.Index
	var bics *screening.BICIndex
	if len(lists) == 0 {
		base, baseBICs, err := defaultIndex()
		if err != nil {
			return fail("%v", err)
		}
		idx, bics = base.Clone(), baseBICs
	} else {
		versions, err := loadLists(lists)
		if err != nil {
			return fail("%v", err)
		}
		idx, bics = screening.NewIndex(versions...), screening.NewBICIndex(versions...)
	}
	switch cmd {
	case "eval":
		var rows []screening.EvalRow
		switch len(pos) {
		case 0:
			rows = screening.EvalSet()
		case 1:
			f, err := os.Open(pos[0])
			if err != nil {
				return fail("%v", err)
			}
			rows, err = screening.ReadEvalCSV(f)
			f.Close()
			if err != nil {
				return fail("%s: %v", pos[0], err)
			}
		default:
			fmt.Fprintf(stderr, "mutua screen eval: want one FILE.csv, got %d arguments\n", len(pos))
			return 2
		}
		return printEval(stdout, stderr, screening.Evaluate(idx, rows, *threshold), *asJSON)
	case "bench":
		if len(pos) > 0 || *payments <= 0 {
			fmt.Fprintf(stderr, "mutua screen bench: takes no arguments and --payments > 0\n")
			return 2
		}
		rep := Bench(idx, SamplePayments(*payments))
		if *asJSON {
			return writeJSON(stdout, stderr, rep)
		}
		fmt.Fprintln(stdout, rep)
		return 0
	}
	if len(pos) == 0 {
		fmt.Fprintf(stderr, "mutua screen: no names\n"+usage, screening.DefaultThreshold)
		return 2
	}
	q := screening.Query{Country: *country}
	var err error
	if q.Kind, err = screening.ParseKind(*kind); err != nil {
		fmt.Fprintf(stderr, "mutua screen: --kind: %v\n", err)
		return 2
	}
	if *dob != "" {
		if q.DateOfBirth, err = screening.ParseDate(*dob); err != nil {
			fmt.Fprintf(stderr, "mutua screen: --dob: %v\n", err)
			return 2
		}
	}
	var results []nameResult
	for _, name := range pos {
		q.Name = name
		if err := q.Validate(); err != nil {
			return fail("%v", err)
		}
		// A BIC the lists publish matches exactly, ahead of any name.
		ms := append(bics.Screen(name), idx.Screen(q)...)
		d := screening.Decide(ms, *threshold)
		if len(ms) > *top {
			ms = ms[:*top]
		}
		results = append(results, nameResult{Name: name, Hit: d.Hit, Matches: ms})
	}
	if *asJSON {
		return writeJSON(stdout, stderr, screenOutput{Threshold: *threshold, ListVersions: idx.VersionIDs(), Results: jsonResults(results)})
	}
	fmt.Fprintf(stdout, "lists: %s; threshold %d\n", strings.Join(idx.VersionIDs(), ", "), *threshold)
	for _, r := range results {
		verdict := "no hit"
		if r.Hit {
			verdict = "HIT"
		}
		fmt.Fprintf(stdout, "\n%s: %s\n", r.Name, verdict)
		if len(r.Matches) == 0 {
			fmt.Fprintf(stdout, "  no match scores %d or more\n", screening.MinScore)
		}
		for _, m := range r.Matches {
			mark := " "
			if m.Score >= *threshold {
				mark = "*"
			}
			fmt.Fprintf(stdout, " %s %4d  %-14s %s", mark, m.Score, m.Reference, m.ListedName)
			if m.ListedName != m.PrimaryName && !isBICMatch(m) {
				fmt.Fprintf(stdout, " (alias of %s)", m.PrimaryName)
			}
			fmt.Fprintf(stdout, "  [%s, %s]\n        %s\n", m.Regime, m.ListVersion, m.Explanation)
		}
	}
	return 0
}

type nameResult struct {
	Name    string
	Hit     bool
	Matches []screening.Match
}

type screenOutput struct {
	Threshold    int          `json:"threshold"`
	ListVersions []string     `json:"list_versions"`
	Results      []jsonResult `json:"results"`
}

type jsonResult struct {
	Name    string      `json:"name"`
	Hit     bool        `json:"hit"`
	Matches []jsonMatch `json:"matches"`
}

type jsonMatch struct {
	Reference   string `json:"reference"`
	ListedName  string `json:"listed_name"`
	PrimaryName string `json:"primary_name"`
	Kind        string `json:"kind"`
	Regime      string `json:"regime"`
	ListVersion string `json:"list_version"`
	Score       int    `json:"score"`
	Explanation string `json:"explanation"`
}

func jsonResults(rs []nameResult) []jsonResult {
	out := make([]jsonResult, 0, len(rs))
	for _, r := range rs {
		jr := jsonResult{Name: r.Name, Hit: r.Hit, Matches: []jsonMatch{}}
		for _, m := range r.Matches {
			jr.Matches = append(jr.Matches, jsonMatch{
				Reference: m.Reference, ListedName: m.ListedName, PrimaryName: m.PrimaryName,
				Kind: m.Kind.String(), Regime: m.Regime, ListVersion: m.ListVersion,
				Score: m.Score, Explanation: m.Explanation.String(),
			})
		}
		out = append(out, jr)
	}
	return out
}

func printEval(stdout, stderr io.Writer, rep screening.EvalReport, asJSON bool) int {
	if asJSON {
		return writeJSON(stdout, stderr, rep)
	}
	fmt.Fprintf(stdout, "lists: %s; threshold %d\n", strings.Join(rep.ListVersions, ", "), rep.Threshold)
	fmt.Fprintf(stdout, "recall:              %s\n", rep.Recall)
	fmt.Fprintf(stdout, "false-positive rate: %s\n", rep.FalsePositiveRate)
	if len(rep.Misses) > 0 {
		fmt.Fprintf(stdout, "\nmisses (%d):\n", len(rep.Misses))
		for _, m := range rep.Misses {
			fmt.Fprintf(stdout, "  %q: want %s, scored %d", m.Name, m.Expected, m.Score)
			if m.Best != "" && m.Best != m.Expected {
				fmt.Fprintf(stdout, "; best %s %d", m.Best, m.BestScore)
			}
			fmt.Fprintln(stdout)
		}
	}
	if len(rep.FalsePositives) > 0 {
		fmt.Fprintf(stdout, "\nfalse positives (%d):\n", len(rep.FalsePositives))
		for _, f := range rep.FalsePositives {
			fmt.Fprintf(stdout, "  %q: %s %q %d: %s\n", f.Name, f.Reference, f.ListedName, f.Score, f.Explanation)
		}
	}
	return 0
}

func writeJSON(stdout, stderr io.Writer, v any) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(stderr, "mutua screen: %v\n", err)
		return 1
	}
	return 0
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

var defaults struct {
	once sync.Once
	idx  *screening.Index
	bics *screening.BICIndex
	err  error
}

// defaultIndex returns the name and BIC indexes of the embedded lists,
// built once per process.
func defaultIndex() (*screening.Index, *screening.BICIndex, error) {
	defaults.once.Do(func() {
		vs, err := screening.DefaultVersions()
		if err != nil {
			defaults.err = err
			return
		}
		defaults.idx, defaults.bics = screening.NewIndex(vs...), screening.NewBICIndex(vs...)
	})
	return defaults.idx, defaults.bics, defaults.err
}

// loadLists reads the named list files.
func loadLists(paths []string) ([]*screening.ListVersion, error) {
	var out []*screening.ListVersion
	for _, p := range paths {
		v, err := LoadList(p)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// LoadList reads one list file, detecting its format: UN XML (by the .xml
// extension or a leading '<'), an operator CSV (by its header), or OFAC's
// sdn.csv, whose alt, add and comments files are read from beside it when
// they exist.
func LoadList(path string) (*screening.ListVersion, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var head [512]byte
	n, _ := io.ReadFull(f, head[:])
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	text := strings.TrimLeft(strings.TrimPrefix(string(head[:n]), "\ufeff"), " \t\r\n")
	switch {
	case strings.EqualFold(filepath.Ext(path), ".xml") || strings.HasPrefix(text, "<"):
		return screening.ParseUN(f)
	case strings.HasPrefix(strings.ToLower(strings.ReplaceAll(text, " ", "")), screening.CSVHeader):
		name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		return screening.ParseCSVSource(sourceName(name), f)
	}
	files := screening.OFACFiles{SDN: f}
	var open []*os.File
	defer func() {
		for _, o := range open {
			o.Close()
		}
	}()
	for _, side := range []struct {
		dst   *io.Reader
		names []string
	}{
		{&files.Alt, []string{"alt"}},
		{&files.Add, []string{"add"}},
		{&files.Comments, []string{"sdn_comments", "sdn-comments"}},
	} {
		for _, repl := range side.names {
			sib := siblingPath(path, repl)
			if sib == "" {
				continue
			}
			o, err := os.Open(sib)
			if err != nil {
				continue
			}
			open = append(open, o)
			*side.dst = o
			break
		}
	}
	return screening.ParseOFACFiles(files)
}

// siblingPath replaces the last "sdn" in the file name of path by repl:
// "x/sdn.csv" → "x/alt.csv", "ofac-sdn-subset.csv" → "ofac-alt-subset.csv".
func siblingPath(path, repl string) string {
	dir, base := filepath.Split(path)
	i := strings.LastIndex(strings.ToLower(base), "sdn")
	if i < 0 {
		return ""
	}
	return filepath.Join(dir, base[:i]+repl+base[i+3:])
}

// sourceName makes a list source name from a file name.
func sourceName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if b.Len() >= 32 {
			break
		}
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	if b.Len() == 0 {
		return "CSV"
	}
	return b.String()
}

// isBICMatch reports whether m matched a BIC rather than a name.
func isBICMatch(m screening.Match) bool {
	t := m.Explanation.Tokens
	return len(t) == 1 && t[0].How == "bic"
}
