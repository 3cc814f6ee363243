package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// --app and --env become parts of paths and ARNs: only Copilot names pass,
// and nothing is written for the rest.
func TestNamesRefused(t *testing.T) {
	path := writeManifest(t, good)
	dir := t.TempDir()
	for _, args := range [][]string{
		{"--out-dir", filepath.Join(dir, "out", "x"), "--env", "/../../../escaped", path},
		{"--app", "*", path},
		{"--env", "Prod", path},
		{"validate", "--env", "a/b", path},
	} {
		code, stdout, stderr := cfngen("", args...)
		if code != 2 || stdout != "" || !strings.Contains(stderr, "must be lower-case letters") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2, nothing and the rule", args, code, stdout, stderr)
		}
	}
	if matches, _ := filepath.Glob(filepath.Join(dir, "*")); len(matches) > 0 {
		t.Errorf("a refused run wrote %v", matches)
	}
	if _, err := os.Stat("escaped.stack.yml"); err == nil {
		t.Error("escaped.stack.yml was written outside --out-dir")
	}
}

// Only regular files are read: a FIFO would hang and /dev/zero would fill
// memory. Each is refused with exit 2, naming the file.
func TestOnlyRegularFilesRead(t *testing.T) {
	path := writeManifest(t, good)
	addons := filepath.Join(filepath.Dir(path), "addons")
	if err := os.Mkdir(addons, 0o755); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(addons, "fifo.yml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no FIFOs here: %v", err)
	}
	if code, stdout, stderr := cfngen("", path); code != 2 || stdout != "" || !strings.Contains(stderr, fifo+": not a regular file") {
		t.Errorf("FIFO addon: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	os.Remove(fifo)
	zero := filepath.Join(t.TempDir(), "manifest.yml")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := cfngen("", zero); code != 2 || !strings.Contains(stderr, "not a regular file") {
		t.Errorf("link to /dev/zero: exit %d, stderr %q", code, stderr)
	}
	big := writeManifest(t, good+"# "+strings.Repeat("x", maxInput)+"\n")
	if code, _, stderr := cfngen("", big); code != 2 || !strings.Contains(stderr, "larger than") {
		t.Errorf("a manifest over the limit: exit %d, stderr %q", code, stderr)
	}
}

// -o never overwrites the manifest it reads.
func TestOutputIsNotInput(t *testing.T) {
	path := writeManifest(t, good)
	if code, _, stderr := cfngen("", "-o", path, path); code != 2 || !strings.Contains(stderr, "is the manifest itself") {
		t.Errorf("exit %d, stderr %q; want 2", code, stderr)
	}
	if data, _ := os.ReadFile(path); string(data) != good {
		t.Error("the manifest was overwritten")
	}
}

// A temporary file left by a killed cfngen is removed by the next run into
// that folder; one of a running process is not. A template replaced keeps
// its mode.
func TestWriteCleansAndKeepsMode(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, ".cfngen-999999999-123.tmp") // no such pid
	live := filepath.Join(dir, fmt.Sprintf(".cfngen-%d-456.tmp", os.Getppid()))
	for _, f := range []string{stale, live} {
		if err := os.WriteFile(f, []byte("half a templ"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "stack.yml")
	if err := os.WriteFile(out, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := writeManifest(t, good)
	if code, _, errOut := cfngen("", "-o", out, path); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the dead process's %s is still there (%v)", stale, err)
	}
	if _, err := os.Stat(live); err != nil {
		t.Errorf("the running process's temporary file was removed: %v", err)
	}
	info, err := os.Stat(out)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("replaced template: %v, mode %v, want 0600 kept", err, info.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".cfngen-") && e.Name() != filepath.Base(live) {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// TestUnchangedLeftAlone: a template that already holds what a render
// writes is not rewritten (its time stamp stays); one that differs is.
func TestUnchangedLeftAlone(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	path := writeManifest(t, good)
	if code, _, errOut := cfngen("", "--out-dir", out, path); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	file := filepath.Join(out, "api.stack.yml")
	before, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	past := time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := os.Chtimes(file, past, past); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := cfngen("", "--out-dir", out, path); code != 0 {
		t.Fatalf("again: exit %d: %s", code, errOut)
	}
	if info, err := os.Stat(file); err != nil || !info.ModTime().Equal(past) {
		t.Errorf("an unchanged template was rewritten: %v %v", info.ModTime(), err)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(good, "port: 80", "port: 81", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := cfngen("", "--out-dir", out, path); code != 0 {
		t.Fatalf("changed: exit %d: %s", code, errOut)
	}
	after, err := os.ReadFile(file)
	if err != nil || string(after) == string(before) {
		t.Errorf("a changed template was not rewritten (%v)", err)
	}
	if info, _ := os.Stat(file); info.ModTime().Equal(past) {
		t.Error("a changed template kept its old time stamp")
	}
}
