package site

import (
	"strings"
	"testing"
)

func TestSMSSegments(t *testing.T) {
	tests := []struct {
		text     string
		encoding string
		segments int
	}{
		{"", "GSM-7", 0},
		{"Checkout is down.", "GSM-7", 1},
		{strings.Repeat("a", 160), "GSM-7", 1},
		{strings.Repeat("a", 161), "GSM-7", 2},
		{strings.Repeat("a", 306), "GSM-7", 2},
		{strings.Repeat("a", 307), "GSM-7", 3},
		{strings.Repeat("€", 80), "GSM-7", 1},       // an escape each: 160 septets
		{strings.Repeat("€", 81), "GSM-7", 2},       // 162
		{strings.Repeat("a", 69) + "😀", "UCS-2", 2}, // a surrogate pair is two units
		{strings.Repeat("ж", 70), "UCS-2", 1},
		{strings.Repeat("ж", 71), "UCS-2", 2},
	}
	for _, tt := range tests {
		enc, n := SMSSegments(tt.text)
		if enc != tt.encoding || n != tt.segments {
			t.Errorf("SMSSegments(%.20q… len %d) = %s, %d; want %s, %d", tt.text, len(tt.text), enc, n, tt.encoding, tt.segments)
		}
	}
}

func TestFoldGSM(t *testing.T) {
	in := "We’re “working” on it – ETA 14:00… • ok"
	got := FoldGSM(in)
	if want := `We're "working" on it - ETA 14:00... - ok`; got != want {
		t.Errorf("FoldGSM = %q, want %q", got, want)
	}
	if enc, _ := SMSSegments(got); enc != "GSM-7" {
		t.Errorf("folded text is %s, want GSM-7", enc)
	}
}
