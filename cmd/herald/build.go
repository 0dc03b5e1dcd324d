package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/heraldstatus/herald/site"
	"github.com/heraldstatus/herald/themes"
	"github.com/spf13/cobra"
)

type buildFlags struct {
	source string
	now    string
	clean  bool // render every file, keeping none from the last build
}

func (f *buildFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.source, "source", ".", "folder holding config.toml and content/")
	cmd.Flags().StringVar(&f.now, "now", "", "build as if at this RFC 3339 time (default: the clock); decides what is active")
}

func (f *buildFlags) clock() (time.Time, error) {
	if f.now == "" {
		return time.Now().UTC().Truncate(time.Second), nil
	}
	t, err := time.Parse(time.RFC3339, f.now)
	if err != nil {
		return time.Time{}, fmt.Errorf("--now %q is not an RFC 3339 time with an offset (e.g. 2026-11-27T14:05:00Z)", f.now)
	}
	return t, nil
}

func buildCmd() *cobra.Command {
	var f buildFlags
	cmd := &cobra.Command{
		Use:   "build",
		Short: "Build the public site into public/ and the audience digests into digests/",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			res, err := build(f, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			kept := ""
			if res.kept > 0 {
				kept = fmt.Sprintf("%d kept from the last build, ", res.kept)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "built %d public files into %s and %d digests into %s (%s%d written)\nopen %s\n",
				res.publicFiles, res.publicDir, res.digestFiles, res.digestDir, kept, res.written, filepath.Join(res.publicDir, "index.html"))
			return nil
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&f.clean, "clean", false, "render every file again rather than keep those the last build made from the same sources")
	return cmd
}

type buildResult struct {
	site                     *site.Site
	publicDir, digestDir     string
	publicFiles, digestFiles int
	kept, written            int // in both folders: files kept unrendered, and written anew
}

// build builds and records the outcome beside public/, for publish.
func build(f buildFlags, stderr io.Writer) (*buildResult, error) {
	res, err := buildSite(f, stderr)
	recordBuild(f.source, res, err)
	return res, err
}

// buildSite loads, validates and renders, then puts the new output in place
// of the old (see keep.go). On any problem the old public/ and digests/ stay
// untouched.
func buildSite(f buildFlags, stderr io.Writer) (*buildResult, error) {
	now, err := f.clock()
	if err != nil {
		return nil, err
	}
	unlock, err := lockBuild(f.source, stderr)
	if err != nil {
		return nil, err
	}
	defer unlock()
	publicDir, digestDir := filepath.Join(f.source, "public"), filepath.Join(f.source, "digests")
	lastPublic, lastDigests := lastRecord(f.source, publicDir, !f.clean), lastRecord(f.source, digestDir, !f.clean)
	src := site.DirFS(f.source)
	s, err := site.Load(src, site.Options{Now: now})
	if err != nil {
		var ps site.Problems
		if errors.As(err, &ps) {
			printProblems(stderr, f.source, ps, "public/ and digests/ left as they were")
			return nil, exitError{1}
		}
		return nil, err
	}
	theme, err := loadTheme(f.source, s.Config.Theme)
	if err != nil {
		return nil, err
	}
	res := &buildResult{site: s, publicDir: publicDir, digestDir: digestDir}
	// Once a folder starts to change in place, publish must wait for the
	// build's outcome.
	applying := sync.OnceFunc(func() {
		recordBuild(f.source, nil, errors.New("a build stopped while it updated public/ and digests/"))
	})
	removeLeftovers(res.publicDir)
	removeLeftovers(res.digestDir)
	pub := openOutput(f.source, res.publicDir, lastPublic, applying)
	defer pub.discard()
	dig := openOutput(f.source, res.digestDir, lastDigests, applying)
	defer dig.discard()
	if err := site.Render(s, theme, pub, dig); err != nil {
		return nil, err
	}
	var perr, derr error
	var wg sync.WaitGroup
	wg.Go(func() { perr = pub.commit() })
	wg.Go(func() { derr = dig.commit() })
	wg.Wait()
	if err := errors.Join(perr, derr); err != nil {
		return nil, err
	}
	var pk, pw, dk, dw int
	res.publicFiles, pk, pw = pub.files()
	res.digestFiles, dk, dw = dig.files()
	res.kept, res.written = pk+dk, pw+dw
	return res, nil
}

// removeLeftovers removes what builds stopped by a crash left beside final:
// their folders aside. Builds of one folder run one at a time.
func removeLeftovers(final string) {
	old, _ := filepath.Glob(filepath.Join(filepath.Dir(final), "."+filepath.Base(final)+".new-*"))
	for _, p := range old {
		_ = os.RemoveAll(p)
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func loadTheme(source, name string) (fs.FS, error) {
	if name == "" {
		return themes.Default, nil
	}
	dir := filepath.Join(source, "themes", name)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, fmt.Errorf("config.toml: theme %q: folder %s not found (expected themes/%s/ with templates/ or assets/ overriding the default)", name, dir, name)
	}
	return themes.Overlay(os.DirFS(dir), themes.Default), nil
}

// dirOutput writes into a fresh folder aside of its final place and swaps
// it in on commit, so a failed build never leaves half an output.
type dirOutput struct {
	aside
	record string
	done   bool
}

// Keep keeps nothing: the folder is new.
func (o *dirOutput) Keep(string, site.Key) bool { return false }

func (o *dirOutput) WriteFile(name string, data []byte) error {
	return o.write(name, site.Key{}, data)
}

func (o *dirOutput) WriteKeyed(name string, key site.Key, data []byte) error {
	return o.write(name, key, data)
}

// commit replaces final with the new folder: two renames, with the old
// output removed only once the new one is in place. The record of the old
// folder goes first, and the new one's is written last.
func (o *dirOutput) commit() error {
	tmp, err := o.folder()
	if err != nil {
		return err
	}
	if err := os.Remove(o.record); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := removeJournal(journalPath(o.record)); err != nil {
		return err
	}
	old := ""
	if _, err := os.Stat(o.final); err == nil {
		old = tmp + ".old"
		if err := os.Rename(o.final, old); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, o.final); err != nil {
		if old != "" {
			_ = os.Rename(old, o.final)
		}
		return err
	}
	o.done = true
	if old != "" {
		if err := os.RemoveAll(old); err != nil {
			return err
		}
	}
	if rendererID() == "" {
		return nil
	}
	return writeFileRecord(o.record, rendererID(), o.written)
}

func (o *dirOutput) discard() {
	if !o.done {
		o.remove()
	}
}

func (o *dirOutput) files() (all, kept, written int) { return len(o.written), 0, len(o.written) }
