/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cpgcases: what every call of the CPG API returns in each situation
 * Corosync 3's lib/cpg.c and exec/cpg.c define (bad handle, NULL pointers,
 * wrong model, names and messages above the limits, dispatch with nothing
 * pending, join and leave in every state, finalize inside a callback, and
 * every call after the daemon died), checked against libaiscpg and a live
 * daemon. Each CASE line states the result Corosync gives; the few places
 * where libaiscpg differs on purpose are marked OURS and listed in
 * docs/cpg.md ("Differences from Corosync").
 *
 * Written against the Corosync names only and built through the
 * compatibility directory (<corosync/cpg.h>), as a Corosync program is.
 *
 * usage: cpgcases DAEMON_PID
 *   Runs the live cases, then kills the daemon (SIGKILL), waits until the
 *   connection reports the loss, and runs the after-death cases. Prints
 *   one line per failed case and a summary; exit 0 when all passed.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <corosync/corotypes.h>
#include <corosync/cpg.h>

static unsigned int n_cases, n_failed;

static void case_check(cs_error_t got, cs_error_t want, const char *expr, int line)
{
	n_cases++;
	if (got == want)
		return;
	n_failed++;
	printf("FAIL cpgcases.c:%d: %s returned %s (%d), expected %s (%d)\n", line, expr,
	       cs_strerror(got), (int)got, cs_strerror(want), (int)want);
}

/* CASE(call, result Corosync returns) */
#define CASE(call, want) case_check((call), (want), #call, __LINE__)
/* OURS(call, our result): Corosync would crash or misbehave here */
#define OURS(call, want) case_check((call), (want), #call " [differs on purpose]", __LINE__)

#define TRUE_CASE(cond) case_check((cond) ? CS_OK : CS_ERR_LIBRARY, CS_OK, #cond, __LINE__)

static void name_set(struct cpg_name *n, const char *s)
{
	memset(n, 0, sizeof(*n));
	n->length = (uint32_t)strlen(s);
	memcpy(n->value, s, n->length);
}

/* ---- callbacks --------------------------------------------------------------------- */

static unsigned int n_deliver, n_totem;
static cpg_handle_t finalize_in_callback; /* finalize this handle in its deliver callback */
static cs_error_t finalize_in_callback_result = CS_ERR_LIBRARY;

static void deliver_fn(cpg_handle_t h, const struct cpg_name *group, uint32_t nodeid, uint32_t pid,
                       void *msg, size_t msg_len)
{
	(void)group, (void)nodeid, (void)pid, (void)msg, (void)msg_len;
	n_deliver++;
	if (finalize_in_callback == h)
		finalize_in_callback_result = cpg_finalize(h);
}

static void confchg_fn(cpg_handle_t h, const struct cpg_name *group,
                       const struct cpg_address *members, size_t n_members,
                       const struct cpg_address *left, size_t n_left,
                       const struct cpg_address *joined, size_t n_joined)
{
	(void)h, (void)group, (void)members, (void)n_members, (void)left, (void)n_left;
	(void)joined, (void)n_joined;
}

static void totem_fn(cpg_handle_t h, struct cpg_ring_id ring_id, uint32_t n_members,
                     const uint32_t *members)
{
	(void)h, (void)ring_id, (void)n_members, (void)members;
	n_totem++;
}

static cpg_callbacks_t callbacks = { .cpg_deliver_fn = deliver_fn, .cpg_confchg_fn = confchg_fn };

/* Dispatch until cond holds or 10 s passed (a bound, not a measurement). */
#define DISPATCH_UNTIL(h, cond)                                                    \
	do {                                                                       \
		int fd_ = -1;                                                      \
		cpg_fd_get((h), &fd_);                                             \
		for (int t_ = 0; t_ < 1000 && !(cond); t_++) {                     \
			struct pollfd p_ = { .fd = fd_, .events = POLLIN };        \
			if (poll(&p_, 1, 10) > 0)                                  \
				cpg_dispatch((h), CS_DISPATCH_ALL);                \
		}                                                                  \
	} while (0)

