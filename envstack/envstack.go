// Package envstack translates a Copilot environment manifest into the
// standalone template of the environment stack <app>-<env>: its network,
// cluster, load balancers, Cloud Map namespace and file system, and the
// outputs it exports under Copilot's names (package exports), which
// workloads rendered with --copilot-env import. Nothing is looked up and
// nothing runs at deploy time: no custom resources, no Lambdas.
package envstack

import (
	"fmt"
	"strconv"

	"github.com/awslabs/goformation/v7/cloudformation/ec2"
	"github.com/awslabs/goformation/v7/cloudformation/ecs"
	"github.com/awslabs/goformation/v7/cloudformation/efs"
	elb "github.com/awslabs/goformation/v7/cloudformation/elasticloadbalancingv2"
	"github.com/awslabs/goformation/v7/cloudformation/iam"
	"github.com/awslabs/goformation/v7/cloudformation/logs"
	"github.com/awslabs/goformation/v7/cloudformation/route53"
	"github.com/awslabs/goformation/v7/cloudformation/servicediscovery"
	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/envmanifest"
	"github.com/cfngen/cfngen/exports"
	"github.com/cfngen/cfngen/policy"
)

// Options are what the command line adds.
type Options struct {
	// App and Env default the AppName and EnvName parameters.
	App, Env string
	// EFS makes the environment's file system, for workloads with
	// efs: true.
	EFS bool
}

// The logical ids, as Copilot named them.
const (
	VPC                   = "VPC"
	InternetGateway       = "InternetGateway"
	PublicRouteTable      = "PublicRouteTable"
	Cluster               = "Cluster"
	Namespace             = "ServiceDiscoveryNamespace"
	EnvSecurityGroup      = "EnvironmentSecurityGroup"
	PublicLBSecurityGroup = "PublicHTTPLoadBalancerSecurityGroup"
	PublicLoadBalancer    = "PublicLoadBalancer"
	HTTPListener          = "HTTPListener"
	HTTPSListener         = "HTTPSListener"
	InternalLBSG          = "InternalLoadBalancerSecurityGroup"
	InternalLoadBalancer  = "InternalLoadBalancer"
	InternalHTTPListener  = "InternalHTTPListener"
	InternalHTTPSListener = "InternalHTTPSListener"
	InternalZone          = "InternalWorkloadsHostedZone"
	FileSystem            = "FileSystem"
	EFSSecurityGroup      = "EFSSecurityGroup"
)

const defaultSSLPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"

type translation struct {
	e               *envmanifest.Environment
	t               *cfn.Template
	public, private []string // subnet ids or !Refs
	vpc             string
}

// Template builds the environment's template.
func Template(e *envmanifest.Environment, opts Options) (*cfn.Template, error) {
	t := &cfn.Template{Description: fmt.Sprintf("Environment %s, rendered by cfngen from its Copilot manifest.", e.Name)}
	def := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	t.AddParameter("AppName", cfn.Parameter{Type: "String", Description: "Name of the application.", Default: def(opts.App)})
	t.AddParameter("EnvName", cfn.Parameter{Type: "String", Description: "Name of the environment.", Default: def(opts.Env)})
	tr := &translation{e: e, t: t}
	tr.network()
	tr.cluster()
	tr.securityGroup()
	if e.Public != nil {
		tr.publicALB()
	}
	if e.Private != nil {
		tr.internalALB()
	}
	if opts.EFS {
		tr.fileSystem()
	}
	tr.outputs(opts)
	return t, nil
}

