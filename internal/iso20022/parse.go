package iso20022

import (
	"errors"
	"fmt"
	"github.com/mutua-org/mutua/internal/bic"
	"io"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
	"time"

	"github.com/mutua-org/mutua/internal/money"
)

// ErrBodyTooLarge is returned by ReadBody for a message over BodySizeMax.
var ErrBodyTooLarge = errors.New("iso20022: message larger than BodySizeMax")

// ReadBody reads a whole message from r, refusing more than BodySizeMax
// bytes without reading further.
func ReadBody(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, BodySizeMax+1))
	if err != nil {
		return nil, fmt.Errorf("iso20022: read message: %w", err)
	}
	if len(b) > BodySizeMax {
		return nil, ErrBodyTooLarge
	}
	return b, nil
}

// Parse decodes and validates one message: a bare Document, or an AppHdr
// and a Document side by side, possibly inside an envelope element of the
// sender's network. It returns every validation error it finds (up to
// ErrorsMax). The message is returned whenever the document could be
// identified, even with errors, so that a caller can report per-transaction
// statuses; it is nil only when the input is not a usable XML message.
func Parse(data []byte) (*Message, Errors) {
	return ParseString(string(data))
}

// ParseString is Parse for a message already held as a string; the result
// shares memory with src.
func ParseString(src string) (*Message, Errors) {
	t, serr := scan(src)
	if serr != nil {
		line, col := lineCol(src, serr.pos)
		return nil, Errors{{Rule: serr.rule, Reason: ReasonInvalidFileFormat,
			Msg: fmt.Sprintf("line %d, column %d: %s", line, col, serr.msg)}}
	}
	p := &parser{t: t, doc: -1, hdr: -1}
	m := p.message()
	return m, p.errs
}

// parser walks a scanned tree into message structs, collecting errors.
type parser struct {
	t     *tree
	def   MsgDef
	gen23 bool
	errs  Errors
	tx    int // 1-based transaction being decoded; 0 outside transactions
	doc   int32
	hdr   int32
}

// docRootNames maps message kinds to the element under Document.
var docRootNames = map[string]string{
	"pacs.008": "FIToFICstmrCdtTrf",
	"pacs.009": "FICdtTrf",
	"pacs.004": "PmtRtr",
	"camt.056": "FIToFIPmtCxlReq",
	"pacs.002": "FIToFIPmtStsRpt",
	"camt.052": "BkToCstmrAcctRpt",
	"camt.053": "BkToCstmrStmt",
	"camt.054": "BkToCstmrDbtCdtNtfctn",
}

func (p *parser) message() *Message {
	if roots := p.t.roots; len(roots) == 2 {
		// AppHdr and Document side by side, without an envelope.
		if p.t.name(roots[0]) != "AppHdr" || p.t.name(roots[1]) != "Document" {
			p.add(&Error{Rule: RuleXML, Reason: ReasonInvalidFileFormat,
				Msg: fmt.Sprintf("two top-level elements %s and %s; only AppHdr followed by Document is accepted",
					p.t.name(roots[0]), p.t.name(roots[1]))})
			return nil
		}
		p.hdr, p.doc = roots[0], roots[1]
	} else {
		p.locate(0, 0)
	}
	if p.doc < 0 {
		if len(p.errs) == 0 {
			p.add(&Error{Rule: RuleEnvelope, Reason: ReasonInvalidFileFormat,
				Msg: fmt.Sprintf("no Document element (root element is %s)", p.t.name(0))})
		}
		return nil
	}
	def, ok := p.namespaceDef(p.doc, "Document")
	if !ok {
		return nil
	}
	if def.Kind() == "head.001" {
		p.errAt(p.doc, RuleNamespace, ReasonInvalidFileFormat, "Document has the header namespace %s", def.Namespace())
		return nil
	}
	p.def, p.gen23 = def, def.gen2023()
	m := &Message{Def: def}
	if p.hdr >= 0 {
		m.AppHdr = p.decodeAppHdr(p.hdr)
	}
	p.checkNamespaces(p.doc)

	want := docRootNames[def.Kind()]
	var body int32 = -1
	for c := p.t.nodes[p.doc].first; c >= 0; c = p.t.nodes[c].next {
		if p.t.name(c) == want && body < 0 {
			body = c
			continue
		}
		p.errAt(c, RuleNamespace, ReasonInvalidFileFormat, "unexpected element %s in a %s Document", p.t.name(c), def)
	}
	if body < 0 {
		p.missing(p.doc, want, ReasonInvalidFileFormat)
		return m
	}
	switch def.Kind() {
	case "pacs.008", "pacs.009":
		m.CreditTransfer = p.creditTransfer(body)
	case "pacs.004":
		m.PaymentReturn = p.paymentReturn(body)
	case "camt.056":
		m.CancellationRequest = p.cancellationRequest(body)
	case "pacs.002":
		m.StatusReport = p.statusReport(body)
	case "camt.052", "camt.053", "camt.054":
		m.AccountReport = p.accountReport(body, ReportKind(def.Kind()))
	}
	return m
}

// locate finds the Document and AppHdr elements: the root itself, or
// elements at most EnvelopeDepthMax levels inside an envelope.
func (p *parser) locate(n int32, depth int) {
	switch p.t.name(n) {
	case "Document":
		if p.doc >= 0 {
			p.errAt(n, RuleEnvelope, ReasonInvalidFileFormat, "more than one Document")
			return
		}
		p.doc = n
		return
	case "AppHdr":
		if p.hdr >= 0 {
			p.errAt(n, RuleEnvelope, ReasonInvalidFileFormat, "more than one AppHdr")
			return
		}
		p.hdr = n
		return
	}
	if depth >= EnvelopeDepthMax {
		return
	}
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		p.locate(c, depth+1)
	}
}

// namespaceDef checks that element n is in a supported ISO 20022 namespace.
func (p *parser) namespaceDef(n int32, what string) (MsgDef, bool) {
	uri := p.t.nss[p.t.nodes[n].ns]
	if !strings.HasPrefix(uri, NamespacePrefix) {
		p.errAt(n, RuleNamespace, ReasonInvalidFileFormat, "%s namespace %q is not an ISO 20022 namespace", what, uri)
		return "", false
	}
	def, ok := parseMsgDef(uri[len(NamespacePrefix):])
	if !ok {
		p.errAt(n, RuleNamespace, ReasonInvalidFileFormat, "%s namespace %q names no message definition", what, uri)
		return "", false
	}
	r, known := supported[def.Kind()]
	if !known || def[8:12] != ".001" {
		p.errAt(n, RuleNamespace, ReasonInvalidFileFormat, "message %s is not supported", def)
		return "", false
	}
	if v := def.Version(); v < r[0] || v > r[1] {
		p.errAt(n, RuleNamespace, ReasonInvalidFileFormat, "%s version %02d is not supported; supported versions are %02d to %02d", def.Kind(), v, r[0], r[1])
		return "", false
	}
	return def, true
}

