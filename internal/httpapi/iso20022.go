package httpapi

import (
	"context"
	"errors"
	"math"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/history"
	"github.com/mutua-org/mutua/internal/iso20022"
	"github.com/mutua-org/mutua/internal/isomap"
	"github.com/mutua-org/mutua/internal/ledger"
	"github.com/mutua-org/mutua/internal/screening"
)

// The ISO 20022 interface: payment messages in (pacs.008, pacs.009,
// pacs.004, camt.056), each answered by a pacs.002; statements and reports
// out (camt.052, camt.053, camt.054); and polling endpoints for the status
// of the caller's payments (pacs.002) and the returns paid to it (pacs.004).
// The same tokens and ownership rules as the JSON API apply: a participant
// sends only as itself and sees only its own accounts and payments; an
// operator reads any participant's by naming it.

// Limits of the ISO 20022 routes, on top of the JSON API's (ParamLenMax,
// PageSizeMax) and the codec's and mapping's (iso20022.BodySizeMax,
// isomap.TxsMax).
const (
	// ISOBodyBytesMax bounds an inbound message: the codec's own bound, so
	// that nothing the codec would refuse is read whole.
	ISOBodyBytesMax = iso20022.BodySizeMax
	// ISOPollPagesMax bounds the history pages one polling request reads
	// while filtering the caller's payments; a request that reaches it
	// answers what it found with a cursor to go on.
	ISOPollPagesMax = 10
	// ISOContentType is the media type of every ISO 20022 message.
	ISOContentType = "application/xml"
)

// CodeReportTooLarge is the problem code for a report whose period has
// more entries than one report holds (isomap.ReportEntriesMax).
const CodeReportTooLarge = "report_too_large" // 422

func init() {
	// The ISO 20022 routes' own problem codes join the API's list (and so
	// the OpenAPI document) from here, so that the routes live in one file.
	apiCodes = append(apiCodes, struct {
		Code   string
		Status int
	}{CodeReportTooLarge, http.StatusUnprocessableEntity})
}

// NextCursorHeader carries the cursor of the polling routes: pass it back
// as since= to get what came after.
const NextCursorHeader = "Mutua-Next-Cursor"

// ISOMessage is an ISO 20022 message as XML text: the request and answer
// body of the ISO 20022 routes in the OpenAPI document.
type ISOMessage string

// iso20022Routes lists the ISO 20022 routes, for the route table and the
// OpenAPI document.
func (s *Server) iso20022Routes() []*route {
	const tag = "ISO 20022"
	participant := queryParam("participant", "operators: whose account or payments (required for operator tokens); participants may only name themselves")
	account := param{name: "account", in: "query", doc: "ISO 4217 code of the account's currency", required: true}
	since := queryParam("since", "cursor: the "+NextCursorHeader+" header of the previous answer; absent: from the start")
	limit := param{name: "limit", in: "query", doc: "most payments in one answer, 1 to 1000 (default 100)", format: "int32"}
	xml := func(id, summary, description string, params []param, problems []int) op {
		return op{id: id, tag: tag, summary: summary, description: description, params: params, status: 200, mediaType: ISOContentType, response: ISOMessage(""), problems: problems}
	}
	post := xml("postISO20022",
		"Send a pacs.008, pacs.009, pacs.004 or camt.056; the answer is its pacs.002",
		"The body is one message (bare Document, or AppHdr and Document, possibly in an envelope), application/xml, at most "+strconv.Itoa(ISOBodyBytesMax>>20)+" MiB. "+
			"The caller must be the instructing agent (pacs.008/009/004) or the assigner (camt.056) and the AppHdr sender. "+
			"Each transaction is its own payment, return or cancellation, and gets its own status: ACSC settled, PDNG held for compliance review, "+
			"CANC cancelled, RJCT with an ISO 20022 status reason code (and the engine's reason name in AddtlInf). "+
			"Sending the same message again repeats the first statuses and changes nothing (payments are keyed by UETR). "+
			"Invalid messages are answered by a pacs.002 too; HTTP errors mean the message was not read. See docs/iso20022.md.",
		nil, []int{401, 403, 413, 415, 503})
	post.request = ISOMessage("")
	reads := []int{400, 401, 404, 422, 503}
	return []*route{
		{"POST", "/v1/iso20022", participantOnly, s.postISO20022, post},
		{"GET", "/v1/iso20022/pacs.002", anyCaller, s.pollStatus, xml("pollPacs002",
			"The current status of the caller's sent payments and returns, in a pacs.002, oldest first",
			"Payments after the since cursor (payment ids); or the one payment named by uetr. A payment's status can change later (a hold released or rejected): ask for it by uetr. 204 when there is nothing after the cursor.",
			[]param{since, limit, queryParam("uetr", "only the payment with this UETR"), participant}, reads)},
		{"GET", "/v1/iso20022/pacs.004", anyCaller, s.pollReturns, xml("pollPacs004",
			"Returns of the caller's payments that have settled, in a pacs.004, oldest first",
			"Returns after the since cursor (payment ids). 204 when there is none.",
			[]param{since, limit, participant}, reads)},
		{"GET", "/v1/iso20022/camt.053", anyCaller, s.isoStatement, xml("getCamt053",
			"End-of-day statement of one account for one UTC day (camt.053)",
			"Opening and closing booked balances and every entry booked that day, reconciling exactly. For the current day the statement runs to the last applied log entry.",
			[]param{account, {name: "date", in: "query", doc: "the UTC day, YYYY-MM-DD", required: true, format: "date"}, participant}, reads)},
		{"GET", "/v1/iso20022/camt.052", anyCaller, s.isoIntraday, xml("getCamt052",
			"Intraday report of one account (camt.052): today's entries so far",
			"Opening booked balance of the UTC day, the interim booked balance now, and the entries booked since midnight UTC.",
			[]param{account, participant}, reads)},
		{"GET", "/v1/iso20022/camt.054", anyCaller, s.isoNotifications, xml("getCamt054",
			"Debit and credit notifications (camt.054) of one account's entries after a cursor",
			"Every entry booked after the since cursor, at most "+strconv.Itoa(isomap.ReportEntriesMax)+" per answer; absent since means from midnight UTC today, since=0 from the start. 204 when there is none.",
			[]param{account, since, participant}, reads)},
	}
}

