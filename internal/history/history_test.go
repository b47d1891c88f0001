package history

import (
	"bytes"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/google/go-cmp/cmp"

	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/ledger"
	"github.com/mutua-org/mutua/internal/money"
	"github.com/mutua-org/mutua/internal/sim"
)

// The tests drive the real engine with generated traffic (payments,
// reservations posted, voided and expired, held payments released and
// rejected, linked batches, funding, duplicates, rejections), record every
// entry into a real Pebble store as the node does, and check every query
// against a naive expectation built from the engine's results and state.

const listSet = "un-test+ofac-test"

// harness applies entries to an engine and records them.
type harness struct {
	t     *testing.T
	rng   *rand.Rand
	u     *sim.Union
	tr    *sim.Traffic
	e     *engine.Engine
	dir   string
	db    *pebble.DB
	s     *Store
	index uint64
	now   int64
	seq   int
	fold  int // index fold size, 0 for the default

	// The naive model, from results.
	pays     map[uint64]*want
	ids      []uint64
	owners   map[string][]uint64
	postings map[ledger.AccountID][]Entry
	balances map[ledger.AccountID]*big.Int
	times    []int64 // entry times

	// Open work for later entries.
	reserved  []uint64
	held      []uint64
	sent      []*engine.Command // accepted, for duplicates
	screening bool
	fourEyes  bool
}

// want is what the model knows of a payment.
type want struct {
	id        uint64
	index     uint64
	createdNs int64
	from, to  string
	cmd       engine.Command
}

func newHarness(t *testing.T, seed uint64, banks int, currencies ...string) *harness {
	t.Helper()
	h := &harness{
		t:        t,
		rng:      rand.New(rand.NewPCG(seed, seed^0x5eed)),
		u:        sim.NewUnion(banks, currencies...),
		e:        engine.New(),
		dir:      t.TempDir(),
		index:    0,
		now:      1_780_000_000_000_000_000,
		pays:     map[uint64]*want{},
		owners:   map[string][]uint64{},
		postings: map[ledger.AccountID][]Entry{},
		balances: map[ledger.AccountID]*big.Int{},
	}
	h.tr = sim.NewTraffic(h.u, seed, "t")
	h.open()
	t.Cleanup(func() { h.db.Close() })
	return h
}

func (h *harness) open() {
	db, err := pebble.Open(h.dir, &pebble.Options{Logger: quietLogger{}})
	if err != nil {
		h.t.Fatal(err)
	}
	h.db = db
	h.s = h.newStore()
}

func (h *harness) newStore() *Store {
	s := New(h.db)
	if h.fold > 0 {
		s.pending.foldEntries = h.fold
	}
	return s
}

// restart closes and reopens the store: the recorder's caches start empty.
func (h *harness) restart() {
	if err := h.db.Close(); err != nil {
		h.t.Fatal(err)
	}
	h.open()
}

type quietLogger struct{}

func (quietLogger) Infof(string, ...any)  {}
func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf(format, args...))
}

// apply applies one entry to the engine, records it and updates the model.
func (h *harness) apply(cmds []*engine.Command) []*engine.Result {
	h.t.Helper()
	h.index++
	h.now += int64(1+h.rng.IntN(90)) * 1e9
	raw := make([][]byte, len(cmds))
	for i, c := range cmds {
		raw[i] = c.Encode()
	}
	out := h.e.Apply(h.index, h.now, raw)
	// A recorder that crashes before its batch commits runs again: the
	// first attempt must leave nothing behind.
	if h.rng.IntN(8) == 0 {
		b := h.db.NewBatch()
		if err := h.newStore().Record(h.index, h.now, raw, out, b); err != nil {
			h.t.Fatal(err)
		}
		b.Close()
	}
	b := h.db.NewBatch()
	if err := h.s.Record(h.index, h.now, raw, out, b); err != nil {
		h.t.Fatalf("record entry %d: %v", h.index, err)
	}
	if err := b.Commit(pebble.NoSync); err != nil {
		h.t.Fatal(err)
	}
	h.times = append(h.times, h.now)
	rs := make([]*engine.Result, len(out))
	for i, r := range out {
		rs[i] = r.(*engine.Result)
		h.model(raw[i], rs[i])
	}
	return rs
}

