/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the CLM pieces that need no daemon: libSaClm's version
 * negotiation (saClmInitialize and saClmInitialize_4, AIS-API 1.4) and its
 * argument checks, and the clm engine's cluster message codec and client
 * request validator (services/clm_wire.c): round trips and rejection of
 * malformed input. $AIS_INSTANCE points at an instance that does not run,
 * so an accepted version ends in SA_AIS_ERR_TRY_AGAIN (no daemon), never in
 * a handle.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <saClm.h>

#include "clm_wire.h"

/* ---- version negotiation ------------------------------------------------------ */

struct version_case {
	int which; /* 1: saClmInitialize, 4: saClmInitialize_4 */
	SaVersionT in;
	SaAisErrorT want;
	SaVersionT out;
};

static const struct version_case version_cases[] = {
	{ 1, { 'B', 1, 1 }, SA_AIS_ERR_TRY_AGAIN, { 'B', 1, 1 } },
	{ 1, { 'B', 1, 0 }, SA_AIS_ERR_TRY_AGAIN, { 'B', 1, 1 } },
	{ 1, { 'B', 1, 0xff }, SA_AIS_ERR_TRY_AGAIN, { 'B', 1, 1 } },
	{ 1, { 'A', 1, 1 }, SA_AIS_ERR_VERSION, { 'B', 1, 1 } },
	{ 1, { 'B', 2, 3 }, SA_AIS_ERR_VERSION, { 'B', 1, 1 } },
	{ 1, { 'B', 3, 1 }, SA_AIS_ERR_VERSION, { 'B', 1, 1 } },
	{ 1, { 'B', 4, 1 }, SA_AIS_ERR_VERSION, { 'B', 1, 1 } },
	{ 1, { 'B', 0, 0 }, SA_AIS_ERR_VERSION, { 'B', 1, 1 } },
	{ 1, { 'C', 0xff, 0xff }, SA_AIS_ERR_VERSION, { 'B', 1, 1 } },
	{ 1, { 0, 0, 0 }, SA_AIS_ERR_VERSION, { 'B', 1, 1 } },
	{ 4, { 'B', 4, 1 }, SA_AIS_ERR_TRY_AGAIN, { 'B', 4, 1 } },
	{ 4, { 'B', 4, 0 }, SA_AIS_ERR_TRY_AGAIN, { 'B', 4, 1 } },
	{ 4, { 'B', 1, 1 }, SA_AIS_ERR_VERSION, { 'B', 4, 1 } },
	{ 4, { 'B', 2, 3 }, SA_AIS_ERR_VERSION, { 'B', 4, 1 } },
	{ 4, { 'B', 3, 1 }, SA_AIS_ERR_VERSION, { 'B', 4, 1 } },
	{ 4, { 'B', 5, 1 }, SA_AIS_ERR_VERSION, { 'B', 4, 1 } },
	{ 4, { 'A', 4, 1 }, SA_AIS_ERR_VERSION, { 'B', 4, 1 } },
};

START_TEST(test_version_table)
{
	const struct version_case *c = &version_cases[_i];
	SaClmHandleT h = 0;
	SaVersionT v = c->in;
	SaAisErrorT e;

	if (c->which == 1)
		e = saClmInitialize(&h, NULL, &v);
	else
		e = saClmInitialize_4(&h, NULL, &v);
	ck_assert_msg(e == c->want, "case %d ('%c',%u,%u) via %d: got %d, want %d", _i, c->in.releaseCode,
	              c->in.majorVersion, c->in.minorVersion, c->which, e, c->want);
	ck_assert_int_eq(v.releaseCode, c->out.releaseCode);
	ck_assert_int_eq(v.majorVersion, c->out.majorVersion);
	ck_assert_int_eq(v.minorVersion, c->out.minorVersion);
	ck_assert_uint_eq(h, 0);
}
END_TEST

/* ---- argument errors that need no daemon ---------------------------------------- */

static void cb_node(SaInvocationT inv, const SaClmClusterNodeT *n, SaAisErrorT e)
{
	(void)inv;
	(void)n;
	(void)e;
}

