package money

import (
	"errors"
	"math"
	"math/big"
	"testing"
)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in   string
		exp  uint8
		want uint64
		err  error
	}{
		{"1234.50", 2, 123450, nil},
		{"1234.5", 2, 123450, nil},
		{"1234", 2, 123400, nil},
		{"0.01", 2, 1, nil},
		{"1.500", 2, 150, nil}, // trailing zeros change no value
		{"1000", 0, 1000, nil},
		{"1.234", 3, 1234, nil},
		{"0.0001", 4, 1, nil},
		{"184467440737095516.15", 2, math.MaxUint64, nil},
		{"1.234", 2, 0, ErrAmountPrecision},
		{"1.5", 0, 0, ErrAmountPrecision},
		{"-1.00", 2, 0, ErrAmountNegative},
		{"", 2, 0, ErrAmountSyntax},
		{".5", 2, 0, ErrAmountSyntax},
		{"5.", 2, 0, ErrAmountSyntax},
		{"1,000.00", 2, 0, ErrAmountSyntax},
		{"1e3", 2, 0, ErrAmountSyntax},
		{"+1", 2, 0, ErrAmountSyntax},
		{" 1", 2, 0, ErrAmountSyntax},
		{"1.2.3", 2, 0, ErrAmountSyntax},
		{"184467440737095516.16", 2, 0, ErrAmountOverflow},
		{"99999999999999999999", 0, 0, ErrAmountOverflow},
		{"0123456789012345678901234567890123456789012", 0, 0, ErrAmountSyntax},
	}
	for _, tt := range tests {
		got, err := ParseAmount(tt.in, tt.exp)
		if !errors.Is(err, tt.err) || got != tt.want {
			t.Errorf("ParseAmount(%q, %d) = %d, %v; want %d, %v", tt.in, tt.exp, got, err, tt.want, tt.err)
		}
	}
}

func TestFormatAmountRoundTrip(t *testing.T) {
	for _, exp := range []uint8{0, 2, 3, 4} {
		for _, v := range []uint64{0, 1, 9, 10, 99, 100, 123456789, math.MaxUint64} {
			s := FormatAmount(v, exp)
			got, err := ParseAmount(s, exp)
			if err != nil || got != v {
				t.Errorf("ParseAmount(FormatAmount(%d, %d) = %q) = %d, %v", v, exp, s, got, err)
			}
		}
	}
	if got := FormatAmount(5, 2); got != "0.05" {
		t.Errorf("FormatAmount(5, 2) = %q; want 0.05", got)
	}
}

func TestUint128(t *testing.T) {
	max := Uint128{^uint64(0), ^uint64(0)}
	if _, o := max.Add64(1); !o {
		t.Error("max+1 did not report overflow")
	}
	if _, b := U128(1).Sub(U128(2)); !b {
		t.Error("1-2 did not report a borrow")
	}
	a := Uint128{Lo: ^uint64(0)}
	sum, o := a.Add64(1)
	if o || sum != (Uint128{Hi: 1}) {
		t.Errorf("carry: %v %v", sum, o)
	}
	want := new(big.Int).Lsh(big.NewInt(1), 64)
	if sum.Big().Cmp(want) != 0 || sum.String() != want.String() {
		t.Errorf("Big/String = %s / %s; want %s", sum.Big(), sum.String(), want)
	}
	if U128(3).Cmp(U128(4)) != -1 || sum.Cmp(a) != 1 || a.Cmp(a) != 0 {
		t.Error("Cmp disagrees with the order")
	}
	if got := FormatSigned(true, U128(12345), 2); got != "-123.45" {
		t.Errorf("FormatSigned = %q", got)
	}
}

func TestCurrencies(t *testing.T) {
	for code, exp := range map[string]uint8{"JPY": 0, "INR": 2, "KWD": 3, "CLF": 4, "VND": 0, "CNY": 2, "RUB": 2, "BRL": 2, "ZAR": 2, "AED": 2} {
		c, found := Lookup(code)
		if !found || c.Exponent != exp {
			t.Errorf("Lookup(%q) = %+v, %v; want exponent %d", code, c, found, exp)
		}
	}
	if _, found := Lookup("XYZ"); found {
		t.Error("Lookup(XYZ) found a currency")
	}
	if n := len(Currencies()); n < 150 {
		t.Errorf("%d currencies; want the ISO 4217 list", n)
	}
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"1.00", "0", "-1", "1e5", "18446744073709551615"} {
		f.Add(s, uint8(2))
	}
	f.Fuzz(func(t *testing.T, s string, exp uint8) {
		exp %= ExponentMax + 1
		v, err := ParseAmount(s, exp)
		if err != nil {
			return
		}
		// Whatever parses formats back to text that parses to the same value.
		if again, err := ParseAmount(FormatAmount(v, exp), exp); err != nil || again != v {
			t.Fatalf("%q → %d → %q → %d, %v", s, v, FormatAmount(v, exp), again, err)
		}
	})
}
