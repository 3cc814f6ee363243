// Package migrate plans the move of a service Copilot deployed onto
// cfngen's template without losing its addons' data. Copilot kept addons
// in the nested stack AddonsStack; cfngen inlines them, and deploying its
// template onto Copilot's stack as it is would delete the nested stack and
// the tables, buckets and databases in it. The plan keeps them: the nested
// stack's resources are retained, the nested stack removed, the retained
// resources imported into the service stack, and the service then updated
// to cfngen's template. Every step is a plain AWS CLI command; cfngen reads
// only files the user saved from the account.
package migrate

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/cfngen/cfngen/addons"
	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/manifest"
	"github.com/cfngen/cfngen/stack"
)

// Inputs are what a plan is made from.
type Inputs struct {
	Workload *manifest.Workload
	// Templates and Params are the addons, as for a render.
	Templates []addons.File
	Params    *addons.File
	Options   stack.Options
	// Resources is `aws cloudformation describe-stack-resources` of the
	// nested addons stack, and Stack `aws cloudformation describe-stacks`
	// of it, as JSON.
	Resources, Stack []byte
}

// File is one file of the plan.
type File struct {
	Name string
	Data []byte
}

// importKeys are the identifier of each resource type an IMPORT change set
// takes, whose value is the resource's physical id. A type not here holds
// no data worth keeping (a policy, an attachment): it is made anew.
var importKeys = map[string]string{
	"AWS::DynamoDB::Table": "TableName", "AWS::S3::Bucket": "BucketName", "AWS::RDS::DBCluster": "DBClusterIdentifier",
	"AWS::RDS::DBInstance": "DBInstanceIdentifier", "AWS::RDS::DBSubnetGroup": "DBSubnetGroupName",
	"AWS::RDS::DBClusterParameterGroup": "DBClusterParameterGroupName", "AWS::SecretsManager::Secret": "Id",
	"AWS::SQS::Queue": "QueueUrl", "AWS::SNS::Topic": "TopicArn", "AWS::Logs::LogGroup": "LogGroupName",
	"AWS::EC2::SecurityGroup": "GroupId", "AWS::EFS::FileSystem": "FileSystemId", "AWS::KMS::Key": "KeyId",
	"AWS::ElastiCache::ReplicationGroup": "ReplicationGroupId", "AWS::OpenSearchService::Domain": "DomainName",
}

type describedResources struct {
	StackResources []struct {
		StackName, LogicalResourceId, PhysicalResourceId, ResourceType string
	}
}

type describedStacks struct {
	Stacks []struct {
		StackName string
		Outputs   []struct{ OutputKey, OutputValue string }
	}
}

