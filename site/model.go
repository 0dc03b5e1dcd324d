package site

import (
	"html/template"
	"io/fs"
	"slices"
	"sort"
	"time"
)

// Site is everything Load read: immutable once returned.
type Site struct {
	Config       *Config
	Now          time.Time
	Incidents    []*Incident    // newest first
	Maintenances []*Maintenance // latest window first
	// Assets are the other files in bundles, as paths in the source FS
	// mapped to their paths in public/.
	Assets map[string]string

	src fs.FS
}

func (s *Site) fsys() fs.FS { return s.src }

// Incident is content/incidents/<slug>/.
type Incident struct {
	Slug, Path   string
	Title        string
	Severity     *Severity // as declared in incident.md
	Components   []string  // as declared
	Started      time.Time
	Detected     time.Time // zero when unknown
	Acknowledged time.Time // zero when unknown
	Commander    string
	Responders   []string
	Tags         []string
	Audiences    []string // empty: every audience
	Public       bool
	Extra        map[string]any
	Summary      Body
	Updates      []*Update // in order
	Review       *Review

	// Derived from the updates.
	Affected        []string  // components, then any named only in an impact
	CurrentSeverity *Severity // after re-triage
	MaxSeverity     *Severity // the worst it ever was
	Status          string    // latest update's status; investigating with none
	Resolved        time.Time // zero while unresolved
	Monitoring      time.Time // first monitoring update; zero if none
	Identified      time.Time // first identified update; zero if none
	last            time.Time // LastChanged, kept beside the other times
	sum             Key       // of the bundle's Markdown files: what the incident is made from

	// spans memoizes a resolved incident's spans per component: they no
	// longer depend on the clock, and serve renders them at every edit.
	spans func() map[string][]Span
}

// Update is one file of an incident or maintenance.
type Update struct {
	Path       string
	BodyLine   int // the body's first line
	At         time.Time
	Status     string
	Impact     map[string]Status // as written
	ETA        time.Time         // carried over from earlier updates until replaced
	NextUpdate time.Time         // this update's promise only
	Body       Body

	Severity   *Severity         // in force from this update on (incidents)
	Retriaged  bool              // this update changed the severity
	Components map[string]Status // every affected component after this update
}

// PublicHTML is the update's public text as HTML.
func (u *Update) PublicHTML() template.HTML { return u.Body.publicText().HTML }

// PublicPlain is the update's public text as plain text.
func (u *Update) PublicPlain() string { return u.Body.publicText().Plain }

// Maintenance is content/maintenance/<slug>/.
type Maintenance struct {
	Slug, Path string
	Title      string
	Components []string
	Start, End time.Time
	Audiences  []string
	Body       Body
	Updates    []*Update

	sum Key // of the bundle's Markdown files
}

// Review is an incident's review.md.
type Review struct {
	Path        string
	Published   bool
	RootCause   string
	ActionItems []ActionItem
	Body        Body
}

// ActionItem is one preventive action from a review.
type ActionItem struct {
	Title, Owner string
	Done         bool
	Due          time.Time // zero when not set
}

// Active reports whether the incident is unresolved.
func (in *Incident) Active() bool { return in.Resolved.IsZero() }

// End is when the incident stopped, or now while it is active.
func (in *Incident) End(now time.Time) time.Time {
	if in.Active() {
		return now
	}
	return in.Resolved
}

// Latest is the newest update, or nil.
func (in *Incident) Latest() *Update {
	if len(in.Updates) == 0 {
		return nil
	}
	return in.Updates[len(in.Updates)-1]
}

// LastChanged is the time of the newest update, or the start.
func (in *Incident) LastChanged() time.Time {
	if !in.last.IsZero() {
		return in.last
	}
	if u := in.Latest(); u != nil {
		return u.At
	}
	return in.Started
}

// ComponentStatus is the status of component id in the incident now.
func (in *Incident) ComponentStatus(id string) Status {
	if u := in.Latest(); u != nil {
		if s, ok := u.Components[id]; ok {
			return s
		}
	}
	return Operational
}

