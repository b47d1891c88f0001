package blackbox

import (
	"strings"
	"testing"

	"github.com/mutua-org/mutua/internal/httpapi"
)

// TestBadInput sends bad input of every kind: each gets its own problem code
// and changes nothing. Requests refused at the edge never reach the log, so
// the state digest and applied index stay put; those the engine refuses
// leave every balance, payment count and participant as they were.
func TestBadInput(t *testing.T) {
	n := startNode(t, t.TempDir())
	u := setupUnion(n, 3, "1000.00")
	a, b := u.Banks[0], u.Banks[1]
	// A participant without an INR account.
	n.call("POST", "/v1/participants", n.op, httpapi.ParticipantRequest{ID: "NOINCNBJXXX", Name: "CNY only bank", Country: "CN"}, 201, nil)
	n.call("POST", "/v1/participants/NOINCNBJXXX/accounts", n.op, httpapi.AccountRequest{Currency: "CNY"}, 201, nil)
	first := n.pay(a, b.ID, "CNY", "1.00", "used-key")

	good := `{"payee":"` + b.ID + `","currency":"CNY","amount":"1.00"}`
	big := `{"payee":"` + b.ID + `","currency":"CNY","amount":"1.00","remittance":"` + strings.Repeat("x", httpapi.BodyBytesMax) + `"}`
	var batch1001 strings.Builder
	batch1001.WriteString(`{"payments":[`)
	for i := 0; i < httpapi.PaymentBatchMax+1; i++ {
		if i > 0 {
			batch1001.WriteByte(',')
		}
		batch1001.WriteString(good)
	}
	batch1001.WriteString(`]}`)
	const (
		edge     = false // refused before proposing: the log does not move
		proposed = true  // refused by the engine
	)
	tests := []struct {
		name         string
		method, path string
		token        string // "a", "op", "" or a literal
		body         string
		key          string // Idempotency-Key; "-" for none
		status       int
		code         string
		logged       bool
	}{
		{"malformed JSON", "POST", "/v1/payments", "a", `{"payee":`, "k1", 400, "malformed_json", edge},
		{"not JSON", "POST", "/v1/payments", "a", `payee=SBININBBXXX&amount=1`, "k1", 400, "malformed_json", edge},
		{"empty body", "POST", "/v1/payments", "a", ``, "k1", 400, "malformed_json", edge},
		{"JSON array", "POST", "/v1/payments", "a", `[]`, "k1", 400, "malformed_json", edge},
		{"trailing data", "POST", "/v1/payments", "a", good + `{}`, "k1", 400, "malformed_json", edge},
		{"unknown field", "POST", "/v1/payments", "a", `{"payee":"` + b.ID + `","currency":"CNY","amount":"1.00","fee":"0.10"}`, "k1", 400, "unknown_field", edge},
		{"payer field", "POST", "/v1/payments", "a", `{"payer":"` + b.ID + `","payee":"` + a.ID + `","currency":"CNY","amount":"1.00"}`, "k1", 400, "unknown_field", edge},
		{"wrong type", "POST", "/v1/payments", "a", `{"payee":["` + b.ID + `"],"currency":"CNY","amount":"1.00"}`, "k1", 400, "field_type", edge},
		{"amount as number", "POST", "/v1/payments", "a", `{"payee":"` + b.ID + `","currency":"CNY","amount":1.00}`, "k1", 400, "amount_not_string", edge},
		{"amount as integer", "POST", "/v1/payments", "a", `{"payee":"` + b.ID + `","currency":"CNY","amount":100}`, "k1", 400, "amount_not_string", edge},
		{"amount with exponent", "POST", "/v1/payments", "a", `{"payee":"` + b.ID + `","currency":"CNY","amount":"1e3"}`, "k1", 400, "amount_syntax", edge},
		{"amount with grouping", "POST", "/v1/payments", "a", `{"payee":"` + b.ID + `","currency":"CNY","amount":"1,000.00"}`, "k1", 400, "amount_syntax", edge},
		{"amount missing", "POST", "/v1/payments", "a", `{"payee":"` + b.ID + `","currency":"CNY"}`, "k1", 400, "field_missing", edge},
		{"negative amount", "POST", "/v1/payments", "a", `{"payee":"` + b.ID + `","currency":"CNY","amount":"-5.00"}`, "k1", 422, "amount_negative", edge},
		{"zero amount", "POST", "/v1/payments", "a", `{"payee":"` + b.ID + `","currency":"CNY","amount":"0.00"}`, "k1", 422, "amount_zero", edge},
		{"too many decimals", "POST", "/v1/payments", "a", `{"payee":"` + b.ID + `","currency":"CNY","amount":"1.001"}`, "k1", 422, "amount_precision", edge},
		{"amount too large", "POST", "/v1/payments", "a", `{"payee":"` + b.ID + `","currency":"CNY","amount":"92233720368547758.08"}`, "k1", 422, "amount_overflow", edge},
		{"unknown currency", "POST", "/v1/payments", "a", `{"payee":"` + b.ID + `","currency":"XYZ","amount":"1.00"}`, "k1", 422, "currency_unknown", edge},
		{"payee missing", "POST", "/v1/payments", "a", `{"currency":"CNY","amount":"1.00"}`, "k1", 400, "field_missing", edge},
		{"bad UETR", "POST", "/v1/payments", "a", `{"payee":"` + b.ID + `","currency":"CNY","amount":"1.00","uetr":"not-a-uuid"}`, "k1", 422, "uetr_invalid", edge},
		{"UETR not version 4", "POST", "/v1/payments", "a", `{"payee":"` + b.ID + `","currency":"CNY","amount":"1.00","uetr":"8a562c67-ca16-18ba-b074-65581be6f001"}`, "k1", 422, "uetr_invalid", edge},
		{"bad priority", "POST", "/v1/payments", "a", `{"payee":"` + b.ID + `","currency":"CNY","amount":"1.00","priority":"asap"}`, "k1", 422, "priority_invalid", edge},
		{"oversize body", "POST", "/v1/payments", "a", big, "k1", 413, "body_too_large", edge},
		{"no Idempotency-Key", "POST", "/v1/payments", "a", good, "-", 400, "idempotency_key_missing", edge},
		{"Idempotency-Key too long", "POST", "/v1/payments", "a", good, strings.Repeat("k", 65), 422, "key_invalid", edge},
		{"missing token", "POST", "/v1/payments", "", good, "k1", 401, "unauthenticated", edge},
		{"malformed token", "POST", "/v1/payments", "Bearer-ish", good, "k1", 401, "unauthenticated", edge},
		{"wrong secret", "POST", "/v1/payments", "mutua_0123456789abcdef_0123456789abcdef0123456789abcdef", good, "k1", 401, "unauthenticated", edge},
		{"operator paying", "POST", "/v1/payments", "op", good, "k1", 403, "forbidden", edge},
		{"participant on operator route", "POST", "/v1/fundings", "a", `{"participant":"` + a.ID + `","currency":"CNY","amount":"1000000.00"}`, "k1", 403, "forbidden", edge},
		{"empty batch", "POST", "/v1/payments/batch", "a", `{"payments":[]}`, "k1", 400, "batch_empty", edge},
		{"batch too large", "POST", "/v1/payments/batch", "a", batch1001.String(), "k1", 413, "batch_too_large", edge},
		{"batch key too long", "POST", "/v1/payments/batch", "a", `{"payments":[` + good + `]}`, strings.Repeat("k", 61), 422, "key_invalid", edge},
		{"unknown route", "GET", "/v1/nothing", "a", "", "-", 404, "route_unknown", edge},
		{"wrong method", "PATCH", "/v1/payments", "a", "", "-", 405, "method_not_allowed", edge},
		{"bad status filter", "GET", "/v1/payments?status=paid", "a", "", "-", 400, "parameter_invalid", edge},
		{"unknown parameter", "GET", "/v1/payments?sort=amount", "a", "", "-", 400, "parameter_invalid", edge},
		{"bad limit", "GET", "/v1/payments?limit=0", "a", "", "-", 400, "parameter_invalid", edge},
		{"bad cursor", "GET", "/v1/payments?cursor=abc", "a", "", "-", 400, "parameter_invalid", edge},
		{"bad statement time", "GET", "/v1/accounts/CNY/statement?from=yesterday", "a", "", "-", 400, "parameter_invalid", edge},
		{"unknown account", "GET", "/v1/accounts/USD/statement", "a", "", "-", 404, "account_unknown", edge},
		{"unknown payment", "GET", "/v1/payments/424242", "a", "", "-", 404, "payment_unknown", edge},
		{"funding unknown currency", "POST", "/v1/fundings", "op", `{"participant":"` + a.ID + `","currency":"ABC","amount":"1.00"}`, "k1", 422, "currency_unknown", edge},
		{"funding zero", "POST", "/v1/fundings", "op", `{"participant":"` + a.ID + `","currency":"CNY","amount":"0"}`, "k1", 422, "amount_zero", edge},
		{"account with bad floor", "POST", "/v1/participants/" + a.ID + "/accounts", "op", `{"currency":"CNY","floor":-100}`, "-", 400, "amount_not_string", edge},
		{"participant without id", "POST", "/v1/participants", "op", `{"name":"X","country":"CN"}`, "-", 400, "field_missing", edge},
		{"participant with unknown role", "POST", "/v1/participants", "op", `{"id":"ABCDCNBJ","name":"X","country":"CN","roles":["king"]}`, "-", 400, "field_invalid", edge},
		{"token without name", "POST", "/v1/tokens", "op", `{"participant":"` + a.ID + `"}`, "-", 400, "field_missing", edge},

		// Refused by the engine: the log moves, the state does not.
		{"insufficient liquidity", "POST", "/v1/payments", "a", `{"payee":"` + b.ID + `","currency":"CNY","amount":"1000000.00"}`, "k2", 422, "insufficient_liquidity", proposed},
		{"unknown payee", "POST", "/v1/payments", "a", `{"payee":"ZZZZZZ99XXX","currency":"CNY","amount":"1.00"}`, "k3", 422, "payee_unknown", proposed},
		{"currency not enabled", "POST", "/v1/payments", "a", `{"payee":"` + b.ID + `","currency":"USD","amount":"1.00"}`, "k4", 422, "currency_not_enabled", proposed},
		{"payee without the account", "POST", "/v1/payments", "a", `{"payee":"NOINCNBJXXX","currency":"INR","amount":"1.00"}`, "k5", 422, "payee_account_unknown", proposed},
		{"paying oneself", "POST", "/v1/payments", "a", `{"payee":"` + a.ID + `","currency":"CNY","amount":"1.00"}`, "k6", 422, "same_participant", proposed},
		{"remittance too long", "POST", "/v1/payments", "a", `{"payee":"` + b.ID + `","currency":"CNY","amount":"1.00","remittance":"` + strings.Repeat("r", 141) + `"}`, "k7", 422, "text_invalid", proposed},
		{"control character", "POST", "/v1/payments", "a", `{"payee":"` + b.ID + `","currency":"CNY","amount":"1.00","remittance":"a\u0007b"}`, "k8", 422, "text_invalid", proposed},
		{"key reused for another payment", "POST", "/v1/payments", "a", `{"payee":"` + b.ID + `","currency":"CNY","amount":"2.00"}`, "used-key", 409, "idempotency_conflict", proposed},
		{"UETR of another payment", "POST", "/v1/payments", "a", `{"payee":"` + b.ID + `","currency":"CNY","amount":"1.00","uetr":"` + first.UETR + `"}`, "k9", 409, "uetr_duplicate", proposed},
		{"bad BIC", "POST", "/v1/participants", "op", `{"id":"ab12","name":"X","country":"CN"}`, "-", 422, "id_invalid", proposed},
		{"bad LEI check digits", "POST", "/v1/participants", "op", `{"id":"ABCDCNBJ","name":"X","country":"CN","lei":"5493001KJTIIGC8Y1R13"}`, "-", 422, "lei_invalid", proposed},
		{"participant exists", "POST", "/v1/participants", "op", `{"id":"` + a.ID + `","name":"X","country":"CN"}`, "-", 409, "participant_exists", proposed},
		{"account exists", "POST", "/v1/participants/" + a.ID + "/accounts", "op", `{"currency":"CNY"}`, "-", 409, "account_exists", proposed},
		{"account for nobody", "POST", "/v1/participants/ZZZZZZ99XXX/accounts", "op", `{"currency":"CNY"}`, "-", 404, "participant_unknown", proposed},
		{"floor above balance", "PUT", "/v1/participants/" + a.ID + "/accounts/CNY/limits", "op", `{"floor":"5000.00"}`, "-", 422, "limits_invalid", proposed},
		{"currency enabled twice", "POST", "/v1/currencies", "op", `{"code":"CNY","issuer":"PBOCCNBJXXX"}`, "-", 409, "currency_enabled", proposed},
		{"revoke unknown token", "DELETE", "/v1/tokens/nosuchtoken", "op", "", "-", 404, "token_unknown", proposed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			token := map[string]string{"a": a.Token, "op": n.op}[tt.token]
			if token == "" && tt.token != "" {
				token = tt.token
			}
			var hdr []string
			if tt.key != "-" {
				hdr = []string{"Idempotency-Key", tt.key}
			}
			var body any
			if tt.body != "" {
				body = tt.body
			}
			st0, bal0 := n.status(), n.balances()
			r := n.do(tt.method, tt.path, token, body, hdr...)
			if p := r.problem(); r.status != tt.status || p.Code != tt.code || p.Status != tt.status {
				t.Errorf("%s %s = %d %s; want %d %s", tt.method, tt.path, r.status, r.body, tt.status, tt.code)
			}
			if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type = %q; want application/problem+json", ct)
			}
			st1, bal1 := n.status(), n.balances()
			if !tt.logged && (st1.Applied != st0.Applied || st1.Digest != st0.Digest) {
				t.Errorf("refused at the edge, yet the log moved: applied %d → %d, digest %.8s → %.8s", st0.Applied, st1.Applied, st0.Digest, st1.Digest)
			}
			if st1.Payments != st0.Payments || st1.Participants != st0.Participants || st1.Accounts != st0.Accounts || !mapsEqual(bal0, bal1) {
				t.Errorf("state changed: payments %d → %d, participants %d → %d, accounts %d → %d, balances equal %v",
					st0.Payments, st1.Payments, st0.Participants, st1.Participants, st0.Accounts, st1.Accounts, mapsEqual(bal0, bal1))
			}
		})
	}
}
