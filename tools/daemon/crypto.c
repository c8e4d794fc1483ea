// SPDX-License-Identifier: GPL-2.0
/*
 * esptund keying: HMAC-SHA2 PRFs, prf+, the IKE SA and Child SA key
 * derivations and the AUTH octets and PSK AUTH value (RFC 7296 2.13-2.18,
 * 2.15).  OpenSSL 3 EVP_MAC only; every key buffer is cleansed when freed.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "crypto.h"

int key_alloc(struct key *k, size_t len)
{
	/* One spare octet so that a zero-length key still has a pointer. */
	k->ptr = OPENSSL_zalloc(len + 1);
	k->len = k->ptr ? len : 0;
	return k->ptr ? 0 : -1;
}

int key_dup(struct key *k, const uint8_t *p, size_t len)
{
	if (key_alloc(k, len))
		return -1;
	if (len)
		memcpy(k->ptr, p, len);
	return 0;
}

void key_free(struct key *k)
{
	if (k->ptr)
		OPENSSL_clear_free(k->ptr, k->len + 1);
	k->ptr = NULL;
	k->len = 0;
}

static const char *prf_digest(int prf_id)
{
	switch (prf_id) {
	case IKEV2_PRF_HMAC_SHA2_256:	return "SHA2-256";
	case IKEV2_PRF_HMAC_SHA2_384:	return "SHA2-384";
	case IKEV2_PRF_HMAC_SHA2_512:	return "SHA2-512";
	}
	return NULL;
}

size_t prf_len(int prf_id)
{
	switch (prf_id) {
	case IKEV2_PRF_HMAC_SHA2_256:	return 32;
	case IKEV2_PRF_HMAC_SHA2_384:	return 48;
	case IKEV2_PRF_HMAC_SHA2_512:	return 64;
	}
	return 0;
}

/* HMAC over the concatenation of data[0..n), outlen octets of it. */
static int hmac(const char *digest, struct chunk key, const struct chunk *data,
		size_t n, uint8_t *out, size_t outlen)
{
	static const uint8_t empty[1];
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
	OSSL_PARAM params[2];
	size_t got = 0;
	int ret = -1;

	if (!ctx)
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
						     (char *)digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(ctx, key.len ? key.ptr : empty, key.len, params))
		goto out;
	for (size_t i = 0; i < n; i++)
		if (data[i].len && !EVP_MAC_update(ctx, data[i].ptr, data[i].len))
			goto out;
	if (!EVP_MAC_final(ctx, out, &got, outlen) || got != outlen)
		goto out;
	ret = 0;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return ret;
}

int prf(int prf_id, struct chunk key, const struct chunk *data, size_t n,
	uint8_t *out)
{
	const char *digest = prf_digest(prf_id);

	if (!digest)
		return -1;
	return hmac(digest, key, data, n, out, prf_len(prf_id));
}

int integ_icv(int integ_id, struct chunk key, const struct chunk *data,
	      size_t n, uint8_t *out)
{
	static const struct { int id; const char *md; size_t full, icv; } t[] = {
		{ IKEV2_INTEG_HMAC_SHA2_256_128, "SHA2-256", 32, 16 },
		{ IKEV2_INTEG_HMAC_SHA2_384_192, "SHA2-384", 48, 24 },
		{ IKEV2_INTEG_HMAC_SHA2_512_256, "SHA2-512", 64, 32 },
	};
	uint8_t full[64];

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (t[i].id != integ_id)
			continue;
		if (hmac(t[i].md, key, data, n, full, t[i].full))
			return -1;
		memcpy(out, full, t[i].icv);
		OPENSSL_cleanse(full, sizeof(full));
		return 0;
	}
	return -1;
}

/* Concatenates chunks into a fresh key buffer (inputs may be secret). */
static int concat(struct key *k, const struct chunk *c, size_t n)
{
	size_t len = 0, off = 0;

	for (size_t i = 0; i < n; i++) {
		if (c[i].len > SIZE_MAX / 2 - len)
			return -1;
		len += c[i].len;
	}
	if (key_alloc(k, len))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (c[i].len)
			memcpy(k->ptr + off, c[i].ptr, c[i].len);
		off += c[i].len;
	}
	return 0;
}

/*
 * prf+ (K,S) = T1 | T2 | T3 | ...
 *   T1 = prf (K, S | 0x01), Tn = prf (K, Tn-1 | S | n)
 * The counter is one octet, so at most 255 blocks.
 */
int prf_plus(int prf_id, struct chunk key, const struct chunk *seed, size_t n,
	     uint8_t *out, size_t outlen)
{
	size_t hlen = prf_len(prf_id), done = 0;
	uint8_t t[PRF_MAX_LEN], counter = 1;
	struct key s;
	int ret = -1;

	if (!hlen || outlen > 255 * hlen)
		return -1;
	if (concat(&s, seed, n))
		return -1;
	while (done < outlen) {
		struct chunk d[3] = {
			CHUNK(t, done ? hlen : 0),
			key_chunk(&s),
			CHUNK(&counter, 1),
		};
		size_t take = outlen - done < hlen ? outlen - done : hlen;

		if (prf(prf_id, key, d, 3, t))
			goto out;
		memcpy(out + done, t, take);
		done += take;
		counter++;
	}
	ret = 0;
out:
	OPENSSL_cleanse(t, sizeof(t));
	key_free(&s);
	if (ret)
		OPENSSL_cleanse(out, outlen);
	return ret;
}

