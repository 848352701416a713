#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# check-dist.sh BUILD_DIR: does the release tarball build, install and pass
# the quick tests? (check-dist.sh --installed OBJ: only the install checks, on
# a built tree.) make dist in BUILD_DIR (a configured build tree), unpack
# into a scratch directory, configure --enable-fatal-warnings
# --enable-quick-check, build and make install DESTDIR=..., check the installed
# tree (SDK headers, .pc files, aisexec-service's cflags, every program's
# --version) and run the unit tests from the unpacked tree. A file missing
# from the distribution fails here. Exit 0 when all passed.
set -euo pipefail

prog=check-dist.sh
usage() {
	cat <<'EOF'
usage: check-dist.sh [--keep] BUILD_DIR
       check-dist.sh [--keep] --installed OBJ
       check-dist.sh --help

BUILD_DIR is a configured aisexec build tree. Steps: make dist there; unpack
the tarball into a scratch directory; ./configure --enable-fatal-warnings
--enable-quick-check; make; make install DESTDIR=<scratch>/root; check the
installed headers, pkg-config files and --version of every program; make
check in test/unit of the unpacked tree (CK_TIMEOUT_MULTIPLIER is passed on).

  --keep     keep the scratch directory (it is kept anyway when a step fails)
  --installed OBJ
             OBJ is a built tree (./quickstart check builds and tests the
             unpacked tarball): only make install DESTDIR=<scratch>/root
             there and the checks of the installed tree
Environment: JOBS (make -j, default 2), TMPDIR (where the scratch directory
goes), MAKE (default make).
EOF
}

keep=0
build=""
installed=""
while [ $# -gt 0 ]; do
	case "$1" in
	-h | --help) usage; exit 0 ;;
	--keep) keep=1 ;;
	--installed)
		[ $# -ge 2 ] || { echo "$prog: --installed needs a directory" >&2; exit 2; }
		installed=$2
		shift
		;;
	-*) echo "$prog: unknown option $1" >&2; usage >&2; exit 2 ;;
	*) [ -z "$build" ] || { echo "$prog: one BUILD_DIR only" >&2; exit 2; }; build=$1 ;;
	esac
	shift
done
if [ -n "$installed" ]; then
	[ -z "$build" ] || { echo "$prog: BUILD_DIR and --installed exclude each other" >&2; exit 2; }
	build=$installed
fi
[ -n "$build" ] || { usage >&2; exit 2; }
[ -f "$build/config.status" ] || { echo "$prog: $build is not a configured build tree" >&2; exit 2; }
build=$(cd "$build" && pwd)
MAKE=${MAKE:-make}
JOBS=${JOBS:-2}

start=$(date +%s)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/ais-check-dist.XXXXXX")
ok=0
finish() {
	local rc=$?
	chmod -R u+w "$scratch" 2>/dev/null || true
	if [ "$ok" = 1 ] && [ "$keep" = 0 ]; then
		rm -rf "$scratch"
	else
		echo "$prog: scratch directory kept: $scratch"
	fi
	exit "$rc"
}
trap finish EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

step() { echo "== [$(($(date +%s) - start))s] $*"; }
die() { echo "$prog: FAILED: $*" >&2; exit 1; }
# run LOG CMD...: the command's output goes to LOG, shown (its end) on failure
run() {
	local log=$1
	shift
	if ! "$@" >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		die "$* (log: $log)"
	fi
}

version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$build/config.h")
root="$scratch/root"
if [ -n "$installed" ]; then
	obj=$build
	step "make install DESTDIR=$root (in $obj)"
	run "$scratch/install.log" "$MAKE" -C "$obj" install DESTDIR="$root"
else
	step "make dist in $build"
	# gzip -1: the tarball is only unpacked again here
	run "$scratch/dist.log" "$MAKE" -C "$build" dist GZIP_ENV=-1
	tarball="$build/aisexec-$version.tar.gz"
	[ -f "$tarball" ] || die "make dist did not write $tarball"

	step "unpack $(basename "$tarball") into $scratch"
	tar -xzf "$tarball" -C "$scratch"
	src="$scratch/aisexec-$version"
	[ -x "$src/configure" ] || die "the tarball has no configure"
	# the source tree stays read-only, as in make distcheck: every product goes
	# into the build directory
	chmod -R a-w "$src"
	obj="$scratch/build"
	mkdir -p "$obj"

	step "configure --enable-fatal-warnings --enable-quick-check"
	# one build, never rebuilt: no dependency tracking
	(cd "$obj" && run "$scratch/configure.log" "$src/configure" --enable-fatal-warnings --enable-quick-check \
		--disable-dependency-tracking)

	step "make -j$JOBS install DESTDIR=$root (builds everything first)"
	run "$scratch/make.log" "$MAKE" -C "$obj" -j"$JOBS" install DESTDIR="$root"