// model updates the expectation with one result.
func (h *harness) model(raw []byte, r *engine.Result) {
	c, err := engine.DecodeCommand(raw)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, t := range r.Transfers {
		if t.Pending || t.Amount == 0 {
			continue
		}
		h.post(t.Debit, t.Credit, false, t, c.Kind)
		h.post(t.Credit, t.Debit, true, t, c.Kind)
	}
	if r.Reason != engine.OK || r.Duplicate || r.Payment == 0 || h.pays[r.Payment] != nil {
		return
	}
	switch c.Kind {
	case engine.KindFund, engine.KindDefund, engine.KindPay, engine.KindReserve, engine.KindLinked, engine.KindReturn:
	default:
		return
	}
	w := &want{id: r.Payment, index: h.index, createdNs: h.now, cmd: c}
	var parties []string
	switch c.Kind {
	case engine.KindPay, engine.KindReserve:
		w.from, w.to = c.Participant, c.Payee
		parties = []string{c.Participant, c.Payee}
	case engine.KindFund, engine.KindDefund:
		issuer := h.u.Issuers[slices.Index(h.u.Currencies, c.Currency)]
		w.from, w.to = issuer, c.Participant
		if c.Kind == engine.KindDefund {
			w.from, w.to = w.to, w.from
		}
		parties = []string{c.Participant, issuer}
	case engine.KindLinked:
		w.from, w.to = c.Transfers[0].Debit, c.Transfers[0].Credit
		for _, t := range c.Transfers {
			parties = append(parties, t.Debit, t.Credit)
		}
	case engine.KindReturn:
		w.from, w.to = c.Participant, h.pays[c.PendingID].cmd.Participant
		parties = []string{w.from, w.to}
	}
	h.pays[w.id] = w
	h.ids = append(h.ids, w.id)
	for _, p := range parties {
		if l := h.owners[p]; len(l) == 0 || l[len(l)-1] != w.id {
			h.owners[p] = append(l, w.id)
		}
	}
	h.sent = append(h.sent, &c)
	switch r.Status {
	case engine.StatusPending:
		h.reserved = append(h.reserved, w.id)
	case engine.StatusHeld:
		h.held = append(h.held, w.id)
	}
}

func (h *harness) post(a, other ledger.AccountID, credit bool, t engine.Transfer, kind engine.Kind) {
	bal := h.balances[a]
	if bal == nil {
		bal = new(big.Int)
		h.balances[a] = bal
	}
	v := new(big.Int).SetUint64(t.Amount)
	if credit {
		bal.Add(bal, v)
	} else {
		bal.Sub(bal, v)
	}
	e := Entry{Account: a, Counterparty: other, Payment: t.Payment, Kind: kind, Credit: credit, Amount: t.Amount, BookedNs: h.now, Index: h.index}
	e.BalanceNeg = bal.Sign() < 0
	e.BalanceAfter = u128(new(big.Int).Abs(bal))
	e.N = 1
	if ps := h.postings[a]; len(ps) > 0 && ps[len(ps)-1].Index == h.index {
		e.N = ps[len(ps)-1].N + 1
	}
	h.postings[a] = append(h.postings[a], e)
}

func (h *harness) key() string {
	h.seq++
	return fmt.Sprintf("k-%d", h.seq)
}

func (h *harness) bank() string { return h.u.Banks[h.rng.IntN(len(h.u.Banks))] }

// pay returns a payment from the traffic generator, sometimes with parties
// named and screening evidence, some of it a hit.
func (h *harness) pay() *engine.Command {
	c := h.tr.Next(5000)
	if h.rng.IntN(40) == 0 {
		c.Amount = 1 << 50 // more than anyone has: rejected
	}
	// Once screening is on, every payment carries a decision; one that
	// names parties is sometimes a hit.
	if h.screening {
		c.Screening = engine.Screening{Lists: listSet, Score: uint16(h.rng.IntN(500))}
	}
	if h.rng.IntN(3) == 0 {
		c.DebtorName, c.CreditorName = "Gulf Marine Trading LLC", "Al Noor Spices LLC"
		c.Remittance = fmt.Sprintf("invoice %d", h.rng.IntN(1000))
		c.EndToEndID = fmt.Sprintf("E2E-%d", h.rng.IntN(1000))
		c.Priority = uint8(h.rng.IntN(3))
		if h.screening && h.rng.IntN(3) == 0 {
			c.Screening = engine.Screening{Lists: listSet, Score: 950, Party: "creditor", Ref: "KPe.025", Listed: "KOREA KWANGSON BANKING CORP."}
		}
	}
	return c
}

