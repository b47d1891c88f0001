package isomap

// BICs name participants. A participant's id is a BIC of 8 or 11
// characters; messages may name the same institution either way, because
// ISO 9362 makes a BIC8 and the same BIC8 with branch code "XXX" (the
// primary office) the same institution. Other branch codes name branches,
// which are different ids.

// bic11 returns the 11-character form of a BIC: a BIC8 gains "XXX".
func bic11(bic string) string {
	if len(bic) == 8 {
		return bic + "XXX"
	}
	return bic
}

// SameBIC reports whether two BICs name the same institution office.
func SameBIC(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	return bic11(a) == bic11(b)
}

// Participant returns the id of the participant bic names: the id spelled as
// in the message, or else in the other form of the same office (BIC8 and
// BIC8 + "XXX").
func Participant(dir Directory, bic string) (string, bool) {
	if bic == "" {
		return "", false
	}
	if dir.HasParticipant(bic) {
		return bic, true
	}
	var other string
	switch {
	case len(bic) == 8:
		other = bic + "XXX"
	case len(bic) == 11 && bic[8:] == "XXX":
		other = bic[:8]
	default:
		return "", false
	}
	if dir.HasParticipant(other) {
		return other, true
	}
	return "", false
}
