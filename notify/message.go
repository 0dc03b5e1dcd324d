package notify

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// A Message is one rendered notice for one recipient over one channel:
// what a Sender delivers. Senders never see Markdown or the model.
type Message struct {
	Channel    string // email, sms, call, slack, webhook
	NoticeID   string
	DeliveryID string
	Audience   string
	Item       string // incident or maintenance slug
	To         string // an address, an E.164 number, or an endpoint URL
	ToName     string

	// Email.
	From        string
	FromName    string
	Subject     string
	Text, HTML  string
	MessageID   string // without angle brackets
	InReplyTo   string // the thread's first notice; empty on it
	Unsubscribe []string
	OneClick    bool // List-Unsubscribe-Post: List-Unsubscribe=One-Click
	Date        time.Time

	// SMS and calls: the text, or the TwiML of a call.
	Body string

	// Slack and webhooks: the JSON body and, for webhooks, its signature.
	JSON      []byte
	Signature string
}

// Masked is the recipient as logs and errors may show it.
func (m *Message) Masked() string {
	switch m.Channel {
	case "email":
		return MaskEmail(m.To)
	case "sms", "call":
		return MaskPhone(m.To)
	}
	return m.Audience + " " + m.Channel
}

// A Sender delivers messages over one channel.
type Sender interface {
	Send(ctx context.Context, m *Message) error
}

// PermanentError is a failure that retrying cannot fix: an invalid number,
// a rejected address, a recipient who unsubscribed.
type PermanentError struct {
	Code string
	// Suppress: the recipient asked to hear nothing more on the channel
	// (Twilio 21610, an unsubscribe); later runs skip them.
	Suppress bool
	Err      error
}

func (e *PermanentError) Error() string {
	if e.Code != "" {
		return fmt.Sprintf("permanent failure %s: %v", e.Code, e.Err)
	}
	return "permanent failure: " + e.Err.Error()
}

func (e *PermanentError) Unwrap() error { return e.Err }

// RetryAfterError is a transient failure with the provider's own word on
// when to try again (a 429's Retry-After).
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("retry after %s: %v", e.After, e.Err)
}

func (e *RetryAfterError) Unwrap() error { return e.Err }

// IsPermanent reports whether err is a permanent failure.
func IsPermanent(err error) bool {
	var p *PermanentError
	return errors.As(err, &p)
}
