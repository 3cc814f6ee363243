// Package addons merges the user's addon templates into the rendered one,
// as Copilot merged them into a nested stack, and builds the
// ManagedPolicies cfngen generates for FireLens and X-Ray.
package addons

import (
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation/iam"
	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/policy"
)

// FireLensPolicy returns the ManagedPolicy that lets the log router write
// to its destination, scoped to exactly that destination, or nil for an
// output cfngen cannot scope (the README shows the addon to write).
// destination holds the FireLens options: Name and the output's own.
func FireLensPolicy(destination func(key string) string) *iam.ManagedPolicy {
	region := destination("region")
	if region == "" {
		region = "${AWS::Region}"
	} else {
		region = cfn.SubLiteral(region)
	}
	var s policy.Statement
	switch strings.ToLower(destination("Name")) {
	case "cloudwatch", "cloudwatch_logs":
		group := destination("log_group_name")
		if !scopable(group) {
			return nil
		}
		arn := "arn:${AWS::Partition}:logs:" + region + ":${AWS::AccountId}:log-group:" + cfn.SubLiteral(group)
		s = policy.Allow("WriteLogs", []string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"},
			cfn.Sub(arn), cfn.Sub(arn+":*"))
	case "firehose", "kinesis_firehose":
		stream := destination("delivery_stream")
		if !scopable(stream) {
			return nil
		}
		s = policy.Allow("PutRecords", []string{"firehose:PutRecordBatch"},
			cfn.Sub("arn:${AWS::Partition}:firehose:"+region+":${AWS::AccountId}:deliverystream/"+cfn.SubLiteral(stream)))
	case "kinesis", "kinesis_streams":
		stream := destination("stream")
		if !scopable(stream) {
			return nil
		}
		s = policy.Allow("PutRecords", []string{"kinesis:PutRecords"},
			cfn.Sub("arn:${AWS::Partition}:kinesis:"+region+":${AWS::AccountId}:stream/"+cfn.SubLiteral(stream)))
	case "s3":
		bucket := destination("bucket")
		if !scopable(bucket) {
			return nil
		}
		s = policy.Allow("PutObjects", []string{"s3:PutObject"}, cfn.Sub("arn:${AWS::Partition}:s3:::"+cfn.SubLiteral(bucket)+"/*"))
	default:
		return nil
	}
	return &iam.ManagedPolicy{
		Description:    cfn.Ptr("Lets the FireLens log router write to its destination."),
		PolicyDocument: policy.New(s),
	}
}

// scopable reports whether a destination name is a literal cfngen can put
// in an ARN: Fluent Bit's $(...) record templates and wildcards are not.
func scopable(name string) bool {
	return name != "" && !strings.ContainsAny(name, "$*?")
}

// XRayPolicy returns the ManagedPolicy that lets a collector or daemon
// send traces to X-Ray, as AWSXRayDaemonWriteAccess does.
func XRayPolicy() *iam.ManagedPolicy {
	return &iam.ManagedPolicy{
		Description: cfn.Ptr("Lets the X-Ray or OpenTelemetry collector send traces to X-Ray."),
		PolicyDocument: policy.New(
			// X-Ray has no resource-level permissions for these actions:
			// AWS accepts only "*".
			policy.Allow("WriteTraces", []string{"xray:GetSamplingRules", "xray:GetSamplingStatisticSummaries",
				"xray:GetSamplingTargets", "xray:PutTelemetryRecords", "xray:PutTraceSegments"}, "*")),
	}
}
