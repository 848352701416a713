/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The evt service engine (SA Forum Event Service, AIS-API.md section 2;
 * design in docs/evt.md): the engine table, the client (lib) requests, the
 * event-id reservation and configuration changes. The replicated channel
 * table is in evt_channel.c, delivery in evt_deliver.c, sync in evt_sync.c.
 *
 * Every request is checked against the connection's own state: an open id
 * names one of this connection's opens, never another client's. Requests
 * that change replicated state (open, close, unlink, publish, retention
 * clear) are multicast in agreed order and applied by every node when
 * delivered; open, unlink and clear are answered then, publish as soon as
 * the multicast is accepted, close at once. Subscriptions and delivery
 * queues are local to this node.
 *
 * Synchronous open: answered when the OPEN is delivered, or TIMEOUT when
 * timeout_ns passes first (a timeout of 0 is TIMEOUT at once, as OpenAIS
 * did); a late OPEN is then undone with a CLOSE. Asynchronous open: the
 * open id is answered at once, EV_OPEN_DONE carries the result.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ais/log.h>
#include <ais/inject.h>

#include "evt_int.h"

AIS_LOG_SUBSYS("EVT");

struct evt_engine_state evt_state;

int64_t evt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void evt_res_send(ais_conn_t *conn, int32_t id, uint32_t error)
{
	struct qb_ipc_response_header res;

	memset(&res, 0, sizeof(res));
	res.id = id;
	res.size = sizeof(res);
	res.error = (int32_t)error;
	evt_state.api->response_send(conn, &res, sizeof(res));
}

void evt_res_open_send(ais_conn_t *conn, uint32_t error, uint32_t open_id)
{
	struct ais_evt_res_open res;

	memset(&res, 0, sizeof(res));
	res.header.id = AIS_EVT_REQ_CHANNEL_OPEN;
	res.header.size = sizeof(res);
	res.header.error = (int32_t)error;
	res.open_id = open_id;
	evt_state.api->response_send(conn, &res, sizeof(res));
}

void evt_open_done_send(struct evt_open *o, uint32_t error)
{
	struct ais_evt_ev_open_done ev;
	int r;

	memset(&ev, 0, sizeof(ev));
	ev.header.id = AIS_EVT_EV_OPEN_DONE;
	ev.header.size = sizeof(ev);
	ev.header.error = (int32_t)error;
	ev.invocation = o->invocation;
	ev.open_id = o->open_id;
	r = evt_state.api->event_send(o->pd->conn, &ev, sizeof(ev));
	if (r < 0 && !o->pd->broken) {
		o->pd->broken = true;
		ais_log(LOG_ERR, "open result refused by a client (%s): disconnecting it", strerror(-r));
		evt_state.api->conn_disconnect(o->pd->conn);
	}
}

static struct evt_conn *evt_pd(ais_conn_t *conn)
{
	return evt_state.api->conn_private(conn);
}

struct evt_open *evt_open_find(struct evt_conn *pd, uint32_t open_id)
{
	struct evt_open *o;

	qb_list_for_each_entry(o, &pd->opens, list) {
		if (o->open_id == open_id)
			return o;
	}
	return NULL;
}

/* An open the client may use: bound to a channel. */
static struct evt_open *evt_open_usable(struct evt_conn *pd, uint32_t open_id)
{
	struct evt_open *o = evt_open_find(pd, open_id);

	return o && o->state == EVT_OPEN_BOUND ? o : NULL;
}

static void evt_subs_free(struct evt_open *o)
{
	struct evt_sub *s, *tmp;

	qb_list_for_each_entry_safe(s, tmp, &o->subs, list) {
		qb_list_del(&s->list);
		free(s);
	}
	o->pd->n_subs -= o->n_subs;
	o->n_subs = 0;
}

void evt_open_free(struct evt_open *o)
{
	if (o->timer_armed)
		evt_state.api->timer_del(o->timer);
	evt_conn_drop_open(o->pd, o->open_id);
	evt_subs_free(o);
	if (o->state == EVT_OPEN_BOUND)
		qb_list_del(&o->chan_list);
	qb_list_del(&o->list);
	o->pd->n_opens--;
	free(o);
}

/* ---- CLOSE multicast, retried from a timer when the queue is full ---------- */

