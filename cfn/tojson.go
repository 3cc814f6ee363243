package cfn

import (
	"encoding/json"
	"fmt"
)

// JSON writes a tree as indented JSON with intrinsics in their long form,
// keeping the order of every mapping.
func JSON(v any) ([]byte, error) {
	w := jsonWriter{buf: make([]byte, 0, 16<<10)}
	w.value(v, 0)
	if w.err != nil {
		return nil, w.err
	}
	return append(w.buf, '\n'), nil
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
	case Number:
		w.buf = append(w.buf, v...)
	case bool:
		if v {
			w.buf = append(w.buf, "true"...)
		} else {
			w.buf = append(w.buf, "false"...)
		}
	case nil:
		w.buf = append(w.buf, "null"...)
	default:
		if w.err == nil {
			w.err = fmt.Errorf("cfn: cannot write %T as JSON", v)
		}
	}
}
