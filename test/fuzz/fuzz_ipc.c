/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: client requests, the bytes any local process may send over
 * libqb IPC, through the daemon's real request path: the router's header
 * check and handler lookup (service_lib_check() in exec/service.c, what
 * exec/ipc.c calls for every request) and then the lib handlers of the real
 * engines (cfg, clm, evt, amf, cpg and the example plugin). What the handlers
 * multicast goes back through the real router (service_exec_deliver()) to
 * the exec handlers, in order, as totem would deliver it on a one-node ring;
 * a configuration change runs the real sync protocol (exec/sync.c) over the
 * engines' sync hooks. Only libqb, the executive's transport and the disk
 * are doubles: the api table here records answers and checks that each is
 * well formed, and the event id store (api counter_*) is durable at once, so
 * a run does not depend on a writer thread's timing.
 *
 * Input: a sequence of records, so that state-dependent paths are reached
 * (open, join, mcast, leave, close):
 *   byte op: op & 7 picks the engine (0 cfg, 1 clm, 2 evt, 3 amf, 4 cpg,
 *            5 example), 6 a control action, 7 toggles "totem queue full";
 *            (op >> 3) & 3 picks the connection (three per engine);
 *            op & 0x20 also delivers the request's cluster messages as if
 *            node 2 had sent them.
 *   request: qb_ipc_request_header + body. The record takes header.size
 *            bytes when that fits in what is left, else the rest of the
 *            input (the router then sees size != length).
 *   control: one more byte: & 3 = 0 fire the pending timers, 1 close a
 *            connection ((arg >> 2) % 6 engine, (arg >> 5) % 3 connection),
 *            2 node 2 joins, 3 node 2 leaves.
 * fuzz_ipc_seeds.c writes the seed corpus.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qb/qbipc_common.h>
#include <qb/qblog.h>
#include <ais/error.h>
#include <ais/ipc.h>
#include <ais/service.h>

#include "fuzz_admin.h"
#include "runtime.h"
#include "service.h"
#include "sync.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct ais_service_engine ais_cfg_engine;
extern const struct ais_service_engine ais_clm_engine;
extern const struct ais_service_engine ais_evt_engine;
extern const struct ais_service_engine ais_amf_engine;
extern const struct ais_service_engine ais_cpg_engine;
/* services/example.c, linked in instead of dlopen()ed */
const struct ais_service_engine *ais_service_engine_get(void);

struct exec_runtime exec_rt;

#define FZ_ENGINES 6
#define FZ_CONNS 3
#define FZ_QUEUE_MAX 256       /* messages waiting for delivery */
#define FZ_EVENTS_MAX 64       /* events a connection may have queued */
#define FZ_TIMERS_MAX 64
#define FZ_DELIVER_MAX 4096    /* deliveries per record: engines must settle */
#define FZ_REQUESTS_MAX 64     /* records per input */

struct fz_conn {
	bool open;
	bool closing;            /* conn_disconnect() was called */
	unsigned engine;
	uint64_t id;
	void *priv;
	size_t events;
};

struct fz_msg {
	struct fz_msg *next;
	size_t len;
	bool prio;               /* sync traffic: never held back */
	uint8_t data[];
};

struct fz_timer {
	uint64_t handle;
	void (*fn)(void *data);
	void *data;
};

static struct {
	const struct ais_service_engine *engines[FZ_ENGINES];
	struct fz_conn conns[FZ_ENGINES][FZ_CONNS];
	uint64_t next_conn_id;
	struct fz_msg *head, *tail;
	size_t queued;
	bool queue_full;
	struct fz_timer timers[FZ_TIMERS_MAX];
	uint64_t next_timer;
	struct sync *sync;
	bool sync_scheduled;
	ais_nodeid_t members[2];
	size_t n_members;
	struct ais_ring_id ring_id;
	bool ready;
	bool trace;              /* FUZZ_IPC_TRACE set: print every answer */
} fz;

/* --- the api ------------------------------------------------------------ */

static struct fz_conn *fz_conn_of(ais_conn_t *conn)
{
	struct fz_conn *c = (struct fz_conn *)(void *)conn;

	/* a handler may only talk to connections that are open */
	for (unsigned e = 0; e < FZ_ENGINES; e++)
		for (unsigned i = 0; i < FZ_CONNS; i++)
			if (c == &fz.conns[e][i] && c->open)
				return c;
	abort();
}

