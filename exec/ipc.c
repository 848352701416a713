/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libqb IPC server of the daemon (see ipc.h). A connection's context is
 * allocated when it is accepted and freed only in the destroyed callback,
 * after the engine's lib_exit_fn; the id -> connection map is a libqb
 * hashtable keyed by the id in hex.
 *
 * Slow consumers (policy in ipc.h): events the libqb ring cannot take wait
 * in the connection's queue, bounded in bytes (IPC_OUTQ_MAX_BYTES); the
 * queue is drained before each new event, on each request of the client and
 * from a timer that retries every IPC_DRAIN_MIN_MS while the client keeps
 * reading, backing off to IPC_DRAIN_MAX_MS while it does not. A client that
 * is over IPC_OUTQ_HIGH_BYTES with no progress for IPC_OUTQ_STALL_MS, or
 * that reaches the hard bound, is refused further events (-ENOBUFS, logged
 * once with the numbers); the engine then disconnects it. Connections over
 * the high watermark are kept on a list: while one of them is still
 * reading, flow-controlled requests of this node get TRY_AGAIN.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <qb/qbipcs.h>
#include <qb/qblist.h>
#include <qb/qbmap.h>
#include <qb/qbutil.h>
#include <ais/error.h>
#include <ais/ipc.h>
#include <ais/log.h>
#include <ais/inject.h>

#include "ipc.h"
#include "logsys.h"
#include "runtime.h"
#include "service.h"
#include "sync.h"
#include "timers.h"

AIS_LOG_SUBSYS("IPC");

#define IPC_FC_PERIOD_MS 10
#define IPC_FC_MIN_LEN 4096

struct ipc_event {
	struct qb_list_head list;
	size_t len;
	uint8_t data[];
};

struct ais_conn {
	qb_ipcs_connection_t *c;
	struct service_slot *slot;
	uint64_t id;
	char key[24];
	pid_t pid;
	uid_t uid;
	gid_t gid;
	bool inited;             /**< lib_init_fn succeeded */
	struct qb_list_head outq;
	size_t outq_events;
	size_t outq_bytes;        /**< charged: lengths + IPC_EVENT_OVERHEAD each */
	uint64_t outq_progress_us; /**< queue became non-empty, or the ring last took from it */
	struct qb_list_head high_list; /**< on ipc.high while outq_bytes > IPC_OUTQ_HIGH_BYTES */
	bool outq_high;
	bool outq_refused_logged;
	uint64_t drain_timer;
	bool drain_armed;
	uint32_t drain_delay_ms;
	struct qb_list_head disconnect_list; /**< on ipc.disconnecting while the job is queued */
	bool disconnect_pending;
	/* libqb ran connection_closed: the connection is shutting down (the
	 * client went away or was disconnected) and must not be disconnected
	 * again (see ipc_disconnect_job) */
	bool closed;
	/* the event batch being filled (AIS_IPC_EVENT_BATCH; empty while the
	 * client does not take batches or has events queued in outq) */
	bool batch_ok;            /**< the client asked for AIS_IPC_FEATURE_EVENT_BATCH */
	uint8_t *batch;           /**< AIS_IPC_BATCH_FIRST bytes of header, then the events */
	size_t batch_len;         /**< bytes used, header included; 0 = no batch */
	size_t batch_cap;
	uint32_t batch_n;         /**< events in the batch */
	struct qb_list_head batch_list; /**< on ipc.batching while batch_n > 0 */
	void *priv;
};

static struct {
	qb_map_t *conns;
	struct qb_list_head high; /**< connections over IPC_OUTQ_HIGH_BYTES */
	struct qb_list_head disconnecting; /**< conn_disconnect called, job not run yet */
	uint64_t next_id;
	uint64_t fc_timer;
	bool fc_armed;
	bool stopping;            /**< ipc_stop ran: no flow-control poll */
	enum qb_ipcs_rate_limit rate;
	struct ipc_stats stats;
	struct logsys_ratelimit rl_bad;
	uint64_t *aligned;        /**< AIS_IPC_MSG_MAX bytes: copies of misaligned requests */
	uint64_t trim_timer;
	bool trim_armed;
	struct qb_list_head batching; /**< connections with a batch to flush */
	bool batch_job_queued;
} ipc = {
	.high = { &ipc.high, &ipc.high },
	.batching = { &ipc.batching, &ipc.batching },
	.disconnecting = { &ipc.disconnecting, &ipc.disconnecting },
	.next_id = 1,
	.rate = QB_IPCS_RATE_NORMAL,
	.rl_bad = LOGSYS_RATELIMIT_INIT(10000, 5),
};

/* ---- loop glue -------------------------------------------------------- */

static int32_t ipc_job_add(enum qb_loop_priority p, void *data, qb_loop_job_dispatch_fn fn)
{
	return qb_loop_job_add(exec_rt.loop, p, data, fn);
}

static int32_t ipc_dispatch_add(enum qb_loop_priority p, int32_t fd, int32_t events, void *data,
				qb_ipcs_dispatch_fn_t fn)
{
	return qb_loop_poll_add(exec_rt.loop, p, fd, events, data, fn);
}

static int32_t ipc_dispatch_mod(enum qb_loop_priority p, int32_t fd, int32_t events, void *data,
				qb_ipcs_dispatch_fn_t fn)
{
	return qb_loop_poll_mod(exec_rt.loop, p, fd, events, data, fn);
}

