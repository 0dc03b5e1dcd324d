package site

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// reportView is what report.html and report.md receive.
type reportView struct {
	*Report
	Site         *Config
	PeriodName   string // "the last 90 days"
	PreviousName string // "the previous 90 days"
	Dates        string // "Aug 30 – Nov 27, 2026"
	PrevDates    string
	// The key figures' column heads: "Last 90 days", "Previous 90 days".
	CurrentColumn, PreviousColumn string
	ChartRange                    string // the charts' months: "Jun – Nov 2026"
	Figures                       []figureRow
	Charts                        []*Chart // incidents per month, MTTR trend, uptime
}

// figureRow is one line of the key figures table: this period, the one
// before, and the change in words.
type figureRow struct {
	Name, Current, Previous, Change string
}

func (r *Report) view() *reportView {
	loc := r.Config.Location
	cur, prev := r.Current, r.Previous
	v := &reportView{
		Report: r, Site: r.Config,
		PeriodName:   cur.Period.Name(loc),
		PreviousName: "the previous " + strconv.Itoa(prev.Period.Days) + " days",
		Dates:        cur.Period.Dates(loc),
		PrevDates:    prev.Period.Dates(loc),
	}
	v.CurrentColumn, v.PreviousColumn = v.Dates, "Previous "+strconv.Itoa(prev.Period.Days)+" days"
	if cur.Period.Recent {
		v.CurrentColumn = "Last " + strconv.Itoa(cur.Period.Days) + " days"
	}
	if n := len(r.Months); n > 0 {
		a, b := r.Months[0].Start, r.Months[n-1].Start
		if a.Year() == b.Year() {
			v.ChartRange = a.Format("Jan") + " – " + b.Format("Jan 2006")
		} else {
			v.ChartRange = a.Format("Jan 2006") + " – " + b.Format("Jan 2006")
		}
	}
	num := func(name string, c, p int) figureRow {
		return figureRow{name, strconv.Itoa(c), strconv.Itoa(p), countChange(c, p)}
	}
	// A mean over no incident at all is "–"; over incidents none of which
	// has the time, "unknown".
	text := func(st Stat, d Duration) string {
		if st.Of == 0 {
			return "–"
		}
		return d.String()
	}
	dur := func(name string, c, p Stat, median bool) figureRow {
		cd, pd := c.Mean, p.Mean
		if median {
			cd, pd = c.Median, p.Median
		}
		row := figureRow{Name: name, Current: text(c, cd), Previous: text(p, pd), Change: "–"}
		if cd.Known && pd.Known {
			row.Change = percentChange(float64(cd.D), float64(pd.D))
		}
		return row
	}
	v.Figures = []figureRow{
		num("Incidents", len(cur.Incidents), len(prev.Incidents)),
		num("Major or critical ("+joinAnd(majorNames(r.Config))+")", cur.Major, prev.Major),
		dur("Mean time to detect (MTTD)", cur.Times.Detect, prev.Times.Detect, false),
		dur("Mean time to acknowledge (MTTA)", cur.Times.Acknowledge, prev.Times.Acknowledge, false),
		dur("Mean time to identify", cur.Times.Identify, prev.Times.Identify, false),
		dur("Mean time to resolve (MTTR)", cur.Times.Resolve, prev.Times.Resolve, false),
		dur("Median time to resolve", cur.Times.Resolve, prev.Times.Resolve, true),
	}
	if cur.HasCost || prev.HasCost {
		row := figureRow{Name: "Estimated downtime cost", Current: formatMoney(cur.Cost), Previous: formatMoney(prev.Cost), Change: "–"}
		if prev.Cost > 0 {
			row.Change = percentChange(cur.Cost, prev.Cost)
		}
		v.Figures = append(v.Figures, row)
	}
	v.Figures = append(v.Figures,
		figureRow{"Reviews of major or critical incidents", fmt.Sprintf("%d of %d", cur.Reviews.Reviewed, cur.Reviews.Needed), fmt.Sprintf("%d of %d", prev.Reviews.Reviewed, prev.Reviews.Needed), "–"},
		num("Action items open", cur.Actions.Open, prev.Actions.Open),
		num("Action items overdue", cur.Actions.Overdue, prev.Actions.Overdue),
		num("Repeat incidents", len(cur.Repeats), len(prev.Repeats)),
	)
	v.Charts = []*Chart{r.severityChart(), r.mttrChart(), r.uptimeChart()}
	return v
}

