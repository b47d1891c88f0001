package screening

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalisation turns a name into tokens in four steps.
//
//  1. Script (Tokens): Unicode NFKD, combining marks removed (diacritics:
//     "Müller" → "muller", "Đặng" → "dang"), letters with no decomposition
//     mapped (ß→ss, æ→ae, ø→o, ł→l, þ→th, ı→i), Cyrillic, Greek and Arabic
//     transliterated (translit.go), case folded to lower case. Apostrophes
//     join ("O'Neil" → "oneil"); other punctuation and spaces separate.
//     Letters of other scripts (Han, Hangul, ...) are kept as they are, so
//     they match only themselves.
//  2. Words (normalizeName): honorifics ("Mr", "Dr", "Sheikh", "Haji") and
//     connectors ("of", "the", "and") are dropped; legal-form words ("LLC",
//     "Ltd", "JSC", "OOO", "GmbH", "Co", ...) are dropped, so "Bank Melli
//     Iran PJSC" is "bank melli iran"; if nothing else is left they are kept.
//     "Abdul"/"Abdel"/"Abdur" + name splits into "abd al" + name, and the
//     Arabic article "al"/"el"/"ul" and "bin"/"ibn"/"ben" become particles
//     that weigh little.
//  3. Spelling (fold): transliteration variants are reduced to one spelling:
//     shch/sch→sh, tch→ch, dzh/dj/zh→j, kh→h, gh→g, ph→f, th→t, dh→d,
//     ck→k, tz→ts, ou/oo→u, ee→i, x→ks, q→k, w→v, y→i, j→i after a
//     vowel and before a consonant or the end, c→s before e/i and k elsewhere (but ch stays), initial
//     "ye"→"e", and doubled letters collapse. So "Khodorkovskiy" and
//     "Hodorkovsky" are both "hodorkovski", "Yevgeniy"/"Evgeny" "evgeni".
//  4. Variants (nameVariants): common names spelled many ways are mapped to
//     one canonical form: Mohammed/Muhammad/Mohamad/Mohd, Hussein/Husayn,
//     Yusuf/Youssef, Osama/Usama, ...
//
// The skeleton of a folded token (skeleton) keeps its first letter (a vowel
// becomes '*') and its consonants, collapsed: "muhamad" → "mhmd", "usama" →
// "*sm". It finds candidates across vowel differences and compares tokens
// that came from Arabic script, which does not write short vowels.

// rawToken is a token after step 1.
type rawToken struct {
	text  string
	abjad bool // transliterated from Arabic script: short vowels are missing
}

// abjadMark is written into the byte stream to mark a token that took
// letters from Arabic script; it never survives into a token.
const abjadMark = 0x01

// Tokens returns the lower-case Latin tokens of s after step 1 above
// (script, diacritics, case, punctuation); nothing is dropped or folded.
func Tokens(s string) []string {
	raw := tokenize(s)
	out := make([]string, len(raw))
	for i, t := range raw {
		out[i] = t.text
	}
	return out
}

