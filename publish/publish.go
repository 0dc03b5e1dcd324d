// Package publish makes a target — a local folder or an S3 bucket prefix —
// look exactly like a folder of files, changing only what differs.
//
// It knows nothing of incidents: it takes an fs.FS (the built public/) and
// a Target. Run lists the target once, compares content and intended
// headers with what it stored last time, and uploads in an order that never
// leaves a broken site on the way (assets, then pages, then entry points,
// then deletions), under a lock object that keeps two publishes from
// interleaving.
//
// Every path segment named ".herald" is reserved for herald's own state in
// a target: Run never uploads, compares or deletes anything under one, save
// its own lock (.herald/publish.lock) and manifest (.herald/publish.json).
// notify's ledger, kept in the same bucket, lives under <prefix>/.herald/.
// A folder of the target that holds a .herald folder of its own is another
// site (or another herald's state), and Run neither writes nor deletes
// inside it.
package publish

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Reserved is the path segment that marks herald's own state in a target.
const Reserved = ".herald"

// The keys, relative to the target's root, of publish's own state.
const (
	LockKey     = Reserved + "/publish.lock"
	ManifestKey = Reserved + "/publish.json"
)

// An Object is one object as a listing shows it.
type Object struct {
	Key  string // relative to the target's root, slash-separated
	Size int64
	ETag string // without quotes; an MD5 in hex unless the store says otherwise
}

// Header is the HTTP headers stored with an object and sent to readers.
type Header struct {
	ContentType     string `json:"content_type"`
	CacheControl    string `json:"cache_control"`
	ContentEncoding string `json:"content_encoding,omitempty"`
}

// An Upload is one object to write.
type Upload struct {
	Key      string
	Body     []byte
	Header   Header
	Metadata map[string]string // keys in lower case
	// IfNoneMatch makes the write a create: it fails with ErrPrecondition
	// when an object is already at Key.
	IfNoneMatch bool
	// IfMatch, when set, makes the write a replace: it fails with
	// ErrPrecondition unless the object at Key has this ETag.
	IfMatch string
}

// Stored is what a target keeps of an object beside its bytes.
type Stored struct {
	Object
	Header   Header
	Metadata map[string]string // keys in lower case; nil when the target keeps none
}

// A Target is a place a site is published to. Keys are relative to its
// root and slash-separated. A missing object is reported as an error that
// matches fs.ErrNotExist.
type Target interface {
	// List calls fn for every object under the root, in one paged listing.
	List(ctx context.Context, fn func(Object) error) error
	// Stat returns an object's headers and metadata without its bytes.
	Stat(ctx context.Context, key string) (Stored, error)
	// Get returns an object's bytes and what is stored with it.
	Get(ctx context.Context, key string) ([]byte, Stored, error)
	// Put writes an object and returns its new ETag.
	Put(ctx context.Context, u Upload) (etag string, err error)
	// Delete removes an object; removing a missing one is not an error.
	Delete(ctx context.Context, key string) error
	// String names the target for people: a folder path or s3://bucket/prefix.
	String() string
}

// ErrPrecondition reports a conditional write that did not hold.
var ErrPrecondition = errors.New("precondition failed")

// reserved reports whether key has a .herald segment, and at which depth:
// 0 for the target's own state, more for another site's.
func reserved(key string) (depth int, ok bool) {
	for i, seg := range strings.Split(key, "/") {
		if seg == Reserved {
			return i, true
		}
	}
	return 0, false
}

// A TooManyDeletesError is returned, before anything is changed, when a
// publish would delete more objects than allowed.
type TooManyDeletesError struct {
	Target string
	Count  int
	Max    int
}

func (e *TooManyDeletesError) Error() string {
	return fmt.Sprintf("refusing to delete %d objects under %s (the limit is %d): check that the target is the right one, "+
		"then rerun with --max-deletes %d or --force", e.Count, e.Target, e.Max, e.Count)
}

// A LockedError is returned when another publish holds the target's lock.
type LockedError struct {
	Target  string
	Owner   string
	Expires string
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("%s is being published by %s (lock %s, held until %s unless extended); "+
		"rerun when it is done, or wait longer with --lock-wait: a lock left by a publish that died expires by itself",
		e.Target, e.Owner, LockKey, e.Expires)
}

// A FailedError lists the keys a publish could not write or delete.
type FailedError struct {
	Failures []Failure
}

// A Failure is one key that could not be written or deleted.
type Failure struct {
	Key   string `json:"key"`
	Op    string `json:"op"`
	Error string `json:"error"`
}

func (e *FailedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s failed:", len(e.Failures), plural(len(e.Failures), "object", "objects"))
	for i, f := range e.Failures {
		if i == 20 {
			fmt.Fprintf(&b, "\n  … and %d more", len(e.Failures)-i)
			break
		}
		fmt.Fprintf(&b, "\n  %s %s: %s", f.Op, f.Key, f.Error)
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
