package cfn

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation"
)

// Template is a CloudFormation template whose parameters, resources and
// outputs keep the order they were added in. The first error met while
// adding is kept and returned by Marshal.
type Template struct {
	Description string
	Metadata    Map
	Parameters  Map
	Mappings    Map
	Conditions  Map
	Transform   List
	Resources   Map
	Outputs     Map

	err error
}

// Parameter is a template parameter; empty fields are left out.
type Parameter struct {
	Type          string
	Description   string
	Default       any // string or Number
	AllowedValues []string
	MinValue      *int
	MaxValue      *int
}

// Output is a template output; Value is a string (an intrinsic token, or
// plain) or a tree.
type Output struct {
	Description string
	Value       any
	Export      string
}

// Option changes a resource's tree after goformation has marshaled it.
type Option interface {
	apply(m *Map, r cloudformation.Resource) error
}

// Override replaces one property of a resource: for properties whose Go
// type cannot hold an intrinsic, such as ListenerRule.Priority (an int)
// given !Ref RulePriority, or a list given !Ref of a List<> parameter. Path
// is dot-separated below Properties, and must name a property of the
// resource's type: a typo is an error, never a new key.
type Override struct {
	Path  string
	Value any
}

// Edit changes a resource's Properties as a tree, after the resource and
// its overrides are built: for changes no Go type describes, such as a
// manifest's taskdef_overrides. Its error fails the template.
type Edit func(properties *Map) error

func (e Edit) apply(m *Map, _ cloudformation.Resource) error {
	props := asMap(mustGet(*m, "Properties"))
	if err := e(&props); err != nil {
		return err
	}
	m.Set("Properties", props)
	return nil
}

func mustGet(m Map, key string) any {
	v, _ := m.Get(key)
	return v
}

func asMap(v any) Map {
	m, _ := v.(Map)
	return m
}

func (t *Template) fail(err error) {
	if t.err == nil {
		t.err = err
	}
}

// AddParameter declares a parameter.
func (t *Template) AddParameter(name string, p Parameter) {
	m := make(Map, 1, 6)
	m[0] = Field{"Type", p.Type}
	if p.Description != "" {
		m = append(m, Field{"Description", p.Description})
	}
	if p.Default != nil {
		m = append(m, Field{"Default", p.Default})
	}
	if len(p.AllowedValues) > 0 {
		l := make(List, len(p.AllowedValues))
		for i, v := range p.AllowedValues {
			l[i] = v
		}
		m = append(m, Field{"AllowedValues", l})
	}
	if p.MinValue != nil {
		m = append(m, Field{"MinValue", Number(fmt.Sprint(*p.MinValue))})
	}
	if p.MaxValue != nil {
		m = append(m, Field{"MaxValue", Number(fmt.Sprint(*p.MaxValue))})
	}
	t.add(&t.Parameters, "parameter", name, arrangeEntry("Parameters", m))
}

// AddResource adds a goformation resource under a logical id, then applies
// the options to its tree.
func (t *Template) AddResource(id string, r cloudformation.Resource, options ...Option) {
	m, err := resourceTree(r)
	if err != nil {
		t.fail(fmt.Errorf("cfn: resource %s: %w", id, err))
		return
	}
	if props, _ := m.Get("Properties"); len(asMap(props)) == 0 {
		m.Delete("Properties")
	}
	for _, o := range options {
		if err := o.apply(&m, r); err != nil {
			t.fail(fmt.Errorf("cfn: resource %s: %w", id, err))
			return
		}
	}
	t.add(&t.Resources, "resource", id, arrangeEntry("Resources", m))
}

// AddTree adds an entry already in tree form (from an addon) to a section:
// Parameters, Mappings, Conditions, Resources or Outputs.
func (t *Template) AddTree(section, id string, v any) {
	target := map[string]*Map{"Parameters": &t.Parameters, "Mappings": &t.Mappings,
		"Conditions": &t.Conditions, "Resources": &t.Resources, "Outputs": &t.Outputs}[section]
	if target == nil {
		t.fail(fmt.Errorf("cfn: no section %s", section))
		return
	}
	t.add(target, strings.ToLower(strings.TrimSuffix(section, "s")), id, v)
}

