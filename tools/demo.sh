#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# tools/demo.sh BUILD_DIR: show a local aisexec cluster working (what
# `./quickstart demo` runs after building). Builds nothing. Starts 3 nodes
# with ais-cluster in a scratch directory, shows the membership, exchanges a
# chat message from every node over CPG (each node prints what it received,
# in the same order), kills node 3 and shows the configuration change and how
# long the ring took to re-form, restarts node 3 and shows the merge, and
# stops everything (also on Ctrl-C or error). Along the way: Event service
# subscribers with filters on two nodes receive what a third publishes, a
# retained event published on node 3 reaches a subscriber that comes after
# node 3 was killed, and a CLM membership watcher on node 1 reports each
# view with its change codes. When the daemon is not built,
# runs the simulated 5-node ring (test/sim/demo.sh) instead.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=${1:-$top/_build}
[ -d "$build" ] || { echo "demo: no build directory $build" >&2; exit 1; }
build=$(cd "$build" && pwd)

if [ -t 1 ]; then bold=$'\033[1m'; dim=$'\033[2m'; off=$'\033[0m'; else bold=""; dim=""; off=""; fi
heading() { printf '\n%s== %s%s\n' "$bold" "$*" "$off"; }
note() { printf '%s%s%s\n' "$dim" "$*" "$off"; }
indent() { sed 's/^/    /'; }

AISEXEC="$build/exec/aisexec"
AISTOOL="$build/tools/aistool"
CHAT="$build/services/cpg_chat"
EVT_PUB="$build/services/evt_pub"
EVT_SUB="$build/services/evt_sub"
CLM_WATCH="$build/services/clm_watch"
if [ ! -x "$AISEXEC" ] || [ ! -x "$AISTOOL" ]; then
	if [ ! -f "$top/test/sim/demo.sh" ]; then
		echo "demo: $AISEXEC is not built and there is no simulator demo; run make first" >&2
		exit 1
	fi
	heading "aisexec is not built yet: showing the simulated 5-node ring instead"
	exec bash "$top/test/sim/demo.sh" "$build"
fi
export AIS_BUILD_DIR="$build" AISEXEC AISTOOL

