/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of libSaEvt (lib/evt.c is compiled into this program): the
 * version negotiation table, the pattern-array copy rules, every argument
 * error decided before the daemon is asked (NULL parameters before handle
 * checks, bad flags, bad and wrong-kind handles), and - against a small
 * fake evt engine forked by the test (a real libqb IPC server speaking
 * include/ais/ipc_evt.h) - delivered-event handles, access rules, handle
 * lifetime across close and finalize, and the credit returned to the engine.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <qb/qbipcc.h>
#include <qb/qbipcs.h>
#include <qb/qbloop.h>

#include <saEvt.h>
#include <ais/ipc.h>
#include <ais/ipc_evt.h>

#include "evt_int.h"
#include "fake_engine.h"

/* ---------------------------------------------------------------- fake engine */

static uint32_t srv_next_open = 1;
static uint64_t srv_next_id = AIS_EVT_EVENTID_FIRST;
static uint64_t srv_credit;
static uint32_t srv_sub_open, srv_sub_id;
static int srv_subscribed;
static int srv_busy;

static void srv_reply(qb_ipcs_connection_t *c, int32_t id, int32_t error, const void *body,
                      size_t body_len)
{
	struct qb_ipc_response_header h = { .id = id, .size = (int32_t)(sizeof(h) + body_len), .error = error };
	struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)(uintptr_t)body, body_len } };

	qb_ipcs_response_sendv(c, iov, body_len ? 2 : 1);
}

/* Echo a publish back as one EV_DELIVER to the last subscription. */
static void srv_deliver(qb_ipcs_connection_t *c, const uint8_t *msg, size_t size, uint64_t id)
{
	struct ais_evt_req_publish req;
	struct ais_evt_ev_deliver ev;
	size_t var = size - sizeof(req);
	uint8_t *buf = malloc(sizeof(ev) + var);

	if (!buf)
		_exit(3);
	memcpy(&req, msg, sizeof(req));
	memset(&ev, 0, sizeof(ev));
	ev.header.id = AIS_EVT_EV_DELIVER;
	ev.header.size = (int32_t)(sizeof(ev) + var);
	ev.header.error = SA_AIS_OK;
	ev.open_id = srv_sub_open;
	ev.sub_id = srv_sub_id;
	ev.event_id = id;
	ev.publish_time = 12345;
	ev.retention_ns = req.retention_ns;
	ev.publisher = req.publisher;
	ev.priority = req.priority;
	ev.n_patterns = req.n_patterns;
	ev.data_len = req.data_len;
	memcpy(buf, &ev, sizeof(ev));
	memcpy(buf + sizeof(ev), msg + sizeof(req), var);
	if (qb_ipcs_event_send(c, buf, sizeof(ev) + var) < 0)
		_exit(4);
	free(buf);
}

static int32_t srv_msg(qb_ipcs_connection_t *c, void *data, size_t size)
{
	/* libqb hands requests over where they lie in its ring: not always
	 * 8-byte aligned (a publish's data is not padded) */
	struct qb_ipc_request_header hdr;
	const struct qb_ipc_request_header *req = &hdr;

	memcpy(&hdr, data, sizeof(hdr));

	switch (req->id) {
	case AIS_EVT_REQ_CHANNEL_OPEN: {
		struct ais_evt_req_open r;
		struct ais_evt_res_open res;

		memcpy(&r, data, sizeof(r));
		memset(&res, 0, sizeof(res));
		res.header.id = req->id;
		res.header.size = sizeof(res);
		res.header.error = SA_AIS_OK;
		res.open_id = srv_next_open++;
		qb_ipcs_response_send(c, &res, sizeof(res));
		if (r.async) {
			struct ais_evt_ev_open_done d;

			memset(&d, 0, sizeof(d));
			d.header.id = AIS_EVT_EV_OPEN_DONE;
			d.header.size = sizeof(d);
			d.header.error = r.name.length == 4 && !memcmp(r.name.value, "fail", 4)
			                         ? SA_AIS_ERR_NOT_EXIST
			                         : SA_AIS_OK;
			d.invocation = r.invocation;
			d.open_id = res.open_id;
			qb_ipcs_event_send(c, &d, sizeof(d));
		}
		break;
	}
	case AIS_EVT_REQ_SUBSCRIBE: {
		struct ais_evt_req_subscribe r;

		memcpy(&r, data, sizeof(r));
		srv_sub_open = r.open_id;
		srv_sub_id = r.sub_id;
		srv_subscribed = 1;
		srv_reply(c, req->id, SA_AIS_OK, NULL, 0);
		break;
	}
	case AIS_EVT_REQ_PUBLISH: {
		struct ais_evt_req_publish r;
		uint64_t id;

		/* publisher "busy": TRY_AGAIN three times, then accepted */
		memcpy(&r, data, sizeof(r));
		if (r.publisher.length == 4 && !memcmp(r.publisher.value, "busy", 4) && srv_busy++ < 3) {
			srv_reply(c, req->id, SA_AIS_ERR_TRY_AGAIN, NULL, 0);
			break;
		}
		id = srv_next_id++;

		srv_reply(c, req->id, SA_AIS_OK, &id, sizeof(id));
		if (srv_subscribed)
			srv_deliver(c, data, size, id);
		break;
	}
	case AIS_EVT_REQ_CREDIT: {
		struct ais_evt_req_credit r;

		memcpy(&r, data, sizeof(r));
		srv_credit += r.count;
		break;
	}
	case AIS_EVT_REQ_STATUS:
		srv_reply(c, req->id, SA_AIS_OK, &srv_credit, sizeof(srv_credit));
		break;
	default:
		srv_reply(c, req->id, SA_AIS_OK, NULL, 0);
		break;
	}
	return 0;
}

