package site

import (
	"bytes"
	"fmt"
	"html/template"
	"time"
)

// A Digest is one incident or maintenance as one audience sees it: the
// data behind digests/<audience>/<slug>.{html,txt} and, later, notices.
// Text comes from the public body plus the blocks that reach the audience.
type Digest struct {
	Site     *Config
	Audience *Audience
	Kind     string // "incident" or "maintenance"
	Slug     string
	Title    string
	URL      string // the public page; empty for an internal incident
	Status   string
	Label    string // Status as people read it
	Severity *Severity
	Impact   Impact
	Active   bool
	Started  time.Time
	Ended    time.Time // zero while active
	Duration time.Duration
	ETA      time.Time
	Next     time.Time // the latest update's next_update promise

	Start, End time.Time // a maintenance's window

	Commander    string
	Responders   []string
	Tags         []string
	Detected     time.Time
	Acknowledged time.Time

	Components []DigestComponent
	Summary    Text
	Updates    []DigestUpdate // oldest first
	Latest     *DigestUpdate
	Review     *DigestReview
}

// DigestComponent is an affected component and its current status.
type DigestComponent struct {
	Name   string
	Status Status
}

// Text is Markdown rendered both ways.
type Text struct {
	HTML  template.HTML
	Plain string
}

func textOf(markdown string) Text {
	h, p := markdownText(markdown)
	return Text{HTML: h, Plain: p}
}

// DigestUpdate is one update as the audience sees it.
type DigestUpdate struct {
	At        time.Time
	Status    string
	Label     string
	Severity  *Severity
	Retriaged bool
	ETA, Next time.Time
	Changes   []change
	Text      Text
}

// DigestReview is a review as the audience sees it.
type DigestReview struct {
	Published   bool
	RootCause   string
	ActionItems []ActionItem
	Text        Text
}

// IncidentDigest builds the digest of in for audience a.
func (s *Site) IncidentDigest(in *Incident, a *Audience) *Digest {
	return s.incidentDigest(in, a, textOf)
}

// incidentDigest is IncidentDigest with Markdown rendered by text, so that
// the digests of one incident can share what reads the same for several
// audiences.
func (s *Site) incidentDigest(in *Incident, a *Audience, text func(string) Text) *Digest {
	d := &Digest{
		Site: s.Config, Audience: a, Kind: "incident", Slug: in.Slug, Title: in.Title,
		Status: in.Status, Label: StatusLabel(in.Status), Severity: in.CurrentSeverity, Impact: in.CurrentSeverity.Impact,
		Active: in.Active(), Started: in.Started, Ended: in.Resolved, Duration: in.End(s.Now).Sub(in.Started),
		Commander: in.Commander, Responders: in.Responders, Tags: in.Tags, Detected: in.Detected, Acknowledged: in.Acknowledged,
		Summary: in.Summary.textFor(a, text),
	}
	if in.Public {
		d.URL = s.Config.BaseURL + "incidents/" + in.Slug + "/"
	}
	for _, id := range in.Affected {
		d.Components = append(d.Components, DigestComponent{Name: s.Config.Component(id).Name, Status: in.ComponentStatus(id)})
	}
	var prev map[string]Status
	for _, u := range in.Updates {
		du := DigestUpdate{At: u.At, Status: u.Status, Label: StatusLabel(u.Status), Severity: u.Severity, Retriaged: u.Retriaged, ETA: u.ETA, Next: u.NextUpdate, Text: u.Body.textFor(a, text)}
		for _, id := range in.Affected {
			now, ok := u.Components[id]
			if !ok {
				continue
			}
			old, had := prev[id]
			if !had {
				old = Operational
			}
			if old != now {
				du.Changes = append(du.Changes, change{Name: s.Config.Component(id).Name, Old: old, New: now})
			}
		}
		prev = u.Components
		d.Updates = append(d.Updates, du)
	}
	if n := len(d.Updates); n > 0 {
		d.Latest = &d.Updates[n-1]
		d.ETA = d.Latest.ETA
		d.Next = d.Latest.Next
	}
	if in.Review != nil && (in.Review.Published || a.Digest != "public") {
		d.Review = &DigestReview{Published: in.Review.Published, RootCause: in.Review.RootCause, ActionItems: in.Review.ActionItems, Text: in.Review.Body.textFor(a, text)}
	}
	return d
}

