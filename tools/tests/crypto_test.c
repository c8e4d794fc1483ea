// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for esptund's crypto (daemon/crypto.c, dh.c, sk.c) against
 * published vectors only (RFC 4231/4868, NIST ACVP IKEv2 KDF, RFC 5903,
 * RFC 7748, RFC 7634 Appendix B), plus round trips and tamper tests.
 * Built and run under ASan and UBSan by `make unit`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "../daemon/crypto.h"
#include "../daemon/dh.h"
#include "../daemon/sk.h"
#include "crypto_vectors.h"
#include "tap.h"

/* Decodes hex (either case) into a malloc()ed buffer. */
static uint8_t *unhex(const char *s, size_t *len)
{
	size_t n = strlen(s) / 2;
	uint8_t *p = malloc(n + 1);

	if (!p)
		abort();
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			abort();
		p[i] = (uint8_t)v;
	}
	*len = n;
	return p;
}

static bool same_hex(const uint8_t *got, size_t len, const char *want)
{
	size_t wlen;
	uint8_t *w = unhex(want, &wlen);
	bool ok = wlen == len && !memcmp(got, w, len);

	free(w);
	return ok;
}

static const char *why(const char *err)
{
	return err ? err : "(no reason given)";
}

static uint8_t *filled(uint8_t byte, size_t len)
{
	uint8_t *p = malloc(len);

	if (!p)
		abort();
	memset(p, byte, len);
	return p;
}

/* RFC 4231 test cases 1, 3, 4, 6, 7 (= RFC 4868 2.7.1) as IKE PRFs. */
static void test_prf(void)
{
	static const char *tc6 =
		"Test Using Larger Than Block-Size Key - Hash Key First";
	static const char *tc7 =
		"This is a test using a larger than block-size key and a larger "
		"than block-size data. The key needs to be hashed before being "
		"used by the HMAC algorithm.";
	static const char *want[3][5] = {
	{ "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
	  "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
	  "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
	  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
	  "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2" },
	{ "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c"
	  "faea9ea9076ede7f4af152e8b2fa9cb6",
	  "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b"
	  "2a5ab39dc13814b94e3ab6e101a34f27",
	  "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e"
	  "6801dd23c4a7d679ccf8a386c674cffb",
	  "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c6"
	  "0c2ef6ab4030fe8296248df163f44952",
	  "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5"
	  "a678cc31e799176d3860e6110c46523e" },
	{ "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde"
	  "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
	  "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39"
	  "bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb",
	  "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3db"
	  "a91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd",
	  "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352"
	  "6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
	  "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944"
	  "b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58" },
	};
	uint8_t k1[20], k3[20], k4[25], k6[131], d3[50], d4[50], out[64];
	struct { struct chunk key, data; } tc[5] = {
		{ CHUNK(k1, 20), CHUNK((const uint8_t *)"Hi There", 8) },
		{ CHUNK(k3, 20), CHUNK(d3, 50) },
		{ CHUNK(k4, 25), CHUNK(d4, 50) },
		{ CHUNK(k6, 131), CHUNK((const uint8_t *)tc6, strlen(tc6)) },
		{ CHUNK(k6, 131), CHUNK((const uint8_t *)tc7, strlen(tc7)) },
	};
	static const int tcno[5] = { 1, 3, 4, 6, 7 };

	memset(k1, 0x0b, sizeof(k1));
	memset(k3, 0xaa, sizeof(k3));
	memset(k6, 0xaa, sizeof(k6));
	memset(d3, 0xdd, sizeof(d3));
	memset(d4, 0xcd, sizeof(d4));
	for (int i = 0; i < 25; i++)
		k4[i] = (uint8_t)(i + 1);
	for (int p = 0; p < 3; p++) {
		int id = IKEV2_PRF_HMAC_SHA2_256 + p;

		for (int t = 0; t < 5; t++) {
			bool ok = !prf(id, tc[t].key, &tc[t].data, 1, out) &&
				  same_hex(out, prf_len(id), want[p][t]);

			check(ok, "prf %d: RFC 4231 test case %d", id, tcno[t]);
		}
	}
	/* Two chunks hash as their concatenation. */
	{
		struct chunk two[2] = { CHUNK((const uint8_t *)"Hi ", 3),
					CHUNK((const uint8_t *)"There", 5) };

		check(!prf(5, tc[0].key, two, 2, out) &&
		      same_hex(out, 32, want[0][0]),
		      "prf: data in two chunks");
	}
	check(prf(IKEV2_PRF_HMAC_SHA1, tc[0].key, &tc[0].data, 1, out) == -1,
	      "prf: HMAC-SHA1 refused");
}

