package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/history"
	"github.com/mutua-org/mutua/internal/money"
)

// Participant routes: payments, balances and statements. The payer of a
// payment is always the caller; no body field can name another.

func (s *Server) postPayment(w http.ResponseWriter, r *http.Request, who Principal) {
	key, p := idempotencyKey(r, engine.KeyLenMax)
	if p != nil {
		s.problem(w, r, p)
		return
	}
	bp, p := readBody(w, r, BodyBytesMax)
	if p != nil {
		s.problem(w, r, p)
		return
	}
	var req PaymentRequest
	p = decodePayment(*bp, &req)
	releaseBody(bp)
	if p != nil {
		s.problem(w, r, p)
		return
	}
	c := engine.Command{Kind: engine.KindPay, Participant: who.Participant, Key: key}
	if p := paymentCommand(&c, &req); p != nil {
		s.problem(w, r, p)
		return
	}
	s.acceptPayment(w, r, who, &c, req.UETR != "")
}

// paymentCommand fills c from req after the edge checks, in the engine's
// order of precedence where they overlap.
func paymentCommand(c *engine.Command, req *PaymentRequest) *Problem {
	switch {
	case req.Payee == "":
		return fieldProblem(http.StatusBadRequest, CodeFieldMissing, "payee", "the payee's participant id is required")
	case req.Currency == "":
		return fieldProblem(http.StatusBadRequest, CodeFieldMissing, "currency", "the currency is required")
	}
	c.Payee, c.Currency = req.Payee, req.Currency
	if req.UETR != "" {
		u, ok := parseUUID(req.UETR)
		if !ok || u[6]>>4 != 4 || u[8]>>6 != 2 {
			return &Problem{Status: http.StatusUnprocessableEntity, Code: engine.UETRInvalid.String(), Field: "uetr", Detail: reasonDetail(engine.UETRInvalid)}
		}
		c.UETR = u
	} else {
		c.UETR = derivedUETR(c.Participant, c.Key)
	}
	c.EndToEndID, c.DebtorName, c.CreditorName, c.Remittance = req.EndToEndID, req.DebtorName, req.CreditorName, req.Remittance
	if p := amountFor(c, req.Amount); p != nil {
		return p
	}
	prio, ok := parsePriority(req.Priority)
	if !ok {
		return &Problem{Status: http.StatusUnprocessableEntity, Code: engine.PriorityInvalid.String(), Field: "priority", Detail: reasonDetail(engine.PriorityInvalid)}
	}
	c.Priority = prio
	return nil
}

// derivedUETR is the UETR of a payment sent without one: a UUID version 4
// whose random bits come from the payer and idempotency key, so that a
// retry carries the same UETR and the engine sees the same content.
func derivedUETR(payer, key string) [16]byte {
	var buf [engine.IDLenMax + 1 + engine.KeyLenMax + 16]byte
	b := append(buf[:0], "mutua-uetr\x00"...)
	b = append(b, payer...)
	b = append(b, 0)
	b = append(b, key...)
	sum := sha256.Sum256(b)
	var u [16]byte
	copy(u[:], sum[:16])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return u
}

// fromHistory answers a retry whose first attempt has left the engine's
// in-memory dedupe window (engine.DedupeWindowNs): the settled history
// keeps every key and UETR for good. It returns the recorded payment for
// the same key and content, a problem for a conflict, or neither.
func (s *Server) fromHistory(c *engine.Command, clientUETR bool) (*history.Payment, *Problem) {
	if !s.historyNeeded() {
		return nil, nil
	}
	h := s.d.History()
	hp, found, err := h.PaymentByKey(c.Participant, c.Key)
	if err != nil {
		return nil, internal(err)
	}
	if found {
		if !sameContent(&hp.Command, c) {
			return nil, rejection(engine.IdempotencyConflict)
		}
		return &hp, nil
	}
	if clientUETR {
		if _, found, err := h.PaymentByUETR(c.UETR); err != nil {
			return nil, internal(err)
		} else if found {
			return nil, rejection(engine.UETRDuplicate)
		}
	}
	return nil, nil
}

