/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * UDP transports for totem (see net.h). Sockets are non-blocking with large
 * buffers. A failed send counts as a loss: srp retransmits. Received frames
 * are authenticated, then their header is checked, then the fault filter
 * judges them (by sender, and by totem frame type for the message-frame
 * rule), and only then srp sees them.
 *
 * System calls are batched both ways. Receiving: each wakeup drains its
 * socket with recvmmsg, NET_RX_BATCH datagrams a call, until a call returns
 * fewer (drained) or NET_RX_PER_WAKEUP datagrams were taken (the rest wakes
 * the loop again: the sockets are level-triggered). Datagrams are handled in
 * arrival order, so with udpu (one socket) the frames that arrived before a
 * token are handled before it; with udp the token comes on the unicast socket
 * and the messages on the group socket, so a wakeup of the unicast socket
 * first drains the group socket (Totem's "messages before the token").
 * Sending: inside a transport entry point (socket wakeup, protocol timer,
 * delayed frame) srp's datagrams are queued, already built and encrypted
 * (net_tx_*), and go out with sendmmsg when a unicast is sent (the token: the
 * frames of the visit are queued before it, so they leave before it, in the
 * order srp sent them) or when the entry point returns. Outside an entry
 * point (a client request waking the protocol) a frame goes out at once; a
 * udpu multicast is then still one call for every peer. Fault filter, failure
 * injection ("sendmsg" per datagram, "recvmsg" per receive call), crypto and
 * replay checks apply to every datagram of a batch.
 *
 * With an authenticating crypto backend every frame carries the sender's
 * sequence number (net_wire.h) and each sender has an anti-replay window
 * here (net_replay.h): a captured frame sent again is dropped and counted
 * (rx_replayed). The check comes after every other check, and the number
 * is marked seen only for a frame that passed them all.
 */
#include "config.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <qb/qblist.h>
#include <qb/qbutil.h>
#include <ais/log.h>
#include <ais/inject.h>

#include "logsys.h"
#include "net.h"
#include "net_replay.h"
#include "net_wire.h"
#include "ringseq.h"
#include "timers.h"
#include "totem/wire.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103 /* linux/udp.h, Linux 4.18 */
#endif

AIS_LOG_SUBSYS("NET");

struct net_peer {
	uint32_t nodeid;
	struct sockaddr_storage addr;
	socklen_t addrlen;
};

/* One sender's anti-replay window. */
struct net_replay_slot {
	uint32_t nodeid;
	struct net_replay window;
};

struct net_delayed {
	struct qb_list_head list;
	struct net *net;
	uint64_t timer;
	bool outbound;
	int fd;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	size_t len;
	uint8_t data[];
};

/* A queued datagram: bytes [off, off + len) of tx_arena to addr. */
struct net_txd {
	uint32_t off, len;
	const struct sockaddr_storage *addr;
	socklen_t addrlen;
	bool ucast;               /**< a unicast (token): nothing queued after it goes before it */
};

/* A send of net_tx_flush: txds tx_order[first .. first + n), one GSO
 * datagram train when n > 1. */
struct net_txm {
	uint16_t first, n;
};

struct net {
	qb_loop_t *loop;
	enum ais_transport transport;
	uint32_t nodeid;
	uint32_t cluster_hash;
	struct crypto *crypto;
	struct fault_filter *fault;
	net_recv_fn recv;
	void *recv_ctx;
	int fd;                   /**< udpu: the socket; udp: the unicast/send socket */
	int mcast_fd;             /**< udp: bound to the group; -1 for udpu */
	struct sockaddr_storage mcast_addr;
	socklen_t mcast_addrlen;
	size_t n_peers;
	struct net_peer peers[TOTEM_PROCESSORS_MAX];
	struct qb_list_head delayed;
	struct timers *timers; /**< the protocol's timers (net_clock_ops) */
	struct net_stats stats;
	bool seq_on;              /**< frames carry a sequence number (authenticating crypto) */
	uint64_t tx_seq;          /**< number of the next frame built */
	struct ringseq_writer *epoch_writer; /**< keeps the epoch in <rundir>/txepoch */
	size_t n_replay;
	struct net_replay_slot replay[TOTEM_PROCESSORS_MAX];
	struct logsys_ratelimit rl_auth;
	struct logsys_ratelimit rl_replay;
	struct logsys_ratelimit rl_send;
	/* sending: frames are built in tx_plain and encrypted into tx_arena */
	unsigned tx_depth;        /**< > 0: inside an entry point, datagrams wait in txq */
	size_t tx_used;           /**< bytes of tx_arena holding queued frames */
	size_t tx_n;              /**< datagrams in txq */
	struct net_txd txq[NET_TX_DGRAMS];
	void (*end_fn)(void *ctx); /**< after each entry point, its sends done */
	void *end_ctx;
	bool gso;                 /**< UDP_SEGMENT in use (totem { udp_gso }; off after the kernel refused it) */
	uint16_t tx_order[NET_TX_DGRAMS]; /**< txq indices in the order they are sent */
	struct net_txm tx_m[NET_TX_DGRAMS];
	struct mmsghdr tx_msgs[NET_TX_DGRAMS];
	struct iovec tx_iov[NET_TX_DGRAMS];
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} tx_cmsg[NET_TX_DGRAMS];
	uint8_t *tx_arena;        /**< NET_TX_ARENA bytes */
	/* receiving: recvmmsg fills rx_bufs; each frame is decrypted into rx_plain
	 * (srp sends from inside recv(), which never touches these) */
	struct mmsghdr rx_msgs[NET_RX_BATCH];
	struct iovec rx_iov[NET_RX_BATCH];
	struct sockaddr_storage rx_from[NET_RX_BATCH];
	uint8_t *rx_bufs;         /**< NET_RX_BATCH x NET_FRAME_MAX bytes */
	uint8_t tx_plain[NET_FRAME_MAX];
	uint8_t rx_plain[NET_FRAME_MAX];
};

