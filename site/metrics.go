package site

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// This file turns the incident lifecycle into the numbers of herald
// report: per incident (time to detect, acknowledge, identify and
// resolve; weighted downtime; estimated cost) and per period (counts,
// means and medians, uptime, repeats, review coverage, action items),
// always against the period before. Like the rest of site it never reads
// the clock: now comes from Site.Now.
//
// The report is private (for executives): it counts internal incidents
// (public: false) too, and says how many there are.
//
// The periodic executive summary (an audience's summary = "weekly" or
// "monthly") is this report too: herald notify takes CompletedPeriod,
// and once per Period.Key (through its ledger) sends NewReport's
// Headlines and the rendered report (Templates.ReportHTML and
// ReportMarkdown). docs/reports.md describes it.

// Duration is a span of time that may be unknown: a missing timestamp
// makes it unknown, never zero.
type Duration struct {
	D     time.Duration
	Known bool
}

// between is to − from, unknown when either is missing. A negative span
// (say, detected before impact began, as proactive monitoring may)
// counts as zero.
func between(from, to time.Time) Duration {
	if from.IsZero() || to.IsZero() {
		return Duration{}
	}
	return Duration{D: max(to.Sub(from), 0), Known: true}
}

// String is the duration as people say it, or "unknown".
func (d Duration) String() string {
	if !d.Known {
		return "unknown"
	}
	return humanDuration(d.D)
}

// MarshalJSON writes minutes, to the second, or null when unknown.
func (d Duration) MarshalJSON() ([]byte, error) {
	if !d.Known {
		return []byte("null"), nil
	}
	return []byte(strconv.FormatFloat(minutes(d.D), 'f', -1, 64)), nil
}

// Period is a half-open range of time [From, To). From is a midnight in
// the display time zone, so that a period's days are the status page's
// days; To is a midnight too, or now for the period that ends now.
type Period struct {
	From, To time.Time
	Days     int  // calendar days, the last possibly partial
	Recent   bool // "the last N days" rather than a range of dates
}

// LastDays is the n days ending with now's day in loc, now included: the
// window of the status page's uptime bars when n is history_days.
func LastDays(n int, now time.Time, loc *time.Location) Period {
	y, m, d := now.In(loc).Date()
	return Period{From: time.Date(y, m, d-n+1, 0, 0, 0, 0, loc), To: now, Days: n, Recent: true}
}

// DateRange is from's day to to's day in loc, both whole, cut at now.
func DateRange(from, to, now time.Time, loc *time.Location) (Period, error) {
	fy, fm, fd := from.Date()
	ty, tm, td := to.Date()
	p := Period{From: time.Date(fy, fm, fd, 0, 0, 0, 0, loc), To: time.Date(ty, tm, td+1, 0, 0, 0, 0, loc)}
	p.Days = civilDays(p.From, p.To, loc)
	if p.Days < 1 {
		return Period{}, fmt.Errorf("the period ends (%s) before it starts (%s)", to.Format(time.DateOnly), from.Format(time.DateOnly))
	}
	if now.Before(p.To) {
		p.To = now
	}
	if !p.To.After(p.From) {
		return Period{}, fmt.Errorf("the period starts (%s) after now (%s)", from.Format(time.DateOnly), now.Format(time.RFC3339))
	}
	return p, nil
}

// civilDays counts the calendar days from a's day to b's day in loc.
func civilDays(a, b time.Time, loc *time.Location) int {
	ay, am, ad := a.In(loc).Date()
	by, bm, bd := b.In(loc).Date()
	return int(time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC).Sub(time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)) / (24 * time.Hour))
}

// Previous is the period of the same number of days just before p.
func (p Period) Previous(loc *time.Location) Period {
	y, m, d := p.From.In(loc).Date()
	return Period{From: time.Date(y, m, d-p.Days, 0, 0, 0, 0, loc), To: p.From, Days: p.Days, Recent: p.Recent}
}

// Contains reports whether t falls in the period.
func (p Period) Contains(t time.Time) bool { return !t.Before(p.From) && t.Before(p.To) }

// Key names the period in the ledger and in file names: 2026-11-16.P7D.
func (p Period) Key(loc *time.Location) string {
	return p.From.In(loc).Format(time.DateOnly) + ".P" + strconv.Itoa(p.Days) + "D"
}

