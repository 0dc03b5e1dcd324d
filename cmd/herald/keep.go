package main

// Keeping files between builds.
//
// A build records, in the source folder's .herald/, what each file it put
// into public/ and digests/ was made from (its site.Key), with the file's
// size and modification time. The next build keeps every file whose key is
// unchanged and which is still as recorded, and renders only the others:
// after one new update, a few dozen files out of tens of thousands.
//
// The files that changed are written into a folder aside and moved in only
// once everything has rendered, so a build that fails leaves both folders
// as they were. Before moving files, a build lists them beside the record
// (journalPath); a build stopped while moving leaves that list, whose files
// the next build takes as unknown and renders again, and a build record
// that keeps publish from using the folders meanwhile.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/heraldstatus/herald/site"
)

// fileRecordHeader starts a record, followed by the herald that wrote the
// files (see rendererID): another herald may render the same sources into
// other bytes.
const fileRecordHeader = "herald files 1"

// fileEntry is one file of an output as a build left it.
type fileEntry struct {
	key   site.Key // zero: not known, render the file again
	size  int64
	mtime int64 // UnixNano
}

// fileRecordPath is where the record of the output folder final lives.
func fileRecordPath(source, final string) string {
	return filepath.Join(source, ".herald", filepath.Base(final)+".files")
}

// rendererID names the running herald by the digest of its executable: a
// herald built from other code may render other bytes from the same keys.
// It is empty when the executable cannot be read, and then no file is kept.
var rendererID = sync.OnceValue(func() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	f, err := os.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
})

// journalPath lists the files a build is moving in or removing; it exists
// only while it does.
func journalPath(record string) string { return record + ".moving" }

// readFileRecord reads a record written by renderer; anything else, or a
// record that does not read cleanly, is no record. The files in its journal
// are unknown.
func readFileRecord(p, renderer string) (map[string]fileEntry, bool) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, false
	}
	header, rest, ok := strings.Cut(string(b), "\n")
	if !ok || header != fileRecordHeader+" "+renderer {
		return nil, false
	}
	files := make(map[string]fileEntry, strings.Count(rest, "\n"))
	for line := range strings.Lines(rest) {
		// key size mtime name; the name comes last and may hold spaces.
		line = strings.TrimSuffix(line, "\n")
		key, line, ok1 := strings.Cut(line, " ")
		size, line, ok2 := strings.Cut(line, " ")
		mtime, name, ok3 := strings.Cut(line, " ")
		if !ok1 || !ok2 || !ok3 {
			return nil, false
		}
		var e fileEntry
		var err1, err2 error
		k, ok := site.ParseKey(key)
		e.key = k
		e.size, err1 = strconv.ParseInt(size, 10, 64)
		e.mtime, err2 = strconv.ParseInt(mtime, 10, 64)
		if !ok || err1 != nil || err2 != nil {
			return nil, false
		}
		files[name] = e
	}
	if b, err := os.ReadFile(journalPath(p)); err == nil {
		for name := range strings.Lines(string(b)) {
			name = strings.TrimSuffix(name, "\n")
			e := files[name]
			e.key = site.Key{}
			files[name] = e
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, false
	}
	return files, true
}

// writeFileRecord replaces the record at p in one rename.
func writeFileRecord(p, renderer string, files map[string]fileEntry) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	b := make([]byte, 0, len(files)*120)
	b = append(b, fileRecordHeader+" "+renderer+"\n"...)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		e := files[name]
		b = hex.AppendEncode(b, e.key[:])
		b = append(b, ' ')
		b = strconv.AppendInt(b, e.size, 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, e.mtime, 10)
		b = append(b, ' ')
		b = append(b, name...)
		b = append(b, '\n')
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

// buildOutput is where a build puts one of its folders.
type buildOutput interface {
	site.KeyedOutput
	// commit puts the new files in place of the old ones.
	commit() error
	// discard drops what commit did not put in place.
	discard()
	// files counts the folder's files: those kept from the last build
	// without rendering them, and those written anew.
	files() (all, kept, written int)
}

