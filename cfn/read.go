package cfn

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxAliasDepth bounds how deeply aliases may nest while reading, so a
// small document of nested aliases cannot expand without limit.
const maxAliasDepth = 16

// FromYAML reads a decoded YAML node into a tree, expanding short-form
// intrinsic tags (!Ref, !GetAtt A.B, !Sub, ...) into Funcs.
func FromYAML(n *yaml.Node) (any, error) { return fromYAML(n, 0) }

func fromYAML(n *yaml.Node, aliases int) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return fromYAML(n.Content[0], aliases)
	case yaml.AliasNode:
		if aliases >= maxAliasDepth {
			return nil, fmt.Errorf("line %d: aliases nest too deeply", n.Line)
		}
		return fromYAML(n.Alias, aliases+1)
	}
	v, err := untagged(n, aliases)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(n.Tag, "!") || strings.HasPrefix(n.Tag, "!!") {
		return v, nil
	}
	name := LongName(n.Tag)
	if name == "" {
		return nil, fmt.Errorf("line %d: unknown tag %s", n.Line, n.Tag)
	}
	if s, ok := v.(string); ok && name == "Fn::GetAtt" {
		resource, attribute, found := strings.Cut(s, ".")
		if !found {
			return nil, fmt.Errorf("line %d: !GetAtt %q needs Resource.Attribute", n.Line, s)
		}
		v = List{resource, attribute}
	}
	return Func{Name: name, Arg: v}, nil
}

func untagged(n *yaml.Node, aliases int) (any, error) {
	switch n.Kind {
	case yaml.MappingNode:
		m := make(Map, 0, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
				return nil, fmt.Errorf("line %d: keys must be plain strings", k.Line)
			}
			if _, dup := m.Get(k.Value); dup {
				return nil, fmt.Errorf("line %d: key %q repeated", k.Line, k.Value)
			}
			v, err := fromYAML(n.Content[i+1], aliases)
			if err != nil {
				return nil, err
			}
			m = append(m, Field{k.Value, v})
		}
		if len(m) == 1 && isIntrinsicName(m[0].Key) {
			return Func{Name: m[0].Key, Arg: m[0].Value}, nil
		}
		return m, nil
	case yaml.SequenceNode:
		l := make(List, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := fromYAML(c, aliases)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!int", "!!float":
			return Number(n.Value), nil
		case "!!bool":
			return strings.EqualFold(n.Value, "true"), nil
		case "!!null":
			return nil, nil
		}
		return n.Value, nil
	case yaml.AliasNode, yaml.DocumentNode:
		return fromYAML(n, aliases)
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node", n.Line)
}

// isIntrinsicName reports whether a one-key mapping with this key is the
// long form of an intrinsic function.
func isIntrinsicName(k string) bool {
	return k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::")
}
