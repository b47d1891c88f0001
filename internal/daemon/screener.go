package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/cockroachdb/pebble/v2"

	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/screening"
)

// Sanctions screening in the shell. Every payment's parties are screened
// before the payment is proposed, and the evidence goes into the command; the
// engine decides from it (see engine/screening.go). Screening fails closed:
// if the active lists cannot be loaded, no payment is proposed.

// ErrScreeningUnavailable means the active sanctions lists could not be
// loaded; payments are refused until they can.
var ErrScreeningUnavailable = errors.New("daemon: sanctions screening unavailable")

// listKeyPrefix keys imported list versions in the store (outside the node's
// 0x00 key space and the history's 'h').
const listKeyPrefix = "sl"

// screenCacheMax bounds the per-name result cache.
const screenCacheMax = 1 << 16

type screener struct {
	d     *Daemon
	mu    sync.RWMutex
	lists string   // the list set set was built for
	set   *listSet // nil when err
	err   error    // why lists could not be loaded
	cache map[string]screening.Match
	// defaults are the lists shipped in the binary, parsed once.
	defaultsOnce sync.Once
	defaults     []*screening.ListVersion
	defaultsErr  error
}

// ListSetID names a set of list versions: their ids, sorted, joined by "+".
func ListSetID(versions []*screening.ListVersion) string {
	ids := make([]string, len(versions))
	for i, v := range versions {
		ids[i] = v.ID
	}
	slices.Sort(ids)
	return strings.Join(ids, "+")
}

func (s *screener) defaultVersions() ([]*screening.ListVersion, error) {
	s.defaultsOnce.Do(func() { s.defaults, s.defaultsErr = screening.DefaultVersions() })
	return s.defaults, s.defaultsErr
}

// version finds a list version by id: shipped, or imported into the store.
func (s *screener) version(id string) (*screening.ListVersion, error) {
	defs, err := s.defaultVersions()
	if err == nil {
		for _, v := range defs {
			if v.ID == id {
				return v, nil
			}
		}
	}
	val, closer, err := s.d.node.Store().Get([]byte(listKeyPrefix + id))
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, fmt.Errorf("list version %s is neither shipped nor imported", id)
	}
	if err != nil {
		return nil, err
	}
	defer closer.Close()
	var v screening.ListVersion
	if err := json.Unmarshal(val, &v); err != nil {
		return nil, fmt.Errorf("list version %s: %w", id, err)
	}
	return &v, nil
}

// listSet is what screening needs of the active list versions: their
// names, and the BICs they publish.
type listSet struct {
	names *screening.Index
	bics  *screening.BICIndex
}

// index returns the indexes of the engine's active list set, building them
// when the set changed.
func (s *screener) index(active string) (*listSet, error) {
	s.mu.RLock()
	if s.lists == active && (s.set != nil || s.err != nil) {
		set, err := s.set, s.err
		s.mu.RUnlock()
		return set, err
	}
	s.mu.RUnlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.lists == active && (s.set != nil || s.err != nil) {
		return s.set, s.err
	}
	var versions []*screening.ListVersion
	var err error
	for _, id := range strings.Split(active, "+") {
		var v *screening.ListVersion
		if v, err = s.version(id); err != nil {
			break
		}
		versions = append(versions, v)
	}
	s.lists, s.cache = active, make(map[string]screening.Match)
	if err != nil {
		s.set, s.err = nil, fmt.Errorf("%w: %v", ErrScreeningUnavailable, err)
		s.d.log.Error("screening lists unavailable; payments are refused", "lists", active, "err", err)
		return nil, s.err
	}
	s.set, s.err = &listSet{names: screening.NewIndex(versions...), bics: screening.NewBICIndex(versions...)}, nil
	s.d.log.Info("screening lists loaded", "lists", active, "names", s.set.names.Names(), "bics", s.set.bics.BICs())
	return s.set, nil
}

