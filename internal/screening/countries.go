package screening

import (
	_ "embed"
	"fmt"
	"strings"
)

//go:embed countries.txt
var countriesTxt string

// countryByKey maps a country's code (lower case) and each of its names,
// reduced by countryKey, to its ISO 3166-1 alpha-2 code. Built once, read
// only: lookups do not depend on iteration order.
var countryByKey, countryCodes = parseCountries(countriesTxt)

func parseCountries(text string) (byKey, codes map[string]string) {
	m := make(map[string]string)
	codes = make(map[string]string)
	for n, line := range strings.Split(text, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "|")
		if len(f) < 2 || len(f[0]) != 2 {
			panic(fmt.Sprintf("screening: countries.txt line %d: want CODE|name...", n+1))
		}
		code := f[0]
		codes[code] = code
		for _, name := range f[1:] {
			k := countryKey(name)
			if prev, ok := m[k]; ok && prev != code {
				panic(fmt.Sprintf("screening: countries.txt line %d: %q is both %s and %s", n+1, name, prev, code))
			}
			m[k] = code
		}
	}
	return m, codes
}

// countryKey reduces a country name to lower-case ASCII letters, so that
// "Côte d'Ivoire", "COTE D IVOIRE" and "Cote d’Ivoire" meet.
func countryKey(s string) string {
	var b strings.Builder
	for _, t := range Tokens(s) {
		b.WriteString(t)
	}
	return b.String()
}

// CountryCode returns the ISO 3166-1 alpha-2 code of a country given by its
// code or one of its usual English names ("IR", "Iran", "Iran (Islamic
// Republic of)"), or "" if the name is not known. "SU" stands for the former
// Soviet Union, which some entries give as a nationality.
func CountryCode(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 128 {
		return ""
	}
	if c, ok := countryCodes[s]; ok {
		return c // upper case: "na" is not Namibia
	}
	return countryByKey[countryKey(s)]
}
