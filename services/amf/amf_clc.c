/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * AMF component life cycle (see amf_clc.h for the contract).
 *
 * Every process we care about is one record (struct amf_clc_proc): a child
 * we spawned, or a process the engine asked us to watch. A record carries at
 * most one job (the command being run, with its timer and done callback) and
 * any number of watches. When the process is gone the record is taken out
 * of the loop and the context first, then the job and the watches are told,
 * so their callbacks may freely start or stop other work.
 *
 * Our children are reaped only by pid (waitpid(pid, WNOHANG)), never with
 * waitpid(-1): other code in the daemon may have children of its own.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <ais/ipc.h>
#include <ais/log.h>

#include "amf_clc.h"

AIS_LOG_SUBSYS("AMF");

struct amf_clc_proc {
	struct amf_clc *clc;
	pid_t pid;
	int pidfd;                    /**< -1 without pidfds */
	bool child;                   /**< spawned by us: must be reaped */
	const struct amf_comp *comp;  /**< for children: the component of the command */
	enum amf_clc_op op;           /**< for children: the command */
	struct amf_clc_job *job;
	struct amf_clc_watch *watches;
	struct amf_clc_proc *next;
};

struct amf_clc_job {
	struct amf_clc *clc;
	struct amf_clc_proc *proc;    /**< NULL when the spawn failed */
	const struct amf_comp *comp;
	enum amf_clc_op op;
	amf_clc_done_fn done;
	void *ctx;
	uint64_t timer;
	bool timer_set;
	bool timed_out;
	int spawn_err;
	uint64_t start_ns;
	struct amf_clc_job *next;     /**< in clc->failed while a spawn failure waits to be reported */
	char dn[AMF_DN_MAX + 1];
};

struct amf_clc_watch {
	struct amf_clc_proc *proc;
	const struct amf_comp *comp;
	amf_clc_death_fn death;
	void *ctx;
	struct amf_clc_watch *next;
};

/** The process group of a component's last instantiate command. */
struct amf_clc_group {
	const struct amf_comp *comp;
	pid_t pgid;
	struct amf_clc_group *next;
};

struct amf_clc {
	const struct ais_api *api;
	bool pidfd;
	struct amf_clc_proc *procs;
	struct amf_clc_job *failed;
	struct amf_clc_group *groups;
	bool sig_set;
	uint64_t sig;
	bool poll_set;
	uint64_t poll;
};

static const char *const keep_env[] = {
	"PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "TMPDIR", "XDG_RUNTIME_DIR", AIS_INSTANCE_ENV,
};

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int pidfd_open_sys(pid_t pid)
{
#ifdef SYS_pidfd_open
	long r = syscall(SYS_pidfd_open, pid, 0);

	return r < 0 ? -errno : (int)r;
#else
	(void)pid;
	return -ENOSYS;
#endif
}

static int pidfd_kill(int pidfd, pid_t pid, int sig)
{
#ifdef SYS_pidfd_send_signal
	if (pidfd >= 0)
		return syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0 ? -errno : 0;
#endif
	(void)pidfd;
	return kill(pid, sig) < 0 ? -errno : 0;
}

const char *amf_clc_op_name(enum amf_clc_op op)
{
	switch (op) {
	case AMF_CLC_INSTANTIATE:
		return "instantiate";
	case AMF_CLC_TERMINATE:
		return "terminate";
	case AMF_CLC_CLEANUP:
		return "cleanup";
	}
	return "?";
}

static const struct amf_clc_cmd *comp_cmd(const struct amf_comp *comp, enum amf_clc_op op)
{
	switch (op) {
	case AMF_CLC_INSTANTIATE:
		return &comp->instantiate;
	case AMF_CLC_TERMINATE:
		return &comp->terminate;
	case AMF_CLC_CLEANUP:
		return &comp->cleanup;
	}
	return NULL;
}

/* ---- process records ---- */

