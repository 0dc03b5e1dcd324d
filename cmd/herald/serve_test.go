package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// copySample copies the shipped sample's config.toml and content/ into a
// fresh folder.
func copySample(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	for _, top := range []string{"config.toml", "content"} {
		src := filepath.Join("..", "..", top)
		err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(filepath.Join("..", ".."), p)
			dst := filepath.Join(dir, rel)
			if d.IsDir() {
				return os.MkdirAll(dst, 0o755)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(dst, b, 0o644)
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// startPreview runs serve's preview on dir, watching, behind a test server.
func startPreview(tb testing.TB, dir string) (*preview, *httptest.Server) {
	tb.Helper()
	p, err := newPreview(buildFlags{source: dir, now: "2026-11-28T02:00:00Z"})
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := p.watch(ctx); err != nil {
		tb.Fatal(err)
	}
	srv := httptest.NewServer(p)
	tb.Cleanup(func() {
		p.close()
		cancel()
		srv.Close()
	})
	return p, srv
}

func get(tb testing.TB, url string) (int, string) {
	tb.Helper()
	resp, err := http.Get(url)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// eventually polls url until ok holds for its status and body, or fails
// after a generous deadline: file watching is asynchronous.
func eventually(tb testing.TB, url, what string, ok func(code int, body string) bool) string {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		code, body := get(tb, url)
		if ok(code, body) {
			return body
		}
		if time.Now().After(deadline) {
			tb.Fatalf("%s: never happened at %s (last status %d)", what, url, code)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func write(tb testing.TB, path, text string) {
	tb.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		tb.Fatal(err)
	}
}

const activeSlug = "2026-11-27-card-authorization-timeouts"

func TestServeFollowsEdits(t *testing.T) {
	dir := copySample(t)
	p, srv := startPreview(t, dir)
	incURL := srv.URL + "/incidents/" + activeSlug + "/"
	incDir := filepath.Join(dir, "content", "incidents", activeSlug)

	code, body := get(t, incURL)
	if code != 200 || !strings.Contains(body, `<script src="/_herald/reload.js"`) {
		t.Fatalf("incident page: status %d, reload script injected: %v", code, strings.Contains(body, "reload.js"))
	}

	// An edit shows.
	latest := filepath.Join(incDir, "2026-11-28T0140Z.md")
	b, err := os.ReadFile(latest)
	if err != nil {
		t.Fatal(err)
	}
	write(t, latest, strings.Replace(string(b), "All affected merchants", "Edited-in-place merchants", 1))
	eventually(t, incURL, "an edit", func(_ int, body string) bool { return strings.Contains(body, "Edited-in-place merchants") })
	eventually(t, srv.URL+"/", "the index follows", func(_ int, body string) bool { return strings.Contains(body, "Edited-in-place merchants") })

	// An editor's save: write a temporary file, rename it over the original.
	tmp := filepath.Join(incDir, ".2026-11-28T0140Z.md.swp")
	b, _ = os.ReadFile(latest)
	write(t, tmp, strings.Replace(string(b), "Edited-in-place", "Renamed-over", 1))
	if err := os.Rename(tmp, latest); err != nil {
		t.Fatal(err)
	}
	eventually(t, incURL, "a rename-on-save", func(_ int, body string) bool { return strings.Contains(body, "Renamed-over merchants") })

	// A new incident in a new folder.
	newDir := filepath.Join(dir, "content", "incidents", "2026-11-28-brand-new")
	if err := os.Mkdir(newDir, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(newDir, "incident.md"), "---\ntitle: Brand new outage of exports\nseverity: sev3\ncomponents: [reporting]\nstarted: 2026-11-28T01:00:00Z\n---\n")
	write(t, filepath.Join(newDir, "2026-11-28T0105Z.md"), "---\nat: 2026-11-28T01:05:00Z\nstatus: investigating\n---\nExports of large reports fail with a timeout.\n")
	eventually(t, srv.URL+"/incidents/2026-11-28-brand-new/", "a new incident", func(code int, body string) bool {
		return code == 200 && strings.Contains(body, "Exports of large reports fail")
	})
	eventually(t, srv.URL+"/", "the index lists it", func(_ int, body string) bool { return strings.Contains(body, "Brand new outage of exports") })

	// A broken file: the last good page stays, with every problem over it.
	bad := filepath.Join(newDir, "2026-11-28T0110Z.md")
	write(t, bad, "---\nat: 2026-11-28T01:10:00\nstatus: identifed\n---\nOops.\n")
	body = eventually(t, srv.URL+"/incidents/2026-11-28-brand-new/", "the problem overlay", func(_ int, body string) bool {
		return strings.Contains(body, `id="herald-problems"`)
	})
	for _, want := range []string{
		"2026-11-28-brand-new/2026-11-28T0110Z.md:2: at &#34;2026-11-28T01:10:00&#34; has no UTC offset",
		"2026-11-28-brand-new/2026-11-28T0110Z.md:3: unknown status &#34;identifed&#34; (did you mean &#34;identified&#34;?)",
		"Exports of large reports fail", // the last good build
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page while broken lacks %q", want)
		}
	}
	if _, idx := get(t, srv.URL+"/"); !strings.Contains(idx, `id="herald-problems"`) || !strings.Contains(idx, "Brand new outage of exports") {
		t.Error("the index while broken should show the overlay over the last good build")
	}
	// An edit elsewhere while it is broken keeps the problem in view: the
	// broken file is read again with the next change, until it is fixed.
	version := func() int {
		p.mu.RLock()
		defer p.mu.RUnlock()
		return p.version
	}
	before := version()
	write(t, latest, strings.Replace(string(b), "Edited-in-place", "Edited-while-broken", 1))
	for deadline := time.Now().Add(10 * time.Second); version() == before; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no rebuild after an edit while another file is broken")
		}
	}
	if _, body := get(t, incURL); !strings.Contains(body, "2026-11-28T0110Z.md:3: unknown status") {
		t.Error("an edit elsewhere hid the broken file's problem")
	}
	// Fixed: the overlay goes.
	write(t, bad, "---\nat: 2026-11-28T01:10:00Z\nstatus: identified\n---\nThe export workers ran out of disk.\n")
	eventually(t, srv.URL+"/incidents/2026-11-28-brand-new/", "the fix", func(_ int, body string) bool {
		return !strings.Contains(body, `id="herald-problems"`) && strings.Contains(body, "ran out of disk")
	})

	// A deleted incident goes away, with its pages.
	if err := os.RemoveAll(newDir); err != nil {
		t.Fatal(err)
	}
	eventually(t, srv.URL+"/incidents/2026-11-28-brand-new/", "a deletion", func(code int, _ string) bool { return code == 404 })
	eventually(t, srv.URL+"/", "the index forgets it", func(_ int, body string) bool { return !strings.Contains(body, "Brand new outage") })

	// config.toml: a full rebuild.
	cfg := filepath.Join(dir, "config.toml")
	b, _ = os.ReadFile(cfg)
	write(t, cfg, strings.Replace(string(b), `title = "Tillpoint Status"`, `title = "Tillpoint Status (renamed)"`, 1))
	eventually(t, srv.URL+"/components/payouts/", "a config change", func(_ int, body string) bool { return strings.Contains(body, "Tillpoint Status (renamed)") })
}

func TestServeDigestPreviews(t *testing.T) {
	_, srv := startPreview(t, copySample(t))
	code, body := get(t, srv.URL+"/_digests/")
	if code != 200 || !strings.Contains(body, "/_digests/end-users/"+activeSlug+".sms") {
		t.Fatalf("/_digests/: status %d, links to the SMS preview: %v", code, strings.Contains(body, ".sms"))
	}
	_, sms := get(t, srv.URL+"/_digests/end-users/"+activeSlug+".sms")
	if !strings.Contains(sms, "GSM-7, 2 segments") || !strings.Contains(sms, "https://status.tillpoint.example/incidents/"+activeSlug+"/") {
		t.Errorf("SMS preview:\n%s", sms)
	}
	_, slack := get(t, srv.URL+"/_digests/it-team/"+activeSlug+".slack")
	var msg struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type string `json:"type"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal([]byte(slack), &msg); err != nil || len(msg.Blocks) < 3 || msg.Blocks[0].Type != "header" {
		t.Errorf("Slack preview: %v\n%s", err, slack)
	}
	for _, kind := range []string{"html", "txt"} {
		code, body := get(t, srv.URL+"/_digests/executives/"+activeSlug+"."+kind)
		if code != 200 || !strings.Contains(body, "Card payments timing out") {
			t.Errorf("%s digest preview: status %d", kind, code)
		}
	}
	if code, _ := get(t, srv.URL+"/_digests/customers/no-such-incident.html"); code != 404 {
		t.Errorf("unknown digest: status %d, want 404", code)
	}
}

// TestServeThemeErrors: a theme whose template fails keeps the last good
// site in view under the error, and its fix shows.
func TestServeThemeErrors(t *testing.T) {
	dir := copySample(t)
	_, srv := startPreview(t, dir)
	tmpl := filepath.Join(dir, "themes", "acme", "templates", "component.html")
	write(t, tmpl, `{{template "layout.html" .}}{{define "main"}}{{.Data.NoSuchField}}{{end}}`)
	cfg := filepath.Join(dir, "config.toml")
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	write(t, cfg, strings.Replace(string(b), `theme = ""`, `theme = "acme"`, 1))
	body := eventually(t, srv.URL+"/components/payouts/", "the template error", func(_ int, body string) bool {
		return strings.Contains(body, `id="herald-problems"`)
	})
	for _, want := range []string{"component.html", "NoSuchField", "Uptime, last 90 days"} {
		if !strings.Contains(body, want) {
			t.Errorf("page over a broken template lacks %q", want)
		}
	}
	write(t, tmpl, `{{template "layout.html" .}}{{define "main"}}<p>Acme component {{.Data.Name}}</p>{{end}}`)
	eventually(t, srv.URL+"/components/payouts/", "the fixed template", func(_ int, body string) bool {
		return strings.Contains(body, "Acme component Payouts") && !strings.Contains(body, `id="herald-problems"`)
	})
}
