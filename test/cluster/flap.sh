#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Nine nodes, LOSS % (default 5) of the frames dropped on every node (`fault
# drop`, on send and on receive), and every CYCLE seconds (default 20) a
# partition that is healed half a cycle later, alternating {1-4}|{5-9},
# {odd}|{even} and {1-3}|{4-6}|{7-9}; a cpghist client on every node sends
# and logs throughout. After DURATION seconds (default 40; make check-long: 300) every fault is
# cleared: all nine nodes must then be in one ring within a bound derived
# from the totem timeouts this test configures, stay in it, and histcheck
# must accept every client's log. Prints the rings seen in every phase and
# how many configuration changes each node went through.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cpglib.sh"
NODES=9
DURATION=${DURATION:-40}
CYCLE=${CYCLE:-20}
LOSS=${LOSS:-5}
RATE=${RATE:-5}
all=$(seq -s ' ' 1 "$NODES")

# Totem timing of the nodes (ais-cluster writes it into every aisexec.conf);
# join and merge stay at their defaults (50 ms, 200 ms). The token is
# resent every 100 ms: with LOSS % dropped at both ends a hop loses about
# twice that, and the derived interval (token / 4.2, 404 ms here) leaves
# room for only four lost hops in a rotation of nine, so the ring would lose
# its token every half minute or so without any partition
# (TOKEN_RETRANSMIT=0 derives it, to see that).
TOKEN=1000
TOKEN_COEFFICIENT=100
TOKEN_RETRANSMIT=${TOKEN_RETRANSMIT:-100}
JOIN=50
MERGE=200
token_eff=$((TOKEN + (NODES - 2) * TOKEN_COEFFICIENT))
consensus=$((token_eff * 12 / 10))
# Liveness after the last fault (REFERENCE 1.9e, invariant 9): one ring of
# every node by token + consensus + merge + a few joins. Twice that: the
# machine is shared (2 cores, nine daemons and their clients, sanitizers),
# and a gather started just before the clear may have to run out its
# consensus timer once before everyone agrees.
bound_ms=$((2 * (token_eff + consensus + MERGE + 4 * JOIN)))

[[ "$DURATION" =~ ^[0-9]+$ ]] && [ "$DURATION" -ge "$CYCLE" ] || fail "DURATION must be at least CYCLE ($CYCLE) seconds"
[ $((CYCLE / 2)) -ge 5 ] || fail "CYCLE must be at least 10 seconds"

now_ms() { echo $(($(date +%s%N) / 1000000)); }
secs() { printf '%d.%03d' $(($1 / 1000)) $(($1 % 1000)); }

# "RING_ID IDS" as node i sees it (ids comma separated), or "? " when it
# does not answer.
view_of() {
	local out ring ids
	out=$(members_json "$1" 2>/dev/null) || { echo "? "; return 0; }
	ring=$(printf '%s' "$out" | sed -n 's/.*"ring_id": *"\([^"]*\)".*/\1/p')
	ids=$(printf '%s' "$out" | grep -o '"nodeid": *[0-9]*' | grep -o '[0-9]*$' | sort -n | paste -sd, -)
	echo "${ring:-?} $ids"
}

# Sample every node: sets $picture to the rings as "ring{members}" groups,
# remembers every ring id each node reported (in $seen) and the last one
# (in $now_ring).
declare -A seen now_ring
picture=""
sample() {
	local i v groups=""
	local -A by_ring=()
	for i in $all; do
		v=$(view_of "$i")
		case " ${seen[$i]:-} " in *" ${v%% *} "*) ;; *) seen[$i]="${seen[$i]:-} ${v%% *}" ;; esac
		now_ring[$i]=${v%% *}
		by_ring["$v"]+="$i,"
	done
	for v in "${!by_ring[@]}"; do groups+=" ${v%% *}{${v#* }}"; done
	picture=$(echo "$groups" | tr ' ' '\n' | sed '/^$/d' | sort -t'{' -k2 -n | paste -sd' ' -)
}

# fault_on I ARGS: `aistool fault ARGS` on node I, repeated while the daemon
# answers "busy" (its send queue is full or a ring is forming); gives up after
# FAULT_LIMIT seconds. Prints what went wrong to stderr.
FAULT_LIMIT=60
fault_on() {
	local i=$1 out rc deadline
	shift
	deadline=$(($(now_ms) + FAULT_LIMIT * 1000))
	while :; do
		rc=0
		out=$(timeout "$FAULT_LIMIT" "$AISTOOL" -i "$(inst "$i")" fault "$@" 2>&1) || rc=$?
		[ "$rc" != 0 ] || return 0
		if ! grep -q 'try again' <<<"$out" || [ "$(now_ms)" -ge "$deadline" ]; then
			echo "n$i: aistool fault $* (exit $rc): $out" >&2
			return 1
		fi
		sleep 0.2
	done
}

