/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AMF recovery, escalation and administrative operations: the state
 * transitions of the model when a component fails, an action fails, a CLM
 * node leaves or joins, or an operator acts, and the resulting actions
 * (amf_assign.h) for the engine to run.
 *
 * Like amf_assign.c this is a pure function of the model and its inputs:
 * times come in as `now` (milliseconds on any clock the engine chooses, the
 * same one for every call; the cluster-wide engine passes the time carried
 * in the message that reported the event, so every node decides alike).
 * Probation counters live in the model (su->comp_restart_count,
 * su->restart_count, node->su_failover_count and their *_prob_start_ms)
 * so they are replicated with it.
 *
 * Escalation (docs/amf.md "Assignment and recovery"): a component restart
 * counts against the SU's component-restart probation; the restart that
 * makes the count exceed saAmfSGCompRestartMax within
 * saAmfSGCompRestartProb becomes an SU restart instead; the SU restart that
 * exceeds saAmfSGSuRestartMax within saAmfSGSuRestartProb becomes an SU
 * failover; the SU failover that exceeds saAmfNodeSuFailoverMax within
 * saAmfNodeSuFailOverProb becomes a node failover. A probation starts at
 * the first event counted and ends prob milliseconds later; the counter is
 * reset when an event arrives after its end and when it escalates.
 */
#ifndef AIS_AMF_RECOVERY_H
#define AIS_AMF_RECOVERY_H

#include <stdint.h>

#include "amf_assign.h"
#include "amf_model.h"

/** Administrative operations (SaAmfAdminOperationIdT values). */
enum amf_admin_op {
	AMF_OP_UNLOCK = 1,
	AMF_OP_LOCK = 2,
	AMF_OP_LOCK_INSTANTIATION = 3,
	AMF_OP_UNLOCK_INSTANTIATION = 4,
	AMF_OP_SHUTDOWN = 5,
	AMF_OP_RESTART = 6,
	AMF_OP_SI_SWAP = 7,
	AMF_OP_REPAIRED = 9,
};

/**
 * Strength of a recovery, for "never weaker than recommended": no
 * recommendation 0, component restart 1, component failover 2, node
 * switchover 3, node failover 4, node failfast 5, application restart 6,
 * cluster reset 7; -1 for an unknown value.
 */
int amf_recovery_strength(enum amf_recovery r);

/**
 * The recovery to start from for an error on comp: the stronger of the
 * recommended one and the component's saAmfCompRecoveryOnError (which
 * stands alone for NO_RECOMMENDATION); a component restart becomes a
 * component failover when the component has saAmfCompDisableRestart.
 */
enum amf_recovery amf_recovery_choose(const struct amf_comp *comp, enum amf_recovery recommended);

/** What amf_comp_error() finally did, after escalation. */
enum amf_applied {
	AMF_APPLIED_COMP_RESTART = 1,
	AMF_APPLIED_SU_RESTART,
	AMF_APPLIED_COMP_FAILOVER, /**< only the component (saAmfSUFailover false) */
	AMF_APPLIED_SU_FAILOVER,
	AMF_APPLIED_NODE_SWITCHOVER,
	AMF_APPLIED_NODE_FAILOVER,
	AMF_APPLIED_NODE_FAILFAST,
	AMF_APPLIED_APP_RESTART,
	AMF_APPLIED_CLUSTER_RESET,
};

const char *amf_applied_name(enum amf_applied a);

/**
 * An error was detected on comp (healthcheck, passive monitoring, error
 * report, failed callback) at time now with the recommended recovery.
 * Changes the model and appends the actions:
 *  - component restart: the component becomes RESTARTING and keeps its
 *    CSIs; CLEANUP (step 0), INSTANTIATE (1), CSI_SET of each CSI again (2);
 *  - SU restart: the same for every component of the SU;
 *  - SU failover: the SU becomes DISABLED, its assignments are forgotten,
 *    every component is TERMINATING and cleaned up (step 0) and the
 *    cluster is planned again from step 1 (standbys promoted with
 *    NOT_QUIESCED, new standbys); with saAmfSGAutoRepair the SU is ENABLED
 *    again when its last cleanup is done (amf_action_done());
 *  - component failover with saAmfSUFailover false: only that component
 *    is cleaned up and DISABLED; the SU is then out of service, so its
 *    other components' SIs are moved gracefully by the plan;
 *  - node switchover: SU failover of the erroneous SU and the node
 *    DISABLED, so the plan moves the node's other SUs gracefully;
 *  - node failover: the node DISABLED, every SU on it failed over, and
 *    NODE_REBOOT when the node has saAmfNodeAutoRepair;
 *  - node failfast: node failover plus NODE_REBOOT;
 *  - application restart: every SU of the application cleaned up with
 *    its assignments forgotten; the plan instantiates and assigns again;
 *  - cluster reset: CLUSTER_RESET.
 * A component not INSTANTIATED (already being recovered) is ignored.
 * @param ret_applied may be NULL
 * @return 0 (nothing appended when ignored), -ENOMEM.
 */
