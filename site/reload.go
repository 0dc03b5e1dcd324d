package site

import (
	"io/fs"
	"maps"
	"path"
	"strings"
)

// Reload brings prev up to date after the files at changed paths (slash
// paths relative to the source folder) were written, created, renamed or
// deleted. It reads again only the bundles those paths fall in, shares
// everything else with prev (a Site is never mutated). A change to
// config.toml, or anything outside the bundles, loads everything anew.
//
// On problems it returns them and prev stays the last good site.
func Reload(prev *Site, fsys fs.FS, changed []string, opts Options) (*Site, error) {
	type key struct{ kind, slug string }
	bundles := map[key]bool{}
	full := prev == nil
	for _, p := range changed {
		parts := strings.Split(path.Clean(p), "/")
		if len(parts) < 3 || parts[0] != "content" || (parts[1] != "incidents" && parts[1] != "maintenance") {
			full = true
			break
		}
		if strings.HasPrefix(parts[2], ".") {
			continue // editors' swap and backup files
		}
		bundles[key{parts[1], parts[2]}] = true
	}
	if full {
		return Load(fsys, opts)
	}

	s := &Site{Config: prev.Config, Now: opts.Now, src: fsys, Assets: maps.Clone(prev.Assets)}
	var ps problems
	l := &loader{fsys: fsys, cfg: prev.Config, audIDs: prev.Config.audienceIDs()}

	taken := map[string]string{} // slug → kind, for slugs outside the change
	for _, in := range prev.Incidents {
		if bundles[key{"incidents", in.Slug}] {
			continue
		}
		taken[in.Slug] = "incidents"
		s.Incidents = append(s.Incidents, in)
	}
	for _, m := range prev.Maintenances {
		if bundles[key{"maintenance", m.Slug}] {
			continue
		}
		taken[m.Slug] = "maintenance"
		s.Maintenances = append(s.Maintenances, m)
	}
	for b := range bundles {
		dir := "content/" + b.kind + "/" + b.slug
		for src := range s.Assets {
			if strings.HasPrefix(src, dir+"/") {
				delete(s.Assets, src)
			}
		}
		if st, err := fs.Stat(fsys, dir); err != nil || !st.IsDir() {
			continue // removed
		}
		if !idRE.MatchString(b.slug) {
			ps.add(dir, 0, "malformed slug %q (expected lower-case letters, digits and dashes, starting with a letter or digit)", b.slug)
			continue
		}
		if other, ok := taken[b.slug]; ok && other != b.kind {
			ps.add(dir, 0, "slug %q is already used by content/%s/%s (expected slugs unique across incidents and maintenance)", b.slug, other, b.slug)
			continue
		}
		assets := map[string]string{}
		if b.kind == "incidents" {
			if in := l.incident(b.slug, dir, assets, &ps); in != nil {
				s.Incidents = append(s.Incidents, in)
			}
		} else if m := l.maintenance(b.slug, dir, assets, &ps); m != nil {
			s.Maintenances = append(s.Maintenances, m)
		}
		maps.Copy(s.Assets, assets)
	}
	if err := ps.err(); err != nil {
		return nil, err
	}
	s.sort()
	return s, nil
}