static int32_t ipc_dispatch_del(int32_t fd)
{
	return qb_loop_poll_del(exec_rt.loop, fd);
}

static struct qb_ipcs_poll_handlers ipc_poll_handlers = {
	.job_add = ipc_job_add,
	.dispatch_add = ipc_dispatch_add,
	.dispatch_mod = ipc_dispatch_mod,
	.dispatch_del = ipc_dispatch_del,
};

/* ---- connections ------------------------------------------------------ */

static void ipc_batch_free(struct ais_conn *conn);
static void ipc_batch_flush(struct ais_conn *conn);

static bool ipc_id_allowed(uid_t uid, gid_t gid)
{
	const struct ais_config *cfg = exec_rt.cfg;

	if (uid == 0 || gid == 0 || uid == geteuid()) {
		return true;
	}
	for (size_t i = 0; i < cfg->aisexec.allow_uid_count; i++) {
		if (cfg->aisexec.allow_uid[i] == uid) {
			return true;
		}
	}
	for (size_t i = 0; i < cfg->aisexec.allow_gid_count; i++) {
		if (cfg->aisexec.allow_gid[i] == gid) {
			return true;
		}
	}
	return false;
}

/* Connections of uid now, over every service. */
static size_t ipc_conns_of(uid_t uid)
{
	qb_map_iter_t *it = qb_map_iter_create(ipc.conns);
	struct ais_conn *conn;
	size_t n = 0;

	if (it == NULL)
		return 0;
	while (qb_map_iter_next(it, (void **)&conn) != NULL)
		n += conn->uid == uid;
	qb_map_iter_free(it);
	return n;
}

/*
 * The connection limits (aisexec { ipc_max_connections,
 * ipc_max_connections_per_uid }): every connection maps shared memory
 * rings, so an allowed user must not be able to open them without bound.
 * Root and the daemon's own user count towards the total only.
 */
static int ipc_limits_check(const struct service_slot *slot, uid_t uid)
{
	const struct ais_config *cfg = exec_rt.cfg;
	size_t total = qb_map_count_get(ipc.conns);

	if (total >= cfg->aisexec.ipc_max_connections) {
		ais_log(LOG_WARNING, "refused a %s client with uid %u: %zu connections open, the limit "
			"(aisexec { ipc_max_connections })", slot->engine->name, (unsigned)uid, total);
		return -ENFILE; /* the client tells "in all" from "per user" (EMFILE) */
	}
	if (uid != 0 && uid != geteuid() && ipc_conns_of(uid) >= cfg->aisexec.ipc_max_connections_per_uid) {
		ais_log(LOG_WARNING, "refused a %s client with uid %u: the user has %u connections, the limit "
			"(aisexec { ipc_max_connections_per_uid })", slot->engine->name, (unsigned)uid,
			cfg->aisexec.ipc_max_connections_per_uid);
		return -EMFILE;
	}
	return 0;
}

static int32_t ipc_connection_accept(qb_ipcs_connection_t *c, uid_t uid, gid_t gid)
{
	struct service_slot *slot = qb_ipcs_connection_service_context_get(c);
	struct ais_conn *conn;
	int r;

	if (exec_rt.shutting_down) {
		return -ESHUTDOWN;
	}
	if (!ipc_id_allowed(uid, gid)) {
		ipc.stats.connections_refused++;
		ais_log(LOG_WARNING, "refused a %s client with uid %u gid %u (not allowed)",
			slot->engine->name, (unsigned)uid, (unsigned)gid);
		return -EACCES;
	}
	r = ipc_limits_check(slot, uid);
	if (r < 0) {
		ipc.stats.connections_refused++;
		return r;
	}
	conn = ais_calloc(1, sizeof(*conn));
	if (conn == NULL) {
		return -ENOMEM;
	}
	conn->priv = ais_calloc(1, slot->engine->private_data_size > 0 ? slot->engine->private_data_size : 1);
	if (conn->priv == NULL) {
		free(conn);
		return -ENOMEM;
	}
	conn->c = c;
	conn->slot = slot;
	conn->uid = uid;
	conn->gid = gid;
	conn->id = ipc.next_id++;
	snprintf(conn->key, sizeof(conn->key), "%016" PRIx64, conn->id);
	qb_list_init(&conn->outq);
	qb_list_init(&conn->high_list);
	qb_list_init(&conn->disconnect_list);
	qb_list_init(&conn->batch_list);
	if (uid != geteuid() && uid != 0) {
		/* let a client of another user map the shared memory */
		qb_ipcs_connection_auth_set(c, -1, gid, S_IRUSR | S_IWUSR | S_IRGRP | S_IWGRP);
	}
	qb_ipcs_context_set(c, conn);
	qb_map_put(ipc.conns, conn->key, conn);
	slot->counters.connections++;
	return 0;
}

