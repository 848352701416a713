/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the AMF model and the amf.conf reader: files in OpenAIS's
 * format load unchanged (the files in test/unit/amf and conf/amf.conf.example),
 * every redundancy model, distinguished names and lookup, every class of
 * error reported as FILE:LINE: reason at the right line, files that are
 * not regular (a FIFO) or too large refused without blocking, and the
 * runtime assignment bookkeeping of the model.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "amf_check.h"
#include "amf_config.h"

/* ---- collecting reports ---- */

struct diags {
	char text[16384];
	size_t len;
	unsigned errors, warnings;
};

static void diag_collect(void *ctx, enum amf_diag_severity sev, const char *file, unsigned line, const char *msg)
{
	struct diags *d = ctx;
	char buf[1024];
	int n = amf_diag_format(buf, sizeof(buf), sev, file, line, msg);

	ck_assert_int_gt(n, 0);
	if (d->len + (size_t)n + 2 < sizeof(d->text)) {
		memcpy(d->text + d->len, buf, (size_t)n);
		d->len += (size_t)n;
		d->text[d->len++] = '\n';
		d->text[d->len] = '\0';
	}
	if (sev == AMF_DIAG_ERROR)
		d->errors++;
	else
		d->warnings++;
}

static struct amf_cluster *load_ok(const char *path)
{
	struct amf_cluster *c = NULL;
	struct diags d = { .len = 0 };
	unsigned e = 99, w = 99;
	int r = amf_config_load(path, diag_collect, &d, &e, &w, &c);

	ck_assert_msg(r == 0, "%s: %d\n%s", path, r, d.text);
	ck_assert_msg(w == 0, "%s: warnings\n%s", path, d.text);
	ck_assert_uint_eq(e, 0);
	ck_assert_ptr_nonnull(c);
	return c;
}

static char *dn_of_comp(const struct amf_comp *c)
{
	static char buf[AMF_DN_MAX + 1];

	ck_assert_int_gt(amf_comp_dn(c, buf, sizeof(buf)), 0);
	return buf;
}

/* ---- files that must load ---- */

START_TEST(test_openais_style_loads)
{
	struct amf_cluster *c = load_ok(AMF_TEST_DIR "/openais_style.conf");
	struct amf_counts k;
	struct amf_app *a;
	struct amf_sg *g;
	struct amf_su *u;
	struct amf_comp *p;
	struct amf_si *s;
	struct amf_csi *csi;
	struct amf_csi_attr *at;
	struct amf_healthcheck *h;

	amf_cluster_count(c, &k);
	ck_assert_uint_eq(k.nodes, 2);
	ck_assert_uint_eq(k.apps, 1);
	ck_assert_uint_eq(k.sgs, 1);
	ck_assert_uint_eq(k.sus, 2);
	ck_assert_uint_eq(k.comps, 4);
	ck_assert_uint_eq(k.healthchecks, 6);
	ck_assert_uint_eq(k.sis, 2);
	ck_assert_uint_eq(k.csis, 4);
	ck_assert_uint_eq(k.cstypes, 2);
	ck_assert_uint_eq(k.sgs_by_model[AMF_RED_NPM], 1);
	ck_assert_str_eq(c->name, "DEMO_CLUSTER");
	ck_assert_uint_eq(c->startup_timeout_ms, 3000);
	ck_assert_str_eq(c->nodes->clm_node, "alpha");
	ck_assert_uint_eq(c->nodes->su_failover_prob_ms, 2000);
	ck_assert_uint_eq(c->nodes->su_failover_max, 2);
	ck_assert_ptr_eq(amf_node_by_clm_name(c, "beta"), c->nodes->next);

	a = c->apps;
	ck_assert_str_eq(a->name, "DEMO-APP");
	g = a->sgs;
	ck_assert_int_eq(g->model, AMF_RED_NPM);
	ck_assert_uint_eq(g->max_active_sis_per_su, 2);
	ck_assert_uint_eq(g->comp_restart_prob_ms, 100000);
	ck_assert_uint_eq(g->su_restart_max, 3);
	ck_assert_uint_eq(g->num_pref_inservice_sus, 2); /* default: the SUs of the SG */
	u = g->sus->next;
	ck_assert_str_eq(u->name, "UNIT_2");
	ck_assert_ptr_eq(u->node, c->nodes->next);
	ck_assert_str_eq(u->clccli_path, "/opt/demo");
	p = u->comps;
	ck_assert_str_eq(dn_of_comp(p), "safComp=P,safSu=UNIT_2,safSg=STORE,safApp=DEMO-APP");
	ck_assert_uint_eq(p->category, AMF_COMP_SA_AWARE);
	ck_assert_int_eq(p->capability, AMF_CAP_X_ACTIVE_OR_Y_STANDBY);
	ck_assert_int_eq(p->recovery_on_error, AMF_REC_COMPONENT_RESTART);
	/* a relative command gets the SU's clccli_path */
	ck_assert_str_eq(p->instantiate.cmd, "clc_script");
	ck_assert_str_eq(p->instantiate.path, "/opt/demo/clc_script");
	ck_assert_uint_eq(p->instantiate.argv.n, 2);
	ck_assert_str_eq(p->instantiate.argv.v[1], "instantiate");
	ck_assert_ptr_null(p->instantiate.argv.v[2]);
	ck_assert_uint_eq(p->instantiate.timeout_ms, 5000); /* from the default */
	ck_assert_uint_eq(p->csi_set_callback_timeout_ms, 5000);
	ck_assert_uint_eq(p->env.n, 4);
	ck_assert_str_eq(p->env.v[0], "DEMO_BINARY_DIR=/opt/demo");
	ck_assert_str_eq(p->env.v[3], "beta=two");
	ck_assert_uint_eq(p->cs_types.n, 1);
	ck_assert_str_eq(p->cs_types.v[0], "P");
	h = amf_healthcheck_by_key(p, "byComp", 6);
	ck_assert_ptr_nonnull(h);
	ck_assert_uint_eq(h->period_ms, 100);
	ck_assert_uint_eq(h->max_duration_ms, 350);
	/* the absolute command of the first SU's component is kept as it is */
	ck_assert_str_eq(g->sus->comps->instantiate.path, "/opt/demo/clc_script");
	ck_assert_uint_eq(g->sus->comps->instantiate.argv.n, 3);
	ck_assert_str_eq(g->sus->comps->instantiate.argv.v[2], "/opt/demo/server");

	s = a->sis;
	ck_assert_ptr_eq(s->sg, g); /* the only SG protects it */
	ck_assert_uint_eq(s->num_csis, 2);
	csi = s->csis->next;
	ck_assert_str_eq(csi->name, "LOAD1-Q");
	ck_assert_ptr_eq(csi->cstype, a->cstypes->next);
	at = csi->attrs;
	ck_assert_str_eq(at->name, "colour");
	ck_assert_uint_eq(at->values.n, 2);
	ck_assert_str_eq(at->values.v[1], "green");
	ck_assert_str_eq(at->next->values.v[0], "10");
	ck_assert_uint_eq(a->cstypes->attr_names.n, 2);
	ck_assert_str_eq(a->cstypes->attr_names.v[1], "limit");

	/* runtime states start where the specification starts them */
	ck_assert_int_eq(u->admin_state, AMF_ADMIN_UNLOCKED);
	ck_assert_int_eq(u->oper_state, AMF_OPER_DISABLED);
	ck_assert_int_eq(u->presence_state, AMF_PRESENCE_UNINSTANTIATED);
	ck_assert_int_eq(u->readiness_state, AMF_READINESS_OUT_OF_SERVICE);
	ck_assert_int_eq(p->presence_state, AMF_PRESENCE_UNINSTANTIATED);
	ck_assert_int_eq(s->assignment_state, AMF_ASSIGNMENT_UNASSIGNED);
	amf_cluster_free(c);
}
END_TEST

