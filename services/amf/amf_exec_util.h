/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pure helpers of the AMF executor (no daemon dependency, unit tested on
 * their own): the table of outstanding callback invocations, and the
 * protection group difference between what a tracker last saw and the
 * group now.
 *
 * Invocations: every callback the executor sends that expects an answer
 * (healthcheck, terminate, CSI set, CSI remove) gets a number from one
 * counter of the table, so it is unique on the node and therefore per
 * connection. An entry belongs to one owner (the connection id the event
 * went to); a lookup must name the owner, so a client can only ever answer
 * its own invocations.
 */
#ifndef AIS_AMF_EXEC_UTIL_H
#define AIS_AMF_EXEC_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "amf_model.h"

/** One outstanding invocation. */
struct amf_inv {
	uint64_t invocation;
	uint64_t owner;  /**< connection id the callback was sent to */
	int kind;        /**< the caller's meaning */
	void *data;      /**< the caller's record */
	struct amf_inv *next;
};

/** The outstanding invocations of the node. Zero-initialised is empty. */
struct amf_inv_table {
	struct amf_inv *head;
	uint64_t last;  /**< the last number given (numbers start at 1) */
	size_t n;
};

/**
 * Add an invocation for owner with a fresh number.
 * @return the entry (owned by the table), or NULL when out of memory.
 */
struct amf_inv *amf_inv_add(struct amf_inv_table *t, uint64_t owner, int kind, void *data);

/** The entry numbered invocation if it belongs to owner; else NULL. */
struct amf_inv *amf_inv_find(const struct amf_inv_table *t, uint64_t owner, uint64_t invocation);

/** Remove and free an entry of t. */
void amf_inv_remove(struct amf_inv_table *t, struct amf_inv *inv);

/** Remove the entries of owner (UINT64_MAX: of every owner) that match
 *  (every one when match is NULL). @return the number removed. */
size_t amf_inv_remove_if(struct amf_inv_table *t, uint64_t owner, bool (*match)(const struct amf_inv *inv, void *ctx),
			 void *ctx);

/** Free every entry. */
void amf_inv_clear(struct amf_inv_table *t);

/* ---- protection groups ---------------------------------------------------- */

/** A member of a protection group as a tracker sees it. */
struct amf_pg_entry {
	char comp[AMF_DN_MAX + 1]; /**< component DN, NUL-terminated */
	uint32_t ha_state;         /**< SaAmfHAStateT */
	uint32_t readiness;        /**< SaAmfHAReadinessStateT */
	uint32_t rank;
};

/** SaAmfProtectionGroupChangesT. */
enum amf_pg_change_kind {
	AMF_PG_NO_CHANGE = 1,
	AMF_PG_ADDED = 2,
	AMF_PG_REMOVED = 3,
	AMF_PG_STATE_CHANGE = 4,
};

/** One entry of a protection group notification. */
struct amf_pg_change {
	const struct amf_pg_entry *member; /**< points into old (REMOVED) or cur */
	enum amf_pg_change_kind change;
};

/**
 * Compare the members a tracker saw (old) with the group now (cur); members
 * are identified by component DN. With changes_only the result lists only
 * the added, removed and changed members; otherwise every current member
 * (NO_CHANGE, ADDED or STATE_CHANGE, in cur's order) followed by the
 * removed ones (in old's order). out must hold n_old + n_cur entries.
 * @param ret_changed set to the number of members added, removed or changed
 *        (0: no callback is due)
 * @return the number of entries written to out
 */
size_t amf_pg_diff(const struct amf_pg_entry *old, size_t n_old, const struct amf_pg_entry *cur, size_t n_cur,
		   bool changes_only, struct amf_pg_change *out, size_t *ret_changed);

#endif
