/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * evtbench: Event service throughput and latency, the counterpart of
 * cpgbench (same RESULT keys, so bench/evt.sh prints the two side by side).
 * Written only against saEvt.h.
 *
 * Every event carries {magic, type, publisher id, seq, send time} in its
 * data and one pattern ("data" or "done"); every process subscribes to the
 * channel with no filter (all events), counts deliveries, checks that each
 * publisher's events arrive in publish order, folds the delivery order into
 * a 64-bit FNV-1a hash (equal everywhere = one order) and records the
 * publish-to-delivery latency of its own events (CLOCK_MONOTONIC; all
 * processes share one host).
 *
 *   publisher: evtbench -s SIZE -t SECS [-S PUBLISHERS]
 *   latency:   evtbench -L -s SIZE -n COUNT -i INTERVAL_US
 *   receiver:  evtbench -r [-S PUBLISHERS]
 *
 * A process prints "READY" once subscribed (the caller starts publishers
 * after every receiver is ready). In latency mode (-L) a publisher publishes
 * one event, waits for its own delivery, then sleeps until the next is due
 * (one every INTERVAL_US), exactly as cpgbench -L. Otherwise it publishes as fast as the
 * service accepts (on SA_AIS_ERR_TRY_AGAIN: dispatch, wait up to 1 ms,
 * retry), dispatching its own deliveries between publishes, then publishes
 * a "done" event. Everyone exits once "done" events from PUBLISHERS
 * publishers were delivered, or when the hard timeout -T fires (then
 * timed_out=1). Output: one line "RESULT key=value ...".
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <saAis.h>
#include <saEvt.h>

#define BENCH_MAGIC 0x45564200u
#define PUBLISHERS_MAX 64
#define CHANNEL "evtbench"

enum { EV_DATA = 1, EV_DONE = 2 };

struct bench_hdr {
	uint32_t magic;
	uint32_t type;
	uint64_t pub_id; /**< pid << 16 ^ start time: one per publisher run */
	uint64_t seq;
	uint64_t sent_ns;
};

struct bench_pub {
	uint64_t id;
	uint64_t next_seq;
};

static SaEvtHandleT evt;
static SaEvtChannelHandleT chan;
static SaSelectionObjectT sel;
static uint64_t my_id;
static volatile sig_atomic_t timed_out;
static const char *stop_reason = "none";
static SaAisErrorT stop_error = SA_AIS_OK;

static uint64_t want_publishers = 1;
static uint64_t delivered_all, delivered_bytes, delivered_own, dones_seen, fifo_errors;
static uint64_t order_hash = UINT64_C(1469598103934665603);
static uint64_t first_delivery_ns, last_done_ns, try_again;
static struct bench_pub pubs[PUBLISHERS_MAX];
static int pubs_seen;
static uint64_t *latencies;
static size_t latency_count, latency_cap;
static unsigned char *rxbuf;
static size_t rxbuf_len;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

static void hash_fold(const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--) {
		order_hash ^= *c++;
		order_hash *= UINT64_C(1099511628211);
	}
}

static void stop(const char *why, SaAisErrorT err)
{
	stop_reason = why;
	stop_error = err;
	timed_out = 1;
}

static void pub_account(uint64_t id, uint64_t seq)
{
	int i;

	for (i = 0; i < pubs_seen; i++) {
		if (pubs[i].id == id)
			break;
	}
	if (i == pubs_seen) {
		if (pubs_seen == PUBLISHERS_MAX)
			return;
		pubs[i].id = id;
		pubs[i].next_seq = seq;
		pubs_seen++;
	}
	if (seq != pubs[i].next_seq)
		fifo_errors++;
	pubs[i].next_seq = seq + 1;
}

static void on_deliver(SaEvtSubscriptionIdT sub, SaEvtEventHandleT ev, SaSizeT size)
{
	struct bench_hdr m;
	SaSizeT len = rxbuf_len;
	uint64_t t = now_ns();
	SaAisErrorT r;

	(void)sub;
	r = saEvtEventDataGet(ev, rxbuf, &len);
	(void)saEvtEventFree(ev);
	if (r != SA_AIS_OK) {
		stop("datagget", r);
		return;
	}
	if (len < sizeof(m) || size != len)
		return;
	memcpy(&m, rxbuf, sizeof(m));
	if (m.magic != BENCH_MAGIC)
		return;
	if (m.type == EV_DONE) {
		dones_seen++;
		last_done_ns = t;
		return;
	}
	if (delivered_all == 0)
		first_delivery_ns = t;
	delivered_all++;
	delivered_bytes += len;
	hash_fold(&m.pub_id, sizeof(m.pub_id));
	hash_fold(&m.seq, sizeof(m.seq));
	pub_account(m.pub_id, m.seq);
	if (m.pub_id == my_id) {
		delivered_own++;
		if (latency_count < latency_cap)
			latencies[latency_count++] = t - m.sent_ns;
	}
}

