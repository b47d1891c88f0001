package iso20022

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"runtime/metrics"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestScanWellFormedness(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		rule     Rule // "" for accepted
	}{
		{"minimal", `<a/>`, ""},
		{"declaration", `<?xml version="1.0" encoding="utf-8"?><a>x</a>`, ""},
		{"bom", "\xEF\xBB\xBF<a/>", ""},
		{"comment and pi", `<!-- c --><?pi x?><a><!-- in --><b>t</b></a><!-- after -->`, ""},
		{"cdata", `<a><![CDATA[<not a tag> & text]]></a>`, ""},
		{"references", `<a>&lt;&gt;&amp;&apos;&quot;&#65;&#x42;</a>`, ""},
		{"prefixed", `<p:a xmlns:p="urn:x"><p:b/></p:a>`, ""},
		{"single quotes", `<a b='1'/>`, ""},
		{"apphdr and document", `<AppHdr/><Document/>`, ""},
		{"doctype", `<!DOCTYPE a><a/>`, RuleDoctype},
		{"entity declaration", `<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>`, RuleDoctype},
		{"doctype inside", `<a><!DOCTYPE a></a>`, RuleDoctype},
		{"element declaration", `<!ELEMENT a ANY><a/>`, RuleDoctype},
		{"undefined entity", `<a>&e;</a>`, RuleXML},
		{"bad char reference", `<a>&#0;</a>`, RuleXML},
		{"unterminated reference", `<a>&amp</a>`, RuleXML},
		{"mismatched end", `<a></b>`, RuleXML},
		{"unclosed", `<a><b></b>`, RuleXML},
		{"stray end", `<a/></a>`, RuleXML},
		{"three roots", `<a/><b/><c/>`, RuleXML},
		{"text outside root", `x<a/>`, RuleXML},
		{"mixed content", `<a>x<b/></a>`, RuleXML},
		{"mixed content after", `<a><b/>x</a>`, RuleXML},
		{"duplicate attribute", `<a b="1" b="2"/>`, RuleXML},
		{"unquoted attribute", `<a b=1/>`, RuleXML},
		{"lt in attribute", `<a b="<"/>`, RuleXML},
		{"undeclared prefix", `<p:a/>`, RuleXML},
		{"latin1", `<?xml version="1.0" encoding="ISO-8859-1"?><a/>`, RuleXML},
		{"invalid utf8", "<a>\xff</a>", RuleXML},
		{"control character", "<a>\x01</a>", RuleXML},
		{"]]> outside CDATA", "<a>x]]>y</a>", RuleXML},
		{"late declaration", `<a/><?xml version="1.0"?>`, RuleXML},
		{"empty", ``, RuleXML},
		{"unterminated comment", `<a><!-- </a>`, RuleXML},
		{"bad name", `<1a/>`, RuleXML},
		{"no space before attribute", `<a b="1"c="2"/>`, RuleXML},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scan(tt.in)
			var got Rule
			if err != nil {
				got = err.rule
			}
			if got != tt.rule {
				t.Errorf("scan(%q) = %v; want rule %q", tt.in, err, tt.rule)
			}
		})
	}
}

