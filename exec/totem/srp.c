/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Totem SRP instance: creation and teardown, the public API of srp.h, the
 * receive dispatcher (decode the common header, hand the frame to the phase
 * that owns its type), MCAST reception into the sort queue, delivery in
 * agreed / safe order (Totem TOCS 1995 sec. 3.2, EVS ICDCS 1994 sec. 2) and
 * the small helpers every phase uses (timers through totem_clock_ops, sends
 * through totem_transport_ops, rate-limited logging). No globals: every
 * piece of state lives in struct srp (srp_int.h), so many instances can run
 * in one process.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ais/log.h>

#include "srp_int.h"

AIS_LOG_SUBSYS("TOTEM");

void srp_timer_clear(struct srp *srp, uint64_t *handle)
{
	if (*handle != 0) {
		srp->clock.timer_del(srp->ctx, *handle);
		*handle = 0;
	}
}

void srp_timer_set(struct srp *srp, uint64_t *handle, uint32_t ms, totem_timer_fn fn)
{
	uint64_t h = 0;

	srp_timer_clear(srp, handle);
	if (srp->left) {
		return;
	}
	if (srp->clock.timer_add(srp->ctx, ms, fn, srp, &h) < 0) {
		ais_log(LOG_ERR, "cannot arm a %u ms timer", ms);
		h = 0;
	}
	*handle = h;
}

void srp_timer_set_us(struct srp *srp, uint64_t *handle, uint32_t us, totem_timer_fn fn)
{
	uint64_t h = 0;
	int r;

	if (srp->clock.timer_add_us == NULL) {
		srp_timer_set(srp, handle, (us + 999U) / 1000U, fn);
		return;
	}
	srp_timer_clear(srp, handle);
	if (srp->left) {
		return;
	}
	r = srp->clock.timer_add_us(srp->ctx, us, fn, srp, &h);
	if (r < 0) {
		ais_log(LOG_ERR, "cannot arm a %u us timer", us);
		h = 0;
	}
	*handle = h;
}

void srp_timers_clear_all(struct srp *srp)
{
	srp_timer_clear(srp, &srp->t_token_loss);
	srp_timer_clear(srp, &srp->t_token_warn);
	srp_timer_clear(srp, &srp->t_token_rtx);
	srp_timer_clear(srp, &srp->t_hold);
	srp_timer_clear(srp, &srp->t_join);
	srp_timer_clear(srp, &srp->t_consensus);
	srp_timer_clear(srp, &srp->t_pace);
	srp->pacing = false;
}

bool srp_log_noise_ok(struct srp *srp)
{
	uint64_t now = srp->clock.now_us(srp->ctx);

	if (now - srp->noise_window_us >= 1000000U) {
		srp->noise_window_us = now;
		srp->noise_count = 0;
	}
	return srp->noise_count++ < SRP_LOG_NOISE_PER_SEC;
}

void srp_send_mcast_frame(struct srp *srp, const void *buf, size_t len)
{
	if (!srp->left) {
		(void)srp->net.mcast(srp->ctx, buf, len);
	}
}

void srp_send_ucast_frame(struct srp *srp, totem_nodeid_t to, const void *buf, size_t len)
{
	if (!srp->left) {
		(void)srp->net.ucast(srp->ctx, to, buf, len);
	}
}

/* Failed to receive a short while ago: keep out of merges (both ways). */
bool srp_no_merge(const struct srp *srp)
{
	return srp->no_merge_until_us != 0 && srp->clock.now_us(srp->ctx) < srp->no_merge_until_us;
}

int srp_msg_send(struct srp *srp, const struct srp_ring *r, const struct srp_msg *m)
{
	struct wire_mcast mc = {
		.hdr = { .sender = m->sender, .ring_id = r->ring_id,
		         .flags = srp_no_merge(srp) ? WIRE_FLAG_NO_MERGE : 0 },
		.seq = m->seq,
		.guarantee = m->guarantee,
		.encapsulated = m->encapsulated,
		.payload_len = m->len,
		.payload = m->data,
	};
	ssize_t n = wire_mcast_encode(&mc, srp->txbuf, WIRE_FRAME_MAX);

	if (n < 0) {
		return (int)n;
	}
	srp_send_mcast_frame(srp, srp->txbuf, (size_t)n);
	return 0;
}

