#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The service engine SDK as a user meets it: `make install DESTDIR=...` of
# this build tree, then the commands of docs/writing-a-service.md ("Building
# a service out of tree", taken from the page itself) build
# services/example.c in a directory of its own against the installed SDK
# only (pkg-config aisexec-service through PKG_CONFIG_PATH and
# PKG_CONFIG_SYSROOT_DIR, no include path into the source tree) and install
# it into the SDK's plugindir. Three daemons load it by name from there
# (aisexec { plugin_dir }) and the example client talks to it on every
# node. Every installed program answers --version with configure's version.
. "$(dirname "$0")/lib.sh"

EXAMPLE_CLIENT="$AIS_BUILD_DIR/services/example_client"
[ -x "$EXAMPLE_CLIENT" ] || {
	echo "ERROR: $EXAMPLE_CLIENT is not built (make -C services example_client)" >&2
	exit 99
}
command -v pkg-config >/dev/null || fail "pkg-config is not installed"
MAKE=${MAKE:-make}
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$AIS_BUILD_DIR/config.h")
[ -n "$version" ] || fail "no PACKAGE_VERSION in $AIS_BUILD_DIR/config.h"

step "make install DESTDIR=$work/root"
root="$work/root"
"$MAKE" -s -C "$AIS_BUILD_DIR" install DESTDIR="$root" >"$work/install.log" 2>&1 ||
	{ tail -n 30 "$work/install.log" >&2; fail "make install failed"; }

pc=$(find "$root" -name aisexec-service.pc)
[ -n "$pc" ] || fail "aisexec-service.pc is not installed"
libdir=$(dirname "$(dirname "$pc")")

step "every installed program answers --version: NAME (aisexec) $version"
progs=$(find "$root" -type f -perm -u+x \( -path '*/bin/*' -o -path '*/sbin/*' -o -path '*/libexec/*' \) \
	! -name '*.so*' ! -name 'amf-comp-clc' | sort)
for want in sbin/aisexec sbin/aistool sbin/ais-keygen bin/ais-cluster libexec/aisexec/amf_comp; do
	grep -q "/$want\$" <<<"$progs" || fail "$want is not installed (installed: $progs)"
done
for p in $progs; do
	out=$(LD_LIBRARY_PATH="$libdir" "$p" --version 2>&1) || fail "$p --version failed: $out"
	[ "$out" = "$(basename "$p") (aisexec) $version" ] || fail "$p --version printed '$out'"
done

step "the SDK: headers, aisexec-service.pc, plugindir"
export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
PKG_CONFIG_PATH=$(dirname "$pc")
PKG_CONFIG_SYSROOT_DIR=$root
[ "$(pkg-config --modversion aisexec-service)" = "$version" ] ||
	fail "aisexec-service.pc has version $(pkg-config --modversion aisexec-service)"
cflags=$(pkg-config --cflags aisexec-service) || fail "pkg-config --cflags aisexec-service failed"
for f in $cflags; do
	case "$f" in
	-I"$AIS_SRCDIR"* | -I"$AIS_BUILD_DIR"*) fail "cflags point into the tree: $cflags" ;;
	esac
done
grep -q -- "-I$root/" <<<"$cflags" || fail "cflags do not name the installed headers: $cflags"
for h in service.h admin.h log.h inject.h; do
	[ -n "$(find "$root" -path "*/include/ais/$h")" ] || fail "ais/$h is not installed"