// checkNamespaces reports the first element under root that is not in
// root's namespace, skipping the xs:any wildcards (signatures,
// supplementary data).
func (p *parser) checkNamespaces(root int32) {
	ns := p.t.nodes[root].ns
	end := p.t.end(root)
	for i := root + 1; i <= end; i++ {
		n := &p.t.nodes[i]
		if name := p.t.name(i); name == "Envlp" || name == "Sgntr" {
			i = p.t.end(i)
			continue
		}
		if n.ns != ns {
			p.errAt(i, RuleNamespace, ReasonInvalidFileFormat, "element %s is in namespace %q, not %q", p.t.name(i), p.t.nss[n.ns], p.t.nss[ns])
			return
		}
	}
}

// Errors.

func (p *parser) add(e *Error) {
	switch {
	case len(p.errs) < ErrorsMax:
		p.errs = append(p.errs, e)
	case len(p.errs) == ErrorsMax:
		p.errs = append(p.errs, &Error{Rule: RuleLimit, Reason: ReasonInvalidFileFormat,
			Msg: fmt.Sprintf("more than %d errors; the rest are not reported", ErrorsMax)})
	}
}

func (p *parser) errAt(n int32, rule Rule, reason Reason, format string, args ...any) {
	p.add(&Error{Path: p.path(n), Rule: rule, Reason: reason, Tx: p.tx, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) missing(parent int32, name string, reason Reason) {
	if reason == "" {
		reason = ReasonRequiredMissing
	}
	p.add(&Error{Path: p.path(parent) + "/" + name, Rule: RuleRequired, Reason: reason, Tx: p.tx,
		Msg: name + " is required"})
}

// path returns the element path of n from its Document or AppHdr root.
func (p *parser) path(n int32) string {
	var segs []string
	for i := n; i >= 0; i = p.t.nodes[i].parent {
		nd := &p.t.nodes[i]
		seg := p.t.name(i)
		if nd.parent >= 0 && repeatable[seg] {
			k := 1
			for c := p.t.nodes[nd.parent].first; c >= 0 && c != i; c = p.t.nodes[c].next {
				if p.t.name(c) == seg {
					k++
				}
			}
			seg += "[" + strconv.Itoa(k) + "]"
		}
		segs = append(segs, seg)
		if i == p.doc || i == p.hdr {
			break
		}
	}
	var b strings.Builder
	for i := len(segs) - 1; i >= 0; i-- {
		b.WriteByte('/')
		b.WriteString(segs[i])
	}
	return b.String()
}

// Leaf values.

// text returns the text of leaf n, reporting an element with children.
func (p *parser) text(n int32) (string, bool) {
	if p.t.nodes[n].first >= 0 {
		p.errAt(n, RulePattern, ReasonElementContent, "%s must hold text, not elements", p.t.name(n))
		return "", false
	}
	return p.t.text(n), true
}

// Max lengths of ISO text types.
const (
	max4    = 4
	max16   = 16
	max34   = 34
	max35   = 35
	max70   = 70
	max105  = 105
	max140  = 140
	max256  = 256
	max500  = 500
	max2048 = 2048
)

// str stores the text of n in *dst after checking it is not repeated and
// has 1 to max characters.
func (p *parser) str(dst *string, n int32, max int) bool {
	if *dst != "" {
		p.errAt(n, RuleRepeated, ReasonElementContent, "%s occurs more than once", p.t.name(n))
		return false
	}
	s, ok := p.text(n)
	if !ok {
		return false
	}
	if s == "" {
		p.errAt(n, RuleEmpty, ReasonElementContent, "%s is empty", p.t.name(n))
		return false
	}
	*dst = s // NB: kept even when too long, so that "required" checks do not fire as well.
	if len(s) > max && runeLen(s) > max {
		p.errAt(n, RuleMaxLength, ReasonElementContent, "%s has %d characters; at most %d are allowed", p.t.name(n), runeLen(s), max)
		return false
	}
	return true
}

// strs appends the text of n to *dst, at most limit occurrences (0: no limit).
func (p *parser) strs(dst *[]string, n int32, max, limit int) {
	var s string
	if !p.str(&s, n, max) {
		return
	}
	if limit > 0 && len(*dst) >= limit {
		p.errAt(n, RuleTooMany, ReasonElementContent, "more than %d %s elements", limit, p.t.name(n))
		return
	}
	*dst = append(*dst, s)
}

// enum stores the text of n in *dst if it is one of values.
func (p *parser) enum(dst *string, n int32, reason Reason, values ...string) {
	var s string
	if !p.str(&s, n, max35) {
		return
	}
	for _, v := range values {
		if s == v {
			if *dst != "" {
				p.errAt(n, RuleRepeated, ReasonElementContent, "%s occurs more than once", p.t.name(n))
				return
			}
			*dst = s
			return
		}
	}
	if reason == "" {
		reason = ReasonElementContent
	}
	p.errAt(n, RuleCode, reason, "%s %q is not one of %s", p.t.name(n), s, strings.Join(values, ", "))
}

// extCode stores an external code (upper-case letters and digits, 1 to max).
func (p *parser) extCode(dst *string, n int32, max int, reason Reason) {
	var s string
	if !p.str(&s, n, max) {
		return
	}
	for i := 0; i < len(s); i++ {
		if !isUpperAlnum(s[i]) {
			p.errAt(n, RuleCode, reason, "%s %q is not an ISO external code", p.t.name(n), s)
			return
		}
	}
	*dst = s
}

// code decodes a code-or-proprietary choice.
func (p *parser) code(dst *Code, n int32, cdMax, prtryMax int, reason Reason) {
	if !dst.IsZero() {
		p.errAt(n, RuleRepeated, ReasonElementContent, "%s occurs more than once", p.t.name(n))
		return
	}
	var c Code
	count := 0
	for k := p.t.nodes[n].first; k >= 0; k = p.t.nodes[k].next {
		switch p.t.name(k) {
		case "Cd":
			count++
			p.extCode(&c.Cd, k, cdMax, reason)
		case "Prtry":
			count++
			p.str(&c.Prtry, k, prtryMax)
		}
	}
	if count != 1 {
		p.errAt(n, RuleChoice, reason, "%s needs exactly one of Cd and Prtry", p.t.name(n))
	}
	*dst = c
}

func (p *parser) bic(dst *string, n int32, reason Reason) {
	if !p.str(dst, n, 11) {
		return
	}
	if !bic.Valid(*dst) {
		p.errAt(n, RuleBIC, reason, "%q is not a valid BIC", *dst)
	}
}

func (p *parser) lei(dst *string, n int32, reason Reason) {
	if !p.str(dst, n, 20) {
		return
	}
	if !validLEI(*dst) {
		p.errAt(n, RuleLEI, reason, "%q is not a valid LEI (pattern or check digits)", *dst)
	}
}

func (p *parser) uetr(dst *string, n int32) {
	if !p.str(dst, n, 36) {
		return
	}
	if !validUUIDv4(*dst) {
		p.errAt(n, RuleUETR, ReasonElementContent, "%q is not a lower-case UUIDv4", *dst)
	}
}

func (p *parser) country(dst *string, n int32) {
	if !p.str(dst, n, 2) {
		return
	}
	if !validCountry(*dst) {
		p.errAt(n, RulePattern, ReasonElementContent, "%q is not an ISO 3166 country code", *dst)
	}
}

func (p *parser) currency(dst *string, n int32) {
	if !p.str(dst, n, 3) {
		return
	}
	if _, ok := money.Lookup(*dst); !ok {
		p.errAt(n, RuleCurrency, ReasonInvalidCurrency, "%q is not an ISO 4217 currency", *dst)
	}
}

func (p *parser) date(dst *Date, n int32) {
	if !dst.IsZero() {
		p.errAt(n, RuleRepeated, ReasonElementContent, "%s occurs more than once", p.t.name(n))
		return
	}
	s, ok := p.text(n)
	if !ok {
		return
	}
	d, ok := parseDate(trimCollapse(s))
	if !ok {
		p.errAt(n, RuleDate, ReasonInvalidDate, "%q is not an ISO date (YYYY-MM-DD)", s)
		return
	}
	*dst = d
}

func (p *parser) dateTime(dst *time.Time, n int32) {
	if !dst.IsZero() {
		p.errAt(n, RuleRepeated, ReasonElementContent, "%s occurs more than once", p.t.name(n))
		return
	}
	s, ok := p.text(n)
	if !ok {
		return
	}
	t, ok := parseDateTime(trimCollapse(s))
	if !ok {
		p.errAt(n, RuleDateTime, ReasonInvalidDate, "%q is not an ISO date-time (YYYY-MM-DDThh:mm:ss[.s][Z|±hh:mm])", s)
		return
	}
	*dst = t
}

// numeric stores a Max15NumericText.
func (p *parser) numeric(dst *string, n int32) bool {
	if !p.str(dst, n, 15) {
		return false
	}
	if !validNumeric(*dst, 15) {
		p.errAt(n, RulePattern, ReasonElementContent, "%q is not 1 to 15 digits", *dst)
		*dst = ""
		return false
	}
	return true
}

func (p *parser) boolean(dst *string, n int32) {
	s, ok := p.text(n)
	if !ok {
		return
	}
	switch s = trimCollapse(s); s {
	case "true", "false", "1", "0":
		*dst = s
	default:
		p.errAt(n, RulePattern, ReasonElementContent, "%q is not a boolean", s)
	}
}

// decimal stores an xs:decimal with at most total digits and frac fraction
// digits, as sent (collapsed).
func (p *parser) decimal(dst *string, n int32, total, frac int) {
	if *dst != "" {
		p.errAt(n, RuleRepeated, ReasonElementContent, "%s occurs more than once", p.t.name(n))
		return
	}
	s, ok := p.text(n)
	if !ok {
		return
	}
	s = trimCollapse(s)
	if !validDecimal(s, total, frac) {
		p.errAt(n, RuleDecimal, ReasonElementContent, "%q is not a decimal number of at most %d digits, %d after the point", s, total, frac)
		return
	}
	*dst = s
}

// validDecimal checks xs:decimal lexical form, non-negative, and the
// totalDigits and fractionDigits facets.
func validDecimal(s string, total, frac int) bool {
	if s != "" && s[0] == '+' {
		s = s[1:]
	}
	intPart, fracPart, _ := strings.Cut(s, ".")
	if intPart == "" && fracPart == "" {
		return false
	}
	for _, part := range []string{intPart, fracPart} {
		for i := 0; i < len(part); i++ {
			if !isDigit(part[i]) {
				return false
			}
		}
	}
	intPart = strings.TrimLeft(intPart, "0")
	fracPart = strings.TrimRight(fracPart, "0")
	return len(fracPart) <= frac && len(intPart)+len(fracPart) <= total
}

// amountDigitsMax bounds amounts to the 18 total digits of
// ActiveCurrencyAndAmount: a minor-unit value below 10^18 always fits.
const amountValueMax = 999_999_999_999_999_999

// amount decodes an amount with a Ccy attribute into minor units. positive
// requires a non-zero amount.
func (p *parser) amount(dst *Amount, n int32, positive bool) bool {
	if dst.Currency != "" {
		p.errAt(n, RuleRepeated, ReasonElementContent, "%s occurs more than once", p.t.name(n))
		return false
	}
	ccy, ok := p.t.attr(n, "Ccy")
	if !ok {
		p.errAt(n, RuleCurrency, ReasonInvalidCurrency, "%s has no Ccy attribute", p.t.name(n))
		return false
	}
	cur, ok := money.Lookup(ccy)
	if !ok {
		p.errAt(n, RuleCurrency, ReasonInvalidCurrency, "%q is not an ISO 4217 currency", ccy)
		return false
	}
	s, ok := p.text(n)
	if !ok {
		return false
	}
	v, err := money.ParseAmount(normalizeDecimal(s), cur.Exponent)
	switch {
	case errors.Is(err, money.ErrAmountPrecision):
		p.errAt(n, RulePrecision, ReasonInvalidAmount, "%s %s has more than the %d decimals of %s", ccy, s, cur.Exponent, ccy)
		return false
	case err != nil || v > amountValueMax:
		p.errAt(n, RuleAmount, ReasonInvalidAmount, "%q is not a valid amount", s)
		return false
	case positive && v == 0:
		p.errAt(n, RuleAmountZero, ReasonZeroAmount, "amount is zero")
		return false
	}
	*dst = Amount{Value: v, Currency: ccy}
	return true
}

// normalizeDecimal turns the xs:decimal forms money.ParseAmount does not
// take ("+1", " 1.5 ", ".5", "5.") into ones it does; plain input is
// returned as is.
func normalizeDecimal(s string) string {
	s = trimCollapse(s)
	if s == "" {
		return s
	}
	if s[0] == '+' {
		s = s[1:]
	}
	if s != "" && s[0] == '.' {
		s = "0" + s
	}
	if s != "" && s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}

// Shared structures.

func (p *parser) postalAddress(n int32) *PostalAddress {
	a := &PostalAddress{}
	long := max35 // TwnNm, BldgNm, TwnLctnNm, DstrctNm: Max35Text before 2023
	street := max70
	if p.gen23 {
		long, street = max140, max140
	}
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "AdrTp":
			for k := p.t.nodes[c].first; k >= 0; k = p.t.nodes[k].next {
				if p.t.name(k) == "Cd" {
					p.enum(&a.AdrTp, k, "", "ADDR", "PBOX", "HOME", "BIZZ", "MLTO", "DLVY")
				}
			}
		case "CareOf":
			p.gen23Only(c)
			p.str(&a.CareOf, c, max140)
		case "Dept":
			p.str(&a.Dept, c, max70)
		case "SubDept":
			p.str(&a.SubDept, c, max70)
		case "StrtNm":
			p.str(&a.StrtNm, c, street)
		case "BldgNb":
			p.str(&a.BldgNb, c, max16)
		case "BldgNm":
			p.str(&a.BldgNm, c, long)
		case "Flr":
			p.str(&a.Flr, c, max70)
		case "UnitNb":
			p.gen23Only(c)
			p.str(&a.UnitNb, c, max16)
		case "PstBx":
			p.str(&a.PstBx, c, max16)
		case "Room":
			p.str(&a.Room, c, max70)
		case "PstCd":
			p.str(&a.PstCd, c, max16)
		case "TwnNm":
			p.str(&a.TwnNm, c, long)
		case "TwnLctnNm":
			p.str(&a.TwnLctnNm, c, long)
		case "DstrctNm":
			p.str(&a.DstrctNm, c, long)
		case "CtrySubDvsn":
			p.str(&a.CtrySubDvsn, c, max35)
		case "Ctry":
			p.country(&a.Ctry, c)
		case "AdrLine":
			p.strs(&a.AdrLine, c, max70, 7)
		default:
			p.other(c, "PostalAddress")
		}
	}
	return a
}

