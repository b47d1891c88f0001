package iso20022

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// tree is a scanned XML document: its elements in document order, linked to
// parent, first child and next sibling. Names and texts are substrings of src
// except where entity references or CDATA sections forced a copy.
//
// INVARIANT: the descendants of element i are the elements i+1 .. end(i);
// a subtree is contiguous.
type tree struct {
	src   string
	nodes []node
	attrs []attr
	nss   []string // namespace URIs; nss[0] is "" (no namespace)
	extra []string // texts that are not substrings of src (decoded references, joined segments)
	// roots are the top-level elements: one, or two for the common
	// non-XML practice of sending an AppHdr and a Document side by side.
	roots []int32
}

type node struct {
	nameOff int32 // local name: src[nameOff : nameOff+nameLen]
	textOff int32 // text: src[textOff : textOff+textLen], or extra[-textOff-1]
	textLen int32
	parent  int32 // -1 for a top-level element
	first   int32 // first child, or -1
	last    int32 // last child, or -1
	next    int32 // next sibling, or -1
	attr0   int32 // index of the first attribute in tree.attrs
	pos     int32 // byte offset of the start tag, for messages
	nameLen uint8
	ns      uint8 // index into tree.nss
	nattr   uint8
}

// NB: node holds no pointers, so the garbage collector never scans the
// node array and filling it needs no write barriers.

// name returns the local name of element i.
func (t *tree) name(i int32) string {
	n := &t.nodes[i]
	return t.src[n.nameOff : n.nameOff+int32(n.nameLen)]
}

// text returns the character data of element i.
func (t *tree) text(i int32) string {
	n := &t.nodes[i]
	if n.textOff < 0 {
		return t.extra[-n.textOff-1]
	}
	return t.src[n.textOff : n.textOff+n.textLen]
}

func (t *tree) setText(i int32, s string, off int) {
	n := &t.nodes[i]
	if off >= 0 {
		n.textOff, n.textLen = int32(off), int32(len(s))
		return
	}
	t.extra = append(t.extra, s)
	n.textOff, n.textLen = int32(-len(t.extra)), int32(len(s))
}

type attr struct {
	name  string // as written, prefix included (xmlns declarations are not kept)
	value string
}

// nsBinding is one in-scope prefix declaration; depth is the element depth
// that declared it.
type nsBinding struct {
	prefix string
	ns     uint8
	depth  int
}

type scanner struct {
	src   string
	pos   int
	t     *tree
	stack []int32  // open elements
	qname []string // qualified names of open elements, for end-tag matching
	binds []nsBinding

	// acc joins the text segments of element accNode when comments or
	// CDATA sections split it, in linear time.
	acc     strings.Builder
	accNode int32
}

// scanError is a fatal scanner failure.
type scanError struct {
	rule Rule
	pos  int
	msg  string
}

func (s *scanner) fail(rule Rule, pos int, format string, args ...any) *scanError {
	return &scanError{rule: rule, pos: pos, msg: fmt.Sprintf(format, args...)}
}

// lineCol returns the 1-based line and column of byte offset pos in src.
func lineCol(src string, pos int) (int, int) {
	if pos > len(src) {
		pos = len(src)
	}
	line := 1 + strings.Count(src[:pos], "\n")
	col := pos - strings.LastIndexByte(src[:pos], '\n')
	return line, col
}

// scan parses src into a tree, enforcing the limits in limits.go. It accepts
// the XML that ISO 20022 messages use: an optional declaration (UTF-8 only),
// elements, attributes, character data with the predefined and numeric
// character references, CDATA sections, comments and processing
// instructions. Any DOCTYPE (and with it every entity declaration) is
// refused.
func scan(src string) (*tree, *scanError) {
	s := &scanner{src: src, accNode: -1}
	if len(src) > BodySizeMax {
		return nil, s.fail(RuleLimit, 0, "message is %d bytes; the limit is %d", len(src), BodySizeMax)
	}
	if !utf8.ValidString(src) {
		return nil, s.fail(RuleXML, 0, "message is not valid UTF-8")
	}
	// NB: a '<' starts every element, so this bounds the node count; the
	// initial capacity is capped so that a hostile file refused after a few
	// elements has not paid for a large array.
	est := strings.Count(src, "<")
	if est > 512 {
		est = 512
	}
	s.t = &tree{src: src, nodes: make([]node, 0, est), nss: []string{""}}
	s.stack = make([]int32, 0, 16)
	s.qname = make([]string, 0, 16)
	if strings.HasPrefix(src, "\xEF\xBB\xBF") {
		s.pos = 3
	}
	if err := s.run(); err != nil {
		return nil, err
	}
	return s.t, nil
}