/* RFC 4868 2.7.2: HMAC-SHA-256-128, -384-192, -512-256 (test cases 1-3). */
static void test_integ(void)
{
	static const char *want[3][3] = {
		{ "198a607eb44bfbc69903a0f1cf2bbdc5",
		  "167f928588c5cc2eef8e3093caa0e87c",
		  "cdcb1220d1ecccea91e53aba3092f962" },
		{ "b6a8d5636f5c6a7224f9977dcf7ee6c7fb6d0c48cbdee973",
		  "2c7353974f1842fd66d53c452ca42122b28c0b594cfb184d",
		  "809f439be00274321d4a538652164b53554a508184a0c316" },
		{ "637edc6e01dce7e6742a99451aae82df23da3e92439e590e43e761b33e910fb8",
		  "cb370917ae8a7ce28cfd1d8f4705d6141c173b2a9362c15df235dfb251b15454",
		  "2ee7acd783624ca9398710f3ee05ae41b9f9b0510c87e49e586cc9bf961733d8" },
	};
	static const char jefe[] =
		"JefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefeJefe";
	static const char *what = "what do ya want for nothing?";
	uint8_t out[32], d3[50];

	memset(d3, 0xdd, sizeof(d3));
	for (int i = 0; i < 3; i++) {
		int id = IKEV2_INTEG_HMAC_SHA2_256_128 + i;
		size_t klen = 32 + 16 * (size_t)i, icv = klen / 2;
		uint8_t *k1 = filled(0x0b, klen), *k3 = filled(0xaa, klen);
		struct chunk d[3] = {
			CHUNK((const uint8_t *)"Hi There", 8),
			CHUNK((const uint8_t *)what, strlen(what)),
			CHUNK(d3, sizeof(d3)),
		};
		struct chunk keys[3] = { CHUNK(k1, klen),
					 CHUNK((const uint8_t *)jefe, klen),
					 CHUNK(k3, klen) };

		for (int t = 0; t < 3; t++)
			check(!integ_icv(id, keys[t], &d[t], 1, out) &&
			      same_hex(out, icv, want[i][t]),
			      "integ %d: RFC 4868 test case %d", id, t + 1);
		free(k1);
		free(k3);
	}
}

static void test_prf_plus_limit(void)
{
	uint8_t key[32] = { 1 }, *out = malloc(255 * 64 + 1);
	struct chunk seed = CHUNK(key, 8);

	if (!out)
		abort();
	check(!prf_plus(5, CHUNK(key, 32), &seed, 1, out, 255 * 32),
	      "prf+: 255 blocks allowed");
	check(prf_plus(5, CHUNK(key, 32), &seed, 1, out, 255 * 32 + 1) == -1,
	      "prf+: 256 blocks refused");
	check(!prf_plus(7, CHUNK(key, 32), &seed, 1, out, 255 * 64),
	      "prf+: 255 blocks of SHA2-512 allowed");
	free(out);
}

