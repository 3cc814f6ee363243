package patch

import (
	"errors"
	"testing"

	"github.com/cfngen/cfngen/cfn"
	"github.com/cfngen/cfngen/diag"
	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

// tree reads a template from YAML.
func tree(t testing.TB, text string) cfn.Map {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(text), &n); err != nil {
		t.Fatal(err)
	}
	v, err := cfn.FromYAML(&n)
	if err != nil {
		t.Fatal(err)
	}
	return v.(cfn.Map)
}

const base = `Resources:
  LogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: 30
      Tags: [a, b]
`

// Apply follows RFC 6902 for add, remove and replace, ~1 and ~0 included.
func TestApply(t *testing.T) {
	ops, err := Parse("p.yml", []byte(`- op: replace
  path: /Resources/LogGroup/Properties/RetentionInDays
  value: 7
- op: add
  path: /Resources/LogGroup/Properties/Tags/1
  value: x
- op: remove
  path: /Resources/LogGroup/Properties/Tags/0
- op: add
  path: /Resources/LogGroup/Metadata/a~1b~0c
  value: !Ref AWS::Region
`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Apply(tree(t, base), ops)
	if err != nil {
		t.Fatal(err)
	}
	want := tree(t, `Resources:
  LogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      RetentionInDays: 7
      Tags: [x, b]
    Metadata:
      a/b~c: !Ref AWS::Region
`)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Apply() mismatch (-want +got):\n%s", diff)
	}
}

// FuzzPatch: no patch file panics the parser or the applier, and every
// problem is positioned in the patch file.
func FuzzPatch(f *testing.F) {
	f.Add([]byte("- op: add\n  path: /Resources/X/Properties/Tags/-\n  value: 1\n"))
	f.Add([]byte("- op: remove\n  path: /Resources/LogGroup/Properties/Tags/5\n"))
	f.Add([]byte("- op: replace\n  path: /Resources/LogGroup/Type/x\n  value: {a: !Sub x}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		ops, err := Parse("p.yml", data)
		if err == nil {
			_, err = Apply(tree(t, base), ops)
		}
		if err == nil {
			return
		}
		var list diag.List
		if !errors.As(err, &list) {
			t.Fatalf("unpositioned error: %v", err)
		}
		for _, p := range list {
			if p.File != "p.yml" || p.Line < 1 || p.Col < 1 {
				t.Fatalf("problem not positioned: %q", p.Error())
			}
		}
	})
}
