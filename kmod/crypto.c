// SPDX-License-Identifier: GPL-2.0
/*
 * The ciphers an SA can use, named as `ip xfrm state` names them, and the
 * crypto API transform behind each.
 *
 * Every SA gets one AEAD transform:
 * - rfc4106(gcm(aes)) and rfc7539esp(chacha20,poly1305) directly.  Their IV
 *   is the 64-bit sequence number (RFC 4106 3.1, RFC 7634 2): unique per
 *   key because the sequence number never repeats, which is why the
 *   outbound sequence number may not wrap.  The key ends with the 4-byte
 *   salt, as in ip-xfrm.
 * - authenc(hmac(H),cbc(aes)) (authencesn with ESN, which moves the high
 *   sequence bits where RFC 4303 2.2.1 wants them in the ICV), with a
 *   random IV per packet: CBC needs an unpredictable one (RFC 3602 2.3).
 * - authenc(hmac(H),ecb(cipher_null)): integrity only, for debugging.
 * HMAC output is truncated as RFC 4868 says (half the hash).
 *
 * Transforms may complete asynchronously (cryptd when AES-NI cannot use
 * the FPU); esp_out.c and esp_in.c handle -EINPROGRESS.
 *
 * Locking: none; called from SA creation and destruction only.
 */
#include <crypto/aead.h>
#include <crypto/authenc.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <net/netlink.h>

#include "crypto.h"
#include "netlink.h"
#include "sa.h"

struct esptun_crypto_alg {
	const char *name;		/* as ip-xfrm spells it */
	const char *tfm;		/* AEAD: the transform; else the cipher */
	bool aead;
	bool seq_iv;
	u8 ivlen;
	u8 align;			/* payload + trailer padded to this */
	u8 salt;			/* bytes at the end of the key */
	u8 key_lens[3];			/* accepted, without the salt */
	u8 icv_bits[3];			/* AEAD only */
};

static const struct esptun_crypto_alg esptun_crypto_algs[] = {
	{
		.name = "rfc4106(gcm(aes))", .tfm = "rfc4106(gcm(aes))",
		.aead = true, .seq_iv = true, .ivlen = 8, .align = 4,
		.salt = 4, .key_lens = { 16, 24, 32 },
		.icv_bits = { 64, 96, 128 },
	},
	{
		.name = "rfc7539esp(chacha20,poly1305)",
		.tfm = "rfc7539esp(chacha20,poly1305)",
		.aead = true, .seq_iv = true, .ivlen = 8, .align = 4,
		.salt = 4, .key_lens = { 32 }, .icv_bits = { 128 },
	},
	{
		.name = "cbc(aes)", .tfm = "cbc(aes)",
		.ivlen = 16, .align = 16, .key_lens = { 16, 24, 32 },
	},
	{
		.name = "ecb(cipher_null)", .tfm = "ecb(cipher_null)",
		.ivlen = 0, .align = 4, .key_lens = { 0 },
	},
};

struct esptun_crypto_auth {
	const char *name;
	u8 key_len;			/* RFC 4868: the hash length */
	u16 trunc_bits[2];
};

static const struct esptun_crypto_auth esptun_crypto_auths[] = {
	/* 96 bits: what ip-xfrm's plain "auth" gives; kept for peers
	 * configured that way.
	 */
	{ "hmac(sha256)", 32, { 128, 96 } },
	{ "hmac(sha384)", 48, { 192 } },
	{ "hmac(sha512)", 64, { 256 } },
};

static const struct esptun_crypto_alg *esptun_crypto_find(const char *name)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(esptun_crypto_algs); i++)
		if (!strcmp(esptun_crypto_algs[i].name, name))
			return &esptun_crypto_algs[i];
	return NULL;
}

bool esptun_crypto_is_aead(const struct esptun_sa *sa)
{
	return esptun_crypto_algs[sa->alg].aead;
}

