package blackbox

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/mutua-org/mutua/internal/httpapi"
)

// TestAccessControl has five participants try every endpoint against every
// other participant's objects, and against guessed and sequential ids: every
// attempt is denied with the very answer a nonexistent object gets, lists
// show only the caller's objects, operator routes refuse participant tokens,
// and a revoked token fails at once.
func TestAccessControl(t *testing.T) {
	n := startNode(t, t.TempDir())
	u := setupUnion(n, 6, "1000000.00")
	banks, sink := u.Banks[:5], u.Banks[5]

	// Each bank pays the sink twice and its neighbour once, in both currencies.
	type owned struct {
		id   uint64
		uetr string
	}
	parties := map[uint64][]string{} // payment id → participants who may see it
	var all []owned
	for i, b := range banks {
		for k, to := range []string{sink.ID, sink.ID, banks[(i+1)%len(banks)].ID} {
			p := n.pay(b, to, []string{"CNY", "INR"}[k%2], fmt.Sprintf("%d.%02d", 100+i, k), fmt.Sprintf("ac-%d-%d", i, k))
			parties[p.ID] = []string{b.ID, to}
			all = append(all, owned{p.ID, p.UETR})
		}
	}
	var st httpapi.Status
	n.call("GET", "/v1/status", n.op, nil, 200, &st)
	for id := uint64(1); id <= st.Payments; id++ {
		if parties[id] == nil { // fundings: issuer and the funded bank
			var p httpapi.Payment
			n.call("GET", "/v1/payments/"+itoa(id), n.op, nil, 200, &p)
			parties[id] = []string{p.Payer, p.Payee}
		}
	}

	const nobody = "ZZZZZZ99XXX"
	unknownParticipant := n.do("GET", "/v1/participants/"+nobody, banks[0].Token, nil)
	unknownPayment := n.do("GET", "/v1/payments/999999", banks[0].Token, nil)
	if unknownParticipant.status != 404 || unknownPayment.status != 404 {
		t.Fatalf("unknown objects: %d %s, %d %s; want 404s", unknownParticipant.status, unknownParticipant.body, unknownPayment.status, unknownPayment.body)
	}
	before := n.balances()

	for _, x := range banks {
		// Lists hold only the caller's objects.
		var bal httpapi.AccountList
		n.call("GET", "/v1/balances", x.Token, nil, 200, &bal)
		for _, a := range bal.Accounts {
			if a.Participant != x.ID {
				t.Errorf("%s's balances list an account of %s", x.ID, a.Participant)
			}
		}
		var listed []uint64
		for cursor := ""; ; {
			var page httpapi.PaymentPage
			n.call("GET", "/v1/payments?limit=7&cursor="+cursor, x.Token, nil, 200, &page)
			for _, p := range page.Payments {
				listed = append(listed, p.ID)
			}
			if cursor = page.NextCursor; cursor == "" {
				break
			}
		}
		var want []uint64
		for id := uint64(1); id <= st.Payments; id++ {
			if slices.Contains(parties[id], x.ID) {
				want = append(want, id)
			}
		}
		if !slices.Equal(listed, want) {
			t.Errorf("%s lists payments %v; want exactly its own %v", x.ID, listed, want)
		}

		// Guessed and sequential payment ids: own ones answer, others are
		// indistinguishable from ids that do not exist.
		for id := uint64(0); id <= st.Payments+20; id++ {
			r := n.do("GET", "/v1/payments/"+itoa(id), x.Token, nil)
			if slices.Contains(parties[id], x.ID) {
				if r.status != 200 {
					t.Errorf("%s GET its payment %d = %d", x.ID, id, r.status)
				}
				continue
			}
			sameAs(t, x.ID+" GET /v1/payments/"+itoa(id), r, unknownPayment)
		}
		for _, guess := range []string{"-1", "1.0", "0x1", "18446744073709551616", "00000000-0000-4000-8000-000000000000", "%2e%2e", "batch"} {
			sameAs(t, x.ID+" GET /v1/payments/"+guess, n.do("GET", "/v1/payments/"+guess, x.Token, nil), unknownPayment)
		}

		for _, y := range append(slices.Clone(banks), sink) {
			if y.ID == x.ID {
				continue
			}
			// Y's payments that do not involve X, by id and by UETR.
			for _, p := range all {
				if slices.Contains(parties[p.id], x.ID) {
					continue
				}
				sameAs(t, x.ID+" GET payment "+itoa(p.id), n.do("GET", "/v1/payments/"+itoa(p.id), x.Token, nil), unknownPayment)
				sameAs(t, x.ID+" GET payment "+p.uetr, n.do("GET", "/v1/payments/"+p.uetr, x.Token, nil), unknownPayment)
			}
			// Y's participant record, accounts and statements.
			for _, path := range []string{"", "/accounts", "/accounts/CNY", "/accounts/INR/statement", "/accounts/XXX"} {
				sameAs(t, x.ID+" GET "+y.ID+path, n.do("GET", "/v1/participants/"+y.ID+path, x.Token, nil),
					n.do("GET", "/v1/participants/"+nobody+path, x.Token, nil))
			}
			sameAs(t, x.ID+" list "+y.ID+"'s payments", n.do("GET", "/v1/payments?participant="+y.ID, x.Token, nil),
				n.do("GET", "/v1/payments?participant="+nobody, x.Token, nil))
			// Moving Y's money: defunding names Y; a payment cannot name a payer.
			sameAs(t, x.ID+" defund "+y.ID, n.do("POST", "/v1/defundings", x.Token, httpapi.FundingRequest{Participant: y.ID, Currency: "CNY", Amount: httpapi.DecimalOf("1")}, "Idempotency-Key", "steal"),
				n.do("POST", "/v1/defundings", x.Token, httpapi.FundingRequest{Participant: nobody, Currency: "CNY", Amount: httpapi.DecimalOf("1")}, "Idempotency-Key", "steal"))
			r := n.do("POST", "/v1/payments", x.Token, `{"payer":"`+y.ID+`","payee":"`+x.ID+`","currency":"CNY","amount":"1.00"}`, "Idempotency-Key", "steal")
			if r.status != 400 || r.problem().Code != "unknown_field" {
				t.Errorf("%s paying from %s's account = %d %s; want 400 unknown_field", x.ID, y.ID, r.status, r.body)
			}
		}
	}

	// Operator routes refuse participant tokens, whatever they name.
	var doc struct {
		Paths map[string]map[string]struct {
			Access string `json:"x-mutua-access"`
		} `json:"paths"`
	}
	n.call("GET", "/v1/openapi.json", "", nil, 200, &doc)
	forbidden := n.do("GET", "/v1/participants", banks[0].Token, nil)
	if forbidden.status != 403 || forbidden.problem().Code != "forbidden" {
		t.Fatalf("GET /v1/participants as a participant = %d %s; want 403 forbidden", forbidden.status, forbidden.body)
	}
	operatorRoutes := 0
	for path, ops := range doc.Paths {
		for method, op := range ops {
			if op.Access != "operator" {
				continue
			}
			operatorRoutes++
			for _, x := range banks {
				for _, target := range []string{x.ID, sink.ID, nobody} {
					concrete := strings.NewReplacer("{id}", target, "{currency}", "CNY").Replace(path)
					r := n.do(strings.ToUpper(method), concrete, x.Token, `{"currency":"CNY","floor":"-99999999"}`, "Idempotency-Key", "k")
					sameAs(t, x.ID+" "+strings.ToUpper(method)+" "+concrete, r, forbidden)
				}
			}
		}
	}
	if operatorRoutes < 10 {
		t.Errorf("the document marks %d operator routes; want them all marked", operatorRoutes)
	}

	if after := n.balances(); !mapsEqual(before, after) {
		t.Errorf("balances changed during the attempts:\nbefore %v\nafter  %v", before, after)
	}

	// A revoked token fails at once, on every route.
	var tl httpapi.TokenList
	n.call("GET", "/v1/tokens?participant="+banks[0].ID, n.op, nil, 200, &tl)
	n.call("DELETE", "/v1/tokens/"+tl.Tokens[0].ID, n.op, nil, 200, nil)
	for _, req := range [][2]string{{"GET", "/v1/balances"}, {"GET", "/v1/me"}, {"GET", "/v1/payments"}, {"POST", "/v1/payments"}, {"GET", "/v1/currencies"}} {
		r := n.do(req[0], req[1], banks[0].Token, `{"payee":"`+sink.ID+`","currency":"CNY","amount":"1.00"}`, "Idempotency-Key", "after-revoke")
		if r.status != 401 || r.problem().Code != "unauthenticated" {
			t.Errorf("revoked token: %s %s = %d %s; want 401 unauthenticated", req[0], req[1], r.status, r.body)
		}
	}
	// The other participants are unaffected.
	n.call("GET", "/v1/balances", banks[1].Token, nil, 200, nil)
}

// sameAs checks that a denial is byte for byte the answer to a nonexistent
// object: nothing tells the caller the object exists.
func sameAs(t *testing.T, what string, got, want response) {
	t.Helper()
	if got.status != want.status || string(got.body) != string(want.body) {
		t.Errorf("%s = %d %s; want the same as for a nonexistent object: %d %s", what, got.status, got.body, want.status, want.body)
	}
	if got.status < 400 {
		t.Errorf("%s succeeded (%d %s)", what, got.status, got.body)
	}
}

func mapsEqual(a, b map[string]string) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}