// other handles an element a decoder does not model: the schema of the
// message kind allows it under one of types ("A|B"), or it is an error.
// Types the generated table lacks let everything through.
func (p *parser) other(n int32, types string) {
	table := schemaChildren[p.def.Kind()]
	name := p.t.name(n)
	known := false
	for types != "" {
		var typ string
		typ, types, _ = strings.Cut(types, "|")
		list, ok := table[typ]
		if !ok {
			continue
		}
		known = true
		if hasWord(list, name) {
			return
		}
	}
	if known {
		p.errAt(n, RuleUnexpected, ReasonElementNotAdmitted, "%s is not an element of %s in %s", name, p.t.name(p.t.nodes[n].parent), p.def.Kind())
	}
}

// hasWord reports whether the space-separated list contains word.
func hasWord(list, word string) bool {
	for list != "" {
		var w string
		w, list, _ = strings.Cut(list, " ")
		if w == word {
			return true
		}
	}
	return false
}

// gen23Only reports an element that only the 2023 generation of the
// schemas has.
func (p *parser) gen23Only(n int32) {
	if !p.gen23 {
		p.errAt(n, RuleVersion, ReasonElementNotAdmitted, "%s is not part of %s", p.t.name(n), p.def)
	}
}

func (p *parser) genericID(n int32, idMax int) GenericID {
	var g GenericID
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "Id":
			p.str(&g.ID, c, idMax)
		case "SchmeNm":
			p.code(&g.SchmeNm, c, max4, max35, ReasonElementContent)
		case "Issr":
			p.str(&g.Issr, c, max35)
		default:
			p.other(c, "GenericFinancialIdentification")
		}
	}
	if g.ID == "" && p.t.nodes[n].first >= 0 {
		p.missing(n, "Id", "")
	}
	return g
}

