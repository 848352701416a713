/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz target: the frame protection of exec/crypto.c on bytes from the
 * network, with secauth's settings (aes256 + sha256) and with hash-only
 * authentication (sha256), under a fixed key. Per input and backend:
 *  - the input as a whole frame must be refused (-EBADMSG): it carries no
 *    valid HMAC (a guessed one matches with probability 2^-256);
 *  - the input as the authenticated part of a frame ([IV][ciphertext], or
 *    the payload without a cipher) followed by its correct HMAC, which only
 *    a holder of the key could append: the backend must answer 0 or
 *    -EBADMSG, and what it returns must fit in what came in;
 *  - the input as data, protected and checked again, must come back equal.
 * The HMAC is computed here with NSS's one-shot call and the key derived as
 * crypto.h describes (SHA-512 of the label and the key file).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pk11pub.h>

#include "crypto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FRAME_MAX 9000
#define DIGEST_LEN 32

static struct crypto *backends[2];
static PK11SymKey *mac_key;
static uint8_t key[64];

static void setup(void)
{
	static const char label[] = "ais-hmac-key";
	uint8_t in[sizeof(label) - 1 + sizeof(key)], material[64];
	SECItem item = { .type = siBuffer, .data = material, .len = DIGEST_LEN };
	PK11SlotInfo *slot;
	char err[256];

	for (size_t i = 0; i < sizeof(key); i++) {
		key[i] = (uint8_t)(i * 7 + 3);
	}
	if (crypto_create(AIS_CIPHER_AES256, AIS_HASH_SHA256, key, sizeof(key), &backends[0], err,
			  sizeof(err)) != 0 ||
	    crypto_create(AIS_CIPHER_NONE, AIS_HASH_SHA256, key, sizeof(key), &backends[1], err, sizeof(err)) != 0) {
		abort();
	}
	memcpy(in, label, sizeof(label) - 1);
	memcpy(in + sizeof(label) - 1, key, sizeof(key));
	slot = PK11_GetInternalSlot();
	if (slot == NULL || PK11_HashBuf(SEC_OID_SHA512, material, in, (PRInt32)sizeof(in)) != SECSuccess) {
		abort();
	}
	mac_key = PK11_ImportSymKey(slot, CKM_SHA256_HMAC, PK11_OriginUnwrap, CKA_SIGN, &item, NULL);
	PK11_FreeSlot(slot);
	if (mac_key == NULL) {
		abort();
	}
}

static void check(struct crypto *c, const uint8_t *data, size_t size)
{
	static uint8_t frame[FRAME_MAX + 256], out[FRAME_MAX + 256];
	const struct crypto_ops *ops = crypto_ops(c);
	SECItem noparams = { .type = siBuffer, .data = NULL, .len = 0 };
	SECItem sig = { .type = siBuffer, .data = frame + size, .len = DIGEST_LEN };
	SECItem body = { .type = siBuffer, .data = frame, .len = (unsigned int)size };
	size_t len = 0, olen = 0;
	int r;

	if (ops->authenticate_and_decrypt(c, data, size, out, sizeof(out), &olen) != -EBADMSG) {
		abort();
	}
	memcpy(frame, data, size);
	if (PK11_SignWithSymKey(mac_key, CKM_SHA256_HMAC, &noparams, &sig, &body) != SECSuccess) {
		abort();
	}
	r = ops->authenticate_and_decrypt(c, frame, size + DIGEST_LEN, out, sizeof(out), &olen);
	if ((r != 0 && r != -EBADMSG) || (r == 0 && olen > size)) {
		abort();
	}
	if (ops->encrypt_and_sign(c, data, size, frame, sizeof(frame), &len) != 0 ||
	    ops->authenticate_and_decrypt(c, frame, len, out, sizeof(out), &olen) != 0 || olen != size ||
	    memcmp(out, data, size) != 0) {
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (backends[0] == NULL) {
		setup();
	}
	if (size > FRAME_MAX) {
		size = FRAME_MAX;
	}
	for (size_t i = 0; i < 2; i++) {
		check(backends[i], data, size);
	}
	return 0;
}