// best screens one name and returns its best match (Score 0 if none).
func (s *screener) best(idx *screening.Index, active, name string) screening.Match {
	s.mu.RLock()
	m, found := s.cache[name]
	same := s.lists == active
	s.mu.RUnlock()
	if found && same {
		return m
	}
	if ms := idx.Screen(screening.Query{Name: name}); len(ms) > 0 {
		m = ms[0]
	} else {
		m = screening.Match{}
	}
	s.mu.Lock()
	if s.lists == active {
		if len(s.cache) >= screenCacheMax {
			clear(s.cache)
		}
		s.cache[name] = m
	}
	s.mu.Unlock()
	return m
}

// isPayment reports whether commands of kind k are payments to screen.
func isPayment(k engine.Kind) bool { return k == engine.KindPay || k == engine.KindReserve }

// memberName returns the name of participant id, "" if there is none (the
// engine then refuses the payment).
func memberName(e *engine.Engine, id string) string {
	p, _ := e.Participant(id)
	return p.Name
}

// Screen fills c.Screening for a payment: the parties it names and the
// members that pay and are paid (the debtor's and the creditor's agent in
// the union), screened against the engine's active list set. Other
// commands are left alone.
func (d *Daemon) Screen(c *engine.Command) error {
	if !isPayment(c.Kind) {
		return nil
	}
	var active, payer, payee string
	d.Read(func(e *engine.Engine) {
		active, _, _ = e.ScreeningConfig()
		payer, payee = memberName(e, c.Participant), memberName(e, c.Payee)
	})
	return d.screen(c, active, payer, payee, nil)
}

// screenBatch screens the payments among encoded commands, reading the
// engine once for the whole batch, and replaces each with its screened
// encoding; parties[i], if any, are more parties of command i. Commands
// that do not decode are left for the engine to reject.
func (d *Daemon) screenBatch(cmds [][]byte, parties [][]screening.Party) error {
	type payment struct {
		i int
		c engine.Command
	}
	var pays []payment
	for i, raw := range cmds {
		if len(raw) < 2 || !isPayment(engine.Kind(raw[1])) {
			continue
		}
		if c, err := engine.DecodeCommand(raw); err == nil {
			pays = append(pays, payment{i, c})
		}
	}
	if len(pays) == 0 {
		return nil
	}
	names := make(map[string]string)
	for _, p := range pays {
		names[p.c.Participant], names[p.c.Payee] = "", ""
	}
	var active string
	d.Read(func(e *engine.Engine) {
		active, _, _ = e.ScreeningConfig()
		for id := range names {
			names[id] = memberName(e, id)
		}
	})
	for _, p := range pays {
		var extra []screening.Party
		if p.i < len(parties) {
			extra = parties[p.i]
		}
		sent := p.c.Screening
		if err := d.screen(&p.c, active, names[p.c.Participant], names[p.c.Payee], extra); err != nil {
			return err
		}
		if p.c.Screening != sent {
			cmds[p.i] = engine.WithScreening(cmds[p.i], &sent, &p.c.Screening)
		}
	}
	return nil
}

// evidenceTextMax bounds the list entry's reference and name in a
// payment's evidence: a list may hold names longer than a command's field.
const evidenceTextMax = 256

// clip cuts s to at most n bytes, at a character boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// screen fills c.Screening from the parties it names, its members and
// extra, the parties of the message it came in that it does not keep.
func (d *Daemon) screen(c *engine.Command, active, payerName, payeeName string, extra []screening.Party) error {
	if active == "" {
		c.Screening = engine.Screening{}
		return nil
	}
	set, err := d.screener.index(active)
	if err != nil {
		return err
	}
	ev := engine.Screening{Lists: active}
	consider := func(role string, m screening.Match) {
		if m.Score > int(ev.Score) {
			ev.Score, ev.Party = uint16(min(m.Score, engine.ScoreMax)), role
			ev.Ref, ev.Listed = clip(m.Reference, evidenceTextMax), clip(m.ListedName, evidenceTextMax)
		}
	}
	byName := func(role, name string) {
		if name != "" {
			consider(role, d.screener.best(set.names, active, name))
		}
	}
	byBIC := func(role, bic string) {
		if ms := set.bics.Screen(bic); len(ms) > 0 {
			consider(role, ms[0])
		}
	}
	byName("debtor", c.DebtorName)
	byName("creditor", c.CreditorName)
	byName("ultimate_debtor", c.UltimateDebtorName)
	byName("ultimate_creditor", c.UltimateCreditorName)
	// The members: by the name they were admitted under and by their id,
	// which is their BIC.
	byName("debtor_agent", payerName)
	byName("creditor_agent", payeeName)
	byBIC("debtor_agent", c.Participant)
	byBIC("creditor_agent", c.Payee)
	for _, p := range extra {
		byName(p.Role, p.Name)
		byBIC(p.Role, p.BIC)
	}
	c.Screening = ev
	return nil
}

