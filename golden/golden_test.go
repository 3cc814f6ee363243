// Package golden checks cfngen's output against expected files: each
// testdata/<case>/manifest.yml renders to stack.yml, or fails with stderr.
// Refresh them with: go test ./golden -update
package golden

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cfngen/cfngen/addons"
	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/manifest"
	"github.com/cfngen/cfngen/stack"
	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// positioned is the shape of an error line: manifest.yml or addons/x.yml,
// then a line and column from 1.
var positioned = regexp.MustCompile(`^(manifest\.yml|addons/[^:]+):[1-9][0-9]*:[1-9][0-9]*: `)

var update = flag.Bool("update", false, "rewrite the golden files")

// goldenVars are the only variables a golden manifest can interpolate
// besides --app and --env, so the files do not depend on the machine.
var goldenVars = map[string]string{"TAG": "v1.2.3"}

// goldenCase is one directory under testdata.
type goldenCase struct {
	name, dir string
	opts      stack.Options
}

func cases(t testing.TB) []goldenCase {
	t.Helper()
	manifests, err := filepath.Glob("testdata/*/manifest.yml")
	if err != nil || len(manifests) == 0 {
		t.Fatalf("no golden manifests found: %v", err)
	}
	var out []goldenCase
	for _, m := range manifests {
		dir := filepath.Dir(m)
		out = append(out, goldenCase{name: filepath.Base(dir), dir: dir, opts: caseOptions(t, dir)})
	}
	return out
}

// caseOptions reads the case's optional args file: --app NAME --env NAME.
func caseOptions(t testing.TB, dir string) stack.Options {
	opts := stack.Options{Format: cfn.FormatYAML, Lookup: func(k string) (string, bool) {
		v, ok := goldenVars[k]
		return v, ok
	}}
	var err error
	opts.Addons, opts.AddonParameters, err = addons.ReadDir(filepath.Join(dir, "addons"), "addons")
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "args"))
	if errors.Is(err, os.ErrNotExist) {
		return opts
	}
	if err != nil {
		t.Fatal(err)
	}
	return parseArgs(t, dir, data, opts)
}

func parseArgs(t testing.TB, dir string, data []byte, opts stack.Options) stack.Options {
	fs := flag.NewFlagSet("args", flag.ContinueOnError)
	fs.StringVar(&opts.App, "app", "", "")
	fs.StringVar(&opts.Env, "env", "", "")
	if err := fs.Parse(strings.Fields(string(data))); err != nil || fs.NArg() > 0 {
		t.Fatalf("%s/args: want only --app and --env: %v", dir, err)
	}
	return opts
}

// render runs a case and returns the file it should match and its content.
func render(t testing.TB, c goldenCase) (file string, got []byte) {
	data, err := os.ReadFile(filepath.Join(c.dir, "manifest.yml"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := stack.Render("manifest.yml", data, c.opts)
	if err == nil {
		return "stack.yml", out
	}
	var list manifest.ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("render failed with a non-manifest error: %v", err)
	}
	return "stderr", []byte(err.Error() + "\n")
}

func TestGolden(t *testing.T) {
	for _, c := range cases(t) {
		t.Run(c.name, func(t *testing.T) {
			file, got := render(t, c)
			if _, again := render(t, c); string(again) != string(got) {
				t.Fatalf("rendering twice gave different output:\n%s", cmp.Diff(string(got), string(again)))
			}
			path := filepath.Join(c.dir, file)
			other := filepath.Join(c.dir, map[string]string{"stack.yml": "stderr", "stderr": "stack.yml"}[file])
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				os.Remove(other)
				return
			}
			if _, err := os.Stat(other); err == nil {
				t.Errorf("%s exists, but the case now produces %s; run: go test ./golden -update", other, file)
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v; run: go test ./golden -update", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s mismatch (-want +got):\n%s\nrun: go test ./golden -update", path, diff)
			}
		})
	}
}

// TestErrorCasesArePositioned holds every error case to the contract:
// each line is FILE:LINE:COL: followed by a message, FILE the manifest or
// an addon.
func TestErrorCasesArePositioned(t *testing.T) {
	for _, c := range cases(t) {
		data, err := os.ReadFile(filepath.Join(c.dir, "stderr"))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
			if !positioned.MatchString(line) {
				t.Errorf("%s: %q is not positioned as FILE:LINE:COL", c.name, line)
			}
		}
	}
}

// TestJSONEqualsYAML renders every golden template as JSON too and reads
// both back: the same template, intrinsics and all.
func TestJSONEqualsYAML(t *testing.T) {
	for _, c := range stacks(t) {
		_, y := render(t, c)
		c.opts.Format = cfn.FormatJSON
		_, j := render(t, c)
		if !strings.HasPrefix(string(j), "{\n") {
			t.Fatalf("%s: --format json did not write JSON", c.name)
		}
		var yn, jn yaml.Node
		if err := yaml.Unmarshal(y, &yn); err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(j, &jn); err != nil {
			t.Fatal(err)
		}
		yt, err1 := cfn.FromYAML(&yn)
		jt, err2 := cfn.FromYAML(&jn)
		if err1 != nil || err2 != nil {
			t.Fatalf("%s: %v %v", c.name, err1, err2)
		}
		if diff := cmp.Diff(yt, jt); diff != "" {
			t.Errorf("%s: JSON and YAML differ (-yaml +json):\n%s", c.name, diff)
		}
	}
}
