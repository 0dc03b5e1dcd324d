package notifytest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// Mailpit is a mailpit server that scripts/test started: an SMTP server
// whose HTTP API reads back what arrived. Tests share it, so each one
// addresses its mail with a Tag of its own and looks only at that.
type Mailpit struct {
	SMTP string // host:port
	API  string // http://host:port
	CA   string // PEM file of the certificate it presents
}

// MailpitSTARTTLS is the instance that offers STARTTLS (and takes mail in
// the clear too). Without it, tb is skipped loudly, or failed under CI=true.
func MailpitSTARTTLS(tb testing.TB) *Mailpit {
	tb.Helper()
	return mailpit(tb, "HERALD_MAILPIT_SMTP", "HERALD_MAILPIT_API")
}

// MailpitTLS is the instance that speaks implicit TLS (smtps) and has
// chaos triggers on: Chaos makes it refuse mail.
func MailpitTLS(tb testing.TB) *Mailpit {
	tb.Helper()
	return mailpit(tb, "HERALD_MAILPIT_SMTPS", "HERALD_MAILPIT_SMTPS_API")
}

func mailpit(tb testing.TB, smtpVar, apiVar string) *Mailpit {
	tb.Helper()
	m := &Mailpit{SMTP: os.Getenv(smtpVar), API: os.Getenv(apiVar), CA: os.Getenv("HERALD_MAILPIT_CA")}
	if m.SMTP == "" || m.API == "" || m.CA == "" {
		missing(tb, fmt.Sprintf("no SMTP server: %s, %s and HERALD_MAILPIT_CA are not set; run the tests with `bash scripts/test`, which starts mailpit", smtpVar, apiVar))
	}
	return m
}

func missing(tb testing.TB, reason string) {
	tb.Helper()
	if os.Getenv("CI") == "true" {
		tb.Fatal(reason)
	}
	tb.Skip("SKIPPED — " + reason)
}

// Tag is a fresh word to put in a test's addresses.
func Tag() string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return "t" + hex.EncodeToString(b[:])
}

// Address is a mailbox as mailpit reports it.
type Address struct {
	Name    string
	Address string
}

// Mail is a message as mailpit parsed it.
type Mail struct {
	ID, MessageID string
	From          Address
	To, Cc, Bcc   []Address
	Subject       string
	Text, HTML    string
	Username      string // the SMTP AUTH user it arrived with
}

// Addressed lists the messages with tag in any To, Cc or Bcc address
// (envelope recipients missing from the headers show up as Bcc), oldest
// first, with their text and HTML parts.
func (m *Mailpit) Addressed(tb testing.TB, tag string) []Mail {
	tb.Helper()
	var out []Mail
	for start := 0; ; {
		var page struct {
			Matched  int `json:"messages_count"` // "count" is this page's
			Messages []Mail
		}
		q := url.Values{"query": {"addressed:" + tag}, "start": {fmt.Sprint(start)}, "limit": {"500"}}
		m.get(tb, "/api/v1/search?"+q.Encode(), &page)
		out = append(out, page.Messages...)
		start += len(page.Messages)
		if len(page.Messages) == 0 || start >= page.Matched {
			break
		}
	}
	// mailpit lists the newest first.
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	for i := range out {
		m.get(tb, "/api/v1/message/"+out[i].ID, &out[i])
	}
	return out
}

// Headers returns a message's headers as they arrived (encoded words and
// all), by name.
func (m *Mailpit) Headers(tb testing.TB, id string) map[string][]string {
	tb.Helper()
	var h map[string][]string
	m.get(tb, "/api/v1/message/"+id+"/headers", &h)
	return h
}

// Raw returns a message's source.
func (m *Mailpit) Raw(tb testing.TB, id string) string {
	tb.Helper()
	return string(m.do(tb, http.MethodGet, "/api/v1/message/"+id+"/raw", nil))
}

// Chaos makes the next SMTP commands fail: at RCPT TO with rcpt (451,
// 550…; 0 lets them pass), with probability 100%. Chaos(tb, 0) heals it,
// as does the end of the test.
func (m *Mailpit) Chaos(tb testing.TB, rcpt int) {
	tb.Helper()
	set := func(code int) {
		p := 100
		if code == 0 {
			code, p = 451, 0
		}
		body, _ := json.Marshal(map[string]any{"Recipient": map[string]int{"ErrorCode": code, "Probability": p}})
		m.do(tb, http.MethodPut, "/api/v1/chaos", body)
	}
	set(rcpt)
	if rcpt != 0 {
		tb.Cleanup(func() { set(0) })
	}
}

func (m *Mailpit) get(tb testing.TB, path string, v any) {
	tb.Helper()
	if err := json.Unmarshal(m.do(tb, http.MethodGet, path, nil), v); err != nil {
		tb.Fatalf("mailpit %s: %v", path, err)
	}
}

func (m *Mailpit) do(tb testing.TB, method, path string, body []byte) []byte {
	tb.Helper()
	req, err := http.NewRequest(method, strings.TrimSuffix(m.API, "/")+path, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c := &http.Client{Timeout: 30 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		tb.Fatalf("mailpit %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		tb.Fatalf("mailpit %s %s: %d %s %v", method, path, resp.StatusCode, b, err)
	}
	return b
}
