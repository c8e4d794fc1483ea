// SPDX-License-Identifier: GPL-2.0
/*
 * esptund Diffie-Hellman over OpenSSL 3 EVP_PKEY: MODP 2048, ECP 256/384/
 * 521 and X25519/X448, with the KE payload encodings of RFC 7296, RFC 5903
 * and RFC 8031 and validation of everything a peer sends.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include "dh.h"

enum dh_kind { DH_MODP, DH_ECP, DH_ECX };

static const struct dh_group {
	int id;
	enum dh_kind kind;
	const char *name;	/* EVP_PKEY type, or the group name */
	size_t ke_len, shared_len;
} groups[] = {
	{ IKEV2_DH_MODP_2048,	DH_MODP, "modp_2048",	256, 256 },
	{ IKEV2_DH_ECP_256,	DH_ECP,	 "P-256",	64,  32 },
	{ IKEV2_DH_ECP_384,	DH_ECP,	 "P-384",	96,  48 },
	{ IKEV2_DH_ECP_521,	DH_ECP,	 "P-521",	132, 66 },
	{ IKEV2_DH_CURVE25519,	DH_ECX,	 "X25519",	32,  32 },
	{ IKEV2_DH_CURVE448,	DH_ECX,	 "X448",	56,  56 },
};

struct dh {
	const struct dh_group *g;
	EVP_PKEY *pkey;
};

static const struct dh_group *find_group(int id)
{
	for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		if (groups[i].id == id)
			return &groups[i];
	return NULL;
}

size_t dh_ke_len(int group)
{
	const struct dh_group *g = find_group(group);

	return g ? g->ke_len : 0;
}

size_t dh_shared_len(int group)
{
	const struct dh_group *g = find_group(group);

	return g ? g->shared_len : 0;
}

int dh_group(const struct dh *dh)
{
	return dh->g->id;
}

static struct dh *wrap(const struct dh_group *g, EVP_PKEY *pkey)
{
	struct dh *dh;

	if (!pkey)
		return NULL;
	dh = calloc(1, sizeof(*dh));
	if (!dh) {
		EVP_PKEY_free(pkey);
		return NULL;
	}
	dh->g = g;
	dh->pkey = pkey;
	return dh;
}

struct dh *dh_new(int group, const char **err)
{
	const struct dh_group *g = find_group(group);
	EVP_PKEY *pkey = NULL;
	EVP_PKEY_CTX *ctx;
	OSSL_PARAM p[2];
	struct dh *dh;

	if (!g) {
		*err = "unsupported Diffie-Hellman group";
		return NULL;
	}
	switch (g->kind) {
	case DH_ECX:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, g->name);
		break;
	case DH_ECP:
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", g->name);
		break;
	case DH_MODP:
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "DH", NULL);
		p[0] = OSSL_PARAM_construct_utf8_string(
			OSSL_PKEY_PARAM_GROUP_NAME, (char *)g->name, 0);
		p[1] = OSSL_PARAM_construct_end();
		if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 ||
		    !EVP_PKEY_CTX_set_params(ctx, p) ||
		    EVP_PKEY_generate(ctx, &pkey) <= 0)
			pkey = NULL;
		EVP_PKEY_CTX_free(ctx);
		break;
	}
	dh = wrap(g, pkey);
	if (!dh)
		*err = "Diffie-Hellman key generation failed";
	return dh;
}

/* An EVP_PKEY of type "EC" or "DH" from a group name and one more
 * parameter, a BIGNUM or an octet string. */
static EVP_PKEY *from_params(const char *type, const char *group,
			     const char *key, const BIGNUM *bn,
			     const uint8_t *oct, size_t oct_len, int selection)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, type, NULL);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pkey = NULL;

	if (!ctx || !bld ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
					     group, 0) ||
	    !(bn ? OSSL_PARAM_BLD_push_BN(bld, key, bn)
		 : OSSL_PARAM_BLD_push_octet_string(bld, key, oct, oct_len)))
		goto out;
	params = OSSL_PARAM_BLD_to_param(bld);
	if (!params || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, selection, params) <= 0)
		pkey = NULL;
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	return pkey;
}

struct dh *dh_new_private(int group, const uint8_t *priv, size_t len,
			  const char **err)
{
	const struct dh_group *g = find_group(group);
	EVP_PKEY *pkey = NULL;
	BIGNUM *bn;
	struct dh *dh;

	if (!g || g->kind == DH_MODP) {
		*err = "no fixed private keys for this group";
		return NULL;
	}
	if (g->kind == DH_ECX) {
		pkey = EVP_PKEY_new_raw_private_key_ex(NULL, g->name, NULL,
						       priv, len);
	} else {
		bn = BN_secure_new();
		if (bn && BN_bin2bn(priv, (int)len, bn))
			pkey = from_params("EC", g->name,
					   OSSL_PKEY_PARAM_PRIV_KEY, bn,
					   NULL, 0, EVP_PKEY_KEYPAIR);
		BN_clear_free(bn);
	}
	dh = wrap(g, pkey);
	if (!dh)
		*err = "bad private key";
	return dh;
}

void dh_free(struct dh *dh)
{
	if (!dh)
		return;
	EVP_PKEY_free(dh->pkey);	/* OpenSSL clears private keys */
	free(dh);
}

