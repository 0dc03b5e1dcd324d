package notify

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"
	"time"
)

// Objects is the little of an object store (S3 or any S3-compatible one)
// that a Bucket ledger needs: whole-object reads and writes, conditional
// writes, and a listing. Keys are relative to the ledger's prefix and
// slash-separated. The command adapts publish's S3 target to it, so that
// one S3 client, with its endpoint, addressing and retries, serves both.
type Objects interface {
	// Get returns an object's bytes and its ETag; a missing object is an
	// error matching fs.ErrNotExist.
	Get(ctx context.Context, key string) (body []byte, etag string, err error)
	// Put writes an object and returns its ETag. With ifNoneMatch it only
	// creates (If-None-Match: *); with ifMatch set it only replaces the
	// object that has that ETag. A condition that does not hold is an
	// error matching ErrPrecondition.
	Put(ctx context.Context, key string, body []byte, ifNoneMatch bool, ifMatch string) (etag string, err error)
	// Delete removes an object; a missing one is not an error.
	Delete(ctx context.Context, key string) error
	// List calls fn with the key of every object under dir ("cursors/"),
	// relative to the ledger's prefix like every other key.
	List(ctx context.Context, dir string, fn func(key string) error) error
}

// ErrPrecondition reports a conditional write whose condition did not hold
// (HTTP 412, or 409 for a conflicting conditional write in flight).
var ErrPrecondition = errors.New("precondition failed")

// Bucket is a ledger in an object store under a prefix, for runs on
// machines that keep nothing between runs (CI). Every decision rests on a
// conditional write, so runs on different machines agree:
//
//	cursors/<audience>/<kind>/<slug>.json   a Cursor, replaced only forward (If-Match)
//	deliveries/<id[:2]>/<id>.claim           a run's claim (If-None-Match: *)
//	deliveries/<id[:2]>/<id>.done            the outcome (If-None-Match: *)
//	suppressed/<recipient hash>              an opt-out (If-None-Match: *)
//
// The owner of a claim cannot be seen to have died from another machine,
// so a claim is taken over only once it is older than the lease; the
// takeover is a replace conditional on the claim's ETag, so of two runs
// that find the same stale claim exactly one gets it.
type Bucket struct {
	objs  Objects
	lease time.Duration
	run   string // this run's identity, in its claims
	host  string

	mu         sync.Mutex
	suppressed map[string]bool // read once per run, then kept up to date
}

var _ Ledger = (*Bucket)(nil)

// NewBucket opens a ledger on objs. A lease of zero means 10 minutes: a
// claim older than that, with no outcome, belongs to a run that died.
func NewBucket(objs Objects, lease time.Duration) *Bucket {
	if lease <= 0 {
		lease = 10 * time.Minute
	}
	host, _ := os.Hostname()
	b := make([]byte, 12)
	_, _ = randRead(b)
	return &Bucket{objs: objs, lease: lease, run: hex.EncodeToString(b), host: host}
}

// bucketClaim is the body of a claim object. Nonce tells this Claim call's
// own write from another call of the same run, when a write whose answer
// was lost is retried and meets itself.
type bucketClaim struct {
	Run   string    `json:"run"`
	Nonce string    `json:"nonce"`
	Host  string    `json:"host"`
	PID   int       `json:"pid"`
	At    time.Time `json:"at"`
}

func cursorObject(key string) string { return "cursors/" + key + ".json" }

func deliveryObject(id, ext string) string { return "deliveries/" + id[:2] + "/" + id + ext }

func (b *Bucket) Cursors(ctx context.Context) (map[string]Cursor, error) {
	var keys []string
	err := b.objs.List(ctx, "cursors/", func(key string) error {
		if strings.HasSuffix(key, ".json") {
			keys = append(keys, key)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: listing cursors: %w", err)
	}
	// One small object per (audience, item): read them side by side.
	out := make(map[string]Cursor, len(keys))
	var mu sync.Mutex
	var firstErr error
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for _, k := range keys {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			body, _, err := b.objs.Get(ctx, k)
			var c Cursor
			if err == nil {
				err = json.Unmarshal(body, &c)
			}
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, fs.ErrNotExist): // deleted since the listing
			case err != nil:
				if firstErr == nil {
					firstErr = fmt.Errorf("ledger: %s: %w", k, err)
				}
			default:
				out[strings.TrimSuffix(strings.TrimPrefix(k, "cursors/"), ".json")] = c
			}
		})
	}
	wg.Wait()
	return out, firstErr
}

// Advance replaces the cursor only with one that is further along: two
// runs advancing it at once each read, compare and write conditionally on
// what they read, and the one that loses the race tries again.
func (b *Bucket) Advance(ctx context.Context, key string, c Cursor) error {
	obj := cursorObject(key)
	body, _ := json.Marshal(c)
	for attempt := 0; ; attempt++ {
		old, etag, err := b.objs.Get(ctx, obj)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			_, err = b.objs.Put(ctx, obj, body, true, "")
		case err != nil:
			return fmt.Errorf("ledger: %w", err)
		default:
			var cur Cursor
			if json.Unmarshal(old, &cur) == nil && cur.Through >= c.Through {
				return nil
			}
			_, err = b.objs.Put(ctx, obj, body, false, etag)
		}
		if err == nil {
			return nil
		}
		if !errors.Is(err, ErrPrecondition) || attempt >= 20 {
			return fmt.Errorf("ledger: advancing %s: %w", key, err)
		}
		if err := sleep(ctx, time.Duration(attempt+1)*20*time.Millisecond); err != nil {
			return err
		}
	}
}