func (h *harness) reserve() *engine.Command {
	c := h.pay()
	c.Kind = engine.KindReserve
	c.TimeoutNs = int64(1+h.rng.IntN(5)) * 60e9
	if h.rng.IntN(2) == 0 {
		c.UETR = [16]byte{}
	}
	return c
}

// entry generates one entry of mixed traffic.
func (h *harness) entry(n int) []*engine.Command {
	var cmds []*engine.Command
	// A reservation (or a held payment) and its resolution in the same
	// entry: the first accepted command gets the next id.
	switch h.rng.IntN(4) {
	case 0:
		c := h.reserve()
		c.Amount, c.DebtorName, c.CreditorName, c.Screening = 10, "", "", engine.Screening{}
		if h.screening {
			c.Screening.Lists = listSet // screened clear
		}
		id := h.e.NextPaymentID()
		cmds = append(cmds, c, &engine.Command{Kind: engine.KindPost, Participant: c.Participant, PendingID: id, Amount: int64(h.rng.IntN(11))})
	case 1:
		if h.screening {
			c := h.pay()
			c.Amount, c.DebtorName, c.Screening = 10, "Someone", engine.Screening{Lists: listSet, Score: 999}
			id := h.e.NextPaymentID()
			cmds = append(cmds, c, &engine.Command{Kind: engine.KindRelease, PendingID: id, Name: "asha", Remittance: "same entry"})
		}
	}
	for len(cmds) < n {
		switch k := h.rng.IntN(21); {
		case k < 10:
			cmds = append(cmds, h.pay())
		case k < 12:
			cmds = append(cmds, h.reserve())
		case k == 12 && len(h.reserved) > 0:
			i := h.rng.IntN(len(h.reserved))
			id := h.reserved[i]
			h.reserved = slices.Delete(h.reserved, i, i+1)
			w := h.pays[id]
			c := &engine.Command{Kind: engine.KindPost, Participant: w.cmd.Participant, PendingID: id, Amount: h.rng.Int64N(w.cmd.Amount + 1)}
			if h.rng.IntN(3) == 0 {
				c.Kind, c.Amount = engine.KindVoid, 0
			}
			cmds = append(cmds, c)
		case k == 13 && len(h.held) > 0:
			i := h.rng.IntN(len(h.held))
			id := h.held[i]
			if !h.fourEyes {
				h.held = slices.Delete(h.held, i, i+1)
			}
			c := &engine.Command{Kind: engine.KindRelease, PendingID: id, Name: []string{"asha", "omar"}[h.rng.IntN(2)], Remittance: "reviewed"}
			if h.rng.IntN(3) == 0 {
				c.Kind = engine.KindRejectHeld
			}
			cmds = append(cmds, c)
		case k == 14:
			c := &engine.Command{Kind: engine.KindFund, Participant: h.bank(), Currency: h.u.Currencies[h.rng.IntN(len(h.u.Currencies))], Amount: 1 + h.rng.Int64N(10_000), Key: h.key()}
			if h.rng.IntN(2) == 0 {
				c.Kind = engine.KindDefund
				c.Remittance = "back to the central bank"
			}
			cmds = append(cmds, c)
		case k == 15:
			c := &engine.Command{Kind: engine.KindLinked, Key: h.key()}
			for range 1 + h.rng.IntN(4) {
				a, b := h.bank(), h.bank()
				if a == b {
					continue
				}
				c.Transfers = append(c.Transfers, engine.TransferSpec{Debit: a, Credit: b, Currency: h.u.Currencies[h.rng.IntN(len(h.u.Currencies))], Amount: 1 + h.rng.Int64N(100)})
			}
			if len(c.Transfers) > 0 {
				cmds = append(cmds, c)
			}
		case k == 17 && len(h.held) > 0:
			// The payer withdraws a held payment.
			i := h.rng.IntN(len(h.held))
			id := h.held[i]
			h.held = slices.Delete(h.held, i, i+1)
			cmds = append(cmds, &engine.Command{Kind: engine.KindCancel, Participant: h.pays[id].cmd.Participant, PendingID: id, Remittance: "withdrawn"})
		case k == 18 && len(h.ids) > 0:
			// The payee returns part of a payment (refused when it did
			// not settle).
			w := h.pays[h.ids[h.rng.IntN(len(h.ids))]]
			if w.cmd.Kind == engine.KindPay {
				cmds = append(cmds, &engine.Command{Kind: engine.KindReturn, Participant: w.cmd.Payee, PendingID: w.id, Amount: 1 + h.rng.Int64N(w.cmd.Amount),
					Key: h.key(), UETR: sim.UUIDv4(h.rng), Remittance: "returned"})
			}
		case k == 16 && len(h.sent) > 0:
			// A retry: the same key and content is a duplicate; other
			// content under the same key a conflict.
			c := *h.sent[h.rng.IntN(len(h.sent))]
			if h.rng.IntN(2) == 0 {
				c.Amount++
			}
			cmds = append(cmds, &c)
		default:
			cmds = append(cmds, h.pay())
		}
	}
	return cmds
}

