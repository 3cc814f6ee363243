// Package stack translates a parsed Copilot manifest into a standalone
// CloudFormation template built from goformation resources.
package stack

import (
	"fmt"
	"hash/fnv"
	"regexp"

	"github.com/cfngen/cfngen/addons"
	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/manifest"
)

// Options says how to render a manifest.
type Options struct {
	App, Env string
	Format   cfn.Format
	// Lookup finds ${NAME}s other than the Copilot ones; usually os.LookupEnv.
	Lookup func(string) (string, bool)
	// Addons are the addon templates to merge, and AddonParameters the
	// values for their parameters (addons.parameters.yml), if any.
	Addons          []addons.File
	AddonParameters *addons.File
}

// Render parses the manifest in data (file names it in errors) and renders
// its template with the addons merged in. An error in the manifest or an
// addon is a manifest.ErrorList.
func Render(file string, data []byte, opts Options) ([]byte, error) {
	_, out, err := Build(file, data, opts)
	return out, err
}

// Build is Render that also returns the parsed workload.
func Build(file string, data []byte, opts Options) (*manifest.Workload, []byte, error) {
	w, err := manifest.Parse(file, data, manifest.Options{App: opts.App, Env: opts.Env, Lookup: opts.Lookup})
	if err != nil {
		return nil, nil, err
	}
	t, err := Template(w, opts)
	if err != nil {
		return nil, nil, err
	}
	out, err := cfn.Marshal(t, opts.Format)
	return w, out, err
}

// Template builds the template for a workload. Resources come in a fixed
// order: LogGroup, ExecutionRole, FireLensPolicy, XRayPolicy, TaskRole,
// TaskDefinition; for a job StateMachineRole, StateMachine, RuleRole, Rule;
// for a worker DeadLetterQueue, EventsQueue, EventsQueuePolicy and the
// subscriptions; for a service TargetGroup, HTTPListenerRule, Service and
// the autoscaling resources; then the published topics and their policies;
// then the addons' resources in file order.
func Template(w *manifest.Workload, opts Options) (*cfn.Template, error) {
	set, err := loadAddons(opts)
	if err != nil {
		return nil, err
	}
	var policies []string
	if set != nil {
		if policies, err = applyOutputs(w, set); err != nil {
			return nil, err
		}
	}
	if w.Type == manifest.WorkerService {
		// The worker's main container learns its queue's URL, as in Copilot.
		addVariable(w, manifest.Variable{Name: QueueURIVariable, Value: cfn.Ref(EventsQueue)})
	}
	t := &cfn.Template{Description: fmt.Sprintf("%s %s, rendered by cfngen from its Copilot manifest.", w.Type, w.Name)}
	parameters(t, w, opts)
	t.AddResource(LogGroup, logGroup(w))
	t.AddResource(ExecutionRole, executionRole(w))
	var generated []string
	if w.Logging != nil {
		if p := addons.FireLensPolicy(w.Logging.Option); p != nil {
			t.AddResource(addons.FireLensPolicyID, p)
			generated = append(generated, cfn.Ref(addons.FireLensPolicyID))
		}
	}
	if tracing(w) {
		t.AddResource(addons.XRayPolicyID, addons.XRayPolicy())
		generated = append(generated, cfn.Ref(addons.XRayPolicyID))
	}
	t.AddResource(TaskRole, taskRole(w, append(generated, policies...)))
	t.AddResource(TaskDefinition, taskDefinition(w), cfn.Lead{Path: "ContainerDefinitions", Keys: []string{"Name", "Image", "Essential"}})
	switch w.Type {
	case manifest.ScheduledJob:
		addJob(t, w)
		return finish(t, w, set)
	case manifest.WorkerService:
		addWorker(t, w)
	}
	if w.HTTP != nil {
		t.AddResource(TargetGroup, targetGroup(w))
		t.AddResource(HTTPListenerRule, listenerRule(w), cfn.Override{Path: "Priority", Value: cfn.Ref(RulePriority)})
	}
	t.AddResource(Service, service(w),
		cfn.Override{Path: "NetworkConfiguration.AwsvpcConfiguration.Subnets", Value: subnets(w)},
		cfn.Override{Path: "NetworkConfiguration.AwsvpcConfiguration.SecurityGroups", Value: securityGroups(w)})
	addScaling(t, w)
	return finish(t, w, set)
}

