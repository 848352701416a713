/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Connection and dispatch behaviour of the client-library core against a
 * real libqb IPC server (qb_ipcs_create on its own qb_loop in a forked
 * child) that interleaves events with responses on command: ordering,
 * selection-object readiness, the SA dispatch modes, finalize from a
 * callback and from another thread, a server that dies during a call, and
 * connect/disconnect churn.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <qb/qbipcs.h>
#include <qb/qbloop.h>

#include <ais/ipc.h>
#include <ais/service.h>

#include "../../lib/ais_client.h"

#define SERVICE "unit"

enum test_req {
	REQ_ECHO = 1,        /* respond with the payload */
	REQ_EVENTS = 2,      /* n_before events, response, n_after events */
	REQ_DIE = 3,         /* the server is killed before it answers */
	REQ_WRONG_ID = 4,    /* respond with another id */
	REQ_ERROR = 5,       /* respond AIS_IPC_RESPONSE_ERROR, error TRY_AGAIN */
	REQ_BATCH = 6,       /* n_before events as one batch (if granted), response */
	REQ_BAD_BATCH = 7,   /* a malformed batch (n_after picks how), one event first_seq, response */
	REQ_OLD = 8,         /* from now on answer AIS_IPC_REQ_FEATURES as an older server */
};
#define RES_ID(req) ((int32_t)((uint32_t)(req) + 100u)) /* no overflow for AIS_IPC_REQ_FEATURES */
#define EVENT_ID 200

struct events_req {
	struct qb_ipc_request_header hdr;
	uint32_t n_before;
	uint32_t n_after;
	uint32_t first_seq;
	uint32_t pad_len;    /* extra bytes per event */
};

struct event_msg {
	struct qb_ipc_response_header hdr;
	uint32_t seq;
	uint8_t pad[];
};

static pid_t server_pid;
static qb_loop_t *srv_loop;
static bool srv_old;      /* does not know AIS_IPC_REQ_FEATURES */

/* ---------------------------------------------------------------- server */

static int32_t srv_accept(qb_ipcs_connection_t *c, uid_t uid, gid_t gid)
{
	return 0;
}

static void srv_event(qb_ipcs_connection_t *c, uint32_t seq, uint32_t pad)
{
	size_t len = offsetof(struct event_msg, pad) + pad;
	struct event_msg *ev = calloc(1, len);

	if (ev == NULL) {
		_exit(3);
	}
	ev->hdr.id = EVENT_ID;
	ev->hdr.size = (int32_t)len;
	ev->hdr.error = SA_AIS_OK;
	ev->seq = seq;
	memset(ev->pad, (int)(seq & 0xff), pad);
	if (qb_ipcs_event_send(c, ev, len) != (ssize_t)len) {
		_exit(4);
	}
	free(ev);
}

/* The batch format of ais/ipc.h, built here on its own. bad: 0 = well
 * formed; 1 = count says one more than there is; 2 = an event's size runs
 * past the end; 3 = a count of 1. */
static void srv_batch(qb_ipcs_connection_t *c, uint32_t n, uint32_t seq, uint32_t pad, uint32_t bad)
{
	size_t one = offsetof(struct event_msg, pad) + pad;
	size_t stride = (one + AIS_IPC_BATCH_ALIGN - 1) & ~(size_t)(AIS_IPC_BATCH_ALIGN - 1);
	size_t len = AIS_IPC_BATCH_FIRST + n * stride;
	uint8_t *b = calloc(1, len);
	struct qb_ipc_response_header hdr = { .id = AIS_IPC_EVENT_BATCH, .size = (int32_t)len,
	                                      .error = (int32_t)n };

	if (b == NULL) {
		_exit(3);
	}
	for (uint32_t i = 0; i < n; i++) {
		struct event_msg *ev = (struct event_msg *)(void *)(b + AIS_IPC_BATCH_FIRST + i * stride);

		ev->hdr.id = EVENT_ID;
		ev->hdr.size = (int32_t)one;
		ev->hdr.error = SA_AIS_OK;
		ev->seq = seq + i;
		memset(ev->pad, (int)((seq + i) & 0xff), pad);
	}
	if (bad == 1) {
		hdr.error++;
	} else if (bad == 2) {
		((struct event_msg *)(void *)(b + AIS_IPC_BATCH_FIRST))->hdr.size = (int32_t)len;
	} else if (bad == 3) {
		hdr.error = 1;
	}
	memcpy(b, &hdr, sizeof(hdr));
	if (qb_ipcs_event_send(c, b, len) != (ssize_t)len) {
		_exit(4);
	}
	free(b);
}

