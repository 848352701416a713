/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Process-group layer: the glue between srp and the host (REFERENCE 1.7,
 * Corosync's totempg without its group names: the service router above does
 * the routing). pg owns the srp instance, turns application messages into
 * frames with the packer of pg_pack.c and hands srp's frames to the
 * per-sender assembler, which gives whole messages back in srp's total order.
 *
 * Sending. pg_mcast() is all or nothing: the message is copied whole into
 * pg's own bounded FIFO, or refused with -EAGAIN when the frames the queue
 * would then take exceed send_queue_max (the count is exact: a bookkeeping
 * packer, pg_packer_account(), runs over the queue the same packing
 * decisions the real one will). Frames are built only inside srp's
 * token_received callback, exactly as many as srp_origination_budget()
 * allows, and srp originates every one of them in that same token visit; a
 * partly filled last frame leaves then too, so a lone small message goes
 * out on the next visit. The queue's frame count is srp's backlog
 * (srp_backlog_set()), so the token's fair-share flow control sees it.
 *
 * Lanes. There are two FIFOs: the priority lane (pg_mcast_prio(), the
 * executive's sync traffic) and the normal lane (pg_mcast()). At every
 * token visit the priority lane is packed first, then the normal lane; a
 * normal message whose first fragment already left is finished before
 * anything else (a sender's fragments are contiguous in its stream). Order
 * is kept per sender within each lane, not across lanes: a priority message
 * may overtake normal ones queued before it. pg_normal_hold() stops the
 * normal lane (only the priority lane counts as srp backlog then); the
 * executive holds it from a configuration change until sync completes, so
 * no application message, not even one accepted in the old ring, is
 * originated in the new ring before every member has synchronised: all of
 * them are delivered after sync, at every member.
 *
 * The rule: a message is never split across rings. No frame of pg waits
 * inside srp across a configuration change (see above), so the only
 * message that can have fragments originated in the old ring and the rest
 * still queued is the one at the head of its lane (at most one is partly
 * sent at any time, given the lane rule above). At the regular
 * configuration (the first point at which the new ring can originate), pg
 * restarts that message from its first byte, still at the head, so per
 * sender FIFO order holds; its old-ring fragments are orphans that every
 * member discards (below). Hence every message pg_mcast() accepted is
 * delivered to its sender unless the sender fails (EVS self-delivery), and
 * it is delivered in the ring in which its last fragment was originated.
 *
 * Configuration changes and partial assemblies. A message's fragments are
 * contiguous in its sender's stream and srp delivers every sender's frames in
 * its order, so an assembly only ever waits for fragments its sender has not
 * originated or that srp has not yet delivered. The rule:
 *  - transitional configuration: nothing is discarded, not even the
 *    assemblies of senders that left. srp delivers the old ring's messages
 *    around the transitional configuration (EVS): those after the first gap
 *    or the first SAFE message not known stable come after this call, in
 *    the transitional configuration, and every member of it delivers the
 *    same ones. They may hold the rest of a left sender's message, and a
 *    SAFE one may already have been delivered whole in the regular
 *    configuration by a member now on the other side of a partition, so it
 *    must complete here too (EVS safe delivery). srp skips gaps among those
 *    old-ring messages: a skipped fragment shows as an offset mismatch at
 *    the next one, which drops that assembly at every member alike.
 *  - regular configuration: every old-ring message has been delivered, so
 *    every assembly still open is from the old ring and is discarded. Any
 *    further fragment of such a message in the new ring has a non-zero
 *    offset and no assembly on any member, so every member drops it as an
 *    orphan. With the rule above a sender never sends such fragments: it
 *    restarts the cut message in the new ring from offset 0, so the message
 *    is delivered there, whole, to every member (its sender included).
 *    Keeping the assembly instead would deliver it to the old members but
 *    not to joiners, who never saw its start.
 * Complete messages and other senders' assemblies are never touched.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include <qb/qblist.h>
#include <ais/log.h>
#include <ais/inject.h>

#include "pg.h"
#include "pg_pack.h"

AIS_LOG_SUBSYS("TOTEMPG");

enum pg_lane_id {
	PG_LANE_PRIO = 0,
	PG_LANE_NORMAL = 1,
	PG_LANES = 2,
};

/* One FIFO of accepted messages and the frames it takes when packed alone. */
struct pg_lane {
	struct qb_list_head queue;      /* struct pg_pending, oldest first */
	struct pg_packer tally;         /* counts the frames the queue takes */
	uint32_t tally_closed;          /* frames the tally closed */
};

/* A message accepted by pg_mcast() and not yet wholly handed to srp. */
struct pg_pending {
	struct qb_list_head list;
	enum totem_guarantee guarantee;
	uint32_t msg_no;
	size_t len;
	size_t sent;                    /* bytes handed to srp in this ring */
	uint8_t data[];
};

struct pg {
	srp_t *srp;
	struct pg_callbacks cb;
	struct totem_transport_ops net;
	struct totem_clock_ops clock;
	void *ctx;                      /* the host's, for cb, net and clock */
	uint32_t max_msg_size;
	uint32_t send_queue_max;
	struct pg_packer packer;        /* builds frames in token_received */
	bool packer_ready;
	pg_asm_t *assembler;
	struct pg_lane lanes[PG_LANES]; /* PG_LANE_PRIO first: packed first */
	bool normal_held;               /* pg_normal_hold(): the normal lane waits */
	uint64_t mcast_eagain;
	uint64_t msgs_restarted;
	uint64_t frames_lost;
};

/* Log a recurring event at counts 1, 2, 4, 8, ... only. */
static bool pg_log_ratelimit(uint64_t count)
{
	return count != 0 && (count & (count - 1)) == 0;
}

/* Frames a lane's messages take, the last partly filled one included. */
static uint32_t pg_lane_frames(const struct pg_lane *l)
{
	return l->tally_closed + (pg_packer_pending(&l->tally) ? 1U : 0U);
}

/* Frames srp may originate now: the normal lane counts only when not held. */
static uint32_t pg_pending_frames(const pg_t *pg)
{
	uint32_t n = pg_lane_frames(&pg->lanes[PG_LANE_PRIO]);

	return pg->normal_held ? n : n + pg_lane_frames(&pg->lanes[PG_LANE_NORMAL]);
}

static uint32_t pg_queued_frames(const pg_t *pg)
{
	return pg_lane_frames(&pg->lanes[PG_LANE_PRIO]) + pg_lane_frames(&pg->lanes[PG_LANE_NORMAL]);
}

static void pg_queue_free(pg_t *pg)
{
	for (size_t i = 0; i < PG_LANES; i++) {
		struct pg_lane *l = &pg->lanes[i];
		struct pg_pending *m;
		struct pg_pending *tmp;

		qb_list_for_each_entry_safe(m, tmp, &l->queue, list) {
			qb_list_del(&m->list);
			free(m);
		}
		pg_packer_forget(&l->tally);
		l->tally_closed = 0;
	}
}

/* Recount a lane's frames from a frame boundary (after a restart). */
static void pg_tally_rebuild(struct pg_lane *l)
{
	struct pg_pending *m;

	pg_packer_forget(&l->tally);
	l->tally_closed = 0;
	qb_list_for_each_entry(m, &l->queue, list) {
		l->tally_closed += pg_packer_account(&l->tally, m->len, m->guarantee);
	}
}

/* pg_frame_emit_fn: a finished frame goes to srp, inside token_received. */
static int pg_frame_emit(void *ctx, const void *frame, size_t len, enum totem_guarantee guarantee)
{
	pg_t *pg = ctx;
	int rc = srp_mcast(pg->srp, frame, len, guarantee);

	if (rc < 0) {
		/* srp takes whatever fits its budget; this is out of memory */
		pg->frames_lost++;
		ais_log(LOG_ERR, "srp refused a %zu byte frame within its budget: %s", len,
		        strerror(-rc));
		if (pg->cb.frame_lost != NULL)
			pg->cb.frame_lost(pg->ctx, len, rc);
	}
	return rc;
}

/*
 * Regular configuration: if the head message had fragments originated in
 * the old ring (its sender's stream was cut there), it starts over in the
 * new ring from its first byte. The rule is at the top of this file.
 */
static void pg_queue_restart_cut(pg_t *pg)
{
	for (size_t i = 0; i < PG_LANES; i++) {
		struct pg_lane *l = &pg->lanes[i];
		struct pg_pending *m;

		if (qb_list_empty(&l->queue)) {
			continue;
		}
		m = qb_list_first_entry(&l->queue, struct pg_pending, list);
		if (m->sent == 0) {
			continue;
		}
		ais_log(LOG_NOTICE, "restarting a %zu byte message cut by the configuration change "
		        "(%zu bytes of it went out in the old ring)", m->len, m->sent);
		m->sent = 0;
		pg->msgs_restarted++;
		pg_tally_rebuild(l);
	}
	srp_backlog_set(pg->srp, pg_pending_frames(pg));
}

static void pg_srp_deliver(void *ctx, totem_nodeid_t sender, const void *msg, size_t len,
                           enum totem_guarantee guarantee)
{
	pg_t *pg = ctx;

	if (pg_asm_frame(pg->assembler, sender, msg, len, guarantee) < 0) {
		struct pg_asm_stats st;
		pg_asm_stats_get(pg->assembler, &st);
		if (pg_log_ratelimit(st.frames_bad)) {
			ais_log(LOG_WARNING, "dropped a malformed %zu byte frame from node %u "
			        "(%" PRIu64 " so far)", len, sender, st.frames_bad);
		}
	}
}

static void pg_srp_confchg(void *ctx, enum totem_confchg_type type,
                           const totem_nodeid_t *members, size_t n_members,
                           const totem_nodeid_t *left, size_t n_left,
                           const totem_nodeid_t *joined, size_t n_joined,
                           const struct totem_ring_id *ring_id)
{
	pg_t *pg = ctx;
	size_t n;

	/* the rule is explained at the top of this file */
	if (type == TOTEM_CONFCHG_REGULAR) {
		n = pg_asm_discard_all(pg->assembler);
		if (n > 0) {
			ais_log(LOG_NOTICE, "regular configuration: discarded %zu partial message(s) "
			        "of the old ring", n);
		}
		pg_queue_restart_cut(pg);
	}
	if (pg->cb.confchg != NULL) {
		pg->cb.confchg(pg->ctx, type, members, n_members, left, n_left, joined, n_joined,
		               ring_id);
	}
}

static int pg_srp_ring_seq_store(void *ctx, uint64_t ring_seq)
{
	pg_t *pg = ctx;

	return pg->cb.ring_seq_store != NULL ? pg->cb.ring_seq_store(pg->ctx, ring_seq) : 0;
}

/*
 * Pack lane l's messages into at most budget frames; true when the budget
 * ran out inside a message (it stays at the head, partly sent). With
 * only_cut, just the head message and only if it is partly sent.
 */
static bool pg_lane_pack(pg_t *pg, struct pg_lane *l, uint32_t budget, uint32_t *emitted,
                         bool only_cut)
{
	while (*emitted < budget && !qb_list_empty(&l->queue)) {
		struct pg_pending *m = qb_list_first_entry(&l->queue, struct pg_pending, list);
		struct pg_packer_msg pm = {
			.data = m->data, .len = m->len, .msg_no = m->msg_no, .guarantee = m->guarantee,
		};
		uint32_t n = 0;

		if (only_cut && m->sent == 0) {
			return false;
		}
		(void)pg_packer_add_part(&pg->packer, &pm, &m->sent, budget - *emitted,
		                         pg_frame_emit, pg, &n);
		*emitted += n;
		l->tally_closed = l->tally_closed > n ? l->tally_closed - n : 0;
		if (m->sent < m->len) {
			return true;    /* the budget ran out inside it */
		}
		qb_list_del(&m->list);
		free(m);
		if (only_cut) {
			return false;
		}
	}
	return !qb_list_empty(&l->queue) &&
	       qb_list_first_entry(&l->queue, struct pg_pending, list)->sent > 0;
}

/* Hand srp exactly the frames it originates in this token visit (lanes:
 * see the top of this file). */
static void pg_srp_token_received(void *ctx)
{
	pg_t *pg = ctx;
	struct pg_lane *prio = &pg->lanes[PG_LANE_PRIO];
	struct pg_lane *normal = &pg->lanes[PG_LANE_NORMAL];
	uint32_t budget = srp_origination_budget(pg->srp);
	uint32_t emitted = 0;
	bool more;

	if (!pg->packer_ready) {
		return;
	}
	/* a message already begun is finished first: fragments stay contiguous */
	if (!pg_lane_pack(pg, normal, budget, &emitted, true) &&
	    !pg_lane_pack(pg, prio, budget, &emitted, false) && !pg->normal_held) {
		(void)pg_lane_pack(pg, normal, budget, &emitted, false);
	}
	more = !qb_list_empty(&prio->queue) || (!pg->normal_held && !qb_list_empty(&normal->queue));
	if (!more && pg_packer_pending(&pg->packer)) {
		/* nothing more to pack: the partly filled last frame leaves now */
		if (pg_packer_flush(&pg->packer, pg_frame_emit, pg) < 0) {
			pg_packer_forget(&pg->packer);
		}
		for (size_t i = 0; i < PG_LANES; i++) {
			if (qb_list_empty(&pg->lanes[i].queue)) {
				pg_packer_forget(&pg->lanes[i].tally);
				pg->lanes[i].tally_closed = 0;
			}
		}
	}
	srp_backlog_set(pg->srp, pg_pending_frames(pg));
}

static void pg_asm_deliver(void *ctx, totem_nodeid_t sender, const void *msg, size_t len,
                           enum totem_guarantee guarantee)
{
	pg_t *pg = ctx;

	if (pg->cb.deliver != NULL) {
		pg->cb.deliver(pg->ctx, sender, msg, len, guarantee);
	}
}

/*
 * srp passes one ctx to its ops and its callbacks, and that ctx is pg; the
 * host's ops get the host's ctx back through these.
 */
static int pg_net_mcast(void *ctx, const void *buf, size_t len)
{
	pg_t *pg = ctx;

	return pg->net.mcast(pg->ctx, buf, len);
}

static int pg_net_ucast(void *ctx, totem_nodeid_t to, const void *buf, size_t len)
{
	pg_t *pg = ctx;

	return pg->net.ucast(pg->ctx, to, buf, len);
}

static uint64_t pg_clock_now_us(void *ctx)
{
	pg_t *pg = ctx;

	return pg->clock.now_us(pg->ctx);
}

static int pg_clock_timer_add(void *ctx, uint32_t ms, totem_timer_fn fn, void *data,
                              uint64_t *ret_handle)
{
	pg_t *pg = ctx;

	return pg->clock.timer_add(pg->ctx, ms, fn, data, ret_handle);
}

static int pg_clock_timer_add_us(void *ctx, uint32_t us, totem_timer_fn fn, void *data,
                                 uint64_t *ret_handle)
{
	pg_t *pg = ctx;

	if (pg->clock.timer_add_us == NULL) {
		return pg->clock.timer_add(pg->ctx, (us + 999U) / 1000U, fn, data, ret_handle);
	}
	return pg->clock.timer_add_us(pg->ctx, us, fn, data, ret_handle);
}

static void pg_clock_timer_del(void *ctx, uint64_t handle)
{
	pg_t *pg = ctx;

	pg->clock.timer_del(pg->ctx, handle);
}

static uint32_t pg_clock_random(void *ctx)
{
	pg_t *pg = ctx;

	return pg->clock.random(pg->ctx);
}

static const struct totem_transport_ops pg_net_ops = {
	.mcast = pg_net_mcast,
	.ucast = pg_net_ucast,
};

static const struct totem_clock_ops pg_clock_ops = {
	.now_us = pg_clock_now_us,
	.timer_add = pg_clock_timer_add,
	.timer_del = pg_clock_timer_del,
	.random = pg_clock_random,
	.timer_add_us = pg_clock_timer_add_us,
};

static const struct srp_callbacks pg_srp_callbacks = {
	.deliver = pg_srp_deliver,
	.confchg = pg_srp_confchg,
	.ring_seq_store = pg_srp_ring_seq_store,
	.token_received = pg_srp_token_received,
};

pg_t *pg_create(const struct totem_config *cfg, uint64_t ring_seq,
                const struct totem_transport_ops *net,
                const struct totem_clock_ops *clock,
                const struct pg_callbacks *cb, void *ctx)
{
	pg_t *pg = ais_calloc(1, sizeof(*pg));

	if (pg == NULL) {
		return NULL;
	}
	pg->cb = *cb;
	pg->net = *net;
	pg->clock = *clock;
	pg->ctx = ctx;
	pg->max_msg_size = cfg->max_msg_size != 0 ? cfg->max_msg_size : PG_MSG_SIZE_DEFAULT;
	pg->send_queue_max = cfg->send_queue_max;
	for (size_t i = 0; i < PG_LANES; i++) {
		qb_list_init(&pg->lanes[i].queue);
	}
	pg->assembler = pg_asm_create(pg->max_msg_size, pg_asm_deliver, pg);
	if (pg->assembler == NULL) {
		goto out_free_pg;
	}
	pg->srp = srp_create(cfg, ring_seq, &pg_net_ops, &pg_clock_ops, &pg_srp_callbacks, pg);
	if (pg->srp == NULL) {
		goto out_free_asm;
	}
	int rc = pg_packer_init(&pg->packer, srp_payload_max(pg->srp));
	if (rc < 0) {
		ais_log(LOG_ERR, "cannot pack into %zu byte frames: %s",
		        srp_payload_max(pg->srp), strerror(-rc));
		goto out_destroy_srp;
	}
	for (size_t i = 0; i < PG_LANES; i++) {
		rc = pg_packer_init(&pg->lanes[i].tally, srp_payload_max(pg->srp));
		if (rc < 0) {
			while (i-- > 0) {
				pg_packer_fini(&pg->lanes[i].tally);
			}
			pg_packer_fini(&pg->packer);
			goto out_destroy_srp;
		}
	}
	pg->packer_ready = true;
	return pg;

out_destroy_srp:
	srp_destroy(pg->srp);
out_free_asm:
	pg_asm_destroy(pg->assembler);
out_free_pg:
	free(pg);
	return NULL;
}

pg_t *pg_destroy(pg_t *pg)
{
	if (pg == NULL) {
		return NULL;
	}
	srp_destroy(pg->srp);
	pg_queue_free(pg);
	if (pg->packer_ready) {
		pg_packer_fini(&pg->packer);
		for (size_t i = 0; i < PG_LANES; i++) {
			pg_packer_fini(&pg->lanes[i].tally);
		}
	}
	pg_asm_destroy(pg->assembler);
	free(pg);
	return NULL;
}

/* Frames lane l would take with a len-byte message added. */
static uint32_t pg_frames_with(const struct pg_lane *l, size_t len, enum totem_guarantee guarantee)
{
	return l->tally_closed + pg_packer_frames_needed(&l->tally, len, guarantee);
}

/* Would lane l stay within max frames with a len-byte message added? The
 * O(1) bound answers most calls (a mostly empty queue); the exact count,
 * a dry packing run, only those near the limit. */
static bool pg_lane_fits(const struct pg_lane *l, size_t len, enum totem_guarantee guarantee,
                         uint32_t max)
{
	if ((uint64_t)l->tally_closed + pg_packer_frames_bound(&l->tally, len) <= max) {
		return true;
	}
	return pg_frames_with(l, len, guarantee) <= max;
}

static int pg_lane_mcast(pg_t *pg, struct pg_lane *l, const struct iovec *iov, size_t iovcnt,
                         enum totem_guarantee guarantee)
{
	struct pg_pending *m;
	size_t len = 0;
	size_t off = 0;

	if ((iov == NULL && iovcnt > 0) ||
	    (guarantee != TOTEM_AGREED && guarantee != TOTEM_SAFE)) {
		return -EINVAL;
	}
	for (size_t i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > pg->max_msg_size - len) {
			return -EMSGSIZE;
		}
		len += iov[i].iov_len;
	}
	if (!pg_lane_fits(l, len, guarantee, pg->send_queue_max)) {
		pg->mcast_eagain++;
		return -EAGAIN;
	}
	m = ais_malloc(sizeof(*m) + len);
	if (m == NULL) {
		return -ENOMEM;
	}
	for (size_t i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > 0) {
			memcpy(m->data + off, iov[i].iov_base, iov[i].iov_len);
			off += iov[i].iov_len;
		}
	}
	m->guarantee = guarantee;
	m->len = len;
	m->sent = 0;
	m->msg_no = pg->packer.msg_no++;
	pg->packer.msgs++;
	qb_list_add_tail(&m->list, &l->queue);
	l->tally_closed += pg_packer_account(&l->tally, len, guarantee);
	if (l == &pg->lanes[PG_LANE_NORMAL]) {
		/* clients' messages set the pace; the sync lane's burst at a
		 * configuration change must not hold the token */
		srp_load_note(pg->srp, 1);
	}
	srp_backlog_set(pg->srp, pg_pending_frames(pg));
	return 0;
}