// network makes the VPC, or takes the existing one, and its subnets: the
// public ones routed to an internet gateway, each private one through a
// NAT gateway in the public subnet of its index, as Copilot made them.
func (tr *translation) network() {
	v, t := tr.e.VPC, tr.t
	if v.ID != "" {
		tr.vpc = v.ID
		for _, s := range v.Public {
			tr.public = append(tr.public, s.ID)
		}
		for _, s := range v.Private {
			tr.private = append(tr.private, s.ID)
		}
		return
	}
	tr.vpc = cfn.Ref(VPC)
	t.AddResource(VPC, &ec2.VPC{CidrBlock: cfn.Ptr(v.CIDR), EnableDnsHostnames: cfn.Ptr(true), EnableDnsSupport: cfn.Ptr(true)})
	t.AddResource(InternetGateway, &ec2.InternetGateway{})
	t.AddResource("InternetGatewayAttachment", &ec2.VPCGatewayAttachment{InternetGatewayId: cfn.Ptr(cfn.Ref(InternetGateway)), VpcId: cfn.Ref(VPC)})
	t.AddResource(PublicRouteTable, &ec2.RouteTable{VpcId: cfn.Ref(VPC)})
	t.AddResource("DefaultPublicRoute", &ec2.Route{RouteTableId: cfn.Ref(PublicRouteTable), DestinationCidrBlock: cfn.Ptr("0.0.0.0/0"),
		GatewayId: cfn.Ptr(cfn.Ref(InternetGateway)), AWSCloudFormationDependsOn: []string{"InternetGatewayAttachment"}})
	for i, s := range v.Public {
		id := "PublicSubnet" + strconv.Itoa(i+1)
		t.AddResource(id, &ec2.Subnet{VpcId: cfn.Ref(VPC), CidrBlock: cfn.Ptr(s.CIDR), AvailabilityZone: cfn.Ptr(az(s, i)), MapPublicIpOnLaunch: cfn.Ptr(true)})
		t.AddResource(id+"RouteTableAssociation", &ec2.SubnetRouteTableAssociation{RouteTableId: cfn.Ref(PublicRouteTable), SubnetId: cfn.Ref(id)})
		tr.public = append(tr.public, cfn.Ref(id))
	}
	for i, s := range v.Private {
		n := strconv.Itoa(i + 1)
		id := "PrivateSubnet" + n
		t.AddResource(id, &ec2.Subnet{VpcId: cfn.Ref(VPC), CidrBlock: cfn.Ptr(s.CIDR), AvailabilityZone: cfn.Ptr(az(s, i)), MapPublicIpOnLaunch: cfn.Ptr(false)})
		t.AddResource("PrivateRouteTable"+n, &ec2.RouteTable{VpcId: cfn.Ref(VPC)})
		t.AddResource(id+"RouteTableAssociation", &ec2.SubnetRouteTableAssociation{RouteTableId: cfn.Ref("PrivateRouteTable" + n), SubnetId: cfn.Ref(id)})
		if i < len(v.Public) {
			// Private tasks reach the internet through a NAT gateway.
			t.AddResource("NatGateway"+n+"Attachment", &ec2.EIP{Domain: cfn.Ptr("vpc"), AWSCloudFormationDependsOn: []string{"InternetGatewayAttachment"}})
			t.AddResource("NatGateway"+n, &ec2.NatGateway{AllocationId: cfn.Ptr(cfn.GetAtt("NatGateway"+n+"Attachment", "AllocationId")), SubnetId: cfn.Ref("PublicSubnet" + n)})
			t.AddResource("PrivateRoute"+n, &ec2.Route{RouteTableId: cfn.Ref("PrivateRouteTable" + n), DestinationCidrBlock: cfn.Ptr("0.0.0.0/0"),
				NatGatewayId: cfn.Ptr(cfn.Ref("NatGateway" + n))})
		}
		tr.private = append(tr.private, cfn.Ref(id))
	}
	if v.FlowLogs > 0 {
		t.AddResource("FlowLogsGroup", &logs.LogGroup{RetentionInDays: cfn.Ptr(v.FlowLogs)})
		t.AddResource("FlowLogRole", &iam.Role{
			AssumeRolePolicyDocument: policy.AssumeRoleBy("vpc-flow-logs.amazonaws.com"),
			Policies: []iam.Role_Policy{{PolicyName: "PublishFlowLogs", PolicyDocument: policy.New(policy.Allow("PublishFlowLogs",
				[]string{"logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"}, cfn.GetAtt("FlowLogsGroup", "Arn")))}},
		})
		t.AddResource("FlowLog", &ec2.FlowLog{ResourceId: cfn.Ref(VPC), ResourceType: "VPC", TrafficType: cfn.Ptr("ALL"),
			LogGroupName: cfn.Ptr(cfn.Ref("FlowLogsGroup")), DeliverLogsPermissionArn: cfn.Ptr(cfn.GetAtt("FlowLogRole", "Arn"))})
	}
}

// az is a subnet's zone: as given, else the region's i-th.
func az(s envmanifest.Subnet, i int) string {
	if s.AZ != "" {
		return s.AZ
	}
	return cfn.Select(i, cfn.GetAZs(""))
}

