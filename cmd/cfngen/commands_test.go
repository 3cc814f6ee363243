package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	good1, good2 := writeManifest(t, good), writeManifest(t, strings.Replace(good, "name: api", "name: web", 1))
	if code, out, errOut := cfngen("", "validate", good1, good2); code != 0 || out != "" || errOut != "" {
		t.Errorf("valid manifests: exit %d, stdout %q, stderr %q; want 0 and no output", code, out, errOut)
	}
	bad := writeManifest(t, "name: api\ntype: Backend Service\nimage:\n  location: nginx\n  port: 0\nsidecars:\n  x:\n    imgae: y\n")
	code, out, errOut := cfngen("", "validate", good1, bad)
	if code != 1 || out != "" {
		t.Errorf("exit %d, stdout %q; want 1 and nothing", code, out)
	}
	for _, want := range []string{bad + ":5:9: image.port: must be 1-65535, got 0", bad + `:8:5: sidecars.x: unknown field "imgae"; did you mean "image"?`} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if code, _, _ := cfngen("", "validate"); code != 2 {
		t.Errorf("validate with no manifest: exit %d, want 2", code)
	}
}

// TestCheck covers check's three exit statuses.
func TestCheck(t *testing.T) {
	path := writeManifest(t, good)
	stackFile := filepath.Join(t.TempDir(), "stack.yml")
	if code, _, errOut := cfngen("", "--app", "shop", "-o", stackFile, path); code != 0 {
		t.Fatalf("render: exit %d: %s", code, errOut)
	}
	if code, out, errOut := cfngen("", "check", "--app", "shop", path, stackFile); code != 0 || out != "" || errOut != "" {
		t.Errorf("current stack: exit %d, stdout %q, stderr %q; want 0 and no output", code, out, errOut)
	}
	// The manifest changes; the committed template does not.
	if err := os.WriteFile(path, []byte(good+"variables:\n  NEW: value\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cfngen("", "check", "--app", "shop", path, stackFile)
	if code != 1 || out != "" {
		t.Errorf("stale stack: exit %d, stdout %q; want 1 and nothing", code, out)
	}
	for _, want := range []string{stackFile + " is stale", "--- " + stackFile, "+++ rendered from " + path, "@@ ", "+            - Name: NEW\n", "+              Value: value\n"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stale stack: stderr lacks %q:\n%s", want, errOut)
		}
	}
	// Another --app renders other defaults: stale too.
	if code, _, _ := cfngen("", "check", "--app", "other", path, stackFile); code != 1 {
		t.Errorf("check with another app: exit %d, want 1", code)
	}
	for name, args := range map[string][]string{
		"missing stack":  {"check", path, filepath.Join(t.TempDir(), "none.yml")},
		"one argument":   {"check", path},
		"missing folder": {"check", filepath.Join(t.TempDir(), "nope.yml"), stackFile},
	} {
		if code, out, _ := cfngen("", args...); code != 2 || out != "" {
			t.Errorf("%s: exit %d, stdout %q; want 2 and nothing", name, code, out)
		}
	}
}

func TestSchemaCommand(t *testing.T) {
	code, out, _ := cfngen("", "schema")
	var v map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &v) != nil || v["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
		t.Errorf("schema: exit %d, want 0 and a draft 2020-12 JSON Schema:\n%.200s", code, out)
	}
	if code, _, _ := cfngen("", "schema", "extra"); code != 2 {
		t.Errorf("schema with an argument: exit %d, want 2", code)
	}
}

