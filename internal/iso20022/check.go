package iso20022

import (
	"time"
	"unicode/utf8"
)

// Pattern checks for ISO 20022 identifier types. Each is a hand-written
// equivalent of the XSD pattern plus the check digits the pattern cannot
// express.

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isUpperAlnum(c byte) bool {
	return isUpper(c) || isDigit(c)
}

// validLEI reports whether s is an ISO 17442 LEI: 18 upper-case
// alphanumerics and two check digits satisfying ISO 7064 MOD 97-10.
func validLEI(s string) bool {
	if len(s) != 20 {
		return false
	}
	for i := 0; i < 18; i++ {
		if !isUpperAlnum(s[i]) {
			return false
		}
	}
	if !isDigit(s[18]) || !isDigit(s[19]) {
		return false
	}
	return mod97(s) == 1
}

// validIBAN reports whether s is an IBAN: the IBAN2007Identifier pattern
// [A-Z]{2}[0-9]{2}[a-zA-Z0-9]{1,30}, the length registered for its country
// where known, and check digits satisfying ISO 7064 MOD 97-10.
func validIBAN(s string) bool {
	if len(s) < 5 || len(s) > 34 {
		return false
	}
	if !isUpper(s[0]) || !isUpper(s[1]) || !isDigit(s[2]) || !isDigit(s[3]) {
		return false
	}
	for i := 4; i < len(s); i++ {
		c := s[i]
		if !isUpperAlnum(c) && !(c >= 'a' && c <= 'z') {
			return false
		}
	}
	if n, ok := ibanLength[s[:2]]; ok && n != len(s) {
		return false
	}
	// Move the country code and check digits to the end.
	return mod97(s[4:]+s[:4]) == 1
}

// mod97 returns the value of s mod 97, letters counting A=10 .. Z=35.
func mod97(s string) int {
	r := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isDigit(c):
			r = (r*10 + int(c-'0')) % 97
		case isUpper(c):
			r = (r*100 + int(c-'A'+10)) % 97
		case c >= 'a' && c <= 'z':
			r = (r*100 + int(c-'a'+10)) % 97
		default:
			return -1
		}
	}
	return r
}

// ibanLength is the IBAN length per country from the SWIFT IBAN registry,
// for the countries Mutua's members are likeliest to use.
var ibanLength = map[string]int{
	"AD": 24, "AE": 23, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
	"BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18,
	"DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22,
	"GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22,
	"IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28,
	"LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24,
	"ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30, "NL": 18, "NO": 15, "PK": 24,
	"PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "SA": 24, "SC": 31,
	"SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28, "TL": 23, "TN": 24,
	"TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}

// validUUIDv4 reports whether s matches the UUIDv4Identifier pattern
// [a-f0-9]{8}-[a-f0-9]{4}-4[a-f0-9]{3}-[89ab][a-f0-9]{3}-[a-f0-9]{12}.
func validUUIDv4(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		case 14:
			if c != '4' {
				return false
			}
		case 19:
			if c != '8' && c != '9' && c != 'a' && c != 'b' {
				return false
			}
		default:
			if !isDigit(c) && !(c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}

// validCountry reports whether s matches CountryCode: [A-Z]{2}.
func validCountry(s string) bool {
	return len(s) == 2 && isUpper(s[0]) && isUpper(s[1])
}

// validNumeric reports whether s matches Max15NumericText: [0-9]{1,15}.
func validNumeric(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// runeLen returns the length of s in characters, as XSD length facets count.
func runeLen(s string) int { return utf8.RuneCountInString(s) }

func digits(s string) (int, bool) {
	v := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		v = v*10 + int(s[i]-'0')
	}
	return v, len(s) > 0
}

// parseDate parses an ISODate (xs:date): YYYY-MM-DD with an optional zone
// suffix, which is accepted and ignored.
func parseDate(s string) (Date, bool) {
	if len(s) < 10 {
		return Date{}, false
	}
	if len(s) > 10 {
		if !validZone(s[10:]) {
			return Date{}, false
		}
		s = s[:10]
	}
	if s[4] != '-' || s[7] != '-' {
		return Date{}, false
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 || y == 0 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return Date{}, false
	}
	return Date{Year: y, Month: time.Month(m), Day: d}, true
}

func validZone(z string) bool {
	if z == "Z" {
		return true
	}
	if len(z) != 6 || (z[0] != '+' && z[0] != '-') || z[3] != ':' {
		return false
	}
	h, ok1 := digits(z[1:3])
	m, ok2 := digits(z[4:6])
	return ok1 && ok2 && (h < 14 && m < 60 || h == 14 && m == 0)
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// parseDateTime parses an ISODateTime (xs:dateTime):
// YYYY-MM-DDThh:mm:ss[.fff][Z|±hh:mm]. A time without a zone is local to
// the sender; it is taken as UTC.
func parseDateTime(s string) (time.Time, bool) {
	if len(s) < 19 || s[10] != 'T' || s[13] != ':' || s[16] != ':' {
		return time.Time{}, false
	}
	d, ok := parseDate(s[:10])
	if !ok {
		return time.Time{}, false
	}
	hh, ok1 := digits(s[11:13])
	mm, ok2 := digits(s[14:16])
	ss, ok3 := digits(s[17:19])
	if !ok1 || !ok2 || !ok3 || hh > 23 || mm > 59 || ss > 59 {
		return time.Time{}, false
	}
	rest := s[19:]
	nsec := 0
	if len(rest) > 0 && rest[0] == '.' {
		i := 1
		scale := 100_000_000
		for i < len(rest) && isDigit(rest[i]) {
			nsec += int(rest[i]-'0') * scale
			scale /= 10
			i++
		}
		if i == 1 {
			return time.Time{}, false
		}
		rest = rest[i:]
	}
	loc := time.UTC
	switch {
	case rest == "" || rest == "Z":
	case validZone(rest):
		h, _ := digits(rest[1:3])
		m, _ := digits(rest[4:6])
		off := h*3600 + m*60
		if rest[0] == '-' {
			off = -off
		}
		if off != 0 {
			loc = time.FixedZone("", off)
		}
	default:
		return time.Time{}, false
	}
	return time.Date(d.Year, d.Month, d.Day, hh, mm, ss, nsec, loc), true
}

// Date is a calendar date without a time zone (ISODate). The zero Date
// means absent.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// IsZero reports whether d is absent.
func (d Date) IsZero() bool { return d == Date{} }

// String formats d as YYYY-MM-DD.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	b := make([]byte, 0, 10)
	b = appendInt(b, d.Year, 4)
	b = append(b, '-')
	b = appendInt(b, int(d.Month), 2)
	b = append(b, '-')
	b = appendInt(b, d.Day, 2)
	return string(b)
}

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

func appendInt(b []byte, v, width int) []byte {
	var buf [20]byte
	i := len(buf)
	for v > 0 || i == len(buf) {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
	}
	for n := len(buf) - i; n < width; n++ {
		b = append(b, '0')
	}
	return append(b, buf[i:]...)
}

// formatDateTime renders t as an ISODateTime with its zone offset, to the
// second unless t has a fractional second.
func formatDateTime(t time.Time) string {
	if t.Nanosecond() != 0 {
		return t.Format("2006-01-02T15:04:05.999999999Z07:00")
	}
	return t.Format("2006-01-02T15:04:05Z07:00")
}
