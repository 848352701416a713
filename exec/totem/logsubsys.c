/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Registry of log subsystem names -> libqb tag bits (see include/ais/log.h).
 * It lives with the totem library because that is the lowest layer every
 * program in the tree links; the sinks, formats and per-subsystem levels are
 * set up by the daemon (exec/logsys.c) or by nothing at all (the simulator,
 * where logging costs one callsite lookup and prints nothing).
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <ais/log.h>

static pthread_mutex_t subsys_lock = PTHREAD_MUTEX_INITIALIZER;
static char subsys_names[AIS_LOG_SUBSYS_MAX][16];
static unsigned subsys_count;

static int subsys_find_locked(const char *name)
{
	for (unsigned i = 0; i < subsys_count; i++) {
		if (strcmp(subsys_names[i], name) == 0) {
			return (int)i;
		}
	}
	return -ENOENT;
}

uint32_t ais_log_subsys_tag(const char *name)
{
	int idx;

	pthread_mutex_lock(&subsys_lock);
	idx = subsys_find_locked(name);
	if (idx < 0) {
		if (subsys_count < AIS_LOG_SUBSYS_MAX) {
			idx = (int)subsys_count++;
			strncpy(subsys_names[idx], name, sizeof(subsys_names[idx]) - 1);
		} else {
			idx = AIS_LOG_SUBSYS_MAX - 1;
		}
	}
	pthread_mutex_unlock(&subsys_lock);
	return UINT32_C(1) << idx;
}

const char *ais_log_subsys_name(uint32_t tags)
{
	const char *name = "MAIN";

	if (tags == 0) {
		return name;
	}
	pthread_mutex_lock(&subsys_lock);
	int idx = __builtin_ctz(tags);
	if ((unsigned)idx < subsys_count) {
		name = subsys_names[idx];
	}
	pthread_mutex_unlock(&subsys_lock);
	return name;
}

int ais_log_subsys_index(const char *name)
{
	pthread_mutex_lock(&subsys_lock);
	int idx = subsys_find_locked(name);
	pthread_mutex_unlock(&subsys_lock);
	return idx;
}