START_TEST(test_args)
{
	SaClmCallbacksT cb = { cb_node, NULL };
	SaVersionT v = { 'B', 1, 1 };
	SaClmClusterNotificationT notes[4];
	SaClmClusterNotificationBufferT buf = { 0, 0, notes };
	SaClmClusterNotificationBufferT_4 buf4 = { 0, 0, NULL };
	SaClmClusterNodeT node;
	SaClmClusterNodeT_4 node4;
	SaSelectionObjectT sel;
	SaClmHandleT h = 0;
	const SaClmHandleT bad = 0x1234567890abcdefULL;

	ck_assert_int_eq(saClmInitialize(NULL, &cb, &v), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saClmInitialize(&h, &cb, NULL), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saClmInitialize_4(NULL, NULL, &v), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saClmInitialize_4(&h, NULL, NULL), SA_AIS_ERR_INVALID_PARAM);

	/* NULL out-parameters come before the handle check */
	ck_assert_int_eq(saClmSelectionObjectGet(bad, NULL), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saClmClusterNodeGet(bad, 1, SA_TIME_END, NULL), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saClmClusterNodeGet_4(bad, 1, SA_TIME_END, NULL), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saClmClusterNotificationFree(bad, NULL), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saClmClusterNotificationFree_4(bad, NULL), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saClmDispatch(bad, (SaDispatchFlagsT)0), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saClmDispatch(bad, (SaDispatchFlagsT)4), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saClmResponse_4(bad, 1, (SaClmResponseT)0), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saClmResponse_4(bad, 1, (SaClmResponseT)4), SA_AIS_ERR_INVALID_PARAM);

	/* flags before the handle too */
	ck_assert_int_eq(saClmClusterTrack(bad, SA_TRACK_CHANGES | SA_TRACK_CHANGES_ONLY, NULL),
	                 SA_AIS_ERR_BAD_FLAGS);
	ck_assert_int_eq(saClmClusterTrack(bad, 0x08, NULL), SA_AIS_ERR_BAD_FLAGS);
	ck_assert_int_eq(saClmClusterTrack(bad, 0x80 | SA_TRACK_CURRENT, &buf), SA_AIS_ERR_BAD_FLAGS);
	ck_assert_int_eq(saClmClusterTrack(bad, 0, &buf), SA_AIS_ERR_BAD_FLAGS);
	ck_assert_int_eq(saClmClusterTrack_4(bad, SA_TRACK_CHANGES | SA_TRACK_CHANGES_ONLY, &buf4),
	                 SA_AIS_ERR_BAD_FLAGS);
	ck_assert_int_eq(saClmClusterTrack(bad, SA_TRACK_CURRENT, &buf), SA_AIS_ERR_INVALID_PARAM);

	/* an expired timeout */
	ck_assert_int_eq(saClmClusterNodeGet(bad, 1, 0, &node), SA_AIS_ERR_TIMEOUT);
	ck_assert_int_eq(saClmClusterNodeGet_4(bad, 1, -1, &node4), SA_AIS_ERR_TIMEOUT);

	/* handles never issued */
	buf.numberOfItems = 4;
	ck_assert_int_eq(saClmSelectionObjectGet(bad, &sel), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saClmSelectionObjectGet(0, &sel), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saClmDispatch(bad, SA_DISPATCH_ALL), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saClmFinalize(bad), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saClmFinalize(0), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saClmClusterTrack(bad, SA_TRACK_CURRENT, &buf), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saClmClusterTrack_4(bad, SA_TRACK_CURRENT, &buf4), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saClmClusterTrackStop(bad), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saClmClusterNodeGet(bad, SA_CLM_LOCAL_NODE_ID, SA_TIME_END, &node), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saClmClusterNodeGet_4(bad, 1, SA_TIME_ONE_SECOND, &node4), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saClmClusterNodeGetAsync(bad, 1, 1), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saClmClusterNotificationFree(bad, notes), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saClmResponse_4(bad, 1, SA_CLM_CALLBACK_RESPONSE_OK), SA_AIS_ERR_BAD_HANDLE);
}
END_TEST

/* ---- cluster message codec ----------------------------------------------------------- */

static void sample_node(struct clm_wire_node *n)
{
	memset(n, 0, sizeof(*n));
	n->ring_id.rep = 1;
	n->ring_id.seq = 0x1122334455667788ULL;
	n->nodeid = 3;
	n->boot_timestamp = 1765000000123456789LL;
	n->initial_view = 17;
	n->family = AIS_CLM_AF_INET;
	n->address_len = 9;
	memcpy(n->address, "127.0.0.3", 9);
	n->name_len = 2;
	memcpy(n->name, "n3", 2);
}