static void ipc_connection_created(qb_ipcs_connection_t *c)
{
	struct ais_conn *conn = qb_ipcs_context_get(c);
	struct qb_ipcs_connection_stats_2 *st;

	if (conn == NULL) {
		return;
	}
	st = qb_ipcs_connection_stats_get_2(c, QB_FALSE);
	if (st != NULL) {
		conn->pid = st->client_pid;
		free(st);
	}
	if (conn->slot->engine->lib_init_fn != NULL) {
		int r = conn->slot->engine->lib_init_fn(conn);
		if (r < 0) {
			ais_log(LOG_WARNING, "%s refused a client (pid %d): %s", conn->slot->engine->name,
				(int)conn->pid, strerror(-r));
			qb_ipcs_disconnect(c);
			return;
		}
	}
	conn->inited = true;
	ais_log(LOG_DEBUG, "%s client connected: pid %d uid %u conn %" PRIu64,
		conn->slot->engine->name, (int)conn->pid, (unsigned)conn->uid, conn->id);
}

static int32_t ipc_connection_closed(qb_ipcs_connection_t *c)
{
	struct ais_conn *conn = qb_ipcs_context_get(c);

	if (conn != NULL) {
		conn->closed = true;
	}
	return 0;
}

static void ipc_outq_high_update(struct ais_conn *conn)
{
	bool high = conn->outq_bytes > IPC_OUTQ_HIGH_BYTES;

	if (high && !conn->outq_high) {
		qb_list_add_tail(&conn->high_list, &ipc.high);
	} else if (!high && conn->outq_high) {
		qb_list_del(&conn->high_list);
		qb_list_init(&conn->high_list);
	}
	conn->outq_high = high;
}

static void ipc_outq_free(struct ais_conn *conn)
{
	struct ipc_event *ev, *tmp;

	qb_list_for_each_entry_safe(ev, tmp, &conn->outq, list) {
		qb_list_del(&ev->list);
		free(ev);
	}
	conn->slot->counters.events_queued -= conn->outq_events;
	conn->outq_events = 0;
	conn->outq_bytes = 0;
	ipc_outq_high_update(conn);
}

/*
 * Give the heap back after connections closed. Each connection's buffers
 * (libqb's receive buffer of the ring size, ours, the engine's) come from
 * the heap when they are below the mmap threshold; after a burst of closes
 * the freed memory sits between live blocks and glibc keeps it (72 MB after
 * 500 connections, docs/PERFORMANCE.md). malloc_trim returns the free pages
 * to the kernel; it runs once, IPC_TRIM_DELAY_MS after the last close of a
 * burst, from the loop.
 */
static void ipc_trim_fn(void *data)
{
	(void)data;
	ipc.trim_armed = false;
	(void)malloc_trim(0);
}

static void ipc_trim_arm(void)
{
	if (ipc.trim_armed) {
		(void)timers_del(exec_rt.timers, ipc.trim_timer);
	}
	ipc.trim_armed = timers_add(exec_rt.timers, IPC_TRIM_DELAY_MS, ipc_trim_fn, NULL, &ipc.trim_timer) == 0;
}

static void ipc_connection_destroyed(qb_ipcs_connection_t *c)
{
	struct ais_conn *conn = qb_ipcs_context_get(c);

	if (conn == NULL) {
		return;
	}
	if (conn->inited && conn->slot->engine->lib_exit_fn != NULL) {
		conn->slot->engine->lib_exit_fn(conn);
	}
	if (conn->drain_armed) {
		(void)timers_del(exec_rt.timers, conn->drain_timer);
	}
	ipc_outq_free(conn);
	ipc_batch_free(conn);
	qb_map_rm(ipc.conns, conn->key);
	conn->slot->counters.connections--;
	qb_ipcs_context_set(c, NULL);
	ais_log(LOG_DEBUG, "%s client gone: conn %" PRIu64, conn->slot->engine->name, conn->id);
	free(conn->priv);
	free(conn);
	ipc_trim_arm();
}

/* ---- requests --------------------------------------------------------- */

static size_t ipc_drain(struct ais_conn *conn);

/* A response that could not be sent leaves the client waiting for it and
 * the channel out of step: disconnect it, so that it learns at once. */
static ssize_t ipc_response_sent(struct ais_conn *conn, ssize_t r)
{
	if (r < 0 && !conn->disconnect_pending && !conn->closed) {
		ais_log(LOG_WARNING, "%s client pid %d (conn %" PRIu64 "): cannot send a response: %s;"
			" disconnecting it", conn->slot->engine->name, (int)conn->pid, conn->id,
			strerror((int)-r));
		ipc_conn_disconnect(conn);
	}
	return r;
}

static void ipc_error_send(struct ais_conn *conn, int32_t id, int err)
{
	SaAisErrorT code = ais_error_from_errno(err);
	struct qb_ipc_response_header r = {
		.id = id,
		.size = (int32_t)sizeof(r),
		.error = (int32_t)code,
	};

	ipc_batch_flush(conn);
	(void)ipc_response_sent(conn, ais_inject_syscall(AIS_INJECT_IPC_SEND)
					      ? -errno
					      : qb_ipcs_response_send(conn->c, &r, sizeof(r)));
}

static bool ipc_flow_ok(size_t len)
{
	if (exec_rt.sync != NULL && sync_in_progress(exec_rt.sync)) {
		return false;
	}
	if (ipc_outq_backpressure()) {
		return false;
	}
	return exec_rt.pg != NULL && pg_send_ok(exec_rt.pg, len > IPC_FC_MIN_LEN ? len : IPC_FC_MIN_LEN);
}

static void ipc_fc_update(void);

