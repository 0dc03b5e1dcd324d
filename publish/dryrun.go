package publish

import (
	"context"
	"errors"
	"io/fs"
)

// DryRun returns a Target that reads t and changes nothing: a Put or a
// Delete succeeds without reaching t. Run through it reports what it would
// do. Conditional writes still answer as t would, so a dry run sees a lock
// another publish holds.
func DryRun(t Target) Target { return dryRun{t} }

type dryRun struct{ Target }

func (d dryRun) Put(ctx context.Context, u Upload) (string, error) {
	if u.IfNoneMatch || u.IfMatch != "" {
		st, err := d.Target.Stat(ctx, u.Key)
		switch {
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return "", err
		case u.IfNoneMatch && err == nil:
			return "", ErrPrecondition
		case u.IfMatch != "" && (err != nil || st.ETag != u.IfMatch):
			return "", ErrPrecondition
		}
	}
	return md5hex(u.Body), nil
}

func (d dryRun) Delete(context.Context, string) error { return nil }

func (d dryRun) String() string { return d.Target.String() }
