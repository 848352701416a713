/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the AMF engine's state transfer and cluster messages
 * (services/amf/amf_wire.c): the replicated state of a model with
 * assignments and a running action list, serialized and installed into a
 * fresh parse of the same configuration, comes back identical (the dump
 * of every state and assignment, and a second serialization byte for
 * byte); truncated, extended or corrupted state and messages are refused.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amf_assign.h"
#include "amf_config.h"
#include "amf_recovery.h"
#include "amf_wire.h"

static char *example_text;
static size_t example_len;

static void load_example(void)
{
	FILE *f = fopen(AMF_EXAMPLE, "r");
	long n;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	ck_assert_int_gt(n, 0);
	rewind(f);
	example_text = malloc((size_t)n);
	ck_assert_ptr_nonnull(example_text);
	ck_assert_uint_eq(fread(example_text, 1, (size_t)n, f), (size_t)n);
	example_len = (size_t)n;
	fclose(f);
}

static struct amf_cluster *parse(const char *text, size_t len)
{
	struct amf_cluster *c = NULL;

	ck_assert_int_eq(amf_config_parse_mem(text, len, "amf.conf", NULL, NULL, NULL, NULL, &c), 0);
	return c;
}

/* Run lists to the end, every action done (QUIESCING confirmed at once). */
static void settle(struct amf_cluster *c, struct amf_action_list *l)
{
	for (int round = 0; round < 100; round++) {
		if (l->n == 0)
			ck_assert_int_eq(amf_assign_plan(c, 0, l), 0);
		if (l->n == 0)
			return;
		for (size_t i = 0; i < l->n; i++) {
			struct amf_action *a = &l->v[i];

			ck_assert_int_eq(amf_action_done(c, a), 0);
			if (a->kind == AMF_ACT_CSI_SET && a->ha_state == AMF_HA_QUIESCING && a->comp)
				ck_assert_int_eq(amf_assign_quiescing_done(c, a->comp, a->csi), 0);
		}
		amf_actions_clear(l);
	}
	ck_abort_msg("the model does not settle");
}

static char *dump(const struct amf_cluster *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(amf_assign_dump(c, f), 0);
	fclose(f);
	return buf;
}

/*
 * The example with every node a member and every SI assigned, then node n1
 * lost: the first step of the recovery list is started (ids from 40), the
 * rest pending; some probation counters and admin states are not initial.
 */
static struct amf_cluster *busy_model(struct amf_driver_state *d)
{
	struct amf_cluster *c = parse(example_text, example_len);
	struct amf_action_list l = { 0 };
	struct amf_node *n;
	uint32_t id = 1;
	unsigned step;
	size_t k = 0;

	for (n = c->nodes; n; n = n->next)
		ck_assert_int_eq(amf_node_clm_joined(c, n, id++, 1000, &l), 0);
	amf_actions_clear(&l);
	settle(c, &l);
	ck_assert_int_ne(amf_si_next(c, NULL)->assignment_state, AMF_ASSIGNMENT_UNASSIGNED);
	c->nodes->next->su_failover_count = 2;
	c->nodes->next->su_failover_prob_start_ms = 777;
	amf_su_next(c, NULL)->comp_restart_count = 1;
	amf_comp_next(c, NULL)->restart_count = 3;

	ck_assert_int_eq(amf_node_clm_left(c, c->nodes, 5000, &l), 0);
	ck_assert_uint_gt(l.n, 1);
	memset(d, 0, sizeof(*d));
	d->next_action_id = 40;
	d->now_ms = 5000;
	step = l.v[0].step;
	while (k < l.n && l.v[k].step == step) {
		ck_assert_ptr_nonnull(amf_driver_started_add(d, d->next_action_id++, &l.v[k]));
		k++;
	}
	for (; k < l.n; k++)
		ck_assert_int_eq(amf_actions_push(&d->pending, &l.v[k]), 0);
	amf_actions_free(&l);
	return c;
}

static void driver_free(struct amf_driver_state *d)
{
	amf_driver_state_clear(d);
	amf_actions_free(&d->pending);
	free(d->started);
	memset(d, 0, sizeof(*d));
}

