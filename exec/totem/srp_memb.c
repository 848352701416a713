/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Membership: the GATHER and COMMIT states (Totem TOCS 1995 sec. 4,
 * REFERENCE 1.5). JOIN messages carry (proc set, failed set, ring seq) and
 * are repeated every `join` ms (+ 0..send_join jitter); consensus is reached
 * when every non-failed processor sent a JOIN with exactly my sets, and the
 * lowest of them creates the commit token, which goes round once to collect
 * each member's old-ring state and once more to move everyone to RECOVERY.
 * Consensus timeout moves silent processors to the failed set. Also here:
 * merge detection (MERGE_DETECT, foreign MCASTs) and clean leave (LEAVE).
 * Departures: see srp_int.h (LEAVE frame, commit token retransmission).
 * The JOIN rules, and why they converge once the network is quiet, are
 * written down in docs/membership.md (rules M1-M9); in short:
 *  - every round starts with nothing failed, from the ring the node comes
 *    from (M1), and its sets only grow until a ring is formed;
 *  - a JOIN sent before its sender helped form my last ring is stale and
 *    dropped in every state (M2);
 *  - a JOIN is sent when my sets change and every `join` ms, never in reply
 *    to a JOIN that taught nothing (M3);
 *  - failed sets are adopted from every JOIN, and a JOIN that lists me as
 *    failed is ignored: no fail-back, which with adoption made failures
 *    spread until every node failed every other (M3, M4);
 *  - an operational ring ignores a foreign round that excludes any of its
 *    members (M5); only members of the ring being formed can stop COMMIT
 *    or RECOVERY (M6, M7).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <ais/log.h>

#include "srp_int.h"

AIS_LOG_SUBSYS("TOTEM");

static void join_send(struct srp *srp)
{
	struct wire_join j;
	ssize_t n;

	memset(&j, 0, sizeof(j));
	j.hdr.sender = srp->me;
	j.hdr.ring_id = srp->old.slots != NULL ? srp->old.ring_id : srp->cur.ring_id;
	j.ring_seq = srp->ring_seq_stored;
	j.proc_count = (uint16_t)srp->n_proc;
	j.failed_count = (uint16_t)srp->n_failed;
	memcpy(j.proc, srp->proc, srp->n_proc * sizeof(j.proc[0]));
	memcpy(j.failed, srp->failed, srp->n_failed * sizeof(j.failed[0]));
	n = wire_join_encode(&j, srp->txbuf, WIRE_FRAME_MAX);
	if (n < 0) {
		ais_log(LOG_ERR, "cannot encode a join: %d", (int)n);
		return;
	}
	srp_send_mcast_frame(srp, srp->txbuf, (size_t)n);
}

static void consensus_check(struct srp *srp);

static void join_timer_fire(void *data)
{
	struct srp *srp = data;
	uint32_t ms = srp->cfg.join;

	srp->t_join = 0;
	if (srp->cfg.send_join > 0) {
		ms += srp->clock.random(srp->ctx) % (srp->cfg.send_join + 1U);
	}
	join_send(srp);
	srp_timer_set(srp, &srp->t_join, ms, join_timer_fire);
	if (srp->startup_settle) {
		srp->startup_settle = false;
		consensus_check(srp);
	}
}

static void consensus_fire(void *data)
{
	struct srp *srp = data;
	char buf[256];
	totem_nodeid_t silent[TOTEM_PROCESSORS_MAX] = { 0 };
	size_t n_silent = 0;

	srp->t_consensus = 0;
	srp->stats.consensus_timeouts++;
	for (size_t i = 0; i < srp->n_proc; i++) {
		totem_nodeid_t id = srp->proc[i];

		if (!srp_set_has(srp->failed, srp->n_failed, id) &&
		    !srp_set_has(srp->agreed, srp->n_agreed, id)) {
			srp_set_add(srp->failed, &srp->n_failed, id);
			silent[n_silent++] = id;
		}
	}
	srp_set_format(silent, n_silent, buf, sizeof(buf));
	ais_log(LOG_NOTICE, "consensus timeout: failed %s", n_silent > 0 ? buf : "none");
	srp->startup_settle = false;
	srp_memb_gather_enter(srp, "consensus timeout");
}

