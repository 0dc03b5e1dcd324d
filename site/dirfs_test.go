package site

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/heraldstatus/herald/themes"
)

// writeTree writes a MapFS into a fresh folder.
func writeTree(t *testing.T, fsys fs.FS) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, fsys); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestDirFSProblems loads every case of the problem table from disk
// through DirFS, which reads files its own way: the problems must be the
// same as through fs.FS.
func TestDirFSProblems(t *testing.T) {
	for _, tc := range problemCases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(DirFS(writeTree(t, srcTree(tc.files))), Options{Now: testNow})
			checkProblems(t, err, tc.want)
		})
	}
}

// TestDirFSRendersAsDirFS renders the sample loaded through DirFS and
// through os.DirFS: every file must be the same.
func TestDirFSRendersAsDirFS(t *testing.T) {
	render := func(fsys fs.FS) map[string][]byte {
		s, err := Load(fsys, Options{Now: sampleNow})
		if err != nil {
			t.Fatal(err)
		}
		var pub, dig memOutput
		if err := Render(s, themes.Default, &pub, &dig); err != nil {
			t.Fatal(err)
		}
		for name, b := range dig.files {
			pub.files["digests/"+name] = b
		}
		return pub.files
	}
	root := filepath.Join("..")
	want, got := render(os.DirFS(root)), render(DirFS(root))
	if len(got) != len(want) {
		t.Fatalf("DirFS gave %d files, os.DirFS %d", len(got), len(want))
	}
	for name, b := range want {
		if !bytes.Equal(got[name], b) {
			t.Errorf("%s differs between DirFS and os.DirFS", name)
		}
	}
}