// run sets up the union and applies entries entries of about n commands,
// restarting the store now and then.
func (h *harness) run(entries, n int) {
	h.apply(h.u.Setup(1_000_000))
	for i := 0; i < entries; i++ {
		switch i {
		case entries / 4:
			h.apply([]*engine.Command{{Kind: engine.KindSetScreening, Name: listSet, Threshold: 900}})
			h.screening = true
		case entries / 2:
			h.apply([]*engine.Command{{Kind: engine.KindSetScreening, Name: listSet, Threshold: 900, FourEyes: true}})
			h.fourEyes = true
		}
		if i%7 == 3 {
			h.restart()
		}
		h.apply(h.entry(n))
	}
	// Let every open reservation expire.
	h.now += engine.DedupeWindowNs / 2
	h.apply([]*engine.Command{h.pay()})
}

func TestRecordAndQuery(t *testing.T) {
	// Index folds: never (all in memory), often, now and then.
	for seed, fold := range map[uint64]int{1: 0, 2: 50, 3: 700} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			h := newHarness(t, seed, 6, "INR", "JPY", "KWD")
			h.fold = fold
			h.restart()
			h.run(40, 60)
			if folded := h.countKeys(prefixKey); (fold > 0) != (folded > 0) {
				t.Errorf("fold size %d: %d idempotency keys stored", fold, folded)
			}
			h.checkStatuses()
			h.checkPayments()
			h.checkLookups()
			h.checkListings()
			h.checkStatements()
			// After a restart, lookups come before any recording.
			h.restart()
			h.checkLookups()
			h.checkPayments()
			h.checkStatements()
		})
	}
}

// checkStatuses makes sure the traffic exercised every transition.
func (h *harness) checkStatuses() {
	h.t.Helper()
	seen := map[engine.Status]int{}
	kinds := map[engine.Kind]int{}
	sameEntry, later := 0, 0
	for _, id := range h.ids {
		p, _ := h.e.Payment(id)
		seen[p.Status]++
		kinds[p.Kind]++
		if p.Kind == engine.KindReserve || p.Status == engine.StatusRejected && p.Reason != engine.OK {
			if p.UpdatedNs == p.CreatedNs && p.Status != engine.StatusHeld && p.Status != engine.StatusPending {
				sameEntry++
			} else if p.UpdatedNs != p.CreatedNs {
				later++
			}
		}
	}
	h.t.Logf("%d payments: %v %v; changed in their own entry %d, later %d", len(h.ids), seen, kinds, sameEntry, later)
	for _, k := range []engine.Kind{engine.KindPay, engine.KindReserve, engine.KindFund, engine.KindDefund, engine.KindLinked, engine.KindReturn} {
		if kinds[k] == 0 {
			h.t.Errorf("no %s payment", k)
		}
	}
	if sameEntry == 0 || later == 0 {
		h.t.Errorf("changes of state: %d in the creating entry, %d later; want both", sameEntry, later)
	}
	for _, s := range []engine.Status{engine.StatusHeld, engine.StatusPending, engine.StatusSettled, engine.StatusRejected, engine.StatusCancelled, engine.StatusExpired} {
		if s == engine.StatusPending || s == engine.StatusHeld {
			continue // final traffic leaves none of these open
		}
		if seen[s] == 0 {
			h.t.Errorf("no payment ended %s; statuses %v", s, seen)
		}
	}
}

