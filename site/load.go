package site

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Options tune Load.
type Options struct {
	// Now decides what is active, upcoming or overdue. Nothing else in the
	// output depends on it.
	Now time.Time
}

var (
	incidentKeys    = []string{"title", "severity", "components", "started", "detected", "acknowledged", "commander", "responders", "tags", "audiences", "public", "extra"}
	incidentReq     = []string{"title", "severity", "components", "started"}
	updateKeys      = []string{"at", "status", "impact", "eta", "next_update", "severity"}
	updateReq       = []string{"at", "status"}
	maintenanceKeys = []string{"title", "components", "scheduled_start", "scheduled_end", "audiences"}
	reviewKeys      = []string{"published", "root_cause", "action_items"}
	actionItemKeys  = []string{"title", "owner", "status", "due"}
)

// Load reads config.toml and content/ from fsys, validates everything and
// returns the site. When anything is wrong it returns Problems listing every
// problem in every file.
func Load(fsys fs.FS, opts Options) (*Site, error) {
	var ps problems
	cfg := loadConfig(fsys, &ps)
	if cfg == nil {
		return nil, ps.err()
	}
	s := &Site{Config: cfg, Now: opts.Now, Assets: map[string]string{}, src: fsys}
	l := &loader{fsys: fsys, cfg: cfg, audIDs: cfg.audienceIDs()}

	type bundle struct{ kind, slug, dir string }
	var bundles []bundle
	entries, err := fs.ReadDir(fsys, "content")
	if err != nil && !errors.Is(err, fs.ErrNotExist) { // no content/ yet: nothing has happened
		ps.add("content", 0, "cannot read: %v", err)
		return nil, ps.err()
	}
	slugOwner := map[string]string{}
	for _, e := range entries {
		name := e.Name()
		p := "content/" + name
		if strings.HasPrefix(name, ".") {
			continue
		}
		if !e.IsDir() || (name != "incidents" && name != "maintenance") {
			ps.add(p, 0, "unexpected %s in content/ (expected only the folders incidents/ and maintenance/%s)", kindWord(e), didYouMean(name, []string{"incidents", "maintenance"}))
			continue
		}
		kids, err := fs.ReadDir(fsys, p)
		if err != nil {
			ps.add(p, 0, "cannot read: %v", err)
			continue
		}
		for _, k := range kids {
			kp := p + "/" + k.Name()
			if strings.HasPrefix(k.Name(), ".") {
				continue
			}
			if !k.IsDir() {
				ps.add(kp, 0, "stray file (expected a folder per %s: %s/<slug>/%s)", strings.TrimSuffix(name, "s"), p, mainFile(name))
				continue
			}
			if !idRE.MatchString(k.Name()) {
				ps.add(kp, 0, "malformed slug %q (expected lower-case letters, digits and dashes, starting with a letter or digit)", k.Name())
				continue
			}
			if other, dup := slugOwner[k.Name()]; dup {
				ps.add(kp, 0, "slug %q is already used by %s (expected slugs unique across incidents and maintenance)", k.Name(), other)
				continue
			}
			slugOwner[k.Name()] = kp
			bundles = append(bundles, bundle{kind: name, slug: k.Name(), dir: kp})
		}
	}

	// Bundles are independent: read them in parallel.
	type result struct {
		in     *Incident
		m      *Maintenance
		assets map[string]string
		ps     problems
	}
	results := make([]result, len(bundles))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				r := &results[i]
				b := bundles[i]
				r.assets = map[string]string{}
				if b.kind == "incidents" {
					r.in = l.incident(b.slug, b.dir, r.assets, &r.ps)
				} else {
					r.m = l.maintenance(b.slug, b.dir, r.assets, &r.ps)
				}
			}
		})
	}
	for i := range bundles {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, r := range results {
		ps.list = append(ps.list, r.ps.list...)
		if r.in != nil {
			s.Incidents = append(s.Incidents, r.in)
		}
		if r.m != nil {
			s.Maintenances = append(s.Maintenances, r.m)
		}
		for k, v := range r.assets {
			s.Assets[k] = v
		}
	}
	if err := ps.err(); err != nil {
		return nil, err
	}
	s.sort()
	return s, nil
}

