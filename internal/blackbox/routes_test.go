package blackbox

import (
	"bufio"
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/httpapi"
)

// TestEveryRoute sets up a union through the API and exercises every route
// of the OpenAPI document, checking the answers; at the end the node's own
// request metrics must show every documented operation was called.
func TestEveryRoute(t *testing.T) {
	n := startNode(t, t.TempDir())
	for _, path := range []string{"/healthz", "/readyz", "/metrics", "/v1/openapi.json"} {
		n.call("GET", path, "", nil, 200, nil)
	}
	var me httpapi.Me
	n.call("GET", "/v1/me", n.op, nil, 200, &me)
	if me.Role != "operator" {
		t.Errorf("GET /v1/me with the bootstrap token: role %q; want operator", me.Role)
	}
	u := setupUnion(n, 3, "1000000.00")
	a, b, c := u.Banks[0], u.Banks[1], u.Banks[2]

	var cl httpapi.CurrencyList
	n.call("GET", "/v1/currencies", a.Token, nil, 200, &cl)
	if len(cl.Currencies) != 2 || cl.Currencies[0].Code != "CNY" || cl.Currencies[0].Issuer != "PBOCCNBJXXX" || cl.Currencies[1].Exponent != 2 {
		t.Errorf("GET /v1/currencies = %+v", cl)
	}
	var pl httpapi.ParticipantList
	n.call("GET", "/v1/participants", n.op, nil, 200, &pl)
	if len(pl.Participants) != 5 {
		t.Errorf("GET /v1/participants: %d participants; want 5", len(pl.Participants))
	}
	var part httpapi.Participant
	n.call("GET", "/v1/participants/"+a.ID, a.Token, nil, 200, &part)
	if part.ID != a.ID || part.Status != "active" || !slices.Equal(part.Roles, []string{"settlement"}) {
		t.Errorf("GET /v1/participants/%s = %+v", a.ID, part)
	}
	var acct httpapi.Account
	n.call("PUT", "/v1/participants/"+a.ID+"/accounts/CNY/limits", n.op, httpapi.LimitsRequest{Floor: httpapi.DecimalOf("-500.00"), Ceiling: httpapi.DecimalOf("5000000")}, 200, &acct)
	if acct.Floor != "-500.00" || acct.Ceiling != "5000000.00" || acct.Available != "1000000.00" {
		t.Errorf("PUT limits = %+v", acct)
	}

	// Payments: single, replayed, batch, by id and UETR.
	p1 := n.pay(a, b.ID, "CNY", "250000.25", "p1")
	if p1.Status != "settled" || p1.Payer != a.ID || p1.Payee != b.ID || p1.Amount != "250000.25" || p1.IdempotencyKey != "p1" || p1.UETR == "" {
		t.Errorf("POST /v1/payments = %+v", p1)
	}
	var again httpapi.Payment
	r := n.call("POST", "/v1/payments", a.Token, httpapi.PaymentRequest{Payee: b.ID, Currency: "CNY", Amount: httpapi.DecimalOf("250000.25"), Remittance: "test p1"}, 200, &again, "Idempotency-Key", "p1")
	if again.ID != p1.ID || r.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("replayed POST /v1/payments = %+v (Idempotent-Replayed %q); want payment %d again", again, r.header.Get("Idempotent-Replayed"), p1.ID)
	}
	const uetr = "8a562c67-ca16-48ba-b074-65581be6f001"
	var p2 httpapi.Payment
	n.call("POST", "/v1/payments", b.Token, httpapi.PaymentRequest{Payee: c.ID, Currency: "INR", Amount: httpapi.DecimalOf("99.99"), UETR: uetr, Priority: "urgent",
		DebtorName: "Pune Precision Castings Pvt. Ltd.", CreditorName: "Gujarat Agro Commodities Ltd.", EndToEndID: "INV-1"}, 201, &p2, "Idempotency-Key", "p2")
	var batch httpapi.PaymentBatchResult
	n.call("POST", "/v1/payments/batch", c.Token, httpapi.PaymentBatchRequest{Payments: []httpapi.PaymentRequest{
		{Payee: a.ID, Currency: "CNY", Amount: httpapi.DecimalOf("10.00")},
		{Payee: a.ID, Currency: "CNY", Amount: httpapi.DecimalOf("10.001")},
		{Payee: b.ID, Currency: "INR", Amount: httpapi.DecimalOf("5000000.00")},
	}}, 200, &batch, "Idempotency-Key", "b1")
	if batch.Accepted != 1 || batch.Rejected != 2 || batch.Results[0].Payment == nil || batch.Results[0].Payment.IdempotencyKey != "b1:0" ||
		batch.Results[1].Problem.Code != "amount_precision" || batch.Results[2].Problem.Code != "insufficient_liquidity" {
		t.Errorf("POST /v1/payments/batch = %s", mustJSON(batch))
	}
	var got httpapi.Payment
	n.call("GET", "/v1/payments/"+uetr, c.Token, nil, 200, &got)
	if diff := cmp.Diff(p2, got, cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "IdempotencyKey" }, cmp.Ignore())); diff != "" {
		t.Errorf("GET /v1/payments/{uetr} as the payee differs from the payer's answer (-want +got):\n%s", diff)
	}
	if got.IdempotencyKey != "" {
		t.Errorf("the payee sees the payer's idempotency key %q", got.IdempotencyKey)
	}
	n.call("GET", "/v1/payments/"+itoa(p1.ID), a.Token, nil, 200, &got)
	if got.ID != p1.ID || got.Status != "settled" {
		t.Errorf("GET /v1/payments/%d = %+v", p1.ID, got)
	}

	// Balances and statements agree with the payments.
	var bal httpapi.AccountList
	n.call("GET", "/v1/balances", a.Token, nil, 200, &bal)
	wantA := map[string]string{"CNY": "750009.75", "INR": "1000000.00"}
	for _, acc := range bal.Accounts {
		if acc.Participant != a.ID || acc.Balance != wantA[acc.Currency] {
			t.Errorf("GET /v1/balances as %s: %+v; want balance %s", a.ID, acc, wantA[acc.Currency])
		}
	}
	if len(bal.Accounts) != 2 {
		t.Errorf("GET /v1/balances: %d accounts; want 2", len(bal.Accounts))
	}
	var st httpapi.Statement
	n.call("GET", "/v1/accounts/CNY/statement", a.Token, nil, 200, &st)
	if st.OpeningBalance != "0.00" || st.ClosingBalance != "750009.75" || len(st.Entries) != 3 ||
		st.Entries[1].Direction != "debit" || st.Entries[1].Counterparty != b.ID || st.Entries[2].Amount != "10.00" {
		t.Errorf("GET /v1/accounts/CNY/statement = %s", mustJSON(st))
	}
	var st2 httpapi.Statement
	n.call("GET", "/v1/participants/"+a.ID+"/accounts/CNY/statement?from="+st.Entries[1].BookedAt, n.op, nil, 200, &st2)
	if st2.OpeningBalance != "1000000.00" || len(st2.Entries) != 2 {
		t.Errorf("GET statement from the second entry = %s", mustJSON(st2))
	}
	n.call("GET", "/v1/participants/"+a.ID+"/accounts/CNY", a.Token, nil, 200, &acct)
	if acct.Balance != "750009.75" {
		t.Errorf("GET account = %+v", acct)
	}
	n.call("GET", "/v1/participants/"+a.ID+"/accounts", n.op, nil, 200, &bal)
	if len(bal.Accounts) != 2 {
		t.Errorf("GET accounts: %+v", bal)
	}

	// Listing pages through everything once, in order.
	var ids []uint64
	cursor := ""
	for pages := 0; ; pages++ {
		var page httpapi.PaymentPage
		n.call("GET", "/v1/payments?limit=2&cursor="+cursor, a.Token, nil, 200, &page)
		for _, p := range page.Payments {
			ids = append(ids, p.ID)
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
	}
	if len(ids) != 4 || !slices.IsSorted(ids) {
		t.Errorf("paged payment ids of %s = %v; want its 2 fundings, p1 and the batch payment, in order", a.ID, ids)
	}
	var filtered httpapi.PaymentPage
	n.call("GET", "/v1/payments?counterparty="+b.ID+"&currency=CNY&status=settled", a.Token, nil, 200, &filtered)
	if len(filtered.Payments) != 1 || filtered.Payments[0].ID != p1.ID {
		t.Errorf("filtered listing = %s; want p1 only", mustJSON(filtered))
	}
	n.call("GET", "/v1/payments?participant="+a.ID+"&to=2000-01-01", n.op, nil, 200, &filtered)
	if len(filtered.Payments) != 0 {
		t.Errorf("listing before 2000 = %s; want none", mustJSON(filtered))
	}

	// Defunding, suspension, reinstatement.
	var def httpapi.Payment
	n.call("POST", "/v1/defundings", a.Token, httpapi.FundingRequest{Currency: "INR", Amount: httpapi.DecimalOf("1000.00")}, 201, &def, "Idempotency-Key", "d1")
	if def.Kind != "defund" || def.Payer != a.ID || def.Payee != "RBISINBBXXX" {
		t.Errorf("POST /v1/defundings = %+v", def)
	}
	n.call("POST", "/v1/participants/"+b.ID+"/suspend", n.op, nil, 200, &part)
	if part.Status != "suspended" {
		t.Errorf("suspend: %+v", part)
	}
	if r := n.do("POST", "/v1/payments", a.Token, httpapi.PaymentRequest{Payee: b.ID, Currency: "CNY", Amount: httpapi.DecimalOf("1")}, "Idempotency-Key", "p3"); r.status != 422 || r.problem().Code != "payee_suspended" {
		t.Errorf("paying a suspended participant = %d %s; want 422 payee_suspended", r.status, r.body)
	}
	n.call("POST", "/v1/participants/"+b.ID+"/reinstate", n.op, nil, 200, &part)
	n.pay(a, b.ID, "CNY", "1", "p3")

	// Compliance: an operator's own list, activated; payments naming a
	// listed party are held, then released or rejected by review.
	csv := "reference,type,name,aliases,country,date_of_birth,regime\nOPS-1,entity,Romashka Trading LLC,,RU,,operator watch list\n"
	var list struct{ ID string }
	n.call("POST", "/v1/screening/lists?source=ops", n.op, csv, 201, &list, "Content-Type", "text/csv")
	var cfg struct {
		Active []string
	}
	n.call("GET", "/v1/screening", n.op, nil, 200, &cfg)
	n.call("PUT", "/v1/screening", n.op, map[string]any{"lists": append(cfg.Active, list.ID), "four_eyes": false}, 200, nil)
	var check struct {
		Matches []struct{ Hit bool }
	}
	n.call("POST", "/v1/screening/check", n.op, map[string]string{"name": "Romashka Trading LLC"}, 200, &check)
	if len(check.Matches) == 0 || !check.Matches[0].Hit {
		t.Errorf("POST /v1/screening/check of a listed name = %+v; want a hit", check)
	}
	var held [2]httpapi.Payment
	for i := range held {
		n.call("POST", "/v1/payments", a.Token, httpapi.PaymentRequest{Payee: b.ID, Currency: "CNY", Amount: httpapi.DecimalOf("5.00"), CreditorName: "Romashka Trading LLC"}, 201, &held[i],
			"Idempotency-Key", "held-"+itoa(uint64(i)))
		if held[i].Status != "held" {
			t.Errorf("a payment to a listed party: status %q; want held", held[i].Status)
		}
	}
	var queue struct {
		Held []struct{ Payment httpapi.Payment }
	}
	n.call("GET", "/v1/screening/held", n.op, nil, 200, &queue)
	if len(queue.Held) != 2 {
		t.Errorf("GET /v1/screening/held: %d payments; want 2", len(queue.Held))
	}
	var review struct{ Payment httpapi.Payment }
	n.call("POST", "/v1/screening/held/"+itoa(held[0].ID)+"/release", n.op, httpapi.ReviewRequest{Reason: "false positive: another company"}, 200, &review)
	if review.Payment.Status != "settled" {
		t.Errorf("release: %+v; want settled", review.Payment)
	}
	n.call("POST", "/v1/screening/held/"+itoa(held[1].ID)+"/reject", n.op, httpapi.ReviewRequest{Reason: "confirmed match"}, 200, &review)
	if review.Payment.Status != "rejected" {
		t.Errorf("reject: %+v; want rejected", review.Payment)
	}

	// ISO 20022: a pacs.008 in, its pacs.002 back; status polling and
	// account reports out.
	const isoUETR = "5d53b33c-552e-4466-b5b3-41958c73900f"
	pacs008 := `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">
  <FIToFICstmrCdtTrf>
    <GrpHdr><MsgId>ICBC-BB-1</MsgId><CreDtTm>2026-03-11T09:30:12Z</CreDtTm><NbOfTxs>1</NbOfTxs><SttlmInf><SttlmMtd>CLRG</SttlmMtd></SttlmInf></GrpHdr>
    <CdtTrfTxInf>
      <PmtId><EndToEndId>E2E-BB-1</EndToEndId><UETR>` + isoUETR + `</UETR></PmtId>
      <IntrBkSttlmAmt Ccy="CNY">1500.00</IntrBkSttlmAmt>
      <ChrgBr>SHAR</ChrgBr>
      <InstgAgt><FinInstnId><BICFI>` + a.ID + `</BICFI></FinInstnId></InstgAgt>
      <InstdAgt><FinInstnId><BICFI>` + b.ID + `</BICFI></FinInstnId></InstdAgt>
      <Dbtr><Nm>Shenzhen Huaxin Electronics Co., Ltd.</Nm></Dbtr>
      <DbtrAgt><FinInstnId><BICFI>` + a.ID + `</BICFI></FinInstnId></DbtrAgt>
      <CdtrAgt><FinInstnId><BICFI>` + b.ID + `</BICFI></FinInstnId></CdtrAgt>
      <Cdtr><Nm>Pune Precision Castings Pvt. Ltd.</Nm></Cdtr>
      <RmtInf><Ustrd>INV 2026-0311</Ustrd></RmtInf>
    </CdtTrfTxInf>
  </FIToFICstmrCdtTrf>
</Document>
`
	r = n.call("POST", "/v1/iso20022", a.Token, pacs008, 200, nil, "Content-Type", httpapi.ISOContentType)
	if !bytes.Contains(r.body, []byte("<TxSts>ACSC</TxSts>")) {
		t.Errorf("POST /v1/iso20022 pacs.008: want a pacs.002 with ACSC:\n%s", r.body)
	}
	if r = n.call("GET", "/v1/iso20022/pacs.002?uetr="+isoUETR, a.Token, nil, 200, nil); !bytes.Contains(r.body, []byte("ACSC")) {
		t.Errorf("GET /v1/iso20022/pacs.002: want ACSC:\n%s", r.body)
	}
	if r = n.do("GET", "/v1/iso20022/pacs.004", a.Token, nil); r.status != 204 {
		t.Errorf("GET /v1/iso20022/pacs.004 without returns = %d %s; want 204", r.status, r.body)
	}
	var isoPay httpapi.Payment
	n.call("GET", "/v1/payments/"+isoUETR, b.Token, nil, 200, &isoPay)
	booked, err := time.Parse(time.RFC3339Nano, isoPay.CreatedAt)
	if err != nil {
		t.Fatal(err)
	}
	today := booked.Format(time.DateOnly)
	for _, path := range []string{"/v1/iso20022/camt.053?account=CNY&date=" + today, "/v1/iso20022/camt.052?account=CNY", "/v1/iso20022/camt.054?account=CNY&since=0"} {
		if r = n.call("GET", path, b.Token, nil, 200, nil); !bytes.Contains(r.body, []byte("E2E-BB-1")) {
			t.Errorf("GET %s: want the pacs.008's entry:\n%s", path, r.body)
		}
	}

	// Tokens: list, revoke; the revoked token fails at once.
	var tl httpapi.TokenList
	n.call("GET", "/v1/tokens?participant="+c.ID, n.op, nil, 200, &tl)
	if len(tl.Tokens) != 1 || tl.Tokens[0].Token != "" || tl.Tokens[0].Participant != c.ID {
		t.Errorf("GET /v1/tokens = %+v; want c's one token, without its secret", tl)
	}
	var revoked httpapi.Token
	n.call("DELETE", "/v1/tokens/"+tl.Tokens[0].ID, n.op, nil, 200, &revoked)
	if !revoked.Revoked {
		t.Errorf("DELETE /v1/tokens: %+v", revoked)
	}
	if r := n.do("GET", "/v1/balances", c.Token, nil); r.status != 401 {
		t.Errorf("a revoked token: %d %s; want 401", r.status, r.body)
	}
	// The union's only operator token cannot revoke itself: nobody could
	// administer the union after it.
	opID := strings.Split(n.op, "_")[1] // mutua_<id>_<secret>
	if r := n.do("DELETE", "/v1/tokens/"+opID, n.op, nil); r.status != 409 || !bytes.Contains(r.body, []byte(`"last_operator_token"`)) {
		t.Errorf("revoking the last operator token = %d %s; want 409 last_operator_token", r.status, r.body)
	}

	// The binary batch route takes engine commands from operators.
	cmd := engine.Command{Kind: engine.KindFund, Participant: a.ID, Currency: "INR", Amount: 100, Key: "bin-1"}
	r = n.call("POST", "/v1/commands", n.op, httpapi.EncodeBatch([][]byte{cmd.Encode()}), 200, nil, "Content-Type", httpapi.BatchContentType)
	res, err := httpapi.DecodeResults(r.body)
	if err != nil || len(res) != 1 || res[0].Reason != engine.OK {
		t.Errorf("POST /v1/commands = %+v, %v", res, err)
	}

	var stat httpapi.Status
	n.call("GET", "/v1/status?digest=true", n.op, nil, 200, &stat)
	if !stat.Leader || stat.Participants != 5 || len(stat.Digest) != 64 {
		t.Errorf("GET /v1/status = %+v", stat)
	}

	// Every documented operation was called (the node's metrics say so).
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	n.call("GET", "/v1/openapi.json", "", nil, 200, &doc)
	called := routesCalled(n)
	for path, ops := range doc.Paths {
		for method := range ops {
			op := strings.ToUpper(method) + " " + path
			if op == "GET /metrics" {
				continue // counted only after it answers
			}
			if !called[op] {
				t.Errorf("%s was documented but never called", op)
			}
		}
	}
}

var routeLabel = regexp.MustCompile(`^mutua_http_requests_total\{code="\d+",route="([^"]+)"\}`)

// routesCalled reads the node's request counters by route.
func routesCalled(n *node) map[string]bool {
	r := n.call("GET", "/metrics", "", nil, 200, nil)
	out := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(r.body))
	for sc.Scan() {
		if m := routeLabel.FindStringSubmatch(sc.Text()); m != nil {
			out[m[1]] = true
		}
	}
	return out
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func itoa(v uint64) string {
	b, _ := json.Marshal(v)
	return string(b)
}
