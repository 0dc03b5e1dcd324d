package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestServeReloadsBrowser: a page open in headless Chromium reloads by
// itself after an edit and shows it, with no console errors.
func TestServeReloadsBrowser(t *testing.T) {
	chromium, _ := browserTools(t)
	dir := copySample(t)
	_, srv := startPreview(t, dir)

	tab := openTab(t, startBrowser(t, chromium))
	messages := chromedp.Console(tab)
	if err := chromedp.Do(tab, chromedp.Navigate(srv.URL+"/incidents/"+activeSlug+"/")); err != nil {
		t.Fatal(err)
	}
	// A marker that survives anything but a reload.
	if err := chromedp.Do(tab, chromedp.Evaluate[chromedp.Void](`window.heraldMarker = 42`)); err != nil {
		t.Fatal(err)
	}
	// Let the page's event stream connect; an edit before that is caught
	// all the same (the stream starts with the current build's version),
	// but this way the test proves the push.
	waitJS(t, tab, `document.documentElement.hasAttribute("data-herald-live")`, "the event stream to open")

	latest := filepath.Join(dir, "content", "incidents", activeSlug, "2026-11-28T0140Z.md")
	b, err := os.ReadFile(latest)
	if err != nil {
		t.Fatal(err)
	}
	write(t, latest, strings.Replace(string(b), "All affected merchants", "Browser-visible edit: all affected merchants", 1))
	waitJS(t, tab, `window.heraldMarker === undefined && document.body.innerText.includes("Browser-visible edit")`, "the page to reload with the edit")

	for _, m := range consoleErrors(t, tab, messages) {
		t.Errorf("console %s", m)
	}
}

// waitJS polls a JavaScript condition in the page until it is true.
func waitJS(t testing.TB, tab context.Context, cond, what string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ok, err := chromedp.Run(tab, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited 15 s for %s (last error: %v)", what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
