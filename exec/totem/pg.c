/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Process-group layer: the glue between srp and the host (REFERENCE 1.7,
 * Corosync's totempg without its group names: the service router above does
 * the routing). pg owns the srp instance, turns application messages into
 * frames with the packer of pg_pack.c and hands srp's frames to the
 * per-sender assembler, which gives whole messages back in srp's total order.
 *
 * Sending. pg_mcast() is all or nothing: it asks the packer how many frame
 * slots the message needs (the frames it closes plus the one it leaves open)
 * and refuses with -EAGAIN unless srp's send queue has that many free slots
 * beyond the frames pg already holds. Full frames go to srp_mcast() at once;
 * the open frame leaves from srp's token_received callback, so a lone small
 * message goes out on the next token visit. Should srp refuse a frame it
 * said it had room for, the frame waits in a backlog that is drained, in
 * order, before anything else is sent; it counts against the room.
 *
 * Configuration changes and partial assemblies. A message's fragments are
 * contiguous in its sender's stream and srp delivers every sender's frames in
 * its order, so an assembly only ever waits for fragments its sender has not
 * originated or that srp has not yet delivered. The rule:
 *  - transitional configuration: the senders in `left` (and anyone else not
 *    in `members`) are gone; whatever of theirs the old ring still delivers
 *    arrives before this call, so their assemblies can never complete and are
 *    discarded. The surviving senders keep theirs: srp may still deliver
 *    old-ring frames of theirs in the transitional configuration, and every
 *    member of it delivers the same ones (EVS), so they complete alike. srp
 *    skips gaps among those old-ring messages: a skipped fragment shows as
 *    an offset mismatch at the next one, which drops that assembly at every
 *    member alike.
 *  - regular configuration: every old-ring message has been delivered, so
 *    every assembly still open is from the old ring and is discarded. Any
 *    further fragment of such a message (its sender may originate the rest
 *    in the new ring) has a non-zero offset and no assembly on any member,
 *    so every member drops it as an orphan: the message is delivered to
 *    nobody, consistently, and the sender's next message starts afresh.
 *    Known departure from EVS: such a message is not self-delivered to its
 *    surviving sender either. Keeping the assembly instead would deliver it
 *    to the old members but not to joiners, who never saw its start.
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

#include "pg.h"
#include "pg_pack.h"

AIS_LOG_SUBSYS("TOTEMPG");

/* A frame srp refused; sent before anything newer. */
struct pg_backlog_frame {
	struct qb_list_head list;
	enum totem_guarantee guarantee;
	size_t len;
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
	struct pg_packer packer;
	bool packer_ready;
	pg_asm_t *assembler;
	struct qb_list_head backlog;
	uint32_t backlog_len;
	uint64_t mcast_eagain;
};

/* Log a recurring event at counts 1, 2, 4, 8, ... only. */
static bool pg_log_ratelimit(uint64_t count)
{
	return count != 0 && (count & (count - 1)) == 0;
}

static int pg_backlog_push(pg_t *pg, const void *frame, size_t len,
                           enum totem_guarantee guarantee)
{
	struct pg_backlog_frame *f = malloc(sizeof(*f) + len);

	if (f == NULL) {
		ais_log(LOG_ERR, "out of memory keeping a %zu byte frame: frame lost", len);
		return -ENOMEM;
	}
	f->guarantee = guarantee;
	f->len = len;
	memcpy(f->data, frame, len);
	qb_list_add_tail(&f->list, &pg->backlog);
	pg->backlog_len++;
	return 0;
}

/* Hand backlog frames to srp, oldest first, while it takes them. */
static void pg_backlog_drain(pg_t *pg)
{
	while (!qb_list_empty(&pg->backlog)) {
		struct pg_backlog_frame *f =
			qb_list_first_entry(&pg->backlog, struct pg_backlog_frame, list);
		if (srp_mcast(pg->srp, f->data, f->len, f->guarantee) < 0) {
			return;
		}
		qb_list_del(&f->list);
		pg->backlog_len--;
		free(f);
	}
}

static void pg_backlog_free(pg_t *pg)
{
	struct pg_backlog_frame *f;
	struct pg_backlog_frame *tmp;

	qb_list_for_each_entry_safe(f, tmp, &pg->backlog, list) {
		qb_list_del(&f->list);
		free(f);
	}
	pg->backlog_len = 0;
}

