/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small deterministic world for srp unit tests: N srp instances, an
 * in-memory datagram network (latency, loss, partitions) and a virtual clock
 * with a timer list. Every delivery and configuration change is recorded per
 * node as a line of text so tests can compare the streams of nodes exactly.
 */
#ifndef AIS_TEST_SRP_HARNESS_H
#define AIS_TEST_SRP_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

#include "srp.h"

#define H_NODES_MAX 16
#define H_EVENT_LEN 192

struct h_node {
	struct h_world *w;
	int idx;
	totem_nodeid_t id;
	srp_t *srp;
	bool alive;
	int group;                      /* partition group */
	bool deaf;                      /* data frames to it are dropped */
	char (*events)[H_EVENT_LEN];
	size_t n_events, cap_events;
	uint64_t ring_seq_stored;
	bool ring_seq_refuse;   /**< ring_seq_store answers -ENOSPC */
	uint64_t token_sends;
	uint32_t delivered;
	uint32_t next_counter;
	/* a layer above that hands frames over only from token_received */
	uint32_t upper_pending;         /* frames it still holds */
	uint32_t upper_violations;      /* a frame waited in srp past its visit */
	uint32_t upper_budget_max;      /* largest srp_origination_budget() seen */
};

struct h_world {
	struct h_node nodes[H_NODES_MAX];
	int n;
	uint64_t now_us;
	uint64_t latency_us;
	uint32_t loss_permille;
	uint64_t rng;
	struct totem_config cfg;
	struct h_packet *packets;       /* sorted by due time */
	struct h_timer *timers;
	uint64_t next_timer_id;
	uint64_t event_seq;
};

void h_world_init(struct h_world *w, int n, uint32_t seq_start);
void h_world_free(struct h_world *w);
void h_node_start(struct h_world *w, int idx);
void h_node_crash(struct h_world *w, int idx);
void h_run_for(struct h_world *w, uint64_t ms);
/** run until pred or the time limit; returns pred's final value */
bool h_run_until(struct h_world *w, uint64_t max_ms, bool (*pred)(struct h_world *w, void *arg),
                 void *arg);
bool h_all_operational_with(struct h_world *w, void *arg); /* arg: int* member count */
int h_send(struct h_world *w, int idx, enum totem_guarantee g);
size_t h_find_event(const struct h_node *n, const char *prefix, size_t from);
size_t h_count_msgs(const struct h_node *n, size_t from);

#endif