START_TEST(test_example_loads)
{
	struct amf_cluster *c = load_ok(AMF_EXAMPLE);
	struct amf_counts k;

	amf_cluster_count(c, &k);
	ck_assert_uint_eq(k.nodes, 3);
	ck_assert_uint_eq(k.sgs_by_model[AMF_RED_2N], 1);
	ck_assert_uint_eq(k.sgs_by_model[AMF_RED_NPM], 1);
	for (int i = 1; i <= 3; i++) {
		char name[8];

		snprintf(name, sizeof(name), "n%d", i);
		ck_assert_ptr_nonnull(amf_node_by_clm_name(c, name));
	}
	for (struct amf_su *u = amf_su_next(c, NULL); u; u = amf_su_next(c, u))
		ck_assert_ptr_nonnull(u->node);
	amf_cluster_free(c);
}
END_TEST

START_TEST(test_every_model)
{
	struct amf_cluster *c = load_ok(AMF_TEST_DIR "/models.conf");
	static const struct {
		const char *app;
		enum amf_redundancy_model model;
		size_t sus;
		const char *name;
	} want[] = {
		{ "app-2n", AMF_RED_2N, 2, "2n" },
		{ "app-npm", AMF_RED_NPM, 3, "nplusm" },
		{ "app-nway", AMF_RED_NWAY, 3, "nway" },
		{ "app-nwa", AMF_RED_NWAY_ACTIVE, 3, "nwayactive" },
		{ "app-none", AMF_RED_NO_REDUNDANCY, 2, "noredundancy" },
	};
	struct amf_counts k;

	amf_cluster_count(c, &k);
	for (int m = AMF_RED_2N; m <= AMF_RED_NO_REDUNDANCY; m++)
		ck_assert_uint_eq(k.sgs_by_model[m], 1);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		struct amf_app *a = amf_app_by_name(c, want[i].app);

		ck_assert_ptr_nonnull(a);
		ck_assert_int_eq(a->sgs->model, want[i].model);
		ck_assert_uint_eq(a->sgs->su_count, want[i].sus);
		ck_assert_str_eq(amf_redundancy_model_name(want[i].model), want[i].name);
	}
	ck_assert_uint_eq(amf_app_by_name(c, "app-npm")->sgs->num_pref_active_sus, 2);
	ck_assert_uint_eq(amf_app_by_name(c, "app-nwa")->sgs->num_pref_standby_sus, 0);
	ck_assert_uint_eq(amf_app_by_name(c, "app-none")->sgs->max_active_sis_per_su, 1);
	ck_assert_uint_eq(amf_app_by_name(c, "app-nwa")->sgs->sus->comps->num_max_standby_csi, 0);
	amf_cluster_free(c);
}
END_TEST

START_TEST(test_features_load)
{
	struct amf_cluster *c = load_ok(AMF_TEST_DIR "/features.conf");
	struct amf_app *a = c->apps;
	struct amf_sg *g = a->sgs;
	struct amf_comp *m = g->sus->comps, *helper = m->next, *m2 = g->sus->next->comps;
	struct amf_si *s1 = a->sis, *s2 = s1->next;

	ck_assert_uint_eq(c->startup_timeout_ms, 5000); /* 0 means the default */
	ck_assert_str_eq(c->clm_cluster, "ais-cluster");
	ck_assert(!c->nodes->auto_repair);
	ck_assert(c->nodes->reboot_on_termination_failure);
	ck_assert_ptr_eq(g->sus->node, c->nodes); /* hosted by a DN */
	ck_assert(g->auto_adjust);
	ck_assert(!g->auto_repair);
	ck_assert_uint_eq(g->num_pref_assigned_sus, 2);
	/* the nearest clccli_path wins; an absolute command keeps its path */
	ck_assert_str_eq(m->instantiate.path, "/comp/start");
	ck_assert_str_eq(m->terminate.path, "/comp/stop");
	ck_assert_str_eq(m->cleanup.path, "/abs/kill");
	ck_assert_str_eq(m2->instantiate.path, "/sg/start"); /* trailing '/' not doubled */
	ck_assert_uint_eq(m->instantiate.argv.n, 4);
	ck_assert_str_eq(m->instantiate.argv.v[3], "-c");
	ck_assert_uint_eq(m->instantiate.timeout_ms, 101);
	ck_assert_uint_eq(m->terminate.timeout_ms, 102);
	ck_assert_uint_eq(m->cleanup.timeout_ms, 103);
	ck_assert_uint_eq(m->terminate_callback_timeout_ms, 201);
	ck_assert_uint_eq(m->csi_rmv_callback_timeout_ms, 204);
	ck_assert_uint_eq(m->delay_between_instantiate_ms, 105);
	ck_assert_int_eq(m->recovery_on_error, AMF_REC_NO_RECOMMENDATION);
	ck_assert(m->disable_restart);
	ck_assert_uint_eq(m->cs_types.n, 2);
	ck_assert_uint_eq(m->env.n, 2);
	ck_assert_str_eq(m->env.v[1], "TWO=a=b");
	ck_assert_uint_eq(m->healthchecks->max_duration_ms, 50); /* defaults to the period */
	ck_assert_uint_eq(helper->category, AMF_COMP_PROXIED);
	ck_assert_int_eq(helper->capability, AMF_CAP_NON_PRE_INSTANTIABLE);
	ck_assert_uint_eq(helper->num_max_standby_csi, 0);
	ck_assert_uint_eq(m2->category, AMF_COMP_LOCAL);
	/* SI s1: protected by a DN, ranked SUs by name and by DN */
	ck_assert_ptr_eq(s1->sg, g);
	ck_assert_uint_eq(s1->rank, 3);
	ck_assert_uint_eq(s1->pref_active_assignments, 2);
	ck_assert_ptr_eq(s1->ranked_sus->su, g->sus->next);
	ck_assert_uint_eq(s1->ranked_sus->rank, 1);
	ck_assert_ptr_eq(s1->ranked_sus->next->su, g->sus);
	ck_assert_str_eq(s1->csis->attrs->values.v[1], "v 2");
	ck_assert_uint_eq(s1->csis->next->depends.n, 1);
	ck_assert_str_eq(s1->csis->next->depends.v[0], "c1");
	ck_assert_ptr_eq(s1->csis->next->cstype, a->cstypes->next);
	ck_assert_ptr_eq(s2->depends->si, s1);
	ck_assert_uint_eq(s2->depends->tolerance_ms, 1500);
	ck_assert_uint_eq(a->cstypes->next->attr_names.n, 0); /* "{ }" on one line */
	amf_cluster_free(c);
}
END_TEST

/* ---- names, lookup, iteration ---- */

