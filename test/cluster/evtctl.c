/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * evtctl: an Event service client for the cluster tests, written only
 * against the SA Forum API (saEvt.h). One command per run:
 *
 *   evtctl pub   -c CHAN [-n N] [-p PRIO] [-r RETENTION_MS] [-P PATTERN]...
 *                [-z DATA_SIZE] [-t TAG] [-R RATE]
 *       publish N events (data "TAG:SEQ", padded to DATA_SIZE); prints
 *       "P <event id> <TAG:SEQ>" per event.
 *   evtctl sub   -c CHAN [-f FILTER]... [-s SUB_ID] [-n COUNT] [-q QUIET_MS]
 *                [-w WAIT_MS] [-S SLEEP_MS]
 *       subscribe (FILTER: prefix:X, suffix:X, exact:X, all) and print
 *       "E <sub id> <event id> <prio> <retention ms> <publisher> <patterns> <data>"
 *       per delivered event (patterns joined by '|', "-" when none); exits
 *       after COUNT events, or when nothing arrived for QUIET_MS, or after
 *       WAIT_MS in all. "READY" is printed once the subscription is in place.
 *       -S sleeps that long before each dispatch (a slow subscriber);
 *       -H holds: wait for SIGUSR1 before the first dispatch.
 *   evtctl clear -c CHAN ID      retention time clear
 *   evtctl unlink -c CHAN        channel unlink
 *
 * The node is picked by $AIS_INSTANCE. Exit status: 0 done, 1 an API call
 * failed (the call and its error are printed on stderr), 2 usage.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <saAis.h>
#include <saEvt.h>

#define EVTCTL_FILTERS_MAX 8
#define EVTCTL_PATTERNS_MAX 8
#define EVTCTL_TRY_AGAIN_MS 10
#define EVTCTL_TRY_AGAIN_LIMIT 3000

static const char *arg_channel = "evtctl";
static unsigned long arg_count;
static bool count_set;
static unsigned arg_prio = SA_EVT_LOWEST_PRIORITY;
static long long arg_retention_ms;
static const char *arg_patterns[EVTCTL_PATTERNS_MAX];
static size_t n_patterns;
static const char *arg_filters[EVTCTL_FILTERS_MAX];
static size_t n_filters;
static size_t arg_size;
static const char *arg_tag = "e";
static unsigned arg_rate;
static unsigned arg_sub_id = 1;
static unsigned arg_quiet_ms;
static unsigned arg_wait_ms;
static unsigned arg_sleep_ms;
static bool arg_hold;
static volatile sig_atomic_t released;

static unsigned long delivered;
static SaEvtHandleT evt_handle;

static void die_sa(const char *call, SaAisErrorT err)
{
	fprintf(stderr, "evtctl: %s: error %d\n", call, (int)err);
	exit(1);
}

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: evtctl pub|sub|clear|unlink -c CHANNEL [options]\n"
	        "  pub:    -n N -p PRIO -r RETENTION_MS -P PATTERN... -z SIZE -t TAG -R RATE\n"
	        "  sub:    -f prefix:X|suffix:X|exact:X|all ... -s SUB_ID -n COUNT -q QUIET_MS\n"
	        "          -w WAIT_MS -S SLEEP_MS -H (hold until SIGUSR1)\n"
	        "  clear:  -c CHANNEL EVENT_ID\n"
	        "  unlink: -c CHANNEL\n"
	        "The node is picked by AIS_INSTANCE.\n");
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
	}
}

static void name_set(SaNameT *n, const char *s)
{
	size_t len = strlen(s);

	if (len > SA_MAX_NAME_LENGTH)
		len = SA_MAX_NAME_LENGTH;
	memset(n, 0, sizeof(*n));
	n->length = (SaUint16T)len;
	memcpy(n->value, s, len);
}

/* Retry a call while the cluster answers TRY_AGAIN (sync, flow control). */
#define RETRY(call)                                                                \
	({                                                                         \
		SaAisErrorT r_;                                                    \
		unsigned n_ = 0;                                                   \
		while ((r_ = (call)) == SA_AIS_ERR_TRY_AGAIN && n_++ < EVTCTL_TRY_AGAIN_LIMIT) \
			sleep_ms(EVTCTL_TRY_AGAIN_MS);                             \
		r_;                                                                \
	})

