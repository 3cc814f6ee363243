package manifest

import (
	"strconv"

	"gopkg.in/yaml.v3"
)

var (
	deploymentFields = fields{Known: []string{"rolling", "rollback_alarms"}}
	rollbackFields   = fields{Known: []string{"cpu_utilization", "memory_utilization", "messages_delayed"}}
)

// deployment reads rolling (default or recreate) and rollback_alarms: the
// names of existing alarms, or thresholds for alarms cfngen makes.
func (d *decoder) deployment(n *yaml.Node, path string, w *Workload) {
	dep := &Deployment{}
	d.Mapping(n, path, deploymentFields, func(key string, _, v *yaml.Node) {
		p := d.Join(path, key)
		if key == "rolling" {
			s, ok := d.NonEmpty(v, p)
			switch {
			case s == "recreate":
				dep.Recreate = true
			case ok && s != "default":
				d.Errorf(v, p, "must be default or recreate, got %q", s)
			}
			return
		}
		if v.Kind == yaml.SequenceNode {
			names, _ := d.StringList(v, p)
			for i, name := range names {
				if name == "" || len(name) > 255 || !printable(name) {
					d.Errorf(v.Content[i], p+"["+strconv.Itoa(i)+"]", "must be a CloudWatch alarm's name, 1-255 printable characters")
				}
			}
			dep.AlarmNames = names
			return
		}
		d.Mapping(v, p, rollbackFields, func(key string, _, v *yaml.Node) {
			tp := d.Join(p, key)
			switch key {
			case "cpu_utilization", "memory_utilization":
				f, ok := d.percent(v, tp)
				if !ok {
					return
				}
				if key == "cpu_utilization" {
					dep.CPU = &f
				} else {
					dep.Memory = &f
				}
			case "messages_delayed":
				if w.Type != WorkerService {
					d.Errorf(v, tp, "goes with a Worker Service's queue only")
					return
				}
				if i, ok := d.IntRange(v, tp, 1, 1<<31-1); ok {
					dep.MessagesDelayed = &i
				}
			}
		})
	})
	w.Deployment = dep
}

// percent reads a number from 0 to 100.
func (d *decoder) percent(n *yaml.Node, path string) (float64, bool) {
	f, err := strconv.ParseFloat(n.Value, 64)
	if n.Kind != yaml.ScalarNode || err != nil || f < 0 || f > 100 {
		d.Errorf(n, path, "must be a percentage from 0 to 100, got %s", describe(n))
		return 0, false
	}
	return f, true
}

// printable reports whether s has no control characters.
func printable(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}
