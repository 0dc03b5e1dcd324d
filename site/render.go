package site

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"hash"
	"html/template"
	"io"
	"io/fs"
	"maps"
	"runtime"
	"slices"
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

// A KeyedOutput also remembers what each file was made from (see Key), so
// that a build can keep a file an earlier build gave it rather than render
// the file again. Its methods are called from several goroutines at once.
type KeyedOutput interface {
	Output
	// Keep reports whether the output holds name as made from key, and
	// keeps it in the new output if so.
	Keep(name string, key Key) bool
	// WriteKeyed is WriteFile for a file made from key.
	WriteKeyed(name string, key Key, data []byte) error
}

// Render writes the public site into public and the private per-audience
// digests into digests. theme holds templates/ and assets/ (the embedded
// default, possibly overlaid by a configured theme). The same site renders
// to the same bytes. A KeyedOutput is given only the files whose keys it
// does not hold.
func Render(s *Site, theme fs.FS, public, digests Output) error {
	t, err := LoadTemplates(theme, s.Config)
	if err != nil {
		return err
	}
	r := newRendererWith(s, t)
	var jobs []func() error
	for _, j := range r.publicJobs() {
		jobs = append(jobs, j.to(public))
	}
	jobs = append(jobs, r.digestJobs(digests)...)
	return runJobs(jobs)
}

// job renders one file of the output.
type job struct {
	name   string // the file's path in public/ or digests/
	render func() ([]byte, error)
	// key, when set, is what the file is made from: an output holding the
	// file under that key keeps it.
	key func() Key
}

// fixed is a job for a file whose bytes are known.
func fixed(name string, b []byte) job {
	return job{name: name, render: func() ([]byte, error) { return b, nil }}
}

// to is the work of writing j into out.
func (j job) to(out Output) func() error {
	return func() error {
		ko, keyed := out.(KeyedOutput)
		if !keyed || j.key == nil {
			b, err := j.render()
			if err != nil {
				return err
			}
			return out.WriteFile(j.name, b)
		}
		k := j.key()
		if ko.Keep(j.name, k) {
			return nil
		}
		b, err := j.render()
		if err != nil {
			return err
		}
		return ko.WriteKeyed(j.name, k, b)
	}
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
	s      *Site
	cfg    *Config
	view   Visible
	spans  map[string][]Span // component id → spans reaching into the uptime window
	uptime map[string]Uptime
	// Worked out once per render rather than once per page: each walks
	// every incident, which made a build quadratic in the content.
	indicator Indicator
	updated   time.Time
	first     time.Time            // the earliest time in the content
	changed   map[string]time.Time // component id → its last change of status before Now
	status    map[string]Status    // component id → status at Now
	keys      keyer                // set with the templates
}

func newRenderer(s *Site, theme fs.FS) (*renderer, error) {
	t, err := LoadTemplates(theme, s.Config)
	if err != nil {
		return nil, err
	}
	return newRendererWith(s, t), nil
}

func newRendererWith(s *Site, t *Templates) *renderer {
	r := dataRenderer(s)
	r.Templates = t
	r.keys = newKeyer(t.sum, s.Config.sum, s.Now)
	return r
}

// dataRenderer is a renderer for data outputs only (no templates). It
// works out what several outputs share in a few passes over the content,
// each cheap per incident: a site of 10,000 incidents is rendered again at
// every edit by serve.
func dataRenderer(s *Site) *renderer {
	r := &renderer{s: s, cfg: s.Config, view: s.PublicView()}
	now := s.Now
	// What is in force now decides the statuses and the indicator.
	current := Visible{Maintenances: s.Maintenances}
	for _, in := range r.view.Incidents {
		if in.Active() && !in.Started.After(now) {
			current.Incidents = append(current.Incidents, in)
		}
	}
	r.status = make(map[string]Status, len(r.cfg.Components))
	for _, c := range r.cfg.Components {
		r.status[c.ID] = current.ComponentStatus(c.ID, now)
	}
	r.indicator = current.Indicator(r.cfg, now)
	r.updated = r.view.LastUpdated(now)
	r.first = r.view.FirstTime()
	if r.first.IsZero() {
		r.first = now
	}
	r.componentSpans()
	return r
}