// checkPayments compares every payment with the command sent and the
// engine's own record of it.
func (h *harness) checkPayments() {
	h.t.Helper()
	for _, id := range h.ids {
		w := h.pays[id]
		got, found, err := h.s.Payment(id)
		if err != nil || !found {
			h.t.Fatalf("Payment(%d) = found %v, %v", id, found, err)
		}
		ep, ok := h.e.Payment(id)
		if !ok {
			h.t.Fatalf("engine forgot payment %d", id)
		}
		want := Payment{ID: id, Index: w.index, Status: ep.Status, Reason: ep.Reason, Posted: ep.Posted, CreatedNs: w.createdNs, UpdatedNs: ep.UpdatedNs, From: w.from, To: w.to, Command: w.cmd}
		if diff := cmp.Diff(want, got); diff != "" {
			h.t.Fatalf("Payment(%d) (-want +got):\n%s", id, diff)
		}
	}
	last := h.ids[len(h.ids)-1]
	for _, id := range []uint64{0, last + 1, last + 1000, math.MaxUint64} {
		if p, found, err := h.s.Payment(id); found || err != nil {
			h.t.Errorf("Payment(%d) = %+v, %v, %v; want not found", id, p, found, err)
		}
	}
}

func (h *harness) checkLookups() {
	h.t.Helper()
	for _, id := range h.ids {
		w := h.pays[id]
		if w.cmd.UETR != [16]byte{} {
			got, found, err := h.s.PaymentByUETR(w.cmd.UETR)
			if err != nil || !found || got.ID != id {
				h.t.Fatalf("PaymentByUETR(%x) = %d, %v, %v; want %d", w.cmd.UETR, got.ID, found, err, id)
			}
		}
		got, found, err := h.s.PaymentByKey(w.cmd.Participant, w.cmd.Key)
		if err != nil || !found || got.ID != id {
			h.t.Fatalf("PaymentByKey(%q, %q) = %d, %v, %v; want %d", w.cmd.Participant, w.cmd.Key, got.ID, found, err, id)
		}
		other := h.u.Banks[0]
		if other == w.cmd.Participant {
			other = h.u.Banks[1]
		}
		if got, found, err := h.s.PaymentByKey(other, w.cmd.Key); found || err != nil {
			h.t.Fatalf("PaymentByKey(%q, %q) = %d, %v, %v; want another participant's key not found", other, w.cmd.Key, got.ID, found, err)
		}
	}
	if p, found, err := h.s.PaymentByUETR([16]byte{1, 2, 3}); found || err != nil {
		h.t.Errorf("PaymentByUETR(unknown) = %d, %v, %v", p.ID, found, err)
	}
	if p, found, err := h.s.PaymentByKey(h.u.Banks[0], "no-such-key"); found || err != nil {
		h.t.Errorf("PaymentByKey(unknown) = %d, %v, %v", p.ID, found, err)
	}
}

// checkListings lists every participant's payments under every filter and
// page size and compares with a naive filter over the model.
func (h *harness) checkListings() {
	h.t.Helper()
	parties := append(append(slices.Clone(h.u.Banks), h.u.Issuers...), "NOBODYZZXXX")
	mid := h.times[len(h.times)/2]
	var filters []Filter
	filters = append(filters, Filter{})
	for s := engine.StatusReceived; s <= engine.StatusExpired; s++ {
		filters = append(filters, Filter{Status: &s})
	}
	for _, c := range h.u.Currencies {
		filters = append(filters, Filter{Currency: c})
	}
	for _, b := range h.u.Banks[:3] {
		filters = append(filters, Filter{Counterparty: b})
	}
	filters = append(filters, Filter{FromNs: mid}, Filter{ToNs: mid}, Filter{FromNs: h.times[len(h.times)/4], ToNs: mid},
		Filter{FromNs: h.now + 1}, Filter{ToNs: h.times[0]})
	settled := engine.StatusSettled
	filters = append(filters, Filter{Status: &settled, Currency: h.u.Currencies[0], FromNs: h.times[3]})
	for _, party := range parties {
		for _, f := range filters {
			f.Participant = party
			want := h.expectList(f)
			for _, limit := range []int{1, 3, 17, 0} {
				f.Limit = limit
				got := h.listAll(f)
				if !slices.Equal(got, want) {
					h.t.Fatalf("Payments(%s) limit %d = %v; want %v", describe(f), limit, got, want)
				}
			}
			// A cursor in the middle of the list goes on from there.
			if len(want) > 2 {
				f.After, f.Limit = want[len(want)/2], 0
				got := h.listAll(f)
				if !slices.Equal(got, want[len(want)/2+1:]) {
					h.t.Fatalf("Payments(%s) after %d = %v; want %v", describe(f), f.After, got, want[len(want)/2+1:])
				}
			}
		}
	}
	if _, _, err := h.s.Payments(Filter{}); err == nil {
		h.t.Error("Payments without a participant succeeded")
	}
}

