package stack

import (
	"fmt"
	"slices"

	"github.com/awslabs/goformation/v7/cloudformation/ec2"
	elb "github.com/awslabs/goformation/v7/cloudformation/elasticloadbalancingv2"
	"github.com/awslabs/goformation/v7/cloudformation/route53"
	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/exports"
	"github.com/cfngen/cfngen/manifest"
)

// A Load Balanced Web Service's own Network Load Balancer, as Copilot's nlb
// template made it: internet-facing in the public subnets, behind a
// security group open on the listener ports, a listener and target group a
// port (NLBListener{N}, NetworkLoadBalancerTargetGroup{N}). What Copilot's
// Lambdas did is an input or left out: a TLS listener's certificate is the
// NLBCertificateArn parameter, and nlb.alias records go in the hosted zone
// HostedZoneID.

const (
	NetworkLoadBalancer   = "PublicNetworkLoadBalancerV2"
	NLBSecurityGroup      = "NetworkLoadBalancerSecurityGroup"
	NLBIngress            = "EnvironmentSecurityGroupIngressFromNetworkLoadBalancerSecurityGroup"
	NLBListenerID         = "NLBListener"
	NLBTargetGroup        = "NetworkLoadBalancerTargetGroup"
	NLBAliasRecords       = "NLBDNSAlias"
	defaultNLBSSLPolicy   = "ELBSecurityPolicy-TLS13-1-2-2021-06"
	NLBSubnetsParameter   = "NLBSubnets"
	NLBCertificateParam   = "NLBCertificateArn"
	HostedZoneIDParameter = "HostedZoneID"
)

var (
	inNLBSubnets = input{param: NLBSubnetsParameter, typ: "List<AWS::EC2::Subnet::Id>",
		desc: "Public subnets of the service's Network Load Balancer.", export: exports.PublicSubnets, list: true}
	inNLBCertificate = input{param: NLBCertificateParam, typ: "String",
		desc: "ARN of the ACM certificate of the Network Load Balancer's TLS listeners, for its aliases."}
	inHostedZone = input{param: HostedZoneIDParameter, typ: "String",
		desc: "Id of the hosted zone the Network Load Balancer's alias records go in.", export: exports.HostedZone}
)

func (tr *translation) nlbParameters(t *cfn.Template) {
	n := tr.w.NLB
	tr.declare(t, inNLBSubnets)
	if tr.w.HTTP == nil {
		tr.declare(t, inVpc)
	}
	for _, l := range n.Listeners() {
		if l.Protocol == "TLS" {
			tr.declare(t, inNLBCertificate)
			break
		}
	}
	for _, a := range n.Aliases {
		if a.HostedZone == "" {
			tr.declare(t, inHostedZone)
			break
		}
	}
}

// nlbTarget returns a listener's target container, port and the
// protocols of the container's port mappings.
func nlbTarget(w *manifest.Workload, l *manifest.NLBListener) (*manifest.Container, int, []string) {
	name := l.TargetContainer
	if name == "" {
		name = w.Name
	}
	port := l.TargetPort
	if port == 0 {
		port = l.Port
	}
	return w.Container(name), port, ipProtocols(l)
}

// ipProtocols are the IP protocols of a listener's traffic: TLS is TCP.
func ipProtocols(l *manifest.NLBListener) []string {
	switch l.Protocol {
	case "UDP":
		return []string{"udp"}
	case "TCP_UDP":
		return []string{"tcp", "udp"}
	}
	return []string{"tcp"}
}

