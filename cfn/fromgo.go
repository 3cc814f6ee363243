package cfn

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

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
	props, err := structTree(v)
	if err != nil {
		return nil, err
	}
	m := Map{{"Type", r.AWSCloudFormationType()}, {"Properties", props}}
	attrs := infoOf(v.Type()).attrs
	attr := func(a int) reflect.Value {
		if attrs[a] < 0 {
			return reflect.Value{}
		}
		return v.Field(attrs[a])
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

// structInfo is what the walk needs of a struct type, found once: its
// JSON fields, and the index of each attribute field (-1 for none).
type structInfo struct {
	fields []field
	attrs  [numAttrs]int
}

// field is a struct field as encoding/json sees it.
type field struct {
	index     int
	name      string
	omitempty bool
}

var structInfos sync.Map // reflect.Type → *structInfo

func infoOf(t reflect.Type) *structInfo {
	if info, ok := structInfos.Load(t); ok {
		return info.(*structInfo)
	}
	info := &structInfo{fields: fields(t)}
	for a, name := range attrNames {
		info.attrs[a] = -1
		if f, ok := t.FieldByName("AWSCloudFormation" + name); ok && len(f.Index) == 1 {
			info.attrs[a] = f.Index[0]
		}
	}
	structInfos.Store(t, info)
	return info
}

// fields lists a struct type's JSON fields, in order.
func fields(t reflect.Type) []field {
	var out []field
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() || sf.Anonymous {
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		out = append(out, field{i, name, slices.Contains(strings.Split(opts, ","), "omitempty")})
	}
	return out
}

var marshaler = reflect.TypeFor[json.Marshaler]()

// valueTree is the tree of any value, as encoding/json would write it.
func valueTree(v reflect.Value) (any, error) {
	if !v.IsValid() {
		return nil, nil
	}
	if v.Type().Implements(marshaler) && (v.Kind() != reflect.Pointer || !v.IsNil()) {
		return Tree(v.Interface()) // rare: json.RawMessage, a union type
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil, nil
		}
		return valueTree(v.Elem())
	case reflect.String:
		if s := v.String(); IsToken(s) {
			return decodeToken(s)
		}
		return v.String(), nil
	case reflect.Bool:
		return v.Bool(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return Number(strconv.FormatInt(v.Int(), 10)), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return Number(strconv.FormatUint(v.Uint(), 10)), nil
	case reflect.Float32, reflect.Float64:
		return jsonFloat(v.Float(), v.Type().Bits())
	case reflect.Slice:
		if v.IsNil() {
			return nil, nil
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return Tree(v.Interface()) // base64, as encoding/json writes bytes
		}
		fallthrough
	case reflect.Array:
		l := make(List, v.Len())
		for i := range l {
			item, err := valueTree(v.Index(i))
			if err != nil {
				return nil, err
			}
			l[i] = item
		}
		return l, nil
	case reflect.Map:
		if v.IsNil() {
			return nil, nil
		}
		if v.Type().Key().Kind() != reflect.String {
			return Tree(v.Interface())
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		m := make(Map, 0, len(keys))
		for _, k := range keys {
			item, err := valueTree(v.MapIndex(k))
			if err != nil {
				return nil, err
			}
			m = append(m, Field{k.String(), item})
		}
		return m, nil
	case reflect.Struct:
		return structTree(v)
	}
	return nil, fmt.Errorf("cfn: cannot write a %s", v.Type())
}

// structTree is a struct's fields, omitempty honoured.
func structTree(v reflect.Value) (Map, error) {
	fs := infoOf(v.Type()).fields
	// goformation's structs have dozens of fields, few of them set: size
	// the mapping for those.
	var buf [32]int
	set := buf[:0]
	for i, f := range fs {
		if !f.omitempty || !empty(v.Field(f.index)) {
			set = append(set, i)
		}
	}
	m := make(Map, len(set))
	for j, i := range set {
		item, err := valueTree(v.Field(fs[i].index))
		if err != nil {
			return nil, err
		}
		m[j] = Field{fs[i].name, item}
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