/* ---- with a live daemon ----------------------------------------------------------- */

static void cases_initialize(void)
{
	cpg_model_v1_data_t data;
	cpg_handle_t h;
	void *ctx = NULL;

	memset(&data, 0, sizeof(data));
	data.cpg_deliver_fn = deliver_fn;
	CASE(cpg_model_initialize(&h, (cpg_model_t)0, (cpg_model_data_t *)&data, NULL),
	     CS_ERR_INVALID_PARAM);
	CASE(cpg_model_initialize(&h, (cpg_model_t)2, (cpg_model_data_t *)&data, NULL),
	     CS_ERR_INVALID_PARAM);
	/* the usual Corosync program: model_data.model left at 0 */
	CASE(cpg_model_initialize(&h, CPG_MODEL_V1, (cpg_model_data_t *)&data, &data), CS_OK);
	CASE(cpg_context_get(h, &ctx), CS_OK);
	TRUE_CASE(ctx == &data);
	CASE(cpg_finalize(h), CS_OK);
	data.flags = CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF;
	data.cpg_totem_confchg_fn = totem_fn;
	CASE(cpg_model_initialize(&h, CPG_MODEL_V1, (cpg_model_data_t *)&data, NULL), CS_OK);
	CASE(cpg_finalize(h), CS_OK);
	data.flags = 0x2; /* not a V1 flag */
	CASE(cpg_model_initialize(&h, CPG_MODEL_V1, (cpg_model_data_t *)&data, NULL),
	     CS_ERR_INVALID_PARAM);
	CASE(cpg_model_initialize(&h, CPG_MODEL_V1, NULL, NULL), CS_OK);
	CASE(cpg_finalize(h), CS_OK);
	CASE(cpg_initialize(&h, NULL), CS_OK);
	CASE(cpg_finalize(h), CS_OK);
	OURS(cpg_initialize(NULL, &callbacks), CS_ERR_INVALID_PARAM);
}

