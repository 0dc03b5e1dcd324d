package site

import (
	"bytes"
	"html"
	"html/template"
	"net/url"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// md renders CommonMark with GFM tables, strikethrough, task lists and
// autolinks. Raw HTML is never passed through (goldmark's default), and
// links whose scheme is not http, https or mailto lose their target.
var md = goldmark.New(
	goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.Linkify, extension.TaskList),
	goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(safeLinks{}, 100))),
)

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// plainMarkdown renders src to plain text, for feeds' summaries, SMS and
// text digests: the words without the markup.
func plainMarkdown(src string) string {
	if _, p, ok := simpleParagraphs(src); ok {
		return p
	}
	source := []byte(src)
	return plainText(md.Parser().Parse(text.NewReader(source)), source)
}

// markdownText renders src to safe HTML and, as plainMarkdown does, to
// plain text, from a single parse: most of the cost of each.
func markdownText(src string) (template.HTML, string) {
	if strings.TrimSpace(src) == "" {
		return "", plainMarkdown(src)
	}
	if h, p, ok := simpleParagraphs(src); ok {
		return h, p
	}
	source := []byte(src)
	doc := md.Parser().Parse(text.NewReader(source))
	plain := plainText(doc, source)
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if err := md.Renderer().Render(buf, source, doc); err != nil {
		return template.HTML("<p>" + html.EscapeString(src) + "</p>"), plain
	}
	return template.HTML(buf.String()), plain
}

// simpleParagraphs renders src without goldmark when it is nothing but
// paragraphs of words, as most updates are: every line is blank or starts
// with a letter or a number that is no list marker, ends in no space, and
// nothing in src is syntax to CommonMark, GFM or linkify (no emphasis,
// code, link, entity, table, URL or e-mail address). ok is false for
// anything else. When ok, h and plain are byte for byte what goldmark and
// plainText make of src: TestSimpleParagraphs checks that against goldmark.
func simpleParagraphs(src string) (h template.HTML, plain string, ok bool) {
	ascii := true
	for i := 0; i < len(src); i++ {
		c := src[i]
		if notSimple[c] {
			return "", "", false
		}
		ascii = ascii && c < utf8.RuneSelf
	}
	if !ascii && !utf8.ValidString(src) || strings.Contains(src, "www.") ||
		strings.Contains(src, ":") && (strings.Contains(src, "http:") || strings.Contains(src, "https:") || strings.Contains(src, "ftp:")) {
		return "", "", false
	}
	var hb, pb strings.Builder
	hb.Grow(len(src) + 16)
	pb.Grow(len(src))
	open := false
	for line := range strings.Lines(src) {
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			if open {
				hb.WriteString("</p>\n")
				pb.WriteString("\n\n")
				open = false
			}
			continue
		}
		if !simpleStart(line) {
			return "", "", false
		}
		if open {
			hb.WriteByte('\n')
			pb.WriteByte(' ')
		} else {
			hb.WriteString("<p>")
			open = true
		}
		for rest := line; rest != ""; {
			i := strings.IndexAny(rest, `">`)
			if i < 0 {
				hb.WriteString(rest)
				break
			}
			hb.WriteString(rest[:i])
			if rest[i] == '"' {
				hb.WriteString("&quot;")
			} else {
				hb.WriteString("&gt;")
			}
			rest = rest[i+1:]
		}
		pb.WriteString(line)
	}
	if open {
		hb.WriteString("</p>\n")
	}
	return template.HTML(hb.String()), strings.TrimSpace(pb.String()), true
}

// notSimple holds the bytes that simpleParagraphs leaves to goldmark:
// control characters other than newline, and Markdown's syntax.
var notSimple = func() (t [256]bool) {
	for c := range ' ' {
		t[c] = c != '\n'
	}
	t[0x7f] = true
	for _, c := range []byte("\\`*_~[]<&|@") {
		t[c] = true
	}
	return t
}()

