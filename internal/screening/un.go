package screening

import (
	"crypto/sha256"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ErrTooLarge is returned (wrapped) when an input exceeds one of the limits.
var ErrTooLarge = errors.New("input exceeds limit")

// ErrMalformed is returned (wrapped) for a list file that does not follow its
// format.
var ErrMalformed = errors.New("malformed list")

// limitedReader reads at most MaxListBytes and then fails with ErrTooLarge,
// rather than silently truncating.
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		var one [1]byte
		if n, _ := l.r.Read(one[:]); n > 0 {
			return 0, fmt.Errorf("screening: list file larger than %d bytes: %w", MaxListBytes, ErrTooLarge)
		}
		return l.r.Read(p[:0])
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

func limit(r io.Reader) io.Reader { return &limitedReader{r: r, n: MaxListBytes} }

// xmlNode is one element of the UN file, read whole (an INDIVIDUAL or
// ENTITY is a few kilobytes).
type xmlNode struct {
	name string
	text string
	kids []*xmlNode
}

func (n *xmlNode) child(name string) *xmlNode {
	for _, k := range n.kids {
		if k.name == name {
			return k
		}
	}
	return nil
}

func (n *xmlNode) get(name string) string {
	if k := n.child(name); k != nil {
		return strings.TrimSpace(k.text)
	}
	return ""
}

func (n *xmlNode) all(name string) []*xmlNode {
	var out []*xmlNode
	for _, k := range n.kids {
		if k.name == name {
			out = append(out, k)
		}
	}
	return out
}

// values returns the trimmed, non-empty VALUE children of the named child.
func (n *xmlNode) values(name string) []string {
	var out []string
	for _, k := range n.all(name) {
		for _, v := range k.all("VALUE") {
			if s := strings.TrimSpace(v.text); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

func readNode(d *xml.Decoder, start xml.StartElement, depth int) (*xmlNode, error) {
	if depth > MaxXMLDepth {
		line, _ := d.InputPos()
		return nil, fmt.Errorf("line %d: elements nested deeper than %d: %w", line, MaxXMLDepth, ErrTooLarge)
	}
	n := &xmlNode{name: start.Name.Local}
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			k, err := readNode(d, t, depth+1)
			if err != nil {
				return nil, err
			}
			n.kids = append(n.kids, k)
		case xml.CharData:
			if text.Len()+len(t) > MaxFieldBytes {
				line, _ := d.InputPos()
				return nil, fmt.Errorf("line %d: element %s longer than %d bytes: %w", line, n.name, MaxFieldBytes, ErrTooLarge)
			}
			text.Write(t)
		case xml.EndElement:
			n.text = text.String()
			return n, nil
		}
	}
}

// ParseUN reads the UN Security Council Consolidated List in the UN's XML
// format (CONSOLIDATED_LIST, schema sc-sanctions.xsd), streaming it with an
// xml.Decoder one INDIVIDUAL or ENTITY at a time.
//
// The version's Source is "UN", Generated is the root's dateGenerated, and
// SHA256 is the hash of the file's bytes. Each entry's primary name is
// FIRST_NAME to FOURTH_NAME joined by spaces; aliases keep the list's
// quality ("Low" aliases are QualityLow; "Good", "a.k.a." and "f.k.a." are
// good); NAME_ORIGINAL_SCRIPT is a good alias of type "original script".
// Alias fields that list several names separated by ";" become several
// aliases.
func ParseUN(r io.Reader) (*ListVersion, error) {
	v, err := parseUN(r)
	if err != nil {
		return nil, fmt.Errorf("screening: UN list: %w", err)
	}
	return v, nil
}

func parseUN(r io.Reader) (*ListVersion, error) {
	h := sha256.New()
	tee := io.TeeReader(limit(r), h)
	d := xml.NewDecoder(tee)
	v := &ListVersion{Source: "UN"}
	// The root element.
	var root xml.StartElement
	for {
		tok, err := d.Token()
		if err != nil {
			if err == io.EOF {
				return nil, fmt.Errorf("no CONSOLIDATED_LIST element: %w", ErrMalformed)
			}
			return nil, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			root = se
			break
		}
	}
	if root.Name.Local != "CONSOLIDATED_LIST" {
		return nil, fmt.Errorf("root element is %s, want CONSOLIDATED_LIST: %w", root.Name.Local, ErrMalformed)
	}
	for _, a := range root.Attr {
		if a.Name.Local == "dateGenerated" {
			t, err := checkTimestamp(a.Value)
			if err != nil {
				return nil, fmt.Errorf("dateGenerated %q: %w", a.Value, ErrMalformed)
			}
			v.Generated = t
		}
	}
	if v.Generated == "" {
		return nil, fmt.Errorf("CONSOLIDATED_LIST has no dateGenerated: %w", ErrMalformed)
	}
	// INDIVIDUALS and ENTITIES, each holding its items.
	depth := 1
	for depth > 0 {
		tok, err := d.Token()
		if err != nil {
			if err == io.EOF {
				err = fmt.Errorf("file ends inside CONSOLIDATED_LIST: %w", ErrMalformed)
			}
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			line, _ := d.InputPos()
			switch {
			case depth == 1 && (t.Name.Local == "INDIVIDUALS" || t.Name.Local == "ENTITIES"):
				depth++
			case depth == 2 && (t.Name.Local == "INDIVIDUAL" || t.Name.Local == "ENTITY"):
				n, err := readNode(d, t, 3)
				if err != nil {
					return nil, err
				}
				if len(v.Entries) >= MaxEntries {
					return nil, fmt.Errorf("more than %d entries: %w", MaxEntries, ErrTooLarge)
				}
				e, err := unEntry(n)
				if err != nil {
					return nil, fmt.Errorf("%s at line %d: %w", t.Name.Local, line, err)
				}
				v.Entries = append(v.Entries, e)
			default:
				return nil, fmt.Errorf("line %d: unexpected element %s: %w", line, t.Name.Local, ErrMalformed)
			}
		case xml.EndElement:
			depth--
		}
	}
	// Trailing content after the root: only whitespace, comments and
	// processing instructions are allowed. Reading it also hashes the rest.
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.CharData:
			if strings.TrimSpace(string(t)) != "" {
				return nil, fmt.Errorf("text after CONSOLIDATED_LIST: %w", ErrMalformed)
			}
		case xml.StartElement:
			return nil, fmt.Errorf("element %s after CONSOLIDATED_LIST: %w", t.Name.Local, ErrMalformed)
		}
	}
	if _, err := io.Copy(io.Discard, tee); err != nil {
		return nil, err
	}
	if len(v.Entries) == 0 {
		return nil, fmt.Errorf("no entries: %w", ErrMalformed)
	}
	if err := v.finish(h.Sum(nil)); err != nil {
		return nil, err
	}
	return v, nil
}

