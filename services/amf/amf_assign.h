/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AMF assignment logic: readiness of service units and components, the
 * target assignment of every service group under its redundancy model, and
 * the ordered list of actions (instantiate, terminate, CSI set/remove) that
 * leads from the current assignment to the target.
 *
 * Everything here is a deterministic function of the model (amf_model.h):
 * no I/O, no clock, no randomness, iteration in file order with ranks as
 * the only reordering. Every node holding the same replicated model
 * computes the same actions. Recovery and administrative operations, which
 * change states and then plan, are in amf_recovery.h. docs/amf.md
 * ("Assignment and recovery") describes the rules in prose.
 *
 * How the engine drives it:
 *  1. call amf_assign_plan() (or an amf_recovery.h function) to get a list;
 *  2. run the actions step by step: every action of step k may run at once,
 *     step k+1 starts when every action of step k has completed; the CSI
 *     actions of one SI on one SU are listed in saAmfCSIDependency order
 *     and run in list order when the SI's CSIs depend on each other;
 *  3. report each completion with amf_action_done() (it records the result
 *     in the model) and each failure with amf_action_failed() (recovery);
 *     report saAmfCSIQuiescingComplete with amf_assign_quiescing_done();
 *  4. when the list is finished, call amf_assign_plan() again; an empty
 *     list means the model is settled.
 * When an error or event arrives while a list runs, the engine takes the
 * new list, drops the old list's actions that have not started (the next
 * plan recomputes what is still needed) and waits for the started ones.
 */
#ifndef AIS_AMF_ASSIGN_H
#define AIS_AMF_ASSIGN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "amf_model.h"

/** Transition descriptor of an ACTIVE CSI set (SaAmfCSITransitionDescriptorT). */
enum amf_transition {
	AMF_TRANS_NONE = 0,
	AMF_TRANS_NEW_ASSIGN = 1,
	AMF_TRANS_QUIESCED = 2,
	AMF_TRANS_NOT_QUIESCED = 3,
	AMF_TRANS_STILL_ACTIVE = 4,
};

enum amf_action_kind {
	/** Set the HA state of csi on comp (add it when new): the CSI-set callback. */
	AMF_ACT_CSI_SET = 1,
	/** Remove csi from comp: the CSI-remove callback. */
	AMF_ACT_CSI_REMOVE,
	/** Run comp's CLC-CLI instantiate command. */
	AMF_ACT_INSTANTIATE,
	/** Terminate comp gracefully (terminate callback or command). */
	AMF_ACT_TERMINATE,
	/** Run comp's CLC-CLI cleanup command (forced). */
	AMF_ACT_CLEANUP,
	/** Reboot node (node failfast, failed termination with reboot configured). */
	AMF_ACT_NODE_REBOOT,
	/** Restart the whole cluster (recovery CLUSTER_RESET). */
	AMF_ACT_CLUSTER_RESET,
};

/**
 * One thing the engine must do. Pointers point into the model the list
 * was computed from and stay valid as long as that model.
 *  CSI_SET / CSI_REMOVE: su, si, comp, csi, ha_state (SET), transition
 *     (SET to ACTIVE: NEW_ASSIGN, QUIESCED or NOT_QUIESCED; else NONE).
 *     An SI without CSIs gets one action with comp and csi NULL, which
 *     only records the SI assignment.
 *  INSTANTIATE / TERMINATE / CLEANUP: su, comp.
 *  NODE_REBOOT: node.  CLUSTER_RESET: nothing.
 */
struct amf_action {
	enum amf_action_kind kind;
	unsigned step;   /**< run after every action of a smaller step completed */
	struct amf_node *node;
	struct amf_su *su;
	struct amf_si *si;
	struct amf_comp *comp;
	struct amf_csi *csi;
	enum amf_ha_state ha_state;
	enum amf_transition transition;
};

/** A growable list of actions, kept sorted by step (stable). */
struct amf_action_list {
	struct amf_action *v;
	size_t n, cap;
};

/** Empty the list, keeping its memory. */
void amf_actions_clear(struct amf_action_list *l);
/** Free the list's memory; it is then empty. */
void amf_actions_free(struct amf_action_list *l);
/** Append a copy of *a, keeping the order by step. @return 0, or -ENOMEM. */
int amf_actions_push(struct amf_action_list *l, const struct amf_action *a);
/** The largest step in l plus one; 0 for an empty list. */
unsigned amf_actions_next_step(const struct amf_action_list *l);

/**
 * Describe an action in one line ("step 1 csi-set ACTIVE(not-quiesced)
 * safCsi=..,.. on safComp=.."), for logs and tests. @return snprintf's result.
 */
int amf_action_format(const struct amf_action *a, char *buf, size_t len);

/* ---- readiness ---- */

