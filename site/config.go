package site

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Config is config.toml: the site, its components, severities and the
// stakeholder matrix.
type Config struct {
	Title       string
	BaseURL     string // always ends in "/"
	Description string
	Contact     string
	Timezone    string
	Location    *time.Location
	Theme       string
	HistoryDays int

	Components []*Component
	Groups     []*Group // in order of first appearance
	Severities []*Severity
	Audiences  []*Audience

	// Check tunes herald check's communication lint ([check]).
	Check CheckConfig

	// Publish and Notify are the [publish] and [notify] tables, read by the
	// commands that use them.
	Publish map[string]any
	Notify  map[string]any

	sum Key // of config.toml
}

// A Component is one thing whose status the site shows.
type Component struct {
	ID, Name, Group, Description string
	Position                     int // 1-based, in config order
	// CostPerHour is what an hour of major outage costs the business
	// (cost_per_hour), for the report's estimates; HasCost tells an
	// explicit 0 from no estimate.
	CostPerHour float64
	HasCost     bool
}

// A Group holds components under one heading.
type Group struct {
	ID, Name   string
	Position   int
	Components []*Component
}

// A Severity is a level of incident, with Statuspage's impact vocabulary.
type Severity struct {
	ID, Name      string
	Impact        Impact
	DefaultStatus Status
}

// An Audience is one row of the stakeholder communication matrix.
type Audience struct {
	ID, Name   string
	Digest     string        // business, technical, service or public
	Cadence    time.Duration // 0 for as-needed
	AsNeeded   bool
	Channels   []string
	Severities []string // empty: all
	Recipients string   // CSV path, relative to the source folder
	// Summary is "weekly" or "monthly" for an audience that also gets the
	// executive report of each completed period (herald notify sends it),
	// "" for none.
	Summary string
}

// Hears reports whether the audience is told about incidents of severity sev.
func (a *Audience) Hears(sev string) bool {
	return len(a.Severities) == 0 || contains(a.Severities, sev)
}

// Vocabularies.
var (
	Digests  = []string{"business", "technical", "service", "public"}
	Channels = []string{"email", "sms", "slack", "webhook", "banner", "call"}
	// Summaries are the schedules of the periodic executive summary.
	Summaries = []string{"weekly", "monthly"}
	// SummaryChannels are the channels a summary goes out on.
	SummaryChannels = []string{"email", "slack", "webhook"}
)

var idRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

type rawConfig struct {
	Title       string `toml:"title"`
	BaseURL     string `toml:"base_url"`
	Description string `toml:"description"`
	Contact     string `toml:"contact"`
	Timezone    string `toml:"timezone"`
	Theme       string `toml:"theme"`
	HistoryDays *int   `toml:"history_days"`
	Components  []struct {
		ID          string   `toml:"id"`
		Name        string   `toml:"name"`
		Group       string   `toml:"group"`
		Description string   `toml:"description"`
		CostPerHour *float64 `toml:"cost_per_hour"`
	} `toml:"components"`
	Severities map[string]struct {
		Name                   string `toml:"name"`
		Impact                 string `toml:"impact"`
		DefaultComponentStatus string `toml:"default_component_status"`
	} `toml:"severities"`
	Audiences []struct {
		ID         string   `toml:"id"`
		Name       string   `toml:"name"`
		Digest     string   `toml:"digest"`
		Cadence    string   `toml:"cadence"`
		Channels   []string `toml:"channels"`
		Severities []string `toml:"severities"`
		Recipients string   `toml:"recipients"`
		Summary    string   `toml:"summary"`
	} `toml:"audiences"`
	Check struct {
		Disable         []string `toml:"disable"`
		Errors          []string `toml:"errors"`
		ReviewAfterDays *int     `toml:"review_after_days"`
		MinWords        *int     `toml:"min_words"`
		VaguePhrases    []string `toml:"vague_phrases"`
	} `toml:"check"`
	Publish map[string]any `toml:"publish"`
	Notify  map[string]any `toml:"notify"`
}