func TestScanTextAndNamespaces(t *testing.T) {
	tr, err := scan("<d:Doc xmlns:d=\"urn:d\" xmlns=\"urn:e\"><d:A>x&amp;y<![CDATA[<z>]]>\r\nw</d:A><B k=\"a\tb\">  v  </B></d:Doc>")
	if err != nil {
		t.Fatal(err)
	}
	got := flattenTree(tr)
	want := []flatElem{
		{Depth: 0, Space: "urn:d", Local: "Doc"},
		{Depth: 1, Space: "urn:d", Local: "A", Text: "x&y<z>\nw"},
		{Depth: 1, Space: "urn:e", Local: "B", Text: "  v  ", Attrs: "k=a b"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("scan tree differs (-want +got):\n%s", diff)
	}
}

// flatElem is one element as both this package's scanner and encoding/xml
// see it, for differential testing.
type flatElem struct {
	Depth int
	Space string
	Local string
	Text  string // leaf text; "" for elements with children
	Attrs string // non-namespace attributes, "k=v" space-separated
}

func flattenTree(t *tree) []flatElem {
	var out []flatElem
	var walk func(i int32, depth int)
	walk = func(i int32, depth int) {
		n := &t.nodes[i]
		e := flatElem{Depth: depth, Space: t.nss[n.ns], Local: t.name(i)}
		if n.first < 0 {
			e.Text = t.text(i)
		}
		var as []string
		for _, a := range t.attrs[n.attr0 : n.attr0+int32(n.nattr)] {
			as = append(as, a.name+"="+a.value)
		}
		e.Attrs = strings.Join(as, " ")
		out = append(out, e)
		for c := n.first; c >= 0; c = t.nodes[c].next {
			walk(c, depth+1)
		}
	}
	for _, r := range t.roots {
		walk(r, 0)
	}
	return out
}

// flattenStd reads src with encoding/xml in strict mode.
func flattenStd(src string) ([]flatElem, error) {
	d := xml.NewDecoder(strings.NewReader(src))
	d.Strict = true
	var out []flatElem
	var open []int // indexes into out
	var text strings.Builder
	hasChild := []bool{}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if len(open) > 0 {
				hasChild[len(hasChild)-1] = true
			}
			var as []string
			for _, a := range tok.Attr {
				if a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns") {
					continue
				}
				name := a.Name.Local
				if a.Name.Space != "" {
					// encoding/xml resolves attribute prefixes; the
					// scanner keeps them as written.
					name = "?:" + name
				}
				as = append(as, name+"="+a.Value)
			}
			out = append(out, flatElem{Depth: len(open), Space: tok.Name.Space, Local: tok.Name.Local, Attrs: strings.Join(as, " ")})
			open = append(open, len(out)-1)
			hasChild = append(hasChild, false)
			text.Reset()
		case xml.CharData:
			text.Write(tok)
		case xml.EndElement:
			i := open[len(open)-1]
			if !hasChild[len(hasChild)-1] {
				out[i].Text = text.String()
			}
			open = open[:len(open)-1]
			hasChild = hasChild[:len(hasChild)-1]
			text.Reset()
		}
	}
}

// checkAgainstStd asserts that whatever the scanner accepts, encoding/xml
// reads as the same elements, texts and attributes.
func checkAgainstStd(t *testing.T, src string) {
	t.Helper()
	tr, serr := scan(src)
	if serr != nil {
		return
	}
	if len(tr.roots) > 1 || strings.Contains(src, ":") {
		return // two top-level elements, or prefixed attributes: not comparable
	}
	want, err := flattenStd(src)
	if err != nil {
		// encoding/xml accepts less in some corners (e.g. it rejects
		// some names); a scanner acceptance it rejects must be explainable.
		if !strings.Contains(err.Error(), "invalid XML name") && !strings.Contains(err.Error(), "invalid character entity") {
			t.Errorf("scanner accepts %q but encoding/xml says %v", src, err)
		}
		return
	}
	if diff := cmp.Diff(want, flattenTree(tr)); diff != "" {
		t.Errorf("scanner and encoding/xml disagree on %q (-std +scan):\n%s", src, diff)
	}
}

func TestScanAgainstEncodingXML(t *testing.T) {
	for _, name := range append(corpus(t, "valid"), corpus(t, "golden")...) {
		src := string(readTestFile(t, name))
		if strings.Contains(src, "<AppHdr") && !strings.Contains(src, "Envelope") && !strings.Contains(src, "<BizMsg") && !strings.Contains(src, "<Msg ") {
			continue // AppHdr and Document side by side
		}
		tr, err := scan(src)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want, err2 := flattenStd(src)
		if err2 != nil {
			t.Fatalf("%s: encoding/xml: %v", name, err2)
		}
		if diff := cmp.Diff(want, flattenTree(tr)); diff != "" {
			t.Errorf("%s: scanner and encoding/xml disagree (-std +scan):\n%s", name, diff)
		}
	}
}

func TestScanLimits(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   string
	}{
		{"depth", strings.Repeat("<a>", DepthMax+1) + strings.Repeat("</a>", DepthMax+1)},
		{"name", "<" + strings.Repeat("a", NameSizeMax+1) + "/>"},
		{"text", "<a>" + strings.Repeat("x", TextSizeMax+1) + "</a>"},
		{"joined text", "<a>" + strings.Repeat("x", TextSizeMax/2+1) + "<!---->" + strings.Repeat("x", TextSizeMax/2+1) + "</a>"},
		{"attribute value", `<a b="` + strings.Repeat("x", TextSizeMax+1) + `"/>`},
		{"attributes", "<a" + attrs(AttrsMax+1) + "/>"},
		{"namespaces", "<a" + namespaces(NamespacesMax) + "/>"},
		{"elements", "<a>" + strings.Repeat("<b/>", ElementsMax) + "</a>"},
		{"body", "<a>" + strings.Repeat(" ", BodySizeMax) + "</a>"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scan(tt.in)
			if err == nil || err.rule != RuleLimit {
				t.Errorf("scan(%s) = %v; want a %s error", tt.name, err, RuleLimit)
			}
		})
	}
	// At the limits exactly, the scanner accepts.
	for _, in := range []string{
		strings.Repeat("<a>", DepthMax) + strings.Repeat("</a>", DepthMax),
		"<" + strings.Repeat("a", NameSizeMax) + "/>",
		"<a>" + strings.Repeat("x", TextSizeMax) + "</a>",
		"<a" + attrs(AttrsMax) + "/>",
	} {
		if _, err := scan(in); err != nil {
			t.Errorf("scan(%.40q...) = %v; want no error at the limit", in, err)
		}
	}
}

