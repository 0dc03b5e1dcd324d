package site

import (
	"strings"
	"unicode/utf8"
)

// parseFlatYAML is a fast path for the front matter responders write
// almost always: top-level "key: value" lines whose values are plain words,
// simple quoted strings, one-line [lists] and {maps}, or one level of
// indented "key: value" or "- item" lines. It returns the node go-yaml
// would give (same kinds, text and lines), and ok false for anything it is
// not sure of, which parseYAMLFull then reads (and reports errors for).
// go-yaml spends most of a build's loading time on these few lines.
// Keys and values are slices of src, as the body is of the file's text: a
// file's text is kept as one piece while anything read from it lives.
func parseFlatYAML(src string) (n *node, ok bool) {
	if !flatYAMLText(src) {
		return nil, false
	}
	lines := strings.Count(src, "\n") + 1 // at most as many keys
	root := &node{kind: kindMap, keys: make([]string, 0, lines), vals: make(map[string]*node, lines)}
	var (
		open   *node // value of the last top-level key while it may take indented lines
		indent = -1  // indentation of open's lines; -1 before the first
	)
	ln := 0
	for line := range strings.SplitSeq(src, "\n") {
		ln++
		t := strings.TrimLeft(line, " ")
		if t == "" || t[0] == '#' {
			continue
		}
		ind := len(line) - len(t)
		if item, isItem := cutItem(t); isItem {
			// "- item" under the open key, indented or not.
			if open == nil || (open.kind != kindNull && open.kind != kindList) || (indent >= 0 && ind != indent) {
				return nil, false
			}
			v, ok := flatScalar(item, ln, false)
			if !ok || v.kind != kindScalar {
				return nil, false
			}
			open.kind, indent = kindList, ind
			open.list = append(open.list, v)
			continue
		}
		key, rest, isKey := cutKey(t)
		if !isKey {
			return nil, false
		}
		if ind == 0 {
			if _, dup := root.vals[key]; dup {
				return nil, false
			}
			v, ok := flatValue(rest, ln)
			if !ok {
				return nil, false
			}
			if len(root.keys) == 0 {
				root.line = ln
			}
			root.keys = append(root.keys, key)
			root.vals[key] = v
			open, indent = nil, -1
			if strings.Trim(rest, " ") == "" { // not "key: ~", which takes no lines
				open = v
			}
			continue
		}
		// An indented "key: value" makes the open key a map.
		if open == nil || (open.kind != kindNull && open.kind != kindMap) || (indent >= 0 && ind != indent) {
			return nil, false
		}
		if open.kind == kindNull {
			open.kind, open.vals, indent = kindMap, map[string]*node{}, ind
		}
		if _, dup := open.vals[key]; dup {
			return nil, false
		}
		v, ok := flatScalar(rest, ln, false)
		if !ok {
			return nil, false
		}
		open.keys = append(open.keys, key)
		open.vals[key] = v
	}
	if len(root.keys) == 0 {
		return nil, false
	}
	return root, true
}

// flatYAMLText reports whether src holds only characters that go-yaml
// reads as they are: no tabs, no control characters, no Unicode line
// breaks, no byte-order mark, valid UTF-8, and no document markers or
// directives.
func flatYAMLText(src string) bool {
	for i, r := range src {
		switch {
		case r == '\n':
			if strings.HasPrefix(src[i+1:], "---") || strings.HasPrefix(src[i+1:], "...") || strings.HasPrefix(src[i+1:], "%") {
				return false
			}
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f, r == 0xfeff, r == 0x2028, r == 0x2029, r >= 0xfffe && r <= 0xffff, r == utf8.RuneError:
			return false
		}
	}
	return !strings.HasPrefix(src, "---") && !strings.HasPrefix(src, "...") && !strings.HasPrefix(src, "%")
}

// cutItem splits "- item".
func cutItem(t string) (string, bool) {
	if rest, ok := strings.CutPrefix(t, "- "); ok {
		return rest, true
	}
	return "", false
}

// cutKey splits "key: rest" or "key:" for a plain key of letters, digits,
// underscores and dashes.
func cutKey(t string) (key, rest string, ok bool) {
	i := strings.IndexByte(t, ':')
	if i <= 0 || i > 64 || !flatKey(t[:i]) {
		return "", "", false
	}
	rest = t[i+1:]
	if rest != "" && rest[0] != ' ' {
		return "", "", false
	}
	return t[:i], rest, true
}

func flatKey(k string) bool {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' && i > 0) {
			return false
		}
	}
	return true
}

// flatValue reads what follows "key:" on a top-level line.
func flatValue(rest string, ln int) (*node, bool) {
	v := strings.Trim(rest, " ")
	switch {
	case v == "":
		return &node{line: ln, kind: kindNull}, true
	case v[0] == '[':
		inner, ok := strings.CutSuffix(v[1:], "]")
		if !ok {
			return nil, false
		}
		n := &node{line: ln, kind: kindList}
		if strings.Trim(inner, " ") == "" {
			return n, true
		}
		for item := range strings.SplitSeq(inner, ",") {
			e, ok := flatScalar(item, ln, true)
			if !ok || e.kind != kindScalar {
				return nil, false
			}
			n.list = append(n.list, e)
		}
		return n, true
	case v[0] == '{':
		inner, ok := strings.CutSuffix(v[1:], "}")
		if !ok {
			return nil, false
		}
		n := &node{line: ln, kind: kindMap, vals: map[string]*node{}}
		if strings.Trim(inner, " ") == "" {
			return n, true
		}
		for pair := range strings.SplitSeq(inner, ",") {
			key, val, ok := cutKey(strings.TrimLeft(pair, " "))
			if !ok || val == "" {
				return nil, false
			}
			if _, dup := n.vals[key]; dup {
				return nil, false
			}
			e, ok := flatScalar(val, ln, true)
			if !ok || e.kind != kindScalar {
				return nil, false
			}
			n.keys = append(n.keys, key)
			n.vals[key] = e
		}
		return n, true
	}
	return flatScalar(v, ln, false)
}

// flatScalar reads one scalar: plain, or quoted without escapes. In flow
// (inside [ ] or { }) plain text may not hold the flow indicators.
func flatScalar(s string, ln int, flow bool) (*node, bool) {
	v := strings.Trim(s, " ")
	if v == "" {
		if flow {
			return nil, false
		}
		return &node{line: ln, kind: kindNull}, true
	}
	if q := v[0]; q == '"' || q == '\'' {
		inner, ok := strings.CutSuffix(v[1:], string(q))
		if !ok || strings.IndexByte(inner, q) >= 0 || strings.IndexByte(inner, '\\') >= 0 || flow {
			return nil, false
		}
		return &node{line: ln, kind: kindScalar, str: inner}, true
	}
	if !flow {
		// A comment ends a plain value.
		if i := strings.Index(v, " #"); i >= 0 {
			v = strings.TrimRight(v[:i], " ")
		}
	}
	if strings.IndexByte("-?:,[]{}#&*!|>'\"%@`", v[0]) >= 0 || strings.Contains(v, ": ") || strings.HasSuffix(v, ":") || strings.Contains(v, " #") {
		return nil, false
	}
	if flow && strings.ContainsAny(v, ",[]{}#:\"'") {
		return nil, false
	}
	switch v {
	case "~", "null", "Null", "NULL":
		return &node{line: ln, kind: kindNull}, true
	}
	return &node{line: ln, kind: kindScalar, str: v}, true
}
