package manifest

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// TaskdefOverride is one taskdef_overrides rule, Copilot's escape hatch: a
// dot path under the task definition's Properties, and the value to put
// there, applied in order after cfngen builds the task definition.
type TaskdefOverride struct {
	Path  string
	Steps []PathStep
	// Value is the rule's value as YAML, for the translator to read into
	// the template (the manifest refuses YAML tags, so it holds none).
	Value string

	path string
}

// Where is the rule's place in the manifest: taskdef_overrides[N].
func (o TaskdefOverride) Where() string { return o.path }

// PathStep is one step of an override's path: a key, then [N] or [-].
type PathStep struct {
	Key string
	// Index is the list item [N] names, or -1 without one; Append is [-],
	// a new item at the end.
	Index  int
	Append bool
}

var overrideFields = fields{Known: []string{"path", "value"}}

func (d *decoder) taskdefOverrides(n *yaml.Node, w *Workload) {
	d.List(n, "taskdef_overrides", func(p string, item *yaml.Node) {
		o := TaskdefOverride{path: p}
		hasValue := false
		d.Mapping(item, p, overrideFields, func(key string, _, v *yaml.Node) {
			fp := d.Join(p, key)
			if key == "path" {
				o.Path, _ = d.NonEmpty(v, fp)
				if o.Path == "" {
					return
				}
				steps, err := parseOverridePath(o.Path)
				if err != nil {
					d.Errorf(v, fp, "%v", err)
					return
				}
				o.Steps = steps
				return
			}
			out, err := yaml.Marshal(v)
			if err != nil {
				d.Errorf(v, fp, "%v", err)
				return
			}
			o.Value, hasValue = string(out), true
		})
		if item.Kind != yaml.MappingNode {
			return
		}
		switch {
		case o.Path == "" && !d.reported(join(p, "path")):
			d.Errorf(item, p, "missing field \"path\"")
		case !hasValue && o.Steps != nil:
			d.Errorf(item, p, "missing field \"value\"")
		case o.Steps != nil:
			w.TaskdefOverrides = append(w.TaskdefOverrides, o)
		}
	})
}

// parseOverridePath reads A.B[0].C[-], refusing what Copilot refused:
// Family, and a container's Name, which cfngen's other resources use.
func parseOverridePath(path string) ([]PathStep, error) {
	var steps []PathStep
	for _, part := range strings.Split(path, ".") {
		s := PathStep{Key: part, Index: -1}
		if i := strings.IndexByte(part, '['); i >= 0 {
			if !strings.HasSuffix(part, "]") {
				return nil, fmt.Errorf("%q: an index is [N] or [-]", part)
			}
			s.Key = part[:i]
			switch idx := part[i+1 : len(part)-1]; idx {
			case "-":
				s.Append = true
			default:
				n, err := strconv.Atoi(idx)
				if err != nil || n < 0 || n > 1000 {
					return nil, fmt.Errorf("%q: an index is [N] or [-]", part)
				}
				s.Index = n
			}
		}
		if s.Key == "" || !charset(s.Key, "") {
			return nil, fmt.Errorf("%q: a path is property names, each with an optional [N] or [-], joined by dots", path)
		}
		steps = append(steps, s)
	}
	if steps[0].Key == "Family" {
		return nil, fmt.Errorf("Family may not be overridden: cfngen names the task family, and Copilot refused this too")
	}
	if len(steps) == 2 && steps[0].Key == "ContainerDefinitions" && !steps[0].Append && steps[0].Index >= 0 && steps[1].Key == "Name" {
		return nil, fmt.Errorf("a container's Name may not be overridden: the service, the load balancer and depends_on name it, and Copilot refused this too")
	}
	return steps, nil
}
