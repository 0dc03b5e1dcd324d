package site

import (
	"regexp"
	"strings"
	"sync"
)

// A Body is Markdown split into public text and audience blocks.
type Body struct {
	Segments []Segment

	// public holds the public text rendered, once: the public pages, the
	// feeds and every digest that reads no more than it share it. nil in
	// a Body made by hand.
	public *renderedText
}

type renderedText struct {
	once sync.Once
	text Text
}

// A Segment is a run of a body: public when Audiences is empty and Internal
// is false.
type Segment struct {
	Audiences []string // ::: for a b
	Internal  bool     // ::: internal
	Markdown  string
	Line      int // first line in the file
}

// Public reports whether the segment may reach the public site.
func (s Segment) Public() bool { return !s.Internal && len(s.Audiences) == 0 }

// Reaches reports whether the segment reaches audience a. Blocks never reach
// the public site, but a block naming an audience reaches its notices.
func (s Segment) Reaches(a *Audience) bool {
	switch {
	case s.Public():
		return true
	case s.Internal:
		return a.Digest != "public"
	}
	return contains(s.Audiences, a.ID)
}

// PublicMarkdown is the text anyone may read.
func (b Body) PublicMarkdown() string {
	var parts []string
	for _, s := range b.Segments {
		if s.Public() {
			parts = append(parts, s.Markdown)
		}
	}
	return strings.TrimSpace(strings.Join(parts, "\n"))
}

// publicText is PublicMarkdown rendered. What took goldmark is kept with
// the body; plain paragraphs cost less to render again than to keep.
func (b Body) publicText() Text {
	src := b.PublicMarkdown()
	if h, p, ok := simpleParagraphs(src); ok {
		return Text{HTML: h, Plain: p}
	}
	if b.public == nil {
		return textOf(src)
	}
	b.public.once.Do(func() { b.public.text = textOf(src) })
	return b.public.text
}

// textFor is MarkdownFor(a) rendered by render, or the public text when
// no block reaches a.
func (b Body) textFor(a *Audience, render func(string) Text) Text {
	for _, s := range b.Segments {
		if !s.Public() && s.Reaches(a) {
			return render(b.MarkdownFor(a))
		}
	}
	return b.publicText()
}

// MarkdownFor is the text audience a may read: the public text and every
// block that reaches it, in order.
func (b Body) MarkdownFor(a *Audience) string {
	var parts []string
	for _, s := range b.Segments {
		if s.Reaches(a) {
			parts = append(parts, s.Markdown)
		}
	}
	return strings.TrimSpace(strings.Join(parts, "\n"))
}

// Private returns the texts of every audience block (for leak checks).
func (b Body) Private() []string {
	var out []string
	for _, s := range b.Segments {
		if !s.Public() {
			out = append(out, s.Markdown)
		}
	}
	return out
}

// mayBeMarker reports whether line may open or close a fence or a block:
// only such lines can match the expressions below, and most lines are not.
func mayBeMarker(line string) bool {
	t := strings.TrimLeft(line, " ")
	return strings.HasPrefix(t, ":::") || strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~")
}

var (
	blockForRE   = regexp.MustCompile(`^ {0,3}:::\s*for(?:\s+(.*?))?\s*$`)
	blockOtherRE = regexp.MustCompile(`^ {0,3}:::\s*(\S.*?)?\s*$`)
	fenceRE      = regexp.MustCompile("^ {0,3}(`{3,}|~{3,})")
)

