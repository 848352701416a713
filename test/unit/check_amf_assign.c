/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the AMF assignment and recovery logic (amf_assign.h,
 * amf_recovery.h) over models read from small amf.conf texts with three
 * nodes: initial assignment, node loss and return, SU lock/unlock and
 * shutdown, SI switchover order, escalation with probation windows, every
 * redundancy model, capability limits, lock-instantiation, failed actions,
 * administrative errors, and a randomized property test (valid after every
 * step, every SI assigned when the in-service SUs allow it, the same
 * inputs give the same actions).
 *
 * A small driver plays the engine: it runs each action list in order,
 * reports every action done (QUIESCING components confirm right after),
 * then plans again until the plan is empty.
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

/* ---- building models ---- */

struct spec {
	const char *model;
	int nsu, nsi;
	unsigned n_act, n_stb;          /* saAmfSGNumPrefActiveSUs / StandbySUs; 0: not written */
	unsigned max_act_su, max_stb_su; /* 0: not written */
	const char *cap;                /* NULL: x_active_and_y_standby */
	unsigned max_act_csi, max_stb_csi; /* 0: 100 */
	unsigned si_pref_act, si_pref_stb; /* 0: not written */
	int csis;                       /* CSIs per SI: 1 (work) or 2 (work, aux) */
	int comps;                      /* components per SU: 1 (a: work, aux) or 2 (a: work, b: aux) */
	unsigned comp_max, comp_prob, su_max, su_prob, node_max, node_prob; /* 0: default */
	const char *recovery;           /* saAmfCompRecoveryOnError, NULL: default */
	int su_failover;                /* -1 or 0: not written / false */
	bool no_auto_repair;            /* write saAmfSGAutoRepair = false */
	bool csi_dep;                   /* CSI w depends on CSI x (csis == 2) */
	unsigned si_rank[4];
	unsigned su_rank[4];
};

static bool cap_has_standby(const char *cap)
{
	return strcmp(cap, "x_active") != 0 && strcmp(cap, "1_active") != 0;
}

static bool cap_has_x(const char *cap)
{
	return strncmp(cap, "x_active", 8) == 0;
}

static void write_comp(FILE *f, const struct spec *s, const char *name, const char *types)
{
	const char *cap = s->cap ? s->cap : "x_active_and_y_standby";

	fprintf(f, "\t\t\t\tsafComp = %s {\n\t\t\t\t\tsaAmfCompCategory = sa_aware\n", name);
	fprintf(f, "\t\t\t\t\tsaAmfCompCapability = %s\n", cap);
	if (cap_has_x(cap))
		fprintf(f, "\t\t\t\t\tsaAmfCompNumMaxActiveCsi = %u\n", s->max_act_csi ? s->max_act_csi : 100);
	if (cap_has_standby(cap) && strcmp(cap, "one_active_or_one_standby") != 0)
		fprintf(f, "\t\t\t\t\tsaAmfCompNumMaxStandbyCsi = %u\n", s->max_stb_csi ? s->max_stb_csi : 100);
	fprintf(f, "\t\t\t\t\tsaAmfCompInstantiateCmd = run\n\t\t\t\t\tsaAmfCompCleanupCmd = run\n");
	if (s->recovery)
		fprintf(f, "\t\t\t\t\tsaAmfCompRecoveryOnError = %s\n", s->recovery);
	fprintf(f, "\t\t\t\t\tsaAmfCompCsTypes {\n%s\t\t\t\t\t}\n\t\t\t\t}\n", types);
}

static struct amf_cluster *build(const struct spec *s)
{
	char *text = NULL, err[4096] = "";
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct amf_cluster *c = NULL;
	unsigned e = 0, w = 0;
	int i, r;

	ck_assert_ptr_nonnull(f);
	fprintf(f, "safAmfCluster = test {\n");
	for (i = 1; i <= 3; i++) {
		fprintf(f, "\tsafAmfNode = n%d {\n\t\tsaAmfNodeClmNode = n%d\n", i, i);
		if (s->node_max)
			fprintf(f, "\t\tsaAmfNodeSuFailoverMax = %u\n", s->node_max);
		if (s->node_prob)
			fprintf(f, "\t\tsaAmfNodeSuFailOverProb = %u\n", s->node_prob);
		fprintf(f, "\t}\n");
	}
	fprintf(f, "\tsafApp = app {\n\t\tsafSg = sg {\n\t\t\tsaAmfSGRedundancyModel = %s\n", s->model);
	if (s->n_act)
		fprintf(f, "\t\t\tsaAmfSGNumPrefActiveSUs = %u\n", s->n_act);
	if (s->n_stb)
		fprintf(f, "\t\t\tsaAmfSGNumPrefStandbySUs = %u\n", s->n_stb);
	if (s->max_act_su)
		fprintf(f, "\t\t\tsaAmfSGMaxActiveSIsperSUs = %u\n", s->max_act_su);
	if (s->max_stb_su)
		fprintf(f, "\t\t\tsaAmfSGMaxStandbySIsperSUs = %u\n", s->max_stb_su);
	if (s->comp_max)
		fprintf(f, "\t\t\tsaAmfSGCompRestartMax = %u\n", s->comp_max);
	if (s->comp_prob)
		fprintf(f, "\t\t\tsaAmfSGCompRestartProb = %u\n", s->comp_prob);
	if (s->su_max)
		fprintf(f, "\t\t\tsaAmfSGSuRestartMax = %u\n", s->su_max);
	if (s->no_auto_repair)
		fprintf(f, "\t\t\tsaAmfSGAutoRepair = false\n");
	if (s->su_prob)
		fprintf(f, "\t\t\tsaAmfSGSuRestartProb = %u\n", s->su_prob);
	for (i = 1; i <= s->nsu; i++) {
		fprintf(f, "\t\t\tsafSu = su%d {\n\t\t\t\tsaAmfSUHostedByNode = n%d\n", i, (i - 1) % 3 + 1);
		if (s->su_failover == 0)
			fprintf(f, "\t\t\t\tsaAmfSUFailover = false\n");
		if (s->su_rank[i - 1])
			fprintf(f, "\t\t\t\tsaAmfSURank = %u\n", s->su_rank[i - 1]);
		if (s->comps == 2) {
			write_comp(f, s, "a", "\t\t\t\t\t\twork\n");
			write_comp(f, s, "b", "\t\t\t\t\t\taux\n");
		} else {
			write_comp(f, s, "a", "\t\t\t\t\t\twork\n\t\t\t\t\t\taux\n");
		}
		fprintf(f, "\t\t\t}\n");
	}
	fprintf(f, "\t\t}\n");
	for (i = 1; i <= s->nsi; i++) {
		fprintf(f, "\t\tsafSi = si%d {\n", i);
		if (s->si_rank[i - 1])
			fprintf(f, "\t\t\tsaAmfSIRank = %u\n", s->si_rank[i - 1]);
		if (s->si_pref_act)
			fprintf(f, "\t\t\tsaAmfSIPrefActiveAssignments = %u\n", s->si_pref_act);
		if (s->si_pref_stb)
			fprintf(f, "\t\t\tsaAmfSIPrefStandbyAssignments = %u\n", s->si_pref_stb);
		fprintf(f, "\t\t\tsafCsi = w {\n\t\t\t\tsaAmfCSTypeName = work\n");
		if (s->csi_dep)
			fprintf(f, "\t\t\t\tsaAmfCsiDependencies {\n\t\t\t\t\tsaAmfCSIDependency = x\n\t\t\t\t}\n");
		fprintf(f, "\t\t\t}\n");
		if (s->csis == 2)
			fprintf(f, "\t\t\tsafCsi = x {\n\t\t\t\tsaAmfCSTypeName = aux\n\t\t\t}\n");
		fprintf(f, "\t\t}\n");
	}
	fprintf(f, "\t\tsafCSType = work {\n\t\t}\n\t\tsafCSType = aux {\n\t\t}\n\t}\n}\n");
	ck_assert_int_eq(fclose(f), 0);
	r = amf_config_parse_mem(text, len, "test.conf", NULL, NULL, &e, &w, &c);
	if (r != 0)
		snprintf(err, sizeof(err), "%s", text);
	ck_assert_msg(r == 0, "config rejected (%d, %u errors):\n%s", r, e, err);
	free(text);
	return c;
}

/* ---- the driver (plays the engine) ---- */

struct world {
	struct amf_cluster *c;
	struct amf_action_list l;
	char *log;     /* every action done, one line each */
	size_t loglen;
	FILE *logf;
	uint64_t now;
	unsigned fail_every; /* fail one action out of this many (0: never) */
	unsigned long rnd;
};

static void w_init(struct world *w, struct amf_cluster *c)
{
	memset(w, 0, sizeof(*w));
	w->c = c;
	w->logf = open_memstream(&w->log, &w->loglen);
	ck_assert_ptr_nonnull(w->logf);
}

static void w_free(struct world *w)
{
	fclose(w->logf);
	free(w->log);
	amf_actions_free(&w->l);
	amf_cluster_free(w->c);
}

static const char *w_log(struct world *w)
{
	fflush(w->logf);
	return w->log ? w->log : "";
}

static void w_log_reset(struct world *w)
{
	fclose(w->logf);
	free(w->log);
	w->log = NULL;
	w->loglen = 0;
	w->logf = open_memstream(&w->log, &w->loglen);
	ck_assert_ptr_nonnull(w->logf);
}

static unsigned w_rand(struct world *w)
{
	w->rnd = w->rnd * 6364136223846793005UL + 1442695040888963407UL;
	return (unsigned)(w->rnd >> 33);
}

static void validate(struct world *w)
{
	char why[512];

	ck_assert_msg(amf_assign_validate(w->c, why, sizeof(why)) == 0, "invalid: %s\nlog:\n%s", why, w_log(w));
}

