package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/heraldstatus/herald/publish"
	"github.com/heraldstatus/herald/publish/publishtest"
)

// The publish tests run against the S3 server process scripts/test starts
// (HERALD_S3_ENDPOINT, HERALD_S3_KEY, HERALD_S3_SECRET) and read the bucket
// back with an independent client, the AWS CLI (HERALD_AWS).

// s3Peer returns the S3 server's URL and puts its credentials where AWS's
// standard chain finds them, or skips loudly (fails under CI=true).
func s3Peer(t *testing.T) string {
	t.Helper()
	ep := publishtest.Endpoint(t)
	for k, v := range publishtest.Env() {
		t.Setenv(k, v)
	}
	return ep
}

// peerEnv is the environment of a child process that talks to the S3 server.
func peerEnv() []string {
	env := os.Environ()
	for k, v := range publishtest.Env() {
		env = append(env, k+"="+v)
	}
	return env
}

// awsCLI runs the AWS CLI against the S3 server and returns its output.
func awsCLI(t *testing.T, endpoint string, args ...string) []byte {
	t.Helper()
	bin := os.Getenv("HERALD_AWS")
	if bin == "" {
		var err error
		if bin, err = exec.LookPath("aws"); err != nil {
			publishtest.Missing(t, "no AWS CLI (HERALD_AWS unset, no aws on PATH); run `bash scripts/test`, which installs Debian's awscli")
		}
	}
	cmd := exec.Command(bin, append([]string{"--endpoint-url", endpoint}, args...)...)
	cmd.Env = peerEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("aws %s: %v\n%s", strings.Join(args, " "), err, &stderr)
	}
	return out
}

func randomBucket(prefix string) string {
	var r [5]byte
	_, _ = rand.Read(r[:])
	return prefix + "-" + hex.EncodeToString(r[:])
}

