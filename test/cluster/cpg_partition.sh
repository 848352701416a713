#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Partition and heal with the fault filter while every node sends: the ring
# splits into {1..N-1} and {N} (`aistool fault partition`), both sides go on
# delivering their own messages, `fault clear` on both sides merges them.
# Checked from the delivery logs: during the partition the nodes of a side
# deliver the same sequence, which holds messages each sender of that side
# sent after the partition was set and none of the other side; after the
# merge every node delivers the same sequence, with messages of every
# sender; histcheck is clean over every log; each side saw the split and
# the merge.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cpglib.sh"
NODES=${NODES:-3}
MSGS=${MSGS:-100000} # each sender's maximum: the test stops the senders itself
RATE=${RATE:-150}
PRE=${PRE:-200}      # messages node 1 sends before the partition
PART=${PART:-30}     # each node delivers this many of every sender of its side during the partition
POST=${POST:-30}     # and this many of every sender after the merge
lone=$NODES
rest=$(seq -s ' ' 1 $((NODES - 1)))
all="$rest $lone"

now_us() { date +%s%6N; }

# seg I SIDE OTHER part|merge: the deliveries ("sender msgid") in node I's
# log during the partition (from its first regular configuration with
# members of SIDE only, to its first one with a member of OTHER; the
# transitional configuration at the end included) or after the merge.
seg() {
	awk -v side="$2" -v other="$3" -v want="$4" '
	function set(s, arr,   a, n, i) { n = split(s, a, " "); for (i = 1; i <= n; i++) arr[a[i]] = 1 }
	function only(l, arr,   a, n, i) { n = split(l, a, ","); if (n == 0) return 0
		for (i = 1; i <= n; i++) if (!(a[i] in arr)) return 0; return 1 }
	function any(l, arr,   a, n, i) { n = split(l, a, ","); for (i = 1; i <= n; i++) if (a[i] in arr) return 1; return 0 }
	BEGIN { set(side, S); set(other, O); state = 0 }
	$2 == "C" && $3 == "R" {
		m = $5; sub("^m=", "", m)
		if (state == 0 && only(m, S)) state = 1
		else if (state == 1 && any(m, O)) state = 2
		next
	}
	$2 == "D" && ((want == "part" && state == 1) || (want == "merge" && state == 2)) { print $3, $4 }
	' "$work/hist.$1.1.log"
}

# per_sender T0 < seg output: "sender count" of the deliveries whose message
# its sender sent (S line in the sender's log) at or after T0 (microseconds).
per_sender() {
	awk -v t0="$1" '
	FILENAME != "-" { if ($2 == "S") { ts = substr($1, 2); sent[$3] = ts }; next }
	($2 in sent) && sent[$2] + 0 >= t0 + 0 { c[$1]++ }
	END { for (k in c) print k, c[k] }' "$work"/hist.*.1.log -
}
count_of() { awk -v s="$1" '$1 == s { n = $2 } END { print n + 0 }'; }

# wait_seg I SIDE OTHER part|merge T0 N: wait until node I delivered, in
# that segment, N messages sent at or after T0 from every node of SIDE
# (part) or of the whole cluster (merge).
wait_seg() {
	local i=$1 side=$2 other=$3 what=$4 t0=$5 n=$6 t s c ok senders
	senders=$side
	[ "$what" = part ] || senders="$side $other"
	for ((t = 0; t < 600; t++)); do
		ok=1
		c=$(seg "$i" "$side" "$other" "$what" | per_sender "$t0")
		for s in $senders; do
			[ "$(count_of "$s" <<<"$c")" -ge "$n" ] || { ok=0; break; }
		done
		[ "$ok" = 1 ] && return 0
		sleep 0.1
	done
	cpg_fail "n$i did not deliver $n messages of each of nodes $senders in the $what segment within 60s (per sender: $(echo $c))"
}

step "start $NODES nodes"
cluster start "$NODES" --fault-injection --token 1000 --quiet || fail "the ring did not form"
ring1=$(expect_ring "$all" $all)