/* Run the current list to its end (a failure replaces the rest with the recovery's list). */
static void run_list(struct world *w)
{
	struct amf_action_list next = { 0 };
	size_t i;

	while (w->l.n) {
		bool failed = false;

		for (i = 0; i < w->l.n; i++) {
			const struct amf_action *a = &w->l.v[i];
			char line[512];

			amf_action_format(a, line, sizeof(line));
			if (w->fail_every && a->kind != AMF_ACT_NODE_REBOOT && a->kind != AMF_ACT_CLUSTER_RESET &&
			    w_rand(w) % w->fail_every == 0) {
				fprintf(w->logf, "FAILED %s\n", line);
				ck_assert_int_eq(amf_action_failed(w->c, a, w->now, &next), 0);
				failed = true;
				break;
			}
			fprintf(w->logf, "%s\n", line);
			ck_assert_int_eq(amf_action_done(w->c, a), 0);
			if (a->kind == AMF_ACT_CSI_SET && a->ha_state == AMF_HA_QUIESCING && a->comp)
				ck_assert_int_eq(amf_assign_quiescing_done(w->c, a->comp, a->csi), 0);
		}
		if (!failed) {
			amf_actions_clear(&w->l);
			break;
		}
		amf_actions_free(&w->l);
		w->l = next;
		memset(&next, 0, sizeof(next));
	}
	amf_actions_free(&next);
}

/* Run lists and plan again until the plan is empty. */
static void settle(struct world *w)
{
	int rounds;

	for (rounds = 0; rounds < 40; rounds++) {
		run_list(w);
		ck_assert_int_eq(amf_assign_plan(w->c, 0, &w->l), 0);
		if (w->l.n == 0) {
			validate(w);
			return;
		}
	}
	ck_abort_msg("the plan does not settle:\n%s", w_log(w));
}

static void join_all(struct world *w)
{
	struct amf_node *n;
	uint32_t id = 1;

	for (n = w->c->nodes; n; n = n->next)
		ck_assert_int_eq(amf_node_clm_joined(w->c, n, id++, w->now, &w->l), 0);
	settle(w);
}

static struct world *start(const struct spec *s)
{
	struct world *w = calloc(1, sizeof(*w));

	ck_assert_ptr_nonnull(w);
	w_init(w, build(s));
	join_all(w);
	return w;
}

static void finish(struct world *w)
{
	w_free(w);
	free(w);
}

static struct amf_su *su(struct world *w, const char *name)
{
	struct amf_su *u = amf_su_by_name(w->c->apps->sgs, name);

	ck_assert_ptr_nonnull(u);
	return u;
}

static struct amf_si *si(struct world *w, const char *name)
{
	struct amf_si *s = amf_si_by_name(w->c->apps, name);

	ck_assert_ptr_nonnull(s);
	return s;
}

static struct amf_node *node(struct world *w, const char *name)
{
	struct amf_node *n = amf_node_by_name(w->c, name);

	ck_assert_ptr_nonnull(n);
	return n;
}

/* HA state of SI s on SU u, 0 when not assigned. */
static int ha(struct world *w, const char *s, const char *u)
{
	const struct amf_si_assignment *a;

	for (a = si(w, s)->assignments; a; a = a->si_next)
		if (strcmp(a->su->name, u) == 0)
			return (int)a->ha_state;
	return 0;
}

static unsigned count_state(struct world *w, const char *s, enum amf_ha_state h)
{
	const struct amf_si_assignment *a;
	unsigned n = 0;

	for (a = si(w, s)->assignments; a; a = a->si_next)
		n += a->ha_state == h;
	return n;
}

/* Position of the first log line containing every one of the given words (NULL-terminated); -1 if none. */
static long find_line(struct world *w, const char *w1, const char *w2, const char *w3)
{
	const char *log = w_log(w), *p = log;
	long line = 0;

	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		char buf[512];

		snprintf(buf, sizeof(buf), "%.*s", (int)n, p);
		if (strstr(buf, w1) && (!w2 || strstr(buf, w2)) && (!w3 || strstr(buf, w3)))
			return line;
		line++;
		p += n + (e ? 1 : 0);
	}
	return -1;
}

#define ORDERED(w, a, b)                                                                                  \
	do {                                                                                              \
		long x_ = (a), y_ = (b);                                                                  \
		ck_assert_msg(x_ >= 0 && y_ >= 0 && x_ < y_, "order %ld < %ld expected:\n%s", x_, y_, w_log(w)); \
	} while (0)

/* ---- 2N ---- */

static const struct spec spec_2n = { .model = "2n", .nsu = 3, .nsi = 2, .csis = 1, .comps = 1, .su_failover = -1 };

START_TEST(test_2n_initial)
{
	struct world *w = start(&spec_2n);

	ck_assert_int_eq(ha(w, "si1", "su1"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si2", "su1"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si1", "su2"), AMF_HA_STANDBY);
	ck_assert_int_eq(ha(w, "si2", "su2"), AMF_HA_STANDBY);
	ck_assert_int_eq(ha(w, "si1", "su3"), 0);
	ck_assert_ptr_null(su(w, "su3")->assignments);
	ck_assert_int_eq(si(w, "si1")->assignment_state, AMF_ASSIGNMENT_FULLY_ASSIGNED);
	ck_assert_int_eq(su(w, "su1")->readiness_state, AMF_READINESS_IN_SERVICE);
	ck_assert_int_eq(su(w, "su1")->comps->readiness_state, AMF_READINESS_IN_SERVICE);
	ck_assert_int_eq(su(w, "su1")->presence_state, AMF_PRESENCE_INSTANTIATED);
	/* instantiate first, then actives (new), then standbys */
	ORDERED(w, find_line(w, "instantiate", "su=sg/su3", NULL), find_line(w, "ACTIVE(new)", "si=si1", "su=sg/su1"));
	ORDERED(w, find_line(w, "ACTIVE(new)", "si=si2", "su=sg/su1"), find_line(w, "STANDBY", "si=si1", "su=sg/su2"));
	finish(w);
}
END_TEST

START_TEST(test_2n_node_loss_and_return)
{
	struct world *w = start(&spec_2n);

	w_log_reset(w);
	ck_assert_int_eq(amf_node_clm_left(w->c, node(w, "n1"), 1000, &w->l), 0);
	/* the plan is there before anything ran: promotion at step 1, new standby at step 3 */
	ck_assert_uint_gt(w->l.n, 0);
	settle(w);
	ck_assert_int_eq(ha(w, "si1", "su2"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si2", "su2"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si1", "su3"), AMF_HA_STANDBY);
	ck_assert_int_eq(ha(w, "si2", "su3"), AMF_HA_STANDBY);
	ck_assert_ptr_null(su(w, "su1")->assignments);
	ck_assert_int_eq(su(w, "su1")->readiness_state, AMF_READINESS_OUT_OF_SERVICE);
	ck_assert_int_ge(find_line(w, "step 1 csi-set ACTIVE(not-quiesced)", "si=si1", "su=sg/su2"), 0);
	ORDERED(w, find_line(w, "ACTIVE(not-quiesced)", "si=si2", "su=sg/su2"), find_line(w, "step 3 csi-set STANDBY", "su=sg/su3", NULL));
	/* nothing is sent to the node that left */
	ck_assert_msg(find_line(w, "su=sg/su1", NULL, NULL) < 0, "%s", w_log(w));

	/* the node returns: its SU is instantiated and stays spare; nothing moves */
	w_log_reset(w);
	ck_assert_int_eq(amf_node_clm_joined(w->c, node(w, "n1"), 7, 2000, &w->l), 0);
	settle(w);
	ck_assert_int_ge(find_line(w, "instantiate", "su=sg/su1", NULL), 0);
	ck_assert_int_lt(find_line(w, "csi-", NULL, NULL), 0);
	ck_assert_int_eq(su(w, "su1")->readiness_state, AMF_READINESS_IN_SERVICE);
	ck_assert_int_eq(ha(w, "si1", "su2"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si1", "su3"), AMF_HA_STANDBY);

	/* losing the standby's node: a new standby on the returned SU, the active stays */
	w_log_reset(w);
	ck_assert_int_eq(amf_node_clm_left(w->c, node(w, "n3"), 3000, &w->l), 0);
	settle(w);
	ck_assert_int_eq(ha(w, "si1", "su2"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si1", "su1"), AMF_HA_STANDBY);
	ck_assert_int_lt(find_line(w, "ACTIVE", NULL, NULL), 0);
	finish(w);
}
END_TEST

START_TEST(test_2n_lock_unlock)
{
	struct world *w = start(&spec_2n);

	w_log_reset(w);
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_LOCK, AMF_KIND_SU, su(w, "su1"), 0, &w->l), 0);
	settle(w);
	/* QUIESCED on the old active, then the standby ACTIVE(quiesced), then removal, then a new standby */
	ORDERED(w, find_line(w, "csi-set QUIESCED", "si=si1", "su=sg/su1"),
		find_line(w, "ACTIVE(quiesced)", "si=si1", "su=sg/su2"));
	ORDERED(w, find_line(w, "ACTIVE(quiesced)", "si=si1", "su=sg/su2"), find_line(w, "csi-remove", "si=si1", "su=sg/su1"));
	ORDERED(w, find_line(w, "ACTIVE(quiesced)", "si=si2", "su=sg/su2"), find_line(w, "STANDBY", "si=si1", "su=sg/su3"));
	ck_assert_ptr_null(su(w, "su1")->assignments);
	ck_assert_int_eq(su(w, "su1")->admin_state, AMF_ADMIN_LOCKED);
	ck_assert_int_eq(su(w, "su1")->readiness_state, AMF_READINESS_OUT_OF_SERVICE);
	ck_assert_int_eq(ha(w, "si2", "su2"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si2", "su3"), AMF_HA_STANDBY);

	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_LOCK, AMF_KIND_SU, su(w, "su1"), 0, &w->l), -EALREADY);
	w_log_reset(w);
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_UNLOCK, AMF_KIND_SU, su(w, "su1"), 0, &w->l), 0);
	settle(w);
	ck_assert_ptr_null(su(w, "su1")->assignments); /* no needless moves */
	ck_assert_int_lt(find_line(w, "csi-", NULL, NULL), 0);
	ck_assert_int_eq(su(w, "su1")->readiness_state, AMF_READINESS_IN_SERVICE);
	finish(w);
}
END_TEST

