/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Scenario tests of the Totem SRP core on the deterministic world of
 * srp_harness.c: ring formation, agreed and safe total order with
 * self-delivery, crash, partition and merge, clean leave, message loss,
 * sequence wrap-around and the idle token hold. Assertions compare what the
 * nodes delivered (messages and configuration changes as one stream);
 * virtual time is only used where the requirement is about time.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "srp_harness.h"

/* Loop tests run on the classic ring (_i 0) and the Accelerated Ring (_i 1:
 * every new frame of a visit follows the token). */
/* loop tests run on the classic ring, the Accelerated Ring and a paced ring */
static const uint32_t accel_of[3] = { 0, 17, 0 };
static const uint32_t pace_of[3] = { 0, 0, 1000 };

static void form_ring(struct h_world *w, int n)
{
	int want = n;

	for (int i = 0; i < n; i++) {
		h_node_start(w, i);
	}
	ck_assert_msg(h_run_until(w, 30000, h_all_operational_with, &want),
	              "%d nodes did not form one ring", n);
}

/* Send per_node messages from each live node, letting the ring run. */
static void send_many(struct h_world *w, uint32_t per_node, enum totem_guarantee g)
{
	uint32_t sent[H_NODES_MAX] = { 0 };
	bool more = true;

	while (more) {
		more = false;
		for (int i = 0; i < w->n; i++) {
			if (!w->nodes[i].alive) {
				continue;
			}
			while (sent[i] < per_node && h_send(w, i, g) == 0) {
				sent[i]++;
			}
			more |= sent[i] < per_node;
		}
		h_run_for(w, 5);
	}
}

static size_t marker_index(const struct h_node *n, const char *marker)
{
	size_t idx = h_find_event(n, marker, 0);

	ck_assert_msg(idx != (size_t)-1, "node %u never saw '%s'", n->id, marker);
	return idx;
}

static size_t last_marker_index(const struct h_node *n, const char *marker)
{
	size_t idx = (size_t)-1, at = 0;

	while ((at = h_find_event(n, marker, at)) != (size_t)-1) {
		idx = at++;
	}
	ck_assert_msg(idx != (size_t)-1, "node %u never saw '%s'", n->id, marker);
	return idx;
}

/* The event streams of the listed nodes are identical from their marker on. */
static void assert_same_stream(struct h_world *w, const int *idx, int k, const char *marker,
                               bool last)
{
	const struct h_node *a = &w->nodes[idx[0]];
	/* the marker itself differs (joined is relative to each node) */
	size_t a0 = (last ? last_marker_index(a, marker) : marker_index(a, marker)) + 1;

	for (int j = 1; j < k; j++) {
		const struct h_node *b = &w->nodes[idx[j]];
		size_t b0 = (last ? last_marker_index(b, marker) : marker_index(b, marker)) + 1;

		ck_assert_uint_eq(a->n_events - a0, b->n_events - b0);
		for (size_t e = 0; a0 + e < a->n_events; e++) {
			ck_assert_msg(strcmp(a->events[a0 + e], b->events[b0 + e]) == 0,
			              "node %u event %zu '%s' != node %u '%s'", a->id, e,
			              a->events[a0 + e], b->id, b->events[b0 + e]);
		}
	}
}

START_TEST(test_three_nodes_agreed)
{
	struct h_world w;
	int all[3] = { 0, 1, 2 };

	h_world_init(&w, 3, 0);
	w.cfg.accelerated_window = accel_of[_i];
	w.cfg.token_pace = pace_of[_i];
	form_ring(&w, 3);
	send_many(&w, 334, TOTEM_AGREED);
	h_run_for(&w, 3000);
	for (int i = 0; i < 3; i++) {
		size_t from = marker_index(&w.nodes[i], "REG m=1,2,3 ");

		ck_assert_uint_eq(h_count_msgs(&w.nodes[i], from), 1002);
		/* self-delivery: its own last message is there */
		char own[40];
		snprintf(own, sizeof(own), "M %u %u/333 A", i + 1, i + 1);
		ck_assert(h_find_event(&w.nodes[i], own, from) != (size_t)-1);
	}
	assert_same_stream(&w, all, 3, "REG m=1,2,3 ", false);
	h_world_free(&w);
}
END_TEST

