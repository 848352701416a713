#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The udp transport (IP multicast for data, a unicast socket for the token;
# exec/net.c reads the data socket before the token): 3 nodes with
# transport udp. A cpghist sender on every node, MSGS messages each, agreed
# and safe mixed, sizes up to 64 KiB: every node delivers every message,
# the histories pass histcheck and the delivered sequences are the same.
# Then node 3 is killed and restarted: it must be found again over
# multicast (merge detection, join) and a second round must be delivered
# everywhere in one order.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cpglib.sh"
MSGS=${MSGS:-300}

step "start 3 nodes, transport udp"
cluster start 3 --transport udp --token 1000 --quiet || fail "the ring did not form over udp"
expect_ring "1 2 3" 1 2 3 >/dev/null

step "a sender on every node: $MSGS messages each, 30% safe"
for i in 1 2 3; do hist_start "$i" 1 -n "$MSGS" -r 400 -s 30 -z 65536 -w 3; done
for i in 1 2 3; do hist_wait_done "$i" 1; done
hist_stop_all 1.1 2.1 3.1
for i in 1 2 3; do expect_delivered "$i" 1 $((3 * MSGS)); done
ref=$(grep ' D ' "$work/hist.1.1.log" | awk '{print $4}' | md5sum)
for i in 2 3; do
	[ "$(grep ' D ' "$work/hist.$i.1.log" | awk '{print $4}' | md5sum)" = "$ref" ] ||
		cpg_fail "n$i delivered another sequence than n1"
done

step "kill node 3, restart it: it rejoins over multicast"
cluster kill 3
wait_members 1 "1 2"
cluster restart 3 --quiet || fail "node 3 did not rejoin over udp"
expect_ring "1 2 3" 1 2 3 >/dev/null

step "second round on the re-formed ring"
for i in 1 2 3; do hist_start "$i" 2 -n "$MSGS" -r 400 -s 30 -z 65536 -w 3; done
for i in 1 2 3; do hist_wait_done "$i" 2; done
hist_stop_all 1.2 2.2 3.2
for i in 1 2 3; do expect_delivered "$i" 2 $((3 * MSGS)); done

step "histcheck"
check_histories
cluster stop --quiet || fail "stop reported an error"
test_ok=1
echo "PASS: $test_name (udp multicast, 2 x $((3 * MSGS)) messages delivered on each)"
