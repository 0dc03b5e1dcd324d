package site

import (
	"slices"
	"time"
)

// flatten turns possibly overlapping spans into disjoint ones, each with
// the worst status covering it, so that two incidents on one component
// never count the same minute twice.
func flatten(spans []Span) []Span {
	if len(spans) == 0 {
		return nil
	}
	type edge struct {
		at    time.Time
		open  bool
		state Status
	}
	edges := make([]edge, 0, 2*len(spans))
	for _, s := range spans {
		if !s.To.After(s.From) {
			continue
		}
		edges = append(edges, edge{s.From, true, s.Status}, edge{s.To, false, s.Status})
	}
	slices.SortFunc(edges, func(a, b edge) int { return a.at.Compare(b.at) })
	var out []Span
	var counts [5]int
	worst := func() Status {
		for r := 4; r >= 0; r-- {
			if counts[r] > 0 {
				return rankStatus[r]
			}
		}
		return Operational
	}
	var from time.Time
	for i := 0; i < len(edges); {
		at := edges[i].at
		cur := worst()
		if cur != Operational && at.After(from) {
			if n := len(out); n > 0 && out[n-1].Status == cur && out[n-1].To.Equal(from) {
				out[n-1].To = at
			} else {
				out = append(out, Span{From: from, To: at, Status: cur})
			}
		}
		for ; i < len(edges) && edges[i].at.Equal(at); i++ {
			if edges[i].open {
				counts[edges[i].state.Rank()]++
			} else {
				counts[edges[i].state.Rank()]--
			}
		}
		from = at
	}
	return out
}

var rankStatus = [5]Status{Operational, UnderMaintenance, DegradedPerformance, PartialOutage, MajorOutage}

// Day is one cell of an uptime bar.
type Day struct {
	Date     time.Time // midnight in the display time zone
	Worst    Status
	Downtime time.Duration // weighted: a partial outage minute counts 30%
	Outage   map[Status]time.Duration
	Future   bool
}

// Uptime is a component's history over the site's window.
type Uptime struct {
	Days    []Day
	Percent float64 // 0–100, over the elapsed part of the window
}

// Start is the first day's midnight; zero with no days.
func (u Uptime) Start() time.Time {
	if len(u.Days) == 0 {
		return time.Time{}
	}
	return u.Days[0].Date
}

// ComponentUptime computes the uptime bar for component id: days days
// ending with now's day in loc.
func ComponentUptime(spans []Span, days int, now time.Time, loc *time.Location) Uptime {
	return flatUptime(flatten(spans), days, now, loc)
}

// flatUptime is ComponentUptime of spans already flattened.
func flatUptime(flat []Span, days int, now time.Time, loc *time.Location) Uptime {
	y, m, d := now.In(loc).Date()
	u := Uptime{Days: make([]Day, days)}
	var total, down time.Duration
	j := 0
	for i := range u.Days {
		start := time.Date(y, m, d-days+1+i, 0, 0, 0, 0, loc)
		end := time.Date(y, m, d-days+2+i, 0, 0, 0, 0, loc)
		day := Day{Date: start, Worst: Operational}
		if end.After(now) {
			end = now
		}
		if !end.After(start) {
			day.Future = true
			u.Days[i] = day
			continue
		}
		total += end.Sub(start)
		for j < len(flat) && !flat[j].To.After(start) {
			j++
		}
		for k := j; k < len(flat) && flat[k].From.Before(end); k++ {
			s := flat[k]
			from, to := maxTime(s.From, start), minTime(s.To, end)
			if !to.After(from) {
				continue
			}
			dur := to.Sub(from)
			if day.Outage == nil {
				day.Outage = map[Status]time.Duration{}
			}
			day.Outage[s.Status] += dur
			day.Worst = worse(day.Worst, s.Status)
			day.Downtime += time.Duration(float64(dur) * s.Status.Downtime())
		}
		down += day.Downtime
		u.Days[i] = day
	}
	u.Percent = 100
	if total > 0 {
		u.Percent = 100 * (1 - down.Minutes()/total.Minutes())
	}
	return u
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
