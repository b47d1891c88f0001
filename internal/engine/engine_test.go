package engine

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"testing"

	"github.com/mutua-org/mutua/internal/ledger"
	"github.com/mutua-org/mutua/internal/money"
)

func TestMain(m *testing.M) {
	flag.Parse()
	// Thousands of random command sequences by default, not rapid's 100.
	if f := flag.Lookup("rapid.checks"); f != nil && f.Value.String() == "100" {
		f.Value.Set("2000")
	}
	os.Exit(m.Run())
}

// smallUnion sets up two banks with INR accounts, funded with 1000.00 each.
func smallUnion(t testing.TB) (*Engine, uint64, int64) {
	t.Helper()
	e := New()
	now := int64(1_700_000_000_000_000_000)
	rs := e.ApplyCommands(1, now,
		&Command{Kind: KindAddParticipant, Participant: "RBISINBBXXX", Name: "RBI", Country: "IN"},
		&Command{Kind: KindAddParticipant, Participant: "SBININBBXXX", Name: "SBI", Country: "IN"},
		&Command{Kind: KindAddParticipant, Participant: "HDFCINBBXXX", Name: "HDFC", Country: "IN"},
		&Command{Kind: KindEnableCurrency, Currency: "INR", Participant: "RBISINBBXXX"},
		&Command{Kind: KindOpenAccount, Participant: "SBININBBXXX", Currency: "INR"},
		&Command{Kind: KindOpenAccount, Participant: "HDFCINBBXXX", Currency: "INR"},
		&Command{Kind: KindFund, Participant: "SBININBBXXX", Currency: "INR", Amount: 100000, Key: "f1"},
		&Command{Kind: KindFund, Participant: "HDFCINBBXXX", Currency: "INR", Amount: 100000, Key: "f2"},
	)
	for i, r := range rs {
		if r.Reason != OK {
			t.Fatalf("setup command %d: %s", i, r.Reason)
		}
	}
	return e, 1, now
}

// TestDedupeWindowCount checks the count bound of the window: only the most
// recent payments stay in memory, and a restored engine evicts the same way.
func TestDedupeWindowCount(t *testing.T) {
	e, index, now := smallUnion(t)
	e.windowPayments = 10
	for i := 0; i < 30; i++ {
		index++
		pay := &Command{Kind: KindPay, Participant: "SBININBBXXX", Payee: "HDFCINBBXXX", Currency: "INR", Amount: 1, Key: fmt.Sprintf("w%d", i), UETR: testUETR(uint64(100 + i))}
		if r := e.ApplyCommands(index, now, pay)[0]; r.Reason != OK || r.Duplicate {
			t.Fatalf("pay %d = %+v", i, r)
		}
	}
	// Evicted at the start of the next entry: 10 remain after it.
	index++
	e.ApplyCommands(index, now, &Command{Kind: KindSetSuspended, Participant: "HDFCINBBXXX"})
	if n := e.payments.len(); n != 10 {
		t.Fatalf("%d payments in memory; want 10", n)
	}
	if _, found := e.Payment(e.NextPaymentID() - 11); found {
		t.Fatal("the 11th newest payment is still in memory")
	}
	if err := e.CheckInvariants(); err != nil {
		t.Fatal(err)
	}
}

// TestOverflow puts an account's counters next to 2^128 and checks that a
// payment that would wrap them is refused with overflow and changes nothing.
func TestOverflow(t *testing.T) {
	e, index, now := smallUnion(t)
	a, _ := e.Account("HDFCINBBXXX", "INR")
	acct := e.ledger.Account(a.ID)
	max := money.Uint128{Hi: ^uint64(0), Lo: ^uint64(0) - 10}
	acct.CreditsPosted, acct.DebitsPosted = max, max.Sub64(100000)
	before := e.Digest()
	rs := e.ApplyCommands(index+1, now, &Command{Kind: KindPay, Participant: "SBININBBXXX", Payee: "HDFCINBBXXX", Currency: "INR", Amount: 500, Key: "p1", UETR: testUETR(1)})
	if rs[0].Reason != Overflow {
		t.Fatalf("pay into a nearly full account = %s; want overflow", rs[0].Reason)
	}
	e.index, e.timeNs = index, now // the entry itself is not state under test
	if e.Digest() != before {
		t.Fatal("a payment refused for overflow changed the state")
	}
}

