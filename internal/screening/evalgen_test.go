package screening

import (
	"bytes"
	"flag"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode"
)

var update = flag.Bool("update", false, "rewrite testdata/eval.csv (and other golden files)")

const evalPath = "testdata/eval.csv"

// TestGenerateEval rewrites testdata/eval.csv with -update. Without it, it
// checks that the checked-in file is what the generator produces, so the
// set stays reproducible from its seed.
func TestGenerateEval(t *testing.T) {
	rows, _ := generateEval(testVersions(t))
	var buf bytes.Buffer
	if err := WriteEvalCSV(&buf, rows); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(evalPath, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(evalPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, buf.Bytes()) {
		t.Errorf("%s is not what the generator produces; run go test -run TestGenerateEval -update", evalPath)
	}
}

// The labelled set.
//
// Positives: one variant of every UN entry and of 1,000 OFAC entries drawn
// with the fixed seed, each variant made by one of the transformations
// below (or two of them chained), chosen at random among those that apply.
// The expected reference is the entry the variant was made from.
//
// Negatives: persons and companies built from the name-part tables in
// namesParts (given names, family names, company words and legal forms of
// some 25 countries), never from the lists. A generated name whose
// normalised tokens equal those of a listed name is a listed name, not a
// negative, and is dropped.
const (
	evalSeed1, evalSeed2 = 20260227, 5
	evalOFACPositives    = 1000
	evalPersons          = 3500
	evalCompanies        = 2500
)

// generateEval returns the labelled rows and, for each, the name of the
// variant that made it ("" for negatives).
func generateEval(vs []*ListVersion) ([]EvalRow, []string) {
	rng := rand.New(rand.NewPCG(evalSeed1, evalSeed2))
	var rows []EvalRow
	var kinds []string
	var picked []*Entry
	for i := range vs[0].Entries {
		picked = append(picked, &vs[0].Entries[i])
	}
	ofac := vs[1].Entries
	var pool []int
	for i := range ofac {
		if ofac[i].Kind == KindIndividual || ofac[i].Kind == KindEntity {
			pool = append(pool, i)
		}
	}
	for _, j := range rng.Perm(len(pool))[:evalOFACPositives] {
		picked = append(picked, &ofac[pool[j]])
	}
	for _, e := range picked {
		if name, kind, ok := makeVariant(rng, e); ok {
			rows = append(rows, EvalRow{Name: name, Expected: e.Reference})
			kinds = append(kinds, kind)
		}
	}
	listed := make(map[string]bool)
	for _, v := range vs {
		for _, e := range v.Entries {
			for _, n := range e.Names {
				listed[tokenSetKey(n.Full)] = true
			}
		}
	}
	seen := make(map[string]bool)
	add := func(name string) bool {
		k := tokenSetKey(name)
		if listed[k] || seen[k] || k == "" {
			return false
		}
		seen[k] = true
		rows = append(rows, EvalRow{Name: name})
		kinds = append(kinds, "")
		return true
	}
	for n := 0; n < evalPersons; {
		if add(makePerson(rng)) {
			n++
		}
	}
	for n := 0; n < evalCompanies; {
		if add(makeCompany(rng)) {
			n++
		}
	}
	return rows, kinds
}

// tokenSetKey is the sorted normalised tokens of a name.
func tokenSetKey(s string) string {
	f := strings.Fields(Normalize(s))
	slices.Sort(f)
	return strings.Join(f, " ")
}

// variant is one transformation of a listed entry into a spelling a sender
// might use. It reports false if it does not apply to the entry.
type variant func(rng *rand.Rand, e *Entry) (string, bool)

var variants = []struct {
	name string
	fn   variant
}{
	{"typo", typoVariant(1)},
	{"typo2", typoVariant(2)},
	{"reorder", reorderVariant},
	{"drop-middle", dropMiddleVariant},
	{"alias", aliasVariant},
	{"legal-form", legalFormVariant},
	{"cyrillic", scriptVariant(toCyrillic)},
	{"arabic", arabicVariant},
	{"greek", greekVariant},
	{"spelling", spellingVariant},
	{"join-split", joinSplitVariant},
	{"initial", initialVariant},
	{"reorder+typo", chain(reorderVariant, typoOn(1))},
	{"drop-middle+spelling", chain(dropMiddleVariant, spellingOn)},
	{"cyrillic+reorder", chain(reorderVariant, func(rng *rand.Rand, s string) (string, bool) { return toCyrillic(s), true })},
	{"alias+typo", chain(aliasVariant, typoOn(1))},
}

func makeVariant(rng *rand.Rand, e *Entry) (string, string, bool) {
	for _, i := range rng.Perm(len(variants)) {
		name, ok := variants[i].fn(rng, e)
		if ok && strings.TrimSpace(name) != "" && name != e.Names[0].Full && Normalize(name) != "" {
			return name, variants[i].name, true
		}
	}
	return "", "", false
}

// words splits an entry's primary name into given-first words: OFAC's
// "LAST, First Middle" becomes "First Middle LAST".
func words(e *Entry) []string {
	n := e.Names[0].Full
	if e.Kind == KindIndividual {
		if last, first, ok := strings.Cut(n, ","); ok {
			n = strings.TrimSpace(first) + " " + strings.TrimSpace(last)
		}
	}
	return strings.Fields(n)
}

func latinOnly(s string) bool {
	for _, r := range s {
		if r > unicode.MaxLatin1 {
			return false
		}
	}
	return true
}

func typoVariant(k int) variant {
	return func(rng *rand.Rand, e *Entry) (string, bool) {
		return typoOn(k)(rng, strings.Join(words(e), " "))
	}
}

// typoMinLen is the shortest word a typo variant misspells. A one-letter
// change to a word of four letters or fewer mostly makes another word
// ("Kony" / "Tony", "Chol" / "Chul"): a different name, not a typo to catch.
const typoMinLen = 5

// typoOn makes k single-character edits (substitution, deletion,
// insertion, transposition) in different words of at least typoMinLen
// letters (and no hyphens or apostrophes, which split a word into shorter
// ones),
// or, for two edits in a name of fewer than three words, both in one word
// of at least eight letters.
func typoOn(k int) func(rng *rand.Rand, s string) (string, bool) {
	return func(rng *rand.Rand, s string) (string, bool) {
		w := strings.Fields(s)
		var long []int
		for i, x := range w {
			if len(x) >= typoMinLen && latinOnly(x) && !strings.ContainsAny(x, "-'’.,") {
				long = append(long, i)
			}
		}
		if len(long) == 0 {
			return "", false
		}
		order := rng.Perm(len(long))
		if k == 2 && len(w) < 3 {
			// Both words of a two-word name misspelt is another name;
			// take both edits in one long word instead.
			i := slices.IndexFunc(order, func(j int) bool { return len(w[long[j]]) >= 8 })
			if i < 0 {
				return "", false
			}
			order = []int{order[i]}
		} else if k == 2 && len(long) < 2 {
			return "", false
		}
		for n := 0; n < k; n++ {
			i := long[order[n%len(order)]]
			w[i] = editOnce(rng, w[i])
		}
		return strings.Join(w, " "), true
	}
}

const letters = "abcdefghijklmnopqrstuvwxyz"

func editOnce(rng *rand.Rand, s string) string {
	b := []byte(s)
	upper := strings.ToUpper(s) == s
	c := letters[rng.IntN(len(letters))]
	if upper {
		c -= 'a' - 'A'
	}
	p := rng.IntN(len(b))
	switch rng.IntN(4) {
	case 0: // substitution
		b[p] = c
	case 1: // deletion
		b = append(b[:p], b[p+1:]...)
	case 2: // insertion
		b = append(b[:p], append([]byte{c}, b[p:]...)...)
	default: // transposition
		if p == len(b)-1 {
			p--
		}
		b[p], b[p+1] = b[p+1], b[p]
	}
	return string(b)
}

func reorderVariant(rng *rand.Rand, e *Entry) (string, bool) {
	w := words(e)
	if len(w) < 2 || e.Kind != KindIndividual {
		return "", false
	}
	if e.Kind == KindIndividual && strings.Contains(e.Names[0].Full, ",") {
		// OFAC writes family name first; senders often do not.
		return strings.Join(w, " "), true
	}
	// Family name first ("PUTIN Vladimir Vladimirovich").
	out := append([]string{w[len(w)-1]}, w[:len(w)-1]...)
	return strings.Join(out, " "), true
}

func dropMiddleVariant(rng *rand.Rand, e *Entry) (string, bool) {
	w := words(e)
	var mid []int
	for i := 1; i < len(w)-1; i++ {
		if _, p := particles[strings.ToLower(w[i])]; !p && len(w[i]) > 2 {
			mid = append(mid, i)
		}
	}
	if e.Kind != KindIndividual || len(w) < 3 || len(mid) == 0 {
		return "", false
	}
	i := mid[rng.IntN(len(mid))]
	return strings.Join(append(w[:i:i], w[i+1:]...), " "), true
}

func aliasVariant(rng *rand.Rand, e *Entry) (string, bool) {
	var good []string
	for _, n := range e.Names[1:] {
		if n.Quality == QualityGood && n.Type != "original script" && latinOnly(n.Full) {
			good = append(good, n.Full)
		}
	}
	if len(good) == 0 {
		return "", false
	}
	return good[rng.IntN(len(good))], true
}

var suffixes = []string{"LLC", "Ltd.", "Co., Ltd.", "JSC", "GmbH", "S.A.", "PJSC", "Inc.", "Limited", "L.L.C.", "FZE", "Corp."}
var prefixes = []string{"OOO", "ZAO", "TOO", "PT", "OAO"}

func legalFormVariant(rng *rand.Rand, e *Entry) (string, bool) {
	if e.Kind != KindEntity {
		return "", false
	}
	n := e.Names[0].Full
	if rng.IntN(4) == 0 {
		return prefixes[rng.IntN(len(prefixes))] + " " + n, true
	}
	return n + " " + suffixes[rng.IntN(len(suffixes))], true
}

func scriptVariant(conv func(string) string) variant {
	return func(rng *rand.Rand, e *Entry) (string, bool) {
		w := words(e)
		s := strings.Join(w, " ")
		if !latinOnly(s) {
			return "", false
		}
		return conv(s), true
	}
}

// greekVariant writes the names of entries connected with Greece or
// Cyprus in Greek letters. (A Greek sender writes a Greek name in Greek;
// nobody writes an Afghan or Korean name in Greek letters in a payment.)
func greekVariant(rng *rand.Rand, e *Entry) (string, bool) {
	if !slices.Contains(e.Countries, "GR") && !slices.Contains(e.Countries, "CY") {
		return "", false
	}
	return scriptVariant(toGreek)(rng, e)
}

// arabicVariant writes names of the Arabic-speaking regimes' entries in
// Arabic script as a sender would: consonants and long vowels only.
func arabicVariant(rng *rand.Rand, e *Entry) (string, bool) {
	if e.Kind != KindIndividual {
		return "", false
	}
	s := strings.Join(words(e), " ")
	if !latinOnly(s) {
		return "", false
	}
	arabicish := false
	for _, w := range strings.Fields(strings.ToLower(Normalize(s))) {
		if w == "al" || w == "bin" || w == "abu" || w == "abd" || nameVariants[w] != "" || slices.Contains([]string{"muhamad", "ali", "ahmad", "abdulah", "hasan", "husain"}, w) {
			arabicish = true
		}
	}
	if !arabicish {
		return "", false
	}
	return toArabic(s), true
}

// spellingVariant rewrites one or two spellings as another romanisation
// would.
func spellingVariant(rng *rand.Rand, e *Entry) (string, bool) {
	return spellingOn(rng, strings.Join(words(e), " "))
}

var spellings = [][2]string{
	{"kh", "h"}, {"KH", "H"}, {"iy", "y"}, {"IY", "Y"}, {"y", "i"}, {"Y", "I"}, {"ou", "u"}, {"OU", "U"},
	{"u", "ou"}, {"U", "OU"}, {"j", "dj"}, {"J", "DJ"}, {"ee", "i"}, {"EE", "I"}, {"w", "v"}, {"W", "V"},
	{"q", "k"}, {"Q", "K"}, {"Al-", "El-"}, {"AL-", "EL-"}, {"al-", "el-"}, {"Mohammed", "Muhammad"},
	{"MOHAMMED", "MUHAMMAD"}, {"Muhammad", "Mohamed"}, {"MUHAMMAD", "MOHAMAD"}, {"Mohammad", "Mohd"},
	{"ss", "s"}, {"SS", "S"}, {"dd", "d"}, {"mm", "m"}, {"MM", "M"}, {"ll", "l"}, {"LL", "L"},
	{"Yu", "Iu"}, {"YU", "IU"}, {"ya", "ia"}, {"YA", "IA"}, {"ei", "ey"}, {"EI", "EY"}, {"sh", "ch"},
	{"SH", "CH"}, {"Abdul ", "Abd al-"}, {"ABDUL ", "ABD AL-"}, {"Hussein", "Husayn"}, {"HUSSEIN", "HUSAYN"},
	{"Osama", "Usama"}, {"Ahmed", "Ahmad"}, {"AHMED", "AHMAD"}, {"Yusuf", "Youssef"}, {"Omar", "Umar"},
}

func spellingOn(rng *rand.Rand, s string) (string, bool) {
	var apply []int
	for i, sp := range spellings {
		if strings.Contains(s, sp[0]) {
			apply = append(apply, i)
		}
	}
	if len(apply) == 0 {
		return "", false
	}
	n := 1 + rng.IntN(2)
	for k := 0; k < n && len(apply) > 0; k++ {
		j := rng.IntN(len(apply))
		sp := spellings[apply[j]]
		s = strings.Replace(s, sp[0], sp[1], 1)
		apply = append(apply[:j], apply[j+1:]...)
	}
	return s, true
}

func joinSplitVariant(rng *rand.Rand, e *Entry) (string, bool) {
	s := strings.Join(words(e), " ")
	for _, p := range []string{"Al-", "AL-", "al-", "El-", "EL-", "Al ", "AL ", "Abu ", "ABU ", "Bin ", "BIN "} {
		if strings.Contains(s, p) {
			return strings.Replace(s, p, strings.TrimRight(p, "- "), 1), true
		}
	}
	for _, p := range []string{"Abdul", "ABDUL", "Abdel", "ABDEL", "Abdur", "ABDUR"} {
		if i := strings.Index(s, p); i >= 0 && len(s) > i+len(p)+3 && s[i+len(p)] != ' ' {
			return s[:i+len(p)] + " " + s[i+len(p):], true
		}
	}
	w := strings.Fields(s)
	// Two words of the name proper run together; legal forms and
	// connectors are not part of it.
	var at []int
	for i := 0; i+1 < len(w); i++ {
		if plainWord(w[i]) && plainWord(w[i+1]) {
			at = append(at, i)
		}
	}
	if e.Kind == KindEntity && len(at) > 0 {
		i := at[rng.IntN(len(at))]
		return strings.Join(append(append(w[:i:i], w[i]+w[i+1]), w[i+2:]...), " "), true
	}
	return "", false
}

// plainWord reports whether a word is a word of a name proper: not a legal
// form, a connector or an abbreviation.
func plainWord(w string) bool {
	t := Tokens(w)
	if len(t) != 1 || len(t[0]) < 2 || strings.ContainsAny(w, ".,()") {
		return false
	}
	return !isLegal(t[0]) && !legalEnds[fold(t[0])] && !connectors[t[0]]
}

func initialVariant(rng *rand.Rand, e *Entry) (string, bool) {
	w := words(e)
	if e.Kind != KindIndividual || len(w) < 3 || !latinOnly(w[0]) || len(w[0]) < 2 {
		return "", false
	}
	w[0] = w[0][:1] + "."
	return strings.Join(w, " "), true
}

func chain(first variant, then func(rng *rand.Rand, s string) (string, bool)) variant {
	return func(rng *rand.Rand, e *Entry) (string, bool) {
		s, ok := first(rng, e)
		if !ok {
			return "", false
		}
		return then(rng, s)
	}
}

// toCyrillic writes a Latin name in Russian Cyrillic the way a Russian
// clerk would transcribe it by ear.
func toCyrillic(s string) string {
	rules := []struct{ latin, cyr string }{
		{"shch", "щ"}, {"sch", "ш"}, {"sh", "ш"}, {"ch", "ч"}, {"zh", "ж"}, {"kh", "х"}, {"ts", "ц"},
		{"th", "т"}, {"ph", "ф"}, {"gh", "г"}, {"dh", "д"}, {"ya", "я"}, {"yu", "ю"}, {"yo", "ё"},
		{"ye", "е"}, {"iy", "ий"}, {"yi", "ый"}, {"ck", "к"}, {"ee", "и"}, {"oo", "у"}, {"ou", "у"},
		{"ce", "се"}, {"ci", "си"}, {"cy", "си"},
		{"a", "а"}, {"b", "б"}, {"v", "в"}, {"g", "г"}, {"d", "д"}, {"e", "е"}, {"z", "з"}, {"i", "и"},
		{"k", "к"}, {"l", "л"}, {"m", "м"}, {"n", "н"}, {"o", "о"}, {"p", "п"}, {"r", "р"}, {"s", "с"},
		{"t", "т"}, {"u", "у"}, {"f", "ф"}, {"h", "х"}, {"c", "к"}, {"q", "к"}, {"w", "в"}, {"x", "кс"},
		{"j", "дж"}, {"y", "й"},
	}
	return transcribe(s, rules)
}

// toGreek writes a Latin name in Greek letters.
func toGreek(s string) string {
	rules := []struct{ latin, cyr string }{
		{"th", "θ"}, {"ch", "τσ"}, {"kh", "χ"}, {"gh", "γ"}, {"sh", "σ"}, {"ps", "ψ"}, {"ph", "φ"},
		{"ou", "ου"}, {"oo", "ου"}, {"ee", "ι"}, {"ks", "ξ"}, {"ck", "κ"}, {"ce", "σε"}, {"ci", "σι"},
		{"mp", "μπ"}, {"nt", "ντ"}, {"nd", "ντ"}, {"a", "α"},
		{"b", "μπ"}, {"v", "β"}, {"g", "γ"}, {"d", "ντ"}, {"e", "ε"}, {"z", "ζ"}, {"i", "ι"}, {"k", "κ"},
		{"l", "λ"}, {"m", "μ"}, {"n", "ν"}, {"x", "ξ"}, {"o", "ο"}, {"p", "π"}, {"r", "ρ"}, {"s", "σ"},
		{"t", "τ"}, {"u", "ου"}, {"f", "φ"}, {"h", "χ"}, {"c", "κ"}, {"q", "κ"}, {"w", "β"}, {"y", "ι"},
		{"j", "τζ"},
	}
	return transcribe(s, rules)
}

// toArabic writes a Latin name in Arabic script: consonants, long vowels
// for i/ee/u/o/ou, alif for a word-initial vowel and for "aa", short a/e
// dropped inside words, the article attached.
func toArabic(s string) string {
	rules := []struct{ latin, cyr string }{
		{"al-", "ال"}, {"el-", "ال"}, {"aa", "ا"}, {"ee", "ي"}, {"oo", "و"}, {"ou", "و"}, {"sh", "ش"},
		{"kh", "خ"}, {"th", "ث"}, {"dh", "ذ"}, {"gh", "غ"}, {"ch", "تش"}, {"b", "ب"}, {"t", "ت"},
		{"j", "ج"}, {"h", "ح"}, {"d", "د"}, {"r", "ر"}, {"z", "ز"}, {"s", "س"}, {"f", "ف"}, {"q", "ق"},
		{"k", "ك"}, {"l", "ل"}, {"m", "م"}, {"n", "ن"}, {"w", "و"}, {"y", "ي"}, {"i", "ي"}, {"u", "و"},
		{"o", "و"}, {"a", ""}, {"e", ""}, {"g", "ج"}, {"p", "ب"}, {"v", "ف"}, {"c", "ك"}, {"x", "كس"},
	}
	var out []string
	for _, w := range strings.Fields(strings.ToLower(s)) {
		first := ""
		if len(w) > 0 && strings.ContainsRune("aeiou", rune(w[0])) && !strings.HasPrefix(w, "al-") && !strings.HasPrefix(w, "el-") {
			first = "ا"
			w = w[1:]
		}
		if strings.HasSuffix(w, "a") {
			w = w[:len(w)-1] + "\x00"
		}
		a := transcribe(collapseLatin(w), rules)
		a = strings.ReplaceAll(a, "\x00", "ة")
		out = append(out, first+a)
	}
	return strings.Join(out, " ")
}

// collapseLatin removes doubled letters: Arabic writes a doubled consonant
// once (with a shadda that senders omit).
func collapseLatin(s string) string { return collapse(s) }

func transcribe(s string, rules []struct{ latin, cyr string }) string {
	low := strings.ToLower(s)
	var b strings.Builder
	for i := 0; i < len(low); {
		matched := false
		for _, r := range rules {
			if strings.HasPrefix(low[i:], r.latin) {
				b.WriteString(r.cyr)
				i += len(r.latin)
				matched = true
				break
			}
		}
		if !matched {
			if low[i] == ',' || low[i] == '.' || low[i] == '\'' {
				i++
				continue
			}
			b.WriteByte(low[i])
			i++
		}
	}
	return b.String()
}

func makePerson(rng *rand.Rand) string {
	c := nameParts[rng.IntN(len(nameParts))]
	g := c.given[rng.IntN(len(c.given))]
	f := c.family[rng.IntN(len(c.family))]
	switch rng.IntN(5) {
	case 0: // with a middle name
		m := c.given[rng.IntN(len(c.given))]
		if m != g {
			return g + " " + m + " " + f
		}
	case 1: // family name first, upper case, as in many payment messages
		return strings.ToUpper(f) + " " + g
	}
	return g + " " + f
}

func makeCompany(rng *rand.Rand) string {
	c := nameParts[rng.IntN(len(nameParts))]
	legal := c.legal[rng.IntN(len(c.legal))]
	word := c.business[rng.IntN(len(c.business))]
	var head string
	switch rng.IntN(3) {
	case 0:
		head = c.family[rng.IntN(len(c.family))]
	case 1:
		head = c.place[rng.IntN(len(c.place))]
	default:
		head = brandWords[rng.IntN(len(brandWords))]
	}
	name := head + " " + word
	if rng.IntN(3) == 0 {
		name += " " + c.business[rng.IntN(len(c.business))]
	}
	if strings.HasPrefix(legal, "^") {
		return legal[1:] + " " + name
	}
	return name + " " + legal
}
