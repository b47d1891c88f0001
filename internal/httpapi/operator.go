package httpapi

import (
	"crypto/sha256"
	"net/http"
	"strings"

	"github.com/mutua-org/mutua/internal/daemon"
	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/money"
)

// Operator routes: currencies, participants, accounts, limits, funding,
// tokens and node status. Participant tokens get 403 on the operator-only
// ones; the read routes a participant may use show only its own objects.

func (s *Server) listCurrencies(w http.ResponseWriter, r *http.Request, _ Principal) {
	out := CurrencyList{Currencies: []Currency{}}
	s.d.Read(func(e *engine.Engine) {
		for _, c := range e.Currencies() {
			out.Currencies = append(out.Currencies, currencyView(&c, e.ParticipantAt(c.Issuer).ID))
		}
	})
	s.writeJSON(w, http.StatusOK, out)
}

func (s *Server) enableCurrency(w http.ResponseWriter, r *http.Request, who Principal) {
	var req CurrencyRequest
	if p := s.decode(w, r, &req); p != nil {
		s.problem(w, r, p)
		return
	}
	switch {
	case req.Code == "":
		s.problem(w, r, fieldProblem(http.StatusBadRequest, CodeFieldMissing, "code", "the ISO 4217 code is required"))
		return
	case req.Issuer == "":
		s.problem(w, r, fieldProblem(http.StatusBadRequest, CodeFieldMissing, "issuer", "the issuer's participant id is required"))
		return
	}
	res, p := s.submit(r.Context(), &engine.Command{Kind: engine.KindEnableCurrency, Currency: req.Code, Participant: req.Issuer})
	if p == nil && res.Reason != engine.OK {
		p = rejection(res.Reason)
	}
	if p != nil {
		s.problem(w, r, p)
		return
	}
	cur, _ := money.Lookup(req.Code)
	s.audit(who, "currency enabled", "currency", req.Code, "issuer", req.Issuer)
	s.writeJSON(w, http.StatusCreated, Currency{Code: cur.Code, Numeric: int(cur.Numeric), Exponent: int(cur.Exponent), Name: cur.Name, Issuer: req.Issuer})
}

func (s *Server) listParticipants(w http.ResponseWriter, r *http.Request, _ Principal) {
	out := ParticipantList{Participants: []Participant{}}
	s.d.Read(func(e *engine.Engine) {
		for _, p := range e.Participants() {
			out.Participants = append(out.Participants, participantView(&p))
		}
	})
	s.writeJSON(w, http.StatusOK, out)
}

func (s *Server) addParticipant(w http.ResponseWriter, r *http.Request, who Principal) {
	var req ParticipantRequest
	if p := s.decode(w, r, &req); p != nil {
		s.problem(w, r, p)
		return
	}
	for _, f := range []struct{ name, v string }{{"id", req.ID}, {"name", req.Name}, {"country", req.Country}} {
		if f.v == "" {
			s.problem(w, r, fieldProblem(http.StatusBadRequest, CodeFieldMissing, f.name, "field "+f.name+" is required"))
			return
		}
	}
	roles := uint8(0)
	for _, name := range req.Roles {
		found := false
		for _, rn := range roleNames {
			if rn.name == name {
				roles |= rn.bit
				found = true
			}
		}
		if !found {
			s.problem(w, r, fieldProblem(http.StatusBadRequest, CodeFieldInvalid, "roles", "roles are settlement, issuer and fx_provider"))
			return
		}
	}
	if roles == 0 {
		roles = engine.RoleSettlement
	}
	c := &engine.Command{Kind: engine.KindAddParticipant, Participant: req.ID, Name: req.Name, LEI: req.LEI, Country: req.Country, Roles: roles}
	res, p := s.submit(r.Context(), c)
	if p == nil && res.Reason != engine.OK {
		p = rejection(res.Reason)
	}
	if p != nil {
		s.problem(w, r, p)
		return
	}
	s.audit(who, "participant added", "participant", req.ID)
	w.Header().Set("Location", "/v1/participants/"+req.ID)
	s.writeJSON(w, http.StatusCreated, participantView(&engine.Participant{ID: c.Participant, Name: c.Name, LEI: c.LEI, Country: c.Country, Roles: c.Roles}))
}

