// Package screening imports sanctions lists, versions them, and screens party
// names against them.
//
// The package is pure in the sense of DESIGN.md: it does no file or network
// I/O (list files come in as io.Readers, or from the lists embedded in the
// binary), reads no clock, starts no goroutine and uses no randomness (a
// test enforces this); its only use of sync is a sync.Pool of working
// memory, so that an Index is safe for concurrent use. Building an index and screening never depend on map
// iteration order, and every score is integer arithmetic, so the same list
// versions and the same query give the same matches, in the same order,
// with the same scores on every machine: the engine can record (list
// version IDs, matched reference, score) and replay reproduces the
// decision. The shell around it — "mutua screen", the benchmark, reading
// list files — is package screencli.
//
// # Pipeline
//
//  1. Import: ParseUN, ParseOFAC (or ParseOFACFiles) and ParseCSV turn list
//     files into a ListVersion: entries, source, generation date, SHA-256
//     content hash, counts, and an ID derived from the hash.
//     DefaultVersions parses the embedded UN list and OFAC subset.
//  2. Normalise (normalize.go, translit.go): Unicode NFKD without marks,
//     Cyrillic by ICAO 9303, Greek by ELOT 743, Arabic by a simplified
//     BGN/PCGN; case, punctuation, legal forms, honorifics; a fold that
//     reconciles romanisations (kh/h, y/i, ou/u, dzh/j, doubled letters);
//     name variant groups (Mohammed/Muhammad/Mohd, ...).
//  3. Index: NewIndex interns every word of every name (primary and
//     aliases) and indexes it by exact spelling, by its one-character
//     deletions (so a query word one insertion, deletion, substitution or
//     transposition away shares a key), and by consonant skeleton; joined
//     adjacent words are indexed too, for "AlQaida" / "Al Qaida".
//  4. Screen: (*Index).ScreenAbove — what the engine decides with — and
//     Screen (down to MinScore, for people) retrieve the names that share
//     keys with the query, keep those whose bound can reach the floor
//     (MaxScore: the commonest query words are not even looked up when the
//     rest must match anyway), align the words of each candidate with the
//     query's (Jaro-Winkler and edit distance, initials, joins and splits,
//     any order) and score 0..1000 with an explanation; Decide compares the
//     best score with the operator's threshold (DefaultThreshold 850).
//  5. Evaluate: Evaluate measures recall and false positives on a labelled
//     set; EvalSet is the one shipped in testdata/eval.csv, which
//     evalgen_test.go generates from the lists with a fixed seed.
//
// # Scores
//
// A name score is the mean of two coverages, of the listed name and of the
// query: Σ weight × similarity of the matched words over Σ weight of all
// words. Words weigh by how rare they are on the lists (a word on at most 5
// listed names weighs 100, on more than 300 names 45); particles (al, bin,
// de) 15, initials 50. Unmatched middle names of individuals weigh half.
// The similarity of two different words is their Jaro-Winkler similarity
// (or edit similarity) with the distance doubled (tripled when the query
// word is itself a listed name, so "Karim" is not a typo of "Kasim"), and
// counts only from 0.86 (0.88 for four letters, 0.90 for three). Names
// whose matched words are all common lose points when they are entities'
// ("Global Trading Group") or only partly matched. Then a
// low-quality alias loses 120, a kind mismatch 100, an agreeing date of
// birth gains 40 (year) or 60 (date) and a contradicting one loses 120, an
// agreeing country gains 30 and a contradicting one loses 40.
package screening

import (
	"fmt"
	"slices"
	"strings"
)

// Kind is the kind of party a list entry or a query names.
type Kind uint8

// Kinds. The numeric values are recorded nowhere; the names are.
const (
	KindUnknown Kind = iota
	KindIndividual
	KindEntity
	KindVessel
	KindAircraft
)

var kindNames = [...]string{"unknown", "individual", "entity", "vessel", "aircraft"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// ParseKind parses a kind name as written by Kind.String; the empty string is
// KindUnknown.
func ParseKind(s string) (Kind, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "unknown":
		return KindUnknown, nil
	case "individual", "person":
		return KindIndividual, nil
	case "entity", "organization", "organisation", "company":
		return KindEntity, nil
	case "vessel":
		return KindVessel, nil
	case "aircraft":
		return KindAircraft, nil
	}
	return KindUnknown, fmt.Errorf("screening: unknown party kind %q", s)
}

