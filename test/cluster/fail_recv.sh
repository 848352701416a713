#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Fail-to-receive on real daemons. Node N (default 3 of 3) keeps passing the
# token but gets no message (`aistool fault drop-mcast 100 N`: it drops every
# MCAST frame it receives, tokens and membership frames pass) while a
# cpghist client on every node sends. What the Totem protocol asks for
# (REFERENCE 1.3 step 9), and what this test expects:
#   1. with its aru stuck for fail_recv_const token rotations (FAIL_RECV,
#      default 50, written into the configuration) node N declares itself
#      failed and forms a ring of its own;
#   2. the others carry on: for OBSERVE seconds (default 15) with the fault
#      still on they deliver each other's messages, at least half of what
#      they send;
#   3. once the fault is lifted (`fault clear` on node N: it cannot receive
#      the request from the others) node N merges back: one ring of all;
#   4. histcheck accepts every client's log.
# Every expectation is checked and reported before the test fails. Corosync
# 3.1.7 misses expectation 2 in the same setup (node N merges straight back,
# its aru is stuck again and the others deliver nothing); aisexec has node N
# announce its failure with a LEAVE and keep apart for one token timeout
# (docs/membership.md, fail-to-receive).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cpglib.sh"
NODES=${NODES:-3}
RATE=${RATE:-50}
FAIL_RECV=${FAIL_RECV:-50}
OBSERVE=${OBSERVE:-15}
victim=$NODES
others=$(seq -s ' ' 1 $((NODES - 1)))
all="$others $victim"

now_us() { date +%s%6N; }

# Messages node I's client delivered after time T0 (us), sent from nodes
# other than the victim.
delivered_since() {
	awk -v t0="$2" -v v="$victim" '$2 == "D" && substr($1, 2) + 0 > t0 && $3 != v { n++ } END { print n + 0 }' \
		"$work/hist.$1.1.log"
}

# Regular configurations node I's client saw after T0: "RING:MEMBERS ...".
rings_since() {
	awk -v t0="$2" '$2 == "C" && $3 == "R" && substr($1, 2) + 0 > t0 { m = $5; sub("^m=", "", m); printf "%s%s:{%s}", sep, $4, m; sep = " " }' \
		"$work/hist.$1.1.log"
}


results=()
failed=""
verdict() {
	results+=("$1: $2")
	[ "$1" = PASS ] || failed+=" $3"
	echo "    $1: $2"
}

step "start $NODES nodes (fail_recv_const $FAIL_RECV)"
cluster start "$NODES" --fault-injection --token 1000 --totem "fail_recv_const=$FAIL_RECV" --quiet ||
	fail "the ring did not form"
grep -q "fail_recv_const: $FAIL_RECV" "$work/n1/aisexec.conf" || fail "fail_recv_const is not in the configuration"
ring1=$(expect_ring "$all" $all)

step "a sender on every node ($RATE messages/s each)"
msgs=$((RATE * (OBSERVE + 300)))
for i in $all; do hist_start "$i" 1 -n "$msgs" -r "$RATE" -s 20 -z 1024 -w "$NODES"; done
for i in $all; do hist_wait_delivered "$i" 1 $((NODES * 20)); done

step "n$victim stops receiving messages (fault drop-mcast 100 $victim); tokens still pass"
t_fault=$(now_us)
aistool_on 1 fault drop-mcast 100 "$victim" >/dev/null || fail "fault drop-mcast failed"
grep -q "fault injection: dropping 100% of the messages received here" "$work/n$victim/aisexec.log" ||
	fail "n$victim did not apply the rule"

step "expectation 1: n$victim declares itself failed and forms a ring of its own"
t1=""
while [ $(($(now_us) - t_fault)) -lt 60000000 ]; do
	if [ "$(ring_stat "$victim" fail_recv)" -ge 1 ] && [ -n "$(rings_since "$victim" "$t_fault" | grep -o "[0-9.]*:{$victim}")" ]; then
		t1=$(now_us)
		break
	fi
	sleep 0.1
done
if [ -n "$t1" ]; then
	verdict PASS "n$victim failed to receive after $((($(date +%s%6N) - t_fault) / 1000)) ms or less; its rings since the fault: $(rings_since "$victim" "$t_fault")"
	grep -m 3 -E "failed to receive|new ring [0-9.]+ members $victim\$" "$work/n$victim/aisexec.log" | sed 's/^/      /' || true
