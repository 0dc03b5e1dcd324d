//go:build !linux

package main

import "os"

// statRegular gives the size and modification time of the regular file at p.
func statRegular(p string) (size, mtime int64, ok bool) {
	st, err := os.Lstat(p)
	if err != nil || !st.Mode().IsRegular() {
		return 0, 0, false
	}
	return st.Size(), st.ModTime().UnixNano(), true
}
