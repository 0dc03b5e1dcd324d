package site

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"
)

// Output receives rendered files. WriteFile is called from several
// goroutines at once.
type Output interface {
	WriteFile(name string, data []byte) error
}

// Render writes the public site into public and the private per-audience
// digests into digests. theme holds templates/ and assets/ (the embedded
// default, possibly overlaid by a configured theme). The same site renders
// to the same bytes.
func Render(s *Site, theme fs.FS, public, digests Output) error {
	return RenderScope(s, theme, public, digests, Scope{})
}

// Scope limits a render to what a change touched (see Reload). The zero
// Scope renders everything. Site-wide pages (the index, the history index,
// the machine outputs, the digest index) are always rendered.
type Scope struct {
	Partial      bool
	Incidents    map[string]bool // slugs
	Maintenances map[string]bool // slugs
	Components   map[string]bool // ids
	Months       map[string]bool // 2026-11
}

func (sc Scope) has(set map[string]bool, key string) bool { return !sc.Partial || set[key] }

// RenderScope renders the part of the site that scope names. A nil
// digests skips the digests.
func RenderScope(s *Site, theme fs.FS, public, digests Output, scope Scope) error {
	t, err := LoadTemplates(theme, s.Config)
	if err != nil {
		return err
	}
	return RenderWith(s, t, public, digests, scope)
}

// RenderWith is RenderScope with the theme already parsed (serve keeps it
// between rebuilds). t must have been loaded for s.Config.
func RenderWith(s *Site, t *Templates, public, digests Output, scope Scope) error {
	r := newRendererWith(s, t)
	r.scope = scope
	var jobs []func() error
	jobs = append(jobs, r.publicJobs(public)...)
	if digests != nil {
		jobs = append(jobs, r.digestJobs(digests)...)
	}
	return runJobs(jobs)
}

func runJobs(jobs []func() error) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  = make(chan func() error)
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for job := range next {
				if err := job(); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
	for _, j := range jobs {
		next <- j
	}
	close(next)
	wg.Wait()
	return first
}

type renderer struct {
	*Templates
	scope  Scope
	s      *Site
	cfg    *Config
	view   Visible
	spans  map[string][]Span // component id → spans on the public site
	uptime map[string]Uptime
	// Worked out once per render rather than once per page: each walks
	// every incident, which made a build quadratic in the content.
	indicator Indicator
	updated   time.Time
	status    map[string]Status // component id → status at Now
}

func newRenderer(s *Site, theme fs.FS) (*renderer, error) {
	t, err := LoadTemplates(theme, s.Config)
	if err != nil {
		return nil, err
	}
	return newRendererWith(s, t), nil
}

func newRendererWith(s *Site, t *Templates) *renderer {
	r := &renderer{Templates: t, s: s, cfg: s.Config}
	r.view = s.PublicView()
	r.spans = map[string][]Span{}
	r.uptime = map[string]Uptime{}
	r.status = map[string]Status{}
	for _, c := range r.cfg.Components {
		sp := r.view.ComponentSpans(c.ID, s.Now)
		r.spans[c.ID] = sp
		r.uptime[c.ID] = ComponentUptime(sp, r.cfg.HistoryDays, s.Now, r.cfg.Location)
		r.status[c.ID] = r.view.ComponentStatus(c.ID, s.Now)
	}
	r.indicator = r.view.Indicator(r.cfg, s.Now)
	r.updated = r.view.LastUpdated(s.Now)
	return r
}

func formatPercent(p float64) string {
	if p >= 100 {
		return "100%"
	}
	s := fmt.Sprintf("%.2f", p)
	if s == "100.00" {
		s = "99.99"
	}
	return s + "%"
}

// humanDuration prints a duration the way people say it: "2 h 14 min".
func humanDuration(d time.Duration) string {
	d = d.Round(time.Minute)
	if d < time.Minute {
		return "under a minute"
	}
	days := int(d / (24 * time.Hour))
	h := int(d/time.Hour) % 24
	m := int(d/time.Minute) % 60
	var parts []string
	if days > 0 {
		if days == 1 {
			parts = append(parts, "1 day")
		} else {
			parts = append(parts, fmt.Sprintf("%d days", days))
		}
	}
	if h > 0 {
		parts = append(parts, fmt.Sprintf("%d h", h))
	}
	if m > 0 && days == 0 {
		parts = append(parts, fmt.Sprintf("%d min", m))
	}
	return strings.Join(parts, " ")
}

// page is what every public page template receives.
type page struct {
	Site      *Config
	Root      string // relative path to the site root: "", "../", "../../"
	Path      string // this page's path, e.g. "incidents/db-failover/"
	Title     string
	CSS       string
	Canonical string
	Indicator Indicator
	Updated   time.Time // the newest change to what the page shows (zero: none)
	Feeds     []Feed
	Data      any
}

