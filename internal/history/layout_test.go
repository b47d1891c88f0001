package history

import (
	"cmp"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	gocmp "github.com/google/go-cmp/cmp"

	"github.com/mutua-org/mutua/internal/engine"
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
		body, ok := appendBody(nil, d, &p, &cr.flags, "key-0000", "base-lists")
		if !ok {
			cr.flags = flagRaw
			body = appendString(nil, string(p.Command.Encode()))
		}
		r := recording{arena: body}
		cr.end = len(body)
		rec := r.record(&cr)
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
			hs[i] = hashed{h: rng.Uint64(), id: uint64(i)}
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
