#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# AMF N+M and N-way active with several SIs on 3 nodes.
#  - N+M (N=2, M=1; at most 1 active SI and 2 standby SIs per SU; su1..su3
#    on n1..n3; si1, si2): each SI active on its own SU, the third SU
#    standby for both. Kill the node of si1's active SU: si1 is promoted on
#    the standby SU, both SIs stay active on different live SUs. The node
#    restarted comes back as the standby of both.
#  - N-way active (3 SUs, si1 and si2 with 2 active assignments each): every
#    SI active on 2 distinct SUs, no standby. Kill a node: every SI active
#    on both remaining SUs. Restart it: each SI still has 2 actives.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/amflib.sh"

si1=$(si_dn 1)
si2=$(si_dn 2)

# count_lines TEXT: non-empty lines.
count_lines() { grep -c . <<<"$1" || true; }

step "N+M: start 3 nodes, 3 SUs, 2 SIs"
AMF_HC=none AMF_NPM_N=2 AMF_NPM_M=1 AMF_MAX_ACTIVE_PER_SU=1 AMF_MAX_STANDBY_PER_SU=2 amf_conf nplusm 3 2
amf_start 3
amf_wait_settled "1 2 3"
a1=$(amf_active_of "$si1")
a2=$(amf_active_of "$si2")
s1=$(amf_standby_of "$si1")
s2=$(amf_standby_of "$si2")
echo "si1: active $a1, standby $s1; si2: active $a2, standby $s2"
[ "$(count_lines "$a1")" = 1 ] && [ "$(count_lines "$a2")" = 1 ] || amf_fail "each SI needs exactly one active"
[ "$a1" != "$a2" ] || amf_fail "both SIs active on $a1 (at most one per SU)"
[ -n "$s1" ] && [ "$s1" = "$s2" ] || amf_fail "the standby SU should back both SIs: '$s1' / '$s2'"
[ "$s1" != "$a1" ] && [ "$s1" != "$a2" ] || amf_fail "the standby SU is also active"
for j in 1 2; do
	[ "$(amf_field si "$(si_dn "$j")" assignment)" = FULLY_ASSIGNED ] || amf_fail "si$j not FULLY_ASSIGNED"
	grep -qF "csi-set $(csi_dn "$j") ACTIVE" "$amf_log" || amf_fail "no component got csi$j ACTIVE"
	grep -qF "csi-set $(csi_dn "$j") STANDBY" "$amf_log" || amf_fail "no component got csi$j STANDBY"
done

step "N+M: kill the node of si1's active SU"
k=$(su_index "$a1")
dead=$(su_node "$k")
live=$(seq 1 3 | grep -vx "$dead" | tr '\n' ' ')
live=${live% }
amf_on=${live%% *}
mark=$(amf_mark)
cluster kill "$dead" >/dev/null || amf_fail "cannot kill n$dead"
wait_members "$amf_on" "$live"
amf_wait_active "$si1" "$s1"
amf_wait_settled "$live"
n1=$(amf_active_of "$si1")
n2=$(amf_active_of "$si2")
[ "$n2" = "$a2" ] || amf_fail "si2 moved from $a2 to $n2"
[ "$n1" != "$n2" ] || amf_fail "both SIs active on one SU"
amf_log_wait "$mark" "csi-set $(csi_dn 1) ACTIVE"
echo "si1 now active on $n1, si2 on $n2"

step "N+M: restart n$dead: su$k becomes the standby of both SIs"
cluster restart "$dead" >/dev/null || amf_fail "n$dead did not come back"
amf_wait_standby "$si1" "$(su_dn "$k")"
amf_wait_standby "$si2" "$(su_dn "$k")"
amf_wait_settled "1 2 3"
[ "$(amf_active_of "$si1")" = "$n1" ] && [ "$(amf_active_of "$si2")" = "$n2" ] || amf_fail "actives moved back"
cluster stop >/dev/null || amf_fail "stop reported an error"
amf_kill_comps

step "N-way active: start 3 nodes, 3 SUs, 2 SIs with 2 actives each"
: >"$amf_log"
rm -f "$amf_ctl"/*
amf_on=1
AMF_HC=none AMF_SI_ACTIVE=2 amf_conf nwayactive 3 2
amf_start 3
amf_wait_settled "1 2 3"
for j in 1 2; do
	act=$(amf_active_of "$(si_dn "$j")")
	[ "$(count_lines "$act")" = 2 ] || amf_fail "si$j active on '$(echo $act)', expected 2 SUs"
	[ "$(sort -u <<<"$act" | wc -l)" = 2 ] || amf_fail "si$j twice on one SU"
	[ -z "$(amf_standby_of "$(si_dn "$j")")" ] || amf_fail "N-way active with a standby for si$j"
	echo "si$j active on $(echo $act)"
done

step "N-way active: kill n3; every SI active on su1 and su2"
cluster kill 3 >/dev/null || amf_fail "cannot kill n3"
wait_members 1 "1 2"
want=$(printf '%s\n%s' "$(su_dn 1)" "$(su_dn 2)")
for j in 1 2; do
	amf_wait_until "si$j active on su1 and su2" 120 eval \
		'amf_is_settled && [ "$(amf_active_of "$(si_dn '"$j"')" | sort)" = "$want" ]'
done
amf_wait_settled "1 2"

step "N-way active: restart n3; each SI keeps 2 actives"
cluster restart 3 >/dev/null || amf_fail "n3 did not come back"
amf_wait_until "su3 instantiated" 120 eval \
	'amf_is_settled && [ "$(amf_field comp "$(comp_dn 3)" presence)" = INSTANTIATED ]'
amf_wait_settled "1 2 3"
for j in 1 2; do
	[ "$(count_lines "$(amf_active_of "$(si_dn "$j")")")" = 2 ] || amf_fail "si$j lost an active after n3 returned"
done

cluster stop >/dev/null || amf_fail "stop reported an error"
test_ok=1
echo "PASS: $test_name"
