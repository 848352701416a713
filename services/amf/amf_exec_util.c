/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pure helpers of the AMF executor: the invocation table and the
 * protection group difference (amf_exec_util.h).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "amf_exec_util.h"

struct amf_inv *amf_inv_add(struct amf_inv_table *t, uint64_t owner, int kind, void *data)
{
	struct amf_inv *inv = calloc(1, sizeof(*inv));

	if (!inv)
		return NULL;
	inv->invocation = ++t->last;
	inv->owner = owner;
	inv->kind = kind;
	inv->data = data;
	inv->next = t->head;
	t->head = inv;
	t->n++;
	return inv;
}

struct amf_inv *amf_inv_find(const struct amf_inv_table *t, uint64_t owner, uint64_t invocation)
{
	for (struct amf_inv *inv = t->head; inv; inv = inv->next)
		if (inv->invocation == invocation)
			return inv->owner == owner ? inv : NULL;
	return NULL;
}

void amf_inv_remove(struct amf_inv_table *t, struct amf_inv *inv)
{
	for (struct amf_inv **p = &t->head; *p; p = &(*p)->next) {
		if (*p == inv) {
			*p = inv->next;
			t->n--;
			free(inv);
			return;
		}
	}
}

size_t amf_inv_remove_if(struct amf_inv_table *t, uint64_t owner, bool (*match)(const struct amf_inv *inv, void *ctx),
			 void *ctx)
{
	struct amf_inv **p = &t->head;
	size_t n = 0;

	while (*p) {
		struct amf_inv *inv = *p;

		if ((owner == UINT64_MAX || inv->owner == owner) && (!match || match(inv, ctx))) {
			*p = inv->next;
			t->n--;
			free(inv);
			n++;
		} else {
			p = &inv->next;
		}
	}
	return n;
}

void amf_inv_clear(struct amf_inv_table *t)
{
	amf_inv_remove_if(t, UINT64_MAX, NULL, NULL);
}

static const struct amf_pg_entry *pg_find(const struct amf_pg_entry *v, size_t n, const char *comp)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].comp, comp) == 0)
			return &v[i];
	return NULL;
}

size_t amf_pg_diff(const struct amf_pg_entry *old, size_t n_old, const struct amf_pg_entry *cur, size_t n_cur,
		   bool changes_only, struct amf_pg_change *out, size_t *ret_changed)
{
	size_t n = 0, changed = 0;

	for (size_t i = 0; i < n_cur; i++) {
		const struct amf_pg_entry *was = pg_find(old, n_old, cur[i].comp);
		enum amf_pg_change_kind c;

		if (!was)
			c = AMF_PG_ADDED;
		else if (was->ha_state != cur[i].ha_state || was->readiness != cur[i].readiness ||
			 was->rank != cur[i].rank)
			c = AMF_PG_STATE_CHANGE;
		else
			c = AMF_PG_NO_CHANGE;
		if (c != AMF_PG_NO_CHANGE)
			changed++;
		if (c != AMF_PG_NO_CHANGE || !changes_only)
			out[n++] = (struct amf_pg_change){ &cur[i], c };
	}
	for (size_t i = 0; i < n_old; i++) {
		if (pg_find(cur, n_cur, old[i].comp))
			continue;
		changed++;
		out[n++] = (struct amf_pg_change){ &old[i], AMF_PG_REMOVED };
	}
	*ret_changed = changed;
	return n;
}
