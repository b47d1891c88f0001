package engine

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
)

// TestIDTable runs random adds and removes against a reference set, with
// hashes from few home slots so that clusters form, merge, wrap around the
// end of the table and hit the probe bound.
func TestIDTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var tbl idTable
	live := map[uint64]uint64{} // id -> h
	spilled := map[uint64]bool{}
	nextID := uint64(1)
	check := func() {
		t.Helper()
		if tbl.n+len(spilled) != len(live) {
			t.Fatalf("table holds %d + %d spilled; want %d", tbl.n, len(spilled), len(live))
		}
		m := uint64(len(tbl.slots) - 1)
		for i, s := range tbl.slots {
			if s.id == 0 {
				continue
			}
			if live[s.id] != s.h || spilled[s.id] {
				t.Fatalf("slot %d holds (%x, %d), not live", i, s.h, s.id)
			}
			// Every slot from the home to here is occupied, and the
			// distance is within the bound.
			d := (uint64(i) - s.h&^idLineMask) & m
			if d >= idProbeMax {
				t.Fatalf("slot %d is %d from its home", i, d)
			}
			for k := s.h & m &^ idLineMask; k != uint64(i); k = (k + 1) & m {
				if tbl.slots[k].id == 0 {
					t.Fatalf("gap at %d before slot %d", k, i)
				}
			}
		}
	}
	for step := 0; step < 200000; step++ {
		if len(live) > 0 && rng.IntN(100) < 45 {
			// Remove a random live id (map order is random enough).
			for id, h := range live {
				if spilled[id] {
					if tbl.remove(h, id) {
						t.Fatalf("removed spilled id %d from the table", id)
					}
					delete(spilled, id)
				} else if !tbl.remove(h, id) {
					t.Fatalf("id %d not found", id)
				}
				delete(live, id)
				break
			}
		} else {
			var h uint64
			switch rng.IntN(3) {
			case 0:
				h = rng.Uint64()
			case 1:
				h = uint64(rng.IntN(8))<<40 | 1023 // crowd the last home, wrapping
			default:
				h = rng.Uint64()&^0xffff | 7 // crowd one home whatever the size
			}
			id := nextID
			nextID++
			if tbl.full() {
				tbl.grow(func(h, id uint64) { spilled[id] = true })
			}
			if !tbl.place(h, id) {
				spilled[id] = true
			}
			live[id] = h
		}
		if step%5000 == 0 {
			check()
		}
		if tbl.remove(rng.Uint64(), nextID+1) {
			t.Fatal("removed an id never added")
		}
	}
	check()
	if len(spilled) == 0 {
		t.Fatal("the probe bound was never reached")
	}
}

