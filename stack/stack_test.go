package stack

import (
	stdcrc32 "hash/crc32"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7/cloudformation/ecs"
	"github.com/cfngen/cfngen/addons"
	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/manifest"
	"github.com/google/go-cmp/cmp"
)

func mustParse(t testing.TB, src string) *manifest.Workload {
	t.Helper()
	w, err := manifest.Parse("manifest.yml", []byte(src), manifest.Options{App: "shop", Env: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

const seedNginx = `name: api
type: Load Balanced Web Service
image:
  build: api/Dockerfile
  port: 3000
http:
  path: 'api'
  healthcheck: '/api/health-check'
  targetContainer: 'nginx'
sidecars:
  nginx:
    port: 80
    image: 1234567890.dkr.ecr.us-west-2.amazonaws.com/reverse-proxy:revision_1
`

// The seed's nginx example: the load balancer's traffic goes to the nginx
// sidecar on port 80, not to the main container on 3000. moto drops a
// service's load balancers, so this is where it is proven.
func TestSeedNginxTarget(t *testing.T) {
	w := mustParse(t, seedNginx)
	tr := &translation{w: w}
	want := []ecs.Service_LoadBalancer{{ContainerName: cfn.Ptr("nginx"), ContainerPort: cfn.Ptr(80), TargetGroupArn: cfn.Ptr(cfn.Ref(TargetGroup))}}
	if diff := cmp.Diff(want, service(tr).LoadBalancers); diff != "" {
		t.Errorf("service() load balancers mismatch (-want +got):\n%s", diff)
	}
	if tg := tr.targetGroup(&w.HTTP.Rule); *tg.Port != 80 || *tg.HealthCheckPath != "/api/health-check" {
		t.Errorf("targetGroup() port %d path %s, want 80 and /api/health-check", *tg.Port, *tg.HealthCheckPath)
	}
	if diff := cmp.Diff([]string{"/api", "/api/*"}, tr.listenerRule(&w.HTTP.Rule, "L", forward(TargetGroup)).Conditions[0].PathPatternConfig.Values); diff != "" {
		t.Errorf("listenerRule() paths mismatch (-want +got):\n%s", diff)
	}
}

func TestTargetPortAddsMapping(t *testing.T) {
	w := mustParse(t, `name: api
type: Backend Service
image:
  location: nginx
  port: 8080
http:
  path: /
  target_port: 8081
`)
	want := []ecs.TaskDefinition_PortMapping{
		{ContainerPort: cfn.Ptr(8080), Protocol: cfn.Ptr("tcp")},
		{ContainerPort: cfn.Ptr(8081), Protocol: cfn.Ptr("tcp")},
	}
	if diff := cmp.Diff(want, portMappings(w, &w.Main)); diff != "" {
		t.Errorf("portMappings() mismatch (-want +got):\n%s", diff)
	}
	if got := rulePriorities(w)[0]; got != 50000 {
		t.Errorf("rulePriority() for / = %d, want 50000, the last", got)
	}
}

func TestSecretGrants(t *testing.T) {
	var g secretGrants
	for _, s := range []manifest.Secret{
		{From: manifest.SecretSSM, Value: "/app/db"},
		{From: manifest.SecretSSM, Value: "plain_name"},
		{From: manifest.SecretSSM, Value: "/app/db"}, // named twice, granted once
		{From: manifest.SecretSSM, Value: "arn:aws:ssm:us-east-1:123456789012:parameter/x"},
		{From: manifest.SecretSSM, Value: "arn:aws:secretsmanager:us-east-1:123456789012:secret:k-AbCdEf:key::"},
		{From: manifest.SecretSecretsManager, Value: "team/db:password::"},
		{From: manifest.SecretImport, Value: "shared-arn"},
	} {
		g.add(secret{Secret: s})
	}
	want := secretGrants{
		parameters: []string{
			cfn.Sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/app/db"),
			cfn.Sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/plain_name"),
			"arn:aws:ssm:us-east-1:123456789012:parameter/x",
		},
		secrets: []string{
			"arn:aws:secretsmanager:us-east-1:123456789012:secret:k-AbCdEf",
			cfn.Sub(secretsManagerARN + "team/db-??????"),
		},
		imported: []string{cfn.ImportValue("shared-arn")},
	}
	if diff := cmp.Diff(want, g, cmp.AllowUnexported(secretGrants{})); diff != "" {
		t.Errorf("secretGrants mismatch (-want +got):\n%s", diff)
	}
}

// ClientWrite follows any container that mounts the volume writable, not
// only the main container as in Copilot; IAM-less volumes get nothing.
func TestEFSStatements(t *testing.T) {
	w := mustParse(t, `name: api
type: Backend Service
image:
  location: nginx
storage:
  volumes:
    ro:
      path: /ro
      efs:
        id: fs-00000000000000001
    rw:
      path: /rw
      efs:
        id: fs-00000000000000002
    noiam:
      path: /noiam
      read_only: false
      efs:
        id: fs-00000000000000003
        auth:
          iam: false
sidecars:
  writer:
    image: busybox
    essential: false
    mount_points:
      - source_volume: rw
        path: /data
        read_only: false
`)
	var got []string
	for _, s := range efsStatements(&translation{w: w}) {
		got = append(got, s.Sid+" "+actionList(s.Action))
	}
	want := []string{"EFSro [elasticfilesystem:ClientMount]", "EFSrw [elasticfilesystem:ClientMount elasticfilesystem:ClientWrite]"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("efsStatements() mismatch (-want +got):\n%s", diff)
	}
}

func actionList(l []string) string { return "[" + strings.Join(l, " ") + "]" }

// FuzzAddon renders a manifest with an arbitrary addon template: any
// addon gives a template or an error, never a panic.
func FuzzAddon(f *testing.F) {
	files, _ := filepath.Glob("../addons/testdata/*/*.y*ml")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("Parameters: {App: {Type: String}, Env: {Type: String}, Name: {Type: String}}\nOutputs: {X: {Value: !Ref Y}}\n"))
	w := mustParse(f, seedNginx)
	f.Fuzz(func(t *testing.T, addon []byte) {
		set, err := addons.Load([]addons.File{{Name: "addons/a.yml", Data: addon}}, nil)
		if err != nil {
			return
		}
		tpl, err := Template(w, set, Options{App: "shop", Env: "test"})
		if err != nil {
			return
		}
		if out, err := cfn.Marshal(tpl, cfn.FormatYAML); err == nil && len(out) == 0 {
			t.Fatal("Marshal() returned neither a template nor an error")
		}
	})
}

// Translation is a pure function: one parsed workload rendered twice, with
// addons whose outputs reach the main container, gives identical templates
// and leaves the workload and the addons as they were.
func TestTemplateIsPure(t *testing.T) {
	const src = `name: worker
type: Worker Service
image:
  location: nginx
variables:
  A: b
secrets:
  DB: /app/db
publish:
  topics:
    - name: done
`
	w, before := mustParse(t, src), mustParse(t, src)
	addon := []addons.File{{Name: "addons/a.yml", Data: []byte(`Parameters: {App: {Type: String}, Env: {Type: String}, Name: {Type: String}}
Resources:
  Table: {Type: AWS::DynamoDB::Table, Properties: {BillingMode: PAY_PER_REQUEST}}
  Key: {Type: AWS::SecretsManager::Secret}
Outputs:
  TableName: {Value: !Ref Table}
  ApiKey: {Value: !Ref Key}
`)}}
	set, err := addons.Load(addon, nil)
	if err != nil {
		t.Fatal(err)
	}
	setBefore, _ := addons.Load(addon, nil)
	all := cmp.Exporter(func(reflect.Type) bool { return true })
	if diff := cmp.Diff(before, w, all); diff != "" {
		t.Fatalf("two parses of one manifest differ:\n%s", diff)
	}
	var outs [][]byte
	for range 3 {
		tpl, err := Template(w, set, Options{App: "shop", Env: "test"})
		if err != nil {
			t.Fatal(err)
		}
		out, err := cfn.Marshal(tpl, cfn.FormatYAML)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, out)
	}
	if diff := cmp.Diff(before, w, all); diff != "" {
		t.Errorf("Template() changed the workload (-before +after):\n%s", diff)
	}
	if diff := cmp.Diff(setBefore, set, all); diff != "" {
		t.Errorf("Template() changed the addons (-before +after):\n%s", diff)
	}
	for _, out := range outs[1:] {
		if diff := cmp.Diff(string(outs[0]), string(out)); diff != "" {
			t.Errorf("a second render differs (-first +later):\n%s", diff)
		}
	}
	for _, want := range []string{"- Name: COPILOT_QUEUE_URI\n", "- Name: TABLE_NAME\n", "- Name: API_KEY\n"} {
		if n := strings.Count(string(outs[0]), want); n != 1 {
			t.Errorf("%q appears %d times, want once", want, n)
		}
	}
}

// TestECRImage reads images as the regular expression it replaced did.
func TestECRImage(t *testing.T) {
	re := regexp.MustCompile(`^([0-9]{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/([^:@]+)`)
	for _, image := range []string{
		"123456789012.dkr.ecr.us-west-2.amazonaws.com/api:v1.2.3",
		"123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/a/b@sha256:00",
		"123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/x",
		"123456789012.dkr.ecr.us-west-2.amazonaws.com/",
		"123456789012.dkr.ecr.us-west-2.amazonaws.com/:tag",
		"12345678901.dkr.ecr.us-west-2.amazonaws.com/api",
		"1234567890123.dkr.ecr.us-west-2.amazonaws.com/api",
		"123456789012.dkr.ecr.US-west-2.amazonaws.com/api",
		"123456789012.dkr.ecr..amazonaws.com/api",
		"123456789012.dkr.ecr.us-west-2.amazonaws.comx/api",
		"12345678901a.dkr.ecr.us-west-2.amazonaws.com/api",
		"nginx", "public.ecr.aws/nginx/nginx:latest", "",
	} {
		m := re.FindStringSubmatch(image)
		account, region, repository, ok := ecrImage(image)
		if ok != (m != nil) || ok && (account != m[1] || region != m[2] || repository != m[3]) {
			t.Errorf("%q: got %q %q %q %v, want %q", image, account, region, repository, ok, m)
		}
	}
}

// TestCRC32 is hash/crc32's IEEE checksum.
func TestCRC32(t *testing.T) {
	for _, s := range []string{"", "a", "api", "frontend-service", strings.Repeat("x", 255), "\xff\x00"} {
		if got, want := crc32(s), stdcrc32.ChecksumIEEE([]byte(s)); got != want {
			t.Errorf("crc32(%q) = %d, want %d", s, got, want)
		}
	}
}
