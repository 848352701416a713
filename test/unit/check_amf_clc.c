/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the AMF component life cycle (amf_clc.h) with a real libqb
 * main loop and real processes: commands that exit, fail, are missing,
 * overrun their timeout (also while ignoring SIGTERM), leave a grandchild
 * behind for cleanup to kill, check their environment and descriptors, and
 * watched processes (our own children and strangers) that die. Every test
 * checks that no descriptor and no child is left over. Each test runs with
 * pidfds and again with the SIGCHLD fallback (loop index 1).
 *
 * The model comes from a small amf.conf text whose clccli_path is a
 * temporary directory holding the test scripts.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <qb/qbloop.h>
#include <qb/qbutil.h>

#include "amf_clc.h"
#include "amf_config.h"

#define LIMIT_MS 5000 /* generous bound for anything to be reported */

struct fixture {
	char dir[64];
	qb_loop_t *loop;
	struct amf_clc *clc;
	struct amf_cluster *model;
	struct amf_comp *comp;
	int fds_before;
	/* results */
	int done_count;
	struct amf_clc_outcome out;
	int death_count;
	struct amf_clc_death death;
	bool expired;
};

static struct fixture fx;

/* The part of the executive's api the life cycle uses, on the test's loop. */
static int t_timer_add(uint32_t ms, void (*fn)(void *data), void *data, uint64_t *ret_handle)
{
	qb_loop_timer_handle h;
	int32_t r = qb_loop_timer_add(fx.loop, QB_LOOP_MED, (uint64_t)ms * QB_TIME_NS_IN_MSEC, data, fn, &h);

	if (r != 0)
		return r < 0 ? r : -ENOMEM;
	*ret_handle = h;
	return 0;
}

static void t_timer_del(uint64_t handle)
{
	(void)qb_loop_timer_del(fx.loop, handle);
}

static int t_fd_add(int fd, int events, int (*fn)(int fd, int revents, void *data), void *data)
{
	return qb_loop_poll_add(fx.loop, QB_LOOP_HIGH, fd, events, data, fn);
}

static int t_fd_del(int fd)
{
	return qb_loop_poll_del(fx.loop, fd);
}

static int t_signal_add(int sig, int (*fn)(int sig, void *data), void *data, uint64_t *ret_handle)
{
	qb_loop_signal_handle h = NULL;
	int32_t r = qb_loop_signal_add(fx.loop, QB_LOOP_HIGH, sig, data, fn, &h);

	if (r != 0)
		return r < 0 ? r : -EINVAL;
	*ret_handle = (uint64_t)(uintptr_t)h;
	return 0;
}

static void t_signal_del(uint64_t handle)
{
	(void)qb_loop_signal_del(fx.loop, (qb_loop_signal_handle)(uintptr_t)handle);
}

static const struct ais_api test_api = {
	.abi_version = AIS_SERVICE_ABI_VERSION,
	.timer_add = t_timer_add,
	.timer_del = t_timer_del,
	.fd_add = t_fd_add,
	.fd_del = t_fd_del,
	.signal_add = t_signal_add,
	.signal_del = t_signal_del,
};

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1; /* the directory's own descriptor */
}

static void write_script(const char *name, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fx.dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
	ck_assert_int_eq(chmod(path, 0755), 0);
}

/* The pid a test script wrote to dir/name. */
static pid_t read_pid_file(const char *name)
{
	char path[128], buf[32] = "";
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", fx.dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ck_assert_int_gt(n, 0);
	return (pid_t)atoi(buf);
}

/*
 * Build a model with one component whose instantiate, terminate and cleanup
 * are inst, term, clean (command and arguments; NULL: not configured).
 */
static void on_diag(void *ctx, enum amf_diag_severity sev, const char *file, unsigned line, const char *msg)
{
	(void)ctx;
	if (sev == AMF_DIAG_ERROR)
		fprintf(stderr, "%s:%u: %s\n", file, line, msg);
}

