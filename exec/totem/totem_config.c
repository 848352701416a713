/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Defaults, derived values and sanity rules of the totem tunables
 * (REFERENCE 1.6, Corosync totemconfig.c). Parsing the configuration file is
 * the daemon's job; this file only knows the numbers. Every validation
 * failure names the offending key and its value.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "totem.h"

void totem_config_defaults(struct totem_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->token = 3000;
	cfg->token_coefficient = 650;
	cfg->token_retransmits_before_loss_const = 4;
	cfg->token_warning = 75;
	cfg->join = 50;
	cfg->send_join = 0;
	cfg->merge = 200;
	cfg->downcheck = 1000;
	cfg->fail_recv_const = 2500;
	cfg->seqno_unchanged_const = 30;
	cfg->miss_count_const = 5;
	cfg->window_size = 50;
	cfg->max_messages = 17;
	cfg->accelerated_window = 0;
	cfg->token_pace = TOTEM_PACE_AUTO;
	cfg->netmtu = 1500;
	cfg->send_queue_max = 2048;
	cfg->max_msg_size = 1024 * 1024 + 64 * 1024; /* a 1 MiB CPG payload plus its header */
	cfg->seq_start = 0;
	cfg->node_count = 0;
}

void totem_config_finish(struct totem_config *cfg)
{
	uint64_t eff = cfg->token;

	if (cfg->node_count >= 3) {
		eff += (uint64_t)(cfg->node_count - 2) * cfg->token_coefficient;
	}
	cfg->token_effective = eff > UINT32_MAX / 2 ? UINT32_MAX / 2 : (uint32_t)eff;
	if (cfg->token_retransmit == 0) {
		/* token / (retransmits + 0.2), in integers: token * 5 / (5 * n + 1) */
		uint64_t rt = (uint64_t)cfg->token_effective * 5U /
		              ((uint64_t)cfg->token_retransmits_before_loss_const * 5U + 1U);
		cfg->token_retransmit = rt < 30 ? 30 : (uint32_t)rt;
	}
	if (cfg->token_pace == TOTEM_PACE_AUTO) {
		/* at most a tenth of token_retransmit (totem_config_check()) */
		uint64_t tenth = (uint64_t)cfg->token_retransmit * 100U;

		cfg->token_pace = tenth < TOTEM_PACE_DEFAULT_US ? (uint32_t)tenth : TOTEM_PACE_DEFAULT_US;
	}
	if (cfg->hold == 0) {
		/* 0.8 * token_retransmit - 10 ms (Corosync: - 1000/HZ) */
		uint32_t h = cfg->token_retransmit * 8U / 10U;

		cfg->hold = h > 11 ? h - 10 : 1;
	}
	if (cfg->consensus == 0) {
		uint64_t c = (uint64_t)cfg->token_effective * 12U / 10U;

		cfg->consensus = c > UINT32_MAX / 2 ? UINT32_MAX / 2 : (uint32_t)c;
		if (cfg->consensus <= cfg->join) {
			cfg->consensus = cfg->join + 1;
		}
	}
}

#define FAIL(...)                                              \
	do {                                                   \
		if (errbuf != NULL && errlen > 0) {            \
			snprintf(errbuf, errlen, __VA_ARGS__); \
		}                                              \
		return -EINVAL;                                \
	} while (0)

