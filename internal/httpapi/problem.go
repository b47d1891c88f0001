package httpapi

import (
	"net/http"
	"strconv"

	"github.com/mutua-org/mutua/internal/engine"
)

// Problem is an RFC 9457 problem details object. Code is stable: it is either
// the engine's reason name (engine.Reason.String) or one of the Code*
// constants below, and never changes once released.
type Problem struct {
	Type   string `json:"type" doc:"URI naming the problem type: https://mutua.dev/problems/<code>"`
	Title  string `json:"title" doc:"short summary of the HTTP status"`
	Status int    `json:"status" doc:"HTTP status code"`
	Detail string `json:"detail,omitempty" doc:"human-readable explanation; never names another participant's objects"`
	Code   string `json:"code" doc:"stable machine-readable code: an engine reason or an API code"`
	// Field names the offending request field or parameter, when one does.
	Field string `json:"field,omitempty" doc:"the request field, header or parameter at fault"`
}

// Problem codes of the API layer. Engine rejections use the engine's reason
// names (engine.Reason) as their code instead.
const (
	CodeUnauthenticated  = "unauthenticated"    // 401: no, malformed, unknown or revoked token
	CodeForbidden        = "forbidden"          // 403: the token's role may not use this route
	CodeRouteUnknown     = "route_unknown"      // 404: no such route
	CodeMethodNotAllowed = "method_not_allowed" // 405: the route exists for other methods
	CodeBodyTooLarge     = "body_too_large"     // 413: the body exceeds its limit
	CodeMalformedJSON    = "malformed_json"     // 400: the body is not one JSON object
	CodeUnknownField     = "unknown_field"      // 400: the body has a field the schema does not
	CodeFieldType        = "field_type"         // 400: a field has the wrong JSON type
	CodeFieldMissing     = "field_missing"      // 400: a required field is absent or empty
	CodeFieldInvalid     = "field_invalid"      // 400: a field's value is not one the API accepts
	CodeAmountNotString  = "amount_not_string"  // 400: an amount given as a JSON number, not decimal text
	CodeAmountSyntax     = "amount_syntax"      // 400: an amount that is not plain decimal text
	CodeAmountPrecision  = "amount_precision"   // 422: more decimals than the currency has
	CodeAmountOverflow   = "amount_overflow"    // 422: an amount too large for the ledger
	CodeKeyMissing       = "idempotency_key_missing"
	CodeParamInvalid     = "parameter_invalid" // 400: a path or query parameter is malformed
	CodeBatchEmpty       = "batch_empty"       // 400: a batch without payments
	CodeBatchTooLarge    = "batch_too_large"   // 413: more than PaymentBatchMax payments
	CodePaymentUnknown   = "payment_unknown"   // 404: no such payment that the caller may see
	CodeUnavailable      = "unavailable"       // 503: the node cannot take commands now
	CodeInternal         = "internal"          // 500: a bug; logged
)

// apiCodes lists the API-layer codes with their HTTP status, for the OpenAPI
// document and tests.
var apiCodes = []struct {
	Code   string
	Status int
}{
	{CodeUnauthenticated, 401}, {CodeForbidden, 403}, {CodeRouteUnknown, 404},
	{CodeMethodNotAllowed, 405}, {CodeBodyTooLarge, 413}, {CodeMalformedJSON, 400},
	{CodeUnknownField, 400}, {CodeFieldType, 400}, {CodeFieldMissing, 400},
	{CodeFieldInvalid, 400}, {CodeAmountNotString, 400}, {CodeAmountSyntax, 400},
	{CodeAmountPrecision, 422}, {CodeAmountOverflow, 422}, {CodeKeyMissing, 400},
	{CodeParamInvalid, 400}, {CodeBatchEmpty, 400}, {CodeBatchTooLarge, 413},
	{CodePaymentUnknown, 404}, {CodeUnavailable, 503}, {CodeInternal, 500},
	{CodeListInvalid, 422}, {CodeListUnknown, 404}, {CodeMediaUnsupported, 415},
}

// ProblemCodes returns every code a problem may carry: the API codes, then
// the engine reasons in precedence order.
func ProblemCodes() []string {
	var out []string
	for _, c := range apiCodes {
		out = append(out, c.Code)
	}
	for r := engine.Reason(1); int(r) < engine.ReasonCount; r++ {
		out = append(out, r.String())
	}
	return out
}

// reasonStatus is the HTTP status of an engine rejection. Objects named in
// the URL path get 404 instead (see objectReason); this is the status when
// the reason concerns the request body.
func reasonStatus(r engine.Reason) int {
	switch r {
	case engine.OK:
		return http.StatusOK
	case engine.Malformed, engine.CommandUnknown:
		// The JSON API builds every command itself: a bug.
		return http.StatusInternalServerError
	case engine.IdempotencyConflict, engine.UETRDuplicate, engine.ParticipantExists,
		engine.AccountExists, engine.CurrencyEnabled, engine.TokenExists, engine.LastOperatorToken:
		return http.StatusConflict
	}
	return http.StatusUnprocessableEntity
}

