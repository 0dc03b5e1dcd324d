package site

import (
	"bytes"
	"encoding/xml"
	"html"
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
}

// feedItem is an entry before it is rendered: an update, or the
// announcement of an incident or maintenance with none yet. A site has far
// more updates than its feeds show, and only the ones a feed keeps are
// rendered.
type feedItem struct {
	At         time.Time
	in         *Incident
	m          *Maintenance
	u          int      // the update's index; -1 for an announcement
	Components []string // ids of the components it is about
}

// tie orders items at the same time: by kind, item and file.
func (it *feedItem) tie() string {
	switch {
	case it.u >= 0 && it.in != nil:
		return "u/" + it.in.Slug + "/" + it.in.Updates[it.u].Path
	case it.u >= 0:
		return "u/" + it.m.Slug + "/" + it.m.Updates[it.u].Path
	case it.in != nil:
		return "i/" + it.in.Slug
	}
	return "m/" + it.m.Slug
}

// newer orders feed items: newest first, then by tie.
func newer(a, b *feedItem) bool {
	if !a.At.Equal(b.At) {
		return a.At.After(b.At)
	}
	return a.tie() < b.tie()
}

// top keeps the n newest items offered to it, in order. A site has far
// more updates than a feed shows, so this beats sorting them all.
type top struct {
	n     int
	items []feedItem
}

// closedTo reports whether an item at or before at can no longer enter.
func (t *top) closedTo(at time.Time) bool {
	return len(t.items) == t.n && at.Before(t.items[t.n-1].At)
}

func (t *top) offer(it *feedItem) {
	if len(t.items) == t.n && !newer(it, &t.items[t.n-1]) {
		return
	}
	i := sort.Search(len(t.items), func(i int) bool { return newer(it, &t.items[i]) })
	if len(t.items) < t.n {
		t.items = append(t.items, feedItem{})
	}
	copy(t.items[i+1:], t.items[i:len(t.items)-1])
	t.items[i] = *it
}

// selectFeeds offers every public item to the site's feed and to the
// feeds of the components it is about. An incident none of whose items
// could enter any of those feeds (they are full of newer ones) is passed
// over without looking at its updates.
func (r *renderer) selectFeeds(all *top, per map[string]*top) {
	offer := func(it *feedItem) {
		all.offer(it)
		for _, c := range it.Components {
			if t := per[c]; t != nil {
				t.offer(it)
			}
		}
	}
	closed := func(at time.Time, components []string) bool {
		if !all.closedTo(at) {
			return false
		}
		for _, c := range components {
			if t := per[c]; t != nil && !t.closedTo(at) {
				return false
			}
		}
		return true
	}
	for _, in := range r.view.Incidents {
		if closed(in.LastChanged(), in.Affected) {
			continue
		}
		if len(in.Updates) == 0 {
			offer(&feedItem{At: in.Started, in: in, u: -1, Components: in.Affected})
		}
		for i, u := range in.Updates {
			offer(&feedItem{At: u.At, in: in, u: i, Components: in.Affected})
		}
	}
	for _, m := range r.view.Maintenances {
		if len(m.Updates) == 0 {
			offer(&feedItem{At: m.Start, m: m, u: -1, Components: m.Components})
		}
		for i, u := range m.Updates {
			offer(&feedItem{At: u.At, m: m, u: i, Components: m.Components})
		}
	}
}

