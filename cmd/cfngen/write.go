package main

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
)

// A template is written to a temporary file beside its target and renamed
// into place, so that a reader never sees half of one. The temporary file
// is named .cfngen-<pid>-<random>.tmp: hidden, never *.stack.yml, and a
// later run removes the ones whose process is gone (killed mid-write).

// staged is a template written beside its target, not yet in place.
type staged struct{ tmp, path string }

// stage writes data to a temporary file beside path, with the mode of the
// file it will replace (0644 for a new one). Nothing is synced yet.
func stage(path string, data []byte) (staged, error) {
	dir := filepath.Dir(path)
	if _, done := cleaned.LoadOrStore(dir, true); !done {
		removeStale(dir)
	}
	mode := os.FileMode(0o644)
	if info, err := os.Stat(path); err == nil && info.Mode().IsRegular() {
		mode = info.Mode().Perm()
	}
	tmp, err := os.CreateTemp(dir, tempPrefix()+"*.tmp")
	if err != nil {
		return staged{}, err
	}
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Chmod(mode)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return staged{}, err
	}
	return staged{tmp.Name(), path}, nil
}

// commit makes staged files durable and puts them in place: every file is
// synced, several at once, then renamed, then each folder synced once, so
// that a thousand templates cost a few rounds of syncs, not a thousand in a
// row. On an error, the files not yet renamed are removed.
func commit(files []staged) error {
	errs := make([]error, len(files))
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(len(files), 4*runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				errs[i] = syncFile(files[i].tmp)
			}
		}()
	}
	for i := range files {
		work <- i
	}
	close(work)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		for _, f := range files {
			os.Remove(f.tmp)
		}
		return err
	}
	dirs := map[string]bool{}
	for i, f := range files {
		if err := os.Rename(f.tmp, f.path); err != nil {
			for _, rest := range files[i:] {
				os.Remove(rest.tmp)
			}
			return err
		}
		dirs[filepath.Dir(f.path)] = true
	}
	for dir := range dirs {
		// Durable renames need the folder synced; some systems cannot.
		syncFile(dir)
	}
	return nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeAtomic writes one template: stage, then commit.
func writeAtomic(path string, data []byte) error {
	s, err := stage(path, data)
	if err != nil {
		return err
	}
	return commit([]staged{s})
}

func tempPrefix() string { return ".cfngen-" + strconv.Itoa(os.Getpid()) + "-" }

// cleaned are the folders removeStale has been through in this run.
var cleaned sync.Map

// removeStale removes the temporary files in dir left by a cfngen that
// is no longer running.
func removeStale(dir string) {
	matches, _ := filepath.Glob(filepath.Join(dir, ".cfngen-*-*.tmp"))
	for _, m := range matches {
		rest := strings.TrimPrefix(filepath.Base(m), ".cfngen-")
		pid, err := strconv.Atoi(rest[:strings.IndexByte(rest, '-')])
		if err != nil || pid == os.Getpid() || running(pid) {
			continue
		}
		os.Remove(m)
	}
}