// TestBatch renders several manifests for two environments; a bad one
// writes nothing for itself and makes the run exit 1, the others render.
func TestBatch(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for _, name := range []string{"api", "web"} {
		paths = append(paths, writeManifest(t, strings.Replace(good, "name: api", "name: "+name, 1)))
	}
	bad := writeManifest(t, "name: broken\ntype: Backend Service\nimage:\n  location: nginx\n  port: 99999\n")
	out := filepath.Join(dir, "out")
	code, stdout, errOut := cfngen("", append([]string{"--out-dir", out, "--app", "shop", "--env", "test", "--env", "prod", bad}, paths...)...)
	if code != 1 || stdout != "" {
		t.Errorf("exit %d, stdout %q; want 1 and nothing", code, stdout)
	}
	if strings.Count(errOut, bad+":5:9: image.port: must be 1-65535") != 2 {
		t.Errorf("stderr should report the bad manifest once per environment:\n%s", errOut)
	}
	entries, _ := os.ReadDir(out)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	want := "[api-prod.stack.yml api-test.stack.yml web-prod.stack.yml web-test.stack.yml]"
	if fmt.Sprint(got) != want {
		t.Errorf("wrote %v, want %s", got, want)
	}
	// Each file is exactly the single render.
	_, single, _ := cfngen("", "--app", "shop", "--env", "prod", paths[1])
	if data, _ := os.ReadFile(filepath.Join(out, "web-prod.stack.yml")); string(data) != single {
		t.Error("web-prod.stack.yml differs from rendering web for prod alone")
	}
	// Two manifests of one name would write one file twice.
	twin := writeManifest(t, good)
	// The clash is positioned at the second manifest's name, naming the first's.
	want = twin + ":1:7: name: renders api.stack.yml, as does the workload of this name in " + paths[0] + ":1:7\n"
	if code, _, errOut := cfngen("", "--out-dir", filepath.Join(dir, "twins"), paths[0], twin); code != 1 || errOut != want {
		t.Errorf("same name twice: exit %d, stderr %q; want 1 and %q", code, errOut, want)
	}
	if code, _, _ := cfngen("", "--out-dir", out, "-"); code != 2 {
		t.Errorf("--out-dir with stdin: exit %d, want 2", code)
	}
}

// BenchmarkBatch1000 renders 1,000 manifests, made from the golden ones
// with names of their own, to a temporary directory.
func BenchmarkBatch1000(b *testing.B) {
	b.Setenv("TAG", "v1.2.3")
	sources, _ := filepath.Glob("../../golden/testdata/*/manifest.yml")
	nameLine := regexp.MustCompile(`(?m)^name: .*$`)
	var bodies []string
	for _, src := range sources {
		data, err := os.ReadFile(src)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(src), "stack.yml")); err != nil {
			continue // an error case
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(src), "addons")); err == nil {
			continue // its addons live beside it
		}
		bodies = append(bodies, string(data))
	}
	dir := b.TempDir()
	// A manifest names itself in target_container or depends_on too: rename
	// every mention, and keep the bodies that still validate.
	rename := func(body string, i int) string {
		old := strings.TrimPrefix(nameLine.FindString(body), "name: ")
		return strings.ReplaceAll(body, old, fmt.Sprintf("svc%04d", i))
	}
	var usable []string
	for _, body := range bodies {
		path := filepath.Join(dir, "probe.yml")
		if err := os.WriteFile(path, []byte(rename(body, 0)), 0o644); err != nil {
			b.Fatal(err)
		}
		if code, _, _ := cfngen("", "validate", "--app", "shop", "--env", "test", path); code == 0 {
			usable = append(usable, body)
		}
	}
	if len(usable) < 10 {
		b.Fatalf("only %d golden manifests render once renamed", len(usable))
	}
	var paths []string
	for i := range 1000 {
		body := rename(usable[i%len(usable)], i)
		sub := filepath.Join(dir, fmt.Sprint(i))
		if err := os.Mkdir(sub, 0o755); err != nil {
			b.Fatal(err)
		}
		path := filepath.Join(sub, "manifest.yml")
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			b.Fatal(err)
		}
		paths = append(paths, path)
	}
	batch := func(b *testing.B, out string) {
		args := append([]string{"--out-dir", out, "--app", "shop", "--env", "test"}, paths...)
		if code, _, errOut := cfngen("", args...); code != 0 {
			b.Fatalf("exit %d:\n%.2000s", code, errOut)
		}
	}
	// new: every run writes 1,000 templates into a folder of its own.
	b.Run("new", func(b *testing.B) {
		n := 0
		for b.Loop() {
			n++
			batch(b, filepath.Join(dir, "new", strconv.Itoa(n)))
		}
	})
	// unchanged: every run renders the same 1,000 templates over
	// themselves, as a re-render in CI does; none is written.
	b.Run("unchanged", func(b *testing.B) {
		out := filepath.Join(dir, "same")
		batch(b, out)
		for b.Loop() {
			batch(b, out)
		}
	})
}

