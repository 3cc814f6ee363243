package manifest

import (
	"strings"

	"gopkg.in/yaml.v3"
)

var httpFields = fields{
	known: []string{"path", "healthcheck", "target_container", "targetContainer", "target_port",
		"deregistration_delay", "stickiness"},
	unsupported: map[string]string{
		"alias":              notYet + ": it needs a hosted zone and certificate cfngen does not create",
		"hosted_zone":        notYet,
		"allowed_source_ips": notYet,
		"additional_rules":   notYet,
		"redirect_to_https":  notYet,
		"alb":                notYet,
		"version":            notYet,
	},
}

var targetHealthCheckFields = fields{known: []string{"path", "port", "success_codes", "healthy_threshold",
	"unhealthy_threshold", "interval", "timeout", "grace_period"}}

func (d *decoder) http(n *yaml.Node, path string) *HTTP {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
		d.errorf(n, path, "http: %s is %s", n.Value, notYet)
		return nil
	}
	h := &HTTP{DeregistrationDelay: 60, HealthCheck: TargetHealthCheck{Path: "/", GracePeriod: 60}}
	var spelled []*yaml.Node
	d.mapping(n, path, httpFields, func(key string, k, v *yaml.Node) {
		p := join(path, key)
		switch key {
		case "path":
			s, ok := d.nonEmpty(v, p)
			if ok {
				h.Path = normalizePath(s)
			}
		case "healthcheck":
			d.targetHealthCheck(v, p, &h.HealthCheck)
		case "target_container", "targetContainer":
			spelled = append(spelled, k)
			h.TargetContainer, _ = d.nonEmpty(v, p)
		case "target_port":
			h.TargetPort, _ = d.intRange(v, p, 1, 65535)
		case "deregistration_delay":
			h.DeregistrationDelay, _ = d.seconds(v, p, 0, 3600)
		case "stickiness":
			h.Stickiness, _ = d.boolean(v, p)
		}
	})
	if len(spelled) == 2 {
		d.errorf(spelled[1], path, "set target_container or its old spelling targetContainer, not both")
	}
	if h.Path == "" && n.Kind == yaml.MappingNode {
		d.errorf(n, path, "missing field \"path\"")
	}
	return h
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
		h.Path, _ = d.nonEmpty(n, path)
		return
	}
	d.mapping(n, path, targetHealthCheckFields, func(key string, _, v *yaml.Node) {
		p := join(path, key)
		switch key {
		case "path":
			h.Path, _ = d.nonEmpty(v, p)
		case "port":
			h.Port, _ = d.intRange(v, p, 1, 65535)
		case "success_codes":
			h.SuccessCodes, _ = d.nonEmpty(v, p)
		case "healthy_threshold":
			h.HealthyThreshold, _ = d.intRange(v, p, 2, 10)
		case "unhealthy_threshold":
			h.UnhealthyThreshold, _ = d.intRange(v, p, 2, 10)
		case "interval":
			h.Interval, _ = d.seconds(v, p, 5, 300)
		case "timeout":
			h.Timeout, _ = d.seconds(v, p, 2, 120)
		case "grace_period":
			h.GracePeriod, _ = d.seconds(v, p, 0, 2147483647)
		}
	})
	if h.Interval != 0 && h.Timeout != 0 && h.Timeout >= h.Interval {
		d.errorf(n, path, "timeout (%ds) must be less than interval (%ds)", h.Timeout, h.Interval)
	}
}
