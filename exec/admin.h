/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The executive's side of include/ais/admin.h: the functions behind
 * api->admin (status, membership with addresses, totem and per-engine
 * counters, the fault-injection filter, the blackbox). Implemented in exec/
 * (admin.c or the files that own each piece); engines reach them only
 * through the table.
 */
#ifndef AIS_EXEC_ADMIN_H
#define AIS_EXEC_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ais/admin.h>

/** The table handed to engines as api->admin (admin.c). */
extern const struct ais_admin_api exec_admin_api;

void admin_status_get(struct ais_admin_status *ret);
void admin_local_node_get(struct ais_admin_local_node *ret);
/** Fills up to max members of the current regular configuration; returns count. */
size_t admin_members_get(struct ais_ring_id *ret_ring_id, struct ais_admin_member *ret, size_t max);
void admin_ring_stats_get(struct ais_admin_ring_stats *ret);
void admin_refused_get(struct ais_admin_refused *ret);
/** Returns the number of loaded engines (fills up to max). */
size_t admin_service_stats_get(struct ais_admin_service_stats *ret, size_t max);

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
