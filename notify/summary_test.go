package notify

import (
	"context"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/heraldstatus/herald/site"
	"github.com/heraldstatus/herald/themes"
)

// The summary tests: which period's summary each audience is due at a
// given moment, and that it reaches each recipient once.

const summaryConfig = `
title = "Acme Status"
base_url = "https://status.acme.example/"
timezone = "TZ"

[[components]]
id = "api"
name = "API"

[[components]]
id = "billing"
name = "Billing"

[[audiences]]
id = "executives"
digest = "business"
cadence = "1h"
channels = ["email", "call"]
summary = "weekly"

[[audiences]]
id = "board"
digest = "business"
channels = ["email"]
summary = "monthly"

[[audiences]]
id = "it-team"
digest = "technical"
cadence = "15m"
channels = ["slack", "webhook", "sms"]
summary = "weekly"

[[audiences]]
id = "customers"
digest = "public"
channels = ["email"]
`

// summaryRecipients: the CFO follows billing only, and hears the summary
// all the same (it covers every component).
var summaryRecipients = map[string]string{
	"executives": "name,email,phone,components\nceo,ceo@acme.example,+15550100001,\ncfo,cfo@acme.example,,billing\n",
	"board":      "name,email\nchair,chair@acme.example\n",
	"it-team":    "name,email,phone\nops,ops@acme.example,+15550100002\n",
	"customers":  "name,email\ndee,dee@example.com\n",
}

