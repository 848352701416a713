/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Closed Process Groups: the client API of libaiscpg.
 *
 * Source-compatible with Corosync 3's CPG API (<corosync/cpg.h> plus the
 * parts of <corosync/corotypes.h> it uses): a program written for Corosync
 * builds against aisexec by changing only its include line to
 * <ais/cpg.h> and linking with -laiscpg (pkg-config: aiscpg). Names, types,
 * callback signatures and numeric values are the same.
 *
 * Differences a Corosync user may notice (docs/cpg.md has the details):
 *  - CPG_TYPE_SAFE is real safe delivery (a message is delivered only once
 *    every node of the configuration holds it); UNORDERED, FIFO and AGREED
 *    are agreed (total) order, as in Corosync.
 *  - One message carries at most CPG_MAX_MSG_SIZE (1 MiB) bytes; a larger
 *    cpg_mcast_joined() fails with CS_ERR_TOO_BIG. Up to that size messages
 *    are never split, so cpg_max_atomic_msgsize_get() reports 1 MiB.
 *  - cpg_mcast_joined() waits for the daemon to accept the message and
 *    returns CS_ERR_TRY_AGAIN while the cluster is flow controlled or
 *    resynchronising after a membership change; retry later.
 *  - A client that stops dispatching until its event queue in the daemon
 *    overflows is disconnected (calls then return CS_ERR_LIBRARY), and the
 *    other members see it leave with CPG_REASON_PROCDOWN.
 *  - cpg_zcb_alloc/free/mcast_joined (zero-copy buffers) exist for source
 *    compatibility; the buffer is ordinary process memory and the send
 *    copies it, as cpg_mcast_joined() does.
 *  - cpg_membership_get() writes at most CPG_MEMBERS_MAX entries (the array
 *    size Corosync documents) and returns CS_ERR_NO_SPACE for a larger
 *    group; the iteration API lists groups of any size.
 *
 * Handles are checked: a finalized, forged or foreign handle gives
 * CS_ERR_BAD_HANDLE. Every call is thread-safe; cpg_finalize() may be called
 * from inside a callback. If the daemon goes away, the next call returns
 * CS_ERR_LIBRARY (never blocks forever).
 */
#ifndef AIS_CPG_H
#define AIS_CPG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <netinet/in.h>

#include <ais/corotypes.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- CPG types ----------------------------------------------------------- */

typedef uint64_t cpg_handle_t;
typedef uint64_t cpg_iteration_handle_t;

typedef enum {
	CPG_TYPE_UNORDERED, /**< delivered in agreed order */
	CPG_TYPE_FIFO,      /**< delivered in agreed order */
	CPG_TYPE_AGREED,    /**< total order, same on every member */
	CPG_TYPE_SAFE       /**< agreed, and only once every node has it */
} cpg_guarantee_t;

typedef enum {
	CPG_FLOW_CONTROL_DISABLED, /**< new messages may be sent */
	CPG_FLOW_CONTROL_ENABLED   /**< the cluster is backlogged: hold off */
} cpg_flow_control_state_t;

typedef enum {
	CPG_REASON_UNDEFINED = 0,
	CPG_REASON_JOIN = 1,
	CPG_REASON_LEAVE = 2,
	CPG_REASON_NODEDOWN = 3,
	CPG_REASON_NODEUP = 4,
	CPG_REASON_PROCDOWN = 5
} cpg_reason_t;

typedef enum {
	CPG_ITERATION_NAME_ONLY = 1, /**< each group name once */
	CPG_ITERATION_ONE_GROUP = 2, /**< members of one group */
	CPG_ITERATION_ALL = 3,       /**< every (group, member) pair */
} cpg_iteration_type_t;

typedef enum {
	CPG_MODEL_V1 = 1,
} cpg_model_t;

struct cpg_address {
	uint32_t nodeid;
	uint32_t pid;
	uint32_t reason; /**< cpg_reason_t in left/joined lists, 0 in member lists */
};

#define CPG_MAX_NAME_LENGTH 128
/** A group name: length bytes of value are significant (binary is fine). */
struct cpg_name {
	uint32_t length;
	char value[CPG_MAX_NAME_LENGTH];
};