/* The NIST ACVP IKEv2 KDF cases, through the public derivation API. */
static void test_kdf(const struct ikev2_kdf_vector *v)
{
	size_t ni_len, nr_len, gir_len, girn_len, spii_len, spir_len, dkm_len;
	uint8_t *ni = unhex(v->ni, &ni_len), *nr = unhex(v->nr, &nr_len);
	uint8_t *gir = unhex(v->gir, &gir_len);
	uint8_t *girn = unhex(v->gir_new, &girn_len);
	uint8_t *spii = unhex(v->spii, &spii_len);
	uint8_t *spir = unhex(v->spir, &spir_len);
	uint8_t *dkm = unhex(v->dkm, &dkm_len), *out = malloc(dkm_len);
	struct chunk cni = CHUNK(ni, ni_len), cnr = CHUNK(nr, nr_len);
	struct chunk seed[4] = { cni, cnr, CHUNK(spii, 8), CHUNK(spir, 8) };
	struct chunk cseed[2] = { cni, cnr };
	struct chunk dhseed[3] = { CHUNK(girn, girn_len), cni, cnr };
	size_t h = prf_len(v->prf);
	struct suite s = { IKEV2_ENCR_AES_CBC, 256,
			   IKEV2_INTEG_HMAC_SHA2_256_128, v->prf };
	struct suite cs = { IKEV2_ENCR_AES_GCM_16, 256, IKEV2_INTEG_NONE, 0 };
	struct key seedk, rekey;
	struct ike_keys k;
	struct child_keys c;
	const char *err = NULL;
	bool ok;

	if (!out)
		abort();
	ok = !ike_skeyseed(v->prf, cni, cnr, CHUNK(gir, gir_len), &seedk) &&
	     same_hex(seedk.ptr, seedk.len, v->skeyseed);
	check(ok, "ACVP IKEv2 KDF prf %d: SKEYSEED", v->prf);

	ok = ok && !prf_plus(v->prf, key_chunk(&seedk), seed, 4, out, dkm_len) &&
	     !memcmp(out, dkm, dkm_len);
	check(ok, "ACVP IKEv2 KDF prf %d: DKM (%zu octets)", v->prf, dkm_len);

	/* ike_keys_derive() cuts the same DKM: SK_d | SK_ai | ... */
	ok = !ike_keys_derive(&k, &s, key_chunk(&seedk), cni, cnr, spii, spir,
			      &err) &&
	     k.sk_d.len == h && !memcmp(k.sk_d.ptr, dkm, h) &&
	     k.sk_ai.len == 32 && !memcmp(k.sk_ai.ptr, dkm + h, 32) &&
	     k.sk_ar.len == 32 && !memcmp(k.sk_ar.ptr, dkm + h + 32, 32) &&
	     k.sk_ei.len == 32 && !memcmp(k.sk_ei.ptr, dkm + h + 64, 32) &&
	     k.sk_er.len == 32 && !memcmp(k.sk_er.ptr, dkm + h + 96, 32) &&
	     !memcmp(k.sk_pi.ptr, dkm + h + 128, h) &&
	     !memcmp(k.sk_pr.ptr, dkm + 2 * h + 128, h);
	check(ok, "ACVP IKEv2 KDF prf %d: IKE SA keys are DKM in order",
	      v->prf);

	ok = !prf_plus(v->prf, CHUNK(dkm, h), cseed, 2, out, dkm_len) &&
	     same_hex(out, dkm_len, v->dkm_child);
	check(ok, "ACVP IKEv2 KDF prf %d: DKM(Child SA)", v->prf);
	ok = !child_keys_derive(&c, &cs, v->prf, key_chunk(&k.sk_d),
				CHUNK(NULL, 0), cni, cnr, &err) &&
	     c.encr_i.len == 36 && c.integ_i.len == 0 &&
	     !memcmp(c.encr_i.ptr, out, 36) &&
	     !memcmp(c.encr_r.ptr, out + 36, 36);
	check(ok, "ACVP IKEv2 KDF prf %d: Child SA AEAD keys from DKM",
	      v->prf);
	child_keys_free(&c);

	ok = !prf_plus(v->prf, CHUNK(dkm, h), dhseed, 3, out, dkm_len) &&
	     same_hex(out, dkm_len, v->dkm_child_dh);
	check(ok, "ACVP IKEv2 KDF prf %d: DKM(Child SA D-H)", v->prf);
	cs = (struct suite){ IKEV2_ENCR_AES_CBC, 128,
			     IKEV2_INTEG_HMAC_SHA2_512_256, 0 };
	ok = !child_keys_derive(&c, &cs, v->prf, key_chunk(&k.sk_d),
				CHUNK(girn, girn_len), cni, cnr, &err) &&
	     !memcmp(c.encr_i.ptr, out, 16) &&
	     !memcmp(c.integ_i.ptr, out + 16, 64) &&
	     !memcmp(c.encr_r.ptr, out + 80, 16) &&
	     !memcmp(c.integ_r.ptr, out + 96, 64);
	check(ok, "ACVP IKEv2 KDF prf %d: PFS Child SA keys in KEYMAT order",
	      v->prf);
	child_keys_free(&c);

	ok = !ike_rekey_skeyseed(v->prf, key_chunk(&k.sk_d),
				 CHUNK(girn, girn_len), cni, cnr, &rekey) &&
	     same_hex(rekey.ptr, rekey.len, v->skeyseed_rekey);
	check(ok, "ACVP IKEv2 KDF prf %d: SKEYSEED(Rekey)", v->prf);

	key_free(&rekey);
	ike_keys_free(&k);
	key_free(&seedk);
	free(ni), free(nr), free(gir), free(girn), free(spii), free(spir);
	free(dkm), free(out);
}

static void test_suites(void)
{
	bool ok_;
	struct suite bad[] = {
		{ IKEV2_ENCR_AES_CBC, 0, IKEV2_INTEG_HMAC_SHA2_256_128, 5 },
		{ IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_NONE, 5 },
		{ IKEV2_ENCR_AES_GCM_16, 128, IKEV2_INTEG_HMAC_SHA2_256_128, 5 },
		{ IKEV2_ENCR_CHACHA20_POLY1305, 128, IKEV2_INTEG_NONE, 5 },
		{ IKEV2_ENCR_3DES, 0, IKEV2_INTEG_HMAC_SHA1_96, 2 },
		{ IKEV2_ENCR_AES_CBC, 128, IKEV2_INTEG_HMAC_SHA2_256_128, 2 },
	};
	struct key_sizes ks;
	const char *err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err = NULL;
		ok_ = suite_sizes(&bad[i], false, &ks, &err) == -1 && err;
		check(ok_,
		      "suite %zu refused: %s", i, why(err));
	}
	check(!suite_sizes(&(struct suite){ 20, 256, 0, 6 }, false, &ks, &err) &&
	      ks.encr == 36 && ks.integ == 0 && ks.prf == 48 && ks.icv == 16,
	      "AES-GCM-16-256: 36-octet key with salt, no integ key");
}

