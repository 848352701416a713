#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# scale.sh: aisexec with 3, 5, 9 and 16 nodes on this machine (ais-cluster:
# node i binds 127.0.0.i, transport udpu; no root needed). For each cluster
# size:
#   formation  ring formation time: from the first daemon's first log line
#              to the last node's "sync complete" for the first ring with all
#              nodes (hires log timestamps, ms), and the same from the last
#              daemon's first log line (ais-cluster starts the daemons one
#              after another: the first figure includes the start-up of all
#              of them, the second is the last join); also the time from
#              starting the daemons until every node's `aistool members
#              --json` reported that ring (polled every 0.2 s, an upper bound)
#   idle       CPU per daemon over IDLE seconds once the ring has settled
#              (utime + stime from /proc/PID/stat), and its RSS (VmRSS)
#   (a)        one sender on n1, all other nodes receive, SIZE bytes
#   (b)        every node sends at once, SIZE bytes
#   (c)        latency: one sender on n1, one message every LATIV us, LATN
#              messages, p50 / p99 of send -> own delivery
# Every run of (a)-(c) checks (cpgbench) that every node delivered every
# message, per-sender FIFO order and one total order: the "ok" columns.
# The daemons are restarted for every repetition; the table reports medians.
#
# Environment:
#   NODES="3 5 9 16"       cluster sizes
#   DUR=5                  seconds of sending per throughput run
#   SIZE=1024              message size of (a) and (b)
#   LATSIZE=$SIZE          message size of (c)
#   LATN=5000 LATIV=1000   latency: message count and interval (us)
#   IDLE=10                seconds of idle CPU measurement
#   SETTLE=3               seconds after formation before the idle window
#   REPS=1                 repetitions per size (median reported)
#   AIS_BUILD_DIR          aisexec build tree (default: current directory if
#                          it holds exec/aisexec, else the source tree)
#   WORK=/tmp/ais-scale    scratch directory (cluster dirs, raw results)
#   RESULTS=$WORK/scale.results  the medians as RESULT lines (bench/plot.sh)
#   TABLE=$WORK/scale.md   the table (also printed)
# `make bench-scale` in a build tree runs this script.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

ME=scale.sh
NODES=${NODES:-"3 5 9 16"}
DUR=${DUR:-5}
SIZE=${SIZE:-1024}
LATSIZE=${LATSIZE:-$SIZE}
LATN=${LATN:-5000}
LATIV=${LATIV:-1000}
IDLE=${IDLE:-10}
SETTLE=${SETTLE:-3}
REPS=${REPS:-1}
W=${WORK:-/tmp/ais-scale}

for n in $NODES; do
	if ! [[ "$n" =~ ^[0-9]+$ ]] || [ "$n" -lt 2 ] || [ "$n" -gt 64 ]; then die "NODES: sizes 2..64, not '$n'"; fi
done

ais_build_locate cpgbench
export AIS_BUILD_DIR
CPGB=$AIS_BUILD_DIR/bench/cpgbench
CLUSTER=$here/../tools/ais-cluster

commit=$(src_commit)
results_setup scale
PREFIX=scale$$
CLDIR=""
TICK=$(getconf CLK_TCK)

node_run() {
	local i=$1
	shift
	AIS_INSTANCE=${PREFIX}n$i "$@"
}

