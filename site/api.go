package site

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// The Statuspage-compatible API: the documents of Atlassian Statuspage's
// public v2 API (https://<page>/api/v2/…), with the same keys, types and
// vocabularies, so that any Statuspage client reads a herald site unchanged.
// Where herald has no such notion the field holds what Statuspage gives a
// page that does not use it:
//
//   - ids are 12 lower-case letters and digits derived from the slug or
//     component id (apiID), stable across builds;
//   - times are RFC 3339 with milliseconds, in the site's time zone;
//   - a component's created_at is the earliest time in the public content
//     (the site has no record of when a component was configured), its
//     updated_at the last time its status changed (else created_at);
//   - the page's updated_at is the last time its status may have changed:
//     a component's status, an incident opened, re-triaged or resolved, a
//     maintenance's progress. It is the same in every document (the page
//     is one object), and an update that changes none of these, which its
//     incident's updated_at records, leaves the documents that do not
//     list the incident as they were;
//   - an incident with a published review is in status "postmortem";
//   - a maintenance's impact is "maintenance", its monitoring_at the first
//     verifying update, its resolved_at the completing update (or the end
//     of the window when it completed with no update);
//   - update bodies are the public Markdown as plain text;
//   - text has the control characters dropped that XML forbids (cleanText),
//     so every output shows the same words;
//   - deliver_notifications is true: every update is a notice;
//   - shortlink is the incident's page.
const apiDir = "api/v2/"

// apiIncidentLimit is how many incidents incidents.json and
// scheduled-maintenances.json hold, as on Statuspage.
const apiIncidentLimit = 50

type apiPage struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	URL       string `json:"url"`
	TimeZone  string `json:"time_zone"`
	UpdatedAt string `json:"updated_at"`
}

type apiStatus struct {
	Indicator   string `json:"indicator"`
	Description string `json:"description"`
}

type apiComponent struct {
	ID                 string   `json:"id"`
	Name               string   `json:"name"`
	Status             Status   `json:"status"`
	CreatedAt          string   `json:"created_at"`
	UpdatedAt          string   `json:"updated_at"`
	Position           int      `json:"position"`
	Description        *string  `json:"description"`
	Showcase           bool     `json:"showcase"`
	StartDate          *string  `json:"start_date"`
	GroupID            *string  `json:"group_id"`
	PageID             string   `json:"page_id"`
	Group              bool     `json:"group"`
	OnlyShowIfDegraded bool     `json:"only_show_if_degraded"`
	Components         []string `json:"components,omitempty"` // a group's children
}

type apiAffected struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	OldStatus Status `json:"old_status"`
	NewStatus Status `json:"new_status"`
}

type apiUpdate struct {
	ID                   string        `json:"id"`
	Status               string        `json:"status"`
	Body                 string        `json:"body"`
	IncidentID           string        `json:"incident_id"`
	CreatedAt            string        `json:"created_at"`
	UpdatedAt            string        `json:"updated_at"`
	DisplayAt            string        `json:"display_at"`
	AffectedComponents   []apiAffected `json:"affected_components"` // null when none
	DeliverNotifications bool          `json:"deliver_notifications"`
}

type apiIncident struct {
	ID              string         `json:"id"`
	Name            string         `json:"name"`
	Status          string         `json:"status"`
	CreatedAt       string         `json:"created_at"`
	UpdatedAt       string         `json:"updated_at"`
	MonitoringAt    *string        `json:"monitoring_at"`
	ResolvedAt      *string        `json:"resolved_at"`
	Impact          string         `json:"impact"`
	Shortlink       string         `json:"shortlink"`
	StartedAt       string         `json:"started_at"`
	PageID          string         `json:"page_id"`
	IncidentUpdates []apiUpdate    `json:"incident_updates"`
	Components      []apiComponent `json:"components"`
	ScheduledFor    *string        `json:"scheduled_for,omitempty"`   // maintenance only
	ScheduledUntil  *string        `json:"scheduled_until,omitempty"` // maintenance only
}

// api holds the documents, built once per render.
type api struct {
	r          *renderer
	page       apiPage
	status     apiStatus
	components []apiComponent          // groups and components, in page order
	byID       map[string]apiComponent // component id → its entry
	groupIDs   map[string]string       // group name → api id
}

