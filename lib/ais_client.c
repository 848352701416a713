/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The client side of one IPC connection to the executive: connect by
 * service name and instance, the synchronous request path, event receive
 * and the SA dispatch loop shared by every client library.
 *
 * Queueing decision (DESIGN section 4): libqb keeps three channels per
 * connection (request, response, event). A synchronous call reads only the
 * response channel, so events the daemon sends meanwhile stay in libqb's
 * event channel, in order, until dispatch reads them; nothing is queued in
 * the library and nothing can be delivered from inside a synchronous call.
 * libqb's poll fd (qb_ipcc_fd_get) is readable exactly while an event is
 * queued, and on hang-up when the daemon goes away: for shared memory
 * connections the server writes one notification byte per event to the
 * setup socket and qb_ipcc_event_recv consumes it, for socket connections
 * it is the event socket itself. Every message is bounded by the
 * connection's buffer size, so no message is ever split.
 *
 * Event batches (ais/ipc.h): right after connecting, the library asks the
 * executive for AIS_IPC_FEATURE_EVENT_BATCH (unless $AIS_IPC_EVENT_BATCH is
 * "0"); granted, the executive may send a burst of events as one libqb
 * event, one notification for the lot. The events of a batch are handed
 * out one by one from event_buf, before anything new is read. Because a
 * dispatch that returns after one callback (SA_DISPATCH_ONE) can leave
 * events of a batch in hand, where libqb's fd no longer says so, the
 * selection object of such a connection is an epoll fd holding libqb's fd
 * and an eventfd (ready_fd) that the library keeps readable exactly while
 * it holds events: the selection object is readable while an event is
 * pending, in the library or in libqb, and on hang-up. Without batches the
 * selection object is libqb's fd itself.
 *
 * A separate eventfd (the wake fd) is never handed out: finalize writes it
 * so a dispatch blocked in another thread (or the one running the callback
 * that finalized) returns, without an "activate poll" round trip through
 * the daemon.
 *
 * Locking: request_lock serialises the request/response path (one
 * outstanding request per connection), dispatch_lock the event path. The two
 * paths use different libqb channels and may run concurrently.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <qb/qbipcc.h>

#include <ais/ipc.h>
#include <ais/ipc_cfg.h>
#include <ais/ipc_clm.h>
#include <ais/ipc_evt.h>

#include "ais_client.h"

/* Bounded retries of a send refused because the request channel is full. */
#define AIS_CLIENT_SEND_RETRIES 100
#define AIS_CLIENT_SEND_RETRY_NS 1000000L

struct ais_client {
	qb_ipcc_connection_t *qb;
	char name[AIS_IPC_NAME_MAX];
	int poll_fd;              /* libqb's fd */
	int wake_fd;              /* eventfd written by shutdown */
	int sel_fd;               /* with batches: epoll of poll_fd and ready_fd; else -1 */
	int ready_fd;             /* with batches: eventfd, readable while batch_left > 0 */
	size_t buf_size;          /* largest message on any channel */

	pthread_mutex_t request_lock;
	void *response_buf;       /* under request_lock */

	pthread_mutex_t dispatch_lock;
	void *event_buf;          /* under dispatch_lock */
	uint64_t bad_events;      /* under dispatch_lock */
	size_t batch_off;         /* under dispatch_lock: next event of the batch in event_buf */
	uint32_t batch_left;      /* under dispatch_lock: events of it not handed out yet */
	bool ready_set;           /* under dispatch_lock: ready_fd is readable */

	atomic_bool shut;         /* finalized */
	atomic_bool failed;       /* daemon gone or protocol broken */
};

static int client_name_build(const char *service, char *ret_name, size_t len)
{
	const char *instance = getenv(AIS_INSTANCE_ENV);
	int n;

	if (service == NULL || service[0] == '\0' || strchr(service, '/') != NULL) {
		return -EINVAL;
	}
	if (instance != NULL && instance[0] != '\0') {
		n = snprintf(ret_name, len, "ais-%s-%s", instance, service);
	} else {
		n = snprintf(ret_name, len, "ais-%s", service);
	}
	if (n < 0 || (size_t)n >= len) {
		return -EINVAL;
	}
	return 0;
}

