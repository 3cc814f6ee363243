package cfn

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/cloudformation/ecs"
	"github.com/awslabs/goformation/v7/cloudformation/elasticloadbalancingv2"
	"github.com/awslabs/goformation/v7/cloudformation/iam"
	"github.com/awslabs/goformation/v7/cloudformation/logs"
	"github.com/awslabs/goformation/v7/cloudformation/servicediscovery"
	"github.com/awslabs/goformation/v7/cloudformation/sns"
	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// tricky holds strings a careless YAML writer gets wrong.
var tricky = []string{
	"", " ", "true", "yes", "No", "on", "OFF", "y", "~", "null", "0755", "1:30", "2010-09-09",
	"1e3", ".5", "-1", "+1", "0x1F", ".inf", "<<", "=", "- item", "key: value", "a #b", "#c",
	"'quoted'", `"double"`, "trailing ", " leading", "a\nb", "a\nb\n", "a\n\n", "  indented\nx",
	"tab\there", "nul\x00byte", "bell\a", "unicode é ✓", "\u2028", "${AppName}-x", "arn:aws:s3:::b/*",
	"@at", "`tick", "%pct", "!bang", "&amp", "*star", "|pipe", ">gt", "[x]", "{x}", "a,b", "?q",
	"---", "...", "end:", "http://localhost:8080/", "CMD-SHELL", "curl -f http://localhost/ || exit 1",
}

// roundTrip decodes YAML written by this package and expands its tags.
func roundTrip(t *testing.T, out []byte) any {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal(out, &n); err != nil {
		t.Fatalf("output is not YAML: %v\n%s", err, out)
	}
	v, err := FromYAML(&n)
	if err != nil {
		t.Fatalf("FromYAML: %v\n%s", err, out)
	}
	return v
}

func sampleTemplate() *Template {
	t := &Template{Description: "round trip"}
	t.AddParameter("AppName", Parameter{Type: "String", Default: "shop"})
	t.AddParameter("RulePriority", Parameter{Type: "Number", Default: Number("100"), MinValue: Ptr(1), MaxValue: Ptr(50000)})
	env := make([]ecs.TaskDefinition_KeyValuePair, 0, len(tricky))
	for i, s := range tricky {
		env = append(env, ecs.TaskDefinition_KeyValuePair{Name: Ptr("V" + strings.Repeat("x", i)), Value: Ptr(s)})
	}
	env = append(env, ecs.TaskDefinition_KeyValuePair{Name: Ptr("SUB"), Value: Ptr(Sub("${AppName}.local"))})
	env = append(env, ecs.TaskDefinition_KeyValuePair{Name: Ptr("IMPORT"), Value: Ptr(ImportValue(Sub("${AppName}-db")))})
	t.AddResource("LogGroup", &logs.LogGroup{LogGroupName: Ptr(Join("", "/copilot/", Ref("AppName"))), RetentionInDays: Ptr(30)})
	t.AddResource("TaskDefinition", &ecs.TaskDefinition{
		Family:           Ptr(Sub("${AppName}-api")),
		ExecutionRoleArn: Ptr(GetAtt("ExecutionRole", "Arn")),
		ContainerDefinitions: []ecs.TaskDefinition_ContainerDefinition{{
			Name:        "api",
			Image:       "nginx",
			Environment: env,
			Command:     tricky,
			DockerLabels: map[string]string{
				"z": "last", "a": "first", "com.example/x": "y",
			},
			LogConfiguration: &ecs.TaskDefinition_LogConfiguration{LogDriver: "awslogs", Options: map[string]string{"awslogs-group": Ref("LogGroup")}},
		}},
		AWSCloudFormationDependsOn: []string{"LogGroup"},
	})
	t.AddResource("Rule", &elasticloadbalancingv2.ListenerRule{
		ListenerArn: Ptr(Ref("HTTPListenerArn")),
		Conditions:  []elasticloadbalancingv2.ListenerRule_RuleCondition{{Field: Ptr("path-pattern"), Values: []string{"/api", "/api/*"}}},
	}, Override{Path: "Priority", Value: Ref("RulePriority")}, Override{Path: "Actions", Value: Select(0, Split(",", "a,b"))})
	t.AddOutput("Family", Output{Description: "the family", Value: Ref("TaskDefinition"), Export: Sub("${AppName}-family")})
	return t
}

