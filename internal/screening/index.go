package screening

import (
	"cmp"
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"sync"
)

// Scores are integers in 0..1000. A name score is the agreement of the
// query's tokens with one listed name's tokens; adjustments for secondary
// attributes and the quality of the listed name are added to it, and the
// result is clamped to 0..1000.
const (
	// DefaultThreshold is the score at or above which a match is a hit.
	DefaultThreshold = 850
	// MinScore is the lowest score Screen reports.
	MinScore = 700

	// tokenMin is the lowest token similarity that counts as a match.
	tokenMin = 720
	// pairMin is the lowest similarity for a joined/split token match
	// (after typoSim: Jaro-Winkler 0.95).
	pairMin = 900
	// typoJWMin is the lowest Jaro-Winkler similarity of a typo match;
	// shortJWMin applies when the shorter token has at most four letters.
	typoJWMin  = 860
	shortJWMin = 880
	// initialSim is the similarity of an initial with a token it begins.
	initialSim = 900
	// skeletonSim is the similarity of two tokens with equal consonant
	// skeletons when one came from Arabic script.
	skeletonSim = 930
	// vowelSim is the similarity of two Latin tokens with equal consonant
	// skeletons of at least four letters ("tikriti" / "takriti").
	vowelSim = 880

	// Adjustments.
	lowQualityPoints   = -120 // the listed name is a low-quality (weak) alias
	kindMismatchPoints = -100 // individual vs entity, vessel or aircraft
	dobExactPoints     = 60   // full date of birth agrees
	dobYearPoints      = 40   // year of birth agrees (within a listed range)
	dobConflictPoints  = -120 // no listed date of birth allows the query's year
	countryPoints      = 30   // the query's country is among the entry's
	countryConflict    = -40  // the entry has countries, none the query's

	// Weights of tokens in a name, by class and by how many listed names
	// contain the token (rarer tokens say more).
	weightParticle = 15
	weightInitial  = 50
	weightLegal    = 10

	// An unmatched middle token weighs middleNum/middleDen of its weight.
	middleNum, middleDen = 1, 2

	// infoMin is the matched listed weight (Σ weight × similarity / 1000)
	// below which a name none of whose matched words is rare (rareWeight)
	// is generic, if it is an entity's or only partly matched:
	// names made only of common words ("Global Trading Group") lose
	// infoPointsNum/infoPointsDen points per unit of weight short of infoMin.
	infoMin                      = 160
	rareWeight                   = 75 // a word no more than 80 listed names contain
	infoPointsNum, infoPointsDen = 3, 4

	// optimisticLen and optimisticSim: see retrieve.
	optimisticLen = 7
	optimisticSim = 900

	// rawRetrieveBelow: a query word whose folded spelling retrieves no
	// listed word this similar is looked up as written too.
	rawRetrieveBelow = 950

	// retrieveMargin lowers the floor of candidate retrieval below the
	// floor of the matches reported: retrieval's bound assumes query words
	// match only the listed words it finds for them, which is not quite
	// true (two edits, initials, joins), and the margin keeps it from
	// discarding names that would reach the floor.
	retrieveMargin = 50

	// maxRaws bounds the spellings before fold kept per listed word.
	maxRaws = 3

	// maxCandidates bounds the listed names scored in full for one query.
	maxCandidates = 32
)

// weightForDF returns the weight of a token that df listed names contain.
func weightForDF(df int) int32 {
	switch {
	case df <= 5:
		return 100
	case df <= 20:
		return 90
	case df <= 80:
		return 75
	case df <= 300:
		return 60
	}
	return 45
}

// Query is a party name to screen, with what else the payment says about
// the party.
type Query struct {
	Name        string
	Kind        Kind   // KindUnknown when the payment does not say
	Country     string // ISO 3166 alpha-2 code or country name; optional
	DateOfBirth Date   // optional
}

// Validate reports whether the engine should accept q for screening.
func (q Query) Validate() error {
	if len(q.Name) > MaxNameBytes {
		return fmt.Errorf("screening: name longer than %d bytes", MaxNameBytes)
	}
	n := len(normalizeName(q.Name, nil, q.Kind))
	if n == 0 {
		return fmt.Errorf("screening: name %q has no letters or digits", q.Name)
	}
	if len(tokenize(q.Name)) > MaxNameTokens {
		return fmt.Errorf("screening: name has more than %d words", MaxNameTokens)
	}
	if q.Country != "" && CountryCode(q.Country) == "" {
		return fmt.Errorf("screening: unknown country %q", q.Country)
	}
	return nil
}

// Match is a listed name that scored at least MinScore against a query.
type Match struct {
	Reference   string // the entry's reference, e.g. "KPe.001"
	ListedName  string // the name that matched, as published
	PrimaryName string // the entry's primary name
	Quality     Quality
	Kind        Kind
	Regime      string
	ListVersion string // ID of the list version holding the entry
	Score       int    // 0..1000
	Explanation Explanation
}

// Explanation says how a score came about.
type Explanation struct {
	Tokens    []TokenMatch // query tokens paired with listed tokens
	Unmatched []string     // query tokens left unpaired
	Missing   []string     // listed tokens left unpaired
	Ignored   []string     // query words dropped before matching (legal forms, honorifics)
	NameScore int          // the score of the names alone, 0..1000
	Generic   int          // points NameScore lost because the matched words are common
	// Adjustments added to NameScore, in order.
	Adjustments []Adjustment
}

// TokenMatch pairs query token(s) with listed token(s).
type TokenMatch struct {
	Query      string // "vladimir", or "al+qaida" for a split token
	Listed     string
	How        string // exact, variant, typo, initial, joined, split, skeleton
	Similarity int    // 0..1000
}

// Adjustment is a change to the name score and its reason.
type Adjustment struct {
	Reason string
	Points int
}

func (e Explanation) String() string {
	var b strings.Builder
	for i, t := range e.Tokens {
		if i > 0 {
			b.WriteString(", ")
		}
		if t.How == "exact" {
			fmt.Fprintf(&b, "%s=%s", t.Query, t.Listed)
		} else {
			fmt.Fprintf(&b, "%s~%s (%s %d)", t.Query, t.Listed, t.How, t.Similarity)
		}
	}
	if len(e.Unmatched) > 0 {
		fmt.Fprintf(&b, "; extra: %s", strings.Join(e.Unmatched, " "))
	}
	if len(e.Missing) > 0 {
		fmt.Fprintf(&b, "; missing: %s", strings.Join(e.Missing, " "))
	}
	if len(e.Ignored) > 0 {
		fmt.Fprintf(&b, "; ignored: %s", strings.Join(e.Ignored, " "))
	}
	if e.Generic > 0 {
		fmt.Fprintf(&b, "; common words -%d", e.Generic)
	}
	fmt.Fprintf(&b, "; names %d", e.NameScore)
	for _, a := range e.Adjustments {
		fmt.Fprintf(&b, "; %s %+d", a.Reason, a.Points)
	}
	return b.String()
}

// Decision is the outcome of screening one name against a threshold.
type Decision struct {
	Hit       bool
	Threshold int
	Best      Match // the best match, if any (Score 0 when none)
}

// Decide reports whether the best of matches (as returned by Screen, best
// first) reaches threshold.
func Decide(matches []Match, threshold int) Decision {
	d := Decision{Threshold: threshold}
	if len(matches) > 0 {
		d.Best = matches[0]
		d.Hit = matches[0].Score >= threshold
	}
	return d
}

