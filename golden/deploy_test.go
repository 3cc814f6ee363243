package golden

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cfngen/cfngen/cfn"
	"gopkg.in/yaml.v3"
)

// TestDeploy deploys the environment stack shop-test, rendered by cfngen
// from the environment manifest deploy-env.yml, and the fixtures the golden
// manifests import, then every golden template into that environment, on a
// local moto_server with the AWS CLI; the --copilot-env cases take all they
// need from the environment's exports. moto ignores some properties, so
// this proves a template deploys, not that every field is right.
func TestDeploy(t *testing.T) {
	motoServer := requireTool(t, "moto_server")
	awsPath := requireTool(t, "aws")
	if testing.Short() {
		t.Skip("deploying is not short")
	}
	endpoint, log := startMoto(t, motoServer)
	cli := awsCLI{t: t, path: awsPath, endpoint: endpoint, log: log}

	// moto records outputs and exports only for create-stack, not for the
	// change sets that deploy makes; the golden templates import some.
	var cert struct{ CertificateArn string }
	cli.decode(cli.run("acm", "request-certificate", "--domain-name", "example.com"), &cert)
	// The environment is cfngen's own, from an environment manifest, as the
	// stack shop-test that Copilot's services import from.
	envFile := standIns(t, renderEnvironment(t, cert.CertificateArn), map[string]string{"NLBCertificateArn": cert.CertificateArn})
	cli.create("shop-test", envFile, nil)
	env := cli.physicalIDs("shop-test")
	cli.create("fixtures", "fixtures.yml", []string{"SecurityGroup=" + env["EnvironmentSecurityGroup"]})
	fixtures := cli.physicalIDs("fixtures")
	values := map[string]string{
		"AppName":                     "shop",
		"EnvName":                     "test",
		"ClusterId":                   env["Cluster"],
		"Subnets":                     env["PublicSubnet1"] + "," + env["PublicSubnet2"],
		"SecurityGroups":              env["EnvironmentSecurityGroup"],
		"VpcId":                       env["VPC"],
		"HTTPListenerArn":             env["HTTPListener"],
		"ServiceDiscoveryNamespaceID": env["ServiceDiscoveryNamespace"],
		"ServiceConnectNamespace":     "test.shop.local",
		"FilesystemID":                env["FileSystem"],
		"PublicZone":                  fixtures["PublicZone"],
		"NLBSubnets":                  env["PublicSubnet1"] + "," + env["PublicSubnet2"],
		"NLBCertificateArn":           cert.CertificateArn,
		"HostedZoneID":                fixtures["PublicZone"],
		"HTTPSListenerArn":            env["HTTPSListener"],
		// The public load balancer's; Backend Services' cases override
		// them with the internal one's below.
		"LoadBalancerDNSName":      "environment-lb.us-east-1.elb.amazonaws.com",
		"LoadBalancerHostedZoneID": "Z35SXDOTRQ7X7K",
		"InternalHostedZoneID":     env["InternalWorkloadsHostedZone"],
		"InternalHostedZoneName":   "test.shop.internal",
		// An imported load balancer: the environment's own, as any ALB.
		"ImportedALBHTTPListenerArn":  env["HTTPListener"],
		"ImportedALBHTTPSListenerArn": env["HTTPSListener"],
		"ImportedALBDNSName":          "environment-lb.us-east-1.elb.amazonaws.com",
		"ImportedALBHostedZoneID":     "Z35SXDOTRQ7X7K",
		"ImportedALBSecurityGroupId":  env["EnvironmentSecurityGroup"],
	}
	// The stacks deploy concurrently into the one moto server, a few at a
	// time: each deploy is mostly the AWS CLI starting up and waiting.
	type job struct {
		i int
		c goldenCase
	}
	jobs := make(chan job)
	var wg sync.WaitGroup
	for range deployWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				t.Run(j.c.name, func(t *testing.T) { deployCase(t, cli, j.c, j.i, values) })
			}
		}()
	}
	for i, c := range stacks(t) {
		jobs <- job{i, c}
	}
	close(jobs)
	wg.Wait()
	t.Run("takeover", func(t *testing.T) {
		cli := cli
		cli.t = t
		takeover(t, cli, values)
	})
	// moto accepts a type it cannot create and says so only in its log. The
	// types cfngen generates must all be created; an addon's may not be.
	for _, m := range unique(regexp.MustCompile(`No Moto CloudFormation support for (\S+)`).FindAllStringSubmatch(readFile(t, log), -1)) {
		switch {
		case reliedOn[m[1]]:
			t.Errorf("moto could not create %s, which cfngen generates", m[1])
		case motoGaps[m[1]]:
			t.Logf("moto could not create %s, which cfngen generates; a known gap in moto, allowed", m[1])
		default:
			t.Logf("moto could not create %s, a type only addons use; allowed", m[1])
		}
	}
}

