#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The daemon's memory comes back after a burst of connections: rounds of
# 500 clm connections and of 100 cpg connections (rings of 1 MiB: receive
# buffers that glibc's moving mmap threshold used to leave on the heap) are
# opened and closed; once the daemon maps none of their rings, its anonymous
# memory (heap) and its RSS return to within a stated bound of what they
# were before the first connection. A leak of a few KiB per connection
# (500 x 2 connections) fails the bound; so does the 70 MB the heap kept
# before the fixed mmap threshold and the trim after closes
# (docs/PERFORMANCE.md, "Connection memory").
. "$(dirname "$0")/lib.sh"

ANON_BOUND_KB=${ANON_BOUND_KB:-6144}
RSS_BOUND_KB=${RSS_BOUND_KB:-12288}
CONNS="$AIS_BUILD_DIR/test/cluster/ipcconns"
daemon=
holder=
trap 'rc=$?; [ -z "$holder" ] || kill "$holder" 2>/dev/null; [ -z "$daemon" ] || kill -TERM $daemon 2>/dev/null; wait 2>/dev/null; (exit $rc); cleanup' EXIT
one_node_start "ipc_max_connections_per_uid: 1000
	ipc_max_connections: 1000"

kb() { sed -n "s/^$1:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$daemon/status"; }
# rings of service $1 the daemon still maps
rings() { grep -c -- "-$AIS_INSTANCE-$1-" "/proc/$daemon/maps" || true; }

# One connection first, so that what every daemon allocates once (the
# service's first client) is in the baseline.
"$CONNS" clm 1 </dev/null >/dev/null || fail "no clm connection"
"$CONNS" cpg 1 </dev/null >/dev/null || fail "no cpg connection"
for _ in $(seq 300); do [ "$(rings clm)$(rings cpg)" = 00 ] && break; sleep 0.1; done
sleep 0.5
base_anon=$(kb RssAnon)
base_rss=$(kb VmRSS)
echo "baseline: RssAnon $base_anon kB, VmRSS $base_rss kB"

# burst SERVICE N ROUNDS
burst() {
	local svc=$1 n=$2 rounds=$3 line
	coproc HOLD { exec "$CONNS" "$svc" "$n" "$rounds"; }
	holder=$HOLD_PID
	for ((r = 1; r <= rounds; r++)); do
		read -r line <&"${HOLD[0]}" || fail "ipcconns $svc: no connections in round $r"
		[ "$line" = "opened $n" ] || fail "ipcconns $svc: $line"
		echo "$svc round $r: $n open, RssAnon $(kb RssAnon) kB, VmRSS $(kb VmRSS) kB"
		echo >&"${HOLD[1]}"
		read -r line <&"${HOLD[0]}" || fail "ipcconns $svc did not close"
	done
	wait "$holder" 2>/dev/null || true
	holder=
	for _ in $(seq 600); do [ "$(rings "$svc")" = 0 ] && break; sleep 0.1; done
	[ "$(rings "$svc")" = 0 ] || fail "the daemon still maps $(rings "$svc") $svc ring files"
}

step "500 clm connections, twice; 100 cpg connections, twice"
burst clm 500 2
burst cpg 100 2

if sanitizer_build; then
	# the bound is about glibc's allocator; LeakSanitizer checks for leaks at exit
	echo "AddressSanitizer build: the bursts ran, the memory bounds are not checked"
	aistool_on 1 status >/dev/null || fail "the daemon does not answer after the bursts"
	test_ok=1
	echo "PASS: $test_name (memory bounds skipped under AddressSanitizer)"
	exit 0
fi

step "the heap and the RSS return to within $ANON_BOUND_KB / $RSS_BOUND_KB kB of the baseline"
# the trim runs from the loop shortly after the last close
for _ in $(seq 100); do
	[ "$(kb RssAnon)" -le $((base_anon + ANON_BOUND_KB)) ] && [ "$(kb VmRSS)" -le $((base_rss + RSS_BOUND_KB)) ] && break
	sleep 0.1
done
anon=$(kb RssAnon)
rss=$(kb VmRSS)
echo "after: RssAnon $anon kB (+$((anon - base_anon))), VmRSS $rss kB (+$((rss - base_rss)))"
[ "$anon" -le $((base_anon + ANON_BOUND_KB)) ] ||
	fail "the daemon kept $((anon - base_anon)) kB of anonymous memory after the connections closed"
[ "$rss" -le $((base_rss + RSS_BOUND_KB)) ] || fail "the daemon's RSS stayed $((rss - base_rss)) kB above the baseline"
aistool_on 1 status >/dev/null || fail "the daemon does not answer after the bursts"

test_ok=1
echo "PASS: $test_name"
