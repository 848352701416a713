#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A synchronous open whose OPEN is agreed only after its timeout: every
# packet is held back 400 ms (fault delay), the open with a 50 ms timeout
# answers TIMEOUT, and when the late OPEN is delivered the engine undoes it:
# afterwards the channel exists (it was created) and, on both nodes, its only
# opener is the one a client on n2 holds.
. "$(dirname "$0")/lib.sh"
RAW="$AIS_BUILD_DIR/test/cluster/evtraw"
raw_on() { local i=$1; shift; AIS_INSTANCE="$(inst "$i")" "$RAW" "$@"; }
openers_on() {
	aistool_on "$1" evt --json |
		grep -o "\"name\": \"$2\", \"id\": \"[0-9a-f]*\", \"unlinked\": [a-z]*, \"openers\": [0-9]*" |
		sed 's/.*"openers": //'
}

step "start 2 nodes; a client on n2 holds the channel open"
cluster start 2 --fault-injection --quiet || fail "the ring did not form"
expect_ring "1 2" 1 2 >/dev/null
AIS_INSTANCE="$(inst 2)" "$RAW" hold slow 60 &
holder=$!
trap 'rc=$?; set +e; kill "$holder" 2>/dev/null; (exit "$rc"); cleanup' EXIT
for t in $(seq 100); do
	[ "$(openers_on 1 slow)" = 1 ] && break
	sleep 0.1
done
[ "$(openers_on 1 slow)" = 1 ] || fail "the holder's open did not reach n1"

step "every packet 400 ms late: an open with a 50 ms timeout times out"
aistool_on 1 fault delay 100 400 >/dev/null || fail "fault delay"
r=$(raw_on 1 try slow 50000000)
[ "$r" = 5 ] || fail "the open answered $r, expected TIMEOUT (5)"
aistool_on 1 fault clear >/dev/null || fail "fault clear on n1"
aistool_on 2 fault clear >/dev/null || true
cluster wait --timeout 60 || fail "the ring did not settle"

step "the late open was undone everywhere"
for i in 1 2; do
	for t in $(seq 100); do
		[ "$(openers_on "$i" slow)" = 1 ] && break
		sleep 0.1
	done
	[ "$(openers_on "$i" slow)" = 1 ] || fail "n$i: slow has $(openers_on "$i" slow) openers, expected 1"
done
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
for t in $(seq 100); do
	[ "$(openers_on 1 slow)" = 0 ] && break
	sleep 0.1
done
[ "$(openers_on 1 slow)" = 0 ] || fail "the holder's exit did not close its open"

cluster stop --quiet || fail "stop reported an error"
test_ok=1
echo "PASS: $test_name"
