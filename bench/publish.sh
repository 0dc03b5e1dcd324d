#!/usr/bin/env bash
# bench/publish.sh runs BenchmarkPublish (bench/publish/) through
# scripts/test, which starts the S3 server it needs, and prints its figures
# as a table: requests per publish as the server saw them.
#
#   bash bench/publish.sh                             # 10,000 incidents
#   HERALD_BENCH_INCIDENTS=1000 bash bench/publish.sh
#
# Building the 10,000-incident site twice takes a few minutes on 2 cores.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

out=$(mktemp)
trap 'rm -f "$out"' EXIT
bash scripts/test -run '^$' -bench '^BenchmarkPublish$' -timeout 60m ./bench/publish/ | tee "$out" >&2

awk '
/^BenchmarkPublish\// {
	name = $1; sub(/^BenchmarkPublish\//, "", name); sub(/-[0-9]+$/, "", name)
	delete m
	m["time"] = sprintf("%.2f s", $3 / 1e9)
	for (i = 5; i < NF; i += 2) m[$(i + 1)] = $i
	rows[++n] = sprintf("| %-9s | %6d | %4g | %3g | %4g | %5g | %6g | %7g | %7.1f | %4g | %9s |", name, m["files"],
		m["LIST/op"], m["GET/op"], m["HEAD/op"], m["PUT/op"], m["DELETE/op"], m["uploads/op"], m["MB-sent/op"], m["peak-inflight"], m["time"])
}
END {
	print "| publish   |  files | LIST | GET | HEAD |   PUT | DELETE | uploads | MB sent | peak | time/op   |"
	print "|-----------|-------:|-----:|----:|-----:|------:|-------:|--------:|--------:|-----:|----------:|"
	for (i = 1; i <= n; i++) print rows[i]
}' "$out"
