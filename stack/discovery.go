package stack

import (
	"fmt"

	"github.com/awslabs/goformation/v7/cloudformation/ecs"
	"github.com/awslabs/goformation/v7/cloudformation/efs"
	"github.com/awslabs/goformation/v7/cloudformation/servicediscovery"
	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/manifest"
)

// exposed returns the container and port other services reach the service
// on, as Copilot's TargetContainer and TargetPort: the load balancer's
// target, else a Backend Service's main container port; nil for a
// workload that exposes none.
func exposed(w *manifest.Workload) (*manifest.Container, int) {
	if c, port := lbTarget(w); c != nil {
		return c, port
	}
	if w.NLB != nil {
		c, port, _ := nlbTarget(w, &w.NLB.NLBListener)
		return c, port
	}
	if w.Type == manifest.BackendService && w.Main.Port != nil {
		return &w.Main, w.Main.Port.Number
	}
	return nil, 0
}

// discoveryService registers the service in the environment's Cloud Map
// namespace as Copilot did, so that <name>.<env>.<app>.local resolves to
// its tasks: A and SRV records, ECS reporting their health.
func discoveryService(tr *translation) *servicediscovery.Service {
	return &servicediscovery.Service{
		Description: cfn.Ptr("Discovery Service for the Copilot services"),
		DnsConfig: &servicediscovery.Service_DnsConfig{
			RoutingPolicy: cfn.Ptr("MULTIVALUE"),
			DnsRecords:    []servicediscovery.Service_DnsRecord{{TTL: 10, Type: "A"}, {TTL: 10, Type: "SRV"}},
		},
		HealthCheckCustomConfig: &servicediscovery.Service_HealthCheckCustomConfig{FailureThreshold: cfn.Ptr(1.0)},
		Name:                    cfn.Ptr(cfn.Ref(WorkloadName)),
		NamespaceId:             cfn.Ptr(tr.value(inNamespace)),
	}
}

// serviceRegistries registers the service's tasks with its port.
func serviceRegistries(w *manifest.Workload) []ecs.Service_ServiceRegistry {
	if c, port := exposed(w); c != nil {
		return []ecs.Service_ServiceRegistry{{RegistryArn: cfn.Ptr(cfn.GetAtt(DiscoveryService, "Arn")), Port: cfn.Ptr(port)}}
	}
	return nil
}

// connectPortName names the port mapping Service Connect serves, as
// Copilot named it.
const connectPortName = "target"

// serviceConnect is network.connect: every service with it is a client of
// the namespace, its proxy logging to the service's log group; one that
// exposes a port is also a server, under its discovery name
// <name>-sc (Copilot's, kept apart from the Cloud Map name) and its alias.
func serviceConnect(tr *translation) *ecs.Service_ServiceConnectConfiguration {
	w := tr.w
	if w.Network.Connect == nil {
		return nil
	}
	sc := &ecs.Service_ServiceConnectConfiguration{
		Enabled:   true,
		Namespace: cfn.Ptr(tr.value(inConnectNamespace)),
		LogConfiguration: &ecs.Service_LogConfiguration{
			LogDriver: cfn.Ptr("awslogs"),
			Options: map[string]string{
				"awslogs-region":        cfn.Ref("AWS::Region"),
				"awslogs-group":         cfn.Ref(LogGroup),
				"awslogs-stream-prefix": "copilot",
			},
		},
	}
	if c, port := exposed(w); c != nil {
		alias := w.Network.Connect.Alias
		if alias == "" {
			alias = cfn.Ref(WorkloadName)
		}
		sc.Services = []ecs.Service_ServiceConnectService{{
			PortName:      connectPortName,
			DiscoveryName: cfn.Ptr(cfn.Join("-", cfn.Ref(WorkloadName), "sc")),
			ClientAliases: []ecs.Service_ServiceConnectClientAlias{{Port: port, DnsName: cfn.Ptr(alias)}},
		}}
	}
	return sc
}

// connectServer reports whether a container's port mapping on port is the
// one Service Connect serves.
func connectServer(w *manifest.Workload, c *manifest.Container, port int) bool {
	target, p := exposed(w)
	return w.Network.Connect != nil && target == c && p == port
}

// managedVolume returns the volume on the environment's file system, or
// nil: a workload has at most one.
func managedVolume(w *manifest.Workload) *manifest.Volume {
	for i, v := range w.Volumes {
		if v.EFS != nil && v.EFS.Managed {
			return &w.Volumes[i]
		}
	}
	return nil
}

// crc32 is the IEEE CRC-32 of s (hash/crc32's ChecksumIEEE), bit by bit:
// names are short, and hash/crc32 builds its tables in every process.
func crc32(s string) uint32 {
	crc := ^uint32(0)
	for i := 0; i < len(s); i++ {
		crc ^= uint32(s[i])
		for range 8 {
			crc = crc>>1 ^ 0xedb88320&-(crc&1)
		}
	}
	return ^crc
}

// accessPoint is the workload's own directory on the environment's file
// system, /<name>, owned by the POSIX user the manifest gives or, as
// Copilot chose it, the CRC-32 of the workload's name for both ids.
func accessPoint(tr *translation, e *manifest.EFS) *efs.AccessPoint {
	uid := crc32(tr.w.Name)
	gid := uid
	if e.UID != nil {
		uid, gid = *e.UID, *e.GID
	}
	u, g := fmt.Sprint(uid), fmt.Sprint(gid)
	return &efs.AccessPoint{
		ClientToken:  cfn.Ptr(cfn.Sub("${AppName}-${EnvName}-${WorkloadName}")),
		FileSystemId: tr.value(inFileSystem),
		PosixUser:    &efs.AccessPoint_PosixUser{Uid: u, Gid: g},
		RootDirectory: &efs.AccessPoint_RootDirectory{
			Path:         cfn.Ptr("/" + tr.w.Name),
			CreationInfo: &efs.AccessPoint_CreationInfo{OwnerUid: u, OwnerGid: g, Permissions: "0755"},
		},
	}
}