fi

step "check the installed tree"
prefix=$(sed -n 's/^prefix = //p' "$obj/Makefile")
pcdir=$(dirname "$(find "$root" -name aisexec-service.pc)")
[ -d "$pcdir" ] || die "aisexec-service.pc is not installed"
libdir=$(dirname "$pcdir")
for h in saAis.h saClm.h saEvt.h saAmf.h ais/cpg.h ais/service.h ais/admin.h ais/log.h ais/inject.h; do
	[ -f "$root$prefix/include/$h" ] || die "$prefix/include/$h is not installed"
done
for pc in aisexec-service aiscpg aiscpg-compat SaClm SaEvt SaAmf; do
	[ -f "$pcdir/$pc.pc" ] || die "$pc.pc is not installed"
	v=$(PKG_CONFIG_PATH=$pcdir PKG_CONFIG_SYSROOT_DIR=$root pkg-config --modversion "$pc") ||
		die "pkg-config cannot read $pc.pc"
	[ "$v" = "$version" ] || die "$pc.pc has version $v, configure says $version"
done
cflags=$(PKG_CONFIG_PATH=$pcdir PKG_CONFIG_SYSROOT_DIR=$root pkg-config --cflags aisexec-service) ||
	die "pkg-config --cflags aisexec-service failed"
# shellcheck disable=SC2086 # cflags is a list of flags
printf '#include <ais/service.h>\n#include <ais/log.h>\n#include <ais/admin.h>\n#include <ais/inject.h>\nint x;\n' |
	cc -std=gnu11 -Wall -Werror $cflags -fsyntax-only -x c - ||
	die "the SDK headers do not compile with pkg-config --cflags aisexec-service ($cflags)"
plugindir=$(PKG_CONFIG_PATH=$pcdir pkg-config --variable=plugindir aisexec-service)
[ "$plugindir" = "$prefix/lib/aisexec" ] || [ -d "$root$plugindir" ] ||
	die "plugindir $plugindir is not an installed directory"
n=0
for p in "$root$prefix"/sbin/* "$root$prefix"/bin/* "$root$prefix"/libexec/aisexec/*; do
	{ [ -x "$p" ] && [ -f "$p" ]; } || continue
	[ "$(basename "$p")" = amf-comp-clc ] && continue # a CLC command, run by the AMF engine
	out=$(LD_LIBRARY_PATH=$libdir "$p" --version 2>&1) || die "$p --version failed: $out"
	[ "$out" = "$(basename "$p") (aisexec) $version" ] || die "$p --version printed '$out'"
	n=$((n + 1))
done
[ "$n" -ge 5 ] || die "only $n programs installed"
for f in sbin/aisexec sbin/aistool sbin/ais-keygen bin/ais-cluster etc/init.d/aisexec \
	lib/systemd/system/aisexec.service share/man/man8/aisexec.8 share/man/man5/aisexec.conf.5 \
	share/doc/aisexec/aisexec.conf.example; do
	[ -e "$root$prefix/$f" ] || die "$prefix/$f is not installed"
done
echo "   $n programs answer --version with $version; headers, .pc files, plugindir $plugindir"

if [ -n "$installed" ]; then
	ok=1
	step "passed: the tree installs"
	exit 0
fi
step "make check in test/unit of the unpacked tree"
# CK_TIMEOUT_MULTIPLIER (check's per-test timeouts) reaches the tests
# through the environment
run "$scratch/check.log" "$MAKE" -C "$obj/test/unit" -j"$JOBS" check
grep -E '^# (TOTAL|PASS|FAIL|ERROR):' "$obj/test/unit/test-suite.log" | sed 's/^/   /'

ok=1
step "passed: the tarball builds, installs and passes the unit tests"
