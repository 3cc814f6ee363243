package addons

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/diag"
	"gopkg.in/yaml.v3"
)

// Set is the addon templates merged into one.
type Set struct {
	Metadata, Parameters, Mappings, Conditions, Resources, Outputs cfn.Map
	Transform                                                      cfn.List

	// where records each entry's origin, "Resources.MyTable" → its key.
	where map[string]diag.Position
	errs  diag.List
}

// Where returns the file and position that defined section.id.
func (s *Set) Where(section, id string) diag.Position { return s.where[section+"."+id] }

// Resource returns the addons' resource of an id; a nil set has none.
func (s *Set) Resource(id string) (any, bool) {
	if s == nil {
		return nil, false
	}
	return s.Resources.Get(id)
}

// at is the position of a node of file.
func at(file string, n *yaml.Node) diag.Position {
	return diag.Position{File: file, Pos: diag.Pos{Line: n.Line, Col: n.Column}}
}

// Bound are the parameters every workload addon declares and cfngen binds
// to the template's own: Copilot passed these three to each addon stack.
var Bound = map[string]string{"App": "AppName", "Env": "EnvName", "Name": "WorkloadName"}

// ParametersFile is Copilot's file of values for addon parameters.
var ParametersFile = []string{"addons.parameters.yml", "addons.parameters.yaml"}

// File is an addon template, or addons.parameters.yml, as read.
type File struct {
	Name string // as errors show it, e.g. addons/ddb.yml
	Data []byte
}

