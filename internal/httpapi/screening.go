package httpapi

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/mutua-org/mutua/internal/engine"
	"github.com/mutua-org/mutua/internal/screening"
)

// Sanctions screening for operators: the list versions and which are active,
// importing new versions, screening a name, and the review queue of held
// payments. Participants never reach these routes; for them a held payment is
// only "held" (for compliance review), without the matched entry.

// Problem codes of the screening routes.
const (
	CodeListInvalid      = "list_invalid"           // 422: an imported list file does not parse
	CodeListUnknown      = "list_unknown"           // 404: a list version id that is neither shipped nor imported
	CodeMediaUnsupported = "media_type_unsupported" // 415: a list file in a format the node does not read
)

// ListBodyBytesMax bounds an imported list file: the UN consolidated list is
// about 2 MiB and OFAC's full SDN files about 10 MiB.
const ListBodyBytesMax = 64 << 20

// ScreeningConfig is the active screening configuration and every list version
// the node knows.
type ScreeningConfig struct {
	Active    []string      `json:"active" doc:"ids of the active list versions"`
	Threshold int           `json:"threshold" doc:"score (0 to 1000) at or above which a payment is held"`
	FourEyes  bool          `json:"four_eyes" doc:"releases and rejections need two different operator users"`
	Versions  []ListVersion `json:"versions"`
}

// ListVersion describes one imported or shipped list version.
type ListVersion struct {
	ID          string `json:"id" doc:"source and content hash; the same file always gets the same id"`
	Source      string `json:"source"`
	Generated   string `json:"generated,omitempty" doc:"when the publisher generated the list"`
	SHA256      string `json:"sha256"`
	Entries     int    `json:"entries"`
	Individuals int    `json:"individuals"`
	Entities    int    `json:"entities"`
	Names       int    `json:"names"`
	Active      bool   `json:"active"`
}

// ScreeningUpdate activates list versions.
type ScreeningUpdate struct {
	Lists     []string `json:"lists" doc:"ids of the list versions to screen against"`
	Threshold int      `json:"threshold" doc:"700 to 1000 (screening reports no lower score); 0 for the default, 850"`
	FourEyes  bool     `json:"four_eyes"`
}

// ScreenRequest asks for the best matches of one name.
type ScreenRequest struct {
	Name        string `json:"name"`
	Kind        string `json:"kind,omitempty" enum:"individual,entity,vessel,aircraft"`
	Country     string `json:"country,omitempty"`
	DateOfBirth string `json:"date_of_birth,omitempty" doc:"YYYY, YYYY-MM or YYYY-MM-DD"`
}

// ScreenResult lists the matches of a name.
type ScreenResult struct {
	Lists   string        `json:"lists"`
	Matches []ScreenMatch `json:"matches"`
}

// ScreenMatch is one list entry matching a name, with the reasoning.
type ScreenMatch struct {
	Reference   string `json:"reference"`
	ListedName  string `json:"listed_name"`
	PrimaryName string `json:"primary_name"`
	Regime      string `json:"regime,omitempty"`
	ListVersion string `json:"list_version"`
	Score       int    `json:"score"`
	Hit         bool   `json:"hit"`
	Explanation string `json:"explanation"`
}

// HeldPayment is a payment waiting for compliance review, with the evidence.
type HeldPayment struct {
	Payment  Payment  `json:"payment"`
	Evidence Evidence `json:"evidence"`
	// FirstApproval is set under four-eyes once one operator has decided.
	FirstApproval *Approval `json:"first_approval,omitempty"`
}

// Evidence is what screening found.
type Evidence struct {
	Lists  string `json:"lists"`
	Score  int    `json:"score"`
	Party  string `json:"party" doc:"which party matched: debtor, creditor, ultimate_debtor, ultimate_creditor, or the paying or paid member (debtor_agent, creditor_agent)"`
	Ref    string `json:"reference"`
	Listed string `json:"listed_name"`
}

// Approval is the first of two decisions under four-eyes.
type Approval struct {
	User   string `json:"user"`
	Action string `json:"action" enum:"release,reject"`
}

// HeldList is the review queue.
type HeldList struct {
	Held []HeldPayment `json:"held"`
}

// ReviewRequest carries the reviewer's reason.
type ReviewRequest struct {
	Reason string `json:"reason" doc:"why: kept in the audit record"`
}