static int32_t srv_msg(qb_ipcs_connection_t *c, void *data, size_t size)
{
	struct qb_ipc_request_header *req = data;
	struct qb_ipc_response_header res = { .id = RES_ID(req->id), .size = sizeof(res), .error = SA_AIS_OK };
	struct events_req ereq;
	struct iovec iov[2];

	switch (req->id) {
	case REQ_ECHO:
		iov[0].iov_base = &res;
		iov[0].iov_len = sizeof(res);
		iov[1].iov_base = (char *)data + sizeof(*req);
		iov[1].iov_len = size - sizeof(*req);
		res.size = (int32_t)size - (int32_t)sizeof(*req) + (int32_t)sizeof(res);
		qb_ipcs_response_sendv(c, iov, 2);
		break;
	case REQ_EVENTS:
		memcpy(&ereq, data, sizeof(ereq));
		for (uint32_t i = 0; i < ereq.n_before; i++) {
			srv_event(c, ereq.first_seq + i, ereq.pad_len);
		}
		qb_ipcs_response_send(c, &res, sizeof(res));
		for (uint32_t i = 0; i < ereq.n_after; i++) {
			srv_event(c, ereq.first_seq + ereq.n_before + i, ereq.pad_len);
		}
		break;
	case REQ_DIE:
		raise(SIGKILL);
		break;
	case REQ_WRONG_ID:
		res.id = 9999;
		qb_ipcs_response_send(c, &res, sizeof(res));
		break;
	case REQ_ERROR:
		res.id = AIS_IPC_RESPONSE_ERROR;
		res.error = SA_AIS_ERR_TRY_AGAIN;
		qb_ipcs_response_send(c, &res, sizeof(res));
		break;
	case AIS_IPC_REQ_FEATURES: {
		struct ais_ipc_req_features freq;
		struct ais_ipc_res_features fres = { .header = { .id = AIS_IPC_RES_FEATURES,
		                                                 .size = sizeof(fres), .error = SA_AIS_OK } };

		if (srv_old) {
			res.id = AIS_IPC_RESPONSE_ERROR;
			res.error = SA_AIS_ERR_INVALID_PARAM;
			qb_ipcs_response_send(c, &res, sizeof(res));
			break;
		}
		memcpy(&freq, data, sizeof(freq));
		fres.features = freq.features & AIS_IPC_FEATURE_EVENT_BATCH;
		qb_ipcs_context_set(c, fres.features ? c : NULL);
		qb_ipcs_response_send(c, &fres, sizeof(fres));
		break;
	}
	case REQ_BATCH:
		memcpy(&ereq, data, sizeof(ereq));
		if (qb_ipcs_context_get(c) != NULL && ereq.n_before >= 2) {
			srv_batch(c, ereq.n_before, ereq.first_seq, ereq.pad_len, 0);
		} else {
			for (uint32_t i = 0; i < ereq.n_before; i++) {
				srv_event(c, ereq.first_seq + i, ereq.pad_len);
			}
		}
		qb_ipcs_response_send(c, &res, sizeof(res));
		break;
	case REQ_BAD_BATCH:
		memcpy(&ereq, data, sizeof(ereq));
		srv_batch(c, 3, 1000, ereq.pad_len, ereq.n_after);
		srv_event(c, ereq.first_seq, ereq.pad_len);
		qb_ipcs_response_send(c, &res, sizeof(res));
		break;
	case REQ_OLD:
		srv_old = true;
		qb_ipcs_response_send(c, &res, sizeof(res));
		break;
	default:
		_exit(5);
	}
	return 0;
}

/* libqb's poll-handler glue onto qb_loop */
static int32_t srv_dispatch_add(enum qb_loop_priority p, int32_t fd, int32_t events, void *data,
                                qb_ipcs_dispatch_fn_t fn)
{
	return qb_loop_poll_add(srv_loop, p, fd, events, data, fn);
}

static int32_t srv_dispatch_mod(enum qb_loop_priority p, int32_t fd, int32_t events, void *data,
                                qb_ipcs_dispatch_fn_t fn)
{
	return qb_loop_poll_mod(srv_loop, p, fd, events, data, fn);
}

static int32_t srv_dispatch_del(int32_t fd)
{
	return qb_loop_poll_del(srv_loop, fd);
}

