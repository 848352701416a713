/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The AMF action driver (docs/amf.md "Engine"): runs the planner's action
 * lists step by step on every node alike, applies the outcomes and events
 * that come back in agreed order, and sends this node's reports.
 *
 * State (replicated, in amf_drv): the pending actions (not started, sorted
 * by step), the started actions with their ids, the id counter and the
 * cluster clock. A step starts when nothing is started: its actions leave
 * the pending list, each gets the next id and enters the started set, and
 * the node hosting an action hands it to the executor. When both the
 * pending list and the started set are empty the driver plans again; an
 * empty plan means settled. Every change happens while a message is applied
 * (or at sync activate), so every node starts the same actions with the
 * same ids.
 *
 * Local reports (DONE, FAILED, ERROR, QUIESCED) go through one queue, sent
 * in order; a full totem queue or a running AMF sync holds it, a timer
 * retries.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ais/log.h>

#include "amf_core.h"

AIS_LOG_SUBSYS("AMF");

/* Plans run back to back in one call at most this often (a plan whose
 * actions all complete at once is followed by another). */
#define AMF_DRIVER_ROUNDS_MAX 256
#define AMF_DRIVER_RETRY_MS 10

struct amf_driver_state amf_drv;

struct amf_qmsg {
	struct amf_qmsg *next;
	size_t len;
	uint8_t data[];
};

static struct {
	struct amf_qmsg *head, *tail;
	size_t queued;
	bool timer_armed;
	uint64_t timer;
	bool settled_logged;
	bool startup_timer_armed;
	uint64_t startup_timer;
	/* components with an ERROR sent by this node and not applied yet */
	char (*err_pending)[AMF_DN_MAX + 1];
	size_t n_err_pending, cap_err_pending;
} drv;

uint64_t amf_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void amf_clock(uint64_t ts)
{
	if (ts > amf_engine.now_ms)
		amf_engine.now_ms = ts;
	amf_drv.now_ms = amf_engine.now_ms;
}

/* ---- describing actions for logs ---- */

static const char *amf_transition_text(enum amf_transition t)
{
	switch (t) {
	case AMF_TRANS_NEW_ASSIGN: return " (new assignment)";
	case AMF_TRANS_QUIESCED: return " (after quiesced)";
	case AMF_TRANS_NOT_QUIESCED: return " (not quiesced)";
	case AMF_TRANS_STILL_ACTIVE: return " (still active)";
	case AMF_TRANS_NONE: break;
	}
	return "";
}

static void amf_action_describe(const struct amf_action *a, char *buf, size_t len)
{
	char x[AMF_DN_MAX + 1] = "", y[AMF_DN_MAX + 1] = "";

	switch (a->kind) {
	case AMF_ACT_CSI_SET:
		if (a->comp) {
			amf_csi_dn(a->csi, x, sizeof(x));
			amf_comp_dn(a->comp, y, sizeof(y));
			snprintf(buf, len, "CSI set %s %s on %s%s", x, amf_ha_state_name(a->ha_state), y,
				 amf_transition_text(a->transition));
		} else {
			amf_si_dn(a->si, x, sizeof(x));
			amf_su_dn(a->su, y, sizeof(y));
			snprintf(buf, len, "SI %s %s on %s (no CSI)", x, amf_ha_state_name(a->ha_state), y);
		}
		return;
	case AMF_ACT_CSI_REMOVE:
		if (a->comp) {
			amf_csi_dn(a->csi, x, sizeof(x));
			amf_comp_dn(a->comp, y, sizeof(y));
			snprintf(buf, len, "CSI remove %s from %s", x, y);
		} else {
			amf_si_dn(a->si, x, sizeof(x));
			amf_su_dn(a->su, y, sizeof(y));
			snprintf(buf, len, "SI remove %s from %s (no CSI)", x, y);
		}
		return;
	case AMF_ACT_INSTANTIATE:
	case AMF_ACT_TERMINATE:
	case AMF_ACT_CLEANUP:
		amf_comp_dn(a->comp, x, sizeof(x));
		snprintf(buf, len, "%s %s",
			 a->kind == AMF_ACT_INSTANTIATE ? "instantiate" :
			 a->kind == AMF_ACT_TERMINATE ? "terminate" : "cleanup", x);
		return;
	case AMF_ACT_NODE_REBOOT:
		amf_node_dn(a->node, x, sizeof(x));
		snprintf(buf, len, "reboot %s", x);
		return;
	case AMF_ACT_CLUSTER_RESET:
		snprintf(buf, len, "cluster reset");
		return;
	}
	snprintf(buf, len, "action %u", (unsigned)a->kind);
}