START_TEST(test_dn_and_lookup)
{
	struct amf_cluster *c = load_ok(AMF_TEST_DIR "/features.conf");
	struct amf_comp *m = c->apps->sgs->sus->comps;
	struct amf_csi *csi = c->apps->sis->csis;
	char buf[AMF_DN_MAX + 1];
	enum amf_kind kind;
	size_t n = 0;

	ck_assert_int_eq(amf_cluster_dn(c, buf, sizeof(buf)), (int)strlen("safAmfCluster=feat"));
	ck_assert_str_eq(buf, "safAmfCluster=feat");
	amf_node_dn(c->nodes, buf, sizeof(buf));
	ck_assert_str_eq(buf, "safAmfNode=left,safAmfCluster=feat");
	ck_assert_ptr_eq(amf_node_find(c, buf), c->nodes);
	amf_app_dn(c->apps, buf, sizeof(buf));
	ck_assert_str_eq(buf, "safApp=app");
	amf_sg_dn(c->apps->sgs, buf, sizeof(buf));
	ck_assert_str_eq(buf, "safSg=front,safApp=app");
	ck_assert_ptr_eq(amf_sg_find(c, buf), c->apps->sgs);
	amf_su_dn(m->su, buf, sizeof(buf));
	ck_assert_str_eq(buf, "safSu=one,safSg=front,safApp=app");
	ck_assert_ptr_eq(amf_su_find(c, buf), m->su);
	amf_comp_dn(m, buf, sizeof(buf));
	ck_assert_str_eq(buf, "safComp=main,safSu=one,safSg=front,safApp=app");
	ck_assert_ptr_eq(amf_comp_find(c, buf), m);
	ck_assert_ptr_eq(amf_find(c, buf, strlen(buf), &kind), m);
	ck_assert_int_eq(kind, AMF_KIND_COMP);
	amf_healthcheck_dn(m->healthchecks, buf, sizeof(buf));
	ck_assert_str_eq(buf, "safHealthcheckKey=k,safComp=main,safSu=one,safSg=front,safApp=app");
	ck_assert_ptr_eq(amf_find(c, buf, strlen(buf), &kind), m->healthchecks);
	ck_assert_int_eq(kind, AMF_KIND_HEALTHCHECK);
	amf_si_dn(csi->si, buf, sizeof(buf));
	ck_assert_str_eq(buf, "safSi=s1,safApp=app");
	ck_assert_ptr_eq(amf_si_find(c, buf), csi->si);
	amf_csi_dn(csi, buf, sizeof(buf));
	ck_assert_str_eq(buf, "safCsi=c1,safSi=s1,safApp=app");
	ck_assert_ptr_eq(amf_csi_find(c, buf), csi);
	amf_cstype_dn(c->apps->cstypes, buf, sizeof(buf));
	ck_assert_str_eq(buf, "safCSType=main-t,safApp=app");
	ck_assert_ptr_eq(amf_cstype_find(c, buf), c->apps->cstypes);
	ck_assert_ptr_eq(amf_find(c, "safAmfCluster=feat", 18, &kind), c);
	ck_assert_int_eq(kind, AMF_KIND_CLUSTER);
	/* the length bounds the name: a prefix of a DN is another DN */
	ck_assert_ptr_eq(amf_find(c, "safSu=one,safSg=front,safApp=appX", 32, &kind), m->su);

	/* names that are not there, or not names */
	ck_assert_ptr_null(amf_comp_find(c, "safComp=main,safSu=one,safSg=front,safApp=other"));
	ck_assert_ptr_null(amf_comp_find(c, "safComp=nope,safSu=one,safSg=front,safApp=app"));
	ck_assert_ptr_null(amf_su_find(c, "safComp=main,safSu=one,safSg=front,safApp=app"));
	ck_assert_ptr_null(amf_find(c, "", 0, &kind));
	ck_assert_int_eq(kind, AMF_KIND_NONE);
	ck_assert_ptr_null(amf_find(c, "safApp=", 7, NULL));
	ck_assert_ptr_null(amf_find(c, "safApp=app,", 11, NULL));
	ck_assert_ptr_null(amf_find(c, ",safApp=app", 11, NULL));
	ck_assert_ptr_null(amf_find(c, "safApp", 6, NULL));
	ck_assert_ptr_null(amf_find(c, "safApp\0x=app", 12, NULL));
	ck_assert_ptr_null(amf_find(c, "safApp=ap\0p", 11, NULL));
	ck_assert_ptr_null(amf_find(c, "safAmfCluster=other", 19, NULL));
	ck_assert_ptr_null(amf_find(c, "a=1,b=2,c=3,d=4,e=5,f=6,g=7,safApp=app", 38, NULL));

	/* a buffer too small, and the 256-byte limit */
	ck_assert_int_eq(amf_comp_dn(m, buf, 10), -ENAMETOOLONG);
	ck_assert_str_eq(buf, "");

	for (struct amf_comp *x = amf_comp_next(c, NULL); x; x = amf_comp_next(c, x))
		n++;
	ck_assert_uint_eq(n, 3);
	n = 0;
	for (struct amf_csi *x = amf_csi_next(c, NULL); x; x = amf_csi_next(c, x))
		n++;
	ck_assert_uint_eq(n, 3);
	amf_cluster_free(c);
}
END_TEST

START_TEST(test_iteration_across_apps)
{
	struct amf_cluster *c = load_ok(AMF_TEST_DIR "/models.conf");
	size_t sgs = 0, sus = 0, comps = 0, sis = 0, csis = 0;
	const struct amf_su *prev = NULL;

	for (struct amf_sg *g = amf_sg_next(c, NULL); g; g = amf_sg_next(c, g))
		sgs++;
	for (struct amf_su *u = amf_su_next(c, NULL); u; u = amf_su_next(c, u)) {
		/* file order: within an SG, then SG after SG */
		if (prev && prev->sg == u->sg)
			ck_assert_ptr_eq(prev->next, u);
		prev = u;
		sus++;
	}
	for (struct amf_comp *x = amf_comp_next(c, NULL); x; x = amf_comp_next(c, x))
		comps++;
	for (struct amf_si *s = amf_si_next(c, NULL); s; s = amf_si_next(c, s))
		sis++;
	for (struct amf_csi *x = amf_csi_next(c, NULL); x; x = amf_csi_next(c, x))
		csis++;
	ck_assert_uint_eq(sgs, 5);
	ck_assert_uint_eq(sus, 13);
	ck_assert_uint_eq(comps, 13);
	ck_assert_uint_eq(sis, 10);
	ck_assert_uint_eq(csis, 10);
	amf_cluster_free(c);
}
END_TEST

START_TEST(test_assignments)
{
	struct amf_cluster *c = load_ok(AMF_TEST_DIR "/models.conf");
	struct amf_app *a = amf_app_by_name(c, "app-2n");
	struct amf_su *u1 = a->sgs->sus, *u2 = u1->next;
	struct amf_si *s = a->sis;
	struct amf_si_assignment *act, *stb;
	struct amf_csi_assignment *ca;

	ck_assert_int_eq(amf_si_assignment_state(s), AMF_ASSIGNMENT_UNASSIGNED);
	act = amf_si_assignment_add(u1, s, AMF_HA_ACTIVE);
	ck_assert_ptr_nonnull(act);
	ck_assert_int_eq(s->assignment_state, AMF_ASSIGNMENT_PARTIALLY_ASSIGNED);
	stb = amf_si_assignment_add(u2, s, AMF_HA_STANDBY);
	ck_assert_int_eq(s->assignment_state, AMF_ASSIGNMENT_FULLY_ASSIGNED);
	ck_assert_ptr_eq(u2->assignments, stb);
	ca = amf_csi_assignment_add(u1->comps, s->csis, AMF_HA_ACTIVE);
	ck_assert_ptr_eq(s->csis->assignments, ca);
	amf_si_assignment_remove(stb);
	ck_assert_ptr_null(u2->assignments);
	ck_assert_int_eq(s->assignment_state, AMF_ASSIGNMENT_PARTIALLY_ASSIGNED);
	act->ha_state = AMF_HA_QUIESCED;
	ck_assert_int_eq(amf_si_assignment_state(s), AMF_ASSIGNMENT_UNASSIGNED);
	amf_csi_assignment_remove(ca);
	ck_assert_ptr_null(u1->comps->assignments);
	ck_assert_ptr_null(s->csis->assignments);

	/* N-way active: fully assigned with the preferred number of actives */
	a = amf_app_by_name(c, "app-nwa");
	s = a->sis;
	for (struct amf_su *u = a->sgs->sus; u; u = u->next)
		amf_si_assignment_add(u, s, AMF_HA_ACTIVE);
	ck_assert_int_eq(s->assignment_state, AMF_ASSIGNMENT_FULLY_ASSIGNED);
	/* left in place: amf_cluster_free() frees assignments too */
	amf_si_assignment_add(u1, a->sis->next, AMF_HA_STANDBY);
	amf_csi_assignment_add(u1->comps, a->sis->csis, AMF_HA_STANDBY);

	ck_assert_str_eq(amf_ha_state_name(AMF_HA_QUIESCING), "QUIESCING");
	ck_assert_str_eq(amf_presence_state_name(AMF_PRESENCE_TERMINATION_FAILED), "TERMINATION_FAILED");
	ck_assert_str_eq(amf_admin_state_name(AMF_ADMIN_LOCKED_INSTANTIATION), "LOCKED_INSTANTIATION");
	ck_assert_str_eq(amf_readiness_state_name(AMF_READINESS_STOPPING), "STOPPING");
	ck_assert_str_eq(amf_oper_state_name(AMF_OPER_ENABLED), "ENABLED");
	ck_assert_str_eq(amf_assignment_state_name(AMF_ASSIGNMENT_PARTIALLY_ASSIGNED), "PARTIALLY_ASSIGNED");
	ck_assert_str_eq(amf_admin_state_name((enum amf_admin_state)9), "?");
	ck_assert_str_eq(amf_recovery_name(AMF_REC_NODE_FAILFAST), "node_failfast");
	ck_assert_str_eq(amf_capability_name(AMF_CAP_1_ACTIVE), "1_active");
	ck_assert_str_eq(amf_category_name(AMF_COMP_PROXY), "proxy");
	amf_cluster_free(c);
}
END_TEST