static void test_ecdh_vector(const struct ecdh_vector *v)
{
	bool ok_;
	size_t il, gil, rl, grl, n = dh_ke_len(v->group);
	uint8_t *i = unhex(v->i, &il), *gi = unhex(v->gi, &gil);
	uint8_t *r = unhex(v->r, &rl), *gr = unhex(v->gr, &grl);
	const char *err = "";
	struct dh *di = dh_new_private(v->group, i, il, &err);
	struct dh *dr = dh_new_private(v->group, r, rl, &err);
	uint8_t pub[132];
	struct key s1 = { 0 }, s2 = { 0 };

	ok_ = di && dr && gil == n && grl == n;
	check(ok_, "group %d: RFC keys load (%s)",
	      v->group, di && dr ? "ok" : why(err));
	if (!di || !dr)
		goto out;
	/* OpenSSL 3.0 does not derive an imported EC private key's public
	 * point, so the KE data of fixed keys is checked for X25519/X448;
	 * the ECP x | y format is covered by test_dh_roundtrip(). */
	if (v->group == IKEV2_DH_CURVE25519 || v->group == IKEV2_DH_CURVE448) {
		check(!dh_public(di, pub, n) && !memcmp(pub, gi, n),
		      "group %d: initiator KE data", v->group);
		check(!dh_public(dr, pub, n) && !memcmp(pub, gr, n),
		      "group %d: responder KE data", v->group);
	}
	check(!dh_shared(di, gr, grl, &s1, &err) &&
	      same_hex(s1.ptr, s1.len, v->gir),
	      "group %d: initiator g^ir", v->group);
	check(!dh_shared(dr, gi, gil, &s2, &err) &&
	      same_hex(s2.ptr, s2.len, v->gir),
	      "group %d: responder g^ir", v->group);
out:
	key_free(&s1);
	key_free(&s2);
	dh_free(di);
	dh_free(dr);
	free(i), free(gi), free(r), free(gr);
}

static void test_dh_roundtrip(int group)
{
	bool ok_;
	const char *err = "";
	struct dh *a = dh_new(group, &err), *b = dh_new(group, &err);
	size_t n = dh_ke_len(group);
	uint8_t pa[256], pb[256];
	struct key sa = { 0 }, sb = { 0 };

	ok_ = a && b && !dh_public(a, pa, n) && !dh_public(b, pb, n) &&
	      !dh_shared(a, pb, n, &sa, &err) &&
	      !dh_shared(b, pa, n, &sb, &err) &&
	      sa.len == dh_shared_len(group) && sa.len == sb.len &&
	      !memcmp(sa.ptr, sb.ptr, sa.len);
	check(ok_,
	      "group %d: fresh key pairs agree (%s)", group, why(err));
	key_free(&sa);
	err = NULL;
	ok_ = a && dh_shared(a, pb, n - 1, &sa, &err) == -1 && err;
	check(ok_,
	      "group %d: short KE data refused: %s", group, why(err));
	key_free(&sa);
	key_free(&sb);
	dh_free(a);
	dh_free(b);
}

static void test_dh_invalid(void)
{
	bool ok_;
	const char *err = "";
	struct dh *x = dh_new(IKEV2_DH_CURVE25519, &err);
	struct dh *x4 = dh_new(IKEV2_DH_CURVE448, &err);
	struct dh *e = dh_new(IKEV2_DH_ECP_256, &err);
	struct dh *m = dh_new(IKEV2_DH_MODP_2048, &err);
	uint8_t buf[256] = { 0 };
	struct key s = { 0 };
	size_t gl;
	uint8_t *g = unhex(rfc5903[0].gr, &gl);

	err = NULL;
	ok_ = x && dh_shared(x, buf, 32, &s, &err) == -1 && !s.ptr;
	check(ok_,
	      "X25519 zero point refused: %s", why(err));
	err = NULL;
	ok_ = x4 && dh_shared(x4, buf, 56, &s, &err) == -1;
	check(ok_,
	      "X448 zero point refused: %s", why(err));
	g[63] ^= 1;
	err = NULL;
	ok_ = e && dh_shared(e, g, gl, &s, &err) == -1;
	check(ok_,
	      "ECP point off the curve refused: %s", why(err));
	err = NULL;
	ok_ = e && dh_shared(e, buf, 64, &s, &err) == -1;
	check(ok_,
	      "ECP (0,0) refused: %s", why(err));
	err = NULL;
	ok_ = m && dh_shared(m, buf, 256, &s, &err) == -1;
	check(ok_,
	      "MODP 0 refused: %s", why(err));
	buf[255] = 1;
	err = NULL;
	ok_ = m && dh_shared(m, buf, 256, &s, &err) == -1;
	check(ok_,
	      "MODP 1 refused: %s", why(err));
	memset(buf, 0xff, sizeof(buf));	/* > p */
	err = NULL;
	ok_ = m && dh_shared(m, buf, 256, &s, &err) == -1;
	check(ok_,
	      "MODP 2^2048-1 refused: %s", why(err));
	/* p - 1: RFC 3526 p ends in 64 one bits, so p-1 ends in ...fe. */
	if (m && !dh_public(m, buf, 256)) {
		memset(buf, 0xff, 256);
		buf[255] = 0xfe;
		/* The high 64 bits of p are also all ones; the middle is not,
		 * so this is 2^2048-2, still > p-2: refused either way. */
		err = NULL;
		ok_ = dh_shared(m, buf, 256, &s, &err) == -1;
		check(ok_,
		      "MODP 2^2048-2 refused: %s", why(err));
	}
	err = NULL;
	ok_ = !dh_new(IKEV2_DH_MODP_1024, &err) && err;
	check(ok_,
	      "MODP 1024 not offered: %s", why(err));
	free(g);
	dh_free(x);
	dh_free(x4);
	dh_free(e);
	dh_free(m);
}