static void dispatch_wait(int timeout_ms)
{
	struct pollfd pfd = { .fd = (int)sel, .events = POLLIN };
	SaAisErrorT r;

	if (poll(&pfd, 1, timeout_ms) <= 0)
		return;
	r = saEvtDispatch(evt, SA_DISPATCH_ALL);
	if (r != SA_AIS_OK)
		stop("dispatch", r);
}

static void on_alarm(int sig)
{
	(void)sig;
	stop_reason = "timeout";
	timed_out = 1;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t pct(double p)
{
	size_t i;

	if (latency_count == 0)
		return 0;
	i = (size_t)(p * (double)(latency_count - 1) + 0.5);
	return latencies[i] / 1000;
}

static SaAisErrorT publish(SaEvtEventHandleT ev, const void *data, size_t len)
{
	SaEvtEventIdT id;
	SaAisErrorT r;

	while ((r = saEvtEventPublish(ev, data, len, &id)) == SA_AIS_ERR_TRY_AGAIN && !timed_out) {
		try_again++;
		dispatch_wait(1);
	}
	return r;
}

static SaAisErrorT attrs_set(SaEvtEventHandleT ev, const char *pattern)
{
	SaEvtEventPatternT p = { .allocatedSize = strlen(pattern), .patternSize = strlen(pattern),
	                         .pattern = (SaUint8T *)(uintptr_t)pattern };
	SaEvtEventPatternArrayT pa = { .allocatedNumber = 1, .patternsNumber = 1, .patterns = &p };
	SaNameT who = { .length = 8 };

	memcpy(who.value, "evtbench", 8);
	return saEvtEventAttributesSet(ev, &pa, SA_EVT_HIGHEST_PRIORITY, 0, &who);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: evtbench -s SIZE -t SECS [-S N] | -L -s SIZE -n COUNT -i US | -r [-S N]\n"
	           "  [-T HARD_TIMEOUT_S]; the node is picked by AIS_INSTANCE\n");
}

