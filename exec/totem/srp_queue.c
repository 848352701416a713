/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Queues of the Totem SRP instance: the per-ring sort queue (a fixed ring of
 * SRP_QUEUE_SLOTS indexed by seq, holding every message of the ring until it
 * is delivered here and known to be held everywhere: Totem TOCS 1995 sec. 3,
 * Corosync's regular_sort_queue), the bounded send queues (application
 * frames and recovery frames) and small sorted node-id set helpers used by
 * membership. No protocol decisions are made here.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ais/inject.h>

#include "srp_int.h"

int srp_ring_init(struct srp_ring *r, const struct totem_ring_id *ring_id,
                  const totem_nodeid_t *members, size_t n_members, uint32_t seq_start)
{
	struct srp_msg *slots = ais_calloc(SRP_QUEUE_SLOTS, sizeof(*slots));

	if (slots == NULL) {
		return -ENOMEM;
	}
	memset(r, 0, sizeof(*r));
	r->slots = slots;
	r->ring_id = *ring_id;
	if (n_members > TOTEM_PROCESSORS_MAX) {
		n_members = TOTEM_PROCESSORS_MAX;
	}
	memcpy(r->members, members, n_members * sizeof(*members));
	r->n_members = n_members;
	r->base = seq_start;
	r->aru = seq_start;
	r->high_seq = seq_start;
	r->high_delivered = seq_start;
	r->safe_aru = seq_start;
	return 0;
}

void srp_ring_free(struct srp_ring *r)
{
	if (r->slots != NULL) {
		/* every stored message lies in (base, high_seq], within one window */
		for (uint32_t s = r->base + 1U; seq_le(s, r->high_seq); s++) {
			free(r->slots[s & (SRP_QUEUE_SLOTS - 1U)].data);
		}
		free(r->slots);
	}
	memset(r, 0, sizeof(*r));
}

bool srp_ring_fits(const struct srp_ring *r, uint32_t seq)
{
	return r->slots != NULL && seq_gt(seq, r->base) && (uint32_t)(seq - r->base) < SRP_QUEUE_SLOTS;
}

struct srp_msg *srp_ring_slot(struct srp_ring *r, uint32_t seq)
{
	if (!srp_ring_fits(r, seq)) {
		return NULL;
	}
	struct srp_msg *m = &r->slots[seq & (SRP_QUEUE_SLOTS - 1U)];

	if (m->seq != seq) {
		/* a slot left over from seq - k * SLOTS (freed): reuse it */
		free(m->data);
		memset(m, 0, sizeof(*m));
		m->seq = seq;
	}
	return m;
}

struct srp_msg *srp_ring_get(struct srp_ring *r, uint32_t seq)
{
	if (!srp_ring_fits(r, seq)) {
		return NULL;
	}
	struct srp_msg *m = &r->slots[seq & (SRP_QUEUE_SLOTS - 1U)];

	return (m->present && m->seq == seq) ? m : NULL;
}

int srp_ring_store(struct srp_ring *r, uint32_t seq, totem_nodeid_t sender, uint8_t guarantee,
                   uint8_t encapsulated, const void *data, uint32_t len)
{
	struct srp_msg *m = srp_ring_slot(r, seq);
	uint8_t *copy;

	if (m == NULL || m->present) {
		return 0;
	}
	copy = ais_malloc(len > 0 ? len : 1);
	if (copy == NULL) {
		return -ENOMEM;
	}
	if (len > 0) {
		memcpy(copy, data, len);
	}
	m->data = copy;
	m->len = len;
	m->sender = sender;
	m->guarantee = guarantee;
	m->encapsulated = encapsulated;
	m->present = 1;
	m->miss = 0;
	if (seq_gt(seq, r->high_seq)) {
		r->high_seq = seq;
	}
	while (srp_ring_get(r, r->aru + 1U) != NULL) {
		r->aru++;
	}
	return 1;
}