// lastRecord reads the record of final in the background, while the
// sources load, and returns what waits for it. keep false reads none.
func lastRecord(source, final string, keep bool) func() (map[string]fileEntry, bool) {
	var (
		files map[string]fileEntry
		ok    bool
		done  = make(chan struct{})
	)
	go func() {
		defer close(done)
		if keep && rendererID() != "" {
			files, ok = readFileRecord(fileRecordPath(source, final), rendererID())
		}
	}()
	return func() (map[string]fileEntry, bool) {
		<-done
		return files, ok
	}
}

// openOutput is how a build writes final: keeping the files of the last
// build when it has their record (see lastRecord), or writing a whole new
// folder. applying is called once before a kept folder starts to change.
func openOutput(source, final string, last func() (map[string]fileEntry, bool), applying func()) buildOutput {
	record := fileRecordPath(source, final)
	if prev, ok := last(); ok {
		if st, err := os.Stat(final); err == nil && st.IsDir() {
			return &keepOutput{aside: aside{final: final}, record: record, prev: prev, applying: applying,
				next: make(map[string]fileEntry, len(prev))}
		}
	}
	return &dirOutput{aside: aside{final: final}, record: record}
}

// aside is a hidden folder beside final, made with the first file written
// into it, which a build fills before it puts the files in place.
type aside struct {
	final   string
	mu      sync.Mutex
	dir     string
	dirs    map[string]bool      // made in dir
	written map[string]fileEntry // by name
}

// folder is the folder aside, made the first time it is asked for.
func (a *aside) folder() (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.folderLocked()
}

func (a *aside) folderLocked() (string, error) {
	if a.dir == "" {
		dir, err := os.MkdirTemp(filepath.Dir(a.final), "."+filepath.Base(a.final)+".new-")
		if err != nil {
			return "", err
		}
		a.dir, a.dirs, a.written = dir, map[string]bool{}, map[string]fileEntry{}
	}
	return a.dir, nil
}

// write writes data as name into the folder aside, made from key.
func (a *aside) write(name string, key site.Key, data []byte) error {
	a.mu.Lock()
	dir, err := a.folderLocked()
	if err != nil {
		a.mu.Unlock()
		return err
	}
	p := filepath.Join(dir, filepath.FromSlash(name))
	if sub := filepath.Dir(p); !a.dirs[sub] {
		if err := os.MkdirAll(sub, 0o755); err != nil {
			a.mu.Unlock()
			return err
		}
		a.dirs[sub] = true
	}
	a.mu.Unlock()
	mtime, err := writeFile(p, data)
	if err != nil {
		return err
	}
	a.mu.Lock()
	a.written[name] = fileEntry{key: key, size: int64(len(data)), mtime: mtime}
	a.mu.Unlock()
	return nil
}

// remove removes the folder aside and what is still in it.
func (a *aside) remove() {
	if a.dir != "" {
		_ = os.RemoveAll(a.dir)
		a.dir = ""
	}
}

// keepOutput updates final in place: it keeps the files of the last build
// that are still good, and moves the others in from a folder aside.
type keepOutput struct {
	aside    aside // the files written anew
	record   string
	prev     map[string]fileEntry // read only once the build runs
	applying func()

	mu   sync.Mutex
	next map[string]fileEntry // the files left in place: kept, or holding what was rendered
	kept int
}

func (o *keepOutput) path(name string) string {
	return filepath.Join(o.aside.final, filepath.FromSlash(name))
}

func (o *keepOutput) Keep(name string, key site.Key) bool {
	e, ok := o.prev[name]
	if !ok || key == (site.Key{}) || e.key != key {
		return false
	}
	size, mtime, ok := statRegular(o.path(name))
	if !ok || size != e.size || !sameSecond(mtime, e.mtime) {
		return false
	}
	o.mu.Lock()
	o.next[name] = e
	o.kept++
	o.mu.Unlock()
	return true
}