func (s *scanner) run() *scanError {
	src := s.src
	first := true
	for s.pos < len(src) {
		if src[s.pos] != '<' {
			end := strings.IndexByte(src[s.pos:], '<')
			if end < 0 {
				end = len(src)
			} else {
				end += s.pos
			}
			if err := s.text(s.pos, end, false); err != nil {
				return err
			}
			s.pos = end
			continue
		}
		rest := src[s.pos:]
		switch {
		case strings.HasPrefix(rest, "<?"):
			if err := s.procInst(first); err != nil {
				return err
			}
		case strings.HasPrefix(rest, "<!--"):
			end := strings.Index(rest[4:], "-->")
			if end < 0 {
				return s.fail(RuleXML, s.pos, "unterminated comment")
			}
			s.pos += 4 + end + 3
		case strings.HasPrefix(rest, "<![CDATA["):
			end := strings.Index(rest[9:], "]]>")
			if end < 0 {
				return s.fail(RuleXML, s.pos, "unterminated CDATA section")
			}
			if len(s.stack) == 0 {
				return s.fail(RuleXML, s.pos, "CDATA section outside the root element")
			}
			if err := s.text(s.pos+9, s.pos+9+end, true); err != nil {
				return err
			}
			s.pos += 9 + end + 3
		case strings.HasPrefix(rest, "<!"):
			// DOCTYPE, ENTITY, ELEMENT, ATTLIST, ...: all DTD syntax.
			return s.fail(RuleDoctype, s.pos, "DOCTYPE and entity declarations are not accepted")
		case strings.HasPrefix(rest, "</"):
			if err := s.endTag(); err != nil {
				return err
			}
		default:
			if err := s.startTag(); err != nil {
				return err
			}
		}
		first = false
	}
	if len(s.stack) > 0 {
		return s.fail(RuleXML, len(src), "unexpected end of message: <%s> is not closed", s.qname[len(s.qname)-1])
	}
	if len(s.t.roots) == 0 {
		return s.fail(RuleXML, len(src), "no root element")
	}
	return nil
}

// procInst skips a processing instruction; the XML declaration may only
// come first and must not declare an encoding other than UTF-8.
func (s *scanner) procInst(first bool) *scanError {
	rest := s.src[s.pos:]
	end := strings.Index(rest[2:], "?>")
	if end < 0 {
		return s.fail(RuleXML, s.pos, "unterminated processing instruction")
	}
	end += 2
	body := rest[2:end]
	target := body
	if i := strings.IndexAny(body, " \t\r\n"); i >= 0 {
		target = body[:i]
	}
	if target == "" {
		return s.fail(RuleXML, s.pos, "processing instruction without a target")
	}
	if strings.EqualFold(target, "xml") {
		if !first || target != "xml" {
			return s.fail(RuleXML, s.pos, "misplaced XML declaration")
		}
		if i := strings.Index(body, "encoding"); i >= 0 {
			v := body[i+len("encoding"):]
			v = strings.TrimLeft(v, " \t\r\n")
			if len(v) > 0 && v[0] == '=' {
				v = strings.TrimLeft(v[1:], " \t\r\n")
			}
			if len(v) > 1 && (v[0] == '"' || v[0] == '\'') {
				if j := strings.IndexByte(v[1:], v[0]); j >= 0 {
					enc := v[1 : 1+j]
					if !strings.EqualFold(enc, "UTF-8") && !strings.EqualFold(enc, "UTF8") {
						return s.fail(RuleXML, s.pos, "encoding %q is not accepted; send UTF-8", enc)
					}
				}
			}
		}
	}
	s.pos += end + 2
	return nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func allSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isSpace(s[i]) {
			return false
		}
	}
	return true
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		c == '_' || c == ':' || c == '-' || c == '.' || c >= 0x80
}

