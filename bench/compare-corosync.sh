#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# compare-corosync.sh: aisexec and Corosync side by side on this machine, in
# one invocation. Three network namespaces aisb1..aisb3 (eth0 = veth to a
# bridge in namespace aisb-br, 10.77.0.N/24; nothing is configured in the
# root namespace and no traffic leaves the namespaces) host one node each.
# For each repetition the script starts a 3-node Corosync (transport udpu,
# crypto off), runs the scenarios with cpgbench built against Corosync's
# libcpg, stops it, starts a 3-node aisexec (udpu, crypto off) in the same
# namespaces and runs the same scenarios with the same cpgbench source built
# against libaiscpg. The order of the two alternates between repetitions and
# every table reports the median of the repetitions and the ratio
# aisexec / Corosync (throughput: > 1 means aisexec is faster; latency:
# > 1 means aisexec is slower). Needs root (namespaces, Corosync).
#
# Scenarios (as in run.sh): (a) one sender on n1, receivers on n2,n3;
# (b) senders on n1,n2,n3 at once; (c) latency, one message every LATIV us.
# Every run checks delivered counts, per-sender FIFO and equal order hashes.
#
# Environment:
#   DUR=5 SIZES="64 1024 16384 65536" LATSIZES="64 1024" LATN=5000 LATIV=1000
#   REPS=3                 alternating repetitions (median reported)
#   CS_TRANSPORTS=udpu     Corosync transports to measure ("udpu knet");
#                          ratios are against the first one
#   CS_SCHED_RR=yes        Corosync's system.sched_rr: "no" runs it without
#                          SCHED_RR (corosync 3 has no -p flag)
#   CS_FLAGS=              extra corosync command-line flags
#   AIS_BUILD_DIR          aisexec build tree (default: current directory if
#                          it holds exec/aisexec, else the source tree)
#   WORK=/tmp/ais-compare  scratch directory (configs, logs, raw results)
#   SKIP_APT=1             never call apt-get
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

DUR=${DUR:-5}
SIZES=${SIZES:-"64 1024 16384 65536"}
LATSIZES=${LATSIZES:-"64 1024"}
LATN=${LATN:-5000}
LATIV=${LATIV:-1000}
REPS=${REPS:-3}
CS_TRANSPORTS=${CS_TRANSPORTS:-udpu}
CS_FLAGS=${CS_FLAGS:-}
CS_SCHED_RR=${CS_SCHED_RR:-yes}
SCENARIOS=${SCENARIOS:-"a b c"}
W=${WORK:-/tmp/ais-compare}
NS=aisb
N=3
PORT=5405

ME=compare-corosync.sh

# --- prerequisites ------------------------------------------------------------

need_pkgs corosync libcpg-dev libcorosync-common-dev iproute2 util-linux
[ "$(id -u)" = 0 ] || die "needs root (network namespaces, corosync)"

ais_build_locate cpgbench
CPGB_AIS=$AIS_BUILD_DIR/bench/cpgbench

mkdir -p "$W"
W=$(cd "$W" && pwd)
RES=$W/results
rm -rf "$RES"
mkdir -p "$RES"
CPGB_CS=$W/cpgbench-corosync
# the same source, built against Corosync's libcpg
${CC:-cc} -O2 -g -DWITH_COROSYNC -I"$AIS_BUILD_DIR" -o "$CPGB_CS" "$here/cpgbench.c" -lcpg ||
	die "cannot build cpgbench against corosync (libcpg-dev)"

# --- namespaces and daemons (bench/lib.sh) -----------------------------------

CS_DIR=$W/cs
AIS_DIR=$W/ais
TOTEM_OPTS=""
LOG_TIMESTAMP=on

cleanup() {
	stop_pids
	ns_cleanup
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ns_setup "$N"

# --- one system, all scenarios ------------------------------------------------

SYSTEM=""
node_run() {
	local i=$1
	shift
	if [ "$SYSTEM" = aisexec ]; then
		ip netns exec "$NS$i" env AIS_INSTANCE="${NS}n$i" "$@"
	else
		ip netns exec "$NS$i" "$@"
	fi
}

run_all() { # system rep
	local sys=$1 rep=$2 s
	SYSTEM=$sys
	if [ "$sys" = aisexec ]; then
		CPGB=$CPGB_AIS
		ais_start
	else
		CPGB=$CPGB_CS
		cs_start "${sys#corosync-}"
	fi
	log "rep $rep: $sys up"
	case " $SCENARIOS " in *" a "*)
		for s in $SIZES; do
			scen_a "$s" "$RES/raw-$sys-a-$s-$rep" >"$RES/$sys-a-$s-$rep"
			log "rep $rep $sys (a) $s: $(cat "$RES/$sys-a-$s-$rep")"
		done ;;
	esac
	case " $SCENARIOS " in *" b "*)
		for s in $SIZES; do
			scen_b "$s" "$RES/raw-$sys-b-$s-$rep" >"$RES/$sys-b-$s-$rep"
			log "rep $rep $sys (b) $s: $(cat "$RES/$sys-b-$s-$rep")"
		done ;;
	esac
	case " $SCENARIOS " in *" c "*)
		for s in $LATSIZES; do
			scen_c "$s" "$RES/raw-$sys-c-$s-$rep" >"$RES/$sys-c-$s-$rep"
			log "rep $rep $sys (c) $s: $(cat "$RES/$sys-c-$s-$rep")"
		done ;;
	esac
	stop_pids
}

