/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libSaEvt: the SA Forum Event Service client API (include/saEvt.h,
 * releases B.01.01 and B.03.01) on top of the private client core
 * (ais_client.h). The messages to the evt engine are in
 * include/ais/ipc_evt.h.
 *
 * Handles: three handle databases with their own tags (evt, channel, event),
 * so a handle of the wrong kind is SA_AIS_ERR_BAD_HANDLE. Each
 * saEvtInitialize opens its own IPC connection. A channel handle belongs to
 * one evt handle and an event handle (allocated or delivered) to one channel
 * handle; closing a channel destroys its events, finalize destroys its
 * channels and their events. Every call brackets its work with get/put, so a
 * stale handle is BAD_HANDLE and finalize from any thread or from inside a
 * callback is safe (the connection is closed at the last put).
 *
 * Locking: evt_lock (one for the library) guards the lists that tie the
 * handles together, the subscription ids of each channel, the attributes of
 * events and the credit counters. It is never held across IPC or a
 * callback, and the handle destructors never take it. An instance's
 * open_lock serialises an asynchronous open's request and registration
 * with the dispatch of its EV_OPEN_DONE.
 *
 * Delivery flow (ipc_evt.h): every EV_DELIVER dispatched or dropped counts;
 * after each AIS_EVT_CREDIT_BATCH the count goes back to the engine in a
 * CREDIT request. A credit the request channel refused (-EAGAIN) stays
 * counted and is sent again after the next event, at the start of every
 * dispatch and, before a dispatch returns, until it is accepted.
 *
 * Errors: -errno from the core goes through ais_error_from_errno(); the
 * engine answers SaAisErrorT. Nothing here logs.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <qb/qblist.h>

#include <saEvt.h>
#include <ais/client.h>
#include <ais/ipc_evt.h>
#include <ais/service.h>

#include "ais_client.h"
#include "evt_int.h"

_Static_assert(SA_EVT_DATA_MAX_LEN == AIS_EVT_DATA_MAX, "event data limit");
_Static_assert(SA_MAX_NAME_LENGTH == sizeof(((struct ais_evt_name *)0)->value), "name size");

#define EVT_OPEN_FLAGS_ALL (SA_EVT_CHANNEL_PUBLISHER | SA_EVT_CHANNEL_SUBSCRIBER | SA_EVT_CHANNEL_CREATE)
#define EVT_CREDIT_RETRY_NS 1000000L
/* Longest a publish waits out the engine's TRY_AGAIN before returning it. */
#define EVT_PUBLISH_WAIT_US 2000000L

struct evt_inst {
	struct ais_client *client;
	SaEvtCallbacksT callbacks;   /* fixed after initialize */
	pthread_mutex_t open_lock;   /* async open vs its EV_OPEN_DONE */
	struct qb_list_head chans;   /* struct evt_chan, under evt_lock */
	uint32_t uncredited;         /* deliveries not yet credited, under evt_lock */
};

struct evt_chan {
	struct qb_list_head list;    /* in evt_inst.chans */
	SaEvtChannelHandleT handle;
	SaEvtHandleT evt_handle;
	uint32_t open_id;
	uint8_t flags;
	bool pending;                /* async open not yet done: not usable */
	SaInvocationT invocation;
	struct qb_list_head events;  /* struct evt_event */
	uint32_t *subs;              /* subscription ids */
	size_t n_subs, cap_subs;
};

/* A pattern array handed out by saEvtEventAttributesGet. */
struct evt_alloc {
	struct qb_list_head list;
	SaEvtEventPatternT *patterns;
	size_t n;
};

struct evt_event {
	struct qb_list_head list;    /* in evt_chan.events */
	SaEvtEventHandleT handle;
	SaEvtChannelHandleT chan_handle;
	bool delivered;              /* read-only attributes, data present */
	SaEvtEventPriorityT priority;
	SaTimeT retention;
	SaTimeT publish_time;
	SaEvtEventIdT event_id;
	SaNameT publisher;
	size_t n_patterns;
	SaEvtEventPatternT *patterns; /* n_patterns entries, bytes in pattern_bytes */
	uint8_t *pattern_bytes;
	uint8_t *data;
	size_t data_len;
	struct qb_list_head allocs;  /* struct evt_alloc */
};

static pthread_mutex_t evt_lock = PTHREAD_MUTEX_INITIALIZER;

AIS_HDB_DECLARE(evt_handle_db, AIS_HDB_TAG(AIS_SERVICE_EVT, 1));
AIS_HDB_DECLARE(evt_chan_db, AIS_HDB_TAG(AIS_SERVICE_EVT, 2));
AIS_HDB_DECLARE(evt_event_db, AIS_HDB_TAG(AIS_SERVICE_EVT, 3));

/* ---- pure helpers (unit-tested) --------------------------------------------------- */

SaAisErrorT evt_version_negotiate(SaVersionT *version)
{
	if (!version)
		return SA_AIS_ERR_INVALID_PARAM;
	if (version->releaseCode == EVT_RELEASE_CODE &&
	    (version->majorVersion == 1 || version->majorVersion == 3)) {
		version->minorVersion = EVT_MINOR;
		return SA_AIS_OK;
	}
	version->releaseCode = EVT_RELEASE_CODE;
	version->majorVersion = 3;
	version->minorVersion = EVT_MINOR;
	return SA_AIS_ERR_VERSION;
}

void evt_patterns_release(SaEvtEventPatternT *patterns, size_t n)
{
	if (!patterns)
		return;
	for (size_t i = 0; i < n; i++)
		free(patterns[i].pattern);
	free(patterns);
}

SaAisErrorT evt_patterns_export(const SaEvtEventPatternT *src, size_t n,
                                SaEvtEventPatternArrayT *dst, bool *ret_allocated)
{
	SaAisErrorT e = SA_AIS_OK;
	size_t fit;

	*ret_allocated = false;
	if (!dst->patterns) {
		SaEvtEventPatternT *a = malloc(n ? n * sizeof(*a) : sizeof(*a));

		if (!a)
			return SA_AIS_ERR_NO_MEMORY;
		for (size_t i = 0; i < n; i++) {
			a[i].allocatedSize = src[i].patternSize;
			a[i].patternSize = src[i].patternSize;
			a[i].pattern = malloc(src[i].patternSize ? src[i].patternSize : 1);
			if (!a[i].pattern) {
				evt_patterns_release(a, i);
				return SA_AIS_ERR_NO_MEMORY;
			}
			if (src[i].patternSize)
				memcpy(a[i].pattern, src[i].pattern, src[i].patternSize);
		}
		dst->patterns = a;
		dst->allocatedNumber = n;
		dst->patternsNumber = n;
		*ret_allocated = true;
		return SA_AIS_OK;
	}
	fit = n;
	if (dst->allocatedNumber < n) {
		fit = dst->allocatedNumber;
		e = SA_AIS_ERR_NO_SPACE;
	}
	for (size_t i = 0; i < fit; i++) {
		SaEvtEventPatternT *d = &dst->patterns[i];
		SaSizeT room = d->pattern ? d->allocatedSize : 0;
		SaSizeT copy = src[i].patternSize < room ? src[i].patternSize : room;

		if (copy)
			memcpy(d->pattern, src[i].pattern, copy);
		if (copy < src[i].patternSize)
			e = SA_AIS_ERR_NO_SPACE;
		d->patternSize = src[i].patternSize;
	}
	dst->patternsNumber = n;
	return e;
}

/* ---- handles ------------------------------------------------------------------- */

