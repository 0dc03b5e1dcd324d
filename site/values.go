package site

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Field decoders turn front-matter nodes into Go values, reporting what is
// wrong in the words a responder needs.

type fields struct {
	d  *doc
	ps *problems
}

func (f fields) bad(n *node, format string, args ...any) {
	f.ps.add(f.d.path, n.line, format, args...)
}

// oneLine folds line breaks into spaces: titles and names are one line.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\n\r\t") {
		return strings.TrimSpace(s)
	}
	return strings.Join(strings.Fields(s), " ")
}

func (f fields) str(key string, n *node) (string, bool) {
	if n.kind != kindScalar {
		f.bad(n, "%s must be a single value (expected text)", key)
		return "", false
	}
	return oneLine(n.str), true
}

func (f fields) strs(key string, n *node) ([]string, bool) {
	switch n.kind {
	case kindScalar:
		return []string{oneLine(n.str)}, true
	case kindList:
		out := make([]string, 0, len(n.list))
		for _, e := range n.list {
			if e.kind != kindScalar {
				f.bad(e, "%s must be a list of words (expected e.g. [a, b])", key)
				return nil, false
			}
			out = append(out, oneLine(e.str))
		}
		return out, true
	case kindNull:
		return nil, true
	}
	f.bad(n, "%s must be a list (expected e.g. [a, b])", key)
	return nil, false
}

func (f fields) boolean(key string, n *node) (bool, bool) {
	if n.kind == kindScalar {
		if b, ok := n.native.(bool); ok {
			return b, true
		}
		switch strings.ToLower(n.str) {
		case "true", "yes":
			return true, true
		case "false", "no":
			return false, true
		}
	}
	f.bad(n, "%s must be true or false (expected %s: true or %s: false)", key, key, key)
	return false, false
}

func (f fields) time(key string, n *node) (time.Time, bool) {
	if n.kind != kindScalar {
		f.bad(n, "%s must be a time (expected RFC 3339 with an offset, e.g. 2026-11-27T14:05:00Z)", key)
		return time.Time{}, false
	}
	if t, ok := n.native.(time.Time); ok {
		switch t.Location().String() {
		case "datetime-local":
			f.bad(n, "%s %s has no UTC offset (expected e.g. %sZ or %s+02:00)", key, n.str[:19], n.str[:19], n.str[:19])
			return time.Time{}, false
		case "date-local":
			d := t.Format("2006-01-02")
			f.bad(n, "%s %q is a date without a time (expected e.g. %sT14:05:00Z)", key, d, d)
			return time.Time{}, false
		case "time-local":
			f.bad(n, "%s %q is a time without a date (expected RFC 3339 with an offset, e.g. 2026-11-27T14:05:00Z)", key, t.Format("15:04:05.999999999"))
			return time.Time{}, false
		}
		return t, true
	}
	t, err := parseTime(n.str)
	if err != nil {
		f.bad(n, "%s %v", key, err)
		return time.Time{}, false
	}
	return t, true
}

// parseTime reads RFC 3339 with the leniencies DESIGN.md allows: a space for
// T, lower-case t and z, missing seconds. An offset is required.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	norm := s
	if len(norm) > 10 && (norm[10] == ' ' || norm[10] == 't') {
		norm = norm[:10] + "T" + norm[11:]
	}
	if strings.HasSuffix(norm, "z") {
		norm = norm[:len(norm)-1] + "Z"
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
		if t, err := time.Parse(layout, norm); err == nil {
			return t, nil
		}
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04"} {
		if _, err := time.Parse(layout, norm); err == nil {
			return time.Time{}, fmt.Errorf("%q has no UTC offset (expected e.g. %sZ or %s+02:00)", s, norm, norm)
		}
	}
	if _, err := time.Parse("2006-01-02", norm); err == nil {
		return time.Time{}, fmt.Errorf("%q is a date without a time (expected e.g. %sT14:05:00Z)", s, norm)
	}
	return time.Time{}, fmt.Errorf("%q is not a time (expected RFC 3339 with an offset, e.g. 2026-11-27T14:05:00Z)", s)
}

// date reads a bare date or a full time (an action item's due).
func (f fields) date(key string, n *node) (time.Time, bool) {
	if n.kind == kindScalar {
		if t, ok := n.native.(time.Time); ok && t.Location().String() == "date-local" {
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), true
		}
		if t, err := time.Parse("2006-01-02", strings.TrimSpace(n.str)); err == nil {
			return t, true
		}
	}
	return f.time(key, n)
}

// plain turns a node into plain Go values for templates (extra:).
func (n *node) plain() any {
	switch n.kind {
	case kindScalar:
		if n.native != nil {
			return n.native
		}
		if i, err := strconv.ParseInt(n.str, 10, 64); err == nil {
			return i
		}
		return n.str
	case kindList:
		out := make([]any, len(n.list))
		for i, e := range n.list {
			out[i] = e.plain()
		}
		return out
	case kindMap:
		out := make(map[string]any, len(n.keys))
		for _, k := range n.keys {
			out[k] = n.vals[k].plain()
		}
		return out
	}
	return nil
}

// checkKeys reports keys outside known, suggesting the nearest known one,
// and keys in required that are missing.
func (f fields) checkKeys(what string, m *node, known, required []string) {
	for _, k := range m.keys {
		if !contains(known, k) {
			hint := suggest(k, known)
			if contains(known, "extra") {
				hint += "; free-form data goes under extra:"
			}
			f.bad(m.vals[k], "unknown key %q in %s (%s)", k, what, hint)
		}
	}
	line := 1 // the whole file; a nested map (an action item) has its own line
	if m != f.d.meta {
		line = m.line
	}
	for _, k := range required {
		if _, ok := m.vals[k]; !ok {
			f.ps.add(f.d.path, line, "%s is missing required key %q (expected all of %s)", what, k, strings.Join(required, ", "))
		}
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