/* AIS_IPC_REQ_FEATURES (ais/ipc.h): the IPC layer's own request. */
static void ipc_features(struct ais_conn *conn, const void *data, size_t size)
{
	struct ais_ipc_req_features req;
	struct ais_ipc_res_features res;

	if (size != sizeof(req)) {
		conn->slot->counters.lib_errors++;
		ipc_error_send(conn, AIS_IPC_RESPONSE_ERROR, -EINVAL);
		return;
	}
	memcpy(&req, data, sizeof(req));
	conn->batch_ok = (req.features & AIS_IPC_FEATURE_EVENT_BATCH) != 0;
	memset(&res, 0, sizeof(res));
	res.header.id = AIS_IPC_RES_FEATURES;
	res.header.size = (int32_t)sizeof(res);
	res.header.error = SA_AIS_OK;
	res.features = conn->batch_ok ? AIS_IPC_FEATURE_EVENT_BATCH : 0;
	(void)ipc_response_send(conn, &res, sizeof(res));
}

static int32_t ipc_msg_process(qb_ipcs_connection_t *c, void *data, size_t size)
{
	struct ais_conn *conn = qb_ipcs_context_get(c);
	const struct ais_lib_handler *h = NULL;
	int32_t response_id = AIS_IPC_RESPONSE_ERROR;
	uint64_t suppressed = 0;
	int r;

	if (conn == NULL || !conn->inited) {
		return 0;
	}
	if (!qb_list_empty(&conn->outq)) {
		/* a client that sends is running: it may have read its ring */
		(void)ipc_drain(conn);
	}
	if ((uintptr_t)data % _Alignof(struct qb_ipc_request_header) != 0) {
		/* libqb's ring keeps requests 4-byte aligned only; handlers read
		 * them as structs of 8-byte alignment */
		if (ipc.aligned == NULL) {
			ipc.aligned = ais_malloc(AIS_IPC_MSG_MAX);
		}
		if (ipc.aligned == NULL || size > AIS_IPC_MSG_MAX) {
			conn->slot->counters.lib_errors++;
			ipc_error_send(conn, AIS_IPC_RESPONSE_ERROR, size > AIS_IPC_MSG_MAX ? -EMSGSIZE : -ENOMEM);
			return 0;
		}
		memcpy(ipc.aligned, data, size);
		data = ipc.aligned;
	}
	conn->slot->counters.lib_requests++;
	if (size >= sizeof(struct qb_ipc_request_header) &&
	    ((const struct qb_ipc_request_header *)data)->id == AIS_IPC_REQ_FEATURES) {
		ipc_features(conn, data, size);
		return 0;
	}
	r = service_lib_check(conn->slot->engine, data, size, &h, &response_id);
	if (r < 0) {
		ipc.stats.requests_bad++;
		conn->slot->counters.lib_errors++;
		if (logsys_ratelimit_ok(&ipc.rl_bad, logsys_now_us(), &suppressed)) {
			ais_log(LOG_WARNING, "%s: refused a malformed request of %zu bytes from pid %d",
				conn->slot->engine->name, size, (int)conn->pid);
		}
		ipc_error_send(conn, response_id, r);
		return 0;
	}
	if (h->flow_control && !ipc_flow_ok(size)) {
		ipc.stats.requests_try_again++;
		conn->slot->counters.lib_errors++;
		ipc_error_send(conn, h->response_id, -EAGAIN);
		ipc_fc_update();
		return 0;
	}
	r = h->fn(conn, data, size);
	if (r < 0) {
		conn->slot->counters.lib_errors++;
		ipc_error_send(conn, h->response_id, r);
	}
	if (h->flow_control) {
		ipc_fc_update();
	}
	return 0;
}

static struct qb_ipcs_service_handlers ipc_handlers = {
	.connection_accept = ipc_connection_accept,
	.connection_created = ipc_connection_created,
	.msg_process = ipc_msg_process,
	.connection_closed = ipc_connection_closed,
	.connection_destroyed = ipc_connection_destroyed,
};

/* ---- events ----------------------------------------------------------- */

static void ipc_drain_timer_fn(void *data);

static void ipc_drain_arm(struct ais_conn *conn)
{
	if (conn->drain_armed) {
		return;
	}
	if (timers_add(exec_rt.timers, conn->drain_delay_ms, ipc_drain_timer_fn, conn, &conn->drain_timer) == 0) {
		conn->drain_armed = true;
	}
}

/** Move queued events into the ring while it takes them; how many moved. */
static size_t ipc_drain(struct ais_conn *conn)
{
	size_t moved = 0;

	while (!qb_list_empty(&conn->outq)) {
		struct ipc_event *ev = qb_list_first_entry(&conn->outq, struct ipc_event, list);
		ssize_t r = ais_inject_syscall(AIS_INJECT_IPC_SEND) ? -errno
							   : qb_ipcs_event_send(conn->c, ev->data, ev->len);
		if (r == -EAGAIN || r == -ENOBUFS) {
			break;
		}
		if (r < 0) {
			/* the client is going away: its queue goes with it */
			ipc_outq_free(conn);
			return moved;
		}
		qb_list_del(&ev->list);
		conn->outq_events--;
		conn->outq_bytes -= ev->len + IPC_EVENT_OVERHEAD;
		conn->slot->counters.events_queued--;
		free(ev);
		moved++;
	}
	if (moved > 0) {
		conn->outq_progress_us = logsys_now_us();
		conn->drain_delay_ms = IPC_DRAIN_MIN_MS;
		ipc_outq_high_update(conn);
	}
	return moved;
}