static void server_start(void)
{
	static const struct qb_ipcs_service_handlers handlers = { .msg_process = srv_msg };

	fake_engine_start("evt", "te", &handlers);
}

static void server_stop(void)
{
	fake_engine_stop();
}

/* ---------------------------------------------------------------- helpers */

static SaEvtSubscriptionIdT got_sub;
static SaEvtEventHandleT got_event;
static SaSizeT got_size;
static int got_count;
static SaInvocationT open_inv;
static SaEvtChannelHandleT open_handle;
static SaAisErrorT open_err;
static int open_count;

static void deliver_cb(SaEvtSubscriptionIdT sub, SaEvtEventHandleT ev, SaSizeT size)
{
	got_sub = sub;
	got_event = ev;
	got_size = size;
	got_count++;
}

static void open_cb(SaInvocationT inv, SaEvtChannelHandleT ch, SaAisErrorT err)
{
	open_inv = inv;
	open_handle = ch;
	open_err = err;
	open_count++;
}

static const SaEvtCallbacksT callbacks = { open_cb, deliver_cb };

static SaNameT name_of(const char *s)
{
	SaNameT n;

	memset(&n, 0, sizeof(n));
	n.length = (SaUint16T)strlen(s);
	memcpy(n.value, s, n.length);
	return n;
}

static SaEvtHandleT init_ok(const SaEvtCallbacksT *cb)
{
	SaVersionT v = { 'B', 3, 1 };
	SaEvtHandleT h = 0;

	ck_assert_int_eq(saEvtInitialize(&h, cb, &v), SA_AIS_OK);
	return h;
}

static SaEvtChannelHandleT open_ok(SaEvtHandleT h, SaEvtChannelOpenFlagsT flags)
{
	SaNameT n = name_of("unit");
	SaEvtChannelHandleT ch = 0;

	ck_assert_int_eq(saEvtChannelOpen(h, &n, flags, SA_TIME_ONE_SECOND, &ch), SA_AIS_OK);
	return ch;
}

/* A request on h's own connection: the engine has read every credit h
 * sent before it answers. */
static void credit_sync(SaEvtHandleT h)
{
	SaNameT n = name_of("sync");

	ck_assert_int_eq(saEvtChannelUnlink(h, &n), SA_AIS_OK);
}

static uint64_t credit_seen(void)
{
	/* ask the fake engine through a raw connection of our own */
	qb_ipcc_connection_t *c;
	struct qb_ipc_request_header req = { .id = AIS_EVT_REQ_STATUS, .size = sizeof(req) };
	struct {
		struct qb_ipc_response_header h;
		uint64_t credit;
	} res;
	char name[AIS_IPC_NAME_MAX];

	snprintf(name, sizeof(name), "ais-%s-evt", getenv(AIS_INSTANCE_ENV));
	c = qb_ipcc_connect(name, AIS_IPC_MSG_MAX);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(qb_ipcc_send(c, &req, sizeof(req)), sizeof(req));
	ck_assert_int_eq(qb_ipcc_recv(c, &res, sizeof(res), 5000), sizeof(res));
	qb_ipcc_disconnect(c);
	return res.credit;
}

/* ---------------------------------------------------------------- tests */