static ais_nodeid_t fz_local_nodeid(void)
{
	return 1;
}

static size_t fz_members_get(struct ais_ring_id *ret_ring_id, ais_nodeid_t *ret_members, size_t max)
{
	*ret_ring_id = fz.ring_id;
	for (size_t i = 0; i < fz.n_members && i < max; i++)
		ret_members[i] = fz.members[i];
	return fz.n_members;
}

static size_t fz_iov_len(const struct iovec *iov, size_t iovcnt)
{
	size_t len = 0;

	for (size_t i = 0; i < iovcnt; i++)
		len += iov[i].iov_len;
	return len;
}

static int fz_queue(const struct iovec *iov, size_t iovcnt, bool prio)
{
	size_t len = fz_iov_len(iov, iovcnt), at = 0;
	struct fz_msg *m;

	if (fz.queued >= FZ_QUEUE_MAX || (fz.queue_full && !prio))
		return -EAGAIN;
	m = malloc(sizeof(*m) + len);
	if (!m)
		return -ENOMEM;
	for (size_t i = 0; i < iovcnt; i++) {
		memcpy(m->data + at, iov[i].iov_base, iov[i].iov_len);
		at += iov[i].iov_len;
	}
	m->len = len;
	m->prio = prio;
	m->next = NULL;
	if (fz.tail)
		fz.tail->next = m;
	else
		fz.head = m;
	fz.tail = m;
	fz.queued++;
	return 0;
}

static int fz_mcast(const struct iovec *iov, size_t iovcnt, enum ais_guarantee g)
{
	struct ais_exec_header h;
	size_t len = fz_iov_len(iov, iovcnt);
	uint32_t svc;

	/* what exec/api.c would refuse is an engine bug here */
	if (iovcnt == 0 || iov[0].iov_len < sizeof(h) || (g != AIS_GUARANTEE_AGREED && g != AIS_GUARANTEE_SAFE))
		abort();
	memcpy(&h, iov[0].iov_base, sizeof(h));
	svc = le32toh(h.id) >> 16;
	if (le32toh(h.size) != len || svc >= AIS_SERVICE_ID_MAX || svc == SYNC_SERVICE_ID || len > AIS_IPC_MSG_MAX)
		abort();
	return fz_queue(iov, iovcnt, fz.sync && sync_in_process_step(fz.sync));
}

static bool fz_mcast_ok(size_t len)
{
	return !fz.queue_full && fz.queued < FZ_QUEUE_MAX && len <= AIS_IPC_MSG_MAX;
}

static void fz_answer_check(ais_conn_t *conn, const struct iovec *iov, size_t iovcnt)
{
	struct qb_ipc_response_header h;
	size_t len = fz_iov_len(iov, iovcnt);
	volatile uint8_t sum = 0;

	fz_conn_of(conn);
	if (iovcnt == 0 || iov[0].iov_len < sizeof(h) || len > AIS_IPC_MSG_MAX)
		abort();
	memcpy(&h, iov[0].iov_base, sizeof(h));
	if (h.size < 0 || (size_t)h.size != len)
		abort();
	if (fz.trace)
		fprintf(stderr, "fuzz_ipc: engine %u conn %u: answer id %d error %d, %zu bytes\n",
			fz_conn_of(conn)->engine, (unsigned)(fz_conn_of(conn) - fz.conns[fz_conn_of(conn)->engine]),
			h.id, h.error, len);
	/* every byte sent must be initialised and inside its buffer */
	for (size_t i = 0; i < iovcnt; i++)
		for (size_t j = 0; j < iov[i].iov_len; j++)
			sum ^= ((const uint8_t *)iov[i].iov_base)[j];
	(void)sum;
}

static int fz_responsev_send(ais_conn_t *conn, const struct iovec *iov, size_t iovcnt)
{
	fz_answer_check(conn, iov, iovcnt);
	return 0;
}

static int fz_response_send(ais_conn_t *conn, const void *msg, size_t len)
{
	struct iovec iov = { .iov_base = (void *)(uintptr_t)msg, .iov_len = len };

	return fz_responsev_send(conn, &iov, 1);
}

static int fz_eventv_send(ais_conn_t *conn, const struct iovec *iov, size_t iovcnt)
{
	struct fz_conn *c = fz_conn_of(conn);

	fz_answer_check(conn, iov, iovcnt);
	if (c->events >= FZ_EVENTS_MAX)
		return -ENOBUFS;
	c->events++;
	return 0;
}

