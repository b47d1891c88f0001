package httpapi

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestOpenAPIMatchesRoutes checks that every registered route is documented
// and that every documented operation reaches a registered handler.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	s := New(nil, nil)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
		Comps   struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest("GET", "/v1/openapi.json", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /v1/openapi.json = %d", rec.Code)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q; want 3.1.0", doc.OpenAPI)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	slices.Sort(documented)
	registered := s.Routes()
	slices.Sort(registered)
	if !slices.Equal(documented, registered) {
		t.Errorf("documented operations %v\n differ from registered routes %v", documented, registered)
	}
	// Every documented operation reaches its own handler in the mux.
	for _, op := range documented {
		method, path, _ := strings.Cut(op, " ")
		concrete := strings.NewReplacer("{id}", "ICBKCNBJXXX", "{currency}", "CNY", "{ref}", "42").Replace(path)
		_, pattern := s.mux.Handler(httptest.NewRequest(method, concrete, nil))
		if pattern != op {
			t.Errorf("%s %s reaches pattern %q; want %q", method, concrete, pattern, op)
		}
	}
	// Every referenced schema exists.
	for _, m := range []string{string(rec.Body.Bytes())} {
		for _, part := range strings.Split(m, `"#/components/schemas/`)[1:] {
			name, _, _ := strings.Cut(part, `"`)
			if _, found := doc.Comps.Schemas[name]; !found {
				t.Errorf("schema %s is referenced but not defined", name)
			}
		}
	}
}

func TestProblemCodesDocumented(t *testing.T) {
	s := New(nil, nil)
	doc := s.openAPI()
	schemas := doc["components"].(map[string]any)["schemas"].(map[string]any)
	enum := schemas["Problem"].(map[string]any)["properties"].(map[string]any)["code"].(map[string]any)["enum"].([]string)
	for _, c := range apiCodes {
		if !slices.Contains(enum, c.Code) {
			t.Errorf("code %s is not in the Problem schema's enum", c.Code)
		}
	}
	// Every Code constant of the package is listed.
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range pkgs["httpapi"].Files {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if !strings.HasPrefix(name.Name, "Code") || i >= len(vs.Values) {
						continue
					}
					if lit, ok := vs.Values[i].(*ast.BasicLit); ok {
						if code, _ := strconv.Unquote(lit.Value); !slices.Contains(enum, code) {
							t.Errorf("%s = %s is not in apiCodes (and so not in the Problem schema)", name.Name, lit.Value)
						}
					}
				}
			}
		}
	}
	seen := map[string]bool{}
	for _, c := range enum {
		if seen[c] {
			t.Errorf("code %s is listed twice (an API code shadows an engine reason)", c)
		}
		seen[c] = true
	}
}

// TestRequestSchemasRefuseUnknownFields checks that request schemas say
// what the handlers do with unknown fields.
func TestRequestSchemasRefuseUnknownFields(t *testing.T) {
	s := New(nil, nil)
	schemas := s.openAPI()["components"].(map[string]any)["schemas"].(map[string]any)
	for _, name := range []string{"PaymentRequest", "PaymentBatchRequest", "ParticipantRequest", "CurrencyRequest", "AccountRequest", "LimitsRequest", "FundingRequest", "TokenRequest"} {
		sch, found := schemas[name].(map[string]any)
		if !found {
			t.Errorf("schema %s missing", name)
			continue
		}
		if sch["additionalProperties"] != false {
			t.Errorf("schema %s allows additional properties; the handler refuses them", name)
		}
	}
}
