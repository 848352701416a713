/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * framegen: hostile datagrams for the cluster tests.
 *
 * Crafted totem membership frames, sent to a node from a chosen source
 * address as an attacker would: without the key (forged_frames.sh checks
 * that implausible frames are dropped), or with --key inside a real crypto
 * envelope (aes256 + sha256, as secauth: on) under a key of the attacker's
 * own, which the nodes must refuse (hostile.sh):
 *
 *   framegen join|leave|commit --to ADDR:PORT --from ADDR --cluster NAME --sender ID
 *            [--procs LIST] [--seq N] [--count N] [--key FILE [--frameseq N]]
 *   LIST: comma-separated node ids, or A-B for a range
 *
 * Capture and replay of a live cluster's real frames (replay.sh,
 * hostile.sh): capture reads every UDP datagram to PORT on the loopback
 * interface (an AF_PACKET socket: root only; exit 77 otherwise) for a while
 * and saves it with its source and destination address; replay sends each
 * saved datagram again, from its original source address (any port) to its
 * original destination, as it was or mutated (bits flipped, truncated):
 *
 *   framegen capture --port PORT --out FILE --seconds S [--max N]
 *   framegen replay --in FILE --port PORT [--mutate none|flip|truncate] [--seed N]
 *            [--from ADDR]
 *
 * (--from: send every frame from ADDR instead of its original source.)
 * Random datagrams (half of them behind a plausible frame header):
 *
 *   framegen random --to ADDR:PORT --from ADDR --cluster NAME --sender ID
 *            [--count N] [--seed N]
 *
 * Capture file: records of [u32 source IPv4][u32 destination IPv4]
 * [u32 length][length bytes], addresses in network order, length little-endian.
 */
#include "config.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "../../exec/crypto.h"
#include "../../exec/net_wire.h"
#include "../../exec/totem/wire.h"

#define FRAME_MAX 65536

struct options {
	const char *to, *from, *cluster, *procs, *key, *in, *out, *mutate;
	unsigned long sender, count, port, seconds, max;
	unsigned long long seq, frameseq, seed;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: framegen join|leave|commit --to ADDR:PORT --from ADDR --cluster NAME --sender ID\n"
		   "                [--procs LIST] [--seq N] [--count N] [--key FILE [--frameseq N]]\n"
		   "       framegen capture --port PORT --out FILE --seconds S [--max N]\n"
		   "       framegen replay --in FILE --port PORT [--mutate none|flip|truncate] [--seed N]\n"
		   "                [--from ADDR]\n"
		   "       framegen random --to ADDR:PORT --from ADDR --cluster NAME --sender ID [--count N] [--seed N]\n"
		   "Send crafted totem membership frames from ADDR (no authentication, or with\n"
		   "--key an envelope under that key); capture and replay a cluster's frames on\n"
		   "the loopback interface (root); send random datagrams.\n"
		   "LIST: node ids separated by commas, or A-B for a range.\n");
}

static int parse_list(const char *s, totem_nodeid_t *ids, size_t max, size_t *ret_n)
{
	size_t n = 0;
	char *copy = strdup(s), *save = NULL;

	if (copy == NULL)
		return -ENOMEM;
	for (char *tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
		unsigned long a, b;
		char *dash = strchr(tok, '-');

		a = strtoul(tok, NULL, 10);
		b = dash != NULL ? strtoul(dash + 1, NULL, 10) : a;
		for (unsigned long v = a; v <= b; v++) {
			if (n >= max || v == 0) {
				free(copy);
				return -EINVAL;
			}
			ids[n++] = (totem_nodeid_t)v;
		}
	}
	free(copy);
	*ret_n = n;
	return 0;
}

/* xorshift64*: reproducible with --seed */
static uint64_t rnd_state = 88172645463325252ull;
static uint64_t rnd(void)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 2685821657736338717ull;
}