// Plan writes the steps.
func Plan(in Inputs) ([]File, error) {
	if len(in.Templates) == 0 {
		return nil, fmt.Errorf("the service has no addons: deploy cfngen's template onto Copilot's stack as it is")
	}
	var res describedResources
	if err := json.Unmarshal(in.Resources, &res); err != nil || len(res.StackResources) == 0 {
		return nil, fmt.Errorf("--addons-resources: want the JSON of aws cloudformation describe-stack-resources --stack-name <the AddonsStack nested stack>: %v", err)
	}
	var st describedStacks
	if err := json.Unmarshal(in.Stack, &st); err != nil || len(st.Stacks) != 1 {
		return nil, fmt.Errorf("--addons-stack: want the JSON of aws cloudformation describe-stacks --stack-name <the AddonsStack nested stack>: %v", err)
	}
	nested := st.Stacks[0].StackName
	physical := map[string]string{}
	for _, r := range res.StackResources {
		physical[r.LogicalResourceId] = r.PhysicalResourceId
	}
	outputs := map[string]string{}
	for _, o := range st.Stacks[0].Outputs {
		outputs[o.OutputKey] = o.OutputValue
	}

	// Step 1: the nested stack as it is, every resource retained.
	raw, err := addons.Merge(in.Templates)
	if err != nil {
		return nil, err
	}
	retain := cfn.Map{{Key: "AWSTemplateFormatVersion", Value: "2010-09-09"},
		{Key: "Description", Value: "Copilot's addons of " + in.Workload.Name + ", every resource retained for the move to cfngen."}}
	for _, s := range []cfn.Field{{Key: "Parameters", Value: raw.Parameters}, {Key: "Mappings", Value: raw.Mappings}, {Key: "Conditions", Value: raw.Conditions}} {
		if m := s.Value.(cfn.Map); len(m) > 0 {
			retain = append(retain, s)
		}
	}
	retain = append(retain, cfn.Field{Key: "Resources", Value: retained(raw.Resources)})
	if len(raw.Outputs) > 0 {
		retain = append(retain, cfn.Field{Key: "Outputs", Value: raw.Outputs})
	}
	step1, err := cfn.MarshalRoot(retain, cfn.FormatYAML)
	if err != nil {
		return nil, err
	}

	// Step 4: cfngen's template, addons inlined.
	set, err := addons.Load(in.Templates, in.Params)
	if err != nil {
		return nil, err
	}
	t, err := stack.Template(in.Workload, set, in.Options)
	if err != nil {
		return nil, err
	}
	final, err := t.Root()
	if err != nil {
		return nil, err
	}
	step4, err := cfn.MarshalRoot(final, cfn.FormatYAML)
	if err != nil {
		return nil, err
	}

	// Step 2: the bridge, cfngen's template without the addons' resources
	// and outputs, what the service read from them written as the values
	// the nested stack's outputs hold now.
	var missing []string
	literal := map[string]string{}
	for _, o := range set.Outputs {
		v, ok := outputs[o.Key]
		if !ok {
			missing = append(missing, o.Key)
			continue
		}
		value, _ := o.Value.(cfn.Map).Get("Value")
		literal[key(value)] = v
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("--addons-stack has no output %s, which the addons declare", strings.Join(missing, ", "))
	}
	addonIDs := map[string]bool{}
	for _, r := range set.Resources {
		addonIDs[r.Key] = true
	}
	bridge := withoutAddons(final, addonIDs, set.Outputs)
	bridge = replaceValues(bridge, literal).(cfn.Map)
	step2, err := cfn.MarshalRoot(bridge, cfn.FormatYAML)
	if err != nil {
		return nil, err
	}

	// Step 3: the bridge and the retained resources, imported.
	type toImport struct {
		ResourceType       string
		LogicalResourceId  string
		ResourceIdentifier map[string]string
	}
	var imports []toImport
	var remade []string
	imported := slices.Clone(bridge)
	res3, _ := imported.Get("Resources")
	resources := slices.Clone(res3.(cfn.Map))
	for _, r := range set.Resources {
		typ, _ := r.Value.(cfn.Map).Get("Type")
		idKey, ok := importKeys[fmt.Sprint(typ)]
		id := physical[r.Key]
		if !ok || id == "" {
			remade = append(remade, fmt.Sprintf("%s (%s, %s)", r.Key, typ, id))
			continue
		}
		resources = append(resources, cfn.Field{Key: r.Key, Value: retained(cfn.Map{r})[0].Value})
		imports = append(imports, toImport{fmt.Sprint(typ), r.Key, map[string]string{idKey: id}})
	}
	imported.Set("Resources", resources)
	step3, err := cfn.MarshalRoot(imported, cfn.FormatYAML)
	if err != nil {
		return nil, err
	}
	importJSON, _ := json.MarshalIndent(imports, "", "  ")

	svc := in.Options.App + "-" + in.Options.Env + "-" + in.Workload.Name
	var params []string
	for _, p := range raw.Parameters {
		params = append(params, "ParameterKey="+p.Key+",UsePreviousValue=true")
	}
	steps := fmt.Sprintf(`# Moving %[1]s from Copilot to cfngen, keeping its addons' data

Check each step's change set before you run it; nothing here deletes data.

1. Retain every resource of the addons' nested stack:

       aws cloudformation update-stack --stack-name %[2]s \
         --template-body file://1-addons-retain.yml --capabilities CAPABILITY_IAM CAPABILITY_NAMED_IAM \
         --parameters %[3]s
       aws cloudformation wait stack-update-complete --stack-name %[2]s

2. Deploy the bridge onto the service's stack: cfngen's template without the
   addons, their values as they are now. CloudFormation deletes the nested
   stack, and keeps its resources:

       aws cloudformation deploy --stack-name %[1]s --template-file 2-bridge.yml --capabilities CAPABILITY_IAM

3. Import the kept resources into the service's stack:

       aws cloudformation create-change-set --stack-name %[1]s --change-set-name import-addons \
         --change-set-type IMPORT --resources-to-import file://3-resources-to-import.json \
         --template-body file://3-import.yml --capabilities CAPABILITY_IAM
       aws cloudformation execute-change-set --stack-name %[1]s --change-set-name import-addons

4. Deploy cfngen's template:

       aws cloudformation deploy --stack-name %[1]s --template-file 4-service.yml --capabilities CAPABILITY_IAM
`, svc, nested, strings.Join(params, " "))
	if len(remade) > 0 {
		steps += "\nThese hold no data and are made anew in step 4; the retained originals can be deleted by hand:\n\n"
		for _, r := range remade {
			steps += "- " + r + "\n"
		}
	}
	return []File{
		{"1-addons-retain.yml", step1}, {"2-bridge.yml", step2}, {"3-import.yml", step3},
		{"3-resources-to-import.json", append(importJSON, '\n')}, {"4-service.yml", step4}, {"STEPS.md", []byte(steps)},
	}, nil
}

// retained gives every resource DeletionPolicy and UpdateReplacePolicy
// Retain.
func retained(resources cfn.Map) cfn.Map {
	out := make(cfn.Map, len(resources))
	for i, r := range resources {
		var m cfn.Map
		for _, f := range r.Value.(cfn.Map) {
			if f.Key == "DeletionPolicy" || f.Key == "UpdateReplacePolicy" {
				continue
			}
			m = append(m, f)
			if f.Key == "Type" {
				m = append(m, cfn.Field{Key: "DeletionPolicy", Value: "Retain"}, cfn.Field{Key: "UpdateReplacePolicy", Value: "Retain"})
			}
		}
		out[i] = cfn.Field{Key: r.Key, Value: m}
	}
	return out
}

// withoutAddons drops the addons' resources and outputs from a template.
func withoutAddons(root cfn.Map, ids map[string]bool, outputs cfn.Map) cfn.Map {
	out := slices.Clone(root)
	for _, section := range []string{"Resources", "Outputs"} {
		v, ok := out.Get(section)
		if !ok {
			continue
		}
		var kept cfn.Map
		for _, f := range v.(cfn.Map) {
			_, isOutput := outputs.Get(f.Key)
			if section == "Resources" && ids[f.Key] || section == "Outputs" && isOutput {
				continue
			}
			kept = append(kept, f)
		}
		if len(kept) == 0 {
			out.Delete(section)
			continue
		}
		out.Set(section, kept)
	}
	return out
}

func key(v any) string { b, _ := cfn.JSON(v); return string(b) }

// replaceValues writes, wherever an expression equal to a key of literal
// stands, that literal.
func replaceValues(v any, literal map[string]string) any {
	return cfn.Rewrite(v, func(node any) (any, bool) {
		if _, isScalar := node.(string); isScalar {
			return nil, false
		}
		s, ok := literal[key(node)]
		return s, ok
	})
}
