package manifest

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

const notYet = "not supported yet"

// commonFields are the top-level fields of every workload type.
var commonFields = []string{"name", "type", "image", "cpu", "memory", "platform", "entrypoint", "command",
	"variables", "secrets", "sidecars", "logging", "storage", "network", "publish", "env_file", "taskdef_overrides"}

// typeFields are each type's own top-level fields.
var typeFields = map[string][]string{
	LoadBalancedWebService: {"count", "exec", "http", "nlb", "observability", "deployment"},
	BackendService:         {"count", "exec", "http", "observability", "deployment"},
	WorkerService:          {"count", "exec", "subscribe", "observability", "deployment"},
	ScheduledJob:           {"on", "retries", "timeout"},
}

// notYetFields are Copilot fields cfngen refuses, with the reason.
var notYetFields = map[string]string{}

// workloadFields are the top-level fields of a workload type: another
// type's own field is refused with the reason, not called unknown.
func workloadFields(typ string) fields {
	f := fields{Known: append(append([]string(nil), commonFields...), typeFields[typ]...), Unsupported: map[string]string{}}
	for k, v := range notYetFields {
		f.Unsupported[k] = v
	}
	for _, keys := range typeFields {
		for _, k := range keys {
			if !slices.Contains(f.Known, k) {
				f.Unsupported[k] = fmt.Sprintf("is not a field of a %s", typ)
			}
		}
	}
	return f
}

// refusedTypes are the Copilot workload types cfngen does not render.
var refusedTypes = map[string]string{
	"Request-Driven Web Service": "runs on AWS App Runner, not ECS, and cannot have sidecars",
	"Static Site":                "is served from S3 and CloudFront, not ECS, and cannot have sidecars",
}

func (d *decoder) workload(root *yaml.Node) *Workload {
	w := &Workload{Count: 1, Platform: Platform{OSFamily: "LINUX", Architecture: "X86_64"}, LogRetention: 30}
	w.Main.Essential = true
	d.At.Record("", pos(root), pos(root))
	if !d.workloadType(root, w) {
		return w
	}
	d.Mapping(root, "", workloadFields(w.Type), func(key string, k, v *yaml.Node) {
		switch key {
		case "name":
			w.Name, _ = d.NonEmpty(v, key)
		case "type":
			// Read by workloadType.
		case "image":
			d.image(v, key, &w.Main)
		case "cpu":
			w.CPU, _ = d.Integer(v, key)
		case "memory":
			w.Memory, _ = d.Integer(v, key)
		case "count":
			d.count(v, w)
		case "platform":
			w.Platform = d.platform(v, key)
		case "exec":
			// true, or {enable: true} as Copilot also took it.
			if v.Kind == yaml.MappingNode {
				d.Mapping(v, key, fields{Known: []string{"enable"}}, func(k string, _, e *yaml.Node) {
					w.Exec, _ = d.Boolean(e, join(key, k))
				})
				break
			}
			w.Exec, _ = d.Boolean(v, key)
		case "entrypoint":
			w.Main.EntryPoint = d.command(v, key)
		case "command":
			w.Main.Command = d.command(v, key)
		case "variables":
			w.Main.Variables = d.variables(v, key)
		case "env_file":
			w.Main.envFile = d.envFileName(v, key)
		case "secrets":
			w.Main.Secrets = d.secrets(v, key)
		case "http":
			w.HTTP = d.http(v, key, w)
		case "nlb":
			w.NLB = d.nlb(v, key)
		case "deployment":
			d.deployment(v, key, w)
		case "taskdef_overrides":
			d.taskdefOverrides(v, w)
		case "sidecars":
			w.Sidecars = d.sidecars(v, key)
		case "logging":
			d.logging(v, w)
		case "storage":
			d.storage(v, w)
		case "observability":
			d.observability(v, w)
		case "network":
			d.network(v, w)
		case "subscribe":
			w.Subscribe = d.subscribe(v)
		case "publish":
			d.publish(v, w)
		case "on":
			d.schedule(v, w)
		case "retries":
			w.Job.Retries, _ = d.IntRange(v, key, 0, 10)
		case "timeout":
			w.Job.Timeout, _ = d.Seconds(v, key, 1, 365*24*3600)
		}
	})
	if w.Type == WorkerService && w.Subscribe == nil {
		// Every worker reads its queue, with or without topics.
		w.Subscribe = &Subscribe{Queue: defaultQueue()}
	}
	if w.Type == ScheduledJob && w.Job.Schedule == "" && len(d.Errs) == 0 {
		d.Errorf(root, "", "missing field \"on\": a Scheduled Job needs on.schedule")
	}
	if w.FireLens != nil && !dependsOn(&w.Main, FireLensContainer) {
		// The router must be up before the container whose logs it takes.
		// Its errors point at logging.
		at := d.At.Key("logging")
		d.At.Record(join(containerPath(&w.Main, w, "depends_on"), FireLensContainer), at, at)
		w.Main.DependsOn = append(w.Main.DependsOn, Dependency{Container: FireLensContainer, Condition: "START"})
	}
	if w.Name == "" {
		if v := d.value(root, "name"); v == nil {
			d.Errorf(root, "", "missing field \"name\"")
		} else if isNull(v) {
			d.Errorf(v, "name", "must not be empty")
		}
	}
	w.Main.Name = w.Name
	w.File, w.at = d.File, d.At
	// Each of cpu and memory defaults on its own: memory: 2048 alone
	// keeps its 2048 (it once fell back to 512 with the cpu).
	cpu, memory := d.defaultSize(w)
	if w.CPU == 0 && !w.has("cpu") {
		w.CPU = cpu
	}
	if w.Memory == 0 && !w.has("memory") {
		w.Memory = memory
	}
	return w
}

