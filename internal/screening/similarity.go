package screening

import "math/bits"

// Token similarity is the Jaro-Winkler similarity (Winkler 1990), computed
// in integer arithmetic on a 0..1000 scale so that every machine computes
// exactly the same value.
//
// Jaro counts the m characters the two strings have in common within a
// window of max(len)/2-1 positions, and the t transpositions among them
// (half the common characters that appear in a different order):
//
//	jaro = (m/|a| + m/|b| + (m-t)/m) / 3
//
// Winkler adds a bonus for a common prefix of up to 4 characters ℓ, since
// names are misspelt more often at the end than at the start:
//
//	jw = jaro + ℓ·0.1·(1 - jaro)   (only when jaro > 0.7)
//
// Here jaro is (1000·(m·m·|b| + m·m·|a| + (m-t)·|a|·|b|)) / (3·|a|·|b|·m),
// truncated, and jw = jaro + ℓ·(1000-jaro)/10, truncated.

// jwMaxLen bounds the bytes of a token that Jaro-Winkler compares; longer
// tokens are compared on their first jwMaxLen bytes.
const jwMaxLen = 64

// jaroWinkler returns the Jaro-Winkler similarity of a and b in 0..1000.
func jaroWinkler(a, b string) int {
	if a == b {
		return 1000
	}
	if len(a) > jwMaxLen {
		a = a[:jwMaxLen]
	}
	if len(b) > jwMaxLen {
		b = b[:jwMaxLen]
	}
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	window := max(la, lb)/2 - 1
	if window < 0 {
		window = 0
	}
	var ma, mb [jwMaxLen]bool
	m := 0
	for i := 0; i < la; i++ {
		lo, hi := max(0, i-window), min(lb, i+window+1)
		for j := lo; j < hi; j++ {
			if !mb[j] && a[i] == b[j] {
				ma[i], mb[j] = true, true
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	t, k := 0, 0
	for i := 0; i < la; i++ {
		if !ma[i] {
			continue
		}
		for !mb[k] {
			k++
		}
		if a[i] != b[k] {
			t++
		}
		k++
	}
	t /= 2
	num := 1000 * (m*m*lb + m*m*la + (m-t)*la*lb)
	jaro := num / (3 * la * lb * m)
	if jaro <= 700 {
		return jaro
	}
	l := 0
	for l < 4 && l < la && l < lb && a[l] == b[l] {
		l++
	}
	return jaro + l*(1000-jaro)/10
}

// osaDistance is the optimal string alignment distance of a and b (the
// Damerau-Levenshtein distance without editing a substring twice): the
// fewest single-character insertions, deletions, substitutions and
// transpositions of adjacent characters that turn a into b. Both must be
// at most jwMaxLen bytes.
func osaDistance(a, b string) int {
	la, lb := len(a), len(b)
	var rows [3][jwMaxLen + 1]int
	prev2, prev, cur := &rows[0], &rows[1], &rows[2]
	for j := 0; j <= lb; j++ {
		prev[j] = j
	}
	for i := 1; i <= la; i++ {
		cur[0] = i
		for j := 1; j <= lb; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d = min(d, prev2[j-2]+1)
			}
			cur[j] = d
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[lb]
}

// editSim is 1000 × (1 − d / length of the longer token), where d is the
// optimal string alignment distance, for d ≤ 1 (d ≤ 2 when the longer token
// has 14 or more letters), else 0: the share of the longer token that
// survives a typo. Only such small distances can reach a typo match, so
// larger ones are not computed. Jaro-Winkler punishes an insertion or
// deletion near the start of a long token (it counts the shifted
// characters as transposed: "krporation" / "korporation" is 0.85), which
// this does not (0.91).
func editSim(a, b string) int {
	if len(a) > jwMaxLen {
		a = a[:jwMaxLen]
	}
	if len(b) > jwMaxLen {
		b = b[:jwMaxLen]
	}
	l := max(len(a), len(b))
	switch {
	case l == 0:
		return 0
	case a == b:
		return 1000
	case withinOneEdit(a, b):
		return 1000 - 1000/l
	case l >= 14 && abs(len(a)-len(b)) <= 2 && osaDistance(a, b) <= 2:
		return 1000 - 2000/l
	}
	return 0
}

// withinOneEdit reports whether a and b differ by at most one insertion,
// deletion, substitution or transposition of adjacent characters, in
// linear time.
func withinOneEdit(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if i == len(a) {
		return true // equal, or b has one more character at the end
	}
	if len(a) == len(b) {
		if a[i+1:] == b[i+1:] {
			return true // substitution
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:] // transposition
	}
	return a[i:] == b[i+1:] // insertion into a
}

// letterMask has bit c-'a' set for each ASCII letter c of s, and bit 26 for
// any other byte.
func letterMask(s string) uint32 {
	var m uint32
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			m |= 1 << (c - 'a')
		} else {
			m |= 1 << 26
		}
	}
	return m
}

// alike returns max(Jaro-Winkler, editSim) of a and b (with letter masks
// am and bm), or 0 if that cannot reach typoJWMin (or, when it does not, any
// value below typoJWMin: its callers treat them all alike): first, cheaply, the
// characters of each whose letter the other lacks cannot be common
// characters, which bounds Jaro's m (by the number of such letters, from
// the masks alone); Jaro-Winkler adds at most 0.4 of
// what Jaro lacks, so typoJWMin needs Jaro ≥ (typoJWMin - 400) / 0.6.
func alike(a string, am uint32, b string, bm uint32) int {
	if a == b {
		return 1000
	}
	// Each letter of a that b lacks occurs at least once in a (and the
	// other way round), so, in constant time:
	la, lb := len(a), len(b)
	m := min(la-bits.OnesCount32(am&^bm&(1<<26-1)), lb-bits.OnesCount32(bm&^am&(1<<26-1)))
	// Jaro ≤ (m/la + m/lb + 1)/3 (no transpositions).
	if m == 0 || 1000*(m*lb+m*la+la*lb)*6 < (typoJWMin-400)*10*3*la*lb {
		return 0
	}
	if la <= jwMaxLen && lb <= jwMaxLen {
		// Winkler's bonus is that of the common prefix, known cheaply:
		// Jaro-Winkler ≤ jw below, which Jaro-Winkler computes as the same
		// non-decreasing function of Jaro.
		l := 0
		for l < 4 && l < la && l < lb && a[l] == b[l] {
			l++
		}
		jw := 1000 * (m*lb + m*la + la*lb) / (3 * la * lb)
		if jw > 700 {
			jw += l * (1000 - jw) / 10
		}
		if jw < typoJWMin {
			// Only editSim may reach typoJWMin, and then it is the larger.
			if e := editSim(a, b); e >= typoJWMin {
				return e
			}
			return 0
		}
	}
	return max(jaroWinkler(a, b), editSim(a, b))
}
