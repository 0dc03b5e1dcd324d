package publish

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// A kind of target, for the contract suite: every target passes the same
// tests.
type kind struct {
	name string
	// headers: the target stores headers and metadata with the bytes.
	headers bool
	// space makes a fresh place (a bucket, a folder); at(prefix) is a
	// target in it.
	space func(t *testing.T) (at func(prefix string) Target)
}

func kinds(t *testing.T) []kind {
	return []kind{
		{name: "folder", space: func(t *testing.T) func(string) Target {
			dir := t.TempDir()
			return func(prefix string) Target {
				f, err := NewFolder(filepath.Join(dir, filepath.FromSlash(prefix)))
				if err != nil {
					t.Fatal(err)
				}
				return f
			}
		}},
		{name: "s3", headers: true, space: func(t *testing.T) func(string) Target {
			ep := s3Endpoint(t)
			bucket := newBucket(t, ep)
			return func(prefix string) Target { return newS3(t, ep, bucket, prefix, S3Options{}) }
		}},
	}
}

// TestContract runs the same tests over every kind of target.
func TestContract(t *testing.T) {
	for _, k := range kinds(t) {
		t.Run(k.name, func(t *testing.T) {
			for _, c := range contract {
				t.Run(c.name, func(t *testing.T) { c.fn(t, k) })
			}
		})
	}
}

var contract = []struct {
	name string
	fn   func(t *testing.T, k kind)
}{
	{"Objects", testObjects},
	{"ConditionalWrites", testConditional},
	{"PublishAndRepublish", testPublish},
	{"HeadersAsStored", testHeadersStored},
	{"HeaderOnlyChange", testHeaderOnlyChange},
	{"ContentOnlyChangeKeepsManifest", testContentOnlyKeepsManifest},
	{"HeaderChangeInterrupted", testHeaderChangeInterrupted},
	{"Gzip", testGzip},
	{"DeleteCap", testDeleteCap},
	{"PrefixIsolation", testPrefixIsolation},
	{"Lock", testLock},
	{"LockBlocksPublish", testLockBlocksPublish},
	{"ExpiredLockTakenOver", testExpiredLock},
	{"FailureStopsPhases", testFailureStopsPhases},
	{"InterruptedThenRerun", testInterrupted},
	{"DryRunChangesNothing", testDryRun},
}

var ctx = context.Background()

func testObjects(t *testing.T, k kind) {
	tg := k.space(t)("site")
	keys := []string{"index.html", ".well-known/security.txt", "a b/ünï €.txt", "deep/er/x.bin"}
	for _, key := range keys {
		body := []byte("body of " + key)
		etag, err := tg.Put(ctx, Upload{Key: key, Body: body, Header: Header{ContentType: "text/plain; charset=utf-8", CacheControl: "max-age=1"}})
		if err != nil {
			t.Fatalf("put %s: %v", key, err)
		}
		if etag != md5hex(body) {
			t.Errorf("put %s: etag %q, want the MD5 %q", key, etag, md5hex(body))
		}
		got, st, err := tg.Get(ctx, key)
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("get %s: %q, %v", key, got, err)
		}
		if st.ETag != etag || st.Size != int64(len(body)) {
			t.Errorf("get %s: %+v, want etag %s size %d", key, st.Object, etag, len(body))
		}
	}
	listed := list(t, tg)
	sort.Strings(keys)
	if strings.Join(listed, "\n") != strings.Join(keys, "\n") {
		t.Errorf("listing:\n%s\nwant:\n%s", strings.Join(listed, "\n"), strings.Join(keys, "\n"))
	}
	if _, _, err := tg.Get(ctx, "missing.html"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("get of a missing key: %v, want fs.ErrNotExist", err)
	}
	if _, err := tg.Stat(ctx, "missing.html"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stat of a missing key: %v, want fs.ErrNotExist", err)
	}
	if err := tg.Delete(ctx, "deep/er/x.bin"); err != nil {
		t.Fatal(err)
	}
	if err := tg.Delete(ctx, "deep/er/x.bin"); err != nil {
		t.Errorf("deleting a missing key: %v", err)
	}
	if _, _, err := tg.Get(ctx, "deep/er/x.bin"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("get after delete: %v", err)
	}
}

