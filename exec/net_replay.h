/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Anti-replay window for authenticated frames (the RFC 4303 scheme, with
 * the bitmap kept as a ring as RFC 6479 describes). The receiver keeps one
 * window per sender node: the highest sequence number accepted ("top") and
 * a bitmap of the NET_REPLAY_WINDOW numbers up to and including it. A
 * number above top is new and moves the window forward (any distance: a
 * restarted sender jumps to a higher epoch, see net_wire.h); a number inside
 * the window is new unless its bit is set; a number below the window is too
 * old. The first number a fresh window sees is accepted whatever it is.
 *
 * net_replay_check() does not change the window: the transport checks
 * first, runs its other checks, and marks the number seen only for a frame
 * it passes on, so that a copy of a genuine frame sent from a wrong address
 * cannot make the genuine one look like a replay.
 */
#ifndef AIS_EXEC_NET_REPLAY_H
#define AIS_EXEC_NET_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

/** Sequence numbers covered by a window (a multiple of 64). */
#define NET_REPLAY_WINDOW 1024

struct net_replay {
	uint64_t top;        /**< highest number accepted (valid when started) */
	bool started;
	uint64_t bits[NET_REPLAY_WINDOW / 64]; /**< bit (n % WINDOW): n seen */
};

enum net_replay_verdict {
	NET_REPLAY_NEW,      /**< not seen: pass the frame on */
	NET_REPLAY_SEEN,     /**< inside the window and seen before */
	NET_REPLAY_OLD,      /**< below the window */
};

/** A fresh window (no number seen). */
void net_replay_init(struct net_replay *w);

enum net_replay_verdict net_replay_check(const struct net_replay *w, uint64_t seq);

/** Record seq as seen; call after net_replay_check() said NET_REPLAY_NEW. */
void net_replay_mark(struct net_replay *w, uint64_t seq);

/**
 * The epoch (high 32 bits of the first sequence number) of a sender that
 * starts now: above the stored epoch of its previous run and at least the
 * wall-clock seconds, so that it never goes backwards, whether the file was
 * lost (the clock still moves on) or the clock was stepped back (the file
 * still remembers). 0 when no epoch is left below 2^32 (year 2106).
 */
uint32_t net_replay_epoch_pick(uint64_t stored, uint64_t now_sec);

#endif