// name scans an XML name at s.pos.
func (s *scanner) name() (string, *scanError) {
	start := s.pos
	src := s.src
	if start >= len(src) {
		return "", s.fail(RuleXML, start, "expected a name")
	}
	c := src[start]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80) {
		return "", s.fail(RuleXML, start, "expected a name")
	}
	i := start + 1
	for i < len(src) && isNameByte(src[i]) {
		i++
	}
	if i-start > NameSizeMax {
		return "", s.fail(RuleLimit, start, "name of %d bytes; the limit is %d", i-start, NameSizeMax)
	}
	s.pos = i
	return src[start:i], nil
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.src) && isSpace(s.src[s.pos]) {
		s.pos++
	}
}

func splitQName(q string) (prefix, local string) {
	if i := strings.IndexByte(q, ':'); i >= 0 {
		return q[:i], q[i+1:]
	}
	return "", q
}

func (s *scanner) intern(uri string) (uint8, *scanError) {
	for i, u := range s.t.nss {
		if u == uri {
			return uint8(i), nil
		}
	}
	if len(s.t.nss) >= NamespacesMax {
		return 0, s.fail(RuleLimit, s.pos, "more than %d namespaces", NamespacesMax)
	}
	s.t.nss = append(s.t.nss, uri)
	return uint8(len(s.t.nss) - 1), nil
}

func (s *scanner) lookup(prefix string) (uint8, bool) {
	for i := len(s.binds) - 1; i >= 0; i-- {
		if s.binds[i].prefix == prefix {
			return s.binds[i].ns, true
		}
	}
	if prefix == "" {
		return 0, true
	}
	return 0, false
}

func (s *scanner) startTag() *scanError {
	tagPos := s.pos
	if len(s.stack) >= DepthMax {
		return s.fail(RuleLimit, tagPos, "elements nested deeper than %d", DepthMax)
	}
	if len(s.t.nodes) >= ElementsMax {
		return s.fail(RuleLimit, tagPos, "more than %d elements", ElementsMax)
	}
	if len(s.stack) == 0 && len(s.t.roots) >= 2 {
		return s.fail(RuleXML, tagPos, "more than two top-level elements")
	}
	s.pos++
	qstart := s.pos
	qname, err := s.name()
	if err != nil {
		return err
	}
	depth := len(s.stack) + 1
	attr0 := len(s.t.attrs)
	nattr := 0
	selfClose := false
	for {
		hadSpace := s.pos < len(s.src) && isSpace(s.src[s.pos])
		s.skipSpace()
		if s.pos >= len(s.src) {
			return s.fail(RuleXML, tagPos, "unterminated start tag <%s", qname)
		}
		c := s.src[s.pos]
		if c == '>' {
			s.pos++
			break
		}
		if c == '/' {
			if s.pos+1 >= len(s.src) || s.src[s.pos+1] != '>' {
				return s.fail(RuleXML, s.pos, "expected /> in <%s", qname)
			}
			s.pos += 2
			selfClose = true
			break
		}
		if !hadSpace {
			return s.fail(RuleXML, s.pos, "expected white space before attribute in <%s", qname)
		}
		if nattr >= AttrsMax {
			return s.fail(RuleLimit, s.pos, "more than %d attributes in <%s>", AttrsMax, qname)
		}
		aname, err := s.name()
		if err != nil {
			return err
		}
		s.skipSpace()
		if s.pos >= len(s.src) || s.src[s.pos] != '=' {
			return s.fail(RuleXML, s.pos, "expected = after attribute %s", aname)
		}
		s.pos++
		s.skipSpace()
		if s.pos >= len(s.src) || (s.src[s.pos] != '"' && s.src[s.pos] != '\'') {
			return s.fail(RuleXML, s.pos, "expected quoted value for attribute %s", aname)
		}
		q := s.src[s.pos]
		end := strings.IndexByte(s.src[s.pos+1:], q)
		if end < 0 {
			return s.fail(RuleXML, s.pos, "unterminated value of attribute %s", aname)
		}
		if end > TextSizeMax {
			return s.fail(RuleLimit, s.pos, "attribute value of %d bytes; the limit is %d", end, TextSizeMax)
		}
		raw := s.src[s.pos+1 : s.pos+1+end]
		vpos := s.pos + 1
		s.pos += end + 2
		if strings.IndexByte(raw, '<') >= 0 {
			return s.fail(RuleXML, vpos, "'<' in value of attribute %s", aname)
		}
		val, _, err := s.decodeText(raw, vpos, true)
		if err != nil {
			return err
		}
		nattr++
		// Namespace declarations become bindings, not attributes.
		switch {
		case aname == "xmlns":
			ns, err := s.intern(val)
			if err != nil {
				return err
			}
			s.binds = append(s.binds, nsBinding{prefix: "", ns: ns, depth: depth})
			continue
		case strings.HasPrefix(aname, "xmlns:"):
			if val == "" {
				return s.fail(RuleXML, vpos, "empty namespace for prefix %s", aname[6:])
			}
			ns, err := s.intern(val)
			if err != nil {
				return err
			}
			s.binds = append(s.binds, nsBinding{prefix: aname[6:], ns: ns, depth: depth})
			continue
		}
		for i := attr0; i < len(s.t.attrs); i++ {
			if s.t.attrs[i].name == aname {
				return s.fail(RuleXML, vpos, "attribute %s repeated", aname)
			}
		}
		s.t.attrs = append(s.t.attrs, attr{name: aname, value: val})
	}
	prefix, local := splitQName(qname)
	if local == "" || strings.IndexByte(local, ':') >= 0 {
		return s.fail(RuleXML, tagPos, "malformed name %q", qname)
	}
	ns, ok := s.lookup(prefix)
	if !ok {
		return s.fail(RuleXML, tagPos, "undeclared namespace prefix %q", prefix)
	}
	idx := int32(len(s.t.nodes))
	parent := int32(-1)
	if len(s.stack) > 0 {
		parent = s.stack[len(s.stack)-1]
	} else {
		s.t.roots = append(s.t.roots, idx)
	}
	s.t.nodes = append(s.t.nodes, node{
		nameOff: int32(qstart + len(prefix) + len(qname) - len(prefix) - len(local)), nameLen: uint8(len(local)),
		ns: ns, parent: parent, first: -1, last: -1, next: -1,
		attr0: int32(attr0), nattr: uint8(len(s.t.attrs) - attr0), pos: int32(tagPos),
	})
	if parent >= 0 {
		if s.accNode == parent {
			s.flush()
		}
		p := &s.t.nodes[parent]
		if p.textLen != 0 {
			if !allSpace(s.t.text(parent)) {
				return s.fail(RuleXML, tagPos, "text and elements mixed in <%s>", s.t.name(parent))
			}
			p.textOff, p.textLen = 0, 0
		}
		if p.last >= 0 {
			s.t.nodes[p.last].next = idx
		} else {
			p.first = idx
		}
		p.last = idx
	}
	if selfClose {
		s.popBindings(depth)
		return nil
	}
	s.stack = append(s.stack, idx)
	s.qname = append(s.qname, qname)
	return nil
}

