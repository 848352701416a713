/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ais-keygen: write a new random authentication key for totem { secauth } /
 * crypto_cipher / crypto_hash (default /etc/ais/authkey, mode 0400). The
 * random bytes come from NSS (PK11_GenerateRandom), or with -l from the
 * kernel's getrandom(2) without initialising NSS. The key is written to a
 * temporary file in the target directory and renamed into place, so a
 * reader never sees half a key; an existing key is kept unless -f is given.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nss.h>
#include <pk11pub.h>

#define KEYGEN_DEFAULT_FILE "/etc/ais/authkey"
#define KEYGEN_DEFAULT_BITS 2048
/* The daemon accepts keys of 16..4096 bytes (exec/crypto.h). */
#define KEYGEN_MIN_BITS 128
#define KEYGEN_MAX_BITS 32768

static const char *arg_file = KEYGEN_DEFAULT_FILE;
static bool arg_kernel;
static bool arg_force;
static unsigned long arg_bits = KEYGEN_DEFAULT_BITS;

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: ais-keygen [-k FILE] [-s BITS] [-l] [-f]\n"
	        "\n"
	        "Write a new random key for aisexec's totem { secauth } / crypto settings.\n"
	        "\n"
	        "  -k, --key-file FILE  where to write the key (default %s)\n"
	        "  -s, --size BITS      key size in bits, a multiple of 8 in %d..%d (default %d)\n"
	        "  -l, --less-secure    take the random bytes from getrandom(2) instead of NSS\n"
	        "  -f, --force          replace an existing key file\n"
	        "  -h, --help           show this help\n"
	        "  -V, --version        show the version\n"
	        "\n"
	        "The file is created with mode 0400. Copy the same key to every node.\n",
	        KEYGEN_DEFAULT_FILE, KEYGEN_MIN_BITS, KEYGEN_MAX_BITS, KEYGEN_DEFAULT_BITS);
}

static int random_nss(unsigned char *buf, size_t len)
{
	SECStatus s;

	if (NSS_NoDB_Init(NULL) != SECSuccess) {
		fprintf(stderr, "ais-keygen: cannot initialise NSS (error %d)\n", PORT_GetError());
		return -EIO;
	}
	s = PK11_GenerateRandom(buf, (int)len);
	NSS_Shutdown();
	if (s != SECSuccess) {
		fprintf(stderr, "ais-keygen: NSS could not generate random bytes (error %d)\n", PORT_GetError());
		return -EIO;
	}
	return 0;
}

static int random_kernel(unsigned char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = getrandom(buf + done, len - done, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "ais-keygen: getrandom: %s\n", strerror(errno));
			return -errno;
		}
		done += (size_t)n;
	}
	return 0;
}

static int write_all(int fd, const unsigned char *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, buf + done, len - done);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += (size_t)n;
	}
	return 0;
}

/** Write the key into a temporary file next to path and rename it over. */
static int key_write(const char *path, const unsigned char *key, size_t len)
{
	char tmp[PATH_MAX], dir_buf[PATH_MAX];
	struct stat st;
	int fd, r;

	if (!arg_force && lstat(path, &st) == 0) {
		fprintf(stderr, "ais-keygen: %s already exists; use -f to replace it\n", path);
		return -EEXIST;
	}
	snprintf(dir_buf, sizeof(dir_buf), "%s", path);
	if (snprintf(tmp, sizeof(tmp), "%s/.authkey.XXXXXX", dirname(dir_buf)) >= (int)sizeof(tmp)) {
		fprintf(stderr, "ais-keygen: path too long: %s\n", path);
		return -ENAMETOOLONG;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		r = -errno;
		fprintf(stderr, "ais-keygen: cannot create a file next to %s: %s\n", path, strerror(-r));
		return r;
	}
	r = fchmod(fd, 0400) < 0 ? -errno : 0;
	if (r == 0)
		r = write_all(fd, key, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && !arg_force && link(tmp, path) < 0)
		r = -errno; /* link() refuses to replace a file created meanwhile */
	else if (r == 0 && arg_force && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0 || !arg_force)
		unlink(tmp);
	if (r < 0)
		fprintf(stderr, "ais-keygen: cannot write %s: %s\n", path, strerror(-r));
	return r;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key-file", required_argument, NULL, 'k' },
		{ "size", required_argument, NULL, 's' },
		{ "less-secure", no_argument, NULL, 'l' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned char *key;
	size_t len;
	char *end;
	int opt, r;

	while ((opt = getopt_long(argc, argv, "k:s:lfhV", opts, NULL)) != -1) {
		switch (opt) {
		case 'k':
			arg_file = optarg;
			break;
		case 's':
			errno = 0;
			arg_bits = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || arg_bits < KEYGEN_MIN_BITS ||
			    arg_bits > KEYGEN_MAX_BITS || arg_bits % 8) {
				fprintf(stderr, "ais-keygen: bad key size '%s': a multiple of 8 in %d..%d\n",
				        optarg, KEYGEN_MIN_BITS, KEYGEN_MAX_BITS);
				return 2;
			}
			break;
		case 'l':
			arg_kernel = true;
			break;
		case 'f':
			arg_force = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("ais-keygen (" PACKAGE_NAME ") " PACKAGE_VERSION "\n");
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc || !*arg_file) {
		usage(stderr);
		return 2;
	}
	len = arg_bits / 8;
	key = malloc(len);
	if (!key) {
		fprintf(stderr, "ais-keygen: out of memory\n");
		return 1;
	}
	r = arg_kernel ? random_kernel(key, len) : random_nss(key, len);
	if (r == 0)
		r = key_write(arg_file, key, len);
	explicit_bzero(key, len);
	free(key);
	if (r < 0)
		return 1;
	printf("wrote a %lu-bit key to %s (mode 0400)\n", arg_bits, arg_file);
	return 0;
}
