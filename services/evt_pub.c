/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * evt_pub: publish events on an Event Service channel (demo, cluster tests,
 * manual testing). Opens the channel (creating it), publishes COUNT events
 * of SIZE data bytes with the given patterns, priority, retention and
 * publisher name, optionally at a fixed rate, and prints one line per event:
 *
 *   published <event id>
 *
 * A publish the service answers SA_AIS_ERR_TRY_AGAIN (flow control) is
 * retried. Exit 0 when every event was published, 1 on an error (printed
 * as "error: <call>: <SaAisErrorT number>"), 2 on bad usage. The daemon is
 * chosen by $AIS_INSTANCE. Uses only the public API (<saEvt.h>, -lSaEvt).
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <saEvt.h>
#include <ais/client.h>

#define PUB_PATTERNS_MAX 32

static void pub_usage(FILE *f)
{
	fprintf(f,
	        "usage: evt_pub [options] [PATTERN...]\n"
	        "Publish events on an Event Service channel; each PATTERN becomes one\n"
	        "event pattern, in order. Prints \"published <event id>\" per event.\n"
	        "  -c, --channel NAME     channel name (default evt-demo); created if missing\n"
	        "  -n, --count N          events to publish (default 1)\n"
	        "  -s, --size BYTES       event data size (default 0, at most %d)\n"
	        "  -p, --priority P       0 (highest) .. 3 (lowest, default)\n"
	        "  -r, --retention MS     retention time in milliseconds (default 0)\n"
	        "  -P, --publisher NAME   publisher name (default evt_pub)\n"
	        "  -R, --rate N           at most N events per second (default: no limit)\n"
	        "  -u, --unlink           unlink the channel before closing it\n"
	        "  -h, --help             this text\n"
	        "The daemon is chosen by $AIS_INSTANCE.\n",
	        SA_EVT_DATA_MAX_LEN);
}

static int pub_fail(const char *what, SaAisErrorT e)
{
	printf("error: %s: %d\n", what, (int)e);
	return 1;
}

static void pub_sleep_ns(long long ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000LL), .tv_nsec = (long)(ns % 1000000000LL) };

	nanosleep(&ts, NULL);
}

static long long pub_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static SaAisErrorT pub_retry(SaAisErrorT (*fn)(void *), void *arg)
{
	SaAisErrorT e;

	for (int i = 0; i < 5000; i++) {
		e = fn(arg);
		if (e != SA_AIS_ERR_TRY_AGAIN)
			return e;
		pub_sleep_ns(2000000);
	}
	return e;
}

struct pub_call {
	SaEvtEventHandleT event;
	const void *data;
	SaSizeT size;
	SaEvtEventIdT id;
};

