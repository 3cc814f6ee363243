// Package yamldec is the strict YAML decoding that cfngen's dialects share,
// the workload manifest and the environment manifest: a walk of a yaml.Node
// tree against known fields, every problem positioned, every visited node's
// position recorded by path, aliases bounded, did-you-mean for unknown keys.
package yamldec

import (
	"fmt"
	"github.com/cfngen/cfngen/diag"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// maxAliasDepth bounds alias nesting, and maxAliases how many aliases one
// manifest may expand in all, so a few lines of aliases of aliases cannot
// make the decoder walk an exponential tree.
const (
	maxAliasDepth = 8
	maxAliases    = 10000
)

// Decoder walks a yaml.Node tree against the known fields, collecting every
// error with its position.
type Decoder struct {
	File    string
	Errs    diag.List
	Aliases int
	At      Positions
	// dropped counts the problems past MaxProblems, first where the
	// first of them is.
	Dropped int
	First   diag.Pos
	entry   entryPath // the last entry visited, for Join
}

// MaxProblems is how many problems a manifest reports at most: past it,
// more are counted, not described, so that no input costs a did-you-mean
// for each of a hundred thousand keys.
const MaxProblems = 100

func Pos(n *yaml.Node) diag.Pos { return diag.Pos{Line: n.Line, Col: n.Column} }

// Positions records, once, where each node the decoder visits stands,
// keyed by its path: for a map entry the key and the value, for a list
// item the item. Checks made after decoding look positions up here.
type Positions struct {
	at map[string]entryPos
}

// entryPos is an entry's key and value positions, each packed in 64 bits
// (line, column): half the table a plain diag.Pos pair takes.
type entryPos struct{ key, value packedPos }

type packedPos uint64

func pack(p diag.Pos) packedPos {
	clamp := func(n int) uint64 { return uint64(min(max(n, 0), 1<<32-1)) }
	return packedPos(clamp(p.Line)<<32 | clamp(p.Col))
}

func (p packedPos) pos() diag.Pos { return diag.Pos{Line: int(p >> 32), Col: int(p & (1<<32 - 1))} }

// Reserve sizes the table for about n positions.
func (p *Positions) Reserve(n int) {
	if p.at == nil {
		p.at = make(map[string]entryPos, n)
	}
}

func (p *Positions) Record(path string, key, value diag.Pos) {
	if p.at == nil {
		p.at = make(map[string]entryPos, 64)
	}
	if _, seen := p.at[path]; !seen {
		p.at[path] = entryPos{pack(key), pack(value)}
	}
}

// Key returns the position recorded for path's key, or for its nearest
// recorded parent's.
func (p *Positions) Key(path string) diag.Pos { return p.lookup(path).key.pos() }

// Value returns the position recorded for path's value, or for its nearest
// recorded parent's.
func (p *Positions) Value(path string) diag.Pos { return p.lookup(path).value.pos() }

// Has reports whether a position is recorded for path itself.
func (p *Positions) Has(path string) bool {
	_, ok := p.at[path]
	return ok
}

func (p *Positions) lookup(path string) entryPos {
	for {
		if at, ok := p.at[path]; ok {
			return at
		}
		if path == "" {
			start := pack(diag.Pos{Line: 1, Col: 1})
			return entryPos{start, start}
		}
		path = Parent(path)
	}
}

// parent drops the last element of a path: a.b[2] → a.b, a.b → a.
func Parent(path string) string {
	if i := strings.LastIndexAny(path, ".["); i >= 0 {
		return path[:i]
	}
	return ""
}

func (d *Decoder) Errorf(n *yaml.Node, path, format string, args ...any) {
	if d.Full(n) {
		return
	}
	d.Errs.Add(d.File, Pos(n), path, fmt.Sprintf(format, args...))
}

// full reports whether MaxProblems are reported, counting the problem at
// n as dropped if so.
func (d *Decoder) Full(n *yaml.Node) bool {
	if len(d.Errs) < MaxProblems {
		return false
	}
	if d.Dropped == 0 {
		d.First = Pos(n)
	}
	d.Dropped++
	return true
}

// Join is the package's Join, without building the path again when it is
// the one Entries or Mapping built for the entry it last visited: the
// callbacks that visit an entry's fields start from that entry's path.
func (d *Decoder) Join(path, key string) string {
	if e := &d.entry; key == e.key && path == e.parent && e.path != "" {
		return e.path
	}
	return Join(path, key)
}

// entryPath is a path Entries built: parent joined with key.
type entryPath struct{ parent, key, path string }

// join builds a dotted field path.
func Join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// resolve follows aliases to the node they name.
func (d *Decoder) Resolve(n *yaml.Node, path string) *yaml.Node {
	for depth := 0; n != nil && n.Kind == yaml.AliasNode; depth++ {
		if d.Aliases++; depth >= maxAliasDepth || d.Aliases > maxAliases {
			d.Errorf(n, path, "aliases nest too deeply or expand too often")
			return nil
		}
		n = n.Alias
	}
	return n
}

// list walks the items of sequence n, recording each item's position,
// and calls fn with each item's path and resolved node.
func (d *Decoder) List(n *yaml.Node, path string, fn func(p string, item *yaml.Node)) {
	if n.Kind != yaml.SequenceNode {
		d.Errorf(n, path, "must be a list")
		return
	}
	for i, item := range n.Content {
		p := path + "[" + strconv.Itoa(i) + "]"
		if item = d.Resolve(item, p); item != nil {
			d.At.Record(p, Pos(item), Pos(item))
			fn(p, item)
		}
	}
}

func IsNull(n *yaml.Node) bool {
	if n.Kind != yaml.ScalarNode {
		return false
	}
	if n.Tag == "" && n.Style == 0 {
		// yaml.v3 resolves an untagged plain scalar to null by these
		// words alone; ShortTag would also try it as a number and a time
		switch n.Value {
		case "", "~", "null", "Null", "NULL":
			return true
		}
		return false
	}
	return n.ShortTag() == "!!null"
}

// Fields describes the keys a mapping may hold: the ones cfngen reads, and
// Copilot's ones it refuses, each with the reason.
type Fields struct {
	Known       []string
	Unsupported map[string]string
}

// entries walks the entries of mapping n, refusing a non-scalar or
// repeated key, and calls fn with each key and its resolved value.
func (d *Decoder) Entries(n *yaml.Node, path string, fn func(k, v *yaml.Node)) {
	if n = d.Resolve(n, path); n == nil {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.Errorf(n, path, "must be a map")
		return
	}
	var seen map[string]bool // only for large mappings: small ones are scanned
	if len(n.Content) > 2*smallMapping {
		seen = make(map[string]bool, len(n.Content)/2)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode || k.Value == "" {
			d.Errorf(k, path, "keys must be non-empty strings")
			continue
		}
		if repeated(n.Content, i, seen) {
			d.Errorf(k, path, "%q repeated", k.Value)
			continue
		}
		p := Join(path, k.Value)
		d.entry = entryPath{path, k.Value, p}
		if v := d.Resolve(n.Content[i+1], p); v != nil {
			d.At.Record(p, Pos(k), Pos(v))
			fn(k, v)
		}
	}
}

// smallMapping is how many entries a mapping may hold for its keys to be
// checked for repeats by looking back, not with a set.
const smallMapping = 16

// repeated reports whether the key at content[i] repeats an earlier
// scalar key; seen, if not nil, holds the keys before it and takes this one.
func repeated(content []*yaml.Node, i int, seen map[string]bool) bool {
	k := content[i].Value
	if seen != nil {
		if seen[k] {
			return true
		}
		seen[k] = true
		return false
	}
	for j := 0; j < i; j += 2 {
		if c := content[j]; c.Kind == yaml.ScalarNode && c.Value == k {
			return true
		}
	}
	return false
}

// mapping checks n is a mapping of known keys and calls fn for each entry
// whose value is not null. Unknown keys get a did-you-mean suggestion;
// unsupported ones say why.
func (d *Decoder) Mapping(n *yaml.Node, path string, f Fields, fn func(key string, k, v *yaml.Node)) {
	d.Entries(n, path, func(k, v *yaml.Node) {
		if reason, ok := f.Unsupported[k.Value]; ok {
			d.Errorf(k, Join(path, k.Value), "%s", reason)
			return
		}
		if !slices.Contains(f.Known, k.Value) {
			d.Unknown(k, path, f)
			return
		}
		if !IsNull(v) {
			fn(k.Value, k, v)
		}
	})
}

func (d *Decoder) Unknown(k *yaml.Node, path string, f Fields) {
	if d.Full(k) {
		return
	}
	candidates := slices.Sorted(maps.Keys(f.Unsupported))
	candidates = append(slices.Clone(f.Known), candidates...)
	slices.Sort(candidates)
	if s := Suggest(k.Value, candidates); s != "" {
		d.Errorf(k, path, "unknown field %q; did you mean %q?", k.Value, s)
		return
	}
	d.Errorf(k, path, "unknown field %q", k.Value)
}

// suggest returns the candidate nearest to s, as HCL does: an edit distance
// under 3, ignoring case.
func Suggest(s string, candidates []string) string {
	best, bestDist := "", 3
	s = strings.ToLower(s)
	for _, c := range candidates {
		// Lengths 3 apart are 3 edits apart: a long string costs nothing.
		if len(s) >= len(c)+3 || len(c) >= len(s)+3 {
			continue
		}
		if dist := Levenshtein(s, strings.ToLower(c)); dist < bestDist {
			best, bestDist = c, dist
		}
	}
	return best
}

func Levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// str reads a scalar as text, as written.
func (d *Decoder) Str(n *yaml.Node, path string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		d.Errorf(n, path, "must be a string")
		return "", false
	}
	return n.Value, true
}

