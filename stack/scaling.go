package stack

import (
	"fmt"
	aas "github.com/awslabs/goformation/v7/cloudformation/applicationautoscaling"
	"github.com/awslabs/goformation/v7/cloudformation/ecs"
	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/manifest"
	"strings"
)

// addScaling adds the scalable target and one target-tracking policy per
// target. With no RoleARN, Application Auto Scaling uses its ECS
// service-linked role, which holds only what scaling a service needs.
func addScaling(t *cfn.Template, tr *translation) {
	s := tr.w.Scaling
	if s == nil {
		return
	}
	t.AddResource(AutoScalingTarget, &aas.ScalableTarget{
		MinCapacity: s.Min,
		MaxCapacity: s.Max,
		// The service's ARN ends in service/<cluster>/<name>, the resource
		// id Application Auto Scaling wants, whether ClusterId is a name
		// or an ARN.
		ResourceId:        cfn.Select(5, cfn.Split(":", cfn.Ref(Service))),
		ScalableDimension: "ecs:service:DesiredCount",
		ServiceNamespace:  "ecs",
	})
	if s.QueueDelay != nil {
		t.AddResource(ScalingPolicyQueue, backlogPolicy(tr.w))
	}
	if s.CPU != nil {
		t.AddResource(ScalingPolicyCPU, trackingPolicy("ECSServiceAverageCPUUtilization", s.CPU, &aas.ScalingPolicy_PredefinedMetricSpecification{PredefinedMetricType: "ECSServiceAverageCPUUtilization"}, nil))
	}
	if s.Memory != nil {
		t.AddResource(ScalingPolicyMemory, trackingPolicy("ECSServiceAverageMemoryUtilization", s.Memory, &aas.ScalingPolicy_PredefinedMetricSpecification{PredefinedMetricType: "ECSServiceAverageMemoryUtilization"}, nil))
	}
	if s.Requests != nil {
		label := cfn.Join("/", append(tr.loadBalancerName(), cfn.GetAtt(tr.ruleIDs(0).targetGroup, "TargetGroupFullName"))...)
		t.AddResource(ScalingPolicyRequest, trackingPolicy("ALBSumRequestCountPerTarget", s.Requests, &aas.ScalingPolicy_PredefinedMetricSpecification{
			PredefinedMetricType: "ALBRequestCountPerTarget", ResourceLabel: cfn.Ptr(label)}, nil))
	}
	if s.ResponseTime != nil {
		t.AddResource(ScalingPolicyLatency, trackingPolicy("ALBAverageResponseTime", s.ResponseTime, nil, &aas.ScalingPolicy_CustomizedMetricSpecification{
			MetricName: cfn.Ptr("TargetResponseTime"),
			Namespace:  cfn.Ptr("AWS/ApplicationELB"),
			Statistic:  cfn.Ptr("Average"),
			Unit:       cfn.Ptr("Seconds"),
			Dimensions: []aas.ScalingPolicy_MetricDimension{
				{Name: "LoadBalancer", Value: cfn.Join("/", tr.loadBalancerName()...)},
				{Name: "TargetGroup", Value: cfn.GetAtt(tr.ruleIDs(0).targetGroup, "TargetGroupFullName")},
			},
		}))
	}
}

