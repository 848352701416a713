#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The AMF executor on one node with a real SA-aware component program
# (amfexeccomp): component c1 is started by an instantiate script that
# `exec`s the program (registration from the command's own pid), component
# c2 by a script that starts it in the background and exits 0. Both must
# register, get their CSI set ACTIVE as a new assignment with the CSI's
# attributes, c1 must get AMF-invoked healthchecks; killing c2's process
# is a process death: the component is cleaned up, instantiated again and
# gets its CSI again (component restart). A component whose instantiate
# command fails never registers.
. "$(dirname "$0")/lib.sh"

COMP="$AIS_BUILD_DIR/test/cluster/amfexeccomp"
[ -x "$COMP" ] || { echo "ERROR: $COMP is not built" >&2; exit 99; }

# wait_for FILE REGEX [SECONDS]: a line of FILE matches
wait_for() {
	local t=0 limit=$((${3:-20} * 10))
	while ! grep -Eq -- "$2" "$1" 2>/dev/null; do
		t=$((t + 1))
		[ "$t" -le "$limit" ] || return 1
		sleep 0.1
	done
}

# wait_count FILE REGEX N: at least N lines of FILE match (within 20 s)
wait_count() {
	local t=0
	while [ "$(grep -Ec -- "$2" "$1" 2>/dev/null)" -lt "$3" ]; do
		t=$((t + 1))
		[ "$t" -le 200 ] || return 1
		sleep 0.1
	done
}

# alive PID: the process exists and is not a zombie (an orphan may wait for a
# reaper that is not ours)
alive() { [ -r "/proc/$1/status" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }

step "start one node"
cluster start 1 || fail "the node did not start"
cluster kill 1 || fail "kill"

bin="$work/bin"
mkdir -p "$bin"
cat >"$bin/inst-exec" <<EOF
#!/bin/sh
exec "$COMP" "$work/c1.log" --hc alive
EOF
cat >"$bin/inst-bg" <<EOF
#!/bin/sh
"$COMP" "$work/c2.log" --track safCsi=x1,safSi=s1,safApp=a </dev/null >/dev/null 2>&1 &
exit 0
EOF
cat >"$bin/inst-fail" <<EOF
#!/bin/sh
echo started >>"$work/c3.log"
exit 3
EOF
for n in c4 c5 c6 c7; do
	case $n in
	c4) opt="--hc alive --hc-silent" ;;
	c5) opt="--hc-confirm alive" ;;
	c7) opt="--pm" ;;
	*) opt="--unregister-after 1000" ;;
	esac
	printf '#!/bin/sh\nexec "%s" "%s" %s\n' "$COMP" "$work/$n.log" "$opt" >"$bin/inst-$n"
done
# c4 is silent only in its first life, so its restarts end
cat >"$bin/inst-c4" <<EOF
#!/bin/sh
[ -e "$work/c4.once" ] && exec "$COMP" "$work/c4.log" --hc alive
touch "$work/c4.once"
exec "$COMP" "$work/c4.log" --hc alive --hc-silent
EOF
chmod +x "$bin"/inst-*

comp_block() { # name instantiate-script
	cat <<EOF
				safComp = $1 {
					saAmfCompCategory = sa_aware
					saAmfCompCapability = x_active_or_y_standby
					saAmfCompNumMaxActiveCsi = 1
					saAmfCompNumMaxStandbyCsi = 1
					saAmfCompDefaultClcCliTimeout = 5000
					saAmfCompDefaultCallbackTimeOut = 3000
					saAmfCompInstantiateCmd = $2
					saAmfCompCsTypes {
						t
					}
					saAmfCompRecoveryOnError = component_restart
					safHealthcheckKey = alive {
						saAmfHealthcheckPeriod = 300
						saAmfHealthcheckMaxDuration = 1000
					}
				}
EOF
}

