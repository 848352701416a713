#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Smoke test of a real 3-node cluster: the ring forms and every node reports
# the same membership (aistool members --json), a killed node leaves and the
# other two re-form, the restarted node merges back, `aistool shutdown` makes
# a node leave cleanly, fault injection is refused when the configuration does
# not allow it, and the cluster stops cleanly.
. "$(dirname "$0")/lib.sh"

step "start 3 nodes"
cluster start 3 --timeout 60 || fail "the 3-node ring did not form"

step "every node reports the same ring of 1 2 3"
ring1=$(expect_ring "1 2 3" 1 2 3)
for i in 1 2 3; do
	json=$(members_json "$i")
	printf '%s' "$json" | is_json_object || fail "n$i: members --json is not one JSON object: $json"
	for j in 1 2 3; do
		printf '%s' "$json" | grep -q "{\"nodeid\": $j, \"address\": \"127.0.0.$j\", \"name\": \"n$j\"" ||
			fail "n$i: member $j missing or wrong in $json"
	done
	for cmd in status ring services dump; do
		out=$(aistool_on "$i" "$cmd" --json) || fail "n$i: aistool $cmd --json failed"
		printf '%s' "$out" | is_json_object || fail "n$i: aistool $cmd --json is not one JSON object"
	done
	aistool_on "$i" status --json | grep -q "\"nodeid\": $i," || fail "n$i: status reports another node id"
	aistool_on "$i" status --json | grep -q '"state": "operational"' || fail "n$i: not operational"
done
aistool_on 1 services --json | grep -q '"name": "cfg"' || fail "services does not list the cfg engine"

step "aistool ring shows the network system calls (text and --json)"
for key in tx_calls rx_calls retransmit_wait_max; do
	aistool_on 1 ring --json | grep -q "\"$key\": [0-9]" || fail "ring --json has no $key: $(aistool_on 1 ring --json)"
done
# a formed ring has sent and received frames, so both made system calls
[ "$(ring_stat 1 tx_calls)" -gt 0 ] || fail "tx_calls is 0 on a formed ring"
[ "$(ring_stat 1 rx_calls)" -gt 0 ] || fail "rx_calls is 0 on a formed ring"
text=$(aistool_on 1 ring) || fail "aistool ring failed"
for label in "send system calls" "receive system calls" "retransmit wait (visits)"; do
	printf '%s\n' "$text" | grep -q "^$label  *[0-9][0-9]*$" || fail "aistool ring has no '$label' line: $text"
done

step "fault injection is refused without totem { fault_injection: on }"
if out=$(aistool_on 1 fault drop 10 2>&1); then fail "fault drop succeeded on a node without fault_injection"; fi
printf '%s' "$out" | grep -q "fault injection is disabled" || fail "unclear refusal: $out"

step "kill n3: n1 and n2 re-form without it"
cluster kill 3 || fail "kill 3 failed"
cluster wait --timeout 60 || fail "n1 and n2 did not re-form"
ring2=$(expect_ring "1 2" 1 2)
[ "$ring2" != "$ring1" ] || fail "ring id did not change after n3 left ($ring2)"
if aistool_on 3 status >/dev/null 2>&1; then fail "killed n3 still answers"; fi

step "restart n3: it merges back"
cluster restart 3 --timeout 60 || fail "n3 did not rejoin"
ring3=$(expect_ring "1 2 3" 1 2 3)
[ "$ring3" != "$ring2" ] || fail "ring id did not change after n3 came back ($ring3)"

step "aistool shutdown on n3: it leaves cleanly, n1 and n2 re-form"
pid3=$(cat "$work/n3/ais-cluster.pid")
aistool_on 3 shutdown || fail "aistool shutdown refused"
for ((t = 0; t < 300; t++)); do
	kill -0 "$pid3" 2>/dev/null || break
	sleep 0.1
done
if kill -0 "$pid3" 2>/dev/null; then fail "n3 (pid $pid3) did not exit after aistool shutdown"; fi
cluster wait --timeout 60 || fail "n1 and n2 did not re-form after n3 left"
ring4=$(expect_ring "1 2" 1 2)
[ "$ring4" != "$ring3" ] || fail "ring id did not change after n3 shut down ($ring4)"

step "stop"
cluster stop || fail "stop reported an error"
for i in 1 2 3; do
	if aistool_on "$i" status >/dev/null 2>&1; then fail "n$i still answers after stop"; fi
done
test_ok=1
echo "PASS: $test_name (rings $ring1 -> $ring2 -> $ring3 -> $ring4)"
