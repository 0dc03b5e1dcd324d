package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// A Ledger records what was sent, so that no run sends a recipient the
// same notice twice and none skips one. A delivery (one notice, one
// channel, one recipient) is claimed before it is sent and finished after;
// a claim of a run that died is taken over once it is stale.
type Ledger interface {
	// Cursors returns what each audience has heard of each item.
	Cursors(ctx context.Context) (map[string]Cursor, error)
	// Advance records that a notice went out to everyone it could.
	Advance(ctx context.Context, key string, c Cursor) error
	// Deliveries opens this run's record of one notice's deliveries, for
	// the length of its fan-out.
	Deliveries(ctx context.Context, notice string) (Deliveries, error)
	// Suppressed reports whether a recipient asked to hear nothing more
	// on a channel (an SMS STOP, an unsubscribe).
	Suppressed(ctx context.Context, rhash string) (bool, error)
	// Suppress records such a request.
	Suppress(ctx context.Context, rhash, reason string) error
}

// Deliveries is one run's record of one notice's deliveries. Its methods
// may be called from many goroutines at once.
type Deliveries interface {
	// Claim reserves a delivery for this run. Claiming again what this
	// run claimed already reports Done: a recipient listed twice hears
	// once.
	Claim(ctx context.Context, id string) (ClaimState, error)
	// Finish records the outcome of a claimed delivery.
	Finish(ctx context.Context, id string, r Outcome) error
	// Release gives a claim back after transient failures, so that a
	// later run retries the delivery at once rather than after a lease.
	Release(ctx context.Context, id string) error
	// Close ends the run's hold on the notice. A delivery it claimed and
	// neither finished nor released (its outcome could not be recorded)
	// may go out again from a later run: at once, or after the lease.
	Close() error
}

// ClaimState is what Claim found.
type ClaimState int

const (
	Claimed ClaimState = iota // this run owns the delivery: send it
	Done                      // finished before: skip it
	Busy                      // another live run holds it: leave it
)

// Outcome is a finished delivery.
type Outcome struct {
	Status string    `json:"status"` // "sent", "failed" (permanent), "suppressed"
	Code   string    `json:"code,omitempty"`
	At     time.Time `json:"at"`
}

// RecipientHash is a keyed hash of a channel and an address: the ledger
// stores these, never addresses or numbers.
func RecipientHash(key []byte, channel, address string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(channel + ":" + strings.ToLower(strings.TrimSpace(address))))
	return hex.EncodeToString(m.Sum(nil)[:16])
}

// DeliveryID names one notice to one recipient over one channel.
func DeliveryID(noticeID, channel, rhash string) string {
	h := sha256.Sum256([]byte(noticeID + "/" + channel + "/" + rhash))
	return hex.EncodeToString(h[:16])
}

// Folder is a ledger in a local folder (the default), for the runs of one
// machine:
//
//	cursors/<audience>/<kind>/<slug>.json   a Cursor, replaced under a lock file, only forward
//	notices/<notice>/<shard>.claim          the run that holds a shard of the notice's deliveries
//	notices/<notice>/<shard>.log            one line per finished delivery of the shard, appended
//	suppressed/<recipient hash>             an opt-out
//
// A notice's deliveries fall in 256 shards by the first byte of their IDs.
// A run claims a shard (a file created whole, atomically) the first time
// it meets one of its deliveries and holds it until the notice's fan-out
// ends; another run finds it busy and leaves its deliveries to the
// holder. A delivery then costs one appended line, not a file: a fan-out
// to 20,000 recipients writes 512 files, not 40,000. A run killed mid-way
// leaves its shard claims behind; the next run on this machine sees that
// their process is gone, takes them over and sends what their logs lack:
// only the sends in flight at the kill, at most the concurrency, may go
// out twice. A claim of a process that still runs is never taken over;
// one of another machine (a folder shared over the network) only after
// the lease.
type Folder struct {
	Dir string
	// Lease is how long a claim of another run stays untouchable when its
	// owner cannot be seen to have died. Zero means 10 minutes.
	Lease time.Duration
	owner claimOwner

	supMu      sync.Mutex
	suppressed map[string]bool // read once per run, then kept up to date
}

var _ Ledger = (*Folder)(nil)

type claimOwner struct {
	Host string    `json:"host"`
	PID  int       `json:"pid"`
	Run  string    `json:"run"` // one per opened ledger: two runs may share a process
	At   time.Time `json:"at"`
}