totem_nodeid_t srp_ring_next(const struct srp_ring *r, totem_nodeid_t me)
{
	for (size_t i = 0; i < r->n_members; i++) {
		if (r->members[i] > me) {
			return r->members[i];
		}
	}
	return r->n_members > 0 ? r->members[0] : me;
}

/*
 * Hand every deliverable message of the current ring up, in seq order:
 * contiguous (<= aru), and a SAFE one only when <= safe_aru, which blocks
 * everything after it as well (total order). Encapsulated recovery frames
 * were unwrapped into the old ring on receipt and are skipped here.
 */
void srp_deliver_pending(struct srp *srp)
{
	struct srp_ring *r = &srp->cur;

	if (srp->state != SRP_STATE_OPERATIONAL || r->slots == NULL) {
		return;
	}
	while (!srp->left && seq_lt(r->high_delivered, r->aru)) {
		uint32_t next = r->high_delivered + 1U;
		struct srp_msg *m = srp_ring_get(r, next);

		if (m == NULL) {
			break;
		}
		if (m->guarantee == TOTEM_SAFE && seq_gt(next, r->safe_aru)) {
			break;
		}
		r->high_delivered = next;
		if (!m->encapsulated) {
			srp->stats.delivered++;
			srp->cb.deliver(srp->ctx, m->sender, m->data, m->len,
			                (enum totem_guarantee)m->guarantee);
		}
	}
}

static void srp_mcast_recv(struct srp *srp, const void *buf, size_t len)
{
	struct wire_mcast mc;
	struct srp_ring *r = NULL;
	int stored;

	if (wire_mcast_decode(buf, len, &mc) < 0) {
		srp->stats.frames_bad++;
		return;
	}
	if ((srp->state == SRP_STATE_OPERATIONAL || srp->state == SRP_STATE_RECOVERY) &&
	    srp->cur.slots != NULL && mc.hdr.ring_id.rep == srp->cur.ring_id.rep &&
	    mc.hdr.ring_id.seq == srp->cur.ring_id.seq) {
		r = &srp->cur;
	} else if ((srp->state == SRP_STATE_GATHER || srp->state == SRP_STATE_COMMIT) &&
	           srp->old.slots != NULL && mc.hdr.ring_id.rep == srp->old.ring_id.rep &&
	           mc.hdr.ring_id.seq == srp->old.ring_id.seq) {
		/* late traffic of the last ring: it improves recovery */
		r = &srp->old;
	}
	if (r == NULL) {
		srp->stats.frames_foreign++;
		srp_memb_foreign_seen(srp, &mc.hdr);
		return;
	}
	if (r == &srp->cur) {
		srp_token_sent_progress(srp, mc.seq);
	}
	if (!srp_ring_fits(r, mc.seq)) {
		return;
	}
	stored = srp_ring_store(r, mc.seq, mc.hdr.sender, mc.guarantee, mc.encapsulated,
	                        mc.payload, mc.payload_len);
	if (stored < 0) {
		ais_log(LOG_ERR, "out of memory storing message %u", mc.seq);
		return;
	}
	if (stored == 0) {
		return;
	}
	srp->stats.mcast_rx++;
	if (r == &srp->cur && mc.encapsulated && srp->state == SRP_STATE_RECOVERY) {
		srp_recovery_unwrap(srp, mc.payload, mc.payload_len);
	}
	if (r == &srp->cur) {
		srp_deliver_pending(srp);
	}
}

bool srp_node_known(const struct srp *srp, totem_nodeid_t id)
{
	if (srp->cfg.known_count == 0) {
		return true;
	}
	for (uint32_t i = 0; i < srp->cfg.known_count && i < TOTEM_PROCESSORS_MAX; i++) {
		if (srp->cfg.known[i] == id) {
			return true;
		}
	}
	return false;
}

bool srp_set_known(const struct srp *srp, const totem_nodeid_t *set, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!srp_node_known(srp, set[i])) {
			return false;
		}
	}
	return true;
}

