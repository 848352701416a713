#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Event-id reservation on disk: while the reservation cannot be written
# (its temporary file is blocked by a directory) nothing that needs an id
# is accepted (TRY_AGAIN) and the failure is logged once; once the disk
# takes it, publishing works; after a restart the node's new ids are above
# every id it handed out before.
. "$(dirname "$0")/lib.sh"
RAW="$AIS_BUILD_DIR/test/cluster/evtraw"
raw_on() { local i=$1; shift; AIS_INSTANCE="$(inst "$i")" "$RAW" "$@"; }

step "start a node whose reservation cannot be written"
mkdir -p "$work/n1/evt-eventid.tmp"
cluster start 1 --quiet || fail "the node did not start"
for t in 1 2 3; do
	r=$(raw_on 1 try blocked)
	[ "$r" = 6 ] || fail "attempt $t: open with create answered $r, expected TRY_AGAIN (6)"
done
for t in $(seq 50); do
	grep -q 'cannot reserve event ids on disk' "$work/n1/aisexec.log" && break
	sleep 0.1
done
n=$(grep -c 'cannot reserve event ids on disk' "$work/n1/aisexec.log" || true)
[ "$n" = 1 ] || fail "the failure was logged $n times, expected once"

step "the disk takes it: publishing works"
rmdir "$work/n1/evt-eventid.tmp"
raw_on 1 publish ids p 0 3 > "$work/before.ids" || fail "publish after the disk recovered"
[ "$(wc -l < "$work/before.ids")" = 3 ] || fail "three ids expected"

step "restart: new ids are above the old ones"
cluster restart 1 || fail "restart"
cluster wait --timeout 60 || fail "the node did not come back"
raw_on 1 publish ids p 0 1 > "$work/after.ids" || fail "publish after the restart"
last=$(sort "$work/before.ids" | tail -1)
new=$(cat "$work/after.ids")
[ "$(printf '%s\n%s\n' "$last" "$new" | sort | tail -1)" = "$new" ] && [ "$new" != "$last" ] ||
	fail "id $new after the restart is not above $last"

cluster stop --quiet || fail "stop reported an error"
test_ok=1
echo "PASS: $test_name"
