/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The AMF executor's private declarations, shared by amf_exec.c (actions,
 * registrations, callbacks, healthchecks, passive monitoring), amf_lib.c
 * (the library request handlers) and amf_pg.c (protection group trackers).
 * Nothing here is replicated: it is this node's view of its own processes
 * and connections (amf_int.h explains the split with the core).
 */
#ifndef AIS_AMF_EXEC_INT_H
#define AIS_AMF_EXEC_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <qb/qblist.h>

#include <ais/ipc_amf.h>

#include "amf_exec_util.h"
#include "amf_int.h"

/** Per-connection private data (amf_lib_private_size bytes). */
struct amf_conn {
	ais_conn_t *conn;
	struct qb_list_head list;     /**< in amf_ex.conns */
	uint64_t id;                  /**< api->conn_id */
	bool inited;                  /**< INIT answered OK */
	uint32_t major;
	uint32_t callbacks;           /**< AIS_AMF_CB_* */
	pid_t pid;                    /**< the client process */
	struct qb_list_head trackers; /**< struct amf_tracker (amf_pg.c) */
};

/** HA readiness set for one CSI (B.04). */
struct amf_hars {
	struct amf_csi *csi;
	uint32_t state;
	struct amf_hars *next;
};

/** What this node knows of one of its components (created on demand). */
struct amf_lcomp {
	struct amf_comp *comp;
	struct qb_list_head list;       /**< in amf_ex.comps */
	struct amf_conn *reg_conn;      /**< registered through it; NULL when not registered */
	struct amf_comp *proxy;         /**< the proxy it registered with, or NULL */
	pid_t pid;                      /**< the registering process (0 after it died) */
	struct amf_clc_watch *watch;    /**< watch of pid */
	bool stopping;                  /**< a terminate or cleanup runs: deaths are expected */
	struct amf_run *inst;           /**< the INSTANTIATE that runs, or NULL */
	struct amf_hars *given;         /**< CSIs the registered process was given (state unused) */
	uint32_t hars_all;              /**< readiness set for every CSI (0: none) */
	struct amf_hars *hars;
};

/** Kinds of outstanding callbacks (amf_inv.kind). */
enum amf_cb_kind {
	AMF_CBK_HEALTHCHECK = 1,
	AMF_CBK_TERMINATE = 2,
	AMF_CBK_CSI_SET = 3,
	AMF_CBK_CSI_REMOVE = 4,
	AMF_CBK_QUIESCING = 5, /**< a CSI set to QUIESCING answered OK: waits for QUIESCING_COMPLETE */
};

/* ---- amf_exec.c, for amf_lib.c --------------------------------------------- */

/** The executor's state. */
struct amf_exec_state {
	struct qb_list_head conns;
	struct qb_list_head comps;
	struct qb_list_head runs;
	struct qb_list_head hcs;
	struct qb_list_head pms;
	struct amf_inv_table invs;
	bool up;
};

extern struct amf_exec_state amf_ex;

/* Each returns an SaAisErrorT. */
uint32_t amf_exec_register(struct amf_conn *c, struct amf_comp *comp, struct amf_comp *proxy);
uint32_t amf_exec_unregister(struct amf_conn *c, struct amf_comp *comp, struct amf_comp *proxy);
uint32_t amf_exec_response(struct amf_conn *c, uint64_t invocation, uint32_t error);
uint32_t amf_exec_quiescing_complete(struct amf_conn *c, uint64_t invocation, uint32_t error);
uint32_t amf_exec_hc_start(struct amf_conn *c, struct amf_comp *comp, const char *key, size_t key_len,
			   uint32_t type, uint32_t recovery);
uint32_t amf_exec_hc_confirm(struct amf_conn *c, struct amf_comp *comp, const char *key, size_t key_len,
			     uint32_t result);
uint32_t amf_exec_hc_stop(struct amf_conn *c, struct amf_comp *comp, const char *key, size_t key_len);
uint32_t amf_exec_pm_start(struct amf_conn *c, struct amf_comp *comp, pid_t pid, int32_t depth, uint32_t errors,
			   uint32_t recovery);
uint32_t amf_exec_pm_stop(struct amf_conn *c, struct amf_comp *comp, uint32_t qualifier, pid_t pid, uint32_t errors);
uint32_t amf_exec_ha_readiness_set(struct amf_conn *c, struct amf_comp *comp, struct amf_csi *csi, uint32_t state);
/** True when the invocation is outstanding on c. */
bool amf_exec_invocation_known(struct amf_conn *c, uint64_t invocation);
/** The connection closed: registrations, healthchecks, monitors, callbacks. */
void amf_exec_conn_closed(struct amf_conn *c);
/** The HA readiness of comp for csi (1, READY_FOR_ASSIGNMENT, when none was set here). */
uint32_t amf_exec_ha_readiness(const struct amf_comp *comp, const struct amf_csi *csi);
/** Write a DN into an IPC name; false when it does not fit. */
bool amf_exec_name_set(struct ais_amf_name *n, const char *dn, int len);

/* ---- amf_pg.c ------------------------------------------------------------------ */

/** PG_TRACK and PG_TRACK_STOP (the handlers answer the client themselves). */
int amf_pg_track(struct amf_conn *c, const struct ais_amf_req_pg_track *req);
int amf_pg_stop(struct amf_conn *c, const struct ais_amf_req_pg_stop *req);
/** Deliver the callbacks due after a change of the replicated state. */
void amf_pg_model_changed(void);
void amf_pg_conn_closed(struct amf_conn *c);
void amf_pg_dump(void (*out)(void *ctx, const char *line), void *ctx);

#endif
