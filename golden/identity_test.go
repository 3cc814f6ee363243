package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/cfngen/cfngen/cfn"
	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// replacing are, for each resource type a Copilot user's stack keeps, the
// properties whose change makes CloudFormation replace the resource: a new
// service, log group, target group, queue, topic, access point or Cloud
// Map service, and with it downtime or lost data.
var replacing = map[string][]string{
	"AWS::ECS::Service":                         {"Cluster", "LaunchType", "ServiceName", "SchedulingStrategy", "Role", "DeploymentController"},
	"AWS::Logs::LogGroup":                       {"LogGroupName"},
	"AWS::ElasticLoadBalancingV2::TargetGroup":  {"Name", "Port", "Protocol", "ProtocolVersion", "TargetType", "VpcId"},
	"AWS::ElasticLoadBalancingV2::LoadBalancer": {"Name", "Scheme"},
	"AWS::SQS::Queue":                           {"QueueName", "FifoQueue"},
	"AWS::SNS::Topic":                           {"TopicName", "FifoTopic"},
	"AWS::EFS::AccessPoint":                     {"ClientToken", "FileSystemId", "PosixUser", "RootDirectory"},
	"AWS::ServiceDiscovery::Service":            {"Name", "NamespaceId", "HealthCheckCustomConfig", "Type"},
}

// identities pairs Copilot's rendered templates with the golden cases of
// the same manifests, and the names Copilot's test rendered them with.
var identities = []struct{ copilot, golden, app, env, workload string }{
	{"svc-test.stack.yml", "copilot-svc-test", "my-app", "test", "front-end"},
	{"svc-staging.stack.yml", "copilot-svc-staging", "my-app", "staging", "front-end"},
	{"svc-prod.stack.yml", "copilot-svc-prod", "my-app", "prod", "front-end"},
	{"backend-http-full-config-test.stack.yml", "copilot-backend-http", "my-app", "test", "http-full-config"},
	{"job-test.stack.yml", "copilot-job", "my-app", "test", "job"},
	{"windows-svc-test.stack.yml", "copilot-windows", "my-app", "test", "windows"},
}

// TestCopilotIdentity renders each Copilot test manifest with --copilot-env
// and holds every resource of a kept type in Copilot's template to the same
// logical id, type and replacement-forcing properties in cfngen's, the
// intrinsics of both evaluated with the app, environment and workload
// names, so that deploying cfngen's template onto the stack Copilot made
// updates those resources in place.
func TestCopilotIdentity(t *testing.T) {
	for _, id := range identities {
		t.Run(id.golden, func(t *testing.T) {
			c := goldenCase{name: id.golden, dir: filepath.Join("testdata", id.golden)}
			c.opts = caseOptions(t, c.dir)
			c.opts.copilotEnv, c.opts.app, c.opts.env = true, id.app, id.env
			data, err := os.ReadFile(filepath.Join(c.dir, "manifest.yml"))
			if err != nil {
				t.Fatal(err)
			}
			out, err := pipeline(data, c.opts)
			if err != nil {
				t.Fatalf("render with --copilot-env: %v", err)
			}
			theirs := resourcesOf(t, []byte(readFile(t, filepath.Join("copilot", id.copilot))))
			sameIdentity(t, theirs, resourcesOf(t, out), evaluator{app: id.app, env: id.env, workload: id.workload})
		})
	}
}

// sameIdentity holds every resource of a kept type in theirs to the same
// logical id, type and replacement-forcing properties in ours.
func sameIdentity(t *testing.T, theirs, ours map[string]cfn.Map, ev evaluator) {
	t.Helper()
	for _, name := range sortedKeys(theirs) {
		r := theirs[name]
		typ, _ := r.Get("Type")
		props, ok := replacing[typ.(string)]
		if !ok {
			continue
		}
		mine, ok := ours[name]
		if !ok {
			t.Errorf("%s %s: Copilot's stack has it, cfngen's template does not: CloudFormation would delete it", typ, name)
			continue
		}
		if myType, _ := mine.Get("Type"); myType != typ {
			t.Errorf("%s: type %v, Copilot's %v", name, myType, typ)
			continue
		}
		for _, p := range props {
			want, got := ev.eval(property(r, p)), ev.eval(property(mine, p))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s %s.%s would force a replacement (-Copilot +cfngen):\n%s", typ, name, p, diff)
			}
		}
	}
}