// Index screens names against a fixed set of list versions. Its lists and
// tables do not change after NewIndex, and it is safe for concurrent use:
// each Screen takes working memory from a sync.Pool, and which memory it
// gets has no bearing on the result.
type Index struct {
	versions  []*ListVersion
	entries   []*Entry
	entryVer  []int32
	names     []indexedName
	meta      []nameMeta // per name, what retrieve's bound needs, packed
	nameWords []int32    // per name (nameMeta.off), the vocab ids of its tokens and joined pairs
	vocab     []vocabToken
	// neighbours[v]: vocab tokens similar to v as a query word, best first (see similar)
	neighbours [][]vocabSim
	words      map[string]word    // token text → vocab ids of the word and of two adjacent listed tokens joined
	del1       map[uint64][]int32 // delKey of token text and of its one-deletions → vocab ids
	del1Bits   []uint64           // bit h%del1Size set for each key h of del1: most lookups miss, and miss here
	skel       map[string][]int32 // consonant skeleton → vocab ids
	scratch    *sync.Pool         // of *scratch: working memory of Screen
}

type indexedName struct {
	entry  int32
	name   int32 // index in Entry.Names
	toks   []nameToken
	raws   []string // each token as written (lower case), for explanations
	pairs  []int32  // vocab id of toks[j]+toks[j+1] joined, or -1
	wMin   int32    // sum of token weights with middle tokens halved
	person bool     // the name of an individual
	wRest  int32    // sum of the weights of particles and initials
	lens   uint32   // bit min(len, 31) set for the length of each normal token
	low    bool     // a low-quality alias
}

// nameMeta is the part of an indexedName that retrieve reads for every
// name it touches, kept apart so that reading it costs one cache line.
type nameMeta struct {
	wMin  int32
	wRest int32
	lens  uint32
	off   uint32 // the vocab ids of the name's words and joined pairs are Index.nameWords[off:off+nw]
	low   bool
	nw    uint8
	words [4]uint64 // bit vocabBit(v) set for each word and joined pair v
}

// vocabBit spreads vocab ids over the 256 bits of nameMeta.words.
func vocabBit(v int32) (int, uint64) {
	h := uint32(v) * 2654435761 // Knuth's multiplicative hash
	return int(h >> 30), 1 << (h >> 24 & 63)
}

type nameToken struct {
	vocab int32
	class uint8
	abjad bool
}

// vocabToken is a listed word (or joined pair). It is laid out for the
// cache: tokenSim reads the first 64 bytes, and the next 64 hold the rest
// (the vocab is one large allocation, so each token starts a cache line);
// its strings are substrings of one arena, a token's next to each other.
type vocabToken struct {
	text      string
	skel      string
	letters   uint32 // letterMask(text)
	weight    int32
	raws      []spelling // spellings before fold that differ from text, at most maxRaws
	spellings []spelling // variantSpellings[text]
	postings  []uint32   // name<<5 | position of the token in the name, ascending
	pair      bool
	latin     bool // some listed name has the word in Latin script
	_         [14]byte
}

// spelling is a spelling of a vocab token and its letterMask.
type spelling struct {
	text    string
	letters uint32
}

// NewIndex builds an index over every name of every entry of versions, in
// the order given.
func NewIndex(versions ...*ListVersion) *Index {
	x := &Index{
		versions: versions,
		del1:     make(map[uint64][]int32),
		skel:     make(map[string][]int32),
	}
	exact := make(map[string]int32)  // token text → vocab id
	joined := make(map[string]int32) // text of two adjacent listed tokens joined → vocab id
	df := []int{}
	intern := func(text, skel string, pair bool) int32 {
		m := exact
		if pair {
			m = joined
		}
		if id, ok := m[text]; ok {
			return id
		}
		id := int32(len(x.vocab))
		x.vocab = append(x.vocab, vocabToken{text: text, skel: skel, pair: pair})
		df = append(df, 0)
		m[text] = id
		return id
	}
	for vi, v := range versions {
		for ei := range v.Entries {
			e := &v.Entries[ei]
			x.entries = append(x.entries, e)
			x.entryVer = append(x.entryVer, int32(vi))
			for ni, n := range e.Names {
				full := n.Full
				if e.Kind == KindIndividual {
					full = givenFirst(full)
				}
				kind := e.Kind
				if kind != KindIndividual {
					kind = KindEntity // listed names of unknown kind lose legal forms too
				}
				toks := normalizeName(full, nil, kind)
				if len(toks) == 0 {
					continue
				}
				in := indexedName{entry: int32(len(x.entries) - 1), name: int32(ni)}
				for _, t := range toks {
					id := intern(t.text, t.skel, false)
					x.vocab[id].latin = x.vocab[id].latin || !t.abjad
					if v := &x.vocab[id]; !t.abjad && t.raw != t.text && len(v.raws) < maxRaws && !slices.Contains(v.raws, spelling{t.raw, 0}) && t.class == classNormal {
						v.raws = append(v.raws, spelling{t.raw, 0})
					}
					in.toks = append(in.toks, nameToken{vocab: id, class: t.class, abjad: t.abjad})
					in.raws = append(in.raws, t.raw)
				}
				in.pairs = make([]int32, len(toks)-1)
				for j := range in.pairs {
					in.pairs[j] = -1
					if toks[j+1].class == classNormal {
						jt := joinTokens(toks[j].raw, toks[j+1].raw)
						in.pairs[j] = intern(jt, skeleton(jt), true)
					}
				}
				x.names = append(x.names, in)
			}
		}
	}
	x.words = make(map[string]word, len(exact)+len(joined))
	for text, id := range exact {
		x.words[text] = word{id, -1}
	}
	for text, id := range joined {
		w := x.lookupWord(text)
		w.joined = id
		x.words[text] = w
	}
	// Postings and document frequencies.
	for id := range x.names {
		n := &x.names[id]
		add := func(v int32, pos int) {
			p := x.vocab[v].postings
			if len(p) == 0 || p[len(p)-1]>>5 != uint32(id) {
				df[v]++
			}
			x.vocab[v].postings = append(p, uint32(id)<<5|uint32(pos))
		}
		for j, t := range n.toks {
			add(t.vocab, j)
		}
		for j, p := range n.pairs {
			if p >= 0 {
				add(p, j)
			}
		}
	}
	for id := range x.vocab {
		x.vocab[id].letters = letterMask(x.vocab[id].text)
		x.vocab[id].weight = weightForDF(df[id])
		v := &x.vocab[id]
		if !v.pair {
			for _, sp := range variantSpellings[v.text] {
				v.spellings = append(v.spellings, spelling{sp, 0})
			}
		}
	}
	x.arena()
	for id := range x.names {
		n := &x.names[id]
		e := x.entries[n.entry]
		n.low = e.Names[n.name].Quality == QualityLow
		n.person = e.Kind == KindIndividual
		n.wMin = 0
		for j, t := range n.toks {
			w := x.tokenWeight(t)
			if t.class == classNormal {
				n.lens |= 1 << min(len(x.vocab[t.vocab].text), 31)
			} else {
				n.wRest += w
			}
			if e.Kind == KindIndividual && isMiddle(j, len(n.toks)) {
				w = middleWeight(w)
			}
			n.wMin += w
		}
		if n.wMin <= 0 {
			n.wMin = 1
		}
	}
	x.meta = make([]nameMeta, len(x.names))
	for id, n := range x.names {
		m := nameMeta{wMin: n.wMin, wRest: n.wRest, lens: n.lens, low: n.low, off: uint32(len(x.nameWords))}
		for _, t := range n.toks {
			w, b := vocabBit(t.vocab)
			m.words[w] |= b
			x.nameWords = append(x.nameWords, t.vocab)
		}
		for _, p := range n.pairs {
			if p >= 0 {
				w, b := vocabBit(p)
				m.words[w] |= b
				x.nameWords = append(x.nameWords, p)
			}
		}
		m.nw = uint8(len(x.nameWords) - int(m.off)) // at most 2·MaxNameTokens-1
		x.meta[id] = m
	}
	// Retrieval keys. Pair tokens are found by exact and one-deletion keys.
	for id := range x.vocab {
		v := &x.vocab[id]
		spellings := []string{v.text}
		for _, r := range v.raws {
			spellings = append(spellings, r.text)
		}
		if !v.pair {
			// A misspelt variant ("Mohamkmad") is one edit from some
			// spelling of its group, if not from the canonical one.
			for _, sp := range variantSpellings[v.text] {
				if sp != v.text {
					spellings = append(spellings, sp)
				}
			}
		}
		for _, text := range spellings {
			if len(text) >= 3 {
				k := delKey(text, -1)
				if l := x.del1[k]; len(l) == 0 || l[len(l)-1] != int32(id) {
					x.del1[k] = append(l, int32(id))
				}
			}
			if len(text) >= 4 {
				for i := 0; i < len(text) && i < jwMaxLen; i++ {
					k := delKey(text, i)
					if l := x.del1[k]; len(l) == 0 || l[len(l)-1] != int32(id) {
						x.del1[k] = append(l, int32(id))
					}
				}
			}
		}
		if !v.pair && len(v.skel) >= 2 {
			// Skeletons of two letters serve only words from Arabic script.
			x.skel[v.skel] = append(x.skel[v.skel], int32(id))
		}
	}
	x.del1Bits = make([]uint64, del1Size/64)
	for k := range x.del1 {
		x.del1Bits[k%del1Size/64] |= 1 << (k % 64)
	}
	// Neighbours: what similar finds for each listed word as a query word,
	// so that a query word that is a listed word needs no key lookups.
	x.neighbours = make([][]vocabSim, len(x.vocab))
	for id := range x.vocab {
		v := &x.vocab[id]
		if v.pair || !v.latin {
			continue
		}
		t := normToken{raw: v.text, text: v.text, skel: v.skel, known: true, letters: v.letters, rawLetters: v.letters, grouped: len(v.spellings) > 0}
		if len(v.text) == 1 {
			t.class = classInitial
		}
		x.neighbours[id] = x.sims(nil, &t, v.text, x.similarKeys(nil, &t, v.text, v.skel, x.lookupWord(v.text), false), false)
	}
	names, vocab := len(x.names), len(x.vocab)
	x.scratch = &sync.Pool{New: func() any { return newScratch(names, vocab) }}
	return x
}