START_TEST(test_safe_delivery)
{
	struct h_world w;
	int all[4] = { 0, 1, 2, 3 };
	struct srp_stats st;

	h_world_init(&w, 4, 0);
	w.cfg.accelerated_window = accel_of[_i];
	w.cfg.token_pace = pace_of[_i];
	form_ring(&w, 4);
	send_many(&w, 50, TOTEM_SAFE);
	send_many(&w, 50, TOTEM_AGREED);
	h_run_for(&w, 3000);
	for (int i = 0; i < 4; i++) {
		size_t from = marker_index(&w.nodes[i], "REG m=1,2,3,4 ");

		ck_assert_uint_eq(h_count_msgs(&w.nodes[i], from), 400);
		srp_stats_get(w.nodes[i].srp, &st);
		ck_assert_uint_eq(st.frames_bad, 0);
	}
	assert_same_stream(&w, all, 4, "REG m=1,2,3,4 ", false);
	h_world_free(&w);
}
END_TEST

START_TEST(test_crash_reform)
{
	struct h_world w;
	int surv[4] = { 0, 1, 3, 4 };
	int want = 4;

	h_world_init(&w, 5, 0);
	w.cfg.accelerated_window = accel_of[_i];
	w.cfg.token_pace = pace_of[_i];
	form_ring(&w, 5);
	send_many(&w, 40, TOTEM_AGREED);
	/* crash node 3 in the middle of traffic */
	for (int i = 0; i < 5; i++) {
		for (int k = 0; k < 10; k++) {
			h_send(&w, i, TOTEM_AGREED);
		}
	}
	h_run_for(&w, 1);
	h_node_crash(&w, 2);
	ck_assert(h_run_until(&w, 30000, h_all_operational_with, &want));
	send_many(&w, 40, TOTEM_SAFE);
	h_run_for(&w, 3000);
	for (int j = 0; j < 4; j++) {
		const struct h_node *n = &w.nodes[surv[j]];
		size_t t = marker_index(n, "TRANS m=1,2,4,5 l=3 j= ");
		size_t r = marker_index(n, "REG m=1,2,4,5 l= j= ");

		ck_assert_uint_lt(t, r);
		/* 200 before, the survivors' burst of 40, whatever of node 3's
		 * burst made it, and 160 after */
		ck_assert_uint_ge(h_count_msgs(n, marker_index(n, "REG m=1,2,3,4,5 ")), 400);
		ck_assert_uint_le(h_count_msgs(n, marker_index(n, "REG m=1,2,3,4,5 ")), 410);
	}
	assert_same_stream(&w, surv, 4, "REG m=1,2,3,4,5 ", false);
	h_world_free(&w);
}
END_TEST

START_TEST(test_partition_merge)
{
	struct h_world w;
	int a[2] = { 0, 1 }, b[3] = { 2, 3, 4 }, all[5] = { 0, 1, 2, 3, 4 };
	int want = 5;

	h_world_init(&w, 5, 0);
	w.cfg.accelerated_window = accel_of[_i];
	w.cfg.token_pace = pace_of[_i];
	form_ring(&w, 5);
	send_many(&w, 20, TOTEM_AGREED);
	w.nodes[0].group = w.nodes[1].group = 1;
	h_run_for(&w, 15000);
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(srp_state_get(w.nodes[i].srp), SRP_STATE_OPERATIONAL);
		ck_assert_uint_eq(srp_members_get(w.nodes[i].srp, NULL, NULL, 0), i < 2 ? 2 : 3);
	}
	send_many(&w, 20, TOTEM_AGREED);
	h_run_for(&w, 1000);
	assert_same_stream(&w, a, 2, "REG m=1,2 ", false);
	assert_same_stream(&w, b, 3, "REG m=3,4,5 ", false);
	w.nodes[0].group = w.nodes[1].group = 0;
	ck_assert(h_run_until(&w, 30000, h_all_operational_with, &want));
	send_many(&w, 20, TOTEM_AGREED);
	h_run_for(&w, 2000);
	for (int i = 0; i < 5; i++) {
		size_t r = last_marker_index(&w.nodes[i], "REG m=1,2,3,4,5 ");

		ck_assert_uint_eq(h_count_msgs(&w.nodes[i], r), 100);
	}
	assert_same_stream(&w, all, 5, "REG m=1,2,3,4,5 ", true);
	h_world_free(&w);
}
END_TEST

