/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the admin engine may ask of the executive (exec/admin.h): status,
 * membership with configured addresses and names, totem and per-engine
 * counters, the fault-injection filter and blackbox dumps. Every fault
 * change is logged, so a test's log shows what was injected and when.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ais/log.h>

#include "admin.h"
#include "logsys.h"
#include "net.h"
#include "runtime.h"
#include "service.h"
#include "sync.h"

AIS_LOG_SUBSYS("ADMIN");

void admin_status_get(struct ais_admin_status *ret)
{
	const struct ais_config *cfg = exec_rt.cfg;

	memset(ret, 0, sizeof(*ret));
	ret->nodeid = cfg->totem.nodeid;
	snprintf(ret->instance, sizeof(ret->instance), "%s", exec_rt.instance);
	snprintf(ret->cluster_name, sizeof(ret->cluster_name), "%s",
		 cfg->cluster_name != NULL ? cfg->cluster_name : "");
	snprintf(ret->transport, sizeof(ret->transport), "%s",
		 cfg->transport == AIS_TRANSPORT_UDP ? "udp" : "udpu");
	ret->state = (uint32_t)(exec_rt.pg != NULL ? srp_state_get(pg_srp(exec_rt.pg)) : SRP_STATE_GATHER);
	ret->ring_id = exec_rt.ring_id;
	ret->member_count = (uint32_t)exec_rt.n_members;
	ret->sync_in_progress = exec_rt.sync == NULL || sync_in_progress(exec_rt.sync);
	ret->uptime_ms = (logsys_now_us() - exec_rt.start_us) / 1000;
	ret->pid = (int)getpid();
}

void admin_local_node_get(struct ais_admin_local_node *ret)
{
	const struct ais_config *cfg = exec_rt.cfg;
	const struct ais_addr *addr = &cfg->iface.bindnetaddr;

	memset(ret, 0, sizeof(*ret));
	ret->nodeid = cfg->totem.nodeid;
	if (cfg->local_node >= 0 && (size_t)cfg->local_node < cfg->node_count) {
		const struct ais_config_node *node = &cfg->nodes[cfg->local_node];

		snprintf(ret->name, sizeof(ret->name), "%s", node->name);
		addr = &node->ring0_addr;
	}
	ais_addr_to_string(addr, ret->address, sizeof(ret->address));
	ret->family = addr->family;
}

size_t admin_members_get(struct ais_ring_id *ret_ring_id, struct ais_admin_member *ret, size_t max)
{
	const struct ais_config *cfg = exec_rt.cfg;

	if (ret_ring_id != NULL) {
		*ret_ring_id = exec_rt.ring_id;
	}
	for (size_t i = 0; i < exec_rt.n_members && i < max; i++) {
		const struct ais_config_node *node = ais_config_node_find(cfg, exec_rt.members[i]);
		struct ais_admin_member *m = &ret[i];
		memset(m, 0, sizeof(*m));
		m->nodeid = exec_rt.members[i];
		if (node != NULL) {
			ais_addr_to_string(&node->ring0_addr, m->address, sizeof(m->address));
			snprintf(m->name, sizeof(m->name), "%s", node->name[0] != '\0' ? node->name : m->address);
		} else {
			snprintf(m->name, sizeof(m->name), "node%u", m->nodeid);
		}
	}
	return exec_rt.n_members;
}

