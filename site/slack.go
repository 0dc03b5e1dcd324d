package site

import (
	"fmt"
	"strings"
)

// SlackMessage is an incoming-webhook payload: a fallback text and Block
// Kit blocks (status, severity, components, latest update).
type SlackMessage struct {
	Text   string       `json:"text"`
	Blocks []SlackBlock `json:"blocks"`
}

// SlackBlock is one Block Kit block.
type SlackBlock struct {
	Type     string      `json:"type"`
	Text     *SlackText  `json:"text,omitempty"`
	Fields   []SlackText `json:"fields,omitempty"`
	Elements []SlackText `json:"elements,omitempty"`
}

// SlackText is a plain_text or mrkdwn text object.
type SlackText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

// slackEscape escapes what Slack's mrkdwn treats as control characters.
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// Subject is the one-line summary notices lead with:
// "[SEV1 · Identified] Checkout errors in the EU".
func (d *Digest) Subject() string {
	tag := d.Label
	if d.Severity != nil {
		tag = d.Severity.Name + " · " + d.Label
	} else if d.Kind == "maintenance" {
		tag = "Maintenance · " + d.Label
	}
	return "[" + tag + "] " + oneLine(d.Title)
}

// Slack renders d as a Slack message.
func (d *Digest) Slack() SlackMessage {
	loc := d.Site.Location
	m := SlackMessage{Text: clip(d.Subject()+" — "+d.Site.Title, 300)}
	m.Blocks = append(m.Blocks, SlackBlock{Type: "header", Text: &SlackText{Type: "plain_text", Text: clip(d.Subject(), 150)}})
	var fields []SlackText
	field := func(name, value string) {
		fields = append(fields, SlackText{Type: "mrkdwn", Text: clip("*"+name+"*\n"+slackEscape.Replace(value), 2000)})
	}
	field("Status", d.Label)
	if d.Severity != nil {
		field("Severity", fmt.Sprintf("%s (%s impact)", d.Severity.Name, d.Impact))
	}
	var comps []string
	for _, c := range d.Components {
		comps = append(comps, c.Name+": "+c.Status.Label())
	}
	if len(comps) > 0 {
		field("Components", strings.Join(comps, "\n"))
	}
	if d.Kind == "maintenance" {
		field("Window", d.Start.In(loc).Format("Jan 2 15:04")+" – "+d.End.In(loc).Format("Jan 2 15:04 MST"))
	} else {
		field("Started", d.Started.In(loc).Format("Jan 2 15:04 MST"))
	}
	if d.Active && !d.ETA.IsZero() {
		field("Expected back", d.ETA.In(loc).Format("Jan 2 15:04 MST"))
	}
	m.Blocks = append(m.Blocks, SlackBlock{Type: "section", Fields: fields[:min(len(fields), 10)]})
	if d.Latest != nil && d.Latest.Text.Plain != "" {
		m.Blocks = append(m.Blocks, SlackBlock{Type: "section", Text: &SlackText{Type: "mrkdwn", Text: clip(slackEscape.Replace(d.Latest.Text.Plain), 3000)}})
	}
	var ctx []SlackText
	if d.Active && !d.Next.IsZero() {
		ctx = append(ctx, SlackText{Type: "mrkdwn", Text: "Next update by " + d.Next.In(loc).Format("15:04 MST")})
	}
	if d.URL != "" {
		ctx = append(ctx, SlackText{Type: "mrkdwn", Text: "<" + d.URL + "|View on the status page>"})
	}
	if len(ctx) > 0 {
		m.Blocks = append(m.Blocks, SlackBlock{Type: "context", Elements: ctx})
	}
	return m
}

// Subject is the one line a periodic summary of the report leads with:
// "Acme Status: incident summary, Nov 16 – Nov 22, 2026".
func (r *Report) Subject() string {
	return oneLine(r.Config.Title) + ": incident summary, " + r.Current.Period.Dates(r.Config.Location)
}

// Slack renders the report's headlines as a Slack message, for a periodic
// summary: mrkdwn has no tables, so the figures and charts stay in the
// email and the webhook's Markdown.
func (r *Report) Slack() SlackMessage {
	m := SlackMessage{Text: clip(r.Subject(), 300)}
	m.Blocks = append(m.Blocks, SlackBlock{Type: "header", Text: &SlackText{Type: "plain_text", Text: clip(r.Subject(), 150)}})
	var b strings.Builder
	for _, h := range r.Headlines {
		b.WriteString("• " + slackEscape.Replace(h) + "\n")
	}
	if b.Len() > 0 {
		m.Blocks = append(m.Blocks, SlackBlock{Type: "section", Text: &SlackText{Type: "mrkdwn", Text: clip(strings.TrimSuffix(b.String(), "\n"), 3000)}})
	}
	m.Blocks = append(m.Blocks, SlackBlock{Type: "context", Elements: []SlackText{{Type: "mrkdwn",
		Text: "Private: counts internal incidents (public: false) too."}}})
	return m
}
