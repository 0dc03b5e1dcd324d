package notifytest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// SESFake answers the Amazon SES v2 API's SendEmail (POST
// /v2/email/outbound-emails, REST-JSON) as Amazon does, and keeps what it
// accepted. It fails on demand, by the recipient's local part: "throttle…"
// gets a 429 TooManyRequestsException with Retry-After: 3, "reject…" a 400
// MessageRejected that quotes the address (as SES's sandbox does),
// "paused…" a 400 SendingPausedException, "broken…" a 500.
type SESFake struct {
	URL string // for AWS_ENDPOINT_URL_SESV2 or a client's BaseEndpoint

	mu   sync.Mutex
	sent []SESEmail
}

// SESEmail is one accepted SendEmail call.
type SESEmail struct {
	To      []string          // Destination.ToAddresses
	Tags    map[string]string // EmailTags
	ConfSet string            // ConfigurationSetName
	Raw     []byte            // Content.Raw.Data: the MIME message
	Auth    string            // the Authorization header (SigV4)
}

// NewSESFake starts a fake closed at the end of the test.
func NewSESFake(tb testing.TB) *SESFake {
	f := &SESFake{}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	tb.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

func (f *SESFake) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v2/email/outbound-emails" {
		sesFail(w, http.StatusNotFound, "NotFoundException", "unknown operation "+r.Method+" "+r.URL.Path)
		return
	}
	var in struct {
		Content struct {
			Raw struct{ Data []byte }
		}
		Destination          struct{ ToAddresses []string }
		EmailTags            []struct{ Name, Value string }
		ConfigurationSetName string
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		sesFail(w, http.StatusBadRequest, "BadRequestException", err.Error())
		return
	}
	if len(in.Content.Raw.Data) == 0 || len(in.Destination.ToAddresses) == 0 {
		sesFail(w, http.StatusBadRequest, "BadRequestException", "no raw content or no destination")
		return
	}
	to := in.Destination.ToAddresses[0]
	switch {
	case strings.HasPrefix(to, "throttle"):
		w.Header().Set("Retry-After", "3")
		sesFail(w, http.StatusTooManyRequests, "TooManyRequestsException", "Maximum sending rate exceeded.")
		return
	case strings.HasPrefix(to, "reject"):
		sesFail(w, http.StatusBadRequest, "MessageRejected", "Email address is not verified. The following identities failed the check in region EU-WEST-1: "+to)
		return
	case strings.HasPrefix(to, "paused"):
		sesFail(w, http.StatusBadRequest, "SendingPausedException", "Sending is paused for this account.")
		return
	case strings.HasPrefix(to, "broken"):
		sesFail(w, http.StatusInternalServerError, "InternalFailure", "We encountered an internal error. Please try again.")
		return
	}
	tags := map[string]string{}
	for _, tg := range in.EmailTags {
		tags[tg.Name] = tg.Value
	}
	f.mu.Lock()
	f.sent = append(f.sent, SESEmail{To: in.Destination.ToAddresses, Tags: tags, ConfSet: in.ConfigurationSetName, Raw: in.Content.Raw.Data, Auth: r.Header.Get("Authorization")})
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"MessageId":"0100018c-herald-fake"}`)
}

func sesFail(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}

// Sent lists the accepted messages in the order they came.
func (f *SESFake) Sent() []SESEmail {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]SESEmail(nil), f.sent...)
}
