/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of libSaAmf: the version table, every argument error decided
 * before the engine is asked (NULL parameters before handle checks, bad
 * flags, missing callbacks), saAmfComponentNameGet, and - against a small
 * fake amf engine forked by the test (a real libqb IPC server speaking
 * include/ais/ipc_amf.h) - what the requests carry, the decoding of every
 * event into its callback (the CSI set descriptor by value, with its
 * attributes), protection group buffers, responses, finalize inside a
 * callback and the selection object.
 *
 * The fake engine answers the library's requests and takes two extra
 * requests from the test's own raw connection: EMIT (send one event of a
 * given kind to the library's connection) and STATUS (what the last
 * requests carried).
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <qb/qbipcc.h>
#include <qb/qbipcs.h>
#include <qb/qbloop.h>

#include <saAmf.h>
#include <ais/ipc.h>
#include <ais/ipc_amf.h>

#include "fake_engine.h"

/* ---------------------------------------------------------------- fake engine */

#define TEST_REQ_EMIT 0x7000
#define TEST_REQ_STATUS 0x7001

/* EMIT kinds */
enum {
	EMIT_CSI_SET_ACTIVE = 1, /* ADD_ONE, 3 attributes */
	EMIT_CSI_SET_STANDBY,    /* TARGET_ONE */
	EMIT_CSI_SET_QUIESCED,   /* TARGET_ALL */
	EMIT_CSI_SET_BAD_ATTRS,  /* attribute text not terminated: skipped */
	EMIT_CSI_REMOVE,
	EMIT_TERMINATE,
	EMIT_HEALTHCHECK,
	EMIT_PG_TRACK,
	EMIT_PROXIED_INSTANTIATE,
	EMIT_PROXIED_CLEANUP,
	EMIT_CONTAINED_INSTANTIATE,
	EMIT_CONTAINED_CLEANUP,
	EMIT_UNKNOWN,            /* an event id the library does not know */
};

struct test_emit {
	struct qb_ipc_request_header header;
	uint32_t kind;
	uint32_t pad;
};

struct test_status {
	struct qb_ipc_response_header header;
	uint32_t init_major, init_minor, init_callbacks;
	uint32_t last_id;
	uint64_t invocation;
	uint32_t error;
	uint32_t recovery;
	struct ais_amf_correlation ids;
	int64_t detection_time;
	int64_t pid;
	int32_t depth;
	uint32_t pm_errors;
	uint32_t hc_type;
	uint32_t hc_result;
	uint32_t track_flags, track_current, track_max;
	uint32_t qualifier;
	struct ais_amf_name comp, proxy;
	struct ais_amf_hc_key key;
};

static qb_ipcs_connection_t *srv_client;
static struct test_status srv_status;

static const char pg_members_text[3][16] = { "safComp=A", "safComp=B", "safComp=C" };

static void srv_reply(qb_ipcs_connection_t *c, int32_t id, int32_t error, const void *body, size_t body_len)
{
	struct qb_ipc_response_header h = { .id = id, .size = (int32_t)(sizeof(h) + body_len), .error = error };
	struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)(uintptr_t)body, body_len } };

	qb_ipcs_response_sendv(c, iov, body_len ? 2 : 1);
}

static void srv_name(struct ais_amf_name *n, const char *s)
{
	memset(n, 0, sizeof(*n));
	n->length = (uint16_t)strlen(s);
	memcpy(n->value, s, n->length);
}

static void srv_members(struct ais_amf_pg_member *m, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		memset(&m[i], 0, sizeof(m[i]));
		srv_name(&m[i].comp, pg_members_text[i]);
		m[i].ha_state = i == 0 ? SA_AMF_HA_ACTIVE : SA_AMF_HA_STANDBY;
		m[i].ha_readiness_state = SA_AMF_HARS_READY_FOR_ASSIGNMENT + i;
		m[i].rank = i + 1;
		m[i].change = i == 2 ? SA_AMF_PROTECTION_GROUP_ADDED : SA_AMF_PROTECTION_GROUP_NO_CHANGE;
	}
}

static void srv_send(const void *buf, size_t len)
{
	if (!srv_client || qb_ipcs_event_send(srv_client, buf, len) != (ssize_t)len)
		_exit(4);
}

static void srv_emit_csi_set(uint32_t kind)
{
	static const char attrs[] = "good_health_limit\0" "5\0" "empty\0" "\0" "third\0" "value three";
	uint8_t buf[sizeof(struct ais_amf_ev_csi_set) + sizeof(attrs)];
	struct ais_amf_ev_csi_set ev;
	size_t var = 0;

	memset(&ev, 0, sizeof(ev));
	ev.header.id = AIS_AMF_EV_CSI_SET;
	ev.header.error = SA_AIS_OK;
	srv_name(&ev.comp, "safComp=A,safSu=S,safSg=G,safApp=P");
	switch (kind) {
	case EMIT_CSI_SET_ACTIVE:
	case EMIT_CSI_SET_BAD_ATTRS:
		ev.invocation = 100;
		ev.ha_state = SA_AMF_HA_ACTIVE;
		ev.flags = SA_AMF_CSI_ADD_ONE;
		srv_name(&ev.csi, "safCsi=X,safSi=I,safApp=P");
		ev.transition = SA_AMF_CSI_NOT_QUIESCED;
		srv_name(&ev.active_comp, "safComp=Old");
		ev.n_attrs = 3;
		/* sizeof includes the final NUL; BAD_ATTRS leaves it out */
		var = kind == EMIT_CSI_SET_ACTIVE ? sizeof(attrs) : sizeof(attrs) - 1;
		break;
	case EMIT_CSI_SET_STANDBY:
		ev.invocation = 101;
		ev.ha_state = SA_AMF_HA_STANDBY;
		ev.flags = SA_AMF_CSI_TARGET_ONE;
		srv_name(&ev.csi, "safCsi=Y");
		ev.standby_rank = 7;
		srv_name(&ev.active_comp, "safComp=Act");
		break;
	default:
		ev.invocation = 102;
		ev.ha_state = SA_AMF_HA_QUIESCED;
		ev.flags = SA_AMF_CSI_TARGET_ALL;
		break;
	}
	ev.attrs_len = (uint32_t)var;
	ev.header.size = (int32_t)(sizeof(ev) + var);
	memcpy(buf, &ev, sizeof(ev));
	memcpy(buf + sizeof(ev), attrs, var);
	srv_send(buf, sizeof(ev) + var);
}

static void srv_emit(uint32_t kind)
{
	switch (kind) {
	case EMIT_CSI_SET_ACTIVE:
	case EMIT_CSI_SET_STANDBY:
	case EMIT_CSI_SET_QUIESCED:
	case EMIT_CSI_SET_BAD_ATTRS:
		srv_emit_csi_set(kind);
		break;
	case EMIT_CSI_REMOVE: {
		struct ais_amf_ev_csi_remove ev;

		memset(&ev, 0, sizeof(ev));
		ev.header.id = AIS_AMF_EV_CSI_REMOVE;
		ev.header.size = sizeof(ev);
		ev.header.error = SA_AIS_OK;
		ev.invocation = 103;
		srv_name(&ev.comp, "safComp=A");
		srv_name(&ev.csi, "safCsi=Z");
		ev.flags = SA_AMF_CSI_TARGET_ONE;
		srv_send(&ev, sizeof(ev));
		break;
	}
	case EMIT_HEALTHCHECK: {
		struct ais_amf_ev_healthcheck ev;

		memset(&ev, 0, sizeof(ev));
		ev.header.id = AIS_AMF_EV_HEALTHCHECK;
		ev.header.size = sizeof(ev);
		ev.header.error = SA_AIS_OK;
		ev.invocation = 104;
		srv_name(&ev.comp, "safComp=A");
		ev.key.length = 10;
		memcpy(ev.key.key, "amfInvoked", 10);
		srv_send(&ev, sizeof(ev));
		break;
	}
	case EMIT_PG_TRACK: {
		uint8_t buf[sizeof(struct ais_amf_ev_pg_track) + 3 * sizeof(struct ais_amf_pg_member)];
		struct ais_amf_pg_member m[3];
		struct ais_amf_ev_pg_track ev;

		memset(&ev, 0, sizeof(ev));
		ev.header.id = AIS_AMF_EV_PG_TRACK;
		ev.header.size = sizeof(buf);
		ev.header.error = SA_AIS_OK;
		srv_name(&ev.csi, "safCsi=X");
		ev.n_members = 3;
		ev.count = 3;
		srv_members(m, 3);
		memcpy(buf, &ev, sizeof(ev));
		memcpy(buf + sizeof(ev), m, sizeof(m));
		srv_send(buf, sizeof(buf));
		break;
	}
	case EMIT_UNKNOWN: {
		struct qb_ipc_response_header h = { .id = 0x1ff, .size = sizeof(h), .error = SA_AIS_OK };

		srv_send(&h, sizeof(h));
		break;
	}
	default: { /* the ais_amf_ev_comp family */
		static const int32_t ids[] = {
			[EMIT_TERMINATE] = AIS_AMF_EV_COMP_TERMINATE,
			[EMIT_PROXIED_INSTANTIATE] = AIS_AMF_EV_PROXIED_INSTANTIATE,
			[EMIT_PROXIED_CLEANUP] = AIS_AMF_EV_PROXIED_CLEANUP,
			[EMIT_CONTAINED_INSTANTIATE] = AIS_AMF_EV_CONTAINED_INSTANTIATE,
			[EMIT_CONTAINED_CLEANUP] = AIS_AMF_EV_CONTAINED_CLEANUP,
		};
		struct ais_amf_ev_comp ev;

		if (kind >= sizeof(ids) / sizeof(ids[0]) || !ids[kind])
			_exit(5);
		memset(&ev, 0, sizeof(ev));
		ev.header.id = ids[kind];
		ev.header.size = sizeof(ev);
		ev.header.error = SA_AIS_OK;
		ev.invocation = 200 + kind;
		srv_name(&ev.comp, "safComp=Other");
		srv_send(&ev, sizeof(ev));
		break;
	}
	}
}

