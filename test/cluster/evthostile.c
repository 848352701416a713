/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * evthostile INSTANCE DAEMON_PID: hostile input to the evt service of a
 * running daemon over raw libqb IPC ("ais-INSTANCE-evt"): random bytes,
 * truncated headers, sizes that lie, unknown ids, every request one byte
 * short, forged and foreign open ids, truncated publishes, pattern and
 * filter counts and lengths that overflow, too many opens, and a flood of
 * credit. Every request must get an error response or a clean disconnect
 * (never silence, never success where it must fail), the daemon must stay
 * alive, and a well-behaved connection opened first must still work at
 * the end. Prints "ok: ..." per case group; exits 0, or 1 with "FAIL: ...".
 */
#include "config.h"

#include <inttypes.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include "evtipc.h"

#define BUF_MAX (AIS_IPC_MSG_MAX + 4096)

#define CHECK(cond, ...)                                                  \
	do {                                                              \
		if (!(cond)) {                                            \
			printf("FAIL: " __VA_ARGS__);                     \
			printf(" (%s:%d)\n", __FILE__, __LINE__);         \
			exit(1);                                          \
		}                                                         \
	} while (0)

static const char *instance;
static pid_t daemon_pid;
static uint8_t *buf;
static uint8_t *rbuf;
static unsigned n_error, n_disconnect;
static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static qb_ipcc_connection_t *conn(void)
{
	qb_ipcc_connection_t *c = evtipc_connect(instance);

	CHECK(c != NULL, "cannot connect to the evt service of %s", instance);
	return c;
}

static void daemon_alive(const char *what)
{
	CHECK(kill(daemon_pid, 0) == 0, "the daemon died after: %s", what);
}

/* Send a request, read the answer: its error, or 0 after a disconnect (then
 * *c is reconnected), or -1 when libqb refused it locally. */
static int32_t exchange(qb_ipcc_connection_t **c, const void *req, size_t len, const char *what)
{
	ssize_t r = qb_ipcc_send(*c, req, len);
	int32_t err = 0;

	if (r == -EMSGSIZE || r == -EINVAL)
		return -1;
	if (r >= 0)
		r = qb_ipcc_recv(*c, rbuf, BUF_MAX, EVTIPC_TIMEOUT_MS);
	if (r >= (ssize_t)sizeof(struct qb_ipc_response_header)) {
		struct qb_ipc_response_header h;

		memcpy(&h, rbuf, sizeof(h));
		CHECK(h.size == (int32_t)r, "%s: response size field %d, received %zd", what, h.size, r);
		err = h.error;
		n_error++;
	} else {
		CHECK(r != -ETIMEDOUT && r != -EAGAIN, "%s: no answer and still connected", what);
		n_disconnect++;
		qb_ipcc_disconnect(*c);
		*c = conn();
	}
	daemon_alive(what);
	return err;
}

static void req_header(uint8_t *p, int32_t id, int32_t size)
{
	struct qb_ipc_request_header h;

	memset(&h, 0, sizeof(h));
	h.id = id;
	h.size = size;
	memcpy(p, &h, sizeof(h));
}

static void garbage(void)
{
	qb_ipcc_connection_t *c = conn();
	static const int32_t odd_ids[] = { -1, INT32_MIN, INT32_MAX, AIS_EVT_REQ_COUNT, 1000000,
	                                   AIS_EVT_EV_DELIVER };
	char what[128];

	for (int i = 0; i < 300; i++) {
		size_t len = 1 + rnd() % 2048;

		for (size_t k = 0; k < len; k++)
			buf[k] = (uint8_t)(rnd() >> 24);
		if (len >= sizeof(struct qb_ipc_request_header) && i % 3 == 0) {
			struct qb_ipc_request_header h;

			memcpy(&h, buf, sizeof(h));
			h.size = (int32_t)len;
			h.id = (int32_t)(rnd() % (AIS_EVT_REQ_COUNT + 2));
			if (h.id == AIS_EVT_REQ_CREDIT)
				h.id = AIS_EVT_REQ_COUNT; /* credit has no answer */
			memcpy(buf, &h, sizeof(h));
		}
		snprintf(what, sizeof(what), "random request %d (%zu bytes)", i, len);
		exchange(&c, buf, len, what);
	}
	for (size_t len = 1; len < sizeof(struct qb_ipc_request_header); len++) {
		memset(buf, 0, len);
		snprintf(what, sizeof(what), "truncated header of %zu bytes", len);
		exchange(&c, buf, len, what);
	}
	for (int32_t id = 0; id < AIS_EVT_REQ_COUNT; id++) {
		static const int32_t lies[] = { 0, -1, 8, 15, 17, 1 << 30, INT32_MIN };

		for (size_t k = 0; k < sizeof(lies) / sizeof(lies[0]); k++) {
			memset(buf, 0, 64);
			req_header(buf, id, lies[k]);
			snprintf(what, sizeof(what), "id %d with size field %d (sent 16)", id, lies[k]);
			CHECK(exchange(&c, buf, 16, what) != SA_OK, "%s accepted", what);
		}
	}
	for (size_t k = 0; k < sizeof(odd_ids) / sizeof(odd_ids[0]); k++) {
		memset(buf, 0, 512);
		req_header(buf, odd_ids[k], 512);
		snprintf(what, sizeof(what), "request id %d", odd_ids[k]);
		CHECK(exchange(&c, buf, 512, what) != SA_OK, "%s accepted", what);
	}
	memset(buf, 0xab, AIS_IPC_MSG_MAX);
	req_header(buf, AIS_EVT_REQ_PUBLISH, AIS_IPC_MSG_MAX - 64);
	exchange(&c, buf, AIS_IPC_MSG_MAX - 64, "oversize publish of 0xab bytes");
	qb_ipcc_disconnect(c);
	printf("ok: garbage, truncated headers, lying sizes, odd ids\n");
}

