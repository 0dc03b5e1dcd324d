package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"strings"
	"sync"

	"github.com/heraldstatus/herald/notify"
	"github.com/heraldstatus/herald/publish"
)

// The S3 ledger ([notify] ledger = "s3://bucket/prefix") is a notify.Bucket
// over publish's S3 client: one client, with AWS's standard chain for
// credentials and region, and its retries, serves the site and the ledger.
//
// It may share the site's bucket. publish never uploads, compares or
// deletes anything under a ".herald" path segment, and it leaves alone the
// folder of the target that [notify] ledger names; the one place refused
// is the site's own prefix. The recommended place is beside the site's
// own state: s3://bucket/<site prefix>/.herald/ledger.
func init() {
	openS3Ledger = func(ctx context.Context, url string) (notify.Ledger, error) {
		objs, err := newS3Objects(ctx, url)
		if err != nil {
			return nil, fmt.Errorf("ledger %s: %w", url, err)
		}
		return notify.NewBucket(objs, 0), nil
	}
}

// s3Options are the ledger's connection settings from the environment:
// an S3-compatible store is named by AWS_ENDPOINT_URL_S3 (or
// AWS_ENDPOINT_URL), as for the AWS CLI, and addressed path-style.
func s3Options() publish.S3Options {
	ep := os.Getenv("AWS_ENDPOINT_URL_S3")
	if ep == "" {
		ep = os.Getenv("AWS_ENDPOINT_URL")
	}
	return publish.S3Options{EndpointURL: ep, PathStyle: ep != ""}
}

// s3Objects adapts publish's S3 target to notify.Objects.
type s3Objects struct {
	bucket, prefix string
	opts           publish.S3Options
	root           *publish.S3

	mu   sync.Mutex
	dirs map[string]*publish.S3 // a target per listed folder: a listing covers its root
}

var _ notify.Objects = (*s3Objects)(nil)

func newS3Objects(ctx context.Context, url string) (*s3Objects, error) {
	bucket, prefix, err := publish.ParseS3URL(url)
	if err != nil {
		return nil, err
	}
	o := &s3Objects{bucket: bucket, prefix: prefix, opts: s3Options(), dirs: map[string]*publish.S3{}}
	if o.root, err = publish.NewS3(ctx, url, o.opts); err != nil {
		return nil, err
	}
	return o, nil
}

func (o *s3Objects) Get(ctx context.Context, key string) ([]byte, string, error) {
	b, st, err := o.root.Get(ctx, key)
	if err != nil {
		return nil, "", err
	}
	return b, st.ETag, nil
}

func (o *s3Objects) Put(ctx context.Context, key string, body []byte, ifNoneMatch bool, ifMatch string) (string, error) {
	ct := "application/json" // cursors, claims and outcomes
	if strings.HasPrefix(key, "suppressed/") {
		ct = "text/plain; charset=utf-8"
	}
	etag, err := o.root.Put(ctx, publish.Upload{Key: key, Body: body, IfNoneMatch: ifNoneMatch, IfMatch: ifMatch,
		Header: publish.Header{ContentType: ct}})
	if errors.Is(err, publish.ErrPrecondition) {
		return "", fmt.Errorf("%w: %w", notify.ErrPrecondition, err)
	}
	return etag, err
}

func (o *s3Objects) Delete(ctx context.Context, key string) error { return o.root.Delete(ctx, key) }

func (o *s3Objects) List(ctx context.Context, dir string, fn func(string) error) error {
	dir = strings.Trim(dir, "/")
	o.mu.Lock()
	t, ok := o.dirs[dir]
	if !ok {
		var err error
		if t, err = publish.NewS3(ctx, "s3://"+o.bucket+"/"+path.Join(o.prefix, dir), o.opts); err != nil {
			o.mu.Unlock()
			return err
		}
		o.dirs[dir] = t
	}
	o.mu.Unlock()
	return t.List(ctx, func(obj publish.Object) error { return fn(dir + "/" + obj.Key) })
}
