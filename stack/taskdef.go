package stack

import (
	"fmt"
	"slices"

	"github.com/awslabs/goformation/v7/cloudformation/ecs"
	"github.com/awslabs/goformation/v7/cloudformation/logs"
	"github.com/awslabs/goformation/v7/cloudformation/policies"
	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/manifest"
)

// The policies of the resources that hold data (the log group, queues,
// topics): deleting the service deletes them, as Copilot's svc delete did;
// a replacement, which cfngen never means to cause, keeps the old one and
// its data instead of deleting it (with a fixed name, the update then
// fails and rolls back).
const (
	deletion    = policies.DeletionPolicy("Delete")
	replacement = policies.UpdateReplacePolicy("Retain")
)

func logGroup(w *manifest.Workload) *logs.LogGroup {
	return &logs.LogGroup{
		LogGroupName:                         cfn.Ptr(cfn.Sub("/copilot/${AppName}-${EnvName}-${WorkloadName}")),
		RetentionInDays:                      cfn.Ptr(w.LogRetention),
		AWSCloudFormationDeletionPolicy:      deletion,
		AWSCloudFormationUpdateReplacePolicy: replacement,
	}
}

func taskDefinition(tr *translation) *ecs.TaskDefinition {
	w := tr.w
	containers := w.Containers()
	defs := make([]ecs.TaskDefinition_ContainerDefinition, len(containers))
	for i, c := range containers {
		defs[i] = containerDefinition(tr, c)
	}
	return &ecs.TaskDefinition{
		Family:                  cfn.Ptr(cfn.Sub("${AppName}-${EnvName}-${WorkloadName}")),
		NetworkMode:             cfn.Ptr("awsvpc"),
		RequiresCompatibilities: []string{"FARGATE"},
		Cpu:                     cfn.Ptr(fmt.Sprint(w.CPU)),
		Memory:                  cfn.Ptr(fmt.Sprint(w.Memory)),
		ExecutionRoleArn:        cfn.Ptr(cfn.GetAtt(ExecutionRole, "Arn")),
		TaskRoleArn:             cfn.Ptr(cfn.GetAtt(TaskRole, "Arn")),
		RuntimePlatform: &ecs.TaskDefinition_RuntimePlatform{
			OperatingSystemFamily: cfn.Ptr(w.Platform.OSFamily),
			CpuArchitecture:       cfn.Ptr(w.Platform.Architecture),
		},
		ContainerDefinitions: defs,
		Volumes:              volumes(tr),
		EphemeralStorage:     ephemeral(w),
	}
}

func volumes(tr *translation) []ecs.TaskDefinition_Volume {
	var out []ecs.TaskDefinition_Volume
	for _, v := range tr.w.Volumes {
		vol := ecs.TaskDefinition_Volume{Name: cfn.Ptr(v.Name)}
		if e := v.EFS; e != nil && e.Managed {
			// The workload's access point on the environment's file system.
			vol.EFSVolumeConfiguration = &ecs.TaskDefinition_EFSVolumeConfiguration{
				FilesystemId:      tr.value(inFileSystem),
				RootDirectory:     cfn.Ptr("/"),
				TransitEncryption: cfn.Ptr("ENABLED"),
				AuthorizationConfig: &ecs.TaskDefinition_AuthorizationConfig{
					IAM: cfn.Ptr("ENABLED"), AccessPointId: cfn.Ptr(cfn.Ref(AccessPoint)),
				},
			}
		} else if e != nil {
			iam := "DISABLED"
			if e.IAM {
				iam = "ENABLED"
			}
			cfg := &ecs.TaskDefinition_EFSVolumeConfiguration{
				FilesystemId: fileSystemID(e),
				// Always encrypted in transit; IAM authorization and access
				// points need it anyway.
				TransitEncryption:   cfn.Ptr("ENABLED"),
				AuthorizationConfig: &ecs.TaskDefinition_AuthorizationConfig{IAM: cfn.Ptr(iam)},
			}
			if e.RootDir != "" {
				cfg.RootDirectory = cfn.Ptr(e.RootDir)
			}
			if e.AccessPointID != "" {
				cfg.AuthorizationConfig.AccessPointId = cfn.Ptr(e.AccessPointID)
			}
			vol.EFSVolumeConfiguration = cfg
		}
		out = append(out, vol)
	}
	return out
}

