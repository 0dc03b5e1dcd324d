package main

import (
	"bytes"
	"fmt"
	"mime"
	"net/mail"
	"os"
	"strings"
	"testing"

	"github.com/heraldstatus/herald/notify/notifytest"
)

// The email tests run herald notify with the smtp driver against mailpit, a
// real SMTP server that scripts/test starts, and read back what arrived
// through its API; and with the ses driver against a fake of the SES v2 API
// that AWS_ENDPOINT_URL_SESV2 points the SDK's standard chain at.

const emailConfig = `
title = "Acme Status"
base_url = "https://status.acme.example/"
timezone = "UTC"

[[components]]
id = "api"
name = "API"

[[audiences]]
id = "executives"
digest = "business"
cadence = "1h"
channels = ["email"]
recipients = "recipients/executives.csv"

[[audiences]]
id = "it-team"
digest = "technical"
cadence = "15m"
channels = ["email"]
recipients = "recipients/it-team.csv"

[[audiences]]
id = "end-users"
digest = "service"
cadence = "30m"
channels = ["email"]
recipients = "recipients/end-users.csv"

[[audiences]]
id = "customers"
digest = "public"
cadence = "as-needed"
channels = ["email"]
recipients = "recipients/customers.csv"

[notify]
email = "DRIVER"
from = "status@acme.example"
from_name = "Acme Status"
unsubscribe_mailto = "unsubscribe@acme.example"
unsubscribe_url = "https://status.acme.example/unsubscribe"
`

// emailSite writes a site whose incident title tries a header injection,
// with one recipient per audience (and a bad row among the end users).
func emailSite(t *testing.T, driver, tag string) (dir string, to map[string]string) {
	t.Helper()
	dir = t.TempDir()
	to = map[string]string{}
	files := map[string]string{
		"config.toml": strings.ReplaceAll(emailConfig, "DRIVER", driver),
		"content/incidents/checkout-down/incident.md": "---\n" +
			`title: "Checkout errors in the EU\r\nBcc: victim-` + tag + `@example.com"` + "\n" +
			"severity: sev1\ncomponents: [api]\nstarted: 2026-11-27T14:00:00Z\n---\n\nCheckout fails for EU merchants.\n",
		"content/incidents/checkout-down/2026-11-27T1405Z.md": "---\nat: 2026-11-27T14:05:00Z\nstatus: investigating\n---\n\n" +
			"Checkout fails for some EU merchants. We are looking into it.\n\n::: for it-team\nPrimary pg-03 lost its volume.\n:::\n",
	}
	for _, a := range []string{"executives", "it-team", "end-users", "customers"} {
		to[a] = a + "-" + tag + "@example.com"
		csv := "name,email,phone\n" + fmt.Sprintf("Person of %s,%s,\n", a, to[a])
		if a == "end-users" {
			csv += "Bad Row,bad-" + tag + "@nowhere,\n"
		}
		files["recipients/"+a+".csv"] = csv
	}
	writeFiles(t, dir, files)
	return dir, to
}

// heraldNotify runs herald notify at now and checks that its output shows
// no address.
func heraldNotify(t *testing.T, dir, now string, addresses map[string]string, tag string) (int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(t.Context(), []string{"notify", "--source", dir, "--now", now}, &stdout, &stderr)
	out := stdout.String() + stderr.String()
	t.Logf("herald notify --now %s: exit %d\n%s", now, code, out)
	for _, a := range addresses {
		if strings.Contains(out, a) {
			t.Errorf("the output shows the address %s", a)
		}
	}
	if strings.Contains(out, "bad-"+tag) || strings.Contains(out, "pa55") {
		t.Errorf("the output shows the bad row's address or the SMTP password:\n%s", out)
	}
	return code, out
}

