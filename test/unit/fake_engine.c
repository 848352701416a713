/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fake engine of fake_engine.h: fork, run a libqb IPC service on a
 * libqb main loop in the child, report readiness through a pipe.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <qb/qbloop.h>

#include <ais/ipc.h>

#include "fake_engine.h"

static pid_t fake_pid;
static qb_loop_t *fake_loop;

static int32_t fake_accept(qb_ipcs_connection_t *c, uid_t uid, gid_t gid)
{
	(void)c;
	(void)uid;
	(void)gid;
	return 0;
}

static int32_t fake_dispatch_add(enum qb_loop_priority p, int32_t fd, int32_t events, void *data,
                                 qb_ipcs_dispatch_fn_t fn)
{
	return qb_loop_poll_add(fake_loop, p, fd, events, data, fn);
}

static int32_t fake_dispatch_mod(enum qb_loop_priority p, int32_t fd, int32_t events, void *data,
                                 qb_ipcs_dispatch_fn_t fn)
{
	return qb_loop_poll_mod(fake_loop, p, fd, events, data, fn);
}

static int32_t fake_dispatch_del(int32_t fd)
{
	return qb_loop_poll_del(fake_loop, fd);
}

static void fake_run(const char *name, const struct qb_ipcs_service_handlers *h, int ready_fd)
{
	struct qb_ipcs_service_handlers handlers = *h;
	struct qb_ipcs_poll_handlers poll_handlers = {
		.dispatch_add = fake_dispatch_add,
		.dispatch_mod = fake_dispatch_mod,
		.dispatch_del = fake_dispatch_del,
	};
	qb_ipcs_service_t *s;
	char ok = 1;

	if (!handlers.connection_accept)
		handlers.connection_accept = fake_accept;
	fake_loop = qb_loop_create();
	s = qb_ipcs_create(name, 0, QB_IPC_NATIVE, &handlers);
	if (!fake_loop || !s)
		_exit(2);
	qb_ipcs_enforce_buffer_size(s, AIS_IPC_MSG_MAX);
	qb_ipcs_poll_handlers_set(s, &poll_handlers);
	if (qb_ipcs_run(s) != 0 || write(ready_fd, &ok, 1) != 1)
		_exit(2);
	close(ready_fd);
	qb_loop_run(fake_loop);
	_exit(0);
}

void fake_engine_start(const char *service, const char *prefix, const struct qb_ipcs_service_handlers *handlers)
{
	char instance[32], name[AIS_IPC_NAME_MAX];
	int fds[2];
	char ok = 0;

	snprintf(instance, sizeof(instance), "%s%d", prefix, (int)getpid());
	setenv(AIS_INSTANCE_ENV, instance, 1);
	snprintf(name, sizeof(name), "ais-%s-%s", instance, service);
	ck_assert_int_eq(pipe(fds), 0);
	fake_pid = fork();
	ck_assert_int_ge(fake_pid, 0);
	if (fake_pid == 0) {
		close(fds[0]);
		fake_run(name, handlers, fds[1]);
	}
	close(fds[1]);
	ck_assert_int_eq(read(fds[0], &ok, 1), 1);
	close(fds[0]);
}

void fake_engine_stop(void)
{
	if (fake_pid > 0) {
		kill(fake_pid, SIGKILL);
		waitpid(fake_pid, NULL, 0);
		fake_pid = 0;
	}
}
