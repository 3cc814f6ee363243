// Command cfngen renders AWS Copilot workload manifests into standalone
// CloudFormation templates, and checks that committed templates are current.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/cfngen/cfngen/addons"
	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/diag"
	"github.com/cfngen/cfngen/envmanifest"
	"github.com/cfngen/cfngen/envstack"
	"github.com/cfngen/cfngen/manifest"
	"github.com/cfngen/cfngen/patch"
	"github.com/cfngen/cfngen/stack"
)

// Exit statuses.
const (
	exitOK    = 0
	exitInput = 1 // a manifest is wrong, or a template is stale
	exitUsage = 2 // usage or I/O error
)

const usage = `usage:
  cfngen [flags] MANIFEST                          render to standard output ("-" reads standard input)
  cfngen --out-dir DIR [flags] MANIFEST...         render many, to DIR/<name>[-<env>].stack.yml
  cfngen validate [flags] MANIFEST...              report every problem, print nothing else
  cfngen check [flags] MANIFEST STACK              exit 1 with a diff when STACK is stale
  cfngen env [flags] ENV-MANIFEST                   render an environment manifest (type: Environment)
  cfngen migrate [flags] MANIFEST                  plan the move of a Copilot service with addons, keeping their data
  cfngen schema                                    print the manifest's JSON Schema

flags:
`

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

// config is what the command line asks for.
type config struct {
	app, out, format, addons, outDir string
	envs                             []string
	args                             []string
	// copilotEnv imports the environment's values from the exports of
	// the Copilot environment stack <app>-<env>.
	copilotEnv bool
	// efs gives an environment its file system.
	efs bool
}

// envFlag collects --env, which batch mode takes more than once.
type envFlag []string

func (e *envFlag) String() string     { return strings.Join(*e, ",") }
func (e *envFlag) Set(v string) error { *e = append(*e, v); return nil }

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "validate":
			return runValidate(args[1:], stdin, stdout, stderr)
		case "check":
			return runCheck(args[1:], stdin, stdout, stderr)
		case "schema":
			return runSchema(args[1:], stdout, stderr)
		case "migrate":
			return runMigrate(args[1:], stdout, stderr)
		case "env":
			// cfngen env MANIFEST: the same render; the manifest's type
			// says it is an environment.
			args = args[1:]
		}
	}
	if slices.Contains(args, "--version") || slices.Contains(args, "-version") {
		fmt.Fprintln(stdout, "cfngen", version())
		return exitOK
	}
	cfg, err := parseArgs("cfngen", args, stdout, true)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err == nil && cfg.outDir == "" && (len(cfg.args) != 1 || len(cfg.envs) > 1) {
		err = fmt.Errorf("want one manifest and at most one --env; render many with --out-dir")
	}
	if err != nil {
		fmt.Fprintf(stderr, "cfngen: %v\n", err)
		return exitUsage
	}
	if cfg.outDir != "" {
		return runBatch(cfg, stderr)
	}
	out, code := render(cfg, cfg.args[0], cfg.env(), stdin, stderr)
	if code != exitOK {
		return code
	}
	if cfg.out != "" && sameFile(cfg.out, cfg.args[0]) {
		fmt.Fprintf(stderr, "cfngen: -o %s is the manifest itself\n", cfg.out)
		return exitUsage
	}
	if cfg.out == "" {
		if _, err := stdout.Write(out.data); err != nil {
			fmt.Fprintf(stderr, "cfngen: %v\n", err)
			return exitUsage
		}
		return exitOK
	}
	if err := writeAtomic(cfg.out, out.data); err != nil {
		fmt.Fprintf(stderr, "cfngen: %v\n", err)
		return exitUsage
	}
	return exitOK
}

func (c config) env() string {
	if len(c.envs) == 0 {
		return ""
	}
	return c.envs[0]
}

