package publish

import (
	"maps"
	"strings"
	"testing"
)

func TestDefaultHeaders(t *testing.T) {
	tests := []struct {
		key, ct, cc string
	}{
		{"index.html", "text/html; charset=utf-8", CacheShort},
		{"incidents/db-down/index.html", "text/html; charset=utf-8", CacheShort},
		{"assets/style.716b16a185.css", "text/css; charset=utf-8", CacheImmutable},
		{"assets/app.0123456789abcdef.js", "text/javascript; charset=utf-8", CacheImmutable},
		{"assets/style.css", "text/css; charset=utf-8", CacheDefault},
		{"assets/favicon.svg", "image/svg+xml; charset=utf-8", CacheDefault},
		{"api/v2/summary.json", "application/json; charset=utf-8", CacheShort},
		{"history.rss", "application/rss+xml; charset=utf-8", CacheShort},
		{"feed.xml", "application/xml; charset=utf-8", CacheShort},
		{"maintenance.ics", "text/calendar; charset=utf-8", CacheShort},
		{"banner.js", "text/javascript; charset=utf-8", CacheShort},
		{"banner.json", "application/json; charset=utf-8", CacheShort},
		{"badge.svg", "image/svg+xml; charset=utf-8", CacheShort},
		{"components/api/badge.svg", "image/svg+xml; charset=utf-8", CacheShort},
		{"incidents/x/photo.JPG", "image/jpeg", CacheDefault},
		{".well-known/security.txt", "text/plain; charset=utf-8", CacheDefault},
		{".well-known/apple-app-site-association", "application/json; charset=utf-8", CacheDefault},
		{"LICENSE", "text/plain; charset=utf-8", CacheDefault}, // sniffed
	}
	for _, tt := range tests {
		hd := (*Headers)(nil).For(tt.key, 10, func() []byte { return []byte("plain text") })
		if hd.ContentType != tt.ct || hd.CacheControl != tt.cc || hd.ContentEncoding != "" {
			t.Errorf("%s: %+v, want %s / %s", tt.key, hd, tt.ct, tt.cc)
		}
	}
}

func TestRulesAndGzip(t *testing.T) {
	h, err := NewHeaders([]Rule{
		{Path: "incidents/**/*.png", CacheControl: "max-age=86400"},
		{Path: "*.{pdf,zip}", CacheControl: "no-cache"},
		{Path: "data/*", ContentType: "text/csv; charset=utf-8"},
		{Path: "data/*", CacheControl: "max-age=1"},
	}, true)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key  string
		size int64
		want Header
	}{
		{"incidents/a/b/x.png", 10, Header{"image/png", "max-age=86400", ""}},
		{"x.png", 10, Header{"image/png", CacheDefault, ""}},
		{"docs/report.pdf", 5000, Header{"application/pdf", "no-cache", ""}},
		{"data/export", 5000, Header{"text/csv; charset=utf-8", "max-age=1", "gzip"}},
		{"data/sub/export", 10, Header{"application/octet-stream", CacheDefault, ""}},
		{"index.html", 5000, Header{"text/html; charset=utf-8", CacheShort, "gzip"}},
		{"index.html", 1000, Header{"text/html; charset=utf-8", CacheShort, ""}}, // too small to bother
		{"big.png", 5000, Header{"image/png", CacheDefault, ""}},                 // already compressed
	}
	for _, tt := range tests {
		if got := h.For(tt.key, tt.size, nil); got != tt.want {
			t.Errorf("%s (%d bytes): %+v, want %+v", tt.key, tt.size, got, tt.want)
		}
	}
	for _, bad := range []Rule{{Path: "", CacheControl: "x"}, {Path: "a/{b", CacheControl: "x"}, {Path: "*.css"}} {
		if _, err := NewHeaders([]Rule{bad}, false); err == nil {
			t.Errorf("rule %+v accepted", bad)
		}
	}
}

func TestPhaseOf(t *testing.T) {
	for key, want := range map[string]Phase{
		"assets/style.716b16a185.css":      PhaseAssets,
		"incidents/x/diagram.svg":          PhaseAssets,
		".well-known/security.txt":         PhaseAssets,
		"incidents/x/index.html":           PhasePages,
		"history/2026-11/index.html":       PhasePages,
		"index.html":                       PhaseEntries,
		"api/v2/summary.json":              PhaseEntries,
		"api/v2/incidents/unresolved.json": PhaseEntries,
		"history.atom":                     PhaseEntries,
		"components/api/feed.rss":          PhaseEntries,
		"maintenance.ics":                  PhaseEntries,
		"banner.js":                        PhaseEntries,
		"banner.json":                      PhaseEntries,
		"badge.svg":                        PhaseEntries,
	} {
		if got := PhaseOf(key); got != want {
			t.Errorf("%s: %s, want %s", key, got, want)
		}
	}
}

func TestGzipIsDeterministic(t *testing.T) {
	b := []byte(strings.Repeat("herald ", 1000))
	if md5hex(gzipBytes(b)) != md5hex(gzipBytes(b)) {
		t.Fatal("gzip output differs between two runs: its ETag would too")
	}
}

func TestManifestRoundTrip(t *testing.T) {
	m := manifest{
		"a.html":     entryFor("0cc175b9c0f1b6a831c399e269772661", "0cc175b9c0f1b6a831c399e269772661", "h1"),
		"b/ü c.html": entryFor("abc-2", "92eb5ffee6ae2fec3ad71c777531578f", "h2"),
	}
	if m["a.html"] != (mentry{hdr: "h1"}) {
		t.Errorf("an object whose ETag is its MD5: %+v, want the header hash only", m["a.html"])
	}
	got, err := decodeManifest(m.encode())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(m) || got["a.html"] != m["a.html"] || got["b/ü c.html"] != m["b/ü c.html"] {
		t.Errorf("round trip: %v", got)
	}
	if md5hex(m.encode()) != md5hex(got.encode()) {
		t.Error("the same manifest encodes to different bytes")
	}
}

// TestManifestVersion1: a manifest written before version 2 still vouches
// for the objects, each for the ETag it recorded.
func TestManifestVersion1(t *testing.T) {
	v1 := gzipBytes([]byte(`{"version":1,"objects":[["a.html","0cc175b9c0f1b6a831c399e269772661","h1"],["b.html","92eb5ffee6ae2fec3ad71c777531578f","h2","abc-2"]]}`))
	got, err := decodeManifest(v1)
	if err != nil {
		t.Fatal(err)
	}
	want := manifest{
		"a.html": {hdr: "h1", md5: "0cc175b9c0f1b6a831c399e269772661", etag: "0cc175b9c0f1b6a831c399e269772661"},
		"b.html": {hdr: "h2", md5: "92eb5ffee6ae2fec3ad71c777531578f", etag: "abc-2"},
	}
	if !maps.Equal(got, want) {
		t.Errorf("version 1: %v, want %v", got, want)
	}
}
