package golden

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cfngen/cfngen/manifest"
)

// refusedByDesign are the Copilot fields cfngen refuses on purpose, each
// with the reason the README gives.
var refusedByDesign = map[string]string{
	"network.vpc.placement.subnets.from_tags.<name>": "a lookup of subnets by tag in the account; cfngen renders offline",
}

// TestEveryCopilotField walks every field Copilot accepts for each of the
// four workload types (golden/copilot/fields) through cfngen's schema: each
// must be there, or be refused by design above.
func TestEveryCopilotField(t *testing.T) {
	var schema map[string]any
	if err := json.Unmarshal(manifest.Schema(), &schema); err != nil {
		t.Fatal(err)
	}
	lists, _ := filepath.Glob("copilot/fields/*.txt")
	if len(lists) != 4 {
		t.Fatalf("want Copilot's four field lists in copilot/fields, found %v", lists)
	}
	for _, list := range lists {
		data, err := os.ReadFile(list)
		if err != nil {
			t.Fatal(err)
		}
		for _, field := range strings.Fields(string(data)) {
			if _, ok := refusedByDesign[field]; ok {
				continue
			}
			if !schemaHas(schema, schema, steps(field)) {
				t.Errorf("%s: %s is a Copilot field neither in cfngen's schema nor refused by design", filepath.Base(list), field)
			}
		}
	}
	for field := range refusedByDesign {
		if schemaHas(schema, schema, steps(field)) {
			t.Errorf("%s is refused by design but in the schema", field)
		}
	}
}

// steps splits a.b[].c.<name> into a, b, [], c, <name>.
func steps(field string) []string {
	var out []string
	for _, part := range strings.Split(field, ".") {
		if name, ok := strings.CutSuffix(part, "[]"); ok {
			out = append(out, name, "[]")
			continue
		}
		out = append(out, part)
	}
	return out
}

// schemaHas reports whether the schema node reaches the steps: through
// properties, additionalProperties for <name>, items for [], and every
// alternative of $ref, oneOf, anyOf and allOf.
func schemaHas(root, node map[string]any, path []string) bool {
	if len(path) == 0 {
		return true
	}
	if ref, ok := node["$ref"].(string); ok {
		def := root
		for _, k := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			def, _ = def[k].(map[string]any)
		}
		if def != nil && schemaHas(root, def, path) {
			return true
		}
	}
	for _, key := range []string{"oneOf", "anyOf", "allOf"} {
		alts, _ := node[key].([]any)
		for _, a := range alts {
			if m, ok := a.(map[string]any); ok && schemaHas(root, m, path) {
				return true
			}
		}
	}
	step := path[0]
	switch {
	case step == "[]":
		if items, ok := node["items"].(map[string]any); ok {
			return schemaHas(root, items, path[1:])
		}
	case step == "<name>":
		if extra, ok := node["additionalProperties"].(map[string]any); ok {
			return schemaHas(root, extra, path[1:])
		}
	default:
		props, _ := node["properties"].(map[string]any)
		if child, ok := props[step].(map[string]any); ok {
			return schemaHas(root, child, path[1:])
		}
	}
	return false
}
