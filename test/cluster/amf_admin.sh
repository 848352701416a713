#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# AMF administrative operations through `aistool amf` on a 2N service group
# of 3 SUs (su1..su3 on n1..n3: active, standby, spare). lock of the active
# SU: its active is quiesced and removed, the standby becomes active with
# transition "quiesced", the spare becomes standby; unlock brings the SU
# back without moving anything. si-swap: the active is QUIESCED, the
# standby becomes ACTIVE (quiesced), then the old active STANDBY.
# shutdown: QUIESCING and quiescing complete, the SU ends LOCKED.
# lock-instantiation terminates the SU's component, unlock-instantiation
# starts it again. Locking and unlocking an SI and a node. Errors:
# SA_AIS_ERR_NO_OP, SA_AIS_ERR_NOT_EXIST, SA_AIS_ERR_BAD_OPERATION.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/amflib.sh"

si=$(si_dn 1)
csi=$(csi_dn 1)

# line_of MARK REGEX: the number (after MARK) of the first matching log line.
line_of() { amf_log_since "$1" | cut -d' ' -f2- | grep -nE "$2" | head -n 1 | cut -d: -f1; }

step "start 3 nodes, 2N with 3 SUs"
AMF_HC=none amf_conf 2n 3 1
amf_start 3
amf_wait_settled "1 2 3"
a=$(su_index "$(amf_active_of "$si")")
b=$(su_index "$(amf_standby_of "$si")")
[ -n "$a" ] && [ -n "$b" ] || amf_fail "no active or standby for si1"
c=$((6 - a - b))
echo "active su$a, standby su$b, spare su$c"
[ "$(amf_field su "$(su_dn "$c")" presence)" = INSTANTIATED ] || amf_fail "spare su$c not instantiated"

step "lock su$a: su$b active, su$c standby"
mark=$(amf_mark)
amf_admin 1 lock "$(su_dn "$a")"
amf_wait_active "$si" "$(su_dn "$b")"
amf_wait_standby "$si" "$(su_dn "$c")"
amf_wait_settled "1 2 3"
[ "$(amf_field su "$(su_dn "$a")" admin)" = LOCKED ] || amf_fail "su$a not LOCKED"
st=$(amf_status)
! grep -q "^si-assignment $si $(su_dn "$a") " <<<"$st" || amf_fail "su$a still has an assignment"
amf_log_wait "$mark" "^$(comp_dn "$a") csi-set $csi QUIESCED"
amf_log_wait "$mark" "^$(comp_dn "$a") csi-remove "
amf_log_wait "$mark" "^$(comp_dn "$b") csi-set $csi ACTIVE quiesced$"
[ "$(line_of "$mark" "^$(comp_dn "$a") csi-set $csi QUIESCED")" -lt \
	"$(line_of "$mark" "^$(comp_dn "$b") csi-set $csi ACTIVE")" ] || amf_fail "the standby became active before the active was quiesced"
amf_admin_err 2 lock "$(su_dn "$a")" SA_AIS_ERR_NO_OP

step "unlock su$a: back in service, nothing moves"
amf_admin 2 unlock "$(su_dn "$a")"
amf_wait_until "su$a UNLOCKED and settled" 120 eval '[ "$(amf_field su "$(su_dn "$a")" admin)" = UNLOCKED ] && amf_is_settled'
amf_wait_settled "1 2 3"
[ "$(amf_active_of "$si")" = "$(su_dn "$b")" ] || amf_fail "the active moved after unlock"
[ "$(amf_standby_of "$si")" = "$(su_dn "$c")" ] || amf_fail "the standby moved after unlock"
amf_admin_err 3 unlock "$(su_dn "$a")" SA_AIS_ERR_NO_OP

step "si-swap si1: su$c active, su$b standby"
mark=$(amf_mark)
amf_admin 3 si-swap "$si"
amf_wait_active "$si" "$(su_dn "$c")"
amf_wait_standby "$si" "$(su_dn "$b")"
amf_wait_settled "1 2 3"
amf_log_wait "$mark" "^$(comp_dn "$b") csi-set $csi STANDBY"
q=$(line_of "$mark" "^$(comp_dn "$b") csi-set $csi QUIESCED")
n=$(line_of "$mark" "^$(comp_dn "$c") csi-set $csi ACTIVE quiesced$")
s=$(line_of "$mark" "^$(comp_dn "$b") csi-set $csi STANDBY")
[ -n "$q" ] && [ -n "$n" ] && [ -n "$s" ] || amf_fail "swap callbacks missing: quiesced '$q' active '$n' standby '$s'"
[ "$q" -lt "$n" ] || amf_fail "su$c became active before su$b was quiesced"

