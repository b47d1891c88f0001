package engine

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The deterministic core: these packages must not reach the outside world,
// the clock, randomness or the scheduler (DESIGN.md "Architecture").
var corePackages = []string{"engine", "ledger", "money"}

var forbiddenImports = map[string]string{
	"os":            "files and environment",
	"os/exec":       "processes",
	"io/ioutil":     "files",
	"net":           "network",
	"net/http":      "network",
	"time":          "the clock",
	"math/rand":     "randomness",
	"math/rand/v2":  "randomness",
	"crypto/rand":   "randomness",
	"sync":          "concurrency",
	"sync/atomic":   "concurrency",
	"syscall":       "the kernel",
	"unsafe":        "memory safety",
	"runtime":       "the scheduler",
	"hash/maphash":  "per-process random seeds",
	"log":           "I/O",
	"log/slog":      "I/O",
	"path/filepath": "files",
}

// TestCoreIsPure fails if a core package imports I/O, clock, randomness or
// concurrency (directly or through a dependency), starts a goroutine, or
// imports Mutua's shell packages.
func TestCoreIsPure(t *testing.T) {
	for _, pkg := range corePackages {
		dir := filepath.Join("..", pkg)
		fset := token.NewFileSet()
		pkgs, err := parser.ParseDir(fset, dir, func(fi fs.FileInfo) bool {
			return !strings.HasSuffix(fi.Name(), "_test.go")
		}, 0)
		if err != nil {
			t.Fatalf("parse %s: %v", dir, err)
		}
		for _, p := range pkgs {
			for name, f := range p.Files {
				for _, imp := range f.Imports {
					path := strings.Trim(imp.Path.Value, `"`)
					if why, bad := forbiddenImports[path]; bad {
						t.Errorf("%s imports %s (%s)", name, path, why)
					}
					if strings.HasPrefix(path, "github.com/mutua-org/mutua/internal/") {
						dep := strings.TrimPrefix(path, "github.com/mutua-org/mutua/internal/")
						if !contains(corePackages, dep) {
							t.Errorf("%s imports shell package %s", name, path)
						}
					}
				}
				ast.Inspect(f, func(n ast.Node) bool {
					if g, isGo := n.(*ast.GoStmt); isGo {
						t.Errorf("%s: go statement at %s", name, fset.Position(g.Pos()))
					}
					return true
				})
			}
		}
	}
	// Third-party dependencies, transitively. (The standard library's own
	// internals, such as fmt's use of os, are not the core reaching out.)
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "./", "../ledger", "../money").Output()
	if err != nil {
		t.Skipf("go list unavailable: %v", err)
	}
	allowed := map[string]bool{"github.com/cespare/xxhash/v2": true}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/mutua-org/") || strings.HasPrefix(dep, "golang.org/x/") || allowed[dep] {
			continue
		}
		t.Errorf("core depends on third-party package %s; add it to the allow list only if it is pure", dep)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
