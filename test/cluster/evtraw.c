/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * evtraw: a raw-IPC client of the evt service (ais-$AIS_INSTANCE-evt) for
 * the cluster tests, independent of libSaEvt.
 *
 *   evtraw selftest
 *       open/publish/subscribe/deliver, every error the engine answers,
 *       retention and clear, late subscribers, the delivery window, credit,
 *       priorities and the lost-event notice. Prints "ok: ..." per step.
 *   evtraw publish CHANNEL PATTERN RETENTION_S COUNT
 *       publish COUNT events (priority 2); prints each event id in hex.
 *   evtraw ids CHANNEL PREFIX WAIT_MS
 *       subscribe (prefix filter) and print the ids of the events
 *       delivered within WAIT_MS (the retained ones, and new ones), sorted.
 *   evtraw clear CHANNEL EVENT_ID_HEX
 *       retention clear; prints the SaAisErrorT.
 *   evtraw hold CHANNEL SECONDS
 *       open (create) and keep the channel open for SECONDS.
 *   evtraw unlink CHANNEL
 *   evtraw try CHANNEL
 *       one open with CREATE, no retry; prints the SaAisErrorT.
 *
 * Exit 0 on success, 1 with "FAIL: ..." otherwise.
 */
#include "config.h"

#include <inttypes.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "evtipc.h"

#define CHECK(cond, ...)                                                  \
	do {                                                              \
		if (!(cond)) {                                            \
			printf("FAIL: " __VA_ARGS__);                     \
			printf(" (%s:%d)\n", __FILE__, __LINE__);         \
			exit(1);                                          \
		}                                                         \
	} while (0)

static const char *instance;
static uint8_t evbuf[AIS_IPC_MSG_MAX];

static qb_ipcc_connection_t *conn(void)
{
	qb_ipcc_connection_t *c = evtipc_connect(instance);

	CHECK(c != NULL, "cannot connect to the evt service of %s", instance);
	return c;
}

static int64_t ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Read one DELIVER (timeout ms); false on timeout. */
static bool next_delivery(qb_ipcc_connection_t *c, struct ais_evt_ev_deliver *ret, int timeout_ms)
{
	for (;;) {
		ssize_t r = evtipc_event(c, evbuf, sizeof(evbuf), timeout_ms);

		if (r == 0)
			return false;
		CHECK(r >= (ssize_t)sizeof(struct qb_ipc_response_header), "event receive failed: %zd", r);
		memcpy(ret, evbuf, r < (ssize_t)sizeof(*ret) ? (size_t)r : sizeof(*ret));
		if (ret->header.id == AIS_EVT_EV_DELIVER) {
			CHECK(r == ret->header.size, "deliver size %d, received %zd", ret->header.size, r);
			return true;
		}
	}
}

static size_t drain(qb_ipcc_connection_t *c, int timeout_ms, uint32_t *ret_lost_notices)
{
	struct ais_evt_ev_deliver d;
	size_t n = 0;

	*ret_lost_notices = 0;
	while (next_delivery(c, &d, timeout_ms)) {
		if (d.event_id == 1)
			(*ret_lost_notices)++;
		n++;
		evtipc_credit(c, 1);
	}
	return n;
}