// ReviewResult is the payment after a review decision.
type ReviewResult struct {
	Payment Payment `json:"payment"`
	// AwaitingSecond is true when this was the first approval under four-eyes.
	AwaitingSecond bool   `json:"awaiting_second_approval,omitempty"`
	Reason         string `json:"reason,omitempty" doc:"why the payment ended rejected (compliance_rejected, or the settlement reason after a release)"`
}

func (s *Server) screeningRoutes() []*route {
	const tag = "screening (operator)"
	write := []int{400, 401, 403, 404, 409, 413, 422, 503}
	heldID := pathParam("id", "payment id")
	return []*route{
		{"GET", "/v1/screening", operatorOnly, s.getScreening, op{id: "getScreening", tag: tag, summary: "Active sanctions lists, threshold and every known list version", response: ScreeningConfig{}, status: 200, problems: []int{401, 403}}},
		{"PUT", "/v1/screening", operatorOnly, s.putScreening, op{id: "putScreening", tag: tag, summary: "Activate list versions and set the threshold and four-eyes rule",
			description: "Takes effect for payments screened after the change is applied; past decisions stay as recorded.", request: ScreeningUpdate{}, response: ScreeningConfig{}, status: 200, problems: write}},
		{"POST", "/v1/screening/lists", operatorOnly, s.importList, op{id: "importList", tag: tag, summary: "Import a list version from a file",
			description: "application/xml: the UN Security Council Consolidated List. text/csv: an operator's own list (header " + screening.CSVHeader + "; query source=NAME). multipart/form-data with parts sdn, alt, add (and optionally comments): OFAC's SDN CSV files. The version is stored, not activated.",
			params:      []param{queryParam("source", "name of an operator's CSV list"), queryParam("generated", "when the list was generated, if the file does not say")}, response: ListVersion{}, status: 201, problems: write}},
		{"POST", "/v1/screening/check", operatorOnly, s.checkName, op{id: "checkName", tag: tag, summary: "Screen one name against the active lists", request: ScreenRequest{}, response: ScreenResult{}, status: 200, problems: []int{400, 401, 403, 503}}},
		{"GET", "/v1/screening/held", operatorOnly, s.listHeld, op{id: "listHeld", tag: tag, summary: "Payments held for review, with the matching evidence", response: HeldList{}, status: 200, problems: []int{401, 403, 503}}},
		{"POST", "/v1/screening/held/{id}/release", operatorOnly, s.releaseHeld, op{id: "releaseHeld", tag: tag, summary: "Release a held payment to settlement", description: "The reviewer is the token's user. Under four-eyes the first approval changes nothing; another user's agreement executes it.", params: []param{heldID}, request: ReviewRequest{}, response: ReviewResult{}, status: 200, problems: write}},
		{"POST", "/v1/screening/held/{id}/reject", operatorOnly, s.rejectHeld, op{id: "rejectHeld", tag: tag, summary: "Reject a held payment", params: []param{heldID}, request: ReviewRequest{}, response: ReviewResult{}, status: 200, problems: write}},
	}
}

func (s *Server) screeningConfig() (ScreeningConfig, *Problem) {
	var active string
	var cfg ScreeningConfig
	var threshold uint16
	s.d.Read(func(e *engine.Engine) { active, threshold, cfg.FourEyes = e.ScreeningConfig() })
	cfg.Threshold = int(threshold)
	if active != "" {
		cfg.Active = strings.Split(active, "+")
	}
	versions, err := s.d.ListVersions()
	if err != nil {
		return cfg, internal(err)
	}
	for _, v := range versions {
		cfg.Versions = append(cfg.Versions, listVersionView(&v, cfg.Active))
	}
	return cfg, nil
}

func listVersionView(v *screening.ListVersion, active []string) ListVersion {
	isActive := false
	for _, id := range active {
		isActive = isActive || id == v.ID
	}
	return ListVersion{ID: v.ID, Source: v.Source, Generated: v.Generated, SHA256: v.SHA256, Entries: v.Counts.Entries,
		Individuals: v.Counts.Individuals, Entities: v.Counts.Entities, Names: v.Counts.Names, Active: isActive}
}

func (s *Server) getScreening(w http.ResponseWriter, r *http.Request, who Principal) {
	cfg, p := s.screeningConfig()
	if p != nil {
		s.problem(w, r, p)
		return
	}
	s.writeJSON(w, http.StatusOK, cfg)
}

