/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * History checker: a record of what every node-incarnation sent, delivered
 * and installed, and a checker for the guarantees of extended virtual
 * synchrony (REFERENCE 1.8, DESIGN 5) over that record. The simulator fills
 * a history in memory; daemons' clients write the same events as text, one
 * file per node-incarnation, and histcheck reads them back.
 *
 * Text format, one event per line. Blank lines and lines starting with '#'
 * are ignored. Fields are separated by spaces or tabs. Every event line may
 * start with an optional time stamp "@<microseconds>".
 *
 *   N <nodeid> <incarnation>          the following events belong to this
 *                                     node-incarnation (a restart is a new
 *                                     incarnation with a higher number)
 *   V <microseconds>                  global: every live node must be in one
 *                                     ring of exactly the live nodes by then
 *   S <msgid> A|S <len>               the application accepted a message
 *   D <sender> <msgid> A|S <len> ok|bad
 *                                     delivery; ok = payload checksum matched
 *   C T|R <rep>.<seq> m=<ids> l=<ids> j=<ids>
 *                                     configuration change (transitional or
 *                                     regular), ring id, members, left, joined;
 *                                     ids are comma separated, possibly empty
 *   E crash|leave|end                 the incarnation ended: crashed, left
 *                                     cleanly, or was still running when the
 *                                     run ended after a quiet period (so its
 *                                     log is complete). No E line = crash.
 *
 * A msgid is "<origin>:<incarnation>:<counter>": the node and incarnation
 * that sent it and a per-incarnation counter, all decimal.
 *
 * Properties (hist_property): see hist_check() and test/sim/README.md.
 */
#ifndef AIS_SIM_CHECKER_H
#define AIS_SIM_CHECKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/** Time stamp of an event whose time is not known. */
#define HIST_TIME_NONE UINT64_MAX

enum hist_event_type {
	HIST_EV_SEND = 1,
	HIST_EV_DELIVER = 2,
	HIST_EV_CONFCHG = 3,
	HIST_EV_END = 4,
};

enum hist_guarantee {
	HIST_AGREED = 0,
	HIST_SAFE = 1,
};

enum hist_confchg_type {
	HIST_TRANSITIONAL = 0,
	HIST_REGULAR = 1,
};

enum hist_end_kind {
	HIST_END_NONE = 0,  /**< no E event: treated as a crash */
	HIST_END_CRASH = 1,
	HIST_END_LEAVE = 2,
	HIST_END_END = 3,   /**< alive at the end of a quiesced run */
};

enum hist_property {
	HIST_P_NONE = 0,
	HIST_P_ORDER = 1,      /**< one total order */
	HIST_P_EVS = 2,        /**< configuration sequence and agreement on views */
	HIST_P_SELF = 3,       /**< self-delivery */
	HIST_P_NOLOSS = 4,     /**< no loss among members moving together */
	HIST_P_DUP = 5,        /**< no duplicates */
	HIST_P_SAFE = 6,       /**< safe delivery / failure atomicity */
	HIST_P_RINGSEQ = 7,    /**< ring sequences only increase */
	HIST_P_CONVERGE = 8,   /**< one ring of all live nodes by the deadline */
	HIST_P_INTEGRITY = 9,  /**< checksum, size, sender, never invented */
	HIST_P_COUNT = 10,
};

struct hist_msgid {
	uint32_t origin;
	uint32_t inc;
	uint64_t counter;
};

struct hist_ring {
	uint32_t rep;
	uint64_t seq;
};

struct hist;
struct hist_inc;

/** Empty history; NULL on out-of-memory. */
struct hist *hist_new(void);
/** Free everything. Accepts NULL; returns NULL. */
struct hist *hist_free(struct hist *h);

/**
 * Start the record of one node-incarnation. Returns 0 and writes the record
 * to *ret_inc, -EEXIST if it is already there, -EINVAL for node id 0,
 * -ENOMEM.
 */
int hist_inc_open(struct hist *h, uint32_t nodeid, uint32_t inc, struct hist_inc **ret_inc);
/** Name the source (file) of a record, for messages. */
int hist_inc_source_set(struct hist_inc *hi, const char *source);

/*
 * Append one event. t is in microseconds or HIST_TIME_NONE. All return 0,
 * -EINVAL (bad argument, or an event after the incarnation ended) or -ENOMEM.
 */
