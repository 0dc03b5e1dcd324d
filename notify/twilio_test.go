package notify_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/heraldstatus/herald/notify"
	"github.com/heraldstatus/herald/notify/notifytest"
)

// Test credentials: the shapes Twilio's are (twilio-go refuses others).
const (
	twilioSID   = "AC0123456789abcdef0123456789abcdef"
	twilioToken = "0123456789abcdef0123456789abcdef"
	twilioMG    = "MG0123456789abcdef0123456789abcdef"
)

// prismURL is the Prism mock of Twilio's API that scripts/test starts
// (HERALD_PRISM_URL): it checks every request against Twilio's published
// OpenAPI description and answers a violation with an error.
func prismURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("HERALD_PRISM_URL")
	if u == "" {
		reason := "HERALD_PRISM_URL is not set: run the tests with bash scripts/test, which starts Prism with Twilio's OpenAPI description"
		if os.Getenv("CI") == "true" {
			t.Fatal(reason)
		}
		t.Skip("SKIPPING THE TWILIO API TEST: " + reason)
	}
	return u
}

func newTwilio(t testing.TB, base string, timeout time.Duration) *notify.Twilio {
	t.Helper()
	tw, err := notify.NewTwilio(twilioSID, twilioToken, notify.TwilioOptions{BaseURL: base, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	return tw
}

const testTwiML = `<?xml version="1.0" encoding="UTF-8"?><Response><Say voice="alice">This is Acme Status. SEV1 incident. Checkout is down. Status: Investigating.</Say></Response>`

// TestTwilioPrism sends through the real twilio-go client to a server that
// validates each request against Twilio's API description.
func TestTwilioPrism(t *testing.T) {
	tw := newTwilio(t, prismURL(t), 30*time.Second)
	sms := "[SEV1 · Investigating] Checkout is down. Card payments fail for every merchant. https://status.acme.example/incidents/checkout-down/"
	for _, tc := range []struct {
		name string
		m    notify.Message
	}{
		{"sms from a number", notify.Message{Channel: "sms", To: "+15550100142", From: "+15550100100", Body: sms}},
		{"sms through a messaging service", notify.Message{Channel: "sms", To: "+15550100142", From: twilioMG, Body: sms}},
		{"call reading TwiML", notify.Message{Channel: "call", To: "+15550100201", From: "+15550100100", Body: testTwiML}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tw.Send(t.Context(), &tc.m); err != nil {
				t.Fatalf("Send: %v", err)
			}
		})
	}
	// Validation is on: a request the description forbids (no To) fails,
	// where a mock without --errors would answer 201.
	t.Run("invalid request is refused", func(t *testing.T) {
		for _, ch := range []string{"sms", "call"} {
			m := &notify.Message{Channel: ch, To: "", From: "+15550100100", Body: sms}
			if ch == "call" {
				m.Body = testTwiML
			}
			err := tw.Send(t.Context(), m)
			if err == nil {
				t.Fatalf("%s without To: Prism accepted it; is it running with --errors?", ch)
			}
			if !notify.IsPermanent(err) || !strings.Contains(err.Error(), "HTTP 422") {
				t.Errorf("%s without To: got %v, want a permanent failure with HTTP 422", ch, err)
			}
		}
	})
}

func TestTwilioRequests(t *testing.T) {
	fake := notifytest.NewTwilioFake(t, nil)
	tw := newTwilio(t, fake.URL+"/prefix", 5*time.Second)
	ctx := t.Context()
	for _, m := range []*notify.Message{
		{Channel: "sms", To: "+15550100142", From: "+15550100100", Body: "hello"},
		{Channel: "sms", To: "+15550100143", From: twilioMG, Body: "hello"},
		{Channel: "call", To: "+15550100201", From: "+15550100100", Body: testTwiML},
	} {
		if err := tw.Send(ctx, m); err != nil {
			t.Fatalf("%s: %v", m.Channel, err)
		}
	}
	reqs := fake.Requests()
	if len(reqs) != 3 {
		t.Fatalf("%d requests, want 3", len(reqs))
	}
	msgs := "/prefix/2010-04-01/Accounts/" + twilioSID + "/Messages.json"
	calls := "/prefix/2010-04-01/Accounts/" + twilioSID + "/Calls.json"
	want := []struct {
		path string
		form url.Values
	}{
		{msgs, url.Values{"To": {"+15550100142"}, "From": {"+15550100100"}, "Body": {"hello"}}},
		{msgs, url.Values{"To": {"+15550100143"}, "MessagingServiceSid": {twilioMG}, "Body": {"hello"}}},
		{calls, url.Values{"To": {"+15550100201"}, "From": {"+15550100100"}, "Twiml": {testTwiML}}},
	}
	for i, w := range want {
		got := reqs[i]
		if got.Path != w.path || got.User != twilioSID || got.Form.Encode() != w.form.Encode() {
			t.Errorf("request %d: %s as %q with %v; want %s with %v", i, got.Path, got.User, got.Form, w.path, w.form)
		}
	}
}

func TestTwilioErrors(t *testing.T) {
	const number = "+15550100142"
	type want struct {
		permanent, suppress bool
		code                string
		retryAfter          time.Duration
	}
	for _, tc := range []struct {
		name   string
		answer func(w http.ResponseWriter, r *http.Request)
		want   want
	}{
		{"21211 invalid number", func(w http.ResponseWriter, r *http.Request) {
			notifytest.TwilioFails(w, 400, 21211, "The 'To' number "+number+" is not a valid phone number.")
		}, want{permanent: true, code: "21211"}},
		{"21610 unsubscribed", func(w http.ResponseWriter, r *http.Request) {
			notifytest.TwilioFails(w, 400, 21610, "Attempt to send to unsubscribed recipient")
		}, want{permanent: true, suppress: true, code: "21610"}},
		{"21614 not a mobile number", func(w http.ResponseWriter, r *http.Request) {
			notifytest.TwilioFails(w, 400, 21614, "'To' number (555) 010-0142 is not a valid mobile number")
		}, want{permanent: true, code: "21614"}},
		{"other rejection", func(w http.ResponseWriter, r *http.Request) {
			notifytest.TwilioFails(w, 400, 21408, "Permission to send an SMS has not been enabled for the region indicated by the 'To' number: "+number)
		}, want{permanent: true, code: "21408"}},
		{"429 with Retry-After", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "7")
			notifytest.TwilioFails(w, 429, 20429, "Too Many Requests")
		}, want{retryAfter: 7 * time.Second}},
		{"429 without a body", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "2")
			w.WriteHeader(429)
		}, want{retryAfter: 2 * time.Second}},
		{"500 in HTML", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(500)
			io.WriteString(w, "<html>oops</html>")
		}, want{}},
		{"503 in JSON", func(w http.ResponseWriter, r *http.Request) {
			notifytest.TwilioFails(w, 503, 20503, "Service Unavailable")
		}, want{}},
		{"401 wrong credentials", func(w http.ResponseWriter, r *http.Request) {
			notifytest.TwilioFails(w, 401, 20003, "Authenticate")
		}, want{}},
		{"timeout", notifytest.Hang, want{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := notifytest.NewTwilioFake(t, func(w http.ResponseWriter, r *http.Request, to string, n int) { tc.answer(w, r) })
			timeout := 10 * time.Second // an answer always comes in time...
			if tc.name == "timeout" {
				timeout = 200 * time.Millisecond // ...but this one
			}
			tw := newTwilio(t, fake.URL, timeout)
			m := &notify.Message{Channel: "sms", To: number, From: "+15550100100", Body: "hello"}
			err := tw.Send(t.Context(), m)
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if s := err.Error(); strings.Contains(s, "5550100142") || strings.Contains(s, "010-0142") {
				t.Errorf("the error shows the number: %s", s)
			}
			var perm *notify.PermanentError
			isPerm := errors.As(err, &perm)
			if isPerm != tc.want.permanent {
				t.Fatalf("permanent = %v, want %v: %v", isPerm, tc.want.permanent, err)
			}
			if isPerm && (perm.Code != tc.want.code || perm.Suppress != tc.want.suppress) {
				t.Errorf("got code %q suppress %v, want %q %v: %v", perm.Code, perm.Suppress, tc.want.code, tc.want.suppress, err)
			}
			var ra *notify.RetryAfterError
			if errors.As(err, &ra) != (tc.want.retryAfter > 0) || (ra != nil && ra.After != tc.want.retryAfter) {
				t.Errorf("retry after: got %v, want %v", err, tc.want.retryAfter)
			}
			t.Logf("%v", err)
		})
	}
}

// TestTwilioCancel: a run that is stopped does not wait for Twilio.
func TestTwilioCancel(t *testing.T) {
	fake := notifytest.NewTwilioFake(t, func(w http.ResponseWriter, r *http.Request, to string, n int) { notifytest.Hang(w, r) })
	tw := newTwilio(t, fake.URL, time.Minute)
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		for fake.Count("+15550100142") == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	err := tw.Send(ctx, &notify.Message{Channel: "sms", To: "+15550100142", From: "+15550100100", Body: "hello"})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestNewTwilioChecks(t *testing.T) {
	for _, tc := range []struct{ sid, token, base string }{
		{"", twilioToken, ""},
		{twilioSID, "to-ken", ""},
		{twilioSID, twilioToken, "ftp://example.com"},
		{twilioSID, twilioToken, "localhost:4010"},
	} {
		if _, err := notify.NewTwilio(tc.sid, tc.token, notify.TwilioOptions{BaseURL: tc.base}); err == nil {
			t.Errorf("NewTwilio(%q, %q, %q) accepted", tc.sid, tc.token, tc.base)
		}
	}
}
