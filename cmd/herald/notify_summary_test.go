package main

import (
	"strings"
	"testing"

	"github.com/heraldstatus/herald/notify/notifytest"
)

// The periodic executive summary, end to end: herald notify sends last
// week's report through mailpit, a real SMTP server that scripts/test
// starts, once per recipient, and a rerun sends nothing.

const summaryConfig = `
title = "Acme Status"
base_url = "https://status.acme.example/"
timezone = "Europe/Berlin"

[[components]]
id = "api"
name = "API"

[[components]]
id = "billing"
name = "Billing"

[[audiences]]
id = "executives"
name = "Executive team"
digest = "business"
cadence = "1h"
channels = ["email", "call"]
recipients = "recipients/executives.csv"
summary = "weekly"

[notify]
email = "smtp"
from = "status@acme.example"
from_name = "Acme Status"
`

func TestNotifySummaryMailpit(t *testing.T) {
	mp := notifytest.MailpitSTARTTLS(t)
	tag := notifytest.Tag()
	to := map[string]string{"ceo": "ceo-" + tag + "@example.com", "cfo": "cfo-" + tag + "@example.com"}
	dir := t.TempDir()
	// Two incidents in the week of Monday, Nov 16, 2026, one of them
	// internal; the CFO follows billing only, and hears the summary all
	// the same.
	writeFiles(t, dir, map[string]string{
		"config.toml": summaryConfig,
		"recipients/executives.csv": "name,email,phone,components\n" +
			"Chief Executive," + to["ceo"] + ",+15550100001,\n" +
			"Chief Financial Officer," + to["cfo"] + ",,billing\n",
		"content/incidents/api-errors/incident.md": "---\ntitle: API errors\nseverity: sev2\ncomponents: [api]\n" +
			"started: 2026-11-17T09:00:00Z\ndetected: 2026-11-17T09:05:00Z\n---\n",
		"content/incidents/api-errors/a.md": "---\nat: 2026-11-17T09:10:00Z\nstatus: investigating\n---\n\nSome API calls fail.\n",
		"content/incidents/api-errors/b.md": "---\nat: 2026-11-17T10:40:00Z\nstatus: resolved\n---\n\nThe API works again.\n",
		"content/incidents/ledger-lag/incident.md": "---\ntitle: Ledger lag\nseverity: sev3\ncomponents: [billing]\n" +
			"started: 2026-11-20T14:00:00Z\npublic: false\n---\n",
		"content/incidents/ledger-lag/a.md": "---\nat: 2026-11-20T15:00:00Z\nstatus: resolved\n---\n\nInvoices are on time again.\n",
	})
	t.Setenv("HERALD_SMTP_URL", "smtp://herald:secret@"+mp.SMTP+"?ca="+mp.CA)

	// Wednesday of the next week: last week's summary is due (the
	// incidents' own notices are older than the horizon).
	code, out := heraldNotify(t, dir, "2026-11-25T09:00:00Z", to, tag)
	if code != 0 {
		t.Fatalf("exit %d, want 0", code)
	}
	wantSummary(t, out, map[string]string{"email": "sent 2, already sent 0, suppressed 0, failed 0, deferred 0"})

	// Later the same week, and again: nothing more.
	for _, now := range []string{"2026-11-27T09:00:00Z", "2026-11-29T22:59:00Z"} {
		_, out = heraldNotify(t, dir, now, to, tag)
		if !strings.Contains(out, "herald notify: 0 notices") {
			t.Errorf("a rerun at %s planned something:\n%s", now, out)
		}
	}

	got := mp.Addressed(t, tag)
	if len(got) != 2 {
		t.Fatalf("mailpit holds %d messages for this test, want 2: one summary to each executive", len(got))
	}
	seen := map[string]bool{}
	for _, m := range got {
		if len(m.To) != 1 || len(m.Cc)+len(m.Bcc) != 0 {
			t.Errorf("message %s: To %v, Cc %v, Bcc %v; want its one recipient", m.ID, m.To, m.Cc, m.Bcc)
			continue
		}
		who, _, _ := strings.Cut(m.To[0].Address, "-")
		seen[who] = true
		t.Run(who, func(t *testing.T) {
			if want := "Acme Status: incident summary, Nov 16 – Nov 22, 2026"; m.Subject != want {
				t.Errorf("Subject %q, want %q", m.Subject, want)
			}
			if m.From.Address != "status@acme.example" {
				t.Errorf("From %+v", m.From)
			}
			for _, want := range []string{"- 2 incidents in Nov 16 – Nov 22, 2026", "Private: it counts internal incidents"} {
				if !strings.Contains(m.Text, want) {
					t.Errorf("the text part lacks %q:\n%s", want, m.Text)
				}
			}
			if strings.Contains(m.Text, "<") {
				t.Errorf("the text part has markup:\n%s", m.Text)
			}
			for _, want := range []string{"Incident report: Nov 16 – Nov 22, 2026", "<svg", "including 1 internal incident", "API errors", "Ledger lag"} {
				if !strings.Contains(m.HTML, want) {
					t.Errorf("the HTML part lacks %q", want)
				}
			}
			h := mp.Headers(t, m.ID)
			if got := strings.Join(h["X-Herald-Notice"], ""); got != "summary/executives/2026-11-16.P7D" {
				t.Errorf("X-Herald-Notice %q", got)
			}
			if id := strings.Join(h["Message-Id"], ""); !strings.HasPrefix(id, "<herald.summary.2026-11-16.P7D.executives.") || len(h["In-Reply-To"]) != 0 {
				t.Errorf("Message-ID %q, In-Reply-To %v", id, h["In-Reply-To"])
			}
		})
	}
	if !seen["ceo"] || !seen["cfo"] {
		t.Errorf("summaries went to %v, want both executives", seen)
	}
}
