package notify

import (
	"strings"

	mail "github.com/wneessen/go-mail"
)

// BuildEmail turns an email message into a MIME message: multipart
// text and HTML, threading and unsubscribe headers. Every header value has
// been stripped of CR and LF by the composer, and go-mail encodes the rest.
func BuildEmail(m *Message) (*mail.Msg, error) {
	msg := mail.NewMsg(mail.WithNoDefaultUserAgent())
	if err := msg.FromFormat(headerSafe(m.FromName), headerSafe(m.From)); err != nil {
		return nil, &PermanentError{Code: "from", Err: err}
	}
	if err := msg.AddToFormat(headerSafe(m.ToName), headerSafe(m.To)); err != nil {
		return nil, &PermanentError{Code: "address", Err: errMasked("invalid recipient address " + MaskEmail(m.To))}
	}
	msg.Subject(headerSafe(m.Subject))
	msg.SetMessageIDWithValue(headerSafe(m.MessageID))
	if m.InReplyTo != "" {
		ref := "<" + headerSafe(m.InReplyTo) + ">"
		msg.SetGenHeader(mail.HeaderInReplyTo, ref)
		msg.SetGenHeader(mail.HeaderReferences, ref)
	}
	if len(m.Unsubscribe) > 0 {
		var parts []string
		for _, u := range m.Unsubscribe {
			parts = append(parts, "<"+headerSafe(u)+">")
		}
		msg.SetGenHeaderPreformatted(mail.HeaderListUnsubscribe, strings.Join(parts, ", "))
		if m.OneClick {
			msg.SetGenHeader(mail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
		}
	}
	msg.SetGenHeader(mail.Header("X-Herald-Notice"), headerSafe(m.NoticeID))
	msg.SetGenHeader(mail.Header("Auto-Submitted"), "auto-generated")
	if !m.Date.IsZero() {
		msg.SetDateWithValue(m.Date)
	}
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(mail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

type errMasked string

func (e errMasked) Error() string { return string(e) }
