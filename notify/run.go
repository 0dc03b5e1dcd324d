package notify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/heraldstatus/herald/site"
	"golang.org/x/time/rate"
)

// Retry is the policy for transient failures: capped exponential backoff
// with full jitter, honouring a provider's Retry-After.
type Retry struct {
	Attempts int           // tries in all; 0 means 5
	Base     time.Duration // first backoff; 0 means 500 ms
	Cap      time.Duration // longest backoff; 0 means 30 s
}

func (r Retry) backoff(attempt int) time.Duration {
	base, limit := r.Base, r.Cap
	if base == 0 {
		base = 500 * time.Millisecond
	}
	if limit == 0 {
		limit = 30 * time.Second
	}
	d := base << min(attempt, 20)
	if d > limit || d <= 0 {
		d = limit
	}
	return time.Duration(rand.Int64N(int64(d)) + 1)
}

// Runner sends planned notices.
type Runner struct {
	Composer *Composer
	Ledger   Ledger
	Senders  map[string]Sender // by channel
	// Recipients opens an audience's recipients CSV; the string names it
	// in messages.
	Recipients func(a *site.Audience) (io.ReadCloser, string, error)
	// Endpoint gives the Slack or webhook URL of an audience, "" when none
	// is configured.
	Endpoint func(a *site.Audience, channel string) string

	Concurrency int            // parallel sends; 0 means 16
	Retry       Retry          // transient failures
	Limits      map[string]int // messages per second per channel; 0: unlimited
	// SMSAll sends SMS on every notice; by default only on milestones.
	SMSAll bool
	// Log receives one line per problem and per finished notice; it never
	// carries an address or a number.
	Log io.Writer
	// Progress, when set, is called as deliveries finish.
	Progress func(done int64)

	limiters map[string]*rate.Limiter
	once     sync.Once
}

// Summary counts deliveries by channel.
type Summary struct {
	Notices    int
	Sent       map[string]int
	Skipped    map[string]int // sent by an earlier run
	Suppressed map[string]int
	Failed     map[string]int // permanently
	Deferred   map[string]int // transient failures or another run's claims: a later run sends them
	Problems   []string
}

func newSummary() *Summary {
	return &Summary{Sent: map[string]int{}, Skipped: map[string]int{}, Suppressed: map[string]int{}, Failed: map[string]int{}, Deferred: map[string]int{}}
}

// OK reports whether nothing failed permanently and every audience's
// recipients could be read.
func (s *Summary) OK() bool {
	for _, n := range s.Failed {
		if n > 0 {
			return false
		}
	}
	return len(s.Problems) == 0
}

// Channels are the channels a notice goes out on for its audience. A
// summary goes out on email, Slack and webhooks only.
func (r *Runner) Channels(n Notice) []string {
	var out []string
	for _, ch := range n.Audience.Channels {
		if n.Kind == KindSummary {
			if slices.Contains(site.SummaryChannels, ch) {
				out = append(out, ch)
			}
			continue
		}
		switch ch {
		case "banner":
			continue // the status site's banner.json: nothing to send
		case "sms":
			if !r.SMSAll && !n.Kind.Milestone() {
				continue
			}
		case "call":
			// Calls are for the worst: sev1 (critical impact) milestones,
			// judged by the severity in force at the notice's newest event.
			if sev := n.Latest().Severity; sev == nil || !n.Kind.Milestone() || sev.Impact != site.ImpactCritical {
				continue
			}
		}
		out = append(out, ch)
	}
	return out
}

func perRecipient(ch string) bool { return ch == "email" || ch == "sms" || ch == "call" }

type job struct {
	n    Notice
	m    *Message
	fail error // a message that could not be composed
}

type noticeState struct {
	deferred atomic.Int64
	problems atomic.Int64
}

