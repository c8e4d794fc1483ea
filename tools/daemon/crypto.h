/* SPDX-License-Identifier: GPL-2.0 */
/*
 * esptund keying: the IKEv2 PRFs and prf+ (RFC 7296 2.13), the IKE SA keys
 * (2.14, 2.18), Child SA KEYMAT (2.17) and the AUTH payload octets (2.15).
 * Diffie-Hellman lives in dh.h, the SK payload in sk.h.
 *
 * Every function returns 0 on success and -1 on failure; where a caller may
 * want to log why, a static English string is stored through `err`.
 * Key material is held in struct key, which key_free() wipes.
 */
#ifndef ESPTUND_CRYPTO_H
#define ESPTUND_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ikev2.h"

/* Borrowed bytes: nothing is freed through a chunk. */
struct chunk {
	const uint8_t *ptr;
	size_t len;
};

#define CHUNK(p, l) ((struct chunk){ .ptr = (p), .len = (l) })

/* Owned secret bytes; key_free() cleanses and frees them. */
struct key {
	uint8_t *ptr;
	size_t len;
};

int key_alloc(struct key *k, size_t len);
int key_dup(struct key *k, const uint8_t *p, size_t len);
void key_free(struct key *k);
static inline struct chunk key_chunk(const struct key *k)
{
	return CHUNK(k->ptr, k->len);
}

#define PRF_MAX_LEN	64	/* HMAC-SHA2-512 */

/* Output (and preferred key) length of a PRF; 0 if not supported. */
size_t prf_len(int prf_id);
/* out = prf(key, data[0] | data[1] | ...); out holds prf_len(prf_id). */
int prf(int prf_id, struct chunk key, const struct chunk *data, size_t n,
	uint8_t *out);
/* out = the first outlen octets of prf+(key, seed[0] | ...): at most
 * 255 * prf_len(prf_id) octets (RFC 7296 2.13). */
int prf_plus(int prf_id, struct chunk key, const struct chunk *seed, size_t n,
	     uint8_t *out, size_t outlen);

/* The ICV of an HMAC-SHA2 INTEG transform: the HMAC truncated to half
 * (RFC 4868); out holds 16, 24 or 32 octets. */
int integ_icv(int integ_id, struct chunk key, const struct chunk *data,
	      size_t n, uint8_t *out);

/*
 * A negotiated set of transforms.  encr_keybits is the Key Length
 * attribute (0 where the transform has none, as for ChaCha20-Poly1305).
 * For an AEAD encr, integ must be IKEV2_INTEG_NONE.  prf is unused for
 * a Child SA.
 */
struct suite {
	int encr;
	unsigned encr_keybits;
	int integ;
	int prf;
};

/* Key sizes in octets.  AEAD encr keys include their 4-octet salt. */
struct key_sizes {
	size_t encr;	/* SK_e / encr key, with salt for AEAD */
	size_t integ;	/* SK_a / integ key, 0 for AEAD */
	size_t prf;	/* SK_d, SK_p */
	size_t icv;	/* integrity check value / AEAD tag */
	size_t iv;	/* IV in the SK payload */
	size_t block;	/* padding alignment */
	bool aead;
};

/* Fills the sizes for a suite; -1 (and *err) if anything is unsupported. */
int suite_sizes(const struct suite *s, bool child, struct key_sizes *ks,
		const char **err);

/* The keys of one IKE SA, and the state of our outgoing IV counter. */
struct ike_keys {
	struct suite suite;
	struct key_sizes sizes;
	struct key sk_d, sk_ai, sk_ar, sk_ei, sk_er, sk_pi, sk_pr;
	uint64_t aead_iv;	/* last AEAD IV we sent (sk.c) */
};

/* SKEYSEED = prf(Ni | Nr, g^ir) */
int ike_skeyseed(int prf_id, struct chunk ni, struct chunk nr,
		 struct chunk gir, struct key *skeyseed);
/* Rekeying: SKEYSEED = prf(SK_d (old), g^ir (new) | Ni | Nr), with the old
 * IKE SA's PRF (RFC 7296 2.18). */
int ike_rekey_skeyseed(int old_prf_id, struct chunk old_sk_d,
		       struct chunk gir_new, struct chunk ni, struct chunk nr,
		       struct key *skeyseed);
/* {SK_d | SK_ai | SK_ar | SK_ei | SK_er | SK_pi | SK_pr}
 *	= prf+(SKEYSEED, Ni | Nr | SPIi | SPIr) */
int ike_keys_derive(struct ike_keys *k, const struct suite *s,
		    struct chunk skeyseed, struct chunk ni, struct chunk nr,
		    const uint8_t spii[8], const uint8_t spir[8],
		    const char **err);
void ike_keys_free(struct ike_keys *k);

/*
 * Child SA keys, KEYMAT = prf+(SK_d, [g^ir (new) |] Ni | Nr), split as
 * encr_i | integ_i | encr_r | integ_r ("_i": the SA carrying traffic from
 * the IKE SA initiator).  An AEAD encr key is the key then the 4-octet
 * salt, which is the ESPTUN_A_SA_AEAD_KEY layout; integ keys are then
 * empty.  gir_new.len == 0 means no PFS exchange.
 */
struct child_keys {
	struct suite suite;
	struct key_sizes sizes;
	struct key encr_i, integ_i, encr_r, integ_r;
};

int child_keys_derive(struct child_keys *c, const struct suite *child,
		      int ike_prf_id, struct chunk sk_d, struct chunk gir_new,
		      struct chunk ni, struct chunk nr, const char **err);
void child_keys_free(struct child_keys *c);

/*
 * AUTH (RFC 7296 2.15).  The signed octets are
 *	initiator: RealMessage1 | NonceRData | prf(SK_pi, RestOfInitIDPayload)
 *	responder: RealMessage2 | NonceIData | prf(SK_pr, RestOfRespIDPayload)
 * where RestOf...IDPayload is the ID payload without its generic header
 * (ID Type | RESERVED | Identification Data).  *out is malloc()ed.
 */
int auth_octets(int prf_id, struct chunk real_msg, struct chunk peer_nonce,
		struct chunk sk_p, struct chunk id_body, uint8_t **out,
		size_t *out_len);
/* AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), octets); out holds
 * prf_len(prf_id). */
int auth_psk(int prf_id, struct chunk psk, struct chunk octets, uint8_t *out);
/* Constant-time check of a received PSK AUTH value. */
bool auth_psk_verify(int prf_id, struct chunk psk, struct chunk octets,
		     struct chunk received);
/*
 * Signature AUTH (RFC 7427 Digital Signature, method 14, and the legacy
 * RSA and ECDSA methods) signs and verifies the same auth_octets(): see
 * auth_sign() and auth_verify() in auth.h.
 */

#endif /* ESPTUND_CRYPTO_H */
