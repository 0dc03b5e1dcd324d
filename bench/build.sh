#!/usr/bin/env bash
# bench/build.sh measures `herald build` on synthetic content and prints a
# Markdown table: the figures in README.md come from it.
#
#   bash bench/build.sh                    # 1k, 10k and 30k incidents
#   bash bench/build.sh 1000 10000         # other sizes
#   TMPDIR=/dev/shm bash bench/build.sh    # sources and output on tmpfs
#   KEEP=1 bash bench/build.sh             # keep the generated folders
#
# Each size gets 5 updates per incident on average (bench/synth) and is built
# once to warm the page cache. The table then reports two builds: a clean
# one (--clean: every file rendered), and the build after one new update to
# an active incident, which keeps the files the update does not reach (the
# median of five).
# Times and peak memory come from GNU time (/usr/bin/time -v), which the
# script installs from Debian when it is missing and it runs as root.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'bench/build.sh: %s\n' "$*" >&2; }
die() {
	say "$*"
	exit 1
}

NOW=2026-11-28T02:00:00Z # synth.DefaultNow: what the content is written for
UPDATES=5
sizes=("$@")
if [[ ${#sizes[@]} -eq 0 ]]; then
	sizes=(1000 10000 30000)
fi

# ensure_gnu_time makes sure /usr/bin/time is GNU time (with -v).
ensure_gnu_time() {
	if [[ -x /usr/bin/time ]] && /usr/bin/time -v true >/dev/null 2>&1; then
		return
	fi
	[[ $EUID -eq 0 ]] || die "GNU time is missing (install the Debian package time)"
	say "installing GNU time from Debian"
	local apt=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -y -qq)
	"${apt[@]}" install time >&2 || { "${apt[@]}" update >&2 && "${apt[@]}" install time >&2; } ||
		die "could not install GNU time"
}

# seconds turns time's "h:mm:ss" or "m:ss.cc" into seconds.
seconds() {
	awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }' <<<"$1"
}

ensure_gnu_time

work=$(mktemp -d "${TMPDIR:-/tmp}/herald-bench.XXXXXX")
if [[ -z ${KEEP:-} ]]; then
	trap 'rm -rf "$work"' EXIT
else
	say "keeping $work"
fi

say "building herald and synth"
go build -o "$work/herald" ./cmd/herald
go build -o "$work/synth" ./bench/synth/cmd/synth

# measure NAME ARGS... runs herald build ARGS, keeping its output in
# $work/out-NAME and GNU time's report in $work/time-NAME.
measure() {
	local name=$1
	shift
	/usr/bin/time -v -o "$work/time-$name" "$work/herald" build "$@" >"$work/out-$name"
}

# figures NAME prints "wall | CPU | RSS" of a measured run.
figures() {
	local t=$work/time-$1 wall user sys rss
	wall=$(seconds "$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$t")")
	user=$(sed -n 's/.*User time (seconds): //p' "$t")
	sys=$(sed -n 's/.*System time (seconds): //p' "$t")
	rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$t")
	printf '%s | %.1f | %.0f' "$wall" "$(awk "BEGIN { print $user + $sys }")" "$(awk "BEGIN { print $rss / 1024 }")"
}

# active_incident prints the newest incident of $1 with no resolving update.
active_incident() {
	local dir
	for dir in $(find "$1/content/incidents" -mindepth 1 -maxdepth 1 -type d | sort -r); do
		if ! grep -qE '^status( *= *"|: *)resolved' "$dir"/*.md; then
			basename "$dir"
			return
		fi
	done
	die "no active incident in $1"
}

rows=()
for n in "${sizes[@]}"; do
	src=$work/src-$n
	say "writing $n incidents into $src"
	"$work/synth" -out "$src" -incidents "$n" -updates "$UPDATES" -now "$NOW" >/dev/null
	updates=$(find "$src/content/incidents" -name '*.md' ! -name incident.md ! -name review.md | wc -l)
	say "herald build, $n incidents: a first build, to warm the page cache"
	measure "first-$n" --source "$src" --now "$NOW"
	say "herald build --clean, $n incidents: every file rendered"
	measure "clean-$n" --clean --source "$src" --now "$NOW"
	slug=$(active_incident "$src")
	update=$src/content/incidents/$slug/2026-11-28T0158Z.md
	# The build after one new update, five times: the median by wall time
	# is reported. Between two, the update is taken out again and a build
	# (not measured) brings the output back to the state before it.
	for run in 1 2 3 4 5; do
		printf -- '---\nat: 2026-11-28T01:58:00Z\nstatus: monitoring\n---\n\nA fix is in place and we are watching the results.\n' >"$update"
		say "herald build, $n incidents, one new update to $slug, run $run of 5"
		measure "update-$n-$run" --source "$src" --now "$NOW"
		rm "$update"
		"$work/herald" build --source "$src" --now "$NOW" >/dev/null
	done
	median=$(for run in 1 2 3 4 5; do
		echo "$(seconds "$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time-update-$n-$run")") $run"
	done | sort -n | sed -n 3p | cut -d' ' -f2)
	cp "$work/time-update-$n-$median" "$work/time-update-$n"
	cp "$work/out-update-$n-$median" "$work/out-update-$n"
	# "built 1089 public files into … and 6983 digests into … (8050 kept from the last build, 23 written)"
	files=$(sed -nE 's/^built ([0-9]+) public files into .* and ([0-9]+) digests into .*/\1 \2/p' "$work/out-clean-$n" | awk '{ print $1 + $2 }')
	written=$(sed -nE 's/^built .* ([0-9]+) written\)$/\1/p' "$work/out-update-$n")
	rows+=("$(printf '| %s | %s | %s | %s | %s | %s |' "$n" "$updates" "$files" "$(figures "clean-$n")" "$(figures "update-$n")" "$written")")
	[[ -n ${KEEP:-} ]] || rm -rf "$src"
done

fs=$(df -PT "$work" | awk 'NR == 2 { print $2 }')
echo "herald build; $(nproc) CPUs, $(go env GOVERSION), sources and output on $fs"
echo
echo "| incidents | updates | files | clean build: wall s | CPU s | peak RSS MB | after one new update (median of 5): wall s | CPU s | peak RSS MB | files written |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
