package engine

import (
	"bytes"
	"fmt"
	"testing"
)

// TestCaptureWhileApplying encodes captured states on other goroutines while
// the engine goes on applying commands that change every part of the state a
// capture shares or copied: payments in shared chunks of the log are posted,
// voided and returned, new ones are appended to the shared last chunk and
// beyond, the oldest leave the window (whole chunks with them), accounts
// move and a participant is suspended. Each capture must encode exactly
// what Snapshot gave at the moment it was taken; under -race the test also
// shows that the encoding reads nothing the engine writes.
func TestCaptureWhileApplying(t *testing.T) {
	e, index, now := smallUnion(t)
	const payments = 2*paymentChunk + 5000
	e.windowPayments = payments - 9000
	pay := func(i int, kind Kind) *Command {
		from, to := "SBININBBXXX", "HDFCINBBXXX"
		if i%2 == 1 {
			from, to = to, from
		}
		c := &Command{Kind: kind, Participant: from, Payee: to, Currency: "INR", Amount: 1, Key: fmt.Sprintf("p%d", i), UETR: testUETR(uint64(1000 + i))}
		if kind == KindReserve {
			c.TimeoutNs = DedupeWindowNs / 2
		}
		return c
	}
	apply := func(cmds []*Command) {
		index++
		for i, r := range e.ApplyCommands(index, now, cmds...) {
			if r.Reason != OK {
				t.Fatalf("entry %d command %d (%s): %s", index, i, cmds[i].Kind, r.Reason)
			}
		}
	}
	// Every seventh payment a reservation, left open for now.
	var cmds []*Command
	var reserved, settled []uint64
	for i := range payments {
		kind := KindPay
		if i%7 == 0 {
			kind = KindReserve
		}
		cmds = append(cmds, pay(i, kind))
		if len(cmds) == 1000 || i == payments-1 {
			first := e.NextPaymentID()
			apply(cmds)
			for j, c := range cmds {
				if c.Kind == KindReserve {
					reserved = append(reserved, first+uint64(j))
				} else {
					settled = append(settled, first+uint64(j))
				}
			}
			cmds = cmds[:0]
		}
	}

	type capture struct {
		want []byte
		got  chan []byte
	}
	var captures []capture
	take := func() {
		encode := e.Capture()
		want, _ := e.Snapshot()
		c := capture{want, make(chan []byte, 1)}
		go func() { c.got <- encode() }()
		captures = append(captures, c)
	}
	take()
	next := payments
	for round := range 4 {
		cmds = cmds[:0]
		// Resolve reservations from every chunk, old and new.
		for k := round; k < len(reserved); k += 40 {
			kind := KindPost
			if k%3 == 0 {
				kind = KindVoid
			}
			id := reserved[k]
			p := e.peek(id)
			from := e.participants[p.Payer].ID
			cmds = append(cmds, &Command{Kind: kind, Participant: from, PendingID: id})
		}
		// Return settled payments from every chunk.
		for k := round; k < len(settled); k += 500 {
			id := settled[k]
			if id < e.NextPaymentID()-uint64(e.windowPayments)+100 {
				continue // leaves the window as this entry starts
			}
			p := e.peek(id)
			if p == nil || p.Status != StatusSettled { // evicted, or returned in full
				continue
			}
			cmds = append(cmds, &Command{Kind: KindReturn, Participant: e.participants[p.Payee].ID, PendingID: id, Amount: 1,
				Key: fmt.Sprintf("r%d", id), UETR: testUETR(uint64(10_000_000 + id))})
		}
		// Append to the shared last chunk and past it.
		for range 3000 {
			cmds = append(cmds, pay(next, KindPay))
			next++
		}
		apply(cmds)
		if round == 1 {
			apply([]*Command{{Kind: KindSetSuspended, Participant: "HDFCINBBXXX", Suspended: true}})
			apply([]*Command{{Kind: KindSetSuspended, Participant: "HDFCINBBXXX"}})
		}
		take()
	}
	if e.payments.base <= 1+paymentChunk {
		t.Fatalf("the oldest payment is %d: the test meant to evict a whole chunk", e.payments.base)
	}
	for i, c := range captures {
		if got := <-c.got; !bytes.Equal(got, c.want) {
			t.Errorf("capture %d encoded %d bytes that differ from the %d Snapshot gave when it was taken", i, len(got), len(c.want))
		}
	}
	if err := e.CheckInvariants(); err != nil {
		t.Fatal(err)
	}
}

// TestRejectedCommandsCopyNoChunk checks that only an accepted change copies
// a chunk a capture shares: commands refused after looking the payment up
// leave the chunk shared.
func TestRejectedCommandsCopyNoChunk(t *testing.T) {
	e, index, now := smallUnion(t)
	rs := e.ApplyCommands(index+1, now,
		&Command{Kind: KindReserve, Participant: "SBININBBXXX", Payee: "HDFCINBBXXX", Currency: "INR", Amount: 5, Key: "r", TimeoutNs: 60e9},
		&Command{Kind: KindPay, Participant: "SBININBBXXX", Payee: "HDFCINBBXXX", Currency: "INR", Amount: 5, Key: "p", UETR: testUETR(1)})
	reserved, paid := rs[0].Payment, rs[1].Payment
	e.Capture()
	rejected := []*Command{
		{Kind: KindPost, Participant: "HDFCINBBXXX", PendingID: reserved}, // not the payer's
		{Kind: KindCancel, Participant: "SBININBBXXX", PendingID: paid},   // settled: not cancellable
		{Kind: KindRelease, Name: "officer", PendingID: paid},             // not held
		{Kind: KindReturn, Participant: "HDFCINBBXXX", PendingID: paid, Amount: 6, Key: "x", // more than paid
			UETR: testUETR(2)},
	}
	for i, r := range e.ApplyCommands(index+2, now, rejected...) {
		if r.Reason == OK {
			t.Fatalf("command %d (%s) accepted; the test needs it refused", i, rejected[i].Kind)
		}
	}
	if e.payments.owned[0] {
		t.Fatal("a refused command copied the shared chunk")
	}
	if r := e.ApplyCommands(index+3, now, &Command{Kind: KindPost, Participant: "SBININBBXXX", PendingID: reserved})[0]; r.Reason != OK {
		t.Fatalf("post = %s", r.Reason)
	}
	if !e.payments.owned[0] {
		t.Fatal("an accepted post changed a shared chunk without copying it")
	}
}
