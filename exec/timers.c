/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One-shot timers on a timerfd (timers.h says why not libqb's timers).
 *
 * The heap holds every pending timer; heap[0] is the earliest. armed_ns is
 * the deadline the timerfd is set for (0: disarmed). Adding a later timer or
 * cancelling one leaves the timerfd alone: when it fires early for a
 * cancelled timer, the dispatch finds nothing due and re-arms for the next.
 * Cancel scans the heap; a set holds a handful of timers (srp: 7).
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <qb/qbutil.h>
#include <ais/inject.h>
#include <ais/log.h>

#include "timers.h"

AIS_LOG_SUBSYS("MAIN");

struct timer {
	uint64_t deadline_ns;
	uint64_t handle;
	timers_fn fn;
	void *data;
};

struct timers {
	qb_loop_t *loop;
	int fd;
	struct timer *heap;
	size_t n, cap;
	uint64_t last_handle;
	uint64_t armed_ns;   /**< deadline the timerfd is set for; 0 = disarmed */
	bool dispatching;
	timers_fn begin, end;  /**< around each dispatch (timers_hooks_set) */
	void *hooks_ctx;
	struct timers_stats stats;
};

uint64_t timers_now_ns(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * QB_TIME_NS_IN_SEC + (uint64_t)ts.tv_nsec;
}

static bool timer_before(const struct timer *a, const struct timer *b)
{
	return a->deadline_ns < b->deadline_ns || (a->deadline_ns == b->deadline_ns && a->handle < b->handle);
}

static void sift_up(struct timers *t, size_t i)
{
	struct timer e = t->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!timer_before(&e, &t->heap[parent])) {
			break;
		}
		t->heap[i] = t->heap[parent];
		i = parent;
	}
	t->heap[i] = e;
}

static void sift_down(struct timers *t, size_t i)
{
	struct timer e = t->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= t->n) {
			break;
		}
		if (c + 1 < t->n && timer_before(&t->heap[c + 1], &t->heap[c])) {
			c++;
		}
		if (!timer_before(&t->heap[c], &e)) {
			break;
		}
		t->heap[i] = t->heap[c];
		i = c;
	}
	t->heap[i] = e;
}

static void remove_at(struct timers *t, size_t i)
{
	t->n--;
	if (i == t->n) {
		return;
	}
	t->heap[i] = t->heap[t->n];
	if (i > 0 && timer_before(&t->heap[i], &t->heap[(i - 1) / 2])) {
		sift_up(t, i);
	} else {
		sift_down(t, i);
	}
}

static bool remove_handle(struct timers *t, uint64_t handle)
{
	for (size_t i = 0; i < t->n; i++) {
		if (t->heap[i].handle == handle) {
			remove_at(t, i);
			return true;
		}
	}
	return false;
}

static int fd_set_deadline(struct timers *t, uint64_t deadline_ns)
{
	struct itimerspec its = { 0 };

	/* an absolute deadline of 0 would disarm: a due timer fires at 1 ns */
	if (deadline_ns == 0) {
		deadline_ns = 1;
	}
	its.it_value.tv_sec = (time_t)(deadline_ns / QB_TIME_NS_IN_SEC);
	its.it_value.tv_nsec = (long)(deadline_ns % QB_TIME_NS_IN_SEC);
	if (timerfd_settime(t->fd, TFD_TIMER_ABSTIME, &its, NULL) < 0) {
		return -errno;
	}
	t->armed_ns = deadline_ns;
	t->stats.arms++;
	return 0;
}

/* Make sure the timerfd fires no later than the earliest deadline. */
static int arm(struct timers *t)
{
	if (t->dispatching || t->n == 0) {
		return 0;
	}
	if (t->armed_ns != 0 && t->armed_ns <= t->heap[0].deadline_ns) {
		return 0;
	}
	return fd_set_deadline(t, t->heap[0].deadline_ns);
}