START_TEST(test_version_table)
{
	static const struct {
		SaVersionT in;
		SaAisErrorT want;
		SaVersionT out;
	} table[] = {
		/* OpenAIS testevt */
		{ { 'B', 1, 1 }, SA_AIS_OK, { 'B', 1, 1 } },
		{ { 'A', 1, 1 }, SA_AIS_ERR_VERSION, { 'B', 3, 1 } },
		{ { 'B', 2, 1 }, SA_AIS_ERR_VERSION, { 'B', 3, 1 } },
		{ { 'B', 1, 0xff }, SA_AIS_OK, { 'B', 1, 1 } },
		{ { 'C', 0xff, 0xff }, SA_AIS_ERR_VERSION, { 'B', 3, 1 } },
		/* OpenSAF */
		{ { 'B', 1, 0 }, SA_AIS_OK, { 'B', 1, 1 } },
		{ { 'B', 3, 0 }, SA_AIS_OK, { 'B', 3, 1 } },
		{ { 'B', 0, 0 }, SA_AIS_ERR_VERSION, { 'B', 3, 1 } },
		{ { 0, 0, 0 }, SA_AIS_ERR_VERSION, { 'B', 3, 1 } },
		{ { 'B', 4, 1 }, SA_AIS_ERR_VERSION, { 'B', 3, 1 } },
	};
	SaEvtHandleT h = 0;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		SaVersionT v = table[i].in;

		ck_assert_int_eq(evt_version_negotiate(&v), table[i].want);
		ck_assert_int_eq(v.releaseCode, table[i].out.releaseCode);
		ck_assert_int_eq(v.majorVersion, table[i].out.majorVersion);
		ck_assert_int_eq(v.minorVersion, table[i].out.minorVersion);
		/* through the API: VERSION is decided before any connection */
		v = table[i].in;
		if (table[i].want == SA_AIS_ERR_VERSION) {
			ck_assert_int_eq(saEvtInitialize(&h, &callbacks, &v), SA_AIS_ERR_VERSION);
			ck_assert_int_eq(v.majorVersion, 3);
		}
	}
	ck_assert_int_eq(evt_version_negotiate(NULL), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saEvtInitialize(&h, &callbacks, NULL), SA_AIS_ERR_INVALID_PARAM);
	{
		SaVersionT v = { 'B', 1, 1 };

		ck_assert_int_eq(saEvtInitialize(NULL, &callbacks, &v), SA_AIS_ERR_INVALID_PARAM);
	}
}
END_TEST

START_TEST(test_initialize_no_daemon)
{
	SaVersionT v = { 'B', 1, 1 };
	SaEvtHandleT h = 0;

	setenv(AIS_INSTANCE_ENV, "no-such-evt-instance", 1);
	ck_assert_int_eq(saEvtInitialize(&h, &callbacks, &v), SA_AIS_ERR_TRY_AGAIN);
	ck_assert_uint_eq(h, 0);
}
END_TEST

static const uint8_t pat_a[] = "alpha", pat_b[] = "bravo-longer";

START_TEST(test_patterns_library_alloc)
{
	SaEvtEventPatternT src[2] = { { 5, 5, (SaUint8T *)pat_a }, { 12, 12, (SaUint8T *)pat_b } };
	SaEvtEventPatternArrayT dst = { 0, 0, NULL };
	bool allocated = false;

	ck_assert_int_eq(evt_patterns_export(src, 2, &dst, &allocated), SA_AIS_OK);
	ck_assert(allocated);
	ck_assert_uint_eq(dst.patternsNumber, 2);
	ck_assert_uint_eq(dst.allocatedNumber, 2);
	ck_assert_uint_eq(dst.patterns[1].patternSize, 12);
	ck_assert_uint_eq(dst.patterns[1].allocatedSize, 12);
	ck_assert_mem_eq(dst.patterns[1].pattern, pat_b, 12);
	/* separate blocks: a B.01 caller's free() of each and of the array works */
	free(dst.patterns[0].pattern);
	free(dst.patterns[1].pattern);
	free(dst.patterns);

	dst.patterns = NULL;
	ck_assert_int_eq(evt_patterns_export(src, 0, &dst, &allocated), SA_AIS_OK);
	ck_assert(allocated);
	ck_assert_uint_eq(dst.patternsNumber, 0);
	evt_patterns_release(dst.patterns, 0);
}
END_TEST

START_TEST(test_patterns_caller_arrays)
{
	SaEvtEventPatternT src[3] = { { 5, 5, (SaUint8T *)pat_a },
		                      { 12, 12, (SaUint8T *)pat_b },
		                      { 0, 0, NULL } };
	uint8_t b0[16], b1[4], b2[1];
	SaEvtEventPatternT mine[3] = { { sizeof(b0), 0, b0 }, { sizeof(b1), 0, b1 }, { sizeof(b2), 0, b2 } };
	SaEvtEventPatternArrayT dst = { 3, 0, mine };
	bool allocated = true;

	/* one pattern too large for its buffer: what fits, real size, NO_SPACE */
	memset(b1, 0, sizeof(b1));
	ck_assert_int_eq(evt_patterns_export(src, 3, &dst, &allocated), SA_AIS_ERR_NO_SPACE);
	ck_assert(!allocated);
	ck_assert_uint_eq(dst.patternsNumber, 3);
	ck_assert_uint_eq(mine[0].patternSize, 5);
	ck_assert_mem_eq(b0, pat_a, 5);
	ck_assert_uint_eq(mine[1].patternSize, 12);
	ck_assert_mem_eq(b1, pat_b, 4);
	ck_assert_uint_eq(mine[2].patternSize, 0);

	/* everything fits */
	mine[1].allocatedSize = 4;
	ck_assert_int_eq(evt_patterns_export(src, 1, &dst, &allocated), SA_AIS_OK);
	ck_assert_uint_eq(dst.patternsNumber, 1);

	/* too few entries: the first ones copied, the real count reported */
	dst.allocatedNumber = 1;
	mine[0].patternSize = 0;
	ck_assert_int_eq(evt_patterns_export(src, 2, &dst, &allocated), SA_AIS_ERR_NO_SPACE);
	ck_assert_uint_eq(dst.patternsNumber, 2);
	ck_assert_uint_eq(mine[0].patternSize, 5);

	/* no entries at all */
	dst.allocatedNumber = 0;
	ck_assert_int_eq(evt_patterns_export(src, 2, &dst, &allocated), SA_AIS_ERR_NO_SPACE);
	ck_assert_int_eq(evt_patterns_export(src, 0, &dst, &allocated), SA_AIS_OK);
	ck_assert_uint_eq(dst.patternsNumber, 0);
}
END_TEST