// TestPendingLimit fills the reservation table and checks the next
// reservation is refused with pending_limit_reached, changing nothing.
func TestPendingLimit(t *testing.T) {
	e, index, now := smallUnion(t)
	e.ledger.PendingLimit = 3
	var cmds []*Command
	for i := 0; i < 4; i++ {
		cmds = append(cmds, &Command{Kind: KindReserve, Participant: "SBININBBXXX", Payee: "HDFCINBBXXX", Currency: "INR", Amount: 1, Key: string(rune('a' + i)), TimeoutNs: 60e9})
	}
	rs := e.ApplyCommands(index+1, now, cmds...)
	for i, r := range rs[:3] {
		if r.Reason != OK {
			t.Fatalf("reservation %d = %s; want ok", i, r.Reason)
		}
	}
	if rs[3].Reason != PendingLimitReached {
		t.Fatalf("fourth reservation = %s; want pending_limit_reached", rs[3].Reason)
	}
	if n := e.PendingCount(); n != 3 {
		t.Fatalf("PendingCount() = %d; want 3", n)
	}
}

// TestDedupeWindow checks that a key is remembered within the window and
// forgotten after it, and that eviction keeps the state consistent.
func TestDedupeWindow(t *testing.T) {
	e, index, now := smallUnion(t)
	pay := &Command{Kind: KindPay, Participant: "SBININBBXXX", Payee: "HDFCINBBXXX", Currency: "INR", Amount: 5, Key: "same", UETR: testUETR(7)}
	if r := e.ApplyCommands(index+1, now, pay)[0]; r.Reason != OK || r.Duplicate {
		t.Fatalf("first pay = %+v", r)
	}
	if r := e.ApplyCommands(index+2, now+DedupeWindowNs-1, pay)[0]; !r.Duplicate {
		t.Fatalf("retry within the window = %+v; want duplicate", r)
	}
	r := e.ApplyCommands(index+3, now+DedupeWindowNs+1, pay)[0]
	if r.Reason != OK || r.Duplicate {
		t.Fatalf("pay after the window = %+v; want a new settlement", r)
	}
	if _, found := e.Payment(r.Payment - 1); found {
		t.Fatalf("payment %d still in memory after the window", r.Payment-1)
	}
	if err := e.CheckInvariants(); err != nil {
		t.Fatal(err)
	}
}

func TestRestoreRejectsCorruptSnapshot(t *testing.T) {
	e, index, _ := smallUnion(t)
	snap, _ := e.Snapshot()
	for _, bad := range [][]byte{nil, []byte("MUTUASN1"), snap[:len(snap)-1], append(bytes.Clone(snap), 0)} {
		if err := New().Restore(index, bad); err == nil {
			t.Errorf("Restore(%d bytes) succeeded; want an error", len(bad))
		}
	}
	if err := New().Restore(index-1, snap); err == nil {
		t.Error("Restore at an index before the snapshot's succeeded")
	}
}

