#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# An idle cluster sleeps. Three nodes with nothing to send: once the ring
# has settled (the token is held after a few idle rotations), each daemon's
# main loop may wake only for what is due: the held token's hold timer, the
# representative's merge detection, the scheduling watchdog, the frames of
# the others. strace counts each daemon's epoll_wait calls over
# IDLE_SECONDS; the bound is IDLE_WAKEUPS_PER_S per second. A loop that
# spins before its timers (libqb's millisecond rounding made about 900
# zero-timeout polls per second per daemon) is 20x over it; a busy machine
# only lowers the count. The ring must not change meanwhile.
. "$(dirname "$0")/lib.sh"

IDLE_SECONDS=${IDLE_SECONDS:-10}
IDLE_WAKEUPS_PER_S=${IDLE_WAKEUPS_PER_S:-50}

command -v strace >/dev/null || fail "strace is not installed (./quickstart installs it)"

step "3 nodes, settle"
cluster start 3 --quiet
ring=$(expect_ring "1 2 3" 1 2 3)
sleep 3

step "count loop wake-ups over ${IDLE_SECONDS}s of idle"
pids=()
for i in 1 2 3; do
	pid=$(cat "$work/n$i/aisexec.pid")
	timeout -s INT "$IDLE_SECONDS" strace -f -qq -c -e trace=epoll_wait,epoll_pwait,epoll_pwait2 \
		-o "$work/n$i/strace.idle" -p "$pid" 2>"$work/n$i/strace.err" &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || true; done

bound=$((IDLE_SECONDS * IDLE_WAKEUPS_PER_S))
for i in 1 2 3; do
	f="$work/n$i/strace.idle"
	[ -s "$f" ] || fail "strace could not trace n$i: $(cat "$work/n$i/strace.err")"
	calls=$(awk '$NF ~ /^epoll_(p)?wait2?$/ { n += $4 } END { print n + 0 }' "$f")
	echo "n$i: $calls epoll_wait calls in ${IDLE_SECONDS}s (bound $bound)"
	[ "$calls" -gt 0 ] || fail "n$i: no epoll_wait counted (strace output: $(cat "$f"))"
	[ "$calls" -le "$bound" ] || fail "n$i: the idle loop woke $calls times in ${IDLE_SECONDS}s: $(cat "$f")"
done

step "the ring did not change"
[ "$(expect_ring "1 2 3" 1 2 3)" = "$ring" ] || fail "the ring changed while idle"

test_ok=1
