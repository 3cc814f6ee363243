package manifest

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

// decoder walks a yaml.Node tree against the known fields, collecting every
// error with its position.
type decoder struct {
	file    string
	errs    diag.List
	aliases int
	at      positions
	// dropped counts the problems past maxProblems, first where the
	// first of them is.
	dropped int
	first   diag.Pos
}

// maxProblems is how many problems a manifest reports at most: past it,
// more are counted, not described, so that no input costs a did-you-mean
// for each of a hundred thousand keys.
const maxProblems = 100

func pos(n *yaml.Node) diag.Pos { return diag.Pos{Line: n.Line, Col: n.Column} }

// positions records, once, where each node the decoder visits stands,
// keyed by its path: for a map entry the key and the value, for a list
// item the item. Checks made after decoding look positions up here.
type positions struct {
	key, value map[string]diag.Pos
}

func (p *positions) record(path string, key, value diag.Pos) {
	if p.key == nil {
		p.key, p.value = map[string]diag.Pos{}, map[string]diag.Pos{}
	}
	if _, seen := p.key[path]; !seen {
		p.key[path], p.value[path] = key, value
	}
}

// lookup returns the position recorded for path in table, or for its
// nearest recorded parent.
func (p *positions) lookup(table map[string]diag.Pos, path string) diag.Pos {
	for {
		if at, ok := table[path]; ok {
			return at
		}
		if path == "" {
			return diag.Pos{Line: 1, Col: 1}
		}
		path = parent(path)
	}
}

// parent drops the last element of a path: a.b[2] → a.b, a.b → a.
func parent(path string) string {
	if i := strings.LastIndexAny(path, ".["); i >= 0 {
		return path[:i]
	}
	return ""
}

func (d *decoder) errorf(n *yaml.Node, path, format string, args ...any) {
	if d.full(n) {
		return
	}
	d.errs.Add(d.file, pos(n), path, fmt.Sprintf(format, args...))
}

// full reports whether maxProblems are reported, counting the problem at
// n as dropped if so.
func (d *decoder) full(n *yaml.Node) bool {
	if len(d.errs) < maxProblems {
		return false
	}
	if d.dropped == 0 {
		d.first = pos(n)
	}
	d.dropped++
	return true
}

// join builds a dotted field path.
func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// resolve follows aliases to the node they name.
func (d *decoder) resolve(n *yaml.Node, path string) *yaml.Node {
	for depth := 0; n != nil && n.Kind == yaml.AliasNode; depth++ {
		if d.aliases++; depth >= maxAliasDepth || d.aliases > maxAliases {
			d.errorf(n, path, "aliases nest too deeply or expand too often")
			return nil
		}
		n = n.Alias
	}
	return n
}

// list walks the items of sequence n, recording each item's position,
// and calls fn with each item's path and resolved node.
func (d *decoder) list(n *yaml.Node, path string, fn func(p string, item *yaml.Node)) {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, path, "must be a list")
		return
	}
	for i, item := range n.Content {
		p := path + "[" + strconv.Itoa(i) + "]"
		if item = d.resolve(item, p); item != nil {
			d.at.record(p, pos(item), pos(item))
			fn(p, item)
		}
	}
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// fields describes the keys a mapping may hold: the ones cfngen reads, and
// Copilot's ones it refuses, each with the reason.
type fields struct {
	known       []string
	unsupported map[string]string
}

// entries walks the entries of mapping n, refusing a non-scalar or
// repeated key, and calls fn with each key and its resolved value.
func (d *decoder) entries(n *yaml.Node, path string, fn func(k, v *yaml.Node)) {
	if n = d.resolve(n, path); n == nil {
		return
	}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "must be a map")
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Kind != yaml.ScalarNode || k.Value == "" {
			d.errorf(k, path, "keys must be non-empty strings")
			continue
		}
		if seen[k.Value] {
			d.errorf(k, path, "%q repeated", k.Value)
			continue
		}
		seen[k.Value] = true
		if v := d.resolve(n.Content[i+1], join(path, k.Value)); v != nil {
			d.at.record(join(path, k.Value), pos(k), pos(v))
			fn(k, v)
		}
	}
}

// mapping checks n is a mapping of known keys and calls fn for each entry
// whose value is not null. Unknown keys get a did-you-mean suggestion;
// unsupported ones say why.
func (d *decoder) mapping(n *yaml.Node, path string, f fields, fn func(key string, k, v *yaml.Node)) {
	d.entries(n, path, func(k, v *yaml.Node) {
		if reason, ok := f.unsupported[k.Value]; ok {
			d.errorf(k, join(path, k.Value), "%s", reason)
			return
		}
		if !slices.Contains(f.known, k.Value) {
			d.unknown(k, path, f)
			return
		}
		if !isNull(v) {
			fn(k.Value, k, v)
		}
	})
}

func (d *decoder) unknown(k *yaml.Node, path string, f fields) {
	if d.full(k) {
		return
	}
	candidates := slices.Sorted(maps.Keys(f.unsupported))
	candidates = append(slices.Clone(f.known), candidates...)
	slices.Sort(candidates)
	if s := suggest(k.Value, candidates); s != "" {
		d.errorf(k, path, "unknown field %q; did you mean %q?", k.Value, s)
		return
	}
	d.errorf(k, path, "unknown field %q", k.Value)
}

