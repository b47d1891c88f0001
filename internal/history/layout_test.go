package history

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	gocmp "github.com/google/go-cmp/cmp"

	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/sim"
)

// testDict is a dictionary in memory.
type testDict struct {
	refs  map[string]uint32
	names []string
}

func (d *testDict) ref(s string) uint32 {
	if r, ok := d.refs[s]; ok {
		return r
	}
	d.refs[s] = uint32(len(d.names))
	d.names = append(d.names, s)
	return d.refs[s]
}

func (d *testDict) refBytes(b []byte) uint32 { return d.ref(string(b)) }

func (d *testDict) name(ref uint64) (string, bool) {
	if ref >= uint64(len(d.names)) {
		return "", false
	}
	return d.names[ref], true
}

// TestRecordRoundTrip encodes payments with every optional field, and one
// the compact form cannot hold, and decodes them back.
func TestRecordRoundTrip(t *testing.T) {
	d := &testDict{refs: map[string]uint32{}}
	full := engine.Command{Kind: engine.KindReserve, Participant: "BANKAAAAXXX", Payee: "BANKBBBBXXX", Currency: "JPY", PayeeCurrency: "JPY",
		Amount: math.MaxInt64, Key: "key-0001", UETR: [16]byte{1, 2, 3}, EndToEndID: "e2e", DebtorName: "D", CreditorName: "C",
		UltimateDebtorName: "UD", UltimateCreditorName: "UC", Remittance: "R", Priority: 2, TimeoutNs: 60e9,
		Screening: engine.Screening{Lists: "other-lists", Score: 1000, Party: "creditor", Ref: "X.1", Listed: "Y"}}
	cases := []Payment{
		{Status: engine.StatusSettled, Posted: 7, From: "BANKAAAAXXX", To: "BANKBBBBXXX", Command: full},
		{Status: engine.StatusRejected, Reason: engine.ComplianceRejected, From: "BANKAAAAXXX", To: "BANKBBBBXXX",
			Command: engine.Command{Kind: engine.KindPay, Participant: "BANKAAAAXXX", Payee: "BANKBBBBXXX", Currency: "JPY", Amount: 1, Key: "key-0002", Screening: engine.Screening{Lists: "base-lists"}}},
		{Status: engine.StatusSettled, From: "CJPYZZ01XXX", To: "BANKAAAAXXX",
			Command: engine.Command{Kind: engine.KindFund, Participant: "BANKAAAAXXX", Currency: "JPY", Amount: 5, Key: "f", Remittance: "r"}},
		{Status: engine.StatusSettled, From: "BANKAAAAXXX", To: "CJPYZZ01XXX",
			Command: engine.Command{Kind: engine.KindDefund, Participant: "BANKAAAAXXX", Currency: "JPY", Amount: 5, Key: "g"}},
		{Status: engine.StatusSettled, From: "BANKAAAAXXX", To: "BANKBBBBXXX",
			Command: engine.Command{Kind: engine.KindLinked, Key: "key-0003", Transfers: []engine.TransferSpec{{Debit: "BANKAAAAXXX", Credit: "BANKBBBBXXX", Currency: "JPY", Amount: 3}, {Debit: "BANKBBBBXXX", Credit: "BANKCCCCXXX", Currency: "INR", Amount: 4}}}},
		// Not representable compactly: stored whole.
		{Status: engine.StatusSettled, Posted: 1, From: "BANKAAAAXXX", To: "BANKBBBBXXX",
			Command: engine.Command{Kind: engine.KindPay, Participant: "BANKAAAAXXX", Payee: "BANKBBBBXXX", Currency: "JPY", PayeeCurrency: "INR", Amount: 1, Key: "key-0004"}},
	}
	for i, p := range cases {
		p.ID, p.Index, p.CreatedNs, p.UpdatedNs = 10, 3, 99, 99
		cr := created{kind: p.Command.Kind, st: state{Status: p.Status, Reason: p.Reason, Posted: p.Posted}, amount: p.Command.Amount}
		cr.from, cr.to = d.ref(p.From)+1, d.ref(p.To)+1
		rec := encodeRecord(d, &p, "key-0000", "base-lists")
		ch := chunk{first: 10, index: 3, createdNs: 99, count: 1, baseKey: "key-0000", baseLists: "base-lists"}
		ch.records = appendString(nil, string(rec))
		got, err := ch.payment(d, 10)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		if diff := gocmp.Diff(p, got); diff != "" {
			t.Errorf("case %d (-want +got):\n%s", i, diff)
		}
		// Every truncation is an error, never a panic.
		for n := range len(rec) {
			ch.records = appendString(nil, string(rec[:n]))
			if _, err := ch.payment(d, 10); err == nil {
				t.Errorf("case %d: record cut to %d of %d bytes decodes", i, n, len(rec))
			}
		}
	}
}