static void evt_inst_destroy(void *instance)
{
	struct evt_inst *inst = instance;

	ais_client_disconnect(inst->client);
	inst->client = NULL;
	pthread_mutex_destroy(&inst->open_lock);
}

static void evt_chan_destroy(void *instance)
{
	struct evt_chan *chan = instance;

	free(chan->subs);
	chan->subs = NULL;
}

static void evt_event_destroy(void *instance)
{
	struct evt_event *ev = instance;
	struct qb_list_head *pos, *next;

	/* The arrays handed out now belong to the application (B.01 callers
	 * free them with free()): only our records of them go. */
	qb_list_for_each_safe(pos, next, &ev->allocs) {
		struct evt_alloc *a = qb_list_entry(pos, struct evt_alloc, list);

		qb_list_del(&a->list);
		free(a);
	}
	free(ev->patterns);
	free(ev->pattern_bytes);
	free(ev->data);
}

static SaAisErrorT evt_inst_get(SaEvtHandleT h, struct evt_inst **ret)
{
	void *p;

	if (ais_hdb_get(&evt_handle_db, h, &p) < 0)
		return SA_AIS_ERR_BAD_HANDLE;
	*ret = p;
	return SA_AIS_OK;
}

static void evt_inst_put(SaEvtHandleT h)
{
	ais_hdb_put(&evt_handle_db, h);
}

/* A usable channel handle (not a pending async open) and its instance;
 * both referenced until evt_chan_put. */
static SaAisErrorT evt_chan_get(SaEvtChannelHandleT h, struct evt_chan **ret_chan,
                                struct evt_inst **ret_inst)
{
	struct evt_chan *chan;
	bool pending;
	void *p;

	if (ais_hdb_get(&evt_chan_db, h, &p) < 0)
		return SA_AIS_ERR_BAD_HANDLE;
	chan = p;
	pthread_mutex_lock(&evt_lock);
	pending = chan->pending;
	pthread_mutex_unlock(&evt_lock);
	if (pending || evt_inst_get(chan->evt_handle, ret_inst) != SA_AIS_OK) {
		ais_hdb_put(&evt_chan_db, h);
		return SA_AIS_ERR_BAD_HANDLE;
	}
	*ret_chan = chan;
	return SA_AIS_OK;
}

static void evt_chan_put(struct evt_chan *chan)
{
	SaEvtHandleT eh = chan->evt_handle;

	ais_hdb_put(&evt_chan_db, chan->handle);
	evt_inst_put(eh);
}

static SaAisErrorT evt_event_get(SaEvtEventHandleT h, struct evt_event **ret)
{
	void *p;

	if (ais_hdb_get(&evt_event_db, h, &p) < 0)
		return SA_AIS_ERR_BAD_HANDLE;
	*ret = p;
	return SA_AIS_OK;
}

static void evt_event_put(SaEvtEventHandleT h)
{
	ais_hdb_put(&evt_event_db, h);
}

/* Unlink and destroy an event handle. Call with evt_lock held. */
static void evt_event_kill_locked(struct evt_event *ev)
{
	qb_list_del(&ev->list);
	qb_list_init(&ev->list);
	ais_hdb_destroy(&evt_event_db, ev->handle);
}

/* Destroy every event of chan, unlink chan and destroy its handle. Call
 * with evt_lock held. */
static void evt_chan_kill_locked(struct evt_chan *chan)
{
	struct qb_list_head *pos, *next;

	qb_list_for_each_safe(pos, next, &chan->events)
		evt_event_kill_locked(qb_list_entry(pos, struct evt_event, list));
	qb_list_del(&chan->list);
	qb_list_init(&chan->list);
	ais_hdb_destroy(&evt_chan_db, chan->handle);
}

/* Channel of inst with this open id, or NULL. Call with evt_lock held. */
static struct evt_chan *evt_chan_find_locked(struct evt_inst *inst, uint32_t open_id)
{
	struct qb_list_head *pos;

	qb_list_for_each(pos, &inst->chans) {
		struct evt_chan *c = qb_list_entry(pos, struct evt_chan, list);

		if (c->open_id == open_id)
			return c;
	}
	return NULL;
}

static ssize_t evt_sub_index_locked(const struct evt_chan *chan, uint32_t sub_id)
{
	for (size_t i = 0; i < chan->n_subs; i++)
		if (chan->subs[i] == sub_id)
			return (ssize_t)i;
	return -1;
}

static void evt_name_to_wire(struct ais_evt_name *dst, const SaNameT *src)
{
	memset(dst, 0, sizeof(*dst));
	if (src) {
		dst->length = src->length;
		memcpy(dst->value, src->value, src->length);
	}
}

/* NULL -> INVALID_PARAM, too long -> NAME_TOO_LONG, empty -> INVALID_PARAM. */
static SaAisErrorT evt_channel_name_check(const SaNameT *name)
{
	int r = ais_name_check(name);

	if (r < 0)
		return ais_error_from_errno(r);
	return name->length == 0 ? SA_AIS_ERR_INVALID_PARAM : SA_AIS_OK;
}

/* ---- requests ------------------------------------------------------------------- */

/* Synchronous request; on SA_AIS_OK the response (at least min_len bytes) is in res. */
static SaAisErrorT evt_request(struct evt_inst *inst, const struct iovec *iov, size_t iovcnt,
                               int32_t id, void *res, size_t res_size, size_t min_len)
{
	const struct qb_ipc_response_header *h = res;
	size_t len = 0;
	int r;

	r = ais_client_request(inst->client, iov, iovcnt, id, res, res_size, &len);
	if (r < 0)
		return ais_error_from_errno(r);
	if (len < sizeof(*h))
		return SA_AIS_ERR_LIBRARY;
	if (h->error != SA_AIS_OK)
		return h->error >= SA_AIS_OK && h->error <= SA_AIS_ERR_SECURITY ? (SaAisErrorT)h->error
		                                                                : SA_AIS_ERR_LIBRARY;
	if (len < min_len || h->id != id)
		return SA_AIS_ERR_LIBRARY;
	return SA_AIS_OK;
}

static SaAisErrorT evt_request_plain(struct evt_inst *inst, void *req, size_t req_len, int32_t id)
{
	struct qb_ipc_response_header res;
	struct iovec iov = { .iov_base = req, .iov_len = req_len };
	struct qb_ipc_request_header *h = req;

	h->id = id;
	h->size = (int32_t)req_len;
	return evt_request(inst, &iov, 1, id, &res, sizeof(res), sizeof(res));
}

/*
 * Send the counted credit when at least min events are uncredited. A send
 * the request channel refused stays counted; any other failure (finalized,
 * daemon gone) discards it, since the engine no longer counts either.
 * Returns the core's result (0 when nothing was due).
 */
static int evt_credit_flush(struct evt_inst *inst, uint32_t min)
{
	struct ais_evt_req_credit req;
	struct iovec iov = { .iov_base = &req, .iov_len = sizeof(req) };
	uint32_t count;
	int r;

	pthread_mutex_lock(&evt_lock);
	count = inst->uncredited;
	if (count < min || count == 0) {
		pthread_mutex_unlock(&evt_lock);
		return 0;
	}
	inst->uncredited = 0;
	pthread_mutex_unlock(&evt_lock);

	memset(&req, 0, sizeof(req));
	req.header.id = AIS_EVT_REQ_CREDIT;
	req.header.size = sizeof(req);
	req.count = count;
	r = ais_client_send(inst->client, &iov, 1);
	if (r == -EAGAIN) {
		pthread_mutex_lock(&evt_lock);
		inst->uncredited += count;
		pthread_mutex_unlock(&evt_lock);
	}
	return r;
}