# How many fault KIND requests each node has applied (their logs), in node
# order, one grep for all.
applied_counts() {
	local i files=()
	for i in $all; do files+=("$work/n$i/aisexec.log"); done
	grep -c "fault $1 applied (requested by node" "${files[@]}" | sed 's/.*://' | paste -sd' ' -
}

# In the background: `fault_on I ARGS`; wait_bg waits for all of them and
# fails the test if one failed.
bg_pids=()
run_bg() {
	fault_on "$@" 2>>"$work/fault.err" &
	bg_pids+=("$!")
}
wait_bg() {
	local p bad=0
	for p in "${bg_pids[@]}"; do wait "$p" || bad=1; done
	bg_pids=()
	[ "$bad" = 0 ] || cpg_fail "a fault request failed: no ring formed to carry it within ${FAULT_LIMIT}s:
$(cat "$work/fault.err")"
}

# fault_ring "GROUPS" KIND ARGS: make every node of GROUPS ("1 2|3 4": the
# rings the nodes are expected to be in) apply `fault KIND ARGS`, a request
# that the asked node multicasts to its ring, where every member applies it
# at the same point of the message stream. Asks one node of each group that
# has not applied it yet, all at once, and waits until each asked node has
# (so that no request is left in a queue, to be applied later after a
# heal); then reads in the logs which nodes have, and asks again where it is
# still missing (the rings were not what they seemed).
fault_ring() {
	local groups=$1 kind=$2 g i missing asking until=0
	local -a before now gs
	shift 2
	read -ra before <<<"$(applied_counts "$kind")"
	while :; do
		# after requests, give the other members' logs a second to show them
		while :; do
			read -ra now <<<"$(applied_counts "$kind")"
			missing=0 asking=""
			IFS='|' read -ra gs <<<"$groups"
			for g in "${gs[@]}"; do
				for i in $g; do
					[ "${now[i - 1]}" -le "${before[i - 1]}" ] || continue
					missing=1
					asking+=" $i"
					break
				done
			done
			[ "$missing" = 1 ] || return 0
			[ "$(now_ms)" -lt "$until" ] || break
			sleep 0.1
		done
		until=$(($(now_ms) + 1000))
		for i in $asking; do
			run_bg "$i" "$kind" "$@"
			asked+=1
		done
		wait_bg
	done
}

# The nodes of "NODES" grouped by the ring they last reported: "1 2|3 4".
ring_groups() {
	local i out=""
	local -A by=()
	for i in $1; do by[${now_ring[$i]:-?}]+="$i "; done
	for i in "${!by[@]}"; do out+="${by[$i]}|"; done
	echo "${out%|}"
}

# fault_local "NODES" clear: `fault clear` on every node of NODES (it takes
# effect at once there, then goes to the rest of its ring).
fault_local() {
	local i
	for i in $1; do run_bg "$i" "$2"; done
	wait_bg
}
declare -i asked=0

# Sample the rings until time $1 (ms), printing each change of the picture.
watch_until() {
	local until=$1 last=""
	while [ "$(now_ms)" -lt "$until" ]; do
		sample
		if [ "$picture" != "$last" ]; then
			echo "    +$(secs $(($(now_ms) - t_start))) s: $picture"
			last=$picture
		fi
		sleep 1
	done
}

rtx=() rtx_text="derived"
if [ "$TOKEN_RETRANSMIT" != 0 ]; then
	rtx=(--totem "token_retransmit=$TOKEN_RETRANSMIT")
	rtx_text="$TOKEN_RETRANSMIT ms"
fi
step "start $NODES nodes: token $TOKEN ms + $TOKEN_COEFFICIENT ms per node over 2 = $token_eff ms, token_retransmit $rtx_text, consensus $consensus ms; one ring within $(secs "$bound_ms") s of the last fault"
cluster start "$NODES" --fault-injection --token "$TOKEN" --totem "token_coefficient=$TOKEN_COEFFICIENT" \
	"${rtx[@]}" --timeout 120 --quiet || fail "the ring did not form"
ring1=$(expect_ring "$all" $all)

# ring installs so far (the nodes joined one by one), to count from here on
memb_changes() { aistool_on "$1" ring --json | grep -o '"memb_changes": *[0-9]*' | grep -o '[0-9]*$'; }
declare -A changes0
for i in $all; do changes0[$i]=$(memb_changes "$i"); done

step "drop $LOSS% of the frames on every node"
aistool_on 1 fault drop "$LOSS" >/dev/null || fail "fault drop failed"
for i in $all; do
	for ((t = 0; t < 50; t++)); do
		grep -q "fault injection: dropping $LOSS% of frames" "$work/n$i/aisexec.log" && break
		sleep 0.1
	done
	[ "$t" -lt 50 ] || fail "n$i did not apply the drop rule"
done

step "a sender on every node ($RATE messages/s each, for ${DURATION} s)"
msgs=$((RATE * (DURATION + 120)))
# each starts sending once all nine are in the group (a message sent before
# a client joined is not in its history)
for i in $all; do hist_start "$i" 1 -n "$msgs" -r "$RATE" -s 20 -z 4096 -w "$NODES"; done
for i in $all; do hist_wait_sent "$i" 1 1; done

