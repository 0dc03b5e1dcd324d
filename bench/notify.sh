#!/usr/bin/env bash
# bench/notify.sh runs BenchmarkNotify (bench/notify/): the herald binary
# sends one notice to N recipients by email (smtp driver) and SMS (twilio
# driver), against in-process counting fakes of an SMTP server and of
# Twilio's API, with rate limits off and a fresh ledger folder each run.
# It prints the wall time per run and the binary's peak resident memory
# (the kernel's maxrss), for 2,000 and 20,000 deliveries:
#
#   bash bench/notify.sh
#   HERALD_BENCH_RUNS=5 bash bench/notify.sh
#
# The fakes answer at once, so the figures are herald's own; they share the
# machine's cores with it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

out=$(mktemp)
trap 'rm -f "$out"' EXIT
go test -run '^$' -bench '^BenchmarkNotify$' -benchtime "${HERALD_BENCH_RUNS:-3}x" -timeout 30m ./bench/notify/ | tee "$out" >&2

awk '
/^BenchmarkNotify\// {
	delete m
	for (i = 5; i < NF; i += 2) m[$(i + 1)] = $i
	rows[++n] = sprintf("| %10d | %8.2f s | %12.0f | %7.1f MB |", m["deliveries/op"], $3 / 1e9, m["deliveries/s"], m["peak-MB"])
}
END {
	print "| deliveries |  wall/run  | deliveries/s | peak memory |"
	print "|-----------:|-----------:|-------------:|------------:|"
	for (i = 1; i <= n; i++) print rows[i]
}' "$out"