/* Builds IKE header + SK header for a body of body_len; returns msg_len. */
static size_t frame(uint8_t *msg, uint8_t flags, uint32_t msgid,
		    size_t body_len)
{
	size_t len = IKEV2_HDR_LEN + 4 + body_len;

	memset(msg, 0, IKEV2_HDR_LEN + 4);
	for (int i = 0; i < 8; i++) {
		msg[i] = (uint8_t)(0xc0 + i);
		msg[8 + i] = (uint8_t)(0xd0 + i);
	}
	msg[16] = IKEV2_PL_SK;
	msg[17] = IKEV2_VERSION;
	msg[18] = IKEV2_EXCH_INFORMATIONAL;
	msg[19] = flags;
	msg[20] = (uint8_t)(msgid >> 24), msg[21] = (uint8_t)(msgid >> 16);
	msg[22] = (uint8_t)(msgid >> 8), msg[23] = (uint8_t)msgid;
	msg[24] = (uint8_t)(len >> 24), msg[25] = (uint8_t)(len >> 16);
	msg[26] = (uint8_t)(len >> 8), msg[27] = (uint8_t)len;
	msg[28] = IKEV2_PL_NOTIFY;
	msg[30] = (uint8_t)((4 + body_len) >> 8);
	msg[31] = (uint8_t)(4 + body_len);
	return len;
}

/* RFC 7634 Appendix B: an INFORMATIONAL request from the responder. */
static const char *rfc7634_msg =
	"c0c1c2c3c4c5c6c7d0d1d2d3d4d5d6d72e20250000000009000000452900002910"
	"11121314151617610394701f8d017f7c12924889"
	"6b71bfe25236efd7cdc67066906315b2";
static const char *rfc7634_plain = "0000000c000040010000000a";

static void rfc7634_keys(struct ike_keys *k)
{
	uint8_t key[36];

	memset(k, 0, sizeof(*k));
	k->suite = (struct suite){ IKEV2_ENCR_CHACHA20_POLY1305, 0,
				   IKEV2_INTEG_NONE, IKEV2_PRF_HMAC_SHA2_256 };
	if (suite_sizes(&k->suite, false, &k->sizes, NULL))
		abort();
	for (int i = 0; i < 36; i++)
		key[i] = (uint8_t)(0x80 + i);	/* 80..9f, then salt a0..a3 */
	if (key_dup(&k->sk_er, key, 36))
		abort();
	key[0] ^= 0xff;		/* the other direction gets another key */
	if (key_dup(&k->sk_ei, key, 36))
		abort();
}

static void test_rfc7634(void)
{
	bool ok_;
	struct ike_keys k;
	size_t plen, wlen, out_len;
	uint8_t *plain = unhex(rfc7634_plain, &plen);
	uint8_t *want = unhex(rfc7634_msg, &wlen);
	uint8_t msg[128], out[128];
	const char *err = NULL;
	size_t len;

	rfc7634_keys(&k);
	k.aead_iv = 0x1011121314151616ULL;	/* next IV: 10..17 */
	len = frame(msg, 0, 9, sk_body_len(&k.sizes, plen));
	check(len == wlen, "RFC 7634 B: message length %zu", len);
	check(!sk_encrypt(&k, false, msg, len, IKEV2_HDR_LEN, plain, plen,
			  &err) && len == wlen && !memcmp(msg, want, wlen),
	      "RFC 7634 B: ChaCha20-Poly1305 SK payload produced exactly");
	check(!sk_decrypt(&k, false, want, wlen, IKEV2_HDR_LEN, out,
			  sizeof(out), &out_len, &err) &&
	      out_len == plen && !memcmp(out, plain, plen),
	      "RFC 7634 B: decrypted to the Notify payload");
	err = NULL;
	ok_ = sk_decrypt(&k, true, want, wlen, IKEV2_HDR_LEN, out,
			 sizeof(out), &out_len, &err) == -1;
	check(ok_,
	      "RFC 7634 B: wrong direction key refused: %s", why(err));
	ike_keys_free(&k);
	free(plain);
	free(want);
}