func (tr *translation) cluster() {
	insights := "disabled"
	if tr.e.ContainerInsights {
		insights = "enabled"
	}
	tr.t.AddResource(Cluster, &ecs.Cluster{
		CapacityProviders: []string{"FARGATE", "FARGATE_SPOT"},
		ClusterSettings:   []ecs.Cluster_ClusterSettings{{Name: cfn.Ptr("containerInsights"), Value: cfn.Ptr(insights)}},
	})
	tr.t.AddResource(Namespace, &servicediscovery.PrivateDnsNamespace{
		Name: cfn.Sub(exports.ServiceDiscoveryDomain), Vpc: tr.vpc,
	})
}

// securityGroup is the services' security group: they reach each other,
// and the manifest's rules apply.
func (tr *translation) securityGroup() {
	v := tr.e.VPC
	rule := func(r envmanifest.Rule) (string, *int, *int, *string) {
		return r.Protocol, cfn.Ptr(r.FromPort), cfn.Ptr(r.ToPort), cfn.Ptr(r.CIDR)
	}
	sg := &ec2.SecurityGroup{GroupDescription: "Security group for the services of the environment", VpcId: cfn.Ptr(tr.vpc)}
	for _, r := range v.Ingress {
		p, from, to, cidr := rule(r)
		sg.SecurityGroupIngress = append(sg.SecurityGroupIngress, ec2.SecurityGroup_Ingress{IpProtocol: p, FromPort: from, ToPort: to, CidrIp: cidr})
	}
	for _, r := range v.Egress {
		p, from, to, cidr := rule(r)
		sg.SecurityGroupEgress = append(sg.SecurityGroupEgress, ec2.SecurityGroup_Egress{IpProtocol: p, FromPort: from, ToPort: to, CidrIp: cidr})
	}
	tr.t.AddResource(EnvSecurityGroup, sg)
	tr.t.AddResource("EnvironmentSecurityGroupIngressFromSelf", &ec2.SecurityGroupIngress{
		Description: cfn.Ptr("Ingress from other containers in the same security group"),
		GroupId:     cfn.Ptr(cfn.Ref(EnvSecurityGroup)), IpProtocol: "-1", SourceSecurityGroupId: cfn.Ptr(cfn.Ref(EnvSecurityGroup)),
	})
}

// publicALB is the internet-facing load balancer: HTTP, and HTTPS with the
// certificates, HTTP then redirecting to HTTPS; both answer 404 to what no
// service's rule matches.
func (tr *translation) publicALB() {
	p, t := tr.e.Public, tr.t
	sources := p.SourceIPs
	if len(sources) == 0 {
		sources = []string{"0.0.0.0/0"}
	}
	sg := &ec2.SecurityGroup{GroupDescription: "Access to the public facing load balancer", VpcId: cfn.Ptr(tr.vpc)}
	for _, src := range sources {
		for _, port := range ports(len(p.Certificates) > 0) {
			sg.SecurityGroupIngress = append(sg.SecurityGroupIngress, ec2.SecurityGroup_Ingress{
				CidrIp: cfn.Ptr(src), Description: cfn.Ptr(fmt.Sprintf("Allow from %s on port %d", src, port)),
				IpProtocol: "tcp", FromPort: cfn.Ptr(port), ToPort: cfn.Ptr(port)})
		}
	}
	t.AddResource(PublicLBSecurityGroup, sg)
	t.AddResource("EnvironmentSecurityGroupIngressFromPublicALB", &ec2.SecurityGroupIngress{
		Description: cfn.Ptr("Ingress from the public ALB"), GroupId: cfn.Ptr(cfn.Ref(EnvSecurityGroup)), IpProtocol: "-1",
		SourceSecurityGroupId: cfn.Ptr(cfn.Ref(PublicLBSecurityGroup)),
	})
	t.AddResource(PublicLoadBalancer, &elb.LoadBalancer{Scheme: cfn.Ptr("internet-facing"), SecurityGroups: []string{cfn.GetAtt(PublicLBSecurityGroup, "GroupId")}, Type: cfn.Ptr("application")},
		cfn.Override{Path: "Subnets", Value: list(tr.public)})
	tr.listeners(PublicLoadBalancer, HTTPListener, HTTPSListener, p.Certificates, p.SSLPolicy)
}

func ports(https bool) []int {
	if https {
		return []int{80, 443}
	}
	return []int{80}
}

