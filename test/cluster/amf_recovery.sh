#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# AMF recovery and escalation on a 2N service group (su1 on n1, su2 on n2,
# su3 on n3 as a spare; recovery component_restart; AMF-invoked
# healthchecks "alive"; saAmfSGCompRestartMax 1 and saAmfSGSuRestartMax 1).
#  - healthcheck hang: the active component stops answering; AMF restarts
#    it in place (cleanup, instantiate, CSI set ACTIVE again; the SI does
#    not move; restarts=1).
#  - error report: the component reports itself with a recommended
#    component_failover (stronger than its configured restart): the SU
#    fails over, the standby becomes active.
#  - component-invoked healthcheck: a component that stops confirming is
#    restarted.
#  - escalation: kill -9 of the active component: the 1st failure is a
#    component restart, the 2nd exceeds CompRestartMax (1) and restarts the
#    SU, the 3rd is a component restart again, the 4th escalates to an SU
#    restart that exceeds SuRestartMax (1): the SU fails over.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/amflib.sh"

si=$(si_dn 1)
csi=$(csi_dn 1)

start_2n() { # $1: AMF_HC value
	AMF_HC=$1 AMF_COMP_RESTART_MAX=1 AMF_SU_RESTART_MAX=1 amf_conf 2n 3 1
	amf_start 3
	amf_wait_settled "1 2 3"
	a=$(su_index "$(amf_active_of "$si")")
	b=$(su_index "$(amf_standby_of "$si")")
	[ -n "$a" ] && [ -n "$b" ] || amf_fail "no active or standby for si1"
	echo "active su$a, standby su$b"
}

# restarted_in_place K MARK: cK was started again, registered and got its
# CSI back ACTIVE; su K stays active.
restarted_in_place() {
	amf_log_wait "$2" "^$(comp_dn "$1") registered$"
	amf_log_wait "$2" "^$(comp_dn "$1") csi-set $csi ACTIVE"
	amf_wait_active "$si" "$(su_dn "$1")"
	amf_wait_settled "1 2 3"
}

step "start 3 nodes: 2N, AMF-invoked healthchecks"
start_2n amf
mark=$(amf_mark)
amf_log_wait "$mark" "^$(comp_dn "$a") healthcheck alive$"

step "healthcheck hang of c$a: restarted in place"
mark=$(amf_mark)
amf_ctl_set "$a" hang
amf_log_wait "$mark" "^$(comp_dn "$a") healthcheck alive unanswered$"
amf_ctl_clear "$a" hang
restarted_in_place "$a" "$mark"
[ "$(amf_field comp "$(comp_dn "$a")" restarts)" -ge 1 ] || amf_fail "c$a restarts not counted"
[ "$(amf_standby_of "$si")" = "$(su_dn "$b")" ] || amf_fail "the standby moved"

step "error report by c$a recommending component_failover: su$b takes over"
mark=$(amf_mark)
amf_ctl_set "$a" recovery component_failover
amf_comp_kill "$a" USR1
amf_log_wait "$mark" "^$(comp_dn "$a") error-report component_failover 1$"
amf_log_wait "$mark" "^$(comp_dn "$b") csi-set $csi ACTIVE"
amf_wait_active "$si" "$(su_dn "$b")"
amf_wait_settled "1 2 3"
amf_ctl_clear "$a" recovery
[ -n "$(amf_standby_of "$si")" ] || amf_fail "no new standby after the failover"

step "escalation: 4 failures of the active c$b"
k=$b
for round in 1 2 3; do
	mark=$(amf_mark)
	amf_comp_kill "$k" KILL
	restarted_in_place "$k" "$mark"
	echo "failure $round: c$k restarted in place, restarts=$(amf_field comp "$(comp_dn "$k")" restarts)"
done
mark=$(amf_mark)
amf_comp_kill "$k" KILL
amf_wait_until "si1 active away from su$k" 120 eval \
	'amf_is_settled && [ -n "$(amf_active_of "$si")" ] && [ "$(amf_active_of "$si")" != "$(su_dn "$k")" ]'
amf_wait_settled "1 2 3"
echo "failure 4: failed over to $(amf_active_of "$si")"
cluster stop >/dev/null || amf_fail "stop reported an error"
amf_kill_comps

step "component-invoked healthcheck: a component that stops confirming is restarted"
: >"$amf_log"
rm -f "$amf_ctl"/*
start_2n component
mark=$(amf_mark)
amf_ctl_set "$a" hang
amf_wait_until "c$a restarted after missing confirmations" 120 _amf_log_has "$mark" "^$(comp_dn "$a") start "
amf_ctl_clear "$a" hang
restarted_in_place "$a" "$mark"

cluster stop >/dev/null || amf_fail "stop reported an error"
test_ok=1
echo "PASS: $test_name"