// tokenize implements step 1.
func tokenize(s string) []rawToken {
	if len(s) > MaxNameBytes*4 {
		s = s[:MaxNameBytes*4]
	}
	var b []byte
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		b = make([]byte, 0, len(s))
		for i := 0; i < len(s); i++ {
			b = appendASCII(b, s[i])
		}
		return splitTokens(b)
	}
	rs := make([]rune, 0, len(s))
	for _, r := range norm.NFKD.String(s) {
		if r == '\u0308' && len(rs) > 0 && rs[len(rs)-1] == 'е' {
			rs[len(rs)-1] = 'ё' // kept: read as "yo", see translit.go
			continue
		}
		if unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || unicode.Is(unicode.Cf, r) {
			continue
		}
		rs = append(rs, unicode.ToLower(r))
	}
	b = make([]byte, 0, len(s)+8)
	for i := 0; i < len(rs); {
		r := rs[i]
		if r < utf8.RuneSelf {
			b = appendASCII(b, byte(r))
			i++
			continue
		}
		n := 1
		switch {
		case isCyrillic(r):
			if l, ok := cyrillic[r]; ok {
				b = append(b, l...)
			} else if unicode.IsLetter(r) {
				b = utf8.AppendRune(b, r)
			} else {
				b = append(b, ' ')
			}
		case isGreek(r):
			if greekLetter(r) {
				b, n = transliterateGreek(b, rs, i)
			} else {
				b = append(b, ' ')
			}
		case isArabic(r):
			if arabicLetter(r) || unicode.IsDigit(r) {
				b = append(b, abjadMark)
				b, n = transliterateArabic(b, rs, i)
			} else {
				b = append(b, ' ')
			}
		default:
			switch r {
			case '’', '‘', 'ʼ', 'ʻ', 'ʿ', 'ʾ', '´', '′':
				// Apostrophes join: "D’Souza" → "dsouza".
			case 'ß':
				b = append(b, "ss"...)
			case 'æ':
				b = append(b, "ae"...)
			case 'œ':
				b = append(b, "oe"...)
			case 'ø':
				b = append(b, 'o')
			case 'ł':
				b = append(b, 'l')
			case 'đ', 'ð':
				b = append(b, 'd')
			case 'þ':
				b = append(b, "th"...)
			case 'ı':
				b = append(b, 'i')
			case 'ŋ':
				b = append(b, "ng"...)
			case 'ħ':
				b = append(b, 'h')
			case 'ĸ':
				b = append(b, 'k')
			case 'ſ':
				b = append(b, 's')
			default:
				if unicode.IsLetter(r) || unicode.IsDigit(r) {
					b = utf8.AppendRune(b, r)
				} else {
					b = append(b, ' ')
				}
			}
		}
		i += n
	}
	return splitTokens(b)
}

func appendASCII(b []byte, c byte) []byte {
	switch {
	case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		return append(b, c)
	case c >= 'A' && c <= 'Z':
		return append(b, c+'a'-'A')
	case c == '\'' || c == '`':
		return b
	case c == '.':
		return append(b, dotMark)
	}
	return append(b, ' ')
}

// dotMark separates tokens at a full stop, so that splitTokens can join
// dotted abbreviations ("S.A.", "L.L.C.") into one token.
const dotMark = 0x02

// splitTokens splits at spaces and full stops, joining single letters
// that only full stops separate ("s.a." → "sa").
func splitTokens(b []byte) []rawToken {
	out := make([]rawToken, 0, 8)
	bs := string(b) // the tokens are substrings of one string
	start := -1
	abjad := false
	joinNext := false // the last token is one letter followed directly by a full stop
	flush := func(end int) {
		if start < 0 {
			return
		}
		tok := b[start:end]
		if abjad {
			tok = []byte(strings.ReplaceAll(string(tok), string(rune(abjadMark)), ""))
		}
		dotted := end < len(b) && b[end] == dotMark
		if len(tok) > 0 {
			if joinNext && len(tok) == 1 && b[start-1] == dotMark {
				out[len(out)-1].text += string(tok)
			} else {
				text := bs[start:end]
				if abjad {
					text = string(tok)
				}
				out = append(out, rawToken{text: text, abjad: abjad})
			}
			joinNext = dotted && (len(tok) == 1 || joinNext && len(tok) == 1)
		}
		start, abjad = -1, false
	}
	for i, c := range b {
		if c == ' ' || c == dotMark {
			if start < 0 && c == ' ' {
				joinNext = false
			}
			flush(i)
			continue
		}
		if start < 0 {
			start = i
		}
		if c == abjadMark {
			abjad = true
		}
	}
	flush(len(b))
	return out
}

// Token classes.
const (
	classNormal   uint8 = iota
	classParticle       // al, bin, de, van, abu: weighs little
	classInitial        // a single letter: matches a token it begins
	classLegal          // a legal-form word in a name of unknown kind: weighs little, matches only itself
)