static void ipc_drain_timer_fn(void *data)
{
	struct ais_conn *conn = data;

	conn->drain_armed = false;
	if (ipc_drain(conn) == 0 && conn->drain_delay_ms < IPC_DRAIN_MAX_MS) {
		/* the client is not reading: retry less often */
		conn->drain_delay_ms *= 2;
	}
	if (!qb_list_empty(&conn->outq)) {
		ipc_drain_arm(conn);
	}
}

static uint64_t ipc_outq_stall_ms(const struct ais_conn *conn, uint64_t now_us)
{
	if (qb_list_empty(&conn->outq) || now_us < conn->outq_progress_us) {
		return 0;
	}
	return (now_us - conn->outq_progress_us) / 1000;
}

static void ipc_outq_refused_log(struct ais_conn *conn, size_t len, uint64_t stall_ms)
{
	if (conn->outq_refused_logged) {
		return;
	}
	conn->outq_refused_logged = true;
	ais_log(LOG_WARNING,
		"%s client pid %d (conn %" PRIu64 ") refused an event of %zu bytes: %zu events, %zu bytes"
		" queued (bound %u, high %u), no progress for %" PRIu64 ".%03u s",
		conn->slot->engine->name, (int)conn->pid, conn->id, len, conn->outq_events,
		conn->outq_bytes, IPC_OUTQ_MAX_BYTES, IPC_OUTQ_HIGH_BYTES, stall_ms / 1000,
		(unsigned)(stall_ms % 1000));
}

static int ipc_event_enqueue(struct ais_conn *conn, const struct iovec *iov, size_t iovcnt, size_t len)
{
	struct ipc_event *ev;
	size_t off = 0;
	uint64_t now = logsys_now_us();
	uint64_t stall_ms = ipc_outq_stall_ms(conn, now);

	if (ipc_outq_admit(conn->outq_bytes, len, stall_ms) < 0) {
		conn->slot->counters.events_dropped++;
		ipc_outq_refused_log(conn, len, stall_ms);
		return -ENOBUFS;
	}
	ev = ais_malloc(sizeof(*ev) + len);
	if (ev == NULL) {
		conn->slot->counters.events_dropped++;
		return -ENOMEM;
	}
	for (size_t i = 0; i < iovcnt; i++) {
		memcpy(ev->data + off, iov[i].iov_base, iov[i].iov_len);
		off += iov[i].iov_len;
	}
	ev->len = len;
	if (qb_list_empty(&conn->outq)) {
		conn->outq_progress_us = now;
		conn->drain_delay_ms = IPC_DRAIN_MIN_MS;
	}
	qb_list_add_tail(&ev->list, &conn->outq);
	conn->outq_events++;
	conn->outq_bytes += len + IPC_EVENT_OVERHEAD;
	conn->slot->counters.events_queued++;
	ipc_outq_high_update(conn);
	ipc_drain_arm(conn);
	return 0;
}

/* Below batching: straight into the ring, or into outq while the ring is
 * full (or outq already holds events: they go first). */
static int ipc_event_push(struct ais_conn *conn, const struct iovec *iov, size_t iovcnt, size_t len)
{
	ssize_t r;

	if (!qb_list_empty(&conn->outq)) {
		/* the client may have read since the last attempt */
		(void)ipc_drain(conn);
	}
	if (qb_list_empty(&conn->outq)) {
		r = ais_inject_syscall(AIS_INJECT_IPC_SEND) ? -errno : qb_ipcs_event_sendv(conn->c, iov, iovcnt);
		if (r >= 0) {
			return 0;
		}
		if (r != -EAGAIN && r != -ENOBUFS) {
			return (int)r;
		}
	}
	return ipc_event_enqueue(conn, iov, iovcnt, len);
}

/* ---- event batches ---------------------------------------------------- */

/*
 * Events for a client that asked for batches (AIS_IPC_FEATURE_EVENT_BATCH)
 * are collected while the loop works through one wake-up (a token visit
 * delivers many messages to the same clients) and leave together at the
 * end of the transport's entry point that delivered them
 * (ipc_batch_flush_all, from the transport's end hook), or from a loop job
 * for events made elsewhere: one libqb event, one notification and one
 * wake-up of the client for the lot. A batch is only
 * filled while the connection's outq is empty, so every event it holds was
 * admitted against an empty queue, and it is flushed before any event that
 * does not join it and before every response to that client, so no event
 * overtakes another and a response never overtakes an event sent before it.
 */
#define IPC_BATCH_BYTES (64u * 1024)     /**< a batch's bound, header included */
#define IPC_BATCH_EVENT_MAX (8u * 1024)  /**< larger events go alone */
#define IPC_BATCH_CAP_MIN 4096u
#define IPC_BATCH_CAP_KEEP (16u * 1024)  /**< a larger buffer is freed after its flush */

static void ipc_batch_free(struct ais_conn *conn)
{
	if (conn->batch_n > 0) {
		qb_list_del(&conn->batch_list);
		qb_list_init(&conn->batch_list);
	}
	free(conn->batch);
	conn->batch = NULL;
	conn->batch_cap = 0;
	conn->batch_len = 0;
	conn->batch_n = 0;
}