func newScratch(names, vocab int) *scratch {
	return &scratch{
		hits:   make([]nameHit, names),
		vstamp: make([]uint32, vocab), vrow: make([]int32, vocab),
		skip: make([]skipWord, vocab),
	}
}

// Clone returns an index that shares x's lists and tables. Index is safe
// for concurrent use; Clone remains for callers that want working memory of
// their own.
func (x *Index) Clone() *Index {
	c := *x
	names, vocab := len(x.names), len(x.vocab)
	c.scratch = &sync.Pool{New: func() any { return newScratch(names, vocab) }}
	return &c
}

// arena copies the strings of each vocab token (text, skeleton, raw
// spellings, variant spellings) next to each other into one string, so
// that comparing a query word with a token touches few cache lines, and
// sets the spellings' letter masks.
func (x *Index) arena() {
	n := 0
	for _, v := range x.vocab {
		n += len(v.text) + len(v.skel)
		for _, r := range v.raws {
			n += len(r.text)
		}
		for _, sp := range v.spellings {
			n += len(sp.text)
		}
	}
	b := make([]byte, 0, n)
	for _, v := range x.vocab {
		b = append(b, v.text...)
		b = append(b, v.skel...)
		for _, r := range v.raws {
			b = append(b, r.text...)
		}
		for _, sp := range v.spellings {
			b = append(b, sp.text...)
		}
	}
	a := string(b)
	off := 0
	take := func(s string) string {
		off += len(s)
		return a[off-len(s) : off]
	}
	for id := range x.vocab {
		v := &x.vocab[id]
		v.text = take(v.text)
		v.skel = take(v.skel)
		for i := range v.raws {
			v.raws[i] = spelling{take(v.raws[i].text), letterMask(v.raws[i].text)}
		}
		for i := range v.spellings {
			v.spellings[i] = spelling{take(v.spellings[i].text), letterMask(v.spellings[i].text)}
		}
	}
}

// givenFirst turns "FAMILY, Given Names" (OFAC's order for individuals)
// into "Given Names FAMILY", so that the first and last tokens are the
// given and family names and the ones between are middle names.
func givenFirst(s string) string {
	family, given, ok := strings.Cut(s, ",")
	if !ok || strings.Contains(given, ",") || strings.TrimSpace(given) == "" {
		return s
	}
	return strings.TrimSpace(given) + " " + strings.TrimSpace(family)
}

// del1Size is the number of bits of Index.del1Bits (1 MiB).
const del1Size = 1 << 23

// lookupDel1 returns the vocab ids under key k.
func (x *Index) lookupDel1(k uint64) []int32 {
	if x.del1Bits[k%del1Size/64]&(1<<(k%64)) == 0 {
		return nil
	}
	return x.del1[k]
}

// delKey is the 64-bit FNV-1a hash of text without its byte at skip (none
// if skip < 0): the key of one-deletion retrieval. A collision only adds a
// candidate word, which its similarity then rejects.
func delKey(text string, skip int) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(text); i++ {
		if i != skip {
			h ^= uint64(text[i])
			h *= 1099511628211
		}
	}
	return h
}

// joinTokens joins two raw tokens into the canonical form of the joined
// word ("al" + "qaida" → "alkaida").
func joinTokens(a, b string) string {
	var buf [64]byte
	f := foldAppend(buf[:0], a+b)
	if c, ok := nameVariants[string(f)]; ok {
		return c
	}
	return string(f)
}

func isMiddle(j, n int) bool { return n >= 3 && j > 0 && j < n-1 }

// middleWeight is what an unmatched middle token weighs: a missing middle
// name or patronymic costs less than a missing given or family name.
func middleWeight[T int32 | int64](w T) T { return w * middleNum / middleDen }

func (x *Index) tokenWeight(t nameToken) int32 {
	switch t.class {
	case classParticle:
		return weightParticle
	case classInitial:
		return weightInitial
	}
	return x.vocab[t.vocab].weight
}

// Versions returns the list versions of the index, in order.
func (x *Index) Versions() []*ListVersion { return x.versions }

// VersionIDs returns the IDs of the list versions of the index, in order:
// what a screening decision records.
func (x *Index) VersionIDs() []string {
	ids := make([]string, len(x.versions))
	for i, v := range x.versions {
		ids[i] = v.ID
	}
	return ids
}

