package publish

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestInvalidationPaths(t *testing.T) {
	got := InvalidationPaths("/", []string{"index.html", "incidents/db-down/index.html", "api/v2/summary.json", "a b.html"}, 30)
	want := []string{"/", "/a%20b.html", "/api/v2/summary.json", "/incidents/db-down/", "/incidents/db-down/index.html", "/index.html"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("paths %q, want %q", got, want)
	}
	if got := InvalidationPaths("/status/", []string{"index.html"}, 30); !reflect.DeepEqual(got, []string{"/status/", "/status/index.html"}) {
		t.Errorf("under a base path: %q", got)
	}
	var many []string
	for i := range 40 {
		many = append(many, fmt.Sprintf("incidents/%d/index.html", i))
	}
	if got := InvalidationPaths("/status", many, 30); !reflect.DeepEqual(got, []string{"/status/*"}) {
		t.Errorf("many paths: %q, want one wildcard", got)
	}
	if got := InvalidationPaths("/", nil, 30); got != nil {
		t.Errorf("no change: %q", got)
	}
}

// TestCloudFrontInvalidate checks the request against a local stand-in for
// CloudFront's API.
func TestCloudFrontInvalidate(t *testing.T) {
	var body, path string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		body, path = string(b), r.Method+" "+r.URL.Path
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><Invalidation xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Id>I2J0I21PCUYOIK</Id><Status>InProgress</Status><CreateTime>2026-11-28T02:00:00Z</CreateTime><InvalidationBatch><Paths><Quantity>2</Quantity><Items><Path>/</Path><Path>/index.html</Path></Items></Paths><CallerReference>x</CallerReference></InvalidationBatch></Invalidation>`)
	}))
	defer srv.Close()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	cf, err := NewCloudFront(ctx, "E2QWRUHEXAMPLE", CloudFrontOptions{EndpointURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	id, err := cf.Invalidate(ctx, []string{"/", "/index.html"}, time.Date(2026, 11, 28, 2, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if id != "I2J0I21PCUYOIK" {
		t.Errorf("invalidation id %q", id)
	}
	if path != "POST /2020-05-31/distribution/E2QWRUHEXAMPLE/invalidation" {
		t.Errorf("request %s", path)
	}
	for _, want := range []string{"<Quantity>2</Quantity>", "<Path>/</Path>", "<Path>/index.html</Path>", "<CallerReference>herald-20261128T020000"} {
		if !strings.Contains(body, want) {
			t.Errorf("request body lacks %s:\n%s", want, body)
		}
	}
}
