package site

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"html"
	"io"
	"io/fs"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/mmcdole/gofeed"
)

// The machine-readable outputs, checked against the shapes their readers
// expect: Statuspage's public v2 API field by field, a real feed parser, a
// real iCalendar parser, and encoding/xml for everything XML.

// apiFiles are the Statuspage documents, under public/.
var apiFiles = []string{
	"api/v2/summary.json",
	"api/v2/status.json",
	"api/v2/components.json",
	"api/v2/incidents.json",
	"api/v2/incidents/unresolved.json",
	"api/v2/scheduled-maintenances.json",
	"api/v2/scheduled-maintenances/upcoming.json",
	"api/v2/scheduled-maintenances/active.json",
}

// A jsonShape checks one JSON value.
type jsonShape func(t testing.TB, where string, v any)

var (
	idRE12 = regexp.MustCompile(`^[a-z0-9]{12}$`)

	componentStatuses = []string{"operational", "degraded_performance", "partial_outage", "major_outage", "under_maintenance"}
	indicators        = []string{"none", "minor", "major", "critical"}
	incidentStatuses  = []string{"investigating", "identified", "monitoring", "resolved", "postmortem"}
	incidentImpacts   = []string{"none", "minor", "major", "critical"}
	maintStatuses     = []string{"scheduled", "in_progress", "verifying", "completed"}
	maintImpacts      = []string{"none", "minor", "major", "critical", "maintenance"}
)

func jString(t testing.TB, where string, v any) {
	t.Helper()
	if _, ok := v.(string); !ok {
		t.Errorf("%s = %#v, want a string", where, v)
	}
}

func jBool(t testing.TB, where string, v any) {
	t.Helper()
	if _, ok := v.(bool); !ok {
		t.Errorf("%s = %#v, want a boolean", where, v)
	}
}

func jInt(t testing.TB, where string, v any) {
	t.Helper()
	f, ok := v.(float64)
	if !ok || f != float64(int(f)) {
		t.Errorf("%s = %#v, want an integer", where, v)
	}
}

func jNull(t testing.TB, where string, v any) {
	t.Helper()
	if v != nil {
		t.Errorf("%s = %#v, want null", where, v)
	}
}

func jID(t testing.TB, where string, v any) {
	t.Helper()
	if s, ok := v.(string); !ok || !idRE12.MatchString(s) {
		t.Errorf("%s = %#v, want a 12-character id of a-z and 0-9", where, v)
	}
}

// jTime wants RFC 3339 with an explicit offset, as Statuspage writes.
func jTime(t testing.TB, where string, v any) {
	t.Helper()
	s, ok := v.(string)
	if !ok {
		t.Errorf("%s = %#v, want an RFC 3339 time", where, v)
		return
	}
	if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
		t.Errorf("%s = %q is not RFC 3339: %v", where, s, err)
	}
}

func jURL(t testing.TB, where string, v any) {
	t.Helper()
	if s, ok := v.(string); !ok || !(strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")) {
		t.Errorf("%s = %#v, want an http(s) URL", where, v)
	}
}

func jOneOf(words []string) jsonShape {
	return func(t testing.TB, where string, v any) {
		t.Helper()
		if s, ok := v.(string); !ok || !slices.Contains(words, s) {
			t.Errorf("%s = %#v, want one of %q", where, v, words)
		}
	}
}

func jOrNull(s jsonShape) jsonShape {
	return func(t testing.TB, where string, v any) {
		t.Helper()
		if v != nil {
			s(t, where, v)
		}
	}
}

func jArray(item jsonShape) jsonShape {
	return func(t testing.TB, where string, v any) {
		t.Helper()
		a, ok := v.([]any)
		if !ok {
			t.Errorf("%s = %#v, want an array (never null)", where, v)
			return
		}
		for i, e := range a {
			item(t, where+"["+strconv.Itoa(i)+"]", e)
		}
	}
}

// jObject wants exactly the keys of fields, each of its shape.
func jObject(fields map[string]jsonShape) jsonShape {
	return func(t testing.TB, where string, v any) {
		t.Helper()
		m, ok := v.(map[string]any)
		if !ok {
			t.Errorf("%s = %#v, want an object", where, v)
			return
		}
		for k, s := range fields {
			x, ok := m[k]
			if !ok {
				t.Errorf("%s has no %q", where, k)
				continue
			}
			s(t, where+"."+k, x)
		}
		for k := range m {
			if _, ok := fields[k]; !ok {
				t.Errorf("%s has %q, which Statuspage's shape does not", where, k)
			}
		}
	}
}

