/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inside the AMF engine's replicated core (amf.c, amf_driver.c,
 * amf_sync.c, amf_status.c): what these files share. The executor sees
 * only amf_int.h.
 */
#ifndef AIS_AMF_CORE_H
#define AIS_AMF_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include "amf_config.h"
#include "amf_int.h"
#include "amf_wire.h"

/** The driver's replicated state (pending and started actions, counters). */
extern struct amf_driver_state amf_drv;

/** CLOCK_REALTIME in milliseconds (carried in every message as ts). */
uint64_t amf_wall_ms(void);

/** Log a problem of an AMF configuration (amf_diag_fn; amf.c). */
void amf_core_diag_log(void *ctx, enum amf_diag_severity sev, const char *file, unsigned line, const char *msg);

/* ---- amf_driver.c ---- */

/** Apply delivered messages (every node, in agreed order). */
void amf_driver_apply_error(const struct amf_wire_error *m, ais_nodeid_t sender);
void amf_driver_apply_result(const struct amf_wire_result *m, bool failed, ais_nodeid_t sender);
void amf_driver_apply_quiesced(const struct amf_wire_quiesced *m);
/** STARTUP: the cluster startup time is over; assign. */
void amf_driver_apply_startup(const struct amf_wire_result *m, ais_nodeid_t sender);
/** @return 0 or the -errno of amf_admin_op() (-ENOENT: no such entity). */
int amf_driver_apply_admin(const struct amf_wire_admin *m);

/**
 * Start what can start: the next step when nothing is started, a new plan
 * when the list is exhausted. Then amf_exec_model_changed().
 */
void amf_driver_run(void);

/**
 * An event produced list l (taken over, emptied): it replaces the pending
 * actions; started actions for which cancel(a, ctx) is true are cancelled
 * (cancel may be NULL).
 */
void amf_driver_replace(struct amf_action_list *l, bool (*cancel)(const struct amf_action *a, const void *ctx),
			const void *ctx);

/** Forget started actions hosted on node (it left or was reset); no cancel call. */
void amf_driver_forget_node(const struct amf_node *node);

/** Forget every action and pending local report (the model is replaced). */
void amf_driver_reset(void);

/** True when no action is pending or started. */
bool amf_driver_settled(void);

/** Queue a message for multicast (copied); sent in order, retried from a
 *  timer, held while this node's AMF sync runs. */
void amf_driver_queue(const uint8_t *msg, size_t len);
/** Try to send the queue now (after sync activate). */
void amf_driver_flush(void);

/** Stop the retry timer and free the queue (engine exit). */
void amf_driver_exit(void);

/** Is the action hosted on this node (the one that runs it)? */
bool amf_driver_action_is_local(const struct amf_action *a);

/* ---- amf_sync.c ---- */

extern const struct ais_sync_ops amf_sync_ops;
/** True between this node's AMF sync init and activate/abort. */
bool amf_sync_running(void);
/** Apply SUMMARY and STATE (from the exec handlers). */
void amf_sync_deliver_summary(const struct amf_wire_summary *m, ais_nodeid_t sender);
void amf_sync_deliver_state(const struct amf_wire_state *m, ais_nodeid_t sender);
void amf_sync_exit(void);

/* ---- amf_status.c ---- */

/**
 * Write the STATUS text (json false) or JSON object of the current model
 * into a malloc'd NUL-terminated buffer. @return its length, or -ENOMEM.
 */
ssize_t amf_status_format(const struct amf_cluster *c, bool settled, bool json, char **ret);
/** The origin node answers an applied ADMIN (r: amf_driver_apply_admin's result). */
void amf_status_admin_answer(uint64_t conn_id, int r);

#endif /* AIS_AMF_CORE_H */