/* Errors decided before any handle is looked at, with handles that were never issued. */
START_TEST(test_args_before_handles)
{
	const SaEvtHandleT bad = 0x1234567890ULL;
	SaNameT n = name_of("x"), longname = name_of("x");
	SaEvtEventFilterT f = { SA_EVT_PREFIX_FILTER, { 1, 1, (SaUint8T *)"a" } };
	SaEvtEventFilterArrayT fa = { 1, &f };
	SaEvtEventPatternT p = { 1, 1, (SaUint8T *)"a" };
	SaEvtEventPatternArrayT pa = { 1, 1, &p };
	SaSelectionObjectT sel;
	SaEvtChannelHandleT ch;
	SaEvtEventHandleT eh;
	SaEvtEventIdT id;
	SaLimitValueT lv;
	SaSizeT sz = 0;

	longname.length = SA_MAX_NAME_LENGTH + 1;
	ck_assert_int_eq(saEvtSelectionObjectGet(bad, NULL), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saEvtSelectionObjectGet(bad, &sel), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtDispatch(bad, 0), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saEvtDispatch(bad, (SaDispatchFlagsT)4), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saEvtDispatch(bad, SA_DISPATCH_ALL), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtFinalize(bad), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtFinalize(0), SA_AIS_ERR_BAD_HANDLE);

	ck_assert_int_eq(saEvtChannelOpen(bad, NULL, 1, 0, &ch), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saEvtChannelOpen(bad, &n, 1, 0, NULL), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saEvtChannelOpen(bad, &longname, 1, 0, &ch), SA_AIS_ERR_NAME_TOO_LONG);
	ck_assert_int_eq(saEvtChannelOpen(bad, &n, 0x8, 0, &ch), SA_AIS_ERR_BAD_FLAGS);
	ck_assert_int_eq(saEvtChannelOpen(bad, &n, 0xff, 0, &ch), SA_AIS_ERR_BAD_FLAGS);
	ck_assert_int_eq(saEvtChannelOpen(bad, &n, 7, 0, &ch), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtChannelOpenAsync(bad, 1, NULL, 1), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saEvtChannelOpenAsync(bad, 1, &n, 0x10), SA_AIS_ERR_BAD_FLAGS);
	ck_assert_int_eq(saEvtChannelOpenAsync(bad, 1, &n, 1), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtChannelUnlink(bad, NULL), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saEvtChannelUnlink(bad, &n), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtChannelClose(bad), SA_AIS_ERR_BAD_HANDLE);

	ck_assert_int_eq(saEvtEventAllocate(bad, NULL), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saEvtEventAllocate(bad, &eh), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtEventFree(bad), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtEventAttributesSet(bad, &pa, 4, 0, NULL), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saEvtEventAttributesSet(bad, &pa, 0, -1, NULL), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saEvtEventAttributesSet(bad, &pa, 0, SA_TIME_END, NULL), SA_AIS_ERR_TOO_BIG);
	pa.patterns = NULL;
	ck_assert_int_eq(saEvtEventAttributesSet(bad, &pa, 0, 0, NULL), SA_AIS_ERR_INVALID_PARAM);
	pa.patterns = &p;
	p.patternSize = AIS_EVT_PATTERN_MAX + 1;
	ck_assert_int_eq(saEvtEventAttributesSet(bad, &pa, 0, 0, NULL), SA_AIS_ERR_TOO_BIG);
	p.patternSize = 1;
	pa.patternsNumber = AIS_EVT_PATTERNS_MAX + 1;
	ck_assert_int_eq(saEvtEventAttributesSet(bad, &pa, 0, 0, NULL), SA_AIS_ERR_TOO_BIG);
	pa.patternsNumber = 1;
	ck_assert_int_eq(saEvtEventAttributesSet(bad, &pa, 0, 0, &longname), SA_AIS_ERR_NAME_TOO_LONG);
	ck_assert_int_eq(saEvtEventAttributesSet(bad, &pa, 3, 0, NULL), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtEventAttributesGet(bad, NULL, NULL, NULL, NULL, NULL, NULL),
	                 SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtEventPatternFree(bad, NULL), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saEvtEventPatternFree(bad, &p), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtEventDataGet(bad, &sz, NULL), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saEvtEventDataGet(bad, &sz, &sz), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtEventPublish(bad, NULL, 0, NULL), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saEvtEventPublish(bad, NULL, 5, &id), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saEvtEventPublish(bad, &sz, AIS_EVT_DATA_MAX + 1, &id), SA_AIS_ERR_TOO_BIG);
	ck_assert_int_eq(saEvtEventPublish(bad, &sz, 1, &id), SA_AIS_ERR_BAD_HANDLE);

	ck_assert_int_eq(saEvtEventSubscribe(bad, NULL, 1), SA_AIS_ERR_INVALID_PARAM);
	fa.filters = NULL;
	ck_assert_int_eq(saEvtEventSubscribe(bad, &fa, 1), SA_AIS_ERR_INVALID_PARAM);
	fa.filters = &f;
	f.filterType = (SaEvtEventFilterTypeT)5;
	ck_assert_int_eq(saEvtEventSubscribe(bad, &fa, 1), SA_AIS_ERR_INVALID_PARAM);
	f.filterType = (SaEvtEventFilterTypeT)0;
	ck_assert_int_eq(saEvtEventSubscribe(bad, &fa, 1), SA_AIS_ERR_INVALID_PARAM);
	f.filterType = SA_EVT_EXACT_FILTER;
	f.filter.patternSize = AIS_EVT_PATTERN_MAX + 1;
	ck_assert_int_eq(saEvtEventSubscribe(bad, &fa, 1), SA_AIS_ERR_TOO_BIG);
	f.filter.patternSize = 1;
	ck_assert_int_eq(saEvtEventSubscribe(bad, &fa, 1), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtEventUnsubscribe(bad, 1), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtEventRetentionTimeClear(bad, 0), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saEvtEventRetentionTimeClear(bad, SA_EVT_EVENTID_LOST), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saEvtEventRetentionTimeClear(bad, 1000), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saEvtEventRetentionTimeClear(bad, 1001), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtLimitGet(bad, SA_EVT_MAX_NUM_CHANNELS_ID, NULL), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saEvtLimitGet(bad, (SaEvtLimitIdT)0, &lv), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saEvtLimitGet(bad, (SaEvtLimitIdT)6, &lv), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saEvtLimitGet(bad, SA_EVT_MAX_NUM_CHANNELS_ID, &lv), SA_AIS_ERR_BAD_HANDLE);
}
END_TEST

