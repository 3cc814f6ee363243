// Package stack translates a parsed Copilot manifest into a standalone
// CloudFormation template built from goformation resources.
package stack

import (
	"fmt"
	"slices"

	"github.com/awslabs/goformation/v7/cloudformation/iam"
	"github.com/cfngen/cfngen/addons"
	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/diag"
	"github.com/cfngen/cfngen/manifest"
)

// Options are what the command line adds to the manifest.
type Options struct {
	// App and Env default the AppName and EnvName parameters.
	App, Env string
	// CopilotEnv imports what the template takes from its environment
	// from the exports of the Copilot environment stack <app>-<env>,
	// where it would otherwise declare a parameter for each.
	CopilotEnv bool
}

// translation is one workload's template in the making. The workload and
// the addons are read, never changed: what cfngen adds to the main
// container is kept here.
type translation struct {
	w    *manifest.Workload
	opts Options
	set  *addons.Set

	// outputs and secrets are the addons' outputs that become the main
	// container's variables and secrets; policies their ManagedPolicies
	// for the task role.
	outputs  []manifest.Variable
	secrets  []secret
	policies []string
}

// Template builds the template for a parsed workload and its addons (nil
// for none). It is a pure function of its arguments: the same workload and
// addons give the same template, and neither is changed. An error is a
// diag.List of positioned problems: names cfngen reserves, ids that two
// names derive, addon entries that clash with cfngen's.
//
// Resources come in a fixed order: LogGroup, ExecutionRole, FireLensPolicy,
// XRayPolicy, TaskRole, TaskDefinition, AccessPoint; for a job
// StateMachineRole, StateMachine, RuleRole, Rule; for a worker
// DeadLetterQueue, EventsQueue, EventsQueuePolicy and the subscriptions;
// for a service DiscoveryService, TargetGroup, HTTPListenerRule, Service
// and the autoscaling resources; then the
// published topics and their policies; then the addons' resources in file
// order.
func Template(w *manifest.Workload, set *addons.Set, opts Options) (*cfn.Template, error) {
	tr := &translation{w: w, opts: opts, set: set}
	var errs diag.List
	errs.Append(checkReserved(w))
	errs.Append(checkDerived(w))
	if set != nil {
		errs.Append(tr.applyOutputs())
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	t := &cfn.Template{Description: fmt.Sprintf("%s %s, rendered by cfngen from its Copilot manifest.", w.Type, w.Name)}
	parameters(t, tr)
	t.AddResource(LogGroup, logGroup(w))
	t.AddResource(ExecutionRole, executionRole(tr))
	// The FireLens and X-Ray policies Copilot's docs told users to write
	// as addons: an addon that defines one under cfngen's id replaces the
	// generated one, attached once.
	var generated []string
	policy := func(id string, p *iam.ManagedPolicy) {
		if p == nil {
			return
		}
		if _, mine := set.Resource(id); !mine {
			t.AddResource(id, p)
		}
		generated = append(generated, cfn.Ref(id))
	}
	if w.Logging != nil {
		policy(FireLensPolicy, addons.FireLensPolicy(w.Logging.Option))
	}
	if tracing(w) {
		policy(XRayPolicy, addons.XRayPolicy())
	}
	t.AddResource(TaskRole, taskRole(tr, once(slices.Concat(generated, tr.policies))))
	var overrideErrs diag.List
	t.AddResource(TaskDefinition, taskDefinition(tr), tr.taskdefOverrides(&overrideErrs))
	if err := overrideErrs.Err(); err != nil {
		return nil, err
	}
	if v := managedVolume(w); v != nil {
		t.AddResource(AccessPoint, accessPoint(tr, v.EFS))
	}
	switch w.Type {
	case manifest.ScheduledJob:
		addJob(t, tr)
		return finish(t, w, set)
	case manifest.WorkerService:
		addWorker(t, tr)
	}
	if c, _ := exposed(w); c != nil {
		t.AddResource(DiscoveryService, discoveryService(tr))
	}
	if w.HTTP != nil {
		tr.addRouting(t)
	}
	if w.NLB != nil {
		tr.addNLB(t)
	}
	t.AddResource(Service, service(tr),
		cfn.Override{Path: "NetworkConfiguration.AwsvpcConfiguration.Subnets", Value: tr.subnets()},
		cfn.Override{Path: "NetworkConfiguration.AwsvpcConfiguration.SecurityGroups", Value: tr.securityGroups()})
	addRollbackAlarms(t, w)
	addScaling(t, tr)
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

// checkReserved refuses, in every container, a variable or secret named as
// one cfngen sets itself.
func checkReserved(w *manifest.Workload) error {
	var errs diag.List
	for _, c := range w.Containers() {
		for _, v := range c.Variables {
			if r := reservedNamed(v.Name); r != nil {
				if v.At != nil { // from its env_file
					errs.Add(v.At.File, v.At.Pos, v.Name, "is set by cfngen "+r.where)
					continue
				}
				p := w.FieldPath(c, "variables") + "." + v.Name
				errs.Add(w.File, w.Pos(p), p, "is set by cfngen "+r.where)
			}
		}
		for _, s := range c.Secrets {
			if r := reservedNamed(s.Name); r != nil {
				p := w.FieldPath(c, "secrets") + "." + s.Name
				errs.Add(w.File, w.Pos(p), p, "is set by cfngen "+r.where)
			}
		}
	}
	return errs.Err()
}

// checkDerived refuses two names that derive one logical id, parameter or
// statement id, at the second, naming the first.
func checkDerived(w *manifest.Workload) error {
	var errs diag.List
	first := map[string]string{}
	for _, d := range derivedIDs(w) {
		if other, taken := first[d.id]; taken {
			errs.AddAlso(w.File, w.ValuePos(d.path), d.path,
				fmt.Sprintf("gives the id %s, as %s does", d.id, other), diag.Position{File: w.File, Pos: w.ValuePos(other)})
			continue
		}
		first[d.id] = d.path
	}
	return errs.Err()
}

func parameters(t *cfn.Template, tr *translation) {
	w, opts := tr.w, tr.opts
	t.AddParameter(AppName, cfn.Parameter{Type: "String", Description: "Name of the application (COPILOT_APPLICATION_NAME).", Default: orNil(opts.App)})
	t.AddParameter(EnvName, cfn.Parameter{Type: "String", Description: "Name of the environment (COPILOT_ENVIRONMENT_NAME).", Default: orNil(opts.Env)})
	t.AddParameter(WorkloadName, cfn.Parameter{Type: "String", Description: "Name of the workload (COPILOT_SERVICE_NAME).", Default: w.Name})
	tr.declare(t, inCluster)
	if usesSubnetsParameter(w) {
		tr.declare(t, inSubnets(w))
	}
	if usesSecurityGroupsParameter(w) {
		tr.declare(t, inSecurityGroups)
	}
	if w.HTTP != nil {
		tr.routingParameters(t)
	}
	if w.NLB != nil {
		tr.nlbParameters(t)
	}
	if _, port := exposed(w); port != 0 && w.Type != manifest.ScheduledJob {
		tr.declare(t, inNamespace)
	}
	if w.Network.Connect != nil {
		var def any
		if opts.App != "" && opts.Env != "" {
			def = opts.Env + "." + opts.App + ".local"
		}
		tr.declareDefault(t, inConnectNamespace, def)
	}
	if managedVolume(w) != nil {
		tr.declare(t, inFileSystem)
	}
	tr.topicParameters(t)
	for _, c := range w.Containers() {
		if c.Build {
			t.AddParameter(imageParameter(w, c), cfn.Parameter{Type: "String",
				Description: fmt.Sprintf("Image URI for container %q, built outside cfngen from image.build.", c.Name)})
		}
	}
}

// once drops the repeats of a list, keeping the first of each.
func once(list []string) []string {
	var out []string
	for _, s := range list {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func orNil(s string) any {
	if s == "" {
		return nil
	}
	return s
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