func (r *renderer) newAPI() *api {
	a := &api{r: r, byID: map[string]apiComponent{}, groupIDs: map[string]string{}}
	ind := r.indicator
	a.page = apiPage{
		ID:       apiID("page", r.cfg.BaseURL),
		Name:     cleanText(r.cfg.Title),
		URL:      strings.TrimSuffix(r.cfg.BaseURL, "/"),
		TimeZone: r.cfg.Timezone,
	}
	a.status = apiStatus{Indicator: string(ind.Impact), Description: ind.Description}
	created := r.first
	component := func(c *Component, pos int, group *string) apiComponent {
		updated := r.changed[c.ID]
		ac := apiComponent{
			ID: apiID("component", c.ID), Name: cleanText(c.Name), Status: r.status[c.ID],
			CreatedAt: a.time(created), UpdatedAt: a.time(updated), Position: pos,
			Showcase: true, GroupID: group, PageID: a.page.ID,
		}
		if c.Description != "" {
			d := cleanText(c.Description)
			ac.Description = &d
		}
		return ac
	}
	// Page order, as the index shows it: components outside any group,
	// then each group with its components. Positions count within the
	// parent.
	pos := 0
	for _, c := range r.cfg.Components {
		if c.Group == "" {
			pos++
			ac := component(c, pos, nil)
			a.byID[c.ID] = ac
			a.components = append(a.components, ac)
		}
	}
	for _, g := range r.cfg.Groups {
		pos++
		gid := apiID("group", g.Name)
		a.groupIDs[g.Name] = gid
		ga := apiComponent{ID: gid, Name: cleanText(g.Name), Status: Operational, CreatedAt: a.time(created), Position: pos, PageID: a.page.ID, Group: true, Components: []string{}}
		var children []apiComponent
		updated := created
		for i, c := range g.Components {
			ac := component(c, i+1, &gid)
			a.byID[c.ID] = ac
			children = append(children, ac)
			ga.Status = worse(ga.Status, ac.Status)
			ga.Components = append(ga.Components, ac.ID)
			if t := r.changed[c.ID]; t.After(updated) {
				updated = t
			}
		}
		ga.UpdatedAt = a.time(updated)
		a.components = append(a.components, ga)
		a.components = append(a.components, children...)
	}

	// The page's updated_at: the last change that may have moved its status.
	updated := created
	later := func(t time.Time) {
		if t.After(updated) && !t.After(r.s.Now) {
			updated = t
		}
	}
	for _, c := range r.cfg.Components {
		later(r.changed[c.ID])
	}
	for _, in := range r.view.Incidents {
		// Every time below is at or before the incident's last update.
		if !in.LastChanged().After(updated) {
			continue
		}
		later(in.Started)
		for i, u := range in.Updates {
			if i == 0 || u.Retriaged {
				later(u.At)
			}
		}
		later(in.Resolved)
	}
	for _, m := range r.view.Maintenances {
		later(m.Changed(r.s.Now))
	}
	a.page.UpdatedAt = a.time(updated)
	return a
}

// statusChanged is the last moment before now at which the status that
// spans give a component changed, or created when it never did. An update
// that leaves the status as it was (a new span of the same status, or one
// under a worse span of another incident) is no change: the component's
// entry, and every document that holds it, stays the same.
func statusChanged(spans []Span, created, now time.Time) time.Time {
	return flatChanged(flatten(spans), created, now)
}

// flatChanged is statusChanged of spans already flattened.
func flatChanged(flat []Span, created, now time.Time) time.Time {
	t := created
	// Flattened spans are disjoint, of a status other than operational,
	// and never end where one of the same status begins: each end is a
	// change, save the end of one still running at now.
	for _, sp := range flat {
		for _, c := range []time.Time{sp.From, sp.To} {
			if c.After(t) && c.Before(now) {
				t = c
			}
		}
	}
	return t
}

// time formats t as Statuspage does: RFC 3339 with milliseconds, in the
// page's time zone.
func (a *api) time(t time.Time) string {
	return t.In(a.r.cfg.Location).Format("2006-01-02T15:04:05.000Z07:00")
}

func (a *api) timeOrNull(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := a.time(t)
	return &s
}

