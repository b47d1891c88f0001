package engine

import (
	"bytes"
	"fmt"
	"math/big"
	"testing"

	"pgregory.net/rapid"
)

// TestProperties drives the engine with random command sequences and checks,
// after every batch, that the invariants hold and that a naive reference
// model (big.Int balances in maps, no dense indexes, no undo log) agrees on
// every result and every balance. Run longer with -rapid.checks=20000.
func TestProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		e, m := New(), newModel()
		setup := []*Command{
			{Kind: KindAddParticipant, Participant: "ISSUINAAXXX", Name: "Issuer A", Country: "IN"},
			{Kind: KindAddParticipant, Participant: "ISSUCNBBXXX", Name: "Issuer B", Country: "CN"},
			{Kind: KindAddParticipant, Participant: "BANKINCCXXX", Name: "Bank C", Country: "IN"},
			{Kind: KindAddParticipant, Participant: "BANKCNDDXXX", Name: "Bank D", Country: "CN"},
			{Kind: KindEnableCurrency, Currency: "INR", Participant: "ISSUINAAXXX"},
			{Kind: KindEnableCurrency, Currency: "CNY", Participant: "ISSUCNBBXXX"},
			{Kind: KindOpenAccount, Participant: "BANKINCCXXX", Currency: "INR"},
			{Kind: KindOpenAccount, Participant: "BANKINCCXXX", Currency: "CNY", Floor: -500},
			{Kind: KindOpenAccount, Participant: "BANKCNDDXXX", Currency: "CNY", Ceiling: 5000, HasCeiling: true},
			{Kind: KindOpenAccount, Participant: "ISSUCNBBXXX", Currency: "INR"},
		}
		index, now := uint64(1), int64(1_700_000_000_000_000_000)
		type entry struct {
			index uint64
			now   int64
			cmds  []*Command
		}
		log := []entry{{index, now, setup}}
		for _, c := range setup {
			m.apply(c, c.Encode(), now)
		}
		e.ApplyCommands(index, now, setup...)
		participants := []string{"ISSUINAAXXX", "ISSUCNBBXXX", "BANKINCCXXX", "BANKCNDDXXX", "NONEXXXXXXX"}
		currencies := []string{"INR", "CNY", "ZAR", "XYZ"}
		genAmount := rapid.OneOf(rapid.Int64Range(-5, 3000), rapid.Just(int64(0)), rapid.Int64Range(1, 200))
		genCommand := rapid.Custom(func(t *rapid.T) *Command {
			c := &Command{
				Participant: rapid.SampledFrom(participants).Draw(t, "from"),
				Payee:       rapid.SampledFrom(participants).Draw(t, "to"),
				Currency:    rapid.SampledFrom(currencies).Draw(t, "ccy"),
				Amount:      genAmount.Draw(t, "amount"),
				Key:         fmt.Sprintf("k%d", rapid.IntRange(0, 40).Draw(t, "key")),
			}
			switch rapid.IntRange(0, 11).Draw(t, "kind") {
			case 0, 1, 2, 3:
				c.Kind = KindPay
				c.UETR = testUETR(uint64(rapid.IntRange(1, 60).Draw(t, "uetr")))
			case 4:
				c.Kind = KindReserve
				c.TimeoutNs = int64(rapid.IntRange(1, 5).Draw(t, "timeout")) * 60e9
			case 5:
				c.Kind = rapid.SampledFrom([]Kind{KindPost, KindVoid}).Draw(t, "resolve")
				c.PendingID = uint64(rapid.IntRange(1, 30).Draw(t, "pending"))
				c.Amount = rapid.Int64Range(-1, 60).Draw(t, "postAmount")
				if c.Kind == KindVoid && rapid.Bool().Draw(t, "voidZero") {
					c.Amount = 0
				}
			case 6, 7:
				c.Kind = rapid.SampledFrom([]Kind{KindFund, KindDefund}).Draw(t, "fund")
			case 8:
				c.Kind = KindSetSuspended
				c.Suspended = rapid.Bool().Draw(t, "suspended")
			case 9:
				c.Kind = KindSetLimits
				c.Floor = rapid.Int64Range(-1000, 100).Draw(t, "floor")
				c.HasCeiling = rapid.Bool().Draw(t, "hasCeiling")
				c.Ceiling = uint64(rapid.Int64Range(0, 10000).Draw(t, "ceiling"))
			case 10, 11:
				c.Kind = KindLinked
				n := rapid.IntRange(0, 4).Draw(t, "n")
				for i := 0; i < n; i++ {
					c.Transfers = append(c.Transfers, TransferSpec{
						Debit:    rapid.SampledFrom(participants).Draw(t, "ld"),
						Credit:   rapid.SampledFrom(participants).Draw(t, "lc"),
						Currency: rapid.SampledFrom(currencies[:3]).Draw(t, "lccy"),
						Amount:   genAmount.Draw(t, "lamount"),
					})
				}
			}
			return c
		})
		// Captures taken along the way must still encode the state as it
		// was when taken (see Capture).
		type capture struct {
			encode func() []byte
			want   []byte
		}
		var captures []capture
		batches := rapid.IntRange(1, 25).Draw(t, "batches")
		for b := 0; b < batches; b++ {
			if rapid.Bool().Draw(t, "capture") {
				want, _ := e.Snapshot()
				captures = append(captures, capture{e.Capture(), want})
			}
			index++
			now += int64(rapid.IntRange(0, 3).Draw(t, "advanceMinutes")) * 60e9
			cmds := rapid.SliceOfN(genCommand, 1, 12).Draw(t, "cmds")
			got := e.ApplyCommands(index, now, cmds...)
			log = append(log, entry{index, now, cmds})
			wantExpired := m.expire(now)
			if len(got[0].Expired) != len(wantExpired) {
				t.Fatalf("batch %d: engine expired %d reservations, model %d", b, len(got[0].Expired), len(wantExpired))
			}
			for i, c := range cmds {
				want := m.apply(c, c.Encode(), now)
				if got[i].Reason != want.Reason || got[i].Payment != want.Payment || got[i].Status != want.Status || got[i].Member != want.Member {
					t.Fatalf("batch %d cmd %d %s %+v:\n engine %s payment=%d %s member=%d\n model  %s payment=%d %s member=%d",
						b, i, c.Kind, *c, got[i].Reason, got[i].Payment, got[i].Status, got[i].Member, want.Reason, want.Payment, want.Status, want.Member)
				}
			}
			if err := e.CheckInvariants(); err != nil {
				t.Fatalf("batch %d: %v", b, err)
			}
			for key, bal := range m.balances() {
				a, found := e.Account(key[0], key[1])
				if !found {
					t.Fatalf("engine lacks account %v", key)
				}
				neg, v := a.Balance()
				gotBal := v.Big()
				if neg {
					gotBal.Neg(gotBal)
				}
				if gotBal.Cmp(bal) != 0 {
					t.Fatalf("batch %d: balance %v = %s; model %s", b, key, gotBal, bal)
				}
			}
		}
		for i, c := range captures {
			if !bytes.Equal(c.encode(), c.want) {
				t.Fatalf("capture %d does not encode the state it was taken of", i)
			}
		}
		// The same log applied to a fresh engine gives the same digest.
		again := New()
		for _, en := range log {
			again.ApplyCommands(en.index, en.now, en.cmds...)
		}
		if again.Digest() != e.Digest() {
			t.Fatal("replaying the log gives a different digest")
		}
		// Snapshot + restore gives the same digest.
		snap, _ := e.Snapshot()
		twin := New()
		if err := twin.Restore(index, snap); err != nil {
			t.Fatal(err)
		}
		if twin.Digest() != e.Digest() {
			t.Fatal("restored digest differs")
		}
	})
}