static void short_bodies(void)
{
	static const size_t full[AIS_EVT_REQ_COUNT] = {
		[AIS_EVT_REQ_CHANNEL_OPEN] = sizeof(struct ais_evt_req_open),
		[AIS_EVT_REQ_CHANNEL_CLOSE] = sizeof(struct ais_evt_req_close),
		[AIS_EVT_REQ_CHANNEL_UNLINK] = sizeof(struct ais_evt_req_unlink),
		[AIS_EVT_REQ_PUBLISH] = sizeof(struct ais_evt_req_publish),
		[AIS_EVT_REQ_SUBSCRIBE] = sizeof(struct ais_evt_req_subscribe),
		[AIS_EVT_REQ_UNSUBSCRIBE] = sizeof(struct ais_evt_req_unsubscribe),
		[AIS_EVT_REQ_RETENTION_CLEAR] = sizeof(struct ais_evt_req_clear),
		[AIS_EVT_REQ_CREDIT] = sizeof(struct ais_evt_req_credit),
		[AIS_EVT_REQ_STATUS] = sizeof(struct ais_evt_req_status),
	};
	qb_ipcc_connection_t *c = conn();
	char what[128];

	for (int32_t id = 0; id < AIS_EVT_REQ_COUNT; id++) {
		memset(buf, 0, full[id]);
		req_header(buf, id, (int32_t)full[id] - 1);
		snprintf(what, sizeof(what), "request %d one byte short", id);
		CHECK(exchange(&c, buf, full[id] - 1, what) == SA_INVALID_PARAM, "%s not INVALID_PARAM", what);
	}
	qb_ipcc_disconnect(c);
	printf("ok: every request one byte short\n");
}

static void forged_ids(qb_ipcc_connection_t *good, uint32_t good_open)
{
	qb_ipcc_connection_t *c = conn();
	uint64_t id;

	/* the good connection's open id means nothing on this connection */
	for (uint32_t k = 0; k < 200; k++) {
		uint32_t oid = k < 100 ? good_open + k : (uint32_t)rnd();

		CHECK(evtipc_close(c, oid) == SA_BAD_HANDLE, "close of forged open %u", oid);
		CHECK(evtipc_publish(c, oid, 1, 0, "x", "y", 1, &id) == SA_BAD_HANDLE, "publish on forged %u", oid);
		CHECK(evtipc_subscribe(c, oid, 1, 0, "") == SA_BAD_HANDLE, "subscribe on forged %u", oid);
		CHECK(evtipc_unsubscribe(c, oid, 1) == SA_BAD_HANDLE, "unsubscribe on forged %u", oid);
		CHECK(evtipc_clear(c, oid, 5000) == SA_BAD_HANDLE, "clear on forged %u", oid);
	}
	daemon_alive("forged open ids");
	(void)good;
	qb_ipcc_disconnect(c);
	printf("ok: forged and foreign open ids\n");
}

