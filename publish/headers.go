package publish

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"path"
	"regexp"
	"strings"
)

// The default Cache-Control values.
const (
	// CacheImmutable is for fingerprinted assets (assets/style.3f2a9c1b0d.css):
	// a new version has a new name.
	CacheImmutable = "max-age=31536000, immutable"
	// CacheShort is for what changes with every update: HTML, JSON, feeds,
	// the calendar, badges and the banner.
	CacheShort = "max-age=60"
	// CacheDefault is for everything else (images beside a page, the favicon).
	CacheDefault = "max-age=300"
)

// A Rule sets headers for the keys its Path matches. Path is a glob: "*"
// matches within one path segment, "**" any number of segments; a Path
// without a "/" is matched against the file name alone.
type Rule struct {
	Path         string `json:"path"`
	CacheControl string `json:"cache_control,omitempty"`
	ContentType  string `json:"content_type,omitempty"`
}

// Headers decides the HTTP headers of each object. A nil *Headers gives
// the defaults.
type Headers struct {
	rules []rule
	gzip  bool
}

type rule struct {
	Rule
	re *regexp.Regexp
}

// NewHeaders returns the headers policy: rules come before the defaults,
// and for each header the first rule that matches and sets it wins. With
// gzip, text types of 1 KiB or more are stored gzip-compressed, with
// Content-Encoding: gzip and their own Content-Type.
func NewHeaders(rules []Rule, gzip bool) (*Headers, error) {
	h := &Headers{gzip: gzip}
	for _, r := range rules {
		re, err := compileGlob(r.Path)
		if err != nil {
			return nil, err
		}
		if r.CacheControl == "" && r.ContentType == "" {
			return nil, fmt.Errorf("header rule %q sets neither cache_control nor content_type", r.Path)
		}
		h.rules = append(h.rules, rule{r, re})
	}
	return h, nil
}

// gzipMin is the size under which compressing is not worth a header.
const gzipMin = 1024

// For returns the headers of key; sniff, called only for a name whose type
// the extension does not tell, returns the first bytes of the content.
func (h *Headers) For(key string, size int64, sniff func() []byte) Header {
	var hd Header
	if h != nil {
		for _, r := range h.rules {
			if !r.re.MatchString(key) {
				continue
			}
			if hd.CacheControl == "" {
				hd.CacheControl = r.CacheControl
			}
			if hd.ContentType == "" {
				hd.ContentType = r.ContentType
			}
		}
	}
	if hd.ContentType == "" {
		hd.ContentType = ContentType(key, sniff)
	}
	if hd.CacheControl == "" {
		hd.CacheControl = defaultCacheControl(key)
	}
	if h != nil && h.gzip && size >= gzipMin && compressible(hd.ContentType) {
		hd.ContentEncoding = "gzip"
	}
	return hd
}

// hash is the short digest of the headers stored with an object, so that a
// change of headers alone is seen and uploaded.
func (hd Header) hash() string {
	sum := sha256.Sum256([]byte("v1\n" + hd.ContentType + "\n" + hd.CacheControl + "\n" + hd.ContentEncoding))
	return hex.EncodeToString(sum[:8])
}

var fingerprintRE = regexp.MustCompile(`\.[0-9a-f]{8,64}\.[A-Za-z0-9]+$`)

func defaultCacheControl(key string) string {
	name := path.Base(key)
	switch {
	case fingerprintRE.MatchString(name):
		return CacheImmutable
	case shortLived(key):
		return CacheShort
	}
	return CacheDefault
}

// shortLived reports whether key changes with every update.
func shortLived(key string) bool {
	name := path.Base(key)
	switch path.Ext(name) {
	case ".html", ".htm", ".json", ".xml", ".atom", ".rss", ".ics":
		return true
	}
	stem := strings.TrimSuffix(name, path.Ext(name))
	return stem == "banner" || stem == "badge"
}

