package diag

import (
	"errors"
	"testing"
)

func TestListSortsDedupsAndPrintsAlso(t *testing.T) {
	var l List
	l.Add("manifest.yml", Pos{Line: 9, Col: 3}, "cpu", "must be an integer")
	l.AddAlso("addons/b.yml", Pos{Line: 2, Col: 5}, "Resources.T", "defined differently", Position{"addons/a.yml", Pos{Line: 7, Col: 3}})
	l.Add("manifest.yml", Pos{Line: 2, Col: 1}, "", "unknown field")
	l.Add("manifest.yml", Pos{Line: 9, Col: 3}, "cpu", "must be an integer") // an alias's repeat
	l.Append(errors.New("plain"))
	want := `:0:0: plain
addons/b.yml:2:5: Resources.T: defined differently in addons/a.yml:7:3
manifest.yml:2:1: unknown field
manifest.yml:9:3: cpu: must be an integer`
	if got := l.Err().Error(); got != want {
		t.Errorf("Err() =\n%s\nwant\n%s", got, want)
	}
	if (List{}).Err() != nil {
		t.Error("an empty list is not nil as an error")
	}
}

func TestYAMLSyntaxColumn(t *testing.T) {
	e := YAMLSyntax("m.yml", []byte("a: 1\n  b: [\n"), errors.New("yaml: line 2: did not find expected node content"))
	if got, want := e.Error(), "m.yml:2:3: YAML syntax error: did not find expected node content"; got != want {
		t.Errorf("YAMLSyntax() = %q, want %q", got, want)
	}
}

// yaml.v3 names the line where the enclosing node began for an unclosed
// bracket; the error is where the bracket should have closed.
func TestYAMLSyntaxUnclosedBracket(t *testing.T) {
	data := []byte("a: b\nc: [x, y\nd: e\n")
	e := YAMLSyntax("m.yml", data, errors.New("yaml: line 1: did not find expected ',' or ']'"))
	if e.Pos.Line != 3 {
		t.Errorf("YAMLSyntax() = %q, want line 3", e.Error())
	}
}
