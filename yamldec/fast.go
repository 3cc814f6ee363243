package yamldec

import (
	"sync"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Parse reads data into the tree yaml.v3's Decoder would build for it,
// comments aside, when data is written in the block style manifests are:
// block mappings and sequences, one-line plain and quoted scalars, one-line
// flow collections, comments. For anything else (anchors and aliases, tags,
// block and multi-line scalars, empty values, document markers, tabs,
// carriage returns, NUL written as an escape, any syntax error) ok is
// false and the caller reads data with yaml.v3, which also words the
// errors. It is the same tree, cheaper: yaml.v3's event parser was a third
// of a render. A tree it reads holds no tag and no NUL character.
//
// A plain scalar's Tag is yaml.v3's when that is !!str for any spelling
// (the first character rules out every other tag), else empty, which
// yaml.v3 resolves when asked: Node.ShortTag and Node.Decode read it the
// same either way.
//
// release gives the tree's nodes back, for the next Parse to reuse: call
// it once nothing refers to a node of the tree (strings taken from nodes
// stay valid: they are never written over).
func Parse(data []byte) (doc *yaml.Node, release func(), ok bool) {
	nodes, ok := subsetText(data)
	if !ok {
		return nil, nil, false
	}
	s := takeSlabs(nodes)
	p := &fastParser{data: data, text: string(data), line: 1, slab: s.nodes, ptrs: s.ptrs, stack: s.stack}
	release = func() {
		s.stack = p.stack[:0]
		s.release()
	}
	indent := p.nextContent()
	if indent < 0 {
		release()
		return nil, nil, false
	}
	root := p.block(indent, 0)
	if root == nil || p.nextContent() != -1 {
		release()
		return nil, nil, false
	}
	doc = p.node(yaml.DocumentNode, "", "", root.Line, root.Column)
	doc.Content = []*yaml.Node{root}
	return doc, release, true
}

// slabs are a tree's first node and content slabs, kept between parses:
// at a third of a render's allocation, they were most of its garbage.
type slabs struct {
	nodes []yaml.Node
	ptrs  []*yaml.Node
	stack []*yaml.Node
}

var slabPool sync.Pool

// maxPooledNodes bounds the first slabs (and so the slabs kept), so that
// one giant manifest does not hold its memory for the rest of a batch;
// past them, nodes come in chunks of slabChunk.
const (
	maxPooledNodes = 1 << 12
	slabChunk      = 256
)

func takeSlabs(nodes int) *slabs {
	// The estimate counts every colon and dash, in comments too: a
	// megabyte of them must not reserve a hundred megabytes of nodes.
	nodes = min(nodes, maxPooledNodes)
	s, _ := slabPool.Get().(*slabs)
	if s == nil {
		s = &slabs{}
	}
	if cap(s.nodes) < nodes {
		s.nodes = make([]yaml.Node, 0, nodes)
		s.ptrs = make([]*yaml.Node, 0, nodes)
	}
	s.nodes, s.ptrs = s.nodes[:0], s.ptrs[:0]
	return s
}

func (s *slabs) release() {
	if cap(s.nodes) > maxPooledNodes {
		return
	}
	// what the nodes held must not outlive the tree: the manifest's text
	clear(s.nodes[:cap(s.nodes)])
	clear(s.ptrs[:cap(s.ptrs)])
	clear(s.stack[:cap(s.stack)])
	slabPool.Put(s)
}

// subsetText reports whether data holds only what the subset reads: no
// control characters but newlines (so no tabs and no CRs), no byte order
// mark, none of the Unicode line breaks YAML 1.1 counts, nothing yaml.v3
// refuses as unprintable. nodes is about how many nodes data holds, a
// little more: two for each key's colon, one for each entry's dash, comma
// and opening bracket.
func subsetText(data []byte) (nodes int, ok bool) {
	nodes = 2
	for i := 0; i < len(data); {
		c := data[i]
		switch textClass[c] {
		case plainText:
			i++
			continue
		case refused:
			return 0, false
		case colon:
			if blankz(at(data, i+1)) {
				nodes += 2
			}
		case dash:
			if blankz(at(data, i+1)) {
				nodes++
			}
		case opener:
			nodes++
		case nonASCII:
			r, size := utf8.DecodeRune(data[i:])
			switch {
			case r == utf8.RuneError && size == 1, r < 0xa0, r == 0x2028, r == 0x2029,
				r == 0xfeff, r >= 0xfffe && r <= 0xffff, r >= 0xd800 && r <= 0xdfff:
				return 0, false
			}
			i += size
			continue
		}
		i++
	}
	return nodes, true
}

// The classes of bytes subsetText tells apart.
const (
	plainText = iota
	refused   // control characters but the newline, and DEL
	colon
	dash
	opener // a comma or an opening bracket: one more node
	nonASCII
)

// textClass is each byte's class, written out so that it is data, not
// work at start-up.
var textClass = [256]uint8{
	0x00: refused, 0x01: refused, 0x02: refused, 0x03: refused, 0x04: refused, 0x05: refused, 0x06: refused, 0x07: refused,
	0x08: refused, 0x09: refused, 0x0b: refused, 0x0c: refused, 0x0d: refused, 0x0e: refused, 0x0f: refused,
	0x10: refused, 0x11: refused, 0x12: refused, 0x13: refused, 0x14: refused, 0x15: refused, 0x16: refused, 0x17: refused,
	0x18: refused, 0x19: refused, 0x1a: refused, 0x1b: refused, 0x1c: refused, 0x1d: refused, 0x1e: refused, 0x1f: refused,
	0x7f: refused,
	':':  colon, '-': dash, ',': opener, '[': opener, '{': opener,
	0x80: nonASCII, 0x81: nonASCII, 0x82: nonASCII, 0x83: nonASCII, 0x84: nonASCII, 0x85: nonASCII, 0x86: nonASCII, 0x87: nonASCII,
	0x88: nonASCII, 0x89: nonASCII, 0x8a: nonASCII, 0x8b: nonASCII, 0x8c: nonASCII, 0x8d: nonASCII, 0x8e: nonASCII, 0x8f: nonASCII,
	0x90: nonASCII, 0x91: nonASCII, 0x92: nonASCII, 0x93: nonASCII, 0x94: nonASCII, 0x95: nonASCII, 0x96: nonASCII, 0x97: nonASCII,
	0x98: nonASCII, 0x99: nonASCII, 0x9a: nonASCII, 0x9b: nonASCII, 0x9c: nonASCII, 0x9d: nonASCII, 0x9e: nonASCII, 0x9f: nonASCII,
	0xa0: nonASCII, 0xa1: nonASCII, 0xa2: nonASCII, 0xa3: nonASCII, 0xa4: nonASCII, 0xa5: nonASCII, 0xa6: nonASCII, 0xa7: nonASCII,
	0xa8: nonASCII, 0xa9: nonASCII, 0xaa: nonASCII, 0xab: nonASCII, 0xac: nonASCII, 0xad: nonASCII, 0xae: nonASCII, 0xaf: nonASCII,
	0xb0: nonASCII, 0xb1: nonASCII, 0xb2: nonASCII, 0xb3: nonASCII, 0xb4: nonASCII, 0xb5: nonASCII, 0xb6: nonASCII, 0xb7: nonASCII,
	0xb8: nonASCII, 0xb9: nonASCII, 0xba: nonASCII, 0xbb: nonASCII, 0xbc: nonASCII, 0xbd: nonASCII, 0xbe: nonASCII, 0xbf: nonASCII,
	0xc0: nonASCII, 0xc1: nonASCII, 0xc2: nonASCII, 0xc3: nonASCII, 0xc4: nonASCII, 0xc5: nonASCII, 0xc6: nonASCII, 0xc7: nonASCII,
	0xc8: nonASCII, 0xc9: nonASCII, 0xca: nonASCII, 0xcb: nonASCII, 0xcc: nonASCII, 0xcd: nonASCII, 0xce: nonASCII, 0xcf: nonASCII,
	0xd0: nonASCII, 0xd1: nonASCII, 0xd2: nonASCII, 0xd3: nonASCII, 0xd4: nonASCII, 0xd5: nonASCII, 0xd6: nonASCII, 0xd7: nonASCII,
	0xd8: nonASCII, 0xd9: nonASCII, 0xda: nonASCII, 0xdb: nonASCII, 0xdc: nonASCII, 0xdd: nonASCII, 0xde: nonASCII, 0xdf: nonASCII,
	0xe0: nonASCII, 0xe1: nonASCII, 0xe2: nonASCII, 0xe3: nonASCII, 0xe4: nonASCII, 0xe5: nonASCII, 0xe6: nonASCII, 0xe7: nonASCII,
	0xe8: nonASCII, 0xe9: nonASCII, 0xea: nonASCII, 0xeb: nonASCII, 0xec: nonASCII, 0xed: nonASCII, 0xee: nonASCII, 0xef: nonASCII,
	0xf0: nonASCII, 0xf1: nonASCII, 0xf2: nonASCII, 0xf3: nonASCII, 0xf4: nonASCII, 0xf5: nonASCII, 0xf6: nonASCII, 0xf7: nonASCII,
	0xf8: nonASCII, 0xf9: nonASCII, 0xfa: nonASCII, 0xfb: nonASCII, 0xfc: nonASCII, 0xfd: nonASCII, 0xfe: nonASCII, 0xff: nonASCII,
}

// maxFastDepth is how deep the fast path nests; deeper documents go to
// yaml.v3, which has its own bound.
const maxFastDepth = 64

type fastParser struct {
	data  []byte
	text  string // data, once: every scalar without escapes is a part of it
	pos   int
	line  int // of pos, from 1
	start int // offset of the line pos is on
	// nodes and content slices are cut from slabs, a few allocations a
	// document instead of one a node
	slab  []yaml.Node
	ptrs  []*yaml.Node
	stack []*yaml.Node
	// col's memory: the line it counted on, the offset it reached and the
	// column there
	colLine, colAt, colNum int
}

func (p *fastParser) node(kind yaml.Kind, tag, value string, line, col int) *yaml.Node {
	if len(p.slab) == cap(p.slab) {
		p.slab = make([]yaml.Node, 0, slabChunk)
	}
	p.slab = append(p.slab, yaml.Node{Kind: kind, Tag: tag, Value: value, Line: line, Column: col})
	return &p.slab[len(p.slab)-1]
}

// content moves the children stacked since mark into a slice of their own.
func (p *fastParser) content(mark int) []*yaml.Node {
	kids := p.stack[mark:]
	n := len(kids)
	if len(p.ptrs)+n > cap(p.ptrs) {
		p.ptrs = make([]*yaml.Node, 0, max(slabChunk, n))
	}
	at := len(p.ptrs)
	p.ptrs = append(p.ptrs, kids...)
	p.stack = p.stack[:mark]
	return p.ptrs[at : at+n : at+n]
}

// col is the column of offset i on the current line, from 1, in
// characters as yaml.v3 counts them.
func (p *fastParser) col(i int) int {
	// count on from the last offset asked for on this line, so that a
	// long line of flow items costs its length, not its length squared
	if p.colNum == 0 || p.colLine != p.start || p.colAt > i {
		p.colLine, p.colAt, p.colNum = p.start, p.start, 1
	}
	for _, b := range p.data[p.colAt:i] {
		if b&0xc0 != 0x80 {
			p.colNum++
		}
	}
	p.colAt = i
	return p.colNum
}

func (p *fastParser) at(i int) byte { return at(p.data, i) }

// at is data[i], or 0 past its end.
func at(data []byte, i int) byte {
	if i < len(data) {
		return data[i]
	}
	return 0
}

// blankz is yaml.v3's is_blankz for the subset: a space, a newline or the end.
func blankz(c byte) bool { return c == ' ' || c == '\n' || c == 0 }

// nextContent moves to the first character of the next line that holds
// more than spaces and a comment, and returns its indent; -1 at the end of
// the data, -2 for what the subset does not read there (a document marker).
// From inside a line it first finishes that line, which must hold no more
// than a comment.
func (p *fastParser) nextContent() int {
	if !p.lineStart() && !p.endLine() {
		return -2
	}
	for p.pos < len(p.data) {
		i := p.pos
		for i < len(p.data) && p.data[i] == ' ' {
			i++
		}
		switch {
		case i == len(p.data):
			p.pos = i
			return -1
		case p.data[i] == '\n':
		case p.data[i] == '#':
			for i < len(p.data) && p.data[i] != '\n' {
				i++
			}
			if i == len(p.data) {
				p.pos = i
				return -1
			}
		default:
			p.pos = i
			if i == p.start && (p.has("---") || p.has("...")) && blankz(p.at(i+3)) {
				return -2
			}
			return i - p.start
		}
		p.pos, p.start = i+1, i+1
		p.line++
	}
	return -1
}

// lineStart reports whether only spaces stand before pos on its line.
func (p *fastParser) lineStart() bool {
	for _, b := range p.data[p.start:p.pos] {
		if b != ' ' {
			return false
		}
	}
	return true
}

func (p *fastParser) has(s string) bool {
	return len(p.data)-p.pos >= len(s) && string(p.data[p.pos:p.pos+len(s)]) == s
}

// endLine skips spaces and a comment to the start of the next line.
func (p *fastParser) endLine() bool {
	i := p.pos
	for i < len(p.data) && p.data[i] == ' ' {
		i++
	}
	if i < len(p.data) && p.data[i] == '#' {
		if i > p.start && p.data[i-1] != ' ' {
			return false // a comment needs a space before it
		}
		for i < len(p.data) && p.data[i] != '\n' {
			i++
		}
	}
	if i == len(p.data) {
		p.pos = i
		return true
	}
	if p.data[i] != '\n' {
		return false
	}
	p.pos, p.start = i+1, i+1
	p.line++
	return true
}

func (p *fastParser) skipSpaces() {
	for p.pos < len(p.data) && p.data[p.pos] == ' ' {
		p.pos++
	}
}

// dash reports whether pos is at a block sequence entry.
func (p *fastParser) dash() bool { return p.at(p.pos) == '-' && blankz(p.at(p.pos+1)) }

// block reads the collection starting at pos, indent columns in.
func (p *fastParser) block(indent, depth int) *yaml.Node {
	if depth > maxFastDepth {
		return nil
	}
	if p.dash() {
		return p.sequence(indent, depth)
	}
	if p.keyAhead() {
		return p.mapping(indent, depth)
	}
	return nil
}

// keyAhead reports whether the line from pos begins with a mapping key.
func (p *fastParser) keyAhead() bool {
	c := p.at(p.pos)
	if c == '\'' || c == '"' {
		end, ok := p.quotedEnd(p.pos)
		return ok && p.at(end) == ':' && blankz(p.at(end+1))
	}
	_, colon := p.plainEnd(p.pos, false)
	return colon
}

func (p *fastParser) mapping(indent, depth int) *yaml.Node {
	m := p.node(yaml.MappingNode, "!!map", "", p.line, p.col(p.pos))
	mark := len(p.stack)
	for {
		key := p.key()
		if key == nil {
			return nil
		}
		value := p.value(indent, depth)
		if value == nil {
			return nil
		}
		p.stack = append(p.stack, key, value)
		next := p.nextContent()
		if next < indent {
			if next == -2 {
				return nil
			}
			break
		}
		if next > indent || p.dash() {
			return nil
		}
	}
	m.Content = p.content(mark)
	return m
}

// key reads a mapping key and the colon after it.
func (p *fastParser) key() *yaml.Node {
	var k *yaml.Node
	if c := p.at(p.pos); c == '\'' || c == '"' {
		k = p.quoted()
	} else {
		k = p.plain(false)
	}
	if k == nil || p.at(p.pos) != ':' || !blankz(p.at(p.pos+1)) || p.pos-p.start > 1000 {
		return nil
	}
	p.pos++
	return k
}

// value reads what follows a key's colon, in a mapping indent columns in.
func (p *fastParser) value(indent, depth int) *yaml.Node {
	p.skipSpaces()
	if c := p.at(p.pos); c != '\n' && c != 0 && c != '#' {
		return p.inline(depth)
	}
	next := p.nextContent()
	switch {
	case next > indent:
		return p.block(next, depth+1)
	case next == indent && p.dash():
		// a sequence may stand at its key's indent
		return p.sequence(indent, depth+1)
	}
	return nil // an empty value: yaml.v3 places it by what follows
}

func (p *fastParser) sequence(indent, depth int) *yaml.Node {
	s := p.node(yaml.SequenceNode, "!!seq", "", p.line, p.col(p.pos))
	mark := len(p.stack)
	for {
		p.pos++ // the dash
		p.skipSpaces()
		var item *yaml.Node
		if c := p.at(p.pos); c == '\n' || c == 0 || c == '#' {
			next := p.nextContent()
			if next <= indent {
				return nil
			}
			item = p.block(next, depth+1)
		} else if p.dash() || p.keyAhead() {
			item = p.block(p.pos-p.start, depth+1)
		} else {
			item = p.inline(depth)
		}
		if item == nil {
			return nil
		}
		p.stack = append(p.stack, item)
		next := p.nextContent()
		if next == -2 || next > indent {
			return nil
		}
		if next < indent || !p.dash() {
			break
		}
	}
	s.Content = p.content(mark)
	return s
}

// inline reads a value that starts on the current line and ends on it.
func (p *fastParser) inline(depth int) *yaml.Node {
	switch p.at(p.pos) {
	case '[', '{':
		return p.flow(depth + 1)
	case '\'', '"':
		return p.quoted()
	}
	return p.plain(false)
}

// plainStart reports whether a plain scalar may start at i: not at an
// indicator, nor at a dash that is not followed by a letter or digit.
func (p *fastParser) plainStart(i int) bool {
	switch c := p.at(i); c {
	case '-':
		n := p.at(i + 1)
		return n >= '0' && n <= '9' || n >= 'a' && n <= 'z' || n >= 'A' && n <= 'Z'
	case 0, ' ', '\n', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return false
	}
	return true
}

// plainEnd finds the end of a plain scalar that starts at i, trailing
// spaces left out, and whether a key's colon ends it. In flow context
// (flow) it also ends at a flow indicator.
func (p *fastParser) plainEnd(i int, flow bool) (end int, colon bool) {
	if !p.plainStart(i) {
		return -1, false
	}
	end = i
	for ; i < len(p.data); i++ {
		switch c := p.data[i]; c {
		case '\n':
			return end, false
		case ' ':
			continue
		case '#':
			if p.data[i-1] == ' ' {
				return end, false
			}
		case ':':
			if blankz(p.at(i + 1)) {
				return end, true
			}
			if flow {
				return -1, false
			}
		case ',', '[', ']', '{', '}', '?':
			if flow {
				return end, false
			}
		}
		end = i + 1
	}
	return end, false
}

// plain reads a one-line plain scalar at pos; a key's colon after it ends
// it, and is for the caller to read.
func (p *fastParser) plain(flow bool) *yaml.Node {
	start := p.pos
	end, _ := p.plainEnd(start, flow)
	if end < 0 {
		return nil
	}
	value := p.text[start:end]
	tag := ""
	switch {
	case value == "<<":
		tag = "!!merge" // as yaml.v3 tags it, for its decoder to merge
	case resolvesToStr(value[0]):
		tag = "!!str"
	}
	n := p.node(yaml.ScalarNode, tag, value, p.line, p.col(start))
	p.pos = end
	p.skipSpaces()
	return n
}

// resolvesToStr reports whether yaml.v3 resolves every plain scalar that
// starts with c to !!str: all but those that may be numbers, booleans,
// nulls or its special floats.
func resolvesToStr(c byte) bool {
	switch {
	case c >= '0' && c <= '9':
		return false
	}
	switch c {
	case '+', '-', '.', 'y', 'Y', 'n', 'N', 't', 'T', 'f', 'F', 'o', 'O', '~':
		return false
	}
	return true
}

// quotedEnd finds the offset after the closing quote of the scalar quoted
// at i, on its line.
func (p *fastParser) quotedEnd(i int) (int, bool) {
	q := p.data[i]
	for i++; i < len(p.data); i++ {
		switch p.data[i] {
		case '\n':
			return -1, false
		case '\\':
			if q == '"' {
				i++
			}
		case q:
			if q == '\'' && p.at(i+1) == '\'' {
				i++
				continue
			}
			return i + 1, true
		}
	}
	return -1, false
}

// quoted reads a single- or double-quoted scalar that closes on its line.
func (p *fastParser) quoted() *yaml.Node {
	start := p.pos
	end, ok := p.quotedEnd(start)
	if !ok {
		return nil
	}
	body := p.text[start+1 : end-1]
	var value string
	style := yaml.SingleQuotedStyle
	if p.data[start] == '\'' {
		value = unquoteSingle(body)
	} else {
		style = yaml.DoubleQuotedStyle
		if value, ok = unquoteDouble(body); !ok {
			return nil
		}
	}
	n := p.node(yaml.ScalarNode, "!!str", value, p.line, p.col(start))
	n.Style = style
	p.pos = end
	if c := p.at(p.pos); c != ' ' && c != '\n' && c != 0 && c != ':' && c != ',' && c != ']' && c != '}' {
		return nil
	}
	p.skipSpaces()
	return n
}

func unquoteSingle(body string) string {
	for i := range len(body) {
		if body[i] == '\'' {
			out := make([]byte, 0, len(body))
			for j := 0; j < len(body); j++ {
				out = append(out, body[j])
				if body[j] == '\'' {
					j++ // '' is one quote
				}
			}
			return string(out)
		}
	}
	return body
}

// unquoteDouble reads the escapes of a double-quoted scalar that yaml.v3
// reads the same way; ok is false for the rest (line folding, \N, \_, \L,
// \P, invalid code points), which go to yaml.v3.
func unquoteDouble(body string) (string, bool) {
	i := 0
	for i < len(body) && body[i] != '\\' {
		i++
	}
	if i == len(body) {
		return body, true
	}
	out := make([]byte, 0, len(body))
	out = append(out, body[:i]...)
	for ; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		i++
		if i == len(body) {
			return "", false
		}
		width := 0
		switch c := body[i]; c {
		case 'x':
			width = 2
		case 'u':
			width = 4
		case 'U':
			width = 8
		default:
			e, ok := escape(c)
			if !ok {
				return "", false
			}
			out = append(out, e)
		}
		if width == 0 {
			continue
		}
		if i+width >= len(body) {
			return "", false
		}
		r := 0 // an int: eight hex digits overflow a rune
		for k := i + 1; k <= i+width; k++ {
			d, ok := hexDigit(body[k])
			if !ok {
				return "", false
			}
			r = r<<4 | int(d)
		}
		if r >= 0xd800 && r <= 0xdfff || r > 0x10ffff || r == 0 {
			return "", false
		}
		out = utf8.AppendRune(out, rune(r))
		i += width
	}
	return string(out), true
}