/* Before dispatch returns: a due credit must reach the engine, or its
 * window could stay closed with nothing left to dispatch. */
static void evt_credit_settle(struct evt_inst *inst)
{
	const struct timespec pause = { .tv_sec = 0, .tv_nsec = EVT_CREDIT_RETRY_NS };

	while (evt_credit_flush(inst, AIS_EVT_CREDIT_BATCH) == -EAGAIN)
		nanosleep(&pause, NULL);
}

/* ---- library life ------------------------------------------------------------------ */

SaAisErrorT saEvtInitialize(SaEvtHandleT *evtHandle, const SaEvtCallbacksT *callbacks,
                            SaVersionT *version)
{
	SaVersionT v;
	struct evt_inst *inst;
	SaEvtHandleT h;
	SaAisErrorT e;
	void *p;
	int r;

	if (!evtHandle || !version)
		return SA_AIS_ERR_INVALID_PARAM;
	v = *version;
	e = evt_version_negotiate(&v);
	if (e != SA_AIS_OK) {
		*version = v;
		return e;
	}
	r = ais_hdb_create(&evt_handle_db, sizeof(*inst), evt_inst_destroy, &h, &p);
	if (r < 0)
		return ais_error_from_errno(r);
	inst = p;
	pthread_mutex_init(&inst->open_lock, NULL);
	qb_list_init(&inst->chans);
	if (callbacks)
		inst->callbacks = *callbacks;
	r = ais_client_connect("evt", &inst->client);
	if (r < 0) {
		ais_hdb_destroy(&evt_handle_db, h);
		/* no daemon (yet): the caller may retry */
		return r == -ENOTCONN || r == -ESHUTDOWN ? SA_AIS_ERR_TRY_AGAIN : ais_error_from_errno(r);
	}
	*version = v;
	*evtHandle = h;
	return SA_AIS_OK;
}

SaAisErrorT saEvtSelectionObjectGet(SaEvtHandleT evtHandle, SaSelectionObjectT *selectionObject)
{
	struct evt_inst *inst;
	SaAisErrorT e;
	int r, fd = -1;

	if (!selectionObject)
		return SA_AIS_ERR_INVALID_PARAM;
	e = evt_inst_get(evtHandle, &inst);
	if (e != SA_AIS_OK)
		return e;
	r = ais_client_fd(inst->client, &fd);
	evt_inst_put(evtHandle);
	if (r < 0)
		return ais_error_from_errno(r);
	*selectionObject = (SaSelectionObjectT)fd;
	return SA_AIS_OK;
}

SaAisErrorT saEvtFinalize(SaEvtHandleT evtHandle)
{
	struct qb_list_head *pos, *next;
	struct evt_inst *inst;
	SaAisErrorT e = evt_inst_get(evtHandle, &inst);

	if (e != SA_AIS_OK)
		return e;
	ais_client_shutdown(inst->client);
	pthread_mutex_lock(&evt_lock);
	qb_list_for_each_safe(pos, next, &inst->chans)
		evt_chan_kill_locked(qb_list_entry(pos, struct evt_chan, list));
	pthread_mutex_unlock(&evt_lock);
	e = ais_hdb_destroy(&evt_handle_db, evtHandle) < 0 ? SA_AIS_ERR_BAD_HANDLE : SA_AIS_OK;
	evt_inst_put(evtHandle);
	return e;
}

SaAisErrorT saEvtLimitGet(SaEvtHandleT evtHandle, SaEvtLimitIdT limitId, SaLimitValueT *limitValue)
{
	struct evt_inst *inst;
	SaLimitValueT v;
	SaAisErrorT e;

	if (!limitValue)
		return SA_AIS_ERR_INVALID_PARAM;
	memset(&v, 0, sizeof(v));
	switch (limitId) {
	case SA_EVT_MAX_NUM_CHANNELS_ID:
		v.uint64Value = AIS_EVT_CHANNELS_MAX;
		break;
	case SA_EVT_MAX_EVT_SIZE_ID:
		v.uint64Value = AIS_EVT_DATA_MAX;
		break;
	case SA_EVT_MAX_PATTERN_SIZE_ID:
		v.uint64Value = AIS_EVT_PATTERN_MAX;
		break;
	case SA_EVT_MAX_NUM_PATTERNS_ID:
		v.uint64Value = AIS_EVT_PATTERNS_MAX;
		break;
	case SA_EVT_MAX_RETENTION_DURATION_ID:
		v.timeValue = AIS_EVT_RETENTION_MAX;
		break;
	default:
		return SA_AIS_ERR_INVALID_PARAM;
	}
	e = evt_inst_get(evtHandle, &inst);
	if (e != SA_AIS_OK)
		return e;
	evt_inst_put(evtHandle);
	*limitValue = v;
	return SA_AIS_OK;
}

/* ---- dispatch ------------------------------------------------------------------------ */

struct evt_dispatch_ctx {
	SaEvtHandleT handle;
	struct evt_inst *inst;
};

static void evt_open_done(const struct evt_dispatch_ctx *d, const uint8_t *msg, size_t len)
{
	struct ais_evt_ev_open_done ev;
	SaEvtChannelOpenCallbackT cb = d->inst->callbacks.saEvtChannelOpenCallback;
	SaEvtChannelHandleT ch = 0;
	struct evt_chan *chan;
	SaAisErrorT err;

	if (len != sizeof(ev))
		return;
	memcpy(&ev, msg, sizeof(ev));
	err = ev.header.error >= SA_AIS_OK && ev.header.error <= SA_AIS_ERR_SECURITY
	              ? (SaAisErrorT)ev.header.error
	              : SA_AIS_ERR_LIBRARY;
	pthread_mutex_lock(&d->inst->open_lock);
	pthread_mutex_lock(&evt_lock);
	chan = evt_chan_find_locked(d->inst, ev.open_id);
	if (!chan || !chan->pending || chan->invocation != ev.invocation) {
		chan = NULL;
	} else if (err == SA_AIS_OK) {
		chan->pending = false;
		ch = chan->handle;
	} else {
		evt_chan_kill_locked(chan);
	}
	pthread_mutex_unlock(&evt_lock);
	pthread_mutex_unlock(&d->inst->open_lock);
	if (chan && cb)
		cb(ev.invocation, ch, err);
}

/*
 * Check an EV_DELIVER against its length and build the event instance.
 * -EPROTO when malformed, -ENOMEM.
 */
static int evt_deliver_parse(const uint8_t *msg, size_t len, struct ais_evt_ev_deliver *ret_ev,
                             struct evt_event *ev)
{
	struct ais_evt_ev_deliver hdr;
	size_t off = sizeof(hdr), total = 0, rest;
	uint8_t *bytes;

	if (len < sizeof(hdr))
		return -EPROTO;
	memcpy(&hdr, msg, sizeof(hdr));
	if (hdr.n_patterns > AIS_EVT_PATTERNS_MAX || hdr.data_len > AIS_EVT_DATA_MAX ||
	    hdr.publisher.length > SA_MAX_NAME_LENGTH || hdr.priority > SA_EVT_LOWEST_PRIORITY)
		return -EPROTO;
	for (uint32_t i = 0; i < hdr.n_patterns; i++) {
		struct ais_evt_blob b;

		if (len - off < sizeof(b))
			return -EPROTO;
		memcpy(&b, msg + off, sizeof(b));
		if (b.len > AIS_EVT_PATTERN_MAX || len - off - sizeof(b) < AIS_EVT_PAD(b.len))
			return -EPROTO;
		off += sizeof(b) + AIS_EVT_PAD(b.len);
		total += b.len;
	}
	/* the data comes last; a sender may pad it like the other items */
	rest = len - off;
	if (rest != hdr.data_len && rest != AIS_EVT_PAD(hdr.data_len))
		return -EPROTO;

