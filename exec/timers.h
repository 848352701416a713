/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One-shot timers on a libqb loop, driven by one timerfd per set.
 *
 * libqb's own timers cannot be used for anything that fires often: its loop
 * turns the time left before the next timer into a poll timeout in whole
 * milliseconds rounded down, so the last millisecond before every expiry is
 * spent in epoll_wait calls with a zero timeout (thousands per second on an
 * idle daemon). A timerfd is armed for the absolute deadline in nanoseconds
 * and polled like any other descriptor, so the loop sleeps until it is due.
 *
 * Every timer of the daemon lives in such a set: the protocol's (srp
 * re-arms several on every token visit) in the transport's, all others
 * (the api table's, IPC, sync, the scheduling watchdog, shutdown) in the
 * executive's. Timers are kept in a binary min-heap ordered by (deadline,
 * handle); the timerfd is re-armed only when a new deadline is earlier than
 * the one it is armed for, or after it fired, so cancelling and re-adding a
 * later deadline cost no system call.
 *
 * Contract (the same as totem_clock_ops): fn(data) runs once, from the
 * loop, no sooner than ms milliseconds after timers_add(); handles are
 * non-zero and never reused; timers_del() of 0, of a fired or of a
 * cancelled handle does nothing. Timers with the same deadline fire in the
 * order they were added; a timer added by a callback runs in a later
 * dispatch, never in the one that added it.
 */
#ifndef AIS_EXEC_TIMERS_H
#define AIS_EXEC_TIMERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <qb/qbloop.h>

typedef void (*timers_fn)(void *data);

struct timers;

struct timers_stats {
	uint64_t added, cancelled, fired;
	uint64_t arms;      /**< times the timerfd was (re)armed */
	uint64_t wakeups;   /**< times the timerfd woke the loop */
};

/**
 * A set on @loop whose timerfd is dispatched at priority @prio.
 * 0, or -errno (timerfd_create, qb_loop_poll_add, allocation).
 */
int timers_create(qb_loop_t *loop, enum qb_loop_priority prio, struct timers **ret);
/**
 * begin(ctx) runs before and end(ctx) after each dispatch of due timers
 * (the transport batches the frames its timers send). NULL: none.
 */
void timers_hooks_set(struct timers *t, timers_fn begin, timers_fn end, void *ctx);
/** Cancel every pending timer, close the timerfd, free. Accepts NULL; returns NULL. */
struct timers *timers_destroy(struct timers *t);
/** 0 and *ret_handle, or -ENOMEM / -EINVAL (fn NULL) / -errno of timerfd_settime. */
int timers_add(struct timers *t, uint32_t ms, timers_fn fn, void *data, uint64_t *ret_handle);
/** timers_add() with the delay in microseconds. */
int timers_add_us(struct timers *t, uint32_t us, timers_fn fn, void *data, uint64_t *ret_handle);
/** Cancel; true when the handle was pending. */
bool timers_del(struct timers *t, uint64_t handle);
/** Timers armed and neither fired nor cancelled. */
size_t timers_pending(const struct timers *t);
void timers_stats_get(const struct timers *t, struct timers_stats *ret);
/** CLOCK_MONOTONIC in nanoseconds: the clock deadlines are kept in. */
uint64_t timers_now_ns(void);

#endif