func (tr *translation) addNLB(t *cfn.Template) {
	w, n := tr.w, tr.w.NLB
	t.AddResource(NetworkLoadBalancer, &elb.LoadBalancer{
		Scheme:         cfn.Ptr("internet-facing"),
		Type:           cfn.Ptr("network"),
		SecurityGroups: []string{cfn.GetAtt(NLBSecurityGroup, "GroupId")},
	}, cfn.Override{Path: "Subnets", Value: tr.value(inNLBSubnets)})
	var ingress []ec2.SecurityGroup_Ingress
	for _, l := range n.Listeners() {
		for _, p := range ipProtocols(l) {
			ingress = append(ingress, ec2.SecurityGroup_Ingress{
				CidrIp:      cfn.Ptr("0.0.0.0/0"),
				Description: cfn.Ptr(fmt.Sprintf("Allow %s traffic from anyone on listener port %d", p, l.Port)),
				FromPort:    cfn.Ptr(l.Port), ToPort: cfn.Ptr(l.Port), IpProtocol: p,
			})
		}
	}
	t.AddResource(NLBSecurityGroup, &ec2.SecurityGroup{
		GroupDescription:     "Allow traffic to the public facing load balancer on listener ports",
		SecurityGroupIngress: ingress,
		VpcId:                cfn.Ptr(tr.value(inVpc)),
	})
	// The load balancer may reach the tasks on the target ports only
	// (Copilot opened every port).
	type portProtocol struct {
		port     int
		protocol string
	}
	var reach []portProtocol
	for _, l := range n.Listeners() {
		_, port, protocols := nlbTarget(w, l)
		for _, p := range protocols {
			if pp := (portProtocol{port, p}); !slices.Contains(reach, pp) {
				reach = append(reach, pp)
			}
		}
	}
	for i, pp := range reach {
		t.AddResource(indexed(NLBIngress, i), &ec2.SecurityGroupIngress{
			GroupId:               cfn.Ptr(tr.environmentSecurityGroup()),
			Description:           cfn.Ptr(fmt.Sprintf("Ingress from the network load balancer to %s port %d", pp.protocol, pp.port)),
			SourceSecurityGroupId: cfn.Ptr(cfn.GetAtt(NLBSecurityGroup, "GroupId")),
			IpProtocol:            pp.protocol,
			FromPort:              cfn.Ptr(pp.port),
			ToPort:                cfn.Ptr(pp.port),
		})
	}
	for i, l := range n.Listeners() {
		_, port, _ := nlbTarget(w, l)
		listener := &elb.Listener{
			DefaultActions:  []elb.Listener_Action{{Type: "forward", TargetGroupArn: cfn.Ptr(cfn.Ref(indexed(NLBTargetGroup, i)))}},
			LoadBalancerArn: cfn.Ref(NetworkLoadBalancer),
			Port:            cfn.Ptr(l.Port),
			Protocol:        cfn.Ptr(l.Protocol),
		}
		protocol := l.Protocol
		if l.Protocol == "TLS" {
			listener.Certificates = []elb.Listener_Certificate{{CertificateArn: cfn.Ptr(tr.value(inNLBCertificate))}}
			listener.SslPolicy = cfn.Ptr(defaultNLBSSLPolicy)
			if l.SSLPolicy != "" {
				listener.SslPolicy = cfn.Ptr(l.SSLPolicy)
			}
			protocol = "TCP" // TLS ends at the load balancer
		}
		t.AddResource(indexed(NLBListenerID, i), listener)
		h := l.HealthCheck
		tg := &elb.TargetGroup{
			Port:       cfn.Ptr(port),
			Protocol:   cfn.Ptr(protocol),
			TargetType: cfn.Ptr("ip"),
			VpcId:      cfn.Ptr(tr.value(inVpc)),
			TargetGroupAttributes: []elb.TargetGroup_TargetGroupAttribute{
				{Key: cfn.Ptr("deregistration_delay.timeout_seconds"), Value: cfn.Ptr(fmt.Sprint(l.DeregistrationDelay))},
			},
			HealthyThresholdCount:      positive(h.HealthyThreshold),
			UnhealthyThresholdCount:    positive(h.UnhealthyThreshold),
			HealthCheckIntervalSeconds: positive(h.Interval),
			HealthCheckTimeoutSeconds:  positive(h.Timeout),
		}
		if h.Port != 0 {
			tg.HealthCheckPort = cfn.Ptr(fmt.Sprint(h.Port))
		}
		if l.Stickiness {
			tg.TargetGroupAttributes = append(tg.TargetGroupAttributes,
				elb.TargetGroup_TargetGroupAttribute{Key: cfn.Ptr("stickiness.enabled"), Value: cfn.Ptr("true")})
		}
		t.AddResource(indexed(NLBTargetGroup, i), tg)
	}
	// The records, one group a hosted zone: the input's first, then the
	// named zones in order.
	target := &route53.RecordSetGroup_AliasTarget{
		DNSName: cfn.GetAtt(NetworkLoadBalancer, "DNSName"), HostedZoneId: cfn.GetAtt(NetworkLoadBalancer, "CanonicalHostedZoneID"),
	}
	byZone := map[string][]string{}
	var zones []string
	for _, a := range n.Aliases {
		if _, seen := byZone[a.HostedZone]; !seen {
			zones = append(zones, a.HostedZone)
		}
		byZone[a.HostedZone] = append(byZone[a.HostedZone], a.Name)
	}
	slices.Sort(zones)
	for _, z := range zones {
		var sets []route53.RecordSetGroup_RecordSet
		for _, name := range byZone[z] {
			sets = append(sets, route53.RecordSetGroup_RecordSet{Name: name, Type: "A", AliasTarget: target})
		}
		id, zone := NLBAliasRecords+alphanumeric(z), z
		if z == "" {
			zone = tr.value(inHostedZone)
		}
		t.AddResource(id, &route53.RecordSetGroup{
			Comment:      cfn.Ptr(cfn.Sub("NetworkLoadBalancer aliases for service ${WorkloadName}")),
			HostedZoneId: cfn.Ptr(zone),
			RecordSets:   sets,
		})
	}
}

// nlbListeners are the listeners' ids, for the service to wait on.
func (tr *translation) nlbListeners() []string {
	var out []string
	for i := range tr.w.NLB.Listeners() {
		out = append(out, indexed(NLBListenerID, i))
	}
	return out
}