// listeners adds a load balancer's HTTP listener and, with certificates,
// its HTTPS listener, the HTTP one then redirecting.
func (tr *translation) listeners(lb, httpID, httpsID string, certs []string, sslPolicy string) {
	notFound := elb.Listener_Action{Type: "fixed-response", FixedResponseConfig: &elb.Listener_FixedResponseConfig{StatusCode: "404"}}
	httpAction := notFound
	if len(certs) > 0 {
		httpAction = elb.Listener_Action{Type: "redirect", RedirectConfig: &elb.Listener_RedirectConfig{
			Protocol: cfn.Ptr("HTTPS"), Port: cfn.Ptr("443"), Host: cfn.Ptr("#{host}"), Path: cfn.Ptr("/#{path}"), Query: cfn.Ptr("#{query}"), StatusCode: "HTTP_301"}}
	}
	tr.t.AddResource(httpID, &elb.Listener{LoadBalancerArn: cfn.Ref(lb), Port: cfn.Ptr(80), Protocol: cfn.Ptr("HTTP"), DefaultActions: []elb.Listener_Action{httpAction}})
	if len(certs) == 0 {
		return
	}
	if sslPolicy == "" {
		sslPolicy = defaultSSLPolicy
	}
	var cs []elb.Listener_Certificate
	for _, c := range certs[:1] {
		cs = append(cs, elb.Listener_Certificate{CertificateArn: cfn.Ptr(c)})
	}
	tr.t.AddResource(httpsID, &elb.Listener{LoadBalancerArn: cfn.Ref(lb), Port: cfn.Ptr(443), Protocol: cfn.Ptr("HTTPS"),
		Certificates: cs, SslPolicy: cfn.Ptr(sslPolicy), DefaultActions: []elb.Listener_Action{notFound}})
	for i, c := range certs[1:] {
		tr.t.AddResource(fmt.Sprintf("%sCertificate%d", httpsID, i+1), &elb.ListenerCertificate{
			ListenerArn: cfn.Ref(httpsID), Certificates: []elb.ListenerCertificate_Certificate{{CertificateArn: cfn.Ptr(c)}}})
	}
}

// internalALB is the internal load balancer for Backend Services, in the
// private subnets (or http.private.subnets), reachable from the services
// (or the whole VPC), with the private zone <env>.<app>.internal.
func (tr *translation) internalALB() {
	p, t := tr.e.Private, tr.t
	sg := &ec2.SecurityGroup{GroupDescription: "Access to the internal load balancer", VpcId: cfn.Ptr(tr.vpc)}
	if p.FromVPC && tr.e.VPC.ID == "" {
		for _, port := range ports(len(p.Certificates) > 0) {
			sg.SecurityGroupIngress = append(sg.SecurityGroupIngress, ec2.SecurityGroup_Ingress{CidrIp: cfn.Ptr(tr.e.VPC.CIDR),
				Description: cfn.Ptr(fmt.Sprintf("Allow from the VPC on port %d", port)), IpProtocol: "tcp", FromPort: cfn.Ptr(port), ToPort: cfn.Ptr(port)})
		}
	}
	t.AddResource(InternalLBSG, sg)
	t.AddResource("InternalALBIngressFromEnvironmentSecurityGroup", &ec2.SecurityGroupIngress{
		Description: cfn.Ptr("Ingress from the environment's services"), GroupId: cfn.Ptr(cfn.Ref(InternalLBSG)), IpProtocol: "-1",
		SourceSecurityGroupId: cfn.Ptr(cfn.Ref(EnvSecurityGroup)),
	})
	t.AddResource("EnvironmentSecurityGroupIngressFromInternalALB", &ec2.SecurityGroupIngress{
		Description: cfn.Ptr("Ingress from the internal ALB"), GroupId: cfn.Ptr(cfn.Ref(EnvSecurityGroup)), IpProtocol: "-1",
		SourceSecurityGroupId: cfn.Ptr(cfn.Ref(InternalLBSG)),
	})
	subnets := tr.private
	if len(p.Subnets) > 0 {
		subnets = p.Subnets
	}
	t.AddResource(InternalLoadBalancer, &elb.LoadBalancer{Scheme: cfn.Ptr("internal"), SecurityGroups: []string{cfn.GetAtt(InternalLBSG, "GroupId")}, Type: cfn.Ptr("application")},
		cfn.Override{Path: "Subnets", Value: list(subnets)})
	tr.listeners(InternalLoadBalancer, InternalHTTPListener, InternalHTTPSListener, p.Certificates, p.SSLPolicy)
	t.AddResource(InternalZone, &route53.HostedZone{
		Name: cfn.Ptr(cfn.Sub("${EnvName}.${AppName}.internal")),
		VPCs: []route53.HostedZone_VPC{{VPCId: tr.vpc, VPCRegion: cfn.Ref("AWS::Region")}},
	})
}