// normToken is a token after steps 2-4.
type normToken struct {
	raw        string // after step 1, for explanations
	text       string // folded and canonical
	skel       string
	class      uint8
	abjad      bool
	grouped    bool   // text is the canonical spelling of a name variant group
	letters    uint32 // letterMask(text)
	rawLetters uint32 // letterMask(raw)
	known      bool   // a word of some listed name (set by the index)
}

// honorifics are dropped from names.
var honorifics = foldedSet("mr", "mrs", "ms", "miss", "mister", "dr", "prof", "professor", "sir",
	"madam", "mme", "mlle", "herr", "frau", "sheikh", "shaykh", "shaikh", "sheik", "shaik", "haji", "hajji",
	"hadji", "alhaj", "alhaji", "mullah", "mulla", "maulvi", "mawlawi", "maulana", "mawlana", "qari",
	"hon", "honorable", "honourable", "rev", "reverend", "gen", "col", "capt", "jr")

// legalForms are company legal-form words that are dropped wherever they
// appear; legalEnds are shorter or ambiguous ones ("co", "sa", "as", "ab")
// dropped only at the end of a name (with other legal-form words after
// them), and legalStarts the ones written before the name ("OOO Romashka").
var (
	legalForms = foldedSet("llc", "ltd", "limited", "inc", "incorporated", "corp", "corporation",
		"company", "plc", "gmbh", "mbh", "kgaa", "sarl", "sasu", "srl", "spa", "jsc", "ojsc", "cjsc", "pjsc",
		"ooo", "zao", "oao", "pao", "tov", "llp", "pte", "pty", "bhd", "fze", "fzco", "fzc", "fzllc", "dmcc",
		"establishment", "ltda", "tbk", "spzoo", "sro", "eood", "zrt", "kft", "wll", "saog", "saoc", "pllc",
		"lllp", "ltee", "sarlau", "kompaniia", "kompaniya", "korporatsiia", "korporatsiya", "eirl", "eirel")
	legalEnds = foldedSet("co", "ag", "kg", "sa", "sas", "sl", "slu", "bv", "nv", "oy", "oyj", "ab",
		"asa", "aps", "as", "ao", "lp", "sdn", "est", "cia", "kk", "pt", "sp", "z", "o", "oo", "zoo", "doo",
		"dd", "ad", "ood", "lda", "sae", "psc", "pjs", "ojs", "jscb", "sal", "se", "cv", "rl", "de", "sac",
		"ca", "sc", "scs", "spr", "sapi", "sca", "srl", "sacv", "sadecv", "cxa", "saic", "saci",
		"snc", "sprl", "ek", "me", "ike", "ae", "oe", "mchj", "sti", "tic", "ltd", "pvt",
		"private", "public", "nig")
	legalStarts = foldedSet("ooo", "zao", "oao", "pao", "ao", "too", "tov", "pt", "chp", "ip", "oo", "mchj")
	// fuzzyLegal are long legal-form words also dropped when misspelt.
	fuzzyLegal = []string{fold("company"), fold("corporation"), fold("limited"), fold("incorporated"), fold("establishment")}
	// legalSuffixes are split off a word they are joined to ("PROJECTSLTD").
	legalSuffixes = []string{"ltd", "llc", "ltda", "gmbh", "company", "corporation", "limited", "establishment"}
)

func foldedSet(words ...string) map[string]bool {
	m := make(map[string]bool, 2*len(words))
	for _, w := range words {
		m[w] = true
		m[fold(w)] = true
	}
	return m
}

// legalAnagrams holds the sorted letters of legal-form words of four or
// more letters, to catch transposed letters ("OSJC").
var legalAnagrams = func() map[string]bool {
	m := make(map[string]bool)
	for w := range legalForms {
		if len(w) >= 4 && len(w) <= 6 {
			m[sortLetters(w)] = true
		}
	}
	return m
}()

func sortLetters(s string) string {
	b := []byte(s)
	slices.Sort(b)
	return string(b)
}