/* Real handles (from the fake engine) passed as the wrong kind. */
START_TEST(test_wrong_kinds)
{
	SaEvtHandleT h;
	SaEvtChannelHandleT ch;
	SaEvtEventHandleT eh;
	SaEvtEventHandleT eh2;
	SaEvtEventFilterArrayT none = { 0, NULL };
	SaSelectionObjectT sel;
	SaLimitValueT lv;
	SaNameT n = name_of("x");

	server_start();
	h = init_ok(&callbacks);
	ch = open_ok(h, 7);
	ck_assert_int_eq(saEvtEventAllocate(ch, &eh), SA_AIS_OK);
	ck_assert(h != ch && ch != eh && h != eh);

	/* evt handle where a channel or an event is expected, and so on */
	ck_assert_int_eq(saEvtEventAllocate(h, &eh2), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtEventAllocate(eh, &eh2), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtChannelClose(h), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtChannelClose(eh), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtEventSubscribe(h, &none, 1), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtEventUnsubscribe(eh, 1), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtEventRetentionTimeClear(h, 5000), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtEventFree(h), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtEventFree(ch), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtEventAttributesGet(ch, NULL, NULL, NULL, NULL, NULL, NULL),
	                 SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtSelectionObjectGet(ch, &sel), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtSelectionObjectGet(eh, &sel), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtDispatch(ch, SA_DISPATCH_ALL), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtChannelUnlink(ch, &n), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtLimitGet(eh, SA_EVT_MAX_EVT_SIZE_ID, &lv), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtFinalize(ch), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtFinalize(eh), SA_AIS_ERR_BAD_HANDLE);

	/* limits */
	ck_assert_int_eq(saEvtLimitGet(h, SA_EVT_MAX_EVT_SIZE_ID, &lv), SA_AIS_OK);
	ck_assert_uint_eq(lv.uint64Value, SA_EVT_DATA_MAX_LEN);
	ck_assert_int_eq(saEvtLimitGet(h, SA_EVT_MAX_RETENTION_DURATION_ID, &lv), SA_AIS_OK);
	ck_assert(lv.timeValue == AIS_EVT_RETENTION_MAX);

	/* finalize frees what was derived from the handle */
	ck_assert_int_eq(saEvtFinalize(h), SA_AIS_OK);
	ck_assert_int_eq(saEvtFinalize(h), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtEventFree(eh), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtChannelClose(ch), SA_AIS_ERR_BAD_HANDLE);
	server_stop();
}
END_TEST