START_TEST(test_round_trip)
{
	struct amf_driver_state d, d2;
	struct amf_cluster *a, *b;
	uint8_t *blob, *blob2;
	size_t len, len2;
	const char *text;
	size_t text_len;
	char *da, *db;

	load_example();
	a = busy_model(&d);
	ck_assert_int_eq(amf_state_encode(example_text, example_len, a, &d, &blob, &len), 0);
	ck_assert_int_eq(amf_state_config(blob, len, &text, &text_len), 0);
	ck_assert_uint_eq(text_len, example_len);
	ck_assert_int_eq(memcmp(text, example_text, text_len), 0);

	b = parse(text, text_len);
	memset(&d2, 0, sizeof(d2));
	ck_assert_int_eq(amf_state_install(blob, len, b, &d2), 0);
	da = dump(a);
	db = dump(b);
	ck_assert_str_eq(da, db);
	ck_assert_uint_eq(d2.next_action_id, 40 + d.n_started);
	ck_assert_uint_eq(d2.now_ms, 5000);
	ck_assert_uint_eq(d2.n_started, d.n_started);
	ck_assert_uint_eq(d2.pending.n, d.pending.n);
	for (size_t i = 0; i < d.n_started; i++) {
		char x[512], y[512];

		ck_assert_uint_eq(d2.started[i]->id, d.started[i]->id);
		amf_action_format(&d.started[i]->a, x, sizeof(x));
		amf_action_format(&d2.started[i]->a, y, sizeof(y));
		ck_assert_str_eq(x, y);
		/* the copy points into the new model */
		if (d2.started[i]->a.su)
			ck_assert_ptr_eq(amf_su_next(b, NULL)->sg->app->cluster, b);
	}
	for (size_t i = 0; i < d.pending.n; i++)
		ck_assert_uint_eq(d2.pending.v[i].step, d.pending.v[i].step);
	ck_assert_uint_eq(b->nodes->next->su_failover_count, 2);
	ck_assert_uint_eq(b->nodes->next->su_failover_prob_start_ms, 777);
	ck_assert(!b->nodes->clm_member);
	ck_assert(b->nodes->next->clm_member);
	ck_assert_uint_eq(b->nodes->next->clm_nodeid, 2);

	/* list orders included: a second serialization is the same bytes */
	ck_assert_int_eq(amf_state_encode(text, text_len, b, &d2, &blob2, &len2), 0);
	ck_assert_uint_eq(len2, len);
	ck_assert_int_eq(memcmp(blob, blob2, len), 0);

	/* and both models plan the same next actions */
	{
		struct amf_action_list la = { 0 }, lb = { 0 };

		ck_assert_int_eq(amf_assign_plan(a, 0, &la), 0);
		ck_assert_int_eq(amf_assign_plan(b, 0, &lb), 0);
		ck_assert_uint_eq(la.n, lb.n);
		for (size_t i = 0; i < la.n; i++) {
			char x[512], y[512];

			amf_action_format(&la.v[i], x, sizeof(x));
			amf_action_format(&lb.v[i], y, sizeof(y));
			ck_assert_str_eq(x, y);
		}
		amf_actions_free(&la);
		amf_actions_free(&lb);
	}
	free(da);
	free(db);
	free(blob);
	free(blob2);
	driver_free(&d);
	driver_free(&d2);
	amf_cluster_free(a);
	amf_cluster_free(b);
	free(example_text);
}
END_TEST

/* Install blob (len bytes) into a fresh parse of the example. */
static int try_install(const uint8_t *blob, size_t len)
{
	struct amf_cluster *c = parse(example_text, example_len);
	struct amf_driver_state d;
	int r;

	memset(&d, 0, sizeof(d));
	r = amf_state_install(blob, len, c, &d);
	if (r < 0) {
		ck_assert_uint_eq(d.n_started, 0);
		ck_assert_uint_eq(d.pending.n, 0);
	}
	driver_free(&d);
	amf_cluster_free(c);
	return r;
}

