package screening

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"
)

// OFACFiles are the files of one OFAC SDN publication in OFAC's legacy CSV
// format (no header row; "-0-" means empty; the files end with a 0x1A byte).
// SDN is required; the others may be nil.
type OFACFiles struct {
	SDN      io.Reader // sdn.csv: ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks
	Alt      io.Reader // alt.csv: ent_num, alt_num, alt_type, alt_name, alt_remarks
	Add      io.Reader // add.csv: ent_num, add_num, address, city/state/postal, country, add_remarks
	Comments io.Reader // sdn_comments.csv: ent_num, remarks continued
	// Generated is the publication date or time (RFC 3339, e.g.
	// "2026-02-27"). The CSV files carry none, so the importer supplies it;
	// "" if unknown.
	Generated string
}

// ParseOFAC reads an OFAC SDN publication from its sdn, alt and add CSV
// files (alt and add may be nil). See ParseOFACFiles.
func ParseOFAC(sdn, alt, add io.Reader) (*ListVersion, error) {
	return ParseOFACFiles(OFACFiles{SDN: sdn, Alt: alt, Add: add})
}

// ParseOFACFiles reads an OFAC SDN publication.
//
// References are "OFAC-" and the ent_num. SDN_Type "individual" is an
// individual, "vessel" and "aircraft" are what they say, and an empty type
// is an entity. Aliases come from alt.csv (good quality) and from the weak
// aliases OFAC writes into the remarks as a.k.a. 'NAME' (QualityLow).
// Dates of birth ("DOB 10 Dec 1948", "DOB 1960", "DOB circa 1955", "DOB 1960
// to 1962", "DOB Jan 1960"), nationality, citizenship and the country of
// the place of birth come from the remarks, continued by sdn_comments.csv.
//
// SHA256 hashes, for each file in the order sdn, alt, add, comments, its
// name, its length as 8 big-endian bytes and its bytes, so that moving a
// row from one file to another changes the hash.
func ParseOFACFiles(f OFACFiles) (*ListVersion, error) {
	v, err := parseOFAC(f)
	if err != nil {
		return nil, fmt.Errorf("screening: OFAC list: %w", err)
	}
	return v, nil
}

