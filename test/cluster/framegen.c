/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * framegen: send one crafted totem membership frame to a node, from a
 * chosen source address, as an attacker without the key would (no
 * secauth). Used by forged_frames.sh to check that the daemons drop
 * implausible frames instead of changing the membership.
 *
 *   framegen KIND --to ADDR:PORT --from ADDR --cluster NAME --sender ID
 *            [--procs LIST] [--seq N] [--count N]
 *   KIND: join (proc = LIST), leave, commit (members = LIST, first rotation)
 *   LIST: comma-separated node ids, or A-B for a range
 */
#include "config.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../exec/net_wire.h"
#include "../../exec/totem/wire.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: framegen join|leave|commit --to ADDR:PORT --from ADDR --cluster NAME --sender ID\n"
		   "                [--procs LIST] [--seq N] [--count N]\n"
		   "Send a crafted totem membership frame (no authentication) from ADDR.\n"
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

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },    { "from", required_argument, NULL, 'f' },
		{ "cluster", required_argument, NULL, 'c' }, { "sender", required_argument, NULL, 's' },
		{ "procs", required_argument, NULL, 'p' }, { "seq", required_argument, NULL, 'q' },
		{ "count", required_argument, NULL, 'n' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *to = NULL, *from = NULL, *cluster = NULL, *procs = "1";
	unsigned long sender = 0, count = 1;
	unsigned long long seq = 1000000;
	static uint8_t frame[WIRE_FRAME_MAX + NET_WIRE_HEADER_LEN];
	totem_nodeid_t ids[TOTEM_PROCESSORS_MAX];
	struct sockaddr_in dst = { .sin_family = AF_INET }, src = { .sin_family = AF_INET };
	struct net_wire_header h;
	size_t n_ids = 0;
	ssize_t len = -1;
	char *colon;
	int c, fd;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 't': to = optarg; break;
		case 'f': from = optarg; break;
		case 'c': cluster = optarg; break;
		case 's': sender = strtoul(optarg, NULL, 10); break;
		case 'p': procs = optarg; break;
		case 'q': seq = strtoull(optarg, NULL, 10); break;
		case 'n': count = strtoul(optarg, NULL, 10); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind + 1 != argc || to == NULL || from == NULL || cluster == NULL || sender == 0 ||
	    (colon = strchr(to, ':')) == NULL || parse_list(procs, ids, TOTEM_PROCESSORS_MAX, &n_ids) < 0) {
		usage(stderr);
		return 2;
	}
	*colon = '\0';
	dst.sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, to, &dst.sin_addr) != 1 || inet_pton(AF_INET, from, &src.sin_addr) != 1) {
		fprintf(stderr, "framegen: bad address\n");
		return 2;
	}

	if (strcmp(argv[optind], "join") == 0) {
		struct wire_join j;

		memset(&j, 0, sizeof(j));
		j.hdr.sender = (totem_nodeid_t)sender;
		j.hdr.ring_id.rep = ids[0];
		j.hdr.ring_id.seq = seq;
		j.ring_seq = seq;
		j.proc_count = (uint16_t)n_ids;
		memcpy(j.proc, ids, n_ids * sizeof(ids[0]));
		len = wire_join_encode(&j, frame + NET_WIRE_HEADER_LEN, WIRE_FRAME_MAX);
	} else if (strcmp(argv[optind], "leave") == 0) {
		struct wire_header hdr = { .sender = (totem_nodeid_t)sender };

		hdr.ring_id.rep = ids[0];
		hdr.ring_id.seq = seq;
		len = wire_simple_encode(WIRE_LEAVE, &hdr, frame + NET_WIRE_HEADER_LEN, WIRE_FRAME_MAX);
	} else if (strcmp(argv[optind], "commit") == 0) {
		struct wire_commit cm;

		memset(&cm, 0, sizeof(cm));
		cm.hdr.sender = (totem_nodeid_t)sender;
		cm.hdr.ring_id.rep = ids[0];
		cm.hdr.ring_id.seq = seq;
		cm.memb_count = (uint16_t)n_ids;
		cm.memb_index = 1;
		for (size_t i = 0; i < n_ids; i++)
			cm.memb[i].nodeid = ids[i];
		len = wire_commit_encode(&cm, frame + NET_WIRE_HEADER_LEN, WIRE_FRAME_MAX);
	} else {
		usage(stderr);
		return 2;
	}
	if (len < 0) {
		fprintf(stderr, "framegen: cannot encode: %s\n", strerror((int)-len));
		return 1;
	}
	h.magic = htole32(NET_MAGIC);
	h.version = htole16(NET_VERSION);
	h.flags = 0;
	h.cluster = htole32(net_cluster_hash(cluster));
	h.sender = htole32((uint32_t)sender);
	memcpy(frame, &h, sizeof(h));

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&src, sizeof(src)) < 0) {
		perror("framegen: socket");
		return 1;
	}
	for (unsigned long i = 0; i < count; i++) {
		if (sendto(fd, frame, (size_t)len + NET_WIRE_HEADER_LEN, 0, (struct sockaddr *)&dst, sizeof(dst)) < 0) {
			perror("framegen: sendto");
			return 1;
		}
	}
	close(fd);
	return 0;
}