static int net_sockaddr_make(const struct ais_addr *a, uint16_t port,
			     struct sockaddr_storage *ret, socklen_t *ret_len)
{
	memset(ret, 0, sizeof(*ret));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ret;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, a->bytes, 4);
		*ret_len = sizeof(*sin);
		return 0;
	}
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ret;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		memcpy(&sin6->sin6_addr, a->bytes, 16);
		*ret_len = sizeof(*sin6);
		return 0;
	}
	return -EAFNOSUPPORT;
}

static void net_sockbuf_set(int fd)
{
	int size = NET_SOCKBUF_SIZE;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0) {
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	}
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0) {
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	}
}

/*
 * A rotation can bring window_size frames of netmtu bytes from the other
 * nodes, and the sender's queue holds a visit's frames once per peer (udpu):
 * say how large the buffers came out (without CAP_NET_ADMIN the kernel caps
 * them at net.core.rmem_max / wmem_max) and warn when that is less.
 */
static void net_sockbuf_check(const struct net *n, int fd, const struct ais_config *cfg)
{
	int rcv = 0, snd = 0;
	socklen_t l1 = sizeof(rcv), l2 = sizeof(snd);
	size_t peers = n->n_peers > 1 ? n->n_peers - 1 : 1;
	uint64_t need = (uint64_t)cfg->totem.window_size * (cfg->totem.netmtu + net_overhead(n)) * peers;

	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, &l1) < 0 || getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, &l2) < 0) {
		return;
	}
	if ((uint64_t)rcv < need || (uint64_t)snd < need) {
		ais_log(LOG_WARNING, "socket buffers are %d (receive) and %d (send) bytes, less than window_size x "
			"frame x peers = %" PRIu64 " bytes: frames may be dropped at full load (raise "
			"net.core.rmem_max and net.core.wmem_max, or run with CAP_NET_ADMIN)", rcv, snd, need);
	} else {
		ais_log(LOG_DEBUG, "socket buffers %d (receive) and %d (send) bytes, %" PRIu64 " needed", rcv, snd,
			need);
	}
}

static int net_socket_open(int family, const struct sockaddr_storage *bind_addr, socklen_t len,
			   bool reuse, int *ret_fd, char *err, size_t errlen)
{
	char text[INET6_ADDRSTRLEN] = "?";
	int one = 1;
	int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int r;

	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot create a UDP socket: %s", strerror(errno));
		return r;
	}
	net_sockbuf_set(fd);
	if (reuse) {
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	}
	if (bind(fd, (const struct sockaddr *)bind_addr, len) < 0) {
		r = -errno;
		if (family == AF_INET) {
			inet_ntop(AF_INET, &((const struct sockaddr_in *)bind_addr)->sin_addr, text, sizeof(text));
		} else {
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)bind_addr)->sin6_addr, text, sizeof(text));
		}
		snprintf(err, errlen, "cannot bind UDP socket to %s port %u: %s", text,
			 ntohs(((const struct sockaddr_in *)bind_addr)->sin_port), strerror(-r));
		close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

/* ---- sending ---------------------------------------------------------- */

static void net_tx_error(struct net *n, int err)
{
	uint64_t suppressed = 0;

	n->stats.tx_errors++;
	if (logsys_ratelimit_ok(&n->rl_send, logsys_now_us(), &suppressed)) {
		ais_log(LOG_WARNING, "send failed: %s (counted as loss; %llu similar suppressed)",
			strerror(err), (unsigned long long)suppressed);
	}
}

/* One datagram now (a delayed frame). */
static void net_sendto(struct net *n, int fd, const void *buf, size_t len,
		       const struct sockaddr_storage *addr, socklen_t addrlen)
{
	ssize_t r;

	do {
		r = ais_inject_syscall(AIS_INJECT_SENDMSG)
			    ? -1
			    : sendto(fd, buf, len, MSG_NOSIGNAL, (const struct sockaddr *)addr, addrlen);
	} while (r < 0 && errno == EINTR);
	n->stats.tx_calls++;
	if (r < 0) {
		net_tx_error(n, errno);
		return;
	}
	n->stats.tx_frames++;
	n->stats.tx_bytes += (uint64_t)r;
}

static bool net_addr_eq(const struct net_txd *a, const struct net_txd *b)
{
	return a->addr == b->addr ||
	       (a->addrlen == b->addrlen && memcmp(a->addr, b->addr, a->addrlen) == 0);
}

/*
 * The order of the sends: with GSO, the datagrams to one address between
 * two unicasts go together, in their order, as trains of equal-size frames
 * (the last may be shorter), at most NET_GSO_SEGS and NET_GSO_BYTES each; a
 * unicast (the token) goes alone, after everything queued before it.
 * Without GSO: queue order, one datagram per send. Fills tx_order and
 * tx_m; the number of sends.
 */
