package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/heraldstatus/herald/notify"
)

// The smtp driver sends email through any SMTP server, configured by one
// URL in the environment: HERALD_SMTP_URL=smtp://user:pass@host:587
// (STARTTLS required; ?starttls=optional|off relaxes it) or
// smtps://user:pass@host:465 (implicit TLS). The ses driver uses the
// Amazon SES v2 API with AWS's standard chain (credentials, AWS_REGION,
// AWS_ENDPOINT_URL_SESV2) and HERALD_SES_CONFIGURATION_SET.
func init() {
	liveSenders["smtp"] = func(ctx context.Context, channel string, ns *notifySettings) (notify.Sender, error) {
		raw := os.Getenv("HERALD_SMTP_URL")
		if raw == "" {
			return nil, fmt.Errorf("[notify] %s = \"smtp\" needs HERALD_SMTP_URL in the environment: smtp://user:pass@host:587 (STARTTLS) or smtps://user:pass@host:465 (TLS), user name and password percent-encoded", channel)
		}
		o, err := notify.ParseSMTPURL(raw)
		if err != nil {
			return nil, fmt.Errorf("HERALD_SMTP_URL: %w", err)
		}
		if o.Timeout == 0 && ns.SMTPTimeout > 0 {
			o.Timeout = ns.SMTPTimeout
		}
		s, err := notify.NewSMTP(o)
		if err != nil {
			return nil, fmt.Errorf("HERALD_SMTP_URL: %w", err)
		}
		// A wrong password, a missing STARTTLS or an untrusted certificate
		// stops the run before anything is claimed. A server that cannot
		// be reached right now does not: its messages are deferred to a
		// later run, and the other channels go out meanwhile.
		if err := s.Check(ctx); err != nil && !notify.IsUnreachable(err) {
			return nil, fmt.Errorf("HERALD_SMTP_URL: %w", err)
		}
		return s, nil
	}
	liveSenders["ses"] = func(ctx context.Context, channel string, ns *notifySettings) (notify.Sender, error) {
		return notify.NewSES(ctx, notify.SESOptions{ConfigurationSet: os.Getenv("HERALD_SES_CONFIGURATION_SET")})
	}
}

// closeSenders lets senders that hold connections say goodbye.
func closeSenders(senders map[string]notify.Sender) error {
	var errs []error
	for _, s := range senders {
		if c, ok := s.(io.Closer); ok {
			errs = append(errs, c.Close()) // Close may be called more than once
		}
	}
	return errors.Join(errs...)
}
