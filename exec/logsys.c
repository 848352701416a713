/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libqb logging for aisexec (see logsys.h). Levels are applied by one filter
 * function over every callsite (qb_log_filter_fn_set): a callsite goes to a
 * target when its priority is within that target's level, where the level is
 * raised to debug (or trace) for subsystems named in logger_subsys blocks.
 * The subsystem is printed from the callsite's tag bits ("%g").
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <ais/inject.h>
#include <ais/log.h>

#include "logsys.h"

#define LOGSYS_BLACKBOX_SIZE (4 * 1024 * 1024)

static struct {
	int32_t file_target;      /**< -1 when no log file */
	bool to_stderr, to_syslog, to_file;
	uint8_t level;            /**< LOG_INFO, LOG_DEBUG or LOG_TRACE */
	size_t subsys_count;
	char subsys[AIS_CONFIG_SUBSYS_MAX][AIS_CONFIG_SUBSYS_NAME_MAX + 1];
	uint8_t subsys_level[AIS_CONFIG_SUBSYS_MAX];
	char crash_path[AIS_CONFIG_PATH_MAX + 1];
	bool timestamp, hires, fileline;
} logsys = {
	.file_target = -1,
	.to_stderr = true,
	.level = LOG_INFO,
};

static const char *logsys_tags_stringify(uint32_t tags)
{
	return ais_log_subsys_name(tags);
}

static uint8_t logsys_level_for(uint32_t tags)
{
	const char *name = ais_log_subsys_name(tags);

	for (size_t i = 0; i < logsys.subsys_count; i++) {
		if (strcasecmp(logsys.subsys[i], name) == 0) {
			return logsys.subsys_level[i];
		}
	}
	return logsys.level;
}

static void logsys_filter(struct qb_log_callsite *cs)
{
	uint8_t level = logsys_level_for(cs->tags);
	bool wanted = cs->priority <= level;

	cs->targets = 0;
	if (logsys.to_stderr && wanted) {
		qb_bit_set(cs->targets, QB_LOG_STDERR);
	}
	if (logsys.to_syslog && wanted) {
		qb_bit_set(cs->targets, QB_LOG_SYSLOG);
	}
	if (logsys.to_file && logsys.file_target >= 0 && wanted) {
		qb_bit_set(cs->targets, logsys.file_target);
	}
	/* the blackbox keeps debug from everyone, for post-mortems */
	if (cs->priority <= (level > LOG_DEBUG ? level : LOG_DEBUG)) {
		qb_bit_set(cs->targets, QB_LOG_BLACKBOX);
	}
}

static void logsys_formats_set(bool timestamp, bool hires, bool fileline)
{
	char fmt[96];
	const char *ts = !timestamp ? "" : hires ? "%T " : "%t ";

	logsys.timestamp = timestamp;
	logsys.hires = hires;
	logsys.fileline = fileline;
	snprintf(fmt, sizeof(fmt), "%s%%N[%%P] [%%-6g] %%-7p %s%%b", ts, fileline ? "%f:%l " : "");
	qb_log_format_set(QB_LOG_STDERR, fmt);
	if (logsys.file_target >= 0) {
		qb_log_format_set(logsys.file_target, fmt);
	}
	qb_log_format_set(QB_LOG_BLACKBOX, "%T [%-6g] %-7p %f:%l %b");
	qb_log_format_set(QB_LOG_SYSLOG, fileline ? "[%g] %f:%l %b" : "[%g] %b");
}

void logsys_init(const char *ident)
{
	qb_log_init(ident, LOG_DAEMON, LOG_INFO);
	qb_log_tags_stringify_fn_set(logsys_tags_stringify);
	qb_log_ctl(QB_LOG_SYSLOG, QB_LOG_CONF_ENABLED, QB_FALSE);
	qb_log_ctl(QB_LOG_STDERR, QB_LOG_CONF_ENABLED, QB_TRUE);
	qb_log_ctl(QB_LOG_BLACKBOX, QB_LOG_CONF_SIZE, LOGSYS_BLACKBOX_SIZE);
	qb_log_ctl(QB_LOG_BLACKBOX, QB_LOG_CONF_ENABLED, QB_TRUE);
	/* qb_log_init adds a priority filter for syslog; the filter function owns levels from here */
	qb_log_filter_ctl(QB_LOG_SYSLOG, QB_LOG_FILTER_CLEAR_ALL, QB_LOG_FILTER_FILE, "*", LOG_TRACE);
	logsys_formats_set(true, true, false);
	qb_log_filter_fn_set(logsys_filter);
}