// NewFolder opens (creating) a ledger folder.
func NewFolder(dir string) (*Folder, error) {
	for _, sub := range []string{"cursors", "notices", "suppressed"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, fmt.Errorf("ledger: %w", err)
		}
	}
	host, _ := os.Hostname()
	run := make([]byte, 12)
	if _, err := randRead(run); err != nil {
		return nil, err
	}
	return &Folder{Dir: dir, owner: claimOwner{Host: host, PID: os.Getpid(), Run: hex.EncodeToString(run)}}, nil
}

// Key returns the folder's recipient-hash key, creating it on first use.
// HERALD_RECIPIENT_KEY, read by the command, takes precedence.
func (f *Folder) Key() ([]byte, error) {
	p := filepath.Join(f.Dir, "key")
	if b, err := os.ReadFile(p); err == nil {
		return hex.DecodeString(strings.TrimSpace(string(b)))
	}
	key := make([]byte, 32)
	if _, err := randRead(key); err != nil {
		return nil, err
	}
	if err := writeExclusive(p, []byte(hex.EncodeToString(key)+"\n")); err != nil {
		if errors.Is(err, fs.ErrExist) { // another run made it first
			return f.Key()
		}
		return nil, err
	}
	return key, nil
}

func (f *Folder) Cursors(ctx context.Context) (map[string]Cursor, error) {
	out := map[string]Cursor{}
	root := filepath.Join(f.Dir, "cursors")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var c Cursor
		if err := json.Unmarshal(b, &c); err != nil {
			return fmt.Errorf("ledger: %s: %w", p, err)
		}
		rel, _ := filepath.Rel(root, p)
		out[strings.TrimSuffix(filepath.ToSlash(rel), ".json")] = c
		return nil
	})
	return out, err
}

func (f *Folder) Advance(ctx context.Context, key string, c Cursor) error {
	p := filepath.Join(f.Dir, "cursors", filepath.FromSlash(key)+".json")
	// Two runs may advance the same cursor; the further one wins. Reading,
	// comparing and replacing happen under a lock file, or the slower run
	// could move the cursor back.
	unlock, err := f.lock(ctx, p+".lock")
	if err != nil {
		return err
	}
	defer unlock()
	if b, err := os.ReadFile(p); err == nil {
		var old Cursor
		if json.Unmarshal(b, &old) == nil && old.Through >= c.Through {
			return nil
		}
	}
	b, _ := json.Marshal(c)
	return writeAtomic(p, b)
}