void admin_ring_stats_get(struct ais_admin_ring_stats *ret)
{
	struct srp_stats s;

	memset(ret, 0, sizeof(*ret));
	if (exec_rt.pg == NULL) {
		return;
	}
	srp_stats_get(pg_srp(exec_rt.pg), &s);
	ret->tokens_received = s.tokens_received;
	ret->token_rotations = s.token_rotations;
	ret->mcast_tx = s.mcast_tx;
	ret->mcast_rx = s.mcast_rx;
	ret->retransmits_tx = s.retransmits_tx;
	ret->retransmit_requests = s.retransmit_requests;
	ret->delivered = s.delivered;
	ret->frames_bad = s.frames_bad;
	ret->frames_foreign = s.frames_foreign;
	ret->ring_seq_refused = s.ring_seq_refused;
	ret->frames_implausible = s.frames_implausible;
	ret->token_lost = s.token_lost;
	ret->memb_changes = s.memb_changes;
	ret->consensus_timeouts = s.consensus_timeouts;
	ret->fail_recv = s.fail_recv;
	ret->backlog = s.backlog;
	ret->send_queue_len = s.send_queue_len;
	ret->send_queue_max = s.send_queue_max;
	ret->token_paced = s.token_paced;
	ret->pace_held_us = s.pace_held_us;
	ret->retransmit_wait_max = s.retransmit_wait_max;
	if (exec_rt.net != NULL) {
		struct net_stats ns;

		net_stats_get(exec_rt.net, &ns);
		ret->tx_calls = ns.tx_calls;
		ret->rx_calls = ns.rx_calls;
	}
}

void admin_refused_get(struct ais_admin_refused *ret)
{
	struct net_stats s;

	memset(ret, 0, sizeof(*ret));
	if (exec_rt.net == NULL) {
		return;
	}
	net_stats_get(exec_rt.net, &s);
	ret->auth_failed = s.rx_auth_failed;
	ret->bad_header = s.rx_bad_header;
	ret->foreign_cluster = s.rx_foreign_cluster;
	ret->unknown_node = s.rx_unknown_node;
	ret->implausible = s.rx_implausible;
	ret->replayed = s.rx_replayed;
	ret->fault_dropped = s.fault.dropped;
	ret->fault_duplicated = s.fault.duplicated;
	ret->fault_delayed = s.fault.delayed;
}

size_t admin_service_stats_get(struct ais_admin_service_stats *ret, size_t max)
{
	return service_stats_fill(ret, max);
}

/*
 * "12%" for a log line. A "%%" must not appear in a log format: libqb
 * (2.0.6) serializes the arguments after it wrongly for the blackbox, and a
 * "%s" after it then reads a stray pointer (the daemon crashed on the second
 * `fault drop`).
 */
static const char *admin_percent(char *buf, size_t len, uint32_t percent)
{
	snprintf(buf, len, "%u%%", percent);
	return buf;
}

int admin_fault_drop(uint32_t percent, const uint32_t *nodes, size_t n_nodes)
{
	int r = fault_filter_drop_set(&exec_rt.fault, percent, nodes, n_nodes);
	char pct[16];

	if (r == 0) {
		ais_log(LOG_NOTICE, "fault injection: dropping %s of frames (%s)",
			admin_percent(pct, sizeof(pct), percent),
			n_nodes > 0 ? "selected nodes" : "all peers");
	}
	return r;
}

int admin_fault_drop_mcast(uint32_t percent, const uint32_t *nodes, size_t n_nodes)
{
	int r = fault_filter_mcast_drop_set(&exec_rt.fault, percent, nodes, n_nodes);
	char pct[16];

	if (r == 0) {
		ais_log(LOG_NOTICE, "fault injection: dropping %s of the messages received here",
			admin_percent(pct, sizeof(pct), exec_rt.fault.mcast_drop_percent));
	}
	return r;
}

int admin_fault_partition(const uint32_t *group_a, size_t n_a, const uint32_t *group_b, size_t n_b)
{
	int r = fault_filter_partition_set(&exec_rt.fault, group_a, n_a, group_b, n_b);

	if (r == 0) {
		ais_log(LOG_NOTICE, "fault injection: partitioned; talking to %zu nodes only",
			exec_rt.fault.n_group);
	}
	return r;
}

int admin_fault_duplicate(uint32_t percent)
{
	int r = fault_filter_duplicate_set(&exec_rt.fault, percent);
	char pct[16];

	if (r == 0) {
		ais_log(LOG_NOTICE, "fault injection: duplicating %s of frames",
			admin_percent(pct, sizeof(pct), percent));
	}
	return r;
}

