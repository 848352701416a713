/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Logging setup of the daemon on top of libqb: the stderr, file and syslog
 * targets and their formats, per-subsystem levels (include/ais/log.h tags),
 * the always-on blackbox and its dump on a fatal signal, and a small rate
 * limiter for warnings that can repeat many times a second.
 */
#ifndef AIS_EXEC_LOGSYS_H
#define AIS_EXEC_LOGSYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ais_config.h"

/** Start logging to stderr (info) and the blackbox before the config is read. */
void logsys_init(const char *ident);

/**
 * Apply the logging { } section: targets, levels, timestamps, per-subsystem
 * debug. Returns 0 or -errno with the reason in err (a log file that cannot
 * be opened).
 */
int logsys_configure(const struct ais_config *cfg, char *err, size_t errlen);

/** Refresh the formats in a forked child (they carry the pid). */
void logsys_after_fork(void);

/** Turn the stderr target off (after daemonizing, unless to_stderr). */
void logsys_stderr_off(void);

/**
 * Dump the blackbox to path on SIGSEGV, SIGBUS, SIGABRT, SIGILL and SIGFPE,
 * then die of the signal. path is copied.
 */
void logsys_crash_handlers_install(const char *path);

/** Write the blackbox now; 0 or -errno. */
int logsys_blackbox_write(const char *path);

/** Flush and stop (stops the log thread, closes files). */
void logsys_fini(void);

/** A token bucket for noisy warnings: at most burst messages per interval. */
struct logsys_ratelimit {
	uint64_t interval_us;
	uint32_t burst;
	uint64_t window_start_us;
	uint32_t in_window;
	uint64_t suppressed;   /**< dropped since the last allowed message */
};

#define LOGSYS_RATELIMIT_INIT(interval_ms, burst_) \
	{ .interval_us = (uint64_t)(interval_ms) * 1000, .burst = (burst_) }

/**
 * True when a message may be logged now. *ret_suppressed (may be NULL) gets
 * how many were held back since the last allowed one, so the caller can say so.
 */
bool logsys_ratelimit_ok(struct logsys_ratelimit *rl, uint64_t now_us, uint64_t *ret_suppressed);

/** Monotonic microseconds (for rate limits and scheduling checks). */
uint64_t logsys_now_us(void);

#endif