START_TEST(test_state_rejects)
{
	struct amf_driver_state d;
	struct amf_cluster *a;
	uint8_t *blob, *bad;
	size_t len, cfg_end;

	load_example();
	a = busy_model(&d);
	ck_assert_int_eq(amf_state_encode(example_text, example_len, a, &d, &blob, &len), 0);
	ck_assert_int_eq(try_install(blob, len), 0);
	cfg_end = 12 + example_len;

	/* every cut of the runtime part, and a sample of the rest */
	for (size_t n = 0; n < len; n += n < 16 || n >= cfg_end ? 1 : 97)
		ck_assert_int_eq(try_install(blob, n), -EINVAL);

	bad = malloc(len + 1);
	ck_assert_ptr_nonnull(bad);
	/* a trailing byte */
	memcpy(bad, blob, len);
	bad[len] = 0;
	ck_assert_int_eq(try_install(bad, len + 1), -EINVAL);
	/* magic, version, configuration length */
	for (size_t i = 0; i < 12; i++) {
		memcpy(bad, blob, len);
		bad[i] ^= 0x40;
		ck_assert_int_eq(try_install(bad, len), -EINVAL);
	}
	/* the startup flag is 0 or 1 (after the clock and the action counter) */
	memcpy(bad, blob, len);
	bad[cfg_end + 16] = 2;
	ck_assert_int_eq(try_install(bad, len), -EINVAL);
	/* a name that resolves to nothing: the first node's dn */
	memcpy(bad, blob, len);
	ck_assert_uint_eq(bad[cfg_end + 24 + 4 + 2], 's'); /* "safAmfNode=..." */
	bad[cfg_end + 24 + 4 + 2] = 'x';
	ck_assert_int_eq(try_install(bad, len), -EINVAL);
	/* a state value out of range: that node's admin state */
	memcpy(bad, blob, len);
	{
		size_t dn_len = (size_t)bad[cfg_end + 28] | (size_t)bad[cfg_end + 29] << 8;
		size_t at = cfg_end + 30 + dn_len;

		ck_assert_uint_eq(bad[at], 1);
		bad[at] = 9;
		ck_assert_int_eq(try_install(bad, len), -EINVAL);
	}
	/* a node count that does not match the configuration */
	memcpy(bad, blob, len);
	bad[cfg_end + 24] ^= 1;
	ck_assert_int_eq(try_install(bad, len), -EINVAL);

	/* the same state against another configuration */
	{
		const char *other = "safAmfCluster = x {\n\tsafAmfNode = n1 {\n\t\tsaAmfNodeClmNode = n1\n\t}\n}\n";
		struct amf_cluster *c = parse(other, strlen(other));
		struct amf_driver_state d2;

		memset(&d2, 0, sizeof(d2));
		ck_assert_int_eq(amf_state_install(blob, len, c, &d2), -EINVAL);
		driver_free(&d2);
		amf_cluster_free(c);
	}
	free(bad);
	free(blob);
	driver_free(&d);
	amf_cluster_free(a);
	free(example_text);
}
END_TEST

/* Every message: decodes what it encoded; refuses every cut, a longer
 * frame, another id, a wrong size field and values out of range. */
static void check_cuts(const uint8_t *buf, size_t len, int (*dec)(const void *, size_t, void *), void *out)
{
	uint8_t *copy = malloc(len + 8);

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, buf, len);
	ck_assert_int_eq(dec(copy, len, out), 0);
	for (size_t n = 0; n < len; n++)
		ck_assert_int_eq(dec(copy, n, out), -EINVAL);
	memset(copy + len, 0, 8);
	ck_assert_int_eq(dec(copy, len + 8, out), -EINVAL);
	copy[0] ^= 1; /* id */
	ck_assert_int_eq(dec(copy, len, out), -EINVAL);
	copy[0] ^= 1;
	copy[4] ^= 1; /* size */
	ck_assert_int_eq(dec(copy, len, out), -EINVAL);
	free(copy);
}

static int dec_error(const void *m, size_t l, void *o) { return amf_wire_error_decode(m, l, o); }
static int dec_result(const void *m, size_t l, void *o) { return amf_wire_result_decode(m, l, o); }
static int dec_quiesced(const void *m, size_t l, void *o) { return amf_wire_quiesced_decode(m, l, o); }
static int dec_admin(const void *m, size_t l, void *o) { return amf_wire_admin_decode(m, l, o); }
static int dec_summary(const void *m, size_t l, void *o) { return amf_wire_summary_decode(m, l, o); }
static int dec_state(const void *m, size_t l, void *o) { return amf_wire_state_decode(m, l, o); }

