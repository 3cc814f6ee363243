package golden

import (
	"os"
	"os/exec"
	"testing"
)

// requireTool finds an external tool. Missing in CI (CI=true) is a failure;
// on a laptop the test is skipped with the reason.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is not on PATH, and CI needs it: %v", name, err)
	}
	t.Skipf("%s is not on PATH: %v", name, err)
	return ""
}

// stacks lists the golden templates.
func stacks(t *testing.T) []goldenCase {
	t.Helper()
	var out []goldenCase
	for _, c := range cases(t) {
		if _, err := os.Stat(c.dir + "/stack.yml"); err == nil {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		t.Fatal("no golden templates")
	}
	return out
}
