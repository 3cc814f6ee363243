package manifest

import (
	"errors"
	"fmt"
	"github.com/cfngen/cfngen/diag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func parse(t *testing.T, src string, opts Options) (*Workload, error) {
	t.Helper()
	return Parse("manifest.yml", []byte(src), opts)
}

const base = "name: api\ntype: Backend Service\nimage:\n  location: nginx\n"

func TestInterpolation(t *testing.T) {
	env := map[string]string{"TAG": "v1", "PORT": "8080"}
	opts := Options{App: "shop", Env: "test", Lookup: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
	w, err := parse(t, base+"  port: ${PORT}\nvariables:\n  A: ${COPILOT_APPLICATION_NAME}-${COPILOT_ENVIRONMENT_NAME}:${TAG}\n  B: \\${TAG}\n  C: $TAG\n  D: ${not-an-identifier}\n", opts)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, v := range w.Main.Variables {
		got[v.Name] = v.Value
	}
	want := map[string]string{"A": "shop-test:v1", "B": "${TAG}", "C": "$TAG", "D": "${not-an-identifier}"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("variables mismatch (-want +got):\n%s", diff)
	}
	if w.Main.Port == nil || w.Main.Port.Number != 8080 {
		t.Errorf("port = %+v, want 8080 from ${PORT}", w.Main.Port)
	}
}

func TestShellSplit(t *testing.T) {
	for in, want := range map[string][]string{
		`echo hello`:                {"echo", "hello"},
		`sh -c "echo \"hi\" there"`: {"sh", "-c", `echo "hi" there`},
		`a 'b c' d\ e`:              {"a", "b c", "d e"},
		`  spaced   out  `:          {"spaced", "out"},
		`''`:                        {""},
	} {
		got, err := shellSplit(in)
		if err != nil {
			t.Errorf("shellSplit(%q) error: %v", in, err)
			continue
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("shellSplit(%q) mismatch (-want +got):\n%s", in, diff)
		}
	}
	for _, in := range []string{`"open`, `'open`} {
		if _, err := shellSplit(in); err == nil {
			t.Errorf("shellSplit(%q) succeeded, want an error", in)
		}
	}
}

func TestSuggest(t *testing.T) {
	for in, want := range map[string]string{"imgae": "image", "Variables": "variables", "sidecar": "sidecars", "zzz": ""} {
		if got := suggest(in, workloadFields(BackendService).Known); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestErrorsSortedAndComplete(t *testing.T) {
	_, err := parse(t, "name: api\ntype: Backend Service\nzeta: 1\nimage:\n  location: nginx\n  port: 0\nalpha: 2\n", Options{})
	var list diag.List
	if !errors.As(err, &list) {
		t.Fatalf("Parse() error = %v, want an diag.List", err)
	}
	want := []string{
		`manifest.yml:3:1: unknown field "zeta"`,
		`manifest.yml:6:9: image.port: must be 1-65535, got 0`,
		`manifest.yml:7:1: unknown field "alpha"`,
	}
	if diff := cmp.Diff(want, strings.Split(list.Error(), "\n")); diff != "" {
		t.Errorf("errors mismatch (-want +got):\n%s", diff)
	}
}

func TestNULRefused(t *testing.T) {
	_, err := parse(t, base+"variables:\n  A: \"x\\0y\"\n", Options{})
	if err == nil || !strings.Contains(err.Error(), "manifest.yml:6:6: variables.A: must not contain a NUL character") {
		t.Errorf("Parse() error = %v, want a positioned NUL error", err)
	}
}

// Aliases that the decoder follows are counted: 20 sidecars, each an alias
// of one whose command holds 1,000 aliases, would make the decoder resolve
// 20,000 of them from a few kilobytes.
func TestAliasBombBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("name: api\ntype: Backend Service\nimage:\n  location: nginx\nvariables:\n  W: &w word\n")
	b.WriteString("sidecars:\n  s0: &s\n    image: nginx\n    command: [")
	for i := range 1000 {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("*w")
	}
	b.WriteString("]\n")
	for i := 1; i < 20; i++ {
		fmt.Fprintf(&b, "  s%d: *s\n", i)
	}
	_, err := parse(t, b.String(), Options{})
	if err == nil || !strings.Contains(err.Error(), "aliases nest too deeply or expand too often") {
		t.Errorf("Parse() error = %v, want the alias bound", err)
	}
}

// errorLine is the shape of every error Parse reports.
var errorLine = regexp.MustCompile(`^manifest\.yml:[1-9][0-9]*:[1-9][0-9]*: `)

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("../golden/testdata/*/manifest.yml")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(base))
	f.Add([]byte("a: &x [*x]\n"))
	f.Add([]byte("- list\n"))
	f.Add([]byte("name: [\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := Parse("manifest.yml", data, Options{App: "a", Env: "e"})
		if err == nil {
			if w == nil {
				t.Fatal("Parse() returned neither a workload nor an error")
			}
			return
		}
		var list diag.List
		if !errors.As(err, &list) || len(list) == 0 {
			t.Fatalf("Parse() error %T %v, want a non-empty diag.List", err, err)
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			if !errorLine.MatchString(line) {
				t.Fatalf("error %q is not positioned", line)
			}
		}
	})
}

func TestScheduleExpression(t *testing.T) {
	for in, want := range map[string]string{
		"@hourly":              "cron(0 * * * ? *)",
		"@daily":               "cron(0 0 * * ? *)",
		"@weekly":              "cron(0 0 ? * SUN *)",
		"@monthly":             "cron(0 0 1 * ? *)",
		"@yearly":              "cron(0 0 1 1 ? *)",
		"@every 30m":           "rate(30 minutes)",
		"@every 1h":            "rate(1 hour)",
		"@every 2h":            "rate(2 hours)",
		"@every 48h":           "rate(2 days)",
		"@every 90m":           "rate(90 minutes)",
		"rate(5 minutes)":      "rate(5 minutes)",
		"cron(0 12 ? * MON *)": "cron(0 12 ? * MON *)",
		"0 12 * * MON":         "cron(0 12 ? * MON *)",
		"0 12 * * 1-5":         "cron(0 12 ? * 2-6 *)",
		"0 12 * * 0,7":         "cron(0 12 ? * 1,1 *)",
		"*/15 * 1 * *":         "cron(*/15 * 1 * ? *)",
		"none":                 "none",
	} {
		got, err := scheduleExpression(in)
		if err != nil || got != want {
			t.Errorf("scheduleExpression(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"@every 30s", "@every 90s", "0 12 1 * MON", "* * *", "0 0 * * 9", "@fortnightly"} {
		if got, err := scheduleExpression(in); err == nil {
			t.Errorf("scheduleExpression(%q) = %q, want an error", in, got)
		}
	}
}
