//go:build unix

package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
)

// lockBuild holds .herald/build.lock in source until unlock, so that two
// builds of one folder run one after the other: each updates public/ and
// digests/ in place.
func lockBuild(source string, stderr io.Writer) (unlock func(), err error) {
	p := filepath.Join(source, ".herald", "build.lock")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	fd := int(f.Fd())
	if err := syscall.Flock(fd, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", p, err)
		}
		fmt.Fprintf(stderr, "waiting for another build of %s to finish\n", source)
		if err := syscall.Flock(fd, syscall.LOCK_EX); err != nil {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", p, err)
		}
	}
	return func() { f.Close() }, nil
}