step "a sender on every node (at most $MSGS messages at $RATE/s)"
for i in $all; do hist_start "$i" 1 -n "$MSGS" -r "$RATE" -s 25 -z 16384 -w "$NODES"; done
hist_wait_sent 1 1 "$PRE"

step "partition ${rest// /,}/$lone"
t_part=$(now_us)
aistool_on 1 fault partition "${rest// /,}/$lone" || fail "fault partition failed"
for i in $rest; do wait_members "$i" "$rest"; done
wait_members "$lone" "$lone"
ring2=$(ring_of 1)
# both sides deliver messages sent during the partition, each on its own
for i in $rest; do wait_seg "$i" "$rest" "$lone" part "$t_part" "$PART"; done
wait_seg "$lone" "$lone" "$rest" part "$t_part" "$PART"

step "fault clear on both sides: the rings merge"
t_clear=$(now_us)
aistool_on 1 fault clear || fail "fault clear on n1 failed"
aistool_on "$lone" fault clear || fail "fault clear on n$lone failed"
cluster wait --timeout 60 --quiet || fail "the partitions did not merge"
ring3=$(expect_ring "$(seq -s ' ' 1 "$NODES")" $all)
for i in $rest; do wait_seg "$i" "$rest" "$lone" merge "$t_clear" "$POST"; done
wait_seg "$lone" "$lone" "$rest" merge "$t_clear" "$POST"

step "stop the clients (they deliver until quiet)"
hist_stop_all $(for i in $all; do echo "$i.1"; done)
grep -q " C R .* m=$lone l=" "$work/hist.$lone.1.log" || cpg_fail "n$lone logged no ring of its own"
for i in $rest; do
	grep -q " C R .* l=$lone j=" "$work/hist.$i.1.log" || cpg_fail "n$i logged no ring without n$lone"
	grep -q " C R .* j=$lone\$" "$work/hist.$i.1.log" || cpg_fail "n$i logged no merge with n$lone"
done

step "the delivery logs: same sequences within a side, only that side's messages, the same after the merge"
seg "$lone" "$lone" "$rest" part >"$work/part.$lone"
for i in $rest; do seg "$i" "$rest" "$lone" part >"$work/part.$i"; done
for i in $rest; do
	cmp -s "$work/part.1" "$work/part.$i" ||
		cpg_fail "n1 and n$i delivered different sequences during the partition: $(diff "$work/part.1" "$work/part.$i" | head -n 5)"
done
for i in $all; do
	if [ "$i" = "$lone" ]; then other=$rest; else other=$lone; fi
	for s in $other; do
		! awk -v s="$s" '$1 == s { found = 1 } END { exit !found }' "$work/part.$i" ||
			cpg_fail "n$i delivered a message of n$s during the partition: $(awk -v s="$s" '$1 == s' "$work/part.$i" | head -n 1)"
	done
	awk '{ split($2, a, ":"); if (a[1] != $1) { print; exit 1 } }' "$work/part.$i" >/dev/null ||
		cpg_fail "n$i: a delivery's sender differs from its message id's origin"
done
for i in $all; do
	if [ "$i" = "$lone" ]; then seg "$i" "$lone" "$rest" merge; else seg "$i" "$rest" "$lone" merge; fi >"$work/merge.$i"
	cmp -s "$work/merge.1" "$work/merge.$i" ||
		cpg_fail "n1 and n$i delivered different sequences after the merge: $(diff "$work/merge.1" "$work/merge.$i" | head -n 5)"
	! grep -q '^@[0-9]* D .* bad$' "$work/hist.$i.1.log" ||
		cpg_fail "n$i delivered a message with a bad checksum: $(grep -m1 ' bad$' "$work/hist.$i.1.log")"
done
echo "partition: $(wc -l <"$work/part.1") deliveries on ${rest// /,}, $(wc -l <"$work/part.$lone") on $lone; merged: $(wc -l <"$work/merge.1") on every node"

step "histcheck"
check_histories
cluster stop --quiet || fail "stop reported an error"
test_ok=1
echo "PASS: $test_name (rings $ring1 -> $ring2 -> $ring3)"