static int connect_errno(int err)
{
	switch (err) {
	case ENOMEM:
	case EACCES:
	case EMFILE:    /* the daemon's per-user connection limit */
	case ENFILE:    /* the daemon's limit on all connections */
	case ESHUTDOWN: /* the daemon is shutting down */
		return -err;
	case EPERM:
		return -EACCES;
	default:
		/* ECONNREFUSED, ENOENT (no such service), ENOTCONN, ... */
		return -ENOTCONN;
	}
}

/*
 * Why the last connect of this thread failed, as one sentence (empty after
 * a successful connect). The daemon refuses a connection with an errno
 * only (libqb's connection setup carries no text), so the sentence is
 * made here from that errno and what the client knows: its own uid and
 * gid and the IPC name.
 */
static _Thread_local char connect_reason[256];

const char *ais_client_connect_reason(void)
{
	return connect_reason[0] != '\0' ? connect_reason : NULL;
}

static void connect_reason_set(int err, const char *name)
{
	char *b = connect_reason;
	size_t n = sizeof(connect_reason);

	switch (err) {
	case -EACCES:
		snprintf(b, n, "access denied by aisexec: uid %u (gid %u) is not allowed "
		         "(aisexec { ipc_allow_uid, ipc_allow_gid }) (%s)",
		         (unsigned)geteuid(), (unsigned)getegid(), name);
		break;
	case -EMFILE:
		snprintf(b, n, "aisexec refused the connection: too many connections for uid %u "
		         "(its limit per user, aisexec { ipc_max_connections_per_uid }) (%s)",
		         (unsigned)geteuid(), name);
		break;
	case -ENFILE:
		snprintf(b, n, "aisexec refused the connection: too many connections in all "
		         "(its limit, aisexec { ipc_max_connections }) (%s)", name);
		break;
	case -ESHUTDOWN:
		snprintf(b, n, "aisexec refused the connection: it is shutting down (%s)", name);
		break;
	case -ETIMEDOUT:
		snprintf(b, n, "aisexec did not answer within %d ms: is it stopped or overloaded? (%s)",
		         ais_client_connect_timeout_ms(), name);
		break;
	case -ENOMEM:
		snprintf(b, n, "out of memory while connecting to aisexec (%s)", name);
		break;
	case -EINVAL:
		snprintf(b, n, "no valid IPC name for this service and $%s", AIS_INSTANCE_ENV);
		break;
	default:
		snprintf(b, n, "cannot connect to aisexec: is it running, with this instance "
		         "($%s)? (%s)", AIS_INSTANCE_ENV, name);
		break;
	}
}

static void client_free(struct ais_client *c)
{
	if (c->wake_fd >= 0) {
		close(c->wake_fd);
	}
	if (c->sel_fd >= 0) {
		close(c->sel_fd);
	}
	if (c->ready_fd >= 0) {
		close(c->ready_fd);
	}
	free(c->response_buf);
	free(c->event_buf);
	pthread_mutex_destroy(&c->request_lock);
	pthread_mutex_destroy(&c->dispatch_lock);
	free(c);
}

static int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Connect with a bound: qb_ipcc_connect() waits without limit for the
 * server's answer to the setup request (a stopped daemon accepts the
 * socket and never answers), so connect in two halves and poll the setup
 * socket for at most AIS_CLIENT_CONNECT_TIMEOUT_MS in between.
 */
/* The connect bound: AIS_CLIENT_CONNECT_TIMEOUT_MS, or $AIS_CONNECT_TIMEOUT_MS
 * (1..600000) for tools that poll (ais-cluster wait). */
int ais_client_connect_timeout_ms(void)
{
	const char *s = getenv("AIS_CONNECT_TIMEOUT_MS");
	char *end;
	long v;

	if (s == NULL || *s == '\0')
		return AIS_CLIENT_CONNECT_TIMEOUT_MS;
	v = strtol(s, &end, 10);
	return *end == '\0' && v >= 1 && v <= 600000 ? (int)v : AIS_CLIENT_CONNECT_TIMEOUT_MS;
}

/* The ring size the daemon's engine uses for service (include/ais/ipc_*.h);
 * engines without their own size use AIS_IPC_MSG_MAX. */
static size_t client_buffer_size(const char *service)
{
	if (strcmp(service, "clm") == 0) {
		return AIS_CLM_IPC_BUFFER_SIZE;
	}
	if (strcmp(service, "evt") == 0) {
		return AIS_EVT_IPC_BUFFER_SIZE;
	}
	if (strcmp(service, "cfg") == 0) {
		return AIS_CFG_IPC_BUFFER_SIZE;
	}
	return AIS_IPC_MSG_MAX;
}

