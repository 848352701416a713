#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Hostile IPC input (cpghostile) to the cpg and cfg services of node 1 while
# well-behaved cpghist clients on both nodes keep sending: every hostile
# request gets an error or a disconnect, the daemon stays up, and every
# message of the good clients is delivered (histcheck).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cpglib.sh"
HOSTILE="$AIS_BUILD_DIR/test/cluster/cpghostile"

step "start 2 nodes, a good sender on each"
cluster start 2 --quiet || fail "the ring did not form"
for i in 1 2; do hist_start "$i" 1 -n 3000 -r 300 -w 2; done
for i in 1 2; do hist_wait_members "$i" 1 2; done

step "hostile requests to n1"
rc=0
out=$("$HOSTILE" "$(inst 1)" "$(daemon_pid 1)" 2>&1) || rc=$?
echo "$out"
[ "$rc" = 0 ] || cpg_fail "cpghostile failed (exit $rc)"
kill -0 "$(daemon_pid 1)" || cpg_fail "the daemon of n1 died"
expect_ring "1 2" 1 2 >/dev/null

step "the good clients finish; everything delivered"
for i in 1 2; do hist_wait_done "$i" 1 120; done
for i in 1 2; do hist_wait_delivered "$i" 1 6000; done
hist_stop_all 1.1 2.1
for i in 1 2; do expect_delivered "$i" 1 6000; done
check_histories
cluster stop --quiet || fail "stop reported an error"
test_ok=1
echo "PASS: $test_name"