var (
	shapePage = jObject(map[string]jsonShape{
		"id": jID, "name": jString, "url": jURL, "time_zone": jString, "updated_at": jTime,
	})
	shapeStatus = jObject(map[string]jsonShape{
		"indicator": jOneOf(indicators), "description": jString,
	})
	shapeComponent = func(t testing.TB, where string, v any) {
		t.Helper()
		fields := map[string]jsonShape{
			"id": jID, "name": jString, "status": jOneOf(componentStatuses),
			"created_at": jTime, "updated_at": jTime, "position": jInt,
			"description": jOrNull(jString), "showcase": jBool, "start_date": jOrNull(jString),
			"group_id": jOrNull(jID), "page_id": jID, "group": jBool, "only_show_if_degraded": jBool,
		}
		m, _ := v.(map[string]any)
		if m["group"] == true {
			// A group container lists its children's ids and sits in no group.
			fields["components"] = jArray(jID)
			fields["group_id"] = jNull
		}
		jObject(fields)(t, where, v)
	}
	shapeAffected = jObject(map[string]jsonShape{
		"code": jID, "name": jString, "old_status": jOneOf(componentStatuses), "new_status": jOneOf(componentStatuses),
	})
	shapeUpdate = func(statuses []string) jsonShape {
		return jObject(map[string]jsonShape{
			"id": jID, "status": jOneOf(statuses), "body": jString, "incident_id": jID,
			"created_at": jTime, "updated_at": jTime, "display_at": jTime,
			"affected_components": jOrNull(jArray(shapeAffected)), "deliver_notifications": jBool,
		})
	}
	incidentFields = func(statuses, impacts []string) map[string]jsonShape {
		return map[string]jsonShape{
			"id": jID, "name": jString, "status": jOneOf(statuses),
			"created_at": jTime, "updated_at": jTime, "monitoring_at": jOrNull(jTime), "resolved_at": jOrNull(jTime),
			"impact": jOneOf(impacts), "shortlink": jURL, "started_at": jTime, "page_id": jID,
			"incident_updates": jArray(shapeUpdate(statuses)), "components": jArray(shapeComponent),
		}
	}
	shapeIncident    = jObject(incidentFields(incidentStatuses, incidentImpacts))
	shapeMaintenance = func() jsonShape {
		f := incidentFields(maintStatuses, maintImpacts)
		f["scheduled_for"] = jTime
		f["scheduled_until"] = jTime
		return jObject(f)
	}()
	// The documents, by file.
	apiShapes = map[string]jsonShape{
		"api/v2/summary.json": jObject(map[string]jsonShape{
			"page": shapePage, "components": jArray(shapeComponent), "incidents": jArray(shapeIncident),
			"scheduled_maintenances": jArray(shapeMaintenance), "status": shapeStatus,
		}),
		"api/v2/status.json":                          jObject(map[string]jsonShape{"page": shapePage, "status": shapeStatus}),
		"api/v2/components.json":                      jObject(map[string]jsonShape{"page": shapePage, "components": jArray(shapeComponent)}),
		"api/v2/incidents.json":                       jObject(map[string]jsonShape{"page": shapePage, "incidents": jArray(shapeIncident)}),
		"api/v2/incidents/unresolved.json":            jObject(map[string]jsonShape{"page": shapePage, "incidents": jArray(shapeIncident)}),
		"api/v2/scheduled-maintenances.json":          jObject(map[string]jsonShape{"page": shapePage, "scheduled_maintenances": jArray(shapeMaintenance)}),
		"api/v2/scheduled-maintenances/upcoming.json": jObject(map[string]jsonShape{"page": shapePage, "scheduled_maintenances": jArray(shapeMaintenance)}),
		"api/v2/scheduled-maintenances/active.json":   jObject(map[string]jsonShape{"page": shapePage, "scheduled_maintenances": jArray(shapeMaintenance)}),
	}
)

func decodeJSON(t testing.TB, name string, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s is not JSON: %v", name, err)
	}
	return m
}

// fixtures are the sources every machine test runs on.
func fixtures() []struct {
	name string
	fsys fs.FS
} {
	return []struct {
		name string
		fsys fs.FS
	}{{"sample", sample()}, {"leaky", os.DirFS("testdata/leaky")}, {"injection", os.DirFS("testdata/injection")}, {"calm", os.DirFS("testdata/calm")}}
}

