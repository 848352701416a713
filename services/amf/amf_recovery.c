/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AMF recovery, escalation with probation counters, CLM node events and
 * administrative operations (see amf_recovery.h). Each function changes
 * the model's states, then asks amf_assign.c for the actions that follow.
 * No clock is read: every time is an argument.
 */
#include "config.h"

#include <errno.h>

#include "amf_recovery.h"

int amf_recovery_strength(enum amf_recovery r)
{
	switch (r) {
	case AMF_REC_NO_RECOMMENDATION: return 0;
	case AMF_REC_COMPONENT_RESTART: return 1;
	case AMF_REC_COMPONENT_FAILOVER: return 2;
	case AMF_REC_NODE_SWITCHOVER: return 3;
	case AMF_REC_NODE_FAILOVER: return 4;
	case AMF_REC_NODE_FAILFAST: return 5;
	case AMF_REC_APPLICATION_RESTART: return 6;
	case AMF_REC_CLUSTER_RESET: return 7;
	}
	return -1;
}

enum amf_recovery amf_recovery_choose(const struct amf_comp *comp, enum amf_recovery recommended)
{
	enum amf_recovery r = comp->recovery_on_error;

	if (amf_recovery_strength(r) <= 0)
		r = AMF_REC_COMPONENT_RESTART;
	if (amf_recovery_strength(recommended) > amf_recovery_strength(r))
		r = recommended;
	if (r == AMF_REC_COMPONENT_RESTART && comp->disable_restart)
		r = AMF_REC_COMPONENT_FAILOVER;
	return r;
}

const char *amf_applied_name(enum amf_applied a)
{
	switch (a) {
	case AMF_APPLIED_COMP_RESTART: return "component-restart";
	case AMF_APPLIED_SU_RESTART: return "su-restart";
	case AMF_APPLIED_COMP_FAILOVER: return "component-failover";
	case AMF_APPLIED_SU_FAILOVER: return "su-failover";
	case AMF_APPLIED_NODE_SWITCHOVER: return "node-switchover";
	case AMF_APPLIED_NODE_FAILOVER: return "node-failover";
	case AMF_APPLIED_NODE_FAILFAST: return "node-failfast";
	case AMF_APPLIED_APP_RESTART: return "application-restart";
	case AMF_APPLIED_CLUSTER_RESET: return "cluster-reset";
	}
	return "?";
}

/*
 * Count one event in a probation window. The window starts with the first
 * event counted; an event at or after start + prob starts a new window.
 * @return true when the count now exceeds max (the counter is then reset:
 * the caller escalates instead).
 */
static bool probation_exceeded(uint32_t *count, uint64_t *start, uint64_t prob, uint32_t max, uint64_t now)
{
	if (*count == 0 || now < *start || now - *start >= prob) {
		*start = now;
		*count = 0;
	}
	(*count)++;
	if (*count > max) {
		*count = 0;
		return true;
	}
	return false;
}

static int push(struct amf_action_list *l, enum amf_action_kind kind, unsigned step, struct amf_su *u,
		struct amf_comp *p)
{
	struct amf_action a = { .kind = kind, .step = step, .node = u ? u->node : NULL, .su = u, .comp = p };

	return amf_actions_push(l, &a);
}

/* CLEANUP, INSTANTIATE, then every CSI set again with its HA state. */
static int comp_restart_actions(struct amf_comp *p, unsigned base, struct amf_action_list *l)
{
	struct amf_csi_assignment *ca;
	int r;

	p->presence_state = AMF_PRESENCE_RESTARTING;
	p->restart_count++;
	if ((r = push(l, AMF_ACT_CLEANUP, base, p->su, p)) < 0 || (r = push(l, AMF_ACT_INSTANTIATE, base + 1, p->su, p)) < 0)
		return r;
	for (ca = p->assignments; ca; ca = ca->comp_next) {
		struct amf_action a = {
			.kind = AMF_ACT_CSI_SET, .step = base + 2, .node = p->su->node, .su = p->su,
			.si = ca->csi->si, .comp = p, .csi = ca->csi, .ha_state = ca->ha_state,
			.transition = ca->ha_state == AMF_HA_ACTIVE ? AMF_TRANS_NEW_ASSIGN : AMF_TRANS_NONE,
		};

		if ((r = amf_actions_push(l, &a)) < 0)
			return r;
	}
	return 0;
}

static bool comp_alive(const struct amf_comp *p)
{
	return p->presence_state == AMF_PRESENCE_INSTANTIATED || p->presence_state == AMF_PRESENCE_RESTARTING ||
	       p->presence_state == AMF_PRESENCE_INSTANTIATING || p->presence_state == AMF_PRESENCE_TERMINATING;
}

