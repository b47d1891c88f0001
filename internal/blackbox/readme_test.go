package blackbox

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestREADMEExamples runs the README's API walkthrough, as written, against
// a node started as the README says: the shell blocks of "The API in brief"
// in order, with only the node's address changed to a free port.
func TestREADMEExamples(t *testing.T) {
	for _, tool := range []string{"bash", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the README's examples need %s", tool)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(readme)
	start := strings.Index(section, "## The API in brief")
	if start < 0 {
		t.Fatal(`README.md has no "## The API in brief" section`)
	}
	section = section[start:]
	if end := strings.Index(section[3:], "\n## "); end >= 0 {
		section = section[:end+3]
	}
	var script strings.Builder
	script.WriteString("set -euo pipefail\n")
	for _, m := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(section, -1) {
		script.WriteString(m[1])
	}
	if !strings.Contains(script.String(), "curl") {
		t.Fatal("found no curl examples in the README's API section")
	}

	work := t.TempDir()
	n := startNode(t, filepath.Join(work, "data"))
	cmd := exec.Command("bash", "-c", strings.ReplaceAll(script.String(), "http://127.0.0.1:7420", n.url))
	cmd.Dir = work
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the README's examples failed: %v\n%s", err, out)
	}
	text := string(out)
	for _, want := range []string{`"status":"settled"`, `"balance":"48749999.50"`, `"code":"amount_not_string"`, `"direction":"debit"`} {
		if !strings.Contains(text, want) {
			t.Errorf("the examples' output lacks %s:\n%s", want, text)
		}
	}
	if codes := regexp.MustCompile(`"code":"([a-z_]+)"`).FindAllStringSubmatch(text, -1); len(codes) != 1 {
		t.Errorf("the examples answered %d problems; want only the one the README shows:\n%s", len(codes), text)
	}
}
