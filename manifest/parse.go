// Package manifest parses and validates AWS Copilot workload manifests,
// keeping the position of every node so each error points at its line.
// It does no I/O: it is handed bytes and a way to look up variables.
package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/cfngen/cfngen/diag"
	"github.com/cfngen/cfngen/yamldec"
	"gopkg.in/yaml.v3"
)

// Options says how to read a manifest.
type Options struct {
	// App and Env are COPILOT_APPLICATION_NAME and COPILOT_ENVIRONMENT_NAME
	// for interpolation; Env also selects environments.<Env>.
	App, Env string
	// Lookup finds other ${NAME}s, usually os.LookupEnv.
	Lookup func(name string) (string, bool)
	// ReadFile reads an env_file the manifest names, and says what to call
	// it in errors; nil refuses env_file.
	ReadFile func(name string) (data []byte, shown string, err error)
}

// Parse reads the manifest in data; file names it in errors. The error, if
// any, is an diag.List holding every problem found, sorted by position.
func Parse(file string, data []byte, opts Options) (*Workload, error) {
	d := &decoder{yamldec.Decoder{File: file}}
	root, release, fast := d.document(data)
	if root == nil {
		return nil, d.Errs.Err()
	}
	// the workload holds no node: the tree goes back once it is read
	defer release()
	// a position is recorded for about every 25 bytes of a manifest (108
	// for the benchmark's 2.7 KB)
	d.At.Reserve(len(data) / 24)
	var at treePath
	if !fast {
		// a tree yamldec.Parse read holds no tag and no NUL
		d.checkText(root, &at)
	}
	d.interpolate(root, &at, opts)
	d.applyEnvironment(root, opts.Env)
	w := d.workload(root)
	if len(d.Errs) == 0 {
		d.readEnvFiles(w, opts.ReadFile)
	}
	if len(d.Errs) == 0 {
		d.validate(w)
	}
	if d.Dropped > 0 {
		d.Errs.Add(d.File, d.First, "", fmt.Sprintf("%d more problems from here on, not shown: fix these first", d.Dropped))
	}
	if len(d.Errs) > 0 {
		return nil, d.Errs.Err()
	}
	return w, nil
}

// document decodes the single YAML document in data, turning yaml.v3's
// syntax errors ("yaml: line 9: ...") into positioned errors.
func (d *decoder) document(data []byte) (root *yaml.Node, release func(), fast bool) {
	if doc, release, ok := yamldec.Parse(data); ok {
		return d.rootMapping(doc.Content[0]), release, true
	}
	return d.documentV3(data), func() {}, false
}

// documentV3 reads what yamldec.Parse leaves, and words the errors.
func (d *decoder) documentV3(data []byte) *yaml.Node {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			d.Errs.Add(d.File, diag.Pos{Line: 1, Col: 1}, "", "the manifest is empty")
			return nil
		}
		d.syntaxError(data, err)
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		d.Errs.Add(d.File, diag.Pos{Line: extra.Line, Col: extra.Column}, "", "a manifest holds one YAML document; found another")
		return nil
	} else if !errors.Is(err, io.EOF) {
		d.syntaxError(data, err)
		return nil
	}
	return d.rootMapping(doc.Content[0])
}

func (d *decoder) rootMapping(root *yaml.Node) *yaml.Node {
	if root.Kind != yaml.MappingNode {
		d.Errorf(root, "", "the manifest must be a map of fields")
		return nil
	}
	return root
}

func (d *decoder) syntaxError(data []byte, err error) {
	d.Errs = append(d.Errs, diag.YAMLSyntax(d.File, data, err))
}

// checkText refuses NUL characters anywhere: neither ECS nor CloudFormation
// has a use for them, and the cfn package reserves them for intrinsics.
func (d *decoder) checkText(n *yaml.Node, at *treePath) {
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		// Copilot read no tags either: !Ref AWS::AccountId would become
		// the literal text.
		d.Errorf(n, at.String(), "YAML tag %s is not read in a manifest: CloudFormation functions go in addons", n.Tag)
		return
	}
	switch n.Kind {
	case yaml.ScalarNode:
		if strings.ContainsRune(n.Value, 0) {
			d.Errorf(n, at.String(), "must not contain a NUL character")
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			d.checkText(n.Content[i], at)
			at.key(n.Content[i].Value)
			d.checkText(n.Content[i+1], at)
			at.pop()
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			at.index(i)
			d.checkText(c, at)
			at.pop()
		}
	}
}

// treePath is where a walk of the whole tree stands: the keys and list
// indexes from the root, written out as a path (a.b[2].c) only when a
// problem needs it, not at every node.
type treePath []pathStep

type pathStep struct {
	key   string
	index int // -1 for a key
}

func (p *treePath) key(k string) { *p = append(*p, pathStep{k, -1}) }
func (p *treePath) index(i int)  { *p = append(*p, pathStep{index: i}) }
func (p *treePath) pop()         { *p = (*p)[:len(*p)-1] }

func (p *treePath) String() string {
	path := ""
	for _, s := range *p {
		if s.index >= 0 {
			path += "[" + strconv.Itoa(s.index) + "]"
		} else {
			path = join(path, s.key)
		}
	}
	return path
}

// interpolation finds ${NAME} and \${NAME}; compiled on first use, as
// most manifests interpolate nothing.
var interpolation = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\\?\$\{([^}]*)\}`) })

// interpolate replaces ${NAME} in string values (not keys) in place.
// \${NAME} stays as the literal ${NAME}; bare $NAME is left alone. Aliases
// are not followed: the node they name is visited where it is defined.
func (d *decoder) interpolate(n *yaml.Node, at *treePath, opts Options) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			at.key(n.Content[i].Value)
			d.interpolate(n.Content[i+1], at, opts)
			at.pop()
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			at.index(i)
			d.interpolate(c, at, opts)
			at.pop()
		}
	case yaml.ScalarNode:
		if !strings.Contains(n.Value, "${") {
			return
		}
		out := interpolation().ReplaceAllStringFunc(n.Value, func(m string) string {
			if strings.HasPrefix(m, `\`) {
				return m[1:]
			}
			name := m[2 : len(m)-1]
			if !validIdentifier(name) {
				return m
			}
			if v, ok := lookup(name, opts); ok {
				return v
			}
			d.Errorf(n, at.String(), "undefined variable ${%s}: set it in the environment or with --app/--env", name)
			return m
		})
		if out != n.Value {
			n.Value = out
			if n.Style == 0 {
				// A plain scalar is typed by what it now says: port: ${PORT}.
				n.Tag = retag(out)
			}
		}
	}
}

func lookup(name string, opts Options) (string, bool) {
	switch {
	case name == "COPILOT_APPLICATION_NAME" && opts.App != "":
		return opts.App, true
	case name == "COPILOT_ENVIRONMENT_NAME" && opts.Env != "":
		return opts.Env, true
	case opts.Lookup != nil:
		return opts.Lookup(name)
	}
	return "", false
}

// retag gives an interpolated plain scalar the tag YAML would have given
// the same text.
func retag(s string) string {
	var v any
	if err := yaml.Unmarshal([]byte(s), &v); err == nil {
		switch v.(type) {
		case int:
			return "!!int"
		case bool:
			return "!!bool"
		case float64:
			return "!!float"
		}
	}
	return "!!str"
}