// suggest returns the candidate nearest to s, as HCL does: an edit distance
// under 3, ignoring case.
func suggest(s string, candidates []string) string {
	best, bestDist := "", 3
	s = strings.ToLower(s)
	for _, c := range candidates {
		// Lengths 3 apart are 3 edits apart: a long string costs nothing.
		if len(s) >= len(c)+3 || len(c) >= len(s)+3 {
			continue
		}
		if dist := levenshtein(s, strings.ToLower(c)); dist < bestDist {
			best, bestDist = c, dist
		}
	}
	return best
}

func levenshtein(a, b string) int {
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
func (d *decoder) str(n *yaml.Node, path string) (string, bool) {
	if n.Kind != yaml.ScalarNode {
		d.errorf(n, path, "must be a string")
		return "", false
	}
	return n.Value, true
}

// nonEmpty reads a scalar that must not be empty.
func (d *decoder) nonEmpty(n *yaml.Node, path string) (string, bool) {
	s, ok := d.str(n, path)
	if ok && strings.TrimSpace(s) == "" {
		d.errorf(n, path, "must not be empty")
		return "", false
	}
	return s, ok
}

func (d *decoder) integer(n *yaml.Node, path string) (int, bool) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!int" {
		if i, err := strconv.Atoi(n.Value); err == nil {
			return i, true
		}
	}
	d.errorf(n, path, "must be an integer, got %s", describe(n))
	return 0, false
}

// intRange reads an integer that must lie in [lo, hi].
func (d *decoder) intRange(n *yaml.Node, path string, lo, hi int) (int, bool) {
	i, ok := d.integer(n, path)
	if ok && (i < lo || i > hi) {
		d.errorf(n, path, "must be %d-%d, got %d", lo, hi, i)
		return 0, false
	}
	return i, ok
}

func (d *decoder) boolean(n *yaml.Node, path string) (bool, bool) {
	if n.Kind == yaml.ScalarNode && n.ShortTag() == "!!bool" {
		return n.Value == "true" || n.Value == "True" || n.Value == "TRUE", true
	}
	d.errorf(n, path, "must be true or false, got %s", describe(n))
	return false, false
}

// seconds reads a duration such as 10s or 1m30s as whole seconds in
// [lo, hi]; ECS and ELB take whole seconds.
func (d *decoder) seconds(n *yaml.Node, path string, lo, hi int) (int, bool) {
	s, ok := d.str(n, path)
	if !ok {
		return 0, false
	}
	dur, err := time.ParseDuration(s)
	if err != nil || n.ShortTag() != "!!str" {
		d.errorf(n, path, "must be a duration such as 10s or 1m30s, got %s", describe(n))
		return 0, false
	}
	if dur%time.Second != 0 {
		d.errorf(n, path, "must be a whole number of seconds, got %s", s)
		return 0, false
	}
	secs := int(dur / time.Second)
	if secs < lo || secs > hi {
		d.errorf(n, path, "must be %ds-%ds, got %s", lo, hi, s)
		return 0, false
	}
	return secs, true
}

// durationSeconds reads a duration such as 500ms or 2s as seconds.
func (d *decoder) durationSeconds(n *yaml.Node, path string) (float64, bool) {
	dur, err := time.ParseDuration(n.Value)
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" || err != nil {
		d.errorf(n, path, "must be a duration such as 500ms or 2s, got %s", describe(n))
		return 0, false
	}
	return dur.Seconds(), true
}

func (d *decoder) stringList(n *yaml.Node, path string) ([]string, bool) {
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, path, "must be a list of strings")
		return nil, false
	}
	out := make([]string, 0, len(n.Content))
	ok := true
	for i, c := range n.Content {
		p := fmt.Sprintf("%s[%d]", path, i)
		if c = d.resolve(c, p); c == nil {
			ok = false
			continue
		}
		d.at.record(p, pos(c), pos(c))
		s, good := d.str(c, p)
		ok = ok && good
		out = append(out, s)
	}
	return out, ok
}

// command reads a command or entrypoint: a list, or a string split with
// shell rules.
func (d *decoder) command(n *yaml.Node, path string) []string {
	if n.Kind == yaml.SequenceNode {
		l, _ := d.stringList(n, path)
		return l
	}
	s, ok := d.str(n, path)
	if !ok {
		return nil
	}
	words, err := shellSplit(s)
	if err != nil {
		d.errorf(n, path, "%v", err)
		return nil
	}
	return words
}

// describe names a node's kind and value for an error message.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a map"
	case yaml.SequenceNode:
		return "a list"
	}
	return strconv.Quote(n.Value)
}

// shellSplit splits s into words as a POSIX shell would, without expansion.
func shellSplit(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\\':
			inWord = true
			if i+1 < len(s) {
				i++
				cur.WriteByte(s[i])
			}
		case c == '\'':
			inWord = true
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, fmt.Errorf("unterminated single quote")
			}
			cur.WriteString(s[i+1 : i+1+end])
			i += end + 1
		case c == '"':
			inWord = true
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\"\\$`", s[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, fmt.Errorf("unterminated double quote")
			}
		default:
			inWord = true
			cur.WriteByte(c)
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
