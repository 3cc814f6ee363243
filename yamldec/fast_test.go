package yamldec

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// decodeV3 is the document yaml.v3 reads from data, if it reads exactly one.
func decodeV3(data []byte) (*yaml.Node, bool) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		return nil, false
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, false
	}
	return &doc, true
}

// difference describes the first place where the fast tree differs from
// yaml.v3's, comments aside; "" when they are the same.
func difference(fast, v3 *yaml.Node, path string) string {
	at := fmt.Sprintf("%s (yaml.v3 %d:%d %q)", path, v3.Line, v3.Column, v3.Value)
	switch {
	case strings.ContainsRune(fast.Value, 0) || strings.HasPrefix(fast.Tag, "!") && !strings.HasPrefix(fast.Tag, "!!"):
		return fmt.Sprintf("%s: a NUL or a tag, which the fast path promises not to read", at)
	case fast.Kind != v3.Kind:
		return fmt.Sprintf("%s: kind %v, yaml.v3 %v", at, fast.Kind, v3.Kind)
	case fast.ShortTag() != v3.ShortTag():
		return fmt.Sprintf("%s: tag %s, yaml.v3 %s", at, fast.ShortTag(), v3.ShortTag())
	case IsNull(fast) != (v3.ShortTag() == "!!null"):
		return fmt.Sprintf("%s: IsNull %v, yaml.v3 tag %s", at, IsNull(fast), v3.ShortTag())
	case fast.Tag != "" && fast.Tag != v3.Tag:
		return fmt.Sprintf("%s: tag field %s, yaml.v3 %s", at, fast.Tag, v3.Tag)
	case fast.Value != v3.Value:
		return fmt.Sprintf("%s: value %q", at, fast.Value)
	case fast.Style != v3.Style:
		return fmt.Sprintf("%s: style %v, yaml.v3 %v", at, fast.Style, v3.Style)
	case fast.Line != v3.Line || fast.Column != v3.Column:
		return fmt.Sprintf("%s: at %d:%d", at, fast.Line, fast.Column)
	case fast.Anchor != v3.Anchor || (fast.Alias == nil) != (v3.Alias == nil):
		return fmt.Sprintf("%s: anchor or alias", at)
	case len(fast.Content) != len(v3.Content):
		return fmt.Sprintf("%s: %d children, yaml.v3 %d", at, len(fast.Content), len(v3.Content))
	}
	for i := range fast.Content {
		if d := difference(fast.Content[i], v3.Content[i], fmt.Sprintf("%s/%d", path, i)); d != "" {
			return d
		}
	}
	return ""
}

// checkSame fails t if the fast path reads data into another tree than
// yaml.v3, or reads what yaml.v3 refuses; it reports whether the fast path
// read data.
func checkSame(t *testing.T, name string, data []byte) bool {
	t.Helper()
	fast, release, ok := Parse(data)
	if !ok {
		return false
	}
	defer release()
	v3, ok := decodeV3(data)
	if !ok {
		t.Errorf("%s: the fast path read what yaml.v3 refuses:\n%s", name, data)
		return true
	}
	if d := difference(fast, v3, ""); d != "" {
		t.Errorf("%s: %s\n%s", name, d, data)
	}
	return true
}

