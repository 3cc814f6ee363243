package stack

import (
	"fmt"

	"github.com/awslabs/goformation/v7/cloudformation/ecs"
	elb "github.com/awslabs/goformation/v7/cloudformation/elasticloadbalancingv2"
	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/manifest"
)

// service runs the task on Fargate. Subnets and security groups are set by
// overrides to !Ref of the List parameters, which goformation's []string
// cannot hold.
func service(tr *translation) *ecs.Service {
	w := tr.w
	s := &ecs.Service{
		Cluster:         cfn.Ptr(tr.value(inCluster)),
		TaskDefinition:  cfn.Ptr(cfn.Ref(TaskDefinition)),
		PlatformVersion: cfn.Ptr("LATEST"),
		PropagateTags:   cfn.Ptr("SERVICE"),
		DeploymentConfiguration: &ecs.Service_DeploymentConfiguration{
			DeploymentCircuitBreaker: &ecs.Service_DeploymentCircuitBreaker{Enable: true, Rollback: true},
			MinimumHealthyPercent:    cfn.Ptr(100),
			MaximumPercent:           cfn.Ptr(200),
		},
		NetworkConfiguration: &ecs.Service_NetworkConfiguration{
			AwsvpcConfiguration: &ecs.Service_AwsVpcConfiguration{AssignPublicIp: cfn.Ptr(publicIP(w))},
		},
	}
	// With a range, autoscaling owns the count: CloudFormation leaves an
	// omitted DesiredCount alone on update, where a number would reset it
	// on every deploy (Copilot ran a Lambda to read the current count).
	if w.Scaling == nil {
		s.DesiredCount = cfn.Ptr(w.Count)
	}
	if s.CapacityProviderStrategy = capacityProviders(w); s.CapacityProviderStrategy == nil {
		s.LaunchType = cfn.Ptr("FARGATE")
	}
	if w.Exec {
		s.EnableExecuteCommand = cfn.Ptr(true)
	}
	s.ServiceRegistries = serviceRegistries(w)
	s.ServiceConnectConfiguration = serviceConnect(tr)
	if target, port := lbTarget(w); target != nil {
		s.LoadBalancers = []ecs.Service_LoadBalancer{{
			ContainerName:  cfn.Ptr(target.Name),
			ContainerPort:  cfn.Ptr(port),
			TargetGroupArn: cfn.Ptr(cfn.Ref(TargetGroup)),
		}}
		s.HealthCheckGracePeriodSeconds = cfn.Ptr(w.HTTP.HealthCheck.GracePeriod)
		// ECS refuses a target group that no listener forwards to yet.
		s.AWSCloudFormationDependsOn = []string{HTTPListenerRule}
	}
	return s
}

func targetGroup(tr *translation) *elb.TargetGroup {
	w := tr.w
	_, port := lbTarget(w)
	h := w.HTTP.HealthCheck
	tg := &elb.TargetGroup{
		Port:            cfn.Ptr(port),
		Protocol:        cfn.Ptr("HTTP"),
		TargetType:      cfn.Ptr("ip"),
		VpcId:           cfn.Ptr(tr.value(inVpc)),
		HealthCheckPath: cfn.Ptr(h.Path),
		TargetGroupAttributes: []elb.TargetGroup_TargetGroupAttribute{
			{Key: cfn.Ptr("deregistration_delay.timeout_seconds"), Value: cfn.Ptr(fmt.Sprint(w.HTTP.DeregistrationDelay))},
			{Key: cfn.Ptr("stickiness.enabled"), Value: cfn.Ptr(fmt.Sprint(w.HTTP.Stickiness))},
		},
	}
	if h.Port != 0 {
		tg.HealthCheckPort = cfn.Ptr(fmt.Sprint(h.Port))
	}
	if h.SuccessCodes != "" {
		tg.Matcher = &elb.TargetGroup_Matcher{HttpCode: cfn.Ptr(h.SuccessCodes)}
	}
	tg.HealthyThresholdCount = positive(h.HealthyThreshold)
	tg.UnhealthyThresholdCount = positive(h.UnhealthyThreshold)
	tg.HealthCheckIntervalSeconds = positive(h.Interval)
	tg.HealthCheckTimeoutSeconds = positive(h.Timeout)
	return tg
}

// positive returns a pointer to i, or nil when i is unset (zero).
func positive(i int) *int {
	if i == 0 {
		return nil
	}
	return &i
}

// listenerRule forwards http.path to the target group: "/api" matches /api
// and everything below it, "/" matches everything. Its priority is set by
// an override to !Ref RulePriority, which goformation's int cannot hold.
func listenerRule(tr *translation) *elb.ListenerRule {
	w := tr.w
	patterns := []string{"/*"}
	if p := w.HTTP.Path; p != "/" {
		patterns = []string{p, p + "/*"}
	}
	return &elb.ListenerRule{
		ListenerArn: cfn.Ptr(tr.value(inHTTPListener(w))),
		Actions:     []elb.ListenerRule_Action{{Type: "forward", TargetGroupArn: cfn.Ptr(cfn.Ref(TargetGroup))}},
		Conditions: []elb.ListenerRule_RuleCondition{{
			Field:             cfn.Ptr("path-pattern"),
			PathPatternConfig: &elb.ListenerRule_PathPatternConfig{Values: patterns},
		}},
	}
}

// publicIP follows network.vpc.placement: Copilot's default, public, gives
// each task a public IP on the subnets.
func publicIP(w *manifest.Workload) string {
	if w.Network.Private {
		return "DISABLED"
	}
	return "ENABLED"
}

// subnets are the environment's subnets, or the manifest's own.
func (tr *translation) subnets() any {
	w := tr.w
	if len(w.Network.Subnets) > 0 {
		l := make(cfn.List, len(w.Network.Subnets))
		for i, s := range w.Network.Subnets {
			l[i] = s
		}
		return l
	}
	return tr.value(inSubnets(w))
}

// securityGroups are the environment's security groups with the
// manifest's added, or only the manifest's with deny_default.
func (tr *translation) securityGroups() any {
	w := tr.w
	var extra []string
	for _, g := range w.Network.SecurityGroups {
		if g.Import != "" {
			extra = append(extra, cfn.ImportValue(g.Import))
		} else {
			extra = append(extra, g.Value)
		}
	}
	if tr.opts.CopilotEnv && !w.Network.DenyDefault {
		// Copilot's export is the one environment security group.
		extra = append([]string{tr.imported(inSecurityGroups)}, extra...)
	}
	switch {
	case w.Network.DenyDefault || tr.opts.CopilotEnv:
		l := make(cfn.List, len(extra))
		for i, g := range extra {
			l[i] = g
		}
		return l
	case len(extra) == 0:
		return cfn.Ref(SecurityGroups)
	}
	// A List parameter joins with more ids only through a string.
	return cfn.Split(",", cfn.Join(",", append([]string{cfn.JoinList(",", cfn.Ref(SecurityGroups))}, extra...)...))
}

// usesSubnetsParameter and usesSecurityGroupsParameter say whether the
// template asks for the environment's subnets and security groups.
func usesSubnetsParameter(w *manifest.Workload) bool { return len(w.Network.Subnets) == 0 }

func usesSecurityGroupsParameter(w *manifest.Workload) bool { return !w.Network.DenyDefault }
