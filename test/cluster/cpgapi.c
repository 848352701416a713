/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cpgapi: tests of libaiscpg against a running daemon ($AIS_INSTANCE), one
 * sub-command per property of the dispatch contract (DESIGN section 4):
 *
 *   interleave  deliveries arrive exactly once, in order, only through
 *               dispatch (never inside a synchronous call), and the fd is
 *               readable whenever dispatch has work
 *   finalize-cb cpg_finalize from inside a callback is safe; no callback
 *               after it; the handle is then CS_ERR_BAD_HANDLE
 *   modes       CS_DISPATCH_ONE / ALL / ONE_NONBLOCKING / BLOCKING
 *   handles     stale, forged and zero handles give CS_ERR_BAD_HANDLE
 *   cycles N PID
 *               N initialize/join/finalize cycles twice; the daemon's VmRSS
 *               may not grow by 2 MiB or more over the second N
 *   daemon-kill PID
 *               SIGSTOP the daemon, block a client in a call and another in
 *               dispatch (seen asleep in the kernel, not returned), SIGKILL
 *               the daemon: both return CS_ERR_LIBRARY, no hang, no crash;
 *               cpg_finalize then answers CS_ERR_LIBRARY (Corosync's answer
 *               for a lost connection) and releases the handle
 *
 * Prints "ok: ..." per check and exits 0, or "FAIL: ..." and exits 1. An
 * alarm ends the program with a failure if a call never returns.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <ais/cpg.h>

#define CHECK(cond, ...)                                                  \
	do {                                                              \
		if (!(cond)) {                                            \
			printf("FAIL: " __VA_ARGS__);                     \
			printf(" (%s:%d)\n", __FILE__, __LINE__);         \
			exit(1);                                          \
		}                                                         \
	} while (0)

static struct cpg_name group;
static volatile bool in_sync_call;
static uint64_t expect_next;
static uint64_t n_delivered;
static bool bad_delivery;
static cpg_handle_t finalize_target;
static uint64_t finalize_at;
static bool self_joined;

static void group_set(const char *name)
{
	group.length = (uint32_t)strlen(name);
	memcpy(group.value, name, group.length);
}

static void deliver_cb(cpg_handle_t h, const struct cpg_name *g, uint32_t nodeid, uint32_t pid,
                       void *msg, size_t len)
{
	uint64_t seq;

	(void)g;
	(void)nodeid;
	if (in_sync_call || len != sizeof(seq) || pid != (uint32_t)getpid()) {
		bad_delivery = true;
		return;
	}
	memcpy(&seq, msg, sizeof(seq));
	if (seq != expect_next)
		bad_delivery = true;
	expect_next = seq + 1;
	n_delivered++;
	if (finalize_target == h && n_delivered == finalize_at)
		CHECK(cpg_finalize(h) == CS_OK, "cpg_finalize inside the deliver callback");
}

static void confchg_cb(cpg_handle_t h, const struct cpg_name *g, const struct cpg_address *m,
                       size_t nm, const struct cpg_address *l, size_t nl,
                       const struct cpg_address *j, size_t nj)
{
	(void)h;
	(void)g;
	(void)m;
	(void)nm;
	(void)l;
	(void)nl;
	for (size_t i = 0; i < nj; i++) {
		if (j[i].pid == (uint32_t)getpid())
			self_joined = true;
	}
}

static cpg_callbacks_t callbacks = { .cpg_deliver_fn = deliver_cb, .cpg_confchg_fn = confchg_cb };

static cpg_handle_t open_joined(const char *name)
{
	cpg_handle_t h;
	cs_error_t e;

	CHECK(cpg_initialize(&h, &callbacks) == CS_OK, "cpg_initialize");
	group_set(name);
	self_joined = false;
	while ((e = cpg_join(h, &group)) == CS_ERR_TRY_AGAIN)
		usleep(10000);
	CHECK(e == CS_OK, "cpg_join: %d", (int)e);
	while (!self_joined)
		CHECK(cpg_dispatch(h, CS_DISPATCH_ONE) == CS_OK, "dispatch while joining");
	return h;
}

static void send_seq(cpg_handle_t h, uint64_t seq)
{
	struct iovec iov = { .iov_base = &seq, .iov_len = sizeof(seq) };
	cs_error_t e;

	while ((e = cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1)) == CS_ERR_TRY_AGAIN)
		usleep(5000);
	CHECK(e == CS_OK, "cpg_mcast_joined: %d", (int)e);
}

