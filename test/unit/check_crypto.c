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
#include <pk11pub.h>

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

/*
 * A reference implementation of the wire format with NSS's one-shot calls
 * and a fresh IV from the random generator per frame: [IV][AES-CBC with
 * PKCS#7 padding][HMAC over IV and ciphertext], keys SHA-512(label || key).
 * The backend keeps long-lived contexts and derives its IVs from them; both
 * must read each other's frames.
 */
struct ref {
	PK11SlotInfo *slot;
	PK11SymKey *aes;
	PK11SymKey *mac;
	CK_MECHANISM_TYPE mac_mech;
	size_t digest_len;
};

static PK11SymKey *ref_key(struct ref *r, const char *label, CK_MECHANISM_TYPE mech, CK_ATTRIBUTE_TYPE op,
			   size_t len)
{
	uint8_t in[128], material[64];
	SECItem item = { .type = siBuffer, .data = material, .len = (unsigned int)len };
	size_t ll = strlen(label);

	memcpy(in, label, ll);
	memcpy(in + ll, key, sizeof(key));
	ck_assert(PK11_HashBuf(SEC_OID_SHA512, material, in, (PRInt32)(ll + sizeof(key))) == SECSuccess);
	return PK11_ImportSymKey(r->slot, mech, PK11_OriginUnwrap, op, &item, NULL);
}

static void ref_init(struct ref *r)
{
	r->slot = PK11_GetInternalSlot();
	r->mac_mech = CKM_SHA256_HMAC;
	r->digest_len = 32;
	r->aes = ref_key(r, "ais-cipher-key", CKM_AES_CBC_PAD, CKA_ENCRYPT, 32);
	r->mac = ref_key(r, "ais-hmac-key", r->mac_mech, CKA_SIGN, r->digest_len);
	ck_assert(r->slot != NULL && r->aes != NULL && r->mac != NULL);
}

static void ref_fini(struct ref *r)
{
	PK11_FreeSymKey(r->aes);
	PK11_FreeSymKey(r->mac);
	PK11_FreeSlot(r->slot);
}

static void ref_hmac(struct ref *r, const uint8_t *data, size_t len, uint8_t *out)
{
	SECItem noparams = { .type = siBuffer, .data = NULL, .len = 0 };
	SECItem sig = { .type = siBuffer, .data = out, .len = (unsigned int)r->digest_len };
	SECItem in = { .type = siBuffer, .data = (unsigned char *)(uintptr_t)data, .len = (unsigned int)len };

	ck_assert(PK11_SignWithSymKey(r->mac, r->mac_mech, &noparams, &sig, &in) == SECSuccess);
}

/* mech CKM_AES_CBC_PAD pads; CKM_AES_CBC takes len as it is (a multiple of 16) */
static size_t ref_encrypt(struct ref *r, CK_MECHANISM_TYPE mech, const uint8_t *in, size_t len, uint8_t *wire,
			  size_t max)
{
	SECItem iv = { .type = siBuffer, .data = wire, .len = 16 };
	unsigned int clen = 0;

	ck_assert(PK11_GenerateRandom(wire, 16) == SECSuccess);
	ck_assert(PK11_Encrypt(r->aes, mech, &iv, wire + 16, &clen, (unsigned int)(max - 16 - r->digest_len),
			       in, (unsigned int)len) == SECSuccess);
	ref_hmac(r, wire, 16 + clen, wire + 16 + clen);
	return 16 + clen + r->digest_len;
}

static size_t ref_decrypt(struct ref *r, const uint8_t *wire, size_t wlen, uint8_t *out, size_t max)
{
	SECItem iv = { .type = siBuffer, .data = (unsigned char *)(uintptr_t)wire, .len = 16 };
	uint8_t digest[64];
	size_t body = wlen - r->digest_len;
	unsigned int len = 0;

	ref_hmac(r, wire, body, digest);
	ck_assert_msg(memcmp(digest, wire + body, r->digest_len) == 0, "the reference refuses the HMAC");
	ck_assert(PK11_Decrypt(r->aes, CKM_AES_CBC_PAD, &iv, out, &len, (unsigned int)max, wire + 16,
			       (unsigned int)(body - 16)) == SECSuccess);
	return len;
}

static void pattern(uint8_t *buf, size_t len, unsigned seed)
{
	for (size_t i = 0; i < len; i++) {
		buf[i] = (uint8_t)(i * 31 + seed);
	}
}

/* Frames of the reference and of the backend, interleaved, every length
 * from 0 to 1500 bytes and then some large ones: each side reads the
 * other's, and the backend still reads its own in between. */