static int client_connect(struct ais_client *c, const char *service)
{
	int64_t deadline = monotonic_ms() + ais_client_connect_timeout_ms();
	struct pollfd pfd = { .events = POLLIN };
	int setup_fd = -1;
	int r;

	c->qb = qb_ipcc_connect_async(c->name, client_buffer_size(service), &setup_fd);
	if (c->qb == NULL) {
		return connect_errno(errno);
	}
	pfd.fd = setup_fd;
	for (;;) {
		int64_t left = deadline - monotonic_ms();

		if (left <= 0) {
			r = 0;
		} else {
			r = poll(&pfd, 1, (int)left);
		}
		if (r < 0 && errno == EINTR) {
			continue;
		}
		break;
	}
	if (r <= 0) {
		/* Not answered in time (or poll failed): drop the half-made
		 * connection; libqb frees it but leaves the setup socket to us. */
		int err = r == 0 ? -ETIMEDOUT : -errno;

		close(setup_fd);
		qb_ipcc_disconnect(c->qb);
		c->qb = NULL;
		return err;
	}
	/* On failure libqb has freed the connection and closed its socket. */
	r = qb_ipcc_connect_continue(c->qb);
	if (r != 0) {
		c->qb = NULL;
		return connect_errno(-r);
	}
	return 0;
}

static int client_features(struct ais_client *c);

int ais_client_connect(const char *service, struct ais_client **ret_client)
{
	struct ais_client *c;
	int32_t fd;
	int32_t size;
	int res;

	if (ret_client == NULL) {
		connect_reason_set(-EINVAL, "");
		return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		connect_reason_set(-ENOMEM, service != NULL ? service : "");
		return -ENOMEM;
	}
	c->wake_fd = -1;
	c->sel_fd = -1;
	c->ready_fd = -1;
	pthread_mutex_init(&c->request_lock, NULL);
	pthread_mutex_init(&c->dispatch_lock, NULL);
	atomic_init(&c->shut, false);
	atomic_init(&c->failed, false);

	res = client_name_build(service, c->name, sizeof(c->name));
	if (res < 0) {
		goto fail;
	}
	c->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->wake_fd < 0) {
		int err = errno;

		/* this process's limit, not the daemon's */
		snprintf(connect_reason, sizeof(connect_reason),
			 "cannot connect to aisexec: no eventfd for this process: %s", strerror(err));
		res = err == ENOMEM ? -ENOMEM : -EMFILE;
		goto fail_reason_set;
	}
	res = client_connect(c, service);
	if (res < 0) {
		goto fail;
	}
	size = qb_ipcc_get_buffer_size(c->qb);
	c->buf_size = size > 0 ? (size_t)size : AIS_IPC_MSG_MAX;
	if (qb_ipcc_fd_get(c->qb, &fd) != 0) {
		res = -ENOTCONN;
		goto fail_qb;
	}
	c->poll_fd = fd;
	/* Large, mostly untouched: malloc maps these lazily. */
	c->response_buf = malloc(c->buf_size);
	c->event_buf = malloc(c->buf_size);
	if (c->response_buf == NULL || c->event_buf == NULL) {
		res = -ENOMEM;
		goto fail_qb;
	}
	res = client_features(c);
	if (res < 0) {
		goto fail_qb;
	}
	*ret_client = c;
	connect_reason[0] = '\0';
	return 0;

fail_qb:
	qb_ipcc_disconnect(c->qb);
fail:
	connect_reason_set(res, c->name[0] != '\0' ? c->name : service != NULL ? service : "");
fail_reason_set:
	client_free(c);
	return res;
}

void ais_client_disconnect(struct ais_client *c)
{
	if (c == NULL) {
		return;
	}
	qb_ipcc_disconnect(c->qb);
	client_free(c);
}

void ais_client_shutdown(struct ais_client *c)
{
	uint64_t one = 1;

	if (c == NULL || atomic_exchange(&c->shut, true)) {
		return;
	}
	/* The counter cannot overflow with one write; failure is impossible
	 * for a valid eventfd, and a reader also checks `shut`. */
	if (write(c->wake_fd, &one, sizeof(one)) != (ssize_t)sizeof(one)) {
		return;
	}
}

