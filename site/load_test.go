package site

import (
	"errors"
	"io/fs"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// testNow is the fixed "now" of every test: nothing in site reads the clock.
var testNow = time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)

// testConfig is the config.toml every tree gets unless it brings its own.
const testConfig = `title = "Test Status"
base_url = "https://status.example.com/"
timezone = "UTC"

[[components]]
id = "api"
name = "API"

[[components]]
id = "web"
name = "Web"

[[components]]
id = "db"
name = "Database"

[[audiences]]
id = "executives"
digest = "business"
cadence = "1h"
channels = ["email", "call"]

[[audiences]]
id = "it-team"
digest = "technical"
cadence = "15m"
channels = ["slack"]

[[audiences]]
id = "end-users"
digest = "service"
cadence = "30m"
channels = ["email", "sms"]

[[audiences]]
id = "customers"
digest = "public"
channels = ["banner"]
`

// srcTree builds a source tree from path → content, adding testConfig when
// the map has no config.toml and the empty content folders.
func srcTree(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{
		"content/incidents":   {Mode: fs.ModeDir | 0o755},
		"content/maintenance": {Mode: fs.ModeDir | 0o755},
	}
	if _, ok := files["config.toml"]; !ok {
		fsys["config.toml"] = &fstest.MapFile{Data: []byte(testConfig)}
	}
	for p, s := range files {
		fsys[p] = &fstest.MapFile{Data: []byte(s)}
	}
	return fsys
}

// mustLoad loads files, failing the test on any problem.
func mustLoad(t testing.TB, files map[string]string) *Site {
	t.Helper()
	s, err := Load(srcTree(files), Options{Now: testNow})
	if err != nil {
		t.Fatalf("Load: unexpected problems:\n%v", err)
	}
	return s
}

// Shared fixtures. Line numbers in expectations count from the "---".
const (
	inc = "content/incidents/"
	mnt = "content/maintenance/"

	okIncident = `---
title: API errors
severity: sev2
components: [api]
started: 2026-11-27T14:00:00Z
---
Some requests to the API fail.
`
	okUpdate = `---
at: 2026-11-27T14:10:00Z
status: investigating
---
We are looking into it.
`
	okMaintenance = `---
title: Database upgrade
components: [db]
scheduled_start: 2026-12-01T10:00:00Z
scheduled_end: 2026-12-01T12:00:00Z
---
We upgrade the database.
`
)

// updateMD returns an update file with the given front-matter lines after
// "at" and "status" (which are lines 2 and 3).
func updateMD(at, status string, more ...string) string {
	return "---\nat: " + at + "\nstatus: " + status + "\n" + strings.Join(append(more, ""), "\n") + "---\nText.\n"
}

// wantProblem is one expected problem: path and line exact, message by a
// distinctive substring.
type wantProblem struct {
	path string
	line int
	msg  string
}

var wantRE = regexp.MustCompile(`^([^:]+):(\d+): (.+)$`)

func parseWant(t testing.TB, s string) wantProblem {
	t.Helper()
	m := wantRE.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("bad expectation %q (expected path:line: substring)", s)
	}
	n, _ := strconv.Atoi(m[2])
	return wantProblem{m[1], n, m[3]}
}

// shapeRE is the shape every problem message keeps: what is wrong, then
// what was expected in parentheses.
var shapeRE = regexp.MustCompile(`^[^ ].* \(.+\)$`)

// checkProblems asserts that err lists exactly the wanted problems, each
// in the `what is wrong (what was expected)` shape.
func checkProblems(t testing.TB, err error, want []string) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("unexpected problems:\n%v", err)
		}
		return
	}
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Load error = %v (%T), want Problems", err, err)
	}
	used := make([]bool, len(ps))
	var missing []string
	for _, w := range want {
		wp := parseWant(t, w)
		found := false
		for i, p := range ps {
			if !used[i] && p.Path == wp.path && p.Line == wp.line && strings.Contains(p.Msg, wp.msg) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			missing = append(missing, w)
		}
	}
	var extra []string
	for i, p := range ps {
		if !used[i] {
			extra = append(extra, p.Path+":"+strconv.Itoa(p.Line)+": "+p.Msg)
		}
		if !shapeRE.MatchString(p.Msg) {
			t.Errorf("message not in `what is wrong (what was expected)` shape: %s", p)
		}
	}
	if len(missing) > 0 || len(extra) > 0 {
		t.Errorf("problems do not match\nmissing:\n\t%s\nunexpected:\n\t%s\nall:\n%v",
			strings.Join(missing, "\n\t"), strings.Join(extra, "\n\t"), err)
	}
}

