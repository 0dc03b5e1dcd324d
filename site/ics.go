package site

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// maintenance.ics is every public maintenance window as an iCalendar
// (RFC 5545) feed that calendar apps subscribe to. Times are in UTC; lines
// end in CRLF and fold at 75 octets; text escapes \ ; , and line breaks.
//
// Each window is one VEVENT:
//
//   - UID is <slug>@<host of base_url>, so an app updates the event rather
//     than adding a second one.
//   - DTSTAMP is the maintenance's latest update, or its start when it has
//     none: a time from the content, never the build's.
//   - The content format has no "cancelled" status. A maintenance counts
//     as cancelled (STATUS:CANCELLED) when its latest update is "completed",
//     posted before the window's start, and no update ever said
//     "in_progress" or "verifying": it was closed before it began.
//     Otherwise STATUS:CONFIRMED.
//   - The window lives in maintenance.md, which keeps no history, and the
//     way to tell people it moved is a new "scheduled" update. So SEQUENCE
//     counts the "scheduled" updates after the first one, plus one when the
//     maintenance is cancelled: it grows with each re-announcement and with
//     the cancellation, and progress updates (in_progress, verifying,
//     completed), which change neither the times nor the status of the
//     event, leave it alone, as RFC 5545 §3.8.7.4 asks.
func (r *renderer) icsJobs() []job {
	return []job{{name: icsFile, render: func() ([]byte, error) { return r.ics(), nil }}}
}

func (r *renderer) ics() []byte {
	var c icsWriter
	c.line("BEGIN:VCALENDAR")
	c.line("VERSION:2.0")
	c.line("PRODID:-//heraldstatus//herald//EN")
	c.line("CALSCALE:GREGORIAN")
	c.line("METHOD:PUBLISH")
	c.line("X-WR-CALNAME:" + icsText(r.cfg.Title+" maintenance"))
	host := r.host()
	for i := len(r.view.Maintenances) - 1; i >= 0; i-- { // soonest first
		m := r.view.Maintenances[i]
		url := r.cfg.BaseURL + "maintenance/" + m.Slug + "/"
		cancelled := maintenanceCancelled(m)
		status := "CONFIRMED"
		if cancelled {
			status = "CANCELLED"
		}
		desc := plainMarkdown(m.Body.PublicMarkdown())
		if n := len(m.Updates); n > 0 {
			u := m.Updates[n-1]
			latest := "Latest update (" + StatusLabel(u.Status) + ", " + u.At.In(r.cfg.Location).Format("Jan 2, 2006 15:04 MST") + ")"
			if t := u.PublicPlain(); t != "" {
				latest += ": " + t
			}
			desc = strings.TrimSpace(desc + "\n\n" + latest)
		}
		desc = strings.TrimSpace(desc + "\n\n" + url)
		c.line("BEGIN:VEVENT")
		c.line("UID:" + icsText(m.Slug+"@"+host))
		c.line("DTSTAMP:" + icsTime(m.LastChanged()))
		c.line("SEQUENCE:" + strconv.Itoa(maintenanceSequence(m)))
		c.line("DTSTART:" + icsTime(m.Start))
		c.line("DTEND:" + icsTime(m.End))
		c.line("SUMMARY:" + icsText(m.Title))
		c.line("DESCRIPTION:" + icsText(desc))
		c.line("URL:" + url)
		c.line("STATUS:" + status)
		c.line("TRANSP:TRANSPARENT")
		c.line("CATEGORIES:MAINTENANCE")
		c.line("END:VEVENT")
	}
	c.line("END:VCALENDAR")
	return []byte(c.String())
}

// maintenanceCancelled reports whether m was closed before it began (see
// icsJobs).
func maintenanceCancelled(m *Maintenance) bool {
	n := len(m.Updates)
	if n == 0 {
		return false
	}
	last := m.Updates[n-1]
	if last.Status != "completed" || !last.At.Before(m.Start) {
		return false
	}
	for _, u := range m.Updates {
		if u.Status == "in_progress" || u.Status == "verifying" {
			return false
		}
	}
	return true
}

// maintenanceSequence is the event's SEQUENCE (see icsJobs).
func maintenanceSequence(m *Maintenance) int {
	seq, seen := 0, false
	for _, u := range m.Updates {
		if u.Status == "scheduled" {
			if seen {
				seq++
			}
			seen = true
		}
	}
	if maintenanceCancelled(m) {
		seq++
	}
	return seq
}

func icsTime(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// icsText escapes a TEXT value (RFC 5545 §3.3.11) after dropping control
// characters, which TEXT excludes.
func icsText(s string) string {
	s = strings.ReplaceAll(cleanText(s), "\r\n", "\n")
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '\\':
			b.WriteString(`\\`)
		case ';':
			b.WriteString(`\;`)
		case ',':
			b.WriteString(`\,`)
		case '\n', '\r':
			b.WriteString(`\n`)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// icsWriter writes content lines ending in CRLF, folded so that no line
// is longer than 75 octets, never inside a UTF-8 sequence (§3.1).
type icsWriter struct{ strings.Builder }

func (w *icsWriter) line(s string) {
	n := 0 // octets on the current physical line
	for _, r := range s {
		size := utf8.RuneLen(r)
		if size < 0 {
			size = 3 // written as U+FFFD
		}
		if n+size > 75 {
			w.WriteString("\r\n ")
			n = 1
		}
		w.WriteRune(r)
		n += size
	}
	w.WriteString("\r\n")
}