START_TEST(test_spec_values)
{
	/* The numeric values are the SA Forum ones (AIS-API section 3.1). */
	ck_assert_int_eq(AMF_ADMIN_SHUTTING_DOWN, 4);
	ck_assert_int_eq(AMF_OPER_DISABLED, 2);
	ck_assert_int_eq(AMF_PRESENCE_TERMINATION_FAILED, 7);
	ck_assert_int_eq(AMF_READINESS_STOPPING, 3);
	ck_assert_int_eq(AMF_HA_QUIESCING, 4);
	ck_assert_int_eq(AMF_ASSIGNMENT_PARTIALLY_ASSIGNED, 3);
	ck_assert_int_eq(AMF_RED_NPM, 2);
	ck_assert_int_eq(AMF_RED_NO_REDUNDANCY, 5);
	ck_assert_int_eq(AMF_CAP_NON_PRE_INSTANTIABLE, 7);
	ck_assert_int_eq(AMF_COMP_LOCAL, 8);
	ck_assert_int_eq(AMF_REC_APPLICATION_RESTART, 8);
}
END_TEST

/* ---- errors ---- */

/*
 * A small valid file with insertion points: each case puts text at one
 * marker (the others vanish), may drop every line containing `drop`, and
 * expects a report at the line of the first line containing `anchor` in
 * the resulting text (0: no line) whose reason contains `reason`.
 */
static const char base[] = "safAmfCluster = C {\n"
			   "@CLUSTER@"
			   "\tsafAmfNode = N1 {\n"
			   "\t\tsaAmfNodeClmNode = h1\n"
			   "@NODE@"
			   "\t}\n"
			   "\tsafAmfNode = N2 {\n"
			   "\t\tsaAmfNodeClmNode = h2\n"
			   "\t}\n"
			   "\tsafApp = A {\n"
			   "@APP@"
			   "\t\tsafSg = G {\n"
			   "\t\t\tsaAmfSGRedundancyModel = 2n\n"
			   "@SG@"
			   "\t\t\tsafSu = U1 {\n"
			   "\t\t\t\tsaAmfSUHostedByNode = N1\n"
			   "@SU@"
			   "\t\t\t\tsafComp = X {\n"
			   "\t\t\t\t\tsaAmfCompCategory = sa_aware\n"
			   "\t\t\t\t\tsaAmfCompCapability = x_active_or_y_standby\n"
			   "\t\t\t\t\tsaAmfCompInstantiateCmd = /bin/true\n"
			   "\t\t\t\t\tsaAmfCompCleanupCmd = /bin/true\n"
			   "\t\t\t\t\tsaAmfCompCsTypes {\n"
			   "\t\t\t\t\t\tT\n"
			   "\t\t\t\t\t}\n"
			   "@COMP@"
			   "\t\t\t\t}\n"
			   "\t\t\t}\n"
			   "\t\t\tsafSu = U2 {\n"
			   "\t\t\t\tsaAmfSUHostedByNode = N2\n"
			   "\t\t\t\tsafComp = X {\n"
			   "\t\t\t\t\tsaAmfCompCategory = sa_aware\n"
			   "\t\t\t\t\tsaAmfCompCapability = x_active_or_y_standby\n"
			   "\t\t\t\t\tsaAmfCompInstantiateCmd = /bin/true\n"
			   "\t\t\t\t\tsaAmfCompCleanupCmd = /bin/true\n"
			   "\t\t\t\t\tsaAmfCompCsTypes {\n"
			   "\t\t\t\t\t\tT\n"
			   "\t\t\t\t\t}\n"
			   "\t\t\t\t}\n"
			   "\t\t\t}\n"
			   "\t\t}\n"
			   "\t\tsafSi = S {\n"
			   "@SI@"
			   "\t\t\tsafCsi = I {\n"
			   "\t\t\t\tsaAmfCSTypeName = T\n"
			   "@CSI@"
			   "\t\t\t}\n"
			   "\t\t}\n"
			   "\t\tsafCSType = T {\n"
			   "\t\t}\n"
			   "@END@"
			   "\t}\n"
			   "}\n"
			   "@TAIL@";

struct err_case {
	const char *marker;
	const char *insert;
	const char *drop;
	const char *anchor;
	const char *reason;
	bool warning; /* expect a warning and a successful load */
};

