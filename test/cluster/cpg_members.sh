#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# CPG group membership on 3 nodes, as every member sees it: a process joins
# (CPG_REASON_JOIN), leaves with cpg_leave (LEAVE), a member process is
# killed with kill -9 (PROCDOWN), a node is killed (NODEDOWN for its
# processes on every other member), a partition splits the ring (NODEDOWN)
# and the merge brings the other side's processes back (NODEUP).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cpglib.sh"

# every listed "I.INC" listener sees event $1 (a regex on its log)
all_see() {
	local re=$1 x
	shift
	for x in "$@"; do memb_wait "${x%.*}" "${x#*.}" "$re" 60; done
}

step "start 3 nodes, one listener per node"
cluster start 3 --fault-injection --token 1000 --quiet || fail "the ring did not form"
expect_ring "1 2 3" 1 2 3 >/dev/null
for i in 1 2 3; do hist_start "$i" 1 -g members; done
for i in 1 2 3; do hist_wait_members "$i" 1 3; done
L="1.1 2.1 3.1"

step "a process on n2 joins: JOIN everywhere"
hist_start 2 2 -g members
pidB=$(hist_pid 2 2)
all_see "^JOINED 2 $pidB join\$" $L 2.2

step "it calls cpg_leave: LEAVE everywhere"
kill -USR2 "$pidB"
all_see "^LEFT 2 $pidB leave\$" $L

step "a process on n3 joins and is killed with kill -9: PROCDOWN everywhere"
hist_start 3 2 -g members
pidC=$(hist_pid 3 2)
all_see "^JOINED 3 $pidC join\$" $L
kill -KILL "$pidC"
wait "$pidC" 2>/dev/null || true
all_see "^LEFT 3 $pidC procdown\$" $L

step "node 3 is killed: NODEDOWN for its process on n1 and n2"
pidA3=$(hist_pid 3 1)
cluster kill 3 --quiet || fail "kill 3 failed"
hist_reap 3 1 3
all_see "^LEFT 3 $pidA3 nodedown\$" 1.1 2.1
cluster wait --timeout 60 --quiet || fail "n1 and n2 did not re-form"

step "node 3 restarts and a listener joins there: JOIN"
cluster restart 3 --timeout 60 --quiet || fail "n3 did not rejoin"
hist_start 3 3 -g members
pidD=$(hist_pid 3 3)
all_see "^JOINED 3 $pidD join\$" 1.1 2.1 3.3
hist_wait_members 3 3 3

step "partition 1,2/3: NODEDOWN on both sides"
aistool_on 1 fault partition 1,2/3 || fail "fault partition failed"
pidA1=$(hist_pid 1 1) pidA2=$(hist_pid 2 1)
all_see "^LEFT 3 $pidD nodedown\$" 1.1 2.1
all_see "^LEFT 1 $pidA1 nodedown\$" 3.3
all_see "^LEFT 2 $pidA2 nodedown\$" 3.3

step "heal: NODEUP on both sides"
aistool_on 1 fault clear || fail "fault clear on n1 failed"
aistool_on 3 fault clear || fail "fault clear on n3 failed"
cluster wait --timeout 60 --quiet || fail "the partitions did not merge"
all_see "^JOINED 3 $pidD nodeup\$" 1.1 2.1
all_see "^JOINED 1 $pidA1 nodeup\$" 3.3
all_see "^JOINED 2 $pidA2 nodeup\$" 3.3

step "every listener ends with the same group: $pidA1 $pidA2 $pidD"
for x in 1.1 2.1 3.3; do
	last=$(grep ' MEMBERS' "$work/memb.${x%.*}.${x#*.}.log" | tail -n 1 | cut -d' ' -f3- | tr ' ' '\n' | sort | tr '\n' ' ')
	want=$(printf '%s\n' "1/$pidA1" "2/$pidA2" "3/$pidD" | sort | tr '\n' ' ')
	[ "$last" = "$want" ] || cpg_fail "n$x: last group membership '$last', expected '$want'"
done
hist_stop_all 1.1 2.1 3.3 2.2
cluster stop --quiet || fail "stop reported an error"
test_ok=1
echo "PASS: $test_name"