func TestNotifyEmailMailpit(t *testing.T) {
	mp := notifytest.MailpitSTARTTLS(t)
	tag := notifytest.Tag()
	dir, to := emailSite(t, "smtp", tag)
	// STARTTLS required (the default), PLAIN over it, a password with a
	// character that needs percent-encoding.
	t.Setenv("HERALD_SMTP_URL", "smtp://herald:pa55%2Fword@"+mp.SMTP+"?ca="+mp.CA)

	// Run 1: a new incident; every audience hears.
	code, out := heraldNotify(t, dir, "2026-11-27T14:10:00Z", to, tag)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (a bad recipients row)", code)
	}
	wantSummary(t, out, map[string]string{"email": "sent 4, already sent 0, suppressed 0, failed 0, deferred 0"})
	if !strings.Contains(out, "recipients/end-users.csv:3: email b•••@nowhere is not an address") {
		t.Errorf("the bad row is not reported with its line and masked:\n%s", out)
	}

	// Run 2: the status changes (a milestone); every audience hears again,
	// in the same thread.
	writeFiles(t, dir, map[string]string{"content/incidents/checkout-down/2026-11-27T1440Z.md": "---\nat: 2026-11-27T14:40:00Z\nstatus: identified\n---\n\n" +
		"We found the cause: a failed database volume. Failover is under way.\n"})
	heraldNotify(t, dir, "2026-11-27T14:45:00Z", to, tag)

	// Run 3: a rerun sends nothing.
	_, out = heraldNotify(t, dir, "2026-11-27T14:45:00Z", to, tag)
	if strings.Contains(out, "email    sent") {
		t.Errorf("a rerun sent email:\n%s", out)
	}

	got := mp.Addressed(t, tag)
	if len(got) != 8 {
		t.Fatalf("mailpit holds %d messages for this test, want 8: 4 recipients × 2 notices, one message each", len(got))
	}
	firstID := map[string]string{}
	for _, m := range got {
		h := mp.Headers(t, m.ID)
		if len(m.To) != 1 || len(m.Cc)+len(m.Bcc) != 0 || len(h["Bcc"]) != 0 {
			t.Errorf("message %s: To %v, Cc %v, Bcc %v / %v; want its one recipient and nothing else", m.ID, m.To, m.Cc, m.Bcc, h["Bcc"])
			continue
		}
		audience := strings.TrimSuffix(m.To[0].Address, "-"+tag+"@example.com")
		if to[audience] != m.To[0].Address {
			t.Errorf("message %s to %s: not a recipient of this test", m.ID, m.To[0].Address)
			continue
		}
		status := "Investigating"
		if firstID[audience] != "" {
			status = "Identified"
		}
		t.Run(audience+"/"+status, func(t *testing.T) {
			if m.Username != "herald" {
				t.Errorf("arrived with SMTP user %q, want herald", m.Username)
			}
			if m.From.Name != "Acme Status" || m.From.Address != "status@acme.example" {
				t.Errorf("From %+v", m.From)
			}
			subject := "[SEV1 · " + status + "] Checkout errors in the EU Bcc: victim-" + tag + "@example.com — Acme Status"
			if m.Subject != subject {
				t.Errorf("Subject %q, want %q", m.Subject, subject)
			}
			if raw := strings.Join(h["Subject"], ""); !strings.HasPrefix(raw, "=?") {
				t.Errorf("the Subject header is not encoded: %q", raw)
			}
			if dec, err := new(mime.WordDecoder).DecodeHeader(strings.Join(h["Subject"], "")); err != nil || dec != subject {
				t.Errorf("the Subject header decodes to %q (%v)", dec, err)
			}
			if !strings.Contains(m.Text, "Checkout fails") || !strings.Contains(m.HTML, "Checkout fails") || !strings.Contains(m.HTML, "<") {
				t.Errorf("the text or the HTML part is missing:\ntext: %q\nhtml: %q", m.Text, m.HTML)
			}
			if it := strings.Contains(m.Text, "pg-03"); it != (audience == "it-team") {
				t.Errorf("the IT team's block reaches %s: %v", audience, it)
			}
			msgID := strings.Join(h["Message-Id"], "")
			if _, err := mail.ParseAddress(strings.Trim(msgID, "<>")); !strings.HasPrefix(msgID, "<herald.checkout-down."+audience+".") || err != nil {
				t.Errorf("Message-ID %q", msgID)
			}
			if first := firstID[audience]; first == "" {
				firstID[audience] = msgID
				if len(h["In-Reply-To"])+len(h["References"]) != 0 {
					t.Errorf("the first notice has In-Reply-To %v, References %v", h["In-Reply-To"], h["References"])
				}
			} else {
				if msgID == first {
					t.Errorf("the second notice reuses the first's Message-ID %s", first)
				}
				if strings.Join(h["In-Reply-To"], "") != first || strings.Join(h["References"], "") != first {
					t.Errorf("In-Reply-To %v, References %v; want both %s", h["In-Reply-To"], h["References"], first)
				}
			}
			unsub, post := strings.Join(h["List-Unsubscribe"], ""), strings.Join(h["List-Unsubscribe-Post"], "")
			if audience == "end-users" || audience == "customers" {
				if !strings.HasPrefix(unsub, "<mailto:unsubscribe@acme.example>, <https://status.acme.example/unsubscribe?a="+audience+"&r=") ||
					post != "List-Unsubscribe=One-Click" {
					t.Errorf("List-Unsubscribe %q, List-Unsubscribe-Post %q", unsub, post)
				}
			} else if unsub != "" || post != "" {
				t.Errorf("mail to %s has List-Unsubscribe %q, List-Unsubscribe-Post %q", audience, unsub, post)
			}
			head, _, _ := strings.Cut(mp.Raw(t, m.ID), "\r\n\r\n")
			for _, line := range strings.Split(head, "\r\n") {
				if strings.HasPrefix(strings.ToLower(line), "bcc:") {
					t.Errorf("a Bcc header line arrived: %q", line)
				}
			}
		})
	}
	if len(firstID) != 4 {
		t.Errorf("first notices to %v, want all four audiences", firstID)
	}
}