// The corpus of broken inputs: each case is a small tree and the exact set
// of problems Load must report for it.
var problemCases = []struct {
	name  string
	files map[string]string
	want  []string
}{
	// Vocabulary.
	{
		name: "unknown status suggests the nearest",
		files: map[string]string{
			inc + "a/incident.md": okIncident,
			inc + "a/u1.md":       updateMD("2026-11-27T14:10:00Z", "resolvd"),
		},
		want: []string{inc + `a/u1.md:3: unknown status "resolvd" (did you mean "resolved"?)`},
	},
	{
		name: "maintenance status in an incident update",
		files: map[string]string{
			inc + "a/incident.md": okIncident,
			inc + "a/u1.md":       updateMD("2026-11-27T14:10:00Z", "completed"),
		},
		want: []string{inc + `a/u1.md:3: unknown status "completed" (`},
	},
	{
		name: "incident status in a maintenance update",
		files: map[string]string{
			mnt + "m/maintenance.md": okMaintenance,
			mnt + "m/u1.md":          updateMD("2026-12-01T10:00:00Z", "resolved"),
		},
		want: []string{mnt + `m/u1.md:3: unknown status "resolved" (`},
	},
	{
		name: "unknown component",
		files: map[string]string{
			inc + "a/incident.md": strings.Replace(okIncident, "[api]", "[api, wbe]", 1),
		},
		want: []string{inc + `a/incident.md:4: unknown component "wbe" (did you mean "web"?)`},
	},
	{
		name: "unknown component in a maintenance",
		files: map[string]string{
			mnt + "m/maintenance.md": strings.Replace(okMaintenance, "[db]", "[dbb]", 1),
		},
		want: []string{mnt + `m/maintenance.md:3: unknown component "dbb" (did you mean "db"?)`},
	},
	{
		name: "empty components",
		files: map[string]string{
			inc + "a/incident.md": strings.Replace(okIncident, "[api]", "[]", 1),
		},
		want: []string{inc + `a/incident.md:4: components is empty (expected at least one component id`},
	},
	{
		name: "unknown component and status in impact",
		files: map[string]string{
			inc + "a/incident.md": okIncident,
			inc + "a/u1.md": updateMD("2026-11-27T14:10:00Z", "identified",
				"impact:",
				"  apii: major_outage",
				"  web: partial-outage"),
		},
		want: []string{
			inc + `a/u1.md:5: unknown component "apii" in impact (did you mean "api"?)`,
			inc + `a/u1.md:6: unknown component status "partial-outage" for web (did you mean "partial_outage"?)`,
		},
	},
	{
		name: "impact that is not a map",
		files: map[string]string{
			inc + "a/incident.md": okIncident,
			inc + "a/u1.md":       updateMD("2026-11-27T14:10:00Z", "identified", "impact: major_outage"),
		},
		want: []string{inc + `a/u1.md:4: impact must be a map of component: status (expected`},
	},
	{
		name: "unknown severity",
		files: map[string]string{
			inc + "a/incident.md": strings.Replace(okIncident, "sev2", "sev5", 1),
		},
		want: []string{inc + `a/incident.md:3: unknown severity "sev5" (`},
	},
	{
		name: "unknown severity in a re-triage",
		files: map[string]string{
			inc + "a/incident.md": okIncident,
			inc + "a/u1.md":       updateMD("2026-11-27T14:10:00Z", "identified", "severity: sevv1"),
		},
		want: []string{inc + `a/u1.md:4: unknown severity "sevv1" (did you mean "sev1"?)`},
	},
	{
		name: "severity in a maintenance update",
		files: map[string]string{
			mnt + "m/maintenance.md": okMaintenance,
			mnt + "m/u1.md":          updateMD("2026-12-01T10:00:00Z", "in_progress", "severity: sev2"),
		},
		want: []string{mnt + `m/u1.md:4: severity applies to incidents only (expected no severity`},
	},
	{
		name: "unknown audience in front matter",
		files: map[string]string{
			inc + "a/incident.md":    strings.Replace(okIncident, "started:", "audiences: [exectives, it-team]\nstarted:", 1),
			mnt + "m/maintenance.md": strings.Replace(okMaintenance, "scheduled_start:", "audiences: [nobody]\nscheduled_start:", 1),
		},
		want: []string{
			inc + `a/incident.md:5: unknown audience "exectives" (did you mean "executives"?)`,
			mnt + `m/maintenance.md:4: unknown audience "nobody" (expected executives, it-team, end-users or customers)`,
		},
	},
	{
		name: "public that is not a boolean",
		files: map[string]string{
			inc + "a/incident.md": strings.Replace(okIncident, "started:", "public: maybe\nstarted:", 1),
		},
		want: []string{inc + `a/incident.md:5: public must be true or false (expected public: true or public: false)`},
	},

	// Times.
	{
		name: "time without an offset in YAML",
		files: map[string]string{
			inc + "a/incident.md": strings.Replace(okIncident, "14:00:00Z", "14:00:00", 1),
			inc + "a/u1.md":       updateMD("2026-11-27 14:10", "investigating"),
		},
		want: []string{
			inc + `a/incident.md:5: started "2026-11-27T14:00:00" has no UTC offset (expected e.g. 2026-11-27T14:00:00Z or 2026-11-27T14:00:00+02:00)`,
			inc + `a/u1.md:2: at "2026-11-27 14:10" has no UTC offset (expected e.g. 2026-11-27T14:10Z`,
		},
	},
	{
		name: "time without an offset in TOML (native local date-time)",
		files: map[string]string{
			inc + "a/incident.md": `+++
title = "API errors"
severity = "sev2"
components = ["api"]
started = 2026-11-27T14:00:00
+++
`,
			inc + "a/u1.md": `+++
at = "2026-11-27T14:10:00"
status = "investigating"
eta = 2026-11-27T15:00:00
+++
`,
		},
		want: []string{
			inc + `a/incident.md:5: started 2026-11-27T14:00:00 has no UTC offset (expected e.g. 2026-11-27T14:00:00Z`,
			inc + `a/u1.md:2: at "2026-11-27T14:10:00" has no UTC offset (expected`,
			inc + `a/u1.md:4: eta 2026-11-27T15:00:00 has no UTC offset (expected`,
		},
	},
	{
		name: "date-only time in YAML and TOML",
		files: map[string]string{
			inc + "a/incident.md": strings.Replace(okIncident, "2026-11-27T14:00:00Z", "2026-11-27", 1),
			inc + "b/incident.md": `+++
title = "API errors"
severity = "sev2"
components = ["api"]
started = 2026-11-27
+++
`,
			inc + "c/incident.md": `+++
title = "API errors"
severity = "sev2"
components = ["api"]
started = 14:00:00
+++
`,
		},
		want: []string{
			inc + `a/incident.md:5: started "2026-11-27" is a date without a time (expected e.g. 2026-11-27T14:05:00Z)`,
			inc + `b/incident.md:5: started "2026-11-27" is a date without a time (expected e.g. 2026-11-27T14:05:00Z)`,
			inc + `c/incident.md:5: started "14:00:00" is a time without a date (expected`,
		},
	},
	{
		name: "not a time at all",
		files: map[string]string{
			inc + "a/incident.md": okIncident,
			inc + "a/u1.md":       updateMD("yesterday", "investigating", "next_update: [soon]"),
		},
		want: []string{
			inc + `a/u1.md:2: at "yesterday" is not a time (expected RFC 3339 with an offset`,
			inc + `a/u1.md:4: next_update must be a time (expected RFC 3339 with an offset`,
		},
	},

	// Lifecycle.
	{
		name: "update before started",
		files: map[string]string{
			inc + "a/incident.md": okIncident,
			inc + "a/u1.md":       updateMD("2026-11-27T15:50:00+02:00", "investigating"),
		},
		want: []string{inc + `a/u1.md:2: update at 2026-11-27T15:50:00+02:00 is before the incident started at 2026-11-27T14:00:00Z (expected at on or after started)`},
	},
	{
		name: "updates after the resolving update",
		files: map[string]string{
			inc + "a/incident.md": okIncident,
			inc + "a/u1.md":       updateMD("2026-11-27T14:10:00Z", "investigating"),
			inc + "a/u2.md":       updateMD("2026-11-27T14:30:00Z", "resolved"),
			inc + "a/u3.md":       updateMD("2026-11-27T14:40:00Z", "identified"),
			inc + "a/u4.md":       updateMD("2026-11-27T14:50:00Z", "resolved"),
		},
		want: []string{
			inc + `a/u3.md:2: update after the resolving update u2.md (`,
			inc + `a/u4.md:2: update after the resolving update u2.md (`,
		},
	},
	{
		name: "update tied with the resolving update but later by name",
		files: map[string]string{
			inc + "a/incident.md": okIncident,
			inc + "a/a.md":        updateMD("2026-11-27T14:30:00Z", "resolved"),
			inc + "a/b.md":        updateMD("2026-11-27T14:30:00Z", "monitoring"),
		},
		want: []string{inc + `a/b.md:2: update after the resolving update a.md (`},
	},
	{
		name: "maintenance that ends before it starts",
		files: map[string]string{
			mnt + "m/maintenance.md": strings.Replace(okMaintenance, "T12:00:00Z", "T09:00:00Z", 1),
			// scheduled_end written before scheduled_start.
			mnt + "n/maintenance.md": `---
title: Web deploy
components: [web]
scheduled_end: 2026-12-02T09:00:00Z
scheduled_start: 2026-12-02T10:00:00Z
---
`,
			// An empty window.
			mnt + "o/maintenance.md": strings.Replace(okMaintenance, "T12:00:00Z", "T10:00:00Z", 1),
		},
		want: []string{
			mnt + `m/maintenance.md:5: scheduled_end 2026-12-01T09:00:00Z is not after scheduled_start 2026-12-01T10:00:00Z (expected the window to end after it starts)`,
			mnt + `n/maintenance.md:4: scheduled_end 2026-12-02T09:00:00Z is not after scheduled_start 2026-12-02T10:00:00Z (`,
			mnt + `o/maintenance.md:5: scheduled_end 2026-12-01T10:00:00Z is not after`,
		},
	},
	{
		name: "maintenance update after completed",
		files: map[string]string{
			mnt + "m/maintenance.md": okMaintenance,
			mnt + "m/u1.md":          updateMD("2026-12-01T10:00:00Z", "in_progress"),
			mnt + "m/u2.md":          updateMD("2026-12-01T11:00:00Z", "completed"),
			mnt + "m/u3.md":          updateMD("2026-12-01T11:30:00Z", "verifying"),
		},
		want: []string{mnt + `m/u3.md:2: update after the completing update u2.md (`},
	},

	// Audience blocks.
	{
		name: "unclosed block",
		files: map[string]string{
			inc + "a/incident.md": okIncident,
			inc + "a/u1.md": `---
at: 2026-11-27T14:10:00Z
status: identified
---
Public text.

::: for it-team
pg-03 lost its volume.
`,
		},
		want: []string{inc + `a/u1.md:7: audience block is never closed (expected a line with ::: after it)`},
	},
	{
		name: "stray close",
		files: map[string]string{
			inc + "a/incident.md": okIncident + "\n:::\n",
		},
		want: []string{inc + `a/incident.md:9: stray ::: with no open block (expected`},
	},
	{
		name: "nested blocks",
		files: map[string]string{
			inc + "a/incident.md": okIncident,
			inc + "a/u1.md": `---
at: 2026-11-27T14:10:00Z
status: identified
---
::: for it-team
one
::: internal
two
:::
::: internal
three
::: for executives
four
:::
`,
		},
		want: []string{
			inc + `a/u1.md:7: audience block opened inside the block opened on line 5 (blocks do not nest`,
			inc + `a/u1.md:12: audience block opened inside the block opened on line 10 (blocks do not nest`,
		},
	},
	{
		name: "unknown audience and unknown block word",
		files: map[string]string{
			inc + "a/incident.md": okIncident,
			inc + "a/u1.md": `---
at: 2026-11-27T14:10:00Z
status: identified
---
::: for itteam executives
one
:::

::: for
two
:::

::: warning
three
:::
`,
		},
		want: []string{
			inc + `a/u1.md:5: unknown audience "itteam" in block (did you mean "it-team"?)`,
			inc + `a/u1.md:9: ::: for names no audience (expected ::: for ID`,
			inc + `a/u1.md:13: unknown block "::: warning" (expected`,
		},
	},
	{
		name: "block errors in maintenance and review bodies",
		files: map[string]string{
			mnt + "m/maintenance.md": okMaintenance + "::: for nobody\nx\n:::\n",
			inc + "a/incident.md":    okIncident,
			inc + "a/review.md":      "---\npublished: true\n---\n::: internal\nx\n",
		},
		want: []string{
			mnt + `m/maintenance.md:8: unknown audience "nobody" in block (`,
			inc + `a/review.md:4: audience block is never closed (`,
		},
	},

	// Front matter syntax.
	{
		name: "missing front matter",
		files: map[string]string{
			inc + "a/incident.md": "title: API errors\n",
			inc + "b/incident.md": "",
		},
		want: []string{
			inc + `a/incident.md:1: missing front matter (expected a first line of --- for YAML or +++ for TOML)`,
			inc + `b/incident.md:1: missing front matter (`,
		},
	},
	{
		name: "front matter never closed",
		files: map[string]string{
			inc + "a/incident.md": "---\ntitle: API errors\nseverity: sev2\n",
			inc + "b/incident.md": "+++\ntitle = \"API errors\"\n---\n",
		},
		want: []string{
			inc + `a/incident.md:1: front matter opened with --- is never closed (expected a line of ---)`,
			inc + `b/incident.md:1: front matter opened with +++ is never closed (expected a line of +++)`,
		},
	},
	{
		name: "YAML syntax errors",
		files: map[string]string{
			inc + "a/incident.md": `---
title: API errors
severity: sev2
components: [api
started: 2026-11-27T14:00:00Z
---
`,
			inc + "b/incident.md": `---
title: API errors
severity: sev2
  components: [api]
---
`,
			inc + "c/incident.md": "---\ntitle: API errors\n\tseverity: sev2\n---\n",
			inc + "d/incident.md": `---
title: API errors
severity: sev2
responders:
  - Sam
 - Kim
---
`,
			inc + "e/incident.md": `---
title: API errors
severity: sev2
extra: {jira: OPS-1
components: [api]
---
`,
			inc + "f/incident.md": `---
title: API errors
severity: sev2
this line has no colon
---
`,
		},
		want: []string{
			inc + `a/incident.md:4: bad front matter: did not find expected ',' or ']' (expected YAML key: value lines)`,
			inc + `b/incident.md:4: bad front matter: mapping values are not allowed in this context (expected YAML key: value lines)`,
			inc + `c/incident.md:3: bad front matter: found a tab character that violates indentation (expected YAML key: value lines)`,
			inc + `d/incident.md:6: bad front matter: did not find expected key (`,
			inc + `e/incident.md:4: bad front matter: did not find expected ',' or '}' (`,
			inc + `f/incident.md:4: bad front matter: could not find expected ':' (`,
		},
	},
	{
		name: "YAML front matter that is not a map, and a duplicate key",
		files: map[string]string{
			inc + "a/incident.md": "---\n- title\n- severity\n---\n",
			inc + "b/incident.md": "---\ntitle: API errors\nseverity: sev2\ntitle: again\n---\n",
		},
		want: []string{
			inc + `a/incident.md:2: bad front matter: front matter is not a map of keys (expected key: value lines)`,
			inc + `b/incident.md:4: bad front matter: key "title" appears twice (expected each key once)`,
		},
	},
	{
		name: "TOML syntax errors",
		files: map[string]string{
			inc + "a/incident.md": `+++
title = "API errors"
severity = "sev2
components = ["api"]
+++
`,
			inc + "b/incident.md": `+++
title = "API errors"
title = "again"
+++
`,
			inc + "c/incident.md": `+++
title = "API errors"
severity: sev2
+++
`,
		},
		want: []string{
			inc + `a/incident.md:3: bad front matter: `,
			inc + `b/incident.md:3: bad front matter: `,
			inc + `c/incident.md:3: bad front matter: `,
		},
	},
	{
		name: "TOML front matter problems name their line",
		files: map[string]string{
			inc + "a/incident.md": `+++
title = "API errors"
severity = "sev9"
components = ["api", "wbe"]
sevrity = "sev1"
started = "2026-11-27T14:00:00Z"
+++
`,
			inc + "a/u1.md": `+++
at = 2026-11-27T14:10:00Z
status = "investigatin"

[impact]
api = "major"
+++
Text.
::: for nobody
`,
			inc + "a/review.md": `+++
published = true

[[action_items]]
title = "One"
status = "done"

[[action_items]]
title = "Two"
status = "wip"

[[action_items]]
owner = "Sam"
+++
`,
		},
		want: []string{
			inc + `a/incident.md:3: unknown severity "sev9" (`,
			inc + `a/incident.md:4: unknown component "wbe" (did you mean "web"?)`,
			inc + `a/incident.md:5: unknown key "sevrity" in incident.md (did you mean "severity"?`,
			inc + `a/u1.md:3: unknown status "investigatin" (did you mean "investigating"?)`,
			inc + `a/u1.md:6: unknown component status "major" for api (`,
			inc + `a/review.md:10: unknown action item status "wip" (expected open or done)`,
			inc + `a/review.md:12: an action item is missing required key "title" (`,
			inc + `a/u1.md:9: unknown audience "nobody" in block (`,
			inc + `a/u1.md:9: audience block is never closed (`,
		},
	},

	// Keys.
	{
		name: "unknown key suggests the nearest known one",
		files: map[string]string{
			inc + "a/incident.md":    strings.Replace(okIncident, "severity:", "sevrity:", 1),
			inc + "a/u1.md":          updateMD("2026-11-27T14:10:00Z", "investigating", "nxt_update: 2026-11-27T15:00:00Z"),
			inc + "b/incident.md":    strings.Replace(okIncident, "started:", "jira: OPS-1\npagerduty_incident: P123\nstarted:", 1),
			mnt + "m/maintenance.md": strings.Replace(okMaintenance, "title:", "titel:", 1),
		},
		want: []string{
			inc + `a/incident.md:3: unknown key "sevrity" in incident.md (did you mean "severity"?; free-form data goes under extra:)`,
			inc + `a/incident.md:1: incident.md is missing required key "severity" (`,
			inc + `a/u1.md:4: unknown key "nxt_update" in an update (did you mean "next_update"?)`,
			inc + `b/incident.md:5: unknown key "jira" in incident.md (did you mean "extra"?; free-form data goes under extra:)`,
			inc + `b/incident.md:6: unknown key "pagerduty_incident" in incident.md (expected title, severity,`,
			mnt + `m/maintenance.md:2: unknown key "titel" in maintenance.md (did you mean "title"?)`,
			mnt + `m/maintenance.md:1: maintenance.md is missing required key "title" (`,
		},
	},
	{
		name: "missing required keys",
		files: map[string]string{
			inc + "a/incident.md":    "---\ntitle: API errors\n---\n",
			inc + "a/u1.md":          "---\nat: 2026-11-27T14:10:00Z\n---\n",
			mnt + "m/maintenance.md": "---\ntitle: DB\ncomponents: [db]\nscheduled_start: 2026-12-01T10:00:00Z\n---\n",
			inc + "b/incident.md":    okIncident,
			inc + "b/review.md":      "---\naction_items:\n  - owner: Sam\n---\n",
		},
		want: []string{
			inc + `a/incident.md:1: incident.md is missing required key "severity" (`,
			inc + `a/incident.md:1: incident.md is missing required key "components" (`,
			inc + `a/incident.md:1: incident.md is missing required key "started" (`,
			inc + `a/u1.md:1: an update is missing required key "status" (`,
			mnt + `m/maintenance.md:1: maintenance.md is missing required key "scheduled_end" (`,
			inc + `b/review.md:3: an action item is missing required key "title" (`,
		},
	},
	{
		name: "empty title and wrong value kinds",
		files: map[string]string{
			inc + "a/incident.md": `---
title: ""
severity: [sev1, sev2]
components: {api: yes}
started: 2026-11-27T14:00:00Z
responders: [{name: Sam}]
extra: [a, b]
---
`,
		},
		want: []string{
			inc + `a/incident.md:2: title is empty (expected one line`,
			inc + `a/incident.md:3: severity must be a single value (expected text)`,
			inc + `a/incident.md:4: components must be a list (expected e.g. [a, b])`,
			inc + `a/incident.md:6: responders must be a list of words (expected e.g. [a, b])`,
			inc + `a/incident.md:7: extra must be a map (expected`,
		},
	},
	{
		name: "review problems",
		files: map[string]string{
			inc + "a/incident.md": okIncident,
			inc + "a/review.md": `---
published: sometimes
root_cause: A bad deploy.
action_items:
  - title: Fix it
    owner: Sam
    status: wip
    due: soon
  - just a string
  - title: Test it
    asignee: Kim
---
Body.
`,
		},
		want: []string{
			inc + `a/review.md:2: published must be true or false (`,
			inc + `a/review.md:7: unknown action item status "wip" (expected open or done)`,
			inc + `a/review.md:8: due "soon" is not a time (`,
			inc + `a/review.md:9: an action item must be a map (expected title, owner, status, due)`,
			inc + `a/review.md:11: unknown key "asignee" in an action item (`,
		},
	},
	{
		name: "review in a maintenance bundle",
		files: map[string]string{
			mnt + "m/maintenance.md": okMaintenance,
			mnt + "m/review.md":      "---\npublished: true\n---\n",
		},
		want: []string{mnt + `m/review.md:0: review.md belongs to incidents (expected it under content/incidents/<slug>/)`},
	},

	// Files and folders.
	{
		name: "file over 1 MiB",
		files: map[string]string{
			inc + "a/incident.md": okIncident,
			inc + "a/u1.md":       okUpdate + strings.Repeat("x", maxFileSize),
			inc + "b/incident.md": okIncident + strings.Repeat("y", maxFileSize),
		},
		want: []string{
			inc + `a/u1.md:0: bytes (expected at most 1 MiB`,
			inc + `b/incident.md:0: bytes (expected at most 1 MiB`,
		},
	},
	{
		name: "stray files and folders",
		files: map[string]string{
			inc + "notes.md":            okIncident,
			mnt + "plan.md":             okMaintenance,
			"content/README.md":         "# content\n",
			"content/incident/x/a.md":   okIncident,
			"content/.git-keep":         "",
			inc + ".DS_Store":           "",
			inc + "a/incident.md":       okIncident,
			inc + "a/.notes/private.md": "not front matter",
		},
		want: []string{
			inc + `notes.md:0: stray file (expected a folder per incident: content/incidents/<slug>/incident.md)`,
			mnt + `plan.md:0: stray file (expected a folder per maintenance: content/maintenance/<slug>/maintenance.md)`,
			`content/README.md:0: unexpected file in content/ (expected only the folders incidents/ and maintenance/)`,
			`content/incident:0: unexpected folder in content/ (expected only the folders incidents/ and maintenance/; did you mean incidents/?)`,
		},
	},
	{
		name: "bundle without its main file",
		files: map[string]string{
			inc + "a/u1.md":     okUpdate,
			mnt + "m/u1.md":     okUpdate,
			inc + "b/x.png":     "png",
			inc + "c/review.md": "---\npublished: false\n---\n",
		},
		want: []string{
			inc + `a:0: incident folder has no incident.md (expected content/incidents/a/incident.md`,
			mnt + `m:0: maintenance folder has no maintenance.md (expected content/maintenance/m/maintenance.md`,
			inc + `b:0: incident folder has no incident.md (`,
			inc + `c:0: incident folder has no incident.md (`,
		},
	},
	{
		name: "malformed slugs",
		files: map[string]string{
			inc + "Bad_Slug/incident.md":      okIncident,
			inc + "-leading/incident.md":      okIncident,
			mnt + "db upgrade/maintenance.md": okMaintenance,
		},
		want: []string{
			inc + `Bad_Slug:0: malformed slug "Bad_Slug" (expected lower-case letters, digits and dashes`,
			inc + `-leading:0: malformed slug "-leading" (`,
			mnt + `db upgrade:0: malformed slug "db upgrade" (`,
		},
	},
	{
		name: "slug used by an incident and a maintenance",
		files: map[string]string{
			inc + "db-work/incident.md":    okIncident,
			mnt + "db-work/maintenance.md": okMaintenance,
		},
		want: []string{mnt + `db-work:0: slug "db-work" is already used by content/incidents/db-work (expected slugs unique across incidents and maintenance)`},
	},

	// config.toml.
	{
		name: "config syntax error",
		files: map[string]string{
			"config.toml": `title = "T"
base_url = "https://status.example.com/"

[[components]]
id = "api"
name = "API
`,
			inc + "a/incident.md": "broken but never read",
		},
		want: []string{`config.toml:6: strings cannot contain newlines (expected valid TOML)`},
	},
	{
		name: "config unknown keys and bad audiences",
		files: map[string]string{
			"config.toml": `title = "T"
base_url = "https://status.example.com/"
timzone = "UTC"

[[components]]
id = "api"
nmae = "API"

[severities.sev2]
impakt = "major"

[[audiences]]
id = "executives"
digest = "busines"
cadance = "1h"
channels = ["emial", "call"]
severities = ["sev1", "sev7"]

[[audiences]]
id = "it-team"
digest = "technical"
cadence = "sometimes"
channels = ["fax"]

[notfy]
driver = "outbox"
[notfy.smtp]
url_env = "SMTP_URL"
`,
		},
		want: []string{
			`config.toml:3: unknown key "timzone" (did you mean "timezone"?)`,
			`config.toml:7: unknown key "nmae" (did you mean "name"?)`,
			`config.toml:10: unknown key "impakt" (did you mean "impact"?)`,
			`config.toml:14: unknown digest "busines" for audience "executives" (did you mean "business"?)`,
			`config.toml:15: unknown key "cadance" (did you mean "cadence"?)`,
			`config.toml:16: unknown channel "emial" for audience "executives" (did you mean "email"?)`,
			`config.toml:17: unknown severity "sev7" for audience "executives" (`,
			`config.toml:22: cadence "sometimes" for audience "it-team" is not a duration (expected`,
			`config.toml:23: unknown channel "fax" for audience "it-team" (expected email, sms, slack, webhook, banner or call)`,
			`config.toml:25: unknown key "notfy" (did you mean "notify"?)`,
		},
	},
	{
		name: "config bad values",
		files: map[string]string{
			"config.toml": `title = "T"
base_url = "status.example.com"
timezone = "Mars/Olympus"
theme = "My Theme"
history_days = 0

[[components]]
id = "api"

[[components]]
id = "api"

[[components]]
id = "Web"

[[components]]
name = "No id"

[severities.sev2]
impact = "huge"
default_component_status = "down"

[[audiences]]
id = "internal"
`,
		},
		want: []string{
			`config.toml:2: base_url "status.example.com" is not an http(s) URL (expected`,
			`config.toml:3: unknown timezone "Mars/Olympus" (expected an IANA name`,
			`config.toml:4: theme "My Theme" is not a folder name (expected`,
			`config.toml:5: history_days 0 is out of range (expected 1 to 3650)`,
			`config.toml:11: component id "api" is defined twice (expected unique ids)`,
			`config.toml:14: component id "Web" is malformed (expected`,
			`config.toml:16: component has no id (expected`,
			`config.toml:20: unknown impact "huge" (`,
			`config.toml:21: unknown component status "down" (`,
			`config.toml:24: audience id "internal" is malformed (`,
		},
	},
	{
		name: "config wrong value type",
		files: map[string]string{
			"config.toml": `title = "T"
base_url = "https://status.example.com/"
history_days = "ninety"

[[components]]
id = "api"
`,
		},
		want: []string{`config.toml:3: history_days is a string (expected an integer)`},
	},
	{
		name: "config list given as a string",
		files: map[string]string{
			"config.toml": `title = "T"
base_url = "https://status.example.com/"

[[components]]
id = "api"

[[audiences]]
id = "it-team"
channels = "slack"
`,
		},
		want: []string{`config.toml:9: audiences.channels is a string (expected a list)`},
	},
	{
		// The periodic summary: a known schedule, not for a public digest
		// (it counts internal incidents), and a channel to carry it.
		name: "config bad summaries",
		files: map[string]string{
			"config.toml": `title = "T"
base_url = "https://status.example.com/"

[[components]]
id = "api"

[[audiences]]
id = "executives"
digest = "business"
channels = ["email"]
summary = "weeky"

[[audiences]]
id = "board"
digest = "business"
channels = ["email"]
summary = "daily"

[[audiences]]
id = "customers"
digest = "public"
channels = ["email"]
summary = "monthly"

[[audiences]]
id = "subscribers"
channels = ["email"]
summary = "weekly"

[[audiences]]
id = "on-call"
digest = "technical"
channels = ["sms", "call", "banner"]
summary = "weekly"

[[audiences]]
id = "it-team"
digest = "technical"
channels = ["slack"]
summary = "monthly"
`,
		},
		want: []string{
			`config.toml:11: unknown summary "weeky" for audience "executives" (did you mean "weekly"?)`,
			`config.toml:17: unknown summary "daily" for audience "board" (expected weekly or monthly)`,
			`config.toml:23: audience "customers" has digest "public" and cannot have a summary: the summary counts internal incidents (expected digest = "business", "technical" or "service", or no summary)`,
			`config.toml:28: audience "subscribers" has digest "public" and cannot have a summary`,
			`config.toml:34: audience "on-call" has summary = "weekly" but no channel to send it on (expected email, slack or webhook among its channels)`,
		},
	},
	{
		name: "config missing title, base_url and components",
		files: map[string]string{
			"config.toml": "description = \"x\"\n",
		},
		want: []string{
			`config.toml:0: title is missing (expected`,
			`config.toml:0: base_url is missing (expected`,
			`config.toml:0: no [[components]] (expected at least one component)`,
		},
	},
	{
		name: "config problems and content problems together",
		files: map[string]string{
			"config.toml":         strings.Replace(testConfig, `timezone = "UTC"`, `timezone = "Europe/Berln"`, 1),
			inc + "a/incident.md": strings.Replace(okIncident, "sev2", "sev5", 1),
		},
		want: []string{
			`config.toml:3: unknown timezone "Europe/Berln" (`,
			inc + `a/incident.md:3: unknown severity "sev5" (`,
		},
	},
}

