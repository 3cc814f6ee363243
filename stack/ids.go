package stack

// Logical ids of the resources cfngen generates, as Copilot named them so a
// diff against a Copilot stack reads naturally.
const (
	LogGroup         = "LogGroup"
	ExecutionRole    = "ExecutionRole"
	TaskRole         = "TaskRole"
	TaskDefinition   = "TaskDefinition"
	TargetGroup      = "TargetGroup"
	HTTPListenerRule = "HTTPListenerRule"
	Service          = "Service"
)

// Parameters the template takes from the environment it is deployed into.
const (
	AppName         = "AppName"
	EnvName         = "EnvName"
	WorkloadName    = "WorkloadName"
	ClusterID       = "ClusterId"
	Subnets         = "Subnets"
	SecurityGroups  = "SecurityGroups"
	VpcID           = "VpcId"
	HTTPListenerArn = "HTTPListenerArn"
	RulePriority    = "RulePriority"
	ContainerImage  = "ContainerImage"
	// ContainerImageFor prefixes a built sidecar's image parameter.
	ContainerImageFor = "ContainerImageFor"
)
