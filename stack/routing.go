package stack

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"

	"github.com/awslabs/goformation/v7/cloudformation/ec2"
	"github.com/awslabs/goformation/v7/cloudformation/ecs"
	elb "github.com/awslabs/goformation/v7/cloudformation/elasticloadbalancingv2"
	"github.com/awslabs/goformation/v7/cloudformation/route53"
	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/manifest"
)

// Routing, as Copilot's alb, http-listener, https-listener and
// imported-alb-resources templates made it: for each rule (http, then
// http.additional_rules) a target group and the listener rules that
// forward to it. Without aliases the rule goes on the HTTP listener; with
// aliases in any rule the service is on HTTPS: each rule goes on the HTTPS
// listener, and its HTTP listener rule redirects to HTTPS (or forwards,
// with redirect_to_https: false). Aliases with a hosted zone get A records
// aliasing the load balancer. With http.alb the rules go on that load
// balancer's listeners, which are parameters: cfngen looks nothing up.

// indexed is Copilot's id for rule i: the id, then i from the second rule.
func indexed(id string, i int) string {
	if i == 0 {
		return id
	}
	return id + strconv.Itoa(i)
}

// ruleIDs are the logical ids of rule i's resources.
type ruleIDs struct {
	targetGroup string
	// forward is the rule on the HTTP listener without HTTPS, or on the
	// HTTPS listener with it; http, the HTTP listener's rule beside an
	// HTTPS one ("" when there is none).
	forward, http string
	priority      string // the parameter
}

func (tr *translation) ruleIDs(i int) ruleIDs {
	h := tr.w.HTTP
	ids := ruleIDs{targetGroup: indexed(TargetGroup, i), priority: indexed(RulePriority, i)}
	switch {
	case h.ALB != "" && h.HTTPS():
		ids.targetGroup = indexed("TargetGroupForImportedALB", i)
		ids.forward = indexed("HTTPSListenerRuleForImportedALB", i)
		if h.Rules()[i].RedirectToHTTPS {
			ids.http = indexed("HTTPListenerRedirectRuleForImportedALB", i)
		}
	case h.ALB != "":
		ids.targetGroup = indexed("TargetGroupForImportedALB", i)
		ids.forward = indexed("HTTPListenerRuleForImportedALB", i)
	case h.HTTPS():
		ids.forward = indexed("HTTPSListenerRule", i)
		ids.http = indexed("HTTPListenerRuleWithDomain", i)
	default:
		ids.forward = indexed(HTTPListenerRule, i)
	}
	return ids
}

// listenerRules are every listener rule's id, for the service to wait on.
func (tr *translation) listenerRules() []string {
	var out []string
	for i := range tr.w.HTTP.Rules() {
		ids := tr.ruleIDs(i)
		out = append(out, ids.forward)
		if ids.http != "" {
			out = append(out, ids.http)
		}
	}
	return out
}

// routingParameters declares what routing takes from its environment.
func (tr *translation) routingParameters(t *cfn.Template) {
	w, h := tr.w, tr.w.HTTP
	tr.declare(t, inVpc)
	switch {
	case h.ALB != "":
		if !h.HTTPS() || redirects(h) {
			tr.declare(t, inImportedHTTPListener)
		}
		if h.HTTPS() {
			tr.declare(t, inImportedHTTPSListener)
		}
		tr.declare(t, inImportedDNS)
		if records(h) {
			tr.declare(t, inImportedZone)
		}
		tr.declare(t, inImportedSecurityGroup)
	default:
		tr.declare(t, inHTTPListener(w))
		if h.HTTPS() {
			tr.declare(t, inHTTPSListener(w))
		}
		tr.declare(t, inLoadBalancerDNS(w))
		if records(h) || tr.internalAlias() {
			tr.declare(t, inLoadBalancerZone(w))
		}
		if tr.internalAlias() {
			tr.declare(t, inInternalZone)
			tr.declare(t, inInternalZoneName)
		}
	}
	for i, p := range rulePriorities(w) {
		t.AddParameter(indexed(RulePriority, i), cfn.Parameter{Type: "Number", Description: "Priority of the listener rule; unique per listener.",
			Default: cfn.Number(strconv.Itoa(p)), MinValue: cfn.Ptr(1), MaxValue: cfn.Ptr(50000)})
	}
}