// TestIndexSpill sends payments whose keys and UETRs all hash to one home
// slot, as a hostile sender could arrange, so that most of them go to the
// spill maps; retries, reused UETRs, eviction and restore must still work.
func TestIndexSpill(t *testing.T) {
	e, index, now := smallUnion(t)
	e.windowPayments = 250
	_, payer := e.participant("SBININBBXXX")
	const n = 400
	const home = idTableMin - 1
	var keys []string
	for i := 0; len(keys) < n; i++ {
		k := fmt.Sprintf("k%d", i)
		if hashKey(payer.keySalt, k)&home == 5 {
			keys = append(keys, k)
		}
	}
	var uetrs [][16]byte
	for i := uint64(0); len(uetrs) < n; i++ {
		u := testUETR(i)
		if hashUETR(&u)&home == 5 {
			uetrs = append(uetrs, u)
		}
	}
	pay := func(i int, key string) *Command {
		return &Command{Kind: KindPay, Participant: "SBININBBXXX", Payee: "HDFCINBBXXX", Currency: "INR", Amount: 1, Key: key, UETR: uetrs[i]}
	}
	for i := 0; i < n; i++ {
		index++
		if r := e.ApplyCommands(index, now, pay(i, keys[i]))[0]; r.Reason != OK || r.Duplicate {
			t.Fatalf("pay %d = %+v", i, r)
		}
	}
	if len(e.byKey.spill) == 0 || len(e.byUETR.spill) == 0 {
		t.Fatal("nothing spilled")
	}
	if err := e.CheckInvariants(); err != nil {
		t.Fatal(err)
	}
	snap, _ := e.Snapshot()
	twin := New()
	if err := twin.Restore(index, snap); err != nil {
		t.Fatal(err)
	}
	twin.windowPayments = e.windowPayments
	for _, en := range []*Engine{e, twin} {
		idx := index
		for i := n - 250; i < n; i++ {
			idx++
			if r := en.ApplyCommands(idx, now, pay(i, keys[i]))[0]; !r.Duplicate {
				t.Fatalf("retry %d = %+v; want a duplicate", i, r)
			}
			idx++
			if r := en.ApplyCommands(idx, now, pay(i, keys[i]+"x"))[0]; r.Reason != UETRDuplicate {
				t.Fatalf("reused UETR %d = %+v; want %s", i, r, UETRDuplicate)
			}
		}
		// Evicted payments' keys and UETRs are free again.
		for i := 0; i < n-250; i++ {
			idx++
			if r := en.ApplyCommands(idx, now, pay(i, keys[i]))[0]; r.Reason != OK || r.Duplicate {
				t.Fatalf("pay %d after eviction = %+v", i, r)
			}
		}
		// Push everything out with ordinary payments.
		for i := 0; i < 260; i++ {
			idx++
			c := pay(0, fmt.Sprintf("plain%d", i))
			c.UETR = testUETR(1<<40 + uint64(i))
			if r := en.ApplyCommands(idx, now, c)[0]; r.Reason != OK {
				t.Fatalf("plain pay %d = %+v", i, r)
			}
		}
		if err := en.CheckInvariants(); err != nil {
			t.Fatal(err)
		}
		// Spilled entries left memory with their payments (the ordinary
		// ones may have spilled too, landing in what was left of the
		// crowd).
		for k, id := range en.byKey.spill {
			if p := en.payment(id); p == nil || !p.hasKey(k) {
				t.Fatalf("spilled key %v names payment %d, not in memory", k, id)
			}
		}
		for u, id := range en.byUETR.spill {
			if p := en.payment(id); p == nil || p.UETR != u {
				t.Fatalf("spilled UETR %x names payment %d, not in memory", u, id)
			}
		}
	}
	if e.Digest() != twin.Digest() {
		t.Fatal("the restored engine diverged")
	}
}

// TestDecodePayFast checks that whatever decodePayFast accepts, decodeFields
// decodes to the same command, on payments of every shape and on random
// corruptions of them.
func TestDecodePayFast(t *testing.T) {
	e, _, _ := smallUnion(t)
	rng := rand.New(rand.NewPCG(5, 6))
	str := func() string {
		switch rng.IntN(4) {
		case 0:
			return ""
		case 1:
			return []string{"SBININBBXXX", "HDFCINBBXXX", "INR", "USD", "RBISINBBXXX"}[rng.IntN(5)]
		}
		b := make([]byte, rng.IntN(200))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		return string(b)
	}
	num := func() int64 {
		switch rng.IntN(3) {
		case 0:
			return int64(rng.IntN(64)) - 32
		case 1:
			return int64(rng.Uint64())
		}
		return int64(rng.IntN(100000))
	}
	fast, slow := 0, 0
	for n := 0; n < 200000; n++ {
		c := Command{Kind: []Kind{KindPay, KindReserve}[rng.IntN(2)], Participant: str(), Payee: str(), Currency: str(), PayeeCurrency: str(),
			Amount: num(), Key: str(), EndToEndID: str(), DebtorName: str(), CreditorName: str(), UltimateDebtorName: str(),
			UltimateCreditorName: str(), Remittance: str(), Priority: uint8(rng.IntN(4)), TimeoutNs: num(),
			Screening: Screening{Lists: str(), Score: uint16(rng.IntN(1200)), Party: str(), Ref: str(), Listed: str()}}
		for i := range c.UETR {
			c.UETR[i] = byte(rng.IntN(256))
		}
		b := c.Encode()
		for k := rng.IntN(3); k > 0 && len(b) > 2; k-- {
			switch i := 2 + rng.IntN(len(b)-2); rng.IntN(3) {
			case 0:
				b[i] = byte(rng.IntN(256))
			case 1:
				b = b[:i]
			default:
				b = append(b[:i], append([]byte{byte(rng.IntN(256))}, b[i:]...)...)
			}
		}
		var got, want Command
		var gotRefs, wantRefs refs
		got.Kind = Kind(b[1])
		if !decodePayFast(&got, &gotRefs, b, e.intern) {
			slow++
			continue
		}
		fast++
		if err := decodeFields(&want, &wantRefs, b, e.intern); err != nil {
			t.Fatalf("fast path accepted %x; decodeFields: %v", b, err)
		}
		if !reflect.DeepEqual(got, want) || gotRefs != wantRefs {
			t.Fatalf("fast path decoded %x as\n%+v %+v\nwant\n%+v %+v", b, got, gotRefs, want, wantRefs)
		}
	}
	if fast < 1000 || slow < 1000 {
		t.Fatalf("%d fast, %d slow: the test does not exercise both", fast, slow)
	}
}