func TestParseAsYAMLv3(t *testing.T) {
	read := []string{
		"a: b\n",
		"a: b",
		"# head\n\nname: api   # trailing\ntype: 'Backend Service'\n",
		"a:\n  b: 1\n  c: true\n  d: ~\n  e: 1.5\n  f: -3\n  g: 0x1f\n  h: 2001-12-14\n  i: .inf\n  j: yes\n",
		"a:\n- x\n- 'y'\n- \"z\"\nb: c\n",
		"a:\n  - x\n  -   y # c\n",
		"a:\n  - name: x\n    port: 80\n  - name: y\n    b:\n    - 1\n",
		"- - a\n  - b\n- c\n",
		"a: [x, 'y', \"z\", 1]\nb: {k: v, 'q': 1, \"j\":2}\nc: []\nd: {}\ne: [[a], {b: c}]\n",
		"a: 'it''s'\nb: \"tab\\there \\u00e9 \\x41 \\\\ \\\" \\'\"\n",
		"url: http://example.com:8080/x#y\nimage: nginx:1.25\nk: a b  c\n",
		"k: 日本語\nl: [é, ü]\n\"日本\": x\n",
		"a:\n    b:\n        c: d\n    e: f\ng: h\n",
		"- a\n-\n  b: c\n",
		"<<: x\nkey with spaces: v\nk2 : v2\n",
		"a: b\n   # deeper comment\nc: d\n",
		"a: -x\nb: x-\nc: x:y\nd: ',x'\n",
		"a: [~, null, Null, NULL, nULL, 'null', \"~\", nil]\n",
		"a:\n  - b:\n    - c\n    d: e\n", "\"a:b\": c\n'd: e': f\n", "a: [x, y] # c\nb: {k: v} # d\n",
		"a: [é, [ü, 'ö'], {ä: 1}]\n", "a:\n  - - - x\n", "  a: 1\n  b: 2\n", "a:\n\n  b: 1\n",
		"a: [{b: c}, {d: e}]\n", "a: b:c\n", "key:   spaced   value   \n",
	}
	for _, in := range read {
		if !checkSame(t, fmt.Sprintf("%q", in), []byte(in)) {
			t.Errorf("%q: the fast path left it to yaml.v3", in)
		}
	}
	// What the subset leaves to yaml.v3: each of these must take the slow
	// path, so yaml.v3's reading (or its error) stands.
	left := []string{
		"", "# only a comment\n", "---\na: b\n", "a: b\n...\n", "a: b\n---\nc: d\n",
		"a: &x 1\nb: *x\n", "a: !Ref x\n", "a: |\n  text\n", "a: >\n  text\n",
		"a:\n", "a:\nb: c\n", "a: b\n  c\n", "a: 'b\n  c'\n", "a: [b,\n  c]\n",
		"a:\tb\n", "a: b\r\n", "\ufeffa: b\n", "a: b: c\n", "- a\nb: c\n", "a: [b, c,]\n",
		"a: [b: c]\n", "a: {b}\n", "? a\n: b\n", "a: \"\\N\"\n", "a: \"\\/\"\n", "a: \"\\0\"\n", "a: \"\\x00\"\n", "a: \"\\U80000000\"\n", "a: \"\\U00110000\"\n", "a: \"\\ud800\"\n",
		"a: 'b'c\n", "a: 'b'#c\n", "a: b\n c: d\n", "scalar\n", "a: \x85b\n",
		"a: @b\n", "a: `b`\n", "a: %b\n", "a:\n  b: 1\n c: 2\n", "a: - b\n",
		"a: -\n", "a: \"b\\\n c\"\n",
	}
	for _, in := range left {
		if _, _, ok := Parse([]byte(in)); ok {
			t.Errorf("%q: the fast path read it; it belongs to yaml.v3", in)
		}
	}
}

// TestParseManifests reads every manifest in the repository both ways:
// where the fast path reads one, the trees must be the same, and it must
// read the benchmark manifest and most golden cases.
func TestParseManifests(t *testing.T) {
	files, err := filepath.Glob("../golden/testdata/*/manifest.yml")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "../golden/bench/sidecars-bench.yml")
	read := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if checkSame(t, f, data) {
			read++
		} else if strings.Contains(f, "bench") {
			t.Errorf("%s: the fast path left the benchmark manifest to yaml.v3", f)
		}
	}
	t.Logf("the fast path read %d of %d manifests", read, len(files))
	if read < len(files)/2 {
		t.Errorf("the fast path read only %d of %d manifests", read, len(files))
	}
}

func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("../golden/testdata/*/manifest.yml")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("a:\n- x\n- {k: [v, 'w']}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkSame(t, "input", data)
	})
}

// TestTextClass checks the table against the rules it writes out.
func TestTextClass(t *testing.T) {
	for c := range 256 {
		want := plainText
		switch b := byte(c); {
		case b < ' ' && b != '\n' || b == 0x7f:
			want = refused
		case b == ':':
			want = colon
		case b == '-':
			want = dash
		case b == ',' || b == '[' || b == '{':
			want = opener
		case b >= 0x80:
			want = nonASCII
		}
		if int(textClass[c]) != want {
			t.Errorf("textClass[%#x] = %d, want %d", c, textClass[c], want)
		}
	}
}
