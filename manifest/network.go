package manifest

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

var networkFields = fields{Known: []string{"vpc", "connect"}}

func (d *decoder) network(n *yaml.Node, w *Workload) {
	d.Mapping(n, "network", networkFields, func(key string, k, v *yaml.Node) {
		p := d.Join("network", key)
		if key == "connect" {
			w.Network.Connect = d.connect(v, p)
			return
		}
		d.Mapping(v, p, fields{Known: []string{"placement", "security_groups"}}, func(key string, _, v *yaml.Node) {
			fp := d.Join(p, key)
			if key == "placement" {
				d.placement(v, fp, &w.Network)
				return
			}
			d.securityGroups(v, fp, &w.Network)
		})
	})
}

// connect reads network.connect: true, false or {alias: NAME}.
func (d *decoder) connect(n *yaml.Node, path string) *Connect {
	if n.Kind == yaml.ScalarNode {
		on, ok := d.Boolean(n, path)
		if !ok || !on {
			return nil
		}
		return &Connect{}
	}
	c := &Connect{}
	d.Mapping(n, path, fields{Known: []string{"alias"}}, func(key string, _, v *yaml.Node) {
		p := d.Join(path, key)
		alias, ok := d.NonEmpty(v, p)
		if ok && !validDNSName(alias) {
			d.Errorf(v, p, "must be a DNS name of lower-case letters, digits, hyphens and dots, got %q", alias)
			return
		}
		c.Alias = alias
	})
	return c
}

// placement reads public, private, or {subnets: [ids]}.
func (d *decoder) placement(n *yaml.Node, path string, net *Network) {
	if n.Kind == yaml.ScalarNode {
		switch n.Value {
		case "public":
		case "private":
			net.Private = true
		default:
			d.Errorf(n, path, "must be public, private or {subnets: [...]}, got %q", n.Value)
		}
		return
	}
	d.Mapping(n, path, fields{Known: []string{"subnets"}}, func(key string, _, v *yaml.Node) {
		if v.Kind == yaml.MappingNode {
			d.Mapping(v, join(path, key), fields{Unsupported: map[string]string{"from_tags": fromTagsReason}}, func(string, *yaml.Node, *yaml.Node) {})
			return
		}
		ids, _ := d.StringList(v, join(path, key))
		for i, id := range ids {
			if !hexID(id, "subnet-", 8, 17) {
				d.Errorf(v.Content[i], fmt.Sprintf("%s.subnets[%d]", path, i), "must be a subnet id such as subnet-0123456789abcdef0, got %q", id)
			}
		}
		net.Subnets = ids
		// Explicit subnets are private ones in Copilot unless public.
		net.Private = true
	})
}

// fromTagsReason is why subnets.from_tags is refused, by design.
const fromTagsReason = "is refused by design: it finds subnets by their tags in the account when Copilot deployed, and cfngen renders offline, without a lookup; list the subnet ids instead, subnets: [subnet-…]"

// securityGroups reads [ids or {from_cfn}] or {groups: [...], deny_default}.
func (d *decoder) securityGroups(n *yaml.Node, path string, net *Network) {
	list := n
	if n.Kind == yaml.MappingNode {
		list = nil
		d.Mapping(n, path, fields{Known: []string{"groups", "deny_default"}}, func(key string, _, v *yaml.Node) {
			if key == "deny_default" {
				net.DenyDefault, _ = d.Boolean(v, join(path, key))
				return
			}
			list = v
			path = join(path, key)
		})
		if list == nil {
			return
		}
	}
	if list.Kind != yaml.SequenceNode {
		d.Errorf(list, path, "must be a list of security group ids")
		return
	}
	for i, item := range list.Content {
		p := fmt.Sprintf("%s[%d]", path, i)
		if item = d.Resolve(item, p); item == nil {
			continue
		}
		if item.Kind == yaml.MappingNode {
			var r Ref
			d.Mapping(item, p, fields{Known: []string{"from_cfn"}}, func(_ string, _, v *yaml.Node) {
				r.Import, _ = d.NonEmpty(v, join(p, "from_cfn"))
			})
			if r.Import != "" {
				net.SecurityGroups = append(net.SecurityGroups, r)
			}
			continue
		}
		id, ok := d.Str(item, p)
		if ok && !hexID(id, "sg-", 8, 17) {
			d.Errorf(item, p, "must be a security group id such as sg-0123456789abcdef0, got %q", id)
			continue
		}
		net.SecurityGroups = append(net.SecurityGroups, Ref{Value: id})
	}
}
