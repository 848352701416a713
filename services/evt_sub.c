/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * evt_sub: subscribe to an Event Service channel and print what it delivers
 * (demo, cluster tests, manual testing). Filters come from the command line
 * (prefix=BYTES, suffix=BYTES, exact=BYTES, all; filter i applies to pattern
 * i; none at all matches every event). Prints, line-buffered:
 *
 *   subscribed <channel>
 *   event id=<id> prio=<p> patterns=<p0>,<p1>,... size=<bytes> publisher=<name> sub=<sub id>
 *   error: <call>: <SaAisErrorT number>
 *
 * Bytes outside printable ASCII (and ',' '\') are printed as \xNN. Stops
 * after --count events (exit 0), at --timeout (exit 3), on SIGINT/SIGTERM
 * (exit 0) or when the daemon goes away (exit 1). The daemon is chosen by
 * $AIS_INSTANCE. Uses only the public API (<saEvt.h>, -lSaEvt).
 */
#include "config.h"

#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <saEvt.h>
#include <ais/client.h>

#define SUB_FILTERS_MAX 32

static volatile sig_atomic_t sub_stop;
static long sub_delivered;
static int sub_failed;

static void sub_signal(int sig)
{
	(void)sig;
	sub_stop = 1;
}

static void sub_usage(FILE *f)
{
	fprintf(f,
	        "usage: evt_sub [options] [FILTER...]\n"
	        "Subscribe to an Event Service channel and print one line per delivered event.\n"
	        "FILTER i applies to pattern i: prefix=BYTES, suffix=BYTES, exact=BYTES or all;\n"
	        "no FILTER matches every event.\n"
	        "  -c, --channel NAME   channel name (default evt-demo); created if missing\n"
	        "  -i, --id N           subscription id (default 1)\n"
	        "  -n, --count N        exit 0 after N events\n"
	        "  -t, --timeout SEC    exit 3 after SEC seconds (default: never)\n"
	        "  -h, --help           this text\n"
	        "The daemon is chosen by $AIS_INSTANCE.\n");
}

static void sub_print_bytes(const SaUint8T *p, SaSizeT n)
{
	for (SaSizeT i = 0; i < n; i++) {
		if (p[i] < 0x21 || p[i] > 0x7e || p[i] == ',' || p[i] == '\\')
			printf("\\x%02x", p[i]);
		else
			putchar(p[i]);
	}
}

static void sub_deliver(SaEvtSubscriptionIdT sub, SaEvtEventHandleT ev, SaSizeT size)
{
	SaEvtEventPatternArrayT pa = { 0, 0, NULL };
	SaEvtEventPriorityT prio = 0;
	SaEvtEventIdT id = 0;
	SaNameT publisher;
	SaAisErrorT e;

	e = saEvtEventAttributesGet(ev, &pa, &prio, NULL, &publisher, NULL, &id);
	if (e != SA_AIS_OK) {
		printf("error: saEvtEventAttributesGet: %d\n", (int)e);
		sub_failed = 1;
		saEvtEventFree(ev);
		return;
	}
	printf("event id=%llu prio=%u patterns=", (unsigned long long)id, (unsigned)prio);
	for (SaSizeT i = 0; i < pa.patternsNumber; i++) {
		if (i)
			putchar(',');
		sub_print_bytes(pa.patterns[i].pattern, pa.patterns[i].patternSize);
	}
	printf(" size=%llu publisher=", (unsigned long long)size);
	sub_print_bytes(publisher.value, publisher.length);
	printf(" sub=%u\n", (unsigned)sub);
	saEvtEventPatternFree(ev, pa.patterns);
	saEvtEventFree(ev);
	sub_delivered++;
}

static int sub_filter_parse(const char *arg, SaEvtEventFilterT *f)
{
	static const struct {
		const char *prefix;
		SaEvtEventFilterTypeT type;
	} kinds[] = {
		{ "prefix=", SA_EVT_PREFIX_FILTER },
		{ "suffix=", SA_EVT_SUFFIX_FILTER },
		{ "exact=", SA_EVT_EXACT_FILTER },
	};

	memset(f, 0, sizeof(*f));
	if (strcmp(arg, "all") == 0) {
		f->filterType = SA_EVT_PASS_ALL_FILTER;
		return 0;
	}
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t n = strlen(kinds[i].prefix);

		if (strncmp(arg, kinds[i].prefix, n) == 0) {
			f->filterType = kinds[i].type;
			f->filter.pattern = (SaUint8T *)(uintptr_t)(arg + n);
			f->filter.patternSize = strlen(arg + n);
			f->filter.allocatedSize = f->filter.patternSize;
			return 0;
		}
	}
	return -1;
}

