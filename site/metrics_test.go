package site

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/heraldstatus/herald/themes"
	xhtml "golang.org/x/net/html"
)

// metricsNow is when the fixture in testdata/metrics is measured: noon in
// Berlin, two days after the switch to summer time.
var metricsNow = time.Date(2026, 3, 31, 10, 0, 0, 0, time.UTC)

func loadMetrics(tb testing.TB) *Site {
	tb.Helper()
	return loadFS(tb, os.DirFS("testdata/metrics"), metricsNow)
}

func loadFS(tb testing.TB, fsys fs.FS, now time.Time) *Site {
	tb.Helper()
	s, err := Load(fsys, Options{Now: now})
	if err != nil {
		tb.Fatalf("Load: %v", err)
	}
	return s
}

func mins(n float64) time.Duration { return time.Duration(n * float64(time.Minute)) }

func known(m float64) Duration { return Duration{D: mins(m), Known: true} }

var unknown = Duration{}

// sameDuration compares to the second: the 30% weight of a partial outage
// is a float, as on the status page.
func sameDuration(tb testing.TB, what string, got, want time.Duration) {
	tb.Helper()
	if got.Round(time.Second) != want.Round(time.Second) {
		tb.Errorf("%s = %v, want %v", what, got, want)
	}
}

func sameFloat(tb testing.TB, what string, got, want float64) {
	tb.Helper()
	if math.Abs(got-want) > 1e-9*math.Max(1, math.Abs(want)) {
		tb.Errorf("%s = %v, want %v", what, got, want)
	}
}

// uptimeOf is 100 × (1 − down / total).
func uptimeOf(down, total time.Duration) float64 { return 100 * (1 - down.Minutes()/total.Minutes()) }

// The expected figures below are worked out by hand from the fixture's
// files; every time is in UTC here (the files use several offsets).
//
//	api-outage     sev1 api   started 03-10 09:00, detected 09:05, ack 09:15;
//	               major 09:10–09:40, partial 09:40–10:10 (identified), resolved 10:10
//	api-slow       sev2 api   internal; started 09:30, no detected or ack;
//	               partial 09:30–10:30, resolved 10:30; shares api and "database"
//	web-boundary   sev2 web   started 03-01 22:00 (23:00 in Berlin: the previous
//	               period), detected 22:20, ack 22:30; major 22:20–23:30,
//	               identified 23:30, partial 23:30–01:20, resolved 03-02 01:20
//	db-unresolved  sev3 db    started 03-31 06:00, no detected; major 06:30–now
//	web-old        sev3 web   started 02-20 12:00, detected 12:10, ack 12:20,
//	               identified 12:40, resolved 13:00; degraded only
//
// The current period is LastDays(30): from 03-02 00:00 in Berlin (03-01
// 23:00 UTC) to now, 29 days and 11 hours (one hour lost to summer time);
// the previous one is the 30 days before it, from 01-31 00:00 in Berlin.
func TestIncidentMetrics(t *testing.T) {
	s := loadMetrics(t)
	want := map[string]struct {
		sev                                    string
		detect, acknowledge, identify, resolve Duration
		downtime                               map[string]time.Duration
		cost                                   float64
		hasCost                                bool
	}{
		"api-outage": {"sev1", known(5), known(10), known(35), known(70),
			map[string]time.Duration{"api": mins(30 + 30*0.3)}, 39.0 / 60 * 6000, true},
		"api-slow": {"sev2", unknown, unknown, unknown, known(60),
			map[string]time.Duration{"api": mins(60 * 0.3)}, 18.0 / 60 * 6000, true},
		"web-boundary": {"sev2", known(20), known(10), known(70), known(200),
			map[string]time.Duration{"web": mins(70 + 110*0.3)}, 103.0 / 60 * 1200, true},
		"db-unresolved": {"sev3", unknown, unknown, unknown, unknown,
			map[string]time.Duration{"db": mins(210)}, 0, false},
		"web-old": {"sev3", known(10), known(10), known(30), known(60),
			map[string]time.Duration{"web": 0}, 0, true},
	}
	if len(s.Incidents) != len(want) {
		t.Fatalf("%d incidents loaded, want %d", len(s.Incidents), len(want))
	}
	for _, in := range s.Incidents {
		t.Run(in.Slug, func(t *testing.T) {
			w := want[in.Slug]
			m := Measure(s.Config, in, s.Now)
			if m.Severity.ID != w.sev {
				t.Errorf("severity %s, want %s", m.Severity.ID, w.sev)
			}
			for _, d := range []struct {
				name      string
				got, want Duration
			}{{"detect", m.Detect, w.detect}, {"acknowledge", m.Acknowledge, w.acknowledge}, {"identify", m.Identify, w.identify}, {"resolve", m.Resolve, w.resolve}} {
				if d.got != d.want {
					t.Errorf("time to %s = %+v, want %+v", d.name, d.got, d.want)
				}
			}
			if len(m.Components) != len(w.downtime) {
				t.Fatalf("%d components, want %d", len(m.Components), len(w.downtime))
			}
			for _, cd := range m.Components {
				sameDuration(t, "downtime of "+cd.Component.ID, cd.Downtime, w.downtime[cd.Component.ID])
			}
			sameFloat(t, "cost", m.Cost, w.cost)
			if m.HasCost != w.hasCost {
				t.Errorf("HasCost = %v, want %v", m.HasCost, w.hasCost)
			}
		})
	}
}

