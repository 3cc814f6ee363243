package manifest

import (
	"gopkg.in/yaml.v3"
)

func (d *decoder) publish(n *yaml.Node, w *Workload) {
	d.Mapping(n, "publish", fields{Known: []string{"topics"}}, func(_ string, _, v *yaml.Node) {
		seen := map[string]bool{}
		d.List(v, "publish.topics", func(p string, item *yaml.Node) {
			t := PublishTopic{path: p}
			d.Mapping(item, p, fields{Known: []string{"name", "fifo"}}, func(key string, _, v *yaml.Node) {
				fp := d.Join(p, key)
				if key == "name" {
					t.Name, _ = d.NonEmpty(v, fp)
					if t.Name != "" && !validTopicName(t.Name) {
						d.Errorf(v, fp, "must be letters, digits, hyphens or underscores, got %q", t.Name)
					}
					return
				}
				if v.Kind == yaml.ScalarNode {
					t.FIFO, _ = d.Boolean(v, fp)
					return
				}
				t.FIFO = true
				d.Mapping(v, fp, fields{Known: []string{"content_based_deduplication"}}, func(key string, _, c *yaml.Node) {
					t.ContentBasedDeduplication, _ = d.Boolean(c, join(fp, key))
				})
			})
			// A standard and a FIFO topic of one name are two topics
			// (x and x.fifo), as in Copilot.
			key := t.Name
			if t.FIFO {
				key += ".fifo"
			}
			switch {
			case t.Name == "":
				d.Errorf(item, p, "missing field \"name\"")
			case seen[key]:
				d.Errorf(item, p, "topic %q is published twice", key)
			default:
				seen[key] = true
				w.Publish = append(w.Publish, t)
			}
		})
	})
}
