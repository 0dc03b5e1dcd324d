package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/heraldstatus/herald/site"
	"github.com/spf13/cobra"
)

// newCmd scaffolds content: files that build as written, with hints in
// comments, so that a responder at 3 AM only fills in words.
func newCmd() *cobra.Command {
	var source, now string
	cmd := &cobra.Command{
		Use:   "new",
		Short: "Scaffold an incident, an update, a maintenance window or a review",
	}
	cmd.PersistentFlags().StringVar(&source, "source", ".", "folder holding config.toml and content/")
	cmd.PersistentFlags().StringVar(&now, "now", "", "the time to write (default: the clock, in UTC)")
	clock := func() (time.Time, error) {
		f := buildFlags{now: now}
		t, err := f.clock()
		return t.UTC(), err
	}
	scaffold := func(cmd *cobra.Command, write func(cfg *site.Config, t time.Time) ([]string, error)) error {
		t, err := clock()
		if err != nil {
			return err
		}
		cfg, err := site.LoadConfig(os.DirFS(source))
		if err != nil {
			return reportProblems(cmd, source, err)
		}
		paths, err := write(cfg, t)
		if err != nil {
			return err
		}
		for _, p := range paths {
			fmt.Fprintln(cmd.OutOrStdout(), filepath.Join(source, filepath.FromSlash(p)))
		}
		return nil
	}

	var sev, comps, status, start, end string
	incident := &cobra.Command{
		Use:   "incident TITLE",
		Short: "Start an incident: its folder, incident.md and a first update",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return scaffold(cmd, func(cfg *site.Config, t time.Time) ([]string, error) {
				return newIncident(source, cfg, t, args[0], sev, splitList(comps))
			})
		},
	}
	incident.Flags().StringVar(&sev, "severity", "", "severity id (e.g. sev2)")
	incident.Flags().StringVar(&comps, "components", "", "affected component ids, comma-separated")
	_ = incident.MarkFlagRequired("severity")
	_ = incident.MarkFlagRequired("components")

	upd := &cobra.Command{
		Use:   "update SLUG",
		Short: "Add an update to an incident, carrying its components and impact forward",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return scaffold(cmd, func(cfg *site.Config, t time.Time) ([]string, error) {
				return newUpdate(source, cfg, t, args[0], status)
			})
		},
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return incidentSlugs(source, true), cobra.ShellCompDirectiveNoFileComp
		},
	}
	upd.Flags().StringVar(&status, "status", "", "investigating, identified, monitoring or resolved (default: the current status)")

	var mcomps string
	maint := &cobra.Command{
		Use:   "maintenance TITLE",
		Short: "Schedule a maintenance window",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return scaffold(cmd, func(cfg *site.Config, t time.Time) ([]string, error) {
				return newMaintenance(source, cfg, t, args[0], start, end, splitList(mcomps))
			})
		},
	}
	maint.Flags().StringVar(&start, "start", "", "scheduled start, RFC 3339 with an offset")
	maint.Flags().StringVar(&end, "end", "", "scheduled end, RFC 3339 with an offset")
	maint.Flags().StringVar(&mcomps, "components", "", "component ids, comma-separated")
	for _, f := range []string{"start", "end", "components"} {
		_ = maint.MarkFlagRequired(f)
	}

	review := &cobra.Command{
		Use:   "review SLUG",
		Short: "Start the post-incident review of an incident",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return scaffold(cmd, func(cfg *site.Config, t time.Time) ([]string, error) {
				return newReview(source, cfg, t, args[0])
			})
		},
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return incidentSlugs(source, false), cobra.ShellCompDirectiveNoFileComp
		},
	}

	// Completion for flag values, from config.toml.
	complete := func(list func(*site.Config) []string, multi bool) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return func(_ *cobra.Command, _ []string, typed string) ([]string, cobra.ShellCompDirective) {
			cfg, err := site.LoadConfig(os.DirFS(source))
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			prefix := ""
			if i := strings.LastIndexByte(typed, ','); multi && i >= 0 {
				prefix = typed[:i+1]
			}
			var out []string
			for _, v := range list(cfg) {
				out = append(out, prefix+v)
			}
			dir := cobra.ShellCompDirectiveNoFileComp
			if multi {
				dir |= cobra.ShellCompDirectiveNoSpace
			}
			return out, dir
		}
	}
	severities := func(c *site.Config) []string {
		var out []string
		for _, s := range c.Severities {
			out = append(out, s.ID)
		}
		return out
	}
	components := func(c *site.Config) []string {
		var out []string
		for _, x := range c.Components {
			out = append(out, x.ID)
		}
		return out
	}
	_ = incident.RegisterFlagCompletionFunc("severity", complete(severities, false))
	_ = incident.RegisterFlagCompletionFunc("components", complete(components, true))
	_ = maint.RegisterFlagCompletionFunc("components", complete(components, true))
	_ = upd.RegisterFlagCompletionFunc("status", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return site.IncidentStatuses, cobra.ShellCompDirectiveNoFileComp
	})

	cmd.AddCommand(incident, upd, maint, review)
	return cmd
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, f)
	}
	return out
}