// legalLong are the common legal-form words of four or more letters, for
// nearLegal.
var legalLong = []string{"ltda", "gmbh", "corp", "pjsc", "ojsc", "cjsc", "sarl", "fzco", "dmcc", "pllc",
	"limited", "company", "corporation", "incorporated", "establishment"}

// nearLegal reports whether t, the last word of a name, is one edit from a
// legal-form word of four or more letters ("LZTDA", "CORB", "GMB"), a
// misspelt legal form.
func nearLegal(t string) bool {
	if len(t) < 3 || len(t) > 12 {
		return false
	}
	for _, l := range legalLong {
		if withinOneEdit(t, l) {
			return true
		}
	}
	return false
}

func isLegal(t string) bool { return isLegalFolded(t, fold(t)) }

// isLegalFolded is isLegal with fold(t) already computed.
func isLegalFolded(t, f string) bool {
	if legalForms[t] || legalForms[f] {
		return true
	}
	if len(t) >= 4 && len(t) <= 6 {
		var b [6]byte
		n := copy(b[:], t)
		slices.Sort(b[:n])
		if legalAnagrams[string(b[:n])] {
			return true
		}
	}
	if len(t) >= 6 && len(f) >= 2 {
		for _, l := range fuzzyLegal {
			if abs(len(f)-len(l)) <= 2 && (f[0] == l[0] || f[1] == l[1]) && max(jaroWinkler(f, l), editSim(f, l)) >= 900 {
				return true
			}
		}
	}
	return false
}

// connectors are dropped from names.
var connectors = setOf("of", "the", "and", "for", "und", "et")

// particles weigh little in a name; each maps to its canonical spelling.
var particles = map[string]string{
	"al": "al", "el": "al", "ul": "al", "il": "al",
	"bin": "bin", "ibn": "bin", "ben": "bin", "bint": "bin", "binti": "bin", "bte": "bin", "bn": "bin",
	"abu": "abu", "abou": "abu", "abo": "abu",
	"de": "de", "da": "da", "del": "del", "della": "del", "di": "di", "du": "du", "des": "des",
	"la": "la", "le": "le", "van": "van", "von": "von", "der": "der", "den": "den", "dos": "dos",
	"das": "das", "do": "do",
}