static size_t publish_req(uint8_t *p, uint32_t open_id, uint32_t n_patterns, uint32_t data_len,
                          const uint32_t *lens, size_t n_lens, size_t extra_data)
{
	struct ais_evt_req_publish r;
	size_t off = sizeof(r);

	memset(&r, 0, sizeof(r));
	r.header.id = AIS_EVT_REQ_PUBLISH;
	r.open_id = open_id;
	r.priority = 1;
	r.n_patterns = n_patterns;
	r.data_len = data_len;
	for (size_t i = 0; i < n_lens; i++) {
		struct ais_evt_blob b = { lens[i], 0 };
		size_t pad = lens[i] <= AIS_EVT_PATTERN_MAX ? AIS_EVT_PAD(lens[i]) : 8;

		memcpy(p + off, &b, sizeof(b));
		off += sizeof(b);
		memset(p + off, 'p', pad);
		off += pad;
	}
	memset(p + off, 'd', extra_data);
	off += extra_data;
	r.header.size = (int32_t)off;
	memcpy(p, &r, sizeof(r));
	return off;
}

static void bad_publish_subscribe(void)
{
	qb_ipcc_connection_t *c = conn();
	uint32_t o, lens[40];
	uint64_t id;
	size_t n;
	int32_t e;

	CHECK(evtipc_open(c, "hostile", F_PUB | F_SUB | F_CREATE, INT64_MAX, &o) == SA_OK, "open");
	for (int i = 0; i < 40; i++)
		lens[i] = 8;
	/* counts that promise more than the message holds */
	n = publish_req(buf, o, 5, 0, lens, 2, 0);
	CHECK(exchange(&c, buf, n, "publish: 5 patterns declared, 2 sent") == SA_INVALID_PARAM, "short patterns");
	n = publish_req(buf, o, 0xffffffffu, 0, lens, 1, 0);
	CHECK(exchange(&c, buf, n, "publish: pattern count 2^32-1") == SA_INVALID_PARAM, "huge count");
	n = publish_req(buf, o, 33, 0, lens, 33, 0);
	CHECK(exchange(&c, buf, n, "publish: 33 patterns") == SA_INVALID_PARAM, "33 patterns");
	lens[0] = 0xfffffff8u;
	n = publish_req(buf, o, 1, 0, lens, 1, 0);
	CHECK(exchange(&c, buf, n, "publish: pattern length 2^32-8") == SA_INVALID_PARAM, "huge pattern");
	lens[0] = 8;
	n = publish_req(buf, o, 1, 100, lens, 1, 50);
	CHECK(exchange(&c, buf, n, "publish: data shorter than declared") == SA_INVALID_PARAM, "short data");
	n = publish_req(buf, o, 1, 10, lens, 1, 50);
	CHECK(exchange(&c, buf, n, "publish: trailing bytes") == SA_INVALID_PARAM, "trailing data");
	n = publish_req(buf, o, 0, 0xffffffffu, lens, 0, 0);
	CHECK(exchange(&c, buf, n, "publish: data_len 2^32-1") == SA_TOO_BIG, "huge data_len");
	n = publish_req(buf, o, 0, AIS_EVT_DATA_MAX + 1, lens, 0, AIS_EVT_DATA_MAX + 1);
	CHECK(exchange(&c, buf, n, "publish: data over the limit") == SA_TOO_BIG, "data over limit");
	/* truncations of a valid publish */
	n = publish_req(buf, o, 2, 16, lens, 2, 16);
	CHECK(exchange(&c, buf, n, "valid publish") == SA_OK, "valid publish refused");
	for (size_t l = sizeof(struct ais_evt_req_publish); l < n; l += 3) {
		struct qb_ipc_request_header h;

		publish_req(buf, o, 2, 16, lens, 2, 16);
		memcpy(&h, buf, sizeof(h));
		h.size = (int32_t)l;
		memcpy(buf, &h, sizeof(h));
		e = exchange(&c, buf, l, "truncated publish");
		CHECK(e == SA_INVALID_PARAM, "truncated publish of %zu bytes: %d", l, e);
	}
	/* filters: counts that overflow, bad types, lengths that do not add up */
	{
		struct ais_evt_req_subscribe s;
		struct ais_evt_filter f = { 1, 8 };

		memset(&s, 0, sizeof(s));
		s.header.id = AIS_EVT_REQ_SUBSCRIBE;
		s.open_id = o;
		s.sub_id = 1;
		for (uint32_t k = 0; k < 6; k++) {
			static const uint32_t counts[] = { 0xffffffffu, 0x80000000u, 33, 3, 2, 1 };
			size_t off = sizeof(s);

			s.n_filters = counts[k];
			f.type = k == 5 ? 9 : 1;
			f.len = k == 4 ? 0xfffffff0u : 8;
			memcpy(buf + off, &f, sizeof(f));
			off += sizeof(f) + 8;
			memcpy(buf + off, &f, sizeof(f));
			off += sizeof(f) + 8;
			if (k == 5)
				off = sizeof(s) + sizeof(f) + 8;
			s.header.size = (int32_t)off;
			memcpy(buf, &s, sizeof(s));
			e = exchange(&c, buf, off, "bad subscribe");
			CHECK(e == SA_INVALID_PARAM, "bad subscribe %u: %d", k, e);
		}
	}
	CHECK(evtipc_publish(c, o, 1, 0, "x", "y", 1, &id) == SA_OK, "publish after the bad ones");
	qb_ipcc_disconnect(c);
	printf("ok: truncated publishes, overflowing pattern and filter counts\n");
}