START_TEST(test_2n_switchover)
{
	struct world *w = start(&spec_2n);
	long q1, q2, a1, a2, s1;

	w_log_reset(w);
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_SI_SWAP, AMF_KIND_SI, si(w, "si1"), 0, &w->l), 0);
	run_list(w);
	/* a second swap while this one runs is refused for now */
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_SI_SWAP, AMF_KIND_SI, si(w, "si1"), 0, &w->l), -EBUSY);
	settle(w);
	q1 = find_line(w, "csi-set QUIESCED", "si=si1", "su=sg/su1");
	q2 = find_line(w, "csi-set QUIESCED", "si=si2", "su=sg/su1");
	a1 = find_line(w, "ACTIVE(quiesced)", "si=si1", "su=sg/su2");
	a2 = find_line(w, "ACTIVE(quiesced)", "si=si2", "su=sg/su2");
	s1 = find_line(w, "csi-set STANDBY", "si=si1", "su=sg/su1");
	ORDERED(w, q1, a1);
	ORDERED(w, q2, a1);
	ORDERED(w, a1, s1);
	ORDERED(w, a2, s1);
	/* the whole SU swapped: su2 active, su1 standby, su3 untouched */
	ck_assert_int_eq(ha(w, "si1", "su2"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si2", "su2"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si1", "su1"), AMF_HA_STANDBY);
	ck_assert_int_eq(ha(w, "si2", "su1"), AMF_HA_STANDBY);
	ck_assert_ptr_null(su(w, "su3")->assignments);
	ck_assert_int_lt(find_line(w, "csi-remove", NULL, NULL), 0);
	finish(w);
}
END_TEST

START_TEST(test_2n_shutdown)
{
	struct world *w = start(&spec_2n);

	w_log_reset(w);
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_SHUTDOWN, AMF_KIND_SU, su(w, "su1"), 0, &w->l), 0);
	ck_assert_int_eq(su(w, "su1")->admin_state, AMF_ADMIN_SHUTTING_DOWN);
	ck_assert_int_eq(su(w, "su1")->readiness_state, AMF_READINESS_STOPPING);
	settle(w);
	ORDERED(w, find_line(w, "csi-set QUIESCING", "si=si1", "su=sg/su1"),
		find_line(w, "ACTIVE(quiesced)", "si=si1", "su=sg/su2"));
	ORDERED(w, find_line(w, "ACTIVE(quiesced)", "si=si1", "su=sg/su2"), find_line(w, "csi-remove", "si=si1", "su=sg/su1"));
	ck_assert_int_eq(su(w, "su1")->admin_state, AMF_ADMIN_LOCKED);
	ck_assert_int_eq(ha(w, "si1", "su2"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si1", "su3"), AMF_HA_STANDBY);

	/* shutdown of an SI: drained and LOCKED, others untouched */
	w_log_reset(w);
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_SHUTDOWN, AMF_KIND_SI, si(w, "si2"), 0, &w->l), 0);
	settle(w);
	ck_assert_int_eq(si(w, "si2")->admin_state, AMF_ADMIN_LOCKED);
	ck_assert_ptr_null(si(w, "si2")->assignments);
	ck_assert_int_eq(ha(w, "si1", "su2"), AMF_HA_ACTIVE);
	ck_assert_int_ge(find_line(w, "QUIESCING", "si=si2", NULL), 0);
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_UNLOCK, AMF_KIND_SI, si(w, "si2"), 0, &w->l), 0);
	settle(w);
	ck_assert_int_eq(ha(w, "si2", "su2"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si2", "su3"), AMF_HA_STANDBY);
	finish(w);
}
END_TEST

START_TEST(test_2n_two_nodes_only)
{
	struct world *w = start(&spec_2n);

	ck_assert_int_eq(amf_node_clm_left(w->c, node(w, "n1"), 0, &w->l), 0);
	settle(w);
	ck_assert_int_eq(amf_node_clm_left(w->c, node(w, "n2"), 0, &w->l), 0);
	settle(w);
	/* one SU left: active, no standby */
	ck_assert_int_eq(ha(w, "si1", "su3"), AMF_HA_ACTIVE);
	ck_assert_int_eq(count_state(w, "si1", AMF_HA_STANDBY), 0);
	ck_assert_int_eq(si(w, "si1")->assignment_state, AMF_ASSIGNMENT_PARTIALLY_ASSIGNED);
	/* a swap needs a standby */
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_SI_SWAP, AMF_KIND_SI, si(w, "si1"), 0, &w->l), -EPERM);
	ck_assert_int_eq(amf_node_clm_left(w->c, node(w, "n3"), 0, &w->l), 0);
	settle(w);
	ck_assert_ptr_null(si(w, "si1")->assignments);
	ck_assert_int_eq(si(w, "si1")->assignment_state, AMF_ASSIGNMENT_UNASSIGNED);
	finish(w);
}
END_TEST

START_TEST(test_2n_su_ranks)
{
	/* su3 has the highest rank (1), su2 the next (2), su1 none (lowest) */
	static const struct spec s = { .model = "2n", .nsu = 3, .nsi = 2, .csis = 1, .comps = 1, .su_failover = -1,
				       .su_rank = { 0, 2, 1 } };
	struct world *w = start(&s);

	ck_assert_int_eq(ha(w, "si1", "su3"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si2", "su3"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si1", "su2"), AMF_HA_STANDBY);
	ck_assert_ptr_null(su(w, "su1")->assignments);
	/* su2 goes: the spare su1 becomes the standby; su2 back: it stays spare despite its rank */
	ck_assert_int_eq(amf_node_clm_left(w->c, node(w, "n2"), 0, &w->l), 0);
	settle(w);
	ck_assert_int_eq(ha(w, "si1", "su1"), AMF_HA_STANDBY);
	ck_assert_int_eq(amf_node_clm_joined(w->c, node(w, "n2"), 2, 0, &w->l), 0);
	settle(w);
	ck_assert_int_eq(ha(w, "si1", "su1"), AMF_HA_STANDBY);
	ck_assert_ptr_null(su(w, "su2")->assignments);
	finish(w);
}
END_TEST

/* ---- N+M ---- */