START_TEST(test_access_and_init)
{
	SaEvtCallbacksT no_cb = { NULL, NULL };
	SaEvtEventFilterArrayT none = { 0, NULL };
	SaEvtHandleT h, h2;
	SaEvtChannelHandleT pub, sub;
	SaEvtEventHandleT eh;
	SaNameT n = name_of("x");

	server_start();
	h = init_ok(&callbacks);
	pub = open_ok(h, SA_EVT_CHANNEL_PUBLISHER | SA_EVT_CHANNEL_CREATE);
	sub = open_ok(h, SA_EVT_CHANNEL_SUBSCRIBER);
	ck_assert_int_eq(saEvtEventAllocate(sub, &eh), SA_AIS_ERR_ACCESS);
	ck_assert_int_eq(saEvtEventSubscribe(pub, &none, 1), SA_AIS_ERR_ACCESS);
	ck_assert_int_eq(saEvtEventSubscribe(sub, &none, 1), SA_AIS_OK);
	ck_assert_int_eq(saEvtEventSubscribe(sub, &none, 1), SA_AIS_ERR_EXIST);
	ck_assert_int_eq(saEvtEventUnsubscribe(sub, 2), SA_AIS_ERR_NOT_EXIST);
	ck_assert_int_eq(saEvtEventUnsubscribe(sub, 1), SA_AIS_OK);
	ck_assert_int_eq(saEvtEventUnsubscribe(sub, 1), SA_AIS_ERR_NOT_EXIST);

	/* no callbacks: async open and subscribe are INIT */
	h2 = init_ok(&no_cb);
	ck_assert_int_eq(saEvtChannelOpenAsync(h2, 1, &n, 7), SA_AIS_ERR_INIT);
	sub = open_ok(h2, 7);
	ck_assert_int_eq(saEvtEventSubscribe(sub, &none, 1), SA_AIS_ERR_INIT);
	ck_assert_int_eq(saEvtFinalize(h2), SA_AIS_OK);
	ck_assert_int_eq(saEvtFinalize(h), SA_AIS_OK);
	server_stop();
}
END_TEST

START_TEST(test_async_open)
{
	SaEvtHandleT h;
	SaNameT n = name_of("chan"), fail = name_of("fail");
	SaEvtEventHandleT eh;

	server_start();
	h = init_ok(&callbacks);
	open_count = 0;
	ck_assert_int_eq(saEvtChannelOpenAsync(h, 77, &n, 7), SA_AIS_OK);
	ck_assert_int_eq(open_count, 0); /* callbacks only inside dispatch */
	ck_assert_int_eq(saEvtDispatch(h, SA_DISPATCH_ONE), SA_AIS_OK);
	ck_assert_int_eq(open_count, 1);
	ck_assert_uint_eq(open_inv, 77);
	ck_assert_int_eq(open_err, SA_AIS_OK);
	ck_assert_int_eq(saEvtEventAllocate(open_handle, &eh), SA_AIS_OK);

	ck_assert_int_eq(saEvtChannelOpenAsync(h, 78, &fail, 7), SA_AIS_OK);
	ck_assert_int_eq(saEvtDispatch(h, SA_DISPATCH_ONE), SA_AIS_OK);
	ck_assert_int_eq(open_count, 2);
	ck_assert_uint_eq(open_inv, 78);
	ck_assert_int_eq(open_err, SA_AIS_ERR_NOT_EXIST);
	ck_assert_uint_eq(open_handle, 0);
	ck_assert_int_eq(saEvtFinalize(h), SA_AIS_OK);
	server_stop();
}
END_TEST

