// Package httpapi is Mutua's HTTP interface: the JSON API under /v1, the
// binary batch endpoint for high-volume operators, health and metrics. It
// authenticates every request and checks, on every object, that the caller
// may see it.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/mutua-org/mutua/internal/daemon"
	"github.com/mutua-org/mutua/internal/engine"
)

// Limits on requests, named in one place.
const (
	// BodyBytesMax bounds a JSON request body.
	BodyBytesMax = 1 << 20
	// BatchBodyBytesMax bounds a binary batch: 8,190 commands of up to
	// about 1 KiB each.
	BatchBodyBytesMax = 16 << 20
	// Server timeouts: a slow client cannot hold a connection.
	ReadHeaderTimeout = 5 * time.Second
	ReadTimeout       = 30 * time.Second
	WriteTimeout      = 60 * time.Second
	IdleTimeout       = 120 * time.Second
)

// Server serves the API of one daemon.
type Server struct {
	d   *daemon.Daemon
	log *slog.Logger
	mux *http.ServeMux
}

// New returns a server for d.
func New(d *daemon.Daemon, log *slog.Logger) *Server {
	if log == nil {
		log = slog.Default()
	}
	s := &Server{d: d, log: log, mux: http.NewServeMux()}
	s.routes()
	return s
}

func (s *Server) routes() {
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.healthz)
	s.mux.HandleFunc("POST /v1/commands", s.auth(operatorOnly, s.postCommands))
}

// Handler returns the HTTP handler.
func (s *Server) Handler() http.Handler { return s.mux }

// HTTPServer returns an http.Server for addr with the API's timeouts.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s.Handler(),
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    16 << 10,
	}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// Principal is the authenticated caller.
type Principal struct {
	TokenID     string
	Name        string
	Participant string // "" for the operator
}

// Operator reports whether the caller is an operator.
func (p Principal) Operator() bool { return p.Participant == "" }

type access int

const (
	anyCaller access = iota
	operatorOnly
)

type principalKey struct{}

// PrincipalFrom returns the caller of an authenticated request.
func PrincipalFrom(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
}

// auth authenticates the bearer token and enforces the access level.
func (s *Server) auth(level access, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		bearer, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !found {
			s.problem(w, r, http.StatusUnauthorized, "unauthenticated", "an Authorization: Bearer token is required")
			return
		}
		id, hash, ok := daemon.ParseToken(strings.TrimSpace(bearer))
		var tok engine.Token
		if ok {
			s.d.Read(func(e *engine.Engine) { tok, ok = e.Authenticate(id, hash) })
		}
		if !ok {
			s.problem(w, r, http.StatusUnauthorized, "unauthenticated", "the token is unknown, revoked or malformed")
			return
		}
		p := Principal{TokenID: tok.ID, Name: tok.Name, Participant: tok.Participant}
		if level == operatorOnly && !p.Operator() {
			s.problem(w, r, http.StatusForbidden, "forbidden", "this route is for operators")
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	}
}

// Problem is an RFC 9457 problem details object; Code is the stable reason.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	Code   string `json:"code"`
}

func (s *Server) problem(w http.ResponseWriter, r *http.Request, status int, code, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(Problem{
		Type:   "https://mutua.dev/problems/" + code,
		Title:  http.StatusText(status),
		Status: status,
		Detail: detail,
		Code:   code,
	})
}

// postCommands takes a binary batch of engine commands (see EncodeBatch) and
// answers with their results (see DecodeResults) once they are committed,
// synced and applied. It is the operator's bulk path: the bench client and
// institutions that pre-validate their own traffic use it.
func (s *Server) postCommands(w http.ResponseWriter, r *http.Request) {
	body, err := readAll(http.MaxBytesReader(w, r.Body, BatchBodyBytesMax))
	if err != nil {
		s.problem(w, r, http.StatusRequestEntityTooLarge, "body_too_large", err.Error())
		return
	}
	cmds, err := DecodeBatch(body)
	if err != nil {
		s.problem(w, r, http.StatusBadRequest, "malformed", err.Error())
		return
	}
	results, err := s.d.SubmitBatch(r.Context(), cmds)
	if err != nil {
		s.unavailable(w, r, err)
		return
	}
	w.Header().Set("Content-Type", BatchContentType)
	w.Write(EncodeResults(results))
}

func (s *Server) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, context.Canceled) {
		return
	}
	s.log.Warn("submit failed", "err", err)
	s.problem(w, r, http.StatusServiceUnavailable, "unavailable", err.Error())
}
