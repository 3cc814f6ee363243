package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cfngen/cfngen/cfn"
	"gopkg.in/yaml.v3"
)

// wildcardExceptions are the only wildcards cfngen writes into an IAM
// resource, each documented in the README: actions AWS authorizes only on
// "*", a Secrets Manager name's random suffix, a log group's streams, the
// objects of a FireLens S3 bucket and a job's tasks, whose ids exist only at
// run time.
func wildcardAllowed(resource string, actions []string) bool {
	if resource == "*" {
		for _, a := range actions {
			if a != "ecr:GetAuthorizationToken" && !strings.HasPrefix(a, "ssmmessages:") && !strings.HasPrefix(a, "xray:") {
				return false
			}
		}
		return true
	}
	for _, suffix := range []string{"-??????", ":log-group:/app/logs:*", "/*"} {
		if strings.HasSuffix(resource, suffix) {
			rest := strings.TrimSuffix(resource, suffix)
			switch {
			case suffix == "-??????", suffix == ":log-group:/app/logs:*":
				return !strings.ContainsAny(rest, "*?")
			case strings.HasSuffix(rest, ":task") && len(actions) > 0 && strings.HasPrefix(actions[0], "ecs:"):
				return !strings.ContainsAny(rest, "*?")
			case len(actions) == 1 && actions[0] == "s3:PutObject":
				return !strings.ContainsAny(rest, "*?")
			}
		}
	}
	if strings.HasSuffix(resource, ":*") && strings.Contains(resource, ":log-group:") {
		return !strings.ContainsAny(strings.TrimSuffix(resource, ":*"), "*?")
	}
	return !strings.ContainsAny(resource, "*?")
}

// Every IAM statement cfngen writes names exact resources: no * or ? but
// the documented exceptions, whatever the golden manifest says.
func TestNoWildcardsInIAM(t *testing.T) {
	for _, c := range stacks(t) {
		root := readTemplate(t, filepath.Join(c.dir, "stack.yml"))
		fromAddons := addonResources(t, c.dir)
		resources, _ := root.Get("Resources")
		checked := 0
		for _, r := range resources.(cfn.Map) {
			if fromAddons[r.Key] {
				continue
			}
			walkStatements(r.Value, func(s cfn.Map) {
				actions := strings.Fields(strings.Trim(flatten(get(s, "Action")), "[]"))
				for _, res := range strings.Fields(strings.Trim(flatten(get(s, "Resource")), "[]")) {
					checked++
					if !wildcardAllowed(res, actions) {
						t.Errorf("%s: %s: resource %s for %v widens beyond the documented exceptions", c.name, r.Key, res, actions)
					}
				}
			})
		}
		// Every workload has roles; an environment (env-…) may have none.
		if checked == 0 && !strings.HasPrefix(c.name, "env-") {
			t.Errorf("%s: no IAM statement found; the walk is broken", c.name)
		}
	}
}

func get(m cfn.Map, key string) any {
	v, _ := m.Get(key)
	return v
}

// flatten writes a resource or action value as space-separated words; an
// intrinsic becomes the text it holds (a !Sub's pattern, a !Ref's name).
func flatten(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case cfn.List:
		var parts []string
		for _, x := range v {
			parts = append(parts, flatten(x))
		}
		return strings.Join(parts, " ")
	case cfn.Func:
		if l, ok := v.Arg.(cfn.List); ok && v.Name == "Fn::Join" && len(l) == 2 {
			var parts []string
			if items, ok := l[1].(cfn.List); ok {
				for _, x := range items {
					parts = append(parts, strings.ReplaceAll(flatten(x), " ", ""))
				}
			}
			return strings.Join(parts, "")
		}
		return strings.ReplaceAll(flatten(v.Arg), " ", "")
	}
	return ""
}

// walkStatements calls fn with every IAM statement below v.
func walkStatements(v any, fn func(cfn.Map)) {
	switch v := v.(type) {
	case cfn.Map:
		for _, f := range v {
			if f.Key == "Statement" {
				if l, ok := f.Value.(cfn.List); ok {
					for _, s := range l {
						if m, ok := s.(cfn.Map); ok {
							fn(m)
						}
					}
				}
				continue
			}
			walkStatements(f.Value, fn)
		}
	case cfn.List:
		for _, x := range v {
			walkStatements(x, fn)
		}
	}
}

// addonResources are the ids the case's addon templates define: their
// policies are the user's to scope.
func addonResources(t *testing.T, dir string) map[string]bool {
	out := map[string]bool{}
	files, _ := filepath.Glob(filepath.Join(dir, "addons", "*.y*ml"))
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Resources map[string]yaml.Node `yaml:"Resources"`
		}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			continue
		}
		for id := range doc.Resources {
			out[id] = true
		}
	}
	return out
}