static int fz_event_send(ais_conn_t *conn, const void *msg, size_t len)
{
	struct iovec iov = { .iov_base = (void *)(uintptr_t)msg, .iov_len = len };

	return fz_eventv_send(conn, &iov, 1);
}

static void *fz_conn_private(ais_conn_t *conn)
{
	return fz_conn_of(conn)->priv;
}

static uint64_t fz_conn_id(ais_conn_t *conn)
{
	return fz_conn_of(conn)->id;
}

static ais_conn_t *fz_conn_lookup(uint64_t id)
{
	for (unsigned e = 0; e < FZ_ENGINES; e++)
		for (unsigned i = 0; i < FZ_CONNS; i++)
			if (fz.conns[e][i].open && fz.conns[e][i].id == id)
				return (ais_conn_t *)(void *)&fz.conns[e][i];
	return NULL;
}

static void fz_conn_credentials(ais_conn_t *conn, pid_t *ret_pid, uid_t *ret_uid, gid_t *ret_gid)
{
	struct fz_conn *c = fz_conn_of(conn);
	unsigned i = (unsigned)(c - fz.conns[c->engine]);

	/* the last connection of each engine is an unprivileged process */
	*ret_pid = (pid_t)(100 + c->engine * FZ_CONNS + i);
	*ret_uid = i == FZ_CONNS - 1 ? 65534 : 0;
	*ret_gid = *ret_uid;
}

static void fz_conn_disconnect(ais_conn_t *conn)
{
	fz_conn_of(conn)->closing = true;
}

static int fz_timer_add(uint32_t ms, void (*fn)(void *data), void *data, uint64_t *ret_handle)
{
	(void)ms;
	if (!fn)
		abort();
	for (size_t i = 0; i < FZ_TIMERS_MAX; i++) {
		if (fz.timers[i].fn == NULL) {
			fz.timers[i].fn = fn;
			fz.timers[i].data = data;
			fz.timers[i].handle = ++fz.next_timer;
			*ret_handle = fz.timers[i].handle;
			return 0;
		}
	}
	return -ENOMEM;
}

static void fz_timer_del(uint64_t handle)
{
	for (size_t i = 0; i < FZ_TIMERS_MAX; i++)
		if (fz.timers[i].fn && fz.timers[i].handle == handle)
			fz.timers[i].fn = NULL;
}

static bool fz_sync_in_progress(void)
{
	return fz.sync && sync_in_progress(fz.sync);
}

static void fz_shutdown_request(void)
{
}

/* --- the disk: a counter file that is durable at once -------------------- */

struct ais_counter_file {
	uint64_t durable;
};

static struct ais_counter_file fz_counter;

static int fz_counter_read(const char *path, uint64_t *ret_value)
{
	(void)path;
	*ret_value = 0;
	return 0;
}

static int fz_counter_start(const char *path, struct ais_counter_file **ret)
{
	(void)path;
	fz_counter.durable = 0;
	*ret = &fz_counter;
	return 0;
}

static void fz_counter_store(struct ais_counter_file *c, uint64_t value)
{
	if (value > c->durable)
		c->durable = value;
}

static uint64_t fz_counter_durable(struct ais_counter_file *c, int *ret_error)
{
	if (ret_error)
		*ret_error = 0;
	return c->durable;
}

static int fz_counter_stop(struct ais_counter_file *c)
{
	(void)c;
	return 0;
}

/* --- the rest of the executive: no fds, no signals, no configuration ------ */

static int fz_fd_add(int fd, int events, int (*fn)(int fd, int revents, void *data), void *data)
{
	(void)fd, (void)events, (void)fn, (void)data;
	return -ENOSYS;
}

static int fz_fd_del(int fd)
{
	(void)fd;
	return -ENOENT;
}

static int fz_signal_add(int sig, int (*fn)(int sig, void *data), void *data, uint64_t *ret_handle)
{
	(void)sig, (void)fn, (void)data, (void)ret_handle;
	return -ENOSYS;
}

static void fz_signal_del(uint64_t handle)
{
	(void)handle;
}

static const char *fz_config_path(void)
{
	return "";
}

/* AMF stays disabled: no amf.conf, no component processes */
static const char *fz_config_value(const char *section, const char *key)
{
	(void)section, (void)key;
	return NULL;
}