// encodeRecord encodes p's record the way the recorder does.
func encodeRecord(d *testDict, p *Payment, baseKey, baseLists string) []byte {
	cr := created{kind: p.Command.Kind, st: state{Status: p.Status, Reason: p.Reason, Posted: p.Posted}, amount: p.Command.Amount}
	cr.from, cr.to = d.ref(p.From)+1, d.ref(p.To)+1
	raw := p.Command.Encode()
	var body []byte
	if f, ok := scanPay(raw); ok && f.compact() {
		body = f.appendBody(nil, d, p.From, p.To, &cr.flags, baseKey, baseLists)
	} else if b, ok := appendBody(nil, d, p, &cr.flags, baseKey, baseLists); ok {
		body = b
	} else {
		cr.flags = flagRaw
		body = appendString(nil, string(raw))
	}
	r := recording{arena: body}
	cr.end = len(body)
	return slices.Clone(r.record(&cr))
}

// TestPaymentRoundTrip encodes random payments and reservations, read in
// place, and decodes them back to the command the engine decodes.
func TestPaymentRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	text := func() string {
		switch rng.IntN(4) {
		case 0:
			return ""
		case 1:
			return "Ünïcödé Trading ΑΕ"
		case 2:
			return string(make([]byte, engine.TextLenMax))
		}
		return fmt.Sprint(rng.Int64())
	}
	d := &testDict{refs: map[string]uint32{}}
	for i := 0; i < 5000; i++ {
		c := engine.Command{Kind: engine.KindPay, Participant: "BANKAAAAXXX", Payee: "BANKBBBBXXX", Currency: "KWD",
			Amount: rng.Int64N(math.MaxInt64), Key: fmt.Sprintf("k-%d", rng.IntN(1e6)), EndToEndID: text(), DebtorName: text(),
			CreditorName: text(), UltimateDebtorName: text(), UltimateCreditorName: text(), Remittance: text(), Priority: uint8(rng.IntN(3))}
		if rng.IntN(2) == 0 {
			c.Kind, c.TimeoutNs = engine.KindReserve, rng.Int64N(engine.DedupeWindowNs)+1
		}
		if rng.IntN(3) > 0 {
			c.UETR = sim.UUIDv4(rng)
		}
		if rng.IntN(3) == 0 {
			c.PayeeCurrency = c.Currency
		}
		if rng.IntN(2) == 0 {
			c.Screening = engine.Screening{Lists: []string{"base", "other"}[rng.IntN(2)], Score: uint16(rng.IntN(engine.ScoreMax + 1)), Party: text(), Ref: text(), Listed: text()}
		}
		p := Payment{ID: 10, Index: 3, Status: engine.StatusSettled, Posted: c.Amount, CreatedNs: 99, UpdatedNs: 99, From: c.Participant, To: c.Payee, Command: c}
		if rng.IntN(4) == 0 {
			p.From, p.To = "CKWDZZ01XXX", "BANKCCCCXXX" // not the payer and payee: stored apart
		}
		rec := encodeRecord(d, &p, "k-1", "base")
		ch := chunk{first: 10, index: 3, createdNs: 99, count: 1, baseKey: "k-1", baseLists: "base", records: appendString(nil, string(rec))}
		got, err := ch.payment(d, 10)
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		want, _ := engine.DecodeCommand(c.Encode())
		p.Command = want
		if diff := gocmp.Diff(p, got); diff != "" {
			t.Fatalf("(-want +got):\n%s", diff)
		}
	}
}

// TestScanPay checks that scanPay reads exactly what the engine decodes
// and refuses anything that is not a whole payment.
func TestScanPay(t *testing.T) {
	c := engine.Command{Kind: engine.KindReserve, Participant: "BANKAAAAXXX", Payee: "BANKBBBBXXX", Currency: "KWD", Amount: 5, Key: "k",
		UETR: [16]byte{9}, Remittance: "r", Priority: 1, TimeoutNs: 1 << 40, Screening: engine.Screening{Lists: "l", Score: 3, Party: "p"}}
	raw := c.Encode()
	f, ok := scanPay(raw)
	if !ok || string(f.participant) != c.Participant || string(f.payee) != c.Payee || string(f.currency) != c.Currency || f.amount != c.Amount ||
		string(f.key) != c.Key || f.uetr != c.UETR || string(f.texts[5]) != c.Remittance || f.priority != 1 || f.timeout != c.TimeoutNs ||
		string(f.lists) != "l" || f.score != 3 || string(f.party) != "p" {
		t.Fatalf("scanPay = %+v, %v", f, ok)
	}
	for n := range len(raw) {
		if _, ok := scanPay(raw[:n]); ok {
			t.Errorf("scanPay reads a command cut to %d of %d bytes", n, len(raw))
		}
	}
	if _, ok := scanPay(append(raw, 0)); ok {
		t.Error("scanPay reads a command with a trailing byte")
	}
	fund := engine.Command{Kind: engine.KindFund, Participant: "BANKAAAAXXX", Currency: "KWD", Amount: 5, Key: "k"}
	if _, ok := scanPay(fund.Encode()); ok {
		t.Error("scanPay reads a funding command")
	}
}

