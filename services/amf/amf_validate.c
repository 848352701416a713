/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Whole-file checks of an AMF configuration, run once every block has been
 * read (amf_config.c checks each block alone when it closes): references by
 * name between entities are resolved into pointers, and everything that
 * cannot work is reported at the line of the attribute concerned.
 *
 * A reference may be written as the plain name of the entity (RDN value:
 * "saAmfSUHostedByNode = AMF1", as OpenAIS's files do) or as its full
 * distinguished name ("safAmfNode=AMF1,safAmfCluster=C").
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "amf_config_int.h"

/* ---- references ---- */

static struct amf_node *amf_ref_node(const struct amf_cluster *c, const char *ref)
{
	return strchr(ref, '=') ? amf_node_find(c, ref) : amf_node_by_name(c, ref);
}

static struct amf_sg *amf_ref_sg(const struct amf_app *a, const char *ref)
{
	struct amf_sg *g;

	if (!strchr(ref, '='))
		return amf_sg_by_name(a, ref);
	g = amf_sg_find(a->cluster, ref);
	return g && g->app == a ? g : NULL;
}

static struct amf_su *amf_ref_su(const struct amf_sg *g, const char *ref)
{
	struct amf_su *u;

	if (!strchr(ref, '='))
		return amf_su_by_name(g, ref);
	u = amf_su_find(g->app->cluster, ref);
	return u && u->sg == g ? u : NULL;
}

static struct amf_si *amf_ref_si(const struct amf_app *a, const char *ref)
{
	return strchr(ref, '=') ? amf_si_find(a->cluster, ref) : amf_si_by_name(a, ref);
}

static struct amf_csi *amf_ref_csi(const struct amf_si *s, const char *ref)
{
	struct amf_csi *c;

	if (!strchr(ref, '='))
		return amf_csi_by_name(s, ref);
	c = amf_csi_find(s->app->cluster, ref);
	return c && c->si == s ? c : NULL;
}

static struct amf_cstype *amf_ref_cstype(const struct amf_app *a, const char *ref)
{
	struct amf_cstype *t;

	if (!strchr(ref, '='))
		return amf_cstype_by_name(a, ref);
	t = amf_cstype_find(a->cluster, ref);
	return t && t->app == a ? t : NULL;
}

/* ---- cycles ---- */

struct amf_vertex {
	void *obj;
	size_t orig; /* index in the caller's (file) order */
};

static int amf_vertex_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct amf_vertex *)a)->obj;
	uintptr_t y = (uintptr_t)((const struct amf_vertex *)b)->obj;

	return x < y ? -1 : x > y;
}

/*
 * A directed graph over the n objects of objs[] (in file order). edge(obj,
 * k) returns obj's k-th successor, NULL past the last; successors not in
 * objs are ignored. Returns the member of a cycle that comes first in
 * objs[], or NULL; *ret_nomem is set when memory ran out.
 */
typedef void *(*amf_edge_fn)(void *obj, size_t k);

static void *amf_find_cycle(void **objs, size_t n, amf_edge_fn edge, bool *ret_nomem)
{
	struct amf_vertex *v = NULL;
	unsigned char *color = NULL; /* 0 white, 1 on the stack, 2 done */
	size_t *stack = NULL, *next = NULL;
	void *found = NULL;

	*ret_nomem = false;
	if (n == 0)
		return NULL;
	v = malloc(n * sizeof(*v));
	color = calloc(n, 1);
	stack = malloc(n * sizeof(*stack));
	next = malloc(n * sizeof(*next));
	if (!v || !color || !stack || !next) {
		*ret_nomem = true;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		v[i].obj = objs[i];
		v[i].orig = i;
	}
	qsort(v, n, sizeof(*v), amf_vertex_cmp);
	for (size_t root = 0; root < n && !found; root++) {
		size_t top = 0;

		if (color[root])
			continue;
		stack[top] = root;
		next[top++] = 0;
		color[root] = 1;
		while (top > 0 && !found) {
			size_t cur = stack[top - 1];
			struct amf_vertex key = { .obj = edge(v[cur].obj, next[top - 1]++) };
			struct amf_vertex *hit;
			size_t j;

			if (!key.obj) {
				color[cur] = 2;
				top--;
				continue;
			}
			hit = bsearch(&key, v, n, sizeof(*v), amf_vertex_cmp);
			if (!hit)
				continue;
			j = (size_t)(hit - v);
			if (color[j] == 1) {
				/* the cycle is stack[pos of j .. top - 1]: report its first member */
				size_t best = j, k = top;

				while (k > 0 && stack[k - 1] != j) {
					if (v[stack[k - 1]].orig < v[best].orig)
						best = stack[k - 1];
					k--;
				}
				found = v[best].obj;
			} else if (color[j] == 0) {
				color[j] = 1;
				stack[top] = j;
				next[top++] = 0;
			}
		}
	}
out:
	free(v);
	free(color);
	free(stack);
	free(next);
	return found;
}