// lock takes a lock file held for moments only: one left by a process that
// died, or older than a few seconds, is broken.
func (f *Folder) lock(ctx context.Context, p string) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return nil, err
	}
	o := f.owner
	o.At = time.Now().UTC()
	b, _ := json.Marshal(o)
	for wait := time.Millisecond; ; wait = min(2*wait, 50*time.Millisecond) {
		err := writeExclusive(p, b)
		if err == nil {
			return func() { os.Remove(p) }, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, err
		}
		var held claimOwner
		if raw, err := os.ReadFile(p); err == nil && json.Unmarshal(raw, &held) == nil {
			dead := held.Host == f.owner.Host && held.PID != f.owner.PID && !alive(held.PID)
			if dead || time.Since(held.At) > 5*time.Second {
				// Break it. (Two runs breaking it at once could break a
				// fresh one too; the worst that follows is a cursor set
				// back, which resends nothing: the notice it re-plans has
				// the same identity, and its deliveries are done.)
				gone := tmpName(p) + ".broken"
				if os.Rename(p, gone) == nil {
					os.Remove(gone)
				}
				continue
			}
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Deliveries opens the record of one notice's deliveries. A notice ID
// that is not a file name (a summary's summary/<audience>/<period>) is
// kept under a hash of it.
func (f *Folder) Deliveries(ctx context.Context, notice string) (Deliveries, error) {
	if notice == "" {
		return nil, errors.New("ledger: empty notice id")
	}
	name := notice
	if strings.ContainsAny(notice, `/\.`) {
		h := sha256.Sum256([]byte(notice))
		name = "h" + hex.EncodeToString(h[:12])
	}
	dir := filepath.Join(f.Dir, "notices", name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	return &folderNotice{f: f, dir: dir, shards: map[string]*folderShard{}}, nil
}

type folderNotice struct {
	f   *Folder
	dir string

	mu     sync.Mutex // guards shards and closed; each shard has its own
	shards map[string]*folderShard
	closed bool
}

type folderShard struct {
	mu    sync.Mutex
	ready bool     // acquired, or found busy
	busy  bool     // another run holds it
	log   *os.File // held: appended to
	claim []byte   // held: the claim file's content, ours
	// seen holds the shard's deliveries finished (by any run) or claimed
	// by this one, in 16 bytes each: a notice to 20,000 recipients keeps
	// well under a megabyte here.
	seen map[deliveryKey]deliveryState
}

func shardOf(id string) (string, error) {
	if len(id) < 2 || strings.ContainsAny(id, `/\. `) {
		return "", fmt.Errorf("ledger: delivery id %q is not a name", id)
	}
	return strings.ToLower(id[:2]), nil
}

func (n *folderNotice) Claim(ctx context.Context, id string) (ClaimState, error) {
	name, err := shardOf(id)
	if err != nil {
		return 0, err
	}
	n.mu.Lock()
	if n.closed {
		n.mu.Unlock()
		return 0, errors.New("ledger: claim after close")
	}
	sh := n.shards[name]
	if sh == nil {
		sh = &folderShard{}
		n.shards[name] = sh
	}
	n.mu.Unlock()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if !sh.ready {
		if err := n.acquire(ctx, name, sh); err != nil {
			return 0, err
		}
		sh.ready = true
	}
	switch {
	case sh.busy:
		return Busy, nil
	case sh.seen[keyOf(id)] != 0:
		return Done, nil
	}
	sh.seen[keyOf(id)] = claimedHere
	return Claimed, nil
}

type deliveryKey [16]byte

type deliveryState uint8

const (
	claimedHere deliveryState = iota + 1
	finished
)

// keyOf packs a delivery ID (32 hex digits) into its 16 bytes; anything
// else is hashed.
func keyOf(id string) deliveryKey {
	var k deliveryKey
	if len(id) == 2*len(k) {
		if _, err := hex.Decode(k[:], []byte(id)); err == nil {
			return k
		}
	}
	h := sha256.Sum256([]byte(id))
	copy(k[:], h[:])
	return k
}

// acquire claims a shard for this run, or finds it busy, and reads what
// its log says is done.
func (n *folderNotice) acquire(ctx context.Context, name string, sh *folderShard) error {
	p := filepath.Join(n.dir, name+".claim")
	o := n.f.owner
	o.At = time.Now().UTC()
	mine, _ := json.Marshal(o)
	err := writeExclusive(p, mine)
	if errors.Is(err, fs.ErrExist) {
		var raw []byte
		raw, err = os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			return n.acquire(ctx, name, sh) // closed in the meantime: claim it afresh
		}
		if err != nil {
			return fmt.Errorf("ledger: %w", err)
		}
		var held claimOwner
		_ = json.Unmarshal(raw, &held) // an unreadable claim is as good as stale
		if held.Run == n.f.owner.Run {
			// Ours, from an attempt that failed after claiming: go on.
			return n.open(name, sh, raw)
		}
		if !n.f.stale(held) {
			sh.busy = true
			return nil
		}
		// Take the stale claim over. Of runs that find the same stale
		// claim, the one that creates the takeover mark named after its
		// content gets it; the others find it busy.
		mark := sha256.Sum256(raw)
		if err := writeExclusive(p+"."+hex.EncodeToString(mark[:8])+".takeover", mine); err != nil {
			if errors.Is(err, fs.ErrExist) {
				sh.busy = true
				return nil
			}
			return fmt.Errorf("ledger: %w", err)
		}
		err = writeAtomic(p, mine)
	}
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	return n.open(name, sh, mine)
}

// open opens the log of a shard this run holds and reads what is done.
func (n *folderNotice) open(name string, sh *folderShard, claim []byte) error {
	log, err := os.OpenFile(filepath.Join(n.dir, name+".log"), os.O_CREATE|os.O_RDWR|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	b, err := io.ReadAll(log)
	if err != nil {
		log.Close()
		return fmt.Errorf("ledger: %w", err)
	}
	sh.claim, sh.log, sh.seen = claim, log, map[deliveryKey]deliveryState{}
	for line := range strings.Lines(string(b)) {
		// "<id> <status> <code> <time>\n", written after the send: a line
		// cut short by a kill still names a delivery that went out, if the
		// space after its id made it.
		if id, _, ok := strings.Cut(line, " "); ok {
			sh.seen[keyOf(id)] = finished
		}
	}
	if len(b) > 0 && b[len(b)-1] != '\n' {
		// End the torn line, so the next outcome starts a line of its own.
		if _, err := sh.log.Write([]byte("\n")); err != nil {
			sh.log.Close()
			sh.log = nil
			return fmt.Errorf("ledger: %w", err)
		}
	}
	return nil
}

// stale reports whether a claim's run is gone: a process of this machine
// that no longer runs, or, when that cannot be seen (another machine, or
// another run in this process), a claim older than the lease.
func (f *Folder) stale(held claimOwner) bool {
	if held.Host == f.owner.Host && held.PID != f.owner.PID && held.PID > 0 {
		// Its process still runs: it is busy, however long it takes (a
		// rate-limited fan-out). A day is the limit, for a PID reused.
		return !alive(held.PID) || time.Since(held.At) > 24*time.Hour
	}
	lease := f.Lease
	if lease <= 0 {
		lease = 10 * time.Minute
	}
	return time.Since(held.At) >= lease
}

// held returns the shard of a delivery this run claimed, locked.
func (n *folderNotice) held(id string) (*folderShard, error) {
	name, err := shardOf(id)
	if err != nil {
		return nil, err
	}
	n.mu.Lock()
	sh := n.shards[name]
	n.mu.Unlock()
	if sh != nil {
		sh.mu.Lock()
		if sh.log != nil {
			return sh, nil
		}
		sh.mu.Unlock()
	}
	return nil, fmt.Errorf("ledger: delivery %s is not claimed by this run", id)
}

func (n *folderNotice) Finish(ctx context.Context, id string, r Outcome) error {
	sh, err := n.held(id)
	if err != nil {
		return err
	}
	defer sh.mu.Unlock()
	if sh.seen[keyOf(id)] == finished {
		return nil
	}
	code := r.Code
	if code == "" {
		code = "-"
	}
	line := id + " " + headerSafeWord(r.Status) + " " + headerSafeWord(code) + " " + r.At.UTC().Format(time.RFC3339) + "\n"
	if _, err := sh.log.Write([]byte(line)); err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	sh.seen[keyOf(id)] = finished
	return nil
}

// headerSafeWord keeps a log field one word.
func headerSafeWord(s string) string {
	return strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return '_'
		}
		return r
	}, s)
}

