package cfn

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxKeyLen is YAML's limit on an implicit key.
const maxKeyLen = 1024

// checkMap refuses a mapping that CloudFormation would read as an
// intrinsic function: one key, named Ref, Condition or Fn::*.
func checkMap(m Map) error {
	if len(m) == 1 && isIntrinsicName(m[0].Key) {
		return fmt.Errorf("cfn: a mapping whose only key is %q would be read as an intrinsic function", m[0].Key)
	}
	return nil
}

// shortForms are the intrinsics with a short-form YAML tag.
var shortForms = map[string]string{
	"Ref":             "!Ref",
	"Condition":       "!Condition",
	"Fn::And":         "!And",
	"Fn::Base64":      "!Base64",
	"Fn::Cidr":        "!Cidr",
	"Fn::Equals":      "!Equals",
	"Fn::FindInMap":   "!FindInMap",
	"Fn::GetAZs":      "!GetAZs",
	"Fn::GetAtt":      "!GetAtt",
	"Fn::If":          "!If",
	"Fn::ImportValue": "!ImportValue",
	"Fn::Join":        "!Join",
	"Fn::Not":         "!Not",
	"Fn::Or":          "!Or",
	"Fn::Select":      "!Select",
	"Fn::Split":       "!Split",
	"Fn::Sub":         "!Sub",
}

// LongName returns the intrinsic named by a short-form YAML tag, or "".
func LongName(tag string) string {
	for k, v := range shortForms {
		if v == tag {
			return k
		}
	}
	return ""
}

// YAML writes a tree as reviewer-style YAML. Top-level sections are
// separated by a blank line, and so are the entries of Resources.
func YAML(root Map) ([]byte, error) {
	w := yamlWriter{buf: scratch()}
	defer func() { release(w.buf) }()
	for i, section := range root {
		if i > 0 {
			w.buf = append(w.buf, '\n')
		}
		if res, ok := section.Value.(Map); ok && section.Key == "Resources" && len(res) > 0 {
			w.buf = append(w.buf, "Resources:\n"...)
			for j, f := range res {
				if j > 0 {
					w.buf = append(w.buf, '\n')
				}
				w.field(f, 2, false)
			}
			continue
		}
		w.field(section, 0, false)
	}
	if w.err != nil {
		return nil, w.err
	}
	return bytes.Clone(w.buf), nil
}

type yamlWriter struct {
	buf []byte
	err error
}

func (w *yamlWriter) indent(n int) {
	for ; n > len(spaces); n -= len(spaces) {
		w.buf = append(w.buf, spaces...)
	}
	w.buf = append(w.buf, spaces[:n]...)
}

const spaces = "                                "

// field writes "key: value" with the key at column indent; when inline is
// set the cursor already stands there.
func (w *yamlWriter) field(f Field, indent int, inline bool) {
	if !inline {
		w.indent(indent)
	}
	start := len(w.buf)
	w.buf = appendScalarString(w.buf, f.Key)
	if len(w.buf)-start > maxKeyLen && w.err == nil {
		w.err = fmt.Errorf("cfn: key %.40q... is longer than YAML's %d-character limit for keys", f.Key, maxKeyLen)
	}
	w.buf = append(w.buf, ':')
	w.afterKey(f.Value, indent)
}

// mapping writes a block mapping at column indent. When inline is set the
// cursor already stands at that column (after "- ").
func (w *yamlWriter) mapping(m Map, indent int, inline bool) {
	if err := checkMap(m); err != nil && w.err == nil {
		w.err = err
	}
	for i, f := range m {
		w.field(f, indent, i == 0 && inline)
	}
}

// sequence writes a block sequence with its dashes at column indent.
func (w *yamlWriter) sequence(l List, indent int, inline bool) {
	for i, v := range l {
		if !(i == 0 && inline) {
			w.indent(indent)
		}
		w.buf = append(w.buf, "- "...)
		w.afterDash(v, indent)
	}
}

// afterKey writes a value that follows "key:"; indent is the key's column.
func (w *yamlWriter) afterKey(v any, indent int) {
	f, isFunc := v.(Func)
	switch {
	case isFunc && w.longForm(f):
		w.buf = append(w.buf, '\n')
		w.field(Field{f.Name, f.Arg}, indent+2, false)
	case isFunc:
		w.buf = append(w.buf, ' ')
		w.tagged(f, indent)
	default:
		w.block(v, indent)
	}
}

