/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The AMF executor: runs the actions the core hands to this node
 * (amf_int.h, amf_exec_start) and watches the local components.
 *
 *  - INSTANTIATE runs the instantiate command (amf_clc.h) and waits for
 *    both its exit status 0 and the registration, within the instantiate
 *    timeout. A component whose instantiate command is the component itself
 *    (the script `exec`s the program) registers from the command's own pid:
 *    the job is detached and the action is done at once. A script that
 *    starts the program in the background and exits 0 is done when the
 *    program registers.
 *  - TERMINATE: the terminate callback to a registered SA-aware component
 *    (done when it answered OK and its process is gone), else the terminate
 *    command, else SIGKILL; CLEANUP: the cleanup command (amf_clc kills
 *    what is left) or SIGKILL; done when no watched process of the
 *    component is left. Both bounded by the configured timeouts.
 *  - CSI_SET / CSI_REMOVE: the callback with an invocation and a timer;
 *    done on SA_AIS_OK, failed on an error answer or the timeout. After a
 *    CSI set to QUIESCING the invocation stays for QUIESCING_COMPLETE.
 *  - Healthchecks (AMF- or component-invoked) and passive monitors run
 *    from timers and process watches; what they detect goes to the core
 *    with amf_core_report_error.
 *
 * A component registered through a connection fails (error reported) when
 * its process dies, its connection closes, or it unregisters while it has
 * CSI assignments, unless AMF itself terminates or cleans it up.
 *
 * Outcomes known at once (an action with nothing to do) are reported from
 * a zero timer, never from inside amf_exec_start.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <saAmf.h>
#include <ais/log.h>

#include "amf_exec_int.h"

AIS_LOG_SUBSYS("AMF");

struct amf_exec_state amf_ex;

/** A started action of this node. */
struct amf_run {
	uint64_t id;
	const struct amf_action *a;
	struct amf_lcomp *lc;       /**< NULL for actions without a component */
	struct qb_list_head list;   /**< in amf_ex.runs */
	struct amf_clc_job *job;
	uint64_t timer;
	bool have_timer;
	struct amf_inv *inv;        /**< the callback it waits for */
	bool cmd_done;              /**< its command exited 0 (or it had none) */
	bool answered;              /**< the terminate callback was answered OK */
	bool immediate;             /**< report from a zero timer: done when ok */
	bool ok;
};

/** An outstanding callback (amf_inv.data). */
struct amf_cb {
	struct amf_inv *inv;
	struct amf_conn *conn;
	struct amf_lcomp *lc;
	struct amf_run *run;        /**< the action it belongs to, or NULL */
	struct amf_hc *hc;          /**< AMF_CBK_HEALTHCHECK */
	struct amf_csi *csi;        /**< CSI set / remove / quiescing */
	uint64_t timer;
	bool have_timer;
};

/** A started healthcheck. */
struct amf_hc {
	struct qb_list_head list;   /**< in amf_ex.hcs */
	struct amf_lcomp *lc;
	struct amf_healthcheck *cfg;
	struct amf_conn *conn;
	uint32_t type;              /**< SaAmfHealthcheckInvocationT */
	uint32_t recovery;
	uint64_t timer;             /**< period (AMF-invoked) or confirm deadline */
	bool have_timer;
	struct amf_inv *inv;        /**< outstanding healthcheck callback */
};

/** One passively monitored process. */
struct amf_pm {
	struct qb_list_head list;   /**< in amf_ex.pms */
	struct amf_lcomp *lc;
	struct amf_conn *conn;
	pid_t pid;
	pid_t root;                 /**< the pid PM_START named (== pid for the root itself) */
	uint32_t errors;
	uint32_t recovery;
	struct amf_clc_watch *watch;
};

static void given_clear(struct amf_lcomp *lc);

static const struct ais_api *api(void)
{
	return amf_engine.api;
}

static const char *comp_dn(const struct amf_comp *c, char *buf, size_t len)
{
	if (amf_comp_dn(c, buf, len) < 0)
		snprintf(buf, len, "%s", c->name);
	return buf;
}

bool amf_exec_name_set(struct ais_amf_name *n, const char *dn, int len)
{
	memset(n, 0, sizeof(*n));
	if (len < 0 || len > AIS_AMF_NAME_MAX)
		return false;
	n->length = (uint16_t)len;
	memcpy(n->value, dn, (size_t)len);
	return true;
}

static bool name_of_comp(struct ais_amf_name *n, const struct amf_comp *c)
{
	char dn[AMF_DN_MAX + 1];

	return amf_exec_name_set(n, dn, amf_comp_dn(c, dn, sizeof(dn)));
}

static bool name_of_csi(struct ais_amf_name *n, const struct amf_csi *c)
{
	char dn[AMF_DN_MAX + 1];

	return amf_exec_name_set(n, dn, amf_csi_dn(c, dn, sizeof(dn)));
}

/* ---- local component records ------------------------------------------------------------ */

static struct amf_lcomp *lcomp_find(const struct amf_comp *comp)
{
	struct amf_lcomp *lc;

	qb_list_for_each_entry(lc, &amf_ex.comps, list)
		if (lc->comp == comp)
			return lc;
	return NULL;
}

static struct amf_lcomp *lcomp_get(struct amf_comp *comp)
{
	struct amf_lcomp *lc = lcomp_find(comp);

	if (lc)
		return lc;
	lc = calloc(1, sizeof(*lc));
	if (!lc)
		return NULL;
	lc->comp = comp;
	qb_list_add_tail(&lc->list, &amf_ex.comps);
	return lc;
}

uint32_t amf_exec_ha_readiness(const struct amf_comp *comp, const struct amf_csi *csi)
{
	const struct amf_lcomp *lc = lcomp_find(comp);

	if (!lc)
		return SA_AMF_HARS_READY_FOR_ASSIGNMENT;
	for (const struct amf_hars *h = lc->hars; h; h = h->next)
		if (h->csi == csi)
			return h->state;
	return lc->hars_all ? lc->hars_all : SA_AMF_HARS_READY_FOR_ASSIGNMENT;
}

/* ---- timers ----------------------------------------------------------------------------- */

static int timer_set(uint64_t ms, void (*fn)(void *), void *data, uint64_t *handle, bool *have)
{
	int r;

	if (ms > UINT32_MAX)
		ms = UINT32_MAX;
	r = api()->timer_add((uint32_t)ms, fn, data, handle);
	*have = r == 0;
	if (r < 0)
		ais_log(LOG_ERR, "amf: cannot set a timer (%s)", strerror(-r));
	return r;
}

static void timer_stop(uint64_t *handle, bool *have)
{
	if (*have)
		api()->timer_del(*handle);
	*have = false;
}

/* ---- callbacks and invocations ---------------------------------------------------------- */