// NotifiedTo reports whether audience a hears about the incident: the
// incident's audiences narrow, the audience's severities filter, and
// internal incidents reach no public digest.
func (in *Incident) NotifiedTo(a *Audience) bool {
	if len(in.Audiences) > 0 && !contains(in.Audiences, a.ID) {
		return false
	}
	if !in.Public && a.Digest == "public" {
		return false
	}
	for _, u := range in.Updates {
		if a.Hears(u.Severity.ID) {
			return true
		}
	}
	return a.Hears(in.Severity.ID)
}

// State is the maintenance's status at now: its latest update's, or from
// the window when it has none.
func (m *Maintenance) State(now time.Time) string {
	if n := len(m.Updates); n > 0 {
		return m.Updates[n-1].Status
	}
	switch {
	case now.Before(m.Start):
		return "scheduled"
	case now.Before(m.End):
		return "in_progress"
	}
	return "completed"
}

// InProgress reports whether the maintenance is under way at now.
func (m *Maintenance) InProgress(now time.Time) bool {
	s := m.State(now)
	return s == "in_progress" || s == "verifying"
}

// Upcoming reports whether the maintenance is still to come at now.
func (m *Maintenance) Upcoming(now time.Time) bool { return m.State(now) == "scheduled" }

// LastChanged is the time of the newest update, or the window's start.
func (m *Maintenance) LastChanged() time.Time {
	if n := len(m.Updates); n > 0 {
		return m.Updates[n-1].At
	}
	return m.Start
}

// Changed is when what the maintenance shows last changed, as of now: its
// newest update or, with none, the start or the end of its window once
// past (its state follows the clock then). It is zero for a window
// announced with no update that has not begun: when it was announced is
// not known, and its start is still to come.
func (m *Maintenance) Changed(now time.Time) time.Time {
	switch {
	case len(m.Updates) > 0:
		return m.Updates[len(m.Updates)-1].At
	case !now.Before(m.End):
		return m.End
	case !now.Before(m.Start):
		return m.Start
	}
	return time.Time{}
}

// NotifiedTo reports whether audience a hears about the maintenance.
func (m *Maintenance) NotifiedTo(a *Audience) bool {
	return len(m.Audiences) == 0 || contains(m.Audiences, a.ID)
}

// Periods returns the spans during which the maintenance held its
// components under maintenance, up to now.
func (m *Maintenance) Periods(now time.Time) []Span {
	if len(m.Updates) == 0 {
		from, to := m.Start, m.End
		if now.Before(to) {
			to = now
		}
		if to.After(from) {
			return []Span{{From: from, To: to, Status: UnderMaintenance}}
		}
		return nil
	}
	var out []Span
	for i, u := range m.Updates {
		if u.Status != "in_progress" && u.Status != "verifying" {
			continue
		}
		to := now
		if i+1 < len(m.Updates) {
			to = m.Updates[i+1].At
		}
		if to.After(u.At) {
			out = append(out, Span{From: u.At, To: to, Status: UnderMaintenance})
		}
	}
	return out
}

// Span is a time range during which a component had a status.
type Span struct {
	From, To time.Time
	Status   Status
}

// Spans returns, for component id, the spans of non-operational status the
// incident caused, up to now.
func (in *Incident) Spans(id string, now time.Time) []Span {
	if in.spans != nil && !now.Before(in.Resolved) {
		return in.spans()[id]
	}
	return in.spansAt(id, now)
}

func (in *Incident) spansAt(id string, now time.Time) []Span {
	var out []Span
	for i, u := range in.Updates {
		s, ok := u.Components[id]
		if !ok || s == Operational {
			continue
		}
		to := in.End(now)
		if i+1 < len(in.Updates) {
			to = in.Updates[i+1].At
		}
		if to.After(now) {
			to = now
		}
		if to.After(u.At) {
			out = append(out, Span{From: u.At, To: to, Status: s})
		}
	}
	return out
}

// Visible is what a view of the site shows: the public site sees public
// incidents only.
type Visible struct {
	Incidents    []*Incident
	Maintenances []*Maintenance
}