// abdPrefixes split "Abdul..." into "abdal" and the rest.
var abdPrefixes = []string{"abdul", "abdel", "abdal", "abdol", "abdil", "abdur", "abdar", "abdus", "abdas", "abduz", "abdun", "abdeh"}

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// normalizeName implements steps 1-4 and returns at most MaxNameTokens
// tokens. dropped, if not nil, receives the words removed in step 2.
//
// kind decides what happens to legal-form words. An individual's name has
// none ("Ko" and "Se" are Korean family and given names, not "Co." and
// "S.E."): they stay ordinary words. An entity's lose them. When the kind
// is unknown they become legal-class tokens that weigh little and match
// only the same word, so that "Ko" still meets the "Ko" of a listed
// individual while "LLC" costs little against a listed company.
func normalizeName(s string, dropped *[]string, kind Kind) []normToken {
	person := kind == KindIndividual
	unknown := kind == KindUnknown
	raw := tokenize(s)
	// Legal-form words joined to the word before them.
	for i := 0; i < len(raw); i++ {
		for _, suf := range legalSuffixes {
			t := raw[i].text
			if len(t) >= len(suf)+4 && strings.HasSuffix(t, suf) && !isLegal(t) {
				raw = slices.Insert(raw, i+1, rawToken{text: suf, abjad: raw[i].abjad})
				raw[i].text = t[:len(t)-len(suf)]
				break
			}
		}
	}
	var dropBuf, legalBuf [16]bool
	var foldedBuf [16]string
	drop, folded, legal := dropBuf[:0], foldedBuf[:0], legalBuf[:0]
	if len(raw) > len(dropBuf) {
		drop, folded, legal = make([]bool, 0, len(raw)), make([]string, 0, len(raw)), make([]bool, 0, len(raw))
	}
	drop, folded, legal = drop[:len(raw)], folded[:len(raw)], legal[:len(raw)]
	for i, rt := range raw {
		if rt.abjad {
			folded[i] = collapse(rt.text)
		} else {
			folded[i] = fold(rt.text)
		}
		legal[i] = !person && isLegalFolded(rt.text, folded[i])
	}
	// Legal forms at the end, then at the start.
	end := len(raw)
	for !person && end > 1 && (legal[end-1] || legalEnds[raw[end-1].text] || end == len(raw) && nearLegal(raw[end-1].text)) {
		end--
		drop[end] = true
	}
	for i := 0; !person && i < end-1 && legalStarts[raw[i].text]; i++ {
		drop[i] = true
	}
	out := make([]normToken, 0, len(raw)+2)
	for i, rt := range raw {
		t := rt.text
		f := folded[i]
		isLegal := drop[i] || legal[i]
		if isLegal && unknown && !honorifics[t] && !connectors[t] {
			out = append(out, normToken{raw: t, text: f, skel: t, class: classLegal, abjad: rt.abjad})
			continue
		}
		if isLegal || honorifics[t] || honorifics[f] || connectors[t] {
			if dropped != nil {
				*dropped = append(*dropped, t)
			}
			continue
		}
		if p, ok := particles[t]; ok {
			if n := len(out); n > 0 && out[n-1].text == "abd" && p == "al" {
				// "Abd al-Rahman", "Abd-el-Kader".
				out[n-1] = abdal(out[n-1].raw+t, rt.abjad)
				continue
			}
			out = append(out, normToken{raw: t, text: p, skel: p, class: classParticle, abjad: rt.abjad})
			continue
		}
		if slices.Contains(abdPrefixes, t) {
			// "Abdel Kader": the prefix alone.
			out = append(out, abdal(t, rt.abjad))
			continue
		}
		if _, ok := variantSpellings[canonical(f)]; !ok && len(t) >= 8 {
			if split := splitAbd(t); split != "" {
				out = append(out, abdal(t[:len(t)-len(split)], rt.abjad))
				t = split
				f = ""
			}
		}
		out = append(out, makeTokenFolded(t, f, rt.abjad))
	}
	if !slices.ContainsFunc(out, func(t normToken) bool { return t.class != classLegal }) {
		// A name of nothing but legal-form words or honorifics: keep them.
		out = out[:0]
		for _, rt := range raw {
			out = append(out, makeToken(rt.text, rt.abjad))
		}
		if dropped != nil {
			*dropped = (*dropped)[:0]
		}
	}
	if len(out) > MaxNameTokens {
		out = out[:MaxNameTokens]
	}
	return out
}

// abdal is the token for "Abd al" ("servant of") however it is written:
// Abdul, Abdel, Abd al, Abd-el, Abdur, ... (raw is the spelling).
func abdal(raw string, abjad bool) normToken {
	return normToken{raw: raw, text: "abdal", skel: "*bdl", abjad: abjad}
}

func splitAbd(t string) string {
	for _, p := range abdPrefixes {
		if strings.HasPrefix(t, p) && len(t)-len(p) >= 3 {
			return t[len(p):]
		}
	}
	return ""
}

func makeToken(raw string, abjad bool) normToken { return makeTokenFolded(raw, "", abjad) }

// makeTokenFolded is makeToken with the folded spelling, if known.
func makeTokenFolded(raw, f string, abjad bool) normToken {
	switch {
	case f != "":
	case abjad:
		// Folded letter by letter when transliterated; only collapse.
		f = collapse(raw)
	default:
		f = fold(raw)
	}
	f = canonical(f)
	if len(f) == 1 && len(raw) > 1 {
		f = raw // "yi" is a name, not the initial "i"
	}
	_, grouped := variantSpellings[f]
	tok := normToken{raw: raw, text: f, skel: skeleton(f), abjad: abjad, grouped: grouped, letters: letterMask(f), rawLetters: letterMask(raw)}
	if len(f) == 1 {
		tok.class = classInitial
	}
	return tok
}

