/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AMF component life cycle: running a component's CLC-CLI commands
 * (instantiate, terminate, cleanup) as child processes of the daemon, and
 * watching component processes so their death is known at once.
 *
 * Commands are started with posix_spawn (no shell in between: a script runs
 * through its own #! line, and only a file the kernel refuses as ENOEXEC is
 * handed to /bin/sh), in a new session (its own process group, so the whole
 * tree can be killed), with stdin on /dev/null, every descriptor above 2
 * closed, the signal mask emptied and every signal at its default action.
 * Processes are watched with pidfds polled by the libqb main loop; where
 * pidfd_open is missing, SIGCHLD (qb_loop_signal_add) with waitpid(WNOHANG)
 * on each of our own children is used, plus a short poll timer for watched
 * processes that are not our children. Nothing here ever blocks the loop,
 * except amf_clc_free, which waits for the children it has just killed with
 * SIGKILL (shutdown only).
 *
 * This module knows nothing of registration, healthchecks or recovery: the
 * engine decides what a result means (AIS-API section 3: a non-zero exit,
 * a signal, a timeout or a spawn failure of instantiate is an instantiation
 * failure; so is a component that does not register within the instantiate
 * timeout, which the engine enforces by keeping the job running until the
 * registration arrives and then calling amf_clc_detach).
 *
 * Threading: every function runs in the thread of the loop given to
 * amf_clc_new. Callbacks run from that loop, never from inside the call that
 * started the job or the watch.
 */
#ifndef AIS_AMF_CLC_H
#define AIS_AMF_CLC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <ais/service.h>

#include "amf_model.h"

/** Environment variable carrying the component's distinguished name. */
#define AMF_CLC_COMP_NAME_ENV "SA_AMF_COMPONENT_NAME"

/** Milliseconds between liveness checks of watched non-children without pidfds. */
#define AMF_CLC_POLL_MS 100

/** The CLC-CLI commands. */
enum amf_clc_op {
	AMF_CLC_INSTANTIATE = 0,
	AMF_CLC_TERMINATE = 1,
	AMF_CLC_CLEANUP = 2,
};

/** How a command ended. */
enum amf_clc_result {
	AMF_CLC_EXITED = 0,       /**< exited; status in exit_status */
	AMF_CLC_SIGNALED = 1,     /**< killed by signal term_signal */
	AMF_CLC_TIMEOUT = 2,      /**< ran past its timeout; its group got SIGKILL and it was reaped */
	AMF_CLC_SPAWN_FAILED = 3, /**< could not be started; error in err (positive errno) */
};

/** Outcome of a command, given to amf_clc_done_fn. */
struct amf_clc_outcome {
	enum amf_clc_result result;
	pid_t pid;               /**< 0 when the spawn failed */
	int exit_status;         /**< AMF_CLC_EXITED: the exit status */
	int term_signal;         /**< AMF_CLC_SIGNALED, AMF_CLC_TIMEOUT: the signal that ended it */
	int err;                 /**< AMF_CLC_SPAWN_FAILED: errno */
	uint64_t duration_ms;    /**< from start to report */
};

/** How a watched process ended, given to amf_clc_death_fn. */
struct amf_clc_death {
	pid_t pid;
	bool have_status;        /**< false for a process that is not our child (no status can be had) */
	bool signaled;           /**< have_status: killed by term_signal, else exited with exit_status */
	int exit_status;
	int term_signal;
};

struct amf_clc;
struct amf_clc_job;
struct amf_clc_watch;

/**
 * A command ended. The job is freed when this returns; do not use it again.
 * The callback may start, cancel or detach other jobs and add or remove
 * watches, but must not call amf_clc_free.
 */
typedef void (*amf_clc_done_fn)(struct amf_clc_job *job, const struct amf_clc_outcome *out, void *ctx);

/**
 * A watched process died. Called once; the watch is freed when this returns
 * (do not unwatch it). Same rules as amf_clc_done_fn.
 */
typedef void (*amf_clc_death_fn)(struct amf_clc_watch *watch, const struct amf_clc_death *death, void *ctx);

/** Options for amf_clc_new. */
enum amf_clc_flags {
	AMF_CLC_NO_PIDFD = 0x1, /**< use the SIGCHLD fallback even where pidfd_open works */
};

/**
 * Create the life-cycle context on the main loop of api (timers, descriptor
 * watches and signals go through it; not owned). flags: enum amf_clc_flags.
 * @return the context, or NULL when out of memory.
 */
