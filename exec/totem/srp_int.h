/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal state of one Totem SRP instance, shared by the srp*.c files.
 *
 * Implements the Totem single-ring protocol (Y. Amir, L. E. Moser,
 * P. M. Melliar-Smith, D. A. Agarwal, P. Ciarfella, "The Totem single-ring
 * ordering and membership protocol", ACM TOCS 13(4), 1995) with extended
 * virtual synchrony (L. E. Moser, Y. Amir, P. M. Melliar-Smith,
 * D. A. Agarwal, "Extended virtual synchrony", ICDCS 1994), shaped after
 * Corosync's totemsrp.c (REFERENCE section 1).
 *
 * Files: srp.c (instance, API, receive dispatch, delivery, timers),
 * srp_token.c (OPERATIONAL/RECOVERY token visit, retransmission, flow
 * control, hold), srp_memb.c (GATHER/COMMIT: join, consensus, commit token,
 * merge detect, leave), srp_recovery.c (RECOVERY entry and installation of
 * the new configuration), srp_queue.c (sort queue and send queues).
 *
 * Departures from the papers and from Corosync:
 *  - Safe delivery is real (Corosync delivers SAFE as AGREED): a SAFE message
 *    s is delivered only once the token's aru was >= s on two consecutive
 *    token arrivals at this node; messages after it wait too. The same rule
 *    bounds garbage collection (with the local high_delivered).
 *  - Recovery delivery follows the EVS paper, not Corosync: old-ring
 *    messages up to the first gap (stopping at the first SAFE message not
 *    known stable), then the transitional configuration, then every other
 *    recovered old-ring message in seq order skipping gaps (Corosync drops
 *    them), then the regular configuration. "Known stable" must be the same
 *    at every member of a transitional set, so each member reports its
 *    safe_aru in the commit token and the bound is the largest reported one.
 *  - Only the lowest-id member holding an old-ring message at or below its
 *    reported aru re-sends it in recovery (messages above every member's
 *    aru are re-sent by every holder); Corosync has every node re-send.
 *  - The commit token carries a safe_aru per member; the ORF token carries
 *    install_seq/install_set: the representative fixes install_seq once a
 *    whole rotation saw no pending recovery traffic (retrans_flg), and each
 *    node installs once the token's aru covered install_seq on two
 *    consecutive arrivals (which proves every member holds all recovery
 *    traffic, the same argument as for safe delivery).
 *  - A node that starts from nothing has as its "old ring" a private ring
 *    {rep = itself, seq = stored ring seq + 1} with members {itself} and no
 *    messages (no ring with that id can exist: every ring it formed before
 *    had a seq <= the stored one). Its first installation therefore
 *    delivers a transitional configuration of {itself} (left and joined
 *    empty) and then the regular one, like every later installation.
 *  - A clean leave is a dedicated LEAVE frame (Corosync sends a JOIN from a
 *    dummy node id): receivers put the sender in the failed set and gather.
 *  - The gather rules (rounds that start clean, stale JOINs dropped in every
 *    state, no fail-back, adoption of every failed set) and the argument
 *    for why they converge once the network is quiet: docs/membership.md.
 *  - Retransmission requests carry only the seq (the token is per ring).
 *  - The commit token is retransmitted by its last sender like the ORF
 *    token (token_retransmit), so one lost datagram does not cost a token
 *    timeout during formation.
 *  - The layer above may keep its own queue: it reports its size with
 *    srp_backlog_set() (counted in the token's backlog and in this node's
 *    fair share) and hands frames over only inside token_received, at most
 *    srp_origination_budget() of them, all of which this visit originates.
 *    pg does so, so that none of its frames waits in srp across a
 *    configuration change (a message is never split across rings).
 *  - Accelerated Ring (Y. Babay, Y. Amir, "Fast total ordering for modern
 *    data centers", ICDCS 2016; Spread 4.4), when accelerated_window > 0
 *    and OPERATIONAL: a visit numbers every frame it may originate and puts
 *    them all in token.seq, but sends only the first (n - accelerated_window)
 *    before forwarding the token and the rest right after it. Retransmissions
 *    still go out first. Requests for missing seqs only cover seqs up to
 *    the token this node passed on its previous visit (later ones may still
 *    be in flight behind the token), and those are asked for at once. aru,
 *    fcc and the safe rule are unchanged. RECOVERY stays classic.
 *  - Token pacing, when token_pace > 0 (srp_token.c, token_pace_hold()):
 *    while this node's clients queue messages fast enough that a visit
 *    every token_pace us would carry 1.5 or more, in OPERATIONAL, with no
 *    retransmission requested or missing here and no backlog left by any
 *    member, a node that gets the token sooner than token_pace us after
 *    its previous visit holds it (a one-shot timer) until then and only
 *    then does the visit. Nothing in the token changes; a held token is
 *    dropped when the ring is left.
 *  - The sort queue is a fixed ring of SRP_QUEUE_SLOTS; originations are
 *    clamped so token.seq - token.aru stays below half of it, and receivers
 *    drop (and later re-request) frames that would not fit.
 */
#ifndef AIS_TOTEM_SRP_INT_H
#define AIS_TOTEM_SRP_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "srp.h"
#include "seq.h"
#include "wire.h"

/** Slots of a sort queue (power of two: slot = seq & (SLOTS - 1)). */
#define SRP_QUEUE_SLOTS 4096U
/** Originations are stopped while token.seq - token.aru reaches this. */
#define SRP_QUEUE_CLAMP (SRP_QUEUE_SLOTS / 2U)
/** Frame overhead of an MCAST, twice when encapsulated in recovery. */
#define SRP_MCAST_OVERHEAD (2U * WIRE_MCAST_LEN)
/** Noise log lines (retransmit lists, token warnings) per second. */
#define SRP_LOG_NOISE_PER_SEC 3U

struct srp_msg {
	uint8_t *data;
	uint32_t len;
	uint32_t seq;
	totem_nodeid_t sender;
	uint8_t guarantee;
	uint8_t encapsulated;
	uint8_t present;
	uint8_t miss;           /* token visits this seq has been missing */
	uint8_t asked;          /* a retransmission of it has been requested */
};

/** The message state of one ring. */
struct srp_ring {
	struct totem_ring_id ring_id;
	totem_nodeid_t members[TOTEM_PROCESSORS_MAX];
	size_t n_members;
	uint32_t base;          /* every seq <= base is freed */
	uint32_t aru;           /* all received up to */
	uint32_t high_seq;      /* highest seq stored */
	uint32_t high_delivered;
	uint32_t safe_aru;      /* known to be held by every member */
	struct srp_msg *slots;  /* SRP_QUEUE_SLOTS, NULL when not in use */
};

struct srp_sendq_item {
	uint8_t *data;
	uint32_t len;
	uint8_t guarantee;
};

/** A bounded FIFO of frames waiting for the token. */
struct srp_sendq {
	struct srp_sendq_item *items;
	uint32_t cap;
	uint32_t head;
	uint32_t count;
};

struct srp {
	struct totem_config cfg;
	struct totem_transport_ops net;
	struct totem_clock_ops clock;
	struct srp_callbacks cb;
	void *ctx;
	totem_nodeid_t me;
	enum srp_state state;
	bool left;                      /* srp_leave() was called */

	uint64_t ring_seq_stored;       /* highest persisted / adopted */
	uint64_t ring_seq_max;          /* highest seen anywhere */

	struct srp_ring cur;            /* ring operating in / recovering into */
	struct srp_ring old;            /* last installed ring, while not operational */

	/* membership (GATHER / COMMIT) */
	totem_nodeid_t proc[TOTEM_PROCESSORS_MAX];
	size_t n_proc;
	totem_nodeid_t failed[TOTEM_PROCESSORS_MAX];
	size_t n_failed;
	totem_nodeid_t agreed[TOTEM_PROCESSORS_MAX];
	size_t n_agreed;
	struct wire_commit commit;      /* last commit token accepted */

	/* recovery */
	totem_nodeid_t trans[TOTEM_PROCESSORS_MAX];
	size_t n_trans;
	uint32_t recovery_safe;         /* largest safe_aru reported by the trans set */
	bool orf_created;               /* representative: first ORF token made */

	/* token state for cur */
	bool token_seen;
	uint32_t last_token_seq;
	unsigned arrivals;
	uint32_t arrival_aru_prev;
	uint32_t arrival_aru_cur;
	uint32_t fail_recv_aru;
	uint32_t fail_recv_count;
	uint64_t fail_recv_since_us;    /* when the aru got stuck */
	uint32_t my_fcc;                /* frames I sent on my last visit */
	uint32_t my_backlog;            /* my backlog on my last visit */
	uint32_t last_seq_seen;
	uint32_t seq_unchanged;
	bool hold_cancel_sent;
	bool holding;                   /* representative keeps an idle token */
	bool self_pending;              /* one-node ring: token waits in held */
	bool failed_to_recv;            /* next gather: form a ring of myself */
	uint64_t no_merge_until_us;     /* after failing to receive: stay apart */
	uint64_t merge_sent_us;         /* last MERGE_DETECT sent; 0: none on this ring */
	bool startup_settle;            /* first join period: no consensus yet */
	struct wire_token held;         /* held token, or the one-node ring's token */
	uint8_t last_frame[WIRE_COMMIT_LEN + TOTEM_PROCESSORS_MAX * sizeof(struct wire_commit_memb_le)];
	size_t last_frame_len;
	totem_nodeid_t last_frame_to;
	uint32_t last_token_sent_seq;
	/* Accelerated Ring (srp_token.c): frames of this visit still to send
	 * after the token, and the seq of the token this node passed last
	 * visit (retransmission requests stop there) */
	uint32_t post_first;
	uint32_t post_count;
	uint32_t rtr_upto;
	/* token pacing (srp_token.c, token_pace > 0): a busy-ring estimate,
	 * the seq and time of this node's previous visit, and the token held
	 * until the pace allows the visit */
	uint32_t pace_msgs;             /* messages queued here in the current window */
	uint64_t pace_window_us;        /* when the current window began */
	bool pace_busy;                 /* the last complete window was busy */
	uint64_t pace_last_us;          /* when the previous visit did its work */
	bool pace_seen;                 /* pace_last_* are valid on this ring */
	bool pacing;                    /* a token is held in paced */
	struct wire_token paced;

	struct srp_sendq sendq;         /* application frames */
	uint32_t upper_backlog;         /* frames held above srp (srp_backlog_set) */
	uint32_t visit_budget;          /* originations left in this visit */
	bool in_token_cb;               /* inside cb.token_received */
	struct srp_sendq recq;          /* encapsulated old-ring frames (RECOVERY) */

	uint64_t t_token_loss, t_token_warn, t_token_rtx, t_hold, t_join, t_consensus, t_pace;

	struct srp_stats stats;
	uint64_t noise_window_us;
	unsigned noise_count;
	uint8_t *txbuf;                 /* WIRE_FRAME_MAX bytes */
};

/* srp_queue.c */
int srp_ring_init(struct srp_ring *r, const struct totem_ring_id *ring_id,
                  const totem_nodeid_t *members, size_t n_members, uint32_t seq_start);
void srp_ring_free(struct srp_ring *r);
bool srp_ring_fits(const struct srp_ring *r, uint32_t seq);
struct srp_msg *srp_ring_get(struct srp_ring *r, uint32_t seq);
struct srp_msg *srp_ring_slot(struct srp_ring *r, uint32_t seq);
/** 1 stored, 0 duplicate or out of window, -ENOMEM. */
int srp_ring_store(struct srp_ring *r, uint32_t seq, totem_nodeid_t sender, uint8_t guarantee,
                   uint8_t encapsulated, const void *data, uint32_t len);
void srp_ring_gc(struct srp_ring *r, uint32_t upto);
int srp_sendq_init(struct srp_sendq *q, uint32_t cap);
void srp_sendq_free(struct srp_sendq *q);
void srp_sendq_clear(struct srp_sendq *q);
int srp_sendq_push(struct srp_sendq *q, const void *data, uint32_t len, uint8_t guarantee);
struct srp_sendq_item *srp_sendq_peek(struct srp_sendq *q);
void srp_sendq_pop(struct srp_sendq *q);
bool srp_set_has(const totem_nodeid_t *set, size_t n, totem_nodeid_t id);
/** id may take part (in the configured known set, or no set configured). */
bool srp_node_known(const struct srp *srp, totem_nodeid_t id);
/** Every id of set is known. */
bool srp_set_known(const struct srp *srp, const totem_nodeid_t *set, size_t n);
bool srp_set_add(totem_nodeid_t *set, size_t *n, totem_nodeid_t id);
void srp_set_remove(totem_nodeid_t *set, size_t *n, totem_nodeid_t id);
bool srp_set_equal(const totem_nodeid_t *a, size_t na, const totem_nodeid_t *b, size_t nb);
bool srp_set_subset(const totem_nodeid_t *a, size_t na, const totem_nodeid_t *b, size_t nb);
size_t srp_set_format(const totem_nodeid_t *set, size_t n, char *buf, size_t buflen);

/* srp.c */
void srp_timer_set(struct srp *srp, uint64_t *handle, uint32_t ms, totem_timer_fn fn);
void srp_timer_set_us(struct srp *srp, uint64_t *handle, uint32_t us, totem_timer_fn fn);
void srp_timer_clear(struct srp *srp, uint64_t *handle);
void srp_timers_clear_all(struct srp *srp);
bool srp_log_noise_ok(struct srp *srp);
void srp_send_mcast_frame(struct srp *srp, const void *buf, size_t len);
void srp_send_ucast_frame(struct srp *srp, totem_nodeid_t to, const void *buf, size_t len);
int srp_msg_send(struct srp *srp, const struct srp_ring *r, const struct srp_msg *m);
void srp_deliver_pending(struct srp *srp);
totem_nodeid_t srp_ring_next(const struct srp_ring *r, totem_nodeid_t me);

void srp_origination_wake(struct srp *srp);
bool srp_no_merge(const struct srp *srp);
void srp_leave_send(struct srp *srp);

/* srp_token.c */
void srp_token_recv(struct srp *srp, const void *buf, size_t len);
void srp_token_hold_cancel_recv(struct srp *srp, const void *buf, size_t len);
void srp_token_hold_release(struct srp *srp);
void srp_token_hold_timer(void *data);
void srp_token_timers_arm(struct srp *srp);
void srp_token_orf_create(struct srp *srp);
void srp_token_frame_send(struct srp *srp, totem_nodeid_t to, const void *buf, size_t len);
void srp_token_sent_progress(struct srp *srp, uint32_t seq);
/** Forget the pacing state and drop a paced token (ring left or replaced). */
void srp_token_pace_reset(struct srp *srp);

/* srp_memb.c */
void srp_memb_gather_enter(struct srp *srp, const char *reason);
void srp_memb_join_recv(struct srp *srp, const void *buf, size_t len);
void srp_memb_commit_recv(struct srp *srp, const void *buf, size_t len);
void srp_memb_merge_detect_recv(struct srp *srp, const void *buf, size_t len);
void srp_memb_leave_recv(struct srp *srp, const void *buf, size_t len);
void srp_memb_foreign_seen(struct srp *srp, const struct wire_header *hdr);
/** On a token visit at the representative: announce the ring if the merge interval passed. */
void srp_memb_merge_detect_token(struct srp *srp);

/* srp_recovery.c */
int srp_recovery_enter(struct srp *srp, const struct wire_commit *commit);
void srp_recovery_install(struct srp *srp);
void srp_recovery_unwrap(struct srp *srp, const uint8_t *inner, uint32_t len);
void srp_recovery_commit_fill(const struct srp *srp, struct wire_commit_memb *ret_memb);

#endif
