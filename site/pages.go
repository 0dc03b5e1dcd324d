package site

import (
	"sort"
	"strings"
	"sync"
)

// Pages is the public site as files rendered on demand: serve prepares a
// Pages at every edit (a few passes over the content) and renders a file
// only when it is asked for, so the cost of an edit grows little with the
// site. Each file is rendered at most once.
type Pages struct {
	jobs  map[string]job
	mu    sync.Mutex
	files map[string]*pageFile
}

type pageFile struct {
	once sync.Once
	data []byte
	err  error
}

// NewPages prepares the public site of s with the templates t (loaded for
// s.Config).
func NewPages(s *Site, t *Templates) *Pages {
	r := newRendererWith(s, t)
	jobs := r.publicJobs()
	p := &Pages{jobs: make(map[string]job, len(jobs)), files: map[string]*pageFile{}}
	for _, j := range jobs {
		p.jobs[j.name] = j
	}
	return p
}

// Has reports whether name (a slash path in public/) is a file of the site.
func (p *Pages) Has(name string) bool {
	_, ok := p.jobs[name]
	return ok
}

// Len is the number of the site's files.
func (p *Pages) Len() int { return len(p.jobs) }

// Names lists the site's files, sorted.
func (p *Pages) Names() []string {
	out := make([]string, 0, len(p.jobs))
	for name := range p.jobs {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// File renders name, or gives it as rendered before. ok is false when the
// site has no such file.
func (p *Pages) File(name string) (data []byte, ok bool, err error) {
	j, ok := p.jobs[name]
	if !ok {
		return nil, false, nil
	}
	p.mu.Lock()
	f := p.files[name]
	if f == nil {
		f = &pageFile{}
		p.files[name] = f
	}
	p.mu.Unlock()
	f.once.Do(func() {
		f.data, f.err = j.render()
	})
	return f.data, true, f.err
}

// RenderSample renders one file of each kind: every site-wide file, and the
// first of the incidents', the maintenance windows', the components' and the
// months' pages, feeds and badges. A template that fails on every page of a
// kind fails here; one that fails on some pages only is found when they are
// asked for.
func (p *Pages) RenderSample() error {
	seen := map[string]bool{}
	var jobs []func() error
	for _, name := range p.Names() {
		kind := name
		if parts := strings.Split(name, "/"); len(parts) >= 3 {
			kind = parts[0] + "/*/" + parts[len(parts)-1]
		}
		if seen[kind] {
			continue
		}
		seen[kind] = true
		jobs = append(jobs, func() error {
			_, _, err := p.File(name)
			return err
		})
	}
	return runJobs(jobs)
}
