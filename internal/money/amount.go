package money

import (
	"errors"
	"fmt"
	"math"
	"strconv"
)

// Errors returned by ParseAmount. Callers map them to their own reason codes
// with errors.Is.
var (
	ErrAmountSyntax    = errors.New("amount is not a plain decimal number")
	ErrAmountNegative  = errors.New("amount is negative")
	ErrAmountPrecision = errors.New("amount has more decimals than the currency allows")
	ErrAmountOverflow  = errors.New("amount is too large")
)

// AmountTextMax bounds the length of decimal amount text we accept.
const AmountTextMax = 40

// ParseAmount converts decimal text such as "1234.50" into minor units for a
// currency with the given exponent. It accepts digits with at most one '.',
// no sign, no exponent and no grouping. More decimals than the exponent allows
// is an error, never a rounding; trailing zeros beyond it ("1.500" for a
// two-decimal currency) are accepted because they change no value.
func ParseAmount(s string, exponent uint8) (uint64, error) {
	if len(s) == 0 || len(s) > AmountTextMax {
		return 0, fmt.Errorf("%w: %q", ErrAmountSyntax, s)
	}
	if s[0] == '-' {
		return 0, fmt.Errorf("%w: %q", ErrAmountNegative, s)
	}
	var v uint64
	digits, decimals, dot := 0, 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.' && !dot:
			dot = true
			continue
		case c < '0' || c > '9':
			return 0, fmt.Errorf("%w: %q", ErrAmountSyntax, s)
		}
		digits++
		if dot {
			decimals++
			if decimals > int(exponent) {
				if c != '0' {
					return 0, fmt.Errorf("%w: %q has more than %d", ErrAmountPrecision, s, exponent)
				}
				continue
			}
		}
		d := uint64(c - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, fmt.Errorf("%w: %q", ErrAmountOverflow, s)
		}
		v = v*10 + d
	}
	if digits == 0 || (dot && (s[len(s)-1] == '.' || s[0] == '.')) {
		return 0, fmt.Errorf("%w: %q", ErrAmountSyntax, s)
	}
	for ; decimals < int(exponent); decimals++ {
		if v > math.MaxUint64/10 {
			return 0, fmt.Errorf("%w: %q", ErrAmountOverflow, s)
		}
		v *= 10
	}
	return v, nil
}

// FormatAmount renders minor units as decimal text with exactly exponent
// decimals: FormatAmount(123450, 2) == "1234.50".
func FormatAmount(v uint64, exponent uint8) string {
	s := strconv.FormatUint(v, 10)
	if exponent == 0 {
		return s
	}
	e := int(exponent)
	for len(s) <= e {
		s = "0" + s
	}
	return s[:len(s)-e] + "." + s[len(s)-e:]
}

// FormatSigned renders a signed minor-unit value (a balance) as decimal text.
func FormatSigned(neg bool, v Uint128, exponent uint8) string {
	s := v.String()
	if exponent > 0 {
		e := int(exponent)
		for len(s) <= e {
			s = "0" + s
		}
		s = s[:len(s)-e] + "." + s[len(s)-e:]
	}
	if neg && !v.IsZero() {
		return "-" + s
	}
	return s
}