// PublicView is the public site's view.
func (s *Site) PublicView() Visible {
	v := Visible{Maintenances: s.Maintenances}
	for _, in := range s.Incidents {
		if in.Public {
			v.Incidents = append(v.Incidents, in)
		}
	}
	return v
}

// ComponentStatus is a component's status at now: the worst over active
// incidents and maintenance in progress.
func (v Visible) ComponentStatus(id string, now time.Time) Status {
	st := Operational
	for _, in := range v.Incidents {
		if in.Active() && !in.Started.After(now) {
			st = worse(st, in.ComponentStatus(id))
		}
	}
	for _, m := range v.Maintenances {
		if m.InProgress(now) && slices.Contains(m.Components, id) {
			st = worse(st, UnderMaintenance)
		}
	}
	return st
}

// Indicator is the page's overall status, by Statuspage's rollup rules.
func (v Visible) Indicator(cfg *Config, now time.Time) Indicator {
	worst := Impact("")
	for _, in := range v.Incidents {
		if in.Active() && !in.Started.After(now) && (worst == "" || in.CurrentSeverity.Impact.Rank() > worst.Rank()) {
			worst = in.CurrentSeverity.Impact
		}
	}
	// With no unresolved incident, or only ones of impact none (sev4), the
	// components decide: a page never says "All Systems Operational" over
	// a component in major outage.
	if worst == "" || worst == ImpactNone {
		worst = ImpactNone
		for _, c := range cfg.Components {
			switch v.ComponentStatus(c.ID, now) {
			case MajorOutage:
				worst = ImpactMajor
			case PartialOutage, DegradedPerformance:
				if worst == ImpactNone {
					worst = ImpactMinor
				}
			}
		}
	}
	desc := map[Impact]string{
		ImpactNone:     "All Systems Operational",
		ImpactMinor:    "Minor Service Outage",
		ImpactMajor:    "Partial System Outage",
		ImpactCritical: "Major System Outage",
	}[worst]
	if worst == ImpactNone {
		for _, m := range v.Maintenances {
			if m.InProgress(now) {
				desc = "Service Under Maintenance"
				break
			}
		}
	}
	return Indicator{Impact: worst, Description: desc}
}

// ComponentSpans gathers every span of non-operational status for
// component id, sorted by start.
func (v Visible) ComponentSpans(id string, now time.Time) []Span {
	var out []Span
	for _, in := range v.Incidents {
		out = append(out, in.Spans(id, now)...)
	}
	for _, m := range v.Maintenances {
		if slices.Contains(m.Components, id) {
			out = append(out, m.Periods(now)...)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].From.Before(out[j].From) })
	return out
}

// FirstTime is the earliest moment the view knows of: the first incident's
// start, update or maintenance window; zero when there is no content.
func (v Visible) FirstTime() time.Time {
	var t time.Time
	early := func(c time.Time) {
		if !c.IsZero() && (t.IsZero() || c.Before(t)) {
			t = c
		}
	}
	// An incident's updates never come before its start (Load refuses
	// them), and the incidents come newest first.
	if n := len(v.Incidents); n > 0 {
		early(v.Incidents[n-1].Started)
	}
	for _, m := range v.Maintenances {
		early(m.Start)
		for _, u := range m.Updates {
			early(u.At)
		}
	}
	return t
}

// LastUpdated is the time of the newest change anywhere as of now, the
// site's "last updated" (never the build's wall-clock time, nor the start
// of a window still to come).
func (v Visible) LastUpdated(now time.Time) time.Time {
	return lastChanged(v.Incidents, v.Maintenances, now)
}

// lastChanged is the newest change among incidents and maintenances, as
// of now; zero when there is none.
func lastChanged(ins []*Incident, ms []*Maintenance, now time.Time) time.Time {
	var t time.Time
	for _, in := range ins {
		if c := in.LastChanged(); c.After(t) {
			t = c
		}
	}
	for _, m := range ms {
		if c := m.Changed(now); c.After(t) {
			t = c
		}
	}
	return t
}