// canonical maps a folded token to the canonical spelling of its name
// variant group, if any.
func canonical(f string) string {
	if c, ok := nameVariants[f]; ok {
		return c
	}
	return f
}

// Normalize returns the canonical tokens of a name joined by spaces: what
// the matcher compares (for the name of an entity: legal forms dropped). It is deterministic and idempotent on its output.
func Normalize(s string) string {
	toks := normalizeName(s, nil, KindEntity)
	parts := make([]string, len(toks))
	for i, t := range toks {
		parts[i] = t.text
	}
	return strings.Join(parts, " ")
}

// fold implements step 3 on one lower-case token.
func fold(t string) string {
	var buf [64]byte
	f := foldAppend(buf[:0], t)
	if string(f) == t {
		return t
	}
	return string(f)
}

// foldAppend appends fold(t) to out.
func foldAppend(out []byte, t string) []byte {
	for i := 0; i < len(t); i++ {
		if t[i] >= utf8.RuneSelf {
			return append(out, t...) // other scripts: compared as they are
		}
	}
	base := len(out)
	emit := func(s string) {
		for i := 0; i < len(s); i++ {
			if n := len(out); n > base && out[n-1] == s[i] {
				continue // doubled letters collapse
			}
			out = append(out, s[i])
		}
	}
	n := len(t)
	i := 0
	if strings.HasPrefix(t, "ye") && n > 3 {
		i = 1 // "Yevgeny" / "Evgeny", "Yelena" / "Elena"
	}
	for i < n {
		c := t[i]
		var next byte
		if i+1 < n {
			next = t[i+1]
		}
		switch {
		case strings.HasPrefix(t[i:], "shch"):
			emit("sh")
			i += 4
			continue
		case strings.HasPrefix(t[i:], "sch"):
			emit("sh")
			i += 3
			continue
		case strings.HasPrefix(t[i:], "tch"):
			emit("ch")
			i += 3
			continue
		case strings.HasPrefix(t[i:], "dzh"):
			emit("j")
			i += 3
			continue
		}
		two := ""
		switch {
		case c == 'd' && next == 'j', c == 'z' && next == 'h':
			two = "j"
		case c == 'k' && next == 'h':
			two = "h"
		case c == 'g' && next == 'h':
			two = "g"
		case c == 'p' && next == 'h':
			two = "f"
		case c == 't' && next == 'h':
			two = "t"
		case c == 'd' && next == 'h':
			two = "d"
		case c == 'c' && next == 'k':
			two = "k"
		case c == 't' && next == 'z':
			two = "ts"
		case c == 'o' && (next == 'u' || next == 'o'):
			two = "u"
		case c == 'e' && next == 'e':
			two = "i"
		case c == 'c' && next == 'h':
			two = "ch"
		}
		if two != "" {
			emit(two)
			i += 2
			continue
		}
		switch c {
		case 'x':
			emit("ks")
		case 'q':
			emit("k")
		case 'w':
			emit("v")
		case 'y':
			emit("i")
		case 'j':
			emit("j") // see below
		case 'c':
			if next == 'e' || next == 'i' || next == 'y' {
				emit("s")
			} else {
				emit("k")
			}
		default:
			emit(t[i : i+1])
		}
		i++
	}
	// Sergej, Jurij, Mojtaba: j after a vowel and before a consonant or the
	// end is the i of other romanisations; elsewhere it stays j. Applied to
	// the output, so that a j made of dj, dzh or zh obeys it too.
	for k := base + 1; k < len(out); k++ {
		if out[k] == 'j' && isVowel(out[k-1]) && (k+1 == len(out) || !isVowel(out[k+1])) {
			out[k] = 'i'
		}
	}
	// Collapse again: "eii" → "ei".
	n = base
	for k := base; k < len(out); k++ {
		if n > base && out[n-1] == out[k] {
			continue
		}
		out[n] = out[k]
		n++
	}
	return out[:n]
}