/* ---- where actions run ---- */

static const struct amf_node *amf_action_node(const struct amf_action *a)
{
	return a->su ? a->su->node : a->node;
}

static bool amf_node_is_local(const struct amf_node *n)
{
	return n && n->clm_member && n->clm_nodeid == amf_engine.local_nodeid;
}

bool amf_driver_action_is_local(const struct amf_action *a)
{
	if (a->kind == AMF_ACT_CLUSTER_RESET)
		return true;
	return amf_node_is_local(amf_action_node(a));
}

bool amf_core_comp_is_local(const struct amf_comp *comp)
{
	return comp && amf_node_is_local(comp->su->node);
}

const struct amf_action *amf_core_action_get(uint64_t action_id)
{
	ssize_t i = amf_driver_started_find(&amf_drv, action_id);

	return i < 0 ? NULL : &amf_drv.started[i]->a;
}

bool amf_driver_settled(void)
{
	return amf_drv.pending.n == 0 && amf_drv.n_started == 0;
}

/* ---- running ---- */

static bool amf_action_immediate(const struct amf_action *a)
{
	return (a->kind == AMF_ACT_CSI_SET || a->kind == AMF_ACT_CSI_REMOVE) && a->comp == NULL;
}

static const struct amf_csi_assignment *amf_csi_assignment_of(const struct amf_comp *comp,
								const struct amf_csi *csi)
{
	for (const struct amf_csi_assignment *ca = comp->assignments; ca; ca = ca->comp_next)
		if (ca->csi == csi)
			return ca;
	return NULL;
}

/*
 * A list computed while other actions were running (a recovery list
 * replaces the pending one at once) may ask for what those actions have
 * since done: instantiating a component that is up or on its way up,
 * removing a CSI it no longer has. Such an action is skipped, on every
 * node alike. (A CSI set is never skipped: after a restart the component
 * must get again the states the model kept for it.)
 */
static bool amf_action_moot(const struct amf_action *a)
{
	switch (a->kind) {
	case AMF_ACT_INSTANTIATE:
		return a->comp->presence_state == AMF_PRESENCE_INSTANTIATED ||
		       a->comp->presence_state == AMF_PRESENCE_INSTANTIATING;
	case AMF_ACT_CSI_REMOVE:
		return amf_csi_assignment_of(a->comp, a->csi) == NULL;
	default:
		return false;
	}
}

/* What a started action means for the component's presence (replicated:
 * a plan made while it runs must not start it a second time). */
static void amf_action_presence_mark(const struct amf_action *a)
{
	if (a->comp == NULL || a->comp->presence_state == AMF_PRESENCE_RESTARTING)
		return;
	if (a->kind == AMF_ACT_INSTANTIATE)
		a->comp->presence_state = AMF_PRESENCE_INSTANTIATING;
	else if (a->kind == AMF_ACT_TERMINATE || a->kind == AMF_ACT_CLEANUP)
		a->comp->presence_state = AMF_PRESENCE_TERMINATING;
}

