/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * udprate: the raw UDP datagram rate of a path, the ceiling any protocol on
 * top of it works under (docs/PERFORMANCE.md, "Raw UDP rate").
 *
 *   udprate recv ADDR PORT SECS
 *       bind ADDR:PORT and count datagrams from the first one on, for SECS
 *       seconds at most (ends early after 1 s without a datagram); prints
 *       RESULT bench=udprate role=recv datagrams=N bytes=B secs=S dgrams_s=R MBps=M
 *   udprate send ADDR PORT SIZE SECS
 *       send SIZE-byte datagrams to ADDR:PORT as fast as the kernel takes
 *       them for SECS seconds; prints
 *       RESULT bench=udprate role=send datagrams=N errors=E secs=S dgrams_s=R
 *
 * Both sides move up to 32 datagrams per system call (sendmmsg, recvmmsg),
 * as aisexec's transport does, so the figure is the path's and not one
 * call's overhead. The receiver's count is the rate that arrived; the
 * sender may offer more (the excess is dropped by the kernel). A flood
 * tool: it only sends to 127.0.0.0/8 and to the benchmark namespaces'
 * 10.77.0.0/24.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 32
#define DGRAM_MAX 65507

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int parse_addr(const char *addr, const char *port, struct sockaddr_in *ret)
{
	char *end = NULL;
	long p = strtol(port, &end, 10);

	memset(ret, 0, sizeof(*ret));
	ret->sin_family = AF_INET;
	if (end == port || *end != '\0' || p < 1 || p > 65535 ||
	    inet_pton(AF_INET, addr, &ret->sin_addr) != 1) {
		fprintf(stderr, "udprate: bad address %s port %s\n", addr, port);
		return -1;
	}
	ret->sin_port = htons((uint16_t)p);
	return 0;
}

static double parse_secs(const char *s)
{
	char *end = NULL;
	double v = strtod(s, &end);

	return end != s && *end == '\0' && v > 0 && v <= 3600 ? v : -1;
}

static int do_recv(const struct sockaddr_in *a, double secs)
{
	static char bufs[BATCH][DGRAM_MAX];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct timeval tv = { 0, 100000 };
	int s = socket(AF_INET, SOCK_DGRAM, 0), rcvbuf = 8 << 20;
	double first = 0, last = 0, start = mono_s();
	uint64_t n = 0, bytes = 0;

	if (s < 0 || bind(s, (const struct sockaddr *)a, sizeof(*a)) < 0) {
		perror("udprate: socket/bind");
		return 1;
	}
	(void)setsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	(void)setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	for (int i = 0; i < BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof(bufs[i]);
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	/* wait up to secs + 10 s for the sender to start */
	for (;;) {
		double now = mono_s();
		int r;

		if (n > 0 && (now - first >= secs || now - last >= 1.0)) {
			break;
		}
		if (n == 0 && now - start >= secs + 10) {
			break;
		}
		r = recvmmsg(s, msgs, BATCH, MSG_WAITFORONE, NULL);
		if (r <= 0) {
			continue;
		}
		now = mono_s();
		if (n == 0) {
			first = now;
		}
		last = now;
		n += (uint64_t)r;
		for (int i = 0; i < r; i++) {
			bytes += msgs[i].msg_len;
		}
	}
	close(s);
	{
		double d = last > first ? last - first : 1e-9;

		printf("RESULT bench=udprate role=recv datagrams=%" PRIu64 " bytes=%" PRIu64
		       " secs=%.3f dgrams_s=%.0f MBps=%.2f\n",
		       n, bytes, last - first, (double)n / d, (double)bytes / d / 1e6);
	}
	return n > 0 ? 0 : 1;
}

static int do_send(const struct sockaddr_in *a, size_t size, double secs)
{
	static char buf[DGRAM_MAX];
	struct mmsghdr msgs[BATCH];
	struct iovec iov;
	uint32_t ip = ntohl(a->sin_addr.s_addr);
	int s = socket(AF_INET, SOCK_DGRAM, 0), sndbuf = 8 << 20;
	uint64_t n = 0, errors = 0;
	double start, now;

	if ((ip >> 24) != 127 && (ip >> 8) != 0x0a4d00) {
		fprintf(stderr, "udprate: only 127.0.0.0/8 and 10.77.0.0/24 are accepted\n");
		return 1;
	}
	if (s < 0) {
		perror("udprate: socket");
		return 1;
	}
	(void)setsockopt(s, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	memset(buf, 0x5a, size);
	iov.iov_base = buf;
	iov.iov_len = size;
	for (int i = 0; i < BATCH; i++) {
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_name = (void *)a;
		msgs[i].msg_hdr.msg_namelen = sizeof(*a);
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	start = mono_s();
	do {
		int r = sendmmsg(s, msgs, BATCH, 0);

		if (r > 0) {
			n += (uint64_t)r;
		} else if (errno != EINTR) {
			errors++;       /* ENOBUFS / ECONNREFUSED: the path is full or not there yet */
		}
		now = mono_s();
	} while (now - start < secs);
	close(s);
	printf("RESULT bench=udprate role=send datagrams=%" PRIu64 " errors=%" PRIu64
	       " secs=%.3f dgrams_s=%.0f\n", n, errors, now - start, (double)n / (now - start));
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a;

	if (argc == 5 && strcmp(argv[1], "recv") == 0) {
		double secs = parse_secs(argv[4]);

		if (secs < 0 || parse_addr(argv[2], argv[3], &a) < 0) {
			return 2;
		}
		return do_recv(&a, secs);
	}
	if (argc == 6 && strcmp(argv[1], "send") == 0) {
		char *end = NULL;
		long size = strtol(argv[4], &end, 10);
		double secs = parse_secs(argv[5]);

		if (end == argv[4] || *end != '\0' || size < 1 || size > DGRAM_MAX || secs < 0 ||
		    parse_addr(argv[2], argv[3], &a) < 0) {
			return 2;
		}
		return do_send(&a, (size_t)size, secs);
	}
	fprintf(stderr, "usage: udprate recv ADDR PORT SECS | udprate send ADDR PORT SIZE SECS\n");
	return 2;
}
