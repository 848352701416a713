#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The public surface of the client libraries, as an application sees it:
#  * every public header compiles on its own, as strict C99 and C11 and,
#    when a C++ compiler is installed, as C++ (extern "C", no C-only
#    constructs), with warnings as errors;
#  * one program using all of them links against the built libraries;
#  * each shared library exports exactly its API (sa<Service>* or cpg_*),
#    every symbol with the library's version node, and nothing of the
#    private client core.
set -euo pipefail
top_srcdir=${AIS_SRCDIR:?}
top_builddir=${AIS_BUILD_DIR:?}
CC=${CC:-cc}
CXX=${CXX:-g++}
work=$(mktemp -d "${TMPDIR:-/tmp}/ais-public-api.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL (public_api): $*" >&2; exit 1; }

inc="-I$top_srcdir/include -I$top_builddir/include -I$top_srcdir/include/compat"
headers="saAis.h saNtf.h saClm.h saEvt.h saAmf.h ais/cpg.h ais/client.h ais/corotypes.h ais/error.h corosync/cpg.h corosync/corotypes.h corosync/swab.h"
qb_cflags=$(pkg-config --cflags libqb 2>/dev/null || true)

for h in $headers; do
	printf '#include <%s>\nint main(void) { return 0; }\n' "$h" >"$work/one.c"
	for std in c99 c11; do
		# shellcheck disable=SC2086
		$CC -std=$std -pedantic -Wall -Wextra -Werror $inc $qb_cflags -c "$work/one.c" -o "$work/one.o" \
			2>"$work/err" || fail "$h does not compile as $std: $(cat "$work/err")"
	done
	if command -v "$CXX" >/dev/null; then
		cp "$work/one.c" "$work/one.cc"
		# shellcheck disable=SC2086
		$CXX -std=c++11 -Wall -Wextra -Werror $inc $qb_cflags -c "$work/one.cc" -o "$work/one.o" \
			2>"$work/err" || fail "$h does not compile as C++: $(cat "$work/err")"
	fi
done
command -v "$CXX" >/dev/null || echo "note: no C++ compiler ($CXX): C++ checks skipped"

cat >"$work/all.c" <<'PROG'
#include <saAis.h>
#include <saClm.h>
#include <saEvt.h>
#include <saAmf.h>
#include <ais/cpg.h>
#include <ais/client.h>
int main(void)
{
	SaVersionT v = { 'B', 1, 1 };
	SaEvtHandleT e;
	SaClmHandleT c;
	SaAmfHandleT a;
	cpg_handle_t g;
	/* never run: only that every symbol resolves */
	if (v.releaseCode == 0) {
		(void)saEvtInitialize(&e, NULL, &v);
		(void)saClmInitialize(&c, NULL, &v);
		(void)saAmfInitialize(&a, NULL, &v);
		(void)cpg_initialize(&g, NULL);
		(void)cpg_initialize_error_text();
		(void)saClmInitializeErrorText();
		(void)saEvtInitializeErrorText();
		(void)saAmfInitializeErrorText();
	}
	return 0;
}
PROG
libs="$top_builddir/lib/.libs"
# shellcheck disable=SC2086
$CC -std=c11 -Wall -Werror $inc $qb_cflags "$work/all.c" -o "$work/all" -L"$libs" -lSaEvt -lSaClm -lSaAmf -laiscpg \
	-Wl,-rpath,"$libs" 2>"$work/err" || fail "a program using every library does not link: $(cat "$work/err")"

# lib PATTERN VERSIONS: exported symbols match PATTERN, each tagged with one
# of VERSIONS (an extended regular expression)
check_exports() {
	local so=$1 pattern=$2 node=$3 bad
	[ -f "$so" ] || fail "$so is not built"
	nm -D --defined-only "$so" >"$work/syms" || fail "nm $so failed"
	bad=$(awk '$2 ~ /^[TDBRVW]$/ { print $3 }' "$work/syms" | sed 's/@.*//' | grep -v -E "$pattern" |
		grep -v -E "^$node\$" || true)
	[ -z "$bad" ] || fail "$(basename "$so") exports more than its API: $(echo $bad)"
	if command -v objdump >/dev/null; then
		bad=$(objdump -T "$so" | awk '/ DF .text/ { print $(NF-1), $NF }' | grep -v -E "^($node) " || true)
		[ -z "$bad" ] || fail "$(basename "$so"): symbols without version $node: $(echo $bad)"
	fi
}
check_exports "$libs/libSaEvt.so" '^saEvt' "$(sed -n 's/^\([A-Za-z0-9_.]*\) {.*/\1/p' "$top_srcdir/lib/libSaEvt.versions" | head -n 1)"
check_exports "$libs/libSaClm.so" '^saClm' "$(sed -n 's/^\([A-Za-z0-9_.]*\) {.*/\1/p' "$top_srcdir/lib/libSaClm.versions" | head -n 1)"
check_exports "$libs/libSaAmf.so" '^saAmf' "$(sed -n 's/^\([A-Za-z0-9_.]*\) {.*/\1/p' "$top_srcdir/lib/libSaAmf.versions" | head -n 1)"
check_exports "$libs/libaiscpg.so" '^(cpg_|cs_strerror$)' "$(sed -n 's/^\([A-Za-z0-9_.]*\) {.*/\1/p' "$top_srcdir/lib/libaiscpg.versions" | paste -sd'|')"
# cs_strerror came with libaiscpg 1.1
if command -v objdump >/dev/null; then
	# read all of objdump's output: grep -q would stop at the match, and
	# objdump's SIGPIPE would fail the pipeline (pipefail)
	objdump -T "$libs/libaiscpg.so" >"$work/dynsyms" || fail "objdump -T libaiscpg.so failed"
	grep -q -E ' AISCPG_1\.1 +cs_strerror$' "$work/dynsyms" || fail "cs_strerror is not tagged AISCPG_1.1"
fi
echo "PASS: public_api ($headers; libSaEvt, libSaClm, libSaAmf, libaiscpg exports)"