	ev->patterns = calloc(hdr.n_patterns ? hdr.n_patterns : 1, sizeof(*ev->patterns));
	ev->pattern_bytes = malloc(total ? total : 1);
	ev->data = malloc(hdr.data_len ? hdr.data_len : 1);
	if (!ev->patterns || !ev->pattern_bytes || !ev->data)
		return -ENOMEM;
	off = sizeof(hdr);
	bytes = ev->pattern_bytes;
	for (uint32_t i = 0; i < hdr.n_patterns; i++) {
		struct ais_evt_blob b;

		memcpy(&b, msg + off, sizeof(b));
		memcpy(bytes, msg + off + sizeof(b), b.len);
		ev->patterns[i].allocatedSize = b.len;
		ev->patterns[i].patternSize = b.len;
		ev->patterns[i].pattern = bytes;
		bytes += b.len;
		off += sizeof(b) + AIS_EVT_PAD(b.len);
	}
	ev->n_patterns = hdr.n_patterns;
	memcpy(ev->data, msg + off, hdr.data_len);
	ev->data_len = hdr.data_len;
	ev->delivered = true;
	ev->priority = (SaEvtEventPriorityT)hdr.priority;
	ev->retention = hdr.retention_ns;
	ev->publish_time = hdr.publish_time;
	ev->event_id = hdr.event_id;
	memset(&ev->publisher, 0, sizeof(ev->publisher));
	ev->publisher.length = hdr.publisher.length;
	memcpy(ev->publisher.value, hdr.publisher.value, hdr.publisher.length);
	*ret_ev = hdr;
	return 0;
}

/*
 * The subscription an EV_DELIVER is for, or NULL (dropped): its channel
 * must still be open and the subscription still there. The lost-event
 * notice goes to the subscription it names or, when that one is gone, to
 * any live subscription of the same channel, else of the instance.
 */
static struct evt_chan *evt_deliver_target_locked(struct evt_inst *inst,
                                                  const struct ais_evt_ev_deliver *hdr,
                                                  uint32_t *ret_sub)
{
	struct evt_chan *chan = evt_chan_find_locked(inst, hdr->open_id);
	struct qb_list_head *pos;

	if (chan && !chan->pending && evt_sub_index_locked(chan, hdr->sub_id) >= 0) {
		*ret_sub = hdr->sub_id;
		return chan;
	}
	if (hdr->event_id != SA_EVT_EVENTID_LOST)
		return NULL;
	if (chan && !chan->pending && chan->n_subs) {
		*ret_sub = chan->subs[0];
		return chan;
	}
	qb_list_for_each(pos, &inst->chans) {
		struct evt_chan *c = qb_list_entry(pos, struct evt_chan, list);

		if (!c->pending && c->n_subs) {
			*ret_sub = c->subs[0];
			return c;
		}
	}
	return NULL;
}

static int evt_deliver(const struct evt_dispatch_ctx *d, const uint8_t *msg, size_t len)
{
	SaEvtEventDeliverCallbackT cb = d->inst->callbacks.saEvtEventDeliverCallback;
	struct ais_evt_ev_deliver hdr;
	struct evt_event *ev;
	struct evt_chan *chan;
	SaEvtEventHandleT eh;
	SaSizeT data_len = 0;
	uint32_t sub = 0;
	void *p;
	int r;

	r = ais_hdb_create(&evt_event_db, sizeof(*ev), evt_event_destroy, &eh, &p);
	if (r < 0)
		goto out_count;
	ev = p;
	qb_list_init(&ev->list);
	qb_list_init(&ev->allocs);
	ev->handle = eh;
	r = evt_deliver_parse(msg, len, &hdr, ev);
	if (r < 0) {
		ais_hdb_destroy(&evt_event_db, eh);
		goto out_count;
	}
	pthread_mutex_lock(&evt_lock);
	chan = cb ? evt_deliver_target_locked(d->inst, &hdr, &sub) : NULL;
	if (chan) {
		ev->chan_handle = chan->handle;
		qb_list_add_tail(&ev->list, &chan->events);
		data_len = ev->data_len;
	} else {
		ais_hdb_destroy(&evt_event_db, eh);
	}
	d->inst->uncredited++;
	pthread_mutex_unlock(&evt_lock);
	evt_credit_flush(d->inst, AIS_EVT_CREDIT_BATCH);
	if (chan)
		cb(sub, eh, data_len);
	return 0;

out_count:
	/* malformed or no memory: dropped, but the engine counted it */
	pthread_mutex_lock(&evt_lock);
	d->inst->uncredited++;
	pthread_mutex_unlock(&evt_lock);
	evt_credit_flush(d->inst, AIS_EVT_CREDIT_BATCH);
	return 0;
}

static int evt_dispatch_one(void *ctx, const void *msg, size_t len)
{
	const struct evt_dispatch_ctx *d = ctx;
	const struct qb_ipc_response_header *h = msg;

	switch (h->id) {
	case AIS_EVT_EV_DELIVER:
		return evt_deliver(d, msg, len);
	case AIS_EVT_EV_OPEN_DONE:
		evt_open_done(d, msg, len);
		return 0;
	default:
		return 0; /* an event this library does not know: skipped */
	}
}

SaAisErrorT saEvtDispatch(SaEvtHandleT evtHandle, SaDispatchFlagsT dispatchFlags)
{
	struct evt_dispatch_ctx d;
	struct evt_inst *inst;
	SaAisErrorT e;
	int r;

	if (dispatchFlags != SA_DISPATCH_ONE && dispatchFlags != SA_DISPATCH_ALL &&
	    dispatchFlags != SA_DISPATCH_BLOCKING)
		return SA_AIS_ERR_INVALID_PARAM;
	e = evt_inst_get(evtHandle, &inst);
	if (e != SA_AIS_OK)
		return e;
	d.handle = evtHandle;
	d.inst = inst;
	evt_credit_flush(inst, AIS_EVT_CREDIT_BATCH);
	r = ais_client_dispatch(inst->client, (int)dispatchFlags, evt_dispatch_one, &d);
	if (!ais_client_is_shutdown(inst->client))
		evt_credit_settle(inst);
	evt_inst_put(evtHandle);
	/* -EBADF: finalized by another thread before the dispatch began */
	return r == -EBADF ? SA_AIS_ERR_BAD_HANDLE : ais_error_from_errno(r);
}

/* ---- channels -------------------------------------------------------------------------- */

/* New channel handle of inst for open_id; linked into inst->chans. */
static SaAisErrorT evt_chan_new(SaEvtHandleT evt_handle, struct evt_inst *inst, uint32_t open_id,
                                uint8_t flags, bool pending, SaInvocationT invocation,
                                SaEvtChannelHandleT *ret_handle)
{
	struct evt_chan *chan;
	SaEvtChannelHandleT ch;
	void *p;
	int r;

	r = ais_hdb_create(&evt_chan_db, sizeof(*chan), evt_chan_destroy, &ch, &p);
	if (r < 0)
		return ais_error_from_errno(r);
	chan = p;
	qb_list_init(&chan->events);
	chan->handle = ch;
	chan->evt_handle = evt_handle;
	chan->open_id = open_id;
	chan->flags = flags;
	chan->pending = pending;
	chan->invocation = invocation;
	pthread_mutex_lock(&evt_lock);
	if (ais_client_is_shutdown(inst->client)) {
		/* finalized by another thread while the open was on its way:
		 * its channels are gone already */
		pthread_mutex_unlock(&evt_lock);
		ais_hdb_destroy(&evt_chan_db, ch);
		return SA_AIS_ERR_BAD_HANDLE;
	}
	qb_list_add_tail(&chan->list, &inst->chans);
	pthread_mutex_unlock(&evt_lock);
	*ret_handle = ch;
	return SA_AIS_OK;
}