static void server_run(const char *name, int ready_fd)
{
	struct qb_ipcs_service_handlers handlers = {
		.connection_accept = srv_accept,
		.msg_process = srv_msg,
	};
	struct qb_ipcs_poll_handlers poll_handlers = {
		.job_add = NULL,
		.dispatch_add = srv_dispatch_add,
		.dispatch_mod = srv_dispatch_mod,
		.dispatch_del = srv_dispatch_del,
	};
	qb_ipcs_service_t *s;
	char ok = 1;

	srv_loop = qb_loop_create();
	s = qb_ipcs_create(name, 0, QB_IPC_NATIVE, &handlers);

	if (srv_loop == NULL || s == NULL) {
		_exit(2);
	}
	qb_ipcs_enforce_buffer_size(s, AIS_IPC_MSG_MAX);
	qb_ipcs_poll_handlers_set(s, &poll_handlers);
	if (qb_ipcs_run(s) != 0) {
		_exit(2);
	}
	if (write(ready_fd, &ok, 1) != 1) {
		_exit(2);
	}
	close(ready_fd);
	qb_loop_run(srv_loop);
	_exit(0);
}

static void server_start(void)
{
	char instance[32];
	char name[AIS_IPC_NAME_MAX];
	int fds[2];
	char ok = 0;

	snprintf(instance, sizeof(instance), "t%d", (int)getpid());
	setenv(AIS_INSTANCE_ENV, instance, 1);
	snprintf(name, sizeof(name), "ais-%s-%s", instance, SERVICE);
	ck_assert_int_eq(pipe(fds), 0);
	server_pid = fork();
	ck_assert_int_ge(server_pid, 0);
	if (server_pid == 0) {
		close(fds[0]);
		server_run(name, fds[1]);
	}
	close(fds[1]);
	ck_assert_int_eq(read(fds[0], &ok, 1), 1);
	close(fds[0]);
}

static void server_stop(void)
{
	if (server_pid > 0) {
		kill(server_pid, SIGKILL);
		waitpid(server_pid, NULL, 0);
		server_pid = 0;
	}
}

/* ---------------------------------------------------------------- client */

struct sink {
	uint32_t count;
	uint32_t next_seq;
	uint32_t order_errors;
	struct ais_client *finalize_client; /* finalize after finalize_at events */
	uint32_t finalize_at;
	sem_t *first;                       /* posted on the first event */
};

static int sink_deliver(void *ctx, const void *msg, size_t len)
{
	struct sink *s = ctx;
	struct event_msg ev;

	ck_assert_uint_ge(len, offsetof(struct event_msg, pad));
	memcpy(&ev, msg, offsetof(struct event_msg, pad));
	ck_assert_int_eq(ev.hdr.id, EVENT_ID);
	ck_assert_int_eq(ev.hdr.size, (int32_t)len);
	for (size_t i = offsetof(struct event_msg, pad); i < len; i++) {
		ck_assert_uint_eq(((const uint8_t *)msg)[i], (ev.seq & 0xffu));
	}
	if (ev.seq != s->next_seq) {
		s->order_errors++;
	}
	s->next_seq = ev.seq + 1;
	s->count++;
	if (s->first != NULL && s->count == 1) {
		sem_post(s->first);
	}
	if (s->finalize_client != NULL && s->count == s->finalize_at) {
		ais_client_shutdown(s->finalize_client);
	}
	return 0;
}

static int request_events(struct ais_client *c, uint32_t before, uint32_t after, uint32_t first,
                          uint32_t pad)
{
	struct events_req req = {
		.hdr = { .id = REQ_EVENTS, .size = sizeof(req) },
		.n_before = before,
		.n_after = after,
		.first_seq = first,
		.pad_len = pad,
	};
	struct iovec iov = { &req, sizeof(req) };
	struct qb_ipc_response_header res;
	size_t len;
	int r;

	r = ais_client_request(c, &iov, 1, RES_ID(REQ_EVENTS), &res, sizeof(res), &len);
	if (r == 0) {
		ck_assert_int_eq(res.id, RES_ID(REQ_EVENTS));
		ck_assert_uint_eq(len, sizeof(res));
	}
	return r;
}

static int request_batch(struct ais_client *c, int32_t id, uint32_t n, uint32_t bad, uint32_t first,
                         uint32_t pad)
{
	struct events_req req = {
		.hdr = { .id = id, .size = sizeof(req) },
		.n_before = n,
		.n_after = bad,
		.first_seq = first,
		.pad_len = pad,
	};
	struct iovec iov = { &req, sizeof(req) };
	struct qb_ipc_response_header res;
	size_t len;

	return ais_client_request(c, &iov, 1, RES_ID(id), &res, sizeof(res), &len);
}

