package main

import (
	"bytes"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// A template is written to a temporary file beside its target and renamed
// into place, so that a reader never sees half of one. The temporary file
// is named .cfngen-<pid>-<random>.tmp: hidden, never *.stack.yml, and a
// later run removes the ones whose process is gone (killed mid-write).

// staged is a template written beside its target, to tmp, not yet renamed
// to path; tmp is empty when path already holds exactly that template.
type staged struct{ tmp, path string }

// stage writes data to a temporary file beside path, with the mode of the
// file it will replace (0644 for a new one). Nothing is synced yet. A
// file that already holds data is left as it is, its time stamp too: a
// re-render of a thousand unchanged templates writes nothing.
func stage(path string, data []byte) (staged, error) {
	dir := filepath.Dir(path)
	if _, done := cleaned.LoadOrStore(dir, true); !done {
		removeStale(dir)
	}
	mode := os.FileMode(0o644)
	if info, err := os.Stat(path); err == nil && info.Mode().IsRegular() {
		mode = info.Mode().Perm()
		if info.Size() == int64(len(data)) {
			if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
				return staged{path: path}, nil
			}
		}
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

// commit makes staged files durable and puts them in place: the files'
// data is synced (on Linux with one syncfs a folder, elsewhere file by
// file, several at once), then each is renamed, then each folder synced
// once, so that a thousand templates cost a few syncs, not a thousand in a
// row. On an error, the files not yet renamed are removed.
func commit(files []staged) error {
	files = slices.DeleteFunc(slices.Clone(files), func(f staged) bool { return f.tmp == "" })
	if len(files) == 0 {
		return nil
	}
	dirs := map[string]bool{}
	for _, f := range files {
		dirs[filepath.Dir(f.path)] = true
	}
	if err := syncData(files, slices.Sorted(maps.Keys(dirs))); err != nil {
		for _, f := range files {
			os.Remove(f.tmp)
		}
		return err
	}
	for i, f := range files {
		if err := os.Rename(f.tmp, f.path); err != nil {
			for _, rest := range files[i:] {
				os.Remove(rest.tmp)
			}
			return err
		}
	}
	for dir := range dirs {
		// Durable renames need the folder synced; some systems cannot.
		syncFile(dir)
	}
	return nil
}

// syncEach syncs each staged file, several at once.
func syncEach(files []staged) error {
	errs := make([]error, len(files))
	parallel(len(files), func(i int) { errs[i] = syncFile(files[i].tmp) })
	return errors.Join(errs...)
}

// parallel calls do(0) to do(n-1), several at once: file system calls
// wait on the disk or spend the kernel's time, which other cores can use.
func parallel(n int, do func(i int)) {
	work := make(chan int)
	var wg sync.WaitGroup
	for range min(n, 4*runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				do(i)
			}
		}()
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
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