/* Send what the batch holds: one event as itself, more as a batch. */
static void ipc_batch_flush(struct ais_conn *conn)
{
	struct qb_ipc_response_header hdr;
	struct iovec iov;
	uint32_t n = conn->batch_n;
	int r;

	if (n == 0) {
		return;
	}
	qb_list_del(&conn->batch_list);
	qb_list_init(&conn->batch_list);
	if (n == 1) {
		memcpy(&hdr, conn->batch + AIS_IPC_BATCH_FIRST, sizeof(hdr));
		iov.iov_base = conn->batch + AIS_IPC_BATCH_FIRST;
		iov.iov_len = (size_t)hdr.size;
	} else {
		memset(&hdr, 0, sizeof(hdr));
		hdr.id = AIS_IPC_EVENT_BATCH;
		hdr.size = (int32_t)conn->batch_len;
		hdr.error = (int32_t)n;
		memcpy(conn->batch, &hdr, sizeof(hdr));
		iov.iov_base = conn->batch;
		iov.iov_len = conn->batch_len;
	}
	r = ipc_event_push(conn, &iov, 1, iov.iov_len);
	conn->batch_n = 0;
	conn->batch_len = 0;
	if (conn->batch_cap > IPC_BATCH_CAP_KEEP) {
		free(conn->batch);
		conn->batch = NULL;
		conn->batch_cap = 0;
	}
	if (r < 0 && !conn->closed && !conn->disconnect_pending) {
		/* the engines were told these events were taken: a client that
		 * misses them must not stay connected as if it had them */
		conn->slot->counters.events_dropped += n;
		ais_log(LOG_WARNING, "%s client pid %d (conn %" PRIu64 "): %u events could not be sent: %s;"
			" disconnecting it", conn->slot->engine->name, (int)conn->pid, conn->id, n,
			strerror(-r));
		ipc_conn_disconnect(conn);
	}
}

void ipc_batch_flush_all(void)
{
	while (!qb_list_empty(&ipc.batching)) {
		ipc_batch_flush(qb_list_first_entry(&ipc.batching, struct ais_conn, batch_list));
	}
}

static void ipc_batch_job(void *data)
{
	(void)data;
	ipc.batch_job_queued = false;
	ipc_batch_flush_all();
}

/* May this event join conn's batch? Only whole events whose header says
 * their true size (the client finds the next one by it). */
static bool ipc_batch_takes(const struct ais_conn *conn, const struct iovec *iov, size_t len)
{
	struct qb_ipc_response_header hdr;

	if (!conn->batch_ok || conn->closed || conn->disconnect_pending || len > IPC_BATCH_EVENT_MAX ||
	    iov[0].iov_len < sizeof(hdr) || !qb_list_empty(&conn->outq)) {
		return false;
	}
	memcpy(&hdr, iov[0].iov_base, sizeof(hdr));
	return hdr.size >= 0 && (size_t)hdr.size == len;
}

static int ipc_batch_add(struct ais_conn *conn, const struct iovec *iov, size_t iovcnt, size_t len)
{
	size_t used = conn->batch_n > 0 ? conn->batch_len : AIS_IPC_BATCH_FIRST;
	size_t end = ais_ipc_batch_next(used, len);
	uint8_t *p;

	if (end > IPC_BATCH_BYTES) {
		ipc_batch_flush(conn);
		used = AIS_IPC_BATCH_FIRST;
		end = ais_ipc_batch_next(used, len);
	}
	if (end > conn->batch_cap) {
		size_t cap = conn->batch_cap > 0 ? conn->batch_cap : IPC_BATCH_CAP_MIN;

		while (cap < end) {
			cap *= 2;
		}
		p = realloc(conn->batch, cap);
		if (p == NULL) {
			return -ENOMEM;
		}
		conn->batch = p;
		conn->batch_cap = cap;
	}
	p = conn->batch + used;
	for (size_t i = 0; i < iovcnt; i++) {
		memcpy(p, iov[i].iov_base, iov[i].iov_len);
		p += iov[i].iov_len;
	}
	memset(p, 0, end - used - len); /* the padding goes to the client too */
	conn->batch_len = end;
	if (conn->batch_n++ == 0) {
		qb_list_add_tail(&conn->batch_list, &ipc.batching);
		if (!ipc.batch_job_queued && !ipc.stopping &&
		    qb_loop_job_add(exec_rt.loop, QB_LOOP_HIGH, NULL, ipc_batch_job) == 0) {
			ipc.batch_job_queued = true;
		}
	}
	return 0;
}

int ipc_eventv_send(ais_conn_t *conn, const struct iovec *iov, size_t iovcnt)
{
	size_t len = 0;

	for (size_t i = 0; i < iovcnt; i++) {
		len += iov[i].iov_len;
	}
	if (len > AIS_IPC_MSG_MAX) {
		return -EMSGSIZE;
	}
	if (ipc_batch_takes(conn, iov, len) && ipc_batch_add(conn, iov, iovcnt, len) == 0) {
		if (!ipc.batch_job_queued) {
			/* no job to send it later: now */
			ipc_batch_flush(conn);
		}
		return 0;
	}
	ipc_batch_flush(conn);
	return ipc_event_push(conn, iov, iovcnt, len);
}