static int request_echo(struct ais_client *c, uint32_t value)
{
	struct {
		struct qb_ipc_request_header hdr;
		uint32_t value;
	} req = { .hdr = { .id = REQ_ECHO, .size = sizeof(req) }, .value = value };
	struct {
		struct qb_ipc_response_header hdr;
		uint32_t value;
	} res;
	struct iovec iov = { &req, sizeof(req) };
	size_t len;
	int r;

	r = ais_client_request(c, &iov, 1, RES_ID(REQ_ECHO), &res, sizeof(res), &len);
	if (r == 0) {
		ck_assert_uint_eq(len, sizeof(res));
		ck_assert_uint_eq(res.value, value);
	}
	return r;
}

static int simple_request(struct ais_client *c, int32_t id)
{
	struct qb_ipc_request_header req = { .id = id, .size = sizeof(req) };
	struct qb_ipc_response_header res;
	struct iovec iov = { &req, sizeof(req) };
	size_t len;
	int r;

	r = ais_client_request(c, &iov, 1, RES_ID(id), &res, sizeof(res), &len);
	if (r == 0 && res.id == AIS_IPC_RESPONSE_ERROR) {
		return ais_error_from_errno(-EAGAIN) == (SaAisErrorT)res.error ? -EAGAIN : -EPROTO;
	}
	return r;
}

static int fd_readable(struct ais_client *c)
{
	struct pollfd pfd = { .events = POLLIN };

	ck_assert_int_eq(ais_client_fd(c, &pfd.fd), 0);
	return poll(&pfd, 1, 0);
}

static struct ais_client *client_open(void)
{
	struct ais_client *c = NULL;

	ck_assert_int_eq(ais_client_connect(SERVICE, &c), 0);
	ck_assert_ptr_nonnull(c);
	return c;
}

START_TEST(test_sync_call_keeps_events_in_order)
{
	struct sink s = { 0 };
	struct ais_client *c = client_open();
	uint32_t seq = 0;

	/* events before and after each response; several calls in a row
	 * without dispatching; then everything must come out in order */
	for (int round = 0; round < 20; round++) {
		uint32_t before = (uint32_t)(round % 4), after = (uint32_t)(round % 3);

		ck_assert_int_eq(request_events(c, before, after, seq, (uint32_t)round * 97), 0);
		seq += before + after;
		if (before > 0) {
			/* the events that preceded the response are queued, the
			 * selection object says so without any further call */
			ck_assert_int_eq(fd_readable(c), 1);
		}
		ck_assert_uint_eq(s.count, 0);
	}
	/* the echo's response comes after every event of earlier requests */
	ck_assert_int_eq(request_echo(c, 7), 0);
	ck_assert_int_eq(fd_readable(c), 1);
	ck_assert_int_eq(ais_client_dispatch(c, AIS_DISPATCH_ALL, sink_deliver, &s), 0);
	ck_assert_uint_eq(s.count, seq);
	ck_assert_uint_eq(s.order_errors, 0);
	ck_assert_int_eq(fd_readable(c), 0);
	ais_client_disconnect(c);
}
END_TEST

START_TEST(test_large_events)
{
	struct sink s = { 0 };
	struct ais_client *c = client_open();

	/* near the message limit: one at a time fits the event ring */
	for (uint32_t i = 0; i < 4; i++) {
		ck_assert_int_eq(request_events(c, 1, 0, i, AIS_IPC_MSG_MAX / 2), 0);
		ck_assert_int_eq(ais_client_dispatch(c, AIS_DISPATCH_ONE, sink_deliver, &s), 0);
	}
	ck_assert_uint_eq(s.count, 4);
	ck_assert_uint_eq(s.order_errors, 0);
	ais_client_disconnect(c);
}
END_TEST

