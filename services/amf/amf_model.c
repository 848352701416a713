/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The AMF information model (see amf_model.h): constructors with the
 * configuration defaults, the destructor, distinguished names, lookup by
 * name and iteration. The defaults set here are the ones documented in
 * docs/amf.conf.md; the parser overrides them with what the file says and
 * fills the values that depend on other attributes (the per-operation
 * timeouts that default to the component's default timeouts, counts that
 * default to the number of children).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amf_model.h"

/* ---- small helpers ---- */

static char *amf_strdup(const char *s)
{
	return strdup(s ? s : "");
}

int amf_strv_add(struct amf_strv *v, const char *s)
{
	char **nv;
	char *copy = amf_strdup(s);

	if (!copy)
		return -ENOMEM;
	nv = realloc(v->v, (v->n + 2) * sizeof(*nv));
	if (!nv) {
		free(copy);
		return -ENOMEM;
	}
	nv[v->n++] = copy;
	nv[v->n] = NULL;
	v->v = nv;
	return 0;
}

bool amf_strv_contains(const struct amf_strv *v, const char *s)
{
	for (size_t i = 0; i < v->n; i++) {
		if (strcmp(v->v[i], s) == 0)
			return true;
	}
	return false;
}

void amf_strv_clear(struct amf_strv *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
	v->v = NULL;
	v->n = 0;
}

/* Allocate a zeroed object and a copy of its name; NULL when out of memory. */
static void *amf_obj_new(size_t size, const char *name, char **ret_name)
{
	void *obj = calloc(1, size);

	if (!obj)
		return NULL;
	*ret_name = amf_strdup(name);
	if (!*ret_name) {
		free(obj);
		return NULL;
	}
	return obj;
}

/* Append obj to the singly linked list at head (through ->next). */
#define AMF_APPEND(head, obj)                                                                                          \
	do {                                                                                                           \
		__typeof__(obj) *pp_ = &(head);                                                                        \
		while (*pp_)                                                                                           \
			pp_ = &(*pp_)->next;                                                                           \
		*pp_ = (obj);                                                                                          \
	} while (0)

/* ---- constructors ---- */

struct amf_cluster *amf_cluster_new(const char *name)
{
	struct amf_cluster *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->name = amf_strdup(name);
	if (!c->name) {
		free(c);
		return NULL;
	}
	c->startup_timeout_ms = 5000;
	c->admin_state = AMF_ADMIN_UNLOCKED;
	return c;
}

struct amf_node *amf_node_add(struct amf_cluster *cluster, const char *name)
{
	char *nm;
	struct amf_node *n = amf_obj_new(sizeof(*n), name, &nm);

	if (!n)
		return NULL;
	n->name = nm;
	n->cluster = cluster;
	n->su_failover_prob_ms = 3600000;
	n->su_failover_max = 2;
	n->auto_repair = true;
	n->admin_state = AMF_ADMIN_UNLOCKED;
	n->oper_state = AMF_OPER_DISABLED;
	AMF_APPEND(cluster->nodes, n);
	cluster->node_count++;
	return n;
}

struct amf_app *amf_app_add(struct amf_cluster *cluster, const char *name)
{
	char *nm;
	struct amf_app *a = amf_obj_new(sizeof(*a), name, &nm);

	if (!a)
		return NULL;
	a->name = nm;
	a->cluster = cluster;
	a->admin_state = AMF_ADMIN_UNLOCKED;
	AMF_APPEND(cluster->apps, a);
	cluster->app_count++;
	return a;
}

struct amf_sg *amf_sg_add(struct amf_app *app, const char *name)
{
	char *nm;
	struct amf_sg *g = amf_obj_new(sizeof(*g), name, &nm);

	if (!g)
		return NULL;
	g->name = nm;
	g->app = app;
	g->num_pref_active_sus = 1;
	g->num_pref_standby_sus = 1;
	g->comp_restart_prob_ms = 60000;
	g->comp_restart_max = 2;
	g->su_restart_prob_ms = 60000;
	g->su_restart_max = 2;
	g->auto_adjust_prob_ms = 10000;
	g->auto_repair = true;
	g->admin_state = AMF_ADMIN_UNLOCKED;
	AMF_APPEND(app->sgs, g);
	app->sg_count++;
	return g;
}

