package stack

import (
	"fmt"
	"sort"

	"github.com/cfngen/cfngen/addons"
	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/manifest"
)

// secretFromAddon marks a main-container secret that an addon output
// gives: its value is the secret's ARN (!Ref of an AWS::SecretsManager::Secret).
const secretFromAddon = "addon"

// loadAddons merges the addon templates and binds their parameters.
func loadAddons(opts Options) (*addons.Set, error) {
	if len(opts.Addons) == 0 {
		if opts.AddonParameters != nil {
			return nil, manifest.ErrorList{{File: opts.AddonParameters.Name, Pos: manifest.Pos{Line: 1, Col: 1},
				Msg: "gives parameter values, but there are no addon templates"}}
		}
		return nil, nil
	}
	set, err := addons.Merge(opts.Addons)
	if err != nil {
		return nil, err
	}
	values, err := addons.ParameterValues(opts.AddonParameters)
	if err != nil {
		return nil, err
	}
	var errs manifest.ErrorList
	for _, name := range sortedKeys(values) {
		if _, declared := set.Parameters.Get(name); !declared {
			errs.Add(opts.AddonParameters.Name, manifest.Pos{Line: 1, Col: 1}, "Parameters."+name, "no addon declares this parameter")
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	set.Bind(values)
	return set, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// applyOutputs turns the addons' outputs into the main container's
// variables and secrets and the task role's policies. A name the manifest
// already uses is an error at the output.
// It returns the ManagedPolicies to attach to the task role.
func applyOutputs(w *manifest.Workload, set *addons.Set) ([]string, error) {
	var policies []string
	var errs manifest.ErrorList
	taken := map[string]bool{}
	for _, n := range manifest.Injected {
		taken[n] = true
	}
	for _, v := range w.Main.Variables {
		taken[v.Name] = true
	}
	for _, s := range w.Main.Secrets {
		taken[s.Name] = true
	}
	for _, o := range set.OutputsByKind() {
		file, pos := set.Where("Outputs", o.Name)
		if o.Kind == addons.TaskPolicy {
			policies = append(policies, cfn.Ref(o.Value.(cfn.Func).Arg.(string)))
			continue
		}
		if taken[o.Env] {
			errs.Add(file, pos, "Outputs."+o.Name, fmt.Sprintf("becomes %s, which the main container already has", o.Env))
			continue
		}
		taken[o.Env] = true
		value, err := cfn.Expr(o.Value)
		if err != nil {
			errs.Add(file, pos, "Outputs."+o.Name, err.Error())
			continue
		}
		if o.Kind == addons.ContainerSecret {
			w.Main.Secrets = append(w.Main.Secrets, manifest.Secret{Name: o.Env, From: secretFromAddon, Value: value})
			continue
		}
		addVariable(w, manifest.Variable{Name: o.Env, Value: value})
	}
	sort.SliceStable(w.Main.Secrets, func(i, j int) bool { return w.Main.Secrets[i].Name < w.Main.Secrets[j].Name })
	return policies, errs.Err()
}

// mergeAddons adds the addons' sections after cfngen's own entries. An
// addon parameter or resource whose id cfngen already generates is an error
// at its line: parameters and resources share one namespace (!Ref), while
// outputs may share an id with a resource, as Copilot's addons often do.
func mergeAddons(t *cfn.Template, set *addons.Set) error {
	var errs manifest.ErrorList
	generated := map[string]bool{}
	for _, m := range []cfn.Map{t.Parameters, t.Resources} {
		for _, f := range m {
			generated[f.Key] = true
		}
	}
	for _, section := range []struct {
		name    string
		entries cfn.Map
	}{{"Parameters", set.Parameters}, {"Mappings", set.Mappings}, {"Conditions", set.Conditions}, {"Resources", set.Resources}, {"Outputs", set.Outputs}} {
		for _, e := range section.entries {
			if (section.name == "Parameters" || section.name == "Resources") && generated[e.Key] {
				file, pos := set.Where(section.name, e.Key)
				errs.Add(file, pos, section.name+"."+e.Key, "cfngen generates this logical id itself; rename it in the addon")
				continue
			}
			t.AddTree(section.name, e.Key, e.Value)
		}
	}
	t.Metadata = append(t.Metadata, set.Metadata...)
	t.Transform = append(t.Transform, set.Transform...)
	return errs.Err()
}

// addVariable gives the main container a variable that cfngen supplies
// (an addon output, a worker's queue URL), keeping the variables sorted.
func addVariable(w *manifest.Workload, v manifest.Variable) {
	w.Main.Variables = append(w.Main.Variables, v)
	sort.SliceStable(w.Main.Variables, func(i, j int) bool { return w.Main.Variables[i].Name < w.Main.Variables[j].Name })
}