static int poll_fd(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r;

	while ((r = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	return r;
}

/* ---- interleave ------------------------------------------------------------------ */

static void sync_calls(cpg_handle_t h)
{
	struct cpg_address members[CPG_MEMBERS_MAX];
	cpg_flow_control_state_t fc;
	int n = CPG_MEMBERS_MAX;
	unsigned int node;

	in_sync_call = true;
	CHECK(cpg_membership_get(h, &group, members, &n) == CS_OK, "cpg_membership_get");
	CHECK(cpg_local_get(h, &node) == CS_OK, "cpg_local_get");
	CHECK(cpg_flow_control_state_get(h, &fc) == CS_OK, "cpg_flow_control_state_get");
	in_sync_call = false;
	CHECK(n >= 1, "membership_get lists %d members", n);
}

static void test_interleave(void)
{
	const uint64_t total = 2000;
	cpg_handle_t h = open_joined("api-interleave");
	int fd;

	CHECK(cpg_fd_get(h, &fd) == CS_OK, "cpg_fd_get");
	expect_next = n_delivered = 0;
	/* send everything with synchronous calls in between, dispatching only
	 * now and then, so that events pile up while calls wait for replies */
	for (uint64_t i = 0; i < total; i++) {
		send_seq(h, i);
		sync_calls(h);
		if (i % 200 == 199)
			CHECK(cpg_dispatch(h, CS_DISPATCH_ALL) == CS_OK, "dispatch ALL");
	}
	sync_calls(h);
	while (n_delivered < total) {
		if (poll_fd(fd, 10000) == 0) {
			uint64_t before = n_delivered;
			cs_error_t e = cpg_dispatch(h, CS_DISPATCH_ONE_NONBLOCKING);
			CHECK(n_delivered == before,
			      "the fd stayed unreadable for 10 s while dispatch had work (dispatch %d)", (int)e);
			CHECK(false, "only %" PRIu64 " of %" PRIu64 " messages delivered", n_delivered, total);
		}
		CHECK(cpg_dispatch(h, CS_DISPATCH_ONE) == CS_OK, "dispatch ONE");
		sync_calls(h); /* may pull more events into the library's queue */
	}
	CHECK(!bad_delivery, "a delivery out of order, duplicated or inside a synchronous call");
	uint64_t before = n_delivered;
	cs_error_t e1 = cpg_dispatch(h, CS_DISPATCH_ONE_NONBLOCKING);
	CHECK(e1 == CS_ERR_TRY_AGAIN && n_delivered == before,
	      "ONE_NONBLOCKING with nothing pending returned %d (want CS_ERR_TRY_AGAIN, %d) and ran %" PRIu64
	      " callbacks", (int)e1, (int)CS_ERR_TRY_AGAIN, n_delivered - before);
	CHECK(poll_fd(fd, 0) == 0, "fd readable with nothing to dispatch");
	CHECK(cpg_finalize(h) == CS_OK, "cpg_finalize");
	printf("ok: interleave: %" PRIu64 " deliveries, once each, in order, none inside a call\n", total);
}

/* ---- finalize inside a callback ---------------------------------------------------- */

static void test_finalize_cb(void)
{
	cpg_handle_t h = open_joined("api-finalize");
	int fd;

	expect_next = n_delivered = 0;
	finalize_target = h;
	finalize_at = 3;
	for (uint64_t i = 0; i < 10; i++)
		send_seq(h, i);
	CHECK(cpg_fd_get(h, &fd) == CS_OK, "cpg_fd_get");
	/* BLOCKING returns once the callback finalized the handle */
	cs_error_t e = cpg_dispatch(h, CS_DISPATCH_BLOCKING);
	/* as Corosync: the dispatch that ran the finalizing callback reports
	 * the handle gone (docs/cpg.md) */
	CHECK(e == CS_ERR_BAD_HANDLE, "dispatch after finalize in callback: %d, expected CS_ERR_BAD_HANDLE",
	      (int)e);
	CHECK(n_delivered == 3, "%" PRIu64 " callbacks ran, expected 3 (none after finalize)", n_delivered);
	CHECK(cpg_dispatch(h, CS_DISPATCH_ALL) == CS_ERR_BAD_HANDLE, "dispatch on a finalized handle");
	CHECK(cpg_finalize(h) == CS_ERR_BAD_HANDLE, "second finalize");
	CHECK(!bad_delivery, "bad delivery");
	finalize_target = 0;
	printf("ok: finalize-cb: finalize inside a callback, no callback after it\n");
}

/* ---- dispatch modes ------------------------------------------------------------------ */

struct blocker {
	cpg_handle_t h;
	cs_error_t result;
};

static void *blocking_thread(void *arg)
{
	struct blocker *b = arg;

	b->result = cpg_dispatch(b->h, CS_DISPATCH_BLOCKING);
	return NULL;
}

static void wait_readable(int fd)
{
	CHECK(poll_fd(fd, 10000) == 1, "no event within 10 s");
}

static void test_modes(void)
{
	cpg_handle_t h = open_joined("api-modes");
	struct blocker b;
	pthread_t t;
	int fd;

	CHECK(cpg_fd_get(h, &fd) == CS_OK, "cpg_fd_get");
	CHECK(cpg_dispatch(h, 0) == CS_ERR_INVALID_PARAM, "dispatch flag 0");
	CHECK(cpg_dispatch(h, 99) == CS_ERR_INVALID_PARAM, "dispatch flag 99");
	expect_next = n_delivered = 0;
	/* ALL and ONE_NONBLOCKING never wait */
	CHECK(cpg_dispatch(h, CS_DISPATCH_ALL) == CS_OK, "ALL with nothing pending");
	CHECK(cpg_dispatch(h, CS_DISPATCH_ONE_NONBLOCKING) == CS_ERR_TRY_AGAIN, "ONE_NONBLOCKING empty");
	CHECK(n_delivered == 0, "callbacks without messages");
	/* ONE runs exactly one callback, waiting for it */
	for (uint64_t i = 0; i < 5; i++)
		send_seq(h, i);
	for (uint64_t i = 1; i <= 5; i++) {
		CHECK(cpg_dispatch(h, CS_DISPATCH_ONE) == CS_OK, "dispatch ONE");
		CHECK(n_delivered == i, "ONE ran %" PRIu64 " callbacks in all, expected %" PRIu64, n_delivered, i);
	}
	/* ONE_NONBLOCKING runs at most one */
	send_seq(h, 5);
	send_seq(h, 6);
	wait_readable(fd);
	CHECK(cpg_dispatch(h, CS_DISPATCH_ONE_NONBLOCKING) == CS_OK, "ONE_NONBLOCKING");
	CHECK(n_delivered == 6, "ONE_NONBLOCKING ran %" PRIu64 " callbacks in all, expected 6", n_delivered);
	/* ALL runs what is there without waiting for more */
	while (n_delivered < 7) {
		wait_readable(fd);
		CHECK(cpg_dispatch(h, CS_DISPATCH_ALL) == CS_OK, "ALL");
	}
	CHECK(cpg_dispatch(h, CS_DISPATCH_ALL) == CS_OK, "ALL with nothing pending");
	/* BLOCKING runs callbacks until finalize from another thread */
	b.h = h;
	b.result = 0;
	CHECK(pthread_create(&t, NULL, blocking_thread, &b) == 0, "pthread_create");
	for (uint64_t i = 7; i < 20; i++)
		send_seq(h, i);
	while (__atomic_load_n(&n_delivered, __ATOMIC_SEQ_CST) < 20)
		usleep(10000);
	CHECK(cpg_finalize(h) == CS_OK, "cpg_finalize from another thread");
	CHECK(pthread_join(t, NULL) == 0, "pthread_join");
	CHECK(b.result == CS_ERR_BAD_HANDLE,
	      "BLOCKING returned %d after finalize from a thread, expected CS_ERR_BAD_HANDLE", (int)b.result);
	CHECK(n_delivered == 20 && !bad_delivery, "BLOCKING delivered %" PRIu64 " of 20", n_delivered);
	printf("ok: modes: ONE, ALL, ONE_NONBLOCKING, BLOCKING + finalize from a thread\n");
}

/* ---- handles ------------------------------------------------------------------------- */

static void test_handles(void)
{
	cpg_handle_t h, forged;
	unsigned int node;
	struct timespec ts;

	CHECK(cpg_initialize(&h, &callbacks) == CS_OK, "cpg_initialize");
	CHECK(cpg_local_get(h, &node) == CS_OK, "cpg_local_get");
	CHECK(cpg_finalize(h) == CS_OK, "cpg_finalize");
	CHECK(cpg_local_get(h, &node) == CS_ERR_BAD_HANDLE, "local_get on a finalized handle");
	CHECK(cpg_join(h, &group) == CS_ERR_BAD_HANDLE, "join on a finalized handle");
	CHECK(cpg_finalize(h) == CS_ERR_BAD_HANDLE, "finalize twice");
	CHECK(cpg_local_get(0, &node) == CS_ERR_BAD_HANDLE, "handle 0");
	clock_gettime(CLOCK_REALTIME, &ts);
	srandom((unsigned)ts.tv_nsec);
	for (int i = 0; i < 1000; i++) {
		forged = ((uint64_t)random() << 33) ^ ((uint64_t)random() << 11) ^ (uint64_t)random();
		CHECK(cpg_local_get(forged, &node) == CS_ERR_BAD_HANDLE, "forged handle 0x%" PRIx64, forged);
		CHECK(cpg_dispatch(forged, CS_DISPATCH_ALL) == CS_ERR_BAD_HANDLE, "dispatch forged handle");
	}
	/* the next handle, after the finalized one, is not valid either */
	CHECK(cpg_local_get(h + 1, &node) == CS_ERR_BAD_HANDLE, "handle + 1");
	printf("ok: handles: finalized, zero and 1000 random handles are CS_ERR_BAD_HANDLE\n");
}

/* ---- memory over many cycles ------------------------------------------------------------ */

static long rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	f = fopen(path, "r");
	CHECK(f != NULL, "cannot read %s", path);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	}
	fclose(f);
	CHECK(kib > 0, "no VmRSS in %s", path);
	return kib;
}