START_TEST(test_dispatch_modes)
{
	struct sink s = { 0 };
	struct ais_client *c = client_open();
	char buf[64];
	size_t len;

	ck_assert_int_eq(ais_client_dispatch(c, 0, sink_deliver, &s), -EINVAL);
	ck_assert_int_eq(ais_client_dispatch(c, 5, sink_deliver, &s), -EINVAL);
	/* nothing queued: the non-blocking modes return at once; ONE_NONBLOCKING
	 * says there was nothing (Corosync's CS_ERR_TRY_AGAIN) */
	ck_assert_int_eq(ais_client_dispatch(c, AIS_DISPATCH_ALL, sink_deliver, &s), 0);
	ck_assert_int_eq(ais_client_dispatch(c, AIS_DISPATCH_ONE_NONBLOCKING, sink_deliver, &s), -EAGAIN);
	ck_assert_int_eq(ais_client_event_recv(c, buf, sizeof(buf), 0, &len), -EAGAIN);
	ck_assert_uint_eq(s.count, 0);

	ck_assert_int_eq(request_events(c, 5, 0, 0, 0), 0);
	ck_assert_int_eq(ais_client_dispatch(c, AIS_DISPATCH_ONE, sink_deliver, &s), 0);
	ck_assert_uint_eq(s.count, 1);
	ck_assert_int_eq(fd_readable(c), 1);
	ck_assert_int_eq(ais_client_dispatch(c, AIS_DISPATCH_ONE_NONBLOCKING, sink_deliver, &s), 0);
	ck_assert_uint_eq(s.count, 2);
	ck_assert_int_eq(ais_client_dispatch(c, AIS_DISPATCH_ALL, sink_deliver, &s), 0);
	ck_assert_uint_eq(s.count, 5);
	ck_assert_uint_eq(s.order_errors, 0);
	ck_assert_int_eq(fd_readable(c), 0);

	/* ONE waits for an event that is not there yet: the events follow
	 * the response, so ONE must block until they arrive */
	ck_assert_int_eq(request_events(c, 0, 1, 5, 0), 0);
	ck_assert_int_eq(ais_client_dispatch(c, AIS_DISPATCH_ONE, sink_deliver, &s), 0);
	ck_assert_uint_eq(s.count, 6);

	/* event_recv: too small a buffer consumes the event and says so */
	ck_assert_int_eq(request_events(c, 2, 0, 6, 0), 0);
	ck_assert_int_eq(ais_client_event_recv(c, buf, 4, 0, &len), -EMSGSIZE);
	ck_assert_int_eq(ais_client_event_recv(c, buf, sizeof(buf), -1, &len), 0);
	ck_assert_uint_eq(len, offsetof(struct event_msg, pad));
	ck_assert_uint_eq(((struct event_msg *)(void *)buf)->seq, 7);
	ais_client_disconnect(c);
}
END_TEST

struct fin_ctx {
	struct ais_client *client;
};

static struct ais_hdb fin_db = AIS_HDB_INITIALIZER(AIS_HDB_TAG(AIS_SERVICE_EXAMPLE, 2));

static void fin_destructor(void *instance)
{
	struct fin_ctx *f = instance;

	ais_client_disconnect(f->client);
	f->client = NULL;
}

static int fin_destroyed_count;
static uint64_t fin_handle;

static void fin_destructor_count(void *instance)
{
	fin_destructor(instance);
	fin_destroyed_count++;
}

struct fin_sink {
	struct sink s;
	uint64_t handle;
};

static int fin_deliver(void *ctx, const void *msg, size_t len)
{
	struct fin_sink *fs = ctx;
	void *p;

	sink_deliver(&fs->s, msg, len);
	if (fs->s.count == 3) {
		/* the library's finalize, from inside a callback */
		ck_assert_int_eq(ais_hdb_get(&fin_db, fs->handle, &p), 0);
		ais_client_shutdown(((struct fin_ctx *)p)->client);
		ck_assert_int_eq(ais_hdb_destroy(&fin_db, fs->handle), 0);
		ck_assert_int_eq(ais_hdb_put(&fin_db, fs->handle), 0);
		ck_assert_int_eq(fin_destroyed_count, 0); /* dispatch still holds it */
	}
	return 0;
}

START_TEST(test_finalize_in_callback)
{
	struct fin_sink fs = { { 0 }, 0 };
	struct fin_ctx *f;
	void *p;

	ck_assert_int_eq(ais_hdb_create(&fin_db, sizeof(*f), fin_destructor_count, &fin_handle, &p), 0);
	f = p;
	f->client = client_open();
	fs.handle = fin_handle;
	ck_assert_int_eq(request_events(f->client, 6, 0, 0, 0), 0);

	/* the library's dispatch: get, dispatch, put */
	ck_assert_int_eq(ais_hdb_get(&fin_db, fin_handle, &p), 0);
	ck_assert_int_eq(ais_client_dispatch(((struct fin_ctx *)p)->client, AIS_DISPATCH_BLOCKING,
	                                     fin_deliver, &fs), 0);
	ck_assert_uint_eq(fs.s.count, 3); /* stopped right after the finalize */
	ck_assert_int_eq(fin_destroyed_count, 0);
	ck_assert_int_eq(ais_hdb_put(&fin_db, fin_handle), 0);
	ck_assert_int_eq(fin_destroyed_count, 1); /* closed at the last put */
	ck_assert_int_eq(ais_hdb_get(&fin_db, fin_handle, &p), -EBADF);
}
END_TEST