static const struct err_case err_cases[] = {
	/* syntax */
	{ "@COMP@", "\t\t\t\t\tsaAmfCompBogus = 1\n", NULL, "saAmfCompBogus", "unknown attribute 'saAmfCompBogus' in safComp", false },
	{ "@SG@", "\t\t\tsafThing = x {\n\t\t\t\ta = b\n\t\t\t}\n", NULL, "safThing", "unknown block 'safThing' in safSg", false },
	{ "@NODE@", "\t\tjust words\n", NULL, "just words", "expected 'attribute = value'", false },
	{ "@NODE@", "\t\tsaAmfNodeAutoRepair\n", NULL, "saAmfNodeAutoRepair", "'saAmfNodeAutoRepair' has no '='", false },
	{ "@NODE@", "\t\tsaAmfNodeSuFailoverMax =\n", NULL, "saAmfNodeSuFailoverMax", "saAmfNodeSuFailoverMax has no value", false },
	{ "@TAIL@", "}\n", NULL, "@LAST@", "'}' without an open block", false },
	{ "@TAIL@", "safApp = Z {\n", NULL, "safApp = Z", "unknown block 'safApp' in the top level", false },
	{ "@END@", "\t\tsafSi = Z {\n", NULL, "safAmfCluster = C", "block safAmfCluster is not closed at the end of the file", false },
	{ "@TAIL@", "x = 1\n", NULL, "x = 1", "attribute 'x' outside of safAmfCluster", false },
	{ "@TAIL@", "safAmfCluster = D {\n}\n", NULL, "safAmfCluster = D", "a second safAmfCluster", false },
	{ "@NODE@", "\t\tsaAmfNodeClmNode = h1 }\n", NULL, "h1 }", "'}' must stand on a line of its own", false },
	{ "@COMP@", "\t\t\t\t\tsaAmfCompCmdEnv {\n\t\t\t\t\t\tsafX = y {\n\t\t\t\t\t\t}\n\t\t\t\t\t}\n", NULL, "safX", "a block cannot open inside saAmfCompCmdEnv", false },
	{ "@APP@", "\t\tsafSg {\n\t\t}\n", NULL, "safSg {", "safSg needs a name", false },
	{ "@COMP@", "\t\t\t\t\tsaAmfCompCmdEnv = E {\n\t\t\t\t\t}\n", NULL, "saAmfCompCmdEnv = E", "saAmfCompCmdEnv takes no name", false },
	/* values */
	{ "@SG@", "\t\t\tsaAmfSGCompRestartMax = two\n", NULL, "saAmfSGCompRestartMax", "saAmfSGCompRestartMax: 'two' is not a number", false },
	{ "@SG@", "\t\t\tsaAmfSGCompRestartMax = -1\n", NULL, "saAmfSGCompRestartMax", "'-1' is not a number", false },
	{ "@SG@", "\t\t\tsaAmfSGCompRestartMax = 4294967296\n", NULL, "saAmfSGCompRestartMax", "4294967296 is out of range", false },
	{ "@SG@", "\t\t\tsaAmfSGSuRestartProb = 99999999999999999999\n", NULL, "saAmfSGSuRestartProb", "out of range", false },
	{ "@CLUSTER@", "\tsaAmfClusterStartupTimeout = 9223372036855\n", NULL, "saAmfClusterStartupTimeout", "out of range", false },
	{ "@SG@", "\t\t\tsaAmfSGNumPrefActiveSUs = 0\n", NULL, "saAmfSGNumPrefActiveSUs", "0 is out of range (1..", false },
	{ "@COMP@", "\t\t\t\t\tsaAmfCompDefaultClcCliTimeout = 0\n", NULL, "saAmfCompDefaultClcCliTimeout", "out of range", false },
	{ "@NODE@", "\t\tsaAmfNodeAutoRepair = yes\n", NULL, "saAmfNodeAutoRepair", "'yes' is not true or false", false },
	{ "@APP@", "\t\tsafSg = G3 {\n\t\t\tsaAmfSGRedundancyModel = 3n\n\t\t}\n", NULL, "3n", "unknown value '3n' (one of: 2n, nplusm, nway, nwayactive, noredundancy)", false },
	{ "@COMP@", "\t\t\t\t\tsaAmfCompRecoveryOnError = reboot\n", NULL, "reboot", "saAmfCompRecoveryOnError: unknown value 'reboot'", false },
	{ "@NODE@", "\t\tsaAmfNodeClmNode = h9\n", NULL, "h9", "saAmfNodeClmNode is given twice in this safAmfNode (first on line 3)", false },
	{ "@COMP@", "\t\t\t\t\tsaAmfCompCmdEnv {\n\t\t\t\t\t\tnoequals\n\t\t\t\t\t}\n", NULL, "noequals", "'noequals' is not NAME=value", false },
	{ "@COMP@", "\t\t\t\t\tsaAmfCompCmdEnv = 9X=1\n", NULL, "9X=1", "'9X' is not a variable name", false },
	{ "@COMP@", "\t\t\t\t\tsaAmfCompCmdEnv = A=1\n\t\t\t\t\tsaAmfCompCmdEnv = A=2\n", NULL, "A=2", "A is set twice", false },
	{ "@COMP@", "\t\t\t\t\tsaAmfCompCmdEnv = SA_AMF_COMPONENT_NAME=x\n", NULL, "SA_AMF_COMPONENT_NAME", "set by AMF", false },
	{ "@COMP@", "\t\t\t\t\tsafHealthcheckKey = 0123456789012345678901234567890123 {\n\t\t\t\t\t\tsaAmfHealthcheckPeriod = 1\n\t\t\t\t\t}\n", NULL, "0123456789", "a key must be 1 to 32 printable bytes", false },
	{ "@APP@", "\t\tsafSg = a,b {\n\t\t}\n", NULL, "a,b", "a name with ',' or '='", false },
	/* duplicates and missing attributes */
	{ "@NODE@", "\t}\n\tsafAmfNode = N1 {\n", NULL, "safAmfNode = N1 {\n\t}", "safAmfNode 'N1' is defined twice (first on line 2)", false },
	{ "@APP@", "\t\tsafCSType = T {\n\t\t}\n", NULL, "safCSType = T {\n\t\t}\n\t}", "safCSType 'T' is defined twice", false },
	{ NULL, NULL, "saAmfSGRedundancyModel", "safSg = G", "safSg 'G': saAmfSGRedundancyModel is missing", false },
	{ NULL, NULL, "saAmfSUHostedByNode = N1", "safSu = U1", "safSu 'U1': saAmfSUHostedByNode is missing", false },
	{ NULL, NULL, "saAmfCompCategory", "safComp = X", "safComp 'X': saAmfCompCategory is missing", false },
	{ NULL, NULL, "saAmfCompCapability", "safComp = X", "safComp 'X': saAmfCompCapability is missing", false },
	{ NULL, NULL, "saAmfCompInstantiateCmd", "safComp = X", "saAmfCompInstantiateCmd is missing", false },
	{ NULL, NULL, "saAmfCompCleanupCmd", "safComp = X", "no saAmfCompCleanupCmd", true },
	{ NULL, NULL, "saAmfCSTypeName", "safCsi = I", "safCsi 'I': saAmfCSTypeName is missing", false },
	{ "@COMP@", "\t\t\t\t\tsafHealthcheckKey = k {\n\t\t\t\t\t}\n", NULL, "safHealthcheckKey = k", "saAmfHealthcheckPeriod is missing", false },
	{ "@CSI@", "\t\t\t\tsafCSIAttr = empty {\n\t\t\t\t}\n", NULL, "safCSIAttr", "safCSIAttr 'empty' has no value", false },
	{ "@END@", "\t\tsafSi = lonely {\n\t\t}\n", NULL, "safSi = lonely", "safSi 'lonely' has no safCsi", false },
	{ "@APP@", "\t\tsafSg = G0 {\n\t\t\tsaAmfSGRedundancyModel = nway\n\t\t}\n", NULL, "safSg = G0", "safSg 'G0' has no safSu", false },
	{ "@SG@", "\t\t\tsafSu = U0 {\n\t\t\t\tsaAmfSUHostedByNode = N1\n\t\t\t}\n", NULL, "safSu = U0", "safSu 'U0' has no safComp", false },
	/* references */
	{ NULL, NULL, "saAmfSUHostedByNode = N2", "safSu = U2", "saAmfSUHostedByNode is missing", false },
	{ "@SU@", "", "saAmfSUHostedByNode = N1", "safSu = U1", "saAmfSUHostedByNode is missing", false },
	{ "@SI@", "\t\t\tsaAmfSIProtectedbySG = nosuch\n", NULL, "nosuch", "saAmfSIProtectedbySG 'nosuch' names no safSg of safApp 'A'", false },
	{ "@APP@", "\t\tsafSg = G2 {\n\t\t\tsaAmfSGRedundancyModel = nwayactive\n\t\t\tsafSu = V {\n\t\t\t\tsaAmfSUHostedByNode = N1\n\t\t\t\tsafComp = Y {\n\t\t\t\t\tsaAmfCompCategory = sa_aware\n\t\t\t\t\tsaAmfCompCapability = x_active\n\t\t\t\t\tsaAmfCompInstantiateCmd = /bin/true\n\t\t\t\t\tsaAmfCompCleanupCmd = /bin/true\n\t\t\t\t}\n\t\t\t}\n\t\t}\n", NULL, "safSi = S", "saAmfSIProtectedbySG is needed, safApp 'A' has 2 service groups", false },
	{ "@CSI@", "\t\t\t\tsaAmfCSTypeName = Q\n", NULL, "= Q", "saAmfCSTypeName is given twice", false },
	{ "@COMP@", "\t\t\t\t\tsaAmfCompCsTypes = nosuch\n", NULL, "saAmfCompCsTypes {", "saAmfCompCsTypes 'nosuch' names no safCSType of safApp 'A'", false },
	{ "@END@", "\t\tsafCSType = T2 {\n\t\t}\n\t\tsafSi = S2 {\n\t\t\tsafCsi = J {\n\t\t\t\tsaAmfCSTypeName = T2\n\t\t\t}\n\t\t}\n", NULL, "saAmfCSTypeName = T2", "no component of safSg 'G' lists CS type 'T2'", false },
	{ "@END@", "\t\tsafSi = S2 {\n\t\t\tsafCsi = J {\n\t\t\t\tsaAmfCSTypeName = T9\n\t\t\t}\n\t\t}\n", NULL, "= T9", "saAmfCSTypeName 'T9' names no safCSType", false },
	{ "@CSI@", "\t\t\t\tsaAmfCsiDependencies {\n\t\t\t\t\tsaAmfCSIDependency = ghost\n\t\t\t\t}\n", NULL, "saAmfCsiDependencies", "saAmfCSIDependency 'ghost' names no safCsi of safSi 'S'", false },
	{ "@CSI@", "\t\t\t\tsaAmfCsiDependencies {\n\t\t\t\t\tsaAmfCSIDependency = I\n\t\t\t\t}\n", NULL, "saAmfCsiDependencies", "safCsi 'I' depends on itself", false },
	{ "@CSI@", "\t\t\t\tsaAmfCsiDependencies {\n\t\t\t\t\tsaAmfCSIDependency = I2\n\t\t\t\t}\n\t\t\t}\n\t\t\tsafCsi = I2 {\n\t\t\t\tsaAmfCSTypeName = T\n\t\t\t\tsaAmfCsiDependencies {\n\t\t\t\t\tsaAmfCSIDependency = I\n\t\t\t\t}\n",
	  NULL, "saAmfCsiDependencies", "safCsi 'I': the saAmfCSIDependency entries of safSi 'S' form a cycle", false },
	{ "@SI@", "\t\t\tsafDepend = S {\n\t\t\t}\n", NULL, "safDepend", "safSi 'S' depends on itself", false },
	{ "@SI@", "\t\t\tsafDepend = nosi {\n\t\t\t}\n", NULL, "safDepend", "safDepend 'nosi' names no safSi", false },
	{ "@END@", "\t\tsafSi = S2 {\n\t\t\tsafDepend = S3 {\n\t\t\t}\n\t\t\tsafCsi = J {\n\t\t\t\tsaAmfCSTypeName = T\n\t\t\t}\n\t\t}\n\t\tsafSi = S3 {\n\t\t\tsafDepend = S2 {\n\t\t\t}\n\t\t\tsafCsi = J {\n\t\t\t\tsaAmfCSTypeName = T\n\t\t\t}\n\t\t}\n",
	  NULL, "safDepend = S3", "the safDepend entries form a cycle", false },
	{ "@SI@", "\t\t\tsafRankedSu = U7 {\n\t\t\t\tsaAmfRank = 1\n\t\t\t}\n", NULL, "safRankedSu", "safRankedSu 'U7' names no safSu of safSg 'G' (ignored)", true },
	{ "@NODE@", "\t}\n\tsafAmfNode = N3 {\n\t\tsaAmfNodeClmNode = h1\n", NULL, "h1\n\t}\n\tsafAmfNode = N2", "saAmfNodeClmNode 'h1' is already the CLM node of safAmfNode 'N1'", false },
	/* redundancy models and capabilities */
	{ "@SG@", "\t\t\tsaAmfSGNumPrefActiveSUs = 2\n", NULL, "saAmfSGNumPrefActiveSUs", "saAmfSGNumPrefActiveSUs must be 1 with redundancy model 2n", false },
	{ "@SG@", "\t\t\tsaAmfSGNumPrefStandbySUs = 3\n", NULL, "saAmfSGNumPrefStandbySUs", "must be 1 with redundancy model 2n", false },
	{ "@SG@", "\t\t\tsaAmfSGNumPrefInserviceSUs = 1\n\t\t\tsaAmfSGNumPrefAssignedSUs = 2\n", NULL, "saAmfSGNumPrefAssignedSUs", "more than saAmfSGNumPrefInserviceSUs", false },
	{ "@COMP@", "\t\t\t\t\tsaAmfCompNumMaxActiveCsi = 0\n", NULL, "saAmfCompNumMaxActiveCsi", "must be at least 1", false },
	{ "@SU@", "\t\t\t\tsafComp = Z {\n\t\t\t\t\tsaAmfCompCategory = sa_aware\n\t\t\t\t\tsaAmfCompCapability = one_active_or_one_standby\n\t\t\t\t\tsaAmfCompNumMaxStandbyCsi = 2\n\t\t\t\t\tsaAmfCompInstantiateCmd = /x\n\t\t\t\t\tsaAmfCompCleanupCmd = /x\n\t\t\t\t}\n", NULL, "saAmfCompNumMaxStandbyCsi = 2", "allows at most 1 standby CSI", false },
	{ "@COMP@", "\t\t\t\t\tsaAmfCompNumMaxStandbyCsi = 2\n", NULL, "saAmfCompNumMaxStandbyCsi", "", true }, /* plain: valid */
	{ "@SU@", "\t\t\t\tsafComp = Z {\n\t\t\t\t\tsaAmfCompCategory = sa_aware\n\t\t\t\t\tsaAmfCompCapability = 1_active\n\t\t\t\t\tsaAmfCompNumMaxActiveCsi = 2\n\t\t\t\t\tsaAmfCompInstantiateCmd = /x\n\t\t\t\t\tsaAmfCompCleanupCmd = /x\n\t\t\t\t}\n", NULL, "saAmfCompNumMaxActiveCsi = 2", "capability 1_active allows at most 1 active CSI", false },
	{ "@SU@", "\t\t\t\tsafComp = Z {\n\t\t\t\t\tsaAmfCompCategory = sa_aware\n\t\t\t\t\tsaAmfCompCapability = non_preinstantiable\n\t\t\t\t\tsaAmfCompInstantiateCmd = /x\n\t\t\t\t\tsaAmfCompCleanupCmd = /x\n\t\t\t\t}\n", NULL, "= non_preinstantiable", "not possible for an sa_aware component", false },
	{ "@SU@", "\t\t\t\tsafComp = Z {\n\t\t\t\t\tsaAmfCompCategory = sa_aware\n\t\t\t\t\tsaAmfCompCapability = x_active\n\t\t\t\t\tsaAmfCompInstantiateCmd = relative\n\t\t\t\t\tsaAmfCompCleanupCmd = /x\n\t\t\t\t}\n", NULL, "= relative", "saAmfCompInstantiateCmd 'relative' is not an absolute path and no clccli_path applies", true },
	/* lenient: what OpenAIS ignored */
	{ "@END@", "\t\tsafCSType = T3 {\n\t\t\twhatever = 1\n\t\t}\n", NULL, "whatever", "unknown attribute 'whatever' in safCSType (ignored)", true },
	{ "@CSI@", "\t\t\t\tsafCSIAttr = extra {\n\t\t\t\t\tv\n\t\t\t\t}\n", NULL, "safCSIAttr", "", true },
	{ "@COMP@", "\t\t\t\t\tsaAmfCompCsTypes = T\n", NULL, "saAmfCompCsTypes = T", "saAmfCompCsTypes: 'T' is listed twice", true },
};

