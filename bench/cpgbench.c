/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cpgbench: CPG throughput and latency, written against the Corosync CPG
 * API so the very same source builds against aisexec (<ais/cpg.h>, -laiscpg)
 * and against Corosync (-DWITH_COROSYNC, <corosync/cpg.h>, -lcpg): the two
 * are measured with one client, side by side.
 *
 * Every message carries {magic, type, nodeid, pid, seq, send time}. Each
 * process counts deliveries, checks per-sender FIFO order, folds the delivery
 * order into a 64-bit FNV-1a hash (equal on every node = one total order) and
 * records the delivery latency of its own messages (send to own delivery,
 * CLOCK_MONOTONIC; all processes share one host).
 *
 *   sender:   cpgbench -s SIZE -t SECS [-w MEMBERS] [-S SENDERS] [-y]
 *   latency:  cpgbench -L -s SIZE -n COUNT -i INTERVAL_US [-w MEMBERS]
 *   receiver: cpgbench -r [-S SENDERS]
 *   IPC:      cpgbench -Q -t SECS
 *
 * -Q measures the library-daemon round trip alone: cpg_local_get() in a
 * loop for SECS seconds (a synchronous call the daemon answers from local
 * state, no cluster traffic), one line "RESULT role=ipc calls=N secs=S
 * calls_s=R". Every cpg_mcast_joined() is such a round trip too, so this
 * rate bounds what one sending process can reach.
 *
 * A sender waits until the group has MEMBERS members, sends as fast as flow
 * control allows for SECS seconds (on CS_ERR_TRY_AGAIN: wait up to 1 ms for
 * deliveries, dispatch, retry), draining its own deliveries after every
 * send, then multicasts a DONE marker. Everyone exits once DONE markers from
 * SENDERS senders were delivered. Output: one line
 * "RESULT key=value ..." on stdout. A run that cannot finish (the hard
 * timeout -T fires, the library reports an error, or a sender leaves the
 * group without its DONE marker) still prints its line, with
 * timed_out=1 and stop=timeout|dispatch|mcast|member_left (error=cs_error_t).
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
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define BENCH_MAGIC 0x43504742u
#define SENDERS_MAX 64

enum { MSG_DATA = 1, MSG_DONE = 2 };

struct bench_hdr {
	uint32_t magic;
	uint32_t type;
	uint32_t nodeid;
	uint32_t pid;
	uint64_t seq;
	uint64_t sent_ns;
};

struct bench_sender {
	uint32_t nodeid;
	uint32_t pid;
	uint64_t next_seq;
	int done;
};

static cpg_handle_t handle;
static int handle_fd;
static uint32_t my_nodeid;
static uint32_t my_pid;
static volatile sig_atomic_t timed_out;  /* stop: hard timeout or an error */
static volatile sig_atomic_t alarm_fired;
static const char *stop_reason = "none";
static cs_error_t stop_error;

static size_t group_members;
static uint64_t want_senders = 1;
static uint64_t delivered_all, delivered_bytes, delivered_own, dones_seen, fifo_errors;
static uint64_t order_hash = UINT64_C(1469598103934665603);
static uint64_t first_delivery_ns, last_done_ns, try_again;
static struct bench_sender senders[SENDERS_MAX];
static int senders_seen;
static uint64_t *latencies;
static size_t latency_count, latency_cap;
static cpg_guarantee_t guarantee = CPG_TYPE_AGREED;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * UINT64_C(1000000000) + (uint64_t)ts.tv_nsec;
}

static void hash_fold(const void *p, size_t n)
{
	const unsigned char *c = p;

	while (n--) {
		order_hash ^= *c++;
		order_hash *= UINT64_C(1099511628211);
	}
}

static struct bench_sender *sender_find(uint32_t nodeid, uint32_t pid)
{
	for (int i = 0; i < senders_seen; i++) {
		if (senders[i].nodeid == nodeid && senders[i].pid == pid) {
			return &senders[i];
		}
	}
	return NULL;
}