static void srv_pg_track(qb_ipcs_connection_t *c, const struct ais_amf_req_pg_track *r)
{
	struct {
		struct ais_amf_res_pg_track res;
		struct ais_amf_pg_member m[3];
	} out;
	size_t len = sizeof(out.res);

	memset(&out, 0, sizeof(out));
	out.res.header.id = AIS_AMF_REQ_PG_TRACK;
	out.res.header.error = SA_AIS_OK;
	out.res.n_members = 3;
	if (r->csi.length == 7 && !memcmp(r->csi.value, "missing", 7)) {
		srv_reply(c, AIS_AMF_REQ_PG_TRACK, SA_AIS_ERR_NOT_EXIST, NULL, 0);
		return;
	}
	if (r->current == AIS_AMF_CURRENT_REPLY) {
		if (r->max_items != 0 && r->max_items < 3) {
			out.res.header.error = SA_AIS_ERR_NO_SPACE;
			out.res.count = 3;
		} else {
			out.res.count = 3;
			srv_members(out.m, 3);
			len = sizeof(out);
		}
	}
	out.res.header.size = (int32_t)len;
	qb_ipcs_response_send(c, &out, len);
	if (r->current == AIS_AMF_CURRENT_CALLBACK)
		srv_emit(EMIT_PG_TRACK);
}

static int32_t srv_msg(qb_ipcs_connection_t *c, void *data, size_t size)
{
	struct qb_ipc_request_header hdr;
	int32_t error = SA_AIS_OK;

	memcpy(&hdr, data, sizeof(hdr));
	if (hdr.id != TEST_REQ_STATUS && hdr.id != TEST_REQ_EMIT)
		srv_status.last_id = (uint32_t)hdr.id;
	switch (hdr.id) {
	case AIS_AMF_REQ_INIT: {
		struct ais_amf_req_init r;

		if (size != sizeof(r))
			_exit(6);
		memcpy(&r, data, sizeof(r));
		srv_status.init_major = r.major;
		srv_status.init_minor = r.minor;
		srv_status.init_callbacks = r.callbacks;
		srv_client = c;
		break;
	}
	case AIS_AMF_REQ_COMP_REGISTER:
	case AIS_AMF_REQ_COMP_UNREGISTER: {
		struct ais_amf_req_comp r;

		if (size != sizeof(r))
			_exit(6);
		memcpy(&r, data, sizeof(r));
		srv_status.comp = r.comp;
		srv_status.proxy = r.proxy;
		if (r.comp.length == 7 && !memcmp(r.comp.value, "badname", 7))
			error = SA_AIS_ERR_INVALID_PARAM;
		break;
	}
	case AIS_AMF_REQ_HC_START:
	case AIS_AMF_REQ_HC_CONFIRM:
	case AIS_AMF_REQ_HC_STOP: {
		struct ais_amf_req_hc r;

		if (size != sizeof(r))
			_exit(6);
		memcpy(&r, data, sizeof(r));
		srv_status.comp = r.comp;
		srv_status.key = r.key;
		srv_status.hc_type = r.invocation_type;
		srv_status.recovery = r.recovery;
		srv_status.hc_result = r.result;
		break;
	}
	case AIS_AMF_REQ_HA_STATE_GET: {
		struct ais_amf_req_ha_state_get r;
		uint32_t body[2] = { SA_AMF_HA_STANDBY, 0 };

		if (size != sizeof(r))
			_exit(6);
		memcpy(&r, data, sizeof(r));
		if (r.csi.length == 8 && !memcmp(r.csi.value, "safCsi=Y", 8))
			srv_reply(c, hdr.id, SA_AIS_OK, body, sizeof(body));
		else
			srv_reply(c, hdr.id, SA_AIS_ERR_NOT_EXIST, NULL, 0);
		return 0;
	}
	case AIS_AMF_REQ_RESPONSE:
	case AIS_AMF_REQ_QUIESCING_COMPLETE: {
		struct ais_amf_req_response r;

		if (size != sizeof(r))
			_exit(6);
		memcpy(&r, data, sizeof(r));
		srv_status.invocation = r.invocation;
		srv_status.error = r.error;
		srv_status.ids = r.correlation;
		if (r.invocation < 100 || r.invocation > 300)
			error = SA_AIS_ERR_INVALID_PARAM;
		break;
	}
	case AIS_AMF_REQ_ERROR_REPORT:
	case AIS_AMF_REQ_ERROR_CLEAR: {
		struct ais_amf_req_error r;

		if (size != sizeof(r))
			_exit(6);
		memcpy(&r, data, sizeof(r));
		srv_status.comp = r.comp;
		srv_status.detection_time = r.detection_time;
		srv_status.recovery = r.recovery;
		srv_status.ids = r.correlation;
		break;
	}
	case AIS_AMF_REQ_PG_TRACK: {
		struct ais_amf_req_pg_track r;

		if (size != sizeof(r))
			_exit(6);
		memcpy(&r, data, sizeof(r));
		srv_status.track_flags = r.flags;
		srv_status.track_current = r.current;
		srv_status.track_max = r.max_items;
		srv_pg_track(c, &r);
		return 0;
	}
	case AIS_AMF_REQ_PG_TRACK_STOP:
		if (size != sizeof(struct ais_amf_req_pg_stop))
			_exit(6);
		break;
	case AIS_AMF_REQ_PM_START:
	case AIS_AMF_REQ_PM_STOP: {
		struct ais_amf_req_pm r;

		if (size != sizeof(r))
			_exit(6);
		memcpy(&r, data, sizeof(r));
		srv_status.comp = r.comp;
		srv_status.pid = r.pid;
		srv_status.depth = r.depth;
		srv_status.pm_errors = r.errors;
		srv_status.recovery = r.recovery;
		srv_status.qualifier = r.qualifier;
		break;
	}
	case AIS_AMF_REQ_HA_READINESS_SET: {
		struct ais_amf_req_ha_readiness r;

		if (size != sizeof(r))
			_exit(6);
		memcpy(&r, data, sizeof(r));
		srv_status.comp = r.comp;
		srv_status.proxy = r.csi;
		srv_status.error = r.state;
		srv_status.ids = r.correlation;
		break;
	}
	case AIS_AMF_REQ_CORRELATION_GET: {
		struct ais_amf_req_correlation_get r;
		struct ais_amf_correlation ids = { 11, 22, 33 };

		if (size != sizeof(r))
			_exit(6);
		memcpy(&r, data, sizeof(r));
		if (r.invocation == 100)
			srv_reply(c, hdr.id, SA_AIS_OK, &ids, sizeof(ids));
		else
			srv_reply(c, hdr.id, SA_AIS_ERR_INVALID_PARAM, NULL, 0);
		return 0;
	}
	case TEST_REQ_EMIT: {
		struct test_emit r;

		memcpy(&r, data, sizeof(r));
		srv_emit(r.kind);
		break;
	}
	case TEST_REQ_STATUS:
		srv_status.header.id = hdr.id;
		srv_status.header.size = sizeof(srv_status);
		srv_status.header.error = SA_AIS_OK;
		qb_ipcs_response_send(c, &srv_status, sizeof(srv_status));
		return 0;
	default:
		error = SA_AIS_ERR_LIBRARY;
		break;
	}
	srv_reply(c, hdr.id, error, NULL, 0);
	return 0;
}

