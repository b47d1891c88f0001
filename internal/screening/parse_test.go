package screening

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func openTestdata(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestParseUNSmall(t *testing.T) {
	v, err := ParseUN(openTestdata(t, "un-small.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if v.Source != "UN" || v.Generated != "2026-02-27T00:00:09.554Z" || len(v.SHA256) != 64 || v.ID != "un-"+v.SHA256[:16] {
		t.Errorf("version = %s %q %q %q; want UN, dateGenerated, a SHA-256 and an ID from it", v.Source, v.Generated, v.SHA256, v.ID)
	}
	wantCounts := Counts{Entries: 3, Individuals: 2, Entities: 1, Names: 9}
	if diff := cmp.Diff(wantCounts, v.Counts); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	want := []Entry{
		{
			Reference: "IQi.001", Kind: KindIndividual, Regime: "Iraq", ListedOn: "2003-06-27",
			Names: []Name{
				{Full: "SADDAM HUSSEIN AL-TIKRITI", Primary: true},
				{Full: "صدام حسين التكريتي", Type: "original script"},
				{Full: "Abu Ali"},
				{Full: "Abu Uday", Quality: QualityLow},
				{Full: "Abu Qusay", Quality: QualityLow},
			},
			DatesOfBirth:  []DateOfBirth{{Date: Date{1937, 4, 28}}},
			Nationalities: []string{"Iraq"},
			Addresses:     []Address{{City: "Baghdad", Country: "Iraq"}},
			Countries:     []string{"IQ"},
		},
		{
			Reference: "KPi.999", Kind: KindIndividual, Regime: "DPRK", ListedOn: "2017-06-02",
			Names:         []Name{{Full: "KIM CHOL", Primary: true}},
			DatesOfBirth:  []DateOfBirth{{Date: Date{Year: 1960}, ToYear: 1962}, {Date: Date{Year: 1958}, Approx: true}},
			Nationalities: []string{"Democratic People's Republic of Korea"},
			Countries:     []string{"KP"},
		},
		{
			Reference: "KPe.001", Kind: KindEntity, Regime: "DPRK", ListedOn: "2009-04-24",
			Names: []Name{
				{Full: "KOREA MINING DEVELOPMENT TRADING CORPORATION", Primary: true},
				{Full: "CHANGGWANG SINYONG CORPORATION", Type: "a.k.a."},
				{Full: "KOMID", Type: "f.k.a."},
			},
			Addresses: []Address{{City: "Pyongyang", Country: "Democratic People's Republic of Korea"}},
			Countries: []string{"KP"},
		},
	}
	if diff := cmp.Diff(want, v.Entries); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
}

func TestParseUNReal(t *testing.T) {
	v := testVersions(t)[0]
	want := Counts{Entries: 1003, Individuals: 730, Entities: 273, Names: v.Counts.Names}
	if diff := cmp.Diff(want, v.Counts); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	if v.Counts.Names < 4000 {
		t.Errorf("names = %d; want all aliases (over 4,000)", v.Counts.Names)
	}
	if v.Generated != "2026-02-27T00:00:09.554Z" {
		t.Errorf("generated = %q; want 2026-02-27T00:00:09.554Z", v.Generated)
	}
	low, script := 0, 0
	for _, e := range v.Entries {
		for _, n := range e.Names {
			if n.Quality == QualityLow {
				low++
			}
			if n.Type == "original script" {
				script++
			}
		}
	}
	if low < 500 || script < 370 {
		t.Errorf("low-quality aliases = %d, original-script names = %d; want > 500 and > 370", low, script)
	}
}

func TestParseUNErrors(t *testing.T) {
	const head = `<?xml version="1.0"?><CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:00Z">`
	const ind = `<INDIVIDUALS><INDIVIDUAL><FIRST_NAME>A</FIRST_NAME><REFERENCE_NUMBER>X.1</REFERENCE_NUMBER></INDIVIDUAL></INDIVIDUALS>`
	tests := []struct {
		name, in string
		want     error
	}{
		{"empty", ``, ErrMalformed},
		{"wrong root", `<LIST/>`, ErrMalformed},
		{"no date", `<CONSOLIDATED_LIST>` + ind + `</CONSOLIDATED_LIST>`, ErrMalformed},
		{"bad date", `<CONSOLIDATED_LIST dateGenerated="yesterday">` + ind + `</CONSOLIDATED_LIST>`, ErrMalformed},
		{"no entries", head + `<INDIVIDUALS/></CONSOLIDATED_LIST>`, ErrMalformed},
		{"unknown element", head + `<PEOPLE/></CONSOLIDATED_LIST>`, ErrMalformed},
		{"no reference", head + `<INDIVIDUALS><INDIVIDUAL><FIRST_NAME>A</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>`, ErrMalformed},
		{"no name", head + `<INDIVIDUALS><INDIVIDUAL><REFERENCE_NUMBER>X.1</REFERENCE_NUMBER></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>`, ErrMalformed},
		{"bad quality", head + `<INDIVIDUALS><INDIVIDUAL><FIRST_NAME>A</FIRST_NAME><REFERENCE_NUMBER>X.1</REFERENCE_NUMBER><INDIVIDUAL_ALIAS><QUALITY>Great</QUALITY><ALIAS_NAME>B</ALIAS_NAME></INDIVIDUAL_ALIAS></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>`, ErrMalformed},
		{"bad date of birth", head + `<INDIVIDUALS><INDIVIDUAL><FIRST_NAME>A</FIRST_NAME><REFERENCE_NUMBER>X.1</REFERENCE_NUMBER><INDIVIDUAL_DATE_OF_BIRTH><DATE>1970-13-01</DATE></INDIVIDUAL_DATE_OF_BIRTH></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>`, ErrMalformed},
		{"duplicate reference", head + `<INDIVIDUALS><INDIVIDUAL><FIRST_NAME>A</FIRST_NAME><REFERENCE_NUMBER>X.1</REFERENCE_NUMBER></INDIVIDUAL><INDIVIDUAL><FIRST_NAME>B</FIRST_NAME><REFERENCE_NUMBER>X.1</REFERENCE_NUMBER></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>`, nil},
		{"too deep", head + `<INDIVIDUALS><INDIVIDUAL>` + strings.Repeat("<A>", 20) + strings.Repeat("</A>", 20) + `</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>`, ErrTooLarge},
		{"truncated", head + ind, nil},
		{"trailing element", head + ind + `</CONSOLIDATED_LIST><X/>`, nil},
		{"field too long", head + `<INDIVIDUALS><INDIVIDUAL><FIRST_NAME>` + strings.Repeat("A", MaxFieldBytes+1) + `</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>`, ErrTooLarge},
	}
	for _, tt := range tests {
		_, err := ParseUN(strings.NewReader(tt.in))
		if err == nil {
			t.Errorf("%s: ParseUN = nil error; want an error", tt.name)
			continue
		}
		if tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("%s: ParseUN error = %v; want %v", tt.name, err, tt.want)
		}
		if !strings.HasPrefix(err.Error(), "screening: UN list: ") {
			t.Errorf("%s: ParseUN error = %q; want it to say which list", tt.name, err)
		}
	}
}

func parseOFACSmall(t *testing.T) *ListVersion {
	t.Helper()
	v, err := ParseOFACFiles(OFACFiles{
		SDN:       openTestdata(t, "ofac-sdn-small.csv"),
		Alt:       openTestdata(t, "ofac-alt-small.csv"),
		Add:       openTestdata(t, "ofac-add-small.csv"),
		Comments:  openTestdata(t, "ofac-comments-small.csv"),
		Generated: "2026-02-20",
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestParseOFACSmall(t *testing.T) {
	v := parseOFACSmall(t)
	if v.Source != "OFAC" || v.Generated != "2026-02-20" || v.ID != "ofac-"+v.SHA256[:16] {
		t.Errorf("version = %s %q %q; want OFAC, 2026-02-20, ID from hash", v.Source, v.Generated, v.ID)
	}
	want := []Entry{
		{
			Reference: "OFAC-36", Kind: KindEntity, Regime: "CUBA",
			Names:     []Name{{Full: "AEROCARIBBEAN AIRLINES", Primary: true}, {Full: "AERO-CARIBBEAN", Type: "a.k.a."}},
			Addresses: []Address{{City: "Havana", Country: "Cuba"}},
			Countries: []string{"CU"},
		},
		{
			Reference: "OFAC-2676", Kind: KindIndividual, Regime: "SDGT",
			Names: []Name{
				{Full: "AL ZAWAHIRI, Dr. Ayman", Primary: true},
				{Full: "AL-ZAWAHIRI, Ayman", Type: "a.k.a."},
				{Full: "AL ZAWAHRI, Aiman", Type: "f.k.a."},
				{Full: "DR. AYMAN", Quality: QualityLow, Type: "a.k.a."},
			},
			DatesOfBirth:  []DateOfBirth{{Date: Date{1951, 6, 19}}, {Date: Date{Year: 1950}, Approx: true}},
			Nationalities: []string{"Egypt"},
			Addresses:     []Address{{Country: "Egypt"}},
			Countries:     []string{"EG"},
			Remarks:       "DOB 19 Jun 1951; POB Giza, Egypt; nationality Egypt; alt. DOB circa 1950; a.k.a. 'DR. AYMAN'.",
		},
		{
			Reference: "OFAC-9999", Kind: KindVessel, Regime: "IRAN",
			Names:        []Name{{Full: "ORIENT STAR", Primary: true}},
			DatesOfBirth: []DateOfBirth{{Date: Date{Year: 1960}, ToYear: 1962}},
			Remarks:      "DOB 1960 to 1962.",
		},
	}
	if diff := cmp.Diff(want, v.Entries); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Counts{Entries: 3, Individuals: 1, Entities: 1, Others: 1, Names: 7}, v.Counts); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}

func TestParseOFACReal(t *testing.T) {
	v := testVersions(t)[1]
	want := Counts{Entries: 8976, Individuals: 4620, Entities: 3673, Others: 683, Names: v.Counts.Names}
	if diff := cmp.Diff(want, v.Counts); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	if v.Counts.Names < 8976+11910 {
		t.Errorf("names = %d; want primary names, alt.csv aliases and weak aliases", v.Counts.Names)
	}
}

func TestParseOFACErrors(t *testing.T) {
	const ok = "1,\"A\",-0-,\"X\",-0-,-0-,-0-,-0-,-0-,-0-,-0-,-0-\n"
	tests := []struct {
		name          string
		sdn, alt, add string
		want          error
	}{
		{"empty", "", "", "", ErrMalformed},
		{"few fields", "1,\"A\",-0-\n", "", "", ErrMalformed},
		{"bad ent_num", strings.Replace(ok, "1,", "x,", 1), "", "", ErrMalformed},
		{"duplicate ent_num", ok + ok, "", "", ErrMalformed},
		{"empty name", strings.Replace(ok, `"A"`, "-0-", 1), "", "", ErrMalformed},
		{"unknown type", strings.Replace(ok, `"A",-0-`, `"A","robot"`, 1), "", "", ErrMalformed},
		{"bad quote", "1,\"A,-0-\n", "", "", ErrMalformed},
		{"alt of unknown entry", ok, "2,1,\"aka\",\"B\",-0-\n", "", ErrMalformed},
		{"bad alt type", ok, "1,1,\"alias\",\"B\",-0-\n", "", ErrMalformed},
		{"add of unknown entry", ok, "", "2,1,-0-,-0-,\"Cuba\",-0-\n", ErrMalformed},
	}
	for _, tt := range tests {
		var alt, add *strings.Reader
		files := OFACFiles{SDN: strings.NewReader(tt.sdn)}
		if tt.alt != "" {
			alt = strings.NewReader(tt.alt)
			files.Alt = alt
		}
		if tt.add != "" {
			add = strings.NewReader(tt.add)
			files.Add = add
		}
		_, err := ParseOFACFiles(files)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: ParseOFACFiles error = %v; want %v", tt.name, err, tt.want)
		}
	}
	if _, err := ParseOFAC(strings.NewReader(ok), nil, nil); err != nil {
		t.Errorf("ParseOFAC(one entry) = %v; want nil", err)
	}
	if _, err := ParseOFACFiles(OFACFiles{SDN: strings.NewReader(ok), Generated: "soon"}); err == nil {
		t.Errorf("ParseOFACFiles(Generated: soon) = nil error; want an error")
	}
}

func TestParseCSVSmall(t *testing.T) {
	v, err := ParseCSVSource("ops", openTestdata(t, "operator-small.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{
			Reference: "OPS-0001", Kind: KindIndividual, Regime: "operator watch list",
			Names:         []Name{{Full: "Ivan Petrovich Sidorov", Primary: true}, {Full: "Иван Сидоров"}, {Full: "Vanya", Quality: QualityLow}},
			Nationalities: []string{"RU"},
			DatesOfBirth:  []DateOfBirth{{Date: Date{1971, 3, 2}}},
			Countries:     []string{"RU"},
		},
		{
			Reference: "OPS-0002", Kind: KindEntity, Regime: "operator watch list",
			Names:         []Name{{Full: "Romashka Trading LLC", Primary: true}, {Full: "ООО Ромашка"}},
			Nationalities: []string{"Russia"},
			Countries:     []string{"RU"},
		},
		{
			Reference: "OPS-0003", Kind: KindUnknown,
			Names:         []Name{{Full: "Smith, John", Primary: true}, {Full: "J. Smith"}},
			Nationalities: []string{"GB", "US"},
			DatesOfBirth:  []DateOfBirth{{Date: Date{Year: 1960}, ToYear: 1965}, {Date: Date{Year: 1970}, Approx: true}},
			Countries:     []string{"GB", "US"},
		},
	}
	if diff := cmp.Diff(want, v.Entries); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	if v.Source != "ops" || v.ID != "ops-"+v.SHA256[:16] || v.Generated != "" {
		t.Errorf("version %q %q %q; want source ops, ID from hash, no date", v.Source, v.ID, v.Generated)
	}
}

func TestParseCSVErrors(t *testing.T) {
	const h = CSVHeader + "\n"
	tests := []struct {
		name, in string
	}{
		{"empty", ""},
		{"wrong header", "ref,name\nA,B\n"},
		{"no entries", h},
		{"few fields", h + "A,individual,Name\n"},
		{"no reference", h + ",individual,Name,,,,\n"},
		{"long reference", h + strings.Repeat("R", 65) + ",individual,Name,,,,\n"},
		{"unknown kind", h + "A,robot,Name,,,,\n"},
		{"no name", h + "A,individual, ,,,,\n"},
		{"name of punctuation", h + "A,individual,--,,,,\n"},
		{"unknown country", h + "A,individual,Name,,Atlantis,,\n"},
		{"bad date", h + "A,individual,Name,,,1970-02-30x,\n"},
		{"backward range", h + "A,individual,Name,,,1970..1960,\n"},
		{"duplicate", h + "A,individual,Name,,,,\nA,entity,Other,,,,\n"},
		{"not UTF-8", h + "A,individual,Na\xffme,,,,\n"},
		{"bad quote", h + "A,individual,\"Name,,,,\n"},
		{"bad BIC", CSVHeaderBIC + "\nA,entity,Bank,,,,,DEUTDEF\n"},
		{"BIC column without its header", h + "A,entity,Bank,,,,,DEUTDEFF\n"},
	}
	for _, tt := range tests {
		if _, err := ParseCSV(strings.NewReader(tt.in)); err == nil {
			t.Errorf("%s: ParseCSV = nil error; want an error", tt.name)
		}
	}
	if _, err := ParseCSVSource("bad name!", strings.NewReader(h+"A,,N,,,,\n")); err == nil {
		t.Errorf("ParseCSVSource(bad name!) = nil error; want an error")
	}
}

// TestParseCSVBICs reads the optional bic column, and BICIndex finds the
// entries by it.
func TestParseCSVBICs(t *testing.T) {
	v, err := ParseCSV(strings.NewReader(CSVHeaderBIC + "\nA,entity,Alpha Bank,,,,,ALPHKPPY;alphkppy001\nB,individual,Bob,,,,,\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := v.Entries[0].BICs; !slices.Equal(got, []string{"ALPHKPPY", "ALPHKPPY001"}) || v.Entries[1].BICs != nil {
		t.Fatalf("BICs %v, %v", got, v.Entries[1].BICs)
	}
	x := NewBICIndex(v)
	if ms := x.Screen("ALPHKPPYXXX"); len(ms) != 1 || ms[0].Reference != "A" || ms[0].Score != 1000 {
		t.Errorf("Screen(ALPHKPPYXXX) = %+v; want entry A once, at 1000", ms)
	}
	// Since 2014 an institution code may hold digits (BICFIDec2014).
	v, err = ParseCSV(strings.NewReader(CSVHeaderBIC + "\nC,entity,Cee Bank,,,,,1CEEKPPY\n"))
	if err != nil {
		t.Fatal(err)
	}
	if ms := NewBICIndex(v).Screen("1CEEKPPYXXX"); len(ms) != 1 || ms[0].Reference != "C" {
		t.Errorf("Screen(1CEEKPPYXXX) = %+v; want entry C", ms)
	}
}

func TestVersionIDDependsOnContent(t *testing.T) {
	a1, err1 := ParseCSV(strings.NewReader(CSVHeader + "\nA,,Name One,,,,\n"))
	a2, err2 := ParseCSV(strings.NewReader(CSVHeader + "\nA,,Name One,,,,\n"))
	b, err3 := ParseCSV(strings.NewReader(CSVHeader + "\nA,,Name Two,,,,\n"))
	if err := errors.Join(err1, err2, err3); err != nil {
		t.Fatal(err)
	}
	if a1.ID != a2.ID || a1.ID == b.ID {
		t.Errorf("IDs %s, %s, %s; want the same for the same content and different for different content", a1.ID, a2.ID, b.ID)
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want Date
		ok   bool
	}{
		{"1971", Date{Year: 1971}, true},
		{"1971-03", Date{1971, 3, 0}, true},
		{"1971-03-02", Date{1971, 3, 2}, true},
		{" 1971-03-02 ", Date{1971, 3, 2}, true},
		{"1971-3-2", Date{}, false},
		{"71", Date{}, false},
		{"1971-13", Date{}, false},
		{"1971-00-01", Date{}, false},
		{"1971-01-32", Date{}, false},
		{"1700", Date{}, false},
		{"abcd", Date{}, false},
		{"", Date{}, false},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseDate(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestCheckTimestamp(t *testing.T) {
	for _, s := range []string{"2026-02-27", "2026-02-27T00:00:09Z", "2026-02-27T00:00:09.554Z", "2026-02-27T23:59:60+05:30"} {
		if _, err := checkTimestamp(s); err != nil {
			t.Errorf("checkTimestamp(%q) = %v; want nil", s, err)
		}
	}
	for _, s := range []string{"", "2026-02-27T", "2026-02-27 00:00:00", "2026-02-27T24:00:00Z", "2026-02-27T00:00:00", "2026-02-27T00:00:00.Z", "2026-13-01"} {
		if _, err := checkTimestamp(s); err == nil {
			t.Errorf("checkTimestamp(%q) = nil error; want an error", s)
		}
	}
}

func TestCountryCode(t *testing.T) {
	tests := map[string]string{
		"IR": "IR", "Iran": "IR", "Iran (Islamic Republic of)": "IR", "iran": "IR",
		"Democratic People's Republic of Korea": "KP", "Korea, North": "KP",
		"Côte d'Ivoire": "CI", "Cote d Ivoire": "CI", "Türkiye": "TR", "Russian Federation": "RU",
		"China, Hong Kong Special Administrative Region": "HK",
		"na": "", "Atlantis": "", "": "",
	}
	for in, want := range tests {
		if got := CountryCode(in); got != want {
			t.Errorf("CountryCode(%q) = %q; want %q", in, got, want)
		}
	}
}