// MaintenanceDigest builds the digest of m for audience a.
func (s *Site) MaintenanceDigest(m *Maintenance, a *Audience) *Digest {
	st := m.State(s.Now)
	d := &Digest{
		Site: s.Config, Audience: a, Kind: "maintenance", Slug: m.Slug, Title: m.Title,
		Status: st, Label: StatusLabel(st), Impact: ImpactNone, Active: m.InProgress(s.Now),
		Start: m.Start, End: m.End, Started: m.Start, Duration: m.End.Sub(m.Start),
		URL:     s.Config.BaseURL + "maintenance/" + m.Slug + "/",
		Summary: m.Body.textFor(a, textOf),
	}
	for _, id := range m.Components {
		status := Operational
		if m.InProgress(s.Now) {
			status = UnderMaintenance
		}
		d.Components = append(d.Components, DigestComponent{Name: s.Config.Component(id).Name, Status: status})
	}
	for _, u := range m.Updates {
		d.Updates = append(d.Updates, DigestUpdate{At: u.At, Status: u.Status, Label: StatusLabel(u.Status), ETA: u.ETA, Next: u.NextUpdate, Text: u.Body.textFor(a, textOf)})
	}
	if n := len(d.Updates); n > 0 {
		d.Latest = &d.Updates[n-1]
		d.ETA = d.Latest.ETA
		d.Next = d.Latest.Next
	}
	return d
}

type digestIndex struct {
	Site      *Config
	Audiences []audienceDigests
}

type audienceDigests struct {
	*Audience
	Items []*Digest
	More  int // digests left off the index, still in the audience's folder
}

// The index lists an audience's newest incidents and maintenance windows
// only: a long-lived site has tens of thousands of digests, which the
// folders hold by slug.
const (
	indexIncidents    = 100
	indexMaintenances = 20
)

func (r *renderer) digestJobs(out Output) []func() error {
	var jobs []func() error
	idx := digestIndex{Site: r.cfg}
	notified := make([][]*Audience, len(r.s.Incidents)) // by incident, for the jobs below
	for _, a := range r.cfg.Audiences {
		ad := audienceDigests{Audience: a}
		var items []*Digest
		listed := 0
		for i, in := range r.s.Incidents {
			if in.NotifiedTo(a) {
				if listed++; listed <= indexIncidents {
					items = append(items, &Digest{Audience: a, Kind: "incident", Slug: in.Slug, Title: in.Title, Label: StatusLabel(in.Status), Started: in.Started})
				} else {
					ad.More++
				}
				notified[i] = append(notified[i], a)
			}
		}
		listed = 0
		for _, m := range r.s.Maintenances {
			if m.NotifiedTo(a) {
				if listed++; listed <= indexMaintenances {
					items = append(items, &Digest{Audience: a, Kind: "maintenance", Slug: m.Slug, Title: m.Title, Label: StatusLabel(m.State(r.s.Now)), Started: m.Start})
				} else {
					ad.More++
				}
				jobs = append(jobs, func() error {
					// It shows the window as it stands now.
					key := r.keys.key("digest", m.sum, false, a.ID, m.State(r.s.Now))
					return r.writeDigest(out, a.ID+"/"+m.Slug, key, func() *Digest { return r.s.MaintenanceDigest(m, a) })
				})
			}
		}
		ad.Items = items
		idx.Audiences = append(idx.Audiences, ad)
	}
	// One job per incident writes its digest for every audience: most of an
	// incident's texts read the same for several audiences, and are
	// rendered once.
	for i, in := range r.s.Incidents {
		if len(notified[i]) == 0 {
			continue
		}
		jobs = append(jobs, func() error {
			done := map[string]Text{}
			text := func(markdown string) Text {
				t, ok := done[markdown]
				if !ok {
					t = textOf(markdown)
					done[markdown] = t
				}
				return t
			}
			for _, a := range notified[i] {
				// A digest shows the incident, the configuration and, while
				// the incident lasts, the clock.
				key := r.keys.key("digest", in.sum, in.Active(), a.ID)
				if err := r.writeDigest(out, a.ID+"/"+in.Slug, key, func() *Digest { return r.s.incidentDigest(in, a, text) }); err != nil {
					return err
				}
			}
			return nil
		})
	}
	jobs = append(jobs, func() error {
		var buf bytes.Buffer
		if err := r.pages["digests.html"].ExecuteTemplate(&buf, "digests.html", idx); err != nil {
			return fmt.Errorf("render digests/index.html: %w", err)
		}
		return out.WriteFile("index.html", buf.Bytes())
	})
	return jobs
}

// writeDigest renders one digest as HTML and as text into base.html and
// base.txt, made from key: a KeyedOutput holding either keeps it.
func (r *renderer) writeDigest(out Output, base string, key Key, digest func() *Digest) error {
	html, txt := base+".html", base+".txt"
	ko, keyed := out.(KeyedOutput)
	var keepHTML, keepTxt bool
	if keyed {
		keepHTML, keepTxt = ko.Keep(html, key), ko.Keep(txt, key)
		if keepHTML && keepTxt {
			return nil
		}
	}
	write := func(name string, b []byte) error {
		if keyed {
			return ko.WriteKeyed(name, key, b)
		}
		return out.WriteFile(name, b)
	}
	d := digest()
	if !keepHTML {
		h, err := r.DigestHTML(d)
		if err != nil {
			return err
		}
		if err := write(html, h); err != nil {
			return err
		}
	}
	if !keepTxt {
		t, err := r.DigestText(d)
		if err != nil {
			return err
		}
		if err := write(txt, t); err != nil {
			return err
		}
	}
	return nil
}