static void srv_destroyed(qb_ipcs_connection_t *c)
{
	if (c == srv_client)
		srv_client = NULL;
}

static void server_start(void)
{
	static const struct qb_ipcs_service_handlers handlers = {
		.msg_process = srv_msg,
		.connection_destroyed = srv_destroyed,
	};

	fake_engine_start("amf", "ta", &handlers);
}

static void server_stop(void)
{
	fake_engine_stop();
}

/* the test's own raw connection to the fake engine */
static void raw_request(const void *req, size_t len, void *res, size_t res_len)
{
	char name[AIS_IPC_NAME_MAX];
	qb_ipcc_connection_t *c;

	snprintf(name, sizeof(name), "ais-%s-amf", getenv(AIS_INSTANCE_ENV));
	c = qb_ipcc_connect(name, AIS_IPC_MSG_MAX);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(qb_ipcc_send(c, req, len), (ssize_t)len);
	ck_assert_int_ge(qb_ipcc_recv(c, res, res_len, -1), (ssize_t)sizeof(struct qb_ipc_response_header));
	qb_ipcc_disconnect(c);
}

/* the event is in the library's queue when this returns */
static void emit(uint32_t kind)
{
	struct test_emit req = { .header = { .id = TEST_REQ_EMIT, .size = sizeof(req) }, .kind = kind };
	struct qb_ipc_response_header res;

	raw_request(&req, sizeof(req), &res, sizeof(res));
	ck_assert_int_eq(res.error, SA_AIS_OK);
}

static struct test_status status(void)
{
	struct qb_ipc_request_header req = { .id = TEST_REQ_STATUS, .size = sizeof(req) };
	struct test_status st;

	raw_request(&req, sizeof(req), &st, sizeof(st));
	return st;
}

/* ---------------------------------------------------------------- callbacks */

static int n_hc, n_term, n_set, n_remove, n_pg, n_pg4, n_pinst, n_pclean, n_cinst, n_cclean;
static SaInvocationT last_inv;
static SaNameT last_comp, last_csi;
static SaAmfHealthcheckKeyT last_key;
static SaAmfHAStateT last_ha;
static SaAmfCSIDescriptorT last_desc;
static char last_attrs[3][2][32];
static SaAmfCSIFlagsT last_flags;
static SaAisErrorT last_pg_error;
static SaUint32T last_pg_members, last_pg_items;
static SaAmfProtectionGroupNotificationT last_pg[3];
static SaAmfProtectionGroupNotificationT_4 last_pg4[3];

static bool name_is(const SaNameT *n, const char *s)
{
	return n->length == strlen(s) && !memcmp(n->value, s, n->length);
}

static SaNameT name_of(const char *s)
{
	SaNameT n;

	memset(&n, 0, sizeof(n));
	n.length = (SaUint16T)strlen(s);
	memcpy(n.value, s, n.length);
	return n;
}

static void hc_cb(SaInvocationT inv, const SaNameT *comp, SaAmfHealthcheckKeyT *key)
{
	n_hc++;
	last_inv = inv;
	last_comp = *comp;
	last_key = *key;
}

static void term_cb(SaInvocationT inv, const SaNameT *comp)
{
	n_term++;
	last_inv = inv;
	last_comp = *comp;
}

static void set_cb(SaInvocationT inv, const SaNameT *comp, SaAmfHAStateT ha, SaAmfCSIDescriptorT d)
{
	n_set++;
	last_inv = inv;
	last_comp = *comp;
	last_ha = ha;
	last_desc = d;
	/* the attribute strings are valid (and writable) during the callback */
	for (SaUint32T i = 0; i < d.csiAttr.number && i < 3; i++) {
		snprintf(last_attrs[i][0], sizeof(last_attrs[i][0]), "%s", (char *)d.csiAttr.attr[i].attrName);
		snprintf(last_attrs[i][1], sizeof(last_attrs[i][1]), "%s", (char *)d.csiAttr.attr[i].attrValue);
		d.csiAttr.attr[i].attrValue[0] = 'x';
	}
	last_desc.csiAttr.attr = NULL;
}

static void remove_cb(SaInvocationT inv, const SaNameT *comp, const SaNameT *csi, SaAmfCSIFlagsT flags)
{
	n_remove++;
	last_inv = inv;
	last_comp = *comp;
	last_csi = *csi;
	last_flags = flags;
}

static void pg_cb(const SaNameT *csi, SaAmfProtectionGroupNotificationBufferT *buf, SaUint32T members,
                  SaAisErrorT error)
{
	n_pg++;
	last_csi = *csi;
	last_pg_items = buf->numberOfItems;
	last_pg_members = members;
	last_pg_error = error;
	for (SaUint32T i = 0; i < buf->numberOfItems && i < 3; i++)
		last_pg[i] = buf->notification[i];
}

static void pg4_cb(const SaNameT *csi, SaAmfProtectionGroupNotificationBufferT_4 *buf, SaUint32T members,
                   SaAisErrorT error)
{
	n_pg4++;
	last_csi = *csi;
	last_pg_items = buf->numberOfItems;
	last_pg_members = members;
	last_pg_error = error;
	for (SaUint32T i = 0; i < buf->numberOfItems && i < 3; i++)
		last_pg4[i] = buf->notification[i];
}

static void pinst_cb(SaInvocationT inv, const SaNameT *comp)
{
	n_pinst++;
	last_inv = inv;
	last_comp = *comp;
}

static void pclean_cb(SaInvocationT inv, const SaNameT *comp)
{
	n_pclean++;
	last_inv = inv;
	last_comp = *comp;
}

static void cinst_cb(SaInvocationT inv, const SaNameT *comp)
{
	n_cinst++;
	last_inv = inv;
	last_comp = *comp;
}

static void cclean_cb(SaInvocationT inv, const SaNameT *comp)
{
	n_cclean++;
	last_inv = inv;
	last_comp = *comp;
}

static const SaAmfCallbacksT cb1 = { hc_cb, term_cb, set_cb, remove_cb, pg_cb, pinst_cb, pclean_cb };
static const SaAmfCallbacksT_4 cb4 = { hc_cb,    term_cb,   set_cb,   remove_cb, pg4_cb,
	                               pinst_cb, pclean_cb, cinst_cb, cclean_cb };

static SaAmfHandleT init1(const SaAmfCallbacksT *cb)
{
	SaVersionT v = { 'B', 1, 1 };
	SaAmfHandleT h = 0;

	ck_assert_int_eq(saAmfInitialize(&h, cb, &v), SA_AIS_OK);
	return h;
}

static SaAmfHandleT init4(const SaAmfCallbacksT_4 *cb)
{
	SaVersionT v = { 'B', 4, 1 };
	SaAmfHandleT h = 0;

	ck_assert_int_eq(saAmfInitialize_4(&h, cb, &v), SA_AIS_OK);
	return h;
}

static bool readable(SaAmfHandleT h, int timeout_ms)
{
	SaSelectionObjectT so;
	struct pollfd p;

	ck_assert_int_eq(saAmfSelectionObjectGet(h, &so), SA_AIS_OK);
	p.fd = (int)so;
	p.events = POLLIN;
	p.revents = 0;
	return poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN);
}

/* ---------------------------------------------------------------- tests */

