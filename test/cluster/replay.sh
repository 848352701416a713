#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Replay protection with secauth: real authenticated frames of a live
# 3-node cluster are captured on the loopback interface while
# history-checked CPG traffic runs, then sent again, unchanged, from their
# original source addresses (framegen capture / replay; capturing needs
# root, so the test is skipped otherwise). Every replayed frame must be
# refused and counted (aistool ring: rx_replayed) while the ring stays as it
# was (same members, same ring id, no membership change) and the CPG
# histories stay clean. Then node 3 restarts: its new frame sequence epoch
# lets it back in, and the old frames replayed once more are still refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cpglib.sh"

FRAMEGEN="$AIS_BUILD_DIR/test/cluster/framegen"
KEYGEN="$AIS_BUILD_DIR/tools/ais-keygen"
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: $test_name: capturing frames on lo needs root"
	test_ok=1
	exit 77
fi

sum_stat() {
	local i s=0 v
	for i in 1 2 3; do
		v=$(ring_stat "$i" "$1") || fail "aistool ring on n$i failed"
		s=$((s + v))
	done
	echo "$s"
}

"$KEYGEN" -k "$work/authkey" >/dev/null || fail "ais-keygen failed"

step "start 3 nodes with secauth"
cluster start 3 --totem secauth=on --totem "keyfile=$work/authkey" --quiet || fail "the ring did not form"
ring0=$(expect_ring "1 2 3" 1 2 3)
port=$(sed -n 's/^PORT=//p' "$work/cluster.env")
grep -q "replay protection on" "$work/n1/aisexec.log" || fail "n1 does not log replay protection"
memb0=$(ring_stat 1 memb_changes)

step "CPG traffic on every node; capture the cluster's frames meanwhile"
for i in 1 2 3; do hist_start "$i" 1 -n 500 -r 100 -w 3; done
for i in 1 2 3; do hist_wait_members "$i" 1 3; done
"$FRAMEGEN" capture --port "$port" --out "$work/frames" --seconds 2 --max 3000 >"$work/captured" ||
	fail "framegen capture failed"
captured=$(cat "$work/captured")
[ "$captured" -ge 50 ] || fail "only $captured frames captured"

step "replay all $captured frames while the traffic goes on"
before=$(sum_stat rx_replayed)
auth0=$(sum_stat rx_auth_failed)
sent=$("$FRAMEGEN" replay --in "$work/frames" --port "$port") || fail "framegen replay failed"
[ "$sent" = "$captured" ] || fail "replayed $sent of $captured frames"
# every replayed frame reaches one node and must be refused there
for ((t = 0; t < 100; t++)); do
	[ $(($(sum_stat rx_replayed) - before)) -ge "$sent" ] && break
	sleep 0.2
done
replayed=$(($(sum_stat rx_replayed) - before))
[ "$replayed" = "$sent" ] || fail "$sent frames replayed, $replayed refused as replays"
[ "$(sum_stat rx_auth_failed)" = "$auth0" ] || fail "replayed frames failed authentication: they were not genuine"

step "the ring did not change; the histories are clean"
for i in 1 2 3; do hist_wait_done "$i" 1 120; done
for i in 1 2 3; do hist_wait_delivered "$i" 1 1500 120; done
hist_stop_all 1.1 2.1 3.1
for i in 1 2 3; do expect_delivered "$i" 1 1500; done
check_histories
ring1=$(expect_ring "1 2 3" 1 2 3)
[ "$ring1" = "$ring0" ] || fail "ring changed: $ring0 -> $ring1"
[ "$(ring_stat 1 memb_changes)" = "$memb0" ] || fail "membership changed: $memb0 -> $(ring_stat 1 memb_changes)"

step "node 3 restarts: its new epoch is accepted, the old frames are still refused"
cluster kill 3 >/dev/null || fail "kill n3 failed"
cluster restart 3 --timeout 60 --quiet || fail "n3 did not come back into the ring"
expect_ring "1 2 3" 1 2 3 >/dev/null
before=$(sum_stat rx_replayed)
ring2=$(ring_of 1)
sent=$("$FRAMEGEN" replay --in "$work/frames" --port "$port") || fail "framegen replay failed"
for ((t = 0; t < 100; t++)); do
	[ $(($(sum_stat rx_replayed) - before)) -ge "$sent" ] && break
	sleep 0.2
done
replayed=$(($(sum_stat rx_replayed) - before))
[ "$replayed" = "$sent" ] || fail "after the restart: $sent frames replayed, $replayed refused as replays"
[ "$(expect_ring "1 2 3" 1 2 3)" = "$ring2" ] || fail "the replay changed the ring"

test_ok=1
echo "PASS: $test_name ($captured frames captured and replayed twice, all refused)"