static SaAisErrorT pub_publish(void *arg)
{
	struct pub_call *c = arg;

	return saEvtEventPublish(c->event, c->data, c->size, &c->id);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "channel", required_argument, NULL, 'c' },
		{ "count", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 's' },
		{ "priority", required_argument, NULL, 'p' },
		{ "retention", required_argument, NULL, 'r' },
		{ "publisher", required_argument, NULL, 'P' },
		{ "rate", required_argument, NULL, 'R' },
		{ "unlink", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *channel = "evt-demo", *publisher = "evt_pub";
	long count = 1, size = 0, priority = SA_EVT_LOWEST_PRIORITY, rate = 0;
	long long retention_ms = 0;
	int unlink_at_end = 0, opt, rc = 0;
	SaEvtEventPatternT pats[PUB_PATTERNS_MAX];
	SaEvtEventPatternArrayT pa;
	SaVersionT ver = { 'B', 3, 1 };
	SaEvtHandleT h;
	SaEvtChannelHandleT ch;
	struct pub_call call;
	SaNameT name, pubname;
	SaAisErrorT e;
	char *data;
	long long next;

	while ((opt = getopt_long(argc, argv, "c:n:s:p:r:P:R:uhV", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': channel = optarg; break;
		case 'n': count = strtol(optarg, NULL, 10); break;
		case 's': size = strtol(optarg, NULL, 10); break;
		case 'p': priority = strtol(optarg, NULL, 10); break;
		case 'r': retention_ms = strtoll(optarg, NULL, 10); break;
		case 'P': publisher = optarg; break;
		case 'R': rate = strtol(optarg, NULL, 10); break;
		case 'u': unlink_at_end = 1; break;
		case 'V':
			printf("evt_pub (" PACKAGE_NAME ") " PACKAGE_VERSION "\n");
			return 0;
		case 'h': pub_usage(stdout); return 0;
		default: pub_usage(stderr); return 2;
		}
	}
	if (count < 0 || size < 0 || size > SA_EVT_DATA_MAX_LEN || priority < 0 || priority > 3 ||
	    retention_ms < 0 || rate < 0 || argc - optind > PUB_PATTERNS_MAX ||
	    strlen(channel) > SA_MAX_NAME_LENGTH || strlen(publisher) > SA_MAX_NAME_LENGTH) {
		pub_usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (int i = optind; i < argc; i++) {
		pats[i - optind].pattern = (SaUint8T *)argv[i];
		pats[i - optind].patternSize = strlen(argv[i]);
		pats[i - optind].allocatedSize = pats[i - optind].patternSize;
	}
	pa.allocatedNumber = pa.patternsNumber = (SaSizeT)(argc - optind);
	pa.patterns = pats;
	memset(&name, 0, sizeof(name));
	name.length = (SaUint16T)strlen(channel);
	memcpy(name.value, channel, name.length);
	memset(&pubname, 0, sizeof(pubname));
	pubname.length = (SaUint16T)strlen(publisher);
	memcpy(pubname.value, publisher, pubname.length);
	data = malloc(size ? (size_t)size : 1);
	if (!data)
		return pub_fail("malloc", SA_AIS_ERR_NO_MEMORY);
	for (long i = 0; i < size; i++)
		data[i] = (char)('a' + i % 26);

	for (int i = 0; (e = saEvtInitialize(&h, NULL, &ver)) == SA_AIS_ERR_TRY_AGAIN && i < 50; i++)
		pub_sleep_ns(100000000);
	if (e != SA_AIS_OK) {
		const char *why = saEvtInitializeErrorText();

		if (why != NULL) {
			printf("error: saEvtInitialize: %s\n", why);
			return 1;
		}
		return pub_fail("saEvtInitialize", e);
	}
	e = saEvtChannelOpen(h, &name, SA_EVT_CHANNEL_PUBLISHER | SA_EVT_CHANNEL_CREATE,
	                     10 * SA_TIME_ONE_SECOND, &ch);
	if (e != SA_AIS_OK) {
		rc = pub_fail("saEvtChannelOpen", e);
		goto out_fin;
	}
	e = saEvtEventAllocate(ch, &call.event);
	if (e == SA_AIS_OK)
		e = saEvtEventAttributesSet(call.event, &pa, (SaEvtEventPriorityT)priority,
		                            (SaTimeT)retention_ms * SA_TIME_ONE_MILLISECOND, &pubname);
	if (e != SA_AIS_OK) {
		rc = pub_fail("event setup", e);
		goto out_fin;
	}
	call.data = data;
	call.size = (SaSizeT)size;
	next = pub_now_ns();
	for (long i = 0; i < count; i++) {
		if (rate) {
			long long now = pub_now_ns();

			if (next > now)
				pub_sleep_ns(next - now);
			next += 1000000000LL / rate;
		}
		e = pub_retry(pub_publish, &call);
		if (e != SA_AIS_OK) {
			rc = pub_fail("saEvtEventPublish", e);
			goto out_fin;
		}
		printf("published %llu\n", (unsigned long long)call.id);
	}
	if (unlink_at_end) {
		e = saEvtChannelUnlink(h, &name);
		if (e != SA_AIS_OK)
			rc = pub_fail("saEvtChannelUnlink", e);
	}
	e = saEvtChannelClose(ch);
	if (e != SA_AIS_OK)
		rc = pub_fail("saEvtChannelClose", e);
out_fin:
	saEvtFinalize(h);
	free(data);
	return rc;
}
