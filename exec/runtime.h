/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The daemon's run-time state, shared by the modules of exec/ that serve
 * the service api (which has no context argument: see include/ais/service.h).
 * main.c fills it in order (loop, config, transport, pg, sync, ipc) and tears
 * it down in reverse; everything else only reads it from the main loop.
 */
#ifndef AIS_EXEC_RUNTIME_H
#define AIS_EXEC_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

#include <qb/qbloop.h>
#include <ais/service.h>

#include "ais_config.h"
#include "fault.h"
#include "totem/pg.h"

struct net;
struct crypto;
struct sync;
struct ringseq_writer;
struct timers;

struct exec_runtime {
	qb_loop_t *loop;
	struct timers *timers;  /**< every timer but the protocol's (timers.h) */
	struct ais_config *cfg;
	struct crypto *crypto;
	struct net *net;
	pg_t *pg;
	struct sync *sync;
	struct ringseq_writer *ringseq;
	struct fault_filter fault;
	char instance[AIS_CONFIG_INSTANCE_MAX + 1]; /**< "" when none */
	char rundir[AIS_CONFIG_PATH_MAX + 1];
	char config_path[AIS_CONFIG_PATH_MAX + 1]; /**< the aisexec.conf read (relative paths in it start from its folder) */
	uint64_t start_us;
	bool shutting_down;
	/* the last regular configuration delivered */
	struct ais_ring_id ring_id;
	size_t n_members;
	ais_nodeid_t members[TOTEM_PROCESSORS_MAX];
};

extern struct exec_runtime exec_rt;

/** The api table handed to every engine's exec_init_fn (api.c). */
extern const struct ais_api exec_api;

/** Start an orderly shutdown from inside the loop (main.c). */
void exec_shutdown_request(void);

#endif