static void cycles(unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		cpg_handle_t h = open_joined("api-cycles");
		CHECK(cpg_finalize(h) == CS_OK, "cpg_finalize in cycle %u", i);
	}
}

static void test_cycles(unsigned n, pid_t daemon)
{
	long before, after;

	cycles(n); /* warm-up: allocator pools, group tables */
	before = rss_kib(daemon);
	cycles(n);
	/* the last connections' shared memory (3.3 MB each) is unmapped when
	 * the daemon gets round to their disconnect: on a loaded machine that
	 * may be after the first sample, which is not growth */
	after = rss_kib(daemon);
	for (int i = 0; i < 10 && after - before >= 2048; i++) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		long now;

		nanosleep(&ts, NULL);
		now = rss_kib(daemon);
		after = now < after ? now : after;
	}
	printf("daemon VmRSS %ld KiB -> %ld KiB over %u more cycles\n", before, after, n);
	CHECK(after - before < 2048, "the daemon grew by %ld KiB over %u cycles", after - before, n);
	printf("ok: cycles: %u initialize/join/finalize cycles twice, growth %ld KiB\n", n, after - before);
}

/* ---- the daemon dies under a blocked client ---------------------------------------------- */

struct caller {
	cpg_handle_t h;
	cs_error_t result;
	pid_t tid;     /* the thread's id, published before the call */
	bool started;  /* set just before the call */
	bool done;     /* set when the call returned */
};