// isoSeq numbers the messages this process renders, for unique MsgIds.
var isoSeq atomic.Uint64

// isoMsgID returns a new MsgId: "MUTUA-", the message kind, the creation
// time and a sequence number; at most 35 characters.
func isoMsgID(kind string) string {
	return "MUTUA-" + kind + "-" + strconv.FormatInt(time.Now().UnixNano(), 36) + "-" + strconv.FormatUint(isoSeq.Add(1), 36)
}

// isoNow is the creation time of rendered messages: UTC, to the second.
func isoNow() time.Time { return time.Now().UTC().Truncate(time.Second) }

func (s *Server) writeXML(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", ISOContentType+"; charset=utf-8")
	w.WriteHeader(status)
	w.Write(b)
}

// postISO20022 takes one inbound message and answers its pacs.002.
func (s *Server) postISO20022(w http.ResponseWriter, r *http.Request, who Principal) {
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/xml" && mt != "text/xml" {
		s.problem(w, r, &Problem{Status: http.StatusUnsupportedMediaType, Code: CodeMediaUnsupported, Field: "Content-Type", Detail: "an ISO 20022 message is sent as application/xml"})
		return
	}
	tooLarge := &Problem{Status: http.StatusRequestEntityTooLarge, Code: CodeBodyTooLarge, Detail: "a message is at most " + strconv.Itoa(ISOBodyBytesMax) + " bytes"}
	if r.ContentLength > ISOBodyBytesMax {
		s.problem(w, r, tooLarge)
		return
	}
	var m *iso20022.Message
	var errs iso20022.Errors
	body, err := iso20022.ReadBody(http.MaxBytesReader(w, r.Body, ISOBodyBytesMax+1))
	var maxBytes *http.MaxBytesError
	switch {
	case errors.Is(err, iso20022.ErrBodyTooLarge) || errors.As(err, &maxBytes):
		s.problem(w, r, tooLarge)
		return
	case err != nil:
		// Not the whole message: answered as a file that does not parse.
		errs = iso20022.Errors{{Rule: iso20022.RuleXML, Reason: iso20022.ReasonInvalidFileFormat, Msg: "the body could not be read whole: " + err.Error()}}
	default:
		m, errs = iso20022.Parse(body)
	}
	in, err := isomap.Map(m, errs, who.Participant, isoDirectory{s, r.Context()}, time.Now())
	if err != nil {
		s.problem(w, r, internal(err))
		return
	}
	var raw [][]byte
	var at []int
	var agents [][]screening.Party
	for i, c := range in.Cmds {
		if c == nil {
			continue
		}
		if c.Kind == engine.KindPay || c.Kind == engine.KindReturn {
			// A message sent again after its payments left the engine's
			// dedupe window: the history remembers every key and UETR.
			hp, p := s.fromHistory(c, c.Kind == engine.KindPay)
			switch {
			case p != nil && p.Status >= 500:
				s.problem(w, r, p)
				return
			case p != nil:
				reason, _ := engine.ParseReason(p.Code)
				in.SetRejected(i, reason)
				continue
			case hp != nil:
				in.SetRecorded(i, hp.ID, hp.Status, hp.Reason)
				continue
			}
		}
		raw = append(raw, c.Encode())
		at = append(at, i)
		if i < len(in.Agents) {
			agents = append(agents, in.Agents[i])
		} else {
			agents = append(agents, nil)
		}
	}
	if len(raw) > 0 {
		results, p := s.submitBatchParties(r.Context(), raw, agents)
		if p != nil {
			s.problem(w, r, p)
			return
		}
		for k, res := range results {
			if c := in.Cmds[at[k]]; c.Kind == engine.KindPay || c.Kind == engine.KindReturn {
				s.metrics.payment(res)
			}
			in.SetResult(at[k], res)
		}
	}
	out, err := iso20022.RenderStatusReport(in.Finish(isoMsgID("STS"), isoNow(), who.Participant))
	if err != nil {
		s.problem(w, r, internal(err))
		return
	}
	s.writeXML(w, http.StatusOK, out)
}