static int integ_sizes(int integ, struct key_sizes *ks)
{
	switch (integ) {
	case IKEV2_INTEG_HMAC_SHA2_256_128:
		ks->integ = 32, ks->icv = 16;
		return 0;
	case IKEV2_INTEG_HMAC_SHA2_384_192:
		ks->integ = 48, ks->icv = 24;
		return 0;
	case IKEV2_INTEG_HMAC_SHA2_512_256:
		ks->integ = 64, ks->icv = 32;
		return 0;
	}
	return -1;
}

int suite_sizes(const struct suite *s, bool child, struct key_sizes *ks,
		const char **err)
{
	unsigned bits = s->encr_keybits;
	const char *e = NULL;

	memset(ks, 0, sizeof(*ks));
	switch (s->encr) {
	case IKEV2_ENCR_AES_CBC:
		if (bits != 128 && bits != 192 && bits != 256)
			e = "AES-CBC needs a key length of 128, 192 or 256";
		ks->encr = bits / 8, ks->iv = 16, ks->block = 16;
		if (integ_sizes(s->integ, ks))
			e = e ? e : "unsupported or missing integrity algorithm";
		break;
	case IKEV2_ENCR_AES_GCM_16:
		if (bits != 128 && bits != 192 && bits != 256)
			e = "AES-GCM needs a key length of 128, 192 or 256";
		ks->encr = bits / 8 + 4, ks->iv = 8, ks->block = 1;
		ks->icv = 16, ks->aead = true;
		break;
	case IKEV2_ENCR_CHACHA20_POLY1305:
		if (bits != 0 && bits != 256)
			e = "ChaCha20-Poly1305 has a fixed 256-bit key";
		ks->encr = 32 + 4, ks->iv = 8, ks->block = 1;
		ks->icv = 16, ks->aead = true;
		break;
	default:
		e = "unsupported encryption algorithm";
	}
	if (!e && ks->aead && s->integ != IKEV2_INTEG_NONE)
		e = "an AEAD cipher takes no integrity algorithm";
	if (!e && !child) {
		ks->prf = prf_len(s->prf);
		if (!ks->prf)
			e = "unsupported PRF";
	}
	if (e && err)
		*err = e;
	return e ? -1 : 0;
}

int ike_skeyseed(int prf_id, struct chunk ni, struct chunk nr,
		 struct chunk gir, struct key *skeyseed)
{
	struct chunk nonces[2] = { ni, nr };
	struct key k;
	int ret;

	/* HMAC PRFs take the whole of Ni | Nr as key (RFC 7296 2.14). */
	skeyseed->ptr = NULL, skeyseed->len = 0;
	if (!prf_len(prf_id) || concat(&k, nonces, 2))
		return -1;
	ret = key_alloc(skeyseed, prf_len(prf_id));
	if (!ret)
		ret = prf(prf_id, key_chunk(&k), &gir, 1, skeyseed->ptr);
	if (ret)
		key_free(skeyseed);
	key_free(&k);
	return ret;
}

int ike_rekey_skeyseed(int old_prf_id, struct chunk old_sk_d,
		       struct chunk gir_new, struct chunk ni, struct chunk nr,
		       struct key *skeyseed)
{
	struct chunk d[3] = { gir_new, ni, nr };

	skeyseed->ptr = NULL, skeyseed->len = 0;
	if (!prf_len(old_prf_id) ||
	    key_alloc(skeyseed, prf_len(old_prf_id)))
		return -1;
	if (prf(old_prf_id, old_sk_d, d, 3, skeyseed->ptr)) {
		key_free(skeyseed);
		return -1;
	}
	return 0;
}

/* Cuts consecutive keys of the given sizes out of keymat. */
static int split(const struct key *keymat, struct key **out,
		 const size_t *sizes, size_t n)
{
	size_t off = 0;

	for (size_t i = 0; i < n; i++) {
		if (key_dup(out[i], keymat->ptr + off, sizes[i]))
			return -1;
		off += sizes[i];
	}
	return 0;
}