/* Start the first step of the pending list. */
static void amf_driver_step_start(void)
{
	unsigned step = amf_drv.pending.v[0].step;
	size_t k = 0;
	struct amf_action *acts;
	char desc[3 * AMF_DN_MAX];

	while (k < amf_drv.pending.n && amf_drv.pending.v[k].step == step)
		k++;
	acts = malloc(k * sizeof(*acts));
	if (!acts) {
		ais_log(LOG_ERR, "amf: out of memory starting a step: the action list is dropped");
		amf_actions_clear(&amf_drv.pending);
		return;
	}
	memcpy(acts, amf_drv.pending.v, k * sizeof(*acts));
	memmove(amf_drv.pending.v, amf_drv.pending.v + k, (amf_drv.pending.n - k) * sizeof(*acts));
	amf_drv.pending.n -= k;
	for (size_t i = 0; i < k; i++) {
		struct amf_started *s;

		amf_action_describe(&acts[i], desc, sizeof(desc));
		if (amf_action_immediate(&acts[i])) {
			if (amf_action_done(amf_engine.model, &acts[i]) < 0)
				ais_log(LOG_ERR, "amf: out of memory recording %s", desc);
			ais_log(LOG_INFO, "amf: %s: done", desc);
			continue;
		}
		if (amf_action_moot(&acts[i])) {
			ais_log(LOG_INFO, "amf: %s: skipped (already so)", desc);
			continue;
		}
		amf_action_presence_mark(&acts[i]);
		s = amf_driver_started_add(&amf_drv, amf_drv.next_action_id, &acts[i]);
		amf_drv.next_action_id++;
		if (!s) {
			/* every node counts the id alike; this one cannot follow the action */
			ais_log(LOG_ERR, "amf: out of memory: action %s not tracked", desc);
			continue;
		}
		ais_log(LOG_INFO, "amf: action %" PRIu64 " started: %s", s->id, desc);
		if (amf_driver_action_is_local(&s->a))
			amf_exec_start(s->id, &s->a);
	}
	free(acts);
}

/* ---- cluster startup ---- */

/* Every configured node is a member (nothing more to wait for). */
static bool amf_startup_all_members(void)
{
	for (const struct amf_node *n = amf_engine.model->nodes; n; n = n->next)
		if (!n->clm_member)
			return false;
	return true;
}

/* The lowest node id among the AMF members sends STARTUP when the time is over. */
static bool amf_startup_sender_is_me(void)
{
	uint32_t lowest = 0;

	for (const struct amf_node *n = amf_engine.model->nodes; n; n = n->next)
		if (n->clm_member && (lowest == 0 || n->clm_nodeid < lowest))
			lowest = n->clm_nodeid;
	return lowest == amf_engine.local_nodeid;
}

static void amf_startup_timer_fn(void *data)
{
	struct amf_wire_result m = { amf_wall_ms(), 0 };
	uint8_t buf[AMF_WIRE_RESULT_SIZE];

	(void)data;
	drv.startup_timer_armed = false;
	if (!amf_engine.model || !amf_drv.startup_pending)
		return;
	if (!amf_startup_sender_is_me()) {
		/* another member decides; wait again in case it left */
		amf_driver_run();
		return;
	}
	amf_driver_queue(buf, amf_wire_result_encode(buf, AMF_EXEC_STARTUP, &m));
}

static void amf_startup_timer_arm(void)
{
	uint64_t ms = amf_engine.model->startup_timeout_ms;

	if (drv.startup_timer_armed || !amf_engine.api)
		return;
	if (amf_engine.api->timer_add((uint32_t)(ms > UINT32_MAX ? UINT32_MAX : ms), amf_startup_timer_fn, NULL,
				      &drv.startup_timer) == 0)
		drv.startup_timer_armed = true;
}

static void amf_startup_end(const char *why)
{
	amf_drv.startup_pending = false;
	ais_log(LOG_NOTICE, "amf: cluster startup over (%s): assigning service instances", why);
}

void amf_driver_apply_startup(const struct amf_wire_result *m, ais_nodeid_t sender)
{
	amf_clock(m->ts);
	if (!amf_drv.startup_pending)
		return;
	amf_startup_end(sender == amf_engine.local_nodeid ? "startup timeout" : "startup timeout of another node");
	amf_driver_run();
}

