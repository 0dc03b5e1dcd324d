package site

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	yaml "go.yaml.in/yaml/v3"
)

// maxFileSize is the largest content file herald reads.
const maxFileSize = 1 << 20

// A node is one front-matter value with the line it came from. YAML and
// TOML front matter both decode to nodes, so that validation is written
// once and every message can name a line.
type node struct {
	line   int
	kind   nodeKind
	str    string   // scalar text as written
	native any      // TOML's decoded scalar (time.Time, bool, int64, float64); nil for YAML
	list   []*node  // kindList
	keys   []string // kindMap, in source order
	vals   map[string]*node
}

type nodeKind int

const (
	kindScalar nodeKind = iota
	kindList
	kindMap
	kindNull
)

// doc is a content file split into front matter and body.
type doc struct {
	path     string
	meta     *node // a kindMap
	body     string
	bodyLine int      // line number of the body's first line
	sum      [32]byte // SHA-256 of the file's bytes
}

// normalize strips a UTF-8 byte-order mark and turns CRLF and CR line
// endings into LF.
func normalize(b []byte) string {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if bytes.IndexByte(b, '\r') >= 0 {
		b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
		b = bytes.ReplaceAll(b, []byte("\r"), []byte("\n"))
	}
	return string(b)
}

// parseDoc splits src into front matter and body and decodes the front
// matter. Problems are reported to ps; the returned doc is nil when the front
// matter could not be read at all.
func parseDoc(path string, src []byte, ps *problems) *doc {
	text := normalize(src)
	first, rest, _ := strings.Cut(text, "\n")
	first = strings.TrimRight(first, " \t")
	var fence string
	switch first {
	case "---":
		fence = "---"
	case "+++":
		fence = "+++"
	default:
		ps.add(path, 1, "missing front matter (expected a first line of --- for YAML or +++ for TOML)")
		return nil
	}
	// The front matter is rest[:off], its n lines before the closing one.
	off, n, end := 0, 0, -1
	for l := range strings.Lines(rest) {
		if t := strings.TrimRight(l, " \t\n"); t == fence || (fence == "---" && t == "...") {
			end = off + len(l)
			break
		}
		off += len(l)
		n++
	}
	if end < 0 {
		ps.add(path, 1, "front matter opened with %s is never closed (expected a line of %s)", fence, fence)
		return nil
	}
	fm := rest[:off]
	d := &doc{path: path, body: rest[end:], bodyLine: n + 3}
	var err error
	if fence == "---" {
		d.meta, err = parseYAML(fm)
	} else {
		d.meta, err = parseTOML(fm)
	}
	if err != nil {
		var le *lineError
		if errors.As(err, &le) {
			ps.add(path, le.line+1, "bad front matter: %s", le.msg)
		} else {
			ps.add(path, 2, "bad front matter: %v", err)
		}
		return nil
	}
	d.meta.shift(1) // the front matter starts on the file's second line
	return d
}

func (n *node) shift(by int) {
	n.line += by
	for _, c := range n.list {
		c.shift(by)
	}
	for _, c := range n.vals {
		c.shift(by)
	}
}

type lineError struct {
	line int // within the front matter, 1-based
	msg  string
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

var yamlLineRE = regexp.MustCompile(`line (\d+): (.*)`)

func parseYAML(src string) (*node, error) {
	if n, ok := parseFlatYAML(src); ok {
		return n, nil
	}
	return parseYAMLFull(src)
}

// parseYAMLFull reads any YAML front matter with go-yaml.
func parseYAMLFull(src string) (*node, error) {
	var root yaml.Node
	if err := yaml.Unmarshal([]byte(src), &root); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
			n, _ := strconv.Atoi(m[1])
			if yamlParserProblem(m[2]) {
				n++ // go-yaml numbers parser (not scanner) errors from 0
			}
			return nil, &lineError{line: n, msg: m[2] + " (expected YAML key: value lines)"}
		}
		return nil, &lineError{line: 1, msg: msg + " (expected YAML key: value lines)"}
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return &node{kind: kindMap, vals: map[string]*node{}, line: 1}, nil
	}
	top := root.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, &lineError{line: top.Line, msg: "front matter is not a map of keys (expected key: value lines)"}
	}
	return fromYAML(top)
}