static int config_check_times(const struct totem_config *cfg, char *errbuf, size_t errlen)
{
	if (cfg->token < 10) {
		FAIL("token (%u) must be at least 10 ms", cfg->token);
	}
	if (cfg->token_retransmits_before_loss_const < 1) {
		FAIL("token_retransmits_before_loss_const (%u) must be at least 1",
		     cfg->token_retransmits_before_loss_const);
	}
	if (cfg->token_retransmit < 1 || cfg->token_retransmit >= cfg->token_effective) {
		FAIL("token_retransmit (%u) must be between 1 and token (%u) - 1",
		     cfg->token_retransmit, cfg->token_effective);
	}
	if (cfg->hold < 1 || cfg->hold >= cfg->token_retransmit) {
		FAIL("hold (%u) must be between 1 and token_retransmit (%u) - 1", cfg->hold,
		     cfg->token_retransmit);
	}
	if (cfg->token_warning > 100) {
		FAIL("token_warning (%u) is a percentage and must not exceed 100",
		     cfg->token_warning);
	}
	if (cfg->join < 1) {
		FAIL("join (%u) must be at least 1 ms", cfg->join);
	}
	if (cfg->send_join > 10000) {
		FAIL("send_join (%u) must not exceed 10000 ms", cfg->send_join);
	}
	if (cfg->consensus <= cfg->join) {
		FAIL("consensus (%u) must be greater than join (%u)", cfg->consensus, cfg->join);
	}
	if (cfg->merge < 1) {
		FAIL("merge (%u) must be at least 1 ms", cfg->merge);
	}
	if (cfg->downcheck < 1) {
		FAIL("downcheck (%u) must be at least 1 ms", cfg->downcheck);
	}
	return 0;
}

static int config_check_counts(const struct totem_config *cfg, char *errbuf, size_t errlen)
{
	if (cfg->fail_recv_const < 1) {
		FAIL("fail_recv_const (%u) must be at least 1", cfg->fail_recv_const);
	}
	if (cfg->seqno_unchanged_const < 1) {
		FAIL("seqno_unchanged_const (%u) must be at least 1", cfg->seqno_unchanged_const);
	}
	if (cfg->miss_count_const < 1) {
		FAIL("miss_count_const (%u) must be at least 1", cfg->miss_count_const);
	}
	if (cfg->netmtu < 576 || cfg->netmtu > 65000) {
		FAIL("netmtu (%u) must be between 576 and 65000", cfg->netmtu);
	}
	if (cfg->window_size < 1) {
		FAIL("window_size (%u) must be at least 1", cfg->window_size);
	}
	if (cfg->max_messages < 1) {
		FAIL("max_messages (%u) must be at least 1", cfg->max_messages);
	}
	if (cfg->max_messages > cfg->window_size) {
		FAIL("max_messages (%u) must not exceed window_size (%u)", cfg->max_messages,
		     cfg->window_size);
	}
	if (cfg->accelerated_window > 100000) {
		FAIL("accelerated_window (%u) must not exceed 100000", cfg->accelerated_window);
	}
	if (cfg->token_pace > 100000) {
		FAIL("token_pace (%u) must not exceed 100000 us", cfg->token_pace);
	}
	if ((uint64_t)cfg->token_pace * 10U > (uint64_t)cfg->token_retransmit * 1000U) {
		FAIL("token_pace (%u us) must not exceed a tenth of token_retransmit (%u ms)",
		     cfg->token_pace, cfg->token_retransmit);
	}
	if (cfg->window_size > 256000 / cfg->netmtu) {
		FAIL("window_size (%u) must not exceed 256000 / netmtu (%u)", cfg->window_size,
		     256000 / cfg->netmtu);
	}
	if (cfg->send_queue_max < cfg->max_messages || cfg->send_queue_max > 1000000) {
		FAIL("send_queue_max (%u) must be between max_messages (%u) and 1000000",
		     cfg->send_queue_max, cfg->max_messages);
	}
	if (cfg->max_msg_size < 1 || cfg->max_msg_size > 64U * 1024 * 1024) {
		FAIL("max_msg_size (%u) must be between 1 and 67108864", cfg->max_msg_size);
	}
	if (cfg->node_count > TOTEM_PROCESSORS_MAX) {
		FAIL("node_count (%u) must not exceed %u", cfg->node_count, TOTEM_PROCESSORS_MAX);
	}
	return 0;
}

int totem_config_validate(const struct totem_config *cfg, char *errbuf, size_t errlen)
{
	int r;

	if (cfg->nodeid == 0) {
		FAIL("nodeid (0) must not be 0");
	}
	if (cfg->token_effective < cfg->token) {
		FAIL("token_effective (%u) is below token (%u): call totem_config_finish() first",
		     cfg->token_effective, cfg->token);
	}
	r = config_check_times(cfg, errbuf, errlen);
	if (r < 0) {
		return r;
	}
	return config_check_counts(cfg, errbuf, errlen);
}
