/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Regression tests of the Totem membership (GATHER / COMMIT, srp_memb.c).
 * One srp instance runs on a probe transport that records every frame it
 * sends and a virtual clock with a timer list; the tests hand it crafted
 * JOIN frames and check what it answers and which ring it keeps. Then
 * scenarios on the multi-node world of srp_harness.c check that rings
 * separated by partitions, crashes and heavy loss merge again.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "srp_harness.h"
#include "wire.h"

#define P_FRAMES_MAX 4096
#define P_TIMERS_MAX 64

struct p_timer {
	uint64_t id;
	uint64_t due_us;
	totem_timer_fn fn;
	void *data;
};

/* The probe: one instance, frames it sent, its timers, its configurations. */
struct probe {
	srp_t *srp;
	uint64_t now_us;
	uint64_t next_id;
	struct p_timer timers[P_TIMERS_MAX];
	size_t n_timers;
	uint8_t *frames[P_FRAMES_MAX];
	size_t frame_len[P_FRAMES_MAX];
	size_t n_frames;
	unsigned regular_confchgs;
	uint32_t rng;
};

static int p_mcast(void *ctx, const void *buf, size_t len)
{
	struct probe *p = ctx;

	ck_assert_uint_lt(p->n_frames, P_FRAMES_MAX);
	p->frames[p->n_frames] = malloc(len);
	ck_assert_ptr_nonnull(p->frames[p->n_frames]);
	memcpy(p->frames[p->n_frames], buf, len);
	p->frame_len[p->n_frames++] = len;
	return 0;
}

static int p_ucast(void *ctx, totem_nodeid_t to, const void *buf, size_t len)
{
	(void)to;
	return p_mcast(ctx, buf, len);
}

static uint64_t p_now(void *ctx)
{
	return ((struct probe *)ctx)->now_us;
}

static int p_timer_add(void *ctx, uint32_t ms, totem_timer_fn fn, void *data, uint64_t *ret)
{
	struct probe *p = ctx;
	struct p_timer *t;

	ck_assert_uint_lt(p->n_timers, P_TIMERS_MAX);
	t = &p->timers[p->n_timers++];
	t->id = ++p->next_id;
	t->due_us = p->now_us + (uint64_t)ms * 1000U;
	t->fn = fn;
	t->data = data;
	*ret = t->id;
	return 0;
}

static void p_timer_del(void *ctx, uint64_t handle)
{
	struct probe *p = ctx;

	for (size_t i = 0; i < p->n_timers; i++) {
		if (p->timers[i].id == handle) {
			p->timers[i] = p->timers[--p->n_timers];
			return;
		}
	}
}

static uint32_t p_random(void *ctx)
{
	struct probe *p = ctx;

	p->rng = p->rng * 1103515245U + 12345U;
	return p->rng >> 8;
}

static void p_deliver(void *ctx, totem_nodeid_t sender, const void *msg, size_t len,
                      enum totem_guarantee g)
{
	(void)ctx;
	(void)sender;
	(void)msg;
	(void)len;
	(void)g;
}

static void p_confchg(void *ctx, enum totem_confchg_type type, const totem_nodeid_t *m, size_t nm,
                      const totem_nodeid_t *l, size_t nl, const totem_nodeid_t *j, size_t nj,
                      const struct totem_ring_id *rid)
{
	struct probe *p = ctx;

	(void)m;
	(void)nm;
	(void)l;
	(void)nl;
	(void)j;
	(void)nj;
	(void)rid;
	if (type == TOTEM_CONFCHG_REGULAR) {
		p->regular_confchgs++;
	}
}

static const struct totem_transport_ops p_net = { p_mcast, p_ucast };
static const struct totem_clock_ops p_clock = { p_now, p_timer_add, p_timer_del, p_random, NULL };
static const struct srp_callbacks p_cb = { p_deliver, p_confchg, NULL, NULL };

/* Run the probe's timers up to now + ms (no network: nobody answers). */
static void p_run_for(struct probe *p, uint64_t ms)
{
	uint64_t end = p->now_us + ms * 1000U;

	for (;;) {
		size_t best = SIZE_MAX;
		struct p_timer t;

		for (size_t i = 0; i < p->n_timers; i++) {
			if (p->timers[i].due_us <= end &&
			    (best == SIZE_MAX || p->timers[i].due_us < p->timers[best].due_us)) {
				best = i;
			}
		}
		if (best == SIZE_MAX) {
			break;
		}
		t = p->timers[best];
		p->timers[best] = p->timers[--p->n_timers];
		p->now_us = t.due_us;
		t.fn(t.data);
	}
	p->now_us = end;
}

