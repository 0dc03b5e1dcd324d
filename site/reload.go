package site

import (
	"io/fs"
	"maps"
	"path"
	"strings"
	"time"
)

// Reload brings prev up to date after the files at changed paths (slash
// paths relative to the source folder) were written, created, renamed or
// deleted. It reads again only the bundles those paths fall in, shares
// everything else with prev (a Site is never mutated), and returns the
// Scope a render needs. A change to config.toml, or anything outside the
// bundles, loads everything anew and returns the zero (full) Scope.
//
// On problems it returns them and prev stays the last good site.
func Reload(prev *Site, fsys fs.FS, changed []string, opts Options) (*Site, Scope, error) {
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
		s, err := Load(fsys, opts)
		return s, Scope{}, err
	}

	s := &Site{Config: prev.Config, Now: opts.Now, src: fsys, Assets: maps.Clone(prev.Assets)}
	scope := Scope{Partial: true, Incidents: map[string]bool{}, Maintenances: map[string]bool{}, Components: map[string]bool{}, Months: map[string]bool{}}
	month := func(t time.Time) string { return t.In(prev.Config.Location).Format("2006-01") }
	var ps problems
	l := &loader{fsys: fsys, cfg: prev.Config, audIDs: prev.Config.audienceIDs(), keep: opts.KeepRendered}

	taken := map[string]string{} // slug → kind, for slugs outside the change
	for _, in := range prev.Incidents {
		if bundles[key{"incidents", in.Slug}] {
			scope.Incidents[in.Slug] = true
			scope.Months[month(in.Started)] = true
			for _, c := range in.Affected {
				scope.Components[c] = true
			}
			continue
		}
		taken[in.Slug] = "incidents"
		s.Incidents = append(s.Incidents, in)
	}
	for _, m := range prev.Maintenances {
		if bundles[key{"maintenance", m.Slug}] {
			scope.Maintenances[m.Slug] = true
			scope.Months[month(m.Start)] = true
			for _, c := range m.Components {
				scope.Components[c] = true
			}
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
			scope.Incidents[b.slug] = true
			if in := l.incident(b.slug, dir, assets, &ps); in != nil {
				s.Incidents = append(s.Incidents, in)
				scope.Months[month(in.Started)] = true
				for _, c := range in.Affected {
					scope.Components[c] = true
				}
			}
		} else {
			scope.Maintenances[b.slug] = true
			if m := l.maintenance(b.slug, dir, assets, &ps); m != nil {
				s.Maintenances = append(s.Maintenances, m)
				scope.Months[month(m.Start)] = true
				for _, c := range m.Components {
					scope.Components[c] = true
				}
			}
		}
		maps.Copy(s.Assets, assets)
	}
	if err := ps.err(); err != nil {
		return nil, Scope{}, err
	}
	s.sort()
	return s, scope, nil
}

// Owns reports whether an output file, name in public/ (digest false) or
// digests/ (digest true), is one the scope renders anew: a caller merging a
// partial render removes such files first, so that deleted incidents and
// emptied months leave nothing behind.
func (sc Scope) Owns(name string, digest bool) bool {
	if !sc.Partial {
		return true
	}
	if digest {
		base := path.Base(name)
		slug := strings.TrimSuffix(strings.TrimSuffix(base, ".html"), ".txt")
		return strings.Contains(name, "/") && (sc.Incidents[slug] || sc.Maintenances[slug])
	}
	parts := strings.SplitN(name, "/", 3)
	if len(parts) < 3 {
		return false
	}
	switch parts[0] {
	case "incidents":
		return sc.Incidents[parts[1]]
	case "maintenance":
		return sc.Maintenances[parts[1]]
	case "components":
		return sc.Components[parts[1]] && parts[2] == "index.html"
	case "history":
		return sc.Months[parts[1]]
	}
	return false
}
