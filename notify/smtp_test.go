package notify_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/heraldstatus/herald/notify"
	"github.com/heraldstatus/herald/notify/notifytest"
)

func TestParseSMTPURL(t *testing.T) {
	const secret = "pa55/word+x"
	tests := []struct {
		url  string
		want notify.SMTPOptions
		err  string // a part of the error; "" means none
	}{
		{url: "smtp://user:pa55%2Fword+x@mail.example.com:587",
			want: notify.SMTPOptions{Host: "mail.example.com", Port: 587, Security: notify.StartTLS, Username: "user", Password: secret}},
		{url: "smtp://mail.example.com", want: notify.SMTPOptions{Host: "mail.example.com"}},
		{url: "smtps://AKIAEXAMPLE:pa55%2Fword+x@email-smtp.eu-west-1.amazonaws.com",
			want: notify.SMTPOptions{Host: "email-smtp.eu-west-1.amazonaws.com", Security: notify.ImplicitTLS, Username: "AKIAEXAMPLE", Password: secret}},
		{url: "smtp://relay:x@relay.internal:25?starttls=optional&auth=login&timeout=5s&conns=2&per_conn=50&ca=/etc/ca.pem",
			want: notify.SMTPOptions{Host: "relay.internal", Port: 25, Security: notify.StartTLSOptional, Username: "relay", Password: "x", Auth: "login", Timeout: 5 * time.Second,
				Conns: 2, PerConn: 50, CAFile: "/etc/ca.pem"}},
		{url: "smtp://127.0.0.1:1025?starttls=off", want: notify.SMTPOptions{Host: "127.0.0.1", Port: 1025, Security: notify.NoTLS}},
		{url: "smtp://[::1]:2525", want: notify.SMTPOptions{Host: "::1", Port: 2525}},

		{url: "http://user:pa55%2Fword@mail.example.com", err: `scheme "http"`},
		{url: "smtp://user:pa55/word@mail.example.com:587", err: "percent-encode"},
		{url: "smtp://user:pa55%2Fword@mail.example.com:587/x", err: "a path after the host"},
		{url: "smtp://user:pa55%2Fword@:587", err: "no host"},
		{url: "smtp://mail.example.com:0", err: "port"},
		{url: "smtp://mail.example.com?starttls=maybe", err: "starttls="},
		{url: "smtps://mail.example.com?starttls=off", err: "implicit TLS"},
		{url: "smtp://mail.example.com?auth=xoauth2", err: "auth="},
		{url: "smtp://mail.example.com?auth=plain", err: "without a user name"},
		{url: "smtp://mail.example.com?timeout=soon", err: "timeout="},
		{url: "smtp://mail.example.com?conns=0", err: "conns="},
		{url: "smtp://mail.example.com?pool=3", err: `unknown parameter "pool"`},
		{url: "smtp://u:%zz@mail.example.com", err: "not a URL"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			got, err := notify.ParseSMTPURL(tt.url)
			if tt.err != "" {
				if err == nil {
					t.Fatalf("no error, want one with %q", tt.err)
				}
				if !strings.Contains(err.Error(), tt.err) {
					t.Errorf("error %q, want it to contain %q", err, tt.err)
				}
				for _, s := range []string{secret, "pa55", "%zz"} {
					if strings.Contains(err.Error(), s) {
						t.Errorf("error %q shows the password", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// email is a message as the composer makes it.
func email(tag, who, subject string) *notify.Message {
	to := who + "-" + tag + "@example.com"
	return &notify.Message{
		Channel: "email", NoticeID: "n-" + who, DeliveryID: "d-" + who, Audience: "end-users", Item: "checkout-down",
		To: to, ToName: "Ada Lindqvist", From: "status@example.com", FromName: "Acme Status",
		Subject: subject, Text: "Checkout is failing for some customers.\n", HTML: "<p>Checkout is <b>failing</b> for some customers.</p>",
		MessageID: "herald.checkout-down.end-users." + who + "." + tag + "@status.example.com",
		Date:      time.Date(2026, 11, 27, 14, 5, 0, 0, time.UTC),
	}
}

func hostPort(tb testing.TB, addr string) (string, int) {
	tb.Helper()
	h, p, err := net.SplitHostPort(addr)
	if err != nil {
		tb.Fatal(err)
	}
	n, _ := strconv.Atoi(p)
	return h, n
}

func newSMTP(tb testing.TB, o notify.SMTPOptions) *notify.SMTP {
	tb.Helper()
	s, err := notify.NewSMTP(o)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// TestSMTPMailpit sends concurrently through one sender, over STARTTLS
// with authentication, and reads back what arrived.
func TestSMTPMailpit(t *testing.T) {
	mp := notifytest.MailpitSTARTTLS(t)
	host, port := hostPort(t, mp.SMTP)
	tag := notifytest.Tag()
	s := newSMTP(t, notify.SMTPOptions{Host: host, Port: port, Username: "herald", Password: "pa55/word+x", CAFile: mp.CA, Conns: 3, PerConn: 7})
	ctx := context.Background()
	if err := s.Check(ctx); err != nil {
		t.Fatal(err)
	}

	const n = 40
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			m := email(tag, fmt.Sprintf("r%02d", i), "[SEV1 · Identified] Checkout errors in the EU — Acme Status")
			if i == 0 {
				m.Subject = "[SEV1 · Identified] Checkout\r\nBcc: victim-" + tag + "@example.com\r\n — Acme Status"
				m.ToName = "Ada\r\nBcc: victim-" + tag + "@example.com"
			}
			if i == 1 {
				m.InReplyTo = "herald.checkout-down.end-users.r01.root@status.example.com"
				m.Unsubscribe = []string{"mailto:unsubscribe@example.com?subject=unsubscribe", "https://status.example.com/unsubscribe?a=end-users&r=abc"}
				m.OneClick = true
			}
			errs <- s.Send(ctx, m)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}

	got := mp.Addressed(t, tag)
	if len(got) != n {
		t.Fatalf("mailpit has %d messages for this test, want %d (one per recipient)", len(got), n)
	}
	byTo := map[string]notifytest.Mail{}
	for _, m := range got {
		if len(m.To) != 1 || len(m.Cc) != 0 || len(m.Bcc) != 0 {
			t.Errorf("message %s: To %v, Cc %v, Bcc %v; want one To and nothing else", m.ID, m.To, m.Cc, m.Bcc)
		}
		for _, a := range append(append(m.To, m.Cc...), m.Bcc...) {
			if strings.HasPrefix(a.Address, "victim") {
				t.Errorf("message %s went to the injected address too", m.ID)
			}
		}
		if len(m.To) > 0 {
			byTo[strings.SplitN(m.To[0].Address, "-", 2)[0]] = m
		}
		if m.Username != "herald" {
			t.Errorf("message %s arrived with SMTP user %q, want herald (authenticated)", m.ID, m.Username)
		}
		if m.From.Address != "status@example.com" || m.From.Name != "Acme Status" {
			t.Errorf("From %+v", m.From)
		}
		if !strings.Contains(m.Text, "failing for some customers") || !strings.Contains(m.HTML, "<b>failing</b>") {
			t.Errorf("message %s lacks its text or HTML part: %q / %q", m.ID, m.Text, m.HTML)
		}
	}
	inj := byTo["r00"]
	if strings.ContainsAny(inj.Subject, "\r\n") || !strings.HasPrefix(inj.Subject, "[SEV1 · Identified] Checkout Bcc: victim") {
		t.Errorf("injected subject arrived as %q", inj.Subject)
	}
	raw := mp.Raw(t, inj.ID)
	head, _, _ := strings.Cut(raw, "\r\n\r\n")
	for _, line := range strings.Split(head, "\r\n") {
		if strings.HasPrefix(strings.ToLower(line), "bcc:") {
			t.Errorf("a Bcc header line arrived: %q", line)
		}
	}

	h := mp.Headers(t, byTo["r01"].ID)
	want := map[string]string{
		"Message-Id":            "<herald.checkout-down.end-users.r01." + tag + "@status.example.com>",
		"In-Reply-To":           "<herald.checkout-down.end-users.r01.root@status.example.com>",
		"References":            "<herald.checkout-down.end-users.r01.root@status.example.com>",
		"List-Unsubscribe":      "<mailto:unsubscribe@example.com?subject=unsubscribe>, <https://status.example.com/unsubscribe?a=end-users&r=abc>",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
	}
	for k, v := range want {
		if got := strings.Join(h[k], "|"); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	if h := mp.Headers(t, byTo["r02"].ID); len(h["In-Reply-To"])+len(h["References"])+len(h["List-Unsubscribe"]) != 0 {
		t.Errorf("a first notice without unsubscribe targets carries threading or unsubscribe headers: %v", h)
	}
}

// TestSMTPSecurity checks what each URL setting does to a real server that
// offers STARTTLS, and that no error shows the password.
func TestSMTPSecurity(t *testing.T) {
	mp := notifytest.MailpitSTARTTLS(t)
	host, port := hostPort(t, mp.SMTP)
	const secret = "pa55/word+x"
	closed := func() int {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		p := l.Addr().(*net.TCPAddr).Port
		l.Close()
		return p
	}()
	tests := []struct {
		name        string
		o           notify.SMTPOptions
		err         string // "" means it sends
		unreachable bool
		user        string // the SMTP user the message arrives with
	}{
		{name: "starttls, trusted", o: notify.SMTPOptions{CAFile: mp.CA, Username: "u1", Password: secret}, user: "u1"},
		{name: "starttls, untrusted certificate", o: notify.SMTPOptions{Username: "u1", Password: secret}, err: "certificate"},
		{name: "starttls optional, untrusted certificate", o: notify.SMTPOptions{Security: notify.StartTLSOptional}, err: "certificate"},
		{name: "in the clear, no password", o: notify.SMTPOptions{Security: notify.NoTLS}},
		{name: "in the clear, password, auto", o: notify.SMTPOptions{Security: notify.NoTLS, Username: "u2", Password: secret}, err: "keep the password secret"},
		{name: "in the clear, password, plain asked for", o: notify.SMTPOptions{Security: notify.NoTLS, Username: "u3", Password: secret, Auth: "plain"}, user: "u3"},
		{name: "starttls, login", o: notify.SMTPOptions{CAFile: mp.CA, Username: "u4", Password: secret, Auth: "login"}, user: "u4"},
		{name: "implicit TLS on a STARTTLS port", o: notify.SMTPOptions{Security: notify.ImplicitTLS, CAFile: mp.CA, Timeout: 2 * time.Second}, err: "tls"},
		{name: "nothing listening", o: notify.SMTPOptions{Port: closed}, err: "refused", unreachable: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tag := notifytest.Tag()
			o := tt.o
			o.Host = host
			if o.Port == 0 {
				o.Port = port
			}
			s := newSMTP(t, o)
			ctx := context.Background()
			checkErr := s.Check(ctx)
			sendErr := s.Send(ctx, email(tag, "sec", "Security"))
			if tt.err == "" {
				if checkErr != nil || sendErr != nil {
					t.Fatalf("check %v, send %v", checkErr, sendErr)
				}
				got := mp.Addressed(t, tag)
				if len(got) != 1 || got[0].Username != tt.user {
					t.Fatalf("arrived %+v, want one message with SMTP user %q", got, tt.user)
				}
				return
			}
			t.Logf("check: %v", checkErr)
			for _, err := range []error{checkErr, sendErr} {
				if err == nil {
					t.Fatalf("no error, want %q", tt.err)
				}
				if !strings.Contains(err.Error(), tt.err) {
					t.Errorf("error %q, want it to contain %q", err, tt.err)
				}
				if strings.Contains(err.Error(), "pa55") || strings.Contains(err.Error(), tag) {
					t.Errorf("error %q shows the password or the address", err)
				}
				if notify.IsPermanent(err) {
					t.Errorf("error %q is permanent; a connection problem is not the recipient's", err)
				}
			}
			if got := notify.IsUnreachable(checkErr); got != tt.unreachable {
				t.Errorf("IsUnreachable(%v) = %v, want %v", checkErr, got, tt.unreachable)
			}
			if n := len(mp.Addressed(t, tag)); n != 0 {
				t.Errorf("%d messages arrived", n)
			}
		})
	}
}

// TestSMTPReplies makes the implicit-TLS server refuse recipients: 5xx is
// permanent, 4xx transient, and the connection carries on afterwards.
func TestSMTPReplies(t *testing.T) {
	mp := notifytest.MailpitTLS(t)
	host, port := hostPort(t, mp.SMTP)
	tag := notifytest.Tag()
	u, err := notify.ParseSMTPURL(fmt.Sprintf("smtps://herald:pa55%%2Fword@%s:%d?ca=%s&conns=1", host, port, mp.CA))
	if err != nil {
		t.Fatal(err)
	}
	s := newSMTP(t, u)
	ctx := context.Background()
	if err := s.Send(ctx, email(tag, "first", "First")); err != nil {
		t.Fatal(err)
	}

	mp.Chaos(t, 550)
	m := email(tag, "rejected", "Rejected")
	err = s.Send(ctx, m)
	var perm *notify.PermanentError
	if !errors.As(err, &perm) || !strings.HasPrefix(perm.Code, "smtp 550") || perm.Suppress {
		t.Fatalf("a 550 gave %v (%T), want a permanent failure with code smtp 550…", err, err)
	}
	t.Logf("550: %v", err)
	if strings.Contains(err.Error(), tag) || strings.Contains(err.Error(), "rejected-") {
		t.Errorf("error %q shows the address", err)
	}

	mp.Chaos(t, 451)
	err = s.Send(ctx, email(tag, "later", "Later"))
	if err == nil || notify.IsPermanent(err) || !strings.Contains(err.Error(), "451") {
		t.Fatalf("a 451 gave %v, want a transient error that names 451", err)
	}
	t.Logf("451: %v", err)
	if strings.Contains(err.Error(), tag) {
		t.Errorf("error %q shows the address", err)
	}

	mp.Chaos(t, 0)
	if err := s.Send(ctx, email(tag, "healed", "Healed")); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range mp.Addressed(t, tag) {
		got = append(got, m.Subject)
	}
	if strings.Join(got, ",") != "First,Healed" {
		t.Errorf("arrived %v, want First and Healed", got)
	}
}

// proxy forwards TCP to target; cut drops every connection, stall makes
// new connections hang.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	stall  bool
	opened int
}

func newProxy(tb testing.TB, target string) *proxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	tb.Cleanup(func() { ln.Close(); p.cut() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			p.conns = append(p.conns, c)
			p.opened++
			stall := p.stall
			p.mu.Unlock()
			if stall {
				continue // held open, never answered
			}
			go func() {
				u, err := net.Dial("tcp", target)
				if err != nil {
					c.Close()
					return
				}
				p.mu.Lock()
				p.conns = append(p.conns, u)
				p.mu.Unlock()
				go func() { _, _ = io.Copy(u, c); u.Close() }()
				_, _ = io.Copy(c, u)
				c.Close()
			}()
		}
	}()
	return p
}

func (p *proxy) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.opened
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// TestSMTPReconnect: a connection the server dropped is replaced without
// the caller noticing; a server that stops answering gives a transient
// error within the timeout.
func TestSMTPReconnect(t *testing.T) {
	mp := notifytest.MailpitSTARTTLS(t)
	p := newProxy(t, mp.SMTP)
	host, port := hostPort(t, p.ln.Addr().String())
	tag := notifytest.Tag()
	s := newSMTP(t, notify.SMTPOptions{Host: host, Port: port, CAFile: mp.CA, Conns: 1, Timeout: time.Second})
	ctx := context.Background()
	for i := range 3 {
		if err := s.Send(ctx, email(tag, fmt.Sprint("a", i), "Before")); err != nil {
			t.Fatal(err)
		}
	}
	if n := p.count(); n != 1 {
		t.Errorf("%d connections for 3 messages, want 1 (reused)", n)
	}
	p.cut()
	if err := s.Send(ctx, email(tag, "b", "After a reset")); err != nil {
		t.Fatalf("after the server dropped the connection: %v", err)
	}
	if n := len(mp.Addressed(t, tag)); n != 4 {
		t.Errorf("%d messages arrived, want 4", n)
	}

	p.mu.Lock()
	p.stall = true
	p.mu.Unlock()
	p.cut()
	start := time.Now()
	err := s.Send(ctx, email(tag, "c", "Stalled"))
	if err == nil || notify.IsPermanent(err) {
		t.Fatalf("a server that stopped answering gave %v, want a transient error", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("took %s with a 1 s timeout", took)
	}
	if !notify.IsUnreachable(s.Check(ctx)) {
		t.Error("a server that times out should count as unreachable")
	}

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.Send(cctx, email(tag, "d", "Cancelled")); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled send gave %v", err)
	}
}
