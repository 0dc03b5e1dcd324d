package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"iter"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/heraldstatus/herald/site"
)

// The browser test builds the repository's sample site, serves it, and loads
// pages in a real headless Chromium: a page must log no console error (a 404
// for a stylesheet counts) and have no serious or critical axe-core violation.
// scripts/test installs Chromium and axe-core and sets HERALD_CHROMIUM and
// HERALD_AXE_JS; HERALD_SCREENSHOTS=DIR also saves screenshots there.

const (
	sampleNow     = "2026-11-28T02:00:00Z"
	browserBudget = 5 * time.Minute  // the whole test, browser start included
	pageBudget    = 60 * time.Second // one page: load, probe, axe
)

// pageFacts is what a page shows, as the probe script reads it.
type pageFacts struct {
	Title       string   `json:"title"`
	H1          []string `json:"h1"`
	Times       []string `json:"times"` // datetime of each <time datetime>
	Stylesheets int      `json:"stylesheets"`
	Text        string   `json:"text"`
}

const probeJS = `(() => ({
	title: document.title,
	h1: [...document.querySelectorAll('h1')].map(e => e.textContent.trim()),
	times: [...document.querySelectorAll('time[datetime]')].map(e => e.getAttribute('datetime')),
	stylesheets: [...document.styleSheets].filter(s => { try { return s.cssRules.length > 0 } catch { return false } }).length,
	text: document.body ? document.body.innerText : '',
}))()`

// axeViolation is one rule that failed, trimmed to what a report needs.
type axeViolation struct {
	ID      string   `json:"id"`
	Impact  string   `json:"impact"`
	Help    string   `json:"help"`
	HelpURL string   `json:"helpUrl"`
	Targets []string `json:"targets"`
}

const axeRunJS = `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
	id: v.id,
	impact: v.impact || '',
	help: v.help,
	helpUrl: v.helpUrl,
	targets: v.nodes.map(n => String(n.target)),
})))`

// consoleSentinel marks the end of a page's console messages: the test logs
// it last, and the messages arrive in order.
const consoleSentinel = "herald-browser-test: end of page"

func TestBrowser(t *testing.T) {
	chromium, axeJS := browserTools(t)
	dir := buildSample(t)

	srv := httptest.NewServer(http.FileServer(http.Dir(filepath.Join(dir, "public"))))
	t.Cleanup(srv.Close)

	pages := []struct {
		name  string
		path  string // under public/, with a trailing slash
		check func(testing.TB, pageFacts)
	}{
		{"index", "/", checkIndex},
		{"incident", firstPage(t, dir, "incidents"), checkIncident},
		{"component", firstPage(t, dir, "components"), checkComponent},
	}

	browser := startBrowser(t, chromium)
	shots := os.Getenv("HERALD_SCREENSHOTS")
	for _, p := range pages {
		t.Run(p.name, func(t *testing.T) {
			tab := openTab(t, browser)
			checkPage(t, tab, srv.URL+p.path, axeJS, p.check)
			if shots != "" {
				screenshots(t, tab, shots, p.name)
			}
		})
	}
}

// browserTools returns the Chromium binary and the axe-core source, or skips
// the test with a loud reason when one is missing (and fails it with CI=true).
func browserTools(t testing.TB) (chromium string, axeJS []byte) {
	t.Helper()
	chromium = os.Getenv("HERALD_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(chromium); err != nil {
		missing(t, "no Chromium at %s (set HERALD_CHROMIUM, or run scripts/test, which installs Debian's chromium): %v", chromium, err)
	}
	axePath := os.Getenv("HERALD_AXE_JS")
	if axePath == "" {
		// Where scripts/test's npm ci puts it, relative to this package.
		axePath = filepath.FromSlash("../../.ci/node/node_modules/axe-core/axe.min.js")
	}
	axeJS, err := os.ReadFile(axePath)
	if err != nil {
		missing(t, "no axe-core (set HERALD_AXE_JS, or run scripts/test, which runs npm ci in .ci/node): %v", err)
	}
	return chromium, axeJS
}

// missing skips the test, or fails it when CI=true: CI must run every test.
func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	reason := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatal(reason)
	}
	t.Skip("SKIPPING THE BROWSER TEST: " + reason)
}

// buildSample copies the repository's sample site into a temporary directory,
// builds it at sampleNow, and returns the directory.
func buildSample(t testing.TB) string {
	t.Helper()
	return buildSource(t, filepath.FromSlash("../.."))
}