func testConditional(t *testing.T, k kind) {
	tg := k.space(t)("")
	etag, err := tg.Put(ctx, Upload{Key: "l", Body: []byte("one"), IfNoneMatch: true})
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	if _, err := tg.Put(ctx, Upload{Key: "l", Body: []byte("two"), IfNoneMatch: true}); !errors.Is(err, ErrPrecondition) {
		t.Fatalf("second create: %v, want ErrPrecondition", err)
	}
	if _, err := tg.Put(ctx, Upload{Key: "l", Body: []byte("two"), IfMatch: md5hex([]byte("other"))}); !errors.Is(err, ErrPrecondition) {
		t.Fatalf("replace with a wrong etag: %v, want ErrPrecondition", err)
	}
	if _, err := tg.Put(ctx, Upload{Key: "l", Body: []byte("three"), IfMatch: etag}); err != nil {
		t.Fatalf("replace with the right etag: %v", err)
	}
	if b, _, _ := tg.Get(ctx, "l"); string(b) != "three" {
		t.Errorf("after replace: %q", b)
	}
}

// sampleSite is a small site of every kind of file.
func sampleSite() fstest.MapFS {
	big := strings.Repeat("<p>All systems operational.</p>\n", 100)
	return fstest.MapFS{
		"index.html":                             {Data: []byte("<!doctype html><link rel=stylesheet href=assets/style.0123abcd89.css>" + big)},
		"assets/style.0123abcd89.css":            {Data: []byte("body{color:#111}")},
		"assets/favicon.svg":                     {Data: []byte("<svg xmlns='http://www.w3.org/2000/svg'/>")},
		"incidents/db-down/index.html":           {Data: []byte("<!doctype html><title>db</title>")},
		"incidents/db-down/diagram.png":          {Data: []byte("\x89PNG\r\n\x1a\nfake")},
		"api/v2/summary.json":                    {Data: []byte(`{"status":{"indicator":"none"}}`)},
		"history.atom":                           {Data: []byte("<feed/>")},
		"banner.js":                              {Data: []byte("(()=>{})()")},
		".well-known/security.txt":               {Data: []byte("Contact: mailto:security@example.com\n")},
		".well-known/apple-app-site-association": {Data: []byte(`{}`)},
	}
}