func unEntry(n *xmlNode) (Entry, error) {
	e := Entry{
		Reference: n.get("REFERENCE_NUMBER"),
		Regime:    n.get("UN_LIST_TYPE"),
		ListedOn:  n.get("LISTED_ON"),
		Remarks:   n.get("COMMENTS1"),
		Kind:      KindEntity,
	}
	prefix := "ENTITY"
	if n.name == "INDIVIDUAL" {
		e.Kind, prefix = KindIndividual, "INDIVIDUAL"
	}
	if e.Reference == "" {
		return e, fmt.Errorf("no REFERENCE_NUMBER: %w", ErrMalformed)
	}
	var parts []string
	for _, f := range []string{"FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"} {
		if s := n.get(f); s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return e, fmt.Errorf("%s has no name: %w", e.Reference, ErrMalformed)
	}
	if err := e.addName(Name{Full: strings.Join(parts, " "), Primary: true}); err != nil {
		return e, err
	}
	if s := n.get("NAME_ORIGINAL_SCRIPT"); s != "" {
		if err := e.addName(Name{Full: s, Type: "original script"}); err != nil {
			return e, err
		}
	}
	for _, a := range n.all(prefix + "_ALIAS") {
		q := a.get("QUALITY")
		name := Name{}
		switch strings.ToLower(q) {
		case "low":
			name.Quality = QualityLow
		case "a.k.a.", "f.k.a.", "n.k.a.":
			name.Type = strings.ToLower(q)
		case "good", "":
		default:
			return e, fmt.Errorf("%s: unknown alias QUALITY %q: %w", e.Reference, q, ErrMalformed)
		}
		for _, s := range strings.Split(a.get("ALIAS_NAME"), ";") {
			if s = strings.TrimSpace(s); s != "" {
				name.Full = s
				if err := e.addName(name); err != nil {
					return e, err
				}
			}
		}
		if s := a.get("DATE_OF_BIRTH"); s != "" {
			if d, err := ParseDate(s); err == nil {
				e.DatesOfBirth = append(e.DatesOfBirth, DateOfBirth{Date: d})
			}
		}
		if s := a.get("COUNTRY_OF_BIRTH"); s != "" {
			e.Countries = append(e.Countries, s)
		}
	}
	e.Nationalities = n.values("NATIONALITY")
	for _, a := range n.all(prefix + "_ADDRESS") {
		addr := Address{
			Street: a.get("STREET"), City: a.get("CITY"), State: a.get("STATE_PROVINCE"),
			Postal: a.get("ZIP_CODE"), Country: a.get("COUNTRY"), Note: a.get("NOTE"),
		}
		if addr != (Address{}) {
			e.Addresses = append(e.Addresses, addr)
		}
	}
	for _, b := range n.all("INDIVIDUAL_DATE_OF_BIRTH") {
		dob, ok, err := unDateOfBirth(b)
		if err != nil {
			return e, fmt.Errorf("%s: %w", e.Reference, err)
		}
		if ok {
			e.DatesOfBirth = append(e.DatesOfBirth, dob)
		}
	}
	for _, p := range n.all("INDIVIDUAL_PLACE_OF_BIRTH") {
		if s := p.get("COUNTRY"); s != "" {
			e.Countries = append(e.Countries, s)
		}
	}
	return e, nil
}

