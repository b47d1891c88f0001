package httpapi

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		raw      string // the JSON token
		exponent uint8
		want     int64
		code     string // problem code, "" for success
	}{
		{`"1234.50"`, 2, 123450, ""},
		{`"1234.5"`, 2, 123450, ""},
		{`"1234"`, 2, 123400, ""},
		{`"0.01"`, 2, 1, ""},
		{`"1.500"`, 2, 150, ""}, // trailing zeros change no value
		{`"7"`, 0, 7, ""},
		{`"1.2345"`, 4, 12345, ""},
		{`"1234.505"`, 2, 0, CodeAmountPrecision},
		{`"1.5"`, 0, 0, CodeAmountPrecision},
		{`1234.50`, 2, 0, CodeAmountNotString},
		{`1234`, 2, 0, CodeAmountNotString},
		{`true`, 2, 0, CodeAmountNotString},
		{`"0"`, 2, 0, "amount_zero"},
		{`"0.00"`, 2, 0, "amount_zero"},
		{`"-5.00"`, 2, 0, "amount_negative"},
		{`"-0"`, 2, 0, "amount_zero"},
		{`"1e5"`, 2, 0, CodeAmountSyntax},
		{`"1,000.00"`, 2, 0, CodeAmountSyntax},
		{`" 1.00"`, 2, 0, CodeAmountSyntax},
		{`"+1.00"`, 2, 0, CodeAmountSyntax},
		{`".5"`, 2, 0, CodeAmountSyntax},
		{`"5."`, 2, 0, CodeAmountSyntax},
		{`""`, 2, 0, CodeAmountSyntax},
		{`"abc"`, 2, 0, CodeAmountSyntax},
		{`"\u0031.00"`, 2, 100, ""}, // an escaped digit is still decimal text
		{`"92233720368547758.08"`, 2, 0, CodeAmountOverflow},
		{`"92233720368547758.07"`, 2, 9223372036854775807, ""},
		{`"99999999999999999999999"`, 2, 0, CodeAmountOverflow},
	}
	for _, tt := range tests {
		got, p := parseAmount(Decimal{raw: []byte(tt.raw)}, "amount", tt.exponent)
		code := ""
		if p != nil {
			code = p.Code
		}
		if got != tt.want || code != tt.code {
			t.Errorf("parseAmount(%s, %d) = %d, %q; want %d, %q", tt.raw, tt.exponent, got, code, tt.want, tt.code)
		}
	}
	if _, p := parseAmount(Decimal{}, "amount", 2); p == nil || p.Code != CodeFieldMissing {
		t.Errorf("parseAmount(absent) = %v; want %s", p, CodeFieldMissing)
	}
}

func TestParseSigned(t *testing.T) {
	tests := []struct {
		raw  string
		want int64
		code string
	}{
		{`"-1000000.00"`, -100000000, ""},
		{`"0"`, 0, ""},
		{`"250.5"`, 25050, ""},
		{`"-0.001"`, 0, CodeAmountPrecision},
		{`-5`, 0, CodeAmountNotString},
	}
	for _, tt := range tests {
		got, p := parseSigned(Decimal{raw: []byte(tt.raw)}, "floor", 2, 0)
		code := ""
		if p != nil {
			code = p.Code
		}
		if got != tt.want || code != tt.code {
			t.Errorf("parseSigned(%s) = %d, %q; want %d, %q", tt.raw, got, code, tt.want, tt.code)
		}
	}
	if got, p := parseSigned(Decimal{}, "floor", 2, -7); got != -7 || p != nil {
		t.Errorf("parseSigned(absent) = %d, %v; want the default -7", got, p)
	}
}

// paymentBodies are payment bodies of every shape, for the fast path and
// the decoder tests.
var paymentBodies = []string{
	`{"payee":"SBININBBXXX","currency":"INR","amount":"125000.50"}`,
	` { "payee" : "SBININBBXXX" , "currency":"INR","amount":"1", "remittance":"INV 1/2 <b>&"} `,
	`{"payee":"SBININBBXXX","currency":"INR","amount":"1","uetr":"8a562c67-ca16-48ba-b074-65581be6f001","end_to_end_id":"E2E","debtor_name":"A","creditor_name":"B","priority":"urgent"}`,
	`{}`,
	`{"payee":"A","payee":"B"}`, // repeated: encoding/json takes the last
	`{"PAYEE":"SBININBBXXX"}`,   // encoding/json matches case-insensitively
	`{"payee":"SB\u0049NINBBXXX","amount":"1"}`,       // escapes
	`{"payee":"Banco Agrícola","amount":"1"}`,         // non-ASCII
	`{"payee":"X","amount":1}`,                        // number
	`{"payee":"X","amount":null}`,                     // null
	`{"payee":"X","extra":"y"}`,                       // unknown field
	`{"payee":"X",}`,                                  // trailing comma
	`{"payee":"X"} {}`,                                // trailing data
	`{"payee":"X"`,                                    // truncated
	`["payee"]`,                                       // not an object
	``,                                                // empty
	`{"payee":5}`,                                     // wrong type
	`{"payee":"line` + "\n" + `break"}`,               // control character
	`{"payee":"X","remittance":"tab\there"}`,          // escaped tab
	"{\"payee\":\"X\"}\n",                             // trailing newline
	`{"payee":"X","currency":"INR","amount":"1.00"}x`, // trailing garbage
}

