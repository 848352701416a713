/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Delivery queue of one evt connection (the flow control at the top of
 * include/ais/ipc_evt.h), as a pure module the engine drives and a unit test
 * can drive alone:
 *
 *  - four FIFO queues, one per priority (0 highest), holding together at
 *    most AIS_EVT_QUEUE_MAX events and AIS_EVT_QUEUE_MAX_BYTES bytes: a push
 *    beyond either bound drops the new event (counted in lost) and opens an
 *    overflow episode;
 *  - evt_dq_next() hands out the highest-priority event while fewer than
 *    AIS_EVT_WINDOW are in flight (sent, not credited); evt_dq_credit()
 *    gives credit back, never below zero in flight;
 *  - once an episode is open and the queue is down to AIS_EVT_QUEUE_RESUME
 *    events, evt_dq_next() hands out exactly one lost-event notice before
 *    any queued event, which closes the episode. It names the subscription
 *    (open id, sub id) whose event was the first one dropped in the episode.
 *
 * Items are the caller's: the queue links them and hands them back; the
 * caller frees what evt_dq_push() refused, what evt_dq_next() returned once
 * sent, and what evt_dq_drop_if() removes (through the free function).
 */
#ifndef AIS_SERVICES_EVT_DQ_H
#define AIS_SERVICES_EVT_DQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <qb/qblist.h>

#define EVT_DQ_PRIORITIES 4

struct evt_dq_item {
	struct qb_list_head list;
	uint32_t priority; /**< 0..3; values above are treated as 3 */
	uint32_t open_id;
	uint32_t sub_id;
	size_t bytes;      /**< what the delivery weighs (counted against the byte bound) */
	void *data;        /**< the caller's */
};

struct evt_dq {
	struct qb_list_head q[EVT_DQ_PRIORITIES];
	size_t count;
	size_t bytes;
	size_t in_flight;
	bool overflow;        /**< an episode is open: a notice is owed */
	uint32_t lost_open_id;
	uint32_t lost_sub_id;
	uint64_t lost;        /**< events dropped, all episodes */
	uint64_t sent;        /**< events and notices handed out */
	uint64_t episodes;    /**< notices handed out */
};

enum evt_dq_next_kind {
	EVT_DQ_NONE = 0,  /**< nothing to send now (empty, or the window is full) */
	EVT_DQ_EVENT = 1, /**< *ret_item is the next event */
	EVT_DQ_LOST = 2,  /**< send a lost-event notice for (*ret_open_id, *ret_sub_id) */
};

void evt_dq_init(struct evt_dq *dq);

/** Queue it; 0, or -ENOBUFS when it was dropped (the caller frees it). */
int evt_dq_push(struct evt_dq *dq, struct evt_dq_item *it);

/** What to send next; counts it in flight. */
enum evt_dq_next_kind evt_dq_next(struct evt_dq *dq, struct evt_dq_item **ret_item,
                                  uint32_t *ret_open_id, uint32_t *ret_sub_id);

/** Undo the last evt_dq_next() that returned an event: put it back at the head. */
void evt_dq_unnext(struct evt_dq *dq, struct evt_dq_item *it);

/** The client returned count credits; more than in flight is ignored. */
void evt_dq_credit(struct evt_dq *dq, uint32_t count);

/** Remove (and free with free_fn) every queued item for which match() is true. */
size_t evt_dq_drop_if(struct evt_dq *dq, bool (*match)(const struct evt_dq_item *it, void *ctx),
                      void *ctx, void (*free_fn)(struct evt_dq_item *it));

/** Remove and free every queued item. */
void evt_dq_flush(struct evt_dq *dq, void (*free_fn)(struct evt_dq_item *it));

#endif