// model is the naive reference: the rules of DESIGN.md written as plainly as
// possible, with exact big.Int arithmetic.
type model struct {
	participants map[string]*mParticipant
	issuer       map[string]string // currency → issuer
	accounts     map[[2]string]*mAccount
	keys         map[string]*mPayment
	uetrs        map[[16]byte]bool
	payments     map[uint64]*mPayment
	next         uint64
}

type mParticipant struct{ suspended bool }

type mAccount struct {
	posted, dpend, cpend *big.Int // posted is the signed balance
	floor                int64
	ceiling              *big.Int // nil: none
	issuer               bool
}

type mPayment struct {
	id       uint64
	content  string
	status   Status
	kind     Kind
	payer    string
	debit    [2]string
	credit   [2]string
	amount   int64
	deadline int64
}

func newModel() *model {
	return &model{participants: map[string]*mParticipant{}, issuer: map[string]string{}, accounts: map[[2]string]*mAccount{},
		keys: map[string]*mPayment{}, uetrs: map[[16]byte]bool{}, payments: map[uint64]*mPayment{}, next: 1}
}

func (m *model) balances() map[[2]string]*big.Int {
	out := map[[2]string]*big.Int{}
	for k, a := range m.accounts {
		out[k] = a.posted
	}
	return out
}

