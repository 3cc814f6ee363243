package golden

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cfngen/cfngen/addons"
	"github.com/cfngen/cfngen/manifest"
	"github.com/cfngen/cfngen/migrate"
	"github.com/cfngen/cfngen/stack"
	"gopkg.in/yaml.v3"
)

// copilotExports are the environment exports Copilot's EnvControllerAction
// returned, by its attribute names.
var copilotExports = map[string]string{
	"InternalLoadBalancerDNSName": "InternalLoadBalancerDNS", "InternalWorkloadsHostedZone": "InternalWorkloadsHostedZoneID",
	"InternalLoadBalancerHostedZone": "InternalLoadBalancerCanonicalHostedZoneID", "InternalWorkloadsHostedZoneName": "InternalWorkloadsHostedZoneName",
	"InternalHTTPListenerArn": "InternalHTTPListenerArn", "EnvironmentSecurityGroup": "EnvironmentSecurityGroup",
}

// takeover deploys on moto the template Copilot rendered for its Backend
// Service test manifest, as Copilot deployed it (what its Lambda-backed
// custom resources returned put in their place: the environment's exports,
// fixed rule priorities), and the DynamoDB addon as a stack of its own, as
// moto cannot nest stacks; then plans cfngen migrate from what the AWS CLI
// says of the addons' stack. moto cannot carry the plan out: its
// update-stack fails on templates whose resources read attributes of ones
// the update leaves alone, and on a stack holding a DynamoDB table, and it
// has no IMPORT change sets. So the steps are proven by what cfngen wrote
// for this deployment: the bridge and the final template keep every
// resource of Copilot's stack that holds traffic or data as it is, the
// retain template retains the table, and the import names the table moto
// made, which still exists.
func takeover(t *testing.T, cli awsCLI, values map[string]string) {
	const svc = "shop-test-http-full-config"
	dir := t.TempDir()
	copilotText := asDeployed(t, readFile(t, filepath.Join("copilot", "backend-http-full-config-test.stack.yml")))
	copilotFile := filepath.Join(dir, "copilot.yml")
	if err := os.WriteFile(copilotFile, copilotText, 0o644); err != nil {
		t.Fatal(err)
	}
	cli.create(svc, standIns(t, copilotFile, values), []string{"AppName=shop", "EnvName=test", "WorkloadName=http-full-config",
		"ContainerImage=public.ecr.aws/nginx/nginx:latest", "ContainerPort=8080", "TaskCPU=512", "TaskMemory=1024", "TaskCount=1",
		"AddonsTemplateURL=", "EnvFileARN=", "EnvFileARNForfluentbit=", "ArtifactKeyARN=", "LogRetention=30",
		"TargetContainer=http-full-config", "TargetPort=8081", "HTTPSEnabled=false", "RulePath=/http-full-config-path"})
	addonStack := svc + "-AddonsStack"
	addonText := readFile(t, filepath.Join("testdata", "addon-dynamodb", "addons", "ddb.yml"))
	addonFile := filepath.Join(dir, "ddb.yml")
	// moto does not trim "${ ddb.Arn}" as CloudFormation does.
	if err := os.WriteFile(addonFile, []byte(strings.ReplaceAll(addonText, "${ ", "${")), 0o644); err != nil {
		t.Fatal(err)
	}
	cli.create(addonStack, addonFile, []string{"App=shop", "Env=test", "Name=http-full-config"})
	table := cli.physicalIDs(addonStack)["ddb"]

	data, err := os.ReadFile(filepath.Join("testdata", "copilot-backend-http", "manifest.yml"))
	if err != nil {
		t.Fatal(err)
	}
	w, err := manifest.Parse("manifest.yml", data, manifest.Options{App: "shop", Env: "test",
		Lookup: func(k string) (string, bool) { return "v1.2.3", k == "TAG" }})
	if err != nil {
		t.Fatal(err)
	}
	files, err := migrate.Plan(migrate.Inputs{Workload: w, Templates: []addons.File{{Name: "addons/ddb.yml", Data: []byte(addonText)}},
		Options:   stack.Options{App: "shop", Env: "test", CopilotEnv: true},
		Resources: cli.run("cloudformation", "describe-stack-resources", "--stack-name", addonStack),
		Stack:     cli.run("cloudformation", "describe-stacks", "--stack-name", addonStack)})
	if err != nil {
		t.Fatalf("migrate: %v", err)
	}
	plan := map[string]string{}
	for _, f := range files {
		plan[f.Name] = string(f.Data)
	}
	theirs := resourcesOf(t, copilotText)
	ev := evaluator{app: "shop", env: "test", workload: "http-full-config"}
	for _, step := range []string{"2-bridge.yml", "3-import.yml", "4-service.yml"} {
		t.Run(step, func(t *testing.T) { sameIdentity(t, theirs, resourcesOf(t, []byte(plan[step])), ev) })
	}
	if retained := resourcesOf(t, []byte(plan["1-addons-retain.yml"]))["ddb"]; retained == nil {
		t.Error("the retain step has no table")
	} else if p, _ := retained.Get("DeletionPolicy"); p != "Retain" {
		t.Errorf("the retain step leaves the table's DeletionPolicy %v", p)
	}
	var toImport []struct{ ResourceIdentifier map[string]string }
	if err := json.Unmarshal([]byte(plan["3-resources-to-import.json"]), &toImport); err != nil || len(toImport) != 1 ||
		toImport[0].ResourceIdentifier["TableName"] != table {
		t.Errorf("the import would not bring back the table %s: %+v %v", table, toImport, err)
	}
	var described struct{ Table struct{ TableName string } }
	cli.decode(cli.run("dynamodb", "describe-table", "--table-name", table), &described)
	if described.Table.TableName != table {
		t.Errorf("the addon's table %s does not exist", table)
	}
}