// internalAlias says a Backend Service's rule answers to
// <name>.<env>.<app>.internal on the internal load balancer, with its
// record, as Copilot's LoadBalancerInternalDNSAlias made it: a service on
// the environment's internal HTTP listener, without aliases.
func (tr *translation) internalAlias() bool {
	h := tr.w.HTTP
	return tr.w.Type == manifest.BackendService && h.ALB == "" && !h.HTTPS()
}

// addRouting adds the target groups, listener rules and records.
func (tr *translation) addRouting(t *cfn.Template) {
	h := tr.w.HTTP
	for i, r := range h.Rules() {
		ids := tr.ruleIDs(i)
		t.AddResource(ids.targetGroup, tr.targetGroup(r))
		priority := cfn.Override{Path: "Priority", Value: cfn.Ref(ids.priority)}
		if ids.http != "" {
			action := forward(ids.targetGroup)
			if r.RedirectToHTTPS {
				action = redirectToHTTPS()
			}
			t.AddResource(ids.http, tr.listenerRule(r, tr.httpListener(), action), priority)
		}
		listener := tr.httpListener()
		if h.HTTPS() {
			listener = tr.httpsListener()
		}
		t.AddResource(ids.forward, tr.listenerRule(r, listener, forward(ids.targetGroup)), priority)
	}
	tr.addRecords(t)
	if h.ALB != "" {
		// The imported load balancer may reach the target ports only
		// (Copilot let it reach every port).
		var ports []int
		for _, r := range h.Rules() {
			if _, port := ruleTarget(tr.w, r); !slices.Contains(ports, port) {
				ports = append(ports, port)
			}
		}
		for i, port := range ports {
			t.AddResource(indexed("EnvironmentSecurityGroupIngressFromImportedALB", i), &ec2.SecurityGroupIngress{
				GroupId:               cfn.Ptr(tr.environmentSecurityGroup()),
				Description:           cfn.Ptr(fmt.Sprintf("Ingress from the imported ALB to port %d", port)),
				SourceSecurityGroupId: cfn.Ptr(tr.value(inImportedSecurityGroup)),
				IpProtocol:            "tcp",
				FromPort:              cfn.Ptr(port),
				ToPort:                cfn.Ptr(port),
			})
		}
	}
}

func (tr *translation) httpListener() string {
	if tr.w.HTTP.ALB != "" {
		return tr.value(inImportedHTTPListener)
	}
	return tr.value(inHTTPListener(tr.w))
}

func (tr *translation) httpsListener() string {
	if tr.w.HTTP.ALB != "" {
		return tr.value(inImportedHTTPSListener)
	}
	return tr.value(inHTTPSListener(tr.w))
}

// scalingListener is a listener of the service's load balancer, whose ARN
// names the load balancer for request-count scaling.
func (tr *translation) scalingListener() string {
	if tr.w.HTTP.HTTPS() {
		return tr.httpsListener()
	}
	return tr.httpListener()
}

// environmentSecurityGroup is the one security group the imported load
// balancer may reach the tasks through: the environment's export, or the
// first of the SecurityGroups parameter.
func (tr *translation) environmentSecurityGroup() string {
	if tr.opts.CopilotEnv {
		return tr.imported(inSecurityGroups)
	}
	return cfn.Select(0, cfn.Ref(SecurityGroups))
}

func forward(targetGroup string) elb.ListenerRule_Action {
	return elb.ListenerRule_Action{Type: "forward", TargetGroupArn: cfn.Ptr(cfn.Ref(targetGroup))}
}

func redirectToHTTPS() elb.ListenerRule_Action {
	return elb.ListenerRule_Action{Type: "redirect", RedirectConfig: &elb.ListenerRule_RedirectConfig{
		Protocol: cfn.Ptr("HTTPS"), Port: cfn.Ptr("443"), Host: cfn.Ptr("#{host}"), Path: cfn.Ptr("/#{path}"),
		Query: cfn.Ptr("#{query}"), StatusCode: "HTTP_301",
	}}
}