func TestOrderedUint(t *testing.T) {
	var prev []byte
	for _, v := range []uint64{0, 1, 255, 256, 65535, 65536, 1 << 40, math.MaxUint64} {
		b := appendOrderedUint(nil, v)
		if got, ok := orderedUint(b); !ok || got != v {
			t.Errorf("orderedUint(%x) = %d, %v; want %d", b, got, ok, v)
		}
		if prev != nil && string(prev) >= string(b) {
			t.Errorf("%x sorts at or after %x", prev, b)
		}
		prev = b
	}
}

// TestOldLayout refuses to record into a store holding history of the
// first layout, which had no version key.
func TestOldLayout(t *testing.T) {
	db, err := pebble.Open(t.TempDir(), &pebble.Options{Logger: quietLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Set([]byte("hb\x00\x00\x00\x01"), make([]byte, 17), pebble.NoSync); err != nil {
		t.Fatal(err)
	}
	b := db.NewBatch()
	defer b.Close()
	err = New(db).Record(1, 1, [][]byte{{1, byte(engine.KindAddParticipant)}}, []any{&engine.Result{}}, b)
	if !errors.Is(err, ErrLayout) {
		t.Fatalf("Record over layout 1 = %v; want ErrLayout", err)
	}
}

func TestSortHashed(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var scratch []hashed
	for _, n := range []int{0, 1, 2, 255, 1000, 40000} {
		hs := make([]hashed, n)
		for i := range hs {
			hs[i] = hashed{h: rng.Uint64() >> (64 - hashBits), id: uint64(i)}
			if i > 0 && rng.IntN(10) == 0 {
				hs[i].h = hs[rng.IntN(i)].h // equal hashes keep id order
			}
		}
		want := slices.Clone(hs)
		slices.SortFunc(want, func(a, b hashed) int {
			if a.h != b.h {
				return cmp.Compare(a.h, b.h)
			}
			return cmp.Compare(a.id, b.id)
		})
		scratch = sortHashed(hs, scratch)
		if !slices.Equal(hs, want) {
			t.Fatalf("sortHashed of %d hashes differs from a comparison sort", n)
		}
	}
}

func TestMergeRuns(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, k := range []int{0, 1, 2, 3, 17} {
		var runs [][]hashed
		var want []hashed
		id := uint64(0)
		for range k {
			run := make([]hashed, rng.IntN(300))
			for i := range run {
				id++
				run[i] = hashed{h: uint64(rng.IntN(500)), id: id} // equal hashes across runs
			}
			sortHashed(run, nil)
			runs = append(runs, run)
			want = append(want, run...)
		}
		sortHashed(want, nil)
		var got []hashed
		mergeRuns(runs, func(x hashed) { got = append(got, x) })
		if !slices.Equal(got, want) {
			t.Fatalf("mergeRuns of %d runs differs from a sort", k)
		}
	}
}

// TestPendingRuns keeps the runs few and sorted however many small
// entries come.
func TestPendingRuns(t *testing.T) {
	var x pendingIndex
	rng := rand.New(rand.NewPCG(7, 8))
	id := uint64(0)
	var all []hashed
	for e := range 5000 {
		run := indexRun{}
		for range rng.IntN(5) {
			id++
			run.keys = append(run.keys, hashed{h: rng.Uint64() >> (64 - hashBits), id: id})
		}
		all = append(all, run.keys...)
		x.add(run)
		if len(x.runs) > 2*bits.Len(uint(x.n))+2+x.n/runMergeMax {
			t.Fatalf("after %d entries of %d keys: %d runs", e, x.n, len(x.runs))
		}
	}
	for _, k := range all[:100] {
		if got := x.candidates(prefixKey, k.h); !slices.Contains(got, k.id) {
			t.Fatalf("candidates(%x) = %v; want %d among them", k.h, got, k.id)
		}
	}
	for _, run := range x.runs {
		if !slices.IsSortedFunc(run.keys, func(a, b hashed) int { return cmp.Compare(a.h, b.h) }) {
			t.Fatal("a run is out of order")
		}
	}
}