int dh_public(const struct dh *dh, uint8_t *out, size_t len)
{
	uint8_t pt[1 + 132];
	BIGNUM *bn = NULL;
	size_t got = 0;
	int ret = -1;

	if (len != dh->g->ke_len)
		return -1;
	switch (dh->g->kind) {
	case DH_ECX:
		got = len;
		if (EVP_PKEY_get_raw_public_key(dh->pkey, out, &got) &&
		    got == len)
			ret = 0;
		break;
	case DH_ECP:
		/* Uncompressed SEC1, 0x04 | x | y; IKEv2 drops the 0x04. */
		if (EVP_PKEY_get_octet_string_param(dh->pkey,
				OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
				pt, sizeof(pt), &got) &&
		    got == len + 1 && pt[0] == 0x04) {
			memcpy(out, pt + 1, len);
			ret = 0;
		}
		break;
	case DH_MODP:
		if (EVP_PKEY_get_bn_param(dh->pkey, OSSL_PKEY_PARAM_PUB_KEY,
					  &bn) &&
		    BN_bn2binpad(bn, out, (int)len) == (int)len)
			ret = 0;
		BN_free(bn);
		break;
	}
	return ret;
}

/* Checks 2 <= y <= p-2 for our group's p. */
static int modp_range(const struct dh *dh, const BIGNUM *y)
{
	BIGNUM *p = NULL;
	int ok = 0;

	if (EVP_PKEY_get_bn_param(dh->pkey, OSSL_PKEY_PARAM_FFC_P, &p) &&
	    BN_sub_word(p, 2))
		ok = BN_cmp(y, BN_value_one()) > 0 && BN_cmp(y, p) <= 0;
	BN_free(p);
	return ok;
}

/* The peer's KE data as an EVP_PKEY, checked; NULL and *err if bad. */
static EVP_PKEY *peer_key(const struct dh *dh, const uint8_t *peer,
			  size_t len, const char **err)
{
	const struct dh_group *g = dh->g;
	const char *why = NULL;
	uint8_t pt[1 + 132];
	EVP_PKEY *pkey = NULL;
	BIGNUM *y;

	switch (g->kind) {
	case DH_ECX:
		pkey = EVP_PKEY_new_raw_public_key_ex(NULL, g->name, NULL,
						      peer, len);
		why = "bad Curve25519/Curve448 public value";
		break;
	case DH_ECP:
		pt[0] = 0x04;
		memcpy(pt + 1, peer, len);
		pkey = from_params("EC", g->name, OSSL_PKEY_PARAM_PUB_KEY,
				   NULL, pt, len + 1, EVP_PKEY_PUBLIC_KEY);
		why = "ECP public value is not a point on the curve";
		break;
	case DH_MODP:
		y = BN_bin2bn(peer, (int)len, NULL);
		if (y && !modp_range(dh, y)) {
			why = "MODP public value is not in 2..p-2";
		} else {
			pkey = y ? from_params("DH", g->name,
					       OSSL_PKEY_PARAM_PUB_KEY, y,
					       NULL, 0, EVP_PKEY_PUBLIC_KEY)
				 : NULL;
			why = "bad MODP public value";
		}
		BN_free(y);
		break;
	}
	if (!pkey)
		*err = why;
	return pkey;
}

int dh_shared(const struct dh *dh, const uint8_t *peer, size_t len,
	      struct key *shared, const char **err)
{
	const struct dh_group *g = dh->g;
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey;
	size_t out_len = 0;
	uint8_t acc = 0;
	int ret = -1;

	shared->ptr = NULL, shared->len = 0;
	if (len != g->ke_len) {
		*err = "KE data length does not match the Diffie-Hellman group";
		return -1;
	}
	pkey = peer_key(dh, peer, len, err);
	if (!pkey)
		return -1;
	ctx = EVP_PKEY_CTX_new_from_pkey(NULL, dh->pkey, NULL);
	if (!ctx || EVP_PKEY_derive_init(ctx) <= 0) {
		*err = "Diffie-Hellman setup failed";
		goto out;
	}
	/* validate=1: EVP_PKEY_public_check(), i.e. the ECP point is on the
	 * curve and of the group order, the MODP value in the subgroup. */
	if (EVP_PKEY_derive_set_peer_ex(ctx, pkey, 1) <= 0) {
		*err = g->kind == DH_MODP
			? "MODP public value is not in the prime order subgroup"
			: g->kind == DH_ECP
			? "ECP public value is not a point on the curve"
			: "bad Curve25519/Curve448 public value";
		goto out;
	}
	/* RFC 7296 2.14: g^ir is padded to the length of the modulus. */
	if (g->kind == DH_MODP) {
		unsigned int one = 1;
		OSSL_PARAM p[2] = {
			OSSL_PARAM_construct_uint(OSSL_EXCHANGE_PARAM_PAD, &one),
			OSSL_PARAM_construct_end(),
		};

		if (!EVP_PKEY_CTX_set_params(ctx, p)) {
			*err = "Diffie-Hellman setup failed";
			goto out;
		}
	}
	if (key_alloc(shared, g->shared_len)) {
		*err = "out of memory";
		goto out;
	}
	out_len = shared->len;
	if (EVP_PKEY_derive(ctx, shared->ptr, &out_len) <= 0 ||
	    out_len != g->shared_len) {
		/* OpenSSL refuses an all-zero X25519/X448 result itself. */
		*err = g->kind == DH_ECX
			? "Curve25519/Curve448 shared secret is all zero"
			: "Diffie-Hellman computation failed";
		goto out;
	}
	for (size_t i = 0; i < out_len; i++)
		acc |= shared->ptr[i];
	if (!acc) {
		*err = "Diffie-Hellman shared secret is all zero";
		goto out;
	}
	ret = 0;
out:
	if (ret)
		key_free(shared);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	return ret;
}