static void sender_account(uint32_t nodeid, uint32_t pid, uint64_t seq)
{
	struct bench_sender *sd = sender_find(nodeid, pid);
	int i = sd != NULL ? (int)(sd - senders) : senders_seen;

	if (i == senders_seen) {
		if (senders_seen == SENDERS_MAX) {
			return;
		}
		senders[i].nodeid = nodeid;
		senders[i].pid = pid;
		senders[i].next_seq = seq;
		senders_seen++;
	}
	if (seq != senders[i].next_seq) {
		fifo_errors++;
	}
	senders[i].next_seq = seq + 1;
}

static void on_deliver(cpg_handle_t h, const struct cpg_name *group, uint32_t nodeid,
                       uint32_t pid, void *msg, size_t len)
{
	struct bench_hdr m;
	uint64_t t = now_ns();

	(void)h;
	(void)group;
	if (len < sizeof(m)) {
		return;
	}
	memcpy(&m, msg, sizeof(m));
	if (m.magic != BENCH_MAGIC) {
		return;
	}
	if (m.type == MSG_DONE) {
		struct bench_sender *sd = sender_find(nodeid, pid);

		if (sd != NULL) {
			sd->done = 1;
		}
		dones_seen++;
		last_done_ns = t;
		return;
	}
	if (delivered_all == 0) {
		first_delivery_ns = t;
	}
	delivered_all++;
	delivered_bytes += len;
	hash_fold(&nodeid, sizeof(nodeid));
	hash_fold(&pid, sizeof(pid));
	hash_fold(&m.seq, sizeof(m.seq));
	sender_account(nodeid, pid, m.seq);
	if (nodeid == my_nodeid && pid == my_pid) {
		delivered_own++;
		if (latency_count < latency_cap) {
			latencies[latency_count++] = t - m.sent_ns;
		}
	}
}

static void on_confchg(cpg_handle_t h, const struct cpg_name *group,
                       const struct cpg_address *members, size_t n_members,
                       const struct cpg_address *left, size_t n_left,
                       const struct cpg_address *joined, size_t n_joined)
{
	(void)h;
	(void)group;
	(void)members;
	(void)joined;
	(void)n_joined;
	group_members = n_members;
	/*
	 * A sender's DONE is ordered before its leave: a sender we got data
	 * from that leaves without its DONE has failed, and the DONE never
	 * comes. (Leaves of processes of an earlier run may still arrive while
	 * a run starts: they sent nothing here and are ignored.)
	 */
	for (size_t i = 0; i < n_left && !timed_out; i++) {
		struct bench_sender *sd = sender_find(left[i].nodeid, left[i].pid);

		if (sd != NULL && !sd->done) {
			stop_reason = "member_left";
			timed_out = 1;
		}
	}
}

/* Wait up to timeout_ms for work (-1: do not wait), then dispatch all of it. */
static void pump(int timeout_ms)
{
	struct pollfd p = {.fd = handle_fd, .events = POLLIN};
	cs_error_t r;

	if (timeout_ms >= 0 && poll(&p, 1, timeout_ms) <= 0) {
		return;
	}
	r = cpg_dispatch(handle, CS_DISPATCH_ALL);
	if (r != CS_OK && r != CS_ERR_TRY_AGAIN && !timed_out) {
		fprintf(stderr, "cpgbench: cpg_dispatch failed: error %d\n", (int)r);
		stop_reason = "dispatch";
		stop_error = r;
		timed_out = 1;
	}
}

