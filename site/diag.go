package site

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// A Problem is one thing wrong with the content or the configuration,
// located at a file and line (1-based; 0 when it concerns the whole file).
type Problem struct {
	Path string
	Line int
	Msg  string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.Path, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.Path, p.Msg)
}

// Problems is the error Load returns when the content does not build: every
// problem in every file, sorted by path and line.
type Problems []Problem

func (ps Problems) Error() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.String())
	}
	return b.String()
}

func (ps Problems) sorted() Problems {
	out := slices.Clone(ps)
	slices.SortStableFunc(out, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Msg, b.Msg))
	})
	return slices.Compact(out)
}

// problems collects Problems while loading.
type problems struct{ list Problems }

func (c *problems) add(path string, line int, format string, args ...any) {
	c.list = append(c.list, Problem{Path: path, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (c *problems) err() error {
	if len(c.list) == 0 {
		return nil
	}
	return c.list.sorted()
}

// nearest returns the candidate closest to s by edit distance (with
// transpositions), or "" when none is close enough to be a plausible typo.
// Ties go to an anagram, then to the candidate of the closest length.
func nearest(s string, candidates []string) string {
	s = strings.ToLower(s)
	best, bestD := "", len(s)/2+2
	score := func(c string) (int, int, int) {
		anagram := 1
		if sortedLetters(c) == sortedLetters(s) {
			anagram = 0
		}
		return editDistance(s, c), anagram, abs(len(c) - len(s))
	}
	var bestA, bestL int
	for _, c := range candidates {
		d, a, l := score(c)
		if d < bestD || (d == bestD && best != "" && (a < bestA || (a == bestA && l < bestL))) {
			best, bestD, bestA, bestL = c, d, a, l
		}
	}
	return best
}

func sortedLetters(s string) string {
	b := []byte(s)
	slices.Sort(b)
	return string(b)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// editDistance is the optimal-string-alignment distance: insertions,
// deletions, substitutions and swaps of neighbours each cost one.
func editDistance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// oneOf formats a vocabulary for an error message: "a, b or c".
func oneOf(words []string) string { return joinWords(words, "or", "nothing") }

// suggest returns " (did you mean X?)" or, with no close candidate, the list
// of what is expected.
func suggest(got string, known []string) string {
	if n := nearest(got, known); n != "" {
		return fmt.Sprintf("did you mean %q?", n)
	}
	return "expected " + oneOf(known)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