/* The SU is failed: DISABLED, assignments forgotten, every live component cleaned up at base. */
static int su_fail(struct amf_su *u, const struct amf_comp *skip, unsigned base, struct amf_action_list *l)
{
	struct amf_comp *p;
	int r;

	u->oper_state = AMF_OPER_DISABLED;
	amf_su_drop_assignments(u);
	for (p = u->comps; p; p = p->next) {
		if (p == skip || !comp_alive(p))
			continue;
		if (!u->node || !u->node->clm_member) {
			p->presence_state = AMF_PRESENCE_UNINSTANTIATED;
			continue;
		}
		p->presence_state = AMF_PRESENCE_TERMINATING;
		if ((r = push(l, AMF_ACT_CLEANUP, base, u, p)) < 0)
			return r;
	}
	return 0;
}

/* Every SU hosted by node failed; the node DISABLED. */
static int node_fail(struct amf_cluster *c, struct amf_node *n, unsigned base, struct amf_action_list *l)
{
	struct amf_su *u;
	int r;

	n->oper_state = AMF_OPER_DISABLED;
	for (u = amf_su_next(c, NULL); u; u = amf_su_next(c, u))
		if (u->node == n && (r = su_fail(u, NULL, base, l)) < 0)
			return r;
	return 0;
}

static int replan(struct amf_cluster *c, struct amf_action_list *l)
{
	return amf_assign_plan(c, amf_actions_next_step(l), l);
}

static int node_failover(struct amf_cluster *c, struct amf_node *n, bool failfast, struct amf_action_list *l)
{
	struct amf_action a = { .kind = AMF_ACT_NODE_REBOOT, .step = 0, .node = n };
	int r;

	if ((r = node_fail(c, n, 0, l)) < 0)
		return r;
	/* saAmfNodeAutoRepair: the node is repaired by rebooting it (it joins again through CLM) */
	if ((failfast || n->auto_repair) && n->clm_member && (r = amf_actions_push(l, &a)) < 0)
		return r;
	return replan(c, l);
}

/* SU failover with the node's probation; may escalate to node failover. */
static int su_failover(struct amf_cluster *c, struct amf_su *u, const struct amf_comp *skip, uint64_t now,
		       struct amf_action_list *l, enum amf_applied *applied)
{
	struct amf_node *n = u->node;
	int r;

	if (n && probation_exceeded(&n->su_failover_count, &n->su_failover_prob_start_ms, n->su_failover_prob_ms,
				    n->su_failover_max, now)) {
		*applied = AMF_APPLIED_NODE_FAILOVER;
		return node_failover(c, n, false, l);
	}
	*applied = AMF_APPLIED_SU_FAILOVER;
	if ((r = su_fail(u, skip, 0, l)) < 0)
		return r;
	return replan(c, l);
}

static int su_restart(struct amf_su *u, struct amf_action_list *l)
{
	struct amf_comp *p;
	int r;

	for (p = u->comps; p; p = p->next)
		if ((r = comp_restart_actions(p, 0, l)) < 0)
			return r;
	return 0;
}

static bool su_restartable(const struct amf_su *u)
{
	const struct amf_comp *p;

	for (p = u->comps; p; p = p->next)
		if (p->disable_restart)
			return false;
	return true;
}

int amf_comp_error(struct amf_cluster *c, struct amf_comp *comp, enum amf_recovery recommended, uint64_t now,
		   struct amf_action_list *l, enum amf_applied *ret_applied)
{
	struct amf_su *u = comp->su;
	struct amf_sg *g = u->sg;
	struct amf_su *x;
	enum amf_recovery rec = amf_recovery_choose(comp, recommended);
	enum amf_applied applied;
	int r = 0;

