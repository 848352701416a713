#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# libSaClm against a real 2-node cluster (clmapi): every error path of the
# API and the happy paths (CURRENT into the caller's and a library buffer,
# NO_SPACE, node get sync/_4/async, CURRENT as a callback, finalize inside a
# callback, BAD_HANDLE after finalize, B.04 callbacks, the selection object
# readable exactly when a callback is queued), run on both nodes; a client
# that never dispatches is disconnected (with a log line), not allowed to grow
# the daemon's memory; then
# `aistool clm --json` is checked against the same cluster.
. "$(dirname "$0")/lib.sh"
CLMAPI="$AIS_BUILD_DIR/test/cluster/clmapi"
[ -x "$CLMAPI" ] || { echo "ERROR: $CLMAPI is not built" >&2; exit 99; }

step "start 2 nodes"
cluster start 2 --quiet || fail "the ring did not form"
for i in 1 2; do
	step "clmapi on n$i"
	out=$(AIS_INSTANCE="$(inst "$i")" "$CLMAPI" 2 2>&1) || { echo "$out"; fail "clmapi on n$i failed"; }
	echo "$out"
	grep -q '^ok: all$' <<<"$out" || fail "clmapi on n$i did not finish"
done

step "a client that does not read its callbacks is disconnected"
out=$(AIS_INSTANCE="$(inst 1)" "$CLMAPI" 2 slow 2>&1) || { echo "$out"; fail "clmapi slow failed"; }
echo "$out"
grep -q 'does not read its membership callbacks: disconnecting it' "$work/n1/aisexec.log" ||
	fail "no log line for the disconnected client"

step "aistool clm"
json=$(aistool_on 1 clm --json) || fail "aistool clm --json failed"
echo "$json"
is_json_object <<<"$json" || fail "aistool clm --json is not one JSON object"
for k in view_number member_count nodes nodeid name address member boot_timestamp initial_view_number; do
	grep -q "\"$k\"" <<<"$json" || fail "aistool clm --json lacks \"$k\""
done
grep -q '"member_count": 2' <<<"$json" || fail "aistool clm --json: member_count is not 2"
grep -q '"nodeid": 1, "name": "n1", "address": "127.0.0.1", "member": true' <<<"$json" ||
	fail "aistool clm --json does not describe n1"
grep -q '"nodeid": 2, "name": "n2", "address": "127.0.0.2", "member": true' <<<"$json" ||
	fail "aistool clm --json does not describe n2"
text=$(aistool_on 2 clm) || fail "aistool clm failed"
echo "$text"
grep -q '^view [0-9]*, 2 member(s)$' <<<"$text" || fail "aistool clm: no view line"
[ "$(aistool_on 1 dump | grep -c '^node [12] name n[12] address 127.0.0.[12] ')" = 2 ] ||
	fail "the clm dump does not list both nodes"
test_ok=1
echo "PASS: $test_name"
