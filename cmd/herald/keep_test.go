package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// twinSources are two copies of the sample: kept is built keeping files
// from its last build, clean is built from scratch each time. Every edit
// goes to both, and after each build their outputs must be equal.
type twinSources struct{ kept, clean string }

func newTwins(t *testing.T) twinSources {
	t.Helper()
	tw := twinSources{kept: copySample(t), clean: copySample(t)}
	tw.build(t, sampleNow) // the first build of kept has nothing to keep
	return tw
}

// edit applies change to both copies.
func (tw twinSources) edit(t *testing.T, change func(dir string)) {
	t.Helper()
	change(tw.kept)
	change(tw.clean)
}

var keptRE = regexp.MustCompile(`\((?:(\d+) kept from the last build, )?(\d+) written\)`)

// build builds both at now, checks they agree, and returns how many files
// the kept build wrote.
func (tw twinSources) build(t *testing.T, now string) int {
	_, written := tw.buildKept(t, now)
	return written
}

// buildKept is build, also returning how many files were kept unrendered.
func (tw twinSources) buildKept(t *testing.T, now string) (kept, written int) {
	t.Helper()
	out, _ := herald(t, "build", "--source", tw.kept, "--now", now)
	herald(t, "build", "--clean", "--source", tw.clean, "--now", now)
	for _, dir := range []string{"public", "digests"} {
		if d := diffSums(treeSums(t, filepath.Join(tw.clean, dir)), treeSums(t, filepath.Join(tw.kept, dir))); d != "" {
			t.Fatalf("%s/ of the build keeping files differs from a clean build:\n%s", dir, d)
		}
	}
	m := keptRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("herald build did not say how many files it kept and wrote:\n%s", out)
	}
	kept, _ = strconv.Atoi(m[1])
	written, _ = strconv.Atoi(m[2])
	return kept, written
}

func writeText(t *testing.T, p, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func replaceIn(t *testing.T, p, old, new string) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s does not contain %q", p, old)
	}
	writeText(t, p, strings.Replace(string(b), old, new, 1))
}

const (
	activeIncident = "content/incidents/2026-11-27-card-authorization-timeouts"
	pastIncident   = "content/incidents/2026-09-03-checkout-api-outage"
)