START_TEST(test_finalize_in_callback_plain)
{
	struct sink s = { 0 };
	struct ais_client *c = client_open();

	ck_assert_int_eq(request_events(c, 4, 0, 0, 0), 0);
	s.finalize_client = c;
	s.finalize_at = 2;
	ck_assert_int_eq(ais_client_dispatch(c, AIS_DISPATCH_ALL, sink_deliver, &s), 0);
	ck_assert_uint_eq(s.count, 2);
	ck_assert(ais_client_is_shutdown(c));
	ck_assert_int_eq(ais_client_dispatch(c, AIS_DISPATCH_ALL, sink_deliver, &s), -EBADF);
	ck_assert_int_eq(request_echo(c, 1), -EBADF);
	ais_client_disconnect(c);
}
END_TEST

struct finalizer_arg {
	struct ais_client *c;
	sem_t *first;
};

static void *finalizer_thread(void *arg)
{
	struct finalizer_arg *fa = arg;

	sem_wait(fa->first);
	ais_client_shutdown(fa->c);
	return NULL;
}

START_TEST(test_blocking_finalize_other_thread)
{
	struct ais_client *c = client_open();
	struct sink s = { 0 };
	sem_t first;
	struct finalizer_arg fa = { c, &first };
	pthread_t th;

	ck_assert_int_eq(sem_init(&first, 0, 0), 0);
	s.first = &first;
	ck_assert_int_eq(pthread_create(&th, NULL, finalizer_thread, &fa), 0);
	/* one event; BLOCKING then waits for more until the other thread
	 * finalizes: it must return 0 and not hang */
	ck_assert_int_eq(request_events(c, 0, 1, 0, 0), 0);
	ck_assert_int_eq(ais_client_dispatch(c, AIS_DISPATCH_BLOCKING, sink_deliver, &s), 0);
	ck_assert_uint_eq(s.count, 1);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	sem_destroy(&first);
	ais_client_disconnect(c);
}
END_TEST

START_TEST(test_server_dies_in_call)
{
	struct ais_client *c = client_open();
	struct sink s = { 0 };
	int r;

	ck_assert_int_eq(request_echo(c, 1), 0);
	r = simple_request(c, REQ_DIE);
	ck_assert_int_eq(r, -ENOTCONN);
	ck_assert_int_eq(ais_error_from_errno(r), SA_AIS_ERR_LIBRARY);
	ck_assert(ais_client_is_shutdown(c));
	/* everything after fails at once, the fd reports the hang-up */
	ck_assert_int_eq(request_echo(c, 2), -ENOTCONN);
	ck_assert_int_eq(fd_readable(c), 1);
	ck_assert_int_eq(ais_client_dispatch(c, AIS_DISPATCH_BLOCKING, sink_deliver, &s), -ENOTCONN);
	ais_client_disconnect(c);
	waitpid(server_pid, NULL, 0);
	server_pid = 0;
	/* and no daemon: connect fails cleanly */
	ck_assert_int_eq(ais_client_connect(SERVICE, &c), -ENOTCONN);
}
END_TEST

START_TEST(test_server_dies_while_dispatching)
{
	struct ais_client *c = client_open();
	struct sink s = { 0 };

	ck_assert_int_eq(request_events(c, 2, 0, 0, 0), 0);
	kill(server_pid, SIGKILL);
	waitpid(server_pid, NULL, 0);
	server_pid = 0;
	/* BLOCKING dispatch ends with an error instead of waiting forever */
	ck_assert_int_eq(ais_client_dispatch(c, AIS_DISPATCH_BLOCKING, sink_deliver, &s), -ENOTCONN);
	ck_assert_int_eq(request_echo(c, 2), -ENOTCONN);
	ais_client_disconnect(c);
}
END_TEST

START_TEST(test_protocol_errors)
{
	struct ais_client *c = client_open();
	struct qb_ipc_request_header bad = { .id = REQ_ECHO, .size = 3 };
	struct iovec iov = { &bad, sizeof(bad) };
	char small[8];
	size_t len;

	/* request header size must match what is sent */
	ck_assert_int_eq(ais_client_request(c, &iov, 1, RES_ID(REQ_ECHO), small, sizeof(small), &len),
	                 -EINVAL);
	ck_assert_int_eq(ais_client_request(c, NULL, 0, 1, small, sizeof(small), &len), -EINVAL);
	/* response too large for the caller's buffer: consumed, reported */
	bad.size = sizeof(bad);
	ck_assert_int_eq(ais_client_request(c, &iov, 1, RES_ID(REQ_ECHO), small, sizeof(small), &len),
	                 -EMSGSIZE);
	ck_assert_int_eq(request_echo(c, 3), 0);
	/* error response from the router */
	ck_assert_int_eq(simple_request(c, REQ_ERROR), -EAGAIN);
	ck_assert_int_eq(request_echo(c, 4), 0);
	/* a response with another id breaks the connection for good */
	ck_assert_int_eq(simple_request(c, REQ_WRONG_ID), -EPROTO);
	ck_assert_int_eq(request_echo(c, 5), -ENOTCONN);
	ais_client_disconnect(c);
}
END_TEST