static void print_event(SaEvtSubscriptionIdT sub, SaEvtEventHandleT ev, SaSizeT size)
{
	SaEvtEventPatternArrayT pa = { .allocatedNumber = 0, .patternsNumber = 0, .patterns = NULL };
	SaEvtEventPriorityT prio = 0;
	SaTimeT retention = 0, publish_time = 0;
	SaNameT publisher;
	SaEvtEventIdT id = 0;
	char *data;
	SaSizeT data_len = size;
	SaAisErrorT r;

	memset(&publisher, 0, sizeof(publisher));
	r = saEvtEventAttributesGet(ev, &pa, &prio, &retention, &publisher, &publish_time, &id);
	if (r != SA_AIS_OK)
		die_sa("saEvtEventAttributesGet", r);
	data = calloc(1, (size_t)size + 1);
	if (data == NULL)
		die_sa("calloc", SA_AIS_ERR_NO_MEMORY);
	r = saEvtEventDataGet(ev, data, &data_len);
	if (r != SA_AIS_OK)
		die_sa("saEvtEventDataGet", r);
	printf("E %u %" PRIu64 " %u %lld %.*s ", (unsigned)sub, (uint64_t)id, (unsigned)prio,
	       (long long)(retention / SA_TIME_ONE_MILLISECOND),
	       publisher.length > 0 ? (int)publisher.length : 1,
	       publisher.length > 0 ? (const char *)publisher.value : "-");
	if (pa.patternsNumber == 0)
		printf("-");
	for (SaSizeT i = 0; i < pa.patternsNumber; i++)
		printf("%s%.*s", i > 0 ? "|" : "", (int)pa.patterns[i].patternSize,
		       (const char *)pa.patterns[i].pattern);
	/* the data is text up to the first NUL (the rest is padding) */
	printf(" %s\n", data);
	fflush(stdout);
	free(data);
	r = saEvtEventPatternFree(ev, pa.patterns);
	if (r != SA_AIS_OK)
		die_sa("saEvtEventPatternFree", r);
	r = saEvtEventFree(ev);
	if (r != SA_AIS_OK)
		die_sa("saEvtEventFree", r);
	delivered++;
}

static void deliver_cb(SaEvtSubscriptionIdT sub, SaEvtEventHandleT ev, SaSizeT size)
{
	print_event(sub, ev, size);
}

static SaEvtChannelHandleT channel_open(SaEvtChannelOpenFlagsT flags)
{
	SaEvtCallbacksT cb = { .saEvtChannelOpenCallback = NULL, .saEvtEventDeliverCallback = deliver_cb };
	SaVersionT v = { 'B', 1, 1 };
	SaEvtChannelHandleT ch;
	SaNameT name;
	SaAisErrorT r;

	r = RETRY(saEvtInitialize(&evt_handle, &cb, &v));
	if (r != SA_AIS_OK)
		die_sa("saEvtInitialize", r);
	name_set(&name, arg_channel);
	r = RETRY(saEvtChannelOpen(evt_handle, &name, flags, 10 * SA_TIME_ONE_SECOND, &ch));
	if (r != SA_AIS_OK)
		die_sa("saEvtChannelOpen", r);
	return ch;
}

