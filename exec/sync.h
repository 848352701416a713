/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * State synchronisation after a configuration change (REFERENCE 2.2,
 * Corosync's sync v2):
 *
 *   REGULAR confchg -> every node multicasts the ids of its services that
 *   have sync ops, tagged with the ring id -> once a list from every member
 *   is delivered, each local service's sync.init() runs (id order) -> for
 *   each id of the union in turn: sync.process() until it returns 0, then a
 *   BARRIER tagged with the ring id and the service id; when barriers of all
 *   members are delivered, sync.activate() and the next service -> after the
 *   last, "sync complete" and sync_in_progress() turns false.
 *
 * Every confchg (transitional too) sets sync_in_progress() and aborts a run:
 * sync.abort() is called on every service whose init ran and that has not
 * activated yet (the current one and those queued after it, which hold
 * partial state from init). Messages tagged with another ring id are stale
 * and ignored. Services known to other members but not here take part with
 * an empty process step, so barrier counting lines up everywhere.
 *
 * Sync messages are exec messages of the reserved service id
 * SYNC_SERVICE_ID (31), which no engine may use.
 *
 * The state machine talks to its host through sync_host_ops only, so it runs
 * unchanged inside a unit test.
 */
#ifndef AIS_EXEC_SYNC_H
#define AIS_EXEC_SYNC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ais/service.h>

#define SYNC_SERVICE_ID 31
#define SYNC_FN_SERVICELIST 0
#define SYNC_FN_BARRIER 1
#define SYNC_MEMBERS_MAX 64

struct sync;

struct sync_host_ops {
	/** Multicast in agreed order: 0, or -EAGAIN/-errno (sync retries). */
	int (*mcast)(void *ctx, const void *msg, size_t len);
	/** Call sync_run() after delay_ms (0: from the next loop iteration). */
	void (*schedule)(void *ctx, uint32_t delay_ms);
	/** The local engine with that id, or NULL. */
	const struct ais_service_engine *(*engine_get)(void *ctx, uint16_t id);
	/** Sync finished for ring_id (may be NULL). */
	void (*completed)(void *ctx, const struct ais_ring_id *ring_id);
};

enum sync_state {
	SYNC_STATE_IDLE = 0,          /**< nothing running (maybe waiting for a regular confchg) */
	SYNC_STATE_SERVICELIST = 1,   /**< collecting service lists */
	SYNC_STATE_PROCESS = 2,       /**< running process() of the current service */
	SYNC_STATE_BARRIER = 3,       /**< barrier sent, waiting for the others' */
};

struct sync_stats {
	uint64_t runs_started;
	uint64_t runs_completed;
	uint64_t runs_aborted;
	uint64_t msgs_bad;     /**< failed to decode */
	uint64_t msgs_stale;   /**< other ring id, not a member, wrong phase */
};

struct sync *sync_create(const struct sync_host_ops *ops, void *ctx);
struct sync *sync_destroy(struct sync *s);

/** Every configuration change, in delivery order. members sorted or not. */
void sync_confchg(struct sync *s, enum ais_confchg_type type, const ais_nodeid_t *members,
		  size_t n_members, const struct ais_ring_id *ring_id);

/** A delivered exec message of SYNC_SERVICE_ID (header included). */
void sync_deliver(struct sync *s, const void *msg, size_t len, ais_nodeid_t sender);

/** The scheduled step: send the service list, run process(), send barriers. */
void sync_run(struct sync *s);

bool sync_in_progress(const struct sync *s);

/**
 * True while a service's sync.process() runs: what it multicasts then is
 * sync traffic, which the host sends in pg's priority lane (pg_mcast_prio),
 * as it does the service lists and barriers of sync_host_ops.mcast. The
 * host holds pg's normal lane from every confchg until sync completes
 * (sync_host_ops.completed), so application traffic never delays sync and
 * is delivered only after it, at every member.
 */
bool sync_in_process_step(const struct sync *s);
enum sync_state sync_state_get(const struct sync *s);
/** Id of the service being synchronised (valid in PROCESS/BARRIER). */
uint16_t sync_current_service(const struct sync *s);
void sync_stats_get(const struct sync *s, struct sync_stats *ret);

#endif