START_TEST(test_npm)
{
	static const struct spec s = { .model = "nplusm", .nsu = 4, .nsi = 4, .n_act = 2, .n_stb = 1, .csis = 1,
				       .comps = 1, .su_failover = -1 };
	struct world *w = start(&s);
	const char *names[] = { "si1", "si2", "si3", "si4" };
	int i;

	/* two active SUs sharing the four SIs, one standby SU holding the four standbys */
	for (i = 0; i < 4; i++) {
		ck_assert_uint_eq(count_state(w, names[i], AMF_HA_ACTIVE), 1);
		ck_assert_uint_eq(count_state(w, names[i], AMF_HA_STANDBY), 1);
		ck_assert_int_eq(ha(w, names[i], "su3"), AMF_HA_STANDBY);
	}
	ck_assert_int_eq(ha(w, "si1", "su1"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si2", "su2"), AMF_HA_ACTIVE);
	ck_assert_ptr_null(su(w, "su4")->assignments);

	/* n2 goes: su2's SIs move to the standby SU su3, which becomes active; the spare su4 becomes standby */
	w_log_reset(w);
	ck_assert_int_eq(amf_node_clm_left(w->c, node(w, "n2"), 0, &w->l), 0);
	settle(w);
	ck_assert_int_eq(ha(w, "si2", "su3"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si1", "su1"), AMF_HA_ACTIVE);
	for (i = 0; i < 4; i++) {
		ck_assert_uint_eq(count_state(w, names[i], AMF_HA_ACTIVE), 1);
		ck_assert_int_eq(ha(w, names[i], "su4"), AMF_HA_STANDBY);
	}
	ck_assert_int_ge(find_line(w, "ACTIVE(not-quiesced)", "si=si2", "su=sg/su3"), 0);
	ORDERED(w, find_line(w, "ACTIVE(not-quiesced)", "su=sg/su3", NULL), find_line(w, "STANDBY", "su=sg/su4", NULL));
	finish(w);
}
END_TEST

START_TEST(test_npm_m_standbys)
{
	/* N=1, M=2 with one standby SI per standby SU: each SI gets one standby, spread over the M SUs */
	static const struct spec s = { .model = "nplusm", .nsu = 3, .nsi = 2, .n_act = 1, .n_stb = 2,
				       .max_stb_su = 1, .csis = 1, .comps = 1, .su_failover = -1 };
	struct world *w = start(&s);

	ck_assert_int_eq(ha(w, "si1", "su1"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si2", "su1"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si1", "su2"), AMF_HA_STANDBY);
	ck_assert_int_eq(ha(w, "si2", "su3"), AMF_HA_STANDBY);
	/* the active goes: su2 takes over (it holds the standby of si1, the higher SI); si2 follows to the active SU */
	ck_assert_int_eq(amf_node_clm_left(w->c, node(w, "n1"), 0, &w->l), 0);
	settle(w);
	ck_assert_uint_eq(count_state(w, "si1", AMF_HA_ACTIVE), 1);
	ck_assert_uint_eq(count_state(w, "si2", AMF_HA_ACTIVE), 1);
	ck_assert_int_eq(ha(w, "si1", "su2"), AMF_HA_ACTIVE);
	finish(w);
}
END_TEST

/* ---- N-way active, N-way, no redundancy ---- */

START_TEST(test_nway_active)
{
	static const struct spec s = { .model = "nwayactive", .nsu = 3, .nsi = 2, .si_pref_act = 3, .csis = 1,
				       .comps = 1, .su_failover = -1 };
	struct world *w = start(&s);

	ck_assert_uint_eq(count_state(w, "si1", AMF_HA_ACTIVE), 3);
	ck_assert_uint_eq(count_state(w, "si2", AMF_HA_ACTIVE), 3);
	ck_assert_uint_eq(count_state(w, "si1", AMF_HA_STANDBY), 0);
	ck_assert_int_eq(amf_node_clm_left(w->c, node(w, "n2"), 0, &w->l), 0);
	settle(w);
	ck_assert_uint_eq(count_state(w, "si1", AMF_HA_ACTIVE), 2);
	ck_assert_int_eq(ha(w, "si1", "su2"), 0);
	w_log_reset(w);
	ck_assert_int_eq(amf_node_clm_joined(w->c, node(w, "n2"), 2, 0, &w->l), 0);
	settle(w);
	ck_assert_uint_eq(count_state(w, "si1", AMF_HA_ACTIVE), 3);
	ck_assert_int_eq(ha(w, "si2", "su2"), AMF_HA_ACTIVE);
	ck_assert_int_ge(find_line(w, "ACTIVE(new)", "su=sg/su2", NULL), 0);
	/* no standby to swap with */
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_SI_SWAP, AMF_KIND_SI, si(w, "si1"), 0, &w->l), -EPERM);
	finish(w);
}
END_TEST

START_TEST(test_nway_active_limits)
{
	/* two actives wanted per SI, at most one active SI per SU: 3 SUs carry 3 of the 4 assignments */
	static const struct spec s = { .model = "nwayactive", .nsu = 3, .nsi = 2, .si_pref_act = 2, .max_act_su = 1,
				       .csis = 1, .comps = 1, .su_failover = -1 };
	struct world *w = start(&s);

	ck_assert_uint_eq(count_state(w, "si1", AMF_HA_ACTIVE), 2); /* the higher SI (file order) first */
	ck_assert_uint_eq(count_state(w, "si2", AMF_HA_ACTIVE), 1);
	finish(w);
}
END_TEST

START_TEST(test_nway)
{
	static const struct spec s = { .model = "nway", .nsu = 3, .nsi = 3, .si_pref_stb = 2, .csis = 1, .comps = 1,
				       .su_failover = -1 };
	struct world *w = start(&s);
	const char *names[] = { "si1", "si2", "si3" };
	int i;

	for (i = 0; i < 3; i++) {
		ck_assert_uint_eq(count_state(w, names[i], AMF_HA_ACTIVE), 1);
		ck_assert_uint_eq(count_state(w, names[i], AMF_HA_STANDBY), 2);
	}
	/* the actives are spread: each SU active for one SI */
	ck_assert_int_eq(ha(w, "si1", "su1"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si2", "su2"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si3", "su3"), AMF_HA_ACTIVE);
	ck_assert_int_eq(amf_node_clm_left(w->c, node(w, "n1"), 0, &w->l), 0);
	settle(w);
	ck_assert_uint_eq(count_state(w, "si1", AMF_HA_ACTIVE), 1);
	ck_assert_uint_eq(count_state(w, "si1", AMF_HA_STANDBY), 1);
	ck_assert_int_eq(ha(w, "si2", "su2"), AMF_HA_ACTIVE);
	/* swap of one SI only */
	w_log_reset(w);
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_SI_SWAP, AMF_KIND_SI, si(w, "si2"), 0, &w->l), 0);
	settle(w);
	ck_assert_int_eq(ha(w, "si2", "su3"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si2", "su2"), AMF_HA_STANDBY);
	ck_assert_int_lt(find_line(w, "QUIESCED", "si=si3", NULL), 0);
	finish(w);
}
END_TEST

START_TEST(test_noredundancy)
{
	static const struct spec s = { .model = "noredundancy", .nsu = 3, .nsi = 4, .csis = 1, .comps = 1,
				       .su_failover = -1, .si_rank = { 0, 0, 0, 1 } };
	struct world *w = start(&s);

	/* three SUs for four SIs: the highest-ranked si4 first, then si1, si2; si3 waits */
	ck_assert_int_eq(ha(w, "si4", "su1"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si1", "su2"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si2", "su3"), AMF_HA_ACTIVE);
	ck_assert_ptr_null(si(w, "si3")->assignments);
	/* n2 leaves: si1 has nowhere to go (no SU takes two SIs) */
	ck_assert_int_eq(amf_node_clm_left(w->c, node(w, "n2"), 0, &w->l), 0);
	settle(w);
	ck_assert_ptr_null(si(w, "si1")->assignments);
	ck_assert_int_eq(ha(w, "si4", "su1"), AMF_HA_ACTIVE);
	/* it returns: the higher of the waiting SIs (si1 before si3) gets it */
	ck_assert_int_eq(amf_node_clm_joined(w->c, node(w, "n2"), 2, 0, &w->l), 0);
	settle(w);
	ck_assert_int_eq(ha(w, "si1", "su2"), AMF_HA_ACTIVE);
	ck_assert_ptr_null(si(w, "si3")->assignments);
	/* locking su3 moves nothing anywhere (no free SU); si2 is removed after QUIESCED */
	w_log_reset(w);
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_LOCK, AMF_KIND_SU, su(w, "su3"), 0, &w->l), 0);
	settle(w);
	ORDERED(w, find_line(w, "QUIESCED", "si=si2", NULL), find_line(w, "csi-remove", "si=si2", NULL));
	ck_assert_ptr_null(si(w, "si2")->assignments);
	finish(w);
}
END_TEST

/* ---- capability models and CSIs ---- */