// LoadIncident reads one incident, content/incidents/<slug>/, on its own:
// for tools that work on one incident while another file may be broken.
func LoadIncident(fsys fs.FS, cfg *Config, slug string) (*Incident, error) {
	var ps problems
	l := &loader{fsys: fsys, cfg: cfg, audIDs: cfg.audienceIDs()}
	dir := "content/incidents/" + slug
	if st, err := fs.Stat(fsys, dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("no incident %q (expected a folder %s/)", slug, dir)
	}
	in := l.incident(slug, dir, map[string]string{}, &ps)
	if err := ps.err(); err != nil {
		return nil, err
	}
	return in, nil
}

// sort orders incidents newest first and maintenance latest window first.
func (s *Site) sort() {
	slices.SortStableFunc(s.Incidents, func(a, b *Incident) int {
		if c := b.Started.Compare(a.Started); c != 0 {
			return c
		}
		return strings.Compare(a.Slug, b.Slug)
	})
	slices.SortStableFunc(s.Maintenances, func(a, b *Maintenance) int {
		if c := b.Start.Compare(a.Start); c != 0 {
			return c
		}
		return strings.Compare(a.Slug, b.Slug)
	})
}

func kindWord(e fs.DirEntry) string {
	if e.IsDir() {
		return "folder"
	}
	return "file"
}

func didYouMean(got string, known []string) string {
	if n := nearest(got, known); n != "" {
		return fmt.Sprintf("; did you mean %s/?", n)
	}
	return ""
}

func mainFile(kind string) string {
	if kind == "incidents" {
		return "incident.md"
	}
	return "maintenance.md"
}

type loader struct {
	fsys   fs.FS
	cfg    *Config
	audIDs []string
}

// read reads one content file, refusing files over maxFileSize.
func (l *loader) read(p string, ps *problems) *doc {
	buf := readBufs.Get().(*[]byte)
	defer readBufs.Put(buf)
	src, size, err := l.readFile(p, buf)
	if err != nil {
		ps.add(p, 0, "cannot read: %v", err)
		return nil
	}
	if size > maxFileSize {
		ps.add(p, 0, "file is %d bytes (expected at most 1 MiB; move large material elsewhere and link to it)", size)
		return nil
	}
	d := parseDoc(p, src, ps)
	if d != nil {
		d.sum = sha256.Sum256(src)
	}
	return d
}

// readFile reads p into *buf, or only gives its size when that is over
// maxFileSize.
func (l *loader) readFile(p string, buf *[]byte) ([]byte, int64, error) {
	if r, ok := l.fsys.(smallReader); ok {
		if src, size, handled, err := r.readSmall(p, buf, maxFileSize); handled {
			return src, size, err
		}
	}
	f, err := l.fsys.Open(p)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	if st.Size() > maxFileSize {
		return nil, st.Size(), nil
	}
	if int64(cap(*buf)) < st.Size() {
		*buf = make([]byte, st.Size())
	}
	src := (*buf)[:st.Size()]
	n, err := readFull(f, src)
	if err != nil {
		return nil, 0, err
	}
	return src[:n], st.Size(), nil
}

// readBufs holds read's buffers: parseDoc copies what it keeps of a file.
var readBufs = sync.Pool{New: func() any { return new([]byte) }}

func readFull(f fs.File, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := f.Read(buf[n:])
		n += m
		if err != nil {
			if errors.Is(err, io.EOF) {
				return n, nil
			}
			return n, err
		}
	}
	return n, nil
}

// bundleFiles lists a bundle: its Markdown files and everything else.
func (l *loader) bundleFiles(dir string, assets map[string]string, ps *problems) (md []string) {
	// Subfolders hold assets only.
	walk := func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			ps.add(p, 0, "cannot read: %v", err)
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if strings.HasSuffix(d.Name(), ".md") {
			// Never copied as an asset: it could carry audience blocks.
			ps.add(p, 0, "Markdown file in a subfolder of a bundle (expected updates directly in %s/)", dir)
			return nil
		}
		assets[p] = strings.TrimPrefix(p, "content/")
		return nil
	}
	entries, err := fs.ReadDir(l.fsys, dir)
	if err != nil {
		ps.add(dir, 0, "cannot read: %v", err)
	}
	for _, e := range entries {
		name := e.Name()
		p := dir + "/" + name
		switch {
		case strings.HasPrefix(name, "."):
		case e.IsDir():
			fs.WalkDir(l.fsys, p, walk)
		case strings.HasSuffix(name, ".md"):
			md = append(md, name)
		default:
			assets[p] = strings.TrimPrefix(p, "content/")
		}
	}
	sort.Strings(md)
	return md
}

