/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Logging inside the executive (and the totem library): one libqb log
 * subsystem per .c file, declared once at the top of the file with
 * AIS_LOG_SUBSYS("NAME"). Every message carries the subsystem as a libqb tag
 * bit, so the daemon prints it ("%g" in the log format) and filters levels
 * per subsystem (logging { logger_subsys { subsys: NAME debug: on } }).
 *
 * Client libraries (lib/) never log above debug and do not use this header.
 */
#ifndef AIS_LOG_H
#define AIS_LOG_H

#include <stdint.h>
#include <syslog.h>
#include <qb/qblog.h>

/** Most subsystems one process can name (tag bits). */
#define AIS_LOG_SUBSYS_MAX 32

/**
 * The tag bit of subsystem name, registering it on first use. Thread-safe.
 * Past AIS_LOG_SUBSYS_MAX names every further name shares the last bit.
 */
uint32_t ais_log_subsys_tag(const char *name);

/** The name registered for a tag set (the lowest bit wins), or "MAIN". */
const char *ais_log_subsys_name(uint32_t tags);

/** Index (0..AIS_LOG_SUBSYS_MAX-1) of a registered name, or -ENOENT. */
int ais_log_subsys_index(const char *name);

#define AIS_LOG_SUBSYS(name) static const char ais_log_subsys_[] = name

#define ais_log(prio, fmt, ...) \
	qb_logt(prio, ais_log_subsys_tag(ais_log_subsys_), fmt, ##__VA_ARGS__)

#endif
