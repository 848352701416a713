/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cscpg: a small CPG program written the way Corosync programs are, against
 * <corosync/cpg.h> and <corosync/corotypes.h> only (cpg_compat.sh builds it
 * with `pkg-config --cflags --libs aiscpg-compat`). It initializes with the
 * V1 model (model_data.model left at 0, the initial totem configuration
 * asked for), joins one group, and reads commands on stdin:
 *   join | leave | send TEXT | members | quit
 * Output, one line per event, for the test to grep:
 *   ready node=N
 *   totem ring=R.S members=A,B,C
 *   confchg members=N:P,... joined=N:P:REASON,... left=N:P:REASON,...
 *   deliver from=N:P TEXT
 *   members N:P,...
 *   error CALL CS_ERR_...
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <corosync/corotypes.h>
#include <corosync/cpg.h>

static struct cpg_name group;

static const char *reason_name(uint32_t reason)
{
	switch (reason) {
	case CPG_REASON_JOIN:
		return "JOIN";
	case CPG_REASON_LEAVE:
		return "LEAVE";
	case CPG_REASON_NODEDOWN:
		return "NODEDOWN";
	case CPG_REASON_NODEUP:
		return "NODEUP";
	case CPG_REASON_PROCDOWN:
		return "PROCDOWN";
	case CPG_REASON_UNDEFINED:
	default:
		return "UNDEFINED";
	}
}

static void print_addresses(const char *label, const struct cpg_address *a, size_t n, int reasons)
{
	printf(" %s=", label);
	for (size_t i = 0; i < n; i++) {
		printf("%s" CS_PRI_NODE_ID ":%u", i ? "," : "", a[i].nodeid, a[i].pid);
		if (reasons)
			printf(":%s", reason_name(a[i].reason));
	}
}

static void deliver_fn(cpg_handle_t h, const struct cpg_name *g, uint32_t nodeid, uint32_t pid,
                       void *msg, size_t msg_len)
{
	(void)h, (void)g;
	printf("deliver from=" CS_PRI_NODE_ID ":%u %.*s\n", nodeid, pid, (int)msg_len, (const char *)msg);
}

static void confchg_fn(cpg_handle_t h, const struct cpg_name *g,
                       const struct cpg_address *members, size_t n_members,
                       const struct cpg_address *left, size_t n_left,
                       const struct cpg_address *joined, size_t n_joined)
{
	(void)h, (void)g;
	printf("confchg");
	print_addresses("members", members, n_members, 0);
	print_addresses("joined", joined, n_joined, 1);
	print_addresses("left", left, n_left, 1);
	printf("\n");
}

static void totem_fn(cpg_handle_t h, struct cpg_ring_id ring_id, uint32_t n_members,
                     const uint32_t *members)
{
	(void)h;
	printf("totem ring=" CS_PRI_RING_ID " members=", ring_id.nodeid, ring_id.seq);
	for (uint32_t i = 0; i < n_members; i++)
		printf("%s" CS_PRI_NODE_ID, i ? "," : "", members[i]);
	printf("\n");
}

static int check(const char *call, cs_error_t e)
{
	if (e != CS_OK)
		printf("error %s %s\n", call, cs_strerror(e));
	return e == CS_OK;
}

static void command(cpg_handle_t h, char *line)
{
	line[strcspn(line, "\n")] = '\0';
	if (strcmp(line, "join") == 0) {
		check("cpg_join", cpg_join(h, &group));
	} else if (strcmp(line, "leave") == 0) {
		check("cpg_leave", cpg_leave(h, &group));
	} else if (strncmp(line, "send ", 5) == 0) {
		struct iovec iov = { .iov_base = line + 5, .iov_len = strlen(line + 5) };
		cs_error_t e;

		while ((e = cpg_mcast_joined(h, CPG_TYPE_AGREED, &iov, 1)) == CS_ERR_TRY_AGAIN)
			usleep(10000);
		check("cpg_mcast_joined", e);
	} else if (strcmp(line, "members") == 0) {
		struct cpg_address members[CPG_MEMBERS_MAX];
		int n = CPG_MEMBERS_MAX;

		if (check("cpg_membership_get", cpg_membership_get(h, &group, members, &n))) {
			printf("members");
			print_addresses("list", members, (size_t)CS_MAX(n, 0), 0);
			printf("\n");
		}
	}
}

int main(int argc, char **argv)
{
	cpg_model_v1_data_t model;
	cpg_handle_t h;
	unsigned int node;
	char line[512];
	cs_error_t e;
	int fd;

	if (argc != 2 || strlen(argv[1]) > CPG_MAX_NAME_LENGTH) {
		fprintf(stderr, "usage: cscpg GROUP\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	setvbuf(stdin, NULL, _IONBF, 0); /* poll() sees every line: none waits in a buffer */
	group.length = (uint32_t)strlen(argv[1]);
	memcpy(group.value, argv[1], group.length);

	memset(&model, 0, sizeof(model)); /* .model stays 0, as in Corosync's own tests */
	model.cpg_deliver_fn = deliver_fn;
	model.cpg_confchg_fn = confchg_fn;
	model.cpg_totem_confchg_fn = totem_fn;
	model.flags = CPG_MODEL_V1_DELIVER_INITIAL_TOTEM_CONF;
	e = cpg_model_initialize(&h, CPG_MODEL_V1, (cpg_model_data_t *)&model, NULL);
	if (e != CS_OK) {
		fprintf(stderr, "cpg_model_initialize: %s\n", cs_strerror(e));
		return 1;
	}
	if (!check("cpg_local_get", cpg_local_get(h, &node)) || !check("cpg_fd_get", cpg_fd_get(h, &fd)))
		return 1;
	printf("ready node=" CS_PRI_NODE_ID "\n", node);

	for (;;) {
		struct pollfd p[2] = { { .fd = 0, .events = POLLIN }, { .fd = fd, .events = POLLIN } };

		if (poll(p, 2, -1) < 0)
			continue;
		if (p[1].revents) {
			e = cpg_dispatch(h, CS_DISPATCH_ALL);
			if (e != CS_OK) {
				printf("error cpg_dispatch %s\n", cs_strerror(e));
				return 1;
			}
		}
		if (p[0].revents) {
			if (!fgets(line, sizeof(line), stdin) || strncmp(line, "quit", 4) == 0)
				break;
			command(h, line);
		}
	}
	e = cpg_finalize(h);
	return check("cpg_finalize", e) ? 0 : 1;
}
