package stack

import (
	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/exports"
	"github.com/cfngen/cfngen/manifest"
)

// input is something the template takes from the environment it deploys
// into: a parameter, or with --copilot-env the export of the Copilot
// environment stack <app>-<env> that holds it. A template declares only
// the inputs it uses.
type input struct {
	param string // the parameter's name
	typ   string // the parameter's type
	desc  string // the parameter's description: what to pass
	// export is the suffix of Copilot's export.
	export string
	// list says the input is a list: a List parameter, and an export of
	// comma-joined ids.
	list bool
	// fixed is the value under --copilot-env of an input Copilot's
	// environment exports nothing for.
	fixed string
}

var (
	inCluster        = input{param: ClusterID, typ: "String", desc: "Name or ARN of the ECS cluster the service runs in.", export: exports.ClusterID}
	inVpc            = input{param: VpcID, typ: "AWS::EC2::VPC::Id", desc: "VPC of the target group of the load balancer.", export: exports.VpcID}
	inSecurityGroups = input{param: SecurityGroups, typ: "List<AWS::EC2::SecurityGroup::Id>",
		desc: "Security groups for the tasks of the service.", export: exports.SecurityGroup, list: true}
	inNamespace = input{param: NamespaceID, typ: "String",
		desc:   "Id (ns-...) of the environment's Cloud Map private DNS namespace, Copilot's <env>.<app>.local, in which the service registers.",
		export: exports.ServiceDiscoveryNamespace}
	inConnectNamespace = input{param: ConnectNamespace, typ: "String",
		desc:  "Name or ARN of the Cloud Map namespace Service Connect uses: Copilot's <env>.<app>.local.",
		fixed: exports.ServiceDiscoveryDomain}
	inInternalZone = input{param: InternalHostedZoneID, typ: "String",
		desc: "Id of the environment's private hosted zone <env>.<app>.internal, for the service's record.", export: exports.InternalWorkloadsHostedZone}
	inInternalZoneName = input{param: InternalHostedZoneName, typ: "String",
		desc: "Name of the environment's private hosted zone, <env>.<app>.internal.", export: exports.InternalWorkloadsHostedZoneName}
	// An imported load balancer's: parameters, with --copilot-env too, as
	// Copilot looked them up at deploy time.
	inImportedHTTPListener = input{param: "ImportedALBHTTPListenerArn", typ: "String",
		desc: "ARN of the HTTP listener of the load balancer http.alb names."}
	inImportedHTTPSListener = input{param: "ImportedALBHTTPSListenerArn", typ: "String",
		desc: "ARN of the HTTPS listener of the load balancer http.alb names."}
	inImportedDNS = input{param: "ImportedALBDNSName", typ: "String",
		desc: "DNS name of the load balancer http.alb names, which alias records point at."}
	inImportedZone = input{param: "ImportedALBHostedZoneID", typ: "String",
		desc: "Canonical hosted zone id of the load balancer http.alb names."}
	inImportedSecurityGroup = input{param: "ImportedALBSecurityGroupId", typ: "AWS::EC2::SecurityGroup::Id",
		desc: "Security group of the load balancer http.alb names, let into the tasks' security group."}
	inFileSystem = input{param: FileSystemID, typ: "String",
		desc: "Id (fs-...) of the environment's EFS file system, on which the workload gets an access point of its own.", export: exports.FileSystem}
)

// inSubnets are the subnets of the tasks: Copilot's export follows the
// placement.
func inSubnets(w *manifest.Workload) input {
	export := exports.PublicSubnets
	if w.Network.Private {
		export = exports.PrivateSubnets
	}
	return input{param: Subnets, typ: "List<AWS::EC2::Subnet::Id>", desc: "Subnets for the tasks of the service.", export: export, list: true}
}

// The inputs of the service's load balancer: the public one's for a Load
// Balanced Web Service, the internal one's for a Backend Service, as
// Copilot exported them.
func inHTTPListener(w *manifest.Workload) input {
	return loadBalancerInput(w, HTTPListenerArn, "ARN of the load balancer listener that routes to the service.",
		exports.HTTPListener, exports.InternalHTTPListener)
}

func inHTTPSListener(w *manifest.Workload) input {
	return loadBalancerInput(w, HTTPSListenerArn, "ARN of the load balancer's HTTPS listener, with a certificate for the aliases.",
		exports.HTTPSListener, exports.InternalHTTPSListener)
}

func inLoadBalancerDNS(w *manifest.Workload) input {
	return loadBalancerInput(w, LoadBalancerDNSName, "DNS name of the load balancer the alias records point at.",
		exports.PublicLoadBalancerDNS, exports.InternalLoadBalancerDNS)
}

func inLoadBalancerZone(w *manifest.Workload) input {
	return loadBalancerInput(w, LoadBalancerHostedZoneID, "Canonical hosted zone id of the load balancer the alias records point at.",
		exports.PublicLoadBalancerZone, exports.InternalLoadBalancerZone)
}

// loadBalancerInput is a String input whose export is the public or the
// internal load balancer's by the workload's type.
func loadBalancerInput(w *manifest.Workload, param, desc, public, internal string) input {
	export := public
	if w.Type == manifest.BackendService {
		export = internal
	}
	return input{param: param, typ: "String", desc: desc, export: export}
}

// value is the input in the template: !Ref of its parameter, or the
// import of Copilot's export, split when it is a list.
func (tr *translation) value(in input) string {
	switch {
	case !tr.opts.CopilotEnv || in.export == "" && in.fixed == "":
		return cfn.Ref(in.param)
	case in.fixed != "":
		return cfn.Sub(in.fixed)
	}
	v := tr.imported(in)
	if in.list {
		return cfn.Split(",", v)
	}
	return v
}

// imported is !ImportValue of the input's export, unsplit.
func (tr *translation) imported(in input) string {
	return cfn.ImportValue(cfn.Sub(exports.Name(in.export)))
}

// declare adds the input's parameter, unless the template imports it.
func (tr *translation) declare(t *cfn.Template, in input) {
	tr.declareDefault(t, in, nil)
}

// declareDefault declares the input's parameter with a default value.
func (tr *translation) declareDefault(t *cfn.Template, in input, def any) {
	if !tr.opts.CopilotEnv || in.export == "" && in.fixed == "" {
		t.AddParameter(in.param, cfn.Parameter{Type: in.typ, Description: in.desc, Default: def})
	}
}
