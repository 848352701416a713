/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * evtapi: tests of libSaEvt against a running daemon ($AIS_INSTANCE), one
 * sub-command per area of the Event Service API:
 *
 *   init        version negotiation, selection object, LimitGet, finalize
 *               (twice, and BAD_HANDLE for everything derived afterwards)
 *   open        sync open with and without CREATE, flags and name errors,
 *               async open with its callback (only inside dispatch), INIT
 *               without the callback, independent handles to one channel,
 *               BAD_HANDLE after close
 *   events      allocate / attributes set+get / publish / subscribe /
 *               deliver / data get / pattern arrays (caller and library
 *               allocated) / free, access rules, republish, the selection
 *               object readable exactly while a callback is pending
 *   filters     prefix, suffix, exact and pass-all filters, several
 *               subscriptions on one handle, unsubscribe drops what is
 *               on its way
 *   retention   a late subscriber gets a retained event; clear removes it;
 *               reserved and unknown ids
 *   unlink      unlink removes the name at once; old opens keep the old
 *               channel; a new CREATE makes another one
 *   finalize-cb saEvtFinalize from inside a deliver callback
 *
 * Prints "ok: ..." per check and exits 0, or "FAIL: ..." and exits 1. An
 * alarm ends the program with a failure if a call never returns.
 */
#include "config.h"

#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <saEvt.h>

#define CHECK(cond, ...)                                                  \
	do {                                                              \
		if (!(cond)) {                                            \
			printf("FAIL: " __VA_ARGS__);                     \
			printf(" (%s:%d)\n", __FILE__, __LINE__);         \
			exit(1);                                          \
		}                                                         \
	} while (0)

