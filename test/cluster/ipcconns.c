/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Holds connections to one service of a live daemon, for tests that look at
 * what connections cost the daemon (ipc_rings.sh, ipc_heap.sh).
 *
 *   ipcconns SERVICE N [ROUNDS]
 *
 * Each round opens N connections through the client core (as the libraries
 * do), prints "opened N", waits for a line on stdin, closes them all and
 * prints "closed". Exits 0 after ROUNDS rounds (default 1), 1 when a
 * connection is refused (the error is printed), 2 on bad arguments.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/ais_client.h"

int main(int argc, char **argv)
{
	struct ais_client **c;
	char line[64];
	long n, rounds = 1;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: ipcconns SERVICE N [ROUNDS]\n");
		return 2;
	}
	n = strtol(argv[2], NULL, 10);
	if (argc == 4)
		rounds = strtol(argv[3], NULL, 10);
	if (n < 1 || n > 100000 || rounds < 1) {
		fprintf(stderr, "ipcconns: bad count\n");
		return 2;
	}
	c = calloc((size_t)n, sizeof(*c));
	if (c == NULL)
		return 1;
	for (long r = 0; r < rounds; r++) {
		for (long i = 0; i < n; i++) {
			int e = ais_client_connect(argv[1], &c[i]);

			if (e < 0) {
				fprintf(stderr, "ipcconns: connection %ld to %s: %s\n", i + 1, argv[1], strerror(-e));
				return 1;
			}
		}
		printf("opened %ld\n", n);
		fflush(stdout);
		if (fgets(line, sizeof(line), stdin) == NULL) {
			/* the test went away: close and stop */
			rounds = r + 1;
		}
		for (long i = 0; i < n; i++)
			ais_client_disconnect(c[i]);
		printf("closed\n");
		fflush(stdout);
	}
	free(c);
	return 0;
}