static size_t net_tx_plan(struct net *n)
{
	size_t nm = 0, no = 0, k = 0;

	if (!n->gso) {
		for (k = 0; k < n->tx_n; k++) {
			n->tx_order[k] = (uint16_t)k;
			n->tx_m[k].first = (uint16_t)k;
			n->tx_m[k].n = 1;
		}
		return n->tx_n;
	}
	while (k < n->tx_n) {
		size_t end = k;

		/* [k, end): multicast frames up to the next unicast */
		while (end < n->tx_n && !n->txq[end].ucast) {
			end++;
		}
		for (size_t a = k; a < end; a++) {
			size_t bytes = 0;
			uint32_t seg = 0;  /* the open train's segment size; 0: none open */
			bool taken = false;

			for (size_t b = k; b < a; b++) {
				if (net_addr_eq(&n->txq[a], &n->txq[b])) {
					taken = true; /* in the trains of b's address */
					break;
				}
			}
			if (taken) {
				continue;
			}
			for (size_t b = a; b < end; b++) {
				const struct net_txd *d = &n->txq[b];

				if (b != a && !net_addr_eq(d, &n->txq[a])) {
					continue;
				}
				if (seg == 0 || d->len > seg || n->tx_m[nm - 1].n >= NET_GSO_SEGS ||
				    bytes + d->len > NET_GSO_BYTES) {
					n->tx_m[nm].first = (uint16_t)no;
					n->tx_m[nm].n = 0;
					nm++;
					bytes = 0;
					seg = d->len;
				}
				n->tx_order[no++] = (uint16_t)b;
				n->tx_m[nm - 1].n++;
				bytes += d->len;
				if (d->len < seg) {
					seg = 0; /* a shorter one ends the train */
				}
			}
		}
		if (end < n->tx_n) {
			n->tx_m[nm].first = (uint16_t)no;
			n->tx_m[nm].n = 1;
			nm++;
			n->tx_order[no++] = (uint16_t)end;
			end++;
		}
		k = end;
	}
	return nm;
}

/* Fill tx_msgs[i] for send i of the plan. */
static void net_tx_msg(struct net *n, size_t i)
{
	const struct net_txm *t = &n->tx_m[i];
	const struct net_txd *d0 = &n->txq[n->tx_order[t->first]];
	struct mmsghdr *m = &n->tx_msgs[i];

	for (size_t j = 0; j < t->n; j++) {
		const struct net_txd *d = &n->txq[n->tx_order[t->first + j]];

		n->tx_iov[t->first + j].iov_base = n->tx_arena + d->off;
		n->tx_iov[t->first + j].iov_len = d->len;
	}
	memset(m, 0, sizeof(*m));
	m->msg_hdr.msg_name = (void *)d0->addr;
	m->msg_hdr.msg_namelen = d0->addrlen;
	m->msg_hdr.msg_iov = &n->tx_iov[t->first];
	m->msg_hdr.msg_iovlen = t->n;
	if (t->n > 1) {
		struct cmsghdr *c;
		uint16_t size = (uint16_t)d0->len;

		m->msg_hdr.msg_control = n->tx_cmsg[i].buf;
		m->msg_hdr.msg_controllen = sizeof(n->tx_cmsg[i].buf);
		c = CMSG_FIRSTHDR(&m->msg_hdr);
		c->cmsg_level = IPPROTO_UDP;
		c->cmsg_type = UDP_SEGMENT;
		c->cmsg_len = CMSG_LEN(sizeof(size));
		memcpy(CMSG_DATA(c), &size, sizeof(size));
	}
}

/* The kernel refused a GSO send: every later flush sends one datagram per
 * message, and the trains from send i on are split up. */
static size_t net_gso_off(struct net *n, size_t i, size_t nm, int err)
{
	size_t no = n->tx_m[i].first, left = 0;
	uint16_t order[NET_TX_DGRAMS];

	ais_log(LOG_WARNING, "the kernel refused UDP segmentation offload (%s): sending one datagram "
		"per message from now on (totem { udp_gso: no } says so at start)", strerror(err));
	n->gso = false;
	for (size_t j = i; j < nm; j++) {
		for (size_t k = 0; k < n->tx_m[j].n; k++) {
			order[left++] = n->tx_order[n->tx_m[j].first + k];
		}
	}
	for (size_t k = 0; k < left; k++) {
		n->tx_order[no + k] = order[k];
		n->tx_m[i + k].first = (uint16_t)(no + k);
		n->tx_m[i + k].n = 1;
		net_tx_msg(n, i + k);
	}
	return i + left;
}

/*
 * Send every queued datagram with as few sendmmsg calls as the kernel
 * allows, in the order of net_tx_plan. A send the kernel refuses (the call
 * fails on it) counts its datagrams as lost and the rest follow in the
 * next call.
 */
static void net_tx_flush(struct net *n)
{
	size_t nm = net_tx_plan(n), i = 0;

	for (size_t k = 0; k < nm; k++) {
		net_tx_msg(n, k);
	}
	while (i < nm) {
		int r = sendmmsg(n->fd, &n->tx_msgs[i], (unsigned int)(nm - i), MSG_NOSIGNAL);

		n->stats.tx_calls++;
		if (r < 0) {
			int err = errno;

			if (err == EINTR) {
				continue;
			}
			if (n->tx_m[i].n > 1 && (err == EIO || err == EINVAL || err == ENOPROTOOPT ||
						 err == EOPNOTSUPP)) {
				nm = net_gso_off(n, i, nm, err);
				continue;
			}
			net_tx_error(n, err);
			i++;
			continue;
		}
		for (int k = 0; k < r; k++) {
			n->stats.tx_frames += n->tx_m[i + (size_t)k].n;
			n->stats.tx_bytes += n->tx_msgs[i + (size_t)k].msg_len;
		}
		i += (size_t)r;
	}
	n->tx_n = 0;
	n->tx_used = 0;
}

/* Queue one datagram of the frame at [off, off + len) of tx_arena. The
 * "sendmsg" injection point fails single datagrams, as before batching. */
static void net_tx_push(struct net *n, uint32_t off, uint32_t len, const struct sockaddr_storage *addr,
			socklen_t addrlen, bool ucast)
{
	struct net_txd *d;

	if (ais_inject_syscall(AIS_INJECT_SENDMSG)) {
		net_tx_error(n, errno);
		return;
	}
	d = &n->txq[n->tx_n++];
	d->off = off;
	d->len = len;
	d->addr = addr;
	d->addrlen = addrlen;
	d->ucast = ucast;
}

static void net_tx_begin(struct net *n)
{
	n->tx_depth++;
}