bool ipc_outq_backpressure(void)
{
	struct ais_conn *conn;
	uint64_t now;

	if (qb_list_empty(&ipc.high)) {
		return false;
	}
	now = logsys_now_us();
	qb_list_for_each_entry(conn, &ipc.high, high_list) {
		if (ipc_outq_stall_ms(conn, now) < IPC_OUTQ_STALL_MS) {
			return true;
		}
	}
	return false;
}

int ipc_event_send(ais_conn_t *conn, const void *msg, size_t len)
{
	struct iovec iov = { .iov_base = (void *)(uintptr_t)msg, .iov_len = len };

	return ipc_eventv_send(conn, &iov, 1);
}

int ipc_responsev_send(ais_conn_t *conn, const struct iovec *iov, size_t iovcnt)
{
	ssize_t r;

	ipc_batch_flush(conn);
	r = ais_inject_syscall(AIS_INJECT_IPC_SEND) ? -errno : qb_ipcs_response_sendv(conn->c, iov, iovcnt);

	return ipc_response_sent(conn, r) < 0 ? (int)r : 0;
}

int ipc_response_send(ais_conn_t *conn, const void *msg, size_t len)
{
	ssize_t r;

	ipc_batch_flush(conn);
	r = ais_inject_syscall(AIS_INJECT_IPC_SEND) ? -errno : qb_ipcs_response_send(conn->c, msg, len);

	return ipc_response_sent(conn, r) < 0 ? (int)r : 0;
}

void *ipc_conn_private(ais_conn_t *conn)
{
	return conn->priv;
}

uint64_t ipc_conn_id(ais_conn_t *conn)
{
	return conn->id;
}

ais_conn_t *ipc_conn_lookup(uint64_t conn_id)
{
	char key[24];

	if (ipc.conns == NULL) {
		return NULL;
	}
	snprintf(key, sizeof(key), "%016" PRIx64, conn_id);
	return qb_map_get(ipc.conns, key);
}

void ipc_conn_credentials(ais_conn_t *conn, pid_t *ret_pid, uid_t *ret_uid, gid_t *ret_gid)
{
	if (ret_pid != NULL) {
		*ret_pid = conn->pid;
	}
	if (ret_uid != NULL) {
		*ret_uid = conn->uid;
	}
	if (ret_gid != NULL) {
		*ret_gid = conn->gid;
	}
}

static void ipc_disconnect_job(void *data)
{
	struct ais_conn *conn = data;
	qb_ipcs_connection_t *c = conn->c;

	conn->disconnect_pending = false;
	qb_list_del(&conn->disconnect_list);
	qb_list_init(&conn->disconnect_list);
	/*
	 * The client may have gone away on its own since the disconnect was
	 * asked for: libqb then already ran its disconnect, and a second
	 * qb_ipcs_disconnect on a connection that is shutting down drops the
	 * initial reference once more, freeing the connection under the
	 * reference this job holds.
	 */
	if (!conn->closed) {
		qb_ipcs_disconnect(c);
	}
	/* may run the destroyed callback, which frees conn */
	qb_ipcs_connection_unref(c);
}

/* The disconnect runs from the loop, not from here: qb_ipcs_disconnect can
 * free the connection (and the engine's private data, after its lib_exit_fn)
 * at once, and engines call this while walking their lists of connections.
 * The reference taken here keeps conn valid until the job has run. */
void ipc_conn_disconnect(ais_conn_t *conn)
{
	/* closed: already on its way out (also while lib_exit_fn runs, from the
	 * destroyed callback, when a reference may no longer be taken) */
	if (conn->disconnect_pending || conn->closed) {
		return;
	}
	qb_ipcs_connection_ref(conn->c);
	if (qb_loop_job_add(exec_rt.loop, QB_LOOP_HIGH, conn, ipc_disconnect_job) != 0) {
		ais_log(LOG_ERR, "cannot queue the disconnect of conn %" PRIu64 ": client left connected",
			conn->id);
		qb_ipcs_connection_unref(conn->c);
		return;
	}
	conn->disconnect_pending = true;
	qb_list_add_tail(&conn->disconnect_list, &ipc.disconnecting);
}

/* ---- flow control ----------------------------------------------------- */

static enum qb_ipcs_rate_limit ipc_rate_for_level(uint32_t level)
{
	if (level < 25) {
		return QB_IPCS_RATE_FAST;
	}
	if (level < 50) {
		return QB_IPCS_RATE_NORMAL;
	}
	if (level < 75) {
		return QB_IPCS_RATE_SLOW;
	}
	return QB_IPCS_RATE_OFF;
}

static void ipc_fc_tick(void *data);

/*
 * The request rate (libqb's poll priority and requests per dispatch) follows
 * the send queue level: checked after every request, and every
 * IPC_FC_PERIOD_MS by a timer only while the rate is below FAST (the queue
 * drains on token visits, without a request to notice it). A daemon whose
 * queue is short has no periodic timer here.
 */
