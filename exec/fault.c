/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Decisions of the fault-injection filter (see fault.h). Pure logic with its
 * own small xorshift generator, so tests can seed it and the transport keeps
 * no hidden state: the daemon owns one filter and asks it once per frame and
 * peer.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "fault.h"

#define FAULT_DELAY_MS_MAX 10000

static uint32_t fault_random_percent(struct fault_filter *f)
{
	uint64_t x = f->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	f->rng = x;
	return (uint32_t)((x >> 11) % 100);
}

static bool fault_node_in(const uint32_t *set, size_t n, uint32_t node)
{
	for (size_t i = 0; i < n; i++) {
		if (set[i] == node) {
			return true;
		}
	}
	return false;
}

static bool fault_nodes_valid(const uint32_t *nodes, size_t n)
{
	if (n > FAULT_NODES_MAX || (n > 0 && nodes == NULL)) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (nodes[i] == 0) {
			return false;
		}
	}
	return true;
}

void fault_filter_init(struct fault_filter *f, uint32_t self, bool allowed, uint64_t seed)
{
	memset(f, 0, sizeof(*f));
	f->allowed = allowed;
	f->self = self;
	f->rng = seed != 0 ? seed : UINT64_C(0x9e3779b97f4a7c15);
}

bool fault_filter_active(const struct fault_filter *f)
{
	return f->drop_percent > 0 || f->mcast_drop_percent > 0 || f->partitioned || f->dup_percent > 0 ||
	       f->delay_percent > 0;
}

enum fault_verdict fault_filter_decide(struct fault_filter *f, uint32_t peer)
{
	if (!fault_filter_active(f)) {
		return FAULT_PASS;
	}
	if (f->partitioned && peer != 0 && !fault_node_in(f->group, f->n_group, peer)) {
		f->stats.dropped++;
		return FAULT_DROP;
	}
	if (f->drop_percent > 0 &&
	    (f->n_drop_nodes == 0 || fault_node_in(f->drop_nodes, f->n_drop_nodes, peer)) &&
	    fault_random_percent(f) < f->drop_percent) {
		f->stats.dropped++;
		return FAULT_DROP;
	}
	if (f->dup_percent > 0 && fault_random_percent(f) < f->dup_percent) {
		f->stats.duplicated++;
		return FAULT_DUPLICATE;
	}
	if (f->delay_percent > 0 && fault_random_percent(f) < f->delay_percent) {
		f->stats.delayed++;
		return FAULT_DELAY;
	}
	return FAULT_PASS;
}

enum fault_verdict fault_filter_decide_recv(struct fault_filter *f, uint32_t peer, enum fault_frame frame)
{
	if (frame == FAULT_FRAME_MCAST && f->mcast_drop_percent > 0 &&
	    fault_random_percent(f) < f->mcast_drop_percent) {
		f->stats.dropped++;
		return FAULT_DROP;
	}
	return fault_filter_decide(f, peer);
}

int fault_filter_drop_set(struct fault_filter *f, uint32_t percent, const uint32_t *nodes, size_t n_nodes)
{
	if (!f->allowed) {
		return -EPERM;
	}
	if (percent > 100 || !fault_nodes_valid(nodes, n_nodes)) {
		return -EINVAL;
	}
	f->drop_percent = percent;
	f->n_drop_nodes = n_nodes;
	if (n_nodes > 0) {
		memcpy(f->drop_nodes, nodes, n_nodes * sizeof(nodes[0]));
	}
	return 0;
}

int fault_filter_mcast_drop_set(struct fault_filter *f, uint32_t percent, const uint32_t *nodes,
				size_t n_nodes)
{
	if (!f->allowed) {
		return -EPERM;
	}
	if (percent > 100 || !fault_nodes_valid(nodes, n_nodes)) {
		return -EINVAL;
	}
	/* the rule acts where the messages arrive: keep it only if that is here */
	f->mcast_drop_percent = n_nodes == 0 || fault_node_in(nodes, n_nodes, f->self) ? percent : 0;
	return 0;
}

int fault_filter_partition_set(struct fault_filter *f, const uint32_t *a, size_t n_a,
			       const uint32_t *b, size_t n_b)
{
	if (!f->allowed) {
		return -EPERM;
	}
	if (!fault_nodes_valid(a, n_a) || !fault_nodes_valid(b, n_b)) {
		return -EINVAL;
	}
	bool in_a = fault_node_in(a, n_a, f->self);
	bool in_b = fault_node_in(b, n_b, f->self);
	if (in_a == in_b) {
		return -EINVAL;
	}
	const uint32_t *mine = in_a ? a : b;
	size_t n_mine = in_a ? n_a : n_b;
	memcpy(f->group, mine, n_mine * sizeof(mine[0]));
	f->n_group = n_mine;
	f->partitioned = true;
	return 0;
}

int fault_filter_duplicate_set(struct fault_filter *f, uint32_t percent)
{
	if (!f->allowed) {
		return -EPERM;
	}
	if (percent > 100) {
		return -EINVAL;
	}
	f->dup_percent = percent;
	return 0;
}

int fault_filter_delay_set(struct fault_filter *f, uint32_t percent, uint32_t ms)
{
	if (!f->allowed) {
		return -EPERM;
	}
	if (percent > 100 || ms > FAULT_DELAY_MS_MAX || (percent > 0 && ms == 0)) {
		return -EINVAL;
	}
	f->delay_percent = percent;
	f->delay_ms = ms;
	return 0;
}

int fault_filter_heal(struct fault_filter *f)
{
	if (!f->allowed) {
		return -EPERM;
	}
	f->partitioned = false;
	f->n_group = 0;
	return 0;
}

int fault_filter_clear(struct fault_filter *f)
{
	if (!f->allowed) {
		return -EPERM;
	}
	f->drop_percent = 0;
	f->mcast_drop_percent = 0;
	f->n_drop_nodes = 0;
	f->partitioned = false;
	f->n_group = 0;
	f->dup_percent = 0;
	f->delay_percent = 0;
	f->delay_ms = 0;
	return 0;
}
