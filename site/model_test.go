package site

import (
	"strings"
	"testing"
	"time"
)

// Tests of DESIGN.md's "Rules that follow from the format": component
// status, the overall indicator, maintenance state, visibility, audience
// blocks and uptime. Trees come from load_test.go's helpers; testNow is
// 2026-11-28T12:00:00Z.

// incidentMD returns an incident.md on component api with the given
// severity and start, plus any more front-matter lines.
func incidentMD(sev, started string, more ...string) string {
	return "---\ntitle: Trouble\nseverity: " + sev + "\ncomponents: [api]\nstarted: " + started + "\n" +
		strings.Join(append(more, ""), "\n") + "---\n"
}

// maintenanceMD returns a maintenance.md on component api.
func maintenanceMD(start, end string) string {
	return "---\ntitle: Upgrade\ncomponents: [api]\nscheduled_start: " + start + "\nscheduled_end: " + end + "\n---\n"
}

func TestDefaultComponentStatus(t *testing.T) {
	for _, tc := range []struct {
		sev    string
		config string // appended to testConfig
		want   Status
	}{
		{sev: "sev1", want: MajorOutage},
		{sev: "sev2", want: PartialOutage},
		{sev: "sev3", want: DegradedPerformance},
		{sev: "sev4", want: DegradedPerformance},
		{sev: "sev4", config: "\n[severities.sev4]\ndefault_component_status = \"partial_outage\"\n", want: PartialOutage},
		{sev: "sev5", config: "\n[severities.sev5]\nname = \"SEV5\"\n", want: DegradedPerformance},
	} {
		t.Run(tc.sev+tc.config, func(t *testing.T) {
			s := mustLoad(t, map[string]string{
				"config.toml":         testConfig + tc.config,
				inc + "a/incident.md": incidentMD(tc.sev, "2026-11-28T10:00:00Z"),
				inc + "a/u1.md":       updateMD("2026-11-28T10:05:00Z", "investigating"),
			})
			in := s.Incidents[0]
			if got := in.ComponentStatus("api"); got != tc.want {
				t.Errorf("api = %s, want %s", got, tc.want)
			}
			if got := s.PublicView().ComponentStatus("api", testNow); got != tc.want {
				t.Errorf("site's api = %s, want %s", got, tc.want)
			}
			if got := in.ComponentStatus("web"); got != Operational {
				t.Errorf("unaffected web = %s", got)
			}
		})
	}

	// Before the first update the components keep their status.
	s := mustLoad(t, map[string]string{inc + "a/incident.md": incidentMD("sev1", "2026-11-28T10:00:00Z")})
	if got := s.PublicView().ComponentStatus("api", testNow); got != Operational {
		t.Errorf("api before any update = %s, want operational", got)
	}
}