struct amf_su *amf_su_add(struct amf_sg *sg, const char *name)
{
	char *nm;
	struct amf_su *u = amf_obj_new(sizeof(*u), name, &nm);

	if (!u)
		return NULL;
	u->name = nm;
	u->sg = sg;
	u->failover = true;
	u->admin_state = AMF_ADMIN_UNLOCKED;
	u->oper_state = AMF_OPER_DISABLED;
	u->presence_state = AMF_PRESENCE_UNINSTANTIATED;
	u->readiness_state = AMF_READINESS_OUT_OF_SERVICE;
	AMF_APPEND(sg->sus, u);
	sg->su_count++;
	return u;
}

struct amf_comp *amf_comp_add(struct amf_su *su, const char *name)
{
	char *nm;
	struct amf_comp *c = amf_obj_new(sizeof(*c), name, &nm);

	if (!c)
		return NULL;
	c->name = nm;
	c->su = su;
	c->num_max_active_csi = 1;
	c->num_max_standby_csi = 1;
	c->default_clccli_timeout_ms = 10000;
	c->default_callback_timeout_ms = 10000;
	c->num_max_instantiate_without_delay = 2;
	c->recovery_on_error = AMF_REC_COMPONENT_RESTART;
	c->oper_state = AMF_OPER_DISABLED;
	c->presence_state = AMF_PRESENCE_UNINSTANTIATED;
	c->readiness_state = AMF_READINESS_OUT_OF_SERVICE;
	AMF_APPEND(su->comps, c);
	su->comp_count++;
	return c;
}

struct amf_healthcheck *amf_healthcheck_add(struct amf_comp *comp, const char *key)
{
	char *nm;
	struct amf_healthcheck *h = amf_obj_new(sizeof(*h), key, &nm);

	if (!h)
		return NULL;
	h->key = nm;
	h->comp = comp;
	AMF_APPEND(comp->healthchecks, h);
	comp->healthcheck_count++;
	return h;
}

struct amf_si *amf_si_add(struct amf_app *app, const char *name)
{
	char *nm;
	struct amf_si *s = amf_obj_new(sizeof(*s), name, &nm);

	if (!s)
		return NULL;
	s->name = nm;
	s->app = app;
	s->pref_active_assignments = 1;
	s->pref_standby_assignments = 1;
	s->admin_state = AMF_ADMIN_UNLOCKED;
	s->assignment_state = AMF_ASSIGNMENT_UNASSIGNED;
	AMF_APPEND(app->sis, s);
	app->si_count++;
	return s;
}

struct amf_csi *amf_csi_add(struct amf_si *si, const char *name)
{
	char *nm;
	struct amf_csi *c = amf_obj_new(sizeof(*c), name, &nm);

	if (!c)
		return NULL;
	c->name = nm;
	c->si = si;
	AMF_APPEND(si->csis, c);
	si->csi_count++;
	return c;
}

struct amf_csi_attr *amf_csi_attr_add(struct amf_csi *csi, const char *name)
{
	char *nm;
	struct amf_csi_attr *a = amf_obj_new(sizeof(*a), name, &nm);

	if (!a)
		return NULL;
	a->name = nm;
	AMF_APPEND(csi->attrs, a);
	csi->attr_count++;
	return a;
}

struct amf_cstype *amf_cstype_add(struct amf_app *app, const char *name)
{
	char *nm;
	struct amf_cstype *t = amf_obj_new(sizeof(*t), name, &nm);

	if (!t)
		return NULL;
	t->name = nm;
	t->app = app;
	AMF_APPEND(app->cstypes, t);
	app->cstype_count++;
	return t;
}

struct amf_si_ranked_su *amf_si_ranked_su_add(struct amf_si *si, const char *su_name)
{
	char *nm;
	struct amf_si_ranked_su *r = amf_obj_new(sizeof(*r), su_name, &nm);

	if (!r)
		return NULL;
	r->su_name = nm;
	AMF_APPEND(si->ranked_sus, r);
	return r;
}

struct amf_si_dependency *amf_si_dependency_add(struct amf_si *si, const char *si_name)
{
	char *nm;
	struct amf_si_dependency *d = amf_obj_new(sizeof(*d), si_name, &nm);