#define EXPECT(call, want)                                                          \
	do {                                                                        \
		SaAisErrorT e_ = (call);                                            \
		CHECK(e_ == (want), "%s = %d, expected %d", #call, (int)e_, (int)(want)); \
	} while (0)

#define OK(call) EXPECT(call, SA_AIS_OK)

/* Hang guard only: a delivery that never comes fails the test this late. */
#define WAIT_MS 20000

struct got {
	SaEvtSubscriptionIdT sub;
	SaEvtEventHandleT event;
	SaSizeT size;
};

static struct got got[64];
static int n_got;
static bool in_sync_call;
static bool bad_callback;
static int n_open_cb;
static SaInvocationT open_cb_inv;
static SaEvtChannelHandleT open_cb_handle;
static SaAisErrorT open_cb_err;
static SaEvtHandleT finalize_target;
static SaAisErrorT finalize_result;

static void deliver_cb(SaEvtSubscriptionIdT sub, SaEvtEventHandleT ev, SaSizeT size)
{
	if (in_sync_call || n_got >= 64) {
		bad_callback = true;
		return;
	}
	got[n_got].sub = sub;
	got[n_got].event = ev;
	got[n_got].size = size;
	n_got++;
}

static void open_cb(SaInvocationT inv, SaEvtChannelHandleT ch, SaAisErrorT err)
{
	if (in_sync_call)
		bad_callback = true;
	n_open_cb++;
	open_cb_inv = inv;
	open_cb_handle = ch;
	open_cb_err = err;
}

static void deliver_finalize(SaEvtSubscriptionIdT sub, SaEvtEventHandleT ev, SaSizeT size)
{
	(void)sub;
	(void)ev;
	(void)size;
	n_got++;
	finalize_result = saEvtFinalize(finalize_target);
}

static const SaEvtCallbacksT callbacks = { open_cb, deliver_cb };
static char uniq[64];

static SaNameT chan_name(const char *what)
{
	SaNameT n;
	int len;

	memset(&n, 0, sizeof(n));
	len = snprintf((char *)n.value, sizeof(n.value), "evtapi-%s-%s", uniq, what);
	n.length = (SaUint16T)len;
	return n;
}

static SaEvtHandleT init(const SaEvtCallbacksT *cb)
{
	SaVersionT v = { 'B', 1, 1 };
	SaEvtHandleT h = 0;

	OK(saEvtInitialize(&h, cb, &v));
	return h;
}

static SaEvtChannelHandleT open_chan(SaEvtHandleT h, const char *what, SaEvtChannelOpenFlagsT flags)
{
	SaNameT n = chan_name(what);
	SaEvtChannelHandleT ch = 0;

	OK(saEvtChannelOpen(h, &n, flags, 10 * SA_TIME_ONE_SECOND, &ch));
	return ch;
}

static bool readable(SaEvtHandleT h, int timeout_ms)
{
	SaSelectionObjectT sel;
	struct pollfd pfd;

	OK(saEvtSelectionObjectGet(h, &sel));
	pfd.fd = (int)sel;
	pfd.events = POLLIN;
	return poll(&pfd, 1, timeout_ms) == 1;
}

/* Dispatch until n_got reaches want (hang guard WAIT_MS per event). */
static void wait_events(SaEvtHandleT h, int want)
{
	while (n_got < want) {
		CHECK(readable(h, WAIT_MS), "no delivery (have %d of %d)", n_got, want);
		OK(saEvtDispatch(h, SA_DISPATCH_ONE));
	}
	CHECK(!bad_callback, "a callback ran outside dispatch");
}

static SaEvtEventIdT publish(SaEvtEventHandleT ev, const void *data, SaSizeT size)
{
	SaEvtEventIdT id = 0;

	in_sync_call = true;
	OK(saEvtEventPublish(ev, data, size, &id));
	in_sync_call = false;
	CHECK(id > 1000, "event id %llu is reserved", (unsigned long long)id);
	return id;
}

static void set_patterns(SaEvtEventHandleT ev, int n, const char *const *p, SaEvtEventPriorityT prio,
                         SaTimeT retention)
{
	SaEvtEventPatternT pats[8];
	SaEvtEventPatternArrayT pa = { (SaSizeT)n, (SaSizeT)n, pats };
	SaNameT pub;

	for (int i = 0; i < n; i++) {
		pats[i].pattern = (SaUint8T *)(uintptr_t)p[i];
		pats[i].patternSize = strlen(p[i]);
		pats[i].allocatedSize = pats[i].patternSize;
	}
	memset(&pub, 0, sizeof(pub));
	pub.length = 6;
	memcpy(pub.value, "evtapi", 6);
	OK(saEvtEventAttributesSet(ev, &pa, prio, retention, &pub));
}

static void free_got(void)
{
	for (int i = 0; i < n_got; i++)
		OK(saEvtEventFree(got[i].event));
	n_got = 0;
}

/* ---- init -------------------------------------------------------------------- */

static void test_init(void)
{
	static const struct {
		SaVersionT v;
		SaAisErrorT want;
	} table[] = {
		{ { 'B', 1, 1 }, SA_AIS_OK },   { { 'A', 1, 1 }, SA_AIS_ERR_VERSION },
		{ { 'B', 2, 1 }, SA_AIS_ERR_VERSION }, { { 'B', 1, 0xff }, SA_AIS_OK },
		{ { 'C', 0xff, 0xff }, SA_AIS_ERR_VERSION }, { { 'B', 1, 0 }, SA_AIS_OK },
		{ { 'B', 3, 0 }, SA_AIS_OK },   { { 'B', 0, 0 }, SA_AIS_ERR_VERSION },
		{ { 0, 0, 0 }, SA_AIS_ERR_VERSION },
	};
	SaSelectionObjectT sel, sel2;
	SaLimitValueT lv;
	SaEvtHandleT h;
	SaEvtChannelHandleT ch;
	SaEvtEventHandleT ev;

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		SaVersionT v = table[i].v;

		EXPECT(saEvtInitialize(&h, &callbacks, &v), table[i].want);
		CHECK(v.releaseCode == 'B' && v.minorVersion == 1, "version written back");
		if (table[i].want == SA_AIS_OK) {
			CHECK(v.majorVersion == table[i].v.majorVersion, "major kept");
			OK(saEvtFinalize(h));
		} else {
			CHECK(v.majorVersion == 3, "closest supported is B.03.01");
		}
	}
	EXPECT(saEvtInitialize(&h, &callbacks, NULL), SA_AIS_ERR_INVALID_PARAM);
	printf("ok: version table\n");

	h = init(NULL); /* callbacks are optional */
	OK(saEvtSelectionObjectGet(h, &sel));
	OK(saEvtSelectionObjectGet(h, &sel2));
	CHECK(sel == sel2, "selection object is stable");
	CHECK(!readable(h, 0), "readable with nothing pending");
	EXPECT(saEvtSelectionObjectGet(h, NULL), SA_AIS_ERR_INVALID_PARAM);
	EXPECT(saEvtDispatch(h, (SaDispatchFlagsT)0), SA_AIS_ERR_INVALID_PARAM);
	OK(saEvtDispatch(h, SA_DISPATCH_ALL));
	OK(saEvtLimitGet(h, SA_EVT_MAX_EVT_SIZE_ID, &lv));
	CHECK(lv.uint64Value == SA_EVT_DATA_MAX_LEN, "max event size");
	OK(saEvtLimitGet(h, SA_EVT_MAX_NUM_PATTERNS_ID, &lv));
	CHECK(lv.uint64Value >= 1, "max patterns");
	OK(saEvtLimitGet(h, SA_EVT_MAX_PATTERN_SIZE_ID, &lv));
	OK(saEvtLimitGet(h, SA_EVT_MAX_NUM_CHANNELS_ID, &lv));
	OK(saEvtLimitGet(h, SA_EVT_MAX_RETENTION_DURATION_ID, &lv));
	CHECK(lv.timeValue > 0, "max retention");
	EXPECT(saEvtLimitGet(h, (SaEvtLimitIdT)99, &lv), SA_AIS_ERR_INVALID_PARAM);
	printf("ok: selection object and limits\n");

	ch = open_chan(h, "init", SA_EVT_CHANNEL_PUBLISHER | SA_EVT_CHANNEL_CREATE);
	OK(saEvtEventAllocate(ch, &ev));
	OK(saEvtFinalize(h));
	EXPECT(saEvtFinalize(h), SA_AIS_ERR_BAD_HANDLE);
	EXPECT(saEvtSelectionObjectGet(h, &sel), SA_AIS_ERR_BAD_HANDLE);
	EXPECT(saEvtDispatch(h, SA_DISPATCH_ALL), SA_AIS_ERR_BAD_HANDLE);
	EXPECT(saEvtEventFree(ev), SA_AIS_ERR_BAD_HANDLE);
	EXPECT(saEvtChannelClose(ch), SA_AIS_ERR_BAD_HANDLE);
	EXPECT(saEvtLimitGet(h, SA_EVT_MAX_EVT_SIZE_ID, &lv), SA_AIS_ERR_BAD_HANDLE);
	printf("ok: finalize frees channels and events\n");
}