func TestComponentStatusWorst(t *testing.T) {
	active := func(sev string, more ...string) string {
		return updateMD("2026-11-28T10:05:00Z", "identified", more...)
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		all   bool // the full view rather than the public one
		want  Status
	}{
		{name: "nothing", want: Operational},
		{
			name: "one active incident",
			files: map[string]string{
				inc + "a/incident.md": incidentMD("sev3", "2026-11-28T10:00:00Z"),
				inc + "a/u1.md":       active("sev3"),
			},
			want: DegradedPerformance,
		},
		{
			name: "worst of two incidents",
			files: map[string]string{
				inc + "a/incident.md": incidentMD("sev3", "2026-11-28T10:00:00Z"),
				inc + "a/u1.md":       active("sev3"),
				inc + "b/incident.md": incidentMD("sev2", "2026-11-28T10:00:00Z"),
				inc + "b/u1.md":       active("sev2"),
			},
			want: PartialOutage,
		},
		{
			name: "an outage is worse than maintenance",
			files: map[string]string{
				inc + "a/incident.md":    incidentMD("sev3", "2026-11-28T10:00:00Z"),
				inc + "a/u1.md":          active("sev3"),
				mnt + "m/maintenance.md": maintenanceMD("2026-11-28T11:00:00Z", "2026-11-28T13:00:00Z"),
			},
			want: DegradedPerformance,
		},
		{
			name: "maintenance is worse than operational",
			files: map[string]string{
				inc + "a/incident.md":    incidentMD("sev1", "2026-11-28T10:00:00Z"),
				inc + "a/u1.md":          active("sev1", "impact: {api: operational, web: major_outage}"),
				mnt + "m/maintenance.md": maintenanceMD("2026-11-28T11:00:00Z", "2026-11-28T13:00:00Z"),
			},
			want: UnderMaintenance,
		},
		{
			name: "maintenance verifying",
			files: map[string]string{
				mnt + "m/maintenance.md": maintenanceMD("2026-11-28T11:00:00Z", "2026-11-28T11:30:00Z"),
				mnt + "m/u1.md":          updateMD("2026-11-28T11:00:00Z", "in_progress"),
				mnt + "m/u2.md":          updateMD("2026-11-28T11:40:00Z", "verifying"),
			},
			want: UnderMaintenance,
		},
		{
			name: "maintenance completed early",
			files: map[string]string{
				mnt + "m/maintenance.md": maintenanceMD("2026-11-28T11:00:00Z", "2026-11-28T13:00:00Z"),
				mnt + "m/u1.md":          updateMD("2026-11-28T11:00:00Z", "in_progress"),
				mnt + "m/u2.md":          updateMD("2026-11-28T11:40:00Z", "completed"),
			},
			want: Operational,
		},
		{
			name: "maintenance still to come",
			files: map[string]string{
				mnt + "m/maintenance.md": maintenanceMD("2026-11-29T11:00:00Z", "2026-11-29T13:00:00Z"),
			},
			want: Operational,
		},
		{
			name: "resolved incident",
			files: map[string]string{
				inc + "a/incident.md": incidentMD("sev1", "2026-11-28T10:00:00Z"),
				inc + "a/u1.md":       active("sev1"),
				inc + "a/u2.md":       updateMD("2026-11-28T11:00:00Z", "resolved"),
			},
			want: Operational,
		},
		{
			name: "incident that starts after now",
			files: map[string]string{
				inc + "a/incident.md": incidentMD("sev1", "2026-11-28T13:00:00Z"),
				inc + "a/u1.md":       updateMD("2026-11-28T13:05:00Z", "investigating"),
			},
			want: Operational,
		},
		{
			name: "internal incident, public view",
			files: map[string]string{
				inc + "a/incident.md": incidentMD("sev1", "2026-11-28T10:00:00Z", "public: false"),
				inc + "a/u1.md":       active("sev1"),
			},
			want: Operational,
		},
		{
			name: "internal incident, full view",
			files: map[string]string{
				inc + "a/incident.md": incidentMD("sev1", "2026-11-28T10:00:00Z", "public: false"),
				inc + "a/u1.md":       active("sev1"),
			},
			all:  true,
			want: MajorOutage,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := mustLoad(t, tc.files)
			v := s.PublicView()
			if tc.all {
				v = Visible{Incidents: s.Incidents, Maintenances: s.Maintenances}
			}
			if got := v.ComponentStatus("api", testNow); got != tc.want {
				t.Errorf("api = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestIndicator(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		all   bool
		want  Impact
		desc  string
	}{
		{name: "nothing", want: ImpactNone, desc: "All Systems Operational"},
		{
			name: "active sev3",
			files: map[string]string{
				inc + "a/incident.md": incidentMD("sev3", "2026-11-28T10:00:00Z"),
				inc + "a/u1.md":       updateMD("2026-11-28T10:05:00Z", "investigating"),
			},
			want: ImpactMinor, desc: "Minor Service Outage",
		},
		{
			name: "highest of sev2 and sev3",
			files: map[string]string{
				inc + "a/incident.md": incidentMD("sev3", "2026-11-28T10:00:00Z"),
				inc + "b/incident.md": incidentMD("sev2", "2026-11-28T10:00:00Z"),
			},
			want: ImpactMajor, desc: "Partial System Outage",
		},
		{
			name: "sev1 before any update",
			files: map[string]string{
				inc + "a/incident.md": incidentMD("sev1", "2026-11-28T10:00:00Z"),
			},
			want: ImpactCritical, desc: "Major System Outage",
		},
		{
			name: "resolved incidents do not count",
			files: map[string]string{
				inc + "a/incident.md": incidentMD("sev1", "2026-11-28T10:00:00Z"),
				inc + "a/u1.md":       updateMD("2026-11-28T11:00:00Z", "resolved"),
				inc + "b/incident.md": incidentMD("sev3", "2026-11-28T10:00:00Z"),
			},
			want: ImpactMinor, desc: "Minor Service Outage",
		},
		{
			name: "the current severity, not the worst it was",
			files: map[string]string{
				inc + "a/incident.md": incidentMD("sev3", "2026-11-28T10:00:00Z"),
				inc + "a/u1.md":       updateMD("2026-11-28T10:05:00Z", "investigating", "severity: sev1"),
				inc + "a/u2.md":       updateMD("2026-11-28T10:35:00Z", "identified", "severity: sev2"),
			},
			want: ImpactMajor, desc: "Partial System Outage",
		},
		{
			name: "maintenance alone",
			files: map[string]string{
				mnt + "m/maintenance.md": maintenanceMD("2026-11-28T11:00:00Z", "2026-11-28T13:00:00Z"),
			},
			want: ImpactNone, desc: "Service Under Maintenance",
		},
		{
			name: "maintenance and an incident",
			files: map[string]string{
				mnt + "m/maintenance.md": maintenanceMD("2026-11-28T11:00:00Z", "2026-11-28T13:00:00Z"),
				inc + "a/incident.md":    incidentMD("sev3", "2026-11-28T10:00:00Z"),
			},
			want: ImpactMinor, desc: "Minor Service Outage",
		},
		{
			name: "maintenance over",
			files: map[string]string{
				mnt + "m/maintenance.md": maintenanceMD("2026-11-28T09:00:00Z", "2026-11-28T11:00:00Z"),
			},
			want: ImpactNone, desc: "All Systems Operational",
		},
		{
			name: "impact none: components decide (degraded)",
			files: map[string]string{
				inc + "a/incident.md": incidentMD("sev4", "2026-11-28T10:00:00Z"),
				inc + "a/u1.md":       updateMD("2026-11-28T10:05:00Z", "investigating"),
			},
			want: ImpactMinor, desc: "Minor Service Outage",
		},
		{
			name: "impact none: components decide (major outage)",
			files: map[string]string{
				inc + "a/incident.md": incidentMD("sev4", "2026-11-28T10:00:00Z"),
				inc + "a/u1.md":       updateMD("2026-11-28T10:05:00Z", "investigating", "impact: {db: major_outage}"),
			},
			want: ImpactMajor, desc: "Partial System Outage",
		},
		{
			name: "impact none before any update",
			files: map[string]string{
				inc + "a/incident.md": incidentMD("sev4", "2026-11-28T10:00:00Z"),
			},
			want: ImpactNone, desc: "All Systems Operational",
		},
		{
			name: "internal incident, public view",
			files: map[string]string{
				inc + "a/incident.md": incidentMD("sev1", "2026-11-28T10:00:00Z", "public: false"),
			},
			want: ImpactNone, desc: "All Systems Operational",
		},
		{
			name: "internal incident, full view",
			files: map[string]string{
				inc + "a/incident.md": incidentMD("sev1", "2026-11-28T10:00:00Z", "public: false"),
			},
			all:  true,
			want: ImpactCritical, desc: "Major System Outage",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := mustLoad(t, tc.files)
			v := s.PublicView()
			if tc.all {
				v = Visible{Incidents: s.Incidents, Maintenances: s.Maintenances}
			}
			got := v.Indicator(s.Config, testNow)
			if got.Impact != tc.want || got.Description != tc.desc {
				t.Errorf("indicator = %+v, want {%s %s}", got, tc.want, tc.desc)
			}
		})
	}
}

func TestMaintenanceState(t *testing.T) {
	start := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	end := start.Add(2 * time.Hour)
	upd := func(min int, status string) *Update {
		return &Update{At: start.Add(time.Duration(min) * time.Minute), Status: status}
	}
	for _, tc := range []struct {
		name       string
		updates    []*Update
		now        time.Time
		want       string
		inProgress bool
		changed    time.Time // zero: not known yet
	}{
		{name: "before the window", now: start.Add(-time.Minute), want: "scheduled"},
		{name: "at the start", now: start, want: "in_progress", inProgress: true, changed: start},
		{name: "inside the window", now: start.Add(time.Hour), want: "in_progress", inProgress: true, changed: start},
		{name: "at the end", now: end, want: "completed", changed: end},
		{name: "after the window", now: end.Add(time.Hour), want: "completed", changed: end},
		{name: "started late: the update wins", updates: []*Update{upd(-60, "scheduled")}, now: start.Add(time.Hour), want: "scheduled", changed: start.Add(-time.Hour)},
		{name: "verifying", updates: []*Update{upd(0, "in_progress"), upd(90, "verifying")}, now: end.Add(time.Hour), want: "verifying", inProgress: true, changed: start.Add(90 * time.Minute)},
		{name: "completed early", updates: []*Update{upd(0, "in_progress"), upd(30, "completed")}, now: start.Add(time.Hour), want: "completed", changed: start.Add(30 * time.Minute)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &Maintenance{Start: start, End: end, Updates: tc.updates}
			if got := m.State(tc.now); got != tc.want {
				t.Errorf("State = %q, want %q", got, tc.want)
			}
			if got := m.InProgress(tc.now); got != tc.inProgress {
				t.Errorf("InProgress = %v, want %v", got, tc.inProgress)
			}
			if got := m.Upcoming(tc.now); got != (tc.want == "scheduled") {
				t.Errorf("Upcoming = %v", got)
			}
			if got := m.Changed(tc.now); !got.Equal(tc.changed) {
				t.Errorf("Changed = %v, want %v", got, tc.changed)
			}
		})
	}
}

func TestPublicView(t *testing.T) {
	s := mustLoad(t, map[string]string{
		inc + "open/incident.md":     incidentMD("sev2", "2026-11-28T10:00:00Z"),
		inc + "internal/incident.md": incidentMD("sev1", "2026-11-28T09:00:00Z", "public: false"),
		inc + "narrow/incident.md":   incidentMD("sev3", "2026-11-28T08:00:00Z", "audiences: [it-team]"),
		mnt + "m/maintenance.md":     maintenanceMD("2026-11-29T10:00:00Z", "2026-11-29T11:00:00Z"),
	})
	v := s.PublicView()
	var got []string
	for _, in := range v.Incidents {
		got = append(got, in.Slug)
	}
	// audiences narrows who is notified; only public: false hides.
	if strings.Join(got, " ") != "open narrow" || len(v.Maintenances) != 1 {
		t.Errorf("public view = %v, %d maintenances", got, len(v.Maintenances))
	}
	for _, in := range s.Incidents {
		if in.Slug == "internal" && in.Public {
			t.Errorf("public: false did not load as Public = false")
		}
	}
}

func TestSegmentReaches(t *testing.T) {
	auds := map[string]*Audience{
		"executives": {ID: "executives", Digest: "business"},
		"it-team":    {ID: "it-team", Digest: "technical"},
		"end-users":  {ID: "end-users", Digest: "service"},
		"customers":  {ID: "customers", Digest: "public"},
	}
	for _, tc := range []struct {
		name    string
		seg     Segment
		public  bool
		reaches string // audiences it reaches, in the order above
	}{
		{name: "public text", seg: Segment{}, public: true, reaches: "executives it-team end-users customers"},
		{name: "internal", seg: Segment{Internal: true}, reaches: "executives it-team end-users"},
		{name: "for one", seg: Segment{Audiences: []string{"it-team"}}, reaches: "it-team"},
		{name: "for two", seg: Segment{Audiences: []string{"executives", "end-users"}}, reaches: "executives end-users"},
		// A block naming a public-digest audience reaches its notices,
		// never the public site.
		{name: "for a public-digest audience", seg: Segment{Audiences: []string{"customers"}}, reaches: "customers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.seg.Public(); got != tc.public {
				t.Errorf("Public = %v, want %v", got, tc.public)
			}
			var got []string
			for _, id := range []string{"executives", "it-team", "end-users", "customers"} {
				if tc.seg.Reaches(auds[id]) {
					got = append(got, id)
				}
			}
			if strings.Join(got, " ") != tc.reaches {
				t.Errorf("reaches %v, want %s", got, tc.reaches)
			}
		})
	}

	// The same rules through a loaded body.
	s := mustLoad(t, map[string]string{
		inc + "a/incident.md": incidentMD("sev2", "2026-11-28T10:00:00Z") +
			"Public.\n::: for customers\nCall us.\n:::\n::: internal\nRunbook DB-7.\n:::\n",
	})
	b := s.Incidents[0].Summary
	if got := b.PublicMarkdown(); got != "Public." {
		t.Errorf("public = %q", got)
	}
	for id, want := range map[string]string{
		"customers":  "Public.\nCall us.",
		"it-team":    "Public.\nRunbook DB-7.",
		"executives": "Public.\nRunbook DB-7.",
	} {
		if got := b.MarkdownFor(s.Config.Audience(id)); strings.Join(strings.Fields(got), " ") != strings.Join(strings.Fields(want), " ") {
			t.Errorf("for %s = %q, want %q", id, got, want)
		}
	}
}