struct caller_arg {
	struct ais_client *c;
	uint32_t rounds;
	int failures;
};

static void *caller_thread(void *arg)
{
	struct caller_arg *ca = arg;

	for (uint32_t i = 0; i < ca->rounds; i++) {
		if (request_events(ca->c, 1, 1, 2 * i, 8) != 0 || request_echo(ca->c, i) != 0) {
			ca->failures++;
		}
	}
	ais_client_shutdown(ca->c);
	return NULL;
}

START_TEST(test_dispatch_while_calling)
{
	struct ais_client *c = client_open();
	struct caller_arg ca = { c, 300, 0 };
	struct sink s = { 0 };
	pthread_t th;

	/* one thread dispatches (BLOCKING) while another makes calls that
	 * produce events around their responses */
	ck_assert_int_eq(pthread_create(&th, NULL, caller_thread, &ca), 0);
	ck_assert_int_eq(ais_client_dispatch(c, AIS_DISPATCH_BLOCKING, sink_deliver, &s), 0);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	ck_assert_int_eq(ca.failures, 0);
	ck_assert_uint_eq(s.order_errors, 0);
	ck_assert_uint_le(s.count, 600);
	ais_client_disconnect(c);
}
END_TEST

START_TEST(test_connect_churn)
{
	for (int i = 0; i < 1000; i++) {
		struct ais_client *c = NULL;

		ck_assert_int_eq(ais_client_connect(SERVICE, &c), 0);
		if (i % 100 == 0) {
			ck_assert_int_eq(request_echo(c, (uint32_t)i), 0);
		}
		ais_client_disconnect(c);
	}
}
END_TEST

START_TEST(test_connect_names)
{
	struct ais_client *c = NULL;
	char longname[AIS_IPC_NAME_MAX + 8];

	ck_assert_int_eq(ais_client_connect(NULL, &c), -EINVAL);
	ck_assert_int_eq(ais_client_connect("", &c), -EINVAL);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	ck_assert_int_eq(ais_client_connect(longname, &c), -EINVAL);
	ck_assert_int_eq(ais_client_connect("nosuchservice", &c), -ENOTCONN);
	ck_assert_ptr_null(c);
	/* the reason of the failed connect, for the user */
	ck_assert_ptr_nonnull(ais_client_connect_reason());
	ck_assert_ptr_nonnull(strstr(ais_client_connect_reason(), "cannot connect to aisexec: is it running"));
	ck_assert_ptr_nonnull(strstr(ais_client_connect_reason(), "nosuchservice"));
	/* a successful connect clears it */
	ck_assert_int_eq(ais_client_connect(SERVICE, &c), 0);
	ck_assert_ptr_null(ais_client_connect_reason());
	ais_client_disconnect(c);
	c = NULL;
	/* the instance picks the daemon: another instance has no server */
	setenv(AIS_INSTANCE_ENV, "no-such-instance", 1);
	ck_assert_int_eq(ais_client_connect(SERVICE, &c), -ENOTCONN);
	ck_assert_ptr_nonnull(strstr(ais_client_connect_reason(), "no-such-instance"));
}
END_TEST

/* Events of a batch come out one by one, in order, and the selection
 * object stays readable while the library holds some of them. */