// Names returns the number of indexed names.
func (x *Index) Names() int { return len(x.names) }

// scratch is per-query working memory, reused from query to query.
type scratch struct {
	hits    []nameHit // per listed name
	touched []int32
	cands   []candidate
	pairs   []pairing // score's pairings
	// Similarities computed for this query (see memo): vocab token v has
	// the row of cells at vrow[v] if vstamp[v] == stamp.
	stamp  uint32
	vstamp []uint32
	vrow   []int32
	cells  []uint32 // rows of 4 × len(query) cells: 1<<31 | sim<<8 | how, or 0
	stride int      // cells per row
	// The vocab tokens that non-essential query tokens match (see
	// retrieve), if skip[v].stamp == stamp.
	skip []skipWord
	seen []int32
	// prepare's results and working memory.
	qt        []qtoken
	simBuf    []vocabSim
	ids, ids2 []int32
}

type candidate struct {
	name int32
	ub   int32
}

// qtoken is a query token with what retrieval found for it.
type qtoken struct {
	normToken
	weight      int32
	pair        string // canonical joined form with the next token, or ""
	pairLetters uint32
	sims        []vocabSim // vocab tokens similar to this token, best first
	exact       bool       // the token is a listed word
	word        word       // what Index.words holds for text
	psims       []vocabSim // vocab tokens similar to pair
}

type vocabSim struct {
	vocab int32
	sim   int
	how   string
}

// Screen returns the entries whose names score at least MinScore against
// q, best first (by score, then list version order, then reference), at most
// MaxMatches, each with its best-scoring name.
func (x *Index) Screen(q Query) []Match { return x.screen(q, MaxMatches, MinScore) }

// ScreenAbove is Screen reporting only matches that score at least floor
// (and at least MinScore). With floor at the operator's threshold it
// returns the hits and nothing else, and is faster: fewer listed names can
// reach a higher floor, so fewer are scored. A hit's score and explanation
// are the same as Screen's.
func (x *Index) ScreenAbove(q Query, floor int) []Match {
	return x.screen(q, MaxMatches, max(floor, MinScore))
}

func (x *Index) screen(q Query, limit, floor int) []Match {
	var ignored []string
	name := q.Name
	if q.Kind == KindIndividual {
		name = givenFirst(name)
	}
	toks := normalizeName(name, &ignored, q.Kind)
	if len(toks) == 0 {
		return nil
	}
	s := x.scratch.Get().(*scratch)
	defer x.scratch.Put(s)
	s.stamp++
	if s.stamp == 0 {
		clear(s.vstamp) // after 2³² queries
		clear(s.skip)
		s.stamp = 1
	}
	s.cells, s.stride = s.cells[:0], 4*len(toks)
	qt := x.prepare(s, toks)
	bonus := int32(0)
	if !q.DateOfBirth.IsZero() {
		bonus += dobExactPoints
	}
	if q.Country != "" {
		bonus += countryPoints
	}
	cands := x.retrieve(qt, s, bonus, int32(floor-retrieveMargin))
	country := CountryCode(q.Country)
	type best struct {
		name  int32
		score int
	}
	var bests []best
	for _, c := range cands {
		n := &x.names[c.name]
		sc, _ := x.score(s, qt, n, false)
		if sc+int(bonus) < floor {
			continue
		}
		total, _ := x.adjust(sc, q, country, n)
		if total < floor {
			continue
		}
		bests = append(bests, best{c.name, total})
	}
	// Best name per entry.
	slices.SortFunc(bests, func(a, b best) int {
		ea, eb := x.names[a.name].entry, x.names[b.name].entry
		if ea != eb {
			return cmp.Compare(ea, eb)
		}
		if a.score != b.score {
			return cmp.Compare(b.score, a.score)
		}
		return cmp.Compare(a.name, b.name)
	})
	var out []best
	for i, b := range bests {
		if i > 0 && x.names[bests[i-1].name].entry == x.names[b.name].entry {
			continue
		}
		out = append(out, b)
	}
	slices.SortFunc(out, func(a, b best) int {
		if a.score != b.score {
			return cmp.Compare(b.score, a.score)
		}
		ea, eb := x.names[a.name].entry, x.names[b.name].entry
		if va, vb := x.entryVer[ea], x.entryVer[eb]; va != vb {
			return cmp.Compare(va, vb)
		}
		return cmp.Compare(x.entries[ea].Reference, x.entries[eb].Reference)
	})
	if len(out) > limit {
		out = out[:limit]
	}
	matches := make([]Match, 0, len(out))
	for _, b := range out {
		n := &x.names[b.name]
		e := x.entries[n.entry]
		sc, ex := x.score(s, qt, n, true)
		total, adj := x.adjust(sc, q, country, n)
		ex.NameScore = sc
		ex.Adjustments = adj
		ex.Ignored = append(slices.Clip(ignored), ex.Ignored...)
		matches = append(matches, Match{
			Reference:   e.Reference,
			ListedName:  e.Names[n.name].Full,
			PrimaryName: e.Names[0].Full,
			Quality:     e.Names[n.name].Quality,
			Kind:        e.Kind,
			Regime:      e.Regime,
			ListVersion: x.versions[x.entryVer[n.entry]].ID,
			Score:       total,
			Explanation: ex,
		})
	}
	return matches
}

// prepare computes query token weights, joined pairs, and the vocab tokens
// similar to each. Its slices live in s and last until the next query.
func (x *Index) prepare(s *scratch, toks []normToken) []qtoken {
	qt := slices.Grow(s.qt[:0], len(toks))[:len(toks)]
	s.qt = qt
	s.simBuf = s.simBuf[:0]
	for i, t := range toks {
		q := &qt[i]
		*q = qtoken{normToken: t, word: x.lookupWord(t.text)}
		switch t.class {
		case classParticle:
			q.weight = weightParticle
		case classInitial:
			q.weight = weightInitial
		case classLegal:
			q.weight = weightLegal
		default:
			q.weight = 100
			if id := q.word.exact; id >= 0 {
				q.weight = x.vocab[id].weight
			}
		}
		if i+1 < len(toks) && toks[i+1].class == classNormal && t.class != classLegal {
			q.pair = joinTokens(t.raw, toks[i+1].raw)
			q.pairLetters = letterMask(q.pair)
		}
	}
	for i := range qt {
		q := &qt[i]
		if q.class == classLegal {
			// A legal-form word that is a listed word ("Ko", a family
			// name) retrieves the names that have it.
			if id := q.word.exact; id >= 0 {
				q.sims = s.keepSims(append(s.simBuf, vocabSim{id, 1000, "exact"}))
			}
		}
		if q.class == classNormal {
			if id := q.word.exact; id >= 0 && x.vocab[id].latin {
				q.known = true
			}
			q.exact = q.known && !q.abjad
			q.sims = x.similar(s, &q.normToken, q.text, q.skel, q.word, false)
		}
		if q.pair != "" {
			q.psims = x.similar(s, nil, q.pair, "", x.lookupWord(q.pair), true)
		}
	}
	return qt
}

// word is what Index.words holds for a text: the vocab id of the listed
// word and of the joined pair of listed words so spelt, or -1.
type word struct{ exact, joined int32 }

// lookupWord returns the vocab ids of the listed word and joined pair
// spelt text.
func (x *Index) lookupWord(text string) word {
	if w, ok := x.words[text]; ok {
		return w
	}
	return word{-1, -1}
}

