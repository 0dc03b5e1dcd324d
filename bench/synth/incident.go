package synth

import (
	"fmt"
	"strings"
	"time"
)

var (
	severities      = []string{"sev1", "sev2", "sev3", "sev4"}
	severityWeights = []float64{0.08, 0.25, 0.45, 0.22}
	defaultStatus   = map[string]string{"sev1": "major_outage", "sev2": "partial_outage", "sev3": "degraded_performance", "sev4": "degraded_performance"}
	worseStatuses   = []string{"degraded_performance", "partial_outage", "major_outage"}
	audienceIDs     = []string{"executives", "it-team", "end-users", "customers"}
)

// incidentStatuses in lifecycle order.
var incidentStatuses = []string{"investigating", "identified", "monitoring", "resolved"}

// active reports how many of the newest incidents are still open.
func activeCount(o Options) int { return min(o.Incidents, 1+o.Incidents/4000, 3) }

type update struct {
	at         time.Time
	status     string
	impact     [][2]string // component, status in order
	severity   string
	eta, next  time.Time
	body       string
	fileName   string
	tomlFormat bool
}

func newIncident(o Options, i, nUpdates int) *bundle {
	g := newGen(o.Seed, uint64(i)+1, o.Now)
	sc := pick(g, scenarios)
	comps := some(g, sc.comps, g.intn(1, min(2, len(sc.comps))))
	sev := weighted(g, severities, severityWeights)
	active := i < activeCount(o)
	vars := map[string]string{
		"comp":  componentName(comps[0]),
		"comps": joinNames(comps),
		"what":  pick(g, sc.what),
	}

	// Times: updates every few minutes to hours; the whole incident ends
	// before now, and open ones started within the last hours.
	gaps := make([]time.Duration, nUpdates)
	long := g.chance(0.05)
	for j := range gaps {
		if long {
			gaps[j] = time.Duration(g.intn(20, 720)) * time.Minute
		} else {
			gaps[j] = time.Duration(g.intn(5, 95)) * time.Minute
		}
	}
	first := time.Duration(g.intn(3, 30)) * time.Minute
	span := first
	for _, d := range gaps[1:] {
		span += d
	}
	var started time.Time
	if active {
		started = o.Now.Add(-span - time.Duration(g.intn(5, 40))*time.Minute)
	} else {
		back := time.Duration(g.intn(60, 730*24*60)) * time.Minute
		started = o.Now.Add(-back)
		if end := started.Add(span); !end.Before(o.Now) {
			started = started.Add(-span - time.Hour)
		}
	}
	slug := fmt.Sprintf("%s-%s-%d", started.Format("2006-01-02"), sc.key, i)
	b := &bundle{slug: slug}
	toml := g.chance(0.03)
	crlf := g.chance(0.01)
	numbered := g.chance(0.1)

	// Statuses: forward through the lifecycle, resolved last unless open.
	statuses := make([]string, nUpdates)
	level := 0
	if g.chance(0.25) {
		level = 1
	}
	for j := range statuses {
		statuses[j] = incidentStatuses[level]
		if g.chance(0.45) && level < 2 {
			level++
		}
	}
	if !active {
		statuses[nUpdates-1] = "resolved"
	} else if statuses[nUpdates-1] == "resolved" {
		statuses[nUpdates-1] = "monitoring"
	}

	var ups []update
	at := started.Add(first)
	curSev := sev
	for j := range nUpdates {
		if j > 0 {
			at = at.Add(gaps[j])
		}
		u := update{at: at, status: statuses[j]}
		switch {
		case j == 0 && g.chance(0.6):
			for _, c := range comps {
				u.impact = append(u.impact, [2]string{c, pickStatus(g, curSev)})
			}
		case u.status == "monitoring" && g.chance(0.5):
			u.impact = append(u.impact, [2]string{comps[0], "operational"})
		case u.status != "resolved" && g.chance(0.25):
			u.impact = append(u.impact, [2]string{pick(g, comps), pick(g, worseStatuses)})
			if g.chance(0.2) {
				other := pick(g, components).id
				if other != comps[0] {
					u.impact = append(u.impact, [2]string{other, "degraded_performance"})
				}
			}
		}
		if j > 0 && u.status != "resolved" && g.chance(0.08) {
			if s := pick(g, severities); s != curSev {
				u.severity, curSev = s, s
			}
		}
		if u.status == "identified" && g.chance(0.4) {
			u.eta = at.Add(time.Duration(g.intn(3, 36)*5) * time.Minute)
		}
		if u.status != "resolved" && g.chance(0.5) {
			u.next = at.Add(time.Duration(g.intn(3, 12)*5) * time.Minute)
		}
		u.body = g.updateBody(sc, u, vars, curSev)
		if numbered {
			u.fileName = fmt.Sprintf("update-%02d.md", j+1)
		} else {
			u.fileName = at.UTC().Format("2006-01-02T1504Z") + ".md"
		}
		ups = append(ups, u)
	}

	b.add("incident.md", g.incidentFile(sc, vars, comps, sev, started, active, toml))
	for _, u := range ups {
		u.tomlFormat = toml
		b.add(u.fileName, g.updateFile(u))
	}
	if !active && g.chance(0.05) {
		b.add("review.md", g.reviewFile(sc, vars, ups[len(ups)-1].at))
	}
	if crlf {
		for k := range b.files {
			b.files[k] = strings.ReplaceAll(b.files[k], "\n", "\r\n")
		}
	}
	return b
}

