/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the admin engine (services/cfg.c, service id 0) may ask of the
 * executive beyond include/ais/service.h: totem statistics, membership with
 * addresses, per-engine counters, the fault-injection filter, the blackbox.
 * Only the built-in cfg engine includes this header; plugins cannot.
 * Implemented in exec/ (admin.c or the files that own each piece).
 */
#ifndef AIS_EXEC_ADMIN_H
#define AIS_EXEC_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "totem/srp.h"

struct admin_member {
	uint32_t nodeid;
	char address[64];   /**< ring0_addr as configured, "" when unknown */
	char name[64];      /**< node name ("n1"...) or the address */
};

struct admin_status {
	uint32_t nodeid;
	char instance[32];
	char cluster_name[64];
	char transport[8];             /**< "udpu" | "udp" */
	enum srp_state state;
	struct totem_ring_id ring_id;
	uint32_t member_count;
	bool sync_in_progress;
	uint64_t uptime_ms;
	int pid;
};

struct admin_service_stats {
	char name[16];
	uint16_t id;
	uint32_t connections;
	uint64_t lib_requests;
	uint64_t lib_errors;        /**< refused by the router or failed in a handler */
	uint64_t exec_messages;
	uint64_t exec_dropped;      /**< failed length checks */
	uint64_t events_queued;     /**< events currently waiting in client queues */
	uint64_t events_dropped;    /**< refused with -ENOBUFS */
};

/** This node as the nodelist describes it (for the clm engine). */
struct admin_local_node {
	uint32_t nodeid;
	char name[64];      /**< the nodelist entry's name, "" when not configured */
	char address[64];   /**< ring0_addr of the entry, else the bind address; "" when unknown */
	int family;         /**< AF_INET, AF_INET6, or AF_UNSPEC when unknown */
};

void admin_status_get(struct admin_status *ret);
void admin_local_node_get(struct admin_local_node *ret);
/** Fills up to max members of the current regular configuration; returns count. */
size_t admin_members_get(struct totem_ring_id *ret_ring_id, struct admin_member *ret, size_t max);
void admin_ring_stats_get(struct srp_stats *ret);
/** Frames the transport refused, by reason (zeros before it exists). */
struct admin_refused {
	uint64_t auth_failed, bad_header, foreign_cluster, unknown_node, implausible;
	uint64_t replayed;           /* secauth: a frame sent again */
	/* what the fault filter did (aistool fault) */
	uint64_t fault_dropped, fault_duplicated, fault_delayed;
};
void admin_refused_get(struct admin_refused *ret);
/** Returns the number of loaded engines (fills up to max). */
size_t admin_service_stats_get(struct admin_service_stats *ret, size_t max);

/** Fault filter (DESIGN section 8). All return -EPERM unless the config
 *  says totem { fault_injection: on }. */
int admin_fault_drop(uint32_t percent, const uint32_t *nodes, size_t n_nodes);
/** Drop percent (0..100) of the message frames received here if this node is
 *  one of nodes (every node when n_nodes is 0); other frames pass. */
int admin_fault_drop_mcast(uint32_t percent, const uint32_t *nodes, size_t n_nodes);
/** Partition: groups of node ids; this node only talks to its own group. */
int admin_fault_partition(const uint32_t *group_a, size_t n_a, const uint32_t *group_b, size_t n_b);
/** Duplicate percent (0..100) of frames sent and received. */
int admin_fault_duplicate(uint32_t percent);
/** Delay percent (0..100) of frames by ms (1..10000) milliseconds. */
int admin_fault_delay(uint32_t percent, uint32_t ms);
/** Remove the partition only. */
int admin_fault_heal(void);
int admin_fault_clear(void);
bool admin_fault_enabled(void);

/** Write the libqb blackbox to a file in the run dir; returns the path length
 *  written into ret_path, or -errno. */
int admin_blackbox_dump(char *ret_path, size_t len);

#endif