func (b *Bucket) newClaim() (bucketClaim, []byte) {
	n := make([]byte, 8)
	_, _ = randRead(n)
	c := bucketClaim{Run: b.run, Nonce: hex.EncodeToString(n), Host: b.host, PID: os.Getpid(), At: time.Now().UTC()}
	body, _ := json.Marshal(c)
	return c, body
}

// claim creates the claim object; only when one is there already does it
// look further: an outcome means done, a claim of this run means the
// delivery is this run's already (a recipient listed twice hears once),
// a fresh claim of another run means busy, a stale one is taken over.
// Deliveries opens the record of one notice's deliveries: in a bucket,
// each delivery has objects of its own (a request per claim and per
// outcome, and no request at all to hold or give back a notice).
func (b *Bucket) Deliveries(ctx context.Context, notice string) (Deliveries, error) {
	return bucketNotice{b}, nil
}

type bucketNotice struct{ b *Bucket }

func (n bucketNotice) Claim(ctx context.Context, id string) (ClaimState, error) {
	return n.b.claim(ctx, id)
}

func (n bucketNotice) Finish(ctx context.Context, id string, r Outcome) error {
	return n.b.finish(ctx, id, r)
}

func (n bucketNotice) Release(ctx context.Context, id string) error { return n.b.release(ctx, id) }

func (n bucketNotice) Close() error { return nil }

func (b *Bucket) claim(ctx context.Context, id string) (ClaimState, error) {
	claimKey := deliveryObject(id, ".claim")
	mine, body := b.newClaim()
	for attempt := 0; attempt < 5; attempt++ {
		_, err := b.objs.Put(ctx, claimKey, body, true, "")
		if err == nil {
			return Claimed, nil
		}
		if !errors.Is(err, ErrPrecondition) {
			return 0, fmt.Errorf("ledger: claiming: %w", err)
		}
		if _, _, err := b.objs.Get(ctx, deliveryObject(id, ".done")); err == nil {
			return Done, nil
		} else if !errors.Is(err, fs.ErrNotExist) {
			return 0, fmt.Errorf("ledger: %w", err)
		}
		raw, etag, err := b.objs.Get(ctx, claimKey)
		if errors.Is(err, fs.ErrNotExist) {
			continue // released in the meantime: claim it afresh
		}
		if err != nil {
			return 0, fmt.Errorf("ledger: %w", err)
		}
		var held bucketClaim
		_ = json.Unmarshal(raw, &held) // an unreadable claim is as good as stale
		switch {
		case held.Run == mine.Run && held.Nonce == mine.Nonce:
			return Claimed, nil // our own write, retried after its answer was lost
		case held.Run == mine.Run:
			return Done, nil
		case time.Since(held.At) < b.lease:
			return Busy, nil
		}
		// Stale: its run died with the delivery claimed. Take it over,
		// if nobody else did since we read it. The one send that may
		// have been in flight when that run died may go out twice;
		// nothing is skipped.
		_, err = b.objs.Put(ctx, claimKey, body, false, etag)
		if err == nil {
			return Claimed, nil
		}
		if !errors.Is(err, ErrPrecondition) && !errors.Is(err, fs.ErrNotExist) {
			return 0, fmt.Errorf("ledger: taking over a claim: %w", err)
		}
		// Another run took it over, finished it or released it: look again.
	}
	return Busy, nil
}

func (b *Bucket) finish(ctx context.Context, id string, r Outcome) error {
	body, _ := json.Marshal(r)
	_, err := b.objs.Put(ctx, deliveryObject(id, ".done"), body, true, "")
	if err != nil && !errors.Is(err, ErrPrecondition) { // finished before: the first outcome stands
		return fmt.Errorf("ledger: %w", err)
	}
	return nil
}

// release gives back a claim of this run after transient failures, so that
// the next run retries the delivery at once rather than after the lease.
func (b *Bucket) release(ctx context.Context, id string) error {
	key := deliveryObject(id, ".claim")
	raw, _, err := b.objs.Get(ctx, key)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	var held bucketClaim
	if json.Unmarshal(raw, &held) != nil || held.Run != b.run {
		return nil // not ours (any more): leave it
	}
	if err := b.objs.Delete(ctx, key); err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	return nil
}

// Suppressed reads the suppression list once per run (one listing, not a
// request per delivery) and keeps it up to date with this run's own.
func (b *Bucket) Suppressed(ctx context.Context, rhash string) (bool, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.suppressed == nil {
		set := map[string]bool{}
		err := b.objs.List(ctx, "suppressed/", func(key string) error {
			set[path.Base(key)] = true
			return nil
		})
		if err != nil {
			return false, fmt.Errorf("ledger: listing suppressions: %w", err)
		}
		b.suppressed = set
	}
	return b.suppressed[rhash], nil
}

func (b *Bucket) Suppress(ctx context.Context, rhash, reason string) error {
	_, err := b.objs.Put(ctx, "suppressed/"+rhash, []byte(reason+"\n"), true, "")
	if err != nil && !errors.Is(err, ErrPrecondition) {
		return fmt.Errorf("ledger: %w", err)
	}
	b.mu.Lock()
	if b.suppressed != nil {
		b.suppressed[rhash] = true
	}
	b.mu.Unlock()
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
