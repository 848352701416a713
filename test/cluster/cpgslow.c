/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cpgslow: a CPG client for the slow-consumer test (cpg_slow.sh) that joins
 * a group and then never reads again. It dispatches only until the daemon
 * has delivered its own join (so it is a full member that every message of
 * the group is owed to), writes "joined NODEID PID" to the ready file, and
 * from then on leaves its event channel alone however much arrives.
 *
 * On SIGUSR1 it reports what became of its connection, one line each on
 * stdout: "revents 0xN" (poll of the selection object: a hangup there means
 * the daemon closed the connection), then "mcast E" and "local_get E" (the
 * cs_error_t of its next calls). Exit status: 0 when the daemon dropped the
 * connection (the next call failed with CS_ERR_LIBRARY or
 * CS_ERR_BAD_HANDLE), 1 when the connection still works, 2 on a usage or
 * setup error. SIGTERM ends it at once with status 3.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <ais/client.h>
#include <ais/cpg.h>

#define SLOW_JOIN_WAIT_MS 60000

static uint32_t my_nodeid;
static bool joined;

static void on_deliver(cpg_handle_t h, const struct cpg_name *group, uint32_t nodeid, uint32_t pid,
                       void *msg, size_t len)
{
	(void)h;
	(void)group;
	(void)nodeid;
	(void)pid;
	(void)msg;
	(void)len;
}

static void on_confchg(cpg_handle_t h, const struct cpg_name *group,
                       const struct cpg_address *members, size_t n_members,
                       const struct cpg_address *left, size_t n_left,
                       const struct cpg_address *joined_list, size_t n_joined)
{
	(void)h;
	(void)group;
	(void)left;
	(void)n_left;
	(void)joined_list;
	(void)n_joined;
	for (size_t i = 0; i < n_members; i++) {
		if (members[i].nodeid == my_nodeid && members[i].pid == (uint32_t)getpid())
			joined = true;
	}
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int usage(void)
{
	fprintf(stderr,
	        "usage: cpgslow -r READY_FILE [-g GROUP]\n"
	        "Joins GROUP (default hist), writes \"joined NODEID PID\" to READY_FILE once\n"
	        "its join is delivered, then never dispatches again. SIGUSR1: report the\n"
	        "connection's state and exit 0 if the daemon dropped it, 1 if not.\n");
	return 2;
}

static int ready_write(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "cpgslow: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fprintf(f, "joined %" PRIu32 " %ld\n", my_nodeid, (long)getpid());
	return fclose(f) == 0 ? 0 : -1;
}

/* Dispatch until the daemon delivered our own join. 0 or -1. */
static int join_wait(cpg_handle_t h, int fd)
{
	uint64_t deadline = mono_ms() + SLOW_JOIN_WAIT_MS;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	cs_error_t e;

	while (!joined) {
		if (mono_ms() > deadline) {
			fprintf(stderr, "cpgslow: own join not delivered\n");
			return -1;
		}
		if (poll(&p, 1, 100) < 0 && errno != EINTR)
			return -1;
		e = cpg_dispatch(h, CS_DISPATCH_ALL);
		if (e != CS_OK && e != CS_ERR_TRY_AGAIN) {
			fprintf(stderr, "cpgslow: cpg_dispatch: error %d\n", (int)e);
			return -1;
		}
	}
	return 0;
}

/* The report after SIGUSR1; the exit status. */
static int report(cpg_handle_t h, int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char byte = 'x';
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	unsigned int nodeid;
	cs_error_t e, e2;

	if (poll(&p, 1, 0) < 0)
		p.revents = 0;
	printf("revents 0x%x%s\n", (unsigned)p.revents, (p.revents & POLLHUP) ? " hangup" : "");
	e = cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1);
	printf("mcast %d\n", (int)e);
	e2 = cpg_local_get(h, &nodeid);
	printf("local_get %d\n", (int)e2);
	fflush(stdout);
	return (e == CS_ERR_LIBRARY || e == CS_ERR_BAD_HANDLE) ? 0 : 1;
}

int main(int argc, char **argv)
{
	cpg_callbacks_t cb = { .cpg_deliver_fn = on_deliver, .cpg_confchg_fn = on_confchg };
	const char *group = "hist", *ready = NULL;
	struct cpg_name name;
	sigset_t set;
	cpg_handle_t h;
	cs_error_t e;
	int c, fd, sig = 0;

	while ((c = getopt(argc, argv, "g:r:h")) != -1) {
		switch (c) {
		case 'g': group = optarg; break;
		case 'r': ready = optarg; break;
		default: return usage();
		}
	}
	if (!ready || optind != argc || strlen(group) > CPG_MAX_NAME_LENGTH)
		return usage();
	/* the signals are taken with sigwait, never delivered asynchronously */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_BLOCK, &set, NULL);

	e = cpg_initialize(&h, &cb);
	if (e != CS_OK) {
		fprintf(stderr, "cpgslow: cpg_initialize: error %d: %s\n", (int)e,
		        cpg_initialize_error_text() ? cpg_initialize_error_text() : "");
		return 2;
	}
	if ((e = cpg_local_get(h, &my_nodeid)) != CS_OK || (e = cpg_fd_get(h, &fd)) != CS_OK) {
		fprintf(stderr, "cpgslow: cpg_local_get/cpg_fd_get: error %d\n", (int)e);
		return 2;
	}
	name.length = (uint32_t)strlen(group);
	memcpy(name.value, group, name.length);
	while ((e = cpg_join(h, &name)) == CS_ERR_TRY_AGAIN)
		usleep(20000);
	if (e != CS_OK) {
		fprintf(stderr, "cpgslow: cpg_join: error %d\n", (int)e);
		return 2;
	}
	if (join_wait(h, fd) < 0 || ready_write(ready) < 0)
		return 2;
	/* From here on: no dispatch, whatever arrives. */
	while (sigwait(&set, &sig) != 0 || (sig != SIGUSR1 && sig != SIGTERM))
		;
	if (sig == SIGTERM)
		return 3;
	return report(h, fd);
}
