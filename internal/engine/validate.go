package engine

import "unicode/utf8"

// validKey reports whether k is an acceptable idempotency key: 1 to
// KeyLenMax printable ASCII characters.
func validKey(k string) bool {
	if len(k) == 0 || len(k) > KeyLenMax {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// validText reports whether s is valid UTF-8 of at most max characters with
// no control characters.
func validText(s string, max int) bool {
	if len(s) > 4*max {
		return false
	}
	n := 0
	for _, r := range s {
		if r == utf8.RuneError || r < 0x20 || (r >= 0x7f && r < 0xa0) {
			return false
		}
		n++
	}
	return n <= max
}

// validUETR reports whether u is a UUID version 4 (RFC 9562 variant), as
// SWIFT gpi requires of a UETR.
func validUETR(u [16]byte) bool { return u[6]>>4 == 4 && u[8]>>6 == 2 }

// validBIC reports whether s has the form of an ISO 9362 BIC: 4 letters
// (institution), 2 letters (country), 2 letters or digits (location) and an
// optional 3 letters or digits (branch).
func validBIC(s string) bool {
	if len(s) != 8 && len(s) != 11 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		upper := c >= 'A' && c <= 'Z'
		digit := c >= '0' && c <= '9'
		if i < 6 && !upper || i >= 6 && !upper && !digit {
			return false
		}
	}
	return true
}

// validCountry reports whether s is two upper-case letters (ISO 3166-1
// alpha-2 form).
func validCountry(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}

// validLEI reports whether s is an ISO 17442 LEI: 18 upper-case letters or
// digits followed by two check digits that make the ISO 7064 MOD 97-10
// remainder 1.
func validLEI(s string) bool {
	if len(s) != 20 {
		return false
	}
	rem := 0
	for i := 0; i < 20; i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z' && i < 18:
			v := int(c-'A') + 10
			rem = (rem*100 + v) % 97
		default:
			return false
		}
	}
	return rem == 1
}