// The margins by which the shell starts consulting the history before the
// engine's dedupe window can drop a key: more time than any proposal waits
// to apply, and more payments than can be queued or in flight ahead of one
// (the node's intake holds at most a few entries of 32,768 commands).
const (
	dedupeMarginNs       = int64(time.Hour)
	dedupeMarginPayments = 1 << 18
)

// historyNeeded reports whether the engine's in-memory idempotency index
// might not know a key or UETR used before. Until a payment first leaves the
// engine's payment log, and while none is close to leaving it by age or by
// count, the engine alone answers every retry, and the history lookups (a
// Pebble read each) are skipped.
func (s *Server) historyNeeded() bool {
	if s.evicted.Load() {
		return true
	}
	var evicted bool
	var oldestNs int64
	var room int
	s.d.Read(func(e *engine.Engine) { evicted, oldestNs, room = e.DedupeHorizon() })
	if evicted {
		s.evicted.Store(true) // evicted never goes back to false
		return true
	}
	return room < dedupeMarginPayments ||
		oldestNs != 0 && time.Now().UnixNano() >= oldestNs+engine.DedupeWindowNs-dedupeMarginNs
}

// sameContent reports whether a recorded command and a new one carry the
// same client content. The screening evidence is the node's, not the
// client's: a retry screened against newer lists is still the same request.
func sameContent(recorded, c *engine.Command) bool {
	a, b := *recorded, *c
	a.Screening, b.Screening = engine.Screening{}, engine.Screening{}
	return bytes.Equal(engine.AppendCommand(nil, &a), engine.AppendCommand(nil, &b))
}

// acceptPayment proposes a money-moving command (pay, fund, defund) and
// answers with the payment: 201 when new, 200 with Idempotent-Replayed when
// the key was seen before with the same content.
func (s *Server) acceptPayment(w http.ResponseWriter, r *http.Request, who Principal, c *engine.Command, clientUETR bool) {
	hp, p := s.fromHistory(c, clientUETR)
	if p != nil {
		s.problem(w, r, p)
		return
	}
	if hp != nil {
		v := paymentView(hp, who)
		s.writePayment(w, http.StatusOK, &v, true)
		return
	}
	res, p := s.submit(r.Context(), c)
	if p != nil {
		s.problem(w, r, p)
		return
	}
	s.metrics.payment(res)
	if res.Reason != engine.OK {
		s.problem(w, r, rejection(res.Reason))
		return
	}
	var v Payment
	s.d.Read(func(e *engine.Engine) { v = commandView(e, c, res, who) })
	status := http.StatusCreated
	if res.Duplicate {
		status = http.StatusOK
	}
	s.writePayment(w, status, &v, res.Duplicate)
}

// commandView renders an accepted command and its result. REQUIRES: the
// engine is quiescent (inside Daemon.Read).
func commandView(e *engine.Engine, c *engine.Command, res *engine.Result, who Principal) Payment {
	v := commandPayment(c, who)
	v.ID, v.Status, v.Payer, v.Payee = res.Payment, res.Status.String(), c.Participant, c.Payee
	if p, found := e.Payment(res.Payment); found {
		v.CreatedAt, v.UpdatedAt = formatTime(p.CreatedNs), formatTime(p.UpdatedNs)
		if c.Kind == engine.KindFund || c.Kind == engine.KindDefund {
			issuer := e.ParticipantAt(e.CurrencyAt(p.Currency).Issuer).ID
			if c.Kind == engine.KindFund {
				v.Payer, v.Payee = issuer, c.Participant
			} else {
				v.Payee = issuer
			}
		}
	}
	return v
}

func (s *Server) writePayment(w http.ResponseWriter, status int, v *Payment, replayed bool) {
	h := w.Header()
	h["Content-Type"] = jsonContentType
	if replayed {
		h["Idempotent-Replayed"] = trueHeader
	}
	if status == http.StatusCreated {
		h["Location"] = []string{"/v1/payments/" + strconv.FormatUint(v.ID, 10)}
	}
	bp := bufPool.Get().(*[]byte)
	b := appendPayment((*bp)[:0], v)
	b = append(b, '\n')
	w.WriteHeader(status)
	w.Write(b)
	*bp = b
	bufPool.Put(bp)
}

var (
	jsonContentType = []string{"application/json"}
	trueHeader      = []string{"true"}
)