/**
 * Derive the readiness of every SU and component (and SU presence) from
 * the admin, operational and presence states. An SU is IN_SERVICE when
 *  - its node is a CLM member, operationally ENABLED, and neither LOCKED
 *    nor LOCKED_INSTANTIATION;
 *  - the SU is ENABLED and, like its SG, application and cluster, neither
 *    LOCKED nor LOCKED_INSTANTIATION;
 *  - it has at least one component and every component is ENABLED and
 *    INSTANTIATED (or RESTARTING: a component restart keeps its CSIs and
 *    does not take the SU out of service);
 * and STOPPING instead of IN_SERVICE when any of node, SU, SG or
 * application is SHUTTING_DOWN. Otherwise it is OUT_OF_SERVICE. A
 * component has its SU's readiness when it is ENABLED and INSTANTIATED,
 * else OUT_OF_SERVICE. SU presence: INSTANTIATED when every component is,
 * RESTARTING when one restarts, INSTANTIATING when one is being
 * instantiated, INSTANTIATION_FAILED / TERMINATION_FAILED when one is,
 * else UNINSTANTIATED.
 * Also completes shutdowns: an SU, SG, node or SI that is SHUTTING_DOWN
 * and has no assignment left becomes LOCKED.
 */
void amf_readiness_update(struct amf_cluster *c);

/* ---- planning ---- */

/**
 * Compute the actions that bring the whole cluster to its target: every
 * component of an SU that may run (node member and enabled, SU enabled,
 * nothing LOCKED_INSTANTIATION above it) and is UNINSTANTIATED is
 * instantiated; components of SUs under LOCKED_INSTANTIATION with no
 * assignment are terminated; every SG's SIs are assigned per its
 * redundancy model (docs/amf.md). Readiness is updated first.
 * Appends to l (which need not be empty). Steps: 0 instantiate/terminate,
 * quiesce (QUIESCED for actives that leave, QUIESCING for actives of a
 * shutting-down SU or SI); 1 ACTIVE sets (promotion of a standby:
 * transition QUIESCED when the old active was quiesced, NOT_QUIESCED when
 * it failed; a new assignment: NEW_ASSIGN); 2 removals and demotions to
 * STANDBY; 3 new STANDBY sets. Steps are offset by base.
 * @return 0, or -ENOMEM (l then holds what was appended so far).
 */
int amf_assign_plan(struct amf_cluster *c, unsigned base, struct amf_action_list *l);

/** amf_assign_plan() for one SG only (no lifecycle actions). */
int amf_assign_plan_sg(struct amf_sg *sg, unsigned base, struct amf_action_list *l);

/**
 * Record that action a completed: CSI_SET adds or updates the CSI
 * assignment and the SI assignment of (su, si) to the new HA state;
 * CSI_REMOVE removes the CSI assignment, and the SI assignment when no
 * CSI of the SI is left on the SU; INSTANTIATE makes the component
 * INSTANTIATED and ENABLED; TERMINATE and CLEANUP make it UNINSTANTIATED
 * and drop its CSI assignments, except during a component or SU restart
 * (presence RESTARTING), where the assignments are kept to be set again;
 * the last CLEANUP of an SU failed over in an SG with saAmfSGAutoRepair
 * enables the SU again.
 * Readiness is updated afterwards. @return 0, or -ENOMEM.
 */
int amf_action_done(struct amf_cluster *c, const struct amf_action *a);

/**
 * The component confirmed that csi finished quiescing (saAmfCSIQuiescingComplete):
 * QUIESCING becomes QUIESCED, for the SI assignment too once every CSI of
 * the SI on that SU is QUIESCED. @return 0, or -ENOENT when csi is not
 * QUIESCING on comp.
 */
int amf_assign_quiescing_done(struct amf_cluster *c, struct amf_comp *comp, struct amf_csi *csi);

/**
 * Forget every CSI assignment of comp, and the SI assignments of its SU
 * left without any CSI (the component is gone: failed, cleaned up, or its
 * node left). No action is produced.
 */
void amf_comp_drop_assignments(struct amf_comp *comp);
/** Forget every SI and CSI assignment of su (see amf_comp_drop_assignments()). */
void amf_su_drop_assignments(struct amf_su *su);

/* ---- checking ---- */

/** Capacity rule of a capability model: may comp hold act active and stb standby CSIs? */
bool amf_comp_capability_allows(const struct amf_comp *comp, uint32_t act, uint32_t stb);

/**
 * Check that the current assignments respect the model: for 2N, N+M,
 * N-way and no-redundancy at most one ACTIVE (or QUIESCING) per SI; 2N and
 * N+M: at most N SUs active, M standby, no SU both; N-way active: no
 * standby, at most the preferred actives per SI; no SU over
 * MaxActive/MaxStandbySIsperSU (1 active under no-redundancy); no SU with
 * two assignments of one SI; no component over its capability or holding
 * a CSI of a CS type it does not list; CSI and SI assignments agree;
 * assignments only on SUs that are not OUT_OF_SERVICE.
 * @return 0, or -EINVAL with the first violation described in why.
 */
int amf_assign_validate(const struct amf_cluster *c, char *why, size_t why_len);

/**
 * Write every assignment and state, one per line, in model order (for
 * tests and dumps). @return 0, or -EIO.
 */
int amf_assign_dump(const struct amf_cluster *c, FILE *out);

#endif /* AIS_AMF_ASSIGN_H */