static void caller_start(struct caller *c)
{
	c->tid = (pid_t)syscall(SYS_gettid);
	__atomic_store_n(&c->started, true, __ATOMIC_SEQ_CST);
}

static void *membership_thread(void *arg)
{
	struct caller *c = arg;
	struct cpg_address members[CPG_MEMBERS_MAX];
	int n = CPG_MEMBERS_MAX;

	caller_start(c);
	c->result = cpg_membership_get(c->h, &group, members, &n);
	__atomic_store_n(&c->done, true, __ATOMIC_SEQ_CST);
	return NULL;
}

static void *dispatch_thread(void *arg)
{
	struct caller *c = arg;

	caller_start(c);
	c->result = cpg_dispatch(c->h, CS_DISPATCH_BLOCKING);
	__atomic_store_n(&c->done, true, __ATOMIC_SEQ_CST);
	return NULL;
}

/* The state letter of /proc/<pid>/stat or /proc/self/task/<tid>/stat
 * (after the parenthesised command name), or 0 when it cannot be read. */
static char proc_state(const char *path)
{
	char buf[512], *p;
	size_t n;
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p != NULL && p[1] == ' ' ? p[2] : 0;
}

/* The thread sleeps inside a system call: /proc says state S and names the
 * call it waits in (the file says "running" while it runs). */
static bool thread_sleeps_in_syscall(pid_t tid)
{
	char path[64], buf[64];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	if (proc_state(path) != 'S')
		return false;
	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", (int)tid);
	f = fopen(path, "r");
	if (f == NULL)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return n > 0 && buf[0] >= '0' && buf[0] <= '9';
}

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * Wait (the alarm bounds it) until the caller is blocked in its call: it
 * has started the call, has not returned, and sleeps in the kernel. With
 * the daemon stopped nothing can answer it, so a sleeping caller is waiting
 * for the daemon: for the request, the request has been sent (the library
 * sleeps only while waiting for the response); for dispatch, it polls.
 * The state must hold on several reads in a row, so that a thread that
 * merely passes through a system call on its way is not taken for blocked.
 */