/* A UDP socket bound to addr (any port); -1 after a message. */
static int socket_from(struct in_addr addr)
{
	struct sockaddr_in src = { .sin_family = AF_INET, .sin_addr = addr };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0) {
		perror("framegen: socket");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static int parse_to(const char *to, struct sockaddr_in *dst)
{
	char buf[64];
	char *colon;

	if (to == NULL || strlen(to) >= sizeof(buf))
		return -1;
	strcpy(buf, to);
	colon = strchr(buf, ':');
	if (colon == NULL)
		return -1;
	*colon = '\0';
	dst->sin_family = AF_INET;
	dst->sin_port = htons((uint16_t)atoi(colon + 1));
	return inet_pton(AF_INET, buf, &dst->sin_addr) == 1 ? 0 : -1;
}

/* ---- crafted membership frames ------------------------------------------ */

static int cmd_craft(const char *kind, const struct options *o)
{
	static uint8_t frame[FRAME_MAX], wire[FRAME_MAX];
	totem_nodeid_t ids[TOTEM_PROCESSORS_MAX];
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct in_addr from;
	struct net_wire_header h;
	struct crypto *c = NULL;
	size_t n_ids = 0, hlen = NET_WIRE_HEADER_LEN + (o->key != NULL ? NET_WIRE_SEQ_LEN : 0);
	size_t wlen;
	ssize_t len = -1;
	int fd;

	if (o->from == NULL || o->cluster == NULL || o->sender == 0 || parse_to(o->to, &dst) < 0 ||
	    inet_pton(AF_INET, o->from, &from) != 1 ||
	    parse_list(o->procs, ids, TOTEM_PROCESSORS_MAX, &n_ids) < 0) {
		usage(stderr);
		return 2;
	}
	if (strcmp(kind, "join") == 0) {
		struct wire_join j;

		memset(&j, 0, sizeof(j));
		j.hdr.sender = (totem_nodeid_t)o->sender;
		j.hdr.ring_id.rep = ids[0];
		j.hdr.ring_id.seq = o->seq;
		j.ring_seq = o->seq;
		j.proc_count = (uint16_t)n_ids;
		memcpy(j.proc, ids, n_ids * sizeof(ids[0]));
		len = wire_join_encode(&j, frame + hlen, WIRE_FRAME_MAX);
	} else if (strcmp(kind, "leave") == 0) {
		struct wire_header hdr = { .sender = (totem_nodeid_t)o->sender };

		hdr.ring_id.rep = ids[0];
		hdr.ring_id.seq = o->seq;
		len = wire_simple_encode(WIRE_LEAVE, &hdr, frame + hlen, WIRE_FRAME_MAX);
	} else {
		struct wire_commit cm;

		memset(&cm, 0, sizeof(cm));
		cm.hdr.sender = (totem_nodeid_t)o->sender;
		cm.hdr.ring_id.rep = ids[0];
		cm.hdr.ring_id.seq = o->seq;
		cm.memb_count = (uint16_t)n_ids;
		cm.memb_index = 1;
		for (size_t i = 0; i < n_ids; i++)
			cm.memb[i].nodeid = ids[i];
		len = wire_commit_encode(&cm, frame + hlen, WIRE_FRAME_MAX);
	}
	if (len < 0) {
		fprintf(stderr, "framegen: cannot encode: %s\n", strerror((int)-len));
		return 1;
	}
	h.magic = htole32(NET_MAGIC);
	h.version = htole16(o->key != NULL ? NET_VERSION_SEQ : NET_VERSION);
	h.flags = 0;
	h.cluster = htole32(net_cluster_hash(o->cluster));
	h.sender = htole32((uint32_t)o->sender);
	memcpy(frame, &h, sizeof(h));
	wlen = (size_t)len + hlen;
	if (o->key != NULL) {
		static uint8_t key[CRYPTO_KEY_MAX];
		char err[256];
		size_t keylen;
		uint64_t fseq = htole64(o->frameseq);

		memcpy(frame + NET_WIRE_HEADER_LEN, &fseq, sizeof(fseq));
		if (crypto_key_load(o->key, key, sizeof(key), &keylen, err, sizeof(err)) < 0 ||
		    crypto_create(AIS_CIPHER_AES256, AIS_HASH_SHA256, key, keylen, &c, err, sizeof(err)) < 0) {
			fprintf(stderr, "framegen: %s\n", err);
			return 1;
		}
		if (crypto_ops(c)->encrypt_and_sign(c, frame, wlen, wire, sizeof(wire), &wlen) < 0) {
			fprintf(stderr, "framegen: cannot protect the frame\n");
			return 1;
		}
		c = crypto_destroy(c);
		crypto_fini();
	} else {
		memcpy(wire, frame, wlen);
	}
	fd = socket_from(from);
	if (fd < 0)
		return 1;
	for (unsigned long i = 0; i < o->count; i++) {
		if (sendto(fd, wire, wlen, 0, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
			perror("framegen: sendto");
			return 1;
		}
	}
	close(fd);
	return 0;
}

/* ---- capture ------------------------------------------------------------- */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int cmd_capture(const struct options *o)
{
	static uint8_t pkt[FRAME_MAX + 128];
	struct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP) };
	unsigned long saved = 0;
	uint64_t end;
	FILE *out;
	int fd;

	if (o->out == NULL || o->port == 0 || o->port > 65535 || o->seconds == 0) {
		usage(stderr);
		return 2;
	}
	fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	if (fd < 0) {
		if (errno == EPERM || errno == EACCES) {
			fprintf(stderr, "framegen: capturing needs root (CAP_NET_RAW)\n");
			return 77;
		}
		perror("framegen: AF_PACKET socket");
		return 1;
	}
	ll.sll_ifindex = (int)if_nametoindex("lo");
	if (ll.sll_ifindex == 0 || bind(fd, (struct sockaddr *)&ll, sizeof(ll)) < 0) {
		perror("framegen: bind to lo");
		return 1;
	}
	out = fopen(o->out, "wb");
	if (out == NULL) {
		perror("framegen: open the capture file");
		return 1;
	}
	end = now_ms() + o->seconds * 1000u;
	while (saved < o->max) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct sockaddr_ll from;
		socklen_t fromlen = sizeof(from);
		uint64_t t = now_ms();
		const struct iphdr *ip = (const void *)pkt;
		const struct udphdr *udp;
		size_t ihl, ulen;
		ssize_t r;
		uint32_t le;

		if (t >= end)
			break;
		if (poll(&p, 1, (int)(end - t)) <= 0)
			continue;
		r = recvfrom(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&from, &fromlen);
		/* on lo every packet shows up twice: keep the incoming copy */
		if (r < (ssize_t)sizeof(*ip) || from.sll_pkttype == PACKET_OUTGOING)
			continue;
		ihl = (size_t)ip->ihl * 4;
		if (ip->version != 4 || ip->protocol != IPPROTO_UDP || ihl < sizeof(*ip) ||
		    (size_t)r < ihl + sizeof(*udp) || (ntohs(ip->frag_off) & 0x3fff) != 0)
			continue;
		udp = (const void *)(pkt + ihl);
		ulen = ntohs(udp->len);
		if (ntohs(udp->dest) != o->port || ulen < sizeof(*udp) || ihl + ulen > (size_t)r)
			continue;
		ulen -= sizeof(*udp);
		le = htole32((uint32_t)ulen);
		if (fwrite(&ip->saddr, 4, 1, out) != 1 || fwrite(&ip->daddr, 4, 1, out) != 1 ||
		    fwrite(&le, 4, 1, out) != 1 || fwrite(udp + 1, 1, ulen, out) != ulen) {
			perror("framegen: write");
			return 1;
		}
		saved++;
	}
	close(fd);
	if (fclose(out) != 0) {
		perror("framegen: write");
		return 1;
	}
	printf("%lu\n", saved);
	return 0;
}

