/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Allocation and system-call failure injection, the way SQLite and libqb
 * reach their out-of-memory and I/O-error paths in tests. Code on the request
 * and frame paths allocates through ais_malloc()/ais_calloc()/ais_realloc()/
 * ais_strdup() and guards its system calls with ais_inject_syscall(); both
 * ask the injector (exec/totem/inject.c) whether this call should fail.
 *
 * Only code compiled with AIS_FAULT_INJECTION asks: without it (the normal
 * build) the wrappers are the libc calls and ais_inject_syscall() is a
 * constant false, so nothing is left in the object code. The injector itself
 * is in every build (it is small) so that tests can compile a module with
 * the define and link it against the ordinary libraries.
 *
 * A module compiled once for both kinds of build (the *_common libraries
 * of exec/, exec/totem/ and services/) is compiled with AIS_INJECT_NO_POINTS:
 * the wrappers below are not declared then, so an injection point added to
 * it fails to compile instead of silently never failing in aisexec-inject.
 *
 * Rules come from a text specification, in the daemon the AIS_INJECT
 * environment variable read once at start:
 *
 *     POINT:KEY=VALUE[,KEY=VALUE...][;POINT:...]
 *
 * POINT is alloc, sendmsg, recvmsg, ipc_send or write; KEY is one of
 *   nth=N     fail the N-th call only (1 = the first)
 *   from=N    fail the N-th call and every later one
 *   every=N   fail every N-th call
 *   prob=P    fail each call with probability P (0 < P <= 1)
 *   seed=S    seed of the generator prob uses (default 1)
 *   errno=E   the error a failed system call reports (a name such as
 *             ENOBUFS or a number); allocations always fail with ENOMEM
 *   ready     count calls only once the daemon is up (ais_inject_ready())
 * e.g. "alloc:prob=0.01,seed=3;sendmsg:every=10".
 *
 * Not thread-safe by design: the daemon's request and frame paths all run on
 * its main loop thread; counting on another thread only blurs "the N-th".
 */
#ifndef AIS_INJECT_H
#define AIS_INJECT_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum ais_inject_point {
	AIS_INJECT_ALLOC = 0,    /**< heap allocation (ais_malloc and friends) */
	AIS_INJECT_SENDMSG = 1,  /**< a UDP frame sent (default error ENOBUFS) */
	AIS_INJECT_RECVMSG = 2,  /**< a UDP receive call, up to NET_RX_BATCH frames (default ENOMEM) */
	AIS_INJECT_IPC_SEND = 3, /**< a response or event to a client (default EAGAIN) */
	AIS_INJECT_WRITE = 4,    /**< a file write: ringseq, pid file, blackbox (default ENOSPC) */
	AIS_INJECT_POINTS = 5,
};

struct ais_inject_stats {
	uint64_t calls;  /**< calls counted at this point */
	uint64_t failed; /**< of which were made to fail */
};

/**
 * Replace every rule with those of spec (NULL or "" removes them all) and
 * reset the counters. 0, or -EINVAL with a reason in err (the old rules are
 * kept then).
 */
int ais_inject_configure(const char *spec, char *err, size_t errlen);

/** Remove every rule and reset the counters. */
void ais_inject_reset(void);

/** True when some rule is set. */
bool ais_inject_active(void);

/** Start counting for the rules marked "ready" (the daemon is up). */
void ais_inject_ready(void);

/** Counters of one point since the last configure or reset. */
struct ais_inject_stats ais_inject_stats(enum ais_inject_point point);

/** The name of a point ("alloc", ...). */
const char *ais_inject_point_name(enum ais_inject_point point);

/**
 * Count one call at point and decide whether it fails; when it does, errno
 * is set to the rule's error. Called through the wrappers below.
 */
bool ais_inject_check(enum ais_inject_point point);

#ifndef AIS_INJECT_NO_POINTS
#ifdef AIS_FAULT_INJECTION
/*
 * Weak, so that a program which compiles one module with injection but does
 * not link the injector (the unit test of that module, in a tree configured
 * with --enable-fault-injection) links and simply never fails a call.
 */
#pragma weak ais_inject_check
#define ais_inject_fail(point) (ais_inject_check != NULL && ais_inject_check(point))
#else
#define ais_inject_fail(point) false
#endif

/** Guard for a system call: true (errno set) when it must fail instead. */
#define ais_inject_syscall(point) ais_inject_fail(point)

static inline void *ais_malloc(size_t size)
{
	return ais_inject_fail(AIS_INJECT_ALLOC) ? NULL : malloc(size);
}

static inline void *ais_calloc(size_t n, size_t size)
{
	return ais_inject_fail(AIS_INJECT_ALLOC) ? NULL : calloc(n, size);
}

/** Like realloc(): on failure ptr is left as it was. */
static inline void *ais_realloc(void *ptr, size_t size)
{
	return ais_inject_fail(AIS_INJECT_ALLOC) ? NULL : realloc(ptr, size);
}

static inline char *ais_strdup(const char *s)
{
	return ais_inject_fail(AIS_INJECT_ALLOC) ? NULL : strdup(s);
}
#endif /* !AIS_INJECT_NO_POINTS */

#endif