func TestAPIShape(t *testing.T) {
	for _, fx := range fixtures() {
		t.Run(fx.name, func(t *testing.T) {
			_, pub, _ := build(t, fx.fsys, sampleNow)
			for _, name := range apiFiles {
				b, ok := pub.files[name]
				if !ok {
					t.Errorf("%s was not rendered", name)
					continue
				}
				apiShapes[name](t, name, decodeJSON(t, name, b))
			}
		})
	}
}

// TestAPIAgreesWithModel checks that the API says what the HTML says: the
// overall indicator, each component's status, the unresolved incidents, and
// nothing that is not public.
func TestAPIAgreesWithModel(t *testing.T) {
	for _, fx := range fixtures() {
		t.Run(fx.name, func(t *testing.T) {
			s, pub, _ := build(t, fx.fsys, sampleNow)
			v := s.PublicView()
			doc := func(name string) map[string]any { return decodeJSON(t, name, pub.files[name]) }
			list := func(m map[string]any, key string) []map[string]any {
				var out []map[string]any
				for _, x := range m[key].([]any) {
					out = append(out, x.(map[string]any))
				}
				return out
			}

			ind := v.Indicator(s.Config, s.Now)
			for _, name := range []string{"api/v2/status.json", "api/v2/summary.json"} {
				st := doc(name)["status"].(map[string]any)
				if st["indicator"] != string(ind.Impact) || st["description"] != ind.Description {
					t.Errorf("%s: status = %v, want %s %q", name, st, ind.Impact, ind.Description)
				}
			}

			for _, name := range []string{"api/v2/components.json", "api/v2/summary.json"} {
				byID := map[string]map[string]any{}
				for _, c := range list(doc(name), "components") {
					byID[c["id"].(string)] = c
				}
				for _, c := range s.Config.Components {
					got, ok := byID[apiID("component", c.ID)]
					if !ok {
						t.Errorf("%s: component %s is missing", name, c.ID)
						continue
					}
					if want := v.ComponentStatus(c.ID, s.Now); got["status"] != string(want) || got["name"] != cleanText(c.Name) {
						t.Errorf("%s: component %s = %v %v, want %s %q", name, c.ID, got["name"], got["status"], want, c.Name)
					}
				}
				for _, g := range s.Config.Groups {
					got, ok := byID[apiID("group", g.Name)]
					if !ok || got["group"] != true {
						t.Errorf("%s: group %q is missing or not a group: %v", name, g.Name, got)
						continue
					}
					var want []any
					for _, c := range g.Components {
						want = append(want, apiID("component", c.ID))
						if child := byID[apiID("component", c.ID)]; child["group_id"] != got["id"] {
							t.Errorf("%s: %s has group_id %v, want %v", name, c.ID, child["group_id"], got["id"])
						}
					}
					if !slices.Equal(got["components"].([]any), want) {
						t.Errorf("%s: group %q lists %v, want %v", name, g.Name, got["components"], want)
					}
				}
				if n := len(s.Config.Components) + len(s.Config.Groups); len(byID) != n {
					t.Errorf("%s has %d components, want %d", name, len(byID), n)
				}
			}

			ids := func(ins []map[string]any) []string {
				var out []string
				for _, in := range ins {
					out = append(out, in["id"].(string))
				}
				return out
			}
			var active, recent []string
			for i, in := range v.Incidents {
				if in.Active() {
					active = append(active, apiID("incident", in.Slug))
				}
				if i < apiIncidentLimit {
					recent = append(recent, apiID("incident", in.Slug))
				}
			}
			for _, name := range []string{"api/v2/incidents/unresolved.json", "api/v2/summary.json"} {
				if got := ids(list(doc(name), "incidents")); !slices.Equal(got, active) {
					t.Errorf("%s: incidents %v, want the unresolved %v", name, got, active)
				}
			}
			if got := ids(list(doc("api/v2/incidents.json"), "incidents")); !slices.Equal(got, recent) {
				t.Errorf("incidents.json: incidents %v, want %v", got, recent)
			}
			for _, in := range s.Incidents {
				if in.Public {
					continue
				}
				for _, name := range apiFiles {
					if bytes.Contains(pub.files[name], []byte(apiID("incident", in.Slug))) {
						t.Errorf("%s lists the internal incident %s", name, in.Slug)
					}
				}
			}
			// An incident's updates, newest first, with their statuses.
			for _, ai := range list(doc("api/v2/incidents.json"), "incidents") {
				in := incidentByID(v, ai["id"].(string))
				ups := ai["incident_updates"].([]any)
				if len(ups) != len(in.Updates) {
					t.Errorf("%s: %d updates, want %d", in.Slug, len(ups), len(in.Updates))
					continue
				}
				for i, u := range ups {
					want := in.Updates[len(in.Updates)-1-i]
					if u.(map[string]any)["status"] != want.Status {
						t.Errorf("%s: update %d has status %v, want %s", in.Slug, i, u.(map[string]any)["status"], want.Status)
					}
				}
			}

			var upcoming, inProgress []string
			for i := len(v.Maintenances) - 1; i >= 0; i-- {
				m := v.Maintenances[i]
				switch {
				case m.InProgress(s.Now):
					inProgress = append(inProgress, apiID("maintenance", m.Slug))
				case m.Upcoming(s.Now):
					upcoming = append(upcoming, apiID("maintenance", m.Slug))
				}
			}
			if got := ids(list(doc("api/v2/scheduled-maintenances/upcoming.json"), "scheduled_maintenances")); !slices.Equal(got, upcoming) {
				t.Errorf("upcoming.json: %v, want %v", got, upcoming)
			}
			if got := ids(list(doc("api/v2/scheduled-maintenances/active.json"), "scheduled_maintenances")); !slices.Equal(got, inProgress) {
				t.Errorf("active.json: %v, want %v", got, inProgress)
			}
			if got := ids(list(doc("api/v2/summary.json"), "scheduled_maintenances")); !slices.Equal(got, append(inProgress, upcoming...)) {
				t.Errorf("summary.json: scheduled_maintenances %v, want %v", got, append(inProgress, upcoming...))
			}
			if got := len(list(doc("api/v2/scheduled-maintenances.json"), "scheduled_maintenances")); got != min(len(v.Maintenances), apiIncidentLimit) {
				t.Errorf("scheduled-maintenances.json has %d, want %d", got, len(v.Maintenances))
			}
		})
	}
}

