/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target of the AMF configuration reader: arbitrary bytes through
 * amf_config_parse_mem(). A failed parse must have reported at least one
 * error, every report in the "NAME:LINE: " or "NAME: " form; a successful
 * one must give a model whose every entity is found again by its
 * distinguished name, whose references point into the same model, and
 * whose counts agree with the lists. Nothing may leak or read out of
 * bounds (run under the sanitizers).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../services/amf/amf_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_report(void *ctx, enum amf_diag_severity sev, const char *file, unsigned line, const char *msg)
{
	char buf[1024];
	int n = amf_diag_format(buf, sizeof(buf), sev, file, line, msg);

	(void)ctx;
	if (n <= 0 || strncmp(buf, "fuzz:", 5) != 0 || msg[0] == '\0')
		abort();
}

static void check_found(const struct amf_cluster *c, const void *obj, int r, const char *dn, enum amf_kind want)
{
	enum amf_kind kind;

	if (r < 0)
		abort(); /* the reader refuses names too long for a DN */
	if (amf_find(c, dn, (size_t)r, &kind) != obj || kind != want)
		abort();
}

static void check_model(const struct amf_cluster *c)
{
	char dn[AMF_DN_MAX + 1];
	struct amf_counts k;
	size_t comps = 0, csis = 0;

	amf_cluster_count(c, &k);
	check_found(c, c, amf_cluster_dn(c, dn, sizeof(dn)), dn, AMF_KIND_CLUSTER);
	for (const struct amf_node *n = c->nodes; n; n = n->next) {
		check_found(c, n, amf_node_dn(n, dn, sizeof(dn)), dn, AMF_KIND_NODE);
		if (!n->clm_node || amf_node_by_clm_name(c, n->clm_node) != n)
			abort();
	}
	for (const struct amf_app *a = c->apps; a; a = a->next) {
		check_found(c, a, amf_app_dn(a, dn, sizeof(dn)), dn, AMF_KIND_APP);
		for (const struct amf_cstype *t = a->cstypes; t; t = t->next)
			check_found(c, t, amf_cstype_dn(t, dn, sizeof(dn)), dn, AMF_KIND_CSTYPE);
		for (const struct amf_sg *g = a->sgs; g; g = g->next) {
			check_found(c, g, amf_sg_dn(g, dn, sizeof(dn)), dn, AMF_KIND_SG);
			if (g->su_count == 0 || g->model < AMF_RED_2N || g->model > AMF_RED_NO_REDUNDANCY)
				abort();
			for (const struct amf_su *u = g->sus; u; u = u->next) {
				check_found(c, u, amf_su_dn(u, dn, sizeof(dn)), dn, AMF_KIND_SU);
				if (!u->node || u->node->cluster != c)
					abort();
				for (const struct amf_comp *x = u->comps; x; x = x->next) {
					check_found(c, x, amf_comp_dn(x, dn, sizeof(dn)), dn, AMF_KIND_COMP);
					if (x->instantiate.cmd && (!x->instantiate.path || x->instantiate.argv.n == 0 ||
								   x->instantiate.argv.v[x->instantiate.argv.n]))
						abort();
					for (const struct amf_healthcheck *h = x->healthchecks; h; h = h->next)
						check_found(c, h, amf_healthcheck_dn(h, dn, sizeof(dn)), dn,
							    AMF_KIND_HEALTHCHECK);
				}
			}
		}
		for (const struct amf_si *s = a->sis; s; s = s->next) {
			check_found(c, s, amf_si_dn(s, dn, sizeof(dn)), dn, AMF_KIND_SI);
			if (!s->sg || s->sg->app != a)
				abort();
			for (const struct amf_csi *x = s->csis; x; x = x->next) {
				check_found(c, x, amf_csi_dn(x, dn, sizeof(dn)), dn, AMF_KIND_CSI);
				if (!x->cstype || x->cstype->app != a)
					abort();
			}
		}
	}
	for (const struct amf_comp *x = amf_comp_next(c, NULL); x; x = amf_comp_next(c, x))
		comps++;
	for (const struct amf_csi *x = amf_csi_next(c, NULL); x; x = amf_csi_next(c, x))
		csis++;
	if (comps != k.comps || csis != k.csis)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct amf_cluster *c = NULL;
	unsigned errors = 0, warnings = 0;
	int r;

	r = amf_config_parse_mem((const char *)data, size, "fuzz", check_report, NULL, &errors, &warnings, &c);
	if (r < 0) {
		if (c || errors == 0)
			abort();
		return 0;
	}
	if (errors != 0 || !c)
		abort();
	check_model(c);
	amf_cluster_free(c);
	return 0;
}
