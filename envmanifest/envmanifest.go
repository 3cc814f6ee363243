// Package envmanifest parses Copilot environment manifests
// (copilot/environments/<env>/manifest.yml) with the same strictness as
// workload manifests: unknown fields with did-you-mean, every problem
// positioned, Copilot's fields that need a live lookup refused by design.
package envmanifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"

	"github.com/cfngen/cfngen/diag"
	"github.com/cfngen/cfngen/yamldec"
	"gopkg.in/yaml.v3"
)

// Environment is a parsed environment manifest.
type Environment struct {
	Name, File string
	VPC        VPC
	// Public and Private are the public and the internal load balancer;
	// nil for none.
	Public  *PublicHTTP
	Private *PrivateHTTP
	// ContainerInsights turns on the cluster's Container Insights.
	ContainerInsights bool
}

// VPC is the environment's network: a new one (CIDR) or an existing one
// (ID), and its subnets.
type VPC struct {
	ID, CIDR        string
	Public, Private []Subnet
	// FlowLogs is the retention of the VPC's flow logs in days; 0 for
	// none.
	FlowLogs        int
	Ingress, Egress []Rule
}

// Subnet is a subnet to make (CIDR, AZ) or an existing one (ID).
type Subnet struct{ CIDR, AZ, ID string }

// Rule is a security group rule of the environment security group.
type Rule struct {
	Protocol         string
	FromPort, ToPort int
	CIDR             string
}

// PublicHTTP is the public load balancer.
type PublicHTTP struct {
	Certificates []string
	SSLPolicy    string
	SourceIPs    []string
}

// PrivateHTTP is the internal load balancer.
type PrivateHTTP struct {
	Certificates []string
	Subnets      []string
	SSLPolicy    string
	// FromVPC lets the whole VPC reach it, not only the environment's
	// services.
	FromVPC bool
}

type decoder struct{ yamldec.Decoder }

// Is reports whether data is an environment manifest, by its top-level
// type: Environment.
func Is(data []byte) bool {
	for rest := data; len(rest) > 0; {
		line, after, _ := bytes.Cut(rest, []byte("\n"))
		rest = after
		value, ok := bytes.CutPrefix(line, []byte("type:"))
		if !ok {
			continue
		}
		value, _, _ = bytes.Cut(value, []byte("#"))
		return string(bytes.Trim(bytes.TrimSpace(value), `'"`)) == "Environment"
	}
	return false
}

var (
	topFields = yamldec.Fields{Known: []string{"name", "type", "network", "http", "observability"},
		Unsupported: map[string]string{"cdn": "is refused by design: CloudFront with its certificate and origin lookups is set up around the environment, not in it"}}
	vpcFields = yamldec.Fields{Known: []string{"id", "cidr", "subnets", "security_group", "flow_logs"}}
)

// Parse reads an environment manifest; file names it in errors.
func Parse(file string, data []byte) (*Environment, error) {
	d := &decoder{yamldec.Decoder{File: file}}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, diag.List{{File: file, Pos: diag.Pos{Line: 1, Col: 1}, Msg: "the manifest is empty"}}
		}
		return nil, diag.List{diag.YAMLSyntax(file, data, err)}
	}
	root := doc.Content[0]
	e := &Environment{File: file, VPC: VPC{CIDR: "10.0.0.0/16"}}
	d.Mapping(root, "", topFields, func(key string, k, v *yaml.Node) {
		switch key {
		case "name":
			e.Name, _ = d.NonEmpty(v, key)
		case "type":
			if t, ok := d.Str(v, key); ok && t != "Environment" {
				d.Errorf(v, key, "must be Environment, got %q", t)
			}
		case "network":
			d.Mapping(v, key, yamldec.Fields{Known: []string{"vpc"}}, func(_ string, _, v *yaml.Node) { d.vpc(v, &e.VPC) })
		case "http":
			d.http(v, e)
		case "observability":
			d.Mapping(v, key, yamldec.Fields{Known: []string{"container_insights"}}, func(k string, _, v *yaml.Node) {
				e.ContainerInsights, _ = d.Boolean(v, "observability."+k)
			})
		}
	})
	if e.VPC.ID == "" && len(e.VPC.Public) == 0 && len(e.VPC.Private) == 0 {
		// Copilot's default: two public and two private subnets in the
		// region's first two zones.
		e.VPC.Public = []Subnet{{CIDR: "10.0.0.0/24"}, {CIDR: "10.0.1.0/24"}}
		e.VPC.Private = []Subnet{{CIDR: "10.0.2.0/24"}, {CIDR: "10.0.3.0/24"}}
	}
	if e.VPC.ID != "" {
		for _, s := range append(append([]Subnet(nil), e.VPC.Public...), e.VPC.Private...) {
			if s.ID == "" {
				d.Errs.Add(file, d.At.Key("network.vpc.subnets"), "network.vpc.subnets", "an existing VPC's subnets are given by id")
				break
			}
		}
	}
	if err := d.Errs.Err(); err != nil {
		return nil, err
	}
	return e, nil
}