// backlogPolicy keeps the messages waiting per task at the queue_delay
// target, as Copilot's AutoScalingPolicyEventsQueue did, without its
// Lambda: CloudWatch metric math divides the visible messages of the
// worker's queues by the service's running tasks (Container Insights'
// RunningTaskCount, so the cluster needs Container Insights on).
func backlogPolicy(w *manifest.Workload) *aas.ScalingPolicy {
	serviceARN := cfn.Split("/", cfn.Ref(Service))
	var metrics []aas.ScalingPolicy_TargetTrackingMetricDataQuery
	var sum []string
	for i, q := range queues(w) {
		id := fmt.Sprintf("m%d", i+1)
		sum = append(sum, id)
		metrics = append(metrics, aas.ScalingPolicy_TargetTrackingMetricDataQuery{
			Id: cfn.Ptr(id), ReturnData: cfn.Ptr(false),
			MetricStat: &aas.ScalingPolicy_TargetTrackingMetricStat{Stat: cfn.Ptr("Sum"), Metric: &aas.ScalingPolicy_TargetTrackingMetric{
				Namespace: cfn.Ptr("AWS/SQS"), MetricName: cfn.Ptr("ApproximateNumberOfMessagesVisible"),
				Dimensions: []aas.ScalingPolicy_TargetTrackingMetricDimension{{Name: cfn.Ptr("QueueName"), Value: cfn.Ptr(cfn.GetAtt(q, "QueueName"))}},
			}},
		})
	}
	metrics = append(metrics,
		aas.ScalingPolicy_TargetTrackingMetricDataQuery{
			Id: cfn.Ptr("tasks"), ReturnData: cfn.Ptr(false),
			MetricStat: &aas.ScalingPolicy_TargetTrackingMetricStat{Stat: cfn.Ptr("Average"), Metric: &aas.ScalingPolicy_TargetTrackingMetric{
				Namespace: cfn.Ptr("ECS/ContainerInsights"), MetricName: cfn.Ptr("RunningTaskCount"),
				Dimensions: []aas.ScalingPolicy_TargetTrackingMetricDimension{
					{Name: cfn.Ptr("ClusterName"), Value: cfn.Ptr(cfn.Select(1, serviceARN))},
					{Name: cfn.Ptr("ServiceName"), Value: cfn.Ptr(cfn.Select(2, serviceARN))},
				},
			}},
		},
		aas.ScalingPolicy_TargetTrackingMetricDataQuery{
			Id: cfn.Ptr("backlog"), Label: cfn.Ptr("BacklogPerTask"), ReturnData: cfn.Ptr(true),
			Expression: cfn.Ptr("(" + strings.Join(sum, " + ") + ") / IF(tasks > 0, tasks, 1)"),
		})
	p := trackingPolicy("BacklogPerTask", w.Scaling.QueueDelay, nil, &aas.ScalingPolicy_CustomizedMetricSpecification{Metrics: metrics})
	p.PolicyName = cfn.Join("-", cfn.Ref(WorkloadName), "BacklogPerTask", cfn.GetAtt(EventsQueue, "QueueName"))
	return p
}

// trackingPolicy is a target-tracking policy; its name must be unique
// among the scalable target's policies.
func trackingPolicy(name string, target *manifest.Target, predefined *aas.ScalingPolicy_PredefinedMetricSpecification, custom *aas.ScalingPolicy_CustomizedMetricSpecification) *aas.ScalingPolicy {
	return &aas.ScalingPolicy{
		PolicyName:      name,
		PolicyType:      "TargetTrackingScaling",
		ScalingTargetId: cfn.Ptr(cfn.Ref(AutoScalingTarget)),
		TargetTrackingScalingPolicyConfiguration: &aas.ScalingPolicy_TargetTrackingScalingPolicyConfiguration{
			PredefinedMetricSpecification: predefined,
			CustomizedMetricSpecification: custom,
			TargetValue:                   target.Value,
			ScaleInCooldown:               cfn.Ptr(target.Cooldown.In),
			ScaleOutCooldown:              cfn.Ptr(target.Cooldown.Out),
		},
	}
}

// loadBalancerName is the parts of app/<name>/<id>, the load balancer's
// full name, read from the listener's ARN (…:listener/app/<name>/<id>/<listener id>).
func (tr *translation) loadBalancerName() []string {
	parts := cfn.Split("/", tr.scalingListener())
	return []string{cfn.Select(1, parts), cfn.Select(2, parts), cfn.Select(3, parts)}
}

// capacityProviders runs the tasks on Fargate Spot: all of them with
// count: {spot: N}; from the spot_from-th task on with a range, as Copilot
// did, by keeping spot_from-1 tasks on Fargate as the base.
func capacityProviders(w *manifest.Workload) []ecs.Service_CapacityProviderStrategyItem {
	switch {
	case w.Spot:
		return []ecs.Service_CapacityProviderStrategyItem{{CapacityProvider: cfn.Ptr("FARGATE_SPOT"), Weight: cfn.Ptr(1)}}
	case w.Scaling != nil && w.Scaling.SpotFrom > 0:
		return []ecs.Service_CapacityProviderStrategyItem{
			{CapacityProvider: cfn.Ptr("FARGATE"), Base: cfn.Ptr(w.Scaling.SpotFrom - 1), Weight: cfn.Ptr(0)},
			{CapacityProvider: cfn.Ptr("FARGATE_SPOT"), Weight: cfn.Ptr(1)},
		}
	}
	return nil
}
