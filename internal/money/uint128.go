package money

import (
	"math/big"
	"math/bits"
)

// Uint128 is an unsigned 128-bit integer for running totals. Account counters
// accumulate every amount ever posted; in currencies with large nominal values
// (VND, IDR, UZS) a uint64 of minor units could wrap within years of traffic,
// so counters use 128 bits, as TigerBeetle's do.
type Uint128 struct{ Hi, Lo uint64 }

// U128 returns v as a Uint128.
func U128(v uint64) Uint128 { return Uint128{Lo: v} }

// Add returns a+b and whether the sum overflowed 128 bits.
func (a Uint128) Add(b Uint128) (Uint128, bool) {
	lo, c := bits.Add64(a.Lo, b.Lo, 0)
	hi, c := bits.Add64(a.Hi, b.Hi, c)
	return Uint128{hi, lo}, c != 0
}

// Add64 returns a+b and whether the sum overflowed 128 bits.
func (a Uint128) Add64(b uint64) (Uint128, bool) { return a.Add(Uint128{Lo: b}) }

// Sub returns a-b and whether it borrowed (b > a).
func (a Uint128) Sub(b Uint128) (Uint128, bool) {
	lo, c := bits.Sub64(a.Lo, b.Lo, 0)
	hi, c := bits.Sub64(a.Hi, b.Hi, c)
	return Uint128{hi, lo}, c != 0
}

// Cmp returns -1, 0 or +1 as a is less than, equal to or greater than b.
func (a Uint128) Cmp(b Uint128) int {
	switch {
	case a.Hi < b.Hi:
		return -1
	case a.Hi > b.Hi:
		return 1
	case a.Lo < b.Lo:
		return -1
	case a.Lo > b.Lo:
		return 1
	}
	return 0
}

// IsZero reports whether a is zero.
func (a Uint128) IsZero() bool { return a.Hi == 0 && a.Lo == 0 }

// Big returns a as a big.Int (for display and verification, not hot paths).
func (a Uint128) Big() *big.Int {
	b := new(big.Int).SetUint64(a.Hi)
	b.Lsh(b, 64)
	return b.Or(b, new(big.Int).SetUint64(a.Lo))
}

func (a Uint128) String() string {
	if a.Hi == 0 {
		return big.NewInt(0).SetUint64(a.Lo).String()
	}
	return a.Big().String()
}

// Sub64 returns a-b, wrapping on underflow (callers check with Cmp first).
func (a Uint128) Sub64(b uint64) Uint128 {
	v, _ := a.Sub(Uint128{Lo: b})
	return v
}
