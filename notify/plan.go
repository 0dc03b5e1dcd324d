// Package notify works out which notices each audience is due, renders
// them from the theme's templates (through site) and sends them over
// email, SMS, chat, webhooks and calls, recording every send in a ledger
// so that reruns, crashes and concurrent runs never send one twice.
package notify

import (
	"crypto/sha256"
	"encoding/hex"
	"path"
	"sort"
	"time"

	"github.com/heraldstatus/herald/site"
)

// Kind says why a notice goes out.
type Kind string

// Notice kinds. Every kind but KindUpdate and KindSummary is a milestone
// and goes out at once; updates wait for the audience's cadence, and a
// summary goes out once its period is over.
const (
	KindNew      Kind = "new"      // a new incident, or a maintenance announced
	KindStatus   Kind = "status"   // an incident's status changed
	KindSeverity Kind = "severity" // an incident's severity was raised
	KindResolved Kind = "resolved" // an incident was resolved
	KindStart    Kind = "start"    // a maintenance started
	KindEnd      Kind = "end"      // a maintenance ended
	KindUpdate   Kind = "update"   // anything else, coalesced by cadence
	KindSummary  Kind = "summary"  // the executive report of a completed period
)

// Milestone reports whether a notice of this kind goes out at once.
func (k Kind) Milestone() bool { return k != KindUpdate && k != KindSummary }

// An Event is one thing an audience may hear about: an update, or the
// incident or maintenance itself when it has none yet.
type Event struct {
	Key  string // stable within its item: the update's file name
	At   time.Time
	Kind Kind
	// Severity in force at the event (incidents only).
	Severity *site.Severity
}

// An Item is an incident or a maintenance, with its events in order; or,
// for a summary, a completed period, with one event: its end.
type Item struct {
	Kind        string // "incident", "maintenance" or "summary"
	Slug        string // a summary's is its period's key: 2026-11-16.P7D
	Incident    *site.Incident
	Maintenance *site.Maintenance
	Period      *site.Period // summaries only
	Events      []Event
}

// Items lists everything notices can be about, with its events.
func Items(s *site.Site) []Item {
	var out []Item
	for _, in := range s.Incidents {
		it := Item{Kind: "incident", Slug: in.Slug, Incident: in}
		if len(in.Updates) == 0 {
			it.Events = []Event{{Key: "incident.md", At: in.Started, Kind: KindNew, Severity: in.Severity}}
		}
		var prev *site.Update
		for i, u := range in.Updates {
			k := KindUpdate
			switch {
			case i == 0:
				k = KindNew
			case u.Status == "resolved":
				k = KindResolved
			case u.Status != prev.Status:
				k = KindStatus
			case u.Severity.Impact.Rank() > prev.Severity.Impact.Rank():
				k = KindSeverity
			}
			it.Events = append(it.Events, Event{Key: path.Base(u.Path), At: u.At, Kind: k, Severity: u.Severity})
			prev = u
		}
		out = append(out, it)
	}
	for _, m := range s.Maintenances {
		it := Item{Kind: "maintenance", Slug: m.Slug, Maintenance: m}
		if len(m.Updates) == 0 {
			// No updates: the window speaks for itself. It is announced a
			// week ahead; one written later is news when it is first seen,
			// until its window ends (after that, the horizon judges it by
			// the week-ahead time).
			announce := m.Start.Add(-7 * 24 * time.Hour)
			if s.Now.After(announce) && s.Now.Before(m.End) {
				announce = s.Now
			}
			it.Events = append(it.Events, Event{Key: "maintenance.md", At: announce, Kind: KindNew})
			if !s.Now.Before(m.Start) {
				it.Events = append(it.Events, Event{Key: "start", At: m.Start, Kind: KindStart})
			}
			if !s.Now.Before(m.End) {
				it.Events = append(it.Events, Event{Key: "end", At: m.End, Kind: KindEnd})
			}
		}
		for i, u := range m.Updates {
			k := KindUpdate
			switch {
			case i == 0:
				k = KindNew
			case u.Status == "in_progress" && m.Updates[i-1].Status != "in_progress":
				k = KindStart
			case u.Status == "completed":
				k = KindEnd
			case u.Status != m.Updates[i-1].Status:
				k = KindStatus
			}
			if i == 0 && u.Status == "in_progress" {
				k = KindStart
			}
			it.Events = append(it.Events, Event{Key: path.Base(u.Path), At: u.At, Kind: k})
		}
		out = append(out, it)
	}
	return out
}

// Cursor is what an audience has heard of an item: the events through
// Through (a count) and when its last notice went out.
type Cursor struct {
	Through int       `json:"through"`
	At      time.Time `json:"at"`
	Notices int       `json:"notices"` // how many notices it has had
}