// asDeployed is Copilot's rendered template with what its Lambdas did
// replaced by their results, for moto, which runs none: the environment
// controller's attributes by the environment's exports, the rule
// priorities by fixed numbers, each condition decided by the parameters
// the test gives (moto cannot take !Ref AWS::NoValue in a list); the custom
// resources, their functions and roles, and the nested addons stack left
// out.
func asDeployed(t *testing.T, text string) []byte {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatal(err)
	}
	root := doc.Content[0]
	gone := map[string]bool{"AddonsStack": true, "RulePriorityFunctionRole": true, "EnvControllerRole": true}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "Resources" {
			continue
		}
		res := root.Content[i+1]
		var kept []*yaml.Node
		for j := 0; j+1 < len(res.Content); j += 2 {
			r := res.Content[j+1]
			var fields []*yaml.Node
			for k := 0; k+1 < len(r.Content); k += 2 {
				if r.Content[k].Value == "Type" && (strings.HasPrefix(r.Content[k+1].Value, "Custom::") || strings.HasPrefix(r.Content[k+1].Value, "AWS::Lambda::")) {
					gone[res.Content[j].Value] = true
				}
				if r.Content[k].Value != "DependsOn" { // on what is gone, here
					fields = append(fields, r.Content[k], r.Content[k+1])
				}
			}
			r.Content = fields
			if !gone[res.Content[j].Value] {
				kept = append(kept, res.Content[j], r)
			}
		}
		res.Content = kept
	}
	conditions := map[string]bool{"IsGovCloud": false, "HasAddons": false, "HasEnvFile": false, "HasEnvFileForfluentbit": false, "ExposePort": true}
	noValue := func(n *yaml.Node) bool { return n.Tag == "!Ref" && n.Value == "AWS::NoValue" }
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		for n.Tag == "!If" && n.Kind == yaml.SequenceNode && len(n.Content) == 3 {
			choice := n.Content[2]
			if conditions[n.Content[0].Value] {
				choice = n.Content[1]
			}
			*n = *choice
		}
		for _, c := range n.Content {
			walk(c)
		}
		var kept []*yaml.Node
		for i := 0; i < len(n.Content); i++ {
			switch {
			case n.Kind == yaml.MappingNode && i+1 < len(n.Content):
				if !noValue(n.Content[i+1]) {
					kept = append(kept, n.Content[i], n.Content[i+1])
				}
				i++
			case !noValue(n.Content[i]):
				kept = append(kept, n.Content[i])
			}
		}
		n.Content = kept
		if n.Tag == "!GetAtt" && n.Kind == yaml.ScalarNode {
			switch res, attr, _ := strings.Cut(n.Value, "."); res {
			case "EnvControllerAction":
				n.Tag, n.Value = "!ImportValue", "shop-test-"+copilotExports[attr]
			case "HTTPRulePriorityAction":
				n.Tag, n.Value = "!!int", "4"+strings.TrimPrefix(attr, "Priority")+"00"
			}
		}
	}
	walk(root)
	out, err := yaml.Marshal(&doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
