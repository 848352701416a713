/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cpg_chat: a small CPG client (demo and manual testing; `./quickstart demo`
 * uses it). Joins a group, multicasts every line read from stdin (and each
 * -m text once the join is complete), and prints what the group delivers,
 * one line per event, on stdout (line-buffered):
 *
 *   joined <group> as <nodeid>/<pid>
 *   msg <nodeid>/<pid>: <text>
 *   confchg <group> members=<n>/<p>,... left=<n>/<p>:<reason>,... joined=<n>/<p>:<reason>,...
 *   totem ring=<nodeid>/<seq> members=<n>,<n>,...
 *   error: <what>: <cs error number>
 *
 * reason is join, leave, nodedown, nodeup or procdown. End of stdin does not
 * stop the client (unless -e); SIGINT/SIGTERM, -c COUNT deliveries, or the
 * daemon going away do. The daemon is chosen by $AIS_INSTANCE.
 * Uses only the public API (<ais/cpg.h>, -laiscpg).
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ais/client.h>
#include <ais/cpg.h>

#define CHAT_MSGS_MAX 64

static volatile sig_atomic_t chat_stop;
static unsigned int chat_local_nodeid;
static int chat_joined;
static long chat_delivered;

static void chat_signal(int sig)
{
	(void)sig;
	chat_stop = 1;
}

static const char *chat_reason(uint32_t reason)
{
	switch (reason) {
	case CPG_REASON_JOIN: return "join";
	case CPG_REASON_LEAVE: return "leave";
	case CPG_REASON_NODEDOWN: return "nodedown";
	case CPG_REASON_NODEUP: return "nodeup";
	case CPG_REASON_PROCDOWN: return "procdown";
	default: return "?";
	}
}

static void chat_print_name(const struct cpg_name *name)
{
	for (uint32_t i = 0; i < name->length && i < CPG_MAX_NAME_LENGTH; i++) {
		unsigned char c = (unsigned char)name->value[i];

		putchar(c > 0x20 && c < 0x7f ? c : '?');
	}
}

static void chat_print_list(const char *label, const struct cpg_address *list, size_t n, int reasons)
{
	printf(" %s=", label);
	for (size_t i = 0; i < n; i++) {
		printf("%s%u/%u", i ? "," : "", (unsigned)list[i].nodeid, (unsigned)list[i].pid);
		if (reasons)
			printf(":%s", chat_reason(list[i].reason));
	}
}

static void chat_deliver(cpg_handle_t handle, const struct cpg_name *group, uint32_t nodeid,
                         uint32_t pid, void *msg, size_t msg_len)
{
	const unsigned char *p = msg;

	(void)handle;
	(void)group;
	printf("msg %u/%u: ", (unsigned)nodeid, (unsigned)pid);
	for (size_t i = 0; i < msg_len; i++)
		putchar(p[i] >= 0x20 && p[i] != 0x7f ? p[i] : '?');
	putchar('\n');
	chat_delivered++;
}

static void chat_confchg(cpg_handle_t handle, const struct cpg_name *group,
                         const struct cpg_address *members, size_t n_members,
                         const struct cpg_address *left, size_t n_left,
                         const struct cpg_address *joined, size_t n_joined)
{
	(void)handle;
	for (size_t i = 0; i < n_joined && !chat_joined; i++) {
		if (joined[i].nodeid == chat_local_nodeid && joined[i].pid == (uint32_t)getpid()) {
			chat_joined = 1;
			printf("joined ");
			chat_print_name(group);
			printf(" as %u/%u\n", chat_local_nodeid, (unsigned)getpid());
		}
	}
	printf("confchg ");
	chat_print_name(group);
	chat_print_list("members", members, n_members, 0);
	chat_print_list("left", left, n_left, 1);
	chat_print_list("joined", joined, n_joined, 1);
	putchar('\n');
}

static void chat_totem(cpg_handle_t handle, struct cpg_ring_id ring_id, uint32_t n,
                       const uint32_t *members)
{
	(void)handle;
	printf("totem ring=%u/%llu members=", (unsigned)ring_id.nodeid,
	       (unsigned long long)ring_id.seq);
	for (uint32_t i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", (unsigned)members[i]);
	putchar('\n');
}

/* Send one message, riding out flow control and resynchronisation. */
static cs_error_t chat_send(cpg_handle_t h, const char *text, size_t len)
{
	struct iovec iov = { .iov_base = (void *)(uintptr_t)text, .iov_len = len };
	cs_error_t e;

	while ((e = cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1)) == CS_ERR_TRY_AGAIN && !chat_stop) {
		e = cpg_dispatch(h, CS_DISPATCH_ALL);
		if (e != CS_OK)
			return e;
		usleep(10000);
	}
	return e;
}

