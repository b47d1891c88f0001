package bic

import "testing"

func TestValid(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   string
		want bool
	}{
		{"BIC 11", "SBININBBXXX", true},
		{"BIC 8", "BKCHCNBJ", true},
		{"BIC digits in prefix", "1234INBB", true},
		{"BIC digit in country", "SBIN1NBB", false},
		{"BIC lower case", "sbininbb", false},
		{"BIC 9", "SBININBBX", false},
		{"BIC 12", "SBININBBXXXX", false},
	} {
		if got := Valid(tt.in); got != tt.want {
			t.Errorf("%s: Valid(%q) = %v; want %v", tt.name, tt.in, got, tt.want)
		}
	}
}