// renderEnvironment renders deploy-env.yml with cfngen's environment
// translation, moto's certificate in it, and returns the template's file.
func renderEnvironment(t *testing.T, cert string) string {
	data := strings.ReplaceAll(readFile(t, "deploy-env.yml"), "CERTIFICATE_ARN", cert)
	out, err := environment([]byte(data), options{app: "shop", env: "test", efs: true, format: cfn.FormatYAML})
	if err != nil {
		t.Fatalf("cfngen env deploy-env.yml: %v", err)
	}
	file := filepath.Join(t.TempDir(), "shop-test.yml")
	if err := os.WriteFile(file, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// deployWorkers is how many stacks deploy at once.
const deployWorkers = 4

// deployCase deploys one golden template into the environment.
func deployCase(t *testing.T, cli awsCLI, c goldenCase, i int, values map[string]string) {
	cli.t = t
	file := filepath.Join(c.dir, "stack.yml")
	tree := readTemplate(t, file)
	// All stacks share one environment, as a team's services do, so each
	// gets its own name (log group, family) and rule priority.
	overrides := map[string]string{"WorkloadName": c.name, "RulePriority": fmt.Sprint(100 + i)}
	for n := 1; n < 10; n++ { // an additional rule's, on the same listeners
		overrides[fmt.Sprintf("RulePriority%d", n)] = fmt.Sprint(100 + i + 500*n)
	}
	if c.opts.copilotEnv {
		// Rendered for the environment shop-test: it takes everything from
		// the environment's exports and its own defaults, and needs only
		// its images, as a Copilot user deploys it.
		overrides = nil
	}
	params := parameterValues(t, tree, values, overrides)
	if c.opts.copilotEnv {
		for _, p := range params {
			if !strings.HasPrefix(p, "ContainerImage") {
				t.Errorf("rendered with --copilot-env, the template still needs %s", p)
			}
		}
	}
	file = standIns(t, file, values)
	if strings.Contains(readFile(t, file), "ImportValue") {
		// moto's change sets see no exports (it makes their stack with an
		// empty export table), so a template that imports one is created
		// directly; AWS itself takes either path.
		cli.create("golden-"+c.name, file, params)
		return
	}
	cli.deploy("golden-"+c.name, file, params)
}

// motoStandIns are types whose attributes other resources read and moto
// cannot give: its CloudFormation skips a Cloud Map service, and makes an
// EFS access point but answers neither its Ref nor its Arn. The deploy test
// deploys a copy of the template in which each is a bare SQS queue, which
// moto makes, with a Ref and an Arn; cfn-lint checks their properties.
// Everything else deploys as rendered.
var motoStandIns = map[string]bool{"AWS::ServiceDiscovery::Service": true, "AWS::EFS::AccessPoint": true,
	"AWS::ServiceDiscovery::PrivateDnsNamespace": true}

// standIns returns the template to deploy: file itself, or a copy with
// stand-ins for the motoStandIns types, and the environment's public
// hosted zone for the ones a manifest names: moto refuses a record in a
// zone it does not have.
func standIns(t *testing.T, file string, values map[string]string) string {
	zone := values["PublicZone"]
	stoodIn := map[string]bool{}
	subnets := strings.Split(values["Subnets"], ",")
	nextSubnet := 0
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(readFile(t, file)), &doc); err != nil {
		t.Fatal(err)
	}
	changed := false
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "Resources" {
			continue
		}
		resources := root.Content[i+1]
		for j := 1; j < len(resources.Content); j += 2 {
			r := resources.Content[j]
			for k := 0; k+1 < len(r.Content); k += 2 {
				if r.Content[k].Value == "Type" && motoStandIns[r.Content[k+1].Value] {
					r.Content = []*yaml.Node{r.Content[k], {Kind: yaml.ScalarNode, Value: "AWS::SQS::Queue"}}
					stoodIn[resources.Content[j-1].Value] = true
					changed = true
					break
				}
				if r.Content[k].Value == "Properties" {
					props := r.Content[k+1]
					if nlbListener(r) {
						// moto makes every load balancer it creates from a
						// template an application one (it drops Type), whose
						// listeners take HTTP only.
						var kept []*yaml.Node
						for p := 0; p+1 < len(props.Content); p += 2 {
							switch props.Content[p].Value {
							case "Protocol":
								props.Content[p+1].Value = "HTTP"
							case "Certificates", "SslPolicy":
								continue
							}
							kept = append(kept, props.Content[p], props.Content[p+1])
						}
						props.Content, changed = kept, true
					}
					for p := 0; p+1 < len(props.Content); p += 2 {
						if v := props.Content[p+1]; props.Content[p].Value == "HostedZoneId" && v.Kind == yaml.ScalarNode && v.Tag == "!!str" {
							v.Value, changed = zone, true
						}
					}
					// An existing VPC, subnets and certificates a manifest
					// names are the test environment's, which moto has.
					walkScalars(props, func(v *yaml.Node) {
						switch {
						case strings.HasPrefix(v.Value, "vpc-"):
							v.Value, changed = values["VpcId"], true
						case strings.HasPrefix(v.Value, "subnet-"):
							v.Value, changed = subnets[nextSubnet%len(subnets)], true
							nextSubnet++
						case strings.HasPrefix(v.Value, "arn:aws:acm:"):
							v.Value, changed = values["NLBCertificateArn"], true
						}
					})
				}
			}
		}
	}
	// A stand-in's Id (a namespace's) is its Ref, the queue's URL.
	var ids func(n *yaml.Node)
	ids = func(n *yaml.Node) {
		if n.Tag == "!GetAtt" && n.Kind == yaml.ScalarNode {
			if res, attr, _ := strings.Cut(n.Value, "."); stoodIn[res] && attr == "Id" {
				n.Tag, n.Value = "!Ref", res
			}
		}
		for _, c := range n.Content {
			ids(c)
		}
	}
	ids(root)
	if !changed {
		return file
	}
	out, err := yaml.Marshal(&doc)
	if err != nil {
		t.Fatal(err)
	}
	copyFile := filepath.Join(t.TempDir(), "stack.yml")
	if err := os.WriteFile(copyFile, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return copyFile
}

// walkScalars calls fn with every plain string scalar below n.
func walkScalars(n *yaml.Node, fn func(*yaml.Node)) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" {
		fn(n)
	}
	for _, c := range n.Content {
		walkScalars(c, fn)
	}
}

