/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sync state machine (exec/sync.c) on several simulated nodes sharing a
 * totally ordered bus: the service-list / process / barrier / activate
 * sequence in id order, services known on some nodes only, process steps
 * that need several calls, send failures, aborts by a new configuration and
 * stale or malformed messages.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "sync.h"

#define NODES 4
#define BUS_MAX 256
#define LOG_MAX 64

struct node {
	ais_nodeid_t id;
	struct sync *sync;
	bool has_b;          /* runs service 4 too */
	bool scheduled;
	int mcast_fail;      /* fail this many sends with -EAGAIN */
	int process_more;    /* process() returns 1 this many times */
	unsigned completed;
	char log[LOG_MAX][16];
	size_t n_log;
};

struct bus_msg {
	ais_nodeid_t sender;
	size_t len;
	uint8_t data[256];
};

static struct node nodes[NODES];
static struct node *cur;
static struct bus_msg bus[BUS_MAX];
static size_t bus_head, bus_tail;
static bool member[NODES];

static void note(const char *what)
{
	ck_assert_uint_lt(cur->n_log, LOG_MAX);
	strcpy(cur->log[cur->n_log++], what);
}

static void a_init(const ais_nodeid_t *t, size_t nt, const ais_nodeid_t *m, size_t nm, const struct ais_ring_id *r)
{
	(void)t; (void)nt; (void)m; (void)nm; (void)r;
	note("A.init");
}
static int a_process(void)
{
	if (cur->process_more > 0) {
		cur->process_more--;
		note("A.more");
		return 1;
	}
	note("A.process");
	return 0;
}
static void a_activate(void) { note("A.activate"); }
static void a_abort(void) { note("A.abort"); }
static void b_init(const ais_nodeid_t *t, size_t nt, const ais_nodeid_t *m, size_t nm, const struct ais_ring_id *r)
{
	(void)t; (void)nt; (void)m; (void)nm; (void)r;
	note("B.init");
}
static int b_process(void) { note("B.process"); return 0; }
static void b_activate(void) { note("B.activate"); }
static void b_abort(void) { note("B.abort"); }

static const struct ais_sync_ops a_ops = { a_init, a_process, a_activate, a_abort };
static const struct ais_sync_ops b_ops = { b_init, b_process, b_activate, b_abort };
static const struct ais_service_engine engine_a = { .abi_version = AIS_SERVICE_ABI_VERSION, .name = "a", .id = 2, .sync = &a_ops };
static const struct ais_service_engine engine_b = { .abi_version = AIS_SERVICE_ABI_VERSION, .name = "b", .id = 4, .sync = &b_ops };
static const struct ais_service_engine engine_c = { .abi_version = AIS_SERVICE_ABI_VERSION, .name = "c", .id = 5 };

static int host_mcast(void *ctx, const void *msg, size_t len)
{
	struct node *n = ctx;

	if (n->mcast_fail > 0) {
		n->mcast_fail--;
		return -EAGAIN;
	}
	ck_assert_uint_lt(bus_tail, BUS_MAX);
	ck_assert_uint_le(len, sizeof(bus[0].data));
	bus[bus_tail].sender = n->id;
	bus[bus_tail].len = len;
	memcpy(bus[bus_tail].data, msg, len);
	bus_tail++;
	return 0;
}

static void host_schedule(void *ctx, uint32_t delay_ms)
{
	(void)delay_ms;
	((struct node *)ctx)->scheduled = true;
}

static const struct ais_service_engine *host_engine_get(void *ctx, uint16_t id)
{
	struct node *n = ctx;

	if (id == 2) {
		return &engine_a;
	}
	if (id == 4 && n->has_b) {
		return &engine_b;
	}
	if (id == 5) {
		return &engine_c;
	}
	return NULL;
}

static void host_completed(void *ctx, const struct ais_ring_id *r)
{
	(void)r;
	((struct node *)ctx)->completed++;
}

static const struct sync_host_ops host_ops = {
	host_mcast, host_schedule, host_engine_get, host_completed,
};

static void setup(void)
{
	memset(nodes, 0, sizeof(nodes));
	bus_head = bus_tail = 0;
	for (int i = 0; i < NODES; i++) {
		nodes[i].id = (ais_nodeid_t)(i + 1);
		nodes[i].has_b = i != 2; /* node 3 lacks service 4 */
		nodes[i].sync = sync_create(&host_ops, &nodes[i]);
		member[i] = false;
	}
}

