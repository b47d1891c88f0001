package httpapi

// op documents a route for the OpenAPI document.
type op struct {
	id          string
	summary     string
	description string
	tag         string
	params      []param
	request     any // a value of the request body type, or nil
	response    any // a value of the response body type, or nil
	status      int // the success status
	// idempotent: the route requires an Idempotency-Key header.
	idempotent bool
	// mediaType overrides application/json for request and response.
	mediaType string
	problems  []int // statuses of the problems the route can answer with
}

// param is a path or query parameter.
type param struct {
	name, in, doc string
	required      bool
	enum          []string
	format        string
}

func pathParam(name, doc string) param {
	return param{name: name, in: "path", doc: doc, required: true}
}

func queryParam(name, doc string) param { return param{name: name, in: "query", doc: doc} }

var (
	idParam         = pathParam("id", "participant id (BIC)")
	currencyParam   = pathParam("currency", "ISO 4217 currency code")
	fromParam       = param{name: "from", in: "query", doc: "start of the period (inclusive): RFC 3339 time or YYYY-MM-DD", format: "date-time"}
	stmtCursorParam = param{name: "cursor", in: "query", doc: "the next_cursor of the previous page of the same period"}
	toParam         = param{name: "to", in: "query", doc: "end of the period (exclusive): RFC 3339 time or YYYY-MM-DD", format: "date-time"}
)