func TestDurationUnknown(t *testing.T) {
	if got := unknown.String(); got != "unknown" {
		t.Errorf("unknown duration prints %q", got)
	}
	if got := known(0).String(); got != "under a minute" {
		t.Errorf("a known zero prints %q", got)
	}
	b, _ := json.Marshal(struct{ A, B Duration }{unknown, known(30.6)})
	if string(b) != `{"A":null,"B":30.6}` {
		t.Errorf("JSON %s", b)
	}
	// A missing end, or a missing start, is unknown; detected before
	// impact began is zero, not negative.
	t0 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		from, to time.Time
		want     Duration
	}{
		{t0, time.Time{}, unknown},
		{time.Time{}, t0, unknown},
		{t0, t0.Add(-time.Minute), known(0)},
		{t0, t0.Add(90 * time.Second), known(1.5)},
	} {
		if got := between(tt.from, tt.to); got != tt.want {
			t.Errorf("between(%v, %v) = %+v, want %+v", tt.from, tt.to, got, tt.want)
		}
	}
}

func TestReportAggregates(t *testing.T) {
	s := loadMetrics(t)
	loc := s.Config.Location
	p := LastDays(30, s.Now, loc)
	wantFrom := time.Date(2026, 3, 1, 23, 0, 0, 0, time.UTC)
	if !p.From.Equal(wantFrom) || !p.To.Equal(s.Now) || p.Days != 30 {
		t.Fatalf("LastDays(30) = %v – %v (%d days), want %v – %v", p.From, p.To, p.Days, wantFrom, s.Now)
	}
	r := NewReport(s, p)
	cur, prev := r.Current, r.Previous
	if want := time.Date(2026, 1, 30, 23, 0, 0, 0, time.UTC); !prev.Period.From.Equal(want) || !prev.Period.To.Equal(wantFrom) {
		t.Fatalf("previous period %v – %v, want %v – %v", prev.Period.From, prev.Period.To, want, wantFrom)
	}
	curTotal := 29*24*time.Hour + 11*time.Hour // summer time took an hour
	prevTotal := 30 * 24 * time.Hour

	slugs := func(ms []*IncidentMetrics) string {
		var out []string
		for _, m := range ms {
			out = append(out, m.Incident.Slug)
		}
		return strings.Join(out, " ")
	}
	if got := slugs(cur.Incidents); got != "db-unresolved api-slow api-outage" {
		t.Errorf("current incidents %q", got)
	}
	if got := slugs(prev.Incidents); got != "web-boundary web-old" {
		t.Errorf("previous incidents %q (the boundary incident belongs to the period it started in)", got)
	}
	if cur.Internal != 1 || prev.Internal != 0 || cur.Major != 2 || prev.Major != 1 {
		t.Errorf("internal %d/%d, major %d/%d; want 1/0, 2/1", cur.Internal, prev.Internal, cur.Major, prev.Major)
	}

	stats := []struct {
		name      string
		got, want Stat
	}{
		{"current detect", cur.Times.Detect, Stat{known(5), known(5), 1, 3}},
		{"current acknowledge", cur.Times.Acknowledge, Stat{known(10), known(10), 1, 3}},
		{"current identify", cur.Times.Identify, Stat{known(35), known(35), 1, 3}},
		{"current resolve", cur.Times.Resolve, Stat{known(65), known(65), 2, 3}},
		{"previous detect", prev.Times.Detect, Stat{known(15), known(15), 2, 2}},
		{"previous acknowledge", prev.Times.Acknowledge, Stat{known(10), known(10), 2, 2}},
		{"previous identify", prev.Times.Identify, Stat{known(50), known(50), 2, 2}},
		{"previous resolve", prev.Times.Resolve, Stat{known(130), known(130), 2, 2}},
		{"current sev1 resolve", cur.Severities[0].Times.Resolve, Stat{known(70), known(70), 1, 1}},
		{"current sev2 resolve", cur.Severities[1].Times.Resolve, Stat{known(60), known(60), 1, 1}},
		{"current sev2 detect", cur.Severities[1].Times.Detect, Stat{unknown, unknown, 0, 1}},
		{"current sev3 resolve", cur.Severities[2].Times.Resolve, Stat{unknown, unknown, 0, 1}},
		{"current sev4 resolve", cur.Severities[3].Times.Resolve, Stat{unknown, unknown, 0, 0}},
		{"previous sev2 resolve", prev.Severities[1].Times.Resolve, Stat{known(200), known(200), 1, 1}},
	}
	for _, st := range stats {
		if st.got != st.want {
			t.Errorf("%s = %+v, want %+v", st.name, st.got, st.want)
		}
	}
	for i, want := range []int{1, 1, 1, 0} {
		if got := cur.Severities[i].Count; got != want {
			t.Errorf("current %s count %d, want %d", cur.Severities[i].Severity.ID, got, want)
		}
	}

	// Components: api's two incidents overlap (09:30–10:10), so its minutes
	// count once, the worse status winning: major 09:10–09:40, partial
	// 09:40–10:30. The status page leaves out the internal api-slow.
	comps := []struct {
		agg              *Aggregate
		id               string
		incidents        int
		down, statusDown time.Duration
		total            time.Duration
		cost             float64
	}{
		{cur, "api", 2, mins(30 + 50*0.3), mins(30 + 30*0.3), curTotal, 45.0 / 60 * 6000},
		{cur, "web", 0, mins(30 + 110*0.3), mins(30 + 110*0.3), curTotal, 63.0 / 60 * 1200},
		{cur, "db", 1, mins(210), mins(210), curTotal, 0},
		{prev, "api", 0, 0, 0, prevTotal, 0},
		{prev, "web", 2, mins(40), mins(40), prevTotal, 40.0 / 60 * 1200},
		{prev, "db", 0, 0, 0, prevTotal, 0},
	}
	for _, c := range comps {
		var cm ComponentMetrics
		for _, x := range c.agg.Components {
			if x.Component.ID == c.id {
				cm = x
			}
		}
		what := c.id
		if c.agg == prev {
			what = "previous " + what
		}
		if cm.Incidents != c.incidents {
			t.Errorf("%s: %d incidents, want %d", what, cm.Incidents, c.incidents)
		}
		sameDuration(t, what+" downtime", cm.Downtime, c.down)
		sameFloat(t, what+" uptime", cm.Uptime, uptimeOf(c.down, c.total))
		sameFloat(t, what+" status page uptime", cm.StatusPageUptime, uptimeOf(c.statusDown, c.total))
		sameFloat(t, what+" cost", cm.Cost, c.cost)
	}
	sameFloat(t, "current cost", cur.Cost, 4500+1260)
	sameFloat(t, "previous cost", prev.Cost, 800)

	// Repeats: api-slow started 30 minutes after api-outage, on api with
	// tag database; web-boundary 9 days 10 hours after web-old (web, cdn).
	if len(cur.Repeats) != 1 || cur.Repeats[0].Incident.Slug != "api-slow" || cur.Repeats[0].Earlier.Slug != "api-outage" ||
		cur.Repeats[0].Component.ID != "api" || cur.Repeats[0].Tag != "database" || cur.Repeats[0].After != 30*time.Minute {
		t.Errorf("current repeats %+v", cur.Repeats)
	}
	if len(prev.Repeats) != 1 || prev.Repeats[0].Earlier.Slug != "web-old" || prev.Repeats[0].After != 9*24*time.Hour+10*time.Hour {
		t.Errorf("previous repeats %+v", prev.Repeats)
	}

	// Reviews: api-outage (sev1) has one; api-slow (sev2) has none.
	if rv := cur.Reviews; rv.Needed != 2 || rv.Reviewed != 1 || rv.Published != 1 || len(rv.Missing) != 1 || rv.Missing[0].Slug != "api-slow" {
		t.Errorf("current reviews %+v", rv)
	}
	if rv := prev.Reviews; rv.Needed != 1 || rv.Reviewed != 0 {
		t.Errorf("previous reviews %+v", rv)
	}
	// Action items: due 2026-03-20 (a bare date) is overdue; due
	// 2026-03-31 is not yet (the day is not over); due 09:00 UTC today is.
	ac := cur.Actions
	if ac.Open != 3 || ac.Done != 1 || ac.Overdue != 2 || len(ac.OverdueItems) != 2 ||
		ac.OverdueItems[0].Item.Title != "Add disk to every replica" || ac.OverdueItems[1].Item.Title != "Rehearse a replica failover" {
		t.Errorf("action items %+v", ac)
	}

	// Months, for the charts: January to March in Berlin. web-boundary
	// started on March 1 at 23:00 in Berlin.
	if len(r.Months) != 3 {
		t.Fatalf("%d months, want 3", len(r.Months))
	}
	for i, want := range []struct {
		key     string
		count   int
		bySev   [4]int
		resolve Stat
	}{
		{"2026-01", 0, [4]int{}, Stat{}},
		{"2026-02", 1, [4]int{0, 0, 1, 0}, Stat{known(60), known(60), 1, 1}},
		{"2026-03", 4, [4]int{1, 2, 1, 0}, Stat{known(110), known(70), 3, 4}},
	} {
		mo := r.Months[i]
		if mo.Key != want.key || mo.Count != want.count || [4]int(mo.BySeverity) != want.bySev || mo.Resolve != want.resolve {
			t.Errorf("month %d = %+v, want %+v", i, mo, want)
		}
	}

	wantHeadlines := []string{
		"3 incidents in the last 30 days, up from 2 in the previous 30 days; 2 major or critical (SEV1 and SEV2).",
		"MTTR 1 h 5 min, down 50% on the previous 30 days; estimated downtime cost $5.8k ($800 in the previous 30 days).",
		"Incidents were detected 5 min after impact began on average (MTTD) and acknowledged 10 min after detection (MTTA); detection time is unknown for 2 of 3.",
		"Lowest uptime: Database at 99.50%; 0 of 3 components had no downtime.",
		"1 of 2 major or critical incidents have a post-incident review; 3 action items open, 1 done, 2 overdue.",
		"1 repeat incident: the same component and tag within 30 days.",
		"Includes 1 internal incident not shown on the status page.",
	}
	if strings.Join(r.Headlines, "\n") != strings.Join(wantHeadlines, "\n") {
		t.Errorf("headlines:\n%s\nwant:\n%s", strings.Join(r.Headlines, "\n"), strings.Join(wantHeadlines, "\n"))
	}
}