	if (comp->presence_state != AMF_PRESENCE_INSTANTIATED)
		return 0;
	switch (rec) {
	case AMF_REC_NO_RECOMMENDATION:
	case AMF_REC_COMPONENT_RESTART:
		if (!probation_exceeded(&u->comp_restart_count, &u->comp_restart_prob_start_ms, g->comp_restart_prob_ms,
					g->comp_restart_max, now)) {
			applied = AMF_APPLIED_COMP_RESTART;
			r = comp_restart_actions(comp, 0, l);
			break;
		}
		if (su_restartable(u) &&
		    !probation_exceeded(&u->restart_count, &u->restart_prob_start_ms, g->su_restart_prob_ms,
					g->su_restart_max, now)) {
			applied = AMF_APPLIED_SU_RESTART;
			r = su_restart(u, l);
			break;
		}
		r = su_failover(c, u, NULL, now, l, &applied);
		break;
	case AMF_REC_COMPONENT_FAILOVER:
		if (!u->failover) {
			applied = AMF_APPLIED_COMP_FAILOVER;
			comp->oper_state = AMF_OPER_DISABLED;
			comp->presence_state = AMF_PRESENCE_TERMINATING;
			u->oper_state = AMF_OPER_DISABLED;
			amf_comp_drop_assignments(comp);
			if ((r = push(l, AMF_ACT_CLEANUP, 0, u, comp)) == 0)
				r = replan(c, l);
			break;
		}
		r = su_failover(c, u, NULL, now, l, &applied);
		break;
	case AMF_REC_NODE_SWITCHOVER:
		applied = AMF_APPLIED_NODE_SWITCHOVER;
		if ((r = su_fail(u, NULL, 0, l)) == 0) {
			if (u->node)
				u->node->oper_state = AMF_OPER_DISABLED;
			r = replan(c, l);
		}
		break;
	case AMF_REC_NODE_FAILOVER:
	case AMF_REC_NODE_FAILFAST:
		applied = rec == AMF_REC_NODE_FAILFAST ? AMF_APPLIED_NODE_FAILFAST : AMF_APPLIED_NODE_FAILOVER;
		if (u->node)
			r = node_failover(c, u->node, applied == AMF_APPLIED_NODE_FAILFAST, l);
		else
			r = su_failover(c, u, NULL, now, l, &applied);
		break;
	case AMF_REC_APPLICATION_RESTART:
		applied = AMF_APPLIED_APP_RESTART;
		for (x = amf_su_next(c, NULL); x && r == 0; x = amf_su_next(c, x)) {
			struct amf_comp *p;

			if (x->sg->app != g->app)
				continue;
			amf_su_drop_assignments(x);
			for (p = x->comps; p && r == 0; p = p->next)
				if (comp_alive(p) && x->node && x->node->clm_member) {
					p->presence_state = AMF_PRESENCE_TERMINATING;
					r = push(l, AMF_ACT_CLEANUP, 0, x, p);
				}
		}
		break;
	case AMF_REC_CLUSTER_RESET:
	default: {
		struct amf_action a = { .kind = AMF_ACT_CLUSTER_RESET };

		applied = AMF_APPLIED_CLUSTER_RESET;
		r = amf_actions_push(l, &a);
		break;
	}
	}
	if (r == 0 && ret_applied)
		*ret_applied = applied;
	return r;
}

int amf_action_failed(struct amf_cluster *c, const struct amf_action *a, uint64_t now, struct amf_action_list *l)
{
	struct amf_node *n = a->su ? a->su->node : NULL;

	switch (a->kind) {
	case AMF_ACT_CSI_SET:
	case AMF_ACT_CSI_REMOVE:
		if (!a->comp)
			return 0;
		return amf_comp_error(c, a->comp, AMF_REC_NO_RECOMMENDATION, now, l, NULL);
	case AMF_ACT_INSTANTIATE:
		a->comp->presence_state = AMF_PRESENCE_INSTANTIATION_FAILED;
		a->comp->oper_state = AMF_OPER_DISABLED;
		if (n && n->reboot_on_instantiation_failure)
			return node_failover(c, n, true, l);
		if (su_fail(a->su, a->comp, 0, l) < 0)
			return -ENOMEM;
		return replan(c, l);
	case AMF_ACT_TERMINATE:
		return push(l, AMF_ACT_CLEANUP, 0, a->su, a->comp);
	case AMF_ACT_CLEANUP:
		a->comp->presence_state = AMF_PRESENCE_TERMINATION_FAILED;
		a->comp->oper_state = AMF_OPER_DISABLED;
		amf_comp_drop_assignments(a->comp);
		if (n && n->reboot_on_termination_failure)
			return node_failover(c, n, true, l);
		if (su_fail(a->su, a->comp, 0, l) < 0)
			return -ENOMEM;
		return replan(c, l);
	case AMF_ACT_NODE_REBOOT:
	case AMF_ACT_CLUSTER_RESET:
		break;
	}
	return 0;
}

int amf_node_clm_left(struct amf_cluster *c, struct amf_node *node, uint64_t now, struct amf_action_list *l)
{
	struct amf_su *u;

	(void)now;
	node->clm_member = false;
	node->clm_nodeid = 0;
	node->oper_state = AMF_OPER_DISABLED;
	for (u = amf_su_next(c, NULL); u; u = amf_su_next(c, u)) {
		struct amf_comp *p;

		if (u->node != node)
			continue;
		amf_su_drop_assignments(u);
		for (p = u->comps; p; p = p->next)
			p->presence_state = AMF_PRESENCE_UNINSTANTIATED;
	}
	return replan(c, l);
}

