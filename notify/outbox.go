package notify

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Outbox is the sender with no credentials: every message becomes a file a
// person can open, under Dir/<audience>/<item>/: .eml for email,
// .sms.txt, .call.xml (TwiML), .slack.json and .webhook.json.
type Outbox struct {
	Dir string
}

var _ Sender = (*Outbox)(nil)

func (o *Outbox) Send(ctx context.Context, m *Message) error {
	dir := filepath.Join(o.Dir, m.Audience, m.Item)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	base := filepath.Join(dir, m.DeliveryID)
	switch m.Channel {
	case "email":
		msg, err := BuildEmail(m)
		if err != nil {
			return err
		}
		var b strings.Builder
		if _, err := msg.WriteTo(&b); err != nil {
			return err
		}
		return writeAtomic(base+".eml", []byte(b.String()))
	case "sms":
		return writeAtomic(base+".sms.txt", []byte(fmt.Sprintf("To: %s\nFrom: %s\n\n%s\n", m.To, m.From, m.Body)))
	case "call":
		return writeAtomic(base+".call.xml", []byte(fmt.Sprintf("<!-- call to %s from %s -->\n%s\n", m.To, m.From, m.Body)))
	case "slack":
		return writeAtomic(base+".slack.json", append(m.JSON, '\n'))
	case "webhook":
		return writeAtomic(base+".webhook.json", append(m.JSON, '\n'))
	}
	return &PermanentError{Code: "channel", Err: fmt.Errorf("outbox: unknown channel %q", m.Channel)}
}