bool esptun_crypto_seq_iv(const struct esptun_sa *sa)
{
	return esptun_crypto_algs[sa->alg].seq_iv;
}

const char *esptun_crypto_enc_name(const struct esptun_sa *sa)
{
	return esptun_crypto_algs[sa->alg].name;
}

const char *esptun_crypto_auth_name(const struct esptun_sa *sa)
{
	return sa->auth ? esptun_crypto_auths[sa->auth - 1].name : NULL;
}

static bool esptun_crypto_len_ok(const u8 *lens, int n, unsigned int len)
{
	int i;

	for (i = 0; i < n; i++)
		if (lens[i] == len && (len || i == 0))
			return true;
	return false;
}

static int esptun_crypto_setup_aead(struct esptun_sa *sa,
				    const struct esptun_crypto_alg *alg,
				    struct nlattr **tb,
				    struct netlink_ext_ack *extack)
{
	struct nlattr *key = tb[ESPTUN_A_SA_AEAD_KEY];
	struct nlattr *icv = tb[ESPTUN_A_SA_AEAD_ICV_BITS];
	unsigned int klen, bits;
	int err;

	if (!key) {
		esptun_nl_err(extack, tb[ESPTUN_A_SA_AEAD_NAME],
			      "ESPTUN_A_SA_AEAD_KEY missing: %s needs a key",
			      alg->name);
		return -EINVAL;
	}
	if (!icv) {
		esptun_nl_err(extack, tb[ESPTUN_A_SA_AEAD_NAME],
			      "ESPTUN_A_SA_AEAD_ICV_BITS missing: give the ICV length of %s",
			      alg->name);
		return -EINVAL;
	}
	bits = nla_get_u32(icv);
	if (!memchr(alg->icv_bits, bits, sizeof(alg->icv_bits)) ||
	    bits > 255 || !bits) {
		esptun_nl_err(extack, icv,
			      "ESPTUN_A_SA_AEAD_ICV_BITS: %s does not support a %u-bit ICV (use %s)",
			      alg->name, bits,
			      alg->icv_bits[1] ? "128, 96 or 64" : "128");
		return -EINVAL;
	}
	klen = nla_len(key);
	if (klen < alg->salt ||
	    !esptun_crypto_len_ok(alg->key_lens, ARRAY_SIZE(alg->key_lens),
				  klen - alg->salt)) {
		esptun_nl_err(extack, key,
			      "ESPTUN_A_SA_AEAD_KEY: key length %u does not match %s with %u-bit ICV (%s bytes, the last 4 being the salt)",
			      klen, alg->name, bits,
			      alg->key_lens[1] ? "20, 28 or 36" : "36");
		return -EINVAL;
	}

	sa->aead = crypto_alloc_aead(alg->tfm, 0, 0);
	if (IS_ERR(sa->aead)) {
		err = PTR_ERR(sa->aead);
		sa->aead = NULL;
		esptun_nl_err(extack, NULL,
			      "%s is not available in this kernel (crypto API error %d)",
			      alg->name, err);
		return err;
	}
	err = crypto_aead_setkey(sa->aead, nla_data(key), klen);
	if (!err)
		err = crypto_aead_setauthsize(sa->aead, bits / 8);
	if (err) {
		esptun_nl_err(extack, key,
			      "ESPTUN_A_SA_AEAD_KEY: %s refused the key or ICV size (error %d)",
			      alg->name, err);
		return err;
	}
	sa->icvlen = bits / 8;
	sa->key_bits = (klen - alg->salt) * 8;
	return 0;
}