func TestRoundTrip(t *testing.T) {
	tpl := sampleTemplate()
	root, err := tpl.Root()
	if err != nil {
		t.Fatal(err)
	}
	out, err := Marshal(tpl, FormatYAML)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(any(root), roundTrip(t, out)); diff != "" {
		t.Errorf("YAML round trip mismatch (-want +got):\n%s\n%s", diff, out)
	}

	js, err := Marshal(tpl, FormatJSON)
	if err != nil {
		t.Fatal(err)
	}
	// JSON is YAML: reading it the same way expands {"Ref": ...} into Funcs.
	if diff := cmp.Diff(any(root), roundTrip(t, js)); diff != "" {
		t.Errorf("JSON round trip mismatch (-want +got):\n%s", diff)
	}
}

func TestReviewerStyle(t *testing.T) {
	out, err := Marshal(sampleTemplate(), FormatYAML)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{
		"AWSTemplateFormatVersion: '2010-09-09'\n",
		"\nParameters:\n  AppName:\n    Type: String\n    Default: shop\n",
		"  TaskDefinition:\n    Type: AWS::ECS::TaskDefinition\n    DependsOn:\n      - LogGroup\n    Properties:\n",
		"ExecutionRoleArn: !GetAtt ExecutionRole.Arn\n",
		"Family: !Sub '${AppName}-api'\n",
		"            - Name: IMPORT\n              Value:\n                Fn::ImportValue: !Sub '${AppName}-db'\n",
		"      Priority: !Ref RulePriority\n",
		"      LogGroupName: !Join\n        - ''\n        - - /copilot/\n          - !Ref AppName\n",
		"\nOutputs:\n  Family:\n    Description: the family\n    Value: !Ref TaskDefinition\n    Export:\n      Name: !Sub '${AppName}-family'\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "\t") || strings.Contains(s, "Fn::Ref") {
		t.Errorf("unexpected tab or long-form Ref:\n%s", s)
	}
	// Labels come out sorted by key, whatever Go's map order.
	if a, z := strings.Index(s, "a: first"), strings.Index(s, "z: last"); a < 0 || z < a {
		t.Errorf("docker labels not sorted:\n%s", s)
	}
}

// A user's value that is base64 of an intrinsic must come out exactly as
// written: goformation's own JSON path would turn it into {"Ref": ...}.
func TestBase64LookAlikeStaysString(t *testing.T) {
	for _, intrinsic := range []string{`{ "Ref": "AWS::AccountId" }`, `{"Fn::GetAtt":["A","B"]}`} {
		value := base64.StdEncoding.EncodeToString([]byte(intrinsic))
		if value != cloudformation.Ref("AWS::AccountId") && intrinsic == `{ "Ref": "AWS::AccountId" }` {
			t.Fatalf("test premise: goformation's Ref is %q, not %q", cloudformation.Ref("AWS::AccountId"), value)
		}
		tpl := &Template{}
		tpl.AddResource("TaskDefinition", &ecs.TaskDefinition{ContainerDefinitions: []ecs.TaskDefinition_ContainerDefinition{{
			Name: "api", Image: "nginx",
			Environment: []ecs.TaskDefinition_KeyValuePair{{Name: Ptr("TOKEN"), Value: Ptr(value)}},
		}}})
		for _, f := range []Format{FormatYAML, FormatJSON} {
			out, err := Marshal(tpl, f)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(out), value) || strings.Contains(string(out), "AWS::AccountId") {
				t.Errorf("%s: base64 value %q did not come out unchanged:\n%s", f, value, out)
			}
		}
	}
}

func TestMarshalDeterministic(t *testing.T) {
	first, err := Marshal(sampleTemplate(), FormatYAML)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		again, err := Marshal(sampleTemplate(), FormatYAML)
		if err != nil {
			t.Fatal(err)
		}
		if string(again) != string(first) {
			t.Fatalf("output differs between runs:\n%s", cmp.Diff(string(first), string(again)))
		}
	}
}

func TestDuplicateLogicalID(t *testing.T) {
	tpl := &Template{}
	tpl.AddResource("A", &logs.LogGroup{})
	tpl.AddResource("A", &logs.LogGroup{})
	if _, err := Marshal(tpl, FormatYAML); err == nil || !strings.Contains(err.Error(), "resource A defined twice") {
		t.Errorf("Marshal() error = %v, want resource A defined twice", err)
	}
}