int ais_client_finalize(struct ais_client *c)
{
	if (c == NULL || atomic_load(&c->shut)) {
		return -EBADF;
	}
	ais_client_shutdown(c);
	if (atomic_load(&c->failed) || !qb_ipcc_is_connected(c->qb)) {
		atomic_store(&c->failed, true);
		return -ENOTCONN;
	}
	return 0;
}

bool ais_client_is_shutdown(struct ais_client *c)
{
	return c == NULL || atomic_load(&c->shut) || atomic_load(&c->failed);
}

bool ais_client_is_finalized(struct ais_client *c)
{
	return c == NULL || atomic_load(&c->shut);
}

int ais_client_fd(struct ais_client *c, int *ret_fd)
{
	if (c == NULL || ret_fd == NULL) {
		return -EINVAL;
	}
	*ret_fd = c->sel_fd >= 0 ? c->sel_fd : c->poll_fd;
	return 0;
}

static int request_check(const struct iovec *iov, size_t iovcnt, size_t max)
{
	const struct qb_ipc_request_header *hdr;
	size_t total = 0;

	if (iov == NULL || iovcnt == 0 || iovcnt > INT32_MAX ||
	    iov[0].iov_len < sizeof(*hdr) || iov[0].iov_base == NULL) {
		return -EINVAL;
	}
	for (size_t i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len > max - total) {
			return -EINVAL;
		}
		total += iov[i].iov_len;
	}
	hdr = iov[0].iov_base;
	if (hdr->size < 0 || (size_t)hdr->size != total) {
		return -EINVAL;
	}
	return 0;
}

static int client_send_locked(struct ais_client *c, const struct iovec *iov, size_t iovcnt)
{
	const struct timespec pause = { 0, AIS_CLIENT_SEND_RETRY_NS };
	ssize_t res;

	for (int attempt = 0;; attempt++) {
		res = qb_ipcc_sendv(c->qb, iov, iovcnt);
		if (res >= 0) {
			return 0;
		}
		if (res != -EAGAIN) {
			break;
		}
		if (attempt >= AIS_CLIENT_SEND_RETRIES) {
			return -EAGAIN;
		}
		nanosleep(&pause, NULL);
	}
	if (res == -EMSGSIZE || res == -EINVAL) {
		return (int)res;
	}
	atomic_store(&c->failed, true);
	return -ENOTCONN;
}

static int response_check(const void *msg, size_t len, int32_t response_id)
{
	struct qb_ipc_response_header hdr;

	if (len < sizeof(hdr)) {
		return -EPROTO;
	}
	memcpy(&hdr, msg, sizeof(hdr));
	if (hdr.size < 0 || (size_t)hdr.size != len) {
		return -EPROTO;
	}
	if (hdr.id != response_id && hdr.id != AIS_IPC_RESPONSE_ERROR) {
		return -EPROTO;
	}
	return 0;
}

/* Wait for the response to the request just sent; leaves it in
 * c->response_buf. A failure here desynchronises the channel, so every
 * error marks the connection failed. */
static int client_response_wait_locked(struct ais_client *c, int32_t response_id, size_t *ret_len)
{
	int64_t deadline = monotonic_ms() + AIS_CLIENT_REQUEST_TIMEOUT_MS;
	ssize_t res;
	int err;

	for (;;) {
		res = qb_ipcc_recv(c->qb, c->response_buf, c->buf_size, AIS_CLIENT_POLL_MS);
		if (res >= 0) {
			break;
		}
		if (res != -EAGAIN && res != -ETIMEDOUT && res != -EINTR) {
			err = -ENOTCONN;
			goto failed;
		}
		if (!qb_ipcc_is_connected(c->qb)) {
			err = -ENOTCONN;
			goto failed;
		}
		if (monotonic_ms() >= deadline) {
			err = -ETIMEDOUT;
			goto failed;
		}
	}
	err = response_check(c->response_buf, (size_t)res, response_id);
	if (err < 0) {
		goto failed;
	}
	*ret_len = (size_t)res;
	return 0;

failed:
	atomic_store(&c->failed, true);
	return err;
}

static int client_call_locked(struct ais_client *c, const struct iovec *iov, size_t iovcnt,
                              int32_t response_id, size_t *ret_len)
{
	int res;

	if (atomic_load(&c->shut)) {
		return -EBADF;
	}
	if (atomic_load(&c->failed)) {
		return -ENOTCONN;
	}
	res = request_check(iov, iovcnt, c->buf_size);
	if (res < 0) {
		return res;
	}
	res = client_send_locked(c, iov, iovcnt);
	if (res < 0) {
		return res;
	}
	return client_response_wait_locked(c, response_id, ret_len);
}