// Run sends notices. Each delivery is claimed in the ledger before it is
// sent and finished after; a notice's cursor advances only once every
// delivery is done, so an interrupted run is resumed by the next.
func (r *Runner) Run(ctx context.Context, notices []Notice) (*Summary, error) {
	r.once.Do(func() {
		r.limiters = map[string]*rate.Limiter{}
		for ch, n := range r.Limits {
			if n > 0 {
				r.limiters[ch] = rate.NewLimiter(rate.Limit(n), 1)
			}
		}
	})
	if r.Log == nil {
		r.Log = io.Discard
	}
	sum := newSummary()
	var mu sync.Mutex
	count := func(m map[string]int, ch string) {
		mu.Lock()
		m[ch]++
		mu.Unlock()
	}
	reported := map[string]bool{}
	problem := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		mu.Lock()
		defer mu.Unlock()
		if reported[msg] { // a bad row is reported once per run, not per notice
			return
		}
		reported[msg] = true
		sum.Problems = append(sum.Problems, msg)
		fmt.Fprintln(r.Log, msg)
	}
	workers := r.Concurrency
	if workers <= 0 {
		workers = 16
	}
	var done atomic.Int64
	for _, n := range notices {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		key := CursorKey(n.Audience.ID, n.Item.Kind, n.Item.Slug)
		if n.Baseline {
			if err := r.Ledger.Advance(ctx, key, Cursor{Through: n.Through}); err != nil {
				return sum, err
			}
			continue
		}
		sum.Notices++
		var st noticeState
		ds, err := r.Ledger.Deliveries(ctx, n.ID())
		if err != nil {
			return sum, err
		}
		jobs := make(chan job, workers*2)
		var wg sync.WaitGroup
		for range workers {
			wg.Go(func() {
				for j := range jobs {
					r.deliver(ctx, ds, j, sum, count, problem, &st)
					done.Add(1)
					if r.Progress != nil {
						r.Progress(done.Load())
					}
				}
			})
		}
		r.fanOut(ctx, n, jobs, problem, &st)
		close(jobs)
		wg.Wait()
		if err := ds.Close(); err != nil {
			problem("%v", err)
			st.problems.Add(1)
		}
		if ctx.Err() != nil {
			return sum, ctx.Err()
		}
		if st.deferred.Load() > 0 || st.problems.Load() > 0 {
			fmt.Fprintf(r.Log, "notice %s to %s about %s: incomplete, a later run finishes it\n", n.Kind, n.Audience.ID, n.Item.Slug)
			continue
		}
		cur := Cursor{Through: n.Through, At: r.Composer.Now, Notices: n.Heard + 1}
		if err := r.Ledger.Advance(ctx, key, cur); err != nil {
			return sum, err
		}
	}
	return sum, nil
}

