package addons

import (
	"testing"

	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/policy"
	"github.com/google/go-cmp/cmp"
)

func options(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

func TestFireLensPolicy(t *testing.T) {
	for name, tc := range map[string]struct {
		dest func(string) string
		want *policy.Statement // nil: no policy
	}{
		"cloudwatch": {options("Name", "cloudwatch", "region", "us-west-2", "log_group_name", "/app/logs"), &policy.Statement{
			Sid: "WriteLogs", Effect: "Allow",
			Action: []string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"},
			Resource: []string{
				cfn.Sub("arn:${AWS::Partition}:logs:us-west-2:${AWS::AccountId}:log-group:/app/logs"),
				cfn.Sub("arn:${AWS::Partition}:logs:us-west-2:${AWS::AccountId}:log-group:/app/logs:*"),
			}}},
		"cloudwatch_logs without region": {options("Name", "cloudwatch_logs", "log_group_name", "g"), &policy.Statement{
			Sid: "WriteLogs", Effect: "Allow",
			Action: []string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"},
			Resource: []string{
				cfn.Sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:g"),
				cfn.Sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:g:*"),
			}}},
		"firehose": {options("Name", "kinesis_firehose", "region", "eu-west-1", "delivery_stream", "events"), &policy.Statement{
			Sid: "PutRecords", Effect: "Allow", Action: []string{"firehose:PutRecordBatch"},
			Resource: []string{cfn.Sub("arn:${AWS::Partition}:firehose:eu-west-1:${AWS::AccountId}:deliverystream/events")}}},
		"kinesis": {options("Name", "kinesis_streams", "stream", "clicks"), &policy.Statement{
			Sid: "PutRecords", Effect: "Allow", Action: []string{"kinesis:PutRecords"},
			Resource: []string{cfn.Sub("arn:${AWS::Partition}:kinesis:${AWS::Region}:${AWS::AccountId}:stream/clicks")}}},
		"s3": {options("Name", "s3", "bucket", "my-logs"), &policy.Statement{
			Sid: "PutObjects", Effect: "Allow", Action: []string{"s3:PutObject"},
			Resource: []string{cfn.Sub("arn:${AWS::Partition}:s3:::my-logs/*")}}},
		"third-party output":         {options("Name", "datadog", "apikey", "x"), nil},
		"cloudwatch without a group": {options("Name", "cloudwatch", "region", "us-west-2"), nil},
		"templated group":            {options("Name", "cloudwatch", "log_group_name", "/app/$(ecs_task_id)"), nil},
	} {
		p := FireLensPolicy(tc.dest)
		switch {
		case tc.want == nil && p != nil:
			t.Errorf("%s: FireLensPolicy() = %+v, want none", name, p.PolicyDocument)
		case tc.want != nil && p == nil:
			t.Errorf("%s: FireLensPolicy() = nil, want a policy", name)
		case tc.want != nil:
			if diff := cmp.Diff(policy.New(*tc.want), p.PolicyDocument); diff != "" {
				t.Errorf("%s: FireLensPolicy() mismatch (-want +got):\n%s", name, diff)
			}
		}
	}
}

func TestXRayPolicyAllowsOnlyTraceWrites(t *testing.T) {
	doc := XRayPolicy().PolicyDocument.(policy.Document)
	if len(doc.Statement) != 1 || doc.Statement[0].Effect != "Allow" {
		t.Fatalf("XRayPolicy() = %+v, want one Allow statement", doc)
	}
	want := []string{"xray:GetSamplingRules", "xray:GetSamplingStatisticSummaries", "xray:GetSamplingTargets", "xray:PutTelemetryRecords", "xray:PutTraceSegments"}
	if diff := cmp.Diff(want, doc.Statement[0].Action); diff != "" {
		t.Errorf("XRayPolicy() actions mismatch (-want +got):\n%s", diff)
	}
}