static void limits_and_credit(void)
{
	qb_ipcc_connection_t *c = conn();
	uint32_t o = 0, first = 0;
	int e = SA_OK;
	int n = 0;

	/* opens per connection are bounded */
	while (n < AIS_EVT_OPENS_PER_CONN_MAX + 10) {
		e = evtipc_open(c, "hostile-many", F_SUB | F_CREATE, INT64_MAX, &o);
		if (e == SA_TRY_AGAIN)
			continue;
		if (e != SA_OK)
			break;
		if (!first)
			first = o;
		n++;
	}
	CHECK(e == SA_NO_RESOURCES && n == AIS_EVT_OPENS_PER_CONN_MAX, "%d opens, then %d", n, e);
	/* a flood of credit: no answer, no harm */
	for (int i = 0; i < 20000; i++)
		evtipc_credit(c, (uint32_t)rnd());
	CHECK(evtipc_subscribe(c, first, 1, 0, "") == SA_OK, "subscribe after the credit flood");
	daemon_alive("credit flood");
	qb_ipcc_disconnect(c);
	printf("ok: opens bounded, credit flood\n");
}

/* A subscriber that never reads while events are published: the engine
 * keeps at most its queue bound; the daemon and other clients go on. */
static void never_reads(void)
{
	qb_ipcc_connection_t *sub = conn(), *pub = conn();
	uint32_t os, op;
	uint64_t id;
	static char data[4096];
	int e;

	CHECK(evtipc_open(sub, "hostile-slow", F_SUB | F_CREATE, INT64_MAX, &os) == SA_OK, "open sub");
	CHECK(evtipc_subscribe(sub, os, 1, 0, "") == SA_OK, "subscribe");
	CHECK(evtipc_open(pub, "hostile-slow", F_PUB, INT64_MAX, &op) == SA_OK, "open pub");
	for (int i = 0; i < 3000; i++) {
		do {
			e = evtipc_publish(pub, op, (uint32_t)(i % 4), 0, "slow", data, sizeof(data), &id);
		} while (e == SA_TRY_AGAIN);
		CHECK(e == SA_OK, "publish %d: %d", i, e);
	}
	daemon_alive("a subscriber that never reads");
	qb_ipcc_disconnect(sub);
	qb_ipcc_disconnect(pub);
	printf("ok: a subscriber that never reads\n");
}

int main(int argc, char **argv)
{
	qb_ipcc_connection_t *good;
	uint32_t og;
	uint64_t id;
	struct ais_evt_ev_deliver d;
	ssize_t r;

	if (argc != 3) {
		fprintf(stderr, "usage: evthostile INSTANCE DAEMON_PID\n");
		return 2;
	}
	instance = argv[1];
	daemon_pid = (pid_t)atoi(argv[2]);
	setvbuf(stdout, NULL, _IOLBF, 0);
	buf = malloc(BUF_MAX);
	rbuf = malloc(BUF_MAX);
	CHECK(buf && rbuf, "out of memory");
	signal(SIGPIPE, SIG_IGN);

	good = conn();
	CHECK(evtipc_open(good, "good", F_PUB | F_SUB | F_CREATE, INT64_MAX, &og) == SA_OK, "good open");
	CHECK(evtipc_subscribe(good, og, 1, 1, "good") == SA_OK, "good subscribe");

	garbage();
	short_bodies();
	forged_ids(good, og);
	bad_publish_subscribe();
	limits_and_credit();
	never_reads();

	/* the well-behaved connection still works */
	CHECK(evtipc_publish(good, og, 0, 0, "good-end", "ok", 2, &id) == SA_OK, "good publish at the end");
	do {
		r = evtipc_event(good, rbuf, BUF_MAX, 5000);
		CHECK(r > 0, "the good connection got nothing: %zd", r);
		memcpy(&d, rbuf, sizeof(d));
	} while (d.header.id != AIS_EVT_EV_DELIVER || d.event_id != id);
	qb_ipcc_disconnect(good);
	daemon_alive("the end");
	printf("ok: the good connection still works (%u error answers, %u disconnects)\n", n_error, n_disconnect);
	return 0;
}
