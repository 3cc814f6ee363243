package stack

import (
	"fmt"

	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/diag"
	"github.com/cfngen/cfngen/manifest"
	"gopkg.in/yaml.v3"
)

// taskdefOverrides applies the manifest's taskdef_overrides to the task
// definition's properties, in order, as Copilot did: fields created on the
// way, [N] an existing item, [-] a new one at the end. A rule that cannot
// apply is an error at the rule.
func (tr *translation) taskdefOverrides(errs *diag.List) cfn.Edit {
	w := tr.w
	return func(props *cfn.Map) error {
		for _, o := range w.TaskdefOverrides {
			var n yaml.Node
			value, err := any(nil), yaml.Unmarshal([]byte(o.Value), &n)
			if err == nil && len(n.Content) > 0 {
				value, err = cfn.FromYAML(n.Content[0])
			}
			if err == nil {
				var out any
				out, err = setStep(*props, o.Steps, value, "")
				if err == nil {
					*props = out.(cfn.Map)
				}
			}
			if err != nil {
				p := o.Where() + ".path"
				errs.Add(w.File, w.ValuePos(p), p, err.Error())
			}
		}
		return nil
	}
}

// setStep puts value at the steps below node, making mappings and lists
// on the way; at names the path walked, for errors.
func setStep(node any, steps []manifest.PathStep, value any, at string) (any, error) {
	s := steps[0]
	at = joinPath(at, s.Key)
	m, ok := node.(cfn.Map)
	if !ok {
		if node != nil {
			return nil, fmt.Errorf("%s: there is a %s, not a mapping", parentOf(at), kind(node))
		}
		m = cfn.Map{}
	}
	child, _ := m.Get(s.Key)
	if s.Index < 0 && !s.Append {
		if len(steps) == 1 {
			m.Set(s.Key, value)
			return m, nil
		}
		sub, err := setStep(child, steps[1:], value, at)
		if err != nil {
			return nil, err
		}
		m.Set(s.Key, sub)
		return m, nil
	}
	list, ok := child.(cfn.List)
	if !ok && child != nil {
		return nil, fmt.Errorf("%s is a %s, not a list", at, kind(child))
	}
	i := s.Index
	if s.Append {
		i = len(list)
		list = append(list, nil)
		at += "[-]"
	} else {
		if i >= len(list) {
			return nil, fmt.Errorf("%s has %d items: [%d] is not one of them; [-] adds one", at, len(list), i)
		}
		at += fmt.Sprintf("[%d]", i)
	}
	list = append(cfn.List(nil), list...)
	if len(steps) == 1 {
		list[i] = value
	} else {
		sub, err := setStep(list[i], steps[1:], value, at)
		if err != nil {
			return nil, err
		}
		list[i] = sub
	}
	m.Set(s.Key, list)
	return m, nil
}

func joinPath(at, key string) string {
	if at == "" {
		return key
	}
	return at + "." + key
}

func parentOf(at string) string {
	for i := len(at) - 1; i >= 0; i-- {
		if at[i] == '.' {
			return at[:i]
		}
	}
	return "Properties"
}

func kind(v any) string {
	switch v.(type) {
	case cfn.Map:
		return "mapping"
	case cfn.List:
		return "list"
	case cfn.Func:
		return "function"
	}
	return "scalar"
}
