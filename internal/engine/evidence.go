package engine

// WithScreening returns raw, the encoding of a payment whose evidence is
// old, with the evidence replaced by s. The evidence is the last field of a payment's
// encoding, so the rest is copied as it is, not encoded again: the shell
// screens every payment of a bulk batch this way.
func WithScreening(raw []byte, old, s *Screening) []byte {
	keep := len(raw) - screeningLen(old)
	out := make([]byte, keep, keep+screeningLen(s))
	copy(out, raw[:keep])
	return appendScreening(out, s)
}
