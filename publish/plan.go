package publish

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// A Phase is a step of a publish. Each phase finishes before the next one
// starts, so a page never links to an asset that is not there yet and the
// home page, API and feeds never announce a page that is not there yet.
type Phase int

// The phases, in order.
const (
	PhaseAssets  Phase = iota // everything a page may link to: CSS, images, fonts
	PhasePages                // HTML pages other than the home page
	PhaseEntries              // the home page, api/, feeds, calendar, badges, banner
	PhaseDeletes              // objects no longer in the site
)

var phaseNames = [...]string{"assets", "pages", "entry points", "deletions"}

func (p Phase) String() string { return phaseNames[p] }

// MarshalText writes the phase's name.
func (p Phase) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// PhaseOf is the phase in which key is uploaded.
func PhaseOf(key string) Phase {
	if key == "index.html" || strings.HasPrefix(key, "api/") {
		return PhaseEntries
	}
	name := path.Base(key)
	ext := strings.ToLower(path.Ext(name))
	switch ext {
	case ".xml", ".atom", ".rss", ".ics":
		return PhaseEntries
	case ".html", ".htm":
		return PhasePages
	}
	if stem := strings.TrimSuffix(name, path.Ext(name)); stem == "banner" || stem == "badge" {
		return PhaseEntries
	}
	return PhaseAssets
}

// An Action is one upload or deletion, with the reason for it.
type Action struct {
	Op     string  `json:"op"` // "upload" or "delete"
	Key    string  `json:"key"`
	Reason string  `json:"reason"`
	Phase  Phase   `json:"phase"`
	Size   int64   `json:"size"`             // bytes of the local file, or of the remote object for a deletion
	Header *Header `json:"header,omitempty"` // for an upload
	Done   bool    `json:"done"`             // carried out (in a dry run: as if)

	hhash string
}

// Reasons for an action.
const (
	ReasonNew      = "new"
	ReasonContent  = "content changed"
	ReasonHeaders  = "headers changed"
	ReasonUnknown  = "not uploaded by herald" // no stored hashes to compare with
	ReasonNotLocal = "not in the site"
)

// A localFile is one file of the site to publish.
type localFile struct {
	key    string
	size   int64
	md5    string
	header Header
	hhash  string
}

