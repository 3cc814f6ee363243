package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/cfngen/cfngen/addons"
	"github.com/cfngen/cfngen/diag"
	"github.com/cfngen/cfngen/manifest"
	"github.com/cfngen/cfngen/migrate"
	"github.com/cfngen/cfngen/stack"
)

// runValidate reports every problem in every manifest, for every --env,
// and prints nothing else. With several --env, a problem is printed once,
// naming the environments it is found in; two manifests of one workload
// name are a problem too, as they would be one stack.
func runValidate(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, err := parseArgs("cfngen validate", args, stdout, false)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "cfngen validate: %v\n", err)
		return exitUsage
	}
	envs := cfg.envs
	if len(envs) == 0 {
		envs = []string{""}
	}
	worst := exitOK
	var problems diag.List
	// in lists the environments each problem is found in, by its line.
	in := map[string][]string{}
	named := map[string]diag.Position{} // workload name and env → where
	for _, path := range cfg.args {
		for _, env := range envs {
			out, list, err := translate(cfg, path, env, stdin)
			if err != nil {
				fmt.Fprintf(stderr, "cfngen validate: %v\n", err)
				worst = exitUsage
				continue
			}
			if list == nil {
				key := out.name + "\x00" + env
				if first, dup := named[key]; dup && first.File != out.at.File {
					list = diag.List{{File: out.at.File, Pos: out.at.Pos, Path: "name",
						Msg: fmt.Sprintf("names the workload %q, one stack, as does the manifest", out.name), Also: &first}}
				} else {
					named[key] = out.at
				}
			}
			for _, e := range list {
				line := e.Error()
				if len(in[line]) == 0 {
					problems = append(problems, e)
				}
				in[line] = append(in[line], env)
			}
		}
	}
	if len(problems) > 0 {
		worst = max(worst, exitInput)
		problems.Sort()
		for _, e := range problems {
			line := e.Error()
			if len(envs) > 1 {
				line += " (with --env " + strings.Join(in[line], ", ") + ")"
			}
			fmt.Fprintln(stderr, line)
		}
	}
	return worst
}

// runCheck exits 0 when STACK is exactly what cfngen renders for MANIFEST,
// and 1 with a unified diff on stderr when it is stale.
func runCheck(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, err := parseArgs("cfngen check", args, stdout, false)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err == nil && (len(cfg.args) != 2 || len(cfg.envs) > 1) {
		err = fmt.Errorf("want MANIFEST STACK and at most one --env")
	}
	if err != nil {
		fmt.Fprintf(stderr, "cfngen check: %v\n", err)
		return exitUsage
	}
	manifestPath, stackPath := cfg.args[0], cfg.args[1]
	committed, err := os.ReadFile(stackPath)
	if err != nil {
		fmt.Fprintf(stderr, "cfngen check: %v\n", err)
		return exitUsage
	}
	if strings.HasSuffix(stackPath, ".json") {
		cfg.format = "json"
	}
	out, code := render(cfg, manifestPath, cfg.env(), stdin, stderr)
	if code != exitOK {
		return code
	}
	if d := unifiedDiff(stackPath, "rendered from "+manifestPath, string(committed), string(out.data)); d != "" {
		fmt.Fprintf(stderr, "%s is stale: render it again with cfngen.\n%s", stackPath, d)
		return exitInput
	}
	return exitOK
}

// runSchema prints the JSON Schema of the manifest dialect.
func runSchema(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "cfngen schema: takes no arguments\n")
		return exitUsage
	}
	if _, err := stdout.Write(manifest.Schema()); err != nil {
		fmt.Fprintf(stderr, "cfngen schema: %v\n", err)
		return exitUsage
	}
	return exitOK
}

// runMigrate writes the plan that moves a Copilot service with addons onto
// cfngen's template without losing the addons' data.
func runMigrate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("cfngen migrate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var app, env, addonsDir, resources, stackFile, outDir string
	fs.StringVar(&app, "app", "", "application `name`")
	fs.StringVar(&env, "env", "", "environment `name`")
	fs.StringVar(&addonsDir, "addons", "", "addon templates `dir` (default: addons/ beside MANIFEST)")
	fs.StringVar(&resources, "addons-resources", "", "`file`: aws cloudformation describe-stack-resources --stack-name <AddonsStack's stack> --output json")
	fs.StringVar(&stackFile, "addons-stack", "", "`file`: aws cloudformation describe-stacks --stack-name <AddonsStack's stack> --output json")
	fs.StringVar(&outDir, "out-dir", "", "write the plan's files into `dir`")
	var manifestPath string
	for len(args) > 0 {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprintln(stdout, "usage: cfngen migrate --app A --env E --addons-resources FILE --addons-stack FILE --out-dir DIR MANIFEST")
				fs.SetOutput(stdout)
				fs.PrintDefaults()
				return exitOK
			}
			fmt.Fprintf(stderr, "cfngen migrate: %v\n", err)
			return exitUsage
		}
		if args = fs.Args(); len(args) > 0 {
			if manifestPath != "" {
				fmt.Fprintln(stderr, "cfngen migrate: one manifest")
				return exitUsage
			}
			manifestPath, args = args[0], args[1:]
		}
	}
	if manifestPath == "" || app == "" || env == "" || resources == "" || stackFile == "" || outDir == "" {
		fmt.Fprintln(stderr, "cfngen migrate: want --app, --env, --addons-resources, --addons-stack, --out-dir and MANIFEST")
		return exitUsage
	}
	cfg := config{app: app, envs: []string{env}, addons: addonsDir, format: "yaml", copilotEnv: true}
	if err := checkNames(cfg); err != nil {
		fmt.Fprintf(stderr, "cfngen migrate: %v\n", err)
		return exitUsage
	}
	name, data, err := readManifest(manifestPath, nil)
	var templates []addons.File
	var params *addons.File
	if err == nil {
		templates, params, err = readAddons(cfg, manifestPath)
	}
	var resData, stackData []byte
	if err == nil {
		resData, err = readInput(resources)
	}
	if err == nil {
		stackData, err = readInput(stackFile)
	}
	if err != nil {
		fmt.Fprintf(stderr, "cfngen migrate: %v\n", err)
		return exitUsage
	}
	w, err := manifest.Parse(name, data, manifest.Options{App: app, Env: env, Lookup: os.LookupEnv, ReadFile: envFileReader(manifestPath)})
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitInput
	}
	files, err := migrate.Plan(migrate.Inputs{Workload: w, Templates: templates, Params: params,
		Options: stack.Options{App: app, Env: env, CopilotEnv: true}, Resources: resData, Stack: stackData})
	if err != nil {
		fmt.Fprintln(stderr, "cfngen migrate:", err)
		return exitInput
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		fmt.Fprintf(stderr, "cfngen migrate: %v\n", err)
		return exitUsage
	}
	var staged []staged
	for _, f := range files {
		s, err := stage(filepath.Join(outDir, f.Name), f.Data)
		if err != nil {
			fmt.Fprintf(stderr, "cfngen migrate: %v\n", err)
			return exitUsage
		}
		staged = append(staged, s)
	}
	if err := commit(staged); err != nil {
		fmt.Fprintf(stderr, "cfngen migrate: %v\n", err)
		return exitUsage
	}
	return exitOK
}