// participantUnknown is the one answer for a participant the caller may not
// see, whether or not it exists.
var participantUnknown = &Problem{Status: http.StatusNotFound, Code: engine.ParticipantUnknown.String(), Detail: reasonDetail(engine.ParticipantUnknown)}

// pathParticipant returns the {id} path parameter if the caller may act for
// it; otherwise the problem to answer with.
func pathParticipant(r *http.Request, who Principal) (string, *Problem) {
	id := r.PathValue("id")
	if len(id) > ParamLenMax || !who.mayActFor(id) {
		return "", participantUnknown
	}
	return id, nil
}

func (s *Server) getParticipant(w http.ResponseWriter, r *http.Request, who Principal) {
	id, p := pathParticipant(r, who)
	if p != nil {
		s.problem(w, r, p)
		return
	}
	var part engine.Participant
	var found bool
	s.d.Read(func(e *engine.Engine) { part, found = e.Participant(id) })
	if !found {
		s.problem(w, r, participantUnknown)
		return
	}
	s.writeJSON(w, http.StatusOK, participantView(&part))
}

func (s *Server) suspend(w http.ResponseWriter, r *http.Request, who Principal) {
	s.setSuspended(w, r, who, true)
}

func (s *Server) reinstate(w http.ResponseWriter, r *http.Request, who Principal) {
	s.setSuspended(w, r, who, false)
}

func (s *Server) setSuspended(w http.ResponseWriter, r *http.Request, who Principal, suspended bool) {
	id, p := pathParticipant(r, who)
	if p != nil {
		s.problem(w, r, p)
		return
	}
	res, p := s.submit(r.Context(), &engine.Command{Kind: engine.KindSetSuspended, Participant: id, Suspended: suspended})
	if p == nil && res.Reason != engine.OK {
		p = rejection(res.Reason, engine.ParticipantUnknown)
	}
	if p != nil {
		s.problem(w, r, p)
		return
	}
	s.audit(who, "participant suspension changed", "participant", id, "suspended", suspended)
	s.getParticipant(w, r, who)
}

func (s *Server) listAccounts(w http.ResponseWriter, r *http.Request, who Principal) {
	id, p := pathParticipant(r, who)
	if p != nil {
		s.problem(w, r, p)
		return
	}
	s.writeAccounts(w, r, id)
}

func (s *Server) writeAccounts(w http.ResponseWriter, r *http.Request, id string) {
	out := AccountList{Accounts: []Account{}}
	found := false
	s.d.Read(func(e *engine.Engine) {
		if _, found = e.Participant(id); found {
			for _, a := range e.Accounts(id) {
				out.Accounts = append(out.Accounts, accountView(&a))
			}
		}
	})
	if !found {
		s.problem(w, r, participantUnknown)
		return
	}
	s.writeJSON(w, http.StatusOK, out)
}

// accountUnknown is the one answer for an account the caller may not see.
var accountUnknown = &Problem{Status: http.StatusNotFound, Code: engine.AccountUnknown.String(), Detail: reasonDetail(engine.AccountUnknown)}

// account reads participant id's account in currency code.
func (s *Server) account(id, code string) (Account, *Problem) {
	a, p := s.engineAccount(id, code)
	if p != nil {
		return Account{}, p
	}
	return accountView(&a), nil
}

// engineAccount reads participant id's account in currency code as the
// engine has it.
func (s *Server) engineAccount(id, code string) (engine.AccountView, *Problem) {
	var a engine.AccountView
	var partFound, found bool
	s.d.Read(func(e *engine.Engine) {
		_, partFound = e.Participant(id)
		a, found = e.Account(id, code)
	})
	switch {
	case !partFound:
		return a, participantUnknown
	case !found:
		return a, accountUnknown
	}
	return a, nil
}

