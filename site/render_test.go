package site

import (
	"bytes"
	"compress/gzip"
	"flag"
	"html"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldstatus/herald/themes"
	xhtml "golang.org/x/net/html"
)

var update = flag.Bool("update", false, "rewrite golden files")

// sampleNow is the moment the shipped sample is rendered at in tests.
var sampleNow = time.Date(2026, 11, 28, 2, 0, 0, 0, time.UTC)

// memOutput keeps rendered files in memory.
type memOutput struct {
	mu    sync.Mutex
	files map[string][]byte
}

func (m *memOutput) WriteFile(name string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.files == nil {
		m.files = map[string][]byte{}
	}
	if _, dup := m.files[name]; dup {
		return &fs.PathError{Op: "write", Path: name, Err: fs.ErrExist}
	}
	m.files[name] = bytes.Clone(data)
	return nil
}

func build(tb testing.TB, fsys fs.FS, now time.Time) (*Site, *memOutput, *memOutput) {
	tb.Helper()
	s, err := Load(fsys, Options{Now: now})
	if err != nil {
		tb.Fatalf("Load: %v", err)
	}
	pub, dig := &memOutput{}, &memOutput{}
	if err := Render(s, themes.Default, pub, dig); err != nil {
		tb.Fatalf("Render: %v", err)
	}
	return s, pub, dig
}

// sample is the repository's shipped sample.
func sample() fs.FS { return os.DirFS("..") }

// goldenFiles are the outputs compared byte for byte with testdata/golden.
var goldenFiles = []string{
	"public/index.html",
	"public/history/index.html",
	"public/history/2026-08/index.html",
	"public/components/card-processing/index.html",
	"public/incidents/2026-11-27-card-authorization-timeouts/index.html",
	"public/incidents/2026-09-03-checkout-api-outage/index.html",
	"public/maintenance/2026-12-09-card-vault-hsm-upgrade/index.html",
	"public/maintenance/2026-10-24-payouts-database-upgrade/index.html",
	"digests/index.html",
	"digests/executives/2026-11-27-card-authorization-timeouts.html",
	"digests/executives/2026-11-27-card-authorization-timeouts.txt",
	"digests/it-team/2026-11-27-card-authorization-timeouts.html",
	"digests/it-team/2026-11-27-card-authorization-timeouts.txt",
	"digests/end-users/2026-11-27-card-authorization-timeouts.txt",
	"digests/customers/2026-11-27-card-authorization-timeouts.txt",
	"digests/it-team/2026-09-03-checkout-api-outage.txt",
	"public/reviews/index.html",
	"report/report.html",
	"report/report.md",
	"report/report.json",
	"report/metrics/report.md",
}

func TestGolden(t *testing.T) {
	_, pub, dig := build(t, sample(), sampleNow)
	got := map[string][]byte{}
	for name, b := range pub.files {
		got["public/"+name] = b
	}
	for name, b := range dig.files {
		got["digests/"+name] = b
	}
	for name, b := range reportFiles(t) {
		got["report/"+name] = b
	}
	dir := filepath.Join("testdata", "golden")
	want := map[string]bool{}
	for _, name := range goldenFiles {
		want[name] = true
		b, ok := got[name]
		if !ok {
			t.Errorf("%s was not rendered", name)
			continue
		}
		p := filepath.Join(dir, filepath.FromSlash(name))
		if *update {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		w, err := os.ReadFile(p)
		if err != nil {
			t.Errorf("%s: %v (run go test ./site -update)", name, err)
			continue
		}
		if !bytes.Equal(w, b) {
			t.Errorf("%s differs from its golden file (run go test ./site -update and review the diff):\n%s", name, firstDiff(string(w), string(b)))
		}
	}
	// A golden file nothing compares with is an orphan.
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, dir+string(filepath.Separator)))
		if !want[rel] {
			if *update {
				return os.Remove(p)
			}
			t.Errorf("orphan golden file %s (remove it or list it in goldenFiles)", p)
		}
		return nil
	})
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(wl), len(gl)) {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g
		}
	}
	return ""
}

