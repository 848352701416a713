/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Event ids of the evt engine: id = ((nodeid & 0xffffff) << 40) | counter,
 * counter >= AIS_EVT_EVENTID_FIRST, 40 bits. So an id is never handed out
 * twice, not even across restarts, the counter's high-water mark is
 * reserved on disk ahead of use in blocks of EVT_IDRES_BLOCK: the value R
 * on disk means "counters below R may have been used"; a restarted engine
 * starts at R. An id is handed out only while it is below the reservation
 * the disk writer reports durable. Pure logic: the engine feeds in what the
 * writer (exec/ringseq.c) reports and hands on what to store.
 */
#ifndef AIS_SERVICES_EVT_IDRES_H
#define AIS_SERVICES_EVT_IDRES_H

#include <stdint.h>

#define EVT_IDRES_BLOCK ((uint64_t)1 << 20)
#define EVT_IDRES_COUNTER_BITS 40
#define EVT_IDRES_COUNTER_LIMIT ((uint64_t)1 << EVT_IDRES_COUNTER_BITS)

struct evt_idres {
	uint64_t next;      /**< next counter to hand out */
	uint64_t requested; /**< highest reservation handed to the writer */
	uint64_t durable;   /**< highest reservation known to be on disk */
};

/** Start from the stored reservation; *ret_store: the first reservation to write. */
void evt_idres_init(struct evt_idres *r, uint64_t stored, uint64_t *ret_store);

/**
 * Take the next counter. durable: what the writer reports on disk now.
 * Returns 0 with *ret_counter, or -EAGAIN when the counter has reached the
 * durable reservation (or the 40-bit limit). *ret_store is a reservation
 * to hand to the writer now, or 0.
 */
int evt_idres_take(struct evt_idres *r, uint64_t durable, uint64_t *ret_counter, uint64_t *ret_store);

/** Ask for a reservation again (after a failed write): the value to store. */
uint64_t evt_idres_retry(struct evt_idres *r);

/** The event id of counter on node nodeid. */
static inline uint64_t evt_idres_event_id(uint32_t nodeid, uint64_t counter)
{
	return ((uint64_t)(nodeid & 0xffffffu) << EVT_IDRES_COUNTER_BITS) |
	       (counter & (EVT_IDRES_COUNTER_LIMIT - 1));
}

#endif
