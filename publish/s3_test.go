package publish

import (
	"context"
	"errors"
	"maps"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/heraldstatus/herald/publish/publishtest"
)

// TestRequestCounts counts requests at the server: a publish with nothing
// to do only lists; a one-file content change writes that file and the
// lock, and neither reads nor writes the manifest.
func TestRequestCounts(t *testing.T) {
	ep := s3Endpoint(t)
	px := publishtest.NewProxy(t, ep)
	bucket := newBucket(t, ep)
	tg := newS3(t, px.URL, bucket, "status", S3Options{})
	site := sampleSite()
	run(t, tg, site, Options{})

	px.Reset()
	run(t, tg, site, Options{})
	if c, _ := px.Reset(); c["LIST"] != 1 || len(c) != 1 {
		t.Errorf("no-change publish made %s; want LIST=1 and nothing else", publishtest.Format(c))
	}

	site["incidents/db-down/index.html"] = &fstest.MapFile{Data: []byte("<!doctype html><title>db, monitoring</title>")}
	run(t, tg, site, Options{})
	c, _ := px.Reset()
	if c["PUT"] != 2 || c["DELETE"] != 1 || c["HEAD"] != 0 || c["GET"] != 1 {
		t.Errorf("one-file publish made %s; want PUT=2 (page, lock) GET=1 (lock) DELETE=1 (lock) HEAD=0", publishtest.Format(c))
	}
	t.Logf("one-file publish: %s", publishtest.Format(c))
}

// TestTransientFaults injects the failures S3 answers with under load —
// 500, 503 SlowDown, 429, a request that hangs — and the publish goes
// through with retries.
func TestTransientFaults(t *testing.T) {
	ep := s3Endpoint(t)
	px := publishtest.NewProxy(t, ep)
	bucket := newBucket(t, ep)
	tg := newS3(t, px.URL, bucket, "", S3Options{Timeout: 300 * time.Millisecond, MaxBackoff: 50 * time.Millisecond})
	var injected atomic.Int32
	px.SetFault(func(op, key string, n int) (int, time.Duration) {
		if n > 1 {
			return 0, 0 // every fault is transient: the retry goes through
		}
		switch {
		case op == "LIST":
			injected.Add(1)
			return 503, 0
		case op == "PUT" && strings.HasSuffix(key, ".css"):
			injected.Add(1)
			return 500, 0
		case op == "PUT" && strings.HasSuffix(key, ".json"):
			injected.Add(1)
			return 429, 0
		case op == "PUT" && strings.HasSuffix(key, "/index.html"):
			injected.Add(1)
			return 0, time.Second // longer than the client waits
		}
		return 0, 0
	})
	site := sampleSite()
	rep, err := Run(ctx, tg, site, Options{})
	if err != nil {
		t.Fatalf("publish through transient faults: %v", err)
	}
	if rep.Uploaded != len(site) || injected.Load() < 4 {
		t.Errorf("uploaded %d of %d with %d faults injected", rep.Uploaded, len(site), injected.Load())
	}
	px.SetFault(nil)
	if got, want := siteKeys(t, tg), keysOf(site); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("bucket holds %v", got)
	}
}

// TestPermanentFault: a key the server always refuses fails the publish,
// named, after the retries; nothing of a later phase goes up.
func TestPermanentFault(t *testing.T) {
	ep := s3Endpoint(t)
	px := publishtest.NewProxy(t, ep)
	bucket := newBucket(t, ep)
	tg := newS3(t, px.URL, bucket, "", S3Options{MaxAttempts: 3, MaxBackoff: 10 * time.Millisecond})
	px.SetFault(func(op, key string, n int) (int, time.Duration) {
		if op == "PUT" && strings.HasSuffix(key, "favicon.svg") {
			return 503, 0
		}
		return 0, 0
	})
	_, err := Run(ctx, tg, sampleSite(), Options{})
	var fe *FailedError
	if !errors.As(err, &fe) || len(fe.Failures) != 1 || fe.Failures[0].Key != "assets/favicon.svg" {
		t.Fatalf("got %v", err)
	}
	px.SetFault(nil)
	for _, key := range siteKeys(t, tg) {
		if PhaseOf(key) != PhaseAssets {
			t.Errorf("%s went up after an asset failed", key)
		}
	}
}

// foreignETags makes a target report ETags that are not MD5s, as stores do
// for multipart uploads or with KMS encryption.
type foreignETags struct{ Target }

func mangle(etag string) string { return etag + "-1" }
func unmangle(etag string) string {
	return strings.TrimSuffix(etag, "-1")
}

func (f foreignETags) List(ctx context.Context, fn func(Object) error) error {
	return f.Target.List(ctx, func(o Object) error { o.ETag = mangle(o.ETag); return fn(o) })
}
func (f foreignETags) Stat(ctx context.Context, key string) (Stored, error) {
	st, err := f.Target.Stat(ctx, key)
	st.ETag = mangle(st.ETag)
	return st, err
}
func (f foreignETags) Get(ctx context.Context, key string) ([]byte, Stored, error) {
	b, st, err := f.Target.Get(ctx, key)
	st.ETag = mangle(st.ETag)
	return b, st, err
}
func (f foreignETags) Put(ctx context.Context, u Upload) (string, error) {
	u.IfMatch = unmangle(u.IfMatch)
	etag, err := f.Target.Put(ctx, u)
	return mangle(etag), err
}

// TestNonMD5ETags: where ETags are not MD5s, the manifest and the hashes
// stored in each object's metadata decide, and nothing is uploaded twice.
func TestNonMD5ETags(t *testing.T) {
	ep := s3Endpoint(t)
	bucket := newBucket(t, ep)
	tg := foreignETags{newS3(t, ep, bucket, "", S3Options{})}
	site := sampleSite()
	run(t, tg, site, Options{})
	if rep := run(t, tg, site, Options{}); len(rep.Actions) != 0 {
		t.Errorf("second publish: %v", reasons(rep))
	}
	// Without the manifest (a publish killed before writing it), the
	// metadata of each object still tells it is current.
	if err := tg.Delete(ctx, ManifestKey); err != nil {
		t.Fatal(err)
	}
	site["index.html"] = &fstest.MapFile{Data: []byte("changed")}
	rep := run(t, tg, site, Options{})
	want := map[string]string{"index.html": "upload: " + ReasonContent}
	if got := reasons(rep); !maps.Equal(got, want) {
		t.Errorf("without a manifest: %v, want %v", got, want)
	}
}

// TestForeignObjects: objects another tool uploaded carry no herald hashes;
// they are uploaded once, then left alone.
func TestForeignObjects(t *testing.T) {
	ep := s3Endpoint(t)
	bucket := newBucket(t, ep)
	tg := newS3(t, ep, bucket, "", S3Options{})
	site := sampleSite()
	for key, f := range site {
		if _, err := tg.Put(ctx, Upload{Key: key, Body: f.Data, Header: Header{ContentType: "application/octet-stream"}}); err != nil {
			t.Fatal(err)
		}
	}
	rep := run(t, tg, site, Options{})
	if rep.Uploaded != len(site) {
		t.Errorf("objects without hashes: %v", reasons(rep))
	}
	if rep := run(t, tg, site, Options{}); len(rep.Actions) != 0 {
		t.Errorf("again: %v", reasons(rep))
	}
}
