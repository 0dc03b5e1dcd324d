// Package publishtest is what the tests and benchmarks of publishing share:
// the settings of the S3 server process that scripts/test starts, buckets
// of their own, and a proxy in front of the server that counts requests by
// operation and injects faults.
package publishtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Env is the environment under which AWS's standard credential chain finds
// the test server's credentials, and nothing of the machine's own: no
// instance metadata service, no shared files.
func Env() map[string]string {
	return map[string]string{
		"AWS_ACCESS_KEY_ID":           os.Getenv("HERALD_S3_KEY"),
		"AWS_SECRET_ACCESS_KEY":       os.Getenv("HERALD_S3_SECRET"),
		"AWS_DEFAULT_REGION":          "us-east-1",
		"AWS_EC2_METADATA_DISABLED":   "true",
		"AWS_CONFIG_FILE":             os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
		"AWS_PAGER":                   "",
	}
}

// SetEnv puts Env into the process's environment, for a TestMain.
func SetEnv() {
	for k, v := range Env() {
		os.Setenv(k, v)
	}
}

// Endpoint returns the S3 server's URL (HERALD_S3_ENDPOINT), or skips tb
// with a loud reason when scripts/test did not start one; with CI=true it
// fails tb instead.
func Endpoint(tb testing.TB) string {
	tb.Helper()
	ep := os.Getenv("HERALD_S3_ENDPOINT")
	if ep == "" || os.Getenv("HERALD_S3_KEY") == "" {
		Missing(tb, "no S3 server: HERALD_S3_ENDPOINT, HERALD_S3_KEY and HERALD_S3_SECRET are not set; "+
			"run the tests with `bash scripts/test`, which starts versitygw")
	}
	return ep
}

// Missing skips tb loudly for a missing test peer, or fails it under CI=true.
func Missing(tb testing.TB, reason string) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatal(reason)
	}
	tb.Skip("SKIPPED — " + reason)
}

// NewBucket creates a bucket of its own on the server, named after prefix.
func NewBucket(tb testing.TB, endpoint, prefix string) string {
	tb.Helper()
	var r [5]byte
	_, _ = rand.Read(r[:])
	name := prefix + "-" + hex.EncodeToString(r[:])
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"))
	if err != nil {
		tb.Fatal(err)
	}
	c := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint = aws.String(endpoint)
		o.UsePathStyle = true
	})
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		tb.Fatalf("creating bucket %s: %v", name, err)
	}
	return name
}

// A Proxy sits between an S3 client and the server: it counts requests by
// operation (LIST, GET, HEAD, PUT, DELETE, POST), the most in flight at
// once, and injects the faults a test chooses. Clients use its URL with
// path-style addressing; it passes the Host header on, so signatures hold.
type Proxy struct {
	*httptest.Server
	mu       sync.Mutex
	counts   map[string]int
	seen     map[string]int
	inflight int
	peak     int
	fault    func(op, path string, n int) (status int, delay time.Duration)
}

// NewProxy starts a proxy to the server at endpoint, closed when tb ends.
func NewProxy(tb testing.TB, endpoint string) *Proxy {
	tb.Helper()
	u, err := url.Parse(endpoint)
	if err != nil {
		tb.Fatal(err)
	}
	p := &Proxy{counts: map[string]int{}, seen: map[string]int{}}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ErrorLog = log.New(io.Discard, "", 0) // clients that gave up are expected here
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		op := Operation(r)
		p.mu.Lock()
		p.counts[op]++
		p.seen[op+" "+r.URL.Path]++
		n := p.seen[op+" "+r.URL.Path]
		fault := p.fault
		p.inflight++
		p.peak = max(p.peak, p.inflight)
		p.mu.Unlock()
		defer func() {
			p.mu.Lock()
			p.inflight--
			p.mu.Unlock()
		}()
		if fault != nil {
			status, delay := fault(op, r.URL.Path, n)
			if delay > 0 {
				select {
				case <-time.After(delay):
				case <-r.Context().Done():
					return
				}
			}
			if status != 0 {
				code := map[int]string{500: "InternalError", 503: "SlowDown", 429: "SlowDown"}[status]
				w.Header().Set("Content-Type", "application/xml")
				w.WriteHeader(status)
				fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>injected by publishtest</Message></Error>`, code)
				return
			}
		}
		rp.ServeHTTP(w, r)
	}))
	tb.Cleanup(p.Close)
	return p
}

// Operation names an S3 request as the counts do.
func Operation(r *http.Request) string {
	if r.Method == http.MethodGet && r.URL.Query().Has("list-type") {
		return "LIST"
	}
	return r.Method
}

// Reset returns the counts so far and the peak of requests in flight, and
// starts again from zero.
func (p *Proxy) Reset() (counts map[string]int, peak int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	counts, peak = p.counts, p.peak
	p.counts, p.seen, p.peak = map[string]int{}, map[string]int{}, 0
	return counts, peak
}

// SetFault sets (nil: clears) the fault injector. It is asked about every
// request with the operation, the URL path and how many times that
// operation on that path has been seen: a status answers the request
// instead of the server (with an S3 error body); a delay holds it first.
func (p *Proxy) SetFault(f func(op, path string, n int) (status int, delay time.Duration)) {
	p.mu.Lock()
	p.fault = f
	p.mu.Unlock()
}

// Format writes counts as "LIST=1 PUT=3".
func Format(counts map[string]int) string {
	var parts []string
	for _, op := range []string{"LIST", "GET", "HEAD", "PUT", "DELETE", "POST"} {
		if counts[op] > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", op, counts[op]))
		}
	}
	return strings.Join(parts, " ")
}
