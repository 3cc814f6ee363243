package golden

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLint runs cfn-lint over every golden template: no errors and no
// warnings (cfn-lint exits non-zero for either).
func TestLint(t *testing.T) {
	lint := requireTool(t, "cfn-lint")
	args := []string{"--format", "parseable"}
	for _, c := range stacks(t) {
		args = append(args, c.dir+"/stack.yml")
	}
	out, err := exec.Command(lint, args...).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "" {
		t.Fatalf("cfn-lint found problems (%v):\n%s", err, out)
	}
}
