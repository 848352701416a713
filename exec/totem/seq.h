/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * 32-bit message and token sequence numbers compared with wrap-around
 * (serial number) arithmetic: a is before b when the signed distance
 * (int32_t)(a - b) is negative. Valid while the two compared numbers are
 * less than 2^31 apart, which the sort-queue clamp (SRP_QUEUE_SLOTS) keeps
 * true for message seqs; token_seq only ever advances by one per visit.
 */
#ifndef AIS_TOTEM_SEQ_H
#define AIS_TOTEM_SEQ_H

#include <stdbool.h>
#include <stdint.h>

static inline int32_t seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

static inline bool seq_lt(uint32_t a, uint32_t b)
{
	return seq_diff(a, b) < 0;
}

static inline bool seq_le(uint32_t a, uint32_t b)
{
	return seq_diff(a, b) <= 0;
}

static inline bool seq_gt(uint32_t a, uint32_t b)
{
	return seq_diff(a, b) > 0;
}

static inline bool seq_ge(uint32_t a, uint32_t b)
{
	return seq_diff(a, b) >= 0;
}

static inline uint32_t seq_min(uint32_t a, uint32_t b)
{
	return seq_lt(a, b) ? a : b;
}

static inline uint32_t seq_max(uint32_t a, uint32_t b)
{
	return seq_gt(a, b) ? a : b;
}

#endif