// buildSource copies src's config.toml and content/ into a temporary
// directory, builds it at sampleNow, and returns the directory.
func buildSource(t testing.TB, src string) string {
	t.Helper()
	dir := t.TempDir()
	config, err := os.ReadFile(filepath.Join(src, "config.toml"))
	if err != nil {
		t.Fatalf("reading the sample config: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.toml"), config, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(dir, "content"), os.DirFS(filepath.Join(src, "content"))); err != nil {
		t.Fatalf("copying the sample content: %v", err)
	}

	ctx, cancel := context.WithTimeout(t.Context(), pageBudget)
	defer cancel()
	var stdout, stderr bytes.Buffer
	if code := run(ctx, []string{"build", "--source", dir, "--now", sampleNow}, &stdout, &stderr); code != 0 {
		t.Fatalf("herald build exited %d\nstdout:\n%s\nstderr:\n%s", code, &stdout, &stderr)
	}
	return dir
}

// firstPage returns the URL path of the first page under public/section/, in
// lexical order, and fails the test when the build made none.
func firstPage(t testing.TB, dir, section string) string {
	t.Helper()
	pages, err := fs.Glob(os.DirFS(filepath.Join(dir, "public")), section+"/*/index.html")
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) == 0 {
		t.Fatalf("the sample build has no %s/*/index.html", section)
	}
	return "/" + path.Dir(pages[0]) + "/"
}

// startBrowser starts headless Chromium and returns a context that holds it.
// The browser stops when the test ends.
func startBrowser(t testing.TB, chromium string) context.Context {
	t.Helper()
	// Flags are listed here rather than taken from
	// chromedp.DefaultExecAllocatorOptions, so that nothing in the browser
	// reaches for the network: no component updates, sync, QUIC probes,
	// field trials or extensions (Debian's wrapper script enables remote
	// extensions unless told otherwise). The connection is chromedp's pipe.
	output := new(lockedBuffer)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.CombinedOutput(output),
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-field-trial-config", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("disable-features", "Translate,OptimizationHints,MediaRouter,AutofillServerCommunication"),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("password-store", "basic"),
	}
	base, stop := context.WithTimeout(t.Context(), browserBudget)
	t.Cleanup(stop)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(base, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(cancelBrowser)

	// The first Do starts the browser and binds it to ctx, which has only
	// the whole test's budget; each page gets its own timeout later.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium %s: %v\nits output:\n%s", chromium, err, output)
	}
	return ctx
}

// openTab opens a tab in the browser, closed when the test ends, and returns
// a context for it that times out after pageBudget.
func openTab(t testing.TB, browser context.Context) context.Context {
	t.Helper()
	tab, closeTab := chromedp.NewContext(browser)
	t.Cleanup(closeTab)
	if err := chromedp.Do(tab); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	ctx, cancel := context.WithTimeout(tab, pageBudget)
	t.Cleanup(cancel)
	return ctx
}

// checkPage loads url and fails the test on a console error, on a serious or
// critical axe violation, or when check finds the page empty.
func checkPage(t testing.TB, ctx context.Context, url string, axeJS []byte, check func(testing.TB, pageFacts)) {
	t.Helper()
	messages := chromedp.Console(ctx) // subscribe before loading, to miss nothing
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("loading %s: %v", url, err)
	}

	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](probeJS))
	if err != nil {
		t.Fatalf("reading %s: %v", url, err)
	}
	var facts pageFacts
	if err := json.Unmarshal(raw, &facts); err != nil {
		t.Fatalf("decoding the facts of %s: %v", url, err)
	}
	check(t, facts)

	// The theme follows prefers-color-scheme, so contrast is checked in both.
	injectAxe(t, ctx, axeJS)
	for _, scheme := range colorSchemes {
		setColorScheme(t, ctx, scheme)
		for _, v := range runAxe(t, ctx) {
			if v.Impact != "serious" && v.Impact != "critical" {
				continue
			}
			targets := v.Targets
			if len(targets) > 3 {
				targets = append(targets[:3:3], fmt.Sprintf("and %d more", len(v.Targets)-3))
			}
			t.Errorf("axe %s (%s, %s scheme): %s\n\t%s\n\tat %s", v.ID, v.Impact, scheme, v.Help, v.HelpURL, strings.Join(targets, "\n\t   "))
		}
	}

	for _, m := range consoleErrors(t, ctx, messages) {
		t.Errorf("console %s", m)
	}
}

// colorSchemes are the values of prefers-color-scheme the pages are checked in.
var colorSchemes = []string{"light", "dark"}

// setColorScheme makes the page see prefers-color-scheme: scheme.
func setColorScheme(t testing.TB, ctx context.Context, scheme string) {
	t.Helper()
	_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
	})
	if err != nil {
		t.Fatalf("emulating prefers-color-scheme: %s: %v", scheme, err)
	}
}

// injectAxe evaluates axe-core's source in the page, which defines axe.
func injectAxe(t testing.TB, ctx context.Context, axeJS []byte) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](string(axeJS))); err != nil {
		t.Fatalf("injecting axe-core: %v", err)
	}
}

// runAxe runs axe-core on the page and returns its violations.
func runAxe(t testing.TB, ctx context.Context) []axeViolation {
	t.Helper()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](axeRunJS, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("running axe: %v", err)
	}
	var vs []axeViolation
	if err := json.Unmarshal(raw, &vs); err != nil {
		t.Fatalf("decoding axe's violations: %v", err)
	}
	return vs
}