static const char *fz_run_dir(void)
{
	return "/nonexistent";
}

const struct ais_service_engine *fuzz_engine_get(uint16_t id)
{
	return service_engine_get(NULL, id);
}

static const struct ais_api fz_api = {
	.abi_version = AIS_SERVICE_ABI_VERSION,
	.local_nodeid = fz_local_nodeid,
	.members_get = fz_members_get,
	.mcast = fz_mcast,
	.mcast_ok = fz_mcast_ok,
	.response_send = fz_response_send,
	.responsev_send = fz_responsev_send,
	.event_send = fz_event_send,
	.eventv_send = fz_eventv_send,
	.conn_private = fz_conn_private,
	.conn_id = fz_conn_id,
	.conn_lookup = fz_conn_lookup,
	.conn_credentials = fz_conn_credentials,
	.conn_disconnect = fz_conn_disconnect,
	.timer_add = fz_timer_add,
	.timer_del = fz_timer_del,
	.sync_in_progress = fz_sync_in_progress,
	.shutdown_request = fz_shutdown_request,
	.fd_add = fz_fd_add,
	.fd_del = fz_fd_del,
	.signal_add = fz_signal_add,
	.signal_del = fz_signal_del,
	.config_path = fz_config_path,
	.config_dir = fz_config_path,
	.config_value = fz_config_value,
	.run_dir = fz_run_dir,
	.counter_read = fz_counter_read,
	.counter_start = fz_counter_start,
	.counter_store = fz_counter_store,
	.counter_durable = fz_counter_durable,
	.counter_stop = fz_counter_stop,
	.admin = &fuzz_admin_api,
};

/* --- the sync host -------------------------------------------------------- */

static int fz_sync_mcast(void *ctx, const void *msg, size_t len)
{
	struct iovec iov = { .iov_base = (void *)(uintptr_t)msg, .iov_len = len };

	(void)ctx;
	return fz_queue(&iov, 1, true);
}

static void fz_sync_schedule(void *ctx, uint32_t delay_ms)
{
	(void)ctx;
	(void)delay_ms;
	fz.sync_scheduled = true;
}

static void fz_sync_completed(void *ctx, const struct ais_ring_id *ring_id)
{
	(void)ctx;
	(void)ring_id;
}

static const struct sync_host_ops fz_sync_ops = {
	.mcast = fz_sync_mcast,
	.schedule = fz_sync_schedule,
	.engine_get = service_engine_get,
	.completed = fz_sync_completed,
};

/* --- delivery ----------------------------------------------------------- */

/* what admin_members_get() reports (clm asks) follows the ring */
static void fz_view_set(void)
{
	fuzz_admin_view.ring_seq = fz.ring_id.seq;
	fuzz_admin_view.n_members = fz.n_members;
	memcpy(fuzz_admin_view.members, fz.members, sizeof(fuzz_admin_view.members));
}

static bool fz_is_member(ais_nodeid_t node)
{
	for (size_t i = 0; i < fz.n_members; i++)
		if (fz.members[i] == node)
			return true;
	return false;
}

/* The next deliverable message: sync traffic first; the rest waits while
 * sync runs (as pg's normal lane does). */
static struct fz_msg *fz_next(void)
{
	struct fz_msg *prev = NULL;

	for (struct fz_msg *m = fz.head; m; prev = m, m = m->next) {
		if (!m->prio && fz_sync_in_progress())
			continue;
		if (prev)
			prev->next = m->next;
		else
			fz.head = m->next;
		if (fz.tail == m)
			fz.tail = prev;
		fz.queued--;
		return m;
	}
	return NULL;
}

/* Deliver until nothing moves. A message is delivered as node 1's; also as
 * node 2's when as_node2 is set (while node 2 is a member, sync traffic is
 * its as well: node 2 then holds the same state and agrees on every step). */
static void fz_settle(bool as_node2)
{
	for (unsigned n = 0; n < FZ_DELIVER_MAX; n++) {
		struct fz_msg *m;

		if (fz.sync_scheduled) {
			fz.sync_scheduled = false;
			sync_run(fz.sync);
		}
		m = fz_next();
		if (!m) {
			if (!fz.sync_scheduled)
				return;
			continue;
		}
		service_exec_deliver(m->data, m->len, 1);
		if (as_node2 || (m->prio && fz_is_member(2)))
			service_exec_deliver(m->data, m->len, 2);
		free(m);
	}
}