/* A message whose authenticated plaintext has pad length = 0xff. */
static void test_bad_pad(void)
{
	bool ok_;
	struct ike_keys k;
	uint8_t msg[128], out[128], key[36], nonce[12], iv[8] = { 1 };
	uint8_t pt[16] = { 0 };
	const char *err = NULL;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	size_t len, out_len;
	int n;

	rfc7634_keys(&k);
	memcpy(key, k.sk_er.ptr, 36);
	memcpy(nonce, key + 32, 4);
	memcpy(nonce + 4, iv, 8);
	pt[15] = 0xff;
	len = frame(msg, 0, 1, 8 + sizeof(pt) + 16);
	memcpy(msg + 32, iv, 8);
	if (!ctx ||
	    !EVP_EncryptInit_ex2(ctx, EVP_chacha20_poly1305(), key, nonce,
				 NULL) ||
	    !EVP_EncryptUpdate(ctx, NULL, &n, msg, 32) ||
	    !EVP_EncryptUpdate(ctx, msg + 40, &n, pt, sizeof(pt)) ||
	    !EVP_EncryptFinal_ex(ctx, msg + 56, &n) ||
	    !EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, msg + 56))
		abort();
	ok_ = sk_decrypt(&k, false, msg, len, IKEV2_HDR_LEN, out, sizeof(out),
			 &out_len, &err) == -1 && err &&
	      !strcmp(err, "bad pad length");
	check(ok_,
	      "authenticated pad length beyond the payload refused: %s", why(err));
	EVP_CIPHER_CTX_free(ctx);
	ike_keys_free(&k);
}

static void roundtrip(const struct suite *s)
{
	bool ok_;
	static const size_t lens[] = { 0, 1, 15, 16, 17, 100 };
	uint8_t seed[32], ni[16], nr[16], spii[8] = { 1 }, spir[8] = { 2 };
	uint8_t msg[512], out[512], plain[100];
	struct ike_keys k;
	const char *err = NULL;
	size_t len, out_len;
	bool ok = true, ok_tamper = true, ok_aad = true, ok_trunc = true;
	bool ok_dir = true;

	for (size_t i = 0; i < sizeof(plain); i++)
		plain[i] = (uint8_t)(i * 7);
	memset(seed, 0x42, sizeof(seed));
	memset(ni, 1, sizeof(ni));
	memset(nr, 2, sizeof(nr));
	if (ike_keys_derive(&k, s, CHUNK(seed, 32), CHUNK(ni, 16),
			    CHUNK(nr, 16), spii, spir, &err)) {
		ok_ = 0;
		check(ok_, "encr %d/%u integ %d: keys: %s", s->encr,
		      s->encr_keybits, s->integ, why(err));
		return;
	}
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		size_t body = sk_body_len(&k.sizes, lens[i]);

		len = frame(msg, IKEV2_FLAG_INITIATOR, (uint32_t)i, body);
		ok = ok && !sk_encrypt(&k, true, msg, len, IKEV2_HDR_LEN,
				       plain, lens[i], &err) &&
		     !sk_decrypt(&k, true, msg, len, IKEV2_HDR_LEN, out,
				 sizeof(out), &out_len, &err) &&
		     out_len == lens[i] && !memcmp(out, plain, lens[i]);
		ok_dir = ok_dir && sk_decrypt(&k, false, msg, len,
					      IKEV2_HDR_LEN, out, sizeof(out),
					      &out_len, &err) == -1;
		msg[len - 1] ^= 0x01;	/* last ICV octet */
		ok_tamper = ok_tamper &&
			    sk_decrypt(&k, true, msg, len, IKEV2_HDR_LEN, out,
				       sizeof(out), &out_len, &err) == -1 &&
			    !strcmp(err, "integrity check failed");
		msg[len - 1] ^= 0x01;
		msg[23] ^= 0x01;	/* message ID, in the AAD / ICV */
		ok_aad = ok_aad &&
			 sk_decrypt(&k, true, msg, len, IKEV2_HDR_LEN, out,
				    sizeof(out), &out_len, &err) == -1;
		msg[23] ^= 0x01;
		/* Truncated to IV | ICV, lengths consistent. */
		len = frame(msg, IKEV2_FLAG_INITIATOR, 0,
			    k.sizes.iv + k.sizes.icv);
		ok_trunc = ok_trunc &&
			   sk_decrypt(&k, true, msg, len, IKEV2_HDR_LEN, out,
				      sizeof(out), &out_len, &err) == -1 &&
			   !strcmp(err, "SK payload truncated");
	}
	check(ok, "encr %d/%u integ %d: round trips", s->encr,
	      s->encr_keybits, s->integ);
	check(ok_dir, "encr %d/%u integ %d: other direction's keys fail",
	      s->encr, s->encr_keybits, s->integ);
	check(ok_tamper, "encr %d/%u integ %d: flipped ICV octet refused",
	      s->encr, s->encr_keybits, s->integ);
	check(ok_aad, "encr %d/%u integ %d: modified header refused",
	      s->encr, s->encr_keybits, s->integ);
	check(ok_trunc, "encr %d/%u integ %d: truncated SK payload refused",
	      s->encr, s->encr_keybits, s->integ);
	/* SK length field that disagrees with the message. */
	len = frame(msg, IKEV2_FLAG_INITIATOR, 0, sk_body_len(&k.sizes, 4));
	ok_ = sk_encrypt(&k, true, msg, len - 1, IKEV2_HDR_LEN, plain, 4,
			 &err) == -1 &&
	      sk_decrypt(&k, true, msg, len - 1, IKEV2_HDR_LEN, out,
			 sizeof(out), &out_len, &err) == -1;
	check(ok_,
	      "encr %d/%u integ %d: SK length mismatch refused: %s", s->encr,
	      s->encr_keybits, s->integ, why(err));
	ike_keys_free(&k);
}