START_TEST(test_messages)
{
	static uint8_t buf[AMF_WIRE_STATE_MAX_SIZE]; /* room for every message */
	size_t n;

	{
		struct amf_wire_error m = { .ts = 123, .recommended = AMF_REC_COMPONENT_FAILOVER, .source = 2 }, o;

		ck_assert_int_eq(amf_wire_name_set(&m.comp, "safComp=a,safSu=b,safSg=c,safApp=d"), 0);
		n = amf_wire_error_encode(buf, &m);
		ck_assert_uint_eq(n, AMF_WIRE_ERROR_SIZE);
		check_cuts(buf, n, dec_error, &o);
		ck_assert_uint_eq(o.ts, 123);
		ck_assert_str_eq(o.comp.value, "safComp=a,safSu=b,safSg=c,safApp=d");
		m.recommended = 99;
		amf_wire_error_encode(buf, &m);
		ck_assert_int_eq(amf_wire_error_decode(buf, n, &o), -EINVAL);
		m.recommended = AMF_REC_COMPONENT_RESTART;
		amf_wire_error_encode(buf, &m);
		buf[AMF_WIRE_HDR_SIZE + 16] = 0x01; /* name length 257 */
		buf[AMF_WIRE_HDR_SIZE + 17] = 0x01;
		ck_assert_int_eq(amf_wire_error_decode(buf, n, &o), -EINVAL);
		amf_wire_error_encode(buf, &m);
		buf[AMF_WIRE_HDR_SIZE + 20 + 3] = 0; /* a NUL inside the name */
		ck_assert_int_eq(amf_wire_error_decode(buf, n, &o), -EINVAL);
		ck_assert_int_eq(amf_wire_name_set(&m.comp, "safComp=a,safSu=b,safSg=c,safApp=d"
						   "0123456789012345678901234567890123456789012345678901234567890123"
						   "0123456789012345678901234567890123456789012345678901234567890123"
						   "0123456789012345678901234567890123456789012345678901234567890123"
						   "0123456789012345678901234567890123456789012345678901234567890123"),
				 -ENAMETOOLONG);
	}
	{
		struct amf_wire_result m = { 5, 77 }, o;

		n = amf_wire_result_encode(buf, AMF_EXEC_DONE, &m);
		check_cuts(buf, n, dec_result, &o);
		ck_assert_uint_eq(o.action_id, 77);
		n = amf_wire_result_encode(buf, AMF_EXEC_FAILED, &m);
		ck_assert_int_eq(amf_wire_result_decode(buf, n, &o), 0);
		n = amf_wire_result_encode(buf, AMF_EXEC_ADMIN, &m);
		ck_assert_int_eq(amf_wire_result_decode(buf, n, &o), -EINVAL);
	}
	{
		struct amf_wire_quiesced m = { .ts = 9 }, o;
		uint8_t big[AMF_WIRE_QUIESCED_SIZE];

		amf_wire_name_set(&m.comp, "safComp=a,safSu=b,safSg=c,safApp=d");
		amf_wire_name_set(&m.csi, "safCsi=x,safSi=y,safApp=d");
		n = amf_wire_quiesced_encode(big, &m);
		check_cuts(big, n, dec_quiesced, &o);
		ck_assert_str_eq(o.csi.value, "safCsi=x,safSi=y,safApp=d");
	}
	{
		struct amf_wire_admin m = { .ts = 1, .op = 2, .conn_id = 0x1122334455667788ull }, o;

		amf_wire_name_set(&m.dn, "safSu=b,safSg=c,safApp=d");
		n = amf_wire_admin_encode(buf, &m);
		check_cuts(buf, n, dec_admin, &o);
		ck_assert_uint_eq(o.conn_id, 0x1122334455667788ull);
		m.op = 8;
		amf_wire_admin_encode(buf, &m);
		ck_assert_int_eq(amf_wire_admin_decode(buf, n, &o), -EINVAL);
		m.op = 0;
		amf_wire_admin_encode(buf, &m);
		ck_assert_int_eq(amf_wire_admin_decode(buf, n, &o), -EINVAL);
	}
	{
		struct amf_wire_summary m = { { 3, 400 }, true, true, 2, 1 }, o;

		n = amf_wire_summary_encode(buf, &m);
		check_cuts(buf, n, dec_summary, &o);
		ck_assert(o.enabled && o.have_state);
		ck_assert_uint_eq(o.ring.seq, 400);
		m.enabled = false; /* state without the engine */
		amf_wire_summary_encode(buf, &m);
		ck_assert_int_eq(amf_wire_summary_decode(buf, n, &o), -EINVAL);
	}
	{
		uint8_t bytes[64];
		struct amf_wire_state m = { { 3, 400 }, 2, true, 1000, 64, 64, bytes }, o;

		memset(bytes, 0xab, sizeof(bytes));
		n = amf_wire_state_encode(buf, &m);
		ck_assert_uint_eq(n, AMF_WIRE_STATE_HDR_SIZE + 64);
		check_cuts(buf, n, dec_state, &o);
		/* o.bytes points into the frame decoded last (a copy check_cuts freed) */
		ck_assert_int_eq(amf_wire_state_decode(buf, n, &o), 0);
		ck_assert_uint_eq(o.chunk, 64);
		ck_assert_int_eq(memcmp(o.bytes, bytes, 64), 0);
		m.offset = 990; /* past the total */
		amf_wire_state_encode(buf, &m);
		ck_assert_int_eq(amf_wire_state_decode(buf, n, &o), -EINVAL);
		m.offset = 0;
		m.total = AMF_STATE_MAX + 1;
		amf_wire_state_encode(buf, &m);
		ck_assert_int_eq(amf_wire_state_decode(buf, n, &o), -EINVAL);
	}
}
END_TEST

static Suite *amf_sync_suite(void)
{
	Suite *s = suite_create("amf_sync");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_state_rejects);
	tcase_add_test(tc, test_messages);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(amf_sync_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