// scan hashes every file of site and decides its headers.
func scan(ctx context.Context, site fs.FS, h *Headers, conc int) ([]localFile, error) {
	var keys []string
	err := fs.WalkDir(site, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == Reserved {
				return fmt.Errorf("%s: %q is reserved for herald's own state in the target; a site cannot hold it", p, Reserved)
			}
			return nil
		}
		keys = append(keys, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	files := make([]localFile, len(keys))
	err = parallel(ctx, conc, len(keys), func(i int) error {
		key := keys[i]
		b, err := fs.ReadFile(site, key)
		if err != nil {
			return err
		}
		hd := h.For(key, int64(len(b)), func() []byte { return b })
		files[i] = localFile{key: key, size: int64(len(b)), md5: md5hex(b), header: hd, hhash: hd.hash()}
		return nil
	})
	return files, err
}

func md5hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

var md5RE = regexp.MustCompile(`^[0-9a-f]{32}$`)

// The metadata stored with each object: what Run compares with when its
// manifest does not vouch for the object.
const (
	metaMD5     = "herald-md5"     // MD5 of the file before any Content-Encoding
	metaHeaders = "herald-headers" // hash of the headers herald meant to store
)

// The manifest records, for every object Run wrote or checked, the hash of
// the headers it was written with, so that the listing alone tells whether
// an object is current:
//
//   - where the store's ETag is the MD5 of the object's bytes (a plain
//     PUT, no KMS, no Content-Encoding), the entry holds the header hash
//     only: the object is current when its listed ETag is its file's MD5
//     and the entry's headers are the file's. An update that changes
//     content and not headers leaves such an entry, and so the manifest,
//     as it was: a content-only publish does not rewrite it;
//   - elsewhere the entry also holds the ETag as stored and the MD5 of the
//     file, and vouches for the object while its listed ETag is that one.
//
// An entry never outlives the headers it records: before uploading an
// object with other headers, Run writes the manifest without its entry
// (see plan.rehead), so a publish that dies midway leaves no entry
// vouching for headers the object no longer has.
type manifest map[string]mentry

// An mentry is one object of the manifest. With md5 empty, the object's
// ETag is the MD5 of its bytes; otherwise the entry holds while the
// object's ETag is etag, and its content is then md5.
type mentry struct {
	hdr, md5, etag string
}

// entryFor is the entry of an object stored with etag, whose file has MD5
// sum and header hash hdr.
func entryFor(etag, sum, hdr string) mentry {
	if etag == sum {
		return mentry{hdr: hdr}
	}
	return mentry{hdr: hdr, md5: sum, etag: etag}
}

// Version 1 bound every entry to an ETag; it is still read.
const manifestVersion = 2

// encode writes the manifest deterministically: the same entries give the
// same bytes, so the MD5 of what a publish would write can be compared with
// the ETag of what is there without reading it.
func (m manifest) encode() []byte {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	rows := make([][]string, len(keys))
	for i, k := range keys {
		e := m[k]
		row := []string{k, e.hdr}
		if e.md5 != "" {
			row = append(row, e.md5, e.etag)
		}
		rows[i] = row
	}
	js, _ := json.Marshal(struct {
		Version int        `json:"version"`
		Objects [][]string `json:"objects"`
	}{manifestVersion, rows})
	return gzipBytes(js)
}

func decodeManifest(b []byte) (manifest, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	js, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	var raw struct {
		Version int        `json:"version"`
		Objects [][]string `json:"objects"`
	}
	if err := json.Unmarshal(js, &raw); err != nil {
		return nil, err
	}
	m := make(manifest, len(raw.Objects))
	switch raw.Version {
	case 1: // key, md5, headers[, etag when not the md5]
		for _, row := range raw.Objects {
			if len(row) < 3 {
				continue
			}
			e := mentry{md5: row[1], hdr: row[2], etag: row[1]}
			if len(row) > 3 {
				e.etag = row[3]
			}
			m[row[0]] = e
		}
	case manifestVersion: // key, headers[, md5, etag]
		for _, row := range raw.Objects {
			switch len(row) {
			case 2:
				m[row[0]] = mentry{hdr: row[1]}
			case 4:
				m[row[0]] = mentry{hdr: row[1], md5: row[2], etag: row[3]}
			}
		}
	default:
		return nil, fmt.Errorf("manifest version %d", raw.Version)
	}
	return m, nil
}

// A plan is what a publish would do to make the target look like the site.
type plan struct {
	uploads   []Action // by phase, then key
	deletes   []Action // by key
	unchanged int
	// next is the manifest as it will be once the uploads are done: the
	// entries of unchanged objects now, those of uploads as they finish.
	next manifest
	// manifestETag is the listed ETag of the manifest in the target ("" if none).
	manifestETag string
	// rehead is set when an upload would give an object other headers than
	// its entry in the stored manifest records: Run then writes next, which
	// has no entry for any upload yet, before uploading anything.
	rehead       bool
	lock         *Object // the lock object, when the listing shows one
	listRequests int
}

func (p *plan) empty() bool {
	return len(p.uploads) == 0 && len(p.deletes) == 0 && p.manifestETag == md5hex(p.next.encode())
}

// manifestCache keeps the last manifest read, by its ETag, so that
// planning again under the lock does not read it again.
type manifestCache struct {
	etag string
	m    manifest
}

// makePlan lists the target once and compares it with the local files.
func makePlan(ctx context.Context, t Target, files []localFile, conc int, protect []string, cache *manifestCache) (*plan, error) {
	remote := map[string]Object{}
	foreign := map[string]bool{} // folders that hold another site's .herald, or are protected
	for _, dir := range protect {
		foreign[strings.TrimSuffix(dir, "/")+"/"] = true
	}
	p := &plan{next: manifest{}}
	var own []Object
	err := t.List(ctx, func(o Object) error {
		if strings.HasSuffix(o.Key, "/") || o.Key == "" {
			return nil // a folder marker, not a file of any site
		}
		if depth, ok := reserved(o.Key); ok {
			if depth == 0 {
				own = append(own, o)
			} else {
				foreign[strings.Join(strings.Split(o.Key, "/")[:depth], "/")+"/"] = true
			}
			return nil
		}
		remote[o.Key] = o
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing the target: %w", err)
	}
	for _, o := range own {
		switch o.Key {
		case ManifestKey:
			p.manifestETag = o.ETag
		case LockKey:
			p.lock = &o
		}
	}
	inForeign := func(key string) string {
		for dir := range foreign {
			if strings.HasPrefix(key, dir) {
				return dir
			}
		}
		return ""
	}
	for _, f := range files {
		if dir := inForeign(f.key); dir != "" {
			return nil, fmt.Errorf("%s would be written into %s%s, which holds another site or herald's state", f.key, t, dir)
		}
	}

	// The listing alone may settle it. If the stored manifest is the one
	// that gives every file its headers and nothing else, each object is
	// current when its listed ETag is its file's MD5 (the common case, and
	// the one a content-only change leaves). Else, if it is the one that
	// would describe the listed objects as exactly these files, every
	// object is current.
	var old manifest
	if p.manifestETag != "" {
		hdrs := make(manifest, len(files))
		for _, f := range files {
			hdrs[f.key] = mentry{hdr: f.hhash}
		}
		if p.manifestETag == md5hex(hdrs.encode()) {
			old = hdrs
		}
	}
	if old == nil && p.manifestETag != "" && len(remote) == len(files) {
		listed := make(manifest, len(files))
		for _, f := range files {
			o, ok := remote[f.key]
			if !ok {
				break
			}
			listed[f.key] = entryFor(o.ETag, f.md5, f.hhash)
		}
		if len(listed) == len(files) && p.manifestETag == md5hex(listed.encode()) {
			old = listed
		}
	}
	switch {
	case old != nil:
	case p.manifestETag != "" && cache.etag == p.manifestETag:
		old = cache.m
	case p.manifestETag != "":
		b, st, err := t.Get(ctx, ManifestKey)
		switch {
		case errors.Is(err, fs.ErrNotExist):
		case err != nil:
			return nil, fmt.Errorf("reading %s: %w", ManifestKey, err)
		default:
			// An unreadable manifest vouches for nothing: objects are
			// then compared by their stored metadata.
			old, _ = decodeManifest(b)
			cache.etag, cache.m = st.ETag, old
		}
	}

	var unsure []int // files whose remote object the manifest does not vouch for
	for i, f := range files {
		o, ok := remote[f.key]
		if !ok {
			p.addUpload(f, ReasonNew)
			continue
		}
		e, ok := old[f.key]
		if !ok || e.md5 != "" && e.etag != o.ETag {
			unsure = append(unsure, i)
			continue
		}
		held := e.md5 // the MD5 of what the object holds
		if held == "" {
			held = o.ETag
		}
		switch {
		case held != f.md5:
			p.addUpload(f, ReasonContent)
		case e.hdr != f.hhash:
			p.addUpload(f, ReasonHeaders)
		default:
			p.unchanged++
			p.next[f.key] = entryFor(o.ETag, f.md5, f.hhash)
		}
	}

	// For the rest, the hashes stored with each object decide.
	reasons := make([]string, len(unsure))
	entries := make([]mentry, len(unsure))
	err = parallel(ctx, conc, len(unsure), func(j int) error {
		f := files[unsure[j]]
		st, err := t.Stat(ctx, f.key)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			reasons[j] = ReasonNew
			return nil
		case err != nil:
			return fmt.Errorf("reading the headers of %s: %w", f.key, err)
		}
		sumMD5, sumHdr := st.Metadata[metaMD5], st.Metadata[metaHeaders]
		if st.Metadata == nil && md5RE.MatchString(st.ETag) && f.header.ContentEncoding == "" {
			// A target that keeps no metadata keeps no headers either:
			// the content is all there is to compare.
			sumMD5, sumHdr = st.ETag, f.hhash
		}
		switch {
		case sumMD5 == "":
			reasons[j] = ReasonUnknown
		case sumMD5 != f.md5:
			reasons[j] = ReasonContent
		case sumHdr != f.hhash:
			reasons[j] = ReasonHeaders
		default:
			entries[j] = entryFor(st.ETag, f.md5, f.hhash)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for j, i := range unsure {
		if reasons[j] != "" {
			p.addUpload(files[i], reasons[j])
		} else {
			p.unchanged++
			p.next[files[i].key] = entries[j]
		}
	}

	for _, a := range p.uploads {
		if e, ok := old[a.Key]; ok && e.hdr != a.hhash {
			p.rehead = true
			break
		}
	}

	local := make(map[string]bool, len(files))
	for _, f := range files {
		local[f.key] = true
	}
	for key, o := range remote {
		if !local[key] && inForeign(key) == "" {
			p.deletes = append(p.deletes, Action{Op: "delete", Key: key, Reason: ReasonNotLocal, Phase: PhaseDeletes, Size: o.Size})
		}
	}
	sort.SliceStable(p.uploads, func(i, j int) bool {
		a, b := p.uploads[i], p.uploads[j]
		if a.Phase != b.Phase {
			return a.Phase < b.Phase
		}
		return a.Key < b.Key
	})
	sort.Slice(p.deletes, func(i, j int) bool { return p.deletes[i].Key < p.deletes[j].Key })
	return p, nil
}

func (p *plan) addUpload(f localFile, reason string) {
	hd := f.header
	p.uploads = append(p.uploads, Action{Op: "upload", Key: f.key, Reason: reason, Phase: PhaseOf(f.key), Size: f.size, Header: &hd, hhash: f.hhash})
}

// parallel calls fn(0) … fn(n-1) on up to conc goroutines and returns the
// first error; after an error it starts no more calls.
func parallel(ctx context.Context, conc, n int, fn func(i int) error) error {
	if conc < 1 {
		conc = 1
	}
	var (
		mu    sync.Mutex
		first error
		next  int
		wg    sync.WaitGroup
	)
	for range min(conc, n) {
		wg.Go(func() {
			for {
				mu.Lock()
				if first != nil || next >= n {
					mu.Unlock()
					return
				}
				i := next
				next++
				mu.Unlock()
				err := ctx.Err()
				if err == nil {
					err = fn(i)
				}
				if err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return first
}