// yamlParserProblem reports whether msg is one of go-yaml's parser errors,
// whose line go-yaml reports 0-based (its scanner errors are 1-based).
func yamlParserProblem(msg string) bool {
	for _, p := range []string{"did not find expected ',' or ']'", "did not find expected ',' or '}'",
		"did not find expected '-' indicator", "did not find expected <document start>",
		"did not find expected key", "did not find expected node content", "found undefined tag handle",
		"found duplicate %", "found incompatible YAML document"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

func fromYAML(y *yaml.Node) (*node, error) {
	switch y.Kind {
	case yaml.AliasNode:
		return fromYAML(y.Alias)
	case yaml.ScalarNode:
		if y.Tag == "!!null" {
			return &node{line: y.Line, kind: kindNull}, nil
		}
		return &node{line: y.Line, kind: kindScalar, str: y.Value}, nil
	case yaml.SequenceNode:
		n := &node{line: y.Line, kind: kindList}
		for _, c := range y.Content {
			cn, err := fromYAML(c)
			if err != nil {
				return nil, err
			}
			n.list = append(n.list, cn)
		}
		return n, nil
	case yaml.MappingNode:
		n := &node{line: y.Line, kind: kindMap, vals: map[string]*node{}}
		for i := 0; i+1 < len(y.Content); i += 2 {
			k := y.Content[i]
			v, err := fromYAML(y.Content[i+1])
			if err != nil {
				return nil, err
			}
			if _, dup := n.vals[k.Value]; dup {
				return nil, &lineError{line: k.Line, msg: fmt.Sprintf("key %q appears twice (expected each key once)", k.Value)}
			}
			v.line = k.Line
			if v.kind == kindList || v.kind == kindMap {
				v.line = k.Line
			}
			n.keys = append(n.keys, k.Value)
			n.vals[k.Value] = v
		}
		return n, nil
	}
	return &node{line: y.Line, kind: kindNull}, nil
}

var tomlKeyRE = regexp.MustCompile(`^\s*("?)([A-Za-z0-9_-]+)("?)\s*=`)

func parseTOML(src string) (*node, error) {
	var m map[string]any
	_, err := toml.Decode(src, &m)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &lineError{line: pe.Position.Line, msg: pe.Message + " (expected TOML key = value lines)"}
		}
		return nil, &lineError{line: 1, msg: err.Error()}
	}
	// TOML decoding loses positions; find each key's line by scanning
	// (keys in [tables] and in each [[array]] table too), which is exact for
	// the shallow front matter herald reads.
	return fromTOML(m, "", newTOMLLocator(src)), nil
}

// fromTOML converts a decoded TOML value at the dotted path
// ("action_items.1.status") to a node, with the line loc finds for it.
func fromTOML(v any, path string, loc *tomlLocator) *node {
	line := max(loc.line(path), 1)
	at := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch v := v.(type) {
	case map[string]any:
		n := &node{line: line, kind: kindMap, vals: map[string]*node{}}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			li, lj := loc.line(at(keys[i])), loc.line(at(keys[j]))
			if li != lj {
				return li < lj
			}
			return keys[i] < keys[j]
		})
		for _, k := range keys {
			n.keys = append(n.keys, k)
			n.vals[k] = fromTOML(v[k], at(k), loc)
		}
		return n
	case []map[string]any:
		n := &node{line: line, kind: kindList}
		for i, e := range v {
			n.list = append(n.list, fromTOML(e, at(strconv.Itoa(i)), loc))
		}
		return n
	case []any:
		n := &node{line: line, kind: kindList}
		for i, e := range v {
			n.list = append(n.list, fromTOML(e, at(strconv.Itoa(i)), loc))
		}
		return n
	case time.Time:
		return &node{line: line, kind: kindScalar, str: v.Format(time.RFC3339Nano), native: v}
	default:
		return &node{line: line, kind: kindScalar, str: fmt.Sprint(v), native: v}
	}
}