cleanup() {
	if [ -n "$CLDIR" ] && [ -f "$CLDIR/cluster.env" ]; then
		"$CLUSTER" stop --dir "$CLDIR" --quiet || true
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# ms of the day of a hires log line ("Mon DD HH:MM:SS.mmm ...")
log_ms() { awk '{ split($3, t, /[:.]/); printf "%d\n", ((t[1] * 60 + t[2]) * 60 + t[3]) * 1000 + t[4] }'; }

# formation_ms N: first daemon's first log line to the last node's sync
# completion of the first ring with all N nodes, and the last daemon's first
# log line to that: "FIRST LAST" ("- -" if a log lacks either)
formation_ms() {
	local n=$1 i f ring t0 t1 first="" lstart="" last=""
	for ((i = 1; i <= n; i++)); do
		f=$CLDIR/n$i/aisexec.log
		t0=$(head -n 1 "$f" | log_ms)
		ring=$(sed -n "s/.*\] *notice ring \([0-9]*\/[0-9]*\) formed: $n members.*/\1/p" "$f" | head -n 1)
		[ -n "$ring" ] || { echo - -; return; }
		t1=$(grep -F "sync complete for ring $ring:" "$f" | head -n 1 | log_ms)
		if [ -z "$t0" ] || [ -z "$t1" ]; then echo - -; return; fi
		# a run across midnight
		[ "$t1" -ge "$t0" ] || t1=$((t1 + 86400000))
		if [ -z "$first" ] || [ "$t0" -lt "$first" ]; then first=$t0; fi
		if [ -z "$lstart" ] || [ "$t0" -gt "$lstart" ]; then lstart=$t0; fi
		if [ -z "$last" ] || [ "$t1" -gt "$last" ]; then last=$t1; fi
	done
	echo $((last - first)) $((last - lstart))
}

pids() { local i; for ((i = 1; i <= $1; i++)); do cat "$CLDIR/n$i/ais-cluster.pid"; done; }
# utime + stime in clock ticks of every pid given
cputicks() { local p; for p in "$@"; do awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$p/stat"; done; }
rss_kb() { local p; for p in "$@"; do awk '/^VmRSS:/ { print $2 }' "/proc/$p/status"; done; }
mean() { awk '{ s += $1 } END { if (NR) printf "%.2f\n", s / NR; else print "-" }'; }
maxv() { sort -g | tail -n 1; }

# one cluster size, one repetition: writes RES/N-REP, one line of fields
#  1 form_ms 2 poll_ms 3 cpu_mean_pct 4 cpu_max_pct 5 rss_mean_kb 6 rss_max_kb
#  7 a_msgs_s 8 a_MBps 9 a_ok 10 b_msgs_s 11 b_MBps 12 b_ok 13 p50_us 14 p99_us
#  15 c_ok 16 rss_after_mean_kb 17 rss_after_max_kb 18 form_last_ms
run_size() {
	local n=$1 rep=$2 t0 t1 form form_last poll p c0 c1 cpu i rss rss2 a_m a_mb a_ok b_m b_mb b_ok c50 c99 c_ok
	CLDIR=$W/cluster-$n
	rm -rf "$CLDIR"
	BENCH_N=$n
	t0=$(now_ms)
	"$CLUSTER" start "$n" --dir "$CLDIR" --prefix "$PREFIX" --timestamp hires --timeout 120 --quiet
	t1=$(now_ms)
	poll=$((t1 - t0))
	read -r form form_last < <(formation_ms "$n")
	log "$n nodes, rep $rep: ring formed in $form ms after the first daemon started," \
		"$form_last ms after the last (log), $poll ms (poll)"
	mapfile -t p < <(pids "$n")
	sleep "$SETTLE"
	mapfile -t c0 < <(cputicks "${p[@]}")
	sleep "$IDLE"
	mapfile -t c1 < <(cputicks "${p[@]}")
	cpu=$(for ((i = 0; i < n; i++)); do
		awk -v a="${c0[i]}" -v b="${c1[i]}" -v hz="$TICK" -v s="$IDLE" 'BEGIN { printf "%.3f\n", (b - a) / hz / s * 100 }'
	done)
	rss=$(rss_kb "${p[@]}")
	log "$n nodes, rep $rep: idle CPU per daemon % (mean max): $(mean <<<"$cpu") $(maxv <<<"$cpu"), RSS kB: $(mean <<<"$rss") $(maxv <<<"$rss")"
	read -r a_m a_mb a_ok _ < <(scen_a "$SIZE" "$RES/raw-$n-a-$rep")
	log "$n nodes, rep $rep: (a) $a_m msgs/s $a_mb MB/s ok=$a_ok"
	read -r b_m b_mb _ b_ok _ < <(scen_b "$SIZE" "$RES/raw-$n-b-$rep")
	log "$n nodes, rep $rep: (b) $b_m msgs/s $b_mb MB/s ok=$b_ok"
	read -r c50 _ c99 _ c_ok < <(scen_c "$LATSIZE" "$RES/raw-$n-c-$rep")
	log "$n nodes, rep $rep: (c) p50 $c50 us p99 $c99 us ok=$c_ok"
	rss2=$(rss_kb "${p[@]}")
	echo "$form $poll $(mean <<<"$cpu") $(maxv <<<"$cpu") $(mean <<<"$rss") $(maxv <<<"$rss")" \
		"$a_m $a_mb $a_ok $b_m $b_mb $b_ok $c50 $c99 $c_ok $(mean <<<"$rss2") $(maxv <<<"$rss2") $form_last" >"$RES/$n-$rep"
	"$CLUSTER" stop --dir "$CLDIR" --quiet
	CLDIR=""
}

t_start=$(date +%s)
for ((rep = 1; rep <= REPS; rep++)); do
	for n in $NODES; do run_size "$n" "$rep"; done
done
t_total=$(($(date +%s) - t_start))

# field N COL: median over the repetitions (lib.sh)
field() { rep_median "$@"; }
spread() { rep_spread "$@"; }
okcol() { rep_ok "$@"; }

{
	echo "# scale.sh commit=$commit date=$(date -u +%Y-%m-%dT%H:%M:%SZ) nodes=\"$NODES\" size=$SIZE latsize=$LATSIZE" \
		"reps=$REPS dur=$DUR latn=$LATN lativ=$LATIV idle=$IDLE cpus=$(nproc) load=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
	for n in $NODES; do
		echo "RESULT bench=scale nodes=$n form_ms=$(field "$n" 1) form_last_ms=$(field "$n" 18)" \
			"form_poll_ms=$(field "$n" 2)" \
			"idle_cpu_pct_mean=$(field "$n" 3) idle_cpu_pct_max=$(field "$n" 4)" \
			"idle_rss_kb_mean=$(field "$n" 5) idle_rss_kb_max=$(field "$n" 6)" \
			"rss_after_kb_mean=$(field "$n" 16) rss_after_kb_max=$(field "$n" 17)" \
			"one_msgs_s=$(field "$n" 7) one_MBps=$(field "$n" 8) one_ok=$(okcol "$n" 9)" \
			"all_msgs_s=$(field "$n" 10) all_MBps=$(field "$n" 11) all_ok=$(okcol "$n" 12)" \
			"lat_p50_us=$(field "$n" 13) lat_p99_us=$(field "$n" 14) lat_ok=$(okcol "$n" 15) reps=$REPS"
	done
} >"$RESULTS"

TABLE=${TABLE:-$W/scale.md}
exec 3>&1 >"$TABLE"
echo "aisexec (commit $commit) scale run: ais-cluster on 127.0.0.x, udpu, $(nproc) CPUs; median of $REPS" \
	"repetition(s); ${DUR}s per throughput run, $SIZE B messages; latency $LATSIZE B, 1 msg / $LATIV us, $LATN msgs;" \
	"idle over ${IDLE}s; total ${t_total}s; raw results: $RES; medians as RESULT lines: $RESULTS"
echo
echo "| nodes | ring formation ms: first start -> all synced / last start -> all synced (log) | first start -> all report it (polled) | idle CPU per daemon % mean / max | idle RSS per daemon kB mean / max | (a) 1 sender msgs/s (MB/s) | (b) all send, msgs/s delivered per node (MB/s) | (c) latency p50 / p99 us | ok (a / b / c) |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|:---:|"
for n in $NODES; do
	echo "| $n | $(field "$n" 1) / $(field "$n" 18) | $(field "$n" 2) | $(field "$n" 3) / $(field "$n" 4) |" \
		"$(field "$n" 5) / $(field "$n" 6) | $(field "$n" 7) ($(field "$n" 8)) [$(spread "$n" 7)] |" \
		"$(field "$n" 10) ($(field "$n" 11)) [$(spread "$n" 10)] | $(field "$n" 13) / $(field "$n" 14) |" \
		"$(okcol "$n" 9) / $(okcol "$n" 12) / $(okcol "$n" 15) |"
done

exec >&3 3>&-
cat "$TABLE"