static void fz_confchg(bool node2)
{
	ais_nodeid_t two = 2;
	bool was = fz_is_member(2);

	if (node2 == was)
		return;
	/* transitional: the members that came along (node 1) */
	fz.n_members = 1;
	service_confchg(AIS_CONFCHG_TRANSITIONAL, fz.members, 1, was ? &two : NULL, was ? 1 : 0, NULL, 0,
			&fz.ring_id);
	sync_confchg(fz.sync, AIS_CONFCHG_TRANSITIONAL, fz.members, 1, &fz.ring_id);
	fz.ring_id.seq += 4;
	fz.members[0] = 1;
	fz.members[1] = 2;
	fz.n_members = node2 ? 2 : 1;
	fz_view_set();
	service_confchg(AIS_CONFCHG_REGULAR, fz.members, fz.n_members, NULL, 0, node2 ? &two : NULL,
			node2 ? 1 : 0, &fz.ring_id);
	sync_confchg(fz.sync, AIS_CONFCHG_REGULAR, fz.members, fz.n_members, &fz.ring_id);
	fz_settle(false);
}

/* --- connections ---------------------------------------------------------- */

static void fz_conn_close(struct fz_conn *c)
{
	const struct ais_service_engine *e = fz.engines[c->engine];

	if (!c->open)
		return;
	if (e->lib_exit_fn)
		e->lib_exit_fn((ais_conn_t *)(void *)c);
	free(c->priv);
	c->priv = NULL;
	c->open = false;
	c->closing = false;
}

static struct fz_conn *fz_conn_get(unsigned engine, unsigned i)
{
	const struct ais_service_engine *e = fz.engines[engine];
	struct fz_conn *c = &fz.conns[engine][i];

	if (c->open)
		return c;
	memset(c, 0, sizeof(*c));
	c->engine = engine;
	c->priv = calloc(1, e->private_data_size ? e->private_data_size : 1);
	if (!c->priv)
		return NULL;
	c->id = ++fz.next_conn_id;
	c->open = true;
	if (e->lib_init_fn && e->lib_init_fn((ais_conn_t *)(void *)c) < 0) {
		/* refused: the daemon closes it without lib_exit_fn */
		free(c->priv);
		c->priv = NULL;
		c->open = false;
		return NULL;
	}
	return c;
}

static void fz_closing_reap(void)
{
	for (unsigned e = 0; e < FZ_ENGINES; e++)
		for (unsigned i = 0; i < FZ_CONNS; i++)
			if (fz.conns[e][i].closing)
				fz_conn_close(&fz.conns[e][i]);
}

/* --- one request: the daemon's path (exec/ipc.c ipc_msg_process) ------------ */

static void fz_request(unsigned engine, unsigned i, const uint8_t *msg, size_t len, bool as_node2)
{
	const struct ais_lib_handler *h = NULL;
	struct service_slot *slot = service_slot_get(fz.engines[engine]->id);
	int32_t response_id = AIS_IPC_RESPONSE_ERROR;
	struct fz_conn *c = fz_conn_get(engine, i);
	void *req;
	int r;

	if (!c || !slot)
		return;
	/* an exact-size, aligned copy, as ipc.c hands handlers */
	req = malloc(len ? len : 1);
	if (!req)
		return;
	memcpy(req, msg, len);
	slot->counters.lib_requests++;
	r = service_lib_check(slot->engine, req, len, &h, &response_id);
	if (r == 0 && h->flow_control && (fz_sync_in_progress() || !fz_mcast_ok(len)))
		r = -EAGAIN;
	else if (r == 0)
		r = h->fn((ais_conn_t *)(void *)c, req, len);
	if (r < 0) {
		SaAisErrorT code = ais_error_from_errno(r);
		struct qb_ipc_response_header res = {
			.id = response_id, .size = sizeof(res), .error = (int32_t)code,
		};

		slot->counters.lib_errors++;
		if (h)
			res.id = h->response_id;
		fz_response_send((ais_conn_t *)(void *)c, &res, sizeof(res));
	}
	free(req);
	fz_settle(as_node2);
	fz_closing_reap();
}

static void fz_timers_fire(void)
{
	struct fz_timer due[FZ_TIMERS_MAX];

	memcpy(due, fz.timers, sizeof(due));
	memset(fz.timers, 0, sizeof(fz.timers));
	for (size_t i = 0; i < FZ_TIMERS_MAX; i++)
		if (due[i].fn)
			due[i].fn(due[i].data);
	fz_settle(false);
	fz_closing_reap();
}

