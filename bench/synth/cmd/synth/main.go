// Command synth writes a synthetic herald source folder for benchmarks and
// for trying herald at scale:
//
//	go run ./bench/synth/cmd/synth -out /tmp/herald-10k -incidents 10000
//	go run ./cmd/herald build --source /tmp/herald-10k --now 2026-11-28T02:00:00Z
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/heraldstatus/herald/bench/synth"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("synth", flag.ContinueOnError)
	fl.SetOutput(stderr)
	out := fl.String("out", "", "folder to write config.toml and content/ into (required; must not hold content/ yet)")
	incidents := fl.Int("incidents", 1000, "number of incidents")
	updates := fl.Int("updates", 5, "average number of updates per incident")
	maintenances := fl.Int("maintenance", 0, "number of maintenance windows (0: one per 20 incidents, at least 3)")
	seed := fl.Uint64("seed", 1, "random seed; the same seed writes the same content")
	now := fl.String("now", synth.DefaultNow.Format(time.RFC3339), "the moment the content is written for (RFC 3339); build with the same --now")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	if *out == "" || fl.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: synth -out DIR [-incidents N] [-updates N] [-maintenance N] [-seed N] [-now TIME]")
		return 2
	}
	t, err := time.Parse(time.RFC3339, *now)
	if err != nil {
		fmt.Fprintf(stderr, "synth: -now %q is not an RFC 3339 time\n", *now)
		return 2
	}
	opts := synth.Options{Incidents: *incidents, UpdatesPerIncident: *updates, Maintenances: *maintenances, Now: t, Seed: *seed}
	if err := synth.Write(*out, opts); err != nil {
		fmt.Fprintln(stderr, "synth:", err)
		return 1
	}
	u := *updates
	if u <= 0 {
		u = 5
	}
	fmt.Fprintf(stdout, "wrote %d incidents with %d updates into %s\n", *incidents, *incidents*u, *out)
	return 0
}
