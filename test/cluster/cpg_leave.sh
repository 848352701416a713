#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Clean leave: SIGTERM to one daemon makes it leave the ring at once, so the
# others install the new configuration well before a token timeout would
# have detected a failure (token 5 s here; the check is loose: less than one
# token timeout, where a crash needs token + consensus). Its clients see
# the daemon go away; the clients on the other nodes see it leave the group
# and the new ring, and the rest of the cluster keeps delivering (histcheck).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cpglib.sh"
TOKEN=5000
now_ms() { echo $(($(date +%s%N) / 1000000)); }

step "start 3 nodes (token $TOKEN ms)"
cluster start 3 --token "$TOKEN" --quiet || fail "the ring did not form"
ring1=$(expect_ring "1 2 3" 1 2 3)
# n1 and n2 send across the leave; n3 only listens (a daemon that leaves may
# drop messages it accepted but had not sent yet: EVS allows that for a
# process that leaves)
for i in 1 2; do hist_start "$i" 1 -n 600 -r 150 -w 3; done
hist_start 3 1 -w 3
for i in 1 2 3; do hist_wait_members "$i" 1 3; done
hist_wait_sent 1 1 150
pid3=$(hist_pid 3 1)

step "SIGTERM n3"
t0=$(now_ms)
kill -TERM "$(daemon_pid 3)"
while [ "$(ids_of 1 2>/dev/null)" != "1 2" ]; do
	[ $(($(now_ms) - t0)) -lt 60000 ] || fail "n1 still reports '$(ids_of 1)' 60 s after n3 was told to stop"
	sleep 0.05
done
t1=$(now_ms)
elapsed=$((t1 - t0))
echo "n1 reports the ring without n3 after $elapsed ms"
[ "$elapsed" -lt "$TOKEN" ] || fail "the leave took $elapsed ms: not faster than a token timeout ($TOKEN ms)"
ring2=$(expect_ring "1 2" 1 2)
hist_reap 3 1 3
for i in 1 2; do
	memb_wait "$i" 1 "^LEFT 3 $pid3 (nodedown|procdown|leave)\$" 30
	memb_wait "$i" 1 " RING $ring2 2\$" 30
done
reason=$(grep "^LEFT 3 $pid3 " "$work/memb.1.1.log" | awk '{print $4}')
for i in 1 2; do
	if grep -q "^LEFT 3 $pid3 " "$work/memb.$i.1.log" && [ "$(grep -c "^LEFT 3 $pid3 " "$work/memb.$i.1.log")" != 1 ]; then
		cpg_fail "n$i saw n3's client leave more than once"
	fi
done

step "the others still deliver: all of n1's and n2's messages"
for i in 1 2; do hist_wait_done "$i" 1; done
for i in 1 2; do hist_wait_delivered "$i" 1 1200; done
hist_stop_all 1.1 2.1
for i in 1 2; do expect_delivered "$i" 1 1200; done
check_histories
cluster stop --quiet || fail "stop reported an error"
test_ok=1
echo "PASS: $test_name (leave seen after $elapsed ms, reason $reason; rings $ring1 -> $ring2)"