static void cb_free(struct amf_inv *inv)
{
	struct amf_cb *cb = inv->data;

	timer_stop(&cb->timer, &cb->have_timer);
	if (cb->run && cb->run->inv == inv)
		cb->run->inv = NULL;
	if (cb->hc && cb->hc->inv == inv)
		cb->hc->inv = NULL;
	free(cb);
	amf_inv_remove(&amf_ex.invs, inv);
}

static struct amf_inv *cb_new(struct amf_conn *c, enum amf_cb_kind kind, struct amf_lcomp *lc)
{
	struct amf_cb *cb = calloc(1, sizeof(*cb));
	struct amf_inv *inv;

	if (!cb)
		return NULL;
	inv = amf_inv_add(&amf_ex.invs, c->id, kind, cb);
	if (!inv) {
		free(cb);
		return NULL;
	}
	cb->inv = inv;
	cb->conn = c;
	cb->lc = lc;
	return inv;
}

bool amf_exec_invocation_known(struct amf_conn *c, uint64_t invocation)
{
	return amf_inv_find(&amf_ex.invs, c->id, invocation) != NULL;
}

/* ---- action runs ------------------------------------------------------------------------- */

static void run_free(struct amf_run *r)
{
	timer_stop(&r->timer, &r->have_timer);
	if (r->inv)
		cb_free(r->inv);
	if (r->job) {
		amf_clc_cancel(r->job);
		r->job = NULL;
	}
	if (r->lc && r->lc->inst == r)
		r->lc->inst = NULL;
	qb_list_del(&r->list);
	free(r);
}

static void run_finish(struct amf_run *r, bool ok, const char *why)
{
	uint64_t id = r->id;
	char line[512];

	amf_action_format(r->a, line, sizeof(line));
	ais_log(ok ? LOG_INFO : LOG_WARNING, "amf: action %" PRIu64 " %s: %s%s%s", id, ok ? "done" : "failed", line,
		why ? ": " : "", why ? why : "");
	run_free(r);
	if (ok)
		amf_core_report_done(id);
	else
		amf_core_report_failed(id);
}

static struct amf_run *run_find(uint64_t id)
{
	struct amf_run *r;

	qb_list_for_each_entry(r, &amf_ex.runs, list)
		if (r->id == id)
			return r;
	return NULL;
}

static void run_immediate_fn(void *data)
{
	struct amf_run *r = data;

	r->have_timer = false;
	run_finish(r, r->ok, r->ok ? NULL : "cannot be run");
}

/* Report the outcome of r from the loop, not from the caller's stack. */
static void run_later(struct amf_run *r, bool ok)
{
	timer_stop(&r->timer, &r->have_timer);
	r->ok = ok;
	r->immediate = true;
	if (timer_set(0, run_immediate_fn, r, &r->timer, &r->have_timer) < 0)
		run_finish(r, ok, NULL);
}

static void run_timeout_fn(void *data)
{
	struct amf_run *r = data;

	r->have_timer = false;
	if (r->lc && (r->a->kind == AMF_ACT_INSTANTIATE))
		amf_clc_kill(amf_engine.clc, r->lc->comp);
	run_finish(r, false, "timed out");
}

/* ---- healthchecks and monitors of a component --------------------------------------------- */

static void hc_free(struct amf_hc *h)
{
	timer_stop(&h->timer, &h->have_timer);
	if (h->inv)
		cb_free(h->inv);
	qb_list_del(&h->list);
	free(h);
}

static void lc_stop_hcs(struct amf_lcomp *lc)
{
	struct amf_hc *h, *tmp;

	qb_list_for_each_entry_safe(h, tmp, &amf_ex.hcs, list)
		if (h->lc == lc)
			hc_free(h);
}

static void pm_free(struct amf_pm *p)
{
	if (p->watch)
		amf_clc_unwatch(p->watch);
	qb_list_del(&p->list);
	free(p);
}

static bool lc_has_processes(const struct amf_lcomp *lc)
{
	struct amf_pm *p;

	if (lc->watch)
		return true;
	qb_list_for_each_entry(p, &amf_ex.pms, list)
		if (p->lc == lc)
			return true;
	return false;
}

/* Forget the registration (no error): the component is no longer registered. */
static void lc_unregister(struct amf_lcomp *lc)
{
	lc->reg_conn = NULL;
	lc->proxy = NULL;
	given_clear(lc);
	lc_stop_hcs(lc);
}

static void lc_error(struct amf_lcomp *lc, enum amf_recovery rec, enum amf_error_source src, const char *why)
{
	char dn[AMF_DN_MAX + 1];

	ais_log(LOG_NOTICE, "amf: component %s failed (%s): reporting the error", comp_dn(lc->comp, dn, sizeof(dn)),
		why);
	amf_core_report_error(lc->comp, rec, src);
}

/* A terminate or cleanup of lc may be complete now. */
static void lc_check_stopped(struct amf_lcomp *lc)
{
	struct amf_run *r, *tmp;

	if (lc_has_processes(lc))
		return;
	qb_list_for_each_entry_safe(r, tmp, &amf_ex.runs, list) {
		if (r->lc != lc || r->immediate)
			continue;
		if (r->a->kind == AMF_ACT_CLEANUP && r->cmd_done)
			run_finish(r, true, NULL);
		else if (r->a->kind == AMF_ACT_TERMINATE && (r->cmd_done || r->answered))
			run_finish(r, true, NULL);
	}
}

static void lc_death_fn(struct amf_clc_watch *w, const struct amf_clc_death *d, void *ctx)
{
	struct amf_lcomp *lc = ctx;
	char why[64];

	(void)w;
	lc->watch = NULL;
	lc->pid = 0;
	if (d->have_status)
		snprintf(why, sizeof(why), d->signaled ? "process died by signal %d" : "process exited with %d",
			 d->signaled ? d->term_signal : d->exit_status);
	else
		snprintf(why, sizeof(why), "process died");
	if (lc->reg_conn && !lc->stopping)
		lc_error(lc, AMF_REC_NO_RECOMMENDATION, AMF_ERR_SRC_PROCESS_DEATH, why);
	lc_unregister(lc);
	if (lc->inst && !lc->stopping) {
		/* registered, then gone before the command finished */
		amf_clc_kill(amf_engine.clc, lc->comp);
		run_finish(lc->inst, false, why);
		return;
	}
	lc_check_stopped(lc);
}

/* ---- INSTANTIATE ------------------------------------------------------------------------- */

