// Package notifytest is what the tests of notify share: the one
// contract every Ledger passes (the folder, an S3 bucket through the
// command's adapter, an in-memory object store), and that in-memory store.
package notifytest

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/heraldstatus/herald/notify"
)

// Opener opens a ledger over one store: each call is a new run (another
// process, or another machine) with the given lease; zero means the
// ledger's default.
type Opener func(lease time.Duration) notify.Ledger

// LedgerContract runs the ledger contract. fresh returns an Opener over an
// empty store of its own; it is called once per subtest.
func LedgerContract(t *testing.T, fresh func(t *testing.T) Opener) {
	ctx := context.Background()
	const notice = "0123456789abcdef01234567"
	id := func(s string) string { // delivery IDs are hex
		h := md5.Sum([]byte(s))
		return hex.EncodeToString(h[:])
	}
	// run opens a run's record of the notice's deliveries.
	run := func(t *testing.T, l notify.Ledger) notify.Deliveries {
		t.Helper()
		ds, err := l.Deliveries(ctx, notice)
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	claim := func(t *testing.T, ds notify.Deliveries, d string) notify.ClaimState {
		t.Helper()
		st, err := ds.Claim(ctx, d)
		if err != nil {
			t.Fatalf("claim: %v", err)
		}
		return st
	}
	finish := func(t *testing.T, ds notify.Deliveries, d, status string) {
		t.Helper()
		if err := ds.Finish(ctx, d, notify.Outcome{Status: status, At: time.Now()}); err != nil {
			t.Fatalf("finish: %v", err)
		}
	}
	closeRun := func(t *testing.T, ds notify.Deliveries) {
		t.Helper()
		if err := ds.Close(); err != nil {
			t.Fatalf("close: %v", err)
		}
	}
	want := func(t *testing.T, what string, got, want notify.ClaimState) {
		t.Helper()
		if got != want {
			t.Errorf("%s: %s, want %s", what, stateName(got), stateName(want))
		}
	}

	t.Run("claim, finish, done", func(t *testing.T) {
		open := fresh(t)
		a := run(t, open(0))
		d := id("one")
		want(t, "first claim", claim(t, a, d), notify.Claimed)
		want(t, "the same run again (a recipient listed twice)", claim(t, a, d), notify.Done)
		finish(t, a, d, "sent")
		finish(t, a, d, "sent") // twice: the first outcome stands
		want(t, "the same run after the outcome", claim(t, a, d), notify.Done)
		closeRun(t, a)
		b := run(t, open(0))
		want(t, "a later run", claim(t, b, d), notify.Done)
		want(t, "another delivery", claim(t, b, id("two")), notify.Claimed)
		closeRun(t, b)
		closeRun(t, b) // twice: no harm
	})

	t.Run("busy while another run holds it", func(t *testing.T) {
		open := fresh(t)
		a, b := run(t, open(0)), run(t, open(0))
		d := id("busy")
		want(t, "first run", claim(t, a, d), notify.Claimed)
		want(t, "second run, at the same time", claim(t, b, d), notify.Busy)
		if err := a.Finish(ctx, d, notify.Outcome{Status: "failed", Code: "21211", At: time.Now()}); err != nil {
			t.Fatal(err)
		}
		closeRun(t, a)
		closeRun(t, b)
		want(t, "a later run, after a permanent failure", claim(t, run(t, open(0)), d), notify.Done)
	})

	t.Run("release", func(t *testing.T) {
		open := fresh(t)
		a, b := run(t, open(0)), run(t, open(0))
		d := id("release")
		want(t, "first run", claim(t, a, d), notify.Claimed)
		if err := b.Release(ctx, d); err != nil {
			t.Fatal(err)
		}
		want(t, "after another run's release (which must not free it)", claim(t, run(t, open(0)), d), notify.Busy)
		if err := a.Release(ctx, d); err != nil {
			t.Fatal(err)
		}
		closeRun(t, a)
		want(t, "after its owner's release", claim(t, run(t, open(0)), d), notify.Claimed)
		if err := b.Release(ctx, id("never claimed")); err != nil {
			t.Errorf("releasing what nobody claimed: %v", err)
		}
	})

	t.Run("stale claim taken over once", func(t *testing.T) {
		open := fresh(t)
		d := id("stale")
		want(t, "the run that dies", claim(t, run(t, open(0)), d), notify.Claimed) // and never closes
		const lease = 3 * time.Second
		want(t, "before the lease ends", claim(t, run(t, open(lease)), d), notify.Busy)
		time.Sleep(lease + 300*time.Millisecond)
		// Many runs find the stale claim at once: exactly one takes it.
		got := race(t, 24, func() notify.ClaimState { return claim(t, run(t, open(lease)), d) })
		if got[notify.Claimed] != 1 || got[notify.Busy] != 23 {
			t.Errorf("takeover of a stale claim by 24 runs at once: %s, want 1 claimed, 23 busy", counts(got))
		}
	})

	t.Run("concurrent claims: exactly one wins", func(t *testing.T) {
		open := fresh(t)
		for i := range 5 {
			d := id(fmt.Sprint("race", i))
			var mu sync.Mutex
			var runs []notify.Deliveries
			got := race(t, 32, func() notify.ClaimState {
				ds := run(t, open(0))
				mu.Lock()
				runs = append(runs, ds)
				mu.Unlock()
				return claim(t, ds, d)
			})
			if got[notify.Claimed] != 1 || got[notify.Busy] != 31 {
				t.Errorf("delivery %d claimed by 32 runs at once: %s, want 1 claimed, 31 busy", i, counts(got))
			}
			for _, ds := range runs {
				closeRun(t, ds)
			}
		}
	})

	t.Run("two runs side by side over many deliveries", func(t *testing.T) {
		// Two runs walk the same deliveries side by side, as two herald
		// notify processes do: every delivery is sent by exactly one.
		open := fresh(t)
		const n = 200
		var sent [n]atomic.Int32
		var wg sync.WaitGroup
		for range 2 {
			ds := run(t, open(0))
			wg.Go(func() {
				defer closeRun(t, ds)
				var inner sync.WaitGroup
				work := make(chan int)
				for range 8 {
					inner.Go(func() {
						for i := range work {
							d := id(fmt.Sprint("many", i))
							st, err := ds.Claim(ctx, d)
							if err != nil {
								t.Error(err)
								continue
							}
							if st == notify.Claimed {
								sent[i].Add(1)
								if err := ds.Finish(ctx, d, notify.Outcome{Status: "sent", At: time.Now()}); err != nil {
									t.Error(err)
								}
							}
						}
					})
				}
				for i := range n {
					work <- i
				}
				close(work)
				inner.Wait()
			})
		}
		wg.Wait()
		for i := range n {
			if c := sent[i].Load(); c != 1 {
				t.Errorf("delivery %d sent %d times", i, c)
			}
		}
		later := run(t, open(0))
		for i := range n {
			want(t, fmt.Sprintf("delivery %d, a later run", i), claim(t, later, id(fmt.Sprint("many", i))), notify.Done)
		}
		closeRun(t, later)
	})

	t.Run("suppressions", func(t *testing.T) {
		open := fresh(t)
		a := open(0)
		if s, err := a.Suppressed(ctx, "h1"); err != nil || s {
			t.Fatalf("before: %v, %v", s, err)
		}
		if err := a.Suppress(ctx, "h1", "21610"); err != nil {
			t.Fatal(err)
		}
		if err := a.Suppress(ctx, "h1", "unsubscribe"); err != nil {
			t.Errorf("suppressing twice: %v", err)
		}
		for name, l := range map[string]notify.Ledger{"same run": a, "later run": open(0)} {
			if s, err := l.Suppressed(ctx, "h1"); err != nil || !s {
				t.Errorf("%s: suppressed = %v, %v", name, s, err)
			}
			if s, err := l.Suppressed(ctx, "h2"); err != nil || s {
				t.Errorf("%s: another recipient suppressed = %v, %v", name, s, err)
			}
		}
	})

	t.Run("cursors only go forward", func(t *testing.T) {
		open := fresh(t)
		a := open(0)
		cs, err := a.Cursors(ctx)
		if err != nil || len(cs) != 0 {
			t.Fatalf("empty ledger: %v, %v", cs, err)
		}
		at := time.Date(2026, 11, 27, 14, 5, 0, 0, time.UTC)
		k1, k2 := notify.CursorKey("end-users", "incident", "checkout"), notify.CursorKey("it-team", "maintenance", "db")
		k3 := notify.CursorKey("executives", "summary", "2026-11-16.P7D")
		steps := []struct {
			key string
			c   notify.Cursor
		}{
			{k1, notify.Cursor{Through: 3, At: at, Notices: 1}},
			{k1, notify.Cursor{Through: 2, At: at.Add(time.Hour), Notices: 9}}, // behind: ignored
			{k2, notify.Cursor{Through: 1}},
			{k1, notify.Cursor{Through: 5, At: at.Add(time.Minute), Notices: 2}},
			{k3, notify.Cursor{Through: 1, At: at, Notices: 1}},
		}
		for _, s := range steps {
			if err := a.Advance(ctx, s.key, s.c); err != nil {
				t.Fatal(err)
			}
		}
		cs, err = open(0).Cursors(ctx)
		if err != nil {
			t.Fatal(err)
		}
		wantCs := map[string]notify.Cursor{k1: {Through: 5, At: at.Add(time.Minute), Notices: 2}, k2: {Through: 1}, k3: {Through: 1, At: at, Notices: 1}}
		if len(cs) != len(wantCs) {
			t.Errorf("cursors: %v, want %v", cs, wantCs)
		}
		for k, w := range wantCs {
			if g := cs[k]; g.Through != w.Through || !g.At.Equal(w.At) || g.Notices != w.Notices {
				t.Errorf("cursor %s: %+v, want %+v", k, g, w)
			}
		}

		// Many runs advance one cursor at once: the furthest wins.
		var wg sync.WaitGroup
		for i := 1; i <= 16; i++ {
			l := open(0)
			wg.Go(func() {
				if err := l.Advance(ctx, "race/incident/x", notify.Cursor{Through: i}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		cs, err = a.Cursors(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if g := cs["race/incident/x"].Through; g != 16 {
			t.Errorf("after 16 concurrent advances: through %d, want 16", g)
		}
	})

	t.Run("a summary's notice ID is a path", func(t *testing.T) {
		open := fresh(t)
		const summary = "summary/executives/2026-11-16.P7D"
		d := id("summary")
		a, err := open(0).Deliveries(ctx, summary)
		if err != nil {
			t.Fatal(err)
		}
		want(t, "first claim", claim(t, a, d), notify.Claimed)
		finish(t, a, d, "sent")
		closeRun(t, a)
		b, err := open(0).Deliveries(ctx, summary)
		if err != nil {
			t.Fatal(err)
		}
		want(t, "a later run", claim(t, b, d), notify.Done)
		closeRun(t, b)
	})
}

// race runs fn n times at once, released together, and counts the results.
func race(t *testing.T, n int, fn func() notify.ClaimState) map[notify.ClaimState]int {
	t.Helper()
	var mu sync.Mutex
	got := map[notify.ClaimState]int{}
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			<-start
			st := fn()
			mu.Lock()
			got[st]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	return got
}

func stateName(s notify.ClaimState) string {
	switch s {
	case notify.Claimed:
		return "claimed"
	case notify.Done:
		return "done"
	case notify.Busy:
		return "busy"
	}
	return fmt.Sprintf("state %d", int(s))
}

func counts(m map[notify.ClaimState]int) string {
	var parts []string
	for s, n := range m {
		parts = append(parts, fmt.Sprintf("%d %s", n, stateName(s)))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// Memory is an in-memory object store with S3's conditional writes. With
// LoseAnswers set, the first write of each key is applied and then answered
// with an error, as a retried request whose first answer was lost meets
// its own write.
type Memory struct {
	LoseAnswers bool

	mu      sync.Mutex
	objects map[string]memObject
	lost    map[string]bool
	gen     int
}

type memObject struct {
	body []byte
	etag string
}

var _ notify.Objects = (*Memory)(nil)

func (m *Memory) Get(ctx context.Context, key string) ([]byte, string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	o, ok := m.objects[key]
	if !ok {
		return nil, "", fmt.Errorf("%s: %w", key, fs.ErrNotExist)
	}
	return append([]byte(nil), o.body...), o.etag, nil
}

func (m *Memory) Put(ctx context.Context, key string, body []byte, ifNoneMatch bool, ifMatch string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.objects == nil {
		m.objects, m.lost = map[string]memObject{}, map[string]bool{}
	}
	o, ok := m.objects[key]
	if ifNoneMatch && ok || ifMatch != "" && (!ok || o.etag != ifMatch) {
		return "", fmt.Errorf("%s: %w", key, notify.ErrPrecondition)
	}
	m.gen++
	etag := fmt.Sprintf("%x-%d", md5.Sum(body), m.gen)
	m.objects[key] = memObject{body: append([]byte(nil), body...), etag: etag}
	if m.LoseAnswers && !m.lost[key] {
		m.lost[key] = true
		if ifNoneMatch || ifMatch != "" {
			return "", fmt.Errorf("%s: retried after a lost answer: %w", key, notify.ErrPrecondition)
		}
	}
	return etag, nil
}

func (m *Memory) Delete(ctx context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.objects, key)
	return nil
}

func (m *Memory) List(ctx context.Context, dir string, fn func(string) error) error {
	m.mu.Lock()
	var keys []string
	for k := range m.objects {
		if strings.HasPrefix(k, dir) {
			keys = append(keys, k)
		}
	}
	m.mu.Unlock()
	sort.Strings(keys)
	for _, k := range keys {
		if err := fn(k); err != nil {
			return err
		}
	}
	return nil
}

// Len is how many objects the store holds.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.objects)
}