func keysOf(site fstest.MapFS) []string {
	var keys []string
	for k := range site {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func list(t testing.TB, tg Target) []string {
	t.Helper()
	var keys []string
	if err := tg.List(ctx, func(o Object) error { keys = append(keys, o.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	sort.Strings(keys)
	return keys
}

// siteKeys lists tg without publish's own state.
func siteKeys(t testing.TB, tg Target) []string {
	var out []string
	for _, k := range list(t, tg) {
		if !strings.HasPrefix(k, Reserved+"/") {
			out = append(out, k)
		}
	}
	return out
}

func run(t testing.TB, tg Target, site fs.FS, o Options) *Report {
	t.Helper()
	rep, err := Run(ctx, tg, site, o)
	if err != nil {
		t.Fatalf("publish to %s: %v", tg, err)
	}
	return rep
}

func reasons(rep *Report) map[string]string {
	m := map[string]string{}
	for _, a := range rep.Actions {
		m[a.Key] = a.Op + ": " + a.Reason
	}
	return m
}

func testPublish(t *testing.T, k kind) {
	tg := k.space(t)("status")
	site := sampleSite()
	rep := run(t, tg, site, Options{})
	if rep.Uploaded != len(site) || rep.Deleted != 0 {
		t.Fatalf("first publish: %+v", rep)
	}
	if got, want := siteKeys(t, tg), keysOf(site); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("target holds %v, want %v", got, want)
	}
	for key, f := range site {
		b, _, err := tg.Get(ctx, key)
		if err != nil || !bytes.Equal(b, f.Data) {
			t.Errorf("%s: %q, %v", key, b, err)
		}
	}
	if got := list(t, tg); !slices.Contains(got, ManifestKey) || slices.Contains(got, LockKey) {
		t.Errorf("own state after a publish: %v (want the manifest, and no lock left)", got)
	}
	// Phases: assets first, entry points last.
	var phases []Phase
	for _, a := range rep.Actions {
		phases = append(phases, a.Phase)
	}
	if !sort.SliceIsSorted(phases, func(i, j int) bool { return phases[i] < phases[j] }) {
		t.Errorf("actions out of phase order: %v", phases)
	}

	rep = run(t, tg, site, Options{})
	if rep.Uploaded != 0 || rep.Unchanged != len(site) || len(rep.Actions) != 0 {
		t.Fatalf("republish of the same site: %+v", rep)
	}

	site["incidents/db-down/index.html"] = &fstest.MapFile{Data: []byte("<!doctype html><title>db, resolved</title>")}
	site["incidents/new/index.html"] = &fstest.MapFile{Data: []byte("<!doctype html><title>new</title>")}
	delete(site, "incidents/db-down/diagram.png")
	rep = run(t, tg, site, Options{MaxDeletes: 10})
	want := map[string]string{
		"incidents/db-down/index.html":  "upload: " + ReasonContent,
		"incidents/new/index.html":      "upload: " + ReasonNew,
		"incidents/db-down/diagram.png": "delete: " + ReasonNotLocal,
	}
	if got := reasons(rep); !maps.Equal(got, want) {
		t.Errorf("actions %v, want %v", got, want)
	}
	if got, want := siteKeys(t, tg), keysOf(site); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("target holds %v, want %v", got, want)
	}
}

func testHeadersStored(t *testing.T, k kind) {
	if !k.headers {
		t.Skip("a folder keeps no headers: its server decides them")
	}
	tg := k.space(t)("")
	site := sampleSite()
	run(t, tg, site, Options{})
	want := map[string]Header{
		"index.html":                             {ContentType: "text/html; charset=utf-8", CacheControl: CacheShort},
		"assets/style.0123abcd89.css":            {ContentType: "text/css; charset=utf-8", CacheControl: CacheImmutable},
		"assets/favicon.svg":                     {ContentType: "image/svg+xml; charset=utf-8", CacheControl: CacheDefault},
		"incidents/db-down/diagram.png":          {ContentType: "image/png", CacheControl: CacheDefault},
		"api/v2/summary.json":                    {ContentType: "application/json; charset=utf-8", CacheControl: CacheShort},
		"history.atom":                           {ContentType: "application/atom+xml; charset=utf-8", CacheControl: CacheShort},
		"banner.js":                              {ContentType: "text/javascript; charset=utf-8", CacheControl: CacheShort},
		".well-known/security.txt":               {ContentType: "text/plain; charset=utf-8", CacheControl: CacheDefault},
		".well-known/apple-app-site-association": {ContentType: "application/json; charset=utf-8", CacheControl: CacheDefault},
	}
	for key, h := range want {
		st, err := tg.Stat(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if st.Header != h {
			t.Errorf("%s stored with %+v, want %+v", key, st.Header, h)
		}
		if st.Metadata[metaMD5] != md5hex(site[key].Data) || st.Metadata[metaHeaders] != h.hash() {
			t.Errorf("%s metadata %v", key, st.Metadata)
		}
	}
}

func testHeaderOnlyChange(t *testing.T, k kind) {
	tg := k.space(t)("")
	site := sampleSite()
	run(t, tg, site, Options{})
	h, err := NewHeaders([]Rule{{Path: "*.png", CacheControl: "max-age=5"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	rep := run(t, tg, site, Options{Headers: h})
	want := map[string]string{"incidents/db-down/diagram.png": "upload: " + ReasonHeaders}
	if got := reasons(rep); !maps.Equal(got, want) {
		t.Fatalf("after a rule change: %v, want %v", got, want)
	}
	if k.headers {
		st, _ := tg.Stat(ctx, "incidents/db-down/diagram.png")
		if st.Header.CacheControl != "max-age=5" {
			t.Errorf("Cache-Control stored: %q", st.Header.CacheControl)
		}
	}
	if rep := run(t, tg, site, Options{Headers: h}); len(rep.Actions) != 0 {
		t.Errorf("again with the same rules: %v", reasons(rep))
	}
}

// testContentOnlyKeepsManifest: a publish that changes content and no
// headers leaves the manifest as it was, and the next publish still sees
// every object as current from the listing alone.
func testContentOnlyKeepsManifest(t *testing.T, k kind) {
	tg := k.space(t)("")
	site := sampleSite()
	run(t, tg, site, Options{})
	manifestETag := func() string {
		st, err := tg.Stat(ctx, ManifestKey)
		if err != nil {
			t.Fatal(err)
		}
		return st.ETag
	}
	before := manifestETag()
	site["index.html"] = &fstest.MapFile{Data: []byte("<!doctype html><title>one more update</title>")}
	site["api/v2/summary.json"] = &fstest.MapFile{Data: []byte(`{"page":{"updated_at":"later"}}`)}
	rep := run(t, tg, site, Options{})
	want := map[string]string{"index.html": "upload: " + ReasonContent, "api/v2/summary.json": "upload: " + ReasonContent}
	if got := reasons(rep); !maps.Equal(got, want) {
		t.Fatalf("content change: %v, want %v", got, want)
	}
	if after := manifestETag(); after != before {
		t.Errorf("a content-only change rewrote the manifest (ETag %s, was %s)", after, before)
	}
	if rep := run(t, tg, site, Options{}); len(rep.Actions) != 0 {
		t.Errorf("again: %v", reasons(rep))
	}
	site["incidents/new/index.html"] = &fstest.MapFile{Data: []byte("<!doctype html><title>new</title>")}
	run(t, tg, site, Options{})
	if manifestETag() == before {
		t.Error("a new object left the manifest as it was")
	}
}

// testHeaderChangeInterrupted: a publish that gave an object new headers
// and died before writing its manifest (kill -9); a rerun under the old
// rules must put the old headers back, not trust the old manifest's word
// for them.
func testHeaderChangeInterrupted(t *testing.T, k kind) {
	tg := k.space(t)("")
	site := sampleSite()
	const key = "incidents/db-down/diagram.png"
	run(t, tg, site, Options{})
	h, err := NewHeaders([]Rule{{Path: "*.png", CacheControl: "max-age=5"}}, false)
	if err != nil {
		t.Fatal(err)
	}
	uploaded := false
	dies := failing{tg, func(k string) bool {
		uploaded = uploaded || k == key
		return k == ManifestKey && uploaded // the kill comes before the last write
	}}
	if _, err := Run(ctx, dies, site, Options{Headers: h}); err == nil {
		t.Fatal("the interrupted publish reported no failure")
	}
	rep := run(t, tg, site, Options{})
	if k.headers {
		want := map[string]string{key: "upload: " + ReasonHeaders}
		if got := reasons(rep); !maps.Equal(got, want) {
			t.Errorf("rerun with the old rules: %v, want %v", got, want)
		}
		if st, _ := tg.Stat(ctx, key); st.Header.CacheControl != CacheDefault {
			t.Errorf("Cache-Control stored: %q, want %q", st.Header.CacheControl, CacheDefault)
		}
	}
	if rep := run(t, tg, site, Options{}); len(rep.Actions) != 0 {
		t.Errorf("again: %v", reasons(rep))
	}
}

func testGzip(t *testing.T, k kind) {
	if !k.headers {
		t.Skip("a folder keeps no Content-Encoding: cmd never asks it to gzip")
	}
	tg := k.space(t)("")
	site := sampleSite()
	run(t, tg, site, Options{})
	h, _ := NewHeaders(nil, true)
	rep := run(t, tg, site, Options{Headers: h})
	want := map[string]string{"index.html": "upload: " + ReasonHeaders} // the only text file of 1 KiB or more
	if got := reasons(rep); !maps.Equal(got, want) {
		t.Fatalf("turning gzip on: %v, want %v", got, want)
	}
	b, st, err := tg.Get(ctx, "index.html")
	if err != nil {
		t.Fatal(err)
	}
	if st.Header.ContentEncoding != "gzip" || st.Header.ContentType != "text/html; charset=utf-8" {
		t.Errorf("gzipped index.html stored with %+v", st.Header)
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("stored body is not gzip: %v", err)
	}
	plain, _ := io.ReadAll(zr)
	if !bytes.Equal(plain, site["index.html"].Data) {
		t.Errorf("gunzipped body differs from the file")
	}
	if rep := run(t, tg, site, Options{Headers: h}); len(rep.Actions) != 0 {
		t.Errorf("gzip again: %v", reasons(rep))
	}
}

func testDeleteCap(t *testing.T, k kind) {
	tg := k.space(t)("")
	site := sampleSite()
	run(t, tg, site, Options{})
	small := fstest.MapFS{"index.html": site["index.html"]}
	_, err := Run(ctx, tg, small, Options{MaxDeletes: 3})
	var tm *TooManyDeletesError
	if !errors.As(err, &tm) || tm.Count != len(site)-1 || tm.Max != 3 {
		t.Fatalf("publishing a much smaller site: %v, want a TooManyDeletesError", err)
	}
	if !strings.Contains(err.Error(), "--force") {
		t.Errorf("message does not say how to go on: %v", err)
	}
	if got := siteKeys(t, tg); len(got) != len(site) {
		t.Fatalf("a refused publish changed the target: %v", got)
	}
	if got := list(t, tg); slices.Contains(got, LockKey) {
		t.Errorf("a refused publish left its lock")
	}
	rep := run(t, tg, small, Options{MaxDeletes: -1})
	if rep.Deleted != len(site)-1 {
		t.Errorf("forced: %+v", rep)
	}
	if got := siteKeys(t, tg); strings.Join(got, " ") != "index.html" {
		t.Errorf("after the forced publish: %v", got)
	}
}

func testPrefixIsolation(t *testing.T, k kind) {
	at := k.space(t)
	status, statusOld, root := at("status"), at("status-old"), at("")
	site := sampleSite()
	run(t, status, site, Options{})
	run(t, statusOld, site, Options{})
	// notify's ledger beside the site, under the reserved name.
	if _, err := status.Put(ctx, Upload{Key: ".herald/ledger/notice-1", Body: []byte("sent")}); err != nil {
		t.Fatal(err)
	}

	// A smaller site at "status" deletes only inside status/.
	small := fstest.MapFS{"index.html": site["index.html"]}
	run(t, status, small, Options{MaxDeletes: -1})
	if got := siteKeys(t, statusOld); len(got) != len(site) {
		t.Errorf("publishing to status/ changed status-old/: %v", got)
	}
	if _, _, err := status.Get(ctx, ".herald/ledger/notice-1"); err != nil {
		t.Errorf("the ledger beside the site is gone: %v", err)
	}

	// A site at the bucket's root never deletes the sites below it.
	rep := run(t, root, fstest.MapFS{"index.html": site["index.html"]}, Options{MaxDeletes: -1})
	if rep.Deleted != 0 {
		t.Errorf("the root site deleted %v", reasons(rep))
	}
	if got := siteKeys(t, statusOld); len(got) != len(site) {
		t.Errorf("the root site's publish changed status-old/: %v", got)
	}
	// ... nor writes into them.
	_, err := Run(ctx, root, fstest.MapFS{"status/index.html": site["index.html"]}, Options{})
	if err == nil || !strings.Contains(err.Error(), "another site") {
		t.Errorf("writing into another site's folder: %v", err)
	}
	// Nor in a folder the caller protects (a ledger kept under another name).
	if _, err := root.Put(ctx, Upload{Key: "ledger/cursors/all.json", Body: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	rep = run(t, root, fstest.MapFS{"index.html": site["index.html"]}, Options{MaxDeletes: -1, Protect: []string{"ledger/"}})
	if rep.Deleted != 0 {
		t.Errorf("the root site deleted %v", reasons(rep))
	}
	if _, _, err := root.Get(ctx, "ledger/cursors/all.json"); err != nil {
		t.Errorf("a protected object is gone: %v", err)
	}
	// A site cannot hold the reserved name.
	_, err = Run(ctx, root, fstest.MapFS{".herald/x": {Data: []byte("x")}}, Options{})
	if err == nil || !strings.Contains(err.Error(), "reserved") {
		t.Errorf("a site with a .herald folder: %v", err)
	}
}

func testLock(t *testing.T, k kind) {
	tg := k.space(t)("")
	now := time.Now
	a, err := acquireLock(ctx, tg, "first", time.Minute, 0, now)
	if err != nil {
		t.Fatal(err)
	}
	_, err = acquireLock(ctx, tg, "second", time.Minute, 0, now)
	var le *LockedError
	if !errors.As(err, &le) || le.Owner != "first" {
		t.Fatalf("second lock while the first is held: %v", err)
	}
	if err := a.extend(ctx); err != nil {
		t.Errorf("extending a held lock: %v", err)
	}
	if err := a.release(ctx); err != nil {
		t.Fatal(err)
	}
	b, err := acquireLock(ctx, tg, "second", time.Minute, 0, now)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	_ = b.release(ctx)
}

func testLockBlocksPublish(t *testing.T, k kind) {
	tg := k.space(t)("")
	held, err := acquireLock(ctx, tg, "ci job 41", time.Minute, 0, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(ctx, tg, sampleSite(), Options{})
	var le *LockedError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "ci job 41") {
		t.Fatalf("publish while locked: %v", err)
	}
	if got := siteKeys(t, tg); len(got) != 0 {
		t.Fatalf("a locked-out publish wrote %v", got)
	}
	// Waiting works once the holder is done.
	old := lockPoll
	lockPoll = 50 * time.Millisecond
	defer func() { lockPoll = old }()
	go func() { time.Sleep(200 * time.Millisecond); _ = held.release(ctx) }()
	if _, err := Run(ctx, tg, sampleSite(), Options{LockWait: 10 * time.Second}); err != nil {
		t.Fatalf("publish waiting for the lock: %v", err)
	}
}

func testExpiredLock(t *testing.T, k kind) {
	tg := k.space(t)("")
	t0 := time.Now()
	dead, err := acquireLock(ctx, tg, "killed", time.Minute, 0, func() time.Time { return t0 })
	if err != nil {
		t.Fatal(err)
	}
	later := func() time.Time { return t0.Add(2 * time.Minute) }
	live, err := acquireLock(ctx, tg, "rerun", time.Minute, 0, later)
	if err != nil {
		t.Fatalf("taking over an expired lock: %v", err)
	}
	// The dead holder, come back, neither extends nor releases the new lock.
	if err := dead.extend(ctx); !errors.Is(err, ErrPrecondition) {
		t.Errorf("the old holder extended a lock taken over: %v", err)
	}
	if err := dead.release(ctx); err != nil {
		t.Fatal(err)
	}
	b, _, err := tg.Get(ctx, LockKey)
	if err != nil || !strings.Contains(string(b), "rerun") {
		t.Fatalf("lock after the old holder's release: %s, %v", b, err)
	}
	_ = live.release(ctx)
}

// failing makes writes of chosen keys fail.
type failing struct {
	Target
	fail func(key string) bool
}

func (f failing) Put(ctx context.Context, u Upload) (string, error) {
	if f.fail(u.Key) {
		return "", errors.New("injected failure")
	}
	return f.Target.Put(ctx, u)
}

func testFailureStopsPhases(t *testing.T, k kind) {
	tg := k.space(t)("")
	site := sampleSite()
	bad := failing{tg, func(key string) bool { return key == "assets/favicon.svg" }}
	rep, err := Run(ctx, bad, site, Options{})
	var fe *FailedError
	if !errors.As(err, &fe) || len(fe.Failures) != 1 || fe.Failures[0].Key != "assets/favicon.svg" {
		t.Fatalf("publish with a failing asset: %v", err)
	}
	if !strings.Contains(err.Error(), "assets/favicon.svg") {
		t.Errorf("error does not name the key: %v", err)
	}
	for _, a := range rep.Actions {
		if a.Phase != PhaseAssets && a.Done {
			t.Errorf("%s (%s) was uploaded after an asset failed", a.Key, a.Phase)
		}
	}
	for _, key := range siteKeys(t, tg) {
		if PhaseOf(key) != PhaseAssets {
			t.Errorf("%s is in the target after an asset failed", key)
		}
	}
	rep = run(t, tg, site, Options{})
	if rep.Uploaded != len(site)-(len(assetsOf(site))-1) {
		t.Errorf("rerun uploaded %d: %v", rep.Uploaded, reasons(rep))
	}
	if got, want := siteKeys(t, tg), keysOf(site); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("after the rerun: %v", got)
	}
}

func assetsOf(site fstest.MapFS) []string {
	var out []string
	for k := range site {
		if PhaseOf(k) == PhaseAssets {
			out = append(out, k)
		}
	}
	return out
}

// testInterrupted: a publish stopped after some writes, without its
// manifest (as kill -9 leaves it); the rerun finishes the job and does not
// upload again what already made it.
func testInterrupted(t *testing.T, k kind) {
	tg := k.space(t)("")
	site := sampleSite()
	run(t, tg, site, Options{})
	next := sampleSite()
	for key, f := range next {
		next[key] = &fstest.MapFile{Data: append([]byte("v2 "), f.Data...)}
	}
	// Write three new objects as a publish would, then stop.
	h := (*Headers)(nil)
	done := 0
	for _, key := range keysOf(next) {
		if PhaseOf(key) != PhaseAssets || done == 3 {
			continue
		}
		b := next[key].Data
		hd := h.For(key, int64(len(b)), func() []byte { return b })
		if _, err := tg.Put(ctx, Upload{Key: key, Body: b, Header: hd, Metadata: map[string]string{metaMD5: md5hex(b), metaHeaders: hd.hash()}}); err != nil {
			t.Fatal(err)
		}
		done++
	}
	rep := run(t, tg, next, Options{})
	if rep.Uploaded != len(next)-3 || rep.Unchanged != 3 {
		t.Errorf("rerun: uploaded %d, unchanged %d; want %d and 3: %v", rep.Uploaded, rep.Unchanged, len(next)-3, reasons(rep))
	}
	for key, f := range next {
		if b, _, _ := tg.Get(ctx, key); !bytes.Equal(b, f.Data) {
			t.Errorf("%s: %q", key, b)
		}
	}
	if rep := run(t, tg, next, Options{}); len(rep.Actions) != 0 {
		t.Errorf("third run: %v", reasons(rep))
	}
}

func testDryRun(t *testing.T, k kind) {
	tg := k.space(t)("")
	site := sampleSite()
	rep := run(t, DryRun(tg), site, Options{})
	if len(rep.Actions) != len(site) || rep.Uploaded != len(site) {
		t.Errorf("dry run plan: %+v", rep)
	}
	for _, a := range rep.Actions {
		if a.Reason != ReasonNew {
			t.Errorf("%s: %s", a.Key, a.Reason)
		}
	}
	if got := list(t, tg); len(got) != 0 {
		t.Errorf("a dry run wrote %v", got)
	}
}
