package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldstatus/herald/notify/notifytest"
)

// The crash and concurrency tests run the herald binary, as a scheduler or
// two CI jobs do, against servers that count what they receive per
// recipient: SMS through the twilio driver to a Twilio-compatible counting
// fake, email through the smtp driver to mailpit (a real SMTP server,
// started by scripts/test) or, without it, to an in-process counting SMTP
// server.

const crashRecipients = 2000

const crashConfig = `
title = "Acme Status"
base_url = "https://status.acme.example/"

[[components]]
id = "api"
name = "API"

[[audiences]]
id = "end-users"
digest = "service"
cadence = "30m"
channels = ["email", "sms"]
recipients = "recipients/end-users.csv"

[notify]
email = "smtp"
sms = "twilio"
from = "status@acme.example"
sms_from = "+15550100100"
concurrency = CONCURRENCY
`

var (
	heraldBinOnce sync.Once
	heraldBin     string
	heraldBinErr  error
)

// buildHerald builds the herald binary once per test run.
func buildHerald(t *testing.T) string {
	t.Helper()
	heraldBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "herald-bin-")
		if err != nil {
			heraldBinErr = err
			return
		}
		heraldBin = filepath.Join(dir, "herald")
		out, err := exec.Command("go", "build", "-o", heraldBin, ".").CombinedOutput()
		if err != nil {
			heraldBinErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if heraldBinErr != nil {
		t.Fatal(heraldBinErr)
	}
	return heraldBin
}

// crashPeers are the counting servers and the environment that points
// herald at them.
type crashPeers struct {
	sms   *notifytest.TwilioCounter
	email func() map[string]int // per address
	env   []string
	tag   string
}

func newCrashPeers(t *testing.T) *crashPeers {
	t.Helper()
	p := &crashPeers{sms: notifytest.NewTwilioCounter(t), tag: notifytest.Tag()}
	p.sms.Delay = time.Millisecond // a run of 2,000 lasts long enough to be killed mid-way
	var smtpURL string
	if os.Getenv("HERALD_MAILPIT_SMTP") != "" || os.Getenv("CI") == "true" {
		mp := notifytest.MailpitSTARTTLS(t)
		smtpURL = "smtp://" + mp.SMTP + "?ca=" + mp.CA + "&conns=8"
		p.email = func() map[string]int { return mp.CountAddressed(t, p.tag) }
	} else {
		t.Log("NOTE — no mailpit (HERALD_MAILPIT_SMTP is not set; `bash scripts/test` starts it): email goes to an in-process counting SMTP server instead")
		sc := notifytest.NewSMTPCounter(t)
		smtpURL = sc.URL("conns=8")
		p.email = sc.PerRecipient
	}
	p.env = append(os.Environ(),
		"TWILIO_ACCOUNT_SID=AC0123456789abcdef0123456789abcdef",
		"TWILIO_AUTH_TOKEN=0123456789abcdef0123456789abcdef",
		"HERALD_TWILIO_BASE_URL="+p.sms.URL,
		"HERALD_SMTP_URL="+smtpURL,
	)
	return p
}

// crashSite writes a site with one active incident and an audience of
// crashRecipients people, each with an address and a number.
func crashSite(t *testing.T, tag string, concurrency int) (dir string, emails, phones []string) {
	t.Helper()
	dir = t.TempDir()
	var csv strings.Builder
	csv.WriteString("name,email,phone\n")
	for i := range crashRecipients {
		e, p := fmt.Sprintf("user%04d-%s@example.com", i, tag), fmt.Sprintf("+1555%07d", 100000+i)
		emails, phones = append(emails, e), append(phones, p)
		fmt.Fprintf(&csv, "User %d,%s,%s\n", i, e, p)
	}
	writeFiles(t, dir, map[string]string{
		"config.toml":                                         strings.ReplaceAll(crashConfig, "CONCURRENCY", fmt.Sprint(concurrency)),
		"recipients/end-users.csv":                            csv.String(),
		"content/incidents/checkout-down/incident.md":         "---\ntitle: Checkout is down\nseverity: sev1\ncomponents: [api]\nstarted: 2026-11-27T14:00:00Z\n---\n\nCheckout fails for every merchant.\n",
		"content/incidents/checkout-down/2026-11-27T1405Z.md": "---\nat: 2026-11-27T14:05:00Z\nstatus: investigating\n---\n\nEvery checkout fails. We are investigating.\n",
	})
	return dir, emails, phones
}

const crashNow = "2026-11-27T14:10:00Z"

