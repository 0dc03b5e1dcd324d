package main

import (
	"context"
	"testing"
	"time"

	"github.com/heraldstatus/herald/notify"
	"github.com/heraldstatus/herald/notify/notifytest"
	"github.com/heraldstatus/herald/publish/publishtest"
)

// s3LedgerEnv points AWS's standard chain at the S3 server scripts/test
// started, as a user points it at an S3-compatible store, and returns a
// bucket of the test's own.
func s3LedgerEnv(t *testing.T) string {
	t.Helper()
	ep := publishtest.Endpoint(t)
	for k, v := range publishtest.Env() {
		t.Setenv(k, v)
	}
	t.Setenv("AWS_ENDPOINT_URL_S3", ep)
	return publishtest.NewBucket(t, ep, "ledger")
}

// TestS3LedgerContract runs the ledger contract over a real S3 server,
// through the same code the command uses (openS3Ledger's adapter).
func TestS3LedgerContract(t *testing.T) {
	bucket := s3LedgerEnv(t)
	n := 0
	notifytest.LedgerContract(t, func(t *testing.T) notifytest.Opener {
		n++
		objs, err := newS3Objects(context.Background(), "s3://"+bucket+"/site/.herald/ledger-"+string(rune('a'+n)))
		if err != nil {
			t.Fatal(err)
		}
		return func(lease time.Duration) notify.Ledger { return notify.NewBucket(objs, lease) }
	})
}

// TestOpenS3Ledger: the registered opener parses the URL and reaches the
// store; a malformed URL is refused.
func TestOpenS3Ledger(t *testing.T) {
	bucket := s3LedgerEnv(t)
	ctx := context.Background()
	l, err := openS3Ledger(ctx, "s3://"+bucket+"/status/.herald/ledger")
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Advance(ctx, "end-users/incident/x", notify.Cursor{Through: 2}); err != nil {
		t.Fatal(err)
	}
	cs, err := l.Cursors(ctx)
	if err != nil || cs["end-users/incident/x"].Through != 2 {
		t.Errorf("cursors: %v, %v", cs, err)
	}
	if _, err := openS3Ledger(ctx, "s3:///no-bucket"); err == nil {
		t.Error("a URL without a bucket was accepted")
	}
}
