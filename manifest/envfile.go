package manifest

import (
	"bytes"
	"strings"

	"github.com/cfngen/cfngen/diag"
	"gopkg.in/yaml.v3"
)

// An env_file is read when the manifest is, and its variables join the
// container's environment, so that the template holds them: Copilot
// uploaded the file to S3 at deploy time and ECS read it from there, which
// a standalone template deploying from anywhere cannot count on. cfngen
// check then catches a template whose env file changed.

// envFileName reads env_file: a path, relative to the workspace (the
// folder that holds copilot/) or the manifest's folder.
func (d *decoder) envFileName(n *yaml.Node, path string) envFile {
	name, _ := d.NonEmpty(n, path)
	return envFile{name: name, at: pos(n)}
}

// envFile is an env_file as the manifest names it.
type envFile struct {
	name string
	at   diag.Pos
}

// readEnvFiles reads every container's env file and adds its variables,
// the manifest's own winning as ECS lets them.
func (d *decoder) readEnvFiles(w *Workload, read func(string) ([]byte, string, error)) {
	for _, c := range w.Containers() {
		if c.envFile.name == "" {
			continue
		}
		p := containerPath(c, w, "env_file")
		if read == nil {
			d.Errs.Add(d.File, c.envFile.at, p, "env_file cannot be read here: cfngen reads it beside the manifest")
			continue
		}
		data, shown, err := read(c.envFile.name)
		if err != nil {
			d.Errs.Add(d.File, c.envFile.at, p, err.Error())
			continue
		}
		vars, errs := parseEnvFile(shown, data)
		d.Errs = append(d.Errs, errs...)
		own := map[string]bool{}
		for _, v := range c.Variables {
			own[v.Name] = true
		}
		for _, v := range vars {
			if !own[v.Name] {
				c.Variables = append(c.Variables, v)
			}
		}
	}
}

// parseEnvFile reads ECS's env-file syntax: NAME=VALUE a line, the value
// taken as written (no quotes are processed), # comments and blank lines
// skipped. A name set twice keeps its first value.
func parseEnvFile(file string, data []byte) ([]Variable, diag.List) {
	var out []Variable
	var errs diag.List
	seen := map[string]bool{}
	for i, line := range bytes.Split(data, []byte("\n")) {
		text := strings.TrimSuffix(string(line), "\r")
		if strings.TrimSpace(text) == "" || strings.HasPrefix(strings.TrimSpace(text), "#") {
			continue
		}
		pos := diag.Pos{Line: i + 1, Col: 1}
		name, value, ok := strings.Cut(text, "=")
		switch {
		case !ok:
			errs.Add(file, pos, "", "must be NAME=VALUE")
		case !validIdentifier(name):
			errs.Add(file, pos, name, "must be a variable name: letters, digits and underscores, not starting with a digit")
		case strings.ContainsRune(value, 0):
			errs.Add(file, pos, name, "must not contain a NUL character")
		case !seen[name]:
			seen[name] = true
			out = append(out, Variable{Name: name, Value: value, At: &diag.Position{File: file, Pos: pos}})
		}
	}
	return out, errs
}