func TestOverrideThroughScalarFails(t *testing.T) {
	tpl := &Template{}
	tpl.AddResource("A", &logs.LogGroup{LogGroupName: Ptr("x")}, Override{Path: "LogGroupName.Inner", Value: "y"})
	if _, err := Marshal(tpl, FormatYAML); err == nil {
		t.Error("Marshal() succeeded, want an error for an override through a scalar")
	}
}

// A list given by an override may hold intrinsics: each is written as
// one, never as the token that carries it.
func TestOverrideListOfIntrinsics(t *testing.T) {
	tpl := &Template{}
	tpl.AddResource("S", &ecs.Service{}, Override{Path: "NetworkConfiguration.AwsvpcConfiguration.SecurityGroups",
		Value: List{ImportValue(Sub("${AppName}-sg")), "sg-0123456789abcdef0"}})
	out, err := Marshal(tpl, FormatYAML)
	if err != nil {
		t.Fatal(err)
	}
	want := "          SecurityGroups:\n            - Fn::ImportValue: !Sub '${AppName}-sg'\n            - sg-0123456789abcdef0\n"
	if !strings.Contains(string(out), want) {
		t.Errorf("Marshal() =\n%s\nwant it to contain\n%s", out, want)
	}
}

func FuzzScalarRoundTrip(f *testing.F) {
	for _, s := range tricky {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			t.Skip("YAML holds only valid UTF-8")
		}
		key := s
		if len(key) > maxKeyLen/5 || isIntrinsicName(key) {
			key = "Key"
		}
		root := Map{{"Key", Map{{key, s}, {"List", List{s, Func{"Fn::Sub", s}}}}}}
		out, err := YAML(root)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(any(root), roundTrip(t, out)); diff != "" {
			t.Errorf("round trip of %q mismatch (-want +got):\n%s\n%s", s, diff, out)
		}
	})
}

func TestRefusedMaps(t *testing.T) {
	for name, root := range map[string]Map{
		"intrinsic look-alike": {{"Labels", Map{{"Ref", "x"}}}},
		"long key":             {{strings.Repeat("k", maxKeyLen+1), "x"}},
	} {
		if _, err := YAML(root); err == nil {
			t.Errorf("%s: YAML() succeeded, want an error", name)
		}
		if _, err := JSON(root); err == nil && name != "long key" {
			t.Errorf("%s: JSON() succeeded, want an error", name)
		}
	}
}

func TestSubLiteral(t *testing.T) {
	if got := SubLiteral("a${b}c"); got != "a${!b}c" {
		t.Errorf("SubLiteral() = %q, want a${!b}c", got)
	}
}

func TestExprCarriesTree(t *testing.T) {
	tree := Func{"Fn::GetAtt", List{"Table", "Arn"}}
	s, err := Expr(tree)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &Template{}
	tpl.AddResource("Task", &ecs.TaskDefinition{ContainerDefinitions: []ecs.TaskDefinition_ContainerDefinition{{
		Name: "api", Image: "nginx", Environment: []ecs.TaskDefinition_KeyValuePair{{Name: Ptr("A"), Value: Ptr(s)}},
	}}})
	out, err := Marshal(tpl, FormatYAML)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "Value: !GetAtt Table.Arn\n") {
		t.Errorf("Expr tree did not come out as !GetAtt Table.Arn:\n%s", out)
	}
	if plain, _ := Expr(Number("5")); plain != "5" {
		t.Errorf("Expr(Number 5) = %q, want 5", plain)
	}
}

// The order table, not the caller, puts a container's Name, Image and
// Essential first, and a resource's Type before its Properties.
func TestOrderTable(t *testing.T) {
	tpl := &Template{}
	tpl.AddResource("Task", &ecs.TaskDefinition{ContainerDefinitions: []ecs.TaskDefinition_ContainerDefinition{
		{Name: "api", Image: "nginx", Command: []string{"a"}, Essential: Ptr(true)},
	}})
	out, err := Marshal(tpl, FormatYAML)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "  Task:\n    Type: AWS::ECS::TaskDefinition\n    Properties:\n      ContainerDefinitions:\n        - Name: api\n          Image: nginx\n          Essential: true\n          Command:\n") {
		t.Errorf("Type, then Name, Image, Essential do not lead:\n%s", out)
	}
}

