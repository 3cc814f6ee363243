package stack

import (
	"github.com/cfngen/cfngen/manifest"
)

// The logical ids of the resources cfngen generates, as Copilot named them,
// so that a diff against a Copilot stack reads naturally and a deploy onto
// one keeps its resources. Every id cfngen makes is here, fixed or derived.
const (
	LogGroup         = "LogGroup"
	ExecutionRole    = "ExecutionRole"
	FireLensPolicy   = "FireLensPolicy"
	XRayPolicy       = "XRayPolicy"
	TaskRole         = "TaskRole"
	TaskDefinition   = "TaskDefinition"
	TargetGroup      = "TargetGroup"
	HTTPListenerRule = "HTTPListenerRule"
	Service          = "Service"
	DiscoveryService = "DiscoveryService"
	AccessPoint      = "AccessPoint"

	// A Scheduled Job's.
	StateMachine     = "StateMachine"
	StateMachineRole = "StateMachineRole"
	Rule             = "Rule"
	RuleRole         = "RuleRole"

	// A Worker Service's queue.
	EventsQueue       = "EventsQueue"
	DeadLetterQueue   = "DeadLetterQueue"
	EventsQueuePolicy = "EventsQueuePolicy"

	// Autoscaling.
	AutoScalingTarget    = "AutoScalingTarget"
	ScalingPolicyCPU     = "AutoScalingPolicyECSServiceAverageCPUUtilization"
	ScalingPolicyMemory  = "AutoScalingPolicyECSServiceAverageMemoryUtilization"
	ScalingPolicyRequest = "AutoScalingPolicyALBSumRequestCountPerTarget"
	ScalingPolicyLatency = "AutoScalingPolicyALBAverageResponseTime"
	ScalingPolicyQueue   = "AutoScalingPolicyEventsQueue"
)

// Parameters the template takes from the environment it is deployed into.
const (
	AppName                  = "AppName"
	EnvName                  = "EnvName"
	WorkloadName             = "WorkloadName"
	ClusterID                = "ClusterId"
	Subnets                  = "Subnets"
	SecurityGroups           = "SecurityGroups"
	VpcID                    = "VpcId"
	HTTPListenerArn          = "HTTPListenerArn"
	HTTPSListenerArn         = "HTTPSListenerArn"
	LoadBalancerDNSName      = "LoadBalancerDNSName"
	LoadBalancerHostedZoneID = "LoadBalancerHostedZoneID"
	InternalHostedZoneID     = "InternalHostedZoneID"
	InternalHostedZoneName   = "InternalHostedZoneName"
	NamespaceID              = "ServiceDiscoveryNamespaceID"
	FileSystemID             = "FilesystemID"
	// ConnectNamespace names the Service Connect namespace.
	ConnectNamespace = "ServiceConnectNamespace"
	RulePriority     = "RulePriority"
	ContainerImage   = "ContainerImage"
	// ContainerImageFor prefixes a built sidecar's image parameter.
	ContainerImageFor = "ContainerImageFor"
)

// alphanumeric keeps the letters and digits of a name: what CloudFormation
// allows in a logical id.
func alphanumeric(s string) string {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
			b = append(b, c)
		}
	}
	return string(b)
}

// imageParameter names the parameter for a built image.
func imageParameter(w *manifest.Workload, c *manifest.Container) string {
	if c == &w.Main {
		return ContainerImage
	}
	return ContainerImageFor + alphanumeric(c.Name)
}

// topicID names a published topic's resource as Copilot did: the name,
// "fifo" for a FIFO topic, then SNSTopic. Its policy is topicID+"Policy",
// its ARN's output topicID+"Arn".
func topicID(t manifest.PublishTopic) string {
	id := alphanumeric(t.Name)
	if t.FIFO {
		id += "fifo"
	}
	return id + "SNSTopic"
}

// topicParameter names the parameter that takes a subscribed topic's ARN.
func topicParameter(t manifest.Topic) string { return "TopicArnFor" + alphanumeric(t.Service+t.Name) }

// subscriptionID names a subscribed topic's subscription resource.
func subscriptionID(t manifest.Topic) string { return alphanumeric(t.Service+t.Name) + "Subscription" }

// efsSid names the task role's statement for a volume's file system.
func efsSid(v manifest.Volume) string { return "EFS" + alphanumeric(v.Name) }

// derivedIDs lists the ids, parameters and statement ids cfngen derives
// from names the user chose, each with the manifest path of the name, so
// that two names that derive one id are an error at both, not a template
// CloudFormation refuses.
func derivedIDs(w *manifest.Workload) []derived {
	var out []derived
	for _, c := range w.Containers() {
		if c.Build && c != &w.Main {
			out = append(out, derived{imageParameter(w, c), w.FieldPath(c, "image")})
		}
	}
	for _, t := range w.Publish {
		out = append(out, derived{topicID(t), t.Path() + ".name"})
	}
	if w.Subscribe != nil {
		for _, t := range w.Subscribe.Topics {
			out = append(out, derived{subscriptionID(t), t.Path()})
		}
	}
	for _, v := range w.Volumes {
		if v.EFS != nil && v.EFS.IAM {
			out = append(out, derived{efsSid(v), "storage.volumes." + v.Name})
		}
	}
	return out
}

type derived struct{ id, path string }
