package site

import (
	"bytes"
	"encoding/xml"
	"html"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Feeds: RSS 2.0 and Atom, named as Statuspage names its own
// (history.rss, history.atom), for the whole site at the root and for each
// component under components/<id>/. Each holds one entry per public update
// of an incident or maintenance, newest first, at most feedLimit: the title
// is the incident's name and the update's status, the content the update's
// public text as HTML and the component changes it made. An incident or
// maintenance with no update yet has one entry for its announcement.
// Everything goes through encoding/xml, which escapes all text (no CDATA),
// after cleanText has dropped what XML 1.0 forbids.

const feedLimit = 50

// feedEntry is one update, ready for either format.
type feedEntry struct {
	ID, Title, Link string
	At              time.Time
	HTML            string
	Components      []string // ids of the components it is about

	// body renders HTML and id the ID once, and only for entries a feed
	// keeps: a site has far more updates than its feeds show.
	body func() string
	id   func() string
	tie  string // orders entries at the same time
}

// feedEntries gathers every public entry, in no particular order.
func (r *renderer) feedEntries() []feedEntry {
	var out []feedEntry
	base := r.cfg.BaseURL
	for _, in := range r.view.Incidents {
		link := base + "incidents/" + in.Slug + "/"
		if len(in.Updates) == 0 {
			out = append(out, feedEntry{
				id: func() string { return link + "#" + apiID("incident", in.Slug) }, tie: "i/" + in.Slug, Title: in.Title + " — " + StatusLabel(in.Status), Link: link,
				At: in.Started, Components: in.Affected,
				body: sync.OnceValue(func() string { return string(renderMarkdown(in.Summary.PublicMarkdown())) }),
			})
		}
		for i, u := range in.Updates {
			out = append(out, feedEntry{
				id: func() string { return link + "#" + apiID("update", updateKey(in.Slug, u)) }, tie: "u/" + in.Slug + "/" + u.Path, Title: in.Title + " — " + StatusLabel(u.Status), Link: link,
				At: u.At, Components: in.Affected,
				body: sync.OnceValue(func() string {
					v := r.update(in, i)
					var b strings.Builder
					b.WriteString(string(v.HTML))
					if len(v.Changes) > 0 {
						b.WriteString("<ul>")
						for _, c := range v.Changes {
							b.WriteString("<li>" + html.EscapeString(c.Name) + ": " + html.EscapeString(c.Old.Label()) + " → " + html.EscapeString(c.New.Label()) + "</li>")
						}
						b.WriteString("</ul>")
					}
					return b.String()
				}),
			})
		}
	}
	loc := r.cfg.Location
	for _, m := range r.view.Maintenances {
		link := base + "maintenance/" + m.Slug + "/"
		window := "<p>Scheduled for " + html.EscapeString(m.Start.In(loc).Format("Jan 2, 2006 15:04 MST")) + " to " + html.EscapeString(m.End.In(loc).Format("Jan 2, 2006 15:04 MST")) + ".</p>"
		if len(m.Updates) == 0 {
			out = append(out, feedEntry{
				id: func() string { return link + "#" + apiID("maintenance", m.Slug) }, tie: "m/" + m.Slug, Title: m.Title + " — " + StatusLabel("scheduled"), Link: link,
				At: m.Start, Components: m.Components,
				body: sync.OnceValue(func() string { return window + string(renderMarkdown(m.Body.PublicMarkdown())) }),
			})
		}
		for _, u := range m.Updates {
			out = append(out, feedEntry{
				id: func() string { return link + "#" + apiID("update", updateKey(m.Slug, u)) }, tie: "u/" + m.Slug + "/" + u.Path, Title: m.Title + " — " + StatusLabel(u.Status), Link: link,
				At: u.At, Components: m.Components,
				body: sync.OnceValue(func() string {
					body := string(u.PublicHTML())
					if u.Status == "scheduled" {
						body = window + body
					}
					return body
				}),
			})
		}
	}
	return out
}

// newer orders feed entries: newest first, then by item and file.
func newer(a, b *feedEntry) bool {
	if !a.At.Equal(b.At) {
		return a.At.After(b.At)
	}
	return a.tie < b.tie
}

// top keeps the n newest entries offered to it, in order. A site has far
// more updates than a feed shows, so this beats sorting them all.
type top struct {
	n       int
	entries []feedEntry
}

func (t *top) offer(e *feedEntry) {
	if len(t.entries) == t.n && !newer(e, &t.entries[t.n-1]) {
		return
	}
	i := sort.Search(len(t.entries), func(i int) bool { return newer(e, &t.entries[i]) })
	if len(t.entries) < t.n {
		t.entries = append(t.entries, feedEntry{})
	}
	copy(t.entries[i+1:], t.entries[i:len(t.entries)-1])
	t.entries[i] = *e
}

// feed is one feed's head and entries.
type feed struct {
	Title, Description, Link string
	Author                   string // the site
	Self                     string // the feed's own URL, without the extension
	Entries                  []feedEntry
	Updated                  time.Time
}

func (r *renderer) newFeed(title, description, link, self string, entries []feedEntry) feed {
	if len(entries) > feedLimit {
		entries = entries[:feedLimit]
	}
	entries = slices.Clone(entries)
	for i := range entries {
		if entries[i].body != nil {
			entries[i].HTML = entries[i].body()
		}
		if entries[i].id != nil {
			entries[i].ID = entries[i].id()
		}
	}
	// An empty feed has not changed since the site began.
	f := feed{Title: title, Description: description, Link: link, Author: r.cfg.Title, Self: self, Entries: entries, Updated: r.firstContentTime()}
	if len(entries) > 0 {
		f.Updated = entries[0].At
	}
	return f
}

func (r *renderer) feedJobs(out Output) []func() error {
	entries := r.feedEntries()
	base := r.cfg.BaseURL
	desc := r.cfg.Description
	if strings.TrimSpace(desc) == "" {
		desc = "Incidents and maintenance from " + r.cfg.Title
	}
	all := &top{n: feedLimit}
	per := map[string]*top{}
	for _, c := range r.cfg.Components {
		per[c.ID] = &top{n: feedLimit}
	}
	for i := range entries {
		e := &entries[i]
		all.offer(e)
		for _, c := range e.Components {
			if t := per[c]; t != nil {
				t.offer(e)
			}
		}
	}
	feeds := map[string]feed{"": r.newFeed(r.cfg.Title, desc, base, base+"history", all.entries)}
	for _, c := range r.cfg.Components {
		dir := "components/" + c.ID + "/"
		feeds[dir] = r.newFeed(c.Name+" · "+r.cfg.Title, "Incidents and maintenance affecting "+c.Name+" on "+r.cfg.Title, base+dir, base+dir+"history", per[c.ID].entries)
	}
	var jobs []func() error
	for _, dir := range sortedKeys(feeds) {
		f := feeds[dir]
		jobs = append(jobs,
			func() error { return writeXML(out, dir+rssFile, f.rss()) },
			func() error { return writeXML(out, dir+atomFile, f.atom()) },
		)
	}
	return jobs
}

func writeXML(out Output, name string, v any) error {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	buf.WriteByte('\n')
	return out.WriteFile(name, buf.Bytes())
}

// RSS 2.0, with an atom:link to itself as the RSS Advisory Board advises.

type rssDoc struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	AtomNS  string     `xml:"xmlns:atom,attr"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	LastBuildDate string    `xml:"lastBuildDate"`
	Generator     string    `xml:"generator"`
	Self          rssSelf   `xml:"atom:link"`
	Items         []rssItem `xml:"item"`
}

type rssSelf struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type rssItem struct {
	Title       string  `xml:"title"`
	Link        string  `xml:"link"`
	GUID        rssGUID `xml:"guid"`
	PubDate     string  `xml:"pubDate"`
	Description string  `xml:"description"`
}

type rssGUID struct {
	IsPermaLink bool   `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

func (f feed) rss() rssDoc {
	d := rssDoc{Version: "2.0", AtomNS: "http://www.w3.org/2005/Atom", Channel: rssChannel{
		Title: cleanText(f.Title), Link: f.Link, Description: cleanText(f.Description),
		LastBuildDate: f.Updated.UTC().Format(time.RFC1123Z), Generator: "herald",
		Self: rssSelf{Href: f.Self + ".rss", Rel: "self", Type: "application/rss+xml"},
	}}
	for _, e := range f.Entries {
		d.Channel.Items = append(d.Channel.Items, rssItem{
			Title: cleanText(e.Title), Link: e.Link, GUID: rssGUID{Value: e.ID},
			PubDate: e.At.UTC().Format(time.RFC1123Z), Description: cleanText(e.HTML),
		})
	}
	return d
}

// Atom (RFC 4287).

type atomDoc struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomAuthor  `xml:"author"`
	Gen     string      `xml:"generator"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Link    atomLink    `xml:"link"`
	Content atomContent `xml:"content"`
}

type atomContent struct {
	Type  string `xml:"type,attr"`
	Value string `xml:",chardata"`
}

func (f feed) atom() atomDoc {
	d := atomDoc{
		ID: f.Self + ".atom", Title: cleanText(f.Title), Updated: f.Updated.UTC().Format(time.RFC3339),
		Links: []atomLink{
			{Rel: "alternate", Type: "text/html", Href: f.Link},
			{Rel: "self", Type: "application/atom+xml", Href: f.Self + ".atom"},
		},
		Author: atomAuthor{Name: cleanText(f.Author)}, Gen: "herald",
	}
	for _, e := range f.Entries {
		d.Entries = append(d.Entries, atomEntry{
			ID: e.ID, Title: cleanText(e.Title), Updated: e.At.UTC().Format(time.RFC3339),
			Link: atomLink{Rel: "alternate", Type: "text/html", Href: e.Link}, Content: atomContent{Type: "html", Value: cleanText(e.HTML)},
		})
	}
	return d
}