func parseOFAC(f OFACFiles) (*ListVersion, error) {
	if f.SDN == nil {
		return nil, fmt.Errorf("no sdn.csv: %w", ErrMalformed)
	}
	v := &ListVersion{Source: "OFAC"}
	if f.Generated != "" {
		g, err := checkTimestamp(f.Generated)
		if err != nil {
			return nil, err
		}
		v.Generated = g
	}
	h := sha256.New()
	byNum := make(map[int]int) // ent_num → index in v.Entries
	var remarks []string
	err := readOFACFile(h, "sdn", f.SDN, 12, func(line int, rec []string) error {
		num, err := entNum(rec[0])
		if err != nil {
			return err
		}
		if _, dup := byNum[num]; dup {
			return fmt.Errorf("duplicate ent_num %d: %w", num, ErrMalformed)
		}
		if len(v.Entries) >= MaxEntries {
			return fmt.Errorf("more than %d entries: %w", MaxEntries, ErrTooLarge)
		}
		e := Entry{Reference: "OFAC-" + strconv.Itoa(num)}
		switch typ := strings.ToLower(ofacField(rec[2])); typ {
		case "individual":
			e.Kind = KindIndividual
		case "vessel":
			e.Kind = KindVessel
		case "aircraft":
			e.Kind = KindAircraft
		case "", "entity":
			e.Kind = KindEntity
		default:
			return fmt.Errorf("ent_num %d: unknown SDN_Type %q: %w", num, rec[2], ErrMalformed)
		}
		name := ofacField(rec[1])
		if name == "" {
			return fmt.Errorf("ent_num %d: empty SDN_Name: %w", num, ErrMalformed)
		}
		if err := e.addName(Name{Full: name, Primary: true}); err != nil {
			return err
		}
		e.Regime = ofacPrograms(ofacField(rec[3]))
		byNum[num] = len(v.Entries)
		v.Entries = append(v.Entries, e)
		remarks = append(remarks, ofacField(rec[11]))
		return nil
	})
	if err != nil {
		return nil, err
	}
	lookup := func(field string) (*Entry, int, error) {
		num, err := entNum(field)
		if err != nil {
			return nil, 0, err
		}
		i, ok := byNum[num]
		if !ok {
			return nil, 0, fmt.Errorf("ent_num %d is not in sdn.csv: %w", num, ErrMalformed)
		}
		return &v.Entries[i], i, nil
	}
	if f.Alt != nil {
		err := readOFACFile(h, "alt", f.Alt, 5, func(line int, rec []string) error {
			e, _, err := lookup(rec[0])
			if err != nil {
				return err
			}
			n := Name{Full: ofacField(rec[3])}
			switch t := strings.ToLower(ofacField(rec[2])); t {
			case "aka", "fka", "nka":
				n.Type = t[:1] + ".k.a."
			case "":
			default:
				return fmt.Errorf("%s: unknown alt_type %q: %w", e.Reference, rec[2], ErrMalformed)
			}
			if strings.Contains(strings.ToLower(ofacField(rec[4])), "low quality") {
				n.Quality = QualityLow
			}
			return e.addName(n)
		})
		if err != nil {
			return nil, err
		}
	}
	if f.Add != nil {
		err := readOFACFile(h, "add", f.Add, 6, func(line int, rec []string) error {
			e, _, err := lookup(rec[0])
			if err != nil {
				return err
			}
			a := Address{Street: ofacField(rec[2]), City: ofacField(rec[3]), Country: ofacField(rec[4]), Note: ofacField(rec[5])}
			if a != (Address{}) {
				e.Addresses = append(e.Addresses, a)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if f.Comments != nil {
		err := readOFACFile(h, "comments", f.Comments, 2, func(line int, rec []string) error {
			_, i, err := lookup(rec[0])
			if err != nil {
				return err
			}
			remarks[i] += ofacField(rec[1])
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	for i := range v.Entries {
		if err := parseOFACRemarks(&v.Entries[i], remarks[i]); err != nil {
			return nil, err
		}
	}
	if len(v.Entries) == 0 {
		return nil, fmt.Errorf("sdn.csv has no entries: %w", ErrMalformed)
	}
	if err := v.finish(h.Sum(nil)); err != nil {
		return nil, err
	}
	return v, nil
}

// readOFACFile reads one headerless CSV file with exactly fields fields per
// record, passing each to fn, and hashes it (see ParseOFACFiles).
func readOFACFile(h hash.Hash, name string, r io.Reader, fields int, fn func(line int, rec []string) error) error {
	data, err := io.ReadAll(limit(r))
	if err != nil {
		return fmt.Errorf("%s.csv: %w", name, err)
	}
	h.Write([]byte(name))
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(data)))
	h.Write(n[:])
	h.Write(data)
	// OFAC ends its files with a DOS end-of-file byte.
	text := strings.TrimRight(string(data), "\x1a\r\n")
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = fields
	cr.ReuseRecord = true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return fmt.Errorf("%s.csv: %w: %w", name, err, ErrMalformed)
			}
			return fmt.Errorf("%s.csv: %w", name, err)
		}
		for _, s := range rec {
			if len(s) > MaxFieldBytes {
				return fmt.Errorf("%s.csv line %d: field longer than %d bytes: %w", name, line, MaxFieldBytes, ErrTooLarge)
			}
		}
		if err := fn(line, rec); err != nil {
			return fmt.Errorf("%s.csv line %d: %w", name, line, err)
		}
	}
}

// ofacField trims a field and maps OFAC's "-0-" to "".
func ofacField(s string) string {
	s = strings.TrimSpace(s)
	if s == "-0-" {
		return ""
	}
	return s
}

func entNum(s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("bad ent_num %q: %w", s, ErrMalformed)
	}
	return n, nil
}

// ofacPrograms turns OFAC's "SDGT] [IFSR" into "SDGT; IFSR".
func ofacPrograms(s string) string {
	s = strings.Trim(s, "[] ")
	return strings.Join(strings.Split(s, "] ["), "; ")
}

var months = map[string]int{"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12}

// parseOFACDate parses "10 Dec 1948", "Dec 1948" or "1948".
func parseOFACDate(s string) (Date, bool) {
	f := strings.Fields(s)
	var d Date
	switch len(f) {
	case 1:
	case 2:
		d.Month = months[strings.ToLower(f[0])]
		if d.Month == 0 {
			return Date{}, false
		}
	case 3:
		day, err := strconv.Atoi(f[0])
		d.Month = months[strings.ToLower(f[1])]
		if err != nil || day < 1 || day > 31 || d.Month == 0 {
			return Date{}, false
		}
		d.Day = day
	default:
		return Date{}, false
	}
	y, err := strconv.Atoi(f[len(f)-1])
	if err != nil || len(f[len(f)-1]) != 4 || y < 1800 || y > 2200 {
		return Date{}, false
	}
	d.Year = y
	return d, true
}

// parseOFACRemarks takes dates of birth, nationalities, the country of
// birth and weak aliases out of an entry's remarks. Parts it does not
// understand stay in Remarks only.
func parseOFACRemarks(e *Entry, remarks string) error {
	e.Remarks = remarks
	if remarks == "" {
		return nil
	}
	for _, part := range splitRemarks(remarks) {
		p := strings.TrimSuffix(strings.TrimSpace(part), ".")
		p = strings.TrimPrefix(p, "alt. ")
		switch {
		case strings.HasPrefix(p, "DOB "):
			s := strings.TrimSpace(p[4:])
			dob := DateOfBirth{}
			if rest, ok := strings.CutPrefix(s, "circa "); ok {
				dob.Approx, s = true, rest
			}
			from, to, isRange := strings.Cut(s, " to ")
			d, ok := parseOFACDate(from)
			if !ok {
				continue // unusual wording; kept in Remarks
			}
			dob.Date = d
			if isRange {
				t, ok := parseOFACDate(to)
				if !ok || t.Year < d.Year {
					continue
				}
				dob.ToYear = t.Year
				if t.Year == d.Year {
					dob.ToYear = 0
					dob.Date = Date{Year: d.Year}
				}
			}
			e.DatesOfBirth = append(e.DatesOfBirth, dob)
		case strings.HasPrefix(p, "nationality "):
			e.Nationalities = append(e.Nationalities, strings.TrimSpace(p[len("nationality "):]))
		case strings.HasPrefix(p, "citizen "):
			e.Nationalities = append(e.Nationalities, strings.TrimSpace(p[len("citizen "):]))
		case strings.HasPrefix(p, "POB "):
			pob := p[4:]
			if i := strings.LastIndexByte(pob, ','); i >= 0 {
				pob = pob[i+1:]
			}
			e.Countries = append(e.Countries, strings.TrimSpace(pob))
		case strings.HasPrefix(p, "a.k.a. '"):
			name := strings.TrimSuffix(strings.TrimPrefix(p, "a.k.a. '"), "'")
			if err := e.addName(Name{Full: name, Quality: QualityLow, Type: "a.k.a."}); err != nil {
				return err
			}
		}
	}
	return nil
}

// splitRemarks splits remarks on "; " outside single-quoted weak aliases
// (which may contain semicolons).
func splitRemarks(s string) []string {
	var out []string
	start := 0
	quoted := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\'' && (i == 0 || s[i-1] == ' ' || quoted):
			// A quote opens after "a.k.a. " and closes before ";" or ".".
			if !quoted {
				quoted = true
			} else if i+1 == len(s) || s[i+1] == ';' || s[i+1] == '.' {
				quoted = false
			}
		case s[i] == ';' && !quoted:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