/* Undo an open the engine agreed to but we could not record. */
static void evt_open_undo(struct evt_inst *inst, uint32_t open_id)
{
	struct ais_evt_req_close req;

	memset(&req, 0, sizeof(req));
	req.open_id = open_id;
	evt_request_plain(inst, &req, sizeof(req), AIS_EVT_REQ_CHANNEL_CLOSE);
}

static SaAisErrorT evt_open_request(struct evt_inst *inst, const SaNameT *name, uint8_t flags,
                                    bool async, SaTimeT timeout, SaInvocationT invocation,
                                    uint32_t *ret_open_id)
{
	struct ais_evt_req_open req;
	struct ais_evt_res_open res;
	struct iovec iov = { .iov_base = &req, .iov_len = sizeof(req) };
	SaAisErrorT e;

	memset(&req, 0, sizeof(req));
	req.header.id = AIS_EVT_REQ_CHANNEL_OPEN;
	req.header.size = sizeof(req);
	evt_name_to_wire(&req.name, name);
	req.flags = flags;
	req.async = async ? 1 : 0;
	req.timeout_ns = timeout;
	req.invocation = invocation;
	e = evt_request(inst, &iov, 1, AIS_EVT_REQ_CHANNEL_OPEN, &res, sizeof(res), sizeof(res));
	if (e == SA_AIS_OK)
		*ret_open_id = res.open_id;
	return e;
}

SaAisErrorT saEvtChannelOpen(SaEvtHandleT evtHandle, const SaNameT *channelName,
                             SaEvtChannelOpenFlagsT channelOpenFlags, SaTimeT timeout,
                             SaEvtChannelHandleT *channelHandle)
{
	struct evt_inst *inst;
	SaEvtChannelHandleT ch;
	uint32_t open_id = 0;
	SaAisErrorT e;

	if (!channelHandle)
		return SA_AIS_ERR_INVALID_PARAM;
	e = evt_channel_name_check(channelName);
	if (e != SA_AIS_OK)
		return e;
	if (channelOpenFlags & ~EVT_OPEN_FLAGS_ALL)
		return SA_AIS_ERR_BAD_FLAGS;
	e = evt_inst_get(evtHandle, &inst);
	if (e != SA_AIS_OK)
		return e;
	e = evt_open_request(inst, channelName, channelOpenFlags, false, timeout, 0, &open_id);
	if (e == SA_AIS_OK) {
		e = evt_chan_new(evtHandle, inst, open_id, channelOpenFlags, false, 0, &ch);
		if (e == SA_AIS_OK)
			*channelHandle = ch;
		else
			evt_open_undo(inst, open_id);
	}
	evt_inst_put(evtHandle);
	return e;
}

SaAisErrorT saEvtChannelOpenAsync(SaEvtHandleT evtHandle, SaInvocationT invocation,
                                  const SaNameT *channelName,
                                  SaEvtChannelOpenFlagsT channelOpenFlags)
{
	struct evt_inst *inst;
	SaEvtChannelHandleT ch;
	uint32_t open_id = 0;
	SaAisErrorT e;

	e = evt_channel_name_check(channelName);
	if (e != SA_AIS_OK)
		return e;
	if (channelOpenFlags & ~EVT_OPEN_FLAGS_ALL)
		return SA_AIS_ERR_BAD_FLAGS;
	e = evt_inst_get(evtHandle, &inst);
	if (e != SA_AIS_OK)
		return e;
	if (!inst->callbacks.saEvtChannelOpenCallback) {
		evt_inst_put(evtHandle);
		return SA_AIS_ERR_INIT;
	}
	/* held until the channel is recorded: its EV_OPEN_DONE, dispatched
	 * by another thread, waits for it */
	pthread_mutex_lock(&inst->open_lock);
	e = evt_open_request(inst, channelName, channelOpenFlags, true, 0, invocation, &open_id);
	if (e == SA_AIS_OK) {
		e = evt_chan_new(evtHandle, inst, open_id, channelOpenFlags, true, invocation, &ch);
		if (e != SA_AIS_OK)
			evt_open_undo(inst, open_id);
	}
	pthread_mutex_unlock(&inst->open_lock);
	evt_inst_put(evtHandle);
	return e;
}

SaAisErrorT saEvtChannelClose(SaEvtChannelHandleT channelHandle)
{
	struct ais_evt_req_close req;
	struct evt_chan *chan;
	struct evt_inst *inst;
	SaAisErrorT e;

	e = evt_chan_get(channelHandle, &chan, &inst);
	if (e != SA_AIS_OK)
		return e;
	memset(&req, 0, sizeof(req));
	req.open_id = chan->open_id;
	e = evt_request_plain(inst, &req, sizeof(req), AIS_EVT_REQ_CHANNEL_CLOSE);
	if (e != SA_AIS_ERR_TRY_AGAIN) {
		/* Whatever else the engine said, this handle is finished here:
		 * an open it does not know (or a lost connection) is closed on
		 * its side already. */
		pthread_mutex_lock(&evt_lock);
		if (!qb_list_empty(&chan->list))
			evt_chan_kill_locked(chan);
		pthread_mutex_unlock(&evt_lock);
		if (e == SA_AIS_ERR_BAD_HANDLE || e == SA_AIS_ERR_NOT_EXIST)
			e = SA_AIS_OK;
	}
	evt_chan_put(chan);
	return e;
}

SaAisErrorT saEvtChannelUnlink(SaEvtHandleT evtHandle, const SaNameT *channelName)
{
	struct ais_evt_req_unlink req;
	struct evt_inst *inst;
	SaAisErrorT e;

	e = evt_channel_name_check(channelName);
	if (e != SA_AIS_OK)
		return e;
	e = evt_inst_get(evtHandle, &inst);
	if (e != SA_AIS_OK)
		return e;
	memset(&req, 0, sizeof(req));
	evt_name_to_wire(&req.name, channelName);
	e = evt_request_plain(inst, &req, sizeof(req), AIS_EVT_REQ_CHANNEL_UNLINK);
	evt_inst_put(evtHandle);
	return e;
}

/* ---- events ---------------------------------------------------------------------------- */

