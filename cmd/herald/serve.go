package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"io/fs"
	"maps"
	"mime"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/heraldstatus/herald/site"
	"github.com/spf13/cobra"
)

func serveCmd() *cobra.Command {
	var f buildFlags
	var addr string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Build and serve a live preview that rebuilds and reloads as files change",
		Long: `serve builds the site in memory and serves it on localhost. It watches content/,
config.toml and the theme, rebuilds only what a change touches, and reloads open
browser tabs. A broken file never takes the preview down: the last good build stays
and every page shows the problems until they are fixed. /_digests/ previews what
each audience would receive. public/ on disk is left alone: build writes it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := newPreview(f)
			if err != nil {
				return err
			}
			if err := p.watch(cmd.Context()); err != nil {
				return err
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			srv := &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
			out := cmd.OutOrStdout()
			if ps := p.problemList(); len(ps) > 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "%s\nherald: %d %s; fix them and the preview rebuilds\n", ps.Error(), len(ps), plural(len(ps), "problem", "problems"))
			}
			fmt.Fprintf(out, "serving a live preview at http://%s/ (digests at /_digests/; Ctrl-C to stop)\n", ln.Addr())
			p.log = cmd.ErrOrStderr()
			go func() {
				<-cmd.Context().Done()
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				p.close()
				_ = srv.Shutdown(ctx)
			}()
			if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				return err
			}
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on")
	return cmd
}

// preview is serve's state: the last good build, in memory, and the
// problems of the current content, if any.
type preview struct {
	source string
	now    func() time.Time
	log    io.Writer

	mu       sync.RWMutex
	site     *site.Site // last good
	theme    fs.FS
	tmpl     *site.Templates
	pages    *site.Pages // the last good site's files, rendered on demand
	problems site.Problems
	other    error // a failure that is not a content problem
	version  int
	// behind lists the changes the last good site lacks, those of the
	// failed rebuilds since it (nil with behindAll: all of them): the next
	// rebuild reads them again, so a broken file stays in view while
	// other files are edited.
	behind    []string
	behindAll bool

	subsMu sync.Mutex
	subs   map[chan int]struct{}

	// built is called after every rebuild (tests and benchmarks wait on it).
	built func(version int, err error)
	done  chan struct{}
}

func newPreview(f buildFlags) (*preview, error) {
	now := func() time.Time { return time.Now().UTC().Truncate(time.Second) }
	if f.now != "" {
		t, err := f.clock()
		if err != nil {
			return nil, err
		}
		now = func() time.Time { return t }
	}
	p := &preview{source: f.source, now: now, log: io.Discard, subs: map[chan int]struct{}{}, done: make(chan struct{})}
	p.rebuild(nil)
	return p, nil
}

// rebuild brings the preview up to date after changed paths (slash paths
// relative to the source folder; nil: everything). A content edit reads
// again only the bundles it touched, and renders nothing: pages are
// rendered when the browser asks for them (site.Pages), so an edit costs
// about the same on a site of any size. A full rebuild (the start, the
// config or the theme changed) renders a page of each kind, so that a
// broken template is reported at once and the last good site stays.
func (p *preview) rebuild(changed []string) {
	start := time.Now()
	p.mu.RLock()
	prev, theme, tmpl := p.site, p.theme, p.tmpl
	if p.behindAll {
		changed = nil
	} else if changed != nil {
		changed = slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(changed), p.behind...))))
	}
	p.mu.RUnlock()

	fsys := os.DirFS(p.source)
	full := changed == nil || prev == nil || theme == nil || tmpl == nil
	var content []string
	for _, c := range changed {
		if strings.HasPrefix(c, "themes/") {
			full = true
		} else {
			content = append(content, c)
		}
		if c == "config.toml" {
			full = true // the time zone and the components reach the templates
		}
	}
	var (
		next *site.Site
		err  error
	)
	opts := site.Options{Now: p.now()}
	switch {
	case prev == nil || changed == nil:
		next, err = site.Load(fsys, opts)
	case len(content) == 0:
		next = prev
	default:
		next, err = site.Reload(prev, fsys, content, opts)
	}
	if err == nil && full {
		theme, err = loadTheme(p.source, next.Config.Theme)
		if err == nil {
			tmpl, err = site.LoadTemplates(theme, next.Config)
		}
	}
	var pages *site.Pages
	if err == nil {
		pages = site.NewPages(next, tmpl)
		if full {
			err = pages.RenderSample()
		}
	}

	p.mu.Lock()
	var ps site.Problems
	switch {
	case err == nil:
		p.site, p.theme, p.tmpl, p.pages = next, theme, tmpl, pages
		p.problems, p.other = nil, nil
		p.behind, p.behindAll = nil, false
	case errors.As(err, &ps):
		p.problems, p.other = ps, nil
	default:
		p.problems, p.other = nil, err
	}
	if err != nil {
		p.behind, p.behindAll = changed, changed == nil
	}
	p.version++
	v := p.version
	p.mu.Unlock()

	switch {
	case err != nil:
		fmt.Fprintf(p.log, "%v\n", err)
	case full:
		n := pages.Len()
		fmt.Fprintf(p.log, "built %d %s in %s; pages render as they are viewed\n", n, plural(n, "file", "files"), time.Since(start).Round(time.Millisecond))
	default:
		fmt.Fprintf(p.log, "reloaded %d changed %s in %s; pages render as they are viewed\n", len(content), plural(len(content), "file", "files"), time.Since(start).Round(time.Millisecond))
	}
	p.broadcast(v)
	if p.built != nil {
		p.built(v, err)
	}
}

func (p *preview) problemList() site.Problems {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.problems
}

// watch follows content/, config.toml and the themes with fsnotify and
// rebuilds on changes, a few milliseconds after the last event of a burst
// (an editor's save is often a write, a rename and a chmod).
func (p *preview) watch(ctx context.Context) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	addTree := func(dir string) []string {
		var files []string
		_ = filepath.WalkDir(dir, func(fp string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() {
				_ = w.Add(fp)
			} else {
				files = append(files, fp)
			}
			return nil
		})
		return files
	}
	if err := w.Add(p.source); err != nil {
		w.Close()
		return err
	}
	for _, dir := range []string{"content", "themes"} {
		addTree(filepath.Join(p.source, dir))
	}
	rel := func(fp string) string {
		r, err := filepath.Rel(p.source, fp)
		if err != nil {
			return ""
		}
		return filepath.ToSlash(r)
	}
	relevant := func(r string) bool {
		return r == "config.toml" || strings.HasPrefix(r, "content/") || strings.HasPrefix(r, "themes/") || r == "content" || r == "themes"
	}
	go func() {
		defer w.Close()
		var (
			pending = map[string]bool{}
			timer   *time.Timer
			fire    <-chan time.Time
		)
		for {
			select {
			case <-ctx.Done():
				return
			case <-p.done:
				return
			case ev, ok := <-w.Events:
				if !ok {
					return
				}
				r := rel(ev.Name)
				if !relevant(r) {
					continue
				}
				if r == "content" || r == "themes" {
					pending["config.toml"] = true // a whole tree came or went
				} else {
					pending[r] = true
				}
				if ev.Has(fsnotify.Create) {
					if st, err := os.Stat(ev.Name); err == nil && st.IsDir() {
						// Files may have landed before the watch did.
						for _, f := range addTree(ev.Name) {
							pending[rel(f)] = true
						}
					}
				}
				if timer == nil {
					timer = time.NewTimer(15 * time.Millisecond)
				} else {
					timer.Reset(15 * time.Millisecond)
				}
				fire = timer.C
			case err, ok := <-w.Errors:
				if !ok {
					return
				}
				fmt.Fprintf(p.log, "watch: %v\n", err)
			case <-fire:
				fire = nil
				changed := slices.Sorted(maps.Keys(pending))
				clear(pending)
				for _, c := range changed {
					if c == "config.toml" || !strings.HasPrefix(c, "content/") && !strings.HasPrefix(c, "themes/") {
						changed = nil // everything
						break
					}
				}
				if changed == nil {
					p.rebuild(nil)
				} else {
					p.rebuild(changed)
				}
			}
		}
	}()
	return nil
}

func (p *preview) close() {
	select {
	case <-p.done:
	default:
		close(p.done)
	}
}

func (p *preview) broadcast(v int) {
	p.subsMu.Lock()
	defer p.subsMu.Unlock()
	for ch := range p.subs {
		select {
		case ch <- v:
		default:
		}
	}
}

// reloadJS reloads the page when a build newer than the page's arrives.
const reloadJS = `(function(){var s=document.currentScript,v=s&&s.getAttribute("data-version");
if(!window.EventSource)return;var es=new EventSource("/_herald/events");
es.onopen=function(){document.documentElement.setAttribute("data-herald-live","")};
es.onmessage=function(e){if(e.data!==v){es.close();location.reload();}};})();
`

func (p *preview) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/_herald/events":
		p.serveEvents(w, r)
		return
	case r.URL.Path == "/_herald/reload.js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		io.WriteString(w, reloadJS)
		return
	case r.URL.Path == "/_digests" || strings.HasPrefix(r.URL.Path, "/_digests/"):
		p.serveDigests(w, r)
		return
	}
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if strings.HasSuffix(r.URL.Path, "/") && name != "" {
		name += "/"
	}
	if name == "" || strings.HasSuffix(name, "/") {
		name += "index.html"
	}
	p.mu.RLock()
	pages := p.pages
	v := p.version
	problems, other := p.problems, p.other
	p.mu.RUnlock()
	var (
		body []byte
		ok   bool
		err  error
	)
	if pages != nil {
		body, ok, err = pages.File(name)
	}
	if !ok && pages != nil && pages.Has(name+"/index.html") {
		http.Redirect(w, r, r.URL.Path+"/", http.StatusMovedPermanently)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if err != nil {
		fmt.Fprintf(p.log, "%v\n", err)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Render failed</title></head><body><main><h1>This page failed to render</h1></main></body></html>")
		w.Write(p.inject(nil, v, problems, err))
		return
	}
	if strings.HasSuffix(name, ".json") {
		w.Header().Set("Access-Control-Allow-Origin", "*")
	}
	if !ok {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head><body><main><h1>Not found</h1><p><a href=\"/\">Status page</a></p></main></body></html>")
		// Still live: the page appears once the file that makes it is saved.
		w.Write(p.inject(nil, v, problems, other))
		return
	}
	ctype := mime.TypeByExtension(path.Ext(name))
	if ctype == "" {
		ctype = http.DetectContentType(body)
	}
	w.Header().Set("Content-Type", ctype)
	if strings.HasSuffix(name, ".html") {
		body = p.inject(body, v, problems, other)
	}
	w.Write(body)
}

// inject adds the reload script and, while the content is broken, an
// overlay listing every problem, just before </body>.
func (p *preview) inject(page []byte, v int, problems site.Problems, other error) []byte {
	var b bytes.Buffer
	if len(problems) > 0 || other != nil {
		b.WriteString(`<div id="herald-problems" role="alert" style="position:fixed;left:0;right:0;bottom:0;max-height:60vh;overflow:auto;z-index:2147483647;background:#1f2328;color:#f0f3f6;border-top:4px solid #cf222e;padding:12px 16px;font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace;text-align:left">`)
		n := len(problems)
		if other != nil {
			n++
		}
		fmt.Fprintf(&b, `<p style="margin:0 0 6px;font-weight:bold">herald: %d %s; showing the last good build</p><ul style="margin:0;padding-left:18px">`, n, plural(n, "problem", "problems"))
		for _, pr := range problems {
			fmt.Fprintf(&b, "<li>%s</li>", html.EscapeString(problemLine(p.source, pr)))
		}
		if other != nil {
			fmt.Fprintf(&b, "<li>%s</li>", html.EscapeString(other.Error()))
		}
		b.WriteString("</ul></div>")
	}
	fmt.Fprintf(&b, `<script src="/_herald/reload.js" data-version="%d"></script>`, v)
	if page == nil {
		return b.Bytes()
	}
	i := bytes.LastIndex(page, []byte("</body>"))
	if i < 0 {
		return append(slices.Clip(page), b.Bytes()...)
	}
	out := make([]byte, 0, len(page)+b.Len())
	out = append(out, page[:i]...)
	out = append(out, b.Bytes()...)
	return append(out, page[i:]...)
}

// serveEvents streams build versions to the page (server-sent events).
func (p *preview) serveEvents(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	ch := make(chan int, 1)
	p.subsMu.Lock()
	p.subs[ch] = struct{}{}
	p.subsMu.Unlock()
	defer func() {
		p.subsMu.Lock()
		delete(p.subs, ch)
		p.subsMu.Unlock()
	}()
	p.mu.RLock()
	v := p.version
	p.mu.RUnlock()
	fmt.Fprintf(w, "retry: 500\ndata: %d\n\n", v)
	fl.Flush()
	keep := time.NewTicker(15 * time.Second)
	defer keep.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-p.done:
			return
		case v := <-ch:
			fmt.Fprintf(w, "data: %d\n\n", v)
			fl.Flush()
		case <-keep.C:
			io.WriteString(w, ": keep-alive\n\n")
			fl.Flush()
		}
	}
}

// serveDigests previews what each audience would receive: the digest as
// email HTML and text, the SMS with its segment count, the Slack message.
func (p *preview) serveDigests(w http.ResponseWriter, r *http.Request) {
	p.mu.RLock()
	s, t, v := p.site, p.tmpl, p.version
	problems, other := p.problems, p.other
	p.mu.RUnlock()
	w.Header().Set("Cache-Control", "no-store")
	if s == nil {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Digests</title></head><body><h1>No good build yet</h1></body></html>")
		w.Write(p.inject(nil, v, problems, other))
		return
	}
	// The last good build's templates: parsed once per theme change.
	rest := strings.Trim(strings.TrimPrefix(r.URL.Path, "/_digests"), "/")
	if rest == "" {
		p.digestIndex(w, s, t, v, problems, other)
		return
	}
	// /_digests/<audience>/<slug>.<html|txt|sms|slack>
	aud, file, _ := strings.Cut(rest, "/")
	slug, kind, _ := strings.Cut(file, ".")
	a := s.Config.Audience(aud)
	d := findDigest(s, a, slug)
	if d == nil {
		http.NotFound(w, r)
		return
	}
	switch kind {
	case "html":
		b, err := t.DigestHTML(d)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(p.inject(b, v, problems, other))
	case "txt":
		b, err := t.DigestText(d)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write(b)
	case "sms":
		m, err := t.SMS(d)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "%s\n\n-- %d characters, %s, %d %s", m.Text, len([]rune(m.Text)), m.Encoding, m.Segments, plural(m.Segments, "segment", "segments"))
		if m.FullSegments > m.Segments {
			fmt.Fprintf(w, " (cut from %d segments: shorten the first paragraph)", m.FullSegments)
		}
		io.WriteString(w, "\n")
	case "slack":
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		_ = enc.Encode(d.Slack())
	default:
		http.NotFound(w, r)
	}
}

func findDigest(s *site.Site, a *site.Audience, slug string) *site.Digest {
	if a == nil {
		return nil
	}
	for _, in := range s.Incidents {
		if in.Slug == slug && in.NotifiedTo(a) {
			return s.IncidentDigest(in, a)
		}
	}
	for _, m := range s.Maintenances {
		if m.Slug == slug && m.NotifiedTo(a) {
			return s.MaintenanceDigest(m, a)
		}
	}
	return nil
}

func (p *preview) digestIndex(w http.ResponseWriter, s *site.Site, t *site.Templates, v int, problems site.Problems, other error) {
	var b bytes.Buffer
	b.WriteString(`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>What each audience receives</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:900px;margin:2rem auto;padding:0 1rem}td,th{text-align:left;padding:3px 10px 3px 0;vertical-align:top}.m{color:#59636e}</style></head><body><main>
<h1>What each audience receives</h1><p class="m">A preview: nothing here is published.</p>`)
	for _, a := range s.Config.Audiences {
		fmt.Fprintf(&b, "<h2>%s <span class=\"m\">(%s digest; %s)</span></h2><table><tbody>", html.EscapeString(a.Name), html.EscapeString(a.Digest), html.EscapeString(strings.Join(a.Channels, ", ")))
		row := func(d *site.Digest) {
			base := "/_digests/" + a.ID + "/" + d.Slug
			sms := ""
			if m, err := t.SMS(d); err == nil {
				sms = fmt.Sprintf(` · <a href="%s.sms">SMS</a> <span class="m">(%d %s)</span>`, base, m.Segments, plural(m.Segments, "segment", "segments"))
			}
			fmt.Fprintf(&b, `<tr><td>%s <span class="m">%s · %s</span></td><td><a href="%s.html">email</a> · <a href="%s.txt">text</a>%s · <a href="%s.slack">Slack</a></td></tr>`,
				html.EscapeString(d.Title), d.Kind, html.EscapeString(d.Label), base, base, sms, base)
		}
		n := 0
		for _, in := range s.Incidents {
			if in.NotifiedTo(a) {
				row(s.IncidentDigest(in, a))
				n++
			}
		}
		for _, m := range s.Maintenances {
			if m.NotifiedTo(a) {
				row(s.MaintenanceDigest(m, a))
				n++
			}
		}
		if n == 0 {
			b.WriteString(`<tr><td class="m">Nothing for this audience.</td></tr>`)
		}
		b.WriteString("</tbody></table>")
	}
	b.WriteString("</main></body></html>")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(p.inject(b.Bytes(), v, problems, other))
}
