// Package golden checks cfngen's output against expected files: each
// testdata/<case>/manifest.yml renders to stack.yml, or fails with stderr.
// Refresh them with: go test ./golden -update
package golden

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cfngen/cfngen/addons"
	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/diag"
	"github.com/cfngen/cfngen/envmanifest"
	"github.com/cfngen/cfngen/envstack"
	"github.com/cfngen/cfngen/manifest"
	"github.com/cfngen/cfngen/patch"
	"github.com/cfngen/cfngen/stack"
	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// positioned is the shape of an error line: manifest.yml, addons/x.yml or
// an env file of the case, then a line and column from 1.
var positioned = regexp.MustCompile(`^(manifest\.yml|addons/[^:]+|overrides/cfn\.patches\.yml|[^/:]+\.env):[1-9][0-9]*:[1-9][0-9]*: `)

var update = flag.Bool("update", false, "rewrite the golden files")

// options are what a case renders with: its args and its addons.
type options struct {
	app, env   string
	copilotEnv bool
	efs        bool
	// patches is the case's overrides/cfn.patches.yml, if any.
	patches []byte
	// readFile reads the case's env files, from its folder.
	readFile func(string) ([]byte, string, error)
	// vars are the environment variables the manifest may interpolate:
	// only those the args file names, so that no case depends on the
	// machine it runs on.
	vars      map[string]string
	format    cfn.Format
	templates []addons.File
	params    *addons.File
}

// goldenCase is one directory under testdata.
type goldenCase struct {
	name, dir string
	opts      options
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

// caseOptions reads the case's addons and its optional args file, which
// is the case's command line: NAME=VALUE environment variables first, as a
// shell takes them, then --app NAME, --env NAME and --copilot-env.
func caseOptions(t testing.TB, dir string) options {
	opts := options{format: cfn.FormatYAML, readFile: func(name string) ([]byte, string, error) {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			err = fmt.Errorf("env_file %s: not in the case's folder", name)
		}
		return data, name, err
	}}
	var err error
	opts.templates, opts.params, err = readAddons(filepath.Join(dir, "addons"))
	if err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(filepath.Join(dir, patch.FileName)); err == nil {
		opts.patches = data
	}
	data, err := os.ReadFile(filepath.Join(dir, "args"))
	if errors.Is(err, os.ErrNotExist) {
		return opts
	}
	if err != nil {
		t.Fatal(err)
	}
	fields := strings.Fields(string(data))
	for len(fields) > 0 && strings.Contains(fields[0], "=") && !strings.HasPrefix(fields[0], "-") {
		k, v, _ := strings.Cut(fields[0], "=")
		if opts.vars == nil {
			opts.vars = map[string]string{}
		}
		opts.vars[k] = v
		fields = fields[1:]
	}
	fs := flag.NewFlagSet("args", flag.ContinueOnError)
	fs.StringVar(&opts.app, "app", "", "")
	fs.StringVar(&opts.env, "env", "", "")
	fs.BoolVar(&opts.copilotEnv, "copilot-env", false, "")
	fs.BoolVar(&opts.efs, "efs", false, "")
	if err := fs.Parse(fields); err != nil || fs.NArg() > 0 {
		t.Fatalf("%s/args: want NAME=VALUE variables, then only --app, --env and --copilot-env: %v", dir, err)
	}
	return opts
}

// readAddons reads a case's addons/ folder, named addons/<file> in errors.
func readAddons(dir string) (templates []addons.File, params *addons.File, err error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, nil, err
		}
		f := addons.File{Name: "addons/" + e.Name(), Data: data}
		if slices.Contains(addons.ParametersFile, e.Name()) {
			params = &f
			continue
		}
		templates = append(templates, f)
	}
	return templates, params, err
}

