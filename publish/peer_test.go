package publish

import (
	"os"
	"testing"

	"github.com/heraldstatus/herald/publish/publishtest"
)

// The S3 tests run against a real S3 server process that scripts/test
// starts (versitygw) and names in HERALD_S3_ENDPOINT, HERALD_S3_KEY and
// HERALD_S3_SECRET. The credentials reach the SDK the way they reach it in
// production: through AWS's standard chain, here the environment.
func TestMain(m *testing.M) {
	publishtest.SetEnv()
	os.Exit(m.Run())
}

func s3Endpoint(t testing.TB) string {
	t.Helper()
	return publishtest.Endpoint(t)
}

func newBucket(t testing.TB, endpoint string) string {
	t.Helper()
	return publishtest.NewBucket(t, endpoint, "herald-test")
}

func newS3(t testing.TB, endpoint, bucket, prefix string, o S3Options) *S3 {
	t.Helper()
	o.EndpointURL = endpoint
	o.PathStyle = true
	s, err := NewS3(ctx, "s3://"+bucket+"/"+prefix, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
