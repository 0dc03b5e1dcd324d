package publish

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

var _ Target = (*Folder)(nil)

// Folder is a Target in a local folder: the default, and a folder any
// static file server can serve. It keeps bytes only: headers are for the
// server that serves it. Every write lands whole (a temporary file renamed
// into place), so a reader never sees half a file.
type Folder struct {
	dir string
}

// NewFolder returns the folder target at dir, creating dir if needed.
func NewFolder(dir string) (*Folder, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return &Folder{dir: dir}, nil
}

func (f *Folder) String() string { return f.dir }

func (f *Folder) path(key string) (string, error) {
	if !fs.ValidPath(key) || key == "." {
		return "", fmt.Errorf("invalid key %q", key)
	}
	return filepath.Join(f.dir, filepath.FromSlash(key)), nil
}

// tmpDir holds writes in progress, inside the reserved folder so that a
// crash leaves nothing a listing would take for a file of the site.
func (f *Folder) tmpDir() string { return filepath.Join(f.dir, Reserved, "tmp") }

// List walks the folder. ETags are MD5s of the files' bytes.
func (f *Folder) List(ctx context.Context, fn func(Object) error) error {
	return filepath.WalkDir(f.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(f.dir, p)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		if depth, ok := reserved(key); ok && depth == 0 && key != LockKey && key != ManifestKey {
			return nil // temporary files and notify's state: only our two keys matter
		}
		b, err := os.ReadFile(p)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil // deleted while walking
			}
			return err
		}
		return fn(Object{Key: key, Size: int64(len(b)), ETag: md5hex(b)})
	})
}

// Stat returns the object's size and ETag; a folder keeps no headers or
// metadata.
func (f *Folder) Stat(ctx context.Context, key string) (Stored, error) {
	_, st, err := f.Get(ctx, key)
	return st, err
}

func (f *Folder) Get(ctx context.Context, key string) ([]byte, Stored, error) {
	p, err := f.path(key)
	if err != nil {
		return nil, Stored{}, err
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, Stored{}, err
	}
	return b, Stored{Object: Object{Key: key, Size: int64(len(b)), ETag: md5hex(b)}}, nil
}

// Put writes the bytes; headers and metadata are dropped. A conditional
// create is atomic (a hard link fails when the name exists); a conditional
// replace compares the ETag, then renames.
func (f *Folder) Put(ctx context.Context, u Upload) (string, error) {
	dst, err := f.path(u.Key)
	if err != nil {
		return "", err
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	tmp, err := f.writeTemp(u.Body)
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", err
	}
	switch {
	case u.IfNoneMatch:
		if err := os.Link(tmp, dst); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return "", fmt.Errorf("%s: %w", u.Key, ErrPrecondition)
			}
			return "", err
		}
		return md5hex(u.Body), nil
	case u.IfMatch != "":
		b, err := os.ReadFile(dst)
		if err != nil || md5hex(b) != u.IfMatch {
			return "", fmt.Errorf("%s: %w", u.Key, ErrPrecondition)
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		return "", err
	}
	return md5hex(u.Body), nil
}

func (f *Folder) writeTemp(b []byte) (string, error) {
	dir := f.tmpDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	var r [8]byte
	_, _ = rand.Read(r[:])
	name := filepath.Join(dir, hex.EncodeToString(r[:]))
	fh, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return "", err
	}
	_, err = fh.Write(b)
	if cerr := fh.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		return "", err
	}
	return name, nil
}

// Delete removes the file and the folders it leaves empty.
func (f *Folder) Delete(ctx context.Context, key string) error {
	p, err := f.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	for dir := path.Dir(key); dir != "." && !strings.HasPrefix(dir, ".."); dir = path.Dir(dir) {
		if os.Remove(filepath.Join(f.dir, filepath.FromSlash(dir))) != nil {
			break // not empty, or gone
		}
	}
	return nil
}