// keepSims returns the similarities appended to s.simBuf since the last
// call, and keeps them there until the next query.
func (s *scratch) keepSims(buf []vocabSim) []vocabSim {
	out := buf[len(s.simBuf):len(buf):len(buf)]
	s.simBuf = buf
	if len(out) == 0 {
		return nil
	}
	return out
}

// similar returns the vocab tokens that retrieval finds for a query token
// (exact, within one deletion each way, or same skeleton), with their
// similarity, best first. For a joined pair (t == nil) only pair and plain
// tokens with similarity ≥ pairMin are kept. w is what x.words holds for
// text.
func (x *Index) similar(s *scratch, t *normToken, text, skel string, w word, joined bool) []vocabSim {
	if id := w.exact; id >= 0 && !joined && !t.abjad && x.vocab[id].latin {
		// A listed word: its neighbours, and their similarity to it, were
		// found when the index was built. Only the label of the word itself
		// depends on the query's spelling.
		if t.raw == text {
			return x.neighbours[id] // shared: read only
		}
		buf := append(s.simBuf, x.neighbours[id]...)
		out := s.keepSims(buf)
		for i := range out {
			if out[i].vocab == id {
				out[i].how = "variant"
			}
		}
		return out
	}
	ids, ids2, buf := s.ids[:0], s.ids2[:0], s.simBuf
	ids = x.similarKeys(ids, t, text, skel, w, joined)
	start := len(buf)
	buf = x.sims(buf, t, text, ids, joined)
	if out := buf[start:]; (len(out) == 0 || out[0].sim < rawRetrieveBelow) && !joined && t != nil && !t.abjad && t.raw != text && len(t.raw) >= 4 {
		// Nothing close found for the folded word: try it as written.
		ids2 = x.similarRaw(ids2, t)
		for _, v := range out {
			if !slices.Contains(ids2, v.vocab) {
				ids2 = append(ids2, v.vocab)
			}
		}
		buf = x.sims(buf[:start], t, text, ids2, joined)
	}
	s.ids, s.ids2 = ids, ids2
	return s.keepSims(buf)
}

