#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Ring sequences never go backwards, even on a full disk: a node whose run
# directory is full cannot reserve its ring sequences, so it refuses to
# start and says why, at once (it must not form a ring whose id a restart
# could reuse); with space again it starts. The run directory is a small
# tmpfs in a private mount namespace (skipped where mounting is not
# allowed). The running case (a renewal that fails later) is covered by
# check_ringseq and check_srp's test_ring_seq_refused.
. "$(dirname "$0")/lib.sh"

d="$work/n1"
mkdir -p "$d/run"
conf="$d/aisexec.conf"
one_node_conf "$conf" "$d/run"

if ! unshare -m --propagation private true 2>/dev/null; then
	echo "SKIP: cannot create a mount namespace here"
	test_ok=1
	exit 77
fi

step "a full run directory: the start is refused with the reason"
rc=0
AISEXEC="$AISEXEC" D="$d" CONF="$conf" timeout 60 unshare -m --propagation private bash -c '
	mount -t tmpfs -o size=128k,mode=0755 tmpfs "$D/run" || exit 3
	# the pid file (written first) keeps the page it has; then nothing is left
	echo 0000000000 >"$D/run/aisexec.pid"
	dd if=/dev/zero of="$D/run/fill" bs=4k >/dev/null 2>&1
	"$AISEXEC" -f -c "$CONF" >"$D/out" 2>&1
	echo "rc=$?" >>"$D/out"
	[ ! -e "$D/run/ringseq" ] || echo "ringseq file exists" >>"$D/out"
' || rc=$?
[ "$rc" != 3 ] || { echo "SKIP: cannot mount a tmpfs here"; test_ok=1; exit 77; }
[ "$rc" != 124 ] || fail "aisexec hung on a full disk"
out=$(cat "$d/out")
grep -q '^rc=1$' <<<"$out" || fail "aisexec started on a full disk: $out"
grep -q "cannot save the ring sequence file $d/run/ringseq: No space left on device" <<<"$out" ||
	fail "unclear refusal: $out"

step "with space again it starts"
rc=0
AISEXEC="$AISEXEC" D="$d" CONF="$conf" timeout 60 unshare -m --propagation private bash -c '
	mount -t tmpfs -o size=1m,mode=0755 tmpfs "$D/run" || exit 3
	"$AISEXEC" -f -c "$CONF" >"$D/out" 2>&1 &
	pid=$!
	for i in $(seq 100); do
		[ -s "$D/run/ringseq" ] && break
		sleep 0.1
	done
	cat "$D/run/ringseq" >"$D/seq" 2>/dev/null
	kill -TERM $pid
	wait $pid
' || rc=$?
[ -s "$d/seq" ] || fail "no ring sequence saved on a disk with space: $(cat "$d/out")"
[ "$(cat "$d/seq")" -ge 1000 ] || fail "the first reservation is not a block ahead: $(cat "$d/seq")"

test_ok=1
echo "PASS: $test_name"