int main(int argc, char **argv)
{
	SaEvtCallbacksT cb = { .saEvtChannelOpenCallback = NULL, .saEvtEventDeliverCallback = on_deliver };
	SaVersionT v = { 'B', 3, 1 };
	SaEvtEventFilterArrayT none = { .filtersNumber = 0, .filters = NULL };
	SaNameT name = { .length = sizeof(CHANNEL) - 1 };
	bool receiver = false, latency_mode = false;
	size_t size = 64;
	unsigned secs = 5, interval_us = 1000, hard = 120;
	uint64_t count = 1000, sent = 0, t0, t1;
	SaEvtEventHandleT ev = 0;
	struct bench_hdr *h;
	unsigned char *buf;
	SaAisErrorT r;
	int c;

	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("evtbench (" PACKAGE_NAME ") " PACKAGE_VERSION "\n");
		return 0;
	}
	while ((c = getopt(argc, argv, "s:t:S:Ln:i:rT:h")) != -1) {
		switch (c) {
		case 's': size = strtoul(optarg, NULL, 0); break;
		case 't': secs = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'S': want_publishers = strtoull(optarg, NULL, 0); break;
		case 'L': latency_mode = true; break;
		case 'n': count = strtoull(optarg, NULL, 0); break;
		case 'i': interval_us = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'r': receiver = true; break;
		case 'T': hard = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (size < sizeof(struct bench_hdr))
		size = sizeof(struct bench_hdr);
	rxbuf_len = 64 * 1024 + 64;
	rxbuf = malloc(rxbuf_len);
	buf = calloc(1, size);
	latency_cap = 4u << 20;
	latencies = malloc(latency_cap * sizeof(*latencies));
	if (rxbuf == NULL || buf == NULL || latencies == NULL)
		return 1;
	my_id = ((uint64_t)getpid() << 32) ^ now_ns();
	memcpy(name.value, CHANNEL, name.length);
	signal(SIGALRM, on_alarm);
	alarm(hard);

	while ((r = saEvtInitialize(&evt, &cb, &v)) == SA_AIS_ERR_TRY_AGAIN)
		usleep(10000);
	if (r == SA_AIS_OK)
		while ((r = saEvtChannelOpen(evt, &name, SA_EVT_CHANNEL_PUBLISHER | SA_EVT_CHANNEL_SUBSCRIBER |
		                             SA_EVT_CHANNEL_CREATE, 10 * SA_TIME_ONE_SECOND, &chan)) ==
		       SA_AIS_ERR_TRY_AGAIN)
			usleep(10000);
	if (r == SA_AIS_OK)
		r = saEvtEventSubscribe(chan, &none, 1);
	if (r == SA_AIS_OK)
		r = saEvtSelectionObjectGet(evt, &sel);
	if (r == SA_AIS_OK && !receiver) {
		r = saEvtEventAllocate(chan, &ev);
		if (r == SA_AIS_OK)
			r = attrs_set(ev, "data");
	}
	if (r != SA_AIS_OK) {
		fprintf(stderr, "evtbench: setup failed: error %d\n", (int)r);
		return 1;
	}
	printf("READY\n");
	fflush(stdout);

	h = (struct bench_hdr *)buf;
	h->magic = BENCH_MAGIC;
	h->pub_id = my_id;
	t0 = now_ns();
	if (!receiver) {
		uint64_t end = t0 + (uint64_t)secs * UINT64_C(1000000000);

		h->type = EV_DATA;
		while (!timed_out && (latency_mode ? sent < count : now_ns() < end)) {
			if (latency_mode) {
				/* as cpgbench: wait for the previous event's own delivery,
				 * then sleep (not spin: the daemons share the CPUs) until
				 * the next one is due */
				uint64_t due = t0 + sent * interval_us * UINT64_C(1000), t;

				while (!timed_out && delivered_own < sent)
					dispatch_wait(10);
				t = now_ns();
				if (due > t) {
					struct timespec ts = { .tv_sec = (time_t)((due - t) / 1000000000),
					                       .tv_nsec = (long)((due - t) % 1000000000) };

					nanosleep(&ts, NULL);
				}
			}
			h->seq = sent;
			h->sent_ns = now_ns();
			r = publish(ev, buf, size);
			if (r != SA_AIS_OK) {
				if (!timed_out)
					stop("publish", r);
				break;
			}
			sent++;
			if (!latency_mode)
				dispatch_wait(0);
		}
		t1 = now_ns();
		if (!timed_out) {
			h->type = EV_DONE;
			(void)attrs_set(ev, "done");
			r = publish(ev, buf, sizeof(*h));
			if (r != SA_AIS_OK && !timed_out)
				stop("publish", r);
		}
	} else {
		t1 = t0;
	}
	while (!timed_out && dones_seen < want_publishers)
		dispatch_wait(100);
	alarm(0);
	qsort(latencies, latency_count, sizeof(*latencies), cmp_u64);
	{
		double span = receiver || latency_mode ? (double)(last_done_ns - first_delivery_ns) / 1e9
		                                       : (double)(t1 - t0) / 1e9;
		double own_span = (double)(t1 - t0) / 1e9;

		if (span <= 0)
			span = 1e-9;
		if (own_span <= 0)
			own_span = 1e-9;
		printf("RESULT size=%zu sent=%" PRIu64 " deliv_all=%" PRIu64 " deliv_own=%" PRIu64
		       " msgs_s=%.0f MBps=%.2f own_msgs_s=%.0f own_MBps=%.2f fifo_err=%" PRIu64
		       " order_hash=%016" PRIx64 " lat_us_p50=%" PRIu64 " lat_us_p90=%" PRIu64
		       " lat_us_p99=%" PRIu64 " lat_us_max=%" PRIu64 " tryagain=%" PRIu64
		       " timed_out=%d stop=%s error=%d\n",
		       size, sent, delivered_all, delivered_own, (double)delivered_all / span,
		       (double)delivered_bytes / span / 1e6, (double)delivered_own / own_span,
		       (double)delivered_own * (double)size / own_span / 1e6, fifo_errors, order_hash,
		       pct(0.5), pct(0.9), pct(0.99), latency_count > 0 ? latencies[latency_count - 1] / 1000 : 0,
		       try_again, timed_out ? 1 : 0, stop_reason, (int)stop_error);
	}
	if (ev != 0)
		(void)saEvtEventFree(ev);
	(void)saEvtFinalize(evt);
	return timed_out ? 1 : 0;
}