/* An IKE header and an SKF payload, fragment num of total (RFC 7383). */
static size_t frame_skf(uint8_t *msg, uint16_t num, uint16_t total,
			size_t body_len)
{
	size_t len = frame(msg, IKEV2_FLAG_INITIATOR, 1, body_len + 4);

	msg[16] = IKEV2_PL_SKF;
	msg[28] = num == 1 ? IKEV2_PL_NOTIFY : 0;
	msg[32] = (uint8_t)(num >> 8), msg[33] = (uint8_t)num;
	msg[34] = (uint8_t)(total >> 8), msg[35] = (uint8_t)total;
	return len;
}

/* SKF: the fragment fields are in the associated data / ICV. */
static void skf_roundtrip(const struct suite *s)
{
	uint8_t seed[32], ni[16], nr[16], spii[8] = { 1 }, spir[8] = { 2 };
	uint8_t msg[512], out[512], plain[100];
	struct ike_keys k;
	const char *err = NULL;
	size_t len, out_len;
	bool ok;

	for (size_t i = 0; i < sizeof(plain); i++)
		plain[i] = (uint8_t)(i * 3);
	memset(seed, 0x24, sizeof(seed));
	memset(ni, 3, sizeof(ni));
	memset(nr, 4, sizeof(nr));
	if (ike_keys_derive(&k, s, CHUNK(seed, 32), CHUNK(ni, 16),
			    CHUNK(nr, 16), spii, spir, &err)) {
		check(0, "SKF encr %d: keys: %s", s->encr, why(err));
		return;
	}
	len = frame_skf(msg, 2, 3, sk_body_len(&k.sizes, sizeof(plain)));
	ok = !skf_encrypt(&k, true, msg, len, IKEV2_HDR_LEN, plain,
			  sizeof(plain), &err) &&
	     !skf_decrypt(&k, true, msg, len, IKEV2_HDR_LEN, out, sizeof(out),
			  &out_len, &err) &&
	     out_len == sizeof(plain) && !memcmp(out, plain, sizeof(plain));
	check(ok, "SKF encr %d: fragment 2 of 3 round trips: %s", s->encr,
	      ok ? "ok" : why(err));
	/* As SK, the fragment fields would be taken for the IV. */
	check(sk_decrypt(&k, true, msg, len, IKEV2_HDR_LEN, out, sizeof(out),
			 &out_len, &err) == -1,
	      "SKF encr %d: not decryptable as SK", s->encr);
	msg[33] ^= 0x03;	/* fragment 1 of 3 */
	check(skf_decrypt(&k, true, msg, len, IKEV2_HDR_LEN, out, sizeof(out),
			  &out_len, &err) == -1,
	      "SKF encr %d: changed fragment number refused", s->encr);
	msg[33] ^= 0x03;
	msg[35] ^= 0x07;	/* 2 of 4 */
	check(skf_decrypt(&k, true, msg, len, IKEV2_HDR_LEN, out, sizeof(out),
			  &out_len, &err) == -1,
	      "SKF encr %d: changed fragment count refused", s->encr);
	ike_keys_free(&k);
}