func (s *Server) getAccount(w http.ResponseWriter, r *http.Request, who Principal) {
	id, p := pathParticipant(r, who)
	if p != nil {
		s.problem(w, r, p)
		return
	}
	a, p := s.account(id, r.PathValue("currency"))
	if p != nil {
		s.problem(w, r, p)
		return
	}
	s.writeJSON(w, http.StatusOK, a)
}

// limits parses a floor and an optional ceiling in currency code.
func limits(code string, floor, ceiling Decimal) (engine.Command, *Problem) {
	cur, known := money.Lookup(code)
	if !known {
		return engine.Command{}, rejection(engine.CurrencyUnknown)
	}
	c := engine.Command{Currency: code}
	var p *Problem
	if c.Floor, p = parseSigned(floor, "floor", cur.Exponent, 0); p != nil {
		return c, p
	}
	if !ceiling.IsZero() {
		v, p := parseSigned(ceiling, "ceiling", cur.Exponent, 0)
		if p != nil {
			return c, p
		}
		if v < 0 {
			return c, rejection(engine.LimitsInvalid)
		}
		c.Ceiling, c.HasCeiling = uint64(v), true
	}
	return c, nil
}

func (s *Server) openAccount(w http.ResponseWriter, r *http.Request, who Principal) {
	id, p := pathParticipant(r, who)
	if p != nil {
		s.problem(w, r, p)
		return
	}
	var req AccountRequest
	if p := s.decode(w, r, &req); p != nil {
		s.problem(w, r, p)
		return
	}
	if req.Currency == "" {
		s.problem(w, r, fieldProblem(http.StatusBadRequest, CodeFieldMissing, "currency", "the currency is required"))
		return
	}
	c, p := limits(req.Currency, req.Floor, req.Ceiling)
	if p != nil {
		s.problem(w, r, p)
		return
	}
	c.Kind, c.Participant = engine.KindOpenAccount, id
	res, p := s.submit(r.Context(), &c)
	if p == nil && res.Reason != engine.OK {
		p = rejection(res.Reason, engine.ParticipantUnknown)
	}
	if p != nil {
		s.problem(w, r, p)
		return
	}
	s.audit(who, "account opened", "participant", id, "currency", req.Currency, "floor", c.Floor)
	a, p := s.account(id, req.Currency)
	if p != nil {
		s.problem(w, r, p)
		return
	}
	w.Header().Set("Location", "/v1/participants/"+id+"/accounts/"+req.Currency)
	s.writeJSON(w, http.StatusCreated, a)
}

func (s *Server) setLimits(w http.ResponseWriter, r *http.Request, who Principal) {
	id, p := pathParticipant(r, who)
	if p != nil {
		s.problem(w, r, p)
		return
	}
	code := r.PathValue("currency")
	var req LimitsRequest
	if p := s.decode(w, r, &req); p != nil {
		s.problem(w, r, p)
		return
	}
	if req.Floor.IsZero() {
		s.problem(w, r, fieldProblem(http.StatusBadRequest, CodeFieldMissing, "floor", "the floor is required"))
		return
	}
	c, p := limits(code, req.Floor, req.Ceiling)
	if p != nil {
		if p.Code == engine.CurrencyUnknown.String() {
			p = accountUnknown
		}
		s.problem(w, r, p)
		return
	}
	c.Kind, c.Participant = engine.KindSetLimits, id
	res, p := s.submit(r.Context(), &c)
	if p == nil && res.Reason != engine.OK {
		p = rejection(res.Reason, engine.ParticipantUnknown, engine.AccountUnknown, engine.CurrencyNotEnabled)
		if res.Reason == engine.CurrencyNotEnabled {
			p = accountUnknown
		}
	}
	if p != nil {
		s.problem(w, r, p)
		return
	}
	s.audit(who, "limits set", "participant", id, "currency", code, "floor", c.Floor, "ceiling", c.Ceiling, "has_ceiling", c.HasCeiling)
	a, p := s.account(id, code)
	if p != nil {
		s.problem(w, r, p)
		return
	}
	s.writeJSON(w, http.StatusOK, a)
}

