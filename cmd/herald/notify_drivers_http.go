package main

import (
	"context"
	"errors"
	"net/http"
	"os"
	"time"

	"github.com/heraldstatus/herald/notify"
)

// The http driver posts Slack incoming-webhook messages (to
// HERALD_SLACK_WEBHOOK_URL or HERALD_SLACK_WEBHOOK_URL_<AUDIENCE>) and
// webhooks (to [notify] webhook_url, signed with HERALD_WEBHOOK_SECRET).
func init() {
	liveSenders["http"] = func(_ context.Context, channel string, ns *notifySettings) (notify.Sender, error) {
		if channel == "webhook" && ns.WebhookURL != "" && os.Getenv("HERALD_WEBHOOK_SECRET") == "" {
			return nil, errors.New("[notify] webhook = \"http\" signs every webhook with HERALD_WEBHOOK_SECRET: set it in the environment (a long random secret the receiver also knows)")
		}
		return &notify.HTTP{Client: &http.Client{Timeout: 15 * time.Second}, UserAgent: "herald/" + versionString()}, nil
	}
}