START_TEST(test_batch_dispatch_one)
{
	struct sink s = { 0 };
	struct ais_client *c = client_open();

	ck_assert_int_eq(request_batch(c, REQ_BATCH, 5, 0, 0, 13), 0);
	for (uint32_t i = 0; i < 5; i++) {
		ck_assert_int_eq(fd_readable(c), 1);
		ck_assert_int_eq(ais_client_dispatch(c, AIS_DISPATCH_ONE, sink_deliver, &s), 0);
		ck_assert_uint_eq(s.count, i + 1);
	}
	ck_assert_int_eq(fd_readable(c), 0);
	ck_assert_int_eq(ais_client_dispatch(c, AIS_DISPATCH_ONE_NONBLOCKING, sink_deliver, &s), -EAGAIN);

	/* batches, single events and event_recv mixed: one order */
	ck_assert_int_eq(request_events(c, 2, 0, 5, 3), 0);
	ck_assert_int_eq(request_batch(c, REQ_BATCH, 4, 0, 7, 0), 0);
	ck_assert_int_eq(request_events(c, 1, 0, 11, 0), 0);
	ck_assert_int_eq(request_batch(c, REQ_BATCH, 3, 0, 12, 100), 0);
	ck_assert_int_eq(ais_client_dispatch(c, AIS_DISPATCH_ONE_NONBLOCKING, sink_deliver, &s), 0);
	ck_assert_uint_eq(s.count, 6);
	{
		uint8_t buf[256];
		struct event_msg ev;
		size_t len;

		for (uint32_t seq = 6; seq < 9; seq++) {
			ck_assert_int_eq(ais_client_event_recv(c, buf, sizeof(buf), 0, &len), 0);
			memcpy(&ev, buf, sizeof(ev));
			ck_assert_uint_eq(ev.seq, seq);
			ck_assert_int_eq(ev.hdr.size, (int32_t)len);
		}
		s.next_seq = 9;
	}
	ck_assert_int_eq(fd_readable(c), 1);
	ck_assert_int_eq(ais_client_dispatch(c, AIS_DISPATCH_ALL, sink_deliver, &s), 0);
	ck_assert_uint_eq(s.count, 15 - 3); /* seq 0-14, of which 6-8 went to event_recv */
	ck_assert_uint_eq(s.next_seq, 15);
	ck_assert_uint_eq(s.order_errors, 0);
	ck_assert_int_eq(fd_readable(c), 0);
	ais_client_disconnect(c);
}
END_TEST

/* A malformed batch is dropped whole; what follows it is delivered. */
START_TEST(test_batch_malformed)
{
	struct ais_client *c = client_open();

	for (uint32_t bad = 1; bad <= 3; bad++) {
		struct sink s = { .next_seq = 50 + bad };

		ck_assert_int_eq(request_batch(c, REQ_BAD_BATCH, 0, bad, 50 + bad, 5), 0);
		ck_assert_int_eq(ais_client_dispatch(c, AIS_DISPATCH_ALL, sink_deliver, &s), 0);
		ck_assert_uint_eq(s.count, 1);
		ck_assert_uint_eq(s.order_errors, 0);
		ck_assert_int_eq(fd_readable(c), 0);
	}
	ck_assert_int_eq(request_echo(c, 9), 0);
	ais_client_disconnect(c);
}
END_TEST

/* No batches when the application says so or the server does not know
 * the request: the events come one by one, nothing is lost. */
START_TEST(test_batch_not_granted)
{
	struct ais_client *c;

	for (int round = 0; round < 2; round++) {
		struct sink s = { 0 };

		if (round == 0) {
			setenv("AIS_IPC_EVENT_BATCH", "0", 1);
			c = client_open();
			unsetenv("AIS_IPC_EVENT_BATCH");
		} else {
			c = client_open();
			ck_assert_int_eq(simple_request(c, REQ_OLD), 0);
			ais_client_disconnect(c);
			c = client_open();
		}
		ck_assert_int_eq(request_batch(c, REQ_BATCH, 6, 0, 0, 1), 0);
		ck_assert_int_eq(ais_client_dispatch(c, AIS_DISPATCH_ONE, sink_deliver, &s), 0);
		ck_assert_int_eq(fd_readable(c), 1);
		ck_assert_int_eq(ais_client_dispatch(c, AIS_DISPATCH_ALL, sink_deliver, &s), 0);
		ck_assert_uint_eq(s.count, 6);
		ck_assert_uint_eq(s.order_errors, 0);
		ais_client_disconnect(c);
	}
}
END_TEST

static Suite *lib_client_suite(void)
{
	Suite *s = suite_create("lib_client");
	TCase *tc = tcase_create("ipc");

	tcase_add_checked_fixture(tc, server_start, server_stop);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sync_call_keeps_events_in_order);
	tcase_add_test(tc, test_large_events);
	tcase_add_test(tc, test_dispatch_modes);
	tcase_add_test(tc, test_finalize_in_callback);
	tcase_add_test(tc, test_finalize_in_callback_plain);
	tcase_add_test(tc, test_blocking_finalize_other_thread);
	tcase_add_test(tc, test_server_dies_in_call);
	tcase_add_test(tc, test_server_dies_while_dispatching);
	tcase_add_test(tc, test_protocol_errors);
	tcase_add_test(tc, test_dispatch_while_calling);
	tcase_add_test(tc, test_connect_churn);
	tcase_add_test(tc, test_connect_names);
	tcase_add_test(tc, test_batch_dispatch_one);
	tcase_add_test(tc, test_batch_malformed);
	tcase_add_test(tc, test_batch_not_granted);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(lib_client_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
