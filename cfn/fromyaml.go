package cfn

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// maxAliases bounds how many aliases reading one document may expand, so
// a few lines of aliases of aliases cannot expand without limit (a
// "billion laughs"); real templates use a handful.
const maxAliases = 10000

// FromYAML reads a decoded YAML node into a tree, expanding short-form
// intrinsic tags (!Ref, !GetAtt A.B, !Sub, ...) into Funcs.
func FromYAML(n *yaml.Node) (any, error) {
	var r reader
	return r.read(n)
}

// reader counts the aliases it expands.
type reader struct{ aliases int }

func (r *reader) read(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return r.read(n.Content[0])
	case yaml.AliasNode:
		if r.aliases++; r.aliases > maxAliases {
			return nil, fmt.Errorf("line %d: aliases expand more than %d times", n.Line, maxAliases)
		}
		return r.read(n.Alias)
	}
	v, err := r.untagged(n)
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

func (r *reader) untagged(n *yaml.Node) (any, error) {
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
			v, err := r.read(n.Content[i+1])
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
			v, err := r.read(c)
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
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node", n.Line)
}

// isIntrinsicName reports whether a one-key mapping with this key is the
// long form of an intrinsic function.
func isIntrinsicName(k string) bool {
	return k == "Ref" || k == "Condition" || strings.HasPrefix(k, "Fn::")
}