var problemTypes = func() map[string]string {
	m := make(map[string]string)
	for _, c := range ProblemCodes() {
		m[c] = "https://mutua.dev/problems/" + c
	}
	return m
}()

func problemType(code string) string {
	if t, found := problemTypes[code]; found {
		return t
	}
	return "https://mutua.dev/problems/" + code
}

// appendProblem appends p as JSON. Problems are written by hand so that the
// error path, which bad clients can drive hard, allocates little.
func appendProblem(b []byte, p *Problem) []byte {
	b = append(b, `{"type":`...)
	b = appendJSONString(b, problemType(p.Code))
	b = append(b, `,"title":`...)
	b = appendJSONString(b, http.StatusText(p.Status))
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(p.Status), 10)
	if p.Detail != "" {
		b = append(b, `,"detail":`...)
		b = appendJSONString(b, p.Detail)
	}
	b = append(b, `,"code":`...)
	b = appendJSONString(b, p.Code)
	if p.Field != "" {
		b = append(b, `,"field":`...)
		b = appendJSONString(b, p.Field)
	}
	return append(b, '}')
}

// reasonDetails explains each engine reason to a human. Details never name
// the objects involved, so that equal codes give byte-identical bodies.
var reasonDetails = [engine.ReasonCount]string{
	engine.Malformed:             "the command does not decode",
	engine.CommandUnknown:        "unknown command kind",
	engine.KeyInvalid:            "the idempotency key must be 1 to 64 printable ASCII characters",
	engine.UETRInvalid:           "the UETR must be a UUID version 4 in canonical form (8-4-4-4-12 hex digits)",
	engine.TextInvalid:           "a name, reference or remittance text is too long or has control characters",
	engine.IDInvalid:             "the participant id must be a BIC: 4 letters, 2-letter country, 2 letters or digits, optional 3-character branch",
	engine.LEIInvalid:            "the LEI must be 20 characters with valid ISO 17442 check digits",
	engine.CountryInvalid:        "the country must be an ISO 3166-1 alpha-2 code",
	engine.AmountZero:            "the amount must be above zero",
	engine.AmountNegative:        "the amount must be above zero",
	engine.TimeoutInvalid:        "the reservation timeout is out of range",
	engine.LimitsInvalid:         "the floor is above the ceiling, or a new floor is above the available balance",
	engine.BatchInvalid:          "the batch is empty or too long",
	engine.PriorityInvalid:       "the priority must be normal, high or urgent",
	engine.CurrencyUnknown:       "not an ISO 4217 currency code",
	engine.CurrencyMismatch:      "the payee's account is in another currency; cross-currency payments go through an FX provider",
	engine.IdempotencyConflict:   "this Idempotency-Key was used before for a different request",
	engine.UETRDuplicate:         "this UETR belongs to another payment",
	engine.CurrencyNotEnabled:    "the currency is not enabled in this union",
	engine.CurrencyEnabled:       "the currency is enabled already",
	engine.ParticipantUnknown:    "no such participant",
	engine.PayeeUnknown:          "no such payee",
	engine.ParticipantExists:     "a participant with this id exists already",
	engine.SameParticipant:       "payer and payee are the same participant",
	engine.ParticipantSuspended:  "the participant is suspended",
	engine.PayeeSuspended:        "the payee is suspended",
	engine.AccountUnknown:        "no such account",
	engine.PayeeAccountUnknown:   "the payee has no account in this currency",
	engine.AccountExists:         "the account is open already",
	engine.IssuerAccount:         "not allowed on an issuance account",
	engine.PendingUnknown:        "no such pending transfer",
	engine.PendingAlreadyPosted:  "the pending transfer was posted already",
	engine.PendingAlreadyVoided:  "the pending transfer was voided already",
	engine.PendingExpired:        "the pending transfer expired",
	engine.PostExceedsPending:    "the amount to post exceeds the amount reserved",
	engine.PendingLimitReached:   "too many pending transfers are open",
	engine.Overflow:              "a balance counter would overflow",
	engine.InsufficientLiquidity: "the payment would take the payer's available balance below its floor",
	engine.CeilingExceeded:       "the payment would take the payee's balance above its ceiling",
	engine.TokenInvalid:          "no such token",
	engine.TokenExists:           "a token with this id exists already",
	engine.TokenUnknown:          "no such token",
	engine.LastOperatorToken:     "this is the last live operator token: issue another before revoking it",
	engine.ThresholdInvalid:      "name a list set, and a threshold from 700 (the lowest score screening reports) to 1000",
}

func reasonDetail(r engine.Reason) string {
	if int(r) < len(reasonDetails) && reasonDetails[r] != "" {
		return reasonDetails[r]
	}
	return r.String()
}
