package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/heraldstatus/herald/notify"
)

// The twilio driver sends SMS and calls. Credentials come from the
// environment only: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN.
// HERALD_TWILIO_BASE_URL points it elsewhere than https://api.twilio.com
// (a mock in tests, a proxy).
func init() {
	liveSenders["twilio"] = func(_ context.Context, channel string, ns *notifySettings) (notify.Sender, error) {
		sid, token := os.Getenv("TWILIO_ACCOUNT_SID"), os.Getenv("TWILIO_AUTH_TOKEN")
		if sid == "" || token == "" {
			return nil, fmt.Errorf("[notify] %s = \"twilio\" needs TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN in the environment", channel)
		}
		switch {
		case ns.SMSFrom == "":
			return nil, errors.New("config.toml: [notify] sms_from is required by the twilio driver (a number such as \"+15550100100\", or a messaging service SID \"MG…\" for SMS)")
		case channel == "call" && strings.HasPrefix(ns.SMSFrom, "MG"):
			return nil, fmt.Errorf("config.toml: [notify] sms_from = %q is a messaging service, which cannot place calls: use a number, or set call = \"outbox\"", ns.SMSFrom)
		}
		return notify.NewTwilio(sid, token, notify.TwilioOptions{BaseURL: os.Getenv("HERALD_TWILIO_BASE_URL")})
	}
}
