package engine

import (
	"bytes"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

var updateDocs = flag.Bool("update", false, "rewrite docs/reasons.md from reason.go")

// TestReasonDoc keeps docs/reasons.md equal to the reason list in reason.go:
// codes, names, groups and descriptions, in order of precedence.
func TestReasonDoc(t *testing.T) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "reason.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	b.WriteString("# Result reasons\n\n")
	b.WriteString("Generated from `internal/engine/reason.go` by `go test ./internal/engine -run TestReasonDoc -update`; do not edit.\n\n")
	b.WriteString("Every command's result names one reason. When a command is wrong in several ways, the result names the first reason in this list that applies. Codes and names never change once released.\n\n")
	for _, decl := range f.Decls {
		g, isGen := decl.(*ast.GenDecl)
		if !isGen || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			v := spec.(*ast.ValueSpec)
			if len(v.Names) != 1 || v.Type == nil || fmt.Sprint(v.Type) != "Reason" {
				continue
			}
			if v.Doc != nil {
				fmt.Fprintf(&b, "\n## %s\n\n| code | name | meaning |\n|---:|---|---|\n", strings.TrimSuffix(strings.TrimSpace(v.Doc.Text()), "."))
			}
			r, found := ParseReason(reasonNameOf(v.Names[0].Name))
			if !found {
				continue
			}
			comment := ""
			if v.Comment != nil {
				comment = strings.TrimSpace(v.Comment.Text())
			}
			fmt.Fprintf(&b, "| %d | `%s` | %s |\n", r, r, comment)
		}
	}
	path := "../../docs/reasons.md"
	if *updateDocs {
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, b.Bytes()) {
		t.Errorf("%s is out of date with reason.go; run go test ./internal/engine -run TestReasonDoc -update", path)
	}
}

// reasonNameOf maps a Go constant name to the reason's name through the
// constants themselves, so the doc cannot drift from String().
func reasonNameOf(constName string) string {
	for r := Reason(0); int(r) < ReasonCount; r++ {
		if goName(r) == constName {
			return r.String()
		}
	}
	return ""
}

// goName returns the Go constant name of r: the snake-case name in camel
// case, with the initialisms reason.go uses.
func goName(r Reason) string {
	var b strings.Builder
	for _, part := range strings.Split(r.String(), "_") {
		switch part {
		case "ok", "uetr", "id", "lei":
			b.WriteString(strings.ToUpper(part))
		default:
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}