START_TEST(test_version_table)
{
	static const struct {
		int call; /* 1, 3 or 4: which initialize */
		SaVersionT in;
		SaAisErrorT want;
		SaVersionT out;
	} table[] = {
		{ 1, { 'A', 1, 1 }, SA_AIS_ERR_VERSION, { 'B', 1, 1 } },
		{ 1, { 'B', 2, 1 }, SA_AIS_ERR_VERSION, { 'B', 1, 1 } },
		{ 1, { 'B', 3, 1 }, SA_AIS_ERR_VERSION, { 'B', 1, 1 } },
		{ 1, { 'B', 4, 1 }, SA_AIS_ERR_VERSION, { 'B', 1, 1 } },
		{ 1, { 'B', 0, 0 }, SA_AIS_ERR_VERSION, { 'B', 1, 1 } },
		{ 1, { 'C', 1, 1 }, SA_AIS_ERR_VERSION, { 'B', 1, 1 } },
		{ 4, { 'B', 1, 1 }, SA_AIS_ERR_VERSION, { 'B', 4, 1 } },
		{ 4, { 'B', 5, 1 }, SA_AIS_ERR_VERSION, { 'B', 4, 1 } },
		{ 4, { 'A', 4, 1 }, SA_AIS_ERR_VERSION, { 'B', 4, 1 } },
		{ 3, { 'B', 1, 1 }, SA_AIS_ERR_VERSION, { 'B', 4, 1 } },
		{ 3, { 'B', 2, 1 }, SA_AIS_ERR_VERSION, { 'B', 4, 1 } },
		/* accepted (the engine answers INIT) */
		{ 1, { 'B', 1, 1 }, SA_AIS_OK, { 'B', 1, 1 } },
		{ 1, { 'B', 1, 0xff }, SA_AIS_OK, { 'B', 1, 1 } },
		{ 1, { 'B', 1, 0 }, SA_AIS_OK, { 'B', 1, 1 } },
		{ 4, { 'B', 4, 1 }, SA_AIS_OK, { 'B', 4, 1 } },
		{ 4, { 'B', 4, 0 }, SA_AIS_OK, { 'B', 4, 1 } },
		{ 3, { 'B', 3, 1 }, SA_AIS_OK, { 'B', 3, 1 } },
		{ 3, { 'B', 4, 1 }, SA_AIS_OK, { 'B', 4, 1 } },
	};
	const SaAmfCallbacksT_3 cb3 = { 0 };

	server_start();
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		SaVersionT v = table[i].in;
		SaAmfHandleT h = 0;
		SaAisErrorT e;

		if (table[i].call == 1)
			e = saAmfInitialize(&h, &cb1, &v);
		else if (table[i].call == 3)
			e = saAmfInitialize_3(&h, &cb3, &v);
		else
			e = saAmfInitialize_4(&h, &cb4, &v);
		ck_assert_int_eq(e, table[i].want);
		ck_assert_int_eq(v.releaseCode, table[i].out.releaseCode);
		ck_assert_int_eq(v.majorVersion, table[i].out.majorVersion);
		ck_assert_int_eq(v.minorVersion, table[i].out.minorVersion);
		if (e == SA_AIS_OK) {
			struct test_status st = status();

			ck_assert_uint_eq(st.init_major, table[i].out.majorVersion);
			ck_assert_uint_eq(st.init_minor, 1);
			ck_assert_int_eq(saAmfFinalize(h), SA_AIS_OK);
			ck_assert_int_eq(saAmfFinalize(h), SA_AIS_ERR_BAD_HANDLE);
		} else {
			ck_assert_uint_eq(h, 0);
		}
	}
	server_stop();
}
END_TEST

START_TEST(test_initialize_no_daemon)
{
	SaVersionT v = { 'B', 1, 1 };
	SaAmfHandleT h = 0;

	setenv(AIS_INSTANCE_ENV, "no-such-amf-instance", 1);
	ck_assert_int_eq(saAmfInitialize(&h, &cb1, &v), SA_AIS_ERR_TRY_AGAIN);
	ck_assert_uint_eq(h, 0);
	ck_assert_int_eq(saAmfInitialize(NULL, &cb1, &v), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfInitialize(&h, &cb1, NULL), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfInitialize_4(NULL, &cb4, &v), SA_AIS_ERR_INVALID_PARAM);
}
END_TEST

/* NULL and malformed parameters are INVALID_PARAM before the handle is
 * looked up; with good parameters a bad handle is BAD_HANDLE. */
START_TEST(test_args_before_handles)
{
	const SaAmfHandleT bad = 0x1234;
	SaNameT n = name_of("safComp=A"), longname = name_of("x");
	SaAmfHealthcheckKeyT key = { "k", 1 }, nokey = { "", 0 }, bigkey = { "k", 33 };
	SaAmfProtectionGroupNotificationBufferT buf = { 0, NULL };
	SaAmfProtectionGroupNotificationT one;
	SaNtfCorrelationIdsT ids = { 1, 2, 3 };
	SaSelectionObjectT so;
	SaAmfHAStateT ha;

	longname.length = SA_MAX_NAME_LENGTH + 1;
	ck_assert_int_eq(saAmfSelectionObjectGet(bad, NULL), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfSelectionObjectGet(bad, &so), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saAmfDispatch(bad, (SaDispatchFlagsT)0), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfDispatch(bad, (SaDispatchFlagsT)4), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfDispatch(bad, SA_DISPATCH_ALL), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saAmfFinalize(bad), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saAmfFinalize(0), SA_AIS_ERR_BAD_HANDLE);

	ck_assert_int_eq(saAmfComponentRegister(bad, NULL, NULL), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfComponentRegister(bad, &longname, NULL), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfComponentRegister(bad, &n, &longname), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfComponentRegister(bad, &n, NULL), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saAmfComponentUnregister(bad, NULL, NULL), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfComponentUnregister(bad, &n, NULL), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saAmfComponentNameGet(bad, NULL), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfComponentNameGet(bad, &n), SA_AIS_ERR_BAD_HANDLE);

	ck_assert_int_eq(saAmfPmStart(bad, NULL, 1, -1, SA_AMF_PM_ZERO_EXIT, SA_AMF_COMPONENT_RESTART),
	                 SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfPmStart(bad, &n, 0, -1, SA_AMF_PM_ZERO_EXIT, SA_AMF_COMPONENT_RESTART),
	                 SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfPmStart(bad, &n, 1, -2, SA_AMF_PM_ZERO_EXIT, SA_AMF_COMPONENT_RESTART),
	                 SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfPmStart(bad, &n, 1, -1, 0, SA_AMF_COMPONENT_RESTART), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfPmStart(bad, &n, 1, -1, 0x8, SA_AMF_COMPONENT_RESTART), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfPmStart(bad, &n, 1, -1, 1, (SaAmfRecommendedRecoveryT)0), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfPmStart(bad, &n, 1, -1, SA_AMF_PM_ALL_ERRORS, SA_AMF_COMPONENT_RESTART),
	                 SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saAmfPmStart_3(bad, &n, -5, 0, 1, SA_AMF_COMPONENT_RESTART), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfPmStart_3(bad, &n, 5, 0, 1, SA_AMF_COMPONENT_RESTART), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saAmfPmStop(bad, &n, (SaAmfPmStopQualifierT)0, 1, 1), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfPmStop(bad, &n, SA_AMF_PM_PROC, 0, 1), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfPmStop(bad, NULL, SA_AMF_PM_PROC, 1, 1), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfPmStop(bad, &n, SA_AMF_PM_ALL_PROCESSES, 0, 1), SA_AIS_ERR_BAD_HANDLE);

	ck_assert_int_eq(saAmfHealthcheckStart(bad, NULL, &key, SA_AMF_HEALTHCHECK_AMF_INVOKED,
	                                       SA_AMF_COMPONENT_RESTART),
	                 SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfHealthcheckStart(bad, &n, NULL, SA_AMF_HEALTHCHECK_AMF_INVOKED,
	                                       SA_AMF_COMPONENT_RESTART),
	                 SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfHealthcheckStart(bad, &n, &nokey, SA_AMF_HEALTHCHECK_AMF_INVOKED,
	                                       SA_AMF_COMPONENT_RESTART),
	                 SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfHealthcheckStart(bad, &n, &bigkey, SA_AMF_HEALTHCHECK_AMF_INVOKED,
	                                       SA_AMF_COMPONENT_RESTART),
	                 SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfHealthcheckStart(bad, &n, &key, (SaAmfHealthcheckInvocationT)3,
	                                       SA_AMF_COMPONENT_RESTART),
	                 SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfHealthcheckStart(bad, &n, &key, SA_AMF_HEALTHCHECK_AMF_INVOKED,
	                                       (SaAmfRecommendedRecoveryT)10),
	                 SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfHealthcheckStart(bad, &n, &key, SA_AMF_HEALTHCHECK_AMF_INVOKED,
	                                       SA_AMF_COMPONENT_RESTART),
	                 SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saAmfHealthcheckConfirm(bad, &n, &key, SA_AIS_ERR_TRY_AGAIN), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfHealthcheckConfirm(bad, &n, NULL, SA_AIS_OK), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfHealthcheckConfirm(bad, &n, &key, SA_AIS_ERR_FAILED_OPERATION), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saAmfHealthcheckStop(bad, NULL, &key), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfHealthcheckStop(bad, &n, &key), SA_AIS_ERR_BAD_HANDLE);

	ck_assert_int_eq(saAmfHAStateGet(bad, &n, &n, NULL), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfHAStateGet(bad, &n, NULL, &ha), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfHAStateGet(bad, NULL, &n, &ha), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfHAStateGet(bad, &n, &n, &ha), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saAmfHAReadinessStateSet(bad, &n, &n, (SaAmfHAReadinessStateT)5, &ids),
	                 SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfHAReadinessStateSet(bad, NULL, &n, SA_AMF_HARS_READY_FOR_ASSIGNMENT, &ids),
	                 SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfHAReadinessStateSet(bad, &n, &n, SA_AMF_HARS_READY_FOR_ASSIGNMENT, &ids),
	                 SA_AIS_ERR_BAD_HANDLE);

	ck_assert_int_eq(saAmfResponse(bad, 1, (SaAisErrorT)0), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfResponse(bad, 1, (SaAisErrorT)99), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfResponse(bad, 1, SA_AIS_OK), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saAmfResponse_4(bad, 1, &ids, SA_AIS_OK), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saAmfResponse_4(bad, 1, NULL, SA_AIS_ERR_FAILED_OPERATION), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saAmfCSIQuiescingComplete(bad, 1, (SaAisErrorT)0), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfCSIQuiescingComplete(bad, 1, SA_AIS_OK), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saAmfCorrelationIdsGet(bad, 1, NULL), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfCorrelationIdsGet(bad, 1, &ids), SA_AIS_ERR_BAD_HANDLE);

	ck_assert_int_eq(saAmfComponentErrorReport(bad, NULL, 0, SA_AMF_COMPONENT_RESTART, 0),
	                 SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfComponentErrorReport(bad, &n, 0, (SaAmfRecommendedRecoveryT)0, 0),
	                 SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfComponentErrorReport(bad, &n, 0, SA_AMF_COMPONENT_RESTART, 0), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saAmfComponentErrorReport_4(bad, NULL, 0, SA_AMF_COMPONENT_RESTART, &ids),
	                 SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfComponentErrorReport_4(bad, &n, 0, SA_AMF_COMPONENT_RESTART, NULL),
	                 SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saAmfComponentErrorClear(bad, NULL, 0), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfComponentErrorClear(bad, &n, 0), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saAmfComponentErrorClear_4(bad, NULL, &ids), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfComponentErrorClear_4(bad, &n, &ids), SA_AIS_ERR_BAD_HANDLE);

	/* protection groups: names, then flags, then buffers, then the handle */
	ck_assert_int_eq(saAmfProtectionGroupTrack(bad, NULL, SA_TRACK_CURRENT, &buf), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfProtectionGroupTrack(bad, &n, 0, &buf), SA_AIS_ERR_BAD_FLAGS);
	ck_assert_int_eq(saAmfProtectionGroupTrack(bad, &n, SA_TRACK_CHANGES | SA_TRACK_CHANGES_ONLY, NULL),
	                 SA_AIS_ERR_BAD_FLAGS);
	ck_assert_int_eq(saAmfProtectionGroupTrack(bad, &n, SA_TRACK_LOCAL | SA_TRACK_CURRENT, &buf),
	                 SA_AIS_ERR_BAD_FLAGS);
	ck_assert_int_eq(saAmfProtectionGroupTrack(bad, &n, 0x80, &buf), SA_AIS_ERR_BAD_FLAGS);
	buf.notification = &one;
	buf.numberOfItems = 0;
	ck_assert_int_eq(saAmfProtectionGroupTrack(bad, &n, SA_TRACK_CURRENT, &buf), SA_AIS_ERR_INVALID_PARAM);
	buf.notification = NULL;
	ck_assert_int_eq(saAmfProtectionGroupTrack(bad, &n, SA_TRACK_CURRENT, &buf), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saAmfProtectionGroupTrack_4(bad, &n, SA_TRACK_CHANGES_ONLY, NULL), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saAmfProtectionGroupTrackStop(bad, NULL), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfProtectionGroupTrackStop(bad, &n), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saAmfProtectionGroupNotificationFree(bad, NULL), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfProtectionGroupNotificationFree(bad, &one), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saAmfProtectionGroupNotificationFree_4(bad, NULL), SA_AIS_ERR_INVALID_PARAM);
}
END_TEST