// consoleErrors logs the sentinel and returns the errors and exceptions that
// came before it: console.error and console.assert calls, uncaught exceptions
// and browser log entries of level error, such as a failed request.
func consoleErrors(t testing.TB, ctx context.Context, messages iter.Seq2[chromedp.ConsoleMessage, error]) []string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](fmt.Sprintf("console.log(%q)", consoleSentinel))); err != nil {
		t.Fatalf("logging the sentinel: %v", err)
	}
	var errs []string
	for m, err := range messages {
		if err != nil {
			t.Fatalf("reading the console: %v (errors so far: %q)", err, errs)
		}
		switch {
		case m.Type == chromedp.ConsoleLog && m.Text == consoleSentinel:
			return errs
		case m.Type == chromedp.ConsoleError, m.Type == chromedp.ConsoleException, m.Type == "assert":
			where := m.URL
			if where != "" {
				where = fmt.Sprintf(" (%s:%d)", m.URL, m.Line+1)
			}
			if strings.HasSuffix(m.URL, "/favicon.ico") {
				where += " (a page with no <link rel=icon> makes browsers ask for /favicon.ico)"
			}
			errs = append(errs, m.String()+where)
		}
	}
	return errs
}

func checkIndex(t testing.TB, f pageFacts) {
	t.Helper()
	checkCommon(t, f)
	// The index must say how things stand, in the words of Status.Label.
	var labels []string
	for _, s := range []site.Status{site.Operational, site.UnderMaintenance, site.DegradedPerformance, site.PartialOutage, site.MajorOutage} {
		labels = append(labels, strings.ToLower(s.Label()))
	}
	text := strings.ToLower(f.Text)
	if !slices.ContainsFunc(labels, func(l string) bool { return strings.Contains(text, l) }) {
		t.Errorf("the index names no status (none of %q) in its text:\n%s", labels, f.Text)
	}
}

func checkIncident(t testing.TB, f pageFacts) {
	t.Helper()
	checkCommon(t, f)
	if len(f.Times) == 0 {
		t.Error("the incident page has no <time datetime=...>")
	}
	for _, dt := range f.Times {
		if _, err := time.Parse(time.RFC3339, dt); err != nil {
			t.Errorf("<time datetime=%q> is not RFC 3339: %v", dt, err)
		}
	}
}

func checkComponent(t testing.TB, f pageFacts) {
	t.Helper()
	checkCommon(t, f)
}

// checkCommon holds what every page shows: a title, a heading, and the
// theme's stylesheet, loaded.
func checkCommon(t testing.TB, f pageFacts) {
	t.Helper()
	if strings.TrimSpace(f.Title) == "" {
		t.Error("the page has no <title>")
	}
	if !slices.ContainsFunc(f.H1, func(h string) bool { return h != "" }) {
		t.Errorf("the page has <h1> texts %q, want one that is not empty", f.H1)
	}
	if f.Stylesheets == 0 {
		t.Error("the page has no stylesheet with rules")
	}
}

// screenshots saves full-page PNGs of the tab's page into dir, at a phone's
// width and at a desktop's, in each color scheme, for people to look at.
func screenshots(t testing.TB, ctx context.Context, dir, name string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, scheme := range colorSchemes {
		setColorScheme(t, ctx, scheme)
		screenshot(t, ctx, filepath.Join(dir, name+"-"+scheme))
	}
}

// screenshot saves prefix-390.png and prefix-1280.png.
func screenshot(t testing.TB, ctx context.Context, prefix string) {
	t.Helper()
	for _, w := range []struct {
		width, height int64
		opts          []chromedp.EmulateViewportOption
	}{
		{390, 844, []chromedp.EmulateViewportOption{chromedp.EmulateMobile, chromedp.EmulateScale(2)}},
		{1280, 900, nil},
	} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(w.width, w.height, w.opts...)); err != nil {
			t.Fatalf("setting the viewport to %d px: %v", w.width, err)
		}
		// Grow the viewport to the page's height at this width, so the
		// picture holds the whole page.
		height, err := chromedp.Run(ctx, chromedp.Evaluate[int64](`document.documentElement.scrollHeight`))
		if err != nil {
			t.Fatalf("measuring the page at %d px: %v", w.width, err)
		}
		if height > w.height {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(w.width, min(height, 16000), w.opts...)); err != nil {
				t.Fatalf("setting the viewport to %d×%d px: %v", w.width, height, err)
			}
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("taking a screenshot at %d px: %v", w.width, err)
		}
		file := fmt.Sprintf("%s-%d.png", prefix, w.width)
		if err := os.WriteFile(file, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", file)
	}
}

// lockedBuffer collects the browser's output, which chromedp writes from
// another goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
