package notify

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"

	"github.com/heraldstatus/herald/site"
)

// A Recipient is one row of an audience's recipients CSV.
type Recipient struct {
	Line       int
	Name       string
	Email      string
	Phone      string   // E.164
	Components []string // empty: every component
	Channels   []string // empty: every channel of the audience
}

// Wants reports whether the recipient hears about the item: a components
// column narrows what they hear. A summary covers every component, so
// every recipient hears it.
func (r Recipient) Wants(it Item) bool {
	if len(r.Components) == 0 || it.Kind == "summary" {
		return true
	}
	var ids []string
	if it.Incident != nil {
		ids = it.Incident.Affected
	} else {
		ids = it.Maintenance.Components
	}
	for _, c := range r.Components {
		if slices.Contains(ids, c) {
			return true
		}
	}
	return false
}

// Takes reports whether the recipient receives the channel.
func (r Recipient) Takes(channel string) bool {
	return len(r.Channels) == 0 || slices.Contains(r.Channels, channel)
}

// RecipientError is a problem in a recipients file. It never carries an
// address or a number, only a masked form.
type RecipientError struct {
	Path string
	Line int
	Msg  string
}

func (e *RecipientError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return e.Path + ": " + e.Msg
}

var (
	emailRE = regexp.MustCompile(`^[^@\s<>,;"]+@[^@\s<>,;"]+\.[^@\s<>,;"]+$`)
	phoneRE = regexp.MustCompile(`^\+[1-9][0-9]{7,14}$`)
)

var columns = []string{"name", "email", "phone", "components", "channels"}

// ReadRecipients streams the CSV at path from r, calling fn for each valid
// row. Bad rows are reported through bad and skipped; a missing or wrong
// header stops the file. Memory does not grow with the file.
func ReadRecipients(r io.Reader, path string, cfg *site.Config, a *site.Audience, fn func(Recipient) error, bad func(*RecipientError)) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	cr.TrimLeadingSpace = true
	head, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return &RecipientError{Path: path, Line: 1, Msg: "empty file (expected a header row: name,email,phone,components,channels)"}
	}
	if err != nil {
		return &RecipientError{Path: path, Line: 1, Msg: "unreadable header (expected name,email,phone,components,channels)"}
	}
	idx := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(columns, h) {
			return &RecipientError{Path: path, Line: 1, Msg: fmt.Sprintf("unknown column %q (expected a header row of name,email,phone,components,channels)", h)}
		}
		idx[h] = i
	}
	if _, ok := idx["email"]; !ok {
		if _, ok := idx["phone"]; !ok {
			return &RecipientError{Path: path, Line: 1, Msg: "no email or phone column (expected a header row of name,email,phone,components,channels)"}
		}
	}
	field := func(rec []string, name string) string {
		if i, ok := idx[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	list := func(s string) []string {
		var out []string
		for _, f := range strings.Split(s, ";") {
			if f = strings.TrimSpace(f); f != "" {
				out = append(out, f)
			}
		}
		return out
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				bad(&RecipientError{Path: path, Line: pe.Line, Msg: "malformed CSV row (expected comma-separated fields, quotes balanced)"})
				continue
			}
			return err
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		rc := Recipient{Line: line, Name: field(rec, "name"), Email: field(rec, "email"), Phone: field(rec, "phone"),
			Components: list(field(rec, "components")), Channels: list(field(rec, "channels"))}
		var msgs []string
		if rc.Email == "" && rc.Phone == "" {
			msgs = append(msgs, "row has neither email nor phone (expected at least one)")
		}
		if rc.Email != "" && !emailRE.MatchString(rc.Email) {
			msgs = append(msgs, fmt.Sprintf("email %s is not an address (expected name@example.com)", MaskEmail(rc.Email)))
		}
		if rc.Phone != "" && !phoneRE.MatchString(rc.Phone) {
			msgs = append(msgs, fmt.Sprintf("phone %s is not an E.164 number (expected e.g. +15550100142)", MaskPhone(rc.Phone)))
		}
		for _, c := range rc.Components {
			if cfg.Component(c) == nil {
				msgs = append(msgs, fmt.Sprintf("unknown component %q (expected ids from config.toml, separated by ;)", c))
			}
		}
		for _, ch := range rc.Channels {
			if !slices.Contains(site.Channels, ch) {
				msgs = append(msgs, fmt.Sprintf("unknown channel %q (expected %s, separated by ;)", ch, strings.Join(site.Channels, ", ")))
			} else if !slices.Contains(a.Channels, ch) {
				msgs = append(msgs, fmt.Sprintf("channel %q is not one of audience %s's channels (expected %s)", ch, a.ID, strings.Join(a.Channels, ", ")))
			}
		}
		if len(msgs) > 0 {
			for _, m := range msgs {
				bad(&RecipientError{Path: path, Line: line, Msg: m})
			}
			continue
		}
		if err := fn(rc); err != nil {
			return err
		}
	}
}

// MaskEmail hides an address but its first letter and domain:
// "p•••@example.com".
func MaskEmail(s string) string {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" {
		return maskMiddle(s)
	}
	r := []rune(local)
	return string(r[0]) + "•••@" + domain
}

// MaskPhone hides a number but its first five and last four characters:
// "+1555•••0142".
func MaskPhone(s string) string {
	r := []rune(s)
	if len(r) <= 9 {
		return maskMiddle(s)
	}
	return string(r[:5]) + "•••" + string(r[len(r)-4:])
}

func maskMiddle(s string) string {
	r := []rune(s)
	if len(r) <= 2 {
		return "•••"
	}
	return string(r[0]) + "•••" + string(r[len(r)-1])
}