/* ---- open -------------------------------------------------------------------- */

static void test_open(void)
{
	SaEvtCallbacksT no_open = { NULL, deliver_cb };
	SaEvtHandleT h = init(&callbacks), h2;
	SaNameT n = chan_name("open"), none = chan_name("nonexistent"), longname = n;
	SaEvtChannelHandleT a, b, c;
	SaEvtEventHandleT ev;

	longname.length = SA_MAX_NAME_LENGTH + 1;
	EXPECT(saEvtChannelOpen(h, NULL, 7, SA_TIME_ONE_SECOND, &a), SA_AIS_ERR_INVALID_PARAM);
	EXPECT(saEvtChannelOpen(h, &n, 7, SA_TIME_ONE_SECOND, NULL), SA_AIS_ERR_INVALID_PARAM);
	EXPECT(saEvtChannelOpen(h, &n, 0x8, SA_TIME_ONE_SECOND, &a), SA_AIS_ERR_BAD_FLAGS);
	EXPECT(saEvtChannelOpen(h, &longname, 7, SA_TIME_ONE_SECOND, &a), SA_AIS_ERR_NAME_TOO_LONG);
	EXPECT(saEvtChannelOpen(h, &none, SA_EVT_CHANNEL_SUBSCRIBER, 10 * SA_TIME_ONE_SECOND, &a),
	       SA_AIS_ERR_NOT_EXIST);
	OK(saEvtChannelOpen(h, &n, SA_EVT_CHANNEL_PUBLISHER | SA_EVT_CHANNEL_CREATE,
	                    10 * SA_TIME_ONE_SECOND, &a));
	/* exists now: no CREATE needed, and an independent handle */
	OK(saEvtChannelOpen(h, &n, SA_EVT_CHANNEL_SUBSCRIBER, 10 * SA_TIME_ONE_SECOND, &b));
	CHECK(a != b, "two opens, two handles");
	printf("ok: sync open\n");

	n_open_cb = 0;
	in_sync_call = true;
	OK(saEvtChannelOpenAsync(h, 4242, &n, SA_EVT_CHANNEL_PUBLISHER));
	in_sync_call = false;
	CHECK(n_open_cb == 0, "open callback outside dispatch");
	while (n_open_cb == 0) {
		CHECK(readable(h, WAIT_MS), "no open callback");
		OK(saEvtDispatch(h, SA_DISPATCH_ONE));
	}
	CHECK(open_cb_inv == 4242 && open_cb_err == SA_AIS_OK && open_cb_handle != 0,
	      "async open result: inv %llu err %d", (unsigned long long)open_cb_inv, (int)open_cb_err);
	c = open_cb_handle;
	OK(saEvtEventAllocate(c, &ev));
	OK(saEvtEventFree(ev));
	OK(saEvtChannelOpenAsync(h, 4343, &none, SA_EVT_CHANNEL_SUBSCRIBER));
	while (n_open_cb == 1) {
		CHECK(readable(h, WAIT_MS), "no open callback");
		OK(saEvtDispatch(h, SA_DISPATCH_ONE));
	}
	CHECK(open_cb_inv == 4343 && open_cb_err == SA_AIS_ERR_NOT_EXIST, "async open of a missing channel");
	EXPECT(saEvtChannelOpenAsync(h, 1, NULL, 7), SA_AIS_ERR_INVALID_PARAM);
	EXPECT(saEvtChannelOpenAsync(h, 1, &n, 0xf0), SA_AIS_ERR_BAD_FLAGS);
	h2 = init(&no_open);
	EXPECT(saEvtChannelOpenAsync(h2, 1, &n, 7), SA_AIS_ERR_INIT);
	OK(saEvtFinalize(h2));
	printf("ok: async open\n");

	OK(saEvtEventAllocate(a, &ev));
	OK(saEvtChannelClose(a));
	EXPECT(saEvtChannelClose(a), SA_AIS_ERR_BAD_HANDLE);
	EXPECT(saEvtEventFree(ev), SA_AIS_ERR_BAD_HANDLE);
	EXPECT(saEvtEventAllocate(a, &ev), SA_AIS_ERR_BAD_HANDLE);
	OK(saEvtChannelClose(b));
	OK(saEvtChannelClose(c));
	OK(saEvtChannelUnlink(h, &n));
	OK(saEvtFinalize(h));
	printf("ok: close\n");
}