done
plugindir=$(pkg-config --variable=plugindir aisexec-service)
case "$plugindir" in "$root"/*) ;; *) fail "plugindir '$plugindir' is not under $root" ;; esac
rm -f "$plugindir/example.so" # make install put the tree's build there: ours must replace it

step "build example.c out of tree with the commands of docs/writing-a-service.md"
src="$work/src"
mkdir -p "$src"
cp "$AIS_SRCDIR/services/example.c" "$AIS_SRCDIR/services/example_ipc.h" "$src/"
# the first ```sh block after the heading "Building a service out of tree"
awk '/^### Building a service out of tree/ { s = 1 } s && /^```sh$/ { b = 1; next }
	b && /^```$/ { exit } b { print }' "$AIS_SRCDIR/docs/writing-a-service.md" >"$work/build.sh"
grep -q 'pkg-config --cflags' "$work/build.sh" || fail "no build commands found in docs/writing-a-service.md"
(cd "$src" && bash -euo pipefail "$work/build.sh") >"$work/build.log" 2>&1 ||
	{ cat "$work/build.log" >&2; fail "the documented build failed"; }
[ -f "$plugindir/example.so" ] || fail "the documented install did not put example.so into $plugindir"
nm -D --defined-only "$plugindir/example.so" | grep -q ' ais_service_engine_get$' ||
	fail "example.so does not export ais_service_engine_get"

step "3 nodes load it by name from plugin_dir $plugindir"
cluster start 3 --fault-injection --token 1000 --quiet || fail "the ring did not form"
cluster stop --quiet || fail "stop reported an error"
for i in 1 2 3; do
	c="$work/n$i/aisexec.conf"
	sed -i "s|^aisexec {\$|aisexec {\n\tplugin_dir: $plugindir|" "$c"
	grep -q "plugin_dir: $plugindir" "$c" || fail "no aisexec { } section in $c"
	printf 'service {\n\tname: cfg\n}\nservice {\n\tname: cpg\n}\nservice {\n\tname: example\n}\n' >>"$c"
	out=$("$AISEXEC" -t -c "$c" 2>&1) || fail "aisexec -t rejected n$i's config: $out"
	rm -f "$work/n$i/aisexec.log" "$work/n$i/aisexec.stderr"
done
for i in 1 2 3; do cluster restart "$i" --quiet || fail "n$i did not join"; done
expect_ring "1 2 3" 1 2 3 >/dev/null
for i in 1 2 3; do
	grep -q 'service engine loaded: example (id 7)' "$work/n$i/aisexec.log" ||
		fail "n$i did not log loading the example engine"
	pid=$(cat "$work/n$i/ais-cluster.pid" 2>/dev/null || true)
	if [ -n "$pid" ] && [ -r "/proc/$pid/maps" ]; then
		grep -q "$plugindir/example.so" "/proc/$pid/maps" || fail "n$i did not map $plugindir/example.so"
	fi
done

step "a watcher on n3; adds on every node; every node reads the sum"
ex() { local i=$1; shift; AIS_INSTANCE="$(inst "$i")" "$EXAMPLE_CLIENT" "$@"; }
AIS_INSTANCE="$(inst 3)" "$EXAMPLE_CLIENT" watch pears 3 >"$work/watch.out" 2>"$work/watch.err" &
watcher=$!
for ((t = 0; t < 300; t++)); do
	grep -qx watching "$work/watch.out" 2>/dev/null && break
	kill -0 "$watcher" 2>/dev/null || fail "the watcher exited: $(cat "$work/watch.err")"
	sleep 0.1
done
grep -qx watching "$work/watch.out" || fail "the watcher did not subscribe"
for i in 1 2 3; do
	out=$(ex "$i" add pears "$i" 2>&1) || fail "add on n$i failed: $out"
done
wait "$watcher" || fail "the watcher failed: $(cat "$work/watch.err")"
[ "$(grep -c '^pears ' "$work/watch.out")" = 3 ] || fail "the watcher saw: $(cat "$work/watch.out")"
grep -q '^pears 6 ' "$work/watch.out" || fail "the last notification is not 6: $(cat "$work/watch.out")"
for i in 1 2 3; do
	for ((t = 0; t < 100; t++)); do
		[ "$(ex "$i" get pears 2>/dev/null)" = "pears 6" ] && continue 2
		sleep 0.1
	done
	fail "n$i reads '$(ex "$i" get pears 2>&1)', expected pears 6"
done

step "stop; no daemon logged an error"
cluster stop --quiet || fail "stop reported an error"
for i in 1 2 3; do
	if grep -E '\] +(emerg|alert|crit|error) ' "$work/n$i/aisexec.log"; then
		fail "n$i logged errors (above)"
	fi
done
test_ok=1
echo "PASS: $test_name"
