/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pkg_cpg: a CPG client built against the installed libaiscpg-dev (by
 * deb-install.sh inside the package test root). It joins a group, sends
 * one message and waits until the daemon delivers it back, then prints
 * "delivered NODEID: TEXT" and the group's membership.
 * Built with -DPKG_COMPAT it includes <corosync/cpg.h> (pkg-config
 * aiscpg-compat) instead of <ais/cpg.h>.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef PKG_COMPAT
#include <corosync/cpg.h>
#else
#include <ais/cpg.h>
#include <ais/client.h>
#endif

static char sent[128];
static int delivered;

static void deliver(cpg_handle_t h, const struct cpg_name *group, uint32_t nodeid, uint32_t pid,
		    void *msg, size_t len)
{
	(void)h;
	(void)group;
	if (pid == (uint32_t)getpid() && len == strlen(sent) && memcmp(msg, sent, len) == 0) {
		printf("delivered %u: %.*s\n", (unsigned)nodeid, (int)len, (const char *)msg);
		delivered = 1;
	}
}

static void confchg(cpg_handle_t h, const struct cpg_name *group, const struct cpg_address *members,
		    size_t n_members, const struct cpg_address *left, size_t n_left,
		    const struct cpg_address *joined, size_t n_joined)
{
	(void)h;
	(void)group;
	(void)members;
	(void)n_members;
	(void)left;
	(void)n_left;
	(void)joined;
	(void)n_joined;
}

int main(int argc, char **argv)
{
	cpg_callbacks_t cb = { .cpg_deliver_fn = deliver, .cpg_confchg_fn = confchg };
	struct cpg_name group;
	struct cpg_address members[64];
	int n_members = 64;
	struct iovec iov;
	cpg_handle_t h;
	unsigned int nodeid = 0;
	const char *name = argc > 1 ? argv[1] : "pkgtest";
	cs_error_t r;
	int fd = -1;

	r = cpg_initialize(&h, &cb);
	if (r != CS_OK) {
#ifdef PKG_COMPAT
		fprintf(stderr, "cpg_initialize: error %d\n", (int)r);
#else
		const char *why = cpg_initialize_error_text();
		fprintf(stderr, "cpg_initialize: error %d: %s\n", (int)r, why ? why : "?");
#endif
		return 1;
	}
	group.length = (uint32_t)strlen(name);
	memcpy(group.value, name, group.length);
	if (cpg_local_get(h, &nodeid) != CS_OK || cpg_join(h, &group) != CS_OK || cpg_fd_get(h, &fd) != CS_OK) {
		fprintf(stderr, "cpg_local_get / cpg_join / cpg_fd_get failed\n");
		return 1;
	}
	snprintf(sent, sizeof(sent), "hello from node %u pid %d", nodeid, (int)getpid());
	iov.iov_base = sent;
	iov.iov_len = strlen(sent);
	r = cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1);
	if (r != CS_OK) {
		fprintf(stderr, "cpg_mcast_joined: error %d\n", (int)r);
		return 1;
	}
	/* an upper bound so that a lost message ends the test instead of hanging it */
	for (int i = 0; i < 600 && !delivered; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 100) > 0 && cpg_dispatch(h, CS_DISPATCH_ALL) != CS_OK) {
			fprintf(stderr, "cpg_dispatch failed\n");
			return 1;
		}
	}
	if (!delivered) {
		fprintf(stderr, "the message was not delivered\n");
		return 1;
	}
	if (cpg_membership_get(h, &group, members, &n_members) != CS_OK) {
		fprintf(stderr, "cpg_membership_get failed\n");
		return 1;
	}
	for (int i = 0; i < n_members; i++)
		printf("member %u pid %u\n", (unsigned)members[i].nodeid, (unsigned)members[i].pid);
	cpg_leave(h, &group);
	cpg_finalize(h);
	return 0;
}