func countChange(c, p int) string {
	switch {
	case c == p:
		return "unchanged"
	case p == 0:
		return fmt.Sprintf("up %d", c)
	}
	return percentChange(float64(c), float64(p))
}

// ReportHTML renders the report as one self-contained HTML page: inline
// styles and SVG charts, no script, laid out for A4 when printed.
func (t *Templates) ReportHTML(r *Report) ([]byte, error) {
	var buf bytes.Buffer
	if err := t.pages["report.html"].ExecuteTemplate(&buf, "report.html", r.view()); err != nil {
		return nil, fmt.Errorf("render report.html: %w", err)
	}
	return buf.Bytes(), nil
}

// ReportMarkdown renders the report as Markdown (GFM tables).
func (t *Templates) ReportMarkdown(r *Report) ([]byte, error) {
	var buf bytes.Buffer
	if err := t.texts["report.md"].Execute(&buf, r.view()); err != nil {
		return nil, fmt.Errorf("render report.md: %w", err)
	}
	return buf.Bytes(), nil
}

// mdCell makes text safe in a Markdown table cell.
func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "\r", "").Replace(s)
}

// Chart is an SVG chart laid out for a template: shapes in a viewBox of
// Width × Height, with a title and a description that say in words what
// it shows (for screen readers, and for a reader without the picture).
type Chart struct {
	ID, Title, Desc string
	Width, Height   float64
	Rects           []ChartShape
	Lines           []ChartShape
	Paths           []ChartShape
	Dots            []ChartShape
	Texts           []ChartText
}

// ChartShape is a rectangle (X, Y, W, H), a line (X, Y to X2, Y2), a path
// (D) or a dot (X, Y, R); Class picks its colour in the theme's CSS.
type ChartShape struct {
	X, Y, W, H, X2, Y2, R float64
	D, Class              string
}

// ChartText is a label; Anchor is start, middle or end.
type ChartText struct {
	X, Y                float64
	Text, Anchor, Class string
}

func round1(x float64) float64 { return math.Round(x*10) / 10 }

// niceStep is a tick step of 1, 2 or 5 × 10^n giving at most 5 ticks.
func niceStep(top float64) float64 {
	if top <= 0 {
		return 1
	}
	mag := math.Pow(10, math.Floor(math.Log10(top/5)))
	for _, f := range []float64{1, 2, 5, 10} {
		if top/(f*mag) <= 5 {
			return f * mag
		}
	}
	return 10 * mag
}

const (
	chartW                = 640
	chartLeft, chartRight = 48, 12
	chartTop              = 24
)

