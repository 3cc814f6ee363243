package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMigrate plans the move of the DynamoDB addon golden case from a
// Copilot stack, with the nested stack's resources and outputs as the
// AWS CLI prints them, and checks what each step does: the nested stack's
// resources retained, the bridge without them but with their current
// values, the table imported by its name, the final template cfngen's.
// IMPORT change sets and nested stacks are beyond moto, so the steps are
// proven here by what cfngen writes, and every template is linted.
func TestMigrate(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("..", "..", "golden", "testdata", "addon-dynamodb")
	resources := `{"StackResources": [
  {"StackName": "shop-test-orders-AddonsStack-1ABC", "LogicalResourceId": "ddb", "PhysicalResourceId": "shop-test-orders-ddb", "ResourceType": "AWS::DynamoDB::Table"},
  {"StackName": "shop-test-orders-AddonsStack-1ABC", "LogicalResourceId": "ddbAccessPolicy", "PhysicalResourceId": "arn:aws:iam::123456789012:policy/ddbAccess-XYZ", "ResourceType": "AWS::IAM::ManagedPolicy"}]}`
	stackJSON := `{"Stacks": [{"StackName": "shop-test-orders-AddonsStack-1ABC", "Outputs": [
  {"OutputKey": "ddbName", "OutputValue": "shop-test-orders-ddb"},
  {"OutputKey": "ddbAccessPolicy", "OutputValue": "arn:aws:iam::123456789012:policy/ddbAccess-XYZ"}]}]}`
	for name, data := range map[string]string{"resources.json": resources, "stack.json": stackJSON} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "plan")
	code, _, errOut := cfngen("", "migrate", "--app", "shop", "--env", "test", "--addons-resources", filepath.Join(dir, "resources.json"),
		"--addons-stack", filepath.Join(dir, "stack.json"), "--out-dir", out, filepath.Join(src, "manifest.yml"))
	if code != 0 {
		t.Fatalf("migrate: exit %d: %s", code, errOut)
	}
	read := func(name string) string {
		data, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	retain, bridge, imp, final, steps := read("1-addons-retain.yml"), read("2-bridge.yml"), read("3-import.yml"), read("4-service.yml"), read("STEPS.md")
	if strings.Count(retain, "DeletionPolicy: Retain") != 2 || !strings.Contains(retain, "  App:\n") {
		t.Errorf("step 1 does not retain both resources of Copilot's nested stack:\n%s", retain)
	}
	if strings.Contains(bridge, "AWS::DynamoDB::Table") || !strings.Contains(bridge, "Value: shop-test-orders-ddb") ||
		!strings.Contains(bridge, "- arn:aws:iam::123456789012:policy/ddbAccess-XYZ") {
		t.Errorf("step 2 should drop the table and write its current values:\n%s", bridge)
	}
	if !strings.Contains(imp, "    Type: AWS::DynamoDB::Table\n    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain") {
		t.Errorf("step 3 does not add the table, retained:\n%s", imp)
	}
	var toImport []struct {
		ResourceType, LogicalResourceId string
		ResourceIdentifier              map[string]string
	}
	if err := json.Unmarshal([]byte(read("3-resources-to-import.json")), &toImport); err != nil {
		t.Fatal(err)
	}
	if len(toImport) != 1 || toImport[0].LogicalResourceId != "ddb" || toImport[0].ResourceIdentifier["TableName"] != "shop-test-orders-ddb" {
		t.Errorf("resources to import = %+v, want the table by its name", toImport)
	}
	if !strings.Contains(final, "Value: !Ref ddb") {
		t.Errorf("step 4 is not cfngen's template with the addon inlined:\n%s", final)
	}
	for _, want := range []string{"--stack-name shop-test-orders-AddonsStack-1ABC", "ParameterKey=App,UsePreviousValue=true",
		"--change-set-type IMPORT", "ddbAccessPolicy (AWS::IAM::ManagedPolicy"} {
		if !strings.Contains(steps, want) {
			t.Errorf("STEPS.md lacks %q:\n%s", want, steps)
		}
	}
	lint, err := exec.LookPath("cfn-lint")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("cfn-lint is not on PATH")
		}
		t.Skip("cfn-lint is not on PATH")
	}
	cmd := exec.Command(lint, filepath.Join(out, "1-addons-retain.yml"), filepath.Join(out, "2-bridge.yml"),
		filepath.Join(out, "3-import.yml"), filepath.Join(out, "4-service.yml"))
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("cfn-lint: %v\n%s", err, msg)
	}
}
