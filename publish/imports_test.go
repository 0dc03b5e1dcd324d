package publish

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports holds the lines of STYLE.md that concern publish: it imports
// no other herald package (it knows nothing of incidents), and the AWS SDK
// is imported nowhere but here (and notify's SES driver). It holds the
// same line for twilio-go while it walks the tree: notify/twilio.go only.
func TestImports(t *testing.T) {
	const herald = "github.com/heraldstatus/herald/"
	err := filepath.WalkDir("..", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "testdata", "public", "digests":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(p, ".go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(strings.TrimPrefix(p, ".."+string(filepath.Separator)))
		inPublish := strings.HasPrefix(rel, "publish/")
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			switch {
			case inPublish && !strings.HasSuffix(rel, "_test.go") && strings.HasPrefix(path, herald) && !strings.HasPrefix(path, herald+"publish"):
				t.Errorf("%s imports %s: publish knows nothing of the rest of herald", rel, path)
			case !inPublish && !strings.HasPrefix(rel, "notify/") && strings.HasPrefix(path, "github.com/aws/"):
				t.Errorf("%s imports %s: the AWS SDK belongs in publish (and notify's SES driver)", rel, path)
			case rel != "notify/twilio.go" && strings.HasPrefix(path, "github.com/twilio/"):
				t.Errorf("%s imports %s: twilio-go belongs in notify/twilio.go alone", rel, path)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
