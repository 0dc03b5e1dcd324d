package synth

import (
	"fmt"
	"strings"
	"time"
)

// newMaintenance writes window i: most are past and completed, the first
// is in progress and the next two are still to come.
func newMaintenance(o Options, i int) *bundle {
	g := newGen(o.Seed, 1<<40+uint64(i), o.Now)
	w := pick(g, windows)
	comps := some(g, w.comps, g.intn(1, len(w.comps)))
	length := time.Duration(g.intn(2, 12)*15) * time.Minute
	var start time.Time
	switch {
	case i == 0:
		start = o.Now.Add(-length / 2).Truncate(15 * time.Minute)
	case i < 3:
		start = o.Now.AddDate(0, 0, g.intn(2, 30)).Truncate(time.Hour)
	default:
		start = o.Now.Add(-time.Duration(g.intn(2*24, 730*24)) * time.Hour).Truncate(time.Hour)
	}
	end := start.Add(length)
	vars := map[string]string{"comp": componentName(comps[0]), "comps": joinNames(comps), "what": w.what}
	b := &bundle{slug: fmt.Sprintf("%s-%s-m%d", start.Format("2006-01-02"), w.key, i)}

	var m strings.Builder
	m.WriteString("---\n")
	fmt.Fprintf(&m, "title: %s\n", quoteYAML(g.fill(w.title, vars)))
	g.list(&m, "components", comps)
	fmt.Fprintf(&m, "scheduled_start: %s\nscheduled_end: %s\n", g.timeText(start), g.timeText(end))
	if g.chance(0.15) {
		g.list(&m, "audiences", some(g, audienceIDs, g.intn(1, 3)))
	}
	m.WriteString("---\n\n")
	m.WriteString(wrap(g.fill(w.intro, vars), 98))
	m.WriteString("\nDuring the window:\n\n")
	for _, e := range some(g, w.effects, g.intn(1, len(w.effects))) {
		m.WriteString("- " + g.fill(e, vars) + "\n")
	}
	if g.chance(0.5) {
		block(&m, "for it-team", g.fill(pick(g, maintenanceTech), vars))
	}
	b.add("maintenance.md", m.String())

	type step struct {
		at     time.Time
		status string
		text   string
	}
	announce := start.AddDate(0, 0, -g.intn(3, 10))
	var steps []step
	if announce.Before(o.Now) && g.chance(0.7) {
		steps = append(steps, step{announce, "scheduled", "Maintenance scheduled for {when}. We will post here when it starts and when it is complete."})
	}
	if !start.After(o.Now) {
		steps = append(steps, step{start, "in_progress", "The maintenance has started. {comps} may be briefly unavailable until it ends."})
		verify := start.Add(length * 2 / 3)
		if verify.Before(o.Now) {
			steps = append(steps, step{verify, "verifying", "The work is complete. We are checking that {comps} work correctly."})
			if done := verify.Add(time.Duration(g.intn(5, 25)) * time.Minute); done.Before(o.Now) && done.Before(end.Add(time.Hour)) {
				steps = append(steps, step{done, "completed", "The maintenance is complete and {comps} work normally again."})
			}
		}
	}
	vars["when"] = start.UTC().Format("Monday, January 2, 15:04") + " to " + end.UTC().Format("15:04 UTC")
	for _, s := range steps {
		var u strings.Builder
		fmt.Fprintf(&u, "---\nat: %s\nstatus: %s\n---\n\n", g.timeText(s.at), s.status)
		u.WriteString(wrap(g.fill(s.text, vars), 98))
		if g.chance(0.3) {
			block(&u, "for it-team", g.fill(pick(g, maintenanceTech), vars))
		}
		b.add(s.at.UTC().Format("2006-01-02T1504Z")+".md", u.String())
	}
	return b
}
