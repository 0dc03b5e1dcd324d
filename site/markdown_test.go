package site

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/yuin/goldmark/text"
)

// goldmarkText is what goldmark and plainText make of src, without the
// shortcut of simpleParagraphs.
func goldmarkText(tb testing.TB, src string) (string, string) {
	tb.Helper()
	var buf bytes.Buffer
	if err := md.Convert([]byte(src), &buf); err != nil {
		tb.Fatal(err)
	}
	source := []byte(src)
	return buf.String(), plainText(md.Parser().Parse(text.NewReader(source)), source)
}

// checkSimple fails if simpleParagraphs takes src and renders it otherwise
// than goldmark does; it reports whether simpleParagraphs took it.
func checkSimple(tb testing.TB, src string) bool {
	tb.Helper()
	h, plain, ok := simpleParagraphs(src)
	if !ok {
		return false
	}
	wantHTML, wantPlain := goldmarkText(tb, src)
	if string(h) != wantHTML {
		tb.Errorf("simpleParagraphs(%q) HTML = %q, goldmark: %q", src, h, wantHTML)
	}
	if plain != wantPlain {
		tb.Errorf("simpleParagraphs(%q) plain = %q, goldmark: %q", src, plain, wantPlain)
	}
	return true
}

var simpleCases = []struct {
	src    string
	simple bool
}{
	{"Checkout is failing for some EU customers.", true},
	{"We are failing over the database.\nNext update by 14:05 UTC.\n", true},
	{"One.\n\nTwo, \"quoted\" -> and 'single'.\n\n\nThree (in brackets) 100% $5 a/b #tag {x} ^ = + ? !\n", true},
	{"Café déjà vu — “curly” 日本語\u00a0end\u00a0", true},
	{"2 s of lag; 30 minutes.\n1 more\n42", true},
	{"\n\nleading and trailing blank lines\n\n", true},
	{"Double  spaces inside", true},
	{"Linkify reads lower case only: WWW.EXAMPLE.COM, HTTP://EXAMPLE.COM", true},
	{"1. a list", false},
	{"Text\n2) a list", false},
	{"- a list", false},
	{"# Heading", false},
	{"Title\n===", false},
	{"trailing space \nnext", false},
	{"trailing two  \nnext", false},
	{"    indented code", false},
	{" one space", false},
	{"tab\there", false},
	{"crlf\r\nline", false},
	{"**bold**", false},
	{"a_b_c", false},
	{"~~gone~~", false},
	{"`code`", false},
	{"[link](https://example.com)", false},
	{"see www.example.com", false},
	{"see http://example.com", false},
	{"see https://example.com", false},
	{"see ftp://example.com", false},
	{"mail support@example.com", false},
	{"a &amp; b", false},
	{"a < b", false},
	{"a | b\n--|--", false},
	{"back\\slash", false},
	{"nul\x00byte", false},
	{"bad \xff utf-8", false},
}

func TestSimpleParagraphs(t *testing.T) {
	for _, c := range simpleCases {
		if got := checkSimple(t, c.src); got != c.simple {
			t.Errorf("simpleParagraphs(%q) took it: %v, want %v", c.src, got, c.simple)
		}
	}
	// A generated corpus, from pieces that are mostly plain words and
	// sometimes Markdown, so that many documents come close to the edge.
	const prose = 22 // the first pieces: words, numbers, spaces
	pieces := []string{
		"word", "Word", "status", "pg-03", "EU", "é", "日本", "\u00a0", "\u2003", "—",
		"0", "1", "12", "2026", "14:05",
		" ", " ", " ", " ", ".", ",", "\n",
		"  ", "\n\n", "\n \n", "\t", "\r", ";", ":", "!", "?", "'", "\"", "(", ")", "-", "+", "=", "#", "%", "$", "/", "^", "{", "}", ">", "<",
		"*", "_", "~", "`", "[", "]", "&", "|", "@", "\\", "\x00",
		"www.", "http:", "https://", "ftp:", "a@b.co", "&amp;", "1. ", "2) ", "- ", "+ ", "* ", "> ", "# ", "===", "---", "    ",
	}
	r := rand.New(rand.NewPCG(1, 2))
	pick := func() string {
		if r.IntN(10) < 8 {
			return pieces[r.IntN(prose)]
		}
		return pieces[r.IntN(len(pieces))]
	}
	simple := 0
	const docs = 30000
	for range docs {
		// Lines mostly open with a word, as prose does, and sometimes
		// with anything at all.
		var b strings.Builder
		for range 1 + r.IntN(5) {
			if r.IntN(4) == 0 {
				b.WriteString(pick())
			} else {
				b.WriteString(pieces[r.IntN(15)]) // a word or a number
			}
			for range r.IntN(12) {
				b.WriteString(pick())
			}
			b.WriteString([]string{"\n", "\n", "\n\n", ""}[r.IntN(4)])
		}
		if checkSimple(t, b.String()) {
			simple++
		}
		if t.Failed() {
			return
		}
	}
	// The corpus must exercise the shortcut, not only its refusals.
	if simple < docs/20 {
		t.Errorf("simpleParagraphs took %d of %d generated documents; the corpus no longer tests it", simple, docs)
	}
}

func FuzzSimpleParagraphs(f *testing.F) {
	for _, c := range simpleCases {
		f.Add(c.src)
	}
	f.Fuzz(func(t *testing.T, src string) { checkSimple(t, src) })
}