// Load merges the addon templates, reads the values for their parameters
// from params (addons.parameters.yml, or nil) and binds them. It returns
// nil when there are no templates.
func Load(templates []File, params *File) (*Set, error) {
	if len(templates) == 0 {
		if params != nil {
			return nil, diag.List{{File: params.Name, Pos: diag.Pos{Line: 1, Col: 1},
				Msg: "gives parameter values, but there are no addon templates"}}
		}
		return nil, nil
	}
	set, err := Merge(templates)
	if err != nil {
		return nil, err
	}
	values, err := ParameterValues(params)
	if err != nil {
		return nil, err
	}
	var errs diag.List
	for _, name := range slices.Sorted(maps.Keys(values)) {
		if _, declared := set.Parameters.Get(name); !declared {
			errs.Add(params.Name, diag.Pos{Line: 1, Col: 1}, "Parameters."+name, "no addon declares this parameter")
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	set.Bind(values)
	return set, nil
}

// Merge reads the addon templates and merges them, as Copilot merged
// addons into one nested stack: an id defined in two files must have the
// same body; Metadata merges key by key; Mappings merge by map and first
// level key; Transforms are joined. Errors name both files and lines.
func Merge(files []File) (*Set, error) {
	s := &Set{where: map[string]diag.Position{}}
	for _, f := range files {
		s.add(f)
	}
	// Copilot merged the files into one nested stack and passed it App,
	// Env and Name, so the merged template must declare all three. (After
	// another error, a file may simply not have been read.)
	var missing []string
	for _, p := range []string{"App", "Env", "Name"} {
		if _, ok := s.Parameters.Get(p); !ok {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 && len(files) > 0 && len(s.errs) == 0 {
		s.errs.Add(files[0].Name, diag.Pos{Line: 1, Col: 1}, "Parameters",
			fmt.Sprintf("the addon templates must declare %s: cfngen binds App, Env and Name to the workload's, as Copilot passed all three to the addons", strings.Join(missing, ", ")))
	}
	if len(s.errs) > 0 {
		return nil, s.errs.Err()
	}
	return s, nil
}

var sections = []string{"AWSTemplateFormatVersion", "Description", "Metadata", "Parameters", "Mappings",
	"Conditions", "Transform", "Resources", "Outputs"}

func (s *Set) errorf(file string, n *yaml.Node, path, format string, args ...any) {
	s.errs.Add(file, at(file, n).Pos, path, fmt.Sprintf(format, args...))
}

func (s *Set) add(f File) {
	dec := yaml.NewDecoder(bytes.NewReader(f.Data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil && !errors.Is(err, io.EOF) {
		s.errs = append(s.errs, diag.YAMLSyntax(f.Name, f.Data, err))
		return
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		// A second document would otherwise vanish without a word.
		s.errs.Add(f.Name, diag.Pos{Line: extra.Line, Col: extra.Column}, "", "an addon holds one YAML document; found another")
		return
	} else if !errors.Is(err, io.EOF) {
		s.errs = append(s.errs, diag.YAMLSyntax(f.Name, f.Data, err))
		return
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		s.errs.Add(f.Name, diag.Pos{Line: 1, Col: 1}, "", "an addon must be a CloudFormation template")
		return
	}
	root := doc.Content[0]
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if seen[k.Value] {
			s.errorf(f.Name, k, k.Value, "section repeated in this file")
			continue
		}
		seen[k.Value] = true
		switch k.Value {
		case "AWSTemplateFormatVersion", "Description":
			// Template-level prose; the rendered template has its own.
		case "Transform":
			s.transform(f.Name, v)
		case "Metadata":
			tree, err := cfn.FromYAML(v)
			if err != nil {
				s.errorf(f.Name, v, k.Value, "%v", err)
				continue
			}
			if m, ok := tree.(cfn.Map); ok {
				s.Metadata = s.mergeDeep(f.Name, k.Value, s.Metadata, m, v)
			}
		case "Parameters", "Mappings", "Conditions", "Resources", "Outputs":
			if v.Kind != yaml.MappingNode {
				s.errorf(f.Name, v, k.Value, "must be a map")
				continue
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				id, body := v.Content[j], v.Content[j+1]
				if !s.shaped(f.Name, k.Value, id, body) {
					continue
				}
				tree, err := cfn.FromYAML(body)
				if err != nil {
					s.errorf(f.Name, body, k.Value+"."+id.Value, "%v", err)
					continue
				}
				s.entry(f.Name, k.Value, id, tree, body)
			}
		default:
			msg := fmt.Sprintf("unknown template section %q", k.Value)
			if sug := suggestSection(k.Value); sug != "" {
				msg += fmt.Sprintf("; did you mean %q?", sug)
			}
			s.errorf(f.Name, k, "", "%s", msg)
		}
	}
}

// needs is the key an entry of each section must have, as CloudFormation
// reads it; "" for none but a value.
var needs = map[string]string{"Parameters": "Type", "Resources": "Type", "Outputs": "Value", "Mappings": "", "Conditions": ""}

// shaped reports whether an entry is what its section holds: a mapping
// with a Type for a parameter or resource, with a Value for an output, a
// mapping for a mapping, something for a condition. Anything else would
// reach the template as a null or a scalar that CloudFormation refuses.
func (s *Set) shaped(file, section string, id, body *yaml.Node) bool {
	path := section + "." + id.Value
	for body.Kind == yaml.AliasNode && body.Alias != nil {
		body = body.Alias
	}
	if body.Kind == yaml.ScalarNode && (body.Tag == "!!null" || body.Value == "") && body.Style == 0 {
		s.errorf(file, id, path, "is empty")
		return false
	}
	need := needs[section]
	if section == "Conditions" {
		return true
	}
	if body.Kind != yaml.MappingNode {
		s.errorf(file, body, path, "must be a map")
		return false
	}
	if need == "" {
		return true
	}
	for i := 0; i+1 < len(body.Content); i += 2 {
		if body.Content[i].Value != need {
			continue
		}
		if v := body.Content[i+1]; need == "Type" && !typeName(v, section == "Resources") {
			s.errorf(file, v, path+".Type", "must be a type name such as AWS::S3::Bucket")
			return false
		}
		return true
	}
	s.errorf(file, id, path, "has no %s", need)
	return false
}

// typeName reports whether v names a type: a string, and for a resource
// one of CloudFormation's shape, Custom::Name or Vendor::Service::Resource
// (parts of letters, digits, _, @ and -). A number or a boolean is no type.
func typeName(v *yaml.Node, resource bool) bool {
	if v.Kind != yaml.ScalarNode || v.Value == "" || v.ShortTag() != "!!str" {
		return false
	}
	if !resource {
		return true
	}
	parts := strings.Split(v.Value, "::")
	if len(parts) < 2 {
		return false
	}
	for _, part := range parts {
		if part == "" || strings.Trim(part, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_@-") != "" {
			return false
		}
	}
	return true
}

func suggestSection(s string) string {
	for _, c := range sections {
		if strings.EqualFold(c, s) || strings.EqualFold(c+"s", s) || strings.EqualFold(c, s+"s") {
			return c
		}
	}
	return ""
}

// entry adds one Parameters/Mappings/Conditions/Resources/Outputs entry.
func (s *Set) entry(file, section string, id *yaml.Node, tree any, body *yaml.Node) {
	key := section + "." + id.Value
	target := s.section(section)
	here := at(file, id)
	old, exists := target.Get(id.Value)
	switch {
	case !exists:
		target.Set(id.Value, tree)
		s.where[key] = here
	case section == "Mappings":
		// Mappings merge by first-level key (Copilot: an environment's row
		// may come from another file); the rows themselves must be equal.
		oldMap, ok1 := old.(cfn.Map)
		newMap, ok2 := tree.(cfn.Map)
		if !ok1 || !ok2 {
			s.conflict(here, key, s.where[key])
			return
		}
		for _, row := range newMap {
			if prev, ok := oldMap.Get(row.Key); ok && !reflect.DeepEqual(prev, row.Value) {
				s.conflict(here, key+"."+row.Key, s.where[key])
				return
			}
			oldMap.Set(row.Key, row.Value)
		}
		target.Set(id.Value, oldMap)
	case !reflect.DeepEqual(old, tree):
		s.conflict(here, key, s.where[key])
	}
}

func (s *Set) conflict(here diag.Position, path string, first diag.Position) {
	s.errs.AddAlso(here.File, here.Pos, path, "defined differently", first)
}

func (s *Set) section(name string) *cfn.Map {
	switch name {
	case "Parameters":
		return &s.Parameters
	case "Mappings":
		return &s.Mappings
	case "Conditions":
		return &s.Conditions
	case "Resources":
		return &s.Resources
	}
	return &s.Outputs
}

// mergeDeep merges Metadata: maps key by key, anything else must be equal.
func (s *Set) mergeDeep(file, path string, dst, src cfn.Map, n *yaml.Node) cfn.Map {
	for _, f := range src {
		p := path + "." + f.Key
		old, ok := dst.Get(f.Key)
		if !ok {
			dst = append(dst, f)
			s.where[p] = at(file, n)
			continue
		}
		oldMap, ok1 := old.(cfn.Map)
		newMap, ok2 := f.Value.(cfn.Map)
		switch {
		case ok1 && ok2:
			dst.Set(f.Key, s.mergeDeep(file, p, oldMap, newMap, n))
		case !reflect.DeepEqual(old, f.Value):
			s.conflict(at(file, n), p, s.where[p])
		}
	}
	return dst
}

// transform joins Transform declarations, each macro once.
func (s *Set) transform(file string, n *yaml.Node) {
	tree, err := cfn.FromYAML(n)
	if err != nil {
		s.errorf(file, n, "Transform", "%v", err)
		return
	}
	list, ok := tree.(cfn.List)
	if !ok {
		list = cfn.List{tree}
	}
	for _, t := range list {
		seen := false
		for _, have := range s.Transform {
			seen = seen || reflect.DeepEqual(have, t)
		}
		if !seen {
			s.Transform = append(s.Transform, t)
		}
	}
}

// Kind is what an addon output becomes in the workload.
type Kind int

// The kinds of output.
const (
	Variable        Kind = iota // an environment variable of the main container
	TaskPolicy                  // a ManagedPolicy attached to the task role
	ContainerSecret             // a Secrets Manager secret of the main container
)

// Output is an addon output and what it becomes.
type Output struct {
	Name  string // the output's logical id
	Env   string // the variable or secret name: SCREAMING_SNAKE_CASE of Name
	Kind  Kind
	Value any // the output's value tree
}

// OutputsByKind classifies the outputs, in order: a !Ref of an
// AWS::IAM::ManagedPolicy attaches to the task role, a !Ref of an
// AWS::SecretsManager::Secret becomes a main-container secret, anything
// else an environment variable.
func (s *Set) OutputsByKind() []Output {
	var out []Output
	for _, o := range s.Outputs {
		body, _ := o.Value.(cfn.Map)
		value, _ := body.Get("Value")
		kind := Variable
		if f, ok := value.(cfn.Func); ok && f.Name == "Ref" {
			if id, ok := f.Arg.(string); ok {
				switch s.resourceType(id) {
				case "AWS::IAM::ManagedPolicy":
					kind = TaskPolicy
				case "AWS::SecretsManager::Secret":
					kind = ContainerSecret
				}
			}
		}
		out = append(out, Output{Name: o.Key, Env: ScreamingSnake(o.Key), Kind: kind, Value: value})
	}
	return out
}

func (s *Set) resourceType(id string) string {
	r, _ := s.Resources.Get(id)
	m, _ := r.(cfn.Map)
	t, _ := m.Get("Type")
	str, _ := t.(string)
	return str
}

// ScreamingSnake turns an output name into a variable name as Copilot did:
// MyTableName → MY_TABLE_NAME, ddbName → DDB_NAME, DBName → DB_NAME.
func ScreamingSnake(s string) string {
	var b strings.Builder
	r := []rune(s)
	for i, c := range r {
		upper := c >= 'A' && c <= 'Z'
		if i > 0 && upper {
			prev := r[i-1]
			prevLower := (prev >= 'a' && prev <= 'z') || (prev >= '0' && prev <= '9')
			nextLower := i+1 < len(r) && r[i+1] >= 'a' && r[i+1] <= 'z'
			prevUpper := prev >= 'A' && prev <= 'Z'
			if prevLower || (prevUpper && nextLower) {
				b.WriteByte('_')
			}
		}
		b.WriteRune(c)
	}
	return strings.ToUpper(b.String())
}
