package manifest

import (
	"fmt"

	"gopkg.in/yaml.v3"
)

var networkFields = fields{known: []string{"vpc", "connect"}}

func (d *decoder) network(n *yaml.Node, w *Workload) {
	d.mapping(n, "network", networkFields, func(key string, k, v *yaml.Node) {
		p := join("network", key)
		if key == "connect" {
			w.Network.Connect = d.connect(v, p)
			return
		}
		d.mapping(v, p, fields{known: []string{"placement", "security_groups"}}, func(key string, _, v *yaml.Node) {
			fp := join(p, key)
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
		on, ok := d.boolean(n, path)
		if !ok || !on {
			return nil
		}
		return &Connect{}
	}
	c := &Connect{}
	d.mapping(n, path, fields{known: []string{"alias"}}, func(key string, _, v *yaml.Node) {
		p := join(path, key)
		alias, ok := d.nonEmpty(v, p)
		if ok && !validDNSName(alias) {
			d.errorf(v, p, "must be a DNS name of lower-case letters, digits, hyphens and dots, got %q", alias)
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
			d.errorf(n, path, "must be public, private or {subnets: [...]}, got %q", n.Value)
		}
		return
	}
	d.mapping(n, path, fields{known: []string{"subnets"}}, func(key string, _, v *yaml.Node) {
		if v.Kind == yaml.MappingNode {
			d.mapping(v, join(path, key), fields{unsupported: map[string]string{"from_tags": fromTagsReason}}, func(string, *yaml.Node, *yaml.Node) {})
			return
		}
		ids, _ := d.stringList(v, join(path, key))
		for i, id := range ids {
			if !hexID(id, "subnet-", 8, 17) {
				d.errorf(v.Content[i], fmt.Sprintf("%s.subnets[%d]", path, i), "must be a subnet id such as subnet-0123456789abcdef0, got %q", id)
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
		d.mapping(n, path, fields{known: []string{"groups", "deny_default"}}, func(key string, _, v *yaml.Node) {
			if key == "deny_default" {
				net.DenyDefault, _ = d.boolean(v, join(path, key))
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
		d.errorf(list, path, "must be a list of security group ids")
		return
	}
	for i, item := range list.Content {
		p := fmt.Sprintf("%s[%d]", path, i)
		if item = d.resolve(item, p); item == nil {
			continue
		}
		if item.Kind == yaml.MappingNode {
			var r Ref
			d.mapping(item, p, fields{known: []string{"from_cfn"}}, func(_ string, _, v *yaml.Node) {
				r.Import, _ = d.nonEmpty(v, join(p, "from_cfn"))
			})
			if r.Import != "" {
				net.SecurityGroups = append(net.SecurityGroups, r)
			}
			continue
		}
		id, ok := d.str(item, p)
		if ok && !hexID(id, "sg-", 8, 17) {
			d.errorf(item, p, "must be a security group id such as sg-0123456789abcdef0, got %q", id)
			continue
		}
		net.SecurityGroups = append(net.SecurityGroups, Ref{Value: id})
	}
}