// targetGroup is a rule's target group: HTTPS to a target on 443, as
// Copilot did, and gRPC's success codes as GrpcCode.
func (tr *translation) targetGroup(r *manifest.Rule) *elb.TargetGroup {
	_, port := ruleTarget(tr.w, r)
	h := r.HealthCheck
	tg := &elb.TargetGroup{
		Port:            cfn.Ptr(port),
		Protocol:        cfn.Ptr("HTTP"),
		TargetType:      cfn.Ptr("ip"),
		VpcId:           cfn.Ptr(tr.value(inVpc)),
		HealthCheckPath: cfn.Ptr(h.Path),
		TargetGroupAttributes: []elb.TargetGroup_TargetGroupAttribute{
			{Key: cfn.Ptr("deregistration_delay.timeout_seconds"), Value: cfn.Ptr(fmt.Sprint(r.DeregistrationDelay))},
			{Key: cfn.Ptr("stickiness.enabled"), Value: cfn.Ptr(fmt.Sprint(r.Stickiness))},
		},
	}
	if port == 443 {
		tg.Protocol = cfn.Ptr("HTTPS")
		tg.HealthCheckProtocol = cfn.Ptr("HTTPS")
	}
	if r.Version != "" {
		tg.ProtocolVersion = cfn.Ptr(r.Version)
	}
	if h.Port != 0 {
		tg.HealthCheckPort = cfn.Ptr(fmt.Sprint(h.Port))
	}
	if h.SuccessCodes != "" {
		tg.Matcher = &elb.TargetGroup_Matcher{HttpCode: cfn.Ptr(h.SuccessCodes)}
		if r.Version == "GRPC" {
			// A gRPC target group takes gRPC status codes, not HTTP ones.
			tg.Matcher = &elb.TargetGroup_Matcher{GrpcCode: cfn.Ptr(h.SuccessCodes)}
		}
	}
	tg.HealthyThresholdCount = positive(h.HealthyThreshold)
	tg.UnhealthyThresholdCount = positive(h.UnhealthyThreshold)
	tg.HealthCheckIntervalSeconds = positive(h.Interval)
	tg.HealthCheckTimeoutSeconds = positive(h.Timeout)
	return tg
}

// listenerRule matches the rule's source ranges, host names and path:
// "/api" matches /api and everything below it, "/" everything. Its
// priority is set by an override to !Ref of its parameter, which
// goformation's int cannot hold.
func (tr *translation) listenerRule(r *manifest.Rule, listener string, action elb.ListenerRule_Action) *elb.ListenerRule {
	var conditions []elb.ListenerRule_RuleCondition
	if len(r.AllowedSourceIPs) > 0 {
		conditions = append(conditions, elb.ListenerRule_RuleCondition{Field: cfn.Ptr("source-ip"),
			SourceIpConfig: &elb.ListenerRule_SourceIpConfig{Values: r.AllowedSourceIPs}})
	}
	var hosts []string
	for _, a := range r.Aliases {
		hosts = append(hosts, a.Name)
	}
	if tr.internalAlias() {
		hosts = []string{tr.lbDNS(), tr.internalName()}
	}
	if len(hosts) > 0 {
		conditions = append(conditions, elb.ListenerRule_RuleCondition{Field: cfn.Ptr("host-header"),
			HostHeaderConfig: &elb.ListenerRule_HostHeaderConfig{Values: hosts}})
	}
	patterns := []string{"/*"}
	if p := r.Path; p != "/" {
		patterns = []string{p, p + "/*"}
	}
	conditions = append(conditions, elb.ListenerRule_RuleCondition{Field: cfn.Ptr("path-pattern"),
		PathPatternConfig: &elb.ListenerRule_PathPatternConfig{Values: patterns}})
	return &elb.ListenerRule{ListenerArn: cfn.Ptr(listener), Actions: []elb.ListenerRule_Action{action}, Conditions: conditions}
}

// lbDNS is the DNS name of the service's load balancer.
func (tr *translation) lbDNS() string {
	if tr.w.HTTP.ALB != "" {
		return tr.value(inImportedDNS)
	}
	return tr.value(inLoadBalancerDNS(tr.w))
}

// internalName is <name>.<env>.<app>.internal, in the environment's
// internal hosted zone.
func (tr *translation) internalName() string {
	return cfn.Join(".", cfn.Ref(WorkloadName), tr.value(inInternalZoneName))
}

