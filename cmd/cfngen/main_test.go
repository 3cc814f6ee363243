package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cfngen/cfngen/cfn"
	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

const good = `name: api
type: Backend Service
image:
  location: nginx
  port: 80
`

// interpolated needs --app.
const interpolated = good + "variables:\n  APP: ${COPILOT_APPLICATION_NAME}\n"

func writeManifest(t *testing.T, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "manifest.yml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func cfngen(stdin string, args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestRenderToStdout(t *testing.T) {
	path := writeManifest(t, interpolated)
	code, out, errOut := cfngen("", "--app", "shop", path, "--env", "test")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q; want 0 and nothing", code, errOut)
	}
	if !strings.Contains(out, "Type: AWS::ECS::TaskDefinition") || !strings.Contains(out, "- Name: APP\n              Value: shop\n") {
		t.Errorf("stdout is not the template:\n%s", out)
	}
	_, fromStdin, _ := cfngen(interpolated, "--app", "shop", "--env", "test", "-")
	if fromStdin != out {
		t.Errorf("rendering from stdin differs:\n%s", cmp.Diff(out, fromStdin))
	}
}

func TestBadManifest(t *testing.T) {
	path := writeManifest(t, good+"sidecars:\n  proxy:\n    imgae: envoy\n")
	code, out, errOut := cfngen("", path)
	if code != 1 || out != "" {
		t.Errorf("exit %d, stdout %q; want 1 and nothing", code, out)
	}
	want := path + `:8:5: sidecars.proxy: unknown field "imgae"; did you mean "image"?`
	if !strings.Contains(errOut, want) {
		t.Errorf("stderr = %q, want it to contain %q", errOut, want)
	}
}

func TestUsageAndIOErrors(t *testing.T) {
	path := writeManifest(t, good)
	for name, args := range map[string][]string{
		"no manifest":    {},
		"two manifests":  {path, path},
		"bad format":     {"--format", "xml", path},
		"unknown flag":   {"--colour", path},
		"missing file":   {filepath.Join(t.TempDir(), "nope.yml")},
		"unwritable out": {"-o", filepath.Join(t.TempDir(), "no", "such", "dir", "stack.yml"), path},
	} {
		code, out, errOut := cfngen("", args...)
		if code != 2 || out != "" || errOut == "" {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want 2, nothing, a message", name, code, out, errOut)
		}
	}
}

func TestOutputFile(t *testing.T) {
	path := writeManifest(t, good)
	target := filepath.Join(t.TempDir(), "stack.yml")
	_, want, _ := cfngen("", path)
	if code, out, _ := cfngen("", "-o", target, path); code != 0 || out != "" {
		t.Fatalf("exit %d, stdout %q; want 0 and nothing", code, out)
	}
	got, err := os.ReadFile(target)
	if err != nil || string(got) != want {
		t.Fatalf("-o wrote %q (%v), want the rendered template", got, err)
	}
	// A failed render leaves the previous file exactly as it was.
	bad := writeManifest(t, "name: api\ntype: Static Site\n")
	if code, _, _ := cfngen("", "-o", target, bad); code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if again, _ := os.ReadFile(target); string(again) != want {
		t.Error("a failed render changed the -o file")
	}
	entries, _ := os.ReadDir(filepath.Dir(target))
	if len(entries) != 1 {
		t.Errorf("temporary files left beside the output: %v", entries)
	}
}

// TestJSONEqualsYAML reads both formats into trees and compares them.
func TestJSONEqualsYAML(t *testing.T) {
	path := writeManifest(t, good)
	_, y, _ := cfngen("", path)
	_, j, _ := cfngen("", "--format", "json", path)
	read := func(s string) any {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(s), &n); err != nil {
			t.Fatal(err)
		}
		v, err := cfn.FromYAML(&n)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if !strings.HasPrefix(j, "{\n") {
		t.Fatalf("--format json did not write JSON:\n%s", j)
	}
	if diff := cmp.Diff(read(y), read(j)); diff != "" {
		t.Errorf("JSON and YAML differ (-yaml +json):\n%s", diff)
	}
}

func TestAddonsFolder(t *testing.T) {
	path := writeManifest(t, good)
	dir := filepath.Join(filepath.Dir(path), "addons")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	addon := "Parameters:\n  App: {Type: String}\n  Env: {Type: String}\n  Name: {Type: String}\n" +
		"Resources:\n  Queue:\n    Type: AWS::SQS::Queue\nOutputs:\n  QueueUrl:\n    Value: !Ref Queue\n"
	if err := os.WriteFile(filepath.Join(dir, "queue.yml"), []byte(addon), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cfngen("", path)
	if code != 0 || !strings.Contains(out, "  Queue:\n    Type: AWS::SQS::Queue\n") || !strings.Contains(out, "- Name: QUEUE_URL\n              Value: !Ref Queue\n") {
		t.Errorf("exit %d, stderr %q; want the addon merged from addons/ beside the manifest:\n%s", code, errOut, out)
	}
	elsewhere := t.TempDir()
	if code, out, _ := cfngen("", "--addons", elsewhere, path); code != 0 || strings.Contains(out, "AWS::SQS::Queue") {
		t.Errorf("--addons %s: exit %d; want 0 and no addon:\n%s", elsewhere, code, out)
	}
	if code, _, _ := cfngen("", "--addons", filepath.Join(elsewhere, "none"), path); code != 2 {
		t.Errorf("--addons with a missing folder: exit %d, want 2", code)
	}
}

func TestHelp(t *testing.T) {
	for _, flag := range []string{"-h", "--help"} {
		code, out, errOut := cfngen("", flag)
		if code != 0 || errOut != "" || !strings.Contains(out, "usage:\n  cfngen [flags] MANIFEST") {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want 0 and usage on stdout", flag, code, out, errOut)
		}
	}
	if code, out, _ := cfngen("", "--version"); code != 0 || !strings.HasPrefix(out, "cfngen ") {
		t.Errorf("--version: exit %d, stdout %q", code, out)
	}
	// A flag error is said once, on stderr.
	code, out, errOut := cfngen("", "--bogus", "m.yml")
	if code != 2 || out != "" || strings.Count(errOut, "-bogus") != 1 {
		t.Errorf("--bogus: exit %d, stdout %q, stderr %q; want 2 and one mention", code, out, errOut)
	}
}
