#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# AMF protection group tracking (amfpg, libSaAmf only) on a 2N service
# group (su1 on n1, su2 on n2, su3 on n3; component failover recovery).
# Two trackers of csi1 run on n3 from the start, one with
# SA_TRACK_CHANGES and one with SA_TRACK_CHANGES_ONLY; a third starts late
# on n1 (its CURRENT answer must match). After every settled change (first
# assignment, failover after a kill -9, si-swap, loss of a node) the view
# each tracker built from its callbacks equals the CSI's assignments in
# `aistool amf status`. CHANGES callbacks carry the whole group,
# CHANGES_ONLY callbacks never an unchanged member.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/amflib.sh"

si=$(si_dn 1)
csi=$(csi_dn 1)

# views_match [NODE]: both trackers (and the late one, when running) show
# what amf status shows.
views_match() {
	local want t
	want=$(amf_status_pg "$csi")
	for t in "$@"; do
		[ "$(amf_pg_view "$t")" = "$want" ] || return 1
	done
}
check_views() {
	local want
	amf_wait_settled "$live"
	if ! amf_wait_until_quiet views_match "$@"; then
		want=$(amf_status_pg "$csi")
		for t in "$@"; do echo "tracker $t: $(amf_pg_view "$t")" >&2; done
		amf_fail "tracker views differ from amf status ($want)"
	fi
	echo "views: $(amf_pg_view chg)"
}
# Like amf_wait_until but returns 1 instead of failing (60 s).
amf_wait_until_quiet() {
	local t
	for ((t = 0; t < 300; t++)); do
		"$@" && return 0
		sleep 0.2
	done
	return 1
}

step "start 3 nodes (2N, 3 SUs, startup timeout 5 s) and two trackers on n3"
AMF_STARTUP=5000 AMF_RECOVERY=component_failover amf_conf 2n 3 1
amf_start 3
live="1 2 3"
amf_pg_start 3 chg "$csi"
amf_pg_start 3 only -o "$csi"

step "first assignment"
check_views chg only

step "a late tracker on n1 gets the current members"
amf_pg_start 1 late "$csi"
[ "$(awk '$1 == "current" { $1 = ""; $2 = ""; sub(/^ +/, ""); print }' "$work/pg.late.out")" = "$(amf_status_pg "$csi")" ] ||
	amf_fail "late tracker's CURRENT '$(grep ^current "$work/pg.late.out")' differs from $(amf_status_pg "$csi")"

step "kill -9 the active component: failover"
a=$(su_index "$(amf_active_of "$si")")
amf_comp_kill "$a" KILL
amf_wait_until "si1 active away from su$a" 120 eval \
	'amf_is_settled && [ -n "$(amf_active_of "$si")" ] && [ "$(amf_active_of "$si")" != "$(su_dn "$a")" ]'
check_views chg only late
grep -qE "^item [0-9]+ $(comp_dn "$a") [A-Z]+ REMOVED$" "$work/pg.only.out" ||
	amf_fail "the CHANGES_ONLY tracker did not see c$a removed"

step "si-swap"
act=$(amf_active_of "$si")
amf_admin 2 si-swap "$si"
amf_wait_until "si1 swapped" 120 eval \
	'amf_is_settled && [ -n "$(amf_active_of "$si")" ] && [ "$(amf_active_of "$si")" != "$act" ]'
check_views chg only late
grep -qE "^item [0-9]+ [^ ]+ QUIESCED STATE_CHANGE$" "$work/pg.only.out" ||
	amf_fail "the CHANGES_ONLY tracker never saw a QUIESCED member"

step "kill the node of the active SU (not n3)"
act=$(su_index "$(amf_active_of "$si")")
dead=$(su_node "$act")
if [ "$dead" = 3 ]; then
	# the trackers run on n3: swap once more so the active is elsewhere
	amf_admin 1 si-swap "$si"
	amf_wait_until "si1 swapped away from n3" 120 eval \
		'amf_is_settled && [ -n "$(amf_active_of "$si")" ] && [ "$(amf_active_of "$si")" != "$(su_dn "$act")" ]'
	act=$(su_index "$(amf_active_of "$si")")
	dead=$(su_node "$act")
fi
live=$(seq 1 3 | grep -vx "$dead" | tr '\n' ' ')
live=${live% }
amf_on=3
trackers="chg only"
[ "$dead" = 1 ] || trackers="chg only late"
cluster kill "$dead" >/dev/null || amf_fail "cannot kill n$dead"
wait_members 3 "$live"
amf_wait_until "si1 active away from n$dead" 120 eval \
	'amf_is_settled && [ -n "$(amf_active_of "$si")" ] && [ "$(amf_active_of "$si")" != "$(su_dn "$act")" ]'
# shellcheck disable=SC2086
check_views $trackers

step "callback contents"
# (the first assignment may come before the trackers when every node is up
# early; the new standby after the failover is ADDED in any case)
grep -q "^item .* ADDED$" "$work/pg.chg.out" || amf_fail "the CHANGES tracker saw no member ADDED"
! grep -qE "^item [0-9]+ .* NO_CHANGE$" "$work/pg.only.out" || amf_fail "a CHANGES_ONLY callback carried an unchanged member"
awk '$1 == "cb" { split($4, m, "="); split($5, n, "="); if (n[2] + 0 < m[2] + 0) bad = 1 } END { exit bad }' \
	"$work/pg.chg.out" || amf_fail "a CHANGES callback carried fewer items than members"
grep -q "err=1 " "$work/pg.chg.out" || amf_fail "no callback with SA_AIS_OK"

cluster stop >/dev/null || amf_fail "stop reported an error"
test_ok=1
echo "PASS: $test_name"
