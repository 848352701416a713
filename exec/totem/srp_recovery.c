/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * RECOVERY and the installation of a new configuration (Totem TOCS 1995
 * sec. 4.3-4.4, EVS ICDCS 1994 sec. 3, REFERENCE 1.5). On entry the
 * transitional set (new members coming from my old ring) and the lowest aru
 * among them are taken from the commit token, and every old-ring message
 * above that aru that some of them may lack is queued for re-sending
 * encapsulated in new-ring MCASTs; encapsulated frames received in this
 * state are unwrapped back into the old ring's queue. On installation the
 * old-ring messages are delivered around the transitional configuration,
 * then the regular configuration follows. Departures from Corosync
 * (delivery after gaps, stability bound, designated re-sender): srp_int.h.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <ais/log.h>

#include "srp_int.h"

AIS_LOG_SUBSYS("TOTEM");

static bool ring_id_eq(const struct totem_ring_id *a, const struct totem_ring_id *b)
{
	return a->rep == b->rep && a->seq == b->seq;
}

void srp_recovery_commit_fill(const struct srp *srp, struct wire_commit_memb *ret_memb)
{
	const struct srp_ring *old = &srp->old;

	ret_memb->nodeid = srp->me;
	ret_memb->old_ring_id = old->ring_id;
	ret_memb->aru = old->aru;
	ret_memb->high_seq = old->high_seq;
	ret_memb->high_delivered = old->high_delivered;
	ret_memb->safe_aru = old->safe_aru;
	ret_memb->received_flg = old->aru == old->high_seq ? 1 : 0;
}

/* Queue the old-ring messages the transitional set may lack. */
static uint32_t recovery_queue_build(struct srp *srp, const struct wire_commit *c,
                                     uint32_t low_aru)
{
	struct srp_ring *old = &srp->old;
	uint32_t queued = 0;

	for (uint32_t s = low_aru + 1U; seq_le(s, old->high_seq); s++) {
		struct srp_msg *m = srp_ring_get(old, s);
		totem_nodeid_t designated = 0;
		struct wire_mcast mc;
		ssize_t n;

		if (m == NULL) {
			continue;
		}
		/* the lowest member whose aru covers s surely holds it: it alone sends */
		for (uint16_t i = 0; i < c->memb_count && designated == 0; i++) {
			if (srp_set_has(srp->trans, srp->n_trans, c->memb[i].nodeid) &&
			    seq_ge(c->memb[i].aru, s)) {
				designated = c->memb[i].nodeid;
			}
		}
		if (designated != 0 && designated != srp->me) {
			continue;
		}
		memset(&mc, 0, sizeof(mc));
		mc.hdr.sender = m->sender;
		mc.hdr.ring_id = old->ring_id;
		mc.seq = s;
		mc.guarantee = m->guarantee;
		mc.encapsulated = m->encapsulated;
		mc.payload_len = m->len;
		mc.payload = m->data;
		n = wire_mcast_encode(&mc, srp->txbuf, WIRE_FRAME_MAX);
		if (n < 0 || srp_sendq_push(&srp->recq, srp->txbuf, (uint32_t)n, TOTEM_AGREED) < 0) {
			ais_log(LOG_ERR, "cannot queue old-ring message %u for recovery", s);
			continue;
		}
		queued++;
	}
	return queued;
}

int srp_recovery_enter(struct srp *srp, const struct wire_commit *c)
{
	totem_nodeid_t members[TOTEM_PROCESSORS_MAX];
	uint32_t low_aru = srp->old.aru;
	uint32_t queued;
	bool first = true;
	char tbuf[256];
	int r;

	for (uint16_t i = 0; i < c->memb_count; i++) {
		members[i] = c->memb[i].nodeid;
	}
	srp_ring_free(&srp->cur);
	r = srp_ring_init(&srp->cur, &c->hdr.ring_id, members, c->memb_count, srp->cfg.seq_start);
	if (r < 0) {
		return r;
	}
	srp->state = SRP_STATE_RECOVERY;
	srp->n_trans = 0;
	srp->recovery_safe = srp->old.safe_aru;
	for (uint16_t i = 0; i < c->memb_count; i++) {
		const struct wire_commit_memb *m = &c->memb[i];

		if (!ring_id_eq(&m->old_ring_id, &srp->old.ring_id)) {
			continue;
		}
		srp_set_add(srp->trans, &srp->n_trans, m->nodeid);
		if (first || seq_lt(m->aru, low_aru)) {
			low_aru = m->aru;
		}
		if (first || seq_gt(m->safe_aru, srp->recovery_safe)) {
			srp->recovery_safe = m->safe_aru;
		}
		first = false;
	}
	/* every message at or below base was held by all: never look below it
	 * (an aru reported from the network must not make us scan 2^31 seqs) */
	if (seq_lt(low_aru, srp->old.base)) {
		low_aru = srp->old.base;
	}
	srp_sendq_clear(&srp->recq);
	queued = recovery_queue_build(srp, c, low_aru);

	srp->token_seen = false;
	srp->arrivals = 0;
	srp->arrival_aru_prev = srp->cfg.seq_start;
	srp->arrival_aru_cur = srp->cfg.seq_start;
	srp->my_fcc = 0;
	srp->my_backlog = 0;
	srp->post_count = 0;
	srp->rtr_upto = srp->cfg.seq_start;
	srp->fail_recv_count = 0;
	srp->fail_recv_since_us = srp->clock.now_us(srp->ctx);
	srp->fail_recv_aru = srp->cfg.seq_start;
	srp->seq_unchanged = 0;
	srp->last_seq_seen = srp->cfg.seq_start;
	srp->orf_created = false;
	srp->holding = false;
	srp->self_pending = false;
	srp_token_pace_reset(srp);
	srp_timer_clear(srp, &srp->t_join);
	srp_timer_clear(srp, &srp->t_consensus);
	srp_token_timers_arm(srp);
	srp_set_format(srp->trans, srp->n_trans, tbuf, sizeof(tbuf));
	ais_log(LOG_NOTICE,
	        "entering RECOVERY: ring %u.%" PRIu64 ", %u members, transitional %s, "
	        "%u old-ring messages to re-send above %u",
	        c->hdr.ring_id.rep, c->hdr.ring_id.seq, c->memb_count, tbuf, queued, low_aru);
	return 0;
}

