/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Event filter matching of the evt engine (AIS-API.md 2.3): a subscription
 * with n filters matches an event when filter i matches pattern i for every
 * i < n; patterns an event lacks count as empty, patterns beyond n are
 * ignored, and 0 filters match every event. Pure code: no engine state.
 */
#ifndef AIS_SERVICES_EVT_FILTER_H
#define AIS_SERVICES_EVT_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** SaEvtEventFilterTypeT values. */
enum evt_filter_type {
	EVT_FILTER_PREFIX = 1,
	EVT_FILTER_SUFFIX = 2,
	EVT_FILTER_EXACT = 3,
	EVT_FILTER_PASS_ALL = 4,
};

/** A byte string (pattern or filter bytes); bytes may be NULL when len is 0. */
struct evt_bytes {
	const uint8_t *bytes;
	uint32_t len;
};

struct evt_filter {
	uint32_t type; /**< enum evt_filter_type */
	struct evt_bytes pat;
};

/** Does one filter match one pattern? An unknown type matches nothing. */
bool evt_filter_match_one(const struct evt_filter *f, const struct evt_bytes *pattern);

/** Does the filter array (n_filters) match the event's patterns (n_patterns)? */
bool evt_filter_match(const struct evt_filter *filters, size_t n_filters,
                      const struct evt_bytes *patterns, size_t n_patterns);

#endif
