/* SPDX-License-Identifier: BSD-3-Clause */
/* Anti-replay window (see net_replay.h). */
#include "config.h"

#include <string.h>

#include "net_replay.h"

void net_replay_init(struct net_replay *w)
{
	memset(w, 0, sizeof(*w));
}

static bool net_replay_bit(const struct net_replay *w, uint64_t seq)
{
	uint64_t i = seq % NET_REPLAY_WINDOW;

	return (w->bits[i / 64] >> (i % 64)) & 1u;
}

enum net_replay_verdict net_replay_check(const struct net_replay *w, uint64_t seq)
{
	if (!w->started || seq > w->top) {
		return NET_REPLAY_NEW;
	}
	if (w->top - seq >= NET_REPLAY_WINDOW) {
		return NET_REPLAY_OLD;
	}
	return net_replay_bit(w, seq) ? NET_REPLAY_SEEN : NET_REPLAY_NEW;
}

void net_replay_mark(struct net_replay *w, uint64_t seq)
{
	uint64_t i;

	if (!w->started || seq > w->top) {
		if (!w->started || seq - w->top >= NET_REPLAY_WINDOW) {
			memset(w->bits, 0, sizeof(w->bits)); /* first number, or a jump past the window */
		} else {
			/* forget the numbers the window slides past */
			for (uint64_t n = w->top + 1; n < seq; n++) {
				i = n % NET_REPLAY_WINDOW;
				w->bits[i / 64] &= ~((uint64_t)1 << (i % 64));
			}
		}
		w->top = seq;
		w->started = true;
	} else if (w->top - seq >= NET_REPLAY_WINDOW) {
		return; /* too old: nothing to record */
	}
	i = seq % NET_REPLAY_WINDOW;
	w->bits[i / 64] |= (uint64_t)1 << (i % 64);
}

uint32_t net_replay_epoch_pick(uint64_t stored, uint64_t now_sec)
{
	uint64_t e;

	if (stored >= UINT32_MAX) {
		return 0;
	}
	e = stored + 1 > now_sec ? stored + 1 : now_sec;
	return e > UINT32_MAX ? 0 : (uint32_t)e;
}