// fileSystem is the environment's EFS file system, mounted in each
// private subnet, reachable from the services on NFS only.
func (tr *translation) fileSystem() {
	t := tr.t
	t.AddResource(FileSystem, &efs.FileSystem{Encrypted: cfn.Ptr(true), AWSCloudFormationDeletionPolicy: "Retain", AWSCloudFormationUpdateReplacePolicy: "Retain"})
	t.AddResource(EFSSecurityGroup, &ec2.SecurityGroup{GroupDescription: "Access to the file system of the environment", VpcId: cfn.Ptr(tr.vpc)})
	t.AddResource("EFSSecurityGroupIngressFromEnvironment", &ec2.SecurityGroupIngress{
		Description: cfn.Ptr("NFS from the environment's services"), GroupId: cfn.Ptr(cfn.Ref(EFSSecurityGroup)), IpProtocol: "tcp",
		FromPort: cfn.Ptr(2049), ToPort: cfn.Ptr(2049), SourceSecurityGroupId: cfn.Ptr(cfn.Ref(EnvSecurityGroup)),
	})
	for i, s := range tr.private {
		t.AddResource(fmt.Sprintf("MountTarget%d", i+1), &efs.MountTarget{FileSystemId: cfn.Ref(FileSystem), SubnetId: s,
			SecurityGroups: []string{cfn.Ref(EFSSecurityGroup)}})
	}
}

func list(items []string) cfn.List {
	l := make(cfn.List, len(items))
	for i, s := range items {
		l[i] = s
	}
	return l
}

// outputs are Copilot's, exported under its names.
func (tr *translation) outputs(opts Options) {
	t, e := tr.t, tr.e
	out := func(name, suffix string, value any) {
		t.AddOutput(name, cfn.Output{Value: value, Export: cfn.Sub("${AWS::StackName}-" + suffix)})
	}
	out("VpcId", exports.VpcID, tr.vpc)
	if len(tr.public) > 0 {
		out("PublicSubnets", exports.PublicSubnets, cfn.Join(",", tr.public...))
	}
	if len(tr.private) > 0 {
		out("PrivateSubnets", exports.PrivateSubnets, cfn.Join(",", tr.private...))
	}
	out("ServiceDiscoveryNamespaceID", exports.ServiceDiscoveryNamespace, cfn.GetAtt(Namespace, "Id"))
	out("EnvironmentSecurityGroup", exports.SecurityGroup, cfn.Ref(EnvSecurityGroup))
	if e.Public != nil {
		out("PublicLoadBalancerDNSName", exports.PublicLoadBalancerDNS, cfn.GetAtt(PublicLoadBalancer, "DNSName"))
		out("PublicLoadBalancerHostedZone", exports.PublicLoadBalancerZone, cfn.GetAtt(PublicLoadBalancer, "CanonicalHostedZoneID"))
		out("HTTPListenerArn", exports.HTTPListener, cfn.Ref(HTTPListener))
		if len(e.Public.Certificates) > 0 {
			out("HTTPSListenerArn", exports.HTTPSListener, cfn.Ref(HTTPSListener))
		}
	}
	if e.Private != nil {
		out("InternalLoadBalancerDNSName", exports.InternalLoadBalancerDNS, cfn.GetAtt(InternalLoadBalancer, "DNSName"))
		out("InternalLoadBalancerHostedZone", exports.InternalLoadBalancerZone, cfn.GetAtt(InternalLoadBalancer, "CanonicalHostedZoneID"))
		out("InternalWorkloadsHostedZone", exports.InternalWorkloadsHostedZone, cfn.Ref(InternalZone))
		out("InternalWorkloadsHostedZoneName", exports.InternalWorkloadsHostedZoneName, cfn.Sub("${EnvName}.${AppName}.internal"))
		out("InternalHTTPListenerArn", exports.InternalHTTPListener, cfn.Ref(InternalHTTPListener))
		if len(e.Private.Certificates) > 0 {
			out("InternalHTTPSListenerArn", exports.InternalHTTPSListener, cfn.Ref(InternalHTTPSListener))
		}
	}
	out("ClusterId", exports.ClusterID, cfn.Ref(Cluster))
	if opts.EFS {
		out("ManagedFileSystemID", exports.FileSystem, cfn.Ref(FileSystem))
	}
}