static bool two_operational(struct h_world *w, void *arg)
{
	(void)arg;
	for (int i = 0; i < 2; i++) {
		if (srp_state_get(w->nodes[i].srp) != SRP_STATE_OPERATIONAL ||
		    srp_members_get(w->nodes[i].srp, NULL, NULL, 0) != 2) {
			return false;
		}
	}
	return true;
}

START_TEST(test_clean_leave)
{
	struct h_world w;
	int surv[2] = { 0, 1 };
	uint64_t t0;

	h_world_init(&w, 3, 0);
	form_ring(&w, 3);
	send_many(&w, 10, TOTEM_AGREED);
	t0 = w.now_us;
	srp_leave(w.nodes[2].srp);
	ck_assert_int_eq(h_send(&w, 2, TOTEM_AGREED), -ESHUTDOWN);
	w.nodes[2].alive = false;       /* silent from now on; destroyed at the end */
	ck_assert(h_run_until(&w, 30000, two_operational, NULL));
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(srp_state_get(w.nodes[i].srp), SRP_STATE_OPERATIONAL);
		ck_assert_uint_eq(srp_members_get(w.nodes[i].srp, NULL, NULL, 0), 2);
	}
	ck_assert_uint_lt(w.now_us - t0, (uint64_t)w.cfg.token_effective * 1000U);
	h_run_for(&w, 100);
	send_many(&w, 10, TOTEM_AGREED);
	h_run_for(&w, 1000);
	assert_same_stream(&w, surv, 2, "REG m=1,2 l= j= ", false);
	h_world_free(&w);
}
END_TEST

START_TEST(test_clean_leave_fast)
{
	struct h_world w;
	uint64_t t0;

	h_world_init(&w, 3, 0);
	form_ring(&w, 3);
	t0 = w.now_us;
	srp_leave(w.nodes[2].srp);
	ck_assert(h_run_until(&w, 30000, two_operational, NULL));
	ck_assert_uint_lt(w.now_us - t0, (uint64_t)w.cfg.token_effective * 1000U);
	h_world_free(&w);
}
END_TEST

START_TEST(test_loss)
{
	struct h_world w;
	int all[3] = { 0, 1, 2 };
	struct srp_stats st;

	h_world_init(&w, 3, 0);
	w.cfg.accelerated_window = accel_of[_i];
	w.cfg.token_pace = pace_of[_i];
	form_ring(&w, 3);
	w.loss_permille = 100;
	send_many(&w, 200, TOTEM_AGREED);
	h_run_for(&w, 10000);
	w.loss_permille = 0;
	h_run_for(&w, 10000);
	for (int i = 0; i < 3; i++) {
		size_t r = last_marker_index(&w.nodes[i], "REG m=1,2,3 ");
		size_t first = marker_index(&w.nodes[i], "REG m=1,2,3 ");

		(void)r;
		ck_assert_uint_eq(h_count_msgs(&w.nodes[i], first), 600);
	}
	srp_stats_get(w.nodes[0].srp, &st);
	ck_assert_uint_gt(st.retransmit_requests + st.retransmits_tx, 0);
	assert_same_stream(&w, all, 3, "REG m=1,2,3 ", false);
	h_world_free(&w);
}
END_TEST

/*
 * Under light loss (a few messages at a time, so the token's request list
 * never fills) a frame lost a rotation ago is asked for at the next visit:
 * no node waits more than 2 token visits before its first request
 * (retransmit_wait_max). Waiting miss_count_const (5) visits for every gap
 * made each lost sync barrier cost five rotations.
 */
