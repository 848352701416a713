/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cpg engine's group table: groups by name (a libqb skiplist keyed by
 * the hex of the name, so binary names work and iteration is ordered), the
 * (nodeid, pid) members of each group as the cluster agreed them, and the
 * local connections attached to each group. Also builds the events that go
 * from this table to clients: confchg, totem confchg, and the snapshots the
 * iteration API walks.
 *
 * A group lives while it has members or attached connections.
 *
 * Slow consumers: the executive queues a client's events in bytes up to a
 * hard bound, drains them as soon as the client reads, and refuses more
 * (event_send returns -ENOBUFS, logged there with the queue's numbers) only
 * to a client at that bound or one that has stopped reading (over the high
 * watermark with no progress for seconds; exec/ipc.h). Such a client is
 * disconnected and logged, never queued without bound and never silently
 * skipped; the others then see it leave with CPG_REASON_PROCDOWN. A member
 * that misses messages would break the guarantee that all members deliver
 * the same messages. While a local reader lags but keeps reading, this
 * node's senders get TRY_AGAIN (flow control) instead.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ais/log.h>
#include <ais/inject.h>

#include "cpg_int.h"

AIS_LOG_SUBSYS("CPG");

void cpg_group_key(const struct ais_cpg_name *name, char key[CPG_GROUP_KEY_SIZE])
{
	static const char hex[] = "0123456789abcdef";
	uint32_t n = name->length <= AIS_CPG_NAME_MAX ? name->length : AIS_CPG_NAME_MAX;

	key[0] = 'g';
	for (uint32_t i = 0; i < n; i++) {
		key[1 + 2 * i] = hex[name->value[i] >> 4];
		key[2 + 2 * i] = hex[name->value[i] & 0xf];
	}
	key[1 + 2 * n] = '\0';
}

struct cpg_group *cpg_group_find(const struct ais_cpg_name *name)
{
	char key[CPG_GROUP_KEY_SIZE];

	cpg_group_key(name, key);
	return qb_map_get(cpg_state.groups, key);
}

/** Find or create; NULL only when out of memory. */
struct cpg_group *cpg_group_get(const struct ais_cpg_name *name)
{
	struct cpg_group *g = cpg_group_find(name);

	if (g)
		return g;
	g = ais_calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->name.length = name->length;
	memcpy(g->name.value, name->value, name->length);
	cpg_group_key(&g->name, g->key);
	qb_list_init(&g->members);
	qb_list_init(&g->conns);
	qb_map_put(cpg_state.groups, g->key, g);
	return g;
}

static void cpg_group_free(struct cpg_group *g)
{
	struct cpg_member *m, *tmp;

	qb_list_for_each_entry_safe(m, tmp, &g->members, list) {
		qb_list_del(&m->list);
		free(m);
	}
	cpg_addr_vec_free(&g->sync_left);
	cpg_addr_vec_free(&g->sync_joined);
	free(g);
}

/** Drop g when nothing refers to it any more (no members, no local clients,
 *  no sync announcement pending). */
void cpg_group_put_if_unused(struct cpg_group *g)
{
	if (g->n_members || !qb_list_empty(&g->conns) || g->sync_left.n || g->sync_joined.n)
		return;
	qb_map_rm(cpg_state.groups, g->key);
	cpg_group_free(g);
}

struct cpg_member *cpg_group_member_find(struct cpg_group *g, uint32_t nodeid, uint32_t pid)
{
	struct cpg_member *m;

	qb_list_for_each_entry(m, &g->members, list) {
		if (m->nodeid == nodeid && m->pid == pid)
			return m;
	}
	return NULL;
}

int cpg_group_member_add(struct cpg_group *g, uint32_t nodeid, uint32_t pid)
{
	struct cpg_member *m = ais_calloc(1, sizeof(*m)), *pos;

	if (!m)
		return -ENOMEM;
	m->nodeid = nodeid;
	m->pid = pid;
	/* kept sorted by (nodeid, pid): every node lists a group the same way */
	qb_list_for_each_entry(pos, &g->members, list) {
		if (pos->nodeid > nodeid || (pos->nodeid == nodeid && pos->pid > pid))
			break;
	}
	qb_list_add_tail(&m->list, &pos->list);
	g->n_members++;
	return 0;
}

void cpg_group_member_remove(struct cpg_group *g, struct cpg_member *m)
{
	qb_list_del(&m->list);
	g->n_members--;
	free(m);
}

int cpg_addr_vec_push(struct cpg_addr_vec *vec, uint32_t nodeid, uint32_t pid, uint32_t reason)
{
	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 8;
		struct ais_cpg_address *v = ais_realloc(vec->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		vec->v = v;
		vec->cap = cap;
	}
	vec->v[vec->n].nodeid = nodeid;
	vec->v[vec->n].pid = pid;
	vec->v[vec->n].reason = reason;
	vec->n++;
	return 0;
}

void cpg_addr_vec_free(struct cpg_addr_vec *vec)
{
	free(vec->v);
	vec->v = NULL;
	vec->n = vec->cap = 0;
}

void cpg_conn_event_send(struct cpg_conn *pd, const struct iovec *iov, size_t iovcnt)
{
	int r;

	if (pd->doomed)
		return;
	r = cpg_state.api->eventv_send(pd->conn, iov, iovcnt);
	if (r == -ENOBUFS) {
		pd->doomed = true;
		cpg_state.slow_consumer_disconnects++;
		ais_log(LOG_WARNING, "client pid %u does not read its events: disconnecting it",
		        (unsigned)pd->pid);
		cpg_state.api->conn_disconnect(pd->conn);
	} else if (r < 0) {
		ais_log(LOG_DEBUG, "event to client pid %u failed: %s", (unsigned)pd->pid, strerror(-r));
	}
}

static bool cpg_conn_receives(const struct cpg_conn *pd)
{
	return pd->state == CPG_CONN_JOINED || pd->state == CPG_CONN_LEAVE_PENDING;
}

/** Tell every local member of g about a change; member list = g's members now. */
void cpg_group_confchg_send(struct cpg_group *g,
                            const struct ais_cpg_address *left, size_t n_left,
                            const struct ais_cpg_address *joined, size_t n_joined)
{
	struct ais_cpg_ev_confchg ev;
	struct ais_cpg_address *list;
	struct cpg_member *m;
	struct cpg_conn *pd;
	struct iovec iov[2];
	size_t n = 0, total = g->n_members + n_left + n_joined;

	list = ais_calloc(total ? total : 1, sizeof(*list));
	if (!list) {
		ais_log(LOG_ERR, "out of memory building a confchg event");
		return;
	}
	qb_list_for_each_entry(m, &g->members, list) {
		list[n].nodeid = m->nodeid;
		list[n].pid = m->pid;
		list[n].reason = 0;
		n++;
	}
	if (n_left)
		memcpy(list + n, left, n_left * sizeof(*list));
	if (n_joined)
		memcpy(list + n + n_left, joined, n_joined * sizeof(*list));

	memset(&ev, 0, sizeof(ev));
	ev.header.id = AIS_CPG_EV_CONFCHG;
	ev.header.size = (int32_t)(sizeof(ev) + total * sizeof(*list));
	ev.header.error = CS_OK;
	ev.group = g->name;
	ev.member_count = (uint32_t)g->n_members;
	ev.left_count = (uint32_t)n_left;
	ev.joined_count = (uint32_t)n_joined;
	iov[0].iov_base = &ev;
	iov[0].iov_len = sizeof(ev);
	iov[1].iov_base = list;
	iov[1].iov_len = total * sizeof(*list);

	qb_list_for_each_entry(pd, &g->conns, group_list) {
		if (cpg_conn_receives(pd))
			cpg_conn_event_send(pd, iov, 2);
	}
	free(list);
}

/** Does this client take transitional totem configurations too? */
bool cpg_conn_wants_transitional(const struct cpg_conn *pd)
{
	return (pd->model_flags & AIS_CPG_MODEL_TOTEM_CONFCHG) &&
	       (pd->model_flags & CPG_MODEL_V1_DELIVER_TRANSITIONAL_TOTEM_CONF);
}

/** One totem confchg event (type AIS_CPG_TOTEM_*) to one client. */
void cpg_conn_totem_event_send(struct cpg_conn *pd, uint32_t type, const struct ais_ring_id *ring,
                               const ais_nodeid_t *members, size_t n)
{
	struct ais_cpg_ev_totem_confchg ev;
	struct iovec iov[2];

	memset(&ev, 0, sizeof(ev));
	ev.header.id = AIS_CPG_EV_TOTEM_CONFCHG;
	ev.header.size = (int32_t)(sizeof(ev) + n * sizeof(uint32_t));
	ev.header.error = CS_OK;
	ev.ring_seq = ring->seq;
	ev.ring_nodeid = ring->rep;
	ev.count = (uint32_t)n;
	ev.type = type;
	_Static_assert(sizeof(ais_nodeid_t) == sizeof(uint32_t), "node ids are 32-bit");
	iov[0].iov_base = &ev;
	iov[0].iov_len = sizeof(ev);
	iov[1].iov_base = (void *)(uintptr_t)members;
	iov[1].iov_len = n * sizeof(uint32_t);
	pd->totem_conf_sent = true;
	cpg_conn_event_send(pd, iov, 2);
}

/** The current regular configuration to one client. */
void cpg_conn_totem_confchg_send(struct cpg_conn *pd)
{
	struct ais_ring_id ring;
	ais_nodeid_t stack_members[64];
	ais_nodeid_t *members = stack_members;
	size_t n, cap = sizeof(stack_members) / sizeof(stack_members[0]);

	n = cpg_state.api->members_get(&ring, members, cap);
	if (n > cap) {
		members = ais_calloc(n, sizeof(*members));
		if (!members)
			return;
		cap = n;
		n = cpg_state.api->members_get(&ring, members, cap);
		if (n > cap)
			n = cap;
	}
	cpg_conn_totem_event_send(pd, AIS_CPG_TOTEM_REGULAR, &ring, members, n);
	if (members != stack_members)
		free(members);
}

static int cpg_iter_push(struct cpg_iter *it, size_t *cap, const struct ais_cpg_name *group,
                         uint32_t nodeid, uint32_t pid)
{
	if (it->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct cpg_iter_entry *e = ais_realloc(it->entries, ncap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		it->entries = e;
		*cap = ncap;
	}
	it->entries[it->n].group = *group;
	it->entries[it->n].nodeid = nodeid;
	it->entries[it->n].pid = pid;
	it->n++;
	return 0;
}

static int cpg_iter_add_group(struct cpg_iter *it, size_t *cap, struct cpg_group *g, uint32_t type)
{
	struct cpg_member *m;
	int r;

	if (!g->n_members)
		return 0;
	if (type == CPG_ITERATION_NAME_ONLY)
		return cpg_iter_push(it, cap, &g->name, 0, 0);
	qb_list_for_each_entry(m, &g->members, list) {
		r = cpg_iter_push(it, cap, &g->name, m->nodeid, m->pid);
		if (r < 0)
			return r;
	}
	return 0;
}

/** Snapshot for the iteration API. type: 1 names, 2 one group, 3 all. */
int cpg_iter_build(struct cpg_conn *pd, uint32_t type, const struct ais_cpg_name *group,
                   struct cpg_iter **ret_iter)
{
	struct cpg_iter *it;
	size_t cap = 0;
	int r = 0;

	if (type != CPG_ITERATION_NAME_ONLY && type != CPG_ITERATION_ONE_GROUP && type != CPG_ITERATION_ALL)
		return -EINVAL;
	if (pd->n_iters >= CPG_CONN_ITERS_MAX)
		return -EMFILE;
	it = ais_calloc(1, sizeof(*it));
	if (!it)
		return -ENOMEM;
	if (type == CPG_ITERATION_ONE_GROUP) {
		struct cpg_group *g = cpg_group_find(group);

		if (g)
			r = cpg_iter_add_group(it, &cap, g, type);
	} else {
		qb_map_iter_t *mi = qb_map_iter_create(cpg_state.groups);
		struct cpg_group *g;

		if (!mi) {
			r = -ENOMEM;
		} else {
			/* walk to the end even after an error: libqb's skiplist keeps a
			 * reference on the node an iteration stops at, and that node
			 * would never be freed */
			while (qb_map_iter_next(mi, (void **)&g)) {
				if (r == 0)
					r = cpg_iter_add_group(it, &cap, g, type);
			}
			qb_map_iter_free(mi);
		}
	}
	if (r < 0) {
		cpg_iter_free(it);
		return r;
	}
	it->id = ++pd->next_iter_id;
	qb_list_add_tail(&it->list, &pd->iters);
	pd->n_iters++;
	*ret_iter = it;
	return 0;
}

void cpg_iter_free(struct cpg_iter *it)
{
	free(it->entries);
	free(it);
}

/** Free every group (engine stop). */
void cpg_groups_destroy(void)
{
	size_t n;
	qb_map_iter_t *mi;
	struct cpg_group *g;

	if (!cpg_state.groups)
		return;
	/* in batches of a fixed array: stopping needs no memory. Each walk
	 * goes to the end (libqb keeps a reference on the node a walk stops
	 * at), then frees what it collected. */
	do {
		struct cpg_group *batch[32];

		n = 0;
		mi = qb_map_iter_create(cpg_state.groups);
		while (mi && qb_map_iter_next(mi, (void **)&g)) {
			if (n < sizeof(batch) / sizeof(batch[0]))
				batch[n++] = g;
		}
		if (mi)
			qb_map_iter_free(mi);
		for (size_t i = 0; i < n; i++) {
			qb_map_rm(cpg_state.groups, batch[i]->key);
			cpg_group_free(batch[i]);
		}
	} while (n > 0);
	qb_map_destroy(cpg_state.groups);
	cpg_state.groups = NULL;
}

static void cpg_name_print(const struct ais_cpg_name *name, char *buf, size_t size)
{
	size_t o = 0;

	for (uint32_t i = 0; i < name->length && o + 5 < size; i++) {
		uint8_t c = name->value[i];

		if (c >= 0x20 && c < 0x7f && c != '\\')
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
	}
	buf[o] = '\0';
}

void cpg_groups_dump(void (*out)(void *ctx, const char *line), void *ctx)
{
	qb_map_iter_t *mi = qb_map_iter_create(cpg_state.groups);
	struct cpg_group *g;
	struct cpg_member *m;
	char name[4 * AIS_CPG_NAME_MAX + 1];
	char line[640];

	snprintf(line, sizeof(line),
	         "cpg: ring %u/%llu (%zu nodes), %zu local members and joins, dropped %llu bad %llu unknown-sender, %llu slow consumers",
	         (unsigned)cpg_state.ring.rep, (unsigned long long)cpg_state.ring.seq,
	         cpg_state.ring_members, cpg_state.n_local,
	         (unsigned long long)cpg_state.drop_bad_frame,
	         (unsigned long long)cpg_state.drop_unknown_sender,
	         (unsigned long long)cpg_state.slow_consumer_disconnects);
	out(ctx, line);
	while (mi && qb_map_iter_next(mi, (void **)&g)) {
		size_t o;

		cpg_name_print(&g->name, name, sizeof(name));
		o = (size_t)snprintf(line, sizeof(line), "group \"%s\" (%zu):", name, g->n_members);
		qb_list_for_each_entry(m, &g->members, list) {
			if (o + 24 >= sizeof(line)) {
				out(ctx, line);
				o = (size_t)snprintf(line, sizeof(line), "  ...");
			}
			o += (size_t)snprintf(line + o, sizeof(line) - o, " %u/%u",
			                      (unsigned)m->nodeid, (unsigned)m->pid);
		}
		out(ctx, line);
	}
	if (mi)
		qb_map_iter_free(mi);
}
