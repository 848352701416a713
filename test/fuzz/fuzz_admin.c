/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The executive's admin functions (exec/admin.h, and as the table engines
 * get as api->admin) as fuzz targets see them: fixed answers for the reads,
 * and the fault filter's argument rules for the writes, so a request the
 * engine accepted with arguments the executive would never take aborts the
 * run. Shared by fuzz_cfg and fuzz_ipc.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <ais/ipc_cfg.h>

#include "admin.h"
#include "fuzz_admin.h"

struct fuzz_admin_view fuzz_admin_view = { .ring_seq = 4, .n_members = 1, .members = { 1 } };

void admin_local_node_get(struct ais_admin_local_node *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->nodeid = 1;
	snprintf(ret->name, sizeof(ret->name), "n1");
	snprintf(ret->address, sizeof(ret->address), "127.0.0.1");
	ret->family = AF_INET;
}

void admin_status_get(struct ais_admin_status *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->nodeid = 1;
	ret->state = AIS_ADMIN_RING_OPERATIONAL;
}

size_t admin_members_get(struct ais_ring_id *ret_ring_id, struct ais_admin_member *ret, size_t max)
{
	if (ret_ring_id) {
		ret_ring_id->rep = 1;
		ret_ring_id->seq = fuzz_admin_view.ring_seq;
	}
	for (size_t i = 0; i < fuzz_admin_view.n_members && i < max; i++) {
		memset(&ret[i], 0, sizeof(ret[i]));
		ret[i].nodeid = fuzz_admin_view.members[i];
		snprintf(ret[i].name, sizeof(ret[i].name), "n%u", ret[i].nodeid);
		snprintf(ret[i].address, sizeof(ret[i].address), "127.0.0.%u", ret[i].nodeid);
	}
	return fuzz_admin_view.n_members;
}

void admin_ring_stats_get(struct ais_admin_ring_stats *ret)
{
	memset(ret, 0, sizeof(*ret));
}

void admin_refused_get(struct ais_admin_refused *ret)
{
	memset(ret, 0, sizeof(*ret));
}

size_t admin_service_stats_get(struct ais_admin_service_stats *ret, size_t max)
{
	(void)ret;
	(void)max;
	return 0;
}

/* The real filter's argument rules, so accepted requests are checked too. */
static int fuzz_nodes_ok(const uint32_t *nodes, size_t n)
{
	if (n > AIS_CFG_FAULT_NODES_MAX)
		abort();
	for (size_t i = 0; i < n; i++)
		if (nodes[i] == 0)
			abort();
	return 0;
}

int admin_fault_drop(uint32_t percent, const uint32_t *nodes, size_t n_nodes)
{
	if (percent > 100)
		abort();
	return fuzz_nodes_ok(nodes, n_nodes);
}

int admin_fault_drop_mcast(uint32_t percent, const uint32_t *nodes, size_t n_nodes)
{
	if (percent > 100)
		abort();
	return fuzz_nodes_ok(nodes, n_nodes);
}

int admin_fault_partition(const uint32_t *a, size_t n_a, const uint32_t *b, size_t n_b)
{
	if (n_a == 0 || n_b == 0 || n_a + n_b > AIS_CFG_FAULT_NODES_MAX)
		abort();
	fuzz_nodes_ok(a, n_a);
	return fuzz_nodes_ok(b, n_b);
}

int admin_fault_duplicate(uint32_t percent)
{
	if (percent > 100)
		abort();
	return 0;
}

int admin_fault_delay(uint32_t percent, uint32_t ms)
{
	if (percent > 100 || ms > AIS_CFG_FAULT_DELAY_MAX_MS)
		abort();
	return 0;
}

int admin_fault_heal(void)
{
	return 0;
}

int admin_fault_clear(void)
{
	return 0;
}

bool admin_fault_enabled(void)
{
	return true;
}

int admin_blackbox_dump(char *ret_path, size_t len)
{
	(void)ret_path;
	(void)len;
	return -EIO;
}

static const struct ais_service_engine *fuzz_admin_engine_get(uint16_t id)
{
	return fuzz_engine_get(id);
}

const struct ais_admin_api fuzz_admin_api = {
	.status_get = admin_status_get,
	.local_node_get = admin_local_node_get,
	.members_get = admin_members_get,
	.ring_stats_get = admin_ring_stats_get,
	.refused_get = admin_refused_get,
	.service_stats_get = admin_service_stats_get,
	.engine_get = fuzz_admin_engine_get,
	.fault_drop = admin_fault_drop,
	.fault_drop_mcast = admin_fault_drop_mcast,
	.fault_partition = admin_fault_partition,
	.fault_duplicate = admin_fault_duplicate,
	.fault_delay = admin_fault_delay,
	.fault_heal = admin_fault_heal,
	.fault_clear = admin_fault_clear,
	.fault_enabled = admin_fault_enabled,
	.blackbox_dump = admin_blackbox_dump,
};