static void inst_job_fn(struct amf_clc_job *job, const struct amf_clc_outcome *out, void *ctx)
{
	struct amf_run *r = ctx;
	char why[96];

	(void)job;
	r->job = NULL;
	if (out->result == AMF_CLC_EXITED && out->exit_status == 0) {
		r->cmd_done = true;
		if (r->lc->reg_conn)
			run_finish(r, true, NULL);
		/* else: the registration must still come, within the timer */
		return;
	}
	switch (out->result) {
	case AMF_CLC_EXITED:
		snprintf(why, sizeof(why), "instantiate command exited with %d", out->exit_status);
		break;
	case AMF_CLC_SIGNALED:
		snprintf(why, sizeof(why), "instantiate command killed by signal %d", out->term_signal);
		break;
	case AMF_CLC_TIMEOUT:
		snprintf(why, sizeof(why), "instantiate command timed out");
		break;
	default:
		snprintf(why, sizeof(why), "instantiate command could not be started (%s)", strerror(out->err));
		break;
	}
	r->lc->stopping = true; /* what is left is killed: not an error of its own */
	amf_clc_kill(amf_engine.clc, r->lc->comp);
	lc_unregister(r->lc);
	run_finish(r, false, why);
}

static void start_instantiate(struct amf_run *r)
{
	struct amf_lcomp *lc = r->lc;
	struct amf_comp *comp = lc->comp;
	int e;

	if (lc->inst && lc->inst != r) {
		run_later(r, false);
		return;
	}
	lc->inst = r;
	lc->stopping = false;
	if (!comp->instantiate.path) {
		run_later(r, false);
		return;
	}
	e = amf_clc_run(amf_engine.clc, comp, AMF_CLC_INSTANTIATE, 0, inst_job_fn, r, &r->job);
	if (e < 0) {
		r->job = NULL;
		run_later(r, false);
		return;
	}
	/* the command's own timeout kills it; this one also covers the registration */
	timer_set(comp->instantiate.timeout_ms, run_timeout_fn, r, &r->timer, &r->have_timer);
}

/* The component registered: an instantiate waiting for it may be done. */
static void inst_registered(struct amf_lcomp *lc, pid_t pid)
{
	struct amf_run *r = lc->inst;

	if (!r || r->immediate)
		return;
	if (r->job && amf_clc_job_pid(r->job) == pid) {
		/* the command is the component itself */
		amf_clc_detach(r->job);
		r->job = NULL;
		r->cmd_done = true;
	}
	if (r->cmd_done)
		run_finish(r, true, NULL);
}

/* ---- TERMINATE and CLEANUP ------------------------------------------------------------------ */

static void stop_job_fn(struct amf_clc_job *job, const struct amf_clc_outcome *out, void *ctx)
{
	struct amf_run *r = ctx;
	char why[96];

	(void)job;
	r->job = NULL;
	if (out->result == AMF_CLC_EXITED && out->exit_status == 0) {
		r->cmd_done = true;
		lc_check_stopped(r->lc);
		return;
	}
	snprintf(why, sizeof(why), "%s command %s",
		 r->a->kind == AMF_ACT_CLEANUP ? "cleanup" : "terminate",
		 out->result == AMF_CLC_EXITED	  ? "exited with an error"
		 : out->result == AMF_CLC_TIMEOUT ? "timed out"
		 : out->result == AMF_CLC_SIGNALED ? "was killed"
						  : "could not be started");
	run_finish(r, false, why);
}

static void send_comp_event(struct amf_conn *c, int32_t id, uint64_t invocation, const struct amf_comp *comp, int *ret)
{
	struct ais_amf_ev_comp ev;

	memset(&ev, 0, sizeof(ev));
	ev.header.id = id;
	ev.header.size = sizeof(ev);
	ev.header.error = SA_AIS_OK;
	ev.invocation = invocation;
	if (!name_of_comp(&ev.comp, comp)) {
		*ret = -ENAMETOOLONG;
		return;
	}
	*ret = api()->event_send(c->conn, &ev, sizeof(ev));
}

static void start_stop(struct amf_run *r)
{
	struct amf_lcomp *lc = r->lc;
	struct amf_comp *comp = lc->comp;
	bool cleanup = r->a->kind == AMF_ACT_CLEANUP;
	const struct amf_clc_cmd *cmd = cleanup ? &comp->cleanup : &comp->terminate;
	uint64_t timeout = cmd->timeout_ms ? cmd->timeout_ms : comp->default_clccli_timeout_ms;
	int e;

	lc->stopping = true;
	lc_stop_hcs(lc);
	if (lc->inst && lc->inst != r && !lc->inst->immediate)
		run_finish(lc->inst, false, "superseded by a termination"); /* unless the core cancelled it */
	if (!cleanup && lc->reg_conn && (comp->category & AMF_COMP_SA_AWARE) &&
	    (lc->reg_conn->callbacks & AIS_AMF_CB_COMP_TERMINATE)) {
		struct amf_inv *inv = cb_new(lc->reg_conn, AMF_CBK_TERMINATE, lc);

		if (inv) {
			((struct amf_cb *)inv->data)->run = r;
			r->inv = inv;
			send_comp_event(lc->reg_conn, AIS_AMF_EV_COMP_TERMINATE, inv->invocation, comp, &e);
			if (e == 0) {
				timer_set(comp->terminate_callback_timeout_ms, run_timeout_fn, r, &r->timer,
					  &r->have_timer);
				return;
			}
			cb_free(inv);
		}
		run_later(r, false);
		return;
	}
	if (cmd->path) {
		e = amf_clc_run(amf_engine.clc, comp, cleanup ? AMF_CLC_CLEANUP : AMF_CLC_TERMINATE, 0, stop_job_fn, r,
				&r->job);
		if (e < 0) {
			r->job = NULL;
			run_later(r, false);
			return;
		}
	} else {
		/* no command: what runs of the component is killed */
		amf_clc_kill(amf_engine.clc, comp);
		r->cmd_done = true;
	}
	timer_set(timeout + (cmd->path ? 1000 : 0), run_timeout_fn, r, &r->timer, &r->have_timer);
	if (r->cmd_done && !lc_has_processes(lc))
		run_later(r, true);
}

/* ---- CSI set and remove -------------------------------------------------------------------- */

static bool comp_has_csi(const struct amf_comp *comp, const struct amf_csi *csi)
{
	for (const struct amf_csi_assignment *a = comp->assignments; a; a = a->comp_next)
		if (a->csi == csi)
			return true;
	return false;
}

static void given_clear(struct amf_lcomp *lc)
{
	while (lc->given) {
		struct amf_hars *g = lc->given->next;

		free(lc->given);
		lc->given = g;
	}
}

static bool given_has(const struct amf_lcomp *lc, const struct amf_csi *csi)
{
	for (const struct amf_hars *g = lc->given; g; g = g->next)
		if (g->csi == csi)
			return true;
	return false;
}

/* Record that the process of lc holds csi now (set) or no longer (remove). */
static void given_update(struct amf_lcomp *lc, struct amf_csi *csi, bool set)
{
	struct amf_hars **p = &lc->given;

	while (*p && (*p)->csi != csi)
		p = &(*p)->next;
	if (set && !*p) {
		*p = calloc(1, sizeof(**p));
		if (*p)
			(*p)->csi = csi;
	} else if (!set && *p) {
		struct amf_hars *g = *p;

		*p = g->next;
		free(g);
	}
}

