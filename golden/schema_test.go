package golden

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cfngen/cfngen/manifest"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// unknownKeyCases are golden error cases whose manifest has a field no
// Copilot manifest has; the schema must reject each.
var unknownKeyCases = []string{"err-unknown-field", "err-every-problem", "err-env-override-field"}

// TestSchema checks the JSON Schema with a JSON Schema library: it accepts
// every manifest that renders and rejects every unknown-field case.
func TestSchema(t *testing.T) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(manifest.Schema()))
	if err != nil {
		t.Fatalf("the schema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("manifest.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("manifest.schema.json")
	if err != nil {
		t.Fatalf("the schema does not compile: %v", err)
	}
	check := func(t *testing.T, dir string) error {
		data, err := os.ReadFile(filepath.Join("testdata", dir, "manifest.yml"))
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := yaml.Unmarshal(data, &v); err != nil {
			t.Fatal(err)
		}
		js, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
		if err != nil {
			t.Fatal(err)
		}
		return schema.Validate(inst)
	}
	for _, c := range stacks(t) {
		if strings.HasPrefix(c.name, "env-") {
			continue // an environment manifest: another dialect, without a schema
		}
		if err := check(t, c.name); err != nil {
			t.Errorf("%s renders, but the schema rejects it: %v", c.name, err)
		}
	}
	for _, name := range unknownKeyCases {
		if err := check(t, name); err == nil {
			t.Errorf("%s has an unknown field, but the schema accepts it", name)
		}
	}
}