// isoDirectory answers the mapping's questions from the engine (participants,
// payments in its window, with their current state) and the settled
// history (older payments).
type isoDirectory struct {
	s   *Server
	ctx context.Context
}

func (d isoDirectory) HasParticipant(id string) bool {
	var found bool
	d.s.d.Read(func(e *engine.Engine) { _, found = e.Participant(id) })
	return found
}

func (d isoDirectory) PaymentByUETR(u [16]byte) (isomap.Original, bool, error) {
	var o isomap.Original
	var found bool
	d.s.d.Read(func(e *engine.Engine) {
		var p engine.Payment
		if p, found = e.PaymentByUETR(u); found {
			o, found = engineOriginal(e, &p)
		}
	})
	if found {
		return o, true, nil
	}
	hp, found, err := d.s.d.History().PaymentByUETR(u)
	if !found || err != nil {
		return o, false, err
	}
	return historyOriginal(&hp), true, nil
}

func (d isoDirectory) RecentByEndToEnd(participant, e2e string) ([]isomap.Original, error) {
	if err := d.s.waitRecorded(d.ctx); err != nil {
		return nil, err
	}
	var next uint64
	d.s.d.Read(func(e *engine.Engine) { next = e.NextPaymentID() })
	f := history.Filter{Participant: participant, Limit: history.PageMax}
	if next > isomap.LookbackPaymentsMax+1 {
		f.After = next - 1 - isomap.LookbackPaymentsMax
	}
	var out []isomap.Original
	for page := 0; page <= isomap.LookbackPaymentsMax/history.PageMax; page++ {
		ps, cursor, err := d.s.d.History().Payments(f)
		if err != nil {
			return nil, err
		}
		for i := range ps {
			if ps[i].Command.EndToEndID == e2e {
				out = append(out, historyOriginal(&ps[i]))
			}
		}
		if cursor == 0 {
			break
		}
		f.After = cursor
	}
	// The engine knows the current state of payments in its window.
	d.s.d.Read(func(e *engine.Engine) {
		for i := range out {
			if p, found := e.Payment(out[i].ID); found {
				out[i].Status = p.Status
			}
		}
	})
	return out, nil
}

// engineOriginal describes an in-memory payment. REQUIRES: e quiescent.
func engineOriginal(e *engine.Engine, p *engine.Payment) (isomap.Original, bool) {
	switch p.Kind {
	case engine.KindPay, engine.KindReserve, engine.KindReturn:
	default:
		return isomap.Original{}, false // not a payment a message can name
	}
	return isomap.Original{
		ID: p.ID, Kind: p.Kind, Status: p.Status,
		Payer: e.ParticipantAt(p.Payer).ID, Payee: e.ParticipantAt(p.Payee).ID,
		Currency: e.CurrencyAt(p.Currency).Code, Amount: p.Amount, UETR: p.UETR,
	}, true
}