static void evt_close_timer_fn(void *data);

static void evt_close_flush(void)
{
	struct evt_pending_close *pc, *tmp;

	qb_list_for_each_entry_safe(pc, tmp, &evt_state.pending_closes, list) {
		uint8_t buf[EVT_WIRE_CLOSE_SIZE];
		struct iovec iov = { buf, evt_wire_close_encode(buf, &pc->c) };

		if (evt_state.api->mcast(&iov, 1, AIS_GUARANTEE_AGREED) < 0)
			break;
		qb_list_del(&pc->list);
		free(pc);
	}
	if (!qb_list_empty(&evt_state.pending_closes) && !evt_state.close_timer_armed &&
	    evt_state.api->timer_add(EVT_CLOSE_RETRY_MS, evt_close_timer_fn, NULL, &evt_state.close_timer) == 0)
		evt_state.close_timer_armed = true;
}

static void evt_close_timer_fn(void *data)
{
	(void)data;
	evt_state.close_timer_armed = false;
	evt_close_flush();
}

void evt_close_mcast(uint64_t conn_id, uint32_t open_id)
{
	struct evt_pending_close *pc = ais_calloc(1, sizeof(*pc));

	if (!pc) {
		ais_log(LOG_ERR, "out of memory: an open of connection %" PRIx64 " stays in the cluster",
		        conn_id);
		return;
	}
	pc->c.conn_id = conn_id;
	pc->c.open_id = open_id;
	qb_list_add_tail(&pc->list, &evt_state.pending_closes);
	evt_close_flush();
}

/* ---- event ids ---------------------------------------------------------------- */

static void evt_id_watch_fn(void *data);

static void evt_id_watch_arm(uint32_t ms)
{
	if (!evt_state.id_watch_armed &&
	    evt_state.api->timer_add(ms, evt_id_watch_fn, NULL, &evt_state.id_watch_timer) == 0)
		evt_state.id_watch_armed = true;
}

/*
 * Poll the writer while a reservation is not yet on disk: a failed write is
 * logged at once (once per failure episode) and the reservation is asked
 * for again after EVT_ID_RETRY_MS.
 */
static void evt_id_watch_fn(void *data)
{
	uint64_t durable;
	int err = 0;

	(void)data;
	evt_state.id_watch_armed = false;
	if (!evt_state.idwriter)
		return;
	durable = evt_state.api->counter_durable(evt_state.idwriter, &err);
	if (durable > evt_state.idres.durable)
		evt_state.idres.durable = durable;
	if (durable >= evt_state.idres.requested) {
		if (evt_state.id_error_logged)
			ais_log(LOG_NOTICE, "event ids are reserved on disk again");
		evt_state.id_error_logged = false;
		return;
	}
	if (err < 0) {
		if (!evt_state.id_error_logged) {
			evt_state.id_error_logged = true;
			ais_log(LOG_ERR, "cannot reserve event ids on disk (%s): publishing waits for the disk",
			        strerror(-err));
		}
		evt_state.api->counter_store(evt_state.idwriter, evt_idres_retry(&evt_state.idres));
		evt_id_watch_arm(EVT_ID_RETRY_MS);
		return;
	}
	evt_id_watch_arm(EVT_ID_WATCH_MS);
}

int evt_id_take(uint64_t *ret_id)
{
	uint64_t store = 0, counter = 0;
	int r;

	if (!evt_state.idwriter)
		return -EAGAIN;
	r = evt_idres_take(&evt_state.idres, evt_state.api->counter_durable(evt_state.idwriter, NULL), &counter, &store);
	if (store) {
		evt_state.api->counter_store(evt_state.idwriter, store);
		evt_id_watch_arm(EVT_ID_WATCH_MS);
	}
	if (r < 0)
		return r;
	*ret_id = evt_idres_event_id(evt_state.api->local_nodeid(), counter);
	return 0;
}

