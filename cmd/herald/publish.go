package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/heraldstatus/herald/publish"
	"github.com/heraldstatus/herald/site"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// defaultPublishTarget is the folder publish writes when config.toml names
// no target: it needs no credentials.
const defaultPublishTarget = "site-out"

type publishFlags struct {
	source         string
	target         string
	region         string
	endpointURL    string
	profile        string
	pathStyle      bool
	dryRun         bool
	json           bool
	verbose        bool
	concurrency    int
	maxDeletes     int
	force          bool
	gzip           bool
	distributionID string
	lockWait       time.Duration
	lockTTL        time.Duration
}

func publishCmd() *cobra.Command {
	var f publishFlags
	cmd := &cobra.Command{
		Use:   "publish",
		Short: "Make the target (a folder, or s3://bucket/prefix) look exactly like public/",
		Long: `Publish copies the built site in public/ to its target, changing only what
differs: a local folder (the default, "site-out"), or an S3 bucket prefix
(s3://bucket/prefix, AWS S3 or any S3-compatible store). The target comes
from [publish] target in config.toml, or --target.

Objects go up in phases, each finished before the next: assets, pages, entry
points (index.html, api/, feeds, badges, banner), then deletions. It refuses
to publish a missing or failed build, to delete more than --max-deletes
objects without --force, and to run beside another publish of the same
target (a lock object). AWS credentials come from AWS's standard chain
(environment, shared config and SSO, instance roles) only.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			err := runPublish(cmd, f)
			var ee exitError
			if err != nil && !errors.As(err, &ee) {
				// A refusal (no build, a bad target, a locked target) is
				// a failure like any other: exit 1, usage errors exit 2.
				fmt.Fprintln(cmd.ErrOrStderr(), "herald:", err)
				return exitError{1}
			}
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.source, "source", ".", "folder holding config.toml and the built public/")
	fl.StringVar(&f.target, "target", "", "folder path or s3://bucket/prefix (default: [publish] target in config.toml, else "+defaultPublishTarget+")")
	fl.StringVar(&f.region, "region", "", "AWS region of the bucket (default: from the AWS profile, else us-east-1)")
	fl.StringVar(&f.endpointURL, "endpoint-url", "", "URL of an S3-compatible store (MinIO, R2, B2, Ceph …)")
	fl.StringVar(&f.profile, "profile", "", "AWS profile from the shared config files")
	fl.BoolVar(&f.pathStyle, "path-style", false, "put the bucket in the URL path, not the host name (most S3-compatible stores)")
	fl.BoolVar(&f.dryRun, "dry-run", false, "print what would be uploaded and deleted, and why; change nothing")
	fl.BoolVar(&f.json, "json", false, "print the report as JSON on stdout, for CI")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "print every upload and deletion")
	fl.IntVar(&f.concurrency, "concurrency", publish.DefaultConcurrency, "requests at once")
	fl.IntVar(&f.maxDeletes, "max-deletes", publish.DefaultMaxDeletes, "refuse to delete more objects than this")
	fl.BoolVar(&f.force, "force", false, "delete however many objects are no longer in the site")
	fl.BoolVar(&f.gzip, "gzip", false, "store text files of 1 KiB or more gzip-compressed (Content-Encoding: gzip); S3 targets only")
	fl.StringVar(&f.distributionID, "distribution-id", "", "CloudFront distribution to invalidate the changed paths in")
	fl.DurationVar(&f.lockWait, "lock-wait", 3*time.Minute, "how long to wait for another publish of the same target to finish")
	fl.DurationVar(&f.lockTTL, "lock-ttl", publish.DefaultLockTTL, "how long the lock outlives this publish if it dies (it is extended while it runs)")
	return cmd
}

func runPublish(cmd *cobra.Command, f publishFlags) error {
	ctx := cmd.Context()
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	cfg, err := site.LoadConfig(os.DirFS(f.source))
	if err != nil {
		return reportProblems(cmd, f.source, err)
	}
	pc, err := parsePublishConfig(cfg.Publish)
	if err != nil {
		return err
	}
	pc.override(cmd, f)

	publicDir := filepath.Join(f.source, "public")
	if err := checkBuild(f.source, publicDir); err != nil {
		return err
	}
	tg, isFolder, err := openTarget(ctx, pc, f, publicDir)
	if err != nil {
		return err
	}
	protect, err := ledgerInSite(pc.target, cfg.Notify)
	if err != nil {
		return err
	}
	if pc.gzip && isFolder {
		fmt.Fprintln(stderr, "herald: gzip is for S3 targets; a folder gets plain files (its server would not send Content-Encoding)")
		pc.gzip = false
	}
	headers, err := publish.NewHeaders(pc.rules, pc.gzip)
	if err != nil {
		return fmt.Errorf("config.toml: [publish] %w", err)
	}
	if f.dryRun {
		tg = publish.DryRun(tg)
	}
	var cf *publish.CloudFront
	if pc.distributionID != "" && !f.dryRun {
		cf, err = publish.NewCloudFront(ctx, pc.distributionID, publish.CloudFrontOptions{Profile: pc.profile})
		if err != nil {
			return err
		}
	}

	opts := publish.Options{
		Headers:     headers,
		Concurrency: pc.concurrency,
		MaxDeletes:  pc.maxDeletes,
		LockWait:    f.lockWait,
		LockTTL:     f.lockTTL,
		Owner:       owner(),
		Protect:     protect,
	}
	if pc.force {
		opts.MaxDeletes = -1
	}
	var bar *progressBar
	if !f.json && !f.dryRun && isTerminal(stderr) {
		bar = &progressBar{w: stderr}
		opts.Planned = bar.start
		opts.Progress = func(a publish.Action, err error) { bar.step(a) }
	}
	if f.verbose && !f.json && !f.dryRun {
		var mu sync.Mutex
		progress := opts.Progress
		opts.Progress = func(a publish.Action, err error) {
			if progress != nil {
				progress(a, err)
			}
			mu.Lock()
			defer mu.Unlock()
			bar.clear()
			if err == nil {
				fmt.Fprintf(stdout, "%-7s %s (%s)\n", pastTense(a.Op), a.Key, a.Reason)
			}
		}
	}

	rep, runErr := publish.Run(ctx, tg, os.DirFS(publicDir), opts)
	bar.clear()

	out := publishJSON{Report: rep, DryRun: f.dryRun}
	base := "/"
	if u, err := url.Parse(cfg.BaseURL); err == nil && u.Path != "" {
		base = u.Path
	}
	paths := publish.InvalidationPaths(base, rep.Changed(), publish.DefaultMaxInvalidationPaths)
	if pc.distributionID != "" && len(paths) > 0 && (runErr == nil || f.dryRun) {
		out.Invalidation = &invalidationJSON{Distribution: pc.distributionID, Paths: paths}
		if cf != nil {
			id, err := cf.Invalidate(ctx, paths, time.Now())
			if err != nil {
				out.Invalidation.Error = err.Error()
				if runErr == nil {
					runErr = err
				}
			}
			out.Invalidation.ID = id
		}
	}
	if runErr != nil {
		out.Error = runErr.Error()
	}

	if f.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		printPublish(stdout, out)
	}
	if runErr != nil {
		if !f.json {
			fmt.Fprintln(stderr, "herald: publish failed:", runErr)
		}
		return exitError{1}
	}
	return nil
}

type publishJSON struct {
	*publish.Report
	DryRun       bool              `json:"dry_run"`
	Invalidation *invalidationJSON `json:"invalidation,omitempty"`
	Error        string            `json:"error,omitempty"`
}

type invalidationJSON struct {
	Distribution string   `json:"distribution"`
	Paths        []string `json:"paths"`
	ID           string   `json:"id,omitempty"`
	Error        string   `json:"error,omitempty"`
}

func printPublish(w io.Writer, out publishJSON) {
	rep := out.Report
	if out.DryRun {
		for _, a := range rep.Actions {
			fmt.Fprintf(w, "%-6s  %s (%s)\n", a.Op, a.Key, a.Reason)
		}
		if out.Error != "" {
			return // the plan above, and the error that stops it
		}
		fmt.Fprintf(w, "dry run: would upload %d (%s) and delete %d in %s; %d unchanged\n",
			rep.Uploaded, humanBytes(rep.Bytes), rep.Deleted, rep.Target, rep.Unchanged)
		if out.Invalidation != nil {
			fmt.Fprintf(w, "dry run: would invalidate %s in CloudFront distribution %s\n", strings.Join(out.Invalidation.Paths, " "), out.Invalidation.Distribution)
		}
		return
	}
	if out.Error != "" && rep.Uploaded+rep.Deleted+len(rep.Failed) == 0 {
		return // nothing was tried; the error says why
	}
	if rep.Uploaded+rep.Deleted == 0 && out.Error == "" {
		fmt.Fprintf(w, "%s is up to date: %d unchanged\n", rep.Target, rep.Unchanged)
		return
	}
	fmt.Fprintf(w, "published to %s: uploaded %d (%s), deleted %d, unchanged %d\n",
		rep.Target, rep.Uploaded, humanBytes(rep.Bytes), rep.Deleted, rep.Unchanged)
	if inv := out.Invalidation; inv != nil && inv.Error == "" {
		fmt.Fprintf(w, "invalidated %d %s in CloudFront distribution %s (invalidation %s)\n",
			len(inv.Paths), plural(len(inv.Paths), "path", "paths"), inv.Distribution, inv.ID)
	}
}

func pastTense(op string) string {
	if op == "delete" {
		return "deleted"
	}
	return "uploaded"
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func owner() string {
	host, _ := os.Hostname()
	if host == "" {
		host = "unknown host"
	}
	return fmt.Sprintf("herald publish on %s (pid %d)", host, os.Getpid())
}

// openTarget turns the target setting into a publish.Target: an s3:// URL
// or a folder. A folder named in config.toml is relative to the source
// folder; one given with --target, to the working directory.
func openTarget(ctx context.Context, pc publishConfig, f publishFlags, publicDir string) (publish.Target, bool, error) {
	if strings.HasPrefix(pc.target, "s3://") {
		tg, err := publish.NewS3(ctx, pc.target, publish.S3Options{
			Region: pc.region, EndpointURL: pc.endpointURL, Profile: pc.profile,
			PathStyle: pc.pathStyle, Concurrency: pc.concurrency,
		})
		return tg, false, err
	}
	if strings.Contains(pc.target, "://") {
		return nil, false, fmt.Errorf("target %q: expected a folder path or s3://bucket/prefix", pc.target)
	}
	dir := pc.target
	if !pc.targetFromFlag && !filepath.IsAbs(dir) {
		dir = filepath.Join(f.source, dir)
	}
	if err := checkFolderTarget(dir, f.source, publicDir); err != nil {
		return nil, true, err
	}
	tg, err := publish.NewFolder(dir)
	return tg, true, err
}

// ledgerInSite returns the folder of an S3 target that holds notify's S3
// ledger, for publish to leave alone. A ledger at the site's own root is
// refused: its keys and the site's would mix.
func ledgerInSite(target string, notify map[string]any) ([]string, error) {
	ledger, _ := notify["ledger"].(string)
	if !strings.HasPrefix(ledger, "s3://") || !strings.HasPrefix(target, "s3://") {
		return nil, nil
	}
	lb, lp, err := publish.ParseS3URL(ledger)
	if err != nil {
		return nil, nil // notify reports it
	}
	tb, tp, err := publish.ParseS3URL(target)
	if err != nil || lb != tb {
		return nil, err
	}
	switch {
	case lp == tp:
		return nil, fmt.Errorf("[notify] ledger %s is the site's own prefix, where publish deletes what is not in the site; keep it under %s",
			ledger, "s3://"+path.Join(tb, tp, publish.Reserved, "ledger"))
	case tp == "":
		return []string{lp + "/"}, nil
	case strings.HasPrefix(lp, tp+"/"):
		return []string{strings.TrimPrefix(lp, tp+"/") + "/"}, nil
	}
	return nil, nil
}

// checkFolderTarget refuses a folder whose publish would delete the
// sources or the build: the source folder itself, one holding it, or one
// inside public/.
func checkFolderTarget(dir, source, publicDir string) error {
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			return p
		}
		return a
	}
	d, s, p := abs(dir), abs(source), abs(publicDir)
	if within(d, p) || within(s, d) {
		return fmt.Errorf("target folder %s holds or is inside the sources or public/: publishing there would delete them; choose a folder of its own, such as %s", dir, filepath.Join(source, defaultPublishTarget))
	}
	return nil
}

func within(child, parent string) bool {
	rel, err := filepath.Rel(parent, child)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// publishConfig is the [publish] table of config.toml, with the flags
// that override it applied.
type publishConfig struct {
	target, region, endpointURL, profile, distributionID string
	pathStyle, gzip, force                               bool
	concurrency, maxDeletes                              int
	rules                                                []publish.Rule
	targetFromFlag                                       bool
}

var publishKeys = []string{"target", "region", "endpoint_url", "profile", "path_style", "concurrency", "max_deletes", "gzip", "distribution_id", "headers"}

func parsePublishConfig(m map[string]any) (publishConfig, error) {
	pc := publishConfig{target: defaultPublishTarget, concurrency: publish.DefaultConcurrency, maxDeletes: publish.DefaultMaxDeletes}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	bad := func(k, want string) error {
		return fmt.Errorf("config.toml: [publish] %s = %v: expected %s", k, m[k], want)
	}
	for _, k := range keys {
		v := m[k]
		var ok bool
		switch k {
		case "target", "region", "endpoint_url", "profile", "distribution_id":
			var s string
			if s, ok = v.(string); !ok {
				return pc, bad(k, "a string")
			}
			*map[string]*string{"target": &pc.target, "region": &pc.region, "endpoint_url": &pc.endpointURL, "profile": &pc.profile, "distribution_id": &pc.distributionID}[k] = s
		case "path_style", "gzip":
			var b bool
			if b, ok = v.(bool); !ok {
				return pc, bad(k, "true or false")
			}
			*map[string]*bool{"path_style": &pc.pathStyle, "gzip": &pc.gzip}[k] = b
		case "concurrency", "max_deletes":
			n, ok := v.(int64)
			if !ok || n < 0 || (k == "concurrency" && n == 0) {
				return pc, bad(k, "a positive whole number")
			}
			*map[string]*int{"concurrency": &pc.concurrency, "max_deletes": &pc.maxDeletes}[k] = int(n)
		case "headers":
			rules, err := parseRules(v)
			if err != nil {
				return pc, err
			}
			pc.rules = rules
		default:
			return pc, fmt.Errorf("config.toml: unknown key %q in [publish] (known: %s)", k, strings.Join(publishKeys, ", "))
		}
	}
	if pc.target == "" {
		pc.target = defaultPublishTarget
	}
	return pc, nil
}

// parseRules reads [[publish.headers]] tables: path, cache_control, content_type.
func parseRules(v any) ([]publish.Rule, error) {
	tables, ok := v.([]map[string]any)
	if !ok {
		return nil, errors.New("config.toml: [publish] headers: expected [[publish.headers]] tables with path and cache_control or content_type")
	}
	var rules []publish.Rule
	for i, t := range tables {
		var r publish.Rule
		for k, v := range t {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("config.toml: [[publish.headers]] #%d: %s must be a string", i+1, k)
			}
			switch k {
			case "path":
				r.Path = s
			case "cache_control":
				r.CacheControl = s
			case "content_type":
				r.ContentType = s
			default:
				return nil, fmt.Errorf("config.toml: [[publish.headers]] #%d: unknown key %q (known: path, cache_control, content_type)", i+1, k)
			}
		}
		rules = append(rules, r)
	}
	return rules, nil
}

// override applies the flags given on the command line.
func (pc *publishConfig) override(cmd *cobra.Command, f publishFlags) {
	set := cmd.Flags().Changed
	if set("target") {
		pc.target, pc.targetFromFlag = f.target, true
	}
	if set("region") {
		pc.region = f.region
	}
	if set("endpoint-url") {
		pc.endpointURL = f.endpointURL
	}
	if set("profile") {
		pc.profile = f.profile
	}
	if set("path-style") {
		pc.pathStyle = f.pathStyle
	}
	if set("concurrency") {
		pc.concurrency = max(1, f.concurrency)
	}
	if set("max-deletes") {
		pc.maxDeletes = f.maxDeletes
	}
	if set("gzip") {
		pc.gzip = f.gzip
	}
	if set("distribution-id") {
		pc.distributionID = f.distributionID
	}
	pc.force = f.force
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progressBar draws one line on a terminal: done of total, and bytes.
type progressBar struct {
	w     io.Writer
	mu    sync.Mutex
	total int
	done  int
	bytes int64
	last  time.Time
	drawn bool
}

func (p *progressBar) start(actions []publish.Action) {
	p.mu.Lock()
	p.total = len(actions)
	p.mu.Unlock()
}

func (p *progressBar) step(a publish.Action) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if a.Op == "upload" {
		p.bytes += a.Size
	}
	if time.Since(p.last) < 100*time.Millisecond && p.done < p.total {
		return
	}
	p.last = time.Now()
	const width = 30
	fill := width
	if p.total > 0 {
		fill = width * p.done / p.total
	}
	fmt.Fprintf(p.w, "\r[%s%s] %d/%d  %s  %s ", strings.Repeat("=", fill), strings.Repeat(" ", width-fill), p.done, p.total, humanBytes(p.bytes), a.Phase)
	p.drawn = true
}

// clear erases the bar so that other output starts on a clean line.
func (p *progressBar) clear() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}