func (m *model) account(p, c string) *mAccount { return m.accounts[[2]string{p, c}] }

func newAccount(floor int64) *mAccount {
	return &mAccount{posted: new(big.Int), dpend: new(big.Int), cpend: new(big.Int), floor: floor}
}

// canDebit: balance − pending debits − amount ≥ floor.
func (a *mAccount) canDebit(amt int64) bool {
	if a.issuer {
		return true
	}
	avail := new(big.Int).Sub(a.posted, a.dpend)
	avail.Sub(avail, big.NewInt(amt))
	return avail.Cmp(big.NewInt(a.floor)) >= 0
}

// canCredit: balance + pending credits + amount ≤ ceiling.
func (a *mAccount) canCredit(amt int64) bool {
	if a.ceiling == nil {
		return true
	}
	v := new(big.Int).Add(a.posted, a.cpend)
	v.Add(v, big.NewInt(amt))
	return v.Cmp(a.ceiling) <= 0
}

func (m *model) expire(now int64) []uint64 {
	var out []uint64
	for id := uint64(1); id < m.next; id++ {
		p := m.payments[id]
		if p != nil && p.status == StatusPending && p.deadline <= now {
			p.status = StatusExpired
			m.account(p.debit[0], p.debit[1]).dpend.Sub(m.account(p.debit[0], p.debit[1]).dpend, big.NewInt(p.amount))
			m.account(p.credit[0], p.credit[1]).cpend.Sub(m.account(p.credit[0], p.credit[1]).cpend, big.NewInt(p.amount))
			out = append(out, id)
		}
	}
	return out
}

func mreject(r Reason) Result { return Result{Reason: r, Member: -1, Status: StatusRejected} }

func (m *model) settle(kind Kind, payer string, debit, credit [2]string, amt int64, key, content string, uetr [16]byte, status Status) Result {
	id := m.next
	m.next++
	p := &mPayment{id: id, content: content, status: status, kind: kind, payer: payer, debit: debit, credit: credit, amount: amt}
	m.payments[id] = p
	m.keys[key] = p
	if uetr != [16]byte{} {
		m.uetrs[uetr] = true
	}
	dr, cr := m.account(debit[0], debit[1]), m.account(credit[0], credit[1])
	if status == StatusPending {
		dr.dpend.Add(dr.dpend, big.NewInt(amt))
		cr.cpend.Add(cr.cpend, big.NewInt(amt))
	} else {
		dr.posted.Sub(dr.posted, big.NewInt(amt))
		cr.posted.Add(cr.posted, big.NewInt(amt))
	}
	return Result{Member: -1, Payment: id, Status: status}
}

