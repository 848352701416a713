#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# deb-install.sh: build aisexec's Debian packages from a clean copy of the
# tree, check them with lintian, install them into a fresh Debian root,
# start aisexec there with the packaged systemd unit's command line and talk
# to it with aistool and with clients built against the installed -dev
# packages. Run by `make check-packages`; see docs/PACKAGING.md.
set -euo pipefail

prog=deb-install.sh
usage() {
	cat <<USAGE
usage: $prog [--debs DIR] [--no-lintian] [--keep] [--help]

Builds the packages (dpkg-buildpackage -us -uc -b) from the tree's HEAD
plus its uncommitted changes to tracked files (git stash create; untracked
files are left out; an unpacked release tarball is copied whole), runs
lintian on them (an error fails), makes a Debian root (mmdebstrap, else
debootstrap), installs the packages there with apt-get, starts aisexec in
the root (in a network namespace of its own) with the ExecStartPre= and
ExecStart= lines of the installed aisexec.service, runs aistool and CPG /
CLM clients compiled in the root against the -dev packages (as root, as a
user of the group aisexec, and as a stranger who must be refused), stops
the daemon with ExecStop= and checks its exit, then reinstalls (the key
stays) and purges (the key goes).

Needs root (chroot, mounts, namespaces): exits 77 (skipped) otherwise, or
when a tool is missing (apt-get install debhelper lintian mmdebstrap).

  --debs DIR     install the .deb files in DIR instead of building them
  --no-lintian   do not run lintian
  --keep         keep the work directory (printed at the end)
  -h, --help     this help

Environment:
  AIS_PKG_CACHE   directory that keeps the bootstrapped root as a tarball,
                  so that later runs skip the bootstrap
                  (default /var/cache/aisexec-pkg-test)
  AIS_PKG_MIRROR  Debian mirror (default http://deb.debian.org/debian)
  AIS_PKG_SUITE   Debian suite of the root (default: this machine's)
  TMPDIR          where the work directory is made (default /tmp)
  DEB_BUILD_OPTIONS  passed to dpkg-buildpackage (default parallel=2)
USAGE
}

opt_debs=""
opt_lintian=1
opt_keep=0
while [ $# -gt 0 ]; do
	case "$1" in
	--debs) opt_debs=$(cd "${2:?--debs needs a directory}" && pwd); shift 2 ;;
	--no-lintian) opt_lintian=0; shift ;;
	--keep) opt_keep=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $(date +%T) $*"; }

[ "$(id -u)" = 0 ] || skip "needs root (chroot, mounts, network namespace)"
for t in chroot unshare ip tar; do
	command -v "$t" >/dev/null || skip "$t is missing"
done
if [ -z "$opt_debs" ]; then
	command -v dpkg-buildpackage >/dev/null && [ -e /usr/share/perl5/Debian/Debhelper/Dh_Lib.pm ] ||
		skip "debhelper is missing (apt-get install debhelper)"
fi
if [ "$opt_lintian" = 1 ]; then
	command -v lintian >/dev/null || skip "lintian is missing (apt-get install lintian, or --no-lintian)"
fi
if command -v mmdebstrap >/dev/null; then
	bootstrap=mmdebstrap
elif command -v debootstrap >/dev/null; then
	bootstrap=debootstrap
