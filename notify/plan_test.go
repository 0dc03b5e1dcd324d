package notify

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/heraldstatus/herald/site"
	"github.com/heraldstatus/herald/themes"
)

// The cadence tests replay a timeline: content files appear when their
// time comes (as responders commit them), herald notify runs at each of
// the scenario's times, and the notices that reach recipients are written
// down one line each, then compared with what the stakeholder matrix
// promises.

// t0 is the scenario clock's origin; times in scenarios are offsets.
var t0 = time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)

const cadenceConfig = `
title = "Acme Status"
base_url = "https://status.acme.example/"
timezone = "UTC"

[[components]]
id = "api"
name = "API"

[[components]]
id = "web"
name = "Website"

[[components]]
id = "billing"
name = "Billing"

[[audiences]]
id = "executives"
digest = "business"
cadence = "1h"
channels = ["email", "call"]
severities = ["sev1"]

[[audiences]]
id = "it-team"
digest = "technical"
cadence = "15m"
channels = ["slack"]

[[audiences]]
id = "end-users"
digest = "service"
cadence = "30m"
channels = ["email", "sms"]

[[audiences]]
id = "customers"
digest = "public"
cadence = "as-needed"
channels = ["banner", "email"]
`

// cadenceRecipients are the audiences' CSVs. Among end-users, ann follows
// the API, bob billing only, cy everything.
var cadenceRecipients = map[string]string{
	"executives": "name,email,phone\nceo,ceo@acme.example,+15550100001\n",
	"end-users": "name,email,phone,components\n" +
		"ann,ann@example.com,+15550100011,api\n" +
		"bob,bob@example.com,+15550100012,billing\n" +
		"cy,cy@example.com,+15550100013,\n",
	"customers": "name,email\ndee,dee@example.com\n",
}

// A file of a scenario: path under content/, the offset from t0 at which
// it is committed, and its text (with {{t+N}} standing for t0 + N).
type file struct {
	path string
	at   string
	text string
}

func incident(slug, at, frontMatter string) file {
	return file{"incidents/" + slug + "/incident.md", at,
		"---\ntitle: " + slug + "\nstarted: {{" + at + "}}\n" + frontMatter + "---\n\nSomething is wrong.\n"}
}

func update(slug, at, status, frontMatter string) file {
	return file{"incidents/" + slug + "/" + strings.ReplaceAll(at, "+", "p") + ".md", at,
		"---\nat: {{" + at + "}}\nstatus: " + status + "\n" + frontMatter + "---\n\nUpdate at " + at + ": " + status + ".\n"}
}

func maintenanceFile(slug, at, start, end string) file {
	return file{"maintenance/" + slug + "/maintenance.md", at,
		"---\ntitle: " + slug + "\ncomponents: [web]\nscheduled_start: {{" + start + "}}\nscheduled_end: {{" + end + "}}\n---\n\nPlanned work.\n"}
}

func maintenanceUpdate(slug, at, status string) file {
	return file{"maintenance/" + slug + "/" + strings.ReplaceAll(at, "+", "p") + ".md", at,
		"---\nat: {{" + at + "}}\nstatus: " + status + "\n---\n\nMaintenance " + status + ".\n"}
}

// offset parses "+25m", "-30h" or "0" as a duration from t0.
func offset(tb testing.TB, s string) time.Duration {
	tb.Helper()
	if s == "0" {
		return 0
	}
	d, err := time.ParseDuration(strings.TrimPrefix(s, "+"))
	if err != nil {
		tb.Fatalf("bad offset %q: %v", s, err)
	}
	return d
}

func expand(tb testing.TB, text string) string {
	tb.Helper()
	for {
		i := strings.Index(text, "{{")
		if i < 0 {
			return text
		}
		j := strings.Index(text[i:], "}}")
		at := t0.Add(offset(tb, text[i+2:i+j]))
		text = text[:i] + at.Format(time.RFC3339) + text[i+j+2:]
	}
}

// recorder is a Sender that writes down what it was given.
type recorder struct {
	mu   sync.Mutex
	msgs []*Message
}

func (r *recorder) Send(ctx context.Context, m *Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, m)
	return nil
}

