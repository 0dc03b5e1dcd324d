package notify

import (
	"encoding/json"
	"strings"
	"sync"
	"time"

	"github.com/heraldstatus/herald/site"
)

// This file is the periodic executive summary: an audience with summary =
// "weekly" or "monthly" also gets the report of each completed period
// (site.NewReport), once. A summary is a notice like any other: its item
// is the period, its ID summary/<audience>/<period key>, its deliveries
// are claimed and finished in the ledger, and its cursor
// (<audience>/summary/<period key>) records that the audience heard it.

// planSummaries lists the summaries due at now: for every audience with a
// summary schedule, the last period completed before now in the display
// time zone, unless the audience has heard it. Only that period is ever
// due: a run after a gap catches up on the latest, never on a backlog.
func planSummaries(s *site.Site, cursors map[string]Cursor, now time.Time) []Notice {
	loc := s.Config.Location
	var out []Notice
	for _, a := range s.Config.Audiences {
		p, ok := site.CompletedPeriod(a.Summary, now, loc)
		if !ok {
			continue // no summary for this audience
		}
		key := p.Key(loc)
		if cursors[CursorKey(a.ID, "summary", key)].Through > 0 {
			continue
		}
		it := Item{Kind: "summary", Slug: key, Period: &p, Events: []Event{{Key: key, At: p.To, Kind: KindSummary}}}
		out = append(out, Notice{Audience: a, Item: it, Kind: KindSummary, Through: 1, First: true})
	}
	return out
}

// summaryRendering is a period's report, computed and rendered once per
// run for every audience and recipient that gets it.
type summaryRendering struct {
	once           sync.Once
	report         *site.Report
	html, markdown string
	text           string // the email's text part: the headlines
	err            error
}

// summary renders the report of a summary notice's period.
func (c *Composer) summary(n Notice) (*summaryRendering, error) {
	c.mu.Lock()
	if c.summaries == nil {
		c.summaries = map[string]*summaryRendering{}
	}
	sr := c.summaries[n.Item.Slug]
	if sr == nil {
		sr = &summaryRendering{}
		c.summaries[n.Item.Slug] = sr
	}
	c.mu.Unlock()
	sr.once.Do(func() {
		sr.report = site.NewReport(c.Site, *n.Item.Period)
		var h, md []byte
		if h, sr.err = c.Templates.ReportHTML(sr.report); sr.err != nil {
			return
		}
		if md, sr.err = c.Templates.ReportMarkdown(sr.report); sr.err != nil {
			return
		}
		sr.html, sr.markdown, sr.text = string(h), string(md), summaryText(sr.report)
	})
	return sr, sr.err
}

// summaryText is a summary email's text part: the report's headlines. The
// HTML part carries the whole report.
func summaryText(r *site.Report) string {
	var b strings.Builder
	b.WriteString(r.Subject() + "\n\n")
	for _, h := range r.Headlines {
		b.WriteString("- " + h + "\n")
	}
	b.WriteString("\nPrivate: it counts internal incidents (public: false) too.\n" +
		"The full report, with its figures, charts and incident list, is the HTML version of this message.\n")
	return b.String()
}

// summaryEmail renders a summary as an email to r: the headlines as text,
// the self-contained report as HTML. Each period's summary starts a
// thread of its own.
func (c *Composer) summaryEmail(n Notice, r Recipient) (*Message, error) {
	sr, err := c.summary(n)
	if err != nil {
		return nil, err
	}
	rh := RecipientHash(c.Key, "email", r.Email)
	id := n.ID()
	m := &Message{
		Channel: "email", NoticeID: id, DeliveryID: DeliveryID(id, "email", rh), Audience: n.Audience.ID, Item: n.Item.Slug,
		To: r.Email, ToName: headerSafe(r.Name), From: c.From, FromName: headerSafe(c.FromName),
		Subject: headerSafe(sr.report.Subject()), Text: sr.text, HTML: sr.html, Date: c.Now,
		MessageID: "herald.summary." + n.Item.Slug + "." + n.Audience.ID + "." + rh[:12] + "@" + c.host(),
	}
	c.unsubscribe(m, n.Audience, rh)
	return m, nil
}

// webhookSummary is what a webhook receives of a summary: the period, and
// the report as headlines and as Markdown.
type webhookSummary struct {
	Period    string    `json:"period"` // its key: 2026-11-16.P7D
	From      time.Time `json:"from"`
	To        time.Time `json:"to"` // exclusive: the midnight after its last day
	Dates     string    `json:"dates"`
	Headlines []string  `json:"headlines"`
	Markdown  string    `json:"markdown"`
}

// summaryWebhook renders a summary as a signed JSON POST to endpoint.
func (c *Composer) summaryWebhook(n Notice, endpoint string) (*Message, error) {
	sr, err := c.summary(n)
	if err != nil {
		return nil, err
	}
	loc := c.Site.Config.Location
	p := n.Item.Period
	payload := WebhookPayload{
		Notice:   webhookNotice{ID: n.ID(), Kind: n.Kind, CreatedAt: c.Now},
		Audience: webhookAudience{ID: n.Audience.ID, Name: n.Audience.Name, Digest: n.Audience.Digest, Text: strings.Join(sr.report.Headlines, " ")},
		Page:     webhookPage{ID: site.PageID(c.Site.Config), Name: c.Site.Config.Title, URL: c.Site.Config.BaseURL},
		Summary: &webhookSummary{Period: n.Item.Slug, From: p.From.In(loc), To: p.To.In(loc), Dates: p.Dates(loc),
			Headlines: sr.report.Headlines, Markdown: sr.markdown},
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	return c.hookMessage(n, "webhook", endpoint, body), nil
}