static void proc_unlink(struct amf_clc_proc *p)
{
	struct amf_clc_proc **pp;

	for (pp = &p->clc->procs; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	if (p->pidfd >= 0) {
		(void)p->clc->api->fd_del(p->pidfd);
		close(p->pidfd);
		p->pidfd = -1;
	}
}

static bool any_nonchild(const struct amf_clc *clc)
{
	for (const struct amf_clc_proc *p = clc->procs; p; p = p->next)
		if (!p->child)
			return true;
	return false;
}

static void job_stop_timer(struct amf_clc_job *job)
{
	if (job->timer_set) {
		job->clc->api->timer_del(job->timer);
		job->timer_set = false;
	}
}

static void job_report(struct amf_clc_job *job, struct amf_clc_outcome *out)
{
	uint64_t ms;

	out->duration_ms = (now_ns() - job->start_ns) / 1000000u;
	ms = out->duration_ms;
	switch (out->result) {
	case AMF_CLC_EXITED:
		ais_log(out->exit_status == 0 ? LOG_INFO : LOG_WARNING,
			"%s: %s command (pid %d) exited with status %d after %llu ms", job->dn,
			amf_clc_op_name(job->op), (int)out->pid, out->exit_status, (unsigned long long)ms);
		break;
	case AMF_CLC_SIGNALED:
		ais_log(LOG_WARNING, "%s: %s command (pid %d) killed by signal %d after %llu ms", job->dn,
			amf_clc_op_name(job->op), (int)out->pid, out->term_signal, (unsigned long long)ms);
		break;
	case AMF_CLC_TIMEOUT:
		ais_log(LOG_WARNING, "%s: %s command (pid %d) timed out; its group was killed, %llu ms after start",
			job->dn, amf_clc_op_name(job->op), (int)out->pid, (unsigned long long)ms);
		break;
	case AMF_CLC_SPAWN_FAILED:
		ais_log(LOG_ERR, "%s: %s command could not be started: %s", job->dn, amf_clc_op_name(job->op),
			strerror(out->err));
		break;
	}
	job->done(job, out, job->ctx);
	free(job);
}

static void group_forget(struct amf_clc *clc, const struct amf_comp *comp)
{
	struct amf_clc_group **gp = &clc->groups;

	while (*gp) {
		if ((*gp)->comp == comp) {
			struct amf_clc_group *g = *gp;

			*gp = g->next;
			free(g);
		} else {
			gp = &(*gp)->next;
		}
	}
}

/* The process of p is gone; status is valid when have_status. p is freed. */
static void proc_gone(struct amf_clc_proc *p, bool have_status, int status)
{
	struct amf_clc *clc = p->clc;
	struct amf_clc_job *job = p->job;
	struct amf_clc_watch *w;
	struct amf_clc_death death = { .pid = p->pid, .have_status = have_status };

	proc_unlink(p);
	p->job = NULL;
	if (have_status) {
		death.signaled = WIFSIGNALED(status);
		death.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
		death.term_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	}
	if (job) {
		struct amf_clc_outcome out = { .pid = p->pid };

		job_stop_timer(job);
		job->proc = NULL;
		if (job->timed_out) {
			out.result = AMF_CLC_TIMEOUT;
			out.term_signal = death.term_signal;
		} else if (death.signaled) {
			out.result = AMF_CLC_SIGNALED;
			out.term_signal = death.term_signal;
		} else {
			out.result = AMF_CLC_EXITED;
			out.exit_status = death.exit_status;
		}
		if (job->op == AMF_CLC_CLEANUP) {
			(void)amf_clc_kill(clc, job->comp);
			group_forget(clc, job->comp);
		}
		job_report(job, &out);
	}
	while ((w = p->watches) != NULL) {
		p->watches = w->next;
		w->death(w, &death, w->ctx);
		free(w);
	}
	free(p);
	if (clc->poll_set && !any_nonchild(clc)) {
		clc->api->timer_del(clc->poll);
		clc->poll_set = false;
	}
}

/* A dead process its parent has not reaped yet counts as gone. */
static bool pid_is_zombie(pid_t pid)
{
	char path[32], buf[512];
	const char *rp;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	rp = strrchr(buf, ')');
	return rp && rp[1] == ' ' && rp[2] == 'Z';
}

/* Check one process; true when it was gone (and p freed). */
static bool proc_check(struct amf_clc_proc *p)
{
	int status = 0;
	pid_t r;

	if (p->child) {
		do {
			r = waitpid(p->pid, &status, WNOHANG);
		} while (r < 0 && errno == EINTR);
		if (r == 0)
			return false;
		proc_gone(p, r == p->pid, status);
		return true;
	}
	if ((kill(p->pid, 0) == 0 || errno != ESRCH) && !pid_is_zombie(p->pid))
		return false;
	proc_gone(p, false, 0);
	return true;
}

static int pidfd_dispatch(int fd, int revents, void *data)
{
	struct amf_clc_proc *p = data;

	(void)fd;
	(void)revents;
	if (p->child) {
		(void)proc_check(p);
	} else {
		/* readable pidfd: the process has exited */
		proc_gone(p, false, 0);
	}
	return 0;
}

/* Fallback: check every record of the given kind until none changes. */
static void procs_check(struct amf_clc *clc, bool children)
{
	bool again;

	do {
		again = false;
		for (struct amf_clc_proc *p = clc->procs; p; p = p->next) {
			if (p->child == children && proc_check(p)) {
				again = true;
				break;
			}
		}
	} while (again);
}

static int sigchld_dispatch(int sig, void *data)
{
	(void)sig;
	procs_check(data, true);
	return 0;
}

static void poll_arm(struct amf_clc *clc);

static void poll_timer(void *data)
{
	struct amf_clc *clc = data;

	clc->poll_set = false;
	procs_check(clc, false);
	poll_arm(clc);
}

static void poll_arm(struct amf_clc *clc)
{
	if (clc->pidfd || clc->poll_set || !any_nonchild(clc))
		return;
	if (clc->api->timer_add(AMF_CLC_POLL_MS, poll_timer, clc, &clc->poll) == 0)
		clc->poll_set = true;
}

/* Create a record for pid; with pidfds the pidfd is opened and polled. */
static int proc_new(struct amf_clc *clc, pid_t pid, bool child, struct amf_clc_proc **ret)
{
	struct amf_clc_proc *p = calloc(1, sizeof(*p));
	int fd, r;

	if (!p)
		return -ENOMEM;
	p->clc = clc;
	p->pid = pid;
	p->child = child;
	p->pidfd = -1;
	if (clc->pidfd) {
		fd = pidfd_open_sys(pid);
		if (fd < 0) {
			free(p);
			return fd;
		}
		r = clc->api->fd_add(fd, POLLIN, pidfd_dispatch, p);
		if (r < 0) {
			close(fd);
			free(p);
			return r;
		}
		p->pidfd = fd;
	} else if (!child && kill(pid, 0) < 0 && errno == ESRCH) {
		free(p);
		return -ESRCH;
	}
	p->next = clc->procs;
	clc->procs = p;
	*ret = p;
	return 0;
}

static struct amf_clc_proc *proc_find(struct amf_clc *clc, pid_t pid)
{
	for (struct amf_clc_proc *p = clc->procs; p; p = p->next)
		if (p->pid == pid)
			return p;
	return NULL;
}

/* ---- context ---- */

struct amf_clc *amf_clc_new(const struct ais_api *api, unsigned flags)
{
	struct amf_clc *clc = calloc(1, sizeof(*clc));
	int fd;

	if (!clc)
		return NULL;
	clc->api = api;
	if (!(flags & AMF_CLC_NO_PIDFD)) {
		fd = pidfd_open_sys(getpid());
		if (fd >= 0) {
			close(fd);
			clc->pidfd = true;
		}
	}
	if (!clc->pidfd) {
		if (api->signal_add(SIGCHLD, sigchld_dispatch, clc, &clc->sig) != 0) {
			free(clc);
			return NULL;
		}
		clc->sig_set = true;
		ais_log(LOG_INFO, "component processes are watched through SIGCHLD (no pidfd_open)");
	}
	return clc;
}

bool amf_clc_uses_pidfd(const struct amf_clc *clc)
{
	return clc->pidfd;
}

unsigned amf_clc_tracked(const struct amf_clc *clc)
{
	unsigned n = 0;

	for (const struct amf_clc_proc *p = clc->procs; p; p = p->next)
		n++;
	return n;
}

void amf_clc_free(struct amf_clc *clc)
{
	struct amf_clc_proc *p;
	struct amf_clc_job *job;
	struct amf_clc_watch *w;

	if (!clc)
		return;
	while ((job = clc->failed) != NULL) {
		clc->failed = job->next;
		job_stop_timer(job);
		free(job);
	}
	while ((p = clc->procs) != NULL) {
		proc_unlink(p);
		if (p->job) {
			job_stop_timer(p->job);
			free(p->job);
		}
		while ((w = p->watches) != NULL) {
			p->watches = w->next;
			free(w);
		}
		if (p->child) {
			(void)kill(-p->pid, SIGKILL);
			(void)kill(p->pid, SIGKILL);
			while (waitpid(p->pid, NULL, 0) < 0 && errno == EINTR)
				;
		}
		free(p);
	}
	while (clc->groups)
		group_forget(clc, clc->groups->comp);
	if (clc->poll_set)
		clc->api->timer_del(clc->poll);
	if (clc->sig_set)
		clc->api->signal_del(clc->sig);
	free(clc);
}

/* ---- running commands ---- */

static int env_add(char **env, size_t *n, size_t max, const char *entry)
{
	size_t klen = strcspn(entry, "=");
	char *copy;

	if (entry[klen] != '=' || klen == 0)
		return 0; /* not NAME=value: skipped */
	copy = strdup(entry);
	if (!copy)
		return -ENOMEM;
	for (size_t i = 0; i < *n; i++) {
		if (strncmp(env[i], entry, klen + 1) == 0) {
			free(env[i]);
			env[i] = copy;
			return 0;
		}
	}
	if (*n >= max) {
		free(copy);
		return -ENOMEM;
	}
	env[(*n)++] = copy;
	return 0;
}

static void env_free(char **env)
{
	if (!env)
		return;
	for (size_t i = 0; env[i]; i++)
		free(env[i]);
	free(env);
}

static char **env_build(const struct amf_comp *comp, const char *dn)
{
	size_t max = sizeof(keep_env) / sizeof(keep_env[0]) + 1 + comp->env.n;
	char **env = calloc(max + 1, sizeof(char *));
	size_t n = 0;
	char buf[AMF_DN_MAX + sizeof(AMF_CLC_COMP_NAME_ENV) + 2];

	if (!env)
		return NULL;
	for (size_t i = 0; i < sizeof(keep_env) / sizeof(keep_env[0]); i++) {
		const char *v = getenv(keep_env[i]);
		char *e;

		if (!v && strcmp(keep_env[i], "PATH") == 0)
			v = DEFAULT_PATH;
		if (!v)
			continue;
		e = malloc(strlen(keep_env[i]) + strlen(v) + 2);
		if (!e)
			goto out_free;
		sprintf(e, "%s=%s", keep_env[i], v);
		env[n++] = e;
	}
	snprintf(buf, sizeof(buf), "%s=%s", AMF_CLC_COMP_NAME_ENV, dn);
	if (env_add(env, &n, max, buf) < 0)
		goto out_free;
	for (size_t i = 0; i < comp->env.n; i++)
		if (env_add(env, &n, max, comp->env.v[i]) < 0)
			goto out_free;
	return env;
out_free:
	env_free(env);
	return NULL;
}

static void close_fds_action(posix_spawn_file_actions_t *fa)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
	(void)posix_spawn_file_actions_addclosefrom_np(fa, 3);
#else
	long max = sysconf(_SC_OPEN_MAX);

	if (max < 0 || max > 65536)
		max = 65536;
	for (int fd = 3; fd < (int)max; fd++) {
		int fl = fcntl(fd, F_GETFD);

		if (fl >= 0 && !(fl & FD_CLOEXEC))
			(void)posix_spawn_file_actions_addclose(fa, fd);
	}
#endif
}