// TestReportUptimeMatchesStatusPage: over the status page's window, the
// report's status-page uptime is the uptime bar's figure, exactly.
func TestReportUptimeMatchesStatusPage(t *testing.T) {
	for _, src := range []struct {
		name string
		s    *Site
	}{{"sample", loadFS(t, sample(), sampleNow)}, {"metrics", loadMetrics(t)}} {
		t.Run(src.name, func(t *testing.T) {
			s := src.s
			rd, err := newRenderer(s, themes.Default)
			if err != nil {
				t.Fatal(err)
			}
			r := NewReport(s, LastDays(s.Config.HistoryDays, s.Now, s.Config.Location))
			for _, cm := range r.Current.Components {
				if bar := rd.uptime[cm.Component.ID].Percent; cm.StatusPageUptime != bar {
					t.Errorf("%s: report says %v, the status page %v", cm.Component.ID, cm.StatusPageUptime, bar)
				}
				if formatPercent(cm.StatusPageUptime) != rd.component(cm.Component).Percent {
					t.Errorf("%s: report prints %s, the status page %s", cm.Component.ID, formatPercent(cm.StatusPageUptime), rd.component(cm.Component).Percent)
				}
			}
		})
	}
}

// reportFiles renders the reports that TestGolden compares: the sample's
// default report (the last 90 days) and the fixture's in Markdown.
func reportFiles(tb testing.TB) map[string][]byte {
	tb.Helper()
	out := map[string][]byte{}
	render := func(s *Site, prefix string, kinds ...string) {
		tm, err := LoadTemplates(themes.Default, s.Config)
		if err != nil {
			tb.Fatal(err)
		}
		r := NewReport(s, LastDays(s.Config.HistoryDays, s.Now, s.Config.Location))
		for _, k := range kinds {
			var b []byte
			switch k {
			case "html":
				b, err = tm.ReportHTML(r)
			case "md":
				b, err = tm.ReportMarkdown(r)
			case "json":
				b, err = r.JSON()
			}
			if err != nil {
				tb.Fatal(err)
			}
			out[prefix+"report."+k] = b
		}
	}
	render(loadFS(tb, sample(), sampleNow), "", "html", "md", "json")
	render(loadMetrics(tb), "metrics/", "md")
	return out
}