func TestLoadProblems(t *testing.T) {
	for _, tc := range problemCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(srcTree(tc.files), Options{Now: testNow})
			checkProblems(t, err, tc.want)
		})
	}
}

func TestLoadNoContent(t *testing.T) {
	// No content/ yet: nothing has happened.
	s := mustLoad(t, nil)
	if len(s.Incidents)+len(s.Maintenances) != 0 {
		t.Errorf("empty source has %d incidents, %d maintenances", len(s.Incidents), len(s.Maintenances))
	}
	fsys := fstest.MapFS{"config.toml": {Data: []byte(testConfig)}}
	if _, err := Load(fsys, Options{Now: testNow}); err != nil {
		t.Errorf("no content folder: %v", err)
	}

	_, err := Load(fstest.MapFS{}, Options{Now: testNow})
	checkProblems(t, err, []string{"config.toml:0: not found (expected config.toml"})
}

// TestLoadManyFiles checks that one run reports every problem in every file,
// sorted by path, then line.
func TestLoadManyFiles(t *testing.T) {
	files := map[string]string{
		"config.toml": strings.Replace(testConfig, `timezone = "UTC"`, `timezone = "Nowhere"`, 1),
		inc + "b/incident.md": `---
title: API errors
severity: sev9
components: [apx]
started: 2026-11-27T14:00:00
---
`,
		inc + "b/u2.md":          updateMD("2026-11-27T14:10:00Z", "fixing"),
		inc + "b/u1.md":          updateMD("2026-11-27T14:10", "investigating"),
		inc + "a/incident.md":    strings.Replace(okIncident, "title:", "titl:", 1),
		mnt + "m/maintenance.md": okMaintenance + "::: internal\n",
		"content/notes.txt":      "x",
	}
	_, err := Load(srcTree(files), Options{Now: testNow})
	want := []string{
		`config.toml:3: unknown timezone "Nowhere"`,
		inc + `a/incident.md:1: incident.md is missing required key "title"`,
		inc + `a/incident.md:2: unknown key "titl" in incident.md (did you mean "title"?`,
		inc + `b/incident.md:3: unknown severity "sev9"`,
		inc + `b/incident.md:4: unknown component "apx"`,
		inc + `b/incident.md:5: started "2026-11-27T14:00:00" has no UTC offset`,
		inc + `b/u1.md:2: at "2026-11-27T14:10" has no UTC offset`,
		inc + `b/u2.md:3: unknown status "fixing"`,
		mnt + `m/maintenance.md:8: audience block is never closed`,
		`content/notes.txt: unexpected file in content/`,
	}
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Load error = %v, want Problems", err)
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(lines), len(want), err)
	}
	// Sorted by path, then line: "content/notes.txt" sorts before
	// "content/incidents/…" only if byte order says so; compute it.
	sortedWant := slices.Clone(want)
	slices.SortStableFunc(sortedWant, func(a, b string) int {
		pa, pb := parseProblemLine(a), parseProblemLine(b)
		if c := strings.Compare(pa.path, pb.path); c != 0 {
			return c
		}
		return pa.line - pb.line
	})
	for i, w := range sortedWant {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("problem %d = %q, want prefix %q", i, lines[i], w)
		}
	}
	if !slices.IsSortedFunc(ps, func(a, b Problem) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return a.Line - b.Line
	}) {
		t.Errorf("problems not sorted by path and line:\n%v", err)
	}
}