func incidentByID(v Visible, id string) *Incident {
	for _, in := range v.Incidents {
		if apiID("incident", in.Slug) == id {
			return in
		}
	}
	return nil
}

func TestAPIIDsStable(t *testing.T) {
	// Ids are part of the contract with clients: they must not change
	// between releases for the same slug.
	for _, tt := range []struct{ kind, key, want string }{
		{"incident", "2026-11-27-card-authorization-timeouts", "utonopg882lf"},
		{"component", "card-processing", "fm24k62ng4pa"},
	} {
		if got := apiID(tt.kind, tt.key); got != tt.want {
			t.Errorf("apiID(%q, %q) = %q, want %q", tt.kind, tt.key, got, tt.want)
		}
	}
}

// machineFile reports whether a public file is one of the machine outputs.
func machineFile(name string) bool {
	return strings.HasPrefix(name, apiDir) || strings.HasSuffix(name, ".rss") || strings.HasSuffix(name, ".atom") ||
		strings.HasSuffix(name, ".svg") && !strings.HasPrefix(name, "assets/") || name == bannerJSON || name == bannerJS || name == icsFile
}

func TestMachineOutputsDeterministic(t *testing.T) {
	_, a, _ := build(t, sample(), sampleNow)
	_, b, _ := build(t, sample(), sampleNow)
	n := 0
	for name := range a.files {
		if !machineFile(name) {
			continue
		}
		n++
		if !bytes.Equal(a.files[name], b.files[name]) {
			t.Errorf("%s differs between two builds at the same Now", name)
		}
	}
	if n < 20 {
		t.Fatalf("only %d machine outputs", n)
	}
	// Feeds and the calendar follow the content, not the clock.
	_, c, _ := build(t, sample(), sampleNow.Add(7*time.Minute))
	for _, name := range []string{rssFile, atomFile, icsFile, "components/card-processing/" + rssFile} {
		if !bytes.Equal(a.files[name], c.files[name]) {
			t.Errorf("%s depends on the build's clock", name)
		}
	}
}

// wellFormedXML fails unless b is well-formed XML 1.0 with only the
// characters XML allows.
func wellFormedXML(t testing.TB, name string, b []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Errorf("%s is not well-formed XML: %v", name, err)
			return
		}
	}
	if s := string(b); cleanText(s) != s || strings.ContainsRune(s, '\uFFFD') {
		t.Errorf("%s holds characters XML 1.0 forbids (or U+FFFD in their place)", name)
	}
}

