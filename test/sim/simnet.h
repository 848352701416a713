/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Simulated network and clock in virtual time: one binary-heap event queue of
 * timers and datagram arrivals, a seeded random generator, and a datagram
 * model with loss, duplication, reordering, delay with jitter and
 * partitions. Everything is single-threaded and deterministic: the same seed
 * and the same calls replay the same run, independent of addresses and of
 * the wall clock.
 */
#ifndef AIS_SIM_SIMNET_H
#define AIS_SIM_SIMNET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Largest node id (node ids are 1..SIMNET_NODES_MAX). */
#define SIMNET_NODES_MAX 64

typedef struct simnet simnet_t;
typedef void (*simnet_fn)(void *data);
/** A datagram from node `from` arrives at the node it was attached with. */
typedef void (*simnet_recv_fn)(void *ctx, uint32_t from, const void *buf, size_t len);

struct simnet_params {
	uint32_t loss_ppm;     /**< per datagram copy, parts per million */
	uint32_t dup_ppm;      /**< chance a copy is delivered twice */
	uint32_t reorder_ppm;  /**< chance a copy gets an extra delay */
	uint32_t delay_us;     /**< base one-way delay (>= 1) */
	uint32_t jitter_us;    /**< uniform 0..jitter added */
	uint32_t reorder_us;   /**< extra delay of a reordered copy, uniform 0..this */
};

struct simnet_stats {
	uint64_t events;       /**< events run */
	uint64_t sent;         /**< datagram copies offered to the network */
	uint64_t delivered;    /**< copies handed to a receiver */
	uint64_t lost;         /**< dropped by the loss rate */
	uint64_t duplicated;
	uint64_t reordered;
	uint64_t cut;          /**< dropped by a partition */
	uint64_t unreachable;  /**< receiver down at arrival */
	uint64_t stray_timers; /**< timers of a detached node that still fired */
	uint64_t filtered;     /**< dropped by the filter (simnet_filter_set) */
};

/** True to drop this datagram copy (a targeted fault, e.g. one frame type). */
typedef bool (*simnet_filter_fn)(void *ctx, uint32_t from, uint32_t to, const void *buf, size_t len);

/** NULL on out-of-memory or bad parameters (n_nodes 1..SIMNET_NODES_MAX). */
simnet_t *simnet_create(uint64_t seed, uint32_t n_nodes, const struct simnet_params *params);
/** Free everything, pending events included. Accepts NULL; returns NULL. */
simnet_t *simnet_destroy(simnet_t *net);

/** Consult fn for every datagram copy (NULL: no filter). */
void simnet_filter_set(simnet_t *net, simnet_filter_fn fn, void *ctx);

/** Change the fault model (e.g. a fault-free tail). */
void simnet_params_set(simnet_t *net, const struct simnet_params *params);

uint64_t simnet_now(const simnet_t *net);
/** The node whose timer or datagram is being handled (0 outside one). */
uint32_t simnet_current(const simnet_t *net);
uint64_t simnet_random(simnet_t *net);
/** Uniform in [0, n); n > 0. */
uint64_t simnet_random_below(simnet_t *net, uint64_t n);
/** True with probability ppm / 1e6. */
bool simnet_chance(simnet_t *net, uint32_t ppm);

/**
 * Attach a receiver to node id (1..n_nodes). A node's timers belong to the
 * attachment they were added under: once it detaches, any of them that was
 * not deleted is counted as stray and never fires. 0 or -EINVAL/-EBUSY.
 */
int simnet_attach(simnet_t *net, uint32_t nodeid, simnet_recv_fn fn, void *ctx);
void simnet_detach(simnet_t *net, uint32_t nodeid);
bool simnet_attached(const simnet_t *net, uint32_t nodeid);

/** Partition: datagrams only pass between nodes of the same group (all
 *  nodes start in group 0). Checked at sending and at arrival. */
void simnet_group_set(simnet_t *net, uint32_t nodeid, uint32_t group);
uint32_t simnet_group(const simnet_t *net, uint32_t nodeid);

/**
 * One-shot timer after delay_us. owner is a node id (the timer belongs to
 * its current attachment) or 0 for the simulation itself. Writes a non-zero
 * handle. 0 or -ENOMEM.
 */
int simnet_timer_add(simnet_t *net, uint32_t owner, uint64_t delay_us, simnet_fn fn, void *data,
                     uint64_t *ret_handle);
/** Cancel; 0 or an expired handle is ignored. */
void simnet_timer_del(simnet_t *net, uint64_t handle);

/** Send a datagram from `from` to `to`, or to every other node when to is
 *  0. The buffer is copied. 0 or -ENOMEM/-EINVAL. */
int simnet_send(simnet_t *net, uint32_t from, uint32_t to, const void *buf, size_t len);

/** Run every event due at or before until_us, then set the clock to it. */
void simnet_run_until(simnet_t *net, uint64_t until_us);
/**
 * Like simnet_run_until() but stop after max_events (0 = no limit), leaving
 * the clock at the last event run. Returns the number of events run, so a
 * caller can tell a storm of events (a livelock) from a normal slice.
 */
uint64_t simnet_run(simnet_t *net, uint64_t until_us, uint64_t max_events);
/** Events waiting. */
size_t simnet_pending(const simnet_t *net);

void simnet_stats_get(const simnet_t *net, struct simnet_stats *ret_stats);

#endif
