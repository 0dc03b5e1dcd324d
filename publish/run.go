package publish

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"time"
)

// Defaults for Options.
const (
	DefaultConcurrency = 16
	DefaultMaxDeletes  = 256
	// DefaultLockTTL is short, and the holder extends the lock every
	// third of it: a publish that died blocks the next one for at most this.
	DefaultLockTTL = 2 * time.Minute
)

// Options tune Run. The zero value is usable: defaults, and no deletions
// allowed.
type Options struct {
	// Headers decides each object's headers (nil: the defaults).
	Headers *Headers
	// Concurrency is how many requests run at once (0: 16).
	Concurrency int
	// MaxDeletes caps deletions; a publish that would delete more changes
	// nothing and returns a *TooManyDeletesError. Negative: no cap.
	MaxDeletes int
	// LockTTL is how long the lock lasts without being extended (0: 2m).
	LockTTL time.Duration
	// LockWait is how long to wait for another publish to finish.
	LockWait time.Duration
	// Protect names folders of the target, relative to its root and
	// ending in "/", that Run must neither write nor delete in: the home
	// of other state kept beside the site (notify's ledger under another
	// name than .herald/, say).
	Protect []string
	// Owner names this publish in the lock, for the messages of others.
	Owner string
	// Now is the clock, for the lock's expiry (nil: time.Now).
	Now func() time.Time
	// Progress, when set, is called after each upload or deletion, from
	// several goroutines at once.
	Progress func(a Action, err error)
	// Planned, when set, is called once with every action, before any is
	// carried out.
	Planned func(actions []Action)
}

// A Report is what a publish did (or, through DryRun, would do).
type Report struct {
	Target    string    `json:"target"`
	Actions   []Action  `json:"actions"` // uploads in order, then deletions
	Uploaded  int       `json:"uploaded"`
	Unchanged int       `json:"unchanged"`
	Deleted   int       `json:"deleted"`
	Bytes     int64     `json:"bytes"` // bytes sent, after any compression
	Failed    []Failure `json:"failed,omitempty"`
}

// Changed is the keys that were uploaded or deleted.
func (r *Report) Changed() []string {
	var keys []string
	for _, a := range r.Actions {
		if a.Done {
			keys = append(keys, a.Key)
		}
	}
	return keys
}

