/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Event-id reservation (see evt_idres.h).
 */
#include "config.h"

#include <errno.h>

#include <ais/ipc_evt.h>

#include "evt_idres.h"

void evt_idres_init(struct evt_idres *r, uint64_t stored, uint64_t *ret_store)
{
	r->next = stored < AIS_EVT_EVENTID_FIRST ? AIS_EVT_EVENTID_FIRST : stored;
	r->durable = r->next;
	r->requested = r->next + EVT_IDRES_BLOCK;
	*ret_store = r->requested;
}

int evt_idres_take(struct evt_idres *r, uint64_t durable, uint64_t *ret_counter, uint64_t *ret_store)
{
	*ret_store = 0;
	if (durable > r->durable)
		r->durable = durable;
	/* keep half a block ahead, so the disk is rarely waited for */
	if (r->next + EVT_IDRES_BLOCK / 2 >= r->requested) {
		r->requested = r->next + EVT_IDRES_BLOCK;
		*ret_store = r->requested;
	}
	if (r->next >= r->durable || r->next >= EVT_IDRES_COUNTER_LIMIT)
		return -EAGAIN;
	*ret_counter = r->next++;
	return 0;
}

uint64_t evt_idres_retry(struct evt_idres *r)
{
	return ++r->requested;
}
