/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The AMF engine's library requests (include/ais/ipc_amf.h; lib/amf.c is
 * the client): decoding and checking every field, then the executor
 * (amf_exec.c) or the protection group trackers (amf_pg.c) act, and the
 * handler answers. The operator requests ADMIN and STATUS belong to the
 * core; they are listed here at their ids.
 *
 * Every request but INIT (and the operator ones) needs a connection whose
 * INIT was answered OK; otherwise it is answered SA_AIS_ERR_BAD_HANDLE.
 * INIT on a node where AMF is not enabled is answered
 * SA_AIS_ERR_UNAVAILABLE for B.03/B.04 handles (the code the specification
 * gives for a service that is not available on the node) and
 * SA_AIS_ERR_NOT_EXIST for B.01 ones (B.01 has no such code); before the
 * cluster's AMF state is known here (sync has not run yet) it is
 * SA_AIS_ERR_TRY_AGAIN.
 *
 * Names from the client are length-counted; a name with a NUL inside its
 * length or longer than SA_MAX_NAME_LENGTH is INVALID_PARAM.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <saAmf.h>
#include <ais/log.h>

#include "amf_exec_int.h"

AIS_LOG_SUBSYS("AMF");

static void res_send(ais_conn_t *conn, int32_t id, uint32_t error)
{
	struct ais_amf_res_plain res;

	memset(&res, 0, sizeof(res));
	res.header.id = id;
	res.header.size = sizeof(res);
	res.header.error = (int32_t)error;
	amf_engine.api->response_send(conn, &res, sizeof(res));
}

/* The connection's record when it may make requests; NULL otherwise. */
static struct amf_conn *conn_ready(ais_conn_t *conn)
{
	struct amf_conn *c = amf_engine.api->conn_private(conn);

	if (!c->inited || !amf_engine.enabled || !amf_engine.model)
		return NULL;
	return c;
}

/* A client name as a C string in buf (AMF_DN_MAX + 1 bytes). */
static bool name_get(const struct ais_amf_name *n, char *buf)
{
	if (n->length > AIS_AMF_NAME_MAX || n->length == 0 || memchr(n->value, 0, n->length))
		return false;
	memcpy(buf, n->value, n->length);
	buf[n->length] = 0;
	return true;
}

static bool recovery_ok(uint32_t r)
{
	return r >= SA_AMF_NO_RECOMMENDATION && r <= SA_AMF_CONTAINER_RESTART;
}

/* Containers are not modelled: a container restart leaves the choice to the component's configuration. */
static enum amf_recovery recovery_of(uint32_t r)
{
	return r == SA_AMF_CONTAINER_RESTART ? AMF_REC_NO_RECOMMENDATION : (enum amf_recovery)r;
}

static bool answer_ok(uint32_t e)
{
	return e >= SA_AIS_OK && e <= SA_AIS_ERR_DEPLOYMENT;
}

/* ---- INIT -------------------------------------------------------------------------------- */

static int lib_init_req(ais_conn_t *conn, const void *msg, size_t len)
{
	struct amf_conn *c = amf_engine.api->conn_private(conn);
	struct ais_amf_req_init req;
	uint32_t e = SA_AIS_OK;

	(void)len;
	memcpy(&req, msg, sizeof(req));
	if (c->inited)
		e = SA_AIS_ERR_BAD_OPERATION;
	else if (req.major != 1 && req.major != 3 && req.major != 4)
		e = SA_AIS_ERR_VERSION;
	else if (req.callbacks & ~0x1ffu)
		e = SA_AIS_ERR_INVALID_PARAM;
	else if (!amf_engine.enabled)
		e = req.major >= 3 ? SA_AIS_ERR_UNAVAILABLE : SA_AIS_ERR_NOT_EXIST;
	else if (!amf_engine.model || !amf_engine.have_state)
		e = SA_AIS_ERR_TRY_AGAIN;
	if (e == SA_AIS_OK) {
		c->inited = true;
		c->major = req.major;
		c->callbacks = req.callbacks;
	}
	res_send(conn, AIS_AMF_REQ_INIT, e);
	return 0;
}

/* ---- registration ------------------------------------------------------------------------ */

