#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Service engines see the executive only through include/ais/service.h and
# include/ais/admin.h (the api table). Fails, naming file:line, when a file
# under services/ includes a header of exec/ (by a quoted name that exists in
# exec/ or exec/totem/, or by a path into exec/), names the daemon's private
# run-time state, or when a services Makefile fragment puts exec/ on the
# include path.
set -euo pipefail
top_srcdir=${AIS_SRCDIR:?}
cd "$top_srcdir"
bad=0

while IFS= read -r -d '' f; do
	n=0
	while IFS= read -r line; do
		n=$((n + 1))
		if [[ $line =~ (^|[^A-Za-z0-9_])(exec_rt|exec_api|service_engine_get)([^A-Za-z0-9_]|$) ]]; then
			echo "$f:$n: uses the executive's private state: $line"
			bad=1
			continue
		fi
		[[ $line == *'#'*include* ]] || continue
		[[ $line =~ ^[[:space:]]*#[[:space:]]*include[[:space:]]*[\"\<]([^\"\>]+)[\"\>] ]] || continue
		h=${BASH_REMATCH[1]}
		case $h in
		*exec/*)
			echo "$f:$n: includes an exec header: $line"
			bad=1
			continue
			;;
		esac
		[[ $line == *'"'* ]] || continue
		# a quoted name found next to the file is the service's own header
		[ -e "$(dirname "$f")/$h" ] && continue
		[ "$h" = config.h ] && continue
		if [ -e "exec/$h" ] || [ -e "exec/totem/$h" ]; then
			echo "$f:$n: includes an exec header: $line"
			bad=1
		fi
	done <"$f"
done < <(find services -name '*.[ch]' -print0 | sort -z)

while IFS= read -r -d '' f; do
	if grep -n -e '-I[^ ]*exec' "$f" | sed "s|^|$f:|;s|\$|: exec/ on a service's include path|" | grep .; then
		bad=1
	fi
done < <(find services -name '*.am' -print0 | sort -z)

if [ "$bad" -ne 0 ]; then
	echo "FAIL (service_layering): services must use include/ais/service.h and include/ais/admin.h only" >&2
	exit 1
fi
echo "service_layering: $(find services -name '*.[ch]' | wc -l) service sources use the api only"