/* While the cluster starts, keep the instantiations only. */
static void amf_startup_filter(struct amf_action_list *l)
{
	size_t k = 0;

	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].kind != AMF_ACT_CSI_SET && l->v[i].kind != AMF_ACT_CSI_REMOVE)
			l->v[k++] = l->v[i];
	l->n = k;
}

void amf_driver_run(void)
{
	if (!amf_engine.enabled || !amf_engine.model)
		return;
	for (unsigned round = 0; round < AMF_DRIVER_ROUNDS_MAX && amf_drv.n_started == 0; round++) {
		if (amf_drv.pending.n == 0) {
			if (amf_assign_plan(amf_engine.model, 0, &amf_drv.pending) < 0)
				ais_log(LOG_ERR, "amf: out of memory planning: partial plan");
			if (amf_drv.startup_pending) {
				size_t planned = amf_drv.pending.n;

				amf_startup_filter(&amf_drv.pending);
				if (amf_drv.pending.n == 0 && planned > 0 && amf_startup_all_members()) {
					amf_startup_end("every node is up");
					continue;
				}
				if (amf_drv.pending.n == 0 && planned > 0) {
					amf_startup_timer_arm();
					break;
				}
			}
			if (amf_drv.pending.n == 0) {
				if (!drv.settled_logged)
					ais_log(LOG_INFO, "amf: settled");
				drv.settled_logged = true;
				break;
			}
			drv.settled_logged = false;
		}
		amf_driver_step_start();
	}
	amf_exec_model_changed();
}

void amf_driver_replace(struct amf_action_list *l, bool (*cancel)(const struct amf_action *a, const void *ctx),
			const void *ctx)
{
	amf_actions_free(&amf_drv.pending);
	amf_drv.pending = *l;
	memset(l, 0, sizeof(*l));
	for (size_t i = 0; i < amf_drv.n_started;) {
		struct amf_started *s = amf_drv.started[i];

		if (cancel && cancel(&s->a, ctx)) {
			ais_log(LOG_INFO, "amf: action %" PRIu64 " cancelled", s->id);
			if (amf_driver_action_is_local(&s->a))
				amf_exec_cancel(s->id);
			/* the executor kills what the instantiation started; unless
			 * the recovery said otherwise, nothing runs */
			if (s->a.kind == AMF_ACT_INSTANTIATE && s->a.comp->presence_state == AMF_PRESENCE_INSTANTIATING)
				s->a.comp->presence_state = AMF_PRESENCE_UNINSTANTIATED;
			amf_driver_started_remove_at(&amf_drv, i);
			continue;
		}
		i++;
	}
	drv.settled_logged = false;
}

void amf_driver_forget_node(const struct amf_node *node)
{
	for (size_t i = 0; i < amf_drv.n_started;) {
		if (amf_drv.started[i]->a.kind != AMF_ACT_CLUSTER_RESET && amf_action_node(&amf_drv.started[i]->a) == node) {
			ais_log(LOG_INFO, "amf: action %" PRIu64 " dropped (its node left)", amf_drv.started[i]->id);
			amf_driver_started_remove_at(&amf_drv, i);
			continue;
		}
		i++;
	}
}

/* Cancellation scopes of events. */
static bool amf_in_su(const struct amf_action *a, const void *ctx)
{
	return a->su && a->su == ctx;
}

static bool amf_on_node(const struct amf_action *a, const void *ctx)
{
	return amf_action_node(a) == ctx;
}

static bool amf_in_app(const struct amf_action *a, const void *ctx)
{
	return a->su && a->su->sg->app == ctx;
}

static bool amf_any(const struct amf_action *a, const void *ctx)
{
	(void)a;
	(void)ctx;
	return true;
}

/* ---- applying messages ---- */

static const char *amf_error_source_name(uint32_t s)
{
	switch (s) {
	case AMF_ERR_SRC_REPORT: return "error report";
	case AMF_ERR_SRC_PROCESS_DEATH: return "process died";
	case AMF_ERR_SRC_HEALTHCHECK: return "healthcheck";
	case AMF_ERR_SRC_UNREGISTER: return "unregistered";
	}
	return "?";
}

