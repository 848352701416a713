/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame protection (exec/crypto.c): round trips for every cipher/hash pair,
 * tampering anywhere in a frame is refused, a frame made with another key is
 * refused, truncated frames are refused, key file checks.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "crypto.h"

static uint8_t key[64];
static uint8_t other_key[64];

static struct crypto *make(enum ais_crypto_cipher c, enum ais_crypto_hash h, const uint8_t *k)
{
	struct crypto *cr = NULL;
	char err[256] = "";

	ck_assert_msg(crypto_create(c, h, k, 64, &cr, err, sizeof(err)) == 0, "%s", err);
	return cr;
}

static void round_trip(enum ais_crypto_cipher c, enum ais_crypto_hash h)
{
	struct crypto *cr = make(c, h, key);
	const struct crypto_ops *ops = crypto_ops(cr);
	uint8_t in[1500], wire[1700], out[1700];
	size_t wlen = 0, olen = 0;

	for (size_t len = 0; len < sizeof(in); len += 97) {
		for (size_t i = 0; i < len; i++) {
			in[i] = (uint8_t)(i * 7 + len);
		}
		ck_assert_int_eq(ops->encrypt_and_sign(cr, in, len, wire, sizeof(wire), &wlen), 0);
		ck_assert_uint_le(wlen, len + ops->overhead(cr));
		if (c != AIS_CIPHER_NONE && len > 16) {
			ck_assert_msg(memcmp(wire + 16, in, 16) != 0, "payload visible in the clear");
		}
		ck_assert_int_eq(ops->authenticate_and_decrypt(cr, wire, wlen, out, sizeof(out), &olen), 0);
		ck_assert_uint_eq(olen, len);
		ck_assert(memcmp(in, out, len) == 0);
	}
	crypto_destroy(cr);
}

START_TEST(test_round_trips)
{
	static const enum ais_crypto_cipher ciphers[] = { AIS_CIPHER_NONE, AIS_CIPHER_AES128,
							  AIS_CIPHER_AES192, AIS_CIPHER_AES256 };
	static const enum ais_crypto_hash hashes[] = { AIS_HASH_SHA1, AIS_HASH_SHA256,
						       AIS_HASH_SHA384, AIS_HASH_SHA512 };

	for (size_t i = 0; i < 4; i++) {
		for (size_t j = 0; j < 4; j++) {
			round_trip(ciphers[i], hashes[j]);
		}
	}
	round_trip(AIS_CIPHER_NONE, AIS_HASH_NONE);
}
END_TEST

START_TEST(test_tamper_refused)
{
	struct crypto *cr = make(AIS_CIPHER_AES256, AIS_HASH_SHA256, key);
	const struct crypto_ops *ops = crypto_ops(cr);
	uint8_t in[300], wire[400], bad[400], out[400];
	size_t wlen = 0, olen = 0;

	memset(in, 0x5a, sizeof(in));
	ck_assert_int_eq(ops->encrypt_and_sign(cr, in, sizeof(in), wire, sizeof(wire), &wlen), 0);
	for (size_t pos = 0; pos < wlen; pos++) {
		memcpy(bad, wire, wlen);
		bad[pos] ^= 0x01;
		ck_assert_int_eq(ops->authenticate_and_decrypt(cr, bad, wlen, out, sizeof(out), &olen), -EBADMSG);
	}
	for (size_t len = 0; len < wlen; len++) {
		ck_assert_int_eq(ops->authenticate_and_decrypt(cr, wire, len, out, sizeof(out), &olen), -EBADMSG);
	}
	crypto_destroy(cr);
}
END_TEST

START_TEST(test_other_key_refused)
{
	struct crypto *a = make(AIS_CIPHER_AES128, AIS_HASH_SHA1, key);
	struct crypto *b = make(AIS_CIPHER_AES128, AIS_HASH_SHA1, other_key);
	uint8_t in[64] = "hello", wire[200], out[200];
	size_t wlen = 0, olen = 0;

	ck_assert_int_eq(crypto_ops(a)->encrypt_and_sign(a, in, sizeof(in), wire, sizeof(wire), &wlen), 0);
	ck_assert_int_eq(crypto_ops(b)->authenticate_and_decrypt(b, wire, wlen, out, sizeof(out), &olen), -EBADMSG);
	/* the hash-only backend authenticates too */
	struct crypto *c = make(AIS_CIPHER_NONE, AIS_HASH_SHA256, key);
	struct crypto *d = make(AIS_CIPHER_NONE, AIS_HASH_SHA256, other_key);
	ck_assert_int_eq(crypto_ops(c)->encrypt_and_sign(c, in, sizeof(in), wire, sizeof(wire), &wlen), 0);
	ck_assert_int_eq(crypto_ops(d)->authenticate_and_decrypt(d, wire, wlen, out, sizeof(out), &olen), -EBADMSG);
	crypto_destroy(a);
	crypto_destroy(b);
	crypto_destroy(c);
	crypto_destroy(d);
}
END_TEST

START_TEST(test_settings_refused)
{
	struct crypto *cr = NULL;
	char err[256];

	ck_assert_int_eq(crypto_create(AIS_CIPHER_AES256, AIS_HASH_NONE, key, 64, &cr, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(crypto_create(AIS_CIPHER_NONE, AIS_HASH_SHA256, key, 8, &cr, err, sizeof(err)), -EINVAL);
	ck_assert_int_eq(crypto_create(AIS_CIPHER_NONE, AIS_HASH_SHA256, NULL, 0, &cr, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_null(cr);
}
END_TEST

START_TEST(test_key_file)
{
	char path[] = "/tmp/check_crypto_keyXXXXXX";
	uint8_t buf[CRYPTO_KEY_MAX];
	size_t len = 0;
	char err[256];
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, key, sizeof(key)), (int)sizeof(key));
	fchmod(fd, 0400);
	ck_assert_int_eq(crypto_key_load(path, buf, sizeof(buf), &len, err, sizeof(err)), 0);
	ck_assert_uint_eq(len, sizeof(key));
	ck_assert(memcmp(buf, key, len) == 0);
	fchmod(fd, 0644);
	ck_assert_int_eq(crypto_key_load(path, buf, sizeof(buf), &len, err, sizeof(err)), -EACCES);
	fchmod(fd, 0600);
	ck_assert_int_eq(ftruncate(fd, 4), 0);
	ck_assert_int_eq(crypto_key_load(path, buf, sizeof(buf), &len, err, sizeof(err)), -EINVAL);
	close(fd);
	unlink(path);
	ck_assert_int_eq(crypto_key_load(path, buf, sizeof(buf), &len, err, sizeof(err)), -ENOENT);
}
END_TEST

static Suite *crypto_suite(void)
{
	Suite *s = suite_create("crypto");
	TCase *tc = tcase_create("nss");

	tcase_add_test(tc, test_round_trips);
	tcase_add_test(tc, test_tamper_refused);
	tcase_add_test(tc, test_other_key_refused);
	tcase_add_test(tc, test_settings_refused);
	tcase_add_test(tc, test_key_file);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(crypto_suite());
	int failed;

	for (size_t i = 0; i < sizeof(key); i++) {
		key[i] = (uint8_t)(i * 13 + 1);
		other_key[i] = (uint8_t)(i * 13 + 2);
	}
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	crypto_fini();
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