func (d *decoder) vpc(n *yaml.Node, v *VPC) {
	p := "network.vpc"
	d.Mapping(n, p, vpcFields, func(key string, _, val *yaml.Node) {
		fp := p + "." + key
		switch key {
		case "id":
			v.ID, _ = d.NonEmpty(val, fp)
			if v.ID != "" && !hexID(v.ID, "vpc-") {
				d.Errorf(val, fp, "must be a VPC id such as vpc-0123456789abcdef0, got %q", v.ID)
			}
		case "cidr":
			v.CIDR = d.cidr(val, fp)
		case "subnets":
			d.Mapping(val, fp, yamldec.Fields{Known: []string{"public", "private"}}, func(kind string, _, list *yaml.Node) {
				var out []Subnet
				d.List(list, fp+"."+kind, func(ip string, item *yaml.Node) {
					var s Subnet
					d.Mapping(item, ip, yamldec.Fields{Known: []string{"id", "cidr", "az"}}, func(k string, _, x *yaml.Node) {
						switch k {
						case "id":
							s.ID, _ = d.NonEmpty(x, ip+".id")
							if s.ID != "" && !hexID(s.ID, "subnet-") {
								d.Errorf(x, ip+".id", "must be a subnet id such as subnet-0123456789abcdef0, got %q", s.ID)
							}
						case "cidr":
							s.CIDR = d.cidr(x, ip+".cidr")
						case "az":
							s.AZ, _ = d.NonEmpty(x, ip+".az")
						}
					})
					out = append(out, s)
				})
				if kind == "public" {
					v.Public = out
				} else {
					v.Private = out
				}
			})
		case "flow_logs":
			if val.Kind == yaml.ScalarNode {
				if on, _ := d.Boolean(val, fp); on {
					v.FlowLogs = 14 // Copilot's default
				}
				return
			}
			v.FlowLogs = 14
			d.Mapping(val, fp, yamldec.Fields{Known: []string{"retention"}}, func(_ string, _, r *yaml.Node) {
				v.FlowLogs, _ = d.IntRange(r, fp+".retention", 1, 3653)
			})
		case "security_group":
			d.Mapping(val, fp, yamldec.Fields{Known: []string{"ingress", "egress"}}, func(dir string, _, list *yaml.Node) {
				rules := d.rules(list, fp+"."+dir)
				if dir == "ingress" {
					v.Ingress = rules
				} else {
					v.Egress = rules
				}
			})
		}
	})
}

func (d *decoder) rules(n *yaml.Node, path string) []Rule {
	var out []Rule
	d.List(n, path, func(p string, item *yaml.Node) {
		r := Rule{Protocol: "tcp"}
		d.Mapping(item, p, yamldec.Fields{Known: []string{"ip_protocol", "ports", "cidr"}}, func(k string, _, v *yaml.Node) {
			fp := p + "." + k
			switch k {
			case "ip_protocol":
				r.Protocol, _ = d.NonEmpty(v, fp)
				if r.Protocol != "tcp" && r.Protocol != "udp" && r.Protocol != "icmp" && r.Protocol != "-1" {
					d.Errorf(v, fp, "must be tcp, udp, icmp or -1, got %q", r.Protocol)
				}
			case "ports":
				s, _ := d.Str(v, fp)
				lo, hi, rng := strings.Cut(s, "-")
				if !rng {
					hi = lo
				}
				var err1, err2 error
				r.FromPort, err1 = atoi(lo)
				r.ToPort, err2 = atoi(hi)
				if err1 != nil || err2 != nil || r.FromPort > r.ToPort {
					d.Errorf(v, fp, "must be a port or a range such as 80 or 8000-8080, got %q", s)
				}
			case "cidr":
				r.CIDR = d.cidr(v, fp)
			}
		})
		if r.CIDR == "" && item.Kind == yaml.MappingNode {
			d.Errorf(item, p, "missing field \"cidr\"")
		}
		out = append(out, r)
	})
	return out
}