// simpleStart reports whether a line of simpleParagraphs opens and ends as
// a paragraph's line does, and no other block.
func simpleStart(line string) bool {
	if line[len(line)-1] == ' ' {
		return false // a hard line break, or trimmed
	}
	switch c := line[0]; {
	case c >= '0' && c <= '9':
		// "1." and "1)" open ordered lists.
		rest := strings.TrimLeft(line, "0123456789")
		return rest == "" || rest[0] != '.' && rest[0] != ')'
	case 'a' <= c|0x20 && c|0x20 <= 'z', c >= utf8.RuneSelf:
		return true
	}
	return false
}

// plainText is the words of a parsed document, for plainMarkdown.
func plainText(doc ast.Node, source []byte) string {
	var b strings.Builder
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			switch n := n.(type) {
			case *ast.Text:
				b.Write(n.Segment.Value(source))
				if n.SoftLineBreak() || n.HardLineBreak() {
					b.WriteByte(' ')
				}
			case *ast.String:
				b.Write(n.Value)
			case *ast.CodeSpan:
				for c := n.FirstChild(); c != nil; c = c.NextSibling() {
					if t, ok := c.(*ast.Text); ok {
						b.Write(t.Segment.Value(source))
					}
				}
				return ast.WalkSkipChildren, nil
			case *ast.FencedCodeBlock, *ast.CodeBlock:
				lines := n.Lines()
				for i := 0; i < lines.Len(); i++ {
					seg := lines.At(i)
					b.Write(seg.Value(source))
				}
				return ast.WalkSkipChildren, nil
			case *ast.AutoLink:
				b.Write(n.URL(source))
				return ast.WalkSkipChildren, nil
			case *ast.ListItem:
				b.WriteString("- ")
			}
			return ast.WalkContinue, nil
		}
		switch n.(type) {
		case *ast.Paragraph, *ast.Heading, *ast.ListItem, *ast.TextBlock:
			b.WriteByte('\n')
			if _, ok := n.(*ast.Paragraph); ok {
				b.WriteByte('\n')
			}
		case *ast.Link:
			if l, ok := n.(*ast.Link); ok && safeURL(string(l.Destination)) {
				b.WriteString(" (" + string(l.Destination) + ")")
			}
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(collapseBlankLines(b.String()))
}

func collapseBlankLines(s string) string {
	for strings.Contains(s, "\n\n\n") {
		s = strings.ReplaceAll(s, "\n\n\n", "\n\n")
	}
	return s
}

// safeURL allows relative links and http, https and mailto ones. It decodes
// entities and percent-escapes first, so "jav&#x61;script:" fools nothing.
func safeURL(raw string) bool {
	s := strings.TrimSpace(html.UnescapeString(raw))
	if u, err := url.PathUnescape(s); err == nil {
		s = u
	}
	s = strings.Map(func(r rune) rune {
		if r < 0x21 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	i := strings.IndexAny(s, ":/?#")
	if i < 0 || s[i] != ':' {
		return true // relative
	}
	switch strings.ToLower(s[:i]) {
	case "http", "https", "mailto":
		return true
	}
	return false
}

// safeLinks drops unsafe link targets and demotes headings so that a body's
// "# Heading" sits under the page's own headings.
type safeLinks struct{}

func (safeLinks) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	source := reader.Source()
	var drop []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			if !safeURL(string(n.Destination)) {
				n.Destination = []byte("#")
			}
		case *ast.Image:
			if !safeURL(string(n.Destination)) {
				n.Destination = []byte("#")
			}
		case *ast.AutoLink:
			if !safeURL(string(n.URL(source))) {
				drop = append(drop, n)
			}
		case *ast.Heading:
			n.Level = min(n.Level+2, 6)
		}
		return ast.WalkContinue, nil
	})
	for _, n := range drop {
		a := n.(*ast.AutoLink)
		n.Parent().ReplaceChild(n.Parent(), n, ast.NewString(a.Label(source)))
	}
}