	if (!d)
		return NULL;
	d->si_name = nm;
	AMF_APPEND(si->depends, d);
	return d;
}

/* ---- assignments ---- */

struct amf_si_assignment *amf_si_assignment_add(struct amf_su *su, struct amf_si *si, enum amf_ha_state ha)
{
	struct amf_si_assignment *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->su = su;
	a->si = si;
	a->ha_state = ha;
	a->requested = ha;
	a->su_next = su->assignments;
	su->assignments = a;
	a->si_next = si->assignments;
	si->assignments = a;
	si->assignment_state = amf_si_assignment_state(si);
	return a;
}

void amf_si_assignment_remove(struct amf_si_assignment *a)
{
	struct amf_si_assignment **pp;
	struct amf_si *si = a->si;

	for (pp = &a->su->assignments; *pp; pp = &(*pp)->su_next) {
		if (*pp == a) {
			*pp = a->su_next;
			break;
		}
	}
	for (pp = &si->assignments; *pp; pp = &(*pp)->si_next) {
		if (*pp == a) {
			*pp = a->si_next;
			break;
		}
	}
	free(a);
	si->assignment_state = amf_si_assignment_state(si);
}

struct amf_csi_assignment *amf_csi_assignment_add(struct amf_comp *comp, struct amf_csi *csi, enum amf_ha_state ha)
{
	struct amf_csi_assignment *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->comp = comp;
	a->csi = csi;
	a->ha_state = ha;
	a->requested = ha;
	a->comp_next = comp->assignments;
	comp->assignments = a;
	a->csi_next = csi->assignments;
	csi->assignments = a;
	return a;
}

void amf_csi_assignment_remove(struct amf_csi_assignment *a)
{
	struct amf_csi_assignment **pp;

	for (pp = &a->comp->assignments; *pp; pp = &(*pp)->comp_next) {
		if (*pp == a) {
			*pp = a->comp_next;
			break;
		}
	}
	for (pp = &a->csi->assignments; *pp; pp = &(*pp)->csi_next) {
		if (*pp == a) {
			*pp = a->csi_next;
			break;
		}
	}
	free(a);
}

enum amf_assignment_state amf_si_assignment_state(const struct amf_si *si)
{
	uint32_t active = 0, standby = 0, want_standby = si->pref_standby_assignments;
	uint32_t want_active = si->pref_active_assignments;
	const struct amf_si_assignment *a;

	for (a = si->assignments; a; a = a->si_next) {
		if (a->ha_state == AMF_HA_ACTIVE)
			active++;
		else if (a->ha_state == AMF_HA_STANDBY)
			standby++;
	}
	if (active == 0)
		return AMF_ASSIGNMENT_UNASSIGNED;
	if (si->sg) {
		switch (si->sg->model) {
		case AMF_RED_2N:
		case AMF_RED_NPM:
			want_active = 1;
			want_standby = 1;
			break;
		case AMF_RED_NWAY_ACTIVE:
			want_standby = 0;
			break;
		case AMF_RED_NO_REDUNDANCY:
			want_active = 1;
			want_standby = 0;
			break;
		case AMF_RED_NWAY:
			want_active = 1;
			break;
		}
	}
	if (active >= want_active && standby >= want_standby)
		return AMF_ASSIGNMENT_FULLY_ASSIGNED;
	return AMF_ASSIGNMENT_PARTIALLY_ASSIGNED;
}

/* ---- destruction ---- */

static void amf_clc_cmd_free(struct amf_clc_cmd *c)
{
	free(c->cmd);
	free(c->args);
	free(c->path);
	amf_strv_clear(&c->argv);
}

static void amf_comp_free(struct amf_comp *c)
{
	struct amf_healthcheck *h, *hn;

	while (c->assignments)
		amf_csi_assignment_remove(c->assignments);
	for (h = c->healthchecks; h; h = hn) {
		hn = h->next;
		free(h->key);
		free(h);
	}
	amf_clc_cmd_free(&c->instantiate);
	amf_clc_cmd_free(&c->terminate);
	amf_clc_cmd_free(&c->cleanup);
	amf_strv_clear(&c->cs_types);
	amf_strv_clear(&c->env);
	free(c->proxy_csi);
	free(c->clccli_path);
	free(c->name);
	free(c);
}

