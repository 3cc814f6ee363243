package golden

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/cfngen/cfngen/cfn"
)

// BenchmarkRender measures parse, translate and write for each golden
// template, in process.
func BenchmarkRender(b *testing.B) {
	for _, c := range cases(b) {
		if _, err := os.Stat(c.dir + "/stack.yml"); err != nil {
			continue
		}
		data, err := os.ReadFile(c.dir + "/manifest.yml")
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) { benchRender(b, data, c.opts) })
	}
}

// BenchmarkSidecarsBench renders ../shared/bench/sidecars-bench.yml, whole
// (golden/bench holds a copy): the manifest Copilot's renderer is measured
// on, side by side, in the README's Performance section.
func BenchmarkSidecarsBench(b *testing.B) {
	data, err := os.ReadFile("bench/sidecars-bench.yml")
	if err != nil {
		b.Fatal(err)
	}
	benchRender(b, data, options{app: "myapp", env: "test", format: cfn.FormatYAML})
}

func benchRender(b *testing.B, data []byte, opts options) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := pipeline(data, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSidecars renders a Backend Service with 1, 3, 6 and 9 sidecars:
// the difference between sizes, over the difference in count, is what a
// sidecar costs.
func BenchmarkSidecars(b *testing.B) {
	for _, n := range []int{1, 3, 6, 9} {
		var m strings.Builder
		m.WriteString("name: api\ntype: Backend Service\nimage:\n  location: nginx\n  port: 8080\nsidecars:\n")
		for i := range n {
			fmt.Fprintf(&m, "  side%d:\n    image: public.ecr.aws/docker/library/busybox:stable\n    port: %d\n    variables:\n      MODE: sidecar\n    essential: false\n", i, 9000+i)
		}
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			benchRender(b, []byte(m.String()), options{app: "shop", env: "test", format: cfn.FormatYAML})
		})
	}
}