/* Start argv; 0 and *ret_pid, or a positive errno. */
static int spawn(char *const *argv, char *const *env, pid_t *ret_pid)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t mask, def;
	int r;

	if (posix_spawn_file_actions_init(&fa) != 0)
		return ENOMEM;
	if (posix_spawnattr_init(&at) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return ENOMEM;
	}
	r = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (r != 0)
		goto out;
	close_fds_action(&fa);
	sigemptyset(&mask);
	sigfillset(&def);
	sigdelset(&def, SIGKILL);
	sigdelset(&def, SIGSTOP);
	(void)posix_spawnattr_setsigmask(&at, &mask);
	(void)posix_spawnattr_setsigdefault(&at, &def);
	r = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSID);
	if (r != 0)
		goto out;
	if (strchr(argv[0], '/'))
		r = posix_spawn(ret_pid, argv[0], &fa, &at, argv, env);
	else
		r = posix_spawnp(ret_pid, argv[0], &fa, &at, argv, env);
	if (r == ENOEXEC) {
		/* a script without a #! line: the one case a shell is used */
		size_t n = 0;
		char **shv;

		while (argv[n])
			n++;
		shv = calloc(n + 2, sizeof(char *));
		if (!shv) {
			r = ENOMEM;
			goto out;
		}
		shv[0] = (char *)"/bin/sh";
		memcpy(shv + 1, argv, n * sizeof(char *));
		r = posix_spawn(ret_pid, "/bin/sh", &fa, &at, shv, env);
		free(shv);
	}