static void send_one(uint32_t type, uint64_t seq, void *buf, size_t size)
{
	struct bench_hdr m = {BENCH_MAGIC, type, my_nodeid, my_pid, seq, 0};
	struct iovec iov = {buf, size};
	cs_error_t r;

	for (;;) {
		m.sent_ns = now_ns();
		memcpy(buf, &m, sizeof(m));
		r = cpg_mcast_joined(handle, guarantee, &iov, 1);
		if (r == CS_OK) {
			return;
		}
		if (r != CS_ERR_TRY_AGAIN) {
			fprintf(stderr, "cpgbench: cpg_mcast_joined failed: error %d\n", (int)r);
			stop_reason = "mcast";
			stop_error = r;
			timed_out = 1;
			return;
		}
		try_again++;
		if (timed_out) {
			return;
		}
		pump(1);
	}
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a;
	uint64_t y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double percentile_us(double p)
{
	if (latency_count == 0) {
		return 0.0;
	}
	size_t i = (size_t)(p / 100.0 * (double)(latency_count - 1) + 0.5);
	return (double)latencies[i] / 1000.0;
}

static void on_alarm(int sig)
{
	(void)sig;
	alarm_fired = 1;
	timed_out = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: cpgbench [-r] [-L] [-y] [-s SIZE] [-t SECS] [-n COUNT] [-i INTERVAL_US]\n"
	        "                [-w MEMBERS] [-S SENDERS] [-g GROUP] [-T HARD_TIMEOUT_S]\n"
	        "  -r  receive only          -L  latency mode (COUNT msgs, one per INTERVAL_US)\n"
	        "  -y  send CPG_TYPE_SAFE    -s  message size in bytes (default 1024)\n"
	        "  -t  seconds of sending    -w  wait for MEMBERS group members before sending\n"
	        "  -S  exit after DONE markers from SENDERS senders\n"
	        "  -Q  IPC round trips: cpg_local_get() for -t seconds, no group\n"
	        "Prints one line: RESULT key=value ...\n");
}

/* -Q: synchronous round trips per second. */
static int ipc_rate(double secs)
{
	uint64_t calls = 0, t0 = now_ns(), t;
	unsigned int node;
	cs_error_t r;

	for (;;) {
		r = cpg_local_get(handle, &node);
		if (r != CS_OK) {
			fprintf(stderr, "cpgbench: cpg_local_get failed: error %d\n", (int)r);
			return 2;
		}
		calls++;
		t = now_ns();
		if ((calls & 255) == 0 && t - t0 >= (uint64_t)(secs * 1e9)) {
			break;
		}
	}
	printf("RESULT role=ipc calls=%" PRIu64 " secs=%.3f calls_s=%.0f\n", calls, (double)(t - t0) / 1e9,
	       (double)calls / ((double)(t - t0) / 1e9));
	cpg_finalize(handle);
	return 0;
}

