#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# AMF across a partition and its merge. 2N with su1 on n1 (active) and su2
# on n2 (standby); n3 hosts no SU. Cut n1 off (n1 | n2 n3): each side acts
# on its own view, so su2 becomes active on the larger side while n1's
# side still runs su1 (without quorum both sides serve: the split the
# configuration allows). On the merge the larger side's state wins
# (docs/amf.md "Sync"): n1 takes it, its components are reset (killed and
# started again) and su1 comes back as the standby. Afterwards exactly one
# active, every node reports the same status, and no process of su1's old
# incarnation runs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/amflib.sh"

si=$(si_dn 1)

step "start 3 nodes with fault injection, 2N with su1 on n1 and su2 on n2"
AMF_RECOVERY=component_failover amf_conf 2n 2 1
amf_start 3 --fault-injection --token 1000
amf_on=3
amf_wait_settled "1 2 3"
if [ "$(amf_active_of "$si")" != "$(su_dn 1)" ]; then
	amf_admin 3 si-swap "$si" >/dev/null
	amf_wait_active "$si" "$(su_dn 1)" 3
	amf_wait_settled "1 2 3"
fi
old_pid=$(amf_comp_pid 1)
[ -n "$old_pid" ] || amf_fail "no pid for c1"

step "partition n1 | n2 n3: both sides have an active"
aistool_on 1 fault partition "1/2,3" >/dev/null || amf_fail "fault partition failed"
wait_members 1 "1"
wait_members 2 "2 3"
amf_wait_active "$si" "$(su_dn 2)" 3
amf_wait_settled "2 3"
amf_wait_settled "1"
[ "$(amf_active_of "$si" 1)" = "$(su_dn 1)" ] || amf_fail "n1's side lost its active: $(amf_active_of "$si" 1)"

step "heal: the larger side's state wins, su1 comes back as the standby"
for i in 1 2 3; do aistool_on "$i" fault clear >/dev/null || amf_fail "fault clear on n$i failed"; done
cluster wait --timeout 60 --quiet || amf_fail "the rings did not merge"
amf_wait_standby "$si" "$(su_dn 1)" 3
amf_wait_settled "1 2 3"
[ "$(amf_active_of "$si")" = "$(su_dn 2)" ] || amf_fail "si1 active on '$(amf_active_of "$si")', expected su2 only"
for i in 1 2 3; do
	[ "$(amf_active_of "$si" "$i" | wc -l)" = 1 ] || amf_fail "n$i reports $(amf_active_of "$si" "$i" | wc -l) actives"
done
grep -q "amf: sync: state of node [23] (running, group of 2) installed" "$work/n1/aisexec.log" ||
	amf_fail "n1 did not install the larger side's state"
! kill -0 "$old_pid" 2>/dev/null || amf_fail "su1's old process $old_pid survived the reset"

step "stop"
cluster stop >/dev/null || amf_fail "stop reported an error"
test_ok=1
echo "PASS: $test_name"