/* Leave whatever the last state was: keep the old ring, drop the new one. */
static void memb_state_leave(struct srp *srp)
{
	if (srp->state == SRP_STATE_OPERATIONAL) {
		srp_ring_free(&srp->old);
		srp->old = srp->cur;
		memset(&srp->cur, 0, sizeof(srp->cur));
	} else if (srp->state == SRP_STATE_RECOVERY) {
		srp_ring_free(&srp->cur);
		srp_sendq_clear(&srp->recq);
	}
	srp_timer_clear(srp, &srp->t_token_loss);
	srp_timer_clear(srp, &srp->t_token_warn);
	srp_timer_clear(srp, &srp->t_token_rtx);
	srp_timer_clear(srp, &srp->t_hold);
	srp->holding = false;
	srp->self_pending = false;
	srp_token_pace_reset(srp);
	srp->orf_created = false;
	srp->last_frame_len = 0;
}

static bool join_sets_equal(const struct srp *srp, const struct wire_join *j)
{
	return srp_set_equal(j->proc, j->proc_count, srp->proc, srp->n_proc) &&
	       srp_set_equal(j->failed, j->failed_count, srp->failed, srp->n_failed);
}

/* The last ring this node installed (or, before any, its private one). */
static const struct srp_ring *last_ring(const struct srp *srp)
{
	return srp->state == SRP_STATE_OPERATIONAL || srp->old.slots == NULL ? &srp->cur : &srp->old;
}

/* Does the JOIN list a member of my ring as failed? */
static bool join_fails_mate(const struct srp *srp, const struct wire_join *j)
{
	const struct srp_ring *r = last_ring(srp);

	for (uint16_t i = 0; i < j->failed_count; i++) {
		if (srp_set_has(r->members, r->n_members, j->failed[i])) {
			return true;
		}
	}
	return false;
}

/*
 * A JOIN sent before its sender took part in forming my last ring: the
 * sender adopted that ring's seq on accepting its commit token, and the
 * stored seq never goes down, so a lower ring_seq dates from an older
 * round (delayed, duplicated or reordered) and says nothing of now.
 */
static bool join_is_stale(const struct srp *srp, const struct wire_join *j)
{
	const struct srp_ring *r = last_ring(srp);

	return srp_set_has(r->members, r->n_members, j->hdr.sender) && j->ring_seq < r->ring_id.seq;
}

/*
 * Merge what a JOIN teaches into the sets (proc, failed); true when they
 * changed. Both only grow within a round (docs/membership.md, M4): the
 * sender, its proc set and its failed set join mine. A processor new to
 * me that the sender lists as failed thus comes in failed: no sign of life
 * from it, and waiting for it would cost a consensus timeout. The caller
 * has already ignored a JOIN that lists me as failed (no fail-back).
 */
static bool join_merge(const struct srp *srp, const struct wire_join *j, totem_nodeid_t *proc,
                       size_t *n_proc, totem_nodeid_t *failed, size_t *n_failed)
{
	size_t np = *n_proc, nf = *n_failed;
	totem_nodeid_t s = j->hdr.sender;

	srp_set_add(proc, n_proc, s);
	for (uint16_t i = 0; i < j->proc_count; i++) {
		srp_set_add(proc, n_proc, j->proc[i]);
	}
	for (uint16_t i = 0; i < j->failed_count; i++) {
		if (j->failed[i] != srp->me && j->failed[i] != s) {
			srp_set_add(failed, n_failed, j->failed[i]);
		}
	}
	return *n_proc != np || *n_failed != nf;
}

/* Would this JOIN change my sets? (without changing them) */
static bool join_is_news(const struct srp *srp, const struct wire_join *j)
{
	totem_nodeid_t proc[TOTEM_PROCESSORS_MAX], failed[TOTEM_PROCESSORS_MAX];
	size_t np = srp->n_proc, nf = srp->n_failed;

	memcpy(proc, srp->proc, np * sizeof(proc[0]));
	memcpy(failed, srp->failed, nf * sizeof(failed[0]));
	return join_merge(srp, j, proc, &np, failed, &nf);
}

/*
 * Enter (or restart) GATHER, first merging the JOIN that caused it, if any,
 * so that one JOIN goes out with everything known and consensus is not
 * checked on sets the trigger already proved incomplete. A leaver (non-zero)
 * goes into the failed set of the round, after a fresh round has started.
 */