START_TEST(test_component_name_get)
{
	char big[SA_MAX_NAME_LENGTH + 2];
	SaAmfHandleT h;
	SaNameT n;

	server_start();
	h = init1(&cb1);
	unsetenv("SA_AMF_COMPONENT_NAME");
	ck_assert_int_eq(saAmfComponentNameGet(h, &n), SA_AIS_ERR_NOT_EXIST);
	setenv("SA_AMF_COMPONENT_NAME", "safComp=A,safSu=S,safSg=G,safApp=P", 1);
	memset(&n, 0xee, sizeof(n));
	ck_assert_int_eq(saAmfComponentNameGet(h, &n), SA_AIS_OK);
	ck_assert(name_is(&n, "safComp=A,safSu=S,safSg=G,safApp=P"));
	ck_assert_int_eq(n.value[n.length], 0);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	setenv("SA_AMF_COMPONENT_NAME", big, 1);
	ck_assert_int_eq(saAmfComponentNameGet(h, &n), SA_AIS_ERR_NAME_TOO_LONG);
	/* the name is local: the engine saw nothing but INIT */
	ck_assert_uint_eq(status().last_id, AIS_AMF_REQ_INIT);
	ck_assert_int_eq(saAmfFinalize(h), SA_AIS_OK);
	ck_assert_int_eq(saAmfComponentNameGet(h, &n), SA_AIS_ERR_BAD_HANDLE);
	server_stop();
}
END_TEST

/* What INIT announces and which calls need which callbacks. */
START_TEST(test_missing_callbacks)
{
	SaAmfCallbacksT partial = { NULL, term_cb, set_cb, remove_cb, NULL, NULL, NULL };
	SaAmfProtectionGroupNotificationBufferT buf = { 0, NULL };
	SaAmfHealthcheckKeyT key = { "k", 1 };
	SaNameT n = name_of("safComp=A");
	struct test_status st;
	SaAmfHandleT h;

	server_start();
	h = init1(NULL);
	st = status();
	ck_assert_uint_eq(st.init_callbacks, 0);
	ck_assert_int_eq(saAmfComponentRegister(h, &n, NULL), SA_AIS_ERR_INIT);
	ck_assert_int_eq(saAmfHealthcheckStart(h, &n, &key, SA_AMF_HEALTHCHECK_AMF_INVOKED, SA_AMF_COMPONENT_RESTART),
	                 SA_AIS_ERR_INIT);
	ck_assert_int_eq(saAmfHealthcheckStart(h, &n, &key, SA_AMF_HEALTHCHECK_COMPONENT_INVOKED,
	                                       SA_AMF_COMPONENT_RESTART),
	                 SA_AIS_OK);
	ck_assert_int_eq(saAmfProtectionGroupTrack(h, &n, SA_TRACK_CHANGES, NULL), SA_AIS_ERR_INIT);
	ck_assert_int_eq(saAmfProtectionGroupTrack(h, &n, SA_TRACK_CURRENT, NULL), SA_AIS_ERR_INIT);
	ck_assert_int_eq(saAmfProtectionGroupTrack(h, &n, SA_TRACK_CURRENT, &buf), SA_AIS_OK);
	ck_assert_uint_eq(buf.numberOfItems, 3);
	ck_assert_int_eq(saAmfProtectionGroupNotificationFree(h, buf.notification), SA_AIS_OK);
	ck_assert_int_eq(saAmfFinalize(h), SA_AIS_OK);

	h = init1(&partial);
	st = status();
	ck_assert_uint_eq(st.init_callbacks, AIS_AMF_CB_COMP_TERMINATE | AIS_AMF_CB_CSI_SET | AIS_AMF_CB_CSI_REMOVE);
	ck_assert_int_eq(saAmfComponentRegister(h, &n, NULL), SA_AIS_OK);
	/* a proxy needs the proxied callbacks too */
	ck_assert_int_eq(saAmfComponentRegister(h, &n, &n), SA_AIS_ERR_INIT);
	ck_assert_int_eq(saAmfFinalize(h), SA_AIS_OK);

	h = init4(&cb4);
	st = status();
	ck_assert_uint_eq(st.init_major, 4);
	ck_assert_uint_eq(st.init_callbacks, 0x1ff);
	ck_assert_int_eq(saAmfFinalize(h), SA_AIS_OK);
	server_stop();
}
END_TEST