// reportProblems prints content problems as path:line and turns them into
// exit code 1.
func reportProblems(cmd *cobra.Command, source string, err error) error {
	var ps site.Problems
	if !errors.As(err, &ps) {
		return err
	}
	printProblems(cmd.ErrOrStderr(), source, ps, "")
	return exitError{1}
}

// problemLine is a content problem as path:line: message, with the path
// as the user named the source folder.
func problemLine(source string, p site.Problem) string {
	return displayPath(source, p.Path) + strings.TrimPrefix(p.String(), p.Path)
}

// printProblems prints every problem, then, when consequence is set, one
// line counting them and saying what that means.
func printProblems(w io.Writer, source string, ps site.Problems, consequence string) {
	for _, p := range ps {
		fmt.Fprintln(w, problemLine(source, p))
	}
	if consequence != "" {
		fmt.Fprintf(w, "herald: %d %s; %s\n", len(ps), plural(len(ps), "problem", "problems"), consequence)
	}
}

func displayPath(source, p string) string {
	if source == "." || source == "" {
		return p
	}
	return filepath.ToSlash(filepath.Join(source, p))
}

// incidentSlugs lists incident folders, newest first; active ones only
// when asked (for completing `new update`).
func incidentSlugs(source string, activeOnly bool) []string {
	entries, err := os.ReadDir(filepath.Join(source, "content", "incidents"))
	if err != nil {
		return nil
	}
	var cfg *site.Config
	if activeOnly {
		cfg, _ = site.LoadConfig(os.DirFS(source))
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		if cfg != nil {
			if in, err := site.LoadIncident(os.DirFS(source), cfg, e.Name()); err == nil && !in.Active() {
				continue
			}
		}
		out = append(out, e.Name())
	}
	sort.Sort(sort.Reverse(sort.StringSlice(out)))
	return out
}

var nonSlugRE = regexp.MustCompile(`[^a-z0-9]+`)

// slugFor makes a folder name from a date and a title.
func slugFor(t time.Time, title string) string {
	s := strings.Trim(nonSlugRE.ReplaceAllString(strings.ToLower(title), "-"), "-")
	if len(s) > 48 {
		s = strings.TrimRight(s[:48], "-")
		if i := strings.LastIndexByte(s, '-'); i > 24 {
			s = s[:i]
		}
	}
	if s == "" {
		s = "incident"
	}
	return t.Format("2006-01-02") + "-" + s
}

