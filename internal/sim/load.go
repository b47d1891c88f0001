// Package sim generates unions and payment traffic for benchmarks, load tests
// and the demo. It is deterministic for a given seed.
package sim

import (
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/mutua-org/mutua/internal/engine"
)

// Union describes a generated membership: one issuer per currency and
// Banks settlement banks, each with an account in every currency.
type Union struct {
	Currencies []string
	Issuers    []string // Issuers[i] issues Currencies[i]
	Banks      []string
}

// NewUnion names banks synthetic BICs ("BK000001XXX"...) and issuers
// ("C<ccy>ZZ01XXX"), for benchmarks where names do not matter.
func NewUnion(banks int, currencies ...string) *Union {
	u := &Union{Currencies: currencies}
	for _, c := range currencies {
		u.Issuers = append(u.Issuers, "C"+c+"ZZ01XXX")
	}
	for i := 0; i < banks; i++ {
		u.Banks = append(u.Banks, bankBIC(i))
	}
	return u
}

// bankBIC returns a valid BIC for bank i: four letters from i, country ZZ.
func bankBIC(i int) string {
	var b [4]byte
	for k := 3; k >= 0; k-- {
		b[k] = byte('A' + i%26)
		i /= 26
	}
	return fmt.Sprintf("%sZZ%02dXXX", b[:], i%100)
}

// Setup returns the commands that create the union: participants,
// currencies, accounts with a floor of zero, and funding of each account with
// fund minor units.
func (u *Union) Setup(fund int64) []*engine.Command {
	var cmds []*engine.Command
	for i, id := range u.Issuers {
		cmds = append(cmds, &engine.Command{Kind: engine.KindAddParticipant, Participant: id, Name: "Central bank " + u.Currencies[i], Country: "ZZ", Roles: engine.RoleIssuer})
	}
	for _, id := range u.Banks {
		cmds = append(cmds, &engine.Command{Kind: engine.KindAddParticipant, Participant: id, Name: "Bank " + id, Country: "ZZ", Roles: engine.RoleSettlement})
	}
	for i, c := range u.Currencies {
		cmds = append(cmds, &engine.Command{Kind: engine.KindEnableCurrency, Currency: c, Participant: u.Issuers[i]})
	}
	for _, id := range u.Banks {
		for _, c := range u.Currencies {
			cmds = append(cmds, &engine.Command{Kind: engine.KindOpenAccount, Participant: id, Currency: c})
			if fund > 0 {
				cmds = append(cmds, &engine.Command{Kind: engine.KindFund, Participant: id, Currency: c, Amount: fund, Key: "fund-" + id + "-" + c})
			}
		}
	}
	return cmds
}

// Traffic generates gross payments between random banks of a union.
type Traffic struct {
	u   *Union
	rng *rand.Rand
	seq uint64
	tag string
}

// NewTraffic returns a generator with the given seed. Keys are prefixed with
// tag so that several generators (clients) never collide.
func NewTraffic(u *Union, seed uint64, tag string) *Traffic {
	return &Traffic{u: u, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), tag: tag}
}

// Next returns the next payment, of 1 to maxAmount minor units.
func (t *Traffic) Next(maxAmount int64) *engine.Command {
	n := len(t.u.Banks)
	a := t.rng.IntN(n)
	b := t.rng.IntN(n - 1)
	if b >= a {
		b++
	}
	t.seq++
	c := &engine.Command{
		Kind:        engine.KindPay,
		Participant: t.u.Banks[a],
		Payee:       t.u.Banks[b],
		Currency:    t.u.Currencies[t.rng.IntN(len(t.u.Currencies))],
		Amount:      1 + t.rng.Int64N(maxAmount),
		Key:         t.tag + "-" + strconv.FormatUint(t.seq, 10),
	}
	c.UETR = UUIDv4(t.rng)
	return c
}

// UUIDv4 returns a random version 4 UUID drawn from rng.
func UUIDv4(rng *rand.Rand) [16]byte {
	var u [16]byte
	hi, lo := rng.Uint64(), rng.Uint64()
	for i := 0; i < 8; i++ {
		u[i], u[8+i] = byte(hi>>(56-8*i)), byte(lo>>(56-8*i))
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}