var defaultSeverities = []*Severity{
	{ID: "sev1", Name: "SEV1", Impact: ImpactCritical, DefaultStatus: MajorOutage},
	{ID: "sev2", Name: "SEV2", Impact: ImpactMajor, DefaultStatus: PartialOutage},
	{ID: "sev3", Name: "SEV3", Impact: ImpactMinor, DefaultStatus: DegradedPerformance},
	{ID: "sev4", Name: "SEV4", Impact: ImpactNone, DefaultStatus: DegradedPerformance},
}

// LoadConfig reads and validates config.toml from fsys.
func LoadConfig(fsys fs.FS) (*Config, error) {
	var ps problems
	cfg := loadConfig(fsys, &ps)
	if err := ps.err(); err != nil {
		return nil, err
	}
	return cfg, nil
}

const configPath = "config.toml"

func loadConfig(fsys fs.FS, ps *problems) *Config {
	src, err := fs.ReadFile(fsys, configPath)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			ps.add(configPath, 0, "not found (expected config.toml in the source folder; see the sample)")
		} else {
			ps.add(configPath, 0, "cannot read: %v", err)
		}
		return nil
	}
	text := normalize(src)
	var raw rawConfig
	md, err := toml.Decode(text, &raw)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			ps.add(configPath, pe.Position.Line, "%s (expected valid TOML)", pe.Message)
		} else {
			ps.add(configPath, locateTOMLError(text, err), "%s", tomlDecodeMessage(err))
		}
		return nil
	}
	loc := newTOMLLocator(text)
	bad := func(key string, format string, args ...any) {
		ps.add(configPath, loc.line(key), format, args...)
	}
	undecoded := map[string]bool{}
	for _, k := range md.Undecoded() {
		key := k.String()
		undecoded[key] = true
		if strings.HasPrefix(key, "publish.") || strings.HasPrefix(key, "notify.") {
			continue
		}
		if len(k) > 1 && undecoded[k[:len(k)-1].String()] {
			continue // inside an unknown table, reported already
		}
		last := k[len(k)-1]
		var known []string
		switch {
		case len(k) == 1:
			known = []string{"title", "base_url", "description", "contact", "timezone", "theme", "history_days", "components", "severities", "audiences", "check", "publish", "notify"}
		case k[0] == "components":
			known = []string{"id", "name", "group", "description", "cost_per_hour"}
		case k[0] == "audiences":
			known = []string{"id", "name", "digest", "cadence", "channels", "severities", "recipients", "summary"}
		case k[0] == "check":
			known = []string{"disable", "errors", "review_after_days", "min_words", "vague_phrases"}
		case k[0] == "severities":
			known = []string{"name", "impact", "default_component_status"}
		}
		ps.add(configPath, loc.lineOfUndecoded(k), "unknown key %q (%s)", last, suggest(last, known))
	}

	cfg := &Config{
		Title: oneLine(raw.Title), BaseURL: strings.TrimSpace(raw.BaseURL), Description: raw.Description,
		Contact: raw.Contact, Timezone: raw.Timezone, Theme: raw.Theme, HistoryDays: 90,
		Publish: raw.Publish, Notify: raw.Notify, sum: sha256.Sum256(src),
	}
	if cfg.Title == "" {
		bad("title", "title is missing (expected the site's name, e.g. title = \"Acme Status\")")
	}
	if cfg.BaseURL == "" {
		bad("base_url", "base_url is missing (expected the public address, e.g. https://status.example.com/)")
	} else if !strings.HasPrefix(cfg.BaseURL, "https://") && !strings.HasPrefix(cfg.BaseURL, "http://") {
		bad("base_url", "base_url %q is not an http(s) URL (expected e.g. https://status.example.com/)", cfg.BaseURL)
	}
	if !strings.HasSuffix(cfg.BaseURL, "/") {
		cfg.BaseURL += "/"
	}
	cfg.Location = time.UTC
	if cfg.Timezone == "" {
		cfg.Timezone = "UTC"
	} else if l, err := time.LoadLocation(cfg.Timezone); err != nil {
		bad("timezone", "unknown timezone %q (expected an IANA name such as Europe/Berlin or UTC)", cfg.Timezone)
	} else {
		cfg.Location = l
	}
	if raw.HistoryDays != nil {
		if *raw.HistoryDays < 1 || *raw.HistoryDays > 3650 {
			bad("history_days", "history_days %d is out of range (expected 1 to 3650)", *raw.HistoryDays)
		} else {
			cfg.HistoryDays = *raw.HistoryDays
		}
	}
	if cfg.Theme != "" && !idRE.MatchString(cfg.Theme) {
		bad("theme", "theme %q is not a folder name (expected e.g. theme = \"acme\" for themes/acme/)", cfg.Theme)
	}

	cfg.Check = CheckConfig{Disable: raw.Check.Disable, Errors: raw.Check.Errors, ReviewAfter: 7 * 24 * time.Hour, MinWords: 12, VaguePhrases: raw.Check.VaguePhrases}
	for _, list := range []struct {
		key   string
		rules []string
	}{{"check.disable", raw.Check.Disable}, {"check.errors", raw.Check.Errors}} {
		for _, r := range list.rules {
			if !contains(LintRules, r) {
				bad(list.key, "unknown rule %q in %s (%s)", r, list.key, suggest(r, LintRules))
			}
		}
	}
	if d := raw.Check.ReviewAfterDays; d != nil {
		if *d < 0 {
			bad("check.review_after_days", "review_after_days %d is negative (expected days, e.g. 7)", *d)
		}
		cfg.Check.ReviewAfter = time.Duration(*d) * 24 * time.Hour
	}
	if n := raw.Check.MinWords; n != nil {
		cfg.Check.MinWords = *n
	}

	seenComp := map[string]bool{}
	groups := map[string]*Group{}
	for i, rc := range raw.Components {
		key := fmt.Sprintf("components.%d", i)
		c := &Component{ID: rc.ID, Name: oneLine(rc.Name), Group: oneLine(rc.Group), Description: rc.Description, Position: i + 1}
		switch {
		case c.ID == "":
			bad(key, "component has no id (expected id = \"api\")")
			continue
		case !idRE.MatchString(c.ID):
			bad(key+".id", "component id %q is malformed (expected lower-case letters, digits and dashes)", c.ID)
		case seenComp[c.ID]:
			bad(key+".id", "component id %q is defined twice (expected unique ids)", c.ID)
			continue
		}
		seenComp[c.ID] = true
		if v := rc.CostPerHour; v != nil {
			if *v < 0 || math.IsNaN(*v) || math.IsInf(*v, 0) {
				bad(key+".cost_per_hour", "cost_per_hour %v for component %q is not a cost (expected a number of at least 0, e.g. cost_per_hour = 12000)", *v, c.ID)
			} else {
				c.CostPerHour, c.HasCost = *v, true
			}
		}
		if c.Name == "" {
			c.Name = c.ID
		}
		if c.Group != "" {
			g := groups[c.Group]
			if g == nil {
				g = &Group{ID: slugify(c.Group), Name: c.Group, Position: len(cfg.Groups) + 1}
				groups[c.Group] = g
				cfg.Groups = append(cfg.Groups, g)
			}
			g.Components = append(g.Components, c)
		}
		cfg.Components = append(cfg.Components, c)
	}
	if len(raw.Components) == 0 {
		ps.add(configPath, 0, "no [[components]] (expected at least one component)")
	}

	cfg.Severities = make([]*Severity, len(defaultSeverities))
	for i, s := range defaultSeverities {
		cp := *s
		cfg.Severities[i] = &cp
	}
	for _, id := range sortedKeys(raw.Severities) {
		rs := raw.Severities[id]
		key := "severities." + id
		if !idRE.MatchString(id) {
			bad(key, "severity id %q is malformed (expected lower-case letters, digits and dashes)", id)
			continue
		}
		s := cfg.Severity(id)
		if s == nil {
			s = &Severity{ID: id, Name: strings.ToUpper(id), Impact: ImpactMinor, DefaultStatus: DegradedPerformance}
			cfg.Severities = append(cfg.Severities, s)
		}
		if rs.Name != "" {
			s.Name = oneLine(rs.Name)
		}
		if rs.Impact != "" {
			if !contains(impactNames, rs.Impact) {
				bad(key+".impact", "unknown impact %q (%s)", rs.Impact, suggest(rs.Impact, impactNames))
			} else {
				s.Impact = Impact(rs.Impact)
			}
		}
		if rs.DefaultComponentStatus != "" {
			st := Status(rs.DefaultComponentStatus)
			if !st.valid() {
				bad(key+".default_component_status", "unknown component status %q (%s)", rs.DefaultComponentStatus, suggest(rs.DefaultComponentStatus, statusNames))
			} else {
				s.DefaultStatus = st
			}
		}
	}

	seenAud := map[string]bool{}
	for i, ra := range raw.Audiences {
		key := fmt.Sprintf("audiences.%d", i)
		a := &Audience{ID: ra.ID, Name: oneLine(ra.Name), Digest: ra.Digest, Channels: ra.Channels, Severities: ra.Severities, Recipients: ra.Recipients}
		switch {
		case a.ID == "":
			bad(key, "audience has no id (expected id = \"executives\")")
			continue
		case !idRE.MatchString(a.ID) || a.ID == "internal" || a.ID == "for":
			bad(key+".id", "audience id %q is malformed (expected lower-case letters, digits and dashes, not \"internal\")", a.ID)
		case seenAud[a.ID]:
			bad(key+".id", "audience id %q is defined twice (expected unique ids)", a.ID)
			continue
		}
		seenAud[a.ID] = true
		if a.Name == "" {
			a.Name = a.ID
		}
		if a.Digest == "" {
			a.Digest = "public"
		} else if !contains(Digests, a.Digest) {
			bad(key+".digest", "unknown digest %q for audience %q (%s)", a.Digest, a.ID, suggest(a.Digest, Digests))
		}
		switch c := strings.TrimSpace(ra.Cadence); c {
		case "", "as-needed":
			a.AsNeeded = true
		default:
			d, err := time.ParseDuration(c)
			if err != nil || d < time.Minute {
				bad(key+".cadence", "cadence %q for audience %q is not a duration (expected e.g. \"15m\", \"1h\" or \"as-needed\")", c, a.ID)
			}
			a.Cadence = d
		}
		a.Summary = audienceSummary(ra.Summary, a, func(format string, args ...any) { bad(key+".summary", format, args...) })
		for _, ch := range a.Channels {
			if !contains(Channels, ch) {
				bad(key+".channels", "unknown channel %q for audience %q (%s)", ch, a.ID, suggest(ch, Channels))
			}
		}
		for _, s := range a.Severities {
			if cfg.Severity(s) == nil {
				bad(key+".severities", "unknown severity %q for audience %q (%s)", s, a.ID, suggest(s, cfg.severityIDs()))
			}
		}
		cfg.Audiences = append(cfg.Audiences, a)
	}
	return cfg
}

