#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# `make fuzz`: every fuzz target built with clang's libFuzzer and run for a
# bounded time. Called by test/fuzz/Makefile (which passes the targets and
# their sources); by hand:
#   make -C _build/test/fuzz fuzz FUZZ_SECONDS=600 FUZZ_ONLY="fuzz_ipc fuzz_cpg"
#
# Each source is compiled with -fsanitize=fuzzer-no-link,address,undefined
# into its own build directory ($FUZZ_DIR, default test/fuzz/libfuzzer in the
# build tree), so the daemon's build is untouched; the engines and the totem
# stack go into archives there, linked like the daemon links them. Each
# target then runs FUZZ_SECONDS (default 60) over its seed corpus
# (test/fuzz/corpus/<target>/, read only); the inputs libFuzzer finds
# interesting are kept in $FUZZ_DIR/out/<target>/new. A crash, leak, hang or
# sanitizer report stops that target; its input is copied into
# test/fuzz/corpus/<target>/ in the source tree, where `make check` replays it
# from then on, and the run ends with status 1 after the other targets ran.
#
# Arguments: one word per target, "name|sources|archives|libs": sources are
# relative to test/fuzz/ in the source tree; archives are among "services"
# and "totem". Environment from the Makefile: top_srcdir top_builddir srcdir
# LIBQB_CFLAGS LIBQB_LIBS SERVICES_SRC TOTEM_SRC, optional CLANG.
set -u

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_DIR=${FUZZ_DIR:-$PWD/libfuzzer}
FUZZ_ONLY=${FUZZ_ONLY:-}

say() { printf '%s\n' "$*"; }
die() { printf 'make fuzz: %s\n' "$*" >&2; exit 1; }

case $FUZZ_SECONDS in
''|*[!0-9]*) die "FUZZ_SECONDS must be a number of seconds (got '$FUZZ_SECONDS')";;
esac

# --- clang ------------------------------------------------------------------
find_clang() {
	for c in ${CLANG:-} clang clang-19 clang-18 clang-17 clang-16 clang-15 clang-14; do
		if command -v "$c" >/dev/null 2>&1; then
			CLANG=$c
			return 0
		fi
	done
	return 1
}
if ! find_clang; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		say "make fuzz: clang is missing; installing it (apt-get install -y clang)"
		DEBIAN_FRONTEND=noninteractive apt-get install -y clang >/dev/null ||
			{ apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y clang >/dev/null; } ||
			die "apt-get install clang failed"
		find_clang || die "clang still not found after apt-get install clang"
	else
		die "libFuzzer needs clang, which is not installed. As root: apt-get install clang"
	fi
fi
probe=$(mktemp -d "${TMPDIR:-/tmp}/aisfuzz.XXXXXX") || die "mktemp failed"
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >"$probe/p.c"
if ! "$CLANG" -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" >"$probe/log" 2>&1; then
	cat "$probe/log" >&2
	rm -rf "$probe"
	die "$CLANG cannot link a libFuzzer program (Debian: the clang package brings libFuzzer; apt-get install clang)"
fi
rm -rf "$probe"

# --- build ------------------------------------------------------------------
CFLAGS="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
INCS="-I$top_srcdir/include -I$top_builddir -I$top_srcdir/exec -I$top_srcdir/exec/totem -I$top_srcdir/services $LIBQB_CFLAGS ${NSS_CFLAGS:-}"
OBJ=$FUZZ_DIR/obj
BIN=$FUZZ_DIR/bin
OUT=$FUZZ_DIR/out
mkdir -p "$OBJ" "$BIN" "$OUT" || die "cannot create $FUZZ_DIR"

# compile one source (path relative to dir $1) into $OBJ; prints the object
compile() {
	src=$1/$2
	obj=$OBJ/$(printf '%s' "$1/$2" | sed 's|^\./||; s|\.\./||g; s|/|_|g; s|\.c$|.o|')
	if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ]; then
		# shellcheck disable=SC2086
		"$CLANG" $CFLAGS $INCS -c "$src" -o "$obj" 2>"$obj.log" || { cat "$obj.log" >&2; return 1; }
	fi
	printf '%s\n' "$obj"
}