/* Every call on a handle that is not (or no longer) valid. */
static void cases_bad_handle(cpg_handle_t bad)
{
	struct cpg_name g, long_name;
	struct cpg_address members[CPG_MEMBERS_MAX];
	static char x[] = "x";
	struct iovec iov = { .iov_base = x, .iov_len = 1 };
	cpg_iteration_handle_t ih;
	cpg_flow_control_state_t fc;
	unsigned int node;
	uint32_t size;
	void *ctx, *buf = NULL;
	int fd, n;

	name_set(&g, "cases");
	memset(&long_name, 'x', sizeof(long_name));
	long_name.length = CPG_MAX_NAME_LENGTH + 1;

	CASE(cpg_finalize(bad), CS_ERR_BAD_HANDLE);
	CASE(cpg_fd_get(bad, &fd), CS_ERR_BAD_HANDLE);
	CASE(cpg_max_atomic_msgsize_get(bad, &size), CS_ERR_BAD_HANDLE);
	CASE(cpg_context_get(bad, &ctx), CS_ERR_BAD_HANDLE);
	CASE(cpg_context_set(bad, NULL), CS_ERR_BAD_HANDLE);
	CASE(cpg_dispatch(bad, CS_DISPATCH_ALL), CS_ERR_BAD_HANDLE);
	CASE(cpg_dispatch(bad, (cs_dispatch_flags_t)99), CS_ERR_BAD_HANDLE);
	CASE(cpg_join(bad, &g), CS_ERR_BAD_HANDLE);
	CASE(cpg_leave(bad, &g), CS_ERR_BAD_HANDLE);
	CASE(cpg_mcast_joined(bad, CPG_TYPE_AGREED, &iov, 1), CS_ERR_BAD_HANDLE);
	CASE(cpg_membership_get(bad, &g, members, &n), CS_ERR_BAD_HANDLE);
	CASE(cpg_local_get(bad, &node), CS_ERR_BAD_HANDLE);
	CASE(cpg_flow_control_state_get(bad, &fc), CS_ERR_BAD_HANDLE);
	CASE(cpg_iteration_initialize(bad, CPG_ITERATION_ALL, NULL, &ih), CS_ERR_BAD_HANDLE);
	CASE(cpg_zcb_mcast_joined(bad, CPG_TYPE_AGREED, x, 1), CS_ERR_BAD_HANDLE);
	/* the zero-copy buffers are plain memory, not tied to a handle */
	CASE(cpg_zcb_alloc(bad, 64, &buf), CS_OK);
	CASE(cpg_zcb_free(bad, buf), CS_OK);
	/* argument checks that come before the handle is looked at */
	CASE(cpg_join(bad, &long_name), CS_ERR_NAME_TOO_LONG);
	CASE(cpg_leave(bad, &long_name), CS_ERR_NAME_TOO_LONG);
	CASE(cpg_membership_get(bad, &long_name, members, &n), CS_ERR_NAME_TOO_LONG);
	CASE(cpg_membership_get(bad, &g, NULL, &n), CS_ERR_INVALID_PARAM);
	CASE(cpg_membership_get(bad, &g, members, NULL), CS_ERR_INVALID_PARAM);
	CASE(cpg_iteration_initialize(bad, CPG_ITERATION_ONE_GROUP, &long_name, &ih),
	     CS_ERR_NAME_TOO_LONG);
	CASE(cpg_iteration_initialize(bad, CPG_ITERATION_ALL, NULL, NULL), CS_ERR_INVALID_PARAM);
	CASE(cpg_iteration_initialize(bad, CPG_ITERATION_ONE_GROUP, NULL, &ih), CS_ERR_INVALID_PARAM);
	CASE(cpg_iteration_initialize(bad, CPG_ITERATION_ALL, &g, &ih), CS_ERR_INVALID_PARAM);
	CASE(cpg_iteration_initialize(bad, (cpg_iteration_type_t)7, NULL, &ih), CS_ERR_INVALID_PARAM);
	CASE(cpg_iteration_next((cpg_iteration_handle_t)bad, NULL), CS_ERR_INVALID_PARAM);
	CASE(cpg_iteration_finalize((cpg_iteration_handle_t)bad), CS_ERR_BAD_HANDLE);
	/* NULL out pointers: Corosync dereferences them */
	OURS(cpg_join(bad, NULL), CS_ERR_INVALID_PARAM);
}

