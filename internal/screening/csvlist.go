package screening

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"errors"
	"fmt"
	bicform "github.com/mutua-org/mutua/internal/bic"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CSVHeader is the header row an operator's own list must start with.
//
//	reference      required, unique; at most 64 printable characters, e.g. "OPS-0001"
//	type           individual, entity, vessel, aircraft, or empty (unknown)
//	name           required: the primary name
//	aliases        other names separated by ";"; a leading "~" marks a
//	               low-quality alias ("~Abu Ali")
//	country        ISO 3166 alpha-2 codes or country names separated by ";"
//	date_of_birth  dates separated by ";": YYYY, YYYY-MM, YYYY-MM-DD, a
//	               range of years YYYY..YYYY, or any of these after "~"
//	               for an approximate date
//	regime         free text: the programme or reason for listing
//
// A list may have one more column, bic (CSVHeaderBIC): the entry's BICs
// separated by ";", 8 or 11 characters each, for the payments that name a
// bank by BIC only.
//
// Fields are RFC 4180 CSV (encoding/csv), UTF-8.
const CSVHeader = "reference,type,name,aliases,country,date_of_birth,regime"

// CSVHeaderBIC is CSVHeader with the optional bic column.
const CSVHeaderBIC = CSVHeader + ",bic"

// ParseCSV reads an operator's own list in the CSVHeader format. The
// version's Source is "CSV"; use ParseCSVSource to name it.
func ParseCSV(r io.Reader) (*ListVersion, error) { return ParseCSVSource("CSV", r) }

// ParseCSVSource is ParseCSV with the source name to record. SHA256 is the
// hash of the file's bytes; Generated is zero (set it after import if the
// operator supplies one).
func ParseCSVSource(source string, r io.Reader) (*ListVersion, error) {
	v, err := parseCSV(source, r)
	if err != nil {
		return nil, fmt.Errorf("screening: CSV list %s: %w", source, err)
	}
	return v, nil
}

func parseCSV(source string, r io.Reader) (*ListVersion, error) {
	if source == "" || len(source) > 32 || strings.ContainsFunc(source, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)))
	}) {
		return nil, fmt.Errorf("bad source name %q: want 1-32 ASCII letters, digits, '-', '_' or '.'", source)
	}
	data, err := io.ReadAll(limit(r))
	if err != nil {
		return nil, err
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("not UTF-8: %w", ErrMalformed)
	}
	sum := sha256.Sum256(data)
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a byte-order mark
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1 // the header's count, checked below
	header, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("empty file, want header %q: %w", CSVHeader, ErrMalformed)
	}
	if err != nil {
		return nil, csvErr(err)
	}
	got := strings.ReplaceAll(strings.Join(header, ","), " ", "")
	if !strings.EqualFold(got, CSVHeader) && !strings.EqualFold(got, CSVHeaderBIC) {
		return nil, fmt.Errorf("header is %q, want %q or %q: %w", got, CSVHeader, CSVHeaderBIC, ErrMalformed)
	}
	cr.FieldsPerRecord = len(header)
	v := &ListVersion{Source: source}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvErr(err)
		}
		line, _ := cr.FieldPos(0)
		if len(v.Entries) >= MaxEntries {
			return nil, fmt.Errorf("more than %d entries: %w", MaxEntries, ErrTooLarge)
		}
		e, err := csvEntry(rec)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		v.Entries = append(v.Entries, e)
	}
	if len(v.Entries) == 0 {
		return nil, fmt.Errorf("no entries: %w", ErrMalformed)
	}
	if err := v.finish(sum[:]); err != nil {
		return nil, err
	}
	return v, nil
}

func csvErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("%w: %w", err, ErrMalformed)
	}
	return err
}

func csvEntry(rec []string) (Entry, error) {
	for i, s := range rec {
		if len(s) > MaxFieldBytes {
			return Entry{}, fmt.Errorf("field %d longer than %d bytes: %w", i+1, MaxFieldBytes, ErrTooLarge)
		}
	}
	ref := strings.TrimSpace(rec[0])
	if ref == "" || len(ref) > 64 || strings.ContainsFunc(ref, func(r rune) bool { return !unicode.IsPrint(r) }) {
		return Entry{}, fmt.Errorf("bad reference %q: want 1-64 printable characters: %w", rec[0], ErrMalformed)
	}
	e := Entry{Reference: ref, Regime: strings.TrimSpace(rec[6])}
	kind, err := ParseKind(rec[1])
	if err != nil {
		return e, fmt.Errorf("%s: %w: %w", ref, err, ErrMalformed)
	}
	e.Kind = kind
	if strings.TrimSpace(rec[2]) == "" {
		return e, fmt.Errorf("%s: empty name: %w", ref, ErrMalformed)
	}
	if len(Tokens(rec[2])) == 0 {
		return e, fmt.Errorf("%s: name %q has no letters or digits: %w", ref, rec[2], ErrMalformed)
	}
	if err := e.addName(Name{Full: rec[2], Primary: true}); err != nil {
		return e, err
	}
	for _, a := range splitList(rec[3]) {
		n := Name{Full: a}
		if rest, ok := strings.CutPrefix(a, "~"); ok {
			n = Name{Full: rest, Quality: QualityLow}
		}
		if err := e.addName(n); err != nil {
			return e, err
		}
	}
	for _, c := range splitList(rec[4]) {
		if CountryCode(c) == "" {
			return e, fmt.Errorf("%s: unknown country %q: %w", ref, c, ErrMalformed)
		}
		e.Nationalities = append(e.Nationalities, c)
	}
	for _, s := range splitList(rec[5]) {
		dob := DateOfBirth{}
		if rest, ok := strings.CutPrefix(s, "~"); ok {
			dob.Approx, s = true, strings.TrimSpace(rest)
		}
		from, to, isRange := strings.Cut(s, "..")
		d, err := ParseDate(from)
		if err != nil {
			return e, fmt.Errorf("%s: date of birth: %w: %w", ref, err, ErrMalformed)
		}
		dob.Date = d
		if isRange {
			t, err := strconv.Atoi(strings.TrimSpace(to))
			if err != nil || d.Month != 0 || t < d.Year || t > 2200 {
				return e, fmt.Errorf("%s: bad date of birth range %q: %w", ref, s, ErrMalformed)
			}
			dob.ToYear = t
		}
		e.DatesOfBirth = append(e.DatesOfBirth, dob)
	}
	if len(rec) > 7 {
		for _, b := range splitList(rec[7]) {
			if b = strings.ToUpper(b); !bicform.Valid(b) {
				return e, fmt.Errorf("%s: bad BIC %q: want 4 letters, a 2-letter country, 2 letters or digits and an optional 3-character branch: %w", ref, b, ErrMalformed)
			}
			e.BICs = append(e.BICs, b)
		}
	}
	return e, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ";") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
