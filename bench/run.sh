#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# run.sh: CPG throughput and latency of a 3-node aisexec cluster on this
# machine (ais-cluster: node i on 127.0.0.i, transport udpu), measured with
# cpgbench. No root needed. Prints markdown tables:
#   (a) one sender on n1, receivers on n2,n3, for each of SIZES
#   (b) senders on n1,n2,n3 at once, for each of SIZES
#   (c) latency at a low rate (one message every LATIV us) for LATSIZES
# Every run checks that all nodes delivered every message, per-sender FIFO
# order, and that all nodes saw the same total order (equal order hashes):
# the "ok" column says yes or NO. (a) and (b) also give the CPU time (user
# + system) of the three daemons during the run per message sent, the
# messages per token rotation (messages sent / tokens n1 received) and the
# share of n1's token visits held back by token_pace.
#
# Environment:
#   DUR=5                    seconds of sending per throughput run
#   SIZES="64 1024 16384 65536"  message sizes for (a) and (b)
#   LATSIZES="64 1024"       message sizes for (c)
#   LATN=10000 LATIV=1000    latency: message count and interval (us)
#   SCENARIOS="a b c"        which scenarios to run
#   SCHED_RR=no              yes: the daemons run SCHED_RR (ais-cluster --sched-rr;
#                            needs root, else they warn and run normally)
#   AIS_BUILD_DIR            build tree (default: the current directory if it
#                            holds exec/aisexec, else the source tree)
#   CPGBENCH                 cpgbench binary (default $AIS_BUILD_DIR/bench/cpgbench)
#   OUT                      directory for the raw RESULT lines (default: a new
#                            scratch directory, kept)
# `make bench` in a build tree runs this script.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

DUR=${DUR:-5}
SIZES=${SIZES:-"64 1024 16384 65536"}
LATSIZES=${LATSIZES:-"64 1024"}
LATN=${LATN:-10000}
LATIV=${LATIV:-1000}
SCENARIOS=${SCENARIOS:-"a b c"}
SCHED_RR=${SCHED_RR:-no}

if [ -z "${AIS_BUILD_DIR:-}" ]; then
	if [ -x "$PWD/exec/aisexec" ]; then AIS_BUILD_DIR=$PWD; else AIS_BUILD_DIR=$here/..; fi
fi
AIS_BUILD_DIR=$(cd "$AIS_BUILD_DIR" && pwd)
export AIS_BUILD_DIR
CPGB=${CPGBENCH:-$AIS_BUILD_DIR/bench/cpgbench}
for f in "$AIS_BUILD_DIR/exec/aisexec" "$AIS_BUILD_DIR/tools/aistool" "$CPGB"; do
	[ -x "$f" ] || { echo "run.sh: $f missing (build first: make, then make bench)" >&2; exit 1; }
done

OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/ais-bench.XXXXXX")}
mkdir -p "$OUT"
CLDIR=$OUT/cluster
PREFIX=bench$$

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

cl_opts=()
[ "$SCHED_RR" = yes ] && cl_opts+=(--sched-rr)
"$here/../tools/ais-cluster" start 3 --dir "$CLDIR" --prefix "$PREFIX" --quiet "${cl_opts[@]}"
# the daemons' pids: lib.sh's scen_a / scen_b report their CPU per message
PIDS=()
for i in 1 2 3; do PIDS+=("$(cat "$CLDIR/n$i/ais-cluster.pid")"); done

# n1's token counters: "tokens_received token_paced"
n1_tokens() {
	node_run 1 "$AIS_BUILD_DIR/tools/aistool" ring --json 2>/dev/null |
		sed -n 's/.*"tokens_received": \([0-9]*\).*"token_paced": \([0-9]*\).*/\1 \2/p'
}
# messages per token visit and paced share of the visits between two
# n1_tokens readings ($1 $2 before, $3 $4 after) for $5 messages
visit_cols() {
	awk -v t0="$1" -v p0="$2" -v t1="$3" -v p1="$4" -v m="$5" 'BEGIN {
		if (t0 == "" || t1 == "" || t1 <= t0 || m == "" || m == "-") { print "- -"; exit }
		printf "%.2f %.0f%%\n", m / (t1 - t0), 100 * (p1 - p0) / (t1 - t0) }'
}

echo "$(sed -n 's/^#define PACKAGE_STRING "\(.*\)"/\1/p' "$AIS_BUILD_DIR/config.h" 2>/dev/null)," \
	"3 nodes (ais-cluster, udpu on 127.0.0.1-3), $(nproc) CPUs, ${DUR}s per throughput run"
echo "raw results: $OUT"

case " $SCENARIOS " in *" a "*)
	echo
	echo "(a) one sender (n1), receivers on n2,n3 -- AGREED, MB = 1e6 bytes"
	echo "| size | msgs/s | MB/s | delivered + order ok | own-msg latency under load p50/p99 (ms) | daemon CPU us/msg | msgs per rotation | visits paced |"
	echo "|---:|---:|---:|:---:|---:|---:|---:|---:|"
	for s in $SIZES; do
		read -r t0 p0 < <(n1_tokens)
		read -r m mb ok p50 p99 _ cpu < <(scen_a "$s" "$OUT/a-$s")
		read -r t1 p1 < <(n1_tokens)
		read -r mpv pac < <(visit_cols "$t0" "$p0" "$t1" "$p1" "$(res "$OUT/a-$s.n1" sent)")
		echo "| $s | $m | $mb | $ok | $p50 / $p99 | $cpu | $mpv | $pac |"
	done
	;;
esac

case " $SCENARIOS " in *" b "*)
	echo
	echo "(b) senders on n1,n2,n3 at once -- aggregate = all messages delivered at a node"
	echo "| size | aggregate msgs/s | aggregate MB/s | per-sender msgs/s (n1/n2/n3) | delivered + same total order | daemon CPU us/msg | msgs per rotation | visits paced |"
	echo "|---:|---:|---:|---:|:---:|---:|---:|---:|"
	for s in $SIZES; do
		read -r t0 p0 < <(n1_tokens)
		read -r agg aggmb per ok cpu < <(scen_b "$s" "$OUT/b-$s")
		read -r t1 p1 < <(n1_tokens)
		total=0
		for i in 1 2 3; do d=$(res "$OUT/b-$s.n$i" sent); total=$((total + ${d:-0})); done
		read -r mpv pac < <(visit_cols "$t0" "$p0" "$t1" "$p1" "$total")
		echo "| $s | $agg | $aggmb | $per | $ok | $cpu | $mpv | $pac |"
	done
	;;
esac

case " $SCENARIOS " in *" c "*)
	echo
	echo "(c) latency: one sender on n1, 1 msg / ${LATIV} us, ${LATN} msgs, send -> own delivery"
	echo "| size | p50 (us) | p90 (us) | p99 (us) | max (us) | delivered + order ok | visits paced |"
	echo "|---:|---:|---:|---:|---:|:---:|---:|"
	for s in $LATSIZES; do
		read -r t0 p0 < <(n1_tokens)
		read -r p50 p90 p99 mx ok < <(scen_c "$s" "$OUT/c-$s")
		read -r t1 p1 < <(n1_tokens)
		read -r _ pac < <(visit_cols "$t0" "$p0" "$t1" "$p1" 1)
		echo "| $s | $p50 | $p90 | $p99 | $mx | $ok | $pac |"
	done
	;;
esac
