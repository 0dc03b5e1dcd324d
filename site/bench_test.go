package site_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/heraldstatus/herald/bench/synth"
	"github.com/heraldstatus/herald/site"
	"github.com/heraldstatus/herald/themes"
)

// Benchmarks of Load and of a whole build on synthetic content (see
// bench/synth and bench/build.sh, which prints the table in the README):
//
//	go test -run '^$' -bench . -benchmem ./site/
//
// Each size's content is written once, outside the timed loop. -short
// skips the 10k size.

var benchSizes = []struct {
	name      string
	incidents int
}{
	{"1k", 1000},
	{"10k", 10000},
}

const benchUpdates = 5 // per incident, on average

// benchSource writes a size's content under root, the parent benchmark's
// TempDir (removed when it ends), the first time it is asked for.
func benchSource(b *testing.B, root string, incidents int) string {
	b.Helper()
	dir := filepath.Join(root, strconv.Itoa(incidents))
	if _, err := os.Stat(dir); err == nil {
		return dir
	}
	if err := synth.Write(dir, synth.Options{Incidents: incidents, UpdatesPerIncident: benchUpdates, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	return dir
}

func BenchmarkLoad(b *testing.B) {
	eachSize(b, func(b *testing.B, fsys fs.FS, incidents int) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := site.Load(fsys, site.Options{Now: synth.DefaultNow}); err != nil {
				b.Fatal(err)
			}
		}
		reportRate(b, incidents)
	})
}

func BenchmarkBuild(b *testing.B) {
	eachSize(b, func(b *testing.B, fsys fs.FS, incidents int) {
		var pub, dig discard
		b.ReportAllocs()
		for b.Loop() {
			s, err := site.Load(fsys, site.Options{Now: synth.DefaultNow})
			if err != nil {
				b.Fatal(err)
			}
			if err := site.Render(s, themes.Default, &pub, &dig); err != nil {
				b.Fatal(err)
			}
		}
		reportRate(b, incidents)
		n := float64(b.N)
		b.ReportMetric(float64(pub.files.Load()+dig.files.Load())/n, "files/op")
		b.ReportMetric(float64(pub.bytes.Load()+dig.bytes.Load())/n/1e6, "MB-written/op")
	})
}

// eachSize runs bench as a sub-benchmark per size, on that size's content.
func eachSize(b *testing.B, bench func(b *testing.B, fsys fs.FS, incidents int)) {
	root := b.TempDir()
	for _, size := range benchSizes {
		b.Run(size.name, func(b *testing.B) {
			if testing.Short() && size.incidents > 1000 {
				b.Skip("-short")
			}
			bench(b, site.DirFS(benchSource(b, root, size.incidents)), size.incidents)
		})
	}
}

func reportRate(b *testing.B, incidents int) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(incidents*b.N)/s, "incidents/s")
		b.ReportMetric(float64(incidents*benchUpdates*b.N)/s, "updates/s")
	}
}

// discard is an Output that counts what it is given and keeps nothing.
type discard struct{ files, bytes atomic.Int64 }

func (d *discard) WriteFile(_ string, data []byte) error {
	d.files.Add(1)
	d.bytes.Add(int64(len(data)))
	return nil
}