func herald(t *testing.T, args ...string) (stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(t.Context(), args, &out, &errb); code != 0 {
		t.Fatalf("herald %s exited %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, &out, &errb)
	}
	return out.String(), errb.String()
}

// TestPublishReadBack publishes the built sample to the S3 server, then
// downloads the bucket with the AWS CLI: it must equal public/ byte for
// byte, with the headers herald meant.
func TestPublishReadBack(t *testing.T) {
	ep := s3Peer(t)
	dir := buildSample(t)
	public := filepath.Join(dir, "public")
	// A site may carry dotfiles; they are published like the rest.
	if err := os.MkdirAll(filepath.Join(public, ".well-known"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(public, ".well-known", "security.txt"), []byte("Contact: mailto:security@tillpoint.example\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bucket := randomBucket("herald-readback")
	awsCLI(t, ep, "s3", "mb", "s3://"+bucket)
	target := "s3://" + bucket + "/status"
	out, _ := herald(t, "publish", "--source", dir, "--target", target, "--endpoint-url", ep, "--path-style")
	if !strings.Contains(out, "published to "+target+"/: uploaded ") {
		t.Errorf("publish said: %s", out)
	}

	down := t.TempDir()
	awsCLI(t, ep, "s3", "cp", "--recursive", "--only-show-errors", target+"/", down, "--exclude", ".herald/*")
	want, got := treeSums(t, public), treeSums(t, down)
	if len(want) == 0 || !maps.Equal(want, got) {
		t.Errorf("the bucket read back by the AWS CLI differs from public/:\n%s", diffSums(want, got))
	}

	head := func(key string) (ct, cc string) {
		var h struct{ ContentType, CacheControl string }
		if err := json.Unmarshal(awsCLI(t, ep, "s3api", "head-object", "--bucket", bucket, "--key", "status/"+key), &h); err != nil {
			t.Fatal(err)
		}
		return h.ContentType, h.CacheControl
	}
	css, _ := filepath.Glob(filepath.Join(public, "assets", "style.*.css"))
	if len(css) != 1 {
		t.Fatalf("no fingerprinted stylesheet in public/assets: %v", css)
	}
	for key, want := range map[string][2]string{
		"index.html":                      {"text/html; charset=utf-8", publish.CacheShort},
		"assets/" + filepath.Base(css[0]): {"text/css; charset=utf-8", publish.CacheImmutable},
		".well-known/security.txt":        {"text/plain; charset=utf-8", publish.CacheDefault},
	} {
		if ct, cc := head(key); ct != want[0] || cc != want[1] {
			t.Errorf("%s: Content-Type %q, Cache-Control %q; want %q, %q", key, ct, cc, want[0], want[1])
		}
	}

	out, _ = herald(t, "publish", "--source", dir, "--target", target, "--endpoint-url", ep, "--path-style", "--json")
	var rep struct{ Uploaded, Unchanged int }
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Uploaded != 0 || rep.Unchanged != len(want) {
		t.Errorf("second publish: %s (%v)", out, err)
	}
}

func treeSums(t *testing.T, root string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		sum := md5.Sum(b)
		sums[filepath.ToSlash(rel)] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return sums
}

func diffSums(want, got map[string]string) string {
	var lines []string
	for k, v := range want {
		if g, ok := got[k]; !ok {
			lines = append(lines, "missing "+k)
		} else if g != v {
			lines = append(lines, "differs "+k)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			lines = append(lines, "extra   "+k)
		}
	}
	sort.Strings(lines)
	if len(lines) > 20 {
		lines = append(lines[:20], fmt.Sprintf("… %d more", len(lines)-20))
	}
	return strings.Join(lines, "\n")
}

// TestPublishKilled kills `herald publish` with SIGKILL in the middle of a
// large publish, twice (among the assets, then among the pages), and
// checks after each kill that no page in the bucket links to an asset the
// bucket lacks; a plain rerun then leaves the bucket equal to public/.
func TestPublishKilled(t *testing.T) {
	ep := s3Peer(t)
	bin := filepath.Join(t.TempDir(), "herald")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	bucket := randomBucket("herald-crash")
	awsCLI(t, ep, "s3", "mb", "s3://"+bucket)
	target := "s3://" + bucket + "/site"

	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "config.toml"), []byte("title = \"Big\"\nbase_url = \"https://status.big.example/\"\n[[components]]\nid = \"api\"\nname = \"API\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	recordBuild(src, &buildResult{}, nil) // publish reads only the record and public/
	public := filepath.Join(src, "public")
	const pages = 800
	v1, v2 := bigSite(1, pages), bigSite(2, pages)
	writeSite(t, public, v1)

	publishArgs := []string{"publish", "--source", src, "--target", target, "--endpoint-url", ep, "--path-style", "--force", "--verbose", "--concurrency", "4", "--lock-ttl", "3s"}
	start := func() (*exec.Cmd, *bufio.Scanner) {
		cmd := exec.Command(bin, publishArgs...)
		cmd.Env = peerEnv()
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		return cmd, bufio.NewScanner(out)
	}
	finish := func() {
		t.Helper()
		cmd, lines := start()
		for lines.Scan() {
		}
		if err := cmd.Wait(); err != nil {
			t.Fatalf("herald publish: %v\n%s", err, cmd.Stderr)
		}
	}
	// killAfter kills the publish once it has uploaded n keys with prefix.
	killAfter := func(prefix string, n int) {
		t.Helper()
		cmd, lines := start()
		seen := 0
		for lines.Scan() {
			if strings.HasPrefix(lines.Text(), "uploaded "+prefix) {
				if seen++; seen == n {
					break
				}
			}
		}
		if seen < n {
			t.Fatalf("publish ended before %d uploads of %s*: %s", n, prefix, cmd.Stderr)
		}
		if err := cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()
	}

	finish() // version 1, whole
	writeSite(t, public, v2)
	killAfter("assets/", 100)
	v2Pages := checkLinks(t, ep, bucket, "site/", v1, v2)
	if v2Pages != 0 {
		t.Errorf("killed among the assets, yet %d pages of the new version are up", v2Pages)
	}
	killAfter("incidents/", 100) // the rerun waits out the dead publish's lock
	v2Pages = checkLinks(t, ep, bucket, "site/", v1, v2)
	t.Logf("killed among the pages: %d of %d pages of the new version were up, every asset they link to with them", v2Pages, pages)
	if v2Pages == 0 || v2Pages == pages {
		t.Errorf("killed among the pages, %d of %d pages of the new version are up: not a kill in the middle", v2Pages, pages)
	}
	finish()
	got := map[string]string{}
	for _, o := range listBucket(t, ep, bucket, "site/") {
		if !strings.HasPrefix(o.Key, ".herald/") {
			got[o.Key] = o.ETag
		}
	}
	if want := treeSums(t, public); !maps.Equal(want, got) {
		t.Errorf("after the rerun the bucket differs from public/:\n%s", diffSums(want, got))
	}
}

// bigSite is version v of a site of n incident pages, each with an image
// of its own, all fingerprinted: key → content.
func bigSite(v, n int) map[string]string {
	site := map[string]string{}
	fingerprint := func(name, ext, body string) string {
		sum := md5.Sum([]byte(body))
		key := fmt.Sprintf("assets/%s.%s.%s", name, hex.EncodeToString(sum[:5]), ext)
		site[key] = body
		return key
	}
	css := fingerprint("style", "css", fmt.Sprintf("body{--version:%d}", v))
	var list strings.Builder
	for i := range n {
		img := fingerprint(fmt.Sprintf("img/%d", i), "svg", fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg"><text>v%d #%d</text></svg>`, v, i))
		site[fmt.Sprintf("incidents/%d/index.html", i)] = fmt.Sprintf(
			`<!doctype html><link rel="stylesheet" href="../../%s"><h1>Incident %d, version %d</h1><img src="../../%s">`, css, i, v, img)
		fmt.Fprintf(&list, `<a href="incidents/%d/">%d</a>`, i, i)
	}
	site["index.html"] = fmt.Sprintf(`<!doctype html><link rel="stylesheet" href="%s">%s`, css, &list)
	site["api/v2/summary.json"] = fmt.Sprintf(`{"version":%d}`, v)
	site["history.atom"] = fmt.Sprintf(`<feed><title>v%d</title></feed>`, v)
	return site
}

// writeSite replaces dir with the files of site.
func writeSite(t *testing.T, dir string, site map[string]string) {
	t.Helper()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	for key, body := range site {
		p := filepath.Join(dir, filepath.FromSlash(key))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func listBucket(t *testing.T, ep, bucket, prefix string) []publish.Object {
	t.Helper()
	s3, err := publish.NewS3(context.Background(), "s3://"+bucket+"/"+prefix, publish.S3Options{EndpointURL: ep, PathStyle: true})
	if err != nil {
		t.Fatal(err)
	}
	var objs []publish.Object
	if err := s3.List(context.Background(), func(o publish.Object) error { objs = append(objs, o); return nil }); err != nil {
		t.Fatal(err)
	}
	return objs
}

var linkRE = regexp.MustCompile(`(?:href|src)="([^"]+)"`)

// checkLinks fails the test for every page in the bucket that links to an
// asset the bucket lacks, and returns how many pages are of the new
// version. A page's version, and so its links, is told by its ETag: the MD5
// of its content in one of the versions.
func checkLinks(t *testing.T, ep, bucket, prefix string, old, cur map[string]string) (current int) {
	t.Helper()
	objs := listBucket(t, ep, bucket, prefix)
	have := map[string]bool{}
	for _, o := range objs {
		have[o.Key] = true
	}
	md5Of := func(s string) string { sum := md5.Sum([]byte(s)); return hex.EncodeToString(sum[:]) }
	for _, o := range objs {
		if path.Ext(o.Key) != ".html" {
			continue
		}
		var body string
		switch o.ETag {
		case md5Of(old[o.Key]):
			body = old[o.Key]
		case md5Of(cur[o.Key]):
			body = cur[o.Key]
			current++
		default:
			t.Errorf("%s in the bucket is of neither version", o.Key)
			continue
		}
		for _, m := range linkRE.FindAllStringSubmatch(body, -1) {
			ref := m[1]
			if !strings.Contains(ref, "assets/") {
				continue // a link to a page
			}
			key := path.Clean(path.Join(path.Dir(o.Key), ref))
			if !have[key] {
				t.Errorf("%s links to %s, which the bucket lacks", o.Key, key)
			}
		}
	}
	return current
}

func TestLedgerInSite(t *testing.T) {
	tests := []struct {
		target, ledger string
		want           []string
		err            string
	}{
		{"s3://b/status", "s3://b/status/.herald/ledger", []string{".herald/ledger/"}, ""},
		{"s3://b", "s3://b/ledger", []string{"ledger/"}, ""},
		{"s3://b/status", "s3://b/ledger", nil, ""},
		{"s3://b/status", "s3://other/status/ledger", nil, ""},
		{"site-out", "s3://b/ledger", nil, ""},
		{"s3://b/status", "", nil, ""},
		{"s3://b/status", "s3://b/status", nil, "keep it under s3://b/status/.herald/ledger"},
	}
	for _, tt := range tests {
		got, err := ledgerInSite(tt.target, map[string]any{"ledger": tt.ledger})
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s, ledger %s: %v, want an error with %q", tt.target, tt.ledger, err, tt.err)
			}
			continue
		}
		if err != nil || strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s, ledger %s: %q, %v; want %q", tt.target, tt.ledger, got, err, tt.want)
		}
	}
}

func TestPublishConfig(t *testing.T) {
	pc, err := parsePublishConfig(map[string]any{
		"target": "s3://b/p", "region": "eu-west-1", "path_style": true, "concurrency": int64(4),
		"max_deletes": int64(10), "gzip": true, "distribution_id": "E1",
		"headers": []map[string]any{{"path": "*.png", "cache_control": "max-age=5"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if pc.target != "s3://b/p" || pc.region != "eu-west-1" || !pc.pathStyle || pc.concurrency != 4 || pc.maxDeletes != 10 ||
		!pc.gzip || pc.distributionID != "E1" || len(pc.rules) != 1 || pc.rules[0].CacheControl != "max-age=5" {
		t.Errorf("parsed %+v", pc)
	}
	if pc, _ := parsePublishConfig(nil); pc.target != defaultPublishTarget || pc.concurrency != 16 || pc.maxDeletes != 256 {
		t.Errorf("defaults: %+v", pc)
	}
	for _, bad := range []map[string]any{
		{"targt": "x"}, {"concurrency": int64(0)}, {"gzip": "yes"}, {"headers": "x"},
		{"headers": []map[string]any{{"path": "*", "cache": "x"}}},
	} {
		if _, err := parsePublishConfig(bad); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
}