// severityChart stacks each month's incidents by severity.
func (r *Report) severityChart() *Chart {
	sevs := r.Config.Severities
	c := &Chart{ID: "chart-severity", Title: "Incidents per month by severity", Width: chartW, Height: 240}
	plotH, base := 160.0, float64(chartTop)+160
	top := 0
	for _, m := range r.Months {
		top = max(top, m.Count)
	}
	step := math.Max(1, math.Ceil(niceStep(float64(top))))
	ymax := math.Max(step, math.Ceil(float64(top)/step)*step)
	y := func(v float64) float64 { return round1(base - v/ymax*plotH) }
	for v := 0.0; v <= ymax; v += step {
		c.Lines = append(c.Lines, ChartShape{X: chartLeft, Y: y(v), X2: chartW - chartRight, Y2: y(v), Class: "grid"})
		c.Texts = append(c.Texts, ChartText{X: chartLeft - 6, Y: y(v) + 4, Text: strconv.Itoa(int(v)), Anchor: "end", Class: "tick"})
	}
	slot := (chartW - chartLeft - chartRight) / float64(max(len(r.Months), 1))
	var desc []string
	for i, m := range r.Months {
		x := chartLeft + float64(i)*slot
		acc := 0
		var parts []string
		for k, s := range sevs {
			n := m.BySeverity[k]
			if n == 0 {
				continue
			}
			c.Rects = append(c.Rects, ChartShape{X: round1(x + slot*0.2), Y: y(float64(acc + n)), W: round1(slot * 0.6), H: round1(float64(n) / ymax * plotH), Class: "k" + strconv.Itoa(k%6)})
			acc += n
			parts = append(parts, fmt.Sprintf("%d %s", n, s.Name))
		}
		if m.Count > 0 {
			c.Texts = append(c.Texts, ChartText{X: round1(x + slot/2), Y: y(float64(m.Count)) - 4, Text: strconv.Itoa(m.Count), Anchor: "middle", Class: "value"})
			desc = append(desc, fmt.Sprintf("%s: %s (%s)", m.Name, count(m.Count, "incident", "incidents"), strings.Join(parts, ", ")))
		} else {
			desc = append(desc, m.Name+": none")
		}
		c.Texts = append(c.Texts, ChartText{X: round1(x + slot/2), Y: base + 18, Text: m.Name, Anchor: "middle", Class: "tick"})
	}
	// Legend, one entry per severity.
	lx := float64(chartLeft)
	for k, s := range sevs {
		c.Rects = append(c.Rects, ChartShape{X: lx, Y: base + 36, W: 12, H: 12, Class: "k" + strconv.Itoa(k%6)})
		c.Texts = append(c.Texts, ChartText{X: lx + 16, Y: base + 46, Text: s.Name, Anchor: "start", Class: "tick"})
		lx += 24 + 8*float64(len(s.Name)) + 12
	}
	c.Desc = "Number of incidents that started each month, stacked by the worst severity each reached. " + strings.Join(desc, "; ") + "."
	return c
}

// mttrChart draws each month's mean time to resolve as a line.
func (r *Report) mttrChart() *Chart {
	c := &Chart{ID: "chart-mttr", Title: "Mean time to resolve (MTTR) per month", Width: chartW, Height: 230}
	plotH, base := 160.0, float64(chartTop)+160
	top := 0.0
	for _, m := range r.Months {
		if m.Resolve.Mean.Known {
			top = math.Max(top, m.Resolve.Mean.D.Hours())
		}
	}
	step := niceStep(top)
	if step < 0.5 {
		step = 0.5
	}
	ymax := math.Max(step, math.Ceil(top/step)*step)
	y := func(h float64) float64 { return round1(base - h/ymax*plotH) }
	for v := 0.0; v <= ymax+1e-9; v += step {
		c.Lines = append(c.Lines, ChartShape{X: chartLeft, Y: y(v), X2: chartW - chartRight, Y2: y(v), Class: "grid"})
		c.Texts = append(c.Texts, ChartText{X: chartLeft - 6, Y: y(v) + 4, Text: strconv.FormatFloat(v, 'f', -1, 64) + " h", Anchor: "end", Class: "tick"})
	}
	slot := (chartW - chartLeft - chartRight) / float64(max(len(r.Months), 1))
	var desc []string
	var path strings.Builder
	pen := false
	for i, m := range r.Months {
		x := round1(chartLeft + float64(i)*slot + slot/2)
		c.Texts = append(c.Texts, ChartText{X: x, Y: base + 18, Text: m.Name, Anchor: "middle", Class: "tick"})
		if !m.Resolve.Mean.Known {
			pen = false
			desc = append(desc, m.Name+": no resolved incident")
			continue
		}
		py := y(m.Resolve.Mean.D.Hours())
		if pen {
			fmt.Fprintf(&path, " L%v %v", x, py)
		} else {
			if path.Len() > 0 {
				path.WriteByte(' ')
			}
			fmt.Fprintf(&path, "M%v %v", x, py)
		}
		pen = true
		c.Dots = append(c.Dots, ChartShape{X: x, Y: py, R: 4, Class: "point"})
		c.Texts = append(c.Texts, ChartText{X: x, Y: py - 9, Text: m.Resolve.Mean.String(), Anchor: "middle", Class: "value"})
		desc = append(desc, fmt.Sprintf("%s: %s over %s", m.Name, m.Resolve.Mean, count(m.Resolve.N, "resolved incident", "resolved incidents")))
	}
	if path.Len() > 0 {
		c.Paths = append(c.Paths, ChartShape{D: path.String(), Class: "trend"})
	}
	c.Desc = "Mean time from the start of impact to resolution, for the incidents that started each month. " + strings.Join(desc, "; ") + "."
	return c
}