static void selftest(void)
{
	qb_ipcc_connection_t *a = conn(), *b = conn();
	struct ais_evt_ev_deliver d;
	uint32_t oa, ob, oc, lost;
	uint64_t id, rid;
	char name[64];
	int e;

	snprintf(name, sizeof(name), "selftest-%d", (int)getpid());
	CHECK(evtipc_open(a, name, F_PUB | F_SUB, INT64_MAX, &oa) == SA_NOT_EXIST, "open of a missing channel");
	CHECK(evtipc_open(a, name, 8, INT64_MAX, &oa) == SA_BAD_FLAGS, "open with bad flags");
	CHECK(evtipc_open(a, name, F_CREATE, 0, &oa) == SA_TIMEOUT, "open with timeout 0");
	CHECK(evtipc_open(a, name, F_PUB | F_SUB | F_CREATE, INT64_MAX, &oa) == SA_OK, "open with create");
	CHECK(evtipc_open(b, name, F_SUB, INT64_MAX, &ob) == SA_OK, "second open");
	CHECK(evtipc_publish(b, ob, 1, 0, "x", "d", 1, &id) == SA_ACCESS, "publish without PUBLISHER");
	CHECK(evtipc_publish(a, 999, 1, 0, "x", "d", 1, &id) == SA_BAD_HANDLE, "publish on a forged open");
	CHECK(evtipc_publish(a, oa, 4, 0, "x", "d", 1, &id) == SA_INVALID_PARAM, "publish priority 4");
	CHECK(evtipc_publish(a, oa, 1, -1, "x", "d", 1, &id) == SA_INVALID_PARAM, "publish retention -1");
	CHECK(evtipc_publish(a, oa, 1, AIS_EVT_RETENTION_MAX + 1, "x", "d", 1, &id) == SA_TOO_BIG,
	      "publish retention too long");
	printf("ok: open and publish errors\n");

	CHECK(evtipc_subscribe(a, oa, 7, 1, "ab") == SA_OK, "subscribe prefix");
	CHECK(evtipc_subscribe(a, oa, 7, 0, "") == SA_EXIST, "duplicate subscription");
	CHECK(evtipc_subscribe(b, ob, 7, 3, "abc") == SA_OK, "subscribe exact on b");
	CHECK(evtipc_unsubscribe(a, oa, 99) == SA_NOT_EXIST, "unsubscribe unknown");
	CHECK(evtipc_publish(a, oa, 1, 0, "abc", "hello", 5, &id) == SA_OK, "publish");
	CHECK(id > 1000, "event id %" PRIx64, id);
	CHECK(next_delivery(a, &d, 5000), "no delivery to the publisher's subscription");
	CHECK(d.event_id == id && d.sub_id == 7 && d.open_id == oa && d.data_len == 5 && d.priority == 1,
	      "delivery fields");
	CHECK(memcmp(evbuf + sizeof(d) + 8 + 8, "hello", 5) == 0, "delivered data");
	CHECK(next_delivery(b, &d, 5000) && d.event_id == id && d.open_id == ob, "no delivery to b");
	CHECK(evtipc_publish(a, oa, 1, 0, "abd", "x", 1, &id) == SA_OK, "publish 2");
	CHECK(next_delivery(a, &d, 5000) && d.event_id == id, "prefix match");
	CHECK(!next_delivery(b, &d, 300), "exact filter let abd through");
	evtipc_credit(a, 2);
	evtipc_credit(b, 1);
	printf("ok: publish, filters, delivery\n");

	/* retention: a late subscriber gets the retained event; clear removes it */
	CHECK(evtipc_clear(a, oa, 5) == SA_INVALID_PARAM, "clear of a reserved id");
	CHECK(evtipc_publish(a, oa, 0, (int64_t)60 * 1000000000, "ret", "r", 1, &rid) == SA_OK, "publish retained");
	CHECK(next_delivery(a, &d, 5000) == false || d.event_id == rid, "retained event to a");
	evtipc_credit(a, 1);
	CHECK(evtipc_open(b, name, F_SUB, INT64_MAX, &oc) == SA_OK, "third open");
	CHECK(evtipc_subscribe(b, oc, 1, 1, "re") == SA_OK, "late subscribe");
	CHECK(next_delivery(b, &d, 5000) && d.event_id == rid && d.sub_id == 1, "late subscriber got no retained event");
	evtipc_credit(b, 1);
	CHECK(evtipc_clear(b, oc, rid) == SA_OK, "clear by a subscriber-only open");
	CHECK(evtipc_clear(b, oc, rid) == SA_NOT_EXIST, "second clear");
	CHECK(evtipc_subscribe(b, oc, 2, 1, "re") == SA_OK, "subscribe after clear");
	CHECK(!next_delivery(b, &d, 300), "a cleared event was delivered");
	CHECK(evtipc_close(b, oc) == SA_OK, "close");
	CHECK(evtipc_close(b, oc) == SA_BAD_HANDLE, "second close");
	printf("ok: retention, late subscriber, clear\n");

	/* window and credit: b gets at most the window until it credits; a
	 * higher priority overtakes; a flood beyond the queue yields one notice */
	CHECK(evtipc_unsubscribe(a, oa, 7) == SA_OK, "unsubscribe");
	CHECK(evtipc_unsubscribe(b, ob, 7) == SA_OK, "unsubscribe b");
	CHECK(evtipc_subscribe(b, ob, 9, 0, "") == SA_OK, "subscribe all");
	for (int i = 0; i < AIS_EVT_QUEUE_MAX + AIS_EVT_WINDOW + 200; i++) {
		uint64_t fid;

		if (i == AIS_EVT_QUEUE_MAX / 2)
			CHECK(evtipc_publish(a, oa, 0, 0, "urgent", "u", 1, &id) == SA_OK, "urgent publish");
		do {
			e = evtipc_publish(a, oa, 3, 0, "flood", "f", 1, &fid);
		} while (e == SA_TRY_AGAIN);
		CHECK(e == SA_OK, "flood publish %d: %d", i, e);
	}
	usleep(300000);
	{
		size_t n = 0;
		int64_t until = ms_now() + 2000;

		while (ms_now() < until && next_delivery(b, &d, 200))
			n++;
		CHECK(n == AIS_EVT_WINDOW, "%zu deliveries without credit, window %d", n, AIS_EVT_WINDOW);
	}
	evtipc_credit(b, 1000000); /* more than outstanding: ignored beyond */
	CHECK(next_delivery(b, &d, 5000), "nothing after credit");
	CHECK(d.event_id == id && d.priority == 0, "the urgent event did not overtake (got %" PRIx64 " prio %u)",
	      d.event_id, d.priority);
	evtipc_credit(b, 1);
	{
		size_t n = drain(b, 1000, &lost);

		CHECK(lost == 1, "%u lost-event notices, expected 1 (after %zu deliveries)", lost, n);
		CHECK(n < AIS_EVT_QUEUE_MAX + AIS_EVT_WINDOW + 200, "nothing was dropped (%zu)", n);
	}
	printf("ok: window, credit, priority, lost-event notice\n");

	/* unsubscribe drops what is still queued for that subscription */
	CHECK(evtipc_unsubscribe(b, ob, 9) == SA_OK, "unsubscribe all");
	CHECK(evtipc_subscribe(b, ob, 20, 1, "drop") == SA_OK, "subscribe drop");
	for (int i = 0; i < AIS_EVT_WINDOW + 8; i++)
		CHECK(evtipc_publish(a, oa, 2, 0, "drop", "x", 1, &id) == SA_OK, "publish drop %d", i);
	{
		size_t n = 0;

		while (n < AIS_EVT_WINDOW && next_delivery(b, &d, 2000))
			n++;
		CHECK(n == AIS_EVT_WINDOW, "%zu deliveries before unsubscribe", n);
	}
	CHECK(evtipc_unsubscribe(b, ob, 20) == SA_OK, "unsubscribe drop");
	evtipc_credit(b, AIS_EVT_WINDOW);
	CHECK(!next_delivery(b, &d, 500), "an event of a dropped subscription arrived (sub %u)", d.sub_id);
	printf("ok: unsubscribe drops queued events\n");

	/* asynchronous open: the open id at once, the result as EV_OPEN_DONE */
	{
		struct ais_evt_req_open req;
		struct ais_evt_res_open res;
		struct ais_evt_ev_open_done done;
		ssize_t r;

		memset(&req, 0, sizeof(req));
		req.header.id = AIS_EVT_REQ_CHANNEL_OPEN;
		req.header.size = sizeof(req);
		evtipc_name(&req.name, name);
		req.flags = F_SUB;
		req.async = 1;
		req.invocation = 0x77;
		CHECK(evtipc_call(b, &req, sizeof(req), &res, sizeof(res)) == SA_OK && res.open_id != 0, "async open");
		do {
			r = evtipc_event(b, evbuf, sizeof(evbuf), 5000);
			CHECK(r > 0, "no EV_OPEN_DONE");
			memcpy(&done, evbuf, sizeof(done));
		} while (done.header.id != AIS_EVT_EV_OPEN_DONE);
		CHECK(done.invocation == 0x77 && done.open_id == res.open_id && done.header.error == SA_OK,
		      "EV_OPEN_DONE fields");
		CHECK(evtipc_close(b, res.open_id) == SA_OK, "close the async open");
		req.invocation = 0x78;
		evtipc_name(&req.name, "no-such-channel-evtraw");
		CHECK(evtipc_call(b, &req, sizeof(req), &res, sizeof(res)) == SA_OK, "async open of a missing channel");
		do {
			r = evtipc_event(b, evbuf, sizeof(evbuf), 5000);
			CHECK(r > 0, "no EV_OPEN_DONE");
			memcpy(&done, evbuf, sizeof(done));
		} while (done.header.id != AIS_EVT_EV_OPEN_DONE);
		CHECK(done.invocation == 0x78 && done.header.error == SA_NOT_EXIST, "async NOT_EXIST");
		CHECK(evtipc_close(b, res.open_id) == SA_BAD_HANDLE, "close of a failed async open");
	}
	printf("ok: asynchronous open\n");

	/* retention expires: a subscriber after the expiry gets nothing */
	CHECK(evtipc_publish(a, oa, 1, 1000000000, "expire", "e", 1, &rid) == SA_OK, "publish retained 1 s");
	sleep(2);
	CHECK(evtipc_subscribe(b, ob, 30, 1, "expire") == SA_OK, "subscribe after expiry");
	CHECK(!next_delivery(b, &d, 300), "an expired event was delivered");
	printf("ok: retention expiry\n");

	CHECK(evtipc_unlink(a, name) == SA_OK, "unlink");
	CHECK(evtipc_unlink(a, name) == SA_NOT_EXIST, "second unlink");
	CHECK(evtipc_open(b, name, F_SUB, INT64_MAX, &oc) == SA_NOT_EXIST, "open after unlink");
	CHECK(evtipc_publish(a, oa, 1, 0, "abc", "still", 5, &id) == SA_OK, "publish on an unlinked channel");
	CHECK(evtipc_close(a, oa) == SA_OK && evtipc_close(b, ob) == SA_OK, "close all");
	qb_ipcc_disconnect(a);
	qb_ipcc_disconnect(b);
	printf("ok: unlink\n");
}