static uint8_t logsys_debug_level(enum ais_log_debug d)
{
	switch (d) {
	case AIS_LOG_DEBUG_ON: return LOG_DEBUG;
	case AIS_LOG_DEBUG_TRACE: return LOG_TRACE;
	case AIS_LOG_DEBUG_OFF: break;
	}
	return LOG_INFO;
}

int logsys_configure(const struct ais_config *cfg, char *err, size_t errlen)
{
	logsys.to_stderr = cfg->logging.to_stderr;
	logsys.to_syslog = cfg->logging.to_syslog;
	logsys.to_file = cfg->logging.to_logfile;
	logsys.level = logsys_debug_level(cfg->logging.debug);
	logsys.subsys_count = 0;
	for (size_t i = 0; i < cfg->logging.subsys_count && i < AIS_CONFIG_SUBSYS_MAX; i++) {
		snprintf(logsys.subsys[i], sizeof(logsys.subsys[i]), "%s", cfg->logging.subsys[i].subsys);
		logsys.subsys_level[i] = logsys_debug_level(cfg->logging.subsys[i].debug);
		logsys.subsys_count++;
	}
	if (logsys.file_target >= 0) {
		qb_log_file_close(logsys.file_target);
		logsys.file_target = -1;
	}
	if (logsys.to_file) {
		const char *path = cfg->logging.logfile != NULL ? cfg->logging.logfile : AIS_CONFIG_LOGFILE_DEFAULT;
		int32_t t = qb_log_file_open(path);
		if (t < 0) {
			snprintf(err, errlen, "cannot open log file %s: %s", path, strerror(-t));
			return t;
		}
		logsys.file_target = t;
		qb_log_ctl(t, QB_LOG_CONF_ENABLED, QB_TRUE);
	}
	if (logsys.to_syslog) {
		qb_log_ctl(QB_LOG_SYSLOG, QB_LOG_CONF_FACILITY, cfg->logging.syslog_facility);
	}
	qb_log_ctl(QB_LOG_SYSLOG, QB_LOG_CONF_ENABLED, logsys.to_syslog ? QB_TRUE : QB_FALSE);
	qb_log_ctl(QB_LOG_STDERR, QB_LOG_CONF_ENABLED, logsys.to_stderr ? QB_TRUE : QB_FALSE);
	qb_log_ctl(QB_LOG_BLACKBOX, QB_LOG_CONF_ENABLED, cfg->logging.blackbox ? QB_TRUE : QB_FALSE);
	logsys_formats_set(cfg->logging.timestamp != AIS_LOG_TIMESTAMP_OFF,
			   cfg->logging.timestamp == AIS_LOG_TIMESTAMP_HIRES, cfg->logging.fileline);
	/* re-evaluate every callsite against the new levels */
	qb_log_filter_fn_set(logsys_filter);
	return 0;
}

void logsys_after_fork(void)
{
	/* libqb evaluates %P when the format is set */
	logsys_formats_set(logsys.timestamp, logsys.hires, logsys.fileline);
}

void logsys_stderr_off(void)
{
	logsys.to_stderr = false;
	qb_log_ctl(QB_LOG_STDERR, QB_LOG_CONF_ENABLED, QB_FALSE);
	qb_log_filter_fn_set(logsys_filter);
}

static void logsys_crash_handler(int sig)
{
	if (logsys.crash_path[0] != '\0') {
		(void)qb_log_blackbox_write_to_file(logsys.crash_path);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

void logsys_crash_handlers_install(const char *path)
{
	static const int sigs[] = { SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE };
	struct sigaction sa;

	snprintf(logsys.crash_path, sizeof(logsys.crash_path), "%s", path);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = logsys_crash_handler;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		sigaction(sigs[i], &sa, NULL);
	}
}

int logsys_blackbox_write(const char *path)
{
	ssize_t n = ais_inject_syscall(AIS_INJECT_WRITE) ? -errno : qb_log_blackbox_write_to_file(path);

	return n < 0 ? (int)n : 0;
}

void logsys_fini(void)
{
	qb_log_fini();
	logsys.file_target = -1;
}

bool logsys_ratelimit_ok(struct logsys_ratelimit *rl, uint64_t now_us, uint64_t *ret_suppressed)
{
	if (rl->window_start_us == 0 || now_us - rl->window_start_us >= rl->interval_us) {
		rl->window_start_us = now_us != 0 ? now_us : 1;
		rl->in_window = 0;
	}
	if (rl->in_window >= rl->burst) {
		rl->suppressed++;
		return false;
	}
	rl->in_window++;
	if (ret_suppressed != NULL) {
		*ret_suppressed = rl->suppressed;
	}
	rl->suppressed = 0;
	return true;
}

uint64_t logsys_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
