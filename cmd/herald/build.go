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
			fmt.Fprintf(cmd.OutOrStdout(), "built %d public files into %s and %d digests into %s\nopen %s\n",
				res.publicFiles, res.publicDir, res.digestFiles, res.digestDir, filepath.Join(res.publicDir, "index.html"))
			return nil
		},
	}
	f.register(cmd)
	return cmd
}

type buildResult struct {
	site                     *site.Site
	publicDir, digestDir     string
	publicFiles, digestFiles int
}

// build builds and records the outcome beside public/, for publish.
func build(f buildFlags, stderr io.Writer) (*buildResult, error) {
	res, err := buildSite(f, stderr)
	recordBuild(f.source, res, err)
	return res, err
}

// buildSite loads, validates and renders, then swaps the new output in place of
// the old. On any problem the old public/ and digests/ stay untouched.
func buildSite(f buildFlags, stderr io.Writer) (*buildResult, error) {
	now, err := f.clock()
	if err != nil {
		return nil, err
	}
	src := os.DirFS(f.source)
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
	res := &buildResult{site: s, publicDir: filepath.Join(f.source, "public"), digestDir: filepath.Join(f.source, "digests")}
	pub, err := newDirOutput(res.publicDir)
	if err != nil {
		return nil, err
	}
	defer pub.discard()
	dig, err := newDirOutput(res.digestDir)
	if err != nil {
		return nil, err
	}
	defer dig.discard()
	if err := site.Render(s, theme, pub, dig); err != nil {
		return nil, err
	}
	if err := pub.commit(); err != nil {
		return nil, err
	}
	if err := dig.commit(); err != nil {
		return nil, err
	}
	res.publicFiles, res.digestFiles = pub.count, dig.count
	return res, nil
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

// dirOutput writes into a fresh sibling folder of its final place and
// swaps it in on commit, so a failed build never leaves half an output.
type dirOutput struct {
	final, tmp string
	mu         sync.Mutex
	dirs       map[string]bool
	count      int
	done       bool
}

func newDirOutput(final string) (*dirOutput, error) {
	parent := filepath.Dir(final)
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(final)+".new-")
	if err != nil {
		return nil, err
	}
	return &dirOutput{final: final, tmp: tmp, dirs: map[string]bool{}}, nil
}

func (o *dirOutput) WriteFile(name string, data []byte) error {
	p := filepath.Join(o.tmp, filepath.FromSlash(name))
	dir := filepath.Dir(p)
	o.mu.Lock()
	if !o.dirs[dir] {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			o.mu.Unlock()
			return err
		}
		o.dirs[dir] = true
	}
	o.count++
	o.mu.Unlock()
	return os.WriteFile(p, data, 0o644)
}

// commit replaces final with the new folder: two renames, with the old
// output removed only once the new one is in place.
func (o *dirOutput) commit() error {
	old := ""
	if _, err := os.Stat(o.final); err == nil {
		old = o.tmp + ".old"
		if err := os.Rename(o.final, old); err != nil {
			return err
		}
	}
	if err := os.Rename(o.tmp, o.final); err != nil {
		if old != "" {
			_ = os.Rename(old, o.final)
		}
		return err
	}
	o.done = true
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}

func (o *dirOutput) discard() {
	if !o.done {
		_ = os.RemoveAll(o.tmp)
	}
}