static int evt_id_start(void)
{
	char path[4096];
	uint64_t stored = 0, first = 0;
	int r;

	if (snprintf(path, sizeof(path), "%s/evt-eventid", evt_state.api->run_dir()) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	r = evt_state.api->counter_read(path, &stored);
	if (r < 0) {
		ais_log(LOG_ERR, "%s is damaged (%s): refusing to reuse event ids", path, strerror(-r));
		return r;
	}
	r = evt_state.api->counter_start(path, &evt_state.idwriter);
	if (r < 0)
		return r;
	evt_idres_init(&evt_state.idres, stored, &first);
	evt_state.api->counter_store(evt_state.idwriter, first);
	evt_id_watch_arm(EVT_ID_WATCH_MS);
	return 0;
}

/* ---- client requests ------------------------------------------------------------- */

static void evt_open_timer_fn(void *data)
{
	struct evt_open *o = data;

	o->timer_armed = false;
	if (o->state != EVT_OPEN_PENDING)
		return;
	/* the OPEN is still on its way: answer TIMEOUT, undo it when it lands */
	o->state = EVT_OPEN_ABANDONED;
	o->timed_out = true;
	evt_res_open_send(o->pd->conn, EVT_SA_ERR_TIMEOUT, 0);
}

static int evt_lib_open(ais_conn_t *conn, const void *msg, size_t len)
{
	struct evt_conn *pd = evt_pd(conn);
	struct ais_evt_req_open req;
	struct evt_wire_open m;
	struct evt_open *o;
	uint8_t buf[EVT_WIRE_OPEN_SIZE];
	struct iovec iov = { buf, 0 };
	uint32_t error = EVT_SA_OK;
	int r;

	(void)len;
	memcpy(&req, msg, sizeof(req));
	memset(&m, 0, sizeof(m));
	if (req.flags & ~(uint32_t)7)
		error = EVT_SA_ERR_BAD_FLAGS;
	else if (!evt_name_valid(&req.name) || req.async > 1 || req.timeout_ns < 0)
		error = EVT_SA_ERR_INVALID_PARAM;
	else if (pd->n_opens >= AIS_EVT_OPENS_PER_CONN_MAX)
		error = EVT_SA_ERR_NO_RESOURCES;
	else if (!req.async && req.timeout_ns == 0)
		error = EVT_SA_ERR_TIMEOUT;
	else if ((req.flags & EVT_FLAG_CREATE) && evt_id_take(&m.new_chan_id) < 0)
		error = EVT_SA_ERR_TRY_AGAIN;
	if (error != EVT_SA_OK) {
		evt_res_open_send(conn, error, 0);
		return 0;
	}
	o = ais_calloc(1, sizeof(*o));
	if (!o)
		return -ENOMEM;
	o->pd = pd;
	o->open_id = ++pd->next_open_id;
	o->flags = req.flags;
	o->async = req.async != 0;
	o->invocation = req.invocation;
	o->state = EVT_OPEN_PENDING;
	qb_list_init(&o->subs);
	qb_list_init(&o->chan_list);
	m.conn_id = evt_state.api->conn_id(conn);
	m.open_id = o->open_id;
	m.flags = req.flags;
	m.name = req.name;
	memset(m.name.pad, 0, sizeof(m.name.pad));
	iov.iov_len = evt_wire_open_encode(buf, &m);
	r = evt_state.api->mcast(&iov, 1, AIS_GUARANTEE_AGREED);
	if (r < 0) {
		free(o);
		return -EAGAIN;
	}
	qb_list_add_tail(&o->list, &pd->opens);
	pd->n_opens++;
	if (o->async) {
		evt_res_open_send(conn, EVT_SA_OK, o->open_id);
	} else if (req.timeout_ns != INT64_MAX) {
		uint64_t ms = (uint64_t)req.timeout_ns / 1000000 + ((uint64_t)req.timeout_ns % 1000000 != 0);

		if (ms > EVT_TIMER_MAX_MS)
			ms = EVT_TIMER_MAX_MS;
		if (evt_state.api->timer_add((uint32_t)ms, evt_open_timer_fn, o, &o->timer) == 0)
			o->timer_armed = true;
	}
	return 0;
}

static int evt_lib_close(ais_conn_t *conn, const void *msg, size_t len)
{
	struct evt_conn *pd = evt_pd(conn);
	struct ais_evt_req_close req;
	struct evt_open *o;

	(void)len;
	memcpy(&req, msg, sizeof(req));
	o = evt_open_find(pd, req.open_id);
	if (!o || o->state == EVT_OPEN_PENDING || o->timed_out) {
		evt_res_send(conn, AIS_EVT_REQ_CHANNEL_CLOSE, EVT_SA_ERR_BAD_HANDLE);
		return 0;
	}
	/* bound, or orphaned by a sync merge (then the CLOSE finds nothing) */
	evt_close_mcast(evt_state.api->conn_id(conn), o->open_id);
	evt_open_free(o);
	evt_res_send(conn, AIS_EVT_REQ_CHANNEL_CLOSE, EVT_SA_OK);
	return 0;
}

static int evt_lib_unlink(ais_conn_t *conn, const void *msg, size_t len)
{
	struct ais_evt_req_unlink req;
	struct evt_wire_unlink m;
	uint8_t buf[EVT_WIRE_UNLINK_SIZE];
	struct iovec iov = { buf, 0 };

	(void)len;
	memcpy(&req, msg, sizeof(req));
	if (!evt_name_valid(&req.name))
		return -EINVAL;
	memset(&m, 0, sizeof(m));
	m.conn_id = evt_state.api->conn_id(conn);
	m.name = req.name;
	iov.iov_len = evt_wire_unlink_encode(buf, &m);
	return evt_state.api->mcast(&iov, 1, AIS_GUARANTEE_AGREED) < 0 ? -EAGAIN : 0;
}

static void evt_res_publish_send(ais_conn_t *conn, uint32_t error, uint64_t event_id)
{
	struct ais_evt_res_publish res;

	memset(&res, 0, sizeof(res));
	res.header.id = AIS_EVT_REQ_PUBLISH;
	res.header.size = sizeof(res);
	res.header.error = (int32_t)error;
	res.event_id = event_id;
	evt_state.api->response_send(conn, &res, sizeof(res));
}

static int evt_lib_publish(ais_conn_t *conn, const void *msg, size_t len)
{
	struct evt_conn *pd = evt_pd(conn);
	struct evt_wire_publish m;
	struct evt_open *o;
	uint32_t error = EVT_SA_OK;
	uint8_t *buf;
	struct iovec iov;
	int r;

	memset(&m, 0, sizeof(m));
	r = evt_req_publish_parse(msg, len, &m.open_id, &m.ev);
	o = r == 0 ? evt_open_usable(pd, m.open_id) : NULL;
	if (r == -EMSGSIZE)
		error = EVT_SA_ERR_TOO_BIG;
	else if (r < 0)
		error = EVT_SA_ERR_INVALID_PARAM;
	else if (!o)
		error = EVT_SA_ERR_BAD_HANDLE;
	else if (!(o->flags & EVT_FLAG_PUBLISHER))
		error = EVT_SA_ERR_ACCESS;
	else if (m.ev.retention_ns > 0 && evt_state.n_retained >= AIS_EVT_RETAINED_MAX)
		error = EVT_SA_ERR_NO_RESOURCES;
	else if (evt_id_take(&m.ev.event_id) < 0)
		error = EVT_SA_ERR_TRY_AGAIN;
	if (error != EVT_SA_OK) {
		evt_res_publish_send(conn, error, 0);
		return 0;
	}
	m.conn_id = evt_state.api->conn_id(conn);
	m.ev.publish_time = evt_now_ns();
	iov.iov_len = evt_wire_publish_size(&m.ev);
	buf = ais_malloc(iov.iov_len);
	if (!buf)
		return -ENOMEM;
	iov.iov_base = buf;
	(void)evt_wire_publish_encode(buf, &m);
	r = evt_state.api->mcast(&iov, 1, AIS_GUARANTEE_AGREED);
	free(buf);
	if (r < 0) {
		evt_res_publish_send(conn, r == -EMSGSIZE ? EVT_SA_ERR_TOO_BIG : EVT_SA_ERR_TRY_AGAIN, 0);
		return 0;
	}
	evt_state.published++;
	evt_res_publish_send(conn, EVT_SA_OK, m.ev.event_id);
	return 0;
}

static struct evt_sub *evt_sub_find(struct evt_open *o, uint32_t sub_id)
{
	struct evt_sub *s;

	qb_list_for_each_entry(s, &o->subs, list) {
		if (s->sub_id == sub_id)
			return s;
	}
	return NULL;
}

static int evt_lib_subscribe(ais_conn_t *conn, const void *msg, size_t len)
{
	struct evt_conn *pd = evt_pd(conn);
	struct ais_evt_req_subscribe req;
	struct evt_filter filters[AIS_EVT_PATTERNS_MAX];
	struct evt_open *o;
	struct evt_sub *s;
	size_t bytes = 0, off = 0;

	if (evt_req_subscribe_parse(msg, len, &req, filters) < 0)
		return -EINVAL;
	o = evt_open_usable(pd, req.open_id);
	if (!o)
		return -EBADF;
	if (!(o->flags & EVT_FLAG_SUBSCRIBER))
		return -EACCES;
	if (evt_sub_find(o, req.sub_id))
		return -EEXIST;
	if (pd->n_subs >= AIS_EVT_SUBS_PER_CONN_MAX) {
		evt_res_send(conn, AIS_EVT_REQ_SUBSCRIBE, EVT_SA_ERR_NO_RESOURCES);
		return 0;
	}
	for (uint32_t i = 0; i < req.n_filters; i++)
		bytes += filters[i].pat.len;
	s = ais_calloc(1, sizeof(*s) + bytes);
	if (!s)
		return -ENOMEM;
	s->sub_id = req.sub_id;
	s->n_filters = req.n_filters;
	for (uint32_t i = 0; i < req.n_filters; i++) {
		s->filters[i].type = filters[i].type;
		s->filters[i].pat.len = filters[i].pat.len;
		s->filters[i].pat.bytes = s->bytes + off;
		if (filters[i].pat.len)
			memcpy(s->bytes + off, filters[i].pat.bytes, filters[i].pat.len);
		off += filters[i].pat.len;
	}
	qb_list_add_tail(&s->list, &o->subs);
	o->n_subs++;
	pd->n_subs++;
	evt_res_send(conn, AIS_EVT_REQ_SUBSCRIBE, EVT_SA_OK);
	/* late subscribers get the channel's state: its retained events */
	evt_deliver_retained_to_sub(o, s);
	return 0;
}

static int evt_lib_unsubscribe(ais_conn_t *conn, const void *msg, size_t len)
{
	struct evt_conn *pd = evt_pd(conn);
	struct ais_evt_req_unsubscribe req;
	struct evt_open *o;
	struct evt_sub *s;

	(void)len;
	memcpy(&req, msg, sizeof(req));
	o = evt_open_usable(pd, req.open_id);
	if (!o)
		return -EBADF;
	s = evt_sub_find(o, req.sub_id);
	if (!s)
		return -ENOENT;
	evt_conn_drop_sub(pd, o->open_id, s->sub_id);
	qb_list_del(&s->list);
	free(s);
	o->n_subs--;
	pd->n_subs--;
	evt_res_send(conn, AIS_EVT_REQ_UNSUBSCRIBE, EVT_SA_OK);
	return 0;
}

static int evt_lib_clear(ais_conn_t *conn, const void *msg, size_t len)
{
	struct evt_conn *pd = evt_pd(conn);
	struct ais_evt_req_clear req;
	struct evt_wire_clear m;
	uint8_t buf[EVT_WIRE_CLEAR_SIZE];
	struct iovec iov = { buf, 0 };

	(void)len;
	memcpy(&req, msg, sizeof(req));
	if (!evt_open_usable(pd, req.open_id))
		return -EBADF;
	if (req.event_id < AIS_EVT_EVENTID_FIRST)
		return -EINVAL;
	m.conn_id = evt_state.api->conn_id(conn);
	m.open_id = req.open_id;
	m.event_id = req.event_id;
	iov.iov_len = evt_wire_clear_encode(buf, &m);
	return evt_state.api->mcast(&iov, 1, AIS_GUARANTEE_AGREED) < 0 ? -EAGAIN : 0;
}

static int evt_lib_credit(ais_conn_t *conn, const void *msg, size_t len)
{
	struct evt_conn *pd = evt_pd(conn);
	struct ais_evt_req_credit req;

	(void)len;
	memcpy(&req, msg, sizeof(req));
	evt_dq_credit(&pd->dq, req.count);
	evt_conn_pump(pd);
	return 0;
}

static const struct ais_lib_handler evt_lib_handlers[AIS_EVT_REQ_COUNT] = {
	[AIS_EVT_REQ_CHANNEL_OPEN] = {
		.fn = evt_lib_open,
		.min_len = sizeof(struct ais_evt_req_open),
		.max_len = sizeof(struct ais_evt_req_open),
		.response_id = AIS_EVT_REQ_CHANNEL_OPEN,
		.flow_control = true,
	},
	[AIS_EVT_REQ_CHANNEL_CLOSE] = {
		.fn = evt_lib_close,
		.min_len = sizeof(struct ais_evt_req_close),
		.max_len = sizeof(struct ais_evt_req_close),
		.response_id = AIS_EVT_REQ_CHANNEL_CLOSE,
		.flow_control = false,
	},
	[AIS_EVT_REQ_CHANNEL_UNLINK] = {
		.fn = evt_lib_unlink,
		.min_len = sizeof(struct ais_evt_req_unlink),
		.max_len = sizeof(struct ais_evt_req_unlink),
		.response_id = AIS_EVT_REQ_CHANNEL_UNLINK,
		.flow_control = true,
	},
	[AIS_EVT_REQ_PUBLISH] = {
		.fn = evt_lib_publish,
		.min_len = sizeof(struct ais_evt_req_publish),
		.max_len = AIS_IPC_MSG_MAX,
		.response_id = AIS_EVT_REQ_PUBLISH,
		.flow_control = true,
	},
	[AIS_EVT_REQ_SUBSCRIBE] = {
		.fn = evt_lib_subscribe,
		.min_len = sizeof(struct ais_evt_req_subscribe),
		.max_len = sizeof(struct ais_evt_req_subscribe) +
		           AIS_EVT_PATTERNS_MAX * (sizeof(struct ais_evt_filter) + AIS_EVT_PATTERN_MAX),
		.response_id = AIS_EVT_REQ_SUBSCRIBE,
		.flow_control = false,
	},
	[AIS_EVT_REQ_UNSUBSCRIBE] = {
		.fn = evt_lib_unsubscribe,
		.min_len = sizeof(struct ais_evt_req_unsubscribe),
		.max_len = sizeof(struct ais_evt_req_unsubscribe),
		.response_id = AIS_EVT_REQ_UNSUBSCRIBE,
		.flow_control = false,
	},
	[AIS_EVT_REQ_RETENTION_CLEAR] = {
		.fn = evt_lib_clear,
		.min_len = sizeof(struct ais_evt_req_clear),
		.max_len = sizeof(struct ais_evt_req_clear),
		.response_id = AIS_EVT_REQ_RETENTION_CLEAR,
		.flow_control = true,
	},
	[AIS_EVT_REQ_CREDIT] = {
		.fn = evt_lib_credit,
		.min_len = sizeof(struct ais_evt_req_credit),
		.max_len = sizeof(struct ais_evt_req_credit),
		.response_id = AIS_EVT_REQ_CREDIT,
		.flow_control = false,
	},
	[AIS_EVT_REQ_STATUS] = {
		.fn = evt_lib_status,
		.min_len = sizeof(struct ais_evt_req_status),
		.max_len = sizeof(struct ais_evt_req_status),
		.response_id = AIS_EVT_REQ_STATUS,
		.flow_control = false,
	},
};

static int evt_lib_init_fn(ais_conn_t *conn)
{
	struct evt_conn *pd = evt_pd(conn);

	pd->conn = conn;
	qb_list_init(&pd->opens);
	evt_dq_init(&pd->dq);
	qb_list_add_tail(&pd->list, &evt_state.conns);
	return 0;
}

static int evt_lib_exit_fn(ais_conn_t *conn)
{
	struct evt_conn *pd = evt_pd(conn);
	struct evt_open *o, *tmp;
	uint64_t conn_id;

	if (!pd->conn)
		return 0; /* the engine already stopped */
	conn_id = evt_state.api->conn_id(conn);
	qb_list_for_each_entry_safe(o, tmp, &pd->opens, list) {
		/* a pending open is undone when its OPEN is delivered */
		if (o->state == EVT_OPEN_BOUND)
			evt_close_mcast(conn_id, o->open_id);
		evt_open_free(o);
	}
	evt_dq_flush(&pd->dq, evt_delivery_free);
	qb_list_del(&pd->list);
	pd->conn = NULL;
	return 0;
}

/* ---- engine life ------------------------------------------------------------------ */

static int evt_exec_init_fn(const struct ais_api *api)
{
	int r;

	memset(&evt_state, 0, sizeof(evt_state));
	evt_state.api = api;
	qb_list_init(&evt_state.channels);
	qb_list_init(&evt_state.conns);
	qb_list_init(&evt_state.pending_closes);
	evt_state.openers = qb_hashtable_create(1024);
	evt_state.retained = qb_hashtable_create(1024);
	if (!evt_state.openers || !evt_state.retained)
		return -ENOMEM;
	r = evt_id_start();
	if (r < 0)
		ais_log(LOG_ERR, "event-id reservation unavailable (%s): publishing is refused", strerror(-r));
	return 0;
}

static int evt_exec_exit_fn(void)
{
	struct evt_conn *pd, *ptmp;
	struct evt_pending_close *pc, *ctmp;

	if (evt_state.close_timer_armed)
		evt_state.api->timer_del(evt_state.close_timer);
	if (evt_state.id_watch_armed)
		evt_state.api->timer_del(evt_state.id_watch_timer);
	qb_list_for_each_entry_safe(pc, ctmp, &evt_state.pending_closes, list) {
		qb_list_del(&pc->list);
		free(pc);
	}
	qb_list_for_each_entry_safe(pd, ptmp, &evt_state.conns, list) {
		struct evt_open *o, *otmp;

		qb_list_for_each_entry_safe(o, otmp, &pd->opens, list)
			evt_open_free(o);
		evt_dq_flush(&pd->dq, evt_delivery_free);
		qb_list_del(&pd->list);
		pd->conn = NULL;
	}
	evt_sync_reset();
	evt_channels_destroy_all();
	qb_map_destroy(evt_state.openers);
	qb_map_destroy(evt_state.retained);
	(void)evt_state.api->counter_stop(evt_state.idwriter);
	evt_state.idwriter = NULL;
	return 0;
}

static void evt_confchg_fn(enum ais_confchg_type type,
                           const ais_nodeid_t *members, size_t n_members,
                           const ais_nodeid_t *left, size_t n_left,
                           const ais_nodeid_t *joined, size_t n_joined,
                           const struct ais_ring_id *ring_id)
{
	(void)left;
	(void)joined;
	(void)ring_id;
	if (type != AIS_CONFCHG_REGULAR)
		return;
	/* event ids carry the low 24 bits of the node id: they must differ */
	for (size_t i = 0; i < n_members; i++) {
		for (size_t j = i + 1; j < n_members; j++) {
			if ((members[i] & 0xffffffu) == (members[j] & 0xffffffu))
				ais_log(LOG_ERR, "nodes %u and %u share the low 24 bits of their node id: "
				        "their event ids can collide", (unsigned)members[i], (unsigned)members[j]);
		}
	}
	/* the openers of nodes that left are gone everywhere */
	if (n_left)
		evt_channels_prune_nodes(members, n_members);
	ais_log(LOG_DEBUG, "configuration: %zu nodes (%zu left, %zu joined)", n_members, n_left, n_joined);
}

const struct ais_service_engine ais_evt_engine = {
	.abi_version = AIS_SERVICE_ABI_VERSION,
	.name = "evt",
	.id = AIS_SERVICE_EVT,
	.private_data_size = sizeof(struct evt_conn),
	.exec_init_fn = evt_exec_init_fn,
	.exec_exit_fn = evt_exec_exit_fn,
	.lib_init_fn = evt_lib_init_fn,
	.lib_exit_fn = evt_lib_exit_fn,
	.lib_handlers = evt_lib_handlers,
	.lib_handler_count = AIS_EVT_REQ_COUNT,
	.exec_handlers = evt_exec_handlers,
	.exec_handler_count = EVT_EXEC_COUNT,
	.confchg_fn = evt_confchg_fn,
	.sync = &evt_sync_ops,
	.dump_fn = evt_dump,
	.ipc_buffer_size = AIS_EVT_IPC_BUFFER_SIZE,
};