func describe(f Filter) string {
	s := fmt.Sprintf("%s", f.Participant)
	if f.Status != nil {
		s += " status=" + f.Status.String()
	}
	return s + fmt.Sprintf(" ccy=%q cp=%q from=%d to=%d", f.Currency, f.Counterparty, f.FromNs, f.ToNs)
}

// listAll follows the cursor to the end and returns the ids, checking that
// every page respects its limit and holds only the participant's payments.
func (h *harness) listAll(f Filter) []uint64 {
	h.t.Helper()
	var ids []uint64
	for pages := 0; ; pages++ {
		ps, next, err := h.s.Payments(f)
		if err != nil {
			h.t.Fatal(err)
		}
		limit := f.Limit
		if limit == 0 {
			limit = PageMax
		}
		if len(ps) > limit {
			h.t.Fatalf("Payments(%s) returned %d > limit %d", describe(f), len(ps), limit)
		}
		for _, p := range ps {
			if !slices.Contains(h.owners[f.Participant], p.ID) {
				h.t.Fatalf("Payments(%s) lists payment %d of %s → %s", describe(f), p.ID, p.From, p.To)
			}
			ids = append(ids, p.ID)
		}
		if next == 0 {
			return ids
		}
		if next <= f.After || pages > len(h.ids)+1 {
			h.t.Fatalf("Payments(%s) cursor %d after %d", describe(f), next, f.After)
		}
		f.After = next
	}
}

func (h *harness) expectList(f Filter) []uint64 {
	var out []uint64
	for _, id := range h.owners[f.Participant] {
		w := h.pays[id]
		ep, _ := h.e.Payment(id)
		other := w.to
		if w.to == f.Participant {
			other = w.from
		}
		switch {
		case id <= f.After,
			f.Status != nil && ep.Status != *f.Status,
			f.Currency != "" && w.cmd.Currency != f.Currency,
			f.FromNs != 0 && w.createdNs < f.FromNs,
			f.ToNs != 0 && w.createdNs >= f.ToNs,
			f.Counterparty != "" && other != f.Counterparty:
			continue
		}
		out = append(out, id)
	}
	return out
}

// checkStatements compares every account's statement with the model's
// postings and the engine's balance, whole and cut into periods.
func (h *harness) checkStatements() {
	h.t.Helper()
	var accounts []engine.AccountView
	for _, p := range h.e.Participants() {
		accounts = append(accounts, h.e.Accounts(p.ID)...)
	}
	cuts := []int64{0, h.times[1], h.times[len(h.times)/3], h.times[len(h.times)/3] + 1, h.times[2*len(h.times)/3], h.now, h.now + 1, math.MaxInt64}
	for _, a := range accounts {
		want := h.postings[a.ID]
		st, err := h.s.Statement(a.ID, 0, math.MaxInt64)
		if err != nil {
			h.t.Fatal(err)
		}
		if diff := cmp.Diff(want, st.Entries); diff != "" {
			h.t.Fatalf("statement of account %d (-want +got):\n%s", a.ID, diff)
		}
		neg, v := a.Balance()
		if !st.Opening.IsZero() || st.ClosingNeg != neg || st.Closing != v || st.More {
			h.t.Fatalf("account %d: opening %v, closing %v %v, more %v; engine balance %v %v", a.ID, st.Opening, st.ClosingNeg, st.Closing, st.More, neg, v)
		}
		// Periods chain: each opens where the last closed, and reconciles.
		var entries []Entry
		for i := 1; i < len(cuts); i++ {
			p, err := h.s.Statement(a.ID, cuts[i-1], cuts[i])
			if err != nil {
				h.t.Fatal(err)
			}
			if i > 1 {
				prev, _ := h.s.Statement(a.ID, cuts[i-2], cuts[i-1])
				if p.OpeningNeg != prev.ClosingNeg || p.Opening != prev.Closing {
					h.t.Fatalf("account %d: period %d opens at %v, the last closed at %v", a.ID, i, p.Opening, prev.Closing)
				}
			}
			sum := signed(p.OpeningNeg, p.Opening.Big())
			for _, e := range p.Entries {
				if e.BookedNs < cuts[i-1] || e.BookedNs >= cuts[i] {
					h.t.Fatalf("account %d: entry at %d outside [%d, %d)", a.ID, e.BookedNs, cuts[i-1], cuts[i])
				}
				if e.Credit {
					sum.Add(sum, new(big.Int).SetUint64(e.Amount))
				} else {
					sum.Sub(sum, new(big.Int).SetUint64(e.Amount))
				}
			}
			if sum.Cmp(signed(p.ClosingNeg, p.Closing.Big())) != 0 {
				h.t.Fatalf("account %d period %d: opening + credits - debits = %s; closing %s", a.ID, i, sum, signed(p.ClosingNeg, p.Closing.Big()))
			}
			entries = append(entries, p.Entries...)
		}
		if diff := cmp.Diff(want, entries); diff != "" {
			h.t.Fatalf("statement of account %d in periods (-want +got):\n%s", a.ID, diff)
		}
	}
	if st, err := h.s.Statement(ledger.AccountID(1<<30), 0, math.MaxInt64); err != nil || len(st.Entries) != 0 || !st.Closing.IsZero() {
		h.t.Errorf("statement of an unknown account = %+v, %v", st, err)
	}
}

