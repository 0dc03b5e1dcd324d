package notify_test

import (
	"bytes"
	"io"
	"maps"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"github.com/heraldstatus/herald/notify"
	"github.com/heraldstatus/herald/notify/notifytest"
	"github.com/heraldstatus/herald/site"
	"github.com/heraldstatus/herald/themes"
)

// The fault tests run the Runner with the Twilio sender against the
// in-process fake, which answers each recipient as a script says.

const faultConfig = `
title = "Acme Status"
base_url = "https://status.acme.example/"
timezone = "UTC"

[[components]]
id = "api"
name = "API"

[[audiences]]
id = "end-users"
digest = "service"
cadence = "30m"
channels = ["sms"]

[[audiences]]
id = "executives"
digest = "business"
cadence = "1h"
channels = ["call"]
`

var faultContent = fstest.MapFS{
	"config.toml": {Data: []byte(faultConfig)},
	"content/incidents/checkout-down/incident.md": {Data: []byte(
		"---\ntitle: Checkout is down\nseverity: sev1\ncomponents: [api]\nstarted: 2026-11-27T14:00:00Z\n---\n\nCheckout fails for every merchant.\n")},
	"content/incidents/checkout-down/2026-11-27T1405Z.md": {Data: []byte(
		"---\nat: 2026-11-27T14:05:00Z\nstatus: investigating\n---\n\nEvery checkout fails with an error. We are investigating.\n")},
}

// The end-users, by what the fake answers them.
const (
	numOK        = "+15550100001"
	numTimeout   = "+15550100002" // times out once
	num429       = "+15550100003" // 429 with Retry-After: 1, once
	num500       = "+15550100004" // 500 twice
	numInvalid   = "+15550100005" // 21211, always
	numStop      = "+15550100006" // 21610, always
	numFlaky     = "+15550100007" // 500 until healed
	numExecutive = "+15550100201"
)

var faultRecipients = map[string]string{
	"end-users": "name,email,phone\n" +
		"ok,," + numOK + "\ntimeout,," + numTimeout + "\nbusy,," + num429 + "\nerror,," + num500 + "\n" +
		"invalid,," + numInvalid + "\nstop,," + numStop + "\nflaky,," + numFlaky + "\n",
	"executives": "name,email,phone\nceo,," + numExecutive + "\n",
}