// uptimeChart draws each component's uptime in the period as a bar on an
// axis that starts below the lowest figure (uptime lives near 100%).
func (r *Report) uptimeChart() *Chart {
	comps := r.Current.Components
	const left, rowH = 170.0, 26.0
	c := &Chart{ID: "chart-uptime", Title: "Uptime per component, " + r.Current.Period.Name(r.Config.Location), Width: chartW, Height: float64(chartTop) + rowH*float64(len(comps)) + 30}
	low := 100.0
	for _, cm := range comps {
		low = math.Min(low, cm.Uptime)
	}
	floor := 99.0
	if low < floor {
		floor = math.Max(0, math.Floor(low)-1)
	}
	right := float64(chartW) - 70
	x := func(p float64) float64 { return round1(left + (p-floor)/(100-floor)*(right-left)) }
	base := float64(chartTop) + rowH*float64(len(comps))
	for _, p := range []float64{floor, (floor + 100) / 2, 100} {
		c.Lines = append(c.Lines, ChartShape{X: x(p), Y: chartTop - 6, X2: x(p), Y2: base, Class: "grid"})
		c.Texts = append(c.Texts, ChartText{X: x(p), Y: base + 16, Text: strconv.FormatFloat(p, 'f', -1, 64) + "%", Anchor: "middle", Class: "tick"})
	}
	var desc []string
	for i, cm := range comps {
		y := float64(chartTop) + rowH*float64(i)
		class := "up"
		if cm.Downtime > 0 {
			class = "down"
		}
		c.Rects = append(c.Rects, ChartShape{X: left, Y: y + 4, W: round1(x(cm.Uptime) - left), H: rowH - 10, Class: class})
		c.Texts = append(c.Texts,
			ChartText{X: left - 8, Y: y + 17, Text: cm.Component.Name, Anchor: "end", Class: "tick"},
			ChartText{X: right + 8, Y: y + 17, Text: formatPercent(cm.Uptime), Anchor: "start", Class: "value"})
		desc = append(desc, cm.Component.Name+" "+formatPercent(cm.Uptime))
	}
	c.Desc = fmt.Sprintf("Share of the period each component was up, a partial outage minute counting 30%% down; the axis starts at %v%%. %s.", floor, strings.Join(desc, "; "))
	return c
}

