#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Hostile IPC input (evthostile) to the evt service of n1 while evtraw
# selftests run on both nodes: every hostile request gets an error or a
# disconnect, the daemon stays up, the good clients pass, and the ring stays.
. "$(dirname "$0")/lib.sh"
HOSTILE="$AIS_BUILD_DIR/test/cluster/evthostile"
RAW="$AIS_BUILD_DIR/test/cluster/evtraw"
daemon_pid() { cat "$work/n$1/ais-cluster.pid"; }

step "start 2 nodes"
cluster start 2 --quiet || fail "the ring did not form"
expect_ring "1 2" 1 2 >/dev/null

step "hostile requests to n1, good clients on n1 and n2"
AIS_INSTANCE="$(inst 2)" "$RAW" selftest > "$work/good2.out" 2>&1 &
good2=$!
rc=0
out=$("$HOSTILE" "$(inst 1)" "$(daemon_pid 1)" 2>&1) || rc=$?
echo "$out"
[ "$rc" = 0 ] || fail "evthostile failed (exit $rc)"
kill -0 "$(daemon_pid 1)" || fail "the daemon of n1 died"
AIS_INSTANCE="$(inst 1)" "$RAW" selftest || fail "a good client on n1 failed after the hostile one"
wait "$good2" || { cat "$work/good2.out"; fail "the good client on n2 failed"; }
expect_ring "1 2" 1 2 >/dev/null

cluster stop --quiet || fail "stop reported an error"
test_ok=1
echo "PASS: $test_name"
