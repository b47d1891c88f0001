// Package httpapi is Mutua's HTTP interface: the JSON API under /v1, the
// binary batch endpoint for high-volume operators, the OpenAPI document,
// health and metrics. It authenticates every request and checks, on every
// object, that the caller may see it: a participant never sees, pays from or
// learns the existence of another participant's accounts or payments.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mutua-org/mutua/internal/daemon"
	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/screening"
)

// Server serves the API of one daemon.
type Server struct {
	d       *daemon.Daemon
	log     *slog.Logger
	mux     *http.ServeMux
	routes  []*route
	metrics *metrics
	openapi []byte
	// evicted caches engine.DedupeHorizon's evicted once true.
	evicted atomic.Bool
}

// access is who may call a route.
type access int

const (
	public          access = iota // no token needed
	anyCaller                     // any valid token
	operatorOnly                  // operator tokens
	participantOnly               // participant tokens
)

// handlerFunc is a route's handler, given the authenticated caller.
type handlerFunc func(w http.ResponseWriter, r *http.Request, who Principal)

// route is one registered route with its documentation; the OpenAPI document
// is generated from the same table the mux is built from.
type route struct {
	method, path string
	access       access
	h            handlerFunc
	doc          op
}

// New returns a server for d.
func New(d *daemon.Daemon, log *slog.Logger) *Server {
	if log == nil {
		log = slog.Default()
	}
	s := &Server{d: d, log: log, mux: http.NewServeMux(), metrics: newMetrics(d)}
	s.routes = append(append(s.table(), s.screeningRoutes()...), s.iso20022Routes()...)
	for _, rt := range s.routes {
		s.mux.HandleFunc(rt.method+" "+rt.path, s.wrap(rt))
	}
	doc, err := json.MarshalIndent(s.openAPI(), "", "  ")
	if err != nil {
		panic("httpapi: openapi document: " + err.Error())
	}
	s.openapi = append(doc, '\n')
	return s
}

// Handler returns the HTTP handler: the routes behind request accounting.
func (s *Server) Handler() http.Handler { return s }

// HTTPServer returns an http.Server for addr with the API's timeouts.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    HeaderBytesMax,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// Routes returns "METHOD /path" for every registered route, in table order.
func (s *Server) Routes() []string {
	out := make([]string, len(s.routes))
	for i, rt := range s.routes {
		out[i] = rt.method + " " + rt.path
	}
	return out
}

// ServeHTTP routes r, counts it by route pattern and status, and logs it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	sw := statusWriterPool.Get().(*statusWriter)
	sw.ResponseWriter, sw.r, sw.status, sw.discard = w, r, 0, false
	s.mux.ServeHTTP(sw, r)
	status := sw.status
	if status == 0 {
		status = http.StatusOK
	}
	sw.ResponseWriter, sw.r = nil, nil
	statusWriterPool.Put(sw)
	pattern := r.Pattern
	if pattern == "" {
		pattern = "unmatched"
	}
	s.metrics.request(pattern, status)
	switch {
	case status >= 500:
		s.log.Warn("request", "method", r.Method, "route", pattern, "status", status, "duration", time.Since(start))
	case s.log.Enabled(r.Context(), slog.LevelDebug):
		s.log.Debug("request", "method", r.Method, "route", pattern, "status", status, "duration", time.Since(start))
	}
}

// statusWriter records the status and answers unmatched routes (the mux's
// own plain-text 404 and 405) with problem details.
type statusWriter struct {
	http.ResponseWriter
	r       *http.Request
	status  int
	discard bool
}

var statusWriterPool = sync.Pool{New: func() any { return new(statusWriter) }}