func (m *model) apply(c *Command, raw []byte, now int64) Result {
	known := map[string]bool{"INR": true, "CNY": true, "ZAR": true}
	switch c.Kind {
	case KindAddParticipant:
		m.participants[c.Participant] = &mParticipant{}
		return Result{Member: -1}
	case KindEnableCurrency:
		m.issuer[c.Currency] = c.Participant
		a := newAccount(0)
		a.issuer = true
		m.accounts[[2]string{c.Participant, c.Currency}] = a
		return Result{Member: -1}
	case KindOpenAccount:
		a := newAccount(c.Floor)
		if c.HasCeiling {
			a.ceiling = new(big.Int).SetUint64(c.Ceiling)
		}
		m.accounts[[2]string{c.Participant, c.Currency}] = a
		return Result{Member: -1}
	case KindSetSuspended:
		p := m.participants[c.Participant]
		if p == nil {
			return mreject(ParticipantUnknown)
		}
		p.suspended = c.Suspended
		return Result{Member: -1}
	case KindSetLimits:
		if c.HasCeiling && c.Floor >= 0 && uint64(c.Floor) > c.Ceiling {
			return mreject(LimitsInvalid)
		}
		if !known[c.Currency] {
			return mreject(CurrencyUnknown)
		}
		if m.issuer[c.Currency] == "" {
			return mreject(CurrencyNotEnabled)
		}
		if m.participants[c.Participant] == nil {
			return mreject(ParticipantUnknown)
		}
		a := m.account(c.Participant, c.Currency)
		if a == nil {
			return mreject(AccountUnknown)
		}
		if a.issuer {
			return mreject(IssuerAccount)
		}
		next := *a
		next.floor, next.ceiling = c.Floor, nil
		if c.HasCeiling {
			next.ceiling = new(big.Int).SetUint64(c.Ceiling)
		}
		if !next.canDebit(0) || !next.canCredit(0) {
			return mreject(LimitsInvalid)
		}
		*a = next
		return Result{Member: -1}
	case KindFund, KindDefund:
		if c.Amount == 0 {
			return mreject(AmountZero)
		}
		if c.Amount < 0 {
			return mreject(AmountNegative)
		}
		if !known[c.Currency] {
			return mreject(CurrencyUnknown)
		}
		key := c.Participant + "\x00" + c.Key
		if p := m.keys[key]; p != nil {
			if p.content != string(raw) {
				return mreject(IdempotencyConflict)
			}
			return Result{Member: -1, Payment: p.id, Status: p.status, Duplicate: true}
		}
		iss := m.issuer[c.Currency]
		if iss == "" {
			return mreject(CurrencyNotEnabled)
		}
		p := m.participants[c.Participant]
		switch {
		case p == nil:
			return mreject(ParticipantUnknown)
		case p.suspended:
			return mreject(ParticipantSuspended)
		case m.account(c.Participant, c.Currency) == nil:
			return mreject(AccountUnknown)
		case c.Participant == iss:
			return mreject(IssuerAccount)
		}
		debit, credit := [2]string{iss, c.Currency}, [2]string{c.Participant, c.Currency}
		if c.Kind == KindDefund {
			debit, credit = credit, debit
		}
		if !m.account(debit[0], debit[1]).canDebit(c.Amount) {
			return mreject(InsufficientLiquidity)
		}
		if !m.account(credit[0], credit[1]).canCredit(c.Amount) {
			return mreject(CeilingExceeded)
		}
		return m.settle(c.Kind, c.Participant, debit, credit, c.Amount, key, string(raw), [16]byte{}, StatusSettled)
	case KindPay, KindReserve:
		if c.Amount == 0 {
			return mreject(AmountZero)
		}
		if c.Amount < 0 {
			return mreject(AmountNegative)
		}
		if !known[c.Currency] {
			return mreject(CurrencyUnknown)
		}
		key := c.Participant + "\x00" + c.Key
		if p := m.keys[key]; p != nil {
			if p.content != string(raw) {
				return mreject(IdempotencyConflict)
			}
			return Result{Member: -1, Payment: p.id, Status: p.status, Duplicate: true}
		}
		if c.UETR != [16]byte{} && m.uetrs[c.UETR] {
			return mreject(UETRDuplicate)
		}
		if m.issuer[c.Currency] == "" {
			return mreject(CurrencyNotEnabled)
		}
		payer, payee := m.participants[c.Participant], m.participants[c.Payee]
		switch {
		case payer == nil:
			return mreject(ParticipantUnknown)
		case payee == nil:
			return mreject(PayeeUnknown)
		case c.Participant == c.Payee:
			return mreject(SameParticipant)
		case payer.suspended:
			return mreject(ParticipantSuspended)
		case payee.suspended:
			return mreject(PayeeSuspended)
		case m.account(c.Participant, c.Currency) == nil:
			return mreject(AccountUnknown)
		case m.account(c.Payee, c.Currency) == nil:
			return mreject(PayeeAccountUnknown)
		}
		if !m.account(c.Participant, c.Currency).canDebit(c.Amount) {
			return mreject(InsufficientLiquidity)
		}
		if !m.account(c.Payee, c.Currency).canCredit(c.Amount) {
			return mreject(CeilingExceeded)
		}
		status := StatusSettled
		if c.Kind == KindReserve {
			status = StatusPending
		}
		r := m.settle(c.Kind, c.Participant, [2]string{c.Participant, c.Currency}, [2]string{c.Payee, c.Currency}, c.Amount, key, string(raw), c.UETR, status)
		m.payments[r.Payment].deadline = now + c.TimeoutNs
		return r
	case KindPost, KindVoid:
		if c.Amount < 0 {
			return mreject(AmountNegative)
		}
		if c.Kind == KindVoid && c.Amount != 0 {
			return mreject(PostExceedsPending)
		}
		p := m.payments[c.PendingID]
		if p == nil || p.kind != KindReserve || p.payer != c.Participant {
			return mreject(PendingUnknown)
		}
		switch p.status {
		case StatusSettled:
			return mreject(PendingAlreadyPosted)
		case StatusCancelled:
			return mreject(PendingAlreadyVoided)
		case StatusExpired:
			return mreject(PendingExpired)
		}
		if c.Amount > p.amount {
			return mreject(PostExceedsPending)
		}
		dr, cr := m.account(p.debit[0], p.debit[1]), m.account(p.credit[0], p.credit[1])
		dr.dpend.Sub(dr.dpend, big.NewInt(p.amount))
		cr.cpend.Sub(cr.cpend, big.NewInt(p.amount))
		if c.Kind == KindVoid {
			p.status = StatusCancelled
		} else {
			amt := c.Amount
			if amt == 0 {
				amt = p.amount
			}
			dr.posted.Sub(dr.posted, big.NewInt(amt))
			cr.posted.Add(cr.posted, big.NewInt(amt))
			p.status = StatusSettled
		}
		return Result{Member: -1, Payment: p.id, Status: p.status}
	case KindLinked:
		if len(c.Transfers) == 0 {
			return mreject(BatchInvalid)
		}
		for i, t := range c.Transfers {
			var r Reason
			switch {
			case t.Amount == 0:
				r = AmountZero
			case t.Amount < 0:
				r = AmountNegative
			case !known[t.Currency]:
				r = CurrencyUnknown
			}
			if r != OK {
				res := mreject(r)
				res.Member = int32(i)
				return res
			}
		}
		key := "\x00" + c.Key
		if p := m.keys[key]; p != nil {
			if p.content != string(raw) {
				return mreject(IdempotencyConflict)
			}
			return Result{Member: -1, Payment: p.id, Status: p.status, Duplicate: true}
		}
		// Apply to copies; keep them only if every member succeeds.
		saved := map[[2]string]mAccount{}
		for k, a := range m.accounts {
			saved[k] = mAccount{posted: new(big.Int).Set(a.posted), dpend: a.dpend, cpend: a.cpend, floor: a.floor, ceiling: a.ceiling, issuer: a.issuer}
		}
		for i, t := range c.Transfers {
			var r Reason
			dr, cr := m.account(t.Debit, t.Currency), m.account(t.Credit, t.Currency)
			switch {
			case m.issuer[t.Currency] == "":
				r = CurrencyNotEnabled
			case m.participants[t.Debit] == nil:
				r = ParticipantUnknown
			case m.participants[t.Credit] == nil:
				r = PayeeUnknown
			case t.Debit == t.Credit:
				r = SameParticipant
			case dr == nil:
				r = AccountUnknown
			case cr == nil:
				r = PayeeAccountUnknown
			case !dr.canDebit(t.Amount):
				r = InsufficientLiquidity
			case !cr.canCredit(t.Amount):
				r = CeilingExceeded
			}
			if r != OK {
				for k, a := range saved {
					*m.accounts[k] = a
				}
				res := mreject(r)
				res.Member = int32(i)
				return res
			}
			dr.posted.Sub(dr.posted, big.NewInt(t.Amount))
			cr.posted.Add(cr.posted, big.NewInt(t.Amount))
		}
		id := m.next
		m.next++
		m.payments[id] = &mPayment{id: id, content: string(raw), status: StatusSettled, kind: KindLinked}
		m.keys[key] = m.payments[id]
		return Result{Member: -1, Payment: id, Status: StatusSettled}
	}
	return mreject(CommandUnknown)
}
