package cfn

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// JSON writes a tree as indented JSON with intrinsics in their long form,
// keeping the order of every mapping.
func JSON(v any) ([]byte, error) {
	w := jsonWriter{buf: scratch()}
	defer func() { release(w.buf) }()
	w.value(v, 0)
	if w.err != nil {
		return nil, w.err
	}
	w.buf = append(w.buf, '\n')
	return bytes.Clone(w.buf), nil
}

type jsonWriter struct {
	buf []byte
	err error
}

func (w *jsonWriter) newline(indent int) {
	w.buf = append(w.buf, '\n')
	for range indent {
		w.buf = append(w.buf, ' ')
	}
}

func (w *jsonWriter) str(s string) {
	b, err := json.Marshal(s)
	if err != nil && w.err == nil {
		w.err = err
	}
	w.buf = append(w.buf, b...)
}

func (w *jsonWriter) value(v any, indent int) {
	switch v := v.(type) {
	case Map:
		if len(v) == 0 {
			w.buf = append(w.buf, "{}"...)
			return
		}
		if err := checkMap(v); err != nil && w.err == nil {
			w.err = err
		}
		w.buf = append(w.buf, '{')
		for i, f := range v {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			w.newline(indent + 2)
			w.str(f.Key)
			w.buf = append(w.buf, ": "...)
			w.value(f.Value, indent+2)
		}
		w.newline(indent)
		w.buf = append(w.buf, '}')
	case List:
		if len(v) == 0 {
			w.buf = append(w.buf, "[]"...)
			return
		}
		w.buf = append(w.buf, '[')
		for i, item := range v {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			w.newline(indent + 2)
			w.value(item, indent+2)
		}
		w.newline(indent)
		w.buf = append(w.buf, ']')
	case Func:
		w.buf = append(w.buf, '{')
		w.newline(indent + 2)
		w.str(v.Name)
		w.buf = append(w.buf, ": "...)
		w.value(v.Arg, indent+2)
		w.newline(indent)
		w.buf = append(w.buf, '}')
	case string:
		w.str(v)
	default:
		var ok bool
		if w.buf, ok = appendLiteral(w.buf, v); !ok && w.err == nil {
			w.err = fmt.Errorf("cfn: cannot write %T as JSON", v)
		}
	}
}

// appendLiteral writes a number, a boolean or null as JSON and YAML both
// write them, and reports whether v was one.
func appendLiteral(buf []byte, v any) ([]byte, bool) {
	switch v := v.(type) {
	case Number:
		return append(buf, v...), true
	case bool:
		if v {
			return append(buf, "true"...), true
		}
		return append(buf, "false"...), true
	case nil:
		return append(buf, "null"...), true
	}
	return buf, false
}