static int lib_comp_req(ais_conn_t *conn, const void *msg, bool reg)
{
	int32_t id = reg ? AIS_AMF_REQ_COMP_REGISTER : AIS_AMF_REQ_COMP_UNREGISTER;
	struct amf_conn *c = conn_ready(conn);
	struct ais_amf_req_comp req;
	char dn[AMF_DN_MAX + 1], pdn[AMF_DN_MAX + 1];
	struct amf_comp *comp, *proxy = NULL;
	uint32_t e;

	if (!c)
		return -EBADF;
	memcpy(&req, msg, sizeof(req));
	if (!name_get(&req.comp, dn) || (req.proxy.length && !name_get(&req.proxy, pdn))) {
		res_send(conn, id, SA_AIS_ERR_INVALID_PARAM);
		return 0;
	}
	comp = amf_comp_find(amf_engine.model, dn);
	if (req.proxy.length) {
		proxy = amf_comp_find(amf_engine.model, pdn);
		if (!proxy) {
			res_send(conn, id, SA_AIS_ERR_NOT_EXIST);
			return 0;
		}
	}
	if (!comp)
		e = reg ? SA_AIS_ERR_INVALID_PARAM : SA_AIS_ERR_NOT_EXIST;
	else
		e = reg ? amf_exec_register(c, comp, proxy) : amf_exec_unregister(c, comp, proxy);
	res_send(conn, id, e);
	return 0;
}

static int lib_register(ais_conn_t *conn, const void *msg, size_t len)
{
	(void)len;
	return lib_comp_req(conn, msg, true);
}

static int lib_unregister(ais_conn_t *conn, const void *msg, size_t len)
{
	(void)len;
	return lib_comp_req(conn, msg, false);
}

/* ---- healthchecks -------------------------------------------------------------------------- */

static int lib_hc(ais_conn_t *conn, const void *msg, int32_t id)
{
	struct amf_conn *c = conn_ready(conn);
	struct ais_amf_req_hc req;
	char dn[AMF_DN_MAX + 1];
	struct amf_comp *comp;
	uint32_t e;

	if (!c)
		return -EBADF;
	memcpy(&req, msg, sizeof(req));
	if (!name_get(&req.comp, dn) || req.key.length == 0 || req.key.length > AIS_AMF_HC_KEY_MAX ||
	    (id == AIS_AMF_REQ_HC_START &&
	     ((req.invocation_type != SA_AMF_HEALTHCHECK_AMF_INVOKED &&
	       req.invocation_type != SA_AMF_HEALTHCHECK_COMPONENT_INVOKED) ||
	      !recovery_ok(req.recovery))) ||
	    (id == AIS_AMF_REQ_HC_CONFIRM && req.result != SA_AIS_OK && req.result != SA_AIS_ERR_FAILED_OPERATION)) {
		res_send(conn, id, SA_AIS_ERR_INVALID_PARAM);
		return 0;
	}
	comp = amf_comp_find(amf_engine.model, dn);
	if (!comp)
		e = SA_AIS_ERR_NOT_EXIST;
	else if (id == AIS_AMF_REQ_HC_START)
		e = amf_exec_hc_start(c, comp, (const char *)req.key.key, req.key.length, req.invocation_type,
				      recovery_of(req.recovery));
	else if (id == AIS_AMF_REQ_HC_CONFIRM)
		e = amf_exec_hc_confirm(c, comp, (const char *)req.key.key, req.key.length, req.result);
	else
		e = amf_exec_hc_stop(c, comp, (const char *)req.key.key, req.key.length);
	res_send(conn, id, e);
	return 0;
}

static int lib_hc_start(ais_conn_t *conn, const void *msg, size_t len)
{
	(void)len;
	return lib_hc(conn, msg, AIS_AMF_REQ_HC_START);
}

static int lib_hc_confirm(ais_conn_t *conn, const void *msg, size_t len)
{
	(void)len;
	return lib_hc(conn, msg, AIS_AMF_REQ_HC_CONFIRM);
}

static int lib_hc_stop(ais_conn_t *conn, const void *msg, size_t len)
{
	(void)len;
	return lib_hc(conn, msg, AIS_AMF_REQ_HC_STOP);
}

/* ---- HA state ------------------------------------------------------------------------------- */

