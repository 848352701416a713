/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Command-line client of the example engine, written on the client-library
 * core (lib/ais_client.h) the way a service library would be:
 *
 *   example_client add NAME DELTA      cluster-wide add, prints the new value
 *   example_client get NAME            this node's value
 *   example_client watch [NAME] [N]    print change notifications (N, or
 *                                      until interrupted), waiting in poll()
 *                                      on the selection object
 *
 * The daemon instance comes from $AIS_INSTANCE. Exit status: 0 success,
 * 1 failure (the SaAisErrorT is printed), 2 usage.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <saAis.h>
#include <ais/ipc.h>

#include "../lib/ais_client.h"
#include "example_ipc.h"

/* TRY_AGAIN (sync running, cluster busy) is retried this often, 100 ms apart. */
#define EXAMPLE_CLIENT_RETRIES 100

struct watch_state {
	struct ais_client *client;
	unsigned long seen;
	unsigned long limit; /* 0: forever */
};

static int usage(void)
{
	fprintf(stderr, "usage: example_client add NAME DELTA | get NAME | watch [NAME] [COUNT]\n");
	return 2;
}

static int fail(const char *what, int err)
{
	SaAisErrorT code = ais_error_from_errno(err);

	fprintf(stderr, "example_client: %s: SaAisErrorT %d (%s)\n", what, code,
	        strerror(err < 0 ? -err : err));
	return 1;
}

static int name_copy(char *dst, const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= EXAMPLE_NAME_LEN) {
		fprintf(stderr, "example_client: name must be 1..%d bytes\n", EXAMPLE_NAME_LEN - 1);
		return -EINVAL;
	}
	memcpy(dst, name, len + 1);
	return 0;
}

/* One request with a value answer; TRY_AGAIN is retried. 0 or -errno. */
static int call_value(struct ais_client *c, void *req, size_t len, int32_t res_id, int64_t *ret_value)
{
	const struct timespec pause = { 0, 100 * 1000 * 1000 };
	struct example_res_value res;
	struct iovec iov = { req, len };
	size_t got;
	int r;

	for (int attempt = 0;; attempt++) {
		r = ais_client_request(c, &iov, 1, res_id, &res, sizeof(res), &got);
		if (r == 0 && res.header.error == SA_AIS_ERR_TRY_AGAIN && attempt < EXAMPLE_CLIENT_RETRIES) {
			nanosleep(&pause, NULL);
			continue;
		}
		break;
	}
	if (r < 0) {
		return r;
	}
	switch (res.header.error) {
	case SA_AIS_OK:
		break;
	case SA_AIS_ERR_NOT_EXIST:
		return -ENOENT;
	case SA_AIS_ERR_TRY_AGAIN:
		return -EAGAIN;
	case SA_AIS_ERR_INVALID_PARAM:
		return -EINVAL;
	case SA_AIS_ERR_NO_SPACE:
		return -ENOSPC;
	default:
		return -EPROTO;
	}
	if (got != sizeof(res)) {
		return -EPROTO;
	}
	*ret_value = res.value;
	return 0;
}

static int cmd_add(struct ais_client *c, const char *name, const char *delta_str)
{
	struct example_req_add req;
	char *end;
	long long delta;
	int64_t value;
	int r;

	memset(&req, 0, sizeof(req));
	errno = 0;
	delta = strtoll(delta_str, &end, 0);
	if (errno != 0 || *end != '\0' || end == delta_str || name_copy(req.name, name) < 0) {
		return usage();
	}
	req.header.id = EXAMPLE_REQ_ADD;
	req.header.size = sizeof(req);
	req.delta = delta;
	r = call_value(c, &req, sizeof(req), EXAMPLE_RES_ADD, &value);
	if (r < 0) {
		return fail("add", r);
	}
	printf("%s %" PRId64 "\n", name, value);
	return 0;
}

static int cmd_get(struct ais_client *c, const char *name)
{
	struct example_req_get req;
	int64_t value;
	int r;

	memset(&req, 0, sizeof(req));
	if (name_copy(req.name, name) < 0) {
		return usage();
	}
	req.header.id = EXAMPLE_REQ_GET;
	req.header.size = sizeof(req);
	r = call_value(c, &req, sizeof(req), EXAMPLE_RES_GET, &value);
	if (r < 0) {
		return fail("get", r);
	}
	printf("%s %" PRId64 "\n", name, value);
	return 0;
}

/* Dispatch callback: one CHANGED event. */
static int watch_deliver(void *ctx, const void *msg, size_t len)
{
	struct watch_state *w = ctx;
	struct example_event_changed ev;

	if (len != sizeof(ev)) {
		return 0; /* not an event this client knows */
	}
	memcpy(&ev, msg, sizeof(ev));
	if (ev.header.id != EXAMPLE_EVENT_CHANGED) {
		return 0;
	}
	ev.name[EXAMPLE_NAME_LEN - 1] = '\0';
	printf("%s %" PRId64 " delta %" PRId64 " node %u lost %u\n", ev.name, ev.value, ev.delta,
	       ev.nodeid, ev.lost);
	fflush(stdout);
	w->seen++;
	if (w->limit != 0 && w->seen >= w->limit) {
		ais_client_shutdown(w->client); /* finalize from inside the callback */
	}
	return 0;
}

static int cmd_watch(struct ais_client *c, const char *name, const char *count_str)
{
	struct example_req_subscribe req;
	struct example_res_subscribe res;
	struct watch_state w = { c, 0, 0 };
	struct iovec iov = { &req, sizeof(req) };
	struct pollfd pfd = { .events = POLLIN };
	size_t got;
	int r;

	memset(&req, 0, sizeof(req));
	if (name != NULL && name_copy(req.name, name) < 0) {
		return usage();
	}
	if (count_str != NULL) {
		char *end;

		w.limit = strtoul(count_str, &end, 10);
		if (*end != '\0' || end == count_str) {
			return usage();
		}
	}
	req.header.id = EXAMPLE_REQ_SUBSCRIBE;
	req.header.size = sizeof(req);
	req.on = 1;
	r = ais_client_request(c, &iov, 1, EXAMPLE_RES_SUBSCRIBE, &res, sizeof(res), &got);
	if (r == 0 && res.header.error != SA_AIS_OK) {
		r = -EPROTO;
	}
	if (r < 0) {
		return fail("subscribe", r);
	}
	printf("watching\n");
	fflush(stdout);
	ais_client_fd(c, &pfd.fd);
	while (!ais_client_is_shutdown(c)) {
		/* the application's own loop: wait on the selection object,
		 * then run whatever is pending */
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
			return fail("poll", -errno);
		}
		r = ais_client_dispatch(c, AIS_DISPATCH_ALL, watch_deliver, &w);
		if (r < 0) {
			return fail("dispatch", r);
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct ais_client *c;
	int r;

	if (argc < 2) {
		return usage();
	}
	r = ais_client_connect("example", &c);
	if (r < 0) {
		return fail("connect", r);
	}
	if (strcmp(argv[1], "add") == 0 && argc == 4) {
		r = cmd_add(c, argv[2], argv[3]);
	} else if (strcmp(argv[1], "get") == 0 && argc == 3) {
		r = cmd_get(c, argv[2]);
	} else if (strcmp(argv[1], "watch") == 0 && argc <= 4) {
		r = cmd_watch(c, argc > 2 ? argv[2] : NULL, argc > 3 ? argv[3] : NULL);
	} else {
		r = usage();
	}
	ais_client_disconnect(c);
	return r;
}