static void teardown(void)
{
	for (int i = 0; i < NODES; i++) {
		sync_destroy(nodes[i].sync);
	}
}

/* Run scheduled steps and deliver the bus to every member until quiet. */
static void pump(void)
{
	for (int rounds = 0; rounds < 1000; rounds++) {
		bool busy = false;
		for (int i = 0; i < NODES; i++) {
			if (member[i] && nodes[i].scheduled) {
				nodes[i].scheduled = false;
				cur = &nodes[i];
				sync_run(nodes[i].sync);
				busy = true;
			}
		}
		if (bus_head < bus_tail) {
			struct bus_msg *m = &bus[bus_head++];
			for (int i = 0; i < NODES; i++) {
				if (member[i]) {
					cur = &nodes[i];
					sync_deliver(nodes[i].sync, m->data, m->len, m->sender);
				}
			}
			busy = true;
		}
		if (!busy) {
			return;
		}
	}
	ck_abort_msg("sync did not settle");
}

static void confchg(int n_members, uint64_t seq)
{
	ais_nodeid_t m[NODES];
	struct ais_ring_id rid = { .rep = 1, .seq = seq };

	for (int i = 0; i < NODES; i++) {
		member[i] = i < n_members;
		m[i] = (ais_nodeid_t)(i + 1);
	}
	for (int i = 0; i < n_members; i++) {
		cur = &nodes[i];
		sync_confchg(nodes[i].sync, AIS_CONFCHG_TRANSITIONAL, &m[i], 1, &rid);
		ck_assert(sync_in_progress(nodes[i].sync));
		sync_confchg(nodes[i].sync, AIS_CONFCHG_REGULAR, m, (size_t)n_members, &rid);
	}
}

static bool log_has_order(const struct node *n, const char *const *seq, size_t len)
{
	size_t j = 0;

	for (size_t i = 0; i < n->n_log && j < len; i++) {
		if (strcmp(n->log[i], seq[j]) == 0) {
			j++;
		}
	}
	return j == len;
}

START_TEST(test_full_run)
{
	static const char *const with_b[] = { "A.init", "B.init", "A.process", "A.activate",
					      "B.process", "B.activate" };
	static const char *const without_b[] = { "A.init", "A.process", "A.activate" };

	confchg(3, 10);
	pump();
	for (int i = 0; i < 3; i++) {
		ck_assert(!sync_in_progress(nodes[i].sync));
		ck_assert_uint_eq(nodes[i].completed, 1);
		ck_assert_int_eq(sync_state_get(nodes[i].sync), SYNC_STATE_IDLE);
	}
	ck_assert(log_has_order(&nodes[0], with_b, 6));
	ck_assert(log_has_order(&nodes[1], with_b, 6));
	ck_assert(log_has_order(&nodes[2], without_b, 3));
	ck_assert_uint_eq(nodes[2].n_log, 3); /* never touched service 4 */
	/* 3 lists + 3 barriers for A + 3 for B */
	ck_assert_uint_eq(bus_tail, 9);
}
END_TEST

START_TEST(test_no_activate_before_all_barriers)
{
	confchg(2, 20);
	nodes[1].process_more = 3;
	/* run until node 1 is done with A but node 2 still busy */
	for (int i = 0; i < 6; i++) {
		for (int k = 0; k < 2; k++) {
			if (nodes[k].scheduled) {
				nodes[k].scheduled = false;
				cur = &nodes[k];
				sync_run(nodes[k].sync);
			}
		}
		while (bus_head < bus_tail) {
			struct bus_msg *m = &bus[bus_head++];
			for (int k = 0; k < 2; k++) {
				cur = &nodes[k];
				sync_deliver(nodes[k].sync, m->data, m->len, m->sender);
			}
		}
		if (nodes[1].process_more > 0) {
			for (size_t l = 0; l < nodes[0].n_log; l++) {
				ck_assert_str_ne(nodes[0].log[l], "A.activate");
			}
		}
	}
	pump();
	ck_assert(!sync_in_progress(nodes[0].sync));
	ck_assert(!sync_in_progress(nodes[1].sync));
}
END_TEST

START_TEST(test_send_failures_retried)
{
	confchg(3, 30);
	nodes[0].mcast_fail = 2;
	nodes[2].mcast_fail = 5;
	pump();
	for (int i = 0; i < 3; i++) {
		ck_assert(!sync_in_progress(nodes[i].sync));
	}
}
END_TEST