static void net_tx_end(struct net *n)
{
	if (--n->tx_depth == 0) {
		if (n->tx_n > 0) {
			net_tx_flush(n);
		}
		if (n->end_fn != NULL) {
			n->end_fn(n->end_ctx);
		}
	}
}

void net_end_hook_set(struct net *n, void (*fn)(void *ctx), void *ctx)
{
	n->end_fn = fn;
	n->end_ctx = ctx;
}

static void net_delayed_fire(void *data)
{
	struct net_delayed *d = data;
	struct net *n = d->net;

	qb_list_del(&d->list);
	if (d->outbound) {
		net_sendto(n, d->fd, d->data, d->len, &d->addr, d->addrlen);
	} else {
		net_tx_begin(n);
		n->recv(n->recv_ctx, d->data, d->len);
		net_tx_end(n);
	}
	free(d);
}

static void net_delay(struct net *n, bool outbound, int fd, const void *buf, size_t len,
		      const struct sockaddr_storage *addr, socklen_t addrlen)
{
	struct net_delayed *d = ais_malloc(sizeof(*d) + len);

	if (d == NULL) {
		return; /* a lost frame; srp recovers */
	}
	d->net = n;
	d->outbound = outbound;
	d->fd = fd;
	if (addr != NULL) {
		memcpy(&d->addr, addr, sizeof(d->addr));
	}
	d->addrlen = addrlen;
	d->len = len;
	memcpy(d->data, buf, len);
	if (timers_add(n->timers, n->fault->delay_ms, net_delayed_fire, d, &d->timer) != 0) {
		free(d);
		return;
	}
	qb_list_add_tail(&d->list, &n->delayed);
}

/* Queue the built frame at [off, off + len) of tx_arena for one peer (0 =
 * the multicast group), as the fault filter decides. */
static void net_send_filtered(struct net *n, uint32_t peer, uint32_t off, uint32_t len,
			      const struct sockaddr_storage *addr, socklen_t addrlen, bool ucast)
{
	switch (fault_filter_decide(n->fault, peer)) {
	case FAULT_DROP:
		return;
	case FAULT_DUPLICATE:
		net_tx_push(n, off, len, addr, addrlen, ucast);
		break;
	case FAULT_DELAY:
		net_delay(n, true, n->fd, n->tx_arena + off, len, addr, addrlen);
		return;
	case FAULT_PASS:
		break;
	}
	net_tx_push(n, off, len, addr, addrlen, ucast);
}

static size_t net_header_len(const struct net *n)
{
	return NET_HEADER_LEN + (n->seq_on ? NET_WIRE_SEQ_LEN : 0);
}

/* The next frame's sequence number. When the low 32 bits wrap, the epoch
 * moves on: it is queued for the file, so a restart starts above it. */
static uint64_t net_seq_next(struct net *n)
{
	uint64_t seq = n->tx_seq++;

	if ((n->tx_seq & UINT32_MAX) == 0 && n->epoch_writer != NULL) {
		ringseq_writer_store(n->epoch_writer, n->tx_seq >> 32);
	}
	return seq;
}

/*
 * Build and encrypt a frame of len payload bytes at the end of tx_arena,
 * for up to dgrams datagrams (the queue is sent first when the frame or its
 * datagrams would not fit). 0 and its place, or -errno (nothing queued).
 */
static int net_frame_build(struct net *n, const void *buf, size_t len, size_t dgrams, uint32_t *ret_off,
			   uint32_t *ret_len)
{
	struct net_wire_header h = {
		.magic = htole32(NET_MAGIC),
		.version = htole16(n->seq_on ? NET_VERSION_SEQ : NET_VERSION),
		.flags = 0,
		.cluster = htole32(n->cluster_hash),
		.sender = htole32(n->nodeid),
	};
	size_t hlen = net_header_len(n);
	size_t need = hlen + len + crypto_ops(n->crypto)->overhead(n->crypto);
	size_t wlen;
	int r;

	if (len > NET_FRAME_MAX - hlen || need > NET_FRAME_MAX) {
		return -EMSGSIZE;
	}
	if (n->tx_used + need > NET_TX_ARENA || n->tx_n + dgrams > NET_TX_DGRAMS) {
		net_tx_flush(n);
	}
	memcpy(n->tx_plain, &h, sizeof(h));
	if (n->seq_on) {
		uint64_t seq = htole64(net_seq_next(n));
		memcpy(n->tx_plain + sizeof(h), &seq, sizeof(seq));
	}
	memcpy(n->tx_plain + hlen, buf, len);
	r = crypto_ops(n->crypto)->encrypt_and_sign(n->crypto, n->tx_plain, hlen + len, n->tx_arena + n->tx_used,
						    NET_TX_ARENA - n->tx_used, &wlen);
	if (r < 0) {
		return r;
	}
	*ret_off = (uint32_t)n->tx_used;
	*ret_len = (uint32_t)wlen;
	n->tx_used += wlen;
	return 0;
}

static int net_mcast(void *ctx, const void *buf, size_t len)
{
	struct net *n = ctx;
	uint32_t off, wlen;
	/* a duplicate rule may queue each datagram twice */
	size_t dgrams = 2 * (n->transport == AIS_TRANSPORT_UDP ? 1 : n->n_peers);
	int r = net_frame_build(n, buf, len, dgrams, &off, &wlen);

	if (r < 0) {
		return r;
	}
	if (n->transport == AIS_TRANSPORT_UDP) {
		net_send_filtered(n, 0, off, wlen, &n->mcast_addr, n->mcast_addrlen, false);
	} else {
		for (size_t i = 0; i < n->n_peers; i++) {
			if (n->peers[i].nodeid != n->nodeid) {
				net_send_filtered(n, n->peers[i].nodeid, off, wlen, &n->peers[i].addr,
						  n->peers[i].addrlen, false);
			}
		}
	}
	if (n->tx_depth == 0) {
		net_tx_flush(n);
	}
	return 0;
}