static void amf_su_free(struct amf_su *u)
{
	struct amf_comp *c, *cn;

	while (u->assignments)
		amf_si_assignment_remove(u->assignments);
	for (c = u->comps; c; c = cn) {
		cn = c->next;
		amf_comp_free(c);
	}
	free(u->hosted_by);
	free(u->clccli_path);
	free(u->name);
	free(u);
}

static void amf_csi_free(struct amf_csi *c)
{
	struct amf_csi_attr *a, *an;

	while (c->assignments)
		amf_csi_assignment_remove(c->assignments);
	for (a = c->attrs; a; a = an) {
		an = a->next;
		amf_strv_clear(&a->values);
		free(a->name);
		free(a);
	}
	amf_strv_clear(&c->depends);
	free(c->cstype_name);
	free(c->name);
	free(c);
}

static void amf_si_free(struct amf_si *s)
{
	struct amf_csi *c, *cn;
	struct amf_si_ranked_su *r, *rn;
	struct amf_si_dependency *d, *dn;

	while (s->assignments)
		amf_si_assignment_remove(s->assignments);
	for (c = s->csis; c; c = cn) {
		cn = c->next;
		amf_csi_free(c);
	}
	for (r = s->ranked_sus; r; r = rn) {
		rn = r->next;
		free(r->su_name);
		free(r);
	}
	for (d = s->depends; d; d = dn) {
		dn = d->next;
		free(d->si_name);
		free(d);
	}
	free(s->protected_by);
	free(s->name);
	free(s);
}

static void amf_app_free(struct amf_app *a)
{
	struct amf_sg *g, *gn;
	struct amf_su *u, *un;
	struct amf_si *s, *sn;
	struct amf_cstype *t, *tn;

	/* SIs first: their assignments point into the SUs. */
	for (s = a->sis; s; s = sn) {
		sn = s->next;
		amf_si_free(s);
	}
	for (g = a->sgs; g; g = gn) {
		gn = g->next;
		for (u = g->sus; u; u = un) {
			un = u->next;
			amf_su_free(u);
		}
		free(g->clccli_path);
		free(g->name);
		free(g);
	}
	for (t = a->cstypes; t; t = tn) {
		tn = t->next;
		amf_strv_clear(&t->attr_names);
		free(t->name);
		free(t);
	}
	free(a->clccli_path);
	free(a->name);
	free(a);
}

void amf_cluster_free(struct amf_cluster *cluster)
{
	struct amf_node *n, *nn;
	struct amf_app *a, *an;

	if (!cluster)
		return;
	for (a = cluster->apps; a; a = an) {
		an = a->next;
		amf_app_free(a);
	}
	for (n = cluster->nodes; n; n = nn) {
		nn = n->next;
		free(n->clm_node);
		free(n->name);
		free(n);
	}
	free(cluster->clm_cluster);
	free(cluster->name);
	free(cluster);
}

/* ---- distinguished names ---- */

/* Write "k1=v1,k2=v2,..." (count pairs) into buf. */
static int amf_dn_compose(char *buf, size_t len, size_t count, const char *const *kv)
{
	size_t off = 0;

	if (len == 0)
		return -ENAMETOOLONG;
	buf[0] = '\0';
	for (size_t i = 0; i < count; i++) {
		int n = snprintf(buf + off, len - off, "%s%s=%s", i ? "," : "", kv[2 * i], kv[2 * i + 1]);

		if (n < 0 || (size_t)n >= len - off || off + (size_t)n > AMF_DN_MAX) {
			buf[0] = '\0';
			return -ENAMETOOLONG;
		}
		off += (size_t)n;
	}
	return (int)off;
}

int amf_cluster_dn(const struct amf_cluster *c, char *buf, size_t len)
{
	const char *kv[] = { "safAmfCluster", c->name };

	return amf_dn_compose(buf, len, 1, kv);
}

int amf_node_dn(const struct amf_node *n, char *buf, size_t len)
{
	const char *kv[] = { "safAmfNode", n->name, "safAmfCluster", n->cluster->name };

	return amf_dn_compose(buf, len, 2, kv);
}

int amf_app_dn(const struct amf_app *a, char *buf, size_t len)
{
	const char *kv[] = { "safApp", a->name };

	return amf_dn_compose(buf, len, 1, kv);
}