START_TEST(test_abort_and_stale)
{
	struct sync_stats st;
	uint8_t stale[256];
	size_t stale_len = 0;

	confchg(3, 40);
	/* deliver the three service lists only: every node has run init */
	for (int r = 0; r < 3; r++) {
		for (int i = 0; i < 3; i++) {
			if (nodes[i].scheduled) {
				nodes[i].scheduled = false;
				cur = &nodes[i];
				sync_run(nodes[i].sync);
			}
		}
	}
	ck_assert_uint_eq(bus_tail, 3);
	while (bus_head < bus_tail) {
		struct bus_msg *m = &bus[bus_head++];
		for (int i = 0; i < 3; i++) {
			cur = &nodes[i];
			sync_deliver(nodes[i].sync, m->data, m->len, m->sender);
		}
	}
	ck_assert_int_eq(sync_state_get(nodes[0].sync), SYNC_STATE_PROCESS);
	/* node 1 sends its barrier for A in ring 40 */
	cur = &nodes[0];
	nodes[0].scheduled = false;
	sync_run(nodes[0].sync);
	ck_assert_uint_eq(bus_tail, 4);
	stale_len = bus[3].len;
	memcpy(stale, bus[3].data, stale_len);
	bus_head = bus_tail;

	/* a new configuration: both inited services abort on nodes 1 and 2 */
	confchg(3, 44);
	ck_assert_str_eq(nodes[0].log[nodes[0].n_log - 2], "A.abort");
	ck_assert_str_eq(nodes[0].log[nodes[0].n_log - 1], "B.abort");
	ck_assert_str_eq(nodes[2].log[nodes[2].n_log - 1], "A.abort");
	/* the old ring's barrier is stale now */
	for (int i = 0; i < 3; i++) {
		cur = &nodes[i];
		sync_deliver(nodes[i].sync, stale, stale_len, 1);
		sync_stats_get(nodes[i].sync, &st);
		ck_assert_uint_eq(st.msgs_stale, 1);
		ck_assert_uint_eq(st.runs_aborted, 1);
	}
	pump();
	for (int i = 0; i < 3; i++) {
		ck_assert(!sync_in_progress(nodes[i].sync));
		ck_assert_uint_eq(nodes[i].completed, 1);
	}
}
END_TEST

START_TEST(test_malformed_and_foreign)
{
	struct sync_stats st;
	uint8_t junk[64];

	confchg(2, 50);
	memset(junk, 0xff, sizeof(junk));
	cur = &nodes[0];
	sync_deliver(nodes[0].sync, junk, sizeof(junk), 2);
	sync_deliver(nodes[0].sync, junk, 3, 2);
	sync_deliver(nodes[0].sync, NULL, 0, 2);
	sync_stats_get(nodes[0].sync, &st);
	ck_assert_uint_eq(st.msgs_bad, 3);
	/* a list from a node outside the configuration does not count */
	nodes[0].scheduled = false;
	sync_run(nodes[0].sync);
	ck_assert_uint_eq(bus_tail, 1);
	sync_deliver(nodes[0].sync, bus[0].data, bus[0].len, 4);
	sync_stats_get(nodes[0].sync, &st);
	ck_assert_uint_eq(st.msgs_stale, 1);
	/* truncated copy of a real list */
	sync_deliver(nodes[0].sync, bus[0].data, bus[0].len - 4, 1);
	sync_stats_get(nodes[0].sync, &st);
	ck_assert_uint_eq(st.msgs_bad, 4);
	pump();
	ck_assert(!sync_in_progress(nodes[0].sync));
	ck_assert(!sync_in_progress(nodes[1].sync));
}
END_TEST

START_TEST(test_single_node)
{
	confchg(1, 60);
	pump();
	ck_assert(!sync_in_progress(nodes[0].sync));
	ck_assert_uint_eq(nodes[0].completed, 1);
}
END_TEST

static Suite *sync_suite(void)
{
	Suite *s = suite_create("sync");
	TCase *tc = tcase_create("machine");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_full_run);
	tcase_add_test(tc, test_no_activate_before_all_barriers);
	tcase_add_test(tc, test_send_failures_retried);
	tcase_add_test(tc, test_abort_and_stale);
	tcase_add_test(tc, test_malformed_and_foreign);
	tcase_add_test(tc, test_single_node);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sync_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