void srp_ring_gc(struct srp_ring *r, uint32_t upto)
{
	if (r->slots == NULL) {
		return;
	}
	while (seq_lt(r->base, upto)) {
		struct srp_msg *m = &r->slots[(r->base + 1U) & (SRP_QUEUE_SLOTS - 1U)];

		free(m->data);
		memset(m, 0, sizeof(*m));
		r->base++;
	}
}

int srp_sendq_init(struct srp_sendq *q, uint32_t cap)
{
	memset(q, 0, sizeof(*q));
	q->items = ais_calloc(cap > 0 ? cap : 1, sizeof(*q->items));
	if (q->items == NULL) {
		return -ENOMEM;
	}
	q->cap = cap;
	return 0;
}

void srp_sendq_clear(struct srp_sendq *q)
{
	while (q->count > 0) {
		srp_sendq_pop(q);
	}
	q->head = 0;
}

void srp_sendq_free(struct srp_sendq *q)
{
	if (q->items != NULL) {
		srp_sendq_clear(q);
		free(q->items);
	}
	memset(q, 0, sizeof(*q));
}

int srp_sendq_push(struct srp_sendq *q, const void *data, uint32_t len, uint8_t guarantee)
{
	struct srp_sendq_item *it;
	uint8_t *copy;

	if (q->count >= q->cap) {
		return -EAGAIN;
	}
	copy = ais_malloc(len > 0 ? len : 1);
	if (copy == NULL) {
		return -ENOMEM;
	}
	if (len > 0) {
		memcpy(copy, data, len);
	}
	it = &q->items[(q->head + q->count) % q->cap];
	it->data = copy;
	it->len = len;
	it->guarantee = guarantee;
	q->count++;
	return 0;
}

struct srp_sendq_item *srp_sendq_peek(struct srp_sendq *q)
{
	return q->count > 0 ? &q->items[q->head] : NULL;
}

void srp_sendq_pop(struct srp_sendq *q)
{
	if (q->count == 0) {
		return;
	}
	free(q->items[q->head].data);
	q->items[q->head].data = NULL;
	q->head = (q->head + 1U) % q->cap;
	q->count--;
}

bool srp_set_has(const totem_nodeid_t *set, size_t n, totem_nodeid_t id)
{
	for (size_t i = 0; i < n; i++) {
		if (set[i] == id) {
			return true;
		}
	}
	return false;
}

/* Sorted insert; false when present already or full. */
bool srp_set_add(totem_nodeid_t *set, size_t *n, totem_nodeid_t id)
{
	size_t i;

	if (id == 0 || srp_set_has(set, *n, id) || *n >= TOTEM_PROCESSORS_MAX) {
		return false;
	}
	for (i = *n; i > 0 && set[i - 1] > id; i--) {
		set[i] = set[i - 1];
	}
	set[i] = id;
	(*n)++;
	return true;
}

void srp_set_remove(totem_nodeid_t *set, size_t *n, totem_nodeid_t id)
{
	for (size_t i = 0; i < *n; i++) {
		if (set[i] == id) {
			memmove(&set[i], &set[i + 1], (*n - i - 1) * sizeof(*set));
			(*n)--;
			return;
		}
	}
}

bool srp_set_equal(const totem_nodeid_t *a, size_t na, const totem_nodeid_t *b, size_t nb)
{
	return na == nb && (na == 0 || memcmp(a, b, na * sizeof(*a)) == 0);
}

/* Is a a subset of b? */
bool srp_set_subset(const totem_nodeid_t *a, size_t na, const totem_nodeid_t *b, size_t nb)
{
	for (size_t i = 0; i < na; i++) {
		if (!srp_set_has(b, nb, a[i])) {
			return false;
		}
	}
	return true;
}

size_t srp_set_format(const totem_nodeid_t *set, size_t n, char *buf, size_t buflen)
{
	size_t off = 0;

	if (buflen == 0) {
		return 0;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < n && off < buflen; i++) {
		int w = snprintf(buf + off, buflen - off, "%s%u", i > 0 ? " " : "", set[i]);

		if (w < 0) {
			break;
		}
		off += (size_t)w;
	}
	return off < buflen ? off : buflen - 1;
}