/* The selection object of a connection with batches: epoll of libqb's fd
 * and ready_fd. false (and nothing made) when the fds cannot be had. */
static bool client_sel_make(struct ais_client *c)
{
	struct epoll_event ev = { .events = EPOLLIN };

	c->ready_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	c->sel_fd = epoll_create1(EPOLL_CLOEXEC);
	if (c->ready_fd >= 0 && c->sel_fd >= 0) {
		ev.data.fd = c->poll_fd;
		if (epoll_ctl(c->sel_fd, EPOLL_CTL_ADD, c->poll_fd, &ev) == 0) {
			ev.data.fd = c->ready_fd;
			if (epoll_ctl(c->sel_fd, EPOLL_CTL_ADD, c->ready_fd, &ev) == 0) {
				return true;
			}
		}
	}
	if (c->ready_fd >= 0) {
		close(c->ready_fd);
	}
	if (c->sel_fd >= 0) {
		close(c->sel_fd);
	}
	c->ready_fd = c->sel_fd = -1;
	return false;
}

/*
 * Ask the executive for event batches (AIS_IPC_REQ_FEATURES). Not asked
 * when $AIS_IPC_EVENT_BATCH is "0" or the selection object for them cannot
 * be made; an executive that does not know the request answers
 * AIS_IPC_RESPONSE_ERROR, and the connection goes on without.
 */
static int client_features(struct ais_client *c)
{
	const char *env = getenv("AIS_IPC_EVENT_BATCH");
	struct ais_ipc_req_features req;
	struct ais_ipc_res_features res = { .features = 0 };
	struct iovec iov = { .iov_base = &req, .iov_len = sizeof(req) };
	size_t len;
	int r;

	if ((env != NULL && strcmp(env, "0") == 0) || !client_sel_make(c)) {
		return 0;
	}
	memset(&req, 0, sizeof(req));
	req.header.id = AIS_IPC_REQ_FEATURES;
	req.header.size = (int32_t)sizeof(req);
	req.features = AIS_IPC_FEATURE_EVENT_BATCH;
	pthread_mutex_lock(&c->request_lock);
	r = client_call_locked(c, &iov, 1, AIS_IPC_RES_FEATURES, &len);
	if (r == 0 && len == sizeof(res)) {
		memcpy(&res, c->response_buf, sizeof(res));
	}
	pthread_mutex_unlock(&c->request_lock);
	if (r < 0) {
		return r;
	}
	if (res.header.id != AIS_IPC_RES_FEATURES || !(res.features & AIS_IPC_FEATURE_EVENT_BATCH)) {
		close(c->ready_fd);
		close(c->sel_fd);
		c->ready_fd = c->sel_fd = -1;
	}
	return 0;
}

int ais_client_request(struct ais_client *c, const struct iovec *iov, size_t iovcnt,
                       int32_t response_id, void *ret_buf, size_t buflen, size_t *ret_len)
{
	size_t len;
	int res;

	if (c == NULL || ret_buf == NULL || ret_len == NULL) {
		return -EINVAL;
	}
	pthread_mutex_lock(&c->request_lock);
	res = client_call_locked(c, iov, iovcnt, response_id, &len);
	if (res == 0) {
		if (len > buflen) {
			res = -EMSGSIZE;
		} else {
			memcpy(ret_buf, c->response_buf, len);
			*ret_len = len;
		}
	}
	pthread_mutex_unlock(&c->request_lock);
	return res;
}

int ais_client_request_alloc(struct ais_client *c, const struct iovec *iov, size_t iovcnt,
                             int32_t response_id, void **ret_msg, size_t *ret_len)
{
	void *msg;
	size_t len;
	int res;

	if (c == NULL || ret_msg == NULL || ret_len == NULL) {
		return -EINVAL;
	}
	pthread_mutex_lock(&c->request_lock);
	res = client_call_locked(c, iov, iovcnt, response_id, &len);
	if (res == 0) {
		msg = malloc(len);
		if (msg == NULL) {
			res = -ENOMEM;
		} else {
			memcpy(msg, c->response_buf, len);
			*ret_msg = msg;
			*ret_len = len;
		}
	}
	pthread_mutex_unlock(&c->request_lock);
	return res;
}