// parseArgs reads flags wherever they stand on the line, as users type
// "cfngen manifest.yml --env prod" as often as the other way round.
// Render mode takes -o, --format and --out-dir; the subcommands do not.
func parseArgs(name string, args []string, stdout io.Writer, renderMode bool) (config, error) {
	cfg := config{format: "yaml"}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	// The caller prints a flag error once; asked for, usage goes to stdout.
	fs.SetOutput(io.Discard)
	fs.StringVar(&cfg.app, "app", "", "application `name` (COPILOT_APPLICATION_NAME)")
	fs.Var((*envFlag)(&cfg.envs), "env", "environment `name` (COPILOT_ENVIRONMENT_NAME); with --out-dir, repeat it for several")
	fs.BoolVar(&cfg.copilotEnv, "copilot-env", false, "import the environment's cluster, subnets, listeners, ... from the exports of the Copilot environment stack <app>-<env>, instead of taking parameters")
	fs.BoolVar(&cfg.efs, "efs", false, "an environment manifest: make the environment's EFS file system, for workloads with efs: true")
	fs.StringVar(&cfg.addons, "addons", "", "addon templates to merge from `dir` (default: addons/ beside MANIFEST, if there)")
	if renderMode {
		fs.StringVar(&cfg.out, "o", "", "write the template to `file`, atomically, instead of standard output")
		fs.StringVar(&cfg.format, "format", "yaml", "output `format`: yaml or json")
		fs.StringVar(&cfg.outDir, "out-dir", "", "render every MANIFEST, for every --env, into `dir`")
	}
	fs.Usage = func() {}
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(stdout, usage)
				fs.SetOutput(stdout)
				fs.PrintDefaults()
			}
			return cfg, err
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		cfg.args = append(cfg.args, args[0])
		args = args[1:]
	}
	if err := checkNames(cfg); err != nil {
		return cfg, err
	}
	switch {
	case len(cfg.args) == 0:
		return cfg, fmt.Errorf("no manifest given; see %s --help", name)
	case cfg.copilotEnv && (cfg.app == "" || len(cfg.envs) == 0):
		return cfg, fmt.Errorf("--copilot-env needs --app and --env: they name the environment stack whose exports the template imports")
	case cfg.format != "yaml" && cfg.format != "json":
		return cfg, fmt.Errorf("--format must be yaml or json, got %q", cfg.format)
	case cfg.out != "" && cfg.outDir != "":
		return cfg, fmt.Errorf("-o and --out-dir do not go together")
	}
	return cfg, nil
}

// maxNameLength bounds --app and --env: the task family
// <app>-<env>-<workload> must fit ECS's 255 characters.
const maxNameLength = 63

// checkNames refuses an --app or --env that is not a Copilot name: they
// become parts of file names, resource names and ARNs.
func checkNames(cfg config) error {
	check := func(flag, name string) error {
		if !manifest.ValidName(name) || len(name) > maxNameLength {
			return fmt.Errorf("%s %q: must be lower-case letters, digits and hyphens, starting with a letter, at most %d characters", flag, name, maxNameLength)
		}
		return nil
	}
	if cfg.app != "" {
		if err := check("--app", cfg.app); err != nil {
			return err
		}
	}
	for _, env := range cfg.envs {
		if err := check("--env", env); err != nil {
			return err
		}
	}
	return nil
}

// version is the module's version as the build recorded it: a tag for
// go install …@v1.2.3, "(devel)" for a build from a checkout.
func version() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "(devel)"
}

// rendered is one manifest's template.
type rendered struct {
	name string        // the workload's name
	at   diag.Position // where the manifest names it
	data []byte
}

// render renders one manifest for one environment and prints its problems
// to stderr, all of them in one sorted list; the status is exitOK,
// exitInput or exitUsage.
func render(cfg config, path, env string, stdin io.Reader, stderr io.Writer) (rendered, int) {
	out, problems, err := translate(cfg, path, env, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "cfngen: %v\n", err)
		return rendered{}, exitUsage
	}
	if problems != nil {
		fmt.Fprintln(stderr, problems)
		return rendered{}, exitInput
	}
	return out, exitOK
}

