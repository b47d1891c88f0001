// Package daemon wires a Mutua node together: the engine as the node's state
// machine, the history store as its recorder, and the first operator token.
// It is the one package that knows every part; only the shell (cli, httpapi)
// uses it.
package daemon

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/history"
	"github.com/mutua-org/mutua/internal/money"
	"github.com/mutua-org/mutua/internal/node"
	"github.com/mutua-org/mutua/internal/screening"
)

// Config configures a Daemon.
type Config struct {
	Dir    string
	FS     vfs.FS // nil = the real file system
	Logger *slog.Logger
	// SnapshotEntries overrides the node's snapshot interval (0 = default).
	SnapshotEntries uint64
}

// Daemon is a running Mutua node.
type Daemon struct {
	node     *node.Node
	engine   *engine.Engine
	history  *history.Store
	screener screener
	log      *slog.Logger
	dir      string
}

// OperatorTokenFile is where the first operator token is written, inside the
// data directory, when a node starts on an empty store.
const OperatorTokenFile = "operator.token"

// Open opens the data directory, rebuilds the state and returns a ready node.
func Open(cfg Config) (*Daemon, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	d := &Daemon{engine: engine.New(), log: cfg.Logger, dir: cfg.Dir}
	d.screener.d = d
	// Parse the shipped sanctions lists while the node restores its state:
	// both take about a second, and neither needs the other.
	go d.screener.defaultVersions()
	n, err := node.Open(node.Config{
		Dir:             cfg.Dir,
		FS:              cfg.FS,
		Machine:         d.engine,
		Record:          d.record,
		SnapshotEntries: cfg.SnapshotEntries,
		Logger:          cfg.Logger,
		OnOpen:          func(db *pebble.DB) { d.history = history.New(db) },
	})
	if err != nil {
		return nil, err
	}
	d.node = n
	return d, nil
}

func (d *Daemon) record(index uint64, nowNs int64, cmds [][]byte, results []any, b *pebble.Batch) error {
	return d.history.Record(index, nowNs, cmds, results, b)
}

// Close stops the node.
func (d *Daemon) Close() error { return d.node.Close() }

// Node returns the underlying node (status, history store).
func (d *Daemon) Node() *node.Node { return d.node }

// History returns the settled-history store.
func (d *Daemon) History() *history.Store { return d.history }

// Read runs fn with the engine quiescent. fn must not keep references into
// engine state beyond the call; the engine's read methods return copies.
func (d *Daemon) Read(fn func(e *engine.Engine)) {
	d.node.View(func() { fn(d.engine) })
}

// Submit screens a payment's parties, proposes the command and returns its
// result once applied.
func (d *Daemon) Submit(ctx context.Context, c *engine.Command) (*engine.Result, error) {
	if err := d.Screen(c); err != nil {
		return nil, err
	}
	r, err := d.node.Propose(ctx, c.Encode())
	if err != nil {
		return nil, err
	}
	return r.(*engine.Result), nil
}

// SubmitBatch screens the payments among encoded commands and proposes them
// as one contiguous batch. Commands that do not decode are passed on as they
// are, for the engine to reject.
func (d *Daemon) SubmitBatch(ctx context.Context, cmds [][]byte) ([]*engine.Result, error) {
	return d.SubmitBatchParties(ctx, cmds, nil)
}

// SubmitBatchParties is SubmitBatch with more parties to screen for some
// commands: parties[i] for cmds[i] (the agents of an ISO 20022 message).
func (d *Daemon) SubmitBatchParties(ctx context.Context, cmds [][]byte, parties [][]screening.Party) ([]*engine.Result, error) {
	if err := d.screenBatch(cmds, parties); err != nil {
		return nil, err
	}
	rs, err := d.node.ProposeBatch(ctx, cmds)
	if err != nil {
		return nil, err
	}
	out := make([]*engine.Result, len(rs))
	for i, r := range rs {
		out[i] = r.(*engine.Result)
	}
	return out, nil
}

// Token is a freshly issued API token: "mutua_<id>_<secret>". Only its id and
// the hash of its secret are stored.
type Token struct {
	ID     string
	Secret string
}

func (t Token) String() string { return "mutua_" + t.ID + "_" + t.Secret }

// ParseToken splits a bearer token into id and secret hash.
func ParseToken(s string) (id string, hash [32]byte, ok bool) {
	rest, found := strings.CutPrefix(s, "mutua_")
	if !found {
		return "", hash, false
	}
	id, secret, found := strings.Cut(rest, "_")
	if !found || id == "" || len(secret) < 16 || len(id) > engine.TokenIDLenMax {
		return "", hash, false
	}
	return id, sha256.Sum256([]byte(secret)), true
}