/* What each request carries to the engine, and what comes back. */
START_TEST(test_requests)
{
	SaAmfHealthcheckKeyT key = { "compInvoked", 11 };
	SaNameT comp = name_of("safComp=A,safSu=S"), proxy = name_of("safComp=Proxy"), bad = name_of("badname");
	SaNameT csi = name_of("safCsi=Y"), other = name_of("safCsi=none");
	SaNtfCorrelationIdsT ids = { 5, 6, 7 }, got = { 0, 0, 0 };
	struct test_status st;
	SaAmfHAStateT ha = 0;
	SaAmfHandleT h;

	server_start();
	h = init1(&cb1);
	ck_assert_int_eq(saAmfComponentRegister(h, &bad, NULL), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfComponentRegister(h, &comp, &proxy), SA_AIS_OK);
	st = status();
	ck_assert_uint_eq(st.last_id, AIS_AMF_REQ_COMP_REGISTER);
	ck_assert_uint_eq(st.comp.length, comp.length);
	ck_assert_mem_eq(st.comp.value, comp.value, comp.length);
	ck_assert_uint_eq(st.proxy.length, proxy.length);
	ck_assert_int_eq(saAmfComponentUnregister(h, &comp, NULL), SA_AIS_OK);
	st = status();
	ck_assert_uint_eq(st.last_id, AIS_AMF_REQ_COMP_UNREGISTER);
	ck_assert_uint_eq(st.proxy.length, 0);

	ck_assert_int_eq(saAmfHealthcheckStart(h, &comp, &key, SA_AMF_HEALTHCHECK_COMPONENT_INVOKED,
	                                       SA_AMF_COMPONENT_FAILOVER),
	                 SA_AIS_OK);
	st = status();
	ck_assert_uint_eq(st.last_id, AIS_AMF_REQ_HC_START);
	ck_assert_uint_eq(st.key.length, 11);
	ck_assert_mem_eq(st.key.key, "compInvoked", 11);
	ck_assert_uint_eq(st.hc_type, SA_AMF_HEALTHCHECK_COMPONENT_INVOKED);
	ck_assert_uint_eq(st.recovery, SA_AMF_COMPONENT_FAILOVER);
	ck_assert_int_eq(saAmfHealthcheckConfirm(h, &comp, &key, SA_AIS_ERR_FAILED_OPERATION), SA_AIS_OK);
	st = status();
	ck_assert_uint_eq(st.last_id, AIS_AMF_REQ_HC_CONFIRM);
	ck_assert_uint_eq(st.hc_result, SA_AIS_ERR_FAILED_OPERATION);
	ck_assert_int_eq(saAmfHealthcheckStop(h, &comp, &key), SA_AIS_OK);
	ck_assert_uint_eq(status().last_id, AIS_AMF_REQ_HC_STOP);

	ck_assert_int_eq(saAmfHAStateGet(h, &comp, &csi, &ha), SA_AIS_OK);
	ck_assert_int_eq(ha, SA_AMF_HA_STANDBY);
	ck_assert_int_eq(saAmfHAStateGet(h, &comp, &other, &ha), SA_AIS_ERR_NOT_EXIST);

	ck_assert_int_eq(saAmfPmStart(h, &comp, 4321, 2, SA_AMF_PM_NON_ZERO_EXIT, SA_AMF_NODE_FAILOVER), SA_AIS_OK);
	st = status();
	ck_assert_uint_eq(st.last_id, AIS_AMF_REQ_PM_START);
	ck_assert_int_eq(st.pid, 4321);
	ck_assert_int_eq(st.depth, 2);
	ck_assert_uint_eq(st.pm_errors, SA_AMF_PM_NON_ZERO_EXIT);
	ck_assert_uint_eq(st.recovery, SA_AMF_NODE_FAILOVER);
	ck_assert_int_eq(saAmfPmStart_3(h, &comp, 99, -1, SA_AMF_PM_ALL_ERRORS, SA_AMF_COMPONENT_RESTART), SA_AIS_OK);
	ck_assert_int_eq(status().depth, -1);
	ck_assert_int_eq(saAmfPmStop(h, &comp, SA_AMF_PM_PROC_AND_DESCENDENTS, 99, SA_AMF_PM_ABNORMAL_END), SA_AIS_OK);
	st = status();
	ck_assert_uint_eq(st.last_id, AIS_AMF_REQ_PM_STOP);
	ck_assert_uint_eq(st.qualifier, SA_AMF_PM_PROC_AND_DESCENDENTS);
	ck_assert_uint_eq(st.pm_errors, SA_AMF_PM_ABNORMAL_END);

	ck_assert_int_eq(saAmfComponentErrorReport(h, &comp, 777, SA_AMF_COMPONENT_RESTART, 42), SA_AIS_OK);
	st = status();
	ck_assert_uint_eq(st.last_id, AIS_AMF_REQ_ERROR_REPORT);
	ck_assert_int_eq(st.detection_time, 777);
	ck_assert_uint_eq(st.recovery, SA_AMF_COMPONENT_RESTART);
	ck_assert_uint_eq(st.ids.notification, 42);
	ck_assert_uint_eq(st.ids.root, 0);
	ck_assert_int_eq(saAmfComponentErrorReport_4(h, &comp, 0, SA_AMF_NODE_SWITCHOVER, &ids), SA_AIS_OK);
	st = status();
	ck_assert_uint_eq(st.ids.root, 5);
	ck_assert_uint_eq(st.ids.parent, 6);
	ck_assert_uint_eq(st.ids.notification, 7);
	ck_assert_int_eq(saAmfComponentErrorClear(h, &comp, 9), SA_AIS_OK);
	st = status();
	ck_assert_uint_eq(st.last_id, AIS_AMF_REQ_ERROR_CLEAR);
	ck_assert_uint_eq(st.ids.notification, 9);
	ck_assert_uint_eq(st.recovery, 0);
	ck_assert_int_eq(saAmfComponentErrorClear_4(h, &comp, &ids), SA_AIS_OK);
	ck_assert_uint_eq(status().ids.parent, 6);

	ck_assert_int_eq(saAmfHAReadinessStateSet(h, &comp, &csi, SA_AMF_HARS_NOT_READY_FOR_ACTIVE, &ids), SA_AIS_OK);
	st = status();
	ck_assert_uint_eq(st.last_id, AIS_AMF_REQ_HA_READINESS_SET);
	ck_assert_uint_eq(st.error, SA_AMF_HARS_NOT_READY_FOR_ACTIVE);
	ck_assert_uint_eq(st.proxy.length, csi.length);

	ck_assert_int_eq(saAmfCorrelationIdsGet(h, 100, &got), SA_AIS_OK);
	ck_assert_uint_eq(got.rootCorrelationId, 11);
	ck_assert_uint_eq(got.parentCorrelationId, 22);
	ck_assert_uint_eq(got.notificationId, 33);
	ck_assert_int_eq(saAmfCorrelationIdsGet(h, 5, &got), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfProtectionGroupTrackStop(h, &csi), SA_AIS_OK);
	ck_assert_uint_eq(status().last_id, AIS_AMF_REQ_PG_TRACK_STOP);
	ck_assert_int_eq(saAmfFinalize(h), SA_AIS_OK);
	server_stop();
}
END_TEST

/* The CSI set callback gets the descriptor by value, with attributes; a
 * response carries invocation, error and correlation ids. */
