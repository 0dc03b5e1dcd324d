package notifytest

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// A Counter counts deliveries per recipient, as a server saw them.
type Counter struct {
	mu    sync.Mutex
	per   map[string]int
	total atomic.Int64
}

func (c *Counter) add(to string) {
	c.mu.Lock()
	if c.per == nil {
		c.per = map[string]int{}
	}
	c.per[strings.ToLower(to)]++
	c.mu.Unlock()
	c.total.Add(1)
}

// Total is how many deliveries arrived.
func (c *Counter) Total() int64 { return c.total.Load() }

// PerRecipient returns a copy of the counts, by recipient (lower case).
func (c *Counter) PerRecipient() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.per))
	for k, v := range c.per {
		out[k] = v
	}
	return out
}

// Reset forgets every count.
func (c *Counter) Reset() {
	c.mu.Lock()
	c.per = nil
	c.mu.Unlock()
	c.total.Store(0)
}

// TwilioCounter is a fake of Twilio's REST API that accepts every message
// and call (201, a queued resource) and counts the POSTs per To number.
// It checks nothing else: the SMS tests check requests against Twilio's
// OpenAPI description.
type TwilioCounter struct {
	*httptest.Server
	Counter
	// Delay, when set, is how long each answer takes.
	Delay time.Duration
}

// NewTwilioCounter starts one, closed when tb ends.
func NewTwilioCounter(tb testing.TB) *TwilioCounter {
	tc := &TwilioCounter{}
	tc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		if d := tc.Delay; d > 0 {
			time.Sleep(d)
		}
		tc.add(form.Get("To"))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		kind := "SM"
		if strings.HasSuffix(r.URL.Path, "/Calls.json") {
			kind = "CA"
		}
		fmt.Fprintf(w, `{"sid": "%s%032x", "status": "queued"}`, kind, tc.Total())
	}))
	tb.Cleanup(tc.Close)
	return tc
}

// SMTPCounter is a minimal SMTP server (no TLS, no authentication) that
// accepts every message and counts each one per envelope recipient once
// its DATA is complete: a message cut off mid-way is not counted, as a
// real server would not deliver it.
type SMTPCounter struct {
	Counter
	Addr string // host:port
	ln   net.Listener
	wg   sync.WaitGroup
}

// NewSMTPCounter starts one on a loopback port, closed when tb ends.
func NewSMTPCounter(tb testing.TB) *SMTPCounter {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &SMTPCounter{Addr: ln.Addr().String(), ln: ln}
	s.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Go(func() { s.serve(c) })
		}
	})
	tb.Cleanup(func() { ln.Close() })
	return s
}

// URL is the server as HERALD_SMTP_URL names it.
func (s *SMTPCounter) URL(params string) string {
	u := "smtp://" + s.Addr + "?starttls=off"
	if params != "" {
		u += "&" + params
	}
	return u
}

func (s *SMTPCounter) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	w := bufio.NewWriter(c)
	say := func(line string) bool {
		w.WriteString(line + "\r\n")
		return w.Flush() == nil
	}
	if !say("220 counter ESMTP") {
		return
	}
	var rcpts []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"):
			w.WriteString("250-counter\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n")
			if !say("250 PIPELINING") {
				return
			}
		case strings.HasPrefix(cmd, "HELO"):
			say("250 counter")
		case strings.HasPrefix(cmd, "MAIL FROM:"):
			rcpts = rcpts[:0]
			say("250 OK")
		case strings.HasPrefix(cmd, "RCPT TO:"):
			addr := strings.TrimSpace(line[len("RCPT TO:"):])
			if i := strings.IndexByte(addr, '>'); strings.HasPrefix(addr, "<") && i > 0 {
				addr = addr[1:i]
			}
			rcpts = append(rcpts, addr)
			say("250 OK")
		case cmd == "DATA":
			if !say("354 go ahead") {
				return
			}
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return // cut off: nothing delivered
				}
				if l == ".\r\n" || l == ".\n" {
					break
				}
			}
			for _, to := range rcpts {
				s.add(to)
			}
			rcpts = rcpts[:0]
			say("250 OK queued")
		case cmd == "RSET":
			rcpts = rcpts[:0]
			say("250 OK")
		case cmd == "NOOP":
			say("250 OK")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("502 not implemented")
		}
	}
}

// CountAddressed counts the messages mailpit holds with tag in an address,
// by recipient address (lower case): one listing, no message bodies.
func (m *Mailpit) CountAddressed(tb testing.TB, tag string) map[string]int {
	tb.Helper()
	out := map[string]int{}
	for start := 0; ; {
		var page struct {
			Matched  int `json:"messages_count"` // "count" is this page's
			Messages []struct{ To, Cc, Bcc []Address }
		}
		q := url.Values{"query": {"addressed:" + tag}, "start": {fmt.Sprint(start)}, "limit": {"1000"}}
		m.get(tb, "/api/v1/search?"+q.Encode(), &page)
		for _, msg := range page.Messages {
			for _, a := range append(append(msg.To, msg.Cc...), msg.Bcc...) {
				if strings.Contains(a.Address, tag) {
					out[strings.ToLower(a.Address)]++
				}
			}
		}
		start += len(page.Messages)
		if len(page.Messages) == 0 || start >= page.Matched {
			return out
		}
	}
}