static int cmd_pub(void)
{
	SaEvtChannelHandleT ch = channel_open(SA_EVT_CHANNEL_PUBLISHER | SA_EVT_CHANNEL_CREATE);
	SaEvtEventPatternT pats[EVTCTL_PATTERNS_MAX];
	SaEvtEventPatternArrayT pa = { .allocatedNumber = n_patterns, .patternsNumber = n_patterns,
	                               .patterns = pats };
	SaEvtEventHandleT ev;
	SaNameT publisher;
	size_t len = arg_size > 64 ? arg_size : 64;
	char *data = calloc(1, len);
	uint64_t start = now_ms();
	SaAisErrorT r;

	if (data == NULL)
		die_sa("calloc", SA_AIS_ERR_NO_MEMORY);
	for (size_t i = 0; i < n_patterns; i++) {
		pats[i].allocatedSize = strlen(arg_patterns[i]);
		pats[i].patternSize = strlen(arg_patterns[i]);
		pats[i].pattern = (SaUint8T *)(uintptr_t)arg_patterns[i];
	}
	name_set(&publisher, arg_tag);
	r = saEvtEventAllocate(ch, &ev);
	if (r != SA_AIS_OK)
		die_sa("saEvtEventAllocate", r);
	r = saEvtEventAttributesSet(ev, &pa, (SaEvtEventPriorityT)arg_prio,
	                            (SaTimeT)arg_retention_ms * SA_TIME_ONE_MILLISECOND, &publisher);
	if (r != SA_AIS_OK)
		die_sa("saEvtEventAttributesSet", r);
	for (unsigned long seq = 1; seq <= (count_set ? arg_count : 1); seq++) {
		SaEvtEventIdT id = 0;
		int n = snprintf(data, len, "%s:%lu", arg_tag, seq);

		if (arg_rate > 0) {
			uint64_t due = start + (seq - 1) * 1000 / arg_rate;
			uint64_t now = now_ms();

			if (due > now)
				sleep_ms((unsigned)(due - now));
		}
		r = RETRY(saEvtEventPublish(ev, data, arg_size > 0 ? arg_size : (SaSizeT)n + 1, &id));
		if (r != SA_AIS_OK)
			die_sa("saEvtEventPublish", r);
		printf("P %" PRIu64 " %s\n", (uint64_t)id, data);
	}
	fflush(stdout);
	free(data);
	r = saEvtEventFree(ev);
	if (r != SA_AIS_OK)
		die_sa("saEvtEventFree", r);
	r = saEvtFinalize(evt_handle);
	return r == SA_AIS_OK ? 0 : 1;
}

static int filter_parse(const char *s, SaEvtEventFilterT *f)
{
	static const struct {
		const char *prefix;
		SaEvtEventFilterTypeT type;
	} kinds[] = {
		{ "prefix:", SA_EVT_PREFIX_FILTER },
		{ "suffix:", SA_EVT_SUFFIX_FILTER },
		{ "exact:", SA_EVT_EXACT_FILTER },
	};

	if (strcmp(s, "all") == 0) {
		f->filterType = SA_EVT_PASS_ALL_FILTER;
		f->filter.allocatedSize = 0;
		f->filter.patternSize = 0;
		f->filter.pattern = NULL;
		return 0;
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t n = strlen(kinds[i].prefix);

		if (strncmp(s, kinds[i].prefix, n) == 0) {
			f->filterType = kinds[i].type;
			f->filter.allocatedSize = strlen(s + n);
			f->filter.patternSize = strlen(s + n);
			f->filter.pattern = (SaUint8T *)(uintptr_t)(s + n);
			return 0;
		}
	}
	return -EINVAL;
}

static void on_usr1(int sig)
{
	(void)sig;
	released = 1;
}