// summarySite loads a site in time zone tz at now, with an internal
// incident in the week of Nov 16, 2026 and the files given.
func summarySite(t *testing.T, tz string, now time.Time) *site.Site {
	t.Helper()
	fsys := fstest.MapFS{
		"config.toml": {Data: []byte(strings.Replace(summaryConfig, "TZ", tz, 1))},
		"content/incidents/ledger-lag/incident.md": {Data: []byte("---\ntitle: Ledger lag\nseverity: sev2\ncomponents: [billing]\n" +
			"started: 2026-11-17T09:00:00Z\ndetected: 2026-11-17T09:10:00Z\npublic: false\n---\n")},
		"content/incidents/ledger-lag/a.md": {Data: []byte("---\nat: 2026-11-17T09:15:00Z\nstatus: investigating\n---\n\nInvoices are late.\n")},
		"content/incidents/ledger-lag/b.md": {Data: []byte("---\nat: 2026-11-17T11:00:00Z\nstatus: resolved\n---\n\nInvoices are on time again.\n")},
	}
	s, err := site.Load(fsys, site.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPlanSummaries(t *testing.T) {
	tests := []struct {
		name  string
		tz    string
		now   string
		heard []string // cursor keys the ledger holds
		want  []string // "audience period-key", in plan order
	}{
		{
			name: "mid-week",
			tz:   "UTC",
			now:  "2026-11-25T10:00:00Z",
			want: []string{"executives 2026-11-16.P7D", "board 2026-10-01.P31D", "it-team 2026-11-16.P7D"},
		},
		{
			name: "the first instant of Monday completes the week",
			tz:   "UTC",
			now:  "2026-11-23T00:00:00Z",
			want: []string{"executives 2026-11-16.P7D", "board 2026-10-01.P31D", "it-team 2026-11-16.P7D"},
		},
		{
			name: "the last instant of Sunday does not",
			tz:   "UTC",
			now:  "2026-11-22T23:59:59Z",
			want: []string{"executives 2026-11-09.P7D", "board 2026-10-01.P31D", "it-team 2026-11-09.P7D"},
		},
		{
			name: "the first of the month completes the month",
			tz:   "UTC",
			now:  "2026-12-01T00:00:00Z",
			want: []string{"executives 2026-11-23.P7D", "board 2026-11-01.P30D", "it-team 2026-11-23.P7D"},
		},
		{
			name: "Monday in Berlin, still Sunday in UTC",
			tz:   "Europe/Berlin",
			now:  "2026-11-22T23:30:00Z",
			want: []string{"executives 2026-11-16.P7D", "board 2026-10-01.P31D", "it-team 2026-11-16.P7D"},
		},
		{
			name: "December in UTC, still November in New York",
			tz:   "America/New_York",
			now:  "2026-12-01T03:00:00Z",
			want: []string{"executives 2026-11-23.P7D", "board 2026-10-01.P31D", "it-team 2026-11-23.P7D"},
		},
		{
			name: "a week with a daylight saving change still has 7 days",
			tz:   "Europe/Berlin",
			now:  "2026-10-27T12:00:00Z",
			want: []string{"executives 2026-10-19.P7D", "board 2026-09-01.P30D", "it-team 2026-10-19.P7D"},
		},
		{
			name:  "heard: nothing is due",
			tz:    "UTC",
			now:   "2026-11-27T10:00:00Z",
			heard: []string{"executives/summary/2026-11-16.P7D", "board/summary/2026-10-01.P31D", "it-team/summary/2026-11-16.P7D"},
		},
		{
			name:  "one audience heard, the others not",
			tz:    "UTC",
			now:   "2026-11-27T10:00:00Z",
			heard: []string{"executives/summary/2026-11-16.P7D"},
			want:  []string{"board 2026-10-01.P31D", "it-team 2026-11-16.P7D"},
		},
		{
			name:  "catch-up: the latest period only, never a backlog",
			tz:    "UTC",
			now:   "2026-11-25T10:00:00Z",
			heard: []string{"executives/summary/2026-10-26.P7D", "board/summary/2026-08-01.P31D"},
			want:  []string{"executives 2026-11-16.P7D", "board 2026-10-01.P31D", "it-team 2026-11-16.P7D"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now, err := time.Parse(time.RFC3339, tt.now)
			if err != nil {
				t.Fatal(err)
			}
			s := summarySite(t, tt.tz, now)
			cursors := map[string]Cursor{}
			for _, k := range tt.heard {
				cursors[k] = Cursor{Through: 1, Notices: 1}
			}
			var got []string
			for _, n := range Plan(s, cursors, PlanOptions{Now: now}) {
				if n.Kind != KindSummary {
					continue
				}
				got = append(got, n.Audience.ID+" "+n.Item.Slug)
				p := n.Item.Period
				if p.Key(s.Config.Location) != n.Item.Slug || !p.To.After(p.From) || p.To.After(now) {
					t.Errorf("%s: period %v – %v, key %s", n.Audience.ID, p.From, p.To, n.Item.Slug)
				}
				if want := "summary/" + n.Audience.ID + "/" + n.Item.Slug; n.ID() != want {
					t.Errorf("ID = %q, want %q", n.ID(), want)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("summaries due:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// summaryRun plans and runs herald notify at now over ledger, with
// cursors as given (nil: the ledger's), and returns what was sent.
func summaryRun(t *testing.T, ledger Ledger, now time.Time, cursors map[string]Cursor) (*Summary, []*Message) {
	t.Helper()
	s := summarySite(t, "Europe/Berlin", now)
	tmpl, err := site.LoadTemplates(themes.Default, s.Config)
	if err != nil {
		t.Fatal(err)
	}
	if cursors == nil {
		if cursors, err = ledger.Cursors(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	rec := &recorder{}
	r := &Runner{
		Composer: &Composer{Site: s, Templates: tmpl, Key: []byte("test-key"), Now: now, From: "status@acme.example", FromName: "Acme Status",
			WebhookSecret: []byte("hook-secret"), UnsubscribeMailto: "unsubscribe@acme.example"},
		Ledger:  ledger,
		Senders: map[string]Sender{"email": rec, "sms": rec, "call": rec, "slack": rec, "webhook": rec},
		Recipients: func(a *site.Audience) (io.ReadCloser, string, error) {
			return io.NopCloser(strings.NewReader(summaryRecipients[a.ID])), a.ID + ".csv", nil
		},
		Endpoint: func(a *site.Audience, ch string) string { return "https://hooks.example/" + a.ID + "/" + ch },
	}
	// A day's horizon: the incident's own notices are history by now.
	sum, err := r.Run(context.Background(), Plan(s, cursors, PlanOptions{Now: now}))
	if err != nil {
		t.Fatal(err)
	}
	if !sum.OK() {
		t.Fatalf("problems: %v", sum.Problems)
	}
	return sum, rec.msgs
}

func TestSummarySend(t *testing.T) {
	ledger, err := NewFolder(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	wed := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	sum, msgs := summaryRun(t, ledger, wed, nil)
	got := map[string][]string{} // notice → "channel:to"
	for _, m := range msgs {
		got[m.NoticeID] = append(got[m.NoticeID], m.Channel+":"+m.To)
	}
	want := map[string][]string{
		"summary/executives/2026-11-16.P7D": {"email:ceo@acme.example", "email:cfo@acme.example"},
		"summary/board/2026-10-01.P31D":     {"email:chair@acme.example"},
		"summary/it-team/2026-11-16.P7D":    {"slack:https://hooks.example/it-team/slack", "webhook:https://hooks.example/it-team/webhook"},
	}
	for id, w := range want {
		g := got[id]
		slices.Sort(g)
		if !slices.Equal(g, w) {
			t.Errorf("%s went to %v, want %v", id, g, w)
		}
	}
	if len(got) != len(want) || sum.Sent["email"] != 3 || sum.Sent["slack"] != 1 || sum.Sent["webhook"] != 1 || sum.Notices != 3 {
		t.Errorf("sent %v in %d notices: %v", sum.Sent, sum.Notices, got)
	}

	for _, m := range msgs {
		switch {
		case m.Channel == "email" && m.Audience == "executives":
			t.Run("email", func(t *testing.T) { checkSummaryEmail(t, m) })
		case m.Channel == "slack":
			t.Run("slack", func(t *testing.T) { checkSummarySlack(t, m) })
		case m.Channel == "webhook":
			t.Run("webhook", func(t *testing.T) { checkSummaryWebhook(t, m) })
		}
	}

	// Later the same week: the cursors say heard, nothing is planned.
	fri := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	if sum, msgs := summaryRun(t, ledger, fri, nil); len(msgs) != 0 || sum.Notices != 0 {
		t.Errorf("a rerun the same week sent %d messages in %d notices", len(msgs), sum.Notices)
	}
	// A run that lost the cursors (a crash after sending, before they
	// advanced) plans the summaries again: the ledger's deliveries skip
	// every recipient.
	sum, msgs = summaryRun(t, ledger, fri, map[string]Cursor{})
	if len(msgs) != 0 || sum.Skipped["email"] != 3 || sum.Skipped["slack"] != 1 || sum.Skipped["webhook"] != 1 {
		t.Errorf("a rerun without cursors sent %d messages; skipped %v", len(msgs), sum.Skipped)
	}
	// The next week has a summary of its own; the board's month does not
	// change.
	mon := time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC)
	_, msgs = summaryRun(t, ledger, mon, nil)
	ids := map[string]bool{}
	for _, m := range msgs {
		ids[m.NoticeID] = true
	}
	if !ids["summary/executives/2026-11-23.P7D"] || !ids["summary/it-team/2026-11-23.P7D"] || len(ids) != 2 {
		t.Errorf("the next week sent %v", ids)
	}
}

func checkSummaryEmail(t *testing.T, m *Message) {
	subject := "Acme Status: incident summary, Nov 16 – Nov 22, 2026"
	if m.Subject != subject {
		t.Errorf("Subject %q, want %q", m.Subject, subject)
	}
	rh := RecipientHash([]byte("test-key"), "email", m.To)
	if m.DeliveryID != DeliveryID("summary/executives/2026-11-16.P7D", "email", rh) {
		t.Errorf("DeliveryID %s is not DeliveryID(notice, email, recipient hash)", m.DeliveryID)
	}
	if !strings.HasPrefix(m.MessageID, "herald.summary.2026-11-16.P7D.executives."+rh[:12]+"@") || m.InReplyTo != "" {
		t.Errorf("Message-ID %q, In-Reply-To %q", m.MessageID, m.InReplyTo)
	}
	for _, want := range []string{subject + "\n\n- 1 incident in Nov 16 – Nov 22, 2026", "Private: it counts internal incidents"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("the text part lacks %q:\n%s", want, m.Text)
		}
	}
	for _, want := range []string{"<!doctype html>", "Incident report: Nov 16 – Nov 22, 2026", "<svg", "including 1 internal incident"} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("the HTML part lacks %q", want)
		}
	}
	if strings.Contains(m.HTML, "<script") || strings.Contains(m.HTML, `<link rel="stylesheet"`) {
		t.Error("the HTML part is not self-contained")
	}
	if len(m.Unsubscribe) != 0 {
		t.Errorf("mail to executives has List-Unsubscribe %v", m.Unsubscribe)
	}
}

func checkSummarySlack(t *testing.T, m *Message) {
	var msg site.SlackMessage
	if err := json.Unmarshal(m.JSON, &msg); err != nil {
		t.Fatal(err)
	}
	if len(msg.Blocks) < 2 || msg.Blocks[0].Text.Text != "Acme Status: incident summary, Nov 16 – Nov 22, 2026" ||
		!strings.HasPrefix(msg.Blocks[1].Text.Text, "• 1 incident in Nov 16 – Nov 22, 2026") {
		t.Errorf("Slack message %s", m.JSON)
	}
}

func checkSummaryWebhook(t *testing.T, m *Message) {
	var p struct {
		Notice struct {
			ID        string
			Kind      string
			Milestone bool
		}
		Audience struct{ ID, Text string }
		Incident *json.RawMessage
		Summary  struct {
			Period    string
			From, To  time.Time
			Dates     string
			Headlines []string
			Markdown  string
		}
	}
	if err := json.Unmarshal(m.JSON, &p); err != nil {
		t.Fatal(err)
	}
	from := time.Date(2026, 11, 16, 0, 0, 0, 0, time.FixedZone("CET", 3600))
	if p.Notice.ID != "summary/it-team/2026-11-16.P7D" || p.Notice.Kind != "summary" || p.Notice.Milestone || p.Incident != nil ||
		p.Summary.Period != "2026-11-16.P7D" || !p.Summary.From.Equal(from) || !p.Summary.To.Equal(from.AddDate(0, 0, 7)) ||
		p.Summary.Dates != "Nov 16 – Nov 22, 2026" || len(p.Summary.Headlines) == 0 || p.Audience.ID != "it-team" ||
		!strings.HasPrefix(p.Summary.Markdown, "# Incident report: Nov 16 – Nov 22, 2026") {
		t.Errorf("webhook payload %s", m.JSON)
	}
	if m.Signature != Sign([]byte("hook-secret"), m.JSON) {
		t.Error("the webhook is not signed")
	}
}