// nlbListener reports whether a resource is a Network Load Balancer's
// listener: TCP, UDP, TLS or TCP_UDP.
func nlbListener(r *yaml.Node) bool {
	var typ, protocol string
	for k := 0; k+1 < len(r.Content); k += 2 {
		switch r.Content[k].Value {
		case "Type":
			typ = r.Content[k+1].Value
		case "Properties":
			props := r.Content[k+1]
			for p := 0; p+1 < len(props.Content); p += 2 {
				if props.Content[p].Value == "Protocol" {
					protocol = props.Content[p+1].Value
				}
			}
		}
	}
	return typ == "AWS::ElasticLoadBalancingV2::Listener" && protocol != "HTTP" && protocol != "HTTPS"
}

// motoGaps are types cfngen generates that moto's CloudFormation skips.
var motoGaps = map[string]bool{
	"AWS::ApplicationAutoScaling::ScalableTarget": true, "AWS::ApplicationAutoScaling::ScalingPolicy": true,
	"AWS::SNS::Subscription": true, "AWS::SQS::QueuePolicy": true, "AWS::SNS::TopicPolicy": true,
	"AWS::ServiceDiscovery::Service": true, "AWS::CloudWatch::Alarm": true,
}

// reliedOn are the resource types cfngen generates and the environment
// stack needs.
var reliedOn = map[string]bool{
	"AWS::ECS::TaskDefinition": true, "AWS::ECS::Service": true, "AWS::ECS::Cluster": true,
	"AWS::IAM::Role": true, "AWS::IAM::ManagedPolicy": true, "AWS::Logs::LogGroup": true,
	"AWS::ElasticLoadBalancingV2::TargetGroup": true, "AWS::ElasticLoadBalancingV2::ListenerRule": true,
	"AWS::ElasticLoadBalancingV2::LoadBalancer": true, "AWS::ElasticLoadBalancingV2::Listener": true,
	"AWS::EC2::VPC": true, "AWS::EC2::Subnet": true, "AWS::EC2::SecurityGroup": true,
	"AWS::SQS::Queue": true, "AWS::StepFunctions::StateMachine": true, "AWS::Events::Rule": true,
	"AWS::SNS::Topic": true, "AWS::EFS::FileSystem": true, "AWS::EFS::MountTarget": true,
	"AWS::EC2::InternetGateway": true, "AWS::EC2::VPCGatewayAttachment": true, "AWS::EC2::RouteTable": true,
	"AWS::EC2::Route": true, "AWS::EC2::SubnetRouteTableAssociation": true, "AWS::EC2::EIP": true,
	"AWS::EC2::NatGateway": true, "AWS::EC2::SecurityGroupIngress": true, "AWS::Route53::HostedZone": true,
	"AWS::Route53::RecordSetGroup": true,
}

