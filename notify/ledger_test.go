package notify_test

import (
	"testing"
	"time"

	"github.com/heraldstatus/herald/notify"
	"github.com/heraldstatus/herald/notify/notifytest"
)

func TestFolderContract(t *testing.T) {
	notifytest.LedgerContract(t, func(t *testing.T) notifytest.Opener {
		dir := t.TempDir()
		return func(lease time.Duration) notify.Ledger {
			f, err := notify.NewFolder(dir)
			if err != nil {
				t.Fatal(err)
			}
			f.Lease = lease
			return f
		}
	})
}

// TestBucketContract runs the bucket ledger over an in-memory object store;
// cmd/herald runs it over a real S3 server.
func TestBucketContract(t *testing.T) {
	for _, lose := range []bool{false, true} {
		name := "answers"
		if lose {
			name = "lost answers"
		}
		t.Run(name, func(t *testing.T) {
			notifytest.LedgerContract(t, func(t *testing.T) notifytest.Opener {
				objs := &notifytest.Memory{LoseAnswers: lose}
				return func(lease time.Duration) notify.Ledger { return notify.NewBucket(objs, lease) }
			})
		})
	}
}
