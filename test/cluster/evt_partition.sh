#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Retained events through a partition and a merge: n1 is cut off from n2
# and n3 by the fault filter; both sides publish retained events on the
# same channel (which exists on both sides); after the heal every node
# holds the union, each event exactly once, and a new channel created on
# one side only is there for everyone.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/evtlib.sh"

step "start 3 nodes"
cluster start 3 --fault-injection --token 1000 --quiet || fail "the ring did not form"
expect_ring "1 2 3" 1 2 3 >/dev/null

step "before the split: 2 retained events from n2"
evt_pub 2 pre -c part -n 2 -t pre -r 600000 -P pre

step "partition n1 | n2 n3"
aistool_on 1 fault partition "1/2,3" || fail "fault partition failed"
wait_members 1 "1"
wait_members 2 "2 3"
wait_members 3 "2 3"

step "each side publishes retained events"
evt_pub 1 left -c part -n 3 -t left -r 600000 -P left
evt_pub 3 right -c part -n 4 -t right -r 600000 -P right
evt_pub 1 only -c lonely -n 1 -t only -r 600000 -P only
evt_late 1 sideL -c part
evt_expect sideL "$(seqs pre 1 2) $(seqs left 1 3)"
evt_late 2 sideR -c part
evt_expect sideR "$(seqs pre 1 2) $(seqs right 1 4)"

step "heal: every node holds the union, each event once"
for i in 1 2 3; do aistool_on "$i" fault clear || fail "fault clear on n$i failed"; done
cluster wait --timeout 60 --quiet || fail "the rings did not merge"
expect_ring "1 2 3" 1 2 3 >/dev/null
evt_late_on "1 2 3" merged -c part
evt_late_on "1 2 3" lonely -c lonely
for i in 1 2 3; do
	evt_check_order "merged$i"
	evt_expect "merged$i" "$(seqs pre 1 2) $(seqs left 1 3) $(seqs right 1 4)"
	evt_expect "lonely$i" "only:1"
done

cluster stop --quiet || fail "stop reported an error"
test_ok=1
echo "PASS: $test_name"
