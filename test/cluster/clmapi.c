/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * clmapi: libSaClm against a running daemon ($AIS_INSTANCE) of a cluster of
 * N nodes named n1..nN with node ids 1..N (tools/ais-cluster):
 *
 *   clmapi N          the checks below
 *   clmapi N slow     a client that never dispatches: asynchronous node gets
 *                     until the daemon refuses it; it must be disconnected
 *                     (the next call fails with SA_AIS_ERR_LIBRARY) within
 *                     the daemon's event queue bound, and a new handle must
 *                     work afterwards
 *
 * Runs every error path of the API (versions, NULL parameters, flags,
 * missing callbacks, NOT_EXIST, NO_SPACE, TIMEOUT, bad and finalized
 * handles) and the happy paths: CURRENT into the caller's buffer and into a
 * library buffer, node get (sync, _4 and async), CURRENT as a callback,
 * finalize inside a callback, the B.04 callback set, and the selection
 * object being readable exactly when a callback is queued.
 *
 * Prints "ok: ..." per group of checks and exits 0, or "FAIL: ..." and
 * exits 1. An alarm ends the program with a failure if a call never returns.
 */
#include "config.h"

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <saClm.h>

#define CHECK(cond, ...)                                                  \
	do {                                                              \
		if (!(cond)) {                                            \
			printf("FAIL: " __VA_ARGS__);                     \
			printf(" (%s:%d)\n", __FILE__, __LINE__);         \
			exit(1);                                          \
		}                                                         \
	} while (0)

