package main

import (
	"context"
	"os"
	"strings"
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

// TestS3LedgerSurvivesPublish keeps the ledger beside the site it notifies
// about, in the same bucket prefix, as the docs recommend
// (<site>/.herald/ledger): publish, which deletes what is not in the site,
// leaves it alone, and notify after a publish sends nothing twice.
func TestS3LedgerSurvivesPublish(t *testing.T) {
	bucket := s3LedgerEnv(t)
	ep := os.Getenv("HERALD_S3_ENDPOINT")
	t.Setenv("HERALD_RECIPIENT_KEY", "0123456789abcdef0123456789abcdef")
	dir := t.TempDir()
	site := "s3://" + bucket + "/status"
	writeFiles(t, dir, map[string]string{
		"config.toml": `title = "Acme Status"
base_url = "https://status.acme.example/"

[[components]]
id = "api"
name = "API"

[[audiences]]
id = "end-users"
digest = "service"
cadence = "30m"
channels = ["email", "sms"]
recipients = "recipients/end-users.csv"

[publish]
target = "` + site + `"

[notify]
ledger = "` + site + `/.herald/ledger"
`,
		"recipients/end-users.csv":                            "name,email,phone\nAda,ada@example.com,+15550100001\nBo,bo@example.com,+15550100002\n",
		"content/incidents/checkout-down/incident.md":         "---\ntitle: Checkout is down\nseverity: sev1\ncomponents: [api]\nstarted: 2026-11-27T14:00:00Z\n---\n\nCheckout fails.\n",
		"content/incidents/checkout-down/2026-11-27T1405Z.md": "---\nat: 2026-11-27T14:05:00Z\nstatus: investigating\n---\n\nWe are investigating.\n",
	})
	const now = "2026-11-27T14:10:00Z"
	_, stderr := herald(t, "notify", "--source", dir, "--now", now)
	wantSummary(t, stderr, map[string]string{
		"email": "sent 2, already sent 0, suppressed 0, failed 0, deferred 0",
		"sms":   "sent 2, already sent 0, suppressed 0, failed 0, deferred 0",
	})
	ledger := func() int {
		objs, err := newS3Objects(context.Background(), site+"/.herald/ledger")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, dir := range []string{"cursors/", "deliveries/"} {
			if err := objs.List(context.Background(), dir, func(string) error { n++; return nil }); err != nil {
				t.Fatal(err)
			}
		}
		return n
	}
	before := ledger()
	if before < 5 { // a cursor, and a claim and an outcome per delivery
		t.Fatalf("the ledger holds %d objects after a notify of 4 deliveries", before)
	}

	herald(t, "build", "--source", dir, "--now", now)
	herald(t, "publish", "--source", dir, "--endpoint-url", ep, "--path-style", "--force")
	if after := ledger(); after != before {
		t.Errorf("the ledger held %d objects before publish, %d after", before, after)
	}
	_, stderr = herald(t, "notify", "--source", dir, "--now", now)
	if !strings.Contains(stderr, "0 notices") {
		t.Errorf("notify after publish:\n%s", stderr)
	}
}