// yamlEscapes pairs each one-character escape yaml.v3 reads with the
// character it stands for.
const yamlEscapes = "a\ab\bt\tn\nv\vf\fr\re\x1b  \"\"''\\\\"

func escape(c byte) (byte, bool) {
	for i := 0; i < len(yamlEscapes); i += 2 {
		if yamlEscapes[i] == c {
			return yamlEscapes[i+1], true
		}
	}
	return 0, false
}

func hexDigit(h byte) (rune, bool) {
	switch {
	case h >= '0' && h <= '9':
		return rune(h - '0'), true
	case h >= 'a' && h <= 'f':
		return rune(h-'a') + 10, true
	case h >= 'A' && h <= 'F':
		return rune(h-'A') + 10, true
	}
	return 0, false
}

// flow reads a flow sequence or mapping that closes on its line.
func (p *fastParser) flow(depth int) *yaml.Node {
	if depth > maxFastDepth {
		return nil
	}
	open := p.data[p.pos]
	kind, tag, closer := yaml.SequenceNode, "!!seq", byte(']')
	if open == '{' {
		kind, tag, closer = yaml.MappingNode, "!!map", '}'
	}
	n := p.node(kind, tag, "", p.line, p.col(p.pos))
	n.Style = yaml.FlowStyle
	mark := len(p.stack)
	p.pos++
	p.skipSpaces()
	if p.at(p.pos) == closer {
		p.pos++
		p.skipSpaces()
		n.Content = p.content(mark)
		return n
	}
	for {
		if kind == yaml.MappingNode {
			key := p.flowItem(depth, false)
			if key == nil || p.at(p.pos) != ':' {
				return nil
			}
			if key.Style == 0 && !blankz(p.at(p.pos+1)) {
				return nil
			}
			p.pos++
			p.skipSpaces()
			p.stack = append(p.stack, key)
		}
		item := p.flowItem(depth, true)
		if item == nil {
			return nil
		}
		p.stack = append(p.stack, item)
		switch p.at(p.pos) {
		case ',':
			p.pos++
			p.skipSpaces()
			if c := p.at(p.pos); c == ']' || c == '}' {
				return nil // a trailing comma
			}
			continue
		case closer:
			p.pos++
			p.skipSpaces()
			n.Content = p.content(mark)
			return n
		}
		return nil
	}
}

// flowItem reads a scalar or collection inside a flow collection; a value
// (not a key) may not be followed by a colon, which would make it a
// single-pair mapping.
func (p *fastParser) flowItem(depth int, value bool) *yaml.Node {
	var n *yaml.Node
	switch p.at(p.pos) {
	case '[', '{':
		n = p.flow(depth + 1)
	case '\'', '"':
		n = p.quoted()
	default:
		n = p.plain(true)
	}
	if n == nil || value && p.at(p.pos) == ':' {
		return nil
	}
	return n
}
