#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
#
# plot.sh: PNG charts (gnuplot) from the RESULT lines that
# compare-corosync.sh and scale.sh write (their RESULTS files):
#   compare.results        -> compare-one-sender.png, compare-all-senders.png
#                             (throughput by message size, aisexec and each
#                             Corosync transport), compare-latency.png
#                             (p50 / p90 / p99 per system and size)
#   compare-mcast.results  -> the same three as compare-mcast-*.png (aisexec
#                             over IP multicast, transport udp)
#   compare-crypto.results -> the same three as compare-crypto-*.png
#   scale.results          -> scale.png (ring formation, throughput, latency,
#                             idle CPU and RSS by cluster size)
# A missing input file is skipped. gnuplot-nox is installed with apt-get when
# missing (as root; SKIP_APT=1 never calls apt-get).
#
#   plot.sh [DIR]          read DIR/*.results, write the PNGs into DIR
#                          (default: docs/perf of the source tree)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$here/lib.sh"
ME=plot.sh

DIR=${1:-$here/../docs/perf}
[ -d "$DIR" ] || die "$DIR: no such directory"
DIR=$(cd "$DIR" && pwd)
command -v gnuplot >/dev/null || need_pkgs gnuplot-nox
command -v gnuplot >/dev/null || die "gnuplot missing (apt-get install gnuplot-nox)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/ais-plot.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# table FILE SCEN KEY: rows "size value(system1) value(system2) ...", header
# line "# size system1 system2 ..." ("-" where a system has no value)
table() {
	awk -v scen="$2" -v key="$3" '
	/^RESULT / && $0 ~ ("scen=" scen " ") {
		sys = ""; size = ""; v = "-"
		for (i = 2; i <= NF; i++) {
			split($i, kvp, "=")
			if (kvp[1] == "system") sys = kvp[2]
			else if (kvp[1] == "size") size = kvp[2]
			else if (kvp[1] == key) v = kvp[2]
		}
		if (!(sys in seen)) { seen[sys] = 1; order[++ns] = sys }
		if (!(size in sseen)) { sseen[size] = 1; sizes[++nz] = size }
		d[sys, size] = v
	}
	END {
		printf "# size"
		for (j = 1; j <= ns; j++) printf " %s", order[j]
		printf "\n"
		for (i = 1; i <= nz; i++) {
			printf "%s", sizes[i]
			for (j = 1; j <= ns; j++) printf " %s", ((order[j], sizes[i]) in d) ? d[order[j], sizes[i]] : "-"
			printf "\n"
		}
	}' "$1"
}

# header line of a RESULTS file (commit, date, load...) for the chart titles
about() {
	sed -n '1s/^# [a-z-]*\.sh //p' "$1" |
		sed 's/ load=.*//; s/ cs_transports="[^"]*"//; s/ latn=[0-9]*//; s/ lativ=[0-9]*//; s/"//g; s/_/-/g'
}

# throughput: FILE SCEN TITLE PNG -- msgs/s and MB/s by message size, one
# line per system
plot_tput() {
	local f=$1 scen=$2 title=$3 png=$4 cols n i pm="" pb=""
	table "$f" "$scen" msgs_s >"$TMP/$scen-m.dat"
	table "$f" "$scen" MBps >"$TMP/$scen-b.dat"
	read -r -a cols <<<"$(head -n 1 "$TMP/$scen-m.dat" | cut -c3-)"
	n=${#cols[@]}
	for ((i = 2; i <= n; i++)); do
		pm+="'$TMP/$scen-m.dat' using 1:$i with linespoints lw 2 pt 7 title '${cols[i - 1]}', "
		pb+="'$TMP/$scen-b.dat' using 1:$i with linespoints lw 2 pt 7 title '${cols[i - 1]}', "
	done
	gnuplot <<EOG
set terminal pngcairo size 1100,500 font ",10"
set output '$png'
set datafile missing '-'
set logscale xy
set xlabel 'message size (bytes)'
set key bottom left opaque
set grid
set offsets graph 0.05, graph 0.05, 0, 0
set xtics ($(awk 'NR > 1 { printf "%s\"%s\" %s", (NR > 2 ? ", " : ""), $1, $1 }' "$TMP/$scen-m.dat"))
set multiplot layout 1,2 title "$title\n{/*0.8 $(about "$f")}"
set title 'messages per second (median)'
set ylabel 'msgs/s'
plot ${pm%, }
set title 'MB/s (10^6 bytes, median)'
set ylabel 'MB/s'
set key top left opaque
plot ${pb%, }
unset multiplot
EOG
	log "wrote $png"
}

# latency: FILE TITLE PNG -- clustered bars p50/p90/p99, one group per
# system and size
plot_lat() {
	local f=$1 title=$2 png=$3
	awk '/^RESULT / && / scen=c / {
		for (i = 2; i <= NF; i++) { split($i, kvp, "="); v[kvp[1]] = kvp[2] }
		sys = v["system"]; sub(/^corosync-/, "cs ", sys)
		printf "\"%s %s B\" %s %s %s\n", sys, v["size"], v["p50_us"], v["p90_us"], v["p99_us"]
	}' "$f" >"$TMP/lat.dat"
	[ -s "$TMP/lat.dat" ] || return 0
	gnuplot <<EOG
set terminal pngcairo size 900,540 font ",10"
set output '$png'
set title "$title\n{/*0.8 $(about "$f")}"
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set ylabel 'send -> own delivery (us), median'
set yrange [0:*]
set xtics rotate by -30
set key top left opaque
set grid ytics
set datafile missing '-'
plot '$TMP/lat.dat' using 2:xtic(1) title 'p50', '' using 3 title 'p90', '' using 4 title 'p99'
EOG
	log "wrote $png"
}