SaAisErrorT saEvtEventAllocate(SaEvtChannelHandleT channelHandle, SaEvtEventHandleT *eventHandle)
{
	struct evt_chan *chan;
	struct evt_inst *inst;
	struct evt_event *ev;
	SaEvtEventHandleT eh;
	SaAisErrorT e;
	void *p;
	int r;

	if (!eventHandle)
		return SA_AIS_ERR_INVALID_PARAM;
	e = evt_chan_get(channelHandle, &chan, &inst);
	if (e != SA_AIS_OK)
		return e;
	/* As OpenSAF: an event can only be published through a PUBLISHER
	 * open, so allocating one elsewhere is refused at once. */
	if (!(chan->flags & SA_EVT_CHANNEL_PUBLISHER)) {
		e = SA_AIS_ERR_ACCESS;
		goto out;
	}
	r = ais_hdb_create(&evt_event_db, sizeof(*ev), evt_event_destroy, &eh, &p);
	if (r < 0) {
		e = ais_error_from_errno(r);
		goto out;
	}
	ev = p;
	qb_list_init(&ev->allocs);
	ev->handle = eh;
	ev->chan_handle = channelHandle;
	ev->priority = SA_EVT_LOWEST_PRIORITY;
	pthread_mutex_lock(&evt_lock);
	if (qb_list_empty(&chan->list)) {
		/* closed meanwhile */
		pthread_mutex_unlock(&evt_lock);
		ais_hdb_destroy(&evt_event_db, eh);
		e = SA_AIS_ERR_BAD_HANDLE;
		goto out;
	}
	qb_list_add_tail(&ev->list, &chan->events);
	pthread_mutex_unlock(&evt_lock);
	*eventHandle = eh;
out:
	evt_chan_put(chan);
	return e;
}

SaAisErrorT saEvtEventFree(SaEvtEventHandleT eventHandle)
{
	struct evt_event *ev;
	SaAisErrorT e = evt_event_get(eventHandle, &ev);

	if (e != SA_AIS_OK)
		return e;
	pthread_mutex_lock(&evt_lock);
	qb_list_del(&ev->list);
	qb_list_init(&ev->list);
	if (ais_hdb_destroy(&evt_event_db, eventHandle) < 0)
		e = SA_AIS_ERR_BAD_HANDLE;
	pthread_mutex_unlock(&evt_lock);
	evt_event_put(eventHandle);
	return e;
}

/* The channel flags of an event's channel, or -1 when it is gone. */
static int evt_event_chan_flags(const struct evt_event *ev)
{
	void *p;
	int flags;

	if (ais_hdb_get(&evt_chan_db, ev->chan_handle, &p) < 0)
		return -1;
	flags = ((struct evt_chan *)p)->flags;
	ais_hdb_put(&evt_chan_db, ev->chan_handle);
	return flags;
}

static SaAisErrorT evt_pattern_array_check(const SaEvtEventPatternArrayT *a)
{
	if (a->patternsNumber && !a->patterns)
		return SA_AIS_ERR_INVALID_PARAM;
	if (a->patternsNumber > AIS_EVT_PATTERNS_MAX)
		return SA_AIS_ERR_TOO_BIG;
	for (SaSizeT i = 0; i < a->patternsNumber; i++) {
		if (a->patterns[i].patternSize > AIS_EVT_PATTERN_MAX)
			return SA_AIS_ERR_TOO_BIG;
		if (a->patterns[i].patternSize && !a->patterns[i].pattern)
			return SA_AIS_ERR_INVALID_PARAM;
	}
	return SA_AIS_OK;
}

SaAisErrorT saEvtEventAttributesSet(SaEvtEventHandleT eventHandle,
                                    const SaEvtEventPatternArrayT *patternArray,
                                    SaEvtEventPriorityT priority, SaTimeT retentionTime,
                                    const SaNameT *publisherName)
{
	SaEvtEventPatternT *pats = NULL;
	uint8_t *bytes = NULL;
	struct evt_event *ev;
	size_t n = 0, total = 0;
	SaAisErrorT e;
	int flags;

	if (priority > SA_EVT_LOWEST_PRIORITY || retentionTime < 0)
		return SA_AIS_ERR_INVALID_PARAM;
	if (retentionTime > AIS_EVT_RETENTION_MAX)
		return SA_AIS_ERR_TOO_BIG;
	if (publisherName && publisherName->length > SA_MAX_NAME_LENGTH)
		return SA_AIS_ERR_NAME_TOO_LONG;
	if (patternArray) {
		e = evt_pattern_array_check(patternArray);
		if (e != SA_AIS_OK)
			return e;
		n = patternArray->patternsNumber;
		for (size_t i = 0; i < n; i++)
			total += patternArray->patterns[i].patternSize;
	}
	e = evt_event_get(eventHandle, &ev);
	if (e != SA_AIS_OK)
		return e;
	flags = evt_event_chan_flags(ev);
	if (flags < 0) {
		e = SA_AIS_ERR_BAD_HANDLE;
		goto out;
	}
	if (ev->delivered || !(flags & SA_EVT_CHANNEL_PUBLISHER)) {
		e = SA_AIS_ERR_ACCESS;
		goto out;
	}
	if (patternArray) {
		/* the caller may free its buffers after the call: copy them */
		pats = calloc(n ? n : 1, sizeof(*pats));
		bytes = malloc(total ? total : 1);
		if (!pats || !bytes) {
			free(pats);
			free(bytes);
			e = SA_AIS_ERR_NO_MEMORY;
			goto out;
		}
		for (size_t i = 0, off = 0; i < n; i++) {
			SaSizeT len = patternArray->patterns[i].patternSize;

			if (len)
				memcpy(bytes + off, patternArray->patterns[i].pattern, len);
			pats[i].allocatedSize = len;
			pats[i].patternSize = len;
			pats[i].pattern = bytes + off;
			off += len;
		}
	}
	pthread_mutex_lock(&evt_lock);
	if (patternArray) {
		SaEvtEventPatternT *old_pats = ev->patterns;
		uint8_t *old_bytes = ev->pattern_bytes;

		ev->patterns = pats;
		ev->pattern_bytes = bytes;
		ev->n_patterns = n;
		pats = old_pats;
		bytes = old_bytes;
	}
	ev->priority = priority;
	ev->retention = retentionTime;
	if (publisherName)
		ev->publisher = *publisherName;
	pthread_mutex_unlock(&evt_lock);
	free(pats);
	free(bytes);
out:
	evt_event_put(eventHandle);
	return e;
}

SaAisErrorT saEvtEventAttributesGet(SaEvtEventHandleT eventHandle,
                                    SaEvtEventPatternArrayT *patternArray,
                                    SaEvtEventPriorityT *priority, SaTimeT *retentionTime,
                                    SaNameT *publisherName, SaTimeT *publishTime,
                                    SaEvtEventIdT *eventId)
{
	struct evt_alloc *rec = NULL;
	struct evt_event *ev;
	bool allocated = false;
	SaAisErrorT e;

	e = evt_event_get(eventHandle, &ev);
	if (e != SA_AIS_OK)
		return e;
	if (patternArray && !patternArray->patterns) {
		rec = malloc(sizeof(*rec));
		if (!rec) {
			e = SA_AIS_ERR_NO_MEMORY;
			goto out;
		}
	}
	pthread_mutex_lock(&evt_lock);
	if (patternArray) {
		e = evt_patterns_export(ev->patterns, ev->n_patterns, patternArray, &allocated);
		if (allocated) {
			rec->patterns = patternArray->patterns;
			rec->n = ev->n_patterns;
			qb_list_add_tail(&rec->list, &ev->allocs);
			rec = NULL;
		}
	}
	if (e == SA_AIS_OK || e == SA_AIS_ERR_NO_SPACE) {
		if (priority)
			*priority = ev->priority;
		if (retentionTime)
			*retentionTime = ev->retention;
		if (publisherName)
			*publisherName = ev->publisher;
		if (publishTime)
			*publishTime = ev->publish_time;
		if (eventId)
			*eventId = ev->event_id;
	}
	pthread_mutex_unlock(&evt_lock);
out:
	free(rec);
	evt_event_put(eventHandle);
	return e;
}