/* ---- events ------------------------------------------------------------------- */

static void test_events(void)
{
	static const char *const pats[] = { "first", "second-pattern", "3" };
	SaEvtHandleT h = init(&callbacks);
	SaEvtChannelHandleT pub = open_chan(h, "events", SA_EVT_CHANNEL_PUBLISHER | SA_EVT_CHANNEL_CREATE);
	SaEvtChannelHandleT sub = open_chan(h, "events", SA_EVT_CHANNEL_SUBSCRIBER);
	SaEvtChannelHandleT both = open_chan(h, "events", 7);
	SaEvtEventFilterArrayT all = { 0, NULL };
	SaEvtEventPatternT small[2];
	uint8_t b0[3], b1[64];
	SaEvtEventPatternArrayT pa = { 0, 0, NULL };
	SaEvtEventPriorityT prio;
	SaTimeT ret, pt;
	SaNameT pubname;
	SaEvtEventIdT id, id2, gid;
	SaEvtEventHandleT ev, ev2;
	char data[1000], buf[1000];
	SaSizeT sz;

	EXPECT(saEvtEventAllocate(sub, &ev), SA_AIS_ERR_ACCESS);
	EXPECT(saEvtEventAllocate(pub, NULL), SA_AIS_ERR_INVALID_PARAM);
	EXPECT(saEvtEventSubscribe(pub, &all, 1), SA_AIS_ERR_ACCESS);
	EXPECT(saEvtEventSubscribe(sub, NULL, 1), SA_AIS_ERR_INVALID_PARAM);
	OK(saEvtEventAllocate(pub, &ev));
	OK(saEvtEventAttributesGet(ev, NULL, NULL, NULL, NULL, NULL, NULL));
	pa.allocatedNumber = 0;
	OK(saEvtEventAttributesGet(ev, &pa, &prio, &ret, &pubname, NULL, &gid));
	CHECK(pa.patternsNumber == 0 && prio == SA_EVT_LOWEST_PRIORITY && ret == 0 &&
	      pubname.length == 0 && gid == SA_EVT_EVENTID_NONE, "defaults of a new event");
	OK(saEvtEventPatternFree(ev, pa.patterns));
	EXPECT(saEvtEventAttributesSet(ev, NULL, 4, 0, NULL), SA_AIS_ERR_INVALID_PARAM);
	sz = sizeof(buf);
	EXPECT(saEvtEventDataGet(ev, buf, &sz), SA_AIS_ERR_BAD_HANDLE);
	printf("ok: allocate, defaults, access\n");

	/* nothing pending: not readable; a publish makes it readable */
	OK(saEvtEventSubscribe(sub, &all, 7));
	CHECK(!readable(h, 0), "readable before any publish");
	set_patterns(ev, 3, pats, 1, 0);
	memset(data, 'x', sizeof(data));
	id = publish(ev, data, sizeof(data));
	wait_events(h, 1);
	CHECK(!readable(h, 0), "still readable with nothing pending");
	CHECK(got[0].sub == 7 && got[0].size == sizeof(data), "delivery: sub %u size %llu",
	      (unsigned)got[0].sub, (unsigned long long)got[0].size);
	printf("ok: publish, deliver, selection object\n");

	/* delivered event: attributes, caller arrays too small, data */
	small[0].pattern = b0;
	small[0].allocatedSize = sizeof(b0);
	small[1].pattern = b1;
	small[1].allocatedSize = sizeof(b1);
	pa.allocatedNumber = 2;
	pa.patterns = small;
	EXPECT(saEvtEventAttributesGet(got[0].event, &pa, &prio, &ret, &pubname, &pt, &gid),
	       SA_AIS_ERR_NO_SPACE);
	CHECK(pa.patternsNumber == 3 && small[0].patternSize == 5 && small[1].patternSize == 14 &&
	      memcmp(b0, "fir", 3) == 0 && memcmp(b1, "second-pattern", 14) == 0,
	      "caller arrays: what fits, real sizes");
	CHECK(prio == 1 && gid == id && pubname.length == 6 && pt > 0, "delivered attributes");
	pa.patterns = NULL;
	OK(saEvtEventAttributesGet(got[0].event, &pa, NULL, NULL, NULL, NULL, NULL));
	CHECK(pa.patternsNumber == 3 && pa.patterns[2].patternSize == 1 && pa.patterns[2].pattern[0] == '3',
	      "library-allocated patterns");
	OK(saEvtEventPatternFree(got[0].event, pa.patterns));
	EXPECT(saEvtEventAttributesSet(got[0].event, NULL, 0, 0, NULL), SA_AIS_ERR_ACCESS);
	sz = 10;
	EXPECT(saEvtEventDataGet(got[0].event, buf, &sz), SA_AIS_ERR_NO_SPACE);
	CHECK(sz == sizeof(data), "needed size written back");
	EXPECT(saEvtEventDataGet(got[0].event, buf, NULL), SA_AIS_ERR_INVALID_PARAM);
	sz = sizeof(buf);
	OK(saEvtEventDataGet(got[0].event, buf, &sz));
	CHECK(sz == sizeof(data) && memcmp(buf, data, sz) == 0, "event data");
	free_got();
	printf("ok: attributes and data of a delivered event\n");

	/* republish: new id; the publisher's own subscription gets it too */
	OK(saEvtEventSubscribe(both, &all, 8));
	id2 = publish(ev, NULL, 0);
	CHECK(id2 != id, "republish gets a new id");
	wait_events(h, 2);
	CHECK((got[0].sub == 7 && got[1].sub == 8) || (got[0].sub == 8 && got[1].sub == 7),
	      "both subscriptions got it");
	free_got();
	EXPECT(saEvtEventPublish(ev, data, SA_EVT_DATA_MAX_LEN + 1, &id2), SA_AIS_ERR_TOO_BIG);
	EXPECT(saEvtEventPublish(ev, data, 1, NULL), SA_AIS_ERR_INVALID_PARAM);
	/* the largest event */
	{
		char *big = calloc(1, SA_EVT_DATA_MAX_LEN);

		CHECK(big != NULL, "calloc");
		big[SA_EVT_DATA_MAX_LEN - 1] = 'z';
		publish(ev, big, SA_EVT_DATA_MAX_LEN);
		wait_events(h, 2);
		CHECK(got[0].size == SA_EVT_DATA_MAX_LEN, "largest event delivered");
		free(big);
		free_got();
	}
	printf("ok: republish, own events, sizes\n");

	/* close frees delivered events; BAD_HANDLE afterwards */
	OK(saEvtEventAllocate(both, &ev2));
	publish(ev, NULL, 0);
	wait_events(h, 2);
	OK(saEvtChannelClose(sub));
	for (int i = 0; i < n_got; i++)
		if (got[i].sub == 7)
			EXPECT(saEvtEventFree(got[i].event), SA_AIS_ERR_BAD_HANDLE);
	OK(saEvtChannelClose(both));
	EXPECT(saEvtEventFree(ev2), SA_AIS_ERR_BAD_HANDLE);
	for (int i = 0; i < n_got; i++)
		EXPECT(saEvtEventFree(got[i].event), SA_AIS_ERR_BAD_HANDLE);
	n_got = 0;
	OK(saEvtEventFree(ev));
	EXPECT(saEvtEventFree(ev), SA_AIS_ERR_BAD_HANDLE);
	OK(saEvtFinalize(h));
	printf("ok: close frees allocated and delivered events\n");
}

