// Package exports names the outputs a Copilot environment stack exports,
// exactly as Copilot named them. A workload rendered with --copilot-env
// imports them; an environment template exports them. Both sides read this
// one table, so that they cannot drift apart.
package exports

// The suffixes of the exports: the environment stack <app>-<env> exports
// each as <app>-<env>-<suffix>.
const (
	ClusterID                       = "ClusterId"
	VpcID                           = "VpcId"
	PublicSubnets                   = "PublicSubnets"
	PrivateSubnets                  = "PrivateSubnets"
	SecurityGroup                   = "EnvironmentSecurityGroup"
	HTTPListener                    = "HTTPListenerArn"
	HTTPSListener                   = "HTTPSListenerArn"
	InternalHTTPListener            = "InternalHTTPListenerArn"
	InternalHTTPSListener           = "InternalHTTPSListenerArn"
	ServiceDiscoveryNamespace       = "ServiceDiscoveryNamespaceID"
	FileSystem                      = "FilesystemID"
	PublicLoadBalancerDNS           = "PublicLoadBalancerDNS"
	PublicLoadBalancerZone          = "CanonicalHostedZoneID"
	InternalLoadBalancerDNS         = "InternalLoadBalancerDNS"
	InternalLoadBalancerZone        = "InternalLoadBalancerCanonicalHostedZoneID"
	InternalWorkloadsHostedZone     = "InternalWorkloadsHostedZoneID"
	InternalWorkloadsHostedZoneName = "InternalWorkloadsHostedZoneName"
	HostedZone                      = "HostedZone"
	SubDomain                       = "SubDomain"
)

// Name is the export's name as a !Sub string over the template's AppName
// and EnvName parameters: ${AppName}-${EnvName}-<suffix>.
func Name(suffix string) string { return "${AppName}-${EnvName}-" + suffix }

// ServiceDiscoveryDomain is the environment's Cloud Map namespace, as a
// !Sub string: Copilot named it <env>.<app>.local and exported only its id;
// Service Connect and COPILOT_SERVICE_DISCOVERY_ENDPOINT use the name.
const ServiceDiscoveryDomain = "${EnvName}.${AppName}.local"