func (d *decoder) http(n *yaml.Node, e *Environment) {
	d.Mapping(n, "http", yamldec.Fields{Known: []string{"public", "private"}}, func(key string, _, v *yaml.Node) {
		p := "http." + key
		if key == "public" {
			e.Public = &PublicHTTP{}
			d.Mapping(v, p, yamldec.Fields{Known: []string{"certificates", "ssl_policy", "ingress"},
				Unsupported: map[string]string{"access_logs": "is not supported yet: it needs a bucket policy for the region's load balancer account"}}, func(k string, _, x *yaml.Node) {
				switch k {
				case "certificates":
					e.Public.Certificates = d.certificates(x, p+"."+k)
				case "ssl_policy":
					e.Public.SSLPolicy, _ = d.NonEmpty(x, p+"."+k)
				case "ingress":
					d.Mapping(x, p+".ingress", yamldec.Fields{Known: []string{"source_ips"},
						Unsupported: map[string]string{"cdn": "is refused by design: it needs CloudFront's managed prefix list, looked up in the account"}}, func(_ string, _, ips *yaml.Node) {
						list, _ := d.StringList(ips, p+".ingress.source_ips")
						for i, ip := range list {
							if _, err := netip.ParsePrefix(ip); err != nil {
								d.Errorf(ips.Content[i], fmt.Sprintf("%s.ingress.source_ips[%d]", p, i), "must be a CIDR block, got %q", ip)
							}
						}
						e.Public.SourceIPs = list
					})
				}
			})
			return
		}
		e.Private = &PrivateHTTP{}
		d.Mapping(v, p, yamldec.Fields{Known: []string{"certificates", "subnets", "ssl_policy", "ingress"}}, func(k string, _, x *yaml.Node) {
			switch k {
			case "certificates":
				e.Private.Certificates = d.certificates(x, p+"."+k)
			case "subnets":
				e.Private.Subnets, _ = d.StringList(x, p+"."+k)
				for i, s := range e.Private.Subnets {
					if !hexID(s, "subnet-") {
						d.Errorf(x.Content[i], fmt.Sprintf("%s.subnets[%d]", p, i), "must be a subnet id such as subnet-0123456789abcdef0, got %q", s)
					}
				}
			case "ssl_policy":
				e.Private.SSLPolicy, _ = d.NonEmpty(x, p+"."+k)
			case "ingress":
				d.Mapping(x, p+".ingress", yamldec.Fields{Known: []string{"vpc"}}, func(_ string, _, b *yaml.Node) {
					e.Private.FromVPC, _ = d.Boolean(b, p+".ingress.vpc")
				})
			}
		})
	})
}

func (d *decoder) certificates(n *yaml.Node, path string) []string {
	list, _ := d.StringList(n, path)
	for i, c := range list {
		if parts := strings.SplitN(c, ":", 6); len(parts) < 6 || parts[0] != "arn" || parts[2] != "acm" || !strings.HasPrefix(parts[5], "certificate/") {
			d.Errorf(n.Content[i], fmt.Sprintf("%s[%d]", path, i), "must be an ACM certificate's ARN, got %q", c)
		}
	}
	return list
}

func (d *decoder) cidr(n *yaml.Node, path string) string {
	s, ok := d.NonEmpty(n, path)
	if ok {
		if _, err := netip.ParsePrefix(s); err != nil {
			d.Errorf(n, path, "must be a CIDR block such as 10.0.0.0/16, got %q", s)
		}
	}
	return s
}

func hexID(s, prefix string) bool {
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok || len(rest) < 8 || len(rest) > 17 {
		return false
	}
	return strings.Trim(rest, "0123456789abcdef") == ""
}

func atoi(s string) (int, error) {
	var n int
	_, err := fmt.Sscanf(strings.TrimSpace(s), "%d", &n)
	if err == nil && (n < -1 || n > 65535) {
		err = fmt.Errorf("out of range")
	}
	return n, err
}
