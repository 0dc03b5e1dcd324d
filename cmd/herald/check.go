package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/heraldstatus/herald/site"
	"github.com/spf13/cobra"
)

func checkCmd() *cobra.Command {
	var f buildFlags
	var format string
	var strict bool
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Validate the content and lint it as communication: vague updates, missed promises, overdue audiences",
		Long: `check reports everything build would reject, plus communication findings:

  vague-update        an update that says little beyond generic phrases
  missing-eta         an active incident with neither eta nor next_update, for service-digest audiences
  next-update-passed  a promised next_update that has passed
  overdue             an audience whose cadence has passed with no update
  sms-length          an SMS that would take more than two segments
  missing-review      a resolved sev1/sev2 incident with no review after [check] review_after_days

Exit status: 0 when clean (warnings allowed), 1 on errors (or on warnings with --strict).
Rules are tuned in config.toml: [check] disable = [...], errors = [...], review_after_days, min_words, vague_phrases.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch format {
			case "text", "json", "github":
			default:
				return fmt.Errorf("--format %q is not text, json or github", format)
			}
			now, err := f.clock()
			if err != nil {
				return err
			}
			findings, err := check(f.source, now)
			if err != nil {
				return err
			}
			if strict {
				for i := range findings {
					findings[i].Level = "error"
				}
			}
			if err := printFindings(cmd.OutOrStdout(), format, f.source, findings); err != nil {
				return err
			}
			errs, warns := 0, 0
			for _, x := range findings {
				if x.Level == "error" {
					errs++
				} else {
					warns++
				}
			}
			if format == "text" {
				if len(findings) == 0 {
					fmt.Fprintln(cmd.ErrOrStderr(), "herald check: no problems")
				} else {
					fmt.Fprintf(cmd.ErrOrStderr(), "herald check: %d %s, %d %s\n", errs, plural(errs, "error", "errors"), warns, plural(warns, "warning", "warnings"))
				}
			}
			if errs > 0 {
				return exitError{1}
			}
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "output: text, json or github (GitHub Actions annotations)")
	cmd.Flags().BoolVar(&strict, "strict", false, "treat warnings as errors")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]string{"text", "json", "github"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// check loads the content and lints it. Content problems come back as
// findings of level error, so one report holds everything.
func check(source string, now time.Time) ([]site.Finding, error) {
	fsys := os.DirFS(source)
	s, err := site.Load(fsys, site.Options{Now: now})
	if err != nil {
		var ps site.Problems
		if !errors.As(err, &ps) {
			return nil, err
		}
		out := make([]site.Finding, len(ps))
		for i, p := range ps {
			out[i] = site.Finding{Path: p.Path, Line: p.Line, Rule: "content", Level: "error", Msg: p.Msg}
		}
		return out, nil
	}
	theme, err := loadTheme(source, s.Config.Theme)
	if err != nil {
		return nil, err
	}
	t, err := site.LoadTemplates(theme, s.Config)
	if err != nil {
		return nil, err
	}
	return site.Lint(s, t), nil
}

func printFindings(w io.Writer, format, source string, fs []site.Finding) error {
	for i := range fs {
		fs[i].Path = displayPath(source, fs[i].Path)
	}
	switch format {
	case "json":
		if fs == nil {
			fs = []site.Finding{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(fs)
	case "github":
		for _, f := range fs {
			fmt.Fprintf(w, "::%s file=%s,line=%d,title=%s::%s\n", f.Level, ghProperty(f.Path), max(f.Line, 1), ghProperty("herald "+f.Rule), ghData(f.Msg))
		}
		return nil
	}
	for _, f := range fs {
		if f.Line > 0 {
			fmt.Fprintf(w, "%s:%d: %s: %s [%s]\n", f.Path, f.Line, f.Level, f.Msg, f.Rule)
		} else {
			fmt.Fprintf(w, "%s: %s: %s [%s]\n", f.Path, f.Level, f.Msg, f.Rule)
		}
	}
	return nil
}

// GitHub Actions workflow commands escape their data and properties.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