// startMoto starts moto_server on a free loopback port and stops it when
// the test ends.
func startMoto(t *testing.T, path string) (endpoint, log string) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	log = filepath.Join(t.TempDir(), "moto.log")
	out, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	t.Cleanup(func() {
		if p, err := os.FindProcess(pid); err == nil {
			p.Kill()
		}
		cmd.Wait()
		out.Close()
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(60 * time.Second); ; {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto_server did not listen on %s within 60s:\n%s", addr, readFile(t, log))
		}
		time.Sleep(100 * time.Millisecond)
	}
	return "http://" + addr, log
}

type awsCLI struct {
	t                   *testing.T
	path, endpoint, log string
}

func (a awsCLI) run(args ...string) []byte {
	a.t.Helper()
	cmd := exec.Command(a.path, append([]string{"--endpoint-url", a.endpoint, "--region", "us-east-1", "--output", "json"}, args...)...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing",
		"AWS_SESSION_TOKEN=testing", "AWS_DEFAULT_REGION=us-east-1", "AWS_CONFIG_FILE=/dev/null",
		"AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		a.t.Fatalf("aws %s: %v\n%s%s\nmoto's last error:\n%s", strings.Join(args, " "), err, out, stderr.String(), lastError(a.log))
	}
	return out
}

func (a awsCLI) deploy(stackName, file string, params []string) {
	a.t.Helper()
	args := []string{"cloudformation", "deploy", "--stack-name", stackName, "--template-file", file,
		"--capabilities", "CAPABILITY_IAM", "--no-fail-on-empty-changeset"}
	if len(params) > 0 {
		args = append(append(args, "--parameter-overrides"), params...)
	}
	a.run(args...)
	a.checkCreated(stackName)
}