{
	cat <<EOF
safAmfCluster = one {
	safAmfNode = n1 {
		saAmfNodeClmNode = n1
	}
	safApp = a {
		clccli_path = $bin
		safSg = g1 {
			saAmfSGRedundancyModel = noredundancy
			saAmfSGCompRestartProb = 60000
			saAmfSGCompRestartMax = 5
			safSu = u1 {
				saAmfSUHostedByNode = n1
EOF
	comp_block c1 inst-exec
	cat <<EOF
			}
			safSu = u2 {
				saAmfSUHostedByNode = n1
EOF
	comp_block c2 inst-bg
	cat <<EOF
			}
		}
		safSg = g3 {
			saAmfSGRedundancyModel = noredundancy
			safSu = u3 {
				saAmfSUHostedByNode = n1
EOF
	comp_block c3 inst-fail
	cat <<EOF
			}
		}
		safSg = g4 {
			saAmfSGRedundancyModel = noredundancy
			saAmfSGCompRestartProb = 60000
			saAmfSGCompRestartMax = 5
EOF
	for n in c4 c5 c6 c7; do
		printf '\t\t\tsafSu = u%s {\n\t\t\t\tsaAmfSUHostedByNode = n1\n' "${n#c}"
		comp_block "$n" "inst-$n"
		printf '\t\t\t}\n'
	done
	cat <<EOF
		}
		safSi = s1 {
			saAmfSIProtectedbySG = g1
			safCsi = x1 {
				saAmfCSTypeName = t
				safCSIAttr = color {
					blue
					green
				}
			}
		}
		safSi = s2 {
			saAmfSIProtectedbySG = g1
			safCsi = x2 {
				saAmfCSTypeName = t
				safCSIAttr = size {
					7
				}
			}
		}
		safCSType = t {
			safAmfCSAttrName = color
			safAmfCSAttrName = size
		}
	}
}
EOF
} >"$work/amf.conf"
printf 'amf {\n\tmode: enabled\n\tfile: %s\n}\n' "$work/amf.conf" >>"$work/n1/aisexec.conf"

step "restart the node with AMF enabled"
cluster restart 1 || fail "restart with amf"

step "both components register (exec and background instantiate scripts)"
wait_for "$work/c1.log" "register 1$" || fail "c1 did not register: $(cat "$work/c1.log" 2>&1)"
wait_for "$work/c2.log" "register 1$" || fail "c2 did not register: $(cat "$work/c2.log" 2>&1)"

step "each gets one CSI ACTIVE as a new assignment, with its attributes"
wait_for "$work/c1.log" "^csi-set safCsi=x[12],safSi=s[12],safApp=a 1 flags=1 " ||
	fail "c1 got no CSI set: $(cat "$work/c1.log")"
wait_for "$work/c2.log" "^csi-set safCsi=x[12],safSi=s[12],safApp=a 1 flags=1 " ||
	fail "c2 got no CSI set: $(cat "$work/c2.log")"
grep -Eq "csi-set safCsi=x1,safSi=s1,safApp=a 1 flags=1 attrs=2 transition=1 color=blue color=green$" \
	"$work/c1.log" "$work/c2.log" || fail "x1 set without its two attribute values"
grep -Eq "csi-set safCsi=x2,safSi=s2,safApp=a 1 flags=1 attrs=1 transition=1 size=7$" \
	"$work/c1.log" "$work/c2.log" || fail "x2 set without its attribute"

step "AMF-invoked healthchecks reach c1"
wait_for "$work/c1.log" "^healthcheck alive$" || fail "no healthcheck callback"
[ "$(grep -c '^healthcheck alive$' "$work/c1.log")" -ge 1 ] || fail "no healthcheck"

step "the failing instantiate command never leads to a registration"
wait_for "$work/c3.log" "^started$" || fail "c3's instantiate command did not run"
wait_for "$work/n1/aisexec.log" "action [0-9]+ failed: step [0-9]+ instantiate su=g3/u3 comp=c3" ||
	fail "no failed instantiate of c3 in the log"

