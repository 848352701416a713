/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Delivery queue of one evt connection (see evt_dq.h).
 */
#include "config.h"

#include <errno.h>

#include <ais/ipc_evt.h>

#include "evt_dq.h"

void evt_dq_init(struct evt_dq *dq)
{
	for (size_t i = 0; i < EVT_DQ_PRIORITIES; i++)
		qb_list_init(&dq->q[i]);
	dq->count = 0;
	dq->bytes = 0;
	dq->in_flight = 0;
	dq->overflow = false;
	dq->lost_open_id = 0;
	dq->lost_sub_id = 0;
	dq->lost = 0;
	dq->sent = 0;
	dq->episodes = 0;
}

static uint32_t evt_dq_prio(const struct evt_dq_item *it)
{
	return it->priority < EVT_DQ_PRIORITIES ? it->priority : EVT_DQ_PRIORITIES - 1;
}

int evt_dq_push(struct evt_dq *dq, struct evt_dq_item *it)
{
	if (dq->count >= AIS_EVT_QUEUE_MAX || it->bytes > AIS_EVT_QUEUE_MAX_BYTES ||
	    dq->bytes > AIS_EVT_QUEUE_MAX_BYTES - it->bytes) {
		if (!dq->overflow) {
			dq->overflow = true;
			dq->lost_open_id = it->open_id;
			dq->lost_sub_id = it->sub_id;
		}
		dq->lost++;
		return -ENOBUFS;
	}
	qb_list_add_tail(&it->list, &dq->q[evt_dq_prio(it)]);
	dq->count++;
	dq->bytes += it->bytes;
	return 0;
}

enum evt_dq_next_kind evt_dq_next(struct evt_dq *dq, struct evt_dq_item **ret_item,
                                  uint32_t *ret_open_id, uint32_t *ret_sub_id)
{
	if (dq->in_flight >= AIS_EVT_WINDOW)
		return EVT_DQ_NONE;
	if (dq->overflow && dq->count <= AIS_EVT_QUEUE_RESUME) {
		dq->overflow = false;
		dq->in_flight++;
		dq->sent++;
		dq->episodes++;
		*ret_open_id = dq->lost_open_id;
		*ret_sub_id = dq->lost_sub_id;
		return EVT_DQ_LOST;
	}
	for (size_t i = 0; i < EVT_DQ_PRIORITIES; i++) {
		struct evt_dq_item *it;

		if (qb_list_empty(&dq->q[i]))
			continue;
		it = qb_list_first_entry(&dq->q[i], struct evt_dq_item, list);
		qb_list_del(&it->list);
		dq->count--;
		dq->bytes -= it->bytes;
		dq->in_flight++;
		dq->sent++;
		*ret_item = it;
		return EVT_DQ_EVENT;
	}
	return EVT_DQ_NONE;
}

void evt_dq_unnext(struct evt_dq *dq, struct evt_dq_item *it)
{
	qb_list_add(&it->list, &dq->q[evt_dq_prio(it)]);
	dq->count++;
	dq->bytes += it->bytes;
	if (dq->in_flight > 0)
		dq->in_flight--;
	if (dq->sent > 0)
		dq->sent--;
}

void evt_dq_credit(struct evt_dq *dq, uint32_t count)
{
	dq->in_flight = count >= dq->in_flight ? 0 : dq->in_flight - count;
}

size_t evt_dq_drop_if(struct evt_dq *dq, bool (*match)(const struct evt_dq_item *it, void *ctx),
                      void *ctx, void (*free_fn)(struct evt_dq_item *it))
{
	size_t n = 0;

	for (size_t i = 0; i < EVT_DQ_PRIORITIES; i++) {
		struct evt_dq_item *it, *tmp;

		qb_list_for_each_entry_safe(it, tmp, &dq->q[i], list) {
			if (!match(it, ctx))
				continue;
			qb_list_del(&it->list);
			dq->count--;
			dq->bytes -= it->bytes;
			free_fn(it);
			n++;
		}
	}
	return n;
}

static bool evt_dq_match_all(const struct evt_dq_item *it, void *ctx)
{
	(void)it;
	(void)ctx;
	return true;
}

void evt_dq_flush(struct evt_dq *dq, void (*free_fn)(struct evt_dq_item *it))
{
	(void)evt_dq_drop_if(dq, evt_dq_match_all, NULL, free_fn);
	dq->overflow = false;
}