/* The component of csi other than comp whose HA state is one of want (bit 1 << ha). */
static const struct amf_comp *csi_other(const struct amf_csi *csi, const struct amf_comp *comp, unsigned want)
{
	for (const struct amf_csi_assignment *a = csi->assignments; a; a = a->csi_next)
		if (a->comp != comp && ((want >> a->ha_state) & 1u))
			return a->comp;
	return NULL;
}

/* The attribute text: one "name\0value\0" pair per value. */
static int csi_attrs(const struct amf_csi *csi, uint8_t **ret, size_t *ret_len, uint32_t *ret_n)
{
	size_t len = 0, off = 0;
	uint32_t n = 0;
	uint8_t *buf;

	for (const struct amf_csi_attr *at = csi->attrs; at; at = at->next)
		for (size_t i = 0; i < at->values.n; i++) {
			len += strlen(at->name) + 1 + strlen(at->values.v[i]) + 1;
			n++;
		}
	if (len > AIS_AMF_CSI_ATTR_BYTES_MAX || n > AIS_AMF_CSI_ATTRS_MAX)
		return -E2BIG;
	buf = malloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	for (const struct amf_csi_attr *at = csi->attrs; at; at = at->next)
		for (size_t i = 0; i < at->values.n; i++) {
			size_t a = strlen(at->name) + 1, b = strlen(at->values.v[i]) + 1;

			memcpy(buf + off, at->name, a);
			memcpy(buf + off + a, at->values.v[i], b);
			off += a + b;
		}
	*ret = buf;
	*ret_len = len;
	*ret_n = n;
	return 0;
}

static int csi_set_send(struct amf_conn *c, struct amf_lcomp *lc, uint64_t invocation, const struct amf_action *a)
{
	struct ais_amf_ev_csi_set ev;
	const struct amf_comp *other = NULL;
	uint8_t *attrs = NULL;
	size_t attrs_len = 0;
	uint32_t n_attrs = 0;
	struct iovec iov[2];
	int r;

	memset(&ev, 0, sizeof(ev));
	ev.header.id = AIS_AMF_EV_CSI_SET;
	ev.header.error = SA_AIS_OK;
	ev.invocation = invocation;
	ev.ha_state = a->ha_state;
	/* a process that was never given the CSI (new, or restarted since) gets it added */
	ev.flags = comp_has_csi(a->comp, a->csi) && lc && given_has(lc, a->csi) ? SA_AMF_CSI_TARGET_ONE
										  : SA_AMF_CSI_ADD_ONE;
	if (!name_of_comp(&ev.comp, a->comp) || !name_of_csi(&ev.csi, a->csi))
		return -ENAMETOOLONG;
	if (a->ha_state == AMF_HA_ACTIVE) {
		ev.transition = a->transition != AMF_TRANS_NONE ? (uint32_t)a->transition : SA_AMF_CSI_NEW_ASSIGN;
		if (ev.transition != SA_AMF_CSI_NEW_ASSIGN)
			other = csi_other(a->csi, a->comp,
					  1u << AMF_HA_QUIESCED | 1u << AMF_HA_QUIESCING | 1u << AMF_HA_ACTIVE);
	} else if (a->ha_state == AMF_HA_STANDBY) {
		other = csi_other(a->csi, a->comp, 1u << AMF_HA_ACTIVE | 1u << AMF_HA_QUIESCING);
		ev.standby_rank = 1;
	}
	if (other && !name_of_comp(&ev.active_comp, other))
		memset(&ev.active_comp, 0, sizeof(ev.active_comp));
	if (ev.flags == SA_AMF_CSI_ADD_ONE) {
		r = csi_attrs(a->csi, &attrs, &attrs_len, &n_attrs);
		if (r < 0)
			return r;
	}
	ev.n_attrs = n_attrs;
	ev.attrs_len = (uint32_t)attrs_len;
	ev.header.size = (int32_t)(sizeof(ev) + attrs_len);
	iov[0] = (struct iovec){ &ev, sizeof(ev) };
	iov[1] = (struct iovec){ attrs, attrs_len };
	r = api()->eventv_send(c->conn, iov, attrs_len ? 2 : 1);
	free(attrs);
	return r;
}

static int csi_remove_send(struct amf_conn *c, uint64_t invocation, const struct amf_action *a)
{
	struct ais_amf_ev_csi_remove ev;

	memset(&ev, 0, sizeof(ev));
	ev.header.id = AIS_AMF_EV_CSI_REMOVE;
	ev.header.size = sizeof(ev);
	ev.header.error = SA_AIS_OK;
	ev.invocation = invocation;
	ev.flags = SA_AMF_CSI_TARGET_ONE;
	if (!name_of_comp(&ev.comp, a->comp) || !name_of_csi(&ev.csi, a->csi))
		return -ENAMETOOLONG;
	return api()->event_send(c->conn, &ev, sizeof(ev));
}

static void cb_timeout_fn(void *data)
{
	struct amf_cb *cb = data;
	struct amf_lcomp *lc = cb->lc;
	struct amf_run *r = cb->run;
	enum amf_cb_kind kind = (enum amf_cb_kind)cb->inv->kind;

	cb->have_timer = false;
	cb_free(cb->inv);
	if (r) {
		run_finish(r, false, "no answer to the callback in time");
		return;
	}
	if (kind == AMF_CBK_QUIESCING)
		lc_error(lc, AMF_REC_NO_RECOMMENDATION, AMF_ERR_SRC_REPORT, "quiescing not completed in time");
}

static void start_csi(struct amf_run *r)
{
	const struct amf_action *a = r->a;
	struct amf_lcomp *lc = r->lc;
	bool set = a->kind == AMF_ACT_CSI_SET;
	uint32_t bit = set ? AIS_AMF_CB_CSI_SET : AIS_AMF_CB_CSI_REMOVE;
	uint64_t timeout = set ? lc->comp->csi_set_callback_timeout_ms : lc->comp->csi_rmv_callback_timeout_ms;
	struct amf_inv *inv;
	struct amf_cb *cb;
	int e;

	if (!lc->reg_conn || !(lc->reg_conn->callbacks & bit)) {
		run_later(r, false);
		return;
	}
	inv = cb_new(lc->reg_conn, set ? AMF_CBK_CSI_SET : AMF_CBK_CSI_REMOVE, lc);
	if (!inv) {
		run_later(r, false);
		return;
	}
	cb = inv->data;
	cb->run = r;
	cb->csi = a->csi;
	r->inv = inv;
	e = set ? csi_set_send(lc->reg_conn, lc, inv->invocation, a) : csi_remove_send(lc->reg_conn, inv->invocation, a);
	if (e < 0) {
		ais_log(LOG_WARNING, "amf: cannot send a CSI callback (%s)", strerror(-e));
		cb_free(inv);
		run_later(r, false);
		return;
	}
	timer_set(timeout, cb_timeout_fn, cb, &cb->timer, &cb->have_timer);
}