// NewToken draws a random token.
func NewToken() Token {
	var id [8]byte
	var secret [24]byte
	if _, err := rand.Read(id[:]); err != nil {
		panic(err) // crypto/rand never fails on supported systems
	}
	if _, err := rand.Read(secret[:]); err != nil {
		panic(err)
	}
	return Token{ID: hex.EncodeToString(id[:]), Secret: hex.EncodeToString(secret[:])}
}

// IssueToken registers a new token for participant ("" = operator) and
// returns it; the secret is shown only here.
func (d *Daemon) IssueToken(ctx context.Context, participant, name string) (Token, *engine.Result, error) {
	t := NewToken()
	r, err := d.Submit(ctx, &engine.Command{Kind: engine.KindIssueToken, TokenID: t.ID, TokenHash: sha256.Sum256([]byte(t.Secret)), Participant: participant, Name: name})
	return t, r, err
}

// Bootstrap prepares a new union: it activates the shipped sanctions lists
// if screening was never configured, and issues the first operator token if
// there are no tokens yet, writing it to OperatorTokenFile (mode 0600) in the
// data directory. It returns the file's path, or "" if tokens exist already.
func (d *Daemon) Bootstrap(ctx context.Context) (string, error) {
	if err := d.bootstrapScreening(ctx); err != nil {
		return "", err
	}
	// Load the active lists now rather than on the first payment. A
	// failure is not fatal here: payments are refused (fail closed) and
	// the operator can import and activate lists that load.
	var active string
	d.Read(func(e *engine.Engine) { active, _, _ = e.ScreeningConfig() })
	start := time.Now()
	if _, err := d.screener.index(active); err == nil {
		d.log.Info("screening ready", "took", time.Since(start).String())
	}
	var n int
	d.Read(func(e *engine.Engine) { n = len(e.Tokens()) })
	if n > 0 {
		return "", nil
	}
	t, r, err := d.IssueToken(ctx, "", "bootstrap operator")
	if err != nil {
		return "", err
	}
	if r.Reason != engine.OK {
		return "", fmt.Errorf("daemon: bootstrap token: %s", r.Reason)
	}
	path := filepath.Join(d.dir, OperatorTokenFile)
	if err := os.WriteFile(path, []byte(t.String()+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("daemon: write %s: %w", path, err)
	}
	return path, nil
}

// VerifyReport is what Verify checked.
type VerifyReport struct {
	node.Report
	Currencies   []CurrencyTotal
	Participants int
	Accounts     int
	Payments     uint64 // payment ids issued
}

// CurrencyTotal is a currency's conservation check: total debits and
// credits posted over all accounts, which must be equal.
type CurrencyTotal struct {
	Code     string
	Debits   string
	Credits  string
	Issued   string // the issuer's net issuance (money in circulation)
	Balanced bool
}

// ErrInvariant means the rebuilt state breaks an engine invariant.
var ErrInvariant = errors.New("invariant violated")

// Verify rebuilds the state of the data directory read-only: it checks every
// log record and snapshot checksum, replays the log into a fresh engine, and
// checks conservation per currency and every engine invariant.
func Verify(dir string) (VerifyReport, error) {
	e := engine.New()
	rep := VerifyReport{}
	nr, err := node.Inspect(dir, nil, e)
	rep.Report = nr
	if err != nil {
		return rep, err
	}
	for _, c := range e.Currencies() {
		deb, cred := e.Totals(c.Code)
		// The issuer's balance is the negative of the money it has put in.
		iss := e.AccountAt(c.IssuerAccount)
		_, issued := iss.Balance()
		rep.Currencies = append(rep.Currencies, CurrencyTotal{
			Code:     c.Code,
			Debits:   money.FormatSigned(false, deb, c.Exponent),
			Credits:  money.FormatSigned(false, cred, c.Exponent),
			Issued:   money.FormatSigned(false, issued, c.Exponent),
			Balanced: deb == cred,
		})
	}
	rep.Participants = len(e.Participants())
	rep.Accounts = e.AccountCount()
	rep.Payments = e.NextPaymentID() - 1
	if err := e.CheckInvariants(); err != nil {
		return rep, fmt.Errorf("%w: %v", ErrInvariant, err)
	}
	return rep, nil
}