START_TEST(test_loss_prompt_request)
{
	struct h_world w;
	int all[3] = { 0, 1, 2 };
	uint64_t requests = 0;

	h_world_init(&w, 3, 0);
	w.cfg.accelerated_window = accel_of[_i];
	w.cfg.token_pace = pace_of[_i];
	form_ring(&w, 3);
	w.loss_permille = 100;
	for (int round = 0; round < 40; round++) {
		send_many(&w, 1, TOTEM_AGREED);
		h_run_for(&w, 200);
	}
	w.loss_permille = 0;
	h_run_for(&w, 10000);
	for (int i = 0; i < 3; i++) {
		struct srp_stats st;

		srp_stats_get(w.nodes[i].srp, &st);
		requests += st.retransmit_requests;
		ck_assert_msg(st.retransmit_wait_max <= 2, "node %d waited %llu visits before asking", i,
		              (unsigned long long)st.retransmit_wait_max);
	}
	ck_assert_uint_gt(requests, 0);
	assert_same_stream(&w, all, 3, "REG m=1,2,3 ", false);
	h_world_free(&w);
}
END_TEST

/*
 * A layer above srp that keeps its frames and hands them over only inside
 * token_received, as many as srp_origination_budget() allows: srp originates
 * every one in that visit (its send queue is empty at the next visit), the
 * budget respects window_size, the held frames count as backlog (they keep
 * the ring going and share the window with a plain srp_mcast() sender), and
 * everything arrives in one order everywhere.
 */
START_TEST(test_origination_budget)
{
	struct h_world w;
	int all[3] = { 0, 1, 2 };
	struct srp_stats st;

	h_world_init(&w, 3, 0);
	form_ring(&w, 3);
	ck_assert_uint_eq(srp_origination_budget(w.nodes[0].srp), 0);
	w.nodes[0].upper_pending = 400;
	srp_backlog_set(w.nodes[0].srp, 400);
	w.nodes[1].upper_pending = 400;
	srp_backlog_set(w.nodes[1].srp, 400);
	for (int k = 0; k < 100; k++) {
		ck_assert_int_eq(h_send(&w, 2, TOTEM_AGREED), 0);
	}
	h_run_for(&w, 20000);
	for (int i = 0; i < 3; i++) {
		size_t first = marker_index(&w.nodes[i], "REG m=1,2,3 ");

		ck_assert_uint_eq(h_count_msgs(&w.nodes[i], first), 900);
		ck_assert_uint_eq(w.nodes[i].upper_pending, 0);
		ck_assert_uint_eq(w.nodes[i].upper_violations, 0);
		ck_assert_uint_le(w.nodes[i].upper_budget_max, w.cfg.window_size);
	}
	ck_assert_uint_gt(w.nodes[0].upper_budget_max, 0);
	ck_assert_uint_eq(srp_origination_budget(w.nodes[0].srp), 0);
	srp_stats_get(w.nodes[0].srp, &st);
	ck_assert_uint_eq(st.send_queue_len, 0);
	assert_same_stream(&w, all, 3, "REG m=1,2,3 ", false);
	h_world_free(&w);
}
END_TEST

/*
 * The only node with a backlog may take the whole window per visit, not
 * only max_messages: with no other sender, one node's budget goes above
 * max_messages but never above window_size, and the ring still delivers
 * everything in one order.
 */
START_TEST(test_sole_sender_window)
{
	struct h_world w;
	int all[3] = { 0, 1, 2 };

	h_world_init(&w, 3, 0);
	form_ring(&w, 3);
	w.nodes[0].upper_pending = 600;
	srp_backlog_set(w.nodes[0].srp, 600);
	h_run_for(&w, 20000);
	for (int i = 0; i < 3; i++) {
		size_t first = marker_index(&w.nodes[i], "REG m=1,2,3 ");

		ck_assert_uint_eq(h_count_msgs(&w.nodes[i], first), 600);
	}
	ck_assert_uint_eq(w.nodes[0].upper_pending, 0);
	ck_assert_uint_eq(w.nodes[0].upper_violations, 0);
	ck_assert_uint_gt(w.nodes[0].upper_budget_max, w.cfg.max_messages);
	ck_assert_uint_le(w.nodes[0].upper_budget_max, w.cfg.window_size);
	assert_same_stream(&w, all, 3, "REG m=1,2,3 ", false);
	h_world_free(&w);
}
END_TEST

