package stack

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/awslabs/goformation/v7/cloudformation/ecs"
	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/exports"
	"github.com/cfngen/cfngen/manifest"
)

// placement is where a reserved variable stands in a container's
// environment, as Copilot put it.
type placement int

const (
	leading  placement = iota // before the container's own variables
	sorted                    // among them, by name
	trailing                  // after them
)

// reservedVariable is an environment variable cfngen sets itself. No
// container may set one, as a variable or a secret, and no addon output may
// become one.
type reservedVariable struct {
	name  string
	where string // when cfngen sets it, as errors say it
	place placement
	// value is its value in container c, or "" where cfngen does not set it.
	value func(tr *translation, c *manifest.Container) string
}

// reserved is the one table of the names cfngen reserves, in the order they
// are set.
var reserved = []reservedVariable{
	{"COPILOT_APPLICATION_NAME", "in every container", leading, always(func() string { return cfn.Ref(AppName) })},
	{"COPILOT_ENVIRONMENT_NAME", "in every container", leading, always(func() string { return cfn.Ref(EnvName) })},
	{"COPILOT_SERVICE_NAME", "in every container", leading, always(func() string { return cfn.Ref(WorkloadName) })},
	{"COPILOT_SERVICE_DISCOVERY_ENDPOINT", "in every container", leading, always(func() string { return cfn.Sub(exports.ServiceDiscoveryDomain) })},
	{"COPILOT_SNS_TOPIC_ARNS", "in every container of a workload that publishes", leading, topicsVariable},
	{"COPILOT_LB_DNS", "in every container of a service with http", leading, loadBalancerDNS},
	{"COPILOT_QUEUE_URI", "in a Worker Service's main container", sorted, queueURI},
	{"COPILOT_TOPIC_QUEUE_URIS", "in the main container of a Worker Service with topic queues", sorted, topicQueueURIs},
	{"COPILOT_MOUNT_POINTS", "in every container that mounts volumes", trailing, mountPointsVariable},
}

// reservedNamed returns the table's entry for name, or nil.
func reservedNamed(name string) *reservedVariable {
	for i := range reserved {
		if reserved[i].name == name {
			return &reserved[i]
		}
	}
	return nil
}

// always is a variable every container gets; its value is made when used,
// not at start-up.
func always(value func() string) func(*translation, *manifest.Container) string {
	return func(*translation, *manifest.Container) string { return value() }
}

// queueURI tells a worker's main container its queue's URL, as Copilot did.
func queueURI(tr *translation, c *manifest.Container) string {
	if tr.w.Type == manifest.WorkerService && c == &tr.w.Main {
		return cfn.Ref(EventsQueue)
	}
	return ""
}

// loadBalancerDNS is COPILOT_LB_DNS: the DNS name of the load balancer
// that routes to the service, as Copilot gave every container.
func loadBalancerDNS(tr *translation, _ *manifest.Container) string {
	if tr.w.HTTP == nil {
		return ""
	}
	return tr.lbDNS()
}

// topicQueueURIs is COPILOT_TOPIC_QUEUE_URIS: a JSON map of each topic
// queue, named as Copilot named it (<service><Topic>EventsQueue), to its
// URL.
func topicQueueURIs(tr *translation, c *manifest.Container) string {
	w := tr.w
	if w.Type != manifest.WorkerService || c != &w.Main {
		return ""
	}
	m := map[string]string{}
	for _, t := range w.Subscribe.Topics {
		if t.Queue != nil {
			name := alphanumeric(t.Name)
			m[alphanumeric(t.Service)+strings.ToUpper(name[:1])+name[1:]+"EventsQueue"] = "${" + topicQueueID(t) + "}"
		}
	}
	if len(m) == 0 {
		return ""
	}
	b, _ := json.Marshal(m) // sorted keys
	return cfn.Sub(string(b))
}

// topicsVariable is COPILOT_SNS_TOPIC_ARNS: a JSON map of each topic's
// name to its ARN, as Copilot gave every container.
func topicsVariable(tr *translation, _ *manifest.Container) string {
	if len(tr.w.Publish) == 0 {
		return ""
	}
	m := map[string]string{}
	for _, topic := range tr.w.Publish {
		m[topicKey(topic)] = "${" + topicID(topic) + "}"
	}
	b, _ := json.Marshal(m) // sorted keys
	return cfn.Sub(strings.ReplaceAll(string(b), `\u0026`, "&"))
}

// mountPointsVariable is COPILOT_MOUNT_POINTS: a JSON map of volume to
// path, as Copilot set it in a container that mounts volumes.
func mountPointsVariable(tr *translation, c *manifest.Container) string {
	mounts := mountPoints(tr.w, c)
	if len(mounts) == 0 {
		return ""
	}
	paths := map[string]string{}
	for _, m := range mounts {
		paths[*m.SourceVolume] = *m.ContainerPath
	}
	b, _ := json.Marshal(paths) // sorted keys
	return string(b)
}

// environment is a container's environment: the leading reserved
// variables, then its own with the sorted reserved ones (and, for the main
// container, the addons' outputs) by name, then the trailing ones.
func environment(tr *translation, c *manifest.Container) []ecs.TaskDefinition_KeyValuePair {
	own := c.Variables
	if c == &tr.w.Main {
		own = slices.Concat(own, tr.outputs)
	}
	var buf [16]string
	values := buf[:0]
	n := len(own)
	for _, r := range reserved {
		values = append(values, r.value(tr, c))
		if values[len(values)-1] != "" {
			n++
		}
	}
	// sized once: a container has a dozen variables, each a goformation
	// struct of 96 bytes
	out := make([]ecs.TaskDefinition_KeyValuePair, 0, n)
	strs := make([]string, 0, 2*n) // what the pointers point at, in one allocation
	add := func(name, value string) {
		strs = append(strs, name, value)
		out = append(out, ecs.TaskDefinition_KeyValuePair{Name: &strs[len(strs)-2], Value: &strs[len(strs)-1]})
	}
	place := func(p placement) {
		for i, r := range reserved {
			if r.place == p && values[i] != "" {
				add(r.name, values[i])
			}
		}
	}
	place(leading)
	middle := len(out)
	place(sorted)
	for _, v := range own {
		value := v.Value
		if v.Import != "" {
			value = cfn.ImportValue(v.Import)
		}
		add(v.Name, value)
	}
	// The container's own come first among equals, as they came in.
	slices.SortStableFunc(out[middle:], func(a, b ecs.TaskDefinition_KeyValuePair) int { return strings.Compare(*a.Name, *b.Name) })
	place(trailing)
	return out
}