void srp_recovery_unwrap(struct srp *srp, const uint8_t *inner, uint32_t len)
{
	struct wire_mcast mc;

	if (wire_mcast_decode(inner, len, &mc) < 0) {
		srp->stats.frames_bad++;
		return;
	}
	if (!ring_id_eq(&mc.hdr.ring_id, &srp->old.ring_id) || !srp_ring_fits(&srp->old, mc.seq)) {
		return;         /* another transitional set's traffic */
	}
	if (srp_ring_store(&srp->old, mc.seq, mc.hdr.sender, mc.guarantee, mc.encapsulated,
	                   mc.payload, mc.payload_len) < 0) {
		ais_log(LOG_ERR, "out of memory storing recovered message %u", mc.seq);
	}
}

static void recovery_deliver(struct srp *srp, struct srp_msg *m)
{
	srp->old.high_delivered = m->seq;
	if (!m->encapsulated) {
		srp->stats.delivered++;
		srp->cb.deliver(srp->ctx, m->sender, m->data, m->len, (enum totem_guarantee)m->guarantee);
	}
}

/* EVS delivery of the old ring around the transitional configuration. */
static void recovery_deliver_old(struct srp *srp)
{
	struct srp_ring *old = &srp->old;
	totem_nodeid_t left[TOTEM_PROCESSORS_MAX];
	size_t n_left = 0;
	uint32_t s = old->high_delivered + 1U;

	for (; seq_le(s, old->high_seq) && !srp->left; s++) {
		struct srp_msg *m = srp_ring_get(old, s);

		if (m == NULL || (m->guarantee == TOTEM_SAFE && seq_gt(s, srp->recovery_safe))) {
			break;
		}
		recovery_deliver(srp, m);
	}
	for (size_t i = 0; i < old->n_members; i++) {
		if (!srp_set_has(srp->trans, srp->n_trans, old->members[i])) {
			left[n_left++] = old->members[i];
		}
	}
	if (srp->left) {
		return;
	}
	srp->cb.confchg(srp->ctx, TOTEM_CONFCHG_TRANSITIONAL, srp->trans, srp->n_trans, left, n_left,
	                NULL, 0, &srp->cur.ring_id);
	for (; seq_le(s, old->high_seq) && !srp->left; s++) {
		struct srp_msg *m = srp_ring_get(old, s);

		if (m != NULL) {
			recovery_deliver(srp, m);
		}
	}
}

void srp_recovery_install(struct srp *srp)
{
	totem_nodeid_t joined[TOTEM_PROCESSORS_MAX];
	size_t n_joined = 0;
	char mbuf[512];

	srp->state = SRP_STATE_OPERATIONAL;
	recovery_deliver_old(srp);
	if (srp->left) {
		return;
	}
	for (size_t i = 0; i < srp->cur.n_members; i++) {
		if (!srp_set_has(srp->trans, srp->n_trans, srp->cur.members[i])) {
			joined[n_joined++] = srp->cur.members[i];
		}
	}
	srp_ring_free(&srp->old);
	srp->n_proc = srp->cur.n_members;
	memcpy(srp->proc, srp->cur.members, srp->n_proc * sizeof(srp->proc[0]));
	srp->n_failed = 0;
	srp->n_agreed = 0;
	srp->stats.memb_changes++;
	srp_set_format(srp->cur.members, srp->cur.n_members, mbuf, sizeof(mbuf));
	ais_log(LOG_NOTICE, "new ring %u.%" PRIu64 " members %s", srp->cur.ring_id.rep,
	        srp->cur.ring_id.seq, mbuf);
	srp->merge_sent_us = 0; /* the first token of the ring announces it */
	srp->cb.confchg(srp->ctx, TOTEM_CONFCHG_REGULAR, srp->cur.members, srp->cur.n_members, NULL, 0,
	                joined, n_joined, &srp->cur.ring_id);
}