# an archive of dir $2's sources $3 (so only what a target needs is linked)
archive() {
	lib=$FUZZ_DIR/lib$1.a
	objs=
	for s in $3; do
		o=$(compile "$2" "$s") || return 1
		objs="$objs $o"
	done
	rm -f "$lib"
	# shellcheck disable=SC2086
	ar rcs "$lib" $objs || return 1
	printf '%s\n' "$lib"
}

say "make fuzz: building the targets with $CLANG in $FUZZ_DIR"
services_lib=$(archive services "$top_srcdir/services" "$SERVICES_SRC") || die "building the engines failed"
totem_lib=$(archive totem "$top_srcdir/exec/totem" "$TOTEM_SRC") || die "building the totem stack failed"

built=
for spec in "$@"; do
	name=${spec%%|*}
	rest=${spec#*|}
	srcs=${rest%%|*}
	rest=${rest#*|}
	archives=${rest%%|*}
	libs=${rest#*|}
	if [ -n "$FUZZ_ONLY" ] && ! printf ' %s ' "$FUZZ_ONLY" | grep -q " $name "; then
		continue
	fi
	objs=
	for s in $srcs; do
		o=$(compile "$srcdir" "$s") || die "building $name failed"
		objs="$objs $o"
	done
	arch=
	for a in $archives; do
		case $a in
		services) arch="$arch $services_lib";;
		totem) arch="$arch $totem_lib";;
		*) die "$name: unknown archive $a";;
		esac
	done
	# shellcheck disable=SC2086
	"$CLANG" -fsanitize=fuzzer,address,undefined $objs $arch $libs $LIBQB_LIBS -ldl -lpthread -lm \
		-o "$BIN/$name" || die "linking $name failed"
	built="$built $name"
done
[ -n "$built" ] || die "no target matches FUZZ_ONLY='$FUZZ_ONLY'"

# --- run --------------------------------------------------------------------
failed=
for name in $built; do
	seeds=$srcdir/corpus/$name
	out=$OUT/$name
	[ -d "$seeds" ] || die "$name has no seed corpus ($seeds)"
	mkdir -p "$out/new" "$out/crashes"
	rm -f "$out/crashes/"*
	say "== $name: ${FUZZ_SECONDS}s over $seeds (new inputs: $out/new, log: $out/log)"
	"$BIN/$name" -max_total_time="$FUZZ_SECONDS" -timeout=25 -rss_limit_mb=2048 \
		-artifact_prefix="$out/crashes/" "$out/new" "$seeds" >"$out/log" 2>&1
	rc=$?
	found=0
	for f in "$out/crashes/"*; do
		[ -f "$f" ] || continue
		found=1
		base=$(basename "$f")
		cp "$f" "$seeds/$base"
		say "!! $name: $(grep -m1 -E 'ERROR: |runtime error|deadly signal|timeout' "$out/log" || echo "failed")"
		say "!! $name: the input is saved as test/fuzz/corpus/$name/$base (make check replays it);"
		say "!!   reproduce: $BIN/$name $seeds/$base   full report: $out/log"
	done
	if [ $rc -ne 0 ] || [ $found -ne 0 ]; then
		[ $found -ne 0 ] || say "!! $name: exited with status $rc without an input to keep; see $out/log"
		failed="$failed $name"
	else
		say "   $name: $(grep -m1 -o 'Done [0-9]* runs in [0-9]* second(s)' "$out/log" || echo done), $(find "$out/new" -type f | wc -l) inputs in $out/new"
	fi
done
if [ -n "$failed" ]; then
	say "make fuzz: FAILED:$failed"
	exit 1
fi
say "make fuzz: every target ran ${FUZZ_SECONDS}s without a finding"
