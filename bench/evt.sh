#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# evt.sh: what the Event service costs over raw ordered delivery. On one
# 3-node aisexec cluster (ais-cluster, udpu on 127.0.0.1-3), for each size,
# cpgbench (CPG) and evtbench (EVT: one channel, pass-all subscriptions)
# run the same scenarios one after the other, REPEAT times interleaved:
#   (a) one sender/publisher on n1, receivers/subscribers on n2 and n3:
#       the sender's delivered msgs/s;
#   (c) latency at one message every LATIV us: p50/p99 from send/publish
#       to the sender's own delivery.
# Both check that every node delivered every message in one order; the
# "ok" columns say yes or NO. Prints a markdown table with the medians and
# the EVT/CPG ratios.
#
# Environment: DUR=5 SIZES="64 1024 16384" LATN=5000 LATIV=1000 REPEAT=3,
# AIS_BUILD_DIR (build tree), OUT (raw results, default a new scratch dir).
# `make bench-evt` in a build tree runs this script.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

DUR=${DUR:-5}
SIZES=${SIZES:-"64 1024 16384"}
LATN=${LATN:-5000}
LATIV=${LATIV:-1000}
REPEAT=${REPEAT:-3}

if [ -z "${AIS_BUILD_DIR:-}" ]; then
	if [ -x "$PWD/exec/aisexec" ]; then AIS_BUILD_DIR=$PWD; else AIS_BUILD_DIR=$here/..; fi
fi
AIS_BUILD_DIR=$(cd "$AIS_BUILD_DIR" && pwd)
export AIS_BUILD_DIR
CPGB=$AIS_BUILD_DIR/bench/cpgbench
EVTB=$AIS_BUILD_DIR/bench/evtbench
for f in "$AIS_BUILD_DIR/exec/aisexec" "$AIS_BUILD_DIR/tools/aistool" "$CPGB" "$EVTB"; do
	[ -x "$f" ] || { echo "evt.sh: $f missing (build first)" >&2; exit 1; }
done

OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/ais-bench-evt.XXXXXX")}
mkdir -p "$OUT"
CLDIR=$OUT/cluster
PREFIX=bevt$$

node_run() {
	local i=$1
	shift
	AIS_INSTANCE=${PREFIX}n$i "$@"
}

cleanup() {
	if [ -f "$CLDIR/cluster.env" ]; then
		"$here/../tools/ais-cluster" stop --dir "$CLDIR" --quiet || true
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Start evtbench receivers on n2 and n3 and wait until both subscribed.
evt_receivers() {
	local f=$1 i t
	for i in 2 3; do
		node_run "$i" "$EVTB" -r -S 1 -T $((DUR + 60)) >"$f.n$i" 2>&1 &
		BG_PIDS+=("$!")
	done
	for ((t = 0; t < 300; t++)); do
		grep -q READY "$f.n2" 2>/dev/null && grep -q READY "$f.n3" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "evt.sh: receivers did not subscribe" >&2
}

# same_run F: every node delivered what n1 sent, in one order
same_run() {
	local f=$1 i sent h1
	sent=$(res "$f.n1" sent)
	h1=$(res "$f.n1" order_hash)
	[ -n "$sent" ] && [ "$(res "$f.n1" timed_out)" = 0 ] || { echo NO; return; }
	for i in 1 2 3; do
		[ "$(res "$f.n$i" deliv_all)" = "$sent" ] || { echo NO; return; }
		[ "$(res "$f.n$i" order_hash)" = "$h1" ] || { echo NO; return; }
		[ "$(res "$f.n$i" fifo_err)" = 0 ] || { echo NO; return; }
	done
	echo yes
}

evt_a() {
	local s=$1 f=$2
	rm -f "$f".n*
	BG_PIDS=()
	evt_receivers "$f"
	node_run 1 "$EVTB" -s "$s" -t "$DUR" -S 1 -T $((DUR + 60)) >"$f.n1" 2>&1 &
	BG_PIDS+=("$!")
	bg_wait
	echo "$(res "$f.n1" own_msgs_s) $(same_run "$f")"
}

evt_c() {
	local s=$1 f=$2
	rm -f "$f".n*
	BG_PIDS=()
	evt_receivers "$f"
	node_run 1 "$EVTB" -L -s "$s" -n "$LATN" -i "$LATIV" -S 1 -T 120 >"$f.n1" 2>&1 &
	BG_PIDS+=("$!")
	bg_wait
	echo "$(res "$f.n1" lat_us_p50) $(res "$f.n1" lat_us_p99) $(same_run "$f")"
}

"$here/../tools/ais-cluster" start 3 --dir "$CLDIR" --prefix "$PREFIX" --quiet

echo "$(sed -n 's/^#define PACKAGE_STRING "\(.*\)"/\1/p' "$AIS_BUILD_DIR/config.h" 2>/dev/null)," \
	"3 nodes (ais-cluster, udpu on 127.0.0.1-3), $(nproc) CPUs, ${DUR}s per run, median of $REPEAT"
echo "raw results: $OUT"
echo
echo "| size | CPG msgs/s | EVT msgs/s | EVT/CPG | CPG p50/p99 (us) | EVT p50/p99 (us) | ok |"
echo "|---:|---:|---:|---:|---:|---:|:---:|"
for s in $SIZES; do
	: >"$OUT/tp-cpg-$s" ; : >"$OUT/tp-evt-$s"
	: >"$OUT/l50-cpg-$s"; : >"$OUT/l99-cpg-$s"; : >"$OUT/l50-evt-$s"; : >"$OUT/l99-evt-$s"
	ok=yes
	for ((k = 1; k <= REPEAT; k++)); do
		read -r m _ o _ _ _ < <(scen_a "$s" "$OUT/cpg-a-$s-$k")
		echo "$m" >>"$OUT/tp-cpg-$s"; [ "$o" = yes ] || ok=NO
		read -r m o < <(evt_a "$s" "$OUT/evt-a-$s-$k")
		echo "$m" >>"$OUT/tp-evt-$s"; [ "$o" = yes ] || ok=NO
		read -r p50 _ p99 _ o < <(scen_c "$s" "$OUT/cpg-c-$s-$k")
		echo "$p50" >>"$OUT/l50-cpg-$s"; echo "$p99" >>"$OUT/l99-cpg-$s"; [ "$o" = yes ] || ok=NO
		read -r p50 p99 o < <(evt_c "$s" "$OUT/evt-c-$s-$k")
		echo "$p50" >>"$OUT/l50-evt-$s"; echo "$p99" >>"$OUT/l99-evt-$s"; [ "$o" = yes ] || ok=NO
	done
	tc=$(median <"$OUT/tp-cpg-$s"); te=$(median <"$OUT/tp-evt-$s")
	ratio=$(awk -v a="$te" -v b="$tc" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }')
	echo "| $s | $tc | $te | $ratio | $(median <"$OUT/l50-cpg-$s")/$(median <"$OUT/l99-cpg-$s")" \
		"| $(median <"$OUT/l50-evt-$s")/$(median <"$OUT/l99-evt-$s") | $ok |"
done
