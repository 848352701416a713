#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# libaiscpg against a real 2-node cluster (cpgapi): the dispatch model under
# interleaved replies and callbacks, finalize inside a callback, the
# dispatch modes, stale and forged handles, no daemon memory growth over
# initialize/join/finalize cycles, and the daemon killed while clients are
# blocked in a call and in dispatch.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cpglib.sh"
CPGAPI="$AIS_BUILD_DIR/test/cluster/cpgapi"
CYCLES=${CYCLES:-250} # check-long: 1000; each measured after as many warm-up cycles

step "start 2 nodes"
cluster start 2 --quiet || fail "the ring did not form"
run_api() {
	local out rc=0
	out=$(AIS_INSTANCE="$(inst "$1")" "$CPGAPI" "${@:2}" 2>&1) || rc=$?
	echo "$out"
	[ "$rc" = 0 ] || cpg_fail "cpgapi $* failed (exit $rc)"
}
for t in interleave finalize-cb modes handles; do
	step "$t"
	run_api 1 "$t"
done
step "cycles ($CYCLES twice)"
run_api 1 cycles "$CYCLES" "$(daemon_pid 1)"
step "the daemon is killed under blocked clients"
run_api 2 daemon-kill "$(daemon_pid 2)"
cluster wait --timeout 60 --quiet || fail "n1 did not carry on alone"
run_api 1 handles
test_ok=1
echo "PASS: $test_name"