SaAisErrorT saEvtEventPatternFree(SaEvtEventHandleT eventHandle, SaEvtEventPatternT *patterns)
{
	struct qb_list_head *pos;
	struct evt_alloc *found = NULL;
	struct evt_event *ev;
	SaAisErrorT e;

	if (!patterns)
		return SA_AIS_ERR_INVALID_PARAM;
	e = evt_event_get(eventHandle, &ev);
	if (e != SA_AIS_OK)
		return e;
	pthread_mutex_lock(&evt_lock);
	qb_list_for_each(pos, &ev->allocs) {
		struct evt_alloc *a = qb_list_entry(pos, struct evt_alloc, list);

		if (a->patterns == patterns) {
			found = a;
			qb_list_del(&a->list);
			break;
		}
	}
	pthread_mutex_unlock(&evt_lock);
	evt_event_put(eventHandle);
	if (!found)
		return SA_AIS_ERR_INVALID_PARAM; /* not an array this event handed out */
	evt_patterns_release(found->patterns, found->n);
	free(found);
	return SA_AIS_OK;
}

SaAisErrorT saEvtEventDataGet(SaEvtEventHandleT eventHandle, void *eventData,
                              SaSizeT *eventDataSize)
{
	struct evt_event *ev;
	SaAisErrorT e;

	if (!eventDataSize)
		return SA_AIS_ERR_INVALID_PARAM;
	e = evt_event_get(eventHandle, &ev);
	if (e != SA_AIS_OK)
		return e;
	/* lock not needed: a delivered event's data never changes */
	if (!eventData) {
		/* only the size: as OpenAIS, which testevt checks */
		*eventDataSize = ev->data_len;
		e = SA_AIS_ERR_NO_SPACE;
	} else if (!ev->delivered) {
		e = SA_AIS_ERR_BAD_HANDLE;
	} else {
		SaSizeT copy = *eventDataSize < ev->data_len ? *eventDataSize : ev->data_len;

		if (copy)
			memcpy(eventData, ev->data, copy);
		if (copy < ev->data_len)
			e = SA_AIS_ERR_NO_SPACE;
		*eventDataSize = ev->data_len;
	}
	evt_event_put(eventHandle);
	return e;
}

/* The publish request for ev (fixed part, patterns, data) in one buffer. */
static void *evt_publish_build(const struct evt_event *ev, uint32_t open_id, const void *data,
                               size_t data_len, size_t *ret_len)
{
	struct ais_evt_req_publish req;
	size_t len = sizeof(req), off;
	uint8_t *buf;

	for (size_t i = 0; i < ev->n_patterns; i++)
		len += sizeof(struct ais_evt_blob) + AIS_EVT_PAD(ev->patterns[i].patternSize);
	/* padded like every item, so the request after this one starts
	 * 8-byte aligned in libqb's ring (the engine then reads it in place) */
	len += AIS_EVT_PAD(data_len);
	buf = calloc(1, len);
	if (!buf)
		return NULL;
	memset(&req, 0, sizeof(req));
	req.header.id = AIS_EVT_REQ_PUBLISH;
	req.header.size = (int32_t)len;
	req.open_id = open_id;
	req.priority = ev->priority;
	req.retention_ns = ev->retention;
	evt_name_to_wire(&req.publisher, &ev->publisher);
	req.n_patterns = (uint32_t)ev->n_patterns;
	req.data_len = (uint32_t)data_len;
	memcpy(buf, &req, sizeof(req));
	off = sizeof(req);
	for (size_t i = 0; i < ev->n_patterns; i++) {
		struct ais_evt_blob b = { .len = (uint32_t)ev->patterns[i].patternSize, .pad = 0 };

		memcpy(buf + off, &b, sizeof(b));
		if (b.len)
			memcpy(buf + off + sizeof(b), ev->patterns[i].pattern, b.len);
		off += sizeof(b) + AIS_EVT_PAD(b.len);
	}
	if (data_len)
		memcpy(buf + off, data, data_len);
	*ret_len = len;
	return buf;
}

SaAisErrorT saEvtEventPublish(SaEvtEventHandleT eventHandle, const void *eventData,
                              SaSizeT eventDataSize, SaEvtEventIdT *eventId)
{
	struct ais_evt_res_publish res;
	struct evt_event *ev;
	struct evt_chan *chan;
	struct evt_inst *inst;
	struct iovec iov;
	size_t len = 0;
	void *buf;
	SaAisErrorT e;

	if (!eventId || (eventDataSize && !eventData))
		return SA_AIS_ERR_INVALID_PARAM;
	if (eventDataSize > AIS_EVT_DATA_MAX)
		return SA_AIS_ERR_TOO_BIG;
	e = evt_event_get(eventHandle, &ev);
	if (e != SA_AIS_OK)
		return e;
	e = evt_chan_get(ev->chan_handle, &chan, &inst);
	if (e != SA_AIS_OK)
		goto out_event;
	if (!(chan->flags & SA_EVT_CHANNEL_PUBLISHER)) {
		e = SA_AIS_ERR_ACCESS;
		goto out_chan;
	}
	pthread_mutex_lock(&evt_lock);
	buf = evt_publish_build(ev, chan->open_id, eventData, (size_t)eventDataSize, &len);
	pthread_mutex_unlock(&evt_lock);
	if (!buf) {
		e = SA_AIS_ERR_NO_MEMORY;
		goto out_chan;
	}
	iov.iov_base = buf;
	iov.iov_len = len;
	/* The engine answers TRY_AGAIN while its send queue or its block of
	 * event ids is refilling, which takes moments. Programs written for
	 * OpenAIS (whose publish waited) do not retry, so wait here a while
	 * before handing TRY_AGAIN to the caller. */
	for (long waited_us = 0, pause_us = 100;; waited_us += pause_us) {
		e = evt_request(inst, &iov, 1, AIS_EVT_REQ_PUBLISH, &res, sizeof(res), sizeof(res));
		if (e != SA_AIS_ERR_TRY_AGAIN || waited_us >= EVT_PUBLISH_WAIT_US)
			break;
		{
			const struct timespec ts = { .tv_sec = 0, .tv_nsec = pause_us * 1000 };

			nanosleep(&ts, NULL);
		}
		if (pause_us < 10000)
			pause_us *= 2;
	}
	free(buf);
	if (e == SA_AIS_OK) {
		pthread_mutex_lock(&evt_lock);
		if (!ev->delivered)
			ev->event_id = res.event_id;
		pthread_mutex_unlock(&evt_lock);
		*eventId = res.event_id;
	}
out_chan:
	evt_chan_put(chan);
out_event:
	evt_event_put(eventHandle);
	return e;
}

/* ---- subscriptions and retention ------------------------------------------------------- */

static SaAisErrorT evt_filters_check(const SaEvtEventFilterArrayT *f)
{
	if (f->filtersNumber && !f->filters)
		return SA_AIS_ERR_INVALID_PARAM;
	if (f->filtersNumber > AIS_EVT_PATTERNS_MAX)
		return SA_AIS_ERR_TOO_BIG;
	for (SaSizeT i = 0; i < f->filtersNumber; i++) {
		const SaEvtEventFilterT *x = &f->filters[i];

		if (x->filterType < SA_EVT_PREFIX_FILTER || x->filterType > SA_EVT_PASS_ALL_FILTER)
			return SA_AIS_ERR_INVALID_PARAM;
		if (x->filterType == SA_EVT_PASS_ALL_FILTER)
			continue; /* its bytes are ignored */
		if (x->filter.patternSize > AIS_EVT_PATTERN_MAX)
			return SA_AIS_ERR_TOO_BIG;
		if (x->filter.patternSize && !x->filter.pattern)
			return SA_AIS_ERR_INVALID_PARAM;
	}
	return SA_AIS_OK;
}