func weighted(g *gen, xs []string, ws []float64) string {
	x := g.r.Float64()
	for i, w := range ws {
		if x < w {
			return xs[i]
		}
		x -= w
	}
	return xs[len(xs)-1]
}

func pickStatus(g *gen, sev string) string {
	if g.chance(0.7) {
		return defaultStatus[sev]
	}
	return pick(g, worseStatuses)
}

func joinNames(ids []string) string {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = componentName(id)
	}
	switch len(names) {
	case 1:
		return names[0]
	case 2:
		return names[0] + " and " + names[1]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func (g *gen) incidentFile(sc *scenario, vars map[string]string, comps []string, sev string, started time.Time, active, toml bool) string {
	title := g.fill(pick(g, sc.titles), vars)
	detected := started.Add(time.Duration(g.intn(0, 15)) * time.Minute)
	acked := detected.Add(time.Duration(g.intn(1, 20)) * time.Minute)
	hasDetected, hasAcked := g.chance(0.7), g.chance(0.5)
	commander := ""
	if g.chance(0.8) {
		commander = pick(g, people)
	}
	var responders, tags, auds []string
	if g.chance(0.6) {
		responders = some(g, people, g.intn(1, 5))
	}
	if g.chance(0.7) {
		tags = some(g, sc.tags, g.intn(1, len(sc.tags)))
	}
	if g.chance(0.04) {
		auds = some(g, audienceIDs[:3], g.intn(1, 3))
	}
	internal := g.chance(0.03)
	extra := g.chance(0.05)

	var b strings.Builder
	if toml {
		b.WriteString("+++\n")
		fmt.Fprintf(&b, "title = %s\nseverity = %q\ncomponents = %s\nstarted = %s\n", quoteTOML(title), sev, tomlList(comps), stamp(started))
		if hasDetected {
			fmt.Fprintf(&b, "detected = %q\n", stamp(detected))
		}
		if hasAcked {
			fmt.Fprintf(&b, "acknowledged = %s\n", stamp(acked))
		}
		if commander != "" {
			fmt.Fprintf(&b, "commander = %s\n", quoteTOML(commander))
		}
		if responders != nil {
			fmt.Fprintf(&b, "responders = %s\n", tomlList(responders))
		}
		if tags != nil {
			fmt.Fprintf(&b, "tags = %s\n", tomlList(tags))
		}
		if auds != nil {
			fmt.Fprintf(&b, "audiences = %s\n", tomlList(auds))
		}
		if internal {
			b.WriteString("public = false\n")
		}
		if extra {
			fmt.Fprintf(&b, "\n[extra]\nticket = %q\ncustomer_reports = %d\n", g.word("ticket"), g.intn(0, 200))
		}
		b.WriteString("+++\n")
	} else {
		b.WriteString("---\n")
		if g.chance(0.05) {
			b.WriteString("# filed from the incident channel by the on-call engineer\n")
		}
		fmt.Fprintf(&b, "title: %s\nseverity: %s\n", quoteYAML(title), sev)
		g.list(&b, "components", comps)
		fmt.Fprintf(&b, "started: %s\n", g.timeText(started))
		if hasDetected {
			fmt.Fprintf(&b, "detected: %s\n", g.timeText(detected))
		}
		if hasAcked {
			fmt.Fprintf(&b, "acknowledged: %s\n", g.timeText(acked))
		}
		if commander != "" {
			fmt.Fprintf(&b, "commander: %s\n", commander)
		}
		if responders != nil {
			g.list(&b, "responders", responders)
		}
		if tags != nil {
			g.list(&b, "tags", tags)
		}
		if auds != nil {
			g.list(&b, "audiences", auds)
		}
		if internal {
			b.WriteString("public: false\n")
		}
		if extra {
			fmt.Fprintf(&b, "extra:\n  ticket: %s\n  customer_reports: %d\n  links:\n    - https://wiki.synthpay.example/incidents/%s\n", g.word("ticket"), g.intn(0, 200), g.word("ticket"))
		}
		b.WriteString("---\n")
	}
	if (!active && g.chance(0.4)) || (active && g.chance(0.5)) {
		b.WriteString("\n")
		b.WriteString(wrap(g.fill(pick(g, sc.summary), vars)+" "+g.fill(pick(g, summaryTails), vars), 98))
		if g.chance(0.2) {
			block(&b, "internal", g.fill(pick(g, internalNotes), vars))
		}
	}
	return b.String()
}

func (g *gen) updateFile(u update) string {
	var b strings.Builder
	if u.tomlFormat {
		b.WriteString("+++\n")
		fmt.Fprintf(&b, "at = %s\nstatus = %q\n", stamp(u.at), u.status)
		if !u.eta.IsZero() {
			fmt.Fprintf(&b, "eta = %q\n", stamp(u.eta))
		}
		if !u.next.IsZero() {
			fmt.Fprintf(&b, "next_update = %s\n", stamp(u.next))
		}
		if u.severity != "" {
			fmt.Fprintf(&b, "severity = %q\n", u.severity)
		}
		if len(u.impact) > 0 {
			b.WriteString("\n[impact]\n")
			for _, kv := range dedupe(u.impact) {
				fmt.Fprintf(&b, "%s = %q\n", kv[0], kv[1])
			}
		}
		b.WriteString("+++\n")
	} else {
		b.WriteString("---\n")
		fmt.Fprintf(&b, "at: %s\nstatus: %s\n", g.timeText(u.at), u.status)
		if len(u.impact) > 0 {
			if g.chance(0.15) {
				var kv []string
				for _, p := range dedupe(u.impact) {
					kv = append(kv, p[0]+": "+p[1])
				}
				fmt.Fprintf(&b, "impact: {%s}\n", strings.Join(kv, ", "))
			} else {
				b.WriteString("impact:\n")
				for _, p := range dedupe(u.impact) {
					fmt.Fprintf(&b, "  %s: %s\n", p[0], p[1])
				}
			}
		}
		if !u.eta.IsZero() {
			fmt.Fprintf(&b, "eta: %s\n", g.timeText(u.eta))
		}
		if !u.next.IsZero() {
			if g.chance(0.1) {
				fmt.Fprintf(&b, "next_update: %q\n", stamp(u.next))
			} else {
				fmt.Fprintf(&b, "next_update: %s\n", g.timeText(u.next))
			}
		}
		if u.severity != "" {
			fmt.Fprintf(&b, "severity: %s # re-triaged\n", u.severity)
		}
		b.WriteString("---\n")
	}
	b.WriteString("\n")
	b.WriteString(u.body)
	return b.String()
}

// dedupe keeps the last status of each component, in first-seen order.
func dedupe(kv [][2]string) [][2]string {
	var out [][2]string
	for _, p := range kv {
		found := false
		for i := range out {
			if out[i][0] == p[0] {
				out[i][1] = p[1]
				found = true
			}
		}
		if !found {
			out = append(out, p)
		}
	}
	return out
}

func (g *gen) updateBody(sc *scenario, u update, vars map[string]string, sev string) string {
	var b strings.Builder
	lines := sc.public[u.status]
	n := g.intn(1, 3)
	var sentences []string
	for _, s := range some(g, lines, n) {
		sentences = append(sentences, g.fill(s, vars))
	}
	sentences = append(sentences, g.fill(pick(g, publicTails[u.status]), vars))
	b.WriteString(wrap(strings.Join(sentences, " "), 98))
	if g.chance(0.25) {
		b.WriteString("\n")
		for _, s := range some(g, advice, g.intn(2, 3)) {
			b.WriteString("- " + g.fill(s, vars) + "\n")
		}
	}
	if !u.next.IsZero() {
		fmt.Fprintf(&b, "\nNext update by %s UTC.\n", u.next.UTC().Format("15:04"))
	}
	if g.chance(0.6) {
		var tech []string
		for _, s := range some(g, sc.tech, g.intn(1, 3)) {
			tech = append(tech, g.fill(s, vars))
		}
		block(&b, "for it-team", strings.Join(tech, " "))
	}
	if (sev == "sev1" || sev == "sev2") && g.chance(0.5) {
		block(&b, "for executives", g.fill(pick(g, execNotes), vars)+" "+g.fill(pick(g, execTails), vars))
	}
	if g.chance(0.25) {
		block(&b, "for end-users", g.fill(pick(g, endUserNotes), vars))
	}
	if g.chance(0.1) {
		block(&b, "for it-team executives", g.fill(pick(g, bridgeNotes), vars))
	}
	if g.chance(0.12) {
		block(&b, "internal", g.fill(pick(g, internalNotes), vars))
	}
	if g.chance(0.05) {
		block(&b, "for customers", g.fill(pick(g, customerNotes), vars))
	}
	return b.String()
}

func (g *gen) reviewFile(sc *scenario, vars map[string]string, resolved time.Time) string {
	var b strings.Builder
	b.WriteString("---\n")
	fmt.Fprintf(&b, "published: %t\n", g.chance(0.7))
	fmt.Fprintf(&b, "root_cause: %s\n", quoteYAML(g.fill(pick(g, sc.rootCauses), vars)))
	b.WriteString("action_items:\n")
	for k, a := range some(g, sc.actions, g.intn(1, len(sc.actions))) {
		due := resolved.AddDate(0, 0, 7*(k+1)+g.intn(0, 20))
		status := "open"
		if due.Before(g.now) && g.chance(0.7) {
			status = "done"
		}
		fmt.Fprintf(&b, "  - title: %s\n    owner: %s\n    status: %s\n", quoteYAML(g.fill(a, vars)), pick(g, people), status)
		if g.chance(0.5) {
			fmt.Fprintf(&b, "    due: %s\n", due.Format("2006-01-02"))
		} else {
			fmt.Fprintf(&b, "    due: %s\n", stamp(due))
		}
	}
	b.WriteString("---\n\n## Summary\n\n")
	b.WriteString(wrap(g.fill(pick(g, sc.summary), vars)+" "+g.fill(pick(g, summaryTails), vars), 98))
	b.WriteString("\n## Timeline (UTC)\n\n| time | event |\n|---|---|\n")
	t := resolved.Add(-time.Duration(g.intn(60, 300)) * time.Minute)
	for _, e := range timelineEvents {
		fmt.Fprintf(&b, "| %s | %s |\n", t.UTC().Format("15:04"), g.fill(e, vars))
		t = t.Add(time.Duration(g.intn(4, 40)) * time.Minute)
	}
	b.WriteString("\n## What we are changing\n\n")
	for k, a := range some(g, sc.actions, len(sc.actions)) {
		fmt.Fprintf(&b, "%d. %s.\n", k+1, g.fill(a, vars))
	}
	b.WriteString("\nIf you have questions about this review, contact support@synthpay.example.\n")
	block(&b, "internal", g.fill(pick(g, internalNotes), vars))
	return b.String()
}

// block writes an audience block: its opener ("for it-team", "internal"),
// the text and the closing :::.
func block(b *strings.Builder, opener, text string) {
	b.WriteString("\n::: " + opener + "\n")
	b.WriteString(wrap(text, 98))
	b.WriteString(":::\n")
}

// wrap breaks text into lines of at most width bytes, as people write
// Markdown paragraphs, and ends it with a newline.
func wrap(text string, width int) string {
	var b strings.Builder
	n := 0
	for i, w := range strings.Fields(text) {
		if i > 0 {
			if n+1+len(w) > width {
				b.WriteByte('\n')
				n = 0
			} else {
				b.WriteByte(' ')
				n++
			}
		}
		b.WriteString(w)
		n += len(w)
	}
	b.WriteByte('\n')
	return b.String()
}