static void amf_err_pending_drop(const char *dn)
{
	for (size_t i = 0; i < drv.n_err_pending; i++) {
		if (strcmp(drv.err_pending[i], dn) == 0) {
			memmove(&drv.err_pending[i], &drv.err_pending[i + 1],
				(drv.n_err_pending - i - 1) * sizeof(drv.err_pending[0]));
			drv.n_err_pending--;
			return;
		}
	}
}

void amf_driver_apply_error(const struct amf_wire_error *m, ais_nodeid_t sender)
{
	struct amf_action_list l = { 0 };
	enum amf_applied applied = 0;
	struct amf_comp *comp;

	amf_clock(m->ts);
	if (sender == amf_engine.local_nodeid)
		amf_err_pending_drop(m->comp.value);
	comp = amf_comp_find(amf_engine.model, m->comp.value);
	if (!comp) {
		ais_log(LOG_WARNING, "amf: error reported for unknown component %s: ignored", m->comp.value);
		return;
	}
	if (amf_comp_error(amf_engine.model, comp, m->recommended, amf_engine.now_ms, &l, &applied) < 0)
		ais_log(LOG_ERR, "amf: out of memory in the recovery of %s", m->comp.value);
	if (!applied && l.n == 0) {
		ais_log(LOG_INFO, "amf: component %s failed (%s): already being recovered", m->comp.value,
			amf_error_source_name(m->source));
		amf_actions_free(&l);
		return;
	}
	ais_log(LOG_INFO, "amf: component %s failed (%s): recovery %s", m->comp.value,
		amf_error_source_name(m->source), applied ? amf_applied_name(applied) : "-");
	switch (applied) {
	case AMF_APPLIED_NODE_SWITCHOVER:
	case AMF_APPLIED_NODE_FAILOVER:
	case AMF_APPLIED_NODE_FAILFAST:
		amf_driver_replace(&l, amf_on_node, comp->su->node);
		break;
	case AMF_APPLIED_APP_RESTART:
		amf_driver_replace(&l, amf_in_app, comp->su->sg->app);
		break;
	case AMF_APPLIED_CLUSTER_RESET:
		amf_driver_replace(&l, amf_any, NULL);
		break;
	default:
		amf_driver_replace(&l, amf_in_su, comp->su);
		break;
	}
	amf_driver_run();
}

void amf_driver_apply_result(const struct amf_wire_result *m, bool failed, ais_nodeid_t sender)
{
	ssize_t i;
	struct amf_action a;
	char desc[3 * AMF_DN_MAX];

	amf_clock(m->ts);
	i = amf_driver_started_find(&amf_drv, m->action_id);
	if (i < 0) {
		/* cancelled, or already finished (CLUSTER_RESET reports from every node) */
		ais_log(LOG_DEBUG, "amf: outcome of action %" PRIu64 " from node %u ignored", m->action_id,
			(unsigned)sender);
		return;
	}
	a = amf_drv.started[i]->a;
	amf_driver_started_remove_at(&amf_drv, (size_t)i);
	amf_action_describe(&a, desc, sizeof(desc));
	if (!failed) {
		ais_log(LOG_INFO, "amf: action %" PRIu64 " done: %s", m->action_id, desc);
		if (amf_action_done(amf_engine.model, &a) < 0)
			ais_log(LOG_ERR, "amf: out of memory recording %s", desc);
	} else {
		struct amf_action_list l = { 0 };

		ais_log(LOG_INFO, "amf: action %" PRIu64 " failed: %s", m->action_id, desc);
		if (amf_action_failed(amf_engine.model, &a, amf_engine.now_ms, &l) < 0)
			ais_log(LOG_ERR, "amf: out of memory in the recovery after %s", desc);
		if (l.n > 0) {
			if (a.su)
				amf_driver_replace(&l, amf_in_su, a.su);
			else
				amf_driver_replace(&l, NULL, NULL);
		}
		amf_actions_free(&l);
	}
	amf_driver_run();
}

