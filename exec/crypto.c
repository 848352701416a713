/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frame protection backends (see crypto.h): the null backend and the NSS
 * backend (PK11 HMAC with SHA-1/SHA-2, AES-128/192/256-CBC with PKCS#7
 * padding). Authentication is checked before anything is decrypted, and
 * digests are compared in constant time. NSS runs without a certificate
 * database (NSS_NoDB_Init).
 *
 * The NSS backend keeps one HMAC, one encryption and one decryption context
 * for its whole life instead of creating them per frame: set-up and
 * tear-down cost more than the cryptography of a small frame. A CBC context
 * chains every block it has ever processed, which gives each frame its IV
 * for free:
 *  - Encryption feeds first the block (nonce XOR the context's chaining
 *    value, its last ciphertext block), which comes out as C0 = E_k(nonce):
 *    the IV, derived from a nonce with the forward cipher as NIST SP 800-38A
 *    appendix C describes. The frame's data follows, chained to C0. The
 *    nonce is a salt drawn at start-up and a counter, so no two frames of any
 *    node share one.
 *  - Decryption feeds C0 first and drops what comes out; each later block
 *    decrypts against the ciphertext block before it, C0 for the first.
 * So the wire format is standard AES-CBC with the IV in front
 * ([IV][AES-CBC-PKCS#7 of the data][HMAC of both]): an implementation that
 * creates a context per frame reads and writes the same frames.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nss.h>
#include <pk11pub.h>
#include <prerror.h>

#include "crypto.h"

#define CRYPTO_IV_LEN 16
#define CRYPTO_BLOCK 16
#define CRYPTO_DIGEST_MAX 64

struct crypto {
	const struct crypto_ops *ops;
	enum ais_crypto_cipher cipher;
	enum ais_crypto_hash hash;
	PK11SlotInfo *slot;
	PK11SymKey *cipher_key;
	PK11SymKey *hmac_key;
	CK_MECHANISM_TYPE hmac_mech;
	size_t digest_len;
	/* long-lived contexts (NULL: make anew before the next use, after a
	 * failure left one in an unknown state) */
	PK11Context *mac_ctx;
	PK11Context *enc_ctx;
	PK11Context *dec_ctx;
	/* enc_ctx's chaining value: the last ciphertext block it produced */
	uint8_t enc_chain[CRYPTO_BLOCK];
	/* IV nonces: a random salt and a counter */
	uint64_t nonce_salt;
	uint64_t nonce_count;
};

static bool crypto_nss_initialised;

/* ---- null backend --------------------------------------------------- */

static int crypto_null_copy(struct crypto *c, const void *in, size_t inlen,
			    void *out, size_t outmax, size_t *ret_len)
{
	(void)c;
	if (inlen > outmax) {
		return -ENOBUFS;
	}
	memcpy(out, in, inlen);
	*ret_len = inlen;
	return 0;
}

static size_t crypto_null_overhead(const struct crypto *c)
{
	(void)c;
	return 0;
}

static const struct crypto_ops crypto_null_ops = {
	.name = "none",
	.encrypt_and_sign = crypto_null_copy,
	.authenticate_and_decrypt = crypto_null_copy,
	.overhead = crypto_null_overhead,
};

/* ---- NSS backend ---------------------------------------------------- */

static size_t crypto_cipher_key_len(enum ais_crypto_cipher cipher)
{
	switch (cipher) {
	case AIS_CIPHER_AES256: return 32;
	case AIS_CIPHER_AES192: return 24;
	case AIS_CIPHER_AES128: return 16;
	case AIS_CIPHER_NONE: break;
	}
	return 0;
}

static int crypto_hash_params(enum ais_crypto_hash hash, CK_MECHANISM_TYPE *ret_mech, size_t *ret_len)
{
	switch (hash) {
	case AIS_HASH_SHA1: *ret_mech = CKM_SHA_1_HMAC; *ret_len = 20; return 0;
	case AIS_HASH_SHA256: *ret_mech = CKM_SHA256_HMAC; *ret_len = 32; return 0;
	case AIS_HASH_SHA384: *ret_mech = CKM_SHA384_HMAC; *ret_len = 48; return 0;
	case AIS_HASH_SHA512: *ret_mech = CKM_SHA512_HMAC; *ret_len = 64; return 0;
	case AIS_HASH_NONE: break;
	}
	return -EINVAL;
}

/* SHA-512(label || key): 64 bytes of derived key material. */
static int crypto_key_derive(const char *label, const uint8_t *key, size_t keylen, uint8_t out[64])
{
	PK11Context *ctx = PK11_CreateDigestContext(SEC_OID_SHA512);
	unsigned int len = 0;
	int r = -EIO;

	if (ctx == NULL) {
		return -EIO;
	}
	if (PK11_DigestBegin(ctx) == SECSuccess &&
	    PK11_DigestOp(ctx, (const unsigned char *)label, (unsigned int)strlen(label)) == SECSuccess &&
	    PK11_DigestOp(ctx, key, (unsigned int)keylen) == SECSuccess &&
	    PK11_DigestFinal(ctx, out, &len, 64) == SECSuccess && len == 64) {
		r = 0;
	}
	PK11_DestroyContext(ctx, PR_TRUE);
	return r;
}

static PK11SymKey *crypto_key_import(PK11SlotInfo *slot, CK_MECHANISM_TYPE mech, CK_FLAGS flags,
				     uint8_t *bytes, size_t len)
{
	SECItem item = { .type = siBuffer, .data = bytes, .len = (unsigned int)len };

	return PK11_ImportSymKeyWithFlags(slot, mech, PK11_OriginUnwrap, CKA_FLAGS_ONLY, &item,
					  flags, PR_FALSE, NULL);
}

static PK11Context *crypto_context_drop(PK11Context *ctx)
{
	if (ctx != NULL) {
		PK11_DestroyContext(ctx, PR_TRUE);
	}
	return NULL;
}

static PK11Context *crypto_mac_context(struct crypto *c)
{
	SECItem noparams = { .type = siBuffer, .data = NULL, .len = 0 };

	return PK11_CreateContextBySymKey(c->hmac_mech, CKA_SIGN, c->hmac_key, &noparams);
}

static int crypto_hmac(struct crypto *c, const uint8_t *data, size_t len, uint8_t *out)
{
	unsigned int outlen = 0;

	if (c->mac_ctx == NULL) {
		c->mac_ctx = crypto_mac_context(c);
		if (c->mac_ctx == NULL) {
			return -EIO;
		}
	}
	if (PK11_DigestBegin(c->mac_ctx) == SECSuccess &&
	    PK11_DigestOp(c->mac_ctx, data, (unsigned int)len) == SECSuccess &&
	    PK11_DigestFinal(c->mac_ctx, out, &outlen, CRYPTO_DIGEST_MAX) == SECSuccess &&
	    outlen == c->digest_len) {
		return 0;
	}
	c->mac_ctx = crypto_context_drop(c->mac_ctx);
	return -EIO;
}

/* A CBC context (no padding: the backend pads) that starts from a zero IV. */
static PK11Context *crypto_cbc_context(struct crypto *c, CK_ATTRIBUTE_TYPE op)
{
	static const uint8_t zero[CRYPTO_IV_LEN];
	SECItem iv_item = { .type = siBuffer, .data = (unsigned char *)(uintptr_t)zero, .len = CRYPTO_IV_LEN };
	SECItem *param = PK11_ParamFromIV(CKM_AES_CBC, &iv_item);
	PK11Context *ctx;

	if (param == NULL) {
		return NULL;
	}
	ctx = PK11_CreateContextBySymKey(CKM_AES_CBC, op, c->cipher_key, param);
	SECITEM_FreeItem(param, PR_TRUE);
	return ctx;
}

/* Feed len bytes (a multiple of the block) through ctx into out. */
static bool crypto_cbc_op(PK11Context *ctx, uint8_t *out, const uint8_t *in, size_t len)
{
	int outlen = 0;

	return PK11_CipherOp(ctx, out, &outlen, (int)len, in, (int)len) == SECSuccess &&
	       outlen == (int)len;
}

/* out gets C0 (the IV) and the CBC encryption of in with PKCS#7 padding:
 * CRYPTO_IV_LEN + (inlen / 16 + 1) * 16 bytes, which the caller has room for. */
static int crypto_cbc_encrypt(struct crypto *c, const uint8_t *in, size_t inlen, uint8_t *out,
			      size_t *ret_len)
{
	size_t full = inlen - inlen % CRYPTO_BLOCK;
	uint8_t first[CRYPTO_BLOCK], last[CRYPTO_BLOCK];
	uint8_t pad = (uint8_t)(CRYPTO_BLOCK - inlen % CRYPTO_BLOCK);
	uint64_t count = c->nonce_count++;
	size_t len;

	if (c->enc_ctx == NULL) {
		c->enc_ctx = crypto_cbc_context(c, CKA_ENCRYPT);
		if (c->enc_ctx == NULL) {
			return -EIO;
		}
		memset(c->enc_chain, 0, sizeof(c->enc_chain));
	}
	memcpy(first, &c->nonce_salt, 8);
	memcpy(first + 8, &count, 8);
	for (size_t i = 0; i < CRYPTO_BLOCK; i++) {
		first[i] ^= c->enc_chain[i];
	}
	memcpy(last, in + full, inlen - full);
	memset(last + (inlen - full), pad, pad);
	len = CRYPTO_IV_LEN + full + CRYPTO_BLOCK;
	if (!crypto_cbc_op(c->enc_ctx, out, first, CRYPTO_BLOCK) ||
	    (full > 0 && !crypto_cbc_op(c->enc_ctx, out + CRYPTO_IV_LEN, in, full)) ||
	    !crypto_cbc_op(c->enc_ctx, out + CRYPTO_IV_LEN + full, last, CRYPTO_BLOCK)) {
		c->enc_ctx = crypto_context_drop(c->enc_ctx);
		return -EIO;
	}
	memcpy(c->enc_chain, out + len - CRYPTO_BLOCK, CRYPTO_BLOCK);
	*ret_len = len;
	return 0;
}

/* in: C0 (the IV) and the ciphertext, clen bytes, a multiple of the block
 * and at least two blocks; out gets the data without its padding. */
static int crypto_cbc_decrypt(struct crypto *c, const uint8_t *in, size_t clen, uint8_t *out,
			      size_t *ret_len)
{
	size_t len = clen - CRYPTO_IV_LEN;
	uint8_t scratch[CRYPTO_BLOCK];
	uint8_t pad;

	if (c->dec_ctx == NULL) {
		c->dec_ctx = crypto_cbc_context(c, CKA_DECRYPT);
		if (c->dec_ctx == NULL) {
			return -EIO;
		}
	}
	if (!crypto_cbc_op(c->dec_ctx, scratch, in, CRYPTO_BLOCK) ||
	    !crypto_cbc_op(c->dec_ctx, out, in + CRYPTO_IV_LEN, len)) {
		c->dec_ctx = crypto_context_drop(c->dec_ctx);
		return -EIO;
	}
	pad = out[len - 1];
	if (pad == 0 || pad > CRYPTO_BLOCK) {
		return -EBADMSG;
	}
	for (size_t i = len - pad; i < len; i++) {
		if (out[i] != pad) {
			return -EBADMSG;
		}
	}
	*ret_len = len - pad;
	return 0;
}

static size_t crypto_nss_overhead(const struct crypto *c)
{
	size_t o = c->digest_len;

	if (c->cipher != AIS_CIPHER_NONE) {
		o += CRYPTO_IV_LEN + CRYPTO_BLOCK;
	}
	return o;
}

static int crypto_nss_encrypt_and_sign(struct crypto *c, const void *in, size_t inlen,
				       void *out, size_t outmax, size_t *ret_len)
{
	uint8_t *o = out;
	size_t body;
	int r;

	if (inlen > (size_t)INT32_MAX / 2 || outmax < inlen + crypto_nss_overhead(c)) {
		return -ENOBUFS;
	}
	if (c->cipher == AIS_CIPHER_NONE) {
		memcpy(o, in, inlen);
		body = inlen;
	} else {
		r = crypto_cbc_encrypt(c, in, inlen, o, &body);
		if (r < 0) {
			return r;
		}
	}
	r = crypto_hmac(c, o, body, o + body);
	if (r < 0) {
		return r;
	}
	*ret_len = body + c->digest_len;
	return 0;
}

static int crypto_nss_authenticate_and_decrypt(struct crypto *c, const void *in, size_t inlen,
					       void *out, size_t outmax, size_t *ret_len)
{
	const uint8_t *i = in;
	uint8_t digest[CRYPTO_DIGEST_MAX];
	size_t body;
	int r;

	if (inlen < c->digest_len || inlen > (size_t)INT32_MAX / 2) {
		return -EBADMSG;
	}
	body = inlen - c->digest_len;
	r = crypto_hmac(c, i, body, digest);
	if (r < 0) {
		return r;
	}
	if (NSS_SecureMemcmp(digest, i + body, c->digest_len) != 0) {
		return -EBADMSG;
	}
	if (c->cipher == AIS_CIPHER_NONE) {
		if (body > outmax) {
			return -ENOBUFS;
		}
		memcpy(out, i, body);
		*ret_len = body;
		return 0;
	}
	if (body < CRYPTO_IV_LEN + CRYPTO_BLOCK || (body - CRYPTO_IV_LEN) % CRYPTO_BLOCK != 0) {
		return -EBADMSG;
	}
	if (outmax < body - CRYPTO_IV_LEN) {
		return -ENOBUFS;
	}
	r = crypto_cbc_decrypt(c, i, body, out, ret_len);
	return r < 0 ? -EBADMSG : 0;
}

static const struct crypto_ops crypto_nss_ops = {
	.name = "nss",
	.encrypt_and_sign = crypto_nss_encrypt_and_sign,
	.authenticate_and_decrypt = crypto_nss_authenticate_and_decrypt,
	.overhead = crypto_nss_overhead,
};

static int crypto_nss_setup(struct crypto *c, const uint8_t *key, size_t keylen, char *err, size_t errlen)
{
	uint8_t material[64];
	int r;

	if (!crypto_nss_initialised) {
		if (NSS_NoDB_Init(NULL) != SECSuccess) {
			snprintf(err, errlen, "NSS initialisation failed (NSS error %d)", PR_GetError());
			return -EIO;
		}
		crypto_nss_initialised = true;
	}
	c->slot = PK11_GetInternalSlot();
	if (c->slot == NULL) {
		snprintf(err, errlen, "NSS has no internal slot");
		return -EIO;
	}
	r = crypto_key_derive("ais-hmac-key", key, keylen, material);
	if (r == 0) {
		c->hmac_key = crypto_key_import(c->slot, c->hmac_mech, CKF_SIGN, material, c->digest_len);
		if (c->hmac_key == NULL || (c->mac_ctx = crypto_mac_context(c)) == NULL) {
			r = -EIO;
		}
	}
	if (r == 0 && c->cipher != AIS_CIPHER_NONE) {
		r = crypto_key_derive("ais-cipher-key", key, keylen, material);
		if (r == 0) {
			c->cipher_key = crypto_key_import(c->slot, CKM_AES_CBC, CKF_ENCRYPT | CKF_DECRYPT,
							  material, crypto_cipher_key_len(c->cipher));
			if (c->cipher_key == NULL ||
			    PK11_GenerateRandom((unsigned char *)&c->nonce_salt, sizeof(c->nonce_salt)) != SECSuccess ||
			    (c->enc_ctx = crypto_cbc_context(c, CKA_ENCRYPT)) == NULL ||
			    (c->dec_ctx = crypto_cbc_context(c, CKA_DECRYPT)) == NULL) {
				r = -EIO;
			}
		}
	}
	memset(material, 0, sizeof(material));
	if (r < 0) {
		snprintf(err, errlen, "NSS could not set up the keys (NSS error %d)", PR_GetError());
	}
	return r;
}

int crypto_create(enum ais_crypto_cipher cipher, enum ais_crypto_hash hash,
		  const uint8_t *key, size_t keylen, struct crypto **ret, char *err, size_t errlen)
{
	struct crypto *c;
	int r;

	if (cipher != AIS_CIPHER_NONE && hash == AIS_HASH_NONE) {
		snprintf(err, errlen, "crypto_cipher needs a crypto_hash");
		return -EINVAL;
	}
	if (crypto_cipher_key_len(cipher) == 0 && cipher != AIS_CIPHER_NONE) {
		snprintf(err, errlen, "unknown crypto_cipher %d", (int)cipher);
		return -EINVAL;
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	c->cipher = cipher;
	c->hash = hash;
	if (hash == AIS_HASH_NONE) {
		c->ops = &crypto_null_ops;
		*ret = c;
		return 0;
	}
	c->ops = &crypto_nss_ops;
	if (crypto_hash_params(hash, &c->hmac_mech, &c->digest_len) < 0) {
		snprintf(err, errlen, "unknown crypto_hash %d", (int)hash);
		free(c);
		return -EINVAL;
	}
	if (key == NULL || keylen < CRYPTO_KEY_MIN || keylen > CRYPTO_KEY_MAX) {
		snprintf(err, errlen, "a key of %d..%d bytes is needed", CRYPTO_KEY_MIN, CRYPTO_KEY_MAX);
		free(c);
		return -EINVAL;
	}
	r = crypto_nss_setup(c, key, keylen, err, errlen);
	if (r < 0) {
		crypto_destroy(c);
		return r;
	}
	*ret = c;
	return 0;
}

struct crypto *crypto_destroy(struct crypto *c)
{
	if (c == NULL) {
		return NULL;
	}
	crypto_context_drop(c->mac_ctx);
	crypto_context_drop(c->enc_ctx);
	crypto_context_drop(c->dec_ctx);
	if (c->cipher_key != NULL) {
		PK11_FreeSymKey(c->cipher_key);
	}
	if (c->hmac_key != NULL) {
		PK11_FreeSymKey(c->hmac_key);
	}
	if (c->slot != NULL) {
		PK11_FreeSlot(c->slot);
	}
	free(c);
	return NULL;
}

const struct crypto_ops *crypto_ops(const struct crypto *c)
{
	return c->ops;
}

bool crypto_authenticates(const struct crypto *c)
{
	return c->ops != &crypto_null_ops;
}

int crypto_key_load(const char *path, uint8_t *buf, size_t bufmax, size_t *ret_len,
		    char *err, size_t errlen)
{
	struct stat st;
	ssize_t n;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	int r = 0;

	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot open key file %s: %s", path, strerror(errno));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		snprintf(err, errlen, "cannot stat key file %s: %s", path, strerror(errno));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode) || (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		snprintf(err, errlen, "key file %s must be a regular file readable only by its owner", path);
		r = -EACCES;
		goto out_close;
	}
	if (st.st_size < CRYPTO_KEY_MIN || st.st_size > CRYPTO_KEY_MAX || (size_t)st.st_size > bufmax) {
		snprintf(err, errlen, "key file %s has %lld bytes; %d..%d are accepted", path,
			 (long long)st.st_size, CRYPTO_KEY_MIN, CRYPTO_KEY_MAX);
		r = -EINVAL;
		goto out_close;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			snprintf(err, errlen, "cannot read key file %s", path);
			goto out_close;
		}
		got += (size_t)n;
	}
	*ret_len = got;
out_close:
	close(fd);
	return r;
}

void crypto_fini(void)
{
	if (crypto_nss_initialised) {
		NSS_Shutdown();
		crypto_nss_initialised = false;
	}
}