/* ---- replay -------------------------------------------------------------- */

static int cmd_replay(const struct options *o)
{
	static uint8_t buf[FRAME_MAX];
	struct {
		uint32_t addr;
		int fd;
	} socks[16];
	size_t n_socks = 0;
	unsigned long sent = 0;
	struct in_addr from = { 0 };
	FILE *in;

	if (o->in == NULL || o->port == 0 || o->port > 65535 ||
	    (strcmp(o->mutate, "none") != 0 && strcmp(o->mutate, "flip") != 0 && strcmp(o->mutate, "truncate") != 0)) {
		usage(stderr);
		return 2;
	}
	if (o->from != NULL && inet_pton(AF_INET, o->from, &from) != 1) {
		usage(stderr);
		return 2;
	}
	in = fopen(o->in, "rb");
	if (in == NULL) {
		perror("framegen: open the capture file");
		return 1;
	}
	for (;;) {
		struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons((uint16_t)o->port) };
		uint32_t src, le;
		size_t len, i;
		int fd = -1;

		if (fread(&src, 4, 1, in) != 1)
			break;
		if (fread(&dst.sin_addr, 4, 1, in) != 1 || fread(&le, 4, 1, in) != 1 ||
		    (len = le32toh(le)) > sizeof(buf) || fread(buf, 1, len, in) != len) {
			fprintf(stderr, "framegen: damaged capture file\n");
			return 1;
		}
		if (o->from != NULL)
			src = from.s_addr;
		for (i = 0; i < n_socks; i++) {
			if (socks[i].addr == src)
				fd = socks[i].fd;
		}
		if (fd < 0) {
			if (n_socks == sizeof(socks) / sizeof(socks[0])) {
				fprintf(stderr, "framegen: too many source addresses\n");
				return 1;
			}
			fd = socket_from((struct in_addr){ .s_addr = src });
			if (fd < 0)
				return 1;
			socks[n_socks].addr = src;
			socks[n_socks++].fd = fd;
		}
		if (strcmp(o->mutate, "flip") == 0 && len > 0) {
			unsigned int flips = 1 + (unsigned int)(rnd() % 4);
			for (unsigned int k = 0; k < flips; k++) {
				uint64_t bit = rnd() % (len * 8);
				buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			}
		} else if (strcmp(o->mutate, "truncate") == 0 && len > 0) {
			len = (size_t)(rnd() % len);
		}
		if (sendto(fd, buf, len, 0, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
			perror("framegen: sendto");
			return 1;
		}
		sent++;
	}
	fclose(in);
	for (size_t i = 0; i < n_socks; i++)
		close(socks[i].fd);
	printf("%lu\n", sent);
	return 0;
}

