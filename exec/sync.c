/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sync state machine (see sync.h for the algorithm; REFERENCE 2.2).
 * Departure from Corosync: abort reaches every service whose init ran in the
 * interrupted round, not only the current one.
 *
 * Wire (little-endian), after the ais_exec_header:
 *   SERVICELIST: u64 ring_seq, u32 ring_rep, u32 count, u32 ids[count]
 *   BARRIER:     u64 ring_seq, u32 ring_rep, u32 service_id
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ais/log.h>
#include <ais/inject.h>

#include "sync.h"

AIS_LOG_SUBSYS("SYNC");

struct sync_wire_tail {
	uint64_t ring_seq;
	uint32_t ring_rep;
	uint32_t value;      /**< count (SERVICELIST) or service id (BARRIER) */
} __attribute__((packed));
_Static_assert(sizeof(struct sync_wire_tail) == 16, "sync wire layout");

#define SYNC_HDR_LEN (sizeof(struct ais_exec_header) + sizeof(struct sync_wire_tail))
#define SYNC_LIST_MAX AIS_SERVICE_ID_MAX

struct sync_msg {
	uint16_t fn;
	struct ais_ring_id ring_id;
	uint32_t value;
	uint32_t ids[SYNC_LIST_MAX];
};

struct sync {
	const struct sync_host_ops *ops;
	void *ctx;
	enum sync_state state;
	bool in_progress;
	bool in_process_step;   /* inside a service's sync.process() */
	bool list_sent;
	struct ais_ring_id ring_id;
	size_t n_members;
	ais_nodeid_t members[SYNC_MEMBERS_MAX];
	size_t n_trans;
	ais_nodeid_t trans[SYNC_MEMBERS_MAX];
	bool got[SYNC_MEMBERS_MAX];          /**< list or barrier from member i */
	uint32_t union_mask;                 /**< service ids of all lists */
	uint32_t inited_mask;                /**< local init ran, not activated or aborted */
	uint16_t current;
	struct sync_stats stats;
};

/* ---- wire ------------------------------------------------------------- */

static size_t sync_msg_encode(uint16_t fn, const struct ais_ring_id *ring_id, uint32_t value,
			      const uint32_t *ids, size_t n_ids, uint8_t *buf)
{
	size_t len = SYNC_HDR_LEN + n_ids * sizeof(uint32_t);
	struct ais_exec_header h = {
		.id = htole32(AIS_EXEC_ID(SYNC_SERVICE_ID, fn)),
		.size = htole32((uint32_t)len),
	};
	struct sync_wire_tail t = {
		.ring_seq = htole64(ring_id->seq),
		.ring_rep = htole32(ring_id->rep),
		.value = htole32(value),
	};

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), &t, sizeof(t));
	for (size_t i = 0; i < n_ids; i++) {
		uint32_t le = htole32(ids[i]);
		memcpy(buf + SYNC_HDR_LEN + i * sizeof(le), &le, sizeof(le));
	}
	return len;
}

static int sync_msg_decode(const void *buf, size_t len, struct sync_msg *ret)
{
	const uint8_t *p = buf;
	struct ais_exec_header h;
	struct sync_wire_tail t;
	uint32_t id;

	if (len < SYNC_HDR_LEN) {
		return -EBADMSG;
	}
	memcpy(&h, p, sizeof(h));
	memcpy(&t, p + sizeof(h), sizeof(t));
	id = le32toh(h.id);
	if ((id >> 16) != SYNC_SERVICE_ID || le32toh(h.size) != len) {
		return -EBADMSG;
	}
	ret->fn = (uint16_t)(id & 0xffff);
	ret->ring_id.seq = le64toh(t.ring_seq);
	ret->ring_id.rep = le32toh(t.ring_rep);
	ret->value = le32toh(t.value);
	switch (ret->fn) {
	case SYNC_FN_SERVICELIST:
		if (ret->value > SYNC_LIST_MAX || len != SYNC_HDR_LEN + ret->value * sizeof(uint32_t)) {
			return -EBADMSG;
		}
		for (uint32_t i = 0; i < ret->value; i++) {
			uint32_t le;
			memcpy(&le, p + SYNC_HDR_LEN + i * sizeof(le), sizeof(le));
			ret->ids[i] = le32toh(le);
			if (ret->ids[i] >= AIS_SERVICE_ID_MAX) {
				return -EBADMSG;
			}
		}
		return 0;
	case SYNC_FN_BARRIER:
		if (len != SYNC_HDR_LEN || ret->value >= AIS_SERVICE_ID_MAX) {
			return -EBADMSG;
		}
		return 0;
	default:
		return -EBADMSG;
	}
}

