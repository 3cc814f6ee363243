package manifest

// The model: the parsed, validated manifest as the translator reads it.
// The decoder fills it in; validate.go checks it.

import (
	"strings"

	"github.com/cfngen/cfngen/diag"
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
	// NoHTTP is http: false.
	NoHTTP bool
	// NLB is the service's own Network Load Balancer, or nil.
	NLB *NLB
	// Deployment is how the service deploys; nil for Copilot's default.
	Deployment *Deployment
	// TaskdefOverrides change the task definition cfngen builds, in order.
	TaskdefOverrides []TaskdefOverride

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
func (w *Workload) Pos(path string) diag.Pos { return w.at.Key(path) }

// ValuePos returns where the value of the field at path starts.
func (w *Workload) ValuePos(path string) diag.Pos { return w.at.Value(path) }

// has reports whether the manifest sets the field at path.
func (w *Workload) has(path string) bool {
	return w.at.Has(path)
}

// The containers cfngen adds itself; no sidecar may take their names.
const (
	FireLensContainer = "firelens_log_router"
	OTelContainer     = "aws-otel-collector"
)

// Containers returns the task's containers in template order: the main
// container, the log router, the collector, then the sidecars by name.
func (w *Workload) Containers() []*Container {
	out := make([]*Container, 1, 3+len(w.Sidecars))
	out[0] = &w.Main
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

	envFile envFile
	path    string // where its fields are in the manifest: "", "sidecars.<name>", "logging" or "observability"
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
	// At is where an env_file set it; nil for the manifest's own.
	At *diag.Position
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

// HTTP is the load balancer's routing to the workload: the main rule
// (http itself) and http.additional_rules, on the environment's load
// balancer or an existing one.
type HTTP struct {
	Rule
	Additional []Rule
	// ALB is an existing application load balancer, by name or ARN
	// (http.alb), that the rules go on instead of the environment's.
	ALB string
}

// Rules are the main rule, then the additional ones.
func (h *HTTP) Rules() []*Rule {
	out := []*Rule{&h.Rule}
	for i := range h.Additional {
		out = append(out, &h.Additional[i])
	}
	return out
}

// HTTPS reports whether any rule has an alias: the service is then served
// on the HTTPS listener, as Copilot served aliases.
func (h *HTTP) HTTPS() bool {
	for _, r := range h.Rules() {
		if len(r.Aliases) > 0 {
			return true
		}
	}
	return false
}

// Deployment is a service's deployment: rolling or recreate, and the
// alarms that roll a deployment back.
type Deployment struct {
	// Recreate stops every task before starting new ones (rolling:
	// recreate); else new tasks start first.
	Recreate bool
	// AlarmNames are existing CloudWatch alarms.
	AlarmNames []string
	// CPU and Memory are utilization thresholds, in percent, and
	// MessagesDelayed a Worker Service's delayed messages, for alarms
	// cfngen makes.
	CPU, Memory     *float64
	MessagesDelayed *int
}

// NLB is a Load Balanced Web Service's Network Load Balancer: the main
// listener, the additional ones, and host names for its records.
type NLB struct {
	NLBListener
	Additional []NLBListener
	// Aliases' records go in their hosted zone, or in the HostedZoneID
	// input for those without one.
	Aliases []Alias
}

// Listeners are the main listener, then the additional ones.
func (n *NLB) Listeners() []*NLBListener {
	out := []*NLBListener{&n.NLBListener}
	for i := range n.Additional {
		out = append(out, &n.Additional[i])
	}
	return out
}

// NLBListener is one listener of the Network Load Balancer and its target
// group.
type NLBListener struct {
	Port            int
	Protocol        string // TCP, UDP, TLS or TCP_UDP
	TargetContainer string // defaults to the main container
	TargetPort      int    // defaults to Port
	HealthCheck     NLBHealthCheck
	SSLPolicy       string // a TLS listener's; "" for Copilot's default
	Stickiness      bool
	// DeregistrationDelay is in seconds; Copilot's default is 60.
	DeregistrationDelay int

	path string
}

// NLBHealthCheck is a Network Load Balancer target group's health check;
// zero values are Elastic Load Balancing's defaults.
type NLBHealthCheck struct {
	Port, HealthyThreshold, UnhealthyThreshold, Interval, Timeout int
	GracePeriod                                                   int // seconds

	gracePeriodSet bool
}

// GracePeriodSet says the manifest gives the grace period.
func (h NLBHealthCheck) GracePeriodSet() bool { return h.gracePeriodSet }

// Rule is one listener rule and its target group.
type Rule struct {
	Path            string
	HealthCheck     TargetHealthCheck
	TargetContainer string // defaults to the main container
	TargetPort      int    // defaults to the target container's port
	// DeregistrationDelay is in seconds; Copilot's default is 60.
	DeregistrationDelay int
	Stickiness          bool
	// AllowedSourceIPs are CIDR blocks the rule admits; empty for all.
	AllowedSourceIPs []string
	// Aliases are host names the rule matches, on the HTTPS listener.
	Aliases []Alias
	// RedirectToHTTPS turns the HTTP listener's rule of a rule with
	// aliases into a redirect; Copilot's default is true.
	RedirectToHTTPS bool
	// Version is the target group's protocol version: GRPC, HTTP1, HTTP2,
	// or "" for Elastic Load Balancing's default (HTTP1).
	Version string

	path         string
	hostedZone   string
	hostedZoneAt diag.Pos
}

// Alias is a host name and the Route 53 hosted zone its record goes in;
// no record is made without one.
type Alias struct{ Name, HostedZone string }

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

// Scaling is count as a map: a task range with target-tracking policies,
// and Fargate Spot.
type Scaling struct {
	Min, Max int
	// SpotFrom is the task count from which new tasks run on Fargate Spot;
	// 0 when every task runs on Fargate.
	SpotFrom int
	CPU      *Target // average CPU utilization, percent
	Memory   *Target // average memory utilization, percent
	Requests *Target // requests per target per minute
	// ResponseTime is the target's average response time, in seconds.
	ResponseTime *Target
	// QueueDelay is a Worker Service's messages waiting per task.
	QueueDelay *Target
	// Cooldown applies to every policy that has none of its own.
	Cooldown Cooldown
}

// Target is a target-tracking policy's target value and cooldowns.
type Target struct {
	Value    float64
	Cooldown Cooldown
}

// Cooldown is in seconds; zero means Application Auto Scaling's default
// is not overridden (Copilot's defaults are set when parsing).
type Cooldown struct{ In, Out int }

// Job is a Scheduled Job's trigger, retries and timeout.
type Job struct {
	// Schedule is an EventBridge schedule expression, rate(...) or
	// cron(...), or "none" for a job that only runs when started.
	Schedule string
	Retries  int
	Timeout  int // seconds; 0 for no timeout
}

// Logging is the FireLens pattern: a Fluent Bit sidecar that the main
// container's logs are routed through.
type Logging struct {
	// Destination becomes the main container's awsfirelens options.
	Destination    []Label
	EnableMetadata bool
	SecretOptions  []Secret
	ConfigFilePath string
}

// Option returns a destination option, matched exactly.
func (l *Logging) Option(key string) string {
	for _, o := range l.Destination {
		if o.Key == key {
			return o.Value
		}
	}
	return ""
}

// Network is where the tasks run: network.vpc.
type Network struct {
	// Private turns off the public IP (placement: private); Copilot's
	// default placement is public.
	Private bool
	// Subnets replace the template's Subnets parameter when set.
	Subnets []string
	// SecurityGroups join the SecurityGroups parameter's groups, or replace
	// them with DenyDefault.
	SecurityGroups []Ref
	DenyDefault    bool
	// Connect turns on Service Connect (network.connect); nil when off.
	Connect *Connect
}

// Connect is a service's Service Connect settings.
type Connect struct {
	// Alias is the DNS name clients call the service by; "" for the
	// workload's name.
	Alias string
}

// Ref is an id written in the manifest, or a CloudFormation export that
// holds it.
type Ref struct{ Value, Import string }

// PublishTopic is an SNS topic the workload publishes to.
type PublishTopic struct {
	Name string
	// FIFO makes a FIFO topic; ContentBasedDeduplication applies to it.
	FIFO                      bool
	ContentBasedDeduplication bool

	path string
}

// Path is where the topic is in the manifest: publish.topics[N].
func (t PublishTopic) Path() string { return t.path }

// Volume is a task volume, mounted into the main container at Path.
type Volume struct {
	Name     string
	Path     string
	ReadOnly bool
	// EFS is the file system behind the volume; nil for a task-scoped
	// scratch volume.
	EFS *EFS
}

// EFS is an existing Elastic File System, or the environment's own.
type EFS struct {
	ID            string // fs-…, or empty when Import is set
	Import        string // a CloudFormation export holding the id
	RootDir       string
	IAM           bool // Copilot's default: IAM authorization on
	AccessPointID string

	// Managed is the environment's file system (efs: true, or {uid,
	// gid}), mounted through an access point of the workload's own.
	Managed bool
	// UID and GID are the access point's POSIX user when the manifest
	// gives them; nil for Copilot's default, from the workload's name.
	UID, GID *uint32
}

// Subscribe is a Worker Service's queue and the SNS topics it subscribes to.
type Subscribe struct {
	Topics []Topic
	Queue  Queue
}

// Topic is a topic another service publishes, named as Copilot named it.
type Topic struct {
	Name, Service string
	// FilterPolicy is the subscription's filter policy as JSON, or "".
	FilterPolicy string
	// Queue is the topic's own queue (queue: true or its settings); nil
	// for the worker's EventsQueue.
	Queue *Queue

	path string
}

// Path is where the topic is in the manifest: subscribe.topics[N].
func (t Topic) Path() string { return t.path }

// Queue is the worker's SQS queue; durations are in seconds.
type Queue struct {
	Retention, Delay, Timeout int
	// Tries is how often a message is received before it moves to the
	// dead-letter queue; 0 for no dead-letter queue.
	Tries int
	FIFO  *FIFO
}

// FIFO holds a FIFO queue's settings; empty strings are SQS's defaults.
type FIFO struct {
	ContentBasedDeduplication bool
	DeduplicationScope        string // messageGroup or queue
	ThroughputLimit           string // perQueue or perMessageGroupId
}

// FieldPath is the manifest path of a container's field, as errors name it:
// the main container's port is image.port, a sidecar's sidecars.NAME.port.
func (w *Workload) FieldPath(c *Container, field string) string { return containerPath(c, w, field) }

// containerPath is the manifest path of a container's field.
func containerPath(c *Container, w *Workload, field string) string {
	if c == &w.Main {
		switch field {
		case "port", "depends_on", "labels", "healthcheck", "credentials":
			return join("image", field)
		}
		return field
	}
	return join(c.path, field)
}

// ImageRepository returns an image's repository name without registry,
// path or tag: "public.ecr.aws/aws-observability/aws-otel-collector:v1"
// gives "aws-otel-collector".
func ImageRepository(image string) string {
	if i := strings.LastIndex(image, "/"); i >= 0 {
		image = image[i+1:]
	}
	if i := strings.IndexAny(image, ":@"); i >= 0 {
		image = image[:i]
	}
	return image
}
