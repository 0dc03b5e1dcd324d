package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/heraldstatus/herald/site"
)

// The banner test loads a customer's page, served from one origin, that
// embeds banner.js from a built status site served from another, in the
// same headless Chromium as the browser test: the banner shows the active
// incident and links to it, is accessible, can be dismissed for good, shows
// nothing when all is well, and logs no console error.

// customerPage is a customer's own page with the one-tag snippet. Its first
// script records the promise of every fetch() and Response.json() call, so
// the test can wait until banner.js has fetched and read banner.json (or
// failed to) and then see what it did: that is how "no banner" is told from
// "no banner yet".
const customerPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Customer shop</title>
<link rel="icon" href="data:,">
<script>
(function () {
  window.baseline = {baseline: true, fetches: true, jsonReads: true};
  Object.keys(window).forEach(function (k) { window.baseline[k] = true; });
  var fetch = window.fetch, json = Response.prototype.json;
  window.fetches = [];
  window.jsonReads = [];
  window.fetch = function () { var p = fetch.apply(this, arguments); window.fetches.push(p); return p; };
  Response.prototype.json = function () { var p = json.call(this); window.jsonReads.push(p); return p; };
})();
</script>
<script src="%s/banner.js" async></script>
</head>
<body>
<header><p>Customer shop</p></header>
<main><h1>Welcome to the shop</h1><p>Everything is for sale.</p></main>
</body>
</html>
`

// bannerSettledJS waits until banner.js's fetch of banner.json and its
// reading have settled, then for one more task, after which it has shown its
// banner or decided not to, and
// says what the page holds, and which globals appeared since the page's
// first script.
const bannerSettledJS = `new Promise((resolve) => {
  const tick = () => window.fetches && window.fetches.length ? resolve(Promise.allSettled(window.fetches)) : setTimeout(tick, 20);
  tick();
}).then(() => new Promise((r) => setTimeout(r, 0)))
  .then(() => Promise.allSettled(window.jsonReads))
  .then((reads) => new Promise((r) => setTimeout(() => r(reads), 0)))
  .then((reads) => {
  const box = document.querySelector('[data-herald-banner]');
  const link = box && box.querySelector('a');
  const button = box && box.querySelector('button');
  return {
    read: reads.some((r) => r.status === 'fulfilled'),
    present: !!box,
    first: !!box && document.body.firstElementChild === box,
    text: box ? box.innerText : '',
    role: box ? box.getAttribute('role') : '',
    label: box ? box.getAttribute('aria-label') || '' : '',
    href: link ? link.href : '',
    linkText: link ? link.textContent : '',
    button: button ? button.getAttribute('aria-label') || '' : '',
    cookie: document.cookie,
    globals: Object.keys(window).filter((k) => !(k in baseline)),
  };
})`

// bannerFacts is what bannerSettledJS returns.
type bannerFacts struct {
	Read     bool     `json:"read"` // banner.js fetched and parsed banner.json
	Present  bool     `json:"present"`
	First    bool     `json:"first"`
	Text     string   `json:"text"`
	Role     string   `json:"role"`
	Label    string   `json:"label"`
	Href     string   `json:"href"`
	LinkText string   `json:"linkText"`
	Button   string   `json:"button"`
	Cookie   string   `json:"cookie"`
	Globals  []string `json:"globals"`
}

func TestBanner(t *testing.T) {
	chromium, axeJS := browserTools(t)
	browser := startBrowser(t, chromium)

	t.Run("active", func(t *testing.T) {
		dir := buildSample(t)
		status, customer := bannerServers(t, dir)
		active := activeIncidents(t, dir)
		if len(active) == 0 {
			t.Fatalf("the sample has no active incident at %s", sampleNow)
		}
		tab := openTab(t, browser)
		messages := chromedp.Console(tab)
		facts := loadCustomer(t, tab, customer.URL)
		if !facts.Present {
			t.Fatalf("no banner while %q is active; the page says:\n%s", active[0].Title, facts.Text)
		}
		want := active[0]
		if facts.LinkText != want.Title || !strings.Contains(facts.Text, want.Title) {
			t.Errorf("banner text %q, link %q; want the active incident %q", facts.Text, facts.LinkText, want.Title)
		}
		if wantHref := status.URL + "/incidents/" + want.Slug + "/"; facts.Href != wantHref {
			t.Errorf("banner links to %q, want %q", facts.Href, wantHref)
		}
		if !facts.First {
			t.Error("the banner is not the first thing in <body>")
		}
		if facts.Role != "region" || facts.Label == "" || facts.Button == "" {
			t.Errorf("banner role %q, aria-label %q, close button aria-label %q: want a labelled region with a labelled button", facts.Role, facts.Label, facts.Button)
		}
		if facts.Cookie != "" || len(facts.Globals) > 0 {
			t.Errorf("banner.js left cookies %q and globals %q", facts.Cookie, facts.Globals)
		}
		// Accessible, in both color schemes of the customer's page.
		injectAxe(t, tab, axeJS)
		for _, scheme := range colorSchemes {
			setColorScheme(t, tab, scheme)
			for _, v := range runAxe(t, tab) {
				if v.Impact == "serious" || v.Impact == "critical" {
					t.Errorf("axe %s (%s, %s scheme): %s at %q", v.ID, v.Impact, scheme, v.Help, v.Targets)
				}
			}
		}
		for _, m := range consoleErrors(t, tab, messages) {
			t.Errorf("console %s", m)
		}
		if shots := os.Getenv("HERALD_SCREENSHOTS"); shots != "" {
			screenshots(t, tab, shots, "banner")
		}

		// Dismissed, it goes, and stays gone on the next visit.
		if err := chromedp.Do(tab, chromedp.Click(`[data-herald-banner] button`)); err != nil {
			t.Fatalf("clicking the close button: %v", err)
		}
		gone, err := chromedp.Run(tab, chromedp.Evaluate[bool](`!document.querySelector('[data-herald-banner]')`))
		if err != nil || !gone {
			t.Fatalf("the banner is still there after its close button was clicked (%v)", err)
		}
		messages = chromedp.Console(tab)
		if facts := loadCustomer(t, tab, customer.URL); facts.Present {
			t.Error("a dismissed banner came back on the next page load")
		}
		for _, m := range consoleErrors(t, tab, messages) {
			t.Errorf("console %s", m)
		}
	})

	t.Run("calm", func(t *testing.T) {
		dir := buildSource(t, filepath.FromSlash("../../site/testdata/calm"))
		if n := len(activeIncidents(t, dir)); n != 0 {
			t.Fatalf("the calm fixture has %d active incidents", n)
		}
		_, customer := bannerServers(t, dir)
		tab := openTab(t, browser)
		messages := chromedp.Console(tab)
		if facts := loadCustomer(t, tab, customer.URL); facts.Present {
			t.Errorf("a banner shows while all is well: %q", facts.Text)
		}
		for _, m := range consoleErrors(t, tab, messages) {
			t.Errorf("console %s", m)
		}
	})
}

// bannerServers serves dir/public as a static host would, with the
// Access-Control-Allow-Origin: * that the README asks of a host, and a
// customer's page that embeds banner.js on another origin (another port).
func bannerServers(t testing.TB, dir string) (status, customer *httptest.Server) {
	t.Helper()
	files := http.FileServer(http.Dir(filepath.Join(dir, "public")))
	status = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", "*")
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(status.Close)
	page := fmt.Sprintf(customerPage, status.URL)
	customer = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	}))
	t.Cleanup(customer.Close)
	if strings.TrimPrefix(status.URL, "http://") == strings.TrimPrefix(customer.URL, "http://") {
		t.Fatal("the status site and the customer's page share an origin")
	}
	return status, customer
}

// loadCustomer loads the customer's page and returns what the banner did.
func loadCustomer(t testing.TB, tab context.Context, url string) bannerFacts {
	t.Helper()
	if err := chromedp.Do(tab, chromedp.Navigate(url)); err != nil {
		t.Fatalf("loading %s: %v", url, err)
	}
	raw, err := chromedp.Run(tab, chromedp.Evaluate[[]byte](bannerSettledJS, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("waiting for banner.js on %s: %v", url, err)
	}
	var f bannerFacts
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatalf("decoding the banner's facts: %v", err)
	}
	if !f.Read {
		t.Errorf("banner.js on %s could not fetch and read banner.json (is it served, with Access-Control-Allow-Origin?)", url)
	}
	return f
}

// activeIncidents loads the built source in dir as herald did and returns
// its public unresolved incidents, the most severe first as the banner
// orders them.
func activeIncidents(t testing.TB, dir string) []*site.Incident {
	t.Helper()
	now, err := time.Parse(time.RFC3339, sampleNow)
	if err != nil {
		t.Fatal(err)
	}
	s, err := site.Load(os.DirFS(dir), site.Options{Now: now})
	if err != nil {
		t.Fatalf("loading %s: %v", dir, err)
	}
	var out []*site.Incident
	for _, in := range s.PublicView().Incidents {
		if in.Active() {
			out = append(out, in)
		}
	}
	slices.SortStableFunc(out, func(a, b *site.Incident) int {
		return b.CurrentSeverity.Impact.Rank() - a.CurrentSeverity.Impact.Rank()
	})
	return out
}
