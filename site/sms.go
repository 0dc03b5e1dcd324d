package site

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf16"
)

// SMS is a text message as it will be sent.
type SMS struct {
	Text     string
	Encoding string // "GSM-7" or "UCS-2"
	Segments int
	// Full is the message before it was cut to fit MaxSMSSegments, and
	// FullSegments its length; equal to Text when nothing was cut.
	Full         string
	FullSegments int
}

// MaxSMSSegments is how long an SMS may grow: two segments.
const MaxSMSSegments = 2

// SMS renders the sms.txt template for d: plain text, folded to GSM-7
// where possible, cut to two segments by shortening the update's words
// (never the link).
func (t *Templates) SMS(d *Digest) (SMS, error) {
	var buf bytes.Buffer
	if err := t.texts["sms.txt"].Execute(&buf, d); err != nil {
		return SMS{}, fmt.Errorf("render sms for %s/%s: %w", d.Audience.ID, d.Slug, err)
	}
	full := FoldGSM(strings.Join(strings.Fields(buf.String()), " "))
	enc, n := SMSSegments(full)
	m := SMS{Text: full, Encoding: enc, Segments: n, Full: full, FullSegments: n}
	if n <= MaxSMSSegments {
		return m, nil
	}
	// Cut words from before the link until it fits.
	link := ""
	body := full
	if d.URL != "" && strings.HasSuffix(full, d.URL) {
		link = " " + d.URL
		body = strings.TrimSpace(strings.TrimSuffix(full, d.URL))
	}
	words := strings.Fields(body)
	for len(words) > 1 {
		words = words[:len(words)-1]
		cand := strings.Join(words, " ") + "..." + link
		if e, k := SMSSegments(cand); k <= MaxSMSSegments {
			m.Text, m.Encoding, m.Segments = cand, e, k
			return m, nil
		}
	}
	m.Text = link
	m.Encoding, m.Segments = SMSSegments(m.Text)
	return m, nil
}

// gsmBasic is the GSM 03.38 default alphabet; gsmExt the characters that
// take an escape and so count twice.
const (
	gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsmExt   = "^{}\\[~]|€\f"
)

var foldGSM = strings.NewReplacer(
	"‘", "'", "’", "'", "‚", "'", "′", "'",
	"“", "\"", "”", "\"", "„", "\"", "″", "\"",
	"–", "-", "—", "-", "‐", "-", "‑", "-", "−", "-",
	"…", "...", "•", "-", "·", "-", "→", "->", "←", "<-",
	"\u00a0", " ", "\u2009", " ", "\u202f", " ", "\u200b", "",
	"×", "x", "\t", " ",
)

// FoldGSM replaces typographic characters that have a plain GSM-7
// equivalent, so that a message stays in GSM-7.
func FoldGSM(s string) string { return foldGSM.Replace(s) }

// SMSSegments tells how a message is encoded and how many segments it
// takes: GSM-7 holds 160 septets in one segment and 153 per part beyond,
// UCS-2 70 and 67 UTF-16 units.
func SMSSegments(s string) (encoding string, segments int) {
	septets := 0
	for _, r := range s {
		switch {
		case strings.ContainsRune(gsmBasic, r):
			septets++
		case strings.ContainsRune(gsmExt, r):
			septets += 2
		default:
			units := len(utf16.Encode([]rune(s)))
			return "UCS-2", parts(units, 70, 67)
		}
	}
	return "GSM-7", parts(septets, 160, 153)
}

func parts(n, single, multi int) int {
	if n == 0 {
		return 0
	}
	if n <= single {
		return 1
	}
	return (n + multi - 1) / multi
}