func TestPeriods(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 31, 10, 0, 0, 0, time.UTC) // 12:00 in Berlin
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	at := func(s string) time.Time {
		d, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}

	// Whole days in Berlin; the last day, still under way, is cut at now.
	p, err := DateRange(day("2026-03-01"), day("2026-03-31"), now, berlin)
	if err != nil {
		t.Fatal(err)
	}
	if !p.From.Equal(at("2026-03-01T00:00:00+01:00")) || !p.To.Equal(now) || p.Days != 31 || p.Recent {
		t.Errorf("DateRange = %+v", p)
	}
	if got := p.Name(berlin); got != "Mar 1 – Mar 31, 2026" {
		t.Errorf("Name = %q", got)
	}
	prev := p.Previous(berlin)
	if !prev.From.Equal(at("2026-01-29T00:00:00+01:00")) || !prev.To.Equal(p.From) || prev.Days != 31 {
		t.Errorf("Previous = %+v", prev)
	}
	if got := prev.Dates(berlin); got != "Jan 29 – Feb 28, 2026" {
		t.Errorf("previous Dates = %q", got)
	}
	// A past range keeps its last whole day, which ends at midnight.
	p, err = DateRange(day("2025-12-01"), day("2026-01-31"), now, berlin)
	if err != nil {
		t.Fatal(err)
	}
	if !p.To.Equal(at("2026-02-01T00:00:00+01:00")) || p.Days != 62 || p.Dates(berlin) != "Dec 1, 2025 – Jan 31, 2026" {
		t.Errorf("DateRange over a new year = %+v, %q", p, p.Dates(berlin))
	}
	if p.Key(berlin) != "2025-12-01.P62D" {
		t.Errorf("Key = %q", p.Key(berlin))
	}
	for _, bad := range [][2]string{{"2026-03-10", "2026-03-09"}, {"2026-04-01", "2026-04-30"}} {
		if _, err := DateRange(day(bad[0]), day(bad[1]), now, berlin); err == nil {
			t.Errorf("DateRange(%s, %s) gave no error", bad[0], bad[1])
		}
	}
	if got := LastDays(7, now, berlin).Name(berlin); got != "the last 7 days" {
		t.Errorf("LastDays Name = %q", got)
	}

	// The periodic digest's periods: the last whole week (Monday to
	// Sunday) and month before now. March 31, 2026 is a Tuesday.
	w, ok := CompletedPeriod("weekly", now, berlin)
	if !ok || !w.From.Equal(at("2026-03-23T00:00:00+01:00")) || !w.To.Equal(at("2026-03-30T00:00:00+02:00")) || w.Days != 7 {
		t.Errorf("weekly = %+v, %v", w, ok)
	}
	m, ok := CompletedPeriod("monthly", now, berlin)
	if !ok || !m.From.Equal(at("2026-02-01T00:00:00+01:00")) || !m.To.Equal(at("2026-03-01T00:00:00+01:00")) || m.Days != 28 {
		t.Errorf("monthly = %+v, %v", m, ok)
	}
	if _, ok := CompletedPeriod("hourly", now, berlin); ok {
		t.Error("CompletedPeriod accepted hourly")
	}
}

