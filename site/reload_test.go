package site

import (
	"bytes"
	"github.com/heraldstatus/herald/themes"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// copyTree copies the shipped sample into a temp folder.
func copySample(tb testing.TB) string {
	tb.Helper()
	dir := tb.TempDir()
	for _, top := range []string{"config.toml", "content"} {
		err := filepath.WalkDir(filepath.Join("..", top), func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel("..", p)
			dst := filepath.Join(dir, rel)
			if d.IsDir() {
				return os.MkdirAll(dst, 0o755)
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(dst, b, 0o644)
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

func writeFile(tb testing.TB, dir, rel, text string) {
	tb.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		tb.Fatal(err)
	}
}

// TestReloadMatchesLoad: a reload of the changed bundles renders exactly
// what a full build of the new content gives.
func TestReloadMatchesLoad(t *testing.T) {
	dir := copySample(t)
	fsys := os.DirFS(dir)
	s0, _, _ := build(t, fsys, sampleNow)

	const active = "content/incidents/2026-11-27-card-authorization-timeouts/"
	// An edited update, a new incident, a removed maintenance, a renamed
	// update file, an incident made internal.
	b, err := os.ReadFile(filepath.Join(dir, active, "2026-11-28T0140Z.md"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, active+"2026-11-28T0140Z.md", strings.Replace(string(b), "All affected merchants", "Every affected merchant, edited,", 1))
	writeFile(t, dir, "content/incidents/2026-10-05-new-one/incident.md", "---\ntitle: A new one\nseverity: sev3\ncomponents: [payouts]\nstarted: 2026-10-05T10:00:00Z\n---\n")
	writeFile(t, dir, "content/incidents/2026-10-05-new-one/u.md", "---\nat: 2026-10-05T10:05:00Z\nstatus: resolved\n---\nFixed the payout file format.\n")
	if err := os.RemoveAll(filepath.Join(dir, "content/maintenance/2026-10-24-payouts-database-upgrade")); err != nil {
		t.Fatal(err)
	}
	sso := "content/incidents/2026-08-06-sso-sign-in-failures/"
	entries, _ := os.ReadDir(filepath.Join(dir, sso))
	var renamed []string
	for _, e := range entries {
		if e.Name() != "incident.md" && strings.HasSuffix(e.Name(), ".md") {
			if err := os.Rename(filepath.Join(dir, sso, e.Name()), filepath.Join(dir, sso, "x-"+e.Name())); err != nil {
				t.Fatal(err)
			}
			renamed = append(renamed, sso+e.Name(), sso+"x-"+e.Name())
			break
		}
	}
	inc, _ := os.ReadFile(filepath.Join(dir, "content/incidents/2026-09-17-webhook-delivery-delays/incident.md"))
	writeFile(t, dir, "content/incidents/2026-09-17-webhook-delivery-delays/incident.md", strings.Replace(string(inc), "---\n", "---\npublic: false\n", 1))

	changed := append([]string{
		active + "2026-11-28T0140Z.md",
		"content/incidents/2026-10-05-new-one/incident.md",
		"content/incidents/2026-10-05-new-one/u.md",
		"content/maintenance/2026-10-24-payouts-database-upgrade/maintenance.md",
		"content/incidents/2026-09-17-webhook-delivery-delays/incident.md",
	}, renamed...)
	s1, err := Reload(s0, fsys, changed, Options{Now: sampleNow})
	if err != nil {
		t.Fatalf("Reload: %v", err)
	}
	gotPub, gotDig := &memOutput{}, &memOutput{}
	if err := Render(s1, themes.Default, gotPub, gotDig); err != nil {
		t.Fatal(err)
	}
	_, wantPub, wantDig := build(t, fsys, sampleNow)
	compareTrees(t, "public", gotPub.files, wantPub.files)
	compareTrees(t, "digests", gotDig.files, wantDig.files)

	// serve's pages, rendered on demand, are the same files.
	tmpl, err := LoadTemplates(themes.Default, s1.Config)
	if err != nil {
		t.Fatal(err)
	}
	pages := NewPages(s1, tmpl)
	onDemand := map[string][]byte{}
	for _, name := range pages.Names() {
		b, ok, err := pages.File(name)
		if !ok || err != nil {
			t.Fatalf("pages.File(%q): ok %v, err %v", name, ok, err)
		}
		onDemand[name] = b
	}
	compareTrees(t, "pages", onDemand, wantPub.files)
	if _, ok, _ := pages.File("incidents/no-such-incident/index.html"); ok {
		t.Error("pages.File of a missing incident: ok, want not found")
	}
}

func compareTrees(t *testing.T, name string, got, want map[string][]byte) {
	t.Helper()
	for _, k := range slices.Sorted(maps.Keys(want)) {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s/%s: missing after reload", name, k)
			continue
		}
		if !bytes.Equal(g, want[k]) {
			t.Errorf("%s/%s differs after reload:\n%s", name, k, firstDiff(string(want[k]), string(g)))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s/%s: left behind after reload", name, k)
		}
	}
}

func TestReloadConfigIsFull(t *testing.T) {
	dir := copySample(t)
	s0, err := Load(os.DirFS(dir), Options{Now: sampleNow})
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := os.ReadFile(filepath.Join(dir, "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "config.toml", strings.Replace(string(cfg), `title = "`, `title = "Renamed `, 1))
	s1, err := Reload(s0, os.DirFS(dir), []string{"config.toml"}, Options{Now: sampleNow})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s1.Config.Title, "Renamed ") || s1.Incidents[0] == s0.Incidents[0] {
		t.Fatalf("config change: title %q, incidents shared %v; want everything loaded anew", s1.Config.Title, s1.Incidents[0] == s0.Incidents[0])
	}
}

func TestReloadBrokenBundle(t *testing.T) {
	dir := copySample(t)
	s0, err := Load(os.DirFS(dir), Options{Now: sampleNow})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "content/incidents/2026-11-19-dashboard-search-slow/zz.md", "---\nat: 2026-11-19T10:00:00Z\nstatus: fixd\n---\n")
	_, err = Reload(s0, os.DirFS(dir), []string{"content/incidents/2026-11-19-dashboard-search-slow/zz.md"}, Options{Now: sampleNow})
	if err == nil || !strings.Contains(err.Error(), `zz.md:3: unknown status "fixd"`) {
		t.Fatalf("err = %v, want the broken file's problem", err)
	}
}