func FuzzDecodeCommand(f *testing.F) {
	f.Add((&Command{Kind: KindPay, Participant: "SBININBBXXX", Payee: "HDFCINBBXXX", Currency: "INR", Amount: 5, Key: "k"}).Encode())
	f.Add((&Command{Kind: KindLinked, Key: "k", Transfers: []TransferSpec{{"A", "B", "INR", 1}}}).Encode())
	f.Add((&Command{Kind: KindAddParticipant, Participant: "SBININBBXXX", Name: "n", Country: "IN"}).Encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := DecodeCommand(b)
		if err != nil || c.Kind == 0 || int(c.Kind) >= kindCount {
			return
		}
		// Whatever decodes re-encodes to the same bytes: one encoding per command.
		if again := c.Encode(); !bytes.Equal(again, b) {
			t.Fatalf("re-encoding differs:\n in  %x\n out %x", b, again)
		}
		// And the engine handles it without panicking.
		e, index, now := smallUnion(t)
		e.Apply(index+1, now, [][]byte{b})
		if err := e.CheckInvariants(); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzRestore(f *testing.F) {
	e, index, _ := smallUnion(f)
	snap, _ := e.Snapshot()
	f.Add(snap)
	f.Fuzz(func(t *testing.T, b []byte) {
		n := New()
		if err := n.Restore(index, b); err != nil {
			return
		}
		if err := n.CheckInvariants(); err != nil {
			t.Fatalf("restored an inconsistent state: %v", err)
		}
	})
}

var _ = ledger.PendingMax

// TestHeldOutlivesWindow holds a payment, lets the dedupe window pass while
// other payments come and go, and checks the held one is still deduplicated,
// survives a snapshot, and settles exactly once when released.
func TestHeldOutlivesWindow(t *testing.T) {
	e, index, now := smallUnion(t)
	index++
	if r := e.ApplyCommands(index, now, &Command{Kind: KindSetScreening, Name: "lists-v1", Threshold: 800})[0]; r.Reason != OK {
		t.Fatalf("set screening: %s", r.Reason)
	}
	held := &Command{Kind: KindPay, Participant: "SBININBBXXX", Payee: "HDFCINBBXXX", Currency: "INR", Amount: 700, Key: "held", UETR: testUETR(1),
		CreditorName: "Listed Trading Co", Screening: Screening{Lists: "lists-v1", Score: 930, Party: "creditor", Ref: "XXe.001", Listed: "LISTED TRADING CO"}}
	index++
	r := e.ApplyCommands(index, now, held)[0]
	if r.Status != StatusHeld {
		t.Fatalf("screening hit = %+v; want held", r)
	}
	id := r.Payment
	for i := 1; i <= 3; i++ { // three windows of other traffic
		index++
		now += DedupeWindowNs
		pay := &Command{Kind: KindPay, Participant: "HDFCINBBXXX", Payee: "SBININBBXXX", Currency: "INR", Amount: 1, Key: fmt.Sprintf("k%d", i), UETR: testUETR(uint64(10 + i)), Screening: Screening{Lists: "lists-v1"}}
		if r := e.ApplyCommands(index, now, pay)[0]; r.Status != StatusSettled {
			t.Fatalf("clear payment %d = %+v", i, r)
		}
	}
	if err := e.CheckInvariants(); err != nil {
		t.Fatal(err)
	}
	if _, found := e.Payment(id - 1); found {
		t.Fatal("a final payment older than the window is still in memory")
	}
	index++
	if r := e.ApplyCommands(index, now, held)[0]; !r.Duplicate || r.Payment != id {
		t.Fatalf("retry of the held payment after the window = %+v; want duplicate of %d", r, id)
	}
	snap, _ := e.Snapshot()
	twin := New()
	if err := twin.Restore(index, snap); err != nil {
		t.Fatal(err)
	}
	for _, en := range []*Engine{e, twin} {
		rs := en.ApplyCommands(index+1, now, &Command{Kind: KindRelease, PendingID: id, Name: "asha"}, &Command{Kind: KindRelease, PendingID: id, Name: "asha"})
		if rs[0].Status != StatusSettled || rs[1].Reason != NotHeld {
			t.Fatalf("release, release = %+v, %+v; want settled, not_held", rs[0], rs[1])
		}
		if err := en.CheckInvariants(); err != nil {
			t.Fatal(err)
		}
	}
	if e.Digest() != twin.Digest() {
		t.Fatal("snapshot + replay differs from the live engine")
	}
	a, _ := e.Account("HDFCINBBXXX", "INR")
	if _, bal := a.Balance(); bal.Lo != 100000+700-3 {
		t.Fatalf("payee balance %s; want %d", bal, 100000+700-3)
	}
}
