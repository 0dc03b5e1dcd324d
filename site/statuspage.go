package site

// PageID is the status page's id in the Statuspage-compatible API.
func PageID(cfg *Config) string { return apiID("page", cfg.BaseURL) }

// dataRenderer is a renderer for data outputs only (no templates).
func dataRenderer(s *Site) *renderer {
	r := &renderer{s: s, cfg: s.Config, view: s.PublicView(), spans: map[string][]Span{}, uptime: map[string]Uptime{}}
	for _, c := range r.cfg.Components {
		sp := r.view.ComponentSpans(c.ID, s.Now)
		r.spans[c.ID] = sp
		r.uptime[c.ID] = ComponentUptime(sp, r.cfg.HistoryDays, s.Now, r.cfg.Location)
	}
	return r
}

// StatuspageIncident is the incident in Statuspage's v2 shape, as
// incidents.json gives it (public text only), for webhooks.
func StatuspageIncident(s *Site, in *Incident) any {
	return dataRenderer(s).newAPI().incident(in)
}

// StatuspageMaintenance is the maintenance in Statuspage's v2 shape.
func StatuspageMaintenance(s *Site, m *Maintenance) any {
	return dataRenderer(s).newAPI().maintenance(m)
}
