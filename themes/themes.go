// Package themes holds herald's default theme, embedded in the binary.
package themes

import (
	"embed"
	"errors"
	"io/fs"
	"sort"
)

//go:embed all:default
var embedded embed.FS

// Default is the default theme: templates/ and assets/.
var Default fs.FS = mustSub(embedded, "default")

func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}

// Overlay returns a theme in which files of over replace the files of base
// with the same path, template by template; everything else comes from base.
func Overlay(over, base fs.FS) fs.FS { return overlay{over, base} }

type overlay struct{ over, base fs.FS }

func (o overlay) Open(name string) (fs.File, error) {
	f, err := o.over.Open(name)
	if err == nil {
		st, serr := f.Stat()
		if serr == nil && !st.IsDir() {
			return f, nil
		}
		f.Close()
	}
	return o.base.Open(name)
}

func (o overlay) ReadDir(name string) ([]fs.DirEntry, error) {
	a, errA := fs.ReadDir(o.over, name)
	b, errB := fs.ReadDir(o.base, name)
	if errA != nil && errB != nil {
		return nil, errB
	}
	if errA != nil && !errors.Is(errA, fs.ErrNotExist) {
		return nil, errA
	}
	seen := map[string]bool{}
	var out []fs.DirEntry
	for _, e := range append(a, b...) {
		if !seen[e.Name()] {
			seen[e.Name()] = true
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}
