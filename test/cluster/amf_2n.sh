#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# AMF 2N on 3 nodes: su1 on n1, su2 on n2 (component failover recovery,
# AMF-invoked healthchecks). On start one SU is active and the other standby
# for si1, the components were told so (csi-set lines) and every node's
# replica reports the same. kill -9 of the active component fails its SU
# over: the standby gets CSI set ACTIVE (not-quiesced), the failed SU is
# repaired, instantiated again and becomes the standby. kill -9 of the
# active node's daemon: the standby on the other node becomes active; the
# node restarted comes back as the standby. The times from each kill to the
# new active's csi-set line are printed into the test log (not checked).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/amflib.sh"

si=$(si_dn 1)
csi=$(csi_dn 1)

step "start 3 nodes with a 2N service group (su1 on n1, su2 on n2)"
AMF_RECOVERY=component_failover amf_conf 2n 2 1
amf_start 3
amf_wait_settled "1 2 3"
act=$(amf_active_of "$si")
sby=$(amf_standby_of "$si")
[ "$(wc -l <<<"$act")" = 1 ] && [ -n "$act" ] || amf_fail "si1 active on '$act', expected one SU"
[ "$(wc -l <<<"$sby")" = 1 ] && [ -n "$sby" ] || amf_fail "si1 standby on '$sby', expected one SU"
[ "$act" != "$sby" ] || amf_fail "active and standby on the same SU $act"
a=$(su_index "$act")
b=$(su_index "$sby")
echo "active su$a (n$(su_node "$a")), standby su$b (n$(su_node "$b"))"
grep -qF "$(comp_dn "$a") csi-set $csi ACTIVE new-assign" "$amf_log" || amf_fail "c$a got no CSI set ACTIVE"
grep -qF "$(comp_dn "$b") csi-set $csi STANDBY" "$amf_log" || amf_fail "c$b got no CSI set STANDBY"
for k in "$a" "$b"; do
	grep -qF "$(comp_dn "$k") registered" "$amf_log" || amf_fail "c$k never registered"
	[ "$(amf_field comp "$(comp_dn "$k")" presence)" = INSTANTIATED ] || amf_fail "c$k not INSTANTIATED"
	[ "$(amf_field su "$(su_dn "$k")" readiness)" = IN_SERVICE ] || amf_fail "su$k not IN_SERVICE"
done
[ "$(amf_field si "$si" assignment)" = FULLY_ASSIGNED ] || amf_fail "si1 not FULLY_ASSIGNED"
mark=$(amf_mark)
amf_log_wait "$mark" "^$(comp_dn "$a") healthcheck alive$" 1
amf_log_wait "$mark" "^$(comp_dn "$b") healthcheck alive$" 1
aistool_on 1 amf status --json | is_json_object || amf_fail "amf status --json is not one JSON object"

step "kill -9 the active component c$a: su$b takes over, su$a comes back as standby"
mark=$(amf_mark)
t0=$(now_ms)
amf_comp_kill "$a" KILL
amf_log_wait "$mark" "^$(comp_dn "$b") csi-set $csi ACTIVE not-quiesced$"
t1=$(amf_log_time "$mark" "^$(comp_dn "$b") csi-set $csi ACTIVE")
echo "takeover after the component kill: $((t1 - t0)) ms (kill to csi-set ACTIVE)"
amf_log_wait "$mark" "^$(comp_dn "$a") registered$"
amf_wait_standby "$si" "$(su_dn "$a")"
amf_wait_settled "1 2 3"
[ "$(amf_active_of "$si")" = "$(su_dn "$b")" ] || amf_fail "si1 active on '$(amf_active_of "$si")', expected su$b"
amf_log_wait "$mark" "^$(comp_dn "$a") csi-set $csi STANDBY"

step "kill -9 the daemon of n$(su_node "$b") (active su$b): su$a on n$(su_node "$a") becomes active"
dead=$(su_node "$b")
live=$(su_node "$a")
amf_on=$live
others=$(seq 1 3 | grep -vx "$dead" | tr '\n' ' ')
others=${others% }
mark=$(amf_mark)
t0=$(now_ms)
cluster kill "$dead" >/dev/null || amf_fail "cannot kill n$dead"
amf_log_wait "$mark" "^$(comp_dn "$a") csi-set $csi ACTIVE"
t1=$(amf_log_time "$mark" "^$(comp_dn "$a") csi-set $csi ACTIVE")
echo "takeover after the node kill: $((t1 - t0)) ms (kill to csi-set ACTIVE)"
wait_members "$live" "$others"
amf_wait_active "$si" "$(su_dn "$a")"
amf_wait_settled "$others"
[ "$(amf_field node "$(node_dn "$dead")" member)" = no ] || amf_fail "n$dead still a member in AMF's view"
[ -z "$(amf_standby_of "$si")" ] || amf_fail "a standby without su$b: $(amf_standby_of "$si")"

step "restart n$dead: su$b comes back as the standby"
mark=$(amf_mark)
cluster restart "$dead" >/dev/null || amf_fail "n$dead did not come back"
amf_wait_standby "$si" "$(su_dn "$b")"
amf_wait_settled "1 2 3"
[ "$(amf_active_of "$si")" = "$(su_dn "$a")" ] || amf_fail "the active moved back to '$(amf_active_of "$si")'"
amf_log_wait "$mark" "^$(comp_dn "$b") csi-set $csi STANDBY"

cluster stop >/dev/null || amf_fail "stop reported an error"
test_ok=1
echo "PASS: $test_name"
