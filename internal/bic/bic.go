// Package bic checks the form of a Business Identifier Code (ISO 9362).
package bic

// Valid reports whether s has the form of a BIC as ISO 20022's
// BICFIDec2014 pattern has it: [A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?
// (institution, country, location, optional branch).
func Valid(s string) bool {
	if len(s) != 8 && len(s) != 11 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		upper, digit := c >= 'A' && c <= 'Z', c >= '0' && c <= '9'
		if i == 4 || i == 5 {
			if !upper {
				return false
			}
		} else if !upper && !digit {
			return false
		}
	}
	return true
}
