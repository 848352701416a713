/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The datagram transport under srp, on the libqb main loop: "udpu" (one
 * socket bound to this node's ring0_addr, a multicast is a unicast to every
 * other nodelist member) and "udp" (IP multicast to interface { mcastaddr
 * mcastport } from bindnetaddr, plus a unicast socket for the token).
 *
 * Every datagram carries a small header (magic, version, cluster-name hash,
 * sender node id; with secauth also a sequence number against replays, see
 * net_wire.h and net_replay.h) inside the crypto envelope, so frames of other clusters,
 * unauthenticated frames and this node's own multicasts are dropped before
 * srp sees them, and the fault filter (fault.h) can judge by node.
 *
 * Also here: the totem clock (monotonic time, one-shot timers on the loop,
 * random numbers) that srp is created with. Its timers are a timer set of
 * the transport's own (timers.h), so the protocol's constant re-arming
 * costs no system call and never makes the loop spin.
 */
#ifndef AIS_EXEC_NET_H
#define AIS_EXEC_NET_H

#include <stddef.h>
#include <stdint.h>

#include <qb/qbloop.h>

#include "ais_config.h"
#include "crypto.h"
#include "fault.h"
#include "totem/totem.h"

/** Bytes of net header inside every datagram. */
#define NET_HEADER_LEN 16
/** Largest datagram sent or received. */
#define NET_FRAME_MAX 65536
/** Requested socket buffer sizes. */
#define NET_SOCKBUF_SIZE (8 * 1024 * 1024)
/** Datagrams one recvmmsg call asks for. */
#define NET_RX_BATCH 32
/** Datagrams one wakeup of a socket takes at most; the rest wake the loop again. */
#define NET_RX_PER_WAKEUP 256
/** Datagrams queued for one sendmmsg (at least twice the peers of a multicast). */
#define NET_TX_DGRAMS 256
/** Bytes of encrypted frames queued for sending (at least one largest frame). */
#define NET_TX_ARENA (256 * 1024)
/** A GSO train (UDP_SEGMENT): at most this many frames, this many bytes. */
#define NET_GSO_SEGS 64
#define NET_GSO_BYTES 65000

struct net;

/** fn(ctx) runs at the end of each of the transport's entry points (a
 *  socket wake-up, a protocol timer, a delayed frame), after its frames
 *  were sent: the daemon sends the IPC events the entry point's
 *  deliveries produced (ipc_batch_flush_all) then. */
void net_end_hook_set(struct net *n, void (*fn)(void *ctx), void *ctx);

/** Called for every accepted frame (payload only, header removed). */
typedef void (*net_recv_fn)(void *ctx, const void *buf, size_t len);

struct net_stats {
	uint64_t tx_frames, tx_bytes, tx_errors;
	uint64_t tx_calls;           /**< send system calls (sendmmsg, sendto) */
	uint64_t rx_frames, rx_bytes;
	uint64_t rx_calls;           /**< receive system calls (recvmmsg) */
	uint64_t rx_auth_failed;     /**< failed crypto authentication */
	uint64_t rx_bad_header;      /**< too short, bad magic/version, node 0 */
	uint64_t rx_foreign_cluster; /**< another cluster_name */
	uint64_t rx_unknown_node;    /**< udpu: sender not in the nodelist */
	uint64_t rx_implausible;     /**< from another address than the sender's, or naming another sender */
	uint64_t rx_replayed;        /**< authenticated, but its sequence number was seen or is too old */
	struct fault_stats fault;
};

/**
 * Open and bind the sockets for cfg (after ais_config_pick_node()) and
 * register them with loop. crypto and fault stay owned by the caller and
 * must outlive the transport. 0 and *ret, or -errno with a reason in err.
 */
int net_create(const struct ais_config *cfg, qb_loop_t *loop, struct crypto *crypto,
	       struct fault_filter *fault, net_recv_fn recv, void *recv_ctx,
	       struct net **ret, char *err, size_t errlen);

/**
 * Replay protection (authenticating crypto only; otherwise does nothing and
 * returns 0): pick this run's frame sequence epoch from the file at path
 * (net_wire.h), write it back and wait until it is on disk (blocks: call
 * once, before the protocol starts). The daemon refuses to start when this
 * fails. Without the call the epoch is the wall-clock seconds.
 */
int net_seq_start(struct net *n, const char *path, char *err, size_t errlen);

/** Close the sockets, drop delayed frames, free. Accepts NULL; returns NULL. */
struct net *net_destroy(struct net *n);

/** Ops for srp; ctx is the struct net. */
extern const struct totem_transport_ops net_transport_ops;

/** Bytes the header and the crypto envelope add to each frame. */
size_t net_overhead(const struct net *n);

void net_stats_get(const struct net *n, struct net_stats *ret);

/** Clock for srp on the transport's libqb loop; ctx is the struct net
 *  (pg/srp hand the same ctx to the transport and the clock). */
extern const struct totem_clock_ops net_clock_ops;

#endif