// TestKeptBuildsEqualCleanBuilds edits the sample the ways its authors do,
// and checks after each edit that a build keeping the files of the last one
// leaves public/ and digests/ exactly as a clean build does, writing few
// files when little changed.
func TestKeptBuildsEqualCleanBuilds(t *testing.T) {
	tw := newTwins(t)
	steps := []struct {
		name     string
		change   func(dir string)
		now      string
		maxWrite int // -1: no limit
	}{
		{"nothing changed", func(string) {}, sampleNow, 0},
		// A theme may show more than the default one does: here the
		// indicator and the clock-driven duration on every incident page.
		{"a theme overriding a template", func(dir string) {
			replaceIn(t, filepath.Join(dir, "config.toml"), `theme = ""`, `theme = "mine"`)
			writeText(t, filepath.Join(dir, "themes", "mine", "templates", "incident.html"),
				"{{template \"layout.html\" .}}\n{{define \"main\"}}<h1>{{.Title}}</h1><p>{{.Indicator.Description}}</p><p>{{duration .Data.Duration}}</p>{{end}}\n")
		}, sampleNow, -1},
		{"a new update to the active incident", func(dir string) {
			writeText(t, filepath.Join(dir, activeIncident, "2026-11-28T0150Z.md"), "---\nat: 2026-11-28T01:50:00Z\nstatus: monitoring\n---\n\nStill watching the second acquirer closely.\n")
		}, sampleNow, 40},
		{"an hour later", func(string) {}, "2026-11-28T03:00:00Z", 40},
		{"a typo fixed in a past incident", func(dir string) {
			replaceIn(t, filepath.Join(dir, pastIncident, "incident.md"), "title: Checkout API and hosted checkout unavailable", "title: Checkout API and hosted checkout were unavailable")
		}, "2026-11-28T03:00:00Z", 40},
		{"the active incident resolved", func(dir string) {
			writeText(t, filepath.Join(dir, activeIncident, "2026-11-28T0255Z.md"), "---\nat: 2026-11-28T02:55:00Z\nstatus: resolved\n---\n\nCard payments work normally again.\n")
		}, "2026-11-28T03:00:00Z", -1},
		{"an incident deleted", func(dir string) {
			if err := os.RemoveAll(filepath.Join(dir, pastIncident)); err != nil {
				t.Fatal(err)
			}
		}, "2026-11-28T03:00:00Z", -1},
		{"the maintenance under way", func(string) {}, "2026-12-09T08:00:00Z", -1},
		{"a window announced with no updates", func(dir string) {
			writeText(t, filepath.Join(dir, "content", "maintenance", "2026-12-10-reports-reindex", "maintenance.md"),
				"---\ntitle: Reports reindex\ncomponents: [reporting]\nscheduled_start: 2026-12-10T07:00:00Z\nscheduled_end: 2026-12-10T09:00:00Z\n---\n\nExports may be slow.\n")
		}, "2026-12-09T08:00:00Z", -1},
		{"the window under way by the clock alone", func(string) {}, "2026-12-10T08:00:00Z", -1},
		{"the window over by the clock alone", func(string) {}, "2026-12-10T10:00:00Z", -1},
		{"config.toml changed", func(dir string) {
			replaceIn(t, filepath.Join(dir, "config.toml"), `title = "`, `title = "The `)
		}, "2026-12-10T10:00:00Z", -1},
		{"back to the default theme", func(dir string) {
			replaceIn(t, filepath.Join(dir, "config.toml"), `theme = "mine"`, `theme = ""`)
		}, "2026-12-10T10:00:00Z", -1},
	}
	for _, st := range steps {
		tw.edit(t, st.change)
		n := tw.build(t, st.now)
		t.Logf("%s: %d files written", st.name, n)
		if st.maxWrite >= 0 && n > st.maxWrite {
			t.Errorf("%s: the build wrote %d files (expected at most %d)", st.name, n, st.maxWrite)
		}
	}
}

// TestKeptBuildRepairsTheOutput: files changed or removed behind herald's
// back are made again, and files herald did not make are left alone.
func TestKeptBuildRepairsTheOutput(t *testing.T) {
	tw := newTwins(t)
	page := filepath.Join(tw.kept, "public", "incidents", "2026-09-03-checkout-api-outage", "index.html")
	digest := filepath.Join(tw.kept, "digests", "executives", "2026-09-03-checkout-api-outage.txt")
	replaceIn(t, page, "<h1>", "<h1>defaced ")
	if err := os.Remove(digest); err != nil {
		t.Fatal(err)
	}
	if n := tw.build(t, sampleNow); n != 2 {
		t.Errorf("the build wrote %d files (expected the 2 changed behind its back)", n)
	}
}

// TestInterruptedApply stops a build while it moves files into public/:
// publish must refuse the folder, and the next build must finish the job.
func TestInterruptedApply(t *testing.T) {
	tw := newTwins(t)
	tw.edit(t, func(dir string) {
		replaceIn(t, filepath.Join(dir, pastIncident, "incident.md"), "title: Checkout API and hosted checkout unavailable", "title: Checkout API down")
		writeText(t, filepath.Join(dir, activeIncident, "2026-11-28T0150Z.md"), "---\nat: 2026-11-28T01:50:00Z\nstatus: monitoring\n---\n\nStill watching.\n")
	})
	var moved atomic.Int32 // public/ and digests/ move their files at once
	stopAfterMove = func() error {
		if moved.Add(1) == 3 {
			return errors.New("stopped")
		}
		return nil
	}
	defer func() { stopAfterMove = nil }()
	var out, errb bytes.Buffer
	if code := run(t.Context(), []string{"build", "--source", tw.kept, "--now", sampleNow}, &out, &errb); code == 0 {
		t.Fatalf("the build did not stop:\n%s", &out)
	}
	stopAfterMove = nil
	if err := checkBuild(tw.kept, filepath.Join(tw.kept, "public")); err == nil {
		t.Error("publish would take public/ as a whole build after the build stopped while updating it")
	}
	tw.build(t, sampleNow)
	if err := checkBuild(tw.kept, filepath.Join(tw.kept, "public")); err != nil {
		t.Errorf("publish refuses the build that finished the job: %v", err)
	}
}

