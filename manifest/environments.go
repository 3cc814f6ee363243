package manifest

import (
	"gopkg.in/yaml.v3"
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
		envs := d.resolve(root.Content[i+1], "environments")
		root.Content = append(root.Content[:i:i], root.Content[i+2:]...)
		if envs == nil || isNull(envs) {
			return
		}
		d.entries(envs, "environments", func(k, v *yaml.Node) {
			if k.Value != env || isNull(v) {
				return
			}
			if v.Kind != yaml.MappingNode {
				d.errorf(v, "environments."+env, "must be a map of fields to override")
				return
			}
			if _, ok := mapValue(v, "environments"); ok {
				d.errorf(k, "environments."+env, "an environment cannot hold environments")
				return
			}
			merge(root, v)
		})
		return
	}
}

// merge merges the mapping src into the mapping dst in place.
func merge(dst, src *yaml.Node) {
	for i := 0; i+1 < len(src.Content); i += 2 {
		k, v := src.Content[i], src.Content[i+1]
		for _, other := range exclusive[k.Value] {
			deleteKey(dst, other)
		}
		j := keyIndex(dst, k.Value)
		switch {
		case j < 0:
			dst.Content = append(dst.Content, k, v)
		case dst.Content[j+1].Kind == yaml.MappingNode && v.Kind == yaml.MappingNode:
			merge(dst.Content[j+1], v)
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
