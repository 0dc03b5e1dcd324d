package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// HTTP posts Slack incoming-webhook messages and signed webhooks: m.JSON to
// m.To. Endpoint URLs carry secrets (a Slack webhook URL is a token), so no
// error shows one (the runner names the audience and channel instead).
type HTTP struct {
	// Client carries the requests; nil means one with a 15 s timeout.
	// Whatever the client, redirects are not followed: a POST that is
	// redirected fails permanently and names the status.
	Client    *http.Client
	UserAgent string // "herald" when empty
}

var _ Sender = (*HTTP)(nil)

// Send posts the message once. Slack answers 200 "ok"; a webhook any 2xx.
// 429 (with its Retry-After), 408 and 5xx are transient; other 3xx and 4xx
// (Slack's 404 no_service, 410 channel_is_archived; a webhook's 410 Gone)
// are permanent.
func (h *HTTP) Send(ctx context.Context, m *Message) error {
	if m.Channel != "slack" && m.Channel != "webhook" {
		return &PermanentError{Code: "channel", Err: fmt.Errorf("http: cannot send over channel %q", m.Channel)}
	}
	u, err := url.Parse(m.To)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return &PermanentError{Code: "endpoint", Err: fmt.Errorf("%s: the endpoint is not an http(s) URL", m.Channel)}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.To, bytes.NewReader(m.JSON))
	if err != nil {
		return &PermanentError{Code: "endpoint", Err: fmt.Errorf("%s: %w", m.Channel, withoutURL(err))}
	}
	req.Header.Set("Content-Type", "application/json")
	ua := h.UserAgent
	if ua == "" {
		ua = "herald"
	}
	req.Header.Set("User-Agent", ua)
	if m.Channel == "webhook" {
		req.Header.Set("X-Herald-Signature", m.Signature)
		req.Header.Set("X-Herald-Notice", m.NoticeID)
		req.Header.Set("X-Herald-Delivery", m.DeliveryID)
	}
	c := h.Client
	if c == nil {
		c = &http.Client{Timeout: 15 * time.Second}
	}
	nc := *c // a copy, so the caller's client keeps its own redirect policy
	nc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := nc.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", m.Channel, withoutURL(err))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	return httpOutcome(m, resp.StatusCode, resp.Header, body)
}

// httpOutcome maps a Slack or webhook answer to nil or an error.
func httpOutcome(m *Message, status int, h http.Header, body []byte) error {
	what := fmt.Sprintf("%s: HTTP %d", m.Channel, status)
	if s := answerLine(body); s != "" {
		what += " " + s
	}
	switch {
	case status >= 200 && status < 300:
		return nil
	case status == http.StatusTooManyRequests:
		return &RetryAfterError{After: RetryAfter(h, time.Now()), Err: errors.New(what)}
	case status == http.StatusRequestTimeout || status >= 500:
		return errors.New(what)
	case status >= 300 && status < 400:
		return &PermanentError{Code: "http-" + strconv.Itoa(status), Err: errors.New(what + " (redirects are not followed: configure the final URL)")}
	}
	return &PermanentError{Code: "http-" + strconv.Itoa(status), Err: errors.New(what)}
}

// answerLine is the start of an error answer, for a report: Slack's error
// code ("no_service"), or a receiver's first line, quoted.
func answerLine(body []byte) string {
	s := strings.TrimSpace(string(body))
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if s == "" {
		return ""
	}
	return strconv.Quote(clipText(s, 120))
}

func clipText(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// RetryAfter reads a Retry-After header: seconds or an HTTP date. Zero
// means none (or one in the past).
func RetryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(secs, 0)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// withoutURL drops the URL net/http puts in its errors: endpoint URLs are
// secrets, and Twilio's name the account.
func withoutURL(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s: %w", strings.ToLower(ue.Op), ue.Err)
	}
	return err
}