static struct net_peer *net_peer_find(struct net *n, uint32_t nodeid)
{
	for (size_t i = 0; i < n->n_peers; i++) {
		if (n->peers[i].nodeid == nodeid) {
			return &n->peers[i];
		}
	}
	return NULL;
}

/* A unicast (the token, a commit token) leaves at once, after every frame
 * queued before it. */
static int net_ucast(void *ctx, totem_nodeid_t to, const void *buf, size_t len)
{
	struct net *n = ctx;
	struct net_peer *p = net_peer_find(n, to);
	uint32_t off, wlen;
	int r;

	if (p == NULL) {
		return -EHOSTUNREACH;
	}
	r = net_frame_build(n, buf, len, 2, &off, &wlen);
	if (r < 0) {
		return r;
	}
	net_send_filtered(n, to, off, wlen, &p->addr, p->addrlen, true);
	net_tx_flush(n);
	return 0;
}

const struct totem_transport_ops net_transport_ops = {
	.mcast = net_mcast,
	.ucast = net_ucast,
};

/* ---- receiving -------------------------------------------------------- */

/* udp: remember where a node sends from, so the token can go to it. */
static void net_peer_learn(struct net *n, uint32_t nodeid, const struct sockaddr_storage *from, socklen_t len)
{
	struct net_peer *p = net_peer_find(n, nodeid);

	if (p == NULL) {
		if (n->n_peers >= TOTEM_PROCESSORS_MAX) {
			return;
		}
		p = &n->peers[n->n_peers++];
		p->nodeid = nodeid;
	}
	memcpy(&p->addr, from, sizeof(p->addr));
	p->addrlen = len;
}

/* What the fault filter needs to know of a frame: is it a message? Only
 * read when some rule is set. */
static enum fault_frame net_frame_kind(const struct net *n, const void *payload, size_t len)
{
	struct wire_header hdr;

	if (!fault_filter_active(n->fault) || wire_header_decode(payload, len, &hdr) < 0) {
		return FAULT_FRAME_OTHER;
	}
	return hdr.type == WIRE_MCAST ? FAULT_FRAME_MCAST : FAULT_FRAME_OTHER;
}

/* Same IP address (the port is not compared). */
static bool net_addr_same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family) {
		return false;
	}
	if (a->ss_family == AF_INET) {
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr == ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	}
	if (a->ss_family == AF_INET6) {
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr, &((const struct sockaddr_in6 *)b)->sin6_addr,
			      sizeof(struct in6_addr)) == 0;
	}
	return false;
}

/*
 * Plausibility of who sent a frame, crypto or not: with udpu the datagram
 * must come from the address the nodelist gives its sender; and a frame a
 * node sends in its own name (everything but a message, which others
 * retransmit) must name the same sender in the totem header.
 */
static bool net_sender_plausible(struct net *n, uint32_t sender, const struct sockaddr_storage *from,
				 const void *payload, size_t len)
{
	struct wire_header hdr;

	if (n->transport == AIS_TRANSPORT_UDPU) {
		const struct net_peer *p = net_peer_find(n, sender);

		if (p == NULL || !net_addr_same_host(&p->addr, from)) {
			return false;
		}
	}
	if (wire_header_decode(payload, len, &hdr) < 0) {
		return true; /* malformed: srp counts it */
	}
	return hdr.type == WIRE_MCAST || hdr.sender == sender;
}

static struct net_replay_slot *net_replay_find(struct net *n, uint32_t sender)
{
	for (size_t i = 0; i < n->n_replay; i++) {
		if (n->replay[i].nodeid == sender) {
			return &n->replay[i];
		}
	}
	return NULL;
}

/*
 * The anti-replay check of an authenticated frame that passed every other
 * check: true to pass it on (its number is then marked seen), false for a
 * replay (counted). A sender without a window gets one; when all are taken
 * (udp: more authenticated senders than a ring can hold) the frame is
 * refused as from an unknown node.
 */
static bool net_replay_accept(struct net *n, uint32_t sender, uint64_t seq)
{
	struct net_replay_slot *slot = net_replay_find(n, sender);
	uint64_t suppressed = 0;
	enum net_replay_verdict v;

	if (slot == NULL) {
		if (n->n_replay >= TOTEM_PROCESSORS_MAX) {
			n->stats.rx_unknown_node++;
			return false;
		}
		slot = &n->replay[n->n_replay++];
		slot->nodeid = sender;
		net_replay_init(&slot->window);
	}
	v = net_replay_check(&slot->window, seq);
	if (v != NET_REPLAY_NEW) {
		n->stats.rx_replayed++;
		if (logsys_ratelimit_ok(&n->rl_replay, logsys_now_us(), &suppressed)) {
			ais_log(LOG_WARNING, "dropped a replayed frame of node %u (seq %" PRIu32 ":%" PRIu32 ", %s; "
				"%llu total)", sender, (uint32_t)(seq >> 32), (uint32_t)seq,
				v == NET_REPLAY_OLD ? "older than the window" : "seen before",
				(unsigned long long)n->stats.rx_replayed);
		}
		return false;
	}
	net_replay_mark(&slot->window, seq);
	return true;
}

