// SPDX-License-Identifier: GPL-2.0
/*
 * esptund SK payload: encryption and integrity of IKE messages with
 * AES-CBC + HMAC-SHA2, AES-GCM-16 and ChaCha20-Poly1305 (see sk.h for
 * the layout, IVs and padding).  OpenSSL 3 EVP_CIPHER only.
 */
#include <limits.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "sk.h"

#define SALT_LEN	4

size_t sk_body_len(const struct key_sizes *ks, size_t plain_len)
{
	size_t padded = plain_len + 1;

	if (ks->block > 1)
		padded += (ks->block - padded % ks->block) % ks->block;
	return ks->iv + padded + ks->icv;
}

static const char *cipher_name(const struct suite *s, size_t key_len)
{
	if (s->encr == IKEV2_ENCR_CHACHA20_POLY1305)
		return "ChaCha20-Poly1305";
	if (s->encr == IKEV2_ENCR_AES_GCM_16)
		return key_len == 16 ? "AES-128-GCM" :
		       key_len == 24 ? "AES-192-GCM" : "AES-256-GCM";
	return key_len == 16 ? "AES-128-CBC" :
	       key_len == 24 ? "AES-192-CBC" : "AES-256-CBC";
}

/*
 * Runs the cipher over buf in place (len octets).  For the AEADs iv is
 * the 8-octet explicit IV, the salt ends the key, aad is authenticated
 * and tag is written (enc) or checked (!enc).
 */
static int cipher(const struct ike_keys *k, const struct key *ek, bool enc,
		  const uint8_t *iv, const uint8_t *aad, size_t aad_len,
		  uint8_t *buf, size_t len, uint8_t *tag)
{
	const struct key_sizes *ks = &k->sizes;
	size_t key_len = ks->aead ? ek->len - SALT_LEN : ek->len;
	EVP_CIPHER *c = EVP_CIPHER_fetch(NULL, cipher_name(&k->suite, key_len),
					 NULL);
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	uint8_t nonce[SALT_LEN + 8];
	int n, ret = -1;

	if (!c || !ctx || len > INT_MAX || aad_len > INT_MAX)
		goto out;
	if (ks->aead) {
		memcpy(nonce, ek->ptr + key_len, SALT_LEN);
		memcpy(nonce + SALT_LEN, iv, 8);
		iv = nonce;
	}
	if (!EVP_CipherInit_ex2(ctx, c, ek->ptr, iv, enc, NULL) ||
	    !EVP_CIPHER_CTX_set_padding(ctx, 0))
		goto out;
	if (ks->aead) {
		if (!enc && !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG,
						 (int)ks->icv, tag))
			goto out;
		if (!EVP_CipherUpdate(ctx, NULL, &n, aad, (int)aad_len))
			goto out;
	}
	if (!EVP_CipherUpdate(ctx, buf, &n, buf, (int)len) || (size_t)n != len ||
	    !EVP_CipherFinal_ex(ctx, buf + n, &n) || n != 0)
		goto out;
	if (ks->aead && enc &&
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, (int)ks->icv, tag))
		goto out;
	ret = 0;
out:
	OPENSSL_cleanse(nonce, sizeof(nonce));
	EVP_CIPHER_CTX_free(ctx);
	EVP_CIPHER_free(c);
	return ret;
}

/* The SK payload's header (generic header, and for SKF the fragment
 * number and count) before its IV. */
#define SK_HDR_LEN	IKEV2_GENERIC_HDR_LEN
#define SKF_HDR_LEN	(IKEV2_GENERIC_HDR_LEN + 4)

/* Checks the SK/SKF header (hdr octets) at sk_off against msg_len. */
static int sk_frame(const uint8_t *msg, size_t msg_len, size_t sk_off,
		    size_t hdr, const char **err)
{
	if (sk_off < IKEV2_HDR_LEN || sk_off > msg_len ||
	    msg_len - sk_off < hdr) {
		*err = "SK payload outside the message";
		return -1;
	}
	if ((size_t)(msg[sk_off + 2] << 8 | msg[sk_off + 3]) != msg_len - sk_off) {
		*err = "SK payload is not the last payload of the message";
		return -1;
	}
	return 0;
}