/* ---- filters ----------------------------------------------------------------- */

static void subscribe1(SaEvtChannelHandleT ch, SaEvtEventFilterTypeT type, const char *s,
                       SaEvtSubscriptionIdT id)
{
	SaEvtEventFilterT f = { type, { strlen(s), strlen(s), (SaUint8T *)(uintptr_t)s } };
	SaEvtEventFilterArrayT fa = { 1, &f };

	OK(saEvtEventSubscribe(ch, &fa, id));
}

static unsigned subs_of(int n)
{
	unsigned mask = 0;

	for (int i = 0; i < n_got; i++)
		mask |= 1u << got[i].sub;
	(void)n;
	return mask;
}

static void test_filters(void)
{
	static const char *const p_abc[] = { "abcdef" };
	static const char *const p_xyz[] = { "xyz" };
	SaEvtHandleT h = init(&callbacks);
	SaEvtChannelHandleT ch = open_chan(h, "filters", 7);
	SaEvtEventHandleT ev;
	SaEvtEventFilterT two[2] = { { SA_EVT_PASS_ALL_FILTER, { 0, 0, NULL } },
		                     { SA_EVT_EXACT_FILTER, { 1, 1, (SaUint8T *)"q" } } };
	SaEvtEventFilterArrayT fa2 = { 2, two };
	SaEvtEventFilterArrayT bad = { 1, two };
	const char *const p_two[] = { "anything", "q" };

	subscribe1(ch, SA_EVT_PREFIX_FILTER, "abc", 1);
	subscribe1(ch, SA_EVT_SUFFIX_FILTER, "def", 2);
	subscribe1(ch, SA_EVT_EXACT_FILTER, "abcdef", 3);
	subscribe1(ch, SA_EVT_EXACT_FILTER, "abc", 4);
	subscribe1(ch, SA_EVT_PASS_ALL_FILTER, "", 5);
	subscribe1(ch, SA_EVT_PREFIX_FILTER, "", 6);
	OK(saEvtEventSubscribe(ch, &fa2, 7));
	EXPECT(saEvtEventSubscribe(ch, &fa2, 7), SA_AIS_ERR_EXIST);
	two[0].filterType = (SaEvtEventFilterTypeT)9;
	EXPECT(saEvtEventSubscribe(ch, &bad, 8), SA_AIS_ERR_INVALID_PARAM);
	two[0].filterType = SA_EVT_PASS_ALL_FILTER;

	OK(saEvtEventAllocate(ch, &ev));
	set_patterns(ev, 1, p_abc, 2, 0);
	publish(ev, NULL, 0);
	wait_events(h, 5);
	CHECK(subs_of(5) == ((1u << 1) | (1u << 2) | (1u << 3) | (1u << 5) | (1u << 6)),
	      "abcdef matched subscriptions 0x%x", subs_of(5));
	free_got();
	set_patterns(ev, 1, p_xyz, 2, 0);
	publish(ev, NULL, 0);
	wait_events(h, 2);
	set_patterns(ev, 2, p_two, 2, 0);
	publish(ev, NULL, 0);
	wait_events(h, 5);
	/* the first publish's matches (5, 6) then the second's (5, 6, 7) */
	CHECK(subs_of(5) == ((1u << 5) | (1u << 6) | (1u << 7)), "xyz / two patterns matched 0x%x",
	      subs_of(5));
	free_got();
	printf("ok: prefix, suffix, exact, pass-all, several filters\n");

	/* unsubscribe: NOT_EXIST for unknown ids; nothing more for the old id */
	EXPECT(saEvtEventUnsubscribe(ch, 99), SA_AIS_ERR_NOT_EXIST);
	for (SaEvtSubscriptionIdT s = 1; s <= 7; s++)
		if (s != 5)
			OK(saEvtEventUnsubscribe(ch, s));
	publish(ev, NULL, 0);
	OK(saEvtEventUnsubscribe(ch, 5));
	subscribe1(ch, SA_EVT_PASS_ALL_FILTER, "", 9);
	publish(ev, NULL, 0);
	wait_events(h, 1);
	CHECK(got[0].sub == 9, "event for an unsubscribed id delivered (sub %u)", (unsigned)got[0].sub);
	free_got();
	OK(saEvtFinalize(h));
	printf("ok: unsubscribe\n");
}