// contentTypes is herald's own table, not the system's mime.types, so that
// the headers, and so what is re-uploaded, do not depend on the machine.
var contentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".htm":         "text/html; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".json":        "application/json; charset=utf-8",
	".map":         "application/json; charset=utf-8",
	".webmanifest": "application/manifest+json; charset=utf-8",
	".xml":         "application/xml; charset=utf-8",
	".atom":        "application/atom+xml; charset=utf-8",
	".rss":         "application/rss+xml; charset=utf-8",
	".ics":         "text/calendar; charset=utf-8",
	".svg":         "image/svg+xml; charset=utf-8",
	".txt":         "text/plain; charset=utf-8",
	".md":          "text/markdown; charset=utf-8",
	".csv":         "text/csv; charset=utf-8",
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".jpeg":        "image/jpeg",
	".gif":         "image/gif",
	".webp":        "image/webp",
	".avif":        "image/avif",
	".ico":         "image/vnd.microsoft.icon",
	".woff":        "font/woff",
	".woff2":       "font/woff2",
	".ttf":         "font/ttf",
	".otf":         "font/otf",
	".pdf":         "application/pdf",
	".wasm":        "application/wasm",
	".mp4":         "video/mp4",
	".webm":        "video/webm",
	".zip":         "application/zip",
	".gz":          "application/gzip",
}

// wellKnownJSON are the .well-known files that have no extension and are
// JSON by their specification.
var wellKnownJSON = map[string]bool{"apple-app-site-association": true}

// ContentType is the Content-Type of key: from its extension, with
// charset=utf-8 for text; for a name without a known extension, from
// sniffing the content (nil sniff: application/octet-stream).
func ContentType(key string, sniff func() []byte) string {
	if ct, ok := contentTypes[strings.ToLower(path.Ext(key))]; ok {
		return ct
	}
	if wellKnownJSON[path.Base(key)] {
		return contentTypes[".json"]
	}
	if sniff == nil {
		return "application/octet-stream"
	}
	ct := http.DetectContentType(sniff())
	if strings.HasPrefix(ct, "text/") && !strings.Contains(ct, "charset") {
		ct += "; charset=utf-8"
	}
	return ct
}

func compressible(ct string) bool {
	ct, _, _ = strings.Cut(ct, ";")
	switch {
	case strings.HasPrefix(ct, "text/"), strings.HasSuffix(ct, "+xml"), strings.HasSuffix(ct, "+json"):
		return true
	}
	switch ct {
	case "application/json", "application/xml", "application/javascript", "application/wasm":
		return true
	}
	return false
}

// gzipBytes compresses deterministically: no name, no time.
func gzipBytes(b []byte) []byte {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

// compileGlob turns a rule's glob into an anchored regular expression.
func compileGlob(glob string) (*regexp.Regexp, error) {
	if glob == "" {
		return nil, fmt.Errorf("header rule with an empty path")
	}
	g := strings.TrimPrefix(glob, "/")
	var re strings.Builder
	if !strings.Contains(g, "/") {
		re.WriteString(`^(?:.*/)?`)
	} else {
		re.WriteString(`^`)
	}
	for i := 0; i < len(g); i++ {
		c := g[i]
		switch {
		case c == '*' && strings.HasPrefix(g[i:], "**/"):
			re.WriteString(`(?:.*/)?`)
			i += 2
		case c == '*' && strings.HasPrefix(g[i:], "**"):
			re.WriteString(`.*`)
			i++
		case c == '*':
			re.WriteString(`[^/]*`)
		case c == '?':
			re.WriteString(`[^/]`)
		case c == '{':
			end := strings.IndexByte(g[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("header rule %q: unclosed {", glob)
			}
			alts := strings.Split(g[i+1:i+end], ",")
			for j, a := range alts {
				alts[j] = regexp.QuoteMeta(a)
			}
			re.WriteString(`(?:` + strings.Join(alts, "|") + `)`)
			i += end
		default:
			re.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	re.WriteString(`$`)
	return regexp.Compile(re.String())
}