// collapse removes doubled letters. Only ASCII bytes collapse: the bytes of
// a multi-byte character (Hangul jamo repeat them) must stay whole.
func collapse(t string) string {
	b := []byte(t)
	n := 0
	for i := range b {
		if n > 0 && b[n-1] == b[i] && b[i] < utf8.RuneSelf {
			continue
		}
		b[n] = b[i]
		n++
	}
	return string(b[:n])
}

func isVowel(c byte) bool {
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y'
}

// skeleton returns the consonant skeleton of a folded token: the first
// letter ('*' if it is a vowel) and the remaining consonants, doubled ones
// collapsed.
func skeleton(f string) string {
	if f == "" {
		return ""
	}
	out := make([]byte, 0, len(f))
	for i := 0; i < len(f); i++ {
		c := f[i]
		vowel := c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u'
		if i == 0 {
			if vowel {
				c = '*'
			}
			out = append(out, c)
			continue
		}
		if vowel || out[len(out)-1] == c {
			continue
		}
		out = append(out, c)
	}
	return string(out)
}

// nameVariants maps folded spellings of frequently transliterated names to
// one canonical folded spelling, and variantSpellings a canonical spelling
// to all the folded spellings of its group. Built once from variantGroups.
var nameVariants, variantSpellings = buildVariants()