// TestEvictGroups evicts every number of payments from 1 to 40 at once, so
// that the groups eviction works in (evictGroup at a time, the next hashed
// ahead) come in every mix of sizes, with payments held for review among
// them: exactly the payments beyond the window leave, the held ones stay
// parked, the invariants hold, and every payment still in the window is
// answered as a duplicate when retried.
func TestEvictGroups(t *testing.T) {
	const window = 100
	for extra := 1; extra <= 40; extra++ {
		e, index, now := smallUnion(t)
		index++
		if r := e.ApplyCommands(index, now, &Command{Kind: KindSetScreening, Name: "l1", Threshold: 850})[0]; r.Reason != OK {
			t.Fatalf("set screening: %s", r.Reason)
		}
		var cmds []*Command
		held := 0
		for i := range window + extra {
			c := &Command{Kind: KindPay, Participant: "SBININBBXXX", Payee: "HDFCINBBXXX", Currency: "INR", Amount: 1,
				Key: fmt.Sprintf("k%d", i), UETR: testUETR(uint64(i) + 1), Screening: Screening{Lists: "l1"}}
			if i%7 == 3 {
				c.Screening.Score = 900 // held for review
				held++
			}
			cmds = append(cmds, c)
		}
		index++
		e.ApplyCommands(index, now, cmds...)
		before := e.payments.len()
		e.windowPayments = window
		index++
		last := &Command{Kind: KindPay, Participant: "SBININBBXXX", Payee: "HDFCINBBXXX", Currency: "INR", Amount: 1, Key: "last", UETR: testUETR(1 << 40), Screening: Screening{Lists: "l1"}}
		if r := e.ApplyCommands(index, now, last)[0]; r.Reason != OK {
			t.Fatalf("extra %d: last payment: %s", extra, r.Reason)
		}
		if got, want := e.payments.len(), window; got != want && got != want+1 {
			t.Fatalf("extra %d: %d payments in the window after evicting from %d; want %d (or %d with the new one)", extra, got, before, want, want+1)
		}
		if err := e.CheckInvariants(); err != nil {
			t.Fatalf("extra %d: %v", extra, err)
		}
		// Every payment still in memory is a duplicate when sent again
		// (with the window widened, so that the retries evict nothing).
		kept := e.payments.len()
		e.windowPayments = 1 << 20
		for i := len(cmds) - (kept - 1); i < len(cmds); i++ {
			index++
			if r := e.ApplyCommands(index, now, cmds[i])[0]; !r.Duplicate {
				t.Fatalf("extra %d: retry of payment %d (%s) = %+v; want a duplicate", extra, i, cmds[i].Key, r)
			}
		}
		if len(e.parked) == 0 && held > 0 && extra > 3 {
			t.Errorf("extra %d: no held payment parked", extra)
		}
	}
}
