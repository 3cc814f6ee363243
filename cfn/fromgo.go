package cfn

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/awslabs/goformation/v7/cloudformation"
)

// The tree of a goformation resource is built by walking its value, as
// encoding/json would write it (names and omitempty from the json tags,
// map keys sorted, numbers as JSON writes them), without writing JSON:
// encoding/json builds an encoder for every type a resource could hold,
// thousands of goformation types on a process's first render, and the
// walk visits only the values that are set.

// resourceTree is the tree of a resource: Type, Properties and the
// attributes goformation keeps in its AWSCloudFormation fields, as its
// MarshalJSON writes them.
func resourceTree(r cloudformation.Resource) (Map, error) {
	v := reflect.ValueOf(r)
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return nil, fmt.Errorf("cfn: %T is not a resource struct", r)
	}
	w := writerOf(v.Type())
	props, err := w.structTree(v)
	if err != nil {
		return nil, err
	}
	m := Map{{"Type", r.AWSCloudFormationType()}, {"Properties", props}}
	attr := func(a int) reflect.Value {
		if w.attrs[a] < 0 {
			return reflect.Value{}
		}
		return v.Field(w.attrs[a])
	}
	if d := attr(dependsOn); d.IsValid() && d.Len() > 0 {
		l := make(List, d.Len())
		for i := range l {
			l[i] = d.Index(i).String()
		}
		m = append(m, Field{"DependsOn", l})
	}
	if md := attr(metadata); md.IsValid() && md.Len() > 0 {
		t, err := valueTree(md)
		if err != nil {
			return nil, err
		}
		m = append(m, Field{"Metadata", t})
	}
	for a := deletionPolicy; a < numAttrs; a++ {
		if f := attr(a); f.IsValid() && f.String() != "" {
			m = append(m, Field{attrNames[a], f.String()})
		}
	}
	return m, nil
}

// The attributes goformation keeps in a resource's AWSCloudFormation<name>
// fields; the last three are strings.
const (
	dependsOn = iota
	metadata
	deletionPolicy
	updateReplacePolicy
	condition
	numAttrs
)

var attrNames = [numAttrs]string{"DependsOn", "Metadata", "DeletionPolicy", "UpdateReplacePolicy", "Condition"}

// A typeWriter turns the values of one type into trees. It is made once a
// type, on first use (as encoding/json makes its encoders), so the walk
// decides each type's kind, fields and names once, not at every value.
type typeWriter struct {
	tree func(v reflect.Value) (any, error)
	// for structs: the JSON fields, and the index of each attribute field
	// (-1 for none)
	fields []structField
	attrs  [numAttrs]int
}

type structField struct {
	index     int
	name      string
	omitempty bool
	w         *lazyWriter
}

var writers sync.Map // reflect.Type → *typeWriter

// writerOf returns t's writer, making it on first use. The writers of the
// types t holds are made when a value of them is first written, not with
// t's: a resource type reaches hundreds of goformation types, and a render
// sets a few of them.
func writerOf(t reflect.Type) *typeWriter {
	if w, ok := writers.Load(t); ok {
		return w.(*typeWriter)
	}
	w := &typeWriter{}
	if t.Kind() == reflect.Struct {
		// a resource's own MarshalJSON is not used: resourceTree walks
		// its fields
		w.structFields(t)
	}
	w.tree = w.treeFunc(t)
	// Two goroutines may make one type's writer at once; they are alike,
	// and the first stored is kept.
	stored, _ := writers.LoadOrStore(t, w)
	return stored.(*typeWriter)
}

// lazyWriter is the writer of a type another type holds, found when first
// needed.
type lazyWriter struct {
	t reflect.Type
	w atomic.Pointer[typeWriter]
}

func (l *lazyWriter) get() *typeWriter {
	if w := l.w.Load(); w != nil {
		return w
	}
	w := writerOf(l.t)
	l.w.Store(w)
	return w
}

var marshaler = reflect.TypeFor[json.Marshaler]()