// Name is the period as a headline says it: "the last 90 days" or
// "Sep 1 – Nov 30, 2026".
func (p Period) Name(loc *time.Location) string {
	if p.Recent {
		return fmt.Sprintf("the last %d days", p.Days)
	}
	return p.Dates(loc)
}

// Dates is the period's first and last day: "Aug 30 – Nov 27, 2026".
func (p Period) Dates(loc *time.Location) string {
	from := p.From.In(loc)
	last := p.To.Add(-time.Nanosecond).In(loc)
	if from.Year() == last.Year() {
		return from.Format("Jan 2") + " – " + last.Format("Jan 2, 2006")
	}
	return from.Format("Jan 2, 2006") + " – " + last.Format("Jan 2, 2006")
}

// cells is the number of ComponentUptime days that cover the period.
func (p Period) cells(loc *time.Location) int { return civilDays(p.From, p.To, loc) + 1 }

// CompletedPeriod is the last whole period of a summary schedule before
// now, for a periodic digest: "weekly" is Monday to Sunday, "monthly" a
// calendar month, both in loc. ok is false for another schedule.
func CompletedPeriod(schedule string, now time.Time, loc *time.Location) (p Period, ok bool) {
	y, m, d := now.In(loc).Date()
	switch schedule {
	case "weekly":
		wd := (int(now.In(loc).Weekday()) + 6) % 7 // Monday 0
		to := time.Date(y, m, d-wd, 0, 0, 0, 0, loc)
		return Period{From: time.Date(y, m, d-wd-7, 0, 0, 0, 0, loc), To: to, Days: 7}, true
	case "monthly":
		from, to := time.Date(y, m-1, 1, 0, 0, 0, 0, loc), time.Date(y, m, 1, 0, 0, 0, 0, loc)
		return Period{From: from, To: to, Days: civilDays(from, to, loc)}, true
	}
	return Period{}, false
}

// IncidentMetrics are one incident's figures.
type IncidentMetrics struct {
	Incident *Incident
	Severity *Severity // the worst it reached
	// Detect is detected − started; Acknowledge acknowledged − detected;
	// Identify the first identified update − detected; Resolve the
	// resolving update − started.
	Detect, Acknowledge, Identify, Resolve Duration
	// Components are the affected components, in config order, with the
	// downtime this incident caused each (weighted as the uptime bars
	// weigh it) over its whole life up to now.
	Components []ComponentDowntime
	Downtime   time.Duration // summed over the components
	Cost       float64       // over the components with a cost_per_hour
	HasCost    bool
}

// ComponentDowntime is an incident's weighted downtime on one component.
type ComponentDowntime struct {
	Component *Component
	Downtime  time.Duration
	Cost      float64
}

// Measure computes one incident's figures at now.
func Measure(cfg *Config, in *Incident, now time.Time) *IncidentMetrics {
	m := &IncidentMetrics{
		Incident:    in,
		Severity:    in.MaxSeverity,
		Detect:      between(in.Started, in.Detected),
		Acknowledge: between(in.Detected, in.Acknowledged),
		Identify:    between(in.Detected, in.Identified),
		Resolve:     between(in.Started, in.Resolved),
	}
	for _, c := range cfg.Components {
		if !slices.Contains(in.Affected, c.ID) {
			continue
		}
		cd := ComponentDowntime{Component: c, Downtime: weighted(in.Spans(c.ID, now))}
		if c.HasCost {
			cd.Cost = cd.Downtime.Hours() * c.CostPerHour
			m.Cost += cd.Cost
			m.HasCost = true
		}
		m.Downtime += cd.Downtime
		m.Components = append(m.Components, cd)
	}
	return m
}

// weighted is the downtime of spans with Status.Downtime's weights, a
// minute covered twice counted once.
func weighted(spans []Span) time.Duration {
	var d time.Duration
	for _, s := range flatten(spans) {
		d += time.Duration(float64(s.To.Sub(s.From)) * s.Status.Downtime())
	}
	return d
}

// Stat is the mean and median of a duration over the incidents for which
// it is known; N counts them, Of counts every incident asked about.
type Stat struct {
	Mean, Median Duration
	N, Of        int
}