void amf_driver_apply_quiesced(const struct amf_wire_quiesced *m)
{
	struct amf_comp *comp;
	struct amf_csi *csi;

	amf_clock(m->ts);
	comp = amf_comp_find(amf_engine.model, m->comp.value);
	csi = amf_csi_find(amf_engine.model, m->csi.value);
	if (!comp || !csi || amf_assign_quiescing_done(amf_engine.model, comp, csi) < 0) {
		ais_log(LOG_WARNING, "amf: quiescing of %s on %s complete, but it was not quiescing: ignored",
			m->csi.value, m->comp.value);
		return;
	}
	ais_log(LOG_INFO, "amf: CSI %s QUIESCED on %s (quiescing complete)", m->csi.value, m->comp.value);
	amf_driver_run();
}

static const char *amf_op_name(uint32_t op)
{
	switch (op) {
	case AMF_OP_UNLOCK: return "unlock";
	case AMF_OP_LOCK: return "lock";
	case AMF_OP_LOCK_INSTANTIATION: return "lock-instantiation";
	case AMF_OP_UNLOCK_INSTANTIATION: return "unlock-instantiation";
	case AMF_OP_SHUTDOWN: return "shutdown";
	case AMF_OP_RESTART: return "restart";
	case AMF_OP_SI_SWAP: return "si-swap";
	case AMF_OP_REPAIRED: return "repaired";
	}
	return "?";
}

int amf_driver_apply_admin(const struct amf_wire_admin *m)
{
	struct amf_action_list l = { 0 };
	enum amf_kind kind = AMF_KIND_NONE;
	void *e;
	int r;

	amf_clock(m->ts);
	e = amf_find(amf_engine.model, m->dn.value, m->dn.len, &kind);
	if (!e) {
		ais_log(LOG_INFO, "amf: admin %s on %s: no such entity", amf_op_name(m->op), m->dn.value);
		return -ENOENT;
	}
	r = amf_admin_op(amf_engine.model, m->op, kind, e, amf_engine.now_ms, &l);
	ais_log(LOG_INFO, "amf: admin %s on %s: %s", amf_op_name(m->op), m->dn.value,
		r == 0 ? "applied" : r == -EALREADY ? "no change" : r == -EBUSY ? "busy" : "refused");
	if (r < 0) {
		amf_actions_free(&l);
		return r;
	}
	/* an operator's operation lets the running actions finish (an
	 * instantiation cut short would leave nothing to undo it) */
	amf_driver_replace(&l, NULL, NULL);
	amf_driver_run();
	return 0;
}

/* ---- reports ---- */

static void amf_driver_timer_fn(void *data)
{
	(void)data;
	drv.timer_armed = false;
	amf_driver_flush();
}

void amf_driver_flush(void)
{
	const struct ais_api *api = amf_engine.api;

	if (!api || amf_sync_running())
		return;
	while (drv.head) {
		struct amf_qmsg *q = drv.head;
		struct iovec iov = { q->data, q->len };
		int r = api->mcast(&iov, 1, AIS_GUARANTEE_AGREED);

		if (r == -EAGAIN)
			break;
		/* -ENOTCONN: the daemon is leaving the ring; nothing is lost
		 * that the others would still act on (they see it leave) */
		if (r < 0)
			ais_log(r == -ENOTCONN ? LOG_INFO : LOG_ERR, "amf: a report could not be sent (%s): dropped",
				strerror(-r));
		drv.head = q->next;
		if (!drv.head)
			drv.tail = NULL;
		drv.queued--;
		free(q);
	}
	if (drv.head && !drv.timer_armed &&
	    api->timer_add(AMF_DRIVER_RETRY_MS, amf_driver_timer_fn, NULL, &drv.timer) == 0)
		drv.timer_armed = true;
}