static void net_frame_accept(struct net *n, const uint8_t *wire, size_t wlen, const struct sockaddr_storage *from,
			     socklen_t fromlen)
{
	struct net_wire_header h;
	size_t plen, hlen = net_header_len(n);
	uint64_t seq = 0;
	uint64_t suppressed = 0;

	if (crypto_ops(n->crypto)->authenticate_and_decrypt(n->crypto, wire, wlen, n->rx_plain,
							    sizeof(n->rx_plain), &plen) < 0) {
		n->stats.rx_auth_failed++;
		if (logsys_ratelimit_ok(&n->rl_auth, logsys_now_us(), &suppressed)) {
			ais_log(LOG_WARNING, "dropped a frame that failed authentication (%llu total)",
				(unsigned long long)n->stats.rx_auth_failed);
		}
		return;
	}
	if (plen < hlen) {
		n->stats.rx_bad_header++;
		return;
	}
	memcpy(&h, n->rx_plain, sizeof(h));
	uint32_t sender = le32toh(h.sender);
	if (le32toh(h.magic) != NET_MAGIC || le16toh(h.version) != (n->seq_on ? NET_VERSION_SEQ : NET_VERSION) ||
	    sender == 0) {
		n->stats.rx_bad_header++;
		return;
	}
	if (n->seq_on) {
		memcpy(&seq, n->rx_plain + sizeof(h), sizeof(seq));
		seq = le64toh(seq);
	}
	if (le32toh(h.cluster) != n->cluster_hash) {
		n->stats.rx_foreign_cluster++;
		return;
	}
	if (sender == n->nodeid) {
		return; /* our own multicast looped back */
	}
	if (n->transport == AIS_TRANSPORT_UDPU) {
		if (net_peer_find(n, sender) == NULL) {
			n->stats.rx_unknown_node++;
			return;
		}
	}
	const uint8_t *payload = n->rx_plain + hlen;
	size_t len = plen - hlen;
	if (!net_sender_plausible(n, sender, from, payload, len)) {
		n->stats.rx_implausible++;
		return;
	}
	if (n->seq_on && !net_replay_accept(n, sender, seq)) {
		return;
	}
	if (n->transport != AIS_TRANSPORT_UDPU) {
		net_peer_learn(n, sender, from, fromlen);
	}
	n->stats.rx_frames++;
	n->stats.rx_bytes += wlen;
	switch (fault_filter_decide_recv(n->fault, sender, net_frame_kind(n, payload, len))) {
	case FAULT_DROP:
		return;
	case FAULT_DELAY:
		net_delay(n, false, -1, payload, len, NULL, 0);
		return;
	case FAULT_DUPLICATE:
		n->recv(n->recv_ctx, payload, len);
		break;
	case FAULT_PASS:
		break;
	}
	n->recv(n->recv_ctx, payload, len);
}

/*
 * One recvmmsg on fd into rx_bufs: the number of datagrams, or -1 (nothing
 * there, or the call failed).
 */
static int net_rx_batch(struct net *n, int fd)
{
	int r;

	for (size_t k = 0; k < NET_RX_BATCH; k++) {
		struct mmsghdr *m = &n->rx_msgs[k];

		n->rx_iov[k].iov_base = n->rx_bufs + k * NET_FRAME_MAX;
		n->rx_iov[k].iov_len = NET_FRAME_MAX;
		memset(m, 0, sizeof(*m));
		m->msg_hdr.msg_name = &n->rx_from[k];
		m->msg_hdr.msg_namelen = sizeof(n->rx_from[k]);
		m->msg_hdr.msg_iov = &n->rx_iov[k];
		m->msg_hdr.msg_iovlen = 1;
	}
	do {
		r = ais_inject_syscall(AIS_INJECT_RECVMSG) ? -1 : recvmmsg(fd, n->rx_msgs, NET_RX_BATCH, MSG_DONTWAIT, NULL);
		n->stats.rx_calls++;
	} while (r < 0 && errno == EINTR);
	return r;
}

/* Handle what fd holds, in arrival order, up to NET_RX_PER_WAKEUP datagrams. */
static void net_rx_drain(struct net *n, int fd)
{
	size_t taken = 0;

	while (taken < NET_RX_PER_WAKEUP) {
		int r = net_rx_batch(n, fd);

		if (r <= 0) {
			return; /* EAGAIN: drained; an error: the next wakeup tries again */
		}
		for (int k = 0; k < r; k++) {
			const struct mmsghdr *m = &n->rx_msgs[k];

			if ((m->msg_hdr.msg_flags & MSG_TRUNC) != 0) {
				n->stats.rx_bad_header++;
				continue;
			}
			net_frame_accept(n, n->rx_iov[k].iov_base, m->msg_len, &n->rx_from[k], m->msg_hdr.msg_namelen);
		}
		taken += (size_t)r;
		if (r < NET_RX_BATCH) {
			return; /* fewer than asked for: drained (the loop wakes us for later ones) */
		}
	}
}

static int32_t net_fd_dispatch(int32_t fd, int32_t revents, void *data)
{
	struct net *n = data;

	(void)revents;
	net_tx_begin(n);
	if (fd == n->fd && n->mcast_fd >= 0) {
		/* udp: messages that came before the token are handled first */
		net_rx_drain(n, n->mcast_fd);
	}
	net_rx_drain(n, fd);
	net_tx_end(n);
	return 0;
}

/* ---- setup ------------------------------------------------------------ */

static int net_udpu_setup(struct net *n, const struct ais_config *cfg, char *err, size_t errlen)
{
	const struct ais_config_node *self;
	struct sockaddr_storage bind_addr;
	socklen_t len;
	uint16_t port = (uint16_t)cfg->iface.mcastport;
	int r;

	if (cfg->local_node < 0 || (size_t)cfg->local_node >= cfg->node_count) {
		snprintf(err, errlen, "transport udpu needs a nodelist entry for this node");
		return -EINVAL;
	}
	self = &cfg->nodes[cfg->local_node];
	for (size_t i = 0; i < cfg->node_count; i++) {
		struct net_peer *p = &n->peers[n->n_peers];
		if (cfg->nodes[i].ring0_addr.family != self->ring0_addr.family) {
			snprintf(err, errlen, "nodelist mixes IPv4 and IPv6 (node %u)", cfg->nodes[i].nodeid);
			return -EINVAL;
		}
		r = net_sockaddr_make(&cfg->nodes[i].ring0_addr, port, &p->addr, &p->addrlen);
		if (r < 0) {
			snprintf(err, errlen, "node %u has no usable ring0_addr", cfg->nodes[i].nodeid);
			return r;
		}
		p->nodeid = cfg->nodes[i].nodeid;
		n->n_peers++;
	}
	r = net_sockaddr_make(&self->ring0_addr, port, &bind_addr, &len);
	if (r < 0) {
		return r;
	}
	return net_socket_open(self->ring0_addr.family, &bind_addr, len, false, &n->fd, err, errlen);
}