// block writes a value after a key or a tag: a scalar on the same line, a
// collection on the lines below at indent+2.
func (w *yamlWriter) block(v any, indent int) {
	switch v := v.(type) {
	case Map:
		if len(v) == 0 {
			w.buf = append(w.buf, " {}\n"...)
			return
		}
		w.buf = append(w.buf, '\n')
		w.mapping(v, indent+2, false)
	case List:
		if len(v) == 0 {
			w.buf = append(w.buf, " []\n"...)
			return
		}
		w.buf = append(w.buf, '\n')
		w.sequence(v, indent+2, false)
	default:
		w.buf = append(w.buf, ' ')
		w.scalar(v, indent+2)
	}
}

// afterDash writes a value that follows "- "; indent is the dash's column.
func (w *yamlWriter) afterDash(v any, indent int) {
	switch v := v.(type) {
	case Map:
		if len(v) == 0 {
			w.buf = append(w.buf, "{}\n"...)
			return
		}
		w.mapping(v, indent+2, true)
	case List:
		if len(v) == 0 {
			w.buf = append(w.buf, "[]\n"...)
			return
		}
		w.sequence(v, indent+2, true)
	case Func:
		if w.longForm(v) {
			w.field(Field{v.Name, v.Arg}, indent+2, true)
			return
		}
		w.tagged(v, indent)
	default:
		w.scalar(v, indent+2)
	}
}

// longForm reports whether f must be written as "Fn::X: arg": when it has no
// short tag, or when its argument is itself tagged (a node has one tag).
func (w *yamlWriter) longForm(f Func) bool {
	if shortForms[f.Name] == "" {
		return true
	}
	_, nested := f.Arg.(Func)
	return nested
}

// tagged writes a short-form intrinsic; the cursor stands where the tag
// goes and indent is the column of the key or dash that owns it.
func (w *yamlWriter) tagged(f Func, indent int) {
	w.buf = append(w.buf, shortForms[f.Name]...)
	if f.Name == "Fn::GetAtt" {
		if l, ok := f.Arg.(List); ok && len(l) == 2 {
			a, aok := l[0].(string)
			b, bok := l[1].(string)
			if aok && bok && !strings.Contains(a, ".") && plain(a+"."+b) {
				w.buf = append(w.buf, ' ')
				w.buf = append(w.buf, a+"."+b...)
				w.buf = append(w.buf, '\n')
				return
			}
		}
	}
	w.block(f.Arg, indent)
}

// scalar writes a scalar and its newline; block is the column for the
// lines of a literal block.
func (w *yamlWriter) scalar(v any, block int) {
	switch v := v.(type) {
	case string:
		if literalBlock(v) {
			w.literal(v, block)
		} else {
			w.buf = appendScalarString(w.buf, v)
		}
	default:
		var ok bool
		if w.buf, ok = appendLiteral(w.buf, v); !ok && w.err == nil {
			w.err = fmt.Errorf("cfn: cannot write %T as YAML", v)
		}
	}
	w.buf = append(w.buf, '\n')
}

// literal writes s as a "|" block scalar; the chomping indicator keeps its
// trailing newlines exact ("|-" none, "|" one, "|+" more).
func (w *yamlWriter) literal(s string, indent int) {
	body := s
	switch trailing := len(s) - len(strings.TrimRight(s, "\n")); {
	case trailing == 0:
		w.buf = append(w.buf, "|-"...)
	case trailing == 1:
		w.buf = append(w.buf, '|')
		body = s[:len(s)-1]
	default:
		w.buf = append(w.buf, "|+"...)
		body = s[:len(s)-1]
	}
	for _, line := range strings.Split(body, "\n") {
		w.buf = append(w.buf, '\n')
		if line != "" {
			w.indent(indent)
			w.buf = append(w.buf, line...)
		}
	}
}

// literalBlock reports whether s reads best, and round-trips, as a block.
func literalBlock(s string) bool {
	if !strings.Contains(s, "\n") || strings.TrimSpace(s) == "" {
		return false
	}
	if s[0] == ' ' || s[0] == '\t' || s[0] == '\n' {
		return false
	}
	for _, line := range strings.Split(s, "\n") {
		if strings.HasSuffix(line, " ") || strings.HasSuffix(line, "\t") {
			return false
		}
		for _, r := range line {
			if r != '\t' && !printable(r) {
				return false
			}
		}
	}
	return true
}

func printable(r rune) bool {
	switch {
	case r == utf8.RuneError:
		return false
	case r < 0x20 || r == 0x7f:
		return false
	case r >= 0x80 && r < 0xa0:
		return false
	case r == 0xfeff || r == 0x2028 || r == 0x2029:
		return false
	}
	return true
}

// resolvedWord reports whether s is a plain scalar YAML 1.1 or 1.2 reads
// as a null, a boolean, infinity or not-a-number. cfn-lint reads YAML 1.1,
// so "yes", "on" and "y" need quotes too.
func resolvedWord(s string) bool {
	switch s {
	case "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE",
		"yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
		"y", "Y", "n", "N", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF",
		"-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN", "<<", "=":
		return true
	}
	return false
}