// variantGroups lists names spelled many ways in Latin script; the first
// spelling of each group is the canonical one. Spellings that fold already
// reconciles (Yuriy/Yuri, Sergey/Sergei) need not be listed.
var variantGroups = [][]string{
	{"muhammad", "mohammed", "mohammad", "mohamed", "mohamad", "muhammed", "muhamed", "muhamad", "mohd",
		"mhd", "mohamud", "mohammud", "mohamet", "mouhamed", "mouhammad", "mahomed", "mohummad", "muhammet",
		"mohammadi", "muhamadu", "mamadou", "mohamadou"},
	{"ahmad", "ahmed", "ahmet", "akhmad", "akhmed", "achmad", "ahmat", "ahamed", "ahmadu"},
	{"mahmud", "mahmoud", "mahmood", "mahmut", "mahmudu"},
	{"husain", "hussein", "hussain", "husayn", "husein", "hossein", "hosein", "houssein", "husseyn", "huseyin",
		"husen", "hussin", "hossain", "hosain"},
	{"hasan", "hassan", "hassen", "hasen", "hassane", "hasson"},
	{"usama", "osama", "usamah", "osamah", "ousama", "oussama"},
	{"yusuf", "yousef", "yousuf", "youssef", "yusef", "yussuf", "yosef", "yousif", "yusif", "youcef", "yusup", "yussef"},
	{"ibrahim", "ebrahim", "ibraheem", "ibrahem", "ibragim", "ebraheem", "ibrahima"},
	{"abdullah", "abdallah", "abdulla", "abdalla", "abdullahi", "abdollah", "abdulah", "abdala"},
	{"umar", "omar", "omer", "oumar", "umer"},
	{"uthman", "othman", "osman", "usman", "outhman", "uthmann", "ousmane", "usmane", "osmane"},
	{"khalid", "khaled", "khaleed", "khalit"},
	{"mustafa", "mostafa", "moustafa", "mustapha", "mostapha", "mustafah", "moustapha", "mustafo"},
	{"said", "saeed", "saied", "saeid", "saiid", "saiyd"},
	{"sayyid", "syed", "seyed", "seyyed", "sayed", "sayyed", "sayid", "seyyid", "sayid", "sied"},
	{"qasim", "kassem", "qassem", "qasem", "kasim", "kassim", "qassim", "casim", "gasim", "kasem"},
	{"sulayman", "sulaiman", "suleiman", "sulaimon", "sleiman", "soliman", "suleyman", "suliman", "solaiman",
		"suleman", "sulejman", "soleiman", "soleyman"},
	{"nasir", "nasser", "naser", "nassir", "nacer", "nasseer"},
	{"jafar", "jaafar", "djafar", "dzhafar", "giafar", "jafer", "jaffar"},
	{"zubayr", "zubair", "zubeir", "zoubair", "zubeyr"},
	{"yahya", "yahia", "yehia", "yahiya", "yehya", "yahiya"},
	{"yasin", "yaseen", "yassin", "yassine", "yasine", "yasen"},
	{"ismail", "ismael", "esmail", "ismayil", "ismoil", "ismayl"},
	{"musa", "moussa", "mousa", "mussa", "mouça", "mosa"},
	{"isa", "issa", "eisa", "aisa", "eissa"},
	{"haidar", "haydar", "hyder", "haider", "heidar", "haidari"},
	{"jamal", "gamal", "djamal", "jamaal", "dzhamal"},
	{"karim", "kareem", "kerim", "karimou"},
	{"rahim", "raheem", "rehim"},
	{"rashid", "rasheed", "rachid", "rachide", "rashed", "rached"},
	{"hamid", "hameed", "hamed"},
	{"majid", "majeed", "maged", "magid", "madjid", "majed"},
	{"walid", "waleed", "oualid", "valid"},
	{"salih", "saleh", "salehi"},
	{"faisal", "faysal", "feisal", "faycal", "faisel", "faizal"},
	{"tariq", "tarik", "tarek", "tareq", "tarick"},
	{"anwar", "anouar", "anwer"},
	{"khalil", "khaleel", "halil", "khelil"},
	{"aziz", "azeez", "azis"},
	{"abbas", "abas"},
	{"ayman", "aiman", "eyman"},
	{"bakr", "bakar", "bakir"},
	{"rahman", "rehman", "rahmane", "rakhman"},
	{"ali", "aly", "alee"},
	{"zakariya", "zakaria", "zakariyya", "zakariyah", "zakarya"},
	{"hamza", "hamzah", "hamzeh"},
	{"mansur", "mansour", "mansoor"},
	{"nur", "nour", "noor"},
	{"jurij", "yuri", "yury", "yuriy", "iurii", "jurij", "juri", "yurii", "iouri"},
	{"aleksandr", "alexander", "aleksander", "alexandr", "oleksandr", "alexandre", "aleksandar"},
	{"aleksei", "alexey", "aleksey", "alexei", "oleksii", "oleksiy", "alexej", "aleksej", "alexii"},
	{"andrei", "andrey", "andriy", "andrii", "andrej"},
	{"mikhail", "michail", "mykhailo", "mihail"},
	{"nikolai", "nikolay", "mykola", "nicolai", "nikolaj"},
	{"evgeni", "yevgeny", "evgeny", "evgeniy", "yevgeniy", "evgenii", "jewgeni", "yevhen", "yevheniy"},
	{"vladimir", "volodymyr", "wladimir", "uladzimir"},
	{"pavel", "pavlo"},
	{"grigori", "grigory", "grigoriy", "hryhoriy"},
	{"georgi", "georgy", "georgiy", "heorhiy", "gheorghe"},
	{"fedor", "fyodor", "fiodor"},
	{"petr", "pyotr", "petro", "piotr"},
	{"ilia", "ilya", "illia", "ilja"},
	{"kim", "gim"},
	{"jong", "chong"},
	{"ri", "rhee"},
	{"li", "lee"},
	{"pak", "park", "bak"},
	{"choe", "choi", "chwe"},
}

func buildVariants() (map[string]string, map[string][]string) {
	m := make(map[string]string)
	spellings := make(map[string][]string)
	for _, g := range variantGroups {
		c := fold(g[0])
		for _, s := range g {
			f := fold(s)
			if !slices.Contains(spellings[c], f) {
				spellings[c] = append(spellings[c], f)
			}
			if f == c {
				continue
			}
			if prev, ok := m[f]; ok && prev != c {
				panic("screening: name variant " + s + " is in two groups: " + prev + ", " + c)
			}
			m[f] = c
		}
	}
	return m, spellings
}
