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
# view with its change codes. Last, when the daemons have the AMF engine
# (`aistool amf status` answers), a second 3-node cluster runs a 2N service
# of the amf_comp component: the assignments, a killed active component
# and the takeover with the restarted standby, a killed node, an si-swap.
# When the daemon is not built, runs the simulated 5-node ring
# (test/sim/demo.sh) instead.
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
AMF_COMP="$build/services/amf_comp"
AMF_CLC="$top/services/amf/amf-comp-clc"
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
cdir=$dir # the running cluster's directory (the AMF act uses its own)
prefix="demo$$-"
chat_pids=()
cluster() { "$here/ais-cluster" --dir "$cdir" --prefix "$prefix" "$@"; }
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
	if [ -f "$cdir/cluster.env" ] && [ -n "$(cluster status 2>/dev/null | grep ': running' || true)" ]; then
		heading "stop"
		cluster stop || true
	fi
	amf_kill_comps
	if [ "$rc" = 0 ]; then
		rm -rf "$dir"
	else
		echo "demo $([ "$rc" = 130 ] && echo interrupted || echo failed); logs kept in $dir" >&2
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Components of the AMF act still running (those of a killed node's daemon).
amf_kill_comps() {
	local f p
	for f in "$dir"/amf/ctl/*.pid; do
		[ -f "$f" ] || continue
		p=$(cat "$f" 2>/dev/null || true)
		[[ "$p" =~ ^[0-9]+$ ]] || continue
		if { tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null | grep -q amf_comp; then kill -KILL "$p" 2>/dev/null || true; fi
	done
}

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

# --- AMF: a 2N service on a cluster of its own ------------------------------

amf_dn_su() { echo "safSu=$1,safSg=web-2n,safApp=web"; }
amf_si="safSi=site,safApp=web"

# The demo's amf.conf: su-a on n1, su-b on n2 (n3 hosts no SU and watches),
# one SI; every component is amf_comp, logging its callbacks to
# $dir/amf/comp.log.
amf_write_conf() {
	local su comp node
	echo "safAmfCluster = demo {"
	echo "	saAmfClusterStartupTimeout = 2000"
	for node in 1 2 3; do
		printf '\tsafAmfNode = n%s {\n\t\tsaAmfNodeClmNode = n%s\n\t}\n' "$node" "$node"
	done
	echo "	safApp = web {"
	echo "		safSg = web-2n {"
	echo "			saAmfSGRedundancyModel = 2n"
	for node in 1 2; do
		su=su-$(printf '%s' "$node" | tr 123 abc)
		comp=httpd-$node
		echo "			safSu = $su {"
		echo "				saAmfSUHostedByNode = n$node"
		echo "				safComp = $comp {"
		echo "					saAmfCompCategory = sa_aware"
		echo "					saAmfCompCapability = x_active_or_y_standby"
		echo "					saAmfCompInstantiateCmd = $AMF_CLC"
		echo "					saAmfCompInstantiateCmdArgv = instantiate $AMF_COMP"
		echo "					saAmfCompTerminateCmd = $AMF_CLC"
		echo "					saAmfCompTerminateCmdArgv = terminate"
		echo "					saAmfCompCleanupCmd = $AMF_CLC"
		echo "					saAmfCompCleanupCmdArgv = cleanup"
		echo "					saAmfCompRecoveryOnError = component_failover"
		printf '\t\t\t\t\tsaAmfCompCsTypes {\n\t\t\t\t\t\thttp\n\t\t\t\t\t}\n'
		printf '\t\t\t\t\tsaAmfCompCmdEnv {\n\t\t\t\t\t\tAMF_COMP_LOG=%s\n\t\t\t\t\t\tAMF_COMP_CTL=%s\n\t\t\t\t\t\tAMF_COMP_HC_KEY=alive\n\t\t\t\t\t}\n' \
			"$dir/amf/comp.log" "$dir/amf/ctl"
		printf '\t\t\t\t\tsafHealthcheckKey = alive {\n\t\t\t\t\t\tsaAmfHealthcheckPeriod = 1000\n\t\t\t\t\t}\n'
		echo "				}"
		echo "			}"
	done
	echo "		}"
	echo "		safSi = site {"
	echo "			safCsi = site-http {"
	echo "				saAmfCSTypeName = http"
	printf '\t\t\t\tsafCSIAttr = address {\n\t\t\t\t\t192.0.2.10\n\t\t\t\t}\n'
	echo "			}"
	echo "		}"
	printf '\t\tsafCSType = http {\n\t\t\tsafAmfCSAttrName = address\n\t\t}\n'
	echo "	}"
	echo "}"
}

amf_on=1
amf_st() { "$AISTOOL" -i "$(inst "$amf_on")" amf status 2>/dev/null; }
amf_assignments() { amf_st | grep -E '^(settled|si-assignment|csi-assignment)' | indent; }
amf_role() { amf_st | awk -v si="$amf_si" -v ha="$1" '$1 == "si-assignment" && $2 == si && $4 == ha { print $3 }'; }
# Wait (up to 60 s) until settled and the command succeeds.
amf_wait() {
	local t
	for ((t = 0; t < 300; t++)); do
		if [ "$(amf_st | head -n 1)" = "settled yes" ] && eval "$1"; then return 0; fi
		sleep 0.2
	done
	echo "demo: AMF did not reach: $1" >&2
	amf_st >&2 || true
	return 1
}
comp_of() { local s=${1%%,*}; s=${s#safSu=su-}; echo "httpd-$(printf '%s' "$s" | tr abc 123)"; }
node_of() { local s=${1%%,*}; s=${s#safSu=su-}; printf '%s' "$s" | tr abc 123; }

if [ -x "$AMF_COMP" ] && "$AISTOOL" -i "$(inst 1)" services 2>/dev/null | grep -q '^amf '; then
	heading "stop this cluster; AMF gets one of its own"
	cluster stop --quiet
	cdir=$dir/amf
	mkdir -p "$cdir/ctl"
	amf_write_conf >"$cdir/amf.conf"
	: >"$cdir/comp.log"
	heading "AMF: 3 nodes, a 2N service group web-2n of 2 SUs (su-a on n1, su-b on n2; n3 watches)"
	cluster start 3 --token 1000 --amf "$cdir/amf.conf" --quiet
	amf_on=3
	if ! amf_wait '[ -n "$(amf_role ACTIVE)" ] && [ -n "$(amf_role STANDBY)" ]' 2>/dev/null; then
		note "  (aistool amf status does not answer here: the AMF engine is not built in; skipping)"
	else
		amf_assignments
		note "  the components' own log (callbacks they received):"
		grep -E 'registered|csi-set' "$cdir/comp.log" | cut -d' ' -f2- | indent

		act=$(amf_role ACTIVE)
		sby=$(amf_role STANDBY)
		heading "AMF: kill -9 the active component $(comp_of "$act") (recovery: component failover)"
		mark=$(wc -l <"$cdir/comp.log")
		regs=$(grep -c "safComp=$(comp_of "$act"),.* registered" "$cdir/comp.log" || true)
		t0=$(now_ms)
		kill -KILL "$(cat "$cdir/ctl/$(comp_of "$act").pid")"
		amf_wait '[ "$(amf_role ACTIVE)" = "$sby" ]'
		wait_lines "$cdir/comp.log" "safComp=$(comp_of "$act"),.* registered" $((regs + 1))
		t1=$(tail -n "+$((mark + 1))" "$cdir/comp.log" | awk '/ csi-set .* ACTIVE/ { print $1; exit }')
		echo "  $(comp_of "$sby") took over ($(secs $((t1 - t0))) from the kill to its CSI set ACTIVE);"
		echo "  $(comp_of "$act") was cleaned up, instantiated again and becomes the standby:"
		amf_wait '[ "$(amf_role STANDBY)" = "$act" ]'
		amf_assignments
		echo "  what the components were told:"
		tail -n "+$((mark + 1))" "$cdir/comp.log" | grep -E 'csi-set|csi-remove|registered' | cut -d' ' -f2- | indent

		act=$(amf_role ACTIVE)
		dead=$(node_of "$act")
		heading "AMF: kill node $dead (SIGKILL to its daemon), which hosts the active $act"
		mark=$(wc -l <"$cdir/comp.log")
		t0=$(now_ms)
		cluster kill "$dead" --quiet
		amf_wait '[ -n "$(amf_role ACTIVE)" ] && [ "$(amf_role ACTIVE)" != "$act" ]'
		t1=$(tail -n "+$((mark + 1))" "$cdir/comp.log" | awk '/ csi-set .* ACTIVE/ { print $1; exit }')
		echo "  the standby took over ($(secs $((t1 - t0))) from the kill to its CSI set ACTIVE); n$amf_on now reports:"
		amf_st | grep -E '^(settled|node|si-assignment)' | indent
		echo "  restart n$dead: $act comes back as the standby"
		cluster restart "$dead" --quiet
		amf_wait '[ "$(amf_role STANDBY)" = "$act" ]'
		amf_assignments

		heading "AMF: si-swap $amf_si (aistool amf si-swap)"
		act=$(amf_role ACTIVE)
		sby=$(amf_role STANDBY)
		mark=$(wc -l <"$cdir/comp.log")
		"$AISTOOL" -i "$(inst "$amf_on")" amf si-swap "$amf_si"
		amf_wait '[ "$(amf_role ACTIVE)" = "$sby" ] && [ "$(amf_role STANDBY)" = "$act" ]'
		amf_assignments
		echo "  the swap as the components saw it:"
		tail -n "+$((mark + 1))" "$cdir/comp.log" | grep -E 'csi-set' | cut -d' ' -f2- | indent
	fi
fi