func historyOriginal(p *history.Payment) isomap.Original {
	c := &p.Command
	return isomap.Original{
		ID: p.ID, Kind: c.Kind, Status: p.Status, Payer: p.From, Payee: p.To,
		Currency: c.Currency, Amount: c.Amount, EndToEndID: c.EndToEndID, UETR: c.UETR,
	}
}

// isoSource reads payments and account owners for one outbound message.
type isoSource struct {
	s      *Server
	owners map[ledger.AccountID]engine.Participant
}

func newISOSource(s *Server) *isoSource {
	return &isoSource{s: s, owners: map[ledger.AccountID]engine.Participant{}}
}

func (src *isoSource) Payment(id uint64) (history.Payment, bool, error) {
	return src.s.d.History().Payment(id)
}

func (src *isoSource) Owner(a ledger.AccountID) engine.Participant {
	if p, found := src.owners[a]; found {
		return p
	}
	var p engine.Participant
	src.s.d.Read(func(e *engine.Engine) {
		if int(a) < e.AccountCount() {
			p, _ = e.Participant(e.AccountAt(a).Participant)
		}
	})
	src.owners[a] = p
	return p
}

// isoSubject returns the participant a read is about: the caller, or for
// operators the participant parameter.
func (s *Server) isoSubject(q url.Values, who Principal) (engine.Participant, *Problem) {
	id := who.Participant
	switch {
	case who.Operator() && q.Get("participant") == "":
		return engine.Participant{}, paramProblem("participant", "operators name the participant")
	case who.Operator():
		id = q.Get("participant")
	case q.Has("participant") && q.Get("participant") != who.Participant:
		return engine.Participant{}, participantUnknown
	}
	var p engine.Participant
	var found bool
	s.d.Read(func(e *engine.Engine) { p, found = e.Participant(id) })
	if !found {
		return p, participantUnknown
	}
	return p, nil
}

var (
	isoStatusParams = map[string]bool{"since": true, "limit": true, "participant": true, "uetr": true}
	isoReturnParams = map[string]bool{"since": true, "limit": true, "participant": true}
	isoStmtParams   = map[string]bool{"account": true, "date": true, "participant": true}
	isoRptParams    = map[string]bool{"account": true, "participant": true}
	isoNtfctParams  = map[string]bool{"account": true, "since": true, "participant": true}
)

// pollStatus answers GET /v1/iso20022/pacs.002.
func (s *Server) pollStatus(w http.ResponseWriter, r *http.Request, who Principal) {
	s.poll(w, r, who, isoStatusParams, func(p *history.Payment, subject string) bool {
		k := p.Command.Kind
		return p.Command.Participant == subject && (k == engine.KindPay || k == engine.KindReserve || k == engine.KindReturn)
	}, func(msgID string, now time.Time, subject string, ps []history.Payment) ([]byte, error) {
		rep, err := isomap.PaymentStatuses(msgID, now, subject, ps, newISOSource(s))
		if err != nil {
			return nil, err
		}
		return iso20022.RenderStatusReport(rep)
	})
}

// pollReturns answers GET /v1/iso20022/pacs.004.
func (s *Server) pollReturns(w http.ResponseWriter, r *http.Request, who Principal) {
	s.poll(w, r, who, isoReturnParams, func(p *history.Payment, subject string) bool {
		return p.Command.Kind == engine.KindReturn && p.To == subject && p.Status == engine.StatusSettled
	}, func(msgID string, now time.Time, subject string, ps []history.Payment) ([]byte, error) {
		rep, err := isomap.Returns(msgID, now, subject, ps, newISOSource(s))
		if err != nil {
			return nil, err
		}
		return iso20022.RenderPaymentReturn(rep)
	})
}