func (s *Server) putScreening(w http.ResponseWriter, r *http.Request, who Principal) {
	var req ScreeningUpdate
	if p := s.decode(w, r, &req); p != nil {
		s.problem(w, r, p)
		return
	}
	if len(req.Lists) == 0 {
		s.problem(w, r, fieldProblem(http.StatusUnprocessableEntity, engine.ThresholdInvalid.String(), "lists", "name at least one list version"))
		return
	}
	if req.Threshold == 0 {
		req.Threshold = screening.DefaultThreshold
	}
	res, set, err := s.d.ActivateLists(r.Context(), req.Lists, req.Threshold, req.FourEyes)
	if err != nil {
		if res == nil && set == "" {
			s.problem(w, r, fieldProblem(http.StatusNotFound, CodeListUnknown, "lists", err.Error()))
			return
		}
		s.problem(w, r, s.unavailable(err))
		return
	}
	if res.Reason != engine.OK {
		s.problem(w, r, rejection(res.Reason))
		return
	}
	s.log.Info("screening lists activated", "lists", set, "threshold", req.Threshold, "four_eyes", req.FourEyes, "operator", who.Name)
	s.getScreening(w, r, who)
}

func (s *Server) importList(w http.ResponseWriter, r *http.Request, who Principal) {
	r.Body = http.MaxBytesReader(w, r.Body, ListBodyBytesMax)
	mediaType, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var v *screening.ListVersion
	var err error
	switch mediaType {
	case "application/xml", "text/xml":
		v, err = screening.ParseUN(r.Body)
	case "text/csv":
		source := r.URL.Query().Get("source")
		if source == "" {
			source = "CSV"
		}
		v, err = screening.ParseCSVSource(source, r.Body)
	case "multipart/form-data":
		v, err = parseOFACForm(multipart.NewReader(r.Body, params["boundary"]))
	default:
		s.problem(w, r, &Problem{Status: http.StatusUnsupportedMediaType, Code: CodeMediaUnsupported, Detail: "send application/xml (UN list), text/csv (own list) or multipart/form-data (OFAC files)"})
		return
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		s.problem(w, r, &Problem{Status: http.StatusRequestEntityTooLarge, Code: CodeBodyTooLarge, Detail: err.Error()})
		return
	case err != nil:
		s.problem(w, r, &Problem{Status: http.StatusUnprocessableEntity, Code: CodeListInvalid, Detail: err.Error()})
		return
	}
	if g := r.URL.Query().Get("generated"); g != "" && v.Generated == "" {
		v.Generated = g
	}
	if err := s.d.ImportList(v); err != nil {
		s.problem(w, r, internal(err))
		return
	}
	s.log.Info("screening list imported", "id", v.ID, "source", v.Source, "entries", v.Counts.Entries, "operator", who.Name)
	s.writeJSON(w, http.StatusCreated, listVersionView(v, nil))
}

// parseOFACForm reads the OFAC files from a multipart form.
func parseOFACForm(mr *multipart.Reader) (*screening.ListVersion, error) {
	parts := map[string][]byte{}
	for {
		part, err := mr.NextPart()
		if err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, err
		}
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(part); err != nil {
			return nil, err
		}
		parts[part.FormName()] = buf.Bytes()
	}
	for _, name := range []string{"sdn", "alt", "add"} {
		if parts[name] == nil {
			return nil, errors.New("OFAC import needs the parts sdn, alt and add")
		}
	}
	f := screening.OFACFiles{SDN: bytes.NewReader(parts["sdn"]), Alt: bytes.NewReader(parts["alt"]), Add: bytes.NewReader(parts["add"])}
	if c := parts["comments"]; c != nil {
		f.Comments = bytes.NewReader(c)
	}
	return screening.ParseOFACFiles(f)
}