int amf_node_clm_joined(struct amf_cluster *c, struct amf_node *node, uint32_t nodeid, uint64_t now,
			struct amf_action_list *l)
{
	struct amf_su *u;

	(void)now;
	node->clm_member = true;
	node->clm_nodeid = nodeid;
	node->oper_state = AMF_OPER_ENABLED;
	node->su_failover_count = 0;
	for (u = amf_su_next(c, NULL); u; u = amf_su_next(c, u)) {
		struct amf_comp *p;

		if (u->node != node)
			continue;
		u->oper_state = AMF_OPER_ENABLED;
		u->restart_count = u->comp_restart_count = 0;
		for (p = u->comps; p; p = p->next) {
			p->presence_state = AMF_PRESENCE_UNINSTANTIATED;
			p->oper_state = AMF_OPER_ENABLED;
			p->restart_count = 0;
		}
	}
	return replan(c, l);
}

/* ---- administrative operations ---- */

static int admin_transition(enum amf_admin_state *st, enum amf_admin_op op)
{
	switch (op) {
	case AMF_OP_LOCK:
		if (*st == AMF_ADMIN_LOCKED)
			return -EALREADY;
		if (*st == AMF_ADMIN_LOCKED_INSTANTIATION)
			return -EPERM;
		*st = AMF_ADMIN_LOCKED;
		return 0;
	case AMF_OP_UNLOCK:
		if (*st == AMF_ADMIN_UNLOCKED)
			return -EALREADY;
		if (*st == AMF_ADMIN_LOCKED_INSTANTIATION)
			return -EPERM;
		*st = AMF_ADMIN_UNLOCKED;
		return 0;
	case AMF_OP_SHUTDOWN:
		if (*st == AMF_ADMIN_SHUTTING_DOWN)
			return -EALREADY;
		if (*st != AMF_ADMIN_UNLOCKED)
			return -EPERM;
		*st = AMF_ADMIN_SHUTTING_DOWN;
		return 0;
	case AMF_OP_LOCK_INSTANTIATION:
		if (*st == AMF_ADMIN_LOCKED_INSTANTIATION)
			return -EALREADY;
		if (*st != AMF_ADMIN_LOCKED)
			return -EPERM;
		*st = AMF_ADMIN_LOCKED_INSTANTIATION;
		return 0;
	case AMF_OP_UNLOCK_INSTANTIATION:
		if (*st == AMF_ADMIN_LOCKED)
			return -EALREADY;
		if (*st != AMF_ADMIN_LOCKED_INSTANTIATION)
			return -EPERM;
		*st = AMF_ADMIN_LOCKED;
		return 0;
	case AMF_OP_RESTART:
	case AMF_OP_SI_SWAP:
	case AMF_OP_REPAIRED:
		return -EPERM;
	}
	return -EINVAL;
}

/* Is a swap or quiescing under way in sg? */
static bool sg_in_transition(const struct amf_sg *g)
{
	const struct amf_su *u;
	const struct amf_si_assignment *a;

	for (u = g->sus; u; u = u->next)
		for (a = u->assignments; a; a = a->su_next)
			if (a->ha_state == AMF_HA_QUIESCED || a->ha_state == AMF_HA_QUIESCING)
				return true;
	return false;
}

static bool si_has_usable_standby(const struct amf_si *si)
{
	const struct amf_si_assignment *a;

	for (a = si->assignments; a; a = a->si_next)
		if (a->ha_state == AMF_HA_STANDBY && a->su->readiness_state == AMF_READINESS_IN_SERVICE)
			return true;
	return false;
}

static int quiesce_si_on(struct amf_su *u, struct amf_si *si, struct amf_action_list *l)
{
	struct amf_csi *csi;
	int r;

	if (!si->csis) {
		struct amf_action a = { .kind = AMF_ACT_CSI_SET, .node = u->node, .su = u, .si = si,
					.ha_state = AMF_HA_QUIESCED };

		return amf_actions_push(l, &a);
	}
	for (csi = si->csis; csi; csi = csi->next) {
		struct amf_csi_assignment *ca;

		for (ca = csi->assignments; ca; ca = ca->csi_next) {
			struct amf_action a = { .kind = AMF_ACT_CSI_SET, .node = u->node, .su = u, .si = si,
						.comp = ca->comp, .csi = csi, .ha_state = AMF_HA_QUIESCED };

			if (ca->comp->su == u && (r = amf_actions_push(l, &a)) < 0)
				return r;
		}
	}
	return 0;
}