func (s *Server) postPaymentBatch(w http.ResponseWriter, r *http.Request, who Principal) {
	key, p := idempotencyKey(r, BatchKeyLenMax)
	if p != nil {
		s.problem(w, r, p)
		return
	}
	bp, p := readBody(w, r, BatchJSONBodyBytesMax)
	if p != nil {
		s.problem(w, r, p)
		return
	}
	var req PaymentBatchRequest
	p = decodeJSON(*bp, &req)
	releaseBody(bp)
	switch {
	case p != nil:
	case len(req.Payments) == 0:
		p = fieldProblem(http.StatusBadRequest, CodeBatchEmpty, "payments", "a batch needs at least one payment")
	case len(req.Payments) > PaymentBatchMax:
		p = fieldProblem(http.StatusRequestEntityTooLarge, CodeBatchTooLarge, "payments", "a batch holds at most "+strconv.Itoa(PaymentBatchMax)+" payments")
	}
	if p != nil {
		s.problem(w, r, p)
		return
	}
	out := PaymentBatchResult{Results: make([]BatchItem, len(req.Payments))}
	cmds := make([]engine.Command, len(req.Payments))
	var raw [][]byte
	var at []int
	for i := range req.Payments {
		out.Results[i].Index = i
		c := &cmds[i]
		*c = engine.Command{Kind: engine.KindPay, Participant: who.Participant, Key: key + ":" + strconv.Itoa(i)}
		if p := paymentCommand(c, &req.Payments[i]); p != nil {
			out.Results[i].Problem = problemValue(p)
			continue
		}
		hp, p := s.fromHistory(c, req.Payments[i].UETR != "")
		switch {
		case p != nil:
			out.Results[i].Problem = problemValue(p)
		case hp != nil:
			v := paymentView(hp, who)
			out.Results[i].Payment = &v
		default:
			raw = append(raw, c.Encode())
			at = append(at, i)
		}
	}
	if len(raw) > 0 {
		results, p := s.submitBatch(r.Context(), raw)
		if p != nil {
			s.problem(w, r, p)
			return
		}
		s.d.Read(func(e *engine.Engine) {
			for k, res := range results {
				i := at[k]
				s.metrics.payment(res)
				if res.Reason != engine.OK {
					out.Results[i].Problem = problemValue(rejection(res.Reason))
					continue
				}
				v := commandView(e, &cmds[i], res, who)
				out.Results[i].Payment = &v
			}
		})
	}
	for _, it := range out.Results {
		if it.Problem != nil {
			out.Rejected++
		} else {
			out.Accepted++
		}
	}
	s.writeJSON(w, http.StatusOK, out)
}

// problemValue fills in a problem's type and title for embedding in a body.
func problemValue(p *Problem) *Problem {
	q := *p
	q.Type, q.Title = problemType(p.Code), http.StatusText(p.Status)
	return &q
}

// paymentUnknown is the one answer for a payment the caller may not see.
var paymentUnknown = &Problem{Status: http.StatusNotFound, Code: CodePaymentUnknown, Detail: "no such payment"}

// visible reports whether who may see p: its payer, its payee and operators.
func visible(p *history.Payment, who Principal) bool {
	if who.Operator() {
		return true
	}
	if p.Command.Kind == engine.KindLinked {
		return false
	}
	return p.From == who.Participant || p.To == who.Participant || p.Command.Participant == who.Participant
}

func (s *Server) getPayment(w http.ResponseWriter, r *http.Request, who Principal) {
	hp, found, err := s.lookupPayment(r.Context(), r.PathValue("ref"))
	if err != nil {
		if r.Context().Err() != nil {
			return
		}
		s.problem(w, r, internal(err))
		return
	}
	if !found || !visible(&hp, who) {
		s.problem(w, r, paymentUnknown)
		return
	}
	v := paymentView(&hp, who)
	s.writePayment(w, http.StatusOK, &v, false)
}