/* ---- random -------------------------------------------------------------- */

static int cmd_random(const struct options *o)
{
	static uint8_t buf[1500];
	struct sockaddr_in dst = { .sin_family = AF_INET };
	struct in_addr from;
	int fd;

	if (o->from == NULL || o->cluster == NULL || o->sender == 0 || parse_to(o->to, &dst) < 0 ||
	    inet_pton(AF_INET, o->from, &from) != 1) {
		usage(stderr);
		return 2;
	}
	fd = socket_from(from);
	if (fd < 0)
		return 1;
	for (unsigned long i = 0; i < o->count; i++) {
		size_t len = (size_t)(rnd() % sizeof(buf));

		for (size_t k = 0; k < len; k++)
			buf[k] = (uint8_t)rnd();
		if ((i & 1) && len >= NET_WIRE_HEADER_LEN + NET_WIRE_SEQ_LEN) {
			struct net_wire_header h = {
				.magic = htole32(NET_MAGIC),
				.version = htole16(rnd() % 2 ? NET_VERSION : NET_VERSION_SEQ),
				.cluster = htole32(net_cluster_hash(o->cluster)),
				.sender = htole32((uint32_t)o->sender),
			};
			memcpy(buf, &h, sizeof(h));
		}
		if (sendto(fd, buf, len, 0, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
			perror("framegen: sendto");
			return 1;
		}
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },      { "from", required_argument, NULL, 'f' },
		{ "cluster", required_argument, NULL, 'c' }, { "sender", required_argument, NULL, 's' },
		{ "procs", required_argument, NULL, 'p' },   { "seq", required_argument, NULL, 'q' },
		{ "count", required_argument, NULL, 'n' },   { "key", required_argument, NULL, 'k' },
		{ "frameseq", required_argument, NULL, 'F' }, { "port", required_argument, NULL, 'P' },
		{ "out", required_argument, NULL, 'o' },     { "in", required_argument, NULL, 'i' },
		{ "seconds", required_argument, NULL, 'S' }, { "max", required_argument, NULL, 'm' },
		{ "mutate", required_argument, NULL, 'M' },  { "seed", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },          { NULL, 0, NULL, 0 },
	};
	struct options o = {
		.procs = "1", .mutate = "none", .count = 1, .seq = 1000000, .frameseq = 1, .max = 100000,
	};
	const char *cmd;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't': o.to = optarg; break;
		case 'f': o.from = optarg; break;
		case 'c': o.cluster = optarg; break;
		case 's': o.sender = strtoul(optarg, NULL, 10); break;
		case 'p': o.procs = optarg; break;
		case 'q': o.seq = strtoull(optarg, NULL, 10); break;
		case 'n': o.count = strtoul(optarg, NULL, 10); break;
		case 'k': o.key = optarg; break;
		case 'F': o.frameseq = strtoull(optarg, NULL, 10); break;
		case 'P': o.port = strtoul(optarg, NULL, 10); break;
		case 'o': o.out = optarg; break;
		case 'i': o.in = optarg; break;
		case 'S': o.seconds = strtoul(optarg, NULL, 10); break;
		case 'm': o.max = strtoul(optarg, NULL, 10); break;
		case 'M': o.mutate = optarg; break;
		case 'r': o.seed = strtoull(optarg, NULL, 10); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	if (o.seed != 0)
		rnd_state = o.seed;
	cmd = argv[optind];
	if (strcmp(cmd, "join") == 0 || strcmp(cmd, "leave") == 0 || strcmp(cmd, "commit") == 0)
		return cmd_craft(cmd, &o);
	if (strcmp(cmd, "capture") == 0)
		return cmd_capture(&o);
	if (strcmp(cmd, "replay") == 0)
		return cmd_replay(&o);
	if (strcmp(cmd, "random") == 0)
		return cmd_random(&o);
	usage(stderr);
	return 2;
}