// agent decodes a BranchAndFinancialInstitutionIdentification; reason is
// the status reason for a bad identifier in this role.
func (p *parser) agent(n int32, reason Reason) *Agent {
	a := &Agent{}
	seen := false
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "FinInstnId":
			if seen {
				p.errAt(c, RuleRepeated, ReasonElementContent, "FinInstnId occurs more than once")
				continue
			}
			seen = true
			p.finInstnID(a, c, reason)
		case "BrnchId":
			for k := p.t.nodes[c].first; k >= 0; k = p.t.nodes[k].next {
				if p.t.name(k) == "Id" {
					p.str(&a.BrnchID, k, max35)
				}
			}
		default:
			p.other(c, "BranchAndFinancialInstitutionIdentification")
		}
	}
	if !seen {
		p.missing(n, "FinInstnId", reason)
	} else if a.BICFI == "" && a.MmbID == "" && a.LEI == "" && a.Othr == nil && a.Nm == "" {
		p.errAt(n, RuleAgent, reason, "%s identifies no institution: give BICFI, ClrSysMmbId, LEI, Othr or Nm", p.t.name(n))
	}
	return a
}

func (p *parser) finInstnID(a *Agent, n int32, reason Reason) {
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "BICFI":
			p.bic(&a.BICFI, c, reason)
		case "ClrSysMmbId":
			for k := p.t.nodes[c].first; k >= 0; k = p.t.nodes[k].next {
				switch p.t.name(k) {
				case "ClrSysId":
					p.code(&a.ClrSysID, k, 5, max35, reason)
				case "MmbId":
					p.str(&a.MmbID, k, max35)
				default:
					p.other(k, "ClearingSystemMemberIdentification")
				}
			}
			if a.MmbID == "" {
				p.missing(c, "MmbId", reason)
			}
		case "LEI":
			p.lei(&a.LEI, c, reason)
		case "Nm":
			p.str(&a.Nm, c, max140)
		case "PstlAdr":
			a.PstlAdr = p.postalAddress(c)
		case "Othr":
			g := p.genericID(c, max35)
			a.Othr = &g
		default:
			p.other(c, "FinancialInstitutionIdentification")
		}
	}
}