func signed(neg bool, v *big.Int) *big.Int {
	if neg {
		v.Neg(v)
	}
	return v
}

// TestDeterministic records the same log twice and compares the stores byte
// for byte.
func TestDeterministic(t *testing.T) {
	a, b := newHarness(t, 9, 5, "INR", "JPY"), newHarness(t, 9, 5, "INR", "JPY")
	a.fold, b.fold = 100, 100
	a.restart()
	b.restart()
	a.run(12, 40)
	b.run(12, 40)
	ka, kb := dump(t, a.db), dump(t, b.db)
	if !slices.EqualFunc(ka, kb, func(x, y [2][]byte) bool { return bytes.Equal(x[0], y[0]) && bytes.Equal(x[1], y[1]) }) {
		t.Fatalf("two recordings of the same log differ: %d and %d keys", len(ka), len(kb))
	}
}

// countKeys counts the stored keys with prefix.
func (h *harness) countKeys(prefix string) int {
	it, err := h.db.NewIter(&pebble.IterOptions{LowerBound: []byte(prefix), UpperBound: prefixEnd([]byte(prefix))})
	if err != nil {
		h.t.Fatal(err)
	}
	defer it.Close()
	n := 0
	for valid := it.First(); valid; valid = it.Next() {
		n++
	}
	return n
}

func dump(t *testing.T, db *pebble.DB) [][2][]byte {
	it, err := db.NewIter(&pebble.IterOptions{LowerBound: []byte("h"), UpperBound: []byte("i")})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var out [][2][]byte
	for valid := it.First(); valid; valid = it.Next() {
		out = append(out, [2][]byte{slices.Clone(it.Key()), slices.Clone(it.Value())})
	}
	return out
}

func u128(v *big.Int) money.Uint128 {
	lo := new(big.Int).And(v, new(big.Int).SetUint64(math.MaxUint64))
	hi := new(big.Int).Rsh(v, 64)
	return money.Uint128{Hi: hi.Uint64(), Lo: lo.Uint64()}
}