int amf_sg_dn(const struct amf_sg *g, char *buf, size_t len)
{
	const char *kv[] = { "safSg", g->name, "safApp", g->app->name };

	return amf_dn_compose(buf, len, 2, kv);
}

int amf_su_dn(const struct amf_su *u, char *buf, size_t len)
{
	const char *kv[] = { "safSu", u->name, "safSg", u->sg->name, "safApp", u->sg->app->name };

	return amf_dn_compose(buf, len, 3, kv);
}

int amf_comp_dn(const struct amf_comp *c, char *buf, size_t len)
{
	const char *kv[] = { "safComp", c->name, "safSu", c->su->name, "safSg", c->su->sg->name,
			     "safApp", c->su->sg->app->name };

	return amf_dn_compose(buf, len, 4, kv);
}

int amf_healthcheck_dn(const struct amf_healthcheck *h, char *buf, size_t len)
{
	const struct amf_comp *c = h->comp;
	const char *kv[] = { "safHealthcheckKey", h->key, "safComp", c->name, "safSu", c->su->name,
			     "safSg", c->su->sg->name, "safApp", c->su->sg->app->name };

	return amf_dn_compose(buf, len, 5, kv);
}

int amf_si_dn(const struct amf_si *s, char *buf, size_t len)
{
	const char *kv[] = { "safSi", s->name, "safApp", s->app->name };

	return amf_dn_compose(buf, len, 2, kv);
}

int amf_csi_dn(const struct amf_csi *c, char *buf, size_t len)
{
	const char *kv[] = { "safCsi", c->name, "safSi", c->si->name, "safApp", c->si->app->name };

	return amf_dn_compose(buf, len, 3, kv);
}

int amf_cstype_dn(const struct amf_cstype *t, char *buf, size_t len)
{
	const char *kv[] = { "safCSType", t->name, "safApp", t->app->name };

	return amf_dn_compose(buf, len, 2, kv);
}

/* ---- lookup ---- */

struct amf_node *amf_node_by_name(const struct amf_cluster *c, const char *name)
{
	for (struct amf_node *n = c->nodes; n; n = n->next) {
		if (strcmp(n->name, name) == 0)
			return n;
	}
	return NULL;
}

struct amf_node *amf_node_by_clm_name(const struct amf_cluster *c, const char *clm_name)
{
	for (struct amf_node *n = c->nodes; n; n = n->next) {
		if (n->clm_node && strcmp(n->clm_node, clm_name) == 0)
			return n;
	}
	return NULL;
}

struct amf_app *amf_app_by_name(const struct amf_cluster *c, const char *name)
{
	for (struct amf_app *a = c->apps; a; a = a->next) {
		if (strcmp(a->name, name) == 0)
			return a;
	}
	return NULL;
}

struct amf_sg *amf_sg_by_name(const struct amf_app *a, const char *name)
{
	for (struct amf_sg *g = a->sgs; g; g = g->next) {
		if (strcmp(g->name, name) == 0)
			return g;
	}
	return NULL;
}

struct amf_su *amf_su_by_name(const struct amf_sg *g, const char *name)
{
	for (struct amf_su *u = g->sus; u; u = u->next) {
		if (strcmp(u->name, name) == 0)
			return u;
	}
	return NULL;
}

struct amf_comp *amf_comp_by_name(const struct amf_su *u, const char *name)
{
	for (struct amf_comp *c = u->comps; c; c = c->next) {
		if (strcmp(c->name, name) == 0)
			return c;
	}
	return NULL;
}

struct amf_healthcheck *amf_healthcheck_by_key(const struct amf_comp *c, const char *key, size_t key_len)
{
	for (struct amf_healthcheck *h = c->healthchecks; h; h = h->next) {
		if (strlen(h->key) == key_len && memcmp(h->key, key, key_len) == 0)
			return h;
	}
	return NULL;
}

struct amf_si *amf_si_by_name(const struct amf_app *a, const char *name)
{
	for (struct amf_si *s = a->sis; s; s = s->next) {
		if (strcmp(s->name, name) == 0)
			return s;
	}
	return NULL;
}