static void gather_enter(struct srp *srp, const char *reason, const struct wire_join *j,
                         totem_nodeid_t leaver)
{
	bool was_gather = srp->state == SRP_STATE_GATHER;
	bool was_forming = srp->state == SRP_STATE_COMMIT || srp->state == SRP_STATE_RECOVERY;

	if (srp->left) {
		return;
	}
	memb_state_leave(srp);
	if (was_forming) {
		/* the round that agreed on the ring being formed is over: a new
		 * one starts from that ring's members, with nothing failed */
		srp->n_proc = 0;
		srp->n_failed = 0;
		for (uint16_t i = 0; i < srp->commit.memb_count; i++) {
			srp_set_add(srp->proc, &srp->n_proc, srp->commit.memb[i].nodeid);
		}
	}
	if (srp->failed_to_recv) {
		/* declare myself failed: gather alone, everyone else failed */
		srp->failed_to_recv = false;
		srp->n_failed = 0;
		for (size_t i = 0; i < srp->n_proc; i++) {
			srp_set_add(srp->failed, &srp->n_failed, srp->proc[i]);
		}
	}
	if (leaver != 0) {
		srp_set_add(srp->proc, &srp->n_proc, leaver);
		srp_set_add(srp->failed, &srp->n_failed, leaver);
	}
	srp_set_add(srp->proc, &srp->n_proc, srp->me);
	srp_set_remove(srp->failed, &srp->n_failed, srp->me);
	srp->state = SRP_STATE_GATHER;
	srp->n_agreed = 0;
	srp_set_add(srp->agreed, &srp->n_agreed, srp->me);
	if (j != NULL && !srp_set_has(srp->failed, srp->n_failed, j->hdr.sender) &&
	    !srp_set_has(j->failed, j->failed_count, srp->me)) {
		(void)join_merge(srp, j, srp->proc, &srp->n_proc, srp->failed, &srp->n_failed);
		if (join_sets_equal(srp, j)) {
			srp_set_add(srp->agreed, &srp->n_agreed, j->hdr.sender);
		}
	}
	{
		char pb[256], fb[256];

		srp_set_format(srp->proc, srp->n_proc, pb, sizeof(pb));
		srp_set_format(srp->failed, srp->n_failed, fb, sizeof(fb));
		ais_log(was_gather ? LOG_DEBUG : LOG_NOTICE, "%s: %s (proc %s failed %s)",
		        was_gather ? "gather restarted" : "entering GATHER", reason, pb, fb);
	}
	if (strcmp(reason, "startup") == 0) {
		srp->startup_settle = true;
	}
	join_send(srp);
	srp_timer_set(srp, &srp->t_join, srp->cfg.join, join_timer_fire);
	srp_timer_set(srp, &srp->t_consensus, srp->cfg.consensus, consensus_fire);
	consensus_check(srp);
}

static void gather_enter_join(struct srp *srp, const char *reason, const struct wire_join *j)
{
	gather_enter(srp, reason, j, 0);
}

void srp_memb_gather_enter(struct srp *srp, const char *reason)
{
	gather_enter(srp, reason, NULL, 0);
}

static void commit_forward(struct srp *srp, struct wire_commit *c)
{
	totem_nodeid_t next = c->memb[0].nodeid;
	ssize_t n;

	for (uint16_t i = 0; i < c->memb_count; i++) {
		if (c->memb[i].nodeid > srp->me) {
			next = c->memb[i].nodeid;
			break;
		}
	}
	c->hdr.sender = srp->me;
	c->token_seq++;
	n = wire_commit_encode(c, srp->txbuf, WIRE_FRAME_MAX);
	if (n < 0) {
		ais_log(LOG_ERR, "cannot encode the commit token: %d", (int)n);
		return;
	}
	srp_token_frame_send(srp, next, srp->txbuf, (size_t)n);
}

/* False when the ring seq cannot be made safe against reuse after a
 * restart: this node must not take part in that ring. */
static bool ring_seq_adopt(struct srp *srp, uint64_t seq)
{
	if (srp->cb.ring_seq_store != NULL && srp->cb.ring_seq_store(srp->ctx, seq) < 0) {
		srp->stats.ring_seq_refused++;
		return false;
	}
	if (seq > srp->ring_seq_stored) {
		srp->ring_seq_stored = seq;
	}
	if (seq > srp->ring_seq_max) {
		srp->ring_seq_max = seq;
	}
	return true;
}

