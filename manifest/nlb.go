package manifest

import (
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

var listenerFields = []string{"port", "healthcheck", "target_container", "target_port", "ssl_policy",
	"stickiness", "deregistration_delay"}

var (
	nlbFields            = fields{Known: append([]string{"alias", "additional_listeners"}, listenerFields...)}
	nlbListenerFields    = fields{Known: listenerFields}
	nlbHealthCheckFields = fields{Known: []string{"port", "healthy_threshold", "unhealthy_threshold", "interval", "timeout", "grace_period"}}
)

// nlb reads the Network Load Balancer: the main listener, its aliases and
// the additional listeners.
func (d *decoder) nlb(n *yaml.Node, path string) *NLB {
	nlb := &NLB{NLBListener: newListener(path)}
	d.Mapping(n, path, nlbFields, func(key string, k, v *yaml.Node) {
		p := d.Join(path, key)
		switch key {
		case "alias":
			nlb.Aliases = d.hostAliases(v, p)
		case "additional_listeners":
			d.List(v, p, func(ip string, item *yaml.Node) {
				l := newListener(ip)
				d.Mapping(item, ip, nlbListenerFields, func(key string, k, v *yaml.Node) { d.listenerField(&l, key, v) })
				d.finishListener(&l, item)
				nlb.Additional = append(nlb.Additional, l)
			})
		default:
			d.listenerField(&nlb.NLBListener, key, v)
		}
	})
	d.finishListener(&nlb.NLBListener, n)
	return nlb
}

func newListener(path string) NLBListener { return NLBListener{DeregistrationDelay: 60, path: path} }

func (d *decoder) listenerField(l *NLBListener, key string, v *yaml.Node) {
	p := join(l.path, key)
	switch key {
	case "port":
		s, ok := d.Str(v, p)
		if !ok {
			return
		}
		number, protocol, has := strings.Cut(s, "/")
		if !has {
			protocol = "tcp"
		}
		port, err := strconv.Atoi(number)
		switch protocol = strings.ToUpper(protocol); {
		case err != nil || port < 1 || port > 65535:
			d.Errorf(v, p, "must be a port 1-65535 with an optional protocol, such as 80, 443/tls or 53/udp, got %q", s)
		case protocol != "TCP" && protocol != "UDP" && protocol != "TLS" && protocol != "TCP_UDP":
			d.Errorf(v, p, "protocol must be tcp, udp, tls or tcp_udp, got %q", strings.ToLower(protocol))
		default:
			l.Port, l.Protocol = port, protocol
		}
	case "healthcheck":
		h := &l.HealthCheck
		d.Mapping(v, p, nlbHealthCheckFields, func(key string, _, v *yaml.Node) {
			hp := d.Join(p, key)
			switch key {
			case "port":
				h.Port, _ = d.IntRange(v, hp, 1, 65535)
			case "healthy_threshold":
				h.HealthyThreshold, _ = d.IntRange(v, hp, 2, 10)
			case "unhealthy_threshold":
				h.UnhealthyThreshold, _ = d.IntRange(v, hp, 2, 10)
			case "interval":
				h.Interval, _ = d.Seconds(v, hp, 5, 300)
			case "timeout":
				h.Timeout, _ = d.Seconds(v, hp, 2, 120)
			case "grace_period":
				h.GracePeriod, _ = d.Seconds(v, hp, 0, 2147483647)
				h.gracePeriodSet = true
			}
		})
	case "target_container":
		l.TargetContainer, _ = d.NonEmpty(v, p)
	case "target_port":
		l.TargetPort, _ = d.IntRange(v, p, 1, 65535)
	case "ssl_policy":
		l.SSLPolicy, _ = d.NonEmpty(v, p)
		if l.SSLPolicy != "" && !charset(l.SSLPolicy, "-_.") {
			d.Errorf(v, p, "must be an Elastic Load Balancing security policy name such as ELBSecurityPolicy-TLS13-1-2-2021-06, got %q", l.SSLPolicy)
		}
	case "stickiness":
		l.Stickiness, _ = d.Boolean(v, p)
	case "deregistration_delay":
		l.DeregistrationDelay, _ = d.Seconds(v, p, 0, 3600)
	}
}

func (d *decoder) finishListener(l *NLBListener, n *yaml.Node) {
	if l.Port == 0 && n.Kind == yaml.MappingNode && !d.reported(l.path+".port") {
		d.Errorf(n, l.path, "missing field \"port\": the port the Network Load Balancer listens on, such as 80 or 443/tls")
	}
	if l.SSLPolicy != "" && l.Protocol != "TLS" && l.Port != 0 {
		d.Errorf(n, join(l.path, "ssl_policy"), "goes with a tls port only")
	}
	if l.Stickiness && l.Protocol == "TLS" {
		d.Errorf(n, join(l.path, "stickiness"), "is not supported with a tls port")
	}
}

// reported says whether a problem is reported at path already.
func (d *decoder) reported(path string) bool {
	for _, e := range d.Errs {
		if e.Path == path {
			return true
		}
	}
	return false
}
