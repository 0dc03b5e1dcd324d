package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"
)

// SES sends email through the Amazon SES v2 API: SendEmail with the raw
// MIME message that BuildEmail makes, so mail over SES reads exactly as
// mail over SMTP. The recipient is given as the destination, so nothing in
// the headers can add another.
type SES struct {
	client *sesv2.Client
	// ConfigurationSet, when set, names the SES configuration set (event
	// publishing, dedicated IPs) the messages go through.
	ConfigurationSet string
}

var _ Sender = (*SES)(nil)

// SESOptions configure NewSES. Credentials, region and endpoint come from
// AWS's standard chain (environment, shared config, SSO, IMDS; the
// endpoint from AWS_ENDPOINT_URL_SESV2 or AWS_ENDPOINT_URL).
type SESOptions struct {
	Region           string // empty: the chain's, else us-east-1
	ConfigurationSet string
	Timeout          time.Duration // one API call; 0 means 30 s
}

// NewSES loads AWS's configuration and checks that credentials can be
// found, so a run without them stops before anything is claimed.
func NewSES(ctx context.Context, o SESOptions) (*SES, error) {
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	opts := []func(*config.LoadOptions) error{
		config.WithHTTPClient(awshttp.NewBuildableClient().WithTimeout(timeout)),
		// The Runner retries, with the backoff every channel shares; a
		// second retry loop inside would multiply the attempts.
		config.WithRetryer(func() aws.Retryer { return aws.NopRetryer{} }),
	}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("ses: loading AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return nil, fmt.Errorf("ses: no AWS credentials (expected AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a profile, or an instance role): %w", err)
	}
	s := NewSESFromConfig(cfg)
	s.ConfigurationSet = o.ConfigurationSet
	return s, nil
}

// NewSESFromConfig makes a sender from a loaded AWS configuration.
func NewSESFromConfig(cfg aws.Config) *SES {
	return &SES{client: sesv2.NewFromConfig(cfg)}
}

// Send delivers one email message with SendEmail.
func (s *SES) Send(ctx context.Context, m *Message) error {
	if m.Channel != "email" {
		return &PermanentError{Code: "channel", Err: fmt.Errorf("ses: cannot send over channel %q", m.Channel)}
	}
	msg, err := BuildEmail(m)
	if err != nil {
		return err
	}
	var raw bytes.Buffer
	if _, err := msg.WriteTo(&raw); err != nil {
		return &PermanentError{Code: "mime", Err: fmt.Errorf("ses: writing the message: %w", err)}
	}
	in := &sesv2.SendEmailInput{
		Content:     &types.EmailContent{Raw: &types.RawMessage{Data: raw.Bytes()}},
		Destination: &types.Destination{ToAddresses: []string{m.To}},
		EmailTags: []types.MessageTag{
			{Name: aws.String("herald-audience"), Value: aws.String(m.Audience)},
			{Name: aws.String("herald-item"), Value: aws.String(m.Item)},
		},
	}
	if s.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(s.ConfigurationSet)
	}
	if _, err := s.client.SendEmail(ctx, in); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return sesError(m, err)
	}
	return nil
}

var (
	sesThrottled = []string{"TooManyRequestsException", "Throttling", "ThrottlingException", "LimitExceededException"}
	sesPermanent = []string{"MessageRejected", "MailFromDomainNotVerifiedException", "AccountSuspendedException",
		"SendingPausedException", "BadRequestException", "NotFoundException"}
)

// sesError maps a failed SendEmail: throttling waits and retries; a
// rejected message, an unverified MAIL FROM domain, a suspended or paused
// account, and other 400s are permanent; 5xx, timeouts and credential
// trouble are transient. No address survives in the text.
func sesError(m *Message, err error) error {
	status := 0
	var header http.Header
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
		if re.Response != nil {
			header = re.Response.Header
		}
	}
	code, text := "", err.Error()
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code, text = ae.ErrorCode(), ae.ErrorCode()+": "+ae.ErrorMessage()
	}
	wrapped := fmt.Errorf("ses: %s", maskAddresses(text, m.To))
	switch {
	case slices.Contains(sesThrottled, code) || status == http.StatusTooManyRequests:
		if d := RetryAfter(header, time.Now()); d > 0 {
			return &RetryAfterError{After: d, Err: wrapped}
		}
		return wrapped
	case slices.Contains(sesPermanent, code) || status == http.StatusBadRequest:
		if code == "" {
			code = fmt.Sprint(status)
		} else {
			wrapped = fmt.Errorf("ses: %s", maskAddresses(ae.ErrorMessage(), m.To)) // the code is the PermanentError's
		}
		return &PermanentError{Code: "ses " + code, Err: wrapped}
	}
	return wrapped
}
