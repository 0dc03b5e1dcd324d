package site

import (
	"cmp"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"time"
)

// CheckConfig is [check] in config.toml.
type CheckConfig struct {
	Disable      []string      // rules not run
	Errors       []string      // rules whose findings are errors, not warnings
	ReviewAfter  time.Duration // missing-review: grace after resolution
	MinWords     int           // vague-update: fewest specific words
	VaguePhrases []string      // vague-update: more generic phrases
}

// The communication lint's rules.
const (
	RuleVague      = "vague-update"
	RuleMissingETA = "missing-eta"
	RuleNextPassed = "next-update-passed"
	RuleOverdue    = "overdue"
	RuleSMSLength  = "sms-length"
	RuleNoReview   = "missing-review"
)

// LintRules lists every rule, for config validation and docs.
var LintRules = []string{RuleVague, RuleMissingETA, RuleNextPassed, RuleOverdue, RuleSMSLength, RuleNoReview}

// A Finding is one communication problem.
type Finding struct {
	Path  string `json:"path"`
	Line  int    `json:"line"`
	Rule  string `json:"rule"`
	Level string `json:"level"` // "error" or "warning"
	Msg   string `json:"message"`
}

func (f Finding) String() string {
	return fmt.Sprintf("%s:%d: %s: %s [%s]", f.Path, f.Line, f.Level, f.Msg, f.Rule)
}

// genericPhrases say nothing a reader can act on.
var genericPhrases = []string{
	"we are currently investigating this issue", "we are investigating this issue", "we are investigating the issue",
	"we are investigating an issue", "we are currently investigating", "we are investigating",
	"we are working on it", "we're working on it", "we are working on a fix", "working on a fix", "we are working to resolve this",
	"we are looking into it", "we're looking into it", "we are looking into this", "looking into it", "looking into this",
	"we are aware of an issue", "we are aware of the issue", "we are aware",
	"more information to follow", "more updates to follow", "more details to follow", "updates to follow", "stay tuned",
	"please stand by", "thank you for your patience", "thanks for your patience",
	"we apologize for the inconvenience", "we apologise for the inconvenience", "sorry for the inconvenience",
	"some users may be experiencing issues", "some users may experience issues", "users may experience issues",
	"an issue", "the issue", "issues",
}

var wordRE = regexp.MustCompile(`[\p{L}\p{N}][\p{L}\p{N}'’:.%-]*`)

// Lint checks the content as communication: what a reader of each update
// and each audience would miss. t renders the SMS the rule sms-length
// measures; now decides what is overdue.
func Lint(s *Site, t *Templates) []Finding {
	c := s.Config.Check
	now := s.Now
	var out []Finding
	add := func(rule, path string, line int, format string, args ...any) {
		if contains(c.Disable, rule) {
			return
		}
		level := "warning"
		if contains(c.Errors, rule) {
			level = "error"
		}
		out = append(out, Finding{Path: path, Line: line, Rule: rule, Level: level, Msg: fmt.Sprintf(format, args...)})
	}
	phrases := append(slices.Clone(c.VaguePhrases), genericPhrases...)
	slices.SortFunc(phrases, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	for i := range phrases {
		phrases[i] = strings.ToLower(phrases[i])
	}

	for _, in := range s.Incidents {
		for _, u := range in.Updates {
			if u.Status == "resolved" {
				continue
			}
			text := strings.ToLower(plainMarkdown(u.Body.PublicMarkdown()))
			text = strings.NewReplacer("’", "'").Replace(text)
			used, at := "", len(text)
			orig := text
			for _, p := range phrases {
				if strings.Contains(text, p) {
					if i := strings.Index(orig, p); i < at {
						used, at = p, i
					}
					text = strings.ReplaceAll(text, p, " ")
				}
			}
			if n := len(wordRE.FindAllString(text, -1)); n < c.MinWords {
				why := fmt.Sprintf("%d specific %s", n, plural(n, "word", "words"))
				if used != "" {
					why += fmt.Sprintf(" besides generic phrases such as %q", used)
				}
				add(RuleVague, u.Path, u.BodyLine, "update says too little (%s; expected what customers see, what is being done and when the next update comes)", why)
			}
		}
		if !in.Active() {
			if in.MaxSeverity.Impact.Rank() >= ImpactMajor.Rank() && in.Review == nil && now.Sub(in.Resolved) > c.ReviewAfter {
				add(RuleNoReview, in.Path, 1, "%s incident resolved %s ago has no post-incident review (expected content/incidents/%s/review.md: herald new review %s)",
					in.MaxSeverity.Name, humanDuration(now.Sub(in.Resolved)), in.Slug, in.Slug)
			}
			continue
		}
		latest := in.Latest()
		path, line, last := in.Path, 1, in.Started
		if latest != nil {
			path, line, last = latest.Path, keyLine(s.src, latest.Path, "at"), latest.At
		}
		if latest != nil && !latest.NextUpdate.IsZero() && now.After(latest.NextUpdate) {
			add(RuleNextPassed, latest.Path, keyLine(s.src, latest.Path, "next_update"), "the next update was promised by %s and is %s late (expected a new update)",
				latest.NextUpdate.UTC().Format(time.RFC3339), humanDuration(now.Sub(latest.NextUpdate)))
		}
		for _, a := range s.Config.Audiences {
			if !in.NotifiedTo(a) || !a.Hears(in.CurrentSeverity.ID) {
				continue
			}
			if a.Digest == "service" && (latest == nil || (latest.ETA.IsZero() && latest.NextUpdate.IsZero())) {
				add(RuleMissingETA, path, line, "no eta or next_update on an active incident (expected one: %s, with the service digest, want to know when it is back or when they will hear more)", a.ID)
			}
			if !a.AsNeeded && now.Sub(last) > a.Cadence {
				add(RuleOverdue, path, line, "audience %s is overdue by %s (its cadence is %s; the last update was %s ago)",
					a.ID, humanDuration(now.Sub(last)-a.Cadence), humanDuration(a.Cadence), humanDuration(now.Sub(last)))
			}
			if t != nil && latest != nil && contains(a.Channels, "sms") {
				if m, err := t.SMS(s.IncidentDigest(in, a)); err == nil && m.FullSegments > MaxSMSSegments {
					add(RuleSMSLength, latest.Path, latest.BodyLine, "the SMS to %s would take %d segments (expected at most %d; it will be cut: shorten the first paragraph)", a.ID, m.FullSegments, MaxSMSSegments)
				}
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Msg, b.Msg))
	})
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// keyLine finds the line of a front-matter key in a content file.
func keyLine(fsys fs.FS, p, key string) int {
	if fsys == nil {
		return 1
	}
	src, err := fs.ReadFile(fsys, p)
	if err != nil {
		return 1
	}
	for i, line := range strings.Split(normalize(src), "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, key+":") || strings.HasPrefix(t, key+" =") || strings.HasPrefix(t, key+"=") {
			return i + 1
		}
	}
	return 1
}