SYSTEMS="aisexec"
for t in $CS_TRANSPORTS; do SYSTEMS="$SYSTEMS corosync-$t"; done
REF=corosync-${CS_TRANSPORTS%% *}

t_start=$(date +%s)
for ((rep = 1; rep <= REPS; rep++)); do
	# alternate the order so that slow drifts of the machine hit both
	if [ $((rep % 2)) = 1 ]; then order=$(echo "$SYSTEMS" | tr ' ' '\n' | tac | paste -sd' '); else order=$SYSTEMS; fi
	for sys in $order; do run_all "$sys" "$rep"; done
done
t_total=$(($(date +%s) - t_start))

# --- tables -------------------------------------------------------------------

# field SYS SCEN SIZE COL: the medians over the repetitions of column COL
field() { for ((r = 1; r <= REPS; r++)); do awk -v c="$4" '{ print $c }' "$RES/$1-$2-$3-$r"; done | median; }
# all values of a column, comma separated (the spread behind the median)
spread() { for ((r = 1; r <= REPS; r++)); do awk -v c="$4" '{ print $c }' "$RES/$1-$2-$3-$r"; done | paste -sd' '; }
# yes if every repetition checked out, else NO(k/REPS)
okcol() {
	local bad
	bad=$(for ((r = 1; r <= REPS; r++)); do awk -v c="$4" '{ print $c }' "$RES/$1-$2-$3-$r"; done | grep -vc '^yes$' || true)
	[ "$bad" = 0 ] && echo yes || echo "NO($bad/$REPS)"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }

CSS=${SYSTEMS#aisexec }
hdr_cs() { local t; for t in $CSS; do printf ' %s |' "$t"; done; }
hdr_al() { local t; for t in $CSS; do printf -- '---:|'; done; }

echo "aisexec vs Corosync $(dpkg-query -W -f='${Version}' corosync 2>/dev/null), 3 nodes in network namespaces" \
	"(udpu, crypto off), $(nproc) CPUs; median of $REPS alternating repetitions; ${DUR}s per throughput run;" \
	"total ${t_total}s; raw results: $RES"
echo "ratio = aisexec / $REF; the values behind each median in brackets"

case " $SCENARIOS " in *" a "*)
	echo
	echo "(a) one sender (n1), receivers on n2,n3 -- msgs/s (MB/s), AGREED"
	echo "| size | aisexec |$(hdr_cs) ratio | ok (ais / cs) | aisexec own-msg latency p50/p99 ms | $REF own-msg latency p50/p99 ms |"
	echo "|---:|---:|$(hdr_al)---:|:---:|---:|---:|"
	for s in $SIZES; do
		line="| $s | $(field aisexec a "$s" 1) ($(field aisexec a "$s" 2)) [$(spread aisexec a "$s" 1)] |"
		for t in $CSS; do line+=" $(field "$t" a "$s" 1) ($(field "$t" a "$s" 2)) [$(spread "$t" a "$s" 1)] |"; done
		line+=" $(ratio "$(field aisexec a "$s" 1)" "$(field "$REF" a "$s" 1)") |"
		line+=" $(okcol aisexec a "$s" 3) / $(okcol "$REF" a "$s" 3) |"
		line+=" $(field aisexec a "$s" 4) / $(field aisexec a "$s" 5) | $(field "$REF" a "$s" 4) / $(field "$REF" a "$s" 5) |"
		echo "$line"
	done ;;
esac

case " $SCENARIOS " in *" b "*)
	echo
	echo "(b) senders on n1,n2,n3 at once -- aggregate msgs/s delivered per node (MB/s)"
	echo "| size | aisexec |$(hdr_cs) ratio | ok (ais / cs) |"
	echo "|---:|---:|$(hdr_al)---:|:---:|"
	for s in $SIZES; do
		line="| $s | $(field aisexec b "$s" 1) ($(field aisexec b "$s" 2)) [$(spread aisexec b "$s" 1)] |"
		for t in $CSS; do line+=" $(field "$t" b "$s" 1) ($(field "$t" b "$s" 2)) [$(spread "$t" b "$s" 1)] |"; done
		line+=" $(ratio "$(field aisexec b "$s" 1)" "$(field "$REF" b "$s" 1)") |"
		line+=" $(okcol aisexec b "$s" 4) / $(okcol "$REF" b "$s" 4) |"
		echo "$line"
	done ;;
esac

case " $SCENARIOS " in *" c "*)
	echo
	echo "(c) latency, one sender on n1, 1 msg / ${LATIV} us, ${LATN} msgs -- us, p50 / p90 / p99 (max)"
	echo "| size | aisexec |$(hdr_cs) ratio p50 | ratio p99 | ok (ais / cs) |"
	echo "|---:|---:|$(hdr_al)---:|---:|:---:|"
	for s in $LATSIZES; do
		line="| $s | $(field aisexec c "$s" 1) / $(field aisexec c "$s" 2) / $(field aisexec c "$s" 3) ($(field aisexec c "$s" 4)) |"
		for t in $CSS; do
			line+=" $(field "$t" c "$s" 1) / $(field "$t" c "$s" 2) / $(field "$t" c "$s" 3) ($(field "$t" c "$s" 4)) |"
		done
		line+=" $(ratio "$(field aisexec c "$s" 1)" "$(field "$REF" c "$s" 1)") |"
		line+=" $(ratio "$(field aisexec c "$s" 3)" "$(field "$REF" c "$s" 3)") |"
		line+=" $(okcol aisexec c "$s" 5) / $(okcol "$REF" c "$s" 5) |"
		echo "$line"
	done ;;
esac
