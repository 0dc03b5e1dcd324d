package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	twilio "github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"
)

// This is the one file that knows twilio-go (STYLE.md: one vendor SDK per
// file).

// Twilio sends SMS and voice calls through Twilio's Programmable Messaging
// and Voice APIs. An SMS goes from m.From, or through the messaging service
// m.From names when it starts with "MG"; a call reads m.Body, TwiML the
// composer rendered.
type Twilio struct {
	accountSID, authToken string
	base                  *url.URL
	timeout               time.Duration
	transport             http.RoundTripper
}

var _ Sender = (*Twilio)(nil)

// TwilioOptions tune a Twilio sender.
type TwilioOptions struct {
	// BaseURL replaces the scheme and host (and prefixes the path) of
	// https://api.twilio.com: a mock, a proxy. twilio-go has no such
	// setting, so the sender's transport rewrites each request.
	BaseURL string
	// Timeout bounds one request; zero means 15 s.
	Timeout time.Duration
	// Transport carries the requests; nil means a clone of
	// http.DefaultTransport that keeps enough idle connections for
	// concurrent sends.
	Transport http.RoundTripper
}

var twilioCredential = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// NewTwilio returns a sender for the account. The credentials come from
// the caller (the command reads TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN).
func NewTwilio(accountSID, authToken string, o TwilioOptions) (*Twilio, error) {
	// twilio-go refuses other characters with an error per request; say it
	// once, before anything is sent.
	if !twilioCredential.MatchString(accountSID) || !twilioCredential.MatchString(authToken) {
		return nil, errors.New("twilio: the account SID and auth token must be non-empty and letters and digits only")
	}
	t := &Twilio{accountSID: accountSID, authToken: authToken, timeout: o.Timeout, transport: o.Transport}
	if t.timeout <= 0 {
		t.timeout = 15 * time.Second
	}
	if o.BaseURL != "" {
		u, err := url.Parse(o.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("twilio: base URL %q is not an http(s) URL", o.BaseURL)
		}
		t.base = u
	}
	if t.transport == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 64
		t.transport = tr
	}
	return t, nil
}