/* ---- the core's entry points ------------------------------------------------------------------- */

static void cluster_reset(void)
{
	struct amf_lcomp *lc;

	qb_list_for_each_entry(lc, &amf_ex.comps, list) {
		lc->stopping = true;
		lc_stop_hcs(lc);
	}
	for (struct amf_comp *c = NULL; amf_engine.model && (c = amf_comp_next(amf_engine.model, c));)
		if (amf_core_comp_is_local(c))
			amf_clc_kill(amf_engine.clc, c);
}

void amf_exec_start(uint64_t action_id, const struct amf_action *a)
{
	struct amf_run *r;
	char line[512];

	amf_action_format(a, line, sizeof(line));
	ais_log(LOG_INFO, "amf: action %" PRIu64 " started: %s", action_id, line);
	if (a->kind == AMF_ACT_NODE_REBOOT) {
		ais_log(LOG_CRIT, "amf: node reboot asked for: stopping this daemon");
		api()->shutdown_request();
		return;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		ais_log(LOG_ERR, "amf: out of memory: action %" PRIu64 " failed", action_id);
		amf_core_report_failed(action_id);
		return;
	}
	r->id = action_id;
	r->a = a;
	qb_list_add_tail(&r->list, &amf_ex.runs);
	if (a->kind == AMF_ACT_CLUSTER_RESET) {
		cluster_reset();
		run_later(r, true);
		return;
	}
	if (!a->comp) {
		run_later(r, true);
		return;
	}
	r->lc = lcomp_get(a->comp);
	if (!r->lc) {
		run_later(r, false);
		return;
	}
	switch (a->kind) {
	case AMF_ACT_INSTANTIATE:
		start_instantiate(r);
		break;
	case AMF_ACT_TERMINATE:
	case AMF_ACT_CLEANUP:
		start_stop(r);
		break;
	case AMF_ACT_CSI_SET:
	case AMF_ACT_CSI_REMOVE:
		start_csi(r);
		break;
	default:
		run_later(r, false);
		break;
	}
}

void amf_exec_cancel(uint64_t action_id)
{
	struct amf_run *r = run_find(action_id);

	if (!r)
		return;
	ais_log(LOG_INFO, "amf: action %" PRIu64 " cancelled", action_id);
	run_free(r);
}

/* ---- registration ------------------------------------------------------------------------------- */

uint32_t amf_exec_register(struct amf_conn *c, struct amf_comp *comp, struct amf_comp *proxy)
{
	struct amf_lcomp *lc;
	char dn[AMF_DN_MAX + 1];
	pid_t pid = c->pid;
	int e;

	if (!amf_core_comp_is_local(comp))
		return SA_AIS_ERR_INVALID_PARAM;
	if (proxy) {
		struct amf_lcomp *pl = lcomp_find(proxy);

		if (!pl || !pl->reg_conn)
			return SA_AIS_ERR_NOT_EXIST;
		if (!(comp->category & AMF_COMP_PROXIED) || pl->reg_conn != c)
			return SA_AIS_ERR_BAD_OPERATION;
	} else if (comp->category & AMF_COMP_PROXIED) {
		return SA_AIS_ERR_BAD_OPERATION;
	}
	lc = lcomp_find(comp);
	if (lc && lc->reg_conn)
		return SA_AIS_ERR_EXIST;
	if (!(lc && lc->inst && !lc->inst->immediate) && comp->presence_state != AMF_PRESENCE_INSTANTIATED)
		return SA_AIS_ERR_INVALID_PARAM;
	if (!lc)
		lc = lcomp_get(comp);
	if (!lc)
		return SA_AIS_ERR_NO_MEMORY;
	if (lc->watch && lc->pid != pid) {
		amf_clc_unwatch(lc->watch);
		lc->watch = NULL;
	}
	if (!lc->watch && pid > 0) {
		e = amf_clc_watch(amf_engine.clc, comp, pid, lc_death_fn, lc, &lc->watch);
		if (e < 0) {
			lc->watch = NULL;
			return e == -ESRCH ? SA_AIS_ERR_BAD_OPERATION : SA_AIS_ERR_NO_RESOURCES;
		}
	}
	given_clear(lc);
	lc->pid = pid;
	lc->reg_conn = c;
	lc->proxy = proxy;
	lc->stopping = false;
	ais_log(LOG_INFO, "amf: component %s registered (pid %d)", comp_dn(comp, dn, sizeof(dn)), (int)pid);
	inst_registered(lc, pid);
	return SA_AIS_OK;
}

uint32_t amf_exec_unregister(struct amf_conn *c, struct amf_comp *comp, struct amf_comp *proxy)
{
	struct amf_lcomp *lc = lcomp_find(comp);
	char dn[AMF_DN_MAX + 1];

	if (!lc || lc->reg_conn != c)
		return SA_AIS_ERR_NOT_EXIST;
	if (lc->proxy != proxy)
		return SA_AIS_ERR_BAD_OPERATION;
	ais_log(LOG_INFO, "amf: component %s unregistered", comp_dn(comp, dn, sizeof(dn)));
	if (comp->assignments && !lc->stopping)
		lc_error(lc, AMF_REC_NO_RECOMMENDATION, AMF_ERR_SRC_UNREGISTER, "unregistered while assigned");
	lc_unregister(lc);
	return SA_AIS_OK;
}

/* ---- answers to callbacks ------------------------------------------------------------------------ */

static void hc_arm(struct amf_hc *h);