static void *evt_subscribe_build(const SaEvtEventFilterArrayT *f, uint32_t open_id,
                                 uint32_t sub_id, size_t *ret_len)
{
	struct ais_evt_req_subscribe req;
	size_t len = sizeof(req), off;
	uint8_t *buf;

	for (SaSizeT i = 0; i < f->filtersNumber; i++) {
		const SaEvtEventFilterT *x = &f->filters[i];
		size_t n = x->filterType == SA_EVT_PASS_ALL_FILTER ? 0 : (size_t)x->filter.patternSize;

		len += sizeof(struct ais_evt_filter) + AIS_EVT_PAD(n);
	}
	buf = calloc(1, len);
	if (!buf)
		return NULL;
	memset(&req, 0, sizeof(req));
	req.header.id = AIS_EVT_REQ_SUBSCRIBE;
	req.header.size = (int32_t)len;
	req.open_id = open_id;
	req.sub_id = sub_id;
	req.n_filters = (uint32_t)f->filtersNumber;
	memcpy(buf, &req, sizeof(req));
	off = sizeof(req);
	for (SaSizeT i = 0; i < f->filtersNumber; i++) {
		const SaEvtEventFilterT *x = &f->filters[i];
		struct ais_evt_filter w;

		w.type = (uint32_t)x->filterType;
		w.len = x->filterType == SA_EVT_PASS_ALL_FILTER ? 0 : (uint32_t)x->filter.patternSize;
		memcpy(buf + off, &w, sizeof(w));
		if (w.len)
			memcpy(buf + off + sizeof(w), x->filter.pattern, w.len);
		off += sizeof(w) + AIS_EVT_PAD(w.len);
	}
	*ret_len = len;
	return buf;
}

/* Remove sub_id from chan's subscriptions. Call with evt_lock held. */
static void evt_sub_remove_locked(struct evt_chan *chan, uint32_t sub_id)
{
	ssize_t i = evt_sub_index_locked(chan, sub_id);

	if (i >= 0)
		chan->subs[i] = chan->subs[--chan->n_subs];
}

SaAisErrorT saEvtEventSubscribe(SaEvtChannelHandleT channelHandle,
                                const SaEvtEventFilterArrayT *filters,
                                SaEvtSubscriptionIdT subscriptionId)
{
	struct qb_ipc_response_header res;
	struct evt_chan *chan;
	struct evt_inst *inst;
	struct iovec iov;
	size_t len = 0;
	void *buf;
	SaAisErrorT e;

	if (!filters)
		return SA_AIS_ERR_INVALID_PARAM;
	e = evt_filters_check(filters);
	if (e != SA_AIS_OK)
		return e;
	e = evt_chan_get(channelHandle, &chan, &inst);
	if (e != SA_AIS_OK)
		return e;
	if (!inst->callbacks.saEvtEventDeliverCallback) {
		e = SA_AIS_ERR_INIT;
		goto out;
	}
	if (!(chan->flags & SA_EVT_CHANNEL_SUBSCRIBER)) {
		e = SA_AIS_ERR_ACCESS;
		goto out;
	}
	buf = evt_subscribe_build(filters, chan->open_id, subscriptionId, &len);
	if (!buf) {
		e = SA_AIS_ERR_NO_MEMORY;
		goto out;
	}
	/* Recorded before the request: retained events the engine sends at
	 * once may be dispatched by another thread before it answers. */
	pthread_mutex_lock(&evt_lock);
	if (evt_sub_index_locked(chan, subscriptionId) >= 0) {
		e = SA_AIS_ERR_EXIST;
	} else if (chan->n_subs == chan->cap_subs) {
		size_t cap = chan->cap_subs ? chan->cap_subs * 2 : 8;
		uint32_t *s = realloc(chan->subs, cap * sizeof(*s));

		if (!s) {
			e = SA_AIS_ERR_NO_MEMORY;
		} else {
			chan->subs = s;
			chan->cap_subs = cap;
		}
	}
	if (e == SA_AIS_OK)
		chan->subs[chan->n_subs++] = subscriptionId;
	pthread_mutex_unlock(&evt_lock);
	if (e != SA_AIS_OK) {
		free(buf);
		goto out;
	}
	iov.iov_base = buf;
	iov.iov_len = len;
	e = evt_request(inst, &iov, 1, AIS_EVT_REQ_SUBSCRIBE, &res, sizeof(res), sizeof(res));
	free(buf);
	if (e != SA_AIS_OK) {
		pthread_mutex_lock(&evt_lock);
		evt_sub_remove_locked(chan, subscriptionId);
		pthread_mutex_unlock(&evt_lock);
	}
out:
	evt_chan_put(chan);
	return e;
}

SaAisErrorT saEvtEventUnsubscribe(SaEvtChannelHandleT channelHandle,
                                  SaEvtSubscriptionIdT subscriptionId)
{
	struct ais_evt_req_unsubscribe req;
	struct evt_chan *chan;
	struct evt_inst *inst;
	SaAisErrorT e;
	bool known;

	e = evt_chan_get(channelHandle, &chan, &inst);
	if (e != SA_AIS_OK)
		return e;
	/* Forgotten first: events already on their way for it are dropped. */
	pthread_mutex_lock(&evt_lock);
	known = evt_sub_index_locked(chan, subscriptionId) >= 0;
	evt_sub_remove_locked(chan, subscriptionId);
	pthread_mutex_unlock(&evt_lock);
	if (!known) {
		e = SA_AIS_ERR_NOT_EXIST;
		goto out;
	}
	memset(&req, 0, sizeof(req));
	req.open_id = chan->open_id;
	req.sub_id = subscriptionId;
	e = evt_request_plain(inst, &req, sizeof(req), AIS_EVT_REQ_UNSUBSCRIBE);
	if (e == SA_AIS_ERR_TRY_AGAIN) {
		/* still subscribed in the engine: keep it here too */
		pthread_mutex_lock(&evt_lock);
		if (evt_sub_index_locked(chan, subscriptionId) < 0 && chan->n_subs < chan->cap_subs)
			chan->subs[chan->n_subs++] = subscriptionId;
		pthread_mutex_unlock(&evt_lock);
	} else if (e == SA_AIS_ERR_NOT_EXIST) {
		e = SA_AIS_OK; /* gone on both sides */
	}
out:
	evt_chan_put(chan);
	return e;
}

SaAisErrorT saEvtEventRetentionTimeClear(SaEvtChannelHandleT channelHandle, SaEvtEventIdT eventId)
{
	struct ais_evt_req_clear req;
	struct evt_chan *chan;
	struct evt_inst *inst;
	SaAisErrorT e;

	if (eventId < AIS_EVT_EVENTID_FIRST)
		return SA_AIS_ERR_INVALID_PARAM; /* reserved ids */
	e = evt_chan_get(channelHandle, &chan, &inst);
	if (e != SA_AIS_OK)
		return e;
	memset(&req, 0, sizeof(req));
	req.open_id = chan->open_id;
	req.event_id = eventId;
	e = evt_request_plain(inst, &req, sizeof(req), AIS_EVT_REQ_RETENTION_CLEAR);
	evt_chan_put(chan);
	return e;
}

/* aisexec extension (ais/client.h): why the last initialize of this thread
 * could not connect. */
const char *saEvtInitializeErrorText(void)
{
	return ais_client_connect_reason();
}