static void fz_control(uint8_t arg)
{
	switch (arg & 3) {
	case 0:
		fz_timers_fire();
		break;
	case 1:
		fz_conn_close(&fz.conns[(arg >> 2) % FZ_ENGINES][(arg >> 5) % FZ_CONNS]);
		fz_settle(false);
		break;
	case 2:
		fz_confchg(true);
		break;
	default:
		fz_confchg(false);
		break;
	}
}

/* --- life of one input ---------------------------------------------------- */

static void fz_once(void)
{
	if (fz.ready)
		return;
	snprintf(exec_rt.rundir, sizeof(exec_rt.rundir), "/nonexistent/fuzz_ipc");
	qb_log_init("fuzz_ipc", LOG_USER, LOG_EMERG);
	qb_log_ctl(QB_LOG_SYSLOG, QB_LOG_CONF_ENABLED, QB_FALSE);
	qb_log_ctl(QB_LOG_STDERR, QB_LOG_CONF_ENABLED, QB_FALSE);
	fz.trace = getenv("FUZZ_IPC_TRACE") != NULL;
	fz.ready = true;
}

static int fz_start(void)
{
	char err[256];

	fz.engines[0] = &ais_cfg_engine;
	fz.engines[1] = &ais_clm_engine;
	fz.engines[2] = &ais_evt_engine;
	fz.engines[3] = &ais_amf_engine;
	fz.engines[4] = &ais_cpg_engine;
	fz.engines[5] = ais_service_engine_get();
	for (unsigned e = 0; e < FZ_ENGINES; e++)
		if (service_register(fz.engines[e], NULL, err, sizeof(err)) < 0)
			abort();
	fz.sync = sync_create(&fz_sync_ops, NULL);
	if (!fz.sync)
		return -ENOMEM;
	service_sync_attach(fz.sync);
	if (service_start_all(&fz_api, err, sizeof(err)) < 0)
		abort();
	/* the first ring: this node alone, synchronised */
	fz.members[0] = 1;
	fz.n_members = 1;
	fz.ring_id.rep = 1;
	fz.ring_id.seq = 4;
	fz_view_set();
	service_confchg(AIS_CONFCHG_REGULAR, fz.members, 1, NULL, 0, fz.members, 1, &fz.ring_id);
	sync_confchg(fz.sync, AIS_CONFCHG_REGULAR, fz.members, 1, &fz.ring_id);
	fz_settle(false);
	return 0;
}

static void fz_stop(void)
{
	for (unsigned e = 0; e < FZ_ENGINES; e++)
		for (unsigned i = 0; i < FZ_CONNS; i++)
			fz_conn_close(&fz.conns[e][i]);
	for (unsigned n = 0; n < 16 && service_stop_step() == -EBUSY; n++)
		fz_settle(false);
	while (fz.head) {
		struct fz_msg *m = fz.head;

		fz.head = m->next;
		free(m);
	}
	service_sync_attach(NULL);
	fz.sync = sync_destroy(fz.sync);
	service_unload_all();
	memset(&fz.conns, 0, sizeof(fz.conns));
	fz.tail = NULL;
	fz.queued = 0;
	fz.queue_full = false;
	fz.sync_scheduled = false;
	memset(fz.timers, 0, sizeof(fz.timers));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t at = 0;

	fz_once();
	if (fz_start() < 0)
		return 0;
	for (unsigned n = 0; n < FZ_REQUESTS_MAX && at < size; n++) {
		uint8_t op = data[at++];
		unsigned kind = op & 7, conn = ((op >> 3) & 3) % FZ_CONNS;
		struct qb_ipc_request_header h;
		size_t len = size - at;

		if (kind == 7) {
			fz.queue_full = !fz.queue_full;
			continue;
		}
		if (kind == 6) {
			if (at < size)
				fz_control(data[at++]);
			continue;
		}
		if (len >= sizeof(h)) {
			memcpy(&h, data + at, sizeof(h));
			if (h.size >= (int32_t)sizeof(h) && (size_t)h.size <= len)
				len = (size_t)h.size;
		}
		fz_request(kind, conn, data + at, len, (op & 0x20) != 0);
		at += len;
	}
	fz_stop();
	return 0;
}