func TestNotifyEmailConfigErrors(t *testing.T) {
	tag := notifytest.Tag()
	dir, _ := emailSite(t, "smtp", tag)
	tests := []struct {
		name, url, want string
	}{
		{"unset", "", "needs HERALD_SMTP_URL"},
		{"unencoded slash in the password", "smtp://user:pa55/word@mail.example.com:587", "percent-encode"},
		{"unknown parameter", "smtp://user:pa55%2Fword@mail.example.com:587?tls=yes", `unknown parameter "tls"`},
	}
	if os.Getenv("HERALD_MAILPIT_SMTP") != "" || os.Getenv("CI") == "true" {
		mp := notifytest.MailpitSTARTTLS(t)
		tests = append(tests, struct{ name, url, want string }{"untrusted certificate", "smtp://herald:pa55%2Fword@" + mp.SMTP, "certificate"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HERALD_SMTP_URL", tt.url)
			code, out := heraldNotify(t, dir, "2026-11-27T14:10:00Z", nil, tag)
			if code != 2 || !strings.Contains(out, tt.want) {
				t.Errorf("exit %d, output:\n%s\nwant exit 2 and %q", code, out, tt.want)
			}
			if strings.Contains(out, "sent") {
				t.Errorf("something was sent:\n%s", out)
			}
		})
	}
}

func TestNotifyEmailSES(t *testing.T) {
	f := notifytest.NewSESFake(t)
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIDHERALDTEST", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_REGION": "eu-west-1",
		"AWS_ENDPOINT_URL_SESV2": f.URL, "AWS_EC2_METADATA_DISABLED": "true", "AWS_PROFILE": "", "AWS_ENDPOINT_URL": "",
		"AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull, "HERALD_SES_CONFIGURATION_SET": "status-notices",
	} {
		t.Setenv(k, v)
	}
	tag := notifytest.Tag()
	dir, to := emailSite(t, "ses", tag)
	// A customer whose address SES rejects: a permanent failure, masked.
	writeFiles(t, dir, map[string]string{"recipients/customers.csv": "name,email,phone\nA customer," + to["customers"] + ",\nRejected,reject-" + tag + "@example.com,\n"})
	code, out := heraldNotify(t, dir, "2026-11-27T14:10:00Z", to, tag)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	wantSummary(t, out, map[string]string{"email": "sent 4, already sent 0, suppressed 0, failed 1, deferred 0"})
	if strings.Contains(out, "reject-"+tag) || !strings.Contains(out, "r•••@example.com") || !strings.Contains(out, "MessageRejected") {
		t.Errorf("the rejection is not reported, masked:\n%s", out)
	}
	sent := f.Sent()
	if len(sent) != 4 {
		t.Fatalf("SES accepted %d messages, want 4", len(sent))
	}
	for _, s := range sent {
		if len(s.To) != 1 || s.ConfSet != "status-notices" || !strings.Contains(s.Auth, "Credential=AKIDHERALDTEST/") {
			t.Errorf("SendEmail to %v, configuration set %q, Authorization %q", s.To, s.ConfSet, s.Auth)
		}
		m, err := mail.ReadMessage(bytes.NewReader(s.Raw))
		if err != nil {
			t.Fatal(err)
		}
		if m.Header.Get("Bcc") != "" || !strings.HasPrefix(m.Header.Get("Message-Id"), "<herald.checkout-down.") {
			t.Errorf("headers %v", m.Header)
		}
		if to, _ := mail.ParseAddress(m.Header.Get("To")); to == nil || to.Address != s.To[0] {
			t.Errorf("To header %q, destination %v", m.Header.Get("To"), s.To)
		}
	}
	_, out = heraldNotify(t, dir, "2026-11-27T14:10:00Z", to, tag)
	if n := len(f.Sent()); n != 4 {
		t.Errorf("a rerun sent %d more:\n%s", n-4, out)
	}
}
