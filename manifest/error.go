package manifest

import (
	"fmt"
	"sort"
	"strings"
)

// Pos is a position in the manifest: 1-based line and column.
type Pos struct {
	Line, Col int
}

// Error is one problem in a manifest, shaped like go/scanner's: it prints
// as FILE:LINE:COL: PATH: message.
type Error struct {
	File string
	Pos
	Path string // dotted path of the offending field, e.g. sidecars.nginx.port
	Msg  string
}

func (e *Error) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s: %s", e.File, e.Line, e.Col, e.Path, e.Msg)
}

// ErrorList collects every problem found instead of stopping at the first.
type ErrorList []*Error

// Add appends an error.
func (l *ErrorList) Add(file string, pos Pos, path, msg string) {
	*l = append(*l, &Error{File: file, Pos: pos, Path: path, Msg: msg})
}

// Sort orders the errors by position, then path and message, and drops
// exact repeats (an alias can lead the decoder over one node twice).
func (l *ErrorList) Sort() {
	sort.SliceStable(*l, func(i, j int) bool {
		a, b := (*l)[i], (*l)[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Msg < b.Msg
	})
	out := (*l)[:0]
	for i, e := range *l {
		if i > 0 && *e == *(*l)[i-1] {
			continue
		}
		out = append(out, e)
	}
	*l = out
}

func (l ErrorList) Error() string {
	lines := make([]string, len(l))
	for i, e := range l {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Err returns the list sorted as an error, or nil when it is empty.
func (l ErrorList) Err() error {
	if len(l) == 0 {
		return nil
	}
	l.Sort()
	return l
}
