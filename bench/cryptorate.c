/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * cryptorate: what the daemon's frame protection (exec/crypto.c) costs per
 * frame, protect and check, for a few frame sizes, with the settings of
 * secauth (aes256 + sha256) and of hash-only authentication (sha256). One
 * thread, no network: the cost a daemon pays on its protocol thread.
 *
 *   cryptorate [SECS]      SECS per size and direction (default 0.5)
 *
 * Prints a markdown table and one line per row:
 *   RESULT bench=cryptorate cipher=C hash=H size=N encrypt_us=E decrypt_us=D
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto.h"

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint8_t plain[65536], wire[65536 + 256], back[65536 + 256];

/* us per call of op (0: protect, 1: check) on size bytes, run for secs */
static double rate(struct crypto *c, int op, size_t size, size_t wlen, double secs)
{
	const struct crypto_ops *ops = crypto_ops(c);
	double t0 = mono_s(), t = t0;
	unsigned long n = 0;
	size_t len = 0;

	while (t - t0 < secs) {
		for (int i = 0; i < 64; i++) {
			int r = op == 0 ? ops->encrypt_and_sign(c, plain, size, wire, sizeof(wire), &len)
					: ops->authenticate_and_decrypt(c, wire, wlen, back, sizeof(back), &len);
			if (r != 0) {
				fprintf(stderr, "cryptorate: %s failed: %d\n", op == 0 ? "protect" : "check", r);
				exit(1);
			}
		}
		n += 64;
		t = mono_s();
	}
	return (t - t0) * 1e6 / (double)n;
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 64, 1024, 1400, 8972, 65000 };
	static const struct {
		enum ais_crypto_cipher cipher;
		enum ais_crypto_hash hash;
		const char *cname, *hname;
	} modes[] = {
		{ AIS_CIPHER_AES256, AIS_HASH_SHA256, "aes256", "sha256" },
		{ AIS_CIPHER_NONE, AIS_HASH_SHA256, "none", "sha256" },
	};
	double secs = argc > 1 ? atof(argv[1]) : 0.5;
	uint8_t key[128];

	if (argc > 2 || secs <= 0) {
		fprintf(stderr, "usage: cryptorate [SECS]\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(key); i++) {
		key[i] = (uint8_t)(i * 37 + 11);
	}
	memset(plain, 0x5a, sizeof(plain));
	printf("| cipher | hash | frame bytes | protect us | check us | protect ns/B | check ns/B |\n");
	printf("|:---|:---|---:|---:|---:|---:|---:|\n");
	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		struct crypto *c = NULL;
		char err[256];

		if (crypto_create(modes[m].cipher, modes[m].hash, key, sizeof(key), &c, err, sizeof(err)) != 0) {
			fprintf(stderr, "cryptorate: %s\n", err);
			return 1;
		}
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
			size_t wlen = 0;
			double enc, dec;

			if (crypto_ops(c)->encrypt_and_sign(c, plain, sizes[s], wire, sizeof(wire), &wlen) != 0) {
				fprintf(stderr, "cryptorate: protect failed\n");
				return 1;
			}
			enc = rate(c, 0, sizes[s], 0, secs);
			crypto_ops(c)->encrypt_and_sign(c, plain, sizes[s], wire, sizeof(wire), &wlen);
			dec = rate(c, 1, sizes[s], wlen, secs);
			printf("| %s | %s | %zu | %.2f | %.2f | %.2f | %.2f |\n", modes[m].cname, modes[m].hname,
			       sizes[s], enc, dec, enc * 1000 / (double)sizes[s], dec * 1000 / (double)sizes[s]);
			fprintf(stderr, "RESULT bench=cryptorate cipher=%s hash=%s size=%zu encrypt_us=%.3f decrypt_us=%.3f\n",
				modes[m].cname, modes[m].hname, sizes[s], enc, dec);
		}
		crypto_destroy(c);
	}
	crypto_fini();
	return 0;
}