START_TEST(test_capability_one_active_or_one_standby)
{
	static const struct spec s = { .model = "2n", .nsu = 2, .nsi = 2, .cap = "one_active_or_one_standby",
				       .csis = 1, .comps = 1, .su_failover = -1 };
	struct world *w = start(&s);

	ck_assert_int_eq(ha(w, "si1", "su1"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si1", "su2"), AMF_HA_STANDBY);
	ck_assert_ptr_null(si(w, "si2")->assignments); /* no component has room */
	finish(w);
}
END_TEST

START_TEST(test_capability_x_active_or_y_standby)
{
	/* two components of x_active_or_y_standby (x=2, y=1), SIs of two CSIs */
	static const struct spec s = { .model = "nway", .nsu = 3, .nsi = 3, .si_pref_stb = 1, .cap = "x_active_or_y_standby",
				       .max_act_csi = 2, .max_stb_csi = 1, .csis = 2, .comps = 2, .su_failover = -1 };
	struct world *w = start(&s);
	struct amf_comp *a = su(w, "su1")->comps, *b = a->next;
	const struct amf_csi_assignment *ca;

	/* CSI w goes to component a (work), x to component b (aux) */
	for (ca = a->assignments; ca; ca = ca->comp_next)
		ck_assert_str_eq(ca->csi->name, "w");
	for (ca = b->assignments; ca; ca = ca->comp_next)
		ck_assert_str_eq(ca->csi->name, "x");
	ck_assert_uint_eq(count_state(w, "si1", AMF_HA_ACTIVE), 1);
	/* an SU active for one SI cannot be standby of another (components are active-or-standby) */
	ck_assert_int_eq(ha(w, "si1", "su1"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si2", "su2"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si3", "su3"), AMF_HA_ACTIVE);
	ck_assert_uint_eq(count_state(w, "si1", AMF_HA_STANDBY), 0);
	ck_assert_int_eq(amf_node_clm_left(w->c, node(w, "n1"), 0, &w->l), 0);
	settle(w);
	/* si1 fits beside another active SI (x=2) */
	ck_assert_uint_eq(count_state(w, "si1", AMF_HA_ACTIVE), 1);
	finish(w);
}
END_TEST

START_TEST(test_capability_x_active_and_y_standby)
{
	static const struct spec s = { .model = "nway", .nsu = 2, .nsi = 2, .si_pref_stb = 1, .cap = "x_active_and_y_standby",
				       .max_act_csi = 1, .max_stb_csi = 1, .csis = 2, .comps = 2, .su_failover = -1 };
	struct world *w = start(&s);

	/* each SU active for one SI and standby for the other */
	ck_assert_int_eq(ha(w, "si1", "su1"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si1", "su2"), AMF_HA_STANDBY);
	ck_assert_int_eq(ha(w, "si2", "su2"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si2", "su1"), AMF_HA_STANDBY);
	ck_assert(amf_comp_capability_allows(su(w, "su1")->comps, 1, 1));
	ck_assert(!amf_comp_capability_allows(su(w, "su1")->comps, 2, 0));
	finish(w);
}
END_TEST

START_TEST(test_csi_dependency_order)
{
	/* CSI w depends on x: x is set before w, and w taken away before x */
	static const struct spec s = { .model = "2n", .nsu = 3, .nsi = 1, .csis = 2, .comps = 2, .su_failover = -1,
				       .csi_dep = true };
	struct world *w = start(&s);

	ORDERED(w, find_line(w, "ACTIVE(new)", "csi=x", NULL), find_line(w, "ACTIVE(new)", "csi=w", NULL));
	ORDERED(w, find_line(w, "STANDBY", "csi=x", NULL), find_line(w, "STANDBY", "csi=w", NULL));
	w_log_reset(w);
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_LOCK, AMF_KIND_SU, su(w, "su1"), 0, &w->l), 0);
	settle(w);
	ORDERED(w, find_line(w, "QUIESCED", "csi=w", NULL), find_line(w, "QUIESCED", "csi=x", NULL));
	ORDERED(w, find_line(w, "ACTIVE(quiesced)", "csi=x", NULL), find_line(w, "ACTIVE(quiesced)", "csi=w", NULL));
	ORDERED(w, find_line(w, "csi-remove", "csi=w", NULL), find_line(w, "csi-remove", "csi=x", NULL));
	finish(w);
}
END_TEST

START_TEST(test_capability_rules)
{
	struct amf_comp p = { .num_max_active_csi = 3, .num_max_standby_csi = 2 };

	p.capability = AMF_CAP_X_ACTIVE_AND_Y_STANDBY;
	ck_assert(amf_comp_capability_allows(&p, 3, 2));
	ck_assert(!amf_comp_capability_allows(&p, 4, 0));
	p.capability = AMF_CAP_X_ACTIVE_OR_Y_STANDBY;
	ck_assert(amf_comp_capability_allows(&p, 3, 0));
	ck_assert(amf_comp_capability_allows(&p, 0, 2));
	ck_assert(!amf_comp_capability_allows(&p, 1, 1));
	p.capability = AMF_CAP_ONE_ACTIVE_OR_Y_STANDBY;
	ck_assert(!amf_comp_capability_allows(&p, 2, 0));
	ck_assert(amf_comp_capability_allows(&p, 0, 2));
	p.capability = AMF_CAP_ONE_ACTIVE_OR_ONE_STANDBY;
	ck_assert(!amf_comp_capability_allows(&p, 0, 2));
	ck_assert(!amf_comp_capability_allows(&p, 1, 1));
	p.capability = AMF_CAP_X_ACTIVE;
	ck_assert(amf_comp_capability_allows(&p, 3, 0));
	ck_assert(!amf_comp_capability_allows(&p, 0, 1));
	p.capability = AMF_CAP_1_ACTIVE;
	ck_assert(!amf_comp_capability_allows(&p, 2, 0));
	ck_assert(amf_comp_capability_allows(&p, 1, 0));
}
END_TEST

/* ---- recovery and escalation ---- */

static const struct spec spec_esc = { .model = "2n", .nsu = 3, .nsi = 1, .csis = 1, .comps = 2, .comp_max = 2,
				      .comp_prob = 1000, .su_max = 1, .su_prob = 5000, .node_max = 1,
				      .node_prob = 20000, .su_failover = -1, .no_auto_repair = true };

static enum amf_applied error_at(struct world *w, const char *u, uint64_t now)
{
	enum amf_applied applied = 0;

	w->now = now;
	ck_assert_int_eq(amf_comp_error(w->c, su(w, u)->comps, AMF_REC_NO_RECOMMENDATION, now, &w->l, &applied), 0);
	settle(w);
	return applied;
}

START_TEST(test_escalation_comp_to_su_restart)
{
	struct world *w = start(&spec_esc);

	w_log_reset(w);
	ck_assert_int_eq(error_at(w, "su1", 0), AMF_APPLIED_COMP_RESTART);
	/* cleanup, instantiate, CSIs set again; the SI never left su1 */
	ORDERED(w, find_line(w, "cleanup", "su=sg/su1", "comp=a"), find_line(w, "instantiate", "su=sg/su1", "comp=a"));
	ORDERED(w, find_line(w, "instantiate", "su=sg/su1", "comp=a"), find_line(w, "csi-set ACTIVE", "su=sg/su1", NULL));
	ck_assert_msg(find_line(w, "su=sg/su2", NULL, NULL) < 0, "%s", w_log(w));
	ck_assert_int_eq(ha(w, "si1", "su1"), AMF_HA_ACTIVE);
	ck_assert_int_eq(error_at(w, "su1", 500), AMF_APPLIED_COMP_RESTART);
	/* the third within 1000 ms exceeds saAmfSGCompRestartMax 2: SU restart (both components) */
	w_log_reset(w);
	ck_assert_int_eq(error_at(w, "su1", 900), AMF_APPLIED_SU_RESTART);
	ck_assert_int_ge(find_line(w, "cleanup", "su=sg/su1", "comp=b"), 0);
	ck_assert_int_eq(ha(w, "si1", "su1"), AMF_HA_ACTIVE);
	/* the window restarts: two more are component restarts again */
	ck_assert_int_eq(error_at(w, "su1", 1000), AMF_APPLIED_COMP_RESTART);
	ck_assert_int_eq(error_at(w, "su1", 1500), AMF_APPLIED_COMP_RESTART);
	/* spaced errors, each outside the previous window, never escalate */
	ck_assert_int_eq(error_at(w, "su1", 2500), AMF_APPLIED_COMP_RESTART);
	ck_assert_int_eq(error_at(w, "su1", 3600), AMF_APPLIED_COMP_RESTART);
	ck_assert_int_eq(error_at(w, "su1", 4700), AMF_APPLIED_COMP_RESTART);
	ck_assert_int_eq(error_at(w, "su1", 5800), AMF_APPLIED_COMP_RESTART);
	finish(w);
}
END_TEST

START_TEST(test_escalation_to_su_failover_and_node_failover)
{
	struct world *w = start(&spec_esc);
	uint64_t t = 0;

	/* SU restarts at 2 and 4 within 5000 ms: the second exceeds saAmfSGSuRestartMax 1 */
	ck_assert_int_eq(error_at(w, "su1", t), AMF_APPLIED_COMP_RESTART);
	ck_assert_int_eq(error_at(w, "su1", t + 1), AMF_APPLIED_COMP_RESTART);
	ck_assert_int_eq(error_at(w, "su1", t + 2), AMF_APPLIED_SU_RESTART);
	ck_assert_int_eq(error_at(w, "su1", t + 3), AMF_APPLIED_COMP_RESTART);
	ck_assert_int_eq(error_at(w, "su1", t + 4), AMF_APPLIED_COMP_RESTART);
	w_log_reset(w);
	ck_assert_int_eq(error_at(w, "su1", t + 5), AMF_APPLIED_SU_FAILOVER);
	/* failover: cleanup of su1, standby promoted with NOT_QUIESCED, new standby */
	ORDERED(w, find_line(w, "cleanup", "su=sg/su1", NULL), find_line(w, "ACTIVE(not-quiesced)", "su=sg/su2", NULL));
	ORDERED(w, find_line(w, "ACTIVE(not-quiesced)", "su=sg/su2", NULL), find_line(w, "STANDBY", "su=sg/su3", NULL));
	ck_assert_int_eq(su(w, "su1")->oper_state, AMF_OPER_DISABLED);
	ck_assert_int_eq(su(w, "su1")->readiness_state, AMF_READINESS_OUT_OF_SERVICE);
	ck_assert_ptr_null(su(w, "su1")->assignments);
	ck_assert_int_eq(ha(w, "si1", "su2"), AMF_HA_ACTIVE);
	ck_assert_uint_eq(node(w, "n1")->su_failover_count, 1);

	/* su2 on n2 fails over too: the first on n2, no node failover */
	ck_assert_int_eq(amf_comp_error(w->c, su(w, "su2")->comps, AMF_REC_COMPONENT_FAILOVER, 100, &w->l, NULL), 0);
	settle(w);
	ck_assert_int_eq(node(w, "n2")->oper_state, AMF_OPER_ENABLED);
	ck_assert_int_eq(ha(w, "si1", "su3"), AMF_HA_ACTIVE);

	/* repair su1 (admin) and su2; fail su1 again within n1's probation: node failover */
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_REPAIRED, AMF_KIND_SU, su(w, "su1"), 200, &w->l), 0);
	settle(w);
	ck_assert_int_eq(su(w, "su1")->readiness_state, AMF_READINESS_IN_SERVICE);
	ck_assert_int_eq(ha(w, "si1", "su1"), AMF_HA_STANDBY);
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_REPAIRED, AMF_KIND_SU, su(w, "su1"), 200, &w->l), -EALREADY);
	ck_assert_int_eq(amf_comp_error(w->c, su(w, "su1")->comps, AMF_REC_COMPONENT_FAILOVER, 300, &w->l, NULL), 0);
	settle(w);
	ck_assert_int_eq(node(w, "n1")->oper_state, AMF_OPER_DISABLED);
	ck_assert_uint_eq(node(w, "n1")->su_failover_count, 0);
	ck_assert_int_eq(ha(w, "si1", "su3"), AMF_HA_ACTIVE);
	/* the node is repaired */
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_REPAIRED, AMF_KIND_NODE, node(w, "n1"), 400, &w->l), 0);
	settle(w);
	ck_assert_int_eq(su(w, "su1")->readiness_state, AMF_READINESS_IN_SERVICE);
	ck_assert_int_eq(ha(w, "si1", "su1"), AMF_HA_STANDBY);
	finish(w);
}
END_TEST

START_TEST(test_node_failover_window)
{
	struct world *w = start(&spec_esc);

	/* SU failovers on n1 spaced wider than its 20000 ms probation never fail the node over */
	ck_assert_int_eq(amf_comp_error(w->c, su(w, "su1")->comps, AMF_REC_COMPONENT_FAILOVER, 0, &w->l, NULL), 0);
	settle(w);
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_REPAIRED, AMF_KIND_SU, su(w, "su1"), 0, &w->l), 0);
	settle(w);
	ck_assert_int_eq(amf_comp_error(w->c, su(w, "su1")->comps, AMF_REC_COMPONENT_FAILOVER, 20000, &w->l, NULL), 0);
	settle(w);
	ck_assert_int_eq(node(w, "n1")->oper_state, AMF_OPER_ENABLED);
	ck_assert_int_eq(su(w, "su1")->oper_state, AMF_OPER_DISABLED);
	finish(w);
}
END_TEST