// entry renders an item.
func (r *renderer) entry(it *feedItem) feedEntry {
	base := r.cfg.BaseURL
	if in := it.in; in != nil {
		link := base + "incidents/" + in.Slug + "/"
		if it.u < 0 {
			return feedEntry{
				ID: link + "#" + apiID("incident", in.Slug), Title: in.Title + " — " + StatusLabel(in.Status), Link: link, At: it.At,
				HTML: string(in.Summary.publicText().HTML),
			}
		}
		u := in.Updates[it.u]
		v := r.update(in, it.u)
		var b strings.Builder
		b.WriteString(string(v.HTML))
		if len(v.Changes) > 0 {
			b.WriteString("<ul>")
			for _, c := range v.Changes {
				b.WriteString("<li>" + html.EscapeString(c.Name) + ": " + html.EscapeString(c.Old.Label()) + " → " + html.EscapeString(c.New.Label()) + "</li>")
			}
			b.WriteString("</ul>")
		}
		return feedEntry{
			ID: link + "#" + apiID("update", updateKey(in.Slug, u)), Title: in.Title + " — " + StatusLabel(u.Status), Link: link, At: it.At,
			HTML: b.String(),
		}
	}
	m, loc := it.m, r.cfg.Location
	link := base + "maintenance/" + m.Slug + "/"
	window := "<p>Scheduled for " + html.EscapeString(m.Start.In(loc).Format("Jan 2, 2006 15:04 MST")) + " to " + html.EscapeString(m.End.In(loc).Format("Jan 2, 2006 15:04 MST")) + ".</p>"
	if it.u < 0 {
		return feedEntry{
			ID: link + "#" + apiID("maintenance", m.Slug), Title: m.Title + " — " + StatusLabel("scheduled"), Link: link, At: it.At,
			HTML: window + string(m.Body.publicText().HTML),
		}
	}
	u := m.Updates[it.u]
	body := string(u.PublicHTML())
	if u.Status == "scheduled" {
		body = window + body
	}
	return feedEntry{
		ID: link + "#" + apiID("update", updateKey(m.Slug, u)), Title: m.Title + " — " + StatusLabel(u.Status), Link: link, At: it.At,
		HTML: body,
	}
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
	// An empty feed has not changed since the site began.
	f := feed{Title: title, Description: description, Link: link, Author: r.cfg.Title, Self: self, Entries: entries, Updated: r.first}
	if len(entries) > 0 {
		f.Updated = entries[0].At
	}
	return f
}

// feedJobs are the site's feeds and each component's. What they hold is
// worked out when the first of them is rendered.
func (r *renderer) feedJobs() []job {
	feeds := sync.OnceValue(r.feedsByDir)
	dirs := []string{""}
	for _, c := range r.cfg.Components {
		dirs = append(dirs, "components/"+c.ID+"/")
	}
	var jobs []job
	for _, dir := range dirs {
		jobs = append(jobs,
			job{name: dir + rssFile, render: func() ([]byte, error) { return xmlDoc(feeds()[dir].rss()) }},
			job{name: dir + atomFile, render: func() ([]byte, error) { return xmlDoc(feeds()[dir].atom()) }},
		)
	}
	return jobs
}

// feedsByDir are the feeds by folder: "" for the site's, components/<id>/ for
// a component's.
func (r *renderer) feedsByDir() map[string]feed {
	all := &top{n: feedLimit}
	per := map[string]*top{}
	for _, c := range r.cfg.Components {
		per[c.ID] = &top{n: feedLimit}
	}
	r.selectFeeds(all, per)
	// An item in several feeds is rendered once.
	type key struct {
		in *Incident
		m  *Maintenance
		u  int
	}
	done := map[key]feedEntry{}
	entries := func(t *top) []feedEntry {
		out := make([]feedEntry, len(t.items))
		for i := range t.items {
			it := &t.items[i]
			k := key{it.in, it.m, it.u}
			e, ok := done[k]
			if !ok {
				e = r.entry(it)
				done[k] = e
			}
			out[i] = e
		}
		return out
	}
	base := r.cfg.BaseURL
	desc := r.cfg.Description
	if strings.TrimSpace(desc) == "" {
		desc = "Incidents and maintenance from " + r.cfg.Title
	}
	feeds := map[string]feed{"": r.newFeed(r.cfg.Title, desc, base, base+"history", entries(all))}
	for _, c := range r.cfg.Components {
		dir := "components/" + c.ID + "/"
		feeds[dir] = r.newFeed(c.Name+" · "+r.cfg.Title, "Incidents and maintenance affecting "+c.Name+" on "+r.cfg.Title, base+dir, base+dir+"history", entries(per[c.ID]))
	}
	return feeds
}

func xmlDoc(v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
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