step "healthchecks: unanswered ones restart c4, confirmed ones keep c5"
wait_for "$work/c4.log" "register 1$" || fail "c4 did not register"
wait_for "$work/c5.log" "register 1$" || fail "c5 did not register"
wait_for "$work/n1/aisexec.log" "component safComp=c4,[^ ]* failed \\(healthcheck not answered in time\\)" ||
	fail "the unanswered healthcheck was not reported"
wait_count "$work/c4.log" 'register 1$' 2 || fail "c4 was not restarted: $(cat "$work/c4.log")"
grep -q "^hc-start alive 1$" "$work/c5.log" || fail "c5 could not start its healthcheck"
[ "$(grep -c 'register 1$' "$work/c5.log")" = 1 ] || fail "c5 was restarted although it confirmed"
grep -Eq "component safComp=c5,.* failed" "$work/n1/aisexec.log" && fail "c5 reported failed"

step "c6 unregisters without an assignment: no error"
wait_for "$work/c6.log" "^unregister 1$" || fail "c6 could not unregister: $(cat "$work/c6.log")"
sleep 0.5
grep -Eq "component safComp=c6,.* failed" "$work/n1/aisexec.log" && fail "c6's unregister was taken as an error"

step "passive monitoring: c7's monitored child dies, c7 is restarted"
wait_for "$work/c7.log" "register 1$" || fail "c7 did not register"
child=$(sed -n 's/^pm-start \([0-9]*\) 1$/\1/p' "$work/c7.log" | head -n 1)
[ -n "$child" ] || fail "c7 could not start monitoring: $(cat "$work/c7.log")"
kill -9 "$child"
wait_for "$work/n1/aisexec.log" "component safComp=c7,[^ ]* failed \\(monitored process ended\\)" ||
	fail "the death of the monitored process was not reported"
wait_count "$work/c7.log" 'register 1$' 2 || fail "c7 was not restarted: $(cat "$work/c7.log")"

step "a hostile client gets the documented errors and touches nothing of c1's"
out=$(AIS_INSTANCE="$(inst 1)" "$COMP" --hostile safComp=c1,safSu=u1,safSg=g1,safApp=a safCsi=x1,safSi=s1,safApp=a) ||
	fail "hostile client: $out"
[ "$out" = ok ] || fail "hostile client: $out"
n=$(grep -c '^healthcheck alive$' "$work/c1.log")
wait_count "$work/c1.log" '^healthcheck alive$' $((n + 1)) || fail "c1 gets no healthchecks after the hostile client"
grep -Eq "component safComp=c1,.* failed" "$work/n1/aisexec.log" && fail "c1 failed after the hostile client"

step "lock u1: c1's CSI is quiesced and removed; lock-instantiation: the terminate callback"
u1=safSu=u1,safSg=g1,safApp=a
admin() { AIS_INSTANCE="$(inst 1)" "$COMP" --admin "$@"; }
[ "$(admin 2 "$u1")" = 1 ] || fail "lock of u1 refused"
wait_for "$work/c1.log" "^csi-set safCsi=x1,safSi=s1,safApp=a 3 flags=2 attrs=0$" ||
	fail "c1 was not quiesced: $(cat "$work/c1.log")"
wait_for "$work/c1.log" "^csi-remove safCsi=x1,safSi=s1,safApp=a flags=2$" || fail "x1 was not removed from c1"
[ "$(admin 3 "$u1")" = 1 ] || fail "lock-instantiation of u1 refused"
wait_for "$work/c1.log" "^terminate$" || fail "c1 got no terminate callback"
wait_for "$work/n1/aisexec.log" "action [0-9]+ done: step [0-9]+ terminate su=g1/u1 comp=c1" ||
	fail "the terminate of c1 was not done"
grep -Eq "component safComp=c1,.* failed" "$work/n1/aisexec.log" && fail "c1's termination was taken as an error"

