package stack

import (
	"fmt"

	"github.com/cfngen/cfngen/addons"
	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/diag"
	"github.com/cfngen/cfngen/manifest"
)

// applyOutputs turns the addons' outputs into the main container's
// variables and secrets and the task role's policies. A name cfngen
// reserves or the main container already has is an error at the output.
func (tr *translation) applyOutputs() error {
	var errs diag.List
	taken := map[string]bool{}
	for _, v := range tr.w.Main.Variables {
		taken[v.Name] = true
	}
	for _, s := range tr.w.Main.Secrets {
		taken[s.Name] = true
	}
	for _, o := range tr.set.OutputsByKind() {
		at := tr.set.Where("Outputs", o.Name)
		path := "Outputs." + o.Name
		if o.Kind == addons.TaskPolicy {
			tr.policies = append(tr.policies, cfn.Ref(o.Value.(cfn.Func).Arg.(string)))
			continue
		}
		if r := reservedNamed(o.Env); r != nil {
			errs.Add(at.File, at.Pos, path, fmt.Sprintf("becomes %s, which cfngen sets %s", o.Env, r.where))
			continue
		}
		if taken[o.Env] {
			errs.Add(at.File, at.Pos, path, fmt.Sprintf("becomes %s, which the main container already has", o.Env))
			continue
		}
		taken[o.Env] = true
		value, err := cfn.Expr(o.Value)
		if err != nil {
			errs.Add(at.File, at.Pos, path, err.Error())
			continue
		}
		if o.Kind == addons.ContainerSecret {
			tr.secrets = append(tr.secrets, secret{Secret: manifest.Secret{Name: o.Env}, addonARN: value})
			continue
		}
		tr.outputs = append(tr.outputs, manifest.Variable{Name: o.Env, Value: value})
	}
	return errs.Err()
}

// mergeAddons adds the addons' sections after cfngen's own entries. An
// addon parameter or resource whose id cfngen already generates is an error
// at its line: parameters and resources share one namespace (!Ref), while
// outputs may share an id with a resource, as Copilot's addons often do.
func mergeAddons(t *cfn.Template, set *addons.Set) error {
	var errs diag.List
	generated := map[string]bool{}
	for _, m := range []cfn.Map{t.Parameters, t.Resources} {
		for _, f := range m {
			generated[f.Key] = true
		}
	}
	outputs := map[string]bool{}
	for _, f := range t.Outputs {
		outputs[f.Key] = true
	}
	for _, section := range []struct {
		name    string
		entries cfn.Map
	}{{"Parameters", set.Parameters}, {"Mappings", set.Mappings}, {"Conditions", set.Conditions}, {"Resources", set.Resources}, {"Outputs", set.Outputs}} {
		for _, e := range section.entries {
			at := set.Where(section.name, e.Key)
			if (section.name == "Parameters" || section.name == "Resources") && generated[e.Key] {
				errs.Add(at.File, at.Pos, section.name+"."+e.Key, "cfngen generates this logical id itself; rename it in the addon")
				continue
			}
			if section.name == "Outputs" && outputs[e.Key] {
				errs.Add(at.File, at.Pos, section.name+"."+e.Key, "cfngen generates an output of this id itself; rename it in the addon")
				continue
			}
			t.AddTree(section.name, e.Key, e.Value)
		}
	}
	t.Metadata = append(t.Metadata, set.Metadata...)
	t.Transform = append(t.Transform, set.Transform...)
	return errs.Err()
}