func (n *folderNotice) Release(ctx context.Context, id string) error {
	if sh, err := n.held(id); err == nil {
		if k := keyOf(id); sh.seen[k] == claimedHere {
			delete(sh.seen, k)
		}
		sh.mu.Unlock()
	}
	return nil
}

// Close closes the shards' logs and removes this run's shard claims (a
// later run reads the logs); a claim another run took over stays.
func (n *folderNotice) Close() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return nil
	}
	n.closed = true
	var errs []error
	for name, sh := range n.shards {
		sh.mu.Lock()
		if sh.log != nil {
			errs = append(errs, sh.log.Close())
			sh.log = nil
			p := filepath.Join(n.dir, name+".claim")
			if b, err := os.ReadFile(p); err == nil && string(b) == string(sh.claim) {
				if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
					errs = append(errs, err)
				}
			}
		}
		sh.mu.Unlock()
	}
	n.shards = nil
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	return nil
}

// Suppressed reads the suppression list once per run (one directory
// listing, not a file lookup per delivery) and keeps it up to date with
// this run's own.
func (f *Folder) Suppressed(ctx context.Context, rhash string) (bool, error) {
	f.supMu.Lock()
	defer f.supMu.Unlock()
	if f.suppressed == nil {
		es, err := os.ReadDir(filepath.Join(f.Dir, "suppressed"))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return false, fmt.Errorf("ledger: %w", err)
		}
		f.suppressed = make(map[string]bool, len(es))
		for _, e := range es {
			f.suppressed[e.Name()] = true
		}
	}
	return f.suppressed[rhash], nil
}

func (f *Folder) Suppress(ctx context.Context, rhash, reason string) error {
	err := writeExclusive(filepath.Join(f.Dir, "suppressed", rhash), []byte(reason+"\n"))
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	f.supMu.Lock()
	if f.suppressed != nil {
		f.suppressed[rhash] = true
	}
	f.supMu.Unlock()
	return nil
}

// alive reports whether a process of this machine still runs.
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}

// tmpSeq tells apart the temporary files of one process: goroutines that
// write the same file at the same instant must not share one.
var tmpSeq atomic.Int64

// tmpName is a name beside p for a file being written.
func tmpName(p string) string {
	return p + ".tmp" + strconv.Itoa(os.Getpid()) + "-" + strconv.FormatInt(tmpSeq.Add(1), 36)
}

// writeExclusive creates a file that must not exist, completely or not at
// all: written aside, then linked into place.
func writeExclusive(p string, b []byte) error {
	tmp := tmpName(p)
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	defer os.Remove(tmp)
	if err := os.Link(tmp, p); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fs.ErrExist
		}
		return err
	}
	return nil
}

// writeAtomic replaces a file completely or not at all.
func writeAtomic(p string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	tmp := tmpName(p)
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}
