#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# deb-inroot.sh VERSION: the part of deb-install.sh that runs inside the
# package test root (chroot, network namespace of its own, no systemd).
# Starts aisexec as systemd would from the installed aisexec.service
# (RuntimeDirectory=, ExecStartPre=, ExecStart=, ExecStop=), checks it
# with aistool and with clients built against the installed -dev packages,
# then stops it and checks that it exited cleanly.
set -euo pipefail
version=$1
fail() { echo "FAIL: $*"; [ -s /tmp/aisexec.out ] && { echo "--- aisexec output"; cat /tmp/aisexec.out; }; exit 1; }
step() { echo "-- $*"; }

unit=""
for u in /lib/systemd/system/aisexec.service /usr/lib/systemd/system/aisexec.service; do
	[ -f "$u" ] && unit=$u && break
done
[ -n "$unit" ] || fail "no aisexec.service installed"
key() { sed -n "s/^$1=//p" "$unit"; }
start_pre=$(key ExecStartPre)
start=$(key ExecStart)
stop=$(key ExecStop)
rundir=$(key RuntimeDirectory)
rundir_mode=$(key RuntimeDirectoryMode)
killsignal=$(key KillSignal)
[ -n "$start" ] || fail "$unit has no ExecStart="
echo "unit $unit: ExecStart=$start"

step "versions"
out=$(aisexec --version 2>&1 || true)
echo "aisexec --version: $out"
[ "$out" = "aisexec (aisexec) $version" ] || fail "aisexec --version does not say \"aisexec (aisexec) $version\""

step "RuntimeDirectory=$rundir, ExecStartPre=$start_pre"
if [ -n "$rundir" ]; then
	mkdir -p "/run/$rundir"
	chmod "${rundir_mode:-0755}" "/run/$rundir"
fi
if [ -n "$start_pre" ]; then
	$start_pre || fail "ExecStartPre= failed: the installed configuration does not pass aisexec -t"
fi

step "ExecStart=$start"
# shellcheck disable=SC2086
$start >/tmp/aisexec.out 2>&1 &
mainpid=$!
stopped=0
trap '[ "$stopped" = 1 ] || kill -TERM $mainpid 2>/dev/null || true' EXIT
up=0
for _ in $(seq 300); do
	kill -0 $mainpid 2>/dev/null || fail "aisexec exited at start-up"
	if aistool status >/dev/null 2>&1; then
		up=1
		break
	fi
	sleep 0.1
done
[ "$up" = 1 ] || fail "aistool status never answered"

step "aistool"
status=$(aistool status --json)
echo "$status"
for want in '"nodeid": 1,' '"cluster_name": "aisexec"' '"transport": "udpu"' "\"pid\": $mainpid," '"member_count": 1,'; do
	grep -qF "$want" <<<"$status" || fail "aistool status --json lacks $want"
done
members=''
for _ in $(seq 300); do
	members=$(aistool members --json)
	grep -qF '"members": [{"nodeid": 1, "address": "127.0.0.1", "name": "node1"}]' <<<"$members" && break
	sleep 0.1
done
echo "$members"
grep -qF '"members": [{"nodeid": 1, "address": "127.0.0.1", "name": "node1"}]' <<<"$members" ||
	fail "aistool members --json: $members"

step "clients built against the installed -dev packages"
cd /tmp/src
# shellcheck disable=SC2046
gcc -Wall -Werror -o pkg_cpg pkg_cpg.c $(pkg-config --cflags --libs aiscpg) || fail "pkg_cpg does not build"
# shellcheck disable=SC2046
gcc -Wall -Werror -DPKG_COMPAT -o pkg_cpg_compat pkg_cpg.c $(pkg-config --cflags --libs aiscpg-compat) ||
	fail "pkg_cpg (corosync/cpg.h) does not build"
# shellcheck disable=SC2046
gcc -Wall -Werror -o pkg_clm pkg_clm.c $(pkg-config --cflags --libs SaClm) || fail "pkg_clm does not build"
for pc in aiscpg aiscpg-compat SaClm SaEvt SaAmf aisexec-service; do
	v=$(pkg-config --modversion "$pc") || fail "pkg-config $pc"
	[ "$v" = "$version" ] || fail "$pc.pc says version $v, the packages $version"
