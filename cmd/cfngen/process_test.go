package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Binaries built once per test run, from the build cache.
var (
	buildOnce          sync.Once
	cfngenBin, trivial string
	buildErr           error
)

// binaries builds cfngen and a trivial Go program (testdata/trivial), for
// the tests and benchmarks that run them as processes.
func binaries(tb testing.TB) (string, string) {
	tb.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "cfngen-bin-")
		if err != nil {
			buildErr = err
			return
		}
		cfngenBin, trivial = filepath.Join(dir, "cfngen"), filepath.Join(dir, "trivial")
		for _, b := range [][2]string{{cfngenBin, "."}, {trivial, "./testdata/trivial"}} {
			if out, err := exec.Command("go", "build", "-o", b[0], b[1]).CombinedOutput(); err != nil {
				buildErr = &buildError{err, string(out)}
				return
			}
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return cfngenBin, trivial
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + "\n" + e.out }

var initLine = regexp.MustCompile(`^init (github\.com/cfngen/\S+) @\S+ ms, \S+ ms clock, (\d+) bytes, (\d+) allocs$`)

// TestInitBuildsNothing: no cfngen package compiles a regular expression
// or builds a table at start-up, which every process would pay for. Told
// by what each package's init allocates (GODEBUG=inittrace=1), which does
// not depend on the machine's speed: a compiled expression alone is
// several kilobytes.
func TestInitBuildsNothing(t *testing.T) {
	bin, _ := binaries(t)
	cmd := exec.Command(bin, "schema")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("cfngen schema: %v", err)
	}
	seen := 0
	for _, line := range regexp.MustCompile(`\r?\n`).Split(string(out), -1) {
		m := initLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		seen++
		bytes, _ := strconv.Atoi(m[2])
		allocs, _ := strconv.Atoi(m[3])
		if bytes > 8192 || allocs > 64 {
			t.Errorf("%s allocates %d bytes in %d allocations at init; build it on first use", m[1], bytes, allocs)
		}
	}
	if seen == 0 {
		t.Fatalf("no init lines for cfngen's packages in:\n%s", out)
	}
}

// BenchmarkProcess runs whole processes, each iteration a trivial Go
// program and then cfngen, so that both see the same machine at the same
// moment; it reports each one's time and their ratio (x-trivial).
func BenchmarkProcess(b *testing.B) {
	bin, triv := binaries(b)
	manifest := filepath.Join("..", "..", "golden", "testdata", "seed-nginx", "manifest.yml")
	for _, r := range []struct {
		name string
		args []string
	}{
		{"schema", []string{"schema"}},
		{"render-seed-nginx", []string{"--app", "shop", "--env", "test", manifest}},
	} {
		b.Run(r.name, func(b *testing.B) {
			// wall time, and the CPU time the process used (user and
			// system), which the machine's other work disturbs less
			var base, own, baseCPU, ownCPU time.Duration
			run := func(name string, args ...string) (wall, cpu time.Duration) {
				cmd := exec.Command(name, args...)
				start := time.Now()
				if err := cmd.Run(); err != nil {
					b.Fatal(err)
				}
				return time.Since(start), cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			}
			for b.Loop() {
				w, c := run(triv)
				base, baseCPU = base+w, baseCPU+c
				w, c = run(bin, r.args...)
				own, ownCPU = own+w, ownCPU+c
			}
			n := float64(b.N)
			b.ReportMetric(float64(base.Microseconds())/n, "trivial-µs/op")
			b.ReportMetric(float64(own.Microseconds())/n, "cfngen-µs/op")
			b.ReportMetric(float64(own)/float64(base), "x-trivial")
			b.ReportMetric(float64(ownCPU)/float64(baseCPU), "x-trivial-cpu")
		})
	}
}
