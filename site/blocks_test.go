package site

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// The grammar of fences and block markers, as regular expressions: the
// hand-written matchers must read every line the same way.
var (
	blockForRE   = regexp.MustCompile(`^ {0,3}:::\s*for(?:\s+(.*?))?\s*$`)
	blockOtherRE = regexp.MustCompile(`^ {0,3}:::\s*(\S.*?)?\s*$`)
	fenceRE      = regexp.MustCompile("^ {0,3}(`{3,}|~{3,})")
)

var markerLines = []string{
	"", ":::", "::: ", " :::", "   :::", "    :::", ":::\t", "::::", "::: :", ":: :",
	"::: for", ":::for", "::: for ", "::: for\t", "::: fora", "::: foreign it-team", "::: for a", "::: for  a b  ",
	":::\tfor\ta,b", "  :::   for\tit-team ,executives  ", "::: for\f a\r", "::: for\va", "::: \vfor a", "::: internal",
	"::: internal  ", "::: internal x", "::: bogus words", "::: é", "::: for é", "::: \xff",
	"```", "``", "~~~", "~~", "````go", "   ```", "    ```", "``` x", "~~~~ ", "`~`", "```~", "~~~```", " ~~~~~",
}

func TestMarkersMatchGrammar(t *testing.T) {
	check := func(line string) {
		t.Helper()
		m := fenceRE.FindStringSubmatch(line)
		f, rest, ok := fenceOpen(line)
		if ok != (m != nil) || ok && (f != m[1] || rest != line[strings.Index(line, m[1])+len(m[1]):]) {
			t.Errorf("fenceOpen(%q) = %q, %q, %v; want %q", line, f, rest, ok, m)
		}
		words, isMarker := blockMarker(line)
		m = blockOtherRE.FindStringSubmatch(line)
		if isMarker != (m != nil) || isMarker && words != m[1] {
			t.Errorf("blockMarker(%q) = %q, %v; want %q", line, words, isMarker, m)
		}
		ids, isFor := blockFor(words)
		isFor = isFor && isMarker
		m = blockForRE.FindStringSubmatch(line)
		if isFor != (m != nil) || isFor && ids != m[1] {
			t.Errorf("blockFor(%q) = %q, %v; want %q", line, ids, isFor, m)
		}
	}
	for _, line := range markerLines {
		check(line)
	}
	// Lines stitched at random from the pieces that matter.
	pieces := []string{" ", " ", "  ", "\t", "\f", "\r", "\v", ":", ":::", ":::", "for", "for", "internal", "a", "é", "`", "```", "~", "~~~", ","}
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		var b strings.Builder
		for range 1 + r.IntN(6) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		check(b.String())
	}
}
