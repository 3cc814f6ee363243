package golden

import (
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/cfngen/cfngen/cfn"
)

// difference is an intended difference from Copilot's container
// definition: in container (Copilot's main container is "main"), field,
// and for Environment and Secrets the variable; why says why.
type difference struct {
	container, field, key, why string
}

// Reasons that recur.
const (
	discoveryEndpoint = "cfngen writes !Sub '${EnvName}.${AppName}.local', the same value, resolved at deploy time instead of render time"
	testImage         = "Copilot's test harness rendered every main image as the ContainerImage parameter; cfngen writes image.location as given"
	envFile           = "cfngen reads the env file when it renders and writes its variables into the container's environment, where Copilot uploaded it to S3 for ECS to read (the test supplies logging.env, which Copilot's test names without content)"
	lbDNS             = "cfngen writes the load balancer's DNS name from its input (LoadBalancerDNSName, ImportedALBDNSName, an import with --copilot-env), where Copilot read it from its environment controller or looked the imported ALB up"
	topicARNs         = "the same map of topic names to ARNs, written by cfngen as !Sub over the topics the template creates, where Copilot's test wrote the ARNs out"
)

// commonVariables are the variables every container of a published
// service with http differs in.
func commonVariables(containers ...string) []difference {
	var out []difference
	for _, c := range containers {
		out = append(out,
			difference{c, "Environment", "COPILOT_SERVICE_DISCOVERY_ENDPOINT", discoveryEndpoint},
			difference{c, "Environment", "COPILOT_LB_DNS", lbDNS},
			difference{c, "Environment", "COPILOT_SNS_TOPIC_ARNS", topicARNs})
	}
	return out
}

// jobDifferences are the differences from Copilot's job-test template.
var jobDifferences = []difference{
	{"main", "Image", "", testImage},
	{"main", "Environment", "COPILOT_SERVICE_DISCOVERY_ENDPOINT", discoveryEndpoint},
	{"main", "Environment", "COPILOT_SNS_TOPIC_ARNS", topicARNs},
	{"nginx", "Environment", "COPILOT_SERVICE_DISCOVERY_ENDPOINT", discoveryEndpoint},
	{"nginx", "Environment", "COPILOT_SNS_TOPIC_ARNS", topicARNs},
}

var copilotComparisons = []struct {
	golden, copilot string
	differences     []difference
}{
	{"copilot-windows", "windows-svc-test.stack.yml", []difference{
		{"main", "Environment", "COPILOT_SERVICE_DISCOVERY_ENDPOINT", discoveryEndpoint},
		{"main", "Environment", "COPILOT_LB_DNS", lbDNS},
	}},
	// Copilot's job manifest with an existing file system, and as written,
	// on the environment's file system.
	{"job-efs-sidecar", "job-test.stack.yml", jobDifferences},
	{"copilot-job", "job-test.stack.yml", jobDifferences},
	// Copilot's own manifests with aliases, additional rules, source IPs
	// and an imported ALB, as written.
	{"copilot-backend-http", "backend-http-full-config-test.stack.yml", []difference{
		{"main", "Environment", "COPILOT_SERVICE_DISCOVERY_ENDPOINT", discoveryEndpoint},
		{"main", "Environment", "COPILOT_LB_DNS", lbDNS},
		{"fluent-bit", "Environment", "COPILOT_SERVICE_DISCOVERY_ENDPOINT", discoveryEndpoint},
		{"fluent-bit", "Environment", "COPILOT_LB_DNS", lbDNS},
	}},
	{"copilot-svc-test", "svc-test.stack.yml", []difference{
		{"main", "Environment", "COPILOT_SERVICE_DISCOVERY_ENDPOINT", discoveryEndpoint},
		{"main", "Environment", "COPILOT_LB_DNS", lbDNS},
		{"main", "Environment", "COPILOT_SNS_TOPIC_ARNS", topicARNs},
	}},
	{"copilot-svc-prod", "svc-prod.stack.yml", append(commonVariables("main", "nginx", "operation", "firelens_log_router"),
		difference{"firelens_log_router", "Environment", "FLB_LOG_LEVEL", envFile},
		difference{"main", "DependsOn", "", "the main container waits for the log router to start, as AWS recommends for FireLens"},
	)},
	{"copilot-svc-staging", "svc-staging.stack.yml", []difference{
		{"main", "Image", "", testImage},
		{"main", "Environment", "COPILOT_SERVICE_DISCOVERY_ENDPOINT", discoveryEndpoint},
		{"main", "Environment", "COPILOT_LB_DNS", lbDNS},
		{"main", "Environment", "COPILOT_SNS_TOPIC_ARNS", topicARNs},
	}},
	{"backend-http", "backend-http-full-config-test.stack.yml", []difference{
		{"main", "Environment", "COPILOT_SERVICE_DISCOVERY_ENDPOINT", discoveryEndpoint},
		{"main", "Environment", "COPILOT_LB_DNS", lbDNS},
		{"fluent-bit", "Environment", "COPILOT_SERVICE_DISCOVERY_ENDPOINT", discoveryEndpoint},
		{"fluent-bit", "Environment", "COPILOT_LB_DNS", lbDNS},
	}},
}

// compared are the container fields the comparison covers.
var compared = []string{"Image", "PortMappings", "Environment", "Secrets", "DependsOn", "HealthCheck", "MountPoints", "LogConfiguration"}

