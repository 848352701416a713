#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# amf_failover.sh: how long AMF takes to give a 2N service instance a new
# active, on 3 nodes on this machine (ais-cluster, 127.0.0.x), with the
# test component (services/amf_comp) and the cluster test kit
# (test/cluster/amflib.sh). ROUNDS times each:
#   comp    kill -9 of the active component (recovery component_failover):
#           kill -> the standby's CSI set ACTIVE callback
#   node    kill -9 of the active node's daemon: kill -> the new ring
#           (n3's "ring ... formed" log line, ms timestamps) and kill ->
#           the standby's CSI set ACTIVE; the AMF part is the difference
#   swap    aistool amf si-swap: request -> the new active's CSI set ACTIVE
# The times come from the component's log (ms stamps written in its
# callbacks) and the shell's clock around the fault. Medians and ranges
# are printed as a Markdown table for docs/PERFORMANCE.md.
#
# Environment: ROUNDS=5, TOKEN=1000 (totem token timeout, ms),
# AIS_BUILD_DIR (make bench-amf sets it).
set -u
ROUNDS=${ROUNDS:-5}
TOKEN=${TOKEN:-1000}
here=$(cd "$(dirname "$0")" && pwd)
export AIS_SRCDIR=${AIS_SRCDIR:-$(cd "$here/.." && pwd)}
export AIS_BUILD_DIR=${AIS_BUILD_DIR:?set AIS_BUILD_DIR to the build tree (make bench-amf does)}
tdir="$AIS_SRCDIR/test/cluster"
test_name=amf_failover
# shellcheck source=../test/cluster/lib.sh
. "$tdir/lib.sh"
# shellcheck source=../test/cluster/amflib.sh
. "$tdir/amflib.sh"

si=$(si_dn 1)
csi=$(csi_dn 1)
comp_ms=() node_ms=() ring_ms=() swap_ms=()

# until the members on node $1 are exactly "$2"
ring_wait() {
	local want=$2 t
	for ((t = 0; t < 3000; t++)); do
		[ "$(ids_of "$1")" = "$want" ] && return 0
		sleep 0.01
	done
	return 1
}

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
range() { printf '%s\n' "$@" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo ".." hi }'; }

AMF_RECOVERY=component_failover amf_conf 2n 2 1
amf_start 3 --token "$TOKEN"
amf_on=3 # n3 hosts no SU: it stays up and answers
amf_wait_settled "1 2 3"
# n3 logs in ms: its "ring ... formed" line times the new ring
sed -i 's/timestamp: on/timestamp: hires/' "$work/n3/aisexec.conf"
cluster restart 3 >/dev/null || amf_fail "n3 did not come back"
amf_wait_settled "1 2 3"

# ms since the epoch of the first "ring ... formed" line of n3's log after line $1
ring_formed_ms() {
	local stamp
	stamp=$(tail -n "+$(($1 + 1))" "$work/n3/aisexec.log" | grep -m1 ' ring [0-9]*/[0-9]* formed' | cut -c1-19)
	[ -n "$stamp" ] && date -d "$stamp" +%s%3N
}

kill_comp() { amf_comp_kill "$1" KILL; }
swap_si() { amf_admin 3 si-swap "$si" >/dev/null; }

# takeover FAULT: FAULT A (A: the active SU's index) makes the standby the
# new active; prints ms from the fault to its CSI set ACTIVE, then waits
# until the old active is the standby again.
takeover() {
	local a b mark t0
	a=$(su_index "$(amf_active_of "$si")")
	b=$(su_index "$(amf_standby_of "$si")")
	mark=$(amf_mark)
	t0=$(now_ms)
	"$1" "$a"
	amf_log_wait "$mark" "^$(comp_dn "$b") csi-set $csi ACTIVE"
	echo $(($(amf_log_time "$mark" "^$(comp_dn "$b") csi-set $csi ACTIVE") - t0))
	amf_wait_standby "$si" "$(su_dn "$a")" >&2
	amf_wait_settled "1 2 3" >&2
}

for ((r = 1; r <= ROUNDS; r++)); do
	echo "--- round $r"
	comp_ms+=("$(takeover kill_comp)")
	swap_ms+=("$(takeover swap_si)")

	# node kill (the active's node; SUs live on n1 and n2, n3 observes)
	a=$(su_index "$(amf_active_of "$si")")
	b=$(su_index "$(amf_standby_of "$si")")
	dead=$(su_node "$a")
	others=$(seq 1 3 | grep -vx "$dead" | tr '\n' ' ')
	others=${others% }
	mark=$(amf_mark)
	mark3=$(wc -l <"$work/n3/aisexec.log")
	t0=$(now_ms)
	cluster kill "$dead" >/dev/null
	ring_wait 3 "$others" || amf_fail "no new ring"
	ring_ms+=($(($(ring_formed_ms "$mark3") - t0)))
	amf_log_wait "$mark" "^$(comp_dn "$b") csi-set $csi ACTIVE"
	node_ms+=($(($(amf_log_time "$mark" "^$(comp_dn "$b") csi-set $csi ACTIVE") - t0)))
	cluster restart "$dead" >/dev/null || amf_fail "n$dead did not come back"
	amf_wait_standby "$si" "$(su_dn "$a")"
	amf_wait_settled "1 2 3"
done

amf_parts=()
for ((i = 0; i < ${#node_ms[@]}; i++)); do amf_parts+=($((node_ms[i] - ring_ms[i]))); done
echo
echo "2N on 3 nodes, token $TOKEN ms, $ROUNDS rounds: median (min..max), ms"
echo
echo "| event | to the new active's CSI set callback |"
echo "|---|---:|"
echo "| component kill -9 (component_failover) | $(median "${comp_ms[@]}") ($(range "${comp_ms[@]}")) |"
echo "| admin si-swap | $(median "${swap_ms[@]}") ($(range "${swap_ms[@]}")) |"
echo "| node kill -9: new ring formed (ring detection) | $(median "${ring_ms[@]}") ($(range "${ring_ms[@]}")) |"
echo "| node kill -9: new active | $(median "${node_ms[@]}") ($(range "${node_ms[@]}")) |"
echo "| node kill -9: AMF part (new active - new ring) | $(median "${amf_parts[@]}") ($(range "${amf_parts[@]}")) |"
test_ok=1