/* ---- retention --------------------------------------------------------------- */

static void test_retention(void)
{
	static const char *const p[] = { "kept" };
	SaEvtHandleT h = init(&callbacks);
	SaEvtChannelHandleT ch = open_chan(h, "retention", SA_EVT_CHANNEL_PUBLISHER | SA_EVT_CHANNEL_CREATE);
	SaEvtChannelHandleT late;
	SaEvtEventFilterArrayT all = { 0, NULL };
	SaEvtEventHandleT ev;
	SaEvtEventIdT id, gid;
	SaTimeT ret;

	OK(saEvtEventAllocate(ch, &ev));
	set_patterns(ev, 1, p, 0, SA_TIME_ONE_HOUR);
	EXPECT(saEvtEventAttributesSet(ev, NULL, 0, SA_TIME_END, NULL), SA_AIS_ERR_TOO_BIG);
	id = publish(ev, "r", 1);
	late = open_chan(h, "retention", SA_EVT_CHANNEL_SUBSCRIBER);
	OK(saEvtEventSubscribe(late, &all, 3));
	wait_events(h, 1);
	OK(saEvtEventAttributesGet(got[0].event, NULL, NULL, &ret, NULL, NULL, &gid));
	CHECK(gid == id && ret == SA_TIME_ONE_HOUR, "late subscriber got the retained event");
	free_got();
	printf("ok: retained event reaches a late subscriber\n");

	EXPECT(saEvtEventRetentionTimeClear(ch, 0), SA_AIS_ERR_INVALID_PARAM);
	EXPECT(saEvtEventRetentionTimeClear(ch, 1000), SA_AIS_ERR_INVALID_PARAM);
	EXPECT(saEvtEventRetentionTimeClear(ch, id + 1000000), SA_AIS_ERR_NOT_EXIST);
	/* any opener may clear */
	OK(saEvtEventRetentionTimeClear(late, id));
	EXPECT(saEvtEventRetentionTimeClear(ch, id), SA_AIS_ERR_NOT_EXIST);
	OK(saEvtEventUnsubscribe(late, 3));
	OK(saEvtEventSubscribe(late, &all, 4));
	/* a marker published after the clear is the first thing to arrive */
	set_patterns(ev, 1, p, 0, 0);
	gid = publish(ev, NULL, 0);
	wait_events(h, 1);
	OK(saEvtEventAttributesGet(got[0].event, NULL, NULL, NULL, NULL, NULL, &id));
	CHECK(id == gid, "a cleared event was delivered again");
	free_got();
	OK(saEvtFinalize(h));
	printf("ok: retention clear\n");
}