// poll lists the subject's payments after the since cursor that keep
// selects, and renders them; the answer's NextCursorHeader continues.
func (s *Server) poll(w http.ResponseWriter, r *http.Request, who Principal, params map[string]bool,
	keep func(p *history.Payment, subject string) bool,
	render func(msgID string, now time.Time, subject string, ps []history.Payment) ([]byte, error)) {
	q := r.URL.Query()
	if p := checkParams(q, params); p != nil {
		s.problem(w, r, p)
		return
	}
	subject, p := s.isoSubject(q, who)
	if p != nil {
		s.problem(w, r, p)
		return
	}
	f := history.Filter{Participant: subject.ID}
	if f.After, f.Limit, p = pageParams(q, "since", "pass back the "+NextCursorHeader+" header of the previous answer"); p != nil {
		s.problem(w, r, p)
		return
	}
	if err := s.waitRecorded(r.Context()); err != nil {
		s.problem(w, r, s.unavailable(err))
		return
	}
	var out []history.Payment
	cursor := f.After
	if v := q.Get("uetr"); v != "" {
		u, ok := parseUUID(v)
		if !ok {
			s.problem(w, r, paramProblem("uetr", "uetr is a UUID (8-4-4-4-12 hex digits)"))
			return
		}
		hp, found, err := s.d.History().PaymentByUETR(u)
		if err != nil {
			s.problem(w, r, internal(err))
			return
		}
		if !found || !keep(&hp, subject.ID) {
			s.problem(w, r, paymentUnknown)
			return
		}
		out = append(out, hp)
	} else {
		want := f.Limit
		for page := 0; page < ISOPollPagesMax && len(out) < want; page++ {
			f.Limit = want - len(out)
			ps, next, err := s.d.History().Payments(f)
			if err != nil {
				s.problem(w, r, internal(err))
				return
			}
			for i := range ps {
				cursor = max(cursor, ps[i].ID)
				if keep(&ps[i], subject.ID) {
					out = append(out, ps[i])
				}
			}
			if next == 0 {
				break
			}
			cursor, f.After = max(cursor, next), next
		}
		w.Header().Set(NextCursorHeader, strconv.FormatUint(cursor, 10))
	}
	if len(out) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	b, err := render(isoMsgID("POL"), isoNow(), subject.ID, out)
	if err != nil {
		s.problem(w, r, internal(err))
		return
	}
	s.writeXML(w, http.StatusOK, b)
}

// isoAccount resolves the subject and its account named by the account
// parameter.
func (s *Server) isoAccount(q url.Values, who Principal) (engine.Participant, engine.AccountView, *Problem) {
	subject, p := s.isoSubject(q, who)
	if p != nil {
		return subject, engine.AccountView{}, p
	}
	code := q.Get("account")
	if code == "" {
		return subject, engine.AccountView{}, paramProblem("account", "name the account by its currency: account=INR")
	}
	a, p := s.engineAccount(subject.ID, code)
	return subject, a, p
}

// appliedNs returns the log time of the last applied entry once the
// history has recorded everything applied: every entry booked so far has
// a time at or before it.
func (s *Server) appliedNs(ctx context.Context) (int64, *Problem) {
	if err := s.waitRecorded(ctx); err != nil {
		return 0, s.unavailable(err)
	}
	var ns int64
	s.d.Read(func(e *engine.Engine) { ns = e.TimeNs() })
	return ns, nil
}

// isoStatement answers GET /v1/iso20022/camt.053.
func (s *Server) isoStatement(w http.ResponseWriter, r *http.Request, who Principal) {
	q := r.URL.Query()
	if p := checkParams(q, isoStmtParams); p != nil {
		s.problem(w, r, p)
		return
	}
	day, err := time.Parse(time.DateOnly, q.Get("date"))
	if err != nil {
		s.problem(w, r, paramProblem("date", "date is a UTC day, YYYY-MM-DD"))
		return
	}
	if day.After(time.Now()) || day.Year() < 1970 {
		s.problem(w, r, paramProblem("date", "the day has not begun, or is before 1970"))
		return
	}
	from := day.UnixNano()
	subject, a, p := s.isoAccount(q, who)
	if p != nil {
		s.problem(w, r, p)
		return
	}
	applied, p := s.appliedNs(r.Context())
	if p != nil {
		s.problem(w, r, p)
		return
	}
	// The day so far, for the current day: up to the last applied entry.
	to := min(day.Add(24*time.Hour).UnixNano(), max(applied+1, from+1))
	s.writeReport(w, r, &isomap.Report{Kind: iso20022.Statement, MsgID: isoMsgID("053"), Owner: subject, Currency: a.Currency}, a.ID, from, to)
}