int admin_fault_delay(uint32_t percent, uint32_t ms)
{
	int r = fault_filter_delay_set(&exec_rt.fault, percent, ms);
	char pct[16];

	if (r == 0) {
		ais_log(LOG_NOTICE, "fault injection: delaying %s of frames by %u ms",
			admin_percent(pct, sizeof(pct), percent), ms);
	}
	return r;
}

int admin_fault_heal(void)
{
	int r = fault_filter_heal(&exec_rt.fault);

	if (r == 0) {
		ais_log(LOG_NOTICE, "fault injection: partition healed");
	}
	return r;
}

int admin_fault_clear(void)
{
	int r = fault_filter_clear(&exec_rt.fault);

	if (r == 0) {
		ais_log(LOG_NOTICE, "fault injection: cleared");
	}
	return r;
}

bool admin_fault_enabled(void)
{
	return exec_rt.fault.allowed;
}

/* Dumps kept in the run directory; older ones are removed (oldest first). */
#define ADMIN_BLACKBOX_KEEP 5

/* The time in a "blackbox-<time>.fdata" name, or -1 for any other name. */
static long long blackbox_stamp(const char *name)
{
	char *end;
	long long t;

	if (strncmp(name, "blackbox-", 9) != 0 || name[9] < '0' || name[9] > '9')
		return -1;
	errno = 0;
	t = strtoll(name + 9, &end, 10);
	return errno == 0 && strcmp(end, ".fdata") == 0 ? t : -1;
}

/* Remove the oldest dumps beyond ADMIN_BLACKBOX_KEEP (the crash dump,
 * "blackbox-crash.fdata", is not one of them). */
static void blackbox_prune(const char *dir)
{
	for (;;) {
		char path[AIS_CONFIG_PATH_MAX + 1];
		char oldest[256] = "";
		long long oldest_t = -1;
		struct dirent *de;
		size_t count = 0;
		DIR *d = opendir(dir);

		if (d == NULL)
			return;
		while ((de = readdir(d)) != NULL) {
			long long t = blackbox_stamp(de->d_name);

			if (t < 0)
				continue;
			count++;
			if (oldest_t < 0 || t < oldest_t) {
				oldest_t = t;
				snprintf(oldest, sizeof(oldest), "%s", de->d_name);
			}
		}
		closedir(d);
		if (count <= ADMIN_BLACKBOX_KEEP || oldest[0] == '\0')
			return;
		if (snprintf(path, sizeof(path), "%s/%s", dir, oldest) >= (int)sizeof(path) || unlink(path) < 0) {
			ais_log(LOG_WARNING, "cannot remove old blackbox %s: %s", path, strerror(errno));
			return;
		}
	}
}

int admin_blackbox_dump(char *ret_path, size_t len)
{
	char path[AIS_CONFIG_PATH_MAX + 1];
	struct timespec now;
	int n, r;

	/* named by the time in ms, so that the oldest is the smallest */
	clock_gettime(CLOCK_REALTIME, &now);
	n = snprintf(path, sizeof(path), "%s/blackbox-%lld.fdata", exec_rt.rundir,
		     (long long)now.tv_sec * 1000 + now.tv_nsec / 1000000);

	if (n < 0 || (size_t)n >= sizeof(path) || (size_t)n >= len) {
		return -ENAMETOOLONG;
	}
	r = logsys_blackbox_write(path);
	if (r < 0) {
		ais_log(LOG_WARNING, "blackbox dump to %s failed: %s", path, strerror(-r));
		return r;
	}
	ais_log(LOG_NOTICE, "blackbox written to %s", path);
	blackbox_prune(exec_rt.rundir);
	memcpy(ret_path, path, (size_t)n + 1);
	return n;
}

static const struct ais_service_engine *admin_engine_get(uint16_t id)
{
	return service_engine_get(NULL, id);
}

const struct ais_admin_api exec_admin_api = {
	.status_get = admin_status_get,
	.local_node_get = admin_local_node_get,
	.members_get = admin_members_get,
	.ring_stats_get = admin_ring_stats_get,
	.refused_get = admin_refused_get,
	.service_stats_get = admin_service_stats_get,
	.engine_get = admin_engine_get,
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