/** Size of the member_list array cpg_membership_get() fills. */
#define CPG_MEMBERS_MAX 128

/** Largest payload of one cpg_mcast_joined() (aisexec extension). */
#define CPG_MAX_MSG_SIZE (1024 * 1024)

struct cpg_iteration_description_t {
	struct cpg_name group;
	uint32_t nodeid;
	uint32_t pid;
};

struct cpg_ring_id {
	uint32_t nodeid;
	uint64_t seq;
};

/** A message sent to a joined group (the sender's own messages included).
 *  msg is valid until the callback returns. */
typedef void (*cpg_deliver_fn_t)(
	cpg_handle_t handle,
	const struct cpg_name *group_name,
	uint32_t nodeid,
	uint32_t pid,
	void *msg,
	size_t msg_len);

/** Group membership changed: the new member list, who left and who joined. */
typedef void (*cpg_confchg_fn_t)(
	cpg_handle_t handle,
	const struct cpg_name *group_name,
	const struct cpg_address *member_list, size_t member_list_entries,
	const struct cpg_address *left_list, size_t left_list_entries,
	const struct cpg_address *joined_list, size_t joined_list_entries);

/** The cluster (node) membership changed. */
typedef void (*cpg_totem_confchg_fn_t)(
	cpg_handle_t handle,
	struct cpg_ring_id ring_id,
	uint32_t member_list_entries,
	const uint32_t *member_list);

typedef struct {
	cpg_deliver_fn_t cpg_deliver_fn;
	cpg_confchg_fn_t cpg_confchg_fn;
} cpg_callbacks_t;

typedef struct {
	cpg_model_t model;
} cpg_model_data_t;

/** Also deliver the current node membership right after joining. */
#define CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF 0x01
/**
 * aisexec extension (Corosync has no such flag): also call
 * cpg_totem_confchg_fn for every transitional configuration, in order with
 * the messages: the messages of the old ring delivered before it, the rest
 * of them after it, then the regular configuration. Its member list is the
 * nodes that move together into the new ring, its ring id the new ring's;
 * cpg_totem_confchg_type_get() tells the two kinds apart. A regular
 * configuration is delivered once the cluster has resynchronised, before
 * any message of the new ring; one that was superseded before that is
 * delivered just before the next transitional configuration. With this
 * flag the initial configuration (CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF)
 * is delivered only to a handle that has received no totem configuration
 * yet.
 */
#define CPG_MODEL_V1_DELIVER_TRANSITIONAL_TOTEM_CONF 0x10000

/** Kind of a totem configuration (aisexec extension). */
typedef enum {
	CPG_TOTEM_CONFCHG_REGULAR = 0,
	CPG_TOTEM_CONFCHG_TRANSITIONAL = 1,
} cpg_totem_confchg_type_t;

typedef struct {
	cpg_model_t model;
	cpg_deliver_fn_t cpg_deliver_fn;
	cpg_confchg_fn_t cpg_confchg_fn;
	cpg_totem_confchg_fn_t cpg_totem_confchg_fn;
	unsigned int flags;
} cpg_model_v1_data_t;

/* ---- functions ----------------------------------------------------------- */

/**
 * Open a connection to the local daemon (the instance named by
 * $AIS_INSTANCE, if set). callbacks may be NULL. Each call opens its own
 * connection. CS_ERR_LIBRARY when no daemon runs.
 */
cs_error_t cpg_initialize(cpg_handle_t *handle, cpg_callbacks_t *callbacks);

/**
 * As cpg_initialize(), with the V1 model: model must be CPG_MODEL_V1
 * (else CS_ERR_INVALID_PARAM); model_data points at a cpg_model_v1_data_t
 * or is NULL (its .model field is not looked at, as in Corosync); context
 * is what cpg_context_get() returns. Unknown flags: CS_ERR_INVALID_PARAM.
 */
cs_error_t cpg_model_initialize(cpg_handle_t *handle, cpg_model_t model,
                                cpg_model_data_t *model_data, void *context);

/**
 * Close the connection; the process leaves its group. Safe in a callback.
 * The handle is released in every case; the result is CS_OK, or (as
 * Corosync answers) CS_ERR_LIBRARY when the connection to the daemon was
 * already lost, or CS_ERR_BAD_HANDLE for a handle already finalized.
 */