int main(int argc, char **argv)
{
	cpg_callbacks_t callbacks = {on_deliver, on_confchg};
	struct cpg_name group;
	const char *group_name = "cpgbench";
	size_t size = 1024;
	double secs = 5;
	uint64_t max_count = 0, seq = 0, interval_us = 1000;
	size_t want_members = 1;
	int recv_only = 0, latency_mode = 0, ipc_mode = 0, hard_timeout = 0, c;
	cs_error_t r;

	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("cpgbench (" PACKAGE_NAME ") " PACKAGE_VERSION "\n");
		return 0;
	}
	while ((c = getopt(argc, argv, "rLQys:t:n:i:w:S:g:T:h")) != -1) {
		switch (c) {
		case 'r': recv_only = 1; break;
		case 'L': latency_mode = 1; break;
		case 'Q': ipc_mode = 1; break;
		case 'y': guarantee = CPG_TYPE_SAFE; break;
		case 's': size = strtoul(optarg, NULL, 0); break;
		case 't': secs = atof(optarg); break;
		case 'n': max_count = strtoull(optarg, NULL, 0); break;
		case 'i': interval_us = strtoull(optarg, NULL, 0); break;
		case 'w': want_members = strtoul(optarg, NULL, 0); break;
		case 'S': want_senders = strtoull(optarg, NULL, 0); break;
		case 'g': group_name = optarg; break;
		case 'T': hard_timeout = atoi(optarg); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 1;
		}
	}
	if (size < sizeof(struct bench_hdr)) {
		size = sizeof(struct bench_hdr);
	}
	if (latency_mode && max_count == 0) {
		max_count = 10000;
	}
	if (hard_timeout == 0) {
		hard_timeout = (int)(latency_mode ? max_count * interval_us / 1000000 + 60 : secs + 60);
	}
	signal(SIGALRM, on_alarm);
	alarm((unsigned)hard_timeout);

	char *buf = calloc(1, size);
	latency_cap = max_count ? max_count : (size_t)8 << 20;
	latencies = malloc(latency_cap * sizeof(*latencies));
	if (buf == NULL || latencies == NULL) {
		fprintf(stderr, "cpgbench: out of memory\n");
		return 1;
	}

	while ((r = cpg_initialize(&handle, &callbacks)) == CS_ERR_TRY_AGAIN) {
		usleep(10000);
	}
	if (r != CS_OK) {
		fprintf(stderr, "cpgbench: cpg_initialize failed: error %d (is the daemon running?)\n", (int)r);
		return 2;
	}
	cpg_fd_get(handle, &handle_fd);
	cpg_local_get(handle, &my_nodeid);
	if (ipc_mode) {
		return ipc_rate(secs);
	}
	my_pid = (uint32_t)getpid();
	group.length = (uint32_t)strlen(group_name);
	memcpy(group.value, group_name, group.length);
	while ((r = cpg_join(handle, &group)) == CS_ERR_TRY_AGAIN) {
		usleep(10000);
	}
	if (r != CS_OK) {
		fprintf(stderr, "cpgbench: cpg_join failed: error %d\n", (int)r);
		return 2;
	}

	uint64_t t0 = now_ns();
	uint64_t send_end = t0;
	if (!recv_only) {
		uint64_t duration_ns = (uint64_t)(secs * 1e9);

		while (group_members < want_members && !timed_out) {
			pump(100);
		}
		t0 = now_ns();
		if (latency_mode) {
			for (seq = 0; seq < max_count && !timed_out; seq++) {
				send_one(MSG_DATA, seq, buf, size);
				while (delivered_own < seq + 1 && !timed_out) {
					pump(10);
				}
				uint64_t next = t0 + (seq + 1) * interval_us * 1000, n = now_ns();
				if (next > n) {
					struct timespec ts = {(time_t)((next - n) / 1000000000),
					                      (long)((next - n) % 1000000000)};
					nanosleep(&ts, NULL);
				}
			}
		} else {
			while (!timed_out) {
				if ((seq & 15) == 0 && now_ns() - t0 >= duration_ns) {
					break;
				}
				pump(0);
				if (max_count && seq >= max_count) {
					break;
				}
				send_one(MSG_DATA, seq, buf, size);
				seq++;
			}
		}
		send_end = now_ns();
		send_one(MSG_DONE, 0, buf, sizeof(struct bench_hdr));
	}
	while (dones_seen < want_senders && !timed_out) {
		pump(100);
	}
	uint64_t t_end = timed_out ? now_ns() : last_done_ns;
	if (alarm_fired && strcmp(stop_reason, "none") == 0) {
		stop_reason = "timeout";
	}
	if (recv_only && delivered_all) {
		t0 = first_delivery_ns;
	}

	double elapsed = (double)(t_end - t0) / 1e9;
	double send_elapsed = recv_only ? 0.0 : (double)(send_end - t0) / 1e9;
	qsort(latencies, latency_count, sizeof(*latencies), u64_cmp);
	printf("RESULT role=%s node=%u pid=%u size=%zu sent=%" PRIu64 " deliv_own=%" PRIu64
	       " deliv_all=%" PRIu64 " senders_seen=%d send_s=%.3f elapsed_s=%.3f"
	       " own_msgs_s=%.0f own_MBps=%.2f all_msgs_s=%.0f all_MBps=%.2f tryagain=%" PRIu64
	       " lat_us_p50=%.1f lat_us_p90=%.1f lat_us_p99=%.1f lat_us_max=%.1f"
	       " fifo_err=%" PRIu64 " order_hash=%016" PRIx64 " timed_out=%d stop=%s error=%d\n",
	       recv_only ? "recv" : latency_mode ? "lat" : "send", my_nodeid, my_pid, size, seq,
	       delivered_own, delivered_all, senders_seen, send_elapsed, elapsed,
	       (double)delivered_own / elapsed, (double)delivered_own * (double)size / elapsed / 1e6,
	       (double)delivered_all / elapsed, (double)delivered_bytes / elapsed / 1e6, try_again,
	       percentile_us(50), percentile_us(90), percentile_us(99),
	       latency_count ? (double)latencies[latency_count - 1] / 1000.0 : 0.0,
	       fifo_errors, order_hash, (int)timed_out, stop_reason, (int)stop_error);
	cpg_leave(handle, &group);
	cpg_finalize(handle);
	free(buf);
	free(latencies);
	return timed_out ? 4 : 0;
}