/* Publish through the fake engine, which echoes each event back. */
START_TEST(test_delivered_events)
{
	SaEvtEventPatternT p[2] = { { 5, 5, (SaUint8T *)pat_a }, { 12, 12, (SaUint8T *)pat_b } };
	SaEvtEventPatternArrayT pa = { 2, 2, p };
	SaEvtEventPatternArrayT out = { 0, 0, NULL };
	SaEvtEventFilterArrayT none = { 0, NULL };
	SaNameT pubname = name_of("me"), gotname;
	SaEvtHandleT h;
	SaEvtChannelHandleT ch;
	SaEvtEventHandleT eh;
	SaEvtEventIdT id, gotid;
	SaEvtEventPriorityT prio;
	SaTimeT ret, pt;
	char data[100], buf[100];
	SaSizeT sz;

	server_start();
	h = init_ok(&callbacks);
	ch = open_ok(h, 7);
	ck_assert_int_eq(saEvtEventSubscribe(ch, &none, 42), SA_AIS_OK);
	ck_assert_int_eq(saEvtEventAllocate(ch, &eh), SA_AIS_OK);
	/* fresh defaults */
	ck_assert_int_eq(saEvtEventAttributesGet(eh, NULL, &prio, &ret, &gotname, NULL, &gotid), SA_AIS_OK);
	ck_assert_int_eq(prio, SA_EVT_LOWEST_PRIORITY);
	ck_assert(ret == 0);
	ck_assert_int_eq(gotname.length, 0);
	ck_assert_uint_eq(gotid, SA_EVT_EVENTID_NONE);
	/* allocated events have no data */
	sz = sizeof(buf);
	ck_assert_int_eq(saEvtEventDataGet(eh, buf, &sz), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtEventDataGet(eh, NULL, &sz), SA_AIS_ERR_NO_SPACE);

	ck_assert_int_eq(saEvtEventAttributesSet(eh, &pa, 1, SA_TIME_ONE_MINUTE, &pubname), SA_AIS_OK);
	p[0].pattern = NULL; /* copied: the caller's buffers are free again */
	memset(data, 'd', sizeof(data));
	ck_assert_int_eq(saEvtEventPublish(eh, data, sizeof(data), &id), SA_AIS_OK);
	ck_assert_uint_ge(id, AIS_EVT_EVENTID_FIRST);
	ck_assert_int_eq(saEvtEventAttributesGet(eh, NULL, NULL, NULL, NULL, NULL, &gotid), SA_AIS_OK);
	ck_assert_uint_eq(gotid, id);

	got_count = 0;
	ck_assert_int_eq(saEvtDispatch(h, SA_DISPATCH_ONE), SA_AIS_OK);
	ck_assert_int_eq(got_count, 1);
	ck_assert_uint_eq(got_sub, 42);
	ck_assert_uint_eq(got_size, sizeof(data));
	ck_assert(got_event != eh);

	/* delivered: read-only, data readable */
	ck_assert_int_eq(saEvtEventAttributesSet(got_event, NULL, 0, 0, NULL), SA_AIS_ERR_ACCESS);
	sz = 10;
	ck_assert_int_eq(saEvtEventDataGet(got_event, buf, &sz), SA_AIS_ERR_NO_SPACE);
	ck_assert_uint_eq(sz, sizeof(data));
	ck_assert_int_eq(saEvtEventDataGet(got_event, NULL, &sz), SA_AIS_ERR_NO_SPACE);
	ck_assert_uint_eq(sz, sizeof(data));
	sz = sizeof(buf);
	ck_assert_int_eq(saEvtEventDataGet(got_event, buf, &sz), SA_AIS_OK);
	ck_assert_mem_eq(buf, data, sizeof(data));
	ck_assert_int_eq(saEvtEventAttributesGet(got_event, &out, &prio, &ret, &gotname, &pt, &gotid),
	                 SA_AIS_OK);
	ck_assert_uint_eq(out.patternsNumber, 2);
	ck_assert_mem_eq(out.patterns[0].pattern, pat_a, 5);
	ck_assert_mem_eq(out.patterns[1].pattern, pat_b, 12);
	ck_assert_int_eq(prio, 1);
	ck_assert(ret == SA_TIME_ONE_MINUTE);
	ck_assert(pt == 12345);
	ck_assert_uint_eq(gotid, id);
	ck_assert_int_eq(gotname.length, 2);
	ck_assert_int_eq(saEvtEventPatternFree(got_event, out.patterns), SA_AIS_OK);
	ck_assert_int_eq(saEvtEventPatternFree(got_event, out.patterns), SA_AIS_ERR_INVALID_PARAM);

	/* the engine's TRY_AGAIN is waited out */
	pubname = name_of("busy");
	ck_assert_int_eq(saEvtEventAttributesSet(eh, NULL, 1, SA_TIME_ONE_MINUTE, &pubname), SA_AIS_OK);
	ck_assert_int_eq(saEvtEventPublish(eh, NULL, 0, &gotid), SA_AIS_OK);
	ck_assert_int_eq(saEvtDispatch(h, SA_DISPATCH_ONE), SA_AIS_OK);
	ck_assert_int_eq(got_count, 2);
	got_count = 1;

	/* republish the same handle: a new id */
	ck_assert_int_eq(saEvtEventPublish(eh, NULL, 0, &gotid), SA_AIS_OK);
	ck_assert_uint_gt(gotid, id);
	ck_assert_int_eq(saEvtDispatch(h, SA_DISPATCH_ONE), SA_AIS_OK);
	ck_assert_int_eq(got_count, 2);

	/* unsubscribed: what is already on its way is dropped */
	ck_assert_int_eq(saEvtEventPublish(eh, NULL, 0, &gotid), SA_AIS_OK);
	ck_assert_int_eq(saEvtEventUnsubscribe(ch, 42), SA_AIS_OK);
	ck_assert_int_eq(saEvtDispatch(h, SA_DISPATCH_ALL), SA_AIS_OK);
	ck_assert_int_eq(got_count, 2);

	/* close frees allocated and delivered events */
	ck_assert_int_eq(saEvtChannelClose(ch), SA_AIS_OK);
	ck_assert_int_eq(saEvtEventFree(eh), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtEventFree(got_event), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtChannelClose(ch), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtFinalize(h), SA_AIS_OK);
	server_stop();
}
END_TEST

