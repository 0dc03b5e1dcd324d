package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/heraldstatus/herald/site"
)

// Composer renders notices into messages, from the theme's templates (the
// same ones the digests use).
type Composer struct {
	Site      *site.Site
	Templates *site.Templates
	Key       []byte // recipient-hash key
	Now       time.Time

	From, FromName string // email sender
	SMSFrom        string // E.164 or a messaging service SID
	// UnsubscribeMailto and UnsubscribeURL give the List-Unsubscribe
	// targets of mail to end-users and customers; the URL (https, RFC 8058
	// one-click) gets ?a=<audience>&r=<recipient hash>.
	UnsubscribeMailto string
	UnsubscribeURL    string
	WebhookSecret     []byte

	mu        sync.Mutex
	digests   map[string]*site.Digest
	renders   map[string]*rendering
	summaries map[string]*summaryRendering // by period key

	statuspageOnce sync.Once
	statuspage     *site.Statuspage // for webhooks, made once per run
}

// rendering is a digest rendered for its channels: the same bytes for
// every recipient of a notice, so rendered once per run, not per message.
type rendering struct {
	email      sync.Once
	html, text string
	emailErr   error

	sms    sync.Once
	smsMsg string
	smsErr error
}

func (c *Composer) rendering(n Notice) *rendering {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.renders == nil {
		c.renders = map[string]*rendering{}
	}
	key := n.Audience.ID + "/" + n.Item.Slug // as Digest's
	r := c.renders[key]
	if r == nil {
		r = &rendering{}
		c.renders[key] = r
	}
	return r
}

// Digest is the notice's content for its audience.
func (c *Composer) Digest(n Notice) *site.Digest {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.digests == nil {
		c.digests = map[string]*site.Digest{}
	}
	key := n.Audience.ID + "/" + n.Item.Slug
	if d, ok := c.digests[key]; ok {
		return d
	}
	var d *site.Digest
	if n.Item.Incident != nil {
		d = c.Site.IncidentDigest(n.Item.Incident, n.Audience)
	} else {
		d = c.Site.MaintenanceDigest(n.Item.Maintenance, n.Audience)
	}
	c.digests[key] = d
	return d
}

// headerSafe keeps CR, LF and other controls from content out of headers.
func headerSafe(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }), " ")
}

func (c *Composer) host() string {
	if u, err := url.Parse(c.Site.Config.BaseURL); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "herald.invalid"
}

// Email renders the notice as an email to r: the digest's HTML and text,
// threaded per incident and recipient; for a summary, the report.
func (c *Composer) Email(n Notice, r Recipient) (*Message, error) {
	if n.Kind == KindSummary {
		return c.summaryEmail(n, r)
	}
	d := c.Digest(n)
	rd := c.rendering(n)
	rd.email.Do(func() {
		var h, t []byte
		if h, rd.emailErr = c.Templates.DigestHTML(d); rd.emailErr != nil {
			return
		}
		t, rd.emailErr = c.Templates.DigestText(d)
		rd.html, rd.text = string(h), string(t)
	})
	if rd.emailErr != nil {
		return nil, rd.emailErr
	}
	rh := RecipientHash(c.Key, "email", r.Email)
	root := "herald." + n.Item.Slug + "." + n.Audience.ID + "." + rh[:12] + "@" + c.host()
	m := &Message{
		Channel: "email", NoticeID: n.ID(), DeliveryID: DeliveryID(n.ID(), "email", rh), Audience: n.Audience.ID, Item: n.Item.Slug,
		To: r.Email, ToName: headerSafe(r.Name), From: c.From, FromName: headerSafe(c.FromName),
		Subject: headerSafe(d.Subject() + " — " + c.Site.Config.Title),
		Text:    rd.text, HTML: rd.html, Date: c.Now, MessageID: root,
	}
	if !n.First {
		m.MessageID = "herald." + n.Item.Slug + "." + n.Audience.ID + "." + rh[:12] + "." + n.ID()[:12] + "@" + c.host()
		m.InReplyTo = root
	}
	c.unsubscribe(m, n.Audience, rh)
	return m, nil
}

// unsubscribe sets the List-Unsubscribe targets of mail to audiences with
// the service or public digest (end-users and customers).
func (c *Composer) unsubscribe(m *Message, a *site.Audience, rh string) {
	if a.Digest != "service" && a.Digest != "public" {
		return
	}
	if c.UnsubscribeMailto != "" {
		m.Unsubscribe = append(m.Unsubscribe, "mailto:"+strings.TrimPrefix(c.UnsubscribeMailto, "mailto:"))
	}
	if strings.HasPrefix(c.UnsubscribeURL, "https://") {
		sep := "?"
		if strings.Contains(c.UnsubscribeURL, "?") {
			sep = "&"
		}
		m.Unsubscribe = append(m.Unsubscribe, c.UnsubscribeURL+sep+"a="+url.QueryEscape(a.ID)+"&r="+rh)
		m.OneClick = true
	}
}

// SMS renders the notice as a text message to r.
func (c *Composer) SMS(n Notice, r Recipient) (*Message, error) {
	rd := c.rendering(n)
	rd.sms.Do(func() {
		var sms site.SMS
		sms, rd.smsErr = c.Templates.SMS(c.Digest(n))
		rd.smsMsg = sms.Text
	})
	if rd.smsErr != nil {
		return nil, rd.smsErr
	}
	rh := RecipientHash(c.Key, "sms", r.Phone)
	return &Message{Channel: "sms", NoticeID: n.ID(), DeliveryID: DeliveryID(n.ID(), "sms", rh), Audience: n.Audience.ID, Item: n.Item.Slug,
		To: r.Phone, ToName: r.Name, From: c.SMSFrom, Body: rd.smsMsg}, nil
}

