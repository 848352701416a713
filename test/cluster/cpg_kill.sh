#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A node dies mid-stream and comes back: a cpghist sender on every node;
# node N is killed (kill -9) while everyone sends; the others re-form and go
# on sending; node N restarts cut off by a partition rule (it forms a ring of
# its own and a new client there starts sending), then the rule is cleared
# and the two rings merge while the others are still sending. histcheck
# checks the logs of every client incarnation (total order, agreement
# between consecutive configurations, no loss, no duplicates, integrity).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cpglib.sh"
NODES=${NODES:-3}
MSGS=${MSGS:-1500}
RATE=${RATE:-100}
victim=$NODES
others=$(seq -s ' ' 1 $((NODES - 1)))
all="$others $victim"

step "start $NODES nodes"
cluster start "$NODES" --fault-injection --token 1000 --quiet || fail "the ring did not form"
ring1=$(expect_ring "$all" $all)

step "a sender on every node ($MSGS messages at $RATE/s)"
for i in $all; do hist_start "$i" 1 -n "$MSGS" -r "$RATE" -s 20 -z 8192 -w "$NODES"; done
hist_wait_sent 1 1 $((MSGS / 5))

step "kill -9 n$victim mid-stream"
cluster kill "$victim" --quiet || fail "kill failed"
hist_reap "$victim" 1 3 # its client sees the daemon go away
cluster wait --timeout 60 --quiet || fail "the survivors did not re-form"
ring2=$(expect_ring "$others" $others)

step "restart n$victim behind a partition; a new client sends there"
aistool_on 1 fault partition "${others// /,}/$victim" || fail "fault partition failed"
cluster restart "$victim" --timeout 1 >"$work/restart.out" 2>&1 || true
wait_members "$victim" "$victim"
hist_start "$victim" 2 -n "$MSGS" -r "$RATE" -s 20 -z 8192 -w 1
hist_wait_sent "$victim" 2 20

step "clear the partition: the rings merge while the others send"
# on every node that holds the partition rule: a request that rides the
# ring can miss a node when the ring changes under it (n1 merges with n$victim
# as soon as its own rule is gone), and a node left with the rule would talk
# to n1 but not to n$victim for ever
for i in $others; do aistool_on "$i" fault clear || fail "fault clear on n$i failed"; done
cluster wait --timeout 60 --quiet || fail "the rings did not merge"
ring3=$(expect_ring "$(seq -s ' ' 1 "$NODES")" $all)
[ "$(hist_sent 1 1)" -lt "$MSGS" ] || echo "note: n1 finished sending before the merge"
for i in $others; do hist_wait_done "$i" 1; done
hist_wait_done "$victim" 2
# the survivors went on sending in the ring without n$victim: read from n1's
# own log (sends after that configuration), not from how fast the polls ran
sent_after=$(awk -v pat=" C R .* l=$victim j=" '$0 ~ pat { f = 1 } f && $2 == "S" { n++ } END { print n + 0 }' \
	"$work/hist.1.1.log")
[ "$sent_after" -gt 0 ] || cpg_fail "n1 sent nothing in the ring without n$victim (it had finished before); lower RATE"

step "stop the clients after a quiet period"
hist_stop_all $(for i in $others; do echo "$i.1"; done) "$victim.2"
for i in $others; do
	n=$(hist_delivered "$i" 1)
	[ "$n" -ge $(((NODES - 1) * MSGS)) ] || cpg_fail "n$i.1 delivered only $n messages"
	grep -q " C R .* l=$victim j=" "$work/hist.$i.1.log" || cpg_fail "n$i.1 logged no configuration without n$victim"
	grep -q " C R .* j=$victim\$" "$work/hist.$i.1.log" || cpg_fail "n$i.1 logged no configuration with n$victim back"
done
grep -q " C R .* m=$victim l= j=\$" "$work/hist.$victim.2.log" || cpg_fail "n$victim.2 did not start in a ring of its own"

step "histcheck"
check_histories
cluster stop --quiet || fail "stop reported an error"
test_ok=1
echo "PASS: $test_name (rings $ring1 -> $ring2 -> $ring3)"
