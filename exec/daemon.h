/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Process plumbing of aisexec with no protocol in it: the run directory,
 * the pid file and its lock, daemonizing with a start-up status pipe, and
 * dropping to the configured user and group.
 */
#ifndef AIS_EXEC_DAEMON_H
#define AIS_EXEC_DAEMON_H

#include <stddef.h>

#include "ais_config.h"

/**
 * The run directory: aisexec { rundir } when given; otherwise, as root,
 * AIS_CONFIG_RUNDIR_DEFAULT without an instance and
 * AIS_CONFIG_RUNDIR_DEFAULT/<instance> with one; as another user,
 * $XDG_RUNTIME_DIR/ais[-<instance>] when that is set, else
 * /tmp/ais-<uid>[-<instance>]. Written into buf; 0 or -ENAMETOOLONG.
 */
int daemon_rundir_resolve(const struct ais_config *cfg, const char *instance, char *buf, size_t len);

/** Create the run directory (0700, or 0755 for the shared default) and check
 *  that it belongs to us. 0 or -errno with a reason. */
int daemon_rundir_prepare(const char *dir, char *err, size_t errlen);

/**
 * Take the pid file: open it, take a write lock (fcntl), write our pid. A
 * lock held by a live daemon is -EBUSY with its pid named in err. The fd stays
 * open (and locked) for the life of the process; *ret_fd gets it.
 */
int daemon_pidfile_take(const char *path, int *ret_fd, char *err, size_t errlen);

/**
 * Fork into the background. Returns in the child only (0); the parent waits
 * until the child calls daemon_ready() (exit 0) or exits (its status).
 * -errno if fork failed.
 */
int daemon_detach(void);

/** Tell a waiting parent that start-up succeeded (status 0) or failed. */
void daemon_ready(int status);

/** Point stdin/stdout/stderr at /dev/null (after daemonizing). */
void daemon_stdio_close(void);

/**
 * SCHED_RR at the highest priority for the daemon (aisexec { sched_rr }),
 * with SCHED_RESET_ON_FORK so processes it starts run normally. 0 or
 * -errno (e.g. -EPERM without CAP_SYS_NICE or an RLIMIT_RTPRIO allowance).
 * *ret_prio gets the priority asked for.
 */
int daemon_sched_rr_set(int *ret_prio);

/** Switch to user/group (either may be NULL). 0 or -errno with a reason. */
int daemon_privileges_drop(const char *user, const char *group, const char *rundir,
			   char *err, size_t errlen);

#endif
