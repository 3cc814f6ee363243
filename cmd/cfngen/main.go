// Command cfngen renders an AWS Copilot workload manifest into one
// standalone CloudFormation template.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/cfngen/cfngen/addons"
	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/manifest"
	"github.com/cfngen/cfngen/stack"
)

// Exit statuses.
const (
	exitOK    = 0
	exitInput = 1 // the manifest is wrong
	exitUsage = 2 // usage or I/O error
)

const usage = `usage: cfngen [flags] MANIFEST

Renders a Copilot workload manifest ("-" reads standard input) into a
CloudFormation template on standard output.

flags:
`

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

// config is what the command line asks for.
type config struct {
	app, env, out, format string
	addons                string
	manifest              string
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cfg, err := parseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "cfngen: %v\n", err)
		return exitUsage
	}
	name, data, err := readManifest(cfg.manifest, stdin)
	if err != nil {
		fmt.Fprintf(stderr, "cfngen: %v\n", err)
		return exitUsage
	}
	opts := stack.Options{App: cfg.app, Env: cfg.env, Format: cfn.Format(cfg.format), Lookup: os.LookupEnv}
	if opts.Addons, opts.AddonParameters, err = readAddons(cfg); err != nil {
		fmt.Fprintf(stderr, "cfngen: %v\n", err)
		return exitUsage
	}
	out, err := stack.Render(name, data, opts)
	if err != nil {
		var list manifest.ErrorList
		if errors.As(err, &list) {
			fmt.Fprintln(stderr, list.Error())
		} else {
			fmt.Fprintf(stderr, "%s: %v\n", name, err)
		}
		return exitInput
	}
	if cfg.out == "" {
		if _, err := stdout.Write(out); err != nil {
			fmt.Fprintf(stderr, "cfngen: %v\n", err)
			return exitUsage
		}
		return exitOK
	}
	if err := writeAtomic(cfg.out, out); err != nil {
		fmt.Fprintf(stderr, "cfngen: %v\n", err)
		return exitUsage
	}
	return exitOK
}

// parseArgs reads flags wherever they stand on the line, as users type
// "cfngen manifest.yml --env prod" as often as the other way round.
func parseArgs(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("cfngen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.app, "app", "", "application `name` (COPILOT_APPLICATION_NAME)")
	fs.StringVar(&cfg.env, "env", "", "environment `name` (COPILOT_ENVIRONMENT_NAME)")
	fs.StringVar(&cfg.out, "o", "", "write the template to `file`, atomically, instead of standard output")
	fs.StringVar(&cfg.format, "format", "yaml", "output `format`: yaml or json")
	fs.StringVar(&cfg.addons, "addons", "", "addon templates to merge from `dir` (default: addons/ beside MANIFEST, if there)")
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return cfg, err
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
	switch {
	case len(positional) != 1:
		fs.Usage()
		return cfg, fmt.Errorf("want one manifest, got %d", len(positional))
	case cfg.format != "yaml" && cfg.format != "json":
		return cfg, fmt.Errorf("--format must be yaml or json, got %q", cfg.format)
	}
	cfg.manifest = positional[0]
	return cfg, nil
}

// readAddons reads --addons, or else addons/ beside the manifest when it
// is there, as Copilot laid them out.
func readAddons(cfg config) ([]addons.File, *addons.File, error) {
	dir := cfg.addons
	if dir == "" {
		if cfg.manifest == "-" {
			return nil, nil, nil
		}
		dir = filepath.Join(filepath.Dir(cfg.manifest), "addons")
	} else if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return nil, nil, fmt.Errorf("--addons %s: not a folder", dir)
	}
	return addons.ReadDir(dir, dir)
}

// readManifest reads the manifest and returns the name errors should use.
func readManifest(path string, stdin io.Reader) (string, []byte, error) {
	if path == "-" {
		data, err := io.ReadAll(stdin)
		return "<stdin>", data, err
	}
	data, err := os.ReadFile(path)
	return path, data, err
}

// writeAtomic writes data to a temporary file beside path and renames it
// into place, so a reader never sees half a template.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".cfngen-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
