package site

import (
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
// only such lines can be one, and most lines are not.
func mayBeMarker(line string) bool {
	t := strings.TrimLeft(line, " ")
	return strings.HasPrefix(t, ":::") || strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~")
}

// markerIndent strips the up to three spaces a fence or a block marker may
// be indented by; ok is false for a line indented more.
func markerIndent(line string) (t string, ok bool) {
	t = strings.TrimLeft(line, " ")
	return t, len(line)-len(t) <= 3
}

// fenceOpen splits a line that starts a code fence (``` or ~~~, three or
// more, after at most three spaces) into the fence and what follows it.
func fenceOpen(line string) (fence, rest string, ok bool) {
	t, ok := markerIndent(line)
	if !ok || t == "" || (t[0] != '`' && t[0] != '~') {
		return "", "", false
	}
	n := 1
	for n < len(t) && t[n] == t[0] {
		n++
	}
	if n < 3 {
		return "", "", false
	}
	return t[:n], t[n:], true
}

// markerSpace is the white space a block marker may hold around its words.
const markerSpace = "\t\n\f\r "

// blockMarker returns the words after ":::" on a line that starts a block
// marker (after at most three spaces), without the space around them.
func blockMarker(line string) (words string, ok bool) {
	t, ok := markerIndent(line)
	if !ok {
		return "", false
	}
	if t, ok = strings.CutPrefix(t, ":::"); !ok {
		return "", false
	}
	return strings.Trim(t, markerSpace), true
}

// blockFor returns the audience ids of a "for" marker's words ("for a b"),
// as one string; ok is false for other words.
func blockFor(words string) (ids string, ok bool) {
	rest, ok := strings.CutPrefix(words, "for")
	if !ok || (rest != "" && strings.IndexByte(markerSpace, rest[0]) < 0) {
		return "", false
	}
	return strings.TrimLeft(rest, markerSpace), true
}

// parseBody splits body text into segments. known lists the audience ids
// that blocks may name; line is the body's first line in the file.
// Segments are slices of text where they can be.
func parseBody(path, text string, line int, known []string, ps *problems) Body {
	var (
		b        Body
		cur      Segment
		open     bool
		openLine int
		fence    string
		// The current segment is text[from:to], after buf when a skipped
		// marker line splits it; the current line is text[start:end].
		from, to, start, end int
		buf                  strings.Builder
	)
	cur.Line = line
	text = stripComments(text)
	flush := func(next Segment) {
		cur.Markdown = text[from:to]
		if buf.Len() > 0 {
			buf.WriteString(cur.Markdown)
			cur.Markdown = buf.String()
			buf.Reset()
		}
		if strings.TrimSpace(cur.Markdown) != "" {
			b.Segments = append(b.Segments, cur)
		}
		from, to = 0, 0
		cur = next
	}
	keep := func() {
		if start != to {
			buf.WriteString(text[from:to])
			from = start
		}
		to = end
	}
	n := line - 1
	for l := range strings.Lines(text) {
		start, end = end, end+len(l)
		n++
		bare := strings.TrimSuffix(l, "\n")
		if !mayBeMarker(bare) {
			keep()
			continue
		}
		if fence != "" {
			if f, rest, ok := fenceOpen(bare); ok && f[0] == fence[0] && len(f) >= len(fence) && strings.TrimSpace(rest) == "" {
				fence = ""
			}
			keep()
			continue
		}
		if f, _, ok := fenceOpen(bare); ok {
			fence = f
			keep()
			continue
		}
		words, ok := blockMarker(bare)
		if !ok {
			keep()
			continue
		}
		if m, ok := blockFor(words); ok {
			ids := strings.FieldsFunc(m, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' })
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
		switch words {
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
			ps.add(path, n, "unknown block %q (expected ::: for ID [ID…], ::: internal or ::: to close)", ":::"+" "+words)
			if !open {
				// Most likely a misspelt opener: keep its text private,
				// and let its ::: close it rather than be reported too.
				open, openLine = true, n
				flush(Segment{Internal: true, Line: n + 1})
			}
		}
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
	for l := range strings.SplitAfterSeq(text, "\n") {
		bare := strings.TrimRight(l, "\n")
		if !inComment {
			if fence != "" {
				if f, _, ok := fenceOpen(bare); ok && f[0] == fence[0] && len(f) >= len(fence) {
					fence = ""
				}
				b.WriteString(l)
				continue
			}
			if f, _, ok := fenceOpen(bare); ok {
				fence = f
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
