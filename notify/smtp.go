package notify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	mail "github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
)

// SMTPSecurity is how an SMTP connection is protected.
type SMTPSecurity int

const (
	// StartTLS upgrades the connection with STARTTLS and refuses a server
	// that does not offer it (smtp://, the default; port 587).
	StartTLS SMTPSecurity = iota
	// StartTLSOptional upgrades when the server offers STARTTLS and sends
	// in the clear otherwise (smtp://…?starttls=optional). Passwords never
	// go out in the clear unless auth=plain or auth=login says so.
	StartTLSOptional
	// NoTLS never encrypts (smtp://…?starttls=off): a relay on localhost.
	NoTLS
	// ImplicitTLS speaks TLS from the first byte (smtps://, port 465).
	ImplicitTLS
)

// SMTPOptions configure an SMTP sender. ParseSMTPURL builds them from a
// URL such as smtp://user:pass@host:587.
type SMTPOptions struct {
	Host     string
	Port     int // 0: 587, or 465 with ImplicitTLS
	Security SMTPSecurity
	Username string // empty: no authentication
	Password string
	// Auth is the mechanism: "" or "auto" picks the strongest the server
	// offers (SCRAM, CRAM-MD5, PLAIN, LOGIN; never PLAIN or LOGIN without
	// TLS); "plain", "login" and "cram-md5" insist on one.
	Auth string
	// Timeout bounds the dial and each SMTP command; 0 means 30 s.
	Timeout time.Duration
	// Conns is how many connections may be open at once; Send calls beyond
	// it wait for one. 0 means 4.
	Conns int
	// PerConn is how many messages one connection carries before it is
	// closed and another opened (servers limit it); 0 means 100.
	PerConn int
	// CAFile names PEM certificates to trust instead of the system's roots
	// (a private relay's CA).
	CAFile string
	// TLSConfig, when set, overrides CAFile and the defaults (tests).
	TLSConfig *tls.Config
}

var smtpParams = []string{"starttls", "auth", "timeout", "conns", "per_conn", "ca"}

// ParseSMTPURL reads smtp://user:pass@host:587 (STARTTLS required) or
// smtps://user:pass@host:465 (implicit TLS). The query may say
// starttls=optional|off, auth=auto|plain|login|cram-md5, timeout=30s,
// conns=4, per_conn=100 and ca=/path/to/ca.pem. The user name and password
// are percent-encoded (an Amazon SES SMTP password's "/" is %2F). No error
// ever shows the password.
func ParseSMTPURL(raw string) (SMTPOptions, error) {
	var o SMTPOptions
	u, err := url.Parse(raw)
	if err != nil {
		// url's errors quote the whole URL, password and all.
		return o, errors.New("not a URL (expected smtp://user:pass@host:587 or smtps://user:pass@host:465; percent-encode / : @ in the user name and password)")
	}
	switch u.Scheme {
	case "smtp":
		o.Security = StartTLS
	case "smtps":
		o.Security = ImplicitTLS
	default:
		return o, fmt.Errorf("scheme %q (expected smtp:// with STARTTLS or smtps:// with implicit TLS)", u.Scheme)
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return o, errors.New("no host (expected smtp://user:pass@host:587)")
	}
	if u.Path != "" && u.Path != "/" {
		return o, errors.New("a path after the host (expected smtp://user:pass@host:587; percent-encode / in the password as %2F)")
	}
	o.Host = u.Hostname()
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return o, fmt.Errorf("port %q (expected a number such as 587 or 465)", p)
		}
		o.Port = n
	}
	if u.User != nil {
		o.Username = u.User.Username()
		o.Password, _ = u.User.Password()
	}
	q := u.Query()
	for k := range q {
		if !slices.Contains(smtpParams, k) {
			return o, fmt.Errorf("unknown parameter %q (expected %s)", k, strings.Join(smtpParams, ", "))
		}
	}
	switch v := q.Get("starttls"); v {
	case "", "required", "on":
	case "optional":
		o.Security = StartTLSOptional
	case "off":
		o.Security = NoTLS
	default:
		return o, fmt.Errorf("starttls=%q (expected optional or off)", v)
	}
	if q.Has("starttls") && u.Scheme == "smtps" {
		return o, errors.New("starttls with smtps:// (implicit TLS needs no STARTTLS; use smtp:// for that)")
	}
	o.Auth = strings.ToLower(q.Get("auth"))
	switch o.Auth {
	case "", "auto", "plain", "login", "cram-md5":
	default:
		return o, fmt.Errorf("auth=%q (expected auto, plain, login or cram-md5)", o.Auth)
	}
	if o.Auth != "" && o.Auth != "auto" && o.Username == "" {
		return o, fmt.Errorf("auth=%s without a user name (expected smtp://user:pass@host)", o.Auth)
	}
	if v := q.Get("timeout"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return o, fmt.Errorf("timeout=%q (expected a duration such as 30s)", v)
		}
		o.Timeout = d
	}
	for k, dst := range map[string]*int{"conns": &o.Conns, "per_conn": &o.PerConn} {
		if v := q.Get(k); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				return o, fmt.Errorf("%s=%q (expected a whole number from 1)", k, v)
			}
			*dst = n
		}
	}
	o.CAFile = q.Get("ca")
	return o, nil
}