static void cases_groups(void)
{
	struct cpg_name g, g2;
	struct cpg_address members[CPG_MEMBERS_MAX];
	struct cpg_iteration_description_t desc;
	cpg_iteration_handle_t ih;
	cpg_flow_control_state_t fc = CPG_FLOW_CONTROL_ENABLED;
	cpg_handle_t h, h2;
	unsigned int node = 0;
	uint32_t size = 0;
	void *buf = NULL;
	int fd = -1, n = -1;
	char big[64];

	name_set(&g, "cases-a");
	name_set(&g2, "cases-b");
	memset(big, 'm', sizeof(big));

	CASE(cpg_initialize(&h, &callbacks), CS_OK);
	CASE(cpg_initialize(&h2, &callbacks), CS_OK);
	CASE(cpg_fd_get(h, &fd), CS_OK);
	TRUE_CASE(fd >= 0);
	OURS(cpg_fd_get(h, NULL), CS_ERR_INVALID_PARAM);
	CASE(cpg_max_atomic_msgsize_get(h, &size), CS_OK);
	TRUE_CASE(size >= 64);
	CASE(cpg_local_get(h, &node), CS_OK);
	TRUE_CASE(node == 1);
	CASE(cpg_flow_control_state_get(h, &fc), CS_OK);
	TRUE_CASE(fc == CPG_FLOW_CONTROL_DISABLED);
	/* nothing pending */
	CASE(cpg_dispatch(h, CS_DISPATCH_ALL), CS_OK);
	CASE(cpg_dispatch(h, CS_DISPATCH_ONE_NONBLOCKING), CS_ERR_TRY_AGAIN);

	/* leave and mcast before any join */
	CASE(cpg_leave(h, &g), CS_ERR_NOT_EXIST);
	/* Corosync accepts the send and drops the message (logged in the
	 * daemon); libaiscpg says that the sender is in no group. */
	OURS(cpg_mcast_joined(h, CPG_TYPE_AGREED, &(struct iovec){ big, 8 }, 1), CS_ERR_NOT_EXIST);

	CASE(cpg_join(h, &g), CS_OK);
	CASE(cpg_join(h, &g), CS_ERR_EXIST);   /* already joined */
	CASE(cpg_join(h, &g2), CS_ERR_EXIST);  /* one group per handle */
	CASE(cpg_join(h2, &g), CS_ERR_EXIST);  /* same process, same group */
	CASE(cpg_join(h2, &g2), CS_OK);
	CASE(cpg_membership_get(h, &g, members, &n), CS_OK);
	TRUE_CASE(n == 1 && members[0].nodeid == 1 && members[0].pid == (uint32_t)getpid());

	CASE(cpg_mcast_joined(h, CPG_TYPE_AGREED, &(struct iovec){ big, sizeof(big) }, 1), CS_OK);
	DISPATCH_UNTIL(h, n_deliver >= 1);
	TRUE_CASE(n_deliver == 1);
	CASE(cpg_zcb_alloc(h, sizeof(big), &buf), CS_OK);
	memcpy(buf, big, sizeof(big));
	CASE(cpg_zcb_mcast_joined(h, CPG_TYPE_AGREED, buf, sizeof(big)), CS_OK);
	CASE(cpg_zcb_free(h, buf), CS_OK);
	DISPATCH_UNTIL(h, n_deliver >= 2);
	TRUE_CASE(n_deliver == 2);

	/* iteration: every (group, member) pair, then the end */
	CASE(cpg_iteration_initialize(h, CPG_ITERATION_ONE_GROUP, &g, &ih), CS_OK);
	CASE(cpg_iteration_next(ih, &desc), CS_OK);
	TRUE_CASE(desc.nodeid == 1 && desc.pid == (uint32_t)getpid());
	CASE(cpg_iteration_next(ih, &desc), CS_ERR_NO_SECTIONS);
	CASE(cpg_iteration_finalize(ih), CS_OK);
	CASE(cpg_iteration_next(ih, &desc), CS_ERR_BAD_HANDLE);
	CASE(cpg_iteration_finalize(ih), CS_ERR_BAD_HANDLE);

	CASE(cpg_leave(h2, &g2), CS_OK);
	CASE(cpg_leave(h2, &g2), CS_ERR_NOT_EXIST); /* leave started or done */

	/* finalize inside the deliver callback: the dispatch that ran it
	 * reports the handle gone; no callback after it */
	finalize_in_callback = h;
	CASE(cpg_mcast_joined(h, CPG_TYPE_AGREED, &(struct iovec){ big, 4 }, 1), CS_OK);
	CASE(cpg_mcast_joined(h, CPG_TYPE_AGREED, &(struct iovec){ big, 4 }, 1), CS_OK);
	{
		struct pollfd p = { .fd = fd, .events = POLLIN };

		TRUE_CASE(poll(&p, 1, 10000) == 1);
	}
	CASE(cpg_dispatch(h, CS_DISPATCH_BLOCKING), CS_ERR_BAD_HANDLE);
	CASE(finalize_in_callback_result, CS_OK);
	TRUE_CASE(n_deliver == 3);
	finalize_in_callback = 0;
	cases_bad_handle(h); /* the finalized handle */
	CASE(cpg_finalize(h2), CS_OK);
}

