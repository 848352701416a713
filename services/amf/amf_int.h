/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The AMF engine's internal interface: how its two halves talk.
 *
 * The engine is a replicated state machine. Every node holds the same model
 * (amf_model.h) with the same runtime state, and changes it only when it
 * applies a cluster message (in the ring's total order) or at the end of
 * sync (the same point of the order on every member). The planner
 * (amf_assign.h, amf_recovery.h) is deterministic, so every node computes
 * the same action lists from the same messages.
 *
 *  - The core (amf.c, amf_driver.c, amf_sync.c, amf_wire.[ch],
 *    amf_status.c) owns the replicated state: the model, the current
 *    action list and its step, the set of started actions, the cluster
 *    clock. It applies cluster messages, plans, runs sync, answers the
 *    operator requests (ADMIN, STATUS). When a step starts it hands every
 *    action that runs on this node to the executor.
 *  - The executor (amf_exec.c, amf_lib.c, amf_pg.c) owns what is local:
 *    the component processes and their watches (amf_clc.h), the library
 *    connections, registrations, healthcheck timers, pending callbacks with
 *    their invocations and timeouts, protection group trackers. It never
 *    changes the replicated state itself: it reports outcomes to the core,
 *    which multicasts them; every node (this one included) applies them
 *    when they come back in order.
 *
 * Everything runs in the daemon's main loop.
 */
#ifndef AIS_AMF_INT_H
#define AIS_AMF_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <ais/service.h>

#include "amf_assign.h"
#include "amf_clc.h"
#include "amf_model.h"
#include "amf_recovery.h"

/** Why an error was reported (for logs and status; carried in ERROR messages). */
enum amf_error_source {
	AMF_ERR_SRC_REPORT = 1,       /**< saAmfComponentErrorReport */
	AMF_ERR_SRC_PROCESS_DEATH = 2, /**< a watched process of the component died */
	AMF_ERR_SRC_HEALTHCHECK = 3,  /**< a healthcheck was missed or answered FAILED */
	AMF_ERR_SRC_UNREGISTER = 4,   /**< it unregistered, or its connection closed, while assigned */
};

/** The engine's shared state (one instance: amf_engine). */
struct amf_engine {
	const struct ais_api *api;
	bool enabled;                  /**< amf { mode: enabled } and a model is loaded */
	struct amf_cluster *model;     /**< the replicated model (NULL while !enabled) */
	char *config_text;             /**< the amf.conf text the model was parsed from */
	size_t config_len;
	char config_name[256];         /**< the file name for messages ("amf.conf" when received by sync) */
	struct amf_clc *clc;           /**< local processes */
	uint32_t local_nodeid;
	struct amf_node *local_node;   /**< the AMF node mapped to this CLM node, or NULL */
	bool have_state;               /**< the runtime state is the cluster's (sync ran at least once) */
	uint64_t now_ms;               /**< cluster clock: never decreases, same on every node */
};

extern struct amf_engine amf_engine;

/* ==== provided by the core, used by the executor ==================== */

/** The action with that id, while it is started and not finished; else NULL. */
const struct amf_action *amf_core_action_get(uint64_t action_id);

/**
 * Report the outcome of a started action that ran on this node (multicast;
 * applied on every node when delivered). Queued and retried from a timer
 * when the totem queue is full; never lost while this node stays a member.
 */
void amf_core_report_done(uint64_t action_id);
void amf_core_report_failed(uint64_t action_id);

/**
 * Report an error of comp (a component of this node) with the recovery
 * recommended (AMF_REC_NO_RECOMMENDATION: the configured one). Several
 * reports of the same component before the first is applied count once.
 */
void amf_core_report_error(struct amf_comp *comp, enum amf_recovery recommended, enum amf_error_source source);

/** The component finished quiescing csi (saAmfCSIQuiescingComplete with OK). */
void amf_core_report_quiescing_done(struct amf_comp *comp, struct amf_csi *csi);

/** True when the component is this node's (its SU is hosted here). */
bool amf_core_comp_is_local(const struct amf_comp *comp);

/** The operator requests (AIS_AMF_REQ_ADMIN, AIS_AMF_REQ_STATUS): lib
 *  handlers with the ais_lib_handler contract, listed in the executor's
 *  handler table at their ids. */
int amf_core_lib_admin(ais_conn_t *conn, const void *msg, size_t len);
int amf_core_lib_status(ais_conn_t *conn, const void *msg, size_t len);

/* ==== provided by the executor, called by the core ================== */

/** The library side of the engine table (amf_lib.c): handlers indexed by
 *  request id (AIS_AMF_REQ_*, ADMIN and STATUS included; NULL fn in the
 *  gaps), per-connection private data size, connect and disconnect. */
extern const struct ais_lib_handler amf_lib_handlers[];
extern const size_t amf_lib_handler_count;
extern const size_t amf_lib_private_size;
/** The same two sizes as constant expressions, for the engine table's
 *  static initializer (amf_lib.c checks them against the real ones). */
#define AMF_LIB_HANDLER_COUNT 34
#define AMF_LIB_PRIVATE_SIZE 128
int amf_lib_init(ais_conn_t *conn);
int amf_lib_exit(ais_conn_t *conn);

/** Engine start (after the model is loaded) and stop. 0 or -errno. */
int amf_exec_init(void);
void amf_exec_exit(void);

/**
 * Run action a on this node (the core calls this only for actions whose
 * SU's node is this node, and for CLUSTER_RESET on every node). a stays
 * valid until the executor reports it or the core cancels it. The
 * executor must report exactly one outcome per started action unless
 * cancelled:
 *   INSTANTIATE: run the instantiate command (or start the instantiation
 *     of a component without one: report failed); done when the command
 *     exited 0 AND the component registered, both within the instantiate
 *     timeout; failed otherwise (the process is killed).
 *   TERMINATE: registered SA-aware component: terminate callback, done on
 *     OK and once its processes are gone (failed on error or timeout);
 *     otherwise the terminate command; done when the processes are gone.
 *   CLEANUP: the cleanup command (or, without one, SIGKILL to what is left);
 *     done when nothing of the component runs any more; failed when the
 *     command fails or times out.
 *   CSI_SET / CSI_REMOVE: the callback to the registered component, done
 *     on SA_AIS_OK, failed on an error answer or the callback timeout. An
 *     action with comp == NULL is done at once.
 *   NODE_REBOOT: log and stop this daemon (done is never reported).
 *   CLUSTER_RESET: terminate every local component.
 */
void amf_exec_start(uint64_t action_id, const struct amf_action *a);

/** Forget a started action (its outcome no longer matters): stop its timer
 *  and pending callback; a command it ran is killed. No report follows. */
void amf_exec_cancel(uint64_t action_id);

/**
 * The replicated state was replaced by sync (this node came from a
 * partition whose state lost, or it joined fresh): kill every local
 * component process, drop every pending callback and registration record,
 * keep the library connections and PG trackers. The core then plans from
 * the installed state as for a node that joined.
 */
void amf_exec_reset(void);

/** Called after every applied change of the replicated state: deliver
 *  protection group callbacks for what changed, re-check healthchecks of
 *  components that left or entered service. */
void amf_exec_model_changed(void);

/** Write the executor's local state (registrations, pending callbacks,
 *  healthchecks, trackers) for aistool dump. */
void amf_exec_dump(void (*out)(void *ctx, const char *line), void *ctx);

#endif /* AIS_AMF_INT_H */
