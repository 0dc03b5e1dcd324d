// Package publishbench measures herald publish on a large site against the
// S3 server scripts/test starts, counting requests at the server (a proxy
// in front of it), not only time:
//
//	bash bench/publish.sh                      # 10,000 incidents
//	HERALD_BENCH_INCIDENTS=1000 bash bench/publish.sh
package publishbench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/heraldstatus/herald/bench/synth"
	"github.com/heraldstatus/herald/publish"
	"github.com/heraldstatus/herald/publish/publishtest"
)

// BenchmarkPublish publishes a synthetic site of HERALD_BENCH_INCIDENTS
// incidents (default 10,000) built by herald build:
//
//	full       the first upload into an empty prefix
//	nochange   the same site again
//	oneupdate  the site with one more update to an active incident, then
//	           without it, alternately: each publish is a one-update change
//
// Each reports requests per publish by operation, as the server saw them,
// and the most requests in flight at once.
func BenchmarkPublish(b *testing.B) {
	ep := publishtest.Endpoint(b)
	publishtest.SetEnv()
	n := 10000
	if s := os.Getenv("HERALD_BENCH_INCIDENTS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatalf("HERALD_BENCH_INCIDENTS=%q", s)
		}
	}
	base, next := buildSites(b, n)
	files := countFiles(b, base)
	px := publishtest.NewProxy(b, ep)
	bucket := publishtest.NewBucket(b, ep, "herald-bench")
	target := func(prefix string) publish.Target {
		s, err := publish.NewS3(context.Background(), "s3://"+bucket+"/"+prefix, publish.S3Options{EndpointURL: px.URL, PathStyle: true})
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	pub := func(b *testing.B, tg publish.Target, dir string) *publish.Report {
		rep, err := publish.Run(context.Background(), tg, os.DirFS(dir), publish.Options{MaxDeletes: publish.DefaultMaxDeletes})
		if err != nil {
			b.Fatal(err)
		}
		return rep
	}
	measure := func(b *testing.B, each func(i int) *publish.Report) {
		px.Reset()
		var uploaded int
		var sent int64
		i := 0
		for b.Loop() {
			rep := each(i)
			uploaded += rep.Uploaded
			sent += rep.Bytes
			i++
		}
		counts, peak := px.Reset()
		for _, op := range []string{"LIST", "GET", "HEAD", "PUT", "DELETE"} {
			b.ReportMetric(float64(counts[op])/float64(b.N), op+"/op")
		}
		b.ReportMetric(float64(uploaded)/float64(b.N), "uploads/op")
		b.ReportMetric(float64(sent)/float64(b.N)/(1<<20), "MB-sent/op")
		b.ReportMetric(float64(peak), "peak-inflight")
		b.ReportMetric(float64(files), "files")
	}

	b.Run("full", func(b *testing.B) {
		measure(b, func(i int) *publish.Report { return pub(b, target(fmt.Sprintf("full-%d", i)), base) })
	})
	steady := target("steady")
	pub(b, steady, base)
	b.Run("nochange", func(b *testing.B) {
		measure(b, func(int) *publish.Report { return pub(b, steady, base) })
	})
	b.Run("oneupdate", func(b *testing.B) {
		measure(b, func(i int) *publish.Report {
			if i%2 == 0 {
				return pub(b, steady, next)
			}
			return pub(b, steady, base)
		})
	})
}

// buildSites writes the synthetic sources for n incidents, and the same
// with one more update to the newest active incident, and builds both with
// herald build; it returns the two public/ folders.
func buildSites(b *testing.B, n int) (base, next string) {
	b.Helper()
	tmp := b.TempDir()
	bin := filepath.Join(tmp, "herald")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/heraldstatus/herald/cmd/herald").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	a, c := filepath.Join(tmp, "base"), filepath.Join(tmp, "next")
	if err := synth.Write(a, synth.Options{Incidents: n, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	if err := os.CopyFS(c, os.DirFS(a)); err != nil {
		b.Fatal(err)
	}
	slug := activeIncident(b, filepath.Join(c, "content", "incidents"))
	update := "---\nat: " + synth.DefaultNow.Add(-2*60e9).Format("2006-01-02T15:04:05Z") + "\nstatus: monitoring\n---\n\nA fix is in place and we are watching the results.\n"
	if err := os.WriteFile(filepath.Join(c, "content", "incidents", slug, "2026-11-28T0158Z.md"), []byte(update), 0o644); err != nil {
		b.Fatal(err)
	}
	for _, dir := range []string{a, c} {
		cmd := exec.Command(bin, "build", "--source", dir, "--now", synth.DefaultNow.Format("2006-01-02T15:04:05Z"))
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("herald build %s: %v\n%s", dir, err, out)
		}
	}
	return filepath.Join(a, "public"), filepath.Join(c, "public")
}

// activeIncident is the newest incident with no resolving update.
func activeIncident(b *testing.B, dir string) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		b.Fatal(err)
	}
	var slugs []string
	for _, e := range entries {
		slugs = append(slugs, e.Name())
	}
	sort.Sort(sort.Reverse(sort.StringSlice(slugs)))
	for _, slug := range slugs {
		files, _ := filepath.Glob(filepath.Join(dir, slug, "*.md"))
		resolved := false
		for _, f := range files {
			t, _ := os.ReadFile(f)
			if strings.Contains(string(t), "\nstatus: resolved") {
				resolved = true
			}
		}
		if !resolved {
			return slug
		}
	}
	b.Fatal("no active incident in the synthetic content")
	return ""
}

func countFiles(b *testing.B, dir string) int {
	n := 0
	err := filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}