struct amf_csi *amf_csi_by_name(const struct amf_si *s, const char *name)
{
	for (struct amf_csi *c = s->csis; c; c = c->next) {
		if (strcmp(c->name, name) == 0)
			return c;
	}
	return NULL;
}

struct amf_cstype *amf_cstype_by_name(const struct amf_app *a, const char *name)
{
	for (struct amf_cstype *t = a->cstypes; t; t = t->next) {
		if (strcmp(t->name, name) == 0)
			return t;
	}
	return NULL;
}

#define AMF_RDN_MAX 6

struct amf_rdn {
	char key[24];
	char val[AMF_DN_MAX + 1];
};

/*
 * Split "k=v,k=v,..." into at most AMF_RDN_MAX pairs. Values may not hold
 * ',' (the parser refuses such names). @return the count, or -1.
 */
static int amf_dn_split(const char *dn, size_t len, struct amf_rdn *rdn)
{
	size_t i = 0;
	int n = 0;

	if (len == 0 || len > AMF_DN_MAX)
		return -1;
	while (i < len) {
		size_t k = 0, v = 0;

		if (n == AMF_RDN_MAX)
			return -1;
		while (i < len && dn[i] != '=' && dn[i] != ',') {
			if (k + 1 >= sizeof(rdn[n].key) || dn[i] == '\0')
				return -1;
			rdn[n].key[k++] = dn[i++];
		}
		if (i == len || dn[i] != '=' || k == 0)
			return -1;
		i++;
		while (i < len && dn[i] != ',') {
			if (dn[i] == '\0')
				return -1;
			rdn[n].val[v++] = dn[i++];
		}
		if (v == 0)
			return -1;
		rdn[n].key[k] = '\0';
		rdn[n].val[v] = '\0';
		n++;
		if (i < len) {
			i++; /* the comma */
			if (i == len)
				return -1;
		}
	}
	return n;
}

static bool amf_rdn_is(const struct amf_rdn *r, const char *key)
{
	return strcmp(r->key, key) == 0;
}

void *amf_find(const struct amf_cluster *c, const char *dn, size_t len, enum amf_kind *ret_kind)
{
	struct amf_rdn *rdn;
	enum amf_kind kind = AMF_KIND_NONE;
	void *found = NULL;
	int n;

	rdn = malloc(sizeof(*rdn) * AMF_RDN_MAX);
	if (!rdn)
		return NULL;
	n = amf_dn_split(dn, len, rdn);
	if (n <= 0)
		goto out;
	if (amf_rdn_is(&rdn[n - 1], "safAmfCluster")) {
		if (strcmp(rdn[n - 1].val, c->name) != 0)
			goto out;
		if (n == 1) {
			found = (void *)c;
			kind = AMF_KIND_CLUSTER;
		} else if (n == 2 && amf_rdn_is(&rdn[0], "safAmfNode")) {
			found = amf_node_by_name(c, rdn[0].val);
			kind = AMF_KIND_NODE;
		}
		goto out;
	}
	if (!amf_rdn_is(&rdn[n - 1], "safApp"))
		goto out;
	struct amf_app *app = amf_app_by_name(c, rdn[n - 1].val);

	if (!app)
		goto out;
	if (n == 1) {
		found = app;
		kind = AMF_KIND_APP;
		goto out;
	}
	if (amf_rdn_is(&rdn[n - 2], "safSg")) {
		struct amf_sg *g = amf_sg_by_name(app, rdn[n - 2].val);
		struct amf_su *u;
		struct amf_comp *cp;

		if (!g || n == 2) {
			found = g;
			kind = AMF_KIND_SG;
			goto out;
		}
		if (!amf_rdn_is(&rdn[n - 3], "safSu") || !(u = amf_su_by_name(g, rdn[n - 3].val)))
			goto out;
		if (n == 3) {
			found = u;
			kind = AMF_KIND_SU;
			goto out;
		}
		if (!amf_rdn_is(&rdn[n - 4], "safComp") || !(cp = amf_comp_by_name(u, rdn[n - 4].val)))
			goto out;
		if (n == 4) {
			found = cp;
			kind = AMF_KIND_COMP;
		} else if (n == 5 && amf_rdn_is(&rdn[0], "safHealthcheckKey")) {
			found = amf_healthcheck_by_key(cp, rdn[0].val, strlen(rdn[0].val));
			kind = AMF_KIND_HEALTHCHECK;
		}
	} else if (amf_rdn_is(&rdn[n - 2], "safSi")) {
		struct amf_si *s = amf_si_by_name(app, rdn[n - 2].val);

		if (!s || n == 2) {
			found = s;
			kind = AMF_KIND_SI;
		} else if (n == 3 && amf_rdn_is(&rdn[0], "safCsi")) {
			found = amf_csi_by_name(s, rdn[0].val);
			kind = AMF_KIND_CSI;
		}
	} else if (n == 2 && amf_rdn_is(&rdn[0], "safCSType")) {
		found = amf_cstype_by_name(app, rdn[0].val);
		kind = AMF_KIND_CSTYPE;
	}
out:
	free(rdn);
	if (!found)
		kind = AMF_KIND_NONE;
	if (ret_kind)
		*ret_kind = kind;
	return found;
}