func TestFeeds(t *testing.T) {
	for _, fx := range fixtures() {
		t.Run(fx.name, func(t *testing.T) {
			s, pub, _ := build(t, fx.fsys, sampleNow)
			v := s.PublicView()
			// What each feed should hold: one entry per update, one for an
			// announcement with none yet; newest first.
			type want struct {
				title string
				at    time.Time
				comps []string
			}
			var all []want
			for _, in := range v.Incidents {
				if len(in.Updates) == 0 {
					all = append(all, want{in.Title + " — " + StatusLabel(in.Status), in.Started, in.Affected})
				}
				for _, u := range in.Updates {
					all = append(all, want{in.Title + " — " + StatusLabel(u.Status), u.At, in.Affected})
				}
			}
			for _, m := range v.Maintenances {
				if len(m.Updates) == 0 {
					all = append(all, want{m.Title + " — Scheduled", m.Start, m.Components})
				}
				for _, u := range m.Updates {
					all = append(all, want{m.Title + " — " + StatusLabel(u.Status), u.At, m.Components})
				}
			}
			slices.SortStableFunc(all, func(a, b want) int { return b.at.Compare(a.at) })
			feeds := map[string][]want{"": all}
			for _, c := range s.Config.Components {
				var mine []want
				for _, w := range all {
					if slices.Contains(w.comps, c.ID) {
						mine = append(mine, w)
					}
				}
				feeds["components/"+c.ID+"/"] = mine
			}
			parser := gofeed.NewParser()
			for dir, entries := range feeds {
				if len(entries) > feedLimit {
					entries = entries[:feedLimit]
				}
				for _, ext := range []string{rssFile, atomFile} {
					name := dir + ext
					b, ok := pub.files[name]
					if !ok {
						t.Errorf("%s was not rendered", name)
						continue
					}
					wellFormedXML(t, name, b)
					f, err := parser.Parse(bytes.NewReader(b))
					if err != nil {
						t.Errorf("gofeed cannot parse %s: %v", name, err)
						continue
					}
					wantType := map[string]string{rssFile: "rss", atomFile: "atom"}[ext]
					if f.FeedType != wantType {
						t.Errorf("%s parses as %q, want %q", name, f.FeedType, wantType)
					}
					if f.Title == "" || f.Link == "" {
						t.Errorf("%s: title %q, link %q", name, f.Title, f.Link)
					}
					if len(f.Items) != len(entries) {
						t.Errorf("%s has %d entries, want %d", name, len(f.Items), len(entries))
						continue
					}
					seen := map[string]bool{}
					for i, it := range f.Items {
						w := entries[i]
						if it.Title != cleanText(w.title) {
							t.Errorf("%s entry %d: title %q, want %q", name, i, it.Title, cleanText(w.title))
						}
						if it.PublishedParsed == nil && it.UpdatedParsed == nil {
							t.Errorf("%s entry %d has no date", name, i)
						} else if at := firstTime(it.PublishedParsed, it.UpdatedParsed); !at.Equal(w.at) {
							t.Errorf("%s entry %d: date %s, want %s", name, i, at, w.at)
						}
						if !strings.HasPrefix(it.Link, s.Config.BaseURL) {
							t.Errorf("%s entry %d: link %q is not on the site", name, i, it.Link)
						}
						if seen[it.GUID] || it.GUID == "" {
							t.Errorf("%s entry %d: id %q is empty or repeated", name, i, it.GUID)
						}
						seen[it.GUID] = true
					}
				}
			}
		})
	}
}

func firstTime(ts ...*time.Time) time.Time {
	for _, t := range ts {
		if t != nil {
			return *t
		}
	}
	return time.Time{}
}

func TestPagesAdvertiseFeeds(t *testing.T) {
	_, pub, _ := build(t, sample(), sampleNow)
	for name, want := range map[string][]string{
		"index.html": {`href="history.rss"`, `href="history.atom"`},
		"incidents/2026-09-03-checkout-api-outage/index.html": {`href="../../history.rss"`, `href="../../history.atom"`},
		"components/card-processing/index.html":               {`href="../../history.rss"`, `href="history.rss"`, `href="history.atom"`},
	} {
		page := string(pub.files[name])
		for _, w := range want {
			if !strings.Contains(page, `<link rel="alternate" type="application/`) || !strings.Contains(page, w) {
				t.Errorf("%s does not advertise %s", name, w)
			}
		}
	}
}