// AddOutput declares an output.
func (t *Template) AddOutput(name string, o Output) {
	m := Map{}
	if o.Description != "" {
		m = append(m, Field{"Description", o.Description})
	}
	value, err := resolve(o.Value)
	if err != nil {
		t.fail(err)
		return
	}
	m = append(m, Field{"Value", value})
	if o.Export != "" {
		export, err := resolve(o.Export)
		if err != nil {
			t.fail(err)
			return
		}
		m = append(m, Field{"Export", Map{{"Name", export}}})
	}
	t.add(&t.Outputs, "output", name, arrangeEntry("Outputs", m))
}

func (t *Template) add(section *Map, kind, name string, v any) {
	if _, dup := section.Get(name); dup {
		t.fail(fmt.Errorf("cfn: %s %s defined twice", kind, name))
		return
	}
	if *section == nil {
		*section = make(Map, 0, 16) // a template has dozens of entries
	}
	*section = append(*section, Field{name, v})
}

// resolve turns an intrinsic token into its Func and leaves anything else.
func resolve(v any) (any, error) {
	switch v := v.(type) {
	case string:
		if IsToken(v) {
			return decodeToken(v)
		}
	case List:
		out := make(List, len(v))
		for i, item := range v {
			r, err := resolve(item)
			if err != nil {
				return nil, err
			}
			out[i] = r
		}
		return out, nil
	}
	return v, nil
}

func (o Override) apply(m *Map, r cloudformation.Resource) error {
	path := strings.Split(o.Path, ".")
	if !hasProperty(reflect.TypeOf(r), path) {
		return fmt.Errorf("override %s: %s has no such property", o.Path, r.AWSCloudFormationType())
	}
	value, err := resolve(o.Value)
	if err != nil {
		return err
	}
	out, err := setPath(*m, append([]string{"Properties"}, path...), value)
	if err != nil {
		return fmt.Errorf("override %s: %w", o.Path, err)
	}
	*m = out
	return nil
}

// setPath sets the value at path, making mappings on the way as needed.
func setPath(m Map, path []string, v any) (Map, error) {
	if len(path) == 1 {
		m.Set(path[0], v)
		return m, nil
	}
	child, ok := m.Get(path[0])
	if !ok {
		child = Map{}
	}
	cm, isMap := child.(Map)
	if !isMap {
		return nil, fmt.Errorf("%s is not a mapping", path[0])
	}
	cm, err := setPath(cm, path[1:], v)
	if err != nil {
		return nil, err
	}
	m.Set(path[0], cm)
	return m, nil
}

// hasProperty reports whether path names a property of the goformation
// type t, by the JSON names its fields marshal as.
func hasProperty(t reflect.Type, path []string) bool {
	for _, name := range path {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return false
		}
		fields := writerOf(t).fields
		i := slices.IndexFunc(fields, func(f structField) bool { return f.name == name })
		if i < 0 {
			return false
		}
		t = t.Field(fields[i].index).Type
	}
	return true
}

// Format is an output format.
type Format string

// The output formats.
const (
	FormatYAML Format = "yaml"
	FormatJSON Format = "json"
)

// Root returns the template as one tree, in the reviewer's order.
func (t *Template) Root() (Map, error) {
	if t.err != nil {
		return nil, t.err
	}
	root := Map{{"AWSTemplateFormatVersion", "2010-09-09"}}
	if t.Description != "" {
		root = append(root, Field{"Description", t.Description})
	}
	for _, s := range []Field{
		{"Metadata", t.Metadata}, {"Parameters", t.Parameters}, {"Mappings", t.Mappings},
		{"Conditions", t.Conditions}, {"Transform", t.Transform}, {"Resources", t.Resources}, {"Outputs", t.Outputs},
	} {
		switch v := s.Value.(type) {
		case Map:
			if len(v) > 0 {
				root = append(root, s)
			}
		case List:
			if len(v) == 1 {
				root = append(root, Field{s.Key, v[0]})
			} else if len(v) > 1 {
				root = append(root, s)
			}
		}
	}
	return arrange(root, rootOrder(), 0).(Map), nil
}

// Marshal writes the template in the given format.
func Marshal(t *Template, f Format) ([]byte, error) {
	root, err := t.Root()
	if err != nil {
		return nil, err
	}
	return MarshalRoot(root, f)
}

// MarshalRoot writes a template's tree, such as Root's after changes.
func MarshalRoot(root Map, f Format) ([]byte, error) {
	switch f {
	case FormatYAML, "":
		return YAML(root)
	case FormatJSON:
		return JSON(root)
	}
	return nil, fmt.Errorf("cfn: unknown format %q", f)
}