/* Build the text of a case into out (size outlen). */
static void build_case(const struct err_case *ec, char *out, size_t outlen)
{
	const char *s = base;
	size_t o = 0;

	while (*s) {
		if (*s == '@') {
			const char *end = strchr(s + 1, '@');
			size_t mlen = (size_t)(end - s) + 1;

			if (ec->marker && strncmp(s, ec->marker, mlen) == 0 && strlen(ec->marker) == mlen) {
				size_t n = strlen(ec->insert);

				ck_assert(o + n < outlen);
				memcpy(out + o, ec->insert, n);
				o += n;
			}
			s += mlen;
			continue;
		}
		ck_assert(o + 1 < outlen);
		out[o++] = *s++;
	}
	out[o] = '\0';
	if (ec->drop) {
		/* drop every line that contains drop */
		char *line = out, *w = out;

		while (*line) {
			char *nl = strchr(line, '\n');
			size_t n = nl ? (size_t)(nl - line) + 1 : strlen(line);
			char save = line[n - 1];
			bool hit;

			line[n - 1] = '\0';
			hit = strstr(line, ec->drop) != NULL;
			line[n - 1] = save;
			if (!hit) {
				memmove(w, line, n);
				w += n;
			}
			line += n;
		}
		*w = '\0';
	}
}

