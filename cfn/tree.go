// Package cfn holds CloudFormation templates as ordered trees and writes them
// in reviewer style: conventional section order, Type before Properties,
// two-space indentation and short-form intrinsic tags.
//
// Resources are built with goformation's typed structs. Intrinsic functions
// go into their string fields as tokens made by this package (Ref, Sub,
// GetAtt, ...), never as goformation's base64 strings, so a user's string
// that happens to be base64 of an intrinsic is never mistaken for one.
package cfn

// A value in a template tree is one of: string, Number, bool, nil, Map, List
// or Func.

// Map is a mapping whose keys keep the order they were added in.
type Map []Field

// Field is one key and its value in a Map.
type Field struct {
	Key   string
	Value any
}

// List is a sequence.
type List []any

// Number is a number written exactly as it should appear.
type Number string

// Func is an intrinsic function: Name is "Ref", "Condition" or "Fn::X".
type Func struct {
	Name string
	Arg  any
}

// Get returns the value stored under key, and whether there was one.
func (m Map) Get(key string) (any, bool) {
	for _, f := range m {
		if f.Key == key {
			return f.Value, true
		}
	}
	return nil, false
}

// Set replaces the value under key, or appends it when the key is new.
func (m *Map) Set(key string, v any) {
	for i := range *m {
		if (*m)[i].Key == key {
			(*m)[i].Value = v
			return
		}
	}
	*m = append(*m, Field{key, v})
}

// Delete removes key from the map.
func (m *Map) Delete(key string) {
	for i := range *m {
		if (*m)[i].Key == key {
			*m = append((*m)[:i], (*m)[i+1:]...)
			return
		}
	}
}

// Rewrite returns a copy of the tree v in which fn has seen every node,
// parents first: where fn returns true its result replaces the node and
// its children are not visited; mappings, lists and functions' arguments
// are copied and their children rewritten.
func Rewrite(v any, fn func(any) (any, bool)) any {
	if out, done := fn(v); done {
		return out
	}
	switch v := v.(type) {
	case Map:
		out := make(Map, len(v))
		for i, f := range v {
			out[i] = Field{Key: f.Key, Value: Rewrite(f.Value, fn)}
		}
		return out
	case List:
		out := make(List, len(v))
		for i, item := range v {
			out[i] = Rewrite(item, fn)
		}
		return out
	case Func:
		return Func{Name: v.Name, Arg: Rewrite(v.Arg, fn)}
	}
	return v
}