// An override must name a property of the resource's type: a typo is an
// error, not a new key in the template.
func TestOverrideUnknownPathFails(t *testing.T) {
	for _, path := range []string{"Priorty", "Conditions.Feild", "ListenerArn.Inner"} {
		tpl := &Template{}
		tpl.AddResource("Rule", &elasticloadbalancingv2.ListenerRule{}, Override{Path: path, Value: Ref("RulePriority")})
		if _, err := Marshal(tpl, FormatYAML); err == nil || !strings.Contains(err.Error(), "no such property") {
			t.Errorf("Override{Path: %q}: err = %v, want no such property", path, err)
		}
	}
	tpl := &Template{}
	tpl.AddResource("Rule", &elasticloadbalancingv2.ListenerRule{}, Override{Path: "Priority", Value: Ref("RulePriority")},
		Override{Path: "Conditions", Value: Ref("C")})
	if _, err := Marshal(tpl, FormatYAML); err != nil {
		t.Errorf("Override of existing properties: %v", err)
	}
}

// A "billion laughs" of aliases stops with an error instead of expanding.
func TestFromYAMLAliasBomb(t *testing.T) {
	src := "l0: &l0 [x, x, x, x, x, x, x, x, x]\n"
	for i := 1; i < 12; i++ {
		ref := "*l" + strconv.Itoa(i-1)
		src += "l" + strconv.Itoa(i) + ": &l" + strconv.Itoa(i) + " [" + strings.Repeat(ref+", ", 8) + ref + "]\n"
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	if _, err := FromYAML(&n); err == nil || !strings.Contains(err.Error(), "aliases expand more than") {
		t.Errorf("FromYAML() error = %v, want the alias limit", err)
	}
}

// The JSON reader's unescape agrees with encoding/json on every string.
func FuzzUnescape(f *testing.F) {
	for _, s := range tricky {
		f.Add(s)
	}
	f.Add("\U0001F600 \\u00e9 \"q\" \u2028")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := json.Marshal(s)
		if err != nil {
			t.Skip()
		}
		var want string
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		if IsToken(want) {
			t.Skip("tokens decode to intrinsics")
		}
		got, err := FromJSON(b)
		if err != nil {
			t.Fatalf("FromJSON(%s): %v", b, err)
		}
		if got != want {
			t.Errorf("FromJSON(%s) = %q, want %q", b, got, want)
		}
	})
}

// resourceTree walks a resource to the tree its JSON encoding reads back
// as: the same keys, order, numbers, nulls and omissions.
func TestResourceTreeIsJSONTree(t *testing.T) {
	resources := []cloudformation.Resource{
		&ecs.TaskDefinition{
			Family: Ptr(Sub("${AppName}-x")), Cpu: Ptr("256"),
			ContainerDefinitions: []ecs.TaskDefinition_ContainerDefinition{{
				Name: "a", Image: "nginx", Essential: Ptr(false), Memory: Ptr(0),
				PortMappings: []ecs.TaskDefinition_PortMapping{{ContainerPort: Ptr(80), Name: Ptr("target")}},
				DockerLabels: map[string]string{"z": "1", "a": Ref("X")},
				Command:      []string{},
			}},
			AWSCloudFormationDependsOn: []string{"LogGroup"},
			AWSCloudFormationCondition: "IsProd",
		},
		&ecs.Service{DesiredCount: Ptr(0), EnableExecuteCommand: Ptr(true),
			ServiceConnectConfiguration: &ecs.Service_ServiceConnectConfiguration{Enabled: false}},
		&logs.LogGroup{RetentionInDays: Ptr(30), AWSCloudFormationDeletionPolicy: "Retain"},
		&sns.Subscription{Protocol: "sqs", TopicArn: "arn", FilterPolicy: json.RawMessage(`{"b":[1],"a":"x"}`)},
		&servicediscovery.Service{DnsConfig: &servicediscovery.Service_DnsConfig{DnsRecords: []servicediscovery.Service_DnsRecord{{TTL: 10, Type: "A"}, {TTL: 0.5, Type: "SRV"}, {TTL: 1e21}}}},
		&iam.Role{AssumeRolePolicyDocument: map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{"Effect": "Allow"}}}},
	}
	for _, r := range resources {
		want, err := Tree(r)
		if err != nil {
			t.Fatal(err)
		}
		got, err := resourceTree(r)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, any(got)); diff != "" {
			t.Errorf("%s: resourceTree differs from the JSON tree (-json +walk):\n%s", r.AWSCloudFormationType(), diff)
		}
	}
}