func (s *scanner) popBindings(depth int) {
	for len(s.binds) > 0 && s.binds[len(s.binds)-1].depth >= depth {
		s.binds = s.binds[:len(s.binds)-1]
	}
}

func (s *scanner) endTag() *scanError {
	tagPos := s.pos
	s.pos += 2
	qname, err := s.name()
	if err != nil {
		return err
	}
	s.skipSpace()
	if s.pos >= len(s.src) || s.src[s.pos] != '>' {
		return s.fail(RuleXML, tagPos, "malformed end tag </%s", qname)
	}
	s.pos++
	if len(s.stack) == 0 {
		return s.fail(RuleXML, tagPos, "end tag </%s> without start tag", qname)
	}
	if open := s.qname[len(s.qname)-1]; open != qname {
		return s.fail(RuleXML, tagPos, "end tag </%s> does not match <%s>", qname, open)
	}
	if s.accNode == s.stack[len(s.stack)-1] {
		s.flush()
	}
	s.popBindings(len(s.stack))
	s.stack = s.stack[:len(s.stack)-1]
	s.qname = s.qname[:len(s.qname)-1]
	return nil
}

// text handles character data src[start:end]; cdata segments are taken
// literally.
func (s *scanner) text(start, end int, cdata bool) *scanError {
	raw := s.src[start:end]
	if len(s.stack) == 0 {
		if !allSpace(raw) {
			return s.fail(RuleXML, start, "text outside the root element")
		}
		return nil
	}
	if len(raw) > TextSizeMax {
		return s.fail(RuleLimit, start, "text of %d bytes; the limit is %d", len(raw), TextSizeMax)
	}
	var val string
	decoded := false
	if cdata {
		for i := 0; i < len(raw); i++ {
			if c := raw[i]; c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return s.fail(RuleXML, start+i, "control character %#x", c)
			}
		}
		val = raw
	} else {
		var err *scanError
		val, decoded, err = s.decodeText(raw, start, false)
		if err != nil {
			return err
		}
	}
	i := s.stack[len(s.stack)-1]
	n := &s.t.nodes[i]
	if n.first >= 0 {
		if !allSpace(val) {
			return s.fail(RuleXML, start, "text and elements mixed in <%s>", s.t.name(i))
		}
		return nil
	}
	if n.textLen == 0 && s.accNode != i {
		off := start
		if decoded {
			off = -1
		}
		s.t.setText(i, val, off)
		return nil
	}
	if int(n.textLen)+len(val) > TextSizeMax {
		return s.fail(RuleLimit, start, "text of more than %d bytes", TextSizeMax)
	}
	if s.accNode != i {
		s.flush()
		s.acc.Reset()
		s.acc.WriteString(s.t.text(i))
		s.accNode = i
	}
	s.acc.WriteString(val)
	n.textLen = int32(s.acc.Len())
	return nil
}