// notifyRun plans and runs herald notify over fsys at now, sending SMS and
// calls through tw.
func notifyRun(t *testing.T, fsys fstest.MapFS, now time.Time, ledger notify.Ledger, tw notify.Sender, log io.Writer) *notify.Summary {
	t.Helper()
	s, err := site.Load(fsys, site.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := site.LoadTemplates(themes.Default, s.Config)
	if err != nil {
		t.Fatal(err)
	}
	cursors, err := ledger.Cursors(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	r := &notify.Runner{
		Composer: &notify.Composer{Site: s, Templates: tmpl, Key: []byte("test-key"), Now: now, SMSFrom: "+15550100100"},
		Ledger:   ledger,
		Senders:  map[string]notify.Sender{"sms": tw, "call": tw},
		Recipients: func(a *site.Audience) (io.ReadCloser, string, error) {
			return io.NopCloser(strings.NewReader(faultRecipients[a.ID])), a.ID + ".csv", nil
		},
		Retry:       notify.Retry{Attempts: 3, Base: 5 * time.Millisecond, Cap: 20 * time.Millisecond},
		Concurrency: 4,
		Log:         log,
	}
	sum, err := r.Run(t.Context(), notify.Plan(s, cursors, notify.PlanOptions{Now: now}))
	if err != nil {
		t.Fatal(err)
	}
	return sum
}

func TestRunnerTwilioFaults(t *testing.T) {
	var healed atomic.Bool
	fake := notifytest.NewTwilioFake(t, func(w http.ResponseWriter, r *http.Request, to string, n int) {
		switch {
		case to == numTimeout && n == 1:
			notifytest.Hang(w, r)
		case to == num429 && n == 1:
			w.Header().Set("Retry-After", "1")
			notifytest.TwilioFails(w, 429, 20429, "Too Many Requests")
		case to == num500 && n <= 2:
			notifytest.TwilioFails(w, 500, 20500, "Internal Server Error")
		case to == numInvalid:
			notifytest.TwilioFails(w, 400, 21211, "The 'To' number "+to+" is not a valid phone number.")
		case to == numStop:
			notifytest.TwilioFails(w, 400, 21610, "Attempt to send to unsubscribed recipient")
		case to == numFlaky && !healed.Load():
			notifytest.TwilioFails(w, 503, 20503, "Service Unavailable")
		default:
			notifytest.TwilioCreated(w, r)
		}
	})
	// Long enough for any answer on a loaded machine; the timeout
	// recipient costs one.
	tw := newTwilio(t, fake.URL, time.Second)
	ledger, err := notify.NewFolder(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 27, 14, 10, 0, 0, time.UTC)
	var log bytes.Buffer

	// Run 1: transient failures are retried, permanent ones recorded, the
	// flaky recipient given up on for this run.
	sum := notifyRun(t, faultContent, now, ledger, tw, &log)
	checkCounts(t, "run 1", sum, map[string]map[string]int{
		"sent":       {"sms": 4, "call": 1},
		"failed":     {"sms": 1},
		"suppressed": {"sms": 1},
		"deferred":   {"sms": 1},
	})
	if sum.OK() {
		t.Error("run 1: OK with a permanent failure")
	}
	wantRequests(t, fake, map[string]int{numOK: 1, numTimeout: 2, num429: 2, num500: 3, numInvalid: 1, numStop: 1, numFlaky: 3, numExecutive: 1})
	// The 429's Retry-After was honoured (a lower bound: never flaky).
	var at []time.Time
	for _, q := range fake.Requests() {
		if q.Form.Get("To") == num429 {
			at = append(at, q.At)
		}
	}
	if gap := at[1].Sub(at[0]); gap < 900*time.Millisecond {
		t.Errorf("the retry after a 429 with Retry-After: 1 came %v later", gap)
	}
	for _, call := range fake.Requests() {
		if strings.HasSuffix(call.Path, "/Calls.json") && !strings.Contains(call.Form.Get("Twiml"), "<Say") {
			t.Errorf("call TwiML: %s", call.Form.Get("Twiml"))
		}
	}
	if !strings.Contains(log.String(), "+1555•••0005") || !strings.Contains(log.String(), "21211") {
		t.Errorf("the log does not report the invalid number, masked:\n%s", &log)
	}

	// Run 2, Twilio healed: the deferred delivery goes out; nothing else
	// is sent again; the unsubscribed recipient is skipped without a
	// request.
	healed.Store(true)
	sum = notifyRun(t, faultContent, now, ledger, tw, &log)
	checkCounts(t, "run 2", sum, map[string]map[string]int{
		"sent":       {"sms": 1},
		"skipped":    {"sms": 5},
		"suppressed": {"sms": 1},
	})
	if !sum.OK() {
		t.Errorf("run 2: not OK: %v", sum.Problems)
	}
	wantRequests(t, fake, map[string]int{numOK: 1, numTimeout: 2, num429: 2, num500: 3, numInvalid: 1, numStop: 1, numFlaky: 4, numExecutive: 1})

	// Run 3, a new milestone: everyone hears it but the recipient who
	// replied STOP, whom the suppression list keeps out.
	later := maps.Clone(faultContent)
	later["content/incidents/checkout-down/2026-11-27T1430Z.md"] = &fstest.MapFile{Data: []byte(
		"---\nat: 2026-11-27T14:30:00Z\nstatus: identified\n---\n\nA bad deploy; we are rolling it back.\n")}
	sum = notifyRun(t, later, now.Add(25*time.Minute), ledger, tw, &log)
	checkCounts(t, "run 3", sum, map[string]map[string]int{
		"sent":       {"sms": 5, "call": 1},
		"failed":     {"sms": 1},
		"suppressed": {"sms": 1},
	})
	wantRequests(t, fake, map[string]int{numOK: 2, numTimeout: 3, num429: 3, num500: 4, numInvalid: 2, numStop: 1, numFlaky: 5, numExecutive: 2})

	for _, n := range []string{numOK, numTimeout, num429, num500, numInvalid, numStop, numFlaky, numExecutive} {
		if strings.Contains(log.String(), n) || strings.Contains(log.String(), n[1:]) {
			t.Errorf("the log shows %s:\n%s", notify.MaskPhone(n), &log)
		}
	}
	t.Logf("the runs' log:\n%s", &log)
}

func checkCounts(t testing.TB, run string, sum *notify.Summary, want map[string]map[string]int) {
	t.Helper()
	got := map[string]map[string]int{"sent": sum.Sent, "skipped": sum.Skipped, "suppressed": sum.Suppressed, "failed": sum.Failed, "deferred": sum.Deferred}
	for what, m := range got {
		w := want[what]
		for _, ch := range notify.SortedChannels(m, w) {
			if m[ch] != w[ch] {
				t.Errorf("%s: %s %s = %d, want %d", run, ch, what, m[ch], w[ch])
			}
		}
	}
}

func wantRequests(t testing.TB, fake *notifytest.TwilioFake, want map[string]int) {
	t.Helper()
	for to, n := range want {
		if got := fake.Count(to); got != n {
			t.Errorf("%d requests to %s, want %d", got, notify.MaskPhone(to), n)
		}
	}
}