static void *amf_find_kind(const struct amf_cluster *c, const char *dn, enum amf_kind want)
{
	enum amf_kind kind;
	void *p = amf_find(c, dn, strlen(dn), &kind);

	return kind == want ? p : NULL;
}

struct amf_node *amf_node_find(const struct amf_cluster *c, const char *dn)
{
	return amf_find_kind(c, dn, AMF_KIND_NODE);
}

struct amf_app *amf_app_find(const struct amf_cluster *c, const char *dn)
{
	return amf_find_kind(c, dn, AMF_KIND_APP);
}

struct amf_sg *amf_sg_find(const struct amf_cluster *c, const char *dn)
{
	return amf_find_kind(c, dn, AMF_KIND_SG);
}

struct amf_su *amf_su_find(const struct amf_cluster *c, const char *dn)
{
	return amf_find_kind(c, dn, AMF_KIND_SU);
}

struct amf_comp *amf_comp_find(const struct amf_cluster *c, const char *dn)
{
	return amf_find_kind(c, dn, AMF_KIND_COMP);
}

struct amf_si *amf_si_find(const struct amf_cluster *c, const char *dn)
{
	return amf_find_kind(c, dn, AMF_KIND_SI);
}

struct amf_csi *amf_csi_find(const struct amf_cluster *c, const char *dn)
{
	return amf_find_kind(c, dn, AMF_KIND_CSI);
}

struct amf_cstype *amf_cstype_find(const struct amf_cluster *c, const char *dn)
{
	return amf_find_kind(c, dn, AMF_KIND_CSTYPE);
}

/* ---- iteration ---- */

struct amf_sg *amf_sg_next(const struct amf_cluster *c, const struct amf_sg *prev)
{
	const struct amf_app *a;

	if (prev && prev->next)
		return prev->next;
	for (a = prev ? prev->app->next : c->apps; a; a = a->next) {
		if (a->sgs)
			return a->sgs;
	}
	return NULL;
}

struct amf_su *amf_su_next(const struct amf_cluster *c, const struct amf_su *prev)
{
	const struct amf_sg *g;

	if (prev && prev->next)
		return prev->next;
	for (g = amf_sg_next(c, prev ? prev->sg : NULL); g; g = amf_sg_next(c, g)) {
		if (g->sus)
			return g->sus;
	}
	return NULL;
}

struct amf_comp *amf_comp_next(const struct amf_cluster *c, const struct amf_comp *prev)
{
	const struct amf_su *u;

	if (prev && prev->next)
		return prev->next;
	for (u = amf_su_next(c, prev ? prev->su : NULL); u; u = amf_su_next(c, u)) {
		if (u->comps)
			return u->comps;
	}
	return NULL;
}

struct amf_si *amf_si_next(const struct amf_cluster *c, const struct amf_si *prev)
{
	const struct amf_app *a;

	if (prev && prev->next)
		return prev->next;
	for (a = prev ? prev->app->next : c->apps; a; a = a->next) {
		if (a->sis)
			return a->sis;
	}
	return NULL;
}

struct amf_csi *amf_csi_next(const struct amf_cluster *c, const struct amf_csi *prev)
{
	const struct amf_si *s;

	if (prev && prev->next)
		return prev->next;
	for (s = amf_si_next(c, prev ? prev->si : NULL); s; s = amf_si_next(c, s)) {
		if (s->csis)
			return s->csis;
	}
	return NULL;
}