// translate renders one manifest for one environment: parse the manifest
// and the addons, translate them, marshal the template. It returns the
// template, or the manifest's problems, or an I/O error.
func translate(cfg config, path, env string, stdin io.Reader) (rendered, diag.List, error) {
	name, data, err := readManifest(path, stdin)
	if err != nil {
		return rendered{}, nil, err
	}
	if envmanifest.Is(data) {
		return translateEnvironment(cfg, name, env, data)
	}
	templates, params, err := readAddons(cfg, path)
	if err != nil {
		return rendered{}, nil, err
	}
	var errs diag.List
	w, err := manifest.Parse(name, data, manifest.Options{App: cfg.app, Env: env, Lookup: os.LookupEnv, ReadFile: envFileReader(path)})
	errs.Append(err)
	set, err := addons.Load(templates, params)
	errs.Append(err)
	ops, err := readPatches(path)
	if err != nil && !isList(err) {
		return rendered{}, nil, err
	}
	errs.Append(err)
	var t *cfn.Template
	if len(errs) == 0 {
		t, err = stack.Template(w, set, stack.Options{App: cfg.app, Env: env, CopilotEnv: cfg.copilotEnv})
		errs.Append(err)
	}
	var out []byte
	if len(errs) == 0 {
		out, err = marshal(t, ops, cfn.Format(cfg.format))
		errs.Append(err)
	}
	if len(errs) > 0 {
		errs.Sort()
		return rendered{}, errs, nil
	}
	return rendered{name: w.Name, at: diag.Position{File: w.File, Pos: w.ValuePos("name")}, data: out}, nil, nil
}

// translateEnvironment renders an environment manifest into the
// environment stack's template.
func translateEnvironment(cfg config, name, env string, data []byte) (rendered, diag.List, error) {
	var errs diag.List
	e, err := envmanifest.Parse(name, data)
	errs.Append(err)
	var out []byte
	if len(errs) == 0 {
		var t *cfn.Template
		t, err = envstack.Template(e, envstack.Options{App: cfg.app, Env: env, EFS: cfg.efs})
		if err == nil {
			out, err = cfn.Marshal(t, cfn.Format(cfg.format))
		}
		errs.Append(err)
	}
	if len(errs) > 0 {
		errs.Sort()
		return rendered{}, errs, nil
	}
	return rendered{name: e.Name, at: diag.Position{File: name, Pos: diag.Pos{Line: 1, Col: 1}}, data: out}, nil, nil
}

// marshal writes the template, after the YAML patches if there are any.
func marshal(t *cfn.Template, ops []patch.Op, f cfn.Format) ([]byte, error) {
	if len(ops) == 0 {
		return cfn.Marshal(t, f)
	}
	root, err := t.Root()
	if err != nil {
		return nil, err
	}
	if root, err = patch.Apply(root, ops); err != nil {
		return nil, err
	}
	return cfn.MarshalRoot(root, f)
}

// readPatches reads overrides/cfn.patches.yml beside the manifest, as
// Copilot laid it out. A CDK override (overrides/cdk.json) is refused:
// it needs Node.js and the CDK to run at deploy time.
func readPatches(manifestPath string) ([]patch.Op, error) {
	if manifestPath == "-" {
		return nil, nil
	}
	dir := filepath.Join(filepath.Dir(manifestPath), "overrides")
	if _, err := os.Stat(filepath.Join(dir, "cdk.json")); err == nil {
		return nil, diag.List{{File: filepath.Join(dir, "cdk.json"), Pos: diag.Pos{Line: 1, Col: 1},
			Msg: "CDK overrides are refused by design: they run Node.js and the CDK when Copilot deployed, and cfngen renders offline; write them as YAML patches in " + patch.FileName}}
	}
	file := filepath.Join(filepath.Dir(manifestPath), patch.FileName)
	data, err := readInput(file)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return patch.Parse(file, data)
}

