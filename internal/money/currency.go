// Package money holds currencies, their minor-unit exponents, amounts in minor
// units and the conversion between decimal text and minor units.
//
// Amounts are integers in minor units everywhere in Mutua. Nothing in this
// package, or anywhere that uses it, touches a float.
package money

import (
	_ "embed"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Currency is an ISO 4217 currency with its minor-unit exponent.
type Currency struct {
	Code     string // three upper-case letters, e.g. "INR"
	Numeric  uint16 // ISO 4217 numeric code, e.g. 356
	Exponent uint8  // minor-unit digits: JPY 0, INR 2, KWD 3
	Name     string
}

//go:embed iso4217.csv
var iso4217CSV string

var currencies = parseTable(iso4217CSV)

func parseTable(text string) map[string]Currency {
	table := make(map[string]Currency)
	for n, line := range strings.Split(text, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.SplitN(line, ",", 4)
		if len(f) != 4 {
			panic(fmt.Sprintf("money: iso4217.csv line %d: want 4 fields", n+1))
		}
		num, err1 := strconv.ParseUint(f[1], 10, 16)
		exp, err2 := strconv.ParseUint(f[2], 10, 8)
		if err1 != nil || err2 != nil || !validCode(f[0]) || exp > ExponentMax {
			panic(fmt.Sprintf("money: iso4217.csv line %d: malformed %q", n+1, line))
		}
		table[f[0]] = Currency{Code: f[0], Numeric: uint16(num), Exponent: uint8(exp), Name: f[3]}
	}
	return table
}

// ExponentMax is the largest minor-unit exponent in ISO 4217 (CLF and UYW use 4).
const ExponentMax = 4

// Lookup returns the ISO 4217 currency with the given code.
func Lookup(code string) (Currency, bool) {
	c, ok := currencies[code]
	return c, ok
}

// Currencies returns every currency in the embedded table, sorted by code.
func Currencies() []Currency {
	out := make([]Currency, 0, len(currencies))
	for _, c := range currencies {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Code < out[j].Code })
	return out
}

func validCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for i := 0; i < 3; i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}