static int si_swap(struct amf_cluster *c, struct amf_si *si, struct amf_action_list *l)
{
	struct amf_sg *g = si->sg;
	struct amf_si_assignment *a, *act = NULL;
	int r;

	amf_readiness_update(c);
	if (!g || g->model == AMF_RED_NWAY_ACTIVE || g->model == AMF_RED_NO_REDUNDANCY ||
	    si->admin_state != AMF_ADMIN_UNLOCKED)
		return -EPERM;
	if (sg_in_transition(g))
		return -EBUSY;
	for (a = si->assignments; a; a = a->si_next)
		if (a->ha_state == AMF_HA_ACTIVE && a->su->readiness_state == AMF_READINESS_IN_SERVICE)
			act = a;
	if (!act || !si_has_usable_standby(si))
		return -EPERM;
	if (g->model == AMF_RED_NWAY)
		return quiesce_si_on(act->su, si, l);
	/* 2N and N+M: the SU is active for all its SIs, so all of them swap */
	for (a = act->su->assignments; a; a = a->su_next)
		if (a->ha_state == AMF_HA_ACTIVE && (r = quiesce_si_on(act->su, a->si, l)) < 0)
			return r;
	return 0;
}

static int su_repaired(struct amf_su *u)
{
	struct amf_comp *p;

	if (u->oper_state == AMF_OPER_ENABLED)
		return -EALREADY;
	u->oper_state = AMF_OPER_ENABLED;
	u->restart_count = u->comp_restart_count = 0;
	for (p = u->comps; p; p = p->next) {
		if (p->presence_state == AMF_PRESENCE_INSTANTIATION_FAILED ||
		    p->presence_state == AMF_PRESENCE_TERMINATION_FAILED)
			p->presence_state = AMF_PRESENCE_UNINSTANTIATED;
		p->oper_state = AMF_OPER_ENABLED;
	}
	return 0;
}

int amf_admin_op(struct amf_cluster *c, enum amf_admin_op op, enum amf_kind kind, void *entity, uint64_t now,
		 struct amf_action_list *l)
{
	enum amf_admin_state *st;
	struct amf_su *u;
	int r;

	(void)now;
	if (!entity)
		return -EINVAL;
	switch (kind) {
	case AMF_KIND_SU:
		u = entity;
		if (op == AMF_OP_SI_SWAP)
			return -EPERM;
		if (op == AMF_OP_RESTART) {
			amf_readiness_update(c);
			if (u->readiness_state != AMF_READINESS_IN_SERVICE)
				return -EPERM;
			return su_restart(u, l);
		}
		if (op == AMF_OP_REPAIRED) {
			if ((r = su_repaired(u)) < 0)
				return r;
			return replan(c, l);
		}
		st = &u->admin_state;
		break;
	case AMF_KIND_SG:
		st = &((struct amf_sg *)entity)->admin_state;
		break;
	case AMF_KIND_APP:
		st = &((struct amf_app *)entity)->admin_state;
		break;
	case AMF_KIND_NODE: {
		struct amf_node *n = entity;

		if (op == AMF_OP_REPAIRED) {
			if (n->oper_state == AMF_OPER_ENABLED)
				return -EALREADY;
			if (!n->clm_member)
				return -EPERM;
			n->oper_state = AMF_OPER_ENABLED;
			n->su_failover_count = 0;
			for (u = amf_su_next(c, NULL); u; u = amf_su_next(c, u))
				if (u->node == n)
					(void)su_repaired(u);
			return replan(c, l);
		}
		st = &n->admin_state;
		break;
	}
	case AMF_KIND_SI: {
		struct amf_si *si = entity;

		if (op == AMF_OP_SI_SWAP)
			return si_swap(c, si, l);
		if (op != AMF_OP_LOCK && op != AMF_OP_UNLOCK && op != AMF_OP_SHUTDOWN)
			return -EPERM;
		st = &si->admin_state;
		break;
	}
	default:
		return -EINVAL;
	}
	if (op == AMF_OP_SHUTDOWN && kind != AMF_KIND_SI && kind != AMF_KIND_SU) {
		/* a shutdown of a container waits for swaps under way to finish */
		struct amf_sg *g;

		for (g = amf_sg_next(c, NULL); g; g = amf_sg_next(c, g))
			if ((kind != AMF_KIND_SG || g == entity) && (kind != AMF_KIND_APP || g->app == entity) &&
			    sg_in_transition(g))
				return -EBUSY;
	}
	if ((r = admin_transition(st, op)) < 0)
		return r;
	return replan(c, l);
}