func (s *Server) fund(w http.ResponseWriter, r *http.Request, who Principal) {
	s.funding(w, r, who, engine.KindFund)
}

func (s *Server) defund(w http.ResponseWriter, r *http.Request, who Principal) {
	s.funding(w, r, who, engine.KindDefund)
}

// funding moves money in or out through the issuer. Operators fund and
// defund anyone; a participant may defund its own accounts.
func (s *Server) funding(w http.ResponseWriter, r *http.Request, who Principal, kind engine.Kind) {
	key, p := idempotencyKey(r, engine.KeyLenMax)
	if p != nil {
		s.problem(w, r, p)
		return
	}
	var req FundingRequest
	if p := s.decode(w, r, &req); p != nil {
		s.problem(w, r, p)
		return
	}
	if !who.Operator() {
		if req.Participant != "" && req.Participant != who.Participant {
			// The same answer whether or not the participant exists.
			s.problem(w, r, rejection(engine.ParticipantUnknown))
			return
		}
		req.Participant = who.Participant
	}
	switch {
	case req.Participant == "":
		s.problem(w, r, fieldProblem(http.StatusBadRequest, CodeFieldMissing, "participant", "the participant is required"))
		return
	case req.Currency == "":
		s.problem(w, r, fieldProblem(http.StatusBadRequest, CodeFieldMissing, "currency", "the currency is required"))
		return
	}
	c := engine.Command{Kind: kind, Participant: req.Participant, Currency: req.Currency, Key: key, Remittance: req.Remittance}
	if p := amountFor(&c, req.Amount); p != nil {
		s.problem(w, r, p)
		return
	}
	s.acceptPayment(w, r, who, &c, false)
}

// amountFor parses amount into c.Amount in c.Currency's exponent. For a
// currency that is not ISO 4217 the amount is still checked (with the
// largest exponent) so that its reason takes precedence as in the engine.
func amountFor(c *engine.Command, amount Decimal) *Problem {
	cur, known := money.Lookup(c.Currency)
	exp := cur.Exponent
	if !known {
		exp = money.ExponentMax
	}
	v, p := parseAmount(amount, "amount", exp)
	if p != nil {
		return p
	}
	if !known {
		return rejection(engine.CurrencyUnknown)
	}
	c.Amount = v
	return nil
}

// idempotencyKey reads the Idempotency-Key header.
func idempotencyKey(r *http.Request, max int) (string, *Problem) {
	vs := r.Header["Idempotency-Key"]
	if len(vs) == 0 || vs[0] == "" {
		return "", fieldProblem(http.StatusBadRequest, CodeKeyMissing, "Idempotency-Key", "an Idempotency-Key header is required: a retry with the same key returns the first result")
	}
	k := vs[0]
	if len(vs) > 1 || len(k) > max {
		return "", &Problem{Status: http.StatusUnprocessableEntity, Code: engine.KeyInvalid.String(), Field: "Idempotency-Key", Detail: reasonDetail(engine.KeyInvalid)}
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return "", &Problem{Status: http.StatusUnprocessableEntity, Code: engine.KeyInvalid.String(), Field: "Idempotency-Key", Detail: reasonDetail(engine.KeyInvalid)}
		}
	}
	return k, nil
}

func tokenView(t *engine.Token) Token {
	v := Token{ID: t.ID, Participant: t.Participant, Role: "participant", Name: t.Name, CreatedAt: formatTime(t.CreatedNs), Revoked: t.Revoked, RevokedAt: formatTime(t.RevokedNs)}
	if t.Participant == "" {
		v.Role = "operator"
	}
	return v
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request, _ Principal) {
	out := TokenList{Tokens: []Token{}}
	filter := r.URL.Query().Get("participant")
	s.d.Read(func(e *engine.Engine) {
		for _, t := range e.Tokens() {
			if filter == "" || t.Participant == filter {
				out.Tokens = append(out.Tokens, tokenView(&t))
			}
		}
	})
	s.writeJSON(w, http.StatusOK, out)
}

