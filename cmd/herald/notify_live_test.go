package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldstatus/herald/notify/notifytest"
)

// TestNotifyLive runs herald notify with the live drivers, twilio and
// http, against in-process fakes of Twilio, Slack and a webhook receiver:
// config, environment, rate limit, exit code, summary and what each peer
// receives. (notify's own tests check the requests against Twilio's
// OpenAPI description, and the retries of transient failures.)
func TestNotifyLive(t *testing.T) {
	const (
		invalid = "+15550100005" // Twilio answers 21211
		stop    = "+15550100006" // Twilio answers 21610: replied STOP
		rate    = 10             // [notify.rate] sms
		secret  = "webhook-secret-for-tests"
	)
	tw := notifytest.NewTwilioFake(t, func(w http.ResponseWriter, r *http.Request, to string, n int) {
		switch to {
		case invalid:
			notifytest.TwilioFails(w, 400, 21211, "The 'To' number "+to+" is not a valid phone number.")
		case stop:
			notifytest.TwilioFails(w, 400, 21610, "Attempt to send to unsubscribed recipient")
		default:
			notifytest.TwilioCreated(w, r)
		}
	})
	slack, hook := &liveFake{}, &liveFake{}
	for _, f := range []*liveFake{slack, hook} {
		f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			f.add(liveRequest{Path: r.URL.Path, Header: r.Header, Body: body, At: time.Now()})
			io.WriteString(w, "ok")
		}))
		defer f.srv.Close()
	}

	dir := t.TempDir()
	numbers := []string{"+15550100001", "+15550100002", "+15550100003", "+15550100004", invalid, stop, "+15550100007", "+15550100008"}
	csv := "name,email,phone\n"
	for i, n := range numbers {
		csv += fmt.Sprintf("user %d,,%s\n", i, n)
	}
	writeFiles(t, dir, map[string]string{
		"config.toml":                                         strings.ReplaceAll(liveConfig, "WEBHOOK_URL", hook.srv.URL+"/herald"),
		"recipients/end-users.csv":                            csv,
		"recipients/executives.csv":                           "name,email,phone\nceo,,+15550100201\n",
		"content/incidents/checkout-down/incident.md":         "---\ntitle: Checkout is down\nseverity: sev1\ncomponents: [api]\nstarted: 2026-11-27T14:00:00Z\n---\n\nCheckout fails for every merchant.\n",
		"content/incidents/checkout-down/2026-11-27T1405Z.md": "---\nat: 2026-11-27T14:05:00Z\nstatus: investigating\n---\n\nEvery checkout fails. We are investigating.\n\n::: for it-team\nPrimary pg-03 lost its volume; promoting pg-04.\n:::\n",
	})
	t.Setenv("TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789abcdef")
	t.Setenv("TWILIO_AUTH_TOKEN", "0123456789abcdef0123456789abcdef")
	t.Setenv("HERALD_TWILIO_BASE_URL", tw.URL)
	t.Setenv("HERALD_SLACK_WEBHOOK_URL", slack.srv.URL+"/services/T000/B000/s3cr3t")
	t.Setenv("HERALD_WEBHOOK_SECRET", secret)

	notifyAt := func(now string) (int, string) {
		var stdout, stderr bytes.Buffer
		code := run(t.Context(), []string{"notify", "--source", dir, "--now", now}, &stdout, &stderr)
		out := stdout.String() + stderr.String()
		for _, n := range append(numbers, "+15550100201") {
			if strings.Contains(out, n[2:]) {
				t.Errorf("the output shows a number:\n%s", out)
			}
		}
		if strings.Contains(out, "s3cr3t") {
			t.Errorf("the output shows the Slack webhook URL:\n%s", out)
		}
		t.Logf("herald notify --now %s: exit %d\n%s", now, code, out)
		return code, out
	}

	// Run 1: every channel, one permanent failure, one STOP.
	start := time.Now()
	code, out := notifyAt("2026-11-27T14:10:00Z")
	if code != 1 {
		t.Fatalf("herald notify exited %d, want 1 (a permanent failure):\n%s", code, out)
	}
	// Each run: the six good numbers, the one that fails, the one that
	// replied STOP; the executive's call; the IT team's Slack and webhook.
	eachRun := map[string]string{
		"sms":     "sent 6, already sent 0, suppressed 1, failed 1, deferred 0",
		"call":    "sent 1, already sent 0, suppressed 0, failed 0, deferred 0",
		"slack":   "sent 1, already sent 0, suppressed 0, failed 0, deferred 0",
		"webhook": "sent 1, already sent 0, suppressed 0, failed 0, deferred 0",
	}
	wantSummary(t, out, eachRun)
	if !strings.Contains(out, "+1555•••0005") || !strings.Contains(out, "21211") {
		t.Errorf("the output does not report the invalid number, masked:\n%s", out)
	}

	// The SMS kept to the rate. The limiter grants its k-th slot no sooner
	// than k intervals after the run began, and a request reaches the
	// server after its slot, never before: so the k-th arrival (in order
	// of arrival) comes k intervals after the start or later, however
	// slow the machine. Without the limit they all come at once.
	var at []time.Time
	for _, q := range tw.Requests() {
		if strings.HasSuffix(q.Path, "/Messages.json") {
			at = append(at, q.At)
		}
	}
	if len(at) != len(numbers) {
		t.Fatalf("%d SMS requests, want %d", len(at), len(numbers))
	}
	slices.SortFunc(at, time.Time.Compare)
	interval := time.Second / rate
	for k, a := range at {
		if d := a.Sub(start); d < time.Duration(k)*interval {
			t.Errorf("SMS request %d came %v after the start; at %d a second, not before %v", k, d, rate, time.Duration(k)*interval)
		}
	}

	// Slack: one message, valid JSON with blocks, the IT team's detail.
	sl := slack.all()
	if len(sl) != 1 {
		t.Fatalf("%d Slack posts, want 1", len(sl))
	}
	var msg struct {
		Text   string `json:"text"`
		Blocks []struct {
			Type string          `json:"type"`
			Text json.RawMessage `json:"text"`
		} `json:"blocks"`
	}
	if ct := sl[0].Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Slack Content-Type %q", ct)
	}
	if err := json.Unmarshal(sl[0].Body, &msg); err != nil || len(msg.Blocks) < 2 || msg.Blocks[0].Type != "header" || msg.Text == "" {
		t.Errorf("Slack body: %v\n%s", err, sl[0].Body)
	}
	if !bytes.Contains(sl[0].Body, []byte("Checkout is down")) || !bytes.Contains(sl[0].Body, []byte("pg-03")) {
		t.Errorf("the Slack message lacks the title or the IT team's detail:\n%s", sl[0].Body)
	}

	// The webhook: signed, the incident in Statuspage's v2 shape, the
	// audience's fields beside it.
	hk := hook.all()
	if len(hk) != 1 {
		t.Fatalf("%d webhook posts, want 1", len(hk))
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(hk[0].Body)
	if got, want := hk[0].Header.Get("X-Herald-Signature"), "sha256="+hex.EncodeToString(mac.Sum(nil)); got != want {
		t.Errorf("X-Herald-Signature %q, want %q", got, want)
	}
	if hk[0].Path != "/herald" || hk[0].Header.Get("X-Herald-Notice") == "" || hk[0].Header.Get("X-Herald-Delivery") == "" {
		t.Errorf("webhook request: %s %v", hk[0].Path, hk[0].Header)
	}
	var payload struct {
		Notice   map[string]any             `json:"notice"`
		Audience map[string]any             `json:"audience"`
		Page     map[string]any             `json:"page"`
		Incident map[string]json.RawMessage `json:"incident"`
	}
	if err := json.Unmarshal(hk[0].Body, &payload); err != nil {
		t.Fatalf("webhook body: %v\n%s", err, hk[0].Body)
	}
	for _, k := range []string{"id", "name", "status", "impact", "shortlink", "created_at", "updated_at", "started_at", "incident_updates", "components"} {
		if _, ok := payload.Incident[k]; !ok {
			t.Errorf("the webhook's incident has no %q (Statuspage v2 shape):\n%s", k, hk[0].Body)
		}
	}
	if string(payload.Incident["impact"]) != `"critical"` || string(payload.Incident["status"]) != `"investigating"` {
		t.Errorf("incident impact %s status %s", payload.Incident["impact"], payload.Incident["status"])
	}
	if payload.Audience["id"] != "it-team" || payload.Audience["digest"] != "technical" || !strings.Contains(fmt.Sprint(payload.Audience["text"]), "pg-03") {
		t.Errorf("webhook audience fields: %v", payload.Audience)
	}
	if payload.Notice["kind"] != "new" || payload.Notice["id"] != hk[0].Header.Get("X-Herald-Notice") || payload.Page["url"] != "https://status.acme.example/" {
		t.Errorf("webhook notice %v page %v", payload.Notice, payload.Page)
	}
	for k, v := range payload.Incident {
		if bytes.Contains(v, []byte("pg-03")) {
			t.Errorf("the incident's public shape carries the IT team's block in %q", k)
		}
	}

	// Run 2, a new milestone: the recipient who replied STOP is not
	// asked again; the invalid number fails again.
	writeFiles(t, dir, map[string]string{
		"content/incidents/checkout-down/2026-11-27T1430Z.md": "---\nat: 2026-11-27T14:30:00Z\nstatus: identified\n---\n\nA bad deploy; we are rolling it back.\n",
	})
	code, out = notifyAt("2026-11-27T14:35:00Z")
	if code != 1 {
		t.Fatalf("herald notify exited %d, want 1:\n%s", code, out)
	}
	wantSummary(t, out, eachRun)
	if n := tw.Count(stop); n != 1 {
		t.Errorf("%d requests for the recipient who replied STOP, want 1", n)
	}

	// Run 3, nothing new: nothing sent, success.
	if code, out = notifyAt("2026-11-27T14:36:00Z"); code != 0 || !strings.Contains(out, "0 notices") {
		t.Errorf("a run with nothing due exited %d:\n%s", code, out)
	}
}