static void cmd_publish(const char *ch, const char *pattern, long ret_s, long count)
{
	qb_ipcc_connection_t *c = conn();
	uint32_t o;
	uint64_t id;
	int e;

	do {
		e = evtipc_open(c, ch, F_PUB | F_CREATE, INT64_MAX, &o);
		if (e == SA_TRY_AGAIN)
			usleep(100000);
	} while (e == SA_TRY_AGAIN);
	CHECK(e == SA_OK, "open %s: %d", ch, e);
	for (long i = 0; i < count; i++) {
		char data[32];

		snprintf(data, sizeof(data), "%ld", i);
		do {
			e = evtipc_publish(c, o, 2, (int64_t)ret_s * 1000000000, pattern, data,
			                   (uint32_t)strlen(data), &id);
			if (e == SA_TRY_AGAIN)
				usleep(50000);
		} while (e == SA_TRY_AGAIN);
		CHECK(e == SA_OK, "publish: %d", e);
		printf("%016" PRIx64 "\n", id);
	}
	qb_ipcc_disconnect(c);
}

static int id_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void cmd_ids(const char *ch, const char *prefix, long wait_ms)
{
	qb_ipcc_connection_t *c = conn();
	struct ais_evt_ev_deliver d;
	static uint64_t ids[65536];
	size_t n = 0;
	uint32_t o;
	int64_t until;
	int e;

	do {
		e = evtipc_open(c, ch, F_SUB | F_CREATE, INT64_MAX, &o);
		if (e == SA_TRY_AGAIN)
			usleep(100000);
	} while (e == SA_TRY_AGAIN);
	CHECK(e == SA_OK, "open %s: %d", ch, e);
	CHECK(evtipc_subscribe(c, o, 1, 1, prefix) == SA_OK, "subscribe");
	until = ms_now() + wait_ms;
	while (ms_now() < until && n < 65536) {
		if (!next_delivery(c, &d, 100))
			continue;
		evtipc_credit(c, 1);
		ids[n++] = d.event_id;
	}
	qsort(ids, n, sizeof(ids[0]), id_cmp);
	for (size_t i = 0; i < n; i++)
		printf("%016" PRIx64 "\n", ids[i]);
	qb_ipcc_disconnect(c);
}

