// Package notifybench measures herald notify's fan-out: one notice to N
// recipients by email and SMS, through the smtp and twilio drivers, against
// in-process counting fakes of an SMTP server and of Twilio's API (they
// answer at once, so the figures are herald's own), with rate limits off.
// It runs the built binary and reports its wall time and peak resident
// memory (the kernel's maxrss of the process):
//
//	bash bench/notify.sh
package notifybench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/heraldstatus/herald/notify/notifytest"
)

const benchConfig = `
title = "Acme Status"
base_url = "https://status.acme.example/"

[[components]]
id = "api"
name = "API"

[[components]]
id = "web"
name = "Website"

[[audiences]]
id = "end-users"
digest = "service"
cadence = "30m"
channels = ["email", "sms"]
recipients = "recipients/end-users.csv"

[notify]
email = "smtp"
sms = "twilio"
from = "status@acme.example"
sms_from = "+15550100100"
unsubscribe_mailto = "unsubscribe@acme.example"
unsubscribe_url = "https://status.acme.example/unsubscribe"
`

const benchIncident = `---
title: Checkout errors in the EU
severity: sev1
components: [api]
started: 2026-11-27T14:00:00Z
---

Since 14:00 UTC, card payments through our EU checkout fail for about 40% of merchants.
`

const benchUpdate = `---
at: 2026-11-27T14:05:00Z
status: identified
eta: 2026-11-27T16:00:00Z
next_update: 2026-11-27T14:35:00Z
---

The checkout service is failing for some EU customers. We are **failing over the database**
to the standby in another zone and expect payments to recover by 16:00 UTC.

- Card payments: about 40% fail
- Refunds: not affected

::: for end-users
Retry a failed payment after a minute; no payment is charged twice.
:::
`

// BenchmarkNotify sends one notice to N recipients, each with an address
// and a number: N emails and N SMS. Memory should not grow with N: the
// recipients file is streamed and the notice rendered once.
func BenchmarkNotify(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "herald")
	if out, err := exec.Command("go", "build", "-o", bin, "github.com/heraldstatus/herald/cmd/herald").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("deliveries=%d", 2*n), func(b *testing.B) {
			site := b.TempDir()
			var csv strings.Builder
			csv.WriteString("name,email,phone,components,channels\n")
			for i := range n {
				fmt.Fprintf(&csv, "User %d,user%06d@example.com,+1555%07d,,\n", i, i, i)
			}
			for name, text := range map[string]string{
				"config.toml":                                       benchConfig,
				"recipients/end-users.csv":                          csv.String(),
				"content/incidents/eu-checkout/incident.md":         benchIncident,
				"content/incidents/eu-checkout/2026-11-27T1405Z.md": benchUpdate,
			} {
				p := filepath.Join(site, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					b.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
					b.Fatal(err)
				}
			}
			sms := notifytest.NewTwilioCounter(b)
			smtp := notifytest.NewSMTPCounter(b)
			env := append(os.Environ(),
				"TWILIO_ACCOUNT_SID=AC0123456789abcdef0123456789abcdef",
				"TWILIO_AUTH_TOKEN=0123456789abcdef0123456789abcdef",
				"HERALD_TWILIO_BASE_URL="+sms.URL,
				"HERALD_SMTP_URL="+smtp.URL("conns=16"),
				"HERALD_RECIPIENT_KEY=0123456789abcdef0123456789abcdef",
			)
			var peak int64
			var wall, cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				if err := os.RemoveAll(filepath.Join(site, ".herald")); err != nil { // a first run, every time
					b.Fatal(err)
				}
				sms.Reset()
				smtp.Reset()
				cmd := exec.Command(bin, "notify", "--source", site, "--now", "2026-11-27T14:10:00Z")
				cmd.Env = env
				b.StartTimer()
				start := time.Now()
				out, err := cmd.CombinedOutput()
				wall += time.Since(start)
				b.StopTimer()
				if err != nil {
					b.Fatalf("herald notify: %v\n%s", err, out)
				}
				if got := sms.Total() + smtp.Total(); got != int64(2*n) {
					b.Fatalf("%d deliveries arrived, want %d:\n%s", got, 2*n, out)
				}
				if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
					peak = max(peak, ru.Maxrss*1024) // KiB on Linux
				}
				cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
				b.StartTimer()
			}
			b.ReportMetric(float64(2*n), "deliveries/op")
			b.ReportMetric(float64(2*n)/(wall.Seconds()/float64(b.N)), "deliveries/s")
			b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}