START_TEST(test_wire_round_trip)
{
	uint8_t buf[CLM_WIRE_NODE_SIZE];
	struct clm_wire_node n, d;

	sample_node(&n);
	ck_assert_int_eq(clm_wire_node_encode(buf, &n), 0);
	/* little-endian header: id = 1 << 16 | 0, size 368 */
	ck_assert_int_eq(buf[0], 0);
	ck_assert_int_eq(buf[2], 1);
	ck_assert_int_eq(buf[4], CLM_WIRE_NODE_SIZE & 0xff);
	ck_assert_int_eq(buf[5], CLM_WIRE_NODE_SIZE >> 8);
	ck_assert_int_eq(buf[8], 0x88);
	ck_assert_int_eq(clm_wire_node_decode(buf, sizeof(buf), &d), 0);
	ck_assert_int_eq(memcmp(&n, &d, sizeof(n)), 0);

	/* full-length fields and IPv6 */
	n.family = AIS_CLM_AF_INET6;
	n.address_len = AIS_CLM_ADDRESS_MAX;
	memset(n.address, 'a', AIS_CLM_ADDRESS_MAX);
	n.name_len = AIS_CLM_NAME_MAX;
	memset(n.name, 'x', AIS_CLM_NAME_MAX);
	n.boot_timestamp = -5;
	ck_assert_int_eq(clm_wire_node_encode(buf, &n), 0);
	ck_assert_int_eq(clm_wire_node_decode(buf, sizeof(buf), &d), 0);
	ck_assert_int_eq(memcmp(&n, &d, sizeof(n)), 0);
}
END_TEST

START_TEST(test_wire_rejects)
{
	uint8_t buf[CLM_WIRE_NODE_SIZE + 1], bad[CLM_WIRE_NODE_SIZE + 1];
	struct clm_wire_node n, d;

	sample_node(&n);
	ck_assert_int_eq(clm_wire_node_encode(buf, &n), 0);
	buf[CLM_WIRE_NODE_SIZE] = 0;
	ck_assert_int_eq(clm_wire_node_decode(buf, 0, &d), -EBADMSG);
	ck_assert_int_eq(clm_wire_node_decode(buf, 8, &d), -EBADMSG);
	ck_assert_int_eq(clm_wire_node_decode(buf, CLM_WIRE_NODE_SIZE - 1, &d), -EBADMSG);
	ck_assert_int_eq(clm_wire_node_decode(buf, CLM_WIRE_NODE_SIZE + 1, &d), -EBADMSG);

#define MUTATE(off, val)                                                          \
	do {                                                                      \
		memcpy(bad, buf, sizeof(buf));                                    \
		bad[(off)] = (uint8_t)(val);                                      \
		ck_assert_int_eq(clm_wire_node_decode(bad, CLM_WIRE_NODE_SIZE, &d), -EBADMSG); \
	} while (0)

	MUTATE(0, 1);                                                  /* function id */
	MUTATE(2, 4);                                                  /* service id */
	MUTATE(4, 0);                                                  /* header size */
	MUTATE(offsetof(struct clm_wire_node_layout, nodeid), 0);      /* node id 0 */
	MUTATE(offsetof(struct clm_wire_node_layout, family), 3);      /* family */
	MUTATE(offsetof(struct clm_wire_node_layout, family), 0);
	MUTATE(offsetof(struct clm_wire_node_layout, address_len), 65);
	MUTATE(offsetof(struct clm_wire_node_layout, name_len), 0);    /* empty name */
	MUTATE(offsetof(struct clm_wire_node_layout, name_len) + 1, 1); /* 258 */
	MUTATE(offsetof(struct clm_wire_node_layout, address) + 9, 'x'); /* past the address */
	MUTATE(offsetof(struct clm_wire_node_layout, name) + 2, 'x');    /* past the name */
	MUTATE(CLM_WIRE_NODE_SIZE - 1, 1);
#undef MUTATE

	/* what would not decode does not encode */
	n.name_len = 0;
	ck_assert_int_eq(clm_wire_node_encode(buf, &n), -EINVAL);
	sample_node(&n);
	n.nodeid = 0;
	ck_assert_int_eq(clm_wire_node_encode(buf, &n), -EINVAL);
	sample_node(&n);
	n.address_len = AIS_CLM_ADDRESS_MAX + 1;
	ck_assert_int_eq(clm_wire_node_encode(buf, &n), -EINVAL);
	sample_node(&n);
	n.family = 7;
	ck_assert_int_eq(clm_wire_node_encode(buf, &n), -EINVAL);
}
END_TEST