func stat(ds []Duration) Stat {
	s := Stat{Of: len(ds)}
	var known []time.Duration
	for _, d := range ds {
		if d.Known {
			known = append(known, d.D)
		}
	}
	s.N = len(known)
	if s.N == 0 {
		return s
	}
	slices.Sort(known)
	var sum time.Duration
	for _, d := range known {
		sum += d
	}
	s.Mean = Duration{D: sum / time.Duration(s.N), Known: true}
	if s.N%2 == 1 {
		s.Median = Duration{D: known[s.N/2], Known: true}
	} else {
		s.Median = Duration{D: (known[s.N/2-1] + known[s.N/2]) / 2, Known: true}
	}
	return s
}

// Times are the lifecycle means and medians over a set of incidents:
// MTTD, MTTA, mean time to identify, MTTR.
type Times struct {
	Detect, Acknowledge, Identify, Resolve Stat
}

func times(ms []*IncidentMetrics) Times {
	pick := func(f func(*IncidentMetrics) Duration) Stat {
		ds := make([]Duration, len(ms))
		for i, m := range ms {
			ds[i] = f(m)
		}
		return stat(ds)
	}
	return Times{
		Detect:      pick(func(m *IncidentMetrics) Duration { return m.Detect }),
		Acknowledge: pick(func(m *IncidentMetrics) Duration { return m.Acknowledge }),
		Identify:    pick(func(m *IncidentMetrics) Duration { return m.Identify }),
		Resolve:     pick(func(m *IncidentMetrics) Duration { return m.Resolve }),
	}
}

// Aggregate is a period's figures. Incidents belong to the period they
// started in; downtime, uptime and cost count the minutes that fall in it.
type Aggregate struct {
	Period    Period
	Incidents []*IncidentMetrics // started in the period, newest first
	Internal  int                // of which public: false
	Major     int                // of which reached impact major or critical
	Times     Times
	// Severities holds every configured severity, in config order, with
	// the incidents whose worst severity it was.
	Severities []SeverityMetrics
	Components []ComponentMetrics // every configured component, in config order
	// Cost sums the components' period cost: a minute two incidents share
	// counts once, so it may be less than the incidents' costs added up.
	Cost    float64
	HasCost bool
	Repeats []Repeat
	Reviews ReviewCoverage
	Actions ActionItems
}

// SeverityMetrics is a period's figures for one severity.
type SeverityMetrics struct {
	Severity *Severity
	Count    int
	Times    Times
}

// ComponentMetrics is a period's figures for one component.
type ComponentMetrics struct {
	Component *Component
	Incidents int // started in the period and affecting it
	// Downtime is weighted (a partial outage minute counts 30%) and
	// counted once where incidents overlap, over every incident.
	Downtime time.Duration
	Uptime   float64 // 0–100, every incident counted
	// StatusPageUptime leaves out internal incidents, as the status page
	// does: over LastDays(history_days) it is the uptime bar's figure.
	StatusPageUptime float64
	Cost             float64 // Downtime × cost_per_hour when HasCost
}

// RepeatWindow is how close two incidents on the same component with the
// same tag must start for the later to count as a repeat.
const RepeatWindow = 30 * 24 * time.Hour

// Repeat is an incident that started within RepeatWindow of an earlier
// one sharing a component and a tag.
type Repeat struct {
	Incident, Earlier *Incident
	Component         *Component
	Tag               string
	After             time.Duration // between the two starts
}

// ReviewCoverage counts the major and critical incidents (impact major or
// critical at their worst: SEV1 and SEV2 by default) with a review.md.
type ReviewCoverage struct {
	Needed, Reviewed, Published int
	Missing                     []*Incident // needed a review and have none
}

// ActionItems counts the action items of the period's reviews.
type ActionItems struct {
	Open, Done, Overdue int
	// OverdueItems are the open items due before now, earliest first. An
	// item due on a bare date is due by the end of that day (UTC).
	OverdueItems []OverdueItem
}

// OverdueItem is an open action item past its due date.
type OverdueItem struct {
	Incident *Incident
	Item     ActionItem
}

