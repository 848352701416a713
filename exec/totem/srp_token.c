/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The ORF token in OPERATIONAL and RECOVERY (Totem TOCS 1995 sec. 3,
 * REFERENCE 1.3): duplicate rejection by token_seq, garbage collection,
 * flow control (max_messages per visit, or the rest of the window for the
 * only node with a backlog; window_size per rotation via fcc,
 * backlog-proportional share, sort-queue clamp), retransmission of requested
 * seqs, requests for own gaps (lost a rotation ago, or missing for
 * miss_count_const visits), origination,
 * aru / aru_addr upkeep, fail-to-receive, the recovery install handshake
 * (retrans_flg, install_seq), token hold on an idle ring, token
 * retransmission by the last sender and token-loss detection.
 * Departures: see srp_int.h (safe rule, install_seq in the token).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <ais/log.h>

#include "srp_int.h"

AIS_LOG_SUBSYS("TOTEM");

static void token_loss_fire(void *data)
{
	struct srp *srp = data;

	srp->t_token_loss = 0;
	srp->stats.token_lost++;
	srp_memb_gather_enter(srp, "token lost");
}

static void token_warn_fire(void *data)
{
	struct srp *srp = data;

	srp->t_token_warn = 0;
	if (srp_log_noise_ok(srp)) {
		ais_log(LOG_WARNING, "token not received in %u ms (timeout %u ms)",
		        srp->cfg.token_effective * srp->cfg.token_warning / 100U,
		        srp->cfg.token_effective);
	}
}

static void token_rtx_fire(void *data)
{
	struct srp *srp = data;

	srp->t_token_rtx = 0;
	if (srp->last_frame_len == 0 || srp->left) {
		return;
	}
	srp_send_ucast_frame(srp, srp->last_frame_to, srp->last_frame, srp->last_frame_len);
	srp_timer_set(srp, &srp->t_token_rtx, srp->cfg.token_retransmit, token_rtx_fire);
}

void srp_token_timers_arm(struct srp *srp)
{
	srp_timer_set(srp, &srp->t_token_loss, srp->cfg.token_effective, token_loss_fire);
	if (srp->cfg.token_warning > 0 && srp->cfg.token_warning < 100) {
		srp_timer_set(srp, &srp->t_token_warn,
		              srp->cfg.token_effective * srp->cfg.token_warning / 100U,
		              token_warn_fire);
	}
}

/* An mcast with a seq above the token we last sent: the ring moved on. */
void srp_token_sent_progress(struct srp *srp, uint32_t seq)
{
	if (srp->t_token_rtx != 0 && srp->last_frame_len > 0 &&
	    seq_gt(seq, srp->last_token_sent_seq)) {
		srp_timer_clear(srp, &srp->t_token_rtx);
	}
}

/* Send a frame to the next member and keep it for retransmission. */
void srp_token_frame_send(struct srp *srp, totem_nodeid_t to, const void *buf, size_t len)
{
	if (len <= sizeof(srp->last_frame)) {
		memcpy(srp->last_frame, buf, len);
		srp->last_frame_len = len;
		srp->last_frame_to = to;
		srp_timer_set(srp, &srp->t_token_rtx, srp->cfg.token_retransmit, token_rtx_fire);
	}
	srp_send_ucast_frame(srp, to, buf, len);
}

static void token_pass(struct srp *srp, struct wire_token *t)
{
	totem_nodeid_t next = srp_ring_next(&srp->cur, srp->me);
	ssize_t n;

	t->token_seq++;
	srp->rtr_upto = t->seq;
	t->hdr.sender = srp->me;
	t->hdr.ring_id = srp->cur.ring_id;
	if (next == srp->me) {
		/* a ring of one: the token comes straight back, after a pause when idle */
		uint32_t ms = srp->seq_unchanged >= srp->cfg.seqno_unchanged_const ? srp->cfg.hold : 0;

		if (srp->sendq.count > 0 || srp->recq.count > 0 || srp->upper_backlog > 0) {
			ms = 0;
		}
		srp->held = *t;
		srp->self_pending = true;
		srp_timer_set(srp, &srp->t_hold, ms, srp_token_hold_timer);
		return;
	}
	n = wire_token_encode(t, srp->txbuf, WIRE_FRAME_MAX);
	if (n < 0) {
		ais_log(LOG_ERR, "cannot encode the token: %d", (int)n);
		return;
	}
	srp->last_token_sent_seq = t->seq;
	srp_token_frame_send(srp, next, srp->txbuf, (size_t)n);
}

