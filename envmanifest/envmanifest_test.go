package envmanifest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cfngen/cfngen/diag"
)

// FuzzParse: no environment manifest panics the parser, and every problem
// is positioned in it. The seeds are the golden environment cases.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("../golden/testdata/*env*/manifest.yml")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil && strings.Contains(string(data), "type: Environment") {
			f.Add(data)
		}
	}
	f.Add([]byte("name: x\ntype: Environment\nnetwork:\n  vpc:\n    subnets:\n      public: [{cidr: 10.0.0.0/24}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := Parse("manifest.yml", data)
		if err == nil {
			if e == nil {
				t.Fatal("no environment and no error")
			}
			return
		}
		var list diag.List
		if !errors.As(err, &list) {
			t.Fatalf("unpositioned error: %v", err)
		}
		for _, p := range list {
			if p.File != "manifest.yml" || p.Line < 1 || p.Col < 1 {
				t.Fatalf("problem not positioned: %q", p.Error())
			}
		}
	})
}

// TestDefaults: an environment manifest without a network gets Copilot's
// two public and two private subnets in a new VPC.
func TestDefaults(t *testing.T) {
	e, err := Parse("m.yml", []byte("name: test\ntype: Environment\n"))
	if err != nil {
		t.Fatal(err)
	}
	if e.VPC.CIDR != "10.0.0.0/16" || len(e.VPC.Public) != 2 || len(e.VPC.Private) != 2 || e.VPC.ID != "" {
		t.Errorf("defaults = %+v", e.VPC)
	}
}
