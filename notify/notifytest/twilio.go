package notifytest

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// TwilioFake is an in-process Twilio REST API for fault injection: a test
// scripts its answer to each request, by recipient and attempt, and reads
// back every request it received, with its arrival time. It checks
// nothing (the SMS tests check requests against Twilio's OpenAPI
// description).
type TwilioFake struct {
	*httptest.Server
	answer func(w http.ResponseWriter, r *http.Request, to string, n int)

	mu       sync.Mutex
	requests []TwilioRequest
}

// TwilioRequest is one request as the fake received it.
type TwilioRequest struct {
	Path string // /2010-04-01/Accounts/AC…/Messages.json or Calls.json
	Form url.Values
	User string // the basic-auth user: the account SID
	At   time.Time
}

// NewTwilioFake starts one, closed when tb ends. answer answers the n-th
// request (from 1) to the number to; nil accepts everything
// (TwilioCreated).
func NewTwilioFake(tb testing.TB, answer func(w http.ResponseWriter, r *http.Request, to string, n int)) *TwilioFake {
	tb.Helper()
	f := &TwilioFake{answer: answer}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		at := time.Now()
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		user, _, _ := r.BasicAuth()
		to := r.PostForm.Get("To")
		f.mu.Lock()
		f.requests = append(f.requests, TwilioRequest{Path: r.URL.Path, Form: r.PostForm, User: user, At: at})
		n := f.countLocked(to)
		f.mu.Unlock()
		if f.answer == nil {
			TwilioCreated(w, r)
			return
		}
		f.answer(w, r, to, n)
	}))
	tb.Cleanup(f.Close)
	return f
}

// Requests returns the requests received so far, in order of arrival.
func (f *TwilioFake) Requests() []TwilioRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]TwilioRequest(nil), f.requests...)
}

// Count is how many requests went to a number.
func (f *TwilioFake) Count(to string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.countLocked(to)
}

func (f *TwilioFake) countLocked(to string) int {
	n := 0
	for _, q := range f.requests {
		if q.Form.Get("To") == to {
			n++
		}
	}
	return n
}

// TwilioCreated answers as Twilio does to a message or call it accepted.
func TwilioCreated(w http.ResponseWriter, r *http.Request) {
	kind := "SM"
	if strings.HasSuffix(r.URL.Path, "/Calls.json") {
		kind = "CA"
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	fmt.Fprintf(w, `{"sid": "%s0123456789abcdef0123456789abcdef", "status": "queued"}`, kind)
}

// TwilioFails answers with Twilio's error JSON.
func TwilioFails(w http.ResponseWriter, status, code int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"code": %d, "message": %q, "more_info": "https://www.twilio.com/docs/errors/%d", "status": %d}`, code, message, code, status)
}

// Hang answers only once the client gave up (or after 10 s). The server
// notices a client leaving only once it has read the request's body, so
// Hang reads it first.
func Hang(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
	}
}