func (l *loader) incident(slug, dir string, assets map[string]string, ps *problems) *Incident {
	files := l.bundleFiles(dir, assets, ps)
	if !contains(files, "incident.md") {
		ps.add(dir, 0, "incident folder has no incident.md (expected %s/incident.md with title, severity, components, started)", dir)
		return nil
	}
	in := &Incident{Slug: slug, Path: dir + "/incident.md", Public: true}
	before := len(ps.list)
	d := l.read(in.Path, ps)
	if d == nil {
		return nil
	}
	sum := newSourceSum(d)
	f := fields{d, ps}
	m := d.meta
	f.checkKeys("incident.md", m, incidentKeys, incidentReq)
	for _, k := range m.keys {
		n := m.vals[k]
		switch k {
		case "title":
			in.Title, _ = f.str(k, n)
			if in.Title == "" {
				f.bad(n, "title is empty (expected one line saying what is wrong)")
			}
		case "severity":
			in.Severity = l.severity(f, n)
		case "components":
			in.Components = l.components(f, k, n)
		case "started":
			in.Started, _ = f.time(k, n)
		case "detected":
			in.Detected, _ = f.time(k, n)
		case "acknowledged":
			in.Acknowledged, _ = f.time(k, n)
		case "commander":
			in.Commander, _ = f.str(k, n)
		case "responders":
			in.Responders, _ = f.strs(k, n)
		case "tags":
			in.Tags, _ = f.strs(k, n)
		case "audiences":
			in.Audiences = l.audiences(f, k, n)
		case "public":
			in.Public, _ = f.boolean(k, n)
		case "extra":
			if x, ok := n.plain().(map[string]any); ok {
				in.Extra = x
			} else if n.kind != kindNull {
				f.bad(n, "extra must be a map (expected extra: followed by indented key: value lines)")
			}
		}
	}
	in.Summary = parseBody(d.path, d.body, d.bodyLine, l.audIDs, ps)

	for _, name := range files {
		p := dir + "/" + name
		switch name {
		case "incident.md":
			continue
		case "review.md":
			in.Review = l.review(p, ps, sum)
			continue
		}
		if u := l.update(p, IncidentStatuses, ps, sum); u != nil {
			in.Updates = append(in.Updates, u)
		}
	}
	if len(ps.list) > before {
		return nil
	}
	in.sum = sum.key()
	l.derive(in, ps)
	return in
}

func (l *loader) severity(f fields, n *node) *Severity {
	id, ok := f.str("severity", n)
	if !ok {
		return nil
	}
	s := l.cfg.Severity(id)
	if s == nil {
		f.bad(n, "unknown severity %q (%s)", id, suggest(id, l.cfg.severityIDs()))
	}
	return s
}