uint32_t amf_exec_response(struct amf_conn *c, uint64_t invocation, uint32_t error)
{
	struct amf_inv *inv = amf_inv_find(&amf_ex.invs, c->id, invocation);
	struct amf_cb *cb;
	struct amf_run *r;
	struct amf_hc *h;

	if (!inv || inv->kind == AMF_CBK_QUIESCING)
		return SA_AIS_ERR_INVALID_PARAM;
	cb = inv->data;
	r = cb->run;
	switch ((enum amf_cb_kind)inv->kind) {
	case AMF_CBK_HEALTHCHECK:
		h = cb->hc;
		cb_free(inv);
		if (h && error != SA_AIS_OK) {
			struct amf_lcomp *lc = h->lc;
			uint32_t rec = h->recovery;

			hc_free(h);
			lc_error(lc, (enum amf_recovery)rec, AMF_ERR_SRC_HEALTHCHECK, "healthcheck answered failed");
		}
		break;
	case AMF_CBK_TERMINATE:
		cb_free(inv);
		if (!r)
			break;
		if (error != SA_AIS_OK) {
			run_finish(r, false, "terminate callback answered an error");
			break;
		}
		r->answered = true;
		lc_check_stopped(r->lc);
		break;
	case AMF_CBK_CSI_SET:
	case AMF_CBK_CSI_REMOVE:
		if (r && error == SA_AIS_OK && cb->lc && cb->csi)
			given_update(cb->lc, cb->csi, inv->kind == AMF_CBK_CSI_SET);
		if (inv->kind == AMF_CBK_CSI_SET && r && error == SA_AIS_OK && r->a->ha_state == AMF_HA_QUIESCING) {
			/* the invocation stays for QUIESCING_COMPLETE */
			struct amf_comp *comp = r->a->comp;

			inv->kind = AMF_CBK_QUIESCING;
			cb->run = NULL;
			r->inv = NULL;
			timer_stop(&cb->timer, &cb->have_timer);
			timer_set(comp->quiescing_complete_timeout_ms, cb_timeout_fn, cb, &cb->timer, &cb->have_timer);
			run_finish(r, true, NULL);
			break;
		}
		cb_free(inv);
		if (r)
			run_finish(r, error == SA_AIS_OK, error == SA_AIS_OK ? NULL : "callback answered an error");
		break;
	default:
		return SA_AIS_ERR_INVALID_PARAM;
	}
	return SA_AIS_OK;
}

uint32_t amf_exec_quiescing_complete(struct amf_conn *c, uint64_t invocation, uint32_t error)
{
	struct amf_inv *inv = amf_inv_find(&amf_ex.invs, c->id, invocation);
	struct amf_cb *cb;
	struct amf_lcomp *lc;
	struct amf_csi *csi;
	struct amf_run *r;

	if (!inv)
		return SA_AIS_ERR_INVALID_PARAM;
	cb = inv->data;
	r = cb->run;
	if (!(inv->kind == AMF_CBK_QUIESCING ||
	      (inv->kind == AMF_CBK_CSI_SET && r && r->a->ha_state == AMF_HA_QUIESCING)))
		return SA_AIS_ERR_INVALID_PARAM;
	lc = cb->lc;
	csi = cb->csi;
	cb_free(inv);
	if (r) /* completed before the set was answered: the set is done too */
		run_finish(r, error == SA_AIS_OK, error == SA_AIS_OK ? NULL : "quiescing failed");
	if (error == SA_AIS_OK)
		amf_core_report_quiescing_done(lc->comp, csi);
	else if (!r)
		lc_error(lc, AMF_REC_NO_RECOMMENDATION, AMF_ERR_SRC_REPORT, "quiescing failed");
	return SA_AIS_OK;
}

/* ---- healthchecks ---------------------------------------------------------------------------------- */

static struct amf_hc *hc_find(const struct amf_comp *comp, const struct amf_healthcheck *cfg)
{
	struct amf_hc *h;

	qb_list_for_each_entry(h, &amf_ex.hcs, list)
		if (h->lc->comp == comp && h->cfg == cfg)
			return h;
	return NULL;
}

static void hc_fail(struct amf_hc *h, const char *why)
{
	struct amf_lcomp *lc = h->lc;
	uint32_t rec = h->recovery;

	hc_free(h);
	lc_error(lc, (enum amf_recovery)rec, AMF_ERR_SRC_HEALTHCHECK, why);
}

static void hc_answer_timeout_fn(void *data)
{
	struct amf_cb *cb = data;
	struct amf_hc *h = cb->hc;

	cb->have_timer = false;
	cb_free(cb->inv);
	if (h)
		hc_fail(h, "healthcheck not answered in time");
}

static void hc_period_fn(void *data)
{
	struct amf_hc *h = data;
	struct ais_amf_ev_healthcheck ev;
	struct amf_inv *inv;
	struct amf_cb *cb;
	char dn[AMF_DN_MAX + 1];

	h->have_timer = false;
	if (h->type == SA_AMF_HEALTHCHECK_COMPONENT_INVOKED) {
		hc_fail(h, "healthcheck not confirmed in time");
		return;
	}
	hc_arm(h);
	if (h->inv) /* the previous one is still unanswered: its own timer decides */
		return;
	inv = cb_new(h->conn, AMF_CBK_HEALTHCHECK, h->lc);
	if (!inv)
		return;
	cb = inv->data;
	cb->hc = h;
	h->inv = inv;
	memset(&ev, 0, sizeof(ev));
	ev.header.id = AIS_AMF_EV_HEALTHCHECK;
	ev.header.size = sizeof(ev);
	ev.header.error = SA_AIS_OK;
	ev.invocation = inv->invocation;
	amf_exec_name_set(&ev.comp, dn, amf_comp_dn(h->lc->comp, dn, sizeof(dn)));
	ev.key.length = (uint16_t)strlen(h->cfg->key);
	memcpy(ev.key.key, h->cfg->key, ev.key.length);
	if (api()->event_send(h->conn->conn, &ev, sizeof(ev)) < 0) {
		cb_free(inv);
		return;
	}
	timer_set(h->cfg->max_duration_ms, hc_answer_timeout_fn, cb, &cb->timer, &cb->have_timer);
}

static void hc_arm(struct amf_hc *h)
{
	uint64_t ms = h->cfg->period_ms;

	if (h->type == SA_AMF_HEALTHCHECK_COMPONENT_INVOKED)
		ms += h->cfg->max_duration_ms;
	timer_stop(&h->timer, &h->have_timer);
	timer_set(ms, hc_period_fn, h, &h->timer, &h->have_timer);
}

static struct amf_healthcheck *hc_cfg(const struct amf_comp *comp, const char *key, size_t key_len)
{
	return amf_healthcheck_by_key(comp, key, key_len);
}

uint32_t amf_exec_hc_start(struct amf_conn *c, struct amf_comp *comp, const char *key, size_t key_len, uint32_t type,
			   uint32_t recovery)
{
	struct amf_healthcheck *cfg = hc_cfg(comp, key, key_len);
	struct amf_lcomp *lc;
	struct amf_hc *h;

	if (!cfg || !amf_core_comp_is_local(comp))
		return SA_AIS_ERR_NOT_EXIST;
	if (hc_find(comp, cfg))
		return SA_AIS_ERR_EXIST;
	if (type == SA_AMF_HEALTHCHECK_AMF_INVOKED && !(c->callbacks & AIS_AMF_CB_HEALTHCHECK))
		return SA_AIS_ERR_INIT;
	lc = lcomp_get(comp);
	h = calloc(1, sizeof(*h));
	if (!lc || !h) {
		free(h);
		return SA_AIS_ERR_NO_MEMORY;
	}
	h->lc = lc;
	h->cfg = cfg;
	h->conn = c;
	h->type = type;
	h->recovery = recovery;
	qb_list_add_tail(&h->list, &amf_ex.hcs);
	hc_arm(h);
	return SA_AIS_OK;
}