static unsigned line_of(const char *text, const char *anchor)
{
	const char *hit;
	unsigned line = 1;

	if (strcmp(anchor, "@LAST@") == 0) {
		for (const char *t = text; *t; t++)
			line += *t == '\n';
		return line - 1;
	}
	hit = strstr(text, anchor);
	ck_assert_msg(hit != NULL, "anchor '%s' not in\n%s", anchor, text);
	for (const char *t = text; t < hit; t++)
		line += *t == '\n';
	return line;
}

static void run_case(const struct err_case *ec, size_t idx)
{
	static char text[8192];
	struct amf_cluster *c = NULL;
	struct diags d = { .len = 0 };
	char want[512];
	unsigned e, w;
	int r;

	build_case(ec, text, sizeof(text));
	r = amf_config_parse_mem(text, strlen(text), "case.conf", diag_collect, &d, &e, &w, &c);
	ck_assert_uint_eq(e, d.errors);
	ck_assert_uint_eq(w, d.warnings);
	if (ec->warning) {
		ck_assert_msg(r == 0, "case %zu: %d\n%s\n%s", idx, r, d.text, text);
		ck_assert_ptr_nonnull(c);
		amf_cluster_free(c);
		if (!ec->reason[0]) {
			ck_assert_msg(w == 0, "case %zu: unexpected warnings\n%s", idx, d.text);
			return;
		}
		snprintf(want, sizeof(want), "case.conf:%u: warning: ", line_of(text, ec->anchor));
	} else {
		ck_assert_msg(r == -EINVAL, "case %zu: loaded (%d)\n%s", idx, r, text);
		ck_assert_uint_gt(e, 0);
		snprintf(want, sizeof(want), "case.conf:%u: ", line_of(text, ec->anchor));
	}
	/* some report must start with the FILE:LINE: prefix and hold the reason */
	for (const char *l = d.text; *l;) {
		const char *nl = strchr(l, '\n');

		if (strncmp(l, want, strlen(want)) == 0) {
			const char *hit = strstr(l, ec->reason);

			if (hit && hit < nl)
				return;
		}
		l = nl + 1;
	}
	ck_abort_msg("case %zu: want '%s...%s', got:\n%s", idx, want, ec->reason, d.text);
}

START_TEST(test_base_is_valid)
{
	static const struct err_case none = { NULL, NULL, NULL, NULL, "", true };

	run_case(&none, 0);
}
END_TEST

START_TEST(test_error_classes)
{
	run_case(&err_cases[_i], (size_t)_i);
}
END_TEST

/* One SG of one SU protecting two SIs; the model and extra lines vary. */
#define ONE_SU "safAmfCluster = C {\n"\
			     "\tsafAmfNode = N1 {\n\t\tsaAmfNodeClmNode = h1\n\t}\n"\
			     "\tsafApp = A {\n"\
			     "\t\tsafSg = G {\n"\
			     "\t\t\tsaAmfSGRedundancyModel = %s\n"\
			     "%s"\
			     "\t\t\tsafSu = U1 {\n\t\t\t\tsaAmfSUHostedByNode = N1\n"\
			     "\t\t\t\tsafComp = X {\n\t\t\t\t\tsaAmfCompCategory = sa_aware\n"\
			     "\t\t\t\t\tsaAmfCompCapability = x_active_or_y_standby\n"\
			     "\t\t\t\t\tsaAmfCompInstantiateCmd = /x\n\t\t\t\t\tsaAmfCompCleanupCmd = /x\n"\
			     "\t\t\t\t\tsaAmfCompCsTypes = T\n\t\t\t\t}\n\t\t\t}\n"\
			     "\t\t}\n"\
			     "\t\tsafSi = S1 {\n\t\t\tsafCsi = I {\n\t\t\t\tsaAmfCSTypeName = T\n\t\t\t}\n\t\t}\n"\
			     "\t\tsafSi = S2 {\n\t\t\tsafCsi = I {\n\t\t\t\tsaAmfCSTypeName = T\n\t\t\t}\n\t\t}\n"\
			     "\t\tsafCSType = T {\n\t\t}\n"\
			     "\t}\n}\n"

