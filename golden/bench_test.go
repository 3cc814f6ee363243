package golden

import (
	"os"
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

// BenchmarkSidecarsBench renders the manifest Copilot took 14.9 ms on
// (see golden/bench/sidecars-bench.yml for the fields left out).
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