out:
	posix_spawnattr_destroy(&at);
	posix_spawn_file_actions_destroy(&fa);
	return r;
}

static void job_timeout(void *data)
{
	struct amf_clc_job *job = data;

	job->timer_set = false;
	if (!job->proc) {
		/* a spawn failure waiting to be reported */
		struct amf_clc_job **jp;
		struct amf_clc_outcome out = { .result = AMF_CLC_SPAWN_FAILED, .err = job->spawn_err };

		for (jp = &job->clc->failed; *jp; jp = &(*jp)->next) {
			if (*jp == job) {
				*jp = job->next;
				break;
			}
		}
		job_report(job, &out);
		return;
	}
	job->timed_out = true;
	ais_log(LOG_WARNING, "%s: %s command (pid %d) did not end in time: killing its process group", job->dn,
		amf_clc_op_name(job->op), (int)job->proc->pid);
	(void)kill(-job->proc->pid, SIGKILL);
	(void)pidfd_kill(job->proc->pidfd, job->proc->pid, SIGKILL);
	/* reported when reaped */
}

int amf_clc_run(struct amf_clc *clc, const struct amf_comp *comp, enum amf_clc_op op, uint64_t timeout_ms,
		amf_clc_done_fn done, void *ctx, struct amf_clc_job **ret_job)
{
	const struct amf_clc_cmd *cmd;
	struct amf_clc_job *job;
	struct amf_clc_proc *p;
	char **env;
	pid_t pid = 0;
	int r;

	if (op != AMF_CLC_INSTANTIATE && op != AMF_CLC_TERMINATE && op != AMF_CLC_CLEANUP)
		return -EINVAL;
	cmd = comp_cmd(comp, op);
	if (!cmd->path || cmd->argv.n == 0)
		return -ENOENT;
	job = calloc(1, sizeof(*job));
	if (!job)
		return -ENOMEM;
	if (amf_comp_dn(comp, job->dn, sizeof(job->dn)) < 0) {
		free(job);
		return -EINVAL;
	}
	job->clc = clc;
	job->comp = comp;
	job->op = op;
	job->done = done;
	job->ctx = ctx;
	job->start_ns = now_ns();
	if (timeout_ms == 0)
		timeout_ms = cmd->timeout_ms ? cmd->timeout_ms : comp->default_clccli_timeout_ms;
	env = env_build(comp, job->dn);
	if (!env) {
		free(job);
		return -ENOMEM;
	}
	r = spawn(cmd->argv.v, env, &pid);
	env_free(env);
	if (r != 0) {
		/* reported from the loop, like every other result */
		job->spawn_err = r;
		if (clc->api->timer_add(0, job_timeout, job, &job->timer) != 0) {
			free(job);
			return -ENOMEM;
		}
		job->timer_set = true;
		job->next = clc->failed;
		clc->failed = job;
		if (ret_job)
			*ret_job = job;
		return 0;
	}
	r = proc_new(clc, pid, true, &p);
	if (r < 0) {
		/* cannot watch it: do not leave it running unwatched */
		(void)kill(-pid, SIGKILL);
		(void)kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
		free(job);
		return r;
	}
	p->comp = comp;
	p->op = op;
	p->job = job;
	job->proc = p;
	r = clc->api->timer_add(timeout_ms > UINT32_MAX ? UINT32_MAX : (uint32_t)timeout_ms, job_timeout, job, &job->timer);
	if (r != 0) {
		/* no timeout, no command: it is killed and reaped from the loop */
		(void)kill(-pid, SIGKILL);
		(void)pidfd_kill(p->pidfd, pid, SIGKILL);
		p->job = NULL;
		free(job);
		return r < 0 ? r : -ENOMEM;
	}
	job->timer_set = true;
	if (op == AMF_CLC_INSTANTIATE) {
		struct amf_clc_group *g = malloc(sizeof(*g));

		group_forget(clc, comp);
		if (g) {
			g->comp = comp;
			g->pgid = pid;
			g->next = clc->groups;
			clc->groups = g;
		}
	}
	ais_log(LOG_INFO, "%s: %s command started: pid %d, %s, timeout %llu ms", job->dn, amf_clc_op_name(op),
		(int)pid, cmd->argv.v[0], (unsigned long long)timeout_ms);
	if (ret_job)
		*ret_job = job;
	return 0;
}