int amf_comp_error(struct amf_cluster *c, struct amf_comp *comp, enum amf_recovery recommended, uint64_t now,
		   struct amf_action_list *l, enum amf_applied *ret_applied);

/**
 * Action a failed (a callback answered an error or timed out, a command
 * failed). CSI set/remove: an error of the component with its configured
 * recovery. INSTANTIATE: the component becomes INSTANTIATION_FAILED and
 * DISABLED, its SU DISABLED and failed over (node failfast when the node
 * has saAmfNodeRebootOnInstantiationFailure). TERMINATE: CLEANUP.
 * CLEANUP: TERMINATION_FAILED, SU DISABLED and failed over (node failfast
 * with saAmfNodeRebootOnTerminationFailure). Others: nothing.
 * @return 0, or -ENOMEM.
 */
int amf_action_failed(struct amf_cluster *c, const struct amf_action *a, uint64_t now, struct amf_action_list *l);

/**
 * CLM reports that node left the cluster: it is no longer a member and
 * DISABLED, its components are UNINSTANTIATED and their assignments
 * forgotten (nothing runs there any more), and the plan reassigns the SIs:
 * a standby elsewhere becomes ACTIVE with NOT_QUIESCED, then new
 * standbys. @return 0, or -ENOMEM.
 */
int amf_node_clm_left(struct amf_cluster *c, struct amf_node *node, uint64_t now, struct amf_action_list *l);

/**
 * CLM reports that node is (again) a member with node id nodeid: it is
 * ENABLED, so are its SUs (a fresh start), probation counters reset; the
 * plan instantiates its components. Assignments never move back to it
 * by themselves. @return 0, or -ENOMEM.
 */
int amf_node_clm_joined(struct amf_cluster *c, struct amf_node *node, uint32_t nodeid, uint64_t now,
			struct amf_action_list *l);

/**
 * Apply an administrative operation to entity (of kind AMF_KIND_SU,
 * AMF_KIND_SG, AMF_KIND_NODE, AMF_KIND_APP or AMF_KIND_SI) and append
 * the resulting actions. Admin state transitions:
 *  LOCK: UNLOCKED or SHUTTING_DOWN -> LOCKED (actives QUIESCED, standbys
 *        elsewhere promoted with QUIESCED, then removed);
 *  UNLOCK: LOCKED or SHUTTING_DOWN -> UNLOCKED;
 *  SHUTDOWN: UNLOCKED -> SHUTTING_DOWN (actives QUIESCING; LOCKED once
 *        nothing is assigned any more; not for nodes' parents);
 *  LOCK_INSTANTIATION: LOCKED -> LOCKED_INSTANTIATION (components
 *        terminated); UNLOCK_INSTANTIATION: back to LOCKED (instantiated);
 *  RESTART (SU): an SU restart without escalation;
 *  REPAIRED (SU, node): DISABLED -> ENABLED, failed components reset;
 *  SI_SWAP (SI of a 2N, N+M or N-way SG): its ACTIVE assignment (under 2N
 *        and N+M every SI active on that SU) goes QUIESCED; when that
 *        completes, amf_assign_plan() makes the standby ACTIVE with
 *        QUIESCED and the old active STANDBY.
 * SI: LOCK, UNLOCK, SHUTDOWN and SI_SWAP only.
 * @return 0; -EALREADY when the entity is already in the asked state
 *         (SA_AIS_ERR_NO_OP); -EPERM when the operation is not valid in
 *         its state or for its kind (SA_AIS_ERR_BAD_OPERATION), e.g. SI
 *         swap without an in-service standby or under N-way active and
 *         no-redundancy; -EBUSY when a swap or shutdown of the SG is in
 *         progress (SA_AIS_ERR_TRY_AGAIN); -EINVAL for an unknown kind
 *         or operation; -ENOMEM.
 */
int amf_admin_op(struct amf_cluster *c, enum amf_admin_op op, enum amf_kind kind, void *entity, uint64_t now,
		 struct amf_action_list *l);

#endif /* AIS_AMF_RECOVERY_H */