static int cmd_sub(void)
{
	SaEvtChannelHandleT ch = channel_open(SA_EVT_CHANNEL_SUBSCRIBER | SA_EVT_CHANNEL_CREATE);
	SaEvtEventFilterT filters[EVTCTL_FILTERS_MAX];
	SaEvtEventFilterArrayT fa = { .filtersNumber = n_filters, .filters = filters };
	SaSelectionObjectT sel;
	uint64_t start, last;
	SaAisErrorT r;

	for (size_t i = 0; i < n_filters; i++) {
		if (filter_parse(arg_filters[i], &filters[i]) < 0) {
			fprintf(stderr, "evtctl: bad filter '%s'\n", arg_filters[i]);
			return 2;
		}
	}
	signal(SIGUSR1, on_usr1);
	r = RETRY(saEvtEventSubscribe(ch, &fa, arg_sub_id));
	if (r != SA_AIS_OK)
		die_sa("saEvtEventSubscribe", r);
	r = saEvtSelectionObjectGet(evt_handle, &sel);
	if (r != SA_AIS_OK)
		die_sa("saEvtSelectionObjectGet", r);
	printf("READY\n");
	fflush(stdout);
	while (arg_hold && !released)
		sleep_ms(10);
	start = last = now_ms();
	while (arg_count == 0 || delivered < arg_count) {
		struct pollfd pfd = { .fd = (int)sel, .events = POLLIN };
		uint64_t now = now_ms();
		unsigned long before = delivered;

		if (arg_wait_ms > 0 && now - start >= arg_wait_ms)
			break;
		if (arg_quiet_ms > 0 && now - last >= arg_quiet_ms)
			break;
		if (poll(&pfd, 1, 50) < 0 && errno != EINTR)
			die_sa("poll", SA_AIS_ERR_LIBRARY);
		if (pfd.revents == 0)
			continue;
		if (arg_sleep_ms > 0)
			sleep_ms(arg_sleep_ms);
		r = saEvtDispatch(evt_handle, arg_sleep_ms > 0 ? SA_DISPATCH_ONE : SA_DISPATCH_ALL);
		if (r != SA_AIS_OK)
			die_sa("saEvtDispatch", r);
		if (delivered != before)
			last = now_ms();
	}
	r = saEvtFinalize(evt_handle);
	return r == SA_AIS_OK ? 0 : 1;
}

static int cmd_clear(const char *id_s)
{
	SaEvtChannelHandleT ch = channel_open(SA_EVT_CHANNEL_PUBLISHER | SA_EVT_CHANNEL_CREATE);
	SaAisErrorT r = RETRY(saEvtEventRetentionTimeClear(ch, (SaEvtEventIdT)strtoull(id_s, NULL, 0)));

	if (r != SA_AIS_OK)
		die_sa("saEvtEventRetentionTimeClear", r);
	return saEvtFinalize(evt_handle) == SA_AIS_OK ? 0 : 1;
}

static int cmd_unlink(void)
{
	SaEvtCallbacksT cb = { NULL, NULL };
	SaVersionT v = { 'B', 1, 1 };
	SaNameT name;
	SaAisErrorT r;

	r = RETRY(saEvtInitialize(&evt_handle, &cb, &v));
	if (r != SA_AIS_OK)
		die_sa("saEvtInitialize", r);
	name_set(&name, arg_channel);
	r = RETRY(saEvtChannelUnlink(evt_handle, &name));
	if (r != SA_AIS_OK)
		die_sa("saEvtChannelUnlink", r);
	return saEvtFinalize(evt_handle) == SA_AIS_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *cmd;
	int c;

	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("evtctl (" PACKAGE_NAME ") " PACKAGE_VERSION "\n");
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	cmd = argv[1];
	optind = 2;
	while ((c = getopt(argc, argv, "c:n:p:r:P:z:t:R:f:s:q:w:S:H")) != -1) {
		switch (c) {
		case 'c': arg_channel = optarg; break;
		case 'n': arg_count = strtoul(optarg, NULL, 0); count_set = true; break;
		case 'p': arg_prio = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'r': arg_retention_ms = strtoll(optarg, NULL, 0); break;
		case 'P':
			if (n_patterns == EVTCTL_PATTERNS_MAX)
				return 2;
			arg_patterns[n_patterns++] = optarg;
			break;
		case 'z': arg_size = strtoul(optarg, NULL, 0); break;
		case 't': arg_tag = optarg; break;
		case 'R': arg_rate = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'f':
			if (n_filters == EVTCTL_FILTERS_MAX)
				return 2;
			arg_filters[n_filters++] = optarg;
			break;
		case 's': arg_sub_id = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'q': arg_quiet_ms = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'w': arg_wait_ms = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'S': arg_sleep_ms = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'H': arg_hold = true; break;
		default: usage(stderr); return 2;
		}
	}
	if (strcmp(cmd, "pub") == 0)
		return cmd_pub();
	if (strcmp(cmd, "sub") == 0)
		return cmd_sub();
	if (strcmp(cmd, "clear") == 0 && optind < argc)
		return cmd_clear(argv[optind]);
	if (strcmp(cmd, "unlink") == 0)
		return cmd_unlink();
	usage(stderr);
	return 2;
}
