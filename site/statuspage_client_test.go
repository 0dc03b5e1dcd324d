package site

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"
	"time"
)

// TestStatuspageClient serves a built site over HTTP and reads it with a
// real third-party Statuspage client, the npm package statuspage.io pinned
// in .ci/node (scripts/test installs it and sets HERALD_NODE_DIR): what the
// client gets must be what the model, and so the HTML, says.
func TestStatuspageClient(t *testing.T) {
	script := nodeScript(t, "statuspage-client.js", "statuspage.io")
	for _, fx := range fixtures() {
		t.Run(fx.name, func(t *testing.T) {
			s, pub, _ := build(t, fx.fsys, sampleNow)
			srv := httptest.NewServer(http.FileServerFS(mapFS(pub.files)))
			t.Cleanup(srv.Close)

			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "node", script, srv.URL)
			// The client honours proxy variables; the server is local.
			cmd.Env = append(os.Environ(), "NO_PROXY=127.0.0.1,localhost", "no_proxy=127.0.0.1,localhost")
			out, err := cmd.Output()
			if err != nil {
				var stderr []byte
				if ee, ok := err.(*exec.ExitError); ok {
					stderr = ee.Stderr
				}
				t.Fatalf("node %s %s: %v\n%s", script, srv.URL, err, stderr)
			}
			var got struct {
				Page       apiPage   `json:"page"`
				Status     apiStatus `json:"status"`
				Components []struct {
					ID, Name, Status string
					Group            bool
				} `json:"components"`
				Summary struct {
					Status     apiStatus `json:"status"`
					Incidents  []clientIncident
					Components []struct{ ID, Status string }
				} `json:"summary"`
				Unresolved []clientIncident `json:"unresolved"`
				Incidents  []clientIncident `json:"incidents"`
				Upcoming   []struct {
					ID           string `json:"id"`
					ScheduledFor string `json:"scheduled_for"`
				} `json:"upcoming"`
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("decoding the client's answer: %v\n%s", err, out)
			}

			v := s.PublicView()
			if got.Page.Name != cleanText(s.Config.Title) || got.Page.TimeZone != s.Config.Timezone {
				t.Errorf("page = %+v", got.Page)
			}
			ind := v.Indicator(s.Config, s.Now)
			want := apiStatus{Indicator: string(ind.Impact), Description: ind.Description}
			if got.Status != want || got.Summary.Status != want {
				t.Errorf("status = %+v, summary status = %+v, want %+v", got.Status, got.Summary.Status, want)
			}

			statuses := map[string]string{}
			for _, c := range got.Components {
				if !c.Group {
					statuses[c.ID] = c.Status
				}
			}
			summary := map[string]string{}
			for _, c := range got.Summary.Components {
				summary[c.ID] = c.Status
			}
			for _, c := range s.Config.Components {
				id, want := apiID("component", c.ID), string(v.ComponentStatus(c.ID, s.Now))
				if statuses[id] != want || summary[id] != want {
					t.Errorf("component %s: client sees %q (summary %q), the page shows %q", c.ID, statuses[id], summary[id], want)
				}
			}
			if len(statuses) != len(s.Config.Components) {
				t.Errorf("client sees %d components, want %d", len(statuses), len(s.Config.Components))
			}

			var unresolved, recent []clientIncident
			for i, in := range v.Incidents {
				ci := clientIncident{ID: apiID("incident", in.Slug), Name: cleanText(in.Title), Status: in.Status, Impact: string(in.CurrentSeverity.Impact), Updates: len(in.Updates)}
				if in.Active() {
					unresolved = append(unresolved, ci)
				}
				if i < apiIncidentLimit {
					if ci.Status == "resolved" && in.Review != nil && in.Review.Published {
						ci.Status = "postmortem"
					}
					recent = append(recent, ci)
				}
			}
			if !slices.Equal(got.Unresolved, unresolved) || !slices.Equal(got.Summary.Incidents, unresolved) {
				t.Errorf("unresolved incidents:\n client:  %+v\n summary: %+v\n want:    %+v", got.Unresolved, got.Summary.Incidents, unresolved)
			}
			if !slices.Equal(got.Incidents, recent) {
				t.Errorf("incidents:\n client: %+v\n want:   %+v", got.Incidents, recent)
			}
			var upcoming []string
			for i := len(v.Maintenances) - 1; i >= 0; i-- {
				if v.Maintenances[i].Upcoming(s.Now) {
					upcoming = append(upcoming, apiID("maintenance", v.Maintenances[i].Slug))
				}
			}
			var gotUpcoming []string
			for _, m := range got.Upcoming {
				gotUpcoming = append(gotUpcoming, m.ID)
			}
			if !slices.Equal(gotUpcoming, upcoming) {
				t.Errorf("upcoming maintenance: client %v, want %v", gotUpcoming, upcoming)
			}
		})
	}
}

type clientIncident struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Status  string `json:"status"`
	Impact  string `json:"impact"`
	Updates int    `json:"updates"`
}

// mapFS serves rendered files the way a static host serves public/.
func mapFS(files map[string][]byte) fstest.MapFS {
	m := fstest.MapFS{}
	for name, b := range files {
		m[name] = &fstest.MapFile{Data: b, Mode: 0o644}
	}
	return m
}

// nodeScript returns the path of a script in .ci/node whose npm package
// pkg is installed there, or skips the test with a loud reason when node or
// the package is missing (and fails it with CI=true).
func nodeScript(t testing.TB, script, pkg string) string {
	t.Helper()
	dir := os.Getenv("HERALD_NODE_DIR")
	if dir == "" {
		dir = filepath.FromSlash("../.ci/node") // relative to this package
	}
	if _, err := exec.LookPath("node"); err != nil {
		needTool(t, "no node on PATH (run scripts/test, which installs it): %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", pkg, "package.json")); err != nil {
		needTool(t, "npm package %s is not installed in %s (run scripts/test, which runs npm ci there): %v", pkg, dir, err)
	}
	p, err := filepath.Abs(filepath.Join(dir, script))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// needTool skips the test, or fails it when CI=true: CI must run every test.
func needTool(t testing.TB, format string, args ...any) {
	t.Helper()
	reason := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatal(reason)
	}
	t.Skip("SKIPPING: " + reason)
}