/* ---- state machine ---------------------------------------------------- */

static const struct ais_sync_ops *sync_local_ops(struct sync *s, uint16_t id)
{
	const struct ais_service_engine *e = s->ops->engine_get(s->ctx, id);

	return e != NULL ? e->sync : NULL;
}

static bool sync_ring_equal(const struct ais_ring_id *a, const struct ais_ring_id *b)
{
	return a->rep == b->rep && a->seq == b->seq;
}

static int sync_member_index(const struct sync *s, ais_nodeid_t node)
{
	for (size_t i = 0; i < s->n_members; i++) {
		if (s->members[i] == node) {
			return (int)i;
		}
	}
	return -1;
}

static bool sync_got_all(const struct sync *s)
{
	for (size_t i = 0; i < s->n_members; i++) {
		if (!s->got[i]) {
			return false;
		}
	}
	return true;
}

static void sync_abort_run(struct sync *s)
{
	if (s->state == SYNC_STATE_IDLE && s->inited_mask == 0) {
		return;
	}
	for (uint16_t id = 0; id < AIS_SERVICE_ID_MAX; id++) {
		if (s->inited_mask & (UINT32_C(1) << id)) {
			const struct ais_sync_ops *ops = sync_local_ops(s, id);
			if (ops != NULL && ops->abort != NULL) {
				ops->abort();
			}
		}
	}
	if (s->state != SYNC_STATE_IDLE) {
		s->stats.runs_aborted++;
		ais_log(LOG_INFO, "sync aborted by a configuration change");
	}
	s->inited_mask = 0;
	s->state = SYNC_STATE_IDLE;
}

void sync_confchg(struct sync *s, enum ais_confchg_type type, const ais_nodeid_t *members,
		  size_t n_members, const struct ais_ring_id *ring_id)
{
	size_t n = n_members < SYNC_MEMBERS_MAX ? n_members : SYNC_MEMBERS_MAX;

	sync_abort_run(s);
	s->in_progress = true;
	memset(&s->ring_id, 0, sizeof(s->ring_id)); /* stale messages never match */
	if (type == AIS_CONFCHG_TRANSITIONAL) {
		memcpy(s->trans, members, n * sizeof(members[0]));
		s->n_trans = n;
		return;
	}
	s->ring_id = *ring_id;
	memcpy(s->members, members, n * sizeof(members[0]));
	s->n_members = n;
	memset(s->got, 0, sizeof(s->got));
	s->union_mask = 0;
	s->list_sent = false;
	s->state = SYNC_STATE_SERVICELIST;
	s->stats.runs_started++;
	ais_log(LOG_DEBUG, "sync starts for ring %u/%llu with %zu members", ring_id->rep,
		(unsigned long long)ring_id->seq, n);
	s->ops->schedule(s->ctx, 0);
}

static void sync_complete(struct sync *s)
{
	s->state = SYNC_STATE_IDLE;
	s->in_progress = false;
	s->stats.runs_completed++;
	ais_log(LOG_NOTICE, "sync complete for ring %u/%llu: ready to provide service",
		s->ring_id.rep, (unsigned long long)s->ring_id.seq);
	if (s->ops->completed != NULL) {
		s->ops->completed(s->ctx, &s->ring_id);
	}
}

/* Move to the lowest id of the union above `from` (inclusive), or finish. */
static void sync_service_enter(struct sync *s, uint32_t from)
{
	for (uint32_t id = from; id < AIS_SERVICE_ID_MAX; id++) {
		if (s->union_mask & (UINT32_C(1) << id)) {
			s->current = (uint16_t)id;
			s->state = SYNC_STATE_PROCESS;
			memset(s->got, 0, sizeof(s->got));
			s->ops->schedule(s->ctx, 0);
			return;
		}
	}
	sync_complete(s);
}

static void sync_lists_complete(struct sync *s)
{
	for (uint16_t id = 0; id < AIS_SERVICE_ID_MAX; id++) {
		const struct ais_sync_ops *ops;
		if (!(s->union_mask & (UINT32_C(1) << id))) {
			continue;
		}
		ops = sync_local_ops(s, id);
		if (ops != NULL && ops->init != NULL) {
			ops->init(s->trans, s->n_trans, s->members, s->n_members, &s->ring_id);
			s->inited_mask |= UINT32_C(1) << id;
		}
	}
	sync_service_enter(s, 0);
}