void srp_recv(srp_t *srp, const void *buf, size_t len)
{
	struct wire_header hdr;

	if (srp == NULL || srp->left) {
		return;
	}
	if (wire_header_decode(buf, len, &hdr) < 0) {
		srp->stats.frames_bad++;
		return;
	}
	if (hdr.sender == srp->me) {
		srp->stats.frames_foreign++;
		return;
	}
	if (!srp_node_known(srp, hdr.sender)) {
		srp->stats.frames_implausible++;
		return;
	}
	switch ((enum wire_type)hdr.type) {
	case WIRE_TOKEN:
		srp_token_recv(srp, buf, len);
		break;
	case WIRE_MCAST:
		srp_mcast_recv(srp, buf, len);
		break;
	case WIRE_MERGE_DETECT:
		srp_memb_merge_detect_recv(srp, buf, len);
		break;
	case WIRE_JOIN:
		srp_memb_join_recv(srp, buf, len);
		break;
	case WIRE_COMMIT_TOKEN:
		srp_memb_commit_recv(srp, buf, len);
		break;
	case WIRE_HOLD_CANCEL:
		srp_token_hold_cancel_recv(srp, buf, len);
		break;
	case WIRE_LEAVE:
		srp_memb_leave_recv(srp, buf, len);
		break;
	case WIRE_TYPE_COUNT:
	default:
		srp->stats.frames_bad++;
		break;
	}
}

srp_t *srp_create(const struct totem_config *cfg, uint64_t ring_seq,
                  const struct totem_transport_ops *net,
                  const struct totem_clock_ops *clock,
                  const struct srp_callbacks *cb, void *ctx)
{
	struct srp *srp = calloc(1, sizeof(*srp));
	struct totem_ring_id first;

	if (srp == NULL) {
		return NULL;
	}
	srp->cfg = *cfg;
	srp->net = *net;
	srp->clock = *clock;
	srp->cb = *cb;
	srp->ctx = ctx;
	srp->me = cfg->nodeid;
	srp->ring_seq_stored = ring_seq;
	srp->ring_seq_max = ring_seq;
	srp->state = SRP_STATE_GATHER;
	srp->txbuf = malloc(WIRE_FRAME_MAX);
	/* the private "old ring" of a node that starts from nothing: srp_int.h */
	first.rep = srp->me;
	first.seq = ring_seq + 1U;
	if (srp->txbuf == NULL || srp_sendq_init(&srp->sendq, cfg->send_queue_max) < 0 ||
	    srp_sendq_init(&srp->recq, SRP_QUEUE_SLOTS) < 0 ||
	    srp_ring_init(&srp->old, &first, &srp->me, 1, cfg->seq_start) < 0) {
		return srp_destroy(srp);
	}
	srp->stats.send_queue_max = cfg->send_queue_max;
	srp_set_add(srp->proc, &srp->n_proc, srp->me);
	srp_memb_gather_enter(srp, "startup");
	return srp;
}

srp_t *srp_destroy(srp_t *srp)
{
	if (srp == NULL) {
		return NULL;
	}
	if (srp->clock.timer_del != NULL) {
		srp_timers_clear_all(srp);
	}
	srp_ring_free(&srp->cur);
	srp_ring_free(&srp->old);
	srp_sendq_free(&srp->sendq);
	srp_sendq_free(&srp->recq);
	free(srp->txbuf);
	free(srp);
	return NULL;
}

size_t srp_payload_max(const srp_t *srp)
{
	return srp->cfg.netmtu - SRP_MCAST_OVERHEAD;
}

int srp_mcast(srp_t *srp, const void *msg, size_t len, enum totem_guarantee guarantee)
{
	int r;

	if (srp->left) {
		return -ESHUTDOWN;
	}
	if (len > srp_payload_max(srp)) {
		return -EMSGSIZE;
	}
	if (guarantee != TOTEM_AGREED && guarantee != TOTEM_SAFE) {
		return -EINVAL;
	}
	r = srp_sendq_push(&srp->sendq, msg, (uint32_t)len, (uint8_t)guarantee);
	if (r < 0) {
		return r;
	}
	if (!srp->in_token_cb) {
		srp->pace_msgs++;       /* a message, not a frame of the layer above */
	}
	srp_origination_wake(srp);
	return 0;
}

