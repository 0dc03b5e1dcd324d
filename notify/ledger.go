package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
	// Claim reserves a delivery for this run.
	Claim(ctx context.Context, id string) (ClaimState, error)
	// Finish records the outcome of a claimed delivery.
	Finish(ctx context.Context, id string, r Outcome) error
	// Suppressed reports whether a recipient asked to hear nothing more
	// on a channel (an SMS STOP, an unsubscribe).
	Suppressed(ctx context.Context, rhash string) (bool, error)
	// Suppress records such a request.
	Suppress(ctx context.Context, rhash, reason string) error
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

// Folder is a ledger in a local folder (the default): one small file per
// claim and per finished delivery, created atomically.
type Folder struct {
	Dir string
	// Lease is how long a claim of another run stays untouchable when its
	// owner cannot be seen to have died. Zero means 10 minutes.
	Lease time.Duration
	owner claimOwner
}

var _ Ledger = (*Folder)(nil)

type claimOwner struct {
	Host string    `json:"host"`
	PID  int       `json:"pid"`
	At   time.Time `json:"at"`
}

// NewFolder opens (creating) a ledger folder.
func NewFolder(dir string) (*Folder, error) {
	for _, sub := range []string{"cursors", "deliveries", "suppressed"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, fmt.Errorf("ledger: %w", err)
		}
	}
	host, _ := os.Hostname()
	return &Folder{Dir: dir, owner: claimOwner{Host: host, PID: os.Getpid()}}, nil
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
	// Two runs may advance the same cursor; the further one wins.
	if b, err := os.ReadFile(p); err == nil {
		var old Cursor
		if json.Unmarshal(b, &old) == nil && old.Through >= c.Through {
			return nil
		}
	}
	b, _ := json.Marshal(c)
	return writeAtomic(p, b)
}

func (f *Folder) deliveryPath(id, ext string) string {
	return filepath.Join(f.Dir, "deliveries", id[:2], id+ext)
}

func (f *Folder) Claim(ctx context.Context, id string) (ClaimState, error) {
	if _, err := os.Stat(f.deliveryPath(id, ".done")); err == nil {
		return Done, nil
	}
	p := f.deliveryPath(id, ".claim")
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return 0, err
	}
	o := f.owner
	o.At = time.Now().UTC()
	b, _ := json.Marshal(o)
	err := writeExclusive(p, b)
	if err == nil {
		return Claimed, nil
	}
	if !errors.Is(err, fs.ErrExist) {
		return 0, err
	}
	// Claimed before: by us, by a live run, or by one that died.
	var held claimOwner
	if b, err := os.ReadFile(p); err == nil {
		_ = json.Unmarshal(b, &held)
	}
	if _, err := os.Stat(f.deliveryPath(id, ".done")); err == nil {
		return Done, nil
	}
	lease := f.Lease
	if lease == 0 {
		lease = 10 * time.Minute
	}
	dead := held.Host == f.owner.Host && held.PID != f.owner.PID && !alive(held.PID)
	if held.Host == f.owner.Host && held.PID == f.owner.PID {
		return Claimed, nil // our own claim from earlier in this run
	}
	if !dead && time.Since(held.At) < lease {
		return Busy, nil
	}
	// Take the stale claim over: the one send that may have been in flight
	// when its owner died may go out twice; nothing is skipped.
	if err := writeAtomic(p, b); err != nil {
		return 0, err
	}
	return Claimed, nil
}

func (f *Folder) Finish(ctx context.Context, id string, r Outcome) error {
	b, _ := json.Marshal(r)
	err := writeExclusive(f.deliveryPath(id, ".done"), b)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	return err
}

func (f *Folder) Suppressed(ctx context.Context, rhash string) (bool, error) {
	_, err := os.Stat(filepath.Join(f.Dir, "suppressed", rhash))
	if err == nil {
		return true, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return false, err
}

func (f *Folder) Suppress(ctx context.Context, rhash, reason string) error {
	err := writeExclusive(filepath.Join(f.Dir, "suppressed", rhash), []byte(reason+"\n"))
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	return err
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

// writeExclusive creates a file that must not exist, completely or not at
// all: written aside, then linked into place.
func writeExclusive(p string, b []byte) error {
	tmp := p + ".tmp" + strconv.Itoa(os.Getpid()) + strconv.FormatInt(time.Now().UnixNano(), 36)
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
	tmp := p + ".tmp" + strconv.Itoa(os.Getpid()) + strconv.FormatInt(time.Now().UnixNano(), 36)
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

// Release gives a claim back after transient failures, so that the next
// run retries the delivery at once.
func (f *Folder) Release(ctx context.Context, id string) error {
	err := os.Remove(f.deliveryPath(id, ".claim"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