static void commit_state_enter(struct srp *srp, const struct wire_commit *c)
{
	srp->commit = *c;
	srp->state = SRP_STATE_COMMIT;
	srp_timer_clear(srp, &srp->t_join);
	srp_timer_clear(srp, &srp->t_consensus);
	srp_token_timers_arm(srp);
}

static void commit_create(struct srp *srp)
{
	struct wire_commit c;
	uint64_t base = srp->ring_seq_max > srp->ring_seq_stored ? srp->ring_seq_max
	                                                         : srp->ring_seq_stored;

	if (srp->old.ring_id.seq > base) {
		base = srp->old.ring_id.seq;
	}
	memset(&c, 0, sizeof(c));
	c.hdr.sender = srp->me;
	c.hdr.ring_id.rep = srp->me;
	c.hdr.ring_id.seq = base + 4U;
	for (size_t i = 0; i < srp->n_proc; i++) {
		if (!srp_set_has(srp->failed, srp->n_failed, srp->proc[i])) {
			c.memb[c.memb_count++].nodeid = srp->proc[i];
		}
	}
	if (!ring_seq_adopt(srp, c.hdr.ring_id.seq)) {
		return; /* the ring_seq_store callback said why */
	}
	srp_recovery_commit_fill(srp, &c.memb[0]);
	c.memb_index = 1;
	ais_log(LOG_INFO, "consensus: creating commit token for ring %u.%" PRIu64 " (%u members)",
	        c.hdr.ring_id.rep, c.hdr.ring_id.seq, c.memb_count);
	commit_state_enter(srp, &c);
	if (c.memb_count == 1) {
		if (srp_recovery_enter(srp, &c) < 0) {
			srp_memb_gather_enter(srp, "out of memory entering recovery");
			return;
		}
		srp_token_orf_create(srp);
		return;
	}
	commit_forward(srp, &c);
}

static void consensus_check(struct srp *srp)
{
	totem_nodeid_t lowest = 0;

	if (srp->state != SRP_STATE_GATHER || srp->startup_settle) {
		return;
	}
	for (size_t i = 0; i < srp->n_proc; i++) {
		totem_nodeid_t id = srp->proc[i];

		if (srp_set_has(srp->failed, srp->n_failed, id)) {
			continue;
		}
		if (!srp_set_has(srp->agreed, srp->n_agreed, id)) {
			return;
		}
		if (lowest == 0) {
			lowest = id;
		}
	}
	if (lowest == srp->me) {
		commit_create(srp);
	}
}

static bool memb_is_member(const struct srp *srp, totem_nodeid_t id)
{
	const struct srp_ring *r = srp->cur.slots != NULL ? &srp->cur : &srp->old;

	return srp_set_has(r->members, r->n_members, id);
}

static bool commit_has_member(const struct wire_commit *c, totem_nodeid_t id)
{
	for (uint16_t i = 0; i < c->memb_count; i++) {
		if (c->memb[i].nodeid == id) {
			return true;
		}
	}
	return false;
}

/*
 * A JOIN in GATHER: equal sets record the sender's agreement; anything else
 * restarts the gather (and sends my JOIN) only when it changed my sets, so
 * JOINs are never sent in reply to JOINs that teach nothing (a JOIN storm).
 */
static void join_process(struct srp *srp, const struct wire_join *j)
{
	totem_nodeid_t s = j->hdr.sender;

	if (srp_set_has(srp->failed, srp->n_failed, s) ||
	    srp_set_has(j->failed, j->failed_count, srp->me)) {
		return;
	}
	if (join_sets_equal(srp, j)) {
		srp_set_add(srp->agreed, &srp->n_agreed, s);
		consensus_check(srp);
		return;
	}
	if (join_is_news(srp, j)) {
		char why[64];

		snprintf(why, sizeof(why), "join from node %u (ring seq %" PRIu64 ")", s, j->ring_seq);
		gather_enter_join(srp, why, j);
	}
}