func fileSystemID(e *manifest.EFS) string {
	if e.Import != "" {
		return cfn.ImportValue(e.Import)
	}
	return e.ID
}

func ephemeral(w *manifest.Workload) *ecs.TaskDefinition_EphemeralStorage {
	if w.Ephemeral == 0 {
		return nil
	}
	return &ecs.TaskDefinition_EphemeralStorage{SizeInGiB: cfn.Ptr(w.Ephemeral)}
}

// mountPoints mounts every volume into the main container at its path, and
// a sidecar's mount_points into that sidecar.
func mountPoints(w *manifest.Workload, c *manifest.Container) []ecs.TaskDefinition_MountPoint {
	var out []ecs.TaskDefinition_MountPoint
	if c == &w.Main {
		for _, v := range w.Volumes {
			out = append(out, ecs.TaskDefinition_MountPoint{ContainerPath: cfn.Ptr(v.Path), ReadOnly: cfn.Ptr(v.ReadOnly), SourceVolume: cfn.Ptr(v.Name)})
		}
		return out
	}
	for _, m := range c.MountPoints {
		out = append(out, ecs.TaskDefinition_MountPoint{ContainerPath: cfn.Ptr(m.Path), ReadOnly: cfn.Ptr(m.ReadOnly), SourceVolume: cfn.Ptr(m.SourceVolume)})
	}
	return out
}

func containerDefinition(tr *translation, c *manifest.Container) ecs.TaskDefinition_ContainerDefinition {
	w := tr.w
	def := ecs.TaskDefinition_ContainerDefinition{
		Name:             c.Name,
		Image:            image(w, c),
		Essential:        cfn.Ptr(c.Essential),
		PortMappings:     portMappings(w, c),
		Environment:      environment(tr, c),
		Secrets:          secrets(containerSecrets(tr, c)),
		DependsOnProp:    dependencies(c),
		EntryPoint:       c.EntryPoint,
		Command:          c.Command,
		HealthCheck:      healthCheck(c.HealthCheck),
		LogConfiguration: awsLogs(),
		MountPoints:      mountPoints(w, c),
	}
	switch {
	case c == &w.Main && w.Logging != nil:
		def.LogConfiguration = fireLensLogs(w.Logging)
		if w.ReadonlyFS {
			def.ReadonlyRootFilesystem = cfn.Ptr(true)
		}
	case c == &w.Main && w.ReadonlyFS:
		def.ReadonlyRootFilesystem = cfn.Ptr(true)
	case c == w.FireLens:
		def.FirelensConfiguration = fireLensConfiguration(w.Logging)
	}
	if len(c.Labels) > 0 {
		def.DockerLabels = map[string]string{}
		for _, l := range c.Labels {
			def.DockerLabels[l.Key] = l.Value
		}
	}
	if c.Credentials != "" {
		def.RepositoryCredentials = &ecs.TaskDefinition_RepositoryCredentials{CredentialsParameter: cfn.Ptr(c.Credentials)}
	}
	return def
}

func image(w *manifest.Workload, c *manifest.Container) string {
	if c.Build {
		return cfn.Ref(imageParameter(w, c))
	}
	return c.Image
}