static int lib_ha_state_get(ais_conn_t *conn, const void *msg, size_t len)
{
	struct amf_conn *c = conn_ready(conn);
	struct ais_amf_req_ha_state_get req;
	struct ais_amf_res_ha_state_get res;
	char dn[AMF_DN_MAX + 1], cdn[AMF_DN_MAX + 1];
	struct amf_comp *comp;
	struct amf_csi *csi;

	(void)len;
	if (!c)
		return -EBADF;
	memcpy(&req, msg, sizeof(req));
	memset(&res, 0, sizeof(res));
	res.header.id = AIS_AMF_REQ_HA_STATE_GET;
	res.header.size = sizeof(res);
	res.header.error = SA_AIS_ERR_NOT_EXIST;
	if (!name_get(&req.comp, dn) || !name_get(&req.csi, cdn)) {
		res.header.error = SA_AIS_ERR_INVALID_PARAM;
	} else {
		comp = amf_comp_find(amf_engine.model, dn);
		csi = amf_csi_find(amf_engine.model, cdn);
		for (const struct amf_csi_assignment *a = comp && csi ? comp->assignments : NULL; a; a = a->comp_next) {
			if (a->csi == csi) {
				res.ha_state = a->ha_state;
				res.header.error = SA_AIS_OK;
				break;
			}
		}
	}
	amf_engine.api->response_send(conn, &res, sizeof(res));
	return 0;
}

/* ---- answers ---------------------------------------------------------------------------------- */

static int lib_response(ais_conn_t *conn, const void *msg, int32_t id)
{
	struct amf_conn *c = conn_ready(conn);
	struct ais_amf_req_response req;
	uint32_t e;

	if (!c)
		return -EBADF;
	memcpy(&req, msg, sizeof(req));
	if (!answer_ok(req.error))
		e = SA_AIS_ERR_INVALID_PARAM;
	else if (id == AIS_AMF_REQ_RESPONSE)
		e = amf_exec_response(c, req.invocation, req.error);
	else
		e = amf_exec_quiescing_complete(c, req.invocation, req.error);
	res_send(conn, id, e);
	return 0;
}

static int lib_resp(ais_conn_t *conn, const void *msg, size_t len)
{
	(void)len;
	return lib_response(conn, msg, AIS_AMF_REQ_RESPONSE);
}

static int lib_quiescing_complete(ais_conn_t *conn, const void *msg, size_t len)
{
	(void)len;
	return lib_response(conn, msg, AIS_AMF_REQ_QUIESCING_COMPLETE);
}

static int lib_correlation_get(ais_conn_t *conn, const void *msg, size_t len)
{
	struct amf_conn *c = conn_ready(conn);
	struct ais_amf_req_correlation_get req;
	struct ais_amf_res_correlation_get res;

	(void)len;
	if (!c)
		return -EBADF;
	memcpy(&req, msg, sizeof(req));
	memset(&res, 0, sizeof(res));
	res.header.id = AIS_AMF_REQ_CORRELATION_GET;
	res.header.size = sizeof(res);
	/* the engine raises no notifications: its callbacks carry no correlation ids (all zero) */
	res.header.error = amf_exec_invocation_known(c, req.invocation) ? SA_AIS_OK : SA_AIS_ERR_INVALID_PARAM;
	amf_engine.api->response_send(conn, &res, sizeof(res));
	return 0;
}

/* ---- errors ----------------------------------------------------------------------------------- */

static int lib_error(ais_conn_t *conn, const void *msg, int32_t id)
{
	struct amf_conn *c = conn_ready(conn);
	struct ais_amf_req_error req;
	char dn[AMF_DN_MAX + 1];
	struct amf_comp *comp;

	if (!c)
		return -EBADF;
	memcpy(&req, msg, sizeof(req));
	if (!name_get(&req.comp, dn) || (id == AIS_AMF_REQ_ERROR_REPORT && !recovery_ok(req.recovery))) {
		res_send(conn, id, SA_AIS_ERR_INVALID_PARAM);
		return 0;
	}
	comp = amf_comp_find(amf_engine.model, dn);
	if (!comp) {
		res_send(conn, id, SA_AIS_ERR_NOT_EXIST);
		return 0;
	}
	if (id == AIS_AMF_REQ_ERROR_REPORT) {
		ais_log(LOG_NOTICE, "amf: error reported on component %s (recommended recovery %s)", dn,
			amf_recovery_name(recovery_of(req.recovery)));
		amf_core_report_error(comp, recovery_of(req.recovery), AMF_ERR_SRC_REPORT);
	} else {
		/*
		 * Recovery of an applied report is never undone; clearing
		 * acknowledges that the condition behind a report is gone.
		 */
		ais_log(LOG_INFO, "amf: error cleared on component %s", dn);
	}
	res_send(conn, id, SA_AIS_OK);
	return 0;
}