static int esptun_crypto_setup_authenc(struct esptun_sa *sa,
				       const struct esptun_crypto_alg *alg,
				       struct nlattr **tb,
				       struct netlink_ext_ack *extack)
{
	struct nlattr *ekey = tb[ESPTUN_A_SA_ENC_KEY];
	struct nlattr *aname = tb[ESPTUN_A_SA_AUTH_NAME];
	struct nlattr *akey = tb[ESPTUN_A_SA_AUTH_KEY];
	struct nlattr *trunc = tb[ESPTUN_A_SA_AUTH_TRUNC_BITS];
	const struct esptun_crypto_auth *auth = NULL;
	struct crypto_authenc_key_param *param;
	unsigned int eklen, aklen, bits, blob_len;
	char tfm[CRYPTO_MAX_ALG_NAME];
	struct rtattr *rta;
	u8 *blob;
	int i, err;

	if (!aname || !akey || !trunc) {
		esptun_nl_err(extack, tb[ESPTUN_A_SA_ENC_NAME],
			      "%s needs an integrity algorithm: ESPTUN_A_SA_AUTH_NAME, ESPTUN_A_SA_AUTH_KEY and ESPTUN_A_SA_AUTH_TRUNC_BITS",
			      alg->name);
		return -EINVAL;
	}
	if (!ekey) {
		esptun_nl_err(extack, tb[ESPTUN_A_SA_ENC_NAME],
			      "ESPTUN_A_SA_ENC_KEY missing: give the %s key (empty for ecb(cipher_null))",
			      alg->name);
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(esptun_crypto_auths); i++)
		if (!strcmp(esptun_crypto_auths[i].name, nla_data(aname)))
			auth = &esptun_crypto_auths[i];
	if (!auth) {
		esptun_nl_err(extack, aname,
			      "ESPTUN_A_SA_AUTH_NAME: unknown integrity algorithm \"%s\" (use hmac(sha256), hmac(sha384) or hmac(sha512))",
			      (char *)nla_data(aname));
		return -EINVAL;
	}
	bits = nla_get_u32(trunc);
	if (bits != auth->trunc_bits[0] &&
	    (!auth->trunc_bits[1] || bits != auth->trunc_bits[1])) {
		esptun_nl_err(extack, trunc,
			      "ESPTUN_A_SA_AUTH_TRUNC_BITS: %u bits is not a valid truncation of %s (RFC 4868: %u)",
			      bits, auth->name, auth->trunc_bits[0]);
		return -EINVAL;
	}
	aklen = nla_len(akey);
	if (aklen != auth->key_len) {
		esptun_nl_err(extack, akey,
			      "ESPTUN_A_SA_AUTH_KEY: key length %u does not match %s (RFC 4868: %u bytes)",
			      aklen, auth->name, auth->key_len);
		return -EINVAL;
	}
	eklen = nla_len(ekey);
	if (!esptun_crypto_len_ok(alg->key_lens, ARRAY_SIZE(alg->key_lens),
				  eklen)) {
		esptun_nl_err(extack, ekey,
			      "ESPTUN_A_SA_ENC_KEY: key length %u does not match %s (%s bytes)",
			      eklen, alg->name,
			      alg->key_lens[1] ? "16, 24 or 32" : "0");
		return -EINVAL;
	}

	snprintf(tfm, sizeof(tfm), "%s(%s,%s)",
		 sa->esn ? "authencesn" : "authenc", auth->name, alg->tfm);
	sa->aead = crypto_alloc_aead(tfm, 0, 0);
	if (IS_ERR(sa->aead)) {
		err = PTR_ERR(sa->aead);
		sa->aead = NULL;
		esptun_nl_err(extack, NULL,
			      "%s is not available in this kernel (crypto API error %d)",
			      tfm, err);
		return err;
	}