func TestBadges(t *testing.T) {
	s, pub, _ := build(t, sample(), sampleNow)
	v := s.PublicView()
	type svg struct {
		Role  string `xml:"role,attr"`
		Label string `xml:"aria-label,attr"`
		Title string `xml:"title"`
		G     []struct {
			Rects []struct {
				Fill string `xml:"fill,attr"`
			} `xml:"rect"`
		} `xml:"g"`
	}
	check := func(name, title, colour string) {
		t.Helper()
		b, ok := pub.files[name]
		if !ok {
			t.Errorf("%s was not rendered", name)
			return
		}
		wellFormedXML(t, name, b)
		var got svg
		if err := xml.Unmarshal(b, &got); err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		if got.Role != "img" || got.Title != title || got.Label != title {
			t.Errorf("%s: role %q, title %q, aria-label %q; want img and %q", name, got.Role, got.Title, got.Label, title)
		}
		if len(got.G) == 0 || len(got.G[0].Rects) < 2 || got.G[0].Rects[1].Fill != colour {
			t.Errorf("%s: status colour is not %s", name, colour)
		}
	}
	ind := v.Indicator(s.Config, s.Now)
	check(badgeFile, "status: "+strings.ToLower(ind.Description), indicatorColour(ind))
	for _, c := range s.Config.Components {
		st := v.ComponentStatus(c.ID, s.Now)
		check("components/"+c.ID+"/"+badgeFile, c.Name+": "+strings.ToLower(st.Label()), statusColour(st))
	}
}

func TestBannerJSON(t *testing.T) {
	s, pub, _ := build(t, sample(), sampleNow)
	var d bannerDoc
	if err := json.Unmarshal(pub.files[bannerJSON], &d); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, in := range s.PublicView().Incidents {
		if in.Active() {
			want = append(want, in.Slug)
		}
	}
	if len(want) == 0 {
		t.Fatal("the sample has no active incident at sampleNow")
	}
	var got []string
	for _, it := range d.Active {
		got = append(got, strings.TrimSuffix(strings.TrimPrefix(it.Path, "incidents/"), "/"))
		if it.URL != s.Config.BaseURL+it.Path {
			t.Errorf("banner item %s: url %q, path %q", it.ID, it.URL, it.Path)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("banner.json lists %v, want %v", got, want)
	}
	if !bytes.Equal(pub.files[bannerJS], themesBannerJS(t)) {
		t.Error("banner.js is not the theme's assets/banner.js")
	}
	if _, ok := pub.files[bannerAsset]; ok {
		t.Errorf("%s is published twice (it belongs at the root, beside banner.json)", bannerAsset)
	}

	// When all is well, the list is empty (and not null).
	_, calm, _ := build(t, os.DirFS("testdata/calm"), sampleNow)
	if m := decodeJSON(t, bannerJSON, calm.files[bannerJSON]); m["active"] == nil || len(m["active"].([]any)) != 0 {
		t.Errorf("a calm site's banner.json has active = %v, want []", m["active"])
	}
}

func themesBannerJS(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile("../themes/default/" + bannerAsset)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestICS(t *testing.T) {
	for _, fx := range fixtures() {
		t.Run(fx.name, func(t *testing.T) {
			s, pub, _ := build(t, fx.fsys, sampleNow)
			raw, ok := pub.files[icsFile]
			if !ok {
				t.Fatalf("%s was not rendered", icsFile)
			}
			// RFC 5545 §3.1: CRLF line ends, lines of at most 75 octets.
			if !bytes.HasSuffix(raw, []byte("\r\n")) {
				t.Error("the calendar does not end with CRLF")
			}
			for i, line := range bytes.Split(bytes.TrimSuffix(raw, []byte("\r\n")), []byte("\r\n")) {
				if len(line) > 75 {
					t.Errorf("line %d has %d octets: %q", i+1, len(line), line)
				}
				if bytes.ContainsAny(line, "\r\n") {
					t.Errorf("line %d holds a bare CR or LF", i+1)
				}
			}
			cal, err := ics.ParseCalendar(bytes.NewReader(raw))
			if err != nil {
				t.Fatalf("golang-ical cannot parse %s: %v", icsFile, err)
			}
			events := cal.Events()
			v := s.PublicView()
			if len(events) != len(v.Maintenances) {
				t.Fatalf("%d events, want %d", len(events), len(v.Maintenances))
			}
			byUID := map[string]*ics.VEvent{}
			for _, e := range events {
				byUID[e.Id()] = e
			}
			prop := func(e *ics.VEvent, p ics.ComponentProperty) string {
				if x := e.GetProperty(p); x != nil {
					return x.Value
				}
				return ""
			}
			for _, m := range v.Maintenances {
				uid := m.Slug + "@" + strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(s.Config.BaseURL, "https://"), "http://"), "/")
				e, ok := byUID[uid]
				if !ok {
					t.Errorf("no event with UID %s (have %v)", uid, slices.Sorted(maps.Keys(byUID)))
					continue
				}
				start, err1 := e.GetStartAt()
				end, err2 := e.GetEndAt()
				if err1 != nil || err2 != nil || !start.Equal(m.Start) || !end.Equal(m.End) {
					t.Errorf("%s: %s–%s (%v, %v), want %s–%s", uid, start, end, err1, err2, m.Start, m.End)
				}
				if _, err := e.GetDtStampTime(); err != nil {
					t.Errorf("%s: DTSTAMP: %v", uid, err)
				}
				if got := prop(e, ics.ComponentPropertySummary); got != cleanText(m.Title) {
					t.Errorf("%s: SUMMARY %q, want %q", uid, got, cleanText(m.Title))
				}
				if got := prop(e, ics.ComponentPropertyDescription); !strings.Contains(got, s.Config.BaseURL+"maintenance/"+m.Slug+"/") {
					t.Errorf("%s: DESCRIPTION %q does not link the page", uid, got)
				}
				if got, want := prop(e, ics.ComponentPropertySequence), strconv.Itoa(maintenanceSequence(m)); got != want {
					t.Errorf("%s: SEQUENCE %s, want %s", uid, got, want)
				}
				wantStatus := "CONFIRMED"
				if maintenanceCancelled(m) {
					wantStatus = "CANCELLED"
				}
				if got := prop(e, ics.ComponentPropertyStatus); got != wantStatus {
					t.Errorf("%s: STATUS %s, want %s", uid, got, wantStatus)
				}
			}
		})
	}
}

