package addons

import (
	"regexp"
	"strings"
	"sync"

	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/diag"
	"gopkg.in/yaml.v3"
)

// binding is what a parameter reference becomes: a reference to another
// name, or a value (from addons.parameters.yml).
type binding struct {
	ref   string
	value any
}

// ParameterValues reads addons.parameters.yml: Parameters maps an addon
// parameter to its value, a scalar or an intrinsic over the workload's
// own resources and parameters.
func ParameterValues(f *File) (map[string]any, error) {
	if f == nil {
		return nil, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(f.Data, &doc); err != nil {
		return nil, diag.List{diag.YAMLSyntax(f.Name, f.Data, err)}
	}
	var errs diag.List
	out := map[string]any{}
	if len(doc.Content) == 0 {
		return out, nil
	}
	root := doc.Content[0]
	for i := 0; root.Kind == yaml.MappingNode && i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Value != "Parameters" || v.Kind != yaml.MappingNode {
			errs.Add(f.Name, diag.Pos{Line: k.Line, Col: k.Column}, "", `want only "Parameters", a map of parameter names to values`)
			continue
		}
		for j := 0; j+1 < len(v.Content); j += 2 {
			name := v.Content[j]
			if _, bound := Bound[name.Value]; bound {
				errs.Add(f.Name, diag.Pos{Line: name.Line, Col: name.Column}, "Parameters."+name.Value, "is bound by cfngen to the workload's own")
				continue
			}
			tree, err := cfn.FromYAML(v.Content[j+1])
			if err != nil {
				errs.Add(f.Name, diag.Pos{Line: name.Line, Col: name.Column}, "Parameters."+name.Value, err.Error())
				continue
			}
			out[name.Value] = tree
		}
	}
	if root.Kind != yaml.MappingNode {
		errs.Add(f.Name, diag.Pos{Line: root.Line, Col: root.Column}, "", `want a map with "Parameters"`)
	}
	return out, errs.Err()
}

// Bind binds App, Env and Name to the template's AppName, EnvName and
// WorkloadName, and each parameter with a value in values to that value,
// rewriting every !Ref and ${} that names them; bound parameters leave the
// Parameters section. Parameters without a value stay, for the template to
// ask for.
func (s *Set) Bind(values map[string]any) {
	binds := map[string]binding{}
	for p, to := range Bound {
		binds[p] = binding{ref: to}
	}
	for p, v := range values {
		binds[p] = binding{value: v}
	}
	var kept cfn.Map
	for _, p := range s.Parameters {
		if _, bound := binds[p.Key]; !bound {
			kept = append(kept, p)
		}
	}
	s.Parameters = kept
	for _, m := range []*cfn.Map{&s.Metadata, &s.Mappings, &s.Conditions, &s.Resources, &s.Outputs} {
		for i := range *m {
			(*m)[i].Value = rewrite((*m)[i].Value, binds)
		}
	}
}

func rewrite(v any, binds map[string]binding) any {
	return cfn.Rewrite(v, func(node any) (any, bool) {
		f, ok := node.(cfn.Func)
		if !ok {
			return nil, false
		}
		switch f.Name {
		case "Ref":
			if name, ok := f.Arg.(string); ok {
				if b, bound := binds[name]; bound {
					if b.ref != "" {
						return cfn.Func{Name: "Ref", Arg: b.ref}, true
					}
					return b.value, true
				}
			}
		case "Fn::Sub":
			return rewriteSub(f, binds), true
		}
		return nil, false
	})
}

// subVariable finds ${NAME} in a !Sub string; compiled on first use.
var subVariable = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\$\{([^!}][^}]*)\}`) })

// rewriteSub renames bound parameters inside a !Sub string; a parameter
// bound to a value joins the variable map, turning !Sub s into
// !Sub [s, {P: value}]. Names the variable map already defines are the
// Sub's own and stay.
func rewriteSub(f cfn.Func, binds map[string]binding) any {
	var text string
	var vars cfn.Map
	switch arg := f.Arg.(type) {
	case string:
		text = arg
	case cfn.List:
		if len(arg) != 2 {
			return f
		}
		s, ok1 := arg[0].(string)
		m, ok2 := arg[1].(cfn.Map)
		if !ok1 || !ok2 {
			return cfn.Func{Name: f.Name, Arg: rewrite(arg, binds)}
		}
		text, vars = s, rewrite(m, binds).(cfn.Map)
	default:
		return f
	}
	own := map[string]bool{}
	for _, v := range vars {
		own[v.Key] = true
	}
	text = subVariable().ReplaceAllStringFunc(text, func(m string) string {
		name := strings.TrimSpace(m[2 : len(m)-1])
		b, bound := binds[name]
		if !bound || own[name] {
			return "${" + name + "}" // "${ Table.Arn}" reads, and deploys, as "${Table.Arn}"
		}
		if b.ref != "" {
			return "${" + b.ref + "}"
		}
		if _, added := vars.Get(name); !added {
			vars = append(vars, cfn.Field{Key: name, Value: b.value})
		}
		return "${" + name + "}"
	})
	if len(vars) == 0 {
		return cfn.Func{Name: f.Name, Arg: text}
	}
	return cfn.Func{Name: f.Name, Arg: cfn.List{text, vars}}
}