int pg_mcast(pg_t *pg, const struct iovec *iov, size_t iovcnt, enum totem_guarantee guarantee)
{
	return pg_lane_mcast(pg, &pg->lanes[PG_LANE_NORMAL], iov, iovcnt, guarantee);
}

int pg_mcast_prio(pg_t *pg, const struct iovec *iov, size_t iovcnt,
                  enum totem_guarantee guarantee)
{
	return pg_lane_mcast(pg, &pg->lanes[PG_LANE_PRIO], iov, iovcnt, guarantee);
}

void pg_normal_hold(pg_t *pg, bool hold)
{
	if (pg->normal_held == hold) {
		return;
	}
	pg->normal_held = hold;
	srp_backlog_set(pg->srp, pg_pending_frames(pg));
}

bool pg_send_ok(const pg_t *pg, size_t len)
{
	const struct pg_lane *l = &pg->lanes[PG_LANE_NORMAL];

	if (len > pg->max_msg_size) {
		return false;
	}
	return pg_lane_fits(l, len, TOTEM_AGREED, pg->send_queue_max) &&
	       pg_lane_fits(l, len, TOTEM_SAFE, pg->send_queue_max);
}

uint32_t pg_queue_level(const pg_t *pg)
{
	uint32_t level = srp_queue_level(pg->srp);
	uint64_t pct;

	if (pg->send_queue_max == 0) {
		return level;
	}
	pct = (uint64_t)pg_lane_frames(&pg->lanes[PG_LANE_NORMAL]) * 100U / pg->send_queue_max;
	if (pct > 100) {
		pct = 100;
	}
	return (uint32_t)pct > level ? (uint32_t)pct : level;
}

srp_t *pg_srp(pg_t *pg)
{
	return pg->srp;
}

void pg_stats_get(const pg_t *pg, struct pg_stats *ret_stats)
{
	struct pg_asm_stats st;
	struct pg_stats s = { 0 };

	pg_asm_stats_get(pg->assembler, &st);
	s.msgs_tx = pg->packer.msgs;
	s.msgs_packed = pg->packer.msgs_packed;
	s.fragments_tx = pg->packer.fragments;
	s.frames_tx = pg->packer.frames;
	s.mcast_eagain = pg->mcast_eagain;
	s.msgs_rx = st.msgs;
	s.fragments_rx = st.fragments;
	s.assemblies_discarded = st.assemblies_discarded;
	s.fragments_orphaned = st.fragments_orphaned;
	s.frames_bad = st.frames_bad;
	s.frames_backlog = pg_queued_frames(pg);
	s.msgs_restarted = pg->msgs_restarted;
	s.frames_lost = pg->frames_lost;
	*ret_stats = s;
}