START_TEST(test_ipc_check)
{
	struct ais_clm_req_track t;
	struct ais_clm_req_node_get g;
	struct ais_clm_req_node_get_async a;
	struct ais_clm_req_plain p;

	memset(&t, 0, sizeof(t));
	t.header.id = AIS_CLM_REQ_TRACK;
	t.header.size = sizeof(t);
	t.flags = SA_TRACK_CHANGES;
	ck_assert_int_eq(clm_ipc_request_check(&t, sizeof(t)), 0);
	t.current = AIS_CLM_CURRENT_REPLY;
	ck_assert_int_eq(clm_ipc_request_check(&t, sizeof(t)), 0);
	t.flags = 0;
	ck_assert_int_eq(clm_ipc_request_check(&t, sizeof(t)), 0);
	t.current = AIS_CLM_CURRENT_NONE;
	ck_assert_int_eq(clm_ipc_request_check(&t, sizeof(t)), -EINVAL);
	t.current = 3;
	ck_assert_int_eq(clm_ipc_request_check(&t, sizeof(t)), -EINVAL);
	t.current = AIS_CLM_CURRENT_CALLBACK;
	t.flags = SA_TRACK_CHANGES | SA_TRACK_CHANGES_ONLY;
	ck_assert_int_eq(clm_ipc_request_check(&t, sizeof(t)), -EINVAL);
	t.flags = SA_TRACK_CURRENT;
	ck_assert_int_eq(clm_ipc_request_check(&t, sizeof(t)), -EINVAL);
	t.flags = SA_TRACK_CHANGES_ONLY;
	ck_assert_int_eq(clm_ipc_request_check(&t, sizeof(t)), 0);
	ck_assert_int_eq(clm_ipc_request_check(&t, sizeof(t) - 1), -EINVAL);
	t.header.size = sizeof(t) + 8;
	ck_assert_int_eq(clm_ipc_request_check(&t, sizeof(t)), -EINVAL);

	memset(&g, 0, sizeof(g));
	g.header.id = AIS_CLM_REQ_NODE_GET;
	g.header.size = sizeof(g);
	ck_assert_int_eq(clm_ipc_request_check(&g, sizeof(g)), 0);
	g.header.id = AIS_CLM_REQ_NODE_GET_ASYNC; /* wrong length for that id */
	ck_assert_int_eq(clm_ipc_request_check(&g, sizeof(g)), -EINVAL);
	memset(&a, 0, sizeof(a));
	a.header.id = AIS_CLM_REQ_NODE_GET_ASYNC;
	a.header.size = sizeof(a);
	ck_assert_int_eq(clm_ipc_request_check(&a, sizeof(a)), 0);
	memset(&p, 0, sizeof(p));
	p.header.id = AIS_CLM_REQ_TRACK_STOP;
	p.header.size = sizeof(p);
	ck_assert_int_eq(clm_ipc_request_check(&p, sizeof(p)), 0);
	p.header.id = AIS_CLM_REQ_COUNT;
	ck_assert_int_eq(clm_ipc_request_check(&p, sizeof(p)), -EINVAL);
	p.header.id = -1;
	ck_assert_int_eq(clm_ipc_request_check(&p, sizeof(p)), -EINVAL);
	ck_assert_int_eq(clm_ipc_request_check(&p, 3), -EINVAL);
}
END_TEST

static Suite *clm_suite(void)
{
	Suite *s = suite_create("clm");
	TCase *tc = tcase_create("lib");

	tcase_add_loop_test(tc, test_version_table, 0, (int)(sizeof(version_cases) / sizeof(version_cases[0])));
	tcase_add_test(tc, test_args);
	suite_add_tcase(s, tc);
	tc = tcase_create("wire");
	tcase_add_test(tc, test_wire_round_trip);
	tcase_add_test(tc, test_wire_rejects);
	tcase_add_test(tc, test_ipc_check);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	/* no daemon runs under this instance name */
	setenv("AIS_INSTANCE", "check-clm-no-such-instance", 1);
	sr = srunner_create(clm_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
