/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the clm engine offers other built-in engines (AMF needs node
 * membership): read the current node table, and be called after each
 * membership change once sync has activated. Everything runs in the
 * daemon's main loop; none of these may be called from another thread.
 */
#ifndef AIS_SERVICES_CLM_H
#define AIS_SERVICES_CLM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ais/ipc_clm.h>

/** One node of the table (strings NUL-terminated). */
struct clm_node_info {
	uint32_t nodeid;
	char name[AIS_CLM_NAME_MAX + 1];
	char address[AIS_CLM_ADDRESS_MAX + 1];
	uint32_t family;          /**< AIS_CLM_AF_INET or AIS_CLM_AF_INET6 */
	bool member;
	int64_t boot_timestamp;   /**< ns since the epoch: when its executive started */
	uint64_t initial_view;
};

/** A node and what happened to it in a view (AIS_CLM_NO_CHANGE/JOINED/LEFT). */
struct clm_node_change {
	struct clm_node_info node;
	uint32_t change;
};

/**
 * Copy up to max members of the current view (by node id) into ret and
 * return the member count (may be > max); *ret_view (may be NULL) gets the
 * view number. Before the first view: 0 nodes, view 0.
 */
size_t clm_nodes_get(struct clm_node_info *ret, size_t max, uint64_t *ret_view);

/**
 * Called after a membership change: the new view number, its member count,
 * and every node with its change (members NO_CHANGE or JOINED, then the
 * nodes that LEFT). changes is valid during the call only. The clm table
 * already shows the new view.
 */
typedef void (*clm_listener_fn)(void *ctx, uint64_t view, size_t n_members,
                                const struct clm_node_change *changes, size_t n_changes);

#define CLM_LISTENERS_MAX 8

/** 0, -EEXIST (same fn and ctx), -ENOSPC (CLM_LISTENERS_MAX reached). */
int clm_listener_add(clm_listener_fn fn, void *ctx);
/** 0 or -ENOENT. */
int clm_listener_del(clm_listener_fn fn, void *ctx);

#endif