static int lib_error_report(ais_conn_t *conn, const void *msg, size_t len)
{
	(void)len;
	return lib_error(conn, msg, AIS_AMF_REQ_ERROR_REPORT);
}

static int lib_error_clear(ais_conn_t *conn, const void *msg, size_t len)
{
	(void)len;
	return lib_error(conn, msg, AIS_AMF_REQ_ERROR_CLEAR);
}

/* ---- protection groups ------------------------------------------------------------------------- */

static int lib_pg_track(ais_conn_t *conn, const void *msg, size_t len)
{
	struct amf_conn *c = conn_ready(conn);
	struct ais_amf_req_pg_track req;

	(void)len;
	if (!c)
		return -EBADF;
	memcpy(&req, msg, sizeof(req));
	return amf_pg_track(c, &req);
}

static int lib_pg_stop(ais_conn_t *conn, const void *msg, size_t len)
{
	struct amf_conn *c = conn_ready(conn);
	struct ais_amf_req_pg_stop req;

	(void)len;
	if (!c)
		return -EBADF;
	memcpy(&req, msg, sizeof(req));
	return amf_pg_stop(c, &req);
}

/* ---- passive monitoring ---------------------------------------------------------------------------- */

static int lib_pm(ais_conn_t *conn, const void *msg, int32_t id)
{
	struct amf_conn *c = conn_ready(conn);
	struct ais_amf_req_pm req;
	char dn[AMF_DN_MAX + 1];
	struct amf_comp *comp;
	bool ok;
	uint32_t e;

	if (!c)
		return -EBADF;
	memcpy(&req, msg, sizeof(req));
	ok = name_get(&req.comp, dn) && req.errors != 0 && !(req.errors & ~(uint32_t)SA_AMF_PM_ALL_ERRORS);
	if (id == AIS_AMF_REQ_PM_START)
		ok = ok && req.pid > 0 && req.pid <= INT32_MAX && req.depth >= -1 && recovery_ok(req.recovery);
	else
		ok = ok && req.qualifier >= SA_AMF_PM_PROC && req.qualifier <= SA_AMF_PM_ALL_PROCESSES &&
		     (req.qualifier == SA_AMF_PM_ALL_PROCESSES || (req.pid > 0 && req.pid <= INT32_MAX));
	if (!ok) {
		res_send(conn, id, SA_AIS_ERR_INVALID_PARAM);
		return 0;
	}
	comp = amf_comp_find(amf_engine.model, dn);
	if (!comp)
		e = SA_AIS_ERR_NOT_EXIST;
	else if (id == AIS_AMF_REQ_PM_START)
		e = amf_exec_pm_start(c, comp, (pid_t)req.pid, req.depth, req.errors, recovery_of(req.recovery));
	else
		e = amf_exec_pm_stop(c, comp, req.qualifier, (pid_t)req.pid, req.errors);
	res_send(conn, id, e);
	return 0;
}

static int lib_pm_start(ais_conn_t *conn, const void *msg, size_t len)
{
	(void)len;
	return lib_pm(conn, msg, AIS_AMF_REQ_PM_START);
}

static int lib_pm_stop(ais_conn_t *conn, const void *msg, size_t len)
{
	(void)len;
	return lib_pm(conn, msg, AIS_AMF_REQ_PM_STOP);
}

/* ---- HA readiness ------------------------------------------------------------------------------------ */

static int lib_ha_readiness(ais_conn_t *conn, const void *msg, size_t len)
{
	struct amf_conn *c = conn_ready(conn);
	struct ais_amf_req_ha_readiness req;
	char dn[AMF_DN_MAX + 1], cdn[AMF_DN_MAX + 1];
	struct amf_comp *comp;
	struct amf_csi *csi = NULL;
	uint32_t e;

	(void)len;
	if (!c)
		return -EBADF;
	memcpy(&req, msg, sizeof(req));
	if (!name_get(&req.comp, dn) || (req.csi.length && !name_get(&req.csi, cdn)) ||
	    req.state < SA_AMF_HARS_READY_FOR_ASSIGNMENT || req.state > SA_AMF_HARS_NOT_READY_FOR_ASSIGNMENT) {
		res_send(conn, AIS_AMF_REQ_HA_READINESS_SET, SA_AIS_ERR_INVALID_PARAM);
		return 0;
	}
	comp = amf_comp_find(amf_engine.model, dn);
	if (req.csi.length)
		csi = amf_csi_find(amf_engine.model, cdn);
	if (!comp || (req.csi.length && !csi))
		e = SA_AIS_ERR_NOT_EXIST;
	else
		e = amf_exec_ha_readiness_set(c, comp, csi, req.state);
	res_send(conn, AIS_AMF_REQ_HA_READINESS_SET, e);
	return 0;
}

