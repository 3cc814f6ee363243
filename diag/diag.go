// Package diag holds cfngen's diagnostics: a position in an input file and
// an error at that position, printed as FILE:LINE:COL: PATH: message. It is
// a leaf: every other package may import it, and it imports none of them,
// as go/scanner and cue/errors keep theirs.
package diag

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	goccy "github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"
)

// Pos is a position in a file: 1-based line and column.
type Pos struct {
	Line, Col int
}

// IsValid reports whether the position was set.
func (p Pos) IsValid() bool { return p.Line > 0 }

// Position is a position in a named file.
type Position struct {
	File string
	Pos
}

func (p Position) String() string { return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col) }

// Error is one problem in an input file.
type Error struct {
	File string
	Pos
	Path string // dotted path of the offending field, e.g. sidecars.nginx.port
	Msg  string
	// Also is a second place the problem involves, such as the first
	// definition of a name defined twice (CUE's InputPositions). It prints
	// after the message as "MSG in FILE:LINE:COL", so a message that has
	// one reads as a sentence ending in "in".
	Also *Position
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s:%d:%d: ", e.File, e.Line, e.Col)
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Also != nil {
		b.WriteString(" in ")
		b.WriteString(e.Also.String())
	}
	return b.String()
}

// Position returns where the error is.
func (e *Error) Position() Position { return Position{e.File, e.Pos} }

// List collects every problem found instead of stopping at the first.
type List []*Error

// Add appends an error.
func (l *List) Add(file string, pos Pos, path, msg string) {
	*l = append(*l, &Error{File: file, Pos: pos, Path: path, Msg: msg})
}

// AddAlso appends an error that involves a second place.
func (l *List) AddAlso(file string, pos Pos, path, msg string, also Position) {
	*l = append(*l, &Error{File: file, Pos: pos, Path: path, Msg: msg, Also: &also})
}

// Append adds every error of err, which must be nil, an *Error or a List;
// anything else is added unpositioned, so that no error is lost.
func (l *List) Append(err error) {
	switch e := err.(type) {
	case nil:
	case List:
		*l = append(*l, e...)
	case *Error:
		*l = append(*l, e)
	default:
		*l = append(*l, &Error{Msg: err.Error()})
	}
}

func compare(a, b *Error) int {
	return cmp.Or(
		cmp.Compare(a.File, b.File),
		cmp.Compare(a.Line, b.Line),
		cmp.Compare(a.Col, b.Col),
		cmp.Compare(a.Path, b.Path),
		cmp.Compare(a.Msg, b.Msg),
	)
}

func equal(a, b *Error) bool {
	if compare(a, b) != 0 || (a.Also == nil) != (b.Also == nil) {
		return false
	}
	return a.Also == nil || *a.Also == *b.Also
}

// Sort orders the errors by file and position, then path and message, and
// drops exact repeats (an alias can lead the decoder over one node twice).
func (l *List) Sort() {
	slices.SortStableFunc(*l, compare)
	*l = slices.CompactFunc(*l, equal)
}

func (l List) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Err returns the list sorted as an error, or nil when it is empty.
func (l List) Err() error {
	if len(l) == 0 {
		return nil
	}
	l.Sort()
	return l
}

// yamlLine reads yaml.v3's errors; compiled on the first one.
var yamlLine = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^yaml: line (\d+): (.*)$`) })

// YAMLSyntax turns a YAML parser's error about data ("yaml: line 9: ...")
// into a positioned Error. yaml.v3 names the right line for the scanner's
// errors (a tab, a mapping value where none may be), but for the parser's
// ("did not find expected ...", an unexpected end) it names where the
// enclosing node began, often the line above; for those the position and
// message are a second parser's, goccy/go-yaml's, which point at the
// problem itself. yaml.v3 gives no column: it is then the line's first
// non-blank character.
func YAMLSyntax(file string, data []byte, err error) *Error {
	msg := err.Error()
	line := 1
	if m := yamlLine().FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	// After an unexpected end, the problem began earlier (an unclosed
	// quote); after a missing token, it is at or below the line yaml.v3
	// names, and goccy/go-yaml's earlier guesses are worse than that line.
	end, missing := strings.HasPrefix(msg, "found unexpected end of stream"), strings.HasPrefix(msg, "did not find expected")
	if end || missing {
		if pos, problem, ok := syntaxProblem(data); ok && (end || pos.Line >= line) {
			return &Error{File: file, Pos: pos, Msg: "YAML syntax error: " + problem}
		}
	}
	col := 1
	lines := bytes.Split(data, []byte("\n"))
	if line >= 1 && line <= len(lines) {
		col = len(lines[line-1]) - len(bytes.TrimLeft(lines[line-1], " \t")) + 1
	}
	return &Error{File: file, Pos: Pos{line, col}, Msg: "YAML syntax error: " + msg}
}

// syntaxProblem parses data with goccy/go-yaml and returns where it finds
// the syntax error and what it says, if it finds one.
func syntaxProblem(data []byte) (Pos, string, bool) {
	_, err := parser.ParseBytes(data, 0)
	var ye goccy.Error
	if !errors.As(err, &ye) || ye.GetToken() == nil {
		return Pos{}, "", false
	}
	p := ye.GetToken().Position
	if p == nil || p.Line < 1 || p.Column < 1 {
		return Pos{}, "", false
	}
	return Pos{p.Line, p.Column}, ye.GetMessage(), true
}
