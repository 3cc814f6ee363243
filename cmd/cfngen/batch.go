package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cfngen/cfngen/diag"
)

// batchJob is one manifest for one environment.
type batchJob struct {
	path, env string
	target    string // the file its template goes to
	out       rendered
	code      int
	stderr    bytes.Buffer
}

// fileName is where a job's template goes: <name>-<env>.stack.yml, or
// <name>.stack.yml without an environment.
func (j *batchJob) fileName(format string) string {
	name := j.out.name
	if j.env != "" {
		name += "-" + j.env
	}
	return name + ".stack." + map[string]string{"yaml": "yml", "json": "json"}[format]
}

// runBatch renders every manifest for every --env into cfg.outDir, on all
// cores. A manifest that fails writes nothing for itself and makes the run
// exit 1; the others still render. Problems print in the order of the
// command line, whatever order the renders finish in.
func runBatch(cfg config, stderr io.Writer) int {
	for _, path := range cfg.args {
		if path == "-" {
			fmt.Fprintln(stderr, "cfngen: --out-dir renders files; standard input (-) is for one manifest")
			return exitUsage
		}
	}
	if err := os.MkdirAll(cfg.outDir, 0o755); err != nil {
		fmt.Fprintf(stderr, "cfngen: %v\n", err)
		return exitUsage
	}
	envs := cfg.envs
	if len(envs) == 0 {
		envs = []string{""}
	}
	var jobs []*batchJob
	for _, path := range cfg.args {
		for _, env := range envs {
			jobs = append(jobs, &batchJob{path: path, env: env})
		}
	}
	var done atomic.Int64
	stop := progress(stderr, &done, len(jobs))
	work := make(chan *batchJob)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				j.out, j.code = render(cfg, j.path, j.env, nil, &j.stderr)
				done.Add(1)
			}
		}()
	}
	for _, j := range jobs {
		work <- j
	}
	close(work)
	wg.Wait()
	stop()

	worst := exitOK
	written := map[string]diag.Position{}
	var ready []*batchJob
	for _, j := range jobs {
		stderr.Write(j.stderr.Bytes())
		if j.code != exitOK {
			worst = max(worst, j.code)
			continue
		}
		file := j.fileName(cfg.format)
		if other, dup := written[file]; dup {
			e := &diag.Error{File: j.out.at.File, Pos: j.out.at.Pos, Path: "name",
				Msg: fmt.Sprintf("renders %s, as does the workload of this name", file), Also: &other}
			fmt.Fprintln(stderr, e)
			worst = max(worst, exitInput)
			continue
		}
		written[file] = j.out.at
		j.target = filepath.Join(cfg.outDir, file)
		ready = append(ready, j)
	}
	files := make([]staged, len(ready))
	errs := make([]error, len(ready))
	parallel(len(ready), func(i int) { files[i], errs[i] = stage(ready[i].target, ready[i].out.data) })
	for i, err := range errs {
		if err != nil {
			fmt.Fprintf(stderr, "cfngen: %v\n", err)
			worst = exitUsage
			files[i] = staged{} // nothing to commit
		}
	}
	// Every template lands, durably, once all are written.
	if err := commit(files); err != nil {
		fmt.Fprintf(stderr, "cfngen: %v\n", err)
		worst = exitUsage
	}
	return worst
}

// progress prints "rendered N/M" on a terminal once a run has taken a
// second; stop clears the line. Nothing is printed when stderr is not a
// terminal, so logs and tests see only problems.
func progress(stderr io.Writer, done *atomic.Int64, total int) (stop func()) {
	f, ok := stderr.(*os.File)
	if !ok {
		return func() {}
	}
	if info, err := f.Stat(); err != nil || info.Mode()&os.ModeCharDevice == 0 {
		return func() {}
	}
	quit := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		start := time.Now()
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		shown := false
		for {
			select {
			case <-quit:
				if shown {
					fmt.Fprint(f, "\r\033[K")
				}
				return
			case <-tick.C:
				if time.Since(start) >= time.Second {
					fmt.Fprintf(f, "\rcfngen: rendered %d/%d", done.Load(), total)
					shown = true
				}
			}
		}
	}()
	return func() { close(quit); <-finished }
}