// parseBody splits body text into segments. known lists the audience ids
// that blocks may name; line is the body's first line in the file.
func parseBody(path, text string, line int, known []string, ps *problems) Body {
	var (
		b        Body
		cur      Segment
		buf      strings.Builder
		open     bool
		openLine int
		fence    string
	)
	cur.Line = line
	text = stripComments(text)
	flush := func(next Segment) {
		cur.Markdown = buf.String()
		if strings.TrimSpace(cur.Markdown) != "" {
			b.Segments = append(b.Segments, cur)
		}
		buf.Reset()
		cur = next
	}
	lines := strings.SplitAfter(text, "\n")
	for i, l := range lines {
		n := line + i
		bare := strings.TrimRight(l, "\n")
		if !mayBeMarker(bare) {
			buf.WriteString(l)
			continue
		}
		if fence != "" {
			if m := fenceRE.FindStringSubmatch(bare); m != nil && m[1][0] == fence[0] && len(m[1]) >= len(fence) && strings.TrimSpace(bare[strings.Index(bare, m[1])+len(m[1]):]) == "" {
				fence = ""
			}
			buf.WriteString(l)
			continue
		}
		if m := fenceRE.FindStringSubmatch(bare); m != nil {
			fence = m[1]
			buf.WriteString(l)
			continue
		}
		if m := blockForRE.FindStringSubmatch(bare); m != nil {
			// A copy: the ids outlive the file's text, which a slice would keep.
			ids := strings.FieldsFunc(strings.Clone(m[1]), func(r rune) bool { return r == ' ' || r == ',' || r == '\t' })
			if open {
				ps.add(path, n, "audience block opened inside the block opened on line %d (blocks do not nest; expected ::: to close it first)", openLine)
				continue
			}
			if len(ids) == 0 {
				ps.add(path, n, "::: for names no audience (expected ::: for ID [ID…])")
			}
			for _, id := range ids {
				if !contains(known, id) {
					ps.add(path, n, "unknown audience %q in block (%s)", id, suggest(id, known))
				}
			}
			open, openLine = true, n
			flush(Segment{Audiences: ids, Line: n + 1})
			continue
		}
		if m := blockOtherRE.FindStringSubmatch(bare); m != nil {
			switch word := m[1]; word {
			case "":
				if !open {
					ps.add(path, n, "stray ::: with no open block (expected ::: for ID or ::: internal before it)")
					continue
				}
				open = false
				flush(Segment{Line: n + 1})
			case "internal":
				if open {
					ps.add(path, n, "audience block opened inside the block opened on line %d (blocks do not nest; expected ::: to close it first)", openLine)
					continue
				}
				open, openLine = true, n
				flush(Segment{Internal: true, Line: n + 1})
			default:
				ps.add(path, n, "unknown block %q (expected ::: for ID [ID…], ::: internal or ::: to close)", ":::"+" "+word)
				if !open {
					// Most likely a misspelt opener: keep its text private,
					// and let its ::: close it rather than be reported too.
					open, openLine = true, n
					flush(Segment{Internal: true, Line: n + 1})
				}
			}
			continue
		}
		buf.WriteString(l)
	}
	if open {
		ps.add(path, openLine, "audience block is never closed (expected a line with ::: after it)")
		// Keep the unclosed text out of the public body all the same.
	}
	flush(Segment{})
	b.public = new(renderedText)
	return b
}

// stripComments removes HTML comments, which are notes for authors (the
// scaffolds herald new writes carry hints in them), keeping every newline
// so that line numbers stay right. Comments inside fenced code are code.
func stripComments(text string) string {
	if !strings.Contains(text, "<!--") {
		return text
	}
	var b strings.Builder
	fence := ""
	inComment := false
	for _, l := range strings.SplitAfter(text, "\n") {
		bare := strings.TrimRight(l, "\n")
		if !inComment {
			if fence != "" {
				if m := fenceRE.FindStringSubmatch(bare); m != nil && m[1][0] == fence[0] && len(m[1]) >= len(fence) {
					fence = ""
				}
				b.WriteString(l)
				continue
			}
			if m := fenceRE.FindStringSubmatch(bare); m != nil {
				fence = m[1]
				b.WriteString(l)
				continue
			}
		}
		rest := l
		for rest != "" {
			if inComment {
				end := strings.Index(rest, "-->")
				if end < 0 {
					if strings.HasSuffix(rest, "\n") {
						b.WriteByte('\n')
					}
					rest = ""
					break
				}
				rest = rest[end+3:]
				inComment = false
				continue
			}
			start := strings.Index(rest, "<!--")
			if start < 0 {
				b.WriteString(rest)
				break
			}
			b.WriteString(rest[:start])
			rest = rest[start+4:]
			inComment = true
		}
	}
	return b.String()
}
