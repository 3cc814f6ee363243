package addons

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/cfngen/cfngen/cfn"
	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

func readFiles(t *testing.T, paths ...string) []File {
	t.Helper()
	var out []File
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, File{Name: filepath.Base(p), Data: data})
	}
	return out
}

// Copilot's merge case: first.yaml and second.yaml, written with different
// indentation, order, comments and quoting, merge into wanted.yaml.
func TestMergeCopilotCase(t *testing.T) {
	set, err := Merge(readFiles(t, "testdata/merge/first.yaml", "testdata/merge/second.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(readFiles(t, "testdata/merge/wanted.yaml")[0].Data, &doc); err != nil {
		t.Fatal(err)
	}
	tree, err := cfn.FromYAML(&doc)
	if err != nil {
		t.Fatal(err)
	}
	want := tree.(cfn.Map)
	got := map[string]any{"Metadata": set.Metadata, "Parameters": set.Parameters, "Mappings": set.Mappings,
		"Conditions": set.Conditions, "Transform": set.Transform, "Resources": set.Resources, "Outputs": set.Outputs}
	for _, section := range want {
		g := got[section.Key]
		if diff := cmp.Diff(section.Value, g); diff != "" {
			t.Errorf("%s mismatch (-want +got):\n%s", section.Key, diff)
		}
	}
}

// Copilot's storage addons merge and bind as they are.
func TestStorageAddons(t *testing.T) {
	for _, name := range []string{"aurora.yml", "bucket.yml", "ddb.yml"} {
		set, err := Merge(readFiles(t, filepath.Join("testdata/storage", name)))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		set.Bind(nil)
		if _, ok := set.Parameters.Get("App"); ok {
			t.Errorf("%s: App is still a parameter after binding", name)
		}
	}
}

func TestBindRewritesRefsAndSubs(t *testing.T) {
	set, err := Merge([]File{{Name: "a.yml", Data: []byte(`
Parameters:
  App: {Type: String}
  Env: {Type: String}
  Name: {Type: String}
  Role: {Type: String}
  Size: {Type: Number, Default: 5}
Resources:
  Q:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub '${App}-${ Env }-${Name}-${Role}-${Own}-${!Literal}'
      Tags:
        - Key: app
          Value: !Ref App
        - Key: role
          Value: !Ref Role
        - Key: own
          Value: !Sub ['${App}-${Own}', {Own: !Ref Size}]
`)}})
	if err != nil {
		t.Fatal(err)
	}
	set.Bind(map[string]any{"Role": cfn.Func{Name: "Fn::GetAtt", Arg: cfn.List{"TaskRole", "Arn"}}})
	out, err := cfn.YAML(cfn.Map{{Key: "Resources", Value: set.Resources}, {Key: "Parameters", Value: set.Parameters}})
	if err != nil {
		t.Fatal(err)
	}
	want := `Resources:
  Q:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Sub
        - '${AppName}-${EnvName}-${WorkloadName}-${Role}-${Own}-${!Literal}'
        - Role: !GetAtt TaskRole.Arn
      Tags:
        - Key: app
          Value: !Ref AppName
        - Key: role
          Value: !GetAtt TaskRole.Arn
        - Key: own
          Value: !Sub
            - '${AppName}-${Own}'
            - Own: !Ref Size

Parameters:
  Size:
    Type: Number
    Default: 5
`
	if diff := cmp.Diff(want, string(out)); diff != "" {
		t.Errorf("Bind() mismatch (-want +got):\n%s", diff)
	}
}

func TestScreamingSnake(t *testing.T) {
	for in, want := range map[string]string{"MyTableName": "MY_TABLE_NAME", "ddbName": "DDB_NAME", "DBName": "DB_NAME",
		"auroraSecret": "AURORA_SECRET", "queue2Url": "QUEUE2_URL", "URL": "URL"} {
		if got := ScreamingSnake(in); got != want {
			t.Errorf("ScreamingSnake(%q) = %q, want %q", in, got, want)
		}
	}
}
