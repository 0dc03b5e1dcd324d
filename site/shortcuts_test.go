package site

import (
	"os"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/heraldstatus/herald/bench/synth"
)

// TestComponentSpansMatchFullScan checks the renderer's shortcuts (only
// incidents reaching into the uptime window for the bars, only incidents
// that could hold a later change for a component's last change) against
// the plain computation over every incident, on two years of synthetic
// content, at several moments: before, during and after incidents.
func TestComponentSpansMatchFullScan(t *testing.T) {
	dir := t.TempDir()
	if err := synth.Write(dir, synth.Options{Incidents: 400, UpdatesPerIncident: 4, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	for _, now := range []time.Time{
		synth.DefaultNow,
		synth.DefaultNow.Add(-37 * 24 * time.Hour),
		synth.DefaultNow.Add(-400*24*time.Hour + 13*time.Hour),
		synth.DefaultNow.Add(30 * 24 * time.Hour),
		synth.DefaultNow.Add(200 * 24 * time.Hour), // nothing resolved in the window
	} {
		s, err := Load(os.DirFS(dir), Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		r := dataRenderer(s)
		for _, c := range s.Config.Components {
			all := r.view.ComponentSpans(c.ID, now)
			want := ComponentUptime(all, s.Config.HistoryDays, now, s.Config.Location)
			got := r.uptime[c.ID]
			if got.Percent != want.Percent || len(got.Days) != len(want.Days) {
				t.Fatalf("now %s, %s: uptime %v%% over %d days, want %v%% over %d", now, c.ID, got.Percent, len(got.Days), want.Percent, len(want.Days))
			}
			for i := range want.Days {
				g, w := got.Days[i], want.Days[i]
				if g.Worst != w.Worst || g.Downtime != w.Downtime || len(g.Outage) != len(w.Outage) {
					t.Fatalf("now %s, %s, day %s: got %+v, want %+v", now, c.ID, w.Date.Format(time.DateOnly), g, w)
				}
			}
			last := statusChanged(all, r.first, now)
			if !r.changed[c.ID].Equal(last) {
				t.Errorf("now %s, %s: last change %s, want %s", now, c.ID, r.changed[c.ID], last)
			}
		}
	}
}

// TestFeedSelectionMatchesFullSort checks that the feeds, which pass over
// incidents that cannot enter them, keep what sorting every update would.
func TestFeedSelectionMatchesFullSort(t *testing.T) {
	dir := t.TempDir()
	if err := synth.Write(dir, synth.Options{Incidents: 600, UpdatesPerIncident: 3, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	for _, now := range []time.Time{synth.DefaultNow, synth.DefaultNow.Add(-300 * 24 * time.Hour)} {
		s, err := Load(os.DirFS(dir), Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		r := dataRenderer(s)
		all := &top{n: feedLimit}
		per := map[string]*top{}
		for _, c := range s.Config.Components {
			per[c.ID] = &top{n: feedLimit}
		}
		r.selectFeeds(all, per)

		var items []feedItem
		for _, in := range r.view.Incidents {
			if len(in.Updates) == 0 {
				items = append(items, feedItem{At: in.Started, in: in, u: -1, Components: in.Affected})
			}
			for i, u := range in.Updates {
				items = append(items, feedItem{At: u.At, in: in, u: i, Components: in.Affected})
			}
		}
		for _, m := range r.view.Maintenances {
			if len(m.Updates) == 0 {
				items = append(items, feedItem{At: m.Start, m: m, u: -1, Components: m.Components})
			}
			for i, u := range m.Updates {
				items = append(items, feedItem{At: u.At, m: m, u: i, Components: m.Components})
			}
		}
		sort.Slice(items, func(i, j int) bool { return newer(&items[i], &items[j]) })
		want := func(component string) []string {
			var out []string
			for i := range items {
				if len(out) < feedLimit && (component == "" || slices.Contains(items[i].Components, component)) {
					out = append(out, items[i].tie())
				}
			}
			return out
		}
		got := func(t *top) []string {
			var out []string
			for i := range t.items {
				out = append(out, t.items[i].tie())
			}
			return out
		}
		if g, w := got(all), want(""); !slices.Equal(g, w) {
			t.Errorf("now %s: site feed\n got %v\nwant %v", now, g, w)
		}
		for id, tp := range per {
			if g, w := got(tp), want(id); !slices.Equal(g, w) {
				t.Errorf("now %s: feed of %s\n got %v\nwant %v", now, id, g, w)
			}
		}
	}
}

// TestMonthKeysMatchMonths: the months' pages are listed from monthKeys
// before months works out what they hold; both must agree.
func TestMonthKeysMatchMonths(t *testing.T) {
	dir := t.TempDir()
	if err := synth.Write(dir, synth.Options{Incidents: 300, UpdatesPerIncident: 2, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	s, err := Load(os.DirFS(dir), Options{Now: synth.DefaultNow})
	if err != nil {
		t.Fatal(err)
	}
	for _, tz := range []string{"UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"} {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			t.Fatal(err)
		}
		cfg := *s.Config
		cfg.Location = loc
		s2 := *s
		s2.Config = &cfg
		r := dataRenderer(&s2)
		var want []string
		for _, mo := range r.months() {
			want = append(want, mo.Key)
		}
		if got := r.monthKeys(); !slices.Equal(got, want) {
			t.Errorf("%s: monthKeys %v, months %v", tz, got, want)
		}
	}
}