// SMTP sends email through an SMTP server (any provider, Amazon SES's SMTP
// interface included). It keeps a few connections open and reuses them
// across messages; Send is safe for concurrent use and reconnects after an
// error. 5xx replies are permanent failures, everything else (4xx,
// timeouts, resets) transient.
type SMTP struct {
	o      SMTPOptions
	client *mail.Client // configuration only: each pooled connection is its own smtp.Client

	slots chan struct{} // one per connection in use

	mu        sync.Mutex
	idle      []*smtpConn
	downUntil time.Time // a dial failed: fail fast until then
	downErr   error
}

type smtpConn struct {
	c    *smtp.Client
	sent int
}

var _ Sender = (*SMTP)(nil)

// NewSMTP makes a sender; it connects on first use (or Check).
func NewSMTP(o SMTPOptions) (*SMTP, error) {
	if o.Port == 0 {
		o.Port = 587
		if o.Security == ImplicitTLS {
			o.Port = 465
		}
	}
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.Conns <= 0 {
		o.Conns = 4
	}
	if o.PerConn <= 0 {
		o.PerConn = 100
	}
	tc := o.TLSConfig
	if tc == nil {
		tc = &tls.Config{ServerName: o.Host, MinVersion: tls.VersionTLS12}
		if o.CAFile != "" {
			pem, err := os.ReadFile(o.CAFile)
			if err != nil {
				return nil, fmt.Errorf("smtp: ca: %w", err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("smtp: ca %s: no PEM certificate in it", o.CAFile)
			}
			tc.RootCAs = pool
		}
	}
	// Four round trips a message (MAIL, RCPT, DATA, the data) instead of
	// go-mail's six: no NOOP before and no RSET after each message. A
	// connection the server closed while idle shows at MAIL FROM instead,
	// and Send retries that once on a new connection.
	opts := []mail.Option{mail.WithPort(o.Port), mail.WithTimeout(o.Timeout), mail.WithTLSConfig(tc), mail.WithoutNoop(), mail.WithoutRset()}
	switch o.Security {
	case StartTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case StartTLSOptional:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	case NoTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case ImplicitTLS:
		opts = append(opts, mail.WithSSL())
	}
	if o.Username != "" {
		clear := o.Security == NoTLS || o.Security == StartTLSOptional
		auth := mail.SMTPAuthAutoDiscover
		switch o.Auth {
		case "plain":
			auth = mail.SMTPAuthPlain
			if clear {
				auth = mail.SMTPAuthPlainNoEnc // asked for twice: no TLS, and PLAIN
			}
		case "login":
			auth = mail.SMTPAuthLogin
			if clear {
				auth = mail.SMTPAuthLoginNoEnc
			}
		case "cram-md5":
			auth = mail.SMTPAuthCramMD5
		}
		opts = append(opts, mail.WithSMTPAuth(auth), mail.WithUsername(o.Username), mail.WithPassword(o.Password))
	}
	c, err := mail.NewClient(o.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp: %w", err)
	}
	return &SMTP{o: o, client: c, slots: make(chan struct{}, o.Conns)}, nil
}

// String names the server, never the credentials.
func (s *SMTP) String() string {
	scheme := "smtp"
	if s.o.Security == ImplicitTLS {
		scheme = "smtps"
	}
	return scheme + "://" + net.JoinHostPort(s.o.Host, strconv.Itoa(s.o.Port))
}

// Check connects and authenticates once, so that a wrong password, a
// server without STARTTLS or an untrusted certificate stops a run before
// anything is claimed. The connection is kept for the first messages.
// IsUnreachable tells a server that is down from one that refused us.
func (s *SMTP) Check(ctx context.Context) error {
	conn, _, err := s.get(ctx)
	if err != nil {
		return s.masked(err, "")
	}
	s.put(conn)
	return nil
}

// IsUnreachable reports whether err (from Check) means the server could
// not be reached or is busy (refused, timed out, no such host, a 4xx
// reply such as 421), rather than that it refused our TLS or credentials.
func IsUnreachable(err error) bool {
	var ne net.Error
	var oe *net.OpError
	var de *net.DNSError
	var te *textproto.Error
	return errors.As(err, &oe) && oe.Op == "dial" || errors.As(err, &de) || errors.As(err, &ne) && ne.Timeout() ||
		errors.As(err, &te) && te.Code >= 400 && te.Code < 500
}

// Send delivers one email message.
func (s *SMTP) Send(ctx context.Context, m *Message) error {
	if m.Channel != "email" {
		return &PermanentError{Code: "channel", Err: fmt.Errorf("smtp: cannot send over channel %q", m.Channel)}
	}
	msg, err := BuildEmail(m)
	if err != nil {
		return err
	}
	for attempt := 0; ; attempt++ {
		conn, reused, err := s.get(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return s.masked(err, m.To)
		}
		stop := context.AfterFunc(ctx, func() { _ = conn.c.Close() })
		err = s.client.SendWithSMTPClient(conn.c, msg)
		cancelled := !stop()
		if err == nil && !cancelled {
			conn.sent++
			s.put(conn)
			return nil
		}
		if cancelled {
			s.drop(conn)
			if err == nil {
				return nil // delivered just before the cancellation
			}
			return ctx.Err()
		}
		var se *mail.SendError
		isSend := errors.As(err, &se)
		if reused && attempt == 0 && isSend && (se.Reason == mail.ErrConnCheck ||
			se.Reason == mail.ErrSMTPMailFrom && (se.ErrorCode() == 0 || se.ErrorCode() == 421)) {
			// An idle connection the server has closed (or is closing,
			// 421): open another.
			s.drop(conn)
			continue
		}
		if isSend && se.Reason == mail.ErrSMTPRcptTo {
			s.put(conn) // go-mail reset the session: the connection is fine
		} else {
			s.drop(conn)
		}
		return smtpError(s, m, err)
	}
}

// smtpError maps a failed send: 5xx replies are permanent, the rest
// transient. The text keeps the server's reply but no address.
func smtpError(s *SMTP, m *Message, err error) error {
	masked := s.masked(err, m.To)
	var se *mail.SendError
	if errors.As(err, &se) && se.Reason != mail.ErrConnCheck {
		if code := se.ErrorCode(); code >= 500 && code < 600 {
			c := strconv.Itoa(code)
			if esc := se.EnhancedStatusCode(); esc != "" {
				c += " " + esc
			}
			return &PermanentError{Code: "smtp " + c, Err: masked}
		}
	}
	return masked
}

// maskedError shows a text without addresses and keeps the error it came
// from for errors.As and errors.Is.
type maskedError struct {
	text string
	err  error
}

func (e *maskedError) Error() string { return e.text }
func (e *maskedError) Unwrap() error { return e.err }

// masked names the server, drops the recipient list and message ID that
// go-mail appends, masks every address, and explains what go-mail's auth
// discovery leaves unsaid.
func (s *SMTP) masked(err error, to string) error {
	text := err.Error()
	for _, cut := range []string{", affected recipient(s):", ", affected message ID:"} {
		if i := strings.Index(text, cut); i >= 0 {
			text = text[:i]
		}
	}
	if errors.Is(err, mail.ErrNoSupportedAuthDiscovered) {
		text += " (without TLS only SCRAM and CRAM-MD5 are used, which keep the password secret; use STARTTLS, or auth=plain to send it in the clear)"
	}
	return &maskedError{text: s.String() + ": " + maskAddresses(text, to), err: err}
}

// get takes a connection: an idle one, or a new one while fewer than Conns
// are in use.
func (s *SMTP) get(ctx context.Context) (*smtpConn, bool, error) {
	select {
	case s.slots <- struct{}{}:
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
	s.mu.Lock()
	if n := len(s.idle); n > 0 {
		c := s.idle[n-1]
		s.idle = s.idle[:n-1]
		s.mu.Unlock()
		return c, true, nil
	}
	if time.Now().Before(s.downUntil) {
		err := s.downErr
		s.mu.Unlock()
		<-s.slots
		return nil, false, err
	}
	s.mu.Unlock()
	c, err := s.client.DialToSMTPClientWithContext(ctx)
	if err != nil {
		if ctx.Err() == nil {
			// Sixteen workers need not each wait out a dead server's
			// timeout: the next second's sends fail at once.
			s.mu.Lock()
			s.downUntil, s.downErr = time.Now().Add(time.Second), err
			s.mu.Unlock()
		}
		<-s.slots
		return nil, false, err
	}
	return &smtpConn{c: c}, false, nil
}

// put returns a healthy connection to the pool.
func (s *SMTP) put(c *smtpConn) {
	if c.sent >= s.o.PerConn {
		_ = c.c.Quit()
		_ = c.c.Close()
	} else {
		s.mu.Lock()
		s.idle = append(s.idle, c)
		s.mu.Unlock()
	}
	<-s.slots
}

// drop closes a connection that failed.
func (s *SMTP) drop(c *smtpConn) {
	_ = c.c.Close()
	<-s.slots
}

// Close says goodbye on the idle connections.
func (s *SMTP) Close() error {
	s.mu.Lock()
	idle := s.idle
	s.idle = nil
	s.mu.Unlock()
	for _, c := range idle {
		_ = c.c.Quit()
		_ = c.c.Close()
	}
	return nil
}

var addressish = regexp.MustCompile(`[^\s<>()\[\],;:"']+@[^\s<>()\[\],;:"']+`)

// maskAddresses hides every address in a provider's message (a reply often
// quotes the recipient), and to itself wherever it appears.
func maskAddresses(s, to string) string {
	if to != "" {
		s = strings.ReplaceAll(s, to, MaskEmail(to))
	}
	return addressish.ReplaceAllStringFunc(s, func(a string) string {
		if strings.Contains(a, "•••@") {
			return a
		}
		return MaskEmail(a)
	})
}