// addRecords adds the A records: the aliases', one record set group per
// hosted zone in the order of the zones' ids, and a Backend Service's
// internal name.
func (tr *translation) addRecords(t *cfn.Template) {
	h := tr.w.HTTP
	zone := inLoadBalancerZone(tr.w)
	if h.ALB != "" {
		zone = inImportedZone
	}
	target := &route53.RecordSetGroup_AliasTarget{DNSName: tr.lbDNS(), HostedZoneId: tr.value(zone)}
	byZone := map[string][]string{}
	for _, r := range h.Rules() {
		for _, a := range r.Aliases {
			if a.HostedZone != "" && !slices.Contains(byZone[a.HostedZone], a.Name) {
				byZone[a.HostedZone] = append(byZone[a.HostedZone], a.Name)
			}
		}
	}
	zones := make([]string, 0, len(byZone))
	for z := range byZone {
		zones = append(zones, z)
	}
	slices.Sort(zones)
	for _, z := range zones {
		var sets []route53.RecordSetGroup_RecordSet
		for _, name := range byZone[z] {
			sets = append(sets, route53.RecordSetGroup_RecordSet{Name: name, Type: "A", AliasTarget: target})
		}
		t.AddResource(aliasRecordsID(z), &route53.RecordSetGroup{
			HostedZoneId: cfn.Ptr(z),
			Comment:      cfn.Ptr(cfn.Sub("LoadBalancer aliases for service ${WorkloadName} in hosted zone " + z)),
			RecordSets:   sets,
		})
	}
	if tr.internalAlias() {
		t.AddResource("LoadBalancerInternalDNSAlias", &route53.RecordSetGroup{
			Comment:      cfn.Ptr(cfn.Sub("Load balancer alias for service ${WorkloadName}")),
			HostedZoneId: cfn.Ptr(tr.value(inInternalZone)),
			RecordSets:   []route53.RecordSetGroup_RecordSet{{Name: tr.internalName(), Type: "A", AliasTarget: target}},
		})
	}
}

// aliasRecordsID is Copilot's id for the records in a hosted zone.
func aliasRecordsID(zone string) string { return "LoadBalancerDNSAlias" + alphanumeric(zone) }

// ruleTarget returns a rule's target container and port.
func ruleTarget(w *manifest.Workload, r *manifest.Rule) (*manifest.Container, int) {
	name := r.TargetContainer
	if name == "" {
		name = w.Name
	}
	c := w.Container(name)
	port := r.TargetPort
	if port == 0 && c.Port != nil {
		port = c.Port.Number
	}
	return c, port
}

// loadBalancers routes each rule's target group to its container and port.
func (tr *translation) loadBalancers() []ecs.Service_LoadBalancer {
	var out []ecs.Service_LoadBalancer
	for i, r := range tr.w.HTTP.Rules() {
		c, port := ruleTarget(tr.w, r)
		out = append(out, ecs.Service_LoadBalancer{
			ContainerName: cfn.Ptr(c.Name), ContainerPort: cfn.Ptr(port), TargetGroupArn: cfn.Ptr(cfn.Ref(tr.ruleIDs(i).targetGroup)),
		})
	}
	return out
}

// rulePriorities are the rules' default priorities: deterministic, the
// last one for a "/" without host names so that more specific rules of
// other services match first, else spread by a hash of the name, path and
// host names (Copilot asked a Lambda for the next free number instead);
// distinct within the service.
func rulePriorities(w *manifest.Workload) []int {
	var out []int
	for _, r := range w.HTTP.Rules() {
		p := 50000
		if r.Path != "/" || len(r.Aliases) > 0 {
			h := fnv.New32a()
			key := w.Name + " " + r.Path
			for _, a := range r.Aliases {
				key += " " + a.Name
			}
			h.Write([]byte(key))
			p = 1 + int(h.Sum32()%49999)
		}
		for slices.Contains(out, p) {
			p = p%49999 + 1
		}
		out = append(out, p)
	}
	return out
}

// redirects reports whether any rule redirects HTTP to HTTPS.
func redirects(h *manifest.HTTP) bool {
	for _, r := range h.Rules() {
		if r.RedirectToHTTPS {
			return true
		}
	}
	return false
}

// records reports whether any alias names a hosted zone for its record.
func records(h *manifest.HTTP) bool {
	for _, r := range h.Rules() {
		for _, a := range r.Aliases {
			if a.HostedZone != "" {
				return true
			}
		}
	}
	return false
}
