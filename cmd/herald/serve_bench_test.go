package main

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/heraldstatus/herald/bench/synth"
)

// BenchmarkServeEdit measures serve's reaction to one edited update file
// with a large site loaded: from the file's write, through fsnotify and the
// rebuild, to the edited incident's page served with the change (the
// request a browser makes on the reload event). Run it with
//
//	go test ./cmd/herald -run '^$' -bench ServeEdit -benchtime 1000x
//
// It reports the median and 95th percentile latency and how much the live
// heap grew over all the edits.
func BenchmarkServeEdit(b *testing.B) {
	eachSite(b, func(b *testing.B, dir string) {
		// An update file to edit: the newest incident's first.
		incs, _ := filepath.Glob(filepath.Join(dir, "content", "incidents", "*"))
		sort.Strings(incs)
		files, _ := filepath.Glob(filepath.Join(incs[len(incs)-1], "*.md"))
		var target string
		for _, f := range files {
			if filepath.Base(f) != "incident.md" && filepath.Base(f) != "review.md" {
				target = f
				break
			}
		}
		orig, err := os.ReadFile(target)
		if err != nil {
			b.Fatal(err)
		}
		p, err := newPreview(buildFlags{source: dir, now: synth.DefaultNow.Format(time.RFC3339)})
		if err != nil {
			b.Fatal(err)
		}
		if ps := p.problemList(); len(ps) > 0 {
			b.Fatalf("generated content does not build: %v", ps)
		}
		builds := make(chan error, 16)
		p.built = func(_ int, err error) { builds <- err }
		if err := p.watch(b.Context()); err != nil {
			b.Fatal(err)
		}
		defer p.close()
		slug := filepath.Base(filepath.Dir(target))
		page := "incidents/" + slug + "/index.html"

		heap := func() uint64 {
			runtime.GC()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			return m.HeapAlloc
		}
		before := heap()
		lat := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for i := range b.N {
			marker := fmt.Sprintf("edit-%d-marker", i)
			text := strings.TrimRight(string(orig), "\n") + "\n\n" + marker + "\n"
			start := time.Now()
			if err := os.WriteFile(target, []byte(text), 0o644); err != nil {
				b.Fatal(err)
			}
			for {
				// A rebuild may catch the file between its truncation and
				// its write, and fail; the write's own event follows.
				<-builds
				// What the browser does on the reload event: ask for
				// the page, which serve renders then.
				rec := httptest.NewRecorder()
				p.ServeHTTP(rec, httptest.NewRequest("GET", "/"+page, nil))
				if strings.Contains(rec.Body.String(), marker) {
					break
				}
			}
			lat = append(lat, time.Since(start))
			if i == 0 {
				// The start rendered every page; the first edit drops
				// them. Growth counts from there.
				b.StopTimer()
				before = heap()
				b.StartTimer()
			}
		}
		b.StopTimer()
		after := heap()
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-p50")
		b.ReportMetric(float64(lat[len(lat)*95/100].Microseconds())/1000, "ms-p95")
		b.ReportMetric((float64(after)-float64(before))/(1<<20), "MB-heap-growth")
		b.ReportMetric(float64(after)/(1<<20), "MB-heap")
	})
}

// BenchmarkServeStart measures serve's start on a large site, up to the
// moment it answers: loading the content, preparing the pages and
// rendering one of each kind to check the templates.
//
//	go test ./cmd/herald -run '^$' -bench ServeStart -benchtime 5x
func BenchmarkServeStart(b *testing.B) {
	eachSite(b, func(b *testing.B, dir string) {
		f := buildFlags{source: dir, now: synth.DefaultNow.Format(time.RFC3339)}
		b.ResetTimer()
		for range b.N {
			p, err := newPreview(f)
			if err != nil {
				b.Fatal(err)
			}
			if ps := p.problemList(); len(ps) > 0 {
				b.Fatalf("generated content does not build: %v", ps)
			}
			rec := httptest.NewRecorder()
			p.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
			if rec.Code != 200 {
				b.Fatalf("index: status %d", rec.Code)
			}
		}
	})
}

// eachSite runs bench as a sub-benchmark on a synthetic site of 1,000 and
// of 10,000 incidents (skipped in -short mode), written outside the timer.
func eachSite(b *testing.B, bench func(b *testing.B, dir string)) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("incidents=%d", n), func(b *testing.B) {
			if n > 1000 && testing.Short() {
				b.Skip("large site skipped in -short mode")
			}
			dir := b.TempDir()
			if err := synth.Write(dir, synth.Options{Incidents: n, Seed: 1}); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			bench(b, dir)
		})
	}
}
