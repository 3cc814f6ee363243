package manifest

import (
	"fmt"
	"net/netip"
	"strings"

	"gopkg.in/yaml.v3"
)

// ruleFields are what http and each of http.additional_rules take.
var ruleFields = []string{"path", "healthcheck", "target_container", "target_port", "deregistration_delay",
	"stickiness", "allowed_source_ips", "alias", "hosted_zone", "redirect_to_https", "version"}

var (
	httpFields           = fields{Known: append([]string{"targetContainer", "additional_rules", "alb"}, ruleFields...)}
	additionalRuleFields = fields{Known: ruleFields}
	aliasFields          = fields{Known: []string{"name", "hosted_zone"}}
)

var targetHealthCheckFields = fields{Known: []string{"path", "port", "success_codes", "healthy_threshold",
	"unhealthy_threshold", "interval", "timeout", "grace_period"}}

// http reads http: false (no load balancer), or the main rule with its
// additional rules and an imported load balancer.
func (d *decoder) http(n *yaml.Node, path string, w *Workload) *HTTP {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
		on, _ := d.Boolean(n, path)
		if on {
			d.Errorf(n, path, "http: true says nothing to route: give http a path")
		}
		w.NoHTTP = true
		return nil
	}
	h := &HTTP{Rule: newRule(path)}
	var spelled []*yaml.Node
	d.Mapping(n, path, httpFields, func(key string, k, v *yaml.Node) {
		p := d.Join(path, key)
		switch key {
		case "targetContainer", "target_container":
			spelled = append(spelled, k)
			h.TargetContainer, _ = d.NonEmpty(v, p)
		case "additional_rules":
			d.List(v, p, func(ip string, item *yaml.Node) {
				r := newRule(ip)
				d.Mapping(item, ip, additionalRuleFields, func(key string, k, v *yaml.Node) {
					d.ruleField(&r, key, k, v)
				})
				d.finishRule(&r, item)
				h.Additional = append(h.Additional, r)
			})
		case "alb":
			h.ALB, _ = d.NonEmpty(v, p)
			if h.ALB != "" && !validALB(h.ALB) {
				d.Errorf(v, p, "must be a load balancer's name (1-32 letters, digits and hyphens) or its ARN, got %q", h.ALB)
			}
		default:
			d.ruleField(&h.Rule, key, k, v)
		}
	})
	if len(spelled) == 2 {
		d.Errorf(spelled[1], path, "set target_container or its old spelling targetContainer, not both")
	}
	d.finishRule(&h.Rule, n)
	// http.hosted_zone is where every rule's aliases go, unless the rule
	// or the alias names its own.
	if z := h.hostedZone; z != "" {
		any := false
		for _, r := range h.Rules() {
			for i := range r.Aliases {
				any = true
				if r.Aliases[i].HostedZone == "" {
					r.Aliases[i].HostedZone = z
				}
			}
		}
		if !any {
			d.Errs.Add(d.File, h.hostedZoneAt, join(path, "hosted_zone"), "goes with alias: it is where the aliases' records go")
		}
	}
	return h
}

func newRule(path string) Rule {
	return Rule{DeregistrationDelay: 60, HealthCheck: TargetHealthCheck{Path: "/", GracePeriod: 60}, RedirectToHTTPS: true, path: path}
}

// ruleField reads one field of a rule.
func (d *decoder) ruleField(r *Rule, key string, k, v *yaml.Node) {
	p := join(r.path, key)
	switch key {
	case "path":
		if s, ok := d.NonEmpty(v, p); ok {
			r.Path = normalizePath(s)
		}
	case "healthcheck":
		d.targetHealthCheck(v, p, &r.HealthCheck)
	case "target_container":
		r.TargetContainer, _ = d.NonEmpty(v, p)
	case "target_port":
		r.TargetPort, _ = d.IntRange(v, p, 1, 65535)
	case "deregistration_delay":
		r.DeregistrationDelay, _ = d.Seconds(v, p, 0, 3600)
	case "stickiness":
		r.Stickiness, _ = d.Boolean(v, p)
	case "redirect_to_https":
		r.RedirectToHTTPS, _ = d.Boolean(v, p)
	case "version":
		s, ok := d.NonEmpty(v, p)
		switch strings.ToLower(s) {
		case "grpc", "http1", "http2":
			r.Version = strings.ToUpper(s)
		default:
			if ok {
				d.Errorf(v, p, "must be grpc, http1 or http2, got %q", s)
			}
		}
	case "allowed_source_ips":
		ips, _ := d.StringList(v, p)
		for i, ip := range ips {
			if _, err := netip.ParsePrefix(ip); err != nil {
				d.Errorf(v.Content[i], fmt.Sprintf("%s[%d]", p, i), "must be a CIDR block such as 192.0.2.0/24, got %q", ip)
			}
		}
		r.AllowedSourceIPs = ips
	case "hosted_zone":
		r.hostedZone, _ = d.NonEmpty(v, p)
		if r.hostedZone != "" && !validHostedZone(r.hostedZone) {
			d.Errorf(v, p, "must be a Route 53 hosted zone id, letters and digits such as Z0873220N255IR3MTNR4, got %q", r.hostedZone)
		}
		r.hostedZoneAt = pos(k)
	case "alias":
		r.Aliases = d.hostAliases(v, p)
	}
}

