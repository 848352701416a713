/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cpgwatch: timestamps membership changes as a CPG client sees them, for
 * bench/failover.sh. Like cpgbench it is written against the Corosync CPG
 * API and builds against aisexec (<ais/cpg.h>, -laiscpg) and against
 * Corosync (-DWITH_COROSYNC, <corosync/cpg.h>, -lcpg), so both systems are
 * observed by the same code.
 *
 *   cpgwatch [-g GROUP] [-T SECS]   join GROUP and print one line per event
 *   cpgwatch -N                     print the clocks and exit
 *   cpgwatch -K SIGNAL PID          print the clocks, then kill(PID, SIGNAL)
 *
 * The watcher uses the V1 model with cpg_totem_confchg_fn, so it sees both
 * the node membership (the ring, delivered once the daemon has resynchronised
 * after a ring change, on both systems) and the group membership. Each event
 * is one line on stdout, flushed at once, stamped with CLOCK_MONOTONIC in
 * nanoseconds when the callback runs:
 *
 *   EV t=NS kind=start nodeid=N
 *   EV t=NS kind=totem ring=NODEID.SEQ n=COUNT members=1,2,3
 *   EV t=NS kind=cpg n=COUNT members=1,2 left=3:REASON joined=
 *   EV t=NS kind=exit reason=timeout|signal|dispatch error=E
 *
 * -N and -K print "MONO_NS REAL_NS" (CLOCK_MONOTONIC and CLOCK_REALTIME; the
 * second relates the event times to the daemons' log timestamps). -K reads
 * the clocks immediately before kill(), so the printed time is the moment
 * the fault was injected. The watcher stops after SECS seconds (default
 * 3600), on SIGTERM/SIGINT, or when the daemon connection is lost.
 */
#include "config.h"

#ifdef WITH_COROSYNC
#include <corosync/cpg.h>
#else
#include <ais/cpg.h>
#endif

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

static void print_nodeids(const char *key, const uint32_t *ids, size_t n)
{
	printf(" %s=", key);
	for (size_t i = 0; i < n; i++) {
		printf("%s%" PRIu32, i ? "," : "", ids[i]);
	}
}

static void print_addrs(const char *key, const struct cpg_address *a, size_t n, int reasons)
{
	printf(" %s=", key);
	for (size_t i = 0; i < n; i++) {
		printf("%s%" PRIu32, i ? "," : "", a[i].nodeid);
		if (reasons) {
			printf(":%" PRIu32, a[i].reason);
		}
	}
}

static void on_deliver(cpg_handle_t h, const struct cpg_name *group, uint32_t nodeid,
                       uint32_t pid, void *msg, size_t len)
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
                       const struct cpg_address *joined, size_t n_joined)
{
	uint64_t t = clock_ns(CLOCK_MONOTONIC);

	(void)h;
	(void)group;
	printf("EV t=%" PRIu64 " kind=cpg n=%zu", t, n_members);
	print_addrs("members", members, n_members, 0);
	print_addrs("left", left, n_left, 1);
	print_addrs("joined", joined, n_joined, 1);
	printf("\n");
	fflush(stdout);
}

static void on_totem_confchg(cpg_handle_t h, struct cpg_ring_id ring_id,
                             uint32_t n_members, const uint32_t *members)
{
	uint64_t t = clock_ns(CLOCK_MONOTONIC);

	(void)h;
	printf("EV t=%" PRIu64 " kind=totem ring=%" PRIu32 ".%" PRIu64 " n=%" PRIu32, t,
	       ring_id.nodeid, ring_id.seq, n_members);
	print_nodeids("members", members, n_members);
	printf("\n");
	fflush(stdout);
}

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void print_clocks(void)
{
	uint64_t mono = clock_ns(CLOCK_MONOTONIC);
	uint64_t real = clock_ns(CLOCK_REALTIME);

	printf("%" PRIu64 " %" PRIu64 "\n", mono, real);
}