static void *amf_si_edge(void *obj, size_t k)
{
	struct amf_si_dependency *d = ((struct amf_si *)obj)->depends;

	for (; d && (k > 0 || !d->si); d = d->next) {
		if (d->si)
			k--;
	}
	return d ? d->si : NULL;
}

/* CSI dependencies are resolved into this scratch list during the check. */
struct amf_csi_deps {
	struct amf_csi *csi;
	struct amf_csi_deps **deps;
	size_t n;
};

static void *amf_csi_edge(void *obj, size_t k)
{
	struct amf_csi_deps *d = obj;

	return k < d->n ? d->deps[k] : NULL;
}

/* ---- checks ---- */

static void amf_check_dn(struct amf_parse *p, int r, const char *what, const char *name, unsigned line)
{
	if (r < 0)
		amf_report(p, AMF_DIAG_ERROR, line, "%s '%s': its distinguished name is longer than %d bytes", what,
			   name, AMF_DN_MAX);
}

/* Apply the nearest clccli_path to a command and split its arguments. */
static void amf_resolve_cmd(struct amf_parse *p, struct amf_comp *c, struct amf_clc_cmd *cmd, const char *what)
{
	const char *dir = c->clccli_path ? c->clccli_path
			  : c->su->clccli_path ? c->su->clccli_path
			  : c->su->sg->clccli_path ? c->su->sg->clccli_path
						   : c->su->sg->app->clccli_path;
	char *copy, *tok, *save = NULL;
	size_t dl;

	if (!cmd->cmd)
		return;
	if (cmd->cmd[0] == '/' || !dir) {
		cmd->path = strdup(cmd->cmd);
		if (cmd->cmd[0] != '/' && cmd->path)
			amf_report(p, AMF_DIAG_WARNING, cmd->line,
				   "%s '%s' is not an absolute path and no clccli_path applies to it", what, cmd->cmd);
	} else {
		dl = strlen(dir);
		while (dl > 1 && dir[dl - 1] == '/')
			dl--;
		cmd->path = malloc(dl + strlen(cmd->cmd) + 2);
		if (cmd->path)
			sprintf(cmd->path, "%.*s/%s", (int)dl, dir, cmd->cmd);
	}
	if (!cmd->path || amf_strv_add(&cmd->argv, cmd->path) < 0) {
		amf_report_nomem(p, cmd->line);
		return;
	}
	if (!cmd->args)
		return;
	copy = strdup(cmd->args);
	if (!copy) {
		amf_report_nomem(p, cmd->line);
		return;
	}
	for (tok = strtok_r(copy, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		if (amf_strv_add(&cmd->argv, tok) < 0) {
			amf_report_nomem(p, cmd->line);
			break;
		}
	}
	free(copy);
}

static void amf_check_comp(struct amf_parse *p, struct amf_comp *c)
{
	char dn[AMF_DN_MAX + 1];

	amf_check_dn(p, amf_comp_dn(c, dn, sizeof(dn)), "safComp", c->name, c->line);
	for (struct amf_healthcheck *h = c->healthchecks; h; h = h->next) {
		amf_check_dn(p, amf_healthcheck_dn(h, dn, sizeof(dn)), "safHealthcheckKey", h->key, h->line);
		if (h->max_duration_ms > 0 && h->period_ms > 0 && h->max_duration_ms > h->period_ms * 100)
			amf_report(p, AMF_DIAG_WARNING, h->line,
				   "safHealthcheckKey '%s': saAmfHealthcheckMaxDuration is far longer than the period",
				   h->key);
	}
	for (size_t i = 0; i < c->cs_types.n; i++) {
		if (!amf_ref_cstype(c->su->sg->app, c->cs_types.v[i]))
			amf_report(p, AMF_DIAG_ERROR, c->cs_types_line,
				   "safComp '%s': saAmfCompCsTypes '%s' names no safCSType of safApp '%s'", c->name,
				   c->cs_types.v[i], c->su->sg->app->name);
	}
	amf_resolve_cmd(p, c, &c->instantiate, "saAmfCompInstantiateCmd");
	amf_resolve_cmd(p, c, &c->terminate, "saAmfCompTerminateCmd");
	amf_resolve_cmd(p, c, &c->cleanup, "saAmfCompCleanupCmd");
	if (c->proxy_csi && !amf_csi_find(c->su->sg->app->cluster, c->proxy_csi))
		amf_report(p, AMF_DIAG_WARNING, c->line, "safComp '%s': saAmfCompProxyCsi '%s' names no safCsi",
			   c->name, c->proxy_csi);
}

static void amf_check_sg(struct amf_parse *p, struct amf_sg *g)
{
	char dn[AMF_DN_MAX + 1];

	amf_check_dn(p, amf_sg_dn(g, dn, sizeof(dn)), "safSg", g->name, g->line);
	for (struct amf_su *u = g->sus; u; u = u->next) {
		amf_check_dn(p, amf_su_dn(u, dn, sizeof(dn)), "safSu", u->name, u->line);
		if (u->hosted_by) {
			u->node = amf_ref_node(p->cluster, u->hosted_by);
			if (!u->node)
				amf_report(p, AMF_DIAG_ERROR, u->hosted_by_line,
					   "saAmfSUHostedByNode '%s' names no safAmfNode", u->hosted_by);
		}
		for (struct amf_su *o = g->sus; o != u && u->node; o = o->next) {
			if (o->node == u->node) {
				amf_report(p, AMF_DIAG_WARNING, u->hosted_by_line,
					   "safSu '%s' and safSu '%s' of safSg '%s' are both on safAmfNode '%s': "
					   "a failure of that node takes both",
					   o->name, u->name, g->name, u->node->name);
				break;
			}
		}
		for (struct amf_comp *c = u->comps; c; c = c->next)
			amf_check_comp(p, c);
	}
}

/* Can some component of g take a CSI of CS type t (listed by name or DN)? */
static bool amf_sg_takes(const struct amf_sg *g, const struct amf_cstype *t)
{
	for (const struct amf_su *u = g->sus; u; u = u->next) {
		for (const struct amf_comp *c = u->comps; c; c = c->next) {
			for (size_t i = 0; i < c->cs_types.n; i++) {
				if (amf_ref_cstype(g->app, c->cs_types.v[i]) == t)
					return true;
			}
		}
	}
	return false;
}

static void amf_check_csi_deps(struct amf_parse *p, struct amf_si *s)
{
	struct amf_csi_deps *d;
	void **objs;
	size_t n = s->csi_count, i = 0;
	struct amf_csi_deps *cyc;
	bool nomem;

	if (n == 0)
		return;
	d = calloc(n, sizeof(*d));
	objs = calloc(n, sizeof(*objs));
	if (!d || !objs) {
		amf_report_nomem(p, s->line);
		goto out;
	}
	for (struct amf_csi *c = s->csis; c; c = c->next, i++) {
		d[i].csi = c;
		objs[i] = &d[i];
		if (c->depends.n == 0)
			continue;
		d[i].deps = calloc(c->depends.n, sizeof(*d[i].deps));
		if (!d[i].deps) {
			amf_report_nomem(p, c->line);
			goto out;
		}
		for (size_t k = 0; k < c->depends.n; k++) {
			struct amf_csi *t = amf_ref_csi(s, c->depends.v[k]);

			if (!t) {
				amf_report(p, AMF_DIAG_ERROR, c->depends_line,
					   "saAmfCSIDependency '%s' names no safCsi of safSi '%s'", c->depends.v[k],
					   s->name);
			} else if (t == c) {
				amf_report(p, AMF_DIAG_ERROR, c->depends_line, "safCsi '%s' depends on itself",
					   c->name);
			} else {
				/* the scratch entry of t: same position as t in the SI's list */
				size_t ti = 0;

				for (struct amf_csi *x = s->csis; x != t; x = x->next)
					ti++;
				d[i].deps[d[i].n++] = &d[ti];
			}
		}
	}
	cyc = amf_find_cycle(objs, n, amf_csi_edge, &nomem);
	if (nomem)
		amf_report_nomem(p, s->line);
	else if (cyc)
		amf_report(p, AMF_DIAG_ERROR, cyc->csi->depends_line,
			   "safCsi '%s': the saAmfCSIDependency entries of safSi '%s' form a cycle", cyc->csi->name,
			   s->name);
out:
	if (d) {
		for (i = 0; i < n; i++)
			free(d[i].deps);
	}
	free(d);
	free(objs);
}

static void amf_check_csi(struct amf_parse *p, struct amf_si *s, struct amf_csi *c)
{
	char dn[AMF_DN_MAX + 1];

	amf_check_dn(p, amf_csi_dn(c, dn, sizeof(dn)), "safCsi", c->name, c->line);
	if (!c->cstype_name)
		return;
	c->cstype = amf_ref_cstype(s->app, c->cstype_name);
	if (!c->cstype) {
		amf_report(p, AMF_DIAG_ERROR, c->cstype_line, "saAmfCSTypeName '%s' names no safCSType of safApp '%s'",
			   c->cstype_name, s->app->name);
		return;
	}
	if (s->sg && !amf_sg_takes(s->sg, c->cstype))
		amf_report(p, AMF_DIAG_ERROR, c->cstype_line,
			   "safCsi '%s': no component of safSg '%s' lists CS type '%s' in saAmfCompCsTypes", c->name,
			   s->sg->name, c->cstype->name);
	if (c->cstype->attr_names.n == 0)
		return;
	for (struct amf_csi_attr *a = c->attrs; a; a = a->next) {
		if (!amf_strv_contains(&c->cstype->attr_names, a->name))
			amf_report(p, AMF_DIAG_WARNING, a->line,
				   "safCSIAttr '%s' is not a safAmfCSAttrName of safCSType '%s'", a->name,
				   c->cstype->name);
	}
}

static void amf_check_si(struct amf_parse *p, struct amf_app *a, struct amf_si *s)
{
	char dn[AMF_DN_MAX + 1];

	amf_check_dn(p, amf_si_dn(s, dn, sizeof(dn)), "safSi", s->name, s->line);
	if (s->protected_by) {
		s->sg = amf_ref_sg(a, s->protected_by);
		if (!s->sg)
			amf_report(p, AMF_DIAG_ERROR, s->protected_by_line,
				   "saAmfSIProtectedbySG '%s' names no safSg of safApp '%s'", s->protected_by, a->name);
	} else if (a->sg_count == 1) {
		s->sg = a->sgs; /* as OpenAIS: the application's only SG */
	} else if (a->sg_count == 0) {
		amf_report(p, AMF_DIAG_ERROR, s->line, "safSi '%s': safApp '%s' has no safSg to protect it", s->name,
			   a->name);
	} else {
		amf_report(p, AMF_DIAG_ERROR, s->line,
			   "safSi '%s': saAmfSIProtectedbySG is needed, safApp '%s' has %zu service groups", s->name,
			   a->name, a->sg_count);
	}
	if (s->sg && s->sg->model == AMF_RED_NWAY_ACTIVE && s->pref_active_assignments > s->sg->su_count)
		amf_report(p, AMF_DIAG_WARNING, s->line,
			   "safSi '%s': saAmfSIPrefActiveAssignments %u is more than the %zu service units of safSg '%s'",
			   s->name, s->pref_active_assignments, s->sg->su_count, s->sg->name);
	for (struct amf_si_ranked_su *r = s->ranked_sus; r; r = r->next) {
		r->su = s->sg ? amf_ref_su(s->sg, r->su_name) : NULL;
		/* OpenAIS never resolved these: a stale one is ignored, not fatal. */
		if (!r->su && s->sg)
			amf_report(p, AMF_DIAG_WARNING, r->line,
				   "safRankedSu '%s' names no safSu of safSg '%s' (ignored)", r->su_name, s->sg->name);
	}
	for (struct amf_si_dependency *d = s->depends; d; d = d->next) {
		d->si = amf_ref_si(a, d->si_name);
		if (!d->si)
			amf_report(p, AMF_DIAG_ERROR, d->line, "safDepend '%s' names no safSi", d->si_name);
		else if (d->si == s) {
			amf_report(p, AMF_DIAG_ERROR, d->line, "safSi '%s' depends on itself", s->name);
			d->si = NULL; /* reported: kept out of the cycle search */
		}
	}
	for (struct amf_csi *c = s->csis; c; c = c->next)
		amf_check_csi(p, s, c);
	amf_check_csi_deps(p, s);
}

static void amf_check_si_cycles(struct amf_parse *p)
{
	struct amf_counts k;
	struct amf_si *cyc;
	void **objs;
	size_t i = 0;
	bool nomem;

	amf_cluster_count(p->cluster, &k);
	if (k.sis == 0)
		return;
	objs = calloc(k.sis, sizeof(*objs));
	if (!objs) {
		amf_report_nomem(p, 0);
		return;
	}
	for (struct amf_si *s = amf_si_next(p->cluster, NULL); s; s = amf_si_next(p->cluster, s))
		objs[i++] = s;
	cyc = amf_find_cycle(objs, k.sis, amf_si_edge, &nomem);
	if (nomem)
		amf_report_nomem(p, 0);
	else if (cyc)
		amf_report(p, AMF_DIAG_ERROR, cyc->depends ? cyc->depends->line : cyc->line,
			   "safSi '%s': the safDepend entries form a cycle", cyc->name);
	free(objs);
}

void amf_validate(struct amf_parse *p)
{
	struct amf_cluster *c = p->cluster;
	char dn[AMF_DN_MAX + 1];

	amf_check_dn(p, amf_cluster_dn(c, dn, sizeof(dn)), "safAmfCluster", c->name, c->line);
	for (struct amf_node *n = c->nodes; n; n = n->next) {
		amf_check_dn(p, amf_node_dn(n, dn, sizeof(dn)), "safAmfNode", n->name, n->line);
		for (struct amf_node *o = c->nodes; o != n && n->clm_node; o = o->next) {
			if (o->clm_node && strcmp(o->clm_node, n->clm_node) == 0) {
				amf_report(p, AMF_DIAG_ERROR, n->clm_node_line,
					   "saAmfNodeClmNode '%s' is already the CLM node of safAmfNode '%s' (line %u)",
					   n->clm_node, o->name, o->clm_node_line);
				break;
			}
		}
	}
	for (struct amf_app *a = c->apps; a; a = a->next) {
		amf_check_dn(p, amf_app_dn(a, dn, sizeof(dn)), "safApp", a->name, a->line);
		for (struct amf_cstype *t = a->cstypes; t; t = t->next)
			amf_check_dn(p, amf_cstype_dn(t, dn, sizeof(dn)), "safCSType", t->name, t->line);
		for (struct amf_sg *g = a->sgs; g; g = g->next)
			amf_check_sg(p, g);
		for (struct amf_si *s = a->sis; s; s = s->next)
			amf_check_si(p, a, s);
		for (struct amf_sg *g = a->sgs; g; g = g->next) {
			size_t sis = 0;

			for (struct amf_si *s = a->sis; s; s = s->next)
				sis += s->sg == g;
			if (g->model == AMF_RED_NO_REDUNDANCY && sis > g->su_count)
				amf_report(p, AMF_DIAG_WARNING, g->line,
					   "safSg '%s' (noredundancy) protects %zu service instances with %zu service "
					   "units: each unit takes at most one",
					   g->name, sis, g->su_count);
		}
	}
	amf_check_si_cycles(p);
}