// TestTokensNest checks each intrinsic constructor, and tokens inside
// tokens, decode to the tree CloudFormation reads.
func TestTokensNest(t *testing.T) {
	cases := map[string]struct {
		token string
		want  any
	}{
		"ref":       {Ref("Env"), Func{"Ref", "Env"}},
		"empty":     {Sub(""), Func{"Fn::Sub", ""}},
		"getatt":    {GetAtt("Role", "Arn"), Func{"Fn::GetAtt", List{"Role", "Arn"}}},
		"separator": {Split("\x01", "a:b"), Func{"Fn::Split", List{"\x01", "a:b"}}},
		"nested":    {ImportValue(Sub("${Env}-x")), Func{"Fn::ImportValue", Func{"Fn::Sub", "${Env}-x"}}},
		"in list":   {Split(",", Ref("List")), Func{"Fn::Split", List{",", Func{"Ref", "List"}}}},
		"joined": {Join("", "a", GetAtt("X", "Y"), Ref("Z")),
			Func{"Fn::Join", List{"", List{"a", Func{"Fn::GetAtt", List{"X", "Y"}}, Func{"Ref", "Z"}}}}},
		"select": {Select(1, GetAZs("")), Func{"Fn::Select", List{Number("1"), Func{"Fn::GetAZs", ""}}}},
	}
	for name, c := range cases {
		got, err := decodeToken(c.token)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

// TestPlainByte checks the table against the rule it encodes: letters,
// digits and _./@+=()-~^;, only.
func TestPlainByte(t *testing.T) {
	for c := range 256 {
		b := byte(c)
		want := b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || strings.IndexByte("_./@+=()-~^;,", b) >= 0
		if plainByte[b] != want {
			t.Errorf("plainByte[%q] = %v, want %v", b, plainByte[b], want)
		}
	}
}

// TestWritersConcurrent: renders on several goroutines at once make the
// writers of types none has seen, and each gets the JSON tree (run with
// -race to see the publishing).
func TestWritersConcurrent(t *testing.T) {
	resources := func() []cloudformation.Resource {
		return []cloudformation.Resource{
			&elasticloadbalancingv2.ListenerRule{Priority: 3, Conditions: []elasticloadbalancingv2.ListenerRule_RuleCondition{{Field: Ptr("path-pattern")}}},
			&elasticloadbalancingv2.TargetGroup{Port: Ptr(80), Matcher: &elasticloadbalancingv2.TargetGroup_Matcher{HttpCode: Ptr("200")}},
			&sns.Topic{TopicName: Ptr("t"), Subscription: []sns.Topic_Subscription{{Endpoint: "e", Protocol: "sqs"}}},
			&servicediscovery.PrivateDnsNamespace{Name: "x.local", Vpc: "vpc-1"},
		}
	}
	var wg sync.WaitGroup
	errs := make([]string, 8)
	for g := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, r := range resources() {
				want, err := Tree(r)
				if err != nil {
					errs[g] = err.Error()
					return
				}
				got, err := resourceTree(r)
				if err != nil {
					errs[g] = err.Error()
					return
				}
				if diff := cmp.Diff(want, any(got)); diff != "" {
					errs[g] = r.AWSCloudFormationType() + ": " + diff
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, e := range errs {
		if e != "" {
			t.Error(e)
		}
	}
}

// TestWritersLazy: writing a value makes writers for the types it sets,
// not for every type its type could hold (a task definition reaches
// hundreds), so a process's first render stays cheap.
func TestWritersLazy(t *testing.T) {
	count := func() int {
		n := 0
		writers.Range(func(_, _ any) bool { n++; return true })
		return n
	}
	before := count()
	if _, err := resourceTree(&ecs.TaskDefinition{ContainerDefinitions: []ecs.TaskDefinition_ContainerDefinition{{Name: "a", Image: "b"}}}); err != nil {
		t.Fatal(err)
	}
	if made := count() - before; made > 12 {
		t.Errorf("one task definition with one container made %d writers", made)
	}
}

// TestJSONTag: the fast reading of a struct tag agrees with Get.
func TestJSONTag(t *testing.T) {
	for _, tag := range []reflect.StructTag{
		`json:"Name,omitempty"`, `json:"-"`, `json:""`, `yaml:"x" json:"Y"`, `json:"a\"b"`,
		`json:"Tags,omitempty" yaml:"t"`, ``, `json:"unclosed`, `jsonx:"no"`,
	} {
		if got, want := jsonTag(tag), tag.Get("json"); got != want {
			t.Errorf("jsonTag(%s) = %q, want %q", tag, got, want)
		}
	}
}
