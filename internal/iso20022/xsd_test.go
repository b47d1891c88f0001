package iso20022

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// xsdPart is one AppHdr or Document cut out of a message, with the schema
// that governs it.
type xsdPart struct {
	source string // file and element, for messages
	def    string // e.g. pacs.008.001.08
	data   []byte
}

// xsdParts cuts the AppHdr and Document elements out of a message, using
// encoding/xml as an independent reader. Each element in the corpus
// declares its own default namespace, so the cut-out text is a document on
// its own.
func xsdParts(source string, data []byte) ([]xsdPart, error) {
	var parts []xsdPart
	d := xml.NewDecoder(bytes.NewReader(data))
	for {
		off := d.InputOffset()
		tok, err := d.Token()
		if err == io.EOF {
			return parts, nil
		}
		if err != nil {
			// AppHdr and Document side by side are two top-level
			// elements; encoding/xml stops at the second, so resume
			// after the first.
			if len(parts) == 1 && strings.Contains(err.Error(), "unexpected") {
				rest := data[len(data)-len(bytes.TrimLeft(data[off:], " \t\r\n")):]
				more, err := xsdParts(source, rest)
				return append(parts, more...), err
			}
			return nil, fmt.Errorf("%s: %w", source, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok || (se.Name.Local != "Document" && se.Name.Local != "AppHdr") {
			continue
		}
		if err := d.Skip(); err != nil {
			return nil, fmt.Errorf("%s: %w", source, err)
		}
		def := strings.TrimPrefix(se.Name.Space, NamespacePrefix)
		parts = append(parts, xsdPart{source: source + " " + se.Name.Local, def: def, data: data[off:d.InputOffset()]})
	}
}

// TestXSD validates every valid corpus message and every rendered message
// against the official schema of its version with xmllint.
func TestXSD(t *testing.T) {
	xmllint := needXmllint(t)
	var parts []xsdPart
	for _, name := range corpus(t, "valid") {
		ps, err := xsdParts(filepath.Base(name), readTestFile(t, name))
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) == 0 {
			t.Fatalf("%s: no Document found", name)
		}
		parts = append(parts, ps...)
	}
	for name, data := range rendered(t) {
		ps, err := xsdParts(name, data)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, ps...)
	}
	for _, p := range parts {
		if msg := validateXSD(t, xmllint, []xsdPart{p})[p.source]; msg != "" {
			t.Errorf("%s does not validate against %s.xsd:\n%s", p.source, p.def, msg)
		}
	}
}

func needXmllint(t *testing.T) string {
	t.Helper()
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("!!! xmllint not found: SKIPPING XSD VALIDATION. Install libxml2-utils (apt-get install -y libxml2-utils); CI does. !!!")
	}
	return xmllint
}

// validateXSD runs xmllint over parts, once per schema (loading a schema
// costs more than validating a message), and returns xmllint's complaint
// per part source; valid parts map to "".
func validateXSD(t *testing.T, xmllint string, parts []xsdPart) map[string]string {
	t.Helper()
	bySchema := map[string][]xsdPart{}
	for _, p := range parts {
		bySchema[p.def] = append(bySchema[p.def], p)
	}
	defs := make([]string, 0, len(bySchema))
	for def := range bySchema {
		defs = append(defs, def)
	}
	sort.Strings(defs)
	dir := t.TempDir()
	result := map[string]string{}
	for _, def := range defs {
		schema := filepath.Join("testdata", "xsd", def+".xsd")
		if _, err := os.Stat(schema); err != nil {
			for _, p := range bySchema[def] {
				result[p.source] = "no schema " + schema
			}
			continue
		}
		args := []string{"--noout", "--schema", schema}
		files := map[string]string{}
		for i, p := range bySchema[def] {
			f := filepath.Join(dir, fmt.Sprintf("%s-%d.xml", def, i))
			if err := os.WriteFile(f, p.data, 0o644); err != nil {
				t.Fatal(err)
			}
			files[f] = p.source
			result[p.source] = ""
			args = append(args, f)
		}
		out, _ := exec.Command(xmllint, args...).CombinedOutput()
		for _, line := range strings.Split(string(out), "\n") {
			for f, src := range files {
				if strings.HasPrefix(line, f+":") || line == f+" fails to validate" {
					result[src] += strings.ReplaceAll(line, f, src) + "\n"
				}
			}
		}
	}
	return result
}
