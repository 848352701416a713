/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * amfpg: track the protection group of one CSI through libSaAmf (public API
 * only) and print what it sees, for amf_pg.sh.
 *
 *   amfpg [-o] CSI_DN
 *
 * Asks for the current members (SA_TRACK_CURRENT, the library allocating
 * the buffer), then tracks with SA_TRACK_CHANGES, or SA_TRACK_CHANGES_ONLY
 * with -o. It keeps its own view of the group: with CHANGES each callback
 * carries the whole group (REMOVED items are leaving members); with
 * CHANGES_ONLY the items are applied to the view. Output, line-buffered:
 *
 *   current <n> <view>            the answer to the CURRENT request
 *   READY                         tracking is in place
 *   cb <seq> err=<SaAisErrorT> members=<n> items=<k>
 *   item <seq> <COMP_DN> <HA> <CHANGE>   k of them
 *   view <seq> <view>             the view after that callback
 *
 * where <view> is the members sorted by name as COMP_DN=HA, blank
 * separated ("-" when empty), HA one of ACTIVE STANDBY QUIESCED QUIESCING
 * and CHANGE one of NO_CHANGE ADDED REMOVED STATE_CHANGE. Runs until
 * SIGTERM or SIGINT (exit 0); exit 1 on an error.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <saAmf.h>

#define PG_MAX 256

struct pg_entry {
	char comp[SA_MAX_NAME_LENGTH + 1];
	SaAmfHAStateT ha;
};

static struct pg_entry view[PG_MAX];
static size_t n_view;
static bool changes_only;
static unsigned long seq;
static volatile sig_atomic_t stop;

static const char *ha_name(SaAmfHAStateT ha)
{
	switch (ha) {
	case SA_AMF_HA_ACTIVE:
		return "ACTIVE";
	case SA_AMF_HA_STANDBY:
		return "STANDBY";
	case SA_AMF_HA_QUIESCED:
		return "QUIESCED";
	case SA_AMF_HA_QUIESCING:
		return "QUIESCING";
	}
	return "UNKNOWN";
}

static const char *change_name(SaAmfProtectionGroupChangesT c)
{
	switch (c) {
	case SA_AMF_PROTECTION_GROUP_NO_CHANGE:
		return "NO_CHANGE";
	case SA_AMF_PROTECTION_GROUP_ADDED:
		return "ADDED";
	case SA_AMF_PROTECTION_GROUP_REMOVED:
		return "REMOVED";
	case SA_AMF_PROTECTION_GROUP_STATE_CHANGE:
		return "STATE_CHANGE";
	}
	return "UNKNOWN";
}

static void name_str(char *dst, const SaNameT *n)
{
	size_t len = n->length <= SA_MAX_NAME_LENGTH ? n->length : SA_MAX_NAME_LENGTH;

	memcpy(dst, n->value, len);
	dst[len] = '\0';
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pg_entry *)a)->comp, ((const struct pg_entry *)b)->comp);
}

static void view_print(void)
{
	qsort(view, n_view, sizeof(view[0]), entry_cmp);
	if (n_view == 0)
		fputs(" -", stdout);
	for (size_t i = 0; i < n_view; i++)
		printf(" %s=%s", view[i].comp, ha_name(view[i].ha));
	putchar('\n');
}

static void view_remove(const char *comp)
{
	for (size_t i = 0; i < n_view; i++) {
		if (strcmp(view[i].comp, comp) == 0) {
			view[i] = view[--n_view];
			return;
		}
	}
}

static void view_set(const char *comp, SaAmfHAStateT ha)
{
	for (size_t i = 0; i < n_view; i++) {
		if (strcmp(view[i].comp, comp) == 0) {
			view[i].ha = ha;
			return;
		}
	}
	if (n_view < PG_MAX) {
		snprintf(view[n_view].comp, sizeof(view[n_view].comp), "%s", comp);
		view[n_view++].ha = ha;
	}
}