// aliases reads a name, a list of names, or a list of {name, hosted_zone}.
func (d *decoder) hostAliases(n *yaml.Node, path string) []Alias {
	var out []Alias
	add := func(item *yaml.Node, p string, a Alias) {
		if a.Name != "" && !validHostName(a.Name) {
			d.Errorf(item, p, "must be a domain name such as example.com, got %q", a.Name)
			return
		}
		out = append(out, a)
	}
	if n.Kind == yaml.ScalarNode {
		name, _ := d.NonEmpty(n, path)
		add(n, path, Alias{Name: name})
		return out
	}
	d.List(n, path, func(p string, item *yaml.Node) {
		if item.Kind == yaml.ScalarNode {
			name, _ := d.NonEmpty(item, p)
			add(item, p, Alias{Name: name})
			return
		}
		var a Alias
		d.Mapping(item, p, aliasFields, func(key string, _, v *yaml.Node) {
			if key == "name" {
				a.Name, _ = d.NonEmpty(v, join(p, key))
				return
			}
			a.HostedZone, _ = d.NonEmpty(v, join(p, key))
			if a.HostedZone != "" && !validHostedZone(a.HostedZone) {
				d.Errorf(v, join(p, key), "must be a Route 53 hosted zone id, letters and digits such as Z0873220N255IR3MTNR4, got %q", a.HostedZone)
			}
		})
		if a.Name == "" && item.Kind == yaml.MappingNode {
			d.Errorf(item, p, "missing field \"name\"")
			return
		}
		add(item, p, a)
	})
	return out
}

// finishRule applies a rule's hosted_zone to its aliases and checks what
// the rule as a whole must be.
func (d *decoder) finishRule(r *Rule, n *yaml.Node) {
	if r.hostedZone != "" && r.path != "http" {
		if len(r.Aliases) == 0 {
			d.Errs.Add(d.File, r.hostedZoneAt, join(r.path, "hosted_zone"), "goes with alias: it is where the aliases' records go")
		}
		for i := range r.Aliases {
			if r.Aliases[i].HostedZone == "" {
				r.Aliases[i].HostedZone = r.hostedZone
			}
		}
	}
	if r.Path == "" && n.Kind == yaml.MappingNode {
		d.Errorf(n, r.path, "missing field \"path\"")
	}
	// Elastic Load Balancing: at most 3 values a condition, 5 a rule.
	if len(r.Aliases) > 3 {
		d.Errorf(n, join(r.path, "alias"), "has %d aliases; a listener rule matches at most 3 host names", len(r.Aliases))
	}
	if len(r.AllowedSourceIPs) > 3 {
		d.Errorf(n, join(r.path, "allowed_source_ips"), "has %d blocks; a listener rule matches at most 3 source ranges", len(r.AllowedSourceIPs))
	}
}

// validHostName: labels of letters, digits and hyphens, * for a wildcard
// label, as a host-header condition and a Route 53 record take them.
func validHostName(s string) bool {
	if len(s) > 128 || strings.HasSuffix(s, ".") {
		return false
	}
	labels := strings.Split(s, ".")
	for i, l := range labels {
		if l == "*" && i == 0 {
			continue
		}
		if l == "" || l[0] == '-' || l[len(l)-1] == '-' || !charset(l, "-") {
			return false
		}
	}
	return len(labels) > 1
}

// validHostedZone: Route 53's ids are letters and digits (upper-case in
// AWS; Copilot's own tests use mockHostedZone).
func validHostedZone(s string) bool { return s != "" && len(s) <= 32 && charset(s, "") }

// validALB: a load balancer's name, or an application load balancer's ARN.
func validALB(s string) bool {
	if strings.HasPrefix(s, "arn:") {
		parts := strings.SplitN(s, ":", 6)
		return len(parts) == 6 && parts[2] == "elasticloadbalancing" && strings.HasPrefix(parts[5], "loadbalancer/app/") &&
			charset(strings.TrimPrefix(parts[5], "loadbalancer/app/"), "-/")
	}
	return len(s) <= 32 && s[0] != '-' && s[len(s)-1] != '-' && charset(s, "-")
}

// normalizePath turns Copilot's path forms ("api", "/api", "/") into the
// listener rule's base path.
func normalizePath(p string) string {
	p = strings.Trim(p, "/")
	return "/" + p
}

// targetHealthCheck reads a path, or a map, with Elastic Load Balancing's
// ranges: thresholds 2-10, interval 5-300s, timeout 2-120s.
func (d *decoder) targetHealthCheck(n *yaml.Node, path string, h *TargetHealthCheck) {
	if n.Kind == yaml.ScalarNode {
		h.Path, _ = d.NonEmpty(n, path)
		return
	}
	d.Mapping(n, path, targetHealthCheckFields, func(key string, _, v *yaml.Node) {
		p := d.Join(path, key)
		switch key {
		case "path":
			h.Path, _ = d.NonEmpty(v, p)
		case "port":
			h.Port, _ = d.IntRange(v, p, 1, 65535)
		case "success_codes":
			h.SuccessCodes, _ = d.NonEmpty(v, p)
		case "healthy_threshold":
			h.HealthyThreshold, _ = d.IntRange(v, p, 2, 10)
		case "unhealthy_threshold":
			h.UnhealthyThreshold, _ = d.IntRange(v, p, 2, 10)
		case "interval":
			h.Interval, _ = d.Seconds(v, p, 5, 300)
		case "timeout":
			h.Timeout, _ = d.Seconds(v, p, 2, 120)
		case "grace_period":
			h.GracePeriod, _ = d.Seconds(v, p, 0, 2147483647)
		}
	})
	if h.Interval != 0 && h.Timeout != 0 && h.Timeout >= h.Interval {
		d.Errorf(n, path, "timeout (%ds) must be less than interval (%ds)", h.Timeout, h.Interval)
	}
}
