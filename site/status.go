package site

// Status is a component's status, in Statuspage's vocabulary.
type Status string

// Component statuses, from best to worst.
const (
	Operational         Status = "operational"
	UnderMaintenance    Status = "under_maintenance"
	DegradedPerformance Status = "degraded_performance"
	PartialOutage       Status = "partial_outage"
	MajorOutage         Status = "major_outage"
)

var statusNames = []string{"operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"}

func (s Status) valid() bool { return contains(statusNames, string(s)) }

// Rank orders statuses: a higher rank is worse.
func (s Status) Rank() int {
	switch s {
	case UnderMaintenance:
		return 1
	case DegradedPerformance:
		return 2
	case PartialOutage:
		return 3
	case MajorOutage:
		return 4
	}
	return 0
}

// Label is the status as people read it.
func (s Status) Label() string {
	switch s {
	case UnderMaintenance:
		return "Under maintenance"
	case DegradedPerformance:
		return "Degraded performance"
	case PartialOutage:
		return "Partial outage"
	case MajorOutage:
		return "Major outage"
	}
	return "Operational"
}

// Downtime is the share of a minute in this status counted as downtime in
// uptime figures: a major outage counts whole, a partial outage 30% (as
// Atlassian Statuspage counts it), anything else not at all.
func (s Status) Downtime() float64 {
	switch s {
	case MajorOutage:
		return 1
	case PartialOutage:
		return 0.3
	}
	return 0
}

func worse(a, b Status) Status {
	if b.Rank() > a.Rank() {
		return b
	}
	if a == "" {
		return Operational
	}
	return a
}

// Impact is Statuspage's incident impact and page indicator vocabulary.
type Impact string

// Impacts, from least to most.
const (
	ImpactNone     Impact = "none"
	ImpactMinor    Impact = "minor"
	ImpactMajor    Impact = "major"
	ImpactCritical Impact = "critical"
)

var impactNames = []string{"none", "minor", "major", "critical"}

// Rank orders impacts: a higher rank is worse.
func (i Impact) Rank() int {
	switch i {
	case ImpactMinor:
		return 1
	case ImpactMajor:
		return 2
	case ImpactCritical:
		return 3
	}
	return 0
}

// Incident and maintenance statuses.
var (
	IncidentStatuses    = []string{"investigating", "identified", "monitoring", "resolved"}
	MaintenanceStatuses = []string{"scheduled", "in_progress", "verifying", "completed"}
)

// StatusLabel is an incident or maintenance status as people read it.
func StatusLabel(s string) string {
	switch s {
	case "in_progress":
		return "In progress"
	case "":
		return ""
	}
	return string(s[0]-'a'+'A') + s[1:]
}

// Indicator is the page's overall status.
type Indicator struct {
	Impact      Impact
	Description string
}