/* The address to send multicasts from: bindnetaddr itself, or the address of
 * this host inside the bindnetaddr network (Corosync's reading). */
static int net_udp_bind_addr(const struct ais_config *cfg, struct ais_addr *ret, char *err, size_t errlen)
{
	if (cfg->local_node >= 0 && (size_t)cfg->local_node < cfg->node_count) {
		*ret = cfg->nodes[cfg->local_node].ring0_addr;
		return 0;
	}
	if (cfg->iface.bindnetaddr.family != AF_INET) {
		snprintf(err, errlen, "transport udp needs an IPv4 interface { bindnetaddr }");
		return -EINVAL;
	}
	*ret = cfg->iface.bindnetaddr;
	return 0;
}

static int net_udp_setup(struct net *n, const struct ais_config *cfg, char *err, size_t errlen)
{
	struct ais_addr local;
	struct sockaddr_storage sa;
	socklen_t len;
	uint16_t port = (uint16_t)cfg->iface.mcastport;
	struct ip_mreq mreq;
	unsigned char ttl = (unsigned char)(cfg->iface.ttl > 255 ? 255 : cfg->iface.ttl);
	unsigned char loop = 1; /* local daemons must hear each other; our own frames are filtered */
	int r;

	if (cfg->iface.mcastaddr.family != AF_INET) {
		snprintf(err, errlen, "transport udp needs an IPv4 interface { mcastaddr }");
		return -EINVAL;
	}
	r = net_udp_bind_addr(cfg, &local, err, errlen);
	if (r < 0) {
		return r;
	}
	if (local.family != AF_INET) {
		snprintf(err, errlen, "transport udp works over IPv4 only; use udpu for IPv6");
		return -EINVAL;
	}
	net_sockaddr_make(&cfg->iface.mcastaddr, port, &n->mcast_addr, &n->mcast_addrlen);
	/* receive socket: bound to the group so only group traffic arrives */
	r = net_socket_open(AF_INET, &n->mcast_addr, n->mcast_addrlen, true, &n->mcast_fd, err, errlen);
	if (r < 0) {
		return r;
	}
	memcpy(&mreq.imr_multiaddr, cfg->iface.mcastaddr.bytes, 4);
	memcpy(&mreq.imr_interface, local.bytes, 4);
	if (setsockopt(n->mcast_fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof(mreq)) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot join the multicast group: %s", strerror(errno));
		return r;
	}
	/* send + unicast socket on this node's own address */
	net_sockaddr_make(&local, port, &sa, &len);
	r = net_socket_open(AF_INET, &sa, len, true, &n->fd, err, errlen);
	if (r < 0) {
		return r;
	}
	if (setsockopt(n->fd, IPPROTO_IP, IP_MULTICAST_IF, &mreq.imr_interface, sizeof(mreq.imr_interface)) < 0 ||
	    setsockopt(n->fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl)) < 0 ||
	    setsockopt(n->fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof(loop)) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot set multicast options: %s", strerror(errno));
		return r;
	}
	/* configured nodes are known peers from the start; others are learnt */
	for (size_t i = 0; i < cfg->node_count && n->n_peers < TOTEM_PROCESSORS_MAX; i++) {
		struct net_peer *p = &n->peers[n->n_peers];
		if (net_sockaddr_make(&cfg->nodes[i].ring0_addr, port, &p->addr, &p->addrlen) == 0) {
			p->nodeid = cfg->nodes[i].nodeid;
			n->n_peers++;
		}
	}
	return 0;
}

/* The protocol's frames sent from its timers go out in one batch. */
static void net_timers_begin(void *ctx)
{
	net_tx_begin(ctx);
}

static void net_timers_end(void *ctx)
{
	net_tx_end(ctx);
}

int net_create(const struct ais_config *cfg, qb_loop_t *loop, struct crypto *crypto,
	       struct fault_filter *fault, net_recv_fn recv, void *recv_ctx,
	       struct net **ret, char *err, size_t errlen)
{
	struct net *n = ais_calloc(1, sizeof(*n));
	int r;