START_TEST(test_csi_set_and_response)
{
	SaNtfCorrelationIdsT ids = { 8, 9, 10 };
	struct test_status st;
	SaAmfHandleT h;

	server_start();
	h = init1(&cb1);
	n_set = 0;
	emit(EMIT_CSI_SET_ACTIVE);
	ck_assert_int_eq(saAmfDispatch(h, SA_DISPATCH_ONE), SA_AIS_OK);
	ck_assert_int_eq(n_set, 1);
	ck_assert_uint_eq(last_inv, 100);
	ck_assert(name_is(&last_comp, "safComp=A,safSu=S,safSg=G,safApp=P"));
	ck_assert_int_eq(last_ha, SA_AMF_HA_ACTIVE);
	ck_assert_uint_eq(last_desc.csiFlags, SA_AMF_CSI_ADD_ONE);
	ck_assert(name_is(&last_desc.csiName, "safCsi=X,safSi=I,safApp=P"));
	ck_assert_int_eq(last_desc.csiStateDescriptor.activeDescriptor.transitionDescriptor, SA_AMF_CSI_NOT_QUIESCED);
	ck_assert(name_is(&last_desc.csiStateDescriptor.activeDescriptor.activeCompName, "safComp=Old"));
	ck_assert_uint_eq(last_desc.csiAttr.number, 3);
	ck_assert_str_eq(last_attrs[0][0], "good_health_limit");
	ck_assert_str_eq(last_attrs[0][1], "5");
	ck_assert_str_eq(last_attrs[1][0], "empty");
	ck_assert_str_eq(last_attrs[1][1], "");
	ck_assert_str_eq(last_attrs[2][0], "third");
	ck_assert_str_eq(last_attrs[2][1], "value three");

	ck_assert_int_eq(saAmfResponse(h, last_inv, SA_AIS_OK), SA_AIS_OK);
	st = status();
	ck_assert_uint_eq(st.last_id, AIS_AMF_REQ_RESPONSE);
	ck_assert_uint_eq(st.invocation, 100);
	ck_assert_uint_eq(st.error, SA_AIS_OK);
	ck_assert_uint_eq(st.ids.root, 0);
	ck_assert_int_eq(saAmfResponse_4(h, 101, &ids, SA_AIS_ERR_FAILED_OPERATION), SA_AIS_OK);
	st = status();
	ck_assert_uint_eq(st.invocation, 101);
	ck_assert_uint_eq(st.error, SA_AIS_ERR_FAILED_OPERATION);
	ck_assert_uint_eq(st.ids.root, 8);
	ck_assert_uint_eq(st.ids.parent, 9);
	ck_assert_uint_eq(st.ids.notification, 10);
	/* the engine decides unknown invocations */
	ck_assert_int_eq(saAmfResponse(h, 0xdead, SA_AIS_OK), SA_AIS_ERR_INVALID_PARAM);
	ck_assert_int_eq(saAmfCSIQuiescingComplete(h, 102, SA_AIS_OK), SA_AIS_OK);
	st = status();
	ck_assert_uint_eq(st.last_id, AIS_AMF_REQ_QUIESCING_COMPLETE);
	ck_assert_uint_eq(st.invocation, 102);

	/* standby, target one */
	emit(EMIT_CSI_SET_STANDBY);
	ck_assert_int_eq(saAmfDispatch(h, SA_DISPATCH_ONE), SA_AIS_OK);
	ck_assert_int_eq(n_set, 2);
	ck_assert_uint_eq(last_inv, 101);
	ck_assert_int_eq(last_ha, SA_AMF_HA_STANDBY);
	ck_assert_uint_eq(last_desc.csiFlags, SA_AMF_CSI_TARGET_ONE);
	ck_assert(name_is(&last_desc.csiName, "safCsi=Y"));
	ck_assert(name_is(&last_desc.csiStateDescriptor.standbyDescriptor.activeCompName, "safComp=Act"));
	ck_assert_uint_eq(last_desc.csiStateDescriptor.standbyDescriptor.standbyRank, 7);
	ck_assert_uint_eq(last_desc.csiAttr.number, 0);

	/* a malformed event is skipped; the next one arrives */
	emit(EMIT_CSI_SET_BAD_ATTRS);
	emit(EMIT_UNKNOWN);
	emit(EMIT_CSI_SET_QUIESCED);
	ck_assert_int_eq(saAmfDispatch(h, SA_DISPATCH_ALL), SA_AIS_OK);
	ck_assert_int_eq(n_set, 3);
	ck_assert_uint_eq(last_inv, 102);
	ck_assert_int_eq(last_ha, SA_AMF_HA_QUIESCED);
	ck_assert_uint_eq(last_desc.csiFlags, SA_AMF_CSI_TARGET_ALL);
	ck_assert_uint_eq(last_desc.csiName.length, 0);
	ck_assert_int_eq(saAmfFinalize(h), SA_AIS_OK);
	server_stop();
}
END_TEST

/* Every other callback, on a B.01 and on a B.04 handle. */
START_TEST(test_other_callbacks)
{
	SaAmfHandleT h;

	server_start();
	h = init1(&cb1);
	n_hc = n_term = n_remove = n_pg = n_pg4 = n_pinst = n_pclean = n_cinst = n_cclean = 0;

	emit(EMIT_HEALTHCHECK);
	ck_assert_int_eq(saAmfDispatch(h, SA_DISPATCH_ONE), SA_AIS_OK);
	ck_assert_int_eq(n_hc, 1);
	ck_assert_uint_eq(last_inv, 104);
	ck_assert(name_is(&last_comp, "safComp=A"));
	ck_assert_uint_eq(last_key.keyLen, 10);
	ck_assert_mem_eq(last_key.key, "amfInvoked", 10);

	emit(EMIT_CSI_REMOVE);
	ck_assert_int_eq(saAmfDispatch(h, SA_DISPATCH_ONE), SA_AIS_OK);
	ck_assert_int_eq(n_remove, 1);
	ck_assert_uint_eq(last_inv, 103);
	ck_assert(name_is(&last_csi, "safCsi=Z"));
	ck_assert_uint_eq(last_flags, SA_AMF_CSI_TARGET_ONE);

	emit(EMIT_TERMINATE);
	ck_assert_int_eq(saAmfDispatch(h, SA_DISPATCH_ONE), SA_AIS_OK);
	ck_assert_int_eq(n_term, 1);
	ck_assert_uint_eq(last_inv, 200 + EMIT_TERMINATE);
	ck_assert(name_is(&last_comp, "safComp=Other"));

	emit(EMIT_PROXIED_INSTANTIATE);
	emit(EMIT_PROXIED_CLEANUP);
	/* a B.01 handle has no contained callbacks: these are dropped */
	emit(EMIT_CONTAINED_INSTANTIATE);
	emit(EMIT_CONTAINED_CLEANUP);
	ck_assert_int_eq(saAmfDispatch(h, SA_DISPATCH_ALL), SA_AIS_OK);
	ck_assert_int_eq(n_pinst, 1);
	ck_assert_int_eq(n_pclean, 1);
	ck_assert_int_eq(n_cinst, 0);
	ck_assert_int_eq(n_cclean, 0);

	emit(EMIT_PG_TRACK);
	ck_assert_int_eq(saAmfDispatch(h, SA_DISPATCH_ONE), SA_AIS_OK);
	ck_assert_int_eq(n_pg, 1);
	ck_assert_int_eq(n_pg4, 0);
	ck_assert(name_is(&last_csi, "safCsi=X"));
	ck_assert_uint_eq(last_pg_items, 3);
	ck_assert_uint_eq(last_pg_members, 3);
	ck_assert_int_eq(last_pg_error, SA_AIS_OK);
	ck_assert(name_is(&last_pg[2].member.compName, "safComp=C"));
	ck_assert_int_eq(last_pg[2].member.haState, SA_AMF_HA_STANDBY);
	ck_assert_uint_eq(last_pg[2].member.rank, 3);
	ck_assert_int_eq(last_pg[2].change, SA_AMF_PROTECTION_GROUP_ADDED);
	ck_assert_int_eq(saAmfFinalize(h), SA_AIS_OK);

	h = init4(&cb4);
	emit(EMIT_CONTAINED_INSTANTIATE);
	emit(EMIT_CONTAINED_CLEANUP);
	emit(EMIT_PG_TRACK);
	ck_assert_int_eq(saAmfDispatch(h, SA_DISPATCH_ALL), SA_AIS_OK);
	ck_assert_int_eq(n_cinst, 1);
	ck_assert_int_eq(n_cclean, 1);
	ck_assert_uint_eq(last_inv, 200 + EMIT_CONTAINED_CLEANUP);
	ck_assert_int_eq(n_pg, 1);
	ck_assert_int_eq(n_pg4, 1);
	ck_assert(name_is(&last_pg4[1].member.compName, "safComp=B"));
	ck_assert_int_eq(last_pg4[1].member.haReadinessState, SA_AMF_HARS_READY_FOR_ACTIVE_DEGRADED);
	ck_assert_uint_eq(last_pg4[1].member.rank, 2);
	ck_assert_int_eq(saAmfFinalize(h), SA_AIS_OK);

	/* B.03: contained callbacks, and the B.01 protection group shape */
	{
		const SaAmfCallbacksT_3 cb3 = { hc_cb,    term_cb,   set_cb,   remove_cb, pg_cb,
			                        pinst_cb, pclean_cb, cinst_cb, cclean_cb };
		SaVersionT v = { 'B', 3, 1 };

		ck_assert_int_eq(saAmfInitialize_3(&h, &cb3, &v), SA_AIS_OK);
		emit(EMIT_CONTAINED_CLEANUP);
		emit(EMIT_PG_TRACK);
		ck_assert_int_eq(saAmfDispatch(h, SA_DISPATCH_ALL), SA_AIS_OK);
		ck_assert_int_eq(n_cclean, 2);
		ck_assert_int_eq(n_pg, 2);
		ck_assert_int_eq(n_pg4, 1);
		ck_assert(name_is(&last_pg[0].member.compName, "safComp=A"));
		ck_assert_int_eq(saAmfFinalize(h), SA_AIS_OK);
	}
	server_stop();
}
END_TEST