func (o *keepOutput) WriteFile(name string, data []byte) error {
	return o.WriteKeyed(name, site.Key{}, data)
}

// WriteKeyed leaves a file alone when it already holds data, and otherwise
// writes it aside for commit to move in.
func (o *keepOutput) WriteKeyed(name string, key site.Key, data []byte) error {
	if e, ok := o.prev[name]; ok && e.size == int64(len(data)) {
		if mtime, same := sameContent(o.path(name), data); same {
			o.mu.Lock()
			o.next[name] = fileEntry{key: key, size: e.size, mtime: mtime}
			o.mu.Unlock()
			return nil
		}
	}
	return o.aside.write(name, key, data)
}

// sameSecond compares modification times to the second: archives, such
// as a CI cache restoring the folders, may keep no finer times.
func sameSecond(a, b int64) bool { return a/1e9 == b/1e9 }

// sameContent reports whether the file at p holds data, and its mtime.
func sameContent(p string, data []byte) (int64, bool) {
	f, err := os.Open(p)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() || st.Size() != int64(len(data)) {
		return 0, false
	}
	old := make([]byte, len(data))
	if _, err := io.ReadFull(f, old); err != nil {
		return 0, false
	}
	return st.ModTime().UnixNano(), bytes.Equal(old, data)
}

// writeFile writes data to p and returns the file's modification time.
func writeFile(p string, data []byte) (int64, error) {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return 0, err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return 0, err
	}
	return st.ModTime().UnixNano(), f.Close()
}

// commit removes the files this build did not make, moves the changed ones
// in and records the folder. Until the record is rewritten at the end, the
// journal lists the files in motion.
func (o *keepOutput) commit() error {
	all := maps.Clone(o.next)
	maps.Copy(all, o.aside.written)
	var stale []string
	for name := range o.prev {
		if _, ok := all[name]; !ok {
			stale = append(stale, name)
		}
	}
	staged := slices.Sorted(maps.Keys(o.aside.written))
	journal := journalPath(o.record)
	if len(staged) == 0 && len(stale) == 0 {
		if !maps.Equal(o.prev, all) {
			if err := writeFileRecord(o.record, rendererID(), all); err != nil {
				return err
			}
		}
		return removeJournal(journal)
	}
	var moving []byte
	for _, name := range slices.Concat(staged, stale) {
		moving = append(append(moving, name...), '\n')
	}
	if err := os.WriteFile(journal, moving, 0o644); err != nil {
		return err
	}
	o.applying()
	final := o.aside.final
	slices.Sort(stale)
	for _, name := range stale {
		if err := os.Remove(o.path(name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		// Remove the folders it leaves empty, up to final.
		for dir := filepath.Dir(o.path(name)); dir != final && strings.HasPrefix(dir, final); dir = filepath.Dir(dir) {
			if os.Remove(dir) != nil {
				break
			}
		}
	}
	made := map[string]bool{}
	for _, name := range staged {
		dst := o.path(name)
		if dir := filepath.Dir(dst); !made[dir] {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			made[dir] = true
		}
		if err := os.Rename(filepath.Join(o.aside.dir, filepath.FromSlash(name)), dst); err != nil {
			return err
		}
		if stopAfterMove != nil {
			if err := stopAfterMove(); err != nil {
				return err
			}
		}
	}
	if err := writeFileRecord(o.record, rendererID(), all); err != nil {
		return err
	}
	o.discard()
	return removeJournal(journal)
}

func removeJournal(p string) error {
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// stopAfterMove, when set, is called after each file moved in: a test stops
// a build there as a crash would.
var stopAfterMove func() error

func (o *keepOutput) discard() { o.aside.remove() }

func (o *keepOutput) files() (all, kept, written int) {
	return len(o.next) + len(o.aside.written), o.kept, len(o.aside.written)
}