static long long sub_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "channel", required_argument, NULL, 'c' },
		{ "id", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	SaEvtCallbacksT cb = { NULL, sub_deliver };
	SaEvtEventFilterT filters[SUB_FILTERS_MAX];
	SaEvtEventFilterArrayT fa;
	SaVersionT ver = { 'B', 3, 1 };
	const char *channel = "evt-demo";
	long count = -1, timeout = -1;
	unsigned long sub_id = 1;
	long long deadline = 0;
	SaSelectionObjectT sel;
	SaEvtChannelHandleT ch;
	struct sigaction sa;
	SaEvtHandleT h;
	SaNameT name;
	SaAisErrorT e;
	int opt, rc = 0;

	while ((opt = getopt_long(argc, argv, "c:i:n:t:hV", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': channel = optarg; break;
		case 'i': sub_id = strtoul(optarg, NULL, 10); break;
		case 'n': count = strtol(optarg, NULL, 10); break;
		case 't': timeout = strtol(optarg, NULL, 10); break;
		case 'V':
			printf("evt_sub (" PACKAGE_NAME ") " PACKAGE_VERSION "\n");
			return 0;
		case 'h': sub_usage(stdout); return 0;
		default: sub_usage(stderr); return 2;
		}
	}
	if (argc - optind > SUB_FILTERS_MAX || strlen(channel) > SA_MAX_NAME_LENGTH ||
	    sub_id > 0xffffffffUL) {
		sub_usage(stderr);
		return 2;
	}
	for (int i = optind; i < argc; i++) {
		if (sub_filter_parse(argv[i], &filters[i - optind]) < 0) {
			fprintf(stderr, "evt_sub: bad filter '%s'\n", argv[i]);
			sub_usage(stderr);
			return 2;
		}
	}
	fa.filtersNumber = (SaSizeT)(argc - optind);
	fa.filters = filters;
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sub_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (timeout >= 0)
		deadline = sub_now_ms() + timeout * 1000;
	memset(&name, 0, sizeof(name));
	name.length = (SaUint16T)strlen(channel);
	memcpy(name.value, channel, name.length);

	for (int i = 0; (e = saEvtInitialize(&h, &cb, &ver)) == SA_AIS_ERR_TRY_AGAIN && i < 50; i++) {
		struct timespec ts = { 0, 100000000 };

		nanosleep(&ts, NULL);
	}
	if (e != SA_AIS_OK) {
		const char *why = saEvtInitializeErrorText();

		if (why != NULL)
			printf("error: saEvtInitialize: %s\n", why);
		else
			printf("error: saEvtInitialize: %d\n", (int)e);
		return 1;
	}
	e = saEvtChannelOpen(h, &name, SA_EVT_CHANNEL_SUBSCRIBER | SA_EVT_CHANNEL_CREATE,
	                     10 * SA_TIME_ONE_SECOND, &ch);
	if (e == SA_AIS_OK)
		e = saEvtEventSubscribe(ch, &fa, (SaEvtSubscriptionIdT)sub_id);
	if (e == SA_AIS_OK)
		e = saEvtSelectionObjectGet(h, &sel);
	if (e != SA_AIS_OK) {
		printf("error: open/subscribe: %d\n", (int)e);
		saEvtFinalize(h);
		return 1;
	}
	printf("subscribed %s\n", channel);
	while (!sub_stop && (count < 0 || sub_delivered < count)) {
		struct pollfd pfd = { .fd = (int)sel, .events = POLLIN };
		int wait_ms = 1000;

		if (timeout >= 0) {
			long long left = deadline - sub_now_ms();

			if (left <= 0) {
				rc = 3;
				break;
			}
			wait_ms = left < wait_ms ? (int)left : wait_ms;
		}
		if (poll(&pfd, 1, wait_ms) <= 0)
			continue;
		/* one at a time, so --count stops exactly */
		e = saEvtDispatch(h, SA_DISPATCH_ONE);
		if (e != SA_AIS_OK) {
			printf("error: saEvtDispatch: %d\n", (int)e);
			rc = 1;
			break;
		}
	}
	if (sub_failed && rc == 0)
		rc = 1;
	saEvtFinalize(h);
	return rc;
}