static void model_build(const char *inst, const char *term, const char *clean)
{
	char conf[4096];
	int n, r;
	const char *cmds[3] = { inst, term, clean };
	const char *names[3] = { "Instantiate", "Terminate", "Cleanup" };

	n = snprintf(conf, sizeof(conf),
		     "safAmfCluster = c {\n"
		     " safAmfNode = n1 {\n  saAmfNodeClmNode = n1\n }\n"
		     " safApp = a {\n  clccli_path = %s\n"
		     "  safSg = g {\n   saAmfSGRedundancyModel = noredundancy\n"
		     "   safSu = u {\n    saAmfSUHostedByNode = n1\n"
		     "    safComp = x {\n     saAmfCompCategory = sa_aware\n"
		     "     saAmfCompCapability = 1_active\n"
		     "     saAmfCompCmdEnv {\n      FOO=bar baz\n      PATH=/usr/bin:/bin:/amfclc-test\n     }\n",
		     fx.dir);
	for (int i = 0; i < 3; i++) {
		char cmd[256];
		const char *sp;

		if (!cmds[i])
			continue;
		sp = strchr(cmds[i], ' ');
		if (sp) {
			snprintf(cmd, sizeof(cmd), "%.*s", (int)(sp - cmds[i]), cmds[i]);
			n += snprintf(conf + n, sizeof(conf) - (size_t)n,
				      "     saAmfComp%sCmd = %s\n     saAmfComp%sCmdArgv = %s\n", names[i], cmd,
				      names[i], sp + 1);
		} else {
			n += snprintf(conf + n, sizeof(conf) - (size_t)n, "     saAmfComp%sCmd = %s\n", names[i],
				      cmds[i]);
		}
	}
	n += snprintf(conf + n, sizeof(conf) - (size_t)n, "    }\n   }\n  }\n }\n}\n");
	ck_assert_int_lt(n, (int)sizeof(conf));
	r = amf_config_parse_mem(conf, (size_t)n, "test", on_diag, NULL, NULL, NULL, &fx.model);
	ck_assert_int_eq(r, 0);
	fx.comp = fx.model->apps->sgs->sus->comps;
	ck_assert_ptr_nonnull(fx.comp);
}