func (l *loader) components(f fields, key string, n *node) []string {
	ids, ok := f.strs(key, n)
	if !ok {
		return nil
	}
	if len(ids) == 0 {
		f.bad(n, "%s is empty (expected at least one component id: %s)", key, oneOf(l.cfg.componentIDs()))
	}
	var out []string
	for _, id := range ids {
		if l.cfg.Component(id) == nil {
			f.bad(n, "unknown component %q (%s)", id, suggest(id, l.cfg.componentIDs()))
			continue
		}
		if !contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func (l *loader) audiences(f fields, key string, n *node) []string {
	ids, ok := f.strs(key, n)
	if !ok {
		return nil
	}
	for _, id := range ids {
		if l.cfg.Audience(id) == nil {
			f.bad(n, "unknown audience %q (%s)", id, suggest(id, l.audIDs))
		}
	}
	return ids
}

func (l *loader) update(p string, statuses []string, ps *problems, sum *sourceSum) *Update {
	d := l.read(p, ps)
	if d == nil {
		return nil
	}
	sum.add(d)
	f := fields{d, ps}
	m := d.meta
	u := &Update{Path: p}
	f.checkKeys("an update", m, updateKeys, updateReq)
	for _, k := range m.keys {
		n := m.vals[k]
		switch k {
		case "at":
			u.At, _ = f.time(k, n)
		case "status":
			u.Status, _ = f.str(k, n)
			if !contains(statuses, u.Status) {
				f.bad(n, "unknown status %q (%s)", u.Status, suggest(u.Status, statuses))
			}
		case "impact":
			if n.kind != kindMap {
				f.bad(n, "impact must be a map of component: status (expected e.g. impact: {api: partial_outage})")
				continue
			}
			u.Impact = map[string]Status{}
			for _, c := range n.keys {
				v := n.vals[c]
				if l.cfg.Component(c) == nil {
					f.bad(v, "unknown component %q in impact (%s)", c, suggest(c, l.cfg.componentIDs()))
				}
				st, _ := f.str("impact."+c, v)
				if !Status(st).valid() {
					f.bad(v, "unknown component status %q for %s (%s)", st, c, suggest(st, statusNames))
				}
				u.Impact[c] = Status(st)
			}
		case "eta":
			u.ETA, _ = f.time(k, n)
		case "next_update":
			u.NextUpdate, _ = f.time(k, n)
		case "severity":
			u.Severity = l.severity(f, n)
			u.Retriaged = u.Severity != nil
		}
	}
	u.Body = parseBody(p, d.body, d.bodyLine, l.audIDs, ps)
	u.BodyLine = d.bodyLine
	return u
}

// lineOf returns the line of key in a parsed file, for checks made after
// parsing. Files are small; re-reading is cheaper than keeping every node.
func (l *loader) lineOf(p, key string) int { return keyLine(l.fsys, p, key) }

// derive orders updates and works out status, severity and component
// status over the incident's life.
func (l *loader) derive(in *Incident, ps *problems) {
	sortUpdates(in.Updates)
	in.Affected = append([]string(nil), in.Components...)
	sev := in.Severity
	in.MaxSeverity = sev
	in.Status = "investigating"
	var prev map[string]Status
	var eta time.Time
	var resolvedBy string // the resolving update's file name
	for _, u := range in.Updates {
		if u.At.Before(in.Started) {
			ps.add(u.Path, l.lineOf(u.Path, "at"), "update at %s is before the incident started at %s (expected at on or after started)", u.At.Format(time.RFC3339), in.Started.Format(time.RFC3339))
		}
		if resolvedBy != "" {
			ps.add(u.Path, l.lineOf(u.Path, "at"), "update after the resolving update %s (a resolved incident stays resolved; a recurrence is a new incident)", resolvedBy)
		}
		if u.Severity != nil && u.Severity != sev {
			sev = u.Severity
			if sev.Impact.Rank() > in.MaxSeverity.Impact.Rank() {
				in.MaxSeverity = sev
			}
		} else {
			u.Retriaged = false
		}
		u.Severity = sev
		if !u.ETA.IsZero() {
			eta = u.ETA
		}
		u.ETA = eta
		cur := map[string]Status{}
		for _, c := range in.Affected {
			if s, ok := prev[c]; ok {
				cur[c] = s
			} else {
				cur[c] = sev.DefaultStatus
			}
		}
		for c, s := range u.Impact {
			if !contains(in.Affected, c) {
				in.Affected = append(in.Affected, c)
			}
			cur[c] = s
		}
		if u.Status == "resolved" {
			for c := range cur {
				cur[c] = Operational
			}
			in.Resolved = u.At
			if resolvedBy == "" {
				resolvedBy = path.Base(u.Path)
			}
		}
		if u.Status == "monitoring" && in.Monitoring.IsZero() {
			in.Monitoring = u.At
		}
		if u.Status == "identified" && in.Identified.IsZero() {
			in.Identified = u.At
		}
		u.Components = cur
		prev = cur
		in.Status = u.Status
	}
	in.CurrentSeverity = sev
	in.last = in.Started
	if n := len(in.Updates); n > 0 {
		in.last = in.Updates[n-1].At
	}
	if !in.Resolved.IsZero() {
		in.spans = sync.OnceValue(func() map[string][]Span {
			m := make(map[string][]Span, len(in.Affected))
			for _, c := range in.Affected {
				if sp := in.spansAt(c, in.Resolved); len(sp) > 0 {
					m[c] = sp
				}
			}
			return m
		})
	}
}

func sortUpdates(us []*Update) {
	sort.SliceStable(us, func(i, j int) bool {
		if !us[i].At.Equal(us[j].At) {
			return us[i].At.Before(us[j].At)
		}
		return us[i].Path < us[j].Path
	})
}

func (l *loader) maintenance(slug, dir string, assets map[string]string, ps *problems) *Maintenance {
	files := l.bundleFiles(dir, assets, ps)
	if !contains(files, "maintenance.md") {
		ps.add(dir, 0, "maintenance folder has no maintenance.md (expected %s/maintenance.md with title, components, scheduled_start, scheduled_end)", dir)
		return nil
	}
	mt := &Maintenance{Slug: slug, Path: dir + "/maintenance.md"}
	before := len(ps.list)
	d := l.read(mt.Path, ps)
	if d == nil {
		return nil
	}
	sum := newSourceSum(d)
	f := fields{d, ps}
	m := d.meta
	f.checkKeys("maintenance.md", m, maintenanceKeys, maintenanceKeys[:4])
	for _, k := range m.keys {
		n := m.vals[k]
		switch k {
		case "title":
			mt.Title, _ = f.str(k, n)
		case "components":
			mt.Components = l.components(f, k, n)
		case "scheduled_start":
			mt.Start, _ = f.time(k, n)
		case "scheduled_end":
			mt.End, _ = f.time(k, n)
		case "audiences":
			mt.Audiences = l.audiences(f, k, n)
		}
	}
	// Checked after the loop: the keys may come in any order.
	if !mt.Start.IsZero() && !mt.End.IsZero() && !mt.End.After(mt.Start) {
		f.bad(m.vals["scheduled_end"], "scheduled_end %s is not after scheduled_start %s (expected the window to end after it starts)", mt.End.Format(time.RFC3339), mt.Start.Format(time.RFC3339))
	}
	mt.Body = parseBody(d.path, d.body, d.bodyLine, l.audIDs, ps)
	for _, name := range files {
		if name == "maintenance.md" {
			continue
		}
		p := dir + "/" + name
		if name == "review.md" {
			ps.add(p, 0, "review.md belongs to incidents (expected it under content/incidents/<slug>/)")
			continue
		}
		if u := l.update(p, MaintenanceStatuses, ps, sum); u != nil {
			if u.Severity != nil {
				ps.add(p, l.lineOf(p, "severity"), "severity applies to incidents only (expected no severity in a maintenance update)")
			}
			mt.Updates = append(mt.Updates, u)
		}
	}
	sortUpdates(mt.Updates)
	for i, u := range mt.Updates {
		if i > 0 && mt.Updates[i-1].Status == "completed" {
			ps.add(u.Path, l.lineOf(u.Path, "at"), "update after the completing update %s (a completed maintenance stays completed)", path.Base(mt.Updates[i-1].Path))
		}
		if i > 0 && !mt.Updates[i-1].ETA.IsZero() && u.ETA.IsZero() {
			u.ETA = mt.Updates[i-1].ETA
		}
	}
	if len(ps.list) > before {
		return nil
	}
	mt.sum = sum.key()
	return mt
}

func (l *loader) review(p string, ps *problems, sum *sourceSum) *Review {
	d := l.read(p, ps)
	if d == nil {
		return nil
	}
	sum.add(d)
	f := fields{d, ps}
	m := d.meta
	r := &Review{Path: p}
	f.checkKeys("review.md", m, reviewKeys, nil)
	for _, k := range m.keys {
		n := m.vals[k]
		switch k {
		case "published":
			r.Published, _ = f.boolean(k, n)
		case "root_cause":
			r.RootCause, _ = f.str(k, n)
		case "action_items":
			if n.kind != kindList {
				f.bad(n, "action_items must be a list (expected - title: …, owner: …, status: open|done, due: 2026-12-15)")
				continue
			}
			for _, e := range n.list {
				if e.kind != kindMap {
					f.bad(e, "an action item must be a map (expected title, owner, status, due)")
					continue
				}
				f.checkKeys("an action item", e, actionItemKeys, []string{"title"})
				var a ActionItem
				for _, ak := range e.keys {
					v := e.vals[ak]
					switch ak {
					case "title":
						a.Title, _ = f.str(ak, v)
					case "owner":
						a.Owner, _ = f.str(ak, v)
					case "status":
						st, _ := f.str(ak, v)
						switch st {
						case "open":
						case "done":
							a.Done = true
						default:
							f.bad(v, "unknown action item status %q (expected open or done)", st)
						}
					case "due":
						a.Due, _ = f.date(ak, v)
					}
				}
				r.ActionItems = append(r.ActionItems, a)
			}
		}
	}
	r.Body = parseBody(p, d.body, d.bodyLine, l.audIDs, ps)
	return r
}
