// Package blackbox tests the mutua binary from outside, the way the README
// tells people to use it: it builds the binary, starts `mutua serve` and
// talks to it over HTTP only.
package blackbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/mutua-org/mutua/internal/httpapi"
	"github.com/mutua-org/mutua/internal/serveproc"

	// The binary is built from the same packages: importing them makes the
	// test cache notice when any of them changes.
	_ "github.com/mutua-org/mutua/internal/cli"
)

// binary is the mutua binary built for the tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "mutua-blackbox-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary, err = serveproc.Build(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "blackbox:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// node is a running `mutua serve`.
type node struct {
	t    *testing.T
	srv  *serveproc.Server
	url  string
	dir  string
	op   string // the operator token from DIR/operator.token
	http *http.Client
}

// startNode runs `mutua serve --data dir` on a port of its choosing and
// waits until it answers /readyz; the test's cleanup stops it and fails the
// test if it did not exit cleanly.
func startNode(t *testing.T, dir string) *node {
	t.Helper()
	srv, err := serveproc.Start(binary, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Stop(); err != nil {
			t.Errorf("mutua serve: %v\n%s", err, srv.Logs())
		}
	})
	return &node{t: t, srv: srv, url: srv.URL, dir: dir, op: srv.Token, http: &http.Client{Timeout: time.Minute}}
}

// response is an HTTP answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) problem() httpapi.Problem {
	var p httpapi.Problem
	json.Unmarshal(r.body, &p)
	return p
}

// do sends a request: body is sent as is if it is a string or []byte, else
// as JSON; hdr are header name and value pairs.
func (n *node) do(method, path, token string, body any, hdr ...string) response {
	n.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			n.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, n.url+path, rd)
	if err != nil {
		n.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := n.http.Do(req)
	if err != nil {
		n.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		n.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// call sends a request, checks the status and decodes the answer into out.
func (n *node) call(method, path, token string, body any, want int, out any, hdr ...string) response {
	n.t.Helper()
	r := n.do(method, path, token, body, hdr...)
	if r.status != want {
		n.t.Fatalf("%s %s = %d %s; want %d", method, path, r.status, r.body, want)
	}
	if out != nil {
		if err := json.Unmarshal(r.body, out); err != nil {
			n.t.Fatalf("%s %s: decode %s: %v", method, path, r.body, err)
		}
	}
	return r
}

// member is a participant of a test union with its token.
type member struct {
	ID    string
	Token string
}

// union is what setupUnion created.
type union struct {
	Issuers []member // PBOCCNBJXXX issues CNY, RBISINBBXXX issues INR
	Banks   []member
}

var testBanks = []string{"ICBKCNBJXXX", "SBININBBXXX", "SABRRUMMXXX", "BRASBRRJXXX", "SBZAZAJJXXX", "EBILAEADXXX", "MRDNAEADXXX"}

// setupUnion creates, through the API, two currencies with their issuers and
// banks banks with accounts in both, each funded with fund (decimal text),
// and a token for each bank.
func setupUnion(n *node, banks int, fund string) union {
	n.t.Helper()
	var u union
	for _, is := range []struct{ id, name, country, cur string }{
		{"PBOCCNBJXXX", "People's Bank of China", "CN", "CNY"},
		{"RBISINBBXXX", "Reserve Bank of India", "IN", "INR"},
	} {
		n.call("POST", "/v1/participants", n.op, httpapi.ParticipantRequest{ID: is.id, Name: is.name, Country: is.country, Roles: []string{"issuer"}}, 201, nil)
		n.call("POST", "/v1/currencies", n.op, httpapi.CurrencyRequest{Code: is.cur, Issuer: is.id}, 201, nil)
		u.Issuers = append(u.Issuers, member{ID: is.id})
	}
	for _, id := range testBanks[:banks] {
		n.call("POST", "/v1/participants", n.op, httpapi.ParticipantRequest{ID: id, Name: "Bank " + id, Country: id[4:6]}, 201, nil)
		for _, cur := range []string{"CNY", "INR"} {
			n.call("POST", "/v1/participants/"+id+"/accounts", n.op, httpapi.AccountRequest{Currency: cur}, 201, nil)
			n.call("POST", "/v1/fundings", n.op, httpapi.FundingRequest{Participant: id, Currency: cur, Amount: httpapi.DecimalOf(fund)}, 201, nil,
				"Idempotency-Key", "fund-"+id+"-"+cur)
		}
		var tok httpapi.Token
		n.call("POST", "/v1/tokens", n.op, httpapi.TokenRequest{Participant: id, Name: "desk " + id}, 201, &tok)
		u.Banks = append(u.Banks, member{ID: id, Token: tok.Token})
	}
	return u
}

// pay sends a payment and returns it.
func (n *node) pay(from member, to, currency, amount, key string) httpapi.Payment {
	n.t.Helper()
	var p httpapi.Payment
	n.call("POST", "/v1/payments", from.Token, httpapi.PaymentRequest{Payee: to, Currency: currency, Amount: httpapi.DecimalOf(amount), Remittance: "test " + key}, 201, &p,
		"Idempotency-Key", key)
	return p
}

// balances returns every account's balance, by "participant currency".
func (n *node) balances() map[string]string {
	n.t.Helper()
	var ps httpapi.ParticipantList
	n.call("GET", "/v1/participants", n.op, nil, 200, &ps)
	out := map[string]string{}
	for _, p := range ps.Participants {
		var l httpapi.AccountList
		n.call("GET", "/v1/participants/"+p.ID+"/accounts", n.op, nil, 200, &l)
		for _, a := range l.Accounts {
			out[a.Participant+" "+a.Currency] = a.Balance + " / " + a.Available + " / " + a.Floor + " / " + a.Ceiling
		}
	}
	return out
}

func (n *node) status() httpapi.Status {
	n.t.Helper()
	var s httpapi.Status
	n.call("GET", "/v1/status?digest=true", n.op, nil, 200, &s)
	return s
}