// TestFastPaymentAgrees checks that every body the fast path accepts decodes
// exactly as encoding/json decodes it.
func TestFastPaymentAgrees(t *testing.T) {
	for _, body := range paymentBodies {
		checkFastPayment(t, []byte(body))
	}
}

func FuzzFastPayment(f *testing.F) {
	for _, b := range paymentBodies {
		f.Add([]byte(b))
	}
	f.Fuzz(func(t *testing.T, body []byte) { checkFastPayment(t, body) })
}

func checkFastPayment(t *testing.T, body []byte) {
	t.Helper()
	var fast PaymentRequest
	if !fastPayment(body, &fast) {
		var viaDecoder PaymentRequest
		decodePayment(body, &viaDecoder) // must not panic
		return
	}
	var want PaymentRequest
	if p := decodeJSON(body, &want); p != nil {
		t.Fatalf("fastPayment(%q) accepted a body encoding/json refuses: %s", body, p.Code)
	}
	if diff := cmp.Diff(want, fast, cmp.Comparer(func(a, b Decimal) bool { return string(a.raw) == string(b.raw) })); diff != "" {
		t.Errorf("fastPayment(%q) differs from encoding/json (-want +got):\n%s", body, diff)
	}
}

func TestDecodeProblems(t *testing.T) {
	tests := []struct {
		body, code, field string
	}{
		{`{"payee":"X"`, CodeMalformedJSON, ""},
		{``, CodeMalformedJSON, ""},
		{`[1]`, CodeMalformedJSON, ""},
		{`{"payee":"X"} {}`, CodeMalformedJSON, ""},
		{`{"payee":"X","extra":1}`, CodeUnknownField, "extra"},
		{`{"payee":5}`, CodeFieldType, "payee"},
		{`{"payee":"X","amount":5}`, "", ""}, // a number is caught by parseAmount, naming the field
	}
	for _, tt := range tests {
		var req PaymentRequest
		p := decodePayment([]byte(tt.body), &req)
		code, field := "", ""
		if p != nil {
			code, field = p.Code, p.Field
		}
		if code != tt.code || field != tt.field {
			t.Errorf("decodePayment(%q) = %q (field %q); want %q (field %q)", tt.body, code, field, tt.code, tt.field)
		}
	}
}

func TestAppendPaymentMatchesEncodingJSON(t *testing.T) {
	for _, v := range []Payment{
		{ID: 1, Kind: "fund", Status: "settled", Payer: "PBOCCNBJXXX", Payee: "ICBKCNBJXXX", Currency: "CNY", Amount: "1.00", CreatedAt: "t", UpdatedAt: "u"},
		{ID: 18446744073709551615, UETR: "8a562c67-ca16-48ba-b074-65581be6f001", Kind: "pay", Status: "rejected", Payer: "A", Payee: "B",
			Currency: "INR", Amount: "0.01", Priority: "urgent", EndToEndID: "E<2>E", DebtorName: "Agrícola \"Sol\" & Co\\",
			CreditorName: "\u2028\u2029\x01\x7f", Remittance: "tab\tnl\ncr\r \xff", IdempotencyKey: "k", CreatedAt: "t", UpdatedAt: "u"},
	} {
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendPayment(nil, &v); string(got) != string(want) {
			t.Errorf("appendPayment(%+v) =\n%s\nwant\n%s", v, got, want)
		}
	}
}

func TestAppendProblemMatchesEncodingJSON(t *testing.T) {
	for _, p := range []Problem{
		{Status: http.StatusUnprocessableEntity, Code: "insufficient_liquidity", Detail: "the payment would take \"it\" below <floor>"},
		{Status: http.StatusBadRequest, Code: CodeUnknownField, Field: "extra", Detail: "x"},
		{Status: http.StatusNotFound, Code: CodePaymentUnknown},
	} {
		q := *problemValue(&p)
		want, err := json.Marshal(q)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendProblem(nil, &p); string(got) != string(want) {
			t.Errorf("appendProblem(%+v) =\n%s\nwant\n%s", p, got, want)
		}
	}
}

func TestUUID(t *testing.T) {
	const s = "8a562c67-ca16-48ba-b074-65581be6f001"
	u, ok := parseUUID(s)
	if !ok || formatUUID(u) != s {
		t.Errorf("parseUUID(%q) = %x, %v; formatted %q", s, u, ok, formatUUID(u))
	}
	if u2, ok := parseUUID("8A562C67-CA16-48BA-B074-65581BE6F001"); !ok || u2 != u {
		t.Errorf("parseUUID(upper case) = %x, %v; want %x", u2, ok, u)
	}
	for _, bad := range []string{"", "8a562c67ca1648bab07465581be6f001", "8a562c67-ca16-48ba-b074-65581be6f00g", "8a562c67-ca16-48ba-b074_65581be6f001"} {
		if _, ok := parseUUID(bad); ok {
			t.Errorf("parseUUID(%q) succeeded; want failure", bad)
		}
	}
	d := derivedUETR("ICBKCNBJXXX", "key-1")
	if d[6]>>4 != 4 || d[8]>>6 != 2 || d != derivedUETR("ICBKCNBJXXX", "key-1") || d == derivedUETR("ICBKCNBJXXX", "key-2") {
		t.Errorf("derivedUETR is not a stable UUIDv4 per (payer, key): %x", d)
	}
}
