package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/cfngen/cfngen/manifest"
)

// runValidate reports every problem in every manifest, for every --env,
// and prints nothing else.
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
	for _, path := range cfg.args {
		for _, env := range envs {
			_, code := render(cfg, path, env, stdin, stderr)
			worst = max(worst, code)
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
