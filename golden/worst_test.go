package golden

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/cfngen/cfngen/cfn"
)

// maxInput is the size cfngen reads at most of a manifest (cmd/cfngen's
// limit, which the README states).
const maxInput = 1 << 20

// worstCases are manifests of up to maxInput bytes built to make the
// decoder work hardest: a giant unknown key, many unknown keys, a giant
// value where a name is wanted, aliases expanded to their bound, deep
// nesting, a giant environment override.
func worstCases() map[string]string {
	head := "name: api\ntype: Backend Service\nimage:\n  location: nginx\n  port: 80\n"
	fill := func(prefix string, unit func(i int) string) string {
		var b strings.Builder
		b.WriteString(prefix)
		for i := 0; b.Len() < maxInput-200; i++ {
			b.WriteString(unit(i))
		}
		return b.String()
	}
	return map[string]string{
		"long-unknown-key":  head + strings.Repeat("k", maxInput-100) + ": 1\n",
		"long-unknown-type": "name: api\ntype: " + strings.Repeat("Backend Servicx", (maxInput-100)/15) + "\n",
		"many-unknown-keys": fill(head, func(i int) string { return fmt.Sprintf("imgae%d: 1\n", i) }),
		"long-depends-on":   head + "sidecars:\n  s:\n    image: nginx\n    depends_on:\n      " + strings.Repeat("x", maxInput-200) + ": start\n",
		"many-depends-on": fill(head+"sidecars:\n  s:\n    image: nginx\n    depends_on:\n", func(i int) string {
			return fmt.Sprintf("      sidecarnumber%d: start\n", i)
		}),
		"many-variables":      fill(head+"variables:\n", func(i int) string { return fmt.Sprintf("  V%d: value\n", i) }),
		"long-values":         head + "variables:\n  V: " + strings.Repeat("v", maxInput-200) + "\n",
		"alias-fanout":        fill(head+"variables:\n  W: &w word\nsidecars:\n  s0: &s\n    image: nginx\n    command: [*w", func(int) string { return ", *w" }) + "]\n",
		"deep-flow":           head + "variables:\n  V: " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + "\n",
		"long-flow-line":      fill(head+"command: [", func(i int) string { return "xy, " }) + "z]\n",
		"comment-colons":      fill(head+"# ", func(int) string { return ": " }) + "\n",
		"many-volumes":        fill(head+"storage:\n  volumes:\n", func(i int) string { return fmt.Sprintf("    v%d: {path: /v%d}\n", i, i) }),
		"override-everything": fill(head+"environments:\n  test:\n    variables:\n", func(i int) string { return fmt.Sprintf("      V%d: value\n", i) }),
	}
}

// BenchmarkWorstCase renders each worst case, manifest to template, with
// the test environment's override applied: each is answered, template or
// problems, in well under a second.
func BenchmarkWorstCase(b *testing.B) {
	cases := worstCases()
	for _, name := range slices.Sorted(maps.Keys(cases)) {
		b.Run(name, func(b *testing.B) {
			data := []byte(cases[name])
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				pipeline(data, options{app: "shop", env: "test", format: cfn.FormatYAML})
			}
		})
	}
}