// party decodes a PartyIdentification135/272.
func (p *parser) party(n int32, idReason Reason) *Party {
	pt := &Party{}
	idMax := max35
	if p.gen23 {
		idMax = max256
	}
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "Nm":
			p.str(&pt.Nm, c, max140)
		case "PstlAdr":
			pt.PstlAdr = p.postalAddress(c)
		case "Id":
			count := 0
			for k := p.t.nodes[c].first; k >= 0; k = p.t.nodes[k].next {
				switch p.t.name(k) {
				case "OrgId":
					count++
					pt.OrgID = p.orgID(k, idMax, idReason)
				case "PrvtId":
					count++
					pt.PrvtID = p.prvtID(k, idMax)
				default:
					p.other(k, "PartyChoice")
				}
			}
			if count != 1 {
				p.errAt(c, RuleChoice, idReason, "Id needs exactly one of OrgId and PrvtId")
			}
		case "CtryOfRes":
			p.country(&pt.CtryOfRes, c)
		default:
			p.other(c, "PartyIdentification")
		}
	}
	return pt
}

func (p *parser) orgID(n int32, idMax int, reason Reason) *OrgID {
	o := &OrgID{}
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "AnyBIC":
			p.bic(&o.AnyBIC, c, reason)
		case "LEI":
			p.lei(&o.LEI, c, reason)
		case "Othr":
			o.Othr = append(o.Othr, p.genericID(c, idMax))
		default:
			p.other(c, "OrganisationIdentification")
		}
	}
	return o
}

func (p *parser) prvtID(n int32, idMax int) *PrvtID {
	o := &PrvtID{}
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "DtAndPlcOfBirth":
			for k := p.t.nodes[c].first; k >= 0; k = p.t.nodes[k].next {
				switch p.t.name(k) {
				case "BirthDt":
					p.date(&o.BirthDt, k)
				case "PrvcOfBirth":
					p.str(&o.PrvcOfBirth, k, max35)
				case "CityOfBirth":
					p.str(&o.CityOfBirth, k, max35)
				case "CtryOfBirth":
					p.country(&o.CtryOfBirth, k)
				default:
					p.other(k, "DateAndPlaceOfBirth")
				}
			}
		case "Othr":
			o.Othr = append(o.Othr, p.genericID(c, idMax))
		default:
			p.other(c, "PersonIdentification")
		}
	}
	return o
}

// account decodes a CashAccount38/40; reason is the status reason for a bad
// account number in this role.
func (p *parser) account(n int32, reason Reason) *Account {
	a := &Account{}
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "Id":
			count := 0
			for k := p.t.nodes[c].first; k >= 0; k = p.t.nodes[k].next {
				switch p.t.name(k) {
				case "IBAN":
					count++
					if p.str(&a.IBAN, k, max34) && !validIBAN(a.IBAN) {
						p.errAt(k, RuleIBAN, reason, "%q is not a valid IBAN (pattern, length or check digits)", a.IBAN)
					}
				case "Othr":
					count++
					g := p.genericID(k, max34)
					a.Othr = &g
				default:
					p.other(k, "AccountIdentificationChoice")
				}
			}
			if count != 1 {
				p.errAt(c, RuleChoice, reason, "Id needs exactly one of IBAN and Othr")
			}
		case "Tp":
			p.code(&a.Tp, c, max4, max35, ReasonElementContent)
		case "Ccy":
			p.currency(&a.Ccy, c)
		case "Nm":
			p.str(&a.Nm, c, max70)
		default:
			p.other(c, "CashAccount")
		}
	}
	if a.IBAN == "" && a.Othr == nil && !p.hasChild(n, "Id") {
		p.missing(n, "Id", reason)
	}
	return a
}

func (p *parser) hasChild(n int32, name string) bool {
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		if p.t.name(c) == name {
			return true
		}
	}
	return false
}

func (p *parser) paymentType(n int32) *PaymentType {
	pt := &PaymentType{}
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "InstrPrty":
			p.enum(&pt.InstrPrty, c, ReasonInvalidPmtTpInf, "HIGH", "NORM")
		case "ClrChanl":
			p.enum(&pt.ClrChanl, c, ReasonInvalidPmtTpInf, "RTGS", "RTNS", "MPNS", "BOOK")
		case "SvcLvl":
			var code Code
			p.code(&code, c, max4, max35, ReasonInvalidServiceLevel)
			pt.SvcLvl = append(pt.SvcLvl, code)
		case "LclInstrm":
			p.code(&pt.LclInstrm, c, max35, max35, ReasonInvalidLocalInstrm)
		case "CtgyPurp":
			p.code(&pt.CtgyPurp, c, max4, max35, ReasonInvalidCategoryPurp)
		default:
			p.other(c, "PaymentTypeInformation")
		}
	}
	return pt
}

func (p *parser) remittance(n int32) *Remittance {
	r := &Remittance{}
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "Ustrd":
			p.strs(&r.Ustrd, c, max140, 0)
		case "Strd":
			r.Strd = append(r.Strd, p.structured(c))
		default:
			p.other(c, "RemittanceInformation")
		}
	}
	return r
}