static void wait_blocked(struct caller *c, const char *what)
{
	unsigned seen = 0;

	while (!__atomic_load_n(&c->started, __ATOMIC_SEQ_CST))
		pause_ms(1);
	while (seen < 5) {
		CHECK(!__atomic_load_n(&c->done, __ATOMIC_SEQ_CST),
		      "%s returned %d while the daemon was stopped", what, (int)c->result);
		seen = thread_sleeps_in_syscall(c->tid) ? seen + 1 : 0;
		pause_ms(2);
	}
}

static void test_daemon_kill(pid_t daemon)
{
	struct caller call = { 0 }, disp = { 0 };
	cpg_handle_t idle;
	pthread_t t1, t2;
	unsigned int node;
	char path[64];
	char st;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)daemon);
	call.h = open_joined("api-kill");
	CHECK(cpg_initialize(&disp.h, &callbacks) == CS_OK, "cpg_initialize");
	/* a connection that is not used between the daemon's death and its finalize */
	CHECK(cpg_initialize(&idle, &callbacks) == CS_OK, "cpg_initialize");
	CHECK(kill(daemon, SIGSTOP) == 0, "SIGSTOP the daemon");
	while ((st = proc_state(path)) != 'T' && st != 't')
		pause_ms(1);
	CHECK(pthread_create(&t1, NULL, membership_thread, &call) == 0, "pthread_create");
	CHECK(pthread_create(&t2, NULL, dispatch_thread, &disp) == 0, "pthread_create");
	wait_blocked(&call, "cpg_membership_get");
	wait_blocked(&disp, "cpg_dispatch(BLOCKING)");
	CHECK(kill(daemon, SIGKILL) == 0, "SIGKILL the daemon");
	/* no hang: both calls return once the daemon is gone (the alarm is the
	 * hang guard, not a measure) */
	alarm(60);
	CHECK(pthread_join(t1, NULL) == 0 && pthread_join(t2, NULL) == 0, "pthread_join");
	CHECK(call.result == CS_ERR_LIBRARY, "blocked call returned %d, expected CS_ERR_LIBRARY",
	      (int)call.result);
	CHECK(disp.result == CS_ERR_LIBRARY, "blocked dispatch returned %d, expected CS_ERR_LIBRARY",
	      (int)disp.result);
	CHECK(cpg_local_get(call.h, &node) == CS_ERR_LIBRARY, "a call after the daemon died");
	/* finalize answers the lost connection (as Corosync's does) and
	 * releases the handle all the same */
	CHECK(cpg_finalize(call.h) == CS_ERR_LIBRARY, "finalize after the daemon died");
	CHECK(cpg_finalize(call.h) == CS_ERR_BAD_HANDLE, "second finalize after the daemon died");
	CHECK(cpg_finalize(disp.h) == CS_ERR_LIBRARY, "finalize of the dispatching handle");
	CHECK(cpg_dispatch(disp.h, CS_DISPATCH_ALL) == CS_ERR_BAD_HANDLE, "dispatch after its finalize");
	CHECK(cpg_finalize(idle) == CS_ERR_LIBRARY, "finalize of an unused handle after the daemon died");
	CHECK(cpg_local_get(idle, &node) == CS_ERR_BAD_HANDLE, "a call after that finalize");
	CHECK(cpg_initialize(&call.h, &callbacks) == CS_ERR_LIBRARY, "initialize without a daemon");
	printf("ok: daemon-kill: blocked call and blocked dispatch -> CS_ERR_LIBRARY, finalize -> "
	       "CS_ERR_LIBRARY and the handles released\n");
}

static void on_alarm(int sig)
{
	static const char msg[] = "FAIL: a call did not return within the time limit (alarm)\n";

	(void)sig;
	(void)!write(1, msg, sizeof(msg) - 1);
	_exit(1);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGALRM, on_alarm);
	alarm(240);
	group_set("api");
	if (argc == 2 && strcmp(argv[1], "interleave") == 0)
		test_interleave();
	else if (argc == 2 && strcmp(argv[1], "finalize-cb") == 0)
		test_finalize_cb();
	else if (argc == 2 && strcmp(argv[1], "modes") == 0)
		test_modes();
	else if (argc == 2 && strcmp(argv[1], "handles") == 0)
		test_handles();
	else if (argc == 4 && strcmp(argv[1], "cycles") == 0)
		test_cycles((unsigned)strtoul(argv[2], NULL, 10), (pid_t)strtol(argv[3], NULL, 10));
	else if (argc == 3 && strcmp(argv[1], "daemon-kill") == 0)
		test_daemon_kill((pid_t)strtol(argv[2], NULL, 10));
	else {
		fprintf(stderr, "usage: cpgapi interleave|finalize-cb|modes|handles|cycles N PID|"
		                "daemon-kill PID\n");
		return 2;
	}
	return 0;
}