// defaultSize is Copilot's default task size: 256 CPU units and 512 MiB,
// or 1024 and 2048 on Windows, Fargate's Windows minimum.
func (d *decoder) defaultSize(w *Workload) (int, int) {
	if w.Platform.Windows() {
		return 1024, 2048
	}
	return 256, 512
}

// value returns the value under key in mapping n, or nil.
func (d *decoder) value(n *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// workloadType reads type first: a refused type is the only error worth
// reporting, since its other fields are not ours to check.
func (d *decoder) workloadType(root *yaml.Node, w *Workload) bool {
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "type" {
			continue
		}
		v := d.Resolve(root.Content[i+1], "type")
		if v == nil {
			return false
		}
		t, ok := d.Str(v, "type")
		if !ok {
			return false
		}
		if reason, refused := refusedTypes[t]; refused {
			d.Errorf(v, "type", "%q %s", t, reason)
			return false
		}
		if _, ok := typeFields[t]; !ok {
			d.Errorf(v, "type", "unknown workload type %q; want %q, %q, %q or %q", t,
				LoadBalancedWebService, BackendService, WorkerService, ScheduledJob)
			return false
		}
		w.Type = t
		return true
	}
	d.Errorf(root, "", "missing field \"type\"")
	return false
}

var platforms = map[string]Platform{
	"linux/x86_64":   {"LINUX", "X86_64"},
	"linux/amd64":    {"LINUX", "X86_64"},
	"linux/arm64":    {"LINUX", "ARM64"},
	"linux/arm":      {"LINUX", "ARM64"},
	"windows/x86_64": {"WINDOWS_SERVER_2019_CORE", "X86_64"},
	"windows/amd64":  {"WINDOWS_SERVER_2019_CORE", "X86_64"},
}

var osFamilies = map[string]string{
	"linux":                    "LINUX",
	"windows_server_2019_core": "WINDOWS_SERVER_2019_CORE",
	"windows_server_2019_full": "WINDOWS_SERVER_2019_FULL",
	"windows_server_2022_core": "WINDOWS_SERVER_2022_CORE",
	"windows_server_2022_full": "WINDOWS_SERVER_2022_FULL",
}

var architectures = map[string]string{"x86_64": "X86_64", "amd64": "X86_64", "arm64": "ARM64", "arm": "ARM64"}

func (d *decoder) platform(n *yaml.Node, path string) Platform {
	p := Platform{OSFamily: "LINUX", Architecture: "X86_64"}
	if n.Kind == yaml.ScalarNode {
		s, _ := d.Str(n, path)
		if found, ok := platforms[strings.ToLower(s)]; ok {
			return found
		}
		d.Errorf(n, path, "unknown platform %q; want one of %s", s, keys(platforms))
		return p
	}
	d.Mapping(n, path, fields{Known: []string{"osfamily", "architecture"}}, func(key string, k, v *yaml.Node) {
		s, _ := d.Str(v, join(path, key))
		table := osFamilies
		if key == "architecture" {
			table = architectures
		}
		found, ok := table[strings.ToLower(s)]
		if !ok {
			d.Errorf(v, join(path, key), "unknown %s %q; want one of %s", key, s, keys(table))
			return
		}
		if key == "osfamily" {
			p.OSFamily = found
		} else {
			p.Architecture = found
		}
	})
	if p.Windows() && p.Architecture != "X86_64" {
		d.Errorf(n, path, "Windows tasks on Fargate run on x86_64 only")
	}
	return p
}

func keys[V any](m map[string]V) string {
	return strings.Join(slices.Sorted(maps.Keys(m)), ", ")
}

func dependsOn(c *Container, name string) bool {
	for _, d := range c.DependsOn {
		if d.Container == name {
			return true
		}
	}
	return false
}

// observability reads tracing: awsxray, which adds the OpenTelemetry
// collector as a sidecar, as Copilot did.
func (d *decoder) observability(n *yaml.Node, w *Workload) {
	d.Mapping(n, "observability", fields{Known: []string{"tracing"}}, func(_ string, k, v *yaml.Node) {
		s, ok := d.Str(v, "observability.tracing")
		if !ok {
			return
		}
		if s != "awsxray" {
			d.Errorf(v, "observability.tracing", "must be awsxray, got %q", s)
			return
		}
		w.Tracing = true
		w.OTel = &Container{Name: OTelContainer, Image: OTelImage, Essential: true, Command: []string{OTelConfig}, path: "observability"}
	})
}