uint32_t amf_exec_hc_confirm(struct amf_conn *c, struct amf_comp *comp, const char *key, size_t key_len,
			     uint32_t result)
{
	struct amf_healthcheck *cfg = hc_cfg(comp, key, key_len);
	struct amf_hc *h = cfg ? hc_find(comp, cfg) : NULL;

	if (!h || h->conn != c || h->type != SA_AMF_HEALTHCHECK_COMPONENT_INVOKED)
		return SA_AIS_ERR_NOT_EXIST;
	if (result != SA_AIS_OK)
		hc_fail(h, "healthcheck confirmed failed");
	else
		hc_arm(h);
	return SA_AIS_OK;
}

uint32_t amf_exec_hc_stop(struct amf_conn *c, struct amf_comp *comp, const char *key, size_t key_len)
{
	struct amf_healthcheck *cfg = hc_cfg(comp, key, key_len);
	struct amf_hc *h = cfg ? hc_find(comp, cfg) : NULL;

	if (!h || h->conn != c)
		return SA_AIS_ERR_NOT_EXIST;
	hc_free(h);
	return SA_AIS_OK;
}

/* ---- passive monitoring ---------------------------------------------------------------------------- */

static void pm_death_fn(struct amf_clc_watch *w, const struct amf_clc_death *d, void *ctx)
{
	struct amf_pm *p = ctx;
	struct amf_lcomp *lc = p->lc;
	uint32_t kind, rec = p->recovery;
	bool report;

	(void)w;
	p->watch = NULL;
	/* without a status (not our child) the way it ended is unknown: any monitored error */
	kind = !d->have_status ? p->errors
	       : d->signaled	? SA_AMF_PM_ABNORMAL_END
	       : d->exit_status ? SA_AMF_PM_NON_ZERO_EXIT
				: SA_AMF_PM_ZERO_EXIT;
	report = (kind & p->errors) && !lc->stopping;
	pm_free(p);
	if (report)
		lc_error(lc, (enum amf_recovery)rec, AMF_ERR_SRC_PROCESS_DEATH, "monitored process ended");
	else
		lc_check_stopped(lc);
}

static struct amf_pm *pm_find(const struct amf_lcomp *lc, pid_t pid)
{
	struct amf_pm *p;

	qb_list_for_each_entry(p, &amf_ex.pms, list)
		if (p->lc == lc && p->pid == pid)
			return p;
	return NULL;
}

static int pm_add(struct amf_conn *c, struct amf_lcomp *lc, pid_t pid, pid_t root, uint32_t errors, uint32_t recovery)
{
	struct amf_pm *p = pm_find(lc, pid);
	int e;

	if (p) {
		p->errors |= errors;
		return 0;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	e = amf_clc_watch(amf_engine.clc, lc->comp, pid, pm_death_fn, p, &p->watch);
	if (e < 0) {
		free(p);
		return e;
	}
	p->lc = lc;
	p->conn = c;
	p->pid = pid;
	p->root = root;
	p->errors = errors;
	p->recovery = recovery;
	qb_list_add_tail(&p->list, &amf_ex.pms);
	return 0;
}

/* The children of pid as /proc lists them (every thread's children file). */
static size_t proc_children(pid_t pid, pid_t *out, size_t max)
{
	char path[64];
	size_t n = 0;
	DIR *d;
	struct dirent *de;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		char cpath[96];
		FILE *f;
		long v;

		if (de->d_name[0] == '.' || strlen(de->d_name) > 16)
			continue;
		snprintf(cpath, sizeof(cpath), "/proc/%d/task/%.16s/children", (int)pid, de->d_name);
		f = fopen(cpath, "re");
		if (!f)
			continue;
		while (n < max && fscanf(f, "%ld", &v) == 1)
			if (v > 0)
				out[n++] = (pid_t)v;
		fclose(f);
	}
	closedir(d);
	return n;
}

#define AMF_PM_MAX_DESCENDANTS 256

static void pm_add_descendants(struct amf_conn *c, struct amf_lcomp *lc, pid_t pid, pid_t root, int32_t depth,
			       uint32_t errors, uint32_t recovery, size_t *budget)
{
	pid_t kids[64];
	size_t n;

	if (depth == 0 || *budget == 0)
		return;
	n = proc_children(pid, kids, 64);
	for (size_t i = 0; i < n && *budget; i++) {
		if (pm_add(c, lc, kids[i], root, errors, recovery) < 0)
			continue;
		(*budget)--;
		pm_add_descendants(c, lc, kids[i], root, depth < 0 ? -1 : depth - 1, errors, recovery, budget);
	}
}

uint32_t amf_exec_pm_start(struct amf_conn *c, struct amf_comp *comp, pid_t pid, int32_t depth, uint32_t errors,
			   uint32_t recovery)
{
	struct amf_lcomp *lc;
	struct amf_pm *p;
	size_t budget = AMF_PM_MAX_DESCENDANTS;
	int e;

	if (!amf_core_comp_is_local(comp))
		return SA_AIS_ERR_NOT_EXIST;
	lc = lcomp_get(comp);
	if (!lc)
		return SA_AIS_ERR_NO_MEMORY;
	p = pm_find(lc, pid);
	if (p && (p->errors & errors) == errors)
		return SA_AIS_ERR_EXIST;
	e = pm_add(c, lc, pid, pid, errors, recovery);
	if (e == -ESRCH || e == -EINVAL)
		return SA_AIS_ERR_NOT_EXIST;
	if (e < 0)
		return e == -ENOMEM ? SA_AIS_ERR_NO_MEMORY : SA_AIS_ERR_NO_RESOURCES;
	pm_add_descendants(c, lc, pid, pid, depth, errors, recovery, &budget);
	return SA_AIS_OK;
}

uint32_t amf_exec_pm_stop(struct amf_conn *c, struct amf_comp *comp, uint32_t qualifier, pid_t pid, uint32_t errors)
{
	struct amf_lcomp *lc = lcomp_find(comp);
	struct amf_pm *p, *tmp;
	bool any = false;

	if (!lc)
		return SA_AIS_ERR_NOT_EXIST;
	qb_list_for_each_entry_safe(p, tmp, &amf_ex.pms, list) {
		if (p->lc != lc || p->conn != c || !(p->errors & errors))
			continue;
		if (qualifier == SA_AMF_PM_PROC && p->pid != pid)
			continue;
		if (qualifier == SA_AMF_PM_PROC_AND_DESCENDENTS && p->root != pid && p->pid != pid)
			continue;
		any = true;
		p->errors &= ~errors;
		if (!p->errors)
			pm_free(p);
	}
	return any ? SA_AIS_OK : SA_AIS_ERR_NOT_EXIST;
}