func unDateOfBirth(b *xmlNode) (DateOfBirth, bool, error) {
	var dob DateOfBirth
	typ := strings.ToUpper(b.get("TYPE_OF_DATE"))
	dob.Approx = typ == "APPROXIMATELY" || strings.EqualFold(b.get("NOTE"), "approximately")
	var err error
	switch {
	case b.get("DATE") != "":
		dob.Date, err = ParseDate(b.get("DATE"))
	case b.get("YEAR") != "":
		dob.Date, err = ParseDate(b.get("YEAR"))
	case b.get("FROM_YEAR") != "":
		dob.Date, err = ParseDate(b.get("FROM_YEAR"))
		if err == nil && b.get("TO_YEAR") != "" {
			var to Date
			to, err = ParseDate(b.get("TO_YEAR"))
			dob.ToYear = to.Year
			if err == nil && to.Year < dob.Date.Year {
				err = fmt.Errorf("date of birth range %s..%s runs backwards", b.get("FROM_YEAR"), b.get("TO_YEAR"))
			}
		}
	default:
		return dob, false, nil
	}
	if err != nil {
		return dob, false, fmt.Errorf("INDIVIDUAL_DATE_OF_BIRTH: %w: %w", err, ErrMalformed)
	}
	return dob, true, nil
}

// addName appends a name after checking the per-entry limits. Duplicate
// spellings of a name already on the entry are dropped.
func (e *Entry) addName(n Name) error {
	n.Full = strings.TrimSpace(n.Full)
	if n.Full == "" {
		return nil
	}
	if len(n.Full) > MaxNameBytes {
		return fmt.Errorf("%s: name longer than %d bytes: %w", e.Reference, MaxNameBytes, ErrTooLarge)
	}
	for _, m := range e.Names {
		if m.Full == n.Full {
			return nil
		}
	}
	if len(e.Names) >= MaxNamesPerEntry {
		return fmt.Errorf("%s: more than %d names: %w", e.Reference, MaxNamesPerEntry, ErrTooLarge)
	}
	e.Names = append(e.Names, n)
	return nil
}
