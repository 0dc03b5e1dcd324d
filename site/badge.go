package site

import (
	"encoding/xml"
	"fmt"
	"math"
	"strings"
)

// Badges: badge.svg for the page's overall status and
// components/<id>/badge.svg for each component, in the shields.io "flat"
// style: a grey label, then the status on its colour. The colours are
// darker than shields' so that white text keeps a contrast of 4.5:1; the
// <title> and aria-label say the same as the picture.

// Badge colours by status, each with white text at 4.5:1 or better.
const (
	badgeLabel       = "#555"
	badgeOperational = "#1a7f37"
	badgeMinor       = "#9a6700"
	badgePartial     = "#bc4c00"
	badgeMajor       = "#cf222e"
	badgeMaintenance = "#0969da"
)

func statusColour(s Status) string {
	switch s {
	case DegradedPerformance:
		return badgeMinor
	case PartialOutage:
		return badgePartial
	case MajorOutage:
		return badgeMajor
	case UnderMaintenance:
		return badgeMaintenance
	}
	return badgeOperational
}

func indicatorColour(ind Indicator) string {
	switch ind.Impact {
	case ImpactMinor:
		return badgeMinor
	case ImpactMajor:
		return badgePartial
	case ImpactCritical:
		return badgeMajor
	}
	if ind.Description == "Service Under Maintenance" {
		return badgeMaintenance
	}
	return badgeOperational
}

func (r *renderer) badgeJobs() []job {
	ind := r.indicator
	jobs := []job{{name: badgeFile, render: func() ([]byte, error) {
		return badge("status", strings.ToLower(ind.Description), indicatorColour(ind)), nil
	}}}
	for _, c := range r.cfg.Components {
		jobs = append(jobs, job{name: "components/" + c.ID + "/" + badgeFile, render: func() ([]byte, error) {
			st := r.status[c.ID]
			return badge(c.Name, strings.ToLower(st.Label()), statusColour(st)), nil
		}})
	}
	return jobs
}

// badge draws a shields-style badge. Widths come from Verdana 11 px
// metrics; textLength makes any other font fit the same box.
func badge(label, message, colour string) []byte {
	label, message = cleanText(label), cleanText(message)
	lw := int(math.Round(textWidth(label))) + 10
	mw := int(math.Round(textWidth(message))) + 10
	w := lw + mw
	title := label + ": " + message
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="20" role="img" aria-label="%s">`, w, xmlEscape(title))
	fmt.Fprintf(&b, `<title>%s</title>`, xmlEscape(title))
	b.WriteString(`<linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>`)
	fmt.Fprintf(&b, `<clipPath id="r"><rect width="%d" height="20" rx="3" fill="#fff"/></clipPath>`, w)
	fmt.Fprintf(&b, `<g clip-path="url(#r)"><rect width="%d" height="20" fill="%s"/><rect x="%d" width="%d" height="20" fill="%s"/><rect width="%d" height="20" fill="url(#s)"/></g>`, lw, badgeLabel, lw, mw, colour, w)
	b.WriteString(`<g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" text-rendering="geometricPrecision" font-size="110">`)
	for _, t := range []struct {
		text   string
		x, len int
	}{{label, lw * 5, lw - 10}, {message, lw*10 + mw*5, mw - 10}} {
		// Coordinates in tenths of a pixel, as shields draws them.
		fmt.Fprintf(&b, `<text aria-hidden="true" x="%d" y="150" fill="#010101" fill-opacity=".3" transform="scale(.1)" textLength="%d">%s</text>`, t.x, t.len*10, xmlEscape(t.text))
		fmt.Fprintf(&b, `<text x="%d" y="140" transform="scale(.1)" fill="#fff" textLength="%d">%s</text>`, t.x, t.len*10, xmlEscape(t.text))
	}
	b.WriteString("</g></svg>\n")
	return []byte(b.String())
}

func xmlEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// verdana11 holds the advance widths of printable ASCII in Verdana at 11 px,
// from ' ' (32) to '~' (126).
var verdana11 = [95]float64{
	3.87, 4.33, 5.05, 9.0, 7.0, 11.84, 7.99, 2.95, 4.99, 4.99, 7.0, 9.0, 4.0, 4.99, 4.0, 4.99, // space … /
	7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 4.99, 4.99, 9.0, 9.0, 9.0, 6.0, // 0 … ?
	11.0, 7.52, 7.54, 7.68, 8.48, 6.96, 6.32, 8.53, 8.27, 4.62, 4.99, 7.62, 6.12, 9.27, 8.23, 8.66, // @ … O
	6.63, 8.66, 7.65, 7.52, 6.78, 8.05, 7.52, 10.89, 7.54, 6.77, 7.54, 4.99, 4.99, 4.99, 9.0, 7.0, // P … _
	7.0, 6.61, 6.82, 5.73, 6.82, 6.55, 3.87, 6.82, 6.96, 3.01, 3.79, 6.5, 3.01, 10.68, 6.96, 6.67, // ` … o
	6.82, 6.82, 4.69, 5.73, 4.33, 6.96, 6.5, 9.0, 6.5, 6.5, 5.77, 6.98, 4.99, 6.98, 9.0, // p … ~
}

func textWidth(s string) float64 {
	var w float64
	for _, r := range s {
		if r >= 32 && r <= 126 {
			w += verdana11[r-32]
		} else {
			w += 7.5
		}
	}
	return w
}