	/* The authenc key format: rtattr{enckeylen}, auth key, enc key. */
	blob_len = RTA_SPACE(sizeof(*param)) + aklen + eklen;
	blob = kmalloc(blob_len, GFP_KERNEL);
	if (!blob)
		return -ENOMEM;
	rta = (struct rtattr *)blob;
	rta->rta_type = CRYPTO_AUTHENC_KEYA_PARAM;
	rta->rta_len = RTA_LENGTH(sizeof(*param));
	param = RTA_DATA(rta);
	param->enckeylen = cpu_to_be32(eklen);
	memcpy(blob + RTA_SPACE(sizeof(*param)), nla_data(akey), aklen);
	memcpy(blob + RTA_SPACE(sizeof(*param)) + aklen, nla_data(ekey),
	       eklen);
	err = crypto_aead_setkey(sa->aead, blob, blob_len);
	kfree_sensitive(blob);
	if (!err)
		err = crypto_aead_setauthsize(sa->aead, bits / 8);
	if (err) {
		esptun_nl_err(extack, ekey,
			      "ESPTUN_A_SA_ENC_KEY: %s refused the keys (error %d)",
			      tfm, err);
		return err;
	}
	sa->icvlen = bits / 8;
	sa->key_bits = eklen * 8;
	sa->auth = auth - esptun_crypto_auths + 1;
	return 0;
}

int esptun_crypto_setup(struct esptun_sa *sa, struct nlattr **tb,
			struct netlink_ext_ack *extack)
{
	struct nlattr *aead = tb[ESPTUN_A_SA_AEAD_NAME];
	struct nlattr *enc = tb[ESPTUN_A_SA_ENC_NAME];
	const struct esptun_crypto_alg *alg;
	struct nlattr *name;
	int err;

	if (aead && (enc || tb[ESPTUN_A_SA_ENC_KEY] ||
		     tb[ESPTUN_A_SA_AUTH_NAME] || tb[ESPTUN_A_SA_AUTH_KEY] ||
		     tb[ESPTUN_A_SA_AUTH_TRUNC_BITS])) {
		NL_SET_ERR_MSG_ATTR(extack, aead,
				    "ESPTUN_A_SA_AEAD_NAME excludes ESPTUN_A_SA_ENC_* and ESPTUN_A_SA_AUTH_*: an AEAD cipher authenticates by itself");
		return -EINVAL;
	}
	if (!aead && !enc) {
		NL_SET_ERR_MSG(extack,
			       "no algorithm: give ESPTUN_A_SA_AEAD_NAME, or ESPTUN_A_SA_ENC_NAME with ESPTUN_A_SA_AUTH_NAME");
		return -EINVAL;
	}
	name = aead ?: enc;
	alg = esptun_crypto_find(nla_data(name));
	if (!alg || alg->aead != !!aead) {
		esptun_nl_err(extack, name,
			      "%s: unknown algorithm \"%s\" (%s)",
			      aead ? "ESPTUN_A_SA_AEAD_NAME" :
			      "ESPTUN_A_SA_ENC_NAME",
			      (char *)nla_data(name),
			      aead ? "use rfc4106(gcm(aes)) or rfc7539esp(chacha20,poly1305)" :
			      "use cbc(aes) or ecb(cipher_null)");
		return -EINVAL;
	}
	if (!aead && tb[ESPTUN_A_SA_AEAD_KEY]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[ESPTUN_A_SA_AEAD_KEY],
				    "ESPTUN_A_SA_AEAD_KEY without ESPTUN_A_SA_AEAD_NAME");
		return -EINVAL;
	}

	sa->alg = alg - esptun_crypto_algs;
	sa->ivlen = alg->ivlen;
	sa->align = alg->align;
	if (aead)
		err = esptun_crypto_setup_aead(sa, alg, tb, extack);
	else
		err = esptun_crypto_setup_authenc(sa, alg, tb, extack);
	if (!err && crypto_aead_ivsize(sa->aead) != sa->ivlen) {
		esptun_nl_err(extack, NULL,
			      "%s: unexpected IV size %u in this kernel",
			      alg->name, crypto_aead_ivsize(sa->aead));
		err = -EINVAL;
	}
	if (err)
		esptun_crypto_free(sa);
	return err;
}

void esptun_crypto_free(struct esptun_sa *sa)
{
	/* Frees the key schedule too; the crypto API wipes it. */
	crypto_free_aead(sa->aead);
	sa->aead = NULL;
}