/* A probe that starts as node 1 of a 4-node configuration and forms {1}. */
static void p_start(struct probe *p, struct totem_config *cfg)
{
	char err[160];
	struct totem_ring_id rid;

	memset(p, 0, sizeof(*p));
	p->now_us = 1000000;
	p->rng = 7;
	totem_config_defaults(cfg);
	cfg->token = 1000;
	cfg->node_count = 4;
	totem_config_finish(cfg);
	cfg->nodeid = 1;
	ck_assert_int_eq(totem_config_validate(cfg, err, sizeof(err)), 0);
	p->srp = srp_create(cfg, 0, &p_net, &p_clock, &p_cb, p);
	ck_assert_ptr_nonnull(p->srp);
	p_run_for(p, 200);
	ck_assert_int_eq(srp_state_get(p->srp), SRP_STATE_OPERATIONAL);
	ck_assert_uint_eq(srp_members_get(p->srp, &rid, NULL, 0), 1);
}

static void p_free(struct probe *p)
{
	p->srp = srp_destroy(p->srp);
	for (size_t i = 0; i < p->n_frames; i++) {
		free(p->frames[i]);
	}
	ck_assert_uint_eq(p->n_timers, 0);
}

static size_t p_count(const struct probe *p, enum wire_type type, size_t from)
{
	size_t n = 0;

	for (size_t i = from; i < p->n_frames; i++) {
		n += p->frame_len[i] > 3 && p->frames[i][3] == type;
	}
	return n;
}

/* The last JOIN the probe sent. */
static void p_last_join(const struct probe *p, struct wire_join *ret)
{
	for (size_t i = p->n_frames; i-- > 0;) {
		if (p->frame_len[i] > 3 && p->frames[i][3] == WIRE_JOIN) {
			ck_assert_int_eq(wire_join_decode(p->frames[i], p->frame_len[i], ret), 0);
			return;
		}
	}
	ck_abort_msg("no join sent");
}

/* The only commit token the probe sent. */
static void p_commit_sent(const struct probe *p, struct wire_commit *ret)
{
	size_t found = 0;

	for (size_t i = 0; i < p->n_frames; i++) {
		if (p->frame_len[i] > 3 && p->frames[i][3] == WIRE_COMMIT_TOKEN) {
			ck_assert_int_eq(wire_commit_decode(p->frames[i], p->frame_len[i], ret), 0);
			found++;
		}
	}
	ck_assert_uint_eq(found, 1);
}

