package notify_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/heraldstatus/herald/notify"
	"github.com/heraldstatus/herald/notify/notifytest"
)

// secretPath stands for the token in a Slack webhook URL: no error may
// show it.
const secretPath = "/services/T000/B000/s3cr3t-t0k3n"

func TestHTTPAnswers(t *testing.T) {
	type want struct {
		ok         bool
		permanent  bool
		code       string
		retryAfter time.Duration
		says       string
	}
	for _, tc := range []struct {
		name    string
		channel string
		answer  func(w http.ResponseWriter, r *http.Request)
		want    want
	}{
		{"slack ok", "slack", text(200, "ok", nil), want{ok: true}},
		{"slack no_service", "slack", text(404, "no_service", nil), want{permanent: true, code: "http-404", says: `"no_service"`}},
		{"slack channel archived", "slack", text(410, "channel_is_archived", nil), want{permanent: true, code: "http-410"}},
		{"slack invalid payload", "slack", text(400, "invalid_payload", nil), want{permanent: true, code: "http-400"}},
		{"slack rate limited", "slack", text(429, "rate_limited", http.Header{"Retry-After": {"30"}}), want{retryAfter: 30 * time.Second}},
		{"slack rollup error", "slack", text(500, "rollup_error", nil), want{says: "HTTP 500"}},
		{"webhook 204", "webhook", text(204, "", nil), want{ok: true}},
		{"webhook 202", "webhook", text(202, "queued", nil), want{ok: true}},
		{"webhook gone", "webhook", text(410, "Gone", nil), want{permanent: true, code: "http-410"}},
		{"webhook busy", "webhook", text(429, "", http.Header{"Retry-After": {time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)}}), want{retryAfter: time.Hour}},
		{"webhook 502", "webhook", text(502, "<html>bad gateway</html>", nil), want{}},
		{"webhook 408", "webhook", text(408, "", nil), want{}},
		{"webhook redirect", "webhook", text(301, "", http.Header{"Location": {"https://elsewhere.example/"}}), want{permanent: true, code: "http-301", says: "redirects are not followed"}},
		{"webhook timeout", "webhook", notifytest.Hang, want{says: "Client.Timeout"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(tc.answer))
			defer srv.Close()
			timeout := 10 * time.Second
			if tc.name == "webhook timeout" {
				timeout = 200 * time.Millisecond
			}
			h := &notify.HTTP{Client: &http.Client{Timeout: timeout}}
			m := &notify.Message{Channel: tc.channel, Audience: "it-team", To: srv.URL + secretPath, JSON: []byte(`{"text":"hi"}`)}
			err := h.Send(t.Context(), m)
			if tc.want.ok {
				if err != nil {
					t.Fatalf("Send: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), srv.URL) {
				t.Errorf("the error shows the endpoint: %v", err)
			}
			var perm *notify.PermanentError
			if errors.As(err, &perm) != tc.want.permanent || (perm != nil && perm.Code != tc.want.code) {
				t.Errorf("got %v, want permanent=%v code %q", err, tc.want.permanent, tc.want.code)
			}
			var ra *notify.RetryAfterError
			if errors.As(err, &ra) != (tc.want.retryAfter > 0) || (ra != nil && (ra.After < tc.want.retryAfter-2*time.Second || ra.After > tc.want.retryAfter)) {
				t.Errorf("got %v, want a retry after %v", err, tc.want.retryAfter)
			}
			if !strings.Contains(err.Error(), tc.want.says) {
				t.Errorf("got %v, want it to say %s", err, tc.want.says)
			}
		})
	}
}

func text(status int, body string, h http.Header) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		for k, v := range h {
			w.Header()[k] = v
		}
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// TestHTTPRequest: what a receiver sees.
func TestHTTPRequest(t *testing.T) {
	var got *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		body, _ = io.ReadAll(r.Body)
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	payload := []byte(`{"notice":{"id":"n1"}}`)
	secret := []byte("webhook-secret")
	m := &notify.Message{Channel: "webhook", Audience: "it-team", NoticeID: "n1", DeliveryID: "d1", To: srv.URL + "/hook",
		JSON: payload, Signature: notify.Sign(secret, payload)}
	if err := (&notify.HTTP{UserAgent: "herald/test"}).Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	if got.Method != "POST" || got.URL.Path != "/hook" || string(body) != string(payload) {
		t.Errorf("got %s %s %s", got.Method, got.URL.Path, body)
	}
	for k, v := range map[string]string{
		"Content-Type": "application/json", "User-Agent": "herald/test",
		"X-Herald-Signature": notify.Sign(secret, body), "X-Herald-Notice": "n1", "X-Herald-Delivery": "d1",
	} {
		if got.Header.Get(k) != v {
			t.Errorf("%s: %q, want %q", k, got.Header.Get(k), v)
		}
	}
	// Slack gets the JSON alone, no herald headers.
	m = &notify.Message{Channel: "slack", Audience: "it-team", To: srv.URL + "/slack", JSON: []byte(`{"text":"hi","blocks":[]}`)}
	if err := (&notify.HTTP{}).Send(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	if got.Header.Get("X-Herald-Signature") != "" || !json.Valid(body) {
		t.Errorf("slack request: signature %q, body %s", got.Header.Get("X-Herald-Signature"), body)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 27, 14, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		v    string
		want time.Duration
	}{
		{"", 0}, {"12", 12 * time.Second}, {"-3", 0}, {"soon", 0},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0},
	} {
		if got := notify.RetryAfter(http.Header{"Retry-After": {tc.v}}, now); got != tc.want {
			t.Errorf("Retry-After %q: %v, want %v", tc.v, got, tc.want)
		}
	}
}