func TestMaintenanceSequence(t *testing.T) {
	start := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	up := func(day int, status string) *Update {
		return &Update{At: time.Date(2026, 11, day, 9, 0, 0, 0, time.UTC), Status: status}
	}
	tests := []struct {
		name      string
		updates   []*Update
		seq       int
		cancelled bool
	}{
		{"no updates", nil, 0, false},
		{"announced", []*Update{up(20, "scheduled")}, 0, false},
		{"ran", []*Update{up(20, "scheduled"), up(30, "in_progress"), up(30, "completed")}, 0, false},
		{"moved once", []*Update{up(20, "scheduled"), up(25, "scheduled")}, 1, false},
		{"moved twice, then ran", []*Update{up(20, "scheduled"), up(25, "scheduled"), up(26, "scheduled"), up(30, "in_progress")}, 2, false},
		{"cancelled", []*Update{up(20, "scheduled"), up(25, "completed")}, 1, true},
		{"moved, then cancelled", []*Update{up(20, "scheduled"), up(25, "scheduled"), up(27, "completed")}, 2, true},
		{"completed after the start is not cancelled", []*Update{{At: start.Add(time.Hour), Status: "completed"}}, 0, false},
		{"started, then stopped early", []*Update{up(20, "in_progress"), up(21, "completed")}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &Maintenance{Start: start, End: start.Add(2 * time.Hour), Updates: tt.updates}
			if got := maintenanceCancelled(m); got != tt.cancelled {
				t.Errorf("cancelled = %v, want %v", got, tt.cancelled)
			}
			if got := maintenanceSequence(m); got != tt.seq {
				t.Errorf("SEQUENCE = %d, want %d", got, tt.seq)
			}
		})
	}
}

func TestICSTextAndFolding(t *testing.T) {
	if got, want := icsText("a,b;c\\d\ne\r\nf\x07g"), `a\,b\;c\\d\ne\nfg`; got != want {
		t.Errorf("icsText = %q, want %q", got, want)
	}
	var w icsWriter
	long := "DESCRIPTION:" + strings.Repeat("é", 100) // two octets each
	w.line(long)
	lines := strings.Split(strings.TrimSuffix(w.String(), "\r\n"), "\r\n")
	var joined strings.Builder
	for i, l := range lines {
		if len(l) > 75 {
			t.Errorf("line %d has %d octets", i, len(l))
		}
		if i > 0 {
			if !strings.HasPrefix(l, " ") {
				t.Errorf("continuation line %d does not start with a space", i)
			}
			l = l[1:]
		}
		joined.WriteString(l)
	}
	if joined.String() != long {
		t.Error("unfolding does not give the line back (a UTF-8 sequence was split?)")
	}
}