/* pg_frame_emit_fn: a finished frame goes to srp, or to the backlog. */
static int pg_frame_emit(void *ctx, const void *frame, size_t len, enum totem_guarantee guarantee)
{
	pg_t *pg = ctx;
	int rc;

	if (pg->backlog_len == 0) {
		rc = srp_mcast(pg->srp, frame, len, guarantee);
		if (rc == 0) {
			return 0;
		}
		if (rc == -EMSGSIZE) {
			ais_log(LOG_ERR, "srp refused a %zu byte frame as too big (payload max %zu)",
			        len, srp_payload_max(pg->srp));
			return rc;
		}
		ais_log(LOG_WARNING, "srp refused a frame it had room for (%d): kept back", rc);
	}
	return pg_backlog_push(pg, frame, len, guarantee);
}

/* Frame slots free for new messages. */
static uint32_t pg_room(const pg_t *pg)
{
	uint32_t avail = srp_send_queue_avail(pg->srp);

	return avail > pg->backlog_len ? avail - pg->backlog_len : 0;
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
	if (type == TOTEM_CONFCHG_TRANSITIONAL) {
		n = pg_asm_discard_except(pg->assembler, members, n_members);
	} else {
		n = pg_asm_discard_all(pg->assembler);
	}
	if (n > 0) {
		ais_log(LOG_NOTICE, "%s configuration: discarded %zu partial message(s)",
		        type == TOTEM_CONFCHG_TRANSITIONAL ? "transitional" : "regular", n);
	}
	if (pg->cb.confchg != NULL) {
		pg->cb.confchg(pg->ctx, type, members, n_members, left, n_left, joined, n_joined,
		               ring_id);
	}
}

static void pg_srp_ring_seq_store(void *ctx, uint64_t ring_seq)
{
	pg_t *pg = ctx;

	if (pg->cb.ring_seq_store != NULL) {
		pg->cb.ring_seq_store(pg->ctx, ring_seq);
	}
}

static void pg_srp_token_received(void *ctx)
{
	pg_t *pg = ctx;

	if (!pg->packer_ready) {
		return;
	}
	pg_backlog_drain(pg);
	(void)pg_packer_flush(&pg->packer, pg_frame_emit, pg);
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
	pg_t *pg = calloc(1, sizeof(*pg));

	if (pg == NULL) {
		return NULL;
	}
	pg->cb = *cb;
	pg->net = *net;
	pg->clock = *clock;
	pg->ctx = ctx;
	pg->max_msg_size = cfg->max_msg_size != 0 ? cfg->max_msg_size : PG_MSG_SIZE_DEFAULT;
	pg->send_queue_max = cfg->send_queue_max;
	qb_list_init(&pg->backlog);
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
	pg_backlog_free(pg);
	if (pg->packer_ready) {
		pg_packer_fini(&pg->packer);
	}
	pg_asm_destroy(pg->assembler);
	free(pg);
	return NULL;
}

/* Frame slots a len-byte message may need, whichever its guarantee. */
static uint32_t pg_frames_needed_any(const pg_t *pg, size_t len)
{
	uint32_t agreed = pg_packer_frames_needed(&pg->packer, len, TOTEM_AGREED);
	uint32_t safe = pg_packer_frames_needed(&pg->packer, len, TOTEM_SAFE);

	return agreed > safe ? agreed : safe;
}

int pg_mcast(pg_t *pg, const struct iovec *iov, size_t iovcnt, enum totem_guarantee guarantee)
{
	size_t len = 0;

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
	pg_backlog_drain(pg);
	if (pg_packer_frames_needed(&pg->packer, len, guarantee) > pg_room(pg)) {
		pg->mcast_eagain++;
		return -EAGAIN;
	}
	int rc = pg_packer_add(&pg->packer, iov, iovcnt, guarantee, pg_frame_emit, pg);
	if (rc < 0) {
		ais_log(LOG_ERR, "a %zu byte message lost frames on the way to srp: %s",
		        len, strerror(-rc));
	}
	return 0;
}

bool pg_send_ok(const pg_t *pg, size_t len)
{
	if (len > pg->max_msg_size) {
		return false;
	}
	return pg_frames_needed_any(pg, len) <= pg_room(pg);
}

uint32_t pg_queue_level(const pg_t *pg)
{
	uint32_t level = srp_queue_level(pg->srp);
	uint32_t held = pg->backlog_len + (pg_packer_pending(&pg->packer) ? 1 : 0);

	if (held == 0 || pg->send_queue_max == 0) {
		return level;
	}
	uint32_t avail = srp_send_queue_avail(pg->srp);
	uint64_t used = (uint64_t)(pg->send_queue_max > avail ? pg->send_queue_max - avail : 0) + held;
	uint64_t pct = used * 100 / pg->send_queue_max;
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
	s.frames_backlog = pg->backlog_len;
	*ret_stats = s;
}
