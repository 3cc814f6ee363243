package manifest

import (
	"fmt"
	"github.com/cfngen/cfngen/diag"
	"slices"

	"sort"
	"strings"
)

// maxNameLength bounds a workload's name so that its task family,
// <app>-<env>-<name>, stays within ECS's 255 characters with an
// application and environment name of up to 63 each.
const maxNameLength = 255 - 2*63 - 2

// maxContainers is ECS's limit on containers in one task definition.
const maxContainers = 10

// validContainerName is ECS's rule for container names: 1 to 255 letters,
// digits, hyphens and underscores.
func validContainerName(s string) bool {
	if len(s) == 0 || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func (d *decoder) validate(w *Workload) {
	d.names(w)
	d.ports(w)
	d.dependencies(w)
	d.mounts(w)
	d.target(w)
	d.size(w)
	d.windows(w)
	d.scaling(w)
	d.environmentResources(w)
	for _, c := range w.Containers() {
		d.environment(c, w)
	}
}

func (d *decoder) names(w *Workload) {
	switch {
	case !ValidName(w.Name):
		d.Errs.Add(d.File, w.ValuePos("name"), "name", fmt.Sprintf("%s, got %q", nameRule, w.Name))
	case len(w.Name) > maxNameLength:
		// The task family is <app>-<env>-<name>, at most 255 characters.
		d.Errs.Add(d.File, w.ValuePos("name"), "name", fmt.Sprintf("must be at most %d characters, got %d", maxNameLength, len(w.Name)))
	}
	for _, s := range w.Sidecars {
		p := "sidecars." + s.Name
		switch {
		case !validContainerName(s.Name):
			d.Errs.Add(d.File, w.Pos(p), p, "a container name must be 1-255 letters, digits, hyphens or underscores")
		case s.Name == w.Name:
			d.Errs.Add(d.File, w.Pos(p), p, fmt.Sprintf("the main container is already named %q", w.Name))
		case s.Name == FireLensContainer || s.Name == OTelContainer:
			d.Errs.Add(d.File, w.Pos(p), p, fmt.Sprintf("%q is the name of the container cfngen adds itself", s.Name))
		}
	}
	if n := len(w.Containers()); n > maxContainers {
		d.Errs.Add(d.File, w.Pos(w.Sidecars[maxContainers-1].path), "sidecars", fmt.Sprintf("a task holds at most %d containers; this one has %d", maxContainers, n))
	}
}

// ports refuses a port exposed twice: in awsvpc mode every container of a
// task shares one network namespace.
func (d *decoder) ports(w *Workload) {
	owner := map[string]string{}
	for _, c := range w.Containers() {
		if c.Port == nil {
			continue
		}
		key := fmt.Sprintf("%d/%s", c.Port.Number, c.Port.Protocol)
		if other, dup := owner[key]; dup {
			d.Errs.Add(d.File, w.ValuePos(containerPath(c, w, "port")), containerPath(c, w, "port"), fmt.Sprintf("port %s is already exposed by container %q", key, other))
			continue
		}
		owner[key] = c.Name
	}
}

func (d *decoder) dependencies(w *Workload) {
	var names []string
	for _, c := range w.Containers() {
		names = append(names, c.Name)
	}
	for _, c := range w.Containers() {
		for _, dep := range c.DependsOn {
			p := join(containerPath(c, w, "depends_on"), dep.Container)
			target := w.Container(dep.Container)
			switch {
			case dep.Container == c.Name:
				d.Errs.Add(d.File, w.Pos(p), p, "a container cannot depend on itself")
			case target == nil:
				msg := fmt.Sprintf("unknown container %q", dep.Container)
				if s := suggest(dep.Container, names); s != "" {
					msg += fmt.Sprintf("; did you mean %q?", s)
				}
				d.Errs.Add(d.File, w.Pos(p), p, msg)
			case target.Essential && dep.Condition != "START" && dep.Condition != "HEALTHY":
				d.Errs.Add(d.File, w.ValuePos(p), p, fmt.Sprintf("%q is essential, so the condition must be start or healthy, got %s", dep.Container, strings.ToLower(dep.Condition)))
			case dep.Condition == "HEALTHY" && target.HealthCheck == nil:
				d.Errs.Add(d.File, w.ValuePos(p), p, fmt.Sprintf("condition healthy needs a healthcheck on %q, which has none", dep.Container))
			}
		}
	}
	d.cycles(w)
}

// cycles reports each depends_on cycle once, naming its chain, at the edge
// that closes it.
func (d *decoder) cycles(w *Workload) {
	const (
		unseen = iota
		active
		done
	)
	state := map[string]int{}
	var stack []string
	var visit func(c *Container)
	visit = func(c *Container) {
		state[c.Name] = active
		stack = append(stack, c.Name)
		for _, dep := range c.DependsOn {
			target := w.Container(dep.Container)
			if target == nil || target == c {
				continue
			}
			switch state[target.Name] {
			case unseen:
				visit(target)
			case active:
				i := slices.Index(stack, target.Name)
				chain := append(append([]string(nil), stack[i:]...), target.Name)
				p := join(containerPath(c, w, "depends_on"), dep.Container)
				d.Errs.Add(d.File, w.Pos(p), p, "depends_on cycle: "+strings.Join(chain, " -> "))
			}
		}
		stack = stack[:len(stack)-1]
		state[c.Name] = done
	}
	for _, c := range w.Containers() {
		if state[c.Name] == unseen {
			visit(c)
		}
	}
}

// mounts checks that every mount point names a declared volume, and that
// no two volumes mount at one path of a container.
func (d *decoder) mounts(w *Workload) {
	at := map[string]string{}
	for _, v := range w.Volumes {
		p := "storage.volumes." + v.Name + ".path"
		if other, dup := at[v.Path]; dup {
			d.Errs.Add(d.File, w.ValuePos(p), p, fmt.Sprintf("volume %q already mounts at %s in the main container", other, v.Path))
		}
		at[v.Path] = v.Name
	}
	for _, c := range w.Containers() {
		at := map[string]string{}
		for _, m := range c.MountPoints {
			p := m.path + ".path"
			if other, dup := at[m.Path]; dup {
				d.Errs.Add(d.File, w.ValuePos(p), p, fmt.Sprintf("volume %q already mounts at %s in this container", other, m.Path))
			}
			at[m.Path] = m.SourceVolume
		}
	}
	var names []string
	for _, v := range w.Volumes {
		names = append(names, v.Name)
	}
	for _, c := range w.Containers() {
		for _, m := range c.MountPoints {
			if slices.Contains(names, m.SourceVolume) {
				continue
			}
			p := m.path + ".source_volume"
			msg := fmt.Sprintf("volume %q is not declared in storage.volumes", m.SourceVolume)
			if s := suggest(m.SourceVolume, names); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			d.Errs.Add(d.File, w.ValuePos(p), p, msg)
		}
	}
}

// environmentResources checks what a workload asks of its environment:
// one access point on the environment's file system, Service Connect only
// for a service.
func (d *decoder) environmentResources(w *Workload) {
	managed := ""
	for _, v := range w.Volumes {
		if v.EFS == nil || !v.EFS.Managed {
			continue
		}
		p := "storage.volumes." + v.Name + ".efs"
		if managed != "" {
			// Copilot made one access point per workload, named for it.
			d.Errs.Add(d.File, w.Pos(p), p, fmt.Sprintf("volume %q already mounts the environment's file system; a workload has one access point on it", managed))
			continue
		}
		managed = v.Name
	}
	if w.Type == ScheduledJob && w.Network.Connect != nil {
		d.Errs.Add(d.File, w.Pos("network.connect"), "network.connect",
			"a Scheduled Job runs standalone tasks, which Service Connect cannot serve: it works through an ECS service; remove it")
	}
}

// windows refuses what Fargate's Windows tasks cannot run: FireLens, the
// X-Ray and OpenTelemetry collectors, EFS and a read-only root file system.
func (d *decoder) windows(w *Workload) {
	if !w.Platform.Windows() {
		return
	}
	if w.Logging != nil {
		d.Errs.Add(d.File, w.Pos("logging"), "logging", "FireLens is not supported on Windows")
	}
	if w.Tracing {
		d.Errs.Add(d.File, w.Pos("observability.tracing"), "observability.tracing", "the OpenTelemetry collector is not supported on Windows")
	}
	for _, s := range w.Sidecars {
		if repo := ImageRepository(s.Image); repo == "aws-otel-collector" || repo == "aws-xray-daemon" {
			d.Errs.Add(d.File, w.Pos(s.path), s.path, fmt.Sprintf("the %s image is not supported on Windows", repo))
		}
	}
	for _, v := range w.Volumes {
		if v.EFS != nil {
			d.Errs.Add(d.File, w.Pos("storage.volumes."+v.Name), "storage.volumes."+v.Name, "EFS volumes are not supported on Windows")
		}
	}
	if w.ReadonlyFS {
		d.Errs.Add(d.File, w.Pos("storage.readonly_fs"), "storage.readonly_fs", "a read-only root file system is not supported on Windows")
	}
	if w.Network.Connect != nil {
		d.Errs.Add(d.File, w.Pos("network.connect"), "network.connect", "Service Connect is not supported on Windows")
	}
}

// targetPos is where a rule's target container is named, in either
// spelling.
func targetPos(w *Workload, r *Rule) diag.Pos {
	if w.has(r.path + ".targetContainer") {
		return w.ValuePos(r.path + ".targetContainer")
	}
	return w.ValuePos(r.path + ".target_container")
}

// target checks each rule's target container and port.
func (d *decoder) target(w *Workload) {
	if w.HTTP == nil {
		if w.Type == LoadBalancedWebService && !w.NoHTTP {
			d.Errs.Add(d.File, w.Pos(""), "", "missing field \"http\": a Load Balanced Web Service needs a path to route")
		}
		if w.Type == LoadBalancedWebService && w.NoHTTP && w.NLB == nil {
			d.Errs.Add(d.File, w.ValuePos("http"), "http", "a Load Balanced Web Service without http needs nlb: one of the two load balancers")
		}
		d.nlbTargets(w)
		return
	}
	d.nlbTargets(w)
	for _, r := range w.HTTP.Rules() {
		d.ruleTarget(w, r)
		d.ruleValues(w, r)
	}
}

// ruleValues checks what a listener rule matches against Elastic Load
// Balancing's limit of 5 values a rule: its paths, aliases and source
// ranges, and a Backend Service's two internal host names. gRPC needs the
// HTTPS listener, which aliases put the service on.
func (d *decoder) ruleValues(w *Workload, r *Rule) {
	total := 2 + len(r.Aliases) + len(r.AllowedSourceIPs)
	if r.Path == "/" {
		total--
	}
	if w.Type == BackendService && w.HTTP.ALB == "" && !w.HTTP.HTTPS() {
		total += 2 // <name>.<env>.<app>.internal and the load balancer's name
	}
	if total > 5 && len(r.Aliases) <= 3 && len(r.AllowedSourceIPs) <= 3 {
		d.Errs.Add(d.File, w.ValuePos(r.path), r.path,
			fmt.Sprintf("matches %d values (paths, host names, source ranges); a listener rule matches at most 5", total))
	}
	if r.Version == "GRPC" && !w.HTTP.HTTPS() {
		d.Errs.Add(d.File, w.ValuePos(r.path+".version"), r.path+".version",
			"gRPC runs on the HTTPS listener only: give the service an alias, which puts it there")
	}
}

// nlbTargets checks each Network Load Balancer listener's target: a
// container that listens on the target port with the listener's protocol.
func (d *decoder) nlbTargets(w *Workload) {
	if w.NLB == nil {
		return
	}
	for _, l := range w.NLB.Listeners() {
		name := l.TargetContainer
		if name == "" {
			name = w.Name
		}
		if w.Container(name) == nil {
			d.Errs.Add(d.File, w.ValuePos(l.path+".target_container"), l.path+".target_container", unknownContainer(w, name))
		}
	}
}

// unknownContainer says a target names no container, with a did-you-mean.
func unknownContainer(w *Workload, name string) string {
	var names []string
	for _, c := range w.Containers() {
		names = append(names, c.Name)
	}
	msg := fmt.Sprintf("unknown container %q", name)
	if s := suggest(name, names); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return msg
}

func (d *decoder) ruleTarget(w *Workload, r *Rule) {
	name := r.TargetContainer
	if name == "" {
		name = w.Name
	}
	c := w.Container(name)
	switch {
	case c == nil:
		d.Errs.Add(d.File, targetPos(w, r), r.path+".target_container", unknownContainer(w, name))
	case c.Port == nil && r.TargetPort == 0:
		at, p := targetPos(w, r), r.path+".target_container"
		if r.TargetContainer == "" {
			at, p = w.ValuePos(r.path), r.path
		}
		d.Errs.Add(d.File, at, p, fmt.Sprintf("the target container %q exposes no port: set its port or %s.target_port", name, r.path))
	case c.Port != nil && c.Port.Protocol != "tcp" && r.TargetPort == 0:
		d.Errs.Add(d.File, w.ValuePos(containerPath(c, w, "port")), containerPath(c, w, "port"), "the load balancer's target port must be tcp")
	}
}

// fargateMemory lists, for each CPU size, the memory sizes Fargate accepts.
var fargateMemory = map[int][]int{
	256:   {512, 1024, 2048},
	512:   steps(1024, 4096, 1024),
	1024:  steps(2048, 8192, 1024),
	2048:  steps(4096, 16384, 1024),
	4096:  steps(8192, 30720, 1024),
	8192:  steps(16384, 61440, 4096),
	16384: steps(32768, 122880, 8192),
}

func steps(lo, hi, step int) []int {
	var out []int
	for m := lo; m <= hi; m += step {
		out = append(out, m)
	}
	return out
}

// size checks the task size against Fargate's combinations and its
// Windows minimum of 1 vCPU and 2 GiB.
func (d *decoder) size(w *Workload) {
	cpuPos, memPos := w.ValuePos("cpu"), w.ValuePos("memory")
	if !w.has("memory") {
		memPos = cpuPos
	}
	mems, ok := fargateMemory[w.CPU]
	if !ok {
		var cpus []int
		for c := range fargateMemory {
			cpus = append(cpus, c)
		}
		sort.Ints(cpus)
		d.Errs.Add(d.File, cpuPos, "cpu", fmt.Sprintf("Fargate takes cpu %s, got %d", intList(cpus), w.CPU))
		return
	}
	if w.Platform.Windows() {
		if w.CPU < 1024 {
			d.Errs.Add(d.File, cpuPos, "cpu", fmt.Sprintf("Windows tasks need cpu of at least 1024, got %d", w.CPU))
		}
		if w.Memory < 2048 {
			d.Errs.Add(d.File, memPos, "memory", fmt.Sprintf("Windows tasks need memory of at least 2048, got %d", w.Memory))
		}
	}
	if !slices.Contains(mems, w.Memory) {
		d.Errs.Add(d.File, memPos, "memory", fmt.Sprintf("with cpu %d Fargate takes memory %s, got %d", w.CPU, intRange(mems), w.Memory))
	}
}

func intList(l []int) string {
	s := make([]string, len(l))
	for i, v := range l {
		s[i] = fmt.Sprint(v)
	}
	return strings.Join(s, ", ")
}

// intRange describes a list of sizes: a short list whole, a long one as
// its ends and step.
func intRange(l []int) string {
	if len(l) <= 3 {
		return intList(l)
	}
	return fmt.Sprintf("%d-%d in steps of %d", l[0], l[len(l)-1], l[1]-l[0])
}

// environment refuses a name used both as a variable and a secret of one
// container. The names cfngen sets itself are the translator's to refuse.
func (d *decoder) environment(c *Container, w *Workload) {
	vars := map[string]bool{}
	for _, v := range c.Variables {
		vars[v.Name] = true
	}
	for _, s := range c.Secrets {
		if p := join(containerPath(c, w, "secrets"), s.Name); vars[s.Name] {
			d.Errs.Add(d.File, w.Pos(p), p, "is also a variable of this container")
		}
	}
}

// scaling checks what the autoscaling targets and Fargate Spot need.
func (d *decoder) scaling(w *Workload) {
	if s := w.Scaling; s != nil && w.HTTP == nil && (s.Requests != nil || s.ResponseTime != nil) {
		d.Errs.Add(d.File, w.ValuePos("count"), "count", "requests and response_time scale on the load balancer's metrics, and this workload has no http")
	}
	spot := w.Spot || (w.Scaling != nil && w.Scaling.SpotFrom > 0)
	if spot && w.Platform.Windows() {
		d.Errs.Add(d.File, w.ValuePos("count"), "count", "Fargate Spot does not run Windows tasks")
	}
	if spot && w.Platform.Architecture == "ARM64" {
		d.Errs.Add(d.File, w.ValuePos("count"), "count", "Fargate Spot does not run ARM64 tasks")
	}
}
