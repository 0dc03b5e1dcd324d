package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	"github.com/heraldstatus/herald/site"
	"github.com/spf13/cobra"
)

type reportFlags struct {
	buildFlags
	since, from, to, out string
}

func reportCmd() *cobra.Command {
	var f reportFlags
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Write the executive incident report (HTML, Markdown, JSON) into report/",
		Long: `report measures the incidents of a period against the period before it:
counts by severity and component, time to detect, acknowledge, identify and
resolve (mean and median), uptime as the status page counts it, estimated
downtime cost (components' cost_per_hour), repeat incidents, review coverage
and action items. It writes report.html (inline SVG charts, no script, A4 print
layout), report.md and report.json.

The report is private: it counts internal incidents (public: false) too. It is
written beside public/, never into it.

The period is --since (days or weeks ending today, in the display time zone:
the default 90d matches the status page's 90-day uptime bars) or --from and
--to (whole days; --to defaults to today). --now sets today.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runReport(cmd, f)
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&f.since, "since", "", "the period: the last N days or weeks, e.g. 90d or 12w (default 90d)")
	cmd.Flags().StringVar(&f.from, "from", "", "the period's first day, YYYY-MM-DD (instead of --since)")
	cmd.Flags().StringVar(&f.to, "to", "", "the period's last day, YYYY-MM-DD (with --from; default today)")
	cmd.Flags().StringVar(&f.out, "out", "", "folder to write into (default report/ in the source folder, beside public/)")
	return cmd
}

func runReport(cmd *cobra.Command, f reportFlags) error {
	now, err := f.clock()
	if err != nil {
		return err
	}
	s, err := site.Load(os.DirFS(f.source), site.Options{Now: now})
	if err != nil {
		return reportProblems(cmd, f.source, err)
	}
	p, err := reportPeriod(f, now, s.Config.Location)
	if err != nil {
		return err
	}
	out := f.out
	if out == "" {
		out = filepath.Join(f.source, "report")
	}
	if abs, err := filepath.Abs(out); err == nil {
		if pub, err := filepath.Abs(filepath.Join(f.source, "public")); err == nil && within(abs, pub) {
			return fmt.Errorf("--out %s is inside public/: the report is private (it counts internal incidents); write it elsewhere", out)
		}
	}
	theme, err := loadTheme(f.source, s.Config.Theme)
	if err != nil {
		return err
	}
	t, err := site.LoadTemplates(theme, s.Config)
	if err != nil {
		return err
	}
	r := site.NewReport(s, p)
	html, err := t.ReportHTML(r)
	if err != nil {
		return err
	}
	md, err := t.ReportMarkdown(r)
	if err != nil {
		return err
	}
	js, err := r.JSON()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, file := range []struct {
		name string
		data []byte
	}{{"report.html", html}, {"report.md", md}, {"report.json", js}} {
		if err := writeFileAtomic(filepath.Join(out, file.name), file.data); err != nil {
			return err
		}
	}
	w := cmd.OutOrStdout()
	printHeadlines(w, r)
	fmt.Fprintf(w, "wrote report.html, report.md and report.json into %s\nopen %s\n", out, filepath.Join(out, "report.html"))
	return nil
}

func printHeadlines(w io.Writer, r *site.Report) {
	loc := r.Config.Location
	fmt.Fprintf(w, "%s, %s (private: internal incidents included)\n", r.Config.Title, r.Current.Period.Dates(loc))
	for _, h := range r.Headlines {
		fmt.Fprintln(w, "  "+h)
	}
}

var sinceRE = regexp.MustCompile(`^(\d{1,4})([dw])$`)

// reportPeriod turns --since or --from/--to into a period of whole days
// in the display time zone.
func reportPeriod(f reportFlags, now time.Time, loc *time.Location) (site.Period, error) {
	if f.from == "" {
		if f.to != "" {
			return site.Period{}, fmt.Errorf("--to needs --from (or use --since)")
		}
		since := f.since
		if since == "" {
			since = "90d"
		}
		m := sinceRE.FindStringSubmatch(since)
		if m == nil {
			return site.Period{}, fmt.Errorf("--since %q is not a number of days or weeks (expected e.g. 90d or 12w)", since)
		}
		n, _ := strconv.Atoi(m[1])
		if m[2] == "w" {
			n *= 7
		}
		if n < 1 || n > 3660 {
			return site.Period{}, fmt.Errorf("--since %q is out of range (expected 1d to 3660d)", since)
		}
		return site.LastDays(n, now, loc), nil
	}
	if f.since != "" {
		return site.Period{}, fmt.Errorf("--since and --from both give the period: use one")
	}
	from, err := time.Parse(time.DateOnly, f.from)
	if err != nil {
		return site.Period{}, fmt.Errorf("--from %q is not a date (expected YYYY-MM-DD)", f.from)
	}
	to := now.In(loc)
	if f.to != "" {
		if to, err = time.Parse(time.DateOnly, f.to); err != nil {
			return site.Period{}, fmt.Errorf("--to %q is not a date (expected YYYY-MM-DD)", f.to)
		}
	}
	return site.DateRange(from, to, now, loc)
}

// writeFileAtomic replaces name with data, never leaving half a file.
func writeFileAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".new-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