static void sync_barrier_complete(struct sync *s)
{
	const struct ais_sync_ops *ops = sync_local_ops(s, s->current);
	uint32_t bit = UINT32_C(1) << s->current;

	if (ops != NULL && ops->activate != NULL && (s->inited_mask & bit)) {
		ops->activate();
	}
	s->inited_mask &= ~bit;
	ais_log(LOG_DEBUG, "sync: service %u activated", s->current);
	sync_service_enter(s, (uint32_t)s->current + 1);
}

void sync_deliver(struct sync *s, const void *msg, size_t len, ais_nodeid_t sender)
{
	struct sync_msg m;
	int idx;

	if (sync_msg_decode(msg, len, &m) < 0) {
		s->stats.msgs_bad++;
		return;
	}
	idx = sync_member_index(s, sender);
	if (!sync_ring_equal(&m.ring_id, &s->ring_id) || idx < 0) {
		s->stats.msgs_stale++;
		return;
	}
	if (m.fn == SYNC_FN_SERVICELIST) {
		if (s->state != SYNC_STATE_SERVICELIST) {
			s->stats.msgs_stale++;
			return;
		}
		for (uint32_t i = 0; i < m.value; i++) {
			s->union_mask |= UINT32_C(1) << m.ids[i];
		}
		s->got[idx] = true;
		if (sync_got_all(s)) {
			sync_lists_complete(s);
		}
		return;
	}
	if ((s->state != SYNC_STATE_PROCESS && s->state != SYNC_STATE_BARRIER) || m.value != s->current) {
		s->stats.msgs_stale++;
		return;
	}
	s->got[idx] = true;
	if (s->state == SYNC_STATE_BARRIER && sync_got_all(s)) {
		sync_barrier_complete(s);
	}
}

static void sync_send_list(struct sync *s)
{
	uint8_t buf[SYNC_HDR_LEN + SYNC_LIST_MAX * sizeof(uint32_t)];
	uint32_t ids[SYNC_LIST_MAX];
	size_t n = 0;

	for (uint16_t id = 0; id < AIS_SERVICE_ID_MAX; id++) {
		if (sync_local_ops(s, id) != NULL) {
			ids[n++] = id;
		}
	}
	size_t len = sync_msg_encode(SYNC_FN_SERVICELIST, &s->ring_id, (uint32_t)n, ids, n, buf);
	if (s->ops->mcast(s->ctx, buf, len) < 0) {
		s->ops->schedule(s->ctx, 1);
		return;
	}
	s->list_sent = true;
}

static void sync_process_step(struct sync *s)
{
	const struct ais_sync_ops *ops = sync_local_ops(s, s->current);
	uint8_t buf[SYNC_HDR_LEN];

	if (ops != NULL && ops->process != NULL && (s->inited_mask & (UINT32_C(1) << s->current))) {
		int more;

		s->in_process_step = true;
		more = ops->process();
		s->in_process_step = false;
		if (more > 0) {
			s->ops->schedule(s->ctx, 1);
			return;
		}
	}
	size_t len = sync_msg_encode(SYNC_FN_BARRIER, &s->ring_id, s->current, NULL, 0, buf);
	if (s->ops->mcast(s->ctx, buf, len) < 0) {
		s->ops->schedule(s->ctx, 1);
		return;
	}
	s->state = SYNC_STATE_BARRIER;
	/* our own barrier may complete the set only once it is delivered */
}

void sync_run(struct sync *s)
{
	switch (s->state) {
	case SYNC_STATE_SERVICELIST:
		if (!s->list_sent) {
			sync_send_list(s);
		}
		break;
	case SYNC_STATE_PROCESS:
		sync_process_step(s);
		break;
	case SYNC_STATE_IDLE:
	case SYNC_STATE_BARRIER:
		break;
	}
}

struct sync *sync_create(const struct sync_host_ops *ops, void *ctx)
{
	struct sync *s = ais_calloc(1, sizeof(*s));

	if (s == NULL) {
		return NULL;
	}
	s->ops = ops;
	s->ctx = ctx;
	s->in_progress = true; /* until the first ring is formed and synchronised */
	return s;
}

struct sync *sync_destroy(struct sync *s)
{
	free(s);
	return NULL;
}

bool sync_in_progress(const struct sync *s)
{
	return s->in_progress;
}

bool sync_in_process_step(const struct sync *s)
{
	return s->in_process_step;
}

enum sync_state sync_state_get(const struct sync *s)
{
	return s->state;
}

uint16_t sync_current_service(const struct sync *s)
{
	return s->current;
}

void sync_stats_get(const struct sync *s, struct sync_stats *ret)
{
	*ret = s->stats;
}