/* ---- after the daemon died -------------------------------------------------------- */

static void cases_dead(pid_t daemon)
{
	struct cpg_name g, g2;
	struct cpg_address members[CPG_MEMBERS_MAX];
	static char x[] = "x";
	struct iovec iov = { .iov_base = x, .iov_len = 1 };
	cpg_iteration_handle_t ih;
	cpg_flow_control_state_t fc;
	cpg_handle_t h, h2;
	unsigned int node;
	uint32_t size;
	void *ctx;
	int fd = -1, n;

	name_set(&g, "cases-dead");
	name_set(&g2, "cases-dead-2");
	CASE(cpg_initialize(&h, &callbacks), CS_OK);
	CASE(cpg_initialize(&h2, &callbacks), CS_OK);
	CASE(cpg_join(h, &g), CS_OK);
	CASE(cpg_fd_get(h, &fd), CS_OK);

	if (kill(daemon, SIGKILL) != 0) {
		printf("FAIL: kill %d: %s\n", (int)daemon, strerror(errno));
		n_failed++;
		return;
	}
	/* the selection object turns readable when the daemon has gone (the
	 * join's own confchg may come first: dispatch until the loss shows) */
	{
		struct pollfd p = { .fd = fd, .events = POLLIN };
		cs_error_t e = CS_OK;

		for (int i = 0; i < 100 && e == CS_OK; i++) {
			TRUE_CASE(poll(&p, 1, 10000) == 1);
			e = cpg_dispatch(h, CS_DISPATCH_ALL);
		}
		CASE(e, CS_ERR_LIBRARY);
	}
	CASE(cpg_dispatch(h, CS_DISPATCH_ALL), CS_ERR_LIBRARY);
	CASE(cpg_join(h2, &g2), CS_ERR_LIBRARY);
	CASE(cpg_leave(h, &g), CS_ERR_LIBRARY);
	CASE(cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1), CS_ERR_LIBRARY);
	CASE(cpg_membership_get(h, &g, members, &n), CS_ERR_LIBRARY);
	CASE(cpg_local_get(h, &node), CS_ERR_LIBRARY);
	CASE(cpg_iteration_initialize(h, CPG_ITERATION_ALL, NULL, &ih), CS_ERR_LIBRARY);
	/* answered by the library alone */
	CASE(cpg_context_get(h, &ctx), CS_OK);
	CASE(cpg_max_atomic_msgsize_get(h, &size), CS_OK);
	CASE(cpg_fd_get(h, &fd), CS_OK);
	/* Corosync answers DISABLED from the library; libaiscpg asks the
	 * daemon for the real state, so the lost connection shows */
	OURS(cpg_flow_control_state_get(h, &fc), CS_ERR_LIBRARY);
	/* finalize reports the lost connection and still releases the handle */
	CASE(cpg_finalize(h), CS_ERR_LIBRARY);
	CASE(cpg_finalize(h), CS_ERR_BAD_HANDLE);
	CASE(cpg_finalize(h2), CS_ERR_LIBRARY);
	/* no daemon: initialize fails */
	CASE(cpg_initialize(&h, &callbacks), CS_ERR_LIBRARY);
}

int main(int argc, char **argv)
{
	pid_t daemon;

	if (argc != 2 || (daemon = (pid_t)atoi(argv[1])) <= 1) {
		fprintf(stderr, "usage: cpgcases DAEMON_PID\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	cases_initialize();
	cases_bad_handle(0);
	cases_bad_handle(0x5ca1ab1e00000001ULL);
	cases_groups();
	cases_dead(daemon);
	printf("%s: %u cases, %u failed\n", n_failed ? "FAIL" : "PASS", n_cases, n_failed);
	return n_failed ? 1 : 0;
}