// audienceSummary validates an audience's summary key: a known schedule,
// for an audience that may read internal incidents (the report counts
// them) and has a channel to take it. It returns the schedule, or "".
func audienceSummary(raw string, a *Audience, bad func(format string, args ...any)) string {
	switch {
	case raw == "":
		return ""
	case !contains(Summaries, raw):
		bad("unknown summary %q for audience %q (%s)", raw, a.ID, suggest(raw, Summaries))
		return ""
	case a.Digest == "public":
		bad("audience %q has digest \"public\" and cannot have a summary: the summary counts internal incidents (expected digest = \"business\", \"technical\" or \"service\", or no summary)", a.ID)
		return ""
	case !slices.ContainsFunc(a.Channels, func(ch string) bool { return contains(SummaryChannels, ch) }):
		bad("audience %q has summary = %q but no channel to send it on (expected %s among its channels)", a.ID, raw, oneOf(SummaryChannels))
		return ""
	}
	return raw
}

// Severity returns the severity with the id, or nil.
func (c *Config) Severity(id string) *Severity {
	for _, s := range c.Severities {
		if s.ID == id {
			return s
		}
	}
	return nil
}

// Component returns the component with the id, or nil.
func (c *Config) Component(id string) *Component {
	for _, x := range c.Components {
		if x.ID == id {
			return x
		}
	}
	return nil
}