func (p *parser) structured(n int32) StructuredRemittance {
	var s StructuredRemittance
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "RfrdDocInf":
			var d ReferredDocument
			for k := p.t.nodes[c].first; k >= 0; k = p.t.nodes[k].next {
				switch p.t.name(k) {
				case "Tp":
					p.cdOrPrtry(&d.Tp, k)
				case "Nb":
					p.str(&d.Nb, k, max35)
				case "RltdDt":
					if !p.gen23 {
						p.date(&d.RltdDt, k) // ISODate before the 2023 generation
						continue
					}
					if p.t.nodes[k].first < 0 {
						p.errAt(k, RuleDate, ReasonInvalidDate, "RltdDt in %s holds Tp and Dt elements, not a date", p.def)
						continue
					}
					var tp Code
					for j := p.t.nodes[k].first; j >= 0; j = p.t.nodes[j].next {
						switch p.t.name(j) {
						case "Tp":
							p.code(&tp, j, max4, max35, ReasonElementContent)
						case "Dt":
							p.date(&d.RltdDt, j)
						default:
							p.other(j, "DateAndType")
						}
					}
					if tp.IsZero() && !p.hasChild(k, "Tp") {
						p.missing(k, "Tp", "")
					}
					if d.RltdDt.IsZero() && !p.hasChild(k, "Dt") {
						p.missing(k, "Dt", ReasonInvalidDate)
					}
				default:
					p.other(k, "ReferredDocumentInformation")
				}
			}
			s.RfrdDocInf = append(s.RfrdDocInf, d)
		case "CdtrRefInf":
			for k := p.t.nodes[c].first; k >= 0; k = p.t.nodes[k].next {
				switch p.t.name(k) {
				case "Tp":
					p.cdOrPrtry(&s.CdtrRefTp, k)
				case "Ref":
					p.str(&s.CdtrRef, k, max35)
				default:
					p.other(k, "CreditorReferenceInformation")
				}
			}
		case "AddtlRmtInf":
			p.strs(&s.AddtlRmtInf, c, max140, 3)
		default:
			p.other(c, "StructuredRemittanceInformation")
		}
	}
	return s
}

// cdOrPrtry decodes Tp/CdOrPrtry of a referred document, creditor
// reference or balance.
func (p *parser) cdOrPrtry(dst *Code, n int32) {
	for k := p.t.nodes[n].first; k >= 0; k = p.t.nodes[k].next {
		if p.t.name(k) == "CdOrPrtry" {
			p.code(dst, k, max4, max35, ReasonElementContent)
		}
	}
}

func (p *parser) reasonInfo(n int32) ReasonInfo {
	var r ReasonInfo
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "Orgtr":
			r.Orgtr = p.party(c, ReasonElementContent)
		case "Rsn":
			p.code(&r.Rsn, c, max4, max35, ReasonElementContent)
		case "AddtlInf":
			p.strs(&r.AddtlInf, c, max105, 0)
		default:
			p.other(c, "StatusReasonInformation|PaymentReturnReason|PaymentCancellationReason")
		}
	}
	return r
}

func (p *parser) originalGroup(n int32) *OriginalGroup {
	g := &OriginalGroup{}
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		if !p.originalGroupField(g, c) {
			p.other(c, "OriginalGroupInformation")
		}
	}
	p.requireOriginalGroup(n, g)
	return g
}

// originalGroupField decodes element c into g if it is OrgnlMsgId,
// OrgnlMsgNmId or OrgnlCreDtTm, the original-group fields of every
// original group (OrgnlGrpInf, OrgnlGrpInfAndSts, OrgnlGrpInfAndCxl), and
// reports whether it was.
func (p *parser) originalGroupField(g *OriginalGroup, c int32) bool {
	switch p.t.name(c) {
	case "OrgnlMsgId":
		p.str(&g.OrgnlMsgID, c, max35)
	case "OrgnlMsgNmId":
		p.str(&g.OrgnlMsgNmID, c, max35)
	case "OrgnlCreDtTm":
		p.dateTime(&g.OrgnlCreDtTm, c)
	default:
		return false
	}
	return true
}

// requireOriginalGroup reports an original group n without OrgnlMsgId or
// OrgnlMsgNmId.
func (p *parser) requireOriginalGroup(n int32, g *OriginalGroup) {
	if g.OrgnlMsgID == "" {
		p.missing(n, "OrgnlMsgId", "")
	}
	if g.OrgnlMsgNmID == "" {
		p.missing(n, "OrgnlMsgNmId", "")
	}
}

// originalRefs points at the fields of a return (pacs.004), cancellation
// (camt.056) or status (pacs.002) transaction that name the original
// payment. A nil pointer marks an element the transaction does not have.
type originalRefs struct {
	grpInf     **OriginalGroup
	instrID    *string
	endToEndID *string
	txID       *string
	uetr       *string
	clrSysRef  *string  // nil in a status
	amt        **Amount // nil in a status
	dt         *Date    // nil in a status
}

func (tx *ReturnTx) originalRefs() originalRefs {
	return originalRefs{
		grpInf: &tx.OrgnlGrpInf, instrID: &tx.OrgnlInstrID, endToEndID: &tx.OrgnlEndToEndID,
		txID: &tx.OrgnlTxID, uetr: &tx.OrgnlUETR, clrSysRef: &tx.OrgnlClrSysRef,
		amt: &tx.OrgnlIntrBkSttlmAmt, dt: &tx.OrgnlIntrBkSttlmDt,
	}
}

func (tx *CancellationTx) originalRefs() originalRefs {
	return originalRefs{
		grpInf: &tx.OrgnlGrpInf, instrID: &tx.OrgnlInstrID, endToEndID: &tx.OrgnlEndToEndID,
		txID: &tx.OrgnlTxID, uetr: &tx.OrgnlUETR, clrSysRef: &tx.OrgnlClrSysRef,
		amt: &tx.OrgnlIntrBkSttlmAmt, dt: &tx.OrgnlIntrBkSttlmDt,
	}
}

// originalRefs of a status: it has no OrgnlClrSysRef, OrgnlIntrBkSttlmAmt
// or OrgnlIntrBkSttlmDt, so those go to other when decoding.
func (t *TxStatus) originalRefs() originalRefs {
	return originalRefs{
		grpInf: &t.OrgnlGrpInf, instrID: &t.OrgnlInstrID, endToEndID: &t.OrgnlEndToEndID,
		txID: &t.OrgnlTxID, uetr: &t.OrgnlUETR,
	}
}

// originalRef decodes element c if it is one of the original-payment
// references r has, and reports whether it was.
func (p *parser) originalRef(r *originalRefs, c int32) bool {
	switch p.t.name(c) {
	case "OrgnlGrpInf":
		*r.grpInf = p.originalGroup(c)
	case "OrgnlInstrId":
		p.str(r.instrID, c, max35)
	case "OrgnlEndToEndId":
		p.str(r.endToEndID, c, max35)
	case "OrgnlTxId":
		p.str(r.txID, c, max35)
	case "OrgnlUETR":
		p.uetr(r.uetr, c)
	case "OrgnlClrSysRef":
		if r.clrSysRef == nil {
			return false
		}
		p.str(r.clrSysRef, c, max35)
	case "OrgnlIntrBkSttlmAmt":
		if r.amt == nil {
			return false
		}
		var a Amount
		if p.amount(&a, c, true) {
			*r.amt = &a
		}
	case "OrgnlIntrBkSttlmDt":
		if r.dt == nil {
			return false
		}
		p.date(r.dt, c)
	default:
		return false
	}
	return true
}

