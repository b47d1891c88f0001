package screening

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