// componentSpans fills r.spans, r.uptime and r.changed. The uptime bars
// only look back cfg.HistoryDays, so an incident resolved before that
// window opened adds nothing to them, nor to a component's status changes
// after the window opened: only a component with no change since then
// needs every incident to find its last one.
func (r *renderer) componentSpans() {
	now, loc, days := r.s.Now, r.cfg.Location, r.cfg.HistoryDays
	y, m, d := now.In(loc).Date()
	window := time.Date(y, m, d-days+1, 0, 0, 0, 0, loc)
	r.spans = make(map[string][]Span, len(r.cfg.Components))
	for _, in := range r.view.Incidents {
		if !in.Active() && !in.Resolved.After(window) {
			continue
		}
		for _, id := range in.Affected {
			r.spans[id] = append(r.spans[id], in.Spans(id, now)...)
		}
	}
	for _, mt := range r.view.Maintenances {
		for _, id := range mt.Components {
			r.spans[id] = append(r.spans[id], mt.Periods(now)...)
		}
	}
	r.uptime = make(map[string]Uptime, len(r.cfg.Components))
	r.changed = make(map[string]time.Time, len(r.cfg.Components))
	for _, c := range r.cfg.Components {
		sp := r.spans[c.ID]
		slices.SortFunc(sp, func(a, b Span) int { return a.From.Compare(b.From) })
		flat := flatten(sp)
		r.uptime[c.ID] = flatUptime(flat, days, now, loc)
		t := flatChanged(flat, r.first, now)
		if !t.After(window) {
			t = statusChanged(r.view.ComponentSpans(c.ID, now), r.first, now)
		}
		r.changed[c.ID] = t
	}
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

func (r *renderer) exec(file, tmpl string, data any) ([]byte, error) {
	var buf bytes.Buffer
	if err := r.pages[tmpl].ExecuteTemplate(&buf, tmpl, data); err != nil {
		return nil, fmt.Errorf("render %s: %w", file, err)
	}
	return buf.Bytes(), nil
}

// pageJob is a job rendering template tmpl into file, with the page data
// and the "last updated" time that data gives when it runs.
func (r *renderer) pageJob(file, tmpl, title string, data func() (any, time.Time)) job {
	return job{name: file, render: func() ([]byte, error) {
		d, updated := data()
		return r.exec(file, tmpl, r.page(strings.TrimSuffix(file, "index.html"), title, updated, d))
	}}
}

func (r *renderer) publicJobs() []job {
	var jobs []job
	for _, p := range sortedKeys(r.assets) {
		if p == bannerAsset {
			continue // published at the root by machineJobs
		}
		jobs = append(jobs, fixed(p, r.assets[p]))
	}
	public := make(map[string]bool, len(r.view.Incidents))
	for _, in := range r.view.Incidents {
		public[in.Slug] = true
	}
	for _, src := range sortedKeys(r.s.Assets) {
		dst := r.s.Assets[src]
		kind, slug := bundleOf(dst)
		if kind == "incidents" && !public[slug] {
			continue
		}
		jobs = append(jobs, job{name: dst, render: func() ([]byte, error) { return fs.ReadFile(r.s.fsys(), src) }})
	}
	jobs = append(jobs, r.pageJob("index.html", "index.html", r.cfg.Title, func() (any, time.Time) { return r.indexData(), r.updated }))
	for _, in := range r.view.Incidents {
		j := r.pageJob("incidents/"+in.Slug+"/index.html", "incident.html", in.Title, func() (any, time.Time) { return r.incidentView(in), in.LastChanged() })
		// The page shows the incident and, in its layout, the site's
		// indicator: nothing else that other incidents change.
		j.key = func() Key {
			return r.keys.key("incident page", in.sum, in.Active(), string(r.indicator.Impact), r.indicator.Description)
		}
		jobs = append(jobs, j)
	}
	for _, m := range r.view.Maintenances {
		j := r.pageJob("maintenance/"+m.Slug+"/index.html", "maintenance.html", m.Title, func() (any, time.Time) { return r.maintenanceView(m), m.Changed(r.s.Now) })
		// The page shows the window, the indicator and its components'
		// statuses now.
		j.key = func() Key {
			parts := []string{m.State(r.s.Now), m.Changed(r.s.Now).String(), string(r.indicator.Impact), r.indicator.Description}
			for _, id := range m.Components {
				parts = append(parts, string(r.status[id]))
			}
			return r.keys.key("maintenance page", m.sum, false, parts...)
		}
		jobs = append(jobs, j)
	}
	for _, c := range r.cfg.Components {
		page := sync.OnceValue(func() componentPage { return r.componentPage(c) }) // for the key, then the page
		j := r.pageJob("components/"+c.ID+"/index.html", "component.html", c.Name, func() (any, time.Time) {
			cp := page()
			return cp, r.listed(cp.Incidents, cp.Maintenances)
		})
		j.key = func() Key { return r.componentKey(page()) }
		jobs = append(jobs, j)
	}
	// The months' pages are listed from their keys alone: what each holds
	// is worked out when the first of them is rendered.
	months := sync.OnceValue(r.months)
	month := func(key string) *monthView {
		for _, mo := range months() {
			if mo.Key == key {
				return mo
			}
		}
		return &monthView{Key: key}
	}
	jobs = append(jobs,
		r.pageJob("history/index.html", "history.html", "History", func() (any, time.Time) { return months(), time.Time{} }),
		r.pageJob("reviews/index.html", "reviews.html", "Post-incident reviews", func() (any, time.Time) {
			reviews := r.reviews()
			reviewed := make([]incidentSummary, len(reviews))
			for i, rv := range reviews {
				reviewed[i] = rv.incidentSummary
			}
			return reviews, r.listed(reviewed, nil)
		}),
	)
	monthSums := sync.OnceValue(r.monthSums)
	for _, key := range r.monthKeys() {
		jobs = append(jobs, job{name: "history/" + key + "/index.html", render: func() ([]byte, error) {
			mo := month(key)
			return r.exec("history/"+key+"/index.html", "month.html", r.page("history/"+key+"/", mo.Name, r.listed(mo.Incidents, mo.Maintenances), mo))
		}, key: func() Key { return monthSums()[key] }})
	}
	return append(jobs, r.machineJobs()...)
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
	cfg      *Config
}

// Names are the names of the affected components, looked up when shown:
// a render summarises every incident for the history, and shows few.
func (s incidentSummary) Names() []string { return componentNames(s.cfg, s.Affected) }

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

func (r *renderer) names(ids []string) []string { return componentNames(r.cfg, ids) }

func componentNames(cfg *Config, ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if c := cfg.Component(id); c != nil {
			out = append(out, c.Name)
		}
	}
	return out
}

