#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Partition and heal with the fault filter while every node sends: the ring
# splits into {1..N-1} and {N} (`aistool fault partition`), both sides go on
# delivering their own messages, `fault clear` on both sides merges them.
# histcheck checks every log; each side must have seen the split and the
# merge.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cpglib.sh"
NODES=${NODES:-3}
MSGS=${MSGS:-1200}
RATE=${RATE:-150}
lone=$NODES
rest=$(seq -s ' ' 1 $((NODES - 1)))
all="$rest $lone"

step "start $NODES nodes"
cluster start "$NODES" --fault-injection --token 1000 --quiet || fail "the ring did not form"
ring1=$(expect_ring "$all" $all)

step "a sender on every node ($MSGS messages at $RATE/s)"
for i in $all; do hist_start "$i" 1 -n "$MSGS" -r "$RATE" -s 25 -z 16384 -w "$NODES"; done
hist_wait_sent 1 1 $((MSGS / 6))

step "partition ${rest// /,}/$lone"
aistool_on 1 fault partition "${rest// /,}/$lone" || fail "fault partition failed"
for i in $rest; do wait_members "$i" "$rest"; done
wait_members "$lone" "$lone"
ring2=$(ring_of 1)
# both sides keep delivering on their own
s1=$(hist_sent 1 1) s3=$(hist_sent "$lone" 1)
# both sides go on sending (50 more each, or to the end when a slow
# detection let a sender come close to its last message)
hist_wait_sent 1 1 $((s1 + 50 < MSGS ? s1 + 50 : MSGS))
hist_wait_sent "$lone" 1 $((s3 + 50 < MSGS ? s3 + 50 : MSGS))

step "fault clear on both sides: the rings merge"
aistool_on 1 fault clear || fail "fault clear on n1 failed"
aistool_on "$lone" fault clear || fail "fault clear on n$lone failed"
cluster wait --timeout 60 --quiet || fail "the partitions did not merge"
ring3=$(expect_ring "$(seq -s ' ' 1 "$NODES")" $all)
for i in $all; do hist_wait_done "$i" 1; done

step "stop the clients after a quiet period"
hist_stop_all $(for i in $all; do echo "$i.1"; done)
grep -q " C R .* m=$lone l=" "$work/hist.$lone.1.log" || cpg_fail "n$lone logged no ring of its own"
for i in $rest; do
	grep -q " C R .* l=$lone j=" "$work/hist.$i.1.log" || cpg_fail "n$i logged no ring without n$lone"
	grep -q " C R .* j=$lone\$" "$work/hist.$i.1.log" || cpg_fail "n$i logged no merge with n$lone"
done
# the lone node's messages sent during the partition reached the others
# after the merge only if sent after it; its own log has all of them
expect_delivered "$lone" 1 "$(hist_delivered "$lone" 1)"

step "histcheck"
check_histories
cluster stop --quiet || fail "stop reported an error"
test_ok=1
echo "PASS: $test_name (rings $ring1 -> $ring2 -> $ring3)"