START_TEST(test_model_errors)
{
	static char text[8192];
	struct diags d = { .len = 0 };
	struct amf_cluster *c = NULL;
	/* 2n with one SU (drop U2's block entirely): reported at the model line */
	static const struct {
		const char *model, *extra;
		int ok;
		const char *want;
	} cases[] = {
		{ "2n", "", 0, "case.conf:7: safSg 'G': redundancy model 2n needs at least 2 service units, it has 1" },
		{ "nplusm", "", 0, "case.conf:7: safSg 'G': redundancy model nplusm needs at least 2 service units" },
		{ "nway", "", 0, "case.conf:7: safSg 'G': redundancy model nway needs at least 2 service units" },
		{ "nwayactive", "", 1, "" },
		{ "noredundancy", "", 1,
		  "case.conf:6: warning: safSg 'G' (noredundancy) protects 2 service instances with 1 service units" },
		{ "noredundancy", "\t\t\tsaAmfSGMaxActiveSIsperSUs = 2\n", 0,
		  "case.conf:8: saAmfSGMaxActiveSIsperSUs must be at most 1 with redundancy model noredundancy" },
		{ "nplusm", "\t\t\tsaAmfSGNumPrefStandbySUs = 0\n", 0,
		  "case.conf:8: saAmfSGNumPrefStandbySUs must be at least 1 with redundancy model nplusm" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r;

		d.len = 0;
		d.text[0] = '\0';
		snprintf(text, sizeof(text), ONE_SU, cases[i].model, cases[i].extra);
		r = amf_config_parse_mem(text, strlen(text), "case.conf", diag_collect, &d, NULL, NULL, &c);
		ck_assert_msg((r == 0) == (cases[i].ok == 1), "%zu: %d\n%s", i, r, d.text);
		ck_assert_msg(strstr(d.text, cases[i].want) != NULL, "%zu: want %s\ngot\n%s", i, cases[i].want, d.text);
		if (r == 0)
			amf_cluster_free(c);
		c = NULL;
	}
}
END_TEST

START_TEST(test_odd_bytes)
{
	struct diags d = { .len = 0 };
	struct amf_cluster *c = NULL;
	static char big[AMF_CONFIG_LINE_MAX + 64];
	const char nul[] = "safAmfCluster = C {\n\tsaAmfClusterClmCluster = a\0b\n}\n";
	int r;

	r = amf_config_parse_mem(nul, sizeof(nul) - 1, "nul.conf", diag_collect, &d, NULL, NULL, &c);
	ck_assert_int_eq(r, -EINVAL);
	ck_assert_ptr_nonnull(strstr(d.text, "nul.conf:2: NUL byte in line"));

	memset(big, 'x', sizeof(big) - 1);
	d.len = 0;
	r = amf_config_parse_mem(big, sizeof(big) - 1, "long.conf", diag_collect, &d, NULL, NULL, &c);
	ck_assert_int_eq(r, -EINVAL);
	ck_assert_ptr_nonnull(strstr(d.text, "long.conf:1: line longer than 4096 bytes"));

	d.len = 0;
	d.text[0] = '\0';
	r = amf_config_parse_mem("# only a comment\n\n", 18, "empty.conf", diag_collect, &d, NULL, NULL, &c);
	ck_assert_int_eq(r, -EINVAL);
	ck_assert_str_eq(d.text, "empty.conf: no safAmfCluster block\n");

	/* many errors: reporting stops, with one line saying so */
	{
		static char many[64 * 300];
		size_t o = (size_t)snprintf(many, sizeof(many), "safAmfCluster = C {\n");

		for (int i = 0; i < 250; i++)
			o += (size_t)snprintf(many + o, sizeof(many) - o, "\tbogus%d = 1\n", i);
		d.len = 0;
		d.errors = 0;
		r = amf_config_parse_mem(many, o, "many.conf", diag_collect, &d, NULL, NULL, &c);
		ck_assert_int_eq(r, -EINVAL);
		ck_assert_uint_eq(d.errors, AMF_CONFIG_ERRORS_MAX + 1);
		ck_assert_ptr_nonnull(strstr(d.text, "many.conf: too many errors, giving up"));
	}
}
END_TEST

/* ---- files that are not to be read ---- */

static char tmpdir[64];

static void tmp_setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/check_amf.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void tmp_teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_fifo_refused)
{
	char path[128];
	struct diags d = { .len = 0 };
	struct amf_cluster *c = NULL;
	int r;

	snprintf(path, sizeof(path), "%s/amf.fifo", tmpdir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	/* No writer: a blocking open would hang here (the test's timeout fails it). */
	r = amf_config_load(path, diag_collect, &d, NULL, NULL, &c);
	ck_assert_int_eq(r, -EINVAL);
	ck_assert_ptr_null(c);
	ck_assert_msg(strstr(d.text, "amf.fifo: not a regular file") != NULL, "%s", d.text);

	/* a directory, a missing file */
	d.len = 0;
	r = amf_config_load(tmpdir, diag_collect, &d, NULL, NULL, &c);
	ck_assert_int_eq(r, -EINVAL);
	ck_assert_ptr_nonnull(strstr(d.text, ": not a regular file"));
	snprintf(path, sizeof(path), "%s/missing.conf", tmpdir);
	d.len = 0;
	r = amf_config_load(path, diag_collect, &d, NULL, NULL, &c);
	ck_assert_int_eq(r, -ENOENT);
	ck_assert_ptr_nonnull(strstr(d.text, "missing.conf: cannot open: "));
}
END_TEST

START_TEST(test_big_file_refused)
{
	char path[128];
	struct diags d = { .len = 0 };
	struct amf_cluster *c = NULL;
	int fd, r;

	snprintf(path, sizeof(path), "%s/big.conf", tmpdir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, AMF_CONFIG_FILE_MAX + 1), 0);
	close(fd);
	r = amf_config_load(path, diag_collect, &d, NULL, NULL, &c);
	ck_assert_int_eq(r, -EFBIG);
	ck_assert_ptr_nonnull(strstr(d.text, "big.conf: larger than 1048576 bytes"));
}
END_TEST

/* amf_config_check() on conf/amf_file; its stdout and stderr text in *ret_out, *ret_err. */
static int run_check(const char *conf, const char *amf_file, char **ret_out, char **ret_err)
{
	size_t olen = 0, elen = 0;
	FILE *out, *err;
	int r;

	*ret_out = *ret_err = NULL;
	out = open_memstream(ret_out, &olen);
	err = open_memstream(ret_err, &elen);
	ck_assert(out && err);
	r = amf_config_check(conf, amf_file, true, out, err);
	fclose(out);
	fclose(err);
	return r;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

/* amf_config_check(): what aisexec -t prints. */
START_TEST(test_check_output)
{
	char conf[128], amf[128];
	char *obuf, *ebuf;
	int r;

	snprintf(conf, sizeof(conf), "%s/aisexec.conf", tmpdir);
	snprintf(amf, sizeof(amf), "%s/amf.conf", tmpdir);
	write_file(amf, "safAmfCluster = C {\n\tsafAmfNode = N {\n\t\tsaAmfNodeClmNode = n1\n\t\tbogus = 1\n\t}\n}\n");

	/* relative to the directory of aisexec.conf */
	r = run_check(conf, "amf.conf", &obuf, &ebuf);
	ck_assert_int_eq(r, -EINVAL);
	ck_assert_str_eq(obuf, "");
	ck_assert_msg(strstr(ebuf, "aisexec: ") == ebuf, "%s", ebuf);
	ck_assert_msg(strstr(ebuf, "/amf.conf:4: unknown attribute 'bogus' in safAmfNode\n") != NULL, "%s", ebuf);
	free(obuf);
	free(ebuf);

	write_file(amf, "safAmfCluster = C {\n\tsafAmfNode = N {\n\t\tsaAmfNodeClmNode = n1\n\t}\n}\n");
	r = run_check(conf, amf, &obuf, &ebuf);
	ck_assert_int_eq(r, 0);
	ck_assert_str_eq(ebuf, "");
	ck_assert_msg(strstr(obuf, "amf: cluster C: 1 nodes, 0 applications") != NULL, "%s", obuf);
	ck_assert_msg(strstr(obuf, "amf: node N: CLM node n1\n") != NULL, "%s", obuf);
	free(obuf);
	free(ebuf);
}
END_TEST

static Suite *amf_suite(void)
{
	Suite *s = suite_create("amf");
	TCase *tc = tcase_create("load");
	TCase *te = tcase_create("errors");
	TCase *tf = tcase_create("files");

	tcase_add_test(tc, test_openais_style_loads);
	tcase_add_test(tc, test_example_loads);
	tcase_add_test(tc, test_every_model);
	tcase_add_test(tc, test_features_load);
	tcase_add_test(tc, test_dn_and_lookup);
	tcase_add_test(tc, test_iteration_across_apps);
	tcase_add_test(tc, test_assignments);
	tcase_add_test(tc, test_spec_values);
	suite_add_tcase(s, tc);
	tcase_add_test(te, test_base_is_valid);
	tcase_add_loop_test(te, test_error_classes, 0, (int)(sizeof(err_cases) / sizeof(err_cases[0])));
	tcase_add_test(te, test_model_errors);
	tcase_add_test(te, test_odd_bytes);
	suite_add_tcase(s, te);
	tcase_add_checked_fixture(tf, tmp_setup, tmp_teardown);
	tcase_add_test(tf, test_fifo_refused);
	tcase_add_test(tf, test_big_file_refused);
	tcase_add_test(tf, test_check_output);
	suite_add_tcase(s, tf);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(amf_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