// brief is an incident for lists: without its latest update's text.
func (r *renderer) brief(in *Incident) incidentSummary {
	return incidentSummary{Incident: in, URL: "incidents/" + in.Slug + "/", Impact: in.CurrentSeverity.Impact, Duration: in.End(r.s.Now).Sub(in.Started), cfg: r.cfg}
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
	// The incidents come newest first: the ones of the last 14 days are at
	// the head of the list.
	first := time.Date(y, mo, dd-13, 0, 0, 0, 0, loc)
	recent := r.view.Incidents
	for i, in := range recent {
		if in.Started.Before(first) {
			recent = recent[:i]
			break
		}
	}
	for i := range 14 {
		day := time.Date(y, mo, dd-i, 0, 0, 0, 0, loc)
		next := time.Date(y, mo, dd-i+1, 0, 0, 0, 0, loc)
		dv := dayView{Date: day}
		for _, in := range recent {
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
	Components []affectedView
	Summary    template.HTML
	Review     *reviewView
}

// affectedView is a component as an incident's page shows it: as the
// incident left it, not as it is now, so that the page depends on the
// incident alone.
type affectedView struct {
	*Component
	URL    string // relative to the root
	Status Status // as the latest update has it
	Worst  Status // the worst any update gave it
}

type reviewView struct {
	*Review
	HTML template.HTML
}

func (r *renderer) incidentView(in *Incident) incidentPage {
	p := incidentPage{incidentSummary: r.brief(in), Severity: in.CurrentSeverity, Summary: in.Summary.publicText().HTML}
	for i := len(in.Updates) - 1; i >= 0; i-- {
		p.Updates = append(p.Updates, r.update(in, i))
	}
	if len(p.Updates) > 0 { // as r.summary(in) has it, without rendering it again
		latest := p.Updates[0]
		p.Latest = &latest
	}
	for _, id := range in.Affected {
		a := affectedView{Component: r.cfg.Component(id), URL: "components/" + id + "/", Status: in.ComponentStatus(id), Worst: Operational}
		for _, u := range in.Updates {
			if st, ok := u.Components[id]; ok {
				a.Worst = worse(a.Worst, st)
			}
		}
		p.Components = append(p.Components, a)
	}
	if in.Review != nil && in.Review.Published {
		p.Review = &reviewView{Review: in.Review, HTML: in.Review.Body.publicText().HTML}
	}
	return p
}

type maintenancePage struct {
	maintenanceSummary
	Summary    template.HTML
	Updates    []updateView
	Components []statusView
}

// statusView is a component and its status now.
type statusView struct {
	*Component
	URL    string // relative to the root
	Status Status
}

func (r *renderer) maintenanceView(m *Maintenance) maintenancePage {
	p := maintenancePage{maintenanceSummary: r.maintenanceSummary(m), Summary: m.Body.publicText().HTML}
	for i := len(m.Updates) - 1; i >= 0; i-- {
		u := m.Updates[i]
		p.Updates = append(p.Updates, updateView{Update: u, Label: StatusLabel(u.Status), HTML: u.PublicHTML()})
	}
	for _, id := range m.Components {
		p.Components = append(p.Components, statusView{Component: r.cfg.Component(id), URL: "components/" + id + "/", Status: r.status[id]})
	}
	return p
}

type componentPage struct {
	componentView
	GroupName    string
	Active       []incidentSummary
	Incidents    []incidentSummary // started within the uptime bar's days
	Earlier      int               // incidents before those, in the history
	Maintenances []maintenanceSummary
	History      int
}

// componentPage lists the component's incidents over the days its uptime
// bar covers; the history archive holds the earlier ones. A component of a
// long-lived site has thousands, too many for one page.
func (r *renderer) componentPage(c *Component) componentPage {
	p := componentPage{componentView: r.component(c), GroupName: c.Group, History: r.cfg.HistoryDays}
	since := r.component(c).Uptime.Start()
	for _, in := range r.view.Incidents {
		if !contains(in.Affected, c.ID) {
			continue
		}
		if in.Active() {
			p.Active = append(p.Active, r.summary(in))
		}
		if in.Started.Before(since) && !in.Active() {
			p.Earlier++
			continue
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

// monthKeys are the keys of the months that months gives, newest first.
func (r *renderer) monthKeys() []string {
	loc := r.cfg.Location
	seen := map[string]bool{}
	var since time.Time
	for i, in := range r.view.Incidents { // newest first: a month's run ends at its start
		if i == 0 || in.Started.Before(since) {
			t := in.Started.In(loc)
			seen[t.Format("2006-01")] = true
			since = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
		}
	}
	for _, m := range r.view.Maintenances {
		seen[m.Start.In(loc).Format("2006-01")] = true
	}
	keys := sortedKeys(seen)
	sort.Sort(sort.Reverse(sort.StringSlice(keys)))
	return keys
}

// componentKey is the key of a component's page: the component now, its
// uptime bar, the incidents and windows the page lists, and the indicator.
func (r *renderer) componentKey(p componentPage) Key {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%v\x00%d\x00%d\x00%s\x00%s\n", p.ID, p.Status, p.Uptime.Percent, p.Earlier, p.History, r.indicator.Impact, r.indicator.Description)
	for _, d := range p.Uptime.Days {
		fmt.Fprintf(h, "%d %s %d %t", d.Date.UnixNano(), d.Worst, d.Downtime, d.Future)
		for _, st := range slices.Sorted(maps.Keys(d.Outage)) {
			fmt.Fprintf(h, " %s=%d", st, d.Outage[st])
		}
		h.Write([]byte{'\n'})
	}
	live := false
	for _, list := range [][]incidentSummary{p.Active, p.Incidents} {
		h.Write([]byte{'\n'})
		for _, in := range list {
			h.Write(in.sum[:])
			live = live || in.Active()
		}
	}
	h.Write([]byte{'\n'})
	for _, m := range p.Maintenances {
		h.Write(m.sum[:])
		io.WriteString(h, m.State)
	}
	var sum Key
	h.Sum(sum[:0])
	return r.keys.key("component page", sum, live)
}

// monthSums are the keys of the months' pages, by month: a month's page
// lists its incidents and maintenance windows, and shows the indicator.
func (r *renderer) monthSums() map[string]Key {
	loc := r.cfg.Location
	type month struct {
		h     hash.Hash
		live  bool
		parts []string
	}
	by := map[string]*month{}
	get := func(t time.Time) *month {
		k := t.In(loc).Format("2006-01")
		mo := by[k]
		if mo == nil {
			mo = &month{h: sha256.New(), parts: []string{k, string(r.indicator.Impact), r.indicator.Description}}
			by[k] = mo
		}
		return mo
	}
	for _, in := range r.view.Incidents {
		mo := get(in.Started)
		mo.h.Write(in.sum[:])
		mo.live = mo.live || in.Active()
	}
	for _, m := range r.view.Maintenances {
		mo := get(m.Start)
		mo.h.Write(m.sum[:])
		mo.parts = append(mo.parts, m.State(r.s.Now))
	}
	out := make(map[string]Key, len(by))
	for k, mo := range by {
		var sum Key
		mo.h.Sum(sum[:0])
		out[k] = r.keys.key("month page", sum, mo.live, mo.parts...)
	}
	return out
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
	// The incidents come newest first: a month's run ends at its start.
	var (
		cur   *monthView
		since time.Time
	)
	for _, in := range r.view.Incidents {
		if cur == nil || in.Started.Before(since) {
			cur = get(in.Started)
			t := in.Started.In(loc)
			since = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, loc)
		}
		cur.Incidents = append(cur.Incidents, r.brief(in))
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