func (p *crashPeers) notify(bin, dir string) *exec.Cmd {
	cmd := exec.Command(bin, "notify", "--source", dir, "--now", crashNow)
	cmd.Env = p.env
	return cmd
}

// copies checks that every recipient got exactly one copy on each channel
// but for at most allowed duplicates in all, and returns how many there were.
func (p *crashPeers) copies(t *testing.T, emails, phones []string, allowed int) int {
	t.Helper()
	dups := 0
	for _, ch := range []struct {
		name string
		got  map[string]int
		want []string
	}{{"email", p.email(), emails}, {"sms", p.sms.PerRecipient(), phones}} {
		missing, extra := 0, 0
		for _, to := range ch.want {
			switch n := ch.got[strings.ToLower(to)]; {
			case n == 0:
				missing++
			case n > 1:
				extra += n - 1
			}
		}
		if missing > 0 {
			t.Errorf("%s: %d of %d recipients got nothing", ch.name, missing, len(ch.want))
		}
		if len(ch.got) > len(ch.want) {
			t.Errorf("%s: %d recipients, want %d", ch.name, len(ch.got), len(ch.want))
		}
		t.Logf("%s: %d recipients, %d duplicates", ch.name, len(ch.got), extra)
		dups += extra
	}
	if dups > allowed {
		t.Errorf("%d duplicates in all, want at most %d", dups, allowed)
	}
	return dups
}

// TestNotifyCrash kills herald notify with SIGKILL in the middle of a
// fan-out to 2,000 recipients (email and SMS), runs it again, and counts
// at the servers: every recipient has exactly one copy of the notice on
// each channel, but for the sends in flight at the kill, which number at
// most the concurrency.
func TestNotifyCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test runs the binary over 4,000 deliveries")
	}
	const concurrency = 8
	bin := buildHerald(t)
	p := newCrashPeers(t)
	dir, emails, phones := crashSite(t, p.tag, concurrency)

	cmd := p.notify(bin, dir)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	deadline := time.After(2 * time.Minute)
wait:
	for p.sms.Total() < 500 {
		select {
		case err := <-exited:
			t.Fatalf("herald notify ended before it could be killed (%v):\n%s", err, out.String())
		case <-deadline:
			t.Fatalf("herald notify sent %d SMS in 2 minutes:\n%s", p.sms.Total(), out.String())
		case <-time.After(2 * time.Millisecond):
			continue wait
		}
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no chance to tidy up
		t.Fatal(err)
	}
	<-exited
	killedAt := p.sms.Total()
	t.Logf("killed after %d SMS", killedAt)
	if killedAt >= crashRecipients {
		t.Fatalf("the run finished before the kill (%d SMS)", killedAt)
	}

	rerun := p.notify(bin, dir)
	b, err := rerun.CombinedOutput()
	if err != nil {
		t.Fatalf("the rerun failed: %v\n%s", err, b)
	}
	t.Logf("rerun:\n%s", b)
	p.copies(t, emails, phones, concurrency)

	// A third run finds everything sent and nothing due.
	before := p.sms.Total()
	b, err = p.notify(bin, dir).CombinedOutput()
	if err != nil {
		t.Fatalf("the third run failed: %v\n%s", err, b)
	}
	if p.sms.Total() != before || !strings.Contains(string(b), "0 notices") {
		t.Errorf("a run after completion sent again (%d SMS more):\n%s", p.sms.Total()-before, b)
	}
}

// TestNotifyConcurrent starts two herald notify processes at once over the
// same ledger folder: between them every recipient hears once, and no one
// twice.
func TestNotifyConcurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("the concurrency test runs the binary over 4,000 deliveries")
	}
	bin := buildHerald(t)
	p := newCrashPeers(t)
	dir, emails, phones := crashSite(t, p.tag, 8)

	var wg sync.WaitGroup
	outs := make([][]byte, 2)
	errs := make([]error, 2)
	start := make(chan struct{})
	for i := range 2 {
		cmd := p.notify(bin, dir)
		wg.Go(func() {
			<-start
			outs[i], errs[i] = cmd.CombinedOutput()
		})
	}
	close(start)
	wg.Wait()
	for i := range 2 {
		if errs[i] != nil {
			t.Errorf("run %d: %v\n%s", i+1, errs[i], outs[i])
		}
		t.Logf("run %d:\n%s", i+1, outs[i])
	}
	p.copies(t, emails, phones, 0)

	// Both ran the whole notice; one more run records it as heard.
	b, err := p.notify(bin, dir).CombinedOutput()
	if err != nil {
		t.Fatalf("a later run failed: %v\n%s", err, b)
	}
	p.copies(t, emails, phones, 0)
}