void srp_memb_join_recv(struct srp *srp, const void *buf, size_t len)
{
	struct wire_join j;
	char why[64];

	if (wire_join_decode(buf, len, &j) < 0) {
		srp->stats.frames_bad++;
		return;
	}
	if (!srp_set_known(srp, j.proc, j.proc_count) || !srp_set_known(srp, j.failed, j.failed_count)) {
		srp->stats.frames_implausible++;
		return;
	}
	if (j.ring_seq > srp->ring_seq_max) {
		srp->ring_seq_max = j.ring_seq;
	}
	if (join_is_stale(srp, &j)) {
		srp->stats.frames_foreign++;
		return;
	}
	switch (srp->state) {
	case SRP_STATE_OPERATIONAL:
		if (srp_no_merge(srp) || srp_set_has(j.failed, j.failed_count, srp->me) ||
		    (!memb_is_member(srp, j.hdr.sender) && join_fails_mate(srp, &j))) {
			/* a foreign round that excludes me or a ring mate: it
			 * installs its ring without us, and merge detection brings
			 * the rings together from clean state afterwards; joining
			 * it now would only fail it back, again and again */
			return;
		}
		snprintf(why, sizeof(why), "join from node %u", j.hdr.sender);
		gather_enter_join(srp, why, &j);
		break;
	case SRP_STATE_RECOVERY:
		/* only a member of the ring being recovered that has already
		 * left it (its ring seq is that ring's or newer) can stop it */
		if (!memb_is_member(srp, j.hdr.sender) || j.ring_seq < srp->cur.ring_id.seq) {
			return;
		}
		snprintf(why, sizeof(why), "join from node %u during recovery", j.hdr.sender);
		gather_enter_join(srp, why, &j);
		break;
	case SRP_STATE_COMMIT:
		/* only a member of the ring being formed can stop its formation:
		 * one that left it (its ring seq is that ring's or newer), one
		 * still gathering that learnt something the ring lacks, or one
		 * that failed me (it will not take the commit token: waiting for
		 * the token loss would only add a token timeout) */
		if (!commit_has_member(&srp->commit, j.hdr.sender) ||
		    (j.ring_seq < srp->commit.hdr.ring_id.seq && !join_is_news(srp, &j) &&
		     !srp_set_has(j.failed, j.failed_count, srp->me))) {
			return;
		}
		snprintf(why, sizeof(why), "join from node %u during commit", j.hdr.sender);
		gather_enter_join(srp, why, &j);
		break;
	case SRP_STATE_GATHER:
	default:
		join_process(srp, &j);
		break;
	}
}

static bool commit_members_match(const struct srp *srp, const struct wire_commit *c)
{
	size_t k = 0;

	for (size_t i = 0; i < srp->n_proc; i++) {
		if (srp_set_has(srp->failed, srp->n_failed, srp->proc[i])) {
			continue;
		}
		if (k >= c->memb_count || c->memb[k].nodeid != srp->proc[i]) {
			return false;
		}
		k++;
	}
	return k == c->memb_count;
}

static bool ring_id_eq(const struct totem_ring_id *a, const struct totem_ring_id *b)
{
	return a->rep == b->rep && a->seq == b->seq;
}

/* Every member known, and the sender one of them: on the first rotation
 * the member before memb_index, which forwarded it. */
static bool commit_plausible(const struct srp *srp, const struct wire_commit *c)
{
	bool sender_member = false;

	if (c->memb_count == 0 || c->memb_index == 0) {
		return false;
	}
	for (size_t i = 0; i < c->memb_count; i++) {
		if (!srp_node_known(srp, c->memb[i].nodeid)) {
			return false;
		}
		sender_member = sender_member || c->memb[i].nodeid == c->hdr.sender;
	}
	if (c->memb_index < c->memb_count) {
		return c->memb[c->memb_index - 1].nodeid == c->hdr.sender;
	}
	return sender_member;
}