step "unlock-instantiation and unlock: c1 runs again and gets x1 added"
[ "$(admin 4 "$u1")" = 1 ] || fail "unlock-instantiation of u1 refused"
[ "$(admin 1 "$u1")" = 1 ] || fail "unlock of u1 refused"
wait_count "$work/c1.log" 'register 1$' 2 || fail "c1 was not instantiated again: $(cat "$work/c1.log")"
wait_count "$work/c1.log" '^csi-set safCsi=x1,safSi=s1,safApp=a 1 flags=1 ' 2 || fail "c1 did not get x1 again: $(cat "$work/c1.log")"
[ "$(admin 2 safSu=nosuch,safSg=g1,safApp=a)" = 12 ] || fail "an unknown DN is not NOT_EXIST"

step "c2 tracks x1's protection group: quiesced, removed, added again"
grep -q "^track safCsi=x1,safSi=s1,safApp=a 1$" "$work/c2.log" || fail "c2 could not track x1"
grep -q "^pg safCsi=x1,safSi=s1,safApp=a err=1 n=1 3/4$" "$work/c2.log" || fail "no callback for x1 quiesced"
grep -q "^pg safCsi=x1,safSi=s1,safApp=a err=1 n=0 3/3$" "$work/c2.log" || fail "no callback for x1 removed"
# added once at the start (c2 tracked before x1 was assigned) and once after the unlock
wait_count "$work/c2.log" '^pg safCsi=x1,safSi=s1,safApp=a err=1 n=1 1/2$' 2 || fail "no callback for x1 added again: $(grep ^pg "$work/c2.log")"

step "c2's process dies: cleaned up, instantiated again, CSI set again"
pid=$(sed -n 's/^\([0-9]*\) register 1$/\1/p' "$work/c2.log" | head -n 1)
[ -n "$pid" ] || fail "no pid for c2"
kill -9 "$pid"
wait_for "$work/n1/aisexec.log" "component safComp=c2,safSu=u2,safSg=g1,safApp=a failed \((process|its connection)" ||
	fail "the death of c2 was not reported"
wait_count "$work/c2.log" 'register 1$' 2 || fail "c2 was not instantiated again: $(cat "$work/c2.log")"
wait_count "$work/c2.log" '^csi-set ' 2 || fail "c2 did not get its CSI again: $(cat "$work/c2.log")"
alive "$pid" && fail "the old c2 process still runs"

step "shutdown of u2: x2 QUIESCING, quiescing complete, removed; unlock: x2 again"
u2=safSu=u2,safSg=g1,safApp=a
[ "$(admin 5 "$u2")" = 1 ] || fail "shutdown of u2 refused"
wait_for "$work/c2.log" "^csi-set safCsi=x2,safSi=s2,safApp=a 4 flags=2 attrs=0$" ||
	fail "x2 was not set QUIESCING: $(cat "$work/c2.log")"
wait_for "$work/c2.log" "^csi-remove safCsi=x2,safSi=s2,safApp=a flags=2$" ||
	fail "x2 was not removed after quiescing: $(cat "$work/c2.log")"
[ "$(admin 1 "$u2")" = 1 ] || fail "unlock of u2 refused"
wait_count "$work/c2.log" '^csi-set safCsi=x2,safSi=s2,safApp=a 1 flags=1 ' 3 ||
	fail "x2 was not set again after the unlock: $(cat "$work/c2.log")"

cluster stop || fail "stop reported an error"
# each component notices the daemon's end on its selection object and
# exits; on a loaded machine that can take more than a moment
for p in $(sed -n 's/^\([0-9]*\) register 1$/\1/p' "$work/c1.log" "$work/c2.log"); do
	for ((i = 0; i < 100; i++)); do alive "$p" || break; sleep 0.1; done
	alive "$p" && fail "component process $p outlived the daemon by 10 s"
done
test_ok=1
echo "PASS: $test_name"