START_TEST(test_seq_wrap)
{
	struct h_world w;
	int all[3] = { 0, 1, 2 };

	h_world_init(&w, 3, 0xfffffff0U);
	form_ring(&w, 3);
	send_many(&w, 334, TOTEM_AGREED);
	send_many(&w, 20, TOTEM_SAFE);
	h_run_for(&w, 3000);
	for (int i = 0; i < 3; i++) {
		size_t from = marker_index(&w.nodes[i], "REG m=1,2,3 ");

		ck_assert_uint_eq(h_count_msgs(&w.nodes[i], from), 1062);
	}
	assert_same_stream(&w, all, 3, "REG m=1,2,3 ", false);
	h_world_free(&w);
}
END_TEST

START_TEST(test_idle_no_spin)
{
	struct h_world w;
	uint64_t before = 0, after = 0;

	h_world_init(&w, 3, 0);
	form_ring(&w, 3);
	h_run_for(&w, 2000);
	for (int i = 0; i < 3; i++) {
		before += w.nodes[i].token_sends;
	}
	h_run_for(&w, 10000);
	for (int i = 0; i < 3; i++) {
		after += w.nodes[i].token_sends;
		ck_assert_int_eq(srp_state_get(w.nodes[i].srp), SRP_STATE_OPERATIONAL);
	}
	/* hold ~180 ms: about 55 rotations of 3 sends; spinning would be ~10^5 */
	ck_assert_uint_lt(after - before, 400);
	ck_assert_uint_gt(after - before, 10);
	/* and a message still gets through promptly from a non-representative */
	ck_assert_int_eq(h_send(&w, 2, TOTEM_AGREED), 0);
	h_run_for(&w, 1000);
	for (int i = 0; i < 3; i++) {
		ck_assert_uint_eq(w.nodes[i].delivered, 1);
	}
	h_world_free(&w);
}
END_TEST

/* A node that cannot save a ring seq (ring_seq_store fails: a full disk)
 * never becomes a member of a ring with that seq; it joins once it can. */
START_TEST(test_ring_seq_refused)
{
	struct h_world w;
	int want = 3;
	uint64_t seq_before;

	h_world_init(&w, 3, 0);
	form_ring(&w, 3);
	h_node_crash(&w, 1);
	want = 2;
	ck_assert(h_run_until(&w, 30000, h_all_operational_with, &want));
	seq_before = w.nodes[1].ring_seq_stored;
	w.nodes[1].ring_seq_refuse = true;
	h_node_start(&w, 1);
	h_run_for(&w, 10000);
	for (int i = 0; i < 3; i++) {
		struct totem_ring_id rid;
		size_t n = srp_members_get(w.nodes[i].srp, &rid, NULL, 0);

		if (i == 1) {
			ck_assert(srp_state_get(w.nodes[i].srp) != SRP_STATE_OPERATIONAL);
			ck_assert_uint_eq(w.nodes[1].ring_seq_stored, seq_before);
		} else {
			ck_assert_uint_eq(n, 2);
		}
	}
	w.nodes[1].ring_seq_refuse = false;
	want = 3;
	ck_assert(h_run_until(&w, 30000, h_all_operational_with, &want));
	h_world_free(&w);
}
END_TEST

START_TEST(test_restart_rejoin)
{
	struct h_world w;
	int want = 3, all[3] = { 0, 1, 2 };
	uint64_t seq_before;

	h_world_init(&w, 3, 0);
	form_ring(&w, 3);
	seq_before = w.nodes[1].ring_seq_stored;
	ck_assert_uint_gt(seq_before, 0);
	h_node_crash(&w, 1);
	want = 2;
	ck_assert(h_run_until(&w, 30000, h_all_operational_with, &want));
	h_node_start(&w, 1);
	want = 3;
	ck_assert(h_run_until(&w, 30000, h_all_operational_with, &want));
	ck_assert_uint_gt(w.nodes[1].ring_seq_stored, seq_before);
	send_many(&w, 30, TOTEM_AGREED);
	h_run_for(&w, 2000);
	assert_same_stream(&w, all, 3, "REG m=1,2,3 ", true);
	h_world_free(&w);
}
END_TEST

