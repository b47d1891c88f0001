package httpapi

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mutua-org/mutua/internal/money"
)

// Decimal is an amount in a request: decimal text in the currency's major
// unit ("1234.50"), never a JSON number. It keeps the raw JSON token so that
// validation can tell a number from a string and name the field.
type Decimal struct{ raw []byte }

// DecimalOf returns the Decimal for text (clients and tests).
func DecimalOf(text string) Decimal { return Decimal{raw: strconv.AppendQuote(nil, text)} }

// UnmarshalJSON keeps the token; validation happens in parseAmount.
func (d *Decimal) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		d.raw = nil
		return nil
	}
	d.raw = append(d.raw[:0], b...)
	return nil
}

// MarshalJSON writes the token back (clients use request types too).
func (d Decimal) MarshalJSON() ([]byte, error) {
	if d.raw == nil {
		return []byte("null"), nil
	}
	return d.raw, nil
}

// IsZero reports whether the field was absent (for omitempty and defaults).
func (d Decimal) IsZero() bool { return d.raw == nil }

// text returns the decimal text, or a problem naming field.
func (d Decimal) text(field string) (string, *Problem) {
	switch {
	case d.raw == nil:
		return "", fieldProblem(http.StatusBadRequest, CodeFieldMissing, field, "the amount is required, as decimal text such as \"1234.50\"")
	case d.raw[0] != '"':
		return "", fieldProblem(http.StatusBadRequest, CodeAmountNotString, field, "amounts are decimal text in a JSON string, such as \"1234.50\", never JSON numbers")
	}
	s := d.raw[1 : len(d.raw)-1]
	if bytes.IndexByte(s, '\\') < 0 {
		return string(s), nil
	}
	var out string
	if err := json.Unmarshal(d.raw, &out); err != nil {
		return "", fieldProblem(http.StatusBadRequest, CodeAmountSyntax, field, "the amount is not decimal text")
	}
	return out, nil
}

// parseAmount converts a strictly positive amount to minor units of cur.
// A zero or negative amount is the engine's amount_zero / amount_negative.
func parseAmount(d Decimal, field string, exponent uint8) (int64, *Problem) {
	s, p := d.text(field)
	if p != nil {
		return 0, p
	}
	neg := strings.HasPrefix(s, "-")
	v, p := parseUnsigned(strings.TrimPrefix(s, "-"), field, exponent)
	if p != nil {
		return 0, p
	}
	if neg && v != 0 {
		return 0, fieldProblem(http.StatusUnprocessableEntity, "amount_negative", field, "the amount must be above zero")
	}
	if v == 0 {
		return 0, fieldProblem(http.StatusUnprocessableEntity, "amount_zero", field, "the amount must be above zero")
	}
	return int64(v), nil
}

// parseSigned converts a signed amount (a floor) to minor units; absent is
// def.
func parseSigned(d Decimal, field string, exponent uint8, def int64) (int64, *Problem) {
	if d.raw == nil {
		return def, nil
	}
	s, p := d.text(field)
	if p != nil {
		return 0, p
	}
	neg := strings.HasPrefix(s, "-")
	v, p := parseUnsigned(strings.TrimPrefix(s, "-"), field, exponent)
	if p != nil {
		return 0, p
	}
	if neg {
		return -int64(v), nil
	}
	return int64(v), nil
}

func parseUnsigned(s, field string, exponent uint8) (uint64, *Problem) {
	v, err := money.ParseAmount(s, exponent)
	switch {
	case errors.Is(err, money.ErrAmountPrecision):
		return 0, fieldProblem(http.StatusUnprocessableEntity, CodeAmountPrecision, field,
			"the amount has more decimals than the currency allows ("+strconv.Itoa(int(exponent))+")")
	case errors.Is(err, money.ErrAmountOverflow):
		return 0, fieldProblem(http.StatusUnprocessableEntity, CodeAmountOverflow, field, "the amount is too large")
	case err != nil:
		return 0, fieldProblem(http.StatusBadRequest, CodeAmountSyntax, field,
			"the amount is not plain decimal text (digits, at most one '.', no sign, exponent or grouping)")
	case v > math.MaxInt64:
		return 0, fieldProblem(http.StatusUnprocessableEntity, CodeAmountOverflow, field, "the amount is too large")
	}
	return v, nil
}

