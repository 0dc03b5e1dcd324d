package notify_test

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/heraldstatus/herald/notify"
	"github.com/heraldstatus/herald/notify/notifytest"
)

func sesAt(url string) *notify.SES {
	return notify.NewSESFromConfig(aws.Config{
		Region:       "eu-west-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		BaseEndpoint: aws.String(url),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	})
}

func TestSESSendsRawMIME(t *testing.T) {
	f := notifytest.NewSESFake(t)
	s := sesAt(f.URL)
	s.ConfigurationSet = "herald-notices"
	m := email("ses", "ada", "[SEV1 · Identified] Checkout\r\nBcc: victim@example.com — Acme Status")
	m.InReplyTo = "herald.root@status.example.com"
	m.Unsubscribe = []string{"mailto:unsubscribe@example.com", "https://status.example.com/u?r=1"}
	m.OneClick = true
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	sent := f.Sent()
	if len(sent) != 1 {
		t.Fatalf("%d requests, want 1", len(sent))
	}
	got := sent[0]
	if strings.Join(got.To, ",") != m.To {
		t.Errorf("destination %v, want only %s", got.To, m.To)
	}
	if got.ConfSet != "herald-notices" || got.Tags["herald-audience"] != "end-users" || got.Tags["herald-item"] != "checkout-down" {
		t.Errorf("configuration set %q, tags %v", got.ConfSet, got.Tags)
	}
	if !strings.HasPrefix(got.Auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") || !strings.Contains(got.Auth, "/eu-west-1/ses/aws4_request") {
		t.Errorf("Authorization %q: want a SigV4 signature for ses in eu-west-1", got.Auth)
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(got.Raw)))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Subject":               "[SEV1 · Identified] Checkout Bcc: victim@example.com — Acme Status",
		"Message-Id":            "<" + m.MessageID + ">",
		"In-Reply-To":           "<herald.root@status.example.com>",
		"References":            "<herald.root@status.example.com>",
		"List-Unsubscribe":      "<mailto:unsubscribe@example.com>, <https://status.example.com/u?r=1>",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"Bcc":                   "",
	}
	for k, v := range want {
		g := msg.Header.Get(k)
		if k == "Subject" {
			g = subject
		}
		if g != v {
			t.Errorf("%s: %q, want %q", k, g, v)
		}
	}
	if to, err := mail.ParseAddress(msg.Header.Get("To")); err != nil || to.Address != m.To {
		t.Errorf("To %q (%v)", msg.Header.Get("To"), err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v), want multipart/alternative", msg.Header.Get("Content-Type"), err)
	}
	var types []string
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		types = append(types, ct)
	}
	if strings.Join(types, ",") != "text/plain,text/html" {
		t.Errorf("parts %v, want text/plain then text/html", types)
	}
}

func TestSESFaults(t *testing.T) {
	f := notifytest.NewSESFake(t)
	s := sesAt(f.URL)
	tests := []struct {
		who       string
		permanent string        // the PermanentError's code; "" means transient
		after     time.Duration // a RetryAfterError's wait
	}{
		{who: "throttle", after: 3 * time.Second},
		{who: "reject", permanent: "ses MessageRejected"},
		{who: "paused", permanent: "ses SendingPausedException"},
		{who: "broken"},
	}
	for _, tt := range tests {
		t.Run(tt.who, func(t *testing.T) {
			m := email("ses", tt.who, "Subject")
			err := s.Send(context.Background(), m)
			if err == nil {
				t.Fatal("no error")
			}
			t.Logf("%v", err)
			if strings.Contains(err.Error(), m.To) || strings.Contains(err.Error(), tt.who+"-ses") {
				t.Errorf("error %q shows the address", err)
			}
			var perm *notify.PermanentError
			switch {
			case tt.permanent != "":
				if !errors.As(err, &perm) || perm.Code != tt.permanent {
					t.Errorf("%v (%T), want a permanent failure %s", err, err, tt.permanent)
				}
			case notify.IsPermanent(err):
				t.Errorf("%v is permanent, want transient", err)
			}
			var ra *notify.RetryAfterError
			if errors.As(err, &ra) != (tt.after > 0) || tt.after > 0 && ra.After != tt.after {
				t.Errorf("%v: want a retry after %s", err, tt.after)
			}
		})
	}
}

// TestSESStandardChain: NewSES finds credentials, region and endpoint in
// the environment (AWS_ENDPOINT_URL_SESV2), as the command's driver does.
func TestSESStandardChain(t *testing.T) {
	f := notifytest.NewSESFake(t)
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "AKIDCHAIN", "AWS_SECRET_ACCESS_KEY": "secret", "AWS_REGION": "eu-central-1",
		"AWS_ENDPOINT_URL_SESV2": f.URL, "AWS_EC2_METADATA_DISABLED": "true",
		"AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull, "AWS_PROFILE": "", "AWS_ENDPOINT_URL": "",
	} {
		t.Setenv(k, v)
	}
	s, err := notify.NewSES(context.Background(), notify.SESOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), email("chain", "ada", "Hello")); err != nil {
		t.Fatal(err)
	}
	sent := f.Sent()
	if len(sent) != 1 || !strings.Contains(sent[0].Auth, "Credential=AKIDCHAIN/") || !strings.Contains(sent[0].Auth, "/eu-central-1/ses/") {
		t.Fatalf("requests %+v: want one, signed with the environment's key for eu-central-1", sent)
	}

	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	if _, err := notify.NewSES(context.Background(), notify.SESOptions{}); err == nil || !strings.Contains(err.Error(), "no AWS credentials") {
		t.Errorf("without credentials: %v, want an error that says so", err)
	}
}