// TestCopilotEnv: --copilot-env imports Copilot's exports in every mode,
// and needs --app and --env to name the environment stack.
func TestCopilotEnv(t *testing.T) {
	path := writeManifest(t, good)
	if code, out, errOut := cfngen("", "--copilot-env", "--app", "shop", path); code != 2 || out != "" || !strings.Contains(errOut, "--copilot-env needs --app and --env") {
		t.Errorf("without --env: exit %d, stdout %q, stderr %q; want 2 and the reason", code, out, errOut)
	}
	code, out, errOut := cfngen("", "--copilot-env", "--app", "shop", "--env", "test", path)
	if code != 0 {
		t.Fatalf("render: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Fn::ImportValue: !Sub '${AppName}-${EnvName}-ClusterId'", "Fn::ImportValue: !Sub '${AppName}-${EnvName}-PublicSubnets'"} {
		if !strings.Contains(out, want) {
			t.Errorf("template lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "  ClusterId:\n    Type:") {
		t.Errorf("template still declares the ClusterId parameter:\n%s", out)
	}
	stackFile := filepath.Join(t.TempDir(), "stack.yml")
	if err := os.WriteFile(stackFile, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := cfngen("", "check", "--copilot-env", "--app", "shop", "--env", "test", path, stackFile); code != 0 {
		t.Errorf("check --copilot-env: exit %d: %s", code, errOut)
	}
	if code, _, _ := cfngen("", "check", "--app", "shop", "--env", "test", path, stackFile); code != 1 {
		t.Errorf("check without --copilot-env of a --copilot-env template: exit %d, want 1 (stale)", code)
	}
	if code, _, errOut := cfngen("", "validate", "--copilot-env", "--app", "shop", "--env", "test", path); code != 0 {
		t.Errorf("validate --copilot-env: exit %d: %s", code, errOut)
	}
	dir := t.TempDir()
	if code, _, errOut := cfngen("", "--out-dir", dir, "--copilot-env", "--app", "shop", "--env", "test", path); code != 0 {
		t.Fatalf("--out-dir --copilot-env: exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(filepath.Join(dir, "api-test.stack.yml"))
	if err != nil || string(data) != out {
		t.Errorf("--out-dir wrote %q (%v), want what render writes", data, err)
	}
}

// A changed line is - then +, as diff -u writes it.
func TestDiffRemovalFirst(t *testing.T) {
	got := unifiedDiff("a", "b", "x\nold\ny\n", "x\nnew\ny\n")
	want := "--- a\n+++ b\n@@ -1,3 +1,3 @@\n x\n-old\n+new\n y\n"
	if got != want {
		t.Errorf("unifiedDiff() =\n%s\nwant\n%s", got, want)
	}
	got = unifiedDiff("a", "b", "p\nq\n", "r\ns\nq\n")
	if want := "--- a\n+++ b\n@@ -1,2 +1,3 @@\n-p\n+r\n+s\n q\n"; got != want {
		t.Errorf("unifiedDiff() =\n%s\nwant\n%s", got, want)
	}
}

// validate with several --env prints a problem once, naming the
// environments it is in, and refuses two manifests of one workload name.
func TestValidateEnvsAndNames(t *testing.T) {
	path := writeManifest(t, good+"cpu: lots\nenvironments:\n  prod:\n    exec: maybe\n")
	code, _, errOut := cfngen("", "validate", "--env", "test", "--env", "prod", path)
	want := path + ":6:6: cpu: must be an integer, got \"lots\" (with --env test, prod)\n"
	if code != 1 || !strings.Contains(errOut, want) || strings.Count(errOut, ":6:6: cpu:") != 1 {
		t.Errorf("exit %d, stderr:\n%s\nwant once:\n%s", code, errOut, want)
	}
	if !strings.Contains(errOut, ":9:11: exec:") || !strings.Contains(errOut, "(with --env prod)\n") {
		t.Errorf("the prod-only problem does not name prod alone:\n%s", errOut)
	}
	a, b := writeManifest(t, good), writeManifest(t, good)
	code, _, errOut = cfngen("", "validate", a, b)
	if want := b + `:1:7: name: names the workload "api", one stack, as does the manifest in ` + a + ":1:7\n"; code != 1 || errOut != want {
		t.Errorf("two manifests named api: exit %d, stderr %q, want 1 and %q", code, errOut, want)
	}
}

// --out-dir --format json writes .stack.json, which check compares as JSON.
func TestOutDirJSON(t *testing.T) {
	path, dir := writeManifest(t, good), t.TempDir()
	if code, _, errOut := cfngen("", "--out-dir", dir, "--format", "json", "--env", "test", path); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	file := filepath.Join(dir, "api-test.stack.json")
	data, err := os.ReadFile(file)
	if err != nil || !json.Valid(data) {
		t.Fatalf("%s: %v, valid JSON %v", file, err, json.Valid(data))
	}
	if code, _, errOut := cfngen("", "check", "--env", "test", path, file); code != 0 {
		t.Errorf("check of the JSON template: exit %d: %s", code, errOut)
	}
}

// env_file is relative to the workspace for copilot/<svc>/manifest.yml,
// as in Copilot, and to the manifest's folder otherwise; check sees a
// changed env file.
func TestEnvFileResolution(t *testing.T) {
	ws := t.TempDir()
	if err := os.MkdirAll(filepath.Join(ws, "copilot", "api"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(ws, "config"), 0o755); err != nil {
		t.Fatal(err)
	}
	m := filepath.Join(ws, "copilot", "api", "manifest.yml")
	env := filepath.Join(ws, "config", "api.env")
	for path, data := range map[string]string{m: good + "env_file: config/api.env\n", env: "MODE=blue\n"} {
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := cfngen("", m)
	if code != 0 || !strings.Contains(out, "- Name: MODE\n              Value: blue\n") {
		t.Fatalf("exit %d, stderr %s; want MODE=blue in:\n%s", code, errOut, out)
	}
	stackFile := filepath.Join(ws, "stack.yml")
	if err := os.WriteFile(stackFile, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(env, []byte("MODE=green\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := cfngen("", "check", m, stackFile); code != 1 || !strings.Contains(errOut, "+              Value: green") {
		t.Errorf("check after the env file changed: exit %d, stderr:\n%s\nwant 1 and the new value", code, errOut)
	}
	// Outside copilot/, the manifest's own folder.
	other := writeManifest(t, good+"env_file: config/api.env\n")
	code, out, errOut = cfngen("", other)
	if want := "env_file config/api.env, relative to the manifest's folder " + filepath.Dir(other) + ": no such file or directory"; code != 1 || out != "" || !strings.Contains(errOut, want) {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1 and %q", code, out, errOut, want)
	}
}

// A CDK override folder is refused with the reason; a YAML patch applies.
func TestOverrides(t *testing.T) {
	path := writeManifest(t, good)
	dir := filepath.Join(filepath.Dir(path), "overrides")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	patches := "- op: replace\n  path: /Resources/LogGroup/Properties/RetentionInDays\n  value: 7\n"
	if err := os.WriteFile(filepath.Join(dir, "cfn.patches.yml"), []byte(patches), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := cfngen("", path); code != 0 || !strings.Contains(out, "RetentionInDays: 7\n") {
		t.Errorf("with a patch: exit %d, stderr %s, want RetentionInDays: 7 in:\n%s", code, errOut, out)
	}
	if err := os.WriteFile(filepath.Join(dir, "cdk.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cfngen("", path)
	if code != 1 || out != "" || !strings.Contains(errOut, filepath.Join(dir, "cdk.json")+":1:1: CDK overrides are refused by design") {
		t.Errorf("with cdk.json: exit %d, stdout %q, stderr %q; want 1 and the reason", code, out, errOut)
	}
}

// cfngen env renders an environment manifest; validate and check take one
// by its type.
func TestEnvironmentManifest(t *testing.T) {
	path := writeManifest(t, "name: preview\ntype: Environment\nhttp:\n  public: {}\n")
	code, out, errOut := cfngen("", "env", "--app", "shop", "--env", "preview", path)
	if code != 0 {
		t.Fatalf("env: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Name: !Sub '${AWS::StackName}-ClusterId'", "Name: !Sub '${AWS::StackName}-HTTPListenerArn'", "Type: AWS::EC2::NatGateway"} {
		if !strings.Contains(out, want) {
			t.Errorf("environment template lacks %q", want)
		}
	}
	stackFile := filepath.Join(t.TempDir(), "env.yml")
	if err := os.WriteFile(stackFile, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := cfngen("", "check", "--app", "shop", "--env", "preview", path, stackFile); code != 0 {
		t.Errorf("check: exit %d: %s", code, errOut)
	}
	bad := writeManifest(t, "name: preview\ntype: Environment\nnetwork:\n  vpc:\n    cidrr: 10.0.0.0/16\n")
	if code, out, errOut := cfngen("", "validate", bad); code != 1 || out != "" || !strings.Contains(errOut, `network.vpc: unknown field "cidrr"; did you mean "cidr"?`) {
		t.Errorf("validate: exit %d, stdout %q, stderr %q; want 1 and the did-you-mean", code, out, errOut)
	}
}