// bareDate reports whether a due time was written as a bare date, which
// the loader reads as midnight UTC.
func bareDate(t time.Time) bool {
	return t.Location() == time.UTC && t.Equal(t.Truncate(24*time.Hour))
}

// dueIn is t in loc, or a bare date as written.
func dueIn(t time.Time, loc *time.Location) time.Time {
	if bareDate(t) {
		return t
	}
	return t.In(loc)
}

// deadline is when an action item becomes overdue: a bare date at the end
// of its day (UTC).
func deadline(a ActionItem) time.Time {
	if bareDate(a.Due) {
		return a.Due.Add(24 * time.Hour)
	}
	return a.Due
}

// aggregate computes the figures of period p over every incident of s.
func aggregate(s *Site, all []*IncidentMetrics, p Period) *Aggregate {
	cfg, loc, now := s.Config, s.Config.Location, s.Now
	a := &Aggregate{Period: p}
	for _, m := range all {
		if p.Contains(m.Incident.Started) {
			a.Incidents = append(a.Incidents, m)
		}
	}
	for _, m := range a.Incidents {
		if !m.Incident.Public {
			a.Internal++
		}
		if m.Severity.Impact.Rank() >= ImpactMajor.Rank() {
			a.Major++
		}
	}
	a.Times = times(a.Incidents)
	for _, sev := range cfg.Severities {
		var ms []*IncidentMetrics
		for _, m := range a.Incidents {
			if m.Severity.ID == sev.ID {
				ms = append(ms, m)
			}
		}
		a.Severities = append(a.Severities, SeverityMetrics{Severity: sev, Count: len(ms), Times: times(ms)})
	}

	everything := Visible{Incidents: s.Incidents, Maintenances: s.Maintenances}
	public := s.PublicView()
	cells := p.cells(loc)
	for _, c := range cfg.Components {
		cm := ComponentMetrics{Component: c}
		for _, m := range a.Incidents {
			if slices.Contains(m.Incident.Affected, c.ID) {
				cm.Incidents++
			}
		}
		// The status page's own computation, over the period's days.
		u := ComponentUptime(everything.ComponentSpans(c.ID, now), cells, p.To, loc)
		for _, d := range u.Days {
			cm.Downtime += d.Downtime
		}
		cm.Uptime = u.Percent
		cm.StatusPageUptime = ComponentUptime(public.ComponentSpans(c.ID, now), cells, p.To, loc).Percent
		if c.HasCost {
			cm.Cost = cm.Downtime.Hours() * c.CostPerHour
			a.Cost += cm.Cost
			a.HasCost = true
		}
		a.Components = append(a.Components, cm)
	}

	for _, m := range a.Incidents {
		if r, ok := repeatOf(cfg, m.Incident, s.Incidents); ok {
			a.Repeats = append(a.Repeats, r)
		}
	}

	for _, m := range a.Incidents {
		in := m.Incident
		if m.Severity.Impact.Rank() >= ImpactMajor.Rank() {
			a.Reviews.Needed++
			switch {
			case in.Review == nil:
				a.Reviews.Missing = append(a.Reviews.Missing, in)
			case in.Review.Published:
				a.Reviews.Published++
				a.Reviews.Reviewed++
			default:
				a.Reviews.Reviewed++
			}
		}
		if in.Review == nil {
			continue
		}
		for _, it := range in.Review.ActionItems {
			switch {
			case it.Done:
				a.Actions.Done++
			default:
				a.Actions.Open++
				if !it.Due.IsZero() && !now.Before(deadline(it)) {
					a.Actions.Overdue++
					a.Actions.OverdueItems = append(a.Actions.OverdueItems, OverdueItem{Incident: in, Item: it})
				}
			}
		}
	}
	sort.SliceStable(a.Actions.OverdueItems, func(i, j int) bool {
		return a.Actions.OverdueItems[i].Item.Due.Before(a.Actions.OverdueItems[j].Item.Due)
	})
	return a
}