func (a awsCLI) checkCreated(stackName string) {
	a.t.Helper()
	var out struct {
		Stacks []struct{ StackStatus string }
	}
	a.decode(a.run("cloudformation", "describe-stacks", "--stack-name", stackName), &out)
	if len(out.Stacks) != 1 || out.Stacks[0].StackStatus != "CREATE_COMPLETE" {
		a.t.Fatalf("stack %s: %+v, want CREATE_COMPLETE", stackName, out.Stacks)
	}
}

// create makes a stack with create-stack and waits for it.
func (a awsCLI) create(stackName, file string, params []string) {
	a.t.Helper()
	args := []string{"cloudformation", "create-stack", "--stack-name", stackName, "--template-body", "file://" + file,
		"--capabilities", "CAPABILITY_IAM"}
	if len(params) > 0 {
		args = append(args, "--parameters")
		for _, p := range params {
			k, v, _ := strings.Cut(p, "=")
			args = append(args, "ParameterKey="+k+",ParameterValue="+strings.ReplaceAll(v, ",", `\,`))
		}
	}
	a.run(args...)
	a.run("cloudformation", "wait", "stack-create-complete", "--stack-name", stackName)
	a.checkCreated(stackName)
}

func (a awsCLI) decode(data []byte, v any) {
	a.t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		a.t.Fatalf("%v:\n%s", err, data)
	}
}

// physicalIDs maps a stack's logical ids to physical ids.
func (a awsCLI) physicalIDs(stackName string) map[string]string {
	var out struct {
		StackResourceSummaries []struct{ LogicalResourceId, PhysicalResourceId, ResourceStatus string }
	}
	a.decode(a.run("cloudformation", "list-stack-resources", "--stack-name", stackName), &out)
	ids := map[string]string{}
	for _, r := range out.StackResourceSummaries {
		if r.ResourceStatus != "CREATE_COMPLETE" {
			a.t.Errorf("%s/%s: %s", stackName, r.LogicalResourceId, r.ResourceStatus)
		}
		ids[r.LogicalResourceId] = r.PhysicalResourceId
	}
	return ids
}

func readTemplate(t *testing.T, file string) cfn.Map {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(readFile(t, file)), &n); err != nil {
		t.Fatal(err)
	}
	v, err := cfn.FromYAML(&n)
	if err != nil {
		t.Fatal(err)
	}
	return v.(cfn.Map)
}

// parameterValues supplies every parameter that has no default, and the
// overrides for the parameters the template declares.
func parameterValues(t *testing.T, tree cfn.Map, values, overrides map[string]string) []string {
	params, _ := tree.Get("Parameters")
	var out []string
	for _, p := range params.(cfn.Map) {
		if v, ok := overrides[p.Key]; ok {
			out = append(out, p.Key+"="+v)
			continue
		}
		if _, hasDefault := p.Value.(cfn.Map).Get("Default"); hasDefault {
			continue
		}
		v, ok := values[p.Key]
		switch {
		case strings.HasPrefix(p.Key, "ContainerImage"):
			v, ok = "public.ecr.aws/nginx/nginx:latest", true
		case strings.HasPrefix(p.Key, "TopicArnFor"):
			v, ok = "arn:aws:sns:us-east-1:123456789012:"+p.Key, true
		}
		if !ok {
			t.Fatalf("no test value for parameter %s", p.Key)
		}
		out = append(out, p.Key+"="+v)
	}
	return out
}

func readFile(t *testing.T, path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// lastError returns the end of the last traceback in moto's log.
func lastError(log string) string {
	data, _ := os.ReadFile(log)
	text := string(data)
	i := strings.LastIndex(text, "Traceback")
	if i < 0 {
		return "(none)"
	}
	lines := strings.Split(text[i:], "\n")
	return strings.Join(lines[max(0, len(lines)-6):], "\n")
}

// unique drops repeated matches, keeping the first of each.
func unique(matches [][]string) [][]string {
	seen := map[string]bool{}
	var out [][]string
	for _, m := range matches {
		if !seen[m[0]] {
			seen[m[0]] = true
			out = append(out, m)
		}
	}
	return out
}
