/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Event filter matching (see evt_filter.h). Called for every delivered
 * event and every local subscription, so it only compares bytes.
 */
#include "config.h"

#include <string.h>

#include "evt_filter.h"

bool evt_filter_match_one(const struct evt_filter *f, const struct evt_bytes *p)
{
	uint32_t flen = f->pat.len;

	switch (f->type) {
	case EVT_FILTER_PREFIX:
		return flen <= p->len && (flen == 0 || memcmp(f->pat.bytes, p->bytes, flen) == 0);
	case EVT_FILTER_SUFFIX:
		return flen <= p->len &&
		       (flen == 0 || memcmp(f->pat.bytes, p->bytes + (p->len - flen), flen) == 0);
	case EVT_FILTER_EXACT:
		return flen == p->len && (flen == 0 || memcmp(f->pat.bytes, p->bytes, flen) == 0);
	case EVT_FILTER_PASS_ALL:
		return true;
	default:
		return false;
	}
}

bool evt_filter_match(const struct evt_filter *filters, size_t n_filters,
                      const struct evt_bytes *patterns, size_t n_patterns)
{
	static const struct evt_bytes empty = { NULL, 0 };

	for (size_t i = 0; i < n_filters; i++) {
		const struct evt_bytes *p = i < n_patterns ? &patterns[i] : &empty;

		if (!evt_filter_match_one(&filters[i], p))
			return false;
	}
	return true;
}