START_TEST(test_reference_interop)
{
	struct crypto *cr = make(AIS_CIPHER_AES256, AIS_HASH_SHA256, key);
	const struct crypto_ops *ops = crypto_ops(cr);
	static uint8_t in[9000], wire[9200], out[9200];
	size_t wlen = 0, olen = 0;
	struct ref r;

	ref_init(&r);
	for (size_t len = 0; len <= sizeof(in); len += len < 1500 ? 1 : 997) {
		pattern(in, len, (unsigned)len);
		wlen = ref_encrypt(&r, CKM_AES_CBC_PAD, in, len, wire, sizeof(wire));
		ck_assert_int_eq(ops->authenticate_and_decrypt(cr, wire, wlen, out, sizeof(out), &olen), 0);
		ck_assert_uint_eq(olen, len);
		ck_assert(memcmp(in, out, len) == 0);

		pattern(in, len, (unsigned)len + 1U);
		ck_assert_int_eq(ops->encrypt_and_sign(cr, in, len, wire, sizeof(wire), &wlen), 0);
		ck_assert_uint_eq(ref_decrypt(&r, wire, wlen, out, sizeof(out)), len);
		ck_assert(memcmp(in, out, len) == 0);
		ck_assert_int_eq(ops->authenticate_and_decrypt(cr, wire, wlen, out, sizeof(out), &olen), 0);
		ck_assert_uint_eq(olen, len);
		ck_assert(memcmp(in, out, len) == 0);
	}
	ref_fini(&r);
	crypto_destroy(cr);
}
END_TEST

static int iv_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

/* The same data twice never gives the same frame: the IVs of 4096 frames
 * of one backend, and of two backends with the same key, all differ. */
START_TEST(test_ivs_differ)
{
	enum { N = 4096 };
	struct crypto *a = make(AIS_CIPHER_AES256, AIS_HASH_SHA256, key);
	struct crypto *b = make(AIS_CIPHER_AES256, AIS_HASH_SHA256, key);
	static uint8_t ivs[2 * N][16];
	uint8_t in[100] = { 0 }, wire[200];
	size_t wlen = 0;

	for (size_t i = 0; i < 2 * N; i++) {
		struct crypto *c = i < N ? a : b;

		ck_assert_int_eq(crypto_ops(c)->encrypt_and_sign(c, in, sizeof(in), wire, sizeof(wire), &wlen), 0);
		memcpy(ivs[i], wire, 16);
	}
	qsort(ivs, 2 * N, 16, iv_cmp);
	for (size_t i = 1; i < 2 * N; i++) {
		ck_assert_msg(memcmp(ivs[i - 1], ivs[i], 16) != 0, "two frames share an IV");
	}
	crypto_destroy(a);
	crypto_destroy(b);
}
END_TEST

/* A frame that authenticates but whose padding is wrong (only a holder of
 * the key can make one) is refused, and the next frames still decrypt. */
START_TEST(test_bad_padding_refused)
{
	struct crypto *cr = make(AIS_CIPHER_AES256, AIS_HASH_SHA256, key);
	const struct crypto_ops *ops = crypto_ops(cr);
	uint8_t in[64], wire[200], out[200];
	size_t wlen = 0, olen = 0;
	struct ref r;
	static const uint8_t lasts[] = { 0, 2, 5, 16, 17, 200, 255 };

	ref_init(&r);
	for (size_t k = 0; k < sizeof(lasts); k++) {
		/* a pad length of 0 or over 16, or 2..16 over bytes that differ */
		pattern(in, sizeof(in), lasts[k]);
		in[sizeof(in) - 1] = lasts[k];
		in[sizeof(in) - 2] = (uint8_t)(lasts[k] + 1U);
		wlen = ref_encrypt(&r, CKM_AES_CBC, in, sizeof(in), wire, sizeof(wire));
		ck_assert_int_eq(ops->authenticate_and_decrypt(cr, wire, wlen, out, sizeof(out), &olen), -EBADMSG);
		wlen = ref_encrypt(&r, CKM_AES_CBC_PAD, in, sizeof(in), wire, sizeof(wire));
		ck_assert_int_eq(ops->authenticate_and_decrypt(cr, wire, wlen, out, sizeof(out), &olen), 0);
		ck_assert_uint_eq(olen, sizeof(in));
		ck_assert(memcmp(in, out, sizeof(in)) == 0);
	}
	ref_fini(&r);
	crypto_destroy(cr);
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
	tcase_add_test(tc, test_reference_interop);
	tcase_add_test(tc, test_ivs_differ);
	tcase_add_test(tc, test_bad_padding_refused);
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