func TestFlatten(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 11, 27, h, m, 0, 0, time.UTC) }
	span := func(h1, m1, h2, m2 int, s Status) Span { return Span{From: at(h1, m1), To: at(h2, m2), Status: s} }
	for _, tc := range []struct {
		name string
		in   []Span
		want []Span
	}{
		{name: "none"},
		{
			name: "overlap of one status counts once",
			in:   []Span{span(10, 0, 12, 0, PartialOutage), span(11, 0, 13, 0, PartialOutage)},
			want: []Span{span(10, 0, 13, 0, PartialOutage)},
		},
		{
			name: "the worst status wins where they overlap",
			in:   []Span{span(9, 0, 12, 0, PartialOutage), span(10, 0, 11, 0, MajorOutage)},
			want: []Span{span(9, 0, 10, 0, PartialOutage), span(10, 0, 11, 0, MajorOutage), span(11, 0, 12, 0, PartialOutage)},
		},
		{
			name: "adjacent spans of one status merge",
			in:   []Span{span(11, 0, 12, 0, DegradedPerformance), span(10, 0, 11, 0, DegradedPerformance)},
			want: []Span{span(10, 0, 12, 0, DegradedPerformance)},
		},
		{
			name: "empty and reversed spans are dropped; gaps stay",
			in:   []Span{span(10, 0, 10, 0, MajorOutage), span(12, 0, 11, 0, MajorOutage), span(8, 0, 9, 0, UnderMaintenance), span(9, 30, 10, 0, MajorOutage)},
			want: []Span{span(8, 0, 9, 0, UnderMaintenance), span(9, 30, 10, 0, MajorOutage)},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := flatten(tc.in)
			if len(got) != len(tc.want) {
				t.Fatalf("flatten = %v, want %v", got, tc.want)
			}
			for i := range got {
				if !got[i].From.Equal(tc.want[i].From) || !got[i].To.Equal(tc.want[i].To) || got[i].Status != tc.want[i].Status {
					t.Errorf("span %d = %v, want %v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestComponentUptime(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	utc := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, time.UTC) }
	type dayWant struct {
		day      int // index
		worst    Status
		downtime time.Duration
	}
	for _, tc := range []struct {
		name    string
		spans   []Span
		days    int
		now     time.Time
		loc     *time.Location
		want    []dayWant // other days are operational
		percent float64
	}{
		{
			name: "nothing",
			days: 3, now: utc(28, 12, 0), loc: time.UTC,
			percent: 100,
		},
		{
			name:  "a partial outage counts 30%",
			spans: []Span{{From: utc(26, 10, 0), To: utc(26, 11, 0), Status: PartialOutage}},
			days:  3, now: utc(28, 12, 0), loc: time.UTC,
			want:    []dayWant{{0, PartialOutage, 18 * time.Minute}},
			percent: 100 * (1 - 18.0/3600), // 60 elapsed hours
		},
		{
			name: "overlapping incidents are not counted twice",
			spans: []Span{
				{From: utc(27, 10, 0), To: utc(27, 11, 0), Status: MajorOutage},
				{From: utc(27, 10, 30), To: utc(27, 11, 30), Status: MajorOutage},
			},
			days: 3, now: utc(28, 12, 0), loc: time.UTC,
			want:    []dayWant{{1, MajorOutage, 90 * time.Minute}},
			percent: 100 * (1 - 90.0/3600),
		},
		{
			name: "major over partial",
			spans: []Span{
				{From: utc(27, 10, 0), To: utc(27, 12, 0), Status: PartialOutage},
				{From: utc(27, 11, 0), To: utc(27, 11, 30), Status: MajorOutage},
			},
			days: 3, now: utc(28, 12, 0), loc: time.UTC,
			// 60 min × 30% + 30 min + 30 min × 30%
			want:    []dayWant{{1, MajorOutage, 57 * time.Minute}},
			percent: 100 * (1 - 57.0/3600),
		},
		{
			name:  "maintenance is not downtime",
			spans: []Span{{From: utc(28, 8, 0), To: utc(28, 10, 0), Status: UnderMaintenance}},
			days:  3, now: utc(28, 12, 0), loc: time.UTC,
			want:    []dayWant{{2, UnderMaintenance, 0}},
			percent: 100,
		},
		{
			name:  "a span across midnight is split between days",
			spans: []Span{{From: utc(26, 23, 0), To: utc(27, 1, 0), Status: MajorOutage}},
			days:  3, now: utc(28, 12, 0), loc: time.UTC,
			want:    []dayWant{{0, MajorOutage, time.Hour}, {1, MajorOutage, time.Hour}},
			percent: 100 * (1 - 120.0/3600),
		},
		{
			name:  "an active outage counts up to now only",
			spans: []Span{{From: utc(28, 11, 0), To: utc(28, 13, 0), Status: MajorOutage}},
			days:  3, now: utc(28, 12, 0), loc: time.UTC,
			want:    []dayWant{{2, MajorOutage, time.Hour}},
			percent: 100 * (1 - 60.0/3600),
		},
		{
			// 03:00–04:00Z on the 28th is 22:00–23:00 on the 27th in New
			// York: day 0 of two (the 27th and the 28th, New York time).
			name:  "days are counted in the display time zone",
			spans: []Span{{From: utc(28, 3, 0), To: utc(28, 4, 0), Status: MajorOutage}},
			days:  2, now: utc(28, 12, 0), loc: ny,
			want:    []dayWant{{0, MajorOutage, time.Hour}},
			percent: 100 * (1 - 60.0/(31*60)), // 24 h + 7 h elapsed
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := ComponentUptime(tc.spans, tc.days, tc.now, tc.loc)
			if len(u.Days) != tc.days {
				t.Fatalf("%d days, want %d", len(u.Days), tc.days)
			}
			y, m, d := tc.now.In(tc.loc).Date()
			for i, day := range u.Days {
				if want := time.Date(y, m, d-tc.days+1+i, 0, 0, 0, 0, tc.loc); !day.Date.Equal(want) {
					t.Errorf("day %d starts %v, want %v", i, day.Date, want)
				}
				w := dayWant{i, Operational, 0}
				for _, dw := range tc.want {
					if dw.day == i {
						w = dw
					}
				}
				if day.Worst != w.worst || day.Downtime != w.downtime || day.Future {
					t.Errorf("day %d = worst %s, downtime %v, future %v; want %s, %v", i, day.Worst, day.Downtime, day.Future, w.worst, w.downtime)
				}
			}
			if diff := u.Percent - tc.percent; diff > 1e-9 || diff < -1e-9 {
				t.Errorf("percent = %v, want %v", u.Percent, tc.percent)
			}
		})
	}

	// At midnight, today has not begun.
	u := ComponentUptime(nil, 2, utc(28, 0, 0), time.UTC)
	if !u.Days[1].Future || u.Days[0].Future || u.Percent != 100 {
		t.Errorf("at midnight: %+v", u)
	}
}

// TestUptimeFromContent runs the whole path: two overlapping incidents on
// one component, their spans, the uptime bar.
func TestUptimeFromContent(t *testing.T) {
	s := mustLoad(t, map[string]string{
		inc + "a/incident.md": incidentMD("sev2", "2026-11-27T10:00:00Z"),
		inc + "a/u1.md":       updateMD("2026-11-27T10:00:00Z", "investigating"),
		inc + "a/u2.md":       updateMD("2026-11-27T12:00:00Z", "resolved"),
		inc + "b/incident.md": incidentMD("sev1", "2026-11-27T11:00:00Z"),
		inc + "b/u1.md":       updateMD("2026-11-27T11:00:00Z", "investigating"),
		inc + "b/u2.md":       updateMD("2026-11-27T11:30:00Z", "resolved"),
		// Still active at now (12:00 on the 28th): counts up to now.
		inc + "c/incident.md":    incidentMD("sev1", "2026-11-28T11:50:00Z"),
		inc + "c/u1.md":          updateMD("2026-11-28T11:50:00Z", "investigating"),
		mnt + "m/maintenance.md": maintenanceMD("2026-11-26T01:00:00Z", "2026-11-26T03:00:00Z"),
	})
	spans := s.PublicView().ComponentSpans("api", testNow)
	u := ComponentUptime(spans, 3, testNow, s.Config.Location)
	want := []struct {
		worst    Status
		downtime time.Duration
	}{
		{UnderMaintenance, 0},
		{MajorOutage, 57 * time.Minute}, // partial 10–11, major 11–11:30, partial 11:30–12
		{MajorOutage, 10 * time.Minute},
	}
	for i, w := range want {
		if d := u.Days[i]; d.Worst != w.worst || d.Downtime != w.downtime {
			t.Errorf("day %d: worst %s, downtime %v; want %s, %v", i, d.Worst, d.Downtime, w.worst, w.downtime)
		}
	}
}