// numeric reports whether s could read as a number or timestamp in YAML
// 1.1 or 1.2 ("0755", "1e3", "1:30", "0x1F", "2010-09-09"): an optional
// sign and dot, a digit, then only digits, letters of bases and exponents,
// and separators. Broad on purpose: a quote too many costs nothing.
func numeric(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	if i < len(s) && s[i] == '.' {
		i++
	}
	if i >= len(s) || s[i] < '0' || s[i] > '9' {
		return false
	}
	for ; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || strings.IndexByte("xXoOb._:+-", c) >= 0) {
			return false
		}
	}
	return true
}

// plain reports whether s can be written without quotes and read back as
// the same string.
func plain(s string) bool {
	// every resolved word is five bytes at most
	if s == "" || len(s) <= 5 && resolvedWord(s) || numeric(s) {
		return false
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' || s[len(s)-1] == ':' {
		return false
	}
	switch s[0] {
	case '-', '?', ':', '@', '`', '~', '=', '+', ',':
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case plainByte[c]:
			// "," is a flow indicator, and this writer never writes flow style.
		case c == ' ':
			if i+1 < len(s) && s[i+1] == ' ' {
				return false
			}
		case c == ':':
			if i+1 < len(s) && s[i+1] == ' ' {
				return false
			}
		default:
			return false
		}
	}
	// "%" is no plain byte and "-" cannot start one: of the document
	// markers only "..." is left to refuse
	return !strings.HasPrefix(s, "...")
}

// plainByte marks the bytes a plain scalar may hold anywhere but at its
// start; a space and a colon need their neighbours checked.
var plainByte = [256]bool{
	'(': true, ')': true, '+': true, ',': true, '-': true, '.': true, '/': true,
	'0': true, '1': true, '2': true, '3': true, '4': true, '5': true, '6': true,
	'7': true, '8': true, '9': true, ';': true, '=': true, '@': true, 'A': true,
	'B': true, 'C': true, 'D': true, 'E': true, 'F': true, 'G': true, 'H': true,
	'I': true, 'J': true, 'K': true, 'L': true, 'M': true, 'N': true, 'O': true,
	'P': true, 'Q': true, 'R': true, 'S': true, 'T': true, 'U': true, 'V': true,
	'W': true, 'X': true, 'Y': true, 'Z': true, '^': true, '_': true, 'a': true,
	'b': true, 'c': true, 'd': true, 'e': true, 'f': true, 'g': true, 'h': true,
	'i': true, 'j': true, 'k': true, 'l': true, 'm': true, 'n': true, 'o': true,
	'p': true, 'q': true, 'r': true, 's': true, 't': true, 'u': true, 'v': true,
	'w': true, 'x': true, 'y': true, 'z': true, '~': true,
}

// singleQuotable reports whether s is all printable, so that it can be
// single-quoted, and how many quotes it holds; printable ASCII, most
// strings, is checked byte by byte.
func singleQuotable(s string) (ok bool, quotes int) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < ' ' || c >= utf8.RuneSelf-1 { // controls, DEL and beyond ASCII
			for _, r := range s[i:] {
				if !printable(r) {
					return false, 0
				}
				if r == '\'' {
					quotes++
				}
			}
			return true, quotes
		}
		if c == '\'' {
			quotes++
		}
	}
	return true, quotes
}

// appendScalarString writes s plain when that is safe, else single-quoted
// when it is printable, else double-quoted with escapes.
func appendScalarString(buf []byte, s string) []byte {
	if plain(s) {
		return append(buf, s...)
	}
	if single, quotes := singleQuotable(s); single {
		buf = append(buf, '\'')
		if quotes == 0 {
			buf = append(buf, s...)
		} else {
			buf = append(buf, strings.ReplaceAll(s, "'", "''")...)
		}
		return append(buf, '\'')
	}
	buf = append(buf, '"')
	for _, r := range s {
		switch r {
		case '"':
			buf = append(buf, `\"`...)
		case '\\':
			buf = append(buf, `\\`...)
		case '\n':
			buf = append(buf, `\n`...)
		case '\t':
			buf = append(buf, `\t`...)
		case '\r':
			buf = append(buf, `\r`...)
		default:
			if printable(r) {
				buf = utf8.AppendRune(buf, r)
			} else if r <= 0xff {
				buf = fmt.Appendf(buf, `\x%02x`, r)
			} else {
				buf = fmt.Appendf(buf, `\u%04x`, r)
			}
		}
	}
	return append(buf, '"')
}
