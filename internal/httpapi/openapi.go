package httpapi

import (
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// The OpenAPI 3.1 document is generated from the route table and the Go
// types of request and response bodies, so it cannot drift from the
// handlers: the schemas are the types the handlers decode and encode.

var decimalType = reflect.TypeFor[Decimal]()

// openAPI returns the document as nested maps (ordered by encoding/json).
func (s *Server) openAPI() map[string]any {
	schemas := map[string]any{}
	paths := map[string]map[string]any{}
	for _, rt := range s.routes {
		item := paths[rt.path]
		if item == nil {
			item = map[string]any{}
			paths[rt.path] = item
		}
		item[strings.ToLower(rt.method)] = operation(rt, schemas)
	}
	schemas["Problem"] = schemaOf(reflect.TypeFor[Problem](), schemas)
	// The code of a problem is one of a closed, stable list.
	problem := schemas["Problem"].(map[string]any)
	problem["properties"].(map[string]any)["code"].(map[string]any)["enum"] = ProblemCodes()
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "Mutua API",
			"version": "1",
			"description": "Multilateral clearing and settlement. Amounts are decimal text in the currency's major unit " +
				"(\"1234.50\"), never JSON numbers. Errors are RFC 9457 problem details whose code is stable: " +
				"an engine reason or an API code. A participant sees only its own accounts and payments; " +
				"anything else answers 404 exactly as if it did not exist.",
		},
		"servers": []any{map[string]any{"url": "http://127.0.0.1:7420"}},
		"paths":   paths,
		"components": map[string]any{
			"schemas": schemas,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer", "description": "mutua_<id>_<secret>: an operator or participant token"},
			},
		},
		"security": []any{map[string]any{"bearer": []any{}}},
	}
}

func operation(rt *route, schemas map[string]any) map[string]any {
	d := rt.doc
	o := map[string]any{"operationId": d.id, "summary": d.summary, "tags": []any{d.tag}}
	if d.description != "" {
		o["description"] = d.description
	}
	switch rt.access {
	case public:
		o["security"] = []any{}
	case operatorOnly:
		o["x-mutua-access"] = "operator"
	case participantOnly:
		o["x-mutua-access"] = "participant"
	default:
		o["x-mutua-access"] = "operator or participant"
	}
	var params []any
	for _, p := range d.params {
		sch := map[string]any{"type": "string"}
		if p.enum != nil {
			sch["enum"] = p.enum
		}
		if p.format == "int32" {
			sch = map[string]any{"type": "integer", "minimum": 1, "maximum": PageSizeMax}
		} else if p.format != "" {
			sch["format"] = p.format
		}
		params = append(params, map[string]any{"name": p.name, "in": p.in, "required": p.required, "description": p.doc, "schema": sch})
	}
	if d.idempotent {
		params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header", "required": true,
			"description": "1 to 64 printable ASCII characters (a batch's: at most " + strconv.Itoa(BatchKeyLenMax) + "); a retry with the same key returns the first result",
			"schema":      map[string]any{"type": "string", "maxLength": 64}})
	}
	if params != nil {
		o["parameters"] = params
	}
	media := d.mediaType
	if media == "" {
		media = "application/json"
	}
	if d.request != nil {
		o["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			media: map[string]any{"schema": ref(reflect.TypeOf(d.request), schemas)}}}
	} else if media == BatchContentType {
		o["requestBody"] = map[string]any{"required": true, "content": map[string]any{
			media: map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}}
	}
	ok := map[string]any{"description": http.StatusText(d.status)}
	switch {
	case d.response != nil:
		ok["content"] = map[string]any{media: map[string]any{"schema": ref(reflect.TypeOf(d.response), schemas)}}
	case media == "application/json":
		ok["content"] = map[string]any{media: map[string]any{"schema": map[string]any{"type": "object"}}}
	case media == BatchContentType:
		ok["content"] = map[string]any{media: map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}
	default:
		ok["content"] = map[string]any{media: map[string]any{"schema": map[string]any{"type": "string"}}}
	}
	responses := map[string]any{strconv.Itoa(d.status): ok}
	if d.response == (Payment{}) && d.idempotent {
		responses["200"] = map[string]any{"description": "an idempotent replay (Idempotent-Replayed: true)", "content": ok["content"]}
	}
	problem := map[string]any{"application/problem+json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Problem"}}}
	for _, st := range d.problems {
		responses[strconv.Itoa(st)] = map[string]any{"description": problemDescription(st), "content": problem}
	}
	o["responses"] = responses
	return o
}

