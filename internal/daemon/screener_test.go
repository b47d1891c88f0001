package daemon

import (
	"context"
	"strings"
	"testing"

	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/screening"
	"github.com/mutua-org/mutua/internal/sim"
)

// TestScreeningInTheFlow checks the sanctions flow end to end on a real
// node with the shipped lists: a payment naming a listed party is held and
// moves no money, its decision survives a restart (replay repeats it), a
// release settles it exactly once, and a list update changes only future
// decisions.
func TestScreeningInTheFlow(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	d := openBootstrapped(t, Config{Dir: dir, SnapshotEntries: 3})
	defer func() { d.Close() }()
	u := sim.NewUnion(3, "AED")
	submitAll(t, d, u.Setup(1_000_000))
	balance := func(bank string) string {
		var s string
		d.Read(func(e *engine.Engine) {
			a, _ := e.Account(bank, "AED")
			_, v := a.Balance()
			s = v.String()
		})
		return s
	}
	payer, payee := u.Banks[0], u.Banks[1]
	uetrs := sim.NewTraffic(u, 1, "uetr")
	pay := func(key, creditor string) *engine.Result {
		t.Helper()
		c := &engine.Command{Kind: engine.KindPay, Participant: payer, Payee: payee, Currency: "AED", Amount: 10_000, Key: key,
			UETR: uetrs.Next(1).UETR, DebtorName: "Gulf Marine Trading LLC", CreditorName: creditor}
		r, err := d.Submit(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	before := balance(payer)
	// The UN list's KPe.025, as a sender might spell it: reordered, with a
	// legal form the list does not use, and a typo.
	held := pay("p-held", "Kwangson Banking Corporation of Korea Ltd")
	if held.Status != engine.StatusHeld {
		t.Fatalf("payment to a listed bank = %s %s; want held", held.Reason, held.Status)
	}
	clear := pay("p-clear", "Emirates Pearl Foodstuff Trading LLC")
	if clear.Status != engine.StatusSettled {
		t.Fatalf("ordinary payment = %s %s; want settled", clear.Reason, clear.Status)
	}
	if got, want := balance(payer), "990000"; got != want || before != "1000000" {
		t.Fatalf("payer balance %s (before %s); want %s: the held payment must not move money", got, before, want)
	}
	if err := d.Node().WaitRecorded(ctx, d.Node().Status().Applied); err != nil {
		t.Fatal(err)
	}
	hist, _, err := d.History().Payments(historyFilterAll(payer))
	if err != nil {
		t.Fatal(err)
	}
	var evidence engine.Screening
	for _, p := range hist {
		if p.ID == held.Payment {
			evidence = p.Command.Screening
		}
	}
	// The bank is on both lists: UN KPe.025 and OFAC's entry for it.
	if !strings.Contains(evidence.Listed, "KWANGSON BANKING") || evidence.Party != "creditor" || evidence.Score < screening.DefaultThreshold || !strings.Contains(evidence.Lists, "un-") {
		t.Fatalf("recorded evidence %+v; want the Kwangson bank matched on the creditor", evidence)
	}

	// Restart: replay repeats the decision.
	d.Close()
	if d, err = Open(Config{Dir: dir, SnapshotEntries: 3}); err != nil {
		t.Fatal(err)
	}
	var status engine.Status
	d.Read(func(e *engine.Engine) { p, _ := e.Payment(held.Payment); status = p.Status })
	if status != engine.StatusHeld {
		t.Fatalf("after restart the held payment is %s", status)
	}

	// An operator list naming the ordinary company: future payments to it are
	// held; the one that settled stays settled.
	v, err := screening.ParseCSV(strings.NewReader(screening.CSVHeader + "\nOPS-0001,entity,Emirates Pearl Foodstuff Trading LLC,,AE,,operator watch list\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.ImportList(v); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, lv := range mustVersions(t, d) {
		ids = append(ids, lv.ID)
	}
	if r, _, err := d.ActivateLists(ctx, ids, screening.DefaultThreshold, false); err != nil || r.Reason != engine.OK {
		t.Fatalf("activate: %v %v", r, err)
	}
	if r := pay("p-after", "Emirates Pearl Foodstuff Trading LLC"); r.Status != engine.StatusHeld {
		t.Fatalf("payment after the list update = %s %s; want held", r.Status, r.Reason)
	}
	d.Read(func(e *engine.Engine) { p, _ := e.Payment(clear.Payment); status = p.Status })
	if status != engine.StatusSettled {
		t.Fatalf("past decision changed: %s", status)
	}

	// Release settles exactly once.
	rel := &engine.Command{Kind: engine.KindRelease, PendingID: held.Payment, Name: "asha", Remittance: "false positive"}
	if r, err := d.Submit(ctx, rel); err != nil || r.Status != engine.StatusSettled {
		t.Fatalf("release = %v %v", r, err)
	}
	if r, err := d.Submit(ctx, rel); err != nil || r.Reason != engine.NotHeld {
		t.Fatalf("second release = %v %v; want not_held", r, err)
	}
	if got, want := balance(payer), "980000"; got != want {
		t.Fatalf("payer balance after release %s; want %s", got, want)
	}
}

func mustVersions(t *testing.T, d *Daemon) []screening.ListVersion {
	t.Helper()
	vs, err := d.ListVersions()
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// TestMembersAreScreened checks that the members that pay and are paid are
// screened like the parties a payment names: a member whose name is on a
// list has its payments held, as payer (debtor_agent) or payee
// (creditor_agent), on the single and the bulk path alike, even when the
// payment names no party; the other members' payments settle.
func TestMembersAreScreened(t *testing.T) {
	ctx := context.Background()
	d := openBootstrapped(t, Config{Dir: t.TempDir()})
	defer d.Close()
	u := sim.NewUnion(3, "AED")
	setup := u.Setup(1_000_000)
	for _, c := range setup {
		// The third bank is admitted under a listed name (UN KPe.025,
		// OFAC 11581).
		if c.Kind == engine.KindAddParticipant && c.Participant == u.Banks[2] {
			c.Name = "Korea Kwangson Banking Corp."
		}
	}
	submitAll(t, d, setup)
	clean, other, listed := u.Banks[0], u.Banks[1], u.Banks[2]
	traffic := sim.NewTraffic(u, 7, "members")
	pay := func(from, to string) *engine.Command {
		c := traffic.Next(100)
		c.Participant, c.Payee, c.Currency = from, to, "AED"
		return c
	}
	single := []*engine.Command{pay(clean, other), pay(listed, clean), pay(clean, listed)}
	var got []*engine.Result
	for _, c := range single {
		r, err := d.Submit(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	bulk := []*engine.Command{pay(clean, other), pay(listed, clean), pay(clean, listed)}
	raw := make([][]byte, len(bulk))
	for i, c := range bulk {
		raw[i] = c.Encode()
	}
	rs, err := d.SubmitBatch(ctx, raw)
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, rs...)
	want := []engine.Status{engine.StatusSettled, engine.StatusHeld, engine.StatusHeld}
	want = append(want, want...)
	for i, r := range got {
		if r.Reason != engine.OK || r.Status != want[i] {
			t.Errorf("payment %d: %s %s; want %s", i, r.Reason, r.Status, want[i])
		}
	}
	// The evidence names the member's role and the list entry.
	if err := d.Node().WaitRecorded(ctx, d.Node().Status().Applied); err != nil {
		t.Fatal(err)
	}
	roles := map[string]int{}
	for _, r := range got {
		if r.Status != engine.StatusHeld {
			continue
		}
		p, found, err := d.History().Payment(r.Payment)
		if err != nil || !found {
			t.Fatalf("history of payment %d: %v %v", r.Payment, found, err)
		}
		ev := p.Command.Screening
		roles[ev.Party]++
		if ev.Score < screening.DefaultThreshold || !strings.Contains(ev.Listed, "KWANGSON BANKING") {
			t.Errorf("held payment %d: evidence %+v; want the Kwangson bank (UN KPe.025, OFAC 11581)", r.Payment, ev)
		}
	}
	if roles["debtor_agent"] != 2 || roles["creditor_agent"] != 2 {
		t.Errorf("held by role %v; want 2 debtor_agent and 2 creditor_agent", roles)
	}
}

// openBootstrapped opens a daemon and bootstraps it: the shipped lists are
// active.
func openBootstrapped(t *testing.T, cfg Config) *Daemon {
	t.Helper()
	d, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Bootstrap(context.Background()); err != nil {
		d.Close()
		t.Fatal(err)
	}
	return d
}

// submitAll submits commands one by one; each must apply.
func submitAll(t *testing.T, d *Daemon, cmds []*engine.Command) {
	t.Helper()
	for _, c := range cmds {
		if r, err := d.Submit(context.Background(), c); err != nil || r.Reason != engine.OK {
			t.Fatalf("setup %s: %v %v", c.Kind, r, err)
		}
	}
}

// TestAgentsAreScreened checks the screening of agents: a member whose BIC
// a list publishes, and the agents a message names beyond the payment's
// fields (by BIC or by name), hold the payment; agents no list names do
// not.
func TestAgentsAreScreened(t *testing.T) {
	ctx := context.Background()
	d := openBootstrapped(t, Config{Dir: t.TempDir()})
	defer d.Close()
	u := sim.NewUnion(2, "AED")
	submitAll(t, d, u.Setup(1_000_000))
	// Daesong Bank's BIC (UN KPe.035, OFAC), admitted under another name.
	const listedBIC = "KDBKKPPYXXX"
	submitAll(t, d, []*engine.Command{
		{Kind: engine.KindAddParticipant, Participant: listedBIC, Name: "Sunrise Settlement Bank", Country: "ZZ", Roles: engine.RoleSettlement},
		{Kind: engine.KindOpenAccount, Participant: listedBIC, Currency: "AED"},
		{Kind: engine.KindFund, Participant: listedBIC, Currency: "AED", Amount: 1000, Key: "fund-listed"},
	})
	a, b := u.Banks[0], u.Banks[1]
	traffic := sim.NewTraffic(u, 9, "agents")
	pay := func(from, to string) []byte {
		c := traffic.Next(100)
		c.Participant, c.Payee, c.Currency = from, to, "AED"
		return c.Encode()
	}
	cmds := [][]byte{pay(a, b), pay(a, b), pay(listedBIC, a), pay(a, b)}
	parties := [][]screening.Party{
		{{Role: "intermediary_agent1", BIC: "FTBDKPPY"}}, // Foreign Trade Bank of the DPRK
		{{Role: "creditor_agent", Name: "Korea Daesong Bank"}},
		nil,
		{{Role: "intermediary_agent1", Name: "Deutsche Bank AG", BIC: "DEUTDEFFXXX"}},
	}
	rs, err := d.SubmitBatchParties(ctx, cmds, parties)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		status engine.Status
		party  string
		listed string
	}{
		{engine.StatusHeld, "intermediary_agent1", "SWIFT/BIC FTBDKPPY"},
		{engine.StatusHeld, "creditor_agent", "DAESONG"},
		{engine.StatusHeld, "debtor_agent", "SWIFT/BIC KDBKKPPY"},
		{engine.StatusSettled, "", ""},
	}
	if err := d.Node().WaitRecorded(ctx, d.Node().Status().Applied); err != nil {
		t.Fatal(err)
	}
	for i, r := range rs {
		if r.Reason != engine.OK || r.Status != want[i].status {
			t.Errorf("payment %d: %s %s; want %s", i, r.Reason, r.Status, want[i].status)
			continue
		}
		p, found, err := d.History().Payment(r.Payment)
		if err != nil || !found {
			t.Fatalf("history of payment %d: %v %v", r.Payment, found, err)
		}
		ev := p.Command.Screening
		if want[i].party != "" && (ev.Party != want[i].party || !strings.Contains(ev.Listed, want[i].listed)) {
			t.Errorf("payment %d: evidence %+v; want %s matching %q", i, ev, want[i].party, want[i].listed)
		}
	}
}

// TestThresholdFloor keeps the engine's lowest threshold equal to the lowest
// score screening reports, and checks a lower one is refused.
func TestThresholdFloor(t *testing.T) {
	if engine.ThresholdMin != screening.MinScore {
		t.Fatalf("engine.ThresholdMin %d, screening.MinScore %d: a threshold between them lets names through", engine.ThresholdMin, screening.MinScore)
	}
	d := openBootstrapped(t, Config{Dir: t.TempDir()})
	defer d.Close()
	var active string
	d.Read(func(e *engine.Engine) { active, _, _ = e.ScreeningConfig() })
	r, _, err := d.ActivateLists(context.Background(), strings.Split(active, "+"), screening.MinScore-1, false)
	if err != nil || r.Reason != engine.ThresholdInvalid {
		t.Fatalf("threshold %d: %v %v; want threshold_invalid", screening.MinScore-1, r, err)
	}
}

func TestClip(t *testing.T) {
	for _, tt := range []struct {
		s    string
		n    int
		want string
	}{
		{"KOREA", 10, "KOREA"}, {"KOREA", 3, "KOR"}, {"Ким Чен", 3, "К"}, {"Ким", 2, "К"}, {"Ким", 1, ""},
	} {
		if got := clip(tt.s, tt.n); got != tt.want {
			t.Errorf("clip(%q, %d) = %q; want %q", tt.s, tt.n, got, tt.want)
		}
	}
}
