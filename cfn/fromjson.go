package cfn

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// FromJSON parses JSON into a tree, keeping the order of object keys and
// turning this package's intrinsic tokens back into Funcs.
func FromJSON(data []byte) (any, error) {
	p := jsonParser{data: data}
	p.space()
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos != len(p.data) {
		return nil, p.errorf("trailing data")
	}
	return v, nil
}

// Tree converts a Go value (a goformation struct, a policy document) into a
// tree by way of its JSON encoding.
func Tree(v any) (any, error) {
	var b []byte
	var err error
	if m, ok := v.(json.Marshaler); ok {
		// goformation's resources marshal themselves; calling that directly
		// skips the pass in which encoding/json re-checks and compacts it.
		b, err = m.MarshalJSON()
	} else {
		b, err = json.Marshal(v)
	}
	if err != nil {
		return nil, err
	}
	return FromJSON(b)
}

// jsonParser reads the JSON that encoding/json writes. It is small because
// its input is well formed; errors still come back rather than panicking.
type jsonParser struct {
	data []byte
	pos  int
}

func (p *jsonParser) errorf(format string, args ...any) error {
	return fmt.Errorf("cfn: json at offset %d: %s", p.pos, fmt.Sprintf(format, args...))
}

func (p *jsonParser) space() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) value() (any, error) {
	if p.pos >= len(p.data) {
		return nil, p.errorf("unexpected end")
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		if IsToken(s) {
			return decodeToken(s)
		}
		return s, nil
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		start := p.pos
		for p.pos < len(p.data) && strings.IndexByte("+-.eE0123456789", p.data[p.pos]) >= 0 {
			p.pos++
		}
		return Number(p.data[start:p.pos]), nil
	default:
		return nil, p.errorf("unexpected %q", c)
	}
}

func (p *jsonParser) literal(word string) error {
	if !strings.HasPrefix(string(p.data[p.pos:min(len(p.data), p.pos+len(word))]), word) {
		return p.errorf("bad literal")
	}
	p.pos += len(word)
	return nil
}

func (p *jsonParser) object() (any, error) {
	p.pos++ // {
	m := Map{}
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return m, nil
	}
	for {
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return nil, p.errorf("expected a key")
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, p.errorf("expected ':'")
		}
		p.pos++
		p.space()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		m = append(m, Field{k, v})
		done, err := p.next('}')
		if err != nil {
			return nil, err
		}
		if done {
			return m, nil
		}
	}
}

// next reads the comma between items, or the closing bracket, which ends
// the object or array.
func (p *jsonParser) next(closing byte) (done bool, err error) {
	p.space()
	switch {
	case p.pos >= len(p.data):
		return false, p.errorf("unexpected end")
	case p.data[p.pos] == ',':
		p.pos++
		return false, nil
	case p.data[p.pos] == closing:
		p.pos++
		return true, nil
	}
	return false, p.errorf("expected ',' or '%c'", closing)
}

func (p *jsonParser) array() (any, error) {
	p.pos++ // [
	l := List{}
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return l, nil
	}
	for {
		p.space()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		l = append(l, v)
		done, err := p.next(']')
		if err != nil {
			return nil, err
		}
		if done {
			return l, nil
		}
	}
}

func (p *jsonParser) str() (string, error) {
	start := p.pos
	p.pos++ // opening quote
	escaped := false
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case '\\':
			escaped = true
			p.pos += 2
			continue
		case '"':
			p.pos++
			raw := p.data[start+1 : p.pos-1]
			if !escaped {
				return string(raw), nil
			}
			s, ok := unescape(raw)
			if !ok {
				return "", p.errorf("bad string escape")
			}
			return s, nil
		}
		p.pos++
	}
	return "", p.errorf("unterminated string")
}

// decodeToken turns a token made by token() back into a Func, or one made
// by Expr back into its tree.
func decodeToken(s string) (any, error) {
	if rest, ok := strings.CutPrefix(s, tokenMark+stringArg); ok {
		name, arg, _ := strings.Cut(rest, argSep)
		v, err := tokenString(arg)
		return Func{Name: name, Arg: v}, err
	}
	if rest, ok := strings.CutPrefix(s, tokenMark+listArg); ok {
		name, rest, _ := strings.Cut(rest, argSep)
		list := List{}
		for rest != "" {
			size, after, _ := strings.Cut(rest, argSep)
			n, err := strconv.Atoi(size)
			if err != nil || n > len(after) {
				return nil, fmt.Errorf("cfn: malformed intrinsic token %q", s)
			}
			v, err := tokenString(after[:n])
			if err != nil {
				return nil, err
			}
			list, rest = append(list, v), after[n:]
		}
		return Func{Name: name, Arg: list}, nil
	}
	if rest, ok := strings.CutPrefix(s, tokenMark+exprMark); ok {
		v, err := FromJSON([]byte(rest))
		if err != nil {
			return nil, err
		}
		return intrinsics(v), nil
	}
	v, err := FromJSON([]byte(strings.TrimPrefix(s, tokenMark)))
	if err != nil {
		return nil, err
	}
	m, ok := v.(Map)
	if !ok || len(m) != 1 {
		return nil, fmt.Errorf("cfn: malformed intrinsic token %q", s)
	}
	return Func{Name: m[0].Key, Arg: m[0].Value}, nil
}

// tokenString is the tree of a string inside a token: itself, or the
// intrinsic it holds.
func tokenString(s string) (any, error) {
	if IsToken(s) {
		return decodeToken(s)
	}
	return s, nil
}

// intrinsics turns the one-key {"Ref": ...} and {"Fn::X": ...} mappings of
// a tree written by JSON back into Funcs.
func intrinsics(v any) any {
	switch v := v.(type) {
	case Map:
		if len(v) == 1 && isIntrinsicName(v[0].Key) {
			return Func{Name: v[0].Key, Arg: intrinsics(v[0].Value)}
		}
		for i := range v {
			v[i].Value = intrinsics(v[i].Value)
		}
	case List:
		for i := range v {
			v[i] = intrinsics(v[i])
		}
	}
	return v
}

// unescape decodes the escapes of a JSON string's body.
func unescape(b []byte) (string, bool) {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i++; i >= len(b) {
			return "", false
		}
		switch b[i] {
		case '"', '\\', '/':
			out = append(out, b[i])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r, ok := hex4(b[i+1:])
			if !ok {
				return "", false
			}
			i += 4
			if utf16.IsSurrogate(r) {
				if i+6 < len(b) && b[i+1] == '\\' && b[i+2] == 'u' {
					if r2, ok := hex4(b[i+3:]); ok {
						if dec := utf16.DecodeRune(r, r2); dec != unicode.ReplacementChar {
							r = dec
							i += 6
						}
					}
				}
				if utf16.IsSurrogate(r) {
					r = unicode.ReplacementChar
				}
			}
			out = utf8.AppendRune(out, r)
		default:
			return "", false
		}
	}
	return string(out), true
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			r = r*16 + rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r*16 + rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r*16 + rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
