package daemon

import (
	"context"
	"math"
	"math/big"
	"testing"

	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/history"
	"github.com/mutua-org/mutua/internal/sim"
)

// TestHistoryReconciles runs traffic through a real node, restarts it, and
// checks that every account's statement reconciles with the engine: opening
// balance zero, entries summing to the closing balance, and the closing
// balance equal to the live one.
func TestHistoryReconciles(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	d, err := Open(Config{Dir: dir, SnapshotEntries: 5})
	if err != nil {
		t.Fatal(err)
	}
	u := sim.NewUnion(6, "INR", "JPY")
	var setup [][]byte
	for _, c := range u.Setup(50_000) {
		setup = append(setup, c.Encode())
	}
	if _, err := d.SubmitBatch(ctx, setup); err != nil {
		t.Fatal(err)
	}
	tr := sim.NewTraffic(u, 7, "h")
	settled := 0
	for round := 0; round < 20; round++ {
		var cmds [][]byte
		for i := 0; i < 50; i++ {
			cmds = append(cmds, tr.Next(5000).Encode())
		}
		rs, err := d.SubmitBatch(ctx, cmds)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if r.Status == engine.StatusSettled {
				settled++
			}
		}
		if round == 10 { // restart midway: history resumes exactly once
			d.Close()
			if d, err = Open(Config{Dir: dir, SnapshotEntries: 5}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if settled == 0 {
		t.Fatal("no payment settled")
	}
	if err := d.Node().WaitRecorded(ctx, d.Node().Status().Applied); err != nil {
		t.Fatal(err)
	}
	var accounts []engine.AccountView
	d.Read(func(e *engine.Engine) {
		for _, p := range e.Participants() {
			accounts = append(accounts, e.Accounts(p.ID)...)
		}
	})
	for _, a := range accounts {
		st, err := d.History().Statement(a.ID, 0, math.MaxInt64)
		if err != nil {
			t.Fatal(err)
		}
		if !st.Opening.IsZero() {
			t.Errorf("%s %s opening balance %s; want 0", a.Participant, a.Currency.Code, st.Opening)
		}
		sum := new(big.Int)
		for _, e := range st.Entries {
			v := new(big.Int).SetUint64(e.Amount)
			if e.Credit {
				sum.Add(sum, v)
			} else {
				sum.Sub(sum, v)
			}
		}
		closing := st.Closing.Big()
		if st.ClosingNeg {
			closing.Neg(closing)
		}
		neg, v := a.Balance()
		live := v.Big()
		if neg {
			live.Neg(live)
		}
		if sum.Cmp(closing) != 0 || closing.Cmp(live) != 0 {
			t.Errorf("%s %s: entries sum %s, closing %s, live balance %s", a.Participant, a.Currency.Code, sum, closing, live)
		}
	}
	// Each bank sees its own payments, and only those.
	for _, bank := range u.Banks {
		ps, _, err := d.History().Payments(historyFilterAll(bank))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if p.From != bank && p.To != bank {
				t.Fatalf("%s's listing has payment %d between %s and %s", bank, p.ID, p.From, p.To)
			}
		}
	}
	d.Close()
	if _, err := Verify(dir); err != nil {
		t.Fatal(err)
	}
}

func historyFilterAll(participant string) history.Filter {
	return history.Filter{Participant: participant, Limit: history.PageMax}
}