// isoIntraday answers GET /v1/iso20022/camt.052.
func (s *Server) isoIntraday(w http.ResponseWriter, r *http.Request, who Principal) {
	q := r.URL.Query()
	if p := checkParams(q, isoRptParams); p != nil {
		s.problem(w, r, p)
		return
	}
	subject, a, p := s.isoAccount(q, who)
	if p != nil {
		s.problem(w, r, p)
		return
	}
	applied, p := s.appliedNs(r.Context())
	if p != nil {
		s.problem(w, r, p)
		return
	}
	from := time.Now().UTC().Truncate(24 * time.Hour).UnixNano()
	s.writeReport(w, r, &isomap.Report{Kind: iso20022.IntradayReport, MsgID: isoMsgID("052"), Owner: subject, Currency: a.Currency}, a.ID, from, max(applied+1, from+1))
}

// isoNotifications answers GET /v1/iso20022/camt.054. The cursor names the
// last entry reported: "<booked ns>.<log index>.<n>", n counting the
// account's entries in that log entry.
func (s *Server) isoNotifications(w http.ResponseWriter, r *http.Request, who Principal) {
	q := r.URL.Query()
	if p := checkParams(q, isoNtfctParams); p != nil {
		s.problem(w, r, p)
		return
	}
	subject, a, p := s.isoAccount(q, who)
	if p != nil {
		s.problem(w, r, p)
		return
	}
	c, ok := parseCursor(q.Get("since"))
	if !ok {
		s.problem(w, r, paramProblem("since", "pass back the "+NextCursorHeader+" header of the previous answer, or 0 for everything"))
		return
	}
	if q.Get("since") == "" {
		c = history.Cursor{Ns: time.Now().UTC().Truncate(24 * time.Hour).UnixNano()}
	}
	if _, p := s.appliedNs(r.Context()); p != nil {
		s.problem(w, r, p)
		return
	}
	st, err := s.d.History().StatementFrom(a.ID, c, math.MaxInt64, isomap.ReportEntriesMax)
	if err != nil {
		s.problem(w, r, internal(err))
		return
	}
	w.Header().Set(NextCursorHeader, formatCursor(st.Next))
	if len(st.Entries) == 0 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	rep := &isomap.Report{Kind: iso20022.Notification, MsgID: isoMsgID("054"), Now: isoNow(), Owner: subject, Currency: a.Currency, Statement: st}
	s.renderReport(w, r, rep)
}

// formatCursor writes a place in an account's entries as
// "<booked ns>.<log index>.<n>".
func formatCursor(c history.Cursor) string {
	return strconv.FormatInt(c.Ns, 10) + "." + strconv.FormatUint(c.Index, 10) + "." + strconv.Itoa(c.N)
}

// parseCursor reads what formatCursor wrote; "" and "0" are the beginning.
func parseCursor(s string) (history.Cursor, bool) {
	var c history.Cursor
	if s == "" || s == "0" {
		return c, true
	}
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return c, false
	}
	ns, err1 := strconv.ParseInt(parts[0], 10, 64)
	index, err2 := strconv.ParseUint(parts[1], 10, 64)
	n, err3 := strconv.Atoi(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || ns < 0 || n < 0 {
		return c, false
	}
	return history.Cursor{Ns: ns, Index: index, N: n}, true
}

// writeReport reads account a's statement over [from, to) and answers it
// as rep's kind.
func (s *Server) writeReport(w http.ResponseWriter, r *http.Request, rep *isomap.Report, a ledger.AccountID, from, to int64) {
	st, err := s.d.History().StatementFrom(a, history.Cursor{Ns: from}, to, isomap.ReportEntriesMax)
	if err != nil {
		s.problem(w, r, internal(err))
		return
	}
	if st.More {
		s.problem(w, r, &Problem{Status: http.StatusUnprocessableEntity, Code: CodeReportTooLarge,
			Detail: "the period has more than " + strconv.Itoa(isomap.ReportEntriesMax) + " entries; read them as camt.054 pages or through the JSON statement"})
		return
	}
	rep.Now, rep.Statement = isoNow(), st
	s.renderReport(w, r, rep)
}

func (s *Server) renderReport(w http.ResponseWriter, r *http.Request, rep *isomap.Report) {
	ar, err := rep.Build(newISOSource(s))
	if err != nil {
		s.problem(w, r, internal(err))
		return
	}
	b, err := iso20022.RenderAccountReport(ar)
	if err != nil {
		s.problem(w, r, internal(err))
		return
	}
	s.writeXML(w, http.StatusOK, b)
}