static uint32_t u32_min(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

/* Frames waiting to be originated from q: for the application queue also
 * those the layer above holds (srp_backlog_set). */
static uint32_t token_backlog(const struct srp *srp, const struct srp_sendq *q)
{
	if (q == NULL) {
		return 0;
	}
	return q == &srp->sendq ? q->count + srp->upper_backlog : q->count;
}

/* How many new frames this visit may originate (REFERENCE 1.3 step 4). */
static uint32_t token_budget(struct srp *srp, const struct wire_token *t, const struct srp_sendq *q)
{
	uint32_t window = srp->cfg.window_size;
	uint32_t b, mine, others, outstanding;
	int32_t used;

	mine = token_backlog(srp, q);
	if (mine == 0) {
		return 0;
	}
	others = t->backlog >= srp->my_backlog ? t->backlog - srp->my_backlog : 0;
	if (others == 0) {
		/* the only node with a backlog: max_messages would leave most
		 * of the window unused (one synchronous client keeps a few
		 * messages queued per rotation), so take the window less what
		 * the others sent in the last rotation (fcc still counts my own
		 * previous visit). A node that starts to send reports its
		 * backlog on its visit, and from the next one I am back at
		 * max_messages: one rotation late. */
		uint32_t theirs = t->fcc >= srp->my_fcc ? t->fcc - srp->my_fcc : 0;

		b = theirs < window ? window - theirs : 0;
	} else {
		b = u32_min(srp->cfg.max_messages, t->fcc < window ? window - t->fcc : 0);
	}
	if ((uint64_t)others + mine > window) {
		uint32_t share = (uint32_t)((uint64_t)window * mine / ((uint64_t)others + mine));

		b = u32_min(b, share > 0 ? share : 1);
	}
	outstanding = (uint32_t)(t->seq - t->aru);
	b = u32_min(b, outstanding < SRP_QUEUE_CLAMP ? SRP_QUEUE_CLAMP - outstanding : 0);
	used = seq_diff(t->seq, srp->cur.base);
	if (used < 0 || (uint32_t)used >= SRP_QUEUE_SLOTS - 1U) {
		return 0;
	}
	b = u32_min(b, SRP_QUEUE_SLOTS - 1U - (uint32_t)used);
	return u32_min(b, mine);
}

/* Serve the token's retransmission list from the local sort queue. */
static uint32_t token_retransmit(struct srp *srp, struct wire_token *t, uint32_t limit)
{
	uint32_t n = 0;
	uint16_t keep = 0;

	for (uint16_t i = 0; i < t->rtr_count; i++) {
		uint32_t s = t->rtr[i];
		struct srp_msg *m = srp_ring_get(&srp->cur, s);

		if (seq_le(s, srp->cur.base) || seq_gt(s, t->seq)) {
			continue;       /* everyone has it, or nonsense */
		}
		if (m != NULL && n < limit && srp_msg_send(srp, &srp->cur, m) == 0) {
			n++;
			srp->stats.retransmits_tx++;
			continue;
		}
		t->rtr[keep++] = s;
	}
	t->rtr_count = keep;
	if (n > 0 && srp_log_noise_ok(srp)) {
		ais_log(LOG_INFO, "retransmitted %u messages, %u requests left", n, keep);
	}
	return n;
}

/*
 * Ask for seqs missing here (step 6). A seq at or below the token this node
 * passed on its previous visit was multicast before that token went on, a
 * whole rotation ago: it is lost, not late, and is asked for now (as Spread
 * does). Only a seq numbered since then waits for miss_count_const visits,
 * which absorbs a multicast delayed behind the unicast token; it falls under
 * the first rule at the next visit anyway. Waiting miss_count_const visits
 * for every gap cost each lost frame five rotations, and under loss a
 * rotation often includes a token retransmission (token_retransmit ms): a
 * sync barrier lost at one member held up every member's sync for seconds.
 * On the accelerated ring requests only go up to the token this node passed
 * last visit: the frames numbered since may still be on their way behind the
 * token.
 */
static void token_request_missing(struct srp *srp, struct wire_token *t)
{
	struct srp_ring *r = &srp->cur;
	uint32_t upto = t->seq;
	uint32_t span, added = 0;

	if (srp->cfg.accelerated_window > 0 && srp->state == SRP_STATE_OPERATIONAL &&
	    seq_lt(srp->rtr_upto, upto)) {
		upto = srp->rtr_upto;
	}
	if (!seq_gt(upto, r->aru)) {
		return;
	}
	span = u32_min((uint32_t)(upto - r->aru), SRP_QUEUE_CLAMP);
	for (uint32_t k = 1; k <= span && t->rtr_count < WIRE_RTR_MAX; k++) {
		uint32_t s = r->aru + k;
		struct srp_msg *m = srp_ring_slot(r, s);
		bool listed = false;

		if (m == NULL || m->present) {
			continue;
		}
		if (m->miss < UINT8_MAX) {
			m->miss++;
		}
		if (m->miss < srp->cfg.miss_count_const && !seq_le(s, srp->rtr_upto)) {
			continue;
		}
		for (uint16_t i = 0; i < t->rtr_count && !listed; i++) {
			listed = t->rtr[i] == s;
		}
		if (!listed) {
			t->rtr[t->rtr_count++] = s;
			srp->stats.retransmit_requests++;
			if (!m->asked && m->miss > srp->stats.retransmit_wait_max) {
				srp->stats.retransmit_wait_max = m->miss;
			}
			m->asked = 1;
			added++;
		}
	}
	if (added > 0 && srp_log_noise_ok(srp)) {
		ais_log(LOG_INFO, "requesting retransmission of %u messages above %u", added, r->aru);
	}
}

/* Stamp up to budget frames from q and multicast the first send_now of
 * them (step 7); the others wait in the sort queue for token_post_flush(). */
static uint32_t token_originate(struct srp *srp, struct wire_token *t, struct srp_sendq *q,
                                uint32_t budget, uint32_t send_now)
{
	uint32_t n = 0;
	bool encap = q == &srp->recq;

	srp->post_count = 0;
	while (n < budget) {
		struct srp_sendq_item *it = srp_sendq_peek(q);
		uint32_t seq = t->seq + 1U;
		int r;

		if (it == NULL) {
			break;
		}
		r = srp_ring_store(&srp->cur, seq, srp->me, it->guarantee, encap, it->data, it->len);
		if (r <= 0) {
			ais_log(LOG_ERR, "cannot queue message %u for origination: %d", seq, r);
			break;
		}
		t->seq = seq;
		if (n < send_now) {
			srp_msg_send(srp, &srp->cur, srp_ring_get(&srp->cur, seq));
		} else {
			if (srp->post_count == 0) {
				srp->post_first = seq;
			}
			srp->post_count++;
		}
		srp_sendq_pop(q);
		srp->stats.mcast_tx++;
		n++;
	}
	return n;
}

static uint32_t sat_sub(uint32_t a, uint32_t b)
{
	return a > b ? a - b : 0;
}

/* How many of this visit's new frames go out before the token. */
static uint32_t token_send_now(const struct srp *srp, const struct srp_sendq *q, uint32_t budget)
{
	uint32_t n;

	if (q == NULL) {
		return 0;
	}
	n = u32_min(budget, q->count);
	if (srp->cfg.accelerated_window == 0 || srp->state != SRP_STATE_OPERATIONAL) {
		return n;
	}
	return sat_sub(n, srp->cfg.accelerated_window);
}

/* Multicast the frames of this visit that were held back for the token. */
static void token_post_flush(struct srp *srp)
{
	uint32_t first = srp->post_first, count = srp->post_count;

	srp->post_count = 0;
	for (uint32_t i = 0; i < count; i++) {
		const struct srp_msg *m = srp_ring_get(&srp->cur, first + i);

		if (m != NULL) {
			srp_msg_send(srp, &srp->cur, m);
		}
	}
}

static void token_update(struct srp *srp, struct wire_token *t, const struct srp_sendq *q,
                         uint32_t sent)
{
	uint32_t backlog = token_backlog(srp, q);

	t->fcc = sat_sub(t->fcc, srp->my_fcc) + sent;
	srp->my_fcc = sent;
	t->backlog = sat_sub(t->backlog, srp->my_backlog) + backlog;
	srp->my_backlog = backlog;
	srp->stats.backlog = t->backlog;
	if (seq_lt(srp->cur.aru, t->aru) || t->aru_addr == srp->me || t->aru_addr == 0) {
		t->aru = srp->cur.aru;
		t->aru_addr = t->aru == t->seq ? 0 : srp->me;
	}
	if (srp->state != SRP_STATE_RECOVERY || t->install_set) {
		return;
	}
	if (srp->me == srp->cur.ring_id.rep) {
		if (t->retrans_flg == 0 && srp->recq.count == 0 && srp->arrivals >= 2) {
			t->install_set = 1;
			t->install_seq = t->seq;
		}
		t->retrans_flg = srp->recq.count > 0 ? 1 : 0;
	} else if (srp->recq.count > 0) {
		t->retrans_flg = 1;
	}
}

/*
 * Fail-to-receive (step 9): true when this node must leave the ring. Both
 * fail_recv_const rotations and one token timeout must have passed with my
 * aru stuck: on a small idle ring 2500 rotations take 0.4 s, less than the
 * kernel's first ARP retry after a partition heals, and a node whose peer
 * had not yet resolved its address declared itself failed for nothing.
 */
static bool token_fail_recv_check(struct srp *srp, const struct wire_token *t)
{
	uint64_t now = srp->clock.now_us(srp->ctx);

	if (t->aru_addr == srp->me && t->aru == srp->fail_recv_aru && seq_lt(t->aru, t->seq)) {
		srp->fail_recv_count++;
	} else {
		srp->fail_recv_count = 0;
		srp->fail_recv_aru = t->aru;
		srp->fail_recv_since_us = now;
	}
	return srp->fail_recv_count >= srp->cfg.fail_recv_const &&
	       now - srp->fail_recv_since_us >= (uint64_t)srp->cfg.token * 1000U;
}

/* The work of one visit after arrival bookkeeping; may hold the token. */
static void token_work(struct srp *srp, struct wire_token *t, bool may_hold)
{
	struct srp_sendq *q = NULL;
	uint32_t budget, rtx, sent;
	bool idle;

	srp->hold_cancel_sent = true;   /* we have the token: no cancel needed */
	if (srp->state == SRP_STATE_OPERATIONAL) {
		q = &srp->sendq;
	} else if (srp->state == SRP_STATE_RECOVERY) {
		q = &srp->recq;
	}
	budget = token_budget(srp, t, q);
	rtx = token_retransmit(srp, t, srp->cfg.max_messages);
	budget = budget > rtx ? budget - rtx : 0;
	if (srp->state == SRP_STATE_OPERATIONAL && srp->cb.token_received != NULL) {
		/* what the layer above queues now is originated below, in this visit */
		srp->visit_budget = budget;
		srp->in_token_cb = true;
		srp->cb.token_received(srp->ctx);
		srp->in_token_cb = false;
		srp->visit_budget = 0;
		if (srp->left) {
			return;
		}
	}
	sent = rtx + (q != NULL ? token_originate(srp, t, q, budget, token_send_now(srp, q, budget)) : 0);
	token_request_missing(srp, t);
	token_update(srp, t, q, sent);
	if (token_fail_recv_check(srp, t)) {
		srp->stats.fail_recv++;
		srp->failed_to_recv = true;
		token_post_flush(srp);
		/* stay apart for one token timeout, or the others merge me back
		 * at once and stall again on what I cannot receive */
		srp->no_merge_until_us = srp->clock.now_us(srp->ctx) +
		                         (uint64_t)srp->cfg.token_effective * 1000U;
		srp_leave_send(srp);
		srp_memb_gather_enter(srp, "failed to receive");
		return;
	}
	/* idle: nothing new, nothing queued, and every member holds every
	 * message (aru == seq); a member still missing one must get the token
	 * to ask for it, or it would wait for the hold to run out */
	idle = srp->state == SRP_STATE_OPERATIONAL && t->seq == srp->last_seq_seen &&
	       t->aru == t->seq && t->rtr_count == 0 && t->backlog == 0 &&
	       srp->sendq.count == 0 && srp->upper_backlog == 0;
	srp->seq_unchanged = idle ? srp->seq_unchanged + 1U : 0;
	srp->last_seq_seen = t->seq;
	srp->hold_cancel_sent = false;
	if (may_hold && idle && srp->me == srp->cur.ring_id.rep && srp->cur.n_members > 1 &&
	    srp->seq_unchanged >= srp->cfg.seqno_unchanged_const) {
		srp->held = *t;
		srp->holding = true;
		srp_timer_set(srp, &srp->t_hold, srp->cfg.hold, srp_token_hold_timer);
		token_post_flush(srp);
		srp_deliver_pending(srp);
		return;
	}
	token_pass(srp, t);
	token_post_flush(srp);
	srp_deliver_pending(srp);
}

/*
 * Token pacing. Under load the token can go round several times per client
 * request, each visit carrying about one message, and every visit costs
 * every node a wake-up, a receive, a send and a loop pass. With token_pace
 * set, a node whose clients queue messages fast gets the token sooner than
 * token_pace us after its previous visit holds it until then, so the visit
 * originates what was queued meanwhile (pg packs small messages into
 * frames). Every node applies the same bound, so the first to hold sets the
 * pace and the others pass on at once (their previous visit is a pace ago
 * too); a node with nothing to send never holds.
 *
 * Busy: this node's message rate R (messages queued by its clients,
 * srp_load_note() and srp_mcast() outside the token callback), counted
 * over windows of PACE_WINDOW pace bounds and checked at the first token
 * arrival after each window, would put 1.5 or more messages into a visit
 * every token_pace us: R * token_pace >= 1.5. A rate of messages, not of
 * frames (paced visits pack more messages per frame, and a frame rate
 * would switch the pace off again) nor the share of rotations that carry
 * something (a slow rotation on a loaded machine looks busy at any rate);
 * over a window of many visits, not a few (two messages sent close
 * together are not a busy node). At one message per ms a ring is
 * therefore not paced for token_pace < 1500 us, however slow its token.
 *
 * Never paced: outside OPERATIONAL, on a ring of one, while the token
 * requests retransmissions or this node misses a seq below the token's,
 * and while any member left a backlog behind on its last visit (flow
 * control already fills the visits; holding would only slow the ring).
 * A hold shorter than a quarter of the pace is not worth its timer. The
 * hold is at most a tenth of token_retransmit (totem_config_validate),
 * far from every timeout.
 */
#define PACE_WINDOW 16U         /* the rate window, in token_pace bounds */

void srp_token_pace_reset(struct srp *srp)
{
	srp_timer_clear(srp, &srp->t_pace);
	srp->pacing = false;
	srp->pace_seen = false;
	srp->pace_busy = false;
	srp->pace_msgs = 0;
}

static void token_pace_fire(void *data)
{
	struct srp *srp = data;
	struct wire_token t;

	srp->t_pace = 0;
	if (!srp->pacing) {
		return;
	}
	srp->pacing = false;
	t = srp->paced;
	if (srp->state != SRP_STATE_OPERATIONAL || srp->left ||
	    t.hdr.ring_id.rep != srp->cur.ring_id.rep || t.hdr.ring_id.seq != srp->cur.ring_id.seq) {
		return;
	}
	srp->pace_last_us = srp->clock.now_us(srp->ctx);
	token_work(srp, &t, true);
}

/* On an arrival in OPERATIONAL: true when the visit waits for the pace. */
static bool token_pace_hold(struct srp *srp, const struct wire_token *t)
{
	uint64_t now, due, span;
	uint64_t pace = srp->cfg.token_pace;

	if (pace == 0 || srp->state != SRP_STATE_OPERATIONAL) {
		return false;
	}
	now = srp->clock.now_us(srp->ctx);
	if (!srp->pace_seen) {
		srp->pace_seen = true;
		srp->pace_busy = false;
		srp->pace_last_us = now;
		srp->pace_window_us = now;
		srp->pace_msgs = 0;
		return false;
	}
	span = now - srp->pace_window_us;
	if (span >= PACE_WINDOW * pace) {
		/* R * pace >= 1.5 with R = pace_msgs / span */
		srp->pace_busy = 2U * (uint64_t)srp->pace_msgs * pace >= 3U * span;
		srp->pace_msgs = 0;
		srp->pace_window_us = now;
	}
	due = srp->pace_last_us + pace;
	if (!srp->pace_busy || now + pace / 4U >= due || srp->left || srp->cur.n_members < 2 ||
	    t->rtr_count > 0 || t->backlog > 0 || srp->cur.aru != t->seq) {
		srp->pace_last_us = now;
		return false;
	}
	srp->paced = *t;
	srp->pacing = true;
	srp->stats.token_paced++;
	srp->stats.pace_held_us += due - now;
	srp_timer_set_us(srp, &srp->t_pace, (uint32_t)(due - now), token_pace_fire);
	return true;
}

/* A new token of the current ring arrived (or was created / came back). */
static void token_process(struct srp *srp, struct wire_token *t)
{
	struct srp_ring *r = &srp->cur;

	srp->stats.tokens_received++;
	srp->token_seen = true;
	srp->last_token_seq = t->token_seq;
	srp_timer_clear(srp, &srp->t_token_rtx);
	srp_token_timers_arm(srp);
	srp->arrival_aru_prev = srp->arrival_aru_cur;
	srp->arrival_aru_cur = t->aru;
	srp->arrivals++;
	if (srp->arrivals >= 2) {
		uint32_t stable = seq_min(srp->arrival_aru_prev, srp->arrival_aru_cur);

		if (seq_gt(stable, r->safe_aru)) {
			r->safe_aru = stable;
		}
		srp_ring_gc(r, seq_min(seq_min(r->safe_aru, r->high_delivered), r->aru));
	}
	if (srp->me == r->ring_id.rep) {
		srp->stats.token_rotations++;
		srp_memb_merge_detect_token(srp);
	}
	if (srp->state == SRP_STATE_RECOVERY && t->install_set && srp->arrivals >= 2 &&
	    seq_ge(srp->arrival_aru_prev, t->install_seq) && seq_ge(t->aru, t->install_seq)) {
		srp_recovery_install(srp);
		if (srp->left || srp->state != SRP_STATE_OPERATIONAL) {
			return;
		}
	}
	if (token_pace_hold(srp, t)) {
		return;
	}
	token_work(srp, t, true);
}

void srp_token_recv(struct srp *srp, const void *buf, size_t len)
{
	struct wire_token t;

	if (wire_token_decode(buf, len, &t) < 0) {
		srp->stats.frames_bad++;
		return;
	}
	if ((srp->state != SRP_STATE_OPERATIONAL && srp->state != SRP_STATE_RECOVERY) ||
	    srp->cur.slots == NULL || t.hdr.ring_id.rep != srp->cur.ring_id.rep ||
	    t.hdr.ring_id.seq != srp->cur.ring_id.seq) {
		srp->stats.frames_foreign++;
		return;
	}
	if (srp->holding || srp->self_pending || srp->pacing ||
	    (srp->token_seen && !seq_gt(t.token_seq, srp->last_token_seq))) {
		return;         /* a retransmitted copy of a token already handled */
	}
	token_process(srp, &t);
}

void srp_token_orf_create(struct srp *srp)
{
	struct wire_token t;

	memset(&t, 0, sizeof(t));
	t.hdr.sender = srp->me;
	t.hdr.ring_id = srp->cur.ring_id;
	t.seq = srp->cfg.seq_start;
	t.aru = srp->cfg.seq_start;
	t.retrans_flg = 1;
	srp->orf_created = true;
	srp->token_seen = false;
	token_process(srp, &t);
}

void srp_token_hold_release(struct srp *srp)
{
	struct wire_token t;

	if (!srp->holding) {
		return;
	}
	srp->holding = false;
	srp_timer_clear(srp, &srp->t_hold);
	t = srp->held;
	token_work(srp, &t, false);
}

void srp_token_hold_timer(void *data)
{
	struct srp *srp = data;
	struct wire_token t;

	srp->t_hold = 0;
	if (srp->self_pending) {
		srp->self_pending = false;
		t = srp->held;
		token_process(srp, &t);
		return;
	}
	srp_token_hold_release(srp);
}

void srp_token_hold_cancel_recv(struct srp *srp, const void *buf, size_t len)
{
	struct wire_header hdr;

	if (wire_hold_cancel_decode(buf, len, &hdr) < 0) {
		srp->stats.frames_bad++;
		return;
	}
	if (srp->state != SRP_STATE_OPERATIONAL || hdr.ring_id.rep != srp->cur.ring_id.rep ||
	    hdr.ring_id.seq != srp->cur.ring_id.seq) {
		srp->stats.frames_foreign++;
		return;
	}
	srp->seq_unchanged = 0;
	srp_token_hold_release(srp);
}