func (a *api) componentsOf(ids []string) []apiComponent {
	out := []apiComponent{}
	for _, id := range ids {
		if c, ok := a.byID[id]; ok {
			out = append(out, c)
		}
	}
	return out
}

func (a *api) incident(in *Incident) apiIncident {
	r := a.r
	id := apiID("incident", in.Slug)
	status := in.Status
	if !in.Active() && in.Review != nil && in.Review.Published {
		status = "postmortem"
	}
	created := in.Started
	if len(in.Updates) > 0 {
		created = in.Updates[0].At
	}
	ai := apiIncident{
		ID: id, Name: cleanText(in.Title), Status: status,
		CreatedAt: a.time(created), UpdatedAt: a.time(in.LastChanged()),
		MonitoringAt: a.timeOrNull(in.Monitoring), ResolvedAt: a.timeOrNull(in.Resolved),
		Impact: string(in.CurrentSeverity.Impact), Shortlink: r.cfg.BaseURL + "incidents/" + in.Slug + "/",
		StartedAt: a.time(in.Started), PageID: a.page.ID,
		IncidentUpdates: []apiUpdate{}, Components: a.componentsOf(in.Affected),
	}
	var prev map[string]Status
	var changes [][]apiAffected
	for _, u := range in.Updates {
		var affected []apiAffected
		for _, cid := range in.Affected {
			now, ok := u.Components[cid]
			if !ok {
				continue
			}
			old, had := prev[cid]
			if !had {
				old = Operational
			}
			affected = append(affected, apiAffected{Code: apiID("component", cid), Name: cleanText(r.cfg.Component(cid).Name), OldStatus: old, NewStatus: now})
		}
		prev = u.Components
		changes = append(changes, affected)
	}
	for i := len(in.Updates) - 1; i >= 0; i-- { // newest first
		ai.IncidentUpdates = append(ai.IncidentUpdates, a.update(id, in.Slug, in.Updates[i], changes[i]))
	}
	return ai
}

func (a *api) update(parent, slug string, u *Update, affected []apiAffected) apiUpdate {
	at := a.time(u.At)
	return apiUpdate{
		ID: apiID("update", updateKey(slug, u)), Status: u.Status, Body: cleanText(u.PublicPlain()),
		IncidentID: parent, CreatedAt: at, UpdatedAt: at, DisplayAt: at,
		AffectedComponents: affected, DeliverNotifications: true,
	}
}

func (a *api) maintenance(m *Maintenance) apiIncident {
	r := a.r
	now := r.s.Now
	id := apiID("maintenance", m.Slug)
	state := m.State(now)
	created := m.Start
	if len(m.Updates) > 0 {
		created = m.Updates[0].At
	}
	var monitoring, resolved time.Time
	for _, u := range m.Updates {
		if u.Status == "verifying" && monitoring.IsZero() {
			monitoring = u.At
		}
		if u.Status == "completed" && resolved.IsZero() {
			resolved = u.At
		}
	}
	if state == "completed" && resolved.IsZero() {
		resolved = m.End
	}
	ai := apiIncident{
		ID: id, Name: cleanText(m.Title), Status: state,
		CreatedAt: a.time(created), UpdatedAt: a.time(m.LastChanged()),
		MonitoringAt: a.timeOrNull(monitoring), ResolvedAt: a.timeOrNull(resolved),
		Impact: "maintenance", Shortlink: r.cfg.BaseURL + "maintenance/" + m.Slug + "/",
		StartedAt: a.time(m.Start), PageID: a.page.ID,
		IncidentUpdates: []apiUpdate{}, Components: a.componentsOf(m.Components),
		ScheduledFor: a.timeOrNull(m.Start), ScheduledUntil: a.timeOrNull(m.End),
	}
	// Each update lists the window's components, under maintenance while
	// it is in progress or verifying.
	under := func(s string) Status {
		if s == "in_progress" || s == "verifying" {
			return UnderMaintenance
		}
		return Operational
	}
	prev := Operational
	var changes [][]apiAffected
	for _, u := range m.Updates {
		var affected []apiAffected
		next := under(u.Status)
		for _, cid := range m.Components {
			affected = append(affected, apiAffected{Code: apiID("component", cid), Name: cleanText(r.cfg.Component(cid).Name), OldStatus: prev, NewStatus: next})
		}
		prev = next
		changes = append(changes, affected)
	}
	for i := len(m.Updates) - 1; i >= 0; i-- {
		ai.IncidentUpdates = append(ai.IncidentUpdates, a.update(id, m.Slug, m.Updates[i], changes[i]))
	}
	return ai
}