func (s *Server) checkName(w http.ResponseWriter, r *http.Request, who Principal) {
	var req ScreenRequest
	if p := s.decode(w, r, &req); p != nil {
		s.problem(w, r, p)
		return
	}
	q := screening.Query{Name: req.Name, Country: req.Country}
	var err error
	if q.Kind, err = screening.ParseKind(req.Kind); err != nil {
		s.problem(w, r, fieldProblem(http.StatusBadRequest, CodeFieldInvalid, "kind", err.Error()))
		return
	}
	if req.DateOfBirth != "" {
		if q.DateOfBirth, err = screening.ParseDate(req.DateOfBirth); err != nil {
			s.problem(w, r, fieldProblem(http.StatusBadRequest, CodeFieldInvalid, "date_of_birth", err.Error()))
			return
		}
	}
	if err := q.Validate(); err != nil {
		s.problem(w, r, fieldProblem(http.StatusBadRequest, CodeFieldInvalid, "name", err.Error()))
		return
	}
	matches, lists, err := s.d.ScreenName(q)
	if err != nil {
		s.problem(w, r, s.unavailable(err))
		return
	}
	var threshold uint16
	s.d.Read(func(e *engine.Engine) { _, threshold, _ = e.ScreeningConfig() })
	out := ScreenResult{Lists: lists, Matches: []ScreenMatch{}}
	for _, m := range matches {
		out.Matches = append(out.Matches, ScreenMatch{Reference: m.Reference, ListedName: m.ListedName, PrimaryName: m.PrimaryName, Regime: m.Regime,
			ListVersion: m.ListVersion, Score: m.Score, Hit: m.Score >= int(threshold), Explanation: m.Explanation.String()})
	}
	s.writeJSON(w, http.StatusOK, out)
}

func (s *Server) listHeld(w http.ResponseWriter, r *http.Request, who Principal) {
	var held []engine.Payment
	s.d.Read(func(e *engine.Engine) { held = e.Held() })
	if err := s.waitRecorded(r.Context()); err != nil {
		s.problem(w, r, s.unavailable(err))
		return
	}
	out := HeldList{Held: []HeldPayment{}}
	for _, hp := range held {
		rec, found, err := s.d.History().Payment(hp.ID)
		if err != nil {
			s.problem(w, r, internal(err))
			return
		}
		if !found {
			continue
		}
		ev := rec.Command.Screening
		item := HeldPayment{Payment: paymentView(&rec, who), Evidence: Evidence{Lists: ev.Lists, Score: int(ev.Score), Party: ev.Party, Ref: ev.Ref, Listed: ev.Listed}}
		s.d.Read(func(e *engine.Engine) {
			if user, release, found := e.PendingReview(hp.ID); found {
				action := "reject"
				if release {
					action = "release"
				}
				item.FirstApproval = &Approval{User: user, Action: action}
			}
		})
		out.Held = append(out.Held, item)
	}
	s.writeJSON(w, http.StatusOK, out)
}

func (s *Server) releaseHeld(w http.ResponseWriter, r *http.Request, who Principal) {
	s.review(w, r, who, engine.KindRelease)
}

func (s *Server) rejectHeld(w http.ResponseWriter, r *http.Request, who Principal) {
	s.review(w, r, who, engine.KindRejectHeld)
}

func (s *Server) review(w http.ResponseWriter, r *http.Request, who Principal, kind engine.Kind) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil {
		s.problem(w, r, fieldProblem(http.StatusNotFound, CodePaymentUnknown, "id", "no held payment with this id"))
		return
	}
	var req ReviewRequest
	if p := s.decode(w, r, &req); p != nil {
		s.problem(w, r, p)
		return
	}
	if strings.TrimSpace(req.Reason) == "" {
		s.problem(w, r, fieldProblem(http.StatusUnprocessableEntity, engine.TextInvalid.String(), "reason", "a review decision needs a reason for the audit record"))
		return
	}
	user := who.Name
	if user == "" {
		user = "token " + who.TokenID
	}
	res, p := s.submit(r.Context(), &engine.Command{Kind: kind, PendingID: id, Name: user, Remittance: req.Reason})
	if p == nil && res.Reason != engine.OK {
		p = rejection(res.Reason, engine.NotHeld)
	}
	if p != nil {
		s.problem(w, r, p)
		return
	}
	if err := s.waitRecorded(r.Context()); err != nil {
		s.problem(w, r, s.unavailable(err))
		return
	}
	rec, _, err := s.d.History().Payment(id)
	if err != nil {
		s.problem(w, r, internal(err))
		return
	}
	out := ReviewResult{Payment: paymentView(&rec, who), AwaitingSecond: res.Status == engine.StatusHeld}
	if res.PaymentReason != engine.OK {
		out.Reason = res.PaymentReason.String()
	}
	s.log.Info("compliance review", "payment", id, "action", kind.String(), "operator", user, "reason", req.Reason, "status", res.Status.String())
	s.writeJSON(w, http.StatusOK, out)
}
