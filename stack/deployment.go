package stack

import (
	"fmt"
	"strconv"

	"github.com/awslabs/goformation/v7/cloudformation/cloudwatch"
	"github.com/awslabs/goformation/v7/cloudformation/ecs"
	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/manifest"
)

// The rollback alarms cfngen makes for deployment.rollback_alarms
// thresholds, with Copilot's logical ids and names.
const (
	CPURollbackAlarm             = "CPURollbackAlarm"
	MemoryRollbackAlarm          = "MemoryRollbackAlarm"
	MessagesDelayedRollbackAlarm = "MessagesDelayedRollbackAlarm"
)

// deploymentConfiguration is Copilot's: new tasks start before old ones
// stop (100/200), or with rolling: recreate all stop first (0/100); the
// circuit breaker rolls a failed deployment back, and so do the alarms.
func deploymentConfiguration(w *manifest.Workload) *ecs.Service_DeploymentConfiguration {
	c := &ecs.Service_DeploymentConfiguration{
		DeploymentCircuitBreaker: &ecs.Service_DeploymentCircuitBreaker{Enable: true, Rollback: true},
		MinimumHealthyPercent:    cfn.Ptr(100),
		MaximumPercent:           cfn.Ptr(200),
	}
	d := w.Deployment
	if d == nil {
		return c
	}
	if d.Recreate {
		c.MinimumHealthyPercent, c.MaximumPercent = cfn.Ptr(0), cfn.Ptr(100)
	}
	names := d.AlarmNames
	for _, a := range rollbackAlarms(w) {
		names = append(names, a.name)
	}
	if len(names) > 0 {
		c.Alarms = &ecs.Service_DeploymentAlarms{AlarmNames: names, Enable: true, Rollback: true}
	}
	return c
}

// rollbackAlarm is an alarm cfngen makes. The service names it by its
// name, not by !Ref, since the alarm watches the service.
type rollbackAlarm struct {
	id, name string
	alarm    *cloudwatch.Alarm
}

func rollbackAlarms(w *manifest.Workload) []rollbackAlarm {
	d := w.Deployment
	if d == nil {
		return nil
	}
	// The service's ARN ends in service/<cluster>/<service>.
	serviceARN := cfn.Split("/", cfn.Ref(Service))
	ecsDimensions := []cloudwatch.Alarm_Dimension{
		{Name: "ClusterName", Value: cfn.Select(1, serviceARN)},
		{Name: "ServiceName", Value: cfn.Select(2, serviceARN)},
	}
	alarm := func(id, suffix, what, unit, namespace, metric string, threshold float64, dims []cloudwatch.Alarm_Dimension) rollbackAlarm {
		name := cfn.Sub("${AppName}-${EnvName}-${WorkloadName}-" + suffix)
		return rollbackAlarm{id, name, &cloudwatch.Alarm{
			AlarmDescription:   cfn.Ptr(fmt.Sprintf("Roll back ECS service if %s is greater than or equal to %s twice in 3 minutes.", what, strconv.FormatFloat(threshold, 'f', -1, 64))),
			AlarmName:          cfn.Ptr(name),
			Namespace:          cfn.Ptr(namespace),
			Dimensions:         dims,
			MetricName:         cfn.Ptr(metric),
			ComparisonOperator: "GreaterThanOrEqualToThreshold",
			DatapointsToAlarm:  cfn.Ptr(2),
			EvaluationPeriods:  3,
			Period:             cfn.Ptr(60),
			Statistic:          cfn.Ptr("Average"),
			Threshold:          cfn.Ptr(threshold),
			Unit:               cfn.Ptr(unit),
		}}
	}
	var out []rollbackAlarm
	if d.CPU != nil {
		out = append(out, alarm(CPURollbackAlarm, "CopilotRollbackCPUAlarm", "CPU utilization (%)", "Percent", "AWS/ECS", "CPUUtilization", *d.CPU, ecsDimensions))
	}
	if d.Memory != nil {
		out = append(out, alarm(MemoryRollbackAlarm, "CopilotRollbackMemAlarm", "memory utilization (%)", "Percent", "AWS/ECS", "MemoryUtilization", *d.Memory, ecsDimensions))
	}
	if d.MessagesDelayed != nil {
		out = append(out, alarm(MessagesDelayedRollbackAlarm, "CopilotRollbackMsgsDelayedAlarm", "the number of messages delayed", "Count", "AWS/SQS",
			"ApproximateNumberOfMessagesDelayed", float64(*d.MessagesDelayed),
			[]cloudwatch.Alarm_Dimension{{Name: "QueueName", Value: cfn.GetAtt(EventsQueue, "QueueName")}}))
	}
	return out
}

// addRollbackAlarms adds the alarms after the service they watch.
func addRollbackAlarms(t *cfn.Template, w *manifest.Workload) {
	for _, a := range rollbackAlarms(w) {
		t.AddResource(a.id, a.alarm)
	}
}