/* Three nodes each sending two messages per ms (a rotation takes ~600 us
 * here) with token_pace 1500: the token is held, and every node still
 * delivers every message in one order. */
START_TEST(test_pace_busy)
{
	struct h_world w;
	int all[3] = { 0, 1, 2 };
	uint32_t sent = 0;
	uint64_t paced = 0;
	struct srp_stats st;

	h_world_init(&w, 3, 0);
	w.cfg.token_pace = 1500;
	form_ring(&w, 3);
	for (int step = 0; step < 2000; step++) {
		for (int i = 0; i < 3; i++) {
			sent += h_send(&w, i, step % 7 == 0 ? TOTEM_SAFE : TOTEM_AGREED) == 0;
			sent += h_send(&w, i, TOTEM_AGREED) == 0;
		}
		h_run_for(&w, 1);
	}
	h_run_for(&w, 3000);
	for (int i = 0; i < 3; i++) {
		size_t from = marker_index(&w.nodes[i], "REG m=1,2,3 ");

		ck_assert_uint_eq(h_count_msgs(&w.nodes[i], from), sent);
		srp_stats_get(w.nodes[i].srp, &st);
		paced += st.token_paced;
		ck_assert_uint_eq(st.token_lost, 0);
	}
	ck_assert_uint_gt(sent, 11000);
	ck_assert_msg(paced > 100, "the busy ring was paced %llu times", (unsigned long long)paced);
	assert_same_stream(&w, all, 3, "REG m=1,2,3 ", false);
	h_world_free(&w);
}
END_TEST

/* One message per ms from one node on a slow ring (500 us a hop, a
 * rotation of 1.5 ms, longer than the pace): at this rate a visit every
 * token_pace (1000 us) would carry one message, so the ring is not paced
 * however long the rotation, and neither is an idle one. */
START_TEST(test_pace_light)
{
	struct h_world w;
	struct srp_stats st;

	h_world_init(&w, 3, 0);
	w.cfg.token_pace = 1000;
	w.latency_us = 500;
	form_ring(&w, 3);
	for (int step = 0; step < 2000; step++) {
		ck_assert_int_eq(h_send(&w, 0, TOTEM_AGREED), 0);
		h_run_for(&w, 1);
	}
	h_run_for(&w, 5000);
	for (int i = 0; i < 3; i++) {
		size_t from = marker_index(&w.nodes[i], "REG m=1,2,3 ");

		ck_assert_uint_eq(h_count_msgs(&w.nodes[i], from), 2000);
		srp_stats_get(w.nodes[i].srp, &st);
		ck_assert_uint_eq(st.token_paced, 0);
	}
	h_world_free(&w);
}
END_TEST

static Suite *srp_suite(void)
{
	Suite *s = suite_create("srp");
	TCase *tc = tcase_create("scenarios");

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_three_nodes_agreed, 0, 3);
	tcase_add_loop_test(tc, test_safe_delivery, 0, 3);
	tcase_add_loop_test(tc, test_crash_reform, 0, 3);
	tcase_add_loop_test(tc, test_partition_merge, 0, 3);
	tcase_add_test(tc, test_clean_leave);
	tcase_add_test(tc, test_clean_leave_fast);
	tcase_add_loop_test(tc, test_loss, 0, 3);
	tcase_add_loop_test(tc, test_loss_prompt_request, 0, 3);
	tcase_add_test(tc, test_origination_budget);
	tcase_add_test(tc, test_sole_sender_window);
	tcase_add_test(tc, test_seq_wrap);
	tcase_add_test(tc, test_idle_no_spin);
	tcase_add_test(tc, test_restart_rejoin);
	tcase_add_test(tc, test_ring_seq_refused);
	tcase_add_test(tc, test_pace_busy);
	tcase_add_test(tc, test_pace_light);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(srp_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