/* ---- unlink ------------------------------------------------------------------ */

static void test_unlink(void)
{
	SaEvtHandleT h = init(&callbacks);
	SaNameT n = chan_name("unlink");
	SaEvtChannelHandleT old = open_chan(h, "unlink", 7), fresh, x;
	SaEvtEventFilterArrayT all = { 0, NULL };
	SaEvtEventHandleT ev_old, ev_new;

	OK(saEvtEventSubscribe(old, &all, 1));
	EXPECT(saEvtChannelUnlink(h, NULL), SA_AIS_ERR_INVALID_PARAM);
	OK(saEvtChannelUnlink(h, &n));
	EXPECT(saEvtChannelUnlink(h, &n), SA_AIS_ERR_NOT_EXIST);
	EXPECT(saEvtChannelOpen(h, &n, SA_EVT_CHANNEL_SUBSCRIBER, 10 * SA_TIME_ONE_SECOND, &x),
	       SA_AIS_ERR_NOT_EXIST);
	/* a new channel under the old name; the old open keeps the old one */
	fresh = open_chan(h, "unlink", 7);
	OK(saEvtEventSubscribe(fresh, &all, 2));
	OK(saEvtEventAllocate(old, &ev_old));
	OK(saEvtEventAllocate(fresh, &ev_new));
	publish(ev_old, NULL, 0);
	wait_events(h, 1);
	CHECK(got[0].sub == 1, "old channel's event went to sub %u", (unsigned)got[0].sub);
	free_got();
	publish(ev_new, NULL, 0);
	wait_events(h, 1);
	CHECK(got[0].sub == 2, "new channel's event went to sub %u", (unsigned)got[0].sub);
	free_got();
	OK(saEvtChannelClose(old));
	OK(saEvtChannelClose(fresh));
	OK(saEvtChannelUnlink(h, &n));
	OK(saEvtFinalize(h));
	printf("ok: unlink\n");
}

