#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# libSaEvt against a real 2-node cluster: every area of the API through
# evtapi (versions, open sync/async, access rules, events, filters,
# retention, unlink, finalize inside a callback, BAD_HANDLE after finalize
# and close, the selection object), then evt_sub on one node receiving what
# evt_pub publishes on the other, filtered.
. "$(dirname "$0")/lib.sh"
EVTAPI="$AIS_BUILD_DIR/test/cluster/evtapi"
EVT_PUB="$AIS_BUILD_DIR/services/evt_pub"
EVT_SUB="$AIS_BUILD_DIR/services/evt_sub"
# Hang guards only (a stuck daemon fails the test with its logs): every
# client below finishes in well under a second on a healthy cluster.
GUARD="timeout 120"

step "start 2 nodes"
cluster start 2 --quiet || fail "the ring did not form"
run_api() {
	local out rc=0
	out=$(AIS_INSTANCE="$(inst "$1")" $GUARD "$EVTAPI" "${@:2}" 2>&1) || rc=$?
	echo "$out"
	[ "$rc" = 0 ] || fail "evtapi $* failed (exit $rc)"
}
for t in init open events filters retention unlink finalize-cb; do
	step "$t"
	run_api 1 "$t"
done

step "evt_sub on n2 receives what evt_pub publishes on n1 (filtered)"
chan="evtapi-cross-$$"
subout="$work/sub.out"
AIS_INSTANCE="$(inst 2)" $GUARD "$EVT_SUB" --channel "$chan" --count 3 --timeout 60 prefix=ord >"$subout" 2>&1 &
subpid=$!
for _ in $(seq 1 200); do
	grep -q '^subscribed' "$subout" && break
	kill -0 "$subpid" 2>/dev/null || break
	sleep 0.1
done
grep -q '^subscribed' "$subout" || fail "evt_sub did not subscribe: $(cat "$subout")"
AIS_INSTANCE="$(inst 1)" $GUARD "$EVT_PUB" --channel "$chan" --count 2 --priority 2 other >"$work/pub0.out" ||
	fail "evt_pub (other) failed: $(cat "$work/pub0.out")"
AIS_INSTANCE="$(inst 1)" $GUARD "$EVT_PUB" --channel "$chan" --count 3 --size 100 --priority 1 \
	--publisher pub1 order tail >"$work/pub1.out" || fail "evt_pub failed: $(cat "$work/pub1.out")"
rc=0
wait "$subpid" || rc=$?
cat "$subout"
[ "$rc" = 0 ] || fail "evt_sub exited $rc"
ids=$(sed -n 's/^published //p' "$work/pub1.out" | tr '\n' ' ')
got=$(sed -n 's/^event id=\([0-9]*\) .*/\1/p' "$subout" | tr '\n' ' ')
[ "$ids" = "$got" ] || fail "published ids '$ids', delivered '$got'"
n=$(grep -c '^event id=[0-9]* prio=1 patterns=order,tail size=100 publisher=pub1 sub=1$' "$subout")
[ "$n" = 3 ] || fail "expected 3 matching event lines, got $n"
test_ok=1
echo "PASS: $test_name"