cs_error_t cpg_finalize(cpg_handle_t handle);

/**
 * The selection object: readable whenever cpg_dispatch() has work. Not the
 * handle itself. Valid until cpg_finalize().
 */
cs_error_t cpg_fd_get(cpg_handle_t handle, int *fd);

/** Largest payload one cpg_mcast_joined() accepts (CPG_MAX_MSG_SIZE). */
cs_error_t cpg_max_atomic_msgsize_get(cpg_handle_t handle, uint32_t *size);

cs_error_t cpg_context_get(cpg_handle_t handle, void **context);
cs_error_t cpg_context_set(cpg_handle_t handle, void *context);

/**
 * aisexec extension: the kind of the totem configuration most recently
 * passed to this handle's cpg_totem_confchg_fn (call it from that callback).
 * CS_ERR_NOT_EXIST before the first one.
 */
cs_error_t cpg_totem_confchg_type_get(cpg_handle_t handle, cpg_totem_confchg_type_t *type);

/** Run callbacks; see cs_dispatch_flags_t. */
cs_error_t cpg_dispatch(cpg_handle_t handle, cs_dispatch_flags_t dispatch_types);

/**
 * Join a group. A handle is in at most one group at a time (as in Corosync):
 * a second join gives CS_ERR_EXIST, as does a join of a group this process
 * is already in through another handle. The join completes when the
 * confchg callback lists this process in joined_list.
 */
cs_error_t cpg_join(cpg_handle_t handle, const struct cpg_name *group);

/** Leave the joined group (CS_ERR_NOT_EXIST if not in it). */
cs_error_t cpg_leave(cpg_handle_t handle, const struct cpg_name *group);

/**
 * Send the concatenation of iovec to the joined group. Every member,
 * the sender included, delivers it in the same order. CS_ERR_NOT_EXIST when
 * not joined, CS_ERR_TOO_BIG over CPG_MAX_MSG_SIZE, CS_ERR_TRY_AGAIN under
 * flow control.
 */
cs_error_t cpg_mcast_joined(cpg_handle_t handle, cpg_guarantee_t guarantee,
                            const struct iovec *iovec, unsigned int iov_len);

/**
 * The members of a group as this node knows them. member_list must hold
 * CPG_MEMBERS_MAX entries; *member_list_entries receives the count.
 */
cs_error_t cpg_membership_get(cpg_handle_t handle, struct cpg_name *groupName,
                              struct cpg_address *member_list, int *member_list_entries);

/** This node's id. */
cs_error_t cpg_local_get(cpg_handle_t handle, unsigned int *local_nodeid);

/** Whether the cluster currently asks senders to hold off. */
cs_error_t cpg_flow_control_state_get(cpg_handle_t handle,
                                      cpg_flow_control_state_t *flow_control_enabled);

/** A buffer of size bytes for cpg_zcb_mcast_joined(); free with cpg_zcb_free(). */
cs_error_t cpg_zcb_alloc(cpg_handle_t handle, size_t size, void **buffer);
cs_error_t cpg_zcb_free(cpg_handle_t handle, void *buffer);
/** Send msg_len bytes of a buffer from cpg_zcb_alloc() (like cpg_mcast_joined()). */
cs_error_t cpg_zcb_mcast_joined(cpg_handle_t handle, cpg_guarantee_t guarantee,
                                void *msg, size_t msg_len);

/**
 * Walk the groups known to this node: a snapshot taken at initialize.
 * group must be set for CPG_ITERATION_ONE_GROUP and NULL otherwise.
 * cpg_iteration_next() returns CS_ERR_NO_SECTIONS after the last entry.
 */
cs_error_t cpg_iteration_initialize(cpg_handle_t handle, cpg_iteration_type_t iteration_type,
                                    const struct cpg_name *group,
                                    cpg_iteration_handle_t *cpg_iteration_handle);
cs_error_t cpg_iteration_next(cpg_iteration_handle_t handle,
                              struct cpg_iteration_description_t *description);
cs_error_t cpg_iteration_finalize(cpg_iteration_handle_t handle);

#ifdef __cplusplus
}
#endif

#endif /* AIS_CPG_H */