// Send makes one request to Twilio. Errors never show the number (the
// runner names the recipient, masked): 21610 (the recipient replied STOP) is a permanent failure
// that suppresses the recipient, 21211 (invalid number), 21614 (not a
// mobile number) and other rejections of the request are permanent; 429
// (with its Retry-After), 5xx, timeouts and authentication failures (the
// account's problem, not the recipient's) are transient.
func (t *Twilio) Send(ctx context.Context, m *Message) error {
	ex := &exchange{ctx: ctx, base: t.base, next: t.transport}
	defer ex.close()
	c := &twilio.Client{
		Credentials: twilio.NewCredentials(t.accountSID, t.authToken),
		HTTPClient: &http.Client{
			Transport:     ex,
			Timeout:       t.timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	c.SetAccountSid(t.accountSID)
	svc := api.NewApiServiceWithClient(c)
	// An empty field is left out, for Twilio to judge: it names what is
	// missing.
	set := func(v string, f func(string)) {
		if v != "" {
			f(v)
		}
	}
	var err error
	switch m.Channel {
	case "sms":
		p := &api.CreateMessageParams{}
		set(m.To, func(v string) { p.SetTo(v) })
		set(m.Body, func(v string) { p.SetBody(v) })
		if strings.HasPrefix(m.From, "MG") {
			p.SetMessagingServiceSid(m.From)
		} else {
			set(m.From, func(v string) { p.SetFrom(v) })
		}
		_, err = svc.CreateMessage(p)
	case "call":
		if strings.HasPrefix(m.From, "MG") {
			return &PermanentError{Code: "from", Err: errors.New("twilio: a messaging service cannot place calls; the caller ID must be a number")}
		}
		p := &api.CreateCallParams{}
		set(m.To, func(v string) { p.SetTo(v) })
		set(m.From, func(v string) { p.SetFrom(v) })
		set(m.Body, func(v string) { p.SetTwiml(v) })
		_, err = svc.CreateCall(p)
	default:
		return &PermanentError{Code: "channel", Err: fmt.Errorf("twilio: cannot send over channel %q", m.Channel)}
	}
	if err == nil {
		return nil
	}
	status, header := ex.answer()
	return twilioError(ctx, err, status, header)
}

// twilioError maps what twilio-go returned, and the HTTP answer the
// exchange saw, to herald's failure classes.
func twilioError(ctx context.Context, err error, status int, header http.Header) error {
	const what = "twilio"
	code, msg := 0, ""
	var rest *twilio.TwilioRestError
	var v1 *twilio.RestErrorV1
	switch {
	case errors.As(err, &rest):
		code, msg = rest.Code, rest.Message
		if status == 0 {
			status = rest.Status
		}
	case errors.As(err, &v1):
		code, msg = v1.Code, v1.Message
		if status == 0 {
			status = v1.HttpStatusCode
		}
	case status == 0: // no answer: a timeout, a refused connection, a cancelled run
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", what, ctx.Err())
		}
		return fmt.Errorf("%s: %w", what, withoutURL(err))
	}
	desc := fmt.Sprintf("%s: HTTP %d", what, status)
	if code != 0 {
		desc += fmt.Sprintf(", error %d", code)
	}
	if msg = maskNumbers(msg); msg != "" {
		desc += ": " + msg
	}
	e := errors.New(desc)
	switch {
	case code == 21610:
		return &PermanentError{Code: "21610", Suppress: true, Err: e}
	case code == 21211, code == 21614:
		return &PermanentError{Code: strconv.Itoa(code), Err: e}
	case status == http.StatusTooManyRequests || code == 20429:
		return &RetryAfterError{After: RetryAfter(header, time.Now()), Err: e}
	case status >= 500, status == http.StatusRequestTimeout:
		return e
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		// Wrong or suspended credentials: recording every delivery as
		// failed would lose the notices once the account is fixed.
		return fmt.Errorf("%w (check the account SID and auth token)", e)
	case status >= 400:
		c := strconv.Itoa(code)
		if code == 0 {
			c = "http-" + strconv.Itoa(status)
		}
		return &PermanentError{Code: c, Err: e}
	}
	return e
}

// numberish is anything in a provider's message that may be a phone
// number: Twilio's own say "The 'To' number +1555… is not valid".
var numberish = regexp.MustCompile(`\+?[0-9][0-9 ().-]{5,}[0-9]`)

func maskNumbers(s string) string { return numberish.ReplaceAllString(s, "•••") }

// An exchange is the transport of one Send: it points twilio-go's request
// at the base URL, ties it to the Send's context (twilio-go builds its
// requests with context.Background), and keeps the status and headers of
// the answer (twilio-go's errors drop Retry-After).
type exchange struct {
	ctx  context.Context
	base *url.URL
	next http.RoundTripper

	mu      sync.Mutex
	status  int
	header  http.Header
	release []func()
}

func (x *exchange) RoundTrip(req *http.Request) (*http.Response, error) {
	// Cancelled by the client's timeout (the request's own context) or by
	// the run (the Send's).
	ctx, cancel := context.WithCancel(req.Context())
	stop := context.AfterFunc(x.ctx, cancel)
	x.mu.Lock()
	x.release = append(x.release, func() { stop(); cancel() })
	x.mu.Unlock()
	r := req.Clone(ctx)
	if x.base != nil {
		r.URL.Scheme, r.URL.Host = x.base.Scheme, x.base.Host
		r.URL.Path = strings.TrimSuffix(x.base.Path, "/") + r.URL.Path
		r.URL.RawPath = ""
		r.Host = ""
	}
	resp, err := x.next.RoundTrip(r)
	if resp != nil {
		x.mu.Lock()
		x.status, x.header = resp.StatusCode, resp.Header
		x.mu.Unlock()
	}
	return resp, err
}

func (x *exchange) answer() (int, http.Header) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.status, x.header
}

// close releases the contexts once twilio-go has read the answer. It also
// frees the connection of an error answer, whose body twilio-go reads but
// never closes.
func (x *exchange) close() {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, f := range x.release {
		f()
	}
}