// JSON is the report for programs: durations in minutes (null when
// unknown), costs in the unit of cost_per_hour, times in RFC 3339.
func (r *Report) JSON() ([]byte, error) {
	loc := r.Config.Location
	out := reportJSON{
		Site: r.Config.Title, Now: r.Now, Private: true,
		Note:      "Private report for executives: it includes internal incidents (public: false) that the status page does not show.",
		Headlines: r.Headlines,
		Current:   aggregateJSONOf(r.Current, loc),
		Previous:  aggregateJSONOf(r.Previous, loc),
	}
	for _, m := range r.Months {
		mj := monthJSON{Month: m.Key, Incidents: m.Count, BySeverity: map[string]int{}, MTTR: m.Resolve.Mean, Resolved: m.Resolve.N}
		for i, s := range r.Config.Severities {
			mj.BySeverity[s.ID] = m.BySeverity[i]
		}
		out.Months = append(out.Months, mj)
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

type reportJSON struct {
	Site      string        `json:"site"`
	Now       time.Time     `json:"now"`
	Private   bool          `json:"private"`
	Note      string        `json:"note"`
	Headlines []string      `json:"headlines"`
	Current   aggregateJSON `json:"current"`
	Previous  aggregateJSON `json:"previous"`
	Months    []monthJSON   `json:"months"`
}

type aggregateJSON struct {
	From        time.Time       `json:"from"`
	To          time.Time       `json:"to"`
	Days        int             `json:"days"`
	Incidents   int             `json:"incidents"`
	Internal    int             `json:"internal"`
	Major       int             `json:"major_or_critical"`
	Times       timesJSON       `json:"times"`
	BySeverity  []severityJSON  `json:"by_severity"`
	Components  []componentJSON `json:"components"`
	Cost        *float64        `json:"estimated_cost"`
	Repeats     []repeatJSON    `json:"repeats"`
	Reviews     reviewsJSON     `json:"reviews"`
	ActionItems actionItemsJSON `json:"action_items"`
	List        []incidentJSON  `json:"incident_list"`
}

type statJSON struct {
	Mean   Duration `json:"mean_minutes"`
	Median Duration `json:"median_minutes"`
	Known  int      `json:"known"`
	Of     int      `json:"of"`
}

type timesJSON struct {
	Detect      statJSON `json:"time_to_detect"`
	Acknowledge statJSON `json:"time_to_acknowledge"`
	Identify    statJSON `json:"time_to_identify"`
	Resolve     statJSON `json:"time_to_resolve"`
}

type severityJSON struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Incidents int       `json:"incidents"`
	Times     timesJSON `json:"times"`
}

type componentJSON struct {
	ID               string   `json:"id"`
	Name             string   `json:"name"`
	Incidents        int      `json:"incidents"`
	DowntimeMinutes  float64  `json:"downtime_minutes"`
	Uptime           float64  `json:"uptime_percent"`
	StatusPageUptime float64  `json:"status_page_uptime_percent"`
	Cost             *float64 `json:"estimated_cost"`
}

type repeatJSON struct {
	Incident  string  `json:"incident"`
	Earlier   string  `json:"earlier"`
	Component string  `json:"component"`
	Tag       string  `json:"tag"`
	AfterDays float64 `json:"after_days"`
}

type reviewsJSON struct {
	Needed    int      `json:"needed"`
	Reviewed  int      `json:"reviewed"`
	Published int      `json:"published"`
	Missing   []string `json:"missing"`
}

type actionItemsJSON struct {
	Open    int               `json:"open"`
	Done    int               `json:"done"`
	Overdue int               `json:"overdue"`
	Items   []overdueItemJSON `json:"overdue_items"`
}

type overdueItemJSON struct {
	Incident string `json:"incident"`
	Title    string `json:"title"`
	Owner    string `json:"owner,omitempty"`
	Due      string `json:"due"`
}

type incidentJSON struct {
	Slug        string              `json:"slug"`
	Title       string              `json:"title"`
	Public      bool                `json:"public"`
	Severity    string              `json:"severity"`
	Started     time.Time           `json:"started"`
	Resolved    *time.Time          `json:"resolved"`
	Detect      Duration            `json:"time_to_detect_minutes"`
	Acknowledge Duration            `json:"time_to_acknowledge_minutes"`
	Identify    Duration            `json:"time_to_identify_minutes"`
	Resolve     Duration            `json:"time_to_resolve_minutes"`
	Downtime    []downtimeJSON      `json:"downtime"`
	Cost        *float64            `json:"estimated_cost"`
	Tags        []string            `json:"tags"`
	Review      *incidentReviewJSON `json:"review"`
}

type downtimeJSON struct {
	Component string   `json:"component"`
	Minutes   float64  `json:"minutes"`
	Cost      *float64 `json:"estimated_cost"`
}

type incidentReviewJSON struct {
	Published bool   `json:"published"`
	RootCause string `json:"root_cause"`
}

type monthJSON struct {
	Month      string         `json:"month"`
	Incidents  int            `json:"incidents"`
	BySeverity map[string]int `json:"by_severity"`
	MTTR       Duration       `json:"mttr_minutes"`
	Resolved   int            `json:"resolved"`
}

func statJSONOf(s Stat) statJSON { return statJSON{s.Mean, s.Median, s.N, s.Of} }

func timesJSONOf(t Times) timesJSON {
	return timesJSON{statJSONOf(t.Detect), statJSONOf(t.Acknowledge), statJSONOf(t.Identify), statJSONOf(t.Resolve)}
}

func minutes(d time.Duration) float64 { return d.Round(time.Second).Seconds() / 60 }

// cents rounds a cost for JSON; nil when there is no estimate.
func cents(v float64, ok bool) *float64 {
	if !ok {
		return nil
	}
	c := math.Round(v*100) / 100
	return &c
}

func aggregateJSONOf(a *Aggregate, loc *time.Location) aggregateJSON {
	out := aggregateJSON{
		From: a.Period.From.In(loc), To: a.Period.To.In(loc), Days: a.Period.Days,
		Incidents: len(a.Incidents), Internal: a.Internal, Major: a.Major,
		Times: timesJSONOf(a.Times), Cost: cents(a.Cost, a.HasCost),
		Repeats: []repeatJSON{}, List: []incidentJSON{},
		Reviews:     reviewsJSON{Needed: a.Reviews.Needed, Reviewed: a.Reviews.Reviewed, Published: a.Reviews.Published, Missing: []string{}},
		ActionItems: actionItemsJSON{Open: a.Actions.Open, Done: a.Actions.Done, Overdue: a.Actions.Overdue, Items: []overdueItemJSON{}},
	}
	for _, s := range a.Severities {
		out.BySeverity = append(out.BySeverity, severityJSON{s.Severity.ID, s.Severity.Name, s.Count, timesJSONOf(s.Times)})
	}
	for _, c := range a.Components {
		out.Components = append(out.Components, componentJSON{
			ID: c.Component.ID, Name: c.Component.Name, Incidents: c.Incidents,
			DowntimeMinutes: minutes(c.Downtime), Uptime: c.Uptime, StatusPageUptime: c.StatusPageUptime,
			Cost: cents(c.Cost, c.Component.HasCost),
		})
	}
	for _, rp := range a.Repeats {
		out.Repeats = append(out.Repeats, repeatJSON{rp.Incident.Slug, rp.Earlier.Slug, rp.Component.ID, rp.Tag, math.Round(rp.After.Hours()/24*10) / 10})
	}
	for _, in := range a.Reviews.Missing {
		out.Reviews.Missing = append(out.Reviews.Missing, in.Slug)
	}
	for _, it := range a.Actions.OverdueItems {
		out.ActionItems.Items = append(out.ActionItems.Items, overdueItemJSON{it.Incident.Slug, it.Item.Title, it.Item.Owner, it.Item.Due.Format(time.RFC3339)})
	}
	for _, m := range a.Incidents {
		in := m.Incident
		ij := incidentJSON{
			Slug: in.Slug, Title: in.Title, Public: in.Public, Severity: m.Severity.ID, Started: in.Started,
			Detect: m.Detect, Acknowledge: m.Acknowledge, Identify: m.Identify, Resolve: m.Resolve,
			Cost: cents(m.Cost, m.HasCost), Tags: in.Tags, Downtime: []downtimeJSON{},
		}
		if ij.Tags == nil {
			ij.Tags = []string{}
		}
		if !in.Resolved.IsZero() {
			t := in.Resolved
			ij.Resolved = &t
		}
		for _, cd := range m.Components {
			ij.Downtime = append(ij.Downtime, downtimeJSON{cd.Component.ID, minutes(cd.Downtime), cents(cd.Cost, cd.Component.HasCost)})
		}
		if in.Review != nil {
			ij.Review = &incidentReviewJSON{in.Review.Published, in.Review.RootCause}
		}
		out.List = append(out.List, ij)
	}
	return out
}