pid_t amf_clc_job_pid(const struct amf_clc_job *job)
{
	return job->proc ? job->proc->pid : 0;
}

/* Take the job off its record (or the failed list) and free it. */
static void job_drop(struct amf_clc_job *job)
{
	struct amf_clc_job **jp;

	job_stop_timer(job);
	if (job->proc) {
		job->proc->job = NULL;
	} else {
		for (jp = &job->clc->failed; *jp; jp = &(*jp)->next) {
			if (*jp == job) {
				*jp = job->next;
				break;
			}
		}
	}
	free(job);
}

void amf_clc_detach(struct amf_clc_job *job)
{
	if (job->proc)
		ais_log(LOG_DEBUG, "%s: %s command (pid %d) detached: it keeps running, watched", job->dn,
			amf_clc_op_name(job->op), (int)job->proc->pid);
	job_drop(job);
}

void amf_clc_cancel(struct amf_clc_job *job)
{
	if (job->proc) {
		ais_log(LOG_INFO, "%s: %s command (pid %d) cancelled: killing its process group", job->dn,
			amf_clc_op_name(job->op), (int)job->proc->pid);
		(void)kill(-job->proc->pid, SIGKILL);
		(void)pidfd_kill(job->proc->pidfd, job->proc->pid, SIGKILL);
	}
	job_drop(job);
}