// finish adds the published topics, then merges the addons after
// cfngen's own resources.
func finish(t *cfn.Template, w *manifest.Workload, set *addons.Set) (*cfn.Template, error) {
	addTopics(t, w)
	if set != nil {
		if err := mergeAddons(t, set); err != nil {
			return nil, err
		}
	}
	return t, nil
}

func parameters(t *cfn.Template, w *manifest.Workload, opts Options) {
	t.AddParameter(AppName, cfn.Parameter{Type: "String", Description: "Name of the application (COPILOT_APPLICATION_NAME).", Default: orNil(opts.App)})
	t.AddParameter(EnvName, cfn.Parameter{Type: "String", Description: "Name of the environment (COPILOT_ENVIRONMENT_NAME).", Default: orNil(opts.Env)})
	t.AddParameter(WorkloadName, cfn.Parameter{Type: "String", Description: "Name of the workload (COPILOT_SERVICE_NAME).", Default: w.Name})
	t.AddParameter(ClusterID, cfn.Parameter{Type: "String", Description: "Name or ARN of the ECS cluster the service runs in."})
	if usesSubnetsParameter(w) {
		t.AddParameter(Subnets, cfn.Parameter{Type: "List<AWS::EC2::Subnet::Id>", Description: "Subnets for the tasks of the service."})
	}
	if usesSecurityGroupsParameter(w) {
		t.AddParameter(SecurityGroups, cfn.Parameter{Type: "List<AWS::EC2::SecurityGroup::Id>", Description: "Security groups for the tasks of the service."})
	}
	if w.HTTP != nil {
		t.AddParameter(VpcID, cfn.Parameter{Type: "AWS::EC2::VPC::Id", Description: "VPC of the target group of the load balancer."})
		t.AddParameter(HTTPListenerArn, cfn.Parameter{Type: "String", Description: "ARN of the load balancer listener that routes to the service."})
		t.AddParameter(RulePriority, cfn.Parameter{Type: "Number", Description: "Priority of the listener rule; unique per listener.",
			Default: cfn.Number(fmt.Sprint(rulePriority(w))), MinValue: cfn.Ptr(1), MaxValue: cfn.Ptr(50000)})
	}
	topicParameters(t, w)
	for _, c := range w.Containers() {
		if c.Build {
			t.AddParameter(imageParameter(w, c), cfn.Parameter{Type: "String",
				Description: fmt.Sprintf("Image URI for container %q, built outside cfngen from image.build.", c.Name)})
		}
	}
}

func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// rulePriority is the default listener-rule priority: deterministic, the
// last one for "/" so that more specific paths of other services match
// first, else spread by a hash of the name and path (Copilot asked a Lambda
// for the next free number instead).
func rulePriority(w *manifest.Workload) int {
	if w.HTTP.Path == "/" {
		return 50000
	}
	h := fnv.New32a()
	h.Write([]byte(w.Name + " " + w.HTTP.Path))
	return 1 + int(h.Sum32()%49999)
}

var nonAlphanumeric = regexp.MustCompile(`[^A-Za-z0-9]`)

// imageParameter names the parameter for a built image.
func imageParameter(w *manifest.Workload, c *manifest.Container) string {
	if c == &w.Main {
		return ContainerImage
	}
	return ContainerImageFor + nonAlphanumeric.ReplaceAllString(c.Name, "")
}

// tracing reports whether the task sends traces to X-Ray: observability
// asks for it, or a sidecar runs the OpenTelemetry collector or the X-Ray
// daemon.
func tracing(w *manifest.Workload) bool {
	if w.Tracing {
		return true
	}
	for _, s := range w.Sidecars {
		if repo := manifest.ImageRepository(s.Image); repo == "aws-otel-collector" || repo == "aws-xray-daemon" {
			return true
		}
	}
	return false
}
