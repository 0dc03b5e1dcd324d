package synth_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/heraldstatus/herald/bench/synth"
	"github.com/heraldstatus/herald/site"
	"github.com/heraldstatus/herald/themes"
)

// memOutput keeps rendered files in memory.
type memOutput struct {
	mu    sync.Mutex
	files map[string][]byte
}

func (o *memOutput) WriteFile(name string, data []byte) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.files == nil {
		o.files = map[string][]byte{}
	}
	o.files[name] = bytes.Clone(data)
	return nil
}

// TestWriteLoadsAndRenders checks that everything synth writes is valid
// content: it loads without a problem and renders a page per public
// incident.
func TestWriteLoadsAndRenders(t *testing.T) {
	const n, avg = 200, 5
	dir := t.TempDir()
	if err := synth.Write(dir, synth.Options{Incidents: n, UpdatesPerIncident: avg, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	s, err := site.Load(os.DirFS(dir), site.Options{Now: synth.DefaultNow})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if len(s.Incidents) != n {
		t.Fatalf("loaded %d incidents, want %d", len(s.Incidents), n)
	}
	var (
		updates, public, active, reviews int
		statuses                         = map[string]bool{}
		sevs                             = map[string]bool{}
		impacts                          = map[site.Status]bool{}
		blocks                           = map[string]bool{}
	)
	for _, in := range s.Incidents {
		updates += len(in.Updates)
		sevs[in.Severity.ID] = true
		if in.Public {
			public++
		}
		if in.Active() {
			active++
		}
		if in.Review != nil {
			reviews++
		}
		for _, u := range in.Updates {
			statuses[u.Status] = true
			for _, st := range u.Impact {
				impacts[st] = true
			}
			for _, seg := range u.Body.Segments {
				switch {
				case seg.Internal:
					blocks["internal"] = true
				case len(seg.Audiences) > 0:
					blocks[strings.Join(seg.Audiences, " ")] = true
				}
			}
		}
	}
	for _, m := range s.Maintenances {
		statuses[m.State(s.Now)] = true
	}
	if updates != n*avg {
		t.Errorf("%d updates, want %d", updates, n*avg)
	}
	if active == 0 || active == n {
		t.Errorf("%d active incidents, want a few", active)
	}
	if public == n {
		t.Errorf("every incident is public, want a few internal ones")
	}
	if reviews == 0 {
		t.Errorf("no reviews")
	}
	for _, want := range []string{"investigating", "identified", "monitoring", "resolved", "scheduled", "in_progress", "completed"} {
		if !statuses[want] {
			t.Errorf("no %s status", want)
		}
	}
	for _, want := range []string{"sev1", "sev2", "sev3", "sev4"} {
		if !sevs[want] {
			t.Errorf("no %s incident", want)
		}
	}
	for _, want := range []site.Status{site.Operational, site.DegradedPerformance, site.PartialOutage, site.MajorOutage} {
		if !impacts[want] {
			t.Errorf("no impact %s", want)
		}
	}
	for _, want := range []string{"it-team", "executives", "end-users", "customers", "internal"} {
		if !blocks[want] {
			t.Errorf("no ::: for %s block", want)
		}
	}

	var pub, dig memOutput
	if err := site.Render(s, themes.Default, &pub, &dig); err != nil {
		t.Fatalf("render: %v", err)
	}
	pages := 0
	for name := range pub.files {
		if strings.HasPrefix(name, "incidents/") && strings.HasSuffix(name, "/index.html") {
			pages++
		}
	}
	if pages != public {
		t.Errorf("%d incident pages, want %d (one per public incident)", pages, public)
	}
	if len(dig.files) == 0 {
		t.Errorf("no digests written")
	}
}

// TestWriteIsDeterministic checks that the same options write the same
// bytes.
func TestWriteIsDeterministic(t *testing.T) {
	opts := synth.Options{Incidents: 40, UpdatesPerIncident: 3, Seed: 42}
	a, b := t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if err := synth.Write(dir, opts); err != nil {
			t.Fatal(err)
		}
	}
	ta, tb := tree(t, a), tree(t, b)
	if len(ta) != len(tb) {
		t.Fatalf("%d files then %d files", len(ta), len(tb))
	}
	for name, data := range ta {
		if !bytes.Equal(data, tb[name]) {
			t.Errorf("%s differs between two runs", name)
		}
	}
	if err := synth.Write(a, opts); err == nil {
		t.Errorf("Write into a folder that already has content/ succeeded, want an error")
	}
}

func tree(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
