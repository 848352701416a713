/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz driver for `make check`: links with one target's
 * LLVMFuzzerTestOneInput(), feeds it every file of the seed corpus
 * ($FUZZ_CORPUS_DIR/<target>/), then FUZZ_ITERATIONS seeded mutations of
 * those seeds (bit flips, byte sets, truncations, extensions, splices of two
 * seeds). It is not coverage guided (that is what `make fuzz` with libFuzzer
 * is for); it is a bounded, reproducible sweep that runs under the
 * sanitizers on every CI build. The seed is printed; FUZZ_SEED replays it.
 * argv[0]'s basename names the target. A missing, unreadable or empty corpus
 * directory fails the test: a target that ran no seeds tested nothing.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SEEDS_MAX 256
#define INPUT_MAX (256 * 1024)

struct seed {
	uint8_t *data;
	size_t len;
};

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	/* splitmix64: small, good enough for choosing mutations */
	uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static int seed_load(const char *path, struct seed *ret)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL) {
		return -errno;
	}
	uint8_t *buf = malloc(INPUT_MAX);
	if (buf == NULL) {
		fclose(f);
		return -ENOMEM;
	}
	size_t n = fread(buf, 1, INPUT_MAX, f);
	fclose(f);
	ret->data = buf;
	ret->len = n;
	return 0;
}

static size_t mutate(uint8_t *buf, size_t len, const struct seed *seeds, size_t n_seeds)
{
	unsigned rounds = 1 + (unsigned)(rng_next() % 8);
	for (unsigned r = 0; r < rounds; r++) {
		switch (rng_next() % 7) {
		case 0: /* flip a bit */
			if (len > 0) {
				buf[rng_next() % len] ^= (uint8_t)(1u << (rng_next() % 8));
			}
			break;
		case 1: /* set a byte to an interesting value */
			if (len > 0) {
				static const uint8_t vals[] = {0, 1, 0x7f, 0x80, 0xff, 0xfe, 2, 0x10};
				buf[rng_next() % len] = vals[rng_next() % sizeof(vals)];
			}
			break;
		case 2: /* truncate */
			if (len > 0) {
				len = (size_t)(rng_next() % len);
			}
			break;
		case 3: /* extend with random bytes */
		{
			size_t add = (size_t)(rng_next() % 64);
			if (len + add > INPUT_MAX) {
				add = INPUT_MAX - len;
			}
			for (size_t i = 0; i < add; i++) {
				buf[len + i] = (uint8_t)rng_next();
			}
			len += add;
			break;
		}
		case 4: /* overwrite a 32-bit field with a large value */
			if (len >= 4) {
				size_t at = (size_t)(rng_next() % (len - 3));
				uint32_t v = (rng_next() & 1) ? UINT32_MAX : (uint32_t)rng_next();
				memcpy(buf + at, &v, 4);
			}
			break;
		case 5: /* splice the tail of another seed */
			if (n_seeds > 0) {
				const struct seed *o = &seeds[rng_next() % n_seeds];
				if (o->len > 0) {
					size_t from = (size_t)(rng_next() % o->len);
					size_t at = len ? (size_t)(rng_next() % len) : 0;
					size_t n = o->len - from;
					if (at + n > INPUT_MAX) {
						n = INPUT_MAX - at;
					}
					memcpy(buf + at, o->data + from, n);
					len = at + n;
				}
			}
			break;
		default: /* random byte */
			if (len > 0) {
				buf[rng_next() % len] = (uint8_t)rng_next();
			}
			break;
		}
	}
	return len;
}

int main(int argc, char **argv)
{
	char *argv0 = strdup(argv[0]);
	const char *target = basename(argv0);
	const char *corpus = getenv("FUZZ_CORPUS_DIR");
	const char *iters_env = getenv("FUZZ_ITERATIONS");
	const char *seed_env = getenv("FUZZ_SEED");
	unsigned long iterations = iters_env ? strtoul(iters_env, NULL, 10) : 20000;
	uint64_t seed = seed_env ? strtoull(seed_env, NULL, 0) : (uint64_t)time(NULL);
	static struct seed seeds[SEEDS_MAX];
	size_t n_seeds = 0;
	char dir[4096];

	(void)argc;
	if (strncmp(target, "lt-", 3) == 0) {
		target += 3;
	}
	snprintf(dir, sizeof(dir), "%s/%s", corpus ? corpus : "corpus", target);
	DIR *d = opendir(dir);
	if (d == NULL) {
		/* a target without its corpus would pass having tested nothing */
		fprintf(stderr, "%s: FAIL: cannot open the seed corpus %s: %s\n", target, dir, strerror(errno));
		free(argv0);
		return 1;
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL && n_seeds < SEEDS_MAX) {
		char path[8192];
		if (de->d_name[0] == '.') {
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		int r = seed_load(path, &seeds[n_seeds]);
		if (r < 0) {
			fprintf(stderr, "%s: FAIL: cannot read seed %s: %s\n", target, path, strerror(-r));
			closedir(d);
			free(argv0);
			return 1;
		}
		n_seeds++;
	}
	closedir(d);
	if (n_seeds == 0) {
		fprintf(stderr, "%s: FAIL: the seed corpus %s is empty\n", target, dir);
		free(argv0);
		return 1;
	}
	printf("%s: %zu seeds from %s, %lu mutations, FUZZ_SEED=%" PRIu64 "\n",
	       target, n_seeds, dir, iterations, seed);
	fflush(stdout);
	rng_state = seed;
	for (size_t i = 0; i < n_seeds; i++) {
		LLVMFuzzerTestOneInput(seeds[i].data, seeds[i].len);
	}
	uint8_t *buf = malloc(INPUT_MAX);
	if (buf == NULL) {
		return 1;
	}
	for (unsigned long i = 0; i < iterations; i++) {
		size_t len = 0;
		if (n_seeds > 0) {
			const struct seed *s = &seeds[rng_next() % n_seeds];
			memcpy(buf, s->data, s->len);
			len = s->len;
		}
		len = mutate(buf, len, seeds, n_seeds);
		LLVMFuzzerTestOneInput(buf, len);
	}
	free(buf);
	for (size_t i = 0; i < n_seeds; i++) {
		free(seeds[i].data);
	}
	printf("%s: ok\n", target);
	free(argv0);
	return 0;
}