// Feed is an alternate representation a page advertises.
type Feed struct{ Type, Title, Href string }

// page makes a page's data. updated is its "last updated": the newest
// change to what it shows (the site's for the home page, an incident's for
// its page), never the site's own, so that a page whose content did not
// change keeps its bytes and publish leaves it alone.
func (r *renderer) page(p, title string, updated time.Time, data any) *page {
	root := strings.Repeat("../", strings.Count(p, "/"))
	return &page{
		Site: r.cfg, Root: root, Path: p, Title: title, CSS: root + r.css,
		Canonical: r.cfg.BaseURL + p,
		Indicator: r.indicator,
		Updated:   updated,
		Feeds:     r.feeds(p, root),
		Data:      data,
	}
}

func (r *renderer) exec(out Output, file, tmpl string, data any) error {
	var buf bytes.Buffer
	if err := r.pages[tmpl].ExecuteTemplate(&buf, tmpl, data); err != nil {
		return fmt.Errorf("render %s: %w", file, err)
	}
	return out.WriteFile(file, buf.Bytes())
}

func (r *renderer) publicJobs(out Output) []func() error {
	var jobs []func() error
	for _, p := range sortedKeys(r.assets) {
		if p == bannerAsset || r.scope.Partial {
			continue // published at the root by machineJobs
		}
		b := r.assets[p]
		jobs = append(jobs, func() error { return out.WriteFile(p, b) })
	}
	public := make(map[string]bool, len(r.view.Incidents))
	for _, in := range r.view.Incidents {
		public[in.Slug] = true
	}
	for _, src := range sortedKeys(r.s.Assets) {
		dst := r.s.Assets[src]
		kind, slug := bundleOf(dst)
		if kind == "incidents" && (!public[slug] || !r.scope.has(r.scope.Incidents, slug)) ||
			kind == "maintenance" && !r.scope.has(r.scope.Maintenances, slug) {
			continue
		}
		jobs = append(jobs, func() error {
			b, err := fs.ReadFile(r.s.fsys(), src)
			if err != nil {
				return err
			}
			return out.WriteFile(dst, b)
		})
	}
	jobs = append(jobs, func() error {
		return r.exec(out, "index.html", "index.html", r.page("", r.cfg.Title, r.updated, r.indexData()))
	})
	for _, in := range r.view.Incidents {
		if !r.scope.has(r.scope.Incidents, in.Slug) {
			continue
		}
		jobs = append(jobs, func() error {
			p := "incidents/" + in.Slug + "/"
			return r.exec(out, p+"index.html", "incident.html", r.page(p, in.Title, in.LastChanged(), r.incidentView(in)))
		})
	}
	for _, m := range r.view.Maintenances {
		if !r.scope.has(r.scope.Maintenances, m.Slug) {
			continue
		}
		jobs = append(jobs, func() error {
			p := "maintenance/" + m.Slug + "/"
			return r.exec(out, p+"index.html", "maintenance.html", r.page(p, m.Title, m.Changed(r.s.Now), r.maintenanceView(m)))
		})
	}
	for _, c := range r.cfg.Components {
		if !r.scope.has(r.scope.Components, c.ID) {
			continue
		}
		jobs = append(jobs, func() error {
			p := "components/" + c.ID + "/"
			cp := r.componentPage(c)
			return r.exec(out, p+"index.html", "component.html", r.page(p, c.Name, r.listed(cp.Incidents, cp.Maintenances), cp))
		})
	}
	months := r.months()
	jobs = append(jobs, func() error {
		return r.exec(out, "history/index.html", "history.html", r.page("history/", "History", time.Time{}, months))
	})
	jobs = append(jobs, func() error {
		reviews := r.reviews()
		reviewed := make([]incidentSummary, len(reviews))
		for i, rv := range reviews {
			reviewed[i] = rv.incidentSummary
		}
		return r.exec(out, "reviews/index.html", "reviews.html", r.page("reviews/", "Post-incident reviews", r.listed(reviewed, nil), reviews))
	})
	for _, mo := range months {
		if !r.scope.has(r.scope.Months, mo.Key) {
			continue
		}
		jobs = append(jobs, func() error {
			p := "history/" + mo.Key + "/"
			return r.exec(out, p+"index.html", "month.html", r.page(p, mo.Name, r.listed(mo.Incidents, mo.Maintenances), mo))
		})
	}
	jobs = append(jobs, r.machineJobs(out)...)
	return jobs
}

