package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// chartFacts is what the probe reads of each SVG in the report.
type chartFacts struct {
	Role     string `json:"role"`
	Title    string `json:"title"`
	Desc     string `json:"desc"`
	Name     string `json:"name"` // the text aria-labelledby points at
	Children int    `json:"children"`
}

const chartProbeJS = `[...document.querySelectorAll('svg')].map(s => ({
	role: s.getAttribute('role') || '',
	title: (s.querySelector(':scope > title') || {}).textContent || '',
	desc: (s.querySelector(':scope > desc') || {}).textContent || '',
	name: (s.getAttribute('aria-labelledby') || '').split(/\s+/).filter(Boolean)
		.map(id => (document.getElementById(id) || {}).textContent || '').join(' '),
	children: s.querySelectorAll('rect, path, circle').length,
}))`

// TestReportBrowser: herald report on the sample writes a report that
// headless Chromium opens with no console error and no serious axe
// violation, with no script, whose charts are images with a title and a
// description, and that fits an A4 page's width when printed.
func TestReportBrowser(t *testing.T) {
	chromium, axeJS := browserTools(t)
	dir := reportSample(t)

	html, err := os.ReadFile(filepath.Join(dir, "report", "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(bytes.ToLower(html), []byte("<script")) {
		t.Error("report.html has a <script>; the report must work without JavaScript")
	}

	srv := httptest.NewServer(http.FileServer(http.Dir(filepath.Join(dir, "report"))))
	t.Cleanup(srv.Close)
	browser := startBrowser(t, chromium)

	// The public reviews index, built beside it, passes as every public page.
	site := httptest.NewServer(http.FileServer(http.Dir(filepath.Join(dir, "public"))))
	t.Cleanup(site.Close)
	checkPage(t, openTab(t, browser), site.URL+"/reviews/", axeJS, checkCommon)

	tab := openTab(t, browser)
	checkPage(t, tab, srv.URL+"/report.html", axeJS, func(tb testing.TB, f pageFacts) {
		tb.Helper()
		checkCommon(tb, f)
		if !strings.Contains(f.Text, "MTTR") || !strings.Contains(f.Text, "estimated downtime cost") {
			tb.Errorf("the report's text has no MTTR or cost headline:\n%s", f.Text)
		}
	})

	raw, err := chromedp.Run(tab, chromedp.Evaluate[[]byte](chartProbeJS))
	if err != nil {
		t.Fatal(err)
	}
	var charts []chartFacts
	if err := json.Unmarshal(raw, &charts); err != nil {
		t.Fatal(err)
	}
	if len(charts) != 3 {
		t.Errorf("%d charts, want 3 (incidents per month, MTTR trend, uptime)", len(charts))
	}
	for i, c := range charts {
		if c.Role != "img" || strings.TrimSpace(c.Title) == "" || len(c.Desc) < 40 {
			t.Errorf("chart %d: role %q, title %q, desc %q: want role img, a title and a description that says what it shows", i, c.Role, c.Title, c.Desc)
		}
		if !strings.Contains(c.Name, c.Title) || !strings.Contains(c.Name, c.Desc) {
			t.Errorf("chart %d: its accessible name %q does not come from its title and description", i, c.Name)
		}
		if c.Children == 0 {
			t.Errorf("chart %d (%s) draws nothing", i, c.Title)
		}
	}

	// Printed on A4 (210 mm less 2 × 13 mm of margins, at 96 px per inch),
	// nothing is wider than the page.
	const a4Content = 695
	if _, err := chromedp.Call(tab, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tab, chromedp.EmulateViewport(a4Content, 1000)); err != nil {
		t.Fatal(err)
	}
	width, err := chromedp.Run(tab, chromedp.Evaluate[int64](`document.documentElement.scrollWidth`))
	if err != nil {
		t.Fatal(err)
	}
	if width > a4Content {
		t.Errorf("printed, the report is %d px wide: wider than A4's %d px", width, a4Content)
	}
	if shots := os.Getenv("HERALD_SCREENSHOTS"); shots != "" {
		if _, err := chromedp.Call(tab, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "screen"}); err != nil {
			t.Fatal(err)
		}
		screenshots(t, tab, shots, "report")
	}
}

// reportSample builds the sample at sampleNow and runs herald report on it,
// returning the folder (the report is in report/, beside public/).
func reportSample(t testing.TB) string {
	t.Helper()
	dir := buildSample(t)
	ctx, cancel := context.WithTimeout(t.Context(), pageBudget)
	defer cancel()
	var stdout, stderr bytes.Buffer
	if code := run(ctx, []string{"report", "--source", dir, "--now", sampleNow}, &stdout, &stderr); code != 0 {
		t.Fatalf("herald report exited %d\nstdout:\n%s\nstderr:\n%s", code, &stdout, &stderr)
	}
	return dir
}