/* ---- HA readiness ------------------------------------------------------------------------------------- */

uint32_t amf_exec_ha_readiness_set(struct amf_conn *c, struct amf_comp *comp, struct amf_csi *csi, uint32_t state)
{
	struct amf_lcomp *lc = lcomp_find(comp);
	struct amf_hars *h;

	if (!lc || lc->reg_conn != c)
		return SA_AIS_ERR_BAD_OPERATION;
	if (csi && !comp_has_csi(comp, csi))
		return SA_AIS_ERR_NOT_EXIST;
	if (!csi) {
		lc->hars_all = state;
		while ((h = lc->hars)) {
			lc->hars = h->next;
			free(h);
		}
	} else {
		for (h = lc->hars; h && h->csi != csi; h = h->next)
			;
		if (!h) {
			h = calloc(1, sizeof(*h));
			if (!h)
				return SA_AIS_ERR_NO_MEMORY;
			h->csi = csi;
			h->next = lc->hars;
			lc->hars = h;
		}
		h->state = state;
	}
	amf_pg_model_changed();
	return SA_AIS_OK;
}

/* ---- connections ------------------------------------------------------------------------------------------ */

void amf_exec_conn_closed(struct amf_conn *c)
{
	struct amf_lcomp *lc;
	struct amf_hc *h, *htmp;
	struct amf_pm *p, *ptmp;
	struct amf_inv *inv, *next;

	qb_list_for_each_entry_safe(h, htmp, &amf_ex.hcs, list)
		if (h->conn == c)
			hc_free(h);
	qb_list_for_each_entry_safe(p, ptmp, &amf_ex.pms, list)
		if (p->conn == c)
			pm_free(p);
	/* callbacks sent through c can no longer be answered */
	for (inv = amf_ex.invs.head; inv; inv = next) {
		struct amf_cb *cb = inv->data;
		struct amf_run *r = cb->run;

		next = inv->next;
		if (cb->conn != c)
			continue;
		cb_free(inv);
		if (r && r->a->kind != AMF_ACT_TERMINATE)
			run_later(r, false);
		else if (r)
			r->answered = true; /* done once its process is gone, failed at the timeout */
	}
	qb_list_for_each_entry(lc, &amf_ex.comps, list) {
		if (lc->reg_conn != c)
			continue;
		if (!lc->stopping)
			lc_error(lc, AMF_REC_NO_RECOMMENDATION, AMF_ERR_SRC_UNREGISTER, "its connection closed");
		lc_unregister(lc);
	}
	qb_list_for_each_entry(lc, &amf_ex.comps, list)
		lc_check_stopped(lc);
}

/* ---- life ----------------------------------------------------------------------------------------------------- */

static void exec_clear(bool kill)
{
	struct amf_run *r, *rtmp;
	struct amf_hc *h, *htmp;
	struct amf_pm *p, *ptmp;
	struct amf_lcomp *lc, *ltmp;

	qb_list_for_each_entry_safe(r, rtmp, &amf_ex.runs, list)
		run_free(r);
	qb_list_for_each_entry_safe(h, htmp, &amf_ex.hcs, list)
		hc_free(h);
	qb_list_for_each_entry_safe(p, ptmp, &amf_ex.pms, list)
		pm_free(p);
	while (amf_ex.invs.head)
		cb_free(amf_ex.invs.head);
	qb_list_for_each_entry_safe(lc, ltmp, &amf_ex.comps, list) {
		if (kill && amf_engine.clc)
			amf_clc_kill(amf_engine.clc, lc->comp);
		if (lc->watch)
			amf_clc_unwatch(lc->watch);
		given_clear(lc);
		while (lc->hars) {
			struct amf_hars *hn = lc->hars->next;

			free(lc->hars);
			lc->hars = hn;
		}
		qb_list_del(&lc->list);
		free(lc);
	}
}

int amf_exec_init(void)
{
	if (!amf_ex.up) {
		qb_list_init(&amf_ex.conns);
		qb_list_init(&amf_ex.comps);
		qb_list_init(&amf_ex.runs);
		qb_list_init(&amf_ex.hcs);
		qb_list_init(&amf_ex.pms);
		amf_ex.up = true;
	}
	return 0;
}

void amf_exec_exit(void)
{
	if (!amf_ex.up)
		return;
	exec_clear(true);
}

void amf_exec_reset(void)
{
	struct amf_comp *c = NULL;

	ais_log(LOG_NOTICE, "amf: local state reset: every local component is stopped");
	/* the processes of every local component of the old model, registered or not */
	while (amf_engine.model && amf_engine.clc && (c = amf_comp_next(amf_engine.model, c)))
		if (amf_core_comp_is_local(c))
			amf_clc_kill(amf_engine.clc, c);
	exec_clear(true);
}

void amf_exec_model_changed(void)
{
	amf_pg_model_changed();
}

void amf_exec_dump(void (*out)(void *ctx, const char *line), void *ctx)
{
	struct amf_lcomp *lc;
	struct amf_run *r;
	struct amf_hc *h;
	struct amf_pm *p;
	char line[AMF_DN_MAX * 2 + 160], dn[AMF_DN_MAX + 1], act[400];

	qb_list_for_each_entry(lc, &amf_ex.comps, list) {
		snprintf(line, sizeof(line), "amf comp %s registered=%s pid=%d stopping=%s",
			 comp_dn(lc->comp, dn, sizeof(dn)), lc->reg_conn ? "yes" : "no", (int)lc->pid,
			 lc->stopping ? "yes" : "no");
		out(ctx, line);
	}
	qb_list_for_each_entry(r, &amf_ex.runs, list) {
		amf_action_format(r->a, act, sizeof(act));
		snprintf(line, sizeof(line), "amf running %" PRIu64 ": %s%s", r->id, act,
			 r->inv ? " (callback outstanding)" : "");
		out(ctx, line);
	}
	qb_list_for_each_entry(h, &amf_ex.hcs, list) {
		snprintf(line, sizeof(line), "amf healthcheck %s key=%s %s", comp_dn(h->lc->comp, dn, sizeof(dn)),
			 h->cfg->key, h->type == SA_AMF_HEALTHCHECK_AMF_INVOKED ? "amf-invoked" : "component-invoked");
		out(ctx, line);
	}
	qb_list_for_each_entry(p, &amf_ex.pms, list) {
		snprintf(line, sizeof(line), "amf monitor %s pid=%d errors=0x%x", comp_dn(p->lc->comp, dn, sizeof(dn)),
			 (int)p->pid, p->errors);
		out(ctx, line);
	}
	snprintf(line, sizeof(line), "amf outstanding invocations: %zu", amf_ex.invs.n);
	out(ctx, line);
	amf_pg_dump(out, ctx);
}
