#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# 10% packet loss on every node while every node sends: totem retransmits,
# so every message is delivered everywhere, once, in one order. If the loss
# made the ring re-form, histcheck still checks agreement and no loss
# between configurations; if it did not, every node must deliver all
# N * MSGS messages.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cpglib.sh"
NODES=${NODES:-3}
MSGS=${MSGS:-500}
all=$(seq -s ' ' 1 "$NODES")

step "start $NODES nodes"
cluster start "$NODES" --fault-injection --token 1000 --quiet || fail "the ring did not form"
ring1=$(expect_ring "$all" $all)

step "drop 10% of all packets"
aistool_on 1 fault drop 10 || fail "fault drop failed"
for i in $all; do
	aistool_on "$i" status --json | grep -q '"fault_injection": true' || fail "n$i: no fault injection"
done

step "a sender on every node ($MSGS messages each)"
for i in $all; do hist_start "$i" 1 -n "$MSGS" -r 300 -s 30 -z 32768 -w "$NODES"; done
for i in $all; do hist_wait_done "$i" 1 180; done
# while the ring does not change, every message must arrive everywhere
# (retransmissions under loss may take a while: generous limit)
for i in $all; do
	[ "$(grep -c ' C R ' "$work/hist.$i.1.log")" = 1 ] || break
	hist_wait_delivered "$i" 1 $((NODES * MSGS)) 120
done
# the filter really dropped frames (a filter that became a no-op must fail here)
dropped=$(ring_stat 1 fault_dropped)
[ "${dropped:-0}" -gt 0 ] || fail "n1's fault filter dropped nothing: $(aistool_on 1 ring --json)"

step "clear the loss, stop the clients after a quiet period"
aistool_on 1 fault clear || fail "fault clear failed"
cluster wait --timeout 60 --quiet || fail "the ring did not settle"
# No node failed, so whatever the rings did under loss every accepted message
# reaches every node: wait for all of them before the quiet period starts
# (after a re-formation the backlog is sent once sync completes).
for i in $all; do hist_wait_delivered "$i" 1 $((NODES * MSGS)) 120; done
hist_stop_all $(for i in $all; do echo "$i.1"; done)
rings=$(grep -c ' C R ' "$work/hist.1.1.log")
if [ "$rings" = 1 ]; then
	for i in $all; do expect_delivered "$i" 1 $((NODES * MSGS)); done
else
	echo "note: the ring re-formed under loss ($rings configurations on n1)"
fi

step "histcheck"
check_histories
cluster stop --quiet || fail "stop reported an error"
test_ok=1
echo "PASS: $test_name ($rings configuration(s) on n1; $dropped frames dropped on n1)"