static void chat_usage(void)
{
	fprintf(stderr, "usage: cpg_chat [-g GROUP] [-m TEXT]... [-c COUNT] [-e] [-t]\n"
	                "  -g GROUP  group to join (default: chat)\n"
	                "  -m TEXT   send TEXT once joined (repeatable)\n"
	                "  -c COUNT  exit after COUNT delivered messages\n"
	                "  -e        exit at end of stdin\n"
	                "  -t        also print node membership changes (totem)\n");
}

static int chat_fail(const char *what, cs_error_t e)
{
	printf("error: %s: %d\n", what, (int)e);
	return 1;
}

/* Read what stdin has; send each complete line. 0, or 1 at end of input. */
static int chat_stdin(cpg_handle_t h, char *buf, size_t *used, size_t size, cs_error_t *ret_e)
{
	ssize_t n = read(STDIN_FILENO, buf + *used, size - *used);
	char *nl;

	*ret_e = CS_OK;
	if (n <= 0)
		return n == 0 || errno != EINTR ? 1 : 0;
	*used += (size_t)n;
	while ((nl = memchr(buf, '\n', *used)) != NULL || *used == size) {
		size_t line = nl ? (size_t)(nl - buf) : *used;

		*ret_e = chat_send(h, buf, line);
		if (*ret_e != CS_OK)
			return 0;
		line += nl ? 1 : 0;
		memmove(buf, buf + line, *used - line);
		*used -= line;
	}
	return 0;
}

int main(int argc, char **argv)
{
	cpg_model_v1_data_t model = { .model = CPG_MODEL_V1 };
	const char *group_name = "chat", *msgs[CHAT_MSGS_MAX];
	int n_msgs = 0, sent = 0, exit_on_eof = 0, stdin_open = 1, fd, opt;
	long count = -1;
	struct cpg_name group;
	char buf[4096];
	size_t used = 0;
	cpg_handle_t h;
	cs_error_t e;

	while ((opt = getopt(argc, argv, "g:m:c:eth")) != -1) {
		switch (opt) {
		case 'g': group_name = optarg; break;
		case 'm':
			if (n_msgs == CHAT_MSGS_MAX) {
				fprintf(stderr, "cpg_chat: at most %d -m\n", CHAT_MSGS_MAX);
				return 2;
			}
			msgs[n_msgs++] = optarg;
			break;
		case 'c': count = strtol(optarg, NULL, 10); break;
		case 'e': exit_on_eof = 1; break;
		case 't': model.cpg_totem_confchg_fn = chat_totem; break;
		default: chat_usage(); return opt == 'h' ? 0 : 2;
		}
	}
	if (strlen(group_name) > CPG_MAX_NAME_LENGTH) {
		fprintf(stderr, "cpg_chat: group name longer than %d bytes\n", CPG_MAX_NAME_LENGTH);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGINT, chat_signal);
	signal(SIGTERM, chat_signal);
	signal(SIGPIPE, SIG_IGN);

	model.cpg_deliver_fn = chat_deliver;
	model.cpg_confchg_fn = chat_confchg;
	e = cpg_model_initialize(&h, CPG_MODEL_V1, (cpg_model_data_t *)&model, NULL);
	if (e != CS_OK) {
		const char *why = cpg_initialize_error_text();

		if (why != NULL) {
			printf("error: initialize: %s\n", why);
			return 1;
		}
		return chat_fail("initialize", e);
	}
	if ((e = cpg_local_get(h, &chat_local_nodeid)) != CS_OK ||
	    (e = cpg_fd_get(h, &fd)) != CS_OK)
		return chat_fail("local_get/fd_get", e);
	group.length = (uint32_t)strlen(group_name);
	memcpy(group.value, group_name, group.length);
	while ((e = cpg_join(h, &group)) == CS_ERR_TRY_AGAIN && !chat_stop)
		usleep(10000);
	if (e != CS_OK)
		return chat_fail("join", e);

	while (!chat_stop && (count < 0 || chat_delivered < count)) {
		struct pollfd pfd[2] = { { .fd = fd, .events = POLLIN },
		                         { .fd = STDIN_FILENO, .events = POLLIN } };

		if (chat_joined && sent < n_msgs) {
			e = chat_send(h, msgs[sent], strlen(msgs[sent]));
			if (e != CS_OK)
				return chat_fail("mcast", e);
			sent++;
			continue;
		}
		if (poll(pfd, chat_joined && stdin_open ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			return chat_fail("poll", CS_ERR_LIBRARY);
		}
		if (pfd[0].revents) {
			e = cpg_dispatch(h, CS_DISPATCH_ALL);
			if (e != CS_OK)
				return chat_fail("dispatch", e);
		}
		if (chat_joined && stdin_open && pfd[1].revents) {
			if (chat_stdin(h, buf, &used, sizeof(buf), &e) == 1) {
				stdin_open = 0;
				if (exit_on_eof)
					break;
			}
			if (e != CS_OK)
				return chat_fail("mcast", e);
		}
	}
	cpg_finalize(h);
	return 0;
}