/* ---- finalize inside a callback ------------------------------------------------ */

static void test_finalize_cb(void)
{
	SaEvtCallbacksT cb = { open_cb, deliver_finalize };
	SaEvtEventFilterArrayT all = { 0, NULL };
	SaEvtChannelHandleT ch;
	SaEvtEventHandleT ev;
	SaEvtEventIdT id;

	finalize_target = init(&cb);
	ch = open_chan(finalize_target, "fincb", 7);
	OK(saEvtEventSubscribe(ch, &all, 1));
	OK(saEvtEventAllocate(ch, &ev));
	OK(saEvtEventPublish(ev, NULL, 0, &id));
	OK(saEvtEventPublish(ev, NULL, 0, &id));
	OK(saEvtEventPublish(ev, NULL, 0, &id));
	n_got = 0;
	CHECK(readable(finalize_target, WAIT_MS), "no delivery");
	OK(saEvtDispatch(finalize_target, SA_DISPATCH_BLOCKING));
	CHECK(n_got == 1, "%d callbacks after finalize", n_got);
	CHECK(finalize_result == SA_AIS_OK, "finalize in callback: %d", (int)finalize_result);
	EXPECT(saEvtDispatch(finalize_target, SA_DISPATCH_ALL), SA_AIS_ERR_BAD_HANDLE);
	EXPECT(saEvtEventFree(ev), SA_AIS_ERR_BAD_HANDLE);
	EXPECT(saEvtChannelClose(ch), SA_AIS_ERR_BAD_HANDLE);
	printf("ok: finalize inside a callback\n");
}

static void on_alarm(int sig)
{
	(void)sig;
	static const char msg[] = "FAIL: a call did not return in time\n";

	(void)!write(1, msg, sizeof(msg) - 1);
	_exit(1);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
		{ "init", test_init },         { "open", test_open },
		{ "events", test_events },     { "filters", test_filters },
		{ "retention", test_retention }, { "unlink", test_unlink },
		{ "finalize-cb", test_finalize_cb },
	};

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGALRM, on_alarm);
	alarm(240);
	snprintf(uniq, sizeof(uniq), "%d", (int)getpid());
	for (size_t i = 0; argc == 2 && i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (strcmp(argv[1], tests[i].name) == 0) {
			tests[i].fn();
			return 0;
		}
	}
	fprintf(stderr, "usage: evtapi init|open|events|filters|retention|unlink|finalize-cb\n");
	return 2;
}