int hist_send(struct hist_inc *hi, uint64_t t, const struct hist_msgid *id,
              enum hist_guarantee g, uint32_t len);
/** Take back the last SEND of id (the application's send was refused after
 *  all); -ENOENT when it is not the last send of this incarnation. */
int hist_send_retract(struct hist_inc *hi, const struct hist_msgid *id);
int hist_deliver(struct hist_inc *hi, uint64_t t, uint32_t sender, const struct hist_msgid *id,
                 enum hist_guarantee g, uint32_t len, bool checksum_ok);
int hist_confchg(struct hist_inc *hi, uint64_t t, enum hist_confchg_type type,
                 const struct hist_ring *ring,
                 const uint32_t *members, size_t n_members,
                 const uint32_t *left, size_t n_left,
                 const uint32_t *joined, size_t n_joined);
int hist_end(struct hist_inc *hi, uint64_t t, enum hist_end_kind kind);

/** Every node alive at the end must be in one ring of exactly the live
 *  nodes, installed no later than deadline_us. */
void hist_convergence_set(struct hist *h, uint64_t deadline_us);

/**
 * Read events in the text format. name is used in messages and becomes the
 * source of the records it opens. On a syntax error returns -EINVAL and
 * writes "name:line: reason" to err; -ENOMEM; -errno of fopen.
 */
int hist_parse_stream(struct hist *h, FILE *f, const char *name, char *err, size_t errlen);
int hist_parse_file(struct hist *h, const char *path, char *err, size_t errlen);

/** Write one record in the text format (with its N line). 0 or -EIO. */
int hist_inc_write(const struct hist_inc *hi, FILE *f);
/**
 * Write the whole history into dir: n<node>.<inc>.log per incarnation and,
 * when a convergence deadline is set, converge.log holding the V line.
 * 0 or -errno.
 */
int hist_write_dir(const struct hist *h, const char *dir);

struct hist_report {
	unsigned violations;                 /**< all violations found */
	unsigned per_property[HIST_P_COUNT];
	enum hist_property first;            /**< property of the first one */
	char text[4096];                     /**< the first one, with context */
};

/**
 * Check every property over the whole history. Returns the number of
 * violations (0 = all hold) or -ENOMEM; the report names the first one, the
 * offending event, its node-incarnation, and the events around it.
 *
 * Checks, in this order (the first violation found is the one reported):
 *  evs (structure)  every configuration includes the node; a transitional is
 *                   followed by its regular; a regular is followed by a
 *                   transitional (the first configuration of an
 *                   incarnation may be a regular); transitional members are a
 *                   subset of the previous and of the next regular; left and
 *                   joined match; one regular ring id names one member set;
 *                   nothing is delivered before the first configuration.
 *  integrity        checksum ok, sender = origin of the msgid, a message of a
 *                   recorded incarnation was sent by it, with that size and
 *                   guarantee; sends carry the sender's own ids, once.
 *  dup              no incarnation delivers a message twice.
 *  ring-seq         per node, over its incarnations in order, ring seqs never
 *                   go down and regular ring seqs always go up.
 *  order            all deliveries (messages and configurations) of all
 *                   incarnations fit one total order.
 *  self             an incarnation delivers what it sent unless it crashed or
 *                   left.
 *  safe             a safe message delivered in regular configuration C is
 *                   delivered, in C or in the next transitional, by every
 *                   incarnation that installed C and did not crash or leave
 *                   before C's successor (or ended at "end"); one delivered in
 *                   a transitional T by every incarnation that installed T and
 *                   did not crash or leave in T.
 *  no-loss          a message delivered by p in regular C is delivered, in C
 *                   or the transitional after it, by every q that installed C
 *                   and moved to the same next configuration as p, or that
 *                   ended at "end" in C as p did.
 *  evs (agreement)  incarnations installing the same configuration and the
 *                   same next one deliver the same set of messages between.
 *  converge         see hist_convergence_set().
 */
int hist_check(const struct hist *h, struct hist_report *ret_report);

const char *hist_property_name(enum hist_property p);

/** Format a node id list as "1,2,3" (truncated to fit len). */
void hist_ids_format(const uint32_t *ids, size_t n, char *buf, size_t len);

size_t hist_inc_count(const struct hist *h);
/** Events recorded for one incarnation, by type. */
size_t hist_inc_events(const struct hist_inc *hi, enum hist_event_type type);

#endif
