#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# syscalls.sh: system calls per delivered message of each daemon of a 3-node
# aisexec cluster (ais-cluster, udpu on 127.0.0.1-3) while cpgbench runs one
# scenario of run.sh. Counts are taken with the syscall tracepoints of
# `perf stat -p` on each daemon (no timing: counts do not depend on load as
# much as rates do). Prints one line per node:
#   nI deliv=D total=T/msg sendto=.. sendmmsg=.. recvfrom=.. recvmmsg=.. ...
# where every figure after deliv is calls per message delivered on that node
# (total: every system call). sendto/recvfrom include libqb IPC's unix
# socket notifications, not only UDP. udp_drops: datagrams the kernel
# dropped on the daemons' UDP sockets (/proc/net/udp), e.g. a full receive
# buffer.
#
# Environment: AISEXEC (daemon binary), AIS_BUILD_DIR, CPGBENCH as for
# run.sh; SCEN=a|b (default a), SIZE (default 1024), DUR (default 3),
# OUT (scratch directory), PERF (default perf).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"

SCEN=${SCEN:-a}
SIZE=${SIZE:-1024}
DUR=${DUR:-3}
PERF=${PERF:-perf}

if [ -z "${AIS_BUILD_DIR:-}" ]; then
	if [ -x "$PWD/exec/aisexec" ]; then AIS_BUILD_DIR=$PWD; else AIS_BUILD_DIR=$here/..; fi
fi
AIS_BUILD_DIR=$(cd "$AIS_BUILD_DIR" && pwd)
export AIS_BUILD_DIR
CPGB=${CPGBENCH:-$AIS_BUILD_DIR/bench/cpgbench}
export CPGB # read by the scenarios of lib.sh
OUT=${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/ais-syscalls.XXXXXX")}
mkdir -p "$OUT"
CLDIR=$OUT/cluster
PREFIX=sysc$$
CALLS="sendto sendmsg sendmmsg recvfrom recvmsg recvmmsg epoll_wait epoll_pwait write read"

node_run() {
	local i=$1
	shift
	AIS_INSTANCE=${PREFIX}n$i "$@"
}

PERF_PIDS=()
cleanup() {
	local p
	for p in "${PERF_PIDS[@]}"; do kill -INT "$p" 2>/dev/null || true; done
	if [ -f "$CLDIR/cluster.env" ]; then
		"$here/../tools/ais-cluster" stop --dir "$CLDIR" --quiet || true
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$here/../tools/ais-cluster" start 3 --dir "$CLDIR" --prefix "$PREFIX" --quiet
events="-e raw_syscalls:sys_enter"
for c in $CALLS; do events+=" -e syscalls:sys_enter_$c"; done
for i in 1 2 3; do
	pid=$(cat "$CLDIR/n$i/ais-cluster.pid")
	# shellcheck disable=SC2086
	"$PERF" stat -x, $events -p "$pid" -o "$OUT/perf.n$i" &
	PERF_PIDS+=("$!")
done
sleep 0.5
case $SCEN in
a) line=$(scen_a "$SIZE" "$OUT/res") ;;
b) line=$(scen_b "$SIZE" "$OUT/res") ;;
*) echo "syscalls.sh: SCEN must be a or b" >&2; exit 2 ;;
esac
for p in "${PERF_PIDS[@]}"; do kill -INT "$p" 2>/dev/null || true; done
for p in "${PERF_PIDS[@]}"; do wait "$p" || true; done
PERF_PIDS=()
# datagrams the kernel dropped on the daemons' sockets (receive buffer full)
port=$(sed -n 's/^PORT=//p' "$CLDIR/cluster.env")
drops=$(awk -v p=":$(printf '%04X' "$port")" '$2 ~ p"$" { s += $NF } END { print s + 0 }' /proc/net/udp)
echo "scenario $SCEN size $SIZE: $line udp_drops=$drops"
for i in 1 2 3; do
	d=$(res "$OUT/res.n$i" deliv_all)
	awk -F, -v d="${d:-0}" -v n="n$i" '
		/sys_enter/ {
			name = $3; sub(/.*sys_enter_?/, "", name); if (name == "") name = "total"
			v[name] = $1; order[++k] = name
		}
		END {
			printf "%s deliv=%d", n, d
			for (j = 1; j <= k; j++)
				if (d > 0) printf " %s=%.2f", order[j], v[order[j]] / d
			printf "\n"
		}' "$OUT/perf.n$i"
done