splits=("1,2,3,4/5,6,7,8,9" "1,3,5,7,9/2,4,6,8" "4,5,6/7,8,9")
split_names=("{1-4}|{5-9}" "{odd}|{even}" "{1-3}|{4-6}|{7-9}")
sides=("1 2 3 4|5 6 7 8 9" "1 3 5 7 9|2 4 6 8" "1 2 3|4 5 6|7 8 9")
t_start=$(now_ms)
for ((cycle = 0; cycle < DURATION / CYCLE; cycle++)); do
	k=$((cycle % 3))
	# on schedule, or at once if the last cycle ran late
	t_cycle=$((t_start + cycle * CYCLE * 1000))
	[ "$(now_ms)" -ge "$t_cycle" ] || sleep "$(secs $((t_cycle - $(now_ms))))"
	t_cycle=$(now_ms)
	step "cycle $((cycle + 1)) at +$(secs $((t_cycle - t_start))) s: split ${split_names[$k]}"
	asked=0
	sample
	if [ "$k" = 2 ]; then
		# Nodes 4-9 talk only within 4-6 or 7-9; 1-3 refuse the request
		# (in neither group) but 4-9 no longer talk to them: three sides.
		fault_ring "$(ring_groups "4 5 6 7 8 9")" partition "${splits[$k]}"
	else
		fault_ring "$(ring_groups "$all")" partition "${splits[$k]}"
	fi
	echo "    partition applied on its nodes after $(secs $(($(now_ms) - t_cycle))) s ($asked request(s))"
	watch_until $((t_cycle + CYCLE * 500))
	t_heal=$(now_ms)
	step "cycle $((cycle + 1)) at +$(secs $((t_heal - t_start))) s: heal"
	asked=0
	fault_ring "${sides[$k]}" heal
	echo "    healed on every node after $(secs $(($(now_ms) - t_heal))) s ($asked request(s))"
	watch_until $((t_cycle + CYCLE * 1000))
done

step "faults off: fault clear on every node"
fault_local "$all" clear
t_clear=$(now_ms)
conv_ms=""
while [ $(($(now_ms) - t_clear)) -lt $((bound_ms + 60000)) ]; do
	first="" ok=1
	for i in $all; do
		v=$(view_of "$i")
		[ -n "$first" ] || first=$v
		[ "$v" = "$first" ] && [ "${v#* }" = "${all// /,}" ] || ok=0
	done
	if [ "$ok" = 1 ]; then
		conv_ms=$(($(now_ms) - t_clear))
		break
	fi
	sleep 0.1
done
if [ -z "$conv_ms" ]; then
	sample
	cpg_fail "no single ring of all $NODES nodes $(secs $((bound_ms + 60000))) s after the clear (bound $(secs "$bound_ms") s): $picture"
fi
final_ring=${first%% *}
echo "    one ring $final_ring of all $NODES nodes $(secs "$conv_ms") s after the clear (bound $(secs "$bound_ms") s)"
[ "$conv_ms" -le "$bound_ms" ] ||
	cpg_fail "one ring only $(secs "$conv_ms") s after the clear; the bound is $(secs "$bound_ms") s = 2 x (token $token_eff + consensus $consensus + merge $MERGE + 4 x join $JOIN) ms"

step "stop the clients after a quiet period"
t_stop=$(now_ms)
hist_stop_all $(for i in $all; do echo "$i.1"; done)
echo "    stopped after $(secs $(($(now_ms) - t_stop))) s"
# still that ring: no configuration change once the faults were gone
r=$(expect_ring "$(seq -s ' ' 1 "$NODES")" $all)
[ "$r" = "$final_ring" ] || cpg_fail "the ring changed after the faults were cleared: $final_ring -> $r"
for i in $all; do
	last=$(grep ' C R ' "$work/hist.$i.1.log" | tail -n 1)
	[[ "$last" == *" C R $final_ring m=${all// /,} "* ]] ||
		cpg_fail "n$i: the last configuration its client saw is not ring $final_ring of every node: $last"
done

step "configuration changes per node"
for i in $all; do
	regular=$(grep -c ' C R ' "$work/hist.$i.1.log")
	changes=$(($(memb_changes "$i") - changes0[$i]))
	echo "    n$i: $changes configuration changes (ring installs), $((regular - 1)) after the first" \
		"regular configuration its client saw; $(hist_sent "$i" 1) sent, $(hist_delivered "$i" 1)" \
		"delivered; ring ids seen:${seen[$i]:-}"
done

step "histcheck"
check_histories
cluster stop --quiet || fail "stop reported an error"
test_ok=1
echo "PASS: $test_name ($cycle cycles in ${DURATION} s at $LOSS% loss; rings $ring1 -> $final_ring," \
	"one ring $(secs "$conv_ms") s after the clear, bound $(secs "$bound_ms") s)"