// Run makes t look like site: it uploads what is new or changed (content
// or headers) and deletes what is no longer there, in phases: assets,
// pages, entry points, then deletions, each finished before the next
// starts, and none started after a failure. A publish with nothing to do
// makes no request beyond listing. On failure the report names the failed
// keys and the error is a *FailedError.
func Run(ctx context.Context, t Target, site fs.FS, o Options) (*Report, error) {
	o = o.withDefaults()
	rep := &Report{Target: t.String(), Actions: []Action{}}
	files, err := scan(ctx, site, o.Headers, o.Concurrency)
	if err != nil {
		return rep, err
	}
	var cache manifestCache
	p, err := makePlan(ctx, t, files, o.Concurrency, o.Protect, &cache)
	if err != nil {
		return rep, err
	}
	if p.empty() && p.lock == nil {
		rep.Unchanged = p.unchanged
		if o.Planned != nil {
			o.Planned(nil)
		}
		return rep, nil
	}

	l, err := acquireLock(ctx, t, o.Owner, o.LockTTL, o.LockWait, o.Now)
	if err != nil {
		return rep, err
	}
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go l.keep(runCtx, cancel)
	defer func() {
		cancel(nil) // stop extending it
		// Release even when ctx was cancelled: an interrupted publish
		// should not make the next one wait for the expiry.
		rctx, done := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer done()
		_ = l.release(rctx)
	}()

	// What another publish changed before we held the lock counts: plan again.
	p, err = makePlan(runCtx, t, files, o.Concurrency, o.Protect, &cache)
	if err != nil {
		return rep, err
	}
	rep.Unchanged = p.unchanged
	rep.Actions = append(append(rep.Actions, p.uploads...), p.deletes...)
	if o.MaxDeletes >= 0 && len(p.deletes) > o.MaxDeletes {
		return rep, &TooManyDeletesError{Target: t.String(), Count: len(p.deletes), Max: o.MaxDeletes}
	}
	if o.Planned != nil {
		o.Planned(rep.Actions)
	}
	manifestHeader := Header{ContentType: "application/gzip", CacheControl: "no-store"}
	if p.rehead {
		// No entry may vouch for headers an object is about to lose.
		etag, err := t.Put(runCtx, Upload{Key: ManifestKey, Body: p.next.encode(), Header: manifestHeader})
		if err != nil {
			rep.Failed = append(rep.Failed, Failure{Key: ManifestKey, Op: "upload", Error: err.Error()})
			return rep, &FailedError{Failures: rep.Failed}
		}
		p.manifestETag = etag
	}

	var mu sync.Mutex // guards rep and p.next
	do := func(a *Action) error {
		var err error
		var sent int64
		if a.Op == "delete" {
			err = t.Delete(runCtx, a.Key)
		} else {
			var e mentry
			e, sent, err = upload(runCtx, t, site, a)
			if err == nil {
				mu.Lock()
				p.next[a.Key] = e
				mu.Unlock()
			}
		}
		mu.Lock()
		if err != nil {
			if cause := context.Cause(runCtx); cause != nil && !errors.Is(err, cause) {
				err = fmt.Errorf("%w (%v)", err, cause)
			}
			rep.Failed = append(rep.Failed, Failure{Key: a.Key, Op: a.Op, Error: err.Error()})
		} else {
			a.Done = true
			rep.Bytes += sent
			if a.Op == "delete" {
				rep.Deleted++
			} else {
				rep.Uploaded++
			}
		}
		mu.Unlock()
		if o.Progress != nil {
			o.Progress(*a, err)
		}
		return nil
	}

	for start := 0; start < len(rep.Actions) && len(rep.Failed) == 0 && runCtx.Err() == nil; {
		end := start
		for end < len(rep.Actions) && rep.Actions[end].Phase == rep.Actions[start].Phase {
			end++
		}
		group := rep.Actions[start:end]
		_ = parallel(runCtx, o.Concurrency, len(group), func(i int) error { return do(&group[i]) })
		start = end
	}

	// Record what is now in place, even after a failure, so that the next
	// publish redoes only what is left. A publish that changed content only
	// leaves it as it was, and does not write it.
	wctx, done := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer done()
	if m := p.next.encode(); md5hex(m) != p.manifestETag {
		_, err := t.Put(wctx, Upload{Key: ManifestKey, Body: m, Header: manifestHeader})
		if err != nil && len(rep.Failed) == 0 {
			rep.Failed = append(rep.Failed, Failure{Key: ManifestKey, Op: "upload", Error: err.Error()})
		}
	}
	if err := ctx.Err(); err != nil {
		return rep, fmt.Errorf("interrupted after %d of %d uploads and deletions: %w", rep.Uploaded+rep.Deleted, len(rep.Actions), err)
	}
	if len(rep.Failed) > 0 {
		return rep, &FailedError{Failures: rep.Failed}
	}
	if err := context.Cause(runCtx); err != nil {
		return rep, err
	}
	return rep, nil
}

func (o Options) withDefaults() Options {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.LockTTL <= 0 {
		o.LockTTL = DefaultLockTTL
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Owner == "" {
		o.Owner = "herald publish"
	}
	return o
}

// upload reads the file again (it is not kept in memory between the plan
// and the upload), compresses it if its headers say so, and writes it.
func upload(ctx context.Context, t Target, site fs.FS, a *Action) (mentry, int64, error) {
	b, err := fs.ReadFile(site, a.Key)
	if err != nil {
		return mentry{}, 0, err
	}
	sum := md5hex(b)
	body := b
	if a.Header.ContentEncoding == "gzip" {
		body = gzipBytes(b)
	}
	etag, err := t.Put(ctx, Upload{
		Key:      a.Key,
		Body:     body,
		Header:   *a.Header,
		Metadata: map[string]string{metaMD5: sum, metaHeaders: a.hhash},
	})
	if err != nil {
		return mentry{}, 0, err
	}
	return entryFor(etag, sum, a.hhash), int64(len(body)), nil
}