static int kill_now(const char *sig_arg, const char *pid_arg)
{
	char *end;
	long sig = strtol(sig_arg, &end, 10);
	long pid;

	if (*end != '\0' || sig < 0 || sig >= NSIG) {
		fprintf(stderr, "cpgwatch: bad signal number '%s'\n", sig_arg);
		return 2;
	}
	pid = strtol(pid_arg, &end, 10);
	if (*end != '\0' || pid <= 0) {
		fprintf(stderr, "cpgwatch: bad pid '%s'\n", pid_arg);
		return 2;
	}
	print_clocks();
	fflush(stdout);
	if (kill((pid_t)pid, (int)sig) < 0) {
		fprintf(stderr, "cpgwatch: kill %ld: %s\n", pid, strerror(errno));
		return 1;
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: cpgwatch [-g GROUP] [-T SECS]   print membership events\n"
	        "       cpgwatch -N                     print CLOCK_MONOTONIC and CLOCK_REALTIME (ns)\n"
	        "       cpgwatch -K SIGNAL PID          print the clocks, then send SIGNAL to PID\n");
}

static cs_error_t watch_start(cpg_handle_t *ret_handle, const char *group_name)
{
	cpg_model_v1_data_t model;
	struct cpg_name group;
	cpg_handle_t h;
	cs_error_t r;

	memset(&model, 0, sizeof(model));
	model.model = CPG_MODEL_V1;
	model.cpg_deliver_fn = on_deliver;
	model.cpg_confchg_fn = on_confchg;
	model.cpg_totem_confchg_fn = on_totem_confchg;
	model.flags = CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF;
	while ((r = cpg_model_initialize(&h, CPG_MODEL_V1, (cpg_model_data_t *)&model, NULL)) ==
	       CS_ERR_TRY_AGAIN) {
		usleep(10000);
	}
	if (r != CS_OK) {
		fprintf(stderr, "cpgwatch: cpg_model_initialize failed: error %d\n", (int)r);
		return r;
	}
	memset(&group, 0, sizeof(group));
	group.length = (uint32_t)strlen(group_name);
	if (group.length > sizeof(group.value)) {
		group.length = sizeof(group.value);
	}
	memcpy(group.value, group_name, group.length);
	while ((r = cpg_join(h, &group)) == CS_ERR_TRY_AGAIN) {
		usleep(10000);
	}
	if (r != CS_OK) {
		fprintf(stderr, "cpgwatch: cpg_join failed: error %d\n", (int)r);
		cpg_finalize(h);
		return r;
	}
	*ret_handle = h;
	return CS_OK;
}

int main(int argc, char **argv)
{
	const char *group_name = "cpgwatch";
	unsigned int secs = 3600;
	const char *reason = "timeout";
	cpg_handle_t h;
	uint32_t nodeid = 0;
	uint64_t deadline;
	cs_error_t r = CS_OK;
	int fd, c;

	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("cpgwatch (" PACKAGE_NAME ") " PACKAGE_VERSION "\n");
		return 0;
	}
	while ((c = getopt(argc, argv, "NKg:T:h")) != -1) {
		switch (c) {
		case 'N': print_clocks(); return 0;
		case 'K':
			if (argc - optind != 2) {
				usage(stderr);
				return 2;
			}
			return kill_now(argv[optind], argv[optind + 1]);
		case 'g': group_name = optarg; break;
		case 'T': secs = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	signal(SIGTERM, on_stop);
	signal(SIGINT, on_stop);
	if (watch_start(&h, group_name) != CS_OK) {
		return 1;
	}
	cpg_local_get(h, &nodeid);
	cpg_fd_get(h, &fd);
	printf("EV t=%" PRIu64 " kind=start nodeid=%" PRIu32 "\n", clock_ns(CLOCK_MONOTONIC), nodeid);
	fflush(stdout);

	deadline = clock_ns(CLOCK_MONOTONIC) + (uint64_t)secs * UINT64_C(1000000000);
	while (!stop_signal) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		uint64_t now = clock_ns(CLOCK_MONOTONIC);

		if (now >= deadline) {
			break;
		}
		if (poll(&pfd, 1, 100) < 0 && errno != EINTR) {
			reason = "poll";
			break;
		}
		if (pfd.revents == 0) {
			continue;
		}
		r = cpg_dispatch(h, CS_DISPATCH_ALL);
		if (r != CS_OK && r != CS_ERR_TRY_AGAIN) {
			reason = "dispatch";
			break;
		}
		r = CS_OK;
	}
	if (stop_signal) {
		reason = "signal";
	}
	printf("EV t=%" PRIu64 " kind=exit reason=%s error=%d\n", clock_ns(CLOCK_MONOTONIC), reason,
	       (int)r);
	fflush(stdout);
	cpg_finalize(h);
	return 0;
}