static void test_roundtrips(void)
{
	static const int integs[] = { IKEV2_INTEG_HMAC_SHA2_256_128,
				      IKEV2_INTEG_HMAC_SHA2_384_192,
				      IKEV2_INTEG_HMAC_SHA2_512_256 };
	static const unsigned bits[] = { 128, 192, 256 };

	for (int b = 0; b < 3; b++)
		for (int i = 0; i < 3; i++)
			roundtrip(&(struct suite){ IKEV2_ENCR_AES_CBC, bits[b],
						   integs[i], 5 + i });
	for (int b = 0; b < 3; b++)
		roundtrip(&(struct suite){ IKEV2_ENCR_AES_GCM_16, bits[b],
					   IKEV2_INTEG_NONE, 5 + b });
	roundtrip(&(struct suite){ IKEV2_ENCR_CHACHA20_POLY1305, 0,
				   IKEV2_INTEG_NONE, 5 });
	skf_roundtrip(&(struct suite){ IKEV2_ENCR_AES_GCM_16, 256, IKEV2_INTEG_NONE,
				       IKEV2_PRF_HMAC_SHA2_256 });
	skf_roundtrip(&(struct suite){ IKEV2_ENCR_AES_CBC, 128,
				       IKEV2_INTEG_HMAC_SHA2_256_128,
				       IKEV2_PRF_HMAC_SHA2_256 });
	skf_roundtrip(&(struct suite){ IKEV2_ENCR_CHACHA20_POLY1305, 0, IKEV2_INTEG_NONE,
				       IKEV2_PRF_HMAC_SHA2_256 });
}

static void test_auth(void)
{
	static const uint8_t msg1[] = "IKE_SA_INIT request octets";
	static const uint8_t nr[] = "responder nonce";
	static const uint8_t id[] = { IKEV2_ID_FQDN, 0, 0, 0, 'a', '.', 'b' };
	static const uint8_t psk[] = "secret";
	uint8_t skp[32] = { 9 }, maced[32], auth[32], manual[32], inner[32];
	struct chunk idc = CHUNK(id, sizeof(id));
	struct chunk pad = CHUNK((const uint8_t *)"Key Pad for IKEv2", 17);
	uint8_t *oct;
	size_t len;

	check(!auth_octets(5, CHUNK(msg1, sizeof(msg1)), CHUNK(nr, sizeof(nr)),
			   CHUNK(skp, 32), idc, &oct, &len) &&
	      len == sizeof(msg1) + sizeof(nr) + 32 &&
	      !memcmp(oct, msg1, sizeof(msg1)) &&
	      !memcmp(oct + sizeof(msg1), nr, sizeof(nr)) &&
	      !prf(5, CHUNK(skp, 32), &idc, 1, maced) &&
	      !memcmp(oct + sizeof(msg1) + sizeof(nr), maced, 32),
	      "AUTH octets: message | nonce | prf(SK_p, ID body)");
	{
		struct chunk o = CHUNK(oct, len);

		check(!auth_psk(5, CHUNK(psk, 6), o, auth) &&
		      !prf(5, CHUNK(psk, 6), &pad, 1, inner) &&
		      !prf(5, CHUNK(inner, 32), &o, 1, manual) &&
		      !memcmp(auth, manual, 32),
		      "PSK AUTH = prf(prf(PSK, \"Key Pad for IKEv2\"), octets)");
		check(auth_psk_verify(5, CHUNK(psk, 6), o, CHUNK(auth, 32)),
		      "PSK AUTH verifies");
		auth[31] ^= 1;
		check(!auth_psk_verify(5, CHUNK(psk, 6), o, CHUNK(auth, 32)) &&
		      !auth_psk_verify(5, CHUNK(psk, 6), o, CHUNK(auth, 31)),
		      "PSK AUTH: wrong or short value refused");
	}
	free(oct);
}

int main(void)
{
	test_prf();
	test_integ();
	test_prf_plus_limit();
	for (size_t i = 0; i < sizeof(acvp_ikev2) / sizeof(acvp_ikev2[0]); i++)
		test_kdf(&acvp_ikev2[i]);
	test_suites();
	for (size_t i = 0; i < sizeof(rfc5903) / sizeof(rfc5903[0]); i++)
		test_ecdh_vector(&rfc5903[i]);
	test_dh_roundtrip(IKEV2_DH_MODP_2048);
	test_dh_roundtrip(IKEV2_DH_ECP_256);
	test_dh_roundtrip(IKEV2_DH_ECP_384);
	test_dh_roundtrip(IKEV2_DH_ECP_521);
	test_dh_roundtrip(IKEV2_DH_CURVE25519);
	test_dh_roundtrip(IKEV2_DH_CURVE448);
	test_dh_invalid();
	test_rfc7634();
	test_bad_pad();
	test_roundtrips();
	test_auth();
	return tap_done();
}
