package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/heraldstatus/herald/notify"
	"github.com/heraldstatus/herald/site"
	"github.com/spf13/cobra"
)

// notifySettings is [notify] in config.toml. Secrets never live there:
// they come from the environment.
type notifySettings struct {
	Drivers       map[string]string // channel → outbox, smtp, ses, twilio, http
	Outbox        string
	Ledger        string
	From          string
	FromName      string
	SMSFrom       string
	UnsubMailto   string
	UnsubURL      string
	WebhookURL    string
	Horizon       time.Duration
	Concurrency   int
	SMSAll        bool
	Rates         map[string]int
	SMTPTimeout   time.Duration
	ledgerIsS3    bool
	recipientsDir string
}

var notifyKeys = []string{"driver", "email", "sms", "call", "slack", "webhook", "outbox", "ledger", "from", "from_name", "sms_from",
	"unsubscribe_mailto", "unsubscribe_url", "webhook_url", "horizon", "concurrency", "sms_all", "rate"}

// readNotifySettings interprets the [notify] table, with defaults that
// need no credentials: every channel to the outbox folder.
func readNotifySettings(cfg *site.Config, source string) (*notifySettings, error) {
	raw := cfg.Notify
	ns := &notifySettings{
		Drivers: map[string]string{}, Outbox: filepath.Join(source, "outbox"), Ledger: filepath.Join(source, ".herald", "ledger"),
		Horizon: 24 * time.Hour, Concurrency: 16, Rates: map[string]int{},
	}
	str := func(k string) (string, error) {
		v, ok := raw[k]
		if !ok {
			return "", nil
		}
		s, ok := v.(string)
		if !ok {
			return "", fmt.Errorf("config.toml: [notify] %s must be a string", k)
		}
		return s, nil
	}
	for k := range raw {
		if !slices.Contains(notifyKeys, k) {
			return nil, fmt.Errorf("config.toml: unknown key %q in [notify] (expected one of %s)", k, strings.Join(notifyKeys, ", "))
		}
	}
	def, err := str("driver")
	if err != nil {
		return nil, err
	}
	if def == "" {
		def = "outbox"
	}
	valid := map[string][]string{"email": {"outbox", "smtp", "ses"}, "sms": {"outbox", "twilio"}, "call": {"outbox", "twilio"}, "slack": {"outbox", "http"}, "webhook": {"outbox", "http"}}
	for ch, allowed := range valid {
		d, err := str(ch)
		if err != nil {
			return nil, err
		}
		if d == "" {
			d = def
			if d == "live" {
				d = map[string]string{"email": "smtp", "sms": "twilio", "call": "twilio", "slack": "http", "webhook": "http"}[ch]
			}
		}
		if !slices.Contains(allowed, d) {
			return nil, fmt.Errorf("config.toml: [notify] %s = %q (expected %s)", ch, d, strings.Join(allowed, ", "))
		}
		ns.Drivers[ch] = d
	}
	for k, dst := range map[string]*string{"from": &ns.From, "from_name": &ns.FromName, "sms_from": &ns.SMSFrom,
		"unsubscribe_mailto": &ns.UnsubMailto, "unsubscribe_url": &ns.UnsubURL, "webhook_url": &ns.WebhookURL} {
		if *dst, err = str(k); err != nil {
			return nil, err
		}
	}
	if o, _ := str("outbox"); o != "" {
		ns.Outbox = filepath.Join(source, o)
	}
	if l, _ := str("ledger"); l != "" {
		if strings.HasPrefix(l, "s3://") {
			ns.Ledger, ns.ledgerIsS3 = l, true
		} else {
			ns.Ledger = filepath.Join(source, l)
		}
	}
	if h, _ := str("horizon"); h != "" {
		d, err := time.ParseDuration(h)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("config.toml: [notify] horizon %q is not a duration (expected e.g. \"24h\")", h)
		}
		ns.Horizon = d
	}
	if v, ok := raw["concurrency"].(int64); ok && v > 0 {
		ns.Concurrency = int(v)
	}
	if v, ok := raw["sms_all"].(bool); ok {
		ns.SMSAll = v
	}
	if rates, ok := raw["rate"].(map[string]any); ok {
		for ch, v := range rates {
			n, ok := v.(int64)
			if !ok || n < 0 {
				return nil, fmt.Errorf("config.toml: [notify.rate] %s must be a whole number of messages per second", ch)
			}
			ns.Rates[ch] = int(n)
		}
	}
	if ns.From == "" {
		ns.From = "status@" + hostOf(cfg.BaseURL)
	}
	if ns.FromName == "" {
		ns.FromName = cfg.Title
	}
	if ns.UnsubMailto == "" {
		ns.UnsubMailto = "mailto:" + ns.From + "?subject=unsubscribe"
	}
	ns.recipientsDir = source
	return ns, nil
}