func problemDescription(status int) string {
	switch status {
	case 400:
		return "bad input (malformed_json, unknown_field, field_type, field_missing, amount_not_string, amount_syntax, parameter_invalid, ...)"
	case 401:
		return "unauthenticated: missing, malformed, unknown or revoked token"
	case 403:
		return "forbidden: the token's role may not use this route"
	case 404:
		return "no such object, or one the caller may not see (the same answer)"
	case 409:
		return "conflict: idempotency_conflict, uetr_duplicate, or the object exists already"
	case 413:
		return "body_too_large or batch_too_large"
	case 422:
		return "rejected by the engine or the edge checks: the code names the reason (insufficient_liquidity, amount_precision, ...)"
	case 503:
		return "unavailable: the node could not commit; retry with the same Idempotency-Key"
	}
	return http.StatusText(status)
}

// ref returns a $ref to t's schema, adding it to schemas.
func ref(t reflect.Type, schemas map[string]any) map[string]any {
	if _, done := schemas[t.Name()]; !done {
		schemas[t.Name()] = nil // break cycles
		schemas[t.Name()] = schemaOf(t, schemas)
	}
	return map[string]any{"$ref": "#/components/schemas/" + t.Name()}
}

// schemaOf describes a Go type from its json, doc, enum, example and
// required struct tags.
func schemaOf(t reflect.Type, schemas map[string]any) map[string]any {
	if t == decimalType {
		return map[string]any{"type": "string", "pattern": `^-?[0-9]+(\.[0-9]+)?$`, "description": "decimal text in the currency's major unit"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return schemaOf(t.Elem(), schemas)
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Uint64:
		return map[string]any{"type": "integer", "format": "int64", "minimum": 0}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": schemaOf(t.Elem(), schemas)}
	case reflect.Struct:
		props := map[string]any{}
		var required []string
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" || !f.IsExported() {
				continue
			}
			var p map[string]any
			if f.Type.Kind() == reflect.Struct && f.Type != decimalType {
				p = ref(f.Type, schemas)
			} else if f.Type.Kind() == reflect.Pointer {
				p = ref(f.Type.Elem(), schemas)
			} else {
				p = schemaOf(f.Type, schemas)
			}
			if doc := f.Tag.Get("doc"); doc != "" {
				if _, isRef := p["$ref"]; !isRef {
					p["description"] = doc
				}
			}
			if ex := f.Tag.Get("example"); ex != "" {
				p["examples"] = []any{ex}
			}
			if enum := f.Tag.Get("enum"); enum != "" {
				values := strings.Split(enum, ",")
				if f.Type.Kind() == reflect.Slice {
					p["items"] = map[string]any{"type": "string", "enum": values}
				} else {
					p["enum"] = values
				}
			}
			props[name] = p
			if f.Tag.Get("required") == "true" || (!strings.Contains(f.Tag.Get("json"), "omitempty") && !isRequest(t)) {
				required = append(required, name)
			}
		}
		sch := map[string]any{"type": "object", "properties": props}
		if isRequest(t) {
			// The handlers refuse unknown fields.
			sch["additionalProperties"] = false
		}
		if required != nil {
			sort.Strings(required)
			sch["required"] = required
		}
		return sch
	}
	return map[string]any{}
}

func isRequest(t reflect.Type) bool { return strings.HasSuffix(t.Name(), "Request") }