int ike_keys_derive(struct ike_keys *k, const struct suite *s,
		    struct chunk skeyseed, struct chunk ni, struct chunk nr,
		    const uint8_t spii[8], const uint8_t spir[8],
		    const char **err)
{
	struct chunk seed[4] = { ni, nr, CHUNK(spii, 8), CHUNK(spir, 8) };
	struct key *out[7] = { &k->sk_d, &k->sk_ai, &k->sk_ar, &k->sk_ei,
			       &k->sk_er, &k->sk_pi, &k->sk_pr };
	struct key keymat = { 0 };
	size_t sizes[7];
	int ret = -1;

	memset(k, 0, sizeof(*k));
	if (suite_sizes(s, false, &k->sizes, err))
		return -1;
	k->suite = *s;
	sizes[0] = sizes[5] = sizes[6] = k->sizes.prf;
	sizes[1] = sizes[2] = k->sizes.integ;
	sizes[3] = sizes[4] = k->sizes.encr;
	if (key_alloc(&keymat, 3 * k->sizes.prf + 2 * k->sizes.integ +
			       2 * k->sizes.encr))
		goto out;
	if (prf_plus(s->prf, skeyseed, seed, 4, keymat.ptr, keymat.len)) {
		if (err)
			*err = "prf+ failed";
		goto out;
	}
	ret = split(&keymat, out, sizes, 7);
out:
	key_free(&keymat);
	if (ret)
		ike_keys_free(k);
	return ret;
}

void ike_keys_free(struct ike_keys *k)
{
	key_free(&k->sk_d);
	key_free(&k->sk_ai);
	key_free(&k->sk_ar);
	key_free(&k->sk_ei);
	key_free(&k->sk_er);
	key_free(&k->sk_pi);
	key_free(&k->sk_pr);
	OPENSSL_cleanse(k, sizeof(*k));
}

int child_keys_derive(struct child_keys *c, const struct suite *child,
		      int ike_prf_id, struct chunk sk_d, struct chunk gir_new,
		      struct chunk ni, struct chunk nr, const char **err)
{
	struct chunk seed[3] = { gir_new, ni, nr };
	struct key *out[4] = { &c->encr_i, &c->integ_i, &c->encr_r,
			       &c->integ_r };
	struct key keymat = { 0 };
	size_t sizes[4];
	int ret = -1;

	memset(c, 0, sizeof(*c));
	if (suite_sizes(child, true, &c->sizes, err))
		return -1;
	c->suite = *child;
	sizes[0] = sizes[2] = c->sizes.encr;
	sizes[1] = sizes[3] = c->sizes.integ;
	if (key_alloc(&keymat, 2 * (c->sizes.encr + c->sizes.integ)))
		goto out;
	if (prf_plus(ike_prf_id, sk_d, seed, 3, keymat.ptr, keymat.len)) {
		if (err)
			*err = "prf+ failed";
		goto out;
	}
	ret = split(&keymat, out, sizes, 4);
out:
	key_free(&keymat);
	if (ret)
		child_keys_free(c);
	return ret;
}

void child_keys_free(struct child_keys *c)
{
	key_free(&c->encr_i);
	key_free(&c->integ_i);
	key_free(&c->encr_r);
	key_free(&c->integ_r);
	OPENSSL_cleanse(c, sizeof(*c));
}

int auth_octets(int prf_id, struct chunk real_msg, struct chunk peer_nonce,
		struct chunk sk_p, struct chunk id_body, uint8_t **out,
		size_t *out_len)
{
	size_t hlen = prf_len(prf_id);
	uint8_t *p;

	*out = NULL, *out_len = 0;
	if (!hlen || real_msg.len > SIZE_MAX / 4 || peer_nonce.len > SIZE_MAX / 4)
		return -1;
	p = malloc(real_msg.len + peer_nonce.len + hlen);
	if (!p)
		return -1;
	if (real_msg.len)
		memcpy(p, real_msg.ptr, real_msg.len);
	if (peer_nonce.len)
		memcpy(p + real_msg.len, peer_nonce.ptr, peer_nonce.len);
	if (prf(prf_id, sk_p, &id_body, 1, p + real_msg.len + peer_nonce.len)) {
		free(p);
		return -1;
	}
	*out = p;
	*out_len = real_msg.len + peer_nonce.len + hlen;
	return 0;
}

int auth_psk(int prf_id, struct chunk psk, struct chunk octets, uint8_t *out)
{
	static const char pad[] = "Key Pad for IKEv2";	/* no NUL */
	struct chunk padc = CHUNK((const uint8_t *)pad, sizeof(pad) - 1);
	uint8_t inner[PRF_MAX_LEN];
	int ret;

	if (!prf_len(prf_id))
		return -1;
	ret = prf(prf_id, psk, &padc, 1, inner);
	if (!ret)
		ret = prf(prf_id, CHUNK(inner, prf_len(prf_id)), &octets, 1, out);
	OPENSSL_cleanse(inner, sizeof(inner));
	return ret;
}

bool auth_psk_verify(int prf_id, struct chunk psk, struct chunk octets,
		     struct chunk received)
{
	uint8_t want[PRF_MAX_LEN];
	bool ok;

	if (!prf_len(prf_id) || received.len != prf_len(prf_id))
		return false;
	ok = !auth_psk(prf_id, psk, octets, want) &&
	     !CRYPTO_memcmp(want, received.ptr, received.len);
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}