func fieldProblem(status int, code, field, detail string) *Problem {
	return &Problem{Status: status, Code: code, Field: field, Detail: detail}
}

var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// readBody reads the body up to limit bytes into a pooled buffer; put it
// back with releaseBody.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) (*[]byte, *Problem) {
	bp := bufPool.Get().(*[]byte)
	b := (*bp)[:0]
	if r.ContentLength > limit {
		bufPool.Put(bp)
		return nil, &Problem{Status: http.StatusRequestEntityTooLarge, Code: CodeBodyTooLarge, Detail: "the body exceeds " + strconv.FormatInt(limit, 10) + " bytes"}
	}
	body := http.MaxBytesReader(w, r.Body, limit)
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := body.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			*bp = b
			bufPool.Put(bp)
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				return nil, &Problem{Status: http.StatusRequestEntityTooLarge, Code: CodeBodyTooLarge, Detail: "the body exceeds " + strconv.FormatInt(limit, 10) + " bytes"}
			}
			return nil, &Problem{Status: http.StatusBadRequest, Code: CodeMalformedJSON, Detail: "reading the body: " + err.Error()}
		}
	}
	*bp = b
	return bp, nil
}

func releaseBody(bp *[]byte) {
	if bp != nil && cap(*bp) <= 64<<10 {
		bufPool.Put(bp)
	}
}

// decodeJSON decodes one JSON object into v, refusing unknown fields and
// trailing data.
func decodeJSON(body []byte, v any) *Problem {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonProblem(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return &Problem{Status: http.StatusBadRequest, Code: CodeMalformedJSON, Detail: "the body has data after the JSON object"}
	}
	return nil
}

func jsonProblem(err error) *Problem {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typ):
		field := typ.Field
		if typ.Field == "" {
			return &Problem{Status: http.StatusBadRequest, Code: CodeMalformedJSON, Detail: "the body must be a JSON object"}
		}
		return fieldProblem(http.StatusBadRequest, CodeFieldType, field, "field "+strconv.Quote(field)+" must be a JSON "+jsonKind(typ.Type.Kind().String()))
	case strings.Contains(err.Error(), "unknown field "):
		msg := err.Error()
		field := msg[strings.Index(msg, "unknown field ")+len("unknown field "):]
		if f, err := strconv.Unquote(field); err == nil {
			field = f
		}
		return fieldProblem(http.StatusBadRequest, CodeUnknownField, field, "the body has a field the API does not know: "+strconv.Quote(field))
	case errors.As(err, &syntax), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &Problem{Status: http.StatusBadRequest, Code: CodeMalformedJSON, Detail: "the body is not valid JSON: " + err.Error()}
	}
	return &Problem{Status: http.StatusBadRequest, Code: CodeMalformedJSON, Detail: err.Error()}
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "string"
	case "slice", "array":
		return "array"
	case "struct", "map":
		return "object"
	case "bool":
		return "boolean"
	}
	return "number"
}

// parseUUID parses the canonical 8-4-4-4-12 hexadecimal form.
func parseUUID(s string) ([16]byte, bool) {
	var u [16]byte
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	var hexText [32]byte
	n := 0
	for i := 0; i < len(s); i++ {
		if i == 8 || i == 13 || i == 18 || i == 23 {
			continue
		}
		hexText[n] = s[i]
		n++
	}
	if _, err := hex.Decode(u[:], hexText[:]); err != nil {
		return u, false
	}
	return u, true
}

// formatUUID renders u in canonical lower-case form.
func formatUUID(u [16]byte) string {
	var b [36]byte
	appendUUID(b[:0], u)
	return string(b[:])
}

func appendUUID(b []byte, u [16]byte) []byte {
	const digits = "0123456789abcdef"
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b = append(b, '-')
		}
		b = append(b, digits[c>>4], digits[c&0xf])
	}
	return b
}

// formatTime renders log time as RFC 3339 in UTC.
func formatTime(ns int64) string {
	if ns == 0 {
		return ""
	}
	return time.Unix(0, ns).UTC().Format(time.RFC3339Nano)
}

// parseTime reads an RFC 3339 time or a date (YYYY-MM-DD, midnight UTC).
func parseTime(s string) (int64, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UnixNano(), true
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.UnixNano(), true
	}
	return 0, false
}
