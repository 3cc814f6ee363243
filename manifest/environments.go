package manifest

import (
	"gopkg.in/yaml.v3"
	"slices"
)

// exclusive lists fields that replace others: an override that sets one
// drops the others from the manifest it overrides, as Copilot did (an
// environment that pins image.location no longer builds; one that runs
// count.spot tasks no longer autoscales).
var exclusive = map[string][]string{
	"location":         {"build"},
	"build":            {"location"},
	"target_container": {"targetContainer"},
	"targetContainer":  {"target_container"},
	"spot":             {"range", "cpu_percentage", "memory_percentage", "requests", "response_time", "cooldown"},
	"range":            {"spot"},
}

// applyEnvironment merges environments.<env> into the manifest and removes
// the environments section. Scalars replace, maps merge key by key, lists
// replace whole. The merged nodes are the override's own, so an error in an
// overridden value points at the override's line.
func (d *decoder) applyEnvironment(root *yaml.Node, env string) {
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "environments" {
			continue
		}
		envs := d.Resolve(root.Content[i+1], "environments")
		root.Content = append(root.Content[:i:i], root.Content[i+2:]...)
		if envs == nil || isNull(envs) {
			return
		}
		d.Entries(envs, "environments", func(k, v *yaml.Node) {
			if k.Value != env || isNull(v) {
				return
			}
			if v.Kind != yaml.MappingNode {
				d.Errorf(v, "environments."+env, "must be a map of fields to override")
				return
			}
			if _, ok := mapValue(v, "environments"); ok {
				d.Errorf(k, "environments."+env, "an environment cannot hold environments")
				return
			}
			d.merge(root, v, "environments."+env)
		})
		return
	}
}

// merge merges the mapping src into the mapping dst in place. A mapping
// of dst that src changes is copied first, so that an override changes only
// the node it names, never another that aliases it. A key repeated in src
// is an error, as at the top level.
func (d *decoder) merge(dst, src *yaml.Node, path string) {
	seen := map[string]bool{}
	for i := 0; i+1 < len(src.Content); i += 2 {
		k, v := src.Content[i], src.Content[i+1]
		if seen[k.Value] {
			d.Errorf(k, path, "%q repeated", k.Value)
			continue
		}
		seen[k.Value] = true
		for _, other := range exclusive[k.Value] {
			deleteKey(dst, other)
		}
		j := keyIndex(dst, k.Value)
		old := (*yaml.Node)(nil)
		if j >= 0 {
			old = dst.Content[j+1]
			for old.Kind == yaml.AliasNode && old.Alias != nil {
				old = old.Alias
			}
		}
		switch {
		case j < 0:
			dst.Content = append(dst.Content, k, v)
		case old.Kind == yaml.MappingNode && v.Kind == yaml.MappingNode:
			own := *old
			own.Anchor = ""
			own.Content = slices.Clone(old.Content)
			dst.Content[j+1] = &own
			d.merge(&own, v, join(path, k.Value))
		default:
			dst.Content[j], dst.Content[j+1] = k, v
		}
	}
}

func keyIndex(m *yaml.Node, key string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return i
		}
	}
	return -1
}

func mapValue(m *yaml.Node, key string) (*yaml.Node, bool) {
	if i := keyIndex(m, key); i >= 0 {
		return m.Content[i+1], true
	}
	return nil, false
}

func deleteKey(m *yaml.Node, key string) {
	if i := keyIndex(m, key); i >= 0 {
		m.Content = append(m.Content[:i:i], m.Content[i+2:]...)
	}
}