// table lists every route. The mux and the OpenAPI document are both built
// from it.
func (s *Server) table() []*route {
	const (
		tOps      = "node"
		tUnion    = "union (operator)"
		tTokens   = "tokens (operator)"
		tPayments = "payments (participant)"
		tAccounts = "accounts"
	)
	read := []int{401, 404}
	write := []int{400, 401, 403, 404, 409, 413, 422, 503}
	return []*route{
		{"GET", "/healthz", public, s.healthz, op{id: "healthz", tag: tOps, summary: "Liveness: the process answers", status: 200, mediaType: "text/plain"}},
		{"GET", "/readyz", public, s.readyz, op{id: "readyz", tag: tOps, summary: "Readiness: the node leads its log group and has applied its log", status: 200, mediaType: "text/plain", problems: []int{503}}},
		{"GET", "/metrics", public, s.serveMetrics, op{id: "metrics", tag: tOps, summary: "Prometheus metrics", description: "Requests by route and status, payments by result, client batch sizes, commit latency, requests pending in the batcher, node indexes, Go runtime and process.", status: 200, mediaType: "text/plain"}},
		{"GET", "/v1/openapi.json", public, s.serveOpenAPI, op{id: "openapi", tag: tOps, summary: "This document", status: 200}},
		{"GET", "/v1/me", anyCaller, s.me, op{id: "me", tag: tOps, summary: "Who the token belongs to", response: Me{}, status: 200, problems: []int{401}}},
		{"GET", "/v1/status", operatorOnly, s.status, op{id: "status", tag: tOps, summary: "Node status and state digest", params: []param{{name: "digest", in: "query", doc: "true: include the state digest (hashes the whole state, pausing settlement meanwhile)", enum: []string{"true", "false"}}}, response: Status{}, status: 200, problems: []int{401, 403}}},
		{"POST", "/v1/commands", operatorOnly, s.postCommands, op{id: "postCommands", tag: tOps, summary: "Binary batch of engine commands",
			description: "The bulk path for operators and pre-validated traffic: a uvarint count, then each engine command as a uvarint length and its log encoding. The answer frames one compact result per command. Commands apply contiguously, in order, in one log entry.",
			status:      200, mediaType: BatchContentType, problems: []int{400, 401, 403, 413, 503}}},

		{"GET", "/v1/currencies", anyCaller, s.listCurrencies, op{id: "listCurrencies", tag: tUnion, summary: "Enabled currencies with their issuers", response: CurrencyList{}, status: 200, problems: []int{401}}},
		{"POST", "/v1/currencies", operatorOnly, s.enableCurrency, op{id: "enableCurrency", tag: tUnion, summary: "Enable a currency and name its issuer", description: "Opens the issuer's issuance account, which may go negative: money enters and leaves the union only through it.", request: CurrencyRequest{}, response: Currency{}, status: 201, problems: write}},
		{"GET", "/v1/participants", operatorOnly, s.listParticipants, op{id: "listParticipants", tag: tUnion, summary: "All participants", response: ParticipantList{}, status: 200, problems: []int{401, 403}}},
		{"POST", "/v1/participants", operatorOnly, s.addParticipant, op{id: "addParticipant", tag: tUnion, summary: "Register a member institution", request: ParticipantRequest{}, response: Participant{}, status: 201, problems: write}},
		{"GET", "/v1/participants/{id}", anyCaller, s.getParticipant, op{id: "getParticipant", tag: tUnion, summary: "A participant (participants: only themselves)", params: []param{idParam}, response: Participant{}, status: 200, problems: read}},
		{"POST", "/v1/participants/{id}/suspend", operatorOnly, s.suspend, op{id: "suspendParticipant", tag: tUnion, summary: "Suspend a participant: it can neither pay nor be paid", params: []param{idParam}, response: Participant{}, status: 200, problems: write}},
		{"POST", "/v1/participants/{id}/reinstate", operatorOnly, s.reinstate, op{id: "reinstateParticipant", tag: tUnion, summary: "Reinstate a suspended participant", params: []param{idParam}, response: Participant{}, status: 200, problems: write}},
		{"GET", "/v1/participants/{id}/accounts", anyCaller, s.listAccounts, op{id: "listAccounts", tag: tAccounts, summary: "A participant's accounts and balances (participants: only their own)", params: []param{idParam}, response: AccountList{}, status: 200, problems: read}},
		{"POST", "/v1/participants/{id}/accounts", operatorOnly, s.openAccount, op{id: "openAccount", tag: tUnion, summary: "Open a participant's account in a currency", params: []param{idParam}, request: AccountRequest{}, response: Account{}, status: 201, problems: write}},
		{"GET", "/v1/participants/{id}/accounts/{currency}", anyCaller, s.getAccount, op{id: "getAccount", tag: tAccounts, summary: "One account (participants: only their own)", params: []param{idParam, currencyParam}, response: Account{}, status: 200, problems: read}},
		{"PUT", "/v1/participants/{id}/accounts/{currency}/limits", operatorOnly, s.setLimits, op{id: "setLimits", tag: tUnion, summary: "Set an account's floor (credit line below zero) and ceiling", params: []param{idParam, currencyParam}, request: LimitsRequest{}, response: Account{}, status: 200, problems: write}},
		{"GET", "/v1/participants/{id}/accounts/{currency}/statement", anyCaller, s.statement, op{id: "getStatement", tag: tAccounts, summary: "An account's booked entries over a period (participants: only their own)", params: []param{idParam, currencyParam, fromParam, toParam, stmtCursorParam}, response: Statement{}, status: 200, problems: []int{400, 401, 404}}},
		{"POST", "/v1/fundings", operatorOnly, s.fund, op{id: "fund", tag: tUnion, summary: "Fund an account: money enters from the currency's issuer", request: FundingRequest{}, response: Payment{}, status: 201, idempotent: true, problems: write}},
		{"POST", "/v1/defundings", anyCaller, s.defund, op{id: "defund", tag: tUnion, summary: "Defund an account: money leaves to the currency's issuer (participants: their own accounts)", request: FundingRequest{}, response: Payment{}, status: 201, idempotent: true, problems: write}},

		{"GET", "/v1/tokens", operatorOnly, s.listTokens, op{id: "listTokens", tag: tTokens, summary: "All API tokens, revoked ones included, without secrets", params: []param{queryParam("participant", "only this participant's tokens")}, response: TokenList{}, status: 200, problems: []int{401, 403}}},
		{"POST", "/v1/tokens", operatorOnly, s.issueToken, op{id: "issueToken", tag: tTokens, summary: "Issue a token; its secret is in this answer only", description: "Only the token id and the SHA-256 of its secret enter the replicated state.", request: TokenRequest{}, response: Token{}, status: 201, problems: write}},
		{"DELETE", "/v1/tokens/{id}", operatorOnly, s.revokeToken, op{id: "revokeToken", tag: tTokens, summary: "Revoke a token; it fails from the next request on", params: []param{pathParam("id", "token id")}, response: Token{}, status: 200, problems: []int{401, 403, 404, 503}}},

		{"POST", "/v1/payments", participantOnly, s.postPayment, op{id: "pay", tag: tPayments, summary: "Send a payment; the payer is the caller",
			description: "Settles gross, at once, or is rejected with the engine's reason. A retry with the same Idempotency-Key and body returns the first result (200, Idempotent-Replayed: true), however long ago; the same key with another body is idempotency_conflict.",
			request:     PaymentRequest{}, response: Payment{}, status: 201, idempotent: true, problems: write}},
		{"POST", "/v1/payments/batch", participantOnly, s.postPaymentBatch, op{id: "payBatch", tag: tPayments, summary: "Send up to 1000 payments in one request",
			description: "Payment i gets the idempotency key \"<Idempotency-Key>:<i>\". The valid payments apply contiguously, in order, in one log entry; each result is a payment or a problem.",
			request:     PaymentBatchRequest{}, response: PaymentBatchResult{}, status: 200, idempotent: true, problems: []int{400, 401, 403, 413, 422, 503}}},
		{"GET", "/v1/payments", anyCaller, s.listPayments, op{id: "listPayments", tag: tPayments, summary: "The caller's payments (as payer or payee), oldest first, a page at a time", params: []param{
			{name: "status", in: "query", doc: "only payments in this state", enum: []string{"received", "held", "queued", "pending", "settled", "rejected", "cancelled", "expired"}},
			queryParam("counterparty", "only payments with this participant"),
			queryParam("currency", "only payments in this currency"),
			{name: "from", in: "query", doc: "created at or after: RFC 3339 time or YYYY-MM-DD", format: "date-time"},
			{name: "to", in: "query", doc: "created before: RFC 3339 time or YYYY-MM-DD", format: "date-time"},
			queryParam("cursor", "next_cursor of the previous page"),
			{name: "limit", in: "query", doc: "page size, 1 to 1000 (default 100)", format: "int32"},
			queryParam("participant", "operators: whose payments (required for operator tokens)"),
		}, response: PaymentPage{}, status: 200, problems: []int{400, 401, 404}}},
		{"GET", "/v1/payments/{ref}", anyCaller, s.getPayment, op{id: "getPayment", tag: tPayments, summary: "A payment by id or UETR (participants: only their own, as payer or payee)", params: []param{pathParam("ref", "payment id (digits) or UETR (UUID)")}, response: Payment{}, status: 200, problems: read}},
		{"GET", "/v1/balances", participantOnly, s.balances, op{id: "balances", tag: tAccounts, summary: "The caller's accounts and balances", response: AccountList{}, status: 200, problems: []int{401, 403}}},
		{"GET", "/v1/accounts/{currency}/statement", participantOnly, s.ownStatement, op{id: "ownStatement", tag: tAccounts, summary: "The caller's statement for one account over a period", params: []param{currencyParam, fromParam, toParam, stmtCursorParam}, response: Statement{}, status: 200, problems: []int{400, 401, 403, 404}}},
	}
}