// flush stores the joined text of accNode.
func (s *scanner) flush() {
	if s.accNode >= 0 {
		s.t.setText(s.accNode, s.acc.String(), -1)
		s.accNode = -1
	}
}

// decodeText checks characters and resolves character references in raw.
// It returns raw itself, without copying, when there is nothing to resolve.
func (s *scanner) decodeText(raw string, pos int, inAttr bool) (string, bool, *scanError) {
	clean := true
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			return "", false, s.fail(RuleXML, pos+i, "control character %#x", c)
		}
		if c == '&' || c == '\r' || (inAttr && (c == '\t' || c == '\n')) {
			clean = false
		}
		if c == '>' && !inAttr && i >= 2 && raw[i-2] == ']' && raw[i-1] == ']' {
			return "", false, s.fail(RuleXML, pos+i-2, "]]> outside a CDATA section")
		}
	}
	if clean {
		return raw, false, nil
	}
	var b strings.Builder
	b.Grow(len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		switch {
		case c == '\r':
			// End-of-line handling: \r\n and lone \r become \n.
			if i+1 < len(raw) && raw[i+1] == '\n' {
				continue
			}
			if inAttr {
				b.WriteByte(' ')
			} else {
				b.WriteByte('\n')
			}
		case inAttr && (c == '\t' || c == '\n'):
			b.WriteByte(' ')
		case c == '&':
			end := strings.IndexByte(raw[i:], ';')
			if end < 0 || end > 12 {
				return "", false, s.fail(RuleXML, pos+i, "malformed character reference")
			}
			ref := raw[i+1 : i+end]
			switch ref {
			case "lt":
				b.WriteByte('<')
			case "gt":
				b.WriteByte('>')
			case "amp":
				b.WriteByte('&')
			case "apos":
				b.WriteByte('\'')
			case "quot":
				b.WriteByte('"')
			default:
				if len(ref) < 2 || ref[0] != '#' {
					return "", false, s.fail(RuleXML, pos+i, "undefined entity &%s;", ref)
				}
				var v uint64
				var err error
				if ref[1] == 'x' {
					v, err = strconv.ParseUint(ref[2:], 16, 32)
				} else {
					v, err = strconv.ParseUint(ref[1:], 10, 32)
				}
				r := rune(v)
				if err != nil || !isXMLChar(r) {
					return "", false, s.fail(RuleXML, pos+i, "invalid character reference &%s;", ref)
				}
				b.WriteRune(r)
			}
			i += end
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), true, nil
}

func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

// end returns the index of the last descendant of element i (i itself for
// a leaf).
func (t *tree) end(i int32) int32 {
	for {
		l := t.nodes[i].last
		if l < 0 {
			return i
		}
		i = l
	}
}

// attr returns the value of element i's attribute name.
func (t *tree) attr(i int32, name string) (string, bool) {
	n := &t.nodes[i]
	for _, a := range t.attrs[n.attr0 : n.attr0+int32(n.nattr)] {
		if a.name == name {
			return a.value, true
		}
	}
	return "", false
}