// treeFunc writes t's values as encoding/json would write them, as trees.
func (w *typeWriter) treeFunc(t reflect.Type) func(reflect.Value) (any, error) {
	if t.Implements(marshaler) {
		// rare: json.RawMessage, a union type
		return func(v reflect.Value) (any, error) {
			if v.Kind() == reflect.Pointer && v.IsNil() {
				return nil, nil
			}
			return Tree(v.Interface())
		}
	}
	switch t.Kind() {
	case reflect.Pointer:
		elem := &lazyWriter{t: t.Elem()}
		return func(v reflect.Value) (any, error) {
			if v.IsNil() {
				return nil, nil
			}
			return elem.get().tree(v.Elem())
		}
	case reflect.Interface:
		return func(v reflect.Value) (any, error) {
			if v.IsNil() {
				return nil, nil
			}
			return valueTree(v.Elem())
		}
	case reflect.String:
		return func(v reflect.Value) (any, error) { return tokenString(v.String()) }
	case reflect.Bool:
		return func(v reflect.Value) (any, error) { return v.Bool(), nil }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(v reflect.Value) (any, error) { return Number(strconv.FormatInt(v.Int(), 10)), nil }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return func(v reflect.Value) (any, error) { return Number(strconv.FormatUint(v.Uint(), 10)), nil }
	case reflect.Float32, reflect.Float64:
		bits := t.Bits()
		return func(v reflect.Value) (any, error) { return jsonFloat(v.Float(), bits) }
	case reflect.Slice, reflect.Array:
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			return func(v reflect.Value) (any, error) {
				if v.IsNil() {
					return nil, nil
				}
				return Tree(v.Interface()) // base64, as encoding/json writes bytes
			}
		}
		elem := &lazyWriter{t: t.Elem()}
		return func(v reflect.Value) (any, error) {
			if v.Kind() == reflect.Slice && v.IsNil() {
				return nil, nil
			}
			l := make(List, v.Len())
			for i := range l {
				item, err := elem.get().tree(v.Index(i))
				if err != nil {
					return nil, err
				}
				l[i] = item
			}
			return l, nil
		}
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return func(v reflect.Value) (any, error) { return Tree(v.Interface()) }
		}
		switch t {
		case reflect.TypeFor[map[string]string](), reflect.TypeFor[map[string]any]():
			// goformation's maps, nearly all: read without reflect, which
			// copies every key and value it hands out
			return func(v reflect.Value) (any, error) {
				if v.IsNil() {
					return nil, nil
				}
				if m, ok := v.Interface().(map[string]string); ok {
					return sortedTree(m, tokenString)
				}
				return sortedTree(v.Interface().(map[string]any), func(item any) (any, error) { return valueTree(reflect.ValueOf(item)) })
			}
		}
		elem := &lazyWriter{t: t.Elem()}
		return func(v reflect.Value) (any, error) {
			if v.IsNil() {
				return nil, nil
			}
			keys := v.MapKeys()
			slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
			m := make(Map, 0, len(keys))
			for _, k := range keys {
				item, err := elem.get().tree(v.MapIndex(k))
				if err != nil {
					return nil, err
				}
				m = append(m, Field{k.String(), item})
			}
			return m, nil
		}
	case reflect.Struct:
		return func(v reflect.Value) (any, error) { return w.structTree(v) }
	}
	return func(reflect.Value) (any, error) { return nil, fmt.Errorf("cfn: cannot write a %s", t) }
}

// sortedTree is a map's mapping, keys sorted as encoding/json writes them.
func sortedTree[V any](m map[string]V, tree func(V) (any, error)) (any, error) {
	keys := slices.Sorted(maps.Keys(m))
	out := make(Map, len(keys))
	for i, k := range keys {
		item, err := tree(m[k])
		if err != nil {
			return nil, err
		}
		out[i] = Field{k, item}
	}
	return out, nil
}

// structFields finds a struct type's JSON fields, in order, and its
// attribute fields.
func (w *typeWriter) structFields(t reflect.Type) {
	w.attrs = [numAttrs]int{-1, -1, -1, -1, -1}
	lazy := make([]lazyWriter, t.NumField()) // one allocation, not one a field
	w.fields = make([]structField, 0, t.NumField())
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() || sf.Anonymous {
			continue
		}
		if attr, ok := strings.CutPrefix(sf.Name, "AWSCloudFormation"); ok {
			if a := slices.Index(attrNames[:], attr); a >= 0 {
				w.attrs[a] = i
			}
		}
		tag := jsonTag(sf.Tag)
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		omitempty := false
		for opts != "" {
			var opt string
			opt, opts, _ = strings.Cut(opts, ",")
			omitempty = omitempty || opt == "omitempty"
		}
		lazy[i].t = sf.Type
		w.fields = append(w.fields, structField{i, name, omitempty, &lazy[i]})
	}
}

// jsonTag is tag.Get("json"), without unquoting the tags goformation
// writes (json:"Name,omitempty" first, no escapes): the writers of a
// render's types are made in every process, and Get unquotes each.
func jsonTag(tag reflect.StructTag) string {
	if rest, ok := strings.CutPrefix(string(tag), `json:"`); ok {
		if end := strings.IndexByte(rest, '"'); end >= 0 && strings.IndexByte(rest[:end], '\\') < 0 {
			return rest[:end]
		}
	}
	return tag.Get("json")
}

// valueTree is the tree of any value, as encoding/json would write it.
func valueTree(v reflect.Value) (any, error) {
	if !v.IsValid() {
		return nil, nil
	}
	return writerOf(v.Type()).tree(v)
}

// structTree is a struct's fields, omitempty honoured.
func (w *typeWriter) structTree(v reflect.Value) (Map, error) {
	// goformation's structs have dozens of fields, few of them set: size
	// the mapping for those.
	var buf [32]int
	set := buf[:0]
	for i, f := range w.fields {
		if !f.omitempty || !empty(v.Field(f.index)) {
			set = append(set, i)
		}
	}
	m := make(Map, len(set))
	for j, i := range set {
		f := &w.fields[i]
		item, err := f.w.get().tree(v.Field(f.index))
		if err != nil {
			return nil, err
		}
		m[j] = Field{f.name, item}
	}
	return m, nil
}

// empty is encoding/json's test for omitempty.
func empty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return v.Len() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	}
	return false
}

// jsonFloat writes a float as encoding/json does.
func jsonFloat(f float64, bits int) (any, error) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil, fmt.Errorf("cfn: unsupported value %v", f)
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (float32(abs) < 1e-6 || float32(abs) >= 1e21)) {
		format = 'e'
	}
	s := strconv.FormatFloat(f, format, -1, bits)
	if format == 'e' {
		// clean up e-09 to e-9, as encoding/json does
		if n := len(s); n >= 4 && s[n-4] == 'e' && s[n-3] == '-' && s[n-2] == '0' {
			s = s[:n-2] + s[n-1:]
		}
	}
	return Number(s), nil
}