// portMappings exposes the container's port, and the load balancer's
// target_port when it differs, as Copilot did.
func portMappings(w *manifest.Workload, c *manifest.Container) []ecs.TaskDefinition_PortMapping {
	var out []ecs.TaskDefinition_PortMapping
	if c.Port != nil {
		out = append(out, ecs.TaskDefinition_PortMapping{ContainerPort: cfn.Ptr(c.Port.Number), Protocol: cfn.Ptr(c.Port.Protocol)})
	}
	if w.HTTP != nil {
		for _, r := range w.HTTP.Rules() {
			target, port := ruleTarget(w, r)
			if target != c || slices.ContainsFunc(out, func(m ecs.TaskDefinition_PortMapping) bool { return *m.ContainerPort == port }) {
				continue
			}
			out = append(out, ecs.TaskDefinition_PortMapping{ContainerPort: cfn.Ptr(port), Protocol: cfn.Ptr("tcp")})
		}
	}
	if w.NLB != nil {
		for _, l := range w.NLB.Listeners() {
			target, port, protocols := nlbTarget(w, l)
			for _, p := range protocols {
				if target != c || slices.ContainsFunc(out, func(m ecs.TaskDefinition_PortMapping) bool { return *m.ContainerPort == port && *m.Protocol == p }) {
					continue
				}
				out = append(out, ecs.TaskDefinition_PortMapping{ContainerPort: cfn.Ptr(port), Protocol: cfn.Ptr(p)})
			}
		}
	}
	for i := range out {
		if connectServer(w, c, *out[i].ContainerPort) {
			out[i].Name = cfn.Ptr(connectPortName)
		}
	}
	return out
}

// lbTarget returns the load balancer's target container and port, or nil.
func lbTarget(w *manifest.Workload) (*manifest.Container, int) {
	if w.HTTP == nil {
		return nil, 0
	}
	return ruleTarget(w, &w.HTTP.Rule)
}

func secrets(list []secret) []ecs.TaskDefinition_Secret {
	var out []ecs.TaskDefinition_Secret
	for _, s := range list {
		out = append(out, ecs.TaskDefinition_Secret{Name: s.Name, ValueFrom: s.valueFrom()})
	}
	return out
}

// manifestSecrets are secrets the manifest names, such as secretOptions.
func manifestSecrets(list []manifest.Secret) []secret {
	out := make([]secret, len(list))
	for i, s := range list {
		out[i] = secret{Secret: s}
	}
	return out
}

func dependencies(c *manifest.Container) []ecs.TaskDefinition_ContainerDependency {
	var out []ecs.TaskDefinition_ContainerDependency
	for _, d := range c.DependsOn {
		out = append(out, ecs.TaskDefinition_ContainerDependency{ContainerName: cfn.Ptr(d.Container), Condition: cfn.Ptr(d.Condition)})
	}
	return out
}

func healthCheck(h *manifest.HealthCheck) *ecs.TaskDefinition_HealthCheck {
	if h == nil {
		return nil
	}
	return &ecs.TaskDefinition_HealthCheck{
		Command:     h.Command,
		Interval:    cfn.Ptr(h.Interval),
		Retries:     cfn.Ptr(h.Retries),
		StartPeriod: cfn.Ptr(h.StartPeriod),
		Timeout:     cfn.Ptr(h.Timeout),
	}
}

// awsLogs sends a container's output to the service's log group.
func awsLogs() *ecs.TaskDefinition_LogConfiguration {
	return &ecs.TaskDefinition_LogConfiguration{
		LogDriver: "awslogs",
		Options: map[string]string{
			"awslogs-group":         cfn.Ref(LogGroup),
			"awslogs-region":        cfn.Ref("AWS::Region"),
			"awslogs-stream-prefix": "copilot",
		},
	}
}

// fireLensLogs routes the main container's logs through the log router to
// the destination.
func fireLensLogs(l *manifest.Logging) *ecs.TaskDefinition_LogConfiguration {
	cfg := &ecs.TaskDefinition_LogConfiguration{LogDriver: "awsfirelens", SecretOptions: secrets(manifestSecrets(l.SecretOptions))}
	if len(l.Destination) > 0 {
		cfg.Options = map[string]string{}
		for _, o := range l.Destination {
			cfg.Options[o.Key] = o.Value
		}
	}
	return cfg
}

func fireLensConfiguration(l *manifest.Logging) *ecs.TaskDefinition_FirelensConfiguration {
	options := map[string]string{"enable-ecs-log-metadata": fmt.Sprint(l.EnableMetadata)}
	if l.ConfigFilePath != "" {
		options["config-file-type"] = "file"
		options["config-file-value"] = l.ConfigFilePath
	}
	return &ecs.TaskDefinition_FirelensConfiguration{Type: cfn.Ptr("fluentbit"), Options: options}
}