func TestDeterministic(t *testing.T) {
	_, a, da := build(t, sample(), sampleNow)
	_, b, db := build(t, sample(), sampleNow)
	if !maps.EqualFunc(a.files, b.files, bytes.Equal) || !maps.EqualFunc(da.files, db.files, bytes.Equal) {
		t.Fatal("two builds of the same content at the same --now differ")
	}
	// Nothing but what is active depends on now: a later clock with no new
	// content changes no incident page of a resolved incident.
	_, c, _ := build(t, sample(), sampleNow.Add(3*time.Minute))
	name := "incidents/2026-09-03-checkout-api-outage/index.html"
	if !bytes.Equal(a.files[name], c.files[name]) {
		t.Errorf("%s depends on the build's clock", name)
	}
}

// privateTexts gathers every text that must never reach public/: audience
// blocks anywhere, internal incidents whole, unpublished reviews whole.
func privateTexts(s *Site) []string {
	var out []string
	body := func(b Body) { out = append(out, b.Private()...) }
	all := func(b Body) {
		for _, seg := range b.Segments {
			out = append(out, seg.Markdown)
		}
	}
	for _, in := range s.Incidents {
		body(in.Summary)
		for _, u := range in.Updates {
			body(u.Body)
		}
		if in.Review != nil {
			if in.Review.Published {
				body(in.Review.Body)
			} else {
				all(in.Review.Body)
				out = append(out, in.Review.RootCause)
			}
		}
		if !in.Public {
			out = append(out, in.Title)
			all(in.Summary)
			for _, u := range in.Updates {
				all(u.Body)
			}
		}
	}
	for _, m := range s.Maintenances {
		body(m.Body)
		for _, u := range m.Updates {
			body(u.Body)
		}
	}
	return out
}

// publicTexts gathers the public text of public incidents and maintenance.
func publicTexts(s *Site) []string {
	var out []string
	add := func(b Body) { out = append(out, b.PublicMarkdown()) }
	for _, in := range s.Incidents {
		if !in.Public {
			continue
		}
		out = append(out, in.Title)
		add(in.Summary)
		for _, u := range in.Updates {
			add(u.Body)
		}
		if in.Review != nil && in.Review.Published {
			add(in.Review.Body)
		}
	}
	for _, m := range s.Maintenances {
		add(m.Body)
		for _, u := range m.Updates {
			add(u.Body)
		}
	}
	return out
}

// phrases splits private Markdown into the distinctive phrases a leak
// would carry: every line's words, long enough not to occur by chance.
func phrases(texts []string, step int) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range texts {
		for _, line := range strings.Split(plainMarkdown(t), "\n") {
			words := strings.Fields(line)
			for i := 0; i+5 <= len(words); i += step {
				p := strings.Join(words[i:i+5], " ")
				if len(p) >= 20 && !seen[p] {
					seen[p] = true
					out = append(out, p)
				}
			}
		}
	}
	return out
}

func TestPrivateTextNeverPublic(t *testing.T) {
	for _, src := range []struct {
		name string
		fsys fs.FS
	}{{"sample", sample()}, {"leaky", os.DirFS("testdata/leaky")}} {
		t.Run(src.name, func(t *testing.T) {
			s, pub, dig := build(t, src.fsys, sampleNow)
			// A phrase that also stands in public text proves nothing.
			public := map[string]bool{}
			for _, p := range phrases(publicTexts(s), 1) {
				public[p] = true
			}
			var ps []string
			for _, p := range phrases(privateTexts(s), 5) {
				if !public[p] {
					ps = append(ps, p)
				}
			}
			if len(ps) < 5 {
				t.Fatalf("only %d private phrases found; the fixture should have audience blocks", len(ps))
			}
			for name, b := range pub.files {
				text := normalizeSpace(string(b))
				unescaped := normalizeSpace(html.UnescapeString(string(b)))
				decoded := normalizeSpace(readable(name, b)) // JSON strings, unfolded iCalendar
				for _, p := range ps {
					if strings.Contains(text, p) || strings.Contains(unescaped, p) || strings.Contains(decoded, p) {
						t.Errorf("public/%s leaks private text %q", name, p)
					}
				}
			}
			// The digests do carry them, or the check above proves nothing.
			var all strings.Builder
			for _, b := range dig.files {
				all.WriteString(normalizeSpace(html.UnescapeString(string(b))))
			}
			found := 0
			for _, p := range ps {
				if strings.Contains(all.String(), p) {
					found++
				}
			}
			if found == 0 {
				t.Error("no private phrase reached any digest")
			}
		})
	}
}

func normalizeSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

func TestInjection(t *testing.T) {
	_, pub, dig := build(t, os.DirFS("testdata/injection"), sampleNow)
	files := map[string][]byte{}
	for n, b := range pub.files {
		files["public/"+n] = b
	}
	for n, b := range dig.files {
		files["digests/"+n] = b
	}
	checked := 0
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if !strings.HasSuffix(name, ".html") {
			continue
		}
		checked++
		checkSafeHTML(t, name, files[name])
	}
	if checked < 5 {
		t.Fatalf("only %d HTML files checked", checked)
	}
	// The hostile title is there, escaped, rather than dropped.
	idx := string(files["public/index.html"])
	if !strings.Contains(idx, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the hostile title should appear escaped on the index")
	}
}

// checkSafeHTML fails on any script element, event handler attribute,
// iframe/object/embed, or link target with a scheme other than http(s),
// mailto or none.
func checkSafeHTML(t *testing.T, name string, b []byte) {
	t.Helper()
	z := xhtml.NewTokenizer(bytes.NewReader(b))
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			return
		}
		if tt != xhtml.StartTagToken && tt != xhtml.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		switch tok.Data {
		case "script", "iframe", "object", "embed", "form", "base":
			t.Errorf("%s: <%s> element in output", name, tok.Data)
		}
		for _, a := range tok.Attr {
			key := strings.ToLower(a.Key)
			if strings.HasPrefix(key, "on") {
				t.Errorf("%s: event handler attribute %s=%q on <%s>", name, a.Key, a.Val, tok.Data)
			}
			if key == "href" || key == "src" || key == "action" || key == "formaction" || key == "xlink:href" {
				if !safeURL(a.Val) {
					t.Errorf("%s: unsafe %s=%q on <%s>", name, a.Key, a.Val, tok.Data)
				}
			}
			if key == "style" && strings.Contains(strings.ToLower(a.Val), "url(") {
				t.Errorf("%s: style with url() on <%s>", name, tok.Data)
			}
		}
	}
}

func TestSafeURL(t *testing.T) {
	tests := []struct {
		url  string
		safe bool
	}{
		{"https://example.com/", true},
		{"http://example.com/", true},
		{"mailto:ops@example.com", true},
		{"../incidents/x/", true},
		{"#top", true},
		{"javascript:alert(1)", false},
		{"JavaScript:alert(1)", false},
		{" javascript:alert(1)", false},
		{"java\tscript:alert(1)", false},
		{"jav&#x61;script:alert(1)", false},
		{"jav&#97;script:alert(1)", false},
		{"javascript&colon;alert(1)", false},
		{"%6Aavascript:alert(1)", false},
		{"vbscript:msgbox(1)", false},
		{"data:text/html;base64,PHNjcmlwdD4=", false},
		{"file:///etc/passwd", false},
	}
	for _, tt := range tests {
		if got := safeURL(tt.url); got != tt.safe {
			t.Errorf("safeURL(%q) = %v, want %v", tt.url, got, tt.safe)
		}
	}
}

// TestIndexWeight: the index and everything it loads stay under 30 KB
// gzipped, for people on a phone during an outage.
func TestIndexWeight(t *testing.T) {
	_, pub, _ := build(t, sample(), sampleNow)
	idx := pub.files["index.html"]
	loaded := []string{"index.html"}
	z := xhtml.NewTokenizer(bytes.NewReader(idx))
	for tt := z.Next(); tt != xhtml.ErrorToken; tt = z.Next() {
		tok := z.Token()
		for _, a := range tok.Attr {
			if (tok.Data == "link" && a.Key == "href" && !strings.Contains(tok.String(), "alternate") && !strings.Contains(tok.String(), "canonical")) ||
				((tok.Data == "script" || tok.Data == "img") && a.Key == "src") {
				loaded = append(loaded, a.Val)
			}
		}
	}
	total := 0
	for _, name := range loaded {
		b, ok := pub.files[name]
		if !ok {
			t.Fatalf("the index loads %s, which is not in public/", name)
		}
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(b)
		w.Close()
		t.Logf("%s: %d bytes, %d gzipped", name, len(b), buf.Len())
		total += buf.Len()
	}
	if len(loaded) < 3 {
		t.Fatalf("found only %v loaded by the index; expected the stylesheet and the icon too", loaded)
	}
	if total > 30*1024 {
		t.Errorf("the index and what it loads weigh %d bytes gzipped, over 30 KB", total)
	}
}