// requireOriginal reports transaction n if none of its references names
// the original payment; what is "a return" or "a cancellation".
func (p *parser) requireOriginal(n int32, r *originalRefs, what string) {
	if *r.uetr == "" && *r.endToEndID == "" && *r.txID == "" && *r.instrID == "" {
		p.errAt(n, RuleRequired, ReasonRequiredMissing, "%s must name the original payment: OrgnlUETR, OrgnlEndToEndId, OrgnlTxId or OrgnlInstrId", what)
	}
}

// headerRefs points at the group header fields every message kind has,
// MsgId and CreDtTm, and at its agents where the kind has them (nil: the
// header has no such element).
type headerRefs struct {
	msgID    *string
	creDtTm  *time.Time
	instgAgt **Agent
	instdAgt **Agent
}

// headerField decodes element c of a group header if it is one of the
// fields h points at, and reports whether it was.
func (p *parser) headerField(h *headerRefs, c int32) bool {
	switch p.t.name(c) {
	case "MsgId":
		p.str(h.msgID, c, max35)
	case "CreDtTm":
		p.dateTime(h.creDtTm, c)
	case "InstgAgt":
		if h.instgAgt == nil {
			return false
		}
		*h.instgAgt = p.agent(c, ReasonBankIdentifier)
	case "InstdAgt":
		if h.instdAgt == nil {
			return false
		}
		*h.instdAgt = p.agent(c, ReasonBankIdentifier)
	default:
		return false
	}
	return true
}

// requireHeader reports a group header n without MsgId or CreDtTm.
func (p *parser) requireHeader(n int32, h *headerRefs) {
	if *h.msgID == "" && !p.hasChild(n, "MsgId") {
		p.missing(n, "MsgId", "")
	}
	if h.creDtTm.IsZero() && !p.hasChild(n, "CreDtTm") {
		p.missing(n, "CreDtTm", "")
	}
}

// plainHeader decodes the group header of a pacs.002 or camt.05x, which
// holds only the fields h points at.
func (p *parser) plainHeader(n int32, h headerRefs) {
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		if !p.headerField(&h, c) {
			p.other(c, "GroupHeader")
		}
	}
	p.requireHeader(n, &h)
}

// groupHeaderOnce decodes GrpHdr c of a pacs.008, pacs.009 or pacs.004
// into h and records it in *at, or reports it if an earlier one was
// (*at >= 0).
func (p *parser) groupHeaderOnce(c int32, at *int32, h *GroupHeader) {
	if *at >= 0 {
		p.errAt(c, RuleRepeated, ReasonElementContent, "GrpHdr occurs more than once")
		return
	}
	*at = c
	*h = p.groupHeader(c)
}

// groupHeader decodes the group header of pacs.008, pacs.009 and pacs.004.
func (p *parser) groupHeader(n int32) GroupHeader {
	var h GroupHeader
	var nb string
	hasSttlm := false
	hr := headerRefs{msgID: &h.MsgID, creDtTm: &h.CreDtTm, instgAgt: &h.InstgAgt, instdAgt: &h.InstdAgt}
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		if p.headerField(&hr, c) {
			continue
		}
		switch p.t.name(c) {
		case "NbOfTxs":
			if p.numeric(&nb, c) {
				h.NbOfTxs, _ = strconv.Atoi(nb)
			}
		case "CtrlSum":
			p.decimal(&h.CtrlSum, c, 18, 17)
		case "TtlIntrBkSttlmAmt", "TtlRtrdIntrBkSttlmAmt":
			var a Amount
			if p.amount(&a, c, false) {
				h.TtlIntrBkSttlmAmt = &a
			}
		case "IntrBkSttlmDt":
			p.date(&h.IntrBkSttlmDt, c)
		case "SttlmInf":
			hasSttlm = true
			p.settlementInfo(&h.SttlmInf, c)
		case "PmtTpInf":
			if p.def.Kind() == "pacs.004" && p.def.Version() < 11 {
				p.errAt(c, RuleVersion, ReasonElementNotAdmitted, "GrpHdr/PmtTpInf is not part of %s", p.def)
			}
			h.PmtTpInf = p.paymentType(c)
		default:
			p.other(c, "GroupHeader")
		}
	}
	p.requireHeader(n, &hr)
	if nb == "" && !p.hasChild(n, "NbOfTxs") {
		p.missing(n, "NbOfTxs", ReasonInvalidNumberOfTxs)
	}
	if !hasSttlm {
		p.missing(n, "SttlmInf", "")
	}
	return h
}

func (p *parser) settlementInfo(s *SettlementInfo, n int32) {
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "SttlmMtd":
			p.enum(&s.SttlmMtd, c, "", "INDA", "INGA", "COVE", "CLRG")
		case "SttlmAcct":
			s.SttlmAcct = p.account(c, ReasonIncorrectAccount)
		case "ClrSys":
			p.code(&s.ClrSys, c, 3, max35, ReasonElementContent)
		default:
			p.other(c, "SettlementInstruction")
		}
	}
	if s.SttlmMtd == "" && !p.hasChild(n, "SttlmMtd") {
		p.missing(n, "SttlmMtd", "")
	}
}

// Cross-field checks shared by the message kinds.

// sums adds up transaction amounts for the NbOfTxs/CtrlSum/total checks.
type sums struct {
	n        int
	currency string // the common currency, "" if none yet, "*" if mixed
	total    uint64
	overflow bool
	all      []Amount
}

func (s *sums) add(a Amount) {
	s.n++
	if a.Currency == "" {
		return
	}
	s.all = append(s.all, a)
	switch s.currency {
	case "":
		s.currency = a.Currency
	case a.Currency, "*":
	default:
		s.currency = "*"
	}
	sum, carry := bits.Add64(s.total, a.Value, 0)
	s.overflow = s.overflow || carry != 0
	s.total = sum
}

