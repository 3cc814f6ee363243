package stack

import (
	"github.com/awslabs/goformation/v7/cloudformation/ecs"
	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/manifest"
)

// service runs the task on Fargate. Subnets and security groups are set by
// overrides to !Ref of the List parameters, which goformation's []string
// cannot hold.
func service(tr *translation) *ecs.Service {
	w := tr.w
	s := &ecs.Service{
		Cluster:                 cfn.Ptr(tr.value(inCluster)),
		TaskDefinition:          cfn.Ptr(cfn.Ref(TaskDefinition)),
		PlatformVersion:         cfn.Ptr("LATEST"),
		PropagateTags:           cfn.Ptr("SERVICE"),
		DeploymentConfiguration: deploymentConfiguration(w),
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
	// ECS refuses a target group that no listener forwards to yet.
	if w.HTTP != nil {
		s.LoadBalancers = tr.loadBalancers()
		s.HealthCheckGracePeriodSeconds = cfn.Ptr(w.HTTP.HealthCheck.GracePeriod)
		s.AWSCloudFormationDependsOn = tr.listenerRules()
	}
	if w.NLB != nil {
		for i, l := range w.NLB.Listeners() {
			c, port, _ := nlbTarget(w, l)
			s.LoadBalancers = append(s.LoadBalancers, ecs.Service_LoadBalancer{
				ContainerName: cfn.Ptr(c.Name), ContainerPort: cfn.Ptr(port), TargetGroupArn: cfn.Ptr(cfn.Ref(indexed(NLBTargetGroup, i))),
			})
		}
		if w.HTTP == nil {
			grace := 60 // Copilot's default
			if h := w.NLB.HealthCheck; h.GracePeriodSet() {
				grace = h.GracePeriod
			}
			s.HealthCheckGracePeriodSeconds = cfn.Ptr(grace)
		}
		s.AWSCloudFormationDependsOn = append(s.AWSCloudFormationDependsOn, tr.nlbListeners()...)
	}
	return s
}

// positive returns a pointer to i, or nil when i is unset (zero).
func positive(i int) *int {
	if i == 0 {
		return nil
	}
	return &i
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