// TestComponentPageWindow: a component's page lists the incidents of its
// uptime bar's days and any still active, and counts the earlier ones.
func TestComponentPageWindow(t *testing.T) {
	// 100 days on, card processing's resolved 3-D Secure incident of
	// November 10 is before the 90 days; the card timeouts incident of
	// November 27 never resolved, so it stays.
	later := sampleNow.Add(100 * 24 * time.Hour)
	_, pub, _ := build(t, sample(), later)
	page := string(pub.files["components/card-processing/index.html"])
	for _, want := range []string{
		"1 earlier incident is in the <a href=\"../../history/\">history</a>.",
		"2026-11-27-card-authorization-timeouts/",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("component page lacks %q", want)
		}
	}
	if strings.Contains(page, "2026-11-10-3ds-challenges-not-loading/") {
		t.Error("component page still lists an incident before its 90 days")
	}
	_, pub, _ = build(t, sample(), sampleNow)
	if page := string(pub.files["components/card-processing/index.html"]); !strings.Contains(page, "2026-11-10-3ds-challenges-not-loading/") || strings.Contains(page, "earlier incident") {
		t.Error("at the sample's time, the component page should list both incidents and nothing earlier")
	}
}

// TestOneUpdateChangesOnlyWhatShowsIt: a new update that changes no
// component's status and no severity rewrites the pages, feeds and
// documents that show the incident, and leaves every other file byte for
// byte as it was (publish uploads only what differs). Nothing site-wide, a
// "last updated" in a footer or a page's updated_at, spreads it further.
func TestOneUpdateChangesOnlyWhatShowsIt(t *testing.T) {
	dir := copySample(t)
	_, before, _ := build(t, os.DirFS(dir), sampleNow)
	const slug = "2026-11-27-card-authorization-timeouts"
	writeFile(t, dir, "content/incidents/"+slug+"/2026-11-28T0158Z.md",
		"---\nat: 2026-11-28T01:58:00Z\nstatus: monitoring\n---\n\nStill watching the results.\n")
	_, after, _ := build(t, os.DirFS(dir), sampleNow)

	var changed []string
	for name, b := range after.files {
		if !bytes.Equal(b, before.files[name]) {
			changed = append(changed, name)
		}
	}
	slices.Sort(changed)
	want := []string{
		"api/v2/incidents.json",
		"api/v2/incidents/unresolved.json",
		"api/v2/summary.json",
		"banner.json",
		"components/card-processing/history.atom",
		"components/card-processing/history.rss",
		"components/card-processing/index.html",
		"components/checkout-api/history.atom",
		"components/checkout-api/history.rss",
		"components/checkout-api/index.html",
		"history.atom",
		"history.rss",
		"history/2026-11/index.html",
		"incidents/" + slug + "/index.html",
		"index.html",
	}
	if !slices.Equal(changed, want) {
		t.Errorf("one update changed %d files:\n  %s\nwant %d:\n  %s", len(changed), strings.Join(changed, "\n  "), len(want), strings.Join(want, "\n  "))
	}

	// One that brings a component back does change the page's status, and
	// the documents that report it.
	writeFile(t, dir, "content/incidents/"+slug+"/2026-11-28T0159Z.md",
		"---\nat: 2026-11-28T01:59:00Z\nstatus: monitoring\nimpact:\n  card-processing: operational\n---\n\nCard payments are back to normal.\n")
	_, recovered, _ := build(t, os.DirFS(dir), sampleNow)
	for _, name := range []string{"api/v2/status.json", "api/v2/components.json", "components/card-processing/badge.svg"} {
		if bytes.Equal(recovered.files[name], after.files[name]) {
			t.Errorf("%s did not change when a component recovered", name)
		}
	}
	page := decodeJSON(t, "status.json", recovered.files["api/v2/status.json"])["page"].(map[string]any)
	if page["updated_at"] != "2026-11-27T20:59:00.000-05:00" {
		t.Errorf("page.updated_at = %v, want the recovery", page["updated_at"])
	}
}