else
	verdict FAIL "n$victim did not declare itself failed within 60 s (fail_recv $(ring_stat "$victim" fail_recv)); rings since the fault: $(rings_since "$victim" "$t_fault")" 1
	t1=$(now_us)
fi

step "expectation 2: the others carry on for ${OBSERVE} s with the fault still on"
declare -A d0
for i in $others; do d0[$i]=$(delivered_since "$i" "$t1"); done
fr0=$(ring_stat "$victim" fail_recv)
sleep "$OBSERVE"
t2=$(now_us)
want=$((RATE * (NODES - 1) * OBSERVE / 2))
ok=1 detail=""
for i in $others; do
	n=$(delivered_since "$i" "$t1")
	[ "$n" -ge "$want" ] || ok=0
	detail+=" n$i delivered $n;"
done
back=$(rings_since 1 "$t1" | tr ' ' '\n' | grep -c "[{,]$victim}" || true)
fr=$(($(ring_stat "$victim" fail_recv) - fr0))
detail+=" n$victim failed to receive $fr more time(s); n1's rings in that time: $(rings_since 1 "$t1")"
if [ "$ok" = 1 ]; then
	verdict PASS "messages from n1..n$((NODES - 1)) delivered there (at least $want wanted):$detail"
else
	verdict FAIL "the others did not carry on: of about $((RATE * (NODES - 1) * OBSERVE)) messages sent among n1..n$((NODES - 1)), at least $want wanted delivered:$detail; n$victim was back in their ring $back time(s)" 2
	echo "      n1 log while the fault was on:"
	awk -v a="$(date -d "@$((t1 / 1000000))" '+%H:%M:%S')" -v b="$(date -d "@$((t2 / 1000000 + 1))" '+%H:%M:%S')" \
		'$3 >= a && $3 <= b' "$work/n1/aisexec.log" | grep -E "GATHER|formed|sync|failed to receive" | head -n 12 | sed 's/^/        /' || true
	echo "      n$victim log while the fault was on:"
	awk -v a="$(date -d "@$((t1 / 1000000))" '+%H:%M:%S')" -v b="$(date -d "@$((t2 / 1000000 + 1))" '+%H:%M:%S')" \
		'$3 >= a && $3 <= b' "$work/n$victim/aisexec.log" | grep -E "GATHER|formed|sync" | head -n 12 | sed 's/^/        /' || true
fi

step "expectation 3: the fault is lifted on n$victim, it merges back"
aistool_on "$victim" fault clear >/dev/null || fail "fault clear on n$victim failed"
t3=$(now_us)
ring3=""
if cluster wait --timeout 60 --quiet; then
	ring3=$(expect_ring "$(seq -s ' ' 1 "$NODES")" $all)
	verdict PASS "one ring $ring3 of all $NODES nodes $((($(now_us) - t3) / 1000)) ms or less after the clear"
	# every client delivers its peers' new messages again
	for i in $all; do
		n=$(hist_delivered "$i" 1)
		hist_wait_delivered "$i" 1 $((n + NODES * 20)) 60
	done
else
	verdict FAIL "no ring of all $NODES nodes 60 s after the fault was lifted" 3
fi

step "expectation 4: histcheck over every client's log"
hist_stop_all $(for i in $all; do echo "$i.1"; done)
args=$(hist_logs_for_check)
rc=0
# shellcheck disable=SC2086
out=$("$HISTCHECK" $args 2>&1) || rc=$?
if [ "$rc" = 0 ]; then
	verdict PASS "$(echo "$out" | tail -n 1)"
else
	verdict FAIL "histcheck: $(echo "$out" | head -n 5)" 4
fi

echo "--- summary (n$victim: fail_recv $(ring_stat "$victim" fail_recv), $(ring_stat "$victim" memb_changes) ring installs)"
for r in "${results[@]}"; do echo "    $r"; done
[ -z "$failed" ] || cpg_fail "fail-to-receive: expectation(s)$failed not met"
cluster stop --quiet || fail "stop reported an error"
test_ok=1
echo "PASS: $test_name (rings $ring1 -> $ring3)"