// Audience returns the audience with the id, or nil.
func (c *Config) Audience(id string) *Audience {
	for _, a := range c.Audiences {
		if a.ID == id {
			return a
		}
	}
	return nil
}

func (c *Config) severityIDs() []string {
	out := make([]string, len(c.Severities))
	for i, s := range c.Severities {
		out[i] = s.ID
	}
	return out
}

func (c *Config) componentIDs() []string {
	out := make([]string, len(c.Components))
	for i, s := range c.Components {
		out[i] = s.ID
	}
	return out
}

func (c *Config) audienceIDs() []string {
	out := make([]string, len(c.Audiences))
	for i, s := range c.Audiences {
		out[i] = s.ID
	}
	return out
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

func slugify(s string) string {
	return strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
}

// tomlLocator maps dotted key paths ("audiences.2.digest") to lines by
// scanning the source: enough for the flat tables of config.toml.
type tomlLocator struct{ lines map[string]int }

var tomlHeaderRE = regexp.MustCompile(`^\s*(\[\[?)\s*([A-Za-z0-9_.-]+)\s*\]\]?`)

func newTOMLLocator(src string) *tomlLocator {
	l := &tomlLocator{lines: map[string]int{}}
	counts := map[string]int{}
	prefix := ""
	for i, line := range strings.Split(src, "\n") {
		n := i + 1
		if m := tomlHeaderRE.FindStringSubmatch(line); m != nil {
			name := m[2]
			if m[1] == "[[" {
				prefix = name + "." + strconv.Itoa(counts[name])
				counts[name]++
			} else {
				prefix = name
			}
			l.set(prefix, n)
			continue
		}
		if m := tomlKeyRE.FindStringSubmatch(line); m != nil {
			key := m[2]
			if prefix != "" {
				key = prefix + "." + key
			}
			l.set(key, n)
		}
	}
	return l
}

func (l *tomlLocator) set(k string, n int) {
	if _, ok := l.lines[k]; !ok {
		l.lines[k] = n
	}
}

// line returns the line of key or of its nearest enclosing table; 0 if none.
func (l *tomlLocator) line(key string) int {
	for key != "" {
		if n, ok := l.lines[key]; ok {
			return n
		}
		i := strings.LastIndexByte(key, '.')
		if i < 0 {
			break
		}
		key = key[:i]
	}
	return 0
}

// lineOfUndecoded finds an undecoded key, whose path omits array indexes.
func (l *tomlLocator) lineOfUndecoded(k toml.Key) int {
	want := k.String()
	best := 0
	for path, n := range l.lines {
		if stripIndexes(path) == want && (best == 0 || n < best) {
			best = n
		}
	}
	if best == 0 && len(k) > 1 {
		return l.lineOfUndecoded(k[:len(k)-1])
	}
	return best
}

var indexPart = regexp.MustCompile(`\.\d+(\.|$)`)

func stripIndexes(p string) string {
	for indexPart.MatchString(p) {
		p = indexPart.ReplaceAllString(p, "$1")
	}
	return p
}

var lineNumRE = regexp.MustCompile(`line (\d+)`)

var tomlTypeRE = regexp.MustCompile(`last key "([^"]+)"\): incompatible types: TOML value has type (\w+); destination has type (\w+)`)

// tomlDecodeMessage words a TOML decoding error that is not a syntax error
// (a value of the wrong type) as what is wrong (what was expected).
func tomlDecodeMessage(err error) string {
	word := func(t string) string {
		switch t {
		case "int64", "integer":
			return "an integer"
		case "float64", "float":
			return "a number"
		case "slice", "array":
			return "a list"
		case "map", "struct":
			return "a table"
		case "bool":
			return "true or false"
		case "string":
			return "a string"
		}
		return t
	}
	if m := tomlTypeRE.FindStringSubmatch(err.Error()); m != nil {
		return fmt.Sprintf("%s is %s (expected %s)", m[1], word(m[2]), word(m[3]))
	}
	return strings.TrimPrefix(err.Error(), "toml: ") + " (expected the keys and types of the sample config.toml)"
}

func locateTOMLError(_ string, err error) int {
	if m := lineNumRE.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}