void amf_driver_queue(const uint8_t *msg, size_t len)
{
	struct amf_qmsg *q = malloc(sizeof(*q) + len);

	if (!q) {
		ais_log(LOG_ERR, "amf: out of memory: a report is lost");
		return;
	}
	q->next = NULL;
	q->len = len;
	memcpy(q->data, msg, len);
	if (drv.tail)
		drv.tail->next = q;
	else
		drv.head = q;
	drv.tail = q;
	drv.queued++;
	amf_driver_flush();
}

static void amf_report_result(uint64_t action_id, enum amf_exec_fn fn)
{
	struct amf_wire_result m = { amf_wall_ms(), action_id };
	uint8_t buf[AMF_WIRE_RESULT_SIZE];

	amf_driver_queue(buf, amf_wire_result_encode(buf, fn, &m));
}

void amf_core_report_done(uint64_t action_id)
{
	amf_report_result(action_id, AMF_EXEC_DONE);
}

void amf_core_report_failed(uint64_t action_id)
{
	amf_report_result(action_id, AMF_EXEC_FAILED);
}

void amf_core_report_error(struct amf_comp *comp, enum amf_recovery recommended, enum amf_error_source source)
{
	struct amf_wire_error m;
	uint8_t buf[AMF_WIRE_ERROR_SIZE];
	char dn[AMF_DN_MAX + 1];

	if (!comp || amf_comp_dn(comp, dn, sizeof(dn)) < 0)
		return;
	for (size_t i = 0; i < drv.n_err_pending; i++) {
		if (strcmp(drv.err_pending[i], dn) == 0)
			return; /* counted once until applied */
	}
	if (drv.n_err_pending == drv.cap_err_pending) {
		size_t ncap = drv.cap_err_pending ? drv.cap_err_pending * 2 : 8;
		void *nv = realloc(drv.err_pending, ncap * sizeof(drv.err_pending[0]));

		if (nv) {
			drv.err_pending = nv;
			drv.cap_err_pending = ncap;
		}
	}
	if (drv.n_err_pending < drv.cap_err_pending)
		memcpy(drv.err_pending[drv.n_err_pending++], dn, sizeof(dn));
	memset(&m, 0, sizeof(m));
	m.ts = amf_wall_ms();
	m.recommended = recommended;
	m.source = source;
	amf_wire_name_set(&m.comp, dn);
	amf_driver_queue(buf, amf_wire_error_encode(buf, &m));
}

void amf_core_report_quiescing_done(struct amf_comp *comp, struct amf_csi *csi)
{
	struct amf_wire_quiesced m;
	uint8_t buf[AMF_WIRE_QUIESCED_SIZE];
	char dn[AMF_DN_MAX + 1];

	memset(&m, 0, sizeof(m));
	m.ts = amf_wall_ms();
	if (amf_comp_dn(comp, dn, sizeof(dn)) < 0 || amf_wire_name_set(&m.comp, dn) < 0 ||
	    amf_csi_dn(csi, dn, sizeof(dn)) < 0 || amf_wire_name_set(&m.csi, dn) < 0)
		return;
	amf_driver_queue(buf, amf_wire_quiesced_encode(buf, &m));
}

/* ---- life ---- */

static void amf_queue_free(void)
{
	while (drv.head) {
		struct amf_qmsg *q = drv.head;

		drv.head = q->next;
		free(q);
	}
	drv.tail = NULL;
	drv.queued = 0;
}

void amf_driver_reset(void)
{
	amf_driver_state_clear(&amf_drv);
	/* reports name actions and components of the replaced state */
	amf_queue_free();
	drv.n_err_pending = 0;
	drv.settled_logged = false;
}

void amf_driver_exit(void)
{
	if (drv.timer_armed && amf_engine.api)
		amf_engine.api->timer_del(drv.timer);
	drv.timer_armed = false;
	amf_queue_free();
	amf_driver_state_clear(&amf_drv);
	amf_actions_free(&amf_drv.pending);
	free(amf_drv.started);
	memset(&amf_drv, 0, sizeof(amf_drv));
	free(drv.err_pending);
	memset(&drv, 0, sizeof(drv));
}
