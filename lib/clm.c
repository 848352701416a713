/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libSaClm: the SA Forum Cluster Membership API (include/saClm.h, B.01.01
 * and the B.04.01 `_4` calls) on top of the private client core
 * (ais_client.h). The clm engine (services/clm.c) holds the node table;
 * this library turns its answers and events (include/ais/ipc_clm.h) into
 * the SA Forum structures.
 *
 * Each saClmInitialize(_4) opens its own connection and gets a checked
 * handle; every call brackets its work with get/put, so stale or forged
 * handles are SA_AIS_ERR_BAD_HANDLE and finalize from a callback is safe.
 *
 * Versions (AIS-API 1.4): saClmInitialize accepts release 'B' major 1 and
 * answers {'B', 1, 1}; saClmInitialize_4 accepts 'B' major 4 and answers
 * {'B', 4, 1}. Neither accepts the other's major: the callback structure an
 * application passes is that of the version it asks for, so a B.04 request
 * through saClmInitialize (or B.01 through _4) would pair a version with
 * the wrong callback signatures. Anything else is SA_AIS_ERR_VERSION with
 * the version the called function supports written back (so {'B', 2, 3}
 * and {'B', 3, x} are refused, as OpenSAF's clmtest expects).
 *
 * Track flags: CURRENT, CHANGES and CHANGES_ONLY. SA_TRACK_LOCAL and the
 * B.04 START/VALIDATE steps are not offered (BAD_FLAGS): the service has no
 * administrative operations, so every view reaches _4 callbacks as step
 * SA_CLM_CHANGE_COMPLETED, and saClmResponse_4 has no outstanding step to
 * answer (SA_AIS_ERR_INVALID_PARAM for any invocation).
 *
 * Node get: answered from the node table of the local engine, which never
 * waits on the cluster, so a positive timeout is always met; a timeout of 0
 * or less has expired before the call (SA_AIS_ERR_TIMEOUT, as OpenAIS).
 * An unknown node id is SA_AIS_ERR_NOT_EXIST (OpenAIS answered the
 * asynchronous call's callback with INVALID_PARAM and its synchronous call
 * with OK and garbage; the specification's NOT_EXIST is what we give).
 *
 * Nothing here logs.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <saClm.h>
#include <ais/client.h>
#include <ais/ipc_clm.h>
#include <ais/service.h>

#include "ais_client.h"

#define CLM_TRACK_FLAGS (SA_TRACK_CURRENT | SA_TRACK_CHANGES | SA_TRACK_CHANGES_ONLY)

struct clm_inst {
	struct ais_client *client;
	int major; /* 1 or 4: which callback set */
	SaClmCallbacksT cb1;
	SaClmCallbacksT_4 cb4;
};

AIS_HDB_DECLARE(clm_handle_db, AIS_HDB_TAG(AIS_SERVICE_CLM, 1));

static void clm_inst_destroy(void *instance)
{
	struct clm_inst *inst = instance;

	ais_client_disconnect(inst->client);
	inst->client = NULL;
}

static SaAisErrorT clm_inst_get(SaClmHandleT handle, struct clm_inst **ret_inst)
{
	void *p;

	if (ais_hdb_get(&clm_handle_db, handle, &p) < 0)
		return SA_AIS_ERR_BAD_HANDLE;
	*ret_inst = p;
	return SA_AIS_OK;
}

static void clm_inst_put(SaClmHandleT handle)
{
	ais_hdb_put(&clm_handle_db, handle);
}

/* ---- conversions ------------------------------------------------------------ */

static int clm_node_check(const struct ais_clm_node *n)
{
	if (n->address_len > AIS_CLM_ADDRESS_MAX || n->name_len > AIS_CLM_NAME_MAX ||
	    (n->family != AIS_CLM_AF_INET && n->family != AIS_CLM_AF_INET6) || n->member > 1)
		return -EPROTO;
	return 0;
}

static void clm_node_from_ipc(SaClmClusterNodeT *dst, const struct ais_clm_node *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->nodeId = src->nodeid;
	dst->nodeAddress.family = (SaClmNodeAddressFamilyT)src->family;
	dst->nodeAddress.length = src->address_len;
	memcpy(dst->nodeAddress.value, src->address, src->address_len);
	dst->nodeName.length = src->name_len;
	memcpy(dst->nodeName.value, src->name, src->name_len);
	dst->member = src->member ? SA_TRUE : SA_FALSE;
	dst->bootTimestamp = src->boot_timestamp;
	dst->initialViewNumber = src->initial_view;
}

static void clm_node_from_ipc_4(SaClmClusterNodeT_4 *dst, const struct ais_clm_node *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->nodeId = src->nodeid;
	dst->nodeAddress.family = (SaClmNodeAddressFamilyT)src->family;
	dst->nodeAddress.length = src->address_len;
	memcpy(dst->nodeAddress.value, src->address, src->address_len);
	dst->nodeName.length = src->name_len;
	memcpy(dst->nodeName.value, src->name, src->name_len);
	/* no PLM: executionEnvironment stays empty */
	dst->member = src->member ? SA_TRUE : SA_FALSE;
	dst->bootTimestamp = src->boot_timestamp;
	dst->initialViewNumber = src->initial_view;
}

static int clm_items_check(const uint8_t *p, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++) {
		struct ais_clm_item it;

		memcpy(&it, p + (size_t)i * sizeof(it), sizeof(it));
		if (clm_node_check(&it.node) < 0 || it.change < AIS_CLM_NO_CHANGE || it.change > AIS_CLM_LEFT)
			return -EPROTO;
	}
	return 0;
}

/* items (already checked) into notification[] of the B.01 or B.04 kind */
static void clm_items_convert(const uint8_t *p, uint32_t count, void *notification, int major)
{
	for (uint32_t i = 0; i < count; i++) {
		struct ais_clm_item it;

		memcpy(&it, p + (size_t)i * sizeof(it), sizeof(it));
		if (major == 4) {
			SaClmClusterNotificationT_4 *n = (SaClmClusterNotificationT_4 *)notification + i;

			clm_node_from_ipc_4(&n->clusterNode, &it.node);
			n->clusterChange = (SaClmClusterChangesT)it.change;
		} else {
			SaClmClusterNotificationT *n = (SaClmClusterNotificationT *)notification + i;

			clm_node_from_ipc(&n->clusterNode, &it.node);
			n->clusterChange = (SaClmClusterChangesT)it.change;
		}
	}
}

/* ---- version negotiation ------------------------------------------------------ */

static SaAisErrorT clm_version_check(SaVersionT *version, uint8_t major)
{
	bool ok = version->releaseCode == 'B' && version->majorVersion == major;

	version->releaseCode = 'B';
	version->majorVersion = major;
	version->minorVersion = 1;
	return ok ? SA_AIS_OK : SA_AIS_ERR_VERSION;
}

/* ---- life ---------------------------------------------------------------------- */

static SaAisErrorT clm_initialize(SaClmHandleT *clmHandle, const SaClmCallbacksT *cb1,
                                  const SaClmCallbacksT_4 *cb4, SaVersionT *version, uint8_t major)
{
	struct clm_inst *inst;
	SaAisErrorT e;
	uint64_t h;
	void *p;
	int r;

	if (!clmHandle || !version)
		return SA_AIS_ERR_INVALID_PARAM;
	e = clm_version_check(version, major);
	if (e != SA_AIS_OK)
		return e;
	r = ais_hdb_create(&clm_handle_db, sizeof(*inst), clm_inst_destroy, &h, &p);
	if (r < 0)
		return ais_error_from_errno(r);
	inst = p;
	inst->major = major;
	if (cb1)
		inst->cb1 = *cb1;
	if (cb4)
		inst->cb4 = *cb4;
	r = ais_client_connect("clm", &inst->client);
	if (r < 0) {
		ais_hdb_destroy(&clm_handle_db, h);
		/* no daemon: the service cannot be provided now */
		return r == -ENOTCONN || r == -ESHUTDOWN ? SA_AIS_ERR_TRY_AGAIN : ais_error_from_errno(r);
	}
	*clmHandle = h;
	return SA_AIS_OK;
}

SaAisErrorT saClmInitialize(SaClmHandleT *clmHandle, const SaClmCallbacksT *clmCallbacks, SaVersionT *version)
{
	return clm_initialize(clmHandle, clmCallbacks, NULL, version, 1);
}

SaAisErrorT saClmInitialize_4(SaClmHandleT *clmHandle, const SaClmCallbacksT_4 *clmCallbacks,
                              SaVersionT *version)
{
	return clm_initialize(clmHandle, NULL, clmCallbacks, version, 4);
}

SaAisErrorT saClmSelectionObjectGet(SaClmHandleT clmHandle, SaSelectionObjectT *selectionObject)
{
	struct clm_inst *inst;
	SaAisErrorT e;
	int r, fd;

	if (!selectionObject)
		return SA_AIS_ERR_INVALID_PARAM;
	e = clm_inst_get(clmHandle, &inst);
	if (e != SA_AIS_OK)
		return e;
	r = ais_client_fd(inst->client, &fd);
	if (r == 0)
		*selectionObject = (SaSelectionObjectT)fd;
	clm_inst_put(clmHandle);
	return ais_error_from_errno(r);
}

SaAisErrorT saClmFinalize(SaClmHandleT clmHandle)
{
	struct clm_inst *inst;
	SaAisErrorT e = clm_inst_get(clmHandle, &inst);

	if (e != SA_AIS_OK)
		return e;
	ais_client_shutdown(inst->client);
	e = ais_hdb_destroy(&clm_handle_db, clmHandle) < 0 ? SA_AIS_ERR_BAD_HANDLE : SA_AIS_OK;
	clm_inst_put(clmHandle);
	return e;
}

/* ---- dispatch -------------------------------------------------------------------- */

struct clm_dispatch_ctx {
	SaClmHandleT handle;
	struct clm_inst *inst;
};

static int clm_track_event(const struct clm_dispatch_ctx *d, const uint8_t *msg, size_t len)
{
	static const SaNtfCorrelationIdsT no_correlation = { 0, 0, 0 };
	static const SaNameT no_root_cause = { 0, { 0 } };
	const uint8_t *items = msg + sizeof(struct ais_clm_ev_track);
	struct ais_clm_ev_track ev;
	void *notes;

	if (len < sizeof(ev))
		return -EPROTO;
	memcpy(&ev, msg, sizeof(ev));
	if (ev.count > 2 * AIS_CLM_NODES_MAX || (uint64_t)ev.count * sizeof(struct ais_clm_item) != len - sizeof(ev) ||
	    clm_items_check(items, ev.count) < 0)
		return -EPROTO;
	if (d->inst->major == 4) {
		SaClmClusterNotificationBufferT_4 buf;

		if (!d->inst->cb4.saClmClusterTrackCallback)
			return 0;
		notes = calloc(ev.count ? ev.count : 1, sizeof(SaClmClusterNotificationT_4));
		if (!notes)
			return -ENOMEM;
		clm_items_convert(items, ev.count, notes, 4);
		buf.viewNumber = ev.view;
		buf.numberOfItems = ev.count;
		buf.notification = notes;
		d->inst->cb4.saClmClusterTrackCallback(&buf, ev.n_members, 0, &no_root_cause, &no_correlation,
		                                       SA_CLM_CHANGE_COMPLETED, 0, SA_AIS_OK);
	} else {
		SaClmClusterNotificationBufferT buf;

		if (!d->inst->cb1.saClmClusterTrackCallback)
			return 0;
		notes = calloc(ev.count ? ev.count : 1, sizeof(SaClmClusterNotificationT));
		if (!notes)
			return -ENOMEM;
		clm_items_convert(items, ev.count, notes, 1);
		buf.viewNumber = ev.view;
		buf.numberOfItems = ev.count;
		buf.notification = notes;
		d->inst->cb1.saClmClusterTrackCallback(&buf, ev.n_members, SA_AIS_OK);
	}
	free(notes);
	return 0;
}

static int clm_node_get_event(const struct clm_dispatch_ctx *d, const uint8_t *msg, size_t len)
{
	struct ais_clm_ev_node_get ev;
	SaAisErrorT error;

	if (len != sizeof(ev))
		return -EPROTO;
	memcpy(&ev, msg, sizeof(ev));
	error = (SaAisErrorT)ev.header.error;
	if (error == SA_AIS_OK && clm_node_check(&ev.node) < 0)
		return -EPROTO;
	if (error != SA_AIS_OK)
		memset(&ev.node, 0, sizeof(ev.node));
	if (d->inst->major == 4) {
		SaClmClusterNodeT_4 node;

		if (!d->inst->cb4.saClmClusterNodeGetCallback)
			return 0;
		clm_node_from_ipc_4(&node, &ev.node);
		d->inst->cb4.saClmClusterNodeGetCallback(ev.invocation, &node, error);
	} else {
		SaClmClusterNodeT node;

		if (!d->inst->cb1.saClmClusterNodeGetCallback)
			return 0;
		clm_node_from_ipc(&node, &ev.node);
		d->inst->cb1.saClmClusterNodeGetCallback(ev.invocation, &node, error);
	}
	return 0;
}

static int clm_dispatch_one(void *ctx, const void *msg, size_t len)
{
	const struct clm_dispatch_ctx *d = ctx;
	const struct qb_ipc_response_header *h = msg;
	int r;

	switch (h->id) {
	case AIS_CLM_EV_TRACK:
		r = clm_track_event(d, msg, len);
		break;
	case AIS_CLM_EV_NODE_GET:
		r = clm_node_get_event(d, msg, len);
		break;
	default:
		r = 0; /* an event this library does not know: skipped */
		break;
	}
	/* a malformed event is skipped, like the core skips malformed frames */
	return r == -EPROTO ? 0 : r;
}

SaAisErrorT saClmDispatch(SaClmHandleT clmHandle, SaDispatchFlagsT dispatchFlags)
{
	struct clm_dispatch_ctx d;
	struct clm_inst *inst;
	SaAisErrorT e;
	int r;

	if (dispatchFlags != SA_DISPATCH_ONE && dispatchFlags != SA_DISPATCH_ALL &&
	    dispatchFlags != SA_DISPATCH_BLOCKING)
		return SA_AIS_ERR_INVALID_PARAM;
	e = clm_inst_get(clmHandle, &inst);
	if (e != SA_AIS_OK)
		return e;
	d.handle = clmHandle;
	d.inst = inst;
	r = ais_client_dispatch(inst->client, (int)dispatchFlags, clm_dispatch_one, &d);
	clm_inst_put(clmHandle);
	return ais_error_from_errno(r);
}

/* ---- tracking ---------------------------------------------------------------------- */

/*
 * Library-allocated notification arrays are plain malloc() blocks: B.01
 * programs written for OpenAIS (testclm2) release them with free(), newer
 * ones with saClmClusterNotificationFree(_4); both must work. So the
 * library keeps no list of them, and finalize does not free them (they
 * belong to the application once returned).
 */
static SaAisErrorT clm_free_notes(SaClmHandleT handle, void *notification)
{
	struct clm_inst *inst;
	SaAisErrorT e;

	if (!notification)
		return SA_AIS_ERR_INVALID_PARAM;
	e = clm_inst_get(handle, &inst);
	if (e != SA_AIS_OK)
		return e;
	clm_inst_put(handle);
	free(notification);
	return SA_AIS_OK;
}

SaAisErrorT saClmClusterNotificationFree(SaClmHandleT clmHandle, SaClmClusterNotificationT *notification)
{
	return clm_free_notes(clmHandle, notification);
}

SaAisErrorT saClmClusterNotificationFree_4(SaClmHandleT clmHandle, SaClmClusterNotificationT_4 *notification)
{
	return clm_free_notes(clmHandle, notification);
}

/* What saClmClusterTrack(_4) was given, independent of the buffer kind. */
struct clm_track_args {
	bool has_buffer;
	void **notification;     /* &buffer->notification */
	SaUint32T *number_of_items;
	SaUint64T *view_number;
	int major;               /* 1 or 4: the buffer's kind */
};

static SaAisErrorT clm_track_reply(const struct clm_track_args *a,
                                   const uint8_t *msg, size_t len)
{
	const uint8_t *items = msg + sizeof(struct ais_clm_res_track);
	struct ais_clm_res_track res;
	size_t size = a->major == 4 ? sizeof(SaClmClusterNotificationT_4) : sizeof(SaClmClusterNotificationT);
	void *notes;

	memcpy(&res, msg, sizeof(res));
	if (res.count > AIS_CLM_NODES_MAX || (uint64_t)res.count * sizeof(struct ais_clm_item) != len - sizeof(res) ||
	    clm_items_check(items, res.count) < 0)
		return SA_AIS_ERR_LIBRARY;
	notes = *a->notification;
	if (!notes) {
		notes = calloc(res.count ? res.count : 1, size);
		if (!notes)
			return SA_AIS_ERR_NO_MEMORY;
	} else if (res.count > *a->number_of_items) {
		/* the engine checked max_items; a mismatch is a protocol error */
		return SA_AIS_ERR_LIBRARY;
	}
	clm_items_convert(items, res.count, notes, a->major);
	*a->notification = notes;
	*a->number_of_items = res.count;
	*a->view_number = res.view;
	return SA_AIS_OK;
}

static SaAisErrorT clm_track(SaClmHandleT handle, SaUint8T flags, const struct clm_track_args *a)
{
	struct ais_clm_req_track req;
	struct ais_clm_res_track res;
	struct iovec iov = { .iov_base = &req, .iov_len = sizeof(req) };
	bool want_cb, has_cb;
	struct clm_inst *inst;
	void *msg = NULL;
	size_t len = 0;
	SaAisErrorT e;
	int r;

	if ((flags & SA_TRACK_CHANGES) && (flags & SA_TRACK_CHANGES_ONLY))
		return SA_AIS_ERR_BAD_FLAGS;
	if ((flags & ~CLM_TRACK_FLAGS) || !(flags & CLM_TRACK_FLAGS))
		return SA_AIS_ERR_BAD_FLAGS;
	if (a->has_buffer && *a->notification && *a->number_of_items == 0)
		return SA_AIS_ERR_INVALID_PARAM;
	e = clm_inst_get(handle, &inst);
	if (e != SA_AIS_OK)
		return e;
	want_cb = (flags & (SA_TRACK_CHANGES | SA_TRACK_CHANGES_ONLY)) ||
	          ((flags & SA_TRACK_CURRENT) && !a->has_buffer);
	has_cb = inst->major == 4 ? inst->cb4.saClmClusterTrackCallback != NULL
	                          : inst->cb1.saClmClusterTrackCallback != NULL;
	if (want_cb && !has_cb) {
		e = SA_AIS_ERR_INIT;
		goto out_put;
	}
	memset(&req, 0, sizeof(req));
	req.header.id = AIS_CLM_REQ_TRACK;
	req.header.size = sizeof(req);
	req.flags = flags & (SA_TRACK_CHANGES | SA_TRACK_CHANGES_ONLY);
	req.current = !(flags & SA_TRACK_CURRENT) ? AIS_CLM_CURRENT_NONE
	              : a->has_buffer             ? AIS_CLM_CURRENT_REPLY
	                                          : AIS_CLM_CURRENT_CALLBACK;
	req.max_items = req.current == AIS_CLM_CURRENT_REPLY && *a->notification ? *a->number_of_items : 0;
	r = ais_client_request_alloc(inst->client, &iov, 1, AIS_CLM_REQ_TRACK, &msg, &len);
	if (r < 0) {
		e = ais_error_from_errno(r);
		goto out_put;
	}
	if (len < sizeof(struct qb_ipc_response_header)) {
		e = SA_AIS_ERR_LIBRARY;
		goto out_free;
	}
	memcpy(&res, msg, len < sizeof(res) ? len : sizeof(res));
	e = (SaAisErrorT)res.header.error;
	if (e == SA_AIS_ERR_NO_SPACE && len >= sizeof(res))
		*a->number_of_items = res.count;
	if (e != SA_AIS_OK)
		goto out_free;
	if (len < sizeof(res) || res.header.id != AIS_CLM_REQ_TRACK) {
		e = SA_AIS_ERR_LIBRARY;
		goto out_free;
	}
	if (req.current == AIS_CLM_CURRENT_REPLY)
		e = clm_track_reply(a, msg, len);
out_free:
	free(msg);
out_put:
	clm_inst_put(handle);
	return e;
}

SaAisErrorT saClmClusterTrack(SaClmHandleT clmHandle, SaUint8T trackFlags,
                              SaClmClusterNotificationBufferT *notificationBuffer)
{
	SaClmClusterNotificationBufferT none = { 0, 0, NULL };
	SaClmClusterNotificationBufferT *b = notificationBuffer ? notificationBuffer : &none;
	void *notes = b->notification;
	struct clm_track_args a = { b != &none, &notes, &b->numberOfItems, &b->viewNumber, 1 };
	SaAisErrorT e = clm_track(clmHandle, trackFlags, &a);

	b->notification = notes;
	return e;
}

SaAisErrorT saClmClusterTrack_4(SaClmHandleT clmHandle, SaUint8T trackFlags,
                                SaClmClusterNotificationBufferT_4 *notificationBuffer)
{
	SaClmClusterNotificationBufferT_4 none = { 0, 0, NULL };
	SaClmClusterNotificationBufferT_4 *b = notificationBuffer ? notificationBuffer : &none;
	void *notes = b->notification;
	struct clm_track_args a = { b != &none, &notes, &b->numberOfItems, &b->viewNumber, 4 };
	SaAisErrorT e = clm_track(clmHandle, trackFlags, &a);

	b->notification = notes;
	return e;
}

static SaAisErrorT clm_request_plain(struct clm_inst *inst, void *req, size_t req_len, int32_t id)
{
	struct ais_clm_res_plain res;
	struct iovec iov = { .iov_base = req, .iov_len = req_len };
	size_t len = 0;
	int r;

	r = ais_client_request(inst->client, &iov, 1, id, &res, sizeof(res), &len);
	if (r < 0)
		return ais_error_from_errno(r);
	return (SaAisErrorT)res.header.error;
}

SaAisErrorT saClmClusterTrackStop(SaClmHandleT clmHandle)
{
	struct ais_clm_req_plain req;
	struct clm_inst *inst;
	SaAisErrorT e = clm_inst_get(clmHandle, &inst);

	if (e != SA_AIS_OK)
		return e;
	memset(&req, 0, sizeof(req));
	req.header.id = AIS_CLM_REQ_TRACK_STOP;
	req.header.size = sizeof(req);
	e = clm_request_plain(inst, &req, sizeof(req), AIS_CLM_REQ_TRACK_STOP);
	clm_inst_put(clmHandle);
	return e;
}

/* ---- node get ------------------------------------------------------------------------ */

static SaAisErrorT clm_node_get(SaClmHandleT handle, SaClmNodeIdT nodeId, SaTimeT timeout,
                                struct ais_clm_node *ret)
{
	struct ais_clm_req_node_get req;
	struct ais_clm_res_node_get res;
	struct iovec iov = { .iov_base = &req, .iov_len = sizeof(req) };
	struct clm_inst *inst;
	size_t len = 0;
	SaAisErrorT e;
	int r;

	if (timeout <= 0)
		return SA_AIS_ERR_TIMEOUT;
	e = clm_inst_get(handle, &inst);
	if (e != SA_AIS_OK)
		return e;
	memset(&req, 0, sizeof(req));
	req.header.id = AIS_CLM_REQ_NODE_GET;
	req.header.size = sizeof(req);
	req.nodeid = nodeId;
	r = ais_client_request(inst->client, &iov, 1, AIS_CLM_REQ_NODE_GET, &res, sizeof(res), &len);
	clm_inst_put(handle);
	if (r < 0)
		return ais_error_from_errno(r);
	if (res.header.error != SA_AIS_OK)
		return (SaAisErrorT)res.header.error;
	if (len != sizeof(res) || clm_node_check(&res.node) < 0)
		return SA_AIS_ERR_LIBRARY;
	*ret = res.node;
	return SA_AIS_OK;
}

SaAisErrorT saClmClusterNodeGet(SaClmHandleT clmHandle, SaClmNodeIdT nodeId, SaTimeT timeout,
                                SaClmClusterNodeT *clusterNode)
{
	struct ais_clm_node n;
	SaAisErrorT e;

	if (!clusterNode)
		return SA_AIS_ERR_INVALID_PARAM;
	e = clm_node_get(clmHandle, nodeId, timeout, &n);
	if (e == SA_AIS_OK)
		clm_node_from_ipc(clusterNode, &n);
	return e;
}

SaAisErrorT saClmClusterNodeGet_4(SaClmHandleT clmHandle, SaClmNodeIdT nodeId, SaTimeT timeout,
                                  SaClmClusterNodeT_4 *clusterNode)
{
	struct ais_clm_node n;
	SaAisErrorT e;

	if (!clusterNode)
		return SA_AIS_ERR_INVALID_PARAM;
	e = clm_node_get(clmHandle, nodeId, timeout, &n);
	if (e == SA_AIS_OK)
		clm_node_from_ipc_4(clusterNode, &n);
	return e;
}

SaAisErrorT saClmClusterNodeGetAsync(SaClmHandleT clmHandle, SaInvocationT invocation, SaClmNodeIdT nodeId)
{
	struct ais_clm_req_node_get_async req;
	struct clm_inst *inst;
	SaAisErrorT e = clm_inst_get(clmHandle, &inst);
	bool has_cb;

	if (e != SA_AIS_OK)
		return e;
	has_cb = inst->major == 4 ? inst->cb4.saClmClusterNodeGetCallback != NULL
	                          : inst->cb1.saClmClusterNodeGetCallback != NULL;
	if (!has_cb) {
		clm_inst_put(clmHandle);
		return SA_AIS_ERR_INIT;
	}
	memset(&req, 0, sizeof(req));
	req.header.id = AIS_CLM_REQ_NODE_GET_ASYNC;
	req.header.size = sizeof(req);
	req.invocation = invocation;
	req.nodeid = nodeId;
	e = clm_request_plain(inst, &req, sizeof(req), AIS_CLM_REQ_NODE_GET_ASYNC);
	clm_inst_put(clmHandle);
	return e;
}

SaAisErrorT saClmResponse_4(SaClmHandleT clmHandle, SaInvocationT invocation, SaClmResponseT response)
{
	struct clm_inst *inst;
	SaAisErrorT e;

	(void)invocation;
	if (response != SA_CLM_CALLBACK_RESPONSE_OK && response != SA_CLM_CALLBACK_RESPONSE_REJECTED &&
	    response != SA_CLM_CALLBACK_RESPONSE_ERROR)
		return SA_AIS_ERR_INVALID_PARAM;
	e = clm_inst_get(clmHandle, &inst);
	if (e != SA_AIS_OK)
		return e;
	clm_inst_put(clmHandle);
	/* no VALIDATE or START step is ever issued (see the file comment) */
	return SA_AIS_ERR_INVALID_PARAM;
}

/* aisexec extension (ais/client.h): why the last initialize of this thread
 * could not connect. */
const char *saClmInitializeErrorText(void)
{
	return ais_client_connect_reason();
}