// TestCopilotContainers compares cfngen's container definitions with the
// ones Copilot rendered for the same manifest. Every difference must be
// listed above with its reason, and every listed difference must still be
// one.
func TestCopilotContainers(t *testing.T) {
	for _, c := range copilotComparisons {
		t.Run(c.golden, func(t *testing.T) {
			ours := containers(t, readTemplate(t, filepath.Join("testdata", c.golden, "stack.yml")))
			theirs := containers(t, readTemplate(t, filepath.Join("copilot", c.copilot)))
			intended := map[string]string{}
			for _, d := range c.differences {
				intended[d.container+"/"+d.field+"/"+d.key] = d.why
			}
			found := map[string]bool{}
			for name, want := range theirs {
				got, ok := ours[name]
				if !ok {
					t.Errorf("container %s: Copilot renders it, cfngen does not", name)
					continue
				}
				for _, field := range compared {
					for _, key := range diff(field, want[field], got[field]) {
						id := name + "/" + field + "/" + key
						found[id] = true
						if _, ok := intended[id]; !ok {
							t.Errorf("container %s: %s %s differs from Copilot's, and no reason is listed:\nCopilot: %v\ncfngen:  %v",
								name, field, key, want[field], got[field])
						}
					}
				}
			}
			for id := range intended {
				if !found[id] {
					t.Errorf("listed difference %s is no longer a difference; remove it", id)
				}
			}
		})
	}
}

// containers maps each container of the template's task definition to its
// normalized fields; the main container is "main" (Copilot names it !Ref
// WorkloadName, cfngen by its name).
func containers(t *testing.T, tree cfn.Map) map[string]map[string]any {
	resources, _ := tree.Get("Resources")
	td, _ := resources.(cfn.Map).Get("TaskDefinition")
	props, _ := td.(cfn.Map).Get("Properties")
	defs, _ := props.(cfn.Map).Get("ContainerDefinitions")
	out := map[string]map[string]any{}
	for i, d := range defs.(cfn.List) {
		m := d.(cfn.Map)
		name, _ := m.Get("Name")
		key, ok := name.(string)
		if i == 0 || !ok {
			key = "main"
		}
		fields := map[string]any{}
		for _, f := range compared {
			v, _ := m.Get(f)
			fields[f] = normalize(f, v)
		}
		out[key] = fields
	}
	if len(out) == 0 {
		t.Fatal("no container definitions")
	}
	return out
}

// normalize makes equal what means the same: !Sub '${X}' and !Ref X, and
// lists of name/value pairs as maps; a port mapping's Name (for Service
// Connect) is dropped.
func normalize(field string, v any) any {
	v = subToRef(v)
	switch field {
	case "Environment", "Secrets":
		m := map[string]any{}
		list, _ := v.(cfn.List)
		for _, item := range list {
			pair := item.(cfn.Map)
			name, _ := pair.Get("Name")
			value, ok := pair.Get("Value")
			if !ok {
				value, _ = pair.Get("ValueFrom")
			}
			m[fmt.Sprint(name)] = value
		}
		return m
	case "PortMappings":
		list, _ := v.(cfn.List)
		var out cfn.List
		for _, item := range list {
			pm := append(cfn.Map(nil), item.(cfn.Map)...)
			pm.Delete("Name")
			out = append(out, sortedMap(pm))
		}
		return out
	}
	return sortedMap(v)
}

func subToRef(v any) any {
	switch v := v.(type) {
	case cfn.Func:
		if s, ok := v.Arg.(string); ok && v.Name == "Fn::Sub" && strings.HasPrefix(s, "${") && strings.HasSuffix(s, "}") && strings.Count(s, "${") == 1 {
			return cfn.Func{Name: "Ref", Arg: s[2 : len(s)-1]}
		}
		return cfn.Func{Name: v.Name, Arg: subToRef(v.Arg)}
	case cfn.Map:
		out := make(cfn.Map, len(v))
		for i, f := range v {
			out[i] = cfn.Field{Key: f.Key, Value: subToRef(f.Value)}
		}
		return out
	case cfn.List:
		out := make(cfn.List, len(v))
		for i, item := range v {
			out[i] = subToRef(item)
		}
		return out
	}
	return v
}

// sortedMap orders mapping keys, which differ between the two writers.
func sortedMap(v any) any {
	switch v := v.(type) {
	case cfn.Map:
		out := make(cfn.Map, len(v))
		for i, f := range v {
			out[i] = cfn.Field{Key: f.Key, Value: sortedMap(f.Value)}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
		return out
	case cfn.List:
		out := make(cfn.List, len(v))
		for i, item := range v {
			out[i] = sortedMap(item)
		}
		return out
	}
	return v
}

// diff returns the keys that differ: variable names for Environment and
// Secrets, "" for a whole field.
func diff(field string, want, got any) []string {
	wm, ok1 := want.(map[string]any)
	gm, ok2 := got.(map[string]any)
	if !ok1 || !ok2 {
		if reflect.DeepEqual(want, got) {
			return nil
		}
		return []string{""}
	}
	var keys []string
	for k, w := range wm {
		if g, ok := gm[k]; !ok || !reflect.DeepEqual(w, g) {
			keys = append(keys, k)
		}
	}
	for k := range gm {
		if _, ok := wm[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}