// listed is the "last updated" of a page that lists these incidents and
// maintenance windows: the newest change among them.
func (r *renderer) listed(ins []incidentSummary, ms []maintenanceSummary) time.Time {
	incidents := make([]*Incident, len(ins))
	for i, in := range ins {
		incidents[i] = in.Incident
	}
	windows := make([]*Maintenance, len(ms))
	for i, m := range ms {
		windows[i] = m.Maintenance
	}
	return lastChanged(incidents, windows, r.s.Now)
}

// bundleOf splits "incidents/<slug>/file" into its kind and slug.
func bundleOf(dst string) (kind, slug string) {
	parts := strings.SplitN(dst, "/", 3)
	if len(parts) < 2 {
		return "", ""
	}
	return parts[0], parts[1]
}

// Views: what templates read. Everything in them is public.

type componentView struct {
	*Component
	Status  Status
	Uptime  Uptime
	URL     string // relative to the root
	Percent string
}

type groupView struct {
	Name       string
	Worst      Status
	Components []componentView
}

type incidentSummary struct {
	*Incident
	URL      string
	Impact   Impact
	Duration time.Duration
	Latest   *updateView
	Names    []string // affected component names
}

type updateView struct {
	*Update
	Label   string
	HTML    template.HTML
	Changes []change
}

type change struct {
	Name     string
	Old, New Status
}

type maintenanceSummary struct {
	*Maintenance
	URL    string
	State  string
	Names  []string
	Latest *updateView
}

type dayView struct {
	Date         time.Time
	Incidents    []incidentSummary
	Maintenances []maintenanceSummary
}

type indexData struct {
	Active   []incidentSummary
	Ongoing  []maintenanceSummary
	Upcoming []maintenanceSummary
	Groups   []groupView
	Days     []dayView
	History  int
}

func (r *renderer) component(c *Component) componentView {
	u := r.uptime[c.ID]
	return componentView{Component: c, Status: r.status[c.ID], Uptime: u, URL: "components/" + c.ID + "/", Percent: formatPercent(u.Percent)}
}

func (r *renderer) groups() []groupView {
	var out []groupView
	var loose []componentView
	for _, c := range r.cfg.Components {
		if c.Group == "" {
			loose = append(loose, r.component(c))
		}
	}
	if len(loose) > 0 {
		out = append(out, groupView{Components: loose})
	}
	for _, g := range r.cfg.Groups {
		gv := groupView{Name: g.Name, Worst: Operational}
		for _, c := range g.Components {
			cv := r.component(c)
			gv.Worst = worse(gv.Worst, cv.Status)
			gv.Components = append(gv.Components, cv)
		}
		out = append(out, gv)
	}
	return out
}

func (r *renderer) names(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if c := r.cfg.Component(id); c != nil {
			out = append(out, c.Name)
		}
	}
	return out
}

// brief is an incident for lists: without its latest update's text.
func (r *renderer) brief(in *Incident) incidentSummary {
	return incidentSummary{Incident: in, URL: "incidents/" + in.Slug + "/", Impact: in.CurrentSeverity.Impact, Duration: in.End(r.s.Now).Sub(in.Started), Names: r.names(in.Affected)}
}

func (r *renderer) summary(in *Incident) incidentSummary {
	s := r.brief(in)
	if u := in.Latest(); u != nil {
		v := r.update(in, len(in.Updates)-1)
		s.Latest = &v
	}
	return s
}

func (r *renderer) update(in *Incident, i int) updateView {
	u := in.Updates[i]
	v := updateView{Update: u, Label: StatusLabel(u.Status), HTML: u.PublicHTML()}
	var prev map[string]Status
	if i > 0 {
		prev = in.Updates[i-1].Components
	}
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
			v.Changes = append(v.Changes, change{Name: r.cfg.Component(id).Name, Old: old, New: now})
		}
	}
	return v
}

func (r *renderer) maintenanceSummary(m *Maintenance) maintenanceSummary {
	s := maintenanceSummary{Maintenance: m, URL: "maintenance/" + m.Slug + "/", State: m.State(r.s.Now), Names: r.names(m.Components)}
	if n := len(m.Updates); n > 0 {
		u := m.Updates[n-1]
		s.Latest = &updateView{Update: u, Label: StatusLabel(u.Status), HTML: u.PublicHTML()}
	}
	return s
}

