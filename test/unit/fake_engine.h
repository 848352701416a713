/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A fake service engine for client library unit tests: a forked process
 * running a real libqb IPC server under the name the client core connects
 * to, with the test's message handlers. The test's requests and events go
 * through libqb exactly as with the daemon.
 */
#ifndef AIS_TEST_FAKE_ENGINE_H
#define AIS_TEST_FAKE_ENGINE_H

#include <qb/qbipcs.h>

/**
 * Fork the server "ais-<instance>-<service>" and return once it accepts
 * connections. The instance is "<prefix><pid of the test process>" and is
 * put into $AIS_INSTANCE, so the libraries of this process connect to it.
 * handlers->connection_accept may be NULL (every client accepted). The
 * handlers run in the child; the child exits when stopped.
 */
void fake_engine_start(const char *service, const char *prefix, const struct qb_ipcs_service_handlers *handlers);

/** Kill and reap the server (no-op when none runs). */
void fake_engine_stop(void);

#endif