	if (n == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	n->loop = loop;
	n->transport = cfg->transport;
	n->nodeid = cfg->totem.nodeid;
	n->cluster_hash = net_cluster_hash(cfg->cluster_name);
	n->crypto = crypto;
	n->fault = fault;
	n->recv = recv;
	n->recv_ctx = recv_ctx;
	n->fd = -1;
	n->mcast_fd = -1;
	n->rl_auth = (struct logsys_ratelimit)LOGSYS_RATELIMIT_INIT(10000, 5);
	n->rl_send = (struct logsys_ratelimit)LOGSYS_RATELIMIT_INIT(10000, 5);
	n->rl_replay = (struct logsys_ratelimit)LOGSYS_RATELIMIT_INIT(10000, 5);
	n->gso = cfg->udp_gso;
	n->seq_on = crypto_authenticates(crypto);
	if (n->seq_on) {
		/* the wall clock until net_seq_start() consults the epoch file */
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		n->tx_seq = (uint64_t)net_replay_epoch_pick(0, now.tv_sec > 0 ? (uint64_t)now.tv_sec : 0) << 32;
	}
	qb_list_init(&n->delayed);
	r = timers_create(loop, QB_LOOP_HIGH, &n->timers);
	if (r == 0) {
		timers_hooks_set(n->timers, net_timers_begin, net_timers_end, n);
		n->tx_arena = ais_malloc(NET_TX_ARENA);
		n->rx_bufs = ais_malloc((size_t)NET_RX_BATCH * NET_FRAME_MAX);
		if (n->tx_arena == NULL || n->rx_bufs == NULL) {
			r = -ENOMEM;
		}
	}
	if (r < 0) {
		snprintf(err, errlen, "out of memory");
		goto out_destroy;
	}
	if (n->transport == AIS_TRANSPORT_UDPU) {
		r = net_udpu_setup(n, cfg, err, errlen);
	} else {
		r = net_udp_setup(n, cfg, err, errlen);
	}
	if (r < 0) {
		goto out_destroy;
	}
	net_sockbuf_check(n, n->fd, cfg);
	if (n->mcast_fd >= 0) {
		net_sockbuf_check(n, n->mcast_fd, cfg);
	}
	r = qb_loop_poll_add(loop, QB_LOOP_HIGH, n->fd, POLLIN, n, net_fd_dispatch);
	if (r == 0 && n->mcast_fd >= 0) {
		r = qb_loop_poll_add(loop, QB_LOOP_HIGH, n->mcast_fd, POLLIN, n, net_fd_dispatch);
	}
	if (r < 0) {
		snprintf(err, errlen, "cannot add the sockets to the main loop: %s", strerror(-r));
		goto out_destroy;
	}
	*ret = n;
	return 0;
out_destroy:
	net_destroy(n);
	return r;
}

struct net *net_destroy(struct net *n)
{
	struct net_delayed *d, *tmp;

	if (n == NULL) {
		return NULL;
	}
	qb_list_for_each_entry_safe(d, tmp, &n->delayed, list) {
		(void)timers_del(n->timers, d->timer);
		qb_list_del(&d->list);
		free(d);
	}
	if (n->fd >= 0) {
		qb_loop_poll_del(n->loop, n->fd);
		close(n->fd);
	}
	if (n->mcast_fd >= 0) {
		qb_loop_poll_del(n->loop, n->mcast_fd);
		close(n->mcast_fd);
	}
	n->timers = timers_destroy(n->timers);
	free(n->tx_arena);
	free(n->rx_bufs);
	if (n->epoch_writer != NULL) {
		int r = ringseq_writer_stop(n->epoch_writer);
		if (r < 0) {
			ais_log(LOG_ERR, "writing the frame sequence epoch failed: %s", strerror(-r));
		}
	}
	free(n);
	return NULL;
}

int net_seq_start(struct net *n, const char *path, char *err, size_t errlen)
{
	struct timespec now;
	uint64_t stored = 0;
	uint32_t epoch;
	int r;

	if (!n->seq_on) {
		return 0;
	}
	r = ringseq_read(path, &stored);
	if (r < 0) {
		snprintf(err, errlen, "cannot read the frame sequence epoch file %.512s: %s (removing it is safe "
			 "while the wall clock is right)", path, strerror(-r));
		return r;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	epoch = net_replay_epoch_pick(stored, now.tv_sec > 0 ? (uint64_t)now.tv_sec : 0);
	if (epoch == 0) {
		snprintf(err, errlen, "the frame sequence epoch in %.512s is exhausted", path);
		return -ERANGE;
	}
	r = ringseq_writer_start(path, &n->epoch_writer);
	if (r < 0) {
		snprintf(err, errlen, "cannot start the frame sequence epoch writer: %s", strerror(-r));
		return r;
	}
	ringseq_writer_store(n->epoch_writer, epoch);
	r = ringseq_writer_flush(n->epoch_writer);
	if (r < 0) {
		snprintf(err, errlen, "cannot save the frame sequence epoch file %.512s: %s", path, strerror(-r));
		return r;
	}
	n->tx_seq = (uint64_t)epoch << 32;
	ais_log(LOG_INFO, "replay protection on: frame sequence epoch %" PRIu32, epoch);
	return 0;
}

size_t net_overhead(const struct net *n)
{
	return net_header_len(n) + crypto_ops(n->crypto)->overhead(n->crypto);
}

void net_stats_get(const struct net *n, struct net_stats *ret)
{
	*ret = n->stats;
	ret->fault = n->fault->stats;
}

/* ---- clock ------------------------------------------------------------ */

static uint64_t net_clock_now_us(void *ctx)
{
	(void)ctx;
	return logsys_now_us();
}

static int net_clock_timer_add(void *ctx, uint32_t ms, totem_timer_fn fn, void *data, uint64_t *ret_handle)
{
	return timers_add(((struct net *)ctx)->timers, ms, fn, data, ret_handle);
}

static int net_clock_timer_add_us(void *ctx, uint32_t us, totem_timer_fn fn, void *data,
                                  uint64_t *ret_handle)
{
	return timers_add_us(((struct net *)ctx)->timers, us, fn, data, ret_handle);
}

static void net_clock_timer_del(void *ctx, uint64_t handle)
{
	(void)timers_del(((struct net *)ctx)->timers, handle);
}

static uint32_t net_clock_random(void *ctx)
{
	uint32_t v;

	(void)ctx;
	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != (ssize_t)sizeof(v)) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		v = (uint32_t)ts.tv_nsec ^ (uint32_t)getpid();
	}
	return v;
}

const struct totem_clock_ops net_clock_ops = {
	.now_us = net_clock_now_us,
	.timer_add = net_clock_timer_add,
	.timer_del = net_clock_timer_del,
	.random = net_clock_random,
	.timer_add_us = net_clock_timer_add_us,
};