func TestCostPerHourConfig(t *testing.T) {
	for _, tt := range []struct {
		value   string
		want    float64
		hasCost bool
		problem string
	}{
		{"", 0, false, ""},
		{"cost_per_hour = 12000", 12000, true, ""},
		{"cost_per_hour = 99.5", 99.5, true, ""},
		{"cost_per_hour = 0", 0, true, ""},
		{"cost_per_hour = -1", 0, false, `config.toml:6: cost_per_hour -1 for component "api" is not a cost (expected a number of at least 0, e.g. cost_per_hour = 12000)`},
		{"cost_per_hour = nan", 0, false, "is not a cost"},
		{`cost_per_hour = "12k"`, 0, false, "config.toml:6: components.cost_per_hour is a string (expected a number)"},
		{"cost_per_our = 1", 0, false, `unknown key "cost_per_our" (did you mean "cost_per_hour"?)`},
	} {
		t.Run(tt.value, func(t *testing.T) {
			src := "title = \"T\"\nbase_url = \"https://t.example/\"\n\n[[components]]\nid = \"api\"\n" + tt.value + "\n"
			cfg, err := LoadConfig(srcTree(map[string]string{"config.toml": src}))
			if tt.problem != "" {
				if err == nil || !strings.Contains(err.Error(), tt.problem) {
					t.Fatalf("err = %v, want %q", err, tt.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c := cfg.Components[0]; c.CostPerHour != tt.want || c.HasCost != tt.hasCost {
				t.Errorf("cost %v (set %v), want %v (%v)", c.CostPerHour, c.HasCost, tt.want, tt.hasCost)
			}
		})
	}
}

// TestReviewsIndex: the index lists published reviews of public incidents
// only: no draft, no internal incident's review, no review body.
func TestReviewsIndex(t *testing.T) {
	review := func(published bool, cause string) string {
		return fmt.Sprintf("---\npublished: %v\nroot_cause: %q\naction_items:\n  - {title: Fix the thing, status: open, due: 2026-12-15}\n  - {title: Alert on the thing, status: done}\n---\nThe review body stays on the incident page.\n", published, cause)
	}
	fsys := srcTree(map[string]string{
		inc + "a/incident.md":    okIncident,
		inc + "a/1.md":           okUpdate,
		inc + "a/review.md":      review(true, "A full disk stopped the API"),
		inc + "b/incident.md":    okIncident,
		inc + "b/review.md":      review(false, "Draft cause not yet agreed"),
		inc + "c/incident.md":    strings.Replace(okIncident, "---\nSome", "public: false\n---\nSome", 1),
		inc + "c/review.md":      review(true, "Internal cause of an internal incident"),
		inc + "none/incident.md": okIncident,
	})
	_, pub, _ := build(t, fsys, testNow)
	page := string(pub.files["reviews/index.html"])
	if !strings.Contains(page, "A full disk stopped the API") || !strings.Contains(page, `href="../incidents/a/"`) {
		t.Errorf("the published review is missing:\n%s", page)
	}
	for _, leak := range []string{"Draft cause", "Internal cause", "review body stays", "incidents/none/"} {
		if strings.Contains(page, leak) {
			t.Errorf("the reviews index shows %q", leak)
		}
	}
	if !strings.Contains(page, `<time datetime="2026-12-15">Dec 15, 2026</time>`) || !strings.Contains(page, "1 done, 1 open") {
		t.Errorf("action items are missing or misdated:\n%s", page)
	}
	checkSafeHTML(t, "reviews/index.html", pub.files["reviews/index.html"])
	if !strings.Contains(string(pub.files["history/index.html"]), `href="../reviews/"`) {
		t.Error("the history page does not link the reviews index")
	}
}

// TestReportHTML: the report is one page with no script and no external
// resource, and each chart is an image with a title and a description.
func TestReportHTML(t *testing.T) {
	files := reportFiles(t)
	html := files["report.html"]
	// An empty icon keeps browsers from asking a server for /favicon.ico;
	// beside it, the report passes the public pages' safety check.
	const icon = `<link rel="icon" href="data:,">`
	if !bytes.Contains(html, []byte(icon)) {
		t.Errorf("report.html lacks %s", icon)
	}
	checkSafeHTML(t, "report.html", bytes.Replace(html, []byte(icon), nil, 1))
	z := xhtml.NewTokenizer(bytes.NewReader(html))
	svgs := 0
	for tt := z.Next(); tt != xhtml.ErrorToken; tt = z.Next() {
		tok := z.Token()
		if tt != xhtml.StartTagToken && tt != xhtml.SelfClosingTagToken {
			continue
		}
		for _, a := range tok.Attr {
			if (a.Key == "src" || (a.Key == "href" && tok.Data == "link")) && !strings.HasPrefix(a.Val, "data:") {
				t.Errorf("<%s %s=%q> loads a resource: the report must stand alone", tok.Data, a.Key, a.Val)
			}
		}
		if tok.Data == "svg" {
			svgs++
			role, labelled := "", ""
			for _, a := range tok.Attr {
				switch a.Key {
				case "role":
					role = a.Val
				case "aria-labelledby":
					labelled = a.Val
				}
			}
			if role != "img" || len(strings.Fields(labelled)) != 2 {
				t.Errorf("<svg> has role %q and aria-labelledby %q; want img, labelled by its title and desc", role, labelled)
			}
		}
	}
	if svgs != 3 {
		t.Errorf("%d charts, want 3", svgs)
	}
	for _, want := range []string{"<title id=\"chart-severity-t\">Incidents per month by severity</title>", "<desc id=\"chart-mttr-d\">", "<title id=\"chart-uptime-t\">", "@page{size:A4"} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("report.html lacks %q", want)
		}
	}
	// Unknown stays unknown: the fixture's missing timestamps never print
	// as a zero duration.
	md := string(files["metrics/report.md"])
	if !strings.Contains(md, "| Mar 31, 2026 | Database unreachable | SEV3 | unknown | unknown | unknown | unknown |") {
		t.Errorf("the unresolved incident with no detected time is not shown as unknown:\n%s", md)
	}
}
