/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The example engine (service id 7, "example"), built as a plugin .so: a
 * small but complete service that keeps named 64-bit counters replicated
 * on every node. It shows every part of the engine contract
 * (include/ais/service.h, DESIGN section 3) and is what
 * docs/writing-a-service.md walks through:
 *
 *   ADD        request -> lib handler validates -> multicast EXEC_ADD with the
 *              connection id -> exec handler changes the counter on every
 *              node in the same order -> the origin node answers its client;
 *              subscribers on every node get a CHANGED event.
 *   GET        answered locally from the lib handler.
 *   SUBSCRIBE  per-connection state (a filter, freed in lib_exit_fn).
 *   sync       after a configuration change the lowest node of each
 *              transitional set multicasts its partition's counters; on
 *              activate every node rebuilds the same table: for a name known
 *              in several partitions the partition holding the lowest node id
 *              wins, names known in one partition only are adopted.
 *   events     event_send's -ENOBUFS is honoured: the event is dropped and
 *              counted, and the next event the connection gets carries the
 *              number lost.
 *
 * Cluster messages are little-endian and decoded field by field with the
 * le*toh helpers; every length is checked (the router checks the handler
 * table's bounds first).
 */
#ifdef HAVE_CONFIG_H
#include "config.h" /* in the source tree; built out of tree it needs none */
#endif

#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <qb/qblist.h>
#include <qb/qblog.h>
#include <qb/qbmap.h>

#include <saAis.h>
#include <ais/service.h>

#include "example_ipc.h"

/*
 * A plugin may not reach the daemon's own logging helpers (it is loaded
 * RTLD_LOCAL), so it logs through libqb's entry point for outside sources;
 * the daemon's log targets print it like any other line.
 */
#define example_log(prio, fmt, ...) \
	qb_log_from_external_source(__func__, __FILE__, "example: " fmt, prio, __LINE__, 0, ##__VA_ARGS__)

/** At most this many counters (a request that would create more gets NO_SPACE). */
#define EXAMPLE_COUNTERS_MAX 1024
/** Counters per sync message. */
#define EXAMPLE_SYNC_CHUNK 64

enum example_exec_id {
	EXAMPLE_EXEC_ADD = 0,
	EXAMPLE_EXEC_SYNC_STATE = 1,
	EXAMPLE_EXEC_COUNT = 2,
};

/* ---- cluster messages (little-endian on the wire) ---------------------- */

struct example_exec_add {
	struct ais_exec_header header;
	uint64_t conn_id;
	int64_t delta;
	char name[EXAMPLE_NAME_LEN];
} __attribute__((packed));
_Static_assert(sizeof(struct example_exec_add) == 56, "example exec add layout");
_Static_assert(offsetof(struct example_exec_add, name) == 24, "example exec add layout");

struct example_sync_entry {
	char name[EXAMPLE_NAME_LEN];
	int64_t value;
} __attribute__((packed));
_Static_assert(sizeof(struct example_sync_entry) == 40, "example sync entry layout");

struct example_exec_sync {
	struct ais_exec_header header;
	uint64_t ring_seq;
	uint32_t count;
	uint32_t reserved;
	struct example_sync_entry entries[];
} __attribute__((packed));
_Static_assert(sizeof(struct example_exec_sync) == 24, "example exec sync layout");

/* ---- state ------------------------------------------------------------- */

struct example_counter {
	char name[EXAMPLE_NAME_LEN]; /* the map key points here */
	int64_t value;
};

/** Per-connection state: private_data_size bytes the router zeroes. */
struct example_conn {
	struct qb_list_head list;   /* in example_subscribers while subscribed */
	ais_conn_t *conn;
	char *filter;               /* NULL: every counter */
	uint32_t lost;              /* notifications dropped since the last one sent */
	int subscribed;
};

/** One counter received during sync, from the node that sent it. */
struct example_staged {
	ais_nodeid_t sender;
	char name[EXAMPLE_NAME_LEN];
	int64_t value;
};

static const struct ais_api *example_api;
static qb_map_t *example_counters;          /* name -> struct example_counter */
static QB_LIST_DECLARE(example_subscribers);

static struct {
	struct ais_ring_id ring_id;
	struct example_sync_entry *out;  /* snapshot this node sends (wire form) */
	size_t n_out;
	size_t next_out;                 /* first entry not yet multicast */
	int done;                        /* nothing (more) to send */
	struct example_staged *staged;   /* what every sender sent, this round */
	size_t n_staged;
	size_t cap_staged;
} example_sync;

/* ---- helpers ------------------------------------------------------------ */

/* A valid name: non-empty, NUL inside the field. */
static int example_name_valid(const char *name)
{
	size_t len = strnlen(name, EXAMPLE_NAME_LEN);

	return len > 0 && len < EXAMPLE_NAME_LEN;
}

static int example_counter_set(const char *name, int64_t value, struct example_counter **ret)
{
	struct example_counter *c = qb_map_get(example_counters, name);

	if (c == NULL) {
		if (qb_map_count_get(example_counters) >= EXAMPLE_COUNTERS_MAX) {
			return -ENOSPC;
		}
		c = calloc(1, sizeof(*c));
		if (c == NULL) {
			return -ENOMEM;
		}
		memcpy(c->name, name, strnlen(name, EXAMPLE_NAME_LEN - 1));
		qb_map_put(example_counters, c->name, c);
	}
	c->value = value;
	if (ret != NULL) {
		*ret = c;
	}
	return 0;
}

/* Remove every counter. Two rules of libqb's skiplist shape this: an entry
 * must not be removed while an iterator stands on it, and an iterator holds a
 * reference on its entry until it walks past the end (qb_map_iter_free does
 * not drop it), so a walk stopped early keeps that entry alive for ever. The
 * walk below therefore always runs to the end and collects the counters
 * first; removal comes after. */
static void example_counters_clear(void)
{
	size_t n = qb_map_count_get(example_counters);
	struct example_counter **all = calloc(n > 0 ? n : 1, sizeof(*all));
	qb_map_iter_t *it = qb_map_iter_create(example_counters);
	size_t got = 0;
	void *v;

	while (it != NULL && qb_map_iter_next(it, &v) != NULL) {
		if (all != NULL && got < n) {
			all[got++] = v;
		}
	}
	if (it != NULL) {
		qb_map_iter_free(it);
	}
	for (size_t i = 0; i < got; i++) {
		qb_map_rm(example_counters, all[i]->name);
		free(all[i]);
	}
	free(all);
}

static void example_response_value(ais_conn_t *conn, int32_t id, SaAisErrorT error, int64_t value)
{
	struct example_res_value res = {
		.header = { .id = id, .size = sizeof(res), .error = error },
		.value = value,
	};

	example_api->response_send(conn, &res, sizeof(res));
}

/* Tell the subscribed local connections that a counter changed. */
static void example_notify(const struct example_counter *c, int64_t delta, ais_nodeid_t nodeid)
{
	struct example_conn *pd;
	struct example_event_changed ev = {
		.header = { .id = EXAMPLE_EVENT_CHANGED, .size = sizeof(ev), .error = SA_AIS_OK },
		.value = c->value,
		.delta = delta,
		.nodeid = nodeid,
	};

	memcpy(ev.name, c->name, sizeof(ev.name));
	qb_list_for_each_entry(pd, &example_subscribers, list) {
		if (pd->filter != NULL && strcmp(pd->filter, c->name) != 0) {
			continue;
		}
		ev.lost = pd->lost;
		if (example_api->event_send(pd->conn, &ev, sizeof(ev)) == 0) {
			pd->lost = 0;
		} else if (pd->lost < UINT32_MAX) {
			/* -ENOBUFS (client not reading) or the client is going
			 * away: drop, count, report with the next event */
			pd->lost++;
		}
	}
}

/* ---- lib (IPC) handlers: run on the node the client is connected to ---- */

static int example_lib_add(ais_conn_t *conn, const void *msg, size_t len)
{
	struct example_req_add req;
	struct example_exec_add ex;
	struct iovec iov;

	memcpy(&req, msg, sizeof(req));
	if (!example_name_valid(req.name)) {
		return -EINVAL;
	}
	memset(&ex, 0, sizeof(ex));
	ex.header.id = htole32(AIS_EXEC_ID(AIS_SERVICE_EXAMPLE, EXAMPLE_EXEC_ADD));
	ex.header.size = htole32(sizeof(ex));
	ex.conn_id = htole64(example_api->conn_id(conn));
	ex.delta = (int64_t)htole64((uint64_t)req.delta);
	memcpy(ex.name, req.name, sizeof(ex.name));
	iov.iov_base = &ex;
	iov.iov_len = sizeof(ex);
	/* The answer is sent by the exec handler once the message comes back
	 * in total order; -EAGAIN here becomes TRY_AGAIN for the client. */
	return example_api->mcast(&iov, 1, AIS_GUARANTEE_AGREED);
}

static int example_lib_get(ais_conn_t *conn, const void *msg, size_t len)
{
	struct example_req_get req;
	struct example_counter *c;

	memcpy(&req, msg, sizeof(req));
	if (!example_name_valid(req.name)) {
		return -EINVAL;
	}
	c = qb_map_get(example_counters, req.name);
	if (c == NULL) {
		return -ENOENT;
	}
	example_response_value(conn, EXAMPLE_RES_GET, SA_AIS_OK, c->value);
	return 0;
}

static int example_lib_subscribe(ais_conn_t *conn, const void *msg, size_t len)
{
	struct example_conn *pd = example_api->conn_private(conn);
	struct example_req_subscribe req;
	struct example_res_subscribe res = {
		.header = { .id = EXAMPLE_RES_SUBSCRIBE, .size = sizeof(res), .error = SA_AIS_OK },
	};
	char *filter = NULL;

	memcpy(&req, msg, sizeof(req));
	if (strnlen(req.name, EXAMPLE_NAME_LEN) == EXAMPLE_NAME_LEN) {
		return -EINVAL;
	}
	if (req.on != 0 && req.name[0] != '\0') {
		filter = strdup(req.name);
		if (filter == NULL) {
			return -ENOMEM;
		}
	}
	free(pd->filter);
	pd->filter = filter;
	if (req.on != 0 && !pd->subscribed) {
		pd->conn = conn;
		qb_list_add_tail(&pd->list, &example_subscribers);
		pd->subscribed = 1;
	} else if (req.on == 0 && pd->subscribed) {
		qb_list_del(&pd->list);
		pd->subscribed = 0;
	}
	example_api->response_send(conn, &res, sizeof(res));
	return 0;
}

static const struct ais_lib_handler example_lib_handlers[EXAMPLE_REQ_COUNT] = {
	[EXAMPLE_REQ_ADD] = {
		.fn = example_lib_add,
		.min_len = sizeof(struct example_req_add),
		.max_len = sizeof(struct example_req_add),
		.response_id = EXAMPLE_RES_ADD,
		.flow_control = true, /* it multicasts: refused during sync / backlog */
	},
	[EXAMPLE_REQ_GET] = {
		.fn = example_lib_get,
		.min_len = sizeof(struct example_req_get),
		.max_len = sizeof(struct example_req_get),
		.response_id = EXAMPLE_RES_GET,
	},
	[EXAMPLE_REQ_SUBSCRIBE] = {
		.fn = example_lib_subscribe,
		.min_len = sizeof(struct example_req_subscribe),
		.max_len = sizeof(struct example_req_subscribe),
		.response_id = EXAMPLE_RES_SUBSCRIBE,
	},
};

static int example_lib_init(ais_conn_t *conn)
{
	struct example_conn *pd = example_api->conn_private(conn);

	pd->conn = conn;
	qb_list_init(&pd->list);
	return 0;
}

static int example_lib_exit(ais_conn_t *conn)
{
	struct example_conn *pd = example_api->conn_private(conn);

	if (pd->subscribed) {
		qb_list_del(&pd->list);
		pd->subscribed = 0;
	}
	free(pd->filter);
	pd->filter = NULL;
	return 0;
}

/* ---- exec (cluster) handlers: run on every node, in total order ------- */

static void example_exec_add(const void *msg, size_t len, ais_nodeid_t sender)
{
	struct example_exec_add ex;
	struct example_counter *c = NULL;
	ais_conn_t *conn = NULL;
	int64_t delta;
	int64_t value = 0;
	int res;

	memcpy(&ex, msg, sizeof(ex));
	delta = (int64_t)le64toh((uint64_t)ex.delta);
	if (sender == example_api->local_nodeid()) {
		conn = example_api->conn_lookup(le64toh(ex.conn_id)); /* NULL: client gone */
	}
	if (!example_name_valid(ex.name)) {
		return; /* a node never sends this; drop */
	}
	if (example_api->sync_in_progress()) {
		/* Every node sees this message at the same point relative to the
		 * configuration change, so every node refuses it alike. */
		res = -EAGAIN;
	} else {
		struct example_counter *old = qb_map_get(example_counters, ex.name);
		uint64_t sum = (uint64_t)(old != NULL ? old->value : 0) + (uint64_t)delta;

		/* wrap-around arithmetic, identical on every node */
		res = example_counter_set(ex.name, (int64_t)sum, &c);
		if (res == 0) {
			value = c->value;
			example_notify(c, delta, sender);
		}
	}
	if (conn == NULL) {
		return;
	}
	switch (res) {
	case 0:
		example_response_value(conn, EXAMPLE_RES_ADD, SA_AIS_OK, value);
		break;
	case -EAGAIN:
		example_response_value(conn, EXAMPLE_RES_ADD, SA_AIS_ERR_TRY_AGAIN, 0);
		break;
	case -ENOSPC:
		example_response_value(conn, EXAMPLE_RES_ADD, SA_AIS_ERR_NO_SPACE, 0);
		break;
	default:
		example_response_value(conn, EXAMPLE_RES_ADD, SA_AIS_ERR_NO_MEMORY, 0);
		break;
	}
}

static void example_exec_sync_state(const void *msg, size_t len, ais_nodeid_t sender)
{
	struct example_exec_sync hdr;
	const struct example_sync_entry *in;
	uint32_t count;

	memcpy(&hdr, msg, sizeof(hdr));
	count = le32toh(hdr.count);
	if (count > EXAMPLE_SYNC_CHUNK || len != sizeof(hdr) + count * sizeof(*in)) {
		example_log(LOG_WARNING, "bad sync message from node %u dropped", sender);
		return;
	}
	if (le64toh(hdr.ring_seq) != example_sync.ring_id.seq) {
		return; /* from an aborted round */
	}
	if (example_sync.n_staged + count > example_sync.cap_staged) {
		size_t cap = example_sync.cap_staged * 2 + count + 64;
		struct example_staged *n = realloc(example_sync.staged, cap * sizeof(*n));

		if (n == NULL) {
			/* cannot build the merged table: keep ours (logged) */
			example_log(LOG_ERR, "out of memory during sync; keeping local counters");
			return;
		}
		example_sync.staged = n;
		example_sync.cap_staged = cap;
	}
	in = (const void *)((const char *)msg + sizeof(hdr));
	for (uint32_t i = 0; i < count; i++) {
		struct example_sync_entry e;
		struct example_staged *s;

		memcpy(&e, &in[i], sizeof(e));
		if (!example_name_valid(e.name)) {
			continue;
		}
		s = &example_sync.staged[example_sync.n_staged++];
		s->sender = sender;
		memcpy(s->name, e.name, sizeof(s->name));
		s->value = (int64_t)le64toh((uint64_t)e.value);
	}
}

static const struct ais_exec_handler example_exec_handlers[EXAMPLE_EXEC_COUNT] = {
	[EXAMPLE_EXEC_ADD] = {
		.fn = example_exec_add,
		.min_len = sizeof(struct example_exec_add),
		.max_len = sizeof(struct example_exec_add),
	},
	[EXAMPLE_EXEC_SYNC_STATE] = {
		.fn = example_exec_sync_state,
		.min_len = sizeof(struct example_exec_sync),
		.max_len = sizeof(struct example_exec_sync) +
		           EXAMPLE_SYNC_CHUNK * sizeof(struct example_sync_entry),
	},
};

/* ---- sync ---------------------------------------------------------------- */

static void example_sync_reset(void)
{
	free(example_sync.out);
	free(example_sync.staged);
	memset(&example_sync, 0, sizeof(example_sync));
}

/* Copy the table in wire form: process() sends it chunk by chunk, and may
 * have to retry a chunk, so it must not walk the live map. */
static int example_sync_snapshot(void)
{
	size_t n = qb_map_count_get(example_counters);
	qb_map_iter_t *it;
	void *v;

	example_sync.out = calloc(n > 0 ? n : 1, sizeof(*example_sync.out));
	it = qb_map_iter_create(example_counters);
	if (example_sync.out == NULL || it == NULL) {
		if (it != NULL) {
			qb_map_iter_free(it);
		}
		return -ENOMEM;
	}
	/* always walk to the end (see example_counters_clear) */
	while (qb_map_iter_next(it, &v) != NULL) {
		const struct example_counter *c = v;
		struct example_sync_entry *e;

		if (example_sync.n_out == n) {
			continue;
		}
		e = &example_sync.out[example_sync.n_out++];
		memcpy(e->name, c->name, sizeof(e->name));
		e->value = (int64_t)htole64((uint64_t)c->value);
	}
	qb_map_iter_free(it);
	return 0;
}

static void example_sync_init(const ais_nodeid_t *trans, size_t n_trans,
                              const ais_nodeid_t *members, size_t n_members,
                              const struct ais_ring_id *ring_id)
{
	ais_nodeid_t me = example_api->local_nodeid();
	ais_nodeid_t lowest = me;

	example_sync_reset();
	example_sync.ring_id = *ring_id;
	/* My partition's state is sent once, by its lowest node: the members
	 * that came with me from the old ring hold exactly my counters. */
	for (size_t i = 0; i < n_trans; i++) {
		if (trans[i] < lowest) {
			lowest = trans[i];
		}
	}
	example_sync.done = lowest != me;
	if (!example_sync.done && example_sync_snapshot() != 0) {
		/* Without a snapshot this partition contributes nothing; the
		 * others' counters still merge consistently everywhere. */
		example_log(LOG_ERR, "out of memory: not sending counters in sync");
		example_sync.done = 1;
	}
}

/* Multicast the next chunk (an empty one when there are no counters). 0 when
 * everything went out, 1 to be called again (more chunks or queue full). */
static int example_sync_process(void)
{
	struct {
		struct example_exec_sync hdr;
		struct example_sync_entry entries[EXAMPLE_SYNC_CHUNK];
	} __attribute__((packed)) m;
	size_t n = example_sync.n_out - example_sync.next_out;
	struct iovec iov;

	if (example_sync.done) {
		return 0;
	}
	if (n > EXAMPLE_SYNC_CHUNK) {
		n = EXAMPLE_SYNC_CHUNK;
	}
	memset(&m.hdr, 0, sizeof(m.hdr));
	m.hdr.header.id = htole32(AIS_EXEC_ID(AIS_SERVICE_EXAMPLE, EXAMPLE_EXEC_SYNC_STATE));
	m.hdr.header.size = htole32((uint32_t)(sizeof(m.hdr) + n * sizeof(m.entries[0])));
	m.hdr.ring_seq = htole64(example_sync.ring_id.seq);
	m.hdr.count = htole32((uint32_t)n);
	if (n > 0) {
		memcpy(m.entries, &example_sync.out[example_sync.next_out], n * sizeof(m.entries[0]));
	}
	iov.iov_base = &m;
	iov.iov_len = sizeof(m.hdr) + n * sizeof(m.entries[0]);
	if (example_api->mcast(&iov, 1, AIS_GUARANTEE_AGREED) != 0) {
		return 1; /* queue full: the same chunk next time */
	}
	example_sync.next_out += n;
	if (n < EXAMPLE_SYNC_CHUNK) {
		example_sync.done = 1;
		return 0;
	}
	return 1;
}

static int example_staged_cmp(const void *a, const void *b)
{
	const struct example_staged *x = a, *y = b;

	return x->sender < y->sender ? -1 : x->sender > y->sender;
}

/* Every member saw the same sync messages: build the same table. */
static void example_sync_activate(void)
{
	/* By sender, lowest first: the first value seen for a name wins. One
	 * sender never sends a name twice, so ties need no stable order. */
	if (example_sync.n_staged > 0) {
		qsort(example_sync.staged, example_sync.n_staged, sizeof(example_sync.staged[0]),
		      example_staged_cmp);
	}
	example_counters_clear();
	for (size_t i = 0; i < example_sync.n_staged; i++) {
		const struct example_staged *s = &example_sync.staged[i];

		if (qb_map_get(example_counters, s->name) != NULL) {
			continue; /* a lower node's partition already set it */
		}
		if (example_counter_set(s->name, s->value, NULL) != 0) {
			example_log(LOG_ERR, "counter %s lost in sync (table full or no memory)", s->name);
		}
	}
	example_log(LOG_DEBUG, "sync done: %zu counters", qb_map_count_get(example_counters));
	example_sync_reset();
}

static void example_sync_abort(void)
{
	example_sync_reset();
}

static const struct ais_sync_ops example_sync_ops = {
	.init = example_sync_init,
	.process = example_sync_process,
	.activate = example_sync_activate,
	.abort = example_sync_abort,
};

/* ---- life cycle ---------------------------------------------------------- */

static int example_exec_init(const struct ais_api *api)
{
	if (api->abi_version != AIS_SERVICE_ABI_VERSION) {
		return -EINVAL;
	}
	example_counters = qb_skiplist_create();
	if (example_counters == NULL) {
		return -ENOMEM;
	}
	example_api = api;
	return 0;
}

static int example_exec_exit(void)
{
	example_sync_reset();
	if (example_counters != NULL) {
		example_counters_clear();
		qb_map_destroy(example_counters);
		example_counters = NULL;
	}
	return 0;
}

static void example_dump(void (*out)(void *ctx, const char *line), void *ctx)
{
	qb_map_iter_t *it = qb_map_iter_create(example_counters);
	char line[EXAMPLE_NAME_LEN + 32];
	void *v;

	while (it != NULL && qb_map_iter_next(it, &v) != NULL) {
		const struct example_counter *c = v;

		snprintf(line, sizeof(line), "%s = %lld", c->name, (long long)c->value);
		out(ctx, line);
	}
	if (it != NULL) {
		qb_map_iter_free(it);
	}
}

static const struct ais_service_engine example_engine = {
	.abi_version = AIS_SERVICE_ABI_VERSION,
	.name = "example",
	.id = AIS_SERVICE_EXAMPLE,
	.private_data_size = sizeof(struct example_conn),
	.exec_init_fn = example_exec_init,
	.exec_exit_fn = example_exec_exit,
	.lib_init_fn = example_lib_init,
	.lib_exit_fn = example_lib_exit,
	.lib_handlers = example_lib_handlers,
	.lib_handler_count = EXAMPLE_REQ_COUNT,
	.exec_handlers = example_exec_handlers,
	.exec_handler_count = EXAMPLE_EXEC_COUNT,
	.sync = &example_sync_ops,
	.dump_fn = example_dump,
};

/* The one exported symbol (see example.am). */
const struct ais_service_engine *ais_service_engine_get(void);

const struct ais_service_engine *ais_service_engine_get(void)
{
	return &example_engine;
}