// lookupPayment finds a payment by id (digits) or UETR in the settled
// history. The history is written just behind the engine: on a miss it waits
// until everything applied so far is recorded and looks again, so a client
// always reads its own writes.
func (s *Server) lookupPayment(ctx context.Context, ref string) (history.Payment, bool, error) {
	h := s.d.History()
	find := func() (history.Payment, bool, error) {
		if id, err := strconv.ParseUint(ref, 10, 64); err == nil && len(ref) <= 20 {
			return h.Payment(id)
		}
		if u, ok := parseUUID(ref); ok {
			return h.PaymentByUETR(u)
		}
		return history.Payment{}, false, nil
	}
	hp, found, err := find()
	if found || err != nil {
		return hp, found, err
	}
	if err := s.waitRecorded(ctx); err != nil {
		return hp, false, err
	}
	return find()
}

// waitRecorded waits until the history holds every entry applied so far.
func (s *Server) waitRecorded(ctx context.Context) error {
	n := s.d.Node()
	return n.WaitRecorded(ctx, n.Status().Applied)
}

var paymentQueryParams = map[string]bool{"status": true, "counterparty": true, "currency": true, "from": true, "to": true, "cursor": true, "limit": true, "participant": true}

func paramProblem(name, detail string) *Problem {
	return fieldProblem(http.StatusBadRequest, CodeParamInvalid, name, detail)
}

// checkParams refuses unknown and over-long query parameters.
func checkParams(q url.Values, known map[string]bool) *Problem {
	for k, vs := range q {
		if !known[k] {
			return paramProblem(k, "unknown query parameter "+strconv.Quote(k))
		}
		if len(vs) != 1 || len(vs[0]) > ParamLenMax {
			return paramProblem(k, "give "+k+" once, at most "+strconv.Itoa(ParamLenMax)+" characters")
		}
	}
	return nil
}

