// Package synth writes synthetic herald sources for benchmarks: a
// config.toml like the shipped sample and any number of incidents, with
// updates, reviews and maintenance windows, in the content format of
// DESIGN.md. The same Options always write the same bytes.
package synth

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// DefaultNow is the Now used when Options.Now is zero: the shipped sample's
// build time.
var DefaultNow = time.Date(2026, 11, 28, 2, 0, 0, 0, time.UTC)

// Options say how much content to write.
type Options struct {
	// Incidents is the number of incident folders.
	Incidents int
	// UpdatesPerIncident is the average number of update files per
	// incident (at least 1; 0 means 5). The total is exactly
	// Incidents × UpdatesPerIncident.
	UpdatesPerIncident int
	// Maintenances is the number of maintenance windows; 0 means one per
	// 20 incidents, at least 3.
	Maintenances int
	// Now is the moment the content is written for: incidents start over
	// the two years before it, the newest few are still active and a few
	// maintenance windows are still to come. Zero means DefaultNow.
	Now time.Time
	// Seed picks the content; the same seed writes the same bytes.
	Seed uint64
}

func (o Options) withDefaults() Options {
	if o.UpdatesPerIncident <= 0 {
		o.UpdatesPerIncident = 5
	}
	if o.Maintenances <= 0 {
		o.Maintenances = max(3, o.Incidents/20)
	}
	if o.Now.IsZero() {
		o.Now = DefaultNow
	}
	o.Now = o.Now.UTC().Truncate(time.Minute)
	return o
}

// Write writes config.toml and content/ into dir, creating dir if needed.
// It refuses a dir that already holds a content/ folder, so that two runs
// never mix.
func Write(dir string, opts Options) error {
	if opts.Incidents < 0 {
		return fmt.Errorf("synth: %d incidents", opts.Incidents)
	}
	opts = opts.withDefaults()
	if _, err := os.Stat(filepath.Join(dir, "content")); err == nil {
		return fmt.Errorf("synth: %s already has a content folder", dir)
	}
	if err := os.MkdirAll(filepath.Join(dir, "content", "incidents"), 0o755); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(dir, "content", "maintenance"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "config.toml"), []byte(configTOML), 0o644); err != nil {
		return err
	}
	counts := updateCounts(opts)
	// Every bundle has its own random stream, so bundles can be written in
	// parallel and still come out the same.
	jobs := make(chan func() error)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for job := range jobs {
				if err := job(); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
	for i := range opts.Incidents {
		jobs <- func() error {
			b := newIncident(opts, i, counts[i])
			return b.write(filepath.Join(dir, "content", "incidents"))
		}
	}
	for i := range opts.Maintenances {
		jobs <- func() error {
			b := newMaintenance(opts, i)
			return b.write(filepath.Join(dir, "content", "maintenance"))
		}
	}
	close(jobs)
	wg.Wait()
	return first
}

// updateCounts spreads Incidents × UpdatesPerIncident updates over the
// incidents: pairs of incidents share 2 × average between them, so counts
// vary from 1 to 2 × average − 1 and the total is exact.
func updateCounts(o Options) []int {
	r := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	avg := o.UpdatesPerIncident
	out := make([]int, o.Incidents)
	for i := 0; i < len(out); i += 2 {
		if i+1 == len(out) {
			out[i] = avg
			break
		}
		d := 0
		if avg > 1 {
			d = r.IntN(2*avg-1) - (avg - 1)
		}
		out[i], out[i+1] = avg+d, avg-d
	}
	return out
}

// A bundle is one folder of content: file names and their text.
type bundle struct {
	slug  string
	names []string
	files []string
}

func (b *bundle) add(name, text string) {
	b.names = append(b.names, name)
	b.files = append(b.files, text)
}

func (b *bundle) write(parent string) error {
	dir := filepath.Join(parent, b.slug)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	for i, name := range b.names {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(b.files[i]), 0o644); err != nil {
			return err
		}
	}
	return nil
}

const configTOML = `# Synthetic status site written by herald's bench/synth for benchmarks.
# It mirrors the shipped sample: eight components in three groups and the
# four audiences of the stakeholder communication matrix.

title = "Synthpay Status"
base_url = "https://status.synthpay.example/"
description = "Live and historical status of Synthpay checkout, card processing, refunds, payouts and merchant tools."
contact = "support@synthpay.example or +1 555 0199 (24/7 for payment outages)"
timezone = "America/New_York"
theme = ""
history_days = 90

[[components]]
id = "checkout-api"
name = "Checkout API"
group = "Payments"
description = "REST API merchants call to create and confirm payments."

[[components]]
id = "hosted-checkout"
name = "Hosted checkout"
group = "Payments"
description = "Hosted payment pages and the embeddable checkout widget."

[[components]]
id = "card-processing"
name = "Card processing"
group = "Payments"
description = "Card authorization, 3-D Secure and capture with our acquiring banks."

[[components]]
id = "refunds"
name = "Refunds"
group = "Money movement"
description = "Full and partial refunds back to the shopper's card or wallet."

[[components]]
id = "payouts"
name = "Payouts"
group = "Money movement"
description = "Settlement of your balance to your bank account."

[[components]]
id = "dashboard"
name = "Merchant dashboard"
group = "Merchant tools"
description = "Sign-in, single sign-on, payments search and settings."

[[components]]
id = "reporting"
name = "Reports & exports"
group = "Merchant tools"
description = "Scheduled reports, CSV exports and the reconciliation files."

[[components]]
id = "webhooks"
name = "Webhooks"
group = "Merchant tools"
description = "Event delivery to your endpoints."

[[audiences]]
id = "executives"
name = "Executive team"
digest = "business"
cadence = "1h"
channels = ["email", "call"]
severities = ["sev1", "sev2"]
recipients = "recipients/executives.csv"

[[audiences]]
id = "it-team"
name = "IT team"
digest = "technical"
cadence = "15m"
channels = ["slack", "webhook"]
recipients = "recipients/it-team.csv"

[[audiences]]
id = "end-users"
name = "End users"
digest = "service"
cadence = "30m"
channels = ["email", "sms"]
recipients = "recipients/end-users.csv"

[[audiences]]
id = "customers"
name = "Customers"
digest = "public"
cadence = "as-needed"
channels = ["banner", "email"]
recipients = "recipients/customers.csv"

[publish]
target = "site-out"

[notify]
driver = "outbox"
`