// nonEmpty reads a scalar that must not be empty.
func (d *Decoder) NonEmpty(n *yaml.Node, path string) (string, bool) {
	s, ok := d.Str(n, path)
	if ok && strings.TrimSpace(s) == "" {
		d.Errorf(n, path, "must not be empty")
		return "", false
	}
	return s, ok
}

func (d *Decoder) Integer(n *yaml.Node, path string) (int, bool) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" {
		if i, err := strconv.Atoi(n.Value); err == nil {
			return i, true
		}
	}
	d.Errorf(n, path, "must be an integer, got %s", Describe(n))
	return 0, false
}

// intRange reads an integer that must lie in [lo, hi].
func (d *Decoder) IntRange(n *yaml.Node, path string, lo, hi int) (int, bool) {
	i, ok := d.Integer(n, path)
	if ok && (i < lo || i > hi) {
		d.Errorf(n, path, "must be %d-%d, got %d", lo, hi, i)
		return 0, false
	}
	return i, ok
}

func (d *Decoder) Boolean(n *yaml.Node, path string) (bool, bool) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
		return n.Value == "true" || n.Value == "True" || n.Value == "TRUE", true
	}
	d.Errorf(n, path, "must be true or false, got %s", Describe(n))
	return false, false
}

// seconds reads a duration such as 10s or 1m30s as whole seconds in
// [lo, hi]; ECS and ELB take whole seconds.
func (d *Decoder) Seconds(n *yaml.Node, path string, lo, hi int) (int, bool) {
	s, ok := d.Str(n, path)
	if !ok {
		return 0, false
	}
	dur, err := time.ParseDuration(s)
	if err != nil || n.ShortTag() != "!!str" {
		d.Errorf(n, path, "must be a duration such as 10s or 1m30s, got %s", Describe(n))
		return 0, false
	}
	if dur%time.Second != 0 {
		d.Errorf(n, path, "must be a whole number of seconds, got %s", s)
		return 0, false
	}
	secs := int(dur / time.Second)
	if secs < lo || secs > hi {
		d.Errorf(n, path, "must be %ds-%ds, got %s", lo, hi, s)
		return 0, false
	}
	return secs, true
}

// durationSeconds reads a duration such as 500ms or 2s as seconds.
func (d *Decoder) DurationSeconds(n *yaml.Node, path string) (float64, bool) {
	dur, err := time.ParseDuration(n.Value)
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" || err != nil {
		d.Errorf(n, path, "must be a duration such as 500ms or 2s, got %s", Describe(n))
		return 0, false
	}
	return dur.Seconds(), true
}

func (d *Decoder) StringList(n *yaml.Node, path string) ([]string, bool) {
	if n.Kind != yaml.SequenceNode {
		d.Errorf(n, path, "must be a list of strings")
		return nil, false
	}
	out := make([]string, 0, len(n.Content))
	ok := true
	for i, c := range n.Content {
		p := fmt.Sprintf("%s[%d]", path, i)
		if c = d.Resolve(c, p); c == nil {
			ok = false
			continue
		}
		d.At.Record(p, Pos(c), Pos(c))
		s, good := d.Str(c, p)
		ok = ok && good
		out = append(out, s)
	}
	return out, ok
}

// describe names a node's kind and value for an error message.
func Describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a map"
	case yaml.SequenceNode:
		return "a list"
	}
	return strconv.Quote(n.Value)
}
