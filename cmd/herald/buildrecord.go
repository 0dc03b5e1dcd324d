package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// The build record is how publish knows that public/ is the outcome of a
// build that succeeded. Build swaps public/ in whole, so public/ is never
// half written; but after a failed build it still holds the previous one,
// and publishing that would hide the failure. The record lives beside
// public/, in the source folder's .herald/, so it is never published.
const buildRecordPath = ".herald/build.json"

type buildRecord struct {
	OK          bool   `json:"ok"`
	Error       string `json:"error,omitempty"`
	PublicFiles int    `json:"public_files,omitempty"`
	Herald      string `json:"herald"`
}

// recordBuild writes the outcome of a build, best effort: without a
// record, publish refuses, which is the safe side.
func recordBuild(source string, res *buildResult, err error) {
	rec := buildRecord{OK: err == nil, Herald: versionString()}
	if err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			rec.Error = "content problems (see herald build's output)"
		} else {
			rec.Error = err.Error()
		}
	} else if res != nil {
		rec.PublicFiles = res.publicFiles
	}
	p := filepath.Join(source, filepath.FromSlash(buildRecordPath))
	if os.MkdirAll(filepath.Dir(p), 0o755) != nil {
		return
	}
	b, _ := json.MarshalIndent(rec, "", "  ")
	tmp := p + ".tmp"
	if os.WriteFile(tmp, append(b, '\n'), 0o644) == nil {
		_ = os.Rename(tmp, p)
	}
}

// checkBuild refuses a missing build, or one whose last run failed.
func checkBuild(source, publicDir string) error {
	if _, err := os.Stat(filepath.Join(publicDir, "index.html")); err != nil {
		return fmt.Errorf("no built site in %s (no index.html): run herald build first", publicDir)
	}
	b, err := os.ReadFile(filepath.Join(source, filepath.FromSlash(buildRecordPath)))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s has no build record (%s): run herald build, then publish", publicDir, filepath.Join(source, filepath.FromSlash(buildRecordPath)))
	}
	if err != nil {
		return err
	}
	var rec buildRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return fmt.Errorf("%s: %v: run herald build, then publish", buildRecordPath, err)
	}
	if !rec.OK {
		return fmt.Errorf("the last herald build failed (%s), so %s holds an older build: fix it, build again, then publish", rec.Error, publicDir)
	}
	return nil
}