# scale: FILE PNG
plot_scale() {
	local f=$1 png=$2
	awk '/^RESULT / && / bench=scale / {
		for (i = 2; i <= NF; i++) { split($i, kvp, "="); v[kvp[1]] = kvp[2] }
		print v["nodes"], v["form_ms"], v["form_poll_ms"], v["one_MBps"], v["all_MBps"], v["lat_p50_us"], \
			v["lat_p99_us"], v["idle_cpu_pct_mean"], v["idle_cpu_pct_max"], v["idle_rss_kb_mean"] / 1024, \
			v["rss_after_kb_mean"] / 1024, ("form_last_ms" in v ? v["form_last_ms"] : "-")
	}' "$f" >"$TMP/scale.dat"
	[ -s "$TMP/scale.dat" ] || return 0
	gnuplot <<EOG
set terminal pngcairo size 1000,860 font ",10"
set output '$png'
set datafile missing '-'
set grid
set xlabel 'nodes'
set xtics ($(awk '{ printf "%s%s", (NR > 1 ? ", " : ""), $1 }' "$TMP/scale.dat"))
set key below
set yrange [0:*]
set multiplot layout 2,2 title "aisexec by cluster size (ais-cluster, one machine)\n{/*0.8 $(about "$f")}"
set title 'ring formation'
set ylabel 'ms (log scale)'
set logscale y
set yrange [*:*]
plot '$TMP/scale.dat' using 1:2 with linespoints lw 2 pt 7 title 'first daemon start -> all synced (log)', \
     '' using 1:12 with linespoints lw 2 pt 9 title 'last daemon start -> all synced (log)', \
     '' using 1:3 with linespoints lw 2 pt 5 title 'first start -> all report it (polled)'
unset logscale y
set yrange [0:*]
set title 'throughput, 1 KiB messages'
set ylabel 'MB/s delivered per node'
plot '$TMP/scale.dat' using 1:4 with linespoints lw 2 pt 7 title 'one sender', \
     '' using 1:5 with linespoints lw 2 pt 5 title 'all nodes send'
set title 'latency at 1 msg/ms'
set ylabel 'us'
plot '$TMP/scale.dat' using 1:6 with linespoints lw 2 pt 7 title 'p50', \
     '' using 1:7 with linespoints lw 2 pt 5 title 'p99'
set title 'idle daemon'
set ylabel 'CPU % per daemon'
set y2label 'RSS MiB per daemon'
set y2tics
set y2range [0:*]
set ytics nomirror
plot '$TMP/scale.dat' using 1:8 with linespoints lw 2 pt 7 title 'CPU % (mean)', \
     '' using 1:9 with linespoints lw 2 pt 5 title 'CPU % (max)', \
     '' using 1:10 axes x1y2 with linespoints lw 2 pt 9 title 'RSS idle (mean)', \
     '' using 1:11 axes x1y2 with linespoints lw 2 pt 11 title 'RSS after the load (mean)'
unset multiplot
EOG
	log "wrote $png"
}

for base in compare compare-mcast compare-crypto; do
	f=$DIR/$base.results
	[ -s "$f" ] || { log "$f missing, skipped"; continue; }
	case $base in
	compare) what="aisexec (udpu) vs Corosync, 3 nodes" ;;
	compare-mcast) what="aisexec (udp, IP multicast) vs Corosync, 3 nodes" ;;
	*) what="aisexec vs Corosync, 3 nodes, encrypted" ;;
	esac
	plot_tput "$f" a "$what: one sender" "$DIR/$base-one-sender.png"
	plot_tput "$f" b "$what: all three nodes send" "$DIR/$base-all-senders.png"
	plot_lat "$f" "$what: latency at one message per ms" "$DIR/$base-latency.png"
done
if [ -s "$DIR/scale.results" ]; then
	plot_scale "$DIR/scale.results" "$DIR/scale.png"
else
	log "$DIR/scale.results missing, skipped"
fi