// A Notice is one message to one audience about one item at one moment:
// the events it has not yet heard.
type Notice struct {
	Audience *site.Audience
	Item     Item
	Kind     Kind // the most important kind among its events
	From     int  // first event covered (index)
	Through  int  // events covered: Events[From:Through]
	First    bool // the first notice this audience gets about the item
	Heard    int  // notices the audience had about the item before this one
	// Baseline is set on a notice that only records the horizon: events
	// too old to send when the item is first seen. Nothing is sent.
	Baseline bool
}

// ID is the notice's stable identity: the same audience, item and events
// always give the same ID, across runs and machines. A summary's is
// summary/<audience>/<period key>.
func (n Notice) ID() string {
	if n.Kind == KindSummary {
		return "summary/" + n.Audience.ID + "/" + n.Item.Slug
	}
	h := sha256.New()
	for _, s := range []string{n.Audience.ID, n.Item.Kind, n.Item.Slug, n.Item.Events[n.Through-1].Key} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// Events returns the events the notice covers.
func (n Notice) Events() []Event { return n.Item.Events[n.From:n.Through] }

// Latest is the newest event the notice covers.
func (n Notice) Latest() Event { return n.Item.Events[n.Through-1] }

// PlanOptions tune Plan.
type PlanOptions struct {
	Now time.Time
	// Horizon: on an item an audience has never heard of, events older
	// than this are taken as heard (a first run sends nothing for last
	// year's outage). Zero means 24 h.
	Horizon time.Duration
}

// kindRank orders kinds by importance, for a notice's headline kind.
var kindRank = map[Kind]int{KindUpdate: 0, KindStatus: 1, KindStart: 2, KindEnd: 2, KindSeverity: 3, KindNew: 4, KindResolved: 5}

// Plan works out the notices due now, per audience and item, from what
// each audience has heard (cursors, keyed by CursorKey); the summaries due
// come last.
func Plan(s *site.Site, cursors map[string]Cursor, opts PlanOptions) []Notice {
	horizon := opts.Horizon
	if horizon == 0 {
		horizon = 24 * time.Hour
	}
	now := opts.Now
	var out []Notice
	for _, it := range Items(s) {
		for _, a := range s.Config.Audiences {
			if !hears(a, it) {
				continue
			}
			cur, seen := cursors[CursorKey(a.ID, it.Kind, it.Slug)]
			from := cur.Through
			if from > len(it.Events) {
				from = len(it.Events) // an update was deleted: nothing new
			}
			// Only events that have happened, and that the audience's
			// severities let through.
			end := len(it.Events)
			for end > from && it.Events[end-1].At.After(now) {
				end--
			}
			if !seen {
				base := from
				for base < end && it.Events[base].At.Before(now.Add(-horizon)) {
					base++
				}
				if base > from {
					out = append(out, Notice{Audience: a, Item: it, From: from, Through: base, Baseline: true, Kind: KindUpdate})
					from = base
				}
			}
			last := -1 // last deliverable event
			kind, milestone := KindUpdate, false
			for i := from; i < end; i++ {
				e := it.Events[i]
				// The audience's severities decide when it starts hearing;
				// once told, it hears the incident through: a downgrade
				// below its severities still reaches it at the next
				// milestone (the resolution above all), with what came
				// between riding along.
				told := cur.Notices > 0 || last >= 0
				if e.Severity != nil && !a.Hears(e.Severity.ID) && !(told && e.Kind.Milestone()) {
					continue
				}
				last = i
				if kindRank[e.Kind] > kindRank[kind] {
					kind = e.Kind
				}
				if e.Kind.Milestone() {
					milestone = true
				}
			}
			if last < 0 {
				continue
			}
			due := milestone
			if !due && !a.AsNeeded {
				due = !seen || !now.Before(cur.At.Add(a.Cadence))
			}
			if !due {
				continue
			}
			if cur.Notices == 0 {
				kind = KindNew // whatever happened, it is news to this audience
			}
			out = append(out, Notice{Audience: a, Item: it, Kind: kind, From: from, Through: last + 1, First: cur.Notices == 0, Heard: cur.Notices})
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Item.Slug != b.Item.Slug {
			return a.Item.Slug < b.Item.Slug
		}
		return a.Audience.ID < b.Audience.ID
	})
	return append(out, planSummaries(s, cursors, now)...)
}

// hears reports whether audience a is ever told about the item.
func hears(a *site.Audience, it Item) bool {
	if it.Incident != nil {
		return it.Incident.NotifiedTo(a)
	}
	return it.Maintenance.NotifiedTo(a)
}

// CursorKey names an audience's cursor on an item.
func CursorKey(audience, kind, slug string) string { return audience + "/" + kind + "/" + slug }