static int protect(struct ike_keys *k, bool from_init, uint8_t *msg,
		   size_t msg_len, size_t sk_off, size_t hdr,
		   const uint8_t *plain, size_t plain_len, const char **err)
{
	const struct key_sizes *ks = &k->sizes;
	const struct key *ek = from_init ? &k->sk_ei : &k->sk_er;
	const struct key *ak = from_init ? &k->sk_ai : &k->sk_ar;
	size_t body_len, ct_len, pad;
	uint8_t *iv, *ct, *icv;
	struct chunk signed_part;

	if (sk_frame(msg, msg_len, sk_off, hdr, err))
		return -1;
	body_len = sk_body_len(ks, plain_len);
	if (plain_len > msg_len || body_len != msg_len - sk_off - hdr) {
		*err = "message length does not fit the SK payload";
		return -1;
	}
	iv = msg + sk_off + hdr;
	ct = iv + ks->iv;
	ct_len = body_len - ks->iv - ks->icv;
	icv = ct + ct_len;
	pad = ct_len - plain_len - 1;

	memmove(ct, plain, plain_len);
	memset(ct + plain_len, 0, pad);
	ct[ct_len - 1] = (uint8_t)pad;

	if (ks->aead) {
		if (++k->aead_iv == 0) {
			*err = "AEAD IV counter exhausted";
			return -1;
		}
		for (int i = 0; i < 8; i++)
			iv[i] = (uint8_t)(k->aead_iv >> (56 - 8 * i));
		if (cipher(k, ek, true, iv, msg, sk_off + hdr, ct, ct_len, icv))
			goto fail;
		return 0;
	}
	if (RAND_bytes(iv, (int)ks->iv) != 1 ||
	    cipher(k, ek, true, iv, NULL, 0, ct, ct_len, NULL))
		goto fail;
	signed_part = CHUNK(msg, msg_len - ks->icv);
	if (integ_icv(k->suite.integ, key_chunk(ak), &signed_part, 1, icv))
		goto fail;
	return 0;
fail:
	OPENSSL_cleanse(iv, body_len);
	*err = "encryption failed";
	return -1;
}

static int unprotect(const struct ike_keys *k, bool from_init,
		     const uint8_t *msg, size_t msg_len, size_t sk_off,
		     size_t hdr, uint8_t *out, size_t out_size,
		     size_t *out_len, const char **err)
{
	const struct key_sizes *ks = &k->sizes;
	const struct key *ek = from_init ? &k->sk_ei : &k->sk_er;
	const struct key *ak = from_init ? &k->sk_ai : &k->sk_ar;
	uint8_t want[64], tag[16];
	const uint8_t *iv, *ct;
	size_t body_len, ct_len, pad;
	struct chunk signed_part;
	int bad;

	*out_len = 0;
	if (sk_frame(msg, msg_len, sk_off, hdr, err))
		return -1;
	body_len = msg_len - sk_off - hdr;
	if (body_len < ks->iv + ks->icv + 1) {
		*err = "SK payload truncated";
		return -1;
	}
	iv = msg + sk_off + hdr;
	ct = iv + ks->iv;
	ct_len = body_len - ks->iv - ks->icv;
	if (ks->block > 1 && ct_len % ks->block) {
		*err = "SK payload is not a whole number of cipher blocks";
		return -1;
	}
	if (out_size < ct_len) {
		*err = "output buffer too small";
		return -1;
	}

	if (!ks->aead) {
		signed_part = CHUNK(msg, msg_len - ks->icv);
		if (integ_icv(k->suite.integ, key_chunk(ak), &signed_part, 1,
			      want)) {
			*err = "integrity computation failed";
			return -1;
		}
		bad = CRYPTO_memcmp(want, ct + ct_len, ks->icv);
		OPENSSL_cleanse(want, sizeof(want));
		if (bad) {
			*err = "integrity check failed";
			return -1;
		}
	}
	memcpy(out, ct, ct_len);
	if (ks->aead)
		memcpy(tag, ct + ct_len, ks->icv);
	if (cipher(k, ek, false, iv, msg, sk_off + hdr, out, ct_len,
		   ks->aead ? tag : NULL)) {
		OPENSSL_cleanse(out, ct_len);
		*err = ks->aead ? "integrity check failed" : "decryption failed";
		return -1;
	}
	pad = out[ct_len - 1];
	if (pad + 1 > ct_len) {
		OPENSSL_cleanse(out, ct_len);
		*err = "bad pad length";
		return -1;
	}
	*out_len = ct_len - pad - 1;
	OPENSSL_cleanse(out + *out_len, pad + 1);
	return 0;
}

int sk_encrypt(struct ike_keys *k, bool from_init, uint8_t *msg,
	       size_t msg_len, size_t sk_off, const uint8_t *plain,
	       size_t plain_len, const char **err)
{
	return protect(k, from_init, msg, msg_len, sk_off, SK_HDR_LEN, plain,
		       plain_len, err);
}

int sk_decrypt(const struct ike_keys *k, bool from_init, const uint8_t *msg,
	       size_t msg_len, size_t sk_off, uint8_t *out, size_t out_size,
	       size_t *out_len, const char **err)
{
	return unprotect(k, from_init, msg, msg_len, sk_off, SK_HDR_LEN, out,
			 out_size, out_len, err);
}

int skf_encrypt(struct ike_keys *k, bool from_init, uint8_t *msg,
		size_t msg_len, size_t skf_off, const uint8_t *plain,
		size_t plain_len, const char **err)
{
	return protect(k, from_init, msg, msg_len, skf_off, SKF_HDR_LEN,
		       plain, plain_len, err);
}

int skf_decrypt(const struct ike_keys *k, bool from_init, const uint8_t *msg,
		size_t msg_len, size_t skf_off, uint8_t *out, size_t out_size,
		size_t *out_len, const char **err)
{
	return unprotect(k, from_init, msg, msg_len, skf_off, SKF_HDR_LEN,
			 out, out_size, out_len, err);
}