func (s *Server) issueToken(w http.ResponseWriter, r *http.Request, who Principal) {
	var req TokenRequest
	if p := s.decode(w, r, &req); p != nil {
		s.problem(w, r, p)
		return
	}
	if strings.TrimSpace(req.Name) == "" {
		s.problem(w, r, fieldProblem(http.StatusBadRequest, CodeFieldMissing, "name", "name the user or system the token is for"))
		return
	}
	t := daemon.NewToken()
	c := &engine.Command{Kind: engine.KindIssueToken, TokenID: t.ID, TokenHash: sha256.Sum256([]byte(t.Secret)), Participant: req.Participant, Name: req.Name}
	res, p := s.submit(r.Context(), c)
	if p == nil && res.Reason != engine.OK {
		p = rejection(res.Reason)
	}
	if p != nil {
		s.problem(w, r, p)
		return
	}
	var tok engine.Token
	s.d.Read(func(e *engine.Engine) { tok, _ = e.Authenticate(t.ID, c.TokenHash) })
	v := tokenView(&tok)
	v.Token = t.String()
	s.audit(who, "token issued", "token", t.ID, "participant", req.Participant, "name", req.Name)
	s.writeJSON(w, http.StatusCreated, v)
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, who Principal) {
	id := r.PathValue("id")
	res, p := s.submit(r.Context(), &engine.Command{Kind: engine.KindRevokeToken, TokenID: id})
	switch {
	case p != nil, res.Reason == engine.OK:
	case res.Reason == engine.LastOperatorToken:
		p = rejection(res.Reason)
	default: // an id that is not a token's id names no token either
		p = rejection(engine.TokenUnknown, engine.TokenUnknown)
	}
	if p != nil {
		s.problem(w, r, p)
		return
	}
	var v Token
	s.d.Read(func(e *engine.Engine) {
		for _, t := range e.Tokens() {
			if t.ID == id {
				v = tokenView(&t)
			}
		}
	})
	s.audit(who, "token revoked", "token", id)
	s.writeJSON(w, http.StatusOK, v)
}

func (s *Server) status(w http.ResponseWriter, r *http.Request, _ Principal) {
	st := s.d.Node().Status()
	out := Status{Leader: st.Leader, Term: st.Term, Applied: st.Applied, Committed: st.Committed, Recorded: st.RecordedIndex, SnapshotIndex: st.SnapshotIndex}
	withDigest := r.URL.Query().Get("digest") == "true"
	s.d.Read(func(e *engine.Engine) {
		if withDigest {
			// NB: hashes the whole state while holding the engine: on a
			// large union it pauses settlement, so it is asked for.
			d := e.Digest()
			out.Digest = hexString(d[:])
		}
		out.Participants = len(e.Participants())
		out.Accounts = e.AccountCount()
		out.Payments = e.NextPaymentID() - 1
		out.PendingTransfers = e.PendingCount()
		out.LogTime = formatTime(e.TimeNs())
	})
	s.writeJSON(w, http.StatusOK, out)
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&0xf])
	}
	return string(out)
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, who Principal) {
	v := Me{TokenID: who.TokenID, Name: who.Name, Role: "participant", Participant: who.Participant}
	if who.Operator() {
		v.Role = "operator"
	}
	s.writeJSON(w, http.StatusOK, v)
}

// audit logs an operator's change with who made it.
func (s *Server) audit(who Principal, msg string, args ...any) {
	s.log.Info(msg, append(args, "by_token", who.TokenID, "by_user", who.Name)...)
}

// decode reads and decodes a JSON body of at most BodyBytesMax bytes.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) *Problem {
	bp, p := readBody(w, r, BodyBytesMax)
	if p != nil {
		return p
	}
	defer releaseBody(bp)
	return decodeJSON(*bp, v)
}