done
for lib in aiscpg SaClm SaEvt SaAmf; do
	echo "int main(void) { return 0; }" | gcc -x c -o /tmp/link_$lib - -l$lib || fail "cannot link -l$lib"
done
# every SDK header on its own, as a plugin's first include (each must be
# self-contained), and all of them together
for h in ais/service.h ais/admin.h ais/log.h ais/inject.h; do
	# shellcheck disable=SC2046
	printf '#include <%s>\nint x;\n' "$h" |
		gcc -std=gnu11 -Wall -Wextra -Werror -x c -c -o /tmp/sdk.o $(pkg-config --cflags aisexec-service) - ||
		fail "<$h> from aisexec-dev does not compile on its own"
done
# shellcheck disable=SC2046
printf '#include <ais/service.h>\n#include <ais/admin.h>\n#include <ais/log.h>\n#include <ais/inject.h>\n#include <saAis.h>\nint x;\n' |
	gcc -std=gnu11 -Wall -Wextra -Werror -x c -c -o /tmp/sdk.o $(pkg-config --cflags aisexec-service) - ||
	fail "the service SDK headers do not compile together"
step "the example engine built as a plugin against the -dev packages (docs/writing-a-service.md)"
# shellcheck disable=SC2046
(cd /tmp/src/plugin && gcc -std=gnu11 -O2 -Wall -Werror -fPIC -shared -o example.so example.c \
	$(pkg-config --cflags --libs aisexec-service)) || fail "the example plugin does not build against aisexec-dev"
nm -D --defined-only /tmp/src/plugin/example.so | grep -q ' ais_service_engine_get$' ||
	fail "the plugin built in the root does not export ais_service_engine_get"
plugindir=$(pkg-config --variable=plugindir aisexec-service)
[ -f "$plugindir/example.so" ] || fail "plugindir $plugindir does not hold the packaged example.so"

out=$(./pkg_cpg) || fail "pkg_cpg as root: $out"
echo "$out"
grep -q '^delivered 1: hello from node 1 pid ' <<<"$out" || fail "pkg_cpg: $out"
out=$(./pkg_cpg_compat) || fail "pkg_cpg_compat: $out"
grep -q '^delivered 1: ' <<<"$out" || fail "pkg_cpg_compat: $out"
out=$(./pkg_clm) || fail "pkg_clm: $out"
echo "$out"
[ "$out" = "node 1 node1 member" ] || fail "pkg_clm: $out"

step "the group aisexec may connect, others may not"
gid=$(getent group aisexec | cut -d: -f3)
out=$(setpriv --reuid=4242 --regid="$gid" --clear-groups ./pkg_cpg 2>&1) || fail "uid 4242 gid aisexec: $out"
grep -q '^delivered 1: ' <<<"$out" || fail "uid 4242 gid aisexec: $out"
out=$(setpriv --reuid=4242 --regid="$gid" --clear-groups aistool status 2>&1) || fail "aistool as gid aisexec: $out"
rc=0
out=$(setpriv --reuid=4243 --regid=4243 --clear-groups ./pkg_cpg 2>&1) || rc=$?
[ "$rc" != 0 ] || fail "uid 4243 was let in"
grep -q 'access denied by aisexec: uid 4243 (gid 4243) is not allowed' <<<"$out" || fail "uid 4243: $out"
echo "uid 4243 refused: $out"

if [ -n "$stop" ]; then
	step "ExecStop=$stop"
	cmd=${stop//\$MAINPID/$mainpid}
	$cmd || fail "ExecStop= failed"
else
	step "KillSignal=${killsignal:-SIGTERM}"
	kill -s "${killsignal:-SIGTERM}" $mainpid || fail "cannot signal aisexec"
fi
rc=0
wait $mainpid || rc=$?
stopped=1
[ "$rc" = 0 ] || fail "aisexec exited with status $rc after ExecStop="
if aistool status >/dev/null 2>&1; then fail "aistool still answers after the stop"; fi
echo "PASS: deb-inroot"