// Quality says how reliable a listed name is. Lists publish "low quality" or
// "weak" aliases (often short, generic nicknames) that on their own are not
// expected to identify anyone; they are indexed but score lower.
type Quality uint8

// Qualities.
const (
	QualityGood Quality = iota
	QualityLow
)

func (q Quality) String() string {
	if q == QualityLow {
		return "low"
	}
	return "good"
}

// Name is one name under which an entry is listed.
type Name struct {
	Full    string  // as published, e.g. "SADDAM HUSSEIN AL-TIKRITI"
	Primary bool    // the entry's main name (exactly one per entry)
	Quality Quality // QualityLow for the lists' low-quality / weak aliases
	Type    string  // "", "a.k.a.", "f.k.a.", "n.k.a.", "original script"
}

// Date is a calendar date whose month and day may be unknown (zero). Dates
// of birth on the lists are often only a year.
type Date struct {
	Year  int
	Month int // 0 when unknown
	Day   int // 0 when unknown
}

// IsZero reports whether d is the zero date (nothing known).
func (d Date) IsZero() bool { return d.Year == 0 }

func (d Date) String() string {
	switch {
	case d.Year == 0:
		return ""
	case d.Month == 0:
		return fmt.Sprintf("%04d", d.Year)
	case d.Day == 0:
		return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// ParseDate parses "YYYY", "YYYY-MM" or "YYYY-MM-DD".
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	var d Date
	bad := fmt.Errorf("screening: bad date %q: want YYYY, YYYY-MM or YYYY-MM-DD", s)
	parts := strings.Split(s, "-")
	if len(parts) > 3 || len(parts[0]) != 4 {
		return Date{}, bad
	}
	vals := [3]*int{&d.Year, &d.Month, &d.Day}
	for i, p := range parts {
		if len(p) == 0 || len(p) > 4 || (i > 0 && len(p) != 2) {
			return Date{}, bad
		}
		n := 0
		for _, c := range p {
			if c < '0' || c > '9' {
				return Date{}, bad
			}
			n = n*10 + int(c-'0')
		}
		*vals[i] = n
	}
	if d.Year < 1800 || d.Year > 2200 || d.Month > 12 || d.Day > 31 || (len(parts) > 1 && d.Month == 0) || (len(parts) > 2 && d.Day == 0) {
		return Date{}, bad
	}
	return d, nil
}

// DateOfBirth is a listed date of birth: an exact or partial date, or a range
// of years (the UN's "BETWEEN", OFAC's "1960 to 1962"), possibly approximate.
type DateOfBirth struct {
	Date   Date // the date, or the start of a range
	ToYear int  // last year of a range; 0 when not a range
	Approx bool // "APPROXIMATELY" / "circa"
}

func (b DateOfBirth) String() string {
	s := b.Date.String()
	if b.ToYear != 0 {
		s += fmt.Sprintf("..%04d", b.ToYear)
	}
	if b.Approx {
		s = "circa " + s
	}
	return s
}

// years returns the first and last year the date of birth allows, widening
// approximate dates by one year on each side.
func (b DateOfBirth) years() (lo, hi int) {
	lo, hi = b.Date.Year, b.Date.Year
	if b.ToYear > hi {
		hi = b.ToYear
	}
	if b.Approx {
		lo, hi = lo-1, hi+1
	}
	return lo, hi
}

// Address is a listed address; any field may be empty.
type Address struct {
	Street  string
	City    string
	State   string
	Postal  string
	Country string
	Note    string
}

// Entry is one listed party.
type Entry struct {
	Reference     string // UN REFERENCE_NUMBER ("KPe.001"), "OFAC-12345", or the operator's reference
	Kind          Kind
	Names         []Name // Names[0] is the primary name
	DatesOfBirth  []DateOfBirth
	Nationalities []string // as published
	Addresses     []Address
	Countries     []string // ISO 3166 alpha-2 codes from nationalities, addresses and places of birth, sorted, unique
	Regime        string   // UN list type ("DPRK", "Al-Qaida") or OFAC program(s) ("SDGT; IFSR")
	ListedOn      string   // as published, when known
	Remarks       string
	BICs          []string `json:",omitempty"` // the BICs of a listed bank, where the list gives them in a field of their own (BICIndex also reads remarks)
}

// Counts summarises a list version.
type Counts struct {
	Entries     int
	Individuals int
	Entities    int
	Others      int // vessels, aircraft
	Names       int // primary names plus aliases
}

// ListVersion is one imported list file (or set of files): the unit that is
// activated, recorded with every screening decision, and replaced by a later
// import. It must not be modified once it has been passed to NewIndex.
type ListVersion struct {
	// ID identifies the version: the lower-case source, a dash, and the first
	// 16 hex digits of SHA256, e.g. "un-3f2a9c1b0d4e5f60". It depends only on
	// the content, so re-importing the same file yields the same ID.
	ID        string
	Source    string // "UN", "OFAC" or the operator's name for a CSV list
	Generated string // when the list was generated, RFC 3339 as the file gives it (UN dateGenerated) or as supplied at import; "" if unknown
	SHA256    string // lower-case hex SHA-256 of the content (see each parser for what is hashed)
	Counts    Counts
	Entries   []Entry
}

func (v *ListVersion) String() string {
	date := "undated"
	if v.Generated != "" {
		date = v.Generated[:10]
	}
	return fmt.Sprintf("%s (%s, %s, %d entries: %d individuals, %d entities, %d others; %d names)",
		v.ID, v.Source, date, v.Counts.Entries, v.Counts.Individuals, v.Counts.Entities, v.Counts.Others, v.Counts.Names)
}

// finish computes the counts, the countries of each entry and the ID, and
// checks the invariants every parser must establish.
func (v *ListVersion) finish(sum []byte) error {
	v.SHA256 = fmt.Sprintf("%x", sum)
	v.ID = strings.ToLower(v.Source) + "-" + v.SHA256[:16]
	v.Counts = Counts{Entries: len(v.Entries)}
	seen := make(map[string]bool, len(v.Entries))
	for i := range v.Entries {
		e := &v.Entries[i]
		if e.Reference == "" {
			return fmt.Errorf("screening: %s: entry %d has no reference", v.Source, i+1)
		}
		if seen[e.Reference] {
			return fmt.Errorf("screening: %s: duplicate reference %q", v.Source, e.Reference)
		}
		seen[e.Reference] = true
		if len(e.Names) == 0 || !e.Names[0].Primary {
			return fmt.Errorf("screening: %s: entry %s has no primary name", v.Source, e.Reference)
		}
		switch e.Kind {
		case KindIndividual:
			v.Counts.Individuals++
		case KindEntity:
			v.Counts.Entities++
		default:
			v.Counts.Others++
		}
		v.Counts.Names += len(e.Names)
		e.Countries = entryCountries(e)
	}
	return nil
}

func entryCountries(e *Entry) []string {
	var codes []string
	add := func(s string) {
		if c := CountryCode(s); c != "" {
			codes = append(codes, c)
		}
	}
	for _, n := range e.Nationalities {
		add(n)
	}
	for _, a := range e.Addresses {
		add(a.Country)
	}
	for _, c := range e.Countries {
		add(c)
	}
	return sortedUnique(codes)
}

func sortedUnique(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	out := append([]string(nil), s...)
	slices.Sort(out)
	n := 1
	for i := 1; i < len(out); i++ {
		if out[i] != out[n-1] {
			out[n] = out[i]
			n++
		}
	}
	return out[:n]
}

// checkTimestamp validates an RFC 3339 timestamp such as
// "2026-02-27T00:00:09.554Z" or a plain date "2026-02-27" (the package
// imports no time: see Index) and returns it trimmed.
func checkTimestamp(s string) (string, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf("screening: bad timestamp %q: want RFC 3339, e.g. 2026-02-27T00:00:09Z", s)
	if len(s) < 10 || len(s) > 40 {
		return "", bad
	}
	if _, err := ParseDate(s[:10]); err != nil || len(s[:10]) != 10 {
		return "", bad
	}
	if len(s) == 10 {
		return s, nil
	}
	rest := s[10:]
	if rest[0] != 'T' && rest[0] != 't' || len(rest) < 9 {
		return "", bad
	}
	clock := rest[1:9]
	if clock[2] != ':' || clock[5] != ':' {
		return "", bad
	}
	for i, c := range clock {
		if i != 2 && i != 5 && (c < '0' || c > '9') {
			return "", bad
		}
	}
	if clock[0:2] > "23" || clock[3:5] > "59" || clock[6:8] > "60" {
		return "", bad
	}
	rest = rest[9:]
	if strings.HasPrefix(rest, ".") {
		i := 1
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 1 {
			return "", bad
		}
		rest = rest[i:]
	}
	switch {
	case rest == "Z" || rest == "z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':':
	default:
		return "", bad
	}
	return s, nil
}