func hostOf(u string) string {
	u = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
	if i := strings.IndexAny(u, "/:"); i >= 0 {
		u = u[:i]
	}
	if u == "" {
		return "localhost"
	}
	return u
}

func notifyCmd() *cobra.Command {
	var f buildFlags
	var dryRun bool
	var concurrency int
	cmd := &cobra.Command{
		Use:   "notify",
		Short: "Send the notices each audience is due, over its channels, exactly once",
		Long: `notify works out, for every audience in config.toml, which notices are due:
milestones (a new incident, a status change, a severity raise, resolution, maintenance
start and end) at once, other updates when the audience's cadence has passed. It renders
them from the theme (the digests' templates) and sends them over the audience's channels
to the people in its recipients CSV. Every delivery is recorded in a ledger, so reruns,
crashes and concurrent runs never send one twice. With no credentials, everything goes
to the outbox folder as files a person can open.

An audience with summary = "weekly" or "monthly" also gets the executive report
(as herald report writes it) of the last completed week or month, once: by email,
the headlines as text and the report as HTML; on Slack its headlines; on a webhook
its headlines and Markdown.

Secrets come from the environment only: HERALD_SMTP_URL, TWILIO_ACCOUNT_SID and
TWILIO_AUTH_TOKEN, HERALD_SLACK_WEBHOOK_URL (or HERALD_SLACK_WEBHOOK_URL_<AUDIENCE>),
HERALD_WEBHOOK_SECRET, HERALD_RECIPIENT_KEY, and AWS's standard chain for SES and an
S3 ledger.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runNotify(cmd.Context(), f, dryRun, concurrency, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&dryRun, "dry-run", false, "print the plan (audience, channel, item, kind, recipients) and send nothing")
	cmd.Flags().IntVar(&concurrency, "concurrency", 0, "parallel sends (default [notify] concurrency, or 16)")
	cmd.AddCommand(suppressCmd())
	return cmd
}

func runNotify(ctx context.Context, f buildFlags, dryRun bool, concurrency int, stdout, stderr io.Writer) error {
	now, err := f.clock()
	if err != nil {
		return err
	}
	fsys := os.DirFS(f.source)
	s, err := site.Load(fsys, site.Options{Now: now})
	if err != nil {
		var ps site.Problems
		if errors.As(err, &ps) {
			printProblems(stderr, f.source, ps, "nothing sent")
			return exitError{1}
		}
		return err
	}
	ns, err := readNotifySettings(s.Config, f.source)
	if err != nil {
		return err
	}
	if concurrency > 0 {
		ns.Concurrency = concurrency
	}
	theme, err := loadTheme(f.source, s.Config.Theme)
	if err != nil {
		return err
	}
	t, err := site.LoadTemplates(theme, s.Config)
	if err != nil {
		return err
	}
	ledger, key, err := openLedger(ctx, ns)
	if err != nil {
		return err
	}
	cursors, err := ledger.Cursors(ctx)
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	notices := notify.Plan(s, cursors, notify.PlanOptions{Now: now, Horizon: ns.Horizon})
	comp := &notify.Composer{Site: s, Templates: t, Key: key, Now: now, From: ns.From, FromName: ns.FromName, SMSFrom: ns.SMSFrom,
		UnsubscribeMailto: ns.UnsubMailto, UnsubscribeURL: ns.UnsubURL, WebhookSecret: []byte(os.Getenv("HERALD_WEBHOOK_SECRET"))}
	r := &notify.Runner{
		Composer: comp, Ledger: ledger, Concurrency: ns.Concurrency, Limits: ns.Rates, SMSAll: ns.SMSAll, Log: stderr,
		Recipients: func(a *site.Audience) (io.ReadCloser, string, error) {
			if a.Recipients == "" {
				return nil, "(none)", fmt.Errorf("no recipients file in config.toml (expected recipients = \"recipients/%s.csv\")", a.ID)
			}
			rc, err := os.Open(filepath.Join(ns.recipientsDir, filepath.FromSlash(a.Recipients)))
			return rc, a.Recipients, err
		},
		Endpoint: func(a *site.Audience, channel string) string {
			switch channel {
			case "slack":
				if u := os.Getenv("HERALD_SLACK_WEBHOOK_URL_" + envName(a.ID)); u != "" {
					return u
				}
				if u := os.Getenv("HERALD_SLACK_WEBHOOK_URL"); u != "" {
					return u
				}
				if ns.Drivers["slack"] == "outbox" {
					return "outbox:slack"
				}
			case "webhook":
				if ns.WebhookURL != "" {
					return ns.WebhookURL
				}
				if ns.Drivers["webhook"] == "outbox" {
					return "outbox:webhook"
				}
			}
			return ""
		},
	}
	if dryRun {
		return printPlan(ctx, stdout, r, notices)
	}
	senders, err := openSenders(ctx, ns)
	if err != nil {
		return err
	}
	r.Senders = senders
	fanOutGC()
	start := time.Now()
	prog := newFanOutProgress(stderr, start)
	r.Progress = prog.step
	sum, err := r.Run(ctx, notices)
	prog.finish()
	_ = closeSenders(senders)
	if err != nil {
		return err
	}
	printSummary(stderr, sum, time.Since(start))
	if !sum.OK() {
		return exitError{1}
	}
	return nil
}

func envName(id string) string {
	return strings.ToUpper(strings.ReplaceAll(id, "-", "_"))
}

// openLedger opens the ledger and the recipient-hash key.
func openLedger(ctx context.Context, ns *notifySettings) (notify.Ledger, []byte, error) {
	envKey := os.Getenv("HERALD_RECIPIENT_KEY")
	if ns.ledgerIsS3 {
		if envKey == "" {
			return nil, nil, errors.New("an S3 ledger needs HERALD_RECIPIENT_KEY in the environment (a long random secret; the ledger stores recipient hashes keyed with it)")
		}
		l, err := openS3Ledger(ctx, ns.Ledger)
		return l, recipientKey(envKey), err
	}
	l, err := notify.NewFolder(ns.Ledger)
	if err != nil {
		return nil, nil, err
	}
	if envKey != "" {
		return l, recipientKey(envKey), nil
	}
	k, err := l.Key()
	return l, k, err
}

// recipientKey reads HERALD_RECIPIENT_KEY the same way whichever ledger
// is used, so that moving a site's ledger keeps its recipient hashes (and
// with them its email threads): hex when it is, else its bytes.
func recipientKey(env string) []byte {
	if k, err := hex.DecodeString(env); err == nil && len(k) >= 16 {
		return k
	}
	return []byte(env)
}

// openSenders builds the sender of each channel from its driver.
func openSenders(ctx context.Context, ns *notifySettings) (map[string]notify.Sender, error) {
	out := map[string]notify.Sender{}
	box := &notify.Outbox{Dir: ns.Outbox}
	for ch, d := range ns.Drivers {
		var s notify.Sender
		var err error
		switch d {
		case "outbox":
			s = box
		default:
			s, err = liveSender(ctx, ch, d, ns)
		}
		if err != nil {
			return nil, err
		}
		out[ch] = s
	}
	return out, nil
}

// liveSenders registers the drivers that reach real providers, by name.
var liveSenders = map[string]func(ctx context.Context, channel string, ns *notifySettings) (notify.Sender, error){}

func liveSender(ctx context.Context, ch, driver string, ns *notifySettings) (notify.Sender, error) {
	mk, ok := liveSenders[driver]
	if !ok {
		return nil, fmt.Errorf("config.toml: [notify] %s = %q: driver not available in this build", ch, driver)
	}
	return mk(ctx, ch, ns)
}

// openS3Ledger is set by the S3 ledger's file.
var openS3Ledger = func(ctx context.Context, url string) (notify.Ledger, error) {
	return nil, fmt.Errorf("ledger %s: S3 ledgers are not available in this build", url)
}

// printPlan prints what would be sent, and sends nothing.
func printPlan(ctx context.Context, w io.Writer, r *notify.Runner, notices []notify.Notice) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "AUDIENCE\tCHANNEL\tITEM\tKIND\tRECIPIENTS")
	rows := 0
	baselines := 0
	for _, n := range notices {
		if n.Baseline {
			baselines++
			continue
		}
		counts := map[string]int{}
		var missing string
		chans := r.Channels(n)
		for _, ch := range chans {
			if ch == "slack" || ch == "webhook" {
				if r.Endpoint(n.Audience, ch) != "" {
					counts[ch] = 1
				} else {
					counts[ch] = -1
				}
			}
		}
		if slices.ContainsFunc(chans, func(c string) bool { return c == "email" || c == "sms" || c == "call" }) {
			rc, name, err := r.Recipients(n.Audience)
			if err != nil {
				missing = "recipients file " + name + " missing"
			} else {
				_ = notify.ReadRecipients(rc, name, r.Composer.Site.Config, n.Audience, func(rcp notify.Recipient) error {
					if !rcp.Wants(n.Item) {
						return nil
					}
					for _, ch := range chans {
						if !rcp.Takes(ch) {
							continue
						}
						if ch == "email" && rcp.Email != "" || (ch == "sms" || ch == "call") && rcp.Phone != "" {
							counts[ch]++
						}
					}
					return nil
				}, func(*notify.RecipientError) {})
				rc.Close()
			}
		}
		for _, ch := range chans {
			who := fmt.Sprint(counts[ch])
			switch {
			case counts[ch] < 0:
				who = "no endpoint configured"
			case missing != "" && (ch == "email" || ch == "sms" || ch == "call"):
				who = missing
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", n.Audience.ID, ch, n.Item.Slug, n.Kind, who)
			rows++
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if rows == 0 {
		fmt.Fprintln(w, "nothing is due")
	}
	if baselines > 0 {
		fmt.Fprintf(w, "%d older (audience, item) %s taken as already heard: older than the horizon\n", baselines, plural(baselines, "pair", "pairs"))
	}
	return nil
}

func printSummary(w io.Writer, s *notify.Summary, took time.Duration) {
	fmt.Fprintf(w, "herald notify: %d %s in %s\n", s.Notices, plural(s.Notices, "notice", "notices"), took.Round(time.Millisecond))
	for _, ch := range notify.SortedChannels(s.Sent, s.Skipped, s.Suppressed, s.Failed, s.Deferred) {
		fmt.Fprintf(w, "  %-8s sent %d, already sent %d, suppressed %d, failed %d, deferred %d\n", ch, s.Sent[ch], s.Skipped[ch], s.Suppressed[ch], s.Failed[ch], s.Deferred[ch])
	}
	if n := len(s.Problems); n > 0 {
		fmt.Fprintf(w, "  %d %s (above)\n", n, plural(n, "problem", "problems"))
	}
}

// fanOutProgress shows a large fan-out going: one line redrawn on a
// terminal, a plain log line every 1,000 deliveries otherwise.
type fanOutProgress struct {
	w     io.Writer
	tty   bool
	start time.Time
	mu    sync.Mutex
	last  time.Time
	drawn bool
}

func newFanOutProgress(w io.Writer, start time.Time) *fanOutProgress {
	return &fanOutProgress{w: w, tty: isTerminal(w), start: start}
}

func (p *fanOutProgress) step(done int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond {
			p.last = now
			rate := float64(done) / max(now.Sub(p.start).Seconds(), 0.001)
			fmt.Fprintf(p.w, "\r\033[K  %d deliveries, %.0f/s", done, rate)
			p.drawn = true
		}
		return
	}
	if done%1000 == 0 {
		fmt.Fprintf(p.w, "herald notify: %d deliveries so far\n", done)
	}
}

func (p *fanOutProgress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
	}
}

// suppressCmd feeds the suppression list with the unsubscribes herald
// cannot see itself: replies to the List-Unsubscribe mailbox, one-click
// requests to your own endpoint, a provider's bounce list.
func suppressCmd() *cobra.Command {
	var source, channel, file, reason string
	cmd := &cobra.Command{
		Use:   "suppress [ADDRESS|NUMBER ...]",
		Short: "Stop notices to recipients who unsubscribed (later runs skip them)",
		Long: `suppress records recipients who asked to hear nothing more on a channel. The
ledger keeps only a keyed hash of each address or number, as it does for every
delivery. Addresses come as arguments or, one per line, from --file (- for stdin).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if channel != "email" && channel != "sms" && channel != "call" {
				return fmt.Errorf("--channel %q is not email, sms or call", channel)
			}
			cfg, err := site.LoadConfig(os.DirFS(source))
			if err != nil {
				return reportProblems(cmd, source, err)
			}
			ns, err := readNotifySettings(cfg, source)
			if err != nil {
				return err
			}
			ledger, key, err := openLedger(cmd.Context(), ns)
			if err != nil {
				return err
			}
			list := slices.Clone(args)
			if file != "" {
				var r io.Reader = cmd.InOrStdin()
				if file != "-" {
					fh, err := os.Open(file)
					if err != nil {
						return err
					}
					defer fh.Close()
					r = fh
				}
				b, err := io.ReadAll(r)
				if err != nil {
					return err
				}
				for _, line := range strings.Split(string(b), "\n") {
					if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
						list = append(list, line)
					}
				}
			}
			if len(list) == 0 {
				return errors.New("no address or number given (expected arguments or --file)")
			}
			for _, a := range list {
				if err := ledger.Suppress(cmd.Context(), notify.RecipientHash(key, channel, a), reason); err != nil {
					return err
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "suppressed %d %s on %s\n", len(list), plural(len(list), "recipient", "recipients"), channel)
			return nil
		},
	}
	cmd.Flags().StringVar(&source, "source", ".", "folder holding config.toml")
	cmd.Flags().StringVar(&channel, "channel", "email", "email, sms or call")
	cmd.Flags().StringVar(&file, "file", "", "a file of addresses or numbers, one per line (- for stdin)")
	cmd.Flags().StringVar(&reason, "reason", "unsubscribed", "why, kept in the ledger")
	return cmd
}