/* Protection group buffers follow the CLM track rules. */
START_TEST(test_pg_track_buffers)
{
	SaAmfProtectionGroupNotificationBufferT buf = { 0, NULL };
	SaAmfProtectionGroupNotificationBufferT_4 buf4 = { 0, NULL };
	SaAmfProtectionGroupNotificationT mine[4];
	SaNameT csi = name_of("safCsi=X"), missing = name_of("missing");
	struct test_status st;
	SaAmfHandleT h;

	server_start();
	h = init1(&cb1);
	/* library-allocated */
	ck_assert_int_eq(saAmfProtectionGroupTrack(h, &csi, SA_TRACK_CURRENT, &buf), SA_AIS_OK);
	ck_assert_ptr_nonnull(buf.notification);
	ck_assert_uint_eq(buf.numberOfItems, 3);
	ck_assert(name_is(&buf.notification[0].member.compName, "safComp=A"));
	ck_assert_int_eq(buf.notification[0].member.haState, SA_AMF_HA_ACTIVE);
	st = status();
	ck_assert_uint_eq(st.track_current, AIS_AMF_CURRENT_REPLY);
	ck_assert_uint_eq(st.track_flags, 0);
	ck_assert_uint_eq(st.track_max, 0);
	ck_assert_int_eq(saAmfProtectionGroupNotificationFree(h, buf.notification), SA_AIS_OK);

	/* the caller's array: too small is NO_SPACE with the needed count */
	buf.notification = mine;
	buf.numberOfItems = 2;
	ck_assert_int_eq(saAmfProtectionGroupTrack(h, &csi, SA_TRACK_CURRENT, &buf), SA_AIS_ERR_NO_SPACE);
	ck_assert_uint_eq(buf.numberOfItems, 3);
	ck_assert_ptr_eq(buf.notification, mine);
	ck_assert_uint_eq(status().track_max, 2);
	buf.numberOfItems = 4;
	ck_assert_int_eq(saAmfProtectionGroupTrack(h, &csi, SA_TRACK_CURRENT | SA_TRACK_CHANGES, &buf), SA_AIS_OK);
	ck_assert_uint_eq(buf.numberOfItems, 3);
	ck_assert_ptr_eq(buf.notification, mine);
	ck_assert(name_is(&mine[1].member.compName, "safComp=B"));
	st = status();
	ck_assert_uint_eq(st.track_flags, SA_TRACK_CHANGES);
	ck_assert_uint_eq(st.track_max, 4);

	/* CURRENT without a buffer: one callback */
	n_pg = 0;
	ck_assert_int_eq(saAmfProtectionGroupTrack(h, &csi, SA_TRACK_CURRENT, NULL), SA_AIS_OK);
	ck_assert_uint_eq(status().track_current, AIS_AMF_CURRENT_CALLBACK);
	ck_assert_int_eq(saAmfDispatch(h, SA_DISPATCH_ALL), SA_AIS_OK);
	ck_assert_int_eq(n_pg, 1);
	/* CHANGES_ONLY: nothing now */
	ck_assert_int_eq(saAmfProtectionGroupTrack(h, &csi, SA_TRACK_CHANGES_ONLY, NULL), SA_AIS_OK);
	st = status();
	ck_assert_uint_eq(st.track_current, AIS_AMF_CURRENT_NONE);
	ck_assert_uint_eq(st.track_flags, SA_TRACK_CHANGES_ONLY);
	ck_assert_int_eq(saAmfProtectionGroupTrack(h, &missing, SA_TRACK_CURRENT, &buf), SA_AIS_ERR_NOT_EXIST);
	ck_assert_int_eq(saAmfFinalize(h), SA_AIS_OK);

	/* the B.04 buffer */
	h = init4(&cb4);
	ck_assert_int_eq(saAmfProtectionGroupTrack_4(h, &csi, SA_TRACK_CURRENT, &buf4), SA_AIS_OK);
	ck_assert_uint_eq(buf4.numberOfItems, 3);
	ck_assert_int_eq(buf4.notification[2].member.haReadinessState, SA_AMF_HARS_NOT_READY_FOR_ACTIVE);
	ck_assert_uint_eq(buf4.notification[2].member.rank, 3);
	ck_assert_int_eq(saAmfProtectionGroupNotificationFree_4(h, buf4.notification), SA_AIS_OK);
	ck_assert_int_eq(saAmfFinalize(h), SA_AIS_OK);
	server_stop();
}
END_TEST

/* The selection object is readable exactly when a callback is queued. */
START_TEST(test_selection_object)
{
	SaAmfHandleT h;

	server_start();
	h = init1(&cb1);
	n_term = 0;
	ck_assert(!readable(h, 0));
	emit(EMIT_TERMINATE);
	ck_assert(readable(h, -1));
	emit(EMIT_TERMINATE);
	ck_assert_int_eq(saAmfDispatch(h, SA_DISPATCH_ONE), SA_AIS_OK);
	ck_assert_int_eq(n_term, 1);
	ck_assert(readable(h, 0));
	ck_assert_int_eq(saAmfDispatch(h, SA_DISPATCH_ONE), SA_AIS_OK);
	ck_assert_int_eq(n_term, 2);
	ck_assert(!readable(h, 0));
	/* a request in between leaves it as it is */
	ck_assert_int_eq(saAmfResponse(h, 200, SA_AIS_OK), SA_AIS_OK);
	ck_assert(!readable(h, 0));
	ck_assert_int_eq(saAmfFinalize(h), SA_AIS_OK);
	server_stop();
}
END_TEST

static SaAmfHandleT fin_handle;
static SaAisErrorT fin_result;
static int fin_count;

static void term_finalize(SaInvocationT inv, const SaNameT *comp)
{
	fin_count++;
	fin_result = saAmfFinalize(fin_handle);
}

START_TEST(test_finalize_in_callback)
{
	SaAmfCallbacksT cb = { hc_cb, term_finalize, set_cb, remove_cb, pg_cb, NULL, NULL };
	SaNameT n = name_of("safComp=A");

	server_start();
	fin_handle = init1(&cb);
	emit(EMIT_TERMINATE);
	emit(EMIT_TERMINATE);
	fin_count = 0;
	ck_assert_int_eq(saAmfDispatch(fin_handle, SA_DISPATCH_ALL), SA_AIS_OK);
	ck_assert_int_eq(fin_count, 1);
	ck_assert_int_eq(fin_result, SA_AIS_OK);
	ck_assert_int_eq(saAmfDispatch(fin_handle, SA_DISPATCH_ALL), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saAmfComponentRegister(fin_handle, &n, NULL), SA_AIS_ERR_BAD_HANDLE);
	ck_assert_int_eq(saAmfFinalize(fin_handle), SA_AIS_ERR_BAD_HANDLE);
	server_stop();
}
END_TEST

static Suite *amf_lib_suite(void)
{
	Suite *s = suite_create("amf_lib");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_version_table);
	tcase_add_test(tc, test_initialize_no_daemon);
	tcase_add_test(tc, test_args_before_handles);
	tcase_add_test(tc, test_component_name_get);
	tcase_add_test(tc, test_missing_callbacks);
	tcase_add_test(tc, test_requests);
	tcase_add_test(tc, test_csi_set_and_response);
	tcase_add_test(tc, test_other_callbacks);
	tcase_add_test(tc, test_pg_track_buffers);
	tcase_add_test(tc, test_selection_object);
	tcase_add_test(tc, test_finalize_in_callback);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(amf_lib_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