static void cmd_clear(const char *ch, const char *id_hex)
{
	qb_ipcc_connection_t *c = conn();
	uint32_t o;

	CHECK(evtipc_open(c, ch, F_SUB, INT64_MAX, &o) == SA_OK, "open %s", ch);
	printf("%d\n", evtipc_clear(c, o, strtoull(id_hex, NULL, 16)));
	qb_ipcc_disconnect(c);
}

int main(int argc, char **argv)
{
	instance = getenv(AIS_INSTANCE_ENV);
	if (!instance)
		instance = "";
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && strcmp(argv[1], "selftest") == 0)
		selftest();
	else if (argc == 6 && strcmp(argv[1], "publish") == 0)
		cmd_publish(argv[2], argv[3], atol(argv[4]), atol(argv[5]));
	else if (argc == 5 && strcmp(argv[1], "ids") == 0)
		cmd_ids(argv[2], argv[3], atol(argv[4]));
	else if (argc == 4 && strcmp(argv[1], "clear") == 0)
		cmd_clear(argv[2], argv[3]);
	else if (argc == 4 && strcmp(argv[1], "hold") == 0) {
		qb_ipcc_connection_t *c = conn();
		uint32_t o;

		CHECK(evtipc_open(c, argv[2], F_PUB | F_SUB | F_CREATE, INT64_MAX, &o) == SA_OK, "open");
		sleep((unsigned)atoi(argv[3]));
		qb_ipcc_disconnect(c);
	} else if (argc == 3 && strcmp(argv[1], "try") == 0) {
		qb_ipcc_connection_t *c = conn();
		uint32_t o;

		printf("%d\n", evtipc_open(c, argv[2], F_PUB | F_CREATE, INT64_MAX, &o));
		qb_ipcc_disconnect(c);
	} else if (argc == 3 && strcmp(argv[1], "unlink") == 0) {
		qb_ipcc_connection_t *c = conn();

		printf("%d\n", evtipc_unlink(c, argv[2]));
		qb_ipcc_disconnect(c);
	} else {
		fprintf(stderr, "usage: evtraw selftest | publish CH PAT RET_S N | ids CH PREFIX WAIT_MS | "
		                "clear CH ID | hold CH S | unlink CH | try CH\n");
		return 2;
	}
	return 0;
}