// matchesCtrlSum reports whether the decimal ctrlSum equals the sum of the
// amounts, each in its currency's major units, exactly.
func (s *sums) matchesCtrlSum(ctrlSum string) bool {
	ctrlSum = normalizeDecimal(ctrlSum)
	if s.currency != "*" && s.currency != "" && !s.overflow {
		cur, _ := money.Lookup(s.currency)
		v, err := money.ParseAmount(ctrlSum, cur.Exponent)
		if err == nil {
			return v == s.total
		}
		if errors.Is(err, money.ErrAmountPrecision) {
			return false
		}
	}
	// Mixed currencies or very large sums: exact arithmetic at the scale of
	// the most precise DecimalNumber (17 fraction digits).
	const scale = 17
	want, ok := decimalScaled(ctrlSum, scale)
	if !ok {
		return false
	}
	got := new(big.Int)
	for _, a := range s.all {
		cur, _ := money.Lookup(a.Currency)
		v := new(big.Int).SetUint64(a.Value)
		v.Mul(v, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(scale-int(cur.Exponent))), nil))
		got.Add(got, v)
	}
	return got.Cmp(want) == 0
}

// decimalScaled returns the decimal s times 10^scale as an integer.
func decimalScaled(s string, scale int) (*big.Int, bool) {
	intPart, fracPart, _ := strings.Cut(s, ".")
	fracPart = strings.TrimRight(fracPart, "0")
	if len(fracPart) > scale {
		return nil, false
	}
	digits := intPart + fracPart + strings.Repeat("0", scale-len(fracPart))
	v, ok := new(big.Int).SetString(digits, 10)
	return v, ok
}

// checkTotals compares a group header's NbOfTxs, CtrlSum and total amount
// with the transactions.
func (p *parser) checkTotals(grpHdr int32, h *GroupHeader, s *sums, totalName string) {
	if !p.hasChild(grpHdr, "NbOfTxs") {
		return
	}
	if h.NbOfTxs != s.n {
		p.errAt(p.child(grpHdr, "NbOfTxs"), RuleNbOfTxs, ReasonInvalidNumberOfTxs,
			"NbOfTxs is %d but the message has %d transactions", h.NbOfTxs, s.n)
	}
	if h.CtrlSum != "" && len(s.all) == s.n && !s.matchesCtrlSum(h.CtrlSum) {
		p.errAt(p.child(grpHdr, "CtrlSum"), RuleCtrlSum, ReasonInvalidControlSum,
			"CtrlSum %s is not the sum of the transaction amounts", h.CtrlSum)
	}
	if t := h.TtlIntrBkSttlmAmt; t != nil && len(s.all) == s.n {
		switch {
		case s.currency != t.Currency:
			p.errAt(p.child(grpHdr, totalName), RuleTotal, ReasonInvalidCurrency,
				"%s is in %s but the transactions are not all in %s", totalName, t.Currency, t.Currency)
		case s.overflow || s.total != t.Value:
			p.errAt(p.child(grpHdr, totalName), RuleTotal, ReasonInvalidControlSum,
				"%s is not the sum of the transaction amounts", totalName)
		}
	}
}

// child returns the first child of n named name, or n itself.
func (p *parser) child(n int32, name string) int32 {
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		if p.t.name(c) == name {
			return c
		}
	}
	return n
}

// decodeAppHdr decodes a business application header and checks it against the
// document.
func (p *parser) decodeAppHdr(n int32) *AppHdr {
	def, ok := p.namespaceDef(n, "AppHdr")
	if !ok {
		return nil
	}
	if def.Kind() != "head.001" {
		p.errAt(n, RuleNamespace, ReasonInvalidFileFormat, "AppHdr has namespace of %s, not head.001", def)
		return nil
	}
	p.checkNamespaces(n)
	docDef, docGen := p.def, p.gen23
	p.def, p.gen23 = def, def.gen2023()
	defer func() { p.def, p.gen23 = docDef, docGen }()

	h := &AppHdr{Def: def}
	var fr, to, cre, mdi bool
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case "Fr":
			fr = true
			h.Fr = p.partyChoice(c, "OrgId", "FIId")
		case "To":
			to = true
			h.To = p.partyChoice(c, "OrgId", "FIId")
		case "BizMsgIdr":
			p.str(&h.BizMsgIdr, c, max35)
		case "MsgDefIdr":
			mdi = p.str(&h.MsgDefIdr, c, max35)
		case "BizSvc":
			p.str(&h.BizSvc, c, max35)
		case "CreDt":
			cre = true
			p.dateTime(&h.CreDt, c)
			if s, _ := p.text(c); def.Version() == 1 && !strings.HasSuffix(trimCollapse(s), "Z") {
				p.errAt(c, RuleDateTime, ReasonInvalidDate, "CreDt must be in UTC (end in Z) in head.001.001.01")
			}
		case "CpyDplct":
			p.enum(&h.CpyDplct, c, "", "CODU", "COPY", "DUPL")
		case "PssblDplct":
			var b string
			p.boolean(&b, c)
			h.PssblDplct = b == "true" || b == "1"
		case "Prty":
			p.str(&h.Prty, c, max4)
		default:
			p.other(c, "BusinessApplicationHeaderV")
		}
	}
	for _, r := range []struct {
		ok   bool
		name string
	}{{fr, "Fr"}, {to, "To"}, {h.BizMsgIdr != "" || p.hasChild(n, "BizMsgIdr"), "BizMsgIdr"},
		{h.MsgDefIdr != "" || p.hasChild(n, "MsgDefIdr"), "MsgDefIdr"}, {cre, "CreDt"}} {
		if !r.ok {
			p.missing(n, r.name, "")
		}
	}
	if mdi && docDef != "" && h.MsgDefIdr != string(docDef) {
		p.errAt(p.child(n, "MsgDefIdr"), RuleHeader, ReasonInvalidFileFormat,
			"MsgDefIdr %s does not match the document namespace %s", h.MsgDefIdr, docDef)
	}
	return h
}

// partyChoice decodes a Party40/44/51 choice: a party (under partyName) or a
// financial institution (under agentName).
func (p *parser) partyChoice(n int32, partyName, agentName string) Party {
	var pt Party
	count := 0
	for c := p.t.nodes[n].first; c >= 0; c = p.t.nodes[c].next {
		switch p.t.name(c) {
		case partyName:
			count++
			pt = *p.party(c, ReasonInvalidPartyID)
		case agentName:
			count++
			pt.FI = p.agent(c, ReasonBankIdentifier)
		default:
			p.other(c, "PartyChoice")
		}
	}
	if count != 1 {
		p.errAt(n, RuleChoice, ReasonElementContent, "%s needs exactly one of %s and %s", p.t.name(n), partyName, agentName)
	}
	return pt
}
