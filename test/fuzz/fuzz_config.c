/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target of the configuration parser: arbitrary bytes through
 * ais_config_parse_mem(). A parse that succeeds must also survive the node
 * choice against a fixed address list and a dump, and the dump must parse
 * again; a parse that fails must leave a "NAME:" message. Nothing may leak
 * or read out of bounds (run under the sanitizers).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ais_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_dump(const struct ais_config *cfg)
{
	struct ais_config again;
	char *buf = NULL;
	size_t len = 0;
	char err[256];
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return;
	if (ais_config_dump(cfg, f) < 0)
		abort();
	fclose(f);
	/* What the dump prints is a valid configuration with the same values. */
	if (ais_config_parse_mem(buf, len, "dump", &again, err, sizeof(err)) != 0)
		abort();
	if (again.node_count != cfg->node_count || again.totem.token != cfg->totem.token ||
	    again.service_count != cfg->service_count || again.transport != cfg->transport)
		abort();
	ais_config_free(&again);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ais_config cfg;
	struct ais_local_addrs addrs;
	char err[512];
	int r;

	r = ais_config_parse_mem((const char *)data, size, "fuzz", &cfg, err, sizeof(err));
	if (r < 0) {
		if (r == -EINVAL && strncmp(err, "fuzz:", 5) != 0)
			abort();
		return 0;
	}
	memset(&addrs, 0, sizeof(addrs));
	ais_addr_parse("127.0.0.1", &addrs.addr[addrs.count++]);
	ais_addr_parse("::1", &addrs.addr[addrs.count++]);
	if (ais_config_pick_node(&cfg, &addrs, err, sizeof(err)) == 0 && cfg.totem.nodeid == 0)
		abort();
	check_dump(&cfg);
	ais_config_free(&cfg);
	return 0;
}
