package manifest

import (
	"fmt"
	"github.com/cfngen/cfngen/diag"
	"maps"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// The workload types.
const (
	LoadBalancedWebService = "Load Balanced Web Service"
	BackendService         = "Backend Service"
	WorkerService          = "Worker Service"
	ScheduledJob           = "Scheduled Job"
)

// Workload is a parsed, validated manifest.
type Workload struct {
	Name     string
	Type     string
	CPU      int
	Memory   int
	Count    int
	Platform Platform
	Exec     bool

	// Main is the main container: its name is the workload's, its image
	// fields come from image, its variables, secrets, entrypoint and command
	// from the top level. It is always essential.
	Main Container
	// Sidecars are sorted by name.
	Sidecars []Container
	// HTTP is the load balancer's routing, or nil when there is none.
	HTTP *HTTP

	// Logging routes the main container's logs through FireLens, the
	// container cfngen adds; both are nil when logs go to the log group.
	Logging  *Logging
	FireLens *Container
	// LogRetention is the log group's retention in days.
	LogRetention int
	// Tracing adds the OpenTelemetry collector, OTel, for X-Ray traces.
	Tracing bool
	OTel    *Container

	// Scaling is count as a map with a range; Spot runs the tasks on
	// Fargate Spot (count: {spot: N}).
	Scaling *Scaling
	Spot    bool
	Network Network

	// Publish are the SNS topics the workload publishes to.
	Publish []PublishTopic
	// Subscribe is a Worker Service's queue and topics.
	Subscribe *Subscribe
	// Job is a Scheduled Job's trigger, retries and timeout.
	Job Job

	Volumes    []Volume
	Ephemeral  int // GiB of task storage, 0 for Fargate's default
	ReadonlyFS bool

	// File names the manifest in errors.
	File string
	at   positions
}

// Pos returns where the field at path is named in the manifest: a map
// entry's key, a list item, or the nearest recorded parent of either.
// Paths are as errors print them: sidecars.nginx.port, publish.topics[1].
func (w *Workload) Pos(path string) diag.Pos { return w.at.lookup(w.at.key, path) }

// ValuePos returns where the value of the field at path starts.
func (w *Workload) ValuePos(path string) diag.Pos { return w.at.lookup(w.at.value, path) }

// has reports whether the manifest sets the field at path.
func (w *Workload) has(path string) bool {
	_, ok := w.at.key[path]
	return ok
}

// The containers cfngen adds itself; no sidecar may take their names.
const (
	FireLensContainer = "firelens_log_router"
	OTelContainer     = "aws-otel-collector"
)

// Containers returns the task's containers in template order: the main
// container, the log router, the collector, then the sidecars by name.
func (w *Workload) Containers() []*Container {
	out := []*Container{&w.Main}
	if w.FireLens != nil {
		out = append(out, w.FireLens)
	}
	if w.OTel != nil {
		out = append(out, w.OTel)
	}
	for i := range w.Sidecars {
		out = append(out, &w.Sidecars[i])
	}
	return out
}

// Container returns the container with the given name, or nil.
func (w *Workload) Container(name string) *Container {
	for _, c := range w.Containers() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Platform is the task's operating system and CPU architecture, in ECS's
// RuntimePlatform terms.
type Platform struct {
	OSFamily     string // LINUX, WINDOWS_SERVER_2019_CORE, ...
	Architecture string // X86_64 or ARM64
}

// Windows reports whether the platform is a Windows one.
func (p Platform) Windows() bool { return strings.HasPrefix(p.OSFamily, "WINDOWS") }

// Container is the main container or a sidecar.
type Container struct {
	Name string
	// Image is the image location; when Build is set the image is built
	// outside cfngen and the template takes it as a parameter.
	Image       string
	Build       bool
	Port        *Port
	Essential   bool
	Credentials string // a Secrets Manager ARN for the registry login
	Variables   []Variable
	Secrets     []Secret
	Labels      []Label
	DependsOn   []Dependency
	EntryPoint  []string
	Command     []string
	HealthCheck *HealthCheck
	MountPoints []MountPoint

	path string // where its fields are in the manifest: "", "sidecars.<name>", "logging" or "observability"
}

// Port is a container port.
type Port struct {
	Number   int
	Protocol string // tcp or udp
}

// Variable is an environment variable: a literal Value, or the value of
// the CloudFormation export named by Import.
type Variable struct {
	Name, Value, Import string
}

// The places a secret can come from.
const (
	SecretSSM            = "ssm"            // a parameter name, or an SSM or Secrets Manager ARN
	SecretSecretsManager = "secretsmanager" // a secret name, with an optional :json-key:stage:version
	SecretImport         = "from_cfn"       // a CloudFormation export holding the ARN
)

// Secret is a container secret.
type Secret struct {
	Name, From, Value string
}

// Label is a Docker label.
type Label struct{ Key, Value string }

// Dependency is one depends_on entry; Condition is upper case.
type Dependency struct {
	Container, Condition string
}

// HealthCheck is a container health check; durations are in seconds.
type HealthCheck struct {
	Command                                 []string
	Interval, Retries, Timeout, StartPeriod int
}

// MountPoint mounts a volume into a container.
type MountPoint struct {
	SourceVolume, Path string
	ReadOnly           bool

	path string // the list item in the manifest: sidecars.<name>.mount_points[N]
}

// HTTP is the load balancer's routing to the workload.
type HTTP struct {
	Path            string
	HealthCheck     TargetHealthCheck
	TargetContainer string // defaults to the main container
	TargetPort      int    // defaults to the target container's port
	// DeregistrationDelay is in seconds; Copilot's default is 60.
	DeregistrationDelay int
	Stickiness          bool
}

// TargetHealthCheck is the target group's health check; zero values are
// left to Elastic Load Balancing's defaults.
type TargetHealthCheck struct {
	Path                                 string
	Port                                 int
	SuccessCodes                         string
	HealthyThreshold, UnhealthyThreshold int
	Interval, Timeout                    int
	GracePeriod                          int // seconds; Copilot's default is 60
}

const notYet = "not supported yet"

// commonFields are the top-level fields of every workload type.
var commonFields = []string{"name", "type", "image", "cpu", "memory", "platform", "entrypoint", "command",
	"variables", "secrets", "sidecars", "logging", "storage", "network", "publish"}

// typeFields are each type's own top-level fields.
var typeFields = map[string][]string{
	LoadBalancedWebService: {"count", "exec", "http", "observability"},
	BackendService:         {"count", "exec", "http", "observability"},
	WorkerService:          {"count", "exec", "subscribe", "observability"},
	ScheduledJob:           {"on", "retries", "timeout"},
}

// notYetFields are Copilot fields cfngen refuses, with the reason.
var notYetFields = map[string]string{
	"nlb":               notYet,
	"deployment":        notYet,
	"taskdef_overrides": notYet,
	"env_file":          notYet + ": it needs an S3 object at deploy time",
}

// workloadFields are the top-level fields of a workload type: another
// type's own field is refused with the reason, not called unknown.
func workloadFields(typ string) fields {
	f := fields{known: append(append([]string(nil), commonFields...), typeFields[typ]...), unsupported: map[string]string{}}
	for k, v := range notYetFields {
		f.unsupported[k] = v
	}
	for _, keys := range typeFields {
		for _, k := range keys {
			if !slices.Contains(f.known, k) {
				f.unsupported[k] = fmt.Sprintf("is not a field of a %s", typ)
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
	d.at.record("", pos(root), pos(root))
	if !d.workloadType(root, w) {
		return w
	}
	d.mapping(root, "", workloadFields(w.Type), func(key string, k, v *yaml.Node) {
		switch key {
		case "name":
			w.Name, _ = d.nonEmpty(v, key)
		case "type":
			// Read by workloadType.
		case "image":
			d.image(v, key, &w.Main)
		case "cpu":
			w.CPU, _ = d.integer(v, key)
		case "memory":
			w.Memory, _ = d.integer(v, key)
		case "count":
			d.count(v, w)
		case "platform":
			w.Platform = d.platform(v, key)
		case "exec":
			w.Exec, _ = d.boolean(v, key)
		case "entrypoint":
			w.Main.EntryPoint = d.command(v, key)
		case "command":
			w.Main.Command = d.command(v, key)
		case "variables":
			w.Main.Variables = d.variables(v, key)
		case "secrets":
			w.Main.Secrets = d.secrets(v, key)
		case "http":
			w.HTTP = d.http(v, key)
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
			w.Job.Retries, _ = d.intRange(v, key, 0, 10)
		case "timeout":
			w.Job.Timeout, _ = d.seconds(v, key, 1, 365*24*3600)
		}
	})
	if w.Type == WorkerService && w.Subscribe == nil {
		// Every worker reads its queue, with or without topics.
		w.Subscribe = &Subscribe{Queue: defaultQueue()}
	}
	if w.Type == ScheduledJob && w.Job.Schedule == "" && len(d.errs) == 0 {
		d.errorf(root, "", "missing field \"on\": a Scheduled Job needs on.schedule")
	}
	if w.FireLens != nil && !dependsOn(&w.Main, FireLensContainer) {
		// The router must be up before the container whose logs it takes.
		// Its errors point at logging.
		at := d.at.key["logging"]
		d.at.record(join(containerPath(&w.Main, w, "depends_on"), FireLensContainer), at, at)
		w.Main.DependsOn = append(w.Main.DependsOn, Dependency{Container: FireLensContainer, Condition: "START"})
	}
	if w.Name == "" {
		if v := d.value(root, "name"); v == nil {
			d.errorf(root, "", "missing field \"name\"")
		} else if isNull(v) {
			d.errorf(v, "name", "must not be empty")
		}
	}
	w.Main.Name = w.Name
	w.File, w.at = d.file, d.at
	if w.CPU == 0 && !w.has("cpu") {
		w.CPU, w.Memory = d.defaultSize(w)
	} else if w.Memory == 0 && !w.has("memory") {
		_, w.Memory = d.defaultSize(w)
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
		v := d.resolve(root.Content[i+1], "type")
		if v == nil {
			return false
		}
		t, ok := d.str(v, "type")
		if !ok {
			return false
		}
		if reason, refused := refusedTypes[t]; refused {
			d.errorf(v, "type", "%q %s", t, reason)
			return false
		}
		if _, ok := typeFields[t]; !ok {
			d.errorf(v, "type", "unknown workload type %q; want %q, %q, %q or %q", t,
				LoadBalancedWebService, BackendService, WorkerService, ScheduledJob)
			return false
		}
		w.Type = t
		return true
	}
	d.errorf(root, "", "missing field \"type\"")
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
		s, _ := d.str(n, path)
		if found, ok := platforms[strings.ToLower(s)]; ok {
			return found
		}
		d.errorf(n, path, "unknown platform %q; want one of %s", s, keys(platforms))
		return p
	}
	d.mapping(n, path, fields{known: []string{"osfamily", "architecture"}}, func(key string, k, v *yaml.Node) {
		s, _ := d.str(v, join(path, key))
		table := osFamilies
		if key == "architecture" {
			table = architectures
		}
		found, ok := table[strings.ToLower(s)]
		if !ok {
			d.errorf(v, join(path, key), "unknown %s %q; want one of %s", key, s, keys(table))
			return
		}
		if key == "osfamily" {
			p.OSFamily = found
		} else {
			p.Architecture = found
		}
	})
	if p.Windows() && p.Architecture != "X86_64" {
		d.errorf(n, path, "Windows tasks on Fargate run on x86_64 only")
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
	d.mapping(n, "observability", fields{known: []string{"tracing"}}, func(_ string, k, v *yaml.Node) {
		s, ok := d.str(v, "observability.tracing")
		if !ok {
			return
		}
		if s != "awsxray" {
			d.errorf(v, "observability.tracing", "must be awsxray, got %q", s)
			return
		}
		w.Tracing = true
		w.OTel = &Container{Name: OTelContainer, Image: OTelImage, Essential: true, Command: []string{OTelConfig}, path: "observability"}
	})
}
