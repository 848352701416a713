/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * State shared by the cpg engine's files: cpg.c (engine table, client
 * requests, cluster messages), cpg_group.c (the replicated group table and
 * the events built from it), cpg_sync.c (resynchronisation after a
 * configuration change).
 *
 * The replicated state is the set of (group, nodeid, pid) memberships; every
 * node applies the same PROCJOIN/PROCLEAVE messages in the same order, and
 * sync merges the views of nodes that were apart. Local connections hang
 * off the group they joined so deliveries touch only that group's clients.
 */
#ifndef AIS_SERVICES_CPG_INT_H
#define AIS_SERVICES_CPG_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <qb/qblist.h>
#include <qb/qbmap.h>

#include <ais/cpg.h>
#include <ais/ipc_cpg.h>
#include <ais/service.h>

#include "cpg_wire.h"

/** Soft cap on members per group, checked when a local process joins. */
#define CPG_GROUP_MEMBERS_MAX 128
/** Open iterations per connection. */
#define CPG_CONN_ITERS_MAX 16
/** Retry period for leaves that could not be multicast at once (ms). */
#define CPG_LEAVE_RETRY_MS 20
/** Flow control is reported as enabled when a message this big would not fit. */
#define CPG_FLOW_PROBE_SIZE (64 * 1024)
/** group map key: 'g' + two hex digits per name byte + NUL */
#define CPG_GROUP_KEY_SIZE (1 + 2 * AIS_CPG_NAME_MAX + 1)

enum cpg_conn_state {
	CPG_CONN_UNJOINED = 0,
	CPG_CONN_JOIN_PENDING, /**< PROCJOIN multicast, not yet delivered */
	CPG_CONN_JOINED,
	CPG_CONN_LEAVE_PENDING, /**< PROCLEAVE multicast, not yet delivered */
};

struct cpg_member {
	struct qb_list_head list;
	uint32_t nodeid;
	uint32_t pid;
};

/** Membership changes gathered during sync, announced at activate. */
struct cpg_addr_vec {
	struct ais_cpg_address *v;
	size_t n;
	size_t cap;
};

struct cpg_group {
	struct ais_cpg_name name;
	char key[CPG_GROUP_KEY_SIZE];
	struct qb_list_head members; /**< struct cpg_member, by (nodeid, pid) */
	size_t n_members;
	struct qb_list_head conns; /**< local struct cpg_conn attached here */
	size_t n_pending;          /**< attached conns in JOIN_PENDING */
	struct cpg_addr_vec sync_left;
	struct cpg_addr_vec sync_joined;
};

struct cpg_iter_entry {
	struct ais_cpg_name group;
	uint32_t nodeid;
	uint32_t pid;
};

struct cpg_iter {
	struct qb_list_head list;
	uint64_t id;
	struct cpg_iter_entry *entries;
	size_t n;
	size_t next;
};

/** Per-connection private data (the router allocates and zeroes it). */
struct cpg_conn {
	ais_conn_t *conn;
	struct qb_list_head list;       /**< all cpg connections */
	struct qb_list_head group_list; /**< in group->conns while attached */
	struct cpg_group *group;        /**< NULL when UNJOINED */
	enum cpg_conn_state state;
	uint32_t pid;
	uint32_t model_flags;           /**< from MODEL_SET */
	bool initial_conf_sent;
	bool totem_conf_sent;           /**< a totem confchg event went to this client */
	bool doomed;                    /**< event queue overflowed: being disconnected */
	struct qb_list_head iters;
	size_t n_iters;
	uint64_t next_iter_id;
};

/** A PROCDOWN leave waiting for room in the send queue. */
struct cpg_pending_leave {
	struct qb_list_head list;
	struct cpg_wire_proc proc;
};

/** Entries of one node's JOINLIST during sync. */
struct cpg_jl_node {
	struct qb_list_head list;
	uint32_t nodeid;
	struct qb_list_head entries; /**< struct cpg_jl_item */
};

struct cpg_jl_item {
	struct qb_list_head list;
	uint32_t pid;
	struct ais_cpg_name group;
};

struct cpg_engine_state {
	const struct ais_api *api;
	qb_map_t *groups;               /**< key -> struct cpg_group */
	struct qb_list_head conns;      /**< struct cpg_conn */
	size_t n_local;                 /**< members with nodeid == this node, plus this node's
	                                     PROCJOINs not yet delivered back (bounded by
	                                     CPG_JOINLIST_MAX, so the JOINLIST always fits) */
	struct qb_list_head pending_leaves;
	bool leave_timer_armed;
	uint64_t leave_timer;

	/* sync */
	bool sync_active;
	struct ais_ring_id sync_ring;
	struct qb_list_head jl_nodes;   /**< struct cpg_jl_node */
	bool jl_sent;

	/* last regular configuration (dump) */
	struct ais_ring_id ring;
	size_t ring_members;
	/** a regular configuration not yet announced to clients (at activate) */
	bool ring_unannounced;

	/* counters (dump) */
	uint64_t drop_bad_frame;
	uint64_t drop_unknown_sender;
	uint64_t slow_consumer_disconnects;
};

extern struct cpg_engine_state cpg_state;

/* cpg.c: the engine the daemon registers */
extern const struct ais_service_engine ais_cpg_engine;

/* cpg_group.c */
void cpg_group_key(const struct ais_cpg_name *name, char key[CPG_GROUP_KEY_SIZE]);
struct cpg_group *cpg_group_find(const struct ais_cpg_name *name);
struct cpg_group *cpg_group_get(const struct ais_cpg_name *name);
void cpg_group_put_if_unused(struct cpg_group *g);
struct cpg_member *cpg_group_member_find(struct cpg_group *g, uint32_t nodeid, uint32_t pid);
int cpg_group_member_add(struct cpg_group *g, uint32_t nodeid, uint32_t pid);
void cpg_group_member_remove(struct cpg_group *g, struct cpg_member *m);
int cpg_addr_vec_push(struct cpg_addr_vec *vec, uint32_t nodeid, uint32_t pid, uint32_t reason);
void cpg_addr_vec_free(struct cpg_addr_vec *vec);
void cpg_group_confchg_send(struct cpg_group *g,
                            const struct ais_cpg_address *left, size_t n_left,
                            const struct ais_cpg_address *joined, size_t n_joined);
void cpg_groups_destroy(void);
void cpg_conn_event_send(struct cpg_conn *pd, const struct iovec *iov, size_t iovcnt);
void cpg_conn_totem_confchg_send(struct cpg_conn *pd);
void cpg_conn_totem_event_send(struct cpg_conn *pd, uint32_t type, const struct ais_ring_id *ring,
                               const ais_nodeid_t *members, size_t n);
bool cpg_conn_wants_transitional(const struct cpg_conn *pd);
int cpg_iter_build(struct cpg_conn *pd, uint32_t type, const struct ais_cpg_name *group,
                   struct cpg_iter **ret_iter);
void cpg_iter_free(struct cpg_iter *it);
void cpg_groups_dump(void (*out)(void *ctx, const char *line), void *ctx);

/* cpg_sync.c */
extern const struct ais_sync_ops cpg_sync_ops;
void cpg_sync_note_join(uint32_t nodeid, uint32_t pid, const struct ais_cpg_name *group);
void cpg_sync_note_leave(uint32_t nodeid, uint32_t pid, const struct ais_cpg_name *group);
void cpg_sync_reset(void);
void cpg_exec_joinlist(const void *msg, size_t len, ais_nodeid_t sender);

#endif