// TestConcurrentBuilds: two builds of one folder at once take turns.
func TestConcurrentBuilds(t *testing.T) {
	tw := newTwins(t)
	tw.edit(t, func(dir string) {
		replaceIn(t, filepath.Join(dir, pastIncident, "incident.md"), "title: Checkout API and hosted checkout unavailable", "title: Checkout API down")
	})
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i := range codes {
		wg.Go(func() {
			var out, errb bytes.Buffer
			codes[i] = run(t.Context(), []string{"build", "--source", tw.kept, "--now", sampleNow}, &out, &errb)
		})
	}
	wg.Wait()
	if codes[0] != 0 || codes[1] != 0 {
		t.Fatalf("builds exited %v", codes)
	}
	if n := tw.build(t, sampleNow); n != 0 {
		t.Errorf("a third build wrote %d files after two concurrent ones (expected none)", n)
	}
}

// TestKeptBuildAfterRestore: folders restored from an archive that keeps
// modification times to the second only, as CI caches do, are kept.
func TestKeptBuildAfterRestore(t *testing.T) {
	tw := newTwins(t)
	want, _ := tw.buildKept(t, sampleNow)
	for _, dir := range []string{"public", "digests"} {
		err := filepath.WalkDir(filepath.Join(tw.kept, dir), func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			st, err := d.Info()
			if err != nil {
				return err
			}
			mtime := st.ModTime().Truncate(time.Second)
			return os.Chtimes(p, mtime, mtime)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if kept, written := tw.buildKept(t, sampleNow); kept != want || written != 0 {
		t.Errorf("the build kept %d files and wrote %d into folders restored as they were (expected %d kept, none written)", kept, written, want)
	}
}

// TestKeptBuildFailsCleanly: a build that fails while rendering, after it
// has written some changed files aside, leaves both folders as they were
// and publish refusing them.
func TestKeptBuildFailsCleanly(t *testing.T) {
	tw := newTwins(t)
	before := map[string]map[string]string{}
	for _, dir := range []string{"public", "digests"} {
		before[dir] = treeSums(t, filepath.Join(tw.kept, dir))
	}
	replaceIn(t, filepath.Join(tw.kept, pastIncident, "incident.md"), "title: Checkout API and hosted checkout unavailable", "title: Checkout API down")
	replaceIn(t, filepath.Join(tw.kept, "config.toml"), `theme = ""`, `theme = "broken"`)
	// The incident pages fail to render; the digests render first or beside them.
	writeText(t, filepath.Join(tw.kept, "themes", "broken", "templates", "incident.html"), "{{template \"layout.html\" .}}\n{{define \"main\"}}{{.Data.Nope}}{{end}}\n")
	var out, errb bytes.Buffer
	if code := run(t.Context(), []string{"build", "--source", tw.kept, "--now", sampleNow}, &out, &errb); code == 0 {
		t.Fatalf("the build with a broken template succeeded:\n%s", &out)
	}
	for _, dir := range []string{"public", "digests"} {
		if d := diffSums(before[dir], treeSums(t, filepath.Join(tw.kept, dir))); d != "" {
			t.Errorf("the failed build changed %s/:\n%s", dir, d)
		}
	}
	if err := checkBuild(tw.kept, filepath.Join(tw.kept, "public")); err == nil {
		t.Error("publish would take public/ after a failed build")
	}
	if leftovers, _ := filepath.Glob(filepath.Join(tw.kept, ".*.new-*")); len(leftovers) > 0 {
		t.Errorf("the failed build left %v", leftovers)
	}
}
