package site

// PageID is the status page's id in the Statuspage-compatible API.
func PageID(cfg *Config) string { return apiID("page", cfg.BaseURL) }

// StatuspageIncident is the incident in Statuspage's v2 shape, as
// incidents.json gives it (public text only), for webhooks.
func StatuspageIncident(s *Site, in *Incident) any {
	return dataRenderer(s).newAPI().incident(in)
}

// StatuspageMaintenance is the maintenance in Statuspage's v2 shape.
func StatuspageMaintenance(s *Site, m *Maintenance) any {
	return dataRenderer(s).newAPI().maintenance(m)
}