// pageParams reads a page's cursor (a payment id, in parameter name; hint
// says where to get it) and its limit (PageSizeDefault when absent).
func pageParams(q url.Values, name, hint string) (after uint64, limit int, p *Problem) {
	limit = PageSizeDefault
	if v := q.Get(name); v != "" {
		var err error
		if after, err = strconv.ParseUint(v, 10, 64); err != nil {
			return 0, 0, paramProblem(name, hint)
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > PageSizeMax {
			return 0, 0, paramProblem("limit", "limit is 1 to "+strconv.Itoa(PageSizeMax))
		}
		limit = n
	}
	return after, limit, nil
}

// timeRange reads the from and to parameters: [from, to).
func timeRange(q url.Values) (from, to int64, p *Problem) {
	to = math.MaxInt64
	if s := q.Get("from"); s != "" {
		v, ok := parseTime(s)
		if !ok || v < 0 {
			return 0, 0, paramProblem("from", "from must be an RFC 3339 time or a date (YYYY-MM-DD)")
		}
		from = v
	}
	if s := q.Get("to"); s != "" {
		v, ok := parseTime(s)
		if !ok || v < 0 {
			return 0, 0, paramProblem("to", "to must be an RFC 3339 time or a date (YYYY-MM-DD)")
		}
		to = v
	}
	if to < from {
		return 0, 0, paramProblem("to", "to is before from")
	}
	return from, to, nil
}

func (s *Server) listPayments(w http.ResponseWriter, r *http.Request, who Principal) {
	q := r.URL.Query()
	if p := checkParams(q, paymentQueryParams); p != nil {
		s.problem(w, r, p)
		return
	}
	f := history.Filter{Participant: who.Participant, Limit: PageSizeDefault}
	switch {
	case who.Operator() && q.Get("participant") == "":
		s.problem(w, r, paramProblem("participant", "operators name the participant whose payments to list"))
		return
	case who.Operator():
		f.Participant = q.Get("participant")
	case q.Has("participant") && q.Get("participant") != who.Participant:
		s.problem(w, r, participantUnknown)
		return
	}
	if v := q.Get("status"); v != "" {
		st, ok := parseStatus(v)
		if !ok {
			s.problem(w, r, paramProblem("status", "status is one of received, held, queued, pending, settled, rejected, cancelled, expired"))
			return
		}
		f.Status = &st
	}
	f.Counterparty = q.Get("counterparty")
	f.Currency = q.Get("currency")
	from, to, p := timeRange(q)
	if p != nil {
		s.problem(w, r, p)
		return
	}
	if from != 0 {
		f.FromNs = from
	}
	if to != math.MaxInt64 {
		f.ToNs = to
	}
	if f.After, f.Limit, p = pageParams(q, "cursor", "pass back the next_cursor of the previous page"); p != nil {
		s.problem(w, r, p)
		return
	}
	if err := s.waitRecorded(r.Context()); err != nil {
		s.problem(w, r, s.unavailable(err))
		return
	}
	pays, next, err := s.d.History().Payments(f)
	if err != nil {
		s.problem(w, r, internal(err))
		return
	}
	out := PaymentPage{Payments: make([]Payment, 0, len(pays))}
	for i := range pays {
		if visible(&pays[i], who) {
			out.Payments = append(out.Payments, paymentView(&pays[i], who))
		}
	}
	if next != 0 {
		out.NextCursor = strconv.FormatUint(next, 10)
	}
	s.writeJSON(w, http.StatusOK, out)
}

func parseStatus(s string) (engine.Status, bool) {
	for st := engine.StatusReceived; st <= engine.StatusExpired; st++ {
		if st.String() == s {
			return st, true
		}
	}
	return 0, false
}

func (s *Server) balances(w http.ResponseWriter, r *http.Request, who Principal) {
	s.writeAccounts(w, r, who.Participant)
}

func (s *Server) ownStatement(w http.ResponseWriter, r *http.Request, who Principal) {
	s.writeStatement(w, r, who.Participant, r.PathValue("currency"))
}

func (s *Server) statement(w http.ResponseWriter, r *http.Request, who Principal) {
	id, p := pathParticipant(r, who)
	if p != nil {
		s.problem(w, r, p)
		return
	}
	s.writeStatement(w, r, id, r.PathValue("currency"))
}

var statementParams = map[string]bool{"from": true, "to": true, "cursor": true}

func (s *Server) writeStatement(w http.ResponseWriter, r *http.Request, id, code string) {
	q := r.URL.Query()
	if p := checkParams(q, statementParams); p != nil {
		s.problem(w, r, p)
		return
	}
	from, to, p := timeRange(q)
	if p != nil {
		s.problem(w, r, p)
		return
	}
	start := history.Cursor{Ns: from}
	if q.Has("cursor") {
		c, ok := parseCursor(q.Get("cursor"))
		if !ok || c.Ns < from || c.Ns >= to {
			s.problem(w, r, paramProblem("cursor", "pass back the next_cursor of the previous page, with the same from and to"))
			return
		}
		start = c
	}
	a, p := s.engineAccount(id, code)
	if p != nil {
		s.problem(w, r, p)
		return
	}
	if err := s.waitRecorded(r.Context()); err != nil {
		s.problem(w, r, s.unavailable(err))
		return
	}
	st, err := s.d.History().StatementFrom(a.ID, start, to, history.EntriesMax)
	if err != nil {
		s.problem(w, r, internal(err))
		return
	}
	exp := a.Currency.Exponent
	out := Statement{
		Participant:    id,
		Currency:       code,
		OpeningBalance: money.FormatSigned(st.OpeningNeg, st.Opening, exp),
		ClosingBalance: money.FormatSigned(st.ClosingNeg, st.Closing, exp),
		Entries:        make([]StatementEntry, len(st.Entries)),
		More:           st.More,
	}
	if st.More {
		out.NextCursor = formatCursor(st.Next)
	}
	if from != 0 {
		out.From = formatTime(from)
	}
	if to != math.MaxInt64 {
		out.To = formatTime(to)
	}
	s.d.Read(func(e *engine.Engine) {
		for i, en := range st.Entries {
			dir := "debit"
			if en.Credit {
				dir = "credit"
			}
			out.Entries[i] = StatementEntry{
				BookedAt:     formatTime(en.BookedNs),
				Payment:      en.Payment,
				Kind:         en.Kind.String(),
				Direction:    dir,
				Amount:       money.FormatAmount(en.Amount, exp),
				Counterparty: e.AccountAt(en.Counterparty).Participant,
				BalanceAfter: money.FormatSigned(en.BalanceNeg, en.BalanceAfter, exp),
			}
		}
	})
	s.writeJSON(w, http.StatusOK, out)
}
