/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The transport's fault-injection filter (DESIGN section 8): drop a
 * percentage of frames (optionally only to/from some nodes), drop a
 * percentage of the message frames this node receives while every other
 * frame passes (fail-to-receive), cut this node off from everyone outside
 * its partition group, duplicate or delay frames. The filter only decides;
 * exec/net.c applies the verdict on send and on receive, and tells the
 * filter on receive whether a frame is a message. It is compiled into every
 * build and refuses every change (-EPERM) unless the configuration allowed
 * it (totem { fault_injection: on }).
 */
#ifndef AIS_EXEC_FAULT_H
#define AIS_EXEC_FAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAULT_NODES_MAX 64

enum fault_verdict {
	FAULT_PASS = 0,
	FAULT_DROP = 1,
	FAULT_DUPLICATE = 2, /**< pass it, and once more */
	FAULT_DELAY = 3,     /**< pass it after fault_filter.delay_ms */
};

/** What the filter knows of a received frame (the transport reads the
 *  totem header). */
enum fault_frame {
	FAULT_FRAME_OTHER = 0, /**< token, JOIN, commit token, merge detect, ... */
	FAULT_FRAME_MCAST = 1, /**< a message, first sent or retransmitted */
};

struct fault_stats {
	uint64_t dropped;
	uint64_t duplicated;
	uint64_t delayed;
};

struct fault_filter {
	bool allowed;                 /**< from the configuration */
	uint32_t self;                /**< this node id */
	uint32_t drop_percent;        /**< 0..100 */
	size_t n_drop_nodes;          /**< 0: drop_percent applies to every peer */
	uint32_t drop_nodes[FAULT_NODES_MAX];
	uint32_t mcast_drop_percent;  /**< 0..100 of the messages this node receives */
	bool partitioned;
	size_t n_group;               /**< nodes this node still talks to */
	uint32_t group[FAULT_NODES_MAX];
	uint32_t dup_percent;
	uint32_t delay_percent;
	uint32_t delay_ms;
	uint64_t rng;                 /**< xorshift state, never 0 */
	struct fault_stats stats;
};

/** Set up an inactive filter; allowed comes from the configuration. */
void fault_filter_init(struct fault_filter *f, uint32_t self, bool allowed, uint64_t seed);

/** True when some rule is set (the fast path skips the filter otherwise). */
bool fault_filter_active(const struct fault_filter *f);

/**
 * Verdict for one frame to (send) or from (receive) peer; peer 0 means "to
 * every node" (an IP multicast send), which partitions cannot judge: they
 * apply on receive only then.
 */
enum fault_verdict fault_filter_decide(struct fault_filter *f, uint32_t peer);

/**
 * Verdict for one frame received from peer: the message-frame rule
 * (fault_filter_mcast_drop_set()) for a FAULT_FRAME_MCAST, then
 * fault_filter_decide().
 */
enum fault_verdict fault_filter_decide_recv(struct fault_filter *f, uint32_t peer, enum fault_frame frame);

/** Drop percent of frames to/from nodes (all peers when n_nodes is 0).
 *  0, -EPERM, -EINVAL (percent > 100, too many nodes, node 0). */
int fault_filter_drop_set(struct fault_filter *f, uint32_t percent, const uint32_t *nodes, size_t n_nodes);

/** Drop percent of the message frames this node receives if it is one of
 *  nodes (every node when n_nodes is 0); tokens and membership frames pass.
 *  On any other node the rule is removed. 0, -EPERM, -EINVAL (percent > 100,
 *  too many nodes, node 0). */
int fault_filter_mcast_drop_set(struct fault_filter *f, uint32_t percent, const uint32_t *nodes,
				size_t n_nodes);

/** Split the cluster into two groups; this node keeps talking only to the
 *  group it is in. 0, -EPERM, -EINVAL (self in neither or both, too many). */
int fault_filter_partition_set(struct fault_filter *f, const uint32_t *a, size_t n_a,
			       const uint32_t *b, size_t n_b);

/** Duplicate percent of frames. 0, -EPERM, -EINVAL. */
int fault_filter_duplicate_set(struct fault_filter *f, uint32_t percent);

/** Delay percent of frames by ms (ms <= 10000). 0, -EPERM, -EINVAL. */
int fault_filter_delay_set(struct fault_filter *f, uint32_t percent, uint32_t ms);

/** Remove the partition, keep the other rules. 0 or -EPERM. */
int fault_filter_heal(struct fault_filter *f);

/** Remove every rule. 0 or -EPERM. */
int fault_filter_clear(struct fault_filter *f);

#endif
