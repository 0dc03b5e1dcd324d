package publish

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"time"
)

// A lock is the object LockKey, created with a conditional write so that
// only one publish holds it. It carries an expiry: a publish that died
// holding it (kill -9, a lost CI runner) blocks others only until then.
// The holder extends it while it works.
type lock struct {
	t   Target
	ttl time.Duration
	now func() time.Time

	mu   sync.Mutex
	body lockBody
	etag string
}

type lockBody struct {
	Owner    string    `json:"owner"`
	Token    string    `json:"token"`
	Acquired time.Time `json:"acquired"`
	Expires  time.Time `json:"expires"`
}

// lockPoll is how often a waiting publish looks at the lock again.
var lockPoll = 2 * time.Second

// acquireLock takes the target's lock, waiting up to wait for another
// holder to release it, and taking over a lock whose expiry has passed.
func acquireLock(ctx context.Context, t Target, owner string, ttl, wait time.Duration, now func() time.Time) (*lock, error) {
	tok := make([]byte, 12)
	_, _ = rand.Read(tok)
	l := &lock{t: t, ttl: ttl, now: now}
	l.body = lockBody{Owner: owner, Token: hex.EncodeToString(tok)}
	deadline := now().Add(wait)
	for {
		l.body.Acquired = now().UTC().Truncate(time.Second)
		l.body.Expires = l.body.Acquired.Add(ttl)
		etag, err := t.Put(ctx, l.upload(true, ""))
		if err == nil {
			l.etag = etag
			return l, nil
		}
		if !errors.Is(err, ErrPrecondition) {
			return nil, fmt.Errorf("taking the lock %s: %w", LockKey, err)
		}
		b, st, err := t.Get(ctx, LockKey)
		if errors.Is(err, fs.ErrNotExist) {
			continue // released meanwhile
		}
		if err != nil {
			return nil, fmt.Errorf("reading the lock %s: %w", LockKey, err)
		}
		var held lockBody
		if json.Unmarshal(b, &held) != nil {
			held = lockBody{Owner: "an unreadable lock"} // zero expiry: expired
		}
		if held.Token == l.body.Token {
			// Our own create, retried after its answer was lost.
			l.etag = st.ETag
			return l, nil
		}
		if now().After(held.Expires) {
			etag, err := t.Put(ctx, l.upload(false, st.ETag))
			if err == nil {
				l.etag = etag
				return l, nil
			}
			if !errors.Is(err, ErrPrecondition) {
				return nil, fmt.Errorf("taking over the expired lock %s: %w", LockKey, err)
			}
			continue // another publish took it over first
		}
		left := deadline.Sub(now())
		if left <= 0 {
			return nil, &LockedError{Target: t.String(), Owner: held.Owner, Expires: held.Expires.Format(time.RFC3339)}
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(min(left, lockPoll)):
		}
	}
}

func (l *lock) upload(create bool, ifMatch string) Upload {
	b, _ := json.Marshal(l.body)
	return Upload{
		Key:         LockKey,
		Body:        b,
		Header:      Header{ContentType: contentTypes[".json"], CacheControl: "no-store"},
		IfNoneMatch: create,
		IfMatch:     ifMatch,
	}
}

// extend pushes the expiry forward; it fails with ErrPrecondition when the
// lock is no longer ours.
func (l *lock) extend(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.body.Expires = l.now().UTC().Truncate(time.Second).Add(l.ttl)
	etag, err := l.t.Put(ctx, l.upload(false, l.etag))
	if err != nil {
		return err
	}
	l.etag = etag
	return nil
}

// keep extends the lock every third of its lifetime until ctx ends, and
// calls lost if it finds the lock taken from it.
func (l *lock) keep(ctx context.Context, lost func(error)) {
	tick := time.NewTicker(max(l.ttl/3, time.Second))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if err := l.extend(ctx); errors.Is(err, ErrPrecondition) {
				lost(fmt.Errorf("lost the lock %s to another publish", LockKey))
				return
			}
		}
	}
}

// release deletes the lock if it is still ours.
func (l *lock) release(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, _, err := l.t.Get(ctx, LockKey)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var held lockBody
	if json.Unmarshal(b, &held) == nil && held.Token != l.body.Token {
		return nil
	}
	return l.t.Delete(ctx, LockKey)
}
