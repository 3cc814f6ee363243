package manifest

import (
	"fmt"
	"strings"

	"github.com/cfngen/cfngen/diag"
	"github.com/cfngen/cfngen/yamldec"
	"gopkg.in/yaml.v3"
)

// decoder is the manifest's decoder: the shared machinery of yamldec, and
// the readers of the workload dialect in this package.
type decoder struct {
	yamldec.Decoder
}

// The shared helpers, by their short names here.
var (
	join     = yamldec.Join
	isNull   = yamldec.IsNull
	suggest  = yamldec.Suggest
	describe = yamldec.Describe
)

func pos(n *yaml.Node) diag.Pos { return yamldec.Pos(n) }

// positions records each node's position by path.
type positions = yamldec.Positions

// fields are the keys a mapping may hold.
type fields = yamldec.Fields

// command reads a command or entrypoint: a list, or a string split with
// shell rules.
func (d *decoder) command(n *yaml.Node, path string) []string {
	if n.Kind == yaml.SequenceNode {
		l, _ := d.StringList(n, path)
		return l
	}
	s, ok := d.Str(n, path)
	if !ok {
		return nil
	}
	words, err := shellSplit(s)
	if err != nil {
		d.Errorf(n, path, "%v", err)
		return nil
	}
	return words
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
