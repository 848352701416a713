#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The evt engine over raw IPC on a 2-node cluster: evtraw selftest on each
# node (open, publish, filters, errors, retention, clear, window, credit,
# priority, lost-event notice, unlink), then an event published on n1 is
# delivered to a subscriber on n2, and a retained one reaches a late
# subscriber on n2.
. "$(dirname "$0")/lib.sh"
RAW="$AIS_BUILD_DIR/test/cluster/evtraw"
raw_on() { local i=$1; shift; AIS_INSTANCE="$(inst "$i")" "$RAW" "$@"; }

step "start 2 nodes"
cluster start 2 --quiet || fail "the ring did not form"
expect_ring "1 2" 1 2 >/dev/null

step "selftest on n1 and n2"
raw_on 1 selftest || fail "selftest on n1"
raw_on 2 selftest || fail "selftest on n2"

step "n1 publishes, a subscriber on n2 gets it"
raw_on 2 ids xnode "" 3000 > "$work/n2.ids" &
sub=$!
for t in $(seq 100); do
	aistool_on 2 evt --json | grep -q '"name": "xnode", [^}]*"subscriptions": 1' && break
	sleep 0.1
done
raw_on 1 publish xnode p 0 3 > "$work/n1.ids" || fail "publish on n1"
wait "$sub" || fail "subscriber on n2"
diff "$work/n1.ids" "$work/n2.ids" || fail "n2 did not get exactly what n1 published"

step "a retained event reaches a late subscriber on n2"
raw_on 1 publish keep k 600 2 > "$work/kept.ids" || fail "publish retained"
raw_on 2 ids keep k 1000 > "$work/late.ids" || fail "late subscriber"
diff "$work/kept.ids" "$work/late.ids" || fail "the late subscriber missed retained events"
id=$(head -1 "$work/kept.ids")
[ "$(raw_on 2 clear keep "$id")" = 1 ] || fail "clear on n2"
raw_on 1 ids keep k 1000 > "$work/after.ids"
[ "$(cat "$work/after.ids")" = "$(tail -1 "$work/kept.ids")" ] || fail "clear did not reach n1"

cluster stop --quiet || fail "stop reported an error"
test_ok=1
echo "PASS: $test_name"