void amf_cluster_count(const struct amf_cluster *c, struct amf_counts *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->nodes = c->node_count;
	ret->apps = c->app_count;
	for (const struct amf_app *a = c->apps; a; a = a->next) {
		ret->cstypes += a->cstype_count;
		ret->sis += a->si_count;
		for (const struct amf_si *s = a->sis; s; s = s->next)
			ret->csis += s->csi_count;
		for (const struct amf_sg *g = a->sgs; g; g = g->next) {
			ret->sgs++;
			if ((unsigned)g->model < sizeof(ret->sgs_by_model) / sizeof(ret->sgs_by_model[0]))
				ret->sgs_by_model[g->model]++;
			ret->sus += g->su_count;
			for (const struct amf_su *u = g->sus; u; u = u->next) {
				ret->comps += u->comp_count;
				for (const struct amf_comp *cp = u->comps; cp; cp = cp->next)
					ret->healthchecks += cp->healthcheck_count;
			}
		}
	}
}

/* ---- value names ---- */

static const char *amf_name_of(const char *const *names, size_t count, unsigned v)
{
	return v < count && names[v] ? names[v] : "?";
}

#define AMF_NAMES(arr, v) amf_name_of(arr, sizeof(arr) / sizeof(arr[0]), (unsigned)(v))

const char *amf_admin_state_name(enum amf_admin_state s)
{
	static const char *const n[] = { NULL, "UNLOCKED", "LOCKED", "LOCKED_INSTANTIATION", "SHUTTING_DOWN" };

	return AMF_NAMES(n, s);
}

const char *amf_oper_state_name(enum amf_oper_state s)
{
	static const char *const n[] = { NULL, "ENABLED", "DISABLED" };

	return AMF_NAMES(n, s);
}

const char *amf_presence_state_name(enum amf_presence_state s)
{
	static const char *const n[] = { NULL,	       "UNINSTANTIATED", "INSTANTIATING",	"INSTANTIATED",
					 "TERMINATING", "RESTARTING",	 "INSTANTIATION_FAILED", "TERMINATION_FAILED" };

	return AMF_NAMES(n, s);
}

const char *amf_readiness_state_name(enum amf_readiness_state s)
{
	static const char *const n[] = { NULL, "OUT_OF_SERVICE", "IN_SERVICE", "STOPPING" };

	return AMF_NAMES(n, s);
}

const char *amf_ha_state_name(enum amf_ha_state s)
{
	static const char *const n[] = { NULL, "ACTIVE", "STANDBY", "QUIESCED", "QUIESCING" };

	return AMF_NAMES(n, s);
}

const char *amf_assignment_state_name(enum amf_assignment_state s)
{
	static const char *const n[] = { NULL, "UNASSIGNED", "FULLY_ASSIGNED", "PARTIALLY_ASSIGNED" };

	return AMF_NAMES(n, s);
}

const char *amf_redundancy_model_name(enum amf_redundancy_model m)
{
	static const char *const n[] = { NULL, "2n", "nplusm", "nway", "nwayactive", "noredundancy" };

	return AMF_NAMES(n, m);
}

const char *amf_category_name(uint32_t category)
{
	if (category & AMF_COMP_SA_AWARE)
		return "sa_aware";
	if (category & AMF_COMP_PROXY)
		return "proxy";
	if (category & AMF_COMP_PROXIED)
		return "proxied";
	if (category & AMF_COMP_LOCAL)
		return "local";
	return "?";
}

const char *amf_capability_name(enum amf_comp_capability c)
{
	static const char *const n[] = { NULL,
					 "x_active_and_y_standby",
					 "x_active_or_y_standby",
					 "one_active_or_y_standby",
					 "one_active_or_one_standby",
					 "x_active",
					 "1_active",
					 "non_preinstantiable" };

	return AMF_NAMES(n, c);
}

const char *amf_recovery_name(enum amf_recovery r)
{
	static const char *const n[] = { NULL,
					 "no_recommendation",
					 "component_restart",
					 "component_failover",
					 "node_switchover",
					 "node_failover",
					 "node_failfast",
					 "cluster_reset",
					 "application_restart" };

	return AMF_NAMES(n, r);
}
