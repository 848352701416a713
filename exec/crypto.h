/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-frame protection of totem datagrams. A small ops table with two
 * backends: "null" (secauth off, crypto_cipher and crypto_hash none: frames
 * pass unchanged) and NSS (HMAC over the frame with crypto_hash; with
 * crypto_cipher also AES-CBC encryption under an unpredictable IV, the
 * cipher applied to a per-frame nonce, then the HMAC over IV and
 * ciphertext: encrypt-then-MAC). Cipher and HMAC keys are both
 * derived from the key file by hashing it with distinct labels, so the same
 * authkey never serves two purposes.
 *
 * Frame layout with the NSS backend:
 *   [IV 16 bytes, cipher only][payload or ciphertext][HMAC digest]
 */
#ifndef AIS_EXEC_CRYPTO_H
#define AIS_EXEC_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ais_config.h"

/** Accepted key file sizes, in bytes. */
#define CRYPTO_KEY_MIN 16
#define CRYPTO_KEY_MAX 4096

struct crypto;

struct crypto_ops {
	const char *name;
	/** Protect in (inlen bytes) into out (outmax bytes); 0 or -errno
	 *  (-ENOBUFS when out is too small, -EIO on an NSS failure). */
	int (*encrypt_and_sign)(struct crypto *c, const void *in, size_t inlen,
				void *out, size_t outmax, size_t *ret_len);
	/** Check and unprotect; -EBADMSG when the frame does not authenticate
	 *  or is malformed. */
	int (*authenticate_and_decrypt)(struct crypto *c, const void *in, size_t inlen,
					void *out, size_t outmax, size_t *ret_len);
	/** Largest number of bytes protection adds to a frame. */
	size_t (*overhead)(const struct crypto *c);
};

/**
 * Create the backend the settings call for: the null backend when both are
 * none (key may be NULL then), otherwise NSS. A cipher without a hash is
 * refused (-EINVAL: encryption is never used without authentication).
 * Returns 0 and *ret, or -errno with a one-line reason in err.
 */
int crypto_create(enum ais_crypto_cipher cipher, enum ais_crypto_hash hash,
		  const uint8_t *key, size_t keylen, struct crypto **ret, char *err, size_t errlen);

/** Free; accepts NULL; returns NULL. */
struct crypto *crypto_destroy(struct crypto *c);

const struct crypto_ops *crypto_ops(const struct crypto *c);

/** Does the backend authenticate frames (every backend but "null")? Only
 *  then can a frame's content, such as its sequence number, be trusted. */
bool crypto_authenticates(const struct crypto *c);

/**
 * Read a key file (CRYPTO_KEY_MIN..CRYPTO_KEY_MAX bytes, not readable by
 * group or others). 0 and the key in buf (length in *ret_len), or -errno with a reason.
 */
int crypto_key_load(const char *path, uint8_t *buf, size_t bufmax, size_t *ret_len,
		    char *err, size_t errlen);

/** Shut NSS down if a backend initialised it (at daemon exit). */
void crypto_fini(void);

#endif