struct amf_clc *amf_clc_new(const struct ais_api *api, unsigned flags);

/**
 * Free the context: cancel every job and watch without calling back, kill
 * the process group of every child still running with SIGKILL and reap it
 * (this waits, briefly, for the killed children: call it at shutdown only).
 * Removes every descriptor, timer and signal handler from the loop. NULL is fine.
 */
void amf_clc_free(struct amf_clc *clc);

/** True when processes are watched with pidfds, false for the SIGCHLD fallback. */
bool amf_clc_uses_pidfd(const struct amf_clc *clc);

/**
 * Run a CLC-CLI command of comp: its argv from the model (comp->instantiate,
 * ->terminate or ->cleanup, clccli_path already applied), in a new session,
 * with the environment PATH, HOME, USER, LOGNAME, LANG, LC_ALL, TZ, TMPDIR,
 * XDG_RUNTIME_DIR and AIS_INSTANCE taken from the daemon (those set; PATH
 * defaults to a standard one), then SA_AMF_COMPONENT_NAME=<comp DN>, then
 * the saAmfCompCmdEnv entries (a later entry replaces an earlier one of the
 * same name). comp must outlive the job.
 *
 * timeout_ms: 0 means the command's configured timeout. When it passes, the
 * command's process group gets SIGKILL and, once reaped, done reports
 * AMF_CLC_TIMEOUT.
 *
 * A CLEANUP also kills, after its command ended (however it ended), what is
 * left of the component: the process group of its last instantiate command
 * and its watched processes (amf_clc_kill).
 *
 * A spawn failure (missing executable, permission) is reported through done
 * like any other result, from the loop.
 *
 * @param ret_job the job, for amf_clc_cancel or amf_clc_detach; may be NULL
 * @return 0, -ENOENT when the component has no such command, -EINVAL for a
 *         bad op or a DN that does not fit, -ENOMEM
 */
int amf_clc_run(struct amf_clc *clc, const struct amf_comp *comp, enum amf_clc_op op, uint64_t timeout_ms,
		amf_clc_done_fn done, void *ctx, struct amf_clc_job **ret_job);

/** The pid of a job's process, or 0 when its spawn failed. */
pid_t amf_clc_job_pid(const struct amf_clc_job *job);

/**
 * Stop caring about a job's result: its timer stops and done is never
 * called; the process keeps running (an instantiate command that is the
 * component itself, now registered). It stays our child: it is reaped when
 * it exits, watches on its pid report its exit status, amf_clc_kill and
 * amf_clc_free kill it. The job handle is gone after this call.
 */
void amf_clc_detach(struct amf_clc_job *job);

/**
 * Cancel a job: its process group gets SIGKILL, done is never called, the
 * process is reaped from the loop when it is gone (watches on its pid see
 * its death). The job handle is gone after this call.
 */
void amf_clc_cancel(struct amf_clc_job *job);

/**
 * Watch a process of comp (the engine takes pid from the credentials of the
 * connection that registered the component). death is called once, promptly,
 * when the process is gone: with its status when it is our child (such as
 * the instantiate command itself), without one otherwise.
 * @return 0, -ESRCH when no such process exists (already gone), -EINVAL for
 *         pid <= 0, -ENOMEM, or another -errno from pidfd_open
 */
int amf_clc_watch(struct amf_clc *clc, const struct amf_comp *comp, pid_t pid, amf_clc_death_fn death, void *ctx,
		  struct amf_clc_watch **ret_watch);

/** Stop a watch without calling back. The handle is gone after this call. */
void amf_clc_unwatch(struct amf_clc_watch *watch);

/**
 * Kill what runs of comp now: SIGKILL to the process group of its last
 * instantiate command (when any member is left) and to every watched
 * process of comp. Deaths are reported to the watches from the loop.
 * For a component without a cleanup command the engine calls this instead.
 * The group is signalled by its id, which the kernel may give to a new
 * group once every member is gone; the record is dropped after a cleanup
 * to keep that window short.
 * @return the number of groups and processes signalled
 */
int amf_clc_kill(struct amf_clc *clc, const struct amf_comp *comp);

/** Name of an op ("instantiate", "terminate", "cleanup"). */
const char *amf_clc_op_name(enum amf_clc_op op);

/** Number of processes (children and watched) currently tracked; for tests and status. */
unsigned amf_clc_tracked(const struct amf_clc *clc);

#endif