static void p_join_recv(struct probe *p, totem_nodeid_t from, uint64_t ring_seq,
                        const totem_nodeid_t *proc, uint16_t np, const totem_nodeid_t *failed,
                        uint16_t nf)
{
	struct wire_join j;
	uint8_t buf[WIRE_FRAME_MAX];
	ssize_t n;

	memset(&j, 0, sizeof(j));
	j.hdr.sender = from;
	j.hdr.ring_id.rep = from;
	j.hdr.ring_id.seq = ring_seq;
	j.ring_seq = ring_seq;
	j.proc_count = np;
	j.failed_count = nf;
	memcpy(j.proc, proc, np * sizeof(proc[0]));
	memcpy(j.failed, failed, nf * sizeof(failed[0]));
	n = wire_join_encode(&j, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	srp_recv(p->srp, buf, (size_t)n);
}

static bool set_is(const totem_nodeid_t *s, uint16_t n, const totem_nodeid_t *want, uint16_t nw)
{
	if (n != nw) {
		return false;
	}
	for (uint16_t i = 0; i < nw; i++) {
		bool found = false;

		for (uint16_t k = 0; k < n; k++) {
			found |= s[k] == want[i];
		}
		if (!found) {
			return false;
		}
	}
	return true;
}

/*
 * JOIN storm: a JOIN that teaches nothing new must not be answered with a
 * JOIN. Answering every JOIN made N gathering nodes multiply JOINs without
 * bound.
 */
START_TEST(test_join_no_reply_without_news)
{
	struct probe p;
	struct totem_config cfg;
	const totem_nodeid_t proc[3] = { 1, 2, 3 }, failed[1] = { 3 }, none[1] = { 0 };
	size_t before;

	p_start(&p, &cfg);
	/* node 2 (foreign) starts a gather with me: I gather with {1,2,3}, 3 failed */
	p_join_recv(&p, 2, 10, proc, 3, none, 0);
	ck_assert_int_eq(srp_state_get(p.srp), SRP_STATE_GATHER);
	before = p.n_frames;
	/* node 4 teaches me itself and its failed set once, then nothing */
	for (int i = 0; i < 100; i++) {
		const totem_nodeid_t proc4[4] = { 1, 2, 3, 4 };

		p_join_recv(&p, 4, 10, proc4, 4, failed, 1);
		if (i == 0) {
			/* the first one taught me node 4 and node 3's failure:
			 * exactly one JOIN in reply */
			ck_assert_uint_eq(p_count(&p, WIRE_JOIN, before), 1);
			before = p.n_frames;
		}
	}
	ck_assert_uint_eq(p_count(&p, WIRE_JOIN, before), 0);
	/* and a JOIN equal to mine is agreement, not news */
	{
		struct wire_join mine;

		p_last_join(&p, &mine);
		p_join_recv(&p, 2, 10, mine.proc, mine.proc_count, mine.failed, mine.failed_count);
		ck_assert_uint_eq(p_count(&p, WIRE_JOIN, before), 0);
	}
	p_free(&p);
}
END_TEST

/*
 * A processor I learn of only from a JOIN that lists it as failed comes into
 * my sets as failed: otherwise a crashed node's id keeps circulating in
 * JOINs and every later gather waits a consensus timeout for it.
 */
START_TEST(test_join_learns_failed_of_unknown)
{
	struct probe p;
	struct totem_config cfg;
	const totem_nodeid_t proc[3] = { 1, 2, 3 }, failed[1] = { 3 }, two[2] = { 1, 2 };
	struct wire_join mine;
	struct wire_commit c;

	p_start(&p, &cfg);
	p_join_recv(&p, 2, 10, proc, 3, failed, 1);
	p_last_join(&p, &mine);
	ck_assert(set_is(mine.proc, mine.proc_count, proc, 3));
	ck_assert(set_is(mine.failed, mine.failed_count, failed, 1));
	/* node 2's sets equal mine now: a ring {1,2} forms at once, without
	 * waiting a consensus timeout for node 3 */
	ck_assert_int_eq(srp_state_get(p.srp), SRP_STATE_COMMIT);
	p_commit_sent(&p, &c);
	ck_assert_uint_eq(c.memb_count, 2);
	ck_assert_uint_eq(c.memb[0].nodeid, two[0]);
	ck_assert_uint_eq(c.memb[1].nodeid, two[1]);
	p_free(&p);
}
END_TEST

/*
 * A JOIN from a foreign gather that already lists me as failed must not
 * break my ring: the old code entered GATHER, failed the sender, formed
 * {1} again, and the next such JOIN did it again, forever (rings separated
 * by a consensus timeout that phase-lock and never merge).
 */
START_TEST(test_join_excluding_me_keeps_ring)
{
	struct probe p;
	struct totem_config cfg;
	struct totem_ring_id before, after;
	const totem_nodeid_t proc[4] = { 1, 2, 3, 4 }, failed[2] = { 1, 3 };
	unsigned confchgs;

	p_start(&p, &cfg);
	srp_members_get(p.srp, &before, NULL, 0);
	confchgs = p.regular_confchgs;
	for (int i = 0; i < 20; i++) {
		p_join_recv(&p, 2, 5, proc, 4, failed, 2);
		p_run_for(&p, 50);
	}
	ck_assert_int_eq(srp_state_get(p.srp), SRP_STATE_OPERATIONAL);
	srp_members_get(p.srp, &after, NULL, 0);
	ck_assert_uint_eq(after.seq, before.seq);
	ck_assert_uint_eq(p.regular_confchgs, confchgs);
	ck_assert_uint_eq(p_count(&p, WIRE_JOIN, 0) > 0, 1);
	p_free(&p);
}
END_TEST

/*
 * A JOIN received in OPERATIONAL is merged before consensus is checked: the
 * old code entered GATHER with only the ring's members, found consensus
 * among them at once and installed a useless ring before even looking at
 * the JOIN.
 */
START_TEST(test_join_in_operational_no_premature_ring)
{
	struct probe p;
	struct totem_config cfg;
	const totem_nodeid_t proc[2] = { 1, 2 }, none[1] = { 0 };
	struct totem_ring_id before, after;
	struct wire_commit c;
	unsigned confchgs;

	p_start(&p, &cfg);
	srp_members_get(p.srp, &before, NULL, 0);
	confchgs = p.regular_confchgs;
	p_join_recv(&p, 2, 1, proc, 2, none, 0);
	ck_assert_int_eq(srp_state_get(p.srp), SRP_STATE_COMMIT);
	p_commit_sent(&p, &c);
	ck_assert_uint_eq(c.memb_count, 2);
	/* no ring was formed in between: the commit is the first step after {1} */
	ck_assert_uint_eq(c.hdr.ring_id.seq, before.seq + 4U);
	ck_assert_uint_eq(p.regular_confchgs, confchgs);
	srp_members_get(p.srp, &after, NULL, 0);
	ck_assert_uint_eq(after.seq, before.seq);
	p_free(&p);
}
END_TEST

/*
 * A node failed in one gather and heard from again while the ring that
 * gather agreed on is recovering: its JOIN cannot stop the recovery (only a
 * member of the new ring can, rule M6 of docs/membership.md). Should the
 * recovery stall, the token loss starts a new round from the new ring's
 * members with nothing failed, and the node's next JOIN brings it in.
 */
START_TEST(test_join_failed_node_back_after_recovery)
{
	struct probe p;
	struct totem_config cfg;
	const totem_nodeid_t proc[3] = { 1, 2, 3 }, failed[1] = { 3 }, none[1] = { 0 };
	struct wire_commit c;
	struct wire_join mine;
	uint8_t buf[WIRE_FRAME_MAX];
	ssize_t n;

	p_start(&p, &cfg);
	p_join_recv(&p, 2, 10, proc, 3, failed, 1);
	ck_assert_int_eq(srp_state_get(p.srp), SRP_STATE_COMMIT);
	/* the commit token comes back from node 2, complete: RECOVERY */
	p_commit_sent(&p, &c);
	c.hdr.sender = 2;
	c.token_seq++;
	c.memb[1].nodeid = 2;
	c.memb[1].old_ring_id.rep = 2;
	c.memb[1].old_ring_id.seq = 6;
	c.memb_index = 2;
	n = wire_commit_encode(&c, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	srp_recv(p.srp, buf, (size_t)n);
	ck_assert_int_eq(srp_state_get(p.srp), SRP_STATE_RECOVERY);
	/* node 3 is alive after all, but not part of the ring being recovered */
	p_join_recv(&p, 3, c.hdr.ring_id.seq, proc, 3, none, 0);
	ck_assert_int_eq(srp_state_get(p.srp), SRP_STATE_RECOVERY);
	/* the recovery stalls: token loss, a new round of {1,2}, nothing failed */
	p_run_for(&p, cfg.token_effective + 10);
	ck_assert_int_eq(srp_state_get(p.srp), SRP_STATE_GATHER);
	p_last_join(&p, &mine);
	ck_assert_uint_eq(mine.failed_count, 0);
	p_join_recv(&p, 3, c.hdr.ring_id.seq, proc, 3, none, 0);
	p_last_join(&p, &mine);
	ck_assert(set_is(mine.proc, mine.proc_count, proc, 3));
	ck_assert_uint_eq(mine.failed_count, 0);
	p_free(&p);
}
END_TEST

/*
 * Seed 110 of the simulator (8 nodes, 20 % loss, two partitions): no ring
 * installed during the faults, so every node's old ring was {itself} and
 * every JOIN came from a "foreign" node, whose failed set was never adopted.
 * Two gathering nodes whose failed sets differed could then never agree;
 * only consensus timeouts (5.9 s each) ended each gather, failing each
 * other, and the nodes kept forming one-node rings long after the faults
 * stopped. A foreign failed set that names none of my ring mates is now
 * adopted, so the two agree at once.
 */
START_TEST(test_join_adopts_foreign_failed)
{
	struct probe p;
	struct totem_config cfg;
	const totem_nodeid_t proc[3] = { 1, 2, 3 }, failed[1] = { 3 }, none[1] = { 0 };
	const totem_nodeid_t two[2] = { 1, 2 };
	struct wire_join mine;
	struct wire_commit c;

	p_start(&p, &cfg);
	/* node 2 gathers with {1,2,3}; then its consensus timeout fails 3 */
	p_join_recv(&p, 2, 10, proc, 3, none, 0);
	ck_assert_int_eq(srp_state_get(p.srp), SRP_STATE_GATHER);
	p_join_recv(&p, 2, 10, proc, 3, failed, 1);
	p_last_join(&p, &mine);
	ck_assert(set_is(mine.proc, mine.proc_count, proc, 3));
	ck_assert(set_is(mine.failed, mine.failed_count, failed, 1));
	/* node 2 repeats its JOIN: equal sets, so ring {1,2} forms at once,
	 * with no consensus timeout in between */
	p_join_recv(&p, 2, 10, proc, 3, failed, 1);
	ck_assert_int_eq(srp_state_get(p.srp), SRP_STATE_COMMIT);
	p_commit_sent(&p, &c);
	ck_assert_uint_eq(c.memb_count, 2);
	ck_assert_uint_eq(c.memb[0].nodeid, two[0]);
	ck_assert_uint_eq(c.memb[1].nodeid, two[1]);
	p_free(&p);
}
END_TEST

/*
 * The other half of the rule: a foreign JOIN that lists a mate of my ring as
 * failed (news from a round that excludes part of my ring) does not break
 * up an operational ring: the sender's round installs without us and merge
 * detection joins the rings later from clean state. Ring {1,2,3} hears
 * node 4 claim 2 failed and stays as it is.
 */
START_TEST(test_join_foreign_failing_mate_ignored)
{
	struct h_world w;
	int want = 3;
	const totem_nodeid_t proc[4] = { 1, 2, 3, 4 }, failed[1] = { 2 };
	size_t mark[3];

	h_world_init(&w, 4, 0);
	for (int i = 0; i < 3; i++) {
		h_node_start(&w, i);
	}
	ck_assert(h_run_until(&w, 30000, h_all_operational_with, &want));
	for (int i = 0; i < 3; i++) {
		struct wire_join j;
		uint8_t buf[WIRE_FRAME_MAX];
		ssize_t n;

		mark[i] = w.nodes[i].n_events;
		memset(&j, 0, sizeof(j));
		j.hdr.sender = 4;
		j.hdr.ring_id.rep = 4;
		j.hdr.ring_id.seq = 100;
		j.ring_seq = 100;
		j.proc_count = 4;
		j.failed_count = 1;
		memcpy(j.proc, proc, sizeof(proc));
		memcpy(j.failed, failed, sizeof(failed));
		n = wire_join_encode(&j, buf, sizeof(buf));
		ck_assert_int_gt(n, 0);
		srp_recv(w.nodes[i].srp, buf, (size_t)n);
	}
	h_run_for(&w, 500);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(srp_state_get(w.nodes[i].srp), SRP_STATE_OPERATIONAL);
		ck_assert_uint_eq(h_find_event(&w.nodes[i], "REG", mark[i]), (size_t)-1);
	}
	ck_assert(h_all_operational_with(&w, &want));
	h_world_free(&w);
}
END_TEST

static void h_form(struct h_world *w, int n)
{
	int want = n;

	for (int i = 0; i < n; i++) {
		h_node_start(w, i);
	}
	ck_assert(h_run_until(w, 30000, h_all_operational_with, &want));
}

/*
 * Never converging: a crashed node's id kept circulating in JOINs, so every
 * gather between the two sides of a healed partition waited a consensus
 * timeout, each side failed the other, and the sides reformed apart in
 * lock step. After the heal the live nodes must form one ring within the
 * convergence bound the simulator uses.
 */
START_TEST(test_merge_after_crash_and_partition)
{
	struct h_world w;
	int want = 3;
	uint64_t bound_ms;

	h_world_init(&w, 4, 0);
	h_form(&w, 4);
	bound_ms = w.cfg.consensus + 2U * w.cfg.token_effective + 10U * w.cfg.join +
	           2U * w.cfg.merge + 1000U;
	w.nodes[0].group = 1;
	h_run_for(&w, 500);
	h_node_crash(&w, 2);
	w.loss_permille = 20;
	h_run_for(&w, 12000);
	w.loss_permille = 0;
	w.nodes[0].group = 0;
	ck_assert_msg(h_run_until(&w, bound_ms, h_all_operational_with, &want),
	              "nodes 1, 2, 4 did not merge into one ring");
	h_world_free(&w);
}
END_TEST

/* Many nodes, heavy loss, a three-way partition and crashes: no JOIN storm
 * (the run ends) and one ring of the survivors afterwards. */
START_TEST(test_merge_many_lossy)
{
	struct h_world w;
	int want = 6;
	uint64_t bound_ms;

	h_world_init(&w, 8, 0);
	h_form(&w, 8);
	bound_ms = w.cfg.consensus + 2U * w.cfg.token_effective + 10U * w.cfg.join +
	           2U * w.cfg.merge + 1000U;
	w.loss_permille = 200;
	for (int i = 0; i < 8; i++) {
		w.nodes[i].group = i % 3;
	}
	h_run_for(&w, 4000);
	h_node_crash(&w, 2);
	h_run_for(&w, 3000);
	h_node_crash(&w, 7);
	for (int i = 0; i < 8; i++) {
		w.nodes[i].group = 0;
	}
	h_run_for(&w, 6000);
	w.loss_permille = 0;
	ck_assert_msg(h_run_until(&w, bound_ms, h_all_operational_with, &want),
	              "the six survivors did not merge into one ring");
	h_world_free(&w);
}
END_TEST

/*
 * Rule M2: a JOIN a ring mate sent before it helped form our ring (lower
 * ring_seq) is dropped in GATHER too. Ring {1,2,3} starts a round for a
 * stranger (node 4, never started); a delayed JOIN of node 2 from before
 * the ring, naming 3 failed, reaches node 1. Adopting it would split off
 * node 3; dropped, the three reform {1,2,3} once node 4 times out.
 */
START_TEST(test_join_stale_dropped_in_gather)
{
	struct h_world w;
	int want = 3;
	const totem_nodeid_t stranger[1] = { 4 }, proc[3] = { 1, 2, 3 }, failed[1] = { 3 };
	size_t mark[3];
	struct totem_ring_id rid;
	struct wire_join j;
	uint8_t buf[WIRE_FRAME_MAX];
	ssize_t n;

	h_world_init(&w, 4, 0);
	h_form(&w, 3);
	srp_members_get(w.nodes[0].srp, &rid, NULL, 0);
	for (int i = 0; i < 3; i++) {
		mark[i] = w.nodes[i].n_events;
	}
	memset(&j, 0, sizeof(j));
	j.hdr.sender = 4;
	j.hdr.ring_id.rep = 4;
	j.hdr.ring_id.seq = 1;
	j.ring_seq = 0;
	j.proc_count = 1;
	memcpy(j.proc, stranger, sizeof(stranger));
	n = wire_join_encode(&j, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	for (int i = 0; i < 3; i++) {
		srp_recv(w.nodes[i].srp, buf, (size_t)n);
		ck_assert_int_eq(srp_state_get(w.nodes[i].srp), SRP_STATE_GATHER);
	}
	memset(&j, 0, sizeof(j));
	j.hdr.sender = 2;
	j.hdr.ring_id.rep = 1;
	j.hdr.ring_id.seq = rid.seq - 4U;
	j.ring_seq = rid.seq - 4U;
	j.proc_count = 3;
	j.failed_count = 1;
	memcpy(j.proc, proc, sizeof(proc));
	memcpy(j.failed, failed, sizeof(failed));
	n = wire_join_encode(&j, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	srp_recv(w.nodes[0].srp, buf, (size_t)n);
	ck_assert(h_run_until(&w, 30000, h_all_operational_with, &want));
	for (int i = 0; i < 3; i++) {
		size_t first = h_find_event(&w.nodes[i], "REG", mark[i]);

		ck_assert_uint_ne(first, (size_t)-1);
		ck_assert_msg(strncmp(w.nodes[i].events[first], "REG m=1,2,3 ", 12) == 0,
		              "node %d: %s", i + 1, w.nodes[i].events[first]);
	}
	h_world_free(&w);
}
END_TEST

/*
 * Rule M1: falling back from COMMIT starts a new round from the members of
 * the ring that was being formed, with nothing failed. Node 1 agrees with
 * node 2 on {1,2} (3 failed) and sends the commit token, which is lost:
 * the token loss starts a round of {1,2} in which 3 is not failed, so a
 * live node 3 can come back at once.
 */
START_TEST(test_commit_fallback_fresh_round)
{
	struct probe p;
	struct totem_config cfg;
	const totem_nodeid_t proc[3] = { 1, 2, 3 }, failed[1] = { 3 }, two[2] = { 1, 2 };
	struct wire_join mine;

	p_start(&p, &cfg);
	p_join_recv(&p, 2, 10, proc, 3, failed, 1);
	ck_assert_int_eq(srp_state_get(p.srp), SRP_STATE_COMMIT);
	p_run_for(&p, cfg.token_effective + 10);
	ck_assert_int_eq(srp_state_get(p.srp), SRP_STATE_GATHER);
	p_last_join(&p, &mine);
	ck_assert(set_is(mine.proc, mine.proc_count, two, 2));
	ck_assert_uint_eq(mine.failed_count, 0);
	p_free(&p);
}
END_TEST

/*
 * No fail-back (docs/membership.md, M3): a JOIN that lists me as failed is
 * ignored in GATHER. It neither fails its sender nor sends a JOIN; once the
 * sender's round is over and it asks again without failing me, we agree.
 * Failing it back made verdicts spread until every node failed every other.
 */
START_TEST(test_join_naming_me_no_fail_back)
{
	struct probe p;
	struct totem_config cfg;
	const totem_nodeid_t proc[3] = { 1, 2, 3 }, me[1] = { 1 }, none[1] = { 0 };
	struct wire_join mine;
	size_t joins;

	p_start(&p, &cfg);
	p_join_recv(&p, 2, 10, proc, 3, none, 0);
	ck_assert_int_eq(srp_state_get(p.srp), SRP_STATE_GATHER);
	joins = p_count(&p, WIRE_JOIN, 0);
	p_join_recv(&p, 3, 10, proc, 3, me, 1);
	ck_assert_int_eq(srp_state_get(p.srp), SRP_STATE_GATHER);
	ck_assert_uint_eq(p_count(&p, WIRE_JOIN, 0), joins);
	p_last_join(&p, &mine);
	ck_assert(set_is(mine.proc, mine.proc_count, proc, 3));
	ck_assert_uint_eq(mine.failed_count, 0);
	p_join_recv(&p, 3, 14, proc, 3, none, 0);
	ck_assert_int_eq(srp_state_get(p.srp), SRP_STATE_COMMIT);
	p_free(&p);
}
END_TEST

/*
 * A LEAVE heard while the ring being formed still counts the leaver (COMMIT
 * or RECOVERY) fails the leaver in the new round like in any other state
 * (M1): the fresh round that falls back from the formation must not forget
 * it, or it waits a consensus timeout for a node that will never answer.
 * Node 1 agrees with node 2 on {1,2} and sends the commit token; node 2
 * leaves and only one copy of its LEAVE arrives.
 */
START_TEST(test_leave_during_commit)
{
	struct probe p;
	struct totem_config cfg;
	const totem_nodeid_t two[2] = { 1, 2 }, left[1] = { 2 }, none[1] = { 0 };
	struct wire_header hdr;
	struct wire_join mine;
	struct totem_ring_id rid;
	uint8_t buf[WIRE_FRAME_MAX];
	ssize_t n;

	p_start(&p, &cfg);
	p_join_recv(&p, 2, 10, two, 2, none, 0);
	ck_assert_int_eq(srp_state_get(p.srp), SRP_STATE_COMMIT);
	memset(&hdr, 0, sizeof(hdr));
	hdr.sender = 2;
	hdr.ring_id.rep = 2;
	hdr.ring_id.seq = 10;
	n = wire_simple_encode(WIRE_LEAVE, &hdr, buf, sizeof(buf));
	ck_assert_int_gt(n, 0);
	srp_recv(p.srp, buf, (size_t)n);
	p_last_join(&p, &mine);
	ck_assert(set_is(mine.proc, mine.proc_count, two, 2));
	ck_assert(set_is(mine.failed, mine.failed_count, left, 1));
	/* {1} forms at once, long before a consensus timeout */
	p_run_for(&p, cfg.join);
	ck_assert_int_eq(srp_state_get(p.srp), SRP_STATE_OPERATIONAL);
	ck_assert_uint_eq(srp_members_get(p.srp, &rid, NULL, 0), 1);
	p_free(&p);
}
END_TEST

/*
 * Rule M7: a member of the ring being formed that lists me as failed will
 * refuse the commit token; its JOIN stops the formation at once instead of
 * after a token timeout, and a new round starts without any fail-back.
 */
START_TEST(test_commit_stopped_by_member_failing_me)
{
	struct probe p;
	struct totem_config cfg;
	const totem_nodeid_t two[2] = { 1, 2 }, me[1] = { 1 }, none[1] = { 0 };
	struct wire_join mine;

	p_start(&p, &cfg);
	p_join_recv(&p, 2, 10, two, 2, none, 0);
	ck_assert_int_eq(srp_state_get(p.srp), SRP_STATE_COMMIT);
	p_join_recv(&p, 2, 10, two, 2, me, 1);
	ck_assert_int_eq(srp_state_get(p.srp), SRP_STATE_GATHER);
	p_last_join(&p, &mine);
	ck_assert(set_is(mine.proc, mine.proc_count, two, 2));
	ck_assert_uint_eq(mine.failed_count, 0);
	p_free(&p);
}
END_TEST

static bool h_has_ring(const struct h_node *n, size_t from, const char *members)
{
	char want[64];

	snprintf(want, sizeof(want), "REG m=%s ", members);
	for (size_t e = h_find_event(n, "REG", from); e != (size_t)-1; e = h_find_event(n, "REG", e + 1)) {
		if (strncmp(n->events[e], want, strlen(want)) == 0) {
			return true;
		}
	}
	return false;
}

/*
 * Fail-to-receive (docs/membership.md): node 3 gets the token but no data
 * frame. It gives up only after fail_recv_const rotations and one token
 * timeout, then leaves: nodes 1 and 2 reform at once (no token timeout),
 * node 3 stays apart for a token timeout, and once it can receive again
 * the three form one ring.
 */
START_TEST(test_fail_recv_leaves_and_stays_apart)
{
	struct h_world w;
	int want = 3;
	size_t mark[3];
	uint64_t t_deaf, t_fail = 0, t_pair = 0;

	h_world_init(&w, 3, 0);
	w.cfg.fail_recv_const = 50;     /* rotations alone would take ms */
	h_form(&w, 3);
	for (int i = 0; i < 3; i++) {
		mark[i] = w.nodes[i].n_events;
	}
	w.nodes[2].deaf = true;
	t_deaf = w.now_us;
	for (int k = 0; k < 2000 && t_pair == 0; k++) {
		(void)h_send(&w, 0, TOTEM_AGREED);
		h_run_for(&w, 2);
		if (t_fail == 0 && h_has_ring(&w.nodes[2], mark[2], "3")) {
			t_fail = w.now_us;
		}
		if (t_fail != 0 && h_has_ring(&w.nodes[0], mark[0], "1,2")) {
			t_pair = w.now_us;
		}
	}
	ck_assert_msg(t_fail != 0 && t_pair != 0, "node 3 did not leave (%llu) or 1,2 did not reform",
	              (unsigned long long)t_fail);
	ck_assert_uint_ge(t_fail - t_deaf, (uint64_t)w.cfg.token * 1000U);
	ck_assert_uint_lt(t_pair - t_fail, 200000U);
	/* apart for a token timeout, though it could merge at once */
	h_run_for(&w, w.cfg.token_effective / 2U);
	ck_assert(!h_has_ring(&w.nodes[0], mark[0], "1,2,3"));
	w.nodes[2].deaf = false;
	ck_assert(h_run_until(&w, 30000, h_all_operational_with, &want));
	ck_assert_uint_ge(w.now_us - t_fail, (uint64_t)w.cfg.token_effective * 1000U);
	h_world_free(&w);
}
END_TEST

/* A crash costs the survivors one configuration, not a storm of them. */
START_TEST(test_crash_costs_one_ring)
{
	struct h_world w;
	int want = 4;
	size_t mark[5];

	h_world_init(&w, 5, 0);
	h_form(&w, 5);
	for (int i = 0; i < 5; i++) {
		mark[i] = w.nodes[i].n_events;
	}
	h_node_crash(&w, 2);
	ck_assert(h_run_until(&w, 30000, h_all_operational_with, &want));
	h_run_for(&w, 3000);
	for (int i = 0; i < 5; i++) {
		size_t k = 0;

		if (i == 2) {
			continue;
		}
		for (size_t e = h_find_event(&w.nodes[i], "REG", mark[i]); e != (size_t)-1;
		     e = h_find_event(&w.nodes[i], "REG", e + 1)) {
			k++;
		}
		ck_assert_msg(k == 1, "node %d installed %zu rings after one crash", i + 1, k);
	}
	h_world_free(&w);
}
END_TEST

static Suite *srp_memb_suite(void)
{
	Suite *s = suite_create("srp_memb");
	TCase *tc = tcase_create("join");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_join_no_reply_without_news);
	tcase_add_test(tc, test_join_learns_failed_of_unknown);
	tcase_add_test(tc, test_join_excluding_me_keeps_ring);
	tcase_add_test(tc, test_join_in_operational_no_premature_ring);
	tcase_add_test(tc, test_join_failed_node_back_after_recovery);
	tcase_add_test(tc, test_join_adopts_foreign_failed);
	tcase_add_test(tc, test_join_foreign_failing_mate_ignored);
	tcase_add_test(tc, test_join_stale_dropped_in_gather);
	tcase_add_test(tc, test_commit_fallback_fresh_round);
	tcase_add_test(tc, test_join_naming_me_no_fail_back);
	tcase_add_test(tc, test_commit_stopped_by_member_failing_me);
	tcase_add_test(tc, test_leave_during_commit);
	suite_add_tcase(s, tc);
	tc = tcase_create("merge");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_merge_after_crash_and_partition);
	tcase_add_test(tc, test_merge_many_lossy);
	tcase_add_test(tc, test_crash_costs_one_ring);
	tcase_add_test(tc, test_fail_recv_leaves_and_stays_apart);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(srp_memb_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