static void ipc_fc_update(void)
{
	enum qb_ipcs_rate_limit rate;

	rate = exec_rt.pg != NULL ? ipc_rate_for_level(pg_queue_level(exec_rt.pg)) : QB_IPCS_RATE_NORMAL;
	if (rate != ipc.rate) {
		for (uint32_t id = 0; id < AIS_SERVICE_ID_MAX; id++) {
			struct service_slot *s = service_slot_get(id);
			if (s != NULL && s->ipc != NULL) {
				qb_ipcs_request_rate_limit(s->ipc, rate);
			}
		}
		ipc.rate = rate;
	}
	if (rate != QB_IPCS_RATE_FAST && !ipc.fc_armed && !ipc.stopping &&
	    timers_add(exec_rt.timers, IPC_FC_PERIOD_MS, ipc_fc_tick, NULL, &ipc.fc_timer) == 0) {
		ipc.fc_armed = true;
	}
}

static void ipc_fc_tick(void *data)
{
	(void)data;
	ipc.fc_armed = false;
	ipc_fc_update();
}

/* ---- start / stop ----------------------------------------------------- */

size_t ipc_buffer_size_of(const struct ais_service_engine *e)
{
	return e->ipc_buffer_size != 0 ? e->ipc_buffer_size : IPC_BUFFER_SIZE_DEFAULT;
}

static int ipc_service_start(struct service_slot *slot, char *err, size_t errlen)
{
	char name[AIS_IPC_NAME_MAX];
	qb_ipcs_service_t *s;
	int r;

	if (exec_rt.instance[0] != '\0') {
		snprintf(name, sizeof(name), "ais-%s-%s", exec_rt.instance, slot->engine->name);
	} else {
		snprintf(name, sizeof(name), "ais-%s", slot->engine->name);
	}
	s = qb_ipcs_create(name, slot->engine->id, QB_IPC_NATIVE, &ipc_handlers);
	if (s == NULL) {
		snprintf(err, errlen, "cannot create IPC service %s", name);
		return -ENOMEM;
	}
	qb_ipcs_service_context_set(s, slot);
	/* each of a connection's three rings: the engine's size (its largest
	 * message), checked by service_register; a client asking for more
	 * gets more (libqb takes the larger), asking for less gets this */
	qb_ipcs_enforce_buffer_size(s, (uint32_t)ipc_buffer_size_of(slot->engine));
	qb_ipcs_poll_handlers_set(s, &ipc_poll_handlers);
	r = qb_ipcs_run(s);
	if (r < 0) {
		snprintf(err, errlen, "cannot start IPC service %s: %s (another daemon of this instance?)",
			 name, strerror(-r));
		qb_ipcs_destroy(s);
		return r;
	}
	qb_ipcs_request_rate_limit(s, ipc.rate);
	slot->ipc = s;
	ais_log(LOG_DEBUG, "IPC service %s ready", name);
	return 0;
}

int ipc_start(char *err, size_t errlen)
{
	/*
	 * A fixed mmap threshold: glibc otherwise raises it to the size of the
	 * largest mmapped block freed (a closed connection's 1 MiB receive
	 * buffer), after which every such buffer comes from the heap and stays
	 * there once freed. Fixed, blocks from 128 KiB up are mapped and
	 * unmapped with their connection.
	 */
	(void)mallopt(M_MMAP_THRESHOLD, IPC_MMAP_THRESHOLD);
	ipc.stopping = false;
	ipc.conns = qb_hashtable_create(64);
	if (ipc.conns == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (uint32_t id = 0; id < AIS_SERVICE_ID_MAX; id++) {
		struct service_slot *s = service_slot_get(id);
		if (s != NULL) {
			int r = ipc_service_start(s, err, errlen);
			if (r < 0) {
				ipc_stop();
				return r;
			}
		}
	}
	ipc_fc_update();
	return 0;
}

void ipc_stop(void)
{
	ipc.stopping = true;
	if (ipc.batch_job_queued) {
		(void)qb_loop_job_del(exec_rt.loop, QB_LOOP_HIGH, NULL, ipc_batch_job);
		ipc.batch_job_queued = false;
	}
	if (ipc.fc_armed) {
		(void)timers_del(exec_rt.timers, ipc.fc_timer);
		ipc.fc_armed = false;
	}
	while (!qb_list_empty(&ipc.disconnecting)) {
		/* their jobs will not run: give back the references they hold,
		 * the destroy below disconnects them */
		struct ais_conn *conn = qb_list_first_entry(&ipc.disconnecting, struct ais_conn, disconnect_list);
		qb_ipcs_connection_t *c = conn->c;

		(void)qb_loop_job_del(exec_rt.loop, QB_LOOP_HIGH, conn, ipc_disconnect_job);
		conn->disconnect_pending = false;
		qb_list_del(&conn->disconnect_list);
		qb_list_init(&conn->disconnect_list);
		qb_ipcs_connection_unref(c);
	}
	for (uint32_t id = 0; id < AIS_SERVICE_ID_MAX; id++) {
		struct service_slot *s = service_slot_get(id);
		if (s != NULL && s->ipc != NULL) {
			/* destroy disconnects every client: lib_exit_fn runs for each */
			qb_ipcs_destroy(s->ipc);
			s->ipc = NULL;
		}
	}
	if (ipc.trim_armed) {
		(void)timers_del(exec_rt.timers, ipc.trim_timer);
		ipc.trim_armed = false;
	}
	if (ipc.conns != NULL) {
		qb_map_destroy(ipc.conns);
		ipc.conns = NULL;
	}
	free(ipc.aligned);
	ipc.aligned = NULL;
}

void ipc_stats_get(struct ipc_stats *ret)
{
	*ret = ipc.stats;
}
