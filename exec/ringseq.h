/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Persistence of the highest totem ring sequence (so a restarted node never
 * reuses a ring id). srp asks for a store from inside the main loop, which
 * must never block on the disk: ringseq_writer_store() only hands the value
 * to a writer thread under a mutex; the thread writes "<seq>\n" to a
 * temporary file, fsyncs it, renames it over the file and fsyncs the
 * directory. Values stored faster than the disk keeps up coalesce to the
 * highest one.
 */
#ifndef AIS_EXEC_RINGSEQ_H
#define AIS_EXEC_RINGSEQ_H

#include <stdint.h>

struct ringseq_writer;

/**
 * Read the stored value. A missing file yields 0 and returns 0; a damaged
 * file returns -EINVAL (the caller decides; the daemon refuses to start).
 */
int ringseq_read(const char *path, uint64_t *ret_seq);

/** Start the writer thread for path. 0 and *ret, or -errno. */
int ringseq_writer_start(const char *path, struct ringseq_writer **ret);

/** Queue seq for writing (ignored unless higher than any value queued). Never blocks on I/O. */
void ringseq_writer_store(struct ringseq_writer *w, uint64_t seq);

/**
 * The highest value written and synced to disk (0 before the first
 * successful write). Never blocks on I/O (the lock is not held while the
 * thread writes). *ret_error, when not NULL: the latest write's result
 * (0, or -errno such as -ENOSPC; a value stored later is tried again).
 */
uint64_t ringseq_writer_durable(struct ringseq_writer *w, int *ret_error);

/**
 * Rings ahead of a durable reservation. The file holds a ceiling: every
 * ring seq this node accepts is below the ceiling on disk, so after a crash
 * the node restarts from the ceiling and cannot reuse a seq. The ceiling is
 * renewed (seq + RINGSEQ_BLOCK) from the writer thread when a seq comes
 * within half a block of it.
 */
#define RINGSEQ_BLOCK 1000

/**
 * May a ring with sequence seq be formed? 0 when seq is below the durable
 * ceiling (a renewal is queued when it gets close); otherwise a renewal
 * is queued and the answer is the last write error, or -EAGAIN while the
 * renewal is still being written. Never blocks on I/O.
 */
int ringseq_writer_reserve(struct ringseq_writer *w, uint64_t seq);

/** Wait until every queued value was written; the last write's result.
 *  Blocks on the disk: for the start only. */
int ringseq_writer_flush(struct ringseq_writer *w);

/** Write what is pending, stop the thread, free. Returns the last write
 *  error (0 when every write succeeded). Accepts NULL. */
int ringseq_writer_stop(struct ringseq_writer *w);

#endif