static int32_t timers_dispatch(int32_t fd, int32_t revents, void *data)
{
	struct timers *t = data;
	uint64_t expirations;
	uint64_t now;
	uint64_t last = t->last_handle; /* timers added by the callbacks wait */
	int r;

	(void)revents;
	/* clears the readiness; EAGAIN when it was re-armed meanwhile */
	(void)!read(fd, &expirations, sizeof(expirations));
	t->stats.wakeups++;
	t->armed_ns = 0;
	now = timers_now_ns();
	t->dispatching = true;
	if (t->begin != NULL) {
		t->begin(t->hooks_ctx);
	}
	while (t->n > 0 && t->heap[0].deadline_ns <= now && t->heap[0].handle <= last) {
		struct timer e = t->heap[0];

		remove_at(t, 0);
		t->stats.fired++;
		e.fn(e.data);
	}
	if (t->end != NULL) {
		t->end(t->hooks_ctx);
	}
	t->dispatching = false;
	r = arm(t);
	if (r < 0) {
		ais_log(LOG_ERR, "cannot arm a timer: %s; %zu timers stalled", strerror(-r), t->n);
	}
	return 0;
}

int timers_create(qb_loop_t *loop, enum qb_loop_priority prio, struct timers **ret)
{
	struct timers *t = ais_calloc(1, sizeof(*t));
	int r;

	if (t == NULL) {
		return -ENOMEM;
	}
	t->loop = loop;
	t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (t->fd < 0) {
		r = -errno;
		free(t);
		return r;
	}
	r = qb_loop_poll_add(loop, prio, t->fd, POLLIN, t, timers_dispatch);
	if (r != 0) {
		(void)close(t->fd);
		free(t);
		return r < 0 ? r : -ENOMEM;
	}
	*ret = t;
	return 0;
}

void timers_hooks_set(struct timers *t, timers_fn begin, timers_fn end, void *ctx)
{
	t->begin = begin;
	t->end = end;
	t->hooks_ctx = ctx;
}

struct timers *timers_destroy(struct timers *t)
{
	if (t == NULL) {
		return NULL;
	}
	(void)qb_loop_poll_del(t->loop, t->fd);
	(void)close(t->fd);
	free(t->heap);
	free(t);
	return NULL;
}

static int timers_add_ns(struct timers *t, uint64_t ns, timers_fn fn, void *data, uint64_t *ret_handle)
{
	struct timer *e;
	int r;

	if (fn == NULL) {
		return -EINVAL;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap == 0 ? 16 : t->cap * 2;
		struct timer *h = ais_realloc(t->heap, cap * sizeof(*h));
		if (h == NULL) {
			return -ENOMEM;
		}
		t->heap = h;
		t->cap = cap;
	}
	e = &t->heap[t->n];
	e->deadline_ns = timers_now_ns() + ns;
	e->handle = ++t->last_handle;
	e->fn = fn;
	e->data = data;
	t->n++;
	sift_up(t, t->n - 1);
	r = arm(t);
	if (r < 0) {
		(void)remove_handle(t, t->last_handle);
		return r;
	}
	t->stats.added++;
	*ret_handle = t->last_handle;
	return 0;
}

int timers_add(struct timers *t, uint32_t ms, timers_fn fn, void *data, uint64_t *ret_handle)
{
	return timers_add_ns(t, (uint64_t)ms * QB_TIME_NS_IN_MSEC, fn, data, ret_handle);
}

int timers_add_us(struct timers *t, uint32_t us, timers_fn fn, void *data, uint64_t *ret_handle)
{
	return timers_add_ns(t, (uint64_t)us * QB_TIME_NS_IN_USEC, fn, data, ret_handle);
}

bool timers_del(struct timers *t, uint64_t handle)
{
	if (handle == 0 || !remove_handle(t, handle)) {
		return false;
	}
	t->stats.cancelled++;
	return true;
}

size_t timers_pending(const struct timers *t)
{
	return t->n;
}

void timers_stats_get(const struct timers *t, struct timers_stats *ret)
{
	*ret = t->stats;
}