// writeNew creates a file, refusing to overwrite one.
func writeNew(source, rel, text string) error {
	p := filepath.Join(source, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s already exists; herald new never overwrites a file", p)
		}
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func checkComponents(cfg *site.Config, ids []string) error {
	if len(ids) == 0 {
		return fmt.Errorf("--components is empty (expected ids from config.toml: %s)", strings.Join(componentIDs(cfg), ", "))
	}
	for _, id := range ids {
		if cfg.Component(id) == nil {
			return fmt.Errorf("unknown component %q (expected one of %s)", id, strings.Join(componentIDs(cfg), ", "))
		}
	}
	return nil
}

func componentIDs(cfg *site.Config) []string {
	var out []string
	for _, c := range cfg.Components {
		out = append(out, c.ID)
	}
	return out
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// yamlString quotes a title for YAML front matter.
func yamlString(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func yamlList(ids []string) string { return "[" + strings.Join(ids, ", ") + "]" }

// updateName names an update file by its time, adding seconds if an update
// in the same minute exists.
func updateName(source, dir string, t time.Time) string {
	name := t.Format("2006-01-02T1504Z") + ".md"
	if _, err := os.Stat(filepath.Join(source, filepath.FromSlash(dir), name)); err == nil {
		name = t.Format("2006-01-02T150405Z") + ".md"
	}
	return dir + "/" + name
}

const blockHints = `<!-- Audience blocks carry what only some audiences may read; they never reach
the public site. Delete what you don't need:

::: for %s
Technical detail: hosts, metrics, runbook, what we tried.
:::

::: internal
For every audience that is not public.
:::
-->
`

func audienceHint(cfg *site.Config) string {
	for _, a := range cfg.Audiences {
		if a.Digest == "technical" {
			return fmt.Sprintf(blockHints, a.ID)
		}
	}
	if len(cfg.Audiences) > 0 {
		return fmt.Sprintf(blockHints, cfg.Audiences[0].ID)
	}
	return ""
}

func newIncident(source string, cfg *site.Config, t time.Time, title, sevID string, comps []string) ([]string, error) {
	if strings.TrimSpace(title) == "" {
		return nil, errors.New("the title is empty (expected one line saying what is wrong)")
	}
	sev := cfg.Severity(sevID)
	if sev == nil {
		var ids []string
		for _, s := range cfg.Severities {
			ids = append(ids, s.ID)
		}
		return nil, fmt.Errorf("unknown severity %q (expected one of %s)", sevID, strings.Join(ids, ", "))
	}
	if err := checkComponents(cfg, comps); err != nil {
		return nil, err
	}
	slug := slugFor(t, title)
	dir := "content/incidents/" + slug
	if _, err := os.Stat(filepath.Join(source, filepath.FromSlash(dir))); err == nil {
		return nil, fmt.Errorf("%s already exists; herald new never overwrites (pick another title, or add an update with: herald new update %s)", filepath.Join(source, filepath.FromSlash(dir)), slug)
	}
	inc := fmt.Sprintf(`---
title: %s
severity: %s
components: %s
started: %s      # when impact began: move it back if it began earlier
detected: %s     # when the team knew
# acknowledged: %s   # when triage was done
# commander: Your Name
# responders: [Name, Name]
# tags: [database]
# audiences: [it-team]          # only these audiences are notified
# public: false                 # keep this incident off the public site
---
<!-- Optional public summary of the incident, shown above its updates. -->
`, yamlString(title), sev.ID, yamlList(comps), ts(t), ts(t), ts(t))
	var impact strings.Builder
	for _, c := range comps {
		fmt.Fprintf(&impact, "  %s: %s\n", c, sev.DefaultStatus)
	}
	upd := fmt.Sprintf(`---
at: %s
status: investigating
impact:               # operational, degraded_performance, partial_outage, major_outage
%snext_update: %s
# eta: %s    # expected restoration
---
<!-- Public: what customers see, what we are doing, when the next update comes. -->
We are investigating %s.

%s`, ts(t), impact.String(), ts(t.Add(30*time.Minute)), ts(t.Add(2*time.Hour)), lowerFirst(title), audienceHint(cfg))
	incPath := dir + "/incident.md"
	updPath := updateName(source, dir, t)
	if err := writeNew(source, incPath, inc); err != nil {
		return nil, err
	}
	if err := writeNew(source, updPath, upd); err != nil {
		return nil, err
	}
	return []string{incPath, updPath}, nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	if len(s) > 1 && s[1] >= 'A' && s[1] <= 'Z' { // an acronym: keep it
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func newUpdate(source string, cfg *site.Config, t time.Time, slug, status string) ([]string, error) {
	in, err := site.LoadIncident(os.DirFS(source), cfg, slug)
	if err != nil {
		var ps site.Problems
		if errors.As(err, &ps) {
			return nil, fmt.Errorf("incident %s does not load; fix it first:\n%s", slug, ps.Error())
		}
		if known := incidentSlugs(source, true); len(known) > 0 {
			return nil, fmt.Errorf("%w; active incidents: %s", err, strings.Join(known, ", "))
		}
		return nil, err
	}
	if !in.Active() {
		return nil, fmt.Errorf("incident %s is resolved; a recurrence is a new incident (herald new incident)", slug)
	}
	if status == "" {
		status = in.Status
	}
	if !slices.Contains(site.IncidentStatuses, status) {
		return nil, fmt.Errorf("unknown status %q (expected %s)", status, strings.Join(site.IncidentStatuses, ", "))
	}
	if latest := in.Latest(); latest != nil && t.Before(latest.At) {
		t = latest.At // never before the latest update
	}
	var fm strings.Builder
	fmt.Fprintf(&fm, "---\nat: %s\nstatus: %s\n", ts(t), status)
	if status != "resolved" {
		fm.WriteString("impact:               # operational, degraded_performance, partial_outage, major_outage\n")
		for _, c := range in.Affected {
			fmt.Fprintf(&fm, "  %s: %s\n", c, in.ComponentStatus(c))
		}
		fmt.Fprintf(&fm, "next_update: %s\n", ts(t.Add(30*time.Minute)))
		if l := in.Latest(); l != nil && !l.ETA.IsZero() {
			fmt.Fprintf(&fm, "# eta: %s    # expected restoration, carried over until replaced\n", ts(l.ETA))
		} else {
			fmt.Fprintf(&fm, "# eta: %s    # expected restoration\n", ts(t.Add(2*time.Hour)))
		}
		fmt.Fprintf(&fm, "# severity: %s    # re-triage from this update on\n", in.CurrentSeverity.ID)
	}
	fm.WriteString("---\n")
	switch status {
	case "resolved":
		fm.WriteString("<!-- Public: what was wrong, since when it works again, what happens next (a review?). -->\nThis incident is resolved.\n\n")
	default:
		fm.WriteString("<!-- Public: what changed since the last update, what customers see, what we are doing, when the next update comes. -->\n\n\n")
	}
	fm.WriteString(audienceHint(cfg))
	p := updateName(source, "content/incidents/"+slug, t)
	if err := writeNew(source, p, fm.String()); err != nil {
		return nil, err
	}
	return []string{p}, nil
}

func newMaintenance(source string, cfg *site.Config, _ time.Time, title, start, end string, comps []string) ([]string, error) {
	from, err := time.Parse(time.RFC3339, start)
	if err != nil {
		return nil, fmt.Errorf("--start %q is not an RFC 3339 time with an offset (e.g. 2026-12-09T07:00:00Z)", start)
	}
	to, err := time.Parse(time.RFC3339, end)
	if err != nil {
		return nil, fmt.Errorf("--end %q is not an RFC 3339 time with an offset (e.g. 2026-12-09T09:00:00Z)", end)
	}
	if !to.After(from) {
		return nil, fmt.Errorf("--end %s is not after --start %s", end, start)
	}
	if err := checkComponents(cfg, comps); err != nil {
		return nil, err
	}
	dir := "content/maintenance/" + slugFor(from, title)
	text := fmt.Sprintf(`---
title: %s
components: %s
scheduled_start: %s
scheduled_end: %s
# audiences: [it-team, end-users]   # only these audiences are notified
---
<!-- Public: what changes, what customers will notice during the window, what to do. -->
We will carry out maintenance on %s.

%s`, yamlString(title), yamlList(comps), ts(from), ts(to), strings.Join(componentNames(cfg, comps), ", "), audienceHint(cfg))
	p := dir + "/maintenance.md"
	if err := writeNew(source, p, text); err != nil {
		return nil, err
	}
	return []string{p}, nil
}

func componentNames(cfg *site.Config, ids []string) []string {
	var out []string
	for _, id := range ids {
		out = append(out, cfg.Component(id).Name)
	}
	return out
}

func newReview(source string, cfg *site.Config, t time.Time, slug string) ([]string, error) {
	in, err := site.LoadIncident(os.DirFS(source), cfg, slug)
	if err != nil {
		return nil, err
	}
	var tl strings.Builder
	tl.WriteString("| time (UTC) | what happened |\n|---|---|\n")
	fmt.Fprintf(&tl, "| %s | impact began |\n", in.Started.UTC().Format("Jan 2 15:04"))
	if !in.Detected.IsZero() {
		fmt.Fprintf(&tl, "| %s | detected |\n", in.Detected.UTC().Format("Jan 2 15:04"))
	}
	for _, u := range in.Updates {
		fmt.Fprintf(&tl, "| %s | %s |\n", u.At.UTC().Format("Jan 2 15:04"), site.StatusLabel(u.Status))
	}
	text := fmt.Sprintf(`---
published: false            # true puts the review on the incident's public page
root_cause: ""              # one line
action_items:               # status: open or done; due: a date
  - title: "First preventive action"
    owner: ""
    status: open
    due: %s
---
<!-- The body is public once published; audience blocks work here too. -->
## Summary

## Timeline

%s
## Root cause

## What went well

## What we will change
`, t.AddDate(0, 0, 14).Format("2006-01-02"), tl.String())
	p := "content/incidents/" + slug + "/review.md"
	if err := writeNew(source, p, text); err != nil {
		return nil, err
	}
	return []string{p}, nil
}