// apiJobs are the api/v2 documents, worked out when the first of them is
// rendered.
func (r *renderer) apiJobs() []job {
	docs := sync.OnceValue(r.apiDocs)
	var jobs []job
	for _, name := range apiDocNames {
		jobs = append(jobs, job{name: apiDir + name, render: func() ([]byte, error) {
			d, ok := docs()[name]
			if !ok {
				return nil, fmt.Errorf("api/v2/%s: no such document", name)
			}
			return marshalJSON(d)
		}})
	}
	return jobs
}

// apiDocNames are the documents under api/v2/.
var apiDocNames = []string{
	"summary.json", "status.json", "components.json", "incidents.json", "incidents/unresolved.json",
	"scheduled-maintenances.json", "scheduled-maintenances/upcoming.json", "scheduled-maintenances/active.json",
}

// apiDocs are the api/v2 documents by name.
func (r *renderer) apiDocs() map[string]any {
	a := r.newAPI()
	now := r.s.Now
	var all, unresolved []apiIncident
	for i, in := range r.view.Incidents { // newest first
		if i < apiIncidentLimit {
			all = append(all, a.incident(in))
		}
		if in.Active() {
			unresolved = append(unresolved, a.incident(in))
		}
	}
	var maint, upcoming, active []apiIncident
	for i, m := range r.view.Maintenances { // latest window first
		if i >= apiIncidentLimit && !m.InProgress(now) && !m.Upcoming(now) {
			continue
		}
		am := a.maintenance(m)
		if i < apiIncidentLimit {
			maint = append(maint, am)
		}
		switch {
		case m.InProgress(now):
			active = append(active, am)
		case m.Upcoming(now):
			upcoming = append(upcoming, am)
		}
	}
	// Statuspage lists what is to come soonest first.
	slices.Reverse(upcoming)
	slices.Reverse(active)
	nonNil := func(s []apiIncident) []apiIncident {
		if s == nil {
			return []apiIncident{}
		}
		return s
	}
	docs := []struct {
		name string
		doc  any
	}{
		{"summary.json", struct {
			Page                  apiPage        `json:"page"`
			Components            []apiComponent `json:"components"`
			Incidents             []apiIncident  `json:"incidents"`
			ScheduledMaintenances []apiIncident  `json:"scheduled_maintenances"`
			Status                apiStatus      `json:"status"`
		}{a.page, nonNilComponents(a.components), nonNil(unresolved), nonNil(append(slices.Clone(active), upcoming...)), a.status}},
		{"status.json", struct {
			Page   apiPage   `json:"page"`
			Status apiStatus `json:"status"`
		}{a.page, a.status}},
		{"components.json", struct {
			Page       apiPage        `json:"page"`
			Components []apiComponent `json:"components"`
		}{a.page, nonNilComponents(a.components)}},
		{"incidents.json", incidentsDoc{a.page, nonNil(all)}},
		{"incidents/unresolved.json", incidentsDoc{a.page, nonNil(unresolved)}},
		{"scheduled-maintenances.json", maintenancesDoc{a.page, nonNil(maint)}},
		{"scheduled-maintenances/upcoming.json", maintenancesDoc{a.page, nonNil(upcoming)}},
		{"scheduled-maintenances/active.json", maintenancesDoc{a.page, nonNil(active)}},
	}
	out := make(map[string]any, len(docs))
	for _, d := range docs {
		out[d.name] = d.doc
	}
	return out
}

type incidentsDoc struct {
	Page      apiPage       `json:"page"`
	Incidents []apiIncident `json:"incidents"`
}

type maintenancesDoc struct {
	Page                  apiPage       `json:"page"`
	ScheduledMaintenances []apiIncident `json:"scheduled_maintenances"`
}

func nonNilComponents(s []apiComponent) []apiComponent {
	if s == nil {
		return []apiComponent{}
	}
	return s
}

// marshalJSON is json.Marshal with two-space indentation and a final
// newline. It keeps encoding/json's escaping of <, > and &, so a document
// served with the wrong type is still no HTML.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