int ais_client_send(struct ais_client *c, const struct iovec *iov, size_t iovcnt)
{
	int res;

	if (c == NULL) {
		return -EINVAL;
	}
	pthread_mutex_lock(&c->request_lock);
	if (atomic_load(&c->shut)) {
		res = -EBADF;
	} else if (atomic_load(&c->failed)) {
		res = -ENOTCONN;
	} else {
		res = request_check(iov, iovcnt, c->buf_size);
		if (res == 0) {
			res = client_send_locked(c, iov, iovcnt);
		}
	}
	pthread_mutex_unlock(&c->request_lock);
	return res;
}

/*
 * Wait until the selection object or the wake fd is readable, or timeout_ms
 * passes (-1: forever). 0 = go and read, -EAGAIN = timed out, -EBADF = shut
 * down.
 */
static int client_wait(struct ais_client *c, int timeout_ms)
{
	struct pollfd fds[2] = {
		{ .fd = c->poll_fd, .events = POLLIN },
		{ .fd = c->wake_fd, .events = POLLIN },
	};
	int64_t deadline = timeout_ms < 0 ? 0 : monotonic_ms() + timeout_ms;
	int wait_ms = timeout_ms;
	int n;

	for (;;) {
		if (atomic_load(&c->shut)) {
			return -EBADF;
		}
		n = poll(fds, 2, wait_ms);
		if (n > 0) {
			return fds[1].revents != 0 ? -EBADF : 0;
		}
		if (n == 0) {
			return -EAGAIN;
		}
		if (errno != EINTR) {
			return -ENOTCONN;
		}
		if (timeout_ms >= 0) {
			int64_t left = deadline - monotonic_ms();
			wait_ms = left > 0 ? (int)left : 0;
		}
	}
}

/* Is the batch of len bytes in event_buf well formed (ais/ipc.h)? Checked
 * whole before any of it is handed out. */
static bool client_batch_valid(const struct ais_client *c, size_t len, int32_t count)
{
	const uint8_t *buf = c->event_buf;
	struct qb_ipc_response_header hdr;
	uint64_t off = AIS_IPC_BATCH_FIRST;

	if (count < 2) {
		return false;
	}
	for (int32_t i = 0; i < count; i++) {
		if (off + sizeof(hdr) > len) {
			return false;
		}
		memcpy(&hdr, buf + off, sizeof(hdr));
		if (hdr.size < (int32_t)sizeof(hdr) || off + (uint64_t)hdr.size > len ||
		    hdr.id == AIS_IPC_EVENT_BATCH) {
			return false;
		}
		off = ais_ipc_batch_next(off, (uint64_t)hdr.size);
	}
	return off == len;
}

/* The next event of the batch in hand. */
static void client_batch_next_locked(struct ais_client *c, const void **ret_msg, size_t *ret_len)
{
	const uint8_t *msg = (const uint8_t *)c->event_buf + c->batch_off;
	struct qb_ipc_response_header hdr;

	memcpy(&hdr, msg, sizeof(hdr));
	c->batch_off = ais_ipc_batch_next(c->batch_off, (uint64_t)hdr.size);
	c->batch_left--;
	*ret_msg = msg;
	*ret_len = (size_t)hdr.size;
}

/* ready_fd follows batch_left (called before dispatch_lock is let go). */
static void client_ready_update_locked(struct ais_client *c)
{
	uint64_t v = 1;

	if (c->ready_fd < 0 || (c->batch_left > 0) == c->ready_set) {
		return;
	}
	/* an eventfd counter of 0 or 1 cannot fail either way */
	if (c->batch_left > 0) {
		c->ready_set = write(c->ready_fd, &v, sizeof(v)) == (ssize_t)sizeof(v);
	} else {
		c->ready_set = read(c->ready_fd, &v, sizeof(v)) != (ssize_t)sizeof(v);
	}
}

/* The next event without waiting: from the batch in hand, or read from
 * libqb into c->event_buf. 0 with *ret_msg and *ret_len, -EAGAIN (none),
 * -EPROTO (malformed, consumed), -EMSGSIZE, -ENOTCONN. */
