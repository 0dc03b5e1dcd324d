package site

// PageID is the status page's id in the Statuspage-compatible API.
func PageID(cfg *Config) string { return apiID("page", cfg.BaseURL) }

// Statuspage gives incidents and maintenance in Statuspage's v2 shape, as
// incidents.json and scheduled-maintenances.json give them (public text
// only), for webhooks. Making one walks the whole site once; it is then
// safe for concurrent use.
type Statuspage struct{ a *api }

// NewStatuspage prepares s's incidents and maintenance for Statuspage's shape.
func NewStatuspage(s *Site) *Statuspage { return &Statuspage{dataRenderer(s).newAPI()} }

// Incident is in in Statuspage's v2 shape.
func (p *Statuspage) Incident(in *Incident) any { return p.a.incident(in) }

// Maintenance is m in Statuspage's v2 shape.
func (p *Statuspage) Maintenance(m *Maintenance) any { return p.a.maintenance(m) }