#define EXPECT(call, want)                                                                  \
	do {                                                                                \
		SaAisErrorT e_ = (call);                                                    \
		CHECK(e_ == (want), "%s returned %d, expected %d", #call, (int)e_, (int)(want)); \
	} while (0)

static unsigned n_nodes;
static volatile bool in_call;
static bool bad_callback;

/* what the callbacks saw */
static unsigned n_node_cb, n_track_cb, n_node_cb4, n_track_cb4;
static SaInvocationT last_inv;
static SaAisErrorT last_err;
static SaClmClusterNodeT last_node;
static SaUint32T last_members, last_items;
static SaUint64T last_view;
static SaClmHandleT finalize_in_cb;
static SaAisErrorT finalize_in_cb_result;

static void node_cb(SaInvocationT inv, const SaClmClusterNodeT *node, SaAisErrorT error)
{
	if (in_call)
		bad_callback = true;
	n_node_cb++;
	last_inv = inv;
	last_err = error;
	if (node)
		last_node = *node;
	if (finalize_in_cb) {
		finalize_in_cb_result = saClmFinalize(finalize_in_cb);
		finalize_in_cb = 0;
	}
}

static void track_cb(const SaClmClusterNotificationBufferT *buf, SaUint32T members, SaAisErrorT error)
{
	if (in_call || error != SA_AIS_OK)
		bad_callback = true;
	n_track_cb++;
	last_members = members;
	last_items = buf->numberOfItems;
	last_view = buf->viewNumber;
	for (SaUint32T i = 0; i < buf->numberOfItems; i++) {
		if (buf->notification[i].clusterChange != SA_CLM_NODE_NO_CHANGE ||
		    !buf->notification[i].clusterNode.member)
			bad_callback = true;
	}
}

static void node_cb4(SaInvocationT inv, const SaClmClusterNodeT_4 *node, SaAisErrorT error)
{
	n_node_cb4++;
	last_inv = inv;
	last_err = error;
	if (node && node->executionEnvironment.length != 0)
		bad_callback = true;
}

static void track_cb4(const SaClmClusterNotificationBufferT_4 *buf, SaUint32T members, SaInvocationT inv,
                      const SaNameT *root, const SaNtfCorrelationIdsT *corr, SaClmChangeStepT step,
                      SaTimeT supervision, SaAisErrorT error)
{
	(void)inv;
	(void)root;
	(void)corr;
	(void)supervision;
	if (error != SA_AIS_OK || step != SA_CLM_CHANGE_COMPLETED)
		bad_callback = true;
	n_track_cb4++;
	last_members = members;
	last_items = buf->numberOfItems;
}

static const SaClmCallbacksT callbacks = { node_cb, track_cb };
static const SaClmCallbacksT_4 callbacks4 = { node_cb4, track_cb4 };

static SaClmHandleT open1(const SaClmCallbacksT *cb)
{
	SaVersionT v = { 'B', 1, 1 };
	SaClmHandleT h;

	EXPECT(saClmInitialize(&h, cb, &v), SA_AIS_OK);
	return h;
}

static int sel_fd(SaClmHandleT h)
{
	SaSelectionObjectT sel;

	EXPECT(saClmSelectionObjectGet(h, &sel), SA_AIS_OK);
	return (int)sel;
}

static bool readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

static void check_node(const SaClmClusterNodeT *n, SaClmNodeIdT id)
{
	char name[16], addr[16];

	snprintf(name, sizeof(name), "n%u", (unsigned)id);
	snprintf(addr, sizeof(addr), "127.0.0.%u", (unsigned)id);
	CHECK(n->nodeId == id, "node id %u, expected %u", (unsigned)n->nodeId, (unsigned)id);
	CHECK(n->nodeName.length == strlen(name) && memcmp(n->nodeName.value, name, strlen(name)) == 0,
	      "node %u is named '%.*s', expected %s", (unsigned)id, (int)n->nodeName.length,
	      (const char *)n->nodeName.value, name);
	CHECK(n->nodeAddress.family == SA_CLM_AF_INET && n->nodeAddress.length == strlen(addr) &&
	              memcmp(n->nodeAddress.value, addr, strlen(addr)) == 0,
	      "node %u has address '%.*s'", (unsigned)id, (int)n->nodeAddress.length,
	      (const char *)n->nodeAddress.value);
	CHECK(n->member == SA_TRUE, "node %u is not a member", (unsigned)id);
	CHECK(n->bootTimestamp > 0, "node %u has no boot timestamp", (unsigned)id);
	CHECK(n->initialViewNumber > 0, "node %u has no initial view", (unsigned)id);
}

static void test_versions(void)
{
	SaVersionT v = { 'B', 2, 3 };
	SaClmHandleT h = 0;

	EXPECT(saClmInitialize(NULL, &callbacks, &v), SA_AIS_ERR_INVALID_PARAM);
	EXPECT(saClmInitialize(&h, &callbacks, NULL), SA_AIS_ERR_INVALID_PARAM);
	EXPECT(saClmInitialize(&h, &callbacks, &v), SA_AIS_ERR_VERSION);
	CHECK(v.releaseCode == 'B' && v.majorVersion == 1 && v.minorVersion == 1, "B.02.03 refused with %c.%u.%u",
	      v.releaseCode, v.majorVersion, v.minorVersion);
	v = (SaVersionT){ 'B', 2, 3 };
	EXPECT(saClmInitialize_4(&h, &callbacks4, &v), SA_AIS_ERR_VERSION);
	CHECK(v.majorVersion == 4 && v.minorVersion == 1, "_4 refused B.02.03 with major %u", v.majorVersion);
	v = (SaVersionT){ 'B', 1, 0 };
	EXPECT(saClmInitialize(&h, &callbacks, &v), SA_AIS_OK);
	CHECK(v.releaseCode == 'B' && v.majorVersion == 1 && v.minorVersion == 1, "B.01 answered %c.%u.%u",
	      v.releaseCode, v.majorVersion, v.minorVersion);
	EXPECT(saClmFinalize(h), SA_AIS_OK);
	v = (SaVersionT){ 'B', 4, 0 };
	EXPECT(saClmInitialize_4(&h, &callbacks4, &v), SA_AIS_OK);
	CHECK(v.releaseCode == 'B' && v.majorVersion == 4 && v.minorVersion == 1, "B.04 answered %c.%u.%u",
	      v.releaseCode, v.majorVersion, v.minorVersion);
	EXPECT(saClmFinalize(h), SA_AIS_OK);
	printf("ok: version negotiation\n");
}

static void test_errors(void)
{
	SaClmClusterNotificationT notes[8];
	SaClmClusterNotificationBufferT buf = { 0, 0, notes };
	SaClmClusterNodeT node;
	SaClmHandleT h = open1(NULL), hc = open1(&callbacks);
	SaSelectionObjectT sel;

	EXPECT(saClmSelectionObjectGet(h, NULL), SA_AIS_ERR_INVALID_PARAM);
	EXPECT(saClmDispatch(h, (SaDispatchFlagsT)0), SA_AIS_ERR_INVALID_PARAM);
	EXPECT(saClmDispatch(h, (SaDispatchFlagsT)7), SA_AIS_ERR_INVALID_PARAM);
	EXPECT(saClmClusterTrack(hc, SA_TRACK_CHANGES | SA_TRACK_CHANGES_ONLY, NULL), SA_AIS_ERR_BAD_FLAGS);
	EXPECT(saClmClusterTrack(hc, SA_TRACK_CURRENT | 0x40, NULL), SA_AIS_ERR_BAD_FLAGS);
	EXPECT(saClmClusterTrack(hc, SA_TRACK_CURRENT, &buf), SA_AIS_ERR_INVALID_PARAM);
	/* no callbacks: whatever needs one is ERR_INIT; CURRENT into a buffer is fine */
	EXPECT(saClmClusterTrack(h, SA_TRACK_CHANGES, NULL), SA_AIS_ERR_INIT);
	EXPECT(saClmClusterTrack(h, SA_TRACK_CHANGES_ONLY, NULL), SA_AIS_ERR_INIT);
	EXPECT(saClmClusterTrack(h, SA_TRACK_CURRENT, NULL), SA_AIS_ERR_INIT);
	EXPECT(saClmClusterNodeGetAsync(h, 1, SA_CLM_LOCAL_NODE_ID), SA_AIS_ERR_INIT);
	buf.numberOfItems = 8;
	EXPECT(saClmClusterTrack(h, SA_TRACK_CURRENT, &buf), SA_AIS_OK);
	/* track stop without tracking */
	EXPECT(saClmClusterTrackStop(h), SA_AIS_ERR_NOT_EXIST);
	EXPECT(saClmClusterTrack(hc, SA_TRACK_CHANGES, NULL), SA_AIS_OK);
	EXPECT(saClmClusterTrackStop(hc), SA_AIS_OK);
	EXPECT(saClmClusterTrackStop(hc), SA_AIS_ERR_NOT_EXIST);
	/* node get */
	EXPECT(saClmClusterNodeGet(h, SA_CLM_LOCAL_NODE_ID, SA_TIME_END, NULL), SA_AIS_ERR_INVALID_PARAM);
	EXPECT(saClmClusterNodeGet(h, 999, SA_TIME_ONE_SECOND, &node), SA_AIS_ERR_NOT_EXIST);
	EXPECT(saClmClusterNodeGet(h, SA_CLM_LOCAL_NODE_ID, 0, &node), SA_AIS_ERR_TIMEOUT);
	EXPECT(saClmResponse_4(h, 1, SA_CLM_CALLBACK_RESPONSE_OK), SA_AIS_ERR_INVALID_PARAM);
	EXPECT(saClmClusterNotificationFree(h, NULL), SA_AIS_ERR_INVALID_PARAM);
	EXPECT(saClmSelectionObjectGet(h, &sel), SA_AIS_OK);
	EXPECT(saClmFinalize(h), SA_AIS_OK);
	EXPECT(saClmFinalize(hc), SA_AIS_OK);
	printf("ok: argument, flag, callback and state errors\n");
}

static void test_current_sync(void)
{
	SaClmClusterNotificationT notes[8], one[1];
	SaClmClusterNotificationBufferT buf = { 0, 8, notes };
	SaClmClusterNotificationBufferT lib = { 0, 12345, NULL };
	SaClmClusterNotificationBufferT small = { 0, 1, one };
	SaClmClusterNotificationBufferT_4 lib4 = { 0, 0, NULL };
	SaClmHandleT h = open1(NULL);

	in_call = true;
	EXPECT(saClmClusterTrack(h, SA_TRACK_CURRENT, &buf), SA_AIS_OK);
	CHECK(buf.numberOfItems == n_nodes, "CURRENT gave %u items, expected %u", buf.numberOfItems, n_nodes);
	CHECK(buf.viewNumber > 0, "view number 0");
	for (SaUint32T i = 0; i < buf.numberOfItems; i++) {
		check_node(&notes[i].clusterNode, i + 1);
		CHECK(notes[i].clusterChange == SA_CLM_NODE_NO_CHANGE, "CURRENT item %u has change %d", i,
		      (int)notes[i].clusterChange);
	}
	/* library buffer */
	EXPECT(saClmClusterTrack(h, SA_TRACK_CURRENT, &lib), SA_AIS_OK);
	CHECK(lib.notification != NULL && lib.numberOfItems == n_nodes && lib.viewNumber == buf.viewNumber,
	      "library buffer: %p, %u items, view %llu", (void *)lib.notification, lib.numberOfItems,
	      (unsigned long long)lib.viewNumber);
	for (SaUint32T i = 0; i < lib.numberOfItems; i++)
		check_node(&lib.notification[i].clusterNode, i + 1);
	EXPECT(saClmClusterNotificationFree(h, lib.notification), SA_AIS_OK);
	EXPECT(saClmClusterNotificationFree(h, NULL), SA_AIS_ERR_INVALID_PARAM);
	/* too small */
	if (n_nodes > 1) {
		EXPECT(saClmClusterTrack(h, SA_TRACK_CURRENT, &small), SA_AIS_ERR_NO_SPACE);
		CHECK(small.numberOfItems == n_nodes, "NO_SPACE set numberOfItems %u, expected %u",
		      small.numberOfItems, n_nodes);
	}
	/* _4 into a library buffer on a B.01 handle */
	EXPECT(saClmClusterTrack_4(h, SA_TRACK_CURRENT, &lib4), SA_AIS_OK);
	CHECK(lib4.numberOfItems == n_nodes && lib4.notification[0].clusterNode.nodeId == 1 &&
	              lib4.notification[0].clusterNode.executionEnvironment.length == 0,
	      "_4 CURRENT: %u items", lib4.numberOfItems);
	EXPECT(saClmClusterNotificationFree_4(h, lib4.notification), SA_AIS_OK);
	/* B.01 programs (OpenAIS testclm2) release the library buffer with free() */
	lib.notification = NULL;
	EXPECT(saClmClusterTrack(h, SA_TRACK_CURRENT, &lib), SA_AIS_OK);
	free(lib.notification);
	in_call = false;
	EXPECT(saClmFinalize(h), SA_AIS_OK);
	printf("ok: CURRENT into the caller's buffer, a library buffer, NO_SPACE, _4\n");
}

static void test_node_get(void)
{
	SaClmHandleT h = open1(&callbacks);
	SaClmClusterNodeT node, local;
	SaClmClusterNodeT_4 node4;
	int fd = sel_fd(h);

	in_call = true;
	EXPECT(saClmClusterNodeGet(h, SA_CLM_LOCAL_NODE_ID, SA_TIME_END, &local), SA_AIS_OK);
	CHECK(local.nodeId >= 1 && local.nodeId <= n_nodes, "local node id %u", (unsigned)local.nodeId);
	check_node(&local, local.nodeId);
	for (SaClmNodeIdT id = 1; id <= n_nodes; id++) {
		EXPECT(saClmClusterNodeGet(h, id, SA_TIME_ONE_SECOND, &node), SA_AIS_OK);
		check_node(&node, id);
	}
	EXPECT(saClmClusterNodeGet_4(h, n_nodes, SA_TIME_ONE_SECOND, &node4), SA_AIS_OK);
	CHECK(node4.nodeId == n_nodes && node4.member == SA_TRUE, "_4 node get");

	/* async: the fd turns readable only once a callback is queued */
	CHECK(!readable(fd, 0), "selection object readable with nothing queued");
	EXPECT(saClmClusterNodeGetAsync(h, 55, SA_CLM_LOCAL_NODE_ID), SA_AIS_OK);
	in_call = false;
	CHECK(n_node_cb == 0, "callback ran outside dispatch");
	CHECK(readable(fd, 5000), "selection object not readable with a callback queued");
	EXPECT(saClmDispatch(h, SA_DISPATCH_ONE), SA_AIS_OK);
	CHECK(n_node_cb == 1 && last_inv == 55 && last_err == SA_AIS_OK && last_node.nodeId == local.nodeId,
	      "async node get: %u callbacks, invocation %llu, error %d", n_node_cb,
	      (unsigned long long)last_inv, (int)last_err);
	CHECK(!readable(fd, 0), "selection object still readable after dispatching the only callback");
	in_call = true;
	EXPECT(saClmClusterNodeGetAsync(h, 56, 999), SA_AIS_OK);
	in_call = false;
	CHECK(readable(fd, 5000), "selection object not readable");
	EXPECT(saClmDispatch(h, SA_DISPATCH_ALL), SA_AIS_OK);
	CHECK(n_node_cb == 2 && last_inv == 56 && last_err == SA_AIS_ERR_NOT_EXIST,
	      "async node get of an unknown node: invocation %llu, error %d", (unsigned long long)last_inv,
	      (int)last_err);
	CHECK(!bad_callback, "a callback ran inside a synchronous call");
	EXPECT(saClmFinalize(h), SA_AIS_OK);
	printf("ok: node get (local, every node, _4, async, NOT_EXIST, selection object)\n");
}

static void test_current_callback(void)
{
	SaClmHandleT h = open1(&callbacks);
	int fd = sel_fd(h);

	n_track_cb = 0;
	in_call = true;
	EXPECT(saClmClusterTrack(h, SA_TRACK_CURRENT, NULL), SA_AIS_OK);
	in_call = false;
	CHECK(n_track_cb == 0, "track callback ran inside saClmClusterTrack");
	CHECK(readable(fd, 5000), "selection object not readable after CURRENT");
	EXPECT(saClmDispatch(h, SA_DISPATCH_ALL), SA_AIS_OK);
	CHECK(n_track_cb == 1 && last_items == n_nodes && last_members == n_nodes && last_view > 0,
	      "CURRENT callback: %u callbacks, %u items, %u members", n_track_cb, last_items, last_members);
	CHECK(!readable(fd, 0), "selection object readable after dispatch");
	CHECK(!bad_callback, "bad CURRENT callback");
	/* CURRENT | CHANGES with a buffer: answer now, track from now on */
	{
		SaClmClusterNotificationBufferT lib = { 0, 0, NULL };

		EXPECT(saClmClusterTrack(h, SA_TRACK_CURRENT | SA_TRACK_CHANGES, &lib), SA_AIS_OK);
		CHECK(lib.numberOfItems == n_nodes, "CURRENT|CHANGES: %u items", lib.numberOfItems);
		EXPECT(saClmClusterNotificationFree(h, lib.notification), SA_AIS_OK);
		EXPECT(saClmClusterTrackStop(h), SA_AIS_OK);
	}
	EXPECT(saClmFinalize(h), SA_AIS_OK);
	printf("ok: CURRENT as a callback\n");
}

static void test_finalize_in_callback(void)
{
	SaClmClusterNotificationBufferT buf = { 0, 0, NULL };
	SaClmClusterNodeT node;
	SaSelectionObjectT sel;
	SaClmHandleT h = open1(&callbacks);
	int fd = sel_fd(h);

	n_node_cb = 0;
	EXPECT(saClmClusterNodeGetAsync(h, 1, SA_CLM_LOCAL_NODE_ID), SA_AIS_OK);
	EXPECT(saClmClusterNodeGetAsync(h, 2, SA_CLM_LOCAL_NODE_ID), SA_AIS_OK);
	EXPECT(saClmClusterNodeGetAsync(h, 3, SA_CLM_LOCAL_NODE_ID), SA_AIS_OK);
	CHECK(readable(fd, 5000), "nothing queued");
	finalize_in_cb = h;
	EXPECT(saClmDispatch(h, SA_DISPATCH_ALL), SA_AIS_OK);
	CHECK(n_node_cb == 1, "%u callbacks ran; finalize in the first must stop dispatch", n_node_cb);
	CHECK(finalize_in_cb_result == SA_AIS_OK, "finalize in a callback returned %d", (int)finalize_in_cb_result);
	/* every call on the finalized handle */
	EXPECT(saClmFinalize(h), SA_AIS_ERR_BAD_HANDLE);
	EXPECT(saClmDispatch(h, SA_DISPATCH_ALL), SA_AIS_ERR_BAD_HANDLE);
	EXPECT(saClmSelectionObjectGet(h, &sel), SA_AIS_ERR_BAD_HANDLE);
	EXPECT(saClmClusterTrack(h, SA_TRACK_CURRENT, &buf), SA_AIS_ERR_BAD_HANDLE);
	EXPECT(saClmClusterTrackStop(h), SA_AIS_ERR_BAD_HANDLE);
	EXPECT(saClmClusterNodeGet(h, SA_CLM_LOCAL_NODE_ID, SA_TIME_END, &node), SA_AIS_ERR_BAD_HANDLE);
	EXPECT(saClmClusterNodeGetAsync(h, 4, SA_CLM_LOCAL_NODE_ID), SA_AIS_ERR_BAD_HANDLE);
	EXPECT(saClmResponse_4(h, 1, SA_CLM_CALLBACK_RESPONSE_OK), SA_AIS_ERR_BAD_HANDLE);
	/* a handle never issued, and 0 */
	EXPECT(saClmFinalize(h + 1), SA_AIS_ERR_BAD_HANDLE);
	EXPECT(saClmFinalize(0), SA_AIS_ERR_BAD_HANDLE);
	printf("ok: finalize inside a callback, BAD_HANDLE after finalize\n");
}

static void test_b04_callbacks(void)
{
	SaVersionT v = { 'B', 4, 1 };
	SaClmHandleT h;
	int fd;

	EXPECT(saClmInitialize_4(&h, &callbacks4, &v), SA_AIS_OK);
	fd = sel_fd(h);
	n_node_cb = n_track_cb = n_node_cb4 = n_track_cb4 = 0;
	EXPECT(saClmClusterNodeGetAsync(h, 77, SA_CLM_LOCAL_NODE_ID), SA_AIS_OK);
	EXPECT(saClmClusterTrack_4(h, SA_TRACK_CURRENT, NULL), SA_AIS_OK);
	/* a B.01 call on a B.04 handle reports through the B.04 callbacks too */
	EXPECT(saClmClusterTrack(h, SA_TRACK_CURRENT, NULL), SA_AIS_OK);
	CHECK(readable(fd, 5000), "nothing queued");
	for (int i = 0; i < 50 && n_node_cb4 + n_track_cb4 < 3; i++) {
		if (readable(fd, 100))
			EXPECT(saClmDispatch(h, SA_DISPATCH_ALL), SA_AIS_OK);
	}
	CHECK(n_node_cb4 == 1 && n_track_cb4 == 2 && n_node_cb == 0 && n_track_cb == 0,
	      "B.04 handle: %u/%u _4 callbacks, %u/%u B.01 callbacks", n_node_cb4, n_track_cb4, n_node_cb,
	      n_track_cb);
	CHECK(last_items == n_nodes && last_members == n_nodes, "_4 track callback: %u items", last_items);
	CHECK(!bad_callback, "bad _4 callback");
	EXPECT(saClmFinalize(h), SA_AIS_OK);
	printf("ok: B.04 callbacks\n");
}

static void test_slow(void)
{
	SaClmClusterNodeT node;
	SaClmHandleT h = open1(&callbacks), h2;
	SaAisErrorT e = SA_AIS_OK;
	unsigned long i;

	/* 16 MiB queue bound / about 450 bytes charged per answer: well below */
	for (i = 0; i < 200000 && e == SA_AIS_OK; i++)
		e = saClmClusterNodeGetAsync(h, i, SA_CLM_LOCAL_NODE_ID);
	CHECK(e == SA_AIS_ERR_LIBRARY, "after %lu asynchronous node gets never dispatched: %d, expected %d", i,
	      (int)e, (int)SA_AIS_ERR_LIBRARY);
	printf("ok: disconnected after %lu unread callbacks\n", i);
	EXPECT(saClmFinalize(h), SA_AIS_OK);
	h2 = open1(&callbacks);
	EXPECT(saClmClusterNodeGet(h2, SA_CLM_LOCAL_NODE_ID, SA_TIME_END, &node), SA_AIS_OK);
	EXPECT(saClmFinalize(h2), SA_AIS_OK);
	printf("ok: slow consumer\n");
}

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "FAIL: clmapi did not finish within 120 s\n";
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3 || atoi(argv[1]) < 1 || atoi(argv[1]) > 8 ||
	    (argc == 3 && strcmp(argv[2], "slow") != 0)) {
		fprintf(stderr, "usage: clmapi N [slow]   (cluster of nodes n1..nN, ids 1..N)\n");
		return 2;
	}
	n_nodes = (unsigned)atoi(argv[1]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGALRM, on_alarm);
	alarm(120);
	if (argc == 3) {
		test_slow();
		return 0;
	}
	test_versions();
	test_errors();
	test_current_sync();
	test_node_get();
	test_current_callback();
	test_finalize_in_callback();
	test_b04_callbacks();
	printf("ok: all\n");
	return 0;
}