else
	skip "mmdebstrap or debootstrap is missing (apt-get install mmdebstrap)"
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
cache=${AIS_PKG_CACHE:-/var/cache/aisexec-pkg-test}
mirror=${AIS_PKG_MIRROR:-http://deb.debian.org/debian}
suite=${AIS_PKG_SUITE:-$(. /etc/os-release 2>/dev/null && echo "${VERSION_CODENAME:-}")}
suite=${suite:-bookworm}
arch=$(dpkg --print-architecture)
# what the root holds besides minbase: a compiler for the clients and the
# packages' dependencies (apt-get still resolves them on install)
root_pkgs="gcc,libc6-dev,pkgconf,adduser,libqb100,libqb-dev,libnss3"

work=$(mktemp -d "${TMPDIR:-/tmp}/ais-deb.XXXXXX")
root="$work/root"
started=$(date +%s)
finish() {
	local rc=$?
	if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
		for f in "$work"/build.log "$work"/install.log "$work"/run.log; do
			[ -s "$f" ] && { echo "--- last lines of $f"; tail -n 40 "$f"; }
		done
		echo "FAIL after $(($(date +%s) - started)) s; work directory kept: $work" >&2
		return
	fi
	if [ "$opt_keep" = 1 ]; then
		echo "work directory: $work"
	else
		rm -rf "$work"
	fi
}
trap finish EXIT

# --- 1. build ---------------------------------------------------------------
version=$(sed -n '/^AC_INIT/{s/^[^,]*, *\[//;s/\].*//;p;}' "$top/configure.ac")
if [ -n "$opt_debs" ]; then
	debs=$opt_debs
else
	step "build the packages from a clean copy of the tree ($work/src)"
	mkdir -p "$work/src"
	if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		rev=$(git -C "$top" stash create)
		git -C "$top" archive --prefix=aisexec/ "${rev:-HEAD}" | tar -x -C "$work/src"
	else
		# an unpacked release tarball: it is the clean copy
		mkdir "$work/src/aisexec"
		tar -C "$top" --exclude=./debian/build --exclude=./_build -cf - . | tar -x -C "$work/src/aisexec"
	fi
	(cd "$work/src/aisexec" &&
		DEB_BUILD_OPTIONS=${DEB_BUILD_OPTIONS:-parallel=2} dpkg-buildpackage -us -uc -b) \
		>"$work/build.log" 2>&1 || fail "dpkg-buildpackage failed (see $work/build.log)"
	debs="$work/src"
	echo "built: $(cd "$debs" && ls ./*.deb | grep -v dbgsym | sed 's|^\./||' | tr '\n' ' ')"
fi
ls "$debs"/aisexec_"$version"_*.deb >/dev/null 2>&1 ||
	fail "no aisexec_${version}_*.deb in $debs: the package version must be configure.ac's ($version)"

if [ "$opt_lintian" = 1 ]; then
	step "lintian"
	changes=$(ls "$debs"/*.changes 2>/dev/null | head -n 1 || true)
	if [ -n "$changes" ]; then
		lintian --fail-on error "$changes" >"$work/lintian.log" 2>&1 || { cat "$work/lintian.log"; fail "lintian found errors"; }
	else
		lintian --fail-on error "$debs"/*.deb >"$work/lintian.log" 2>&1 || { cat "$work/lintian.log"; fail "lintian found errors"; }
	fi
	echo "lintian: $(grep -c '^E:' "$work/lintian.log" || true) errors, $(grep -c '^W:' "$work/lintian.log" || true) warnings"
	grep '^[EW]:' "$work/lintian.log" || true
fi

# --- 2. a fresh Debian root ---------------------------------------------------
tag=$(printf '%s %s' "$bootstrap" "$root_pkgs" | md5sum | cut -c1-8)
tarball="$cache/root-$suite-$arch-$tag.tar"
if [ ! -s "$tarball" ]; then
	step "bootstrap a $suite root with $bootstrap (cached in $tarball)"
	mkdir -p "$cache"
	if [ "$bootstrap" = mmdebstrap ]; then
		mmdebstrap --variant=minbase --skip=cleanup/apt/lists --include="$root_pkgs" \
			"$suite" "$tarball.tmp" "$mirror" >"$work/bootstrap.log" 2>&1 ||
			{ tail -n 20 "$work/bootstrap.log"; fail "mmdebstrap failed"; }
	else
		mkdir "$work/boot"
		debootstrap --variant=minbase --include="$root_pkgs" "$suite" "$work/boot" "$mirror" \
			>"$work/bootstrap.log" 2>&1 || { tail -n 20 "$work/bootstrap.log"; fail "debootstrap failed"; }
		tar -C "$work/boot" -cf "$tarball.tmp" .
		rm -rf "$work/boot"
	fi
	mv "$tarball.tmp" "$tarball"
fi
step "unpack the root ($root)"
mkdir -p "$root"
tar -C "$root" -xf "$tarball"
# no service starts while packages are installed in the root
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
mkdir -p "$root/tmp/debs" "$root/tmp/src" "$root/dev/shm"
cp "$debs"/*.deb "$root/tmp/debs/"
rm -f "$root"/tmp/debs/*-dbgsym_*.deb
cp "$here/pkg_cpg.c" "$here/pkg_clm.c" "$here/deb-inroot.sh" "$root/tmp/src/"
# the example engine, built in the root as a plugin against aisexec-dev only
mkdir -p "$root/tmp/src/plugin"
cp "$top/services/example.c" "$top/services/example_ipc.h" "$root/tmp/src/plugin/"

# run a command in the root, in a mount namespace of its own (proc, a private
# /dev/shm), optionally also in a network namespace of its own
in_root() {
	local net=""
	if [ "$1" = --net ]; then
		net=--net
		shift
	fi
	unshare --mount --fork $net -- /bin/sh -ec '
		root=$1 net=$2
		shift 2
		[ -z "$net" ] || ip link set lo up
		mount -t proc proc "$root/proc"
		mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
		exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
			DEBIAN_FRONTEND=noninteractive chroot "$root" "$@"' sh "$root" "$net" "$@"
}

# --- 3. install ---------------------------------------------------------------
step "install the packages in the root"
pkgs=$(cd "$root/tmp/debs" && ls ./*.deb | sed 's|^\./|/tmp/debs/|')
# shellcheck disable=SC2086
if ! in_root apt-get install -y --no-install-recommends $pkgs >"$work/install.log" 2>&1; then
	# the root's package lists may be older than the mirror
	in_root apt-get update >>"$work/install.log" 2>&1 || fail "apt-get update in the root failed"
	# shellcheck disable=SC2086
	in_root apt-get install -y --no-install-recommends $pkgs >>"$work/install.log" 2>&1 ||
		fail "apt-get install of the packages failed"
fi
in_root dpkg-query -W -f='${Package} ${Version}\n' | grep -E '^(aisexec|libais|libsa)' >"$work/installed.txt"
cat "$work/installed.txt"
n=$(grep -c " $version\$" "$work/installed.txt" || true)
[ "$n" = "$(echo "$pkgs" | wc -w)" ] || fail "not every package is installed with version $version"

step "what the installation made"
key="$root/etc/ais/authkey"
[ -f "$key" ] || fail "postinst did not make /etc/ais/authkey"
[ "$(stat -c '%a %u %s' "$key")" = "400 0 256" ] || fail "authkey: $(stat -c 'mode %a owner %u size %s' "$key")"
in_root getent group aisexec >/dev/null || fail "no group aisexec"
in_root getent passwd aisexec >/dev/null || fail "no user aisexec"
in_root dpkg-query -W -f='${Conffiles}\n' aisexec | grep -q '^ /etc/ais/aisexec.conf ' ||
	fail "/etc/ais/aisexec.conf is not a conffile"
[ -L "$root/etc/systemd/system/multi-user.target.wants/aisexec.service" ] ||
	fail "the unit is not enabled"
[ -x "$root/etc/init.d/aisexec" ] || fail "no /etc/init.d/aisexec"
keysum=$(md5sum <"$key")

# --- 4. run ---------------------------------------------------------------------
step "start aisexec in the root with the unit's command line and run clients"
in_root --net /bin/bash /tmp/src/deb-inroot.sh "$version" >"$work/run.log" 2>&1 ||
	fail "the daemon or a client failed in the root"
cat "$work/run.log"
grep -q '^PASS: deb-inroot' "$work/run.log" || fail "the in-root checks did not finish"

# --- 5. reinstall and purge -----------------------------------------------------
step "reinstall keeps the key; purge removes the package and the key"
in_root dpkg -i /tmp/debs/aisexec_"$version"_"$arch".deb >>"$work/install.log" 2>&1 ||
	fail "reinstalling aisexec failed"
[ "$(md5sum <"$key")" = "$keysum" ] || fail "reinstalling aisexec replaced the authkey"
in_root dpkg --purge aisexec >>"$work/install.log" 2>&1 || fail "dpkg --purge aisexec failed"
[ ! -e "$key" ] && [ ! -e "$root/etc/ais/aisexec.conf" ] || fail "purge left /etc/ais behind"

echo "PASS: $prog (packages $version, $(($(date +%s) - started)) s)"