// repeatOf finds the latest earlier incident that started within
// RepeatWindow of in and shares a component and a tag with it.
func repeatOf(cfg *Config, in *Incident, all []*Incident) (Repeat, bool) {
	var best Repeat
	found := false
	for _, e := range all {
		if e == in || !e.Started.Before(in.Started) || in.Started.Sub(e.Started) > RepeatWindow {
			continue
		}
		if found && !e.Started.After(best.Earlier.Started) {
			continue
		}
		comp := ""
		for _, c := range in.Affected {
			if slices.Contains(e.Affected, c) {
				comp = c
				break
			}
		}
		tag := ""
		for _, t := range in.Tags {
			if slices.Contains(e.Tags, t) {
				tag = t
				break
			}
		}
		if comp == "" || tag == "" {
			continue
		}
		best = Repeat{Incident: in, Earlier: e, Component: cfg.Component(comp), Tag: tag, After: in.Started.Sub(e.Started)}
		found = true
	}
	return best, found
}

// Month is one month of the report's charts.
type Month struct {
	Key, Name  string    // "2026-09", "Sep 2026"
	Start      time.Time // midnight of the 1st in the display time zone
	Count      int
	BySeverity []int // per configured severity, in config order
	Resolve    Stat  // MTTR of the incidents that started in the month
}

// Report is everything herald report writes: the period, the one before
// it, and the months of both for the charts.
type Report struct {
	Config    *Config
	Now       time.Time
	Current   *Aggregate
	Previous  *Aggregate
	Months    []Month // from the previous period's first month, oldest first
	Headlines []string
}

// NewReport computes the report of s for period p and the period before.
func NewReport(s *Site, p Period) *Report {
	cfg, loc := s.Config, s.Config.Location
	all := make([]*IncidentMetrics, len(s.Incidents))
	for i, in := range s.Incidents {
		all[i] = Measure(cfg, in, s.Now)
	}
	r := &Report{Config: cfg, Now: s.Now, Current: aggregate(s, all, p), Previous: aggregate(s, all, p.Previous(loc))}

	first := r.Previous.Period.From.In(loc)
	last := p.To.Add(-time.Nanosecond).In(loc)
	for t := time.Date(first.Year(), first.Month(), 1, 0, 0, 0, 0, loc); !t.After(last); t = t.AddDate(0, 1, 0) {
		next := t.AddDate(0, 1, 0)
		mo := Month{Key: t.Format("2006-01"), Name: t.Format("Jan 2006"), Start: t, BySeverity: make([]int, len(cfg.Severities))}
		var ms []*IncidentMetrics
		for _, m := range all {
			st := m.Incident.Started
			if st.Before(t) || !st.Before(next) || st.Before(r.Previous.Period.From) || !st.Before(p.To) {
				continue
			}
			ms = append(ms, m)
			mo.Count++
			for i, sev := range cfg.Severities {
				if sev.ID == m.Severity.ID {
					mo.BySeverity[i]++
				}
			}
		}
		mo.Resolve = times(ms).Resolve
		r.Months = append(r.Months, mo)
	}
	r.Headlines = r.headlines()
	return r
}