func (w *statusWriter) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	w.status = code
	if w.r.Pattern == "" && (code == http.StatusNotFound || code == http.StatusMethodNotAllowed) {
		w.discard = true
		p := Problem{Status: code, Code: CodeRouteUnknown, Detail: "no such route; see /v1/openapi.json"}
		if code == http.StatusMethodNotAllowed {
			p.Code, p.Detail = CodeMethodNotAllowed, "the route does not take this method; see the Allow header"
		}
		h := w.ResponseWriter.Header()
		h.Del("X-Content-Type-Options")
		h.Set("Content-Type", "application/problem+json")
		w.ResponseWriter.WriteHeader(code)
		w.ResponseWriter.Write(appendProblem(nil, &p))
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.discard {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Principal is the authenticated caller.
type Principal struct {
	TokenID     string
	Name        string
	Participant string // "" for the operator
}

// Operator reports whether the caller is an operator.
func (p Principal) Operator() bool { return p.Participant == "" }

// mayActFor reports whether the caller may see participant id's objects:
// operators see everything, participants only their own.
func (p Principal) mayActFor(id string) bool { return p.Operator() || p.Participant == id }

// wrap authenticates the bearer token and enforces the route's access level.
func (s *Server) wrap(rt *route) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if rt.access == public {
			rt.h(w, r, Principal{})
			return
		}
		who, ok := s.authenticate(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="mutua"`)
			s.problem(w, r, &Problem{Status: http.StatusUnauthorized, Code: CodeUnauthenticated,
				Detail: "a valid Authorization: Bearer token is required; this one is missing, malformed, unknown or revoked"})
			return
		}
		switch {
		case rt.access == operatorOnly && !who.Operator():
			s.problem(w, r, &Problem{Status: http.StatusForbidden, Code: CodeForbidden, Detail: "this route is for operator tokens"})
			return
		case rt.access == participantOnly && who.Operator():
			s.problem(w, r, &Problem{Status: http.StatusForbidden, Code: CodeForbidden, Detail: "this route is for participant tokens: the payer is always the caller"})
			return
		}
		rt.h(w, r, who)
	}
}

// authenticate checks the bearer token against the replicated token table;
// a revocation takes effect with the entry that applies it.
func (s *Server) authenticate(r *http.Request) (Principal, bool) {
	bearer, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !found {
		return Principal{}, false
	}
	id, hash, ok := daemon.ParseToken(strings.TrimSpace(bearer))
	if !ok {
		return Principal{}, false
	}
	var tok engine.Token
	s.d.Read(func(e *engine.Engine) { tok, ok = e.Authenticate(id, hash) })
	if !ok {
		return Principal{}, false
	}
	return Principal{TokenID: tok.ID, Name: tok.Name, Participant: tok.Participant}, true
}

// problem writes p. Server errors are logged; their detail is not shown.
func (s *Server) problem(w http.ResponseWriter, r *http.Request, p *Problem) {
	if p.Status >= 500 && p.Code == CodeInternal {
		s.log.Error("internal error", "method", r.Method, "path", r.URL.Path, "detail", p.Detail)
		p = &Problem{Status: p.Status, Code: p.Code, Detail: "an internal error; it has been logged"}
	}
	bp := bufPool.Get().(*[]byte)
	b := appendProblem((*bp)[:0], p)
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	w.Write(b)
	*bp = b
	bufPool.Put(bp)
}

func internal(err error) *Problem {
	return &Problem{Status: http.StatusInternalServerError, Code: CodeInternal, Detail: err.Error()}
}

// writeJSON writes v with status.
func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.log.Error("encode response", "err", err)
		status, b = http.StatusInternalServerError, appendProblem(nil, &Problem{Status: 500, Code: CodeInternal})
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// submit proposes one command and waits for its result.
func (s *Server) submit(ctx context.Context, c *engine.Command) (*engine.Result, *Problem) {
	s.metrics.pending.Inc()
	s.metrics.batchSize.Observe(1)
	start := time.Now()
	res, err := s.d.Submit(ctx, c)
	s.metrics.commit.Observe(time.Since(start).Seconds())
	s.metrics.pending.Dec()
	if err != nil {
		return nil, s.unavailable(err)
	}
	return res, nil
}

// submitBatch proposes encoded commands as one contiguous batch.
func (s *Server) submitBatch(ctx context.Context, cmds [][]byte) ([]*engine.Result, *Problem) {
	return s.submitBatchParties(ctx, cmds, nil)
}

// submitBatchParties is submitBatch with more parties to screen: parties[i]
// for cmds[i].
func (s *Server) submitBatchParties(ctx context.Context, cmds [][]byte, parties [][]screening.Party) ([]*engine.Result, *Problem) {
	s.metrics.pending.Add(float64(len(cmds)))
	s.metrics.batchSize.Observe(float64(len(cmds)))
	start := time.Now()
	res, err := s.d.SubmitBatchParties(ctx, cmds, parties)
	s.metrics.commit.Observe(time.Since(start).Seconds())
	s.metrics.pending.Sub(float64(len(cmds)))
	if err != nil {
		return nil, s.unavailable(err)
	}
	return res, nil
}

func (s *Server) unavailable(err error) *Problem {
	if !errors.Is(err, context.Canceled) {
		s.log.Warn("submit failed", "err", err)
	}
	return &Problem{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Detail: "the node could not commit the command: " + err.Error() + "; retry with the same Idempotency-Key"}
}

// rejection is the problem for an engine rejection. Reasons that name an
// object in the URL path get 404, so that a participant learns nothing about
// objects it may not see.
func rejection(r engine.Reason, pathObjects ...engine.Reason) *Problem {
	status := reasonStatus(r)
	for _, po := range pathObjects {
		if r == po {
			status = http.StatusNotFound
		}
	}
	return &Problem{Status: status, Code: r.String(), Detail: reasonDetail(r)}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request, _ Principal) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// readyz answers 200 once the node leads its group and has applied its log.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request, _ Principal) {
	st := s.d.Node().Status()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if !st.Leader {
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("not leader\n"))
		return
	}
	w.Write([]byte("ok\n"))
}

func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request, _ Principal) {
	s.metrics.handler().ServeHTTP(w, r)
}

func (s *Server) serveOpenAPI(w http.ResponseWriter, r *http.Request, _ Principal) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(s.openapi)
}

// postCommands takes a binary batch of engine commands (see EncodeBatch) and
// answers with their results (see DecodeResults) once they are committed,
// synced and applied. It is the operator's bulk path: the bench client and
// institutions that pre-validate their own traffic use it.
func (s *Server) postCommands(w http.ResponseWriter, r *http.Request, _ Principal) {
	body, err := readAll(http.MaxBytesReader(w, r.Body, BatchBodyBytesMax))
	if err != nil {
		s.problem(w, r, &Problem{Status: http.StatusRequestEntityTooLarge, Code: CodeBodyTooLarge, Detail: err.Error()})
		return
	}
	cmds, err := DecodeBatch(body)
	if err != nil {
		s.problem(w, r, &Problem{Status: http.StatusBadRequest, Code: "malformed", Detail: err.Error()})
		return
	}
	results, p := s.submitBatch(r.Context(), cmds)
	if p != nil {
		s.problem(w, r, p)
		return
	}
	w.Header().Set("Content-Type", BatchContentType)
	w.Write(EncodeResults(results))
}