dir=$(mktemp -d "${TMPDIR:-/tmp}/ais-demo.XXXXXX")
prefix="demo$$-"
chat_pids=()
cluster() { "$here/ais-cluster" --dir "$dir" --prefix "$prefix" "$@"; }
inst() { echo "${prefix}n$1"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
secs() { printf '%d.%03d s' $(($1 / 1000)) $(($1 % 1000)); }
ids_of() {
	"$AISTOOL" -i "$(inst "$1")" members --json 2>/dev/null | grep -o '"nodeid": *[0-9]*' |
		grep -o '[0-9]*$' | sort -n | tr '\n' ' ' | sed 's/ $//'
}

cleanup() {
	local rc=$? p
	trap - EXIT INT TERM
	for p in "${chat_pids[@]}"; do kill "$p" 2>/dev/null || true; done
	if [ -f "$dir/cluster.env" ]; then
		heading "stop"
		cluster stop || true
	fi
	if [ "$rc" = 0 ]; then
		rm -rf "$dir"
	else
		echo "demo $([ "$rc" = 130 ] && echo interrupted || echo failed); logs kept in $dir" >&2
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- CPG chat clients: one per node, stdin from a FIFO, output to a file ---
declare -A chat_fd=()
chat_out() { echo "$dir/chat$1.out"; }

chat_launch() {
	local i=$1 fifo="$dir/chat$1.in" fd
	rm -f "$fifo"
	mkfifo "$fifo"
	AIS_INSTANCE="$(inst "$i")" "$CHAT" -g demo <"$fifo" >"$(chat_out "$i")" 2>&1 &
	chat_pids+=($!)
	exec {fd}>"$fifo"
	chat_fd[$i]=$fd
}

# Wait (up to 30 s) until file $1 has at least $3 lines matching $2.
wait_lines() {
	local t
	for ((t = 0; t < 600; t++)); do
		[ "$(grep -c -e "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
		sleep 0.05
	done
	echo "demo: timed out waiting for '$2' in $1:" >&2
	cat "$1" >&2 || true
	return 1
}

chat_say() { echo "$2" >&"${chat_fd[$1]}"; }

# A background client on node $1 writing to file $2 (stopped at exit).
bg_client() {
	local i=$1 out=$2
	shift 2
	AIS_INSTANCE="$(inst "$i")" "$@" >"$out" 2>&1 &
	chat_pids+=($!)
}
chat_messages() { grep '^msg ' "$(chat_out "$1")" | sed 's/^msg //'; }

# Wait until node $1 reports members "$2"; prints the elapsed ms since $3.
wait_members() {
	local i=$1 ids=$2 since=$3 t
	for ((t = 0; t < 600; t++)); do
		if [ "$(ids_of "$i")" = "$ids" ]; then
			echo $(($(now_ms) - since))
			return 0
		fi
		sleep 0.05
	done
	echo "demo: n$i did not reach members '$ids' within 30 s" >&2
	return 1
}

heading "start 3 nodes (node i on 127.0.0.i, transport udpu)"
cluster start 3 --token 1000 | indent

heading "aistool members (as node 1 sees it)"
"$AISTOOL" -i "$(inst 1)" members | indent

if [ -x "$CHAT" ]; then
	heading "CPG chat: every node joins group 'demo', then sends one message"
	for i in 1 2 3; do chat_launch "$i"; done
	for i in 1 2 3; do wait_lines "$(chat_out "$i")" 'confchg demo members=[^ ,]*,[^ ,]*,[^ ,]* ' 1; done
	for i in 1 2 3; do chat_say "$i" "hello from n$i"; done
	for i in 1 2 3; do wait_lines "$(chat_out "$i")" '^msg ' 3; done
	for i in 1 2 3; do
		echo "  n$i received (sender nodeid/pid: text):"
		chat_messages "$i" | indent
	done
	if [ "$(chat_messages 1)" = "$(chat_messages 2)" ] && [ "$(chat_messages 2)" = "$(chat_messages 3)" ]; then
		note "  all three nodes delivered the same messages in the same order"
	else
		echo "  the nodes delivered different sequences!" >&2
		exit 1
	fi
else
	note "(CPG chat client $CHAT not built: skipping the chat exchange)"
fi

if [ -x "$CLM_WATCH" ]; then
	heading "CLM: a membership watcher on n1 (SA_TRACK_CHANGES)"
	bg_client 1 "$dir/clm.out" "$CLM_WATCH"
	wait_lines "$dir/clm.out" '^view ' 1
	note "  view <number> members <count> <change>,<name>,<nodeid>,<address>,<boot time ns>,<initial view>"
	grep "^view " "$dir/clm.out" | head -n 1 | indent
fi

if [ -x "$EVT_PUB" ] && [ -x "$EVT_SUB" ]; then
	heading "Event service: n1 publishes, subscribers with filters on n2 and n3"
	bg_client 2 "$dir/evt2.out" "$EVT_SUB" -c demo-events -n 2 prefix=alarm
	bg_client 3 "$dir/evt3.out" "$EVT_SUB" -c demo-events -n 3
	wait_lines "$dir/evt2.out" '^subscribed' 1
	wait_lines "$dir/evt3.out" '^subscribed' 1
	for ev in "alarm.disk n1:/var-91%-full" "info.login alice@n1" "alarm.fan n1:fan2-stopped"; do
		# shellcheck disable=SC2086 # two patterns per event
		AIS_INSTANCE="$(inst 1)" "$EVT_PUB" -c demo-events -P "n1-monitor" $ev | sed 's/^/n1: /' | indent
	done
	wait_lines "$dir/evt2.out" '^event ' 2
	wait_lines "$dir/evt3.out" '^event ' 3
	echo "  n2 (filter: first pattern starts with 'alarm') received:"
	grep '^event ' "$dir/evt2.out" | indent
	echo "  n3 (no filter: every event) received:"
	grep '^event ' "$dir/evt3.out" | indent
	heading "Event service: n3 publishes a retained event (kept 10 minutes)"
	AIS_INSTANCE="$(inst 3)" "$EVT_PUB" -c demo-config -r 600000 -P n3-config config.version "v2-from-n3" |
		sed 's/^/n3: /' | indent
fi

heading "kill node 3 (SIGKILL) and wait for the ring to re-form"
t0=$(now_ms)
cluster kill 3 | indent
ms=$(wait_members 1 "1 2" "$t0")
wait_members 2 "1 2" "$t0" >/dev/null
echo "  ring re-formed without n3 after $(secs "$ms") (token timeout 1000 ms):"
"$AISTOOL" -i "$(inst 1)" members | indent
if [ -x "$CHAT" ]; then
	wait_lines "$(chat_out 1)" 'confchg .*left=3/' 1
	wait_lines "$(chat_out 2)" 'confchg .*left=3/' 1
	echo "  CPG configuration change delivered to the chat clients on n1 and n2:"
	grep 'left=3/' "$(chat_out 1)" | sed 's/^/n1: /' | indent
	grep 'left=3/' "$(chat_out 2)" | sed 's/^/n2: /' | indent
fi

if [ -x "$EVT_SUB" ]; then
	echo "  a new subscriber on n1 gets the retained event published on the dead n3:"
	AIS_INSTANCE="$(inst 1)" "$EVT_SUB" -c demo-config -n 1 -t 10 | grep '^event ' | indent
fi
if [ -x "$CLM_WATCH" ]; then
	wait_lines "$dir/clm.out" 'LEFT,n3' 1
	echo "  the CLM watcher on n1 saw n3 leave:"
	grep 'LEFT,n3' "$dir/clm.out" | tail -n 1 | indent
fi

heading "restart node 3 and watch it merge back"
t0=$(now_ms)
cluster restart 3 --quiet
ms=$(wait_members 1 "1 2 3" "$t0")
echo "  n3 is back in the ring after $(secs "$ms") (including the daemon's start):"
"$AISTOOL" -i "$(inst 3)" members | indent
if [ -x "$CHAT" ]; then
	seen=$(grep -c 'confchg .*joined=3/' "$(chat_out 1)" || true)
	chat_launch 3
	wait_lines "$(chat_out 1)" 'confchg .*joined=3/' $((seen + 1))
	echo "  a new chat client on n3 joins the group; n1 sees:"
	grep 'joined=3/' "$(chat_out 1)" | tail -n 1 | indent
fi
if [ -x "$CLM_WATCH" ]; then
	wait_lines "$dir/clm.out" 'JOINED,n3' 1
	echo "  the CLM watcher on n1 saw n3 join again (new boot time):"
	grep 'JOINED,n3' "$dir/clm.out" | tail -n 1 | indent
fi
if [ -x "$EVT_SUB" ]; then
	echo "  the restarted n3 received the retained event through sync:"
	AIS_INSTANCE="$(inst 3)" "$EVT_SUB" -c demo-config -n 1 -t 10 | grep '^event ' | indent
fi
note "  ring statistics of n1:"
"$AISTOOL" -i "$(inst 1)" ring | grep -E 'state|token rotations|membership|retransmit' | indent