func isList(err error) bool {
	var l diag.List
	return errors.As(err, &l)
}

// envFileReader reads the env files a manifest names as Copilot found
// them: relative to the workspace, the folder that holds copilot/, for a
// manifest at copilot/<svc>/manifest.yml, and relative to the manifest's
// folder otherwise (the current folder for standard input).
func envFileReader(manifestPath string) func(string) ([]byte, string, error) {
	base, what := ".", "the current folder"
	if manifestPath != "-" {
		dir := filepath.Dir(manifestPath)
		base, what = dir, "the manifest's folder "+dir
		if parent := filepath.Dir(dir); filepath.Base(parent) == "copilot" {
			base = filepath.Dir(parent)
			what = "the workspace " + base
		}
	}
	return func(name string) ([]byte, string, error) {
		path := name
		if !filepath.IsAbs(name) {
			path = filepath.Join(base, name)
		}
		data, err := readInput(path)
		if err != nil {
			return nil, path, fmt.Errorf("env_file %s, relative to %s: %w", name, what, unwrapPath(err))
		}
		return data, path, nil
	}
}

// unwrapPath drops the path an os error repeats.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// readAddons reads --addons, or else addons/ beside the manifest when it
// is there, as Copilot laid them out.
func readAddons(cfg config, manifestPath string) ([]addons.File, *addons.File, error) {
	dir := cfg.addons
	if dir == "" {
		if manifestPath == "-" {
			return nil, nil, nil
		}
		dir = filepath.Join(filepath.Dir(manifestPath), "addons")
	} else if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return nil, nil, fmt.Errorf("--addons %s: not a folder", dir)
	}
	return readAddonDir(dir, dir)
}

// readAddonDir reads the addon templates (*.yml, *.yaml, sorted by name)
// and the parameters file in dir; label replaces dir in the names errors
// show. A missing dir holds no addons.
func readAddonDir(dir, label string) (templates []addons.File, params *addons.File, err error) {
	entries, err := os.ReadDir(dir)
	if os.IsNotExist(err) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !(strings.HasSuffix(name, ".yml") || strings.HasSuffix(name, ".yaml")) {
			continue
		}
		data, err := readInput(filepath.Join(dir, name))
		if err != nil {
			return nil, nil, err
		}
		f := addons.File{Name: filepath.Join(label, name), Data: data}
		if slices.Contains(addons.ParametersFile, name) {
			if params != nil {
				return nil, nil, fmt.Errorf("%s: both %s and %s", dir, addons.ParametersFile[0], addons.ParametersFile[1])
			}
			params = &f
			continue
		}
		templates = append(templates, f)
	}
	return templates, params, nil
}

// maxInput is the most cfngen reads of a manifest or an addon: real ones
// are a few kilobytes.
const maxInput = 1 << 20

// readManifest reads the manifest and returns the name errors should use.
func readManifest(path string, stdin io.Reader) (string, []byte, error) {
	if path == "-" {
		data, err := io.ReadAll(io.LimitReader(stdin, maxInput+1))
		if err == nil && len(data) > maxInput {
			err = fmt.Errorf("standard input: larger than %d bytes", maxInput)
		}
		return "<stdin>", data, err
	}
	data, err := readInput(path)
	return path, data, err
}

// readInput reads a regular file of at most maxInput bytes. A FIFO, a
// device or a link to one is refused before it is opened for reading, so
// that it can neither hang cfngen nor fill its memory.
func readInput(path string) ([]byte, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	if info.Size() > maxInput {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, maxInput)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxInput+1))
	if err == nil && len(data) > maxInput {
		err = fmt.Errorf("%s: larger than %d bytes", path, maxInput)
	}
	return data, err
}

// sameFile reports whether two paths name one existing file.
func sameFile(a, b string) bool {
	ia, err1 := os.Stat(a)
	ib, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(ia, ib)
}