func resourcesOf(t *testing.T, data []byte) map[string]cfn.Map {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		t.Fatal(err)
	}
	tree, err := cfn.FromYAML(&n)
	if err != nil {
		t.Fatal(err)
	}
	res, _ := tree.(cfn.Map).Get("Resources")
	out := map[string]cfn.Map{}
	for _, f := range res.(cfn.Map) {
		out[f.Key] = f.Value.(cfn.Map)
	}
	return out
}

func property(r cfn.Map, name string) any {
	props, _ := r.Get("Properties")
	m, _ := props.(cfn.Map)
	v, _ := m.Get(name)
	return v
}

func sortedKeys(m map[string]cfn.Map) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// envControllerExports are what Copilot's EnvControllerAction returned:
// the environment stack's exports.
var envControllerExports = map[string]string{
	"ManagedFileSystemID": "FilesystemID", "EnvironmentSecurityGroup": "EnvironmentSecurityGroup",
	"PublicLoadBalancerDNSName": "PublicLoadBalancerDNS", "InternalLoadBalancerDNSName": "InternalLoadBalancerDNS",
}

// evaluator resolves a template's intrinsics to the values they take in
// one deployment: parameters by the names, imports as import:<name>.
type evaluator struct{ app, env, workload string }

var subVar = regexp.MustCompile(`\$\{([^}]+)\}`)

func (e evaluator) ref(name string) string {
	switch name {
	case "AppName":
		return e.app
	case "EnvName":
		return e.env
	case "WorkloadName":
		return e.workload
	case "AWS::StackName":
		// Copilot's stack, which a migration deploys onto.
		return e.app + "-" + e.env + "-" + e.workload
	}
	return "ref:" + name
}

func (e evaluator) eval(v any) any {
	switch v := v.(type) {
	case cfn.Map:
		out := map[string]any{}
		for _, f := range v {
			out[f.Key] = e.eval(f.Value)
		}
		return out
	case cfn.List:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = e.eval(x)
		}
		return out
	case cfn.Number:
		return string(v)
	case bool:
		return strconv.FormatBool(v)
	case cfn.Func:
		return e.fn(v)
	case nil:
		return nil
	}
	return fmt.Sprint(v)
}

func (e evaluator) fn(f cfn.Func) any {
	switch f.Name {
	case "Ref":
		return e.ref(f.Arg.(string))
	case "Fn::Sub":
		s, vars := "", map[string]any{}
		switch a := f.Arg.(type) {
		case string:
			s = a
		case cfn.List:
			s = a[0].(string)
			for _, kv := range a[1].(cfn.Map) {
				vars[kv.Key] = e.eval(kv.Value)
			}
		}
		return subVar.ReplaceAllStringFunc(s, func(m string) string {
			name := m[2 : len(m)-1]
			if v, ok := vars[name]; ok {
				return fmt.Sprint(v)
			}
			return e.ref(name)
		})
	case "Fn::ImportValue":
		return "import:" + fmt.Sprint(e.eval(f.Arg))
	case "Fn::GetAtt":
		parts := f.Arg.(cfn.List)
		if parts[0] == "EnvControllerAction" {
			if export, ok := envControllerExports[parts[1].(string)]; ok {
				return "import:" + e.app + "-" + e.env + "-" + export
			}
		}
		return fmt.Sprintf("getatt:%v.%v", parts[0], parts[1])
	case "Fn::Join":
		a := f.Arg.(cfn.List)
		var parts []string
		for _, p := range e.eval(a[1]).([]any) {
			parts = append(parts, fmt.Sprint(p))
		}
		return strings.Join(parts, a[0].(string))
	}
	return fmt.Sprintf("%s(%v)", f.Name, e.eval(f.Arg))
}