// pipeline runs what cfngen runs: parse the manifest and the addons,
// translate, marshal. The error, if any, is a diag.List.
func pipeline(data []byte, opts options) ([]byte, error) {
	lookup := func(k string) (string, bool) {
		v, ok := opts.vars[k]
		return v, ok
	}
	if envmanifest.Is(data) {
		return environment(data, opts)
	}
	var errs diag.List
	w, err := manifest.Parse("manifest.yml", data, manifest.Options{App: opts.app, Env: opts.env, Lookup: lookup, ReadFile: opts.readFile})
	errs.Append(err)
	set, err := addons.Load(opts.templates, opts.params)
	errs.Append(err)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	t, err := stack.Template(w, set, stack.Options{App: opts.app, Env: opts.env, CopilotEnv: opts.copilotEnv})
	if err != nil {
		return nil, err
	}
	if opts.patches == nil {
		return cfn.Marshal(t, opts.format)
	}
	ops, err := patch.Parse(patch.FileName, opts.patches)
	if err != nil {
		return nil, err
	}
	root, err := t.Root()
	if err == nil {
		root, err = patch.Apply(root, ops)
	}
	if err != nil {
		return nil, err
	}
	return cfn.MarshalRoot(root, opts.format)
}

// environment renders an environment manifest, as cfngen env does.
func environment(data []byte, opts options) ([]byte, error) {
	e, err := envmanifest.Parse("manifest.yml", data)
	if err != nil {
		return nil, err
	}
	t, err := envstack.Template(e, envstack.Options{App: opts.app, Env: opts.env, EFS: opts.efs})
	if err != nil {
		return nil, err
	}
	return cfn.Marshal(t, opts.format)
}

// render runs a case and returns the file it should match and its content.
func render(t testing.TB, c goldenCase) (file string, got []byte) {
	data, err := os.ReadFile(filepath.Join(c.dir, "manifest.yml"))
	if err != nil {
		t.Fatal(err)
	}
	out, err := pipeline(data, c.opts)
	if err == nil {
		return "stack.yml", out
	}
	var list diag.List
	if !errors.As(err, &list) {
		t.Fatalf("render failed with an unpositioned error: %v", err)
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
		c.opts.format = cfn.FormatJSON
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

// FuzzRender runs the whole render, a manifest and one addon template to a
// template, on every input: it must not panic, every problem must be
// positioned in one of the two files, and a template must read back as
// YAML and as a CloudFormation template with typed resources, as cfn-lint
// reads it. The seeds are the golden cases.
func FuzzRender(f *testing.F) {
	for _, c := range cases(f) {
		data, err := os.ReadFile(filepath.Join(c.dir, "manifest.yml"))
		if err != nil {
			f.Fatal(err)
		}
		var addon []byte
		if len(c.opts.templates) > 0 {
			addon = c.opts.templates[0].Data
		}
		f.Add(data, addon)
	}
	f.Fuzz(func(t *testing.T, data, addon []byte) {
		opts := options{app: "shop", env: "test", format: cfn.FormatYAML}
		if len(addon) > 0 {
			opts.templates = []addons.File{{Name: "addons/a.yml", Data: addon}}
		}
		out, err := pipeline(data, opts)
		if err != nil {
			var list diag.List
			if !errors.As(err, &list) {
				t.Fatalf("unpositioned error: %v", err)
			}
			for _, e := range list {
				if (e.File != "manifest.yml" && e.File != "addons/a.yml") || e.Line < 1 || e.Col < 1 {
					t.Fatalf("problem not positioned in an input: %q", e.Error())
				}
			}
			return
		}
		var n yaml.Node
		if err := yaml.Unmarshal(out, &n); err != nil {
			t.Fatalf("the template is not YAML: %v\n%s", err, out)
		}
		tree, err := cfn.FromYAML(&n)
		if err != nil {
			t.Fatalf("the template does not read back: %v\n%s", err, out)
		}
		resources, _ := tree.(cfn.Map).Get("Resources")
		rm, ok := resources.(cfn.Map)
		if !ok || len(rm) == 0 {
			t.Fatalf("the template has no resources:\n%s", out)
		}
		for _, r := range rm {
			typ, _ := r.Value.(cfn.Map).Get("Type")
			if s, ok := typ.(string); !ok || !strings.Contains(s, "::") {
				t.Fatalf("resource %s has type %v", r.Key, typ)
			}
		}
	})
}
