package site

import (
	"fmt"
	"sort"
	"time"
)

// The website banner: banner.json says what is active, and banner.js (the
// theme's assets/banner.js, published at the root beside it) shows it on
// a customer's own website, loaded with one tag:
//
//	<script src="https://status.example.com/banner.js" async></script>
//
// banner.json lists the unresolved incidents, the worst impact first, then
// the maintenance in progress; an empty list means all is well and no
// banner shows. The script fetches it from another origin, so the host
// must send Access-Control-Allow-Origin: * with it.

type bannerDoc struct {
	Page   bannerPage   `json:"page"`
	Status apiStatus    `json:"status"`
	Active []bannerItem `json:"active"`
}

type bannerPage struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

type bannerItem struct {
	ID          string `json:"id"`   // the Statuspage API id
	Kind        string `json:"kind"` // incident or maintenance
	Name        string `json:"name"`
	Status      string `json:"status"`
	StatusLabel string `json:"status_label"`
	Impact      string `json:"impact"` // none, minor, major, critical or maintenance
	Path        string `json:"path"`   // the page, relative to banner.json
	URL         string `json:"url"`    // the page, from base_url
	UpdatedAt   string `json:"updated_at"`
}

func (r *renderer) bannerJobs() []job {
	js, ok := r.assets[bannerAsset]
	if !ok {
		return []job{{name: bannerJS, render: func() ([]byte, error) { return nil, fmt.Errorf("theme: %s is missing", bannerAsset) }}}
	}
	return []job{
		fixed(bannerJS, js),
		{name: bannerJSON, render: func() ([]byte, error) { return marshalJSON(r.banner()) }},
	}
}

func (r *renderer) banner() bannerDoc {
	now := r.s.Now
	ind := r.indicator
	at := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z07:00") }
	d := bannerDoc{
		Page:   bannerPage{Name: cleanText(r.cfg.Title), URL: r.cfg.BaseURL},
		Status: apiStatus{Indicator: string(ind.Impact), Description: ind.Description},
		Active: []bannerItem{},
	}
	var incidents []*Incident
	for _, in := range r.view.Incidents {
		if in.Active() {
			incidents = append(incidents, in)
		}
	}
	sort.SliceStable(incidents, func(i, j int) bool {
		return incidents[i].CurrentSeverity.Impact.Rank() > incidents[j].CurrentSeverity.Impact.Rank()
	})
	for _, in := range incidents {
		p := "incidents/" + in.Slug + "/"
		d.Active = append(d.Active, bannerItem{
			ID: apiID("incident", in.Slug), Kind: "incident", Name: cleanText(in.Title), Status: in.Status, StatusLabel: StatusLabel(in.Status),
			Impact: string(in.CurrentSeverity.Impact), Path: p, URL: r.cfg.BaseURL + p, UpdatedAt: at(in.LastChanged()),
		})
	}
	for i := len(r.view.Maintenances) - 1; i >= 0; i-- { // soonest first
		m := r.view.Maintenances[i]
		if !m.InProgress(now) {
			continue
		}
		p := "maintenance/" + m.Slug + "/"
		st := m.State(now)
		d.Active = append(d.Active, bannerItem{
			ID: apiID("maintenance", m.Slug), Kind: "maintenance", Name: cleanText(m.Title), Status: st, StatusLabel: StatusLabel(st),
			Impact: "maintenance", Path: p, URL: r.cfg.BaseURL + p, UpdatedAt: at(m.LastChanged()),
		})
	}
	return d
}