// similarKeys appends to ids the vocab tokens that share a retrieval key
// with a query word (or joined pair): one deletion from each, or the
// consonant skeleton. w is what x.words holds for text.
func (x *Index) similarKeys(ids []int32, t *normToken, text, skel string, w word, joined bool) []int32 {
	addAll := func(l []int32) {
		for _, id := range l {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	if w.exact >= 0 {
		ids = append(ids, w.exact)
	}
	if w.joined >= 0 && !slices.Contains(ids, w.joined) {
		ids = append(ids, w.joined)
	}
	if len(text) >= 3 {
		addAll(x.lookupDel1(delKey(text, -1)))
	}
	if len(text) >= 4 && !joined {
		for i := 0; i < len(text) && i < jwMaxLen; i++ {
			addAll(x.lookupDel1(delKey(text, i)))
		}
	}
	if !joined && (len(skel) >= 3 || t != nil && t.abjad && len(skel) >= 2) {
		addAll(x.skel[skel])
	}
	return ids
}

// similarRaw appends to ids the vocab tokens that share a retrieval key
// with the query word as written, before fold: a typo can break one of
// fold's digraphs ("steel" folds to "stil", "stewl" to "stevl").
func (x *Index) similarRaw(ids []int32, t *normToken) []int32 {
	add := func(l []int32) {
		for _, id := range l {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	add(x.lookupDel1(delKey(t.raw, -1)))
	for i := 0; i < len(t.raw) && i < jwMaxLen; i++ {
		add(x.lookupDel1(delKey(t.raw, i)))
	}
	return ids
}

// sims computes the similarity of a query token (or joined pair) with the
// vocab tokens ids and appends those that match to out, best first.
func (x *Index) sims(out []vocabSim, t *normToken, text string, ids []int32, joined bool) []vocabSim {
	start := len(out)
	for _, id := range ids {
		v := &x.vocab[id]
		var sim int
		var how string
		if joined {
			sim = max(jaroWinkler(text, v.text), editSim(text, v.text))
			if sim < 1000 {
				sim = typoSim(text, v.text, sim)
			}
			how = "joined"
			if sim < pairMin {
				continue
			}
		} else {
			sim, how = tokenSim(t, v, false)
			if sim < tokenMin {
				continue
			}
		}
		out = append(out, vocabSim{id, sim, how})
	}
	slices.SortFunc(out[start:], func(a, b vocabSim) int {
		if a.sim != b.sim {
			return cmp.Compare(b.sim, a.sim)
		}
		return cmp.Compare(a.vocab, b.vocab)
	})
	return out
}

// tokenSim is the similarity of a query token with a listed token, and how
// they matched. listedAbjad says the listed token came from Arabic script.
//
// raws are the listed word's spellings before fold: a typo can break one
// of fold's digraphs ("steel" → "stil", but "stewl" → "stevl"), so the
// query word as written is also compared with them.
func tokenSim(q *normToken, v *vocabToken, listedAbjad bool) (int, string) {
	text, skel, raws := v.text, v.skel, v.raws
	if q.text == text {
		if q.raw == text {
			return 1000, "exact"
		}
		return 1000, "variant"
	}
	if q.class == classInitial || len(text) == 1 {
		if len(text) > 0 && len(q.text) > 0 && q.text[0] == text[0] {
			return initialSim, "initial"
		}
		for _, r := range raws {
			// "K." for "Khamis", which fold made "hamis".
			if q.class == classInitial && len(q.raw) > 0 && r.text[0] == q.raw[0] {
				return initialSim, "initial"
			}
		}
		return 0, ""
	}
	// Each comparison below first checks that the two spellings have
	// enough letters in common to reach a typo match at all (alike).
	jw := alike(q.text, q.letters, text, v.letters)
	if !q.abjad && jw < 950 {
		// The words as written, before fold.
		if q.raw != q.text {
			jw = max(jw, alike(q.raw, q.rawLetters, text, v.letters))
		}
		for _, r := range raws {
			jw = max(jw, alike(q.raw, q.rawLetters, r.text, r.letters))
		}
	}
	if !q.grouped && jw < 950 {
		// Every spelling of a name variant group ("Mohamkmad" / "Mohammad").
		for _, sp := range v.spellings {
			jw = max(jw, alike(q.text, q.letters, sp.text, sp.letters))
		}
	}
	sim := typoSim(q.text, text, jw)
	if q.known && sim > 0 {
		// The query word is itself a listed name ("Karim"): a listed word a
		// typo away ("Kasim") is more likely another name than a typo of
		// it, so the distance counts three times, not twice.
		sim = max(0, sim-(1000-jw))
		if sim < tokenMin {
			sim = 0
		}
	}
	switch {
	case q.abjad || listedAbjad:
		// Arabic script leaves out short vowels: compare consonants.
		sk := jaroWinkler(q.skel, skel) * 95 / 100
		if q.skel == skel && len(skel) >= 2 {
			sk = skeletonSim
		}
		if sk >= sim && sk > 0 {
			return sk, "skeleton"
		}
	case q.skel == skel && len(skel) >= 4 && vowelSim > sim && !q.known:
		return vowelSim, "vowels"
	}
	return sim, "typo"
}

// typoSim turns the similarity (the larger of Jaro-Winkler and editSim) of
// two different tokens into a
// token similarity: 0 below typoJWMin (shortJWMin for short tokens, and
// near-equality for tokens of up to three letters), else the Jaro-Winkler
// distance doubled, 1000 - 2·(1000 - jw). Jaro-Winkler is generous to
// different names that share letters ("hamed" / "haled" is 0.89); doubling
// the distance keeps one typo in a name cheap and makes a name whose every
// token differs fall below the threshold.
func typoSim(a, b string, jw int) int {
	switch short := min(len(a), len(b)); {
	case short <= 3 && jw < 900, short <= 4 && jw < shortJWMin, jw < typoJWMin:
		return 0
	}
	return 1000 - 2*(1000-jw)
}

// retrieve finds the listed names that share enough tokens with the query
// to possibly score floor, best upper bound first, at most maxCandidates.
//
// For each name it accumulates, over the query tokens that retrieved it, the
// listed weight × similarity, an upper bound of the matched listed weight,
// and the set of query tokens that found it. A name survives if the
// average of the two coverage bounds plus the largest possible bonus
// reaches floor.
func (x *Index) retrieve(qt []qtoken, s *scratch, bonus, floor int32) []candidate {
	s.touched = s.touched[:0]
	visit := func(qbits uint32, v vocabSim) {
		w := x.vocab[v.vocab].weight
		if x.vocab[v.vocab].pair {
			w *= 2 // a joined token stands for two listed tokens
		}
		lbits := uint64(1)
		if x.vocab[v.vocab].pair {
			lbits = 3
		}
		for _, p := range x.vocab[v.vocab].postings {
			n := int32(p >> 5)
			h := &s.hits[n]
			m := h.mask
			if m == 0 {
				s.touched = append(s.touched, n)
			}
			lb := lbits << (32 + p&31)
			if m&uint64(qbits) == 0 && m&lb == 0 {
				h.acc += w * int32(v.sim)
				h.mask = m | uint64(qbits) | lb
			}
		}
	}
	var wq, always, initials int32
	var wqi [MaxNameTokens]int32
	for i := range qt {
		q := &qt[i]
		w := q.weight
		if isMiddle(i, len(qt)) {
			w = middleWeight(w)
		}
		wqi[i] = w
		wq += w
		if q.class != classNormal {
			always += q.weight
		}
		if q.class == classInitial {
			// An initial may match any listed word it begins.
			initials += weightInitial * initialSim
		}
	}
	// A long query token that retrieval found nothing for may be two
	// edits from a listed token, beyond what one-deletion keys find; it
	// still scores if the name is retrieved by another token. The bound
	// credits it as if it matched a listed token of weight 100 at optimistic.
	var optimistic, optimisticQ int32
	var optLens uint32 // lengths of listed tokens such a token might match
	for i := range qt {
		if l := len(qt[i].text); qt[i].class == classNormal && len(qt[i].sims) == 0 && len(qt[i].psims) == 0 && l >= optimisticLen {
			optimistic += 100 * optimisticSim
			optimisticQ += qt[i].weight
			for d := l - 2; d <= l+2; d++ {
				optLens |= 1 << min(d, 31)
			}
		}
	}
	// MaxScore (Turtle and Flood 1995): a name can reach floor only if the
	// query tokens that retrieve it carry enough of the query's weight,
	// since ub ≤ (1000 + qub)/2 + bonus. The lightest tokens, which together
	// fall short of that, are non-essential: the names only they retrieve
	// cannot reach floor, so their (long, since light means common)
	// postings are not read, and the names the others retrieve are credited
	// as if the non-essential tokens matched them.
	qmin := 2*(floor-bonus) - 1000
	order := make([]int, 0, len(qt))
	for i := range qt {
		if qt[i].class == classNormal && (len(qt[i].sims) > 0 || len(qt[i].psims) > 0) {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(qt[a].weight, qt[b].weight) })
	var skipped uint32
	var skipW, skipMax int32
	var skipWords [4]uint64 // vocabBit of the words non-essential tokens match
	light := always + optimisticQ
	qmOf := func(m uint32) int32 {
		q := int32(0)
		for b := m; b != 0; b &= b - 1 {
			if i := bits.TrailingZeros32(b); qt[i].class == classNormal {
				q += qt[i].weight
			}
		}
		return q
	}
	for _, i := range order {
		if (light+qt[i].weight)*1000 >= qmin*max(wq, 1) {
			break
		}
		light += qt[i].weight
		skipped |= 1 << i
		skipW += qt[i].weight
		best := int32(0)
		for _, v := range qt[i].sims {
			best = max(best, x.vocab[v.vocab].weight*int32(v.sim))
		}
		for _, v := range qt[i].psims {
			best = max(best, 2*x.vocab[v.vocab].weight*int32(v.sim))
		}
		skipMax += best
		mark := func(v vocabSim, w int32, qb uint32) {
			wi, b := vocabBit(v.vocab)
			skipWords[wi] |= b
			k := &s.skip[v.vocab]
			if k.stamp != s.stamp {
				*k = skipWord{stamp: s.stamp}
			}
			k.acc = max(k.acc, w*int32(v.sim))
			k.bits |= qb
		}
		for _, v := range qt[i].sims {
			mark(v, x.vocab[v.vocab].weight, 1<<i)
		}
		for _, v := range qt[i].psims {
			mark(v, 2*x.vocab[v.vocab].weight, 3<<i)
		}
	}
	for i := range qt {
		if skipped&(1<<i) != 0 {
			continue
		}
		for _, v := range qt[i].sims {
			visit(1<<i, v)
		}
		for _, v := range qt[i].psims {
			visit(3<<i, v)
		}
	}
	s.cands = s.cands[:0]
	for _, n := range s.touched {
		h := &s.hits[n]
		m := uint32(h.mask)
		acc := h.acc
		*h = nameHit{}
		nm := &x.meta[n]
		opt, optQ := int32(0), int32(0)
		if nm.lens&optLens != 0 {
			opt, optQ = optimistic, optimisticQ
		}

		// Listed particles and initials are not retrieved; they may match.
		// The non-essential tokens, looked up in the name itself if the
		// name could reach floor were they all to match.
		var sAcc, sQ int32
		if skipped != 0 {
			l := min(1000, (acc+opt+initials+skipMax+nm.wRest*1000)/nm.wMin)
			q := min(1000, (always+optQ+skipW+qmOf(m))*1000/max(wq, 1))
			if (l+q)/2+bonus < floor {
				continue
			}
			// Only if the name may have a word they match.
			if nm.words[0]&skipWords[0]|nm.words[1]&skipWords[1]|nm.words[2]&skipWords[2]|nm.words[3]&skipWords[3] != 0 {
				var sBits uint32
				sAcc, sBits = x.skippedIn(s, nm, &skipWords)
				for b := sBits &^ m; b != 0; b &= b - 1 {
					sQ += qt[bits.TrailingZeros32(b)].weight
				}
			}
		}
		lub := min(1000, (acc+opt+initials+sAcc+nm.wRest*1000)/nm.wMin)
		qm := always + optQ + sQ + qmOf(m)
		qub := min(1000, qm*1000/max(wq, 1))
		ub := (lub+qub)/2 + bonus
		if nm.low {
			ub += lowQualityPoints
		}
		if ub >= floor {
			s.cands = append(s.cands, candidate{n, ub})
		}
	}
	slices.SortFunc(s.cands, func(a, b candidate) int {
		if a.ub != b.ub {
			return cmp.Compare(b.ub, a.ub)
		}
		return cmp.Compare(a.name, b.name)
	})
	if len(s.cands) > maxCandidates {
		s.cands = s.cands[:maxCandidates]
	}
	return s.cands
}

// skippedIn returns the best weight × similarity with which the
// non-essential query tokens (marked in s.skip, and in the bits of
// skipWords) match words of the name nm, and which of them do.
func (x *Index) skippedIn(s *scratch, nm *nameMeta, skipWords *[4]uint64) (acc int32, qbits uint32) {
	for _, v := range x.nameWords[nm.off : nm.off+uint32(nm.nw)] {
		if wi, b := vocabBit(v); skipWords[wi]&b == 0 {
			continue
		}
		if k := &s.skip[v]; k.stamp == s.stamp {
			acc += k.acc
			qbits |= k.bits
		}
	}
	return acc, qbits
}

// nameHit is what retrieve accumulates for a listed name: the matched
// listed weight × similarity, greedily, and the query tokens (low 32 bits
// of mask) and listed tokens (high) counted in it.
type nameHit struct {
	mask uint64
	acc  int32
}

// skipWord is what retrieve notes for a vocab token that non-essential
// query tokens match: the best weight × similarity and the query tokens.
type skipWord struct {
	stamp uint32
	acc   int32
	bits  uint32
}

// pairing is one step of an alignment: query token(s) qi (and qi+1 if
// qJoin) with listed token(s) lj (and lj+1 if lJoin).
type pairing struct {
	sim          int
	qi, lj       int
	qJoin, lJoin bool
	how          string
	covered      int32 // the listed weight the pairing covers
}

// score aligns the query tokens with a listed name's tokens and returns the
// name score in 0..1000 (and, if explain, how it came about).
//
// Alignment is greedy: all pairings of a query token with a listed token
// whose similarity reaches tokenMin, plus pairings of two adjacent query
// tokens joined with one listed token ("al qaida" / "alqaida") and the
// reverse, are taken best first (ties: single tokens before joined ones,
// then by position), each token used once. Order does not matter, so
// given and family names may come in any order.
//
// The score is the mean of two coverages: of the listed name, Σ weight ×
// similarity over matched listed tokens ÷ Σ weight over all listed tokens,
// and the same of the query. Unmatched tokens in the middle of a name of
// three or more tokens count half, so a missing middle name or patronymic
// costs less than a missing given or family name.
func (x *Index) score(s *scratch, qt []qtoken, n *indexedName, explain bool) (int, Explanation) {
	// Explanations show listed words as the list writes them (lower case).
	lraw := func(j int) string { return n.raws[j] }
	pairs := s.pairs[:0]
	defer func() { s.pairs = pairs[:0] }()
	var qbest, lbest [MaxNameTokens]int // best single similarity of each token
	for i := range qt {
		for j, t := range n.toks {
			sim, how := x.sim(s, qt, i, t)
			if sim >= tokenMin {
				pairs = append(pairs, pairing{sim: sim, qi: i, lj: j, how: how})
				qbest[i], lbest[j] = max(qbest[i], sim), max(lbest[j], sim)
			}
		}
	}
	// Joined and split words are looked for only among words that have no
	// close single counterpart.
	const close = 950
	for i := range qt {
		if qt[i].pair != "" && (qbest[i] < close || qbest[i+1] < close) {
			for j, t := range n.toks {
				if t.class != classNormal || lbest[j] >= close {
					continue
				}
				if sim := x.pairSim(s, qt, i, t.vocab); sim >= pairMin {
					pairs = append(pairs, pairing{sim: sim, qi: i, lj: j, qJoin: true, how: "split"})
				}
			}
		}
	}
	for j, p := range n.pairs {
		if p < 0 || lbest[j] >= close && lbest[j+1] >= close {
			continue
		}
		for i := range qt {
			if qt[i].class != classNormal || qbest[i] >= close {
				continue
			}
			if sim := x.listedPairSim(s, qt, i, p); sim >= pairMin {
				pairs = append(pairs, pairing{sim: sim, qi: i, lj: j, lJoin: true, how: "joined"})
			}
		}
	}
	for k := range pairs {
		p := &pairs[k]
		p.covered = x.tokenWeight(n.toks[p.lj])
		if p.lJoin {
			p.covered += x.tokenWeight(n.toks[p.lj+1])
		}
	}
	slices.SortStableFunc(pairs, func(a, b pairing) int {
		if a.sim != b.sim {
			return cmp.Compare(b.sim, a.sim)
		}
		// At equal similarity, the pairing that covers more listed weight
		// first: "alkarim" takes "al"+"karim" before a lone "al" takes "al".
		if wa, wb := a.covered, b.covered; wa != wb {
			return cmp.Compare(wb, wa)
		}
		aj, bj := a.qJoin || a.lJoin, b.qJoin || b.lJoin
		if aj != bj {
			if aj {
				return 1
			}
			return -1
		}
		if a.qi != b.qi {
			return cmp.Compare(a.qi, b.qi)
		}
		return cmp.Compare(a.lj, b.lj)
	})
	var qsim, lsim [MaxNameTokens]int
	var qw, lw, qpad, lpad [MaxNameTokens]int32
	var qused, lused uint32
	var ex Explanation
	for _, p := range pairs {
		qbits, lbits := uint32(1)<<p.qi, uint32(1)<<p.lj
		if p.qJoin {
			qbits |= 1 << (p.qi + 1)
		}
		if p.lJoin {
			lbits |= 1 << (p.lj + 1)
		}
		if qused&qbits != 0 || lused&lbits != 0 {
			continue
		}
		qused |= qbits
		lused |= lbits
		// A matched pair weighs what its listed side weighs, on both sides.
		w := x.tokenWeight(n.toks[p.lj])
		if p.lJoin {
			w += x.tokenWeight(n.toks[p.lj+1])
		}
		if p.qJoin {
			qw[p.qi], qw[p.qi+1] = w/2, w-w/2
			qsim[p.qi], qsim[p.qi+1] = p.sim, p.sim
		} else {
			qw[p.qi], qsim[p.qi] = w, p.sim
		}
		lsim[p.lj] = p.sim
		lw[p.lj] = x.tokenWeight(n.toks[p.lj])
		if p.lJoin {
			lsim[p.lj+1] = p.sim
			lw[p.lj+1] = x.tokenWeight(n.toks[p.lj+1])
		}
		if p.how == "initial" {
			// An initial says little about the full token it matches: the
			// pair earns an initial's weight, and each side's full token
			// still counts its own weight.
			qw[p.qi], lw[p.lj] = weightInitial, weightInitial
			qpad[p.qi] = max(0, qt[p.qi].weight-weightInitial)
			lpad[p.lj] = max(0, x.tokenWeight(n.toks[p.lj])-weightInitial)
		}
		if explain {
			qs, ls := qt[p.qi].raw, lraw(p.lj)
			if p.qJoin {
				qs += "+" + qt[p.qi+1].raw
			}
			if p.lJoin {
				ls += "+" + lraw(p.lj+1)
			}
			how := p.how
			switch {
			case qs == ls:
				how = "exact"
			case how == "exact":
				how = "variant" // the same once folded
			}
			ex.Tokens = append(ex.Tokens, TokenMatch{Query: qs, Listed: ls, How: how, Similarity: p.sim})
		}
	}
	var qnum, qden, lnum, lden int64
	// Middle names are forgiven only in the names of individuals.
	person := n.person
	for i := range qt {
		if qused&(1<<i) != 0 {
			qnum += int64(qw[i]) * int64(qsim[i])
			qden += int64(qw[i]) + int64(qpad[i])
			continue
		}
		w := int64(qt[i].weight)
		if person && isMiddle(i, len(qt)) {
			w = middleWeight(w)
		}
		if qt[i].class == classLegal && !person {
			// A legal form the listed name of an entity does not have.
			if explain {
				ex.Ignored = append(ex.Ignored, qt[i].raw)
			}
			continue
		}
		qden += w
		if explain {
			ex.Unmatched = append(ex.Unmatched, qt[i].raw)
		}
	}
	rare := false // a matched listed word is not common
	for j, t := range n.toks {
		if lused&(1<<j) != 0 {
			rare = rare || x.tokenWeight(t) >= rareWeight
			lnum += int64(lw[j]) * int64(lsim[j])
			lden += int64(lw[j]) + int64(lpad[j])
			continue
		}
		w := int64(x.tokenWeight(t))
		if person && isMiddle(j, len(n.toks)) {
			w = middleWeight(w)
		}
		lden += w
		if explain {
			ex.Missing = append(ex.Missing, lraw(j))
		}
	}
	if qden == 0 || lden == 0 {
		return 0, ex
	}
	sc := int((qnum/qden + lnum/lden) / 2)
	partial := qused != 1<<len(qt)-1 || lused != 1<<len(n.toks)-1
	if info := int(lnum / 1000); info < infoMin && !rare && (!person || partial) {
		// Generic names: see infoMin.
		p := (infoMin - info) * infoPointsNum / infoPointsDen
		sc -= p
		if explain {
			ex.Generic = p
		}
	}
	return max(0, sc), ex
}

// hows are the ways two tokens match, as Explanation names them; the
// memo of similarities stores an index into it.
var hows = []string{"", "exact", "variant", "typo", "initial", "skeleton", "vowels", "joined", "split"}

func howCode(h string) uint32 {
	for i, s := range hows {
		if s == h {
			return uint32(i)
		}
	}
	panic("screening: unknown match kind " + h)
}

// Memo key kinds.
const (
	memoSingle = iota
	memoSingleAbjad
	memoPair
	memoListedPair
)

func (x *Index) memo(s *scratch, kind uint64, qi int, vocab int32, compute func() (int, string)) (int, string) {
	if s.vstamp[vocab] != s.stamp {
		s.vstamp[vocab] = s.stamp
		s.vrow[vocab] = int32(len(s.cells))
		s.cells = append(s.cells, make([]uint32, s.stride)...)
	}
	cell := &s.cells[int(s.vrow[vocab])+int(kind)*(s.stride/4)+qi]
	if *cell != 0 {
		return int(*cell >> 8 & 0xffff), hows[*cell&0xff]
	}
	sim, how := compute()
	*cell = 1<<31 | uint32(sim)<<8 | howCode(how)
	return sim, how
}

// sim returns the similarity of query token qi with listed token t, from
// retrieval's results or computed (and remembered for this query).
func (x *Index) sim(s *scratch, qt []qtoken, qi int, t nameToken) (int, string) {
	q := &qt[qi]
	for _, v := range q.sims {
		if v.vocab == t.vocab {
			return v.sim, v.how
		}
	}
	v := &x.vocab[t.vocab]
	if (q.class == classParticle) != (t.class == classParticle) && q.text != v.text {
		return 0, "" // a particle matches only itself
	}
	if q.class == classLegal {
		if q.text == v.text {
			return 1000, "exact"
		}
		return 0, "" // so does a legal-form word
	}
	kind := uint64(memoSingle)
	if t.abjad {
		kind = memoSingleAbjad
	}
	return x.memo(s, kind, qi, t.vocab, func() (int, string) { return tokenSim(&q.normToken, v, t.abjad) })
}

// pairSim is the similarity of query tokens qi and qi+1 joined with a
// listed token.
func (x *Index) pairSim(s *scratch, qt []qtoken, qi int, vocab int32) int {
	q := &qt[qi]
	for _, v := range q.psims {
		if v.vocab == vocab {
			return v.sim
		}
	}
	sim, _ := x.memo(s, memoPair, qi, vocab, func() (int, string) {
		text := x.vocab[vocab].text
		if len(text) < 5 || abs(len(text)-len(q.pair)) > 2 {
			return 0, ""
		}
		return typoSim(q.pair, text, alike(q.pair, q.pairLetters, text, x.vocab[vocab].letters)), ""
	})
	return sim
}

// listedPairSim is the similarity of query token qi with two listed tokens
// joined (vocab is the joined token).
func (x *Index) listedPairSim(s *scratch, qt []qtoken, qi int, vocab int32) int {
	q := &qt[qi]
	for _, v := range q.sims {
		if v.vocab == vocab {
			return v.sim
		}
	}
	sim, _ := x.memo(s, memoListedPair, qi, vocab, func() (int, string) {
		text := x.vocab[vocab].text
		if len(q.text) < 5 || abs(len(text)-len(q.text)) > 2 {
			return 0, ""
		}
		return typoSim(q.text, text, alike(q.text, q.letters, text, x.vocab[vocab].letters)), ""
	})
	return sim
}

func abs(a int) int {
	if a < 0 {
		return -a
	}
	return a
}

// adjust adds the adjustments for the listed name's quality, the party
// kind, the date of birth and the country.
func (x *Index) adjust(sc int, q Query, country string, n *indexedName) (int, []Adjustment) {
	e := x.entries[n.entry]
	var adj []Adjustment
	add := func(reason string, p int) {
		adj = append(adj, Adjustment{reason, p})
		sc += p
	}
	if e.Names[n.name].Quality == QualityLow {
		add("low-quality alias", lowQualityPoints)
	}
	if q.Kind != KindUnknown && e.Kind != KindUnknown {
		if (q.Kind == KindIndividual) != (e.Kind == KindIndividual) {
			add(fmt.Sprintf("kind %s vs listed %s", q.Kind, e.Kind), kindMismatchPoints)
		}
	}
	if !q.DateOfBirth.IsZero() && len(e.DatesOfBirth) > 0 {
		exact, year := false, false
		for _, b := range e.DatesOfBirth {
			lo, hi := b.years()
			if q.DateOfBirth.Year >= lo && q.DateOfBirth.Year <= hi {
				year = true
				if !b.Approx && b.ToYear == 0 && b.Date == q.DateOfBirth && b.Date.Day != 0 {
					exact = true
				}
			}
		}
		switch {
		case exact:
			add("date of birth "+q.DateOfBirth.String()+" agrees", dobExactPoints)
		case year:
			add(fmt.Sprintf("year of birth %04d agrees", q.DateOfBirth.Year), dobYearPoints)
		default:
			add("date of birth "+q.DateOfBirth.String()+" contradicts "+e.DatesOfBirth[0].String(), dobConflictPoints)
		}
	}
	if country != "" && len(e.Countries) > 0 {
		if slices.Contains(e.Countries, country) {
			add("country "+country+" agrees", countryPoints)
		} else {
			add("country "+country+" not in "+strings.Join(e.Countries, " "), countryConflict)
		}
	}
	return max(0, min(1000, sc)), adj
}