step "shutdown su$c (active): QUIESCING, then LOCKED; su$b active, su$a standby"
mark=$(amf_mark)
amf_admin 1 shutdown "$(su_dn "$c")"
amf_log_wait "$mark" "^$(comp_dn "$c") csi-set $csi QUIESCING"
amf_log_wait "$mark" "^$(comp_dn "$c") quiescing-complete "
amf_wait_active "$si" "$(su_dn "$b")"
amf_wait_standby "$si" "$(su_dn "$a")"
amf_wait_settled "1 2 3"
[ "$(amf_field su "$(su_dn "$c")" admin)" = LOCKED ] || amf_fail "su$c is $(amf_field su "$(su_dn "$c")" admin) after shutdown, expected LOCKED"

step "lock-instantiation su$c: its component is terminated"
mark=$(amf_mark)
pid=$(amf_comp_pid "$c")
amf_admin 2 lock-instantiation "$(su_dn "$c")"
amf_log_wait "$mark" "^$(comp_dn "$c") terminate$"
amf_wait_until "c$c UNINSTANTIATED" 120 eval '[ "$(amf_field comp "$(comp_dn "$c")" presence)" = UNINSTANTIATED ]'
amf_wait_settled "1 2 3"
[ "$(amf_field su "$(su_dn "$c")" admin)" = LOCKED_INSTANTIATION ] || amf_fail "su$c not LOCKED_INSTANTIATION"
[ -z "$pid" ] || amf_wait_until "c$c (pid $pid) gone" 60 eval '! kill -0 '"$pid"' 2>/dev/null'
amf_admin_err 2 lock-instantiation "$(su_dn "$c")" SA_AIS_ERR_NO_OP

step "unlock-instantiation, unlock su$c"
mark=$(amf_mark)
amf_admin 3 unlock-instantiation "$(su_dn "$c")"
amf_log_wait "$mark" "^$(comp_dn "$c") registered$"
amf_wait_until "c$c INSTANTIATED" 120 eval '[ "$(amf_field comp "$(comp_dn "$c")" presence)" = INSTANTIATED ]'
[ "$(amf_field su "$(su_dn "$c")" admin)" = LOCKED ] || amf_fail "su$c not LOCKED after unlock-instantiation"
amf_admin 3 unlock "$(su_dn "$c")"
amf_wait_until "su$c UNLOCKED" 120 eval '[ "$(amf_field su "$(su_dn "$c")" admin)" = UNLOCKED ]'
amf_wait_settled "1 2 3"

step "lock and unlock the SI"
amf_admin 1 lock "$si"
amf_wait_until "si1 LOCKED and unassigned" 120 eval \
	'amf_is_settled && [ "$(amf_field si "$si" admin)" = LOCKED ] && [ "$(amf_field si "$si" assignment)" = UNASSIGNED ]'
[ -z "$(amf_active_of "$si")$(amf_standby_of "$si")" ] || amf_fail "a locked SI keeps assignments"
amf_admin 1 unlock "$si"
amf_wait_until "si1 FULLY_ASSIGNED" 120 eval \
	'amf_is_settled && [ "$(amf_field si "$si" assignment)" = FULLY_ASSIGNED ]'
amf_wait_settled "1 2 3"

step "lock the node of the active SU, unlock it"
act=$(su_index "$(amf_active_of "$si")")
nd=$(su_node "$act")
amf_admin 1 lock "$(node_dn "$nd")"
amf_wait_until "si1 active away from n$nd" 120 eval \
	'amf_is_settled && [ -n "$(amf_active_of "$si")" ] && [ "$(amf_active_of "$si")" != "$(su_dn "$act")" ]'
[ "$(amf_field node "$(node_dn "$nd")" admin)" = LOCKED ] || amf_fail "n$nd not LOCKED"
amf_admin 1 unlock "$(node_dn "$nd")"
amf_wait_until "n$nd UNLOCKED" 120 eval '[ "$(amf_field node "$(node_dn "$nd")" admin)" = UNLOCKED ]'
amf_wait_settled "1 2 3"

step "errors"
amf_admin_err 1 lock "safSu=nosuch,safSg=sg,safApp=app" SA_AIS_ERR_NOT_EXIST
amf_admin_err 1 si-swap "safSi=nosuch,safApp=app" SA_AIS_ERR_NOT_EXIST
amf_admin_err 1 lock-instantiation "$(su_dn "$a")" SA_AIS_ERR_BAD_OPERATION
amf_admin_err 1 unlock-instantiation "$(su_dn "$a")" SA_AIS_ERR_BAD_OPERATION
rc=0
aistool_on 1 amf frobnicate "$(su_dn "$a")" >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || amf_fail "an unknown amf command exited $rc, expected 2"

cluster stop >/dev/null || amf_fail "stop reported an error"
test_ok=1
echo "PASS: $test_name"