/* Every dispatched or dropped delivery is credited, in batches. */
START_TEST(test_credit)
{
	SaEvtEventFilterArrayT none = { 0, NULL };
	SaEvtHandleT h;
	SaEvtChannelHandleT ch;
	SaEvtEventHandleT eh;
	SaEvtEventIdT id;
	const int n = 2 * AIS_EVT_CREDIT_BATCH + 5;

	server_start();
	h = init_ok(&callbacks);
	ch = open_ok(h, 7);
	ck_assert_int_eq(saEvtEventSubscribe(ch, &none, 9), SA_AIS_OK);
	ck_assert_int_eq(saEvtEventAllocate(ch, &eh), SA_AIS_OK);
	for (int i = 0; i < n; i++)
		ck_assert_int_eq(saEvtEventPublish(eh, NULL, 0, &id), SA_AIS_OK);
	ck_assert_uint_eq(credit_seen(), 0);
	got_count = 0;
	for (int i = 0; i < AIS_EVT_CREDIT_BATCH + 1; i++)
		ck_assert_int_eq(saEvtDispatch(h, SA_DISPATCH_ONE), SA_AIS_OK);
	credit_sync(h);
	ck_assert_uint_eq(credit_seen(), AIS_EVT_CREDIT_BATCH);
	/* the rest, some of them dropped after the unsubscribe */
	ck_assert_int_eq(saEvtEventUnsubscribe(ch, 9), SA_AIS_OK);
	ck_assert_int_eq(saEvtDispatch(h, SA_DISPATCH_ALL), SA_AIS_OK);
	ck_assert_int_eq(got_count, AIS_EVT_CREDIT_BATCH + 1);
	credit_sync(h);
	ck_assert_uint_eq(credit_seen(), 2 * AIS_EVT_CREDIT_BATCH);
	ck_assert_int_eq(saEvtFinalize(h), SA_AIS_OK);
	server_stop();
}
END_TEST

static SaEvtHandleT fin_handle;
static SaAisErrorT fin_result;

static void deliver_finalize(SaEvtSubscriptionIdT sub, SaEvtEventHandleT ev, SaSizeT size)
{
	got_count++;
	fin_result = saEvtFinalize(fin_handle);
}

START_TEST(test_finalize_in_callback)
{
	SaEvtCallbacksT cb = { open_cb, deliver_finalize };
	SaEvtEventFilterArrayT none = { 0, NULL };
	SaEvtChannelHandleT ch;
	SaEvtEventHandleT eh;
	SaEvtEventIdT id;

	server_start();
	fin_handle = init_ok(&cb);
	ch = open_ok(fin_handle, 7);
	ck_assert_int_eq(saEvtEventSubscribe(ch, &none, 1), SA_AIS_OK);
	ck_assert_int_eq(saEvtEventAllocate(ch, &eh), SA_AIS_OK);
	ck_assert_int_eq(saEvtEventPublish(eh, NULL, 0, &id), SA_AIS_OK);
	ck_assert_int_eq(saEvtEventPublish(eh, NULL, 0, &id), SA_AIS_OK);
	got_count = 0;
	ck_assert_int_eq(saEvtDispatch(fin_handle, SA_DISPATCH_ALL), SA_AIS_OK);
	ck_assert_int_eq(got_count, 1);
	ck_assert_int_eq(fin_result, SA_AIS_OK);
	ck_assert_int_eq(saEvtDispatch(fin_handle, SA_DISPATCH_ALL), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saEvtEventFree(eh), SA_AIS_ERR_BAD_HANDLE);
	server_stop();
}
END_TEST

static Suite *evt_lib_suite(void)
{
	Suite *s = suite_create("evt_lib");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_version_table);
	tcase_add_test(tc, test_initialize_no_daemon);
	tcase_add_test(tc, test_patterns_library_alloc);
	tcase_add_test(tc, test_patterns_caller_arrays);
	tcase_add_test(tc, test_args_before_handles);
	tcase_add_test(tc, test_wrong_kinds);
	tcase_add_test(tc, test_access_and_init);
	tcase_add_test(tc, test_async_open);
	tcase_add_test(tc, test_delivered_events);
	tcase_add_test(tc, test_credit);
	tcase_add_test(tc, test_finalize_in_callback);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(evt_lib_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