// replay runs herald notify at each of the times, over the files committed
// by then, and returns one line per notice sent:
// "+25m end-users outage severity email:ann,cy sms:ann,cy".
func replay(t *testing.T, files []file, runs []string, horizon time.Duration) []string {
	t.Helper()
	ledger, err := NewFolder(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, run := range runs {
		now := t0.Add(offset(t, run))
		fsys := fstest.MapFS{"config.toml": {Data: []byte(cadenceConfig)}}
		for _, f := range files {
			if !t0.Add(offset(t, f.at)).After(now) {
				fsys["content/"+f.path] = &fstest.MapFile{Data: []byte(expand(t, f.text))}
			}
		}
		s, err := site.Load(fsys, site.Options{Now: now})
		if err != nil {
			t.Fatalf("at %s: %v", run, err)
		}
		tmpl, err := site.LoadTemplates(themes.Default, s.Config)
		if err != nil {
			t.Fatal(err)
		}
		cursors, err := ledger.Cursors(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		notices := Plan(s, cursors, PlanOptions{Now: now, Horizon: horizon})
		rec := &recorder{}
		r := &Runner{
			Composer: &Composer{Site: s, Templates: tmpl, Key: []byte("test-key"), Now: now, From: "status@acme.example"},
			Ledger:   ledger,
			Senders:  map[string]Sender{"email": rec, "sms": rec, "call": rec, "slack": rec, "webhook": rec},
			Recipients: func(a *site.Audience) (io.ReadCloser, string, error) {
				return io.NopCloser(strings.NewReader(cadenceRecipients[a.ID])), a.ID + ".csv", nil
			},
			Endpoint: func(a *site.Audience, ch string) string { return "https://hooks.example/" + a.ID + "/" + ch },
		}
		sum, err := r.Run(context.Background(), notices)
		if err != nil {
			t.Fatalf("at %s: %v", run, err)
		}
		if !sum.OK() {
			t.Fatalf("at %s: %v", run, sum.Problems)
		}
		byNotice := map[string]map[string][]string{} // notice → channel → names
		for _, m := range rec.msgs {
			if byNotice[m.NoticeID] == nil {
				byNotice[m.NoticeID] = map[string][]string{}
			}
			who := m.ToName
			if who == "" {
				who = "hook"
			}
			byNotice[m.NoticeID][m.Channel] = append(byNotice[m.NoticeID][m.Channel], who)
		}
		for _, n := range notices {
			if n.Baseline {
				continue
			}
			line := fmt.Sprintf("%s %s %s %s", fmtOffset(now.Sub(t0)), n.Audience.ID, n.Item.Slug, n.Kind)
			chans := byNotice[n.ID()]
			for _, ch := range slices.Sorted(mapKeys(chans)) {
				names := chans[ch]
				sort.Strings(names)
				line += " " + ch + ":" + strings.Join(names, ",")
			}
			out = append(out, line)
		}
	}
	return out
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// every lists the run times from..to (inclusive) every step, as offsets.
func every(tb testing.TB, from, to, step string) []string {
	var out []string
	for d := offset(tb, from); d <= offset(tb, to); d += offset(tb, step) {
		out = append(out, fmtOffset(d))
	}
	return out
}

// fmtOffset writes an offset as scenarios do: "+0", "+1h10m", "-2h".
func fmtOffset(d time.Duration) string {
	sign := "+"
	if d < 0 {
		sign, d = "-", -d
	}
	s := ""
	if h := d / time.Hour; h > 0 {
		s += fmt.Sprintf("%dh", h)
	}
	if m := d % time.Hour / time.Minute; m > 0 || s == "" {
		s += fmt.Sprintf("%dm", m)
	}
	if s == "0m" {
		s = "0"
	}
	return sign + s
}

func TestCadence(t *testing.T) {
	tests := []struct {
		name    string
		files   []file
		runs    []string // nil: every 5 minutes from 0 to +2h
		horizon time.Duration
		want    string
	}{
		{
			// The matrix over one incident's life. executives hear sev1
			// only: they start at the raise, with kind new, and hear the
			// incident through to its resolution at sev2. it-team hears
			// every 15 minutes, end-users every 30, customers (as-needed)
			// milestones only. Calls go out on sev1 milestones only, SMS
			// on milestones only; bob follows billing and hears nothing of
			// an API incident.
			name: "matrix",
			files: []file{
				incident("outage", "0", "severity: sev2\ncomponents: [api]\n"),
				update("outage", "0", "investigating", ""),
				update("outage", "+5m", "investigating", ""),
				update("outage", "+20m", "identified", ""),
				update("outage", "+25m", "identified", "severity: sev1\n"),
				update("outage", "+35m", "identified", ""),
				update("outage", "+50m", "monitoring", ""),
				update("outage", "+55m", "monitoring", "severity: sev2\n"),
				update("outage", "+1h10m", "resolved", ""),
			},
			want: `
+0 customers outage new email:dee
+0 end-users outage new email:ann,cy sms:ann,cy
+0 it-team outage new slack:hook
+15m it-team outage update slack:hook
+20m customers outage status email:dee
+20m end-users outage status email:ann,cy sms:ann,cy
+20m it-team outage status slack:hook
+25m customers outage severity email:dee
+25m end-users outage severity email:ann,cy sms:ann,cy
+25m executives outage new call:ceo email:ceo
+25m it-team outage severity slack:hook
+40m it-team outage update slack:hook
+50m customers outage status email:dee
+50m end-users outage status email:ann,cy sms:ann,cy
+50m executives outage status call:ceo email:ceo
+50m it-team outage status slack:hook
+1h5m it-team outage update slack:hook
+1h10m customers outage resolved email:dee
+1h10m end-users outage resolved email:ann,cy sms:ann,cy
+1h10m executives outage resolved email:ceo
+1h10m it-team outage resolved slack:hook
`,
		},
		{
			// Updates between milestones wait for the cadence, counted from
			// the audience's last notice, and go out together; as-needed
			// customers hear them only with the next milestone.
			name: "coalescing",
			files: []file{
				incident("slow", "0", "severity: sev3\ncomponents: [web]\n"),
				update("slow", "0", "investigating", ""),
				update("slow", "+2m", "investigating", ""),
				update("slow", "+4m", "investigating", ""),
				update("slow", "+6m", "investigating", ""),
				update("slow", "+31m", "investigating", ""),
				update("slow", "+33m", "identified", ""),
			},
			runs: every(t, "0", "+40m", "1m"),
			want: `
+0 customers slow new email:dee
+0 end-users slow new email:cy sms:cy
+0 it-team slow new slack:hook
+15m it-team slow update slack:hook
+30m end-users slow update email:cy
+31m it-team slow update slack:hook
+33m customers slow status email:dee
+33m end-users slow status email:cy sms:cy
+33m it-team slow status slack:hook
`,
		},
		{
			// An incident's audiences narrow who hears; public: false keeps
			// it from every public-digest audience even when named.
			name: "internal",
			files: []file{
				incident("secret", "0", "severity: sev1\ncomponents: [billing]\npublic: false\naudiences: [it-team, customers, executives]\n"),
				update("secret", "0", "investigating", ""),
				update("secret", "+30m", "resolved", ""),
			},
			runs: []string{"0", "+30m"},
			want: `
+0 executives secret new call:ceo email:ceo
+0 it-team secret new slack:hook
+30m executives secret resolved call:ceo email:ceo
+30m it-team secret resolved slack:hook
`,
		},
		{
			// The first run over old history sends nothing for what is
			// older than the horizon: last month's outage is taken as
			// heard, and an incident still open since yesterday is heard
			// from its latest update within the horizon only. Later runs
			// go on as usual.
			name:    "horizon",
			horizon: 24 * time.Hour,
			files: []file{
				incident("last-month", "-720h", "severity: sev1\ncomponents: [api]\n"),
				update("last-month", "-720h", "investigating", ""),
				update("last-month", "-719h", "resolved", ""),
				incident("lingering", "-30h", "severity: sev2\ncomponents: [web]\n"),
				update("lingering", "-30h", "investigating", ""),
				update("lingering", "-25h", "identified", ""),
				update("lingering", "-1h", "identified", ""),
				update("lingering", "+10m", "monitoring", ""),
			},
			runs: []string{"0", "+5m", "+10m"},
			want: `
+0 end-users lingering new email:cy sms:cy
+0 it-team lingering new slack:hook
+10m customers lingering new email:dee
+10m end-users lingering status email:cy sms:cy
+10m it-team lingering status slack:hook
`,
		},
		{
			// A maintenance with updates: announced, started, ended, to
			// every audience (severities never filter maintenance); its
			// updates in between follow the cadence.
			name: "maintenance",
			files: []file{
				maintenanceFile("db-upgrade", "-2h", "+1h", "+2h"),
				maintenanceUpdate("db-upgrade", "-2h", "scheduled"),
				maintenanceUpdate("db-upgrade", "+1h", "in_progress"),
				maintenanceUpdate("db-upgrade", "+1h20m", "in_progress"),
				maintenanceUpdate("db-upgrade", "+1h50m", "completed"),
			},
			runs: []string{"-2h", "0", "+1h", "+1h20m", "+1h30m", "+1h50m", "+2h"},
			want: `
-2h customers db-upgrade new email:dee
-2h end-users db-upgrade new email:cy sms:cy
-2h executives db-upgrade new email:ceo
-2h it-team db-upgrade new slack:hook
+1h customers db-upgrade start email:dee
+1h end-users db-upgrade start email:cy sms:cy
+1h executives db-upgrade start email:ceo
+1h it-team db-upgrade start slack:hook
+1h20m it-team db-upgrade update slack:hook
+1h30m end-users db-upgrade update email:cy
+1h50m customers db-upgrade end email:dee
+1h50m end-users db-upgrade end email:cy sms:cy
+1h50m executives db-upgrade end email:ceo
+1h50m it-team db-upgrade end slack:hook
`,
		},
		{
			// A maintenance without updates follows its window: announced
			// when it appears (here less than a week ahead), then its
			// start and end.
			name: "maintenance window",
			files: []file{
				maintenanceFile("cdn-swap", "0", "+1h", "+1h30m"),
			},
			runs: []string{"0", "+30m", "+1h", "+1h15m", "+1h30m"},
			want: `
+0 customers cdn-swap new email:dee
+0 end-users cdn-swap new email:cy sms:cy
+0 executives cdn-swap new email:ceo
+0 it-team cdn-swap new slack:hook
+1h customers cdn-swap start email:dee
+1h end-users cdn-swap start email:cy sms:cy
+1h executives cdn-swap start email:ceo
+1h it-team cdn-swap start slack:hook
+1h30m customers cdn-swap end email:dee
+1h30m end-users cdn-swap end email:cy sms:cy
+1h30m executives cdn-swap end email:ceo
+1h30m it-team cdn-swap end slack:hook
`,
		},
		{
			// A run that is late hears several milestones at once: one
			// notice, headed by the most important kind.
			name: "late run",
			files: []file{
				incident("blip", "0", "severity: sev1\ncomponents: [api]\n"),
				update("blip", "0", "investigating", ""),
				update("blip", "+5m", "identified", ""),
				update("blip", "+10m", "resolved", ""),
			},
			runs: []string{"0", "+20m", "+25m"},
			want: `
+0 customers blip new email:dee
+0 end-users blip new email:ann,cy sms:ann,cy
+0 executives blip new call:ceo email:ceo
+0 it-team blip new slack:hook
+20m customers blip resolved email:dee
+20m end-users blip resolved email:ann,cy sms:ann,cy
+20m executives blip resolved call:ceo email:ceo
+20m it-team blip resolved slack:hook
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs := tt.runs
			if runs == nil {
				runs = every(t, "0", "+2h", "5m")
			}
			got := replay(t, tt.files, runs, tt.horizon)
			want := strings.Split(strings.TrimSpace(tt.want), "\n")
			if !slices.Equal(got, want) {
				t.Errorf("notices:\n%s\n\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

// TestCadenceRerun: a second run at the same time, or a run that finds
// nothing new, sends nothing.
func TestCadenceRerun(t *testing.T) {
	files := []file{
		incident("outage", "0", "severity: sev1\ncomponents: [api]\n"),
		update("outage", "0", "investigating", ""),
		update("outage", "+5m", "investigating", ""),
	}
	got := replay(t, files, []string{"0", "0", "+5m", "+5m", "+10m"}, 0)
	want := []string{
		"+0 customers outage new email:dee",
		"+0 end-users outage new email:ann,cy sms:ann,cy",
		"+0 executives outage new call:ceo email:ceo",
		"+0 it-team outage new slack:hook",
	}
	if !slices.Equal(got, want) {
		t.Errorf("notices:\n%s\n\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