// TestBounds checks that a page scans at most ScanMax index rows and a
// statement holds at most EntriesMax entries, with cursors to go on.
func TestBounds(t *testing.T) {
	if testing.Short() {
		t.Skip("records 25,000 payments")
	}
	h := newHarness(t, 4, 2, "INR")
	h.apply(h.u.Setup(1 << 40))
	for range 5 {
		cmds := make([]*engine.Command, 5000)
		for i := range cmds {
			cmds[i] = h.tr.Next(100)
		}
		h.apply(cmds)
	}
	bank := h.u.Banks[0]
	all := h.owners[bank]
	if len(all) <= ScanMax {
		t.Fatalf("%d payments; want more than ScanMax", len(all))
	}
	queued := engine.StatusQueued
	f := Filter{Participant: bank, Status: &queued}
	ps, next, err := h.s.Payments(f)
	if err != nil || len(ps) != 0 || next != all[ScanMax-1] {
		t.Fatalf("Payments(queued) = %d payments, next %d, %v; want none and next %d (the ScanMax-th row)", len(ps), next, err, all[ScanMax-1])
	}
	f.After = next
	if ps, next, err = h.s.Payments(f); err != nil || len(ps) != 0 || next != 0 {
		t.Fatalf("second page = %d payments, next %d, %v; want none and the end", len(ps), next, err)
	}
	ps, next, err = h.s.Payments(Filter{Participant: bank})
	if err != nil || len(ps) != PageMax || next != all[PageMax-1] {
		t.Fatalf("first page = %d payments, next %d, %v; want %d and next %d", len(ps), next, err, PageMax, all[PageMax-1])
	}
	if got := h.listAll(Filter{Participant: bank, Limit: PageMax}); !slices.Equal(got, all) {
		t.Fatalf("pages hold %d payments; want %d", len(got), len(all))
	}

	a := h.e.Accounts(bank)[0]
	want := h.postings[a.ID]
	st, err := h.s.Statement(a.ID, 0, math.MaxInt64)
	if err != nil {
		t.Fatal(err)
	}
	last := want[EntriesMax-1]
	if !st.More || len(st.Entries) != EntriesMax || st.Closing != last.BalanceAfter || st.ClosingNeg != last.BalanceNeg {
		t.Fatalf("statement: %d entries, more %v, closing %v; want %d, more, closing %v", len(st.Entries), st.More, st.Closing, EntriesMax, last.BalanceAfter)
	}
	if diff := cmp.Diff(want[:EntriesMax], st.Entries); diff != "" {
		t.Fatalf("statement (-want +got):\n%s", diff)
	}
	// Paging on from each page's cursor reads every entry once, mid-entry
	// boundaries included, each page opening where the last one closed.
	var got []Entry
	pages := 0
	for c := (Cursor{}); ; pages++ {
		page, err := h.s.StatementFrom(a.ID, c, math.MaxInt64, EntriesMax)
		if err != nil {
			t.Fatal(err)
		}
		if page.Opening != st.Closing && pages > 0 || page.OpeningNeg != st.ClosingNeg && pages > 0 {
			t.Fatalf("page %d opens at %v; the page before closed at %v", pages, page.Opening, st.Closing)
		}
		got = append(got, page.Entries...)
		st = page
		if !page.More {
			break
		}
		if page.Next == c {
			t.Fatalf("page %d: the cursor %+v did not move", pages, c)
		}
		c = page.Next
	}
	if diff := cmp.Diff(want, got); diff != "" || pages != len(want)/EntriesMax {
		t.Fatalf("%d pages (-want +got):\n%s", pages+1, diff)
	}
	// A cursor inside a log entry, with the period ending at that entry's
	// time: nothing of it, nor after it.
	mid := want[EntriesMax]
	if page, err := h.s.StatementFrom(a.ID, Cursor{Ns: mid.BookedNs, Index: mid.Index, N: 3}, mid.BookedNs, EntriesMax); err != nil || len(page.Entries) != 0 || page.More {
		t.Fatalf("empty period: %d entries, more %v, %v", len(page.Entries), page.More, err)
	}
}

// TestConcurrentQueries looks payments up while entries are recorded and
// the index folds: a recorded payment is always found.
func TestConcurrentQueries(t *testing.T) {
	h := newHarness(t, 11, 4, "INR")
	h.fold = 300
	h.restart()
	h.apply(h.u.Setup(1_000_000))
	type ref struct {
		id         uint64
		uetr       [16]byte
		payer, key string
	}
	recorded := make(chan ref, 1<<16)
	done := make(chan error)
	go func() {
		var seen []ref
		for r := range recorded {
			seen = append(seen, r)
			for _, x := range []ref{r, seen[len(seen)/2], seen[0]} {
				if p, found, err := h.s.PaymentByKey(x.payer, x.key); err != nil || !found || p.ID != x.id {
					done <- fmt.Errorf("PaymentByKey(%s, %s) = %d, %v, %v; want %d", x.payer, x.key, p.ID, found, err, x.id)
					return
				}
				if x.uetr != [16]byte{} {
					if p, found, err := h.s.PaymentByUETR(x.uetr); err != nil || !found || p.ID != x.id {
						done <- fmt.Errorf("PaymentByUETR(%x) = %d, %v, %v; want %d", x.uetr, p.ID, found, err, x.id)
						return
					}
				}
			}
			if r.payer == "" {
				continue // a linked batch: the operator's
			}
			if _, _, err := h.s.Payments(Filter{Participant: r.payer, Limit: 10}); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for range 30 {
		cmds := h.entry(40)
		rs := h.apply(cmds)
		for _, r := range rs {
			if w := h.pays[r.Payment]; w != nil && w.index == h.index && !r.Duplicate && r.Reason == engine.OK {
				recorded <- ref{w.id, w.cmd.UETR, w.cmd.Participant, w.cmd.Key}
			}
		}
	}
	close(recorded)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