static void setup_mode(unsigned flags)
{
	memset(&fx, 0, sizeof(fx));
	fx.fds_before = count_fds();
	snprintf(fx.dir, sizeof(fx.dir), "/tmp/amfclc.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(fx.dir));
	fx.loop = qb_loop_create();
	ck_assert_ptr_nonnull(fx.loop);
	fx.clc = amf_clc_new(&test_api, flags);
	ck_assert_ptr_nonnull(fx.clc);
	if (flags & AMF_CLC_NO_PIDFD)
		ck_assert(!amf_clc_uses_pidfd(fx.clc));
}

/* Free everything and check that no descriptor and no child is left. */
static void teardown_check(void)
{
	char cmd[128];
	int st;

	amf_clc_free(fx.clc);
	qb_loop_destroy(fx.loop);
	amf_cluster_free(fx.model);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fx.dir);
	/* system() is ours: its child is reaped before it returns */
	ck_assert_int_eq(system(cmd), 0);
	errno = 0;
	ck_assert_int_eq(waitpid(-1, &st, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
	ck_assert_int_eq(count_fds(), fx.fds_before);
}

static void on_done(struct amf_clc_job *job, const struct amf_clc_outcome *out, void *ctx)
{
	(void)job;
	(void)ctx;
	fx.done_count++;
	fx.out = *out;
	qb_loop_stop(fx.loop);
}

static void on_death(struct amf_clc_watch *w, const struct amf_clc_death *d, void *ctx)
{
	(void)w;
	(void)ctx;
	fx.death_count++;
	fx.death = *d;
	qb_loop_stop(fx.loop);
}

static void on_expire(void *data)
{
	(void)data;
	fx.expired = true;
	qb_loop_stop(fx.loop);
}

/* Run the loop until *count reaches want or ms pass; true when reached. */
static bool run_until(const int *count, int want, unsigned ms)
{
	qb_loop_timer_handle t;

	fx.expired = false;
	ck_assert_int_eq(qb_loop_timer_add(fx.loop, QB_LOOP_LOW, (uint64_t)ms * QB_TIME_NS_IN_MSEC, NULL, on_expire,
					   &t),
			 0);
	while (*count < want && !fx.expired)
		qb_loop_run(fx.loop);
	if (!fx.expired)
		(void)qb_loop_timer_del(fx.loop, t);
	return *count >= want;
}

/* Run the loop for ms (to see that nothing more happens). */
static void run_for(unsigned ms)
{
	int never = 0;

	(void)run_until(&never, 1, ms);
}

static bool untracked(void)
{
	for (int i = 0; i < LIMIT_MS / 20 && amf_clc_tracked(fx.clc) > 0; i++)
		run_for(20);
	return amf_clc_tracked(fx.clc) == 0;
}

static unsigned mode_flags(int i)
{
	return i == 1 ? AMF_CLC_NO_PIDFD : 0;
}

/* ---- tests ---- */

START_TEST(test_exit_status)
{
	struct amf_clc_job *job = NULL;

	setup_mode(mode_flags(_i));
	model_build("/bin/true", "/bin/false", NULL);
	ck_assert_int_eq(amf_clc_run(fx.clc, fx.comp, AMF_CLC_INSTANTIATE, 0, on_done, NULL, &job), 0);
	ck_assert_int_gt(amf_clc_job_pid(job), 0);
	ck_assert_int_eq(fx.done_count, 0); /* never from inside the call */
	ck_assert(run_until(&fx.done_count, 1, LIMIT_MS));
	ck_assert_int_eq(fx.out.result, AMF_CLC_EXITED);
	ck_assert_int_eq(fx.out.exit_status, 0);

	ck_assert_int_eq(amf_clc_run(fx.clc, fx.comp, AMF_CLC_TERMINATE, 0, on_done, NULL, NULL), 0);
	ck_assert(run_until(&fx.done_count, 2, LIMIT_MS));
	ck_assert_int_eq(fx.out.result, AMF_CLC_EXITED);
	ck_assert_int_eq(fx.out.exit_status, 1);
	ck_assert(untracked());
	teardown_check();
}
END_TEST

START_TEST(test_missing_command)
{
	setup_mode(mode_flags(_i));
	model_build("no-such-program", "/bin/true", NULL);
	ck_assert_int_eq(amf_clc_run(fx.clc, fx.comp, AMF_CLC_INSTANTIATE, 0, on_done, NULL, NULL), 0);
	ck_assert_int_eq(fx.done_count, 0);
	ck_assert(run_until(&fx.done_count, 1, LIMIT_MS));
	ck_assert_int_eq(fx.out.result, AMF_CLC_SPAWN_FAILED);
	ck_assert_int_eq(fx.out.err, ENOENT);
	ck_assert_int_eq(fx.out.pid, 0);
	/* not configured */
	ck_assert_int_eq(amf_clc_run(fx.clc, fx.comp, AMF_CLC_CLEANUP, 0, on_done, NULL, NULL), -ENOENT);
	ck_assert_int_eq(amf_clc_run(fx.clc, fx.comp, (enum amf_clc_op)9, 0, on_done, NULL, NULL), -EINVAL);
	/* a spawn failure cancelled before it is reported */
	{
		struct amf_clc_job *job;

		ck_assert_int_eq(amf_clc_run(fx.clc, fx.comp, AMF_CLC_INSTANTIATE, 0, on_done, NULL, &job), 0);
		amf_clc_cancel(job);
		run_for(50);
		ck_assert_int_eq(fx.done_count, 1);
	}
	teardown_check();
}
END_TEST

START_TEST(test_timeout_kills_group)
{
	char path[128];
	pid_t grandchild;

	setup_mode(mode_flags(_i));
	/* ignores SIGTERM and has a grandchild in its group */
	write_script("stubborn", "#!/bin/sh\ntrap '' TERM\nsleep 30 &\necho $! > \"$1\"\nwait\n");
	snprintf(path, sizeof(path), "stubborn %s/gc.pid", fx.dir);
	model_build(path, NULL, NULL);
	ck_assert_int_eq(amf_clc_run(fx.clc, fx.comp, AMF_CLC_INSTANTIATE, 300, on_done, NULL, NULL), 0);
	ck_assert(run_until(&fx.done_count, 1, LIMIT_MS));
	ck_assert_int_eq(fx.out.result, AMF_CLC_TIMEOUT);
	ck_assert_int_eq(fx.out.term_signal, SIGKILL);
	ck_assert_uint_ge(fx.out.duration_ms, 300);
	grandchild = read_pid_file("gc.pid");
	ck_assert_int_gt(grandchild, 1);
	/* the grandchild got SIGKILL with its group: gone (or a zombie of init) */
	for (int i = 0; i < LIMIT_MS / 20; i++) {
		char stat[64], line[256] = "";
		FILE *f;

		snprintf(stat, sizeof(stat), "/proc/%d/stat", (int)grandchild);
		f = fopen(stat, "r");
		if (!f)
			break;
		(void)!fgets(line, sizeof(line), f);
		fclose(f);
		if (strstr(line, ") Z "))
			break;
		ck_assert_int_lt(i, LIMIT_MS / 20 - 1);
		usleep(20000);
	}
	ck_assert(untracked());
	teardown_check();
}
END_TEST

START_TEST(test_environment_and_fds)
{
	char path[128], text[4096] = "", expect[512];
	FILE *f;
	size_t n;
	int stray, fd;

	setup_mode(mode_flags(_i));
	write_script("envdump", "#!/bin/sh\nenv > \"$1\"\nls /proc/self/fd > \"$1.fd\"\n"
				"read line && echo stdin-has-data >> \"$1\"\nexit 0\n");
	snprintf(path, sizeof(path), "envdump %s/env.out", fx.dir);
	model_build(path, NULL, NULL);
	ck_assert_int_eq(setenv("AMF_CLC_TEST_PRIVATE", "leak", 1), 0);
	ck_assert_int_eq(setenv("AIS_INSTANCE", "n7", 1), 0);
	/* a descriptor without FD_CLOEXEC must not reach the command */
	fd = open("/dev/null", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	stray = dup2(fd, 77);
	ck_assert_int_eq(stray, 77);
	close(fd);
	ck_assert_int_eq(amf_clc_run(fx.clc, fx.comp, AMF_CLC_INSTANTIATE, 0, on_done, NULL, NULL), 0);
	ck_assert(run_until(&fx.done_count, 1, LIMIT_MS));
	close(stray);
	ck_assert_int_eq(fx.out.result, AMF_CLC_EXITED);
	ck_assert_int_eq(fx.out.exit_status, 0);

	snprintf(path, sizeof(path), "%s/env.out", fx.dir);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	ck_assert_ptr_nonnull(strstr(text, "SA_AMF_COMPONENT_NAME=safComp=x,safSu=u,safSg=g,safApp=a\n"));
	ck_assert_ptr_nonnull(strstr(text, "FOO=bar baz\n"));
	/* saAmfCompCmdEnv replaces the inherited PATH */
	ck_assert_ptr_nonnull(strstr(text, "PATH=/usr/bin:/bin:/amfclc-test\n"));
	ck_assert_ptr_null(strstr(strstr(text, "PATH=") + 5, "\nPATH="));
	ck_assert_ptr_nonnull(strstr(text, "AIS_INSTANCE=n7\n"));
	ck_assert_ptr_null(strstr(text, "AMF_CLC_TEST_PRIVATE"));
	ck_assert_ptr_null(strstr(text, "stdin-has-data"));

	snprintf(path, sizeof(path), "%s/env.out.fd", fx.dir);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	snprintf(expect, sizeof(expect), "\n%d\n", stray);
	ck_assert_ptr_null(strstr(text, expect));
	ck_assert_ptr_nonnull(strstr(text, "0\n1\n2\n"));
	teardown_check();
}
END_TEST

START_TEST(test_script_without_interpreter_line)
{
	char path[128];

	setup_mode(mode_flags(_i));
	write_script("plain", "echo ran > \"$1\"\nexit 3\n");
	snprintf(path, sizeof(path), "plain %s/plain.out", fx.dir);
	model_build(path, NULL, NULL);
	ck_assert_int_eq(amf_clc_run(fx.clc, fx.comp, AMF_CLC_INSTANTIATE, 0, on_done, NULL, NULL), 0);
	ck_assert(run_until(&fx.done_count, 1, LIMIT_MS));
	ck_assert_int_eq(fx.out.result, AMF_CLC_EXITED);
	ck_assert_int_eq(fx.out.exit_status, 3);
	snprintf(path, sizeof(path), "%s/plain.out", fx.dir);
	ck_assert_int_eq(access(path, F_OK), 0);
	teardown_check();
}
END_TEST

START_TEST(test_cleanup_kills_instantiated_group)
{
	char path[128];
	pid_t gc;
	int st;

	setup_mode(mode_flags(_i));
	/* orphans land with us, so we can see how the grandchild ended */
	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
	write_script("daemonize", "#!/bin/sh\nsleep 30 &\necho $! > \"$1\"\nexit 0\n");
	snprintf(path, sizeof(path), "daemonize %s/d.pid", fx.dir);
	model_build(path, "/bin/true", "/bin/true");
	ck_assert_int_eq(amf_clc_run(fx.clc, fx.comp, AMF_CLC_INSTANTIATE, 0, on_done, NULL, NULL), 0);
	ck_assert(run_until(&fx.done_count, 1, LIMIT_MS));
	ck_assert_int_eq(fx.out.result, AMF_CLC_EXITED);
	ck_assert_int_eq(fx.out.exit_status, 0);
	gc = read_pid_file("d.pid");
	ck_assert_int_eq(waitpid(gc, &st, WNOHANG), 0); /* still running after instantiate */

	/* terminate with a command that does nothing leaves it running */
	ck_assert_int_eq(amf_clc_run(fx.clc, fx.comp, AMF_CLC_TERMINATE, 0, on_done, NULL, NULL), 0);
	ck_assert(run_until(&fx.done_count, 2, LIMIT_MS));
	ck_assert_int_eq(waitpid(gc, &st, WNOHANG), 0);

	/* cleanup kills the whole group of the instantiate command */
	ck_assert_int_eq(amf_clc_run(fx.clc, fx.comp, AMF_CLC_CLEANUP, 0, on_done, NULL, NULL), 0);
	ck_assert(run_until(&fx.done_count, 3, LIMIT_MS));
	ck_assert_int_eq(fx.out.result, AMF_CLC_EXITED);
	ck_assert_int_eq(waitpid(gc, &st, 0), gc); /* SIGKILL is prompt */
	ck_assert(WIFSIGNALED(st));
	ck_assert_int_eq(WTERMSIG(st), SIGKILL);
	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0), 0);
	teardown_check();
}
END_TEST

START_TEST(test_watch_own_child)
{
	struct amf_clc_job *job = NULL;
	struct amf_clc_watch *w = NULL;
	pid_t pid;

	setup_mode(mode_flags(_i));
	model_build("/bin/sleep 30", NULL, NULL);
	ck_assert_int_eq(amf_clc_run(fx.clc, fx.comp, AMF_CLC_INSTANTIATE, 0, on_done, NULL, &job), 0);
	pid = amf_clc_job_pid(job);
	ck_assert_int_gt(pid, 0);
	/* registered: the engine stops the command's timer and watches the process */
	ck_assert_int_eq(amf_clc_watch(fx.clc, fx.comp, pid, on_death, NULL, &w), 0);
	amf_clc_detach(job);
	run_for(100);
	ck_assert_int_eq(fx.death_count, 0);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert(run_until(&fx.death_count, 1, LIMIT_MS));
	ck_assert_int_eq(fx.death.pid, pid);
	ck_assert(fx.death.have_status);
	ck_assert(fx.death.signaled);
	ck_assert_int_eq(fx.death.term_signal, SIGTERM);
	run_for(200);
	ck_assert_int_eq(fx.death_count, 1); /* once */
	ck_assert_int_eq(fx.done_count, 0);  /* detached: never reported */
	ck_assert_uint_eq(amf_clc_tracked(fx.clc), 0);
	teardown_check();
}
END_TEST

/* A process that is not our child: a grandchild whose parent exited. */
static pid_t start_stranger(void)
{
	int p[2], st;
	pid_t a, b = 0;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	a = fork();
	ck_assert_int_ge(a, 0);
	if (a == 0) {
		b = fork();
		if (b == 0) {
			close(p[0]);
			close(p[1]);
			execl("/bin/sleep", "sleep", "30", (char *)NULL);
			_exit(127);
		}
		(void)!write(p[1], &b, sizeof(b));
		_exit(0);
	}
	close(p[1]);
	ck_assert_int_eq(read(p[0], &b, sizeof(b)), (ssize_t)sizeof(b));
	close(p[0]);
	ck_assert_int_eq(waitpid(a, &st, 0), a);
	return b;
}

START_TEST(test_watch_stranger)
{
	struct amf_clc_watch *w1 = NULL, *w2 = NULL;
	pid_t pid;

	setup_mode(mode_flags(_i));
	model_build("/bin/true", NULL, NULL);
	pid = start_stranger();
	ck_assert_int_eq(amf_clc_watch(fx.clc, fx.comp, pid, on_death, NULL, &w1), 0);
	/* a second watch, removed again: only the first reports */
	ck_assert_int_eq(amf_clc_watch(fx.clc, fx.comp, pid, on_death, NULL, &w2), 0);
	amf_clc_unwatch(w2);
	ck_assert_uint_eq(amf_clc_tracked(fx.clc), 1);
	run_for(100);
	ck_assert_int_eq(fx.death_count, 0);
	/* amf_clc_kill reaches watched processes of the component */
	ck_assert_int_eq(amf_clc_kill(fx.clc, fx.comp), 1);
	ck_assert(run_until(&fx.death_count, 1, LIMIT_MS));
	ck_assert_int_eq(fx.death.pid, pid);
	ck_assert(!fx.death.have_status);
	run_for(200);
	ck_assert_int_eq(fx.death_count, 1);
	ck_assert_uint_eq(amf_clc_tracked(fx.clc), 0);
	/* gone (reaped by init): refused */
	for (int i = 0; i < LIMIT_MS / 20 && kill(pid, 0) == 0; i++)
		usleep(20000);
	ck_assert_int_eq(amf_clc_watch(fx.clc, fx.comp, pid, on_death, NULL, NULL), -ESRCH);
	ck_assert_int_eq(amf_clc_watch(fx.clc, fx.comp, 0, on_death, NULL, NULL), -EINVAL);
	teardown_check();
}
END_TEST

START_TEST(test_cancel_and_free_while_running)
{
	struct amf_clc_job *job = NULL;

	setup_mode(mode_flags(_i));
	model_build("/bin/sleep 30", "/bin/sleep 30", NULL);
	ck_assert_int_eq(amf_clc_run(fx.clc, fx.comp, AMF_CLC_INSTANTIATE, 0, on_done, NULL, &job), 0);
	amf_clc_cancel(job);
	ck_assert(untracked()); /* killed and reaped from the loop */
	ck_assert_int_eq(fx.done_count, 0);
	/* still running at free: killed and reaped there, never reported */
	ck_assert_int_eq(amf_clc_run(fx.clc, fx.comp, AMF_CLC_TERMINATE, 0, on_done, NULL, NULL), 0);
	ck_assert_int_eq(amf_clc_watch(fx.clc, fx.comp, getppid(), on_death, NULL, NULL), 0);
	ck_assert_uint_eq(amf_clc_tracked(fx.clc), 2);
	run_for(50);
	teardown_check();
	ck_assert_int_eq(fx.done_count, 0);
	ck_assert_int_eq(fx.death_count, 0);
}
END_TEST

static Suite *amf_clc_suite(void)
{
	Suite *s = suite_create("amf_clc");
	TCase *tc = tcase_create("clc");

	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_exit_status, 0, 2);
	tcase_add_loop_test(tc, test_missing_command, 0, 2);
	tcase_add_loop_test(tc, test_timeout_kills_group, 0, 2);
	tcase_add_loop_test(tc, test_environment_and_fds, 0, 2);
	tcase_add_loop_test(tc, test_script_without_interpreter_line, 0, 2);
	tcase_add_loop_test(tc, test_cleanup_kills_instantiated_group, 0, 2);
	tcase_add_loop_test(tc, test_watch_own_child, 0, 2);
	tcase_add_loop_test(tc, test_watch_stranger, 0, 2);
	tcase_add_loop_test(tc, test_cancel_and_free_while_running, 0, 2);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(amf_clc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