static int client_event_read_locked(struct ais_client *c, const void **ret_msg, size_t *ret_len)
{
	struct qb_ipc_response_header hdr;
	ssize_t res;

	if (c->batch_left > 0) {
		client_batch_next_locked(c, ret_msg, ret_len);
		return 0;
	}
	if (atomic_load(&c->failed)) {
		return -ENOTCONN;
	}
	res = qb_ipcc_event_recv(c->qb, c->event_buf, c->buf_size, 0);
	if (res == -EAGAIN || res == -ETIMEDOUT || res == -EINTR) {
		if (!qb_ipcc_is_connected(c->qb)) {
			atomic_store(&c->failed, true);
			return -ENOTCONN;
		}
		return -EAGAIN;
	}
	if (res < 0) {
		atomic_store(&c->failed, true);
		return -ENOTCONN;
	}
	if ((size_t)res < sizeof(hdr)) {
		c->bad_events++;
		return -EPROTO;
	}
	memcpy(&hdr, c->event_buf, sizeof(hdr));
	if (hdr.size < 0 || (size_t)hdr.size != (size_t)res) {
		c->bad_events++;
		return -EPROTO;
	}
	if (hdr.id == AIS_IPC_EVENT_BATCH && c->ready_fd >= 0) {
		if (!client_batch_valid(c, (size_t)res, hdr.error)) {
			c->bad_events++;
			return -EPROTO;
		}
		c->batch_off = AIS_IPC_BATCH_FIRST;
		c->batch_left = (uint32_t)hdr.error;
		client_batch_next_locked(c, ret_msg, ret_len);
		return 0;
	}
	*ret_msg = c->event_buf;
	*ret_len = (size_t)res;
	return 0;
}

int ais_client_event_recv(struct ais_client *c, void *buf, size_t len, int timeout_ms,
                          size_t *ret_len)
{
	const void *msg;
	size_t got;
	int res;

	if (c == NULL || buf == NULL || ret_len == NULL) {
		return -EINVAL;
	}
	pthread_mutex_lock(&c->dispatch_lock);
	if (atomic_load(&c->shut)) {
		res = -EBADF;
		goto out;
	}
	res = client_event_read_locked(c, &msg, &got);
	if (res == -EAGAIN && timeout_ms != 0) {
		res = client_wait(c, timeout_ms);
		if (res == 0) {
			res = client_event_read_locked(c, &msg, &got);
		}
	}
	if (res == 0) {
		if (got > len) {
			res = -EMSGSIZE;
		} else {
			memcpy(buf, msg, got);
			*ret_len = got;
		}
	}
out:
	client_ready_update_locked(c);
	pthread_mutex_unlock(&c->dispatch_lock);
	return res;
}

static int client_dispatch_locked(struct ais_client *c, int flags, ais_client_deliver_fn deliver,
                                  void *ctx)
{
	bool delivered = false;
	const void *msg;
	size_t len;
	int res;

	if (atomic_load(&c->shut)) {
		return -EBADF;
	}
	for (;;) {
		bool wait = flags == AIS_DISPATCH_BLOCKING || (flags == AIS_DISPATCH_ONE && !delivered);

		res = client_event_read_locked(c, &msg, &len);
		if (res == -EPROTO) {
			continue;
		}
		if (res == -EAGAIN) {
			if (!wait) {
				/* ONE_NONBLOCKING with nothing to do says so (Corosync's
				 * CS_ERR_TRY_AGAIN); ALL with nothing to do is fine. */
				return flags == AIS_DISPATCH_ONE_NONBLOCKING && !delivered ? -EAGAIN : 0;
			}
			res = client_wait(c, -1);
			if (res == -EBADF) {
				return 0; /* finalized from another thread */
			}
			if (res < 0) {
				return res;
			}
			continue;
		}
		if (res < 0) {
			return res;
		}
		res = deliver(ctx, msg, len);
		delivered = true;
		if (res < 0) {
			return res;
		}
		if (atomic_load(&c->shut)) {
			return 0; /* finalized from the callback */
		}
		if (flags == AIS_DISPATCH_ONE || flags == AIS_DISPATCH_ONE_NONBLOCKING) {
			return 0;
		}
	}
}

int ais_client_dispatch(struct ais_client *c, int flags, ais_client_deliver_fn deliver, void *ctx)
{
	int res;

	if (c == NULL || deliver == NULL || flags < AIS_DISPATCH_ONE ||
	    flags > AIS_DISPATCH_ONE_NONBLOCKING) {
		return -EINVAL;
	}
	pthread_mutex_lock(&c->dispatch_lock);
	res = client_dispatch_locked(c, flags, deliver, ctx);
	client_ready_update_locked(c);
	pthread_mutex_unlock(&c->dispatch_lock);
	return res;
}