func parseProblemLine(s string) wantProblem {
	path, rest, _ := strings.Cut(s, ":")
	n, err := strconv.Atoi(strings.SplitN(rest, ":", 2)[0])
	if err != nil {
		n = 0
	}
	return wantProblem{path: path, line: n}
}

// TestLoadSample loads the shipped sample: it must always build.
func TestLoadSample(t *testing.T) {
	if _, err := os.Stat("../content"); err != nil {
		t.Skip("no sample content")
	}
	if _, err := Load(os.DirFS(".."), Options{Now: testNow}); err != nil {
		t.Fatalf("the shipped sample does not load:\n%v", err)
	}
}

// The corpus of tricky but valid inputs.
var validCases = []struct {
	name  string
	files map[string]string
	check func(t *testing.T, s *Site)
}{
	{
		name: "CRLF line endings",
		files: map[string]string{
			inc + "a/incident.md": strings.ReplaceAll(okIncident, "\n", "\r\n"),
			inc + "a/u1.md": strings.ReplaceAll(`---
at: 2026-11-27T14:10:00Z
status: identified
---
Public.

::: for it-team
Secret.
:::
`, "\n", "\r\n"),
		},
		check: func(t *testing.T, s *Site) {
			in := s.Incidents[0]
			if in.Title != "API errors" || len(in.Updates) != 1 {
				t.Fatalf("title %q, %d updates", in.Title, len(in.Updates))
			}
			b := in.Updates[0].Body
			if got := b.PublicMarkdown(); got != "Public." {
				t.Errorf("public body = %q, want %q", got, "Public.")
			}
			if priv := b.Private(); len(priv) != 1 || strings.TrimSpace(priv[0]) != "Secret." {
				t.Errorf("private = %q", priv)
			}
		},
	},
	{
		name: "UTF-8 byte-order mark, in content and config",
		files: map[string]string{
			"config.toml":         "\ufeff" + strings.ReplaceAll(testConfig, "\n", "\r\n"),
			inc + "a/incident.md": "\ufeff" + okIncident,
			inc + "a/u1.md":       "\ufeff" + strings.ReplaceAll(okUpdate, "\n", "\r\n"),
		},
		check: func(t *testing.T, s *Site) {
			if s.Config.Title != "Test Status" || len(s.Incidents) != 1 || len(s.Incidents[0].Updates) != 1 {
				t.Errorf("config %q, incidents %d", s.Config.Title, len(s.Incidents))
			}
		},
	},
	{
		name: "lenient times: lower-case t and z, a space for T, no seconds, offsets",
		files: map[string]string{
			inc + "a/incident.md": strings.Replace(okIncident, "2026-11-27T14:00:00Z", "2026-11-27t14:00:00z", 1),
			inc + "a/u1.md":       updateMD("2026-11-27 16:10+02:00", "investigating"),
			inc + "a/u2.md":       updateMD("2026-11-27T14:20Z", "identified", "eta: 2026-11-27 09:30:00-05:00"),
			inc + "a/u3.md":       updateMD("2026-11-27 14:30:00.5z", "monitoring"),
		},
		check: func(t *testing.T, s *Site) {
			in := s.Incidents[0]
			wantTimes(t, in.Started, "2026-11-27T14:00:00Z")
			wantTimes(t, in.Updates[0].At, "2026-11-27T14:10:00Z")
			wantTimes(t, in.Updates[1].At, "2026-11-27T14:20:00Z")
			wantTimes(t, in.Updates[1].ETA, "2026-11-27T14:30:00Z")
			wantTimes(t, in.Updates[2].At, "2026-11-27T14:30:00.5Z")
		},
	},
	{
		name: "TOML front matter: native offset date-times and quoted strings",
		files: map[string]string{
			inc + "a/incident.md": `+++
title = "API errors"
severity = "sev3"
components = ["api"]
started = 2026-11-27T14:00:00Z
detected = "2026-11-27T16:05:00+02:00"
public = true
tags = ["db"]

[extra]
jira = "OPS-1"
+++
Body.
`,
			inc + "a/u1.md": `+++
at = 2026-11-27T16:10:00+02:00
status = "identified"
eta = "2026-11-27T15:00:00Z"
impact = { web = "partial_outage" }
+++
`,
		},
		check: func(t *testing.T, s *Site) {
			in := s.Incidents[0]
			wantTimes(t, in.Started, "2026-11-27T14:00:00Z")
			wantTimes(t, in.Detected, "2026-11-27T14:05:00Z")
			u := in.Updates[0]
			wantTimes(t, u.At, "2026-11-27T14:10:00Z")
			wantTimes(t, u.ETA, "2026-11-27T15:00:00Z")
			if u.Components["web"] != PartialOutage || u.Components["api"] != DegradedPerformance {
				t.Errorf("components = %v", u.Components)
			}
			if in.Extra["jira"] != "OPS-1" || !in.Public || !slices.Equal(in.Tags, []string{"db"}) {
				t.Errorf("extra %v, public %v, tags %v", in.Extra, in.Public, in.Tags)
			}
		},
	},
	{
		name: "due as a bare date, YAML and TOML",
		files: map[string]string{
			inc + "a/incident.md": okIncident,
			inc + "a/review.md": `---
published: true
root_cause: |
  A bad
  deploy.
action_items:
  - title: Fix it
    owner: Sam
    status: done
    due: 2026-12-15
  - title: Test it
    status: open
    due: 2026-12-20T17:00:00-05:00
  - title: Document it
---
Body.
`,
			inc + "b/incident.md": okIncident,
			inc + "b/review.md": `+++
published = false

[[action_items]]
title = "Fix it"
status = "open"
due = 2026-12-15

[[action_items]]
title = "Test it"
due = "2026-12-16"
+++
`,
		},
		check: func(t *testing.T, s *Site) {
			for _, in := range s.Incidents {
				r := in.Review
				if r == nil {
					t.Fatalf("%s: no review", in.Slug)
				}
				wantTimes(t, r.ActionItems[0].Due, "2026-12-15T00:00:00Z")
				if in.Slug == "a" {
					if !r.Published || r.RootCause != "A bad deploy." || !r.ActionItems[0].Done || r.ActionItems[1].Done {
						t.Errorf("review a = %+v", r)
					}
					wantTimes(t, r.ActionItems[1].Due, "2026-12-20T22:00:00Z")
					if !r.ActionItems[2].Due.IsZero() {
						t.Errorf("due without due: %v", r.ActionItems[2].Due)
					}
				} else {
					wantTimes(t, r.ActionItems[1].Due, "2026-12-16T00:00:00Z")
				}
			}
		},
	},
	{
		name: "multi-line title folds to one line",
		files: map[string]string{
			inc + "a/incident.md":    strings.Replace(okIncident, "title: API errors", "title: |\n  API errors\n  in   the EU", 1),
			mnt + "m/maintenance.md": strings.Replace(okMaintenance, "title: Database upgrade", "title: \"Database\\nupgrade\"", 1),
		},
		check: func(t *testing.T, s *Site) {
			if got := s.Incidents[0].Title; got != "API errors in the EU" {
				t.Errorf("title = %q", got)
			}
			if got := s.Maintenances[0].Title; got != "Database upgrade" {
				t.Errorf("title = %q", got)
			}
		},
	},
	{
		name: "extra with nested maps",
		files: map[string]string{
			inc + "a/incident.md": strings.Replace(okIncident, "started:", `extra:
  jira: OPS-1
  count: 3
  links:
    runbook: https://runbooks.example.com/db-7
    dashboards: [grafana, kibana]
  anything_goes: {sevrity: not validated}
started:`, 1),
		},
		check: func(t *testing.T, s *Site) {
			x := s.Incidents[0].Extra
			links, ok := x["links"].(map[string]any)
			if !ok || links["runbook"] != "https://runbooks.example.com/db-7" || x["jira"] != "OPS-1" || x["count"] != int64(3) {
				t.Errorf("extra = %#v", x)
			}
			if d, _ := links["dashboards"].([]any); len(d) != 2 {
				t.Errorf("dashboards = %#v", links["dashboards"])
			}
		},
	},
	{
		name: "bundle files are copied as assets",
		files: map[string]string{
			inc + "a/incident.md":      okIncident,
			inc + "a/graph.png":        "png",
			inc + "a/img/before.jpg":   "jpg",
			inc + "a/.DS_Store":        "junk",
			inc + "a/.drafts/notes.md": "not front matter",
			mnt + "m/maintenance.md":   okMaintenance,
			mnt + "m/plan.pdf":         "pdf",
			inc + ".DS_Store":          "junk",
		},
		check: func(t *testing.T, s *Site) {
			want := map[string]string{
				inc + "a/graph.png":      "incidents/a/graph.png",
				inc + "a/img/before.jpg": "incidents/a/img/before.jpg",
				mnt + "m/plan.pdf":       "maintenance/m/plan.pdf",
			}
			if len(s.Assets) != len(want) {
				t.Errorf("assets = %v, want %v", s.Assets, want)
			}
			for k, v := range want {
				if s.Assets[k] != v {
					t.Errorf("asset %s → %q, want %q", k, s.Assets[k], v)
				}
			}
		},
	},
	{
		name: "updates tied in at are ordered by file name, byte order",
		files: map[string]string{
			inc + "a/incident.md": okIncident,
			inc + "a/a.md":        updateMD("2026-11-27T14:10:00Z", "identified"),
			inc + "a/B.md":        updateMD("2026-11-27T16:10:00+02:00", "investigating"),
			inc + "a/0-late.md":   updateMD("2026-11-27T14:20:00Z", "monitoring"),
		},
		check: func(t *testing.T, s *Site) {
			in := s.Incidents[0]
			var got []string
			for _, u := range in.Updates {
				got = append(got, u.Path[len(inc+"a/"):])
			}
			if want := []string{"B.md", "a.md", "0-late.md"}; !slices.Equal(got, want) {
				t.Errorf("order = %v, want %v", got, want)
			}
			if in.Status != "monitoring" {
				t.Errorf("status = %q", in.Status)
			}
		},
	},
	{
		name: "impact naming a component outside components joins Affected; resolved clears all",
		files: map[string]string{
			inc + "a/incident.md": okIncident,
			inc + "a/u1.md":       updateMD("2026-11-27T14:10:00Z", "identified", "impact:", "  db: major_outage"),
			inc + "a/u2.md":       updateMD("2026-11-27T14:20:00Z", "monitoring", "impact: {api: degraded_performance}"),
			inc + "a/u3.md":       updateMD("2026-11-27T14:30:00Z", "resolved"),
		},
		check: func(t *testing.T, s *Site) {
			in := s.Incidents[0]
			if !slices.Equal(in.Affected, []string{"api", "db"}) || !slices.Equal(in.Components, []string{"api"}) {
				t.Errorf("affected %v, components %v", in.Affected, in.Components)
			}
			want := []map[string]Status{
				{"api": PartialOutage, "db": MajorOutage},
				{"api": DegradedPerformance, "db": MajorOutage},
				{"api": Operational, "db": Operational},
			}
			for i, u := range in.Updates {
				if !maps.Equal(u.Components, want[i]) {
					t.Errorf("update %d components = %v, want %v", i+1, u.Components, want[i])
				}
			}
			if in.Active() || in.Status != "resolved" {
				t.Errorf("active %v, status %q", in.Active(), in.Status)
			}
			wantTimes(t, in.Resolved, "2026-11-27T14:30:00Z")
			wantTimes(t, in.Identified, "2026-11-27T14:10:00Z")
			wantTimes(t, in.Monitoring, "2026-11-27T14:20:00Z")
			if got := in.ComponentStatus("db"); got != Operational {
				t.Errorf("db after resolution = %s", got)
			}
		},
	},
	{
		name: "severity re-triage",
		files: map[string]string{
			inc + "a/incident.md": strings.Replace(okIncident, "sev2", "sev3", 1),
			inc + "a/u1.md":       updateMD("2026-11-27T14:10:00Z", "investigating"),
			inc + "a/u2.md":       updateMD("2026-11-27T14:20:00Z", "identified", "severity: sev1", "impact: {web: major_outage}"),
			inc + "a/u3.md":       updateMD("2026-11-27T14:30:00Z", "identified", "severity: sev2"),
			inc + "a/u4.md":       updateMD("2026-11-27T14:40:00Z", "monitoring", "severity: sev2"),
		},
		check: func(t *testing.T, s *Site) {
			in := s.Incidents[0]
			if in.Severity.ID != "sev3" || in.CurrentSeverity.ID != "sev2" || in.MaxSeverity.ID != "sev1" {
				t.Errorf("severity %s, current %s, max %s", in.Severity.ID, in.CurrentSeverity.ID, in.MaxSeverity.ID)
			}
			var sevs []string
			var retriaged []bool
			for _, u := range in.Updates {
				sevs = append(sevs, u.Severity.ID)
				retriaged = append(retriaged, u.Retriaged)
			}
			if want := []string{"sev3", "sev1", "sev2", "sev2"}; !slices.Equal(sevs, want) {
				t.Errorf("severities = %v, want %v", sevs, want)
			}
			if want := []bool{false, true, true, false}; !slices.Equal(retriaged, want) {
				t.Errorf("retriaged = %v, want %v", retriaged, want)
			}
			// Components not named in impact keep their status.
			if got := in.Updates[1].Components["api"]; got != DegradedPerformance {
				t.Errorf("api after re-triage = %s, want degraded_performance", got)
			}
		},
	},
	{
		name: "eta carries over, next_update does not",
		files: map[string]string{
			inc + "a/incident.md":    okIncident,
			inc + "a/u1.md":          updateMD("2026-11-27T14:10:00Z", "identified", "eta: 2026-11-27T16:00:00Z", "next_update: 2026-11-27T14:30:00Z"),
			inc + "a/u2.md":          updateMD("2026-11-27T14:30:00Z", "identified"),
			inc + "a/u3.md":          updateMD("2026-11-27T14:50:00Z", "monitoring", "eta: 2026-11-27T15:30:00Z"),
			mnt + "m/maintenance.md": okMaintenance,
			mnt + "m/u1.md":          updateMD("2026-12-01T10:00:00Z", "in_progress", "eta: 2026-12-01T11:30:00Z", "next_update: 2026-12-01T10:30:00Z"),
			mnt + "m/u2.md":          updateMD("2026-12-01T10:30:00Z", "verifying"),
		},
		check: func(t *testing.T, s *Site) {
			us := s.Incidents[0].Updates
			wantTimes(t, us[0].ETA, "2026-11-27T16:00:00Z")
			wantTimes(t, us[1].ETA, "2026-11-27T16:00:00Z")
			wantTimes(t, us[2].ETA, "2026-11-27T15:30:00Z")
			wantTimes(t, us[0].NextUpdate, "2026-11-27T14:30:00Z")
			if !us[1].NextUpdate.IsZero() || !us[2].NextUpdate.IsZero() {
				t.Errorf("next_update carried over: %v, %v", us[1].NextUpdate, us[2].NextUpdate)
			}
			mu := s.Maintenances[0].Updates
			wantTimes(t, mu[1].ETA, "2026-12-01T11:30:00Z")
			if !mu[1].NextUpdate.IsZero() {
				t.Errorf("maintenance next_update carried over: %v", mu[1].NextUpdate)
			}
		},
	},
	{
		name: "::: inside a code fence is code",
		files: map[string]string{
			inc + "a/incident.md": okIncident,
			inc + "a/u1.md": "---\nat: 2026-11-27T14:10:00Z\nstatus: identified\n---\n" +
				"Write blocks like this:\n\n" +
				"```markdown\n::: for it-team\nsecret\n:::\n```\n\n" +
				"~~~~\n:::\n```\n::: internal\n~~~~\n\n" +
				"::: internal\n```\n:::\n```\n:::\n",
		},
		check: func(t *testing.T, s *Site) {
			b := s.Incidents[0].Updates[0].Body
			pub := b.PublicMarkdown()
			if !strings.Contains(pub, "::: for it-team\nsecret\n:::") || !strings.Contains(pub, "::: internal\n~~~~") {
				t.Errorf("fenced ::: lines should stay public code; public = %q", pub)
			}
			priv := b.Private()
			if len(priv) != 1 || priv[0] != "```\n:::\n```\n" {
				t.Errorf("private = %q, want the fenced block inside ::: internal", priv)
			}
		},
	},
	{
		name: "blocks with several audiences, commas and internal",
		files: map[string]string{
			inc + "a/incident.md": okIncident + "\n::: for executives, it-team\nBoth.\n:::\n  ::: internal\nAll.\n   :::\nEnd.\n",
		},
		check: func(t *testing.T, s *Site) {
			segs := s.Incidents[0].Summary.Segments
			if len(segs) != 4 {
				t.Fatalf("segments = %+v", segs)
			}
			if !slices.Equal(segs[1].Audiences, []string{"executives", "it-team"}) || segs[1].Line != 10 {
				t.Errorf("segment 1 = %+v", segs[1])
			}
			if !segs[2].Internal || segs[2].Line != 13 || !segs[3].Public() {
				t.Errorf("segments 2, 3 = %+v, %+v", segs[2], segs[3])
			}
		},
	},
	{
		name: "YAML front matter closed by ..., and an empty front matter body",
		files: map[string]string{
			inc + "a/incident.md": strings.Replace(okIncident, "Z\n---\n", "Z\n...\n", 1),
			inc + "a/review.md":   "---\n---\n",
		},
		check: func(t *testing.T, s *Site) {
			in := s.Incidents[0]
			if in.Title != "API errors" || in.Review == nil || in.Review.Published {
				t.Errorf("incident %+v", in)
			}
		},
	},
	{
		name: "file of exactly 1 MiB",
		files: map[string]string{
			inc + "a/incident.md": okIncident + strings.Repeat("x", maxFileSize-len(okIncident)),
		},
		check: func(t *testing.T, s *Site) {
			if len(s.Incidents) != 1 {
				t.Errorf("incidents = %d", len(s.Incidents))
			}
		},
	},
	{
		name: "incident without updates",
		files: map[string]string{
			inc + "a/incident.md": okIncident,
		},
		check: func(t *testing.T, s *Site) {
			in := s.Incidents[0]
			if in.Status != "investigating" || !in.Active() || in.CurrentSeverity.ID != "sev2" || !slices.Equal(in.Affected, []string{"api"}) {
				t.Errorf("incident = %+v", in)
			}
		},
	},
	{
		name: "maintenance with TOML front matter and an update",
		files: map[string]string{
			mnt + "m/maintenance.md": `+++
title = "DB upgrade"
components = ["db", "api"]
scheduled_start = 2026-12-01T10:00:00+01:00
scheduled_end = "2026-12-01 11:00z"
audiences = ["it-team"]
+++
`,
			mnt + "m/u1.md": "+++\nat = 2026-12-01T09:00:00Z\nstatus = \"in_progress\"\n+++\n",
		},
		check: func(t *testing.T, s *Site) {
			m := s.Maintenances[0]
			wantTimes(t, m.Start, "2026-12-01T09:00:00Z")
			wantTimes(t, m.End, "2026-12-01T11:00:00Z")
			if !slices.Equal(m.Components, []string{"db", "api"}) || len(m.Updates) != 1 || m.State(testNow) != "in_progress" {
				t.Errorf("maintenance = %+v", m)
			}
		},
	},
	{
		name: "incidents newest first, maintenance latest window first",
		files: map[string]string{
			inc + "old/incident.md":      strings.Replace(okIncident, "2026-11-27", "2026-10-01", 1),
			inc + "new/incident.md":      okIncident,
			inc + "same/incident.md":     okIncident,
			mnt + "early/maintenance.md": okMaintenance,
			mnt + "late/maintenance.md":  strings.ReplaceAll(okMaintenance, "2026-12-01", "2026-12-05"),
		},
		check: func(t *testing.T, s *Site) {
			var got []string
			for _, in := range s.Incidents {
				got = append(got, in.Slug)
			}
			for _, m := range s.Maintenances {
				got = append(got, m.Slug)
			}
			if want := []string{"new", "same", "old", "late", "early"}; !slices.Equal(got, want) {
				t.Errorf("order = %v, want %v", got, want)
			}
		},
	},
}

func TestAudienceSummaryConfig(t *testing.T) {
	src := strings.Replace(testConfig, `channels = ["email", "call"]`, `channels = ["email", "call"]`+"\nsummary = \"weekly\"", 1)
	src = strings.Replace(src, `channels = ["slack"]`, `channels = ["slack"]`+"\nsummary = \"monthly\"", 1)
	cfg, err := LoadConfig(srcTree(map[string]string{"config.toml": src}))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"executives": "weekly", "it-team": "monthly", "end-users": "", "customers": ""}
	for id, w := range want {
		if got := cfg.Audience(id).Summary; got != w {
			t.Errorf("audience %s: Summary = %q, want %q", id, got, w)
		}
	}
}

func TestLoadValid(t *testing.T) {
	for _, tc := range validCases {
		t.Run(tc.name, func(t *testing.T) {
			tc.check(t, mustLoad(t, tc.files))
		})
	}
}

func wantTimes(t testing.TB, got time.Time, want string) {
	t.Helper()
	w, err := time.Parse(time.RFC3339Nano, want)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(w) {
		t.Errorf("time = %s, want %s", got.Format(time.RFC3339Nano), want)
	}
}