// headlines are the report's first sentences, in business terms.
func (r *Report) headlines() []string {
	loc := r.Config.Location
	cur, prev := r.Current, r.Previous
	name, prevName := cur.Period.Name(loc), "the previous "+strconv.Itoa(prev.Period.Days)+" days"
	var out []string

	// Volume.
	s := fmt.Sprintf("%s in %s", count(len(cur.Incidents), "incident", "incidents"), name)
	s += ", " + compared(len(cur.Incidents), len(prev.Incidents), "up from", "down from", "the same as") + " " + strconv.Itoa(len(prev.Incidents)) + " in " + prevName
	if cur.Major > 0 {
		s += fmt.Sprintf("; %d major or critical (%s)", cur.Major, joinAnd(majorNames(r.Config)))
	}
	out = append(out, s+".")

	// Resolution and cost.
	mttr, pmttr := cur.Times.Resolve.Mean, prev.Times.Resolve.Mean
	switch {
	case !mttr.Known:
		s = "No incident was resolved in " + name
	case !pmttr.Known:
		s = "MTTR " + mttr.String() + " (no resolved incident in " + prevName + " to compare)"
	default:
		s = "MTTR " + mttr.String() + ", " + percentChange(float64(mttr.D), float64(pmttr.D)) + " on " + prevName
	}
	if cur.HasCost {
		s += "; estimated downtime cost " + formatMoney(cur.Cost)
		if prev.HasCost {
			s += " (" + formatMoney(prev.Cost) + " in " + prevName + ")"
		}
	}
	out = append(out, s+".")

	// Detection.
	if d, a := cur.Times.Detect, cur.Times.Acknowledge; d.N > 0 {
		s = "Incidents were detected " + d.Mean.String() + " after impact began on average (MTTD)"
		if a.N > 0 {
			s += " and acknowledged " + a.Mean.String() + " after detection (MTTA)"
		}
		if d.N < d.Of {
			s += fmt.Sprintf("; detection time is unknown for %d of %d", d.Of-d.N, d.Of)
		}
		out = append(out, s+".")
	}

	// Uptime.
	if len(cur.Components) > 0 {
		low := cur.Components[0]
		clean := 0
		for _, c := range cur.Components {
			if c.Uptime < low.Uptime {
				low = c
			}
			if c.Downtime == 0 {
				clean++
			}
		}
		if low.Downtime == 0 {
			out = append(out, "Every component was up 100% of the time.")
		} else {
			out = append(out, fmt.Sprintf("Lowest uptime: %s at %s; %d of %d components had no downtime.", low.Component.Name, formatPercent(low.Uptime), clean, len(cur.Components)))
		}
	}

	// Learning: reviews, action items, repeats.
	if rv := cur.Reviews; rv.Needed > 0 {
		s = fmt.Sprintf("%d of %d major or critical incidents have a post-incident review", rv.Reviewed, rv.Needed)
	} else {
		s = "No major or critical incident needed a post-incident review"
	}
	if ac := cur.Actions; ac.Open+ac.Done > 0 {
		s += fmt.Sprintf("; %s open, %d done", count(ac.Open, "action item", "action items"), ac.Done)
		if ac.Overdue > 0 {
			s += fmt.Sprintf(", %d overdue", ac.Overdue)
		} else {
			s += ", none overdue"
		}
	}
	out = append(out, s+".")
	if n := len(cur.Repeats); n == 0 {
		out = append(out, "No repeat incidents (same component and tag within 30 days).")
	} else {
		out = append(out, fmt.Sprintf("%s: the same component and tag within 30 days.", count(n, "repeat incident", "repeat incidents")))
	}
	if cur.Internal > 0 {
		out = append(out, fmt.Sprintf("Includes %s not shown on the status page.", count(cur.Internal, "internal incident", "internal incidents")))
	}
	return out
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func compared(cur, prev int, up, down, same string) string {
	switch {
	case cur > prev:
		return up
	case cur < prev:
		return down
	}
	return same
}

// percentChange is "down 18%", "up 34%" or "unchanged".
func percentChange(cur, prev float64) string {
	if prev == 0 {
		return "unchanged"
	}
	p := math.Round(100 * (cur - prev) / prev)
	switch {
	case p > 0:
		return fmt.Sprintf("up %.0f%%", p)
	case p < 0:
		return fmt.Sprintf("down %.0f%%", -p)
	}
	return "unchanged"
}

func majorNames(cfg *Config) []string {
	var out []string
	for _, s := range cfg.Severities {
		if s.Impact.Rank() >= ImpactMajor.Rank() {
			out = append(out, s.Name)
		}
	}
	return out
}

func joinAnd(s []string) string { return joinWords(s, "and", "") }

// joinWords lists words the way a sentence does: "a, b and c".
func joinWords(words []string, conj, none string) string {
	switch len(words) {
	case 0:
		return none
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " " + conj + " " + words[len(words)-1]
}

// formatMoney rounds a cost the way a headline says it: $850, $6.9k,
// $57k, $1.2M.
func formatMoney(v float64) string {
	trim := func(s string) string {
		if len(s) > 2 && s[len(s)-2:] == ".0" {
			return s[:len(s)-2]
		}
		return s
	}
	switch {
	case v < 1000:
		return fmt.Sprintf("$%.0f", v)
	case v < 9950:
		return "$" + trim(fmt.Sprintf("%.1f", v/1000)) + "k"
	case v < 999500:
		return fmt.Sprintf("$%.0fk", v/1000)
	}
	return "$" + trim(fmt.Sprintf("%.1f", v/1e6)) + "M"
}
