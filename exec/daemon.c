/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Run directory, pid file, daemonizing and privilege drop (see daemon.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ais/inject.h>

#include "daemon.h"

static int daemon_status_fd = -1;

int daemon_sched_rr_set(int *ret_prio)
{
	struct sched_param sp = { 0 };

	sp.sched_priority = sched_get_priority_max(SCHED_RR);
	*ret_prio = sp.sched_priority;
	if (sp.sched_priority < 0) {
		return -errno;
	}
	if (sched_setscheduler(0, SCHED_RR | SCHED_RESET_ON_FORK, &sp) < 0) {
		return -errno;
	}
	return 0;
}

int daemon_rundir_resolve(const struct ais_config *cfg, const char *instance, char *buf, size_t len)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	bool inst = instance != NULL && instance[0] != '\0';
	int n;

	if (cfg->aisexec.rundir_set && cfg->aisexec.rundir != NULL) {
		n = snprintf(buf, len, "%s", cfg->aisexec.rundir);
	} else if (geteuid() == 0) {
		n = inst ? snprintf(buf, len, "%s/%s", AIS_CONFIG_RUNDIR_DEFAULT, instance)
			 : snprintf(buf, len, "%s", AIS_CONFIG_RUNDIR_DEFAULT);
	} else if (xdg != NULL && xdg[0] == '/') {
		n = inst ? snprintf(buf, len, "%s/ais-%s", xdg, instance) : snprintf(buf, len, "%s/ais", xdg);
	} else {
		n = inst ? snprintf(buf, len, "/tmp/ais-%u-%s", (unsigned)geteuid(), instance)
			 : snprintf(buf, len, "/tmp/ais-%u", (unsigned)geteuid());
	}
	return (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
}

static int daemon_mkdir_p(const char *dir, mode_t mode)
{
	char tmp[AIS_CONFIG_PATH_MAX + 1];
	int n = snprintf(tmp, sizeof(tmp), "%s", dir);

	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		return -ENAMETOOLONG;
	}
	for (char *p = tmp + 1; *p != '\0'; p++) {
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0755) < 0 && errno != EEXIST) {
				return -errno;
			}
			*p = '/';
		}
	}
	if (mkdir(tmp, mode) < 0 && errno != EEXIST) {
		return -errno;
	}
	return 0;
}

int daemon_rundir_prepare(const char *dir, char *err, size_t errlen)
{
	struct stat st;
	int r = daemon_mkdir_p(dir, 0700);

	if (r < 0) {
		snprintf(err, errlen, "cannot create run directory %s: %s", dir, strerror(-r));
		return r;
	}
	if (lstat(dir, &st) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot stat run directory %s: %s", dir, strerror(errno));
		return r;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & S_IWOTH) != 0) {
		snprintf(err, errlen, "run directory %s must be a directory owned by uid %u and not world-writable",
			 dir, (unsigned)geteuid());
		return -EPERM;
	}
	return 0;
}

int daemon_pidfile_take(const char *path, int *ret_fd, char *err, size_t errlen)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	char buf[32];
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0644);
	struct stat st;
	int r;

	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot open pid file %s: %s", path, strerror(errno));
		return r;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "pid file %s is not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	if (fcntl(fd, F_SETLK, &fl) < 0) {
		r = -errno;
		if (errno == EAGAIN || errno == EACCES) {
			struct flock who = fl;
			(void)fcntl(fd, F_GETLK, &who);
			snprintf(err, errlen, "another aisexec (pid %ld) is running with pid file %s",
				 (long)who.l_pid, path);
			r = -EBUSY;
		} else {
			snprintf(err, errlen, "cannot lock pid file %s: %s", path, strerror(errno));
		}
		close(fd);
		return r;
	}
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ais_inject_syscall(AIS_INJECT_WRITE) || ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
		r = -errno;
		snprintf(err, errlen, "cannot write pid file %s: %s", path, strerror(errno));
		close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

int daemon_detach(void)
{
	int fds[2];
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0) {
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		int r = -errno;
		close(fds[0]);
		close(fds[1]);
		return r;
	}
	if (pid > 0) {
		unsigned char status = 1;
		int wstatus;
		close(fds[1]);
		if (read(fds[0], &status, 1) != 1) {
			/* the child died before reporting: pass on its exit status */
			if (waitpid(pid, &wstatus, 0) == pid && WIFEXITED(wstatus)) {
				_exit(WEXITSTATUS(wstatus) != 0 ? WEXITSTATUS(wstatus) : 1);
			}
			_exit(1);
		}
		_exit(status);
	}
	close(fds[0]);
	daemon_status_fd = fds[1];
	if (setsid() < 0) {
		return -errno;
	}
	if (chdir("/") < 0) {
		return -errno;
	}
	umask(022);
	return 0;
}

void daemon_ready(int status)
{
	unsigned char s = (unsigned char)status;

	if (daemon_status_fd >= 0) {
		(void)!write(daemon_status_fd, &s, 1);
		close(daemon_status_fd);
		daemon_status_fd = -1;
	}
}

void daemon_stdio_close(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		return;
	}
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO) {
		close(fd);
	}
}

int daemon_privileges_drop(const char *user, const char *group, const char *rundir,
			   char *err, size_t errlen)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();

	if (user == NULL && group == NULL) {
		return 0;
	}
	if (user != NULL) {
		struct passwd *pw = getpwnam(user);
		if (pw == NULL) {
			snprintf(err, errlen, "unknown user %s", user);
			return -ENOENT;
		}
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	if (group != NULL) {
		struct group *gr = getgrnam(group);
		if (gr == NULL) {
			snprintf(err, errlen, "unknown group %s", group);
			return -ENOENT;
		}
		gid = gr->gr_gid;
	}
	/* the ring-sequence writer keeps writing into the run directory */
	if (chown(rundir, uid, gid) < 0 && geteuid() == 0) {
		snprintf(err, errlen, "cannot hand %s to uid %u: %s", rundir, (unsigned)uid, strerror(errno));
		return -errno;
	}
	if ((geteuid() == 0 && setgroups(0, NULL) < 0) || setgid(gid) < 0 || setuid(uid) < 0) {
		int r = -errno;
		snprintf(err, errlen, "cannot switch to uid %u gid %u: %s", (unsigned)uid, (unsigned)gid,
			 strerror(errno));
		return r;
	}
	return 0;
}
