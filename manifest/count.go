package manifest

import (
	"math"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Copilot's default cooldowns: scale in after 120s, out after 60s.
var defaultCooldown = Cooldown{In: 120, Out: 60}

var countFields = fields{Known: []string{"range", "cpu_percentage", "memory_percentage", "requests", "response_time", "cooldown", "spot", "queue_delay"}}

// count reads count: an integer, or a map with range and targets, or
// {spot: N} to run N tasks on Fargate Spot.
func (d *decoder) count(n *yaml.Node, w *Workload) {
	if n.Kind != yaml.MappingNode {
		w.Count, _ = d.IntRange(n, "count", 0, 10000)
		return
	}
	s := &Scaling{Cooldown: defaultCooldown}
	hasRange, rangeOK, spot := false, false, -1
	d.Mapping(n, "count", countFields, func(key string, _, v *yaml.Node) {
		p := d.Join("count", key)
		switch key {
		case "range":
			hasRange, rangeOK = true, d.taskRange(v, p, s)
		case "cpu_percentage":
			s.CPU = d.scalingTarget(v, p, 1, 100, false)
		case "memory_percentage":
			s.Memory = d.scalingTarget(v, p, 1, 100, false)
		case "requests":
			s.Requests = d.scalingTarget(v, p, 1, 1e9, false)
		case "response_time":
			s.ResponseTime = d.scalingTarget(v, p, 0.001, 3600, true)
		case "cooldown":
			s.Cooldown = d.cooldown(v, p, defaultCooldown)
		case "spot":
			spot, _ = d.IntRange(v, p, 0, 10000)
		case "queue_delay":
			if w.Type != WorkerService {
				d.Errorf(v, p, "goes with a Worker Service's queue only")
				return
			}
			s.QueueDelay = d.queueDelay(v, p)
		}
	})
	// A policy's own cooldown overrides the count's, direction by direction.
	for _, t := range []*Target{s.CPU, s.Memory, s.Requests, s.ResponseTime, s.QueueDelay} {
		if t == nil {
			continue
		}
		if t.Cooldown.In < 0 {
			t.Cooldown.In = s.Cooldown.In
		}
		if t.Cooldown.Out < 0 {
			t.Cooldown.Out = s.Cooldown.Out
		}
	}
	switch {
	case spot >= 0 && hasRange:
		d.Errorf(n, "count", "set spot or range, not both; range takes spot_from")
	case spot >= 0:
		w.Count, w.Spot = spot, true
	case !hasRange:
		d.Errorf(n, "count", "missing field \"range\": autoscaling needs the number of tasks to scale between")
	case !rangeOK:
	default:
		if s.CPU == nil && s.Memory == nil && s.Requests == nil && s.ResponseTime == nil && s.QueueDelay == nil {
			d.Errorf(n, "count", "a range needs a target to scale on: cpu_percentage, memory_percentage, requests, response_time or queue_delay")
		}
		w.Scaling, w.Count = s, s.Min
	}
}

// queueDelay reads acceptable_latency and msg_processing_time: the target
// is how many messages a task may have waiting, latency over processing
// time, rounded up, as Copilot computed it.
func (d *decoder) queueDelay(n *yaml.Node, path string) *Target {
	var latency, processing float64
	t := &Target{Cooldown: Cooldown{In: -1, Out: -1}}
	d.Mapping(n, path, fields{Known: []string{"acceptable_latency", "msg_processing_time", "cooldown"}}, func(key string, _, v *yaml.Node) {
		p := d.Join(path, key)
		switch key {
		case "acceptable_latency":
			latency, _ = d.DurationSeconds(v, p)
		case "msg_processing_time":
			processing, _ = d.DurationSeconds(v, p)
		case "cooldown":
			t.Cooldown = d.cooldown(v, p, Cooldown{In: -1, Out: -1})
		}
	})
	if latency <= 0 || processing <= 0 {
		d.Errorf(n, path, "needs acceptable_latency and msg_processing_time, both above zero")
		return nil
	}
	t.Value = math.Ceil(latency / processing)
	return t
}

// taskRange reads "1-10" or {min, max, spot_from}.
func (d *decoder) taskRange(n *yaml.Node, path string, s *Scaling) bool {
	if n.Kind == yaml.ScalarNode {
		lo, hi, ok := strings.Cut(n.Value, "-")
		min, err1 := strconv.Atoi(strings.TrimSpace(lo))
		max, err2 := strconv.Atoi(strings.TrimSpace(hi))
		if !ok || err1 != nil || err2 != nil {
			d.Errorf(n, path, "must be a range such as 1-10, got %q", n.Value)
			return false
		}
		s.Min, s.Max = min, max
	} else {
		d.Mapping(n, path, fields{Known: []string{"min", "max", "spot_from"}}, func(key string, _, v *yaml.Node) {
			i, _ := d.IntRange(v, join(path, key), 0, 10000)
			switch key {
			case "min":
				s.Min = i
			case "max":
				s.Max = i
			case "spot_from":
				s.SpotFrom = i
			}
		})
	}
	if s.Max < 1 || s.Min > s.Max {
		d.Errorf(n, path, "min (%d) must not exceed max (%d), and max must be at least 1", s.Min, s.Max)
		return false
	}
	return true
}

// scalingTarget reads a target value, or {value, cooldown}. A duration target
// (response_time) is a duration such as 500ms or 2s.
func (d *decoder) scalingTarget(n *yaml.Node, path string, lo, hi float64, duration bool) *Target {
	t := &Target{Cooldown: Cooldown{In: -1, Out: -1}} // -1: the count's cooldown
	valueNode := n
	if n.Kind == yaml.MappingNode {
		valueNode = nil
		d.Mapping(n, path, fields{Known: []string{"value", "cooldown"}}, func(key string, _, v *yaml.Node) {
			if key == "value" {
				valueNode = v
				return
			}
			t.Cooldown = d.cooldown(v, join(path, key), t.Cooldown)
		})
		if valueNode == nil {
			d.Errorf(n, path, "missing field \"value\"")
			return nil
		}
		path = join(path, "value")
	}
	var ok bool
	if duration {
		t.Value, ok = d.DurationSeconds(valueNode, path)
	} else {
		t.Value, ok = d.number(valueNode, path)
	}
	if !ok {
		return nil
	}
	if t.Value < lo || t.Value > hi {
		d.Errorf(valueNode, path, "must be between %g and %g, got %g", lo, hi, t.Value)
		return nil
	}
	return t
}

func (d *decoder) cooldown(n *yaml.Node, path string, base Cooldown) Cooldown {
	c := base
	d.Mapping(n, path, fields{Known: []string{"in", "out"}}, func(key string, _, v *yaml.Node) {
		secs, _ := d.Seconds(v, join(path, key), 0, 86400)
		if key == "in" {
			c.In = secs
		} else {
			c.Out = secs
		}
	})
	return c
}

func (d *decoder) number(n *yaml.Node, path string) (float64, bool) {
	if n.Kind == yaml.ScalarNode && (n.ShortTag() == "!!int" || n.ShortTag() == "!!float") {
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return f, true
		}
	}
	d.Errorf(n, path, "must be a number, got %s", describe(n))
	return 0, false
}