// Call renders the notice as a voice call to r: TwiML that reads a short
// summary.
func (c *Composer) Call(n Notice, r Recipient) (*Message, error) {
	d := c.Digest(n)
	var say strings.Builder
	say.WriteString("This is " + c.Site.Config.Title + ". ")
	if d.Severity != nil {
		say.WriteString(d.Severity.Name + " incident. ")
	}
	say.WriteString(d.Title + ". Status: " + d.Label + ". ")
	if d.Latest != nil {
		say.WriteString(firstSentence(d.Latest.Text.Plain) + " ")
	}
	say.WriteString("Details are on the status page and in your email.")
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="alice">`)
	_ = xml.EscapeText(&b, []byte(site.FoldGSM(say.String())))
	b.WriteString(`</Say></Response>`)
	rh := RecipientHash(c.Key, "call", r.Phone)
	return &Message{Channel: "call", NoticeID: n.ID(), DeliveryID: DeliveryID(n.ID(), "call", rh), Audience: n.Audience.ID, Item: n.Item.Slug,
		To: r.Phone, ToName: r.Name, From: c.SMSFrom, Body: b.String()}, nil
}

func firstSentence(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	for i := 0; i+1 < len(s); i++ {
		if (s[i] == '.' || s[i] == '!' || s[i] == '?') && s[i+1] == ' ' && i > 20 {
			return s[:i+1]
		}
	}
	if len(s) > 300 {
		return s[:300]
	}
	return s
}

// Slack renders the notice as an incoming-webhook message to url; a
// summary as its report's headlines.
func (c *Composer) Slack(n Notice, endpoint string) (*Message, error) {
	var msg site.SlackMessage
	if n.Kind == KindSummary {
		sr, err := c.summary(n)
		if err != nil {
			return nil, err
		}
		msg = sr.report.Slack()
	} else {
		msg = c.Digest(n).Slack()
	}
	body, err := json.Marshal(msg)
	if err != nil {
		return nil, err
	}
	return c.hookMessage(n, "slack", endpoint, body), nil
}

// hookMessage is a Slack or webhook message of the notice to endpoint; a
// webhook's is signed.
func (c *Composer) hookMessage(n Notice, channel, endpoint string, body []byte) *Message {
	rh := RecipientHash(c.Key, channel, endpoint)
	m := &Message{Channel: channel, NoticeID: n.ID(), DeliveryID: DeliveryID(n.ID(), channel, rh), Audience: n.Audience.ID, Item: n.Item.Slug,
		To: endpoint, JSON: body}
	if channel == "webhook" {
		m.Signature = Sign(c.WebhookSecret, body)
	}
	return m
}

// WebhookPayload is the JSON a webhook receives.
type WebhookPayload struct {
	Notice   webhookNotice   `json:"notice"`
	Audience webhookAudience `json:"audience"`
	Page     webhookPage     `json:"page"`
	Incident any             `json:"incident,omitempty"`
	// Maintenance is set instead of Incident for maintenance notices,
	// Summary for summaries.
	Maintenance any             `json:"scheduled_maintenance,omitempty"`
	Summary     *webhookSummary `json:"summary,omitempty"`
}

type webhookNotice struct {
	ID        string    `json:"id"`
	Kind      Kind      `json:"kind"`
	Milestone bool      `json:"milestone"`
	CreatedAt time.Time `json:"created_at"`
}

type webhookAudience struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Digest string `json:"digest"`
	Text   string `json:"text"` // the latest update as this audience reads it
}

type webhookPage struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	URL  string `json:"url"`
}

// Webhook renders the notice as a signed JSON POST to endpoint: the
// incident in Statuspage's v2 shape plus the audience's fields; for a
// summary, the period and its report.
func (c *Composer) Webhook(n Notice, endpoint string) (*Message, error) {
	if n.Kind == KindSummary {
		return c.summaryWebhook(n, endpoint)
	}
	d := c.Digest(n)
	p := WebhookPayload{
		Notice:   webhookNotice{ID: n.ID(), Kind: n.Kind, Milestone: n.Kind.Milestone(), CreatedAt: c.Now},
		Audience: webhookAudience{ID: n.Audience.ID, Name: n.Audience.Name, Digest: n.Audience.Digest},
		Page:     webhookPage{ID: site.PageID(c.Site.Config), Name: c.Site.Config.Title, URL: c.Site.Config.BaseURL},
	}
	if d.Latest != nil {
		p.Audience.Text = d.Latest.Text.Plain
	}
	c.statuspageOnce.Do(func() { c.statuspage = site.NewStatuspage(c.Site) })
	if n.Item.Incident != nil {
		p.Incident = c.statuspage.Incident(n.Item.Incident)
	} else {
		p.Maintenance = c.statuspage.Maintenance(n.Item.Maintenance)
	}
	body, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return c.hookMessage(n, "webhook", endpoint, body), nil
}

// Sign is the webhook signature: hex HMAC-SHA256 of the body, sent as
// "X-Herald-Signature: sha256=<hex>".
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}