void srp_memb_commit_recv(struct srp *srp, const void *buf, size_t len)
{
	struct wire_commit c;

	if (wire_commit_decode(buf, len, &c) < 0) {
		srp->stats.frames_bad++;
		return;
	}
	if (!commit_plausible(srp, &c)) {
		srp->stats.frames_implausible++;
		return;
	}
	if (srp->state == SRP_STATE_GATHER) {
		if (c.memb_index >= c.memb_count || c.memb[c.memb_index].nodeid != srp->me ||
		    c.hdr.ring_id.rep != c.memb[0].nodeid || c.hdr.ring_id.seq <= srp->ring_seq_stored ||
		    !commit_members_match(srp, &c)) {
			srp->stats.frames_foreign++;
			return;
		}
		if (!ring_seq_adopt(srp, c.hdr.ring_id.seq)) {
			return;
		}
		srp_recovery_commit_fill(srp, &c.memb[c.memb_index]);
		c.memb_index++;
		commit_state_enter(srp, &c);
		commit_forward(srp, &c);
		return;
	}
	if (srp->state == SRP_STATE_COMMIT) {
		if (!ring_id_eq(&c.hdr.ring_id, &srp->commit.hdr.ring_id) ||
		    c.memb_index != c.memb_count) {
			return;
		}
		srp_timer_clear(srp, &srp->t_token_rtx);
		srp->commit = c;
		if (srp_recovery_enter(srp, &c) < 0) {
			srp_memb_gather_enter(srp, "out of memory entering recovery");
			return;
		}
		commit_forward(srp, &c);
		return;
	}
	if (srp->state == SRP_STATE_RECOVERY && srp->me == srp->cur.ring_id.rep &&
	    ring_id_eq(&c.hdr.ring_id, &srp->cur.ring_id) && c.memb_index == c.memb_count &&
	    !srp->orf_created) {
		srp_timer_clear(srp, &srp->t_token_rtx);
		srp_token_orf_create(srp);
		return;
	}
	srp->stats.frames_foreign++;
}

void srp_memb_foreign_seen(struct srp *srp, const struct wire_header *hdr)
{
	char why[96];

	if (srp->state != SRP_STATE_OPERATIONAL) {
		return;
	}
	if (ring_id_eq(&hdr->ring_id, &srp->cur.ring_id)) {
		return;
	}
	if ((hdr->flags & WIRE_FLAG_NO_MERGE) != 0 || srp_no_merge(srp)) {
		return;         /* a node that failed to receive stays apart a while */
	}
	if (memb_is_member(srp, hdr->sender) && hdr->ring_id.seq <= srp->cur.ring_id.seq) {
		return;         /* stale traffic of a member from an older ring */
	}
	snprintf(why, sizeof(why), "merge: node %u on ring %u.%" PRIu64, hdr->sender,
	         hdr->ring_id.rep, hdr->ring_id.seq);
	srp_set_add(srp->proc, &srp->n_proc, hdr->sender);
	srp_memb_gather_enter(srp, why);
}

void srp_memb_merge_detect_recv(struct srp *srp, const void *buf, size_t len)
{
	struct wire_header hdr;

	if (wire_merge_detect_decode(buf, len, &hdr) < 0) {
		srp->stats.frames_bad++;
		return;
	}
	srp_memb_foreign_seen(srp, &hdr);
}

/*
 * The representative announces its ring every merge interval, so that
 * another ring on the network sees it and merges. As in Corosync it does so
 * from the token (at most once per interval), not from a timer of its own:
 * a busy ring announces every interval, an idle one whenever the held token
 * comes round, and an idle daemon gets no extra wake-ups.
 */
void srp_memb_merge_detect_token(struct srp *srp)
{
	struct wire_header hdr = { .sender = srp->me };
	uint64_t now = srp->clock.now_us(srp->ctx);
	ssize_t n;

	if (srp->state != SRP_STATE_OPERATIONAL || srp->me != srp->cur.ring_id.rep ||
	    (srp->merge_sent_us != 0 && now - srp->merge_sent_us < (uint64_t)srp->cfg.merge * 1000U)) {
		return;
	}
	srp->merge_sent_us = now;
	hdr.flags = srp_no_merge(srp) ? WIRE_FLAG_NO_MERGE : 0;
	hdr.ring_id = srp->cur.ring_id;
	n = wire_simple_encode(WIRE_MERGE_DETECT, &hdr, srp->txbuf, WIRE_FRAME_MAX);
	if (n > 0) {
		srp_send_mcast_frame(srp, srp->txbuf, (size_t)n);
	}
}

void srp_memb_leave_recv(struct srp *srp, const void *buf, size_t len)
{
	struct wire_header hdr;
	totem_nodeid_t s;
	char why[64];

	if (wire_leave_decode(buf, len, &hdr) < 0) {
		srp->stats.frames_bad++;
		return;
	}
	s = hdr.sender;
	if (srp_set_has(srp->failed, srp->n_failed, s) ||
	    (!srp_set_has(srp->proc, srp->n_proc, s) && !memb_is_member(srp, s))) {
		srp->stats.frames_foreign++;
		return;
	}
	/* failed after the fresh round a formation in progress falls back to
	 * (M1) has started, not before: that would forget it */
	snprintf(why, sizeof(why), "node %u left", s);
	gather_enter(srp, why, NULL, s);
}
