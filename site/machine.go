package site

import (
	"crypto/sha256"
	"encoding/base32"
	"net/url"
	"strings"
)

// Machine-readable outputs: what programs, feed readers, calendars and
// other people's websites read instead of the HTML. Every one of them is
// rendered from the public view only, and from the site and its Now only,
// never from the wall clock:
//
//	api/v2/*.json                      Statuspage's public v2 API (api.go)
//	history.rss, history.atom          feeds of every update (feeds.go)
//	components/<id>/history.{rss,atom} the same, for one component
//	badge.svg, components/<id>/badge.svg  shields-style badges (badge.go)
//	banner.json, banner.js             the website banner (banner.go)
//	maintenance.ics                    maintenance windows for calendars (ics.go)
func (r *renderer) machineJobs() []job {
	var jobs []job
	jobs = append(jobs, r.apiJobs()...)
	jobs = append(jobs, r.feedJobs()...)
	jobs = append(jobs, r.badgeJobs()...)
	jobs = append(jobs, r.bannerJobs()...)
	jobs = append(jobs, r.icsJobs()...)
	return jobs
}

// Names of the site-wide machine outputs, relative to the site root.
const (
	rssFile    = "history.rss"
	atomFile   = "history.atom"
	badgeFile  = "badge.svg"
	bannerJSON = "banner.json"
	bannerJS   = "banner.js"
	icsFile    = "maintenance.ics"

	// bannerAsset is the theme file published as bannerJS at the root, so
	// that it finds bannerJSON beside itself.
	bannerAsset = "assets/banner.js"
)

// feeds is what page p advertises with <link rel="alternate">: the site's
// feeds everywhere, and a component's own on its page. Hrefs are relative
// to the page, through root.
func (r *renderer) feeds(p, root string) []Feed {
	feeds := []Feed{
		{Type: "application/rss+xml", Title: r.cfg.Title + " (RSS)", Href: root + rssFile},
		{Type: "application/atom+xml", Title: r.cfg.Title + " (Atom)", Href: root + atomFile},
	}
	if id, ok := strings.CutPrefix(p, "components/"); ok {
		id = strings.TrimSuffix(id, "/")
		if c := r.cfg.Component(id); c != nil && !strings.Contains(id, "/") {
			feeds = append(feeds,
				Feed{Type: "application/rss+xml", Title: c.Name + " · " + r.cfg.Title + " (RSS)", Href: rssFile},
				Feed{Type: "application/atom+xml", Title: c.Name + " · " + r.cfg.Title + " (Atom)", Href: atomFile},
			)
		}
	}
	return feeds
}

// apiIDEncoding spells ids in lower-case letters and digits, like
// Statuspage's own.
var apiIDEncoding = base32.NewEncoding("0123456789abcdefghijklmnopqrstuv").WithPadding(base32.NoPadding)

// apiID is the stable id of a thing: 12 characters derived from its kind
// and key (a slug, a component id, an update's path), so the same content
// has the same ids in every build, and no id says anything the page does
// not.
func apiID(kind, key string) string {
	sum := sha256.Sum256([]byte(kind + ":" + key))
	return apiIDEncoding.EncodeToString(sum[:])[:12]
}

// updateKey names an update within its incident or maintenance: its file
// name, which the format makes unique and which does not change when the
// update's text does.
func updateKey(slug string, u *Update) string {
	name := u.Path
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	return slug + "/" + name
}

// host is the host name of the site's base URL, for calendar UIDs.
func (r *renderer) host() string {
	if u, err := url.Parse(r.cfg.BaseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "herald.invalid"
}

// cleanText drops the characters that XML 1.0 forbids and that iCalendar's
// TEXT excludes (C0 controls but tab, line feed and carriage return; DEL
// and C1 controls; surrogates; U+FFFE and U+FFFF), so that whatever a
// responder pastes, every output stays well formed.
func cleanText(s string) string {
	ok := func(r rune) bool {
		switch {
		case r == '\t', r == '\n', r == '\r':
			return true
		case r < 0x20, r >= 0x7f && r <= 0x9f:
			return false
		case r >= 0xd800 && r <= 0xdfff, r == 0xfffe, r == 0xffff:
			return false
		}
		return r <= 0x10ffff
	}
	for _, c := range s {
		if !ok(c) {
			return strings.Map(func(c rune) rune {
				if ok(c) {
					return c
				}
				return -1
			}, s)
		}
	}
	return s
}