func TestNotifyLiveConfigErrors(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"config.toml": strings.ReplaceAll(liveConfig, "WEBHOOK_URL", "https://hooks.example/herald")})
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"no Twilio credentials", map[string]string{"TWILIO_ACCOUNT_SID": "", "HERALD_WEBHOOK_SECRET": "x"}, "needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"},
		{"no webhook secret", map[string]string{"TWILIO_ACCOUNT_SID": "AC0123", "HERALD_WEBHOOK_SECRET": ""}, "HERALD_WEBHOOK_SECRET"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("TWILIO_AUTH_TOKEN", "0123")
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), []string{"notify", "--source", dir, "--now", "2026-11-27T14:10:00Z"}, &stdout, &stderr)
			if code == 0 || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("exit %d, stderr:\n%s\nwant it to say %q", code, &stderr, tc.want)
			}
		})
	}
}

const liveConfig = `
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
recipients = "recipients/end-users.csv"

[[audiences]]
id = "executives"
digest = "business"
cadence = "1h"
channels = ["call"]
recipients = "recipients/executives.csv"

[[audiences]]
id = "it-team"
digest = "technical"
cadence = "15m"
channels = ["slack", "webhook"]

[notify]
sms = "twilio"
call = "twilio"
slack = "http"
webhook = "http"
sms_from = "+15550100100"
webhook_url = "WEBHOOK_URL"

[notify.rate]
sms = 10
`

// liveFake writes down what a fake Slack or webhook receiver received.
type liveFake struct {
	srv *httptest.Server
	mu  sync.Mutex
	req []liveRequest
}

type liveRequest struct {
	Path   string
	Header http.Header
	Body   []byte
	At     time.Time
}

func (f *liveFake) add(r liveRequest) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.req = append(f.req, r)
}

func (f *liveFake) all() []liveRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]liveRequest(nil), f.req...)
}

// writeFiles writes files under dir, by slash-separated name.
func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		write(t, filepath.Join(dir, filepath.FromSlash(name)), text)
	}
}

var summaryLine = regexp.MustCompile(`(?m)^\s+(\w+)\s+(sent \d+, already sent \d+, suppressed \d+, failed \d+, deferred \d+)$`)

func wantSummary(t testing.TB, out string, want map[string]string) {
	t.Helper()
	got := map[string]string{}
	for _, m := range summaryLine.FindAllStringSubmatch(out, -1) {
		got[m[1]] = m[2]
	}
	for ch, w := range want {
		if got[ch] != w {
			t.Errorf("summary for %s: %q, want %q\n%s", ch, got[ch], w, out)
		}
	}
}
