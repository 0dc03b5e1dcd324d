package site

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"strings"
	ttemplate "text/template"
	"time"
)

// Templates is a theme, parsed: the public pages, the digests and the
// notices all render from it, so a theme overrides every one of them.
type Templates struct {
	cfg    *Config
	pages  map[string]*template.Template
	texts  map[string]*ttemplate.Template
	assets map[string][]byte
	css    string // fingerprinted path of the stylesheet
	sum    Key    // of every file read: what the theme is
}

var pageNames = []string{"index.html", "incident.html", "maintenance.html", "component.html", "history.html", "month.html", "digest.html", "digests.html", "reviews.html", "report.html"}

var textNames = []string{"digest.txt", "sms.txt", "report.md"}

// LoadTemplates parses theme's templates/ and reads its assets/.
func LoadTemplates(theme fs.FS, cfg *Config) (*Templates, error) {
	t := &Templates{cfg: cfg, pages: map[string]*template.Template{}, texts: map[string]*ttemplate.Template{}, assets: map[string][]byte{}}
	sum := sha256.New()
	read := func(p string) ([]byte, error) {
		b, err := fs.ReadFile(theme, p)
		if err == nil {
			fmt.Fprintf(sum, "%s\x00%d\x00", p, len(b))
			sum.Write(b)
		}
		return b, err
	}
	funcs := t.funcs()
	base := template.New("").Funcs(funcs)
	partials, err := fs.Glob(theme, "templates/_*.html")
	if err != nil {
		return nil, err
	}
	for _, p := range append([]string{"templates/layout.html"}, partials...) {
		src, err := read(p)
		if err != nil {
			return nil, fmt.Errorf("theme: %w", err)
		}
		if _, err := base.New(path.Base(p)).Parse(string(src)); err != nil {
			return nil, fmt.Errorf("theme: %w", err)
		}
	}
	for _, name := range pageNames {
		src, err := read("templates/" + name)
		if err != nil {
			return nil, fmt.Errorf("theme: %w", err)
		}
		pt, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := pt.New(name).Parse(string(src)); err != nil {
			return nil, fmt.Errorf("theme: %w", err)
		}
		t.pages[name] = pt
	}
	for _, name := range textNames {
		src, err := read("templates/" + name)
		if err != nil {
			return nil, fmt.Errorf("theme: %w", err)
		}
		tt, err := ttemplate.New(name).Funcs(ttemplate.FuncMap(funcs)).Parse(string(src))
		if err != nil {
			return nil, fmt.Errorf("theme: %w", err)
		}
		t.texts[name] = tt
	}
	// Assets: the stylesheet is fingerprinted, the rest copied as is.
	err = fs.WalkDir(theme, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := read(p)
		if err != nil {
			return err
		}
		if p == "assets/style.css" {
			sum := sha256.Sum256(b)
			p = "assets/style." + hex.EncodeToString(sum[:5]) + ".css"
			t.css = p
		}
		t.assets[p] = b
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("theme: %w", err)
	}
	if t.css == "" {
		return nil, fmt.Errorf("theme: assets/style.css is missing")
	}
	sum.Sum(t.sum[:0])
	return t, nil
}

func (t *Templates) funcs() template.FuncMap {
	loc := t.cfg.Location
	return template.FuncMap{
		"datetime": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"display": func(t time.Time) string {
			return t.In(loc).Format("Jan 2, 2006 · 15:04 MST")
		},
		"date":     func(t time.Time) string { return t.In(loc).Format("Jan 2, 2006") },
		"dateISO":  func(t time.Time) string { return t.In(loc).Format("2006-01-02") },
		"clock":    func(t time.Time) string { return t.In(loc).Format("15:04 MST") },
		"duration": humanDuration,
		"label":    StatusLabel,
		"percent":  func(p float64) string { return formatPercent(p) },
		"join":     strings.Join,
		"upper":    strings.ToUpper,
		"minutes":  func(d time.Duration) string { return humanDuration(d.Round(time.Minute)) },
		"first":    firstParagraph,
		"money":    formatMoney,
		// An action item's due date: a bare date is that day wherever
		// the reader is, not midnight UTC shown in the display zone.
		"due":    func(t time.Time) string { return dueIn(t, loc).Format("Jan 2, 2006") },
		"dueISO": func(t time.Time) string { return dueIn(t, loc).Format("2006-01-02") },
		"mdcell": mdCell,
		"home": func(root string) string {
			if root == "" {
				return "./"
			}
			return root
		},
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict: odd number of arguments")
			}
			m := make(map[string]any, len(kv)/2)
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
	}
}

// firstParagraph is the text up to the first blank line.
func firstParagraph(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "\n\n"); i >= 0 {
		s = s[:i]
	}
	return strings.Join(strings.Fields(s), " ")
}

// DigestHTML renders a digest as an HTML document.
func (t *Templates) DigestHTML(d *Digest) ([]byte, error) {
	var buf bytes.Buffer
	if err := t.pages["digest.html"].ExecuteTemplate(&buf, "digest.html", d); err != nil {
		return nil, fmt.Errorf("render digest %s/%s.html: %w", d.Audience.ID, d.Slug, err)
	}
	return buf.Bytes(), nil
}

// DigestText renders a digest as plain text.
func (t *Templates) DigestText(d *Digest) ([]byte, error) {
	var buf bytes.Buffer
	if err := t.texts["digest.txt"].Execute(&buf, d); err != nil {
		return nil, fmt.Errorf("render digest %s/%s.txt: %w", d.Audience.ID, d.Slug, err)
	}
	return buf.Bytes(), nil
}