START_TEST(test_recovery_never_weaker)
{
	static const struct spec s = { .model = "2n", .nsu = 3, .nsi = 1, .csis = 1, .comps = 1,
				       .recovery = "component_failover", .su_failover = -1 };
	struct world *w = start(&s);
	struct amf_comp *p = su(w, "su1")->comps;
	enum amf_applied applied = 0;

	ck_assert_int_eq(amf_recovery_choose(p, AMF_REC_COMPONENT_RESTART), AMF_REC_COMPONENT_FAILOVER);
	ck_assert_int_eq(amf_recovery_choose(p, AMF_REC_NO_RECOMMENDATION), AMF_REC_COMPONENT_FAILOVER);
	ck_assert_int_eq(amf_recovery_choose(p, AMF_REC_NODE_FAILOVER), AMF_REC_NODE_FAILOVER);
	ck_assert_int_gt(amf_recovery_strength(AMF_REC_CLUSTER_RESET), amf_recovery_strength(AMF_REC_NODE_FAILFAST));
	p->recovery_on_error = AMF_REC_COMPONENT_RESTART;
	p->disable_restart = true;
	ck_assert_int_eq(amf_recovery_choose(p, AMF_REC_COMPONENT_RESTART), AMF_REC_COMPONENT_FAILOVER);
	p->disable_restart = false;
	p->recovery_on_error = AMF_REC_COMPONENT_FAILOVER;
	/* a component restart recommended: AMF applies its configured failover */
	ck_assert_int_eq(amf_comp_error(w->c, p, AMF_REC_COMPONENT_RESTART, 0, &w->l, &applied), 0);
	ck_assert_int_eq(applied, AMF_APPLIED_SU_FAILOVER);
	settle(w);
	ck_assert_int_eq(ha(w, "si1", "su2"), AMF_HA_ACTIVE);
	/* node failover recommended for su2's component: the whole node n2 */
	ck_assert_int_eq(amf_comp_error(w->c, su(w, "su2")->comps, AMF_REC_NODE_FAILOVER, 0, &w->l, &applied), 0);
	ck_assert_int_eq(applied, AMF_APPLIED_NODE_FAILOVER);
	settle(w);
	ck_assert_int_eq(node(w, "n2")->oper_state, AMF_OPER_DISABLED);
	ck_assert_int_eq(ha(w, "si1", "su3"), AMF_HA_ACTIVE);
	/* failfast reboots the node */
	w_log_reset(w);
	ck_assert_int_eq(amf_comp_error(w->c, su(w, "su3")->comps, AMF_REC_NODE_FAILFAST, 0, &w->l, &applied), 0);
	ck_assert_int_eq(applied, AMF_APPLIED_NODE_FAILFAST);
	settle(w);
	ck_assert_int_ge(find_line(w, "node-reboot node=n3", NULL, NULL), 0);
	/* su1, failed over first, was repaired automatically and takes the SI */
	ck_assert_int_eq(ha(w, "si1", "su1"), AMF_HA_ACTIVE);
	/* an error on a component being recovered already is ignored */
	ck_assert_int_eq(amf_comp_error(w->c, su(w, "su3")->comps, AMF_REC_NODE_FAILFAST, 0, &w->l, &applied), 0);
	ck_assert_uint_eq(w->l.n, 0);
	finish(w);
}
END_TEST

START_TEST(test_comp_failover_without_su_failover)
{
	static const struct spec s = { .model = "2n", .nsu = 3, .nsi = 1, .csis = 2, .comps = 2, .su_failover = 0,
				       .no_auto_repair = true };
	struct world *w = start(&s);
	enum amf_applied applied = 0;

	w_log_reset(w);
	ck_assert_int_eq(amf_comp_error(w->c, su(w, "su1")->comps, AMF_REC_COMPONENT_FAILOVER, 0, &w->l, &applied), 0);
	ck_assert_int_eq(applied, AMF_APPLIED_COMP_FAILOVER);
	settle(w);
	/* only component a is cleaned up; b's CSI is quiesced and removed gracefully */
	ck_assert_int_ge(find_line(w, "cleanup", "su=sg/su1", "comp=a"), 0);
	ck_assert_int_lt(find_line(w, "cleanup", "su=sg/su1", "comp=b"), 0);
	ORDERED(w, find_line(w, "QUIESCED", "su=sg/su1", "comp=b"), find_line(w, "ACTIVE(quiesced)", "su=sg/su2", NULL));
	ck_assert_int_eq(ha(w, "si1", "su2"), AMF_HA_ACTIVE);
	ck_assert_int_eq(su(w, "su1")->comps->oper_state, AMF_OPER_DISABLED);
	ck_assert_int_eq(su(w, "su1")->comps->next->oper_state, AMF_OPER_ENABLED);
	ck_assert_int_eq(su(w, "su1")->oper_state, AMF_OPER_DISABLED);
	ck_assert_int_eq(su(w, "su1")->readiness_state, AMF_READINESS_OUT_OF_SERVICE);
	ck_assert_int_eq(ha(w, "si1", "su3"), AMF_HA_STANDBY);
	/* repaired: a is instantiated again and su1 is a spare in service */
	w_log_reset(w);
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_REPAIRED, AMF_KIND_SU, su(w, "su1"), 0, &w->l), 0);
	settle(w);
	ck_assert_int_ge(find_line(w, "instantiate", "su=sg/su1", "comp=a"), 0);
	ck_assert_int_lt(find_line(w, "instantiate", "su=sg/su1", "comp=b"), 0);
	ck_assert_int_eq(su(w, "su1")->readiness_state, AMF_READINESS_IN_SERVICE);
	ck_assert_ptr_null(su(w, "su1")->assignments);
	finish(w);
}
END_TEST