/* Something waits for origination: get an idle (held) token moving. */
void srp_origination_wake(struct srp *srp)
{
	if (srp->state != SRP_STATE_OPERATIONAL || srp->in_token_cb || srp->left) {
		return;
	}
	if (srp->holding || srp->self_pending) {
		/* release from the host's loop, not from inside a callback */
		srp_timer_set(srp, &srp->t_hold, 0, srp_token_hold_timer);
	} else if (srp->seq_unchanged + 1U >= srp->cfg.seqno_unchanged_const &&
	           !srp->hold_cancel_sent) {
		struct wire_header hdr = { .sender = srp->me, .ring_id = srp->cur.ring_id };
		ssize_t n = wire_simple_encode(WIRE_HOLD_CANCEL, &hdr, srp->txbuf, WIRE_FRAME_MAX);

		if (n > 0) {
			srp_send_mcast_frame(srp, srp->txbuf, (size_t)n);
		}
		srp->hold_cancel_sent = true;
	}
}

uint32_t srp_origination_budget(const srp_t *srp)
{
	uint32_t avail = srp->sendq.cap - srp->sendq.count;
	uint32_t b;

	if (!srp->in_token_cb || srp->left || srp->visit_budget <= srp->sendq.count) {
		return 0;
	}
	b = srp->visit_budget - srp->sendq.count;
	return b < avail ? b : avail;
}

void srp_backlog_set(srp_t *srp, uint32_t frames)
{
	srp->upper_backlog = frames;
	if (frames > 0) {
		srp_origination_wake(srp);
	}
}

void srp_load_note(srp_t *srp, uint32_t msgs)
{
	srp->pace_msgs += msgs;
}

uint32_t srp_send_queue_avail(const srp_t *srp)
{
	return srp->sendq.cap - srp->sendq.count;
}

uint32_t srp_queue_level(const srp_t *srp)
{
	return (uint32_t)((uint64_t)srp->sendq.count * 100U / srp->sendq.cap);
}

/* Tell the others I am out: they reform without waiting for a token loss. */
void srp_leave_send(struct srp *srp)
{
	struct wire_header hdr = { .sender = srp->me };
	ssize_t n;

	hdr.ring_id = srp->cur.slots != NULL ? srp->cur.ring_id : srp->old.ring_id;
	n = wire_simple_encode(WIRE_LEAVE, &hdr, srp->txbuf, WIRE_FRAME_MAX);
	if (n > 0) {
		/* datagrams may be lost: a second copy is cheap */
		srp_send_mcast_frame(srp, srp->txbuf, (size_t)n);
		srp_send_mcast_frame(srp, srp->txbuf, (size_t)n);
	}
}

void srp_leave(srp_t *srp)
{
	if (srp->left) {
		return;
	}
	srp_leave_send(srp);
	ais_log(LOG_NOTICE, "leaving the ring");
	srp_timers_clear_all(srp);
	srp->left = true;
	srp->holding = false;
}

enum srp_state srp_state_get(const srp_t *srp)
{
	return srp->state;
}

void srp_stats_get(const srp_t *srp, struct srp_stats *ret_stats)
{
	*ret_stats = srp->stats;
	ret_stats->send_queue_len = srp->sendq.count;
	ret_stats->send_queue_max = srp->sendq.cap;
}

size_t srp_members_get(const srp_t *srp, struct totem_ring_id *ret_ring_id,
                       totem_nodeid_t *ret_members, size_t max)
{
	const struct srp_ring *r = srp->state == SRP_STATE_OPERATIONAL ? &srp->cur : &srp->old;
	size_t n = r->n_members < max ? r->n_members : max;

	if (ret_ring_id != NULL) {
		*ret_ring_id = r->ring_id;
	}
	if (ret_members != NULL && n > 0) {
		memcpy(ret_members, r->members, n * sizeof(*ret_members));
	}
	return r->n_members;
}

totem_nodeid_t srp_nodeid(const srp_t *srp)
{
	return srp->me;
}