// Component ids and names, as in configTOML.
var components = []struct{ id, name string }{
	{"checkout-api", "Checkout API"},
	{"hosted-checkout", "Hosted checkout"},
	{"card-processing", "Card processing"},
	{"refunds", "Refunds"},
	{"payouts", "Payouts"},
	{"dashboard", "Merchant dashboard"},
	{"reporting", "Reports & exports"},
	{"webhooks", "Webhooks"},
}

func componentName(id string) string {
	for _, c := range components {
		if c.id == id {
			return c.name
		}
	}
	return id
}

// gen is one bundle's random stream with helpers.
type gen struct {
	r   *rand.Rand
	now time.Time
}

func newGen(seed uint64, stream uint64, now time.Time) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, stream)), now: now}
}

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }

func (g *gen) intn(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

func pick[T any](g *gen, xs []T) T { return xs[g.r.IntN(len(xs))] }

// some picks n distinct elements of xs, in the order of xs.
func some[T any](g *gen, xs []T, n int) []T {
	idx := g.r.Perm(len(xs))[:min(n, len(xs))]
	keep := make([]bool, len(xs))
	for _, i := range idx {
		keep[i] = true
	}
	var out []T
	for i, x := range xs {
		if keep[i] {
			out = append(out, x)
		}
	}
	return out
}

// fill replaces {placeholders} in s.
func (g *gen) fill(s string, vars map[string]string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		key := s[i+1 : i+j]
		if v, ok := vars[key]; ok {
			b.WriteString(v)
		} else {
			b.WriteString(g.word(key))
		}
		s = s[i+j+1:]
	}
}

// word invents the value of a placeholder that is not a fixed variable.
func (g *gen) word(key string) string {
	switch key {
	case "pct":
		return fmt.Sprint(g.intn(2, 95))
	case "smallpct":
		return fmt.Sprintf("%d.%d", g.intn(0, 4), g.intn(0, 9))
	case "n":
		return fmt.Sprint(g.intn(2, 400))
	case "ms":
		return fmt.Sprint(g.intn(3, 60) * 100)
	case "usd":
		return fmt.Sprintf("$%dk", g.intn(3, 480))
	case "host":
		return fmt.Sprintf("%s-%02d", pick(g, hostPrefixes), g.intn(1, 24))
	case "region":
		return pick(g, regions)
	case "runbook":
		return fmt.Sprintf("%s-%d", pick(g, []string{"DB", "NET", "PAY", "OPS", "SEC"}), g.intn(1, 40))
	case "change":
		return fmt.Sprintf("CHG-%d", g.intn(1000, 9999))
	case "ticket":
		return fmt.Sprintf("%s-%d", pick(g, []string{"INC", "FIN", "SUP", "ENG"}), g.intn(100, 9999))
	case "person":
		return pick(g, people)
	case "merchants":
		return fmt.Sprint(g.intn(3, 900))
	case "provider":
		return pick(g, providers)
	}
	return key
}

func stamp(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z07:00") }

// timeText writes t the ways responders do: mostly UTC with Z, sometimes
// with a local offset or without seconds.
func (g *gen) timeText(t time.Time) string {
	switch x := g.r.IntN(20); {
	case x < 15:
		return stamp(t)
	case x < 17:
		return t.In(time.FixedZone("", -5*3600)).Format(time.RFC3339)
	case x < 18:
		return t.In(time.FixedZone("", 3600)).Format(time.RFC3339)
	case x < 19:
		return t.UTC().Format("2006-01-02T15:04Z")
	default:
		return t.UTC().Format("2006-01-02 15:04:05Z")
	}
}

// list writes a YAML list in flow or block style.
func (g *gen) list(b *strings.Builder, key string, xs []string) {
	if g.chance(0.8) {
		fmt.Fprintf(b, "%s: [%s]\n", key, strings.Join(xs, ", "))
		return
	}
	fmt.Fprintf(b, "%s:\n", key)
	for _, x := range xs {
		fmt.Fprintf(b, "  - %s\n", x)
	}
}

// quoteYAML quotes s when a plain scalar would not read back as s.
func quoteYAML(s string) string {
	if strings.ContainsAny(s, ":#'\"[]{},&*!|>%@`") || strings.HasPrefix(s, "-") || strings.HasPrefix(s, "?") {
		return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
	}
	return s
}

func quoteTOML(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
}

func tomlList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = quoteTOML(x)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