START_TEST(test_application_restart_and_cluster_reset)
{
	struct world *w = start(&spec_2n);
	enum amf_applied applied = 0;

	w_log_reset(w);
	ck_assert_int_eq(amf_comp_error(w->c, su(w, "su2")->comps, AMF_REC_APPLICATION_RESTART, 0, &w->l, &applied), 0);
	ck_assert_int_eq(applied, AMF_APPLIED_APP_RESTART);
	settle(w);
	ck_assert_int_ge(find_line(w, "cleanup", "su=sg/su3", NULL), 0);
	ck_assert_int_ge(find_line(w, "instantiate", "su=sg/su1", NULL), 0);
	ck_assert_int_eq(ha(w, "si1", "su1"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si1", "su2"), AMF_HA_STANDBY);
	ck_assert_int_eq(amf_comp_error(w->c, su(w, "su2")->comps, AMF_REC_CLUSTER_RESET, 0, &w->l, &applied), 0);
	ck_assert_int_eq(applied, AMF_APPLIED_CLUSTER_RESET);
	ck_assert_uint_eq(w->l.n, 1);
	ck_assert_int_eq(w->l.v[0].kind, AMF_ACT_CLUSTER_RESET);
	amf_actions_clear(&w->l);
	finish(w);
}
END_TEST

START_TEST(test_su_auto_repair)
{
	static const struct spec s = { .model = "2n", .nsu = 3, .nsi = 1, .csis = 1, .comps = 2, .su_failover = -1 };
	struct world *w = start(&s);
	enum amf_applied applied = 0;

	ck_assert_int_eq(amf_comp_error(w->c, su(w, "su1")->comps, AMF_REC_COMPONENT_FAILOVER, 0, &w->l, &applied), 0);
	ck_assert_int_eq(applied, AMF_APPLIED_SU_FAILOVER);
	ck_assert_int_eq(su(w, "su1")->oper_state, AMF_OPER_DISABLED);
	ck_assert_int_eq(su(w, "su1")->presence_state, AMF_PRESENCE_TERMINATING);
	w_log_reset(w);
	settle(w);
	/* cleaned up, enabled again, instantiated: a spare in service */
	ck_assert_int_eq(su(w, "su1")->oper_state, AMF_OPER_ENABLED);
	ck_assert_int_eq(su(w, "su1")->readiness_state, AMF_READINESS_IN_SERVICE);
	ORDERED(w, find_line(w, "cleanup", "su=sg/su1", "comp=b"), find_line(w, "instantiate", "su=sg/su1", "comp=b"));
	ck_assert_int_eq(ha(w, "si1", "su2"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si1", "su3"), AMF_HA_STANDBY);
	ck_assert_ptr_null(su(w, "su1")->assignments);
	/* node failover with saAmfNodeAutoRepair (default true): the node is rebooted */
	w_log_reset(w);
	ck_assert_int_eq(amf_comp_error(w->c, su(w, "su2")->comps, AMF_REC_NODE_FAILOVER, 0, &w->l, &applied), 0);
	ck_assert_int_eq(applied, AMF_APPLIED_NODE_FAILOVER);
	settle(w);
	ck_assert_int_ge(find_line(w, "node-reboot node=n2", NULL, NULL), 0);
	finish(w);
}
END_TEST

/* ---- failed actions ---- */

START_TEST(test_failed_actions)
{
	struct world *w = calloc(1, sizeof(*w));
	struct amf_node *n;
	size_t i;
	bool failed_one = false;

	w_init(w, build(&spec_2n));
	for (n = w->c->nodes; n; n = n->next)
		ck_assert_int_eq(amf_node_clm_joined(w->c, n, 1, 0, &w->l), 0);
	/* su1's instantiation fails: su1 disabled, the others carry the SIs */
	for (i = 0; i < w->l.n; i++) {
		struct amf_action *a = &w->l.v[i];

		if (a->kind == AMF_ACT_INSTANTIATE && strcmp(a->su->name, "su1") == 0) {
			struct amf_action_list more = { 0 };

			ck_assert_int_eq(amf_action_failed(w->c, a, 0, &more), 0);
			amf_actions_free(&more);
			failed_one = true;
		} else {
			ck_assert_int_eq(amf_action_done(w->c, a), 0);
		}
	}
	ck_assert(failed_one);
	amf_actions_clear(&w->l);
	settle(w);
	ck_assert_int_eq(su(w, "su1")->comps->presence_state, AMF_PRESENCE_INSTANTIATION_FAILED);
	ck_assert_int_eq(su(w, "su1")->presence_state, AMF_PRESENCE_INSTANTIATION_FAILED);
	ck_assert_int_eq(su(w, "su1")->oper_state, AMF_OPER_DISABLED);
	ck_assert_int_eq(ha(w, "si1", "su2"), AMF_HA_ACTIVE);
	ck_assert_int_eq(ha(w, "si1", "su3"), AMF_HA_STANDBY);

	/* a CSI set that fails is an error of the component: restart */
	{
		struct amf_action a = { .kind = AMF_ACT_CSI_SET, .su = su(w, "su2"), .si = si(w, "si1"),
					.comp = su(w, "su2")->comps, .csi = si(w, "si1")->csis,
					.ha_state = AMF_HA_ACTIVE };

		ck_assert_int_eq(amf_action_failed(w->c, &a, 0, &w->l), 0);
		ck_assert_int_eq(w->l.v[0].kind, AMF_ACT_CLEANUP);
		settle(w);
		ck_assert_int_eq(ha(w, "si1", "su2"), AMF_HA_ACTIVE);
	}
	/* a failed terminate is followed by a cleanup; a failed cleanup disables the SU */
	{
		struct amf_action a = { .kind = AMF_ACT_TERMINATE, .su = su(w, "su3"), .comp = su(w, "su3")->comps };

		ck_assert_int_eq(amf_action_failed(w->c, &a, 0, &w->l), 0);
		ck_assert_uint_eq(w->l.n, 1);
		ck_assert_int_eq(w->l.v[0].kind, AMF_ACT_CLEANUP);
		amf_actions_clear(&w->l);
		a.kind = AMF_ACT_CLEANUP;
		ck_assert_int_eq(amf_action_failed(w->c, &a, 0, &w->l), 0);
		settle(w);
		ck_assert_int_eq(su(w, "su3")->presence_state, AMF_PRESENCE_TERMINATION_FAILED);
		ck_assert_ptr_null(su(w, "su3")->assignments);
		ck_assert_int_eq(ha(w, "si1", "su2"), AMF_HA_ACTIVE);
	}
	/* repair su1: it becomes the standby */
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_REPAIRED, AMF_KIND_SU, su(w, "su1"), 0, &w->l), 0);
	settle(w);
	ck_assert_int_eq(ha(w, "si1", "su1"), AMF_HA_STANDBY);
	finish(w);
}
END_TEST

/* ---- administrative operations ---- */

START_TEST(test_admin_states)
{
	struct world *w = start(&spec_2n);
	struct amf_su *u = su(w, "su3");

	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_LOCK_INSTANTIATION, AMF_KIND_SU, u, 0, &w->l), -EPERM);
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_UNLOCK, AMF_KIND_SU, u, 0, &w->l), -EALREADY);
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_UNLOCK_INSTANTIATION, AMF_KIND_SU, u, 0, &w->l), -EPERM);
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_LOCK, AMF_KIND_SU, u, 0, &w->l), 0);
	settle(w);
	w_log_reset(w);
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_LOCK_INSTANTIATION, AMF_KIND_SU, u, 0, &w->l), 0);
	settle(w);
	ck_assert_int_ge(find_line(w, "terminate", "su=sg/su3", NULL), 0);
	ck_assert_int_eq(u->presence_state, AMF_PRESENCE_UNINSTANTIATED);
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_UNLOCK, AMF_KIND_SU, u, 0, &w->l), -EPERM);
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_SHUTDOWN, AMF_KIND_SU, u, 0, &w->l), -EPERM);
	w_log_reset(w);
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_UNLOCK_INSTANTIATION, AMF_KIND_SU, u, 0, &w->l), 0);
	settle(w);
	ck_assert_int_ge(find_line(w, "instantiate", "su=sg/su3", NULL), 0);
	ck_assert_int_eq(u->admin_state, AMF_ADMIN_LOCKED);
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_UNLOCK, AMF_KIND_SU, u, 0, &w->l), 0);
	settle(w);
	ck_assert_int_eq(u->readiness_state, AMF_READINESS_IN_SERVICE);
	/* SIs take only lock, unlock, shutdown and swap */
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_LOCK_INSTANTIATION, AMF_KIND_SI, si(w, "si1"), 0, &w->l), -EPERM);
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_LOCK, AMF_KIND_CSI, si(w, "si1")->csis, 0, &w->l), -EINVAL);
	/* SU restart by the operator: no move */
	w_log_reset(w);
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_RESTART, AMF_KIND_SU, su(w, "su1"), 0, &w->l), 0);
	settle(w);
	ck_assert_int_ge(find_line(w, "cleanup", "su=sg/su1", NULL), 0);
	ck_assert_int_eq(ha(w, "si1", "su1"), AMF_HA_ACTIVE);
	finish(w);
}
END_TEST

START_TEST(test_admin_node_and_sg)
{
	struct world *w = start(&spec_2n);

	/* lock node n1: the SIs switch over to su2 */
	w_log_reset(w);
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_LOCK, AMF_KIND_NODE, node(w, "n1"), 0, &w->l), 0);
	settle(w);
	ck_assert_int_ge(find_line(w, "ACTIVE(quiesced)", "su=sg/su2", NULL), 0);
	ck_assert_int_eq(ha(w, "si1", "su3"), AMF_HA_STANDBY);
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_UNLOCK, AMF_KIND_NODE, node(w, "n1"), 0, &w->l), 0);
	settle(w);
	/* shut the SG down: everything drained, SG LOCKED */
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_SHUTDOWN, AMF_KIND_SG, w->c->apps->sgs, 0, &w->l), 0);
	settle(w);
	ck_assert_int_eq(w->c->apps->sgs->admin_state, AMF_ADMIN_LOCKED);
	ck_assert_ptr_null(si(w, "si1")->assignments);
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_UNLOCK, AMF_KIND_SG, w->c->apps->sgs, 0, &w->l), 0);
	settle(w);
	ck_assert_uint_eq(count_state(w, "si1", AMF_HA_ACTIVE), 1);
	ck_assert_uint_eq(count_state(w, "si1", AMF_HA_STANDBY), 1);
	/* lock the application: nothing assigned */
	ck_assert_int_eq(amf_admin_op(w->c, AMF_OP_LOCK, AMF_KIND_APP, w->c->apps, 0, &w->l), 0);
	settle(w);
	ck_assert_ptr_null(si(w, "si2")->assignments);
	finish(w);
}
END_TEST

/* ---- randomized property test ---- */

static struct spec random_spec(unsigned long *seed)
{
	static const char *models[] = { "2n", "nplusm", "nwayactive", "noredundancy", "nway" };
	struct spec s = { .csis = 1, .comps = 1, .su_failover = -1 };
	unsigned long x = *seed;

#define NEXT() (x = x * 6364136223846793005UL + 1442695040888963407UL, (unsigned)(x >> 33))
	s.model = models[NEXT() % 5];
	s.nsu = 2 + (int)(NEXT() % 3);
	s.nsi = 1 + (int)(NEXT() % 4);
	s.csis = 1 + (int)(NEXT() % 2);
	s.comps = 1 + (int)(NEXT() % 2);
	s.comp_max = 1 + NEXT() % 2;
	s.comp_prob = 100 + NEXT() % 1000;
	s.su_max = 1 + NEXT() % 2;
	s.su_prob = 1000 + NEXT() % 2000;
	s.node_max = 1 + NEXT() % 2;
	s.node_prob = 2000 + NEXT() % 4000;
	if (strcmp(s.model, "nplusm") == 0) {
		s.n_act = 1 + NEXT() % 2;
		s.n_stb = 1 + NEXT() % 2;
	}
	if (strcmp(s.model, "nwayactive") == 0)
		s.si_pref_act = 1 + NEXT() % 3;
	if (strcmp(s.model, "nway") == 0) {
		s.si_pref_stb = 1 + NEXT() % 2;
		if (s.nsu < 2)
			s.nsu = 2;
	}
	if (NEXT() % 3 == 0)
		s.su_failover = 0;
	s.no_auto_repair = NEXT() % 2 == 0;
	s.csi_dep = s.csis == 2 && NEXT() % 2 == 0;
	*seed = x;
#undef NEXT
	return s;
}

static unsigned usable_sus(const struct amf_sg *g)
{
	const struct amf_su *u;
	unsigned n = 0;

	for (u = g->sus; u; u = u->next)
		n += u->readiness_state == AMF_READINESS_IN_SERVICE;
	return n;
}

/* Every SI assigned when enough in-service SUs exist (the random models have no capacity limits). */
static void check_complete(struct world *w)
{
	const struct amf_sg *g = w->c->apps->sgs;
	const struct amf_si *s;
	unsigned n = usable_sus(g), assigned = 0, unlocked = 0;

	for (s = w->c->apps->sis; s; s = s->next) {
		unsigned act = 0, stb = 0;
		const struct amf_si_assignment *a;

		if (s->admin_state != AMF_ADMIN_UNLOCKED)
			continue;
		unlocked++;
		for (a = s->assignments; a; a = a->si_next) {
			act += a->ha_state == AMF_HA_ACTIVE;
			stb += a->ha_state == AMF_HA_STANDBY;
		}
		assigned += act > 0;
		switch (g->model) {
		case AMF_RED_2N:
		case AMF_RED_NPM:
		case AMF_RED_NWAY:
			ck_assert_msg(n == 0 || act == 1, "si %s: %u actives with %u SUs in service\n%s", s->name, act, n,
				      w_log(w));
			if (g->model == AMF_RED_2N)
				ck_assert_msg(n < 2 || stb == 1, "si %s: no standby with %u SUs\n%s", s->name, n, w_log(w));
			if (g->model == AMF_RED_NWAY) {
				unsigned want = s->pref_standby_assignments < n - (n ? 1 : 0) ? s->pref_standby_assignments :
												n - (n ? 1 : 0);
				ck_assert_msg(n == 0 || stb == want, "si %s: %u standbys, want %u\n%s", s->name, stb, want,
					      w_log(w));
			}
			break;
		case AMF_RED_NWAY_ACTIVE: {
			unsigned want = s->pref_active_assignments < n ? s->pref_active_assignments : n;

			ck_assert_msg(act == want, "si %s: %u actives, want %u\n%s", s->name, act, want, w_log(w));
			break;
		}
		case AMF_RED_NO_REDUNDANCY:
			break;
		}
	}
	if (g->model == AMF_RED_NO_REDUNDANCY)
		ck_assert_msg(assigned == (unlocked < n ? unlocked : n), "%u of %u SIs assigned with %u SUs\n%s", assigned,
			      unlocked, n, w_log(w));
}