// fanOut composes the notice's messages, streaming the recipients file.
func (r *Runner) fanOut(ctx context.Context, n Notice, jobs chan<- job, problem func(string, ...any), st *noticeState) {
	chans := r.Channels(n)
	for _, ch := range chans {
		if perRecipient(ch) {
			continue
		}
		endpoint := ""
		if r.Endpoint != nil {
			endpoint = r.Endpoint(n.Audience, ch)
		}
		if endpoint == "" {
			problem("audience %s lists channel %s but no %s endpoint is configured", n.Audience.ID, ch, ch)
			st.problems.Add(1)
			continue
		}
		var m *Message
		var err error
		if ch == "slack" {
			m, err = r.Composer.Slack(n, endpoint)
		} else {
			m, err = r.Composer.Webhook(n, endpoint)
		}
		select {
		case jobs <- job{n: n, m: m, fail: err}:
		case <-ctx.Done():
			return
		}
	}
	if !slices.ContainsFunc(chans, perRecipient) {
		return
	}
	if r.Recipients == nil {
		problem("audience %s: no recipients source", n.Audience.ID)
		st.problems.Add(1)
		return
	}
	rc, name, err := r.Recipients(n.Audience)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			problem("audience %s: recipients file %s not found (expected a CSV with a header row name,email,phone,components,channels)", n.Audience.ID, name)
		} else {
			problem("audience %s: recipients file %s: %v", n.Audience.ID, name, err)
		}
		st.problems.Add(1)
		return
	}
	defer rc.Close()
	err = ReadRecipients(rc, name, r.Composer.Site.Config, n.Audience, func(rcp Recipient) error {
		if !rcp.Wants(n.Item) {
			return nil
		}
		for _, ch := range chans {
			if !perRecipient(ch) || !rcp.Takes(ch) {
				continue
			}
			var m *Message
			var err error
			switch {
			case ch == "email" && rcp.Email != "":
				m, err = r.Composer.Email(n, rcp)
			case ch == "sms" && rcp.Phone != "":
				m, err = r.Composer.SMS(n, rcp)
			case ch == "call" && rcp.Phone != "":
				m, err = r.Composer.Call(n, rcp)
			default:
				continue
			}
			select {
			case jobs <- job{n: n, m: m, fail: err}:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}, func(e *RecipientError) { problem("%v", e) })
	if err != nil && !errors.Is(err, context.Canceled) {
		problem("%v", err)
		st.problems.Add(1)
	}
}

// deliver sends one message: suppression, claim, rate limit, retries,
// outcome.
func (r *Runner) deliver(ctx context.Context, ds Deliveries, j job, sum *Summary, count func(map[string]int, string), problem func(string, ...any), st *noticeState) {
	if j.fail != nil {
		problem("composing a notice for %s: %v", j.n.Audience.ID, j.fail)
		st.problems.Add(1)
		return
	}
	m := j.m
	ch := m.Channel
	rh := RecipientHash(r.Composer.Key, ch, m.To)
	if sup, err := r.Ledger.Suppressed(ctx, rh); err != nil {
		problem("ledger: %v", err)
		st.deferred.Add(1)
		return
	} else if sup {
		count(sum.Suppressed, ch)
		return
	}
	state, err := ds.Claim(ctx, m.DeliveryID)
	if err != nil {
		problem("ledger: %v", err)
		st.deferred.Add(1)
		return
	}
	switch state {
	case Done:
		count(sum.Skipped, ch)
		return
	case Busy:
		count(sum.Deferred, ch)
		st.deferred.Add(1)
		return
	}
	sender := r.Senders[ch]
	if sender == nil {
		problem("no sender for channel %s", ch)
		st.problems.Add(1)
		_ = ds.Finish(ctx, m.DeliveryID, Outcome{Status: "failed", Code: "no-sender", At: time.Now().UTC()})
		count(sum.Failed, ch)
		return
	}
	attempts := r.Retry.Attempts
	if attempts <= 0 {
		attempts = 5
	}
	for attempt := 0; ; attempt++ {
		if l := r.limiters[ch]; l != nil {
			if err := l.Wait(ctx); err != nil {
				_ = ds.Release(context.WithoutCancel(ctx), m.DeliveryID)
				st.deferred.Add(1)
				return
			}
		}
		err = sender.Send(ctx, m)
		if err == nil {
			if ferr := ds.Finish(ctx, m.DeliveryID, Outcome{Status: "sent", At: time.Now().UTC()}); ferr != nil {
				problem("ledger: %v", ferr)
			}
			count(sum.Sent, ch)
			return
		}
		var perm *PermanentError
		if errors.As(err, &perm) {
			status := "failed"
			if perm.Suppress {
				status = "suppressed"
				_ = r.Ledger.Suppress(ctx, rh, perm.Code)
				count(sum.Suppressed, ch)
			} else {
				count(sum.Failed, ch)
				problem("%s to %s (%s) failed permanently: %v", ch, m.Masked(), m.Audience, err)
			}
			_ = ds.Finish(ctx, m.DeliveryID, Outcome{Status: status, Code: perm.Code, At: time.Now().UTC()})
			return
		}
		if attempt+1 >= attempts || ctx.Err() != nil {
			fmt.Fprintf(r.Log, "%s to %s (%s): giving up for this run after %d tries: %v\n", ch, m.Masked(), m.Audience, attempt+1, err)
			// Given back even when the run is cancelled, so that the next
			// run retries it at once.
			_ = ds.Release(context.WithoutCancel(ctx), m.DeliveryID)
			count(sum.Deferred, ch)
			st.deferred.Add(1)
			return
		}
		wait := r.Retry.backoff(attempt)
		var ra *RetryAfterError
		if errors.As(err, &ra) && ra.After > 0 {
			wait = ra.After
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
		}
	}
}

// Totals sums a count map, for summaries.
func Totals(m map[string]int) int {
	t := 0
	for _, n := range m {
		t += n
	}
	return t
}

// SortedChannels lists the channels that appear in any of the maps.
func SortedChannels(ms ...map[string]int) []string {
	seen := map[string]bool{}
	for _, m := range ms {
		for k := range m {
			seen[k] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
