/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * clm_watch: a small CLM client (manual testing, test/cluster/clm_track.sh).
 * Tracks membership changes (SA_TRACK_CHANGES, or SA_TRACK_CHANGES_ONLY
 * with -d) and prints one line per track callback on stdout
 * (line-buffered):
 *
 *   view <view> members <count> <change>,<name>,<nodeid>,<address>,<boot>,<initial view> ...
 *
 * change is NO_CHANGE, JOINED or LEFT; boot the bootTimestamp (ns). With
 * --once it prints the current membership (same format, all NO_CHANGE) and
 * exits. The first line after start is the current membership unless -n.
 * SIGINT/SIGTERM or the daemon going away stop it. The daemon is chosen by
 * $AIS_INSTANCE. Uses only the public API (<saClm.h>, -lSaClm).
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <saClm.h>
#include <ais/client.h>

static volatile sig_atomic_t watch_stop;

static void watch_signal(int sig)
{
	(void)sig;
	watch_stop = 1;
}

static const char *watch_change_name(SaClmClusterChangesT c)
{
	switch (c) {
	case SA_CLM_NODE_NO_CHANGE:
		return "NO_CHANGE";
	case SA_CLM_NODE_JOINED:
		return "JOINED";
	case SA_CLM_NODE_LEFT:
		return "LEFT";
	case SA_CLM_NODE_RECONFIGURED:
		return "RECONFIGURED";
	default:
		return "?";
	}
}

static void watch_print(const SaClmClusterNotificationBufferT *buf, SaUint32T members)
{
	printf("view %llu members %u", (unsigned long long)buf->viewNumber, (unsigned)members);
	for (SaUint32T i = 0; i < buf->numberOfItems; i++) {
		const SaClmClusterNodeT *n = &buf->notification[i].clusterNode;

		printf(" %s,%.*s,%u,%.*s,%lld,%llu", watch_change_name(buf->notification[i].clusterChange),
		       (int)n->nodeName.length, (const char *)n->nodeName.value, (unsigned)n->nodeId,
		       (int)n->nodeAddress.length, (const char *)n->nodeAddress.value,
		       (long long)n->bootTimestamp, (unsigned long long)n->initialViewNumber);
	}
	printf("\n");
	fflush(stdout);
}

static void watch_track_cb(const SaClmClusterNotificationBufferT *buf, SaUint32T members, SaAisErrorT error)
{
	if (error != SA_AIS_OK) {
		printf("error: track callback: %d\n", (int)error);
		fflush(stdout);
		return;
	}
	watch_print(buf, members);
}

static void watch_usage(FILE *f)
{
	fprintf(f, "usage: clm_watch [-d|--changes-only] [-n|--no-current] [--once] [-h|--help]\n"
	           "Print the cluster membership views (SA Forum CLM) of the local aisexec\n"
	           "($AIS_INSTANCE picks the instance), one line per view:\n"
	           "  view <view> members <count> <change>,<name>,<nodeid>,<address>,<boot>,<initial view> ...\n"
	           "  -d, --changes-only  track SA_TRACK_CHANGES_ONLY (only joined and left nodes)\n"
	           "  -n, --no-current    do not print the current membership first\n"
	           "      --once          print the current membership and exit\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "changes-only", no_argument, NULL, 'd' },
		{ "no-current", no_argument, NULL, 'n' },
		{ "once", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	SaClmCallbacksT cb = { NULL, watch_track_cb };
	SaVersionT version = { 'B', 1, 1 };
	SaUint8T flags = SA_TRACK_CHANGES;
	bool once = false, current = true;
	SaSelectionObjectT sel;
	SaClmHandleT h;
	SaAisErrorT e;
	int c;

	while ((c = getopt_long(argc, argv, "dnhV", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			flags = SA_TRACK_CHANGES_ONLY;
			break;
		case 'n':
			current = false;
			break;
		case 'o':
			once = true;
			break;
		case 'V':
			printf("clm_watch (" PACKAGE_NAME ") " PACKAGE_VERSION "\n");
			return 0;
		case 'h':
			watch_usage(stdout);
			return 0;
		default:
			watch_usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		watch_usage(stderr);
		return 2;
	}
	signal(SIGINT, watch_signal);
	signal(SIGTERM, watch_signal);
	signal(SIGPIPE, SIG_IGN);

	for (int tries = 0;; tries++) {
		e = saClmInitialize(&h, &cb, &version);
		if (e != SA_AIS_ERR_TRY_AGAIN || tries >= 50 || watch_stop)
			break;
		usleep(100000);
	}
	if (e != SA_AIS_OK) {
		const char *why = saClmInitializeErrorText();

		if (why != NULL)
			fprintf(stderr, "clm_watch: saClmInitialize: %s\n", why);
		else
			fprintf(stderr, "clm_watch: saClmInitialize: error %d\n", (int)e);
		return 1;
	}
	if (once) {
		SaClmClusterNotificationBufferT buf = { 0, 0, NULL };

		e = saClmClusterTrack(h, SA_TRACK_CURRENT, &buf);
		if (e != SA_AIS_OK) {
			fprintf(stderr, "clm_watch: saClmClusterTrack: error %d\n", (int)e);
			saClmFinalize(h);
			return 1;
		}
		watch_print(&buf, buf.numberOfItems);
		saClmClusterNotificationFree(h, buf.notification);
		saClmFinalize(h);
		return 0;
	}
	if (current)
		flags |= SA_TRACK_CURRENT;
	e = saClmClusterTrack(h, flags, NULL);
	if (e == SA_AIS_OK)
		e = saClmSelectionObjectGet(h, &sel);
	if (e != SA_AIS_OK) {
		fprintf(stderr, "clm_watch: tracking failed: error %d\n", (int)e);
		saClmFinalize(h);
		return 1;
	}
	printf("tracking\n");
	fflush(stdout);
	while (!watch_stop) {
		struct pollfd pfd = { .fd = (int)sel, .events = POLLIN };
		int r = poll(&pfd, 1, 500);

		if (r < 0 && errno != EINTR)
			break;
		if (r <= 0)
			continue;
		e = saClmDispatch(h, SA_DISPATCH_ALL);
		if (e != SA_AIS_OK) {
			fprintf(stderr, "clm_watch: dispatch: error %d\n", (int)e);
			saClmFinalize(h);
			return 1;
		}
	}
	saClmClusterTrackStop(h);
	saClmFinalize(h);
	return 0;
}