/* One random step: an event, then run to a settled state. */
static void random_step(struct world *w)
{
	struct amf_cluster *c = w->c;
	unsigned k = w_rand(w) % 16, i;
	struct amf_node *n = c->nodes;
	struct amf_su *u = c->apps->sgs->sus;
	struct amf_si *s = c->apps->sis;
	static const enum amf_admin_op ops[] = { AMF_OP_LOCK, AMF_OP_UNLOCK, AMF_OP_SHUTDOWN, AMF_OP_LOCK_INSTANTIATION,
						 AMF_OP_UNLOCK_INSTANTIATION, AMF_OP_REPAIRED, AMF_OP_RESTART };
	static const enum amf_recovery recs[] = { AMF_REC_NO_RECOMMENDATION, AMF_REC_COMPONENT_RESTART,
						  AMF_REC_COMPONENT_RESTART, AMF_REC_COMPONENT_RESTART,
						  AMF_REC_COMPONENT_FAILOVER, AMF_REC_NODE_SWITCHOVER,
						  AMF_REC_NODE_FAILOVER, AMF_REC_NODE_FAILFAST, AMF_REC_APPLICATION_RESTART };
	int r;

	w->now += w_rand(w) % 1500;
	for (i = w_rand(w) % c->node_count; i; i--)
		n = n->next;
	for (i = w_rand(w) % c->apps->sgs->su_count; i; i--)
		u = u->next;
	for (i = w_rand(w) % c->apps->si_count; i; i--)
		s = s->next;
	fprintf(w->logf, "# event %u at %llu\n", k, (unsigned long long)w->now);
	switch (k) {
	case 0:
	case 1:
		r = n->clm_member ? amf_node_clm_left(c, n, w->now, &w->l) : amf_node_clm_joined(c, n, 1, w->now, &w->l);
		break;
	case 2:
	case 3:
	case 4:
	case 5: {
		struct amf_comp *p = u->comps;

		if (u->comp_count > 1 && w_rand(w) % 2)
			p = p->next;
		r = amf_comp_error(c, p, recs[w_rand(w) % 9], w->now, &w->l, NULL);
		break;
	}
	case 6:
	case 7:
	case 8:
		r = amf_admin_op(c, ops[w_rand(w) % 7], AMF_KIND_SU, u, w->now, &w->l);
		break;
	case 9:
		r = amf_admin_op(c, ops[w_rand(w) % 6], AMF_KIND_NODE, n, w->now, &w->l);
		break;
	case 10:
		r = amf_admin_op(c, ops[w_rand(w) % 5], AMF_KIND_SG, c->apps->sgs, w->now, &w->l);
		break;
	case 11:
	case 12:
		r = amf_admin_op(c, ops[w_rand(w) % 3], AMF_KIND_SI, s, w->now, &w->l);
		break;
	case 13:
	case 14:
		r = amf_admin_op(c, AMF_OP_SI_SWAP, AMF_KIND_SI, s, w->now, &w->l);
		break;
	default: {
		/* heal: join every node, repair and unlock everything */
		struct amf_su *x;

		for (n = c->nodes; n; n = n->next) {
			if (!n->clm_member)
				ck_assert_int_eq(amf_node_clm_joined(c, n, 1, w->now, &w->l), 0);
			(void)amf_admin_op(c, AMF_OP_REPAIRED, AMF_KIND_NODE, n, w->now, &w->l);
			(void)amf_admin_op(c, AMF_OP_UNLOCK_INSTANTIATION, AMF_KIND_NODE, n, w->now, &w->l);
			(void)amf_admin_op(c, AMF_OP_UNLOCK, AMF_KIND_NODE, n, w->now, &w->l);
		}
		for (x = c->apps->sgs->sus; x; x = x->next) {
			(void)amf_admin_op(c, AMF_OP_REPAIRED, AMF_KIND_SU, x, w->now, &w->l);
			(void)amf_admin_op(c, AMF_OP_UNLOCK_INSTANTIATION, AMF_KIND_SU, x, w->now, &w->l);
			(void)amf_admin_op(c, AMF_OP_UNLOCK, AMF_KIND_SU, x, w->now, &w->l);
		}
		(void)amf_admin_op(c, AMF_OP_UNLOCK_INSTANTIATION, AMF_KIND_SG, c->apps->sgs, w->now, &w->l);
		(void)amf_admin_op(c, AMF_OP_UNLOCK, AMF_KIND_SG, c->apps->sgs, w->now, &w->l);
		for (s = c->apps->sis; s; s = s->next)
			(void)amf_admin_op(c, AMF_OP_UNLOCK, AMF_KIND_SI, s, w->now, &w->l);
		r = 0;
		break;
	}
	}
	ck_assert_msg(r == 0 || r == -EALREADY || r == -EPERM || r == -EBUSY, "event %u: %d", k, r);
	settle(w);
	check_complete(w);
}

/* Run one random model for steps; returns the log and the final dump (caller frees). */
static char *random_run(unsigned long seed, unsigned steps, bool with_failures)
{
	unsigned long x = seed;
	struct spec s = random_spec(&x);
	struct world *w = calloc(1, sizeof(*w));
	char *dump = NULL, *out;
	size_t dlen = 0;
	FILE *f;
	unsigned i;

	ck_assert_ptr_nonnull(w);
	w_init(w, build(&s));
	w->rnd = x;
	join_all(w);
	check_complete(w);
	if (with_failures)
		w->fail_every = 23;
	for (i = 0; i < steps; i++)
		random_step(w);
	f = open_memstream(&dump, &dlen);
	ck_assert_int_eq(amf_assign_dump(w->c, f), 0);
	fclose(f);
	out = malloc(strlen(w_log(w)) + dlen + 2);
	ck_assert_ptr_nonnull(out);
	sprintf(out, "%s\n%s", w_log(w), dump);
	free(dump);
	finish(w);
	return out;
}

/* AMF_ASSIGN_ROUNDS=n multiplies the number of random models (for longer runs by hand). */
static unsigned long rounds(unsigned long n)
{
	const char *e = getenv("AMF_ASSIGN_ROUNDS");
	unsigned long k = e ? strtoul(e, NULL, 10) : 1;

	return n * (k ? k : 1);
}

/* count random models (seeds spread by mult, shifted by the loop index) of steps events each. */
static void random_many(unsigned long mult, unsigned long count, unsigned steps, bool failures, int loop)
{
	unsigned long seed;

	for (seed = 1; seed <= rounds(count); seed++)
		free(random_run(seed * mult + (unsigned long)loop, steps, failures));
}

START_TEST(test_random_properties)
{
	random_many(7919, 60, 40, false, _i);
}
END_TEST

START_TEST(test_random_with_failures)
{
	random_many(104729, 40, 30, true, _i);
}
END_TEST

START_TEST(test_random_deterministic)
{
	unsigned long seed;

	for (seed = 1; seed <= 10; seed++) {
		char *a = random_run(seed * 31337, 30, true), *b = random_run(seed * 31337, 30, true);

		ck_assert_str_eq(a, b);
		free(a);
		free(b);
	}
}
END_TEST

static Suite *amf_assign_suite(void)
{
	Suite *s = suite_create("amf_assign");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_2n_initial);
	tcase_add_test(tc, test_2n_node_loss_and_return);
	tcase_add_test(tc, test_2n_lock_unlock);
	tcase_add_test(tc, test_2n_switchover);
	tcase_add_test(tc, test_2n_shutdown);
	tcase_add_test(tc, test_2n_two_nodes_only);
	tcase_add_test(tc, test_2n_su_ranks);
	tcase_add_test(tc, test_npm);
	tcase_add_test(tc, test_npm_m_standbys);
	tcase_add_test(tc, test_nway_active);
	tcase_add_test(tc, test_nway_active_limits);
	tcase_add_test(tc, test_nway);
	tcase_add_test(tc, test_noredundancy);
	tcase_add_test(tc, test_capability_one_active_or_one_standby);
	tcase_add_test(tc, test_capability_x_active_or_y_standby);
	tcase_add_test(tc, test_capability_x_active_and_y_standby);
	tcase_add_test(tc, test_capability_rules);
	tcase_add_test(tc, test_csi_dependency_order);
	tcase_add_test(tc, test_escalation_comp_to_su_restart);
	tcase_add_test(tc, test_escalation_to_su_failover_and_node_failover);
	tcase_add_test(tc, test_node_failover_window);
	tcase_add_test(tc, test_recovery_never_weaker);
	tcase_add_test(tc, test_comp_failover_without_su_failover);
	tcase_add_test(tc, test_application_restart_and_cluster_reset);
	tcase_add_test(tc, test_su_auto_repair);
	tcase_add_test(tc, test_failed_actions);
	tcase_add_test(tc, test_admin_states);
	tcase_add_test(tc, test_admin_node_and_sg);
	tcase_add_loop_test(tc, test_random_properties, 0, 3);
	tcase_add_loop_test(tc, test_random_with_failures, 0, 3);
	tcase_add_test(tc, test_random_deterministic);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(amf_assign_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
