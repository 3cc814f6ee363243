package manifest

import (
	"encoding/json"
	"slices"

	"gopkg.in/yaml.v3"
)

// defaultQueue is SQS's defaults, as Copilot left them: four days'
// retention, no delay, a 30-second visibility timeout.
func defaultQueue() Queue { return Queue{Retention: 4 * 24 * 3600, Timeout: 30} }

var topicFields = fields{Known: []string{"name", "service", "filter_policy", "queue"}}

var queueFields = fields{Known: []string{"retention", "delay", "timeout", "dead_letter", "fifo"}}

func (d *decoder) subscribe(n *yaml.Node) *Subscribe {
	s := &Subscribe{Queue: defaultQueue()}
	d.Mapping(n, "subscribe", fields{Known: []string{"topics", "queue"}}, func(key string, _, v *yaml.Node) {
		if key == "queue" {
			d.queue(v, "subscribe.queue", &s.Queue)
			return
		}
		seen := map[string]bool{}
		d.List(v, "subscribe.topics", func(p string, item *yaml.Node) {
			t := Topic{path: p}
			d.Mapping(item, p, topicFields, func(key string, _, v *yaml.Node) {
				switch key {
				case "name":
					t.Name, _ = d.NonEmpty(v, join(p, key))
				case "service":
					t.Service, _ = d.NonEmpty(v, join(p, key))
				case "filter_policy":
					t.FilterPolicy = d.filterPolicy(v, join(p, key))
				case "queue":
					// true, or the settings of the topic's own queue.
					if v.Kind == yaml.ScalarNode {
						if on, _ := d.Boolean(v, join(p, key)); on {
							q := defaultQueue()
							t.Queue = &q
						}
						return
					}
					q := defaultQueue()
					d.queue(v, join(p, key), &q)
					t.Queue = &q
				}
			})
			if t.Name == "" || t.Service == "" {
				d.Errorf(item, p, "needs name and service: the topic and the service that publishes it")
				return
			}
			if !validTopicName(t.Name) {
				d.Errorf(item, join(p, "name"), "must be letters, digits, hyphens or underscores, got %q", t.Name)
				return
			}
			if !ValidName(t.Service) {
				d.Errorf(item, join(p, "service"), "%s, got %q", nameRule, t.Service)
				return
			}
			// A FIFO queue takes a FIFO topic, whose name ends in .fifo,
			// as Copilot named it.
			if q := t.Queue; q != nil && q.FIFO != nil || q == nil && s.Queue.FIFO != nil {
				t.Name += ".fifo"
			}
			id := t.Service + "/" + t.Name
			if seen[id] {
				d.Errorf(item, p, "topic %s of %s is subscribed twice", t.Name, t.Service)
				return
			}
			seen[id] = true
			s.Topics = append(s.Topics, t)
		})
	})
	return s
}

// filterPolicy reads an SNS filter policy, a map, as compact JSON with its
// keys sorted.
func (d *decoder) filterPolicy(n *yaml.Node, path string) string {
	if n.Kind != yaml.MappingNode {
		d.Errorf(n, path, "must be a map")
		return ""
	}
	var v any
	if err := n.Decode(&v); err != nil {
		d.Errorf(n, path, "%v", err)
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		d.Errorf(n, path, "cannot be written as JSON: %v", err)
		return ""
	}
	return string(b)
}

// queue reads the queue's settings with SQS's ranges.
func (d *decoder) queue(n *yaml.Node, path string, q *Queue) {
	d.Mapping(n, path, queueFields, func(key string, _, v *yaml.Node) {
		p := d.Join(path, key)
		switch key {
		case "retention":
			q.Retention, _ = d.Seconds(v, p, 60, 14*24*3600)
		case "delay":
			q.Delay, _ = d.Seconds(v, p, 0, 15*60)
		case "timeout":
			q.Timeout, _ = d.Seconds(v, p, 0, 12*3600)
		case "dead_letter":
			d.Mapping(v, p, fields{Known: []string{"tries"}}, func(_ string, _, t *yaml.Node) {
				q.Tries, _ = d.IntRange(t, join(p, "tries"), 1, 1000)
			})
		case "fifo":
			q.FIFO = d.fifo(v, p)
		}
	})
}

var (
	deduplicationScopes = []string{"messageGroup", "queue"}
	throughputLimits    = []string{"perQueue", "perMessageGroupId"}
)

// fifo reads true, or a map of FIFO settings; high_throughput sets both
// to their high-throughput values, as in Copilot.
func (d *decoder) fifo(n *yaml.Node, path string) *FIFO {
	if n.Kind == yaml.ScalarNode {
		on, ok := d.Boolean(n, path)
		if !ok || !on {
			return nil
		}
		return &FIFO{}
	}
	f := &FIFO{}
	d.Mapping(n, path, fields{Known: []string{"content_based_deduplication", "deduplication_scope", "throughput_limit", "high_throughput"}}, func(key string, _, v *yaml.Node) {
		p := d.Join(path, key)
		switch key {
		case "content_based_deduplication":
			f.ContentBasedDeduplication, _ = d.Boolean(v, p)
		case "deduplication_scope":
			f.DeduplicationScope = d.oneOf(v, p, deduplicationScopes)
		case "throughput_limit":
			f.ThroughputLimit = d.oneOf(v, p, throughputLimits)
		case "high_throughput":
			if high, _ := d.Boolean(v, p); high {
				f.DeduplicationScope, f.ThroughputLimit = "messageGroup", "perMessageGroupId"
			}
		}
	})
	return f
}

func (d *decoder) oneOf(n *yaml.Node, path string, values []string) string {
	s, ok := d.Str(n, path)
	if ok && !slices.Contains(values, s) {
		d.Errorf(n, path, "must be %s or %s, got %q", values[0], values[1], s)
		return ""
	}
	return s
}