/* ---- watching ---- */

int amf_clc_watch(struct amf_clc *clc, const struct amf_comp *comp, pid_t pid, amf_clc_death_fn death, void *ctx,
		  struct amf_clc_watch **ret_watch)
{
	struct amf_clc_proc *p;
	struct amf_clc_watch *w;
	int r;

	if (pid <= 0)
		return -EINVAL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	p = proc_find(clc, pid);
	if (!p) {
		r = proc_new(clc, pid, false, &p);
		if (r < 0) {
			free(w);
			return r;
		}
		poll_arm(clc);
	}
	w->proc = p;
	w->comp = comp;
	w->death = death;
	w->ctx = ctx;
	w->next = p->watches;
	p->watches = w;
	if (ret_watch)
		*ret_watch = w;
	return 0;
}

void amf_clc_unwatch(struct amf_clc_watch *watch)
{
	struct amf_clc_proc *p = watch->proc;
	struct amf_clc_watch **wp;
	bool linked = false;

	for (struct amf_clc_proc *q = p->clc->procs; q; q = q->next)
		linked |= q == p;
	for (wp = &p->watches; *wp; wp = &(*wp)->next) {
		if (*wp == watch) {
			*wp = watch->next;
			break;
		}
	}
	free(watch);
	/* a record being reported (not linked) is freed by its reporter */
	if (linked && !p->child && !p->watches) {
		struct amf_clc *clc = p->clc;

		proc_unlink(p);
		free(p);
		if (clc->poll_set && !any_nonchild(clc)) {
			clc->api->timer_del(clc->poll);
			clc->poll_set = false;
		}
	}
}

int amf_clc_kill(struct amf_clc *clc, const struct amf_comp *comp)
{
	int n = 0;
	char dn[AMF_DN_MAX + 1] = "?";

	(void)amf_comp_dn(comp, dn, sizeof(dn));
	for (struct amf_clc_group *g = clc->groups; g; g = g->next) {
		if (g->comp == comp && kill(-g->pgid, SIGKILL) == 0) {
			ais_log(LOG_INFO, "%s: killed process group %d", dn, (int)g->pgid);
			n++;
		}
	}
	for (struct amf_clc_proc *p = clc->procs; p; p = p->next) {
		bool mine = p->child && p->comp == comp && p->op != AMF_CLC_CLEANUP;

		for (struct amf_clc_watch *w = p->watches; w && !mine; w = w->next)
			mine = w->comp == comp;
		if (mine && pidfd_kill(p->pidfd, p->pid, SIGKILL) == 0) {
			ais_log(LOG_INFO, "%s: killed process %d", dn, (int)p->pid);
			n++;
		}
	}
	return n;
}