static void on_track(const SaNameT *csi, SaAmfProtectionGroupNotificationBufferT *buf, SaUint32T members,
                     SaAisErrorT error)
{
	char comp[SA_MAX_NAME_LENGTH + 1];

	(void)csi;
	seq++;
	printf("cb %lu err=%d members=%u items=%u\n", seq, (int)error, (unsigned)members,
	       (unsigned)buf->numberOfItems);
	if (!changes_only)
		n_view = 0;
	for (SaUint32T i = 0; i < buf->numberOfItems; i++) {
		const SaAmfProtectionGroupNotificationT *n = &buf->notification[i];

		name_str(comp, &n->member.compName);
		printf("item %lu %s %s %s\n", seq, comp, ha_name(n->member.haState), change_name(n->change));
		if (n->change == SA_AMF_PROTECTION_GROUP_REMOVED)
			view_remove(comp);
		else
			view_set(comp, n->member.haState);
	}
	if (error == SA_AIS_ERR_NOT_EXIST)
		n_view = 0;
	printf("view %lu", seq);
	view_print();
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	SaAmfCallbacksT cb = { .saAmfProtectionGroupTrackCallback = on_track };
	SaAmfProtectionGroupNotificationBufferT buf = { 0, NULL };
	SaVersionT version = { 'B', 1, 1 };
	SaSelectionObjectT sel;
	SaAmfHandleT h;
	SaNameT csi;
	struct sigaction sa;
	const char *dn;
	SaAisErrorT e;
	int opt, tries;

	while ((opt = getopt(argc, argv, "oh")) != -1) {
		switch (opt) {
		case 'o':
			changes_only = true;
			break;
		case 'h':
			printf("usage: amfpg [-o] CSI_DN\n");
			return 0;
		default:
			fprintf(stderr, "usage: amfpg [-o] CSI_DN\n");
			return 2;
		}
	}
	if (optind != argc - 1 || strlen(argv[optind]) > SA_MAX_NAME_LENGTH) {
		fprintf(stderr, "usage: amfpg [-o] CSI_DN\n");
		return 2;
	}
	dn = argv[optind];
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	memset(&csi, 0, sizeof(csi));
	csi.length = (SaUint16T)strlen(dn);
	memcpy(csi.value, dn, csi.length);
	for (tries = 0; (e = saAmfInitialize(&h, &cb, &version)) == SA_AIS_ERR_TRY_AGAIN && tries < 300; tries++)
		usleep(100000);
	if (e != SA_AIS_OK) {
		fprintf(stderr, "amfpg: saAmfInitialize: %d\n", (int)e);
		return 1;
	}
	for (tries = 0; (e = saAmfProtectionGroupTrack(h, &csi, SA_TRACK_CURRENT, &buf)) == SA_AIS_ERR_TRY_AGAIN &&
	                tries < 300;
	     tries++)
		usleep(100000);
	if (e != SA_AIS_OK) {
		fprintf(stderr, "amfpg: saAmfProtectionGroupTrack(CURRENT): %d\n", (int)e);
		return 1;
	}
	for (SaUint32T i = 0; i < buf.numberOfItems; i++) {
		char comp[SA_MAX_NAME_LENGTH + 1];

		name_str(comp, &buf.notification[i].member.compName);
		view_set(comp, buf.notification[i].member.haState);
	}
	printf("current %u", (unsigned)buf.numberOfItems);
	view_print();
	saAmfProtectionGroupNotificationFree(h, buf.notification);
	for (tries = 0; (e = saAmfProtectionGroupTrack(h, &csi, changes_only ? SA_TRACK_CHANGES_ONLY : SA_TRACK_CHANGES,
	                                               NULL)) == SA_AIS_ERR_TRY_AGAIN &&
	                tries < 300;
	     tries++)
		usleep(100000);
	if (e != SA_AIS_OK) {
		fprintf(stderr, "amfpg: saAmfProtectionGroupTrack: %d\n", (int)e);
		return 1;
	}
	if (saAmfSelectionObjectGet(h, &sel) != SA_AIS_OK) {
		fprintf(stderr, "amfpg: saAmfSelectionObjectGet failed\n");
		return 1;
	}
	printf("READY\n");
	while (!stop) {
		struct pollfd pfd = { .fd = (int)sel, .events = POLLIN };
		int r = poll(&pfd, 1, 1000);

		if (r < 0 && errno != EINTR) {
			perror("amfpg: poll");
			return 1;
		}
		if (r > 0) {
			e = saAmfDispatch(h, SA_DISPATCH_ALL);
			if (e != SA_AIS_OK && e != SA_AIS_ERR_TRY_AGAIN) {
				fprintf(stderr, "amfpg: saAmfDispatch: %d\n", (int)e);
				return 1;
			}
		}
	}
	saAmfProtectionGroupTrackStop(h, &csi);
	saAmfFinalize(h);
	return 0;
}
