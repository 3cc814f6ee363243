// Package patch applies Copilot's YAML patch overrides, the file
// overrides/cfn.patches.yml beside a manifest: RFC 6902 JSON Patch
// operations add, remove and replace, with RFC 6901 JSON Pointer paths over
// the whole template, applied in order after everything else.
package patch

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/diag"
	"gopkg.in/yaml.v3"
)

// FileName is where Copilot kept the patches, beside the manifest.
const FileName = "overrides/cfn.patches.yml"

// Op is one operation.
type Op struct {
	Op    string // add, remove or replace
	Path  string
	Value any // a template tree; nil for remove

	tokens []string
	file   string
	at     diag.Pos // of the path
}

// Parse reads a patch file; file names it in errors. The error is a
// diag.List of positioned problems.
func Parse(file string, data []byte) ([]Op, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, diag.List{diag.YAMLSyntax(file, data, err)}
	}
	var errs diag.List
	root := doc.Content[0]
	if root.Kind != yaml.SequenceNode {
		errs.Add(file, pos(root), "", "must be a list of operations: - op: add|remove|replace, path: /Resources/…, value: …")
		return nil, errs
	}
	var ops []Op
	for i, item := range root.Content {
		where := fmt.Sprintf("[%d]", i)
		if item.Kind != yaml.MappingNode {
			errs.Add(file, pos(item), where, "must be a mapping of op, path and value")
			continue
		}
		op := Op{file: file, at: pos(item)}
		var hasValue bool
		for j := 0; j+1 < len(item.Content); j += 2 {
			k, v := item.Content[j], item.Content[j+1]
			switch k.Value {
			case "op":
				op.Op = v.Value
				if op.Op != "add" && op.Op != "remove" && op.Op != "replace" {
					errs.Add(file, pos(v), where+".op", fmt.Sprintf("must be add, remove or replace, got %q", v.Value))
				}
			case "path":
				op.Path, op.at = v.Value, pos(v)
				tokens, err := pointer(v.Value)
				if err != nil {
					errs.Add(file, pos(v), where+".path", err.Error())
				}
				op.tokens = tokens
			case "value":
				tree, err := cfn.FromYAML(v)
				if err != nil {
					errs.Add(file, pos(v), where+".value", err.Error())
				}
				op.Value, hasValue = tree, true
			default:
				errs.Add(file, pos(k), where, fmt.Sprintf("unknown field %q: an operation has op, path and value", k.Value))
			}
		}
		switch {
		case op.Op == "" || op.Path == "":
			errs.Add(file, pos(item), where, "needs op and path")
		case op.Op == "remove" && hasValue:
			errs.Add(file, pos(item), where, "remove takes no value")
		case (op.Op == "add" || op.Op == "replace") && !hasValue:
			errs.Add(file, pos(item), where, op.Op+" needs a value")
		}
		ops = append(ops, op)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return ops, nil
}

func pos(n *yaml.Node) diag.Pos { return diag.Pos{Line: n.Line, Col: n.Column} }

// pointer splits a JSON Pointer into its reference tokens, ~1 read as /
// and ~0 as ~.
func pointer(p string) ([]string, error) {
	if !strings.HasPrefix(p, "/") || p == "/" {
		return nil, fmt.Errorf("must be a JSON Pointer into the template, such as /Resources/LogGroup/Properties, got %q", p)
	}
	parts := strings.Split(p[1:], "/")
	for i, t := range parts {
		if strings.Contains(strings.ReplaceAll(strings.ReplaceAll(t, "~0", ""), "~1", ""), "~") {
			return nil, fmt.Errorf("%q: ~ must be ~0 or ~1", t)
		}
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return parts, nil
}

// Apply applies the operations in order to the template's tree. The error
// is a diag.List, each problem at its operation's path.
func Apply(root cfn.Map, ops []Op) (cfn.Map, error) {
	var errs diag.List
	for _, op := range ops {
		out, err := apply(root, op.tokens, op)
		if err != nil {
			errs.Add(op.file, op.at, "", fmt.Sprintf("%s %s: %v", op.Op, op.Path, err))
			continue
		}
		root = out.(cfn.Map)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return root, nil
}

// apply carries op out below node and returns the changed node.
func apply(node any, tokens []string, op Op) (any, error) {
	t, last := tokens[0], len(tokens) == 1
	switch n := node.(type) {
	case cfn.Map:
		child, exists := n.Get(t)
		if last {
			switch {
			case op.Op == "add":
				n.Set(t, op.Value)
			case !exists:
				return nil, fmt.Errorf("there is no %q", t)
			case op.Op == "remove":
				n.Delete(t)
			default:
				n.Set(t, op.Value)
			}
			return n, nil
		}
		if !exists && op.Op != "add" {
			return nil, fmt.Errorf("there is no %q", t)
		}
		if !exists {
			// add makes what is missing on the way, as Copilot's
			// templates often had it (a task role's Policies): a list
			// when the next token indexes one, else a mapping.
			child = cfn.Map{}
			if next := tokens[1]; next == "-" || next == "0" {
				child = cfn.List{}
			}
		}
		sub, err := apply(child, tokens[1:], op)
		if err != nil {
			return nil, err
		}
		n.Set(t, sub)
		return n, nil
	case cfn.List:
		i, err := index(t, len(n), last && op.Op == "add")
		if err != nil {
			return nil, err
		}
		if last {
			out := append(cfn.List(nil), n[:i]...)
			switch op.Op {
			case "add":
				out = append(append(out, op.Value), n[i:]...)
			case "remove":
				out = append(out, n[i+1:]...)
			default:
				out = append(append(out, op.Value), n[i+1:]...)
			}
			return out, nil
		}
		sub, err := apply(n[i], tokens[1:], op)
		if err != nil {
			return nil, err
		}
		n[i] = sub
		return n, nil
	case cfn.Func:
		return nil, fmt.Errorf("%q is inside %s, a function, not a mapping or list", t, n.Name)
	}
	return nil, fmt.Errorf("%q is below a scalar", t)
}

// index reads an array token: digits, or - (the end) to add.
func index(t string, n int, adding bool) (int, error) {
	if t == "-" && adding {
		return n, nil
	}
	i, err := strconv.Atoi(t)
	if err != nil || i < 0 || (t != "0" && strings.HasPrefix(t, "0")) {
		return 0, fmt.Errorf("%q is not a list index (digits, or - to add at the end)", t)
	}
	limit := n
	if adding {
		limit = n + 1
	}
	if i >= limit {
		return 0, fmt.Errorf("the list has %d items", n)
	}
	return i, nil
}
