package stack

import (
	"encoding/json"
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation/events"
	"github.com/awslabs/goformation/v7/cloudformation/iam"
	"github.com/awslabs/goformation/v7/cloudformation/stepfunctions"
	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/manifest"
	"github.com/cfngen/cfngen/policy"
)

// addJob adds the state machine that runs the task, as Copilot did, with
// the retries and timeout, and the EventBridge rule that starts it on the
// schedule (none for schedule: none).
func addJob(t *cfn.Template, tr *translation) {
	w := tr.w
	vars := map[string]string{
		"Subnets":        quotedList(tr.subnets()),
		"SecurityGroups": quotedList(tr.securityGroups()),
	}
	if tr.opts.CopilotEnv {
		// The definition's ${ClusterId} is the parameter's otherwise.
		vars[ClusterID] = tr.value(inCluster)
	}
	t.AddResource(StateMachineRole, stateMachineRole())
	t.AddResource(StateMachine, &stepfunctions.StateMachine{
		RoleArn:          cfn.GetAtt(StateMachineRole, "Arn"),
		DefinitionString: cfn.Ptr(cfn.SubVars(definition(w), vars)),
	})
	if w.Job.Schedule == "none" {
		return
	}
	t.AddResource(RuleRole, &iam.Role{
		AssumeRolePolicyDocument: policy.AssumeRoleBy("events.amazonaws.com"),
		Policies: []iam.Role_Policy{{PolicyName: "StartStateMachine", PolicyDocument: policy.New(
			policy.Allow("StartExecution", []string{"states:StartExecution"}, cfn.Ref(StateMachine)))}},
	})
	t.AddResource(Rule, &events.Rule{
		ScheduleExpression: cfn.Ptr(w.Job.Schedule),
		State:              cfn.Ptr("ENABLED"),
		Targets:            []events.Rule_Target{{Arn: cfn.Ref(StateMachine), Id: "StateMachine", RoleArn: cfn.Ptr(cfn.GetAtt(RuleRole, "Arn"))}},
	})
}

// quotedList joins a list for the inside of a JSON array of strings in the
// definition: ["${Subnets}"] becomes ["a","b"].
func quotedList(v any) string {
	if l, ok := v.(cfn.List); ok {
		parts := make([]string, len(l))
		for i, item := range l {
			parts[i] = item.(string)
		}
		return cfn.Join(`","`, parts...)
	}
	return cfn.JoinList(`","`, v.(string))
}

// definition is the state machine: run the task on Fargate and wait for it,
// retried and timed out as the manifest says. It is the text of a !Sub:
// ${Subnets} and ${SecurityGroups} come from its variables, the others
// are the template's own.
func definition(w *manifest.Workload) string {
	task := map[string]any{
		"Type":     "Task",
		"Resource": "arn:${AWS::Partition}:states:::ecs:runTask.sync",
		"Parameters": map[string]any{
			"LaunchType":      "FARGATE",
			"PlatformVersion": "LATEST",
			"Cluster":         "${" + ClusterID + "}",
			"TaskDefinition":  "${" + TaskDefinition + "}",
			"PropagateTags":   "TASK_DEFINITION",
			"Group.$":         "$$.Execution.Name",
			"NetworkConfiguration": map[string]any{"AwsvpcConfiguration": map[string]any{
				"Subnets":        []string{"${Subnets}"},
				"SecurityGroups": []string{"${SecurityGroups}"},
				"AssignPublicIp": publicIP(w),
			}},
		},
		"End": true,
	}
	if w.Job.Retries > 0 {
		task["Retry"] = []map[string]any{{"ErrorEquals": []string{"States.ALL"}, "IntervalSeconds": 10, "MaxAttempts": w.Job.Retries, "BackoffRate": 1.5}}
	}
	machine := map[string]any{
		"Comment": "Runs the job's task on Fargate.",
		"StartAt": "Run Fargate Task",
		"States":  map[string]any{"Run Fargate Task": task},
	}
	if w.Job.Timeout > 0 {
		machine["TimeoutSeconds"] = w.Job.Timeout
	}
	// Keys sorted by encoding/json, indented so a reviewer reads it as JSON.
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	enc.Encode(machine) // maps of strings, numbers and bools always encode
	return strings.TrimSuffix(b.String(), "\n")
}

// stateMachineRole runs exactly the job's task definition and passes
// exactly its two roles. Tasks get their ids when they run, so stopping and
// describing them can name only the account's tasks; the .sync integration
// needs its one managed EventBridge rule.
func stateMachineRole() *iam.Role {
	return &iam.Role{
		AssumeRolePolicyDocument: policy.AssumeRoleBy("states.amazonaws.com"),
		Policies: []iam.Role_Policy{{PolicyName: "RunTask", PolicyDocument: policy.New(
			policy.Allow("RunTask", []string{"ecs:RunTask"}, cfn.Ref(TaskDefinition)),
			policy.Allow("WatchTask", []string{"ecs:DescribeTasks", "ecs:StopTask"},
				cfn.Sub("arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:task/*")),
			policy.Allow("PassRoles", []string{"iam:PassRole"}, cfn.GetAtt(ExecutionRole, "Arn"), cfn.GetAtt(TaskRole, "Arn")),
			policy.Allow("TaskEvents", []string{"events:DescribeRule", "events:PutRule", "events:PutTargets"},
				cfn.Sub("arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/StepFunctionsGetEventsForECSTaskRule")),
		)}},
	}
}
