#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Steady state: a cpghist sender on every node of a 5-node cluster (NODES),
# MSGS messages each, agreed and safe mixed, sizes up to 64 KiB. Every node
# must deliver every message (N * MSGS, checksums ok) and the logs must pass
# histcheck (one total order, self delivery, no duplicates, integrity).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cpglib.sh"
NODES=${NODES:-5}
MSGS=${MSGS:-600}

step "start $NODES nodes"
cluster start "$NODES" --fault-injection --token 1000 --quiet || fail "the ring did not form"
all=$(seq -s ' ' 1 "$NODES")
expect_ring "$all" $all >/dev/null

step "a sender on every node: $MSGS messages each, 30% safe"
for i in $all; do hist_start "$i" 1 -n "$MSGS" -r 400 -s 30 -z 65536 -w "$NODES"; done
for i in $all; do hist_wait_done "$i" 1; done

step "stop the clients after a quiet period"
hist_stop_all $(for i in $all; do echo "$i.1"; done)
for i in $all; do
	[ "$(hist_sent "$i" 1)" = "$MSGS" ] || cpg_fail "n$i sent $(hist_sent "$i" 1), expected $MSGS"
	expect_delivered "$i" 1 $((NODES * MSGS))
done

step "histcheck"
check_histories
step "the same sequence on every node"
ref=$(grep ' D ' "$work/hist.1.1.log" | awk '{print $4}' | md5sum)
for i in $all; do
	[ "$(grep ' D ' "$work/hist.$i.1.log" | awk '{print $4}' | md5sum)" = "$ref" ] ||
		cpg_fail "n$i delivered another sequence than n1"
done
cluster stop --quiet || fail "stop reported an error"
test_ok=1
echo "PASS: $test_name ($NODES nodes, $((NODES * MSGS)) messages delivered on each)"
