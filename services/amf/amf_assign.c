/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AMF assignment logic (see amf_assign.h and docs/amf.md "Assignment and
 * recovery"): readiness, the per-SG target assignment under each
 * redundancy model, and the ordered action list that reaches it.
 *
 * The planner works in passes over the SG's SIs in rank order, so an SI
 * of higher rank is served first and existing assignments are kept before
 * anything new is placed: 1 keep valid actives, 2 promote standbys of SIs
 * that lost their active, 3 place new actives, 4 keep valid standbys, 5
 * turn quiesced old actives into standbys, 6 place new standbys. Every
 * placement checks the SU limits of the SG and, per CSI, a component of
 * the SU that lists the CSI's CS type and has room under its capability
 * model. Nothing here reads a clock or does I/O.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "amf_assign.h"

/* ---- action lists ---- */

void amf_actions_clear(struct amf_action_list *l)
{
	l->n = 0;
}

void amf_actions_free(struct amf_action_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = l->cap = 0;
}

int amf_actions_push(struct amf_action_list *l, const struct amf_action *a)
{
	size_t i;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		struct amf_action *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	i = l->n;
	while (i > 0 && l->v[i - 1].step > a->step) {
		l->v[i] = l->v[i - 1];
		i--;
	}
	l->v[i] = *a;
	l->n++;
	return 0;
}

unsigned amf_actions_next_step(const struct amf_action_list *l)
{
	return l->n ? l->v[l->n - 1].step + 1 : 0;
}

static const char *kind_name(enum amf_action_kind k)
{
	switch (k) {
	case AMF_ACT_CSI_SET: return "csi-set";
	case AMF_ACT_CSI_REMOVE: return "csi-remove";
	case AMF_ACT_INSTANTIATE: return "instantiate";
	case AMF_ACT_TERMINATE: return "terminate";
	case AMF_ACT_CLEANUP: return "cleanup";
	case AMF_ACT_NODE_REBOOT: return "node-reboot";
	case AMF_ACT_CLUSTER_RESET: return "cluster-reset";
	}
	return "?";
}

static const char *trans_name(enum amf_transition t)
{
	switch (t) {
	case AMF_TRANS_NEW_ASSIGN: return "(new)";
	case AMF_TRANS_QUIESCED: return "(quiesced)";
	case AMF_TRANS_NOT_QUIESCED: return "(not-quiesced)";
	case AMF_TRANS_STILL_ACTIVE: return "(still-active)";
	case AMF_TRANS_NONE: break;
	}
	return "";
}

int amf_action_format(const struct amf_action *a, char *buf, size_t len)
{
	const char *su = a->su ? a->su->name : "-";
	const char *sg = a->su ? a->su->sg->name : "-";

	switch (a->kind) {
	case AMF_ACT_CSI_SET:
		return snprintf(buf, len, "step %u csi-set %s%s si=%s csi=%s su=%s/%s comp=%s", a->step,
				amf_ha_state_name(a->ha_state), trans_name(a->transition), a->si->name,
				a->csi ? a->csi->name : "-", sg, su, a->comp ? a->comp->name : "-");
	case AMF_ACT_CSI_REMOVE:
		return snprintf(buf, len, "step %u csi-remove si=%s csi=%s su=%s/%s comp=%s", a->step, a->si->name,
				a->csi ? a->csi->name : "-", sg, su, a->comp ? a->comp->name : "-");
	case AMF_ACT_INSTANTIATE:
	case AMF_ACT_TERMINATE:
	case AMF_ACT_CLEANUP:
		return snprintf(buf, len, "step %u %s su=%s/%s comp=%s", a->step, kind_name(a->kind), sg, su,
				a->comp->name);
	case AMF_ACT_NODE_REBOOT:
		return snprintf(buf, len, "step %u node-reboot node=%s", a->step, a->node->name);
	case AMF_ACT_CLUSTER_RESET:
		return snprintf(buf, len, "step %u cluster-reset", a->step);
	}
	return snprintf(buf, len, "step %u ?", a->step);
}

/* ---- readiness ---- */

static bool admin_locked(enum amf_admin_state s)
{
	return s == AMF_ADMIN_LOCKED || s == AMF_ADMIN_LOCKED_INSTANTIATION;
}

static bool su_has_assignments(const struct amf_su *u)
{
	return u->assignments != NULL;
}

static enum amf_readiness_state su_readiness(const struct amf_su *u)
{
	const struct amf_node *n = u->node;
	const struct amf_app *a = u->sg->app;
	const struct amf_comp *p;

	if (!n || !n->clm_member || n->oper_state != AMF_OPER_ENABLED || admin_locked(n->admin_state))
		return AMF_READINESS_OUT_OF_SERVICE;
	if (u->oper_state != AMF_OPER_ENABLED || admin_locked(u->admin_state) || admin_locked(u->sg->admin_state) ||
	    admin_locked(a->admin_state) || admin_locked(a->cluster->admin_state))
		return AMF_READINESS_OUT_OF_SERVICE;
	if (!u->comps)
		return AMF_READINESS_OUT_OF_SERVICE;
	for (p = u->comps; p; p = p->next) {
		if (p->oper_state != AMF_OPER_ENABLED)
			return AMF_READINESS_OUT_OF_SERVICE;
		if (p->presence_state != AMF_PRESENCE_INSTANTIATED && p->presence_state != AMF_PRESENCE_RESTARTING)
			return AMF_READINESS_OUT_OF_SERVICE;
	}
	if (n->admin_state == AMF_ADMIN_SHUTTING_DOWN || u->admin_state == AMF_ADMIN_SHUTTING_DOWN ||
	    u->sg->admin_state == AMF_ADMIN_SHUTTING_DOWN || a->admin_state == AMF_ADMIN_SHUTTING_DOWN)
		return AMF_READINESS_STOPPING;
	return AMF_READINESS_IN_SERVICE;
}

static enum amf_presence_state su_presence(const struct amf_su *u)
{
	const struct amf_comp *p;
	bool all = u->comps != NULL, restarting = false, inst = false, ifail = false, tfail = false, term = false;

	for (p = u->comps; p; p = p->next) {
		if (p->presence_state != AMF_PRESENCE_INSTANTIATED)
			all = false;
		restarting |= p->presence_state == AMF_PRESENCE_RESTARTING;
		inst |= p->presence_state == AMF_PRESENCE_INSTANTIATING;
		term |= p->presence_state == AMF_PRESENCE_TERMINATING;
		ifail |= p->presence_state == AMF_PRESENCE_INSTANTIATION_FAILED;
		tfail |= p->presence_state == AMF_PRESENCE_TERMINATION_FAILED;
	}
	if (tfail)
		return AMF_PRESENCE_TERMINATION_FAILED;
	if (ifail)
		return AMF_PRESENCE_INSTANTIATION_FAILED;
	if (all)
		return AMF_PRESENCE_INSTANTIATED;
	if (restarting)
		return AMF_PRESENCE_RESTARTING;
	if (inst)
		return AMF_PRESENCE_INSTANTIATING;
	if (term)
		return AMF_PRESENCE_TERMINATING;
	return AMF_PRESENCE_UNINSTANTIATED;
}

void amf_readiness_update(struct amf_cluster *c)
{
	struct amf_su *u;
	struct amf_sg *g;
	struct amf_si *s;
	struct amf_node *n;

	for (u = amf_su_next(c, NULL); u; u = amf_su_next(c, u)) {
		struct amf_comp *p;

		u->readiness_state = su_readiness(u);
		u->presence_state = su_presence(u);
		for (p = u->comps; p; p = p->next)
			p->readiness_state = (p->oper_state == AMF_OPER_ENABLED &&
					      p->presence_state == AMF_PRESENCE_INSTANTIATED) ?
						     u->readiness_state :
						     AMF_READINESS_OUT_OF_SERVICE;
		if (u->admin_state == AMF_ADMIN_SHUTTING_DOWN && !su_has_assignments(u))
			u->admin_state = AMF_ADMIN_LOCKED;
	}
	for (g = amf_sg_next(c, NULL); g; g = amf_sg_next(c, g)) {
		bool busy = false;

		if (g->admin_state != AMF_ADMIN_SHUTTING_DOWN)
			continue;
		for (u = g->sus; u; u = u->next)
			busy |= su_has_assignments(u);
		if (!busy)
			g->admin_state = AMF_ADMIN_LOCKED;
	}
	for (n = c->nodes; n; n = n->next) {
		bool busy = false;

		if (n->admin_state != AMF_ADMIN_SHUTTING_DOWN)
			continue;
		for (u = amf_su_next(c, NULL); u; u = amf_su_next(c, u))
			busy |= u->node == n && su_has_assignments(u);
		if (!busy)
			n->admin_state = AMF_ADMIN_LOCKED;
	}
	for (s = amf_si_next(c, NULL); s; s = amf_si_next(c, s))
		if (s->admin_state == AMF_ADMIN_SHUTTING_DOWN && !s->assignments)
			s->admin_state = AMF_ADMIN_LOCKED;
}

/* ---- capacity ---- */

bool amf_comp_capability_allows(const struct amf_comp *p, uint32_t act, uint32_t stb)
{
	uint32_t x = p->num_max_active_csi, y = p->num_max_standby_csi;

	switch (p->capability) {
	case AMF_CAP_X_ACTIVE_AND_Y_STANDBY:
		return act <= x && stb <= y;
	case AMF_CAP_X_ACTIVE_OR_Y_STANDBY:
		return (stb == 0 && act <= x) || (act == 0 && stb <= y);
	case AMF_CAP_ONE_ACTIVE_OR_Y_STANDBY:
		return (stb == 0 && act <= 1) || (act == 0 && stb <= y);
	case AMF_CAP_ONE_ACTIVE_OR_ONE_STANDBY:
		return act + stb <= 1;
	case AMF_CAP_X_ACTIVE:
		return stb == 0 && act <= x;
	case AMF_CAP_1_ACTIVE:
	case AMF_CAP_NON_PRE_INSTANTIABLE:
		return stb == 0 && act <= 1;
	}
	return false;
}

static bool ha_is_active(enum amf_ha_state h)
{
	return h != AMF_HA_STANDBY;
}

static bool comp_takes(const struct amf_comp *p, const struct amf_csi *csi)
{
	return csi->cstype_name && amf_strv_contains(&p->cs_types, csi->cstype_name);
}

/* ---- the planner ---- */

/* One wanted assignment of an SI. */
struct tgt {
	struct amf_su *su;
	enum amf_ha_state ha;
	struct amf_si_assignment *cur; /* the current assignment on that SU, or NULL */
	struct amf_comp **map;         /* per CSI (file order): the component */
};

struct si_plan {
	struct amf_si *si;
	struct tgt *t;
	size_t n;
	bool frozen;      /* a CSI is QUIESCING: leave the SI as it is */
	bool draining;    /* actives are being quiesced gracefully (shutdown) */
	bool quiesced;    /* an old active is (or will be) QUIESCED */
};

struct plan {
	struct amf_sg *sg;
	size_t nsu, ncomp, nsi;
	struct amf_su **sus;     /* ranked */
	uint32_t *su_act, *su_stb;
	struct amf_comp **comps;
	uint32_t *c_act, *c_stb, *t_act, *t_stb;
	struct si_plan *sis;     /* ranked */
	struct amf_comp **maps;  /* storage for tgt.map */
	size_t maps_used, maps_cap;
	bool *act_role, *stb_role; /* per ranked SU index: may take that role */
	bool *tried;               /* scratch of place_new() */
};

static uint64_t rank_key(uint32_t rank)
{
	return rank ? rank : UINT64_C(0x100000000);
}

static size_t su_index(const struct plan *p, const struct amf_su *u)
{
	size_t i;

	for (i = 0; i < p->nsu; i++)
		if (p->sus[i] == u)
			return i;
	return SIZE_MAX;
}

static size_t comp_index(const struct plan *p, const struct amf_comp *c)
{
	size_t i;

	for (i = 0; i < p->ncomp; i++)
		if (p->comps[i] == c)
			return i;
	return SIZE_MAX;
}

static bool su_usable(const struct amf_su *u)
{
	return u->readiness_state == AMF_READINESS_IN_SERVICE;
}

static uint32_t sg_max_active(const struct amf_sg *g)
{
	if (g->model == AMF_RED_NO_REDUNDANCY)
		return 1;
	return g->max_active_sis_per_su ? g->max_active_sis_per_su : UINT32_MAX;
}

static uint32_t sg_max_standby(const struct amf_sg *g)
{
	return g->max_standby_sis_per_su ? g->max_standby_sis_per_su : UINT32_MAX;
}

static struct amf_si_assignment *cur_on(const struct amf_si *si, const struct amf_su *u)
{
	struct amf_si_assignment *a;

	for (a = si->assignments; a; a = a->si_next)
		if (a->su == u)
			return a;
	return NULL;
}

static struct tgt *tgt_on(struct si_plan *sp, const struct amf_su *u)
{
	size_t i;

	for (i = 0; i < sp->n; i++)
		if (sp->t[i].su == u)
			return &sp->t[i];
	return NULL;
}

/* The component of u holding csi now, or NULL. */
static struct amf_comp *csi_holder(const struct amf_csi *csi, const struct amf_su *u)
{
	struct amf_csi_assignment *a;

	for (a = csi->assignments; a; a = a->csi_next)
		if (a->comp->su == u)
			return a->comp;
	return NULL;
}

/*
 * Can su take si with HA state ha on top of the target so far? When it
 * can, the loads are committed and *ret_map receives the CSI placement.
 */
static bool try_place(struct plan *p, struct amf_su *u, struct amf_si *si, enum amf_ha_state ha,
		      struct amf_comp ***ret_map)
{
	size_t ui = su_index(p, u), i, k;
	bool act = ha_is_active(ha);
	struct amf_csi *csi;
	struct amf_comp **map;
	struct amf_comp *pc;

	if (act ? p->su_act[ui] >= sg_max_active(p->sg) : p->su_stb[ui] >= sg_max_standby(p->sg))
		return false;
	if (p->maps_used + si->csi_count > p->maps_cap)
		return false; /* cannot happen: sized for every SI on every SU */
	map = p->maps + p->maps_used;
	memcpy(p->t_act, p->c_act, p->ncomp * sizeof(*p->t_act));
	memcpy(p->t_stb, p->c_stb, p->ncomp * sizeof(*p->t_stb));
	for (csi = si->csis, k = 0; csi; csi = csi->next, k++) {
		struct amf_comp *pick = NULL, *held = csi_holder(csi, u);

		for (i = 0; i < 2 && !pick; i++) {
			for (pc = u->comps; pc; pc = pc->next) {
				size_t ci = comp_index(p, pc);
				uint32_t a = p->t_act[ci] + (act ? 1 : 0), s = p->t_stb[ci] + (act ? 0 : 1);

				if (i == 0 && pc != held)
					continue;
				if (!comp_takes(pc, csi) || !amf_comp_capability_allows(pc, a, s))
					continue;
				pick = pc;
				break;
			}
		}
		if (!pick)
			return false;
		map[k] = pick;
		if (act)
			p->t_act[comp_index(p, pick)]++;
		else
			p->t_stb[comp_index(p, pick)]++;
	}
	memcpy(p->c_act, p->t_act, p->ncomp * sizeof(*p->t_act));
	memcpy(p->c_stb, p->t_stb, p->ncomp * sizeof(*p->t_stb));
	if (act)
		p->su_act[ui]++;
	else
		p->su_stb[ui]++;
	p->maps_used += si->csi_count;
	*ret_map = map;
	return true;
}

static bool place(struct plan *p, struct si_plan *sp, struct amf_su *u, enum amf_ha_state ha)
{
	struct amf_comp **map;

	if (tgt_on(sp, u) || !try_place(p, u, sp->si, ha, &map))
		return false;
	sp->t[sp->n].su = u;
	sp->t[sp->n].ha = ha;
	sp->t[sp->n].cur = cur_on(sp->si, u);
	sp->t[sp->n].map = map;
	sp->n++;
	return true;
}

static size_t count_ha(const struct si_plan *sp, bool active)
{
	size_t i, k = 0;

	for (i = 0; i < sp->n; i++)
		if (ha_is_active(sp->t[i].ha) == active)
			k++;
	return k;
}

static uint32_t want_active(const struct plan *p, const struct amf_si *si)
{
	if (p->sg->model == AMF_RED_NWAY_ACTIVE)
		return si->pref_active_assignments ? si->pref_active_assignments : 1;
	return 1;
}

static uint32_t want_standby(const struct plan *p, const struct amf_si *si)
{
	switch (p->sg->model) {
	case AMF_RED_2N:
	case AMF_RED_NPM:
		return 1;
	case AMF_RED_NWAY:
		return si->pref_standby_assignments;
	case AMF_RED_NWAY_ACTIVE:
	case AMF_RED_NO_REDUNDANCY:
		break;
	}
	return 0;
}

static bool su_holds(const struct amf_su *u, enum amf_ha_state ha)
{
	const struct amf_si_assignment *a;

	for (a = u->assignments; a; a = a->su_next)
		if (a->ha_state == ha)
			return true;
	return false;
}

/* Does u hold the standby of an SI whose active is lost (not on a usable active holder)? */
static bool su_standby_of_orphan(const struct amf_su *u)
{
	const struct amf_si_assignment *a, *b;

	for (a = u->assignments; a; a = a->su_next) {
		bool covered = false;

		if (a->ha_state != AMF_HA_STANDBY)
			continue;
		for (b = a->si->assignments; b; b = b->si_next)
			if (b->ha_state == AMF_HA_ACTIVE && su_usable(b->su))
				covered = true;
		if (!covered)
			return true;
	}
	return false;
}

/*
 * SU roles under 2N (N=1, M=1) and N+M: an SU is active for all its SIs
 * or standby for all. Actives are chosen among usable SUs: first those
 * holding an ACTIVE assignment, then those holding the standby of an SI
 * that lost its active (promotion), then spare SUs, then other standby
 * holders, by rank; standbys among the rest: standby holders, holders of
 * a QUIESCED old active, spares, by rank.
 */
static void choose_roles(struct plan *p)
{
	uint32_t n_act = p->sg->num_pref_active_sus ? p->sg->num_pref_active_sus : 1;
	uint32_t n_stb = p->sg->num_pref_standby_sus;
	uint32_t got = 0;
	size_t i;
	int pass;

	if (p->sg->model == AMF_RED_2N) {
		n_act = 1;
		n_stb = 1;
	}
	if (p->sg->model != AMF_RED_2N && p->sg->model != AMF_RED_NPM) {
		for (i = 0; i < p->nsu; i++)
			p->act_role[i] = p->stb_role[i] = true;
		return;
	}
	for (pass = 0; pass < 5 && got < n_act; pass++) {
		for (i = 0; i < p->nsu && got < n_act; i++) {
			struct amf_su *u = p->sus[i];
			bool take;

			if (!su_usable(u) || p->act_role[i])
				continue;
			switch (pass) {
			case 0: take = su_holds(u, AMF_HA_ACTIVE); break;
			case 1: take = su_standby_of_orphan(u); break;
			case 2: take = !u->assignments; break;
			case 3: take = su_holds(u, AMF_HA_STANDBY); break;
			default: take = true; break;
			}
			if (take) {
				p->act_role[i] = true;
				got++;
			}
		}
	}
	got = 0;
	for (pass = 0; pass < 4 && got < n_stb; pass++) {
		for (i = 0; i < p->nsu && got < n_stb; i++) {
			struct amf_su *u = p->sus[i];
			bool take;

			if (!su_usable(u) || p->act_role[i] || p->stb_role[i])
				continue;
			switch (pass) {
			case 0: take = su_holds(u, AMF_HA_STANDBY); break;
			case 1: take = su_holds(u, AMF_HA_QUIESCED); break;
			case 2: take = !u->assignments; break;
			default: take = true; break;
			}
			if (take) {
				p->stb_role[i] = true;
				got++;
			}
		}
	}
}

/* Place a new assignment on the best SU that fits; NULL when none does. */
static struct amf_su *place_new(struct plan *p, struct si_plan *sp, enum amf_ha_state ha, bool allow_quiesced)
{
	bool active = ha_is_active(ha);
	bool *tried = p->tried;
	struct amf_su *u = NULL;
	size_t i;

	memset(tried, 0, p->nsu * sizeof(*tried));
	for (;;) {
		size_t best = SIZE_MAX;

		for (i = 0; i < p->nsu; i++) {
			struct amf_su *v = p->sus[i];
			struct amf_si_assignment *a = cur_on(sp->si, v);
			uint32_t load = active ? p->su_act[i] : p->su_stb[i];

			if (tried[i] || !su_usable(v) || !(active ? p->act_role[i] : p->stb_role[i]) || tgt_on(sp, v))
				continue;
			if (a && a->ha_state == AMF_HA_QUIESCED && !allow_quiesced)
				continue;
			if (best == SIZE_MAX || load < (active ? p->su_act[best] : p->su_stb[best]))
				best = i;
		}
		if (best == SIZE_MAX)
			break;
		tried[best] = true;
		if (place(p, sp, p->sus[best], ha)) {
			u = p->sus[best];
			break;
		}
	}
	return u;
}

/* May the passes touch this SI (not frozen, not drained, unlocked)? */
static bool si_open(const struct si_plan *sp)
{
	return !sp->frozen && !sp->draining && sp->si->admin_state == AMF_ADMIN_UNLOCKED;
}

static uint32_t want_of(const struct plan *p, const struct amf_si *si, bool active)
{
	return active ? want_active(p, si) : want_standby(p, si);
}

/*
 * For every open SI: current assignments in state from, on IN_SERVICE SUs
 * with the role of to, go into the target as to while the SI wants more.
 */
static void pass_keep(struct plan *p, enum amf_ha_state from, enum amf_ha_state to)
{
	bool act = ha_is_active(to);
	struct amf_si_assignment *a;
	size_t k;

	for (k = 0; k < p->nsi; k++) {
		struct si_plan *sp = &p->sis[k];

		if (!si_open(sp))
			continue;
		for (a = sp->si->assignments; a && count_ha(sp, act) < want_of(p, sp->si, act); a = a->si_next) {
			size_t ui = su_index(p, a->su);

			if (a->ha_state == from && su_usable(a->su) && (act ? p->act_role[ui] : p->stb_role[ui]))
				place(p, sp, a->su, to);
		}
	}
}

/* For every open SI: new assignments in state ha until it has what it wants or nothing fits. */
static void pass_new(struct plan *p, enum amf_ha_state ha)
{
	bool act = ha_is_active(ha);
	size_t k;

	for (k = 0; k < p->nsi; k++) {
		struct si_plan *sp = &p->sis[k];

		if (!si_open(sp))
			continue;
		while (count_ha(sp, act) < want_of(p, sp->si, act) && place_new(p, sp, ha, false))
			;
		/* last resort for an active: the SU that holds the SI QUIESCED */
		if (act && count_ha(sp, true) == 0)
			place_new(p, sp, ha, true);
	}
}

static void plan_si_passes(struct plan *p)
{
	size_t k;
	struct amf_si_assignment *a;

	/* pass 0: frozen and draining SIs keep what they have */
	for (k = 0; k < p->nsi; k++) {
		struct si_plan *sp = &p->sis[k];

		for (a = sp->si->assignments; a; a = a->si_next) {
			if (a->ha_state == AMF_HA_QUIESCING)
				sp->frozen = true;
			if (a->ha_state == AMF_HA_QUIESCED)
				sp->quiesced = true;
			if (a->ha_state == AMF_HA_ACTIVE && a->su->readiness_state == AMF_READINESS_STOPPING)
				sp->draining = true;
		}
		if (sp->si->admin_state == AMF_ADMIN_SHUTTING_DOWN && !sp->quiesced) {
			for (a = sp->si->assignments; a; a = a->si_next)
				sp->draining |= a->ha_state == AMF_HA_ACTIVE;
		}
		if (!sp->frozen && !sp->draining)
			continue;
		for (a = sp->si->assignments; a; a = a->si_next) {
			enum amf_ha_state ha = a->ha_state;

			if (sp->draining && ha == AMF_HA_ACTIVE &&
			    (a->su->readiness_state == AMF_READINESS_STOPPING ||
			     sp->si->admin_state == AMF_ADMIN_SHUTTING_DOWN))
				ha = AMF_HA_QUIESCING;
			if (ha == AMF_HA_STANDBY && (!su_usable(a->su) || sp->si->admin_state != AMF_ADMIN_UNLOCKED))
				continue; /* a standby of a stopping SU or SI goes away */
			if (!place(p, sp, a->su, ha)) {
				/* over the limits (configuration changed): keep it anyway */
				sp->t[sp->n].su = a->su;
				sp->t[sp->n].ha = ha;
				sp->t[sp->n].cur = a;
				sp->t[sp->n].map = NULL;
				sp->n++;
			}
		}
	}
	pass_keep(p, AMF_HA_ACTIVE, AMF_HA_ACTIVE);   /* 1: keep valid actives */
	pass_keep(p, AMF_HA_STANDBY, AMF_HA_ACTIVE);  /* 2: promote standbys of SIs without an active */
	pass_new(p, AMF_HA_ACTIVE);                   /* 3: new actives */
	pass_keep(p, AMF_HA_STANDBY, AMF_HA_STANDBY); /* 4: keep valid standbys */
	pass_keep(p, AMF_HA_QUIESCED, AMF_HA_STANDBY); /* 5: quiesced old actives become standbys */
	pass_new(p, AMF_HA_STANDBY);                  /* 6: new standbys */
}

static int push(struct amf_action_list *l, enum amf_action_kind kind, unsigned step, struct amf_su *u,
		struct amf_si *si, struct amf_comp *comp, struct amf_csi *csi, enum amf_ha_state ha,
		enum amf_transition tr)
{
	struct amf_action a = {
		.kind = kind, .step = step, .node = u ? u->node : NULL, .su = u, .si = si,
		.comp = comp, .csi = csi, .ha_state = ha, .transition = tr,
	};

	return amf_actions_push(l, &a);
}

static struct amf_csi *csi_at(const struct amf_si *si, size_t k)
{
	struct amf_csi *csi = si->csis;

	while (k-- && csi)
		csi = csi->next;
	return csi;
}

/* Are the CSIs that csi depends on (saAmfCSIDependency) all marked in placed? */
static bool csi_deps_placed(const struct amf_si *si, const struct amf_csi *csi, const bool *placed)
{
	const struct amf_csi *d;
	size_t i, k;

	for (i = 0; i < csi->depends.n; i++)
		for (d = si->csis, k = 0; d; d = d->next, k++)
			if (strcmp(d->name, csi->depends.v[i]) == 0 && !placed[k])
				return false;
	return true;
}

/*
 * The indexes of si's CSIs in dependency order: every CSI after the ones
 * it depends on, file order otherwise (a cycle, which the configuration
 * check rejects, falls back to file order). Caller frees; NULL when out
 * of memory.
 */
static size_t *csi_order(const struct amf_si *si)
{
	size_t n = si->csi_count, done = 0, k, *ord = calloc(n + 1, sizeof(*ord));
	bool *placed = calloc(n + 1, sizeof(*placed));
	const struct amf_csi *csi;

	if (!ord || !placed) {
		free(ord);
		free(placed);
		return NULL;
	}
	while (done < n) {
		size_t before = done;

		for (csi = si->csis, k = 0; csi; csi = csi->next, k++) {
			if (placed[k] || !csi_deps_placed(si, csi, placed))
				continue;
			placed[k] = true;
			ord[done++] = k;
		}
		for (k = 0; done == before && k < n; k++) {
			if (!placed[k]) {
				placed[k] = true;
				ord[done++] = k;
			}
		}
	}
	free(placed);
	return ord;
}

/*
 * CSI actions for si on u, in dependency order (reverse when the CSIs are
 * taken away: quiesced or removed). kind CSI_SET sets ha per the placement
 * map (or on the current holders without one), moving a CSI to another
 * component with a remove first; CSI_REMOVE removes every CSI held on u.
 * An SI without CSIs gets one SI-level action.
 */
static int emit_csis(struct amf_action_list *l, enum amf_action_kind kind, unsigned step, struct amf_su *u,
		     struct amf_si *si, struct amf_comp **map, enum amf_ha_state ha, enum amf_transition tr)
{
	bool reverse = kind == AMF_ACT_CSI_REMOVE || ha == AMF_HA_QUIESCED || ha == AMF_HA_QUIESCING;
	size_t n = si->csi_count, i, *ord;
	int r = 0;

	if (!si->csis)
		return push(l, kind, step, u, si, NULL, NULL, ha, tr);
	if (!(ord = csi_order(si)))
		return -ENOMEM;
	for (i = 0; i < n && r == 0; i++) {
		size_t k = reverse ? ord[n - 1 - i] : ord[i];
		struct amf_csi *csi = csi_at(si, k);
		struct amf_comp *h = csi_holder(csi, u), *to = map ? map[k] : h;

		if (kind == AMF_ACT_CSI_REMOVE) {
			if (h)
				r = push(l, AMF_ACT_CSI_REMOVE, step, u, si, h, csi, 0, AMF_TRANS_NONE);
			continue;
		}
		if (!to)
			continue;
		if (h && h != to)
			r = push(l, AMF_ACT_CSI_REMOVE, step, u, si, h, csi, 0, AMF_TRANS_NONE);
		if (r == 0)
			r = push(l, AMF_ACT_CSI_SET, step, u, si, to, csi, ha, tr);
	}
	free(ord);
	return r;
}

static int emit_remove(struct amf_action_list *l, unsigned step, struct amf_su *u, struct amf_si *si)
{
	return emit_csis(l, AMF_ACT_CSI_REMOVE, step, u, si, NULL, 0, AMF_TRANS_NONE);
}

static int emit_set(struct amf_action_list *l, unsigned step, struct amf_su *u, struct amf_si *si,
		    struct amf_comp **map, enum amf_ha_state ha, enum amf_transition tr)
{
	return emit_csis(l, AMF_ACT_CSI_SET, step, u, si, map, ha, tr);
}

/*
 * Does any CSI of si on u sit on another component than the map says, or
 * in another HA state than ha (a list cut short by a failure leaves mixed
 * states behind)?
 */
static bool csis_differ(struct amf_su *u, struct amf_si *si, struct amf_comp **map, enum amf_ha_state ha)
{
	struct amf_csi *csi;
	size_t k;

	for (csi = si->csis, k = 0; csi; csi = csi->next, k++) {
		struct amf_comp *h = csi_holder(csi, u);
		struct amf_csi_assignment *ca;

		if (map && h != map[k])
			return true;
		for (ca = csi->assignments; ca; ca = ca->csi_next)
			if (ca->comp->su == u && ca->ha_state != ha)
				return true;
	}
	return false;
}

static int emit_si(struct si_plan *sp, unsigned base, struct amf_action_list *l)
{
	struct amf_si *si = sp->si;
	struct amf_si_assignment *a;
	bool quiesce_now = false;
	size_t i;
	int r;

	/* old actives that leave: QUIESCED first (step 0) */
	for (a = si->assignments; a; a = a->si_next) {
		struct tgt *t = tgt_on(sp, a->su);

		if (a->ha_state == AMF_HA_ACTIVE && (!t || !ha_is_active(t->ha))) {
			quiesce_now = true;
			if ((r = emit_set(l, base, a->su, si, NULL, AMF_HA_QUIESCED, AMF_TRANS_NONE)) < 0)
				return r;
		}
	}
	for (i = 0; i < sp->n; i++) {
		struct tgt *t = &sp->t[i];
		enum amf_ha_state now = t->cur ? t->cur->ha_state : 0;
		enum amf_transition tr = AMF_TRANS_NEW_ASSIGN;
		unsigned step;

		if (now == t->ha && !csis_differ(t->su, si, t->map, t->ha))
			continue;
		if (t->ha == AMF_HA_QUIESCING) {
			step = 0;
			tr = AMF_TRANS_NONE;
		} else if (t->ha == AMF_HA_ACTIVE) {
			step = 1;
			if (now == AMF_HA_STANDBY)
				tr = (sp->quiesced || quiesce_now) ? AMF_TRANS_QUIESCED : AMF_TRANS_NOT_QUIESCED;
			else if (now == AMF_HA_ACTIVE)
				tr = AMF_TRANS_STILL_ACTIVE;
		} else {
			step = now ? 2 : 3;
			tr = AMF_TRANS_NONE;
		}
		if ((r = emit_set(l, base + step, t->su, si, t->map, t->ha, tr)) < 0)
			return r;
	}
	/* everything not in the target goes (step 2) */
	for (a = si->assignments; a; a = a->si_next)
		if (!tgt_on(sp, a->su) && (r = emit_remove(l, base + 2, a->su, si)) < 0)
			return r;
	return 0;
}

static int su_rank_cmp(const void *x, const void *y)
{
	const struct amf_su *a = *(struct amf_su *const *)x, *b = *(struct amf_su *const *)y;
	uint64_t ka = rank_key(a->rank), kb = rank_key(b->rank);

	return ka < kb ? -1 : ka > kb ? 1 : 0;
}

static int si_rank_cmp(const void *x, const void *y)
{
	const struct si_plan *a = x, *b = y;
	uint64_t ka = rank_key(a->si->rank), kb = rank_key(b->si->rank);

	return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/* Stable sort by insertion (qsort is not stable; the arrays are small). */
static void sort_stable(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	char *v = base, tmp[sizeof(struct si_plan) > sizeof(void *) ? sizeof(struct si_plan) : sizeof(void *)];
	size_t i, j;

	for (i = 1; i < n; i++) {
		memcpy(tmp, v + i * size, size);
		for (j = i; j > 0 && cmp(v + (j - 1) * size, tmp) > 0; j--)
			memcpy(v + j * size, v + (j - 1) * size, size);
		memcpy(v + j * size, tmp, size);
	}
}

static void plan_free(struct plan *p)
{
	size_t k;

	if (p->sis)
		for (k = 0; k < p->nsi; k++)
			free(p->sis[k].t);
	free(p->sis);
	free(p->sus);
	free(p->su_act);
	free(p->su_stb);
	free(p->comps);
	free(p->c_act);
	free(p->c_stb);
	free(p->t_act);
	free(p->t_stb);
	free(p->maps);
	free(p->act_role);
	free(p->stb_role);
	free(p->tried);
}

int amf_assign_plan_sg(struct amf_sg *sg, unsigned base, struct amf_action_list *l)
{
	struct plan p = { .sg = sg };
	struct amf_su *u;
	struct amf_comp *pc;
	struct amf_si *si;
	size_t i, k, csis = 0;
	int r = -ENOMEM;

	p.nsu = sg->su_count;
	for (u = sg->sus; u; u = u->next)
		p.ncomp += u->comp_count;
	for (si = sg->app->sis; si; si = si->next)
		if (si->sg == sg) {
			p.nsi++;
			csis += si->csi_count;
		}
	if (p.nsi == 0)
		return 0;
	p.sus = calloc(p.nsu + 1, sizeof(*p.sus));
	p.su_act = calloc(p.nsu + 1, sizeof(*p.su_act));
	p.su_stb = calloc(p.nsu + 1, sizeof(*p.su_stb));
	p.act_role = calloc(p.nsu + 1, sizeof(*p.act_role));
	p.stb_role = calloc(p.nsu + 1, sizeof(*p.stb_role));
	p.tried = calloc(p.nsu + 1, sizeof(*p.tried));
	p.comps = calloc(p.ncomp + 1, sizeof(*p.comps));
	p.c_act = calloc(p.ncomp + 1, sizeof(*p.c_act));
	p.c_stb = calloc(p.ncomp + 1, sizeof(*p.c_stb));
	p.t_act = calloc(p.ncomp + 1, sizeof(*p.t_act));
	p.t_stb = calloc(p.ncomp + 1, sizeof(*p.t_stb));
	p.sis = calloc(p.nsi, sizeof(*p.sis));
	p.maps_cap = csis * (p.nsu + 1) + 1;
	p.maps = calloc(p.maps_cap, sizeof(*p.maps));
	if (!p.sus || !p.su_act || !p.su_stb || !p.act_role || !p.stb_role || !p.tried || !p.comps || !p.c_act || !p.c_stb ||
	    !p.t_act || !p.t_stb || !p.sis || !p.maps)
		goto out;
	for (u = sg->sus, i = 0, k = 0; u; u = u->next) {
		p.sus[i++] = u;
		for (pc = u->comps; pc; pc = pc->next)
			p.comps[k++] = pc;
	}
	sort_stable(p.sus, p.nsu, sizeof(*p.sus), su_rank_cmp);
	for (si = sg->app->sis, k = 0; si; si = si->next) {
		if (si->sg != sg)
			continue;
		p.sis[k].si = si;
		p.sis[k].t = calloc(p.nsu + 1, sizeof(*p.sis[k].t));
		if (!p.sis[k].t)
			goto out;
		k++;
	}
	sort_stable(p.sis, p.nsi, sizeof(*p.sis), si_rank_cmp);
	choose_roles(&p);
	plan_si_passes(&p);
	for (k = 0; k < p.nsi; k++)
		if ((r = emit_si(&p.sis[k], base, l)) < 0)
			goto out;
	r = 0;
out:
	plan_free(&p);
	return r;
}

static bool inst_allowed(const struct amf_su *u)
{
	const struct amf_node *n = u->node;

	return n && n->clm_member && n->oper_state == AMF_OPER_ENABLED &&
	       n->admin_state != AMF_ADMIN_LOCKED_INSTANTIATION && u->oper_state == AMF_OPER_ENABLED &&
	       u->admin_state != AMF_ADMIN_LOCKED_INSTANTIATION &&
	       u->sg->admin_state != AMF_ADMIN_LOCKED_INSTANTIATION &&
	       u->sg->app->admin_state != AMF_ADMIN_LOCKED_INSTANTIATION;
}

int amf_assign_plan(struct amf_cluster *c, unsigned base, struct amf_action_list *l)
{
	struct amf_su *u;
	struct amf_sg *g;
	int r;

	amf_readiness_update(c);
	for (u = amf_su_next(c, NULL); u; u = amf_su_next(c, u)) {
		struct amf_comp *pc;
		bool allowed = inst_allowed(u);
		bool locked_inst = u->node && u->node->clm_member && !allowed && u->oper_state == AMF_OPER_ENABLED &&
				   u->node->oper_state == AMF_OPER_ENABLED;

		for (pc = u->comps; pc; pc = pc->next) {
			if (allowed && pc->presence_state == AMF_PRESENCE_UNINSTANTIATED && pc->oper_state == AMF_OPER_ENABLED)
				r = push(l, AMF_ACT_INSTANTIATE, base, u, NULL, pc, NULL, 0, AMF_TRANS_NONE);
			else if (locked_inst && !u->assignments && pc->presence_state == AMF_PRESENCE_INSTANTIATED)
				r = push(l, AMF_ACT_TERMINATE, base, u, NULL, pc, NULL, 0, AMF_TRANS_NONE);
			else
				r = 0;
			if (r < 0)
				return r;
		}
	}
	for (g = amf_sg_next(c, NULL); g; g = amf_sg_next(c, g))
		if ((r = amf_assign_plan_sg(g, base, l)) < 0)
			return r;
	return 0;
}

/* ---- recording completions ---- */

static struct amf_csi_assignment *csi_asg(const struct amf_comp *p, const struct amf_csi *csi)
{
	struct amf_csi_assignment *a;

	for (a = p->assignments; a; a = a->comp_next)
		if (a->csi == csi)
			return a;
	return NULL;
}

static bool si_has_csi_on(const struct amf_si *si, const struct amf_su *u)
{
	const struct amf_csi *csi;

	for (csi = si->csis; csi; csi = csi->next)
		if (csi_holder(csi, u))
			return true;
	return false;
}

void amf_comp_drop_assignments(struct amf_comp *p)
{
	while (p->assignments) {
		struct amf_si *si = p->assignments->csi->si;
		struct amf_si_assignment *sa;

		amf_csi_assignment_remove(p->assignments);
		sa = cur_on(si, p->su);
		if (sa && !si_has_csi_on(si, p->su))
			amf_si_assignment_remove(sa);
	}
}

/*
 * saAmfSGAutoRepair: an SU disabled by a failover is enabled again once
 * the cleanup of every component it failed has completed, unless one of
 * them failed to instantiate or terminate (that takes the REPAIRED
 * operation). Its disabled components are enabled, so the plan
 * instantiates them and the SU becomes a spare.
 */
static void su_auto_repair(struct amf_su *u)
{
	struct amf_comp *p;

	if (u->oper_state != AMF_OPER_DISABLED || !u->sg->auto_repair)
		return;
	for (p = u->comps; p; p = p->next)
		if (p->presence_state == AMF_PRESENCE_TERMINATING ||
		    p->presence_state == AMF_PRESENCE_INSTANTIATION_FAILED ||
		    p->presence_state == AMF_PRESENCE_TERMINATION_FAILED)
			return;
	u->oper_state = AMF_OPER_ENABLED;
	for (p = u->comps; p; p = p->next)
		if (p->presence_state == AMF_PRESENCE_UNINSTANTIATED)
			p->oper_state = AMF_OPER_ENABLED;
}

void amf_su_drop_assignments(struct amf_su *u)
{
	struct amf_comp *p;

	for (p = u->comps; p; p = p->next)
		amf_comp_drop_assignments(p);
	while (u->assignments)
		amf_si_assignment_remove(u->assignments);
}

int amf_action_done(struct amf_cluster *c, const struct amf_action *a)
{
	struct amf_si_assignment *sa;
	struct amf_csi_assignment *ca;

	switch (a->kind) {
	case AMF_ACT_CSI_SET:
		if (a->comp) {
			ca = csi_asg(a->comp, a->csi);
			if (ca)
				ca->ha_state = ca->requested = a->ha_state;
			else if (!amf_csi_assignment_add(a->comp, a->csi, a->ha_state))
				return -ENOMEM;
		}
		sa = cur_on(a->si, a->su);
		if (sa) {
			/* the SI takes the new state once every CSI of it on the SU has it */
			if (csis_differ(a->su, a->si, NULL, a->ha_state))
				break;
			sa->ha_state = sa->requested = a->ha_state;
			a->si->assignment_state = amf_si_assignment_state(a->si);
		} else if (!amf_si_assignment_add(a->su, a->si, a->ha_state)) {
			return -ENOMEM;
		}
		break;
	case AMF_ACT_CSI_REMOVE:
		if (a->comp && (ca = csi_asg(a->comp, a->csi)))
			amf_csi_assignment_remove(ca);
		sa = cur_on(a->si, a->su);
		if (sa && !si_has_csi_on(a->si, a->su))
			amf_si_assignment_remove(sa);
		break;
	case AMF_ACT_INSTANTIATE:
		a->comp->presence_state = AMF_PRESENCE_INSTANTIATED;
		a->comp->oper_state = AMF_OPER_ENABLED;
		break;
	case AMF_ACT_TERMINATE:
	case AMF_ACT_CLEANUP:
		if (a->comp->presence_state != AMF_PRESENCE_RESTARTING) {
			a->comp->presence_state = AMF_PRESENCE_UNINSTANTIATED;
			amf_comp_drop_assignments(a->comp);
			su_auto_repair(a->su);
		}
		break;
	case AMF_ACT_NODE_REBOOT:
	case AMF_ACT_CLUSTER_RESET:
		break;
	}
	amf_readiness_update(c);
	return 0;
}

int amf_assign_quiescing_done(struct amf_cluster *c, struct amf_comp *comp, struct amf_csi *csi)
{
	struct amf_csi_assignment *ca = csi_asg(comp, csi);
	struct amf_si_assignment *sa;
	const struct amf_csi *x;
	bool all = true;

	if (!ca || ca->ha_state != AMF_HA_QUIESCING)
		return -ENOENT;
	ca->ha_state = ca->requested = AMF_HA_QUIESCED;
	for (x = csi->si->csis; x; x = x->next) {
		const struct amf_csi_assignment *o;

		for (o = x->assignments; o; o = o->csi_next)
			if (o->comp->su == comp->su && o->ha_state == AMF_HA_QUIESCING)
				all = false;
	}
	sa = cur_on(csi->si, comp->su);
	if (all && sa)
		sa->ha_state = sa->requested = AMF_HA_QUIESCED;
	amf_readiness_update(c);
	return 0;
}

/* ---- validation and dumps ---- */

#define FAIL(...)                                          \
	do {                                               \
		if (why && why_len)                        \
			snprintf(why, why_len, __VA_ARGS__); \
		return -EINVAL;                            \
	} while (0)

static int validate_sg(const struct amf_sg *g, char *why, size_t why_len)
{
	const struct amf_su *u;
	const struct amf_si *si;
	const struct amf_si_assignment *a, *b;
	uint32_t act_sus = 0, stb_sus = 0;
	bool nm = g->model == AMF_RED_2N || g->model == AMF_RED_NPM;
	uint32_t n_act = g->model == AMF_RED_2N ? 1 : (g->num_pref_active_sus ? g->num_pref_active_sus : 1);
	uint32_t n_stb = g->model == AMF_RED_2N ? 1 : g->num_pref_standby_sus;

	for (u = g->sus; u; u = u->next) {
		uint32_t na = 0, ns = 0;
		const struct amf_comp *pc;

		for (a = u->assignments; a; a = a->su_next) {
			if (a->si->sg != g)
				FAIL("su %s holds si %s of another sg", u->name, a->si->name);
			if (ha_is_active(a->ha_state))
				na++;
			else
				ns++;
			for (b = a->su_next; b; b = b->su_next)
				if (b->si == a->si)
					FAIL("su %s holds si %s twice", u->name, a->si->name);
		}
		if (u->assignments && u->readiness_state == AMF_READINESS_OUT_OF_SERVICE)
			FAIL("su %s is out of service with assignments", u->name);
		if (na > sg_max_active(g))
			FAIL("su %s is active for %u SIs (limit %u)", u->name, na, sg_max_active(g));
		if (ns > sg_max_standby(g))
			FAIL("su %s is standby for %u SIs (limit %u)", u->name, ns, sg_max_standby(g));
		if ((g->model == AMF_RED_NWAY_ACTIVE || g->model == AMF_RED_NO_REDUNDANCY) && ns)
			FAIL("su %s has a standby under %s", u->name, amf_redundancy_model_name(g->model));
		if (nm && na && ns)
			FAIL("su %s is both active and standby under %s", u->name, amf_redundancy_model_name(g->model));
		act_sus += na ? 1 : 0;
		stb_sus += ns ? 1 : 0;
		for (pc = u->comps; pc; pc = pc->next) {
			const struct amf_csi_assignment *ca;
			uint32_t ca_act = 0, ca_stb = 0;

			for (ca = pc->assignments; ca; ca = ca->comp_next) {
				if (!comp_takes(pc, ca->csi))
					FAIL("comp %s/%s holds csi %s of a CS type it does not take", u->name, pc->name,
					     ca->csi->name);
				if (ha_is_active(ca->ha_state))
					ca_act++;
				else
					ca_stb++;
				a = cur_on(ca->csi->si, u);
				if (!a || a->ha_state != ca->ha_state)
					FAIL("comp %s/%s: csi %s and its si disagree", u->name, pc->name, ca->csi->name);
			}
			if (!amf_comp_capability_allows(pc, ca_act, ca_stb))
				FAIL("comp %s/%s over its capability (%u active, %u standby)", u->name, pc->name, ca_act,
				     ca_stb);
		}
	}
	if (nm && act_sus > n_act)
		FAIL("sg %s has %u active SUs (N=%u)", g->name, act_sus, n_act);
	if (nm && stb_sus > n_stb)
		FAIL("sg %s has %u standby SUs (M=%u)", g->name, stb_sus, n_stb);
	for (si = g->app->sis; si; si = si->next) {
		uint32_t act = 0;
		const struct amf_csi *csi;

		if (si->sg != g)
			continue;
		for (a = si->assignments; a; a = a->si_next) {
			if (a->ha_state == AMF_HA_ACTIVE || a->ha_state == AMF_HA_QUIESCING)
				act++;
			for (csi = si->csis; csi; csi = csi->next)
				if (!csi_holder(csi, a->su))
					FAIL("si %s on su %s lacks csi %s", si->name, a->su->name, csi->name);
		}
		if (g->model == AMF_RED_NWAY_ACTIVE) {
			if (act > (si->pref_active_assignments ? si->pref_active_assignments : 1))
				FAIL("si %s has %u actives", si->name, act);
		} else if (act > 1) {
			FAIL("si %s has %u actives", si->name, act);
		}
	}
	return 0;
}

int amf_assign_validate(const struct amf_cluster *c, char *why, size_t why_len)
{
	const struct amf_sg *g;
	int r;

	for (g = amf_sg_next(c, NULL); g; g = amf_sg_next(c, g))
		if ((r = validate_sg(g, why, why_len)) < 0)
			return r;
	if (why && why_len)
		why[0] = '\0';
	return 0;
}

int amf_assign_dump(const struct amf_cluster *c, FILE *out)
{
	const struct amf_node *n;
	const struct amf_su *u;
	const struct amf_si *si;
	int r = 0;

	for (n = c->nodes; n; n = n->next)
		r |= fprintf(out, "node %s member=%d admin=%s oper=%s sufo=%u@%llu\n", n->name, n->clm_member,
			     amf_admin_state_name(n->admin_state), amf_oper_state_name(n->oper_state),
			     n->su_failover_count, (unsigned long long)n->su_failover_prob_start_ms) < 0;
	for (u = amf_su_next(c, NULL); u; u = amf_su_next(c, u)) {
		const struct amf_comp *pc;

		r |= fprintf(out, "su %s/%s admin=%s oper=%s pres=%s ready=%s rst=%u cr=%u\n", u->sg->name, u->name,
			     amf_admin_state_name(u->admin_state), amf_oper_state_name(u->oper_state),
			     amf_presence_state_name(u->presence_state), amf_readiness_state_name(u->readiness_state),
			     u->restart_count, u->comp_restart_count) < 0;
		for (pc = u->comps; pc; pc = pc->next) {
			const struct amf_csi_assignment *ca;

			for (ca = pc->assignments; ca; ca = ca->comp_next)
				r |= fprintf(out, "  comp %s csi %s/%s %s\n", pc->name, ca->csi->si->name, ca->csi->name,
					     amf_ha_state_name(ca->ha_state)) < 0;
		}
	}
	for (si = amf_si_next(c, NULL); si; si = amf_si_next(c, si)) {
		const struct amf_si_assignment *a;

		r |= fprintf(out, "si %s admin=%s %s:", si->name, amf_admin_state_name(si->admin_state),
			     amf_assignment_state_name(si->assignment_state)) < 0;
		for (a = si->assignments; a; a = a->si_next)
			r |= fprintf(out, " %s=%s", a->su->name, amf_ha_state_name(a->ha_state)) < 0;
		r |= fputc('\n', out) == EOF;
	}
	return r ? -EIO : 0;
}