// TestInjectionMachine: hostile titles and bodies (CDATA ends, </script>,
// control characters) leave every machine output valid.
func TestInjectionMachine(t *testing.T) {
	_, pub, _ := build(t, os.DirFS("testdata/injection"), sampleNow)
	parser := gofeed.NewParser()
	n := 0
	for _, name := range slices.Sorted(maps.Keys(pub.files)) {
		if !machineFile(name) {
			continue
		}
		n++
		b := pub.files[name]
		switch {
		case strings.HasSuffix(name, ".json"):
			if !json.Valid(b) {
				t.Errorf("%s is not valid JSON", name)
			}
			if bytes.Contains(b, []byte("</script")) || bytes.Contains(b, []byte("<script")) {
				t.Errorf("%s holds a raw <script> tag (encoding/json should escape <)", name)
			}
		case strings.HasSuffix(name, ".rss"), strings.HasSuffix(name, ".atom"):
			wellFormedXML(t, name, b)
			if _, err := parser.Parse(bytes.NewReader(b)); err != nil {
				t.Errorf("gofeed cannot parse %s: %v", name, err)
			}
		case strings.HasSuffix(name, ".svg"):
			wellFormedXML(t, name, b)
		case name == icsFile:
			if _, err := ics.ParseCalendar(bytes.NewReader(b)); err != nil {
				t.Errorf("golang-ical cannot parse %s: %v", name, err)
			}
			if s := string(b); cleanText(s) != s {
				t.Errorf("%s holds control characters", name)
			}
		}
	}
	if n < 10 {
		t.Fatalf("only %d machine outputs checked", n)
	}
	// The corpus does hold what it claims to, or the test proves nothing.
	s, _, _ := build(t, os.DirFS("testdata/injection"), sampleNow)
	var titles strings.Builder
	for _, in := range s.Incidents {
		titles.WriteString(in.Title)
	}
	for _, m := range s.Maintenances {
		titles.WriteString(m.Title)
	}
	for _, want := range []string{"]]>", "</script>", "\x07", "\x1b"} {
		if !strings.Contains(titles.String(), want) {
			t.Errorf("the injection corpus has no title with %q", want)
		}
	}
}

// readable turns a machine output back into the text a reader sees: JSON
// strings decoded, XML entities and HTML inside it unescaped, iCalendar
// lines unfolded and unescaped. TestPrivateTextNeverPublic looks for
// private phrases in that too.
func readable(name string, b []byte) string {
	switch {
	case strings.HasSuffix(name, ".json"):
		var v any
		if json.Unmarshal(b, &v) != nil {
			return string(b)
		}
		var sb strings.Builder
		var walk func(any)
		walk = func(v any) {
			switch v := v.(type) {
			case string:
				sb.WriteString(v + "\n")
			case []any:
				for _, x := range v {
					walk(x)
				}
			case map[string]any:
				for _, k := range slices.Sorted(maps.Keys(v)) {
					walk(v[k])
				}
			}
		}
		walk(v)
		return sb.String()
	case name == icsFile:
		s := strings.ReplaceAll(string(b), "\r\n ", "")
		return strings.NewReplacer(`\n`, "\n", `\,`, ",", `\;`, ";", `\\`, `\`).Replace(s)
	}
	return html.UnescapeString(html.UnescapeString(string(b)))
}

// TestStatusChanged: a component's updated_at moves only when the status
// the page shows for it changes.
func TestStatusChanged(t *testing.T) {
	at := func(h int) time.Time { return time.Date(2026, 11, 28, h, 0, 0, 0, time.UTC) }
	created, now := at(0), at(20)
	for _, tt := range []struct {
		name  string
		spans []Span
		want  time.Time
	}{
		{"never affected", nil, created},
		{"still degraded", []Span{{at(2), now, DegradedPerformance}}, at(2)},
		{"recovered", []Span{{at(2), at(5), DegradedPerformance}}, at(5)},
		{"an update keeping the status", []Span{{at(2), at(5), DegradedPerformance}, {at(5), now, DegradedPerformance}}, at(2)},
		{"an update changing it", []Span{{at(2), at(5), DegradedPerformance}, {at(5), now, MajorOutage}}, at(5)},
		{"under a worse incident", []Span{{at(1), now, MajorOutage}, {at(3), at(4), PartialOutage}, {at(4), now, DegradedPerformance}}, at(1)},
		{"the worse one ends", []Span{{at(1), at(6), MajorOutage}, {at(3), now, PartialOutage}}, at(6)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := statusChanged(tt.spans, created, now); !got.Equal(tt.want) {
				t.Errorf("statusChanged = %s, want %s", got.Format(time.Kitchen), tt.want.Format(time.Kitchen))
			}
		})
	}
}
