package site

import (
	"bytes"
	"encoding/binary"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// ReadDir lists a folder with open, getdents and close, where os.ReadDir
// adds five more system calls to set up polling that a folder never uses.
// On any trouble it leaves the listing, and the error, to os.DirFS.
func (d dirFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if !fs.ValidPath(name) {
		return fs.ReadDir(d.FS, name)
	}
	dir := filepath.Join(d.dir, filepath.FromSlash(name))
	var fd int
	err := retry(func() (err error) {
		fd, err = syscall.Open(dir, syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
		return err
	})
	if err != nil {
		return fs.ReadDir(d.FS, name)
	}
	defer syscall.Close(fd)
	var (
		entries []fs.DirEntry
		buf     = make([]byte, 8192)
	)
	for {
		var n int
		err := retry(func() (err error) {
			n, err = syscall.ReadDirent(fd, buf)
			return err
		})
		if err != nil {
			return fs.ReadDir(d.FS, name)
		}
		if n <= 0 {
			break
		}
		// struct linux_dirent64: ino u64, off s64, reclen u16, type u8,
		// then the name, NUL-terminated.
		for b := buf[:n]; len(b) >= 19; {
			reclen := int(binary.NativeEndian.Uint16(b[16:18]))
			if reclen < 19 || reclen > len(b) {
				return fs.ReadDir(d.FS, name)
			}
			typ, rec := b[18], b[19:reclen]
			b = b[reclen:]
			if end := bytes.IndexByte(rec, 0); end >= 0 {
				rec = rec[:end]
			}
			entry := string(rec)
			if entry == "." || entry == ".." {
				continue
			}
			var mode fs.FileMode
			switch typ {
			case syscall.DT_REG:
			case syscall.DT_DIR:
				mode = fs.ModeDir
			default: // other kinds, or one the file system does not say
				return fs.ReadDir(d.FS, name)
			}
			entries = append(entries, dirEntry{d: d, dir: name, name: entry, mode: mode})
		}
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return entries, nil
}

// dirEntry is an entry of a listing by dirFS.ReadDir.
type dirEntry struct {
	d         dirFS
	dir, name string
	mode      fs.FileMode // ModeDir or a regular file
}

func (e dirEntry) Name() string      { return e.name }
func (e dirEntry) IsDir() bool       { return e.mode.IsDir() }
func (e dirEntry) Type() fs.FileMode { return e.mode.Type() }

func (e dirEntry) Info() (fs.FileInfo, error) {
	return fs.Stat(e.d.FS, pathJoin(e.dir, e.name))
}

func pathJoin(dir, name string) string {
	if dir == "." {
		return name
	}
	return dir + "/" + name
}