/* ---- the table --------------------------------------------------------------------------------------- */

#define H(req_id, handler, type, fc) \
	[req_id] = { .fn = handler, .min_len = sizeof(type), .max_len = sizeof(type), .response_id = req_id, \
		     .flow_control = fc }

const struct ais_lib_handler amf_lib_handlers[AIS_AMF_REQ_STATUS + 1] = {
	H(AIS_AMF_REQ_INIT, lib_init_req, struct ais_amf_req_init, false),
	H(AIS_AMF_REQ_COMP_REGISTER, lib_register, struct ais_amf_req_comp, false),
	H(AIS_AMF_REQ_COMP_UNREGISTER, lib_unregister, struct ais_amf_req_comp, false),
	H(AIS_AMF_REQ_HC_START, lib_hc_start, struct ais_amf_req_hc, false),
	H(AIS_AMF_REQ_HC_CONFIRM, lib_hc_confirm, struct ais_amf_req_hc, false),
	H(AIS_AMF_REQ_HC_STOP, lib_hc_stop, struct ais_amf_req_hc, false),
	H(AIS_AMF_REQ_HA_STATE_GET, lib_ha_state_get, struct ais_amf_req_ha_state_get, false),
	H(AIS_AMF_REQ_RESPONSE, lib_resp, struct ais_amf_req_response, false),
	H(AIS_AMF_REQ_QUIESCING_COMPLETE, lib_quiescing_complete, struct ais_amf_req_response, false),
	H(AIS_AMF_REQ_ERROR_REPORT, lib_error_report, struct ais_amf_req_error, false),
	H(AIS_AMF_REQ_ERROR_CLEAR, lib_error_clear, struct ais_amf_req_error, false),
	H(AIS_AMF_REQ_PG_TRACK, lib_pg_track, struct ais_amf_req_pg_track, false),
	H(AIS_AMF_REQ_PG_TRACK_STOP, lib_pg_stop, struct ais_amf_req_pg_stop, false),
	H(AIS_AMF_REQ_PM_START, lib_pm_start, struct ais_amf_req_pm, false),
	H(AIS_AMF_REQ_PM_STOP, lib_pm_stop, struct ais_amf_req_pm, false),
	H(AIS_AMF_REQ_HA_READINESS_SET, lib_ha_readiness, struct ais_amf_req_ha_readiness, false),
	H(AIS_AMF_REQ_CORRELATION_GET, lib_correlation_get, struct ais_amf_req_correlation_get, false),
	H(AIS_AMF_REQ_ADMIN, amf_core_lib_admin, struct ais_amf_req_admin, true),
	H(AIS_AMF_REQ_STATUS, amf_core_lib_status, struct ais_amf_req_status, false),
};

const size_t amf_lib_handler_count = AIS_AMF_REQ_STATUS + 1;
const size_t amf_lib_private_size = AMF_LIB_PRIVATE_SIZE;
_Static_assert(AMF_LIB_HANDLER_COUNT == AIS_AMF_REQ_STATUS + 1, "AMF_LIB_HANDLER_COUNT");
_Static_assert(sizeof(struct amf_conn) <= AMF_LIB_PRIVATE_SIZE, "AMF_LIB_PRIVATE_SIZE too small");

int amf_lib_init(ais_conn_t *conn)
{
	struct amf_conn *c = amf_engine.api->conn_private(conn);
	uid_t uid;
	gid_t gid;

	amf_exec_init();
	c->conn = conn;
	c->id = amf_engine.api->conn_id(conn);
	amf_engine.api->conn_credentials(conn, &c->pid, &uid, &gid);
	qb_list_init(&c->trackers);
	qb_list_add_tail(&c->list, &amf_ex.conns);
	return 0;
}

int amf_lib_exit(ais_conn_t *conn)
{
	struct amf_conn *c = amf_engine.api->conn_private(conn);

	if (!c->conn)
		return 0;
	amf_pg_conn_closed(c);
	amf_exec_conn_closed(c);
	qb_list_del(&c->list);
	c->conn = NULL;
	return 0;
}
