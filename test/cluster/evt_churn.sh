#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The Event service under churn (check-long): 5 nodes, a subscriber and a
# publisher on every node, retained events from every node; while events
# flow, n5 is killed, {1,2} and {3,4} are split apart, 5 % of the packets
# are dropped, the split heals and n5 comes back. Checked as properties on
# the subscribers' logs:
#  * at most once and in publish order: no event id twice in any log, each
#    publisher's sequence numbers increase;
#  * one order inside a configuration: n1 and n2 were never apart, nor were
#    n3 and n4: each pair delivered exactly the same sequence;
#  * no loss among nodes that stayed together: every event n1's publisher
#    got an id for was delivered on n1 and n2 (likewise n3's on n3 and n4);
#  * retained state: afterwards, late subscribers on all five nodes (n5
#    restarted included) see the same retained set, every node's events
#    once, those of the killed n5 too.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/evtlib.sh"
N=${N:-400}
RATE=${RATE:-40}

step "start 5 nodes"
cluster start 5 --fault-injection --token 1000 --quiet || fail "the ring did not form"
expect_ring "1 2 3 4 5" 1 2 3 4 5 >/dev/null

step "retained events from every node, a subscriber on every node"
for i in 1 2 3 4 5; do evt_pub "$i" "ret$i" -c churnret -n 5 -t "r$i" -r 600000 -P keep; done
for i in 1 2 3 4 5; do evt_sub_start "$i" "sub$i" -c churn -q 15000 -w 300000; done

step "publishers on n1..n4 ($N events at $RATE/s each); faults meanwhile"
pubs=()
for i in 1 2 3 4; do
	evt_pub "$i" "pub$i" -c churn -n "$N" -t "p$i" -R "$RATE" -P churn &
	pubs+=($!)
done
sleep 2
cluster kill 5 --quiet || fail "kill n5"
wait_members 1 "1 2 3 4"
aistool_on 1 fault partition "1,2/3,4" || fail "fault partition failed"
wait_members 1 "1 2"
wait_members 3 "3 4"
sleep 2
for i in 1 2 3 4; do aistool_on "$i" fault drop 5 >/dev/null || fail "fault drop on n$i"; done
sleep 2
for i in 1 2 3 4; do aistool_on "$i" fault clear >/dev/null || fail "fault clear on n$i"; done
wait_members 1 "1 2 3 4"
cluster restart 5 --quiet || fail "restart n5"
wait_members 1 "1 2 3 4 5"
for p in "${pubs[@]}"; do wait "$p" || evt_fail "a publisher failed"; done

step "subscribers drain"
for i in 1 2 3 4; do evt_sub_wait "sub$i" 120; done
{ kill -KILL "$evt_pid_sub5"; wait "$evt_pid_sub5"; } 2>/dev/null || true # its daemon died

step "at most once, in publish order, one order per pair, no loss within a pair"
for i in 1 2 3 4; do evt_check_order "sub$i"; done
ids() { awk '$1 == "E" { print $3 }' "$work/evt.$1.out"; }
[ "$(ids sub1)" = "$(ids sub2)" ] || evt_fail "n1 and n2 delivered different sequences"
[ "$(ids sub3)" = "$(ids sub4)" ] || evt_fail "n3 and n4 delivered different sequences"
for pair in "1 2" "3 4"; do
	set -- $pair
	missing=$(comm -23 <(evt_ids "pub$1" | sort) <(ids "sub$1" | sort) | head -n 5)
	[ -z "$missing" ] || evt_fail "events of n$1's publisher not delivered on n$1: $missing"
done
got1=$(ids sub1 | wc -l)

step "the same retained set on every node"
want="$(seqs r1 1 5) $(seqs r2 1 5) $(seqs r3 1 5) $(seqs r4 1 5) $(seqs r5 1 5)"
evt_late_on "1 2 3 4 5" late -c churnret
for i in 1 2 3 4 5; do evt_expect "late$i" "$want"; done

cluster stop --quiet || fail "stop reported an error"
test_ok=1
echo "PASS: $test_name (n1 delivered $got1 events)"