func attrs(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, " a%d=\"\"", i)
	}
	return b.String()
}

func namespaces(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, " xmlns:p%d=\"urn:%d\"", i, i)
	}
	return b.String()
}

// billionLaughs is the classic entity-expansion bomb: a few hundred bytes
// that expand to 3 GB in a parser that honours the DTD.
const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">&lol9;</Document>`

// allocatedBytes returns the bytes f allocates, from the runtime's
// cumulative heap allocation counter.
func allocatedBytes(f func()) uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	metrics.Read(s)
	before := s[0].Value.Uint64()
	f()
	metrics.Read(s)
	return s[0].Value.Uint64() - before
}

// TestHostileInput checks that entity bombs and deeply nested or oversized
// files are refused with FF01, with few allocations and few bytes allocated
// beyond the one copy of the input.
func TestHostileInput(t *testing.T) {
	deep := strings.Repeat(`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">`, 1) +
		strings.Repeat("<a>", 1<<20/3)
	quadratic := `<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08" ` + attrs(AttrsMax*4) + `/>`
	huge := "<Document>" + strings.Repeat("x", 4<<20) + "</Document>"
	for _, tt := range []struct {
		name, in  string
		rule      Rule
		allocsMax float64
		overhead  uint64 // bytes allowed beyond one copy of the input
	}{
		{"billion laughs", billionLaughs, RuleDoctype, 32, 4 << 10},
		{"deep nesting", deep, RuleLimit, 32, 64 << 10},
		{"many attributes", quadratic, RuleLimit, 32, 16 << 10},
		{"huge text", huge, RuleLimit, 32, 16 << 10},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.in)
			_, errs := Parse(data)
			if len(errs) != 1 || errs[0].Rule != tt.rule || errs[0].Reason != ReasonInvalidFileFormat {
				t.Fatalf("Parse = %v; want one %s FF01 error", errs, tt.rule)
			}
			allocs := testing.AllocsPerRun(10, func() { Parse(data) })
			if allocs > tt.allocsMax {
				t.Errorf("Parse made %.0f allocations; want at most %.0f", allocs, tt.allocsMax)
			}
			if got, max := allocatedBytes(func() { Parse(data) }), uint64(len(data))+tt.overhead; got > max {
				t.Errorf("Parse allocated %d bytes for %d bytes of input; want at most %d", got, len(data), max)
			}
		})
	}
}

// TestParseReader checks the body limit of ReadBody.
func TestReadBody(t *testing.T) {
	if _, err := ReadBody(bytes.NewReader(make([]byte, BodySizeMax+1))); err != ErrBodyTooLarge {
		t.Errorf("ReadBody(BodySizeMax+1 bytes) = %v; want ErrBodyTooLarge", err)
	}
	if b, err := ReadBody(strings.NewReader("<a/>")); err != nil || string(b) != "<a/>" {
		t.Errorf("ReadBody(<a/>) = %q, %v; want <a/>, nil", b, err)
	}
}

// TestScanSplitText checks that text split by many comments is joined in
// linear time and space.
func TestScanSplitText(t *testing.T) {
	in := "<a>" + strings.Repeat("x<!---->", TextSizeMax-1) + "</a>"
	var tr *tree
	got := allocatedBytes(func() {
		var err *scanError
		if tr, err = scan(in); err != nil {
			t.Fatal(err)
		}
	})
	if n := len(tr.text(tr.roots[0])); n != TextSizeMax-1 {
		t.Errorf("text length %d; want %d", n, TextSizeMax-1)
	}
	if max := uint64(4 * len(in)); got > max {
		t.Errorf("scan allocated %d bytes for %d bytes of input; want at most %d", got, len(in), max)
	}
}