// ScreenName returns the matches for one name against the active lists, for
// the operator's screening endpoint.
func (d *Daemon) ScreenName(q screening.Query) ([]screening.Match, string, error) {
	var active string
	d.Read(func(e *engine.Engine) { active, _, _ = e.ScreeningConfig() })
	if active == "" {
		return nil, "", fmt.Errorf("%w: no list set is active", ErrScreeningUnavailable)
	}
	set, err := d.screener.index(active)
	if err != nil {
		return nil, active, err
	}
	return set.names.Screen(q), active, nil
}

// ImportList stores a parsed list version so that it can be activated.
// Importing the same content twice stores it once (the id is a content hash).
func (d *Daemon) ImportList(v *screening.ListVersion) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return d.node.Store().Set([]byte(listKeyPrefix+v.ID), b, pebble.Sync)
}

// ListVersions returns the shipped and imported list versions, without their
// entries.
func (d *Daemon) ListVersions() ([]screening.ListVersion, error) {
	var out []screening.ListVersion
	if defs, err := d.screener.defaultVersions(); err == nil {
		for _, v := range defs {
			meta := *v
			meta.Entries = nil
			out = append(out, meta)
		}
	}
	it, err := d.node.Store().NewIter(&pebble.IterOptions{LowerBound: []byte(listKeyPrefix), UpperBound: []byte(listKeyPrefix + "\xff")})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	for valid := it.First(); valid; valid = it.Next() {
		var v screening.ListVersion
		if err := json.Unmarshal(it.Value(), &v); err != nil {
			return nil, fmt.Errorf("list version %s: %w", it.Key(), err)
		}
		v.Entries = nil
		out = append(out, v)
	}
	return out, it.Error()
}

// ActivateLists makes the given list versions the active set, with the hold
// threshold and the four-eyes rule. Every version must be shipped or
// imported, so that the set can be loaded.
func (d *Daemon) ActivateLists(ctx context.Context, ids []string, threshold int, fourEyes bool) (*engine.Result, string, error) {
	versions := make([]*screening.ListVersion, 0, len(ids))
	for _, id := range ids {
		v, err := d.screener.version(id)
		if err != nil {
			return nil, "", err
		}
		versions = append(versions, v)
	}
	set := ListSetID(versions)
	r, err := d.Submit(ctx, &engine.Command{Kind: engine.KindSetScreening, Name: set, Threshold: uint16(min(max(threshold, 0), engine.ScoreMax+1)), FourEyes: fourEyes})
	return r, set, err
}

// bootstrapScreening activates the shipped lists at the default threshold
// when screening has never been configured.
func (d *Daemon) bootstrapScreening(ctx context.Context) error {
	var active string
	d.Read(func(e *engine.Engine) { active, _, _ = e.ScreeningConfig() })
	if active != "" {
		return nil
	}
	defs, err := d.screener.defaultVersions()
	if err != nil {
		return fmt.Errorf("daemon: shipped sanctions lists: %w", err)
	}
	ids := make([]string, len(defs))
	for i, v := range defs {
		ids[i] = v.ID
	}
	r, _, err := d.ActivateLists(ctx, ids, screening.DefaultThreshold, false)
	if err != nil {
		return err
	}
	if r.Reason != engine.OK {
		return fmt.Errorf("daemon: activate shipped lists: %s", r.Reason)
	}
	return nil
}