func (r *renderer) indexData() indexData {
	now := r.s.Now
	d := indexData{Groups: r.groups(), History: r.cfg.HistoryDays}
	for _, in := range r.view.Incidents {
		if in.Active() {
			d.Active = append(d.Active, r.summary(in))
		}
	}
	for i := len(r.view.Maintenances) - 1; i >= 0; i-- { // soonest first
		m := r.view.Maintenances[i]
		switch {
		case m.InProgress(now):
			d.Ongoing = append(d.Ongoing, r.maintenanceSummary(m))
		case m.Upcoming(now):
			d.Upcoming = append(d.Upcoming, r.maintenanceSummary(m))
		}
	}
	loc := r.cfg.Location
	y, mo, dd := now.In(loc).Date()
	for i := range 14 {
		day := time.Date(y, mo, dd-i, 0, 0, 0, 0, loc)
		next := time.Date(y, mo, dd-i+1, 0, 0, 0, 0, loc)
		dv := dayView{Date: day}
		for _, in := range r.view.Incidents {
			if !in.Started.Before(day) && in.Started.Before(next) {
				dv.Incidents = append(dv.Incidents, r.summary(in))
			}
		}
		for _, m := range r.view.Maintenances {
			if !m.Start.Before(day) && m.Start.Before(next) && !m.Upcoming(now) {
				dv.Maintenances = append(dv.Maintenances, r.maintenanceSummary(m))
			}
		}
		d.Days = append(d.Days, dv)
	}
	return d
}

type incidentPage struct {
	incidentSummary
	Severity   *Severity
	Updates    []updateView // newest first
	Components []componentView
	Summary    template.HTML
	Review     *reviewView
}

type reviewView struct {
	*Review
	HTML template.HTML
}

func (r *renderer) incidentView(in *Incident) incidentPage {
	p := incidentPage{incidentSummary: r.brief(in), Severity: in.CurrentSeverity, Summary: renderMarkdown(in.Summary.PublicMarkdown())}
	for i := len(in.Updates) - 1; i >= 0; i-- {
		p.Updates = append(p.Updates, r.update(in, i))
	}
	if len(p.Updates) > 0 { // as r.summary(in) has it, without rendering it again
		latest := p.Updates[0]
		p.Latest = &latest
	}
	for _, id := range in.Affected {
		p.Components = append(p.Components, r.component(r.cfg.Component(id)))
	}
	if in.Review != nil && in.Review.Published {
		p.Review = &reviewView{Review: in.Review, HTML: renderMarkdown(in.Review.Body.PublicMarkdown())}
	}
	return p
}

type maintenancePage struct {
	maintenanceSummary
	Summary    template.HTML
	Updates    []updateView
	Components []componentView
}

func (r *renderer) maintenanceView(m *Maintenance) maintenancePage {
	p := maintenancePage{maintenanceSummary: r.maintenanceSummary(m), Summary: renderMarkdown(m.Body.PublicMarkdown())}
	for i := len(m.Updates) - 1; i >= 0; i-- {
		u := m.Updates[i]
		p.Updates = append(p.Updates, updateView{Update: u, Label: StatusLabel(u.Status), HTML: u.PublicHTML()})
	}
	for _, id := range m.Components {
		p.Components = append(p.Components, r.component(r.cfg.Component(id)))
	}
	return p
}

type componentPage struct {
	componentView
	GroupName    string
	Active       []incidentSummary
	Incidents    []incidentSummary
	Maintenances []maintenanceSummary
	History      int
}

func (r *renderer) componentPage(c *Component) componentPage {
	p := componentPage{componentView: r.component(c), GroupName: c.Group, History: r.cfg.HistoryDays}
	for _, in := range r.view.Incidents {
		if !contains(in.Affected, c.ID) {
			continue
		}
		if in.Active() {
			p.Active = append(p.Active, r.summary(in))
		}
		p.Incidents = append(p.Incidents, r.brief(in))
	}
	for _, m := range r.view.Maintenances {
		if contains(m.Components, c.ID) {
			p.Maintenances = append(p.Maintenances, r.maintenanceSummary(m))
		}
	}
	return p
}

type monthView struct {
	Key          string // 2026-11
	Name         string // November 2026
	Incidents    []incidentSummary
	Maintenances []maintenanceSummary
}

// months groups everything public by month of its start, newest first.
func (r *renderer) months() []*monthView {
	loc := r.cfg.Location
	by := map[string]*monthView{}
	get := func(t time.Time) *monthView {
		t = t.In(loc)
		k := t.Format("2006-01")
		mv := by[k]
		if mv == nil {
			mv = &monthView{Key: k, Name: t.Format("January 2006")}
			by[k] = mv
		}
		return mv
	}
	for _, in := range r.view.Incidents {
		mv := get(in.Started)
		mv.Incidents = append(mv.Incidents, r.brief(in))
	}
	for _, m := range r.view.Maintenances {
		mv := get(m.Start)
		mv.Maintenances = append(mv.Maintenances, r.maintenanceSummary(m))
	}
	keys := sortedKeys(by)
	sort.Sort(sort.Reverse(sort.StringSlice(keys)))
	out := make([]*monthView, len(keys))
	for i, k := range keys {
		out[i] = by[k]
	}
	return out
}
